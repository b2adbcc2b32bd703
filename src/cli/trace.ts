/**
 * `cdk8s-cilium trace`: the verdict on one connection, from policy files, as text or JSON. A thin shell over
 * `PolicySet.fromFiles(...).verdict(...)`.
 *
 *   cdk8s-cilium trace --policies dist/ --from pod:shop:app=web --to pod:shop:app=api --port 8080/TCP [--http 'GET /orders']
 *
 * Endpoints: `pod:<namespace>:<k=v,...>`, `svc:<namespace>/<name>[:<port>]` (the Service's pods and, with a Service port,
 * its target port; see `trace-endpoints.ts`), `entity:<name>`, `entity:kube-apiserver@<ip>`, `cidr:<ip>`, `fqdn:<name>@<ip>`, `node:<k=v,...>[@<ip>]`,
 * `node:reserved:kube-apiserver@<ip>`.
 * The Cilium version defaults to the one the policies were synthesized for (`cdk8s-cilium.io/cilium-version`), else 1.19.
 * Ports: `8080/TCP`, `53/UDP`, `8080` (TCP), `icmp/8` or `icmpv6/128` (ICMP type number or name, e.g. `icmp/EchoRequest`).
 * Kafka requests: `--kafka '<apiKey> [<topic>] [version=<n>] [client=<id>]'`, e.g. `'produce orders version=3 client=billing'`.
 * A field left out is not known: a Kafka rule whose answer depends on it (its `apiVersion`, `clientID`, or `topic` on an
 * API key that carries topics) is judged not to match, so the verdict is L7 denied with a note naming what was missing.
 * Exit codes: 0 allowed, 1 denied (dropped, or refused at L7), 2 bad input (one line on stderr), including policy inputs
 * without a single policy (an empty directory: every connection would be allowed), and a connection no verdict on which is
 * what Cilium enforces (`unjudgedConnectionError`): among them a request allowed onto `l7proto` rules or onto rules of
 * another protocol than its own (`engine-l7-not-evaluated`; without the request, the verdict at L4).
 *
 * `--output json` prints one JSON object (stable; new fields may be added, none removed or changed):
 *
 * {
 *   "schema": "cdk8s-cilium/trace/v1",
 *   "verdict": "allowed" | "denied" | "l7-denied",
 *   "allowed": boolean,
 *   "summary": string,                  // "ALLOWED pod:… → pod:… 8080/TCP"
 *   "from": string, "to": string,       // endpoints in text form
 *   "connection": string,               // "8080/TCP", "icmp/8"
 *   "request"?: string,                 // "GET /path", "dns cilium.io", "kafka produce topic"
 *   "ciliumVersion": string,            // "1.19"
 *   "ciliumVersionSource": string,      // "given", "the annotation cdk8s-cilium.io/cilium-version of <policy>", "the default"
 *   "egress": Side, "ingress": Side,
 *   "warnings": string[],               // things in the inputs the reader could not represent; an endpoint matching no
 *                                       // workload of the inputs; a --port that is a Service port, not the container port
 *   "notes": string[],                  // how svc: endpoints were resolved (pods, target port)
 *   "hostFirewall": { "enabled": boolean, "mode": "on" | "off" | "auto-on" | "auto-off", "reason": string },
 *   "policyEnforcement": "default" | "always" | "never",  // --policy-enforcement: the agent's enable-policy
 *   "nonDefaultDenyPolicies"?: boolean  // the agent's enable-non-default-deny-policies (--no-non-default-deny-policies);
 *                                       // absent before 1.17, whose agents have no such flag
 * }
 * Side = {
 *   "direction": "egress" | "ingress",
 *   "endpoint": string,
 *   "evaluated": boolean,               // false: world/CIDR/FQDN/API server, or a node without --host-firewall
 *   "decision": "allowed" | "denied-by-deny-rule" | "default-deny" | "no-policy-default-allow"
 *             | "non-default-deny-allow" | "allow-localhost" | "l7-denied" | "auth-required" | "sctp-disabled"
 *             | "not-evaluated",
 *   "allowed": boolean,                 // lets the connection through at L3/L4
 *   "reason": string,
 *   "rule"?: { "kind", "name", "namespace"?, "file"?, "rule": "spec" | "specs[i]", "section", "item": number,
 *              "path": "spec.ingress[1]" },
 *   "l7"?: { "protocol": "http" | "dns" | "kafka" | "l7proto", "result": "allowed" | "denied" | "not-evaluated",
 *            "reason": string, "rules": string[], "matched"?: string },
 *   "policies": [{ "kind", "name", "namespace"?, "file"? }],   // policies selecting the endpoint
 *   "notes": string[],
 *   "enforcement"?: "always" | "never"  // the mode (enable-policy), not the policies, decided this side
 * }
 */
