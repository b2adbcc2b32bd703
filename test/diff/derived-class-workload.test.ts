// Session 56 (cross-command consistency): a class derived from the selectors whose labels hold a workload's pod labels
// (`prod/app=worker,tier=legacy` beside `Deployment worker` with pods {app: worker}) is one of that workload's pods to the
// engine: `EndpointInventory.enrich` gives it the workload's named ports and service account, and `trace`/`verdict()` of
// the class's own endpoint judge it so. The report and the diff cut their port segments at the class's own named ports,
// which a derived class did not carry: `trace --to pod:prod:app=worker,tier=legacy --port 9050/TCP` said ALLOWED (the
// named port `http` is 9050 on the worker's pods) where `report --inventory` left the cell out (denied), and removing
// the rule was a silent "no change" in `diff`.
import { describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';
import { parseConnection } from '../../src/engine/query';
import { changeLine } from './support';

const INVENTORY = `apiVersion: apps/v1
kind: Deployment
metadata: { name: worker, namespace: prod }
spec:
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec: { serviceAccountName: worker-sa, containers: [{ name: c, image: x, ports: [{ name: http, containerPort: 9050 }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: prod }
spec:
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: c, image: x }] }
`;

// The worker admits every pod of the default service account on its named port; a deny of { app: db, tier: legacy }
// (which no workload is) makes the classes tell tier=legacy apart, hence the derived class prod/app=worker,tier=legacy.
const named = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: worker, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: worker } }
  ingress:
  - fromEndpoints: [{ matchLabels: { io.cilium.k8s.policy.serviceaccount: default } }]
    toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
  ingressDeny:
  - fromEndpoints: [{ matchLabels: { app: db, tier: legacy } }]
    toPorts: [{ ports: [{ port: "1", protocol: TCP }] }]
`;
const withoutNamed = named.split('\n').filter((l) => !l.includes('serviceaccount: default') && !l.includes('port: http')).join('\n');

const set = (policies: string, file: string): PolicySet => PolicySet.fromYaml(`${policies}---\n${INVENTORY}`, { file });
const DERIVED = 'prod/app=worker,tier=legacy';

/** Whether the report lists `from → to` on the connection. */
function listed(s: PolicySet, from: string, to: string, connection: string): boolean {
  const q = parseConnection(connection);
  return s.report().connections.filter((c) => c.from === from && c.to === to).some((c) => c.ports.some((p) => {
    const m = /^(\d+)(?:-(\d+))?\/(TCP|UDP|ANY)$/.exec(p);
    return p === 'any' || (m !== null && (m[3] === 'ANY' || m[3] === q.protocol) && q.port !== undefined
      && q.port >= Number(m[1]) && q.port <= Number(m[2] ?? m[1]));
  }));
}

describe('a derived class that holds a workload\'s pod labels is judged with that workload\'s named ports', () => {
  const head = set(named, 'head.yaml');
  const base = set(withoutNamed, 'base.yaml');

  test('the class is derived from the selectors (no workload of its own), and the engine completes it from the worker', () => {
    const cls = Connectivity.endpointClasses([head]).find((c) => c.cls.id === DERIVED);
    expect(cls?.cls.workloads).toBeUndefined();
    expect(head.inventory.enrich(cls?.endpoint ?? head.endpoint('pod:prod:')).ports).toEqual([{ name: 'http', port: 9050, protocol: 'TCP' }]);
  });

  test('report cells agree with verdict(): allowed on 9050 (the named port), denied on 9051 and on 80', () => {
    const to = head.endpoint('pod:prod:app=worker,tier=legacy');
    const from = head.endpoint('pod:prod:app=db');
    const truth = ['9050/TCP', '9051/TCP', '80/TCP'].map((c) => [c, head.verdict({ from, to, ...parseConnection(c) }).verdict, listed(head, 'prod/db', DERIVED, c)]);
    expect(truth).toEqual([['9050/TCP', 'allowed', true], ['9051/TCP', 'denied', false], ['80/TCP', 'denied', false]]);
  });

  test('removing the named-port rule is newly denied on 9050 for the derived class as for the workload', () => {
    const lines = Connectivity.diff(head, base).changes.map(changeLine).filter((l) => l.startsWith('- prod/db → '));
    expect(lines).toEqual(['- prod/db → prod/worker 9050/TCP', `- prod/db → ${DERIVED} 9050/TCP`]);
  });
});
