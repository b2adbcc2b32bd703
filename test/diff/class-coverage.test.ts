// Truth tables of the endpoint classes' coverage: changes that coarser classes used to hide are reported, with the
// right before and after, and pairs the change does not touch stay unreported.
import { describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connectivity } from '../../src/diff';
import { cliAsync } from '../support/cli';
import { Endpoint, Endpoints, IpFamilies, PolicySet, VerdictKind } from '../../src/engine';
import { changeLine, diffLines, webToApi } from './support';

/** An ingress policy on prod/app=api from the pods `from` selects, on 8080/TCP. */
function api(from: string): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [${from}]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
}

describe('label values', () => {
  test('In [alpha, beta] → In [alpha, gamma]: env=gamma newly allowed, env=beta newly denied, env=alpha unchanged', () => {
    const sel = (values: string): string => `{ matchExpressions: [{ key: env, operator: In, values: [${values}] }] }`;
    const { doc, lines } = diffLines(api(sel('alpha, beta')), api(sel('alpha, gamma')));
    expect(lines).toEqual(['+ prod/env=gamma → prod/app=api 8080/TCP', '- prod/env=beta → prod/app=api 8080/TCP']);
    expect(doc.summary).toEqual({ newlyAllowed: 1, newlyDenied: 1 });
    expect(doc.changes.map((c) => [c.before, c.after])).toEqual([['denied', 'allowed'], ['allowed', 'denied']]);
  });

  test('NotIn [prod] → DoesNotExist: a pod with another env value newly denied, env absent and env=prod unchanged', () => {
    const sel = (expr: string): string => `{ matchExpressions: [{ key: env, ${expr} }] }`;
    const { doc, lines } = diffLines(api(sel('operator: NotIn, values: [prod]')), api(sel('operator: DoesNotExist')));
    expect(lines).toEqual(['- prod/env=any → prod/app=api 8080/TCP']);
    expect(doc.changes[0].before).toBe('allowed');
    expect(doc.changes[0].after).toBe('denied');
  });

  test('matchLabels value changed: the old value newly denied, the new one newly allowed', () => {
    const { lines } = diffLines(api('{ matchLabels: { app: web, env: beta } }'), api('{ matchLabels: { app: web, env: gamma } }'));
    expect(lines).toEqual(['+ prod/app=web,env=gamma → prod/app=api 8080/TCP', '- prod/app=web,env=beta → prod/app=api 8080/TCP']);
  });

  test('an unchanged selector with several values: no change', () => {
    const sel = '{ matchExpressions: [{ key: env, operator: In, values: [alpha, beta] }] }';
    expect(diffLines(api(sel), api(sel)).lines).toEqual([]);
  });
});

describe('inventory mode', () => {
  const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: prod }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: web }] }
