// The matchers over plain `ApiObject` policies, so these tests do not depend on the SDK's own constructs.
import { join } from 'node:path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { afterEach, describe, expect, test, vi } from 'vitest';
import '../setup'; // also vitest.config.ts `setupFiles`; importing it keeps this file runnable on its own
import { CiliumVersion } from '../../src/core/cilium-version';
import { CiliumTesting, CrdVersionRoot } from '../../src/testing';
import { crdSchemas, CRD_VERSION_ROOT } from '../support/crd';
import { CRD_ROOT } from '../support/shared';

/** A CiliumNetworkPolicy in namespace `shop`. */
function cnp(scope: Construct, name: string, spec: Record<string, unknown>): ApiObject {
  return new ApiObject(scope, name, {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, ...spec },
  });
}

const ALLOW_DNS = {
  egress: [{
    toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
    toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
  }],
};
const TYPO = { egress: [{ toFQDN: [{ matchName: 'api.example.com' }] }] };

/** The message of the assertion error `fn` throws. */
function failureOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an assertion failure');
}

/** A chart with a valid policy and, if `bad` is given, an invalid one. */
function chart(bad?: Record<string, unknown>): Chart {
  const c = Testing.chart();
  cnp(c, 'allow-dns', ALLOW_DNS);
  if (bad) cnp(c, 'broken', bad);
  return c;
}

describe('toBeValidCilium | charts and apps', () => {
  test('a chart of valid policies passes', () => {
    expect(chart()).toBeValidCilium();
  });

  test('the failure names each failing object, its CRD and construct, and every violation', () => {
    const broken = chart({ ...TYPO, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'tcp' }] }] }] });
    const message = failureOf(() => expect(broken).toBeValidCilium());
    expect(message).toBe([
      'expected all 2 Cilium policy objects to match the CRD schema, but 1 does not:',
      '',
      '  CiliumNetworkPolicy shop/broken (CRD v1.19, construct test/broken):',
      '    - spec.ingress[0].toPorts[0].ports[0].protocol: must be equal to one of the allowed values: TCP, UDP, SCTP, VRRP, IGMP, ANY (got "tcp")',
      '    - spec.egress[0].toFQDN: unknown field "toFQDN" (did you mean "toFQDNs"?)',
    ].join('\n'));
  });

  test('.not fails for a valid chart with a message naming the objects, and passes for an invalid one', () => {
    expect(failureOf(() => expect(chart()).not.toBeValidCilium())).toBe(
      'expected the Cilium policy objects not to match the CRD schema, but all 1 do: CiliumNetworkPolicy shop/allow-dns (CRD v1.19)');
    expect(chart(TYPO)).not.toBeValidCilium();
  });

  test('an app is checked chart by chart, each against the CRD of its CiliumVersion', () => {
    const app = new App();
    const old = new Chart(app, 'old');
    CiliumVersion.use(old, CiliumVersion.V1_17);
    cnp(old, 'logged', { ...ALLOW_DNS, log: { value: 'shop' } });
    const current = new Chart(app, 'current');
    CiliumVersion.use(current, CiliumVersion.V1_18);
    cnp(current, 'logged-too', { ...ALLOW_DNS, log: { value: 'shop' } });

    expect(current).toBeValidCilium();
    expect(old).not.toBeValidCilium();
    const message = failureOf(() => expect(app).toBeValidCilium());
    expect(message).toContain('expected all 2 Cilium policy objects to match the CRD schema, but 1 does not:');
    expect(message).toContain('CiliumNetworkPolicy shop/logged (CRD v1.17, construct old/logged):\n    - spec.log: unknown field "log"');
    expect(message).not.toContain('logged-too');
  });

  test('a version set on a construct below the chart applies to its objects', () => {
    const c = Testing.chart();
    const group = new Construct(c, 'legacy');
    CiliumVersion.use(group, CiliumVersion.V1_17);
    cnp(group, 'logged', { ...ALLOW_DNS, log: { value: 'shop' } });
    expect(failureOf(() => expect(c).toBeValidCilium())).toContain('CiliumNetworkPolicy shop/logged (CRD v1.17, construct test/legacy/logged)');
    // Passing a construct checks the API objects below it.
    expect(group).not.toBeValidCilium();
  });

  test('explicit schemas override the default and the construct version', () => {
    const c = Testing.chart();
    cnp(c, 'logged', { ...ALLOW_DNS, log: { value: 'shop' } });
    expect(c).toBeValidCilium();
    expect(c).not.toBeValidCilium(crdSchemas('1.17'));
  });
});

