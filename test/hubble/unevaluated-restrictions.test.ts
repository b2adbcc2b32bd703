// Session 48: replay judged a connection allowed only by a rule with `serverNames` (or TLS interception, or an Envoy
// listener) as ALLOWED, "unchanged", and its namespace "ready to enforce", though Envoy refuses a connection with another
// SNI or without TLS (pkg/policy/api/l4.go `PortRule.ServerNames`: "TLS must be present and one of the provided SNIs must
// be indicated in the TLS handshake") and Hubble records no SNI. Now such a connection is NOT JUDGED, its namespace not
// ready, and the gate fails closed; a plain allow of the same port beside it lets every connection through (Envoy takes any
// matching rule of the port) only when its peer selector is another cached selector: the agent merges one selector's
// policies on a port, SNIs included (pkg/policy/rule.go `mergePortProto`: "if any rule requires SNI, then all traffic to
// that remote/port requires TLS, even if other merged rules would be fine without TLS").
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { FlowSource, formatReplayTable, replayFlows } from '../../src/hubble';
import { verdict } from '../engine/helpers';

/** One forwarded TCP connection attempt (jsonpb) from shop/app=client to shop/app=web on `port`. */
function flow(port: number): string {
  const end = (app: string, identity: number): Record<string, unknown> => ({
    identity, namespace: 'shop', pod_name: `${app}-1`, labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop'],
  });
  return JSON.stringify({ flow: {
    time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', Type: 'L3_L4', traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '10.0.2.20' }, l4: { TCP: { source_port: 40000, destination_port: port } },
    source: end('client', 300), destination: end('web', 301),
  } });
}

