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

/**
 * Which key is written twice in one object of `text`, a JSON text `JSON.parse` read as `value`: the key and its
 * 1-based column (`"verdict" at column 120`), or `a key` when the text is longer than `NAMED_BYTES` or `name` is false
 * (a reader that only counts such texts past the first ones it reports); `undefined` when every key of every object is
 * written once.
 */
export function jsonDuplicateKey(text: string, value: unknown, name = true): string | undefined {
  if (writtenKeys(text) === valueKeys(value)) return undefined;
  if (!name || text.length > NAMED_BYTES) return 'a key';
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
    return `${key.length > 60 ? `${key.slice(0, 60)}…` : key} at column ${at + 1}`;
  }
  return 'a key';
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
