/**
 * `cdk8s-cilium replay`: the traffic a cluster has really seen (a Hubble flow log) judged against the policies of a pull
 * request, listing every connection they would drop. A thin shell over `Connections.collect`, `PolicySet.fromFiles` and
 * `Replay.capture`.
 *
 *   cdk8s-cilium replay --flows flows.jsonl[.gz] --policies dist/ [--output table|json] [--fail-on drop|none]
 *   hubble observe --since 1h -o jsonpb | cdk8s-cilium replay --flows - --policies dist/
 *
 * Flow logs: `hubble observe -o json` / `-o jsonpb`, the agent's flow exporter, legacy bare flows, gzip, standard input.
 * Exit status: 0 nothing the cluster let through would be dropped (or --fail-on none), 1 some connection observed as
 * forwarded would be dropped or refused at L7, or no connection was judged (every record skipped, lost events only, every
 * connection of unknown identity), or not all of the capture was judged (records beyond --max-connections,
 * malformed lines skipped: `summary.notJudgedInput`; connections the engine could not judge: `summary.notEvaluated`; a
 * line on stderr says so), 2 bad input (one line on stderr), including a flow log that cannot be read
 * to its end (truncated or corrupt gzip) and policy inputs without a single policy. Malformed lines (not JSON, a field of the wrong type) never stop the run.
 *
 * `--output json` prints the report (stable; new fields may be added, none removed or changed):
 *
 * {
 *   "schema": "cdk8s-cilium/replay/v1",
 *   "ciliumVersion": "1.19", "clusterName": "default",
 *   "ipFamilies": { "judged": "ipv4" | "ipv6" | "dual", "source": "given" | "inferred" | "default",
 *                   "dualStackEvidence"?: string,     // world identities 9/10: dual
 *                   "basis"?: string },               // what the families were inferred from (9/10, else the packets' families), or why not
 *   "input": { "source", "gzip", "lines", "blankLines", "flows", "formats": { "jsonpb", "legacy" },
 *              "otherRecords": { "lost_events"?: n, … }, "lostEvents", "malformedCount",
 *              "malformed": [{ "line", "reason" }], "readError"? },
 *   "skipped": { "total", "byReason": { "reply"?: n, "l7-response"?: n, "no-direction"?: n, "socket-translation"?: n,
 *                "not-a-connection-event"?: n, "non-policy-drop"?: n, "unknown-verdict"?: n, "no-ip"?: n, "no-l4"?: n,
 *                "unsupported-protocol"?: n, "unknown-identity"?: n, "icmp-frag-needed"?: n } },
 *   "summary": { "connections", "flows", "newlyDropped", "newlyDroppedFlows", "newlyAllowed", "unchanged", "notEvaluated",
 *                "identityUnknown", "identityUnknownFlows", "disagreements", "window"?: { "first", "last", "seconds" },
 *                "topDropSources": [{ "source", "connections", "flows" }],
 *                "notJudgedInput"?: string },      // what was not judged: records beyond the limit, malformed lines
 *   "connections": [{                                  // would be dropped first, then newly allowed, then unchanged
 *     "change": "newly-dropped" | "newly-allowed" | "unchanged",
 *     "source": string, "destination": string,         // endpoints: pod:<ns>:<labels>, entity:<name>, cidr:<ip>, fqdn:<name>@<ip>
 *     "connection": string, "request"?: string,        // "8080/TCP", "icmp/8"; "GET /path", "dns name.", "kafka produce topic"
 *     "destinationNames": string[],
 *     "observed": { "verdict": "forwarded" | "dropped" | "audit" | "l7-denied" | "mixed", "flows", "forwarded", "delivered",
 *                   "dropped", "audit", "l7Denied", "sides": { "egress", "ingress" }, "seenOnce", "firstLine", "firstTime"?,
 *                   "nodes": string[], "dropReasons": string[], "policies": string[], "window"?: { "first", "last" },
 *                   "cluster"?: { "egress": ClusterSide, "ingress": ClusterSide } },
 *                   // ClusterSide: what the cluster decided there: { "allowed", "denied", "audit", "l7Denied", "denyReasons",
 *                   //   "allowedBy", "deniedBy": [{ "name", "namespace"?, "kind"? }], "matchTypes" }
 *     "predicted": { "verdict": "allowed" | "denied" | "l7-denied", "summary", "reason", "resolvedName"?,
 *                    "egress": Side, "ingress": Side }  // Side: as in `trace --output json` (src/cli/trace.ts)
 *   }],
 *   "identityUnknown": [{                              // an end names a pod whose identity the capture does not give: not judged
 *     "source", "destination",                         // pod-name:<namespace>/<pod> or identity:<n> for the unknown end
 *     "connection", "request"?, "unknown": "source" | "destination" | "both", "reason", "observed"
 *   }],
 *   "disagreements": [{                                // the engine disagrees with the cluster (the policies in force)
 *     "source", "destination", "connection", "request"?, "side": "egress" | "ingress", "endpoint",
 *     "cluster": { "verdict": "allowed" | "denied" | "audit" | "l7-denied", "records", "policies": string[], "reasons": string[] },
 *     "engine": { "decision", "policy"?, "reason" }, "message", "firstLine"
 *   }],
 *   "namespaces": [{ "namespace", "connections", "flows", "flowing", "wouldBeDropped", "audited", "identityUnknown",
 *                    "disagreements", "readyToEnforce", "reason", "window"?: { "first", "last", "seconds" } }],
 *   "resolved": [{ "end", "by": "pod-name" | "address" | "identity", "namespace", "labels" }],
 *   "errors": [{ "connection", "message" }],
 *   "warnings": string[]
 * }
 */
