// An HTTP regex certainly larger than Envoy accepts (src/model/envoy-regex.ts, validate's pitfall-http-regex-too-large): the
// agent accepts the policy, cilium-envoy refuses (NACKs) the network-policy update that carries it and keeps the L7 policy it
// had, and the endpoint's regeneration fails. So no verdict on that endpoint is what Cilium enforces: it is one more agent
// refusal (src/engine/parser-conflicts.ts `agentRefusals`), and trace refuses (exit 2), diff does not compare, report and
// replay do not judge, as for two L7 parsers or two authentication modes on one filter.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Connectivity, Endpoints, PolicySet } from '../../src';
import { FlowSource, replayFlows } from '../../src/hubble';
import { cli, cliAsync } from '../support/cli';
import { HUBBLE_FIXTURES_DIR } from '../hubble/support/paths';

/** 104 by libre2, at least 102: above Envoy's 100 for certain. */
const LONG = '/api/v1/namespaces/kube-system/configmaps/cluster-autoscaler-status-and-leader-election-lock/pods/[0-9]+';
/** Twelve alternatives: 104 by libre2 too, but only estimated above 100 (a warning of validate, judged as written). */
const TWELVE = '/api/v1/(orders|customers|products|inventory|shipments|invoices|payments|refunds|returns|reviews|carts|sessions)/[0-9]+';

/** api admits GET `path` from web on 8080. */
const api = (path: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts:
    - ports: [{ port: "8080", protocol: TCP }]
      rules:
        http:
        - method: GET
          path: '${path}'
`;
const REASON = `CiliumNetworkPolicy prod/api spec.ingress[0] has the http path regex ${JSON.stringify(LONG)} (toPorts[0].rules.http[0].path), `
  + 'too large for Envoy: its RE2 program size is at least 102, above the 100 Envoy accepts (re2.max_program_size.error_level), '
  + 'so cilium-envoy refuses the network-policy update that carries it';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-envoy-regex-refused-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
};

describe('an HTTP regex Envoy certainly refuses: the endpoint\'s connections are not judged', () => {
  test('trace: exit 2 (engine-policy-refused), naming the item, the regex and the validate check; judged when only estimated too large', () => {
    const request = `GET /api/v1/namespaces/kube-system/configmaps/cluster-autoscaler-status-and-leader-election-lock/pods/1`;
    const r = cli('trace', '--policies', file('long.yaml', api(LONG)), '--from', 'pod:prod:app=web', '--to', 'pod:prod:app=api', '--port', '8080',
      '--http', request);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`error: --to pod:prod:app=api: Cilium refuses the policy of this endpoint: ${REASON}; it keeps the policy it had`);
    expect(r.stderr).toContain('(engine-policy-refused); fix: shorten the path regex');
    expect(r.stderr).toContain('`cdk8s-cilium validate` reports it as pitfall-http-regex-too-large\n');
    // The other end too: web's connections to api are about api's policy, and api's own egress is refused as well.
    expect(cli('trace', '--policies', file('long.yaml', api(LONG)), '--from', 'pod:prod:app=api', '--to', 'pod:prod:app=web', '--port', '80').code).toBe(2);
    // Only estimated above 100 (a warning): judged as written.
    const twelve = cli('trace', '--policies', file('twelve.yaml', api(TWELVE)), '--from', 'pod:prod:app=web', '--to', 'pod:prod:app=api', '--port', '8080',
      '--http', 'GET /api/v1/orders/1');
    expect(twelve.code).toBe(0);
  });

  test('diff: the class is NOT COMPARED, its change not shown; report: not judged', async () => {
    const [before, after] = [file('base.yaml', api('/api/v1/pods/[0-9]+')), file('head.yaml', api(LONG))];
    const r = await cliAsync('diff', '--base', before, '--head', after, '--fail-on', 'any');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`NOT COMPARED\n  ? Cilium refuses the policy of the endpoint class prod/app=api on head: ${REASON}: its endpoints keep `);
    expect(r.stdout).toContain('fix pitfall-http-regex-too-large\n');
    const doc = Connectivity.report(PolicySet.fromYaml(api(LONG)));
    expect(doc.notJudged?.map((n) => n.text)).toEqual([expect.stringContaining(REASON)]);
  });

  test('the regex alone refuses: an item whose empty fromEndpoints puts no L7 parser on its port (agentRefusals reads every rule that brings one)', () => {
    // `fromEndpoints: []` selects nothing (1.16+): the item has no parser use, so its regex is all its rule brings to the
    // refusals (`RuleUses.nothing` must count it: a selection of such rules is not skipped as bringing nothing).
    const set = PolicySet.fromYaml(api(LONG).replace('fromEndpoints: [{ matchLabels: { app: web } }]', 'fromEndpoints: []'));
    const query = { from: Endpoints.parse('pod:prod:app=web'), to: Endpoints.parse('pod:prod:app=api'), protocol: 'TCP', port: 8080 } as const;
    for (const ask of [() => set.decide(query), () => set.verdict(query)]) {
      expect(ask).toThrow(expect.objectContaining({ id: 'engine-policy-refused' }));
    }
    expect(() => set.decide({ ...query, from: query.to, to: query.from, port: 80 })).toThrow(/too large for Envoy/);
    // The same item with a regex only estimated too large: judged, and denied (its empty fromEndpoints admits no peer).
    expect(PolicySet.fromYaml(api(TWELVE).replace('fromEndpoints: [{ matchLabels: { app: web } }]', 'fromEndpoints: []')).decide(query)).toBe('denied');
  });

  test('replay: the connections of the refused endpoint are not judged; the others are', async () => {
    const capture = (): FlowSource => FlowSource._bytes(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl')), 'shop-capture.jsonl');
    const shop = readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-policies.yaml'), 'utf8');
    const backend = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: backend-l7, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: backend } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: frontend } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { http: [{ path: '${LONG}' }] } }]
`;
    const control = await replayFlows(capture(), PolicySet.fromYaml(shop));
    const judged = (c: { source: string; destination: string }): boolean => `${c.source} ${c.destination}`.includes('backend');
    expect(control.connections.some(judged)).toBe(true);
    const report = await replayFlows(capture(), PolicySet.fromYaml(shop + backend));
    expect(report.connections.filter(judged)).toEqual([]);
    expect(report.connections.length).toBeGreaterThan(0);
    const messages = report.errors.map((e) => e.message).filter((m) => m.includes('too large for Envoy'));
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => /^the (source|destination) pod:shop:app=backend,.*: Cilium refuses the policy of this endpoint: CiliumNetworkPolicy shop\/backend-l7 spec\.ingress\[0\] has the http path regex .*, so no verdict on them is what Cilium enforces; this connection is not judged \(engine-policy-refused\); fix: .*; `cdk8s-cilium validate` reports it as pitfall-http-regex-too-large$/.test(m))).toBe(true);
  });
});