import { Command, Option } from 'commander';
import { clipText } from '../model/clip-text';
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { MAX_DIAGNOSTICS_PER_ID, diagnosticWeight } from '../model/diagnostic-budget';
import { nearestName } from '../model/edit-distance';
import { DNS_LENGTH_FIX, dnsLengthRefusal } from '../model/fqdn-pattern';
import { agentHasSetting } from '../engine/agent-settings-table';
import { formatVerdict } from '../engine/explain';
import { PolicySet } from '../engine/policy-set';
import { HostFirewallMode } from '../engine/policy-set-options';
import { parseConnection, parseHttpRequest, parseKafkaRequest } from '../engine/query';
import { diagnosticText, noPolicyError, policyInputError } from '../engine/policy-input-error';
import { unjudgedConnectionError } from '../engine/unjudged-connection';
import { VerdictQuery } from '../engine/verdict';
import { EMPTY_PATH_MESSAGE, EMPTY_POLICY_PATH_FIX } from '../model/inputs';
import { SourceDiagnostic } from '../model/parse-result';
import { printableJson, withoutControls } from '../model/printable';
import { VERSION_GIVEN } from '../model/version-annotation';
import { addSettingFlags, settingFlags } from './agent-setting-flags';
import { flagWithValue } from './flag-value';
import { resolveTraceEndpoints } from './trace-endpoints';
import { pushAll } from '../model/push-all';

/** The one reading of bad policy inputs and of a diagnostic's line, for the other commands (src/engine/policy-input-error.ts). */
export { diagnosticText, policyInputError };

/** Where the CLI writes. */
export interface CliIo {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
}

/** The `CliIo`s `printableStderr` made, which it gives back as they are. */
const PRINTABLE_STDERR = new WeakSet<CliIo>();

/**
 * @internal `io` whose standard error is written a line a write, printable: every write is one line, its text
 * `withoutControls` (a newline but the one that ends it, ESC, a bidirectional control of the input becomes U+FFFD), so
 * that no warning or error quoting an input (a file name, a flow's HTTP path, a label) can start a line of its own (a
 * forged `::error::` workflow command, a forged summary) or reorder what a terminal shows, whichever line forgot to
 * neutralize what it quotes. What writes lines of its own (help) writes them one by one (`stderrLines`). The other
 * members of `io` (a `HubbleCliIo`'s standard input) are `io`'s.
 */
export function printableStderr<T extends CliIo>(io: T): T {
  if (PRINTABLE_STDERR.has(io)) return io;
  const printable: T = Object.create(io) as T;
  printable.stderr = (text: string) => io.stderr(text.endsWith('\n') ? `${withoutControls(text.slice(0, -1))}\n` : withoutControls(text));
  PRINTABLE_STDERR.add(printable);
  return printable;
}

/** @internal Writes `text`, lines of the program's own (help), to standard error one line a write (see `printableStderr`). */
export function stderrLines(io: CliIo, text: string): void {
  for (const line of text.split(/(?<=\n)/)) io.stderr(line);
}