`;
  const API = api('{ matchLabels: { app: web } }');
  const HEAD = API.replace('{ port: "8080", protocol: TCP }', '{ port: "8080", protocol: TCP }, { port: "9090", protocol: TCP }');

  test('a policy whose subject matches no workload still shows: 9090 newly allowed from the web workload', () => {
    const { doc, lines } = diffLines(`${WEB}---\n${API}`, `${WEB}---\n${HEAD}`);
    expect(lines).toEqual(['+ prod/web → prod/app=api 9090/TCP']);
    expect(doc.changes[0].before).toBe('denied');
    expect(doc.changes[0].reason.after.text).toBe('allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0]');
  });

  test('the same inventory and policies on both sides: no change', () => {
    expect(diffLines(`${WEB}---\n${API}`, `${WEB}---\n${API}`).lines).toEqual([]);
  });
});

describe('world per address family', () => {
  const egress = (to: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - ${to}
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;

  // A single-stack cluster has no outside address of the other family: one world class (labels.getWorldLabel; the agent
  // upserts the /0 of the families it runs only). A dual-stack one has both, each selected by its own /0.
  test('toEntities [world] → toCIDR [::/0]: the IPv4 internet newly denied; dual-stack: IPv6 unchanged', () => {
    const { doc, lines } = diffLines(egress('toEntities: [world]'), egress('toCIDR: ["::/0"]'));
    expect(lines).toEqual(['- prod/app=web → world (IPv4) 443/TCP']);
    expect(doc.changes[0].reason.before.text).toBe('allowed by egress CiliumNetworkPolicy prod/web spec.egress[0]');
    expect(doc.endpoints.filter((e) => e.kind === 'world').map((e) => e.name)).toEqual(['world (IPv4)']);
    const dual = diffLines(egress('toEntities: [world]'), egress('toCIDR: ["::/0"]'), { ipFamilies: IpFamilies.DUAL });
    expect(dual.lines).toEqual(['- prod/app=web → world (IPv4) 443/TCP']);
    expect(dual.doc.endpoints.filter((e) => e.kind === 'world').map((e) => e.name)).toEqual(['world (IPv4)', 'world (IPv6)']);
  });

  test('toCIDR [0.0.0.0/0] → toCIDR [0.0.0.0/0, ::/0]: no change in an IPv4-only cluster; dual-stack: the IPv6 internet newly allowed', () => {
    expect(diffLines(egress('toCIDR: ["0.0.0.0/0"]'), egress('toCIDR: ["0.0.0.0/0", "::/0"]')).lines).toEqual([]);
    expect(diffLines(egress('toCIDR: ["0.0.0.0/0"]'), egress('toCIDR: ["0.0.0.0/0", "::/0"]'), { ipFamilies: IpFamilies.DUAL }).lines)
      .toEqual(['+ prod/app=web → world (IPv6) 443/TCP']);
  });

  test('toEntities [world] → toCIDR [0.0.0.0/0, ::/0]: no change', () => {
    expect(diffLines(egress('toEntities: [world]'), egress('toCIDR: ["0.0.0.0/0", "::/0"]')).lines).toEqual([]);
  });

  // The IPv6 world witness is a documentation address outside every named CIDR: 2001:db8::1 is inside 2001:db8::/48, so
  // the witness is 2001:db8:1::1 (seed-4242 mutant of endpoint-classes.ts: an IPv6 address read as a /32 was "outside"
  // the /48, the witness fell inside it, and the IPv6 internet newly denied went unreported).
  test('dual-stack, ::/0 dropped beside a named IPv6 /48: the IPv6 internet newly denied, the /48 unchanged', () => {
    const { doc, lines } = diffLines(egress('toCIDR: ["0.0.0.0/0", "::/0", "2001:db8::/48"]'), egress('toCIDR: ["0.0.0.0/0", "2001:db8::/48"]'),
      { ipFamilies: IpFamilies.DUAL });
    expect(lines).toEqual(['- prod/app=web → world (IPv6) 443/TCP']);
    expect(doc.endpoints.filter((e) => e.kind === 'world').map((e) => e.name)).toEqual(['world (IPv4)', 'world (IPv6)', 'world 2001:db8::/48']);
  });
});

describe('the entities cluster holds', () => {
  const ingress = (from: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEntities: [${from}]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

  // host reaches its local pods whatever the policies say, and init is default deny at its own egress: neither changes.
  test('fromEntities [cluster] → [kube-apiserver, remote-node]: the other entities and pods newly denied, those two unchanged', () => {
    const { doc, lines } = diffLines(ingress('cluster'), ingress('kube-apiserver, remote-node'));
    expect(lines).toEqual([
      '- prod/app=api → prod/app=api 8080/TCP',
      '- prod/(other pods) → prod/app=api 8080/TCP',
      '- (other namespaces)/(any pod) → prod/app=api 8080/TCP',
      '- health → prod/app=api 8080/TCP',
      '- ingress → prod/app=api 8080/TCP',
      '- unmanaged → prod/app=api 8080/TCP',
    ]);
    expect(doc.changes.every((c) => c.before === 'allowed' && c.after === 'denied')).toBe(true);
  });

  test('fromEntities [cluster] on both sides: no change', () => {
    expect(diffLines(ingress('cluster'), ingress('cluster')).lines).toEqual([]);
  });
});

describe('CIDR blocks with excepts', () => {
  const ingress = (block: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: db } }
  ingress:
  - fromCIDRSet: [${block}]
    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
`;
  const networkPolicy = (except: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
  - from: [{ ipBlock: { cidr: 192.168.0.0/16, except: [${except}] } }]
    ports: [{ port: 5432 }]
`;

  // The same block on both sides with other excepts: each side's except is a class of its own (the base's was lost
  // when the blocks were collected by their CIDR alone, so the newly allowed range went unreported).
  test('the same cidr, except 192.168.1.0/24 → except 192.168.2.0/24: the first newly allowed, the second newly denied', () => {
    const { doc, lines } = diffLines(
      ingress('{ cidr: 192.168.0.0/16, except: [192.168.1.0/24] }'),
      ingress('{ cidr: 192.168.0.0/16, except: [192.168.2.0/24] }'));
    expect(lines).toEqual([
      '+ world 192.168.1.0/24 → prod/app=db 5432/TCP',
      '- world 192.168.2.0/24 → prod/app=db 5432/TCP',
    ]);
    expect(doc.changes.map((c) => [c.before, c.after])).toEqual([['denied', 'allowed'], ['allowed', 'denied']]);
  });

  test('NetworkPolicy ipBlock: an except dropped is newly allowed', () => {
    expect(diffLines(networkPolicy('192.168.1.0/24, 192.168.3.0/24'), networkPolicy('192.168.3.0/24')).lines)
      .toEqual(['+ world 192.168.1.0/24 → prod/app=db 5432/TCP']);
  });

  test('the same block and excepts in another order: no change', () => {
    expect(diffLines(networkPolicy('192.168.1.0/24, 192.168.3.0/24'), networkPolicy('192.168.3.0/24, 192.168.1.0/24')).lines).toEqual([]);
  });
});

// ICMP without a type named is one segment per family, written `icmp` / `icmpv6` (`icmp/other` only beside named types).
// Seed-4242 mutant of port-segments.ts (the segments counted for "alone" were the non-ICMP ones): always `icmp/other`.
describe('ICMP in the ports of a change', () => {
  test('80/TCP → every port: the rest newly allowed, ICMP written whole (no ICMPv6 between the pods of an IPv4-only cluster)', () => {
    const head = webToApi([80]).replace(/\n {4}toPorts: .*\n/, '\n');
    const { lines } = diffLines(webToApi([80]), head, { sctp: true });
    expect(lines).toEqual(['+ prod/app=web → prod/app=api 1-79/TCP, 81-65535/TCP, 1-65535/UDP, 1-65535/SCTP, icmp']);
  });

  test('without enable-sctp (the default) SCTP is no packet of the pair: neither listed nor kept from any', () => {
    const head = webToApi([80]).replace(/\n {4}toPorts: .*\n/, '\n');
    expect(diffLines(webToApi([80]), head).lines).toEqual(['+ prod/app=web → prod/app=api 1-79/TCP, 81-65535/TCP, 1-65535/UDP, icmp']);
    const sctpOnly = webToApi([80]).replace(/protocol: TCP/, 'protocol: SCTP');
    expect(diffLines(webToApi([80]), sctpOnly).lines).toEqual(['- prod/app=web → prod/app=api 80/TCP']);
    expect(diffLines(webToApi([80]), sctpOnly, { sctp: true }).lines).toEqual(['+ prod/app=web → prod/app=api 80/SCTP', '- prod/app=web → prod/app=api 80/TCP']);
  });

  test('beside a named type: that type, and the others as icmp/other', () => {
    const icmp = (types: string): string => webToApi([80]).replace(/\n {4}toPorts: .*\n/, `\n    icmps: [{ fields: [${types}] }]\n`);
    expect(diffLines(icmp('{ type: 8 }'), icmp('{ type: 8 }, { type: 3 }')).lines).toEqual(['+ prod/app=web → prod/app=api icmp/3']);
    expect(diffLines(webToApi([80]), icmp('{ type: 8 }')).lines).toEqual(['+ prod/app=web → prod/app=api icmp/8', '- prod/app=web → prod/app=api 80/TCP']);
  });
});

// An egress named port is the destination's (Cilium resolves it against the peer's container ports). Seed-4242 mutant
// of side-tables.ts (the subject's ports read on egress, the peer's on ingress): the change went unlisted.
describe('named ports on egress: the destination\'s container ports', () => {
  const inventory = ['web', 'api'].map((app) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app}, namespace: prod }
spec:
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec: { containers: [{ name: c, image: x${app === 'api' ? ', ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }]' : ''} }] }
`).join('');
  const egress = (port: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
    toPorts: [{ ports: [{ port: ${port}, protocol: TCP }] }]
${inventory}`;

  test('http → metrics: 8080 newly denied, 9090 newly allowed', () => {
    const { lines } = diffLines(egress('http'), egress('metrics'));
    expect(lines).toEqual(['+ prod/web → prod/api 9090/TCP', '- prod/web → prod/api 8080/TCP']);
  });

  // On ingress Cilium resolves a name on the receiving pod's own ports (pkg/endpoint `GetNamedPort(ingress=true)`): api's,
  // not the client's (web declares none, and names nothing).
  const ingress = (port: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: ${port}, protocol: TCP }] }]
${inventory}`;

  test('on ingress, the subject\'s own ports: http → metrics, 8080 newly denied, 9090 newly allowed; 8080 → http, no change', () => {
    expect(diffLines(ingress('http'), ingress('metrics')).lines).toEqual(['+ prod/web → prod/api 9090/TCP', '- prod/web → prod/api 8080/TCP']);
    expect(diffLines(ingress('"8080"'), ingress('http')).lines).toEqual([]);
  });
});

