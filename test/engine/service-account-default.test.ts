// Session 53: a pod given without its service account (no `io.cilium.k8s.policy.serviceaccount` label written, no workload of
// the inputs naming one, none in a capture) was first judged without the label, which no pod's identity lacks (Cilium labels
// every pod with its `spec.serviceAccountName`, pkg/k8s/utils `SanitizePodLabels`, and admission sets `default`): so
// `DoesNotExist`/`NotIn` admitted it. Then it was judged as `default` with a note the matchers and `decide()` did not carry,
// a claim about a pod that may run as any account. Now the side is decided under each account it may run as (the values
// the rules name, `default`, one none names; `service-account-candidates.ts`): alike, it is judged; otherwise `trace`, the
// matchers and `replay` refuse it (`engine-service-account-unknown`) and `verdict()` notes it.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { Endpoints, PolicySet, VerdictQuery } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { cnp, notJudgedRefusal, policySet, refusedByMatchers } from './helpers';

const SA = 'io.cilium.k8s.policy.serviceaccount';
const port = (p: number): { toPorts: { ports: { port: string; protocol: string }[] }[] } => ({ toPorts: [{ ports: [{ port: String(p), protocol: 'TCP' }] }] });
const POLICY = cnp('by-sa', {
  endpointSelector: { matchLabels: { app: 'web' } },
  ingress: [
    { fromEndpoints: [{ matchLabels: { [SA]: 'default' } }], ...port(80) },
    { fromEndpoints: [{ matchExpressions: [{ key: SA, operator: 'DoesNotExist' }] }], ...port(81) },
    { fromEndpoints: [{ matchExpressions: [{ key: SA, operator: 'NotIn', values: ['robot'] }] }], ...port(82) },
    { fromEndpoints: [{ matchExpressions: [{ key: SA, operator: 'Exists' }] }], ...port(84) },
  ],
}, 'prod');
const PORTS = [80, 81, 82, 83, 84];

/** Per port: the ingress decision, `refused` when the matchers refuse the connection. */
function table(set: PolicySet, from: string): string[] {
  return PORTS.map((p) => (refusedByMatchers(set, from, 'pod:prod:app=web', p) ? 'refused'
    : set.verdict({ from: set.endpoint(from), to: set.endpoint('pod:prod:app=web'), protocol: 'TCP', port: p }).ingress.decision));
}

