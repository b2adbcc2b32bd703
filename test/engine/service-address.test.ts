// Session 57: a server end at a Service's own address (its ClusterIP, external or load-balancer IP) was judged as an
// address outside the cluster (the world identity), so `toCIDR: [10.96.0.0/12]` let `pod → cidr:10.96.12.34` through.
// Cilium translates a connection to a Service address to one of its backends before any policy decides it (bpf/bpf_lxc.c:
// socket-level translation or `__per_packet_lb_svc_xlate_4`, then `handle_ipv4_from_lxc`'s policy on the backend's
// identity), so no policy judges the address: trace, the matchers and the public verdicts refuse such a connection
// (`engine-service-address`), and the Service itself (`svc:`) is judged by its backends.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { Connectivity } from '../../src';
import { IpFamilies, PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { readManifest } from '../../src/model/manifests';
import { cnp, labels, policySet } from './helpers';

const WEB = 'pod:shop:app=web';
const service = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec }, ...(status ? { status } : {}),
});
// web may reach the service CIDR 10.96.0.0/12, 203.0.113.0/24 and fd00::/64 on 80/TCP and 8080/TCP, nothing else.
const web = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [
  { toCIDR: ['10.96.0.0/12', '203.0.113.0/24', 'fd00::/64'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '8080', protocol: 'TCP' }] }] },
  { toFQDNs: [{ matchPattern: '*.example.com' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
  { toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })],
    toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
] }, 'shop');
const docs = [
  web,
  service('api', { clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34', 'fd00::12:34'], externalIPs: ['203.0.113.7'] },
    { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } }),
  service('headless', { clusterIP: 'None' }),
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c' }] } } } },
];

/** The id of the error the matchers refuse the connection with, or the verdict. */
function judge(set: PolicySet, to: string, port = '80/TCP'): string {
  try {
    return verdictFor(set, WEB, to, port).allowed ? 'allowed' : 'denied';
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e.id;
    throw e;
  }
}

