/** What a value read from JSON/YAML is, for type checks and messages. */

/** Whether `value` is a mapping (not a list, not null, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  // A revoked proxy throws at `Object.prototype.toString`: it is no mapping, for the checks to refuse it (as `isList`).
  try {
    return Object.prototype.toString.call(value) === '[object Object]';
  } catch {
    return false;
  }
}

/** `Array.isArray` that answers `false` for a revoked proxy (which throws at `Array.isArray`), for the checks to refuse it. */
export function isList(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** The value as a message shows it: `a list`, `a string ("x")`, `a number (8)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  // A revoked proxy throws at `Array.isArray` and at its prototype: said as what it is, not a TypeError.
  try {
    if (Array.isArray(value)) return 'a list';
    if (isPlainObject(value)) return 'a mapping';
  } catch {
    return 'a revoked proxy';
  }
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `a boolean (${value})`;
  return typeof value;
}
