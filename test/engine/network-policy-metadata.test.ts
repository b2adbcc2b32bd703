// Session 46 review fixes. A NetworkPolicy whose labels or annotations the API server refuses (a string or a list where
// ObjectMeta has map[string]string, a number as a value) never exists, so Cilium enforces none of it: it was enforced, with
// no diagnostic. One without metadata (no name, which the API server requires) was enforced without a word. And a
// NetworkPolicy without metadata.namespace from a cdk8s construct got no engine-namespace-assumed warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, ApiObject, Chart } from 'cdk8s';
import { afterAll, describe, expect, test } from 'vitest';
import { Endpoints, PolicySet } from '../../src';
import { cli, cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-np-metadata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const np = (meta: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${meta}\nspec:\n  podSelector: {}\n`;
const query = (ns: string, port: number): Parameters<PolicySet['decide']>[0] =>
  ({ from: Endpoints.pod(ns, { app: 'client' }), to: Endpoints.pod(ns, { app: 'web' }), port, protocol: 'TCP' });

describe('a NetworkPolicy with labels or annotations the API server refuses', () => {
  test('is refused at its line and enforces nothing; as a mapping of strings it is enforced', () => {
    for (const meta of ['labels: "app=web"', 'annotations: [a]', 'labels: {n: 5}', 'labels: {app: [web]}']) {
      const set = PolicySet.fromYaml(np(`metadata: {name: a, namespace: default, ${meta}}`), { file: 'np.yaml' });
      expect([set.policies.length, set._refusedManifests.map((d) => `${d.id} ${d.file}:${d.line}`), set.decide(query('default', 80))], meta)
        .toEqual([0, ['parse-wrong-type np.yaml:3'], 'allowed']);
    }
    const good = PolicySet.fromYaml(np('metadata: {name: a, namespace: default, labels: {app: web}, annotations: {a: b}}'), { file: 'np.yaml' });
    expect([good.policies.length, good._refusedManifests, good.diagnostics, good.decide(query('default', 80))]).toEqual([1, [], [], 'denied']);
  });

  test('trace exits 2 naming it; validate reports it', async () => {
    const file = join(dir, 'np.yaml');
    writeFileSync(file, np('metadata: {name: a, namespace: default, labels: "app=web"}'));
    const trace = cli('trace', '--policies', file, '--from', 'pod:default:app=client', '--to', 'pod:default:app=web', '--port', '80');
    expect([trace.code, trace.stdout]).toEqual([2, '']);
    expect(trace.stderr).toContain('np.yaml:3: metadata.labels must be a mapping of strings (app: web), got a string ("app=web"); the API server refuses '
      + 'the NetworkPolicy default/a (labels and annotations are maps of strings), so it is not read (parse-wrong-type)');
    const validate = await cliAsync('validate', file);
    expect([validate.code, /np\.yaml:3:\d+: error parse-wrong-type: metadata\.labels must be a mapping/.test(validate.stdout)]).toEqual([1, true]);
  });
});

describe('a NetworkPolicy without metadata', () => {
  test('is said to have no name, as a CiliumNetworkPolicy is (parse-missing-name); validate fails', async () => {
    const set = PolicySet.fromYaml(np(''), { file: 'np.yaml' });
    expect(set.diagnostics.filter((d) => d.id === 'parse-missing-name').map((d) => `${d.severity} ${d.message} ${d.fix}`))
      .toEqual(['error metadata.name is missing add metadata: {name: <policy name>}']);
    const named = PolicySet.fromYaml(np('metadata: {name: a, namespace: default}'), { file: 'np.yaml' });
    expect(named.diagnostics).toEqual([]);
    const file = join(dir, 'np3.yaml');
    writeFileSync(file, np(''));
    expect((await cliAsync('validate', file)).code).toBe(1);
  });
});

describe('engine-namespace-assumed for a NetworkPolicy', () => {
  const npProps = (metadata: Record<string, string>): ConstructorParameters<typeof ApiObject>[2] => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata,
    spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 80 }] }] },
  } as ConstructorParameters<typeof ApiObject>[2]);

  test('from a construct without namespace: warned, judged in default; with one, no warning', () => {
    const app = new App();
    new ApiObject(new Chart(app, 'c'), 'np', npProps({ name: 'np' }));
    const set = PolicySet.fromConstruct(app);
    expect(set.diagnostics.map((d) => `${d.id} ${d.message.split(':')[0]}`)).toEqual(['engine-namespace-assumed NetworkPolicy np has no metadata.namespace']);
    expect([set.decide(query('default', 80)), set.decide(query('default', 81)), set.decide(query('shop', 81))]).toEqual(['allowed', 'denied', 'allowed']);
    const inShop = new App();
    new ApiObject(new Chart(inShop, 'c', { namespace: 'shop' }), 'np', npProps({ name: 'np' }));
    const shop = PolicySet.fromConstruct(inShop);
    expect([shop.diagnostics, shop.decide(query('shop', 81))]).toEqual([[], 'denied']);
  });

  test('from a file: once, at its line', () => {
    const set = PolicySet.fromYaml(np('metadata:\n  name: np'), { file: 'np.yaml' });
    expect(set.diagnostics.map((d) => `${d.id} ${d.file}:${d.line}`)).toEqual(['engine-namespace-assumed np.yaml:4']);
  });
});

describe('a null matchLabels value of a NetworkPolicy', () => {
  // The API server decodes a NetworkPolicy into Go's map[string]string: a null value is stored as "" (apimachinery
  // runtime/converter.go, encoding/json's zero value for a map element). The policy was refused as a wrong type and left
  // out, so every connection it denies was judged allowed.
  test('is the empty string: the policy is enforced and its peer is the pods with the label set to ""', () => {
    const yaml = np('metadata: {name: a, namespace: default}').replace('  podSelector: {}\n',
      '  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {app: client, x: null}}\n');
    const set = PolicySet.fromYaml(yaml, { file: 'np.yaml' });
    const from = (labels: Record<string, string>): Parameters<PolicySet['decide']>[0] =>
      ({ from: Endpoints.pod('default', labels), to: Endpoints.pod('default', { app: 'web' }), port: 80, protocol: 'TCP' });
    expect([set.policies.length, set.decide(from({ app: 'client', x: '' })), set.decide(from({ app: 'client' })),
      set.decide(from({ app: 'client', x: 'y' }))]).toEqual([1, 'allowed', 'denied', 'denied']);
  });
});
