// Least privilege of `draft` over every real sample: the draft allows each connection the cluster let through (the round
// trip of draft.test.ts and samples.test.ts) and nothing next to it. Each forwarded record is varied one field at a time —
// the destination port (+1, and 4444), the protocol, either end's namespace or workload label, a world end's address — and
// no variant the capture does not also show may be allowed by a rule of the draft on either side: its sides are decided by
// default deny, or by what the draft does not select (no policy there, or the host reaching its own pods: allow-localhost).
// Two built-ins are wider by design and named here: the host reaches the drafted pods on any port (`Builtins`' host probes,
// which the agent's default allow-localhost lets through anyway), and a drafted pod reaches kube-dns on 53 over UDP and TCP
// (the DNS companion: a truncated answer is retried over TCP).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Endpoints, PolicySet, SideDecision } from '../../src/engine';
import { FlowSource, applyDraftPlan, collectConnections, planDraft, replayCapture } from '../../src/hubble';
import { HUBBLE_SAMPLES_DIR } from './support/paths';

type Json = Record<string, any>;

/** The variants of one forwarded record, each as a JSON line; none for other records. */
function variants(line: string): string[] {
  let parsed: Json;
  try {
    parsed = JSON.parse(line) as Json;
  } catch {
    return [];
  }
  const flow = (parsed.flow ?? parsed) as Json;
  if (flow.verdict !== 'FORWARDED' && flow.verdict !== 'REDIRECTED') return [];
  const out: string[] = [];
  const vary = (change: (f: Json) => void): void => {
    const copy = JSON.parse(line) as Json;
    change((copy.flow ?? copy) as Json);
    out.push(JSON.stringify(copy));
  };
  for (const p of ['TCP', 'UDP', 'SCTP']) {
    if (flow.l4?.[p] === undefined) continue;
    vary((f) => { f.l4[p].destination_port += 1; });
    vary((f) => { f.l4[p].destination_port = 4444; });
    vary((f) => { f.l4 = { [p === 'TCP' ? 'UDP' : 'TCP']: f.l4[p] }; });
  }
  if (flow.l4?.ICMPv4 !== undefined) vary((f) => { f.l4.ICMPv4.type = 13; });
  for (const side of ['source', 'destination']) {
    const end = flow[side] as Json | undefined;
    if (end === undefined) continue;
    if (end.namespace !== undefined) {
      vary((f) => {
        const e = f[side] as Json;
        e.namespace = 'elsewhere';
        e.labels = (e.labels ?? []).map((l: string) => l.replace(/(io\.kubernetes\.pod\.namespace=|metadata\.name=).*/, '$1elsewhere'));
        e.identity = 99999;
      });
      vary((f) => {
        const e = f[side] as Json;
        e.labels = (e.labels ?? []).map((l: string) => (/^k8s:(app|k8s-app|name)=/.test(l) ? `${l}-other` : l));
        e.identity = 99998;
      });
    }
    if ((end.labels ?? []).some((l: string) => l.startsWith('reserved:world'))) {
      vary((f) => {
        f.IP[side] = f.IP.ipVersion === 'IPv6' ? '2001:db8::99' : '198.51.100.99';
        f[`${side}_names`] = undefined;
      });
    }
  }
  return out;
}

