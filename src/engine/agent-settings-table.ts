/**
 * The options of a `PolicySet`, one row each: the agent settings a verdict depends on (their default, the
 * Cilium versions that have them, the value a built set judges by and how a connectivity document records and prints
 * it), and the options that add inputs or say how YAML is read. The one list every use derives from: the known keys of
 * `PolicySetOptions` (`option-unknown`), the options a matcher may give with a built set (`checkBuiltSetOptions`), the
 * settings a report or diff records (`settings`) and prints, and the key two sets' settings are compared by. Typed by
 * `keyof PolicySetOptions`, so an option added to the interface and not here is a type error (and
 * test/engine/agent-settings-table.test.ts fails).
 */
import { CiliumVersion } from '../core/cilium-version';
import { AgentSettings } from '../model/agent-settings';
import { OptionDefaults } from '../model/known-keys';
import { checkVersionOption } from '../validate/validate-policy';
import type { EngineConfig } from './compile';
import { Endpoint, formatEndpoint } from './endpoint';
import type { PolicySetOptions } from './policy-set-options';

/** What a row reads of a built set (a `PolicySet`). */
export interface JudgedSet {
  readonly _engineConfig: EngineConfig;
  readonly _dnsServer: Endpoint;
  endpoint(text: string): Endpoint;
}

/** A value a setting is judged, recorded and compared by. */
type SettingValue = string | boolean;

/** An agent setting: it changes verdicts without any rule changing. */
export interface AgentSettingRow {
  readonly kind: 'setting';
  /** What an `option-unknown` refusal says of its default. */
  readonly default: string;
  /** The first Cilium release whose agent has the setting (none: every supported release). */
  readonly since?: CiliumVersion;
  /** The value a built set judges by, comparable with `===`. */
  readonly judged: (set: JudgedSet) => SettingValue;
  /**
   * The value given as an option, as `judged` gives it (a matcher's options beside a built set must equal it).
   * @default - the value as given
   */
  readonly given?: (set: JudgedSet, value: unknown, call: string) => unknown;
  /**
   * How a connectivity document records it (`AgentSettings`, under the option's name) and its headers print it; none
   * for a setting the documents record on their own (`ipFamilies`, `sctp`).
   */
  readonly recorded?: {
    /** Its place among the recorded settings (the field order of a document's `settings` and of its line), from 0. */
    readonly at: number;
    /** The recorded value of the judged one. @default - the judged value */
    readonly value?: (judged: SettingValue) => SettingValue;
    /** Its text in the `agent settings:` line. */
    readonly text: (recorded: SettingValue) => string;
    /** Whether the text follows the previous one after a space (in parentheses) rather than after a comma. @default false */
    readonly attached?: boolean;
  };
}

/** An option that adds to the inputs (`cidrGroups`, `inventory`): a built set holds them already. */
interface InputRow {
  readonly kind: 'input';
  readonly default: string;
}

/** An option that says how YAML is read (`maxFileBytes`, `maxYamlValues`), which a built set is past. */
interface ReadingRow {
  readonly kind: 'reading';
  readonly default: string;
}

type OptionRow = AgentSettingRow | InputRow | ReadingRow;

const onOff = (v: SettingValue): string => (v === true ? 'on' : 'off');
const config = (set: JudgedSet): EngineConfig => set._engineConfig;

/**
 * Every option of `PolicySetOptions`, in the order of the interface (as an `option-unknown` refusal lists them): the agent
 * settings, then the inputs and the reading options.
 */
export const POLICY_SET_OPTIONS: { readonly [K in keyof PolicySetOptions]-?: OptionRow } = {
  ciliumVersion: {
    kind: 'setting', default: 'the version the policies were synthesized for, else 1.19',
    judged: (set) => config(set).version.release,
    given: (_set, value, call) => {
      checkVersionOption(value, call, 'ciliumVersion');
      return (value as CiliumVersion).release;
    },
    recorded: { at: 0, text: (v) => `Cilium ${String(v)}` },
  },
  hostFirewall: {
    kind: 'setting', default: 'auto: on only when the set holds a host policy',
    judged: (set) => config(set).hostFirewall,
    recorded: { at: 4, text: (v) => `host firewall ${onOff(v)}` },
  },
  allowLocalhost: {
    kind: 'setting', default: 'true: traffic from the local host is always allowed on ingress',
    judged: (set) => config(set).allowLocalhost,
    recorded: { at: 3, value: (v) => (v === true ? 'always' : 'policy'), text: (v) => `allow-localhost=${String(v)}` },
  },
  policyEnforcement: {
    kind: 'setting', default: "PolicyEnforcement.DEFAULT ('default'): default deny only where a rule selects",
    judged: (set) => config(set).policyEnforcement,
    recorded: { at: 1, text: (v) => `enable-policy=${String(v)}` },
  },
  nonDefaultDenyPolicies: {
    kind: 'setting', default: 'true: enableDefaultDeny false is read (enable-non-default-deny-policies on)',
    since: CiliumVersion.V1_17,
    judged: (set) => config(set).nonDefaultDenyPolicies,
    recorded: { at: 2, text: (v) => `enable-non-default-deny-policies ${onOff(v)}` },
  },
  mutualAuth: {
    kind: 'setting', default: 'false: traffic an allow rule requires authentication for is dropped',
    judged: (set) => config(set).mutualAuth,
    recorded: { at: 6, text: (v) => `mutual authentication ${onOff(v)}` },
  },
  sctp: {
    kind: 'setting', default: 'false: the datapath drops SCTP before any policy (enable-sctp false)',
    judged: (set) => config(set).sctp,
  },
  clusterName: {
    kind: 'setting', default: "'default'",
    judged: (set) => config(set).clusterName,
    recorded: { at: 7, text: (v) => `cluster ${String(v)}` },
  },
  policyDefaultLocalCluster: {
    kind: 'setting', default: 'true from Cilium 1.19, false before',
    judged: (set) => config(set).policyDefaultLocalCluster,
    recorded: { at: 8, text: (v) => `(policy-default-local-cluster ${onOff(v)})`, attached: true },
  },
  ipFamilies: {
    kind: 'setting', default: 'IPv4 only',
    judged: (set) => config(set).ipFamilies,
  },
  cidrMatchNodes: {
    kind: 'setting', default: 'false: CIDR rules do not select node IPs',
    judged: (set) => config(set).cidrMatchNodes,
    recorded: { at: 9, text: (v) => `policy-cidr-match-mode ${v === true ? 'nodes' : 'none'}` },
  },
  nodeSelectorLabels: {
    kind: 'setting', default: 'false',
    judged: (set) => config(set).nodeSelectorLabels,
    recorded: { at: 5, text: (v) => `enable-node-selector-labels ${onOff(v)}` },
  },
  dnsServer: {
    kind: 'setting', default: "'pod:kube-system:k8s-app=kube-dns'",
    judged: (set) => formatEndpoint(set._dnsServer),
    given: (set, value) => (typeof value === 'string' ? formatEndpoint(set.endpoint(value)) : value),
    recorded: { at: 10, text: (v) => `DNS server ${String(v)}` },
  },
  cidrGroups: { kind: 'input', default: 'only the CiliumCIDRGroups of the inputs' },
  inventory: { kind: 'input', default: 'only the namespaces, workloads and Services of the inputs' },
  maxFileBytes: { kind: 'reading', default: '10485760 (10 MiB)' },
  maxYamlValues: { kind: 'reading', default: '1000000' },
};