/** The options of `trace`, as parsed. */
export interface TraceOptions {
  /** Policy files and directories. */
  readonly policies: readonly string[];
  /** Client endpoint. */
  readonly from: string;
  /** Server endpoint. */
  readonly to: string;
  /**
   * Connection (`8080/TCP`, `icmp/8`).
   * @default '53/UDP' with --dns, else required
   */
  readonly port?: string;
  /**
   * HTTP request, `METHOD /path`.
   * @default - none
   */
  readonly http?: string;
  /**
   * HTTP `Host`.
   * @default - none
   */
  readonly host?: string;
  /**
   * HTTP headers, `Name: value`.
   * @default - none
   */
  readonly header?: readonly string[];
  /**
   * DNS query name.
   * @default - none
   */
  readonly dns?: string;
  /**
   * Kafka request, `<apiKey> [<topic>]`.
   * @default - none
   */
  readonly kafka?: string;
  /**
   * Cilium version.
   * @default - the version the policies were synthesized for (their `cdk8s-cilium.io/cilium-version` annotation), else '1.19'
   */
  readonly ciliumVersion?: string;
  /**
   * Host firewall on (`true`) or off (`false`).
   * @default - auto: on when the policies hold a host policy
   */
  readonly hostFirewall?: boolean;
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
   * Local cluster name.
   * @default 'default'
   */
  readonly clusterName?: string;
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
   * The agent's policy enforcement mode (agent option `enable-policy`, Helm `policyEnforcementMode`): `default`, `always` or `never`
   * (`PolicySetOptions.policyEnforcement`).
   * @default 'default'
   */
  readonly policyEnforcement?: string;
  /**
   * Whether the agent runs with `enable-non-default-deny-policies` (`PolicySetOptions.nonDefaultDenyPolicies`;
   * `--no-non-default-deny-policies` turns it off).
   * @default true
   */
  readonly nonDefaultDenyPolicies?: boolean;
  /**
   * `text` or `json`.
   * @default 'text'
   */
  readonly output?: string;
}

/** The `schema` value of the JSON output. */
export const TRACE_JSON_SCHEMA = 'cdk8s-cilium/trace/v1';

/** Exit codes. */
export const EXIT = { allowed: 0, denied: 1, badInput: 2 } as const;

/**
 * Runs a trace and writes its result.
 * @returns the exit code
 * @throws CiliumPolicyError for bad input (the caller prints it and exits 2)
 */
export function runTrace(options: TraceOptions, io: CliIo): number {
  const output = options.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new CiliumPolicyError({ id: 'cli-output', message: `unknown output format "${output}"`, fix: 'use --output text or --output json' });
  }
  // The agent settings of the flags, each read and refused by its row (`SETTING_FLAGS`), before the files are read.
  const settings = settingFlags(options, 'trace');
  if (options.port !== undefined) parseConnection(options.port); // a bad port is reported before the files are read
  refuseRequestWithoutMeaning(options);
  if (options.dns !== undefined && options.dns.trim() === '') {
    throw new CiliumPolicyError({ id: 'cli-flag', message: '--dns is empty: no name to look up', fix: 'give a DNS name such as api.example.com' });
  }
  // Refused before the files are read, in the engine's words (`dnsLengthRefusal`).
  const dnsTooLong = options.dns === undefined ? undefined : dnsLengthRefusal(options.dns);
  if (dnsTooLong !== undefined) throw new CiliumPolicyError({ id: 'cli-flag', message: `--dns: ${dnsTooLong}`, fix: DNS_LENGTH_FIX });
  const set = PolicySet.fromFiles([...options.policies], settings);
  const bad = refusedPolicyInputs(set, options.policies);
  if (bad) throw bad;
  const warnings = set.diagnostics.map((d) => diagnosticText(d));
  const ends = resolveTraceEndpoints(set, options.from, options.to, options.port);
  pushAll(warnings, ends.warnings);
  // The text output collapses the reader's warnings of one id in one file; the JSON output lists each.
  const warningText = [...warningLines(set.diagnostics), ...ends.warnings];
  const port = ends.port ?? options.port ?? (options.dns !== undefined ? '53/UDP' : undefined);
  if (port === undefined) {
    throw new CiliumPolicyError({ id: 'cli-flag', message: 'no --port given', fix: 'add --port 8080/TCP (or icmp/8), or name the Service port: --to svc:<ns>/<name>:<port>' });
  }
  const query: VerdictQuery = {
    from: ends.from,
    to: ends.to,
    ...parseConnection(port),
    ...(options.http !== undefined ? { http: parseHttpRequest(options.http, options.host, options.header ?? []) } : {}),
    ...(options.dns !== undefined ? { dns: options.dns } : {}),
    ...(options.kafka !== undefined ? { kafka: parseKafkaRequest(options.kafka) } : {}),
  };
  // An end whose policy the agent refuses, a node without its labels where a rule reads them, or a request allowed onto L7
  // rules the engine did not judge it by: no verdict is Cilium's.
  const verdict = set._verdict(query);
  const unjudged = unjudgedConnectionError(set, query, { from: '--from', to: '--to' }, '', { verdict });
  if (unjudged) throw unjudged;
  if (output === 'json') {
    io.stdout(printableJson({
      schema: TRACE_JSON_SCHEMA, ...verdict, ciliumVersionSource: set.ciliumVersionSource, warnings, notes: ends.notes,
      hostFirewall: hostFirewallInfo(set), policyEnforcement: set._engineConfig.policyEnforcement,
      // Only where the agent has the flag (1.17+): a 1.14-1.16 agent has no such setting to record.
      ...(agentHasSetting('nonDefaultDenyPolicies', set.ciliumVersion) ? { nonDefaultDenyPolicies: set._engineConfig.nonDefaultDenyPolicies } : {}),
    }));
  } else {
    for (const w of warningText) io.stderr(`warning: ${withoutControls(w)}\n`);
    io.stdout(`${formatVerdict(verdict)}\n`);
    for (const n of ends.notes) io.stdout(`note: ${withoutControls(n)}\n`);
    if (set.ciliumVersionSource !== VERSION_GIVEN) io.stdout(`cilium version: ${set.ciliumVersion} (${set.ciliumVersionSource}; --cilium-version to change it)\n`);
    if (set.hostFirewallMode === HostFirewallMode.AUTO_ON) io.stdout(`${hostFirewallInfo(set).reason}\n`);
  }
  return verdict.verdict === 'allowed' ? EXIT.allowed : EXIT.denied;
}

