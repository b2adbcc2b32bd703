// Session 47 (hostile input): a null item in a built-in object's `matchExpressions` `values` (`values: [null]`, `[~]`).
// The API server decodes `values` into Go's []string, and a null item becomes the zero value "" (apimachinery
// pkg/runtime/converter.go sliceFromUnstructured → fromUnstructured: a nil source is reflect.Zero), which
// ValidateLabelSelectorRequirement accepts. The readers took it for the text "null" (a workload's selector, the NetworkPolicy
// model), and validate refused the NetworkPolicy as "a list, the API server wants a list of strings" (so trace skipped it,
// and allowed what it denies).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumPolicy, EndpointSelector, Endpoints, Peer, PolicySet } from '../../src';
import { readManifest } from '../../src/model/manifests';
import { validateNetworkPolicy } from '../../src/validate';
import { cli, cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-null-values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** prod/np: pods with tier "" take ingress from pods with role "" only; `nul` is how the null item is written. */
const np = (nul: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: prod}
spec:
  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [${nul}]}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector:
        matchExpressions:
        - {key: role, operator: In, values: [${nul}]}
`;
const decide = (set: PolicySet, from: Record<string, string>, to: Record<string, string>): string =>
  set.decide({ from: Endpoints.pod('prod', from), to: Endpoints.pod('prod', to), port: 80, protocol: 'TCP' });

describe('a null item of a NetworkPolicy selector\'s values is the empty string', () => {
  test.each(['null', '~'])('values: [%s]: selects the pods with the key and the empty value, never the text "null"', (nul) => {
    const set = PolicySet.fromYaml(np(nul), { file: 'np.yaml' });
    expect([set.policies.length, set._refusedManifests]).toEqual([1, []]);
    expect([
      decide(set, { role: '' }, { tier: '' }),
      decide(set, { role: 'null' }, { tier: '' }),
      decide(set, { role: 'x' }, { tier: '' }),
      decide(set, { role: 'null' }, { tier: 'null' }),
      decide(set, { role: 'x' }, { app: 'web' }),
    ]).toEqual(['allowed', 'denied', 'denied', 'allowed', 'allowed']);
  });

  test('the API server\'s checks: accepted under In; under Exists it is a value ([""])', () => {
    const obj = (operator: string): unknown => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'prod' },
      spec: { podSelector: { matchExpressions: [{ key: 'tier', operator, values: [null] }] } },
    });
    expect(validateNetworkPolicy(obj('In'))).toEqual([]);
    expect(validateNetworkPolicy(obj('Exists')).map((d) => `${d.id} ${d.path}: ${d.message}`))
      .toEqual(['k8s-np-selector spec.podSelector.matchExpressions[0].values: operator Exists takes no values (got [""])']);
    expect(validateNetworkPolicy({ ...(obj('In') as object), spec: { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [1] }] } } })
      .map((d) => d.id)).toEqual(['k8s-np-type']);
  });

  test('validate passes it; trace denies what it denies (exit 1)', async () => {
    const file = join(dir, 'np.yaml');
    writeFileSync(file, np('null'));
    const validate = await cliAsync('validate', file);
    expect([validate.code, validate.stdout.includes('k8s-np-type')]).toEqual([0, false]);
    const trace = cli('trace', '--policies', file, '--from', 'pod:prod:role=null', '--to', 'pod:prod:tier=', '--port', '80');
    expect([trace.code, trace.stdout.split('\n')[0]]).toEqual([1, 'DENIED pod:prod:role=null → pod:prod:tier 80/TCP']);
  });
});

// Session 47 review: a NetworkPolicy's null items (and null matchLabels values) were read as "" without a word, where a
// workload's were the warning parse-null-value; the warning's fix said "remove the key", which a list item has not (and
// removing the item leaves values: [], which In refuses).
describe('a NetworkPolicy\'s null selector values are said at their line, as a workload\'s are (parse-null-value)', () => {
  const LIST_FIX = 'write the value ("" if the empty value is meant)';
  test('each null item and null matchLabels value of its pod selector and its peers\' selectors: a warning with its fix', async () => {
    const file = join(dir, 'np-nulls.yaml');
    writeFileSync(file, `${np('null')}    - namespaceSelector: {matchLabels: {team: null}}
  policyTypes: [Ingress, Egress]
  egress:
  - to:
    - podSelector: {matchLabels: {app: ~, tier: db}}
