// Replay of a capture from a cluster that runs `policy-cidr-match-mode: nodes` (session 50). Remote nodes then carry CIDR
// labels (pkg/ipcache/metadata.go `resolveLabels`: "It is not allowed for nodes to have CIDR labels, unless
// policy-cidr-match-mode includes "nodes". Then CIDR labels are required"), and CIDR rules select their addresses. Before,
// such an end was the remote-node entity without an address: a CIDR deny of the nodes was never seen (fail-open) and a CIDR
// allow of them was reported as a drop.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runReplay } from '../../src/cli/replay';
import { Endpoints, PolicySet } from '../../src/engine';
import { FlowSource, replayFlows } from '../../src/hubble';
import { HUBBLE_FIXTURES_DIR } from './support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-cidr-nodes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The shop capture's backend (line 77's destination) reaching a remote node's kubelet, as a node of CIDR labels. */
function capture(nodeLabels: string[], identity: number): string {
  const record = JSON.parse(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), 'utf8').split('\n')[76]) as { flow: Record<string, unknown> };
  const f = record.flow;
  const flow = {
    ...f, verdict: 'FORWARDED', drop_reason: undefined, drop_reason_desc: undefined, event_type: { type: 4, sub_type: 3 },
    trace_observation_point: 'TO_STACK', is_reply: false, traffic_direction: 'EGRESS', source: f.destination,
    IP: { source: '10.0.2.30', destination: '10.10.0.6', ipVersion: 'IPv4' }, destination: { identity, labels: nodeLabels },
    l4: { TCP: { source_port: 40001, destination_port: 10250, flags: { SYN: true } } },
  };
  return JSON.stringify({ ...record, flow });
}
const NODES_MODE = capture(['cidr:10.10.0.6/32', 'reserved:remote-node'], 33554433);
const DEFAULT_MODE = capture(['reserved:remote-node'], 6);

const DENY_NODES = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: backend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: backend}}
  egress:
  - toEntities: [remote-node]
  egressDeny:
  - toCIDR: [10.10.0.0/16]
`;
const ALLOW_NODES = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: backend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: backend}}
  egress:
  - toCIDR: [10.10.0.0/16]
    toPorts: [{ports: [{port: "10250", protocol: TCP}]}]
`;

async function cli(flows: string, policy: string, name: string): Promise<{ code: number; stdout: string }> {
  const flowsFile = join(scratch, `${name}.jsonl`);
  const policyFile = join(scratch, `${name}.yaml`);
  writeFileSync(flowsFile, `${flows}\n`);
  writeFileSync(policyFile, policy);
  let stdout = '';
  const code = await runReplay(['--flows', flowsFile, '--policies', policyFile, '--cilium-version', '1.18', '--ip-families', 'ipv4', '--output', 'json'],
    { stdout: (t) => (stdout += t), stderr: () => undefined });
  return { code, stdout };
}