/**
 * Refuses (exit 2) request options that would not be judged: `--host` and `--header` are parts of the `--http` request, and
 * without it the verdict is the connection's alone (allowed at L4 while the proxy may refuse every request with them);
 * `--http`, `--dns` and `--kafka` are requests of different protocols, of which one connection carries one (only the one
 * the port's rules parse would be judged, the others ignored in silence).
 */
function refuseRequestWithoutMeaning(options: TraceOptions): void {
  const parts = [...(options.host !== undefined ? ['--host'] : []), ...((options.header ?? []).length > 0 ? ['--header'] : [])];
  if (options.http === undefined && parts.length > 0) {
    throw new CiliumPolicyError({
      id: 'cli-flag',
      message: `${parts.join(' and ')} without --http: ${parts.length > 1 ? 'they are parts' : 'it is a part'} of an HTTP request, and none is given, so the `
        + 'verdict would be the connection\'s alone, not the request\'s',
      fix: 'add the request: --http "GET /path"',
    });
  }
  const requests = (['http', 'dns', 'kafka'] as const).filter((k) => options[k] !== undefined).map((k) => `--${k}`);
  if (requests.length > 1) {
    throw new CiliumPolicyError({
      id: 'cli-flag',
      message: `${requests.join(' and ')}: a connection carries requests of one protocol, and only the one its port's rules parse would be judged`,
      fix: 'give one of --http, --dns and --kafka (trace once per request)',
    });
  }
}

/** Whether host policies were enforced, and why (the default is auto: on when the policies hold a host policy). */
export function hostFirewallInfo(set: PolicySet): { enabled: boolean; mode: HostFirewallMode; reason: string } {
  const reasons: Record<HostFirewallMode, string> = {
    [HostFirewallMode.ON]: 'host firewall: on (--host-firewall)',
    [HostFirewallMode.OFF]: 'host firewall: off (--no-host-firewall): host policies are ignored',
    [HostFirewallMode.AUTO_ON]: 'host firewall: on (auto: the policies hold host policies; --no-host-firewall to ignore them)',
    [HostFirewallMode.AUTO_OFF]: 'host firewall: off (auto: the policies hold no host policy)',
  };
  return { enabled: set.hostFirewall, mode: set.hostFirewallMode, reason: reasons[set.hostFirewallMode] };
}

/**
 * @internal Makes `cmd` refuse an option given twice with different values (`--port 80 --port 81`, `replay --flows a
 * --flows b`) and a flag given with its negation (`--host-firewall --no-host-firewall`): commander keeps the last one in
 * silence, so the command would answer about less, or other, than it was asked. Repeatable options (`--header`, `--crd`,
 * `--namespace`: those with an accumulator) and variadic ones (`--policies a b`) are left alone. Call it once the options
 * are added; the check runs before the action (a `CiliumPolicyError`, exit 2).
 */