`.replace('  policyTypes: [Ingress]\n', ''));
    const r = await cliAsync('validate', '--format', 'json', file);
    const found = JSON.parse(r.stdout).diagnostics.filter((d: any) => d.id === 'parse-null-value');
    expect(found.map((d: any) => [d.line, d.severity, d.message, d.fix])).toEqual([
      [7, 'warning', 'spec.podSelector.matchExpressions[0].values[0] is null; the API server stores it as the empty string', LIST_FIX],
      [12, 'warning', 'spec.ingress[0].from[0].podSelector.matchExpressions[0].values[0] is null; the API server stores it as the empty string', LIST_FIX],
      [13, 'warning', 'spec.ingress[0].from[1].namespaceSelector.matchLabels.team is null; the API server stores it as the empty string',
        'remove the key, or write the value'],
      [17, 'warning', 'spec.egress[0].to[0].podSelector.matchLabels.app is null; the API server stores it as the empty string',
        'remove the key, or write the value'],
    ]);
    // Read as "" all the same: the pods with role "" reach tier "" (allowed), role "null" do not.
    const set = PolicySet.fromFiles([file]);
    expect([decide(set, { role: '' }, { tier: '' }), decide(set, { role: 'null' }, { tier: '' })]).toEqual(['allowed', 'denied']);
  });

  test('a wrong type in a NetworkPolicy selector stays its own finding (k8s-np-type), not a parse refusal', async () => {
    const file = join(dir, 'np-number.yaml');
    writeFileSync(file, np('1'));
    const r = await cliAsync('validate', '--format', 'json', file);
    expect(JSON.parse(r.stdout).diagnostics.map((d: any) => d.id)).toEqual(['k8s-np-type', 'k8s-np-type']);
  });
});

describe('a null item of a workload selector\'s values is the empty string', () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  selector:
    matchExpressions:
    - {key: tier, operator: In, values: [null]}
  template:
    metadata: {labels: {tier: ""}}
    spec: {containers: [{name: c, image: i}]}
`;

  test('read as [""], and validate says so at its line (parse-null-value)', async () => {
    const info = readManifest({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [null, 'b'] }] }, template: { metadata: { labels: { tier: '' } } } },
    });
    expect(info?.type === 'workload' ? info.selector : undefined).toEqual({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['', 'b'] }] });
    const file = join(dir, 'deploy.yaml');
    writeFileSync(file, deployment);
    const validate = await cliAsync('validate', file);
    expect(validate.stdout).toContain('deploy.yaml:7:42: warning parse-null-value: spec.selector.matchExpressions[0].values[0] is null; '
      + 'the API server stores it as the empty string');
    // An item has no key: the fix is to write it (removing it leaves values: [], which In refuses).
    expect(validate.stdout).toContain('    spec.selector.matchExpressions[0].values[0]\n    fix: write the value ("" if the empty value is meant)\n');
  });

  test('Peer.workload of such a Deployment selects its pods (tier ""), not pods labelled tier=null', () => {
    const app = Testing.app();
    const c = new Chart(app, 'c', { namespace: 'prod' });
    const web = new ApiObject(c, 'web', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [null] }] },
        template: { metadata: { labels: { tier: '' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    });
    new CiliumPolicy(c, 'db', { endpointSelector: EndpointSelector.labels({ app: 'db' }) }).allowIngress(Peer.workload(web));
    const set = PolicySet.fromYaml(Testing.synth(c).map((o) => JSON.stringify(o)).join('\n---\n'));
    expect([decide(set, { tier: '' }, { app: 'db' }), decide(set, { tier: 'null' }, { app: 'db' })]).toEqual(['allowed', 'denied']);
  });
});
