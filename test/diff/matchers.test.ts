// `expect(head).toChangeOnly(base, [...])`: passes on exactly the expected changes, fails listing the unexpected ones.
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectionVerdict, ConnectivityFormat } from '../../src';
import { PolicySet } from '../../src/engine';
import { diffMatchers } from '../../src/diff/matchers';
import { webToApi } from './support';

const BASE = webToApi([8080]);
const HEAD = webToApi([8080, 9090]);

describe('toChangeOnly', () => {
  test('passes on exactly the expected changes', () => {
    expect(HEAD).toChangeOnly(BASE, [{ from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'], after: 'allowed' }]);
    expect(HEAD).toChangeOnly(BASE, [{ from: 'prod/app=web', to: 'prod/app=api' }]);
    expect(webToApi([8080], { name: 'api-renamed' })).toChangeOnly(BASE, []);
  });

  // The options judged the YAML side only: a built base PolicySet kept its own, and the diff compared two settings.
  test('engine options that differ from those a PolicySet side was built with are refused, naming the side', () => {
    const base = PolicySet.fromYaml(BASE);
    expect(() => diffMatchers.toChangeOnly(BASE, base, [], { policyEnforcement: 'always' as never }))
      .toThrow(/toChangeOnly\(\) base: the option policyEnforcement is 'always', but the PolicySet received was built with 'default'/);
    expect(diffMatchers.toChangeOnly(BASE, base, [], { policyEnforcement: 'default' as never }).pass).toBe(true);
  });

  test('fails on an unexpected change, listing it with its deciding rule', () => {
    const r = diffMatchers.toChangeOnly(HEAD, BASE, []);
    expect(r.pass).toBe(false);
    expect(r.message()).toBe([
      'expected the connectivity to change only as listed (0 expected), but:',
      'unexpected changes (1):',
      '  + prod/app=web → prod/app=api 9090/TCP (after: allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0])',
    ].join('\n'));
  });

  test('fails on an expected change that does not happen, or with other ports or verdict', () => {
    const r = diffMatchers.toChangeOnly(HEAD, BASE, [{ from: 'prod/app=web', to: 'prod/app=api', ports: ['9091/TCP'] }]);
    expect(r.pass).toBe(false);
    expect(r.message()).toContain('expected changes not found (1):\n  ± prod/app=web → prod/app=api 9091/TCP');
    expect(diffMatchers.toChangeOnly(HEAD, BASE, [{ from: 'prod/app=web', to: 'prod/app=api', after: 'denied' }]).pass).toBe(false);
    expect(() => expect(HEAD).toChangeOnly(BASE, [])).toThrow(/unexpected changes \(1\)/);
  });

  test('an expected change not found is listed with the verdict it expected: - denied, + allowed, ± either (session 47)', () => {
    const missing = (after?: 'allowed' | 'denied'): string => diffMatchers.toChangeOnly(HEAD, BASE, [
      { from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'], after: 'allowed' },
      { from: 'prod/app=api', to: 'prod/app=web', ports: ['53/UDP'], ...(after === undefined ? {} : { after }) },
    ]).message();
    expect(missing('denied')).toContain('expected changes not found (1):\n  - prod/app=api → prod/app=web 53/UDP');
    expect(missing('allowed')).toContain('expected changes not found (1):\n  + prod/app=api → prod/app=web 53/UDP');
    expect(missing()).toContain('expected changes not found (1):\n  ± prod/app=api → prod/app=web 53/UDP');
  });

  test('fails on what the diff could not compare: a head policy the agent refuses for the endpoint (review)', () => {
    // Two authentication modes for one peer on one port: the agent refuses api's policy and keeps the one it had.
    const item = (mode: string): string => `  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
    authentication: { mode: ${mode} }
`;
    const refused = `${BASE}${item('disabled')}${item('required')}`;
    const r = diffMatchers.toChangeOnly(refused, BASE, []);
    expect(r.pass).toBe(false);
    expect(r.message()).toMatch(/^expected the connectivity to change only as listed \(0 expected\), but:\nnot compared \(1\):\n {2}\S/);
    expect(r.message()).toContain('cannot merge conflicting authentication types');
    const doc = Connectivity.diff(PolicySet.fromYaml(BASE), PolicySet.fromYaml(refused));
    expect(Connectivity.unexpectedChanges(doc, []).notCompared).toHaveLength(1);
  });

  test('.not passes when the changes differ', () => {
    expect(HEAD).not.toChangeOnly(BASE, []);
  });

  test('a received value that holds no policies is refused clearly', () => {
    expect(() => diffMatchers.toChangeOnly(42, BASE, [])).toThrow(/toChangeOnly received number/);
  });
});

describe('Connectivity.unexpectedChanges, the framework-free form', () => {
  const doc = Connectivity.diff(PolicySet.fromYaml(BASE), PolicySet.fromYaml(HEAD));

  test('nothing left over when the expected entries cover the diff exactly', () => {
    const expected = [{ from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'], after: ConnectionVerdict.ALLOWED }];
    expect(Connectivity.unexpectedChanges(doc, expected)).toEqual({ unexpected: [], missing: [], notCompared: [] });
  });

  test('the changes no entry covers, and the entries no change matches', () => {
    const wrong = { from: 'prod/app=web', to: 'prod/app=api', after: ConnectionVerdict.DENIED };
    const { unexpected, missing } = Connectivity.unexpectedChanges(doc, [wrong]);
    expect(unexpected.map(ConnectivityFormat.describeChange)).toEqual([
      '+ prod/app=web → prod/app=api 9090/TCP (after: allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0])',
    ]);
    expect(missing).toEqual([wrong]);
  });
});
