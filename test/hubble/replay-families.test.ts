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
import { runDiff } from '../../src/cli/diff';
import { runReplay } from '../../src/cli/replay';
import { runReport } from '../../src/cli/report';
import { CiliumVersion } from '../../src/core/cilium-version';
import { addressPacketFamily } from '../../src/model/cidr';
import { IpFamilies, PolicySet } from '../../src/engine';
import { captureIpFamilies } from '../../src/hubble/capture-families';
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
  // An IPv4-mapped destination travels in an IPv4 packet (`unmapIp`), from the pod's IPv4 address.
  const v6 = dst.includes(':') && !dst.startsWith('::ffff:');
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
/**
 * The same traffic with identity 2 (reserved:world) for both families: what a dual-stack cluster before 1.15 records (the
 * world identities 9/10 came with 1.15); no IPv4-only cluster carries the IPv6 packets.
 */
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
    const c = await collect(capture({ identity: 16777218, labels: ['cidr:203.0.113.0/24', 'reserved:world-ipv4'] },
      { identity: 16777217, labels: ['cidr:2001:db8::/64', 'reserved:world-ipv6'] }));
    expect(c.dualStackEvidence).toBe('the label reserved:world-ipv4 (identity 16777218) at line 1');
    expect(Replay.inferIpFamilies(c)).toBe(IpFamilies.DUAL);
  });

  test('identity 2 (reserved:world) before 1.15 is no sign, and packets of both families are: dual, inferred from them', async () => {
    const c = await collect(SINGLE_STACK);
    expect(c.dualStackEvidence).toBeUndefined();
    expect(c.singleStackEvidence).toBe('identity 2 (reserved:world) at line 1');
    // Before session 45: undefined (only identities 9/10 counted), so a 1.14 dual-stack capture was judged IPv4-only.
    expect(captureIpFamilies(c, CiliumVersion.V1_14)).toEqual({ ipFamilies: IpFamilies.DUAL, basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2' });
  });

  // From 1.15 the agent gives the world identity 2 only in a single-stack cluster (daemon/cmd/hostips-sync.go
  // syncHostIPs.sync): with packets of one family it tells that family alone; with packets of both it contradicts them.
  test.each(['1.15', '1.18', '1.19'])('identity 2 at %s: single stack; with packets of both families a contradiction, never dual', async (v) => {
    const version = CiliumVersion.parse(v);
    // Before: dual, and the IPv4 peers called reserved:world-ipv4 against their recorded identity 2.
    const both = captureIpFamilies(await collect(SINGLE_STACK), version);
    expect([both.ipFamilies, both.contradiction]).toEqual([undefined, 'the world identity of a single-stack cluster from Cilium 1.15 on: '
      + 'identity 2 (reserved:world) at line 1, and IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2']);
    const v4 = `${APPS.map((app, i) => record(i + 1, app, V4_WORLD, { identity: 2, labels: ['reserved:world'] })).join('\n')}\n`;
    const v6 = `${APPS.map((app, i) => record(i + 1, app, V6_WORLD, { identity: 2, labels: ['reserved:world'] })).join('\n')}\n`;
    expect(captureIpFamilies(await collect(v4), version).ipFamilies).toBe(IpFamilies.IPV4);
    expect(captureIpFamilies(await collect(v6), version).ipFamilies).toBe(IpFamilies.IPV6);
    // Identity 2 with 9/10 in one capture: a contradiction too.
    const mixed = capture({ identity: 2, labels: ['reserved:world'] }, { identity: 10, labels: ['reserved:world-ipv6'] });
    expect(captureIpFamilies(await collect(mixed), version).contradiction).toMatch(/^a world identity of a dual-stack cluster \(identity 10/);
  });

  test('the packet family of an address: IPv4-mapped is IPv4; IPv6 link-local (fe80::/10), multicast and unspecified are link-scoped', () => {
    const cases = ['10.0.0.1', '::ffff:10.0.0.1', 'fd00::1', '2001:db8::1', 'fe80::1', 'febf:ffff::1', 'fec0::1', 'ff02::2', '::', 'not an address'];
    expect(Object.fromEntries(cases.map((a) => [a, addressPacketFamily(a)]))).toEqual({
      '10.0.0.1': 4, '::ffff:10.0.0.1': 4, 'fd00::1': 6, '2001:db8::1': 6, 'fe80::1': 'link-scoped', 'febf:ffff::1': 'link-scoped', 'fec0::1': 6,
      'ff02::2': 'link-scoped', '::': 'link-scoped', 'not an address': undefined,
    });
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
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([expect.stringMatching(/^the capture holds IPv6 addresses \(fd00::10 at line 2\)/)]);
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
    expect(report.ipFamilies).toEqual({
      judged: 'dual', source: 'inferred', dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1',
      basis: 'a world identity of a dual-stack cluster: identity 9 (reserved:world-ipv4) at line 1',
    });
    const set6 = report.connections.filter((c) => c.source.startsWith('pod:app:app=set6')).map((c) => `${c.destination} ${c.predicted.verdict} ${c.change}`).sort();
    expect(set6).toEqual([`cidr:${V4_WORLD} denied newly-dropped`, `cidr:${V6_WORLD} allowed unchanged`].sort());
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
    const table = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--fail-on', 'none']);
    expect(table.stdout.split('\n')[2]).toBe('  IP families: dual (inferred from the capture: a world identity of a dual-stack cluster: '
      + 'identity 9 (reserved:world-ipv4) at line 1; --ip-families overrides)');
  });

  test('--ip-families ipv4 wins over the capture: judged as given, with the warning', async () => {
    const f = files(DUAL_STACK);
    const r = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--output', 'json', '--fail-on', 'none', '--ip-families', 'ipv4']);
    const report = JSON.parse(r.stdout) as ReplayReport;
    expect(report.ipFamilies).toEqual({
      judged: 'ipv4', source: 'given', basis: 'a world identity of a dual-stack cluster: identity 9 (reserved:world-ipv4) at line 1',
      dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1',
    });
    const set6 = report.connections.filter((c) => c.source.startsWith('pod:app:app=set6')).map((c) => `${c.destination} ${c.predicted.verdict}`).sort();
    // The IPv6 flow is no packet of an IPv4-only cluster: not judged, the error names --ip-families dual.
    expect(set6).toEqual([`cidr:${V4_WORLD} allowed`]);
    expect(report.errors.filter((e) => e.connection.includes('set6')).map((e) => e.message)).toEqual([expect.stringContaining('--ip-families dual')]);
    expect(report.warnings).toContainEqual(expect.stringMatching(/^the capture comes from a dual-stack cluster .* judged for --ip-families ipv4/));
    const table = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--fail-on', 'none', '--ip-families', 'ipv4']);
    expect(table.stdout.split('\n')[2]).toBe('  IP families: ipv4 (as given: --ip-families)');
  });

  test('--ip-families dual given: source given, no warning, no note', async () => {
    const f = files(DUAL_STACK);
    const r = await run(['--flows', f.flows, '--policies', f.policies, '--output', 'json', '--fail-on', 'none', '--ip-families', 'dual']);
    const report = JSON.parse(r.stdout) as ReplayReport;
    // The basis is there whenever a capture was read (before: missing when the flag was given).
    expect(report.ipFamilies).toEqual({
      judged: 'dual', source: 'given', basis: 'a world identity of a dual-stack cluster: identity 9 (reserved:world-ipv4) at line 1',
      dualStackEvidence: 'identity 9 (reserved:world-ipv4) at line 1',
    });
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

  // The shop's world ends carry identity 2: at 1.19 (the default) a single-stack cluster's, with IPv4 packets.
  const SHOP_BASIS = 'the world identity of a single-stack cluster from Cilium 1.15 on (judged for Cilium 1.19, the default: no version given or annotated on the policies): identity 2 (reserved:world) at line 1, and IPv4 packets: 203.0.113.10 at line 1';
  test('an IPv4-only capture (the shop) is judged as before, ipv4 inferred from identity 2 and its packets: the same report as --ip-families ipv4', async () => {
    const args = ['--flows', join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), '--policies', join(HUBBLE_FIXTURES_DIR, 'shop-policies.yaml'), '--fail-on', 'none'];
    const report = JSON.parse((await run([...args, '--output', 'json'])).stdout) as ReplayReport;
    expect(report.ipFamilies).toEqual({ judged: 'ipv4', source: 'inferred', basis: SHOP_BASIS });
    const given = JSON.parse((await run([...args, '--output', 'json', '--ip-families', 'ipv4'])).stdout) as ReplayReport;
    expect({ ...report, ipFamilies: undefined }).toEqual({ ...given, ipFamilies: undefined });
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
    const table = await run(args);
    expect(table.stdout.split('\n')[3]).toBe(`  IP families: ipv4 (inferred from the capture: ${SHOP_BASIS}; --ip-families overrides)`);
    expect(formatReplayTable(report)).toContain(`\n  IP families: ipv4 (inferred from the capture: ${SHOP_BASIS};`);
  });
});

describe('the IP families inferred from the packets, without world identities 9/10', () => {
  // Session 45: a capture without identities 9/10 (a dual-stack cluster before 1.15, or no world traffic) was judged
  // IPv4-only unless --ip-families was given, so its IPv6 and ICMPv6 flows came out NOT JUDGED (exit 1). An agent
  // without IPv6 drops IPv6 before any policy (bpf_lxc.c, DROP_UNKNOWN_L3: a non-policy drop the reader skips), so a
  // packet policy decided shows its family runs; the families are now inferred from them.
  const POD = (app: string, n: number): object => ({
    ID: 200 + n, identity: 50000 + n, namespace: 'app', pod_name: `${app}-0`,
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'],
  });
  /** An ingress record (FORWARDED) of pod app=client to pod app=server. */
  const podRecord = (line: number, src: string, dst: string, l4: object): string => JSON.stringify({
    flow: {
      time: `2026-12-04T11:00:${String(line).padStart(2, '0')}Z`, verdict: 'FORWARDED',
      IP: { source: src, destination: dst, ipVersion: src.includes(':') ? 'IPv6' : 'IPv4' }, l4,
      source: POD('client', 0), destination: POD('server', 1), Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'INGRESS', is_reply: false,
    },
  });
  const tcp = (port: number): object => ({ TCP: { source_port: 41000 + port, destination_port: port, flags: { SYN: true } } });
  // app=server admits app=client on 8080/TCP and to ICMPv6 echo requests.
  const SERVER = ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: { name: server, namespace: app }', 'spec:',
    '  endpointSelector: { matchLabels: { app: server } }', '  ingress:', '    - fromEndpoints: [{ matchLabels: { app: client } }]',
    '      toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]', '    - fromEndpoints: [{ matchLabels: { app: client } }]',
    '      icmps: [{ fields: [{ type: 128, family: IPv6 }] }]', ''].join('\n');
  // Pod to pod over both families, no world traffic at all.
  const DUAL_PODS = `${[
    podRecord(1, '10.0.1.10', '10.0.1.11', tcp(8080)),
    podRecord(2, 'fd00::10', 'fd00::11', { ICMPv6: { type: 128 } }),
    podRecord(3, '10.0.1.10', '10.0.1.11', { ICMPv4: { type: 8 } }),
    podRecord(4, 'fd00::10', 'fd00::11', tcp(9090)),
  ].join('\n')}\n`;
  // Neighbour discovery: a router solicitation from the pod's link-local address to all routers.
  const ND = (line: number): string => podRecord(line, 'fe80::10', 'ff02::2', { ICMPv6: { type: 133 } });

  const files = (flows: string, policies: string): { flows: string; policies: string } => {
    const dir = mkdtempSync(join(scratch, 'infer-'));
    writeFileSync(join(dir, 'flows.jsonl'), flows);
    writeFileSync(join(dir, 'policies.yaml'), policies);
    return { flows: join(dir, 'flows.jsonl'), policies: join(dir, 'policies.yaml') };
  };
  const run = async (argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const out = { code: -1, stdout: '', stderr: '' };
    out.code = await runReplay(argv, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
    return out;
  };
  const replayJson = async (f: { flows: string; policies: string }, ...args: string[]): Promise<ReplayReport> =>
    JSON.parse((await run(['--flows', f.flows, '--policies', f.policies, '--output', 'json', '--fail-on', 'none', ...args])).stdout) as ReplayReport;
  /** `connection: verdict` per connection, sorted. */
  const table = (report: ReplayReport): string[] => report.connections.map((c) => `${c.connection}: ${c.predicted.verdict}`).sort();

  test('pods over IPv4 and IPv6, no world traffic: dual inferred from the packets; the ICMPv6 flow judged by the icmps rule', async () => {
    const f = files(DUAL_PODS, SERVER);
    const report = await replayJson(f, '--cilium-version', '1.18');
    expect(report.ipFamilies).toEqual({ judged: 'dual', source: 'inferred', basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2' });
    // Before: icmpv6/128 not judged (ICMPv6: no such packet, this cluster runs IPv4 only), exit 1.
    expect(report.errors).toEqual([]);
    expect(table(report)).toEqual(['8080/TCP: allowed', '9090/TCP: denied', 'icmp/8: denied', 'icmpv6/128: allowed']);
    const echo = report.connections.find((c) => c.connection === 'icmpv6/128')?.predicted.ingress;
    expect([echo?.decision, echo?.rule?.path]).toEqual(['allowed', 'spec.ingress[1]']);
    expect(report.warnings.filter((w) => /IP famil|dual-stack/.test(w))).toEqual([]);
    const text = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--fail-on', 'none']);
    expect(text.stdout.split('\n')[2]).toBe('  IP families: dual (inferred from the capture: IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2; '
      + '--ip-families overrides)');
  });

  test('a dual-stack capture of Cilium 1.14 (identity 2 for both families): dual inferred, the IPv6 world flows judged as 1.14 does', async () => {
    const f = files(SINGLE_STACK, POLICIES);
    const report = await replayJson(f, '--cilium-version', '1.14');
    expect(report.ipFamilies).toEqual({ judged: 'dual', source: 'inferred', basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2' });
    // Before: the four flows to 2001:db8::5 not judged. In 1.14 a /0 is reserved:world whatever its family
    // (pkg/policy/api CIDRSlice.GetAsEndpointSelectors), which holds every world address: every flow allowed.
    expect(report.errors).toEqual([]);
    expect(verdicts(report).map((l) => l.replace(/ \| .*$/, ''))).toEqual(APPS.flatMap((a) => [
      `${a} → cidr:${V4_WORLD}: allowed`, `${a} → cidr:${V6_WORLD}: allowed`]).sort());
  });

  test('IPv6 packets only: ipv6 inferred; 0.0.0.0/0 does not reach the IPv6 world, ::/0 and world do', async () => {
    const v6only = `${APPS.map((app, i) => record(i + 1, app, V6_WORLD, { identity: 2, labels: ['reserved:world'] })).join('\n')}\n`;
    const report = await replayJson(files(v6only, POLICIES), '--cilium-version', '1.18');
    expect(report.ipFamilies).toEqual({ judged: 'ipv6', source: 'inferred', basis: 'the world identity of a single-stack cluster from Cilium 1.15 on: '
      + 'identity 2 (reserved:world) at line 1, and IPv6 packets: fd00::10 at line 1' });
    // Before: judged IPv4-only, every flow not judged.
    expect(report.errors).toEqual([]);
    expect(verdicts(report).map((l) => l.replace(/ \| .*$/, ''))).toEqual([
      `set6 → cidr:${V6_WORLD}: allowed`, `v4 → cidr:${V6_WORLD}: denied`, `v6 → cidr:${V6_WORLD}: allowed`, `world → cidr:${V6_WORLD}: allowed`,
    ]);
  });

  test('IPv4 packets and IPv6 neighbour discovery (link-local, multicast): ipv4, not dual; the ND flow not judged, its error names the flag', async () => {
    const v4 = APPS.map((app, i) => record(i + 1, app, V4_WORLD, { identity: 2, labels: ['reserved:world'] }));
    const f = files(`${[...v4, ND(5)].join('\n')}\n`, POLICIES);
    const report = await replayJson(f, '--cilium-version', '1.18');
    expect(report.ipFamilies).toEqual({
      judged: 'ipv4', source: 'inferred', basis: 'the world identity of a single-stack cluster from Cilium 1.15 on: identity 2 (reserved:world) at line 1, '
        + 'and IPv4 packets: 10.0.1.10 at line 1; IPv6 link-local and multicast addresses (fe80::10 at line 5) '
        + 'do not count: every pod\'s kernel uses them for neighbour discovery',
    });
    // Judged IPv4-only: the 1.18 toCIDRSet ::/0 of a single-stack cluster is reserved:world, which allows the IPv4 address
    // (dual-stack would deny it: ::/0 is then reserved:world-ipv6 only).
    expect(report.connections.find((c) => c.source.startsWith('pod:app:app=set6'))?.predicted.verdict).toBe('allowed');
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^ICMPv6: no such packet, this cluster runs IPv4 only .*--ip-families dual/)]);
  });

  test('no packet that tells the families (neighbour discovery only): the default ipv4, and the report says the capture could not tell', async () => {
    const f = files(`${ND(1)}\n`, SERVER);
    const r = await run(['--flows', f.flows, '--policies', f.policies]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not be judged .*ICMPv6: no such packet, this cluster runs IPv4 only .*--ip-families dual/);
    expect(r.stdout.split('\n')[2]).toBe('  IP families: ipv4 (the default, as the capture cannot tell them: no packet that policy decides at an endpoint has an address that '
      + 'tells the IP families; IPv6 link-local and multicast addresses (fe80::10 at line 1) do not count: every pod\'s kernel uses them for neighbour '
      + 'discovery; --ip-families sets them)');
    const json = await replayJson(f);
    expect(json.ipFamilies).toMatchObject({
      judged: 'ipv4', source: 'default', basis: 'no packet that policy decides at an endpoint has an address that tells the IP families; IPv6 link-local and multicast '
        + 'addresses (fe80::10 at line 1) do not count: every pod\'s kernel uses them for neighbour discovery',
    });
    // The default is a guess: the JSON says so (not stderr only), and the report's warnings too.
    expect(json.ipFamilies.warning).toMatch(/^judged for --ip-families ipv4, but the capture cannot tell whether the cluster also runs IPv6 .*give --ip-families ipv4 or dual/);
    expect(json.warnings).toContain(json.ipFamilies.warning);
  });

  // Session 45 review: no packet proves a family off. Replay judges only the flows captured: IPv6 pod-to-pod packets
  // without a world end are judged for ipv6, called assumed (not inferred), with a warning in the JSON and the table.
  test('IPv6 pod-to-pod packets only: ipv6 assumed, not inferred; the warning names --ip-families; the flows judged', async () => {
    const f = files(`${podRecord(1, 'fd00::10', 'fd00::11', tcp(8080))}\n`, SERVER);
    const report = await replayJson(f, '--cilium-version', '1.18');
    // Before: { judged: 'ipv6', source: 'inferred', basis: 'IPv6 packets only: fd00::10 at line 1' }, no warning.
    expect(report.ipFamilies).toMatchObject({ judged: 'ipv6', source: 'assumed' });
    expect(report.ipFamilies.warning).toMatch(/^judged for --ip-families ipv6, but the capture cannot tell whether the cluster also runs IPv4 .*give --ip-families ipv6 or dual/);
    expect(report.warnings).toContain(report.ipFamilies.warning);
    expect(table(report)).toEqual(['8080/TCP: allowed']);
    const text = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18', '--fail-on', 'none']);
    expect(text.stdout.split('\n')[2]).toMatch(/^ {2}IP families: ipv6 \(assumed, as the capture cannot tell them: IPv6 packets only: fd00::10 at line 1, and nothing tells/);
  });

  test('replay of identity 2 with packets of both families at 1.18: refused as a contradiction (exit 2), never judged dual', async () => {
    const f = files(SINGLE_STACK, POLICIES);
    const r = await run(['--flows', f.flows, '--policies', f.policies, '--cilium-version', '1.18']);
    // Before: judged dual, 203.0.113.5 called reserved:world-ipv4 against its recorded identity 2.
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^error: the capture contradicts itself on the cluster's IP families: .*identity 2 \(reserved:world\) at line 1.*\(cli-ip-families\)/);
    // Given, it is judged as given.
    expect((await replayJson(f, '--cilium-version', '1.18', '--ip-families', 'dual')).ipFamilies).toMatchObject({ judged: 'dual', source: 'given' });
  });

  test('--ip-families wins over the packets; one the capture contradicts is a warning naming what it shows', async () => {
    const f = files(DUAL_PODS, SERVER);
    const given = await replayJson(f, '--cilium-version', '1.18', '--ip-families', 'ipv4');
    expect(given.ipFamilies).toEqual({ judged: 'ipv4', source: 'given', basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2' });
    expect(given.errors.map((e) => `${e.connection}: ${e.message}`)).toEqual([expect.stringMatching(/icmpv6\/128: ICMPv6: no such packet, .*--ip-families dual/)]);
    expect(given.warnings.filter((w) => /IP famil/.test(w))).toEqual([
      'the capture holds IPv6 addresses (fd00::10 at line 2), which the cluster the policies are judged for does not carry (--ip-families ipv4): world '
      + 'identities and /0 rules are judged for the wrong IP families; replay with --ip-families dual (or leave it out to infer it from the capture: '
      + 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2)',
    ]);
    // Given as the capture shows: no warning.
    const dual = await replayJson(f, '--cilium-version', '1.18', '--ip-families', 'dual');
    expect(dual.ipFamilies).toEqual({ judged: 'dual', source: 'given', basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2' });
    expect(dual.warnings.filter((w) => /IP famil/.test(w))).toEqual([]);
    expect(table(dual)).toEqual(['8080/TCP: allowed', '9090/TCP: denied', 'icmp/8: denied', 'icmpv6/128: allowed']);
  });

  test('report and diff --flows infer as replay does: the header and the JSON name the families and their source', async () => {
    const f = files(DUAL_PODS, SERVER);
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string): void => void (out.stdout += t), stderr: (t: string): void => void (out.stderr += t) };
    expect(await runReport(['--policies', f.policies, '--flows', f.flows, '--cilium-version', '1.18', '--output', 'json'], io)).toBe(0);
    const doc = JSON.parse(out.stdout) as { ipFamilies: unknown; connections: { from: string; to: string; ports: string[] }[] };
    expect(doc.ipFamilies).toEqual({ judged: 'dual', source: 'inferred', basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2' });
    // Judged dual-stack, the ICMPv6 echo the policy admits is a connection of the report (before: IPv4-only, none).
    const toServer = doc.connections.filter((c) => c.from === 'app/client' && c.to === 'app/server').flatMap((c) => c.ports);
    expect(toServer).toEqual(['8080/TCP', 'icmpv6/128']);
    out.stdout = '';
    expect(await runDiff(['--base', f.policies, '--head', f.policies, '--flows', f.flows, '--cilium-version', '1.18'], io)).toBe(0);
    expect(out.stdout.split('\n')[1]).toBe('IP families: dual (inferred from the capture: IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2; '
      + '--ip-families overrides)');
    expect(out.stderr).toBe('');
    const said = 'IP families: dual (inferred from the capture: IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2; --ip-families overrides)';
    for (const [output, expected] of [['markdown', `\n\n${said}\n`], ['html', `<p class="sources" id="ip-families">${said}</p>`]]) {
      out.stdout = '';
      expect(await runReport(['--policies', f.policies, '--flows', f.flows, '--cilium-version', '1.18', '--output', output], io)).toBe(0);
      expect(out.stdout, output).toContain(expected);
    }
  });
});

// Session 45 review: without --cilium-version the inference read the world identity 2 for the default 1.19 (single stack)
// while the engine judged the policies for the version they are annotated with; a 1.14 cluster gives 2 whatever the
// families, so a capture of IPv4 and IPv6 packets to identity 2 was refused as contradicting itself.
describe('the IP families are inferred for the version the policies are judged for (their annotation)', () => {
  const annotated = (version: string): string => POLICIES.replace(/metadata: \{ name: (\w+), namespace: app \}/g,
    `metadata: { name: $1, namespace: app, annotations: { cdk8s-cilium.io/cilium-version: "${version}" } }`);
  const world2: End = { identity: 2, labels: ['reserved:world'] };
  const files = (flows: string, policies: string): { flows: string; policies: string } => {
    const dir = mkdtempSync(join(scratch, 'annotated-'));
    writeFileSync(join(dir, 'flows.jsonl'), flows);
    writeFileSync(join(dir, 'policies.yaml'), policies);
    return { flows: join(dir, 'flows.jsonl'), policies: join(dir, 'policies.yaml') };
  };
  const dual = `${record(1, 'world', V4_WORLD, world2)}\n${record(2, 'world', V6_WORLD, world2)}\n`;
  const v4only = `${record(1, 'world', V4_WORLD, world2)}\n`;
  const io = (): { out: { stdout: string; stderr: string }; io: { stdout: (t: string) => void; stderr: (t: string) => void } } => {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) } };
  };
  const BASIS = 'IPv4 and IPv6 packets: 10.0.1.12 at line 1, fd00::12 at line 2';

  test('1.14 policies, identity 2 with IPv4 and IPv6 packets: judged dual by replay, report and diff (before: refused, judged for 1.19)', async () => {
    const f = files(dual, annotated('1.14'));
    const r = io();
    expect(await runReplay(['--flows', f.flows, '--policies', f.policies, '--output', 'json'], r.io)).toBe(0);
    const report = JSON.parse(r.out.stdout) as ReplayReport;
    expect(report.ciliumVersion).toBe('1.14');
    expect(report.ipFamilies).toMatchObject({ judged: 'dual', source: 'inferred', basis: BASIS });
    const rep = io();
    expect(await runReport(['--policies', f.policies, '--flows', f.flows, '--output', 'json'], rep.io)).toBe(0);
    expect((JSON.parse(rep.out.stdout) as { ipFamilies: unknown }).ipFamilies).toEqual({ judged: 'dual', source: 'inferred', basis: BASIS });
    const diff = io();
    expect(await runDiff(['--base', f.policies, '--head', f.policies, '--flows', f.flows, '--output', 'json'], diff.io)).toBe(0);
    expect((JSON.parse(diff.out.stdout) as { ipFamilies: unknown }).ipFamilies).toEqual({ judged: 'dual', source: 'inferred', basis: BASIS });
    // Unannotated, judged for the default 1.19: the contradiction is refused, and its basis says the version was the default.
    const plain = files(dual, POLICIES);
    const refused = io();
    expect(await runReplay(['--flows', plain.flows, '--policies', plain.policies], refused.io)).toBe(2);
    expect(refused.out.stderr).toContain('the world identity of a single-stack cluster from Cilium 1.15 on (judged for Cilium 1.19, the default: '
      + 'no version given or annotated on the policies): identity 2 (reserved:world) at line 1');
  });

  test('1.14 policies, identity 2 with IPv4 packets only: the capture cannot tell, the default ipv4 with the warning (before: inferred single stack)', async () => {
    const f = files(v4only, annotated('1.14'));
    const r = io();
    expect(await runReplay(['--flows', f.flows, '--policies', f.policies, '--output', 'json'], r.io)).toBe(0);
    const report = JSON.parse(r.out.stdout) as ReplayReport;
    expect(report.ipFamilies).toMatchObject({ judged: 'ipv4', source: 'default' });
    expect(report.ipFamilies.basis).toMatch(/^IPv4 packets only: 10\.0\.1\.12 at line 1, and nothing tells whether it also runs IPv6 \(the world identity 2 tells nothing before Cilium 1\.15, and the policies are judged for 1\.14/);
    expect(report.warnings.filter((w) => w.startsWith('judged for --ip-families ipv4, but the capture cannot tell'))).toHaveLength(1);
    const rep = io();
    expect(await runReport(['--policies', f.policies, '--flows', f.flows, '--output', 'json'], rep.io)).toBe(0);
    expect((JSON.parse(rep.out.stdout) as { ipFamilies: unknown }).ipFamilies).toMatchObject({ judged: 'ipv4', source: 'default' });
    expect(rep.out.stderr).toMatch(/^warning: --flows .*: judged for --ip-families ipv4, but the capture cannot tell/);
  });

  // Session 46: diff chose the families by the head's version alone; a base of another version reads the same capture otherwise.
  test('diff of a 1.14 base and a 1.18 head: a capture the two versions read differently is refused (before: judged by the head\'s, a change hidden)', async () => {
    // The head upgrades the annotation and moves v4's IPv4 block: a change of IPv4 connectivity only.
    const base = annotated('1.14').replace('toCIDR: ["0.0.0.0/0"]', 'toCIDR: ["203.0.113.0/24"]');
    const head = annotated('1.18').replace('toCIDR: ["0.0.0.0/0"]', 'toCIDR: ["198.51.100.0/24"]');
    const dir = mkdtempSync(join(scratch, 'versions-'));
    writeFileSync(join(dir, 'base.yaml'), base);
    writeFileSync(join(dir, 'head.yaml'), head);
    const v6only = `${record(1, 'world', V6_WORLD, world2)}\n`;
    writeFileSync(join(dir, 'v6.jsonl'), v6only);
    writeFileSync(join(dir, 'v4.jsonl'), v4only);
    const argv = (flows: string, ...more: string[]): string[] => ['--base', join(dir, 'base.yaml'), '--head', join(dir, 'head.yaml'), '--flows', join(dir, flows),
      '--fail-on', 'any', '--output', 'json', ...more];
    // IPv6 packets to identity 2: at 1.18 an IPv6-only cluster; at 1.14 nothing tells whether IPv4 runs too. Before: judged
    // ipv6, so the IPv4 change was "no change", exit 0.
    const refused = io();
    expect(await runDiff(argv('v6.jsonl'), refused.io)).toBe(2);
    expect(refused.out.stdout).toBe('');
    expect(refused.out.stderr).toMatch(/^error: the capture tells the cluster's IP families differently for the base's Cilium 1\.14 and the head's 1\.18 .*: for the head ipv6 \(.*\), for the base none diff can judge for \(IPv6 packets only: fd00::12 at line 1/);
    expect(refused.out.stderr).toContain('(cli-ip-families); fix: give --ip-families ipv4, ipv6 or dual as the cluster runs them');
    // Given, the change shows.
    const given = io();
    expect(await runDiff(argv('v6.jsonl', '--ip-families', 'dual'), given.io)).toBe(1);
    // IPv4 packets to identity 2: ipv4 either way, but only the head's version infers it; the base's cannot tell, so the
    // claim is the weaker one, with its warning (before: "inferred", no warning).
    const v4 = io();
    expect(await runDiff(argv('v4.jsonl'), v4.io)).toBe(1);
    expect((JSON.parse(v4.out.stdout) as { ipFamilies: { judged: string; source: string } }).ipFamilies).toMatchObject({ judged: 'ipv4', source: 'default' });
    expect(v4.out.stderr).toMatch(/warning: --flows .*: for the base's Cilium 1\.14: judged for --ip-families ipv4, but the capture cannot tell/);
  });

  test('Replay.inferIpFamilies takes the version: identity 2 tells single stack from 1.15 only; the default 1.19 is said', async () => {
    const capture = await collect(v4only);
    expect(Replay.inferIpFamilies(capture)).toBe(IpFamilies.IPV4);
    expect(Replay.inferIpFamilies(capture, CiliumVersion.parse('1.14'))).toBeUndefined();
    expect(Replay.inferIpFamilies(capture, CiliumVersion.parse('1.15'))).toBe(IpFamilies.IPV4);
    expect(Replay.ipFamiliesBasis(capture)).toContain('(judged for Cilium 1.19, the default: no version given or annotated on the policies)');
    expect(Replay.ipFamiliesBasis(capture, CiliumVersion.parse('1.19'))).not.toContain('the default');
  });
});