/** The agent settings of `POLICY_SET_OPTIONS`, by option name, in its order. */
export const AGENT_SETTING_ROWS: readonly (readonly [option: string, row: AgentSettingRow])[] = Object.entries(POLICY_SET_OPTIONS)
  .filter((e): e is [string, AgentSettingRow] => e[1].kind === 'setting');

/** The recorded agent settings (`AgentSettings`), in the order the documents record and print them (`recorded.at`). */
const RECORDED_ROWS: readonly (readonly [option: string, row: AgentSettingRow & { readonly recorded: NonNullable<AgentSettingRow['recorded']> }])[] =
  AGENT_SETTING_ROWS.filter((e): e is [string, AgentSettingRow & { recorded: NonNullable<AgentSettingRow['recorded']> }] => e[1].recorded !== undefined)
    .sort((x, y) => x[1].recorded.at - y[1].recorded.at);

/**
 * The options of `PolicySetOptions` with their defaults, as an `option-unknown` refusal names them (kept equal to the
 * interface by test/engine/option-keys-interfaces.test.ts).
 */
export const POLICY_SET_OPTION_DEFAULTS: OptionDefaults = Object.fromEntries(Object.entries(POLICY_SET_OPTIONS).map(([k, row]) => [k, row.default]));

/** The options of `YamlPolicySetOptions` with their defaults (`option-unknown`). */
export const YAML_POLICY_SET_OPTION_DEFAULTS: OptionDefaults = { ...POLICY_SET_OPTION_DEFAULTS, file: 'none' };

/** Whether an agent of `version` has the setting `option` (`since`): a document records none it has not. */
export function agentHasSetting(option: keyof PolicySetOptions, version: CiliumVersion): boolean {
  const row = POLICY_SET_OPTIONS[option];
  return row.kind !== 'setting' || row.since === undefined || version.atLeast(row.since);
}

/**
 * The agent settings a set's verdicts hold under (`AgentSettings`), besides its IP families and SCTP: a document's `settings`.
 * A setting its release's agent does not have (`since`: `enable-non-default-deny-policies` before 1.17) is not recorded.
 */
export function agentSettingsOf(set: JudgedSet): AgentSettings {
  const out: Record<string, SettingValue> = {};
  for (const [option, row] of RECORDED_ROWS) {
    if (!agentHasSetting(option as keyof PolicySetOptions, config(set).version)) continue;
    const judged = row.judged(set);
    out[option] = row.recorded.value ? row.recorded.value(judged) : judged;
  }
  return out as unknown as AgentSettings;
}

/** The engine settings that change verdicts without changing any rule, as one text: equal for two sets judged alike. */
export function settingsKey(set: JudgedSet): string {
  return JSON.stringify(AGENT_SETTING_ROWS.map(([, row]) => row.judged(set)));
}

/** `Cilium 1.18, enable-policy=default, allow-localhost=always, host firewall off, …`: the settings as one line's text. */
export function agentSettingsText(s: AgentSettings): string {
  const recorded = s as unknown as Record<string, SettingValue>;
  let text = '';
  for (const [option, row] of RECORDED_ROWS) {
    // Not recorded: the release's agent has no such setting (`agentSettingsOf`).
    if (recorded[option] === undefined) continue;
    const part = row.recorded.text(recorded[option]);
    text += text === '' ? part : `${row.recorded.attached === true ? ' ' : ', '}${part}`;
  }
  return text;
}

/**
 * The header lines of a document's settings: `agent settings: …`, or for a diff whose head was judged under other settings,
 * one line per side; none for a document that does not record them.
 */
export function agentSettingsLines(doc: { readonly settings?: AgentSettings; readonly headSettings?: AgentSettings }): string[] {
  if (doc.settings === undefined) return [];
  if (doc.headSettings === undefined) return [`agent settings: ${agentSettingsText(doc.settings)}`];
  return [`agent settings (base): ${agentSettingsText(doc.settings)}`, `agent settings (head): ${agentSettingsText(doc.headSettings)}`];
}