describe('draft: every real sample, varied next to what it shows', () => {
  test.each(readdirSync(HUBBLE_SAMPLES_DIR).filter((f) => f.endsWith('.jsonl')).sort())('%s: no variant allowed by a drafted rule', async (file) => {
    const text = readFileSync(join(HUBBLE_SAMPLES_DIR, file), 'utf8');
    const capture = await collectConnections(FlowSource.text(text));
    const app = Testing.app();
    applyDraftPlan(planDraft(capture, { includeKubeSystem: true }), app);
    const set = PolicySet.fromConstruct(app, { clusterName: capture.clusterName ?? 'default' });
    const key = (c: { source: string; destination: string; connection: string }): string => `${c.source} → ${c.destination} ${c.connection}`;
    const original = replayCapture(capture, set);
    expect(original.summary.newlyDropped).toBe(0);
    const observed = new Set(original.connections.map(key));
    const varied = replayCapture(await collectConnections(FlowSource.text(text.split('\n').flatMap(variants).join('\n'))), set);
    const builtIn = (c: { source: string; destination: string; connection: string }, direction: string): boolean =>
      (direction === 'ingress' && c.source === 'entity:host')
      || (direction === 'egress' && c.destination === 'pod:kube-system:k8s-app=kube-dns' && /^53\/(UDP|TCP)$/.test(c.connection));
    const unobserved = varied.connections.filter((c) => !observed.has(key(c)));
    const allowedByDraft = unobserved.flatMap((c) => [c.predicted.egress, c.predicted.ingress]
      .filter((s) => s.decision === SideDecision.ALLOWED && !builtIn(c, s.direction)).map((s) => `${key(c)} (${s.direction})`));
    expect(allowedByDraft).toEqual([]);
    // The variants are judged, not skipped: each sample with forwarded pod traffic gives unobserved connections.
    if (original.connections.some((c) => c.observed.forwarded > 0 && c.source.startsWith('pod:'))) expect(unobserved.length).toBeGreaterThan(0);
  });
});

// Session 50 (mutation seed 5050, src/model/companion-rules.ts `dnsCompanionGrant`): the DNS companion of a drafted policy
// is an egress item to the cluster DNS pods only. Without its peer (`toEndpoints`), the item would be L4-only: 53/UDP and
// 53/TCP to every destination (Cilium: an egress rule with toPorts and no L3 selector selects all peers).
describe('draft: the DNS companion reaches the cluster DNS pods, nothing else on port 53', () => {
  const A = { ID: 1, identity: 3001, namespace: 'shop', pod_name: 'a-1', labels: ['k8s:app=a', 'k8s:io.kubernetes.pod.namespace=shop'] };
  const DNS = { ID: 3, identity: 3003, namespace: 'kube-system', pod_name: 'coredns-1', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'] };
  const base = { IP: { source: '10.0.0.1', destination: '10.0.0.9' }, l4: { UDP: { source_port: 40000, destination_port: 53 } }, source: A, destination: DNS,
    traffic_direction: 'EGRESS', is_reply: false };
  const lines = [
    JSON.stringify({ flow: { ...base, verdict: 'FORWARDED', Type: 'L3_L4', event_type: { type: 4 } } }),
    JSON.stringify({ flow: { ...base, verdict: 'FORWARDED', Type: 'L7', event_type: { type: 129 }, l7: { type: 'REQUEST', dns: { query: 'ok.example.', qtypes: ['A'] } } } }),
  ];

  test('allowed to kube-dns on 53/UDP and 53/TCP; denied to another pod, another namespace and an outside address on 53', async () => {
    const plan = planDraft(await collectConnections(FlowSource.text(lines.join('\n'))), { namespaces: ['shop'] });
    expect(plan.policies.map((p) => [p.name, p.dns])).toEqual([['a', true]]);
    const app = Testing.app();
    applyDraftPlan(plan, app);
    const set = PolicySet.fromConstruct(app);
    const from = Endpoints.parse('pod:shop:app=a');
    const decide = (to: string, protocol: 'UDP' | 'TCP'): string => set.decide({ from, to: Endpoints.parse(to), protocol, port: 53, dns: 'ok.example' });
    expect(['UDP', 'TCP'].map((p) => decide('pod:kube-system:k8s-app=kube-dns', p as 'UDP'))).toEqual(['allowed', 'allowed']);
    expect([decide('pod:kube-system:k8s-app=other', 'UDP'), decide('pod:shop:k8s-app=kube-dns', 'UDP'), decide('cidr:198.51.100.53', 'UDP'),
      decide('cidr:198.51.100.53', 'TCP')]).toEqual(['denied', 'denied', 'denied', 'denied']);
  });
});
