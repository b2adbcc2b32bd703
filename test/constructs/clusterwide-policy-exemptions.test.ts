// ClusterwidePolicy lockout exemptions (src/constructs/clusterwide-policy.ts): an exempted path may be cut, and the engine
// then drops it; every other path stays guarded; each malformed exemption is refused with its error id. In the mutation
// test set (vitest.mutation.config.mts) with test/constructs/host-policy-lockout.test.ts.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { ClusterwidePolicy, Entity, LockoutExemption, LockoutExemptionsAnnotation, LockoutPath, NodeSelector, Peer, PolicyKind, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { refusal, synthFailure } from '../support/synth';

const NODE = 'node:kubernetes.io/hostname=n1';

/** Nodes open to everything, plus a host rule that denies the VXLAN tunnel from other nodes, with these exemptions. */
function tunnelDeny(lockoutExemptions?: LockoutExemption[]): Chart {
  const chart = new Chart(Testing.app(), 'hosts');
  const open = new ClusterwidePolicy(chart, 'open', { nodeSelector: NodeSelector.all() });
  open.allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts()] });
  const deny = new ClusterwidePolicy(chart, 'deny', { nodeSelector: NodeSelector.all(), ...(lockoutExemptions ? { lockoutExemptions } : {}) });
  deny.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.udp(8472)] });
  return chart;
}

const synthError = synthFailure;

describe('ClusterwidePolicy lockoutExemptions', () => {
  test('without an exemption the tunnel deny is refused; exempted, it synthesizes and the engine drops the tunnel', () => {
    expect(synthError(tunnelDeny())).toMatch(/cuts the tunnel path .*\(pitfall-host-deny-lockout\)/s);
    expect(synthError(tunnelDeny([]))).toMatch(/cuts the tunnel path/);
    const exempted = tunnelDeny([{ path: LockoutPath.TUNNEL, reason: 'native routing' }]);
    expect(synthError(exempted)).toBeUndefined();
    expect(verdictOf(exempted, 'entity:remote-node', NODE, '8472/UDP', { hostFirewall: true })).toBe('denied');
    expect(verdictOf(exempted, 'entity:remote-node', NODE, '4240/TCP', { hostFirewall: true })).toBe('allowed');
    expect(Testing.synth(exempted)[1].metadata.annotations[LockoutExemptionsAnnotation.KEY]).toBe('{"tunnel":"native routing"}');
  });

  test('another path exempted does not exempt the tunnel; no exemption, no annotation', () => {
    expect(synthError(tunnelDeny([{ path: LockoutPath.HUBBLE, reason: 'no Hubble' }]))).toMatch(/cuts the tunnel path/);
    const chart = new Chart(Testing.app(), 'hosts');
    new ClusterwidePolicy(chart, 'open', { nodeSelector: NodeSelector.all(), lockoutExemptions: [] }).allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts()] });
    expect(Testing.synth(chart)[0].metadata.annotations ?? {}).not.toHaveProperty([LockoutExemptionsAnnotation.KEY]);
  });

  test('printable reasons are accepted, to the edges of the printable ranges', () => {
    for (const reason of ['native routing ~', 'no\u00a0tunnel', ' a ', 'routage natif \u00e9t\u00e9', '\ufffd']) {
      expect(synthError(tunnelDeny([{ path: LockoutPath.TUNNEL, reason }])), JSON.stringify(reason)).toBeUndefined();
    }
  });

  test('a reason with a control character is refused: tab, DEL, C1, newline', () => {
    for (const reason of ['native\trouting', 'native\u007frouting', 'native\u009frouting', 'native routing\n', '\u001f']) {
      const r = refusal(() => tunnelDeny([{ path: LockoutPath.TUNNEL, reason }]));
      expect(r.id, JSON.stringify(reason)).toBe('lockout-exemption-reason');
      expect(r.message, JSON.stringify(reason)).toContain('has a control character');
    }
  });

  test('a long reason with a control character is quoted in the message up to its first 80 characters', () => {
    const reason = `${'a'.repeat(79)}\t${'b'.repeat(40)}`;
    const r = refusal(() => tunnelDeny([{ path: LockoutPath.TUNNEL, reason }]));
    expect(r.message).toContain(`${JSON.stringify(reason.slice(0, 80))}`);
    expect(r.message).not.toContain('bbbb');
  });

  test('the kind of the policy is a CCNP', () => {
    const policy = new ClusterwidePolicy(new Chart(Testing.app(), 'hosts'), 'p', { nodeSelector: NodeSelector.all() });
    expect(policy.kind).toBe(PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY);
  });

  test('a missing, blank or non-text reason is refused', () => {
    for (const reason of [undefined, '', '   ', 7]) {
      const r = refusal(() => tunnelDeny([{ path: LockoutPath.TUNNEL, reason: reason as unknown as string }]));
      expect(r.id, JSON.stringify(reason)).toBe('lockout-exemption-reason');
      expect(r.message, JSON.stringify(reason)).toContain('the lockout exemption of the tunnel path has no reason');
    }
  });

  test('an unknown path, and a path given twice (reasons trimmed), are refused', () => {
    expect(refusal(() => tunnelDeny([{ path: 'Tunnel' as LockoutPath, reason: 'x' }])).id).toBe('lockout-exemption-path');
    const twice = refusal(() => tunnelDeny([{ path: LockoutPath.TUNNEL, reason: ' native routing ' }, { path: LockoutPath.TUNNEL, reason: ' again ' }]));
    expect(twice.id).toBe('lockout-exemption-duplicate');
    expect(twice.message).toContain('(reasons "native routing" and "again")');
    // Two different paths are fine.
    expect(synthError(tunnelDeny([{ path: LockoutPath.TUNNEL, reason: 'a' }, { path: LockoutPath.HUBBLE, reason: 'b' }]))).toBeUndefined();
  });
});