export function refuseRepeatedOptions(cmd: Command): Command {
  const given = new Map<string, string[]>();
  for (const opt of cmd.options) {
    if (opt.variadic || (opt.parseArg !== undefined && opt.argChoices === undefined)) continue;
    cmd.on(`option:${opt.name()}`, (value: unknown) => {
      const key = opt.attributeName();
      const form = opt.isBoolean() || value === undefined ? String(opt.long) : flagWithValue(String(opt.long), String(value));
      given.set(key, [...(given.get(key) ?? []), form]);
    });
  }
  cmd.hook('preAction', () => {
    for (const forms of given.values()) {
      const distinct = [...new Set(forms)];
      if (distinct.length > 1) {
        throw new CiliumPolicyError({
          id: 'cli-flag', message: `${distinct.join(' and ')}: the option is given more than once, and only the last would count`,
          fix: 'give it once (several values: run the command once per value)',
        });
      }
    }
  });
  return cmd;
}

/** @internal The fix for each option naming a file or directory, when it is given empty (`refuseEmptyPaths`) or names no file. */
export const PATH_OPTION_FIXES: Readonly<Record<string, string>> = {
  '--policies': EMPTY_POLICY_PATH_FIX,
  '--head': 'give the policies after the change: files or directories (cdk8s synth writes them to dist/), or . for the working directory',
  '--base': 'give the policies before the change: files or directories, or a git ref (origin/main)',
  '--inventory': 'give the inventory file: kubectl get pods -A -o json > pods.json, then --inventory pods.json',
  '--flows': 'give the Hubble flow log: hubble observe -o jsonpb > flows.jsonl, then --flows flows.jsonl (- for standard input)',
  '--crd': 'give the CRD file: kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml > cnp-crd.yaml, then --crd cnp-crd.yaml',
};

/**
 * @internal Makes `cmd` refuse an empty value of an option naming files (`--policies`, `--inventory`, `--flows`, `--crd`,
 * `--base`, `--head`): `--inventory "$INVENTORY"` with the variable unset would read the working directory, or fail
 * with a message of another option or none (`cannot read flow log : ENOENT`). The check runs before the action, before
 * any path is resolved: `input-not-found` naming the option, with the fix of that option.
 */
export function refuseEmptyPaths(cmd: Command): Command {
  cmd.hook('preAction', () => {
    const values = cmd.opts();
    for (const option of cmd.options) {
      const fix = option.long !== undefined ? PATH_OPTION_FIXES[option.long] : undefined;
      const value: unknown = values[option.attributeName()];
      if (fix === undefined || !(value === '' || (Array.isArray(value) && value.includes('')))) continue;
      throw new CiliumPolicyError({ id: 'input-not-found', message: `${option.long ?? ''} "": ${EMPTY_PATH_MESSAGE}`, fix });
    }
  });
  return cmd;
}

/**
 * @internal Names a misspelt required option as what it is: commander checks the required options before the unknown
 * ones, so `trace --polices dist/ …` said "required option '--policies <paths...>' not specified" of an option the user
 * gave. A missing required option with an unknown `--option` near its name among `args` (the command's raw arguments)
 * is a `cli-usage` error naming both. Install it with `program.hook('preSubcommand', …)`, which runs before the checks.
 */
export function refuseMisspeltRequiredOption(cmd: Command, args: readonly string[]): void {
  const end = args.indexOf('--');
  const given = (end === -1 ? args : args.slice(0, end)).filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]);
  // Help asked for is printed, whatever else is given (as commander does).
  if (given.includes('--help') || (end === -1 ? args : args.slice(0, end)).includes('-h')) return;
  const known = new Set(cmd.options.flatMap((o) => (o.long !== undefined ? [o.long] : [])));
  for (const option of cmd.options) {
    if (!option.mandatory || option.long === undefined || given.includes(option.long)) continue;
    const misspelt = given.find((a) => !known.has(a) && nearestName(a, [option.long ?? '']) !== undefined);
    if (misspelt === undefined) continue;
    throw new CiliumPolicyError({
      id: 'cli-usage',
      message: `unknown option '${misspelt}': ${option.flags} is required and not given`,
      fix: `did you mean ${option.long}? (cdk8s-cilium ${cmd.name()} --help lists the options)`,
    });
  }
}

/**
 * @internal Names an option given without its value: commander takes the argument after an option that needs a value as
 * that value even when it is another option, so `trace --policies --from pod:shop:app=web …` read `--from` as the path
 * and said "required option '--from <endpoint>' not specified" of an option the user gave. An option needing a value
 * followed by an option of the command (`--x` or `--x=…`) is a `cli-usage` error naming the option without a value.
 * Install it with `program.hook('preSubcommand', …)`, which runs before commander reads the options.
 */
