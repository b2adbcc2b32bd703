// Session 53: a pod given without a service account (no inventory workload names one, none written as a label) was judged
// without the `io.cilium.k8s.policy.serviceaccount` label, which no pod's identity lacks: Cilium labels every pod with its
// `spec.serviceAccountName` (pkg/k8s/utils `SanitizePodLabels`: set when not empty), and Kubernetes' ServiceAccount admission
// sets `default` on a pod that names none. So `DoesNotExist`/`NotIn` on the service account admitted such a pod and
// `serviceaccount: default` refused it. Now it runs as `default`, with a note naming the assumption when a selector reads
// the key; one given (as a label, or by its workload) is judged as given; a captured identity without it (replay) has none.
import { describe, expect, test } from 'vitest';
import { Endpoints, PolicySet } from '../../src/engine';
import { cnp, policySet } from './helpers';

const SA = 'io.cilium.k8s.policy.serviceaccount';
const POLICY = cnp('by-sa', {
  endpointSelector: { matchLabels: { app: 'web' } },
  ingress: [
    { fromEndpoints: [{ matchLabels: { [SA]: 'default' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
    { fromEndpoints: [{ matchExpressions: [{ key: SA, operator: 'DoesNotExist' }] }], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] },
    { fromEndpoints: [{ matchExpressions: [{ key: SA, operator: 'NotIn', values: ['robot'] }] }], toPorts: [{ ports: [{ port: '82', protocol: 'TCP' }] }] },
  ],
}, 'prod');

function decisions(set: PolicySet, from: string): string[] {
  return [80, 81, 82].map((port) => set.verdict({ from: set.endpoint(from), to: set.endpoint('pod:prod:app=web'), protocol: 'TCP', port }).ingress.decision);
}

describe('a pod given without a service account runs as default, as Kubernetes sets it', () => {
  test('truth table: unnamed (default), default, robot, none (a captured identity without the label)', () => {
    const set = policySet([POLICY]);
    expect(decisions(set, 'pod:prod:app=fe')).toEqual(['allowed', 'default-deny', 'allowed']);
    expect(decisions(set, `pod:prod:app=fe,${SA}=default`)).toEqual(['allowed', 'default-deny', 'allowed']);
    expect(decisions(set, `pod:prod:app=fe,${SA}=robot`)).toEqual(['default-deny', 'default-deny', 'default-deny']);
    const none = Endpoints.pod('prod', { app: 'fe' }, { serviceAccount: '' });
    expect([80, 81, 82].map((port) => set.verdict({ from: none, to: set.endpoint('pod:prod:app=web'), protocol: 'TCP', port }).ingress.decision))
      .toEqual(['default-deny', 'allowed', 'allowed']);
  });

  test('the subject too: an endpointSelector on the default service account selects it', () => {
    const set = policySet([cnp('sa-subject', {
      endpointSelector: { matchLabels: { [SA]: 'default' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    }, 'prod')]);
    const judge = (to: string, from: string): string => set.verdict({ from: set.endpoint(from), to: set.endpoint(to), protocol: 'TCP', port: 80 }).ingress.decision;
    expect([judge('pod:prod:app=web', 'pod:prod:app=fe'), judge('pod:prod:app=web', 'pod:prod:app=x')]).toEqual(['allowed', 'default-deny']);
    expect(judge(`pod:prod:app=web,${SA}=robot`, 'pod:prod:app=x')).toBe('no-policy-default-allow');
  });

  test('the assumption is noted where a selector reads the key, and only for an end not given one', () => {
    const set = policySet([POLICY]);
    const notes = (from: string): string[] => set.verdict({ from: set.endpoint(from), to: set.endpoint(`pod:prod:app=web,${SA}=api`), protocol: 'TCP', port: 80 })
      .ingress.notes.filter((n) => n.includes('service account'));
    expect(notes('pod:prod:app=fe')).toEqual([`the service account of pod:prod:app=fe is not given: judged as default, which Kubernetes sets on a pod that names `
      + `none (Cilium labels the pod ${SA}=<its serviceAccountName>); if it runs as another, give it (pod:prod:app=fe,${SA}=<name>, or its workload in the inputs)`]);
    expect(notes(`pod:prod:app=fe,${SA}=default`)).toEqual([]);
    // Only where a selector reads it: no subject selector of POLICY does, so neither the egress side of the client nor the
    // destination (given as api) is noted.
    const v = set.verdict({ from: set.endpoint('pod:prod:app=fe'), to: set.endpoint('pod:prod:app=web'), protocol: 'TCP', port: 80 });
    expect([v.egress.notes, v.ingress.notes.map((n) => n.split(' is not given')[0])]).toEqual([[], ['the service account of pod:prod:app=fe']]);
    // A subject selector reading it notes the subject.
    const bySubject = policySet([cnp('sa-subject', {
      endpointSelector: { matchLabels: { [SA]: 'default' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'fe' } }] }],
    }, 'prod')]);
    const s = bySubject.verdict({ from: bySubject.endpoint(`pod:prod:app=fe,${SA}=x`), to: bySubject.endpoint('pod:prod:app=web'), protocol: 'TCP', port: 80 });
    expect(s.ingress.notes.map((n) => n.split(' is not given')[0])).toEqual(['the service account of pod:prod:app=web']);
    // No selector reads the key: nothing assumed that matters, no note.
    const plain = policySet([cnp('plain', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'fe' } }] }] }, 'prod')]);
    expect(plain.verdict({ from: plain.endpoint('pod:prod:app=fe'), to: plain.endpoint('pod:prod:app=web'), protocol: 'TCP', port: 80 }).ingress.notes).toEqual([]);
  });
});
