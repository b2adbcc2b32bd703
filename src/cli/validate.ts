/**
 * `cdk8s-cilium validate`: every check of the SDK over the Cilium policies of any repository, before apply. A thin shell
 * over `validatePaths` and the report formatters.
 *
 *   cdk8s-cilium validate [paths|globs|-]... [--cilium-version 1.19] [--crd <file>]... [--format text|json|sarif]
 *                         [--max-warnings N] [--max-file-size 10MiB]
 *
 * Each policy is judged for `--cilium-version`, else the version it was synthesized for (its
 * `cdk8s-cilium.io/cilium-version` annotation: an app's charts may target clusters of different versions), else the one
 * version the annotations of the inputs name, else 1.19. An annotation that is no supported version is a
 * `version-annotation-invalid` finding; with `--crd` (one cluster), policies annotated for different versions are a usage error.
 * Inputs: files, directories (every .yaml/.yml/.json below them), globs (`*`, `**`, `?`, `[…]`, `{a,b}`; quote them) and
 * `-` for standard input; multi-document YAML and `kind: List` (`kubectl get cnp,ccnp -A -o yaml`). Other kinds are not
 * checked but Namespaces, workloads, Services and NetworkPolicies in the input feed the pitfall checks.
 * Exit status: 0 clean (warnings allowed up to --max-warnings), 1 errors or too many warnings, 2 usage error or nothing
 * to validate (`nothingToValidate`; one line on stderr). The JSON format is documented in `src/validate/format-json.ts`.
 */
import { Command, CommanderError, Option } from 'commander';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { resolve } from 'node:path';
import type { ReportFile, ValidationReport } from '../validate';
import { CILIUM_VERSION_ANNOTATION, annotationFix } from '../model/version-annotation';
import { DEFAULT_MAX_FILE_BYTES, MAX_FILE_BYTES_LIMIT, formatBytes, isDirectory, parseSize } from '../model/inputs';
import { addSettingFlags, settingFlags } from './agent-setting-flags';
import type { PolicySetOptions } from '../engine/policy-set-options';
import { flagWithValue } from './flag-value';
import { parseIntegerOption } from './numeric-option';
import { commanderOutput, errorLine, printableStderr, refuseEmptyPaths, refuseRepeatedOptions } from './trace';
import { addYamlValuesOption, inCommandRun } from './yaml-values-option';

/** Where `validate` reads and writes. */
export interface ValidateIo {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /**
   * Reads all of standard input (for the `-` argument).
   * @default - the process's standard input
   */
  stdin?: () => Promise<string | Uint8Array>;
  /**
   * The working directory paths and globs are relative to.
   * @default process.cwd()
   */
  cwd?: string;
}

/** Exit statuses of `validate`. */
export const VALIDATE_EXIT = { clean: 0, failed: 1, usage: 2 } as const;

/** The options of `validate`, as parsed. */
export interface ValidateCommandOptions {
  /**
   * Target Cilium version.
   * @default - each policy the version it was synthesized for (its `cdk8s-cilium.io/cilium-version` annotation), else '1.19'
   */
  readonly ciliumVersion?: string;
  /**
   * CRD files of the cluster, checked instead of the built-in schema rules and the bundled schemas.
   * @default - the built-in schema rules and the CNP/CCNP schemas bundled for the target version
   */
  readonly crd?: readonly string[];
  /**
   * `text`, `json` or `sarif`.
   * @default 'text'
   */
  readonly format?: string;
  /**
   * The warning limit, as given (`-1`: none).
   * @default - no limit
   */
  readonly maxWarnings?: string;
  /**
   * The size limit per input, as given (`10MiB`, `512k`, bytes).
   * @default '10MiB'
   */
  readonly maxFileSize?: string;
  /**
   * The local cluster's name (`ValidateInputsOptions.clusterName`).
   * @default 'default'
   */
  readonly clusterName?: string;
}

/** The `clusterName` of `ValidateInputsOptions` from the agent settings the flags gave (`settingFlags`). */
function clusterOf(settings: PolicySetOptions): { clusterName?: string } {
  return settings.clusterName !== undefined ? { clusterName: settings.clusterName } : {};
}

/**
 * Validates `paths` and writes the report in the chosen format.
 * @returns the exit status: 0 clean, 1 errors or too many warnings
 * @throws CiliumPolicyError for usage errors (the caller prints it and exits 2)
 */
