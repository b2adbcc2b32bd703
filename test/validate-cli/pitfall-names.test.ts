// The pitfalls of names (src/validate/pitfall-names.ts): a CCNP's metadata.namespace, which the API server drops, and two
// documents that are one object on the API server. Found AND not found, with where the other one is.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { ManifestInventory, PitfallDocument, Validator } from '../../src/validate';
import { check, findings, yaml } from './helpers';

const ccnp = (metadata: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: scrape${metadata}
  spec:
    endpointSelector: { matchLabels: { app: api } }
    ingress:
      - fromEndpoints: [{ matchLabels: { app: prometheus } }]
        toPorts: [{ ports: [{ port: "9090", protocol: TCP }] }]
`;

describe('pitfall-ccnp-metadata-namespace: only a namespace the API server would have to drop', () => {
  const paths = (metadata: string): string[] =>
    findings(check({ 'ccnp.yaml': ccnp(metadata) }), 'pitfall-ccnp-metadata-namespace').map((f) => `${f.line}:${f.column} ${f.path}`);

  it.each([
    ['a namespace', '\n    namespace: monitoring', ['5:14 metadata.namespace']],
    ['none', '', []],
    ['an empty namespace', '\n    namespace: ""', []],
    // A null namespace is none (the YAML reader drops the null field; a string field of ObjectMeta reads null as "").
    ['a null namespace (namespace: null)', '\n    namespace: null', []],
    ['a null namespace (namespace: with no value)', '\n    namespace:', []],
  ])('%s', (_name, metadata, expected) => {
    expect(paths(metadata)).toEqual(expected);
  });
});

describe('pitfall-policy-name-duplicate between NetworkPolicies names where the other one is, or says it is in the input', () => {
  const np = (labels: Record<string, string>): Record<string, unknown> => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'] },
  });
  const messages = (sources: [Record<string, unknown>, Record<string, unknown>] | undefined): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np({ app: 'api' }), sources?.[0]);
    inventory.add(np({ app: 'web' }), sources?.[1]);
    return Validator.checkPitfalls([], inventory, {}).filter((f) => f.id === 'pitfall-policy-name-duplicate').map((f) => f.message);
  };

  it('in files: each names the file and line of the other', () => {
    const found = messages([{ file: 'a.yaml', line: 3 }, { file: 'b.yaml', line: 7 }]);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^another NetworkPolicy named "api" in namespace shop is at b\.yaml:7: both are one object on the API server/);
    expect(found[1]).toMatch(/^another NetworkPolicy named "api" in namespace shop is at a\.yaml:3: /);
  });

  it('added without a source (the public ManifestInventory): the other is "in the input", not "at" nothing', () => {
    const found = messages(undefined);
    expect(found).toHaveLength(2);
    for (const m of found) expect(m).toMatch(/^another NetworkPolicy named "api" in namespace shop is in the input: both are one object on the API server/);
  });
});

describe('pitfall-ccnp-metadata-namespace through Validator.checkPitfalls (a model built in code)', () => {
  const ids = (namespace: unknown): string[] => Validator.checkPitfalls([{
    // A model built in code, as a caller of the public API may hand it (the reader drops a null field).
    model: {
      apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'scrape', namespace },
      spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'prometheus' } }] }] },
    } as unknown as PitfallDocument['model'],
    version: CiliumVersion.V1_18,
  }], new ManifestInventory(), {}).filter((f) => f.id === 'pitfall-ccnp-metadata-namespace').map((f) => f.path ?? '');

  it.each([
    ['a namespace', 'monitoring', ['metadata.namespace']],
    ['none', undefined, []],
    ['an empty namespace', '', []],
    ['a null namespace (JSON null: no namespace to drop)', null, []],
  ])('%s', (_name, namespace, expected) => {
    expect(ids(namespace)).toEqual(expected);
  });
});
