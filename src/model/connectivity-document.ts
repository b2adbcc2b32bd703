/**
 * The documents `cdk8s-cilium diff` and `cdk8s-cilium report` print with `--output json`, and that the text, markdown
 * and HTML renderers read. Plain, JSON-serializable data; the `schema` string is the compatibility promise: fields may be
 * added within a version, never removed or retyped.
 */
import { AgentSettings } from './agent-settings';
import { JudgedIpFamilies } from './judged-ip-families';

/** `schema` of a diff document (public as `Connectivity.DIFF_SCHEMA`). */
export const DIFF_SCHEMA = 'cdk8s-cilium/diff/v1';
/** `schema` of a report document (public as `Connectivity.REPORT_SCHEMA`). */
export const REPORT_SCHEMA = 'cdk8s-cilium/report/v1';

/** What kind of endpoint a class stands for. */
export enum EndpointClassKind {
  /** Pods: a workload found in the inputs or a class of pods that the policies' selectors distinguish. */
  POD = 'pod',
  /** Every pod in a namespace that no other class of that namespace covers. */
  OTHER_POD = 'other-pod',
  /** Addresses outside the cluster (`world`), or a CIDR the policies name. */
  WORLD = 'world',
  /**
   * A DNS name outside the cluster that a `toFQDNs` rule names (`fqdn:api.stripe.com`, or `fqdn:*.s3.amazonaws.com` for
   * a name only that pattern names), at a world address no rule's CIDR names: `toFQDNs` reaches it only via DNS learning
   * (the client's lookup of the name goes through its DNS proxy); world and CIDR rules reach it as any world address.
   */
  FQDN = 'fqdn',
  /** The local node (`host`) or another node (`remote-node`). */
  HOST = 'host',
  /** Another Cilium entity (`kube-apiserver`, `health`, `ingress`, `init`, `unmanaged`). */
  ENTITY = 'entity',
}

/** One node of the connectivity map: a group of endpoints that every policy treats alike. */
export interface EndpointClass {
  /** Stable identifier, unique in the document (referenced by `from`/`to`). */
  readonly id: string;
  /** What the class stands for. */
  readonly kind: EndpointClassKind;
  /** Readable name: `prod/api`, `prod/(other pods)`, `world`, `world 10.0.0.0/8`, `host`. */
  readonly name: string;
  /**
   * Namespace of pod classes.
   * @default - none (not a pod class)
   */
  readonly namespace?: string;
  /**
   * Labels that characterise the class (pod labels, or the selector requirements it satisfies).
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /**
   * The DNS name an `fqdn` class is judged with (for a pattern, a name it matches that no rule names).
   * @default - none (not an FQDN class)
   */
  readonly dnsName?: string;
  /**
   * Workloads of the inventory in this class (`Deployment prod/api`), when an inventory was given or found.
   * @default - none
   */
  readonly workloads?: string[];
}

/** The verdict of a connection on one side of a diff (the wire values of the documents). */
export enum ConnectionVerdict {
  /** The connection is allowed (at L7 possibly restricted: see `l7`). */
  ALLOWED = 'allowed',
  /** The connection is dropped. */
  DENIED = 'denied',
}

/** What decided a connection on one side: the rule, or the default. */
export interface DecidingReason {
  /** One line, as `trace` prints it: `allowed by CNP prod/api ingress rule 0`, `default deny (CNP prod/api selects prod/api)`, `no policy selects prod/api (default allow)`. */
  readonly text: string;
  /**
   * The policy that decided (`CiliumNetworkPolicy prod/api`).
   * @default - none (a default decided)
   */
  readonly policy?: string;
  /**
   * `file:line` of the deciding rule, when read from files.
   * @default - none
   */
  readonly location?: string;
}

