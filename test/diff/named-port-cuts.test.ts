// Session 57 (issue 16, the mutants of src/diff/named-port-cuts.ts): where the report and the diff cut a pair's port
// segments for named ports. A segment is judged at its first port only, so a port a named port resolves to must start
// one, per server (an ingress rule resolves on the server's own ports: Cilium pkg/endpoint `GetNamedPort(ingress=true)`)
// and cluster-wide for an egress rule (`GetNamedPort(ingress=false)` → `namedPortsGetter.GetNamedPorts()`). Each test
// holds the report and the diff to the engine's verdicts; each failed with a mutant of NamedPortCuts, written by hand.
import { describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';
import { parseConnection } from '../../src/engine/query';
import { changeLine, reportDisagreements } from './support';

/** A Deployment in prod with these pod labels and container ports (`name: port`, TCP). */
function deployment(name: string, labels: Record<string, string>, ports: Record<string, number> = {}): string {
  const containerPorts = Object.entries(ports).map(([n, p]) => `{ name: ${n}, containerPort: ${p} }`).join(', ');
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: prod }
spec:
  selector: { matchLabels: ${JSON.stringify(labels)} }
  template:
    metadata: { labels: ${JSON.stringify(labels)} }
    spec: { containers: [{ name: c, image: x, ports: [${containerPorts}] }] }
`;
}

/** The verdict of a connection between two endpoints of a set (`pod:prod:app=web`). */
function verdictOf(set: PolicySet, from: string, to: string, connection: string): string {
  return set.verdict({ from: set.endpoint(from), to: set.endpoint(to), ...parseConnection(connection) }).verdict;
}

describe('ingress: each server is cut at its own named ports, also where servers share their policy', () => {
  // One policy selects both servers: the same port boundaries on ingress, the named port `http` resolved per pod.
  const policy = (port: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: ${port}, protocol: TCP }] }]
---
${deployment('web', { app: 'web' })}---
${deployment('a', { app: 'api', tier: 'a' }, { http: 8080 })}---
${deployment('b', { app: 'api', tier: 'b' }, { http: 9090 })}`;
  const head = PolicySet.fromYaml(policy('http'), { file: 'head.yaml' });
  const base = PolicySet.fromYaml(policy('"1"'), { file: 'base.yaml' });
  const GRID = ['1/TCP', '8079/TCP', '8080/TCP', '8081/TCP', '9089/TCP', '9090/TCP', '9091/TCP'];

  test('the engine: web reaches a on 8080 only and b on 9090 only', () => {
    expect(GRID.map((c) => [c, verdictOf(head, 'pod:prod:app=web', 'pod:prod:app=api,tier=a', c), verdictOf(head, 'pod:prod:app=web', 'pod:prod:app=api,tier=b', c)]))
      .toEqual([
        ['1/TCP', 'denied', 'denied'], ['8079/TCP', 'denied', 'denied'], ['8080/TCP', 'allowed', 'denied'], ['8081/TCP', 'denied', 'denied'],
        ['9089/TCP', 'denied', 'denied'], ['9090/TCP', 'denied', 'allowed'], ['9091/TCP', 'denied', 'denied'],
      ]);
  });

  test('the report lists web → a 8080/TCP and web → b 9090/TCP, and agrees with verdict() on the grid', () => {
    const cells = head.report().connections.filter((c) => c.from === 'prod/web' && c.to.startsWith('prod/') && c.to !== 'prod/web')
      .map((c) => `${c.to} ${c.ports.join(', ')}`);
    expect(cells.sort()).toEqual(['prod/(other pods) any', 'prod/a 8080/TCP', 'prod/b 9090/TCP']);
    expect(reportDisagreements(head, 'prod/web', GRID)).toEqual([]);
  });

  test('the diff from port 1 to port http: each server gains its own number', () => {
    const lines = Connectivity.diff(base, head).changes.map(changeLine).filter((l) => l.includes('prod/web → prod/a') || l.includes('prod/web → prod/b'));
    expect(lines.sort()).toEqual(['+ prod/web → prod/a 8080/TCP', '+ prod/web → prod/b 9090/TCP', '- prod/web → prod/a 1/TCP', '- prod/web → prod/b 1/TCP']);
  });
});

describe('egress: the cluster\'s named ports', () => {
  /** CNP prod/db: egress to world on port 1 and, in `items`, on port http. */
  const policy = (toPorts: string, workers: readonly string[]): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: db } }
  egress:
  - toEntities: [world]
    toPorts: ${toPorts}
---
${deployment('db', { app: 'db' })}---
${workers.join('---\n')}`;
  const WORKER = deployment('worker', { app: 'worker' }, { http: 9050 });
  const GRID = ['1/TCP', '2/TCP', '9049/TCP', '9050/TCP', '9051/TCP', '9060/TCP', '9061/TCP'];

  test('an item whose second port rule names the port: the report and the diff list prod/db → world 9050/TCP', () => {
    const head = PolicySet.fromYaml(policy('[{ ports: [{ port: "1", protocol: TCP }] }, { ports: [{ port: http, protocol: TCP }] }]', [WORKER]));
    const base = PolicySet.fromYaml(policy('[{ ports: [{ port: "1", protocol: TCP }] }]', [WORKER]));
    expect(verdictOf(head, 'pod:prod:app=db', 'entity:world', '9050/TCP')).toBe('allowed');
    expect(head.report().connections.filter((c) => c.from === 'prod/db' && c.to === 'world').flatMap((c) => c.ports)).toEqual(['1/TCP', '9050/TCP']);
    expect(reportDisagreements(head, 'prod/db', GRID)).toEqual([]);
    expect(Connectivity.diff(base, head).changes.map(changeLine)).toContain('+ prod/db → world 9050/TCP');
  });

  // Two workloads name `http` with two numbers: Cilium skips the name (ErrDuplicateNamedPorts, pkg/policy/types
  // `namedPortMultiMap.GetNamedPort`), so the item opens neither number; the report and the diff say so, and do not fail.
  test('a name with two numbers in the cluster: neither is allowed, in the report and the diff, as the engine says', () => {
    const workers = [WORKER, deployment('other', { app: 'other' }, { http: 9060 })];
    const head = PolicySet.fromYaml(policy('[{ ports: [{ port: "1", protocol: TCP }, { port: http, protocol: TCP }] }]', workers));
    const base = PolicySet.fromYaml(policy('[{ ports: [{ port: "1", protocol: TCP }] }]', workers));
    expect(['9050/TCP', '9060/TCP'].map((c) => verdictOf(head, 'pod:prod:app=db', 'entity:world', c))).toEqual(['denied', 'denied']);
    expect(head.report().connections.filter((c) => c.from === 'prod/db' && c.to === 'world').flatMap((c) => c.ports)).toEqual(['1/TCP']);
    expect(reportDisagreements(head, 'prod/db', GRID)).toEqual([]);
    expect(Connectivity.diff(base, head).changes.map(changeLine)).toEqual([]);
  });
});