export async function executeValidate(paths: readonly string[], options: ValidateCommandOptions, io: ValidateIo): Promise<number> {
  const format = options.format ?? 'text';
  if (!['text', 'json', 'sarif'].includes(format)) {
    throw new CiliumPolicyError({ id: 'cli-format', message: `unknown format "${format}"`, fix: 'use --format text, json or sarif' });
  }
  if (paths.length === 0) {
    throw new CiliumPolicyError({
      id: 'cli-no-input', message: 'no input given',
      fix: 'name files, directories or globs (e.g. cdk8s-cilium validate k8s/ "dist/*.yaml"), or - for standard input',
    });
  }
  let maxWarnings: number | undefined;
  if (options.maxWarnings !== undefined) {
    const n = parseIntegerOption(options.maxWarnings, '--max-warnings', { min: -1, example: 0, id: 'cli-max-warnings', what: 'a number of warnings', fix: 'use 0 or more (-1: no limit)' });
    maxWarnings = n === -1 ? undefined : n;
  }
  let maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  if (options.maxFileSize !== undefined) {
    const n = parseSize(options.maxFileSize);
    if (n === undefined) {
      throw new CiliumPolicyError({
        id: 'cli-max-file-size', message: `${flagWithValue('--max-file-size', options.maxFileSize)} is not a size from 1 byte to ${formatBytes(MAX_FILE_BYTES_LIMIT)}`,
        fix: 'use bytes or a unit: 512k, 10MiB, 1G',
      });
    }
    maxFileBytes = n;
  }
  const stdin = paths.includes('-') ? toBytes(await (io.stdin ?? (() => readProcessStdin(maxFileBytes)))()) : undefined;
  if (stdin !== undefined && Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength).toString('latin1').trim() === '') {
    // `kubectl get … | validate -` must not pass when kubectl failed and printed nothing.
    throw new CiliumPolicyError({
      id: 'input-stdin', message: `- (standard input) is ${stdin.length === 0 ? 'empty (closed, or nothing was piped in)' : 'only white space'}`,
      fix: 'pipe the manifests in; when piping from another command, check that it succeeded (set -o pipefail)',
    });
  }
  // The validator (its rule layers, CRD schemas, formatters) is loaded here, not with the CLI: `trace` never needs it.
  const { formatReportJson, formatReportSarif, formatReportText, validatePaths } = await import('../validate/index.js');
  const found: ValidationReport = validatePaths(paths, {
    cwd: io.cwd ?? process.cwd(),
    ...(options.ciliumVersion !== undefined ? { ciliumVersion: options.ciliumVersion } : {}),
    // The agent settings validate takes (`SETTING_FLAGS`): the local cluster's name, `default` unless given.
    ...clusterOf(settingFlags(options, 'validate')),
    ...(options.crd && options.crd.length > 0 ? { crdFiles: [...options.crd] } : {}),
    ...(maxWarnings !== undefined ? { maxWarnings } : {}),
    maxFileBytes,
    ...(stdin !== undefined ? { stdin } : {}),
  });
  // The API's fix names its option (`ciliumVersion`); here the version is given with --cilium-version. A malformed patch
  // level's fix (`write 1.17.4`) names no option and is kept.
  const apiFix = annotationFix('ciliumVersion');
  const report: ValidationReport = { ...found, diagnostics: found.diagnostics.map((d) => d.id === 'version-annotation-invalid' && d.fix === apiFix
    ? { ...d, fix: annotationFix('--cilium-version') } : d) };
  nothingToValidate(report, paths, io.cwd ?? process.cwd());
  io.stdout(format === 'json' ? formatReportJson(report) : format === 'sarif' ? formatReportSarif(report) : formatReportText(report));
  return report.summary.passed ? VALIDATE_EXIT.clean : VALIDATE_EXIT.failed;
}

/**
 * Refuses (exit 2) a run that read nothing to check: a gate given nothing does not pass, as trace and replay refuse inputs
 * without a policy. Every input is a path or glob that matches no file, a directory without a manifest file
 * (`input-not-found`), or a file without a YAML document (`input-empty`: empty, comments only, documents of `null`, `{}` or `[]`), each named at
 * its `file:line` with why. Files with manifests but no policy yet pass, and so do directories (only directories)
 * whose files are all empty: `cdk8s synth` writes a 0-byte `.k8s.yaml` for a chart without objects, so such a folder
 * holds no policy, like a folder of manifests without one (each empty file is an `input-empty` warning). An empty
 * file or glob given beside such folders is refused as it is alone. Inputs that exist but cannot be read
 * (unreadable, binary, too large) stay findings (exit 1).
 */
