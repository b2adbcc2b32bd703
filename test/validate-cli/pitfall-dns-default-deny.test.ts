// `pitfall-default-deny-without-dns` (src/validate/pitfall-dns.ts: defaultDenyWithoutDns, allowsDns, allowsPort53,
// dnsProviders) as a truth table: which egress allow items count as DNS for the pods they select (the port and protocol,
// the peer that can be a DNS server), which rules are an egress default deny at all, and where the finding is. Each case
// is one policy of the pods {app: web} in shop whose egress items are both its default deny and its only candidate DNS,
// and the answer is what DNS is missing ('53/UDP and 53/TCP', '53/UDP', '53/TCP') or undefined (no finding).
// Documents are written as JSON (a YAML subset), built inside each test.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { check, findings } from './helpers';

const ID = 'pitfall-default-deny-without-dns';
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const WEB = { matchLabels: { app: 'web' } };

type Doc = Record<string, unknown>;

function cnp(spec: Doc, name = 'p', namespace = 'shop'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

/** The CNP of web with these egress items. */
function web(egress: unknown[], extra: Doc = {}): Doc {
  return cnp({ endpointSelector: WEB, egress, ...extra });
}

function run(docs: readonly Doc[], ciliumVersion = '1.19'): ReturnType<typeof findings> {
  return findings(check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion }), ID);
}

/** What DNS the finding says is missing, or undefined without a finding. */
function missing(...docs: Doc[]): string | undefined {
  const found = run(docs);
  if (found.length === 0) return undefined;
  expect(found).toHaveLength(1);
  return /DNS on (53\/UDP and 53\/TCP|53\/UDP|53\/TCP) /.exec(found[0].message)?.[1];
}

const ports = (...p: Doc[]): Doc => ({ toPorts: [{ ports: p }] });
const BOTH = '53/UDP and 53/TCP';

describe('the port and protocol of an item to kube-dns', () => {
  const to = (extra: Doc): Doc => ({ toEndpoints: [KUBE_DNS], ...extra });

  it('no toPorts: all ports, DNS on both; ICMP only: no DNS', () => {
    expect(missing(web([to({})]))).toBeUndefined();
    expect(missing(web([to({ icmps: [{ fields: [{ type: 8 }] }] })]))).toBe(BOTH);
  });

  it('53 per protocol: the other one is missing; ANY and no protocol cover both', () => {
    expect(missing(web([to(ports({ port: '53', protocol: 'UDP' }))]))).toBe('53/TCP');
    expect(missing(web([to(ports({ port: '53', protocol: 'TCP' }))]))).toBe('53/UDP');
    expect(missing(web([to(ports({ port: '53', protocol: 'ANY' }))]))).toBeUndefined();
    expect(missing(web([to(ports({ port: '53' }))]))).toBeUndefined();
    expect(missing(web([to(ports({ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }))]))).toBeUndefined();
    expect(missing(web([to(ports({ port: '53', protocol: 'SCTP' }))]))).toBe(BOTH);
  });

  it('other ports, ranges, port 0 and DNS port names', () => {
    expect(missing(web([to(ports({ port: '5353', protocol: 'ANY' }))]))).toBe(BOTH);
    expect(missing(web([to(ports({ port: '50', endPort: 60, protocol: 'ANY' }))]))).toBeUndefined();
    expect(missing(web([to(ports({ port: '54', endPort: 60, protocol: 'ANY' }))]))).toBe(BOTH);
    expect(missing(web([to(ports({ port: '40', endPort: 52, protocol: 'ANY' }))]))).toBe(BOTH);
    expect(missing(web([to(ports({ port: '0', protocol: 'UDP' }))]))).toBe('53/TCP');
    expect(missing(web([to(ports({ port: 'dns', protocol: 'ANY' }))]))).toBeUndefined();
    expect(missing(web([to(ports({ port: 'domain', protocol: 'TCP' }))]))).toBe('53/UDP');
    expect(missing(web([to(ports({ port: 'http', protocol: 'ANY' }))]))).toBe(BOTH);
  });

  it('DNS port names with the DNS pods in the input: resolved on their declared ports, as the engine resolves them', () => {
    const coredns = ['dns/UDP', 'dns-tcp/TCP'].map((p) => {
      const [name, protocol] = p.split('/');
      return { containerPort: 53, name, protocol };
    });
    const deployment: Doc = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system' },
      spec: { selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, template: { metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: { containers: [{ name: 'coredns', image: 'coredns', ports: coredns }] } } },
    };
    const judged = (...p: Doc[]): { missing: string | undefined; engine: string[] } => {
      const docs = [web([to(ports(...p))]), deployment];
      const set = PolicySet.fromYaml(docs.map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'p.yaml' });
      const engine = ['UDP', 'TCP'].filter((q) => verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', `53/${q}`).verdict === 'denied');
      return { missing: missing(...docs), engine: engine.map((q) => `53/${q}`) };
    };
    // `dns` is CoreDNS's 53/UDP only: 53/TCP is missing (without the pods in the input the names are read leniently, above).
    expect(judged({ port: 'dns', protocol: 'ANY' })).toEqual({ missing: '53/TCP', engine: ['53/TCP'] });
    expect(judged({ port: 'dns', protocol: 'ANY' }, { port: 'dns-tcp', protocol: 'TCP' })).toEqual({ missing: undefined, engine: [] });
    expect(judged({ port: 'domain', protocol: 'ANY' })).toEqual({ missing: BOTH, engine: ['53/UDP', '53/TCP'] });
  });

  it('a port rule without ports covers no port (the agent makes a filter per port entry), and one matching port rule of several is enough', () => {
    expect(missing(web([to({ toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] })]))).toBe(BOTH);
    expect(missing(web([to({ toPorts: [{}] })]))).toBe(BOTH);
    expect(missing(web([to({ toPorts: [{ ports: [] }] })]))).toBe(BOTH);
    // Empty toPorts and icmps lists are L3 only (rule.go: toPorts.Len() == 0 && icmp.Len() == 0): every port.
    expect(missing(web([to({ toPorts: [] })]))).toBeUndefined();
    expect(missing(web([to({ icmps: [] })]))).toBeUndefined();
    // Without a peer, an empty list is no wildcard: `egress: [{toPorts: []}]` allows nothing, as `egress: [{}]`.
    expect(missing(web([{ toPorts: [] }]))).toBe(BOTH);
    expect(missing(web([{ icmps: [] }]))).toBe(BOTH);
    expect(missing(web([{}]))).toBe(BOTH);
    expect(missing(web([to({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }, { ports: [{ port: '53', protocol: 'ANY' }] }] })]))).toBeUndefined();
  });
});

