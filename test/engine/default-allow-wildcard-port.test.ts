// L7 rules of an endpoint in default-allow mode on Cilium 1.16-1.17 (every selecting rule has `enableDefaultDeny: false` in
// that direction). The agent adds a wildcard rule that allows every peer on every port (pkg/policy/repository.go
// `computePolicyEnforcementAndRules` → `wildcardRule`: `FromEntities`/`ToEntities: [all]`, no `toPorts`), and that
// L3-only rule reaches Envoy as an allow-all on the wildcard port (pkg/envoy/server.go `getDirectionNetworkPolicy`: "L3-only
// rule, must generate L7 allow-all in case there are other port-specific rules", `getWildcardNetworkPolicyRule`), which
// Envoy consults beside the port's own rules (cilium/proxy `PortNetworkPolicy`: "Check for any rules that wildcard the
// port"). So HTTP and Kafka rules refuse nothing there, as beside a written `fromEntities: [all]`; the DNS proxy reads the
// rules of the lookup's own port only (pkg/fqdn/dnsproxy `CheckAllowed`), so DNS rules still refuse (issue #38676). From
// 1.18 every kind is visibility only (PR #38841); with a selecting rule that enables default deny, the rules restrict.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { SideDecision } from '../../src/engine';
import { cnp, judged, labels, policySet } from './helpers';

const API = 'pod:default:app=api';
const WEB = 'pod:default:app=web';
const OTHER = 'pod:default:app=other';
const DNS = 'pod:kube-system:k8s-app=kube-dns';
const BEFORE_18 = [CiliumVersion.V1_16, CiliumVersion.V1_17];

const httpItem = { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/a' }] } }] };
const kafkaItem = { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'plans' }] } }] };
const noDefaultDeny = (...items: Record<string, unknown>[]): Record<string, unknown> =>
  cnp('p', { endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false }, ingress: items });
const enablesDefaultDeny = cnp('dd', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'x' })] }] });

describe.each(BEFORE_18)('Cilium %s: HTTP and Kafka rules beside the wildcard rule of default-allow mode', (version) => {
  const set = policySet([noDefaultDeny(httpItem, kafkaItem)], { ciliumVersion: version });

  test('a request the HTTP rules do not match is allowed, visibility only, named by the item and the wildcard port', () => {
    const v = judged(set, WEB, API, 80, { http: 'POST /b' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress).toMatchObject({ decision: SideDecision.ALLOWED, allowed: true, rule: { path: 'spec.ingress[0]' } });
    expect(v.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[0] '
      + '(L7 HTTP rules are visibility only beside the wildcard rule of default-allow mode)');
    expect(v.ingress.l7).toEqual({
      protocol: 'http', result: 'allowed', rules: ['GET /a'], matched: '(allow-all of the wildcard port)', visibilityOnly: true,
      reason: `no policy selecting ${API} enables default deny on ingress, so Cilium ${version} adds a wildcard rule (fromEntities: [all], every port), `
        + 'and Envoy also consults the rules of the wildcard port: these HTTP rules give visibility only',
    });
  });

  test('a Kafka request the rules do not match is allowed too; a matching one and other peers and ports as before', () => {
    expect(judged(set, WEB, API, 9092, { kafka: 'produce other' }).ingress).toMatchObject({ decision: SideDecision.ALLOWED, l7: { protocol: 'kafka', visibilityOnly: true } });
    expect(judged(set, WEB, API, 80, { http: 'GET /a' }).ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, OTHER, API, 80, { http: 'POST /b' }).ingress.decision).toBe(SideDecision.NON_DEFAULT_DENY_ALLOW);
    expect(judged(set, WEB, API, 81).ingress.decision).toBe(SideDecision.NON_DEFAULT_DENY_ALLOW);
  });

  test('the same verdict as the wildcard rule written out (fromEntities: [all] beside the rules, default deny)', () => {
    const written = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [httpItem, kafkaItem, { fromEntities: ['all'] }] })],
      { ciliumVersion: version });
    expect(judged(written, WEB, API, 80, { http: 'POST /b' }).verdict).toBe('allowed');
    expect(judged(written, WEB, API, 9092, { kafka: 'produce other' }).verdict).toBe('allowed');
  });

  test('denied once a selecting rule enables default deny: there is no wildcard rule', () => {
    const enforcing = policySet([noDefaultDeny(httpItem, kafkaItem), enablesDefaultDeny], { ciliumVersion: version });
    expect(judged(enforcing, WEB, API, 80, { http: 'POST /b' }).ingress).toMatchObject({ decision: SideDecision.L7_DENIED, l7: { result: 'denied' } });
    expect(judged(enforcing, WEB, API, 9092, { kafka: 'produce other' }).ingress.decision).toBe(SideDecision.L7_DENIED);
    expect(judged(enforcing, WEB, API, 80, { http: 'GET /a' }).ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(enforcing, OTHER, API, 80, { http: 'GET /a' }).ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('DNS rules still refuse the names they do not list: the DNS proxy reads the rules of the lookup\'s port only', () => {
    const dns = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })], { ciliumVersion: version });
    expect(judged(dns, WEB, DNS, '53/UDP', { dns: 'b.example.com' }).egress).toMatchObject({ decision: SideDecision.L7_DENIED, l7: { protocol: 'dns', result: 'denied' } });
    expect(judged(dns, WEB, DNS, '53/UDP', { dns: 'a.example.com' }).egress.decision).toBe(SideDecision.ALLOWED);
  });
});
