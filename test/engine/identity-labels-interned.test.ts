// A pod's identity labels are interned (`EndpointRecords`: one label set object per identity) before anything reads them
// by key: the index a label set builds on its first lookup (`LabelSet.lookup`) is built once per identity, on the set the
// selectors read, never on a fresh equal set that is dropped (session 58: a tenth of resolving a new endpoint on
// `decide()`'s first pass). Resolution is unchanged: a pod labelled `host` with the host firewall off is still not subject
// to policy (repository.go computePolicyEnforcementAndRules, `LabelArray.Has("host")`).
import { afterEach, describe, expect, test, vi } from 'vitest';
import { LabelSet } from '../../src/model/labels';
import { Endpoint, EndpointKind, PolicySet, VerdictKind } from '../../src/engine';
import { cnp, labels, policySet } from './helpers';

/** The label sets whose index by key is built while `run` runs. */
function indexed(run: () => void): LabelSet[] {
  const proto = LabelSet.prototype as unknown as object;
  const d = Object.getOwnPropertyDescriptor(proto, 'byKey');
  if (d?.get === undefined) throw new Error('LabelSet has no byKey getter');
  const getter = d.get;
  const seen: LabelSet[] = [];
  vi.spyOn(proto as { byKey: unknown }, 'byKey', 'get').mockImplementation(function (this: LabelSet) {
    if (!seen.includes(this)) seen.push(this);
    return getter.call(this) as unknown;
  });
  run();
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('identity labels read by key only once interned', () => {
  test('pods of one identity (another pod of it, with its named ports): the index is built on the interned set only', () => {
    const set = policySet([cnp('web', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEndpoints: [labels({ role: 'client' })] }] })]);
    const resolved = (ep: Endpoint): LabelSet => (set as unknown as { endpoints: { resolve(e: Endpoint): { labels: LabelSet } } })
      .endpoints.resolve(ep).labels;
    const pod = set.endpoint('pod:default:app=web');
    let web: LabelSet | undefined;
    let again: LabelSet | undefined;
    const built = indexed(() => {
      web = resolved(pod);
      again = resolved({ ...pod, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    });
    expect(again).toBe(web);
    expect(built.every((l) => l === web)).toBe(true);
  });

  test('a pod labelled host, host firewall off: still no policy enforced (and with it on: judged)', () => {
    const docs = [cnp('deny-all', { endpointSelector: {}, ingress: [{}] })];
    const q = (set: PolicySet): VerdictKind => set.decide({ from: set.endpoint('pod:default:role=client'), to: set.endpoint('pod:default:host=x'), protocol: 'TCP', port: 80 });
    expect(q(policySet(docs))).toBe(VerdictKind.ALLOWED);
    expect(q(policySet(docs, { hostFirewall: true }))).toBe(VerdictKind.DENIED);
  });

  // LabelSet.id joins `source:key=value` with `,`: a hand-built pod whose value held `,k8s:host=` shared the identity of the
  // pod {a: '1', host: ''} (session 58 review). Kubernetes label keys and values hold neither `,` nor `=` (apimachinery
  // IsQualifiedName / IsValidLabelValue): such a pod is refused, in either query order, and the other pod keeps its verdict.
  test.each([[0, 1], [1, 0]])('a hand-built pod with "," or "=" in a label value or key is refused (order %i, %i)', (...order) => {
    const set = policySet([cnp('deny-all', { endpointSelector: {}, ingress: [{}] }), cnp('a', { endpointSelector: labels({ a: '1' }), ingress: [{}] })]);
    const pods: Endpoint[] = [{ kind: EndpointKind.POD, namespace: 'default', labels: { a: '1', host: '' } }, { kind: EndpointKind.POD, namespace: 'default', labels: { a: '1,k8s:host=' } }];
    const q = (to: Endpoint): VerdictKind | string => {
      try {
        return set.decide({ from: set.endpoint('pod:default:role=client'), to, protocol: 'TCP', port: 80 });
      } catch (e) {
        return (e as { id: string; message: string }).id + ': ' + (e as { message: string }).message;
      }
    };
    const out = order.map((i) => q(pods[i]));
    const byPod = order[0] === 0 ? out : [out[1], out[0]];
    expect(byPod[0]).toBe(VerdictKind.ALLOWED); // labelled host, host firewall off: no policy enforced (cilium/cilium#48027)
    expect(byPod[1]).toMatch(/^engine-endpoint-syntax: .*"1,k8s:host=" is not a valid label value \(of the key a\)/);
    expect(q({ kind: EndpointKind.POD, namespace: 'default', labels: { 'a=1,host': '' } })).toMatch(/^engine-endpoint-syntax: .*"a=1,host" is not a label key/);
    expect(q({ kind: EndpointKind.NODE, labels: { role: 'x,y' } })).toMatch(/^engine-endpoint-syntax: /);
    // A valid hand-built pod of the same labels is judged as before.
    expect(q({ kind: EndpointKind.POD, namespace: 'default', labels: { a: '1' } })).toBe(VerdictKind.DENIED);
  });
});