describe('the peer on 53: something that can be a DNS server', () => {
  const on53 = (peer: Doc): Doc => ({ ...peer, ...ports({ port: '53', protocol: 'ANY' }) });

  it('a toFQDNs item is never the resolver, even with DNS rules on 53: it selects the addresses of its names only', () => {
    const fqdn = cnp({ endpointSelector: WEB, egress: [{ toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }],
      rules: { dns: [{ matchPattern: '*' }] } }] }] }, 'fqdn');
    const https = web([{ toCIDR: ['1.2.3.4/32'], ...ports({ port: '443', protocol: 'TCP' }) }]);
    expect(missing(https, fqdn)).toBe(BOTH);
    // Its DNS rules never see a lookup to the resolver either: toFQDNs learns nothing.
    const warned = findings(check({ 'fqdn.yaml': JSON.stringify(fqdn) }, { ciliumVersion: '1.19' }), 'pitfall-fqdn-without-dns');
    expect(warned.map((d) => d.path)).toEqual(['spec.egress[0].toFQDNs']);
  });

  it('DNS rules make any peer a DNS allowance; the port alone without peers too; `{}` allows nothing', () => {
    expect(missing(web([{ toEndpoints: [{ matchLabels: { app: 'other' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }]))).toBeUndefined();
    expect(missing(web([ports({ port: '53', protocol: 'ANY' })]))).toBeUndefined();
    expect(missing(web([{}]))).toBe(BOTH);
  });

  it('entities that can hold a resolver, and those that cannot', () => {
    for (const e of ['all', 'cluster', 'world', 'host', 'remote-node']) expect(missing(web([on53({ toEntities: [e] })])), e).toBeUndefined();
    for (const e of ['kube-apiserver', 'health', 'ingress']) expect(missing(web([on53({ toEntities: [e] })])), e).toBe(BOTH);
    expect(missing(web([on53({ toEntities: ['health', 'world'] })]))).toBeUndefined();
  });

  it('addresses, Services, nodes and groups can be a resolver', () => {
    expect(missing(web([on53({ toCIDR: ['10.0.0.10/32'] })]))).toBeUndefined();
    expect(missing(web([on53({ toCIDRSet: [{ cidr: '10.0.0.0/8' }] })]))).toBeUndefined();
    expect(missing(web([on53({ toServices: [{ k8sService: { serviceName: 'dns', namespace: 'infra' } }] })]))).toBeUndefined();
    expect(missing(web([on53({ toNodes: [{ matchLabels: { role: 'dns' } }] })]))).toBeUndefined();
  });

  it('pods: kube-dns, or pods of the input listening on 53; other pods are no resolver', () => {
    expect(missing(web([on53({ toEndpoints: [KUBE_DNS] })]))).toBeUndefined();
    expect(missing(web([on53({ toEndpoints: [{ matchLabels: { app: 'other' } }] })]))).toBe(BOTH);
    // Every pod of this namespace: kube-dns is not among them.
    expect(missing(web([on53({ toEndpoints: [{}] })]))).toBe(BOTH);
    const resolver = (port: number): Doc => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'resolver', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'resolver' } }, template: { metadata: { labels: { app: 'resolver' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: port, protocol: 'UDP' }] }] } } },
    });
    const webPods: Doc = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    };
    const toResolver = web([on53({ toEndpoints: [{ matchLabels: { app: 'resolver' } }] })]);
    expect(missing(toResolver, resolver(53), webPods)).toBeUndefined();
    expect(missing(toResolver, resolver(5353), webPods)).toBe(BOTH);
    // One port of several is enough.
    const twoPorts = resolver(53) as { spec: { template: { spec: { containers: { ports: unknown[] }[] } } } };
    twoPorts.spec.template.spec.containers[0].ports.push({ containerPort: 8080, protocol: 'TCP' });
    expect(missing(toResolver, twoPorts, webPods)).toBeUndefined();
  });

  it('L7 rules that are not DNS rules do not make a peer a resolver', () => {
    const http = { toEndpoints: [{ matchLabels: { app: 'other' } }], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] };
    expect(missing(web([http]))).toBe(BOTH);
  });
});