describe('replay: remote nodes of CIDR labels (policy-cidr-match-mode: nodes)', () => {
  test('a CIDR deny of the nodes is a drop (fail-open before: unchanged, exit 0)', async () => {
    const run = await cli(NODES_MODE, DENY_NODES, 'deny');
    type Report = { connections: { change: string; predicted: { verdict: string; reason: string } }[]; warnings: string[] };
    const report = JSON.parse(run.stdout) as Report;
    expect(report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['newly-dropped', 'denied']]);
    expect(report.connections[0].predicted.reason).toContain('spec.egressDeny[0]');
    expect(report.warnings.some((w) => w.includes('policy-cidr-match-mode: nodes') && w.includes('node:@10.10.0.6 (a remote node)'))).toBe(true);
    expect(run.code).toBe(1);
  });

  test('a CIDR allow of the nodes lets the connection through (a false drop before)', async () => {
    const run = await cli(NODES_MODE, ALLOW_NODES, 'allow');
    const report = JSON.parse(run.stdout) as { connections: { change: string; predicted: { verdict: string } }[] };
    expect(report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['unchanged', 'allowed']]);
    expect(run.code).toBe(0);
  });

  test('guard: a remote node without CIDR labels (the default mode) is the remote-node entity, which CIDR rules never select', async () => {
    const deny = JSON.parse((await cli(DEFAULT_MODE, DENY_NODES, 'deny-default')).stdout) as { connections: { change: string; destination: string }[] };
    expect(deny.connections.map((c) => [c.change, c.destination])).toEqual([['unchanged', 'entity:remote-node']]);
    const allow = await cli(DEFAULT_MODE, ALLOW_NODES, 'allow-default');
    expect((JSON.parse(allow.stdout) as { connections: { change: string }[] }).connections.map((c) => c.change)).toEqual(['newly-dropped']);
  });

  test('the library judges as the set says, and warns when the capture shows the mode the set was not given', async () => {
    const withMode = await replayFlows(FlowSource.text(NODES_MODE, 'flows.jsonl'), PolicySet.fromYaml(DENY_NODES, { file: 'p.yaml', cidrMatchNodes: true }));
    expect(withMode.connections.map((c) => c.change)).toEqual(['newly-dropped']);
    expect(withMode.warnings.some((w) => w.includes('policy-cidr-match-mode'))).toBe(false);
    const without = await replayFlows(FlowSource.text(NODES_MODE, 'flows.jsonl'), PolicySet.fromYaml(DENY_NODES, { file: 'p.yaml' }));
    expect(without.warnings.some((w) => w.includes('policy-cidr-match-mode: nodes') && w.includes('judge with cidrMatchNodes'))).toBe(true);
  });

  // Session 50 review: the engine's note on a pod's side with a node at the other end ("which a trace cannot name: in code,
  // give the pod endpoint … nodeName") is advice for a trace; a capture's node is a remote node by its identity.
  test('a capture\'s node carries no trace advice on naming the pod\'s own node', async () => {
    const report = await replayFlows(FlowSource.text(NODES_MODE, 'flows.jsonl'), PolicySet.fromYaml(ALLOW_NODES, { file: 'p.yaml', cidrMatchNodes: true }));
    expect(report.connections.map((c) => [c.destination, c.change])).toEqual([['node:@10.10.0.6', 'unchanged']]);
    const notes = [...report.connections[0].predicted.egress.notes, ...report.connections[0].predicted.ingress.notes];
    expect(notes.filter((n) => n.includes('a trace cannot name'))).toEqual([]);
  });

  // Session 50 review: a control-plane node in nodes mode carries reserved:kube-apiserver beside reserved:remote-node and
  // its CIDR labels (pkg/ipcache/metadata.go `resolveLabels`). It was the kube-apiserver entity without an address: a CIDR
  // deny of the nodes never selected it (fail-open), and it did not count as proof of the mode.
  describe('the API server on a node of CIDR labels', () => {
    const apiServer = (labels: string[]): string => {
      const one = JSON.parse(capture(labels, 16777217)) as { flow: Record<string, unknown> };
      const flow = { ...one.flow, IP: { source: '10.0.2.30', destination: '10.10.0.5', ipVersion: 'IPv4' },
        l4: { TCP: { source_port: 40002, destination_port: 6443, flags: { SYN: true } } } };
      return JSON.stringify({ ...one, flow });
    };
    const ON_NODE = apiServer(['cidr:10.10.0.5/32', 'reserved:kube-apiserver', 'reserved:remote-node']);
    const ENTITIES_BUT_CIDR_DENY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: backend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: backend}}
  egress:
  - toEntities: [kube-apiserver, remote-node]
  egressDeny:
  - toCIDR: [10.10.0.0/16]