import { Command, CommanderError, Option } from 'commander';
import { PolicySet } from '../engine/policy-set';
import { policyPathRefusal, readPolicyFiles } from '../engine/policy-inputs';
import { CiliumPolicyError } from '../core/errors';
import { Connections, DEFAULT_MAX_CONNECTIONS, FlowCapture, unreadInputFix } from '../hubble/connections';
import { withoutControls } from '../model/printable';
import { parseIntegerOption } from './numeric-option';
import { FlowReadStats, FlowSource } from '../hubble/flow-reader';
import type { ReplayReport } from '../hubble/replay';
import { chooseIpFamilies } from '../hubble/capture-families';
import { DEFAULT_MAX_FILE_BYTES, expandPaths } from '../model/inputs';
import { clusterNameError } from '../model/labels';
import { VERSION_DEFAULT, judgedVersion } from '../model/version-annotation';
import {
  CliIo, commanderOutput, diagnosticText, errorLine, refuseEmptyPaths, refuseRepeatedOptions, hostFirewallInfo, printableStderr, refusedPolicyInputs,
  warningLines,
} from './trace';
import { addSettingFlags, settingFlags } from './agent-setting-flags';
import { addYamlValuesOption, inCommandRun } from './yaml-values-option';

/** Where the Hubble commands read and write. */
export interface HubbleCliIo extends CliIo {
  /**
   * Standard input, for `--flows -`.
   * @default - the process's standard input
   */
  stdin?: () => AsyncIterable<Uint8Array | string>;
}

/**
 * `--no-allow-icmp-frag-needed`, the one declaration of the flag for every command that reads a capture (`replay`, `draft`,
 * `diff`, `report`): the agent runs with `allow-icmp-frag-needed: false`, so the records of ICMPv4 fragmentation needed
 * are read as any ICMP (`CollectOptions.allowIcmpFragNeeded`).
 */
export function allowIcmpFragNeededOption(): Option {
  return new Option('--no-allow-icmp-frag-needed', 'the agent runs with allow-icmp-frag-needed: false: ICMPv4 fragmentation needed (type 3 code 4) is '
    + 'judged by policy (default: it passes before the policy lookup, and its records are skipped)');
}

/** The collect option of `--no-allow-icmp-frag-needed` as parsed (`true` by default, `false` given). */
export function fragNeededCollectOption(allowIcmpFragNeeded: boolean | undefined): { allowIcmpFragNeeded?: false } {
  return allowIcmpFragNeeded === false ? { allowIcmpFragNeeded: false } : {};
}

/** Exit statuses of `replay`. */
export const REPLAY_EXIT = { ok: 0, wouldDrop: 1, badInput: 2 } as const;

