// Hostile input, Hubble flow logs: mistyped fields, truncated gzip, nesting, invalid UTF-8, junk budgets, label caps.
// replay and draft must never fail open (a green result over a log they could not read) and never hang.
import { gzipSync } from 'node:zlib';
import { describe, expect, test, vi } from 'vitest';
import { PolicySet } from '../../src/engine/policy-set';
import { FlowSource, MAX_BLANK_LINES, readFlows } from '../../src/hubble/flow-reader';
import { MAX_FLOW_LABELS } from '../../src/hubble/flow-shape';
import { NAMED_BYTES } from '../../src/model/json-duplicate-key';
import { GUARD, draft, flowLine, httpPolicy, replay, report, scratchDir, write } from './support';

const dir = scratchDir();
/** A policy under which web → api on 80/TCP is denied at L7 only for paths other than /ok: L3/L4 allowed. */
const POLICIES = write(dir, 'policies.yaml', httpPolicy([{ method: 'GET', path: '/ok' }]));
/** A policy that isolates api: the flow web → api on 80/TCP would be dropped. */
const ISOLATE = write(dir, 'isolate.yaml', [
  'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: iso, namespace: shop}', 'spec:',
  '  endpointSelector: {matchLabels: {app: api}}', '  ingress: [{fromEndpoints: [{matchLabels: {app: nobody}}]}]', '',
].join('\n'));