`;
    test('a CIDR deny of the nodes drops it, and it proves the mode (before: unchanged allowed, exit 0, no warning)', async () => {
      const run = await cli(ON_NODE, ENTITIES_BUT_CIDR_DENY, 'apiserver-deny');
      type Report = { connections: { change: string; predicted: { verdict: string; reason: string } }[]; warnings: string[] };
      const report = JSON.parse(run.stdout) as Report;
      expect(report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['newly-dropped', 'denied']]);
      expect(report.connections[0].predicted.reason).toContain('spec.egressDeny[0]');
      expect(report.warnings.some((w) => w.includes('policy-cidr-match-mode: nodes') && w.includes('kube-apiserver@10.10.0.5'))).toBe(true);
      expect(run.code).toBe(1);
    });

    test('the kube-apiserver entity still selects it; the managed API server (reserved:world) stays outside the cluster', async () => {
      const allow = ENTITIES_BUT_CIDR_DENY.replace(/ {2}egressDeny:\n.*\n/, '').replace('[kube-apiserver, remote-node]', '[kube-apiserver]');
      const run = await cli(ON_NODE, allow, 'apiserver-allow');
      expect((JSON.parse(run.stdout) as { connections: { change: string }[] }).connections.map((c) => c.change)).toEqual(['unchanged']);
      const managed = await replayFlows(FlowSource.text(apiServer(['cidr:10.10.0.5/32', 'reserved:kube-apiserver', 'reserved:world']), 'flows.jsonl'),
        PolicySet.fromYaml(ENTITIES_BUT_CIDR_DENY.replace('remote-node]', 'world]'), { file: 'p.yaml' }));
      expect(managed.connections.map((c) => [c.destination, c.change])).toEqual([['entity:kube-apiserver@10.10.0.5', 'newly-dropped']]);
      expect(managed.warnings.some((w) => w.includes('policy-cidr-match-mode'))).toBe(false);
    });
  });
});

// Session 51: replay printed the control-plane node of a nodes-mode capture (`node` with `entity: 'kube-apiserver'`) as
// `node:@10.10.0.5`, which trace reads back as a plain remote node: copied into `trace`, it lost the kube-apiserver
// identity and got another verdict. Its text form is now `node:reserved:kube-apiserver@10.10.0.5` (the label its identity
// carries beside reserved:remote-node, pkg/ipcache/metadata.go `resolveLabels`). Every end replay prints reads back to
// the same endpoint and, traced, to the verdict replay gave.
describe('replay\'s endpoints read back by trace', () => {
  const record = JSON.parse(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), 'utf8').split('\n')[76]) as { flow: Record<string, unknown> };
  const to = (ip: string, destination: Record<string, unknown>, port: number): string => {
    const one = JSON.parse(capture([], 0)) as { flow: Record<string, unknown> };
    return JSON.stringify({ ...one, flow: { ...one.flow, ...destination.extra as object, IP: { source: '10.0.2.30', destination: ip, ipVersion: 'IPv4' },
      destination: { ...destination, extra: undefined },
      l4: { TCP: { source_port: 40100 + port % 50, destination_port: port, flags: { SYN: true } } } } });
  };
  const FLOWS = [
    to('10.10.0.5', { identity: 16777217, labels: ['cidr:10.10.0.5/32', 'reserved:kube-apiserver', 'reserved:remote-node'] }, 6443),
    to('10.10.0.6', { identity: 16777218, labels: ['cidr:10.10.0.6/32', 'reserved:remote-node'] }, 10250),
    to('203.0.113.5', { identity: 16777219, labels: ['cidr:203.0.113.5/32', 'reserved:kube-apiserver', 'reserved:world'] }, 443),
    to('192.0.2.9', { identity: 2, labels: ['reserved:world'] }, 8443),
    to('192.0.2.10', { identity: 2, labels: ['reserved:world'], extra: { destination_names: ['api.example.com'] } }, 443),
    to('10.0.2.1', { identity: 1, labels: ['reserved:host'] }, 4240),
    to('10.0.3.50', (record.flow as { source: Record<string, unknown> }).source, 9090),
  ].join('\n');
  const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: backend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: backend}}
  egress:
  - toEntities: [kube-apiserver]
  - toCIDR: [192.0.2.0/24]
  - toFQDNs: [{matchName: api.example.com}]
`;

  test('each end prints as a text trace parses back to the same endpoint, and traced gives replay\'s verdict', async () => {
    const policies = PolicySet.fromYaml(POLICY, { file: 'p.yaml', cidrMatchNodes: true });
    const report = await replayFlows(FlowSource.text(FLOWS, 'flows.jsonl'), policies);
    expect(report.connections.map((c) => [c.destination, c.predicted.verdict])).toEqual([
      ['entity:host', 'denied'],
      ['node:@10.10.0.6', 'denied'],
      [expect.stringMatching(/^pod:monitoring:.*app.kubernetes.io\/name=prometheus/), 'denied'],
      ['cidr:192.0.2.9', 'allowed'],
      ['entity:kube-apiserver@203.0.113.5', 'allowed'],
      ['fqdn:api.example.com@192.0.2.10', 'allowed'],
      ['node:reserved:kube-apiserver@10.10.0.5', 'allowed'],
    ]);
    for (const c of report.connections) {
      for (const text of [c.source, c.destination]) expect(Endpoints.format(Endpoints.parse(text))).toBe(text);
      const traced = policies.verdict({ from: Endpoints.parse(c.source), to: Endpoints.parse(c.destination), protocol: 'TCP', port: Number(c.connection.split('/')[0]) });
      expect([c.destination, traced.verdict]).toEqual([c.destination, c.predicted.verdict]);
    }
  });

  // Session 51 review: the ends of `identityUnknown` and the ends named in warnings went through a second formatter, which
  // printed the API server's node as `entity:kube-apiserver@10.10.0.5` (trace reads it as a managed API server: another
  // identity, another verdict) and a remote node as `entity:remote-node@10.10.0.6` (which trace refuses). They are now the
  // text of the endpoint replay judges, as connections[] prints it.
  const fromUnknown = (line: string): string => {
    const one = JSON.parse(line) as { flow: Record<string, unknown> & { IP: Record<string, unknown> } };
    return JSON.stringify({ ...one, flow: { ...one.flow, source: { identity: 54321 }, IP: { ...one.flow.IP, source: '10.0.9.99' } } });
  };

  test('identityUnknown prints an end as connections[] does, which trace parses back to it', async () => {
    const policies = PolicySet.fromYaml(POLICY, { file: 'p.yaml', cidrMatchNodes: true });
    const report = await replayFlows(FlowSource.text([FLOWS, ...FLOWS.split('\n').map(fromUnknown)].join('\n'), 'flows.jsonl'), policies);
    // The same ends as judged, but for the name a judged connection to a world address takes from the capture's DNS.
    const judged = report.connections.map((c) => c.destination.replace('fqdn:api.example.com@', 'cidr:')).sort();
    expect(report.identityUnknown.map((u) => [u.source, u.destination]).sort()).toEqual(judged.map((d) => ['identity:54321', d]));
    expect(judged).toEqual(expect.arrayContaining(['node:reserved:kube-apiserver@10.10.0.5', 'node:@10.10.0.6', 'entity:kube-apiserver@203.0.113.5']));
    for (const u of report.identityUnknown) {
      expect(Endpoints.format(Endpoints.parse(u.destination))).toBe(u.destination);
      expect(u.reason).not.toMatch(/entity:(kube-apiserver|remote-node)@10\.10/);
    }
  });

  test.each([
    ['the API server\'s node', 0, 'node:reserved:kube-apiserver@10.10.0.5', { ...Endpoints.node({}, '10.10.0.5'), entity: 'kube-apiserver' }],
    ['a remote node', 1, 'node:@10.10.0.6', Endpoints.node({}, '10.10.0.6')],
  ])('the warning of a nodes-mode capture judged without cidrMatchNodes names %s as trace reads it', async (_name, line, text, endpoint) => {
    const report = await replayFlows(FlowSource.text(FLOWS.split('\n')[line], 'flows.jsonl'), PolicySet.fromYaml(POLICY, { file: 'p.yaml' }));
    const warning = report.warnings.find((w) => w.startsWith('the capture shows a remote node with CIDR labels'));
    const named = /\(((?:node|entity):\S+) \(/.exec(warning ?? '')?.[1];
    expect(named).toBe(text);
    expect(Endpoints.parse(named as string)).toEqual(endpoint);
  });

  test('format → parse → the same endpoint, for every kind replay prints', () => {
    const endpoints = [
      Endpoints.pod('shop', { 'app': 'backend', 'io.cilium.k8s.policy.cluster': 'east' }),
      Endpoints.entity('host'), Endpoints.entity('remote-node'), Endpoints.entity('world'), Endpoints.entity('kube-apiserver'),
      Endpoints.managedApiServer('203.0.113.5'), Endpoints.cidr('192.0.2.9'), Endpoints.cidr('2001:db8::9'),
      Endpoints.fqdn('api.example.com', '192.0.2.10'), Endpoints.node({}, '10.10.0.6'),
      { ...Endpoints.node({}, '10.10.0.5'), entity: 'kube-apiserver' },
      { ...Endpoints.node({ 'kubernetes.io/hostname': 'cp-1' }, 'fd00::5'), entity: 'kube-apiserver' },
    ];
    for (const e of endpoints) expect(Endpoints.parse(Endpoints.format(e))).toEqual(e);
  });

  test('reserved:kube-apiserver on a node takes no value', () => {
    expect(() => Endpoints.parse('node:reserved:kube-apiserver=yes@10.10.0.5')).toThrow(/reserved:kube-apiserver takes no value/);
  });
});
