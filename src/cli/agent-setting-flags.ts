/**
 * The flags of the `PolicySetOptions` (the agent settings of src/engine/agent-settings-table.ts `POLICY_SET_OPTIONS`), one
 * row each: the flags a command shows (their help), how their values are read and refused, and which commands do not
 * take them and why, said once. Every command's flags and its reading of them derive from it (`addSettingFlags`,
 * `settingFlags`); typed by `keyof PolicySetOptions`, so an option added to the interface and not here is a type error,
 * and test/cli/agent-setting-flags.test.ts walks `POLICY_SET_OPTIONS` through every command's help and parse.
 */
import { Command, Option } from 'commander';
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { parseEndpoint } from '../engine/endpoint';
import { IpFamilies, PolicyEnforcement, PolicySetOptions } from '../engine/policy-set-options';
import { CILIUM_VERSION_ANNOTATION } from '../model/version-annotation';
import { flagWithValue } from './flag-value';

/** The commands that build policy sets or read a setting's flag. */
export type SettingCommand = 'trace' | 'replay' | 'diff' | 'report' | 'draft' | 'validate';

/** Every command of `SettingCommand`, in the order of the CLI's help. */
export const SETTING_COMMANDS: readonly SettingCommand[] = ['trace', 'validate', 'replay', 'draft', 'diff', 'report'];

/** A `PolicySetOptions` option that commands take as flags. */
export interface SettingFlagRow {
  readonly kind: 'flags';
  /** The flags of the option in `command`'s help (new objects each call: commander keeps state on them). */
  readonly flags: (command: SettingCommand) => readonly Option[];
  /**
   * The option from the value commander parsed (under the option's own name); nothing when not given.
   * @throws CiliumPolicyError for a value the flag does not take, its message led by the flag: `cli-flag` for one outside the
   * choices (which commander checks first on the command line, `cli-usage`: in-process callers skip it), the version's
   * (`version-unsupported`, ...) and the endpoint's (`engine-endpoint-syntax`) refusals
   */
  readonly read: (value: unknown) => Partial<PolicySetOptions>;
  /** The commands that do not take it, each with why. */
  readonly notTakenBy: Partial<Readonly<Record<SettingCommand, string>>>;
}

/** A `PolicySetOptions` option no command takes as a flag of its own, and why. */
export interface NoSettingFlagRow {
  readonly kind: 'none';
  readonly why: string;
}

type SettingRow = SettingFlagRow | NoSettingFlagRow;

/** Why `draft` takes no agent setting but the version and the cluster name (`DraftOptions`). */
const DRAFT_WHY = 'draft judges no verdict: it writes rules for the traffic the capture shows, which no agent setting changes';
/** Why `validate` takes no agent setting but the cluster name (`ValidateInputsOptions.clusterName`). */
const VALIDATE_WHY = 'validate checks manifests against the agent defaults its findings assume (README "Agent settings the pitfalls assume"), '
  + 'but for the local cluster\'s name (--cluster-name), which its DNS pitfalls read';

/** The `--mutual-auth` flag. */
const MUTUAL_AUTH_HELP = 'the cluster runs mutual authentication with SPIRE: allow rules with authentication mode required let traffic '
  + 'through (default: they drop it, as without SPIRE nothing authenticates the pair)';
/** The `--sctp` flag. */
const SCTP_HELP = 'the agent runs with enable-sctp (Helm sctp.enabled): SCTP is judged by the policies (default: the datapath drops '
  + 'SCTP before any policy, as Cilium does by default)';
/** The `--no-non-default-deny-policies` flag. */
const NON_DEFAULT_DENY_HELP = 'the agent runs with enable-non-default-deny-policies false (Helm enableNonDefaultDenyPolicies, 1.17+): '
  + 'enableDefaultDeny false is ignored, every rule puts its subjects into default deny in each direction it has rules of (default: on, as Cilium has it)';

/** The values of `--allow-localhost` (the agent's modes) and of `--policy-default-local-cluster`. */
const ALLOW_LOCALHOST_MODES: readonly string[] = ['always', 'auto', 'policy'];
const LOCAL_CLUSTER_VALUES: readonly string[] = ['true', 'false'];

/** The commands that read a capture for the cluster name (`--cluster-name` defaults to the capture's). */
const CAPTURE_CLUSTER: ReadonlySet<SettingCommand> = new Set(['replay', 'draft']);
/** The commands whose `--flows` names the cluster when all its records name one (`--cluster-name` then defaults to it). */
const FLOWS_CLUSTER: ReadonlySet<SettingCommand> = new Set(['diff', 'report']);

/** A value among `values`, or the `cli-flag` refusal of it. */
function oneOf(flag: string, value: unknown, values: readonly string[], fix: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !values.includes(value)) {
    throw new CiliumPolicyError({ id: 'cli-flag', message: flagWithValue(flag, String(value)), fix });
  }
  return value;
}

/** A boolean flag's option: `true` given, `false` given as `--no-…`, nothing when not given. */
function onOff<K extends keyof PolicySetOptions>(key: K): (value: unknown) => Partial<PolicySetOptions> {
  return (value) => (typeof value === 'boolean' ? { [key]: value } : {});
}

