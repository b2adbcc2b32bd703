import { describe, expect, test } from 'vitest';
import { CiliumVersion, Endpoints, ManifestInventory, PolicyDocumentModel, PolicyKind, PolicySet, Queries, Validator, VerdictKind } from '../../src';

// A selector's requirements are user-sized (YAML, a model built by hand). `Selector.and(...requirements)` spread them into a
// call's arguments, which overflowed the call stack (`RangeError: Maximum call stack size exceeded`) from about 125,000 on;
// `and` now takes a list (src/model/labels.ts).
describe('selectors of 200,000 requirements (session 59)', () => {
  const count = 200_000;
  const matchExpressions = Array.from({ length: count }, (_, i) => ({ key: `k${i}`, operator: 'DoesNotExist' }));
  const doc: PolicyDocumentModel = {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'api', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ endpoints: [{ matchLabels: { app: 'web' }, matchExpressions }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
    },
  };

  test('is judged: a pod without the keys allowed by the rule, a pod with the last key or without the label denied', () => {
    const set = PolicySet.fromDocuments([doc]);
    const query = { from: Endpoints.pod('shop', { app: 'web' }), to: set.endpoint('pod:shop:app=api'), ...Queries.parseConnection('8080/TCP') };
    const allowed = set.verdict(query);
    expect(allowed.verdict).toBe(VerdictKind.ALLOWED);
    expect(allowed.ingress.rule?.path).toBe('spec.ingress[0]');
    expect(set.verdict({ ...query, from: Endpoints.pod('shop', { app: 'web', [`k${count - 1}`]: '' }) }).verdict).toBe(VerdictKind.DENIED);
    expect(set.verdict({ ...query, from: Endpoints.pod('shop', { app: 'other' }) }).verdict).toBe(VerdictKind.DENIED);
  });

  test('Validator.checkPitfalls reads a subject selector of them (the pitfall layer\'s normal form): the findings of a short one', () => {
    // Before: RangeError in `normalise` (src/validate/pod-selectors.ts).
    const withSubject = (expressions: typeof matchExpressions): PolicyDocumentModel => ({
      ...doc, spec: { ...doc.spec, endpointSelector: { matchLabels: { app: 'api' }, matchExpressions: expressions } },
    });
    const findings = (d: PolicyDocumentModel): string[] =>
      Validator.checkPitfalls([{ model: d, version: CiliumVersion.DEFAULT }], new ManifestInventory()).map((f) => `${f.id} ${f.severity}`);
    expect(findings(withSubject(matchExpressions))).toEqual(findings(withSubject(matchExpressions.slice(0, 3))));
  });
});
