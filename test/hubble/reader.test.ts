// The streaming flow reader: the real samples, every format, gzip, standard input, chunk boundaries, malformed lines.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { FlowSource, HubbleFlow, collectConnections, forEachLine, readFlows } from '../../src/hubble';
import { HUBBLE_FIXTURES_DIR, HUBBLE_SAMPLES_DIR } from './support/paths';

const SAMPLES = readdirSync(HUBBLE_SAMPLES_DIR).filter((f) => f.endsWith('.jsonl')).sort();

async function read(source: FlowSource): Promise<{ flows: { flow: HubbleFlow; line: number }[]; stats: Awaited<ReturnType<typeof readFlows>> }> {
  const flows: { flow: HubbleFlow; line: number }[] = [];
  const stats = await readFlows(source, (flow, line) => flows.push({ flow, line }));
  return { flows, stats };
}

/** A stream that hands the bytes over in pieces of the given sizes (cycling), to cut lines and UTF-8 sequences anywhere. */
function pieces(bytes: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  return (async function* () {
    let i = 0;
    for (let k = 0; i < bytes.length; k++) {
      const n = sizes[k % sizes.length];
      yield bytes.subarray(i, i + n);
      i += n;
    }
  })();
}

describe('the real samples in shared/hubble-samples', () => {
  test('there are samples', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(12);
  });

  test.each(SAMPLES)('%s parses without errors', async (file) => {
    const text = readFileSync(join(HUBBLE_SAMPLES_DIR, file), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '').length;
    const { flows, stats } = await read(FlowSource.file(join(HUBBLE_SAMPLES_DIR, file)));
    expect(stats.malformedCount).toBe(0);
    expect(stats.malformed).toEqual([]);
    expect(stats.readError).toBeUndefined();
    expect(stats.flows).toBe(lines);
    expect(flows.map((f) => f.line)).toEqual(Array.from({ length: lines }, (_, i) => i + 1));
    expect(flows.every((f) => typeof f.flow.verdict === 'string')).toBe(true);
  });

  test('formats: jsonpb wrappers and the legacy bare flow of the printer test', async () => {
    const { stats } = await read(FlowSource.file(join(HUBBLE_SAMPLES_DIR, 'cilium-printer-test.expected-json.jsonl')));
    expect(stats.formats).toEqual({ jsonpb: 2, legacy: 1 });
    const tke = await read(FlowSource.file(join(HUBBLE_SAMPLES_DIR, 'tke-guide.cilium-1.19.1-export.jsonl')));
    expect(tke.stats.formats).toEqual({ jsonpb: 3, legacy: 0 });
  });

  test('every sample groups into connections; the skip reasons are the documented ones', async () => {
    const all = new Map<string, number>();
    for (const file of SAMPLES) {
      const c = await collectConnections(FlowSource.file(join(HUBBLE_SAMPLES_DIR, file)));
      expect(c.input.malformedCount).toBe(0);
      expect(c.grouped + Object.values(c.skipped).reduce((a, b) => a + (b ?? 0), 0)).toBe(c.input.flows);
      for (const [k, v] of Object.entries(c.skipped)) all.set(k, (all.get(k) ?? 0) + (v ?? 0));
    }
    // Ends without labels that name a pod (or carry a cluster identity number) are pods of unknown identity, not skipped.
    expect([...all.keys()].sort()).toEqual(['l7-response', 'no-direction', 'non-policy-drop', 'reply']);
  });
});