/**
 * `read`, whose refusal names `flag` first (`--dns-server: bad endpoint ""`): the parsers the rows call (the version's,
 * the endpoint's) name the value, not the flag it was given to.
 */
function ofFlag<T>(flag: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof CiliumPolicyError)) throw e;
    throw new CiliumPolicyError({ id: e.id, message: `${flag}: ${errorWhat(e)}`, fix: e.fix, location: e.location });
  }
}

/** The agent settings a command given only the verdict engine's own flags does not take: `draft` and `validate`. */
const VERDICTS_ONLY = { draft: DRAFT_WHY, validate: VALIDATE_WHY } as const;

/** Every option of `PolicySetOptions`, in the order of `POLICY_SET_OPTIONS` (the order of the flags in each help). */
export const SETTING_FLAGS: { readonly [K in keyof PolicySetOptions]-?: SettingRow } = {
  ciliumVersion: {
    kind: 'flags',
    flags: (command) => [new Option('--cilium-version <version>', command === 'draft'
      ? 'the Cilium version to write into the output (CiliumVersion.use)'
      : 'the Cilium version of the cluster, 1.17 or with its patch level 1.17.5 (on 1.16/1.17 some DNS verdicts need it; default: the version '
        + `the policies were synthesized for, from their ${CILIUM_VERSION_ANNOTATION} annotation, else ${CiliumVersion.DEFAULT.toString()})`)],
    read: (value) => (typeof value === 'string' ? { ciliumVersion: ofFlag('--cilium-version', () => CiliumVersion.parse(value)) } : {}),
    notTakenBy: {
      validate: 'validate\'s --cilium-version is the validator\'s target (ValidateOptions.ciliumVersion: it also takes 1.20, the main branch, '
        + 'and defaults per policy to its annotation), not a verdict engine\'s: src/cli/validate.ts',
    },
  },
  hostFirewall: {
    kind: 'flags',
    flags: () => [
      new Option('--host-firewall', 'the host firewall is on: host policies (nodeSelector) apply to nodes (default: on when the policies hold one)'),
      new Option('--no-host-firewall', 'the host firewall is off: host policies are ignored'),
    ],
    read: onOff('hostFirewall'),
    // Auto, not the agent's default (enable-host-firewall false: daemon/cmd/daemon_main.go): policies that hold a host
    // policy are written for a cluster that runs the host firewall.
    notTakenBy: VERDICTS_ONLY,
  },
  allowLocalhost: {
    kind: 'flags',
    flags: () => [new Option('--allow-localhost <mode>',
      'the agent\'s allow-localhost: always/auto (the host reaches its pods whatever the policies say) or policy').choices(ALLOW_LOCALHOST_MODES)],
    // `auto` is `always` in Kubernetes mode, as the agent resolves it.
    read: (value) => {
      const mode = oneOf('--allow-localhost', value, ALLOW_LOCALHOST_MODES, 'use always, auto or policy');
      return mode !== undefined ? { allowLocalhost: mode !== 'policy' } : {};
    },
    notTakenBy: VERDICTS_ONLY,
  },
  policyEnforcement: {
    kind: 'flags',
    flags: () => [new Option('--policy-enforcement <mode>', 'the agent\'s policy enforcement mode (agent option enable-policy, Helm policyEnforcementMode): '
      + 'default (default deny only where a rule selects), always (every endpoint default deny) or never (no policy enforced)')
      .choices(Object.values(PolicyEnforcement))],
    // Checked by the set (`option-value`).
    read: (value) => (typeof value === 'string' ? { policyEnforcement: value as PolicyEnforcement } : {}),
    notTakenBy: VERDICTS_ONLY,
  },
  nonDefaultDenyPolicies: {
    kind: 'flags',
    flags: () => [new Option('--no-non-default-deny-policies', NON_DEFAULT_DENY_HELP)],
    // Only `false` is passed on: true is the set's default, where the release has the setting at all (1.17+).
    read: (value) => (value === false ? { nonDefaultDenyPolicies: false } : {}),
    notTakenBy: VERDICTS_ONLY,
  },
  mutualAuth: { kind: 'flags', flags: () => [new Option('--mutual-auth', MUTUAL_AUTH_HELP)], read: onOff('mutualAuth'), notTakenBy: VERDICTS_ONLY },
  sctp: { kind: 'flags', flags: () => [new Option('--sctp', SCTP_HELP)], read: onOff('sctp'), notTakenBy: VERDICTS_ONLY },
  clusterName: {
    kind: 'flags',
    flags: (command) => [CAPTURE_CLUSTER.has(command)
      ? new Option('--cluster-name <name>', 'the local cluster name (default: the cluster of the nodes that observed the capture, else default)')
      : FLOWS_CLUSTER.has(command)
        ? new Option('--cluster-name <name>', 'the local cluster name (default: with --flows, the one cluster its records name; else default)')
        : new Option('--cluster-name <name>', 'the local cluster name').default('default')],
    read: (value) => (typeof value === 'string' ? { clusterName: value } : {}),
    // validate reads the DNS pitfalls' kube-dns on the local cluster (a selector naming io.cilium.k8s.policy.cluster):
    // ValidateInputsOptions.clusterName.
    notTakenBy: {},
  },
  policyDefaultLocalCluster: {
    kind: 'flags',
    flags: () => [new Option('--policy-default-local-cluster <bool>', 'policy-default-local-cluster (Cilium 1.18+: true is refused before; default: true from 1.19)').choices(LOCAL_CLUSTER_VALUES)],
    read: (value) => {
      const on = oneOf('--policy-default-local-cluster', value, LOCAL_CLUSTER_VALUES, 'use true or false');
      return on !== undefined ? { policyDefaultLocalCluster: on === 'true' } : {};
    },
    notTakenBy: VERDICTS_ONLY,
  },
  ipFamilies: {
    kind: 'flags',
    flags: () => [new Option('--ip-families <families>', 'the IP families the cluster runs (the agent\'s enable-ipv4/enable-ipv6): they decide the world '
      + 'identity and what 0.0.0.0/0 and ::/0 select (default ipv4, Cilium\'s default; replay, and diff and report with --flows, infer them from the '
      + 'capture: world identities 9/10 tell dual stack, from Cilium 1.15 the world identity 2 single stack, else its packets\' families; '
      + 'a capture that contradicts itself is refused, exit 2)').choices(Object.values(IpFamilies))],
    read: (value) => {
      const families = oneOf('--ip-families', value, Object.values(IpFamilies), 'use ipv4, ipv6 or dual');
      return families !== undefined ? { ipFamilies: families as IpFamilies } : {};
    },
    notTakenBy: VERDICTS_ONLY,
  },
  cidrMatchNodes: {
    kind: 'none',
    why: 'replay judges with policy-cidr-match-mode: nodes where the capture shows a remote node with CIDR labels (only then do nodes carry '
      + 'them); the other commands judge at the agent\'s default (none); PolicySetOptions.cidrMatchNodes in code',
  },
  nodeSelectorLabels: {
    kind: 'flags',
    flags: () => [new Option('--node-selector-labels', 'the agent runs with enable-node-selector-labels (fromNodes/toNodes select nodes by their labels; '
      + 'nodes carry the cluster label)')],
    read: onOff('nodeSelectorLabels'),
    notTakenBy: VERDICTS_ONLY,
  },
  dnsServer: {
    kind: 'flags',
    flags: () => [new Option('--dns-server <endpoint>', 'the DNS server the pods use: toFQDNs names are learned from lookups to it '
      + '(default pod:kube-system:k8s-app=kube-dns)')],
    // An endpoint (the syntax of trace's --from/--to): parsed here to name the flag in a refusal, and again by the set.
    read: (value) => {
      if (typeof value !== 'string') return {};
      ofFlag('--dns-server', () => parseEndpoint(value));
      return { dnsServer: value };
    },
    notTakenBy: VERDICTS_ONLY,
  },
  cidrGroups: { kind: 'none', why: 'the CiliumCIDRGroups of the inputs: --policies, and --inventory of diff and report' },
  inventory: {
    kind: 'none',
    why: 'the workloads, Namespaces and Services of the inputs; diff and report read --inventory (and the pods of --flows) into it: src/cli/inventory.ts',
  },
  maxFileBytes: {
    kind: 'none',
    why: 'validate\'s --max-file-size (ValidateOptions.maxFileBytes); the other commands read at most 10 MiB a file',
  },
  maxYamlValues: { kind: 'none', why: '--max-yaml-values of every command that reads YAML: one budget for the whole run (src/cli/yaml-values-option.ts)' },
};

