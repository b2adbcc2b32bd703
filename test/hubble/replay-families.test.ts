// Replay of a capture from a dual-stack cluster: the IP families are inferred from the world identities the capture
// carries. Cilium gives world addresses the identities 9 (reserved:world-ipv4) and 10 (reserved:world-ipv6) only when the
// agent runs both IPv4 and IPv6: pkg/identity/numericidentity.go `ReservedIdentityWorldIPv4`/`ReservedIdentityWorldIPv6`;
// daemon/cmd `syncHostIPs.sync` upserts 0.0.0.0/0 with 9 and ::/0 with 10 when `EnableIPv4 && EnableIPv6`, both with
// `ReservedIdentityWorld` (2) otherwise; pkg/labels `getWorldLabel` gives CIDR identities the qualified labels likewise.
// The split came with cilium/cilium#22625 ("CIDR identities get either reserved:world-ipv4 or reserved:world-ipv6 labels
// in dual stack clusters", as #29958 puts it), in 1.15 (src/validate/sanitize-rules.ts: the agent's entities from 1.15).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runReplay } from '../../src/cli/replay';
import { CiliumVersion } from '../../src/core/cilium-version';
import { IpFamilies, PolicySet } from '../../src/engine';
import { FlowSource, Replay, ReplayReport, collectConnections, formatReplayTable, replayCapture } from '../../src/hubble';
import { HUBBLE_FIXTURES_DIR, HUBBLE_SAMPLES_DIR } from './support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-replayfam-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const V4_WORLD = '203.0.113.5';
const V6_WORLD = '2001:db8::5';

/** One egress policy per pod of namespace `app`: `app=<name>` may reach 443/TCP of `peer`. */
function policy(name: string, peer: string): string {
  return ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', `metadata: { name: ${name}, namespace: app }`, 'spec:',
    `  endpointSelector: { matchLabels: { app: ${name} } }`, '  egress:', `    - ${peer}`, '      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]', ''].join('\n');
}
const POLICIES = [
  policy('v4', 'toCIDR: ["0.0.0.0/0"]'),
  policy('v6', 'toCIDR: ["::/0"]'),
  policy('world', 'toEntities: [world]'),
  policy('set6', 'toCIDRSet: [{ cidr: "::/0" }]'),
].join('---\n');
const APPS = ['v4', 'v6', 'world', 'set6'];

interface End {
  readonly identity?: number;
  readonly labels: string[];
}

/** An egress record (FORWARDED) of pod `app=<app>` to `dst`. */
function record(line: number, app: string, dst: string, world: End): string {
  const v6 = dst.includes(':');
  const pod = {
    ID: 100 + APPS.indexOf(app), identity: 40000 + APPS.indexOf(app), namespace: 'app', pod_name: `${app}-0`,
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'],
  };
  return JSON.stringify({
    flow: {
      time: `2026-12-04T10:00:${String(line).padStart(2, '0')}Z`, verdict: 'FORWARDED',
      IP: { source: v6 ? `fd00::${APPS.indexOf(app) + 10}` : `10.0.1.${APPS.indexOf(app) + 10}`, destination: dst, ipVersion: v6 ? 'IPv6' : 'IPv4' },
      l4: { TCP: { source_port: 40000 + line, destination_port: 443, flags: { SYN: true } } },
      source: pod, destination: world, Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'EGRESS', is_reply: false,
    },
  });
}

/** Every pod to the IPv4 and the IPv6 world address, the ends as `v4End`/`v6End` give them. */
function capture(v4End: End, v6End: End): string {
  const lines: string[] = [];
  for (const app of APPS) {
    lines.push(record(lines.length + 1, app, V4_WORLD, v4End));
    lines.push(record(lines.length + 1, app, V6_WORLD, v6End));
  }
  return `${lines.join('\n')}\n`;
}
const DUAL_STACK = capture({ identity: 9, labels: ['reserved:world-ipv4'] }, { identity: 10, labels: ['reserved:world-ipv6'] });
/** The same traffic seen in a single-stack cluster (identity 2 for both families: not a real IPv4-only cluster, which carries no IPv6). */
const SINGLE_STACK = capture({ identity: 2, labels: ['reserved:world'] }, { identity: 2, labels: ['reserved:world'] });

const collect = (text: string): ReturnType<typeof collectConnections> => collectConnections(FlowSource._bytes(Buffer.from(text), 'dual.jsonl'));
// toCIDRSet of the other family's /0 selects every world address in a single-stack 1.17-1.18 cluster (CIDRRuleSlice.GetAsEndpointSelectors).
const V1_18 = CiliumVersion.parse('1.18');
const set = (ipFamilies?: IpFamilies): PolicySet => PolicySet.fromYaml(POLICIES, { ciliumVersion: V1_18, ...(ipFamilies ? { ipFamilies } : {}) });

