import { describe, expect, it } from 'vitest';
import { CiliumPolicyError, Endpoints, PolicyDocumentModel, PolicyKind, PolicyModel, PolicySet } from '../../src';

// A model built by hand is read by the manifest reader against the wire schema with the model's names (src/model/model-shape.ts).
// Read past, `fromEndpoints` (the manifest's name of `endpoints`) left the item without peers, which Cilium reads as every
// peer (pkg/policy/api/ingress.go `IngressCommonRule`: no From* selector, the rule applies to all endpoints).
const NOT_APP = [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }];
const PORT_80 = [{ ports: [{ port: '80', protocol: 'TCP' }] }];

function doc(item: Record<string, unknown>): PolicyDocumentModel {
  return {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'web', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [item as never] },
  };
}

function verdictFrom(model: PolicyDocumentModel, labels: Record<string, string>): string {
  return PolicySet.fromDocuments([model]).verdict({
    from: Endpoints.pod('shop', labels), to: Endpoints.pod('shop', { app: 'web' }), port: 80, protocol: 'TCP',
  }).verdict;
}

function refusal(f: () => unknown): CiliumPolicyError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CiliumPolicyError);
    return e as CiliumPolicyError;
  }
  throw new Error('not refused');
}

describe('PolicySet.fromDocuments: hand-built models checked for shape (session 59)', () => {
  it('a correct model is judged: from a pod without app allowed, from a pod with app denied', () => {
    const model = doc({ endpoints: NOT_APP, toPorts: PORT_80 });
    expect(verdictFrom(model, { role: 'batch' })).toBe('allowed');
    expect(verdictFrom(model, { app: 'client' })).toBe('denied');
  });

  it('the manifest name fromEndpoints is refused (was: no peer, every peer allowed), naming the document, path, key and fix', () => {
    const e = refusal(() => verdictFrom(doc({ fromEndpoints: NOT_APP, toPorts: PORT_80 }), { app: 'client' }));
    expect(e.id).toBe('parse-unknown-field');
    expect(e.message).toContain('PolicySet.fromDocuments(): docs[0] (CiliumNetworkPolicy shop/web) at spec.ingress[0].fromEndpoints');
    expect(e.message).toContain('unknown field fromEndpoints');
    expect(e.fix).toMatch(/^did you mean endpoints\?/);
  });

  it.each([
    ['toEndpoints in an ingress item', { toEndpoints: NOT_APP, toPorts: PORT_80 }, 'spec.ingress[0].toEndpoints', /did you mean endpoints\?/],
    ['a misspelled peer field', { endpoint: NOT_APP, toPorts: PORT_80 }, 'spec.ingress[0].endpoint', /did you mean endpoints\?/],
    ['an extra key on a port', { endpoints: NOT_APP, toPorts: [{ ports: [{ port: '80', protocol: 'TCP', protocl: 'TCP' }] }] },
      'spec.ingress[0].toPorts[0].ports[0].protocl', /did you mean protocol\?/],
    ['an extra key on an HTTP rule', { endpoints: NOT_APP, toPorts: [{ ...PORT_80[0], rules: { http: [{ method: 'GET', paths: '/x' }] } }] },
      'spec.ingress[0].toPorts[0].rules.http[0].paths', /did you mean path\?/],
    ['an extra key on a selector', { endpoints: [{ matchLabel: { app: 'db' } }], toPorts: PORT_80 }, 'spec.ingress[0].endpoints[0].matchLabel',
      /did you mean matchLabels\?/],
  ])('unknown key refused: %s', (_name, item, path, fix) => {
    const e = refusal(() => PolicySet.fromDocuments([doc(item)]));
    expect(e.id).toBe('parse-unknown-field');
    expect(e.message).toContain(` at ${path}: `);
    expect(e.fix).toMatch(fix);
  });

  it.each([
    ['a peer list that is no list', { endpoints: NOT_APP[0], toPorts: PORT_80 }, 'spec.ingress[0].endpoints', 'must be a list'],
    ['a string where a list is expected', { cidr: '10.0.0.0/8', toPorts: PORT_80 }, 'spec.ingress[0].cidr', 'must be a list'],
    ['a number port', { endpoints: NOT_APP, toPorts: [{ ports: [{ port: 80, protocol: 'TCP' }] }] }, 'spec.ingress[0].toPorts[0].ports[0].port', 'port 80'],
  ])('wrong type refused: %s', (_name, item, path, text) => {
    const e = refusal(() => PolicySet.fromDocuments([doc(item)]));
    expect(e.message).toContain(` at ${path}: `);
    expect(e.message).toContain(text);
  });

  it('a selector requirement without its operator is refused (left out, the selector would select more)', () => {
    const e = refusal(() => PolicySet.fromDocuments([doc({ endpoints: [{ matchExpressions: [{ key: 'app' }] }], toPorts: PORT_80 })]));
    expect(e.id).toBe('parse-missing-field');
    expect(e.message).toContain('spec.ingress[0].endpoints[0].matchExpressions[0]');
  });

  it('document level: apiVersion, an unknown kind, no list of documents', () => {
    expect(refusal(() => PolicySet.fromDocuments([{ ...doc({ endpoints: NOT_APP }), apiVersion: 'cilium.io/v2' } as never])).fix)
      .toMatch(/the model has no apiVersion/);
    expect(refusal(() => PolicySet.fromDocuments([{ ...doc({ endpoints: NOT_APP }), kind: 'NetworkPolicy' } as never])).id).toBe('parse-unknown-kind');
    expect(refusal(() => PolicySet.fromDocuments(doc({ endpoints: NOT_APP }) as never)).message).toContain('must be a list of PolicyDocumentModel');
  });

  it('an optional field given as undefined is no field', () => {
    const model = { ...doc({ endpoints: NOT_APP, toPorts: PORT_80, cidr: undefined }), specs: undefined };
    expect(verdictFrom(model, { app: 'client' })).toBe('denied');
  });
});

describe('PolicyModel.toManifest / ruleToManifest: the same check', () => {
  it('refuses the manifest name in the model, writes the model name as the manifest one', () => {
    expect(refusal(() => PolicyModel.toManifest(doc({ fromEndpoints: NOT_APP, toPorts: PORT_80 }))).fix).toMatch(/^did you mean endpoints\?/);
    expect(refusal(() => PolicyModel.ruleToManifest({ egress: [{ toEndpoints: NOT_APP } as never] })).message)
      .toContain('PolicyModel.ruleToManifest(): the rule at egress[0].toEndpoints');
    expect(PolicyModel.toManifest(doc({ endpoints: NOT_APP, toPorts: PORT_80 }))).toMatchObject({ spec: { ingress: [{ fromEndpoints: NOT_APP }] } });
  });
});
