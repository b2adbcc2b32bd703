// fast-check arbitraries for the public API of cdk8s-cilium, and a builder that turns a generated "program" (plain data,
// so fast-check prints readable counterexamples) into a chart with one CiliumPolicy or ClusterwidePolicy.
//
// Valid programs only use what their target Cilium version supports (README "Target Cilium version", the version
// matrix of the Cilium semantics reference §13) and what the agent accepts (`Sanitize`): L7 HTTP/Kafka only on explicit
// TCP single non-zero ports, DNS rules only on egress and without ranges, no HTTP/Kafka in host policies, FQDN and
// service peers only on egress, explicit namespaces on the endpoint peers of clusterwide policies, and so on.
// `invalidCategories` lists inputs that are wrong in exactly one way, each with the SDK check ids that may report it.
import { App, Chart } from 'cdk8s';
import fc from 'fast-check';
import {
  AllowOptions,
  AuthenticationMode,
  CiliumPolicy,
  CiliumVersion,
  ClusterwidePolicy,
  DnsRule,
  EndpointSelector,
  Entity,
  Grpc,
  HeaderMismatchAction,
  HttpRule,
  HttpRuleOptions,
  Icmp,
  IcmpFamily,
  KafkaRole,
  KafkaRule,
  KafkaRuleOptions,
  L7,
  LabelExpression,
  LockoutPath,
  NodeSelector,
  Peer,
  PolicyBase,
  PolicyRule,
  PolicyRuleOptions,
  Port,
  Protocol,
} from '../../src';
import { cidrRange, parseCidr, subtractRanges } from '../../src/model/cidr';
import { addressShapedDnsName, registrableWildcardExample } from '../../src/model/fqdn-pattern';
import { dnsRuleEntryKey } from '../../src/constructs/l7';
import { ICMP_TYPE_NAMES } from '../../src/model/icmp-types';
import { GO_OTHERWISE_WRITTEN_RAW } from '../../src/model/go-line-breaks';
import { unquotedNumber } from '../../src/model/unquoted-numbers';
import { KAFKA_API_KEYS } from '../../src/validate/tables';
import { IdentityLabel, LabelSet, Selector } from '../../src/model/labels';
import { LabelSelectorModel } from '../../src/model/policy-model';

/**
 * Arbitraries built from plain arguments (a version, a kind, a character set), one per argument list. An arbitrary is an
 * immutable description of how to draw values, so reusing it draws exactly what a fresh one would (the same seed gives the
 * same values). Those built inside `chain` were otherwise built again for every generated value: a program's whole tree
 * of arbitraries per run, each `fc.string` computing its slices again, most of a property run's CPU and garbage.
 */
const ARBITRARIES = new Map<string, unknown>();

function memoized<T>(key: string, build: () => T): T {
  if (!ARBITRARIES.has(key)) ARBITRARIES.set(key, build());
  return ARBITRARIES.get(key) as T;
}

// ---------------------------------------------------------------------------------------------------------------------
// Program data
// ---------------------------------------------------------------------------------------------------------------------

/** A target version as text (`1.14` … `1.19`), so counterexamples print well. */
export type VersionText = '1.14' | '1.15' | '1.16' | '1.17' | '1.18' | '1.19';

/** All supported versions, oldest first. */
export const VERSIONS: readonly VersionText[] = ['1.14', '1.15', '1.16', '1.17', '1.18', '1.19'];

/** The policy kind of a program. */
export type ProgramKind = 'CiliumPolicy' | 'ClusterwidePolicy';

/** Labels as a plain record. */
export type Labels = Record<string, string>;

/** A `LabelExpression`. */
export interface ExpressionSpec {
  readonly op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly key: string;
  readonly values?: string[];
}

/** An `EndpointSelector` / `NodeSelector`. */
export type SelectorSpec =
  | { readonly kind: 'all' }
  | { readonly kind: 'labels'; readonly labels: Labels }
  | { readonly kind: 'of'; readonly labels?: Labels; readonly expressions?: ExpressionSpec[] };

/** A `Peer` factory call. Strings are passed through unchecked, so the same shape describes invalid input. */
export type PeerSpec =
  | {
    readonly kind: 'endpoints'; readonly namespace?: string; readonly allNamespaces?: boolean; readonly namespaceLabels?: Labels;
    readonly labels?: Labels; readonly expressions?: ExpressionSpec[];
  }
  | { readonly kind: 'namespace'; readonly name: string }
  | { readonly kind: 'allNamespaces' }
  | { readonly kind: 'selectedBy'; readonly selector: SelectorSpec; readonly namespace?: string }
  | { readonly kind: 'entity'; readonly entity: string }
  | { readonly kind: 'cidr'; readonly cidr: string; readonly except?: string[] }
  | { readonly kind: 'cidrGroup'; readonly name: string }
  | { readonly kind: 'cidrGroupSelector'; readonly labels: Labels }
  | { readonly kind: 'fqdn'; readonly name: string }
  | { readonly kind: 'fqdnPattern'; readonly pattern: string }
  | { readonly kind: 'service'; readonly name: string; readonly namespace?: string }
  | { readonly kind: 'serviceSelector'; readonly labels?: Labels; readonly expressions?: ExpressionSpec[]; readonly namespace?: string }
  | { readonly kind: 'nodes'; readonly labels: Labels }
  | { readonly kind: 'kubeDns' }
  | { readonly kind: 'kubeApiServer' }
  | { readonly kind: 'any' };

/** A `Port` / `Icmp` factory call. */
export type PortSpec =
  | { readonly kind: 'tcp' | 'udp' | 'sctp' | 'any'; readonly port: number }
  | { readonly kind: 'tcpRange' | 'udpRange'; readonly from: number; readonly to: number }
  | { readonly kind: 'range'; readonly from: number; readonly to: number; readonly protocol?: string }
  | { readonly kind: 'named'; readonly name: string; readonly protocol?: string }
  | { readonly kind: 'allTcp' | 'allUdp' | 'allSctp' | 'allPorts' }
  | { readonly kind: 'of'; readonly port?: number; readonly name?: string; readonly endPort?: number; readonly protocol?: string }
  | { readonly kind: 'protocol'; readonly protocol: string }
  | { readonly kind: 'icmpType'; readonly type: number; readonly family?: string }
  | { readonly kind: 'icmpNamed'; readonly name: string; readonly family?: string }
  | {
    readonly kind: 'icmpHelper';
    readonly helper: 'echoRequest' | 'echoReply' | 'destinationUnreachable' | 'timeExceeded' | 'packetTooBig';
    readonly family?: string;
  };

/** An HTTP rule factory call. */
export type HttpSpec =
  | { readonly kind: 'get' | 'post' | 'put' | 'delete'; readonly path: string }
  | { readonly kind: 'of'; readonly options: HttpRuleOptions }
  | { readonly kind: 'any' }
  | { readonly kind: 'grpcMethod'; readonly service: string; readonly method: string }
  | { readonly kind: 'grpcService'; readonly service: string };

/** A Kafka rule factory call. */
export type KafkaSpec =
  | { readonly kind: 'produce' | 'consume'; readonly topic: string }
  | { readonly kind: 'of'; readonly options: KafkaRuleOptions };

/** A DNS rule factory call. */
export type DnsSpec = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'pattern'; readonly pattern: string } | { readonly kind: 'all' };

/** An `L7` factory call. */
export type L7Spec =
  | { readonly kind: 'http'; readonly rules: HttpSpec[] }
  | { readonly kind: 'kafka'; readonly rules: KafkaSpec[] }
  | { readonly kind: 'dns'; readonly rules: DnsSpec[] };

/** One call on a rule. */
export type CallSpec =
  | {
    readonly verb: 'allowIngress' | 'allowEgress'; readonly peer: PeerSpec; readonly ports?: PortSpec[]; readonly l7?: L7Spec;
    readonly options?: AllowOptions;
  }
  | { readonly verb: 'denyIngress' | 'denyEgress'; readonly peer: PeerSpec; readonly ports?: PortSpec[] }
  | { readonly verb: 'isolateIngress' | 'isolateEgress' };

/** The options of one rule (the first rule's go into the policy props). */
export interface RuleSpec {
  /** `endpointSelector` (undefined: the default, every endpoint) or, for host rules, `nodeSelector`. */
  readonly endpointSelector?: SelectorSpec;
  readonly nodeSelector?: SelectorSpec;
  readonly description?: string;
  readonly log?: string;
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly labels?: Labels;
  readonly calls: CallSpec[];
}

/** A whole program: a target version, one policy and its rules. */
export interface Program {
  readonly version: VersionText;
  /**
   * Where the version is set: on the app (default), on the chart, or on both with another version on the app (the
   * nearest setting must win).
   */
  readonly versionScope?: 'chart' | 'app-and-chart';
  readonly kind: ProgramKind;
  /** Namespace of the chart (both kinds: a CCNP must ignore it). */
  readonly chartNamespace?: string;
  /** `namespace` prop of a CiliumPolicy. */
  readonly policyNamespace?: string;
  /** `name` prop. */
  readonly name?: string;
  readonly rules: RuleSpec[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------------------------

/** `CiliumVersion` of a version text. */
export function versionOf(text: VersionText): CiliumVersion {
  return CiliumVersion.parse(text);
}

function atLeast(v: VersionText, min: VersionText): boolean {
  return VERSIONS.indexOf(v) >= VERSIONS.indexOf(min);
}

function expression(e: ExpressionSpec): LabelExpression {
  switch (e.op) {
    case 'In': return LabelExpression.in(e.key, e.values ?? []);
    case 'NotIn': return LabelExpression.notIn(e.key, e.values ?? []);
    case 'Exists': return LabelExpression.exists(e.key);
    case 'DoesNotExist': return LabelExpression.doesNotExist(e.key);
  }
}

/** Builds an `EndpointSelector`. */
export function endpointSelector(s: SelectorSpec): EndpointSelector {
  switch (s.kind) {
    case 'all': return EndpointSelector.all();
    case 'labels': return EndpointSelector.labels(s.labels);
    case 'of': return EndpointSelector.of({ labels: s.labels, expressions: s.expressions?.map(expression) });
  }
}

/** Builds a `NodeSelector`. */
export function nodeSelector(s: SelectorSpec): NodeSelector {
  switch (s.kind) {
    case 'all': return NodeSelector.all();
    case 'labels': return NodeSelector.labels(s.labels);
    case 'of': return NodeSelector.of({ labels: s.labels, expressions: s.expressions?.map(expression) });
  }
}

/** Builds a `Peer`. */
export function buildPeer(s: PeerSpec): Peer {
  switch (s.kind) {
    case 'endpoints':
      return Peer.endpoints({
        namespace: s.namespace, allNamespaces: s.allNamespaces, namespaceLabels: s.namespaceLabels, labels: s.labels,
        expressions: s.expressions?.map(expression),
      });
    case 'namespace': return Peer.namespace(s.name);
    case 'allNamespaces': return Peer.allNamespaces();
    case 'selectedBy': return Peer.selectedBy(endpointSelector(s.selector), s.namespace);
    case 'entity': return Peer.entity(s.entity as Entity);
    case 'cidr': return s.except === undefined ? Peer.cidr(s.cidr) : Peer.cidr(s.cidr, { except: s.except });
    case 'cidrGroup': return Peer.cidrGroup(s.name);
    case 'cidrGroupSelector': return Peer.cidrGroupSelector(s.labels);
    case 'fqdn': return Peer.fqdn(s.name);
    case 'fqdnPattern': return Peer.fqdnPattern(s.pattern);
    case 'service': return Peer.service(s.name, s.namespace);
    case 'serviceSelector': return Peer.serviceSelector({ labels: s.labels, expressions: s.expressions?.map(expression), namespace: s.namespace });
    case 'nodes': return Peer.nodes(s.labels);
    case 'kubeDns': return Peer.kubeDns();
    case 'kubeApiServer': return Peer.kubeApiServer();
    case 'any': return Peer.any();
  }
}

/** Builds a `Port` (ICMP included). */
export function buildPort(s: PortSpec): Port {
  switch (s.kind) {
    case 'tcp': return Port.tcp(s.port);
    case 'udp': return Port.udp(s.port);
    case 'sctp': return Port.sctp(s.port);
    case 'any': return Port.any(s.port);
    case 'tcpRange': return Port.tcpRange(s.from, s.to);
    case 'udpRange': return Port.udpRange(s.from, s.to);
    case 'range': return s.protocol === undefined ? Port.range(s.from, s.to) : Port.range(s.from, s.to, s.protocol as Protocol);
    case 'named': return s.protocol === undefined ? Port.named(s.name) : Port.named(s.name, s.protocol as Protocol);
    case 'allTcp': return Port.allTcp();
    case 'allUdp': return Port.allUdp();
    case 'allSctp': return Port.allSctp();
    case 'allPorts': return Port.allPorts();
    case 'of': return Port.of({ port: s.port, name: s.name, endPort: s.endPort, protocol: s.protocol as Protocol | undefined });
    case 'protocol': return Port.protocol(s.protocol as Protocol);
    case 'icmpType': return s.family === undefined ? Icmp.type(s.type) : Icmp.type(s.type, s.family as IcmpFamily);
    case 'icmpNamed': return s.family === undefined ? Icmp.named(s.name) : Icmp.named(s.name, s.family as IcmpFamily);
    case 'icmpHelper':
      if (s.helper === 'packetTooBig') return Icmp.packetTooBig();
      return s.family === undefined ? Icmp[s.helper]() : Icmp[s.helper](s.family as IcmpFamily);
  }
}

function buildHttp(s: HttpSpec): HttpRule {
  switch (s.kind) {
    case 'get': return HttpRule.get(s.path);
    case 'post': return HttpRule.post(s.path);
    case 'put': return HttpRule.put(s.path);
    case 'delete': return HttpRule.delete(s.path);
    case 'of': return HttpRule.of(s.options);
    case 'any': return HttpRule.any();
    case 'grpcMethod': return Grpc.method(s.service, s.method);
    case 'grpcService': return Grpc.service(s.service);
  }
}

function buildKafka(s: KafkaSpec): KafkaRule {
  switch (s.kind) {
    case 'produce': return KafkaRule.produce(s.topic);
    case 'consume': return KafkaRule.consume(s.topic);
    case 'of': return KafkaRule.of(s.options);
  }
}

function buildDns(s: DnsSpec): DnsRule {
  switch (s.kind) {
    case 'name': return DnsRule.exact(s.name);
    case 'pattern': return DnsRule.pattern(s.pattern);
    case 'all': return DnsRule.all();
  }
}

// A list of L7 rules holds each rule once (`list-duplicate`): the rules as the SDK writes them, DNS names as Cilium matches them.
function httpRuleKey(s: HttpSpec): string {
  return JSON.stringify(buildHttp(s)._toModel());
}

function kafkaRuleKey(s: KafkaSpec): string {
  return JSON.stringify(buildKafka(s)._toModel());
}

function dnsRuleKey(s: DnsSpec): string {
  return dnsRuleEntryKey(buildDns(s)._toModel());
}

/** Builds an `L7`. */
export function buildL7(s: L7Spec): L7 {
  switch (s.kind) {
    case 'http': return L7.http(...s.rules.map(buildHttp));
    case 'kafka': return L7.kafka(...s.rules.map(buildKafka));
    case 'dns': return L7.dns(...s.rules.map(buildDns));
  }
}

/** Something with the verbs of a rule: a `PolicyRule`, or the policy itself for its first rule. */
type Verbs = Pick<PolicyRule, 'allowIngress' | 'allowEgress' | 'denyIngress' | 'denyEgress' | 'isolateIngress' | 'isolateEgress'>;

/** Applies one call. */
export function applyCall(target: Verbs, c: CallSpec): void {
  switch (c.verb) {
    case 'isolateIngress': target.isolateIngress(); return;
    case 'isolateEgress': target.isolateEgress(); return;
    case 'denyIngress': target.denyIngress(buildPeer(c.peer), { ports: c.ports?.map(buildPort) }); return;
    case 'denyEgress': target.denyEgress(buildPeer(c.peer), { ports: c.ports?.map(buildPort) }); return;
    case 'allowIngress': target.allowIngress(buildPeer(c.peer), { ports: c.ports?.map(buildPort), l7: c.l7 && buildL7(c.l7), ...c.options }); return;
    case 'allowEgress': target.allowEgress(buildPeer(c.peer), { ports: c.ports?.map(buildPort), l7: c.l7 && buildL7(c.l7), ...c.options }); return;
  }
}

function ruleOptions(r: RuleSpec): PolicyRuleOptions {
  return {
    ...(r.endpointSelector ? { endpointSelector: endpointSelector(r.endpointSelector) } : {}),
    ...(r.nodeSelector ? { nodeSelector: nodeSelector(r.nodeSelector) } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.log !== undefined ? { log: r.log } : {}),
    ...(r.enableDefaultDeny !== undefined ? { enableDefaultDeny: r.enableDefaultDeny } : {}),
    ...(r.labels !== undefined ? { labels: r.labels } : {}),
  };
}

/** Every lockout path exempted (see `buildProgram`). */
const EVERY_LOCKOUT_PATH = Object.values(LockoutPath).map((path) => ({ path, reason: 'property test' }));

/** A built program. */
export interface BuiltProgram {
  readonly app: App;
  readonly chart: Chart;
  readonly policy: PolicyBase;
}

/**
 * Builds a program in a fresh app (nothing is written to disk: `Testing.synth(chart)` only renders). Throws what the SDK
 * throws at the calls.
 */
export function buildProgram(p: Program): BuiltProgram {
  const app = new App();
  if (p.versionScope === undefined) CiliumVersion.use(app, versionOf(p.version));
  if (p.versionScope === 'app-and-chart') CiliumVersion.use(app, versionOf(atLeast(p.version, '1.17') ? '1.14' : '1.19'));
  const chart = new Chart(app, 'test', p.chartNamespace !== undefined ? { namespace: p.chartNamespace } : {});
  if (p.versionScope !== undefined) CiliumVersion.use(chart, versionOf(p.version));
  const [first, ...rest] = p.rules;
  const props = { ...ruleOptions(first), ...(p.name !== undefined ? { name: p.name } : {}) };
  const policy: PolicyBase = p.kind === 'CiliumPolicy'
    ? new CiliumPolicy(chart, 'Policy', { ...props, ...(p.policyNamespace !== undefined ? { namespace: p.policyNamespace } : {}) })
    : new ClusterwidePolicy(chart, 'Policy', {
      ...props,
      // Random host rules deny paths the nodes need, which the lockout guard refuses (pitfall-host-deny-lockout; its own
      // tests are test/constructs/host-policy-lockout.test.ts): these programs exempt every path, so they stay valid.
      ...(p.rules.some((r) => r.nodeSelector !== undefined) ? { lockoutExemptions: EVERY_LOCKOUT_PATH } : {}),
    });
  for (const c of first.calls) applyCall(policy, c);
  for (const r of rest) {
    const rule = policy.addRule(ruleOptions(r));
    for (const c of r.calls) applyCall(rule, c);
  }
  return { app, chart, policy };
}

// ---------------------------------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------------------------------

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const ALNUM_LOWER = LOWER + DIGITS;
const ALNUM = LOWER + UPPER + DIGITS;

/**
 * Leaves out the strings cdk8s writes unquoted and Go's YAML readers read as numbers (`0o17`, `0X1F`, `0_x1`, `1e1_0`),
 * which the policies refuse (yaml-unquoted-number): as a value or a key.
 */
function yamlSafe(a: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return a.filter((s) => unquotedNumber(s) === undefined && unquotedNumber(s, true) === undefined);
}

function chars(set: string): fc.Arbitrary<string> {
  return memoized(`chars ${set}`, () => fc.constantFrom(...set.split('')));
}

function text(set: string, minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: chars(set), minLength, maxLength });
}

