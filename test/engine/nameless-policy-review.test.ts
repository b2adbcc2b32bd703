// Session 47 review: one judgement of a policy without a name (`nameMissing`, model/object-names.ts) for every entry point.
// D4: PolicySet.fromDocuments enforced a model whose metadata.name is "" (only the readers refused it; `admission` now asks
// validatePolicy's parse-missing-name). D1: validate reported crd-metadata-name "metadata.name is missing" for a policy with
// generateName and no name (the API server names it first: apiserver rest.BeforeCreate, then ValidateObjectMetaAccessor),
// and a missing name twice (parse-missing-name and crd-metadata-name).
import { describe, expect, test } from 'vitest';
import { Endpoints, PolicyDocumentModel, PolicySet, Validator } from '../../src';
import { CiliumVersion } from '../../src/core/cilium-version';
import { fromYaml } from '../../src/model/parse';
import { check, summary } from '../validate-cli/helpers';

const WEB = fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]
`).documents[0].model;
const model = (metadata: PolicyDocumentModel['metadata']): PolicyDocumentModel => ({ ...WEB, metadata });
const query = (from: string): Parameters<PolicySet['decide']>[0] =>
  ({ from: Endpoints.pod('default', { app: from }), to: Endpoints.pod('default', { app: 'web' }), port: 80, protocol: 'TCP' });
const table = (set: PolicySet): string[] => [set.decide(query('client')), set.decide(query('other'))];

describe('a model without a name, from every entry point', () => {
  test('fromDocuments: a nameless model enforces nothing, its reason parse-missing-name; named or with generateName it is enforced', () => {
    const set = PolicySet.fromDocuments([model({ name: '', namespace: 'default' })]);
    expect(table(set)).toEqual(['allowed', 'allowed']);
    const v = set.verdict({ ...query('other') });
    expect(v.ingress.notes.join('\n')).toMatch(/not imported by the agent: .*metadata\.name is missing .*\[parse-missing-name\]/);
    expect(table(PolicySet.fromDocuments([model({ name: 'web', namespace: 'default' })]))).toEqual(['allowed', 'denied']);
    expect(table(PolicySet.fromDocuments([model({ name: '', generateName: 'web-', namespace: 'default' })]))).toEqual(['allowed', 'denied']);
  });

  test('(a guard, so before the fix too) two documents with generateName are two objects: the later does not replace the earlier', () => {
    const allow = model({ name: '', generateName: 'web-', namespace: 'default' });
    const denyClient: PolicyDocumentModel = { ...allow, spec: { ...allow.spec!, ingressDeny: allow.spec!.ingress } };
    expect(table(PolicySet.fromDocuments([denyClient, allow]))).toEqual(['denied', 'denied']);
  });

  test('Validator.validatePolicy: a missing name is parse-missing-name; generateName none; an invalid name crd-metadata-name', () => {
    const ids = (m: PolicyDocumentModel): string[] => Validator.validatePolicy(m, { version: CiliumVersion.V1_19 }).map((d) => d.id);
    expect(ids(model({ name: '', namespace: 'default' }))).toEqual(['parse-missing-name']);
    expect(ids(model({ name: '', generateName: 'web-', namespace: 'default' }))).toEqual([]);
    expect(ids(model({ name: 'Bad_Name', namespace: 'default' }))).toEqual(['crd-metadata-name']);
  });
});

describe('validate: a missing name once, generateName none', () => {
  const doc = (metadata: string): string => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: ${metadata}\nspec:\n`
    + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: client}}]}]\n';
  test.each([
    ['{generateName: web-, namespace: default}', []],
    ['{name: "", namespace: default}', ['error parse-missing-name@p.yaml:3:11 metadata']],
    ['{namespace: default}', ['error parse-missing-name@p.yaml:3:11 metadata']],
    ['{name: Bad_Name, namespace: default}', ['error crd-metadata-name@p.yaml:3:18 metadata.name']],
  ])('metadata %s', (metadata, expected) => {
    expect(summary(check({ 'p.yaml': doc(metadata) }))).toEqual(expected);
  });
});

describe('D6: no namespace is assumed for a policy that has no name (it is skipped, in no namespace)', () => {
  const cnp = (metadata: string): string => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: ${metadata}\nspec:\n`
    + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: client}}]}]\n';
  const np = (metadata: string): string => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: ${metadata}\nspec:\n`
    + '  podSelector: {}\n  policyTypes: [Ingress]\n';
  const engine = (text: string): string[] => PolicySet.fromYaml(text, { file: 'p.yaml' }).diagnostics
    .filter((d) => d.id === 'engine-namespace-assumed').map((d) => d.message.replace(/ has no metadata\.namespace: .*/, ''));
  const pitfalls = (text: string): number => check({ 'p.yaml': text }).diagnostics.filter((d) => d.id === 'pitfall-namespace-assumed').length;
  test.each([
    ['a nameless CiliumNetworkPolicy', cnp('{labels: {a: b}}'), [], 0],
    ['one named ""', cnp('{name: ""}'), [], 0],
    ['a nameless NetworkPolicy', np('{labels: {a: b}}'), [], 0],
    ['a named CiliumNetworkPolicy', cnp('{name: web}'), ['CiliumNetworkPolicy web'], 1],
    ['a NetworkPolicy with generateName', np('{generateName: np-}'), ['NetworkPolicy (no name)'], 1],
  ])('%s', (_, text, warned, found) => {
    expect([engine(text), pitfalls(text)]).toEqual([warned, found]);
  });
});