describe('a server end at a Service address is not judged (engine-service-address)', () => {
  const set = policySet(docs);
  test('every address of the Service, however written, is refused; other addresses of the same blocks are judged', () => {
    const table: [string, string][] = [
      ['cidr:10.96.12.34', 'engine-service-address'], // clusterIP (was: allowed by toCIDR 10.96.0.0/12)
      ['cidr:203.0.113.7', 'engine-service-address'], // externalIPs
      ['cidr:203.0.113.9', 'engine-service-address'], // status.loadBalancer.ingress
      ['fqdn:api.example.com@10.96.12.34', 'engine-service-address'], // a name resolving to the ClusterIP (was: allowed by toFQDNs)
      ['cidr:::ffff:10.96.12.34', 'engine-service-address'], // its IPv4-mapped form: the packets carry 10.96.12.34 (was: allowed)
      ['cidr:::ffff:203.0.113.9', 'engine-service-address'],
      ['cidr:::ffff:10.96.12.35', 'allowed'], // unmapped as the CIDR matcher does: an outside address 10.96.0.0/12 holds
      ['cidr:10.96.12.35', 'allowed'], // no Service's address: an outside address the CIDR holds
      ['cidr:203.0.113.8', 'allowed'],
      ['fqdn:www.example.com@198.51.100.1', 'allowed'],
      ['cidr:198.51.100.1', 'denied'],
    ];
    for (const [to, expected] of table) expect(judge(set, to), to).toBe(expected);
    const dual = policySet(docs, { ipFamilies: IpFamilies.DUAL });
    expect(judge(dual, 'cidr:fd00:0:0:0:0:0:12:34')).toBe('engine-service-address'); // clusterIPs, another spelling
    expect(judge(dual, 'cidr:fd00::12:35')).toBe('allowed');
  });

  test('the Service\'s backend, what Cilium judges, is denied: the CIDR rules do not select pods', () => {
    expect(judge(set, 'pod:shop:app=api', '8080/TCP')).toBe('denied');
  });

  test('the error names the Service and the fix gives it as the server; PolicySet.verdict() refuses alike', () => {
    let error: unknown;
    try {
      set.verdict({ from: set.endpoint(WEB), to: set.endpoint('cidr:10.96.12.34'), port: 80, protocol: 'TCP' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CiliumPolicyError);
    const { id, message } = error as CiliumPolicyError;
    expect(id).toBe('engine-service-address');
    expect(message).toMatch(/PolicySet\.verdict\(\).*10\.96\.12\.34 is an address of Service shop\/api in the inputs/);
    expect(message).toMatch(/fix: give the Service as the server \(svc:shop\/api:80/);
  });

  test('a selector-less Service: the fix names its backends, the API server for default/kubernetes', () => {
    const kubernetes = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' },
      spec: { clusterIP: '10.96.0.1', ports: [{ port: 443, targetPort: 6443 }] } };
    const external = { ...kubernetes, metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: '10.96.0.2', ports: [{ port: 5432 }] } };
    const withApi = policySet([web, kubernetes, external]);
    const fixOf = (to: string): string => {
      try {
        verdictFor(withApi, WEB, to, '443/TCP');
      } catch (e) {
        if (e instanceof CiliumPolicyError && e.id === 'engine-service-address') return e.fix ?? '';
      }
      return 'judged';
    };
    expect(fixOf('cidr:10.96.0.1')).toMatch(/entity:kube-apiserver/);
    expect(fixOf('cidr:10.96.0.2')).toMatch(/a backend of Service shop\/db .*cidr:<ip>/);
  });

  test('a cluster DNS name of a Service of the inputs, whatever address it is given with, is refused; ExternalName is not', () => {
    // web may reach *.shop/other.svc.cluster.local and *.example.com by name on 80/TCP (a toFQDNs rule Cilium never applies in the cluster).
    const byName = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [
      { toFQDNs: [{ matchPattern: '*.shop.svc.cluster.local' }, { matchPattern: '*.other.svc.cluster.local' }, { matchPattern: '*.example.com' },
        { matchPattern: '*.db.shop.svc.cluster.local' }, { matchPattern: '*.nosuch.shop.svc.cluster.local' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      { toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })],
        toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    ] }, 'shop');
    const ext = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'shop' }, spec: { type: 'ExternalName', externalName: 'api.example.com' } };
    const set = policySet([byName, service('api', {}), service('db', { clusterIP: 'None' }), ext]);
    const table: [string, string][] = [
      ['fqdn:api.shop.svc.cluster.local@10.96.40.1', 'engine-service-address'], // ClusterIP not written: found by the name (was: allowed)
      ['fqdn:API.shop.svc.cluster.local.@10.96.40.1', 'engine-service-address'],
      ['fqdn:db.shop.svc.cluster.local@10.0.1.7', 'engine-service-address'], // headless: a pod's address (was: allowed)
      // A headless Service's per-pod name (a StatefulSet pod's) resolves to the pod's address (was: allowed).
      ['fqdn:web-0.db.shop.svc.cluster.local@10.0.1.8', 'engine-service-address'],
      ['fqdn:WEB-1.db.shop.svc.cluster.local.@10.0.1.9', 'engine-service-address'],
      ['fqdn:_http._tcp.api.shop.svc.cluster.local@10.96.40.4', 'engine-service-address'], // an SRV name of the Service (was: denied)
      ['fqdn:web-0.nosuch.shop.svc.cluster.local@10.0.1.10', 'allowed'], // under no Service of the inputs
      ['fqdn:ext.shop.svc.cluster.local@203.0.113.5', 'allowed'], // ExternalName: an alias of an outside name
      ['fqdn:web.shop.svc.cluster.local@10.96.40.2', 'allowed'], // no such Service in the inputs
      ['fqdn:api.other.svc.cluster.local@10.96.40.3', 'allowed'],
      ['fqdn:www.example.com@203.0.113.6', 'allowed'],
    ];
    for (const [to, expected] of table) expect(judge(set, to), to).toBe(expected);
  });

  test('a headless Service\'s name: the refusal says it resolves to pod addresses, nothing translated, and gives its pods (session 59)', () => {
    // Was: "Cilium translates a connection to a Service address to one of its backends" and `svc:shop/db:80` as the fix.
    const set = policySet([web, service('api', {}), service('db', { clusterIP: 'None' }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'shop' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }]);
    const refusal = (to: string): string => {
      try {
        set.decide({ from: set.endpoint(WEB), to: set.endpoint(to), port: 80, protocol: 'TCP' });
      } catch (e) {
        if (e instanceof CiliumPolicyError) return `${e.id}: ${e.message} fix: ${e.fix ?? ''}`;
      }
      return 'judged';
    };
    const headless = refusal('fqdn:web-0.db.shop.svc.cluster.local@10.0.1.8');
    expect(headless).toMatch(/^engine-service-address: .*is a cluster DNS name of headless Service shop\/db in the inputs \(clusterIP: None;.*not to a Service address: nothing is translated/);
    expect(headless).not.toMatch(/translates a connection to a Service address/);
    expect(headless).toMatch(/fix: give a pod of the Service as the server \(pod:shop:app=db, on its container port\)$/);
    expect(refusal('fqdn:ext.shop.svc.cluster.local@192.0.2.10')).toMatch(/headless Service shop\/ext[\s\S]*fix: give a backend of Service shop\/ext .*cidr:<ip>/);
    // A Service with a ClusterIP: its name resolves to the ClusterIP, which is translated (the words as before).
    expect(refusal('fqdn:api.shop.svc.cluster.local@10.96.40.1')).toMatch(/which resolves to its ClusterIP; Cilium translates [\s\S]*fix: give the Service as the server \(svc:shop\/api:80/);
    expect(readManifest(service('db', { clusterIP: 'None' }))).toMatchObject({ service: { headless: true } });
    expect(readManifest(service('db', {}))).not.toMatchObject({ service: { headless: true } });
  });

  test('a headless Service (clusterIP: None) and a Service without written addresses hold no address', () => {
    expect(readManifest(service('headless', { clusterIP: 'None' }))).toMatchObject({ type: 'service' });
    const read = readManifest(service('headless', { clusterIP: 'None', externalIPs: ['', 'not-an-ip'] }));
    expect(read?.type === 'service' ? read.service.virtualAddresses : 'no service').toBeUndefined();
    const plain = policySet([web, service('api', {})]);
    expect(judge(plain, 'cidr:10.96.12.34')).toBe('allowed');
  });

  test('PolicySet.decide() refuses alike, and _mayLeaveUnjudged (the diff and report matrices) says the pair may be not judged', () => {
    const ask = (to: string): string => {
      try {
        return set.decide({ from: set.endpoint(WEB), to: set.endpoint(to), port: 80, protocol: 'TCP' });
      } catch (e) {
        if (e instanceof CiliumPolicyError) return `${e.id}: ${e.message}`;
        throw e;
      }
    };
    // Asked twice: the second answer comes from the kept records (was: allowed, the refusal skipped).
    for (let i = 0; i < 2; i++) {
      expect(ask('cidr:10.96.12.34')).toMatch(/^engine-service-address: PolicySet\.decide\(\).*10\.96\.12\.34 is an address of Service shop\/api/);
      expect(ask('cidr:::ffff:10.96.12.34')).toMatch(/^engine-service-address: /);
      expect(ask('fqdn:api.example.com@203.0.113.7')).toMatch(/^engine-service-address: /);
      expect(ask('cidr:10.96.12.35')).toBe('allowed');
      expect(ask('cidr:198.51.100.1')).toBe('denied');
    }
    const web = set.endpoint(WEB);
    const may = (to: string): boolean => policySet(docs)._mayLeaveUnjudged(web, set.endpoint(to));
    expect([may('cidr:10.96.12.34'), may('cidr:::ffff:203.0.113.9'), may('cidr:10.96.12.35'), may('pod:shop:app=api')]).toEqual([true, true, false, false]);
    const judged = set._judgedDecision({ from: web, to: set.endpoint('cidr:10.96.12.34'), port: 80, protocol: 'TCP' });
    expect(judged instanceof CiliumPolicyError ? judged.id : judged).toBe('engine-service-address');
  });

  test('the connectivity report lists a CIDR class at a Service address as not judged, never allowed', () => {
    const toApi = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [
      { toCIDR: ['10.96.12.34/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
    ] }, 'shop');
    const doc = Connectivity.report(policySet([toApi, service('api', { clusterIP: '10.96.12.34' })]));
    const cells = doc.connections.map((c) => `${c.from} → ${c.to} ${c.ports.join(', ')}`);
    // Was: shop/app=web → world 10.96.12.34/32 80/TCP, allowed.
    expect(cells.filter((c) => c.includes('→ world 10.96.12.34/32'))).toEqual([]);
    const notes = (doc.notJudged ?? []).map((n) => n.text).filter((t) => t.includes('(engine-service-address)'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/shop\/app=web → world 10\.96\.12\.34\/32 any;.*10\.96\.12\.34 is an address of Service shop\/api/);
  });
});
