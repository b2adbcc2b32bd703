// The label keys of a hand-built pod or node endpoint, source and all (src/engine/endpoint.ts `labelSyntaxProblem`,
// engine-endpoint-syntax): a source (`k8s:`, `container:`) is letters, digits, `-` and `.`, so `a=1,k8s:host` is no key.
// `LabelSet.id` joins `source:key=value` with `,`: such a key read its source as `a=1,k8s` and shared the label set id of
// the pod `{a: '1', host: ''}` (session 58's fail-open, with a source). Kubernetes label keys hold neither `,` nor `=`
// (k8s.io/apimachinery `IsQualifiedName`), nor does Cilium's source (pkg/labels `Map2Labels`, `LabelSourceK8s`). Session 59
// (mutants endpoint.ts:435 `colon >= 0 && !… .test(source)` → `false`: the source was not checked; :436 `key.slice(0, 120)`
// → `key`: a long key was printed whole).
import { describe, expect, test } from 'vitest';
import { EndpointKind } from '../../src/engine';
import { cnp, labels, policySet } from './helpers';

const DENY_ALL = cnp('deny', { endpointSelector: labels({ a: '1' }), ingress: [{}] });

describe('a hand-built pod\'s label key with a source', () => {
  const set = policySet([DENY_ALL]);
  const q = (podLabels: Record<string, string>): string => {
    try {
      return set.decide({ from: set.endpoint('pod:default:app=client'), to: { kind: EndpointKind.POD, namespace: 'default', labels: podLabels },
        protocol: 'TCP', port: 80 });
    } catch (e) {
      return `${(e as { id: string }).id}: ${(e as Error).message}`;
    }
  };

  test('a source holding `,` or `=` is refused, naming the key', () => {
    expect(q({ 'a=1,k8s:host': '' })).toMatch(/^engine-endpoint-syntax: .*"a=1,k8s:host" is not a label key/);
    expect(q({ 'k 8s:app': 'x' })).toMatch(/^engine-endpoint-syntax: .*"k 8s:app" is not a label key/);
  });

  test('a source of letters, digits, - and .: judged (a = 1 of any source denied, another label allowed)', () => {
    expect([q({ 'k8s:a': '1' }), q({ 'container:a': '1' }), q({ 'my-src.v1:a': '1' }), q({ 'k8s:b': '1' })])
      .toEqual(['denied', 'denied', 'denied', 'allowed']);
  });

  test('a long bad key is shown by its first 120 characters', () => {
    const key = `${'k'.repeat(130)}=x:app`;
    const r = q({ [key]: 'web' });
    expect(r).toMatch(/^engine-endpoint-syntax: /);
    expect(r).toContain(`the label ${JSON.stringify(key.slice(0, 120))} is not a label key`);
  });
});
