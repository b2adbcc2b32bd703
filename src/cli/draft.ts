/**
 * `cdk8s-cilium draft`: least-privilege policies drafted from observed traffic (a Hubble flow log), as readable
 * TypeScript using the SDK's constructs, or as YAML. A thin shell over `Connections.collect`, `Draft.plan` and the two
 * renderers (made from the same plan, so they agree).
 *
 *   cdk8s-cilium draft --flows flows.jsonl[.gz] [--output ts|yaml] [--namespace shop]... [--include-kube-system] > drafted.ts
 *
 * The TypeScript exports `addDraftedPolicies(scope)` and synthesizes the charts when run as a cdk8s app. A one-line summary
 * goes to stderr. Exit status: 0 drafted, 2 bad input, including a capture with no pod traffic to draft from
 * (`draft-nothing-to-draft`, with nothing on stdout: tell it from other bad input by that id on stderr).
 */
import { Command, Option } from 'commander';
import { CiliumPolicyError } from '../core/errors';
import { Connections, DEFAULT_MAX_CONNECTIONS, unreadInput, unreadInputFix } from '../hubble/connections';
import type { DraftNamespaceLeftOut } from '../hubble/draft';
import { namespaceLeftOutNote, platformNamespaceNote } from '../hubble/draft-namespaces';
import { replyLookupsLeftOutNote } from '../hubble/draft-reply-lookups';
import { addSettingFlags, settingFlags } from './agent-setting-flags';
import { HubbleCliIo, allowIcmpFragNeededOption, flowInputError, flowSource, fragNeededCollectOption, guard, parseCount, runSubcommand } from './replay';

/** The options of `draft`, as parsed. */
export interface DraftCommandOptions {
  /** The flow log: a file (plain or gzip) or `-`. */
  readonly flows: string;
  /**
   * `ts` or `yaml`.
   * @default 'ts'
   */
  readonly output?: string;
  /**
   * Namespaces to draft policies for (repeatable, or comma-separated).
   * @default - every namespace with pods in the capture
   */
  readonly namespace?: readonly string[];
  /**
   * Target Cilium version, written into the output.
   * @default - none (the SDK's default)
   */
  readonly ciliumVersion?: string;
  /**
   * Local cluster name.
   * @default - the cluster of the capture's observing nodes, else 'default'
   */
  readonly clusterName?: string;
  /**
   * The module the TypeScript imports the SDK from.
   * @default 'cdk8s-cilium'
   */
  readonly importFrom?: string;
  /**
   * The most connections kept, as given.
   * @default '10000'
   */
  readonly maxConnections?: string;
  /**
   * Draft policies for the pods of kube-system too (`DraftOptions.includeKubeSystem`).
   * @default false
   */
  readonly includeKubeSystem?: boolean;
  /**
   * Whether the agent runs with `allow-icmp-frag-needed` (`--no-allow-icmp-frag-needed`: off, and ICMPv4 fragmentation
   * needed is drafted as any ICMP type).
   * @default true
   */
  readonly allowIcmpFragNeeded?: boolean;
}

/** Exit statuses of `draft`. */
export const DRAFT_EXIT = { ok: 0, badInput: 2 } as const;

/** What a plan of no policy was drafted from (`draft-nothing-to-draft`). */
interface EmptyPlan {
  readonly namespacesLeftOut: readonly DraftNamespaceLeftOut[];
  readonly connections: number;
  readonly leftOut: number;
  readonly identityUnknown: number;
  readonly replyLookupsLeftOut: number;
}