/** `first + middle + last` with `middle` from `inner`: total length 1 … max (a single `edge` character for length 1). */
function bracketed(edge: string, inner: string, max: number): fc.Arbitrary<string> {
  const one = chars(edge);
  const many = (m: number): fc.Arbitrary<string> => fc.tuple(one, text(inner, 0, m - 2), one).map(([a, b, c]) => a + b + c);
  return yamlSafe(fc.oneof(
    { arbitrary: one, weight: 1 },
    { arbitrary: many(Math.min(max, 12)), weight: 6 },
    { arbitrary: many(max), weight: 1 },
  ));
}

/** A DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most `max` characters): namespaces, service names. */
export function dnsLabel(max = 63): fc.Arbitrary<string> {
  return bracketed(ALNUM_LOWER, `${ALNUM_LOWER}-`, max);
}

/** A DNS-1123 label starting with a letter (DNS-1035), for Service names. */
export const serviceName: fc.Arbitrary<string> = fc.tuple(chars(LOWER), fc.option(dnsLabel(40), { nil: undefined }))
  .map(([a, b]) => (b === undefined ? a : `${a}${b}`))
  // default/kubernetes is the API server: Peer.service refuses it (peer-kube-apiserver-service).
  .filter((n) => n !== 'kubernetes');

/** A DNS-1123 subdomain of 1-3 labels, at most 253 characters. */
export const dnsSubdomain: fc.Arbitrary<string> = yamlSafe(fc.array(dnsLabel(20), { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.')));

/** A namespace name. */
export const namespaceName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('default', 'kube-system', 'shop', 'monitoring', 'team-a'), weight: 2 },
  { arbitrary: dnsLabel(63), weight: 3 },
);

/** A valid label value: `^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`, at most 63 characters (empty included). */
export const labelValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 1 },
  { arbitrary: bracketed(ALNUM, `${ALNUM}-_.`, 63), weight: 8 },
);

/** The name part of a label key (label-value syntax, 1 … max characters). */
function labelName(max: number): fc.Arbitrary<string> {
  return bracketed(ALNUM, `${ALNUM}-_.`, max);
}

/**
 * A label key: an optional DNS prefix and `/`, then a name; with `source`, optionally prefixed with `k8s:`.
 * Cilium validates selector keys as `<source>.<key>` (`any.` when there is none), so a key without a `/` keeps 4
 * characters for that, and `namespaceLabel` keys (written under `io.cilium.k8s.namespace.labels.`) keep 35.
 */
export function labelKey(options: { source?: boolean; reserve?: number } = {}): fc.Arbitrary<string> {
  const reserve = options.reserve ?? 4;
  const plain = labelName(63 - reserve);
  const prefixed = fc.tuple(dnsSubdomain, labelName(63)).map(([p, n]) => `${p}/${n}`);
  const key = fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: prefixed, weight: 1 });
  if (!options.source) return key;
  return fc.tuple(fc.boolean(), key).map(([k8s, k]) => (k8s ? `k8s:${k}` : k));
}

function record(key: fc.Arbitrary<string>, value: fc.Arbitrary<string>, minKeys: number, maxKeys: number): fc.Arbitrary<Labels> {
  return fc.uniqueArray(fc.tuple(key, value), { minLength: minKeys, maxLength: maxKeys, selector: (t) => t[0] }).map((es) => Object.fromEntries(es));
}

/** Pod / endpoint labels (keys with an optional `k8s:` source). */
export function podLabels(minKeys = 0, maxKeys = 3): fc.Arbitrary<Labels> {
  return record(labelKey({ source: true }), labelValue, minKeys, maxKeys);
}

/**
 * Node labels for `Peer.nodes` (keys with an optional `node:` source): Cilium gives node labels the source node, and a key of
 * a source no node carries (`k8s:`) is refused (`peer-nodes-label-source`).
 */
export function nodeLabels(minKeys = 0, maxKeys = 3): fc.Arbitrary<Labels> {
  return record(fc.tuple(fc.boolean(), labelKey({ reserve: 5 })).map(([node, k]) => (node ? `node:${k}` : k)), labelValue, minKeys, maxKeys);
}

/** Labels of objects Cilium matches without a source prefix (CIDR groups, Services). */
export function plainLabels(minKeys = 0, maxKeys = 3): fc.Arbitrary<Labels> {
  return record(labelKey({ reserve: 0 }), labelValue, minKeys, maxKeys);
}

/** Namespace labels for `Peer.endpoints({ namespaceLabels })`. */
export const namespaceLabels: fc.Arbitrary<Labels> = record(labelKey({ reserve: 35 }), labelValue, 1, 2);

/** Label expressions (In/NotIn always with values). */
export function expressions(key: fc.Arbitrary<string>, maxLength = 2, minLength = 1, value = labelValue): fc.Arbitrary<ExpressionSpec[]> {
  const withValues = fc.record({ op: fc.constantFrom<'In' | 'NotIn'>('In', 'NotIn'), key, values: fc.uniqueArray(value, { minLength: 1, maxLength: 3 }) });
  const without = fc.record({ op: fc.constantFrom<'Exists' | 'DoesNotExist'>('Exists', 'DoesNotExist'), key });
  // Unique as the SDK compares them (key, operator, values as a set: `list-duplicate`).
  return fc.uniqueArray(fc.oneof<fc.Arbitrary<ExpressionSpec>[]>(withValues, without), {
    minLength, maxLength, selector: (e) => JSON.stringify([e.key, e.op, [...(('values' in e ? e.values : undefined) ?? [])].sort()]),
  });
}

/** Whether a selector requires no label and only excludes (`NotIn`/`DoesNotExist`): refused as a clusterwide subject. */
function onlyExcludes(s: SelectorSpec): boolean {
  return s.kind === 'of' && Object.keys(s.labels ?? {}).length === 0 && (s.expressions ?? []).length > 0
    && (s.expressions ?? []).every((e) => e.op === 'NotIn' || e.op === 'DoesNotExist');
}

/** Whether optional labels/expressions say something (the SDK refuses empty maps and lists, and selectors that select everything). */
/**
 * Whether a Service selector may select `default/kubernetes` (labels component=apiserver, provider=kubernetes): that is
 * the `pitfall-kube-apiserver-service` error, not a valid program.
 */
function mayMatchKubernetesService(o: { labels?: Labels; expressions?: ExpressionSpec[]; namespace?: string }): boolean {
  if (o.namespace !== undefined && o.namespace !== 'default') return false;
  const k8s: Record<string, string> = { component: 'apiserver', provider: 'kubernetes' };
  const value = (key: string): string | undefined => k8s[key.replace(/^k8s:/, '')];
  const labelsMatch = Object.entries(o.labels ?? {}).every(([k, v]) => value(k) === v);
  const expressionsMatch = (o.expressions ?? []).every((e) => {
    const v = value(e.key);
    switch (e.op) {
      case 'In': return v !== undefined && (e.values ?? []).includes(v);
      case 'NotIn': return v === undefined || !(e.values ?? []).includes(v);
      case 'Exists': return v !== undefined;
      case 'DoesNotExist': return v === undefined;
    }
  });
  return labelsMatch && expressionsMatch;
}

function saysSomething(o: { labels?: Labels; expressions?: ExpressionSpec[] }): boolean {
  return Object.keys(o.labels ?? {}).length > 0 || (o.expressions ?? []).length > 0;
}

/** Optional labels/expressions as the label selector model they are written as. */
export function selectorModelOf(o: { labels?: Labels; expressions?: ExpressionSpec[] }): LabelSelectorModel {
  return {
    ...(o.labels ? { matchLabels: o.labels } : {}),
    ...(o.expressions ? { matchExpressions: o.expressions.map((e) => ({ key: e.key, operator: e.op, ...('values' in e ? { values: e.values } : {}) })) } : {}),
  };
}

/**
 * Whether some label set satisfies optional labels/expressions: the oracle of the SDK's `selector-contradictory`,
 * independent of its `mayOverlap`. Brute force, key by key: for each key the selector names, every state of that key
 * (absent, or one label: Cilium keeps one label per key, pkg/labels `Labels`) of a source named on it or one not named,
 * with a value named on it or one not named, judged by the engine's `Selector.matches` with the requirements on that key.
 * A selector is the AND of its requirements and each reads the labels of its own key (`LabelSelector` requirements, and
 * `Selector.matches`), so some label set satisfies it exactly when each key has such a state: searched key by key (the
 * sum of the keys' states, not their product, which made this filter of the generators most of the property files' time).
 * The label set the keys' states make is judged by the whole selector too (it must match: the oracle's own check).
 */
export function satisfiable(o: { labels?: Labels; expressions?: ExpressionSpec[] }): boolean {
  const selector = Selector.from(selectorModelOf(o));
  const keys = [...new Set(selector.requirements.map((r) => r.key))];
  const witness: IdentityLabel[] = [];
  for (const key of keys) {
    const own = selector.requirements.filter((r) => r.key === key);
    const alone = Selector.all().and(own);
    const sources = [...new Set([...own.map((r) => r.source).filter((x) => x !== 'any'), 'k8s', 'oracle-other'])];
    const values = [...new Set([...own.flatMap((r) => r.values), 'oracle-other'])];
    const states: (IdentityLabel | undefined)[] = [undefined, ...sources.flatMap((source) => values.map((value) => ({ source, key, value })))];
    const i = states.findIndex((label) => alone.matches(LabelSet.of(label === undefined ? [] : [label])));
    if (i < 0) return false;
    const label = states[i];
    if (label !== undefined) witness.push(label);
  }
  if (!selector.matches(LabelSet.of(witness))) throw new Error(`satisfiable: the states found key by key do not satisfy ${selector.toString()}`);
  return true;
}

/**
 * Labels and expressions of a selector, contradicting or not (the SDK refuses those that contradict); with a small universe
 * of keys and values (and more expressions) for the contradictions to be frequent.
 */
export function selectorParts(key: fc.Arbitrary<string> = labelKey({ source: true }), value = labelValue,
  maxExpressions = 2): fc.Arbitrary<{ labels?: Labels; expressions?: ExpressionSpec[] }> {
  return fc.record({ labels: record(key, value, 1, 2), expressions: expressions(key, maxExpressions, 1, value) }, { requiredKeys: [] })
    .filter(saysSomething);
}