/** The options of `replay`, as parsed. */
export interface ReplayCommandOptions {
  /** The flow log: a file (plain or gzip) or `-`. */
  readonly flows: string;
  /** Policy files and directories. */
  readonly policies: readonly string[];
  /**
   * `table` or `json`.
   * @default 'table'
   */
  readonly output?: string;
  /**
   * `drop` (exit 1 when a forwarded connection would be dropped, or when not all of the capture was judged) or `none`.
   * @default 'drop'
   */
  readonly failOn?: string;
  /**
   * Cilium version.
   * @default - the version the policies were synthesized for (their `cdk8s-cilium.io/cilium-version` annotation), else '1.19'
   */
  readonly ciliumVersion?: string;
  /**
   * Local cluster name.
   * @default - the cluster of the capture's observing nodes, else 'default'
   */
  readonly clusterName?: string;
  /**
   * Host firewall on (`true`) or off (`false`).
   * @default - auto: on when the policies hold a host policy
   */
  readonly hostFirewall?: boolean;
  /**
   * Whether the agent runs with `allow-icmp-frag-needed` (`--no-allow-icmp-frag-needed`: off).
   * @default true
   */
  readonly allowIcmpFragNeeded?: boolean;
  /**
   * Whether the agent runs with `enable-node-selector-labels`.
   * @default false
   */
  readonly nodeSelectorLabels?: boolean;
  /**
   * Whether the cluster runs mutual authentication with SPIRE (`authentication.mode: required` then passes).
   * @default false
   */
  readonly mutualAuth?: boolean;
  /**
   * Whether the agent runs with `enable-sctp` (Helm `sctp.enabled`): without it the datapath drops SCTP before any policy.
   * @default false
   */
  readonly sctp?: boolean;
  /**
   * The IP families the cluster runs: `ipv4`, `ipv6` or `dual` (the agent's enable-ipv4/enable-ipv6).
   * @default 'ipv4'
   */
  readonly ipFamilies?: string;
  /**
   * The DNS server the pods use, as an endpoint (for `toFQDNs` learnability).
   * @default 'pod:kube-system:k8s-app=kube-dns'
   */
  readonly dnsServer?: string;
  /**
   * The agent's `allow-localhost`: `always` (and `auto`, which the agent resolves to `always` in Kubernetes mode) lets
   * the local host reach its pods whatever the policies say; `policy` subjects that traffic to policy.
   * @default 'always'
   */
  readonly allowLocalhost?: string;
  /**
   * `policy-default-local-cluster`: `true` or `false`.
   * @default - on from 1.19
   */
  readonly policyDefaultLocalCluster?: string;
  /**
   * The agent's policy enforcement mode (agent option `enable-policy`, Helm `policyEnforcementMode`): `default`, `always`
   * or `never` (`PolicySetOptions.policyEnforcement`).
   * @default 'default'
   */
  readonly policyEnforcement?: string;
  /**
   * Whether the agent runs with `enable-non-default-deny-policies` (`PolicySetOptions.nonDefaultDenyPolicies`; off with
   * `--no-non-default-deny-policies`).
   * @default true
   */
  readonly nonDefaultDenyPolicies?: boolean;
  /**
   * The most connections kept, as given.
   * @default '10000'
   */
  readonly maxConnections?: string;
  /**
   * List every connection in the table (by default the first 50 of each group are listed, the rest counted).
   * @default false
   */
  readonly all?: boolean;
}

/**
 * Runs a replay and writes its report.
 * @returns the exit status: 0, or 1 when a connection the cluster let through would be dropped, or not all of the capture was
 *   judged (records beyond --max-connections, malformed lines), with --fail-on drop
 * @throws CiliumPolicyError for bad input (the caller prints it and exits 2)
 */
