/**
 * The question the engine answers and the answer it gives. Everything here is plain, JSON-serializable data.
 */
import { OptionDefaults } from '../model/known-keys';
import { Endpoint } from './endpoint';
import { HttpRequest, KafkaRequest } from './l7';
import { PolicyEnforcement } from './policy-set-options';

/** A connection to judge: the first packet from `from` to `to`. Replies are never evaluated (conntrack). */
export interface VerdictQuery {
  /** The client. */
  readonly from: Endpoint;
  /** The server. */
  readonly to: Endpoint;
  /** `TCP`, `UDP`, `SCTP` or `ICMP`. */
  readonly protocol: string;
  /**
   * Destination port (required unless ICMP).
   * @default - none
   */
  readonly port?: number;
  /**
   * ICMP type number (`Queries.parseConnection('icmp/EchoRequest')` resolves names).
   * @default 8 (echo request; 128 for IPv6)
   */
  readonly icmpType?: number;
  /**
   * ICMP family, `IPv4` or `IPv6`.
   * @default 'IPv4'
   */
  readonly icmpFamily?: string;
  /**
   * An HTTP request on the connection, checked against HTTP rules.
   * @default - none (L7 rules are reported, not evaluated)
   */
  readonly http?: HttpRequest;
  /**
   * A DNS query name on the connection, checked against DNS rules.
   * @default - none
   */
  readonly dns?: string;
  /**
   * A Kafka request on the connection, checked against Kafka rules.
   * @default - none
   */
  readonly kafka?: KafkaRequest;
}

/**
 * The fields of `VerdictQuery` with their defaults, as an `option-unknown` refusal names them (kept equal to the
 * interface by test/engine/option-keys-interfaces.test.ts).
 */
export const VERDICT_QUERY_FIELDS: OptionDefaults = {
  from: 'none: required',
  to: 'none: required',
  protocol: 'none: required',
  port: 'none: required unless ICMP',
  icmpType: '8, echo request (128 for IPv6)',
  icmpFamily: "'IPv4'",
  http: 'none: HTTP rules are reported, not evaluated',
  dns: 'none: DNS rules are not evaluated',
  kafka: 'none: Kafka rules are reported, not evaluated',
};

/** The end-to-end outcome: allowed, dropped, or allowed at L4 but refused by an L7 proxy (HTTP 403, DNS REFUSED). */
export enum VerdictKind {
  /** The connection goes through end to end. */
  ALLOWED = 'allowed',
  /** A side drops it (a deny rule, or default deny). */
  DENIED = 'denied',
  /** Allowed at L3/L4, refused by an L7 proxy (HTTP 403, DNS REFUSED, Kafka error). */
  L7_DENIED = 'l7-denied',
}

/** What decided one side. */
export enum SideDecision {
  /** An allow rule matched. */
  ALLOWED = 'allowed',
  /** A deny rule matched (deny wins over allow). */
  DENIED_BY_DENY_RULE = 'denied-by-deny-rule',
  /** Policy selects the endpoint in this direction and no rule allows the connection. */
  DEFAULT_DENY = 'default-deny',
  /** No policy selects the endpoint in this direction: everything is allowed. */
  NO_POLICY_DEFAULT_ALLOW = 'no-policy-default-allow',
  /** Only rules with `enableDefaultDeny: false` select the endpoint: what they do not deny is allowed. */
  NON_DEFAULT_DENY_ALLOW = 'non-default-deny-allow',
  /** Traffic from the local host to its endpoints, always allowed on ingress (`allow-localhost`). */
  ALLOW_LOCALHOST = 'allow-localhost',
  /** Allowed at L4, refused by the L7 proxy. */
  L7_DENIED = 'l7-denied',
  /**
   * An allow rule matched, but its `authentication.mode` (`required`, `test-always-fail`) drops the connection until the
   * agent authenticates the pair, which a default installation never does (`DROP_POLICY_AUTH_REQUIRED`).
   */
  AUTH_REQUIRED = 'auth-required',
  /**
   * An SCTP connection, which the datapath of an agent without `enable-sctp` (Cilium's default) drops before any policy
   * (`DROP_CT_UNKNOWN_PROTO`, `PolicySetOptions.sctp`).
   */
  SCTP_DISABLED = 'sctp-disabled',
  /** Policy does not apply there (not a Cilium endpoint, or a node without the host firewall). */
  NOT_EVALUATED = 'not-evaluated',
}

/** The direction of one side of a connection: egress at the client, ingress at the server. */
export enum TrafficDirection {
  /** Leaving the client. */
  EGRESS = 'egress',
  /** Entering the server. */
  INGRESS = 'ingress',
}

/** @internal The enum member of an internal direction literal. */
export function trafficDirection(direction: 'ingress' | 'egress'): TrafficDirection {
  return direction === 'ingress' ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
}

