/**
 * How Go's YAML readers read a plain (unquoted) scalar as a number. kubectl, Helm, Argo CD (sigs.k8s.io/yaml, a fork of
 * go-yaml v2) and Flux (kyaml, go-yaml v3) turn a manifest into JSON before the API server sees it, and both libraries
 * resolve numbers the YAML 1.1 way, where this project's reader (the `yaml` library, YAML 1.2 core schema) differs:
 * `010` is octal 8 there and decimal 10 here; `1_000`, `0b101`, `0X1F` and `-0x1F` are numbers there and strings here.
 * The policy reader uses this to read such scalars as the cluster gets them (`wire-reader.ts`).
 *
 * go-yaml's `resolve` (both versions): a plain scalar starting with a digit or a sign is an integer if, with every `_`
 * removed, `strconv.ParseInt(s, 0, 64)` (or `ParseUint`) accepts it — `0x`, `0o`, `0b` prefixes in either case, a leading
 * `0` for octal —, else a float if it matches `yamlStyleFloat`; one starting with `.` is a float if it matches it as
 * written. (Timestamps, `2024-01-01`, are tried first and stay strings in a JSON conversion: no number starts that way.)
 */

/** go-yaml's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What `strconv.ParseInt(s, 0, 64)` accepts (underscores removed before). */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]*)|([1-9][0-9]*))$/;

/** The largest magnitudes `strconv.ParseInt(s, 0, 64)` (negative, positive) and `ParseUint(s, 0, 64)` accept. */
const INT64_MIN_MAGNITUDE = 2n ** 63n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The number Go's YAML readers make of the plain scalar `text`, or `undefined` when they read it as something else (a
 * string, a boolean, null, a timestamp). An integer out of range of `int64` and `uint64` is no integer to Go: decimal
 * digits are then a float (`yamlStyleFloat`), `0x…`, `0o…`, `0b…` a string; a float out of range (`1e400`) is a string.
 */
export function goYamlNumber(text: string): number | undefined {
  if (text.length === 0 || text.length > 400) return undefined;
  const c = text.charCodeAt(0);
  if (c === 46 /* . */) return YAML_STYLE_FLOAT.test(text) ? finite(Number(text)) : undefined;
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return undefined;
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (m) {
    const [, sign, hex, octal, binary, legacyOctal, decimal] = m;
    const magnitude = hex !== undefined ? BigInt(`0x${hex}`) : octal !== undefined ? BigInt(`0o${octal}`) : binary !== undefined ? BigInt(`0b${binary}`)
      : legacyOctal !== undefined ? (legacyOctal === '' ? 0n : BigInt(`0o${legacyOctal}`)) : BigInt(decimal);
    const max = sign === '-' ? INT64_MIN_MAGNITUDE : sign === '+' ? INT64_MIN_MAGNITUDE - 1n : UINT64_MAX;
    if (magnitude <= max) return sign === '-' ? -Number(magnitude) : Number(magnitude);
  }
  return YAML_STYLE_FLOAT.test(plain) ? finite(Number(plain)) : undefined;
}

function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}