export async function executeReplay(options: ReplayCommandOptions, io: HubbleCliIo): Promise<number> {
  const output = options.output ?? 'table';
  if (output !== 'table' && output !== 'json') {
    throw new CiliumPolicyError({ id: 'cli-output', message: `unknown output format "${output}"`, fix: 'use --output table or --output json' });
  }
  const failOn = options.failOn ?? 'drop';
  if (failOn !== 'drop' && failOn !== 'none') {
    throw new CiliumPolicyError({ id: 'cli-flag', message: `--fail-on ${failOn}`, fix: 'use --fail-on drop or --fail-on none' });
  }
  // The agent settings of the flags, each read and refused by its row (`SETTING_FLAGS`), before the flows are read. The
  // version not given: the one the policies were synthesized for (their annotation), as trace, diff and report take it.
  const settings = settingFlags(options, 'replay');
  const version = settings.ciliumVersion;
  const maxConnections = parseCount(options.maxConnections, '--max-connections');
  // Fail before reading the flows when a policy path does not exist (the files themselves are read after).
  for (const e of expandPaths(options.policies, process.cwd())) {
    const absent = policyPathRefusal(e);
    if (absent) throw absent;
  }
  const capture = await Connections.collect(flowSource(options.flows, io), {
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    ...fragNeededCollectOption(options.allowIcmpFragNeeded),
  });
  const ended = flowInputError(capture.input);
  if (ended) throw ended;
  // The local cluster as diff and report take it (`captureLocalCluster`), never the majority of the observing nodes.
  const clusterName = captureLocalCluster(options.flows, capture, options.clusterName) ?? 'default';
  // Without --ip-families, the families the capture shows (world identities 9/10 or 2, else its packets): Replay.inferIpFamilies.
  // Judged for the version the set judges for (given, else the policies' annotation, else the default): what the world
  // identity 2 tells depends on it (from 1.15: single stack).
  // The files are read once: for the version here, then for the set.
  const inputs = readPolicyFiles(options.policies, DEFAULT_MAX_FILE_BYTES);
  const judged = judgedVersion(inputs.docs, version);
  const families = chooseIpFamilies(settings.ipFamilies, capture, judged.version, 'replay',
    judged.source === VERSION_DEFAULT);
  // The report's modules are loaded here, not with the CLI: `trace` and `validate` never need them.
  const [{ Replay, cidrLabelledNode, sctpDisabledEvidence, sctpEnabledEvidence }, { ReplayFormat }] = await Promise.all([import('../hubble/replay.js'), import('../hubble/format.js')]);
  // A remote node with CIDR labels proves `policy-cidr-match-mode: nodes` (only then do nodes carry them): judged so.
  const nodesByCidr = cidrLabelledNode(capture);
  // SCTP past conntrack proves `enable-sctp` (without it the datapath drops SCTP before any policy): judged so, unless given.
  // SCTP dropped at conntrack proves it off. Evidence both ways: judged by the default (off), with a warning.
  const sctpSeen = sctpEnabledEvidence(capture);
  const sctpDropped = sctpDisabledEvidence(capture);
  const sctp = options.sctp ?? (sctpSeen !== undefined && sctpDropped === undefined ? true : undefined);
  const set = PolicySet._fromInputs(inputs, {
    ...(nodesByCidr !== undefined ? { cidrMatchNodes: true } : {}),
    ...settings,
    // What the capture shows where the flags are not given: SCTP, the cluster name, the IP families.
    ...(sctp !== undefined ? { sctp } : {}),
    clusterName,
    ipFamilies: families.ipFamilies,
  });
  const bad = refusedPolicyInputs(set, options.policies);
  if (bad) throw bad;
  const policyWarnings = set.diagnostics.map((d) => diagnosticText(d));
  if (nodesByCidr !== undefined) {
    policyWarnings.push(`judged with policy-cidr-match-mode: nodes (CIDR rules select node addresses), as the capture shows a remote node with CIDR labels: ${nodesByCidr}`);
  }
  const passed = `SCTP past the datapath's connection tracking, which drops SCTP without it: ${sctpSeen ?? ''}`;
  const refused = `SCTP dropped by the datapath's connection tracking, as it is without it: ${sctpDropped ?? ''}`;
  if (sctpSeen !== undefined && sctpDropped !== undefined) {
    policyWarnings.push(`the capture shows both enable-sctp on and off (nodes that differ, or a change during the capture): ${passed}; and ${refused}; `
      + `judged ${sctp === true ? 'with' : 'without'} it${options.sctp === undefined ? ' (give --sctp if the cluster now enables it)' : ', as given'}`);
  } else if (sctpSeen !== undefined && options.sctp === undefined) {
    policyWarnings.push(`judged with enable-sctp (as --sctp), as the capture shows ${passed}`);
  } else if (sctpSeen !== undefined && options.sctp === false) {
    policyWarnings.push(`judged without enable-sctp, as given, but the capture shows ${passed}`);
  } else if (sctpDropped !== undefined && options.sctp === true) {
    policyWarnings.push(`judged with enable-sctp (--sctp), as given, but the capture shows ${refused}: the SCTP the policies allow is dropped until the agent enables it`);
  }
  const replayed = Replay.capture(capture, set, { clusterName });
  if (set.hostFirewallMode === 'auto-on') policyWarnings.push(hostFirewallInfo(set).reason);
  const report: ReplayReport = {
    ...replayed,
    ipFamilies: { ...replayed.ipFamilies, ...families.judged },
    warnings: [...policyWarnings, ...(families.judged.warning !== undefined ? [families.judged.warning] : []), ...replayed.warnings],
  };
  if (output === 'json') {
    io.stdout(ReplayFormat.json(report));
  } else {
    // The reader's warnings of one id in one file collapsed (`warningLines`); the JSON report lists each.
    const shown = [...warningLines(set.diagnostics), ...report.warnings.slice(set.diagnostics.length)];
    io.stdout(ReplayFormat.table({ ...report, warnings: shown },
      { policyCount: set.policies.length, ...(options.all ? { maxUnchanged: -1, maxListed: -1 } : {}) }));
  }
  const flowsName = options.flows === '-' ? 'standard input' : options.flows;
  if (failOn === 'drop' && report.summary.newlyDropped === 0 && report.summary.notJudgedInput !== undefined) {
    // Nothing judged would be dropped, but not all of the capture was judged: fail closed, as a gate must.
    io.stderr(`replay: not all of ${flowsName} was judged (${report.summary.notJudgedInput}): `
      + `it may hold connections the policies drop; ${unreadInputFix(capture)} (--fail-on none accepts the capture as it is, and also stops failing on drops)\n`);
    return REPLAY_EXIT.wouldDrop;
  }
  if (failOn === 'drop' && report.summary.newlyDropped === 0 && report.summary.notEvaluated > 0) {
    // Connections the engine could not judge may be ones the policies drop: fail closed too.
    io.stderr(`replay: ${report.summary.notEvaluated} connection${report.summary.notEvaluated === 1 ? '' : 's'} of `
      + `${flowsName} could not be judged (first: ${report.errors[0]?.connection ?? ''}: `
      + `${report.errors[0]?.message ?? ''}): they may be connections the policies drop (--fail-on none accepts them, and also stops failing on drops)\n`);
    return REPLAY_EXIT.wouldDrop;
  }
  if (failOn === 'drop' && report.summary.connections === 0 && report.summary.notEvaluated === 0) {
    // Not one connection judged (every record skipped as policy does not decide it, lost events only, every connection of
    // unknown identity): a gate that judged nothing cannot pass.
    io.stderr(`replay: no connection of ${flowsName} was judged (${nothingJudgedText(report)}): a gate that judged nothing cannot pass; `
      + 'give a capture that holds the traffic to judge (hubble observe --since 1h -o jsonpb, unfiltered) '
      + '(--fail-on none accepts it)\n');
    return REPLAY_EXIT.wouldDrop;
  }
  return failOn === 'drop' && report.summary.newlyDropped > 0 ? REPLAY_EXIT.wouldDrop : REPLAY_EXIT.ok;
}

