// `pitfall-dns-denied` / `pitfall-dns-tcp-denied` (src/validate/pitfall-dns.ts: dnsDenied) as a truth table: an egressDeny
// of the pods {app: web} in shop beside a clusterwide allow of DNS to kube-dns. Each case gives the finding (which id,
// which protocols it says are lost) and asserts that the engine's verdict of web → kube-dns on 53/UDP and 53/TCP agrees:
// a protocol the finding names is denied by the engine, one it does not name is allowed.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { validateApp } from '../../src/validate/validate-app';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };

const ALLOW_DNS: Doc = {
  apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'allow-dns' },
  spec: {
    endpointSelector: {}, enableDefaultDeny: { egress: false },
    egress: [{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
  },
};

function denyOf(item: Doc, extra: Doc = {}): Doc {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'no-dns', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, egressDeny: [item], ...extra },
  };
}

interface Outcome { readonly id?: string; readonly lost?: string; readonly assumed?: true }

/** CoreDNS as kubeadm deploys it: the conventional DNS ports a named port is assumed to resolve on without it. */
const COREDNS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      containers:
      - name: coredns
        image: coredns
        ports:
        - {containerPort: 53, name: dns, protocol: UDP}
        - {containerPort: 53, name: dns-tcp, protocol: TCP}
        - {containerPort: 9153, name: metrics, protocol: TCP}
