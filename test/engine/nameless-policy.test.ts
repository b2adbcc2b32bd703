// Session 47: a policy without metadata.name (absent, null or "") and without generateName is no object of the cluster:
// the API server stores none (apimachinery ValidateObjectMetaAccessor: "name or generateName is required"; kubectl:
// "resource name may not be empty"). It was enforced by trace/replay/diff with only a parse-missing-name warning. Now it
// enforces nothing, skipped with engine-policy-skipped, as any other object the cluster refuses; one with generateName
// (kubectl create names it) is still enforced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Endpoints, PolicySet } from '../../src';
import { cli } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-nameless-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cnp = (metadata: string, kind = 'CiliumNetworkPolicy'): string => `apiVersion: cilium.io/v2\nkind: ${kind}\n${metadata}\nspec:\n`
  + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]\n';
const np = (metadata: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${metadata}\nspec:\n`
  + '  podSelector: {matchLabels: {app: web}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: 80}]}]\n';
const query = (from: string, port: number): Parameters<PolicySet['decide']>[0] =>
  ({ from: Endpoints.pod('default', { app: from }), to: Endpoints.pod('default', { app: 'web' }), port, protocol: 'TCP' });
/** The verdicts of client:80 (allowed by the policy), client:81 and other:80 (denied by it when enforced). */
const table = (set: PolicySet): string[] => [set.decide(query('client', 80)), set.decide(query('client', 81)), set.decide(query('other', 80))];
const ENFORCED = ['allowed', 'denied', 'denied'];
const NOT_ENFORCED = ['allowed', 'allowed', 'allowed'];

describe('a policy without metadata.name enforces nothing', () => {
  const nameless = ['metadata: {namespace: default}', 'metadata: {name: null, namespace: default}', 'metadata: {name: "", namespace: default}'];
  const kinds: [string, (m: string) => string][] = [
    ['CiliumNetworkPolicy', (m) => cnp(m)], ['CiliumClusterwideNetworkPolicy', (m) => cnp(m, 'CiliumClusterwideNetworkPolicy')], ['NetworkPolicy', np],
  ];

  test.each(kinds)('%s: skipped with its reason; named or with generateName it is enforced', (kind, doc) => {
    for (const meta of nameless) {
      const set = PolicySet.fromYaml(doc(meta), { file: 'p.yaml' });
      expect(table(set), `${kind} ${meta}`).toEqual(NOT_ENFORCED);
      expect(set.diagnostics.filter((d) => d.id === 'parse-missing-name').map((d) => `${d.file}:${d.line}`), meta).toEqual(['p.yaml:3']);
      const skipped = set.diagnostics.filter((d) => d.id === 'engine-policy-skipped').map((d) => d.message);
      expect(skipped, meta).toHaveLength(1);
      expect(skipped[0]).toMatch(new RegExp(`^${kind} (default/)?\\(no name\\) is skipped .*metadata\\.name is (missing|empty).*\\[parse-missing-name\\]`));
    }
    // Without metadata at all (a CiliumNetworkPolicy's namespace is then assumed).
    expect(table(PolicySet.fromYaml(doc(''), { file: 'p.yaml' }))).toEqual(NOT_ENFORCED);
    for (const meta of ['metadata: {name: web, namespace: default}', 'metadata: {generateName: web-, namespace: default}']) {
      const set = PolicySet.fromYaml(doc(meta), { file: 'p.yaml' });
      expect([table(set), set.diagnostics.map((d) => d.id)], `${kind} ${meta}`).toEqual([ENFORCED, []]);
    }
  });

  test.each(kinds)('(session 47 review) %s: a name or generateName that is no string is refused at its line, never enforced', (kind, doc) => {
    for (const [meta, line] of [['metadata: {name: 0, namespace: default}', 3], ['metadata:\n  name: {a: 1}\n  namespace: default', 4],
      ['metadata: {generateName: [x], namespace: default}', 3]] as const) {
      const set = PolicySet.fromYaml(doc(meta), { file: 'p.yaml' });
      expect(table(set), `${kind} ${meta}`).toEqual(NOT_ENFORCED);
      expect(set.diagnostics.filter((d) => d.id === 'parse-wrong-type').map((d) => `${d.file}:${d.line}`), meta).toEqual([`p.yaml:${line}`]);
      expect(set.diagnostics.filter((d) => d.id === 'engine-policy-skipped'), meta).toHaveLength(1);
    }
  });

  test('(a guard, so before the fix too) a nameless copy does not replace a named object, which stays enforced', () => {
    const set = PolicySet.fromYaml(`${cnp('metadata: {name: web, namespace: default}')}---\n${cnp('metadata: {namespace: default}')}`, { file: 'p.yaml' });
    expect(table(set)).toEqual(ENFORCED);
  });

  test('trace: not enforced, the reader error and the skip said on stderr', () => {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, cnp('metadata:\n  namespace: default'));
    // Beside an enforced policy of another namespace: judged, the nameless one enforcing nothing.
    const other = join(dir, 'other.yaml');
    writeFileSync(other, cnp('metadata: {name: other, namespace: other}'));
    const r = cli('trace', '--policies', file, other, '--from', 'pod:default:app=other', '--to', 'pod:default:app=web', '--port', '80');
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, 'ALLOWED pod:default:app=other → pod:default:app=web 80/TCP']);
    expect(r.stderr).toContain('p.yaml:4: metadata.name is missing (parse-missing-name)');
    expect(r.stderr).toContain('CiliumNetworkPolicy default/(no name) is skipped (the cluster enforces none of it)');
    // Alone, the inputs enforce no policy: refused as inputs of none (cli-no-policies), the skip named.
    const alone = cli('trace', '--policies', file, '--from', 'pod:default:app=other', '--to', 'pod:default:app=web', '--port', '80');
    expect([alone.code, alone.stdout]).toEqual([2, '']);
    expect(alone.stderr).toMatch(/^error: --policies \S*p\.yaml: no policy the cluster enforces \(the policy read is skipped\); read: \S*p\.yaml: CiliumNetworkPolicy default\/\(no name\) is skipped .*\(cli-no-policies\)/);
  });
});
