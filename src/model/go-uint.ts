/** Go's `strconv.ParseUint` with base 0, as Cilium reads a port number. */

/** The result of Go's `strconv.ParseUint(s, 0, bits)`. */
export type GoUintResult = { readonly ok: true; readonly value: number; readonly base: number } | { readonly ok: false; readonly reason: 'syntax' | 'range' };

/**
 * Go's `strconv.ParseUint(s, 0, bitSize)`: base from the prefix (`0x` hex, `0o` or a bare leading `0` octal, `0b`
 * binary, else decimal) and underscores allowed only where Go integer literals allow them.
 */
export function goParseUint(s: string, bitSize: number): GoUintResult {
  if (s.length === 0) return { ok: false, reason: 'syntax' };
  const s0 = s;
  let base = 10;
  let digits = s;
  if (s[0] === '0') {
    const p = s.length >= 3 ? s[1].toLowerCase() : '';
    if (p === 'b') {
      base = 2;
      digits = s.slice(2);
    } else if (p === 'o') {
      base = 8;
      digits = s.slice(2);
    } else if (p === 'x') {
      base = 16;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
    }
  }
  const max = 2 ** bitSize - 1;
  let n = 0;
  let underscores = false;
  let overflow = false;
  for (const c of digits) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const lc = c.toLowerCase();
    let d: number;
    if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (lc >= 'a' && lc <= 'z') d = lc.charCodeAt(0) - 87;
    else return { ok: false, reason: 'syntax' };
    if (d >= base) return { ok: false, reason: 'syntax' };
    n = n * base + d;
    if (n > max) overflow = true;
  }
  if (underscores && !underscoreOK(s0)) return { ok: false, reason: 'syntax' };
  if (overflow) return { ok: false, reason: 'range' };
  return { ok: true, value: n, base };
}

/** Go's `strconv.underscoreOK`: underscores only between digits or right after a base prefix. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1].toLowerCase())) {
    i = 2;
    saw = '0';
    hex = s[1].toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    const lc = c.toLowerCase();
    if ((c >= '0' && c <= '9') || (hex && lc >= 'a' && lc <= 'f')) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}