describe('nodes with labels', () => {
  const hostPolicy = (cidr: string, nodeSelector = '{ matchLabels: { role: worker } }'): string => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host-fw }
spec:
  nodeSelector: ${nodeSelector}
  ingress:
  - fromEntities: [cluster]
  - fromCIDR: [${cidr}]
    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
`;

  // The host and remote-node classes are nodes without labels: a host policy whose nodeSelector names a label applied
  // to no class, and a change in it was an empty diff.
  test('a host policy of the nodes role=worker opens SSH to 10.0.0.0/7: newly allowed to those nodes only', () => {
    const { doc, lines } = diffLines(hostPolicy('10.0.0.0/8'), hostPolicy('10.0.0.0/7'));
    expect(lines).toEqual(['+ world 10.0.0.0/7 → node role=worker 22/TCP']);
    expect(doc.changes[0].reason.after.text).toBe('allowed by ingress CiliumClusterwideNetworkPolicy host-fw spec.ingress[1]');
    expect(doc.endpoints.filter((e) => e.kind === 'host').map((e) => e.name)).toEqual(['node role=worker', 'host', 'remote-node']);
  });

  // Seed-4242 mutant of endpoint-classes.ts (a node requirement of source k8s dropped): the k8s: key made no node class.
  test('a node selector key written with its source (k8s:role): the same class, the same change', () => {
    const { lines } = diffLines(hostPolicy('10.0.0.0/8', '{ matchLabels: { k8s:role: worker } }'), hostPolicy('10.0.0.0/7', '{ matchLabels: { k8s:role: worker } }'));
    expect(lines).toEqual(['+ world 10.0.0.0/7 → node role=worker 22/TCP']);
  });

  test('two host policies whose node selectors overlap: the nodes of both are a class of their own', () => {
    const other = (deny: string): string => `---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: zone-a }