function nothingToValidate(report: ValidationReport, paths: readonly string[], cwd: string): void {
  const nothing = (f: ReportFile): boolean => f.status === 'empty' || f.status === 'not-found';
  if (report.files.length === 0 || !report.files.every(nothing)) return;
  // Only folders given, and every file in them empty: a cdk8s output folder of empty charts. A file or glob named beside
  // them is judged as it is alone (an empty file named is nothing to validate).
  const emptyCharts = report.files.every((f) => f.status === 'empty') && paths.every((p) => p !== '-' && isDirectory(resolve(cwd, p)));
  if (emptyCharts) return;
  // The first five files are named (one look-up of their diagnostics each, not one per file of a folder of thousands).
  const problems = report.files.slice(0, 5).map((f) => {
    const d = report.diagnostics.find((x) => x.file === f.file && (x.id === 'input-empty' || x.id === 'input-not-found'));
    return d === undefined ? f.file : d.id === 'input-not-found' ? d.message : `${d.file}:${d.line}: ${d.message}`;
  });
  const shown = problems.join('; ') + (report.files.length > 5 ? `; and ${report.files.length - 5} more` : '');
  const found = report.files.some((f) => f.status === 'not-found');
  throw new CiliumPolicyError({
    id: found ? 'input-not-found' : 'input-empty',
    message: `nothing to validate: ${shown}`,
    fix: found ? 'give the files or the directory the manifests are written to (cdk8s synth writes them to dist/); quote globs so that the shell does not expand them'
      : 'give the files that hold the manifests (a generated file may be empty because the step that writes it failed)',
  });
}

/**
 * Adds the `validate` command to a program. Its action is asynchronous (it may read standard input): run the program
 * with `await program.parseAsync(...)`.
 * @param done receives the exit status of a run (usage errors raised while running are printed and give 2)
 */
export function addValidateCommand(program: Command, io: ValidateIo, done: (code: number) => void): Command {
  const command = program.command('validate')
    .description('check Cilium policies (files, directories, globs, - for stdin) for schema, agent and pitfall problems ' +
      '(exit 0 clean, 1 problems, 2 usage error)')
    .argument('[paths...]', 'files, directories (recursively: .yaml, .yml, .json), quoted globs, or - for standard input')
    .option('--cilium-version <version>', 'the Cilium version of the cluster: 1.14 … 1.19, or 1.20 (main) (default: each policy the version it was '
      + `synthesized for, from its ${CILIUM_VERSION_ANNOTATION} annotation, else ${CiliumVersion.DEFAULT.toString()})`)
    .option('--crd <file>', 'a CRD file of the cluster (kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml) instead of the built-in schema rules ' +
      'and the bundled CRD schemas of the version; ' +
      'repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--max-warnings <n>', 'fail (exit 1) when there are more warnings than this (-1: no limit)')
    .option('--max-file-size <size>', `inputs larger than this are not read (bytes, or 512k, 10MiB) (default: ${formatBytes(DEFAULT_MAX_FILE_BYTES)})`);
  // Of the agent settings, the local cluster's name only (`SETTING_FLAGS` says why of each other).
  return addSettingFlags(command, 'validate')
    .action(async (paths: string[], opts: ValidateCommandOptions) => {
      try {
        done(await executeValidate(paths, opts, io));
      } catch (e) {
        if (!(e instanceof CiliumPolicyError)) throw e;
        io.stderr(errorLine(e));
        done(VALIDATE_EXIT.usage);
      }
    });
}

/**
 * Runs `cdk8s-cilium validate` in-process.
 * @param argv the arguments after `validate`, e.g. `['k8s/', '--format', 'json']`
 * @param given where it reads and writes; its standard error one printable line a write (`printableStderr`)
 * @returns the exit status: 0 clean, 1 errors or too many warnings, 2 usage error
 */
export async function runValidate(argv: readonly string[], given: ValidateIo): Promise<number> {
  const io = printableStderr(given);
  let code: number = VALIDATE_EXIT.usage;
  const program = new Command('cdk8s-cilium')
    .exitOverride()
    .configureOutput(commanderOutput(io))
    .showHelpAfterError(false);
  refuseEmptyPaths(refuseRepeatedOptions(addYamlValuesOption(addValidateCommand(program, io, (c) => {
    code = c;
  }).exitOverride())));
  try {
    await inCommandRun(() => program.parseAsync(['validate', ...argv], { from: 'user' }));
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? VALIDATE_EXIT.clean : VALIDATE_EXIT.usage;
    if (!(e instanceof CiliumPolicyError)) throw e;
    io.stderr(errorLine(e));
  }
  return code;
}

function toBytes(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
}

/** Standard input, read up to one byte more than the size limit (the rest is not read: the input is too large anyway). */
async function readProcessStdin(maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    chunks.push(b);
    length += b.length;
    if (length > maxBytes) break;
  }
  return Buffer.concat(chunks);
}
