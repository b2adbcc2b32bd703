// The label keys of a hand-built pod or node endpoint, source and all (src/engine/endpoint.ts `labelSyntaxProblem`,
// engine-endpoint-syntax): a source (`k8s:`, `container:`) is letters, digits, `-` and `.`, so `a=1,k8s:host` is no key.
// `LabelSet.id` joins `source:key=value` with `,`: such a key read its source as `a=1,k8s` and shared the label set id of
// the pod `{a: '1', host: ''}` (session 58's fail-open, with a source). Kubernetes label keys hold neither `,` nor `=`
// (k8s.io/apimachinery `IsQualifiedName`), nor does Cilium's source (pkg/labels `Map2Labels`, `LabelSourceK8s`). Session 59
// (mutants endpoint.ts:435 `colon >= 0 && !… .test(source)` → `false`: the source was not checked; :436 `key.slice(0, 120)`
// → `key`: a long key was printed whole; :492 the check's guards → `true`: a pod or node built without labels was a TypeError,
// and the labels of a cidr or entity endpoint, which no rule reads, were refused).
import { describe, expect, test } from 'vitest';
import { Endpoint, EndpointKind } from '../../src/engine';
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

describe('the endpoints whose labels are checked: pods and nodes, when given', () => {
  const set = policySet([cnp('client', { endpointSelector: labels({ app: 'client' }), egress: [{ toCIDR: ['10.0.0.1/32'] }, { toEntities: ['host'] }] })]);
  const q = (to: Endpoint): string => {
    try {
      return set.decide({ from: set.endpoint('pod:default:app=client'), to, protocol: 'TCP', port: 80 });
    } catch (e) {
      return `${(e as { id?: string }).id ?? 'no id'}: ${(e as Error).message}`;
    }
  };

  test('a pod and a node built without labels are judged (no label: the client\'s egress denies them)', () => {
    expect([q({ kind: EndpointKind.POD, namespace: 'default' }), q({ kind: EndpointKind.NODE })]).toEqual(['denied', 'denied']);
  });

  test('labels given to a cidr or entity endpoint are not read: judged by the address or entity, bad keys or not', () => {
    const bad = { 'a=1,k8s:host': '', b: 'x,y' };
    expect([q({ kind: EndpointKind.CIDR, ip: '10.0.0.1', labels: bad }), q({ kind: EndpointKind.CIDR, ip: '10.0.0.2', labels: bad }),
      q({ kind: EndpointKind.ENTITY, entity: 'host', labels: bad }), q({ kind: EndpointKind.ENTITY, entity: 'world', labels: bad })])
      .toEqual(['allowed', 'denied', 'allowed', 'denied']);
  });
});