spec:
  nodeSelector: { matchLabels: { zone: a } }
  ingressDeny:
  - fromCIDR: [${deny}]
    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
`;
    const { lines } = diffLines(hostPolicy('10.0.0.0/8') + other('10.0.0.0/8'), hostPolicy('10.0.0.0/8') + other('10.1.0.0/16'));
    expect(lines).toEqual(['+ world 10.0.0.0/8 → node role=worker,zone=a 22/TCP']);
  });

  // toNodes selects nodes by their labels only when the agents run with enable-node-selector-labels (the engine's
  // nodeSelectorLabels): without it nodes carry no cluster label, which the peer requires, so nothing changes.
  test('toNodes (node-selector labels on): a pod newly allowed to the kubelet of the nodes role=worker; off: no change', () => {
    const egress = (ports: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toNodes: [{ matchLabels: { role: worker } }]
    toPorts: [{ ports: [${ports}] }]
`;
    const base = egress('{ port: "443", protocol: TCP }');
    const head = egress('{ port: "443", protocol: TCP }, { port: "10250", protocol: TCP }');
    const on = Connectivity.diff(PolicySet.fromYaml(base, { file: 'base.yaml', nodeSelectorLabels: true }),
      PolicySet.fromYaml(head, { file: 'head.yaml', nodeSelectorLabels: true }));
    expect(on.changes.map(changeLine)).toEqual(['+ prod/app=web → node role=worker 10250/TCP']);
    expect(diffLines(base, head).lines).toEqual([]);
  });

  // Session 51: a key of the node source (the labels another node's identity carries, pkg/node nodeIdentityLabels
  // `labels.Map2Labels(n.Labels, labels.LabelSourceNode)`) made no node class, so a change of a `node:role` toNodes was
  // an empty diff while trace judged the two sides differently.
  test('toNodes by a node:-source key (node:role): db newly denied, cache newly allowed, nodes without role unchanged', () => {
    const egress = (role: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toNodes: [{ matchLabels: { node:role: ${role} } }]
    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
`;
    const opts = (file: string): { file: string; nodeSelectorLabels: boolean } => ({ file, nodeSelectorLabels: true });
    const base = PolicySet.fromYaml(egress('db'), opts('base.yaml'));
    const head = PolicySet.fromYaml(egress('cache'), opts('head.yaml'));
    const web = Endpoints.pod('prod', { app: 'web' });
    const table = (set: PolicySet): VerdictKind[] => ([{ role: 'db' }, { role: 'cache' }, {}] as Record<string, string>[])
      .map((labels): Endpoint => Endpoints.node(labels)).map((to) => set._decide({ from: web, to, port: 5432, protocol: 'TCP' }));
    // The engine's truth table (db, cache, a node without role), which the diff must follow; `_decide`, as the diff reads it: the
    // public `decide()` refuses a node given without its labels where a rule reads them (session 54).
    expect(table(base)).toEqual([VerdictKind.ALLOWED, VerdictKind.DENIED, VerdictKind.DENIED]);
    expect(table(head)).toEqual([VerdictKind.DENIED, VerdictKind.ALLOWED, VerdictKind.DENIED]);
    const diff = Connectivity.diff(base, head);
    expect(diff.changes.map(changeLine)).toEqual(['+ prod/app=web → node role=cache 5432/TCP', '- prod/app=web → node role=db 5432/TCP']);
  });

  test('the same host policy on both sides: no change', () => {
    expect(diffLines(hostPolicy('10.0.0.0/8'), hostPolicy('10.0.0.0/8')).lines).toEqual([]);
  });
});

// Session 51 (review of the node:-source classes): a node selector reads the labels of its role only. A host policy's
// nodeSelector reads the host endpoint's, reserved:host and the node's labels of the k8s source (pkg/endpoint
// InitWithNodeLabels); fromNodes/toNodes read another node's identity, its labels of the node source and the cluster label
// (pkg/node/manager nodeIdentityLabels). The classes took every node label as both k8s and node at once, so a selector
// that names both sources (role: db with node:role DoesNotExist) could hold on no class, and its change was an empty diff.
describe('node classes, per role of the node selector', () => {
  const hostPolicy = (port: string, nodeSelector: string): string => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host-fw }
spec:
  nodeSelector: ${nodeSelector}
  ingress:
  - fromEntities: [world]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`;
  const toNodes = (selector: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toNodes: [${selector}]
    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]
`;
  const nodes: Record<string, string>[] = [{ role: 'db' }, { role: 'cache' }, {}];
  const withLabels = (file: string): { file: string; nodeSelectorLabels: boolean } => ({ file, nodeSelectorLabels: true });
  const web = Endpoints.pod('prod', { app: 'web' });

  test('nodeSelector role: db with node:role DoesNotExist, SSH moved from 22 to 2222: the nodes role=db change, as trace has it', () => {
    const selector = '{ matchLabels: { role: db }, matchExpressions: [{ key: node:role, operator: DoesNotExist }] }';
    const base = PolicySet.fromYaml(hostPolicy('22', selector), { file: 'base.yaml' });
    const head = PolicySet.fromYaml(hostPolicy('2222', selector), { file: 'head.yaml' });
    const table = (set: PolicySet, port: number): VerdictKind[] => nodes
      .map((labels) => set._decide({ from: Endpoints.entity('world'), to: Endpoints.node(labels), port, protocol: 'TCP' }));
    // The engine: the host endpoint of a node role=db carries k8s:role=db and no node: label, so the nodeSelector selects it.
    expect([table(base, 22), table(base, 2222)]).toEqual([[VerdictKind.ALLOWED, VerdictKind.ALLOWED, VerdictKind.ALLOWED],
      [VerdictKind.DENIED, VerdictKind.ALLOWED, VerdictKind.ALLOWED]]);
    expect([table(head, 22), table(head, 2222)]).toEqual([[VerdictKind.DENIED, VerdictKind.ALLOWED, VerdictKind.ALLOWED],
      [VerdictKind.ALLOWED, VerdictKind.ALLOWED, VerdictKind.ALLOWED]]);
    expect(Connectivity.diff(base, head).changes.map(changeLine)).toEqual(['+ world → node role=db 2222/TCP', '- world → node role=db 22/TCP']);
    const report = Connectivity.report(base);
    expect(report.endpoints.filter((e) => e.name.startsWith('node ')).map((e) => e.name)).toEqual(['node role=db']);
    expect(report.connections.filter((c) => c.from === 'world' && c.to === 'node role=db').map((c) => c.ports)).toEqual([['22/TCP']]);
  });

  test('toNodes node:role: db with k8s:role DoesNotExist → node:role: cache: db newly denied, cache newly allowed, as trace has it', () => {
    const selector = (role: string): string => `{ matchLabels: { node:role: ${role} }, matchExpressions: [{ key: k8s:role, operator: DoesNotExist }] }`;
    const base = PolicySet.fromYaml(toNodes(selector('db')), withLabels('base.yaml'));
    const head = PolicySet.fromYaml(toNodes(selector('cache')), withLabels('head.yaml'));
    const table = (set: PolicySet): VerdictKind[] => nodes
      .map((labels) => set._decide({ from: web, to: Endpoints.node(labels), port: 5432, protocol: 'TCP' }));
    // The engine: another node's identity carries node:role and no k8s:role, so the peer selects the nodes of that role.
    expect(table(base)).toEqual([VerdictKind.ALLOWED, VerdictKind.DENIED, VerdictKind.DENIED]);
    expect(table(head)).toEqual([VerdictKind.DENIED, VerdictKind.ALLOWED, VerdictKind.DENIED]);
    expect(Connectivity.diff(base, head).changes.map(changeLine))
      .toEqual(['+ prod/app=web → node role=cache 5432/TCP', '- prod/app=web → node role=db 5432/TCP']);
  });

  test('report: toNodes node:role: db (with k8s:role DoesNotExist) allows prod/app=web → node role=db on 5432/TCP, and no other node', () => {
    const set = PolicySet.fromYaml(toNodes('{ matchLabels: { node:role: db }, matchExpressions: [{ key: k8s:role, operator: DoesNotExist }] }'),
      withLabels('policy.yaml'));
    const report = Connectivity.report(set);
    const toNodesOf = (from: string): string[] => report.connections
      .filter((c) => c.from === from && report.endpoints.some((e) => e.id === c.to && e.kind === 'host')).map((c) => `${c.to} ${c.ports.join(', ')}`);
    expect(toNodesOf('prod/app=web')).toEqual(['node role=db 5432/TCP']);
    expect(set.decide({ from: web, to: Endpoints.node({ role: 'db' }), port: 5432, protocol: 'TCP' })).toBe(VerdictKind.ALLOWED);
  });

  // A selector that reads no label of the node (nodeSelector {}) made no class, so the nodes only it selects beside
  // role NotIn [db] (the nodes role=db) had none either: the host policy newly enforced on them was an empty diff.
  test('nodeSelector role NotIn [db] → {}: the host policy newly applies to the nodes role=db (2222 newly denied), as trace has it', () => {
    const base = PolicySet.fromYaml(hostPolicy('22', '{ matchExpressions: [{ key: role, operator: NotIn, values: [db] }] }'), { file: 'base.yaml' });
    const head = PolicySet.fromYaml(hostPolicy('22', '{}'), { file: 'head.yaml' });
    const table = (set: PolicySet, port: number): VerdictKind[] => nodes
      .map((labels) => set._decide({ from: Endpoints.entity('world'), to: Endpoints.node(labels), port, protocol: 'TCP' }));
    expect([table(base, 22), table(base, 2222)]).toEqual([[VerdictKind.ALLOWED, VerdictKind.ALLOWED, VerdictKind.ALLOWED],
      [VerdictKind.ALLOWED, VerdictKind.DENIED, VerdictKind.DENIED]]);
    expect([table(head, 22), table(head, 2222)]).toEqual([[VerdictKind.ALLOWED, VerdictKind.ALLOWED, VerdictKind.ALLOWED],
      [VerdictKind.DENIED, VerdictKind.DENIED, VerdictKind.DENIED]]);
    const lines = Connectivity.diff(base, head).changes.map(changeLine);
    expect(lines).toContain('- world → node role=db 1-21/TCP, 23-65535/TCP, 1-65535/UDP, icmp');
    expect(lines.every((l) => l.startsWith('- ') && l.includes('→ node role=db '))).toBe(true);
  });

  test('a nodeSelector on node:role selects no host endpoint: db → cache is no change, and no node class stands for it', () => {
    const base = PolicySet.fromYaml(hostPolicy('22', '{ matchLabels: { node:role: db } }'), { file: 'base.yaml' });
    const head = PolicySet.fromYaml(hostPolicy('22', '{ matchLabels: { node:role: cache } }'), { file: 'head.yaml' });
    const table = (set: PolicySet): VerdictKind[] => nodes
      .map((labels) => set._decide({ from: Endpoints.entity('world'), to: Endpoints.node(labels), port: 2222, protocol: 'TCP' }));
    // No host endpoint carries a node: label: neither nodeSelector selects a node, every node is unrestricted on both sides.
    expect(table(base)).toEqual([VerdictKind.ALLOWED, VerdictKind.ALLOWED, VerdictKind.ALLOWED]);
    expect(table(head)).toEqual(table(base));
    const doc = Connectivity.diff(base, head);
    expect(doc.changes.map(changeLine)).toEqual([]);
    expect(doc.endpoints.filter((e) => e.kind === 'host').map((e) => e.name)).toEqual(['host', 'remote-node']);
  });
});

describe('nodes with labels: the bound', () => {
  // Nine host policies on nine node keys: 512 combinations a node can be, over the bound of 256.
  const many = (port: number): string => Array.from({ length: 9 }, (_, i) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: n${i} }
spec:
  nodeSelector: { matchLabels: { k${i}: x } }
  ingress: [{ fromEntities: [cluster], toPorts: [{ ports: [{ port: "${i === 0 ? port : 8000 + i}", protocol: TCP }] }] }]
`).join('---\n');

  test('past 256 node label sets: a node per selector, NOT COMPARED counted either way; none when nothing changes', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(many(22), { file: 'base.yaml' }), PolicySet.fromYaml(many(2222), { file: 'head.yaml' }));
    expect(doc.notCompared?.map((n) => [n.text.slice(0, 67), n.mayAllow, n.mayDeny]))
      .toEqual([['nodes that several node selectors select at once make more than 256', true, true]]);
    expect(doc.endpoints.filter((e) => e.name.startsWith('node ')).map((e) => e.name)).toEqual(Array.from({ length: 9 }, (_, i) => `node k${i}=x`));
    expect(doc.changes.map(changeLine)).toEqual(expect.arrayContaining([
      '+ (other namespaces)/(any pod) → node k0=x 2222/TCP', '- (other namespaces)/(any pod) → node k0=x 22/TCP']));
    const same = Connectivity.diff(PolicySet.fromYaml(many(22), { file: 'base.yaml' }), PolicySet.fromYaml(many(22), { file: 'head.yaml' }));
    expect(same.notCompared).toBeUndefined();
  });
});

