/**
 * Duplicate keys in JSON text. `JSON.parse` keeps the last value of a key written twice and says nothing, so a Hubble
 * record `{"verdict":"DROPPED",…,"verdict":"FORWARDED"}` would be judged on whichever came last; Hubble never writes
 * such a record and its own reader (protojson) refuses it ("duplicate field"). A reader that uses `JSON.parse` calls
 * `jsonDuplicateKey` on the text and the value it got, and refuses the text when a key is named.
 *
 * The check is linear and costs about half a `JSON.parse`: the keys written in the text (strings followed by `:`, found
 * from quote to quote) are counted and compared with the keys of the value; fewer keys in the value means a key was
 * written twice in one object. Which key is then told by the YAML reader's duplicate-key check (`parseYamlStream`,
 * the one implementation), for texts up to `NAMED_BYTES`.
 */
import { parseYamlStream } from './yaml-stream';

/**
 * The longest text whose duplicate key is named: the YAML reader is about 100 times slower than `JSON.parse` (2 ms for
 * a Hubble record of 16 KiB; they are 1 to 3 KiB).
 */
export const NAMED_BYTES = 16 * 1024;

/** A key written twice in one object of a JSON text: the key as JSON (`"labels"`, cut at 60 characters), where its second writing starts. */
export interface JsonDuplicateKey {
  /** The key, JSON-quoted (its control characters escaped), or `undefined` when it is not named (a long text). */
  readonly key?: string;
  /** The 0-based offset of its second writing in the text. */
  readonly offset?: number;
  /** Its 1-based line. */
  readonly line?: number;
  /** Its 1-based column. */
  readonly column?: number;
}

/**
 * The key written twice in one object of `text`, a JSON text `JSON.parse` read as `value`, with its line and column;
 * `undefined` when every key of every object is written once. The key is named for texts up to `namedBytes` (a reader
 * of one file, read as a whole, names it at any size); past it, or when `namedBytes` is 0, it is `{}`.
 */
function findJsonDuplicateKey(text: string, value: unknown, namedBytes = NAMED_BYTES): JsonDuplicateKey | undefined {
  if (writtenKeys(text) === valueKeys(value)) return undefined;
  if (text.length > namedBytes) return {};
  for (const doc of parseYamlStream(text)) {
    const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (dup === undefined) continue;
    const at = dup.pos[0];
    const end = text.indexOf('"', at + 1);
    let key = text.slice(at, end + 1);
    try {
      key = JSON.stringify(JSON.parse(key));
    } catch {
      // As written.
    }
    let line = 1;
    let lineStart = 0;
    for (let nl = text.indexOf('\n'); nl !== -1 && nl < at; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    return { key: key.length > 60 ? `${key.slice(0, 60)}…` : key, offset: at, line, column: at - lineStart + 1 };
  }
  return {};
}

/**
 * Which key is written twice in one object of `text`, a JSON text `JSON.parse` read as `value`: the key and its
 * 1-based offset, the column of a one-line text (`"verdict" at column 120`), or `a key` when the text is longer than
 * `NAMED_BYTES` or `name` is false (a reader that only counts such texts past the first ones it reports); `undefined`
 * when every key of every object is written once.
 */
export function jsonDuplicateKey(text: string, value: unknown, name = true): string | undefined {
  const dup = findJsonDuplicateKey(text, value, name ? NAMED_BYTES : 0);
  if (dup === undefined) return undefined;
  return dup.key !== undefined && dup.offset !== undefined ? `${dup.key} at column ${dup.offset + 1}` : 'a key';
}

/**
 * A key written twice in JSON file `file`, as the message and fix of its refusal: `inv.json:3:7: the key "labels" is
 * written twice in one JSON object`, `remove one of the two "labels" keys`.
 */
function jsonDuplicateKeyText(file: string, dup: JsonDuplicateKey): { message: string; fix: string } {
  if (dup.key === undefined) {
    return { message: `${file}: a key is written twice in one JSON object`, fix: 'remove the second writing of the key (JSON.parse would keep only the last value)' };
  }
  return {
    message: `${file}:${dup.line}:${dup.column}: the key ${dup.key} is written twice in one JSON object`,
    fix: `remove one of the two ${dup.key} keys (JSON.parse would keep only the last value)`,
  };
}

/**
 * The value of the JSON text of a whole file, or `undefined` when it is not JSON (the caller reads it otherwise); a key
 * written twice in one object is refused with the error `refuse` makes of its text (`jsonDuplicateKeyText`, named at any
 * size: a file is read as a whole).
 * @param file the file, as messages name it
 */
export function parseJsonFile(text: string, file: string, refuse: (text: { message: string; fix: string }) => Error): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  const dup = findJsonDuplicateKey(text, value, Infinity);
  if (dup === undefined) return value;
  throw refuse(jsonDuplicateKeyText(file, dup));
}

/** How many keys are written in a valid JSON text: strings (from an unescaped quote to the next) followed by `:`. */
function writtenKeys(text: string): number {
  let keys = 0;
  let open = false;
  for (let q = text.indexOf('"'); q !== -1; q = text.indexOf('"', q + 1)) {
    if (!open) {
      open = true;
      continue;
    }
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 1) continue;
    open = false;
    let i = q + 1;
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
    if (text.charCodeAt(i) === COLON) keys++;
  }
  return keys;
}

/** How many keys the objects of a parsed JSON value hold (iteratively: its depth is not bounded here). */
function valueKeys(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const e of v) if (typeof e === 'object' && e !== null) stack.push(e);
      continue;
    }
    for (const k of Object.keys(v)) {
      keys++;
      const e = (v as Record<string, unknown>)[k];
      if (typeof e === 'object' && e !== null) stack.push(e);
    }
  }
  return keys;
}

const BACKSLASH = 92;
const COLON = 58;
