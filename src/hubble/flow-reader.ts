/**
 * Streaming reader of Hubble flow logs: `hubble observe -o json` / `-o jsonpb` and the agent's flow exporter
 * (`{"flow": {...}, "node_name": ..., "time": ...}` per line), legacy bare flows (Hubble CLI 0.10 and older), gzip
 * (detected by its magic bytes, also on standard input), any mix of them. Memory stays bounded whatever the input size:
 * the input is read in chunks, split into lines, and every line is parsed and handed over before the next chunk is read.
 * Malformed lines (not JSON, a key written twice in one object, nesting too deep, invalid UTF-8, a field of the wrong
 * type: `flow-shape.ts`, a line over the length limit) are counted with their line numbers and never stop the run. An input that ends early (a truncated or
 * corrupt gzip stream, a read error) or that is mostly junk (more than `MAX_BLANK_LINES` blank lines, more than
 * `MAX_SKIPPED_BYTES` in overlong lines) sets `readError`: the commands then stop with an error (exit 2), never a green
 * result over part of the input.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, createReadStream, fstatSync, openSync } from 'node:fs';
import { PassThrough, Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CiliumPolicyError } from '../core/errors';
import { wideEncoding, wideEncodingFix } from '../model/inputs';
import { jsonDuplicateKey } from '../model/json-duplicate-key';
import { OptionDefaults } from '../model/known-keys';
import { MAX_NESTING_DEPTH, nestingDepthError } from '../model/nesting-depth';
import { HubbleFlow } from './flow';
import { flowShapeError } from './flow-shape';

/** Where flow records come from: a file, standard input, a stream or text. Gzip is recognised in every case. */
export class FlowSource {
  /**
   * A file (plain or gzip-compressed); `-` is standard input. Regular files only, as every input of the commands (see
   * `model/inputs.ts`): a FIFO or device is refused when read (opened non-blocking, so it cannot hang); stream those
   * through standard input.
   */
  public static file(path: string): FlowSource {
    if (path === '-') return FlowSource.stdin();
    return new FlowSource(path, () => {
      let fd: number;
      try {
        fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      } catch (e) {
        throw new CiliumPolicyError({
          id: 'hubble-flows-not-found',
          message: `cannot read flow log ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          fix: 'give an existing file (hubble observe -o jsonpb > flows.jsonl), or - for standard input',
        });
      }
      const st = fstatSync(fd);
      if (!st.isFile()) {
        closeSync(fd);
        throw new CiliumPolicyError({
          id: 'hubble-flows-not-found',
          message: `cannot read flow log ${path}: ${st.isDirectory() ? 'a directory (EISDIR)' : 'not a regular file (a device, socket or pipe)'}`,
          fix: st.isDirectory() ? 'give a file, not a directory' : 'give a file, or stream the flows into --flows - (standard input)',
        });
      }
      return createReadStream(path, { fd, highWaterMark: CHUNK_BYTES, start: 0 });
    });
  }

  /** The process's standard input. */
  public static stdin(): FlowSource {
    return new FlowSource('<stdin>', () => process.stdin);
  }

  /**
   * A stream of bytes or text (a `Readable`, or any async iterable of chunks). TypeScript only (Node types): from other
   * languages read a file or standard input.
   * @param name the name used in reports
   * @internal
   */
  public static _stream(stream: AsyncIterable<Uint8Array | string>, name = '<stream>'): FlowSource {
    let used = false;
    return new FlowSource(name, () => {
      if (used) throw new CiliumPolicyError({ id: 'hubble-source-reused', message: `${name} was already read`, fix: 'create a new FlowSource per read' });
      used = true;
      return stream;
    });
  }

  /**
   * Flow records in memory, as text (JSON lines).
   * @param name the name used in reports
   */
  public static text(text: string, name = '<text>'): FlowSource {
    return FlowSource._bytes(Buffer.from(text, 'utf8'), name);
  }

  /**
   * Flow records in memory, as bytes: JSON lines, plain or gzip-compressed. TypeScript only (Node types): from other
   * languages use `text` or a file.
   * @param name the name used in reports
   * @internal
   */
  public static _bytes(bytes: Uint8Array, name = '<bytes>'): FlowSource {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new FlowSource(name, () => (async function* () {
      for (let i = 0; i < buf.length; i += CHUNK_BYTES) yield buf.subarray(i, i + CHUNK_BYTES);
    })());
  }

  private constructor(
    /** The name used in reports: the file name, `<stdin>`, `<stream>` or `<text>`. */
    public readonly name: string,
    private readonly open: () => AsyncIterable<Uint8Array | string>,
  ) {}

  /** @internal The raw chunks. */
  public _chunks(): AsyncIterable<Uint8Array | string> {
    return this.open();
  }
}

/** Options of the readers. */
export interface FlowReadOptions {
  /**
   * Lines longer than this (in bytes) are counted as malformed and skipped without being held in memory.
   * @default 16777216 (16 Mi)
   */
  readonly maxLineLength?: number;
  /**
   * How many malformed lines are reported with their line number and reason (all are counted).
   * @default 100
   */
  readonly maxMalformedReported?: number;
}

/** The options of `FlowReadOptions` with their defaults (`option-unknown`, as part of `CollectOptions`). */
export const FLOW_READ_OPTION_DEFAULTS: OptionDefaults = {
  maxLineLength: '16777216 (16 Mi)',
  maxMalformedReported: '100',
};

/** A malformed line. */
export interface MalformedLine {
  /** Its line number (1-based, in the decompressed text). */
  readonly line: number;
  /** Why it was not read. */
  readonly reason: string;
}

/** Flow records per format. */
export interface FlowFormatCounts {
  /** Wrapped records (`{"flow": …}`: `hubble observe -o json`/`-o jsonpb`, the exporter). */
  readonly jsonpb: number;
  /** Bare flows (Hubble CLI 0.10 and older). */
  readonly legacy: number;
}

/** What a read saw, line by line. */
export interface FlowReadStats {
  /** The source's name. */
  readonly source: string;
  /** Whether the input was gzip-compressed. */
  readonly gzip: boolean;
  /** Lines read (including blank and malformed ones). */
  readonly lines: number;
  /** Blank lines. */
  readonly blankLines: number;
  /** Flow records handed over. */
  readonly flows: number;
  /** Flow records per format: `jsonpb` (wrapped: `hubble observe -o json`/`-o jsonpb`, the exporter) and `legacy` (a bare flow). */
  readonly formats: FlowFormatCounts;
  /** Records that are not flows, by kind: `lost_events`, `node_status`, `agent_event`, `debug_event`. */
  readonly otherRecords: { readonly [kind: string]: number };
  /** The sum of `lost_events.num_events_lost`: flows Hubble dropped before they reached the log. */
  readonly lostEvents: number;
  /** How many lines were malformed. */
  readonly malformedCount: number;
  /** The first malformed lines (see `maxMalformedReported`). */
  readonly malformed: MalformedLine[];
  /**
   * Set when the input ended early (a truncated or corrupt gzip stream, a read error) or was cut off as junk (see
   * `MAX_BLANK_LINES`, `MAX_SKIPPED_BYTES`): the counts cover what was read; the commands refuse to judge it (exit 2).
   * @default - none: the whole input was read
   */
  readonly readError?: string;
  /**
   * What to do about `readError` when the input is no UTF-8 at all (a UTF-16 log, as PowerShell 5's `>` writes it, is
   * refused before its first line): the command that converts it. `Connections.collect` and `Replay.flows` throw it as
   * the fix of a `hubble-input-incomplete` error.
   * @default - none: give the complete flow log
   */
  readonly readErrorFix?: string;
}

/** Blank lines tolerated in one input: more means it is not a flow log (a gzip of gigabytes of newlines), and the read stops. */
export const MAX_BLANK_LINES = 1_000_000;
/** Bytes of lines over the length limit tolerated in one input (`/dev/zero` is one endless line); then the read stops. */
export const MAX_SKIPPED_BYTES = 64 * 1024 * 1024;

/** Receives one line; the line number is 1-based. */
export type LineHandler = (line: string, lineNumber: number) => void;

/** Receives one flow record with its line number. */
export type FlowHandler = (flow: HubbleFlow, lineNumber: number) => void;

const CHUNK_BYTES = 256 * 1024;
const DEFAULT_MAX_LINE = 16 * 1024 * 1024;
const OTHER_RECORD_KINDS = ['lost_events', 'node_status', 'agent_event', 'debug_event'];

/** Line statistics of `forEachLine` (internal). */
export interface LineReadStats {
  /** Lines read. */
  readonly lines: number;
  /** Whether the input was gzip-compressed. */
  readonly gzip: boolean;
  /** Lines longer than the limit (not handed over). */
  readonly overlong: readonly number[];
  /** Lines that are not valid UTF-8 (not handed over): how many, and the first 100 line numbers. */
  readonly invalidUtf8: {
    /** How many lines. */
    readonly count: number;
    /** The first 100 of their line numbers. */
    readonly lines: readonly number[];
  };
  /** Set when the input ended early. */
  readonly readError?: string;
  /** What to do about `readError`, when the reader knows (`FlowReadStats.readErrorFix`). */
  readonly readErrorFix?: string;
}

/**
 * Calls `onLine` for every line of the source (`\n` or `\r\n`; a UTF-8 byte order mark is dropped), in order, with its
 * line number. Lines are split on the bytes and decoded one by one, so no chunk is decoded twice and a line cut between
 * chunks (or inside a multi-byte character) is joined first. Lines longer than `maxLineLength` bytes are not handed over
 * (nor held in memory); their numbers are returned.
 */
export async function forEachLine(source: FlowSource, onLine: LineHandler, options: FlowReadOptions = {}): Promise<LineReadStats> {
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  const overlong: number[] = [];
  // The start of a line cut by the end of a chunk: its pieces (joined once the line ends) and their length.
  let carry: Buffer[] = [];
  let carried = 0;
  let skipping = false;
  let lineNumber = 0;
  let readError: string | undefined;
  let readErrorFix: string | undefined;
  let skippedBytes = 0;
  const invalid = { count: 0, lines: [] as number[] };
  const skipBytes = (n: number): void => {
    skippedBytes += n;
    if (skippedBytes > MAX_SKIPPED_BYTES) {
      throw new Error(`more than ${MAX_SKIPPED_BYTES / (1024 * 1024)} MiB in lines longer than ${maxLine} bytes: not a flow log; the read stopped`);
    }
  };
  // Whether the chunk being split is valid UTF-8 as a whole (one native check per chunk; lines of an invalid chunk, and
  // lines joined across chunks, are checked one by one).
  let chunkBuf: Buffer | undefined;
  let chunkUtf8 = false;
  const emit = (buf: Buffer, start: number, end: number): void => {
    lineNumber++;
    const e = end > start && buf[end - 1] === 13 ? end - 1 : end;
    if (e === start) {
      onLine('', lineNumber);
      return;
    }
    if (e - start > maxLine) {
      overlong.push(lineNumber);
      skipBytes(e - start);
      return;
    }
    if (!(buf === chunkBuf && chunkUtf8) && !isUtf8(buf.subarray(start, e))) {
      invalid.count++;
      if (invalid.lines.length < 100) invalid.lines.push(lineNumber);
      return;
    }
    let line = buf.toString('utf8', start, e);
    if (lineNumber === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    onLine(line, lineNumber);
  };
  // Opening is outside: a file that cannot be opened is refused as such (hubble-flows-not-found).
  const raw = source._chunks();
  let input: Decompressed;
  try {
    input = await decompressed(raw);
  } catch (e) {
    // The first read failed (EIO from /proc/self/mem, a device gone): nothing was read, and the commands say so (exit 2).
    return { lines: 0, gzip: false, overlong, invalidUtf8: invalid, readError: e instanceof Error ? e.message : String(e) };
  }
  try {
    for await (const chunk of input.chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk
        : Buffer.from((chunk as Uint8Array).buffer, (chunk as Uint8Array).byteOffset, (chunk as Uint8Array).byteLength);
      if (lineNumber === 0 && carried === 0 && !skipping && buf.length > 0) {
        // UTF-16 (PowerShell 5's > writes it) is no flow log to split into lines: every line would be malformed.
        const wide = wideEncoding(buf);
        if (wide) {
          readErrorFix = wideEncodingFix(wide, source.name.startsWith('<') ? undefined : source.name, 'Hubble writes UTF-8', input.gzip,
            'cdk8s-cilium … --flows - …');
          throw new Error(`${wide.name} text, not the UTF-8 Hubble writes`);
        }
      }
      chunkBuf = buf;
      chunkUtf8 = isUtf8(buf);
      let start = 0;
      let nl = buf.indexOf(10);
      if (skipping) {
        // Inside a line over the limit: drop bytes up to its end.
        skipBytes(nl === -1 ? buf.length : nl);
        if (nl === -1) continue;
        lineNumber++;
        skipping = false;
        start = nl + 1;
        nl = buf.indexOf(10, start);
      } else if (carried > 0) {
        if (nl === -1) {
          carry.push(Buffer.from(buf));
          carried += buf.length;
          if (carried > maxLine) {
            overlong.push(lineNumber + 1);
            skipping = true;
            carry = [];
            carried = 0;
          }
          continue;
        }
        carry.push(buf.subarray(0, nl));
        const line = Buffer.concat(carry, carried + nl);
        carry = [];
        carried = 0;
        emit(line, 0, line.length);
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      while (nl !== -1) {
        emit(buf, start, nl);
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      if (start < buf.length) {
        if (buf.length - start > maxLine) {
          overlong.push(lineNumber + 1);
          skipping = true;
        } else {
          carry = [Buffer.from(buf.subarray(start))];
          carried = buf.length - start;
        }
      }
    }
  } catch (e) {
    readError = e instanceof Error ? e.message : String(e);
  }
  if (readError === undefined && input.finished) {
    const err = await input.finished;
    if (err) readError = err.message;
  }
  if (carried > 0 && readError === undefined) {
    const line = Buffer.concat(carry, carried);
    try {
      emit(line, 0, line.length);
    } catch (e) {
      readError = e instanceof Error ? e.message : String(e);
    }
  } else if (skipping) {
    lineNumber++;
  }
  return {
    lines: lineNumber, gzip: input.gzip, overlong, invalidUtf8: invalid,
    ...(readError !== undefined ? { readError } : {}), ...(readErrorFix !== undefined ? { readErrorFix } : {}),
  };
}

/**
 * Reads Hubble flow records from a source and calls `onFlow` for each, in order. Each line is one JSON record: a
 * `GetFlowsResponse`/`ExportEvent` wrapper (`{"flow": {...}}`), a bare legacy flow, or a record that is not a flow
 * (`lost_events`, `node_status`, `agent_event`, `debug_event`: counted). Anything else is a malformed line: counted,
 * reported with its line number, and skipped.
 */
export async function readFlows(source: FlowSource, onFlow: FlowHandler, options: FlowReadOptions = {}): Promise<FlowReadStats> {
  const maxReported = options.maxMalformedReported ?? 100;
  const malformed: MalformedLine[] = [];
  let malformedCount = 0;
  let blank = 0;
  let flows = 0;
  let jsonpb = 0;
  let legacy = 0;
  let lostEvents = 0;
  const other: Record<string, number> = {};
  const bad = (line: number, reason: string): void => {
    malformedCount++;
    if (malformed.length < maxReported) malformed.push({ line, reason });
  };
  /** Hands a flow over when its fields have their types; a record the handler cannot use is malformed too. */
  const use = (flow: HubbleFlow, n: number): boolean => {
    const shape = flowShapeError(flow);
    if (shape !== undefined) {
      bad(n, `not a usable flow: ${shape}`);
      return false;
    }
    try {
      onFlow(flow, n);
    } catch (e) {
      bad(n, `not a usable flow: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    flows++;
    return true;
  };
  const lines = await forEachLine(source, (line, n) => {
    if (isBlank(line)) {
      if (++blank > MAX_BLANK_LINES) throw new Error(`more than ${MAX_BLANK_LINES} blank lines: not a flow log; the read stopped`);
      return;
    }
    const deep = mayNestDeeply(line) ? nestingDepthError(line) : undefined;
    if (deep) {
      bad(n, `nested more than ${deep.max} levels deep`);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      bad(n, `not JSON: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // JSON.parse keeps the last of a key written twice: such a record says two things (two verdicts, two addresses). The
    // key is named in the lines reported only (naming it costs a YAML parse).
    const twice = jsonDuplicateKey(line, record, malformed.length < maxReported);
    if (twice !== undefined) {
      bad(n, `not a Hubble record: ${twice} is written twice in one object (Hubble writes each field once)`);
      return;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      bad(n, `not a Hubble record: a JSON ${record === null ? 'null' : Array.isArray(record) ? 'array' : typeof record}`);
      return;
    }
    const r = record as Record<string, unknown>;
    const flow = r.flow;
    if (flow !== undefined) {
      if (typeof flow === 'object' && flow !== null && !Array.isArray(flow)) {
        if (use(flow as HubbleFlow, n)) jsonpb++;
      } else {
        bad(n, '"flow" is not an object');
      }
      return;
    }
    for (const kind of OTHER_RECORD_KINDS) {
      if (r[kind] !== undefined) {
        other[kind] = (other[kind] ?? 0) + 1;
        if (kind === 'lost_events') {
          const lost = Number((r.lost_events as { num_events_lost?: unknown } | null)?.num_events_lost ?? 0);
          if (Number.isFinite(lost) && lost > 0) lostEvents += lost;
        }
        return;
      }
    }
    if (r.verdict !== undefined || r.IP !== undefined || r.l4 !== undefined || r.event_type !== undefined || r.Type !== undefined) {
      if (use(r as HubbleFlow, n)) legacy++;
      return;
    }
    bad(n, 'not a Hubble record: no "flow" (jsonpb), no flow fields (legacy json), and not lost_events/node_status/agent_event/debug_event');
  }, options);
  for (const n of lines.overlong) bad(n, `line longer than ${options.maxLineLength ?? DEFAULT_MAX_LINE} bytes`);
  for (const n of lines.invalidUtf8.lines) bad(n, 'not valid UTF-8 text');
  malformedCount += lines.invalidUtf8.count - lines.invalidUtf8.lines.length;
  if (lines.overlong.length > 0 || lines.invalidUtf8.count > 0) malformed.sort((a, b) => a.line - b.line);
  return {
    source: source.name,
    gzip: lines.gzip,
    lines: lines.lines,
    blankLines: blank,
    flows,
    formats: { jsonpb, legacy },
    otherRecords: Object.fromEntries(Object.entries(other).sort(([a], [b]) => (a < b ? -1 : 1))),
    lostEvents,
    malformedCount,
    malformed: malformed.slice(0, maxReported),
    ...(lines.readError !== undefined ? { readError: lines.readError } : {}),
    ...(lines.readErrorFix !== undefined ? { readErrorFix: lines.readErrorFix } : {}),
  };
}

function isBlank(line: string): boolean {
  return line.length === 0 || line.trim() === '';
}

/** Whether a line has enough `[` and `{` to nest deeper than the limit (cheap, native scans; most lines have about 30). */
function mayNestDeeply(line: string): boolean {
  let n = 0;
  for (const c of ['{', '[']) {
    for (let i = line.indexOf(c); i >= 0; i = line.indexOf(c, i + 1)) if (++n > MAX_NESTING_DEPTH) return true;
  }
  return false;
}

/** A source's chunks, decompressed; `finished` says how decompression ended (an error: the stream was truncated or corrupt). */
interface Decompressed {
  readonly gzip: boolean;
  readonly chunks: AsyncIterable<Uint8Array | string>;
  readonly finished?: Promise<Error | undefined>;
}

/** The chunks, decompressed when they start with the gzip magic bytes (1f 8b). */
async function decompressed(raw: AsyncIterable<Uint8Array | string>): Promise<Decompressed> {
  const it = raw[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  // Peek at least two bytes (text chunks are never gzip).
  while (size < 2) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    if (typeof r.value === 'string') {
      return { gzip: false, chunks: rest([...head, r.value], it, false) };
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    if (b.length === 0) continue;
    head.push(b);
    size += b.length;
  }
  const first = head.length === 1 ? head[0] : Buffer.concat(head);
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  if (!gzip) return { gzip, chunks: rest(first.length > 0 ? [first] : [], it, done) };
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  const out = new PassThrough({ readableHighWaterMark: CHUNK_BYTES });
  // pipeline destroys every stage on failure; the error surfaces where `out` is iterated, or (a gzip stream cut short
  // after its last full block ends `out` cleanly) only in the pipeline's callback: `finished` carries it.
  const finished = new Promise<Error | undefined>((resolve) => {
    pipeline(Readable.from(rest([first], it, done), { objectMode: false }), gunzip, out, (err) => resolve(err ?? undefined));
  });
  return { gzip, chunks: out, finished };
}

async function* rest(head: (Uint8Array | string)[], it: AsyncIterator<Uint8Array | string>, done: boolean): AsyncGenerator<Uint8Array | string> {
  for (const h of head) yield h;
  if (done) return;
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}