describe('toBeValidCilium | manifests', () => {
  const manifest = chart().toJson()[0] as Record<string, unknown>;

  test('a manifest object and an array of manifests', () => {
    expect(manifest).toBeValidCilium();
    expect([manifest, manifest]).toBeValidCilium();
    expect([manifest, { ...manifest, spec: TYPO }]).not.toBeValidCilium();
  });

  test('plain manifests are checked against the default version (1.19) of a version root', () => {
    const logged = { ...manifest, spec: { ...(manifest.spec as object), log: { value: 'shop' } } };
    expect(logged).toBeValidCilium();
    expect(logged).not.toBeValidCilium(CRD_VERSION_ROOT.forVersion('1.17'));
  });

  // Session 39: the matcher checked a manifest for CiliumVersion.of (or the default) and never read its own annotation,
  // which validate, the plugin and validateApp judge each policy by.
  test('a policy annotated cdk8s-cilium.io/cilium-version is checked against the CRD of that version, as validate judges it', () => {
    const logged = (version: string): Record<string, unknown> => ({
      ...manifest, metadata: { name: 'logged', namespace: 'shop', annotations: { 'cdk8s-cilium.io/cilium-version': version } },
      spec: { ...(manifest.spec as object), log: { value: 'shop' } },
    });
    expect(logged('1.19')).toBeValidCilium();
    expect(logged('1.16')).not.toBeValidCilium();
    expect(failureOf(() => expect(logged('1.16')).toBeValidCilium())).toBe('expected the Cilium policy object to match the CRD schema, but 1 does not:\n\n'
      + '  CiliumNetworkPolicy shop/logged (CRD v1.16):\n    - spec.log: unknown field "log"');
    expect(() => CiliumTesting.expectValidCilium(logged('1.16'))).toThrow('CiliumNetworkPolicy shop/logged (CRD v1.16):\n    - spec.log: unknown field "log"');
    // Below a construct: the annotation over the construct's CiliumVersion, either way.
    const old = Testing.chart();
    CiliumVersion.use(old, CiliumVersion.V1_17);
    new ApiObject(old, 'logged', logged('1.19') as never);
    expect(old).toBeValidCilium();
    const current = Testing.chart();
    new ApiObject(current, 'logged', logged('1.16') as never);
    expect(failureOf(() => expect(current).toBeValidCilium())).toContain('CiliumNetworkPolicy shop/logged (CRD v1.16, construct test/logged):\n'
      + '    - spec.log: unknown field "log"');
    // An annotation that names no supported version is passed over (validate reports it); explicit schemas still win.
    expect(logged('1.99')).toBeValidCilium();
    expect(logged('1.19')).not.toBeValidCilium(crdSchemas('1.17'));
  });

  test('non-Cilium kinds are skipped', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { notAField: true } };
    expect([deployment, manifest]).toBeValidCilium();
  });

  test('finding no Cilium policy at all fails', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
    expect(failureOf(() => expect([deployment]).toBeValidCilium())).toBe(
      'expected at least one Cilium policy object (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), '
      + 'but found none among 1 object(s) (Deployment)');
    expect(failureOf(() => expect(Testing.chart()).toBeValidCilium())).toMatch(/but found none$/);
  });

  test('something that is not a manifest fails', () => {
    expect(failureOf(() => expect(42).toBeValidCilium()))
      .toMatch(/^expected Kubernetes manifests \(objects or YAML text\), a cdk8s Chart or App, but got number 42/);
    // Beside a valid policy too: what is not a manifest is never passed over.
    expect([manifest, 42]).not.toBeValidCilium();
  });

  // Session 46: toAllow/toDeny took the text of dist/*.k8s.yaml, toBeValidCilium refused it with the whole text quoted
  // ("but got string \"apiVersion: …\"", then "found none"): a newcomer's first test of the synthesized file failed.
  describe('YAML text of manifests', () => {
    const text = (spec: Record<string, unknown>, name = 'text'): string => stringify({ ...manifest, metadata: { name, namespace: 'shop' }, spec });
    const { spec } = manifest as { spec: Record<string, unknown> };

    test('every document of a stream is checked against its CRD; a misspelled field fails, naming the field', () => {
      expect(text(spec)).toBeValidCilium();
      expect(`${text(spec)}---\n${text(spec, 'other')}`).toBeValidCilium();
      expect(failureOf(() => expect(`${text(spec)}---\n${text({ ...spec, ...TYPO }, 'typo')}`).toBeValidCilium()))
        .toContain('CiliumNetworkPolicy shop/typo (CRD v1.19):\n    - spec.egress[0].toFQDN: unknown field "toFQDN"');
    });

    test('a List (kubectl get cnp -o yaml) gives its items; other kinds are skipped', () => {
      const list = stringify({ apiVersion: 'v1', kind: 'List', items: [{ ...manifest, spec: { ...spec, ...TYPO } }] });
      expect(failureOf(() => expect(list).toBeValidCilium())).toContain('spec.egress[0].toFQDN: unknown field "toFQDN"');
      expect(failureOf(() => expect('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n').toBeValidCilium()))
        .toBe('expected at least one Cilium policy object (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), but found none among 1 object(s) (ConfigMap)');
    });

    test('a document that does not parse, or is no object, fails: never passed over beside valid ones', () => {
      const broken = `${text(spec)}---\nkind: CiliumNetworkPolicy\nspec: [\n`;
      expect(broken).not.toBeValidCilium();
      expect(failureOf(() => expect(broken).toBeValidCilium()))
        .toMatch(/^expected Kubernetes manifests \(objects or YAML text\), a cdk8s Chart or App, but got YAML text whose document 1 does not parse \(line \d+: /);
      expect(failureOf(() => expect(`${text(spec)}---\njust text\n`).toBeValidCilium()))
        .toContain('but got YAML text whose document 1 is string "just text", not a Kubernetes object');
      expect(`${text(spec)}---\n# only a comment\n`).toBeValidCilium();
    });

    // Session 46 review: the text was read by a second copy of fromYaml's loop, without its input limits; and a top-level
    // array of raw rules, which toAllow/toDeny take, failed as "a list" without saying why.
    test('the input limits of every YAML reader apply; a top-level array of raw rules fails, saying no CRD checks it', () => {
      const deep = `${text(spec)}---\nx: ${'['.repeat(150)}${']'.repeat(150)}\n`;
      expect(failureOf(() => expect(deep).toBeValidCilium()))
        .toMatch(/^expected Kubernetes manifests \(objects or YAML text\), a cdk8s Chart or App, but got YAML text that is not read: the input nests more than 100/);
      expect(failureOf(() => expect(stringify([spec])).toBeValidCilium()))
        .toContain('but got YAML text whose document 0 is a list, not a Kubernetes object (a list of raw rules has no CRD to check: '
          + 'give each a CiliumNetworkPolicy\'s spec)');
    });
  });

  test('works as an asymmetric matcher', () => {
    expect({ policies: [manifest] }).toEqual({ policies: [expect.toBeValidCilium()] });
  });
});

