// Session 58: a server end at a node (`entity:host`, `entity:remote-node`, `node:`) on a Service's node port or a
// workload's hostPort was judged as a connection to the node, so `toEntities: [remote-node]` let `pod → remote-node
// 30080/TCP` through while the Service's backend admits no such client. Cilium translates a connect to a node's address on a
// NodePort (any node) or a HostPort (the local host) to a backend (bpf/bpf_sock.c `__sock4_xlate_fwd` →
// `sock4_wildcard_lookup_full`), bpf_host's NodePort path does it for a packet from outside, and kube-proxy or the portmap
// plugin DNAT it where Cilium does not: the backend's own policy decides it, never the node's. The gate refuses such a
// connection (`engine-node-port`); the Service itself (`svc:`) is judged by its backends.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { Connectivity } from '../../src';
import { EndpointInventory, PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { cnp, labels, policySet } from './helpers';

const WEB = 'pod:shop:app=web';
const service = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});
// web may reach every node on every port; api admits only app=other on 8080/TCP.
const web = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['remote-node', 'host'] }] }, 'shop');
const api = cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [
  { fromEndpoints: [labels({ app: 'other' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
] }, 'shop');
const proxy = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'proxy', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'proxy' } }, template: { metadata: { labels: { app: 'proxy' } }, spec: { containers: [
    { name: 'c', ports: [{ containerPort: 8443, hostPort: 443 }, { containerPort: 5353, hostPort: 5353, protocol: 'UDP' }] },
  ] } } },
};
const onHost = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [
    { name: 'c', ports: [{ containerPort: 9100, hostPort: 9100 }] },
  ] } } },
};

/** The id of the error the matchers refuse the connection with, or the verdict. */
function judge(set: PolicySet, from: string, to: string, port: string): string {
  try {
    return verdictFor(set, from, to, port).allowed ? 'allowed' : 'denied';
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e.id;
    throw e;
  }
}