/** What a capture of which no connection was judged held instead: the records skipped by reason, the unknown identities, … */
function nothingJudgedText(report: ReplayReport): string {
  const input = report.input;
  const reasons = Object.entries(report.skipped.byReason).filter(([, n]) => (n ?? 0) > 0).map(([r, n]) => `${r} ${n ?? 0}`).join(', ');
  const others = Object.entries(input.otherRecords).filter(([, n]) => (n ?? 0) > 0).map(([r, n]) => `${r} ${n ?? 0}`).join(', ');
  const parts = [
    `${input.flows} flow record${input.flows === 1 ? '' : 's'}`,
    report.skipped.total > 0 ? `${report.skipped.total} skipped as policy does not decide them: ${reasons}` : '',
    report.summary.identityUnknown > 0 ? `${report.summary.identityUnknown} connection${report.summary.identityUnknown === 1 ? '' : 's'} of unknown identity` : '',
    others !== '' ? `other records: ${others}` : '',
  ];
  return parts.filter((p) => p !== '').join('; ');
}

/**
 * Adds the `replay` command to a program. Its action is asynchronous (it streams the flow log): run the program with
 * `await program.parseAsync(...)`.
 * @param done receives the exit status of a run (bad input raised while running is printed and gives 2)
 */
export function addReplayCommand(program: Command, io: HubbleCliIo, done: (code: number) => void): Command {
  const command = program.command('replay')
    .description('replay Hubble flows against policies and list the connections they would drop '
      + '(exit 0 none, 1 a forwarded connection would be dropped, or a connection could not be judged (NOT JUDGED), or part of the '
      + 'capture was not read, or none of it was judged; connections of unknown identity are listed, not counted; 2 bad input)')
    .requiredOption('--flows <file>', 'Hubble flow log: hubble observe -o json/jsonpb, the flow exporter, legacy json; gzip; - for standard input')
    .requiredOption('--policies <paths...>', 'policy files and directories (.yaml, .yml, .json; directories recursively)')
    .addOption(new Option('--output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(new Option('--fail-on <what>', 'drop: exit 1 when a connection the cluster forwarded would be dropped, a connection could not be judged '
      + '(NOT JUDGED), part of the capture was not read, or none of it was judged (connections of unknown identity are listed, not counted); '
      + 'none: never exit 1')
      .choices(['drop', 'none']).default('drop'))
    .addOption(allowIcmpFragNeededOption());
  return addSettingFlags(command, 'replay')
    .option('--max-connections <n>', 'the most connections kept in memory; records of further connections are counted, not judged, and fail --fail-on drop (memory grows about 16 KB per connection)', String(DEFAULT_MAX_CONNECTIONS))
    .option('--all', 'list every connection in the table (default: the first 50 of each group, the rest counted; --output json lists every one)', false)
    .action(async (opts: ReplayCommandOptions) => {
      done(await guard(() => executeReplay(opts, io), io));
    });
}

