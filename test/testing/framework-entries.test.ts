import { afterEach, describe, expect, test, vi } from 'vitest';

const MATCHERS = ['toAllow', 'toBeValidCilium', 'toChangeOnly', 'toDeny'];

describe('cdk8s-cilium/jest', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  test('importing it registers every matcher with the global expect, as in a jest setup file', async () => {
    const extend = vi.fn();
    vi.stubGlobal('expect', { extend });
    await import('../../src/jest.js');
    expect(extend).toHaveBeenCalledTimes(1);
    expect(Object.keys(extend.mock.calls[0][0] as object).sort()).toEqual(MATCHERS);
  });

  test('without a global expect it says where to import it from', async () => {
    vi.stubGlobal('expect', { extend: vi.fn() });
    const { registerCiliumMatchers } = await import('../../src/jest.js');
    vi.stubGlobal('expect', undefined);
    expect(() => registerCiliumMatchers()).toThrow(/no global `expect` to register its matchers with \(test-framework-missing\)\n {2}fix: import it from a jest setup file/);
  });
});

describe('cdk8s-cilium/vitest', () => {
  test('the setup file registered every matcher, types included (this file declares none)', () => {
    // Without the augmentation of src/vitest.mts these lines would not type-check (npm run compile).
    expect([]).not.toBeValidCilium();
    expect({ kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', metadata: { name: 'x' }, spec: { endpointSelector: {}, ingress: [{}] } })
      .toEqual(expect.toBeValidCilium());
    const yaml = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: x, namespace: shop }\nspec: { endpointSelector: {}, ingress: [{}] }\n';
    expect(yaml).toDeny('pod:shop:app=a', 'pod:shop:app=b', 8080);
    expect(yaml).not.toAllow('pod:shop:app=a', 'pod:shop:app=b', 8080);
  });
});