/** The protocol of L7 rules. */
export enum L7Protocol {
  /** HTTP rules (`rules.http`). */
  HTTP = 'http',
  /** DNS rules (`rules.dns`), enforced by the DNS proxy. */
  DNS = 'dns',
  /** Kafka rules (`rules.kafka`). */
  KAFKA = 'kafka',
  /** Generic L7 rules (`l7proto`), not evaluated. */
  L7PROTO = 'l7proto',
}

/** What an L7 proxy does with a request. */
export enum L7Result {
  /** The request is allowed. */
  ALLOWED = 'allowed',
  /** The request is refused (HTTP 403, DNS REFUSED, Kafka error). */
  DENIED = 'denied',
  /**
   * The rules did not judge the query's request: none given, or one of another protocol, or generic `l7proto` rules; the
   * rules are reported. `verdict()` and `decide()` refuse a request so allowed (`engine-l7-not-evaluated`).
   */
  NOT_EVALUATED = 'not-evaluated',
}

/** A policy resource. */
export interface VerdictPolicyRef {
  /** Kind: `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, or `Rule` (raw api.Rule list). */
  readonly kind: string;
  /** Name. */
  readonly name: string;
  /** Namespace (CNP). @default - none: a clusterwide policy */
  readonly namespace?: string;
  /** File it came from. @default - none: the policy came from a construct or a text without a file name */
  readonly file?: string;
  /**
   * The name Cilium gives the policy's rules (label `io.cilium.k8s.policy.name`), which Hubble flows report, when it is
   * not `name`: a Kubernetes NetworkPolicy with the annotation `policy.cilium.io/name` (or `io.cilium.name`).
   * @default - none: Cilium names it `name`
   */
  readonly ciliumName?: string;
}

/** The rule item that decided a side. */
export interface VerdictRuleRef extends VerdictPolicyRef {
  /** The rule: `spec`, `specs[1]`, or `[0]` in a raw list. */
  readonly rule: string;
  /** Section: `ingress`, `ingressDeny`, `egress`, `egressDeny`. */
  readonly section: string;
  /** Index of the item in the section. */
  readonly item: number;
  /** JSON path in wire form: `spec.ingress[1]`. */
  readonly path: string;
}

/** What an L7 proxy makes of the connection. */
export interface L7Outcome {
  /** `http`, `dns`, `kafka`, or `l7proto` (generic, not evaluated). */
  readonly protocol: L7Protocol;
  /** `allowed`, `denied` (HTTP 403 / DNS REFUSED), or `not-evaluated` (no request these rules judge in the query). */
  readonly result: L7Result;
  /** Why. */
  readonly reason: string;
  /** The L7 rules in force for this peer and port, as text. */
  readonly rules: string[];
  /** The rule that matched, as text. @default - none: no L7 rule matched */
  readonly matched?: string;
  /**
   * Whether Cilium lets every request of this kind through beside these rules, so that they restrict nothing and give
   * visibility only: default-allow mode (no selecting policy enables default deny in the direction) from 1.18 for every
   * kind, and on 1.16-1.17 for HTTP and Kafka rules (Envoy reads the allow-all of the wildcard rule Cilium adds there); or
   * the local host past rules that do not name it.
   * @default false
   */
  readonly visibilityOnly?: boolean;
}

/**
 * A TLS context of a port rule (`terminatingTLS`, `originatingTLS`) as the agent keeps it: the Secret it names and the
 * keys read from it (pkg/policy/l4.go `TLSContext`, compared by value in `PerSelectorPolicy.Equal`).
 */
export interface RestrictionTlsContext {
  /** The Secret's name. */
  readonly secretName: string;
  /**
   * The Secret's namespace as the agent resolves it: as written, else the subject endpoint's (the namespace of the pod whose
   * policy it is, in a CiliumNetworkPolicy or a CiliumClusterwideNetworkPolicy alike).
   * @default - none: a Secret without a namespace for a subject without one (a node)
   */
  readonly secretNamespace?: string;
  /** The key of the trusted CA in the Secret, as written. @default - not written */
  readonly trustedCA?: string;
  /** The key of the certificate in the Secret, as written. @default - not written */
  readonly certificate?: string;
  /** The key of the private key in the Secret, as written. @default - not written */
  readonly privateKey?: string;
}

/**
 * The Envoy listener a port rule redirects to, qualified as the agent qualifies it (pkg/policy/l4.go `createL4Filter`:
 * `api.ResourceQualifiedName(namespace, envoyConfig.name, name)`, the subject endpoint's namespace unless the kind is
 * `CiliumClusterwideEnvoyConfig`), with its priority.
 */
export interface RestrictionListener {
  /**
   * The kind of the Envoy config as the agent resolves it: as written, else `CiliumEnvoyConfig` for a subject with a
   * namespace (a pod, whatever the policy's kind) and `CiliumClusterwideEnvoyConfig` for one without (a node).
   */
  readonly envoyConfigKind: string;
  /** The namespace of the Envoy config. @default - none: a cluster-wide Envoy config, or a subject without namespace */
  readonly envoyConfigNamespace?: string;
  /** The name of the Envoy config. */
  readonly envoyConfigName: string;
  /** The listener's name in it. */
  readonly name: string;
  /** The listener priority (`priority`; 0 is the parser's default). @default - the parser's default */
  readonly priority?: number;
}