describe('a pod given without a service account is judged where every account it may run as decides alike', () => {
  test('truth table per account: default, robot, one no rule names, none given (refused where they differ)', () => {
    const set = policySet([POLICY]);
    expect(table(set, `pod:prod:app=fe,${SA}=default`)).toEqual(['allowed', 'default-deny', 'allowed', 'default-deny', 'allowed']);
    expect(table(set, `pod:prod:app=fe,${SA}=robot`)).toEqual(['default-deny', 'default-deny', 'default-deny', 'default-deny', 'allowed']);
    expect(table(set, `pod:prod:app=fe,${SA}=other`)).toEqual(['default-deny', 'default-deny', 'allowed', 'default-deny', 'allowed']);
    // Not given: 80 and 82 differ among the accounts (refused); 81 (no pod lacks the label), 83 (no rule) and 84 (every pod
    // has one) decide alike.
    expect(table(set, 'pod:prod:app=fe')).toEqual(['refused', 'default-deny', 'refused', 'default-deny', 'allowed']);
    // A pod of an empty serviceAccountName (no label at all) is given: judged as such.
    const none = Endpoints.pod('prod', { app: 'fe' }, { serviceAccount: '' });
    expect(PORTS.map((p) => set.verdict({ from: none, to: set.endpoint('pod:prod:app=web'), protocol: 'TCP', port: p }).ingress.decision))
      .toEqual(['default-deny', 'allowed', 'allowed', 'default-deny', 'default-deny']);
    // A workload of the inputs gives the account (a manifest naming none: default, as Kubernetes sets it): judged as it.
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fe', namespace: 'prod' },
      spec: { selector: { matchLabels: { app: 'fe' } }, template: { metadata: { labels: { app: 'fe' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } };
    expect(table(policySet([dep, POLICY]), 'pod:prod:app=fe')).toEqual(['allowed', 'default-deny', 'allowed', 'default-deny', 'allowed']);
  });

  test('the matchers refuse, naming the end, the rules and the fix; verdict() notes it, and only where the accounts differ', () => {
    const set = policySet([POLICY]);
    expect(() => expect(set).toAllow('pod:prod:app=fe', 'pod:prod:app=web', 80)).toThrow(/engine-service-account-unknown/);
    expect(() => expect(set).toDeny('pod:prod:app=fe', 'pod:prod:app=web', 82)).toThrow(/engine-service-account-unknown/);
    try {
      expect(set).toAllow('pod:prod:app=fe', 'pod:prod:app=web', 80);
    } catch (e) {
      const text = String(e);
      expect(text).toContain('the client pod:prod:app=fe is given without a service account');
      expect(text).toContain('CiliumNetworkPolicy prod/by-sa');
      expect(text).toContain(`pod:prod:app=fe,${SA}=<name>`);
    }
    expect(set).toDeny('pod:prod:app=fe', 'pod:prod:app=web', 81);
    expect(set).toAllow('pod:prod:app=fe', 'pod:prod:app=web', 84);
    // The public verdicts refuse it as the matchers do (session 54); the refused verdict (`_verdict`) carries the note.
    const q = (p: number): VerdictQuery => ({ from: set.endpoint('pod:prod:app=fe'), to: set.endpoint('pod:prod:app=web'), protocol: 'TCP', port: p });
    for (const call of [() => set.verdict(q(80)), () => set.decide(q(80)), () => set.evaluateNaive(q(80))]) {
      expect(notJudgedRefusal(call)?.id).toBe('engine-service-account-unknown');
    }
    const notes = (p: number): string[] => set._verdict(q(p)).ingress.notes.filter((n) => n.includes('service account'));
    expect(notes(80)).toHaveLength(1);
    expect(notes(80)[0]).toMatch(/^pod:prod:app=fe is given without a service account .* this is the verdict of a pod running as default, not a claim about it/);
    expect([notes(81), notes(84)]).toEqual([[], []]);
  });

  test('the subject: a rule on an account selects it or not; a rule of another namespace cannot, and is no reason to refuse', () => {
    const bySubject = policySet([cnp('sa-subject', {
      endpointSelector: { matchLabels: { [SA]: 'robot' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }],
    }, 'prod')]);
    expect(refusedByMatchers(bySubject, `pod:prod:app=fe,${SA}=a`, 'pod:prod:app=web', 80)).toBe(true);
    expect(bySubject.verdict({ from: bySubject.endpoint(`pod:prod:app=fe,${SA}=a`), to: bySubject.endpoint(`pod:prod:app=web,${SA}=robot`), protocol: 'TCP', port: 80 })
      .ingress.decision).toBe('default-deny');
    const elsewhere = policySet([
      cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'fe' } }] }] }, 'prod'),
      cnp('other', { endpointSelector: { matchLabels: { [SA]: 'robot' } }, ingress: [{}] }, 'elsewhere'),
    ]);
    expect(elsewhere).toAllow('pod:prod:app=fe', 'pod:prod:app=web', 80);
    const v = elsewhere.verdict({ from: elsewhere.endpoint('pod:prod:app=fe'), to: elsewhere.endpoint('pod:prod:app=web'), protocol: 'TCP', port: 80 });
    expect([...v.egress.notes, ...v.ingress.notes].filter((n) => n.includes('service account'))).toEqual([]);
  });

  test('the DNS server of a toFQDNs lookup given without one: refused where its account decides the lookup, judged once given', () => {
    const spec = {
      endpointSelector: { matchLabels: { app: 'fe' } },
      egress: [
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', [SA]: 'coredns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        { toFQDNs: [{ matchName: 'api.example.com' }], ...port(443) },
      ],
    };
    const set = policySet([cnp('fqdn', spec, 'prod')]);
    const client = `pod:prod:app=fe,${SA}=fe`;
    expect(() => expect(set).toAllow(client, 'fqdn:api.example.com@198.51.100.7', 443)).toThrow(/engine-service-account-unknown[\s\S]*the DNS server/);
    const given = policySet([cnp('fqdn', spec, 'prod')], { dnsServer: `pod:kube-system:k8s-app=kube-dns,${SA}=coredns` });
    expect(given).toAllow(client, 'fqdn:api.example.com@198.51.100.7', 443);
  });

  // Session 54 (mutants of service-account-candidates.ts): the refusal names each end given without one, and reads the same
  // whatever the order of the policies (the accounts are tried in a sorted order, so the rules read come in one order).
  test('both ends given without one: the refusal names both; one end: it alone; the same refusal whichever order the policies come in', () => {
    // web as alpha admits app=fe (zeta); web as zeta admits the account fe (alpha); web as another account: no policy.
    const zeta = cnp('zeta', { endpointSelector: { matchLabels: { [SA]: 'alpha' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'fe' } }] }] }, 'prod');
    const alpha = cnp('alpha', { endpointSelector: { matchLabels: { [SA]: 'zeta' } }, ingress: [{ fromEndpoints: [{ matchLabels: { [SA]: 'fe' } }] }] }, 'prod');
    const refusal = (set: PolicySet, from: string, to: string): string => {
      try {
        verdictFor(set, from, to, 80);
      } catch (e) {
        if (e instanceof CiliumPolicyError && e.id === 'engine-service-account-unknown') return e.message;
        throw e;
      }
      throw new Error(`${from} → ${to} judged`);
    };
    const refusals = [[zeta, alpha], [alpha, zeta]].map((docs) => {
      const set = policySet(docs);
      // Given, each decides: the accounts are what the verdict turns on.
      const decision = (from: string, to: string): string => set.verdict({ from: set.endpoint(from), to: set.endpoint(to), protocol: 'TCP', port: 80 }).ingress.decision;
      expect([
        decision(`pod:prod:app=fe,${SA}=x`, `pod:prod:app=web,${SA}=alpha`), decision(`pod:prod:app=x,${SA}=x`, `pod:prod:app=web,${SA}=alpha`),
        decision(`pod:prod:app=x,${SA}=fe`, `pod:prod:app=web,${SA}=zeta`), decision(`pod:prod:app=fe,${SA}=x`, `pod:prod:app=web,${SA}=zeta`),
        decision(`pod:prod:app=x,${SA}=x`, `pod:prod:app=web,${SA}=x`),
      ]).toEqual(['allowed', 'default-deny', 'allowed', 'default-deny', 'no-policy-default-allow']);
      return { both: refusal(set, 'pod:prod:app=fe', 'pod:prod:app=web'), server: refusal(set, `pod:prod:app=fe,${SA}=x`, 'pod:prod:app=web') };
    });
    const [{ both, server }] = refusals;
    expect(both).toContain('the server pod:prod:app=web and pod:prod:app=fe are given without a service account');
    expect(both).toContain('the policies CiliumNetworkPolicy prod/zeta, CiliumNetworkPolicy prod/alpha read that label, and under the accounts they may run as '
      + '(default, the ones the rules name, one they do not; 25 cases) this side does not decide alike');
    expect(server).toContain('the server pod:prod:app=web is given without a service account');
    expect(server).toContain('under the accounts it may run as (default, the ones the rules name, one they do not; 5 cases)');
    expect(refusals[1]).toEqual(refusals[0]);
  });
});
