// Truth tables of the agent's `enable-sctp` (PolicySetOptions.sctp): what is allowed AND what is dropped.
//
// Cilium: without `enable-sctp` (Helm `sctp.enabled`, pkg/defaults `EnableSCTP = false`) the agent does not define
// ENABLE_SCTP for the datapath (pkg/datapath/linux/config `writeHeaderfile`), and bpf/lib/conntrack.h
// `ipv4_extract_tuple`/`ipv6_extract_tuple` accept TCP and UDP only: an SCTP packet of an endpoint is dropped with
// DROP_CT_UNKNOWN_PROTO before any policy lookup, whatever the rules allow. The agent does not read the option for
// policy (no `option.Config.EnableSCTP` in pkg/policy): a rule on SCTP is accepted and never reached.
// Every verdict is also asked of `decide()` and of the naive evaluator (`judged`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PolicySet, PolicySetOptions } from '../../src/engine';
import { cli } from '../support/cli';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const DB = 'pod:default:app=db';
const ON = { sctp: true };

/** The `db` pods with these ingress items. */
function dbIngress(items: readonly Record<string, unknown>[], options: PolicySetOptions = {}): PolicySet {
  return policySet([cnp('p', { endpointSelector: labels({ app: 'db' }), ingress: items })], options);
}

const fromWeb = { fromEndpoints: [labels({ app: 'web' })] };
const anyPort = (port: string): { toPorts: { ports: { port: string; protocol: string }[] }[] } => ({ toPorts: [{ ports: [{ port, protocol: 'ANY' }] }] });

/** `<verdict> <egress decision> <ingress decision>` of web → db. */
function row(set: PolicySet, port: string): string {
  const v = judged(set, WEB, DB, port);
  return `${v.verdict} ${v.egress.decision} ${v.ingress.decision}`;
}

describe('SCTP without and with enable-sctp', () => {
  test.each([
    // policy, port, sctp, expected
    ['ANY 5000 allow', '5000/SCTP', false, 'denied sctp-disabled sctp-disabled'],
    ['ANY 5000 allow', '5000/SCTP', true, 'allowed no-policy-default-allow allowed'],
    ['ANY 5000 allow', '5001/SCTP', true, 'denied no-policy-default-allow default-deny'],
    ['ANY 5000 allow', '5000/TCP', false, 'allowed no-policy-default-allow allowed'],
    ['ANY 5000 allow', '5000/UDP', false, 'allowed no-policy-default-allow allowed'],
    ['ANY 5000 allow', '5001/TCP', false, 'denied no-policy-default-allow default-deny'],
    ['TCP only', '5000/SCTP', true, 'denied no-policy-default-allow default-deny'],
    ['TCP only', '5000/SCTP', false, 'denied sctp-disabled sctp-disabled'],
  ])('%s, %s, sctp %s: %s', (policy, port, sctp, expected) => {
    const items = policy === 'TCP only' ? [{ ...fromWeb, toPorts: [{ ports: [{ port: '5000', protocol: 'TCP' }] }] }] : [{ ...fromWeb, ...anyPort('5000') }];
    expect(row(dbIngress(items, { sctp }), port)).toBe(expected);
  });

  test('no policy at all: SCTP is still dropped by default, allowed with sctp', () => {
    expect(row(policySet([]), '5000/SCTP')).toBe('denied sctp-disabled sctp-disabled');
    expect(row(policySet([], ON), '5000/SCTP')).toBe('allowed no-policy-default-allow no-policy-default-allow');
    expect(row(policySet([]), '5000/TCP')).toBe('allowed no-policy-default-allow no-policy-default-allow');
  });

  test('the reason names the cause and the fix', () => {
    const v = judged(dbIngress([{ ...fromWeb, ...anyPort('5000') }]), WEB, DB, '5000/SCTP');
    expect(v.ingress.reason).toBe("dropped: SCTP is not enabled in the agent (enable-sctp=false, Cilium's default): the datapath drops SCTP "
      + 'before any policy (DROP_CT_UNKNOWN_PROTO); fix: if the cluster enables SCTP (Helm sctp.enabled), pass --sctp (PolicySet option sctp: true)');
    expect(v.ingress.allowed).toBe(false);
  });

  test('a side policy does not apply to stays not evaluated (the world has no Cilium datapath)', () => {
    const v = judged(dbIngress([{ fromEntities: ['world'], ...anyPort('5000') }]), 'entity:world', DB, '5000/SCTP');
    expect(`${v.verdict} ${v.egress.decision} ${v.ingress.decision}`).toBe('denied not-evaluated sctp-disabled');
    const on = judged(dbIngress([{ fromEntities: ['world'], ...anyPort('5000') }], ON), 'entity:world', DB, '5000/SCTP');
    expect(`${on.verdict} ${on.egress.decision} ${on.ingress.decision}`).toBe('allowed not-evaluated allowed');
  });
});

test('trace: exit 1 and the fix by default, exit 0 with --sctp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-sctp-'));
  try {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, JSON.stringify(cnp('p', { endpointSelector: labels({ app: 'db' }), ingress: [{ ...fromWeb, ...anyPort('5000') }] })));
    const args = ['trace', '--policies', file, '--from', WEB, '--to', DB, '--port', '5000/SCTP'];
    const off = cli(...args);
    expect(off.code).toBe(1);
    expect(off.stdout).toContain('DENIED pod:default:app=web → pod:default:app=db 5000/SCTP');
    expect(off.stdout).toContain('pass --sctp');
    const on = cli(...args, '--sctp');
    expect(on.code).toBe(0);
    expect(on.stdout).toContain('ingress at pod:default:app=db: allowed by CiliumNetworkPolicy default/p spec.ingress[0]');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