export function refuseOptionWithoutValue(cmd: Command, args: readonly string[]): void {
  const end = args.indexOf('--');
  const given = end === -1 ? args : args.slice(0, end);
  const byLong = new Map(cmd.options.flatMap((o) => (o.long !== undefined ? [[o.long, o] as const] : [])));
  for (let i = 0; i + 1 < given.length; i++) {
    const option = byLong.get(given[i]);
    if (option === undefined || !option.required) continue;
    const next = byLong.get(given[i + 1].split('=')[0]);
    if (next === undefined) {
      i++; // the value
      continue;
    }
    throw new CiliumPolicyError({
      id: 'cli-usage',
      message: `${option.long ?? ''} has no value: the argument after it is the option ${next.long ?? ''}`,
      fix: `give the value right after the option: ${option.flags}`,
    });
  }
}

/** @internal The output configuration of a commander program (`Command.configureOutput`). */
export interface CommanderOutput {
  writeOut(s: string): void;
  writeErr(s: string): void;
  outputError(s: string, write: (s: string) => void): void;
}

/**
 * @internal Where commander writes (help, version) and how it prints its own usage errors (an unknown option, a value
 * outside an option's choices, a missing required option): one line, as `errorLine` prints ours, with the id
 * `cli-usage` and a fix, not commander's bare sentence over two lines.
 */
export function commanderOutput(io: CliIo): CommanderOutput {
  return {
    writeOut: (s) => io.stdout(s),
    writeErr: (s) => stderrLines(io, s),
    outputError: (s, write) => {
      // Commander quotes the argument it refused (`unknown option '--x…'`): clipped and without control characters, as `errorLine` prints ours.
      // Its lines joined by one space, each trimmed by the native, linear `trim`: `/\s*\n\s*/g` retried a run of white space
      // with no line break at each of its characters (an argument of `--x`, 131,000 spaces, `y`: 15 s).
      const joined = s.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' ');
      const text = clipText(withoutControls(joined.replace(/^error: /, '').replace(/\.$/, '')));
      write(`error: ${text} (cli-usage); fix: see cdk8s-cilium --help for the commands, cdk8s-cilium <command> --help for its options and their values\n`);
    },
  };
}

/**
 * @internal A usage or input error as every command prints it (exit 2): `error: <message>; fix: <fix>`, one line (its
 * text may come from the inputs: `withoutControls`).
 */
export function errorLine(e: CiliumPolicyError): string {
  // The message and the fix quote values of the input (a flag's value, an endpoint): each is clipped, so that a megabyte
  // given to --from is one readable line, not a megabyte of log, and the id and the fix stay on it.
  const what = errorWhat(e);
  const rest = e.message.startsWith(`${what} (${e.id})`) ? ` (${e.id})` : '';
  return `error: ${withoutControls(`${clipText(what)}${rest}${e.fix !== undefined ? `; fix: ${clipText(e.fix)}` : ''}`)}\n`;
}

/** How many warnings of one id in one file are printed each on its line; more are one line (`warningLines`). */
const MAX_SAME_WARNINGS = 3;

/**
 * The warnings each printed on its line however many there are: each names a policy the cluster does not enforce, which
 * the user must see by name.
 */
const NEVER_COLLAPSED: ReadonlySet<string> = new Set(['engine-policy-skipped']);

/**
 * @internal The reader's warnings as the text outputs print them (`diagnosticText`), one line each, except that the
 * warnings of one id in one file beyond `MAX_SAME_WARNINGS` are one line: the first, their count and the distinct lines
 * of the others (10,000 documents without a kind were 10,000 lines of stderr). A warning without a line, or of an id in
 * `NEVER_COLLAPSED`, is always its own line: the line is what tells collapsed warnings apart. JSON outputs keep every
 * warning.
 */
export function warningLines(diagnostics: readonly SourceDiagnostic[]): string[] {
  const groups = new Map<string, SourceDiagnostic[]>();
  const out: (string | SourceDiagnostic[])[] = [];
  for (const d of diagnostics) {
    if (d.line === undefined || NEVER_COLLAPSED.has(d.id)) {
      out.push(diagnosticText(d));
      continue;
    }
    const key = `${d.id}\0${d.file ?? ''}`;
    const group = groups.get(key);
    if (group !== undefined) {
      group.push(d);
    } else {
      const created = [d];
      groups.set(key, created);
      out.push(created);
    }
  }
  return out.flatMap((entry) => (typeof entry === 'string' ? [entry] : groupText(entry)));
}