describe('nodes with labels: the bound with selectors whose own node has no labels', () => {
  // Eight NotIn node selectors: 256 combinations; past the bound every selector's own witness is a node without labels
  // (the host class), so the note goes on host rather than nowhere (it was a silent "no change").
  const many = (value: string): string => Array.from({ length: 9 }, (_, i) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: h${i} }
spec:
  nodeSelector: { matchExpressions: [{ key: k${i}, operator: NotIn, values: [${i === 0 ? value : 'x'}] }] }
  ingress: [{ fromEntities: [cluster], toPorts: [{ ports: [{ port: "${443 + i}", protocol: TCP }] }] }]
`).join('---\n');

  test('a NotIn value changed past the bound: NOT COMPARED, counted either way', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(many('x'), { file: 'base.yaml' }), PolicySet.fromYaml(many('z'), { file: 'head.yaml' }));
    expect(doc.notCompared?.map((n) => [n.text.slice(0, 67), n.mayAllow, n.mayDeny]))
      .toEqual([['nodes that several node selectors select at once make more than 256', true, true]]);
  });
});

describe('diff and report --node-selector-labels', () => {
  const egress = (expr: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toNodes: [{ matchExpressions: [{ key: role, ${expr} }] }]
    toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]
`;

  test('toNodes by labels is judged with the flag (nodes of any role newly allowed, nodes without one newly denied), not without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-node-labels-'));
    try {
      const base = join(dir, 'base.yaml');
      const head = join(dir, 'head.yaml');
      writeFileSync(base, egress('operator: NotIn, values: [control-plane]'));
      writeFileSync(head, egress('operator: Exists'));
      const on = await cliAsync('diff', '--base', base, '--head', head, '--node-selector-labels', '--fail-on', 'denied');
      expect(on.code).toBe(1);
      // The class of the other nodes stands for the nodes without the label `role` (the class carries it, session 55):
      // newly denied. Session 54's verdict gate read its representative, entity:remote-node, as a node of unknown labels:
      // NOT COMPARED, an over-refusal.
      expect(on.stdout.split('\n').filter((l) => /^ {2}[-+] /.test(l)))
        .toEqual(['  + prod/app=web → node role=control-plane 10250/TCP', '  - prod/app=web → remote-node 10250/TCP']);
      expect(on.stdout).not.toContain('NOT COMPARED');
      // Without the flag the agent refuses both policies: two sides of no policy enforced, refused (session 53 review;
      // before: "no connectivity change", exit 0).
      const off = await cliAsync('diff', '--base', base, '--head', head, '--fail-on', 'any');
      expect([off.code, off.stdout]).toEqual([2, '']);
      expect(off.stderr).toMatch(/^error: --base \S*base\.yaml: no policy the cluster enforces .*enable-node-selector-labels.*; and --head .*\(cli-no-policies\)/m);
      const report = await cliAsync('report', '--policies', head, '--node-selector-labels');
      expect(report.stdout).toContain('  prod/app=web → node role=any 10250/TCP\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Session 50: a CCNP whose endpointSelector is `selector`, reaching the cluster (the two blocks below change its selector).
const ccnp = (selector: string): string => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cw }
spec:
  endpointSelector: ${selector}
  egress:
  - toEntities: [cluster]
`;

// Session 50: a namespace a selector leaves out by name (`NotIn`) had no class; it stood in "(other namespaces)", which the
// selector selects, so a change of only what that namespace gets was "no connectivity change", exit 0 (fail-open).
describe('namespaces left out by name (NotIn)', () => {
  const notIn = (key: string): string => `{ matchExpressions: [{ key: ${key}, operator: NotIn, values: [kube-system] }] }`;

  test.each(['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace', 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name'])(
    'a CCNP of %s NotIn [kube-system] → {}: kube-system newly denied to the world, the other namespaces unchanged', (key) => {
      const { doc, lines } = diffLines(ccnp(notIn(key)), ccnp('{}'));
      expect(lines).toEqual(['- kube-system/(other pods) → world any']);
      expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 1 });
      expect(diffLines(ccnp('{}'), ccnp(notIn(key))).lines).toEqual(['+ kube-system/(other pods) → world any']);
    });

  test('a NetworkPolicy namespaceSelector of kubernetes.io/metadata.name NotIn [sandbox] → {}: sandbox newly allowed', () => {
    const np = (nsSelector: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Ingress]
  ingress:
  - from: [{ namespaceSelector: ${nsSelector} }]
`;
    const { lines } = diffLines(np('{ matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [sandbox] }] }'), np('{}'));
    expect(lines).toEqual(['+ sandbox/(other pods) → prod/app=web any']);
  });

  test('the CLI exits 1 under --fail-on denied (0 before: no connectivity change)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-notin-'));
    try {
      writeFileSync(join(dir, 'base.yaml'), ccnp(notIn('k8s:io.kubernetes.pod.namespace')));
      writeFileSync(join(dir, 'head.yaml'), ccnp('{}'));
      const run = await cliAsync('diff', '--base', join(dir, 'base.yaml'), '--head', join(dir, 'head.yaml'), '--fail-on', 'denied');
      expect(run.stdout).toContain('- kube-system/(other pods) → world any');
      expect(run.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Session 50 review: a namespace a selector leaves out by a namespace LABEL (`team NotIn [infra]`, `team DoesNotExist`)
// had no class either: every namespace class held the selector, so a change of only what such namespaces get was "no
// connectivity change", exit 0 under --fail-on denied (fail-open).
describe('namespaces left out by a namespace label (NotIn, DoesNotExist)', () => {
  const team = (op: string): string => `{ matchExpressions: [{ key: k8s:io.cilium.k8s.namespace.labels.team, operator: ${op} }] }`;

  test.each([
    ['NotIn [infra]', team('NotIn, values: [infra]'), '- (namespaces with team=infra)/(other pods) → world any'],
    ['DoesNotExist', team('DoesNotExist'), '- (namespaces with team=any)/(other pods) → world any'],
  ])('a CCNP of team %s → {}: the namespaces it left out newly denied to the world', (_name, selector, line) => {
    const { doc, lines } = diffLines(ccnp(selector), ccnp('{}'));
    expect(lines).toEqual([line]);
    expect(doc.summary).toEqual({ newlyAllowed: 0, newlyDenied: 1 });
    expect(diffLines(ccnp('{}'), ccnp(selector)).lines).toEqual([line.replace(/^-/, '+')]);
  });

  test('guard: team In [infra] → {}: the namespaces without the label lose the world ("(other namespaces)")', () => {
    const { lines } = diffLines(ccnp(team('In, values: [infra]')), ccnp('{}'));
    expect(lines).toContain('- (other namespaces)/(any pod) → world any');
    expect(lines.filter((l) => l.includes('team=infra)/(other pods) → world'))).toEqual([]);
  });
});
