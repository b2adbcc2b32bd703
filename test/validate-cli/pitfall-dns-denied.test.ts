// `pitfall-dns-denied` / `pitfall-dns-tcp-denied` (src/validate/pitfall-dns.ts: dnsDenied) as a truth table: an egressDeny
// of the pods {app: web} in shop beside a clusterwide allow of DNS to kube-dns. Each case gives the finding (which id,
// which protocols it says are lost) and asserts that the engine's verdict of web → kube-dns on 53/UDP and 53/TCP agrees:
// a protocol the finding names is denied by the engine, one it does not name is allowed.
import { describe, expect, it } from 'vitest';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
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

interface Outcome { readonly id?: string; readonly lost?: string }

/** The finding for web's deny item (none, or its id and the protocols it names), checked against the engine's verdicts. */
function judge(item: Doc, extra: Doc = {}): Outcome {
  const docs = [ALLOW_DNS, denyOf(item, extra)];
  const report = check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion: '1.19' });
  const found = [...findings(report, 'pitfall-dns-denied'), ...findings(report, 'pitfall-dns-tcp-denied')];
  expect(found.length).toBeLessThanOrEqual(1);
  const lost = found.length === 0 ? undefined : /on (53\/UDP and 53\/TCP|53\/UDP|53\/TCP),/.exec(found[0].message)?.[1];
  const set = PolicySet.fromYaml(docs.map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'p.yaml' });
  for (const protocol of ['UDP', 'TCP']) {
    const verdict = verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', `53/${protocol}`).verdict;
    expect(verdict, `53/${protocol}`).toBe(lost?.includes(protocol) ? 'denied' : 'allowed');
  }
  return found.length === 0 ? {} : { id: found[0].id, lost };
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

  it('no second finding for a deny whose protocol does not parse (udp): the parse/CRD error has it', () => {
    for (const item of [{ ...KUBE_SYSTEM, ...ports({ port: '53', protocol: 'udp' }) }]) {
      const report = check({ 'd0.yaml': JSON.stringify(ALLOW_DNS), 'd1.yaml': JSON.stringify(denyOf(item)) }, { ciliumVersion: '1.19' });
      expect([...findings(report, 'pitfall-dns-denied'), ...findings(report, 'pitfall-dns-tcp-denied')], JSON.stringify(item)).toEqual([]);
      expect(report.diagnostics.some((d) => d.severity === 'error' && d.file === 'd1.yaml'), JSON.stringify(item)).toBe(true);
    }
  });
});
