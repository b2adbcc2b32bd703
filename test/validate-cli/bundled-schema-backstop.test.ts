// The bundled CRD schema is a backstop: with the built-in schema rules switched off (mocked empty here), what only they
// would have said is still an error, reported from the real schema of the target version as `crd-schema`.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { validateInputs as ValidateInputs } from '../../src/validate';

vi.mock('../../src/validate/schema-rules', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/validate/schema-rules')>()),
  schemaRules: {},
}));

let validateInputs: typeof ValidateInputs;

beforeAll(async () => {
  // The setup file already loaded the real module: load the validator again, with the mock.
  vi.resetModules();
  ({ validateInputs } = await import('../../src/validate/index.js'));
});

describe('validate: the bundled CRD schema catches what the built-in rules miss', () => {
  it('a lower-case protocol is a crd-schema error at the field, with the allowed values', () => {
    const r = validateInputs([{
      name: 'p.yaml',
      text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: p
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "8080"
              protocol: tcp
`,
    }], { ciliumVersion: '1.17' });
    expect(r.diagnostics.map((d) => [d.id, d.path, d.line, d.message])).toEqual([[
      'crd-schema', 'spec.ingress[0].toPorts[0].ports[0].protocol', 12,
      'must be equal to one of the allowed values: TCP, UDP, SCTP, ANY (got "tcp")',
    ]]);
    expect(r.diagnostics[0].fix).toContain('the CRD of Cilium 1.17 rejects it');
    expect(r.summary.passed).toBe(false);
  });

  it('with --crd given, those CRDs are the schema (the bundled one is not used)', () => {
    const r = validateInputs([{
      name: 'p.yaml',
      text: 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\nspec:\n  endpointSelector: {}\n  ingress:\n    - {}\n',
    }], { ciliumVersion: '1.17', crdFiles: [] });
    expect(r.diagnostics).toEqual([]);
  });
});