/** An endpoint or node selector. */
export function selector(key: fc.Arbitrary<string> = labelKey({ source: true })): fc.Arbitrary<SelectorSpec> {
  return fc.oneof(
    fc.constant<SelectorSpec>({ kind: 'all' }),
    // Labels alone contradict too: `k8s:W: a` beside `W: b` (one label per key) is refused as selector-contradictory.
    record(key, labelValue, 1, 3).filter((labels) => satisfiable({ labels })).map((labels): SelectorSpec => ({ kind: 'labels', labels })),
    selectorParts(key).filter(satisfiable)
      .map((o): SelectorSpec => ({ kind: 'of', ...o })),
  );
}

/**
 * Whether a program lets some pods look up every name (DNS `*`) while another call restricts lookups: Cilium ORs them,
 * and the SDK refuses it (`pitfall-dns-rules-widened`), so a valid program has no such mix.
 */
function dnsRestrictionCancelled(p: Program): boolean {
  const calls = p.rules.flatMap((r) => r.calls);
  const everyName = (d: DnsSpec): boolean => d.kind === 'all' || (d.kind === 'pattern' && /^(\*+|\*\*\.\*)\.?$/.test(d.pattern));
  const dns = calls.flatMap((c) => ('l7' in c && c.l7 && c.l7.kind === 'dns' ? [c.l7.rules] : []));
  const restricted = dns.some((rules) => !rules.some(everyName));
  if (!restricted) return false;
  // Any other egress allow may reach the DNS server on 53 without DNS rules, which wildcards them (L4 allows merge as `*`).
  const otherEgress = calls.some((c) => c.verb === 'allowEgress' && !('l7' in c && c.l7 && c.l7.kind === 'dns'));
  return otherEgress || dns.some((rules) => rules.some(everyName));
}

/**
 * Whether a program restricts HTTP or Kafka requests in one direction and has another allow in that direction without L7
 * rules, or with an HTTP rule that matches every request (`HttpRule.any()`): where its peers and ports take in those of the
 * L7 rules, Cilium merges the two with an allow-all L7 rule (or the proxy ORs the rules) and the SDK refuses it
 * (`pitfall-l7-rules-widened`, tested in test/validate-cli/pitfall-l7-widened.test.ts), so a valid program has no such mix.
 */
function l7RestrictionCancelled(p: Program): boolean {
  const calls = p.rules.flatMap((r) => r.calls);
  const everyRequest = (c: CallSpec): boolean => 'l7' in c && c.l7 !== undefined && c.l7.kind === 'http' && c.l7.rules.some((r) => r.kind === 'any');
  return (['allowIngress', 'allowEgress'] as const).some((verb) => {
    const mine = calls.filter((c) => c.verb === verb);
    return mine.some((c) => 'l7' in c && c.l7 && (c.l7.kind === 'http' || c.l7.kind === 'kafka'))
      && mine.some((c) => !('l7' in c && c.l7) || everyRequest(c));
  });
}

/**
 * Allow calls of one direction with different `authentication` modes: where two of them give one peer selector on one
 * filter different modes, the agent cannot merge them and refuses the policy of the endpoints (`pitfall-auth-mode-conflict`,
 * a synthesis error), so a valid program gives one mode per direction.
 */
function authModesMixed(p: Program): boolean {
  const calls = p.rules.flatMap((r) => r.calls);
  return (['allowIngress', 'allowEgress'] as const).some((verb) => new Set(calls.flatMap((c) => {
    const mode = c.verb === verb && 'options' in c ? (c.options as { authentication?: string } | undefined)?.authentication : undefined;
    return mode !== undefined ? [mode] : [];
  })).size > 1);
}

/**
 * Whether a program has L7 rules of two kinds (HTTP, Kafka, DNS, serverNames) in one direction: where two of them share a port entry,
 * Cilium cannot merge their parsers and the SDK refuses it (`pitfall-l7-parser-conflict`), so a valid program keeps one
 * kind per direction (the check itself is tested in test/validate-cli/pitfall-parser-merge.test.ts).
 */
function l7KindsMixed(p: Program): boolean {
  const calls = p.rules.flatMap((r) => r.calls);
  // `serverNames` count as a kind of their own (parser `tls`, `l7ParserOf`): beside DNS rules the parsers do not merge
  // (`pitfall-l7-parser-conflict`), beside HTTP or Kafka rules without terminatingTLS the merge order decides
  // (`pitfall-sni-l7-merge`); both are synthesis errors.
  const kinds = (c: CallSpec): string[] => [
    ...('l7' in c && c.l7 ? [c.l7.kind] : []),
    ...('options' in c && (c.options as { serverNames?: readonly string[] } | undefined)?.serverNames !== undefined ? ['tls'] : []),
  ];
  return (['allowIngress', 'allowEgress'] as const)
    .some((verb) => new Set(calls.flatMap((c) => (c.verb === verb ? kinds(c) : []))).size > 1);
}

// ---------------------------------------------------------------------------------------------------------------------
// CIDRs
// ---------------------------------------------------------------------------------------------------------------------

function v4Text(addr: number): string {
  return [24, 16, 8, 0].map((s) => String((addr >>> s) & 255)).join('.');
}

