/**
 * A reference evaluator written from the spec (shared/reference/cilium-semantics.md §4–§7), sharing NO code with the
 * engine: its own selector matching, entity table, CIDR arithmetic, port parsing and precedence. It covers a deliberately
 * small grammar — the one `reference-agreement.test.ts` generates — so that every line can be checked against the spec by
 * reading it:
 *
 * - CNP (namespaced) and CCNP rules with an `endpointSelector` (matchLabels on `app`/`k8s:app`/`container:app`,
 *   matchExpressions on `app`/`tier`); sections `ingress`, `ingressDeny`, `egress`, `egressDeny` with 1+ items;
 *   `enableDefaultDeny` only for a direction the rule has;
 * - items with at most one peer field: `from/toEndpoints` (selectors as above, optionally with a namespace key),
 *   `from/toEntities` (world, cluster, host, remote-node, all), `from/toCIDR`, `from/toCIDRSet` (IPv4, with `except`), or
 *   none; and `toPorts` (numeric port strings, `endPort`, TCP/UDP/ANY) or none; allow items may also be `{}`;
 * - endpoints: pods (`ns`, `app`, optional `tier`), the local host, a remote node, world IPv4 addresses; queries on TCP/UDP.
 */

/** A label selector of the generated grammar. */
export interface RefSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: readonly string[] }[];
}

/** A `toPorts[].ports[]` entry. */
export interface RefPort {
  readonly port: string;
  readonly endPort?: number;
  readonly protocol?: 'TCP' | 'UDP' | 'ANY';
}

/** A rule item (direction-neutral: each peer field stands for its from- or to- form). */
export interface RefItem {
  readonly endpoints?: readonly RefSelector[];
  readonly entities?: readonly string[];
  readonly cidr?: readonly string[];
  readonly cidrSet?: readonly { cidr: string; except?: readonly string[] }[];
  readonly toPorts?: readonly { ports: readonly RefPort[] }[];
}

/** A rule. */
export interface RefRule {
  readonly kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  /** The CNP's namespace. */
  readonly namespace?: string;
  readonly endpointSelector: RefSelector;
  readonly ingress?: readonly RefItem[];
  readonly ingressDeny?: readonly RefItem[];
  readonly egress?: readonly RefItem[];
  readonly egressDeny?: readonly RefItem[];
  readonly enableDefaultDeny?: { ingress?: boolean; egress?: boolean };
}

/** An endpoint of the grammar. */
export type RefEndpoint =
  | { readonly kind: 'pod'; readonly ns: string; readonly app: string; readonly tier?: string }
  | { readonly kind: 'host' }
  | { readonly kind: 'remote-node' }
  | { readonly kind: 'world'; readonly ip: string };

/** How one side decided. */
export type RefDecision = 'deny-rule' | 'allow-rule' | 'allow-localhost' | 'default-deny' | 'default-allow' | 'not-evaluated';

/** The verdict of the reference. */
export interface RefVerdict {
  readonly egress: RefDecision;
  readonly ingress: RefDecision;
  readonly allowed: boolean;
}

const ALLOWING: readonly RefDecision[] = ['allow-rule', 'allow-localhost', 'default-allow', 'not-evaluated'];

/** The connection from → to on protocol/port: egress at the source AND ingress at the destination (§6.4). */
export function referenceVerdict(rules: readonly RefRule[], from: RefEndpoint, to: RefEndpoint, protocol: 'TCP' | 'UDP', port: number,
  options: { allowLocalhost: boolean }): RefVerdict {
  const egress = side(rules, 'egress', from, to, protocol, port, options);
  const ingress = side(rules, 'ingress', to, from, protocol, port, options);
  return { egress, ingress, allowed: ALLOWING.includes(egress) && ALLOWING.includes(ingress) };
}

function side(rules: readonly RefRule[], direction: 'ingress' | 'egress', subject: RefEndpoint, peer: RefEndpoint, protocol: string, port: number,
  options: { allowLocalhost: boolean }): RefDecision {
  // Only pods are subjects here: the host firewall is off, world and remote nodes are not local endpoints (§6.1, §6.4).
  if (subject.kind !== 'pod') return 'not-evaluated';
  const selecting = rules.filter((r) => selects(r, subject));
  const denySection = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const inDirection = selecting.filter((r) => (r[direction]?.length ?? 0) > 0 || (r[denySection]?.length ?? 0) > 0);
  // 1. Deny rules win over any allow (§6.3).
  for (const r of inDirection) {
    if ((r[denySection] ?? []).some((item) => itemMatches(item, r, peer, protocol, port))) return 'deny-rule';
  }
  // 2. Any matching allow item allows (items are ORed, §6.2).
  for (const r of inDirection) {
    if ((r[direction] ?? []).some((item) => itemMatches(item, r, peer, protocol, port))) return 'allow-rule';
  }
  // 3. allow-localhost: the local host reaches its pods on ingress (§6.1, last bullet).
  if (direction === 'ingress' && peer.kind === 'host' && options.allowLocalhost) return 'allow-localhost';
  // 4. Default deny when a selecting rule of this direction enables it (enableDefaultDeny unset = true, §6.1).
  if (inDirection.some((r) => r.enableDefaultDeny?.[direction] ?? true)) return 'default-deny';
  return 'default-allow';
}

