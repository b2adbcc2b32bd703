/**
 * `cdk8s-cilium report`: the complete set of allowed traffic between the endpoint classes (who can reach whom, on what),
 * in the same outputs and grouping as `diff`. A thin shell over `PolicySet.fromFiles`, `Connectivity.report` and
 * `ConnectivityFormat`.
 *
 *   cdk8s-cilium report --policies <paths> [--output text|markdown|json|html] [--inventory pods.json] [--flows flows.jsonl]
 *                       [--dns-server <endpoint>] [--max-pairs <n>]
 *                       [the agent-setting flags of trace: src/cli/agent-setting-flags.ts SETTING_FLAGS]
 *
 * Exit status: 0, or 2 on bad input (one line on stderr), including a report of more pairs of endpoint classes than
 * `--max-pairs` (default 250,000; `report-too-large`: refused before any pair is judged, nothing on stdout).
 */
import { Command, Option } from 'commander';
import { Connectivity, DEFAULT_MAX_REPORT_PAIRS } from '../diff/connectivity';
import { ConnectivityFormat, ConnectivityOutput } from '../diff/format';
import {
  ConnectivityCommandOptions, DIFF_EXIT, addConnectivityOptions, builtOutput, connectivitySetOptions, loadPolicies, outputOf, warnCaptureVersion,
} from './diff';
import { HubbleCliIo, guard, parseCount, runSubcommand } from './replay';

/** The options of `report`, as parsed. */
export interface ReportCommandOptions extends ConnectivityCommandOptions {
  /** Policy paths. */
  readonly policies: readonly string[];
  /** The most pairs of endpoint classes to judge (`--max-pairs`, a positive whole number as text). */
  readonly maxPairs?: string;
}

/**
 * Runs a report and writes it.
 * @returns 0
 * @throws CiliumPolicyError for bad input (the caller prints it and exits 2)
 */
export async function executeReport(options: ReportCommandOptions, io: HubbleCliIo): Promise<number> {
  const output = outputOf(options.output);
  const maxPairs = parseCount(options.maxPairs, '--max-pairs', DEFAULT_MAX_REPORT_PAIRS);
  const { setOptions, capture, ipFamilies, policyInputs } = await connectivitySetOptions(options, io, 'report', options.policies);
  const set = loadPolicies(options.policies, setOptions, '--policies', io, policyInputs);
  warnCaptureVersion(capture, options.flows, [set], 'report', io);
  const doc = { ...Connectivity.report(set, { baseSource: options.policies.join(','), maxPairs }), ipFamilies };
  for (const n of doc.notJudged ?? []) io.stderr(`warning: not judged: ${n.text}\n`);
  io.stdout(builtOutput(() => ConnectivityFormat.report(doc, output), {
    command: 'report', output, items: `${doc.connections.length.toLocaleString('en-US')} connection${doc.connections.length === 1 ? '' : 's'}`,
    fix: 'report fewer classes (fewer --policies, a lower --max-pairs), or use --output text or markdown, which are shorter',
  }));
  return DIFF_EXIT.ok;
}

/**
 * Adds the `report` command to a program (asynchronous: run the program with `parseAsync`).
 * @param done receives the exit status of a run
 */
export function addReportCommand(program: Command, io: HubbleCliIo, done: (code: number) => void): Command {
  const command = program.command('report')
    .description('the complete set of allowed traffic between the endpoint classes of the policies (exit 0, 2 bad input)')
    .requiredOption('--policies <paths...>', 'policy files and directories (.yaml, .yml, .json; directories recursively)')
    .addOption(new Option('--output <format>', 'output format').choices(Object.values(ConnectivityOutput)).default(ConnectivityOutput.TEXT));
  return addConnectivityOptions(command, 'report')
    .option('--max-pairs <n>', 'the most pairs of endpoint classes to judge (time and output grow with their square); more are refused '
      + '(exit 2, report-too-large), never cut short', String(DEFAULT_MAX_REPORT_PAIRS))
    .action(async (opts: ReportCommandOptions) => {
      done(await guard(() => executeReport(opts, io), io));
    });
}

/**
 * Runs `cdk8s-cilium report` in-process.
 * @param argv the arguments after `report`
 * @returns the exit status: 0, 2 bad input
 */
export async function runReport(argv: readonly string[], io: HubbleCliIo): Promise<number> {
  return runSubcommand('report', argv, io, addReportCommand);
}
