/**
 * How Go's YAML readers read a plain (unquoted) scalar as a number. kubectl, Helm, Argo CD (sigs.k8s.io/yaml, a fork of
 * go-yaml v2) and Flux (kyaml, go-yaml v3) turn a manifest into JSON before the API server sees it, and both libraries
 * resolve numbers the YAML 1.1 way, where this project's reader (the `yaml` library, YAML 1.2 core schema) differs:
 * `010` is octal 8 there and decimal 10 here; `1_000`, `0b101`, `0X1F` and `-0x1F` are numbers there and strings here.
 * The policy reader uses this to read such scalars as the cluster gets them (`wire-reader.ts`).
 *
 * go-yaml's `resolve` (both versions): a plain scalar starting with a digit or a sign is an integer if, with every `_`
 * removed, `strconv.ParseInt(s, 0, 64)` (or `ParseUint`) accepts it — `0x`, `0o`, `0b` prefixes in either case, a leading
 * `0` for octal, within int64 (uint64 without a sign) —, else a float if it matches `yamlStyleFloat` and
 * `strconv.ParseFloat` takes it (not beyond ±1.8e308); one starting with `.` is a float if it matches it as written.
 * Anything else stays a string: `0x` + 17 hex digits, `1e400`. (Timestamps, `2024-01-01`, are tried first and stay
 * strings in a JSON conversion: no number starts that way.)
 */

/** go-yaml's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What `strconv.ParseInt(s, 0, 64)` accepts (underscores removed before), but for the range. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;
/** The largest int64 (`ParseInt`) and uint64 (`ParseUint`, which takes no sign). */
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The number Go's YAML readers make of the plain scalar `text`, or `undefined` when they read it as something else (a
 * string, a boolean, null, a timestamp). An integer out of range of `int64` and `uint64` is no integer to Go: decimal
 * digits are then a float (`yamlStyleFloat`), `0x…`, `0o…`, `0b…` a string; a float out of range (`1e400`) is a string.
 */
export function goYamlNumber(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (c === 46 /* . */) return YAML_STYLE_FLOAT.test(text) ? goFloat(text) : undefined;
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
    if (magnitude !== undefined && magnitude <= limit) return sign === '-' ? -Number(magnitude) : Number(magnitude);
  }
  return YAML_STYLE_FLOAT.test(plain) ? goFloat(plain) : undefined;
}

/** `strconv.ParseFloat(text, 64)` of a `yamlStyleFloat` text: beyond the float64 range it fails, and the scalar is a string. */
function goFloat(text: string): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