describe('a server end at a node on a node port or hostPort is not judged (engine-node-port)', () => {
  test('a written node port, a hostPort (not of a host-network pod), on each kind of node end; other ports are judged', () => {
    const set = policySet([web, api, service('api', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] }), proxy, onHost]);
    const table: [string, string, string][] = [
      ['entity:remote-node', '30080/TCP', 'engine-node-port'], // was: allowed by toEntities remote-node
      ['entity:host', '30080/TCP', 'engine-node-port'],
      ['node:kubernetes.io/hostname=n2@10.0.0.2', '30080/TCP', 'engine-node-port'],
      ['entity:host', '443/TCP', 'engine-node-port'], // proxy's hostPort (was: allowed)
      ['entity:host', '5353/UDP', 'engine-node-port'], // of its protocol only
      ['entity:host', '5353/TCP', 'allowed'],
      ['entity:host', '30080/UDP', 'allowed'],
      ['entity:host', '30081/TCP', 'allowed'], // the Service writes its node port: no other port of the range is its
      ['entity:host', '9100/TCP', 'allowed'], // a host-network pod's hostPort is the node's own port
      ['entity:world', '30080/TCP', 'denied'], // no node: judged as before
      ['cidr:203.0.113.5', '30080/TCP', 'denied'],
    ];
    for (const [to, port, expected] of table) expect(judge(set, WEB, to, port), `${to} ${port}`).toBe(expected);
    // From outside the cluster too: bpf_host's NodePort path translates it (the host firewall never judges it).
    expect(judge(set, 'cidr:203.0.113.5', 'entity:host', '30080/TCP')).toBe('engine-node-port');
    // What Cilium judges: the backend, whose ingress admits app=other only.
    expect(judge(set, WEB, 'pod:shop:app=api', '8080/TCP')).toBe('denied');
    expect(judge(set, 'pod:shop:app=other', 'pod:shop:app=api', '8080/TCP')).toBe('allowed');
  });

  test('a node port the manifest does not write: every port of the node-port range of its protocol, on NodePort and LoadBalancer', () => {
    const nodePort = policySet([web, api, service('api', { type: 'NodePort' })]);
    const table: [string, string][] = [
      ['29999/TCP', 'allowed'], ['30000/TCP', 'engine-node-port'], ['31234/TCP', 'engine-node-port'],
      ['32767/TCP', 'engine-node-port'], ['32768/TCP', 'allowed'], ['31234/UDP', 'allowed'],
    ];
    for (const [port, expected] of table) expect(judge(nodePort, WEB, 'entity:remote-node', port), port).toBe(expected);
    const lb = policySet([web, api, service('api', { type: 'LoadBalancer' })]);
    expect(judge(lb, WEB, 'entity:remote-node', '31234/TCP')).toBe('engine-node-port');
    // allocateLoadBalancerNodePorts: false gives none; a ClusterIP Service none.
    const noPorts = policySet([web, api, service('api', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }), service('db', {})]);
    expect(judge(noPorts, WEB, 'entity:remote-node', '31234/TCP')).toBe('allowed');
  });

  test('the error names the port and the Service, the fix gives the Service port; verdict() and decide() refuse alike', () => {
    const set = policySet([web, api, service('api', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })]);
    const query = { from: set.endpoint(WEB), to: set.endpoint('entity:remote-node'), port: 30080, protocol: 'TCP' };
    const calls = [
      (): unknown => set.verdict(query), (): unknown => set.decide(query), (): unknown => set.decide(query), (): unknown => set.evaluateNaive(query),
    ];
    for (const call of calls) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CiliumPolicyError);
      const { id, message } = error as CiliumPolicyError;
      expect(id).toBe('engine-node-port');
      expect(message).toMatch(/30080\/TCP is the node port of Service shop\/api in the inputs/);
      expect(message).toMatch(/fix: give the Service as the server \(svc:shop\/api:80/);
    }
    expect(set.decide({ ...query, port: 30081 })).toBe('allowed');
    expect(set._mayLeaveUnjudged(set.endpoint(WEB), set.endpoint('entity:host'))).toBe(true);
    expect(policySet([web, api])._mayLeaveUnjudged(set.endpoint(WEB), set.endpoint('entity:host'))).toBe(false);
  });

  test('a node end whose address is a Service\'s external or load-balancer IP: refused on that Service\'s ports only (engine-service-address)', () => {
    // Cilium looks the exact address and port up as a Service first (bpf/bpf_sock.c `__sock4_xlate_fwd`: `lb4_lookup_service`
    // before `sock4_wildcard_lookup_full`), so the Service's port of the node's address reaches its backend, not the node.
    const lbStatus = { status: { loadBalancer: { ingress: [{ ip: '10.0.0.3' }] } } };
    const set = policySet([web, api, service('ext', { selector: { app: 'api' }, externalIPs: ['10.0.0.2'] }),
      { ...service('lb', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, selector: { app: 'api' }, ports: [{ port: 8443, targetPort: 8080 }] }), ...lbStatus }]);
    const table: [string, string, string][] = [
      ['node:kubernetes.io/hostname=n2@10.0.0.2', '80/TCP', 'engine-service-address'], // was: allowed by toEntities remote-node
      ['node:kubernetes.io/hostname=n2@10.0.0.2', '81/TCP', 'allowed'], // no Service port: the node's own
      ['node:kubernetes.io/hostname=n2@10.0.0.2', '80/UDP', 'allowed'],
      ['node:kubernetes.io/hostname=n3@10.0.0.3', '8443/TCP', 'engine-service-address'],
      ['node:kubernetes.io/hostname=n3@10.0.0.3', '8444/TCP', 'allowed'],
      ['node:kubernetes.io/hostname=n4@10.0.0.4', '80/TCP', 'allowed'], // another node's address
      ['entity:remote-node', '80/TCP', 'allowed'], // no address: no Service address
      ['entity:kube-apiserver@10.0.0.2', '80/TCP', 'engine-service-address'], // a managed API server's address, likewise
      ['entity:kube-apiserver@10.0.0.2', '81/TCP', 'denied'], // judged: a managed API server is no node of toEntities
      ['cidr:10.0.0.2', '81/TCP', 'engine-service-address'], // a cidr: end at a Service address, as before
    ];
    for (const [to, port, expected] of table) expect(judge(set, WEB, to, port), `${to} ${port}`).toBe(expected);
    const query = { from: set.endpoint(WEB), to: set.endpoint('node:kubernetes.io/hostname=n2@10.0.0.2'), port: 80, protocol: 'TCP' };
    expect(() => set.decide(query)).toThrow(/10\.0\.0\.2 is an address of Service shop\/ext in the inputs on 80\/TCP, a port of it;[\s\S]*fix: give the Service as the server \(svc:shop\/ext:80/);
    expect(() => set.verdict(query)).toThrow(CiliumPolicyError);
    expect(set.decide({ ...query, port: 81 })).toBe('allowed');
    expect(set._mayLeaveUnjudged(set.endpoint(WEB), query.to)).toBe(true);
  });

  test('a ClusterIP Service with a written nodePort (which the API server refuses) gives the node no node port', () => {
    const set = policySet([web, api, service('api', { ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })]);
    expect(judge(set, WEB, 'entity:remote-node', '30080/TCP')).toBe('allowed'); // was: engine-node-port
    expect(set.inventory.hasNodePorts).toBe(false);
    const np = policySet([web, api, service('api', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })]);
    expect(judge(np, WEB, 'entity:remote-node', '30080/TCP')).toBe('engine-node-port');
  });

  test('the hostPort refusal\'s fix names a pod of the workload by its labels and the container port of the hostPort', () => {
    const set = policySet([web, api, proxy]);
    const query = (port: number, protocol: string) => ({ from: set.endpoint(WEB), to: set.endpoint('entity:host'), port, protocol });
    expect(() => set.decide(query(443, 'TCP'))).toThrow(
      /443\/TCP is a hostPort of DaemonSet shop\/proxy in the inputs;[\s\S]*fix: give a pod of DaemonSet shop\/proxy as the server \(pod:shop:app=proxy, --port 8443\/TCP:/);
    expect(() => set.decide(query(5353, 'UDP'))).toThrow(/\(pod:shop:app=proxy, --port 5353\/UDP:/);
    // The end it names is judged: api's policy does not select proxy, and web's egress allows nodes only.
    expect(judge(set, WEB, 'pod:shop:app=proxy', '8443/TCP')).toBe('denied');
  });

  test('a hostPort of a pod template of any kind (an Argo Rollout, a List item, a template nested elsewhere) is refused as well', () => {
    // Session 59: the inventory read hostPorts of the built-in kinds only, so `pod → entity:host 9101/TCP` was allowed by
    // toEntities host while the node's address on 9101 is translated to a pod of the Rollout (the kubelet's portmap or
    // Cilium's HostPort, bpf/bpf_sock.c `sock4_wildcard_lookup_full`), whatever made the pod.
    const template = (app: string, ports: Record<string, unknown>[], spec: Record<string, unknown> = {}): Record<string, unknown> => ({
      metadata: { labels: { app } }, spec: { containers: [{ name: 'c', ports }], ...spec },
    });
    const rollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'ro', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'ro' } }, template: template('ro', [{ containerPort: 9100, hostPort: 9101 }, { containerPort: 53, hostPort: 9153, protocol: 'UDP' }]) } };
    const onHostRollout = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'hn', namespace: 'shop' },
      spec: { template: template('hn', [{ containerPort: 9200, hostPort: 9200 }], { hostNetwork: true }) } };
    const listed = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', metadata: { name: 'cs', namespace: 'shop' },
      spec: { template: template('cs', [{ containerPort: 9300, hostPort: 9301 }]) } }] };
    const volcano = { apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', metadata: { name: 'vj', namespace: 'shop' },
      spec: { tasks: [{ name: 't', template: template('vj', [{ containerPort: 9400, hostPort: 9401 }]) }] } };
    const set = policySet([web, api, rollout, onHostRollout, listed, volcano]);
    const table: [string, string, string][] = [
      ['entity:host', '9101/TCP', 'engine-node-port'], // was: allowed by toEntities host
      ['entity:remote-node', '9101/TCP', 'engine-node-port'],
      ['node:kubernetes.io/hostname=n2@10.0.0.2', '9101/TCP', 'engine-node-port'],
      ['entity:host', '9153/UDP', 'engine-node-port'],
      ['entity:host', '9301/TCP', 'engine-node-port'], // a List's item (was: allowed)
      ['entity:host', '9401/TCP', 'engine-node-port'], // a known kind of another API group, its template under spec.tasks (was: allowed)
      ['entity:host', '9100/TCP', 'allowed'], // the container port is no port of the node
      ['entity:host', '9101/UDP', 'allowed'],
      ['entity:host', '9200/TCP', 'allowed'], // on the host network: the pod's port is the node's own
      ['pod:shop:app=api', '9101/TCP', 'denied'], // a pod end is judged as before
    ];
    for (const [to, port, expected] of table) expect(judge(set, WEB, to, port), `${to} ${port}`).toBe(expected);
    const query = { from: set.endpoint(WEB), to: set.endpoint('entity:host'), port: 9101, protocol: 'TCP' };
    expect(() => set.decide(query)).toThrow(
      /9101\/TCP is a hostPort of Rollout shop\/ro in the inputs;[\s\S]*fix: give a pod of Rollout shop\/ro as the server \(pod:shop:app=ro, --port 9100\/TCP:/);
    // The owners of kinds the inventory does not read are no workloads of it (the Volcano Job is read as a Job, as before).
    expect(set.inventory.workloads.map((w) => w.name)).toEqual(['vj']);
  });

  test('from code: EndpointInventory takes nodePort and hostPorts, and refuses a bad one', () => {
    const inventory = new EndpointInventory();
    inventory.addService({ name: 'api', namespace: 'shop', labels: {}, selector: { app: 'api' }, type: 'NodePort',
      ports: [{ port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 31000 }] });
    inventory.addWorkload({ kind: 'Deployment', name: 'p', namespace: 'shop', podLabels: { app: 'p' }, ports: [], hostPorts: [{ port: 8443, protocol: 'TCP' }] });
    expect(inventory.nodePortOwner('tcp', 31000)?.service?.name).toBe('api');
    expect(inventory.nodePortOwner('TCP', 8443)?.workload?.name).toBe('p');
    expect([inventory.nodePortOwner('TCP', 31001), inventory.nodePortOwner('UDP', 8443)]).toEqual([undefined, undefined]);
    expect(() => inventory.addWorkload({ kind: 'Pod', name: 'q', namespace: 'shop', podLabels: {}, ports: [], hostPorts: [{ port: 0, protocol: 'TCP' }] }))
      .toThrow(/hostPorts\[0\]\.port/);
    expect(() => inventory.addWorkload({ kind: 'Pod', name: 'q', namespace: 'shop', podLabels: {}, ports: [],
      hostPorts: [{ port: 443, protocol: 'TCP', containerPort: 70000 }] })).toThrow(/hostPorts\[0\]\.containerPort/);
  });

  test('the connectivity report lists a pair to a node on the node port as not judged, never allowed, the rest of the ports judged', () => {
    const doc = Connectivity.report(policySet([web, api, service('api', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })]));
    const cells = doc.connections.map((c) => `${c.from} → ${c.to} ${c.ports.join(', ')}`);
    // Was: shop/app=web → remote-node any, allowed.
    expect(cells).toContain('shop/app=web → remote-node 1-30079/TCP, 30081-65535/TCP, 1-65535/UDP, icmp');
    const notes = (doc.notJudged ?? []).map((n) => n.text).filter((t) => t.includes('(engine-node-port)'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/shop\/app=web → host 30080\/TCP;.*30080\/TCP is the node port of Service shop\/api/);
  });

  test('the connectivity diff: a node port added in head alone (no policy changed) is not compared, never "no change"', () => {
    const base = policySet([web, api]);
    const head = policySet([web, api, service('api', { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })]);
    const doc = Connectivity.diff(base, head);
    expect(doc.changes).toEqual([]);
    // Was: no note; web → remote-node 30080/TCP allowed on base, refused on head.
    const notes = (doc.notCompared ?? []).map((n) => n.text).filter((t) => t.includes('(engine-node-port)'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/shop\/app=web → host 30080\/TCP \(allowed → not judged\)/);
    expect(Connectivity.diff(head, head).notCompared).toBeUndefined();
  });
});