/** The refusal of a capture from which no policy is drafted: what it held, and the capture to give instead. */
function nothingToDraft(plan: EmptyPlan, flows: number, source: string, namespaces: readonly string[], notUsed: string | undefined,
  notUsedFix: string): CiliumPolicyError {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const held = [
    `${plural(flows, 'flow record')}: ${plural(plan.connections, 'connection')} the cluster let through`
      + `${plan.identityUnknown > 0 ? `, ${plan.identityUnknown} of them with a pod of unknown identity (never drafted)` : ''}`,
    plan.leftOut > 0 ? `${plural(plan.leftOut, 'dropped connection')} left out` : '',
    plan.replyLookupsLeftOut > 0 ? replyLookupsLeftOutNote(plan.replyLookupsLeftOut) : '',
    ...plan.namespacesLeftOut.map(namespaceLeftOutNote),
    notUsed !== undefined ? `not all of it was read: ${notUsed}` : '',
  ].filter((p) => p !== '');
  const scope = namespaces.length > 0 ? ` in namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}` : '';
  // Dropped connections only: a draft allows what the cluster let through (`observedFlowing`), and a flow of verdict AUDIT
  // (policy audit mode: the policies in force would have dropped it) counts as let through.
  const droppedOnly = plan.connections === 0 && plan.leftOut > 0;
  return new CiliumPolicyError({
    id: 'draft-nothing-to-draft',
    message: `no policy can be drafted from ${source === '-' ? 'standard input' : source}: no connection the cluster let through`
      + `${plan.replyLookupsLeftOut > 0 ? ', other than replies,' : ''} has, at either end, `
      + `a pod of known identity${scope}${plan.namespacesLeftOut.length > 0 ? ` outside ${plan.namespacesLeftOut.map((n) => n.namespace).join(', ')}` : ''} `
      + `(${held.join('; ')}), so the output would hold no policy`
      + `${droppedOnly ? '; dropped connections are never drafted (a draft allows only what the cluster let through)' : ''}`,
    fix: `${notUsedFix !== '' ? `${notUsedFix}, then draft again; or ` : ''}`
      + `${plan.namespacesLeftOut.length > 0 ? 'add --include-kube-system to draft kube-system (review every rule: its pods serve the whole cluster); or ' : ''}`
      + `${plan.replyLookupsLeftOut > 0 ? 'capture the requests the replies answer (the SYNs, the echo requests): their rules allow the replies; or ' : ''}`
      + `${droppedOnly ? 'capture the traffic with policy audit mode on (policy-audit-mode: flows of verdict AUDIT count as let through and '
        + 'are drafted); or ' : ''}give a capture of the pods' own traffic while their workloads run (hubble observe --since 1h -o jsonpb, unfiltered)`,
  });
}

/**
 * Drafts policies from a flow log and writes them.
 * @returns the exit status (0)
 * @throws CiliumPolicyError for bad input (the caller prints it and exits 2)
 */
