// The engine's public API (issue 14): the static members delegate to the one implementation, the enums carry the wire
// values the outputs always had, and `PolicySet.fromYaml` takes the file name in its options.
import { describe, expect, test } from 'vitest';
import {
  EndpointKind, Endpoints, HostFirewallMode, L7Protocol, L7Result, PolicySet, Queries, SideDecision, TrafficDirection, VerdictKind, Verdicts,
} from '../../src';
import { Icmp, Port } from '../../src/constructs/port';
import { formatVerdict } from '../../src/engine/explain';
import { cnp, labels, policySet } from './helpers';

const API = cnp('api', {
  endpointSelector: labels({ app: 'api' }),
  ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
});

describe('static members', () => {
  test('Endpoints.parse / format / ENTITIES', () => {
    expect(Endpoints.parse('pod:shop:app=web')).toEqual({ kind: EndpointKind.POD, namespace: 'shop', labels: { app: 'web' } });
    expect(Endpoints.format(Endpoints.parse('node:zone=a@10.0.0.1'))).toBe('node:zone=a@10.0.0.1');
    expect(Endpoints.ENTITIES).toEqual(['host', 'remote-node', 'world', 'world-ipv4', 'world-ipv6', 'health', 'kube-apiserver', 'init', 'ingress', 'unmanaged']);
    expect(() => Endpoints.parse('entity:cluster')).toThrow(/group of endpoints/);
  });

  test('Queries', () => {
    expect(Queries.parseConnection('53/udp')).toEqual({ protocol: 'UDP', port: 53 });
    expect(Queries.toConnection(Port.tcp(8080))).toEqual({ protocol: 'TCP', port: 8080 });
    expect(Queries.toConnection(Icmp.echoRequest())).toEqual({ protocol: 'ICMP', icmpType: 8, icmpFamily: 'IPv4' });
    expect(() => Queries.toConnection(Port.tcpRange(80, 90))).toThrow(/80-90\/TCP is not one connection/);
    expect(Queries.parseHttpRequest('get /a', { host: 'shop.example.com', headers: ['X-Team: web'] }))
      .toEqual({ method: 'get', path: '/a', host: 'shop.example.com', headers: { 'X-Team': 'web' } });
    expect(Queries.parseHttpRequest('GET /a')).toEqual({ method: 'GET', path: '/a' });
    expect(Queries.parseKafkaRequest('produce orders')).toEqual({ apiKey: 'produce', topic: 'orders' });
  });

  test('Verdicts.format and Verdicts.verdictFor judge as the matchers do', () => {
    const set = policySet([API]);
    const get = Verdicts.verdictFor(set, 'pod:default:app=web', 'pod:default:app=api', Port.tcp(8080), { http: 'GET /orders' });
    expect(get.verdict).toBe(VerdictKind.ALLOWED);
    const post = Verdicts.verdictFor(set, 'pod:default:app=web', 'pod:default:app=api', '8080/TCP', { http: 'POST /orders' });
    expect(post.verdict).toBe(VerdictKind.L7_DENIED);
    expect(Verdicts.format(post)).toBe(formatVerdict(post));
    expect(Verdicts.format(post).split('\n')[0]).toBe('DENIED (L7: HTTP 403) pod:default:app=web → pod:default:app=api 8080/TCP POST /orders');
  });
});

describe('enums keep the wire values', () => {
  test('a verdict serializes as before', () => {
    const set = policySet([API]);
    const v = set.verdict({ from: set.endpoint('pod:default:app=web'), to: set.endpoint('pod:default:app=api'), protocol: 'TCP', port: 8080, http: { method: 'PUT', path: '/' } });
    const json = JSON.parse(JSON.stringify(v)) as Record<string, any>;
    expect(json.verdict).toBe('l7-denied');
    expect(json.egress.direction).toBe('egress');
    expect(json.egress.decision).toBe('no-policy-default-allow');
    expect(json.ingress.direction).toBe('ingress');
    expect(json.ingress.decision).toBe('l7-denied');
    expect(json.ingress.l7).toMatchObject({ protocol: 'http', result: 'denied' });
    expect([v.verdict, v.ingress.direction, v.ingress.decision, v.ingress.l7?.protocol, v.ingress.l7?.result])
      .toEqual([VerdictKind.L7_DENIED, TrafficDirection.INGRESS, SideDecision.L7_DENIED, L7Protocol.HTTP, L7Result.DENIED]);
    expect(set.decide({ from: set.endpoint('pod:default:app=cli'), to: set.endpoint('pod:default:app=api'), protocol: 'TCP', port: 8080 }))
      .toBe(VerdictKind.DENIED);
  });

  test('host firewall mode', () => {
    expect(policySet([API]).hostFirewallMode).toBe(HostFirewallMode.AUTO_OFF);
    expect(policySet([API], { hostFirewall: true }).hostFirewallMode).toBe('on');
  });
});

describe('PolicySet.fromYaml options', () => {
  test('the file name comes with the options and names the policies', () => {
    const yaml = JSON.stringify(API);
    const set = PolicySet.fromYaml(yaml, { file: 'api.yaml', clusterName: 'prod' });
    expect(set.policies).toEqual([{ kind: 'CiliumNetworkPolicy', name: 'api', namespace: 'default', file: 'api.yaml' }]);
    expect(set._engineConfig.clusterName).toBe('prod');
    expect(PolicySet.fromYaml(yaml).policies[0].file).toBeUndefined();
  });
});