/** The options `command` takes as flags, in the order of `SETTING_FLAGS`. */
export function takenSettings(command: SettingCommand): readonly (readonly [keyof PolicySetOptions, SettingFlagRow])[] {
  return (Object.entries(SETTING_FLAGS) as [keyof PolicySetOptions, SettingRow][])
    .filter((e): e is [keyof PolicySetOptions, SettingFlagRow] => e[1].kind === 'flags' && e[1].notTakenBy[command] === undefined);
}

/** @internal Adds to `cmd` the flags of the agent settings `command` takes (`SETTING_FLAGS`). */
export function addSettingFlags(cmd: Command, command: SettingCommand): Command {
  for (const [, row] of takenSettings(command)) for (const option of row.flags(command)) cmd.addOption(option);
  return cmd;
}

/**
 * @internal The `PolicySetOptions` of the flags `command` takes, as parsed by commander (`opts`): only those given (and
 * a default the flag has, `--cluster-name default`), each read and refused by its row.
 * @throws CiliumPolicyError for a value a flag does not take
 */
export function settingFlags(opts: object, command: SettingCommand): PolicySetOptions {
  const values = opts as Readonly<Record<string, unknown>>;
  let out: PolicySetOptions = {};
  for (const [key, row] of takenSettings(command)) out = { ...out, ...row.read(values[key]) };
  return out;
}
