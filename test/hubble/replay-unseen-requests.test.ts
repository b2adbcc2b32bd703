// Replay of L3/L4 records (no L7 visibility) against policies with L7 rules on their port: the proxy judges each request,
// the capture shows none, so the connection cannot be judged (session 46: it was "allowed", its namespace "ready to
// enforce", exit 0, though every request but GET /public would be refused with 403 after the rollout).
import { describe, expect, test } from 'vitest';
import { FlowSource, collectConnections, replayCapture } from '../../src/hubble';
import { PolicySet } from '../../src/engine';

const pod = (app: string, identity: number): Record<string, unknown> => ({
  ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`,
  labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=default'],
});
const WEB = pod('web', 40001);
const API = pod('api', 40002);
/** The ingress record of web's TCP connection to api:8080 (L3/L4). */
const L4 = JSON.stringify({
  flow: {
    time: '2026-12-04T10:00:01Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } }, source: WEB, destination: API,
    Type: 'L3_L4', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false,
  },
});
/** An L7 record of the same connection: the proxy's view of one request. */
const l7 = (method: string, path: string): string => JSON.stringify({
  flow: {
    time: '2026-12-04T10:00:02Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080 } }, source: WEB, destination: API, Type: 'L7', event_type: { type: 129 },
    traffic_direction: 'INGRESS', is_reply: false,
    l7: { type: 'REQUEST', http: { method, url: `http://api:8080${path}`, protocol: 'HTTP/1.1' } },
  },
});
const policy = (rules: string): PolicySet => PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts:
    - ports: [{ port: "8080", protocol: TCP }]
${rules}`);
const HTTP = policy('      rules: { http: [{ method: GET, path: /public }] }\n');

describe('L7 rules on a port whose requests the capture does not show', () => {
  test('L3/L4 records only: not judged, naming the rules and the fix; the namespace is not ready', async () => {
    const r = replayCapture(await collectConnections(FlowSource.text(L4)), HTTP);
    expect(r.connections).toEqual([]);
    expect(r.summary.notEvaluated).toBe(1);
    expect(r.errors.map((e) => e.connection)).toEqual(['pod:shop:app=web → pod:shop:app=api 8080/TCP']);
    expect(r.errors[0].message).toMatch(/^the policies allow it at L4 with HTTP rules at ingress \(GET \/public\) that the proxy enforces request by request, and the capture shows none of its HTTP requests/);
    expect(r.namespaces.find((n) => n.namespace === 'shop')?.readyToEnforce).toBe(false);
  });

  test('with the requests in L7 records: each judged (the refused POST would be refused), the L3/L4 record no longer unknown', async () => {
    const r = replayCapture(await collectConnections(FlowSource.text([L4, l7('GET', '/public'), l7('POST', '/orders')].join('\n'))), HTTP);
    expect(r.errors).toEqual([]);
    expect(r.connections.map((c) => `${c.request ?? '-'}: ${c.predicted.verdict}`).sort()).toEqual(['-: allowed', 'GET /public: allowed', 'POST /orders: l7-denied']);
  });

  test('rules that every request matches (an HTTP rule of no field) leave nothing to judge: allowed', async () => {
    const r = replayCapture(await collectConnections(FlowSource.text(L4)), policy('      rules: { http: [{}] }\n'));
    expect(r.errors).toEqual([]);
    expect(r.connections.map((c) => c.predicted.verdict)).toEqual(['allowed']);
  });

  test('an HTTP rule whose method is empty (as absent: every method) and no other field matches every request: allowed', async () => {
    const r = replayCapture(await collectConnections(FlowSource.text(L4)), policy('      rules: { http: [{ method: "" }] }\n'));
    expect(r.errors).toEqual([]);
    expect(r.connections.map((c) => c.predicted.verdict)).toEqual(['allowed']);
  });

  test('generic rules (l7proto with key-value rules): the proxylib parser judges each request, the engine none: not judged', async () => {
    const r = replayCapture(await collectConnections(FlowSource.text(L4)), policy('      rules: { l7proto: r2d2, l7: [{ cmd: READ }] }\n'));
    expect(r.connections).toEqual([]);
    expect(r.errors[0].message).toMatch(/^the policies allow it at L4 with L7PROTO rules at ingress \(l7proto: r2d2 cmd="READ"\) that the proxy enforces/);
    expect(r.namespaces.find((n) => n.namespace === 'shop')?.readyToEnforce).toBe(false);
    // Without a key-value rule every request passes the parser: nothing is left to judge.
    const open = replayCapture(await collectConnections(FlowSource.text(L4)), policy('      rules: { l7proto: r2d2 }\n'));
    expect(open.errors).toEqual([]);
    expect(open.connections.map((c) => c.predicted.verdict)).toEqual(['allowed']);
  });
});