function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Renders a 128-bit address: 8 full groups, RFC 5952 compressed, or compressed with an embedded IPv4 tail. */
export function v6Text(addr: bigint, style: 'full' | 'compressed' | 'embedded', upper = false): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt(112 - 16 * i)) & 0xffffn));
  const hex = (g: number): string => (upper ? g.toString(16).toUpperCase() : g.toString(16));
  if (style === 'full') return groups.map(hex).join(':');
  if (style === 'compressed') return compress(groups.map(hex));
  const head = compress(groups.slice(0, 6).map(hex));
  const tail = `${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  return head.endsWith('::') ? `${head}${tail}` : `${head}:${tail}`;
}

/** Compresses the longest run (at least 2) of zero groups into `::`. */
function compress(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; i++) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function v6Mask(prefix: number): bigint {
  const all = (1n << 128n) - 1n;
  return prefix === 0 ? 0n : (all << BigInt(128 - prefix)) & all;
}

const octet = fc.oneof(fc.constantFrom(0, 10, 127, 169, 172, 192, 255), fc.integer({ min: 0, max: 255 }));
const v4Address = fc.tuple(octet, octet, octet, octet).map(([a, b, c, d]) => (((a << 24) | (b << 16) | (c << 8) | d) >>> 0));
const group = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 0xffff }), weight: 2 });
const v6Address = fc.array(group, { minLength: 8, maxLength: 8 }).map((gs) => gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));
const v4Prefix = fc.oneof(fc.constantFrom(0, 8, 16, 24, 32), fc.integer({ min: 0, max: 32 }));
const v6Prefix = fc.oneof(fc.constantFrom(0, 32, 48, 64, 128), fc.integer({ min: 0, max: 128 }));

/** The holes, less the last ones while together they hold every address of the CIDR (`peer-except-covers-cidr` refuses that). */
function leaveSomeAddress(cidr: string, holes: string[]): string[] {
  const outer = parseCidr(cidr);
  const kept = [...holes];
  const covers = (): boolean => outer !== undefined && kept.length > 0
    && subtractRanges([cidrRange(outer)], kept.flatMap((h) => { const p = parseCidr(h); return p ? [cidrRange(p)] : []; })).length === 0;
  while (covers()) kept.pop();
  return kept;
}

/**
 * A CIDR peer: IPv4 or IPv6, with or without `except` prefixes inside it. Embedded IPv4 tails only where the CRD allows them.
 * Never with host bits: `Peer.cidr()` refuses them (`peer-cidr-host-bits`; the validator's tests cover them in YAML).
 */
export function cidrPeer(version: VersionText): fc.Arbitrary<PeerSpec> {
  const excepts4 = fc.array(fc.tuple(fc.nat(), fc.nat(32)), { maxLength: 2 });
  const v4 = fc.record({ addr: v4Address, prefix: v4Prefix, hostBits: fc.constant(false), excepts: excepts4 })
    .map(({ addr, prefix, hostBits, excepts }): PeerSpec => {
      const net = (addr & v4Mask(prefix)) >>> 0;
      const cidr = `${v4Text(hostBits ? addr : net)}/${prefix}`;
      // Holes strictly inside (a /32 has none), never holding the whole range together (`peer-except-covers-cidr`).
      const except = prefix === 32 ? [] : leaveSomeAddress(cidr, excepts.map(([bits, q0]) => {
        const q = prefix + 1 + (q0 % (32 - prefix));
        const inner = (net | (bits & ~v4Mask(prefix))) >>> 0;
        return `${v4Text((inner & v4Mask(q)) >>> 0)}/${q}`;
      }));
      return { kind: 'cidr', cidr, ...(except.length || hostBits ? { except: [...new Set(except)] } : {}) };
    });
  const styles: ('full' | 'compressed' | 'embedded')[] = atLeast(version, '1.16') ? ['full', 'compressed', 'embedded'] : ['full', 'compressed'];
  const v6 = fc.record({
    addr: v6Address, prefix: v6Prefix, hostBits: fc.constant(false), style: fc.constantFrom(...styles), upper: fc.boolean(),
    excepts: fc.array(fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.nat(128)), { maxLength: 2 }),
  }).map(({ addr, prefix, hostBits, style, upper, excepts }): PeerSpec => {
    const net = addr & v6Mask(prefix);
    const cidr = `${v6Text(hostBits ? addr : net, style, upper)}/${prefix}`;
    const except = prefix === 128 ? [] : leaveSomeAddress(cidr, excepts.map(([bits, q0]) => {
      const q = prefix + 1 + (q0 % (128 - prefix));
      const inner = net | (bits & ~v6Mask(prefix) & ((1n << 128n) - 1n));
      return `${v6Text(inner & v6Mask(q), style === 'embedded' ? 'compressed' : style, upper)}/${q}`;
    }));
    return { kind: 'cidr', cidr, ...(except.length ? { except: [...new Set(except)] } : {}) };
  });
  return fc.oneof(v4, v6);
}

// ---------------------------------------------------------------------------------------------------------------------
// FQDNs, names
// ---------------------------------------------------------------------------------------------------------------------

const FQDN_CHARS = `${ALNUM}-_`;

/**
 * An FQDN `matchName`: labels of `[-a-zA-Z0-9_]`, optional trailing dot, at most 255 characters; never an address written as
 * a name (`10.0.0.1`), which the constructs refuse (`fqdn-ip-address`).
 */
export const fqdnName: fc.Arbitrary<string> = yamlSafe(fc.oneof(
  { arbitrary: fc.constantFrom('api.example.com', 'github.com', 'kubernetes.default.svc.cluster.local', 'localhost'), weight: 1 },
  {
    arbitrary: fc.tuple(fc.array(text(FQDN_CHARS, 1, 12), { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([ls, dot]) => `${ls.join('.')}${dot ? '.' : ''}`),
    weight: 4,
  },
  { arbitrary: fc.array(text(FQDN_CHARS, 40, 60), { minLength: 4, maxLength: 4 }).map((ls) => ls.join('.').slice(0, 255)), weight: 1 },
)).filter((n) => !addressShapedDnsName(n));

/**
 * An FQDN `matchPattern`: `*` within labels (never `**` except the `**.` prefix, which only 1.19 has; never `*.`, whose
 * meaning changes at 1.19 and which the constructs refuse: `fqdn-pattern-version-dependent`; never an address range written as a
 * pattern, `10.0.0.*`: `fqdn-ip-address`).
 */
export function fqdnPattern(version: VersionText): fc.Arbitrary<string> {
  const label = text(`${FQDN_CHARS}*`, 1, 10).map((l) => l.replace(/\*{2,}/g, '*'));
  const pattern = fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([ls, dot]) => `${ls.join('.')}${dot ? '.' : ''}`).map((p) => (p === '*.' ? '*' : p));
  const options: fc.Arbitrary<string>[] = [
    fc.constant('*'),
    fqdnName.map((n) => `*.${n}`),
    pattern,
  ];
  if (atLeast(version, '1.19')) options.push(fqdnName.map((n) => `**.${n}`));
  // Never a "*" in the registrable part (`*.com`, `a*.io`): the constructs refuse it as a destination (fqdn-pattern-registrable).
  return yamlSafe(fc.oneof(...options)).filter((p) => !addressShapedDnsName(p) && registrableWildcardExample(p) === undefined);
}

/** A TLS server name (the 1.18+ CRD pattern `^(\*?\*\.)?([-a-zA-Z0-9_]+\.?)+$`). */
/** A TLS server name, never with its wildcard in the registrable part (`*.com`): the constructs refuse it (server-names-registrable). */
export const serverName: fc.Arbitrary<string> = fc.tuple(fc.constantFrom('', '*.', '**.'), fqdnName).map(([p, n]) => `${p}${n}`)
  .filter((n) => registrableWildcardExample(n) === undefined);

// ---------------------------------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------------------------------

/** A port number 1-65535, biased to common ports and the edges. */
export const portNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(1, 22, 53, 80, 443, 5432, 8080, 9090, 65535), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 65535 }), weight: 2 },
);

/** An IANA service name as a named port (1-15 letters, digits and single dashes, at least one letter). */
export const portName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('http', 'https', 'grpc', 'metrics', 'dns-tcp', 'HTTP-alt'),
  text(`${ALNUM}-`, 1, 15).filter((n) => /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/.test(n))
    // Port.named() refuses names such as "0b" or "0x1f" (they read like numbers): see the invalid inputs.
    .filter((n) => !/^0[xXoObB]/.test(n)),
);

const l4Protocol = fc.constantFrom(Protocol.TCP, Protocol.UDP, Protocol.SCTP, Protocol.ANY);

/** A port range `from < to` (Cilium 1.16+). */
const range = fc.tuple(fc.integer({ min: 1, max: 65534 }), fc.integer({ min: 1, max: 65535 })).map(([a, b]) => {
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  return from === to ? { from, to: to + 1 } : { from, to };
});

/** The ICMP type names of a family other than those of type 0 (IPv4 `EchoReply`), which the SDK refuses (`icmp-type-zero`). */
function icmpNames(family: IcmpFamily): string[] {
  return Object.keys(ICMP_TYPE_NAMES[family]).filter((name) => ICMP_TYPE_NAMES[family][name] !== 0);
}

/** An ICMP match valid at `version` (type names only from 1.16; never type 0, which stands for every type in Cilium). */
export function icmpPort(version: VersionText): fc.Arbitrary<PortSpec> {
  const family = fc.option(fc.constantFrom(IcmpFamily.IPV4, IcmpFamily.IPV6), { nil: undefined });
  const options: fc.Arbitrary<PortSpec>[] = [
    fc.record({ kind: fc.constant('icmpType' as const), type: fc.integer({ min: 1, max: 255 }), family }, { requiredKeys: ['kind', 'type'] }),
    fc.record({
      kind: fc.constant('icmpHelper' as const),
      helper: fc.constantFrom('echoRequest' as const, 'destinationUnreachable' as const, 'timeExceeded' as const, 'packetTooBig' as const),
      family,
    }, { requiredKeys: ['kind', 'helper'] }),
    fc.constant<PortSpec>({ kind: 'icmpHelper', helper: 'echoReply', family: IcmpFamily.IPV6 }),
  ];
  if (atLeast(version, '1.16')) {
    options.push(fc.constantFrom(IcmpFamily.IPV4, IcmpFamily.IPV6).chain((f) => fc.constantFrom(...icmpNames(f))
      .map((name): PortSpec => (f === IcmpFamily.IPV4 ? { kind: 'icmpNamed', name } : { kind: 'icmpNamed', name, family: f }))));
  }
  return fc.oneof(...options);
}

/** A layer-4 port (no ICMP) valid at `version`. */
export function l4Port(version: VersionText): fc.Arbitrary<PortSpec> {
  const options: fc.Arbitrary<PortSpec>[] = [
    fc.record({ kind: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const, 'any' as const), port: portNumber }),
    fc.record({ kind: fc.constant('named' as const), name: portName, protocol: l4Protocol }, { requiredKeys: ['kind', 'name'] }),
    fc.constantFrom<PortSpec>({ kind: 'allTcp' }, { kind: 'allUdp' }, { kind: 'allSctp' }, { kind: 'allPorts' }),
    fc.record({ kind: fc.constant('of' as const), port: portNumber, protocol: l4Protocol }, { requiredKeys: ['kind', 'port'] }),
    fc.record({ kind: fc.constant('of' as const), name: portName, protocol: l4Protocol }, { requiredKeys: ['kind', 'name'] }),
  ];
  if (atLeast(version, '1.16')) {
    options.push(
      fc.tuple(fc.constantFrom('tcpRange' as const, 'udpRange' as const), range).map(([kind, r]): PortSpec => ({ kind, ...r })),
      fc.tuple(fc.option(l4Protocol, { nil: undefined }), range).map(([protocol, r]): PortSpec => ({ kind: 'range', ...r, ...(protocol ? { protocol } : {}) })),
      fc.tuple(l4Protocol, range).map(([protocol, r]): PortSpec => ({ kind: 'of', port: r.from, endPort: r.to, protocol })),
      // A one-port "range" is written as a single port.
      portNumber.map((p): PortSpec => ({ kind: 'range', from: p, to: p, protocol: Protocol.TCP })),
    );
  }
  if (atLeast(version, '1.19')) {
    options.push(
      fc.constantFrom(Protocol.VRRP, Protocol.IGMP).map((protocol): PortSpec => ({ kind: 'protocol', protocol })),
      fc.constantFrom(Protocol.VRRP, Protocol.IGMP).map((protocol): PortSpec => ({ kind: 'of', protocol })),
    );
  }
  return fc.oneof(...options);
}

/** Ports of a call: absent (all ports), a short mixed list, or a long TCP list (more than 40 ports are split). */
export function ports(version: VersionText, options: { icmp?: boolean } = {}): fc.Arbitrary<PortSpec[] | undefined> {
  const one = options.icmp === false
    ? l4Port(version)
    : fc.oneof({ arbitrary: l4Port(version), weight: 4 }, { arbitrary: icmpPort(version), weight: 1 });
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.array(one, { minLength: 1, maxLength: 4 }), weight: 6 },
    {
      arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 38, maxLength: 45 })
        .map((ns) => ns.map((port): PortSpec => ({ kind: 'tcp', port }))),
      weight: 1,
    },
  );
}

/** Ports HTTP and Kafka rules accept: explicit TCP, single, non-zero. */
export const tcpPorts: fc.Arbitrary<PortSpec[]> = fc.array(
  fc.oneof(
    portNumber.map((port): PortSpec => ({ kind: 'tcp', port })),
    portNumber.map((port): PortSpec => ({ kind: 'of', port, protocol: Protocol.TCP })),
  ),
  { minLength: 1, maxLength: 3 },
);

/** Ports DNS rules accept: single, non-zero, TCP/UDP/ANY. */
export const dnsPorts: fc.Arbitrary<PortSpec[]> = fc.array(
  fc.oneof(
    fc.constant<PortSpec>({ kind: 'any', port: 53 }),
    fc.record({ kind: fc.constantFrom('tcp' as const, 'udp' as const, 'any' as const), port: portNumber }),
  ),
  { minLength: 1, maxLength: 3 },
);

// ---------------------------------------------------------------------------------------------------------------------
// L7
// ---------------------------------------------------------------------------------------------------------------------

const pathSegment = text(`${ALNUM_LOWER}-_`, 1, 8);
/** A simple, safe (RE2 and JS) path regex. */
export const httpPath: fc.Arbitrary<string> = fc.tuple(fc.array(pathSegment, { minLength: 0, maxLength: 3 }), fc.constantFrom('', '.*', '/.*', '/[0-9]+', '(/.*)?'))
  .map(([segs, tail]) => `/${segs.join('/')}${tail}`);
const httpMethod = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'GET|HEAD', 'GET|POST');
const httpHost = fc.tuple(text(LOWER, 1, 8), fc.constantFrom('example\\.com', 'svc\\.cluster\\.local', '[a-z]+\\.example\\.org'))
  .map(([h, d]) => `${h}\\.${d}`);
const headerName = fc.tuple(chars(UPPER), text(`${ALNUM}-`, 0, 10)).map(([a, b]) => `X-${a}${b.replace(/-+$/, '')}`);
const headerValue = yamlSafe(text(ALNUM, 1, 12));
const grpcService = fc.tuple(fc.array(text(LOWER, 1, 8), { minLength: 0, maxLength: 2 }), chars(UPPER), text(ALNUM, 0, 10))
  .map(([pkgs, a, b]) => [...pkgs, `${a}${b}`].join('.'));
const grpcMethod = fc.tuple(chars(UPPER), text(`${ALNUM}_`, 0, 10)).map(([a, b]) => `${a}${b}`);

/** An HTTP rule (simple regexes, valid headers). */
export const httpRule: fc.Arbitrary<HttpSpec> = fc.oneof(
  fc.record({ kind: fc.constantFrom('get' as const, 'post' as const, 'put' as const, 'delete' as const), path: httpPath.filter((x) => x.trim() !== '') }),
  fc.constant<HttpSpec>({ kind: 'any' }),
  fc.record({ kind: fc.constant('grpcMethod' as const), service: grpcService, method: grpcMethod }),
  fc.record({ kind: fc.constant('grpcService' as const), service: grpcService }),
  fc.record({
    method: httpMethod,
    path: httpPath,
    host: httpHost,
    headers: fc.uniqueArray(fc.oneof(headerName, fc.tuple(headerName, headerValue).map(([n, v]) => `${n}: ${v}`)), { maxLength: 2 }),
    // Unique as the SDK compares them (the match as given: `list-duplicate`).
    headerMatches: fc.uniqueArray(fc.record({
      name: headerName,
      value: headerValue,
      secretName: dnsSubdomain,
      secretNamespace: namespaceName,
      mismatch: fc.constantFrom(...Object.values(HeaderMismatchAction)),
    }, { requiredKeys: ['name'] })
      // A Secret's namespace without its name is refused (l7-header-secret-without-name): the match would be presence only.
      .map(({ secretNamespace, ...h }) => (h.secretName !== undefined && secretNamespace !== undefined ? { ...h, secretNamespace } : h)),
    {
      maxLength: 2,
      selector: (h) => JSON.stringify([h.name, h.value, h.secretName, (h as { secretNamespace?: string }).secretNamespace, h.mismatch]),
    }),
  }, { requiredKeys: [] })
    // The SDK refuses blank fields, empty header lists (`l7-headers-empty`), `HttpRule.of({})` and header matches with a
    // mismatch action alone (all mean any request): valid programs say something.
    .map((o) => Object.fromEntries(Object.entries(o)
      .filter(([, v]) => !(typeof v === 'string' && v.trim() === '') && !(Array.isArray(v) && v.length === 0))) as typeof o)
    .filter((o) => o.method !== undefined || o.path !== undefined || o.host !== undefined
      || (o.headers ?? []).length > 0 || (o.headerMatches ?? []).some((h) => h.mismatch === undefined))
    .map((options): HttpSpec => ({ kind: 'of', options })),
);

const kafkaTopic = yamlSafe(text(`${ALNUM}._-`, 1, 40));

/** A Kafka rule (role or a known apiKey, numeric apiVersion, topic of letters, digits, `.`, `_`, `-`). */
export const kafkaRule: fc.Arbitrary<KafkaSpec> = fc.oneof(
  fc.record({ kind: fc.constantFrom('produce' as const, 'consume' as const), topic: kafkaTopic }),
  fc.record({
    role: fc.constantFrom(KafkaRole.PRODUCE, KafkaRole.CONSUME),
    apiVersion: fc.integer({ min: 0, max: 32767 }).map(String),
    clientId: yamlSafe(text(`${ALNUM}-_`, 1, 12)),
    topic: kafkaTopic,
  }, { requiredKeys: [] }).filter((o) => Object.values(o).some((v) => v !== undefined)).map((options): KafkaSpec => ({ kind: 'of', options })),
  fc.record({
    apiKey: fc.constantFrom(...KAFKA_API_KEYS),
    apiVersion: fc.integer({ min: 0, max: 32767 }).map(String),
    topic: kafkaTopic,
  }, { requiredKeys: ['apiKey'] }).map((options): KafkaSpec => ({ kind: 'of', options })),
);

/** A DNS rule valid at `version`. */
export function dnsRule(version: VersionText): fc.Arbitrary<DnsSpec> {
  return fc.oneof(
    fqdnName.map((name): DnsSpec => ({ kind: 'name', name })),
    fqdnPattern(version).map((pattern): DnsSpec => ({ kind: 'pattern', pattern })),
    fc.constant<DnsSpec>({ kind: 'all' }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Peers and calls
// ---------------------------------------------------------------------------------------------------------------------

/** Where a call goes: decides which peers, ports and L7 rules are valid. */
export interface CallContext {
  readonly version: VersionText;
  readonly kind: ProgramKind;
  /** A host rule (nodeSelector). */
  readonly host: boolean;
}

/** Endpoint-like peers; in a clusterwide policy they always name their namespace(s). */
function endpointPeers(ccnp: boolean): fc.Arbitrary<PeerSpec>[] {
  const labels = podLabels(1, 3);
  const exprs = expressions(labelKey({ source: true }));
  const nsChoice = fc.oneof(
    namespaceName.map((namespace) => ({ namespace })),
    fc.constant({ allNamespaces: true }),
    namespaceLabels.map((nl) => ({ namespaceLabels: nl })),
    ...(ccnp ? [] : [fc.constant({})]),
  );
  return [
    fc.tuple(nsChoice, fc.record({ labels, expressions: exprs }, { requiredKeys: [] }))
      .filter(([ns, rest]) => (Object.keys(ns).length > 0 || saysSomething(rest)) && satisfiable(rest))
      .map(([ns, rest]): PeerSpec => ({ kind: 'endpoints', ...ns, ...rest })),
    namespaceName.map((name): PeerSpec => ({ kind: 'namespace', name })),
    fc.constant<PeerSpec>({ kind: 'allNamespaces' }),
    fc.record({ kind: fc.constant('selectedBy' as const), selector: selector(), namespace: namespaceName }, { requiredKeys: ccnp ? ['kind', 'selector', 'namespace'] : ['kind', 'selector'] }),
    fc.constant<PeerSpec>({ kind: 'kubeDns' }),
  ];
}

/** Peers valid for `direction` (and, with `deny`, in a deny section) at the context's version. */
export function peer(ctx: CallContext, direction: 'ingress' | 'egress', deny: boolean): fc.Arbitrary<PeerSpec> {
  const v = ctx.version;
  const ccnp = ctx.kind === 'ClusterwidePolicy';
  const options: fc.Arbitrary<PeerSpec>[] = [
    ...endpointPeers(ccnp),
    fc.constantFrom(...Object.values(Entity)).map((entity): PeerSpec => ({ kind: 'entity', entity })),
    cidrPeer(v),
    fc.constant<PeerSpec>({ kind: 'kubeApiServer' }),
    fc.constant<PeerSpec>({ kind: 'any' }),
  ];
  // cidrGroupRef in toCIDRSet and in an ingressDeny fromCIDRSet is resolved from 1.16 on (sanitize-/version-egress-cidr-group-ref).
  if ((direction === 'ingress' && !deny) || atLeast(v, '1.16')) options.push(dnsSubdomain.map((name): PeerSpec => ({ kind: 'cidrGroup', name })));
  if (atLeast(v, '1.17')) options.push(plainLabels(1, 2).map((labels): PeerSpec => ({ kind: 'cidrGroupSelector', labels })));
  if (atLeast(v, '1.16')) options.push(nodeLabels(1, 2).map((labels): PeerSpec => ({ kind: 'nodes', labels })));
  if (direction === 'egress') {
    if (!deny) {
      options.push(fqdnName.map((name): PeerSpec => ({ kind: 'fqdn', name })), fqdnPattern(v).map((pattern): PeerSpec => ({ kind: 'fqdnPattern', pattern })));
    }
    options.push(
      fc.record({ kind: fc.constant('service' as const), name: serviceName, namespace: namespaceName }, { requiredKeys: ccnp ? ['kind', 'name', 'namespace'] : ['kind', 'name'] }),
      fc.record({
        kind: fc.constant('serviceSelector' as const), labels: plainLabels(1, 2), expressions: expressions(labelKey({ reserve: 0 })), namespace: namespaceName,
      }, { requiredKeys: ccnp ? ['kind', 'namespace'] : ['kind'] }).filter((o) => saysSomething(o) && satisfiable(o) && !mayMatchKubernetesService(o)),
    );
  }
  return fc.oneof(...options);
}

/** Whether `ports` has a layer-4 (non-ICMP) entry. */
export function hasL4(ps: PortSpec[] | undefined): boolean {
  return ps !== undefined && ps.some((p) => !p.kind.startsWith('icmp'));
}

function isServicePeer(p: PeerSpec): boolean {
  return p.kind === 'service' || p.kind === 'serviceSelector';
}

/**
 * The ports of an allow: the API server's (6443/TCP) where none are left and the peer is the `kube-apiserver` entity, whose
 * egress allow without ports the SDK refuses (`peer-kube-apiserver-every-port`: every port of the control-plane nodes; ingress is taken).
 */
function apiServerPorts(p: PeerSpec, ps: PortSpec[] | undefined): PortSpec[] | undefined {
  const apiServer = p.kind === 'kubeApiServer' || (p.kind === 'entity' && p.entity === Entity.KUBE_APISERVER);
  return ps === undefined && apiServer ? [{ kind: 'tcp', port: 6443 }] : ps;
}

/**
 * The ports of an egress allow to a Service peer, whose port-less form the SDK refuses (`peer-service-every-port`: every port of
 * the backends): before 1.17, where the agent refuses toPorts beside toServices, every port said outright (`Port.allPorts()`,
 * written as no toPorts on every version when alone); from 1.17 the ports left (`Port.allPorts()` alone among them: no toPorts),
 * or the backends' port (5432/TCP) where none are.
 */
function servicePorts(v: VersionText, ps: PortSpec[] | undefined): PortSpec[] {
  if (!atLeast(v, '1.17')) return [{ kind: 'allPorts' }];
  return ps ?? [{ kind: 'tcp', port: 5432 }];
}

/**
 * The ports of a host rule's ingress allow: a node port (30443/TCP) where none are left, as the SDK refuses a port-less host
 * ingress from a broad peer (`host-firewall-ingress-every-port`: every port of the nodes), whatever the peer.
 */
function hostIngressPorts(hostIngress: boolean, ps: PortSpec[] | undefined): PortSpec[] | undefined {
  return ps === undefined && hostIngress ? [{ kind: 'tcp', port: 30443 }] : ps;
}

/** Peers that are pods (or a Service's backends), where an egress allow keeps its named ports. */
const POD_PEERS: readonly PeerSpec['kind'][] = ['endpoints', 'namespace', 'allNamespaces', 'selectedBy', 'kubeDns', 'service', 'serviceSelector'];

/** Whether a port is a named port. */
export function isNamedPortSpec(p: PortSpec): boolean {
  return p.kind === 'named' || (p.kind === 'of' && p.name !== undefined);
}

/**
 * The ports of a call without the named ones the SDK refuses there (`undefined` when none is left): an egress deny's, and an
 * egress allow's to a peer that is not pods (Cilium resolves egress names across every pod of the cluster: `port-name-egress-*`),
 * and, in a host rule, an ingress call's (the host has no named ports: `port-name-host-ingress`).
 */
export function withoutRefusedNamedPorts(verb: string, p: PeerSpec, ps: PortSpec[] | undefined, host = false): PortSpec[] | undefined {
  const hostIngress = host && verb.endsWith('Ingress');
  if (ps === undefined || (!hostIngress && (!verb.endsWith('Egress') || (verb.startsWith('allow') && POD_PEERS.includes(p.kind))))) return ps;
  const kept = ps.filter((port) => !isNamedPortSpec(port));
  return kept.length > 0 ? kept : undefined;
}

const authentication = fc.constantFrom(...Object.values(AuthenticationMode));

/** A call valid in `ctx`. */
export function call(ctx: CallContext): fc.Arbitrary<CallSpec> {
  const v = ctx.version;
  const plainAllow = (direction: 'ingress' | 'egress'): fc.Arbitrary<CallSpec> => fc.record({
    peer: peer(ctx, direction, false),
    ports: ports(v),
    authentication: fc.option(authentication, { nil: undefined }),
    serverNames: fc.option(fc.uniqueArray(serverName, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  }).map(({ peer: p, ports: ps, authentication: auth, serverNames }): CallSpec => {
    // toServices with toPorts only from 1.17 (sanitize-services-with-ports); serverNames live in a toPorts entry.
    const portsOk = hostIngressPorts(ctx.host && direction === 'ingress', isServicePeer(p) && direction === 'egress'
      ? servicePorts(v, withoutRefusedNamedPorts('allowEgress', p, ps, ctx.host))
      : apiServerPorts(p, withoutRefusedNamedPorts(direction === 'ingress' ? 'allowIngress' : 'allowEgress', p, ps, ctx.host)));
    const options: AllowOptions = {
      ...(auth ? { authentication: auth } : {}),
      // Not to a Service before 1.17: its ports are every port said outright, written as no toPorts, where serverNames cannot live.
      ...(serverNames && hasL4(portsOk) && !(isServicePeer(p) && !atLeast(v, '1.17')) ? { serverNames } : {}),
    };
    return {
      verb: direction === 'ingress' ? 'allowIngress' : 'allowEgress', peer: p,
      ...(portsOk !== undefined ? { ports: portsOk } : {}), ...(Object.keys(options).length ? { options } : {}),
    };
  });
  const l7Allow = (direction: 'ingress' | 'egress', l7: fc.Arbitrary<L7Spec>, ps: fc.Arbitrary<PortSpec[]>): fc.Arbitrary<CallSpec> => fc.record({
    peer: peer(ctx, direction, false).filter((p) => !isServicePeer(p) || atLeast(v, '1.17')),
    ports: ps,
    l7,
    authentication: fc.option(authentication, { nil: undefined }),
  }).map(({ peer: p, ports: pp, l7: l, authentication: auth }): CallSpec => ({
    verb: direction === 'ingress' ? 'allowIngress' : 'allowEgress', peer: p, ports: pp, l7: l, ...(auth ? { options: { authentication: auth } } : {}),
  }));
  // At least one rule each: `L7.http()` without rules writes `rules: { http: [] }` (reported as an SDK gap).
  const http: fc.Arbitrary<L7Spec> = fc.uniqueArray(httpRule, { selector: httpRuleKey, minLength: 1, maxLength: 3 }).map((rules) => ({ kind: 'http', rules }));
  const kafka: fc.Arbitrary<L7Spec> = fc.uniqueArray(kafkaRule, { selector: kafkaRuleKey, minLength: 1, maxLength: 2 }).map((rules) => ({ kind: 'kafka', rules }));
  const dns: fc.Arbitrary<L7Spec> = fc.uniqueArray(dnsRule(v), { selector: dnsRuleKey, minLength: 1, maxLength: 3 }).map((rules) => ({ kind: 'dns', rules }));
  // No Service peer in an egress deny: the agent never resolves toServices there (`peer-service-deny`).
  const denyPeer = (direction: 'ingress' | 'egress'): fc.Arbitrary<PeerSpec> => peer(ctx, direction, true).filter((p) => direction === 'ingress' || !isServicePeer(p));
  const deny = (direction: 'ingress' | 'egress'): fc.Arbitrary<CallSpec> => fc.record({ peer: denyPeer(direction), ports: ports(v) })
    .map(({ peer: p, ports: ps }): CallSpec => {
      const portsOk = isServicePeer(p) && !atLeast(v, '1.17') ? undefined : withoutRefusedNamedPorts(direction === 'ingress' ? 'denyIngress' : 'denyEgress', p, ps, ctx.host);
      return { verb: direction === 'ingress' ? 'denyIngress' : 'denyEgress', peer: p, ...(portsOk !== undefined ? { ports: portsOk } : {}) };
    });
  const options: { arbitrary: fc.Arbitrary<CallSpec>; weight: number }[] = [
    { arbitrary: plainAllow('ingress'), weight: 6 },
    { arbitrary: plainAllow('egress'), weight: 6 },
    { arbitrary: deny('ingress'), weight: 3 },
    { arbitrary: deny('egress'), weight: 3 },
    { arbitrary: fc.constantFrom<CallSpec>({ verb: 'isolateIngress' }, { verb: 'isolateEgress' }), weight: 1 },
  ];
  if (!ctx.host) {
    options.push(
      { arbitrary: l7Allow('ingress', fc.oneof(http, kafka), tcpPorts), weight: 2 },
      { arbitrary: l7Allow('egress', fc.oneof(http, kafka), tcpPorts), weight: 2 },
    );
  }
  // DNS rules: egress only; in host policies from 1.17.
  if (!ctx.host || atLeast(v, '1.17')) options.push({ arbitrary: l7Allow('egress', dns, dnsPorts), weight: 2 });
  return fc.oneof(...options);
}

// ---------------------------------------------------------------------------------------------------------------------
// Rules and programs
// ---------------------------------------------------------------------------------------------------------------------

/** A printable character for `log` (`^\PC*$`): ASCII, Latin-1 letters, CJK, an astral emoji. */
const printable = fc.oneof(
  { arbitrary: chars(' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), weight: 20 },
  { arbitrary: fc.constantFrom('é', 'ü', 'ß', '中', '文', '😀', '✓'), weight: 1 },
);

/** A `log` value: at most 32 printable characters (code points), none Go's YAML readers read as a number (`-_5`). */
export const logValue: fc.Arbitrary<string> = yamlSafe(fc.string({ unit: printable, minLength: 0, maxLength: 32 }));

/**
 * A description: any text but a NEL, LS or PS, which cdk8s writes raw and go-yaml reads as a line break (refused:
 * `yaml-go-line-break`), or DEL, a C1 control or U+FFFE, which it writes raw and go-yaml refuses (`yaml-go-control-character`).
 */
export const description: fc.Arbitrary<string> = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !GO_OTHERWISE_WRITTEN_RAW.test(s));

/** Rule options and calls valid at `version` for a rule of `kind`, optionally a host rule. */
export function rule(version: VersionText, kind: ProgramKind, host: boolean): fc.Arbitrary<RuleSpec> {
  return memoized(`rule ${version} ${kind} ${host}`, () => buildRule(version, kind, host));
}

function buildRule(version: VersionText, kind: ProgramKind, host: boolean): fc.Arbitrary<RuleSpec> {
  const v = version;
  return fc.record({
    subject: host
      // `host` without a source matches reserved:host on every host endpoint: `host DoesNotExist` is refused (selector-non-identity-label).
      ? selector(labelKey().filter((k) => k !== 'host')).map((s) => ({ nodeSelector: s }))
      // A clusterwide rule always selects something specific: `{}` would put the whole cluster into default deny (refused), and a
      // selector that only excludes takes Cilium's own endpoints along (`subject-selector-only-excludes`).
      : kind === 'ClusterwidePolicy'
        ? selector().filter((s) => s.kind !== 'all' && !onlyExcludes(s)).map((s) => ({ endpointSelector: s }))
        : fc.option(selector(), { nil: undefined }).map((s) => (s ? { endpointSelector: s } : {})),
    description: fc.option(description, { nil: undefined }),
    log: atLeast(v, '1.18') ? fc.option(logValue, { nil: undefined }) : fc.constant(undefined),
    enableDefaultDeny: atLeast(v, '1.16')
      ? fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [] }), { nil: undefined })
      : fc.constant(undefined),
    labels: fc.option(record(labelKey(), labelValue, 1, 3), { nil: undefined }),
    calls: fc.array(call({ version, kind, host }), { minLength: 1, maxLength: 8 }),
  }).map((r): RuleSpec => ({
    ...r.subject,
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.log !== undefined ? { log: r.log } : {}),
    ...(r.enableDefaultDeny !== undefined ? { enableDefaultDeny: isolatable(r.enableDefaultDeny, r.calls) } : {}),
    ...(r.labels !== undefined ? { labels: r.labels } : {}),
    calls: r.calls,
  }));
}

/**
 * `enableDefaultDeny` without the `false` of a direction the calls isolate: isolating a direction the rule keeps out of
 * default deny is refused (`isolate-without-default-deny`), so a valid program does not combine them.
 */
function isolatable(d: { ingress?: boolean; egress?: boolean }, calls: readonly CallSpec[]): { ingress?: boolean; egress?: boolean } {
  const out = { ...d };
  if (out.ingress === false && calls.some((c) => c.verb === 'isolateIngress')) delete out.ingress;
  if (out.egress === false && calls.some((c) => c.verb === 'isolateEgress')) delete out.egress;
  return out;
}

/** Options of `program()`. */
export interface ProgramOptions {
  /** Fix the version. @default - any */
  readonly version?: VersionText;
  /** Fix the kind. @default - either */
  readonly kind?: ProgramKind;
}

/** A valid program. */
export function program(options: ProgramOptions = {}): fc.Arbitrary<Program> {
  return memoized(`program ${options.version ?? '*'} ${options.kind ?? '*'}`, () => buildProgramArbitrary(options));
}

function buildProgramArbitrary(options: ProgramOptions): fc.Arbitrary<Program> {
  const version = options.version ? fc.constant(options.version) : fc.constantFrom(...VERSIONS);
  const kind = options.kind ? fc.constant(options.kind) : fc.constantFrom<ProgramKind>('CiliumPolicy', 'ClusterwidePolicy');
  return fc.tuple(version, kind).chain(([v, k]) => fc.record({
    versionScope: fc.option(fc.constantFrom('chart' as const, 'app-and-chart' as const), { nil: undefined, freq: 2 }),
    chartNamespace: fc.option(namespaceName, { nil: undefined, freq: 4 }),
    policyNamespace: k === 'CiliumPolicy' ? fc.option(namespaceName, { nil: undefined, freq: 2 }) : fc.constant(undefined),
    fallbackNamespace: namespaceName,
    name: fc.option(fc.oneof(dnsSubdomain, dnsLabel(63)), { nil: undefined, freq: 2 }),
    rules: fc.array(k === 'ClusterwidePolicy' ? fc.boolean().chain((host) => rule(v, k, host)) : rule(v, k, false), { minLength: 1, maxLength: 3 }),
  }).map((r): Program => ({
    version: v,
    kind: k,
    ...(r.versionScope !== undefined ? { versionScope: r.versionScope } : {}),
    // A CiliumPolicy needs a namespace (its own or the chart's).
    ...(r.chartNamespace !== undefined || (k === 'CiliumPolicy' && r.policyNamespace === undefined)
      ? { chartNamespace: r.chartNamespace ?? r.fallbackNamespace } : {}),
    ...(r.policyNamespace !== undefined ? { policyNamespace: r.policyNamespace } : {}),
    ...(r.name !== undefined ? { name: r.name } : {}),
    rules: r.rules,
  })).filter((p) => !dnsRestrictionCancelled(p) && !l7KindsMixed(p) && !l7RestrictionCancelled(p) && !authModesMixed(p)));
}

// ---------------------------------------------------------------------------------------------------------------------
// Invalid pieces
// ---------------------------------------------------------------------------------------------------------------------

/** Where an invalid piece goes into an otherwise valid program. */
export type Injection =
  | { readonly at: 'call'; readonly call: CallSpec; readonly host?: boolean }
  | { readonly at: 'rule'; readonly options: Partial<Omit<RuleSpec, 'calls'>> }
  | { readonly at: 'policy'; readonly name?: string; readonly policyNamespace?: string };

/** One way to be wrong, and the check ids (thrown `CiliumPolicyError` or synthesis diagnostics) that may report it. */
export interface InvalidPiece {
  readonly why: string;
  readonly expect: readonly string[];
  readonly injection: Injection;
}

/** A family of invalid pieces, with the versions and kinds where they are invalid. */
export interface InvalidCategory {
  readonly name: string;
  readonly versions: readonly VersionText[];
  readonly kinds: readonly ProgramKind[];
  piece(version: VersionText, kind: ProgramKind): fc.Arbitrary<InvalidPiece>;
}

/** A program with invalid pieces, and the pieces. */
export interface InvalidProgram {
  readonly program: Program;
  readonly pieces: readonly InvalidPiece[];
}

/** Inserts the pieces at positions chosen by `seeds` (indices taken modulo the sizes). */
export function inject(base: Program, pieces: readonly InvalidPiece[], seeds: readonly [number, number][]): Program {
  let p: Program = { ...base, rules: base.rules.map((r) => ({ ...r, calls: [...r.calls] })) };
  pieces.forEach((piece, i) => {
    const [ruleSeed, posSeed] = seeds[i] ?? [0, 0];
    const inj = piece.injection;
    if (inj.at === 'policy') {
      p = {
        ...p,
        ...(inj.name !== undefined ? { name: inj.name } : {}),
        ...(inj.policyNamespace !== undefined ? { policyNamespace: inj.policyNamespace } : {}),
      };
      return;
    }
    if (inj.at === 'rule') {
      const r = ruleSeed % p.rules.length;
      const target = p.rules[r];
      const merged: RuleSpec = { ...target, ...inj.options };
      p.rules[r] = merged;
      return;
    }
    const host = inj.host === true;
    let candidates = p.rules.map((r, idx) => ({ r, idx })).filter(({ r }) => (r.nodeSelector !== undefined) === host);
    if (candidates.length === 0) {
      p.rules.push(host ? { nodeSelector: { kind: 'all' }, calls: [] } : { calls: [] });
      candidates = [{ r: p.rules[p.rules.length - 1], idx: p.rules.length - 1 }];
    }
    const { r, idx } = candidates[ruleSeed % candidates.length];
    const calls = [...r.calls];
    calls.splice(posSeed % (calls.length + 1), 0, inj.call);
    p.rules[idx] = { ...r, calls };
  });
  return p;
}

const ALL_KINDS: readonly ProgramKind[] = ['CiliumPolicy', 'ClusterwidePolicy'];

function before(min: VersionText): VersionText[] {
  return VERSIONS.filter((v) => !atLeast(v, min));
}

function from(min: VersionText): VersionText[] {
  return VERSIONS.filter((v) => atLeast(v, min));
}

function piece(why: string, expect: readonly string[], injection: Injection): InvalidPiece {
  return { why, expect, injection };
}

const anyVerbWithPeer = fc.constantFrom('allowIngress' as const, 'allowEgress' as const, 'denyIngress' as const, 'denyEgress' as const);

function peerCall(verb: 'allowIngress' | 'allowEgress' | 'denyIngress' | 'denyEgress', p: PeerSpec, ps?: PortSpec[]): CallSpec {
  return { verb, peer: p, ...(ps ? { ports: ps } : {}) };
}

/** CIDRs the API server or the agent refuses, including IPv6 zones (`fe80::1%eth0/64`), which the 1.14/1.15 CRD regex admits. */
export function badCidr(_version: VersionText): fc.Arbitrary<string> {
  return fc.oneof(badCidrAnyVersion, fc.constantFrom('fe80::1%eth0/64', '::1%x/128', '10.0.0.1%eth0/8'));
}

const badCidrAnyVersion: fc.Arbitrary<string> = fc.oneof(
  v4Address.map((a) => v4Text(a)), // bare IP
  v6Address.map((a) => v6Text(a, 'compressed')), // bare IPv6
  v4Address.chain((a) => fc.integer({ min: 33, max: 999 }).map((n) => `${v4Text(a)}/${n}`)),
  v6Address.chain((a) => fc.integer({ min: 129, max: 999 }).map((n) => `${v6Text(a, 'full')}/${n}`)),
  fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 255 }), v4Prefix).map(([a, b, p]) => `0${a}.${b}.0.0/${p}`), // leading zero
  fc.tuple(fc.integer({ min: 256, max: 999 }), v4Prefix).map(([a, p]) => `10.${a}.0.0/${p}`),
  fc.constantFrom('', ' ', '10.0.0.0/', '/8', '10.0.0/8', '10.0.0.0.0/8', 'abc', '10.0.0.0/8 ', ' 10.0.0.0/8', '10.0.0.0/-1', '10.0.0.0/8/8',
    '1:2:3:4:5:6:7:8:9/64', '12345::/16', '::g/64', '10.0.0.0/0x8', 'localhost/32', '10.0.0.0\n/8'),
  text(`${ALNUM}./:`, 1, 20).filter((s) => !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(s) && !s.includes('::') && !/^[0-9a-f:]+\/\d+$/i.test(s)),
);

/** Label values the CRD refuses. */
export const badLabelValue: fc.Arbitrary<string> = fc.oneof(
  text(ALNUM, 64, 80),
  fc.tuple(labelValue, fc.constantFrom('-', '_', '.', ' ', '/', ':', '@', 'ä', '*', '\n'), fc.constantFrom('start', 'end', 'middle'))
    .map(([v, c, where]) => {
      if (where === 'start' || v === '') return `${c}${v || 'a'}`;
      if (where === 'end') return `${v}${c}`;
      return /^[A-Za-z0-9_.-]$/.test(c) ? `${c}${v}` : `${v.slice(0, 1)}${c}${v.slice(1)}`;
    }),
);

/**
 * Label keys Cilium's selector validation refuses. Not here: keys that only become valid once Cilium prefixes their source
 * (`-app` is checked as `any.-app`), which the agent and the SDK accept although no pod can carry such a label.
 */
export const badLabelKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('a b', 'app-', 'a/b/c', '/app', 'app/', 'Example.com/app', 'app!', 'ä', 'k8s:', 'k8s:x-', 'a:b:c'),
  text(ALNUM, 64, 70),
);

/** FQDNs (names or patterns) the CRD refuses. */
export const badFqdn: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '.', 'a..b', '.example.com', 'exa mple.com', 'example!.com', 'a/b', 'example.com/path', 'ex?mple.com', 'é.com', 'a,b', 'http://x'),
  fc.tuple(fqdnName, fc.constantFrom('!', '/', ' ', '?', '~', '@', '#', '%', '+', '=', ':')).map(([n, c]) => `${n.slice(0, 3)}${c}${n.slice(3)}`),
  fc.array(text(FQDN_CHARS, 60, 63), { minLength: 5, maxLength: 5 }).map((ls) => ls.join('.')),
);

/** Port numbers outside 1-65535 or not integers. */
export const badPortNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, 65536, 70000, 1.5, 80.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_SAFE_INTEGER, -0.5),
  fc.integer({ min: 65536, max: 2 ** 31 }),
  fc.integer({ min: -(2 ** 31), max: -1 }),
  fc.double({ min: 1, max: 65535, noNaN: true }).filter((d) => !Number.isInteger(d)),
);

function badPortSpec(version: VersionText): fc.Arbitrary<{ port: PortSpec; expect: string[] }> {
  const oor = ['port-out-of-range'];
  const options: fc.Arbitrary<{ port: PortSpec; expect: string[] }>[] = [
    fc.tuple(fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const, 'any' as const), badPortNumber).map(([kind, port]) => ({ port: { kind, port }, expect: oor })),
    fc.tuple(badPortNumber.filter((n) => n !== 0), l4Protocol).map(([port, protocol]) => ({ port: { kind: 'of', port, protocol } as PortSpec, expect: oor })),
    fc.tuple(fc.constantFrom('tcpRange' as const, 'udpRange' as const), badPortNumber, portNumber, fc.boolean())
      .map(([kind, bad, good, first]) => ({ port: { kind, from: first ? bad : good, to: first ? good : bad } as PortSpec, expect: oor })),
    range.map((r) => ({ port: { kind: 'range', from: r.to, to: r.from } as PortSpec, expect: ['port-range-reversed'] })),
    range.map((r) => ({ port: { kind: 'of', port: r.to, endPort: r.from, protocol: Protocol.TCP } as PortSpec, expect: ['port-range-reversed'] })),
    fc.oneof(fc.integer({ min: 256, max: 100000 }), fc.integer({ min: -1000, max: -1 }), fc.constantFrom(1.5, Number.NaN))
      .map((type) => ({ port: { kind: 'icmpType', type } as PortSpec, expect: oor })),
    fc.constantFrom('', '-http', 'http-', 'ht--tp', '8080', 'a_b', 'toolongportname1', 'h ttp', 'ü')
      .map((name) => ({ port: { kind: 'named', name } as PortSpec, expect: ['port-name-syntax'] })),
    fc.tuple(portName, portNumber).map(([name, port]) => ({ port: { kind: 'of', name, port } as PortSpec, expect: ['port-name-and-number'] })),
    l4Protocol.map((protocol) => ({ port: { kind: 'protocol', protocol } as PortSpec, expect: ['port-protocol-needs-port'] })),
    // A protocol that is no Protocol (JavaScript): Port.of() read null as ANY.
    fc.tuple(fc.constantFrom<unknown>(null, 'tcp', 'ICMP', '', 'TCP '), portNumber, fc.constantFrom('of', 'range', 'named')).map(([protocol, port, how]) => ({
      port: (how === 'of' ? { kind: 'of', port, protocol } : how === 'range' ? { kind: 'range', from: port, to: port, protocol } : { kind: 'named', name: 'http', protocol }) as PortSpec,
      expect: ['port-protocol-unknown'],
    })),
    // A family that is no IcmpFamily (JavaScript): Icmp.named() failed with a TypeError, the helpers wrote the IPv4 type.
    fc.tuple(fc.constantFrom('ipv4', 'IPV6', 'v6', ''), fc.constantFrom<PortSpec['kind']>('icmpType', 'icmpNamed', 'icmpHelper')).map(([family, kind]) => ({
      port: (kind === 'icmpType' ? { kind, type: 8, family } : kind === 'icmpNamed' ? { kind, name: 'EchoRequest', family } : { kind, helper: 'echoRequest', family }) as PortSpec,
      expect: ['icmp-family-unknown'],
    })),
    fc.tuple(fc.constantFrom('Echo', 'PacketTooBig', 'NoSuchType', 'echo', ''), fc.constantFrom(IcmpFamily.IPV4, IcmpFamily.IPV6))
      .filter(([n, f]) => !(n in ICMP_TYPE_NAMES[f]))
      .map(([name, family]) => ({ port: { kind: 'icmpNamed', name, family } as PortSpec, expect: ['icmp-name-unknown'] })),
    // ICMP type 0 is every type of its family to Cilium (cilium/cilium#41304): refused however it is asked for.
    fc.constantFrom<PortSpec>(
      { kind: 'icmpType', type: 0 }, { kind: 'icmpType', type: 0, family: IcmpFamily.IPV6 }, { kind: 'icmpHelper', helper: 'echoReply' },
      { kind: 'icmpHelper', helper: 'echoReply', family: IcmpFamily.IPV4 }, { kind: 'icmpNamed', name: 'EchoReply', family: IcmpFamily.IPV4 },
    ).map((port) => ({ port, expect: ['icmp-type-zero'] })),
  ];
  if (!atLeast(version, '1.16')) {
    options.push(
      fc.tuple(fc.constantFrom('tcpRange' as const, 'udpRange' as const), range).map(([kind, r]) => ({ port: { kind, ...r } as PortSpec, expect: ['version-end-port'] })),
      fc.constantFrom(IcmpFamily.IPV4, IcmpFamily.IPV6).chain((f) => fc.constantFrom(...icmpNames(f))
        .map((name) => ({ port: { kind: 'icmpNamed', name, family: f } as PortSpec, expect: ['version-icmp-type-name'] }))),
    );
  }
  if (!atLeast(version, '1.19')) {
    options.push(fc.constantFrom(Protocol.VRRP, Protocol.IGMP).map((protocol) => ({
      port: { kind: 'protocol', protocol } as PortSpec, expect: ['version-protocol', 'version-port-omitted', 'crd-protocol'],
    })));
  }
  return fc.oneof(...options);
}

/** Calls whose peer is valid on `direction`. */
function validPeer(version: VersionText, kind: ProgramKind, direction: 'ingress' | 'egress', deny = false): fc.Arbitrary<PeerSpec> {
  return peer({ version, kind, host: false }, direction, deny);
}

/** Every category of invalid input, with where it is invalid. */
export const invalidCategories: readonly InvalidCategory[] = [
  {
    name: 'bad CIDR',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(anyVerbWithPeer, badCidr(v)).map(([verb, cidr]) => piece(`cidr ${JSON.stringify(cidr)}`, ['crd-cidr', 'sanitize-cidr-parse', 'peer-cidr-syntax'],
      { at: 'call', call: peerCall(verb, { kind: 'cidr', cidr }) })),
  },
  {
    name: 'bad CIDR except',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(anyVerbWithPeer, fc.oneof(
      badCidr(v).map((except) => ({ cidr: '10.0.0.0/8', except, expect: ['crd-cidr', 'sanitize-cidr-parse', 'sanitize-except-outside-cidr', 'peer-except-outside', 'peer-cidr-syntax'] })),
      fc.constantFrom(
        // Not here: an except wider than its cidr at the same address (10.0.0.0/16 except 10.0.0.0/8): the agent accepts it
        // (it checks the address only) and the SDK does too, although the except then removes the whole range.
        { cidr: '10.0.0.0/8', except: '11.0.0.0/16' }, { cidr: '10.0.0.0/16', except: '10.1.0.0/8' }, { cidr: '192.168.0.0/24', except: '192.168.1.0/28' },
        { cidr: '10.0.0.0/8', except: '2001:db8::/32' }, { cidr: '2001:db8::/32', except: '2001:db9::/48' }, { cidr: '10.1.0.0/16', except: '10.2.0.0/24' },
      ).map((c) => ({ ...c, expect: ['sanitize-except-outside-cidr', 'peer-except-outside'] })),
    )).map(([verb, c]) => piece(`cidr ${c.cidr} except ${JSON.stringify(c.except)}`, c.expect,
      { at: 'call', call: peerCall(verb, { kind: 'cidr', cidr: c.cidr, except: [c.except] }) })),
  },
  {
    name: 'IPv6 CIDR with an IPv4 tail before 1.16 (CRD regex)',
    versions: before('1.16'),
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, v6Address, fc.integer({ min: 0, max: 128 }))
      .map(([verb, a, prefix]) => {
        const cidr = `${v6Text(a & v6Mask(prefix), 'embedded')}/${prefix}`;
        return piece(`cidr ${cidr}`, ['crd-cidr'], { at: 'call', call: peerCall(verb, { kind: 'cidr', cidr }) });
      }),
  },
  {
    name: 'bad label value in a peer',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(anyVerbWithPeer, badLabelValue, labelKey({ source: true }), namespaceName, fc.nat(4))
      .map(([verb, bad, key, ns, which]) => {
        const peers: PeerSpec[] = [
          { kind: 'endpoints', namespace: ns, labels: { [key]: bad } },
          { kind: 'endpoints', namespace: bad },
          { kind: 'namespace', name: bad },
          atLeast(v, '1.16') ? { kind: 'nodes', labels: { [key.replace(/^k8s:/, '')]: bad } } : { kind: 'endpoints', allNamespaces: true, labels: { [key]: bad } },
          atLeast(v, '1.17') ? { kind: 'cidrGroupSelector', labels: { [key.replace(/^k8s:/, '')]: bad } } : { kind: 'selectedBy', selector: { kind: 'labels', labels: { [key]: bad } }, namespace: ns },
        ];
        return piece(`label value ${JSON.stringify(bad)}`, ['crd-label-value', 'namespace-name-syntax'], { at: 'call', call: peerCall(verb, peers[which]) });
      }),
  },
  {
    name: 'bad label value in a subject selector',
    versions: VERSIONS,
    kinds: ['CiliumPolicy'],
    piece: () => fc.tuple(badLabelValue, labelKey({ source: true }))
      .map(([bad, key]) => piece(`subject label value ${JSON.stringify(bad)}`, ['crd-label-value'], { at: 'rule', options: { endpointSelector: { kind: 'labels', labels: { [key]: bad } } } })),
  },
  {
    name: 'bad label key',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    // A key with a second `:` (`a:b:c`) or of a source no pod label has is refused by the peer factory first (peer-endpoints-label-source).
    piece: () => fc.tuple(anyVerbWithPeer, badLabelKey, namespaceName, fc.boolean()).map(([verb, bad, ns, expr]) => piece(`label key ${JSON.stringify(bad)}`,
      ['sanitize-selector-key', 'peer-endpoints-label-source'], {
        at: 'call',
        call: peerCall(verb, expr
          ? { kind: 'endpoints', namespace: ns, expressions: [{ op: 'Exists', key: bad }] }
          : { kind: 'endpoints', namespace: ns, labels: { [bad]: 'x' } }),
      })),
  },
  {
    name: 'In/NotIn without values',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, fc.constantFrom('In' as const, 'NotIn' as const), labelKey(), namespaceName).map(([verb, op, key, ns]) => piece(`${op} ${key} ()`,
      ['sanitize-selector-values', 'selector-empty'], { at: 'call', call: peerCall(verb, { kind: 'endpoints', namespace: ns, expressions: [{ op, key, values: [] }] }) })),
  },
  {
    name: 'bad FQDN',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.tuple(badFqdn, fc.constantFrom('fqdn' as const, 'fqdnPattern' as const, 'dnsName' as const, 'dnsPattern' as const)).map(([bad, where]) => {
      const expect = ['crd-fqdn-syntax', 'crd-fqdn-max-length', 'sanitize-fqdn-max-length', 'fqdn-syntax'];
      if (where === 'fqdn') return piece(`fqdn ${JSON.stringify(bad)}`, expect, { at: 'call', call: peerCall('allowEgress', { kind: 'fqdn', name: bad }) });
      if (where === 'fqdnPattern') return piece(`fqdn pattern ${JSON.stringify(bad)}`, expect, { at: 'call', call: peerCall('allowEgress', { kind: 'fqdnPattern', pattern: bad }) });
      const rule: DnsSpec = where === 'dnsName' ? { kind: 'name', name: bad } : { kind: 'pattern', pattern: bad };
      return piece(`dns rule ${JSON.stringify(bad)}`, expect, {
        at: 'call', call: { verb: 'allowEgress', peer: { kind: 'kubeDns' }, ports: [{ kind: 'any', port: 53 }], l7: { kind: 'dns', rules: [rule] } },
      });
    }),
  },
  {
    name: 'bad port',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v, k) => fc.tuple(anyVerbWithPeer, badPortSpec(v), fc.array(l4Port(v), { maxLength: 2 }), fc.nat()).chain(([verb, bad, good, pos]) =>
      validPeer(v, k, verb.endsWith('Ingress') ? 'ingress' : 'egress', verb.startsWith('deny')).filter((p) => !isServicePeer(p)).map((p) => {
        const ps = [...(withoutRefusedNamedPorts(verb, p, good) ?? [])];
        ps.splice(pos % (ps.length + 1), 0, bad.port);
        return piece(`port ${JSON.stringify(bad.port)}`, bad.expect, { at: 'call', call: peerCall(verb, p, ps) });
      })),
  },
  {
    name: 'port range before 1.16',
    versions: before('1.16'),
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, range, fc.constantFrom('tcpRange' as const, 'udpRange' as const, 'range' as const, 'of' as const)).map(([verb, r, how]) => {
      const port: PortSpec = how === 'of' ? { kind: 'of', port: r.from, endPort: r.to, protocol: Protocol.TCP } : { kind: how, ...r };
      return piece(`range ${r.from}-${r.to}`, ['version-end-port'], { at: 'call', call: peerCall(verb, { kind: 'entity', entity: Entity.WORLD }, [port]) });
    }),
  },
  {
    name: 'enableDefaultDeny before 1.16',
    versions: before('1.16'),
    kinds: ALL_KINDS,
    piece: () => fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [] })
      // The rule's calls may isolate a direction it turns off: that is refused first, at the call.
      .map((d) => piece(`enableDefaultDeny ${JSON.stringify(d)}`, ['version-enable-default-deny', 'isolate-without-default-deny'],
        { at: 'rule', options: { enableDefaultDeny: d } })),
  },
  {
    name: 'nodes peer before 1.16',
    versions: before('1.16'),
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, nodeLabels(1, 2)).map(([verb, labels]) => piece('Peer.nodes', ['version-nodes'], { at: 'call', call: peerCall(verb, { kind: 'nodes', labels }) })),
  },
  {
    name: 'cidrGroupSelector before 1.17',
    versions: before('1.17'),
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, plainLabels(1, 2))
      .map(([verb, labels]) => piece('Peer.cidrGroupSelector', ['version-cidr-group-selector'], { at: 'call', call: peerCall(verb, { kind: 'cidrGroupSelector', labels }) })),
  },
  {
    name: 'egress or ingress deny cidrGroup before 1.16',
    versions: before('1.16'),
    kinds: ALL_KINDS,
    // In an egress allow the agent refuses the policy (its Sanitize parses the empty cidr); in a deny it selects nothing.
    piece: () => fc.tuple(fc.constantFrom('allowEgress' as const, 'denyEgress' as const, 'denyIngress' as const), dnsSubdomain)
      .map(([verb, name]) => piece(`${verb} Peer.cidrGroup`, [verb === 'allowEgress' ? 'sanitize-egress-cidr-group-ref' : 'version-egress-cidr-group-ref'],
        { at: 'call', call: peerCall(verb, { kind: 'cidrGroup', name }) })),
  },
  {
    name: 'service peer with ports before 1.17',
    versions: before('1.17'),
    kinds: ALL_KINDS,
    // Not Port.allPorts() alone: every port said outright, which a Service peer writes as no toPorts (accepted).
    piece: () => fc.tuple(fc.constantFrom('allowEgress' as const, 'denyEgress' as const), serviceName, namespaceName, fc.array(l4Port('1.14'), { minLength: 1, maxLength: 2 })
      .filter((ps) => !ps.every((p) => p.kind === 'allPorts')))
      .map(([verb, name, namespace, ps]) => piece('service with ports', [verb === 'denyEgress' ? 'peer-service-deny' : 'sanitize-services-with-ports'],
        { at: 'call', call: peerCall(verb, { kind: 'service', name, namespace }, withoutRefusedNamedPorts(verb, { kind: 'service', name, namespace }, ps) ?? [{ kind: 'tcp', port: 80 }]) })),
  },
  {
    name: 'service peer without ports',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.oneof(
      fc.record({ kind: fc.constant('service' as const), name: serviceName, namespace: namespaceName }),
      fc.record({ kind: fc.constant('serviceSelector' as const), labels: plainLabels(1, 2), namespace: namespaceName }),
    ).map((p) => piece(`allowEgress(${p.kind}) without ports`, ['peer-service-every-port'], { at: 'call', call: peerCall('allowEgress', p) })),
  },
  {
    name: 'log before 1.18',
    versions: before('1.18'),
    kinds: ALL_KINDS,
    piece: () => logValue.map((log) => piece(`log ${JSON.stringify(log)}`, ['version-log'], { at: 'rule', options: { log } })),
  },
  {
    name: 'bad log value',
    versions: from('1.18'),
    kinds: ALL_KINDS,
    piece: () => fc.oneof(
      fc.string({ unit: printable, minLength: 33, maxLength: 60 }),
      fc.tuple(logValue.map((s) => s.slice(0, 20)), fc.constantFrom('\n', '\t', '\u0000', '\u007f', '\u200b', '\u00ad', '\ud800', '\ue000')).map(([a, c]) => `${a}${c}`),
    ).map((log) => piece(`log ${JSON.stringify(log)}`, ['crd-log-value'], { at: 'rule', options: { log } })),
  },
  {
    name: '**. FQDN pattern before 1.19',
    versions: before('1.19'),
    kinds: ALL_KINDS,
    piece: () => fc.tuple(fqdnName.filter((n) => registrableWildcardExample(`**.${n}`) === undefined), fc.boolean())
      .map(([n, dns]) => piece(`**.${n}`, ['version-fqdn-double-star'], dns
        ? { at: 'call', call: { verb: 'allowEgress', peer: { kind: 'kubeDns' }, ports: [{ kind: 'udp', port: 53 }], l7: { kind: 'dns', rules: [{ kind: 'pattern', pattern: `**.${n}` }] } } }
        : { at: 'call', call: peerCall('allowEgress', { kind: 'fqdnPattern', pattern: `**.${n}` }) })),
  },
  {
    name: 'portless protocol before 1.19',
    versions: before('1.19'),
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, fc.constantFrom(Protocol.VRRP, Protocol.IGMP), fc.boolean()).map(([verb, protocol, viaOf]) => piece(`protocol ${protocol}`,
      ['version-protocol', 'version-port-omitted', 'crd-protocol'],
      { at: 'call', call: peerCall(verb, { kind: 'entity', entity: Entity.CLUSTER }, [viaOf ? { kind: 'of', protocol } : { kind: 'protocol', protocol }]) })),
  },
  {
    name: 'HTTP/Kafka L7 on a non-TCP port or port 0',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(
      fc.constantFrom('allowIngress' as const, 'allowEgress' as const),
      fc.oneof(
        fc.record({ kind: fc.constantFrom('udp' as const, 'sctp' as const, 'any' as const), port: portNumber }).map((port) => ({ port: port as PortSpec, expect: ['sanitize-l7-protocol'] })),
        fc.tuple(portNumber, fc.constantFrom(Protocol.UDP, Protocol.SCTP, Protocol.ANY, undefined))
          .map(([port, protocol]) => ({ port: { kind: 'of', port, ...(protocol ? { protocol } : {}) } as PortSpec, expect: ['sanitize-l7-protocol'] })),
        fc.constantFrom<PortSpec>({ kind: 'allTcp' }, { kind: 'of', port: 0, protocol: Protocol.TCP }).map((port) => ({ port, expect: ['sanitize-l7-port-zero', 'port-out-of-range'] })),
        fc.constantFrom<PortSpec>({ kind: 'allUdp' }, { kind: 'allPorts' }, { kind: 'allSctp' }).map((port) => ({ port, expect: ['sanitize-l7-port-zero', 'sanitize-l7-protocol'] })),
        icmpPort(v).map((port) => ({ port, expect: ['l7-with-icmp'] })),
      ),
      fc.oneof(
        fc.uniqueArray(httpRule, { selector: httpRuleKey, minLength: 1, maxLength: 2 }).map((rules): L7Spec => ({ kind: 'http', rules })),
        fc.uniqueArray(kafkaRule, { selector: kafkaRuleKey, minLength: 1, maxLength: 2 }).map((rules): L7Spec => ({ kind: 'kafka', rules })),
      ),
      tcpPorts,
      fc.nat(),
    ).map(([verb, bad, l7, good, pos]) => {
      const ps = [...good];
      ps.splice(pos % (ps.length + 1), 0, bad.port);
      return piece(`${l7.kind} on ${JSON.stringify(bad.port)}`, bad.expect, { at: 'call', call: { verb, peer: { kind: 'entity', entity: Entity.CLUSTER }, ports: ps, l7 } });
    }),
  },
  {
    name: 'L7 without ports',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(fc.constantFrom('allowIngress' as const, 'allowEgress' as const), fc.constantFrom(undefined, [] as PortSpec[]),
      fc.uniqueArray(httpRule, { selector: httpRuleKey, minLength: 1, maxLength: 2 }),
      fc.uniqueArray(dnsRule(v), { selector: dnsRuleKey, minLength: 1, maxLength: 2 }), fc.boolean())
      .map(([verb, ps, http, dns, useDns]) => piece('L7 without ports', ['l7-without-ports', 'ports-empty'], {
        at: 'call',
        call: { verb, peer: { kind: 'any' }, ...(ps ? { ports: ps } : {}), l7: useDns && verb === 'allowEgress' ? { kind: 'dns', rules: dns } : { kind: 'http', rules: http } },
      })),
  },
  {
    name: 'DNS L7 on ingress',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v, k) => fc.tuple(validPeer(v, k, 'ingress'), dnsPorts, fc.uniqueArray(dnsRule(v), { selector: dnsRuleKey, minLength: 1, maxLength: 2 }))
      .map(([p, ps, rules]) => piece('dns on ingress', ['sanitize-dns-ingress'], { at: 'call', call: { verb: 'allowIngress', peer: p, ports: ps, l7: { kind: 'dns', rules } } })),
  },
  {
    name: 'DNS L7 on a port range',
    versions: from('1.16'),
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(range, fc.uniqueArray(dnsRule(v), { selector: dnsRuleKey, minLength: 1, maxLength: 2 }))
      .map(([r, rules]) => piece(`dns on ${r.from}-${r.to}`, ['sanitize-dns-port-range'], {
        at: 'call', call: { verb: 'allowEgress', peer: { kind: 'kubeDns' }, ports: [{ kind: 'udpRange', ...r }], l7: { kind: 'dns', rules } },
      })),
  },
  {
    name: 'HTTP L7 on a port range on 1.16',
    versions: ['1.16'],
    kinds: ALL_KINDS,
    piece: () => fc.tuple(range, fc.uniqueArray(httpRule, { selector: httpRuleKey, minLength: 1, maxLength: 2 }), fc.constantFrom('allowIngress' as const, 'allowEgress' as const))
      .map(([r, rules, verb]) => piece(`http on ${r.from}-${r.to}`, ['sanitize-l7-port-range'], {
        at: 'call', call: { verb, peer: { kind: 'entity', entity: Entity.CLUSTER }, ports: [{ kind: 'tcpRange', ...r }], l7: { kind: 'http', rules } },
      })),
  },
  {
    name: 'egress-only peer on ingress',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(fc.constantFrom('allowIngress' as const, 'denyIngress' as const), fc.oneof(
      fqdnName.map((name): PeerSpec => ({ kind: 'fqdn', name })),
      fqdnPattern(v).map((pattern): PeerSpec => ({ kind: 'fqdnPattern', pattern })),
      fc.record({ kind: fc.constant('service' as const), name: serviceName, namespace: namespaceName }),
      fc.record({ kind: fc.constant('serviceSelector' as const), labels: plainLabels(1, 2) }),
    )).map(([verb, p]) => piece(`${verb}(${p.kind})`, ['peer-wrong-direction'], { at: 'call', call: peerCall(verb, p) })),
  },
  {
    name: 'egress named port to a peer that is not pods, or in an egress deny',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v, k) => fc.tuple(fc.constantFrom('allowEgress' as const, 'denyEgress' as const), portName, fc.option(l4Protocol, { nil: undefined }))
      .chain(([verb, name, protocol]) => validPeer(v, k, 'egress', verb === 'denyEgress')
        .filter((p) => !isServicePeer(p) && (verb === 'denyEgress' || !POD_PEERS.includes(p.kind)))
        .map((p) => piece(`${verb}(${p.kind}) on the named port ${name}`, [verb === 'denyEgress' ? 'port-name-egress-deny' : 'port-name-egress-peer'],
          { at: 'call', call: peerCall(verb, p, [{ kind: 'named', name, ...(protocol !== undefined ? { protocol } : {}) }]) }))),
  },
  {
    name: 'FQDN deny',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.oneof(
      fqdnName.map((name): PeerSpec => ({ kind: 'fqdn', name })),
      fqdnPattern(v).map((pattern): PeerSpec => ({ kind: 'fqdnPattern', pattern })),
    ).map((p) => piece(`denyEgress(${p.kind})`, ['peer-fqdn-deny'], { at: 'call', call: peerCall('denyEgress', p) })),
  },
  {
    name: 'clusterwide endpoint peer without namespace',
    versions: VERSIONS,
    kinds: ['ClusterwidePolicy'],
    piece: () => fc.tuple(anyVerbWithPeer, fc.oneof(
      fc.record({ labels: podLabels(1, 2), expressions: expressions(labelKey()) }, { requiredKeys: [] })
        .filter((o) => saysSomething(o) && satisfiable(o))
        .map((o): PeerSpec => ({ kind: 'endpoints', ...o })),
      selector().map((s): PeerSpec => ({ kind: 'selectedBy', selector: s })),
    // A host rule's ingress allow gets a port: without one, a peer of every pod is refused first as every port of the nodes.
    ), fc.boolean()).map(([verb, p, host]) => piece(`${verb}(${p.kind} without namespace)`, ['peer-namespace-required'],
      { at: 'call', call: peerCall(verb, p, host && verb === 'allowIngress' ? [{ kind: 'tcp', port: 30443 }] : undefined), host })),
  },
  {
    name: 'HTTP/Kafka L7 in a host policy',
    versions: VERSIONS,
    kinds: ['ClusterwidePolicy'],
    piece: () => fc.tuple(fc.constantFrom('allowIngress' as const, 'allowEgress' as const), fc.oneof(
      fc.uniqueArray(httpRule, { selector: httpRuleKey, minLength: 1, maxLength: 2 }).map((rules): L7Spec => ({ kind: 'http', rules })),
      fc.uniqueArray(kafkaRule, { selector: kafkaRuleKey, minLength: 1, maxLength: 2 }).map((rules): L7Spec => ({ kind: 'kafka', rules })),
    ), tcpPorts).map(([verb, l7, ps]) => piece(`${l7.kind} in a host policy`, ['sanitize-host-l7'],
      { at: 'call', call: { verb, peer: { kind: 'entity', entity: Entity.CLUSTER }, ports: ps, l7 }, host: true })),
  },
  {
    name: 'DNS L7 in a host policy before 1.17',
    versions: before('1.17'),
    kinds: ['ClusterwidePolicy'],
    piece: (v) => fc.tuple(dnsPorts, fc.uniqueArray(dnsRule(v), { selector: dnsRuleKey, minLength: 1, maxLength: 2 })).map(([ps, rules]) => piece('dns in a host policy', ['sanitize-host-l7'],
      { at: 'call', call: { verb: 'allowEgress', peer: { kind: 'kubeDns' }, ports: ps, l7: { kind: 'dns', rules } }, host: true })),
  },
  {
    name: 'node selector in a CiliumPolicy',
    versions: VERSIONS,
    kinds: ['CiliumPolicy'],
    // A nodeSelector makes the rule a host rule, so a named ingress port of its calls is refused first (the host has none),
    // and so is a port-less ingress allow of a broad peer of its calls (every port of the nodes).
    piece: () => selector(labelKey()).map((s) => piece('nodeSelector in a CNP', ['sanitize-cnp-node-selector', 'rule-two-selectors', 'port-name-host-ingress',
      'host-firewall-ingress-every-port'],
    { at: 'rule', options: { nodeSelector: s } })),
  },
  {
    name: 'endpoints peer with two namespace choices',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, namespaceName, namespaceLabels, fc.nat(2)).map(([verb, ns, nl, which]) => {
      const choices: PeerSpec[] = [
        { kind: 'endpoints', namespace: ns, allNamespaces: true },
        { kind: 'endpoints', namespace: ns, namespaceLabels: nl },
        { kind: 'endpoints', allNamespaces: true, namespaceLabels: nl },
      ];
      return piece('two namespace choices', ['peer-namespace-ambiguous'], { at: 'call', call: peerCall(verb, choices[which]) });
    }),
  },
  {
    name: 'bad L7 rule content',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(fc.constantFrom('allowIngress' as const, 'allowEgress' as const), fc.oneof(
      fc.constantFrom('(', '[a-', '*', 'a{2,1}', '(?=x)', '\\', 'a**', '(?<=a)b', 'x{1001}')
        .map((path) => ({ l7: { kind: 'http', rules: [{ kind: 'get', path }] } as L7Spec, expect: ['sanitize-http-regex'] })),
      fc.constantFrom('(', '[', 'GET|(').map((method) => ({ l7: { kind: 'http', rules: [{ kind: 'of', options: { method } }] } as L7Spec, expect: ['sanitize-http-regex'] })),
      // A regex whose RE2 program is certainly larger than Envoy's limit of 100 (libre2: 101, 104, 155).
      fc.constantFrom(`/${'a'.repeat(96)}`, '/api/v1/namespaces/kube-system/configmaps/cluster-autoscaler-status-and-leader-election-lock/pods/[0-9]+',
        `/${'b'.repeat(150)}`)
        .map((path) => ({ l7: { kind: 'http', rules: [{ kind: 'get', path }] } as L7Spec, expect: ['l7-http-regex-too-large'] })),
      fc.constantFrom('', '1abc', 'a-b', 'a b').map((service) => ({ l7: { kind: 'http', rules: [{ kind: 'grpcMethod', service, method: 'Get' }] } as L7Spec, expect: ['grpc-name-syntax'] })),
      fc.constantFrom('', 'a.b', '1x').map((method) => ({ l7: { kind: 'http', rules: [{ kind: 'grpcMethod', service: 'pkg.Svc', method }] } as L7Spec, expect: ['grpc-name-syntax'] })),
      fc.constantFrom('nosuchkey', 'produceX').map((apiKey) => ({ l7: { kind: 'kafka', rules: [{ kind: 'of', options: { apiKey } }] } as L7Spec, expect: ['sanitize-kafka-api-key'] })),
      fc.constantFrom('x', '-1', '32768', '1.0').map((apiVersion) => ({ l7: { kind: 'kafka', rules: [{ kind: 'of', options: { apiVersion } }] } as L7Spec, expect: ['sanitize-kafka-api-version'] })),
      fc.constantFrom('a b', 'to/pic', 'tö', 'a:b').map((topic) => ({ l7: { kind: 'kafka', rules: [{ kind: 'produce', topic }] } as L7Spec, expect: ['sanitize-kafka-topic'] })),
      text(ALNUM, 256, 300).map((topic) => ({ l7: { kind: 'kafka', rules: [{ kind: 'produce', topic }] } as L7Spec, expect: ['crd-kafka-topic-max-length'] })),
      fc.tuple(fc.constantFrom(KafkaRole.PRODUCE, KafkaRole.CONSUME), fc.constantFrom(...KAFKA_API_KEYS))
        .map(([role, apiKey]) => ({ l7: { kind: 'kafka', rules: [{ kind: 'of', options: { role, apiKey } }] } as L7Spec, expect: ['kafka-role-and-apikey'] })),
      fc.constant({
        l7: { kind: 'http', rules: [{ kind: 'of', options: { headerMatches: [{ name: '' }] } }] } as L7Spec,
        // HttpRule.of() refuses the blank name first (l7-field-blank); the schema and the agent would too.
        expect: ['l7-field-blank', atLeast(v, '1.16') ? 'crd-header-match-name' : 'sanitize-header-name-missing'],
      }),
      fc.constant({
        l7: { kind: 'http', rules: [{ kind: 'of', options: { headerMatches: [{ name: 'X-A', secretName: '' }] } }] } as L7Spec,
        expect: ['l7-field-blank', 'crd-header-secret', 'sanitize-header-secret-name'],
      }),
      fc.constant({ l7: { kind: 'http', rules: [{ kind: 'of', options: { headerMatches: [{ name: 'X-A', mismatch: 'DROP' as HeaderMismatchAction }] } }] } as L7Spec, expect: ['crd-header-match-mismatch'] }),
      fc.tuple(namespaceName, fc.option(headerValue.filter((x) => x.trim() !== ''), { nil: undefined })).map(([secretNamespace, value]) => ({
        l7: { kind: 'http', rules: [{ kind: 'of', options: { path: '/x', headerMatches: [{ name: 'X-A', secretNamespace, ...(value !== undefined ? { value } : {}) }] } }] } as L7Spec,
        expect: ['l7-header-secret-without-name'],
      })),
    ), tcpPorts).map(([verb, bad, ps]) => piece(`L7 ${JSON.stringify(bad.l7)}`, bad.expect, { at: 'call', call: { verb, peer: { kind: 'entity', entity: Entity.CLUSTER }, ports: ps, l7: bad.l7 } })),
  },
  {
    name: 'serverNames with L7 rules',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.tuple(fc.uniqueArray(serverName, { minLength: 1, maxLength: 2 }),
      fc.uniqueArray(httpRule, { selector: httpRuleKey, minLength: 1, maxLength: 2 }), tcpPorts)
      .map(([serverNames, rules, ps]) => piece('serverNames + http', ['sanitize-server-names-with-l7'], {
        at: 'call', call: { verb: 'allowEgress', peer: { kind: 'entity', entity: Entity.WORLD }, ports: ps, l7: { kind: 'http', rules }, options: { serverNames } },
      })),
  },
  {
    name: 'bad server names',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (v) => fc.tuple(tcpPorts, atLeast(v, '1.18')
      ? fc.oneof(
        fc.constantFrom('', 'a b', 'ex!ample.com', 'a.*.com', '***.a.com', '.a.com').map((n) => ({ names: [n], expect: ['crd-server-name-syntax'] })),
        serverName.map((n) => ({ names: [n, n], expect: ['crd-server-names-duplicate'] })),
        fc.array(text(FQDN_CHARS, 60, 63), { minLength: 5, maxLength: 5 }).map((ls) => ({ names: [ls.join('.')], expect: ['crd-server-name-syntax'] })),
      )
      : fc.constant({ names: [''] as string[], expect: ['sanitize-server-name-empty'] }))
      .map(([ps, bad]) => piece(`serverNames ${JSON.stringify(bad.names)}`, bad.expect, {
        at: 'call', call: { verb: 'allowEgress', peer: { kind: 'entity', entity: Entity.WORLD }, ports: ps, options: { serverNames: bad.names } },
      })),
  },
  {
    name: 'bad cidrGroup name',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.constantFrom('', 'Upper', 'a_b', '-a', 'a-', 'a..b', 'a b', 'x'.repeat(254))
      .map((name) => piece(`cidrGroup ${JSON.stringify(name)}`, ['crd-cidr-group-ref'], { at: 'call', call: peerCall('allowIngress', { kind: 'cidrGroup', name }) })),
  },
  {
    name: 'bad entity',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: () => fc.tuple(anyVerbWithPeer, fc.constantFrom('world-ipv4', 'world-ipv6', 'World', '', 'everything'))
      .map(([verb, entity]) => piece(`entity ${JSON.stringify(entity)}`, ['crd-entity'], { at: 'call', call: peerCall(verb, { kind: 'entity', entity }) })),
  },
  {
    name: 'bad metadata',
    versions: VERSIONS,
    kinds: ALL_KINDS,
    piece: (_v, k) => fc.oneof(
      fc.constantFrom('Bad_Name', 'UPPER', '-a', 'a-', 'a b', 'x'.repeat(254), 'a..b').map((name) => piece(`name ${JSON.stringify(name)}`, ['crd-metadata-name'], { at: 'policy', name })),
      ...(k === 'CiliumPolicy'
        ? [fc.constantFrom('Bad', 'a_b', 'a.b', '-a', 'x'.repeat(64)).map((ns) => piece(`namespace ${JSON.stringify(ns)}`, ['crd-metadata-namespace', 'namespace-name-syntax'], { at: 'policy', policyNamespace: ns }))]
        : []),
    ),
  },
];

/** A valid program with one invalid piece of `category`. */
export function invalidProgram(category: InvalidCategory): fc.Arbitrary<InvalidProgram> {
  // The versions at both ends of the range (for version gates: the newest one that lacks the feature) come up more often.
  const vs = category.versions;
  const versionArb = fc.oneof(fc.constant(vs[0]), fc.constant(vs[vs.length - 1]), fc.constantFrom(...vs));
  const arbitraries = new Map<string, fc.Arbitrary<InvalidProgram>>();
  return fc.tuple(versionArb, fc.constantFrom(...category.kinds)).chain(([version, kind]) => {
    const key = `${version} ${kind}`;
    if (!arbitraries.has(key)) {
      arbitraries.set(key, fc.record({
        base: program({ version, kind }),
        piece: category.piece(version, kind),
        seed: fc.tuple(fc.nat(), fc.nat()),
      }).map(({ base, piece: p, seed }) => ({ program: inject(base, [p], [seed]), pieces: [p] })));
    }
    return arbitraries.get(key) as fc.Arbitrary<InvalidProgram>;
  });
}

/** A program with 0-3 invalid pieces from any category that applies to its version and kind. */
export function mixedProgram(): fc.Arbitrary<InvalidProgram> {
  return fc.tuple(fc.constantFrom(...VERSIONS), fc.constantFrom(...ALL_KINDS)).chain(([version, kind]) => memoized(`mixed ${version} ${kind}`, () => {
    const categories = invalidCategories.filter((c) => c.versions.includes(version) && c.kinds.includes(kind));
    const anyPiece = fc.oneof(...categories.map((c) => c.piece(version, kind)));
    return fc.record({
      base: program({ version, kind }),
      pieces: fc.oneof(
        { arbitrary: fc.constant([] as InvalidPiece[]), weight: 1 },
        { arbitrary: fc.array(anyPiece, { minLength: 1, maxLength: 3 }), weight: 2 },
      ),
      seeds: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 3, maxLength: 3 }),
    }).map(({ base, pieces, seeds }) => ({ program: inject(base, pieces, seeds as [number, number][]), pieces }));
  }));
}