/**
 * Runs `cdk8s-cilium replay` in-process.
 * @param argv the arguments after `replay`, e.g. `['--flows', 'flows.jsonl', '--policies', 'dist/']`
 * @returns the exit status: 0, 1 would drop, 2 bad input
 */
export async function runReplay(argv: readonly string[], io: HubbleCliIo): Promise<number> {
  return runSubcommand('replay', argv, io, addReplayCommand);
}

/** @internal Runs one command in its own program (the in-process form of the Hubble commands), its standard error `printableStderr`. */
export async function runSubcommand(name: string, argv: readonly string[], given: HubbleCliIo,
  add: (program: Command, io: HubbleCliIo, done: (code: number) => void) => Command): Promise<number> {
  const io = printableStderr(given);
  let code: number = REPLAY_EXIT.badInput;
  const program = new Command('cdk8s-cilium')
    .exitOverride()
    .configureOutput(commanderOutput(io))
    .showHelpAfterError(false);
  refuseEmptyPaths(refuseRepeatedOptions(addYamlValuesOption(add(program, io, (c) => {
    code = c;
  }).exitOverride())));
  try {
    await inCommandRun(() => program.parseAsync([name, ...argv], { from: 'user' }));
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : REPLAY_EXIT.badInput;
    if (!(e instanceof CiliumPolicyError)) throw e;
    io.stderr(errorLine(e));
  }
  return code;
}

/** @internal Runs an action, printing input errors as one line (exit 2). */
export async function guard(action: () => Promise<number>, io: CliIo): Promise<number> {
  try {
    return await action();
  } catch (e) {
    if (!(e instanceof CiliumPolicyError)) throw e;
    io.stderr(errorLine(e));
    return REPLAY_EXIT.badInput;
  }
}

/**
 * @internal An input that ended early (truncated or corrupt gzip, a read error) or was cut off as junk: exit 2, never a
 * verdict over part of the traffic.
 */
export function flowInputError(input: FlowReadStats): CiliumPolicyError | undefined {
  if (input.readError === undefined) return noFlowsError(input);
  // (An input refused whole for its encoding never gets here: `collectConnections` throws `undecodedInput`.)
  return new CiliumPolicyError({
    id: 'hubble-input-incomplete',
    message: `${input.source}: the flow log could not be read to its end (${input.lines === 0 ? 'before its first line' : `after line ${input.lines}`}: ${input.readError}); nothing is judged`,
    fix: 'give the complete flow log (gzip -t checks a .gz file), as written by hubble observe -o jsonpb',
  });
}

