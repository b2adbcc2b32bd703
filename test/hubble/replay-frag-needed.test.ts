// Session 51: ICMPv4 fragmentation needed (type 3 code 4) passes before the policy lookup when the agent runs with
// allow-icmp-frag-needed, its default (pkg/defaults `AllowICMPFragNeeded = true`; bpf/lib/policy.h `__policy_can_access`:
// `if (icmphdr.type == ICMP_DEST_UNREACH && icmphdr.code == ICMP_FRAG_NEEDED) return CTX_ACT_OK;` before the map lookups,
// at both ends). Replay judged such records by policy, so a set admitting only 9090/TCP reported a forwarded one as
// newly dropped: a false alarm on what no policy can drop. A policy drop or audit of one shows the option off in that
// cluster and is judged; `allowIcmpFragNeeded: false` (`--no-allow-icmp-frag-needed`) judges them all.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runDiff } from '../../src/cli/diff';
import { runDraft } from '../../src/cli/draft';
import { runReplay } from '../../src/cli/replay';
import { PolicySet } from '../../src/engine';
import { Connections, FlowSource, Replay, replayFlows } from '../../src/hubble';
import { backendPolicy, backendPolicyYaml } from './support/backend-policy';
import { HUBBLE_FIXTURES_DIR } from './support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-frag-needed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** prometheus → backend (line 77 of the shop capture) as an ICMPv4 message at backend's ingress. */
const LINE = JSON.parse(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), 'utf8').split('\n')[76]) as { flow: Record<string, unknown> };
function record(icmp: { type: number; code: number }, over: Record<string, unknown>): string {
  const flow: Record<string, unknown> = { ...LINE.flow, l4: { ICMPv4: icmp }, traffic_direction: 'INGRESS', drop_reason: undefined, drop_reason_desc: undefined, ...over };
  return JSON.stringify({ ...LINE, flow });
}
const TRACED = { verdict: 'FORWARDED', event_type: { type: 4, sub_type: 0 }, trace_observation_point: 'TO_ENDPOINT', is_reply: false };
/** A forwarded policy-verdict event as Hubble writes it (`is_reply: false`, a constant on such events). */
const VERDICT_EVENT = { verdict: 'FORWARDED', event_type: { type: 5 }, is_reply: false };
const DROPPED = { verdict: 'DROPPED', event_type: { type: 1, sub_type: 133 }, drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', is_reply: undefined };
const BACKEND_9090 = backendPolicyYaml(9090);
const policies = (): PolicySet => backendPolicy(9090);
const FRAG_NEEDED = { type: 3, code: 4 };

describe('replay: ICMPv4 fragmentation needed passes before the policy lookup (allow-icmp-frag-needed)', () => {
  test.each([['a forwarded trace (is_reply false)', TRACED], ['a forwarded policy-verdict event', VERDICT_EVENT]])(
    '%s is not judged (before: icmp/3 newly-dropped)', async (_name, over) => {
      const report = await replayFlows(FlowSource.text(record(FRAG_NEEDED, over), 'flows.jsonl'), policies());
      expect(report.connections).toEqual([]);
      expect(report.skipped.byReason['icmp-frag-needed']).toBe(1);
    });

  test('another destination-unreachable code is judged by policy (guard)', async () => {
    const report = await replayFlows(FlowSource.text(record({ type: 3, code: 1 }, TRACED), 'flows.jsonl'), policies());
    expect(report.connections.map((c) => [c.connection, c.observed.verdict, c.change])).toEqual([['icmp/3', 'forwarded', 'newly-dropped']]);
  });

  test('a policy drop of one shows the option off in that cluster: judged (guard)', async () => {
    const report = await replayFlows(FlowSource.text(record(FRAG_NEEDED, DROPPED), 'flows.jsonl'), policies());
    expect(report.connections.map((c) => [c.connection, c.observed.verdict, c.change])).toEqual([['icmp/3', 'dropped', 'unchanged']]);
  });

  test('allowIcmpFragNeeded: false judges it by policy', async () => {
    const report = await replayFlows(FlowSource.text(record(FRAG_NEEDED, TRACED), 'flows.jsonl'), policies(), { allowIcmpFragNeeded: false });
    expect(report.connections.map((c) => [c.connection, c.observed.verdict, c.change])).toEqual([['icmp/3', 'forwarded', 'newly-dropped']]);
  });

  test('the CLI: exit 1 with --no-allow-icmp-frag-needed (newly dropped), no drop reported by default', async () => {
    const flows = join(scratch, 'frag.jsonl');
    const policy = join(scratch, 'backend.yaml');
    writeFileSync(flows, `${record(FRAG_NEEDED, TRACED)}\n${record({ type: 8, code: 0 }, { ...TRACED, l4: { ICMPv4: { type: 8 } } })}\n`);
    writeFileSync(policy, BACKEND_9090);
    const run = async (...extra: string[]): Promise<{ code: number; report: { connections: { connection: string; change: string }[] } }> => {
      let stdout = '';
      const code = await runReplay(['--flows', flows, '--policies', policy, '--cilium-version', '1.18', '--ip-families', 'ipv4', '--output', 'json', ...extra],
        { stdout: (t) => (stdout += t), stderr: () => undefined });
      return { code, report: JSON.parse(stdout) as { connections: { connection: string; change: string }[] } };
    };
    const byDefault = await run();
    expect(byDefault.report.connections.map((c) => [c.connection, c.change])).toEqual([['icmp/8', 'newly-dropped']]);
    const off = await run('--no-allow-icmp-frag-needed');
    expect(off.report.connections.map((c) => [c.connection, c.change]).sort()).toEqual([['icmp/3', 'newly-dropped'], ['icmp/8', 'newly-dropped']]);
    expect(off.code).toBe(1);
  });
});

// Session 51 review: the option was read only while the flows are collected, so `Replay.capture(capture, policies,
// { allowIcmpFragNeeded: false })` ignored it (the capture was collected with the default) and `draft`, `diff` and `report`
// collected with the default, without a flag to say otherwise.
describe('allow-icmp-frag-needed off where a capture is collected', () => {
  test('Replay.capture() refuses the option, which the capture was collected without (it was ignored)', async () => {
    const capture = await Connections.collect(FlowSource.text(record(FRAG_NEEDED, TRACED), 'flows.jsonl'));
    expect(() => Replay.capture(capture, policies(), { allowIcmpFragNeeded: false })).toThrow(
      /^Replay\.capture\(\): allowIcmpFragNeeded is a boolean \(false\), not left out: an option of Connections\.collect\(\)/);
    expect(() => Replay.capture(capture, policies(), { allowIcmpFragNeeded: false })).toThrow(expect.objectContaining({
      id: 'option-value', fix: expect.stringContaining('Connections.collect(source, { allowIcmpFragNeeded: false })') }));
    // Collected with it, the record is judged.
    const off = await Connections.collect(FlowSource.text(record(FRAG_NEEDED, TRACED), 'flows.jsonl'), { allowIcmpFragNeeded: false });
    expect(Replay.capture(off, policies(), { clusterName: 'default' }).connections.map((c) => [c.connection, c.change])).toEqual([['icmp/3', 'newly-dropped']]);
  });

  test('draft --no-allow-icmp-frag-needed drafts fragmentation needed as any ICMP type; by default it is not drafted', async () => {
    const flows = join(scratch, 'frag-draft.jsonl');
    writeFileSync(flows, `${record(FRAG_NEEDED, TRACED)}\n`);
    const run = async (...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await runDraft(['--flows', flows, '--output', 'yaml', ...extra], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { code, stdout, stderr };
    };
    const byDefault = await run();
    expect([byDefault.code, byDefault.stdout]).toEqual([2, '']);
    expect(byDefault.stderr).toContain('(draft-nothing-to-draft)');
    const off = await run('--no-allow-icmp-frag-needed');
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('# seen once: ingress from endpoints monitoring {app.kubernetes.io/name=prometheus} on icmp/3');
  });

  test('diff --no-allow-icmp-frag-needed reads the record (its packet tells the capture\'s IP family); by default it is skipped', async () => {
    const flows = join(scratch, 'frag-diff.jsonl');
    const policy = join(scratch, 'backend-diff.yaml');
    writeFileSync(flows, `${record(FRAG_NEEDED, TRACED)}\n`);
    writeFileSync(policy, BACKEND_9090);
    const run = async (...extra: string[]): Promise<string> => {
      let stderr = '';
      await runDiff(['--base', policy, '--head', policy, '--flows', flows, '--output', 'json', ...extra], { stdout: () => undefined, stderr: (t) => (stderr += t) });
      return stderr;
    };
    expect(await run()).not.toContain('10.0.3.50 at line 1');
    expect(await run('--no-allow-icmp-frag-needed')).toContain('IPv4 packets only: 10.0.3.50 at line 1');
  });
});