export async function executeDraft(options: DraftCommandOptions, io: HubbleCliIo): Promise<number> {
  const output = options.output ?? 'ts';
  if (output !== 'ts' && output !== 'yaml') {
    throw new CiliumPolicyError({ id: 'cli-output', message: `unknown output format "${output}"`, fix: 'use --output ts or --output yaml' });
  }
  // The version and the cluster name, read and refused by their rows (`SETTING_FLAGS`): draft takes no other agent setting.
  const { ciliumVersion, clusterName } = settingFlags(options, 'draft');
  const namespaces = (options.namespace ?? []).flatMap((n) => n.split(',')).map((n) => n.trim()).filter((n) => n !== '');
  // `--namespace "$NS"` with NS unset: one namespace was asked for, so drafting every namespace would be more than asked.
  if (options.namespace !== undefined && options.namespace.length > 0 && namespaces.length === 0) {
    throw new CiliumPolicyError({
      id: 'cli-flag', message: `--namespace ${JSON.stringify(options.namespace.join(','))} names no namespace`,
      fix: 'give the namespace to draft (--namespace shop), or leave --namespace out for every namespace',
    });
  }
  for (const ns of namespaces) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
      throw new CiliumPolicyError({ id: 'cli-flag', message: `--namespace ${ns} is not a namespace name`, fix: 'use a DNS-1123 label such as shop' });
    }
  }
  const maxConnections = parseCount(options.maxConnections, '--max-connections');
  const capture = await Connections.collect(flowSource(options.flows, io), {
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    ...fragNeededCollectOption(options.allowIcmpFragNeeded),
  });
  const ended = flowInputError(capture.input);
  if (ended) throw ended;
  // The drafting builds constructs (cdk8s): loaded here, so that the other commands start without cdk8s.
  const { Draft } = await import('../hubble/draft.js');
  const plan = Draft.plan(capture, {
    ...(namespaces.length > 0 ? { namespaces } : {}),
    ...(ciliumVersion !== undefined ? { ciliumVersion } : {}),
    ...(clusterName !== undefined ? { clusterName } : {}),
    ...(options.includeKubeSystem === true ? { includeKubeSystem: true } : {}),
  });
  const input = capture.input;
  const notUsed = unreadInput(capture);
  // A drafted file without a policy passed as drafted (exit 0), and the app built from it synthesized nothing: as a
  // --namespace with no pod in the capture, a capture that gives nothing to draft is refused.
  if (plan.policies.length === 0) throw nothingToDraft(plan, input.flows, options.flows, namespaces, notUsed, unreadInputFix(capture));
  io.stdout(output === 'yaml' ? Draft.renderYaml(plan) : Draft.renderTypeScript(plan, { importFrom: options.importFrom ?? 'cdk8s-cilium' }));
  const notes = [
    input.malformedCount > 0 ? `${input.malformedCount} malformed line${input.malformedCount === 1 ? '' : 's'} skipped (first: line ${input.malformed[0]?.line})` : '',
    capture.overflowFlows > 0 ? `${capture.overflowFlows} records beyond --max-connections not used` : '',
    plan.identityUnknown > 0 ? `${plan.identityUnknown} connection${plan.identityUnknown === 1 ? '' : 's'} with a pod of unknown identity not drafted `
      + '(listed in the comments)' : '',
    plan.replyLookupsLeftOut > 0 ? replyLookupsLeftOutNote(plan.replyLookupsLeftOut) : '',
    ...plan.namespacesLeftOut.map(namespaceLeftOutNote),
    ...plan.namespaces.flatMap((ns) => platformNamespaceNote(ns) ?? []),
  ].filter((x) => x !== '');
  io.stderr(`drafted ${plan.policies.length} polic${plan.policies.length === 1 ? 'y' : 'ies'} in ${plan.namespaces.length} namespace`
    + `${plan.namespaces.length === 1 ? '' : 's'} from ${input.flows} flow records (${plan.connections} connections the cluster let through`
    + `${plan.leftOut > 0 ? `, ${plan.leftOut} dropped connection${plan.leftOut === 1 ? '' : 's'} left out` : ''})${notes.length > 0 ? `; ${notes.join('; ')}` : ''}\n`);
  // What the capture holds beyond what was read is traffic the drafted policies do not allow (replay fails on it).
  if (notUsed !== undefined) {
    io.stderr(`warning: not all of the capture was used (${notUsed}): it may hold connections the drafted policies would drop; `
      + `${unreadInputFix(capture)}\n`);
  }
  return DRAFT_EXIT.ok;
}

/**
 * Adds the `draft` command to a program. Its action is asynchronous (it streams the flow log): run the program with
 * `await program.parseAsync(...)`.
 * @param done receives the exit status of a run (bad input raised while running is printed and gives 2)
 */
export function addDraftCommand(program: Command, io: HubbleCliIo, done: (code: number) => void): Command {
  const command = program.command('draft')
    .description('draft least-privilege policies from Hubble flows, as TypeScript constructs or YAML (exit 0 drafted, 2 bad input or nothing to draft)')
    .requiredOption('--flows <file>', 'Hubble flow log: hubble observe -o json/jsonpb, the flow exporter, legacy json; gzip; - for standard input')
    .addOption(new Option('--output <format>', 'output format').choices(['ts', 'yaml']).default('ts'))
    .option('--namespace <ns>', 'draft policies for this namespace only (repeatable, or comma-separated; default: every namespace)',
      (v: string, prev: string[] = []) => [...prev, v]);
  return addSettingFlags(command, 'draft')
    .option('--import-from <module>', 'the module the TypeScript imports the SDK from', 'cdk8s-cilium')
    .option('--include-kube-system', 'draft policies for the pods of kube-system too (default: left out, as every pod reaches them)')
    .option('--max-connections <n>', 'the most connections kept in memory; records of further connections are not used', String(DEFAULT_MAX_CONNECTIONS))
    .addOption(allowIcmpFragNeededOption())
    .action(async (opts: DraftCommandOptions) => {
      done(await guard(() => executeDraft(opts, io), io));
    });
}

/**
 * Runs `cdk8s-cilium draft` in-process.
 * @param argv the arguments after `draft`, e.g. `['--flows', 'flows.jsonl', '--output', 'yaml']`
 * @returns the exit status: 0 drafted, 2 bad input
 */
export async function runDraft(argv: readonly string[], io: HubbleCliIo): Promise<number> {
  return runSubcommand('draft', argv, io, addDraftCommand);
}
