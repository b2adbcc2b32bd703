// Session 56 (review of the derived-class fix): an egress named port resolves on the named ports of every pod of the
// cluster (Cilium pkg/endpoint `GetNamedPort(ingress=false)` → `namedPortsGetter.GetNamedPorts()`; engine
// `egressNamedPorts`), so `toPorts: port: http` on egress, with a worker pod `http: 9050`, allows 9050 to every peer the
// rule selects, world and pods without ports too. The report and the diff cut their port segments at the server's own
// named ports only: `trace --from pod:prod:app=db --to entity:world --port 9050/TCP` said ALLOWED while the report left
// `prod/db → world` out and `diff --fail-on allowed` said "no connectivity change" (exit 0).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';
import { parseConnection } from '../../src/engine/query';
import { cliAsync } from '../support/cli';
import { changeLine, portsCover as covers, reportDisagreements } from './support';

const INVENTORY = `apiVersion: apps/v1
kind: Deployment
metadata: { name: worker, namespace: prod }
spec:
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec: { containers: [{ name: c, image: x, ports: [{ name: http, containerPort: 9050 }] }] }
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

/** CNP prod/db: egress to `app=other` on port 1, and with `named` to world and every pod of prod on `port: http`. */
const policy = (named: boolean): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: db } }
  egress:
${named ? `  - toEntities: [world]
    toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
  - toEndpoints: [{}]
    toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
` : ''}  - toEndpoints: [{ matchLabels: { app: other } }]
    toPorts: [{ ports: [{ port: "1", protocol: TCP }] }]
`;

const set = (named: boolean): PolicySet => PolicySet.fromYaml(`${policy(named)}---\n${INVENTORY}`, { file: named ? 'head.yaml' : 'base.yaml' });

const GRID = ['1/TCP', '80/TCP', '9049/TCP', '9050/TCP', '9051/TCP', '9050/UDP'];

describe('an egress named port is cut where the engine resolves it: the cluster\'s named ports', () => {
  const head = set(true);
  const base = set(false);

  test('the report lists prod/db → world and → pods without ports on 9050/TCP, not on 9051/TCP', () => {
    const ports = (to: string): readonly string[] => head.report().connections.filter((c) => c.from === 'prod/db' && c.to === to).flatMap((c) => c.ports);
    expect(['world', 'prod/db', 'prod/app=other'].map((to) => [to, covers(ports(to), '9050/TCP'), covers(ports(to), '9051/TCP')])).toEqual([
      ['world', true, false], ['prod/db', true, false], ['prod/app=other', true, false],
    ]);
  });

  test('every report cell from prod/db agrees with verdict() on a grid of ports', () => {
    expect(reportDisagreements(head, 'prod/db', GRID)).toEqual([]);
  });

  test('the diff lists the named port newly allowed to world and to the pods without ports', () => {
    const lines = Connectivity.diff(base, head).changes.map(changeLine);
    expect(lines).toContain('+ prod/db → world 9050/TCP');
    expect(lines).toContain('+ prod/db → prod/app=other 9050/TCP');
    expect(lines.filter((l) => l.includes('9051'))).toEqual([]);
  });

  test('a host policy\'s egress named port resolves cluster-wide too: host → world on 9050/TCP, in the report and the diff', () => {
    const hostPolicy = (port: string): PolicySet => PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host }
spec:
  nodeSelector: {}
  egress:
  - toEntities: [world]
    toPorts: [{ ports: [{ port: ${port}, protocol: TCP }] }]
---
${INVENTORY}`, { hostFirewall: true });
    const named = hostPolicy('http');
    const ports = named.report().connections.filter((c) => c.from === 'host' && c.to === 'world').flatMap((c) => c.ports);
    expect([covers(ports, '9050/TCP'), covers(ports, '9051/TCP')]).toEqual([true, false]);
    expect(named.verdict({ from: named.endpoint('entity:host'), to: named.endpoint('entity:world'), ...parseConnection('9050/TCP') }).verdict).toBe('allowed');
    expect(Connectivity.diff(hostPolicy('"1"'), named).changes.map(changeLine)).toContain('+ host → world 9050/TCP');
  });

  describe('CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-egress-named-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const inventory = write('inventory.yaml', INVENTORY);
    const basePath = write('base.yaml', policy(false));
    const headPath = write('head.yaml', policy(true));

    test('diff --fail-on allowed lists + prod/db → world 9050/TCP and exits 1', async () => {
      const r = await cliAsync('diff', '--base', basePath, '--head', headPath, '--inventory', inventory, '--fail-on', 'allowed');
      expect(r.stdout).toContain('  + prod/db → world 9050/TCP');
      expect(r.code).toBe(1);
    });

    test('report --inventory lists prod/db → world 9050/TCP', async () => {
      const r = await cliAsync('report', '--policies', headPath, '--inventory', inventory);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/prod\/db → world 9050\/TCP/);
    });
  });
});
