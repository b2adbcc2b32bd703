// What a capture records of its connections beyond the verdicts (src/hubble/connections.ts ConnectionCollector): the
// nodes a connection was seen on, the cluster named by the capture, the time window, and which ends are resolved to a pod.
// Written for the seed-4444 mutants of docs/testing.md (session 44).
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { ConnectionCollector, FlowSource, collectConnections, replayCapture } from '../../src/hubble';
import type { HubbleFlow } from '../../src/hubble/flow';

const NS_LABEL = 'k8s:io.kubernetes.pod.namespace=shop';
const WEB = { ID: 11, identity: 4001, namespace: 'shop', pod_name: 'web-7d9f-abcde', labels: ['k8s:app=web', NS_LABEL] };
const API = { ID: 12, identity: 4002, namespace: 'shop', pod_name: 'api-5c6d-fghij', labels: ['k8s:app=api', NS_LABEL] };

let clock = 0;
function record(over: Record<string, unknown>, src: object = WEB, dst: object = API): Record<string, unknown> {
  clock++;
  return {
    time: new Date(Date.UTC(2026, 0, 5, 10, 0, clock % 60, 500)).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.0.0.11', destination: '10.0.0.12', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000 + clock, destination_port: 8080, flags: { SYN: true } } },
    source: src, destination: dst, Type: 'L3_L4', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false,
    ...over,
  };
}
const capture = (records: Record<string, unknown>[]): ReturnType<typeof collectConnections> =>
  collectConnections(FlowSource.text(records.map((flow) => JSON.stringify({ flow })).join('\n'), 'capture.jsonl'));

