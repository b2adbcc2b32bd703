// Values of the wrong type, as plain JavaScript (or a computed value) passes them, refused with their fix where they were
// read wrongly or failed with a TypeError far from the call.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Builtins, CiliumPolicy, CiliumVersion, EndpointSelector, FqdnEgress, HttpRule, Port } from '../../src';
import { chart, refusal } from '../support/synth';

describe('HttpRule.of() lists', () => {
  test('headers as one string was read character by character: refused', () => {
    const r = refusal(() => HttpRule.of({ headers: 'X-Tenant: shop' as unknown as string[] }));
    expect(r.id).toBe('list-entry-invalid');
    expect(r.message).toContain('HttpRule.of() headers is a string ("X-Tenant: shop"), not a list');
    expect(HttpRule.of({ headers: ['X-Tenant: shop'] })).toBeInstanceOf(HttpRule);
  });

  test('headerMatches as one object was a TypeError: refused', () => {
    const r = refusal(() => HttpRule.of({ headerMatches: { name: 'X-Token', value: 'a' } as unknown as [] }));
    expect(r.id).toBe('list-entry-invalid');
    expect(r.message).toContain('HttpRule.of() headerMatches is a mapping, not a list');
    expect(refusal(() => HttpRule.of({ headerMatches: [undefined as unknown as { name: string }] })).message).toContain('headerMatches[0] is undefined');
  });
});

describe('CiliumVersion.use() with a version that is not a CiliumVersion', () => {
  test('a string was a TypeError at synth: refused at the call, naming the constant', () => {
    const r = refusal(() => CiliumVersion.use(Testing.app(), '1.18' as unknown as CiliumVersion));
    expect(r.id).toBe('version-unsupported');
    expect(r.message).toContain('CiliumVersion.use() got "1.18", not a CiliumVersion');
    const e = (() => {
      try {
        CiliumVersion.use(Testing.app(), 'v1.17.3' as unknown as CiliumVersion);
      } catch (err) {
        return err as { fix: string };
      }
      return undefined;
    })();
    expect(e?.fix).toBe('pass CiliumVersion.V1_17 (or CiliumVersion.parse("v1.17.3"))');
    expect(refusal(() => CiliumVersion.use(Testing.app(), undefined as unknown as CiliumVersion)).message).toContain('got undefined');
    const app = Testing.app();
    CiliumVersion.use(app, CiliumVersion.V1_18);
    expect(CiliumVersion.of(app)).toBe(CiliumVersion.V1_18);
  });
});

describe('Builtins with something that is not a PolicyRule', () => {
  test('undefined, or the policy instead of its rule, was a TypeError: refused, naming policy.rule', () => {
    const r = refusal(() => Builtins.allowDns(undefined as unknown as CiliumPolicy['rule']));
    expect(r.id).toBe('rule-not-a-rule');
    expect(r.message).toContain('Builtins.allowDns() got undefined, not a PolicyRule');
    const policy = new CiliumPolicy(chart('shop'), 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    expect(refusal(() => Builtins.allowHostProbes(policy as unknown as CiliumPolicy['rule'])).message).toContain('Builtins.allowHostProbes() got a policy');
    expect(() => Builtins.allowHostProbes(policy.rule)).not.toThrow();
  });
});

describe('FqdnEgress ports', () => {
  test('null was a TypeError, a single Port no list: refused naming the prop', () => {
    const c = chart('shop');
    const r = refusal(() => new FqdnEgress(c, 'a', { fqdns: ['api.example.com'], ports: null as unknown as Port[] }));
    expect([r.id, r.message]).toEqual(['list-entry-invalid', expect.stringContaining('FqdnEgress ports is null, not a list')]);
    expect(refusal(() => new FqdnEgress(c, 'b', { fqdns: ['api.example.com'], ports: Port.tcp(443) as unknown as Port[] })).id).toBe('list-entry-invalid');
    expect(refusal(() => new FqdnEgress(c, 'c', { fqdns: ['api.example.com'], ports: [443 as unknown as Port] })).message).toContain('FqdnEgress ports[0] is a number');
  });
});