describe('lines', () => {
  test('CRLF, a byte order mark, blank lines and a last line without newline', async () => {
    const seen: [string, number][] = [];
    const r = await forEachLine(FlowSource.text('\ufeff{"a":1}\r\n\r\n{"b":2}\n  \n{"c":3}'), (l, n) => seen.push([l, n]));
    expect(seen).toEqual([['{"a":1}', 1], ['', 2], ['{"b":2}', 3], ['  ', 4], ['{"c":3}', 5]]);
    expect(r.lines).toBe(5);
    expect(r.gzip).toBe(false);
  });

  test('chunk boundaries anywhere, including inside multi-byte characters, change nothing', async () => {
    const text = readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), 'utf8') + '{"flow":{"verdict":"FORWARDED","Summary":"ünïcödé ✓ 🚀"}}\n';
    const bytes = Buffer.from(text, 'utf8');
    const whole = await read(FlowSource._bytes(bytes));
    for (const sizes of [[1], [2, 3, 5], [7, 1, 13], [4096]]) {
      const cut = await read(FlowSource._stream(pieces(bytes, sizes)));
      expect(cut.stats).toEqual({ ...whole.stats, source: '<stream>' });
      expect(cut.flows).toEqual(whole.flows);
    }
    expect(whole.flows.at(-1)?.flow.Summary).toBe('ünïcödé ✓ 🚀');
  });

  test('malformed lines are counted with their line numbers and never stop the run', async () => {
    const input = [
      '{"flow":{"verdict":"FORWARDED"}}',
      'not json at all',
      '[1,2,3]',
      '"a string"',
      'null',
      '{"flow":"not an object"}',
      '{"something":"else"}',
      '{"flow":{"verdict":"DROPPED"}}',
    ].join('\n');
    const { flows, stats } = await read(FlowSource.text(input));
    expect(flows.map((f) => f.line)).toEqual([1, 8]);
    expect(stats.malformedCount).toBe(6);
    expect(stats.malformed.map((m) => m.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(stats.malformed[0].reason).toMatch(/^not JSON: /);
    expect(stats.malformed[1].reason).toBe('not a Hubble record: a JSON array');
    expect(stats.malformed[3].reason).toBe('not a Hubble record: a JSON null');
    expect(stats.malformed[4].reason).toBe('"flow" is not an object');
    expect(stats.malformed[5].reason).toMatch(/no "flow" \(jsonpb\)/);
  });

  test('only the first malformed lines are listed; all are counted', async () => {
    const input = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? 'garbage' : '{"flow":{"verdict":"FORWARDED"}}')).join('\n');
    const { stats } = await read(FlowSource.text(input));
    expect(stats.malformedCount).toBe(125);
    expect(stats.malformed).toHaveLength(100);
    expect(stats.flows).toBe(125);
  });

  test('lines over the length limit are skipped without being held in memory', async () => {
    const long = `{"flow":{"verdict":"FORWARDED","Summary":"${'x'.repeat(5000)}"}}`;
    const input = ['{"flow":{"verdict":"FORWARDED"}}', long, '{"flow":{"verdict":"DROPPED"}}', long].join('\n');
    const seen: number[] = [];
    const stats = await readFlows(FlowSource._stream(pieces(Buffer.from(input), [100])), (_f, n) => seen.push(n), { maxLineLength: 1000 });
    expect(seen).toEqual([1, 3]);
    expect(stats.lines).toBe(4);
    expect(stats.malformed).toEqual([{ line: 2, reason: 'line longer than 1000 bytes' }, { line: 4, reason: 'line longer than 1000 bytes' }]);
  });

  test('lost_events, node_status, agent_event and debug_event records are counted, not flows', async () => {
    const input = [
      '{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12","cpu":1}}',
      '{"lost_events":{"source":"PERF_EVENT_RING_BUFFER","num_events_lost":"3"}}',
      '{"node_status":{"state_change":"NODE_CONNECTED","node_names":["a"]}}',
      '{"agent_event":{"type":"AGENT_STARTED"}}',
      '{"debug_event":{"type":"DBG_GENERIC"}}',
      '{"flow":{"verdict":"FORWARDED"},"node_name":"a"}',
    ].join('\n');
    const { flows, stats } = await read(FlowSource.text(input));
    expect(flows).toHaveLength(1);
    expect(stats.otherRecords).toEqual({ agent_event: 1, debug_event: 1, lost_events: 2, node_status: 1 });
    expect(stats.lostEvents).toBe(15);
    expect(stats.malformedCount).toBe(0);
  });
});

describe('gzip and standard input', () => {
  const plain = readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'));

  test('gzip is detected by its magic bytes, in memory and as a stream cut into pieces', async () => {
    const expected = await read(FlowSource._bytes(plain));
    const gz = gzipSync(plain);
    const mem = await read(FlowSource._bytes(gz));
    expect(mem.stats).toEqual({ ...expected.stats, gzip: true });
    expect(mem.flows).toEqual(expected.flows);
    const stream = await read(FlowSource._stream(pieces(gz, [1, 3, 1000])));
    expect(stream.flows).toEqual(expected.flows);
    expect(stream.stats.gzip).toBe(true);
  });

  test('concatenated gzip members (rotated exporter files) read as one log', async () => {
    const lines = plain.toString('utf8').split('\n');
    const half = Math.floor(lines.length / 2);
    const a = Buffer.from(`${lines.slice(0, half).join('\n')}\n`);
    const b = Buffer.from(lines.slice(half).join('\n'));
    const { stats } = await read(FlowSource._bytes(Buffer.concat([gzipSync(a), gzipSync(b)])));
    expect(stats.lines).toBe((await read(FlowSource._bytes(plain))).stats.lines);
  });

  test('a truncated gzip stream keeps what was read and says so', async () => {
    // 100 copies: 16 MB of flows, 0.7 MB gzipped, so the half that is kept spans two of the reader's 256 KB chunks.
    const big = Buffer.from(Array.from({ length: 100 }, () => plain.toString('utf8')).join('\n'));
    const gz = gzipSync(big);
    expect(gz.length / 2).toBeGreaterThan(256 * 1024);
    const { stats } = await read(FlowSource._bytes(gz.subarray(0, Math.floor(gz.length / 2))));
    expect(stats.readError).toMatch(/unexpected end of file/i);
    expect(stats.flows).toBeGreaterThan(1000);
  });

  test('a missing file is an input error', () => {
    expect(() => FlowSource.file(join(HUBBLE_FIXTURES_DIR, 'nope.jsonl'))._chunks()).toThrow(/cannot read flow log .*nope\.jsonl: ENOENT/);
    expect(() => FlowSource.file(HUBBLE_FIXTURES_DIR)._chunks()).toThrow(/EISDIR/);
  });

  test('empty input', async () => {
    const { flows, stats } = await read(FlowSource.text(''));
    expect(flows).toEqual([]);
    expect(stats).toMatchObject({ lines: 0, flows: 0, malformedCount: 0, gzip: false });
  });
});