describe('the nodes of a connection', () => {
  test('at most eight are kept, in order of first appearance', async () => {
    const c = await capture(Array.from({ length: 10 }, (_, i) => record({ node_name: `node-${i}` })));
    expect(c.connections).toHaveLength(1);
    expect(c.connections[0].nodes).toEqual(['node-0', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6', 'node-7']);
  });
});

describe('the cluster a capture names', () => {
  const inCluster = (ep: { labels: string[] }, cluster: string): object => ({ ...ep, labels: [...ep.labels, `k8s:io.cilium.k8s.policy.cluster=${cluster}`] });
  test('no record telling its observer: the cluster of most ends; a tie goes to the first name in code-unit order', async () => {
    // A policy drop without a direction (the one record kept without one) and without a cluster in node_name.
    const none = { traffic_direction: undefined, verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1 } };
    const westFirst = await capture([record(none, inCluster(WEB, 'west'), inCluster(API, 'east'))]);
    const eastFirst = await capture([record(none, inCluster(WEB, 'east'), inCluster(API, 'west'))]);
    expect([westFirst.clusterName, eastFirst.clusterName]).toEqual(['east', 'east']);
    const CRON = { ...WEB, identity: 4003, labels: ['k8s:app=cron', NS_LABEL] };
    const most = await capture([record(none, inCluster(WEB, 'west'), inCluster(API, 'east')),
      record(none, inCluster(CRON, 'west'), inCluster(API, 'east'))]);
    expect(most.clusterName).toBe('west');
    // An ingress record is the destination's node's: that cluster, however many ends the other has.
    expect((await capture([record({}, inCluster(WEB, 'west'), inCluster(API, 'east')), record({}, inCluster(CRON, 'west'), inCluster(API, 'east'))]))
      .clusterName).toBe('east');
  });
});

describe('the time window', () => {
  test('records without a time give no window, for the connection or the capture', async () => {
    const c = await capture([record({ time: undefined }), record({ time: undefined })]);
    expect(c.connections.map((k) => [k.flows, k.window])).toEqual([[2, undefined]]);
    expect(c.window).toBeUndefined();
  });

  test('a record added directly with a time Hubble does not write is no time: the window is the valid records\'', () => {
    const collector = new ConnectionCollector();
    const valid = '2026-01-05T10:00:00.500000000Z';
    collector.add(record({ time: valid }) as unknown as HubbleFlow, 1);
    // Nine fractional digits and a Z where a valid time has them, one character more: not RFC 3339.
    collector.add(record({ time: `${valid}x` }) as unknown as HubbleFlow, 2);
    const c = collector.finish();
    expect(c.connections.map((k) => [k.flows, k.window])).toEqual([[2, { first: valid, last: valid }]]);
    expect(c.window).toEqual({ first: valid, last: valid });
  });
});

describe('which ends are resolved to a pod', () => {
  test('a world end at a pod\'s address, without a pod name, is not that pod', async () => {
    const world = { identity: 2, labels: ['reserved:world'] };
    const c = await capture([record({}), record({}, WEB, world)]);
    expect(c.resolved).toEqual([]);
    expect(c.connections.map((k) => k.destination.kind)).toEqual(['pod', 'world']);
  });

  test('an end resolved by pod name merged into its pod\'s connection: both parts\' nodes, times and match types', async () => {
    const apiAsWorld = { identity: 2, namespace: 'shop', pod_name: 'api-5c6d-fghij', labels: ['reserved:world'] };
    const c = await capture([record({ time: undefined, node_name: 'node-a' }),
      record({ time: '2026-01-05T10:00:07.000000000Z', node_name: 'node-b', policy_match_type: 2 }, WEB, apiAsWorld)]);
    expect(c.resolved.map((r) => `${r.end} ${r.by}`)).toEqual(['shop/api-5c6d-fghij pod-name']);
    expect(c.connections.map((k) => [k.destination.kind, k.flows, k.nodes, k.window, k.cluster.ingress.matchTypes])).toEqual([
      ['pod', 2, ['node-a', 'node-b'], { first: '2026-01-05T10:00:07.000000000Z', last: '2026-01-05T10:00:07.000000000Z' }, [2]],
    ]);
  });
});

describe('what a record is a connection of', () => {
  test('HTTP requests of two methods on one path are two connections', async () => {
    const request = (method: string): Record<string, unknown> =>
      record({ Type: 'L7', event_type: { type: 129 }, l7: { type: 'REQUEST', http: { method, url: 'http://api:8080/orders' } } });
    const c = await capture([request('POST'), request('GET'), request('POST')]);
    expect(c.connections.map((k) => [k.http?.method, k.http?.path, k.flows])).toEqual([['POST', '/orders', 2], ['GET', '/orders', 1]]);
  });

  test('a record added directly with a destination port above 65535 is skipped as without a usable layer 4', () => {
    const collector = new ConnectionCollector();
    collector.add(record({ l4: { TCP: { source_port: 40000, destination_port: 70000 } } }) as unknown as HubbleFlow, 1);
    collector.add(record({}) as unknown as HubbleFlow, 2);
    const c = collector.finish();
    expect(c.connections.map((k) => `${k.port}/${k.protocol}`)).toEqual(['8080/TCP']);
    expect(c.skipped).toEqual({ 'no-l4': 1 });
  });
});

describe('a pod end without namespace labels in the record', () => {
  test('takes its Namespace\'s labels from the inventory: a policy admitting by a namespace label allows it', async () => {
    const c = await capture([record({})]);
    const policies = (team: string): PolicySet => PolicySet.fromYaml(`apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { team: shop } }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { k8s:io.cilium.k8s.namespace.labels.team: ${team} } }]
`, { file: 'policies.yaml' });
    expect(replayCapture(c, policies('shop')).connections.map((k) => [k.predicted.verdict, k.change])).toEqual([['allowed', 'unchanged']]);
    expect(replayCapture(c, policies('payments')).connections.map((k) => [k.predicted.verdict, k.change])).toEqual([['denied', 'newly-dropped']]);
  });
});

describe('finish() leaves the collector as it was', () => {
  // A connection whose end resolves by pod name is merged into the one seen with both ends known: the merge must not add
  // into the collector's own connection, or every later finish() counts the resolved records once more (review of mut44).
  const apiAsWorld = { identity: 2, namespace: 'shop', pod_name: 'api-5c6d-fghij', labels: ['reserved:world'] };
  test('two finish() calls give the same connections; an add() after one does not change its result', () => {
    const collector = new ConnectionCollector();
    collector.add(record({ node_name: 'a' }) as unknown as HubbleFlow, 1);
    collector.add(record({ node_name: 'b' }, WEB, apiAsWorld) as unknown as HubbleFlow, 2);
    const first = collector.finish();
    const second = collector.finish();
    expect(first.connections.map((k) => [k.flows, k.nodes])).toEqual([[2, ['a', 'b']]]);
    expect(second.connections.map((k) => [k.flows, k.nodes])).toEqual([[2, ['a', 'b']]]);
    collector.add(record({ node_name: 'c' }) as unknown as HubbleFlow, 3);
    expect(first.connections.map((k) => [k.flows, k.nodes])).toEqual([[2, ['a', 'b']]]);
    expect(collector.finish().connections.map((k) => [k.flows, [...k.nodes].sort()])).toEqual([[3, ['a', 'b', 'c']]]);
  });
});