/** `pod → destination: verdict | egress reason` per connection, sorted. */
function verdicts(report: ReplayReport): string[] {
  return report.connections.map((c) => `${c.source.replace(/^pod:app:app=([^,]*).*$/, '$1')} → ${c.destination}: ${c.predicted.verdict} | ${c.predicted.reason}`).sort();
}

describe('the IP families a capture shows', () => {
  test('world identities 9 and 10 are the sign of a dual-stack cluster (the first one, with its line)', async () => {
    const c = await collect(DUAL_STACK);
    expect(c.dualStackEvidence).toBe('identity 9 (reserved:world-ipv4) at line 1');
    expect(Replay.inferIpFamilies(c)).toBe(IpFamilies.DUAL);
  });

  test('the label alone: a CIDR identity of a dual-stack cluster carries reserved:world-ipv6 in place of reserved:world', async () => {
    const c = await collect(capture({ labels: ['reserved:world'] }, { identity: 16777217, labels: ['cidr:2001:db8::/64', 'reserved:world-ipv6'] }));
    expect(c.dualStackEvidence).toBe('the label reserved:world-ipv6 (identity 16777217) at line 2');
    expect(Replay.inferIpFamilies(c)).toBe(IpFamilies.DUAL);
  });

  test('identity 2 (reserved:world) tells nothing: no sign, nothing inferred', async () => {
    const c = await collect(SINGLE_STACK);
    expect(c.dualStackEvidence).toBeUndefined();
    expect(Replay.inferIpFamilies(c)).toBeUndefined();
  });

  test.each(readdirSync(HUBBLE_SAMPLES_DIR).filter((f) => f.endsWith('.jsonl')).sort())('the real sample %s (single-stack) shows none', async (f) => {
    const c = await collectConnections(FlowSource.file(join(HUBBLE_SAMPLES_DIR, f)));
    expect(c.dualStackEvidence).toBeUndefined();
  });
});

