// The Hubble tools through the package's entry point (src/index.ts): the static classes give the results of the layer's
// functions they stand for, and the closed sets keep their wire values in every output (JSON report, YAML, TypeScript).
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ClusterVerdict, ConnectionChange, Connections, Draft, DraftPeerKind, FlowCapture, FlowSkipReason, FlowSource, ObservedVerdict, PolicySet, Replay,
  ReplayFormat, TrafficDirection,
} from '../../src';
import { formatReplayJson, formatReplayTable, planDraft, renderDraftTypeScript, renderDraftYaml, replayCapture } from '../../src/hubble';
import { HUBBLE_FIXTURES_DIR } from './support/paths';

const CAPTURE_FILE = join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl');
const policies = (): PolicySet => PolicySet.fromFiles([join(HUBBLE_FIXTURES_DIR, 'shop-policies.yaml')]);

let capture: FlowCapture;
beforeAll(async () => {
  capture = await Connections.collect(FlowSource.file(CAPTURE_FILE));
});

describe('Connections', () => {
  test('collect groups the records and says what it skipped, keyed by FlowSkipReason values', () => {
    expect(capture.connections).toHaveLength(21);
    expect(capture.input.formats).toEqual({ jsonpb: 103, legacy: 1 });
    expect(capture.skipped).toEqual({
      [FlowSkipReason.L7_RESPONSE]: 5, [FlowSkipReason.NO_DIRECTION]: 1, [FlowSkipReason.NON_POLICY_DROP]: 1, [FlowSkipReason.REPLY]: 25,
      [FlowSkipReason.SOCKET_TRANSLATION]: 1,
    });
    expect(capture.skipped.reply).toBe(25);
  });
});

describe('Replay and ReplayFormat', () => {
  test('Replay.flows reads and judges: the report of Replay.capture over the same capture', async () => {
    const report = await Replay.flows(FlowSource.file(CAPTURE_FILE), policies());
    expect(report).toEqual(Replay.capture(capture, policies()));
    expect(report.schema).toBe(Replay.REPORT_SCHEMA);
    expect(Replay.REPORT_SCHEMA).toBe('cdk8s-cilium/replay/v1');
    expect([report.summary.newlyDropped, report.summary.newlyAllowed, report.summary.unchanged]).toEqual([4, 1, 16]);
    expect(report.connections.filter((c) => c.change === ConnectionChange.NEWLY_DROPPED)).toHaveLength(4);
    expect(report.disagreements.map((d) => [d.side, d.cluster.verdict])).toEqual([
      [TrafficDirection.INGRESS, ClusterVerdict.AUDIT], [TrafficDirection.INGRESS, ClusterVerdict.DENIED],
    ]);
  });

  test('the JSON and the table are those of the layer; enums are written as their wire values', () => {
    const report = Replay.capture(capture, policies());
    const internal = replayCapture(capture, policies());
    expect(ReplayFormat.json(report)).toBe(formatReplayJson(internal));
    expect(ReplayFormat.table(report, { maxUnchanged: 2 })).toBe(formatReplayTable(internal, { maxUnchanged: 2 }));
    const json = JSON.parse(ReplayFormat.json(report)) as { connections: { change: string; observed: { verdict: string } }[] };
    expect(new Set(json.connections.map((c) => c.change))).toEqual(new Set(['newly-dropped', 'newly-allowed', 'unchanged']));
    expect(json.connections.some((c) => c.observed.verdict === 'dropped')).toBe(true);
    expect(report.connections.some((c) => c.observed.verdict === ObservedVerdict.DROPPED)).toBe(true);
  });
});

describe('Draft', () => {
  test('an empty namespaces list is refused (it drafted every namespace of the capture)', () => {
    let error: unknown;
    try {
      Draft.plan(capture, { namespaces: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ id: 'draft-namespaces-empty' });
    expect(String((error as Error).message)).toMatch(/Draft\.plan namespaces is an empty list/);
    expect(Draft.plan(capture, { namespaces: ['shop'] }).namespaces).toEqual(['shop']);
  });

  test('plan, renderYaml and renderTypeScript are the layer\'s plan and renderings', () => {
    const plan = Draft.plan(capture, { namespaces: ['shop'] });
    expect(plan).toEqual(planDraft(capture, { namespaces: ['shop'] }));
    expect(Draft.renderYaml(plan)).toBe(renderDraftYaml(plan));
    expect(Draft.renderTypeScript(plan, { importFrom: '../src' })).toBe(renderDraftTypeScript(plan, { importFrom: '../src' }));
    const backend = plan.policies.find((p) => p.name === 'backend-api');
    expect(backend?.egress.map((r) => [r.direction, r.peer.kind])).toEqual([
      [TrafficDirection.EGRESS, DraftPeerKind.ENDPOINTS],
      [TrafficDirection.EGRESS, DraftPeerKind.FQDN],
      [TrafficDirection.EGRESS, DraftPeerKind.CIDR],
    ]);
  });

  test('apply builds policies that let through everything the cluster did (replayed through the public API)', () => {
    const app = Testing.app();
    const charts = Draft.apply(Draft.plan(capture), app);
    // kube-system is left out by default (includeKubeSystem): every pod reaches its pods.
    expect(charts.map((c) => c.namespace)).toEqual(['data', 'ingress-nginx', 'monitoring', 'shop']);
    expect(Draft.plan(capture).namespacesLeftOut).toEqual([{ namespace: 'kube-system', connections: 3, flows: 5 }]);
    expect(Draft.plan(capture, { includeKubeSystem: true }).namespaces).toEqual(['data', 'ingress-nginx', 'kube-system', 'monitoring', 'shop']);
    // Named, it is asked for: drafted, and nothing is left out.
    expect(Draft.plan(capture, { namespaces: ['kube-system'] })).toMatchObject({ namespaces: ['kube-system'], namespacesLeftOut: [] });
    const report = Replay.capture(capture, PolicySet.fromConstruct(app, { clusterName: capture.clusterName ?? 'default' }));
    expect(report.summary.newlyDropped).toBe(0);
    expect(report.errors).toEqual([]);
  });

  test('a peer without identifying labels (a Job\'s pod) is every pod of its namespace, in the YAML and the TypeScript', async () => {
    const line = JSON.stringify({
      flow: {
        verdict: 'FORWARDED', IP: { source: '10.0.0.7', destination: '10.0.0.5' }, l4: { TCP: { source_port: 40000, destination_port: 5432 } },
        source: { ID: 7, identity: 3001, namespace: 'batch', pod_name: 'backup-28391-x', labels: ['k8s:job-name=backup-28391', 'k8s:io.kubernetes.pod.namespace=batch'] },
        destination: { ID: 9, identity: 3000, namespace: 'data', pod_name: 'db-0', labels: ['k8s:app=db', 'k8s:io.kubernetes.pod.namespace=data'] },
        Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT', is_reply: false,
      },
    });
    const plan = Draft.plan(await Connections.collect(FlowSource.text(line)), { namespaces: ['data'] });
    expect(Draft.renderTypeScript(plan)).toContain("dbPolicy.allowIngress(Peer.namespace('batch'), { ports: [Port.tcp(5432)] });");
    expect(Draft.renderYaml(plan)).toContain('    - fromEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: batch\n      toPorts:');
  });
});
