// What an explained side verdict says beside its decision (src/engine/evaluate.ts: near misses naming each peer kind and
// port list, the L7 request as the proxy's answer names it): the text `trace` prints, asked through judged(), so decide()
// and the naive evaluator agree with every verdict.
import { describe, expect, test } from 'vitest';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';
const P443 = [{ ports: [{ port: '443', protocol: 'TCP' }] }];

describe('near misses name the peers of every kind an item allows on the port', () => {
  test('entities, CIDRs and FQDN selectors, each listed', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [
        { toEntities: ['world', 'host'], toPorts: P443 },
        { toCIDR: ['10.0.0.0/8', '192.0.2.0/24'], toPorts: P443 },
        { toFQDNs: [{ matchName: 'a.example.com' }, { matchPattern: '*.b.com' }], toPorts: P443 },
      ],
    })]);
    const v = judged(set, WEB, API, 443);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes).toEqual([
      'CiliumNetworkPolicy default/p spec.egress[0] allows 443/TCP only to entities world, host',
      'CiliumNetworkPolicy default/p spec.egress[1] allows 443/TCP only to CIDR 10.0.0.0/8, 192.0.2.0/24',
      'CiliumNetworkPolicy default/p spec.egress[2] allows 443/TCP only to FQDNs matchName: a.example.com, matchPattern: *.b.com',
    ]);
    // Neither the port nor the peer: no near miss.
    expect(judged(set, WEB, API, 'icmp/8').egress.notes).toEqual([]);
  });

  test('Services (none found), cloud provider groups and node selectors', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [
        { toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }], toPorts: P443 },
        { toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }], toPorts: P443 },
        { toNodes: [labels({ zone: 'a' })], toPorts: P443 },
      ],
    })], { nodeSelectorLabels: true });
    expect(judged(set, WEB, API, 443).egress.notes).toEqual([
      'toServices: Service data/db is not in the inventory (give the Service manifest), so it selects nothing here',
      'toGroups (AWS) is resolved by the operator into CIDRs from the cloud API; the engine cannot resolve it, so it selects nothing here',
      'CiliumNetworkPolicy default/p spec.egress[0] allows 443/TCP only to services (none found)',
      'CiliumNetworkPolicy default/p spec.egress[1] allows 443/TCP only to cloud provider groups',
      'CiliumNetworkPolicy default/p spec.egress[2] allows 443/TCP only to toNodes {any:zone=a, reserved:remote-node Exists, k8s:io.cilium.k8s.policy.cluster=default}',
    ]);
  });
});