/**
 * An input without a single Hubble record (empty, every line malformed, not a flow log at all): exit 2. Judging nothing
 * would report "nothing would be dropped" for a capture that failed or a file given by mistake. (A log of other Hubble
 * records only, lost events say, is read: it says what it says.)
 */
function noFlowsError(input: FlowReadStats): CiliumPolicyError | undefined {
  if (input.flows > 0 || input.lostEvents > 0 || Object.keys(input.otherRecords).length > 0) return undefined;
  const first = input.malformed[0];
  const what = input.lines - input.blankLines === 0 ? 'it is empty'
    : `no line of ${input.lines} is a Hubble flow record${first ? ` (${input.malformedCount} malformed; line ${first.line}: ${first.reason})` : ''}`;
  return new CiliumPolicyError({
    id: 'hubble-no-flows',
    message: `${input.source}${first ? `:${first.line}` : ''}: ${what}; nothing is judged`,
    fix: 'give a flow log as written by hubble observe -o jsonpb (one JSON record per line), with the traffic to judge',
  });
}

/** @internal The flow source of `--flows`. */
export function flowSource(flows: string, io: HubbleCliIo): FlowSource {
  if (flows === '-') return io.stdin ? FlowSource._stream(io.stdin(), '<stdin>') : FlowSource.stdin();
  return FlowSource.file(flows);
}

/**
 * @internal A positive count option.
 * @param example the count the fix gives as an example
 */
export function parseCount(value: string | undefined, flag: string, example: number = DEFAULT_MAX_CONNECTIONS): number | undefined {
  return value === undefined ? undefined : parseIntegerOption(value, flag, { min: 1, example, what: 'a positive number' });
}

/**
 * The local cluster of a capture for every command that reads one (`replay`, `diff`/`report --flows`): one mechanism: `--cluster-name` when given, else the one cluster the capture's records name
 * (`FlowCapture.clustersNamed`: node names `<cluster>/<node>`, pkg/node/types `GetAbsoluteNodeName`; the ends' `cluster_name`
 * and `io.cilium.k8s.policy.cluster` labels, pkg/k8s/utils `SanitizePodLabels`), else `default` (`undefined`: the set's
 * default). A capture of a named cluster needed `--cluster-name` by hand and was refused without it.
 * @throws CiliumPolicyError `cli-flows-cluster-name` when `--cluster-name` is not the one cluster the capture names;
 * `cli-flows-clusters` when the capture names several and `--cluster-name` is not given (never guessed); `engine-cluster-name`
 * for a named cluster Cilium refuses
 */
export function captureLocalCluster(flows: string, capture: FlowCapture, given: string | undefined): string | undefined {
  const named = Object.entries(capture.clustersNamed ?? {});
  if (named.length === 0) return given;
  const list = named.slice(0, 5).map(([n, where]) => `${withoutControls(n)} (${withoutControls(where)})`).join(', ')
    + (named.length > 5 ? ` and ${named.length - 5} more` : '');
  if (named.length === 1) {
    const [name, where] = named[0];
    if (given === undefined) {
      const bad = clusterNameError(name, `the cluster every record of --flows ${flows} that names one names, ${JSON.stringify(name)} (${where}), which`);
      if (bad) throw bad;
      return name;
    }
    if (given === name) return given;
    throw new CiliumPolicyError({
      id: 'cli-flows-cluster-name',
      message: `--cluster-name ${given} contradicts --flows ${flows}, whose records name cluster ${list} and no other: the policies would be judged `
        + `for cluster ${given} on the connections of cluster ${withoutControls(name)}`,
      fix: `leave --cluster-name out (the capture's cluster, ${withoutControls(name)}, is taken) or give --cluster-name ${withoutControls(name)}; for cluster ${given}, `
        + 'give a capture of that cluster',
    });
  }
  if (given !== undefined) return given;
  throw new CiliumPolicyError({
    id: 'cli-flows-clusters',
    message: `--flows ${flows} names ${named.length} clusters: ${list}; the local cluster cannot be told (it is never guessed), and the endpoint `
      + 'classes are pods of one cluster',
    fix: 'give --cluster-name <the cluster whose nodes observed the records> (replay then judges the pods of the others in their own clusters), '
      + 'or keep only the records of one cluster (hubble observe --node-name <cluster>/ of that cluster)',
  });
}
