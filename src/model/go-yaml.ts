/**
 * How Go's YAML readers read a plain (unquoted) scalar as a number. kubectl, Helm, Argo CD and Flux turn a manifest into
 * JSON with sigs.k8s.io/yaml (a fork of go-yaml v2; Flux after building it with kyaml, go-yaml v3, which resolves numbers
 * alike) before the API server sees it, and both libraries resolve numbers the YAML 1.1 way, where this project's reader (the `yaml` library, YAML 1.2 core schema) differs:
 * `010` is octal 8 there and decimal 10 here; `1_000`, `0b101`, `0X1F` and `-0x1F` are numbers there and strings here.
 * The policy reader uses this to read such scalars as the cluster gets them (`wire-reader.ts`).
 *
 * go-yaml's `resolve` (both versions): a plain scalar starting with a digit or a sign is an integer if, with every `_`
 * removed, `strconv.ParseInt(s, 0, 64)` (or `ParseUint`) accepts it — `0x`, `0o`, `0b` prefixes in either case, a leading
 * `0` for octal, within int64 (uint64 without a sign) —, else a float if it matches `yamlStyleFloat` and
 * `strconv.ParseFloat` takes it (not beyond ±1.8e308); one starting with `.` is a float if `strconv.ParseFloat` takes it as
 * written: it matches `yamlStyleFloat` once its `_` are removed, each of which sat between two digits (`.5_0`).
 * Anything else stays a string: `0x` + 17 hex digits, `1e400`. (Timestamps, `2024-01-01`, are tried first and stay
 * strings in a JSON conversion: no number starts that way.)
 */

import { trimRuns } from './trim-runs';

/** Whether a UTF-16 code unit is the digit 0 (the zeros ending a mantissa are trimmed: `trimRuns`). */
const isZero = (c: number): boolean => c === 0x30;

/** go-yaml's `yamlStyleFloat`. */
// eslint-disable-next-line no-restricted-syntax -- anchored at ^ (its alternatives are inside a group): tried at one position only
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What `strconv.ParseInt(s, 0, 64)` accepts (underscores removed before), but for the range. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;
/** Every `_` between two digits, as `strconv.ParseFloat` takes underscores in a text without a base prefix. */
const GO_FLOAT_UNDERSCORES = /^(?:[^_]|(?<=[0-9])_(?=[0-9]))*$/;
/** The largest int64 (`ParseInt`) and uint64 (`ParseUint`, which takes no sign). */
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The number Go's YAML readers make of the plain scalar `text`, or `undefined` when they read it as something else (a
 * string, a boolean, null, a timestamp). An integer out of range of `int64` and `uint64` is no integer to Go: decimal
 * digits are then a float (`yamlStyleFloat`), `0x…`, `0o…`, `0b…` a string; a float out of range (`1e400`) is a string.
 */
export function goYamlNumber(text: string): number | undefined {
  const read = goYamlNumeric(text);
  if (read === undefined || read.kind === 'float') return read?.value;
  // As before: `-0` is the number -0 here (its JSON is 0 either way).
  return read.value === 0n && text.startsWith('-') ? -0 : Number(read.value);
}

/**
 * `goYamlNumber` with the type Go reads: an integer (`int`, exact: `9007199254740993` stays itself), one only `uint64`
 * holds (above the int64 range), or a float64.
 */
export type GoYamlNumeric = { readonly kind: 'int' | 'uint'; readonly value: bigint } | { readonly kind: 'float'; readonly value: number };

/** The number Go's YAML readers make of the plain scalar `text`, with its type; `undefined` as for `goYamlNumber`. */
export function goYamlNumeric(text: string): GoYamlNumeric | undefined {
  const c = text.charCodeAt(0);
  // go-yaml's `strconv.ParseFloat` of the text as written: `_` only between two digits (Go's `underscoreOK`: `.5_0`, not
  // `._5`, `.5_`, `.5__0`).
  if (c === 46 /* . */) {
    const plain = text.replace(/_/g, '');
    return (plain === text || GO_FLOAT_UNDERSCORES.test(text)) && YAML_STYLE_FLOAT.test(plain) ? goFloat(plain) : undefined;
  }
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return undefined;
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (m) {
    const [, sign, hex, octal, binary, legacyOctal, decimal] = m;
    const [radix, digits] = hex !== undefined ? ['x', hex] : octal !== undefined ? ['o', octal] : binary !== undefined ? ['b', binary]
      : legacyOctal !== undefined ? ['o', legacyOctal] : ['', decimal];
    const significant = digits.replace(/^0+/, '');
    // More than 64 significant digits are beyond uint64 in every base (and BigInt reads a long text in quadratic time).
    const magnitude = significant.length > 64 ? undefined : BigInt(`0${radix}0${significant}`);
    // ParseInt's int64 (down to -2^63), else ParseUint's uint64; beyond both, the float reading below (or a string).
    const limit = sign === '-' ? INT64_MAX + 1n : sign === '+' ? INT64_MAX : UINT64_MAX;
    if (magnitude !== undefined && magnitude <= limit) {
      return { kind: magnitude > INT64_MAX && sign === '' ? 'uint' : 'int', value: sign === '-' ? -magnitude : magnitude };
    }
  }
  return YAML_STYLE_FLOAT.test(plain) ? goFloat(plain) : undefined;
}

/** `strconv.ParseFloat(text, 64)` of a `yamlStyleFloat` text: beyond the float64 range it fails, and the scalar is a string. */
function goFloat(text: string): GoYamlNumeric | undefined {
  const value = Number(text);
  return Number.isFinite(value) ? { kind: 'float', value } : undefined;
}