`;

/**
 * The finding for web's deny item (none, or its id, the protocols it names, whether it says it assumes the DNS pods'
 * port names), checked against the engine's verdicts on the same input: a protocol the finding names is denied, one it
 * does not name is allowed. A finding that assumes the port names is checked with CoreDNS added to the engine's input
 * (the pods the assumption stands for), and the engine without it does not deny all it names (it resolves no name).
 */
function judge(item: Doc, extra: Doc = {}, inventory: readonly string[] = [], version = '1.19', clusterName = 'default'): Outcome {
  const docs = [ALLOW_DNS, denyOf(item, extra)].map((d) => JSON.stringify(d));
  const files = Object.fromEntries([...docs, ...inventory].map((d, i) => [`d${i}.yaml`, d]));
  const report = check(files, { ciliumVersion: version, clusterName });
  const found = [...findings(report, 'pitfall-dns-denied'), ...findings(report, 'pitfall-dns-tcp-denied')];
  expect(found.length).toBeLessThanOrEqual(1);
  const lost = found.length === 0 ? undefined : /on (53\/UDP and 53\/TCP|53\/UDP|53\/TCP),/.exec(found[0].message)?.[1];
  const assumed = found.length > 0 && found[0].message.includes('Assumed: the input holds no cluster DNS pods');
  const verdicts = (withDns: readonly string[]): Record<string, string> => {
    const set = PolicySet.fromYaml([...docs, ...inventory, ...withDns].join('\n---\n'), { file: 'p.yaml', ciliumVersion: CiliumVersion.parse(version), clusterName });
    return Object.fromEntries(['UDP', 'TCP'].map((p) => [p, verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', `53/${p}`).verdict]));
  };
  const judged = verdicts(assumed ? [COREDNS] : []);
  for (const protocol of ['UDP', 'TCP']) expect(judged[protocol], `53/${protocol}`).toBe(lost?.includes(protocol) ? 'denied' : 'allowed');
  if (assumed) {
    // Without them the engine resolves no name: it denies a protocol the item denies by number only, not all of those named.
    const without = verdicts([]);
    expect(['UDP', 'TCP'].filter((p) => without[p] === 'denied').every((p) => lost?.includes(p)), 'the engine without the DNS pods').toBe(true);
    expect(['UDP', 'TCP'].some((p) => lost?.includes(p) && without[p] === 'allowed'), 'the engine without the DNS pods').toBe(true);
  }
  return found.length === 0 ? {} : { id: found[0].id, lost, ...(assumed ? { assumed: true as const } : {}) };
}

const ERROR = (lost: string): Outcome => ({ id: 'pitfall-dns-denied', lost });
const BOTH = '53/UDP and 53/TCP';
const ports = (...p: Doc[]): Doc => ({ toPorts: [{ ports: p }] });
const KUBE_SYSTEM = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }] };

describe('an egressDeny that takes in kube-dns on 53', () => {
  it('by port and protocol: UDP (or both) is an error, TCP only a warning', () => {
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'UDP' }) })).toEqual(ERROR('53/UDP'));
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'TCP' }) })).toEqual({ id: 'pitfall-dns-tcp-denied', lost: '53/TCP' });
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'ANY' }) })).toEqual(ERROR(BOTH));
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53' }) })).toEqual(ERROR(BOTH));
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '50', endPort: 60, protocol: 'ANY' }) })).toEqual(ERROR(BOTH));
    expect(judge({ ...KUBE_SYSTEM })).toEqual(ERROR(BOTH)); // every port
  });

  it('by peer: the namespace, kube-dns itself, the cluster and all entities, a peer-less port deny', () => {
    expect(judge({ toEndpoints: [KUBE_DNS], ...ports({ port: '53', protocol: 'UDP' }) })).toEqual(ERROR('53/UDP'));
    expect(judge({ toEntities: ['cluster'], ...ports({ port: '53', protocol: 'ANY' }) })).toEqual(ERROR(BOTH));
    expect(judge({ toEntities: ['all'] })).toEqual(ERROR(BOTH));
    expect(judge(ports({ port: '53', protocol: 'ANY' }))).toEqual(ERROR(BOTH));
  });

  it('TCP only is an error when the same pods use toFQDNs (the DNS proxy needs the lookups)', () => {
    const fqdn = { egress: [{ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] };
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'TCP' }) }, fqdn)).toEqual(ERROR('53/TCP'));
  });

  it('no finding where the deny leaves DNS to kube-dns', () => {
    expect(judge({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], ...ports({ port: '53', protocol: 'ANY' }) })).toEqual({});
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '5353', protocol: 'ANY' }) })).toEqual({});
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '54', endPort: 60, protocol: 'ANY' }) })).toEqual({});
    expect(judge({ toEntities: ['world'], ...ports({ port: '53', protocol: 'ANY' }) })).toEqual({});
    expect(judge({ toCIDRSet: [{ cidr: '0.0.0.0/0' }], ...ports({ port: '53', protocol: 'ANY' }) })).toEqual({});
    // Narrowed: kube-system but not kube-dns.
    const notDns = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' }, matchExpressions: [{ key: 'k8s:k8s-app', operator: 'NotIn', values: ['kube-dns'] }] };
    expect(judge({ toEndpoints: [notDns], ...ports({ port: '53', protocol: 'ANY' }) })).toEqual({});
  });

  it('no second finding on a refused deny (protocol udp, port 53 unquoted): the parse/CRD error has it, and the engine allows DNS', () => {
    for (const item of [{ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'udp' }) }, { ...KUBE_SYSTEM, ...ports({ port: 53, protocol: 'UDP' }) }]) {
      const report = check({ 'd0.yaml': JSON.stringify(ALLOW_DNS), 'd1.yaml': JSON.stringify(denyOf(item)) }, { ciliumVersion: '1.19' });
      expect([...findings(report, 'pitfall-dns-denied'), ...findings(report, 'pitfall-dns-tcp-denied')], JSON.stringify(item)).toEqual([]);
      expect(report.diagnostics.some((d) => d.severity === 'error' && d.file === 'd1.yaml'), JSON.stringify(item)).toBe(true);
      expect(judge(item), JSON.stringify(item)).toEqual({}); // the engine: the policy refused, DNS allowed
    }
  });

  it('at synthesis too: a raw object of the app the API server refuses gets its error, not the pitfall', () => {
    // protocol udp (the CRD's enum refuses it) and port 53 unquoted (the API server's string type refuses it): each gets its error only.
    const refusals: [Doc, string][] = [[{ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'udp' }) }, 'udp'],
      [{ ...KUBE_SYSTEM, ...ports({ port: 53, protocol: 'UDP' }) }, 'parse-port-not-string']];
    for (const [item, refusal] of refusals) {
      const app = Testing.app();
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      new ApiObject(chart, 'allow', ALLOW_DNS as never);
      new ApiObject(chart, 'deny', denyOf(item) as never);
      const found = validateApp(app);
      expect(found.filter((d) => d.id.startsWith('pitfall-dns')), refusal).toEqual([]);
      expect(found.some((d) => d.severity === 'error' && d.constructPath === 'shop/deny'), refusal).toBe(true);
      if (refusal === 'parse-port-not-string') expect(found.filter((d) => d.severity === 'error').map((d) => d.id)).toEqual([refusal]);
      expect(judge(item), refusal).toEqual({}); // the engine: the policy refused, DNS allowed
    }
  });
});

describe('a deny on a named port: resolved on the DNS pods of the input, else on the conventional names (said to be assumed)', () => {
  const TCP_WARNING = { id: 'pitfall-dns-tcp-denied', lost: '53/TCP' };
  it('with CoreDNS in the input: each name on the protocol its pods declare it for, as the engine resolves it', () => {
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns-tcp', protocol: 'TCP' }) }, {}, [COREDNS])).toEqual(TCP_WARNING);
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns-tcp', protocol: 'ANY' }) }, {}, [COREDNS])).toEqual(TCP_WARNING);
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns', protocol: 'UDP' }) }, {}, [COREDNS])).toEqual(ERROR('53/UDP'));
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns' }) }, {}, [COREDNS])).toEqual(ERROR('53/UDP'));
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns', protocol: 'UDP' }, { port: 'dns-tcp', protocol: 'TCP' }) }, {}, [COREDNS])).toEqual(ERROR(BOTH));
    // Names CoreDNS does not give 53 on that protocol: nothing denied.
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns', protocol: 'TCP' }) }, {}, [COREDNS])).toEqual({});
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'domain', protocol: 'ANY' }) }, {}, [COREDNS])).toEqual({});
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'metrics', protocol: 'TCP' }) }, {}, [COREDNS])).toEqual({});
  });

  it('with DNS pods of other port names: those names, not the conventional ones', () => {
    const custom = COREDNS.replace('name: dns,', 'name: resolver,').replace('name: dns-tcp,', 'name: resolver-tcp,');
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'resolver-tcp', protocol: 'TCP' }) }, {}, [custom])).toEqual(TCP_WARNING);
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns-tcp', protocol: 'TCP' }) }, {}, [custom])).toEqual({});
  });

  it('without DNS pods in the input: the conventional names, the finding saying so', () => {
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns-tcp', protocol: 'TCP' }) })).toEqual({ ...TCP_WARNING, assumed: true });
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns', protocol: 'ANY' }) })).toEqual({ ...ERROR('53/UDP'), assumed: true });
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'dns', protocol: 'TCP' }) })).toEqual({});
    // 53 by number beside the name: certain.
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'UDP' }, { port: 'dns-tcp', protocol: 'TCP' }) })).toEqual({ ...ERROR(BOTH), assumed: true });
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'ANY' }, { port: 'dns-tcp', protocol: 'TCP' }) })).toEqual(ERROR(BOTH));
  });
  it('a name the input resolves (a Deployment declaring it) is no assumption, though no DNS pods are in the input', () => {
    const app = COREDNS.replace(/coredns/g, 'resolver').replace(/kube-system/g, 'shop').replace(/k8s-app: kube-dns/g, 'app: resolver')
      .replace('name: dns,', 'name: foo,');
    // The engine resolves foo on the Deployment's 53/UDP and denies it; the finding says nothing is assumed.
    expect(judge({ ...KUBE_SYSTEM, ...ports({ port: 'foo', protocol: 'UDP' }) }, {}, [app])).toEqual(ERROR('53/UDP'));
  });
  it('a name from the kube-dns Service\'s targetPort says so; a conventional one says it is read as the conventional ports', () => {
    const svc = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' },
      spec: { selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, targetPort: 'resolve', protocol: 'UDP' }] } });
    const message = (port: string): string => {
      const deny = denyOf({ ...KUBE_SYSTEM, ...ports({ port, protocol: 'UDP' }) });
      const report = check({ 'd0.yaml': JSON.stringify(ALLOW_DNS), 'd1.yaml': JSON.stringify(deny), 'd2.yaml': svc }, { ciliumVersion: '1.19' });
      return findings(report, 'pitfall-dns-denied').map((f) => f.message.replace(/^.*Assumed: /s, ''))[0] ?? '';
    };
    expect(message('resolve')).toContain('the port name "resolve" is read as the targetPort the kube-dns Service of the input gives its port 53;');
    expect(message('resolve')).not.toContain('conventional');
    expect(message('dns')).toContain('the port name "dns" is read as the conventional DNS ports (CoreDNS: dns 53/UDP, dns-tcp 53/TCP);');
  });
});

describe('a deny toward another cluster (clustermesh): the local kube-dns carries the local cluster name', () => {
  const cluster = (name: string): Doc => ({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'io.cilium.k8s.policy.cluster': name } }],
    ...ports({ port: '53', protocol: 'ANY' }) });
  it('another cluster named: no finding, on 1.18 and 1.19 (policy-default-local-cluster on or off)', () => {
    for (const version of ['1.18', '1.19']) {
      expect(judge(cluster('east'), {}, [], version), version).toEqual({});
      const notLocal = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' },
        matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'NotIn', values: ['default'] }] }], ...ports({ port: '53', protocol: 'ANY' }) };
      expect(judge(notLocal, {}, [], version), version).toEqual({});
    }
  });
  it('labels beyond kube-dns\'s known ones: no certain finding (the engine allows); a warning that it may, none for a selector of no pod', () => {
    const ks = { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' };
    const may = (labels: Doc): string[] => {
      const item = { toEndpoints: [{ matchLabels: { ...ks, ...labels } }], ...ports({ port: '53', protocol: 'ANY' }) };
      expect(judge(item), JSON.stringify(labels)).toEqual({}); // the engine allows both protocols, and no error or TCP warning
      const report = check({ 'd0.yaml': JSON.stringify(ALLOW_DNS), 'd1.yaml': JSON.stringify(denyOf(item)) }, { ciliumVersion: '1.19' });
      return findings(report, 'pitfall-dns-may-be-denied').map((f) => `${f.severity} ${f.path} ${/may take in .* on (\S+ and \S+|\S+):/.exec(f.message)?.[1]}`);
    };
    expect(may({ 'k8s:foo': 'bar' })).toEqual(['warning spec.egressDeny[0] 53/UDP and 53/TCP']);
    expect(may({ 'cilium:foo': 'bar' })).toEqual([]); // a source no pod's labels carry: the selector selects no pod
    expect(may({ 'cilium:io.cilium.k8s.policy.cluster': 'east' })).toEqual([]);
    expect(may({ 'io.cilium.k8s.policy.cluster': 'east' })).toEqual([]); // another cluster's pods
    // kube-dns's known labels imply the selector: the certain finding, as before.
    expect(judge({ toEndpoints: [{ matchLabels: ks }], ...ports({ port: '53', protocol: 'UDP' }) })).toEqual(ERROR('53/UDP'));
  });
  it('in a cluster named east (clusterName, --cluster-name): a deny to kube-dns of default is another cluster\'s, one of east the local one', () => {
    for (const version of ['1.18', '1.19']) {
      expect(judge(cluster('default'), {}, [], version, 'east'), version).toEqual({});
      const notLocal = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' },
        matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'NotIn', values: ['east'] }] }], ...ports({ port: '53', protocol: 'ANY' }) };
      expect(judge(notLocal, {}, [], version, 'east'), version).toEqual({});
      expect(judge(cluster('east'), {}, [], version, 'east'), version).toEqual(ERROR(BOTH));
      expect(judge({ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'ANY' }) }, {}, [], version, 'east'), version).toEqual(ERROR(BOTH));
    }
  });
  it('the local cluster (default, as the engine judges it) or every cluster: the finding', () => {
    expect(judge(cluster('default'))).toEqual(ERROR(BOTH));
    const every = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' },
      matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] }], ...ports({ port: '53', protocol: 'ANY' }) };
    expect(judge(every)).toEqual(ERROR(BOTH));
  });
});