/** A CNP selecting shop/app=web with these ingress items (YAML lines). */
function webIngress(items: string): PolicySet {
  return PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
${items}`, { file: 'web.yaml' });
}

const SNI = '  - fromEndpoints: [{matchLabels: {app: client}}]\n    toPorts: [{ports: [{port: "443", protocol: TCP}], serverNames: [api.example.com]}]\n';
const TLS = '  - fromEndpoints: [{matchLabels: {app: client}}]\n'
  + '    toPorts: [{ports: [{port: "443", protocol: TCP}], terminatingTLS: {secret: {namespace: shop, name: t}}}]\n';
const PLAIN = '  - fromEndpoints: [{matchLabels: {app: client}}]\n    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n';
// The same pods, another cached selector (the agent keeps `app In [client]` apart from `app: client`).
const PLAIN_OTHER_SELECTOR = '  - fromEndpoints: [{matchExpressions: [{key: app, operator: In, values: [client]}]}]\n'
  + '    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n';

describe('replay: an allow only through an SNI list, TLS interception or a listener is not judged', () => {
  test.each([
    // name, ingress items, port, not judged, the engine's restriction text (undefined: none)
    ['serverNames only', SNI, 443, true, 'CiliumNetworkPolicy shop/web spec.ingress[0] restricts the TLS SNI to api.example.com'],
    ['TLS interception only', TLS, 443, true, 'CiliumNetworkPolicy shop/web spec.ingress[0] intercepts its TLS (terminating TLS with Secret shop/t)'],
    // Session 48 review: the plain allow of the same selector was taken as lifting the SNI list (UNCHANGED, ready, exit 0).
    ['serverNames and a plain allow of the same selector and port (merged: the SNI list stays)', SNI + PLAIN, 443, true,
      'CiliumNetworkPolicy shop/web spec.ingress[0] restricts the TLS SNI to api.example.com'],
    ['serverNames and a plain allow of the same port by another selector of the peer', SNI + PLAIN_OTHER_SELECTOR, 443, false, undefined],
    ['serverNames on another port than the flow (default deny decides)', SNI, 8443, false, undefined],
  ] as const)('%s', async (_name, items, port, notJudged, restriction) => {
    const set = webIngress(items);
    const v = verdict(set, 'pod:shop:app=client', 'pod:shop:app=web', port);
    expect(v.ingress.unevaluatedRestriction).toBe(restriction);
    const report = await replayFlows(FlowSource.text(flow(port)), set);
    const shop = report.namespaces.find((n) => n.namespace === 'shop');
    if (notJudged) {
      expect(report.connections).toEqual([]);
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0].message).toMatch(/^the policies allow it at ingress only through the proxy: .*(restricts|intercepts)/);
      expect(report.summary.notEvaluated).toBe(1);
      expect(shop?.readyToEnforce).toBe(false);
      // Session 48 review: the table said "the capture holds no connection that policy decides".
      expect(formatReplayTable(report)).toContain('WOULD BE DROPPED: 0 connections, 0 records\n'
        + '  none, as no connection was judged: 1 connection could not be judged (see NOT JUDGED)\n');
      // Session 50: the SUMMARY said "0 unchanged, of 0 (0 records)" alone, as for a capture with nothing to judge.
      expect(formatReplayTable(report)).toContain('  connections: 0 would be dropped (0 records), 0 newly allowed, 0 unchanged, of 0 (0 records); '
        + '1 not judged (see NOT JUDGED)\n');
    } else {
      expect(report.errors).toEqual([]);
      expect(report.connections).toHaveLength(1);
      expect(report.connections[0].predicted.verdict).toBe(port === 443 ? 'allowed' : 'denied');
    }
  });
});

// Session 48 review: a port rule with HTTP rules beside its serverNames and terminatingTLS never got the restriction, so
// replay judged its connections ALLOWED and the namespace ready: without default deny (1.18+ widens the HTTP rules to
// allow-all, L4-only capture), and with default deny when the capture shows the request. Cilium's createL4Filter
// (pkg/policy/l4.go) widens only the L7 rules (`ensureWildcard`); the SNI list and the TLS contexts stay.
describe('replay: HTTP rules beside an SNI list and TLS interception do not lift the restriction', () => {
  const HTTP_SNI = '  - fromEndpoints: [{matchLabels: {app: client}}]\n    toPorts:\n    - ports: [{port: "443", protocol: TCP}]\n'
    + '      serverNames: [api.example.com]\n      terminatingTLS: {secret: {namespace: shop, name: t}}\n      rules: {http: [{method: GET}]}\n';
  const RESTRICTION = 'CiliumNetworkPolicy shop/web spec.ingress[0] restricts the TLS SNI to api.example.com and intercepts its TLS (terminating TLS with Secret shop/t)';
  const request = JSON.stringify({ flow: {
    ...JSON.parse(flow(443)).flow, Type: 'L7', event_type: { type: 129 }, traffic_direction: 'INGRESS',
    l7: { type: 'REQUEST', http: { method: 'GET', url: 'https://web:443/x' } },
  } });
  test.each([
    ['without default deny (visibility only), an L4 capture', '  enableDefaultDeny: {ingress: false}\n', [flow(443)], 1],
    ['with default deny, the request in the capture', '', [flow(443), request], 2],
  ] as const)('%s', async (_name, extra, lines, notEvaluated) => {
    const set = PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
${extra}  ingress:
${HTTP_SNI}`, { file: 'web.yaml', ciliumVersion: CiliumVersion.V1_19 });
    expect(verdict(set, 'pod:shop:app=client', 'pod:shop:app=web', 443).ingress.unevaluatedRestriction).toBe(RESTRICTION);
    const report = await replayFlows(FlowSource.text(lines.join('\n')), set);
    expect(report.connections).toEqual([]);
    expect(report.summary.notEvaluated).toBe(notEvaluated);
    expect(report.errors.map((e) => e.message)).toEqual(Array(notEvaluated).fill(expect.stringContaining(`only through the proxy: ${RESTRICTION}`)));
    expect(report.namespaces.find((n) => n.namespace === 'shop')?.readyToEnforce).toBe(false);
  });
});