describe('which rules are an egress default deny without DNS', () => {
  it('enableDefaultDeny egress false (1.16+), deny-only egress and ingress-only rules: no finding', () => {
    expect(missing(web([{ toEndpoints: [{ matchLabels: { app: 'db' } }] }], { enableDefaultDeny: { egress: false } }))).toBeUndefined();
    expect(missing(web([{ toEndpoints: [{ matchLabels: { app: 'db' } }] }], { enableDefaultDeny: { ingress: false } }))).toBe(BOTH);
    expect(missing(cnp({ endpointSelector: WEB, egressDeny: [{ toEntities: ['world'] }] }))).toBeUndefined();
    expect(missing(cnp({ endpointSelector: WEB, ingress: [{ fromEndpoints: [WEB] }] }))).toBeUndefined();
  });

  it('Cilium\'s own endpoints and host policies are not judged', () => {
    expect(missing(cnp({ endpointSelector: { matchLabels: { 'reserved:health': '' } }, egress: [{}] }))).toBeUndefined();
    const host = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'h' }, spec: { nodeSelector: {}, egress: [{ toEntities: ['kube-apiserver'] }] } };
    expect(missing(host)).toBeUndefined();
  });

  it('DNS from another policy of the same pods counts; of other pods or another namespace not; host policies give none', () => {
    const deny = web([{ toEndpoints: [{ matchLabels: { app: 'db' } }] }]);
    const dns = (selector: Doc, namespace = 'shop'): Doc => cnp({ endpointSelector: selector, egress: [{ toEndpoints: [KUBE_DNS], ...ports({ port: '53', protocol: 'ANY' }) }] }, 'dns', namespace);
    expect(missing(deny, dns({}))).toBeUndefined();
    expect(missing(deny, dns({ matchLabels: { app: 'api' } }))).toBe(BOTH);
    expect(missing(deny, dns({}, 'other'))).toBe(BOTH);
    const hostDns = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'h' }, spec: { nodeSelector: {}, egress: [{ toEntities: ['all'] }] } };
    expect(missing(deny, hostDns)).toBe(BOTH);
  });

  it('a rule already flagged for toFQDNs without DNS is not flagged again for its default deny', () => {
    const fqdn = web([{ toFQDNs: [{ matchName: 'api.example.com' }], ...ports({ port: '443', protocol: 'TCP' }) }]);
    const report = check({ 'd.yaml': JSON.stringify(fqdn) }, { ciliumVersion: '1.19' });
    expect(findings(report, 'pitfall-fqdn-without-dns').map((d) => d.path)).toEqual(['spec.egress[0].toFQDNs']);
    expect(findings(report, ID)).toEqual([]);
  });

  it('what fails: every lookup without UDP, the lookups retried over TCP without TCP', () => {
    const to = (protocol: string): Doc => web([{ toEndpoints: [KUBE_DNS], ...ports({ port: '53', protocol }) }]);
    expect(run([to('TCP')])[0].message).toContain('every name lookup of these pods fails');
    expect(run([to('UDP')])[0].message).toContain('lookups whose answers do not fit in UDP (truncated, retried over TCP) fail');
  });

  it('the finding is on the rule\'s egress, once per document and subject, and an error', () => {
    const found = run([cnp({ endpointSelector: WEB, egress: [{}] })]);
    expect(found.map((d) => [d.path, d.severity])).toEqual([['spec.egress', 'error']]);
    const specs = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, specs: [
      { endpointSelector: WEB, egress: [{}] }, { endpointSelector: WEB, egress: [{ toEndpoints: [WEB] }] }, { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{}] },
    ] };
    expect(run([specs]).map((d) => d.path)).toEqual(['specs[0].egress', 'specs[2].egress']);
  });

  it('a NetworkPolicy: its deny-all on policyTypes, its egress rules on spec.egress', () => {
    const np = (spec: Doc): Doc => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], ...spec } });
    expect(run([np({})]).map((d) => d.path)).toEqual(['spec.policyTypes']);
    expect(run([np({ egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })]).map((d) => d.path)).toEqual(['spec.egress']);
    // A NetworkPolicy rule with ports and no peers allows every peer on them, the DNS server included.
    expect(run([np({ egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] })])).toEqual([]);
    // Only to pods of the same namespace: no resolver.
    expect(run([np({ egress: [{ to: [{ podSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] })]).map((d) => d.path)).toEqual(['spec.egress']);
    // Pods of every namespace chosen by expressions only, kube-dns left out: no resolver (not the peer-less wildcard).
    const byExpression = { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'NotIn', values: ['kube-dns'] }] } };
    expect(run([np({ egress: [{ to: [byExpression], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] })]).map((d) => d.path)).toEqual(['spec.egress']);
  });
});

