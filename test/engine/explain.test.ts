// What a verdict says: the deciding rule (policy, rule, section, item, JSON path), the policies selecting each side,
// why a side is not evaluated, and the human format.
import { describe, expect, test } from 'vitest';
import { formatVerdict } from '../../src/engine/explain';
import { ccnp, cnp, labels, policySet, verdict } from './helpers';

const SET = policySet([
  cnp('web', {
    endpointSelector: labels({ app: 'web' }),
    egress: [{ toEndpoints: [labels({ app: 'db' })] }, { toEndpoints: [labels({ app: 'api' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
  }, 'shop'),
  {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
    specs: [
      { endpointSelector: labels({ app: 'db' }), ingress: [{}] },
      {
        endpointSelector: labels({ app: 'api' }),
        ingress: [
          { fromEndpoints: [labels({ app: 'batch' })] },
          { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/orders' }] } }] },
        ],
      },
    ],
  },
  ccnp('guard', { endpointSelector: labels({ app: 'api' }), ingressDeny: [{ fromEntities: ['world'] }] }),
]);

describe('explanations', () => {
  test('the deciding rule of each side, in wire form', () => {
    const v = verdict(SET, 'pod:shop:app=web', 'pod:shop:app=api', '8080/TCP', { http: 'GET /orders' });
    expect(v.verdict).toBe('allowed');
    expect(v.egress).toMatchObject({
      direction: 'egress', endpoint: 'pod:shop:app=web', evaluated: true, decision: 'allowed',
      rule: { kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'web', rule: 'spec', section: 'egress', item: 1, path: 'spec.egress[1]', file: 'test.yaml' },
      policies: [{ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'web', file: 'test.yaml' }],
    });
    expect(v.ingress).toMatchObject({
      decision: 'allowed',
      rule: { name: 'api', rule: 'specs[1]', section: 'ingress', item: 1, path: 'specs[1].ingress[1]' },
      l7: { protocol: 'http', result: 'allowed', matched: 'GET /orders' },
    });
    expect(v.ingress.policies.map((p) => p.name)).toEqual(['api', 'guard']);
  });

  test('deny rules, default deny and near misses', () => {
    const denied = verdict(SET, 'cidr:198.51.100.1', 'pod:shop:app=api', '8080/TCP');
    expect(denied.verdict).toBe('denied');
    expect(denied.egress).toMatchObject({ evaluated: false, decision: 'not-evaluated', allowed: true });
    expect(denied.egress.reason).toMatch(/outside the cluster/);
    expect(denied.ingress).toMatchObject({ decision: 'denied-by-deny-rule', rule: { kind: 'CiliumClusterwideNetworkPolicy', name: 'guard', path: 'spec.ingressDeny[0]' } });

    const dflt = verdict(SET, 'pod:shop:app=web', 'pod:shop:app=api', '9090/TCP');
    expect(dflt.egress.decision).toBe('default-deny');
    expect(dflt.egress.reason).toMatch(/^default deny: 1 rule with egress rules selects pod:shop:app=web and none allows pod:shop:app=api on 9090\/TCP/);
    expect(dflt.egress.notes).toContain('CiliumNetworkPolicy shop/web spec.egress[1] allows pod:shop:app=api only on 8080/TCP');
  });

  test('L7 denial names the rules in force', () => {
    const v = verdict(SET, 'pod:shop:app=web', 'pod:shop:app=api', '8080/TCP', { http: 'DELETE /orders' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.allowed).toBe(false);
    expect(v.ingress).toMatchObject({ decision: 'l7-denied', allowed: true, l7: { protocol: 'http', result: 'denied', rules: ['GET /orders'] } });
    expect(v.summary).toBe('DENIED (L7: HTTP 403) pod:shop:app=web → pod:shop:app=api 8080/TCP DELETE /orders');
  });

  test('a verdict is plain JSON', () => {
    const v = verdict(SET, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP');
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
    expect(Object.keys(v)).toEqual(['verdict', 'allowed', 'summary', 'from', 'to', 'connection', 'ciliumVersion', 'egress', 'ingress']);
  });

  test('formatVerdict: a verdict line, then both sides', () => {
    expect(formatVerdict(verdict(SET, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP')).split('\n')).toEqual([
      'DENIED pod:shop:app=web → pod:shop:app=db 5432/TCP',
      'egress at pod:shop:app=web: allowed by CiliumNetworkPolicy shop/web spec.egress[0]',
      '  rule: CiliumNetworkPolicy shop/web spec.egress[0] (test.yaml)',
      '  policies selecting pod:shop:app=web: CiliumNetworkPolicy shop/web',
      'ingress at pod:shop:app=db: default deny: 1 rule with ingress rules selects pod:shop:app=db and none allows pod:shop:app=web on 5432/TCP',
      '  policies selecting pod:shop:app=db: CiliumNetworkPolicy shop/api',
    ]);
    expect(formatVerdict(verdict(SET, 'pod:shop:app=web', 'pod:shop:app=api', '8080/TCP')).split('\n').slice(3, 6)).toEqual([
      '  policies selecting pod:shop:app=web: CiliumNetworkPolicy shop/web',
      'ingress at pod:shop:app=api: allowed at L4 by CiliumNetworkPolicy shop/api specs[1].ingress[1]; L7 HTTP rules will be enforced by the proxy',
      '  rule: CiliumNetworkPolicy shop/api specs[1].ingress[1] (test.yaml)',
    ]);
  });
});
