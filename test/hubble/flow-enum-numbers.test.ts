// Session 59: protojson writes an enum value its schema does not know as the number (google.golang.org/protobuf
// encoding/protojson encode.go: "Use numeric value if there is no enum value descriptor"), so a hubble CLI older than the
// agent writes `"drop_reason_desc": 207`. Such a line was malformed ("drop_reason_desc is a number, not a string"); it is
// read by number now: a DropReason flow.proto holds reads as its name (133/181/189 are policy drops), another number is
// `unknown-drop-reason`. `verdict` and `traffic_direction` read the same way (an unknown number is never judged). And
// `drop_reason_desc: ""`/`null` gives no reason to both readers (the policy drop and the unknown reason): the number decides.
import { describe, expect, test } from 'vitest';
import { FlowSource, collectConnections } from '../../src/hubble';

const pod = (app: string, identity: number): Record<string, unknown> => ({
  ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`, labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop'],
});
function record(fields: Record<string, unknown>): string {
  return JSON.stringify({ flow: {
    time: '2026-12-04T10:00:01Z', verdict: 'DROPPED', IP: { source: '10.1.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } }, source: pod('web', 50001), destination: pod('api', 40002),
    Type: 'L3_L4', event_type: { type: 1 }, traffic_direction: 'INGRESS', is_reply: false, node_name: 'node-1', ...fields,
  } });
}
/** How one record reads: the skip reason, else `judged <verdict counts> <drop reasons> <side>`, else `malformed <why>`. */
async function read(fields: Record<string, unknown>): Promise<string> {
  const c = await collectConnections(FlowSource.text(record(fields), 'capture.jsonl'));
  if (c.input.malformedCount > 0) return `malformed ${c.input.malformed[0].reason}`;
  const skipped = Object.keys(c.skipped);
  if (skipped.length > 0) return `${skipped.join(',')}${c.unknownDropReasons ? ` ${c.unknownDropReasons.map((u) => u.value).join(',')}` : ''}`;
  const k = c.connections[0];
  return `judged f${k.forwarded} d${k.dropped} a${k.audit} [${k.dropReasons.join(',')}] ${k.atEgress > 0 ? 'egress' : k.atIngress > 0 ? 'ingress' : '-'}`;
}

describe('enum values written as numbers', () => {
  test('drop_reason_desc: a DropReason number reads as its name; another is an unknown drop reason, named', async () => {
    expect(await read({ drop_reason_desc: 133 })).toBe('judged f0 d1 a0 [POLICY_DENIED] ingress');
    expect(await read({ drop_reason_desc: 181 })).toBe('judged f0 d1 a0 [POLICY_DENY] ingress');
    expect(await read({ drop_reason_desc: 189, drop_reason: 189 })).toBe('judged f0 d1 a0 [AUTH_REQUIRED] ingress');
    expect(await read({ drop_reason_desc: 151 })).toBe('non-policy-drop');
    expect(await read({ drop_reason_desc: 207, drop_reason: 207 })).toBe('unknown-drop-reason drop_reason_desc 207');
    // The desc decides over the deprecated number, as for names.
    expect(await read({ drop_reason_desc: 151, drop_reason: 133 })).toBe('non-policy-drop');
    // 0 is DROP_REASON_UNKNOWN (proto3 never writes it): the number decides.
    expect(await read({ drop_reason_desc: 0, drop_reason: 133 })).toBe('judged f0 d1 a0 [POLICY_DENIED] ingress');
    expect(await read({ drop_reason_desc: 1.5 })).toMatch(/^malformed not a usable flow: drop_reason_desc is .*32-bit integer/);
  });

  test('drop_reason_desc "" or null: no reason given, to both readers; the number decides', async () => {
    for (const desc of ['', null]) {
      expect(await read({ drop_reason_desc: desc, drop_reason: 133 })).toBe('judged f0 d1 a0 [POLICY_DENIED] ingress');
      expect(await read({ drop_reason_desc: desc, drop_reason: 151 })).toBe('non-policy-drop');
      expect(await read({ drop_reason_desc: desc, drop_reason: 250 })).toBe('unknown-drop-reason drop_reason 250');
      expect(await read({ drop_reason_desc: desc })).toBe('non-policy-drop');
    }
  });

  test('verdict and traffic_direction: the numbers of known values read as the names; unknown numbers are never judged', async () => {
    expect(await read({ verdict: 1, event_type: { type: 5 } })).toBe('judged f1 d0 a0 [] ingress');
    expect(await read({ verdict: 2, drop_reason_desc: 'POLICY_DENIED' })).toBe('judged f0 d1 a0 [POLICY_DENIED] ingress');
    expect(await read({ verdict: 4, event_type: { type: 5 } })).toBe('judged f0 d0 a1 [] ingress');
    expect(await read({ verdict: 3 })).toBe('unknown-verdict');
    expect(await read({ verdict: 99, drop_reason_desc: 'POLICY_DENIED' })).toBe('unknown-verdict');
    expect(await read({ verdict: 1, event_type: { type: 5 }, traffic_direction: 2 })).toBe('judged f1 d0 a0 [] egress');
    expect(await read({ verdict: 1, event_type: { type: 5 }, traffic_direction: 7 })).toBe('no-direction');
    // Strings stay names only: a string of digits or another word is no value protojson writes.
    expect(await read({ verdict: '2' })).toMatch(/^malformed not a usable flow: verdict is "2", not one of/);
    expect(await read({ traffic_direction: 'ingress' })).toMatch(/^malformed not a usable flow: traffic_direction is "ingress", not one of/);
    expect(await read({ verdict: 2 ** 40 })).toMatch(/^malformed not a usable flow: verdict is/);
  });
});
