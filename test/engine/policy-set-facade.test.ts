// What `PolicySet` reports about itself (src/engine/policy-set.ts): where its Cilium version came from, and which
// version an annotated set is judged for.
import { describe, expect, test, vi } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { CILIUM_VERSION_ANNOTATION } from '../../src/model/version-annotation';
import { cnp, labels, policySet } from './helpers';

const WEB = cnp('web', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEndpoints: [labels({ role: 'client' })] }] }, 'shop');
const annotated = (version: string): Record<string, unknown> => ({
  ...WEB, metadata: { name: 'web', namespace: 'shop', annotations: { [CILIUM_VERSION_ANNOTATION]: version } },
});

describe('PolicySet.ciliumVersionSource', () => {
  test('given: the option, even over an annotation naming another version', () => {
    const set = policySet([annotated('1.16')], { ciliumVersion: CiliumVersion.V1_18 });
    expect([set.ciliumVersion.toString(), set.ciliumVersionSource]).toEqual(['1.18', 'given']);
  });

  test('the annotation of the policy that names it, when no version is given', () => {
    const set = policySet([annotated('1.16')]);
    expect([set.ciliumVersion.toString(), set.ciliumVersionSource])
      .toEqual(['1.16', `the annotation ${CILIUM_VERSION_ANNOTATION} of CiliumNetworkPolicy shop/web (test.yaml)`]);
  });

  test('the default, without option or annotation', () => {
    const set = policySet([WEB]);
    expect([set.ciliumVersion, set.ciliumVersionSource]).toEqual([CiliumVersion.DEFAULT, 'the default']);
  });

  test('a given version is not checked against conflicting annotations (they are not read)', () => {
    const docs = [annotated('1.16'), { ...annotated('1.17'), metadata: { name: 'api', namespace: 'shop', annotations: { [CILIUM_VERSION_ANNOTATION]: '1.17' } } }];
    expect(() => policySet(docs)).toThrow(expect.objectContaining({ id: 'version-annotation-conflict' }));
    expect(policySet(docs, { ciliumVersion: CiliumVersion.V1_18 }).ciliumVersionSource).toBe('given');
  });
});

describe('PolicySet.fromYaml', () => {
  test('judges an annotated set for the annotated version', () => {
    // From 1.19 a selector without a cluster selects the local cluster only; before, every cluster (policyDefaultLocalCluster).
    const ask = (set: PolicySet): string => set.decide({
      from: set.endpoint('pod:shop:role=client,io.cilium.k8s.policy.cluster=remote'), to: set.endpoint('pod:shop:app=web'), protocol: 'TCP', port: 80,
    });
    expect(ask(policySet([annotated('1.18')]))).toBe('allowed');
    expect(ask(policySet([annotated('1.19')]))).toBe('denied');
  });
});

describe('diff() and report() without the connectivity layer loaded', () => {
  test('refused with engine-connectivity-not-loaded, naming the entry point that loads it', async () => {
    // A fresh copy of the engine module, which never imports the diff layer (that registers itself when it loads).
    vi.resetModules();
    const fresh = (await import('../../src/engine/policy-set.js')).PolicySet;
    const set = fresh.fromYaml('');
    for (const call of [(): unknown => set.report(), (): unknown => set.diff(set)]) {
      expect(call).toThrow(expect.objectContaining({ id: 'engine-connectivity-not-loaded', fix: expect.stringContaining("the package entry point ('cdk8s-cilium')") }));
    }
    vi.resetModules();
  });
});
