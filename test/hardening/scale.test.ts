// Hostile input sizes that stay under the input size limit but used to cost minutes or gigabytes: a mapping of 100,000
// keys (the YAML library's duplicate-key check is quadratic), tens of thousands of unknown fields (their positions and
// the CRD violations they cover), a multi-megabyte unknown key (the "did you mean" edit distance). `GUARD` is generous;
// the old code needed minutes for each of these.
import { describe, expect, test, vi } from 'vitest';
import { editDistance } from '../../src/model/edit-distance';
import { Connectivity, PolicyModel, PolicySet } from '../../src';
import { AddressSet } from '../../src/model/address-set';
import { PolicyApiObject } from '../../src/model/policy-api-object';
import { GUARD, draft, flowLine, scratchDir, validate, write } from './support';

const dir = scratchDir();
const HEAD = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: x\n  namespace: shop\n';
const SPEC = 'spec:\n  endpointSelector: {}\n  ingress: [{}]\n';

describe('large mappings are read in linear time', () => {
  test('a duplicate key among 100,000 is still found, at its line', GUARD, () => {
    const labels = Array.from({ length: 100_000 }, (_, i) => `    l${i}: v\n`).join('');
    const parsed = PolicyModel.fromYaml(`${HEAD}  labels:\n${labels}    l7: again\n${SPEC}`, { file: 'dup.yaml' });
    expect(parsed.documents).toEqual([]);
    expect(parsed.diagnostics.map((d) => [d.id, d.line, d.column, d.message])).toEqual([
      ['parse-yaml-syntax', 100_007, 5, 'map keys must be unique at line 100007, column 5'],
    ]);
  });

  test('20,000 unknown fields: the first 1,000 each at its own line, the rest counted (one finding per id and file)', GUARD, async () => {
    const unknown = Array.from({ length: 20_000 }, (_, i) => `  ingres${'s'.repeat(i % 50)}x${i}: 1\n`).join('');
    const r = await validate([write(dir, 'unknown.yaml', `${HEAD}${SPEC}${unknown}`), '--format', 'json'], undefined, dir);
    expect(r.code).toBe(1);
    const diags = JSON.parse(r.stdout).diagnostics.filter((d: any) => d.id === 'parse-unknown-field');
    expect(diags).toHaveLength(1_001);
    expect(diags.slice(1).every((d: any, i: number) => d.line === 9 + i)).toBe(true);
    expect(diags[0].message).toBe('and 19,000 more parse-unknown-field errors in this policy, not listed (a file lists at most 1,000 of one kind, and each policy\'s first)');
  });
});

describe('"did you mean": only close names are compared in full', () => {
  test('a 5 MB unknown key is reported without comparing it cell by cell', GUARD, async () => {
    const key = 'q'.repeat(5_000_000);
    const text = JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'shop' },
      spec: { endpointSelector: {}, ingress: [{}], [key]: 1 } });
    const r = await validate([write(dir, 'long-key.json', text), '--format', 'json'], undefined, dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics.map((d: any) => [d.id, d.line])).toEqual([['parse-unknown-field', 1]]);
  });

  // 100,000 characters: without the band (every cell of each row computed) the first two distances are 10^10 cells each,
  // minutes of CPU, far past GUARD; with it, a tenth of a second.
  test('a near-miss key of 100 kB is within the bound: found as a typo in linear time', GUARD, () => {
    const a = 'x'.repeat(100_000);
    expect(editDistance(a, `${a}y`, 3)).toBe(1);
    expect(editDistance(a, `y${a.slice(1)}z`, 3)).toBe(2);
    expect(editDistance(a, 'y'.repeat(1_000_000), 3)).toBe(4);
  });

  test('the bounded distance is the exact one up to the bound, and bound + 1 above it', () => {
    const words = ['', 'a', 'ab', 'ba', 'web', 'wbe', 'webb', 'ingress', 'ingres', 'igress', 'egress', 'ingressDeny', 'toPorts', 'toports', 'kitten', 'sitting'];
    for (const a of words) {
      for (const b of words) {
        const exact = editDistance(a, b);
        for (const max of [0, 1, 2, 3]) expect(editDistance(a, b, max), `${a} ${b} ${max}`).toBe(Math.min(exact, max + 1));
      }
    }
    expect([editDistance('webb', 'web'), editDistance('wbe', 'web'), editDistance('kitten', 'sitting'), editDistance('ca', 'abc')]).toEqual([1, 1, 3, 3]);
  });
});

describe('draft --output yaml of many namespaces costs the policies, not namespaces × policies', () => {
  // Each namespace's chart validated and prepared the whole app (cdk8s's `App._synthChart`, and the app validation of each
  // chart's policies) outside a synthesis session: n namespaces cost n² — 200 took 48 s, 1,000 over 15 minutes, 4,000 (after
  // the first half of the fix) 137 s. In one session the app is validated once: 4,000 namespaces take 14 s.
  test('each drafted policy is rendered a bounded number of times, whatever the number of namespaces', GUARD, async () => {
    const namespaces = 40;
    const flows = Array.from({ length: namespaces }, (_, i) => {
      const ns = `ns${i}`;
      const line = JSON.parse(flowLine({ source: { namespace: ns, labels: ['k8s:app=web', `k8s:io.kubernetes.pod.namespace=${ns}`] } }));
      line.flow.destination = { identity: 301, namespace: ns, labels: ['k8s:app=api', `k8s:io.kubernetes.pod.namespace=${ns}`] };
      return JSON.stringify(line);
    }).join('\n');
    const rendered = vi.spyOn(PolicyApiObject.prototype, 'toJson');
    try {
      const r = await draft('--flows', write(dir, 'namespaces.jsonl', `${flows}\n`), '--output', 'yaml');
      expect(r.code).toBe(0);
      const policies = r.stdout.match(/^kind: CiliumNetworkPolicy$/gm)?.length ?? 0;
      expect(policies).toBe(2 * namespaces);
      expect(new Set(r.stdout.match(/^ {2}namespace: ns\d+$/gm)).size).toBe(namespaces);
      // Twice each (the app's validation, then its chart's manifests); before: 3,360 for these 80, 42 each.
      expect(rendered.mock.calls.length).toBeLessThanOrEqual(4 * policies);
    } finally {
      rendered.mockRestore();
    }
  });
});

describe('a rule of many CIDRs costs n log n in report, not n²', () => {
  // One toCIDR rule of n /32s makes n world classes and n pairs to judge: each pair's verdict tested every block (and the
  // classes each CIDR against all others): 8,000 took 8.8 s of CPU, 20,000 269 s of wall time. The blocks are now indexed
  // once per compiled list (`AddressSet`), the classes found in the CIDRs' nesting: 20,000 take 5 s.
  test('3,000 /32s: a class each, the pod allowed to each on its port; the blocks indexed once, not per query', GUARD, () => {
    const n = 3_000;
    const cidrs = Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`);
    const set = PolicySet.fromYaml(JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'many', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDR: cidrs, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] } }),
    { file: 'many.yaml' });
    const built = vi.spyOn(AddressSet, 'of');
    try {
      const report = Connectivity.report(set);
      expect(report.endpoints.filter((e) => e.id.startsWith('world 10.0.'))).toHaveLength(n);
      const toCidrs = report.connections.filter((c) => c.from === 'shop/app=web' && c.to.startsWith('world 10.0.'));
      expect(toCidrs).toHaveLength(n);
      expect(toCidrs.every((c) => c.ports.join() === '443/TCP')).toBe(true);
      expect(built.mock.calls.length).toBe(1);
    } finally {
      built.mockRestore();
    }
  });
});