/**
 * `strconv.FormatFloat(value, 'g', -1, 32)`, as sigs.k8s.io/yaml writes a float key in JSON (an infinity as `.inf`,
 * `-.inf`; NaN as `.nan`): the float32 nearest `value`, in the fewest digits that read back as that float32, in `%e` form
 * (two exponent digits at least) when its exponent is below -4 or at least 6 (Go's rule for the
 * shortest form), else in `%f` form.
 */
export function goFloat32Key(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  const f = Math.fround(value);
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const sign = f < 0 ? '-' : '';
  const [digits, exp] = shortestFloat32(Math.abs(f));
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // %f with as many decimals as digits after the point: digits d1d2… times 10^(exp - len + 1).
  const point = exp + 1;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * The shortest decimal digits (no trailing zeros) and decimal exponent of a digit string that reads back as the
 * float32 `f` (> 0, finite); of several such strings of that length, the nearest `f`.
 */
function shortestFloat32(f: number): [string, number] {
  for (let p = 1; p <= 9; p++) {
    const [m, e] = f.toExponential(p - 1).split('e');
    const n = BigInt(m.replace('.', ''));
    const scale = Number(e) - p + 1;
    let best: [bigint, number] | undefined;
    for (const c of [n - 1n, n, n + 1n]) {
      if (c <= 0n) continue;
      const v = Number(`${c}e${scale}`);
      if (Math.fround(v) !== f) continue;
      const d = Math.abs(v - f);
      if (best === undefined || d < best[1]) best = [c, d];
    }
    if (best !== undefined) {
      const text = String(best[0]);
      // n + 1 may carry into one more digit (999 + 1): its exponent grows by one.
      const exp = scale + text.length - 1;
      return [trimRuns(text, isZero, 'end') || '0', exp];
    }
  }
  const [m, e] = f.toExponential(8).split('e');
  return [trimRuns(m.replace('.', ''), isZero, 'end'), Number(e)];
}

/**
 * Whether go-yaml v2 reads `text` as a timestamp (`parseTimestamp`, which `!!timestamp` needs: "cannot decode !!str `x`
 * as a !!timestamp" otherwise): four digits and `-`, then `time.Parse` with one of `2006-1-2T15:4:5.999999999Z07:00`,
 * the same with `t`, `2006-1-2 15:4:5.999999999` (a space of the layout takes one or more) or `2006-1-2`. So a month,
 * day, hour, minute or second of one or two digits, in range (the day in its month); a fraction of any length after `.`
 * or `,`; a `T`/`t` time ending in `Z` or `±hh:mm` (hours up to 24, minutes up to 60, as `time.Parse` allows).
 */
export function goTimestamp(text: string): boolean {
  const m = GO_TIMESTAMP.exec(text);
  if (!m) return false;
  const [, year, month, day, sep, hour, minute, second, zone] = m;
  const y = Number(year);
  const mo = Number(month);
  if (mo < 1 || mo > 12) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  const d = Number(day);
  if (d < 1 || d > days) return false;
  if (sep === undefined) return true;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return false;
  // The layouts with T or t end in a zone; the one with a space has none.
  if (sep.startsWith(' ') !== (zone === undefined)) return false;
  if (zone === undefined || zone === 'Z') return true;
  return Number(zone.slice(1, 3)) <= 24 && Number(zone.slice(4, 6)) <= 60;
}

/** The shapes of go-yaml v2's timestamp layouts (ranges checked apart): date, then a time after `T`, `t` or spaces, then a zone. */
// eslint-disable-next-line no-restricted-syntax -- anchored at ^ (its alternatives are inside groups): tried at one position only
const GO_TIMESTAMP = /^([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:([Tt]| +)([0-9][0-9]?):([0-9][0-9]?):([0-9][0-9]?)(?:[.,][0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;

/**
 * Whether Go's `base64.StdEncoding.DecodeString` takes `text` (`\r` and `\n` left out, as it ignores them): groups of four
 * of `A-Z a-z 0-9 + /`, the last one padded with `=` (go-yaml v2 refuses a `!!binary` scalar it does not take: "!!binary
 * value contains invalid base64 data"). Written as a loop: the text may be megabytes.
 */
export function goBase64(text: string): boolean {
  let n = 0;
  let pad = 0;
  let padFrom = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) continue;
    if (c === 0x3d) {
      // `=` only as the third and fourth, or the fourth, character of the last group.
      const at = n % 4;
      if (at < 2 || (pad > 0 && at === 2)) return false;
      if (pad === 0) padFrom = at;
      pad++;
    } else if (pad > 0 || !isBase64Char(c)) return false;
    n++;
  }
  return n % 4 === 0 && (pad === 0 || pad === 4 - padFrom);
}

function isBase64Char(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
}

/**
 * Why a boolean was written where a string is wanted, when its text is a YAML 1.1 boolean only (`on`, `NO`: not `true`,
 * `false`): `unquoted NO is a YAML 1.1 boolean: kubectl, Helm, Argo CD and Flux send false`; `undefined` otherwise. The
 * one wording of the policy reader, the NetworkPolicy checks and the `--inventory` reader (each adds `quote it: "NO"`).
 * @param text the scalar as written
 */
export function yaml11BooleanNote(value: boolean, text: string): string | undefined {
  return String(value) === text.toLowerCase() ? undefined
    : `unquoted ${text} is a YAML 1.1 boolean: kubectl, Helm, Argo CD and Flux send ${String(value)}`;
}