/**
 * What one allow entry matching a connection restricts that the engine does not evaluate: its SNI set, TLS contexts and
 * Envoy listener (the fields of pkg/policy/l4.go `PerSelectorPolicy.Equal` that such an entry sets).
 */
export interface UnevaluatedRestriction {
  /** The rule item that carries it (`CiliumNetworkPolicy shop/web spec.ingress[0]`). */
  readonly item: string;
  /** The TLS server names it requires, sorted and deduplicated (a set in Cilium, `StringSet`). @default - no SNI restriction */
  readonly serverNames?: string[];
  /** The TLS context of the connections the proxy terminates. @default - no TLS termination */
  readonly terminatingTls?: RestrictionTlsContext;
  /** The TLS context of the connections the proxy originates. @default - no TLS origination */
  readonly originatingTls?: RestrictionTlsContext;
  /** The Envoy listener it redirects to. @default - no listener */
  readonly listener?: RestrictionListener;
}

/** The verdict of one side: egress at the client, ingress at the server. */
export interface SideVerdict {
  /** `egress` or `ingress`. */
  readonly direction: TrafficDirection;
  /** The endpoint whose policy this is. */
  readonly endpoint: string;
  /** Whether policy is enforced there. */
  readonly evaluated: boolean;
  /** What decided. */
  readonly decision: SideDecision;
  /** Whether this side lets the connection through at L3/L4 (`not-evaluated` counts as yes). */
  readonly allowed: boolean;
  /** One sentence: the decision and why. */
  readonly reason: string;
  /** The deciding rule item. @default - none: default allow or default deny decided */
  readonly rule?: VerdictRuleRef;
  /** The L7 outcome, when L7 rules apply. @default - none: no L7 rule applies */
  readonly l7?: L7Outcome;
  /**
   * What the engine does not evaluate of the allow that decided: the TLS server names (`serverNames`), TLS interception or
   * Envoy listener of the allow entries matching the connection that carry one, whatever their L7 rules, so that whether the
   * proxy lets it through (its SNI, the listener's own filters) is not known. Unset when a matching entry with neither L7
   * rules nor such a restriction lets every connection through: one whose peer selectors are other cached selectors than
   * the restricted entries' (the agent merges one selector's rules on a port, SNIs included).
   * @default - none: the allow restricts nothing the engine does not evaluate
   */
  readonly unevaluatedRestriction?: string;
  /**
   * The same restriction as data, one entry per matching allow entry that carries one (in the order of
   * `unevaluatedRestriction`, which is written from it): what Envoy enforces, compared by what it restricts
   * (`restrictionKey`), never by its text.
   * @default - none: the allow restricts nothing the engine does not evaluate
   */
  readonly unevaluatedRestrictions?: UnevaluatedRestriction[];
  /** The policies whose rules select the endpoint (any direction); none under `PolicyEnforcement.NEVER`, which reads no rule. */
  readonly policies: VerdictPolicyRef[];
  /** Further facts: ignored rules, unresolved references, near misses. */
  readonly notes: string[];
  /**
   * The agent's policy enforcement mode (agent option `enable-policy`, Helm `policyEnforcementMode`;
   * `PolicySetOptions.policyEnforcement`) when it, not the policies, decided this side (pkg/policy/repository.go
   * `computePolicyEnforcementAndRules`): `never`, no policy is enforced (default allow); `always`, default deny though no
   * rule selecting the endpoint puts it into default deny in this direction (none has rules of it, or only with
   * `enableDefaultDeny` false).
   * @default - none: the policies decided (the default mode, or a selecting rule's own default deny under `always`)
   */
  readonly enforcement?: PolicyEnforcement;
}

/** The answer: the end-to-end verdict and both sides. JSON-serializable. */
export interface Verdict {
  /** `allowed`, `denied` (dropped), or `l7-denied`. */
  readonly verdict: VerdictKind;
  /** Whether the connection goes through end to end. */
  readonly allowed: boolean;
  /** `ALLOWED pod:… → pod:… 8080/TCP`. */
  readonly summary: string;
  /** The client, as text. */
  readonly from: string;
  /** The server, as text. */
  readonly to: string;
  /** `8080/TCP`, `icmp/8`, `icmpv6/128`. */
  readonly connection: string;
  /** The L7 request of the query, as text (`GET /public`, `dns cilium.io`). @default - none: the query has no L7 request */
  readonly request?: string;
  /** The Cilium version the policies were judged for (`1.17`, or `1.17.4` when the target names its patch release). */
  readonly ciliumVersion: string;
  /** Egress at the client. */
  readonly egress: SideVerdict;
  /** Ingress at the server. */
  readonly ingress: SideVerdict;
}