describe('a line with a mistyped field is malformed (with its line number) and the run goes on', () => {
  const lines = [flowLine({ source: { labels: 'k8s:app=web' } }), flowLine()].join('\n');

  test('replay: the good line is still judged (and would be dropped: exit 1)', GUARD, async () => {
    const r = await replay('--flows', write(dir, 'mistyped.jsonl', `${lines}\n`), '--policies', ISOLATE, '--output', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.input.malformed).toEqual([{ line: 1, reason: 'not a usable flow: source.labels is a string, not a list' }]);
    expect(report.summary.newlyDropped).toBe(1);
  });

  test('draft: drafts from the good line and names the malformed one', GUARD, async () => {
    const r = await draft('--flows', write(dir, 'mistyped-draft.jsonl', `${lines}\n`), '--output', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^drafted 2 policies in 1 namespace from 1 flow records .*; 1 malformed line skipped \(first: line 1\)\n/);
    // The malformed line may hold a connection the drafted policies would drop: a warning says so.
    expect(r.stderr).toMatch(/\nwarning: not all of the capture was used \(1 malformed line skipped \(first: line 1\)\): it may hold connections the drafted policies would drop; repair or remove the lines named .*\n$/);
  });

  test.each([
    [{ source: { identity: '300' } }, 'source.identity is a string, not a number'],
    [{ source: { labels: [1, 2] } }, 'source.labels[0] is a number, not a string'],
    [{ l7: { type: 'REQUEST', http: { method: 'GET', url: { x: 1 } } } }, 'l7.http.url is an object, not a string'],
    [{ l7: { type: 'REQUEST', http: { headers: 'x' } } }, 'l7.http.headers is a string, not a list'],
    [{ source: { identity: -1 } }, 'source.identity is -1, not an integer from 0 to 4294967295'],
    [{ source: { identity: 300.5 } }, 'source.identity is 300.5, not an integer from 0 to 4294967295'],
    [{ l7: { type: 'REQUEST', http: { method: 'GET', url: '/', code: 1e10 } } }, 'l7.http.code is 10000000000, not an integer from 0 to 4294967295'],
    // An identity has one value per label key: a second one would be judged as another pod than the one seen.
    [{ source: { labels: ['k8s:app=web', 'k8s:app=evil'] } }, 'source.labels has the key "app" twice, where an identity has one value per key'],
    [{ source: { labels: ['k8s:app=web', 'container:app'] } }, 'source.labels has the key "app" twice, where an identity has one value per key'],
  ])('%j', GUARD, async (override, reason) => {
    const stats = await readFlows(FlowSource.text(`${flowLine(override)}\n`), () => undefined);
    expect(stats.malformed).toEqual([{ line: 1, reason: `not a usable flow: ${reason}` }]);
    expect(stats.flows).toBe(0);
  });

  // JSON.parse reads 9007199254741293 as 9007199254741292 (a double): the message named the wrong number (session 50).
  test.each(['9007199254741293', '-9007199254741293', '9007199254740992', '1e300'])('an identity of %s: named as beyond 2^53, never as the number read', GUARD, async (text) => {
    const line = flowLine({ source: { identity: 777_777 } }).replace('777777', text);
    const stats = await readFlows(FlowSource.text(`${line}\n`), () => undefined);
    expect(stats.malformed).toEqual([{ line: 1, reason: 'not a usable flow: source.identity is a number of magnitude 2^53 or more (not read exactly), '
      + 'not an integer from 0 to 4294967295' }]);
    // Control: the largest exact integer is named as it is.
    const exact = await readFlows(FlowSource.text(`${flowLine({ source: { identity: 777_777 } }).replace('777777', '9007199254740991')}\n`), () => undefined);
    expect(exact.malformed).toEqual([{ line: 1, reason: 'not a usable flow: source.identity is 9007199254740991, not an integer from 0 to 4294967295' }]);
  });

  // Fields set on the record as Hubble names them: every entry of a list is checked, the first valid one does not end
  // the check; the event type and a Kafka request are checked too (docs/testing.md, session 44).
  test.each([
    ['egress_allowed_by', [{ name: 5 }], 'egress_allowed_by[0].name is a number, not a string'],
    ['egress_allowed_by', [{ name: 'web', namespace: 'shop', kind: 'CiliumNetworkPolicy' }, { name: 'web', namespace: 7 }],
      'egress_allowed_by[1].namespace is a number, not a string'],
    ['egress_allowed_by', [5], 'egress_allowed_by[0] is a number, not an object'],
    ['event_type', { type: 'policy-verdict' }, 'event_type.type is a string, not a number'],
    ['l7', { type: 'REQUEST', kafka: { api_key: 'produce', topic: 5 } }, 'l7.kafka.topic is a number, not a string'],
  ])('%s: %j', GUARD, async (field, value, reason) => {
    const record = JSON.parse(flowLine()) as { flow: Record<string, unknown> };
    record.flow[field] = value;
    const stats = await readFlows(FlowSource.text(`${JSON.stringify(record)}\n`), () => undefined);
    expect(stats.malformed).toEqual([{ line: 1, reason: `not a usable flow: ${reason}` }]);
    expect(stats.flows).toBe(0);
  });

  test.each([
    [{ verdict: 'forwarded' }, 'verdict is "forwarded", not one of VERDICT_UNKNOWN, FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED'],
    [{ verdict: 'FORWARDEDX' }, 'verdict is "FORWARDEDX", not one of VERDICT_UNKNOWN, FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED'],
    [{ traffic_direction: 'SIDEWAYS' }, 'traffic_direction is "SIDEWAYS", not one of TRAFFIC_DIRECTION_UNKNOWN, INGRESS, EGRESS'],
    [{ Type: 'L3/L4' }, 'Type is "L3/L4", not one of UNKNOWN_TYPE, L3_L4, L7, SOCK'],
    [{ Type: 'L7', l7: { type: 'request', http: { method: 'GET', url: '/' } } }, 'l7.type is "request", not one of UNKNOWN_L7_TYPE, REQUEST, RESPONSE, SAMPLE'],
    [{ IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'v4' } }, 'IP.ipVersion is "v4", not one of IP_NOT_USED, IPv4, IPv6'],
    [{ IP: { source: '10.0.1.10', destination: 'evil' } }, 'IP.destination is "evil", not an IP address'],
    [{ IP: { source: '10.0.1.10', destination: '10.0.0.0/8' } }, 'IP.destination is "10.0.0.0/8", not an IP address'],
    [{ IP: { source: '10.0.1.010', destination: '10.0.1.20' } }, 'IP.source is "10.0.1.010", not an IP address'],
    [{ IP: { source: 'fd00::1::2', destination: '10.0.1.20' } }, 'IP.source is "fd00::1::2", not an IP address'],
    [{ l4: { QUIC: { destination_port: 80 } } }, 'l4 has the field "QUIC", which is no protocol of Hubble\'s Layer4'],
    [{ l4: { TCP: { destination_port: 80 }, UDP: { destination_port: 53 } } }, 'l4 has both TCP and UDP, where a record has one protocol'],
    // protojson writes a Timestamp as RFC 3339 UTC; a time it would not read back is malformed, never "no time" in silence.
    ...['yesterday', '2025-06-02 10:00:00Z', '2025-06-02T10:00:00', '2025-13-01T00:00:00Z', '2025-02-29T10:00:00Z', '2025-06-02T10:00:60Z',
      '2025-06-02T10:00:00.1234567890Z', '2025-06-02T10:00:00+24:00', '0000-12-31T23:00:00Z', ''].map((time): [Record<string, unknown>, string] => [{ time },
      `time is ${JSON.stringify(time)}, not an RFC 3339 time as Hubble writes it (2025-06-02T10:00:00.123456789Z)`]),
    [{ time: 1748858400 }, 'time is a number, not a string'],
  ])('an enum value or protocol Hubble does not write (%j) is malformed, never skipped as "not decided by policy" (the gate fails closed)', GUARD, async (override, reason) => {
    const line = JSON.parse(flowLine()) as { flow: Record<string, unknown> };
    Object.assign(line.flow, override);
    const file = write(dir, 'bad-enum.jsonl', `${JSON.stringify(line)}\n${flowLine()}\n`);
    const r = await replay('--flows', file, '--policies', POLICIES, '--output', 'json');
    // The good line alone passes (web → api on 80/TCP is allowed at L3/L4): only the malformed line keeps the gate shut.
    const report = JSON.parse(r.stdout);
    expect(report.input.malformed).toEqual([{ line: 1, reason: `not a usable flow: ${reason}` }]);
    expect(report.summary.notJudgedInput).toBeTruthy();
    expect(r.code).toBe(1);
  });

  test('addresses Hubble writes are read: IPv4, IPv6, IPv4-mapped IPv6', GUARD, async () => {
    for (const destination of ['10.0.1.20', '0.0.0.0', '255.255.255.255', 'fd00::2', '::ffff:10.0.1.20', '2001:db8::']) {
      const line = JSON.parse(flowLine()) as { flow: Record<string, unknown> };
      line.flow.IP = { source: '10.0.1.10', destination };
      const stats = await readFlows(FlowSource.text(`${JSON.stringify(line)}\n`), () => undefined);
      expect(stats.malformed, destination).toEqual([]);
      expect(stats.flows).toBe(1);
    }
  });

  test('times protojson reads are read, an offset converted to UTC to the nanosecond (the capture\'s window)', GUARD, async () => {
    const at = (time: string): string => {
      const line = JSON.parse(flowLine()) as { flow: Record<string, unknown> };
      line.flow.time = time;
      return JSON.stringify(line);
    };
    const file = write(dir, 'times.jsonl', `${at('2025-06-02T12:00:00.000000001+02:00')}\n${at('2025-06-02T10:00:01Z')}\n${at('2024-02-29T23:59:59.5-00:30')}\n`);
    const report = JSON.parse((await replay('--flows', file, '--policies', POLICIES, '--output', 'json')).stdout);
    expect(report.input.malformed).toEqual([]);
    expect(report.summary.window).toMatchObject({ first: '2024-03-01T00:29:59.500000000Z', last: '2025-06-02T10:00:01.000000000Z' });
    const two = write(dir, 'times-two.jsonl', `${at('2025-06-02T12:00:00.000000001+02:00')}\n${at('2025-06-02T10:00:01Z')}\n`);
    const window = JSON.parse((await replay('--flows', two, '--policies', POLICIES, '--output', 'json')).stdout).summary.window;
    expect(window).toMatchObject({ first: '2025-06-02T10:00:00.000000001Z', seconds: expect.closeTo(0.999999999, 9) });
  });

  test('a connection the engine cannot judge keeps the gate shut (exit 1) and its namespace not ready', GUARD, async () => {
    const file = write(dir, 'unjudgeable.jsonl', `${flowLine()}\n`);
    const spy = vi.spyOn(PolicySet.prototype, '_verdict').mockImplementation(() => {
      throw new Error('cannot judge');
    });
    try {
      const r = await replay('--flows', file, '--policies', POLICIES, '--output', 'json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.summary.notEvaluated).toBe(1);
      expect(report.namespaces.map((n: any) => [n.namespace, n.readyToEnforce, n.reason])).toEqual([
        ['shop', false, 'not ready: 1 connection could not be judged (see not judged) over 0 ms (2025-06-02T10:00:00.000000000Z to 2025-06-02T10:00:00.000000000Z)'],
      ]);
      expect(r.stderr).toContain(`replay: 1 connection of ${file} could not be judged (first: pod:shop:app=web → pod:shop:app=api 80/TCP: cannot judge): `
        + 'they may be connections the policies drop');
      expect((await replay('--flows', file, '--policies', POLICIES, '--fail-on', 'none')).code).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  test.each([
    [80.5, 'l4.TCP.destination_port is 80.5, not a port from 0 to 65535'],
    [70000, 'l4.TCP.destination_port is 70000, not a port from 0 to 65535'],
    [-80, 'l4.TCP.destination_port is -80, not a port from 0 to 65535'],
  ])('destination port %s: a malformed line, never judged or skipped as "no port" (replay exit 2 alone, draft no internal error)', GUARD, async (port, reason) => {
    const line = JSON.parse(flowLine()) as { flow: { l4: unknown } };
    line.flow.l4 = { TCP: { source_port: 40000, destination_port: port } };
    const file = write(dir, `port-${port}.jsonl`, `${JSON.stringify(line)}\n`);
    const r = await replay('--flows', file, '--policies', ISOLATE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no line of 1 is a Hubble flow record (1 malformed; line 1: not a usable flow: ${reason})`);
    const d = await draft('--flows', file, '--output', 'yaml');
    expect(d.code).toBe(2);
    expect(d.stderr).not.toMatch(/report this as a bug/);
    const icmp = JSON.parse(flowLine()) as { flow: { l4: unknown } };
    icmp.flow.l4 = { ICMPv4: { type: 300 } };
    expect((await readFlows(FlowSource.text(`${JSON.stringify(icmp)}\n`), () => undefined)).malformed)
      .toEqual([{ line: 1, reason: 'not a usable flow: l4.ICMPv4.type is 300, not an integer from 0 to 255' }]);
  });

  test.each([
    [{ namespace: 'Shop!', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=Shop!'] }, 'namespace "Shop!" is not a Kubernetes namespace name'],
    [{ namespace: 'shop', labels: ['k8s:app=a p i', 'k8s:io.kubernetes.pod.namespace=shop'] }, 'label "k8s:app=a p i" is not a Kubernetes label (value "a p i")'],
    [{ namespace: 'shop', labels: ['k8s:a p p=api', 'k8s:io.kubernetes.pod.namespace=shop'] }, 'label "k8s:a p p=api" is not a Kubernetes label (key "a p p")'],
    [{ namespace: 'shop', labels: ['k8s:app=api', 'k8s:io.cilium.k8s.namespace.labels.team=a/b', 'k8s:io.kubernetes.pod.namespace=shop'] },
      'label "k8s:io.cilium.k8s.namespace.labels.team=a/b" is not a Kubernetes label (value "a/b")'],
  ])('a pod end Kubernetes could not have (%j) is a malformed line: replay does not judge it, draft does not call it a bug', GUARD, async (destination, reason) => {
    const line = JSON.parse(flowLine()) as { flow: Record<string, unknown> };
    line.flow.destination = { identity: 301, ...destination };
    const file = write(dir, 'bad-pod.jsonl', `${JSON.stringify(line)}\n${flowLine()}\n`);
    const r = await replay('--flows', file, '--policies', ISOLATE, '--output', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.input.malformed).toEqual([{ line: 1, reason: `not a usable flow: destination: ${reason}` }]);
    expect(report.connections.map((c: any) => c.destination)).toEqual(['pod:shop:app=api']);
    const d = await draft('--flows', file, '--output', 'yaml');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toMatch(/1 malformed line skipped \(first: line 1\)/);
  });

  test('a record the handler cannot use is malformed, not the end of the read', GUARD, async () => {
    let calls = 0;
    const stats = await readFlows(FlowSource.text(`${flowLine()}\n${flowLine()}\n`), () => {
      if (++calls === 1) throw new TypeError('boom');
    });
    expect(stats.malformed).toEqual([{ line: 1, reason: 'not a usable flow: boom' }]);
    expect(stats.flows).toBe(1);
    expect(stats.readError).toBeUndefined();
  });
});

// Session 37: JSON.parse keeps the last of a key written twice, so a record with two verdicts (or two addresses) was judged
// on whichever came last. Hubble writes each field once and its own reader (protojson) refuses such a record.
describe('a record with a key written twice is malformed (the one reader of flows), never judged on its last value', () => {
  const forwarded = flowLine();
  const twice = forwarded.replace('"verdict":"FORWARDED"', '"verdict":"DROPPED","verdict":"FORWARDED"');
  const reason = (at: number): string => `not a Hubble record: "verdict" at column ${at} is written twice in one object (Hubble writes each field once)`;

  test('replay, draft and report on a log of only such a record: exit 2, the line and the key named', GUARD, async () => {
    const file = write(dir, 'twice.jsonl', `${twice}\n`);
    const at = twice.lastIndexOf('"verdict"') + 1;
    for (const r of [await replay('--flows', file, '--policies', ISOLATE), await draft('--flows', file),
      await report('--flows', file, '--policies', ISOLATE)]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: ${file}:1: no line of 1 is a Hubble flow record (1 malformed; line 1: ${reason(at)}); nothing is judged (hubble-no-flows); `
        + 'fix: give a flow log as written by hubble observe -o jsonpb (one JSON record per line), with the traffic to judge\n');
    }
  });

  test('beside good records: the line is named as malformed and the capture is not all judged (exit 1)', GUARD, async () => {
    const r = await replay('--flows', write(dir, 'twice-mixed.jsonl', `${forwarded}\n${twice.replace('"IP":{', '"IP":{"source":"10.9.9.9",')}\n`),
      '--policies', POLICIES, '--output', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).input.malformed).toEqual([{ line: 2, reason: expect.stringMatching(/^not a Hubble record: "verdict" at column \d+ is written twice/) }]);
  });

  test('the same key in different objects, and `":` inside strings, are no duplicate', GUARD, async () => {
    const text = [forwarded, JSON.stringify({ flow: { ...JSON.parse(forwarded).flow, summary: 'a\\":{"verdict":"x", \\\\" : "' } })].join('\n');
    const stats = await readFlows(FlowSource.text(`${text}\n`), () => undefined);
    expect(stats.malformed).toEqual([]);
    expect(stats.flows).toBe(2);
  });

  test('a nested key written twice, with whitespace around the colon, and one over 16 KiB (not named)', GUARD, async () => {
    const nested = forwarded.replace('"IP":{"source":"10.0.1.10"', '"IP":{"source" :"10.9.9.9",\t"source"\t: "10.0.1.10"');
    const long = forwarded.replace('"time":', `"summary":"${'x'.repeat(NAMED_BYTES)}","time":"x","time":`);
    const stats = await readFlows(FlowSource.text(`${nested}\n${long}\n`), () => undefined);
    expect(stats.malformed.map((m) => m.reason.replace(/ at column \d+/, ''))).toEqual([
      'not a Hubble record: "source" is written twice in one object (Hubble writes each field once)',
      'not a Hubble record: a key is written twice in one object (Hubble writes each field once)',
    ]);
  });
});

describe('an input that truly ends early is an error (exit 2), never a green result', () => {
  const many = Array.from({ length: 2000 }, (_, i) => flowLine({ source: { labels: [`k8s:app=web${i % 7}`, 'k8s:io.kubernetes.pod.namespace=shop'] } })).join('\n');
  const gz = gzipSync(Buffer.from(many));
  const truncated = write(dir, 'truncated.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 2)));

  test('replay on a truncated gzip', GUARD, async () => {
    const r = await replay('--flows', truncated, '--policies', POLICIES);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: .*truncated\.jsonl\.gz: the flow log could not be read to its end \(after line \d+: unexpected end of file\); nothing is judged \(hubble-input-incomplete\); fix: give the complete flow log/);
  });

  test('draft on a truncated gzip', GUARD, async () => {
    const r = await draft('--flows', truncated);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unexpected end of file\); nothing is judged \(hubble-input-incomplete\)/);
  });

  test('a gzip stream with a bad CRC', GUARD, async () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 6] ^= 0xff; // the CRC32 of the trailer
    const r = await replay('--flows', write(dir, 'crc.jsonl.gz', bad), '--policies', POLICIES);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/: the flow log could not be read to its end \(after line \d+: incorrect data check\)/);
  });
});