// With no workload manifests, another policy's DNS covers the pods of a default deny when its subject follows from the
// deny's (`implies`, src/validate/pod-selectors.ts): every pod the deny selects is selected by the DNS policy too.
describe('DNS from another policy: covered only when its subject selects every pod of the default deny (session 47)', () => {
  const DB = { toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] };
  const deny = (endpointSelector: Doc): Doc => cnp({ endpointSelector, egress: [DB] }, 'deny');
  const dnsFor = (endpointSelector: Doc): Doc => cnp({ endpointSelector, egress: [{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] }, 'dns');
  const expr = (key: string, operator: string, values?: string[]): Doc => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });

  it.each<[string, Doc, Doc, string | undefined]>([
    ['app=web, DNS for app Exists: every app=web pod has app', WEB, expr('app', 'Exists'), undefined],
    ['app=web, DNS for tier Exists: not every app=web pod has tier', WEB, expr('tier', 'Exists'), BOTH],
    ['app=web, DNS for app NotIn (db): no app=web pod is app=db', WEB, expr('app', 'NotIn', ['db']), undefined],
    ['app=db, DNS for app NotIn (db): no app=db pod is selected', { matchLabels: { app: 'db' } }, expr('app', 'NotIn', ['db']), BOTH],
    ['app NotIn (db), DNS for app NotIn (db, cache): an app=cache pod is left out', expr('app', 'NotIn', ['db']), expr('app', 'NotIn', ['db', 'cache']), BOTH],
    ['app NotIn (db, cache), DNS for app NotIn (db): every one is selected', expr('app', 'NotIn', ['db', 'cache']), expr('app', 'NotIn', ['db']), undefined],
  ])('%s', (_name, subject, dnsSubject, expected) => {
    expect(missing(deny(subject), dnsFor(dnsSubject))).toBe(expected);
  });
});

describe('an allow of another cluster\'s kube-dns (clustermesh) is no DNS of these pods, as the engine judges it', () => {
  const other = { toEndpoints: [{ matchLabels: { 'k8s:app': 'db' } }], ...ports({ port: '5432', protocol: 'TCP' }) };
  const east = { toEndpoints: [{ matchLabels: { ...KUBE_DNS.matchLabels, 'io.cilium.k8s.policy.cluster': 'east' } }], ...ports({ port: '53', protocol: 'ANY' }) };
  const notLocal = { toEndpoints: [{ ...KUBE_DNS, matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'NotIn', values: ['default'] }] }],
    ...ports({ port: '53', protocol: 'ANY' }) };
  const local = { toEndpoints: [{ matchLabels: { ...KUBE_DNS.matchLabels, 'io.cilium.k8s.policy.cluster': 'default' } }], ...ports({ port: '53', protocol: 'ANY' }) };
  const withRules = { ...east, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
  it.each([['east', east, BOTH], ['NotIn [default]', notLocal, BOTH], ['east with DNS rules', withRules, BOTH], ['the local cluster (default)', local, undefined]])(
    '%s', (_name, item, expected) => {
      for (const version of ['1.18', '1.19']) {
        const doc = web([other, item]);
        const found = run([doc], version);
        expect(found.length === 0 ? undefined : /DNS on (53\/UDP and 53\/TCP|53\/UDP|53\/TCP) /.exec(found[0].message)?.[1], version).toBe(expected);
        const set = PolicySet.fromYaml(JSON.stringify(doc), { file: 'p.yaml', ciliumVersion: CiliumVersion.parse(version) });
        const engine = ['UDP', 'TCP'].filter((q) => verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', `53/${q}`).verdict === 'denied');
        expect(engine.length === 0 ? undefined : engine.map((q) => `53/${q}`).join(' and '), version).toBe(expected);
      }
    });
});
