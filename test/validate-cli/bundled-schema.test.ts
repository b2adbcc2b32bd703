// `validate` without --crd checks every policy against the CNP/CCNP schema bundled for the target version, behind the
// built-in schema rules: what those rules report keeps its own message (no second finding on the same field), and
// a violation they do not report comes out as `crd-schema`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateInputs, ValidationReport } from '../../src/validate';
import { EXAMPLES_DIR } from '../support/shared';

const cnp = (body: string, version = '1.19'): ValidationReport => validateInputs([{
  name: 'p.yaml',
  text: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: p
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: api
${body}`,
}], { ciliumVersion: version });

const ids = (r: ValidationReport): string[] => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.id} ${d.path ?? ''}`);

describe('validate: the bundled CRD schema behind the built-in rules', () => {
  it('a valid policy passes both', () => {
    const r = cnp(`  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
      toPorts:
        - ports:
            - port: "8080"
              protocol: TCP
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.summary.passed).toBe(true);
  });

  it('a field the built-in rules report is reported once, in their words (not again as crd-schema)', () => {
    const r = cnp(`  ingress:
    - toPorts:
        - ports:
            - port: "8080"
              protocol: tcp
`);
    expect(ids(r)).toEqual(['crd-protocol spec.ingress[0].toPorts[0].ports[0].protocol']);
    expect(r.diagnostics[0].fix).toBe('write TCP (the CRD enum is case-sensitive)');
  });

  it('an unknown field is reported once, by the reader (the real schema says the same)', () => {
    const r = cnp(`  egress:
    - toFQDN:
        - matchName: api.example.com
`);
    expect(ids(r).filter((x) => !x.startsWith('pitfall-'))).toEqual(['parse-unknown-field spec.egress[0].toFQDN']);
  });

  it('a removed field keeps its version finding; the schema error inside it is not repeated', () => {
    const r = validateInputs([{ name: 'requires.yaml', path: join(EXAMPLES_DIR, 'v1.19/examples/policies/l3/requires/requires.yaml') }],
      { ciliumVersion: '1.19' });
    expect(ids(r).map((x) => x.split(' ')[0])).toEqual(['version-requires-removed']);
  });

  it('status is not checked (the API server drops it on writes): a `kubectl get -o yaml` copy passes', () => {
    const r = cnp(`  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
status:
  nodes:
    node-1:
      enforcing: true
`);
    expect(r.diagnostics).toEqual([]);
  });

  it('the same policy fails against the CRD of an older version when it uses a newer field, once', () => {
    const r = cnp(`  enableDefaultDeny:
    egress: false
  egress:
    - toEntities:
        - world
`, '1.15');
    expect(ids(r)).toEqual(['version-enable-default-deny spec.enableDefaultDeny']);
  });
});