describe('expectValidCilium', () => {
  test('throws an Error with the matcher message, for any test framework', () => {
    const bad = chart(TYPO);
    // Written out by hand, not taken from the matcher: the whole message, and the error's name.
    let thrown: unknown;
    try {
      CiliumTesting.expectValidCilium(bad);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('CiliumSchemaAssertionError');
    expect((thrown as Error).message).toBe([
      'expected all 2 Cilium policy objects to match the CRD schema, but 1 does not:',
      '',
      '  CiliumNetworkPolicy shop/broken (CRD v1.19, construct test/broken):',
      '    - spec.egress[0].toFQDN: unknown field "toFQDN" (did you mean "toFQDNs"?)',
    ].join('\n'));
    expect(() => CiliumTesting.expectValidCilium(chart())).not.toThrow();
  });
});

describe('default schemas', () => {
  afterEach(() => {
    CiliumTesting.useCrdSchemas(CRD_VERSION_ROOT);
    vi.unstubAllEnvs();
  });

  test('without defaults or CDK8S_CILIUM_CRD_DIR the bundled schemas of each construct\'s version are used', () => {
    CiliumTesting.useCrdSchemas(undefined);
    vi.stubEnv(CiliumTesting.CRD_DIR_ENV, '');
    expect(CiliumTesting.defaultCrdSchemas()).toBeInstanceOf(CrdVersionRoot);
    expect(() => CiliumTesting.expectValidCilium(chart())).not.toThrow();
    const c = Testing.chart();
    CiliumVersion.use(c, CiliumVersion.V1_17);
    cnp(c, 'logged', { ...ALLOW_DNS, log: { value: 'shop' } });
    expect(failureOf(() => expect(c).toBeValidCilium())).toMatch(/\(CRD v1\.17, construct test\/logged\):\n {4}- spec\.log: unknown field "log"/);
    expect(failureOf(() => expect(chart(TYPO)).toBeValidCilium())).toContain('spec.egress[0].toFQDN: unknown field "toFQDN" (did you mean "toFQDNs"?)');
  });

  test('CDK8S_CILIUM_CRD_DIR names a folder with the two CRD files', () => {
    CiliumTesting.useCrdSchemas(undefined);
    vi.stubEnv(CiliumTesting.CRD_DIR_ENV, join(CRD_ROOT, 'v1.17'));
    const c = Testing.chart();
    cnp(c, 'logged', { ...ALLOW_DNS, log: { value: 'shop' } });
    expect(failureOf(() => expect(c).toBeValidCilium())).toMatch(/CiliumNetworkPolicy shop\/logged \(CRDs .*v1\.17.ciliumnetworkpolicies\.yaml, /);
  });

  test('CDK8S_CILIUM_CRD_DIR may name a version root', () => {
    CiliumTesting.useCrdSchemas(undefined);
    vi.stubEnv(CiliumTesting.CRD_DIR_ENV, CRD_ROOT);
    const c = Testing.chart();
    CiliumVersion.use(c, CiliumVersion.V1_17);
    cnp(c, 'logged', { ...ALLOW_DNS, log: { value: 'shop' } });
    expect(failureOf(() => expect(c).toBeValidCilium())).toContain('(CRD v1.17, construct test/logged)');
  });
});