/** Whether a rule's subject is the pod: a CNP only in its namespace (§7, namespace always injected), a CCNP anywhere. */
function selects(rule: RefRule, pod: Extract<RefEndpoint, { kind: 'pod' }>): boolean {
  if (rule.kind === 'CiliumNetworkPolicy' && rule.namespace !== pod.ns) return false;
  return selectorMatches(rule.endpointSelector, podLabels(pod));
}

/** A pod's labels as `source:key` → value (Kubernetes labels have source `k8s`). */
function podLabels(pod: Extract<RefEndpoint, { kind: 'pod' }>): Map<string, string> {
  const labels = new Map<string, string>([['k8s:app', pod.app], ['k8s:io.kubernetes.pod.namespace', pod.ns]]);
  if (pod.tier !== undefined) labels.set('k8s:tier', pod.tier);
  return labels;
}

/** A selector key without a source means "any source" (§7); with one, only that source. */
function lookup(labels: Map<string, string>, key: string): string | undefined {
  if (key.includes(':')) {
    const [source, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (source === 'any') return lookup(labels, name);
    return labels.get(`${source}:${name}`);
  }
  for (const [k, v] of labels) if (k.slice(k.indexOf(':') + 1) === key) return v;
  return undefined;
}

/** matchLabels AND matchExpressions (§6.2). */
function selectorMatches(s: RefSelector, labels: Map<string, string>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (lookup(labels, k) !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const value = lookup(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && (value === undefined || !values.includes(value))) return false;
    if (e.operator === 'NotIn' && value !== undefined && values.includes(value)) return false;
    if (e.operator === 'Exists' && value === undefined) return false;
    if (e.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

function hasNamespaceKey(s: RefSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).some((k) => k === 'io.kubernetes.pod.namespace' || k === 'k8s:io.kubernetes.pod.namespace' || k === 'any:io.kubernetes.pod.namespace');
}

function itemMatches(item: RefItem, rule: RefRule, peer: RefEndpoint, protocol: string, port: number): boolean {
  const hasPeerField = item.endpoints !== undefined || item.entities !== undefined || item.cidr !== undefined || item.cidrSet !== undefined;
  // `{}`: selects the endpoint but allows nothing (§6.2).
  if (!hasPeerField && item.toPorts === undefined) return false;
  return peerMatches(item, rule, peer) && portsMatch(item, protocol, port);
}

function peerMatches(item: RefItem, rule: RefRule, peer: RefEndpoint): boolean {
  if (item.endpoints !== undefined) {
    // Endpoint selectors select pods only; a CNP's selector without a namespace key gets the policy's namespace, a CCNP's
    // gets "namespace exists" (any pod) (§6.2, §7).
    if (peer.kind !== 'pod') return false;
    return item.endpoints.some((s) => {
      if (rule.kind === 'CiliumNetworkPolicy' && !hasNamespaceKey(s) && peer.ns !== rule.namespace) return false;
      return selectorMatches(s, podLabels(peer));
    });
  }
  if (item.entities !== undefined) return item.entities.some((e) => entityMatches(e, peer));
  if (item.cidr !== undefined || item.cidrSet !== undefined) {
    // CIDR rules select only peers outside the cluster (§10).
    if (peer.kind !== 'world') return false;
    const blocks = [...(item.cidr ?? []).map((cidr) => ({ cidr, except: [] as readonly string[] })), ...(item.cidrSet ?? [])];
    return blocks.some((b) => inCidr(peer.ip, b.cidr) && !(b.except ?? []).some((x) => inCidr(peer.ip, x)));
  }
  return true; // no peer field: any peer
}

/** The entity table of §5, for the endpoints of the grammar. */
function entityMatches(entity: string, peer: RefEndpoint): boolean {
  switch (entity) {
    case 'all': return true;
    case 'world': return peer.kind === 'world';
    case 'cluster': return peer.kind !== 'world';
    case 'host': return peer.kind === 'host';
    case 'remote-node': return peer.kind === 'remote-node';
    default: return false;
  }
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(base) / size) * size;
  return ipv4(ip) >= start && ipv4(ip) < start + size;
}

/** No `toPorts`: every port and protocol. Otherwise any entry's port covers the query (§4). */
function portsMatch(item: RefItem, protocol: string, port: number): boolean {
  if (item.toPorts === undefined) return true;
  return item.toPorts.some((pr) => pr.ports.some((p) => {
    const protocols = p.protocol === undefined || p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol];
    if (!protocols.includes(protocol)) return false;
    const first = goParsePort(p.port);
    const last = p.endPort !== undefined && p.endPort > first ? p.endPort : first;
    // "0" is every port, unless an endPort below 65535 makes it the range 0-endPort (PortRangeToMaskedPorts).
    if (first === 0 && (last === 0 || last >= 65535)) return true;
    return port >= first && port <= last;
  }));
}

/** Go's strconv.ParseUint(s, 0, 16) for the digit strings of the grammar: a leading 0 means octal. */
function goParsePort(s: string): number {
  let value = 0;
  const base = s.length > 1 && s[0] === '0' ? 8 : 10;
  for (const ch of s) value = value * base + (ch.charCodeAt(0) - 48);
  return value;
}