describe('replaying a dual-stack capture', () => {
  // By hand, from Cilium: in a dual-stack cluster 203.0.113.5 is reserved:world-ipv4 (identity 9) and 2001:db8::5
  // reserved:world-ipv6 (10); toCIDR 0.0.0.0/0 selects world-ipv4 only, ::/0 world-ipv6 only, toEntities world both
  // (EntitySelectorMapping), and a 1.18 toCIDRSet ::/0 world-ipv6 only (dual-stack: GetAsEndpointSelectors keeps the family).
  const RIGHT = [
    `set6 → cidr:${V4_WORLD}: denied | egress at pod:app:app=set6: default deny: 1 rule with egress rules selects pod:app:app=set6 and none allows cidr:${V4_WORLD} on 443/TCP`,
    `set6 → cidr:${V6_WORLD}: allowed | egress: allowed by CiliumNetworkPolicy app/set6 spec.egress[0]`,
    `v4 → cidr:${V4_WORLD}: allowed | egress: allowed by CiliumNetworkPolicy app/v4 spec.egress[0]`,
    `v4 → cidr:${V6_WORLD}: denied | egress at pod:app:app=v4: default deny: 1 rule with egress rules selects pod:app:app=v4 and none allows cidr:${V6_WORLD} on 443/TCP`,
    `v6 → cidr:${V4_WORLD}: denied | egress at pod:app:app=v6: default deny: 1 rule with egress rules selects pod:app:app=v6 and none allows cidr:${V4_WORLD} on 443/TCP`,
    `v6 → cidr:${V6_WORLD}: allowed | egress: allowed by CiliumNetworkPolicy app/v6 spec.egress[0]`,
    `world → cidr:${V4_WORLD}: allowed | egress: allowed by CiliumNetworkPolicy app/world spec.egress[0]`,
    `world → cidr:${V6_WORLD}: allowed | egress: allowed by CiliumNetworkPolicy app/world spec.egress[0]`,
  ].sort();

  test('judged dual-stack: every verdict as Cilium decides it, no warning about the families', async () => {
    const report = replayCapture(await collect(DUAL_STACK), set(IpFamilies.DUAL));
    expect(verdicts(report)).toEqual(RIGHT);
    expect(report.ipFamilies).toEqual({ judged: 'dual', source: 'policy-set', dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1' });
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
    // The near misses name the dual-stack world labels.
    const v6ToV4 = report.connections.find((c) => c.source.startsWith('pod:app:app=v6') && c.destination === `cidr:${V4_WORLD}`);
    expect(v6ToV4?.predicted.egress.notes[0]).toBe('::/0 is the IPv6 world: it selects reserved:world-ipv6; this peer is an IPv4 address (reserved:world-ipv4), '
      + 'which 0.0.0.0/0 selects');
  });

  test('judged IPv4-only (what replay did before): the toCIDRSet ::/0 verdicts are wrong, the IPv6 flows not judged (the flag named); a warning says so', async () => {
    const report = replayCapture(await collect(DUAL_STACK), set());
    const got = verdicts(report);
    // toCIDR 0.0.0.0/0 and toEntities world: the same verdicts for the IPv4 address.
    expect(got.filter((l) => !l.startsWith('set6'))).toEqual(RIGHT.filter((l) => !l.startsWith('set6') && !l.includes(V6_WORLD)));
    // 1.18 toCIDRSet ::/0 in a single-stack cluster is reserved:world: it allows the IPv4 address.
    expect(got.filter((l) => l.startsWith('set6'))).toEqual([`set6 → cidr:${V4_WORLD}: allowed | egress: allowed by CiliumNetworkPolicy app/set6 spec.egress[0]`]);
    // Session 44 review: an IPv6 flow is no packet of an IPv4-only cluster (engine-query): not judged, the error names the
    // flag (before: judged, `::/0` allowing it as reserved:world-ipv6).
    expect(report.errors.length).toBe(4);
    for (const e of report.errors) {
      expect(e.message).toContain(`the IPv6 address ${V6_WORLD}: no such packet, this cluster runs IPv4 only (--ip-families ipv4`);
      expect(e.message).toContain('fix: if the cluster runs both families, say so: --ip-families dual');
    }
    const v6ToV4 = report.connections.find((c) => c.source.startsWith('pod:app:app=v6') && c.destination === `cidr:${V4_WORLD}`);
    expect(v6ToV4?.predicted.egress.notes[0]).toMatch(/which no address of an IPv4-only cluster has; this peer is an IPv4 address \(reserved:world\)/);
    expect(report.ipFamilies).toEqual({ judged: 'ipv4', source: 'policy-set', dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1' });
    // One warning: the dual-stack one (not also the one about IPv6 addresses).
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([
      'the capture comes from a dual-stack cluster (identity 9 (reserved:world-ipv4) at line 1: the agent gives world addresses the identities 9 and 10 '
      + 'only when it runs both IPv4 and IPv6), but the policies are judged for --ip-families ipv4: world addresses, /0 rules and the world entities '
      + 'are judged for the wrong IP families; replay with --ip-families dual (or leave it out to infer it)',
    ]);
  });

  test('a single-stack capture with IPv6 addresses keeps the warning about the IP families it holds', async () => {
    const report = replayCapture(await collect(SINGLE_STACK), set());
    expect(report.ipFamilies).toEqual({ judged: 'ipv4', source: 'policy-set' });
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([expect.stringMatching(/^the capture holds IPv6 addresses \(2001:db8::5\)/)]);
  });
});

describe('an IPv4-mapped address in a capture is IPv4 (the packet Cilium judged)', () => {
  const MAPPED = `::ffff:${V4_WORLD}`;
  const text = `${APPS.map((app, i) => record(i + 1, app, MAPPED, { identity: 2, labels: ['reserved:world'] })).join('\n')}\n`;

  test('judged IPv4-only: no warning about IPv6 addresses; 0.0.0.0/0 and world allow it, ::/0 does not', async () => {
    const report = replayCapture(await collect(text), set());
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
    const got = Object.fromEntries(report.connections.map((c) => [c.source.replace(/^pod:app:app=/, '').replace(/,.*$/, ''), c.predicted.verdict]));
    expect(got).toEqual({ v4: 'allowed', v6: 'denied', world: 'allowed', set6: 'allowed' });
  });
});

describe('cdk8s-cilium replay infers the IP families', () => {
  const files = (text: string): { flows: string; policies: string } => {
    const dir = mkdtempSync(join(scratch, 'run-'));
    writeFileSync(join(dir, 'flows.jsonl'), text);
    writeFileSync(join(dir, 'policies.yaml'), POLICIES);
    return { flows: join(dir, 'flows.jsonl'), policies: join(dir, 'policies.yaml') };
  };
  const run = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const out = { code: -1, stdout: '', stderr: '' };
    out.code = await runReplay(argv, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
    return out;
  };

  test('without --ip-families: dual-stack from identities 9/10, judged so; the JSON field and the note say so', async () => {
    const f = files(DUAL_STACK);
    const json = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--output', 'json', '--fail-on', 'none']);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as ReplayReport;
    expect(report.ipFamilies).toEqual({ judged: 'dual', source: 'inferred', dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1' });
    const set6 = report.connections.filter((c) => c.source.startsWith('pod:app:app=set6')).map((c) => `${c.destination} ${c.predicted.verdict} ${c.change}`).sort();
    expect(set6).toEqual([`cidr:${V4_WORLD} denied newly-dropped`, `cidr:${V6_WORLD} allowed unchanged`].sort());
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
    const table = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--fail-on', 'none']);
    expect(table.stdout.split('\n')[2]).toBe('  note: judged for a dual-stack cluster (--ip-families dual), inferred from the capture: '
      + 'identity 9 (reserved:world-ipv4) at line 1; --ip-families overrides');
  });

  test('--ip-families ipv4 wins over the capture: judged as given, with the warning', async () => {
    const f = files(DUAL_STACK);
    const r = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--output', 'json', '--fail-on', 'none', '--ip-families', 'ipv4']);
    const report = JSON.parse(r.stdout) as ReplayReport;
    expect(report.ipFamilies).toEqual({ judged: 'ipv4', source: 'given', dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1' });
    const set6 = report.connections.filter((c) => c.source.startsWith('pod:app:app=set6')).map((c) => `${c.destination} ${c.predicted.verdict}`).sort();
    // The IPv6 flow is no packet of an IPv4-only cluster: not judged, the error names --ip-families dual.
    expect(set6).toEqual([`cidr:${V4_WORLD} allowed`]);
    expect(report.errors.filter((e) => e.connection.includes('set6')).map((e) => e.message)).toEqual([expect.stringContaining('--ip-families dual')]);
    expect(report.warnings).toContainEqual(expect.stringMatching(/^the capture comes from a dual-stack cluster .* judged for --ip-families ipv4/));
    const table = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--fail-on', 'none', '--ip-families', 'ipv4']);
    expect(table.stdout).not.toMatch(/note: judged for a dual-stack/);
  });

  test('--ip-families dual given: source given, no warning, no note', async () => {
    const f = files(DUAL_STACK);
    const r = await run(['--flows', f.flows, '--policies', f.policies, '--output', 'json', '--fail-on', 'none', '--ip-families', 'dual']);
    const report = JSON.parse(r.stdout) as ReplayReport;
    expect(report.ipFamilies).toEqual({ judged: 'dual', source: 'given', dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1' });
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
  });

  test('identities 9/10 under --cilium-version 1.14: the capture is from 1.15 or later (the split came with 1.15), a warning says so', async () => {
    const f = files(DUAL_STACK);
    const args = ['--flows', f.flows, '--policies', f.policies, '--output', 'json', '--fail-on', 'none'];
    const old = JSON.parse((await run([...args, '--cilium-version', '1.14'])).stdout) as ReplayReport;
    expect(old.warnings.filter((w) => /1\.15/.test(w))).toEqual([
      'the capture comes from Cilium 1.15 or later (identity 9 (reserved:world-ipv4) at line 1: the world identities 9 and 10 came with 1.15), but the '
      + 'policies are judged for Cilium 1.14: verdicts follow that version\'s rules; replay with the cluster\'s --cilium-version',
    ]);
    for (const version of ['1.15', '1.19']) {
      const report = JSON.parse((await run([...args, '--cilium-version', version])).stdout) as ReplayReport;
      expect(report.warnings.filter((w) => /1\.15/.test(w))).toEqual([]);
    }
    // Identity 2 (reserved:world) is what 1.14 gives: no warning.
    const single = files(SINGLE_STACK);
    const r = JSON.parse((await run(['--flows', single.flows, '--policies', single.policies, '--output', 'json', '--fail-on', 'none', '--cilium-version', '1.14'])).stdout) as ReplayReport;
    expect(r.warnings.filter((w) => /1\.15/.test(w))).toEqual([]);
  });

  test('an IPv4-only capture (the shop) is judged as before: ipv4 by default, no note', async () => {
    const args = ['--flows', join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), '--policies', join(HUBBLE_FIXTURES_DIR, 'shop-policies.yaml'), '--fail-on', 'none'];
    const report = JSON.parse((await run([...args, '--output', 'json'])).stdout) as ReplayReport;
    expect(report.ipFamilies).toEqual({ judged: 'ipv4', source: 'default' });
    const table = await run(args);
    expect(table.stdout).not.toMatch(/note: judged/);
    expect(formatReplayTable(report)).not.toMatch(/note: judged/);
  });
});