/** A group of warnings of one id in one file (`warningLines`): each on its line, or one line past `MAX_SAME_WARNINGS`. */
function groupText(group: readonly SourceDiagnostic[]): string[] {
  if (group.length <= MAX_SAME_WARNINGS) return group.map((d) => diagnosticText(d));
  const [first, ...others] = group;
  // A summary of diagnostics the reader's budget left out (`diagnostic-budget.ts`) counts as many as it stands for, at no line.
  const lines = [...new Set(others.filter((d) => d.omitted === undefined).map((d) => d.line))];
  const shown = lines.slice(0, MAX_SAME_WARNINGS);
  const count = others.reduce((n, d) => n + diagnosticWeight(d), 0);
  const lists = others.every((d) => d.omitted === undefined) ? 'lists each' : `lists the first ${MAX_DIAGNOSTICS_PER_ID.toLocaleString('en-US')} and counts the rest`;
  return [`${diagnosticText(first)}; and ${count.toLocaleString('en-US')} more ${first.id} warnings in ${withoutControls(first.file ?? 'input')} `
    + `(at line${shown.length > 1 ? 's' : ''} ${shown.join(', ')}${lines.length > shown.length ? ', …' : ''}; cdk8s-cilium validate ${lists})`];
}

/**
 * @internal The policy inputs' error of exit status 2, if any: a bad input (`policyInputError`), or, when `paths` are
 * given, inputs that enforce no policy at all (an empty directory, a synth that wrote nothing, a path to the wrong files,
 * policies all rejected: `cli-no-policies`, `noPolicyError`). `trace`, `replay` and `report` give their `--policies`;
 * `diff` gives none (an empty side is a change), and refuses two sides of none itself (`noPolicyOnEitherSide`).
 */
export function refusedPolicyInputs(set: PolicySet, paths?: readonly string[]): CiliumPolicyError | undefined {
  return policyInputError(set) ?? (paths === undefined ? undefined
    : noPolicyError(set, `--policies ${paths.join(' ')}: `, 'point --policies at the synthesized policies (cdk8s synth writes them to dist/)'));
}

/**
 * Adds the `trace` command to a program.
 * @param done receives the exit code of a run
 */
export function addTraceCommand(program: Command, io: CliIo, done: (code: number) => void): void {
  const command = program.command('trace')
    .description('explain whether a connection is allowed by Cilium policies (exit 0 allowed, 1 denied, 2 bad input)')
    .requiredOption('--policies <paths...>', 'policy files and directories (.yaml, .yml, .json; directories recursively)')
    .requiredOption('--from <endpoint>',
      'client: pod:<ns>:<k=v,...>, svc:<ns>/<name> (its pods), entity:<name>, entity:kube-apiserver@<ip> (a managed API server), '
      + 'cidr:<ip>, fqdn:<name>@<ip>, node:<k=v,...>[@<ip>], node:reserved:kube-apiserver@<ip> (a node that runs the API server)')
    .requiredOption('--to <endpoint>', 'server, same syntax as --from; svc:<ns>/<name>:<port> also sets the port (the target port of that Service port)')
    .option('--port <port>', 'connection (the container port): 8080/TCP, 53/UDP, 8080 (TCP), icmp/8, icmpv6/128 (default 53/UDP with --dns)')
    .option('--http <request>', 'an HTTP request to check against HTTP rules: "GET /path"')
    .option('--host <authority>', 'the HTTP Host header of the --http request')
    .option('--header <header>', 'an HTTP header "Name: value" of the --http request (repeatable; a name given twice is one header of both values, '
      + 'comma-joined as Envoy reads it)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--dns <name>', 'a DNS query name to check against DNS rules')
    .option('--kafka <request>', 'a Kafka request to check against Kafka rules: "<apiKey> [<topic>] [version=<n>] [client=<id>]"; a field a rule '
      + 'needs that is left out is unknown (judged not to match, with a note)');
  addSettingFlags(command, 'trace')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((opts: TraceOptions) => done(runTrace(opts, io)));
}
