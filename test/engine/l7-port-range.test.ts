// HTTP, Kafka and l7proto rules on a port range (endPort above port) by version: the 1.16 agent refuses them
// (cilium/cilium#36050, "[v1.16] policy/api: Disallow Port Ranges for All L7 Rules", merged into the v1.16 branch only),
// so it imports none of the policy and its pods keep what they had without it; from 1.17 the L7 rules apply to every
// port of the range (cilium/cilium#36966, "L7 Rules now support port ranges, except for DNS rules").
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src';
import { SideDecision } from '../../src/engine';
import { cnp, judged, labels, policySet } from './helpers';

const V = CiliumVersion;
const FROM_A = 'pod:default:app=a';
const WEB = 'pod:default:app=web';

const policy = cnp('p', {
  endpointSelector: labels({ app: 'web' }),
  ingress: [{
    fromEndpoints: [labels({ app: 'a' })],
    toPorts: [{ ports: [{ port: '8080', endPort: 8090, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }],
  }],
});

describe('L7 rules on a port range', () => {
  test('1.16: the agent refuses the policy, so the pod has none: default allow, with the refusal named', () => {
    const set = policySet([policy], { ciliumVersion: V.V1_16 });
    const v = judged(set, FROM_A, WEB, '8085/TCP', { http: 'POST /' });
    expect(v.ingress.decision).toBe(SideDecision.NO_POLICY_DEFAULT_ALLOW);
    expect(v.ingress.notes.join('\n')).toMatch(/is not imported by the agent.*sanitize-l7-port-range/s);
    expect(judged(set, 'pod:default:app=b', WEB, '9000/TCP').ingress.decision).toBe(SideDecision.NO_POLICY_DEFAULT_ALLOW);
    expect(set.diagnostics.some((d) => d.id === 'engine-policy-skipped' && d.message.includes('[sanitize-l7-port-range]'))).toBe(true);
  });

  test('1.17 and 1.19: the HTTP rules hold on every port of the range', () => {
    for (const version of [V.V1_17, V.V1_19]) {
      const set = policySet([policy], { ciliumVersion: version });
      expect(judged(set, FROM_A, WEB, '8085/TCP', { http: 'POST /' }).ingress.decision).toBe(SideDecision.L7_DENIED);
      expect(judged(set, FROM_A, WEB, '8090/TCP', { http: 'GET /' }).ingress.rule?.path).toBe('spec.ingress[0]');
      expect(judged(set, 'pod:default:app=b', WEB, '8085/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
    }
  });

  test('1.16: a single port with HTTP rules, or a range without them, is imported as before', () => {
    const single = cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      ingress: [
        { fromEndpoints: [labels({ app: 'a' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
        { fromEndpoints: [labels({ app: 'a' })], toPorts: [{ ports: [{ port: '9000', endPort: 9010, protocol: 'TCP' }] }] },
      ],
    });
    const set = policySet([single], { ciliumVersion: V.V1_16 });
    expect(judged(set, FROM_A, WEB, '8080/TCP', { http: 'POST /' }).ingress.decision).toBe(SideDecision.L7_DENIED);
    expect(judged(set, FROM_A, WEB, '9005/TCP').ingress.rule?.path).toBe('spec.ingress[1]');
  });
});
