// Value objects of another copy of the package (a shared construct library with a cdk8s-cilium of its own beside the
// app's): the module graph loaded a second time gives classes of other class objects, as two copies in node_modules do.
// Each is told by its mark (Symbol.for), as a Port is, not by `instanceof`, which refused or mis-read them.
import { beforeAll, describe, expect, test, vi } from 'vitest';
import {
  Builtins, CiliumPolicy, CiliumVersion, ClusterwidePolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, IEndpointSelector, L7, Peer, Port,
  TieredApp,
} from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal, synth, synthFailure } from '../support/synth';

let other: typeof import('../../src/index.js');

beforeAll(async () => {
  vi.resetModules();
  other = await import('../../src/index.js');
  expect(other.EndpointSelector).not.toBe(EndpointSelector);
});

describe('selectors of another copy', () => {
  test('EndpointSelector.all() as the subject: accepted (was selector-empty, "of one\'s own"), every pod of the namespace and no more', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: other.EndpointSelector.all() }).allowEgress(Peer.namespace('x'), { ports: [Port.tcp(443)] });
    expect(synthFailure(c)).toBeUndefined();
    expect(verdictOf(c, 'pod:shop:app=other', 'pod:x:app=a', '443/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=other', 'pod:x:app=a', '444/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=other', 'pod:y:app=a', '443/TCP')).toBe('denied');
  });

  test('NodeSelector.all() as a host policy\'s subject: accepted, every node, only the port given', () => {
    const c = chart();
    new ClusterwidePolicy(c, 'p', { nodeSelector: other.NodeSelector.all() }).allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
    expect(synthFailure(c)).toBeUndefined();
    expect(verdictOf(c, 'cidr:10.50.0.7', 'node:kubernetes.io/hostname=n1', '22/TCP', { hostFirewall: true })).toBe('allowed');
    expect(verdictOf(c, 'cidr:10.50.0.7', 'node:kubernetes.io/hostname=n1', '23/TCP', { hostFirewall: true })).toBe('denied');
  });

  test('Peer.selectedBy(EndpointSelector.all(), ns): accepted (was selector-empty), the pods of that namespace only', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) })
      .allowIngress(Peer.selectedBy(other.EndpointSelector.all(), 'edge'), { ports: [Port.tcp(8080)] });
    expect(verdictOf(c, 'pod:edge:app=lb', 'pod:shop:app=web', '8080/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:other:app=lb', 'pod:shop:app=web', '8080/TCP')).toBe('denied');
  });

  test('a selector of one\'s own (no mark) that answers {} stays refused, as subject and as peer', () => {
    const own: IEndpointSelector = { toEndpointSelector: () => ({}) };
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: own }).allowEgress(Peer.namespace('x'), { ports: [Port.tcp(443)] });
    expect(synthFailure(c)).toContain("the endpoint selector of one's own answered {}, which requires no label");
    expect(refusal(() => Peer.selectedBy(own, 'edge')).id).toBe('selector-empty');
  });

  test('a selector of another copy on a key no identity has is refused at the call, as one of this copy is', () => {
    const c = chart('shop');
    const r = refusal(() => new CiliumPolicy(c, 'p', {
      endpointSelector: other.EndpointSelector.of({ expressions: [other.LabelExpression.notIn('pod-template-hash', ['x'])] }),
    }));
    expect(r.id).toBe('selector-non-identity-label');
  });
});

describe('DNS rules and rules of another copy', () => {
  test('DnsRule.all() counts as every name: a staged DefaultDenyNamespace on 1.16 is accepted and says "every name"', () => {
    const c = chart('payments', CiliumVersion.V1_16);
    new DefaultDenyNamespace(c, 'deny', { stagedRollout: true, dnsRules: [other.DnsRule.all()] });
    expect(synth(c)[0].spec.description).toContain('DNS to kube-dns on 53/UDP and 53/TCP for every name');
    expect(verdictOf(c, 'pod:payments:app=api', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.org' })).toBe('allowed');
    expect(decidedBy(c, 'pod:payments:app=api', 'cidr:203.0.113.10', '443/TCP', 'egress')).toBe('non-default-deny-allow');
    // A narrow rule of the other copy is refused there as one of this copy is (it would enforce the names).
    expect(refusal(() => new DefaultDenyNamespace(chart('payments', CiliumVersion.V1_16), 'deny', {
      stagedRollout: true, dnsRules: [other.DnsRule.exact('api.example.com')],
    })).id).toBe('default-deny-staged-dns-rules');
  });

  // A value with the DnsRule mark whose `_toModel()` answers no DNS rule (forged in JavaScript): the DNS companion's description
  // read its matchPattern and failed with a TypeError, and Builtins.allowDns() wrote `dns: [null]`. Its model is now read and
  // checked in one place (`dnsRuleModels`), and refused naming the list, the entry and the value.
  test('a forged DnsRule whose _toModel() answers null: refused cleanly (was a TypeError), and nothing is written', () => {
    const forged = Object.defineProperty({ _toModel: () => null }, Symbol.for('cdk8s-cilium.DnsRule'), { value: true }) as never;
    const said = (i: number): string => `dnsRules[${i}] is a DnsRule whose _toModel() answered null, not a DNS rule ({ matchName } or { matchPattern })`;
    const fix = 'fix: pass DnsRule.exact(name), DnsRule.pattern(pattern) or DnsRule.all()';
    for (const [i, run] of [
      [1, () => new DefaultDenyNamespace(chart('payments', CiliumVersion.V1_16), 'deny', { dnsRules: [DnsRule.exact('api.example.com'), forged] })],
      [0, () => new TieredApp(chart('shop'), 'app', {
        egressLockdown: true, dnsRules: [forged], tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }],
      })],
    ] as const) {
      const r = refusal(run);
      expect(r.id).toBe('list-entry-invalid');
      expect(r.message).toContain(said(i));
      expect(r.message).toContain(fix);
      expect(r.message).not.toMatch(/TypeError|Cannot read/);
    }
    const c = chart('shop');
    const policy = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    expect(refusal(() => Builtins.allowDns(policy.rule, { dnsRules: [forged] }))).toMatchObject({ id: 'list-entry-invalid', message: expect.stringContaining(said(0)) });
    expect(refusal(() => L7.dns(forged))).toMatchObject({ id: 'list-entry-invalid', message: expect.stringContaining('L7.dns() rules[0] is a DnsRule whose') });
    // Nothing was added: the pods may send no DNS (the policy has no rule yet: it selects no egress).
    policy.rule.allowEgress(Peer.namespace('x'), { ports: [Port.tcp(443)] });
    expect(verdictOf(c, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP')).toBe('denied');
  });

  test('Builtins of this copy on the rule of a policy of another copy: accepted (was rule-not-a-rule), DNS to kube-dns only', () => {
    const c = chart('shop');
    const policy = new other.CiliumPolicy(c, 'p', { endpointSelector: other.EndpointSelector.labels({ app: 'web' }) });
    Builtins.allowDns(policy.rule);
    expect(verdictOf(c, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-proxy', '53/UDP')).toBe('denied');
    expect(refusal(() => Builtins.allowDns(policy as never)).message).toContain('Builtins.allowDns() got a policy');
  });
});