/** One grouped change of connectivity: every listed port from `from` to `to` went from `before` to `after`. */
export interface ConnectivityChange {
  /** Client class id. */
  readonly from: string;
  /** Server class id. */
  readonly to: string;
  /**
   * Merged ports: `8080/TCP`, `8000-8999/TCP`, `53/UDP`, `icmp/8`, `any` (every port of every protocol the pair carries:
   * TCP, UDP, ICMP of its families, and SCTP only when the document's `sctp` is true; `53/ANY` likewise).
   */
  readonly ports: string[];
  /**
   * The L7 part when it is what changed (`HTTP GET /api/.*`, `DNS *.example.com`).
   * @default - none
   */
  readonly l7?: string;
  /**
   * The L7 restriction with the base policies, when only the L7 part changed (`l7` is then the head's).
   * @default - none (the L7 part did not change, or the port was not allowed before)
   */
  readonly l7Before?: string;
  /**
   * On a port allowed before and after: whether the L7 change may let requests through that the base rules refused
   * (rules added beside rules, or all removed; `diff --fail-on allowed` counts it). Each side's rules are compared as sets.
   * @default - not an L7 change (the verdict changed), or a document written before the field existed
   */
  readonly l7MayAllow?: boolean;
  /**
   * On a port allowed before and after: whether the L7 change may refuse requests that the base rules let through (rules
   * added where there were none, or taken from rules; `diff --fail-on denied` counts it).
   * @default - not an L7 change (the verdict changed), or a document written before the field existed
   */
  readonly l7MayDeny?: boolean;
  /** Verdict with the base policies. */
  readonly before: ConnectionVerdict;
  /** Verdict with the head policies. */
  readonly after: ConnectionVerdict;
  /** What decided on each side. */
  readonly reason: ChangeReasons;
}

/** What decided a changed connection with the base and with the head policies. */
export interface ChangeReasons {
  /** With the base policies. */
  readonly before: DecidingReason;
  /** With the head policies. */
  readonly after: DecidingReason;
}

/** Where one side's policies came from. */
export interface PolicySource {
  /** Paths, or `<git-ref>:<paths>`. */
  readonly source: string;
  /** Number of policies (CNP, CCNP, NetworkPolicy) read. */
  readonly policies: number;
}

/**
 * `cdk8s-cilium diff --output json`. Newly allowed changes come first, then L7 changes on ports allowed on both sides, then newly
 * denied; each group sorted by from, then to, in the order of `endpoints`.
 */
export interface ConnectivityDiffDocument {
  /** Always `cdk8s-cilium/diff/v1` (`Connectivity.DIFF_SCHEMA`). */
  readonly schema: typeof DIFF_SCHEMA;
  /** The policies before the change. */
  readonly base: PolicySource;
  /** The policies after the change. */
  readonly head: PolicySource;
  /**
   * The IP families the policies were judged for, and how they were chosen (`Connectivity` gives `policy-set`; the CLI
   * `given`, `inferred` from `--flows`, or `default`).
   * @default - not recorded (a document built by hand, or one written before the field existed)
   */
  readonly ipFamilies?: JudgedIpFamilies;
  /**
   * Whether SCTP was judged: the agent's `enable-sctp` (`PolicySetOptions.sctp`, `--sctp`; for a diff, either side's).
   * Without it the datapath drops SCTP before any policy, so SCTP is no packet of a pair: `any` and `53/ANY` are TCP and
   * UDP only, where Cilium's `ANY` also means SCTP.
   * @default - not recorded (a document built by hand, or one written before the field existed)
   */
  readonly sctp?: boolean;
  /**
   * The agent settings the base was judged under (the Cilium release, `enable-policy`, `allow-localhost`, the host firewall,
   * per-node labels, …): the verdicts hold under them.
   * @default - not recorded (a document built by hand, or one written before the field existed)
   */
  readonly settings?: AgentSettings;
  /**
   * The agent settings the head was judged under, when they are not the base's (from code: two policy sets built with
   * other options; the CLI gives both sides the same).
   * @default - the base's (`settings`)
   */
  readonly headSettings?: AgentSettings;
  /** Counts of grouped changes. */
  readonly summary: DiffSummary;
  /** Every class a change refers to (and, for the map, the classes of the whole platform). */
  readonly endpoints: EndpointClass[];
  /** The changes; empty when connectivity is unchanged (a reformat or a rename). */
  readonly changes: ConnectivityChange[];
  /**
   * Rule items that differ between base and head but that the classes cannot stand for (toGroups, peers not in the
   * inputs, named ports without workloads, toFQDNs names or patterns without an `fqdn:` class, toFQDNs while a DNS rule
   * goes to peers other than the modelled DNS server), and the classes whose policy the agent refuses on either side (two
   * L7 parsers or two authentication modes on one filter: they keep the policy they had): the connections they decide
   * are not compared. `--fail-on` counts them.
   * @default - none (everything that differs was compared)
   */
  readonly notCompared?: NotCompared[];
}