// Session 39: a read that failed before the first chunk (EIO) escaped the reader: `error: EIO: i/o error, read`, without the
// file, an id or a fix.
describe('an input whose first read fails is named, as one that ends early', () => {
  test('the reader reports it as a read error, not a thrown one', GUARD, async () => {
    const failing: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })) }),
    };
    const stats = await readFlows(FlowSource._stream(failing, 'broken'), () => undefined);
    expect([stats.flows, stats.readError]).toEqual([0, 'EIO: i/o error, read']);
  });

  test.skipIf(process.platform !== 'linux')('replay --flows /proc/self/mem: exit 2, one line naming the file', GUARD, async () => {
    const r = await replay('--flows', '/proc/self/mem', '--policies', POLICIES);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: /proc/self/mem: the flow log could not be read to its end (before its first line: EIO: i/o error, read); nothing is judged '
      + '(hubble-input-incomplete); fix: give the complete flow log (gzip -t checks a .gz file), as written by hubble observe -o jsonpb\n');
  });
});

describe('a log without a single flow record is an error (exit 2), not "nothing would be dropped"', () => {
  test('replay on a file of junk lines names the first one', GUARD, async () => {
    const junk = write(dir, 'junk.jsonl', 'garbage\n[1, 2]\n');
    const r = await replay('--flows', junk, '--policies', ISOLATE);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: ${junk}:1: no line of 2 is a Hubble flow record (2 malformed; line 1: not JSON: Unexpected token 'g', "garbage" is not valid JSON); `
      + 'nothing is judged (hubble-no-flows); fix: give a flow log as written by hubble observe -o jsonpb (one JSON record per line), with the traffic to judge\n');
  });

  test('replay and draft on an empty capture (hubble observe failed)', GUARD, async () => {
    const empty = write(dir, 'empty.jsonl', '\n\n');
    for (const r of [await replay('--flows', empty, '--policies', ISOLATE), await draft('--flows', empty)]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: .*empty\.jsonl: it is empty; nothing is judged \(hubble-no-flows\)/);
    }
  });

  test('one good line among junk is judged as before', GUARD, async () => {
    const r = await replay('--flows', write(dir, 'one-good.jsonl', `garbage\n${flowLine()}\n`), '--policies', ISOLATE);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/malformed: 1 line: line 1 \(not JSON/);
  });
});

describe('the table lists the first 50 connections of a group and counts the rest; JSON and exit codes cover them all', () => {
  const ports = Array.from({ length: 120 }, (_, i) => {
    const line = JSON.parse(flowLine()) as { flow: { l4: { TCP: { destination_port: number } } } };
    line.flow.l4.TCP.destination_port = 1000 + i;
    return JSON.stringify(line);
  });
  const file = write(dir, 'many-drops.jsonl', `${ports.join('\n')}\n`);

  test('120 connections that would be dropped: 50 listed, one line for the other 70, exit 1; --all lists all 120', GUARD, async () => {
    const table = await replay('--flows', file, '--policies', ISOLATE);
    expect(table.code).toBe(1);
    expect(table.stdout).toContain('WOULD BE DROPPED: 120 connections, 120 records\n');
    expect(table.stdout.match(/^ {2}pod:shop:app=web → pod:shop:app=api \d+\/TCP$/gm)).toHaveLength(50);
    expect(table.stdout).toContain('\n  … 70 more would be dropped (--all lists them here; --output json lists every one)\n');
    expect(table.stdout).toContain('connections: 120 would be dropped (120 records)');
    const all = await replay('--flows', file, '--policies', ISOLATE, '--all');
    expect(all.code).toBe(1);
    expect(all.stdout.match(/^ {2}pod:shop:app=web → pod:shop:app=api \d+\/TCP$/gm)).toHaveLength(120);
    expect(all.stdout).not.toContain('more would be dropped');
    const json = await replay('--flows', file, '--policies', ISOLATE, '--output', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).connections.filter((c: { change: string }) => c.change === 'newly-dropped')).toHaveLength(120);
  });

  test('121 namespaces (shop and 120 others): the rollout table lists 50 and counts the other 71; the JSON report has all 121', GUARD, async () => {
    const lines = Array.from({ length: 120 }, (_, i) => flowLine({ source: { namespace: `ns-${i}`, labels: ['k8s:app=web', `k8s:io.kubernetes.pod.namespace=ns-${i}`] } }));
    const many = write(dir, 'many-namespaces.jsonl', `${lines.join('\n')}\n`);
    const table = await replay('--flows', many, '--policies', ISOLATE);
    expect(table.stdout.match(/^ {2}(?:ns-\d+|shop): /gm)).toHaveLength(50);
    expect(table.stdout.match(/^ {2}(?:ns-\d+|shop) +\d/gm)).toHaveLength(50);
    expect(table.stdout).toContain('\n  … 71 more namespaces (--all lists them here; --output json lists every one)\n');
    expect(JSON.parse((await replay('--flows', many, '--policies', ISOLATE, '--output', 'json')).stdout).namespaces).toHaveLength(121);
  });
});

describe('budgets: junk input stops the read instead of burning CPU', () => {
  test(`more than ${MAX_BLANK_LINES} blank lines (a small gzip of newlines)`, GUARD, async () => {
    const newlines = write(dir, 'newlines.gz', gzipSync(Buffer.alloc(MAX_BLANK_LINES + 10, 10)));
    const r = await replay('--flows', newlines, '--policies', POLICIES);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\(after line 1000001: more than 1000000 blank lines: not a flow log; the read stopped\)/);
  });

  test(`more than ${MAX_FLOW_LABELS} labels on one endpoint: malformed, and draft stays fast`, GUARD, async () => {
    const labels = Array.from({ length: 20_000 }, (_, i) => `k8s:l${i}=v`);
    const file = write(dir, 'labels.jsonl', `${flowLine({ source: { labels } })}\n${flowLine()}\n`);
    const r = await draft('--flows', file, '--output', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 malformed line skipped \(first: line 1\)/);
    const stats = await readFlows(FlowSource.file(file), () => undefined);
    expect(stats.malformed[0].reason).toBe(`not a usable flow: source.labels has 20000 entries, more than the ${MAX_FLOW_LABELS} accepted`);
  });

  test('an endless line stops the read after 64 MiB of overlong lines', GUARD, async () => {
    const zeros = Buffer.alloc(1024 * 1024);
    const endless = (async function* () {
      for (;;) yield zeros;
    })();
    const stats = await readFlows(FlowSource._stream(endless, '<zeros>'), () => undefined);
    expect(stats.readError).toBe('more than 64 MiB in lines longer than 16777216 bytes: not a flow log; the read stopped');
  });

  test('/dev/zero (or a FIFO) as the flow log file is refused when opened, not read forever', GUARD, async () => {
    const r = await replay('--flows', '/dev/zero', '--policies', POLICIES);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: cannot read flow log /dev/zero: not a regular file (a device, socket or pipe) (hubble-flows-not-found); '
      + 'fix: give a file, or stream the flows into --flows - (standard input)\n');
  });

  test('draft merges many peers with many labels without quadratic re-serialization', GUARD, async () => {
    const flows = Array.from({ length: 30 }, (_, i) => flowLine({
      source: { identity: 1000 + i, labels: Array.from({ length: MAX_FLOW_LABELS - 6 }, (_unused, j) => `k8s:l${j}=v${i}`) },
    }));
    const r = await draft('--flows', write(dir, 'many-peers.jsonl', `${flows.join('\n')}\n`), '--output', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^drafted 31 policies in 1 namespace from 30 flow records/);
  });

  test('a line nested 10,000 levels deep is malformed', GUARD, async () => {
    const stats = await readFlows(FlowSource.text(`{"flow":${'['.repeat(10_000)}${']'.repeat(10_000)}}\n${flowLine()}\n`), () => undefined);
    expect(stats.malformed).toEqual([{ line: 1, reason: 'nested more than 100 levels deep' }]);
    expect(stats.flows).toBe(1);
  });

  test('lines of invalid UTF-8 or with NUL bytes are malformed', GUARD, async () => {
    // (FF FE opening the log is a UTF-16 byte-order mark, refused whole since session 47: inputs.test.ts.)
    const bytes = Buffer.concat([Buffer.from([0xc3, 0x28, 0x7b, 0x7d, 10]), Buffer.from(`{"flow":{"verdict":"FORWARDED\u0000"}}\n`), Buffer.from(`${flowLine()}\n`)]);
    const stats = await readFlows(FlowSource._bytes(bytes), () => undefined);
    expect(stats.malformed.map((m) => [m.line, m.reason.replace(/:.*/, '')])).toEqual([[1, 'not valid UTF-8 text'], [2, 'not JSON']]);
    expect(stats.flows).toBe(1);
  });
});