/** The counts of a diff's grouped changes. */
export interface DiffSummary {
  /** Changes from denied to allowed. */
  readonly newlyAllowed: number;
  /** Changes from allowed to denied. */
  readonly newlyDenied: number;
  /**
   * Changes of the L7 restriction on a port allowed on both sides (listed after the newly allowed ones).
   * @default - none
   */
  readonly l7Changed?: number;
}

/** Rule items a diff could not compare (see `ConnectivityDiffDocument.notCompared`). */
export interface NotCompared {
  /** What was not compared, and how to check it. */
  readonly text: string;
  /** Whether the change may allow more (an allow item added, a deny item removed). */
  readonly mayAllow: boolean;
  /** Whether the change may deny more (an allow item removed, a deny item added). */
  readonly mayDeny: boolean;
}

/** One grouped allowed connection of a report. */
export interface AllowedConnection {
  /** Client class id. */
  readonly from: string;
  /** Server class id. */
  readonly to: string;
  /** Merged ports, as in {@link ConnectivityChange.ports}. */
  readonly ports: string[];
  /**
   * L7 restriction on the connection, when a rule refines the L4 allow.
   * @default - none
   */
  readonly l7?: string;
  /** What allowed it. */
  readonly reason: DecidingReason;
}

/**
 * `cdk8s-cilium report --output json`: the complete set of allowed traffic between the classes. Connections are sorted by
 * from, then to, in the order of `endpoints`.
 */
export interface ConnectivityReportDocument {
  /** Always `cdk8s-cilium/report/v1` (`Connectivity.REPORT_SCHEMA`). */
  readonly schema: typeof REPORT_SCHEMA;
  /** The policies the report is about. */
  readonly policies: PolicySource;
  /**
   * The IP families the policies were judged for, and how they were chosen (`Connectivity` gives `policy-set`; the CLI
   * `given`, `inferred` from `--flows`, or `default`).
   * @default - not recorded (a document built by hand, or one written before the field existed)
   */
  readonly ipFamilies?: JudgedIpFamilies;
  /**
   * Whether SCTP was judged: the agent's `enable-sctp` (`PolicySetOptions.sctp`, `--sctp`; for a diff, either side's).
   * Without it the datapath drops SCTP before any policy, so SCTP is no packet of a pair: `any` and `53/ANY` are TCP and
   * UDP only, where Cilium's `ANY` also means SCTP.
   * @default - not recorded (a document built by hand, or one written before the field existed)
   */
  readonly sctp?: boolean;
  /**
   * The agent settings the policies were judged under (the Cilium release, `enable-policy`, `allow-localhost`, the host
   * firewall, per-node labels, …): the verdicts hold under them.
   * @default - not recorded (a document built by hand, or one written before the field existed)
   */
  readonly settings?: AgentSettings;
  /** Every class of the platform. */
  readonly endpoints: EndpointClass[];
  /** Allowed connections, sorted by from, to; a pair that is absent is denied. */
  readonly connections: AllowedConnection[];
  /**
   * What the report could not judge (DNS rules of pods with `toFQDNs` rules that go to another DNS server than the
   * modelled one: the names they learn there are left out).
   * @default - none (every connection was judged)
   */
  readonly notJudged?: NotJudged[];
}

/** Something a report could not judge (see `ConnectivityReportDocument.notJudged`). */
export interface NotJudged {
  /** What was not judged, and how to judge it. */
  readonly text: string;
}
