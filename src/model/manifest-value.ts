/**
 * What cdk8s's `ApiObject.toJson()` makes of a value that is plain data, without going through its resolver: cdk8s
 * resolves every value of a manifest (a resolution context and a key path per value, the app looked up per value) and
 * then sanitizes it (keys sorted, `null`/`undefined` dropped from objects and turned into `undefined` in arrays). For
 * plain data — strings, finite numbers, booleans, `null`/`undefined`, arrays, objects whose prototype is `Object.prototype` —
 * cdk8s's own resolvers (`LazyResolver`, `ImplicitTokenResolver`, `NumberStringUnionResolver`) change nothing, so the
 * result is the sanitized copy alone. Anything else (a `Lazy`, a class instance, a function) may resolve to something
 * else: the copy then answers `NOT_PLAIN` and the caller renders through cdk8s.
 */

/** Returned by `sanitizedPlainCopy` for a value that is not plain data. */
export const NOT_PLAIN: unique symbol = Symbol('not plain data');

/**
 * The sanitized copy cdk8s writes for plain data (see the module comment), or `NOT_PLAIN`.
 * @param value the value
 * @param sortKeys whether object keys are sorted (cdk8s sorts them unless `CDK8S_DISABLE_SORT` is set)
 * @returns the copy (`undefined` for `null`/`undefined`), or `NOT_PLAIN`
 */
export function sanitizedPlainCopy(value: unknown, sortKeys: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  const type = typeof value;
  if (type === 'string' || type === 'boolean') return value;
  // A non-finite number is not JSON: the caller's JSON copy would have made it null, which cdk8s leaves out.
  if (type === 'number') return Number.isFinite(value) ? value : NOT_PLAIN;
  if (type !== 'object') return NOT_PLAIN;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const copy = sanitizedPlainCopy(value[i], sortKeys);
      if (copy === NOT_PLAIN) return NOT_PLAIN;
      out[i] = copy;
    }
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  const keys = Object.keys(value);
  // Sorted only when out of order: most objects of a manifest have one key or keys in order already, and a sort allocates.
  if (sortKeys && !inOrder(keys)) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // cdk8s would write a key named __proto__ as the prototype: not plain data for this copy.
    if (key === '__proto__') return NOT_PLAIN;
    const copy = sanitizedPlainCopy((value as Record<string, unknown>)[key], sortKeys);
    if (copy === NOT_PLAIN) return NOT_PLAIN;
    if (copy !== undefined) out[key] = copy;
  }
  return out;
}

/** Whether `keys` are in the order `sort()` puts them (UTF-16 code units, as `<` compares strings). */
function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

/** Whether cdk8s sorts the keys of the manifests it writes (it does unless `CDK8S_DISABLE_SORT` is set). */
export function cdk8sSortsKeys(): boolean {
  return !process.env.CDK8S_DISABLE_SORT;
}

/**
 * Where plain data holds a key that cdk8s's own rendering (`ApiObject.toJson`: its resolver, then its sanitizer) cannot
 * write: a key `constructor` makes it take the object for a class instance, which its `NumberStringUnionResolver`
 * replaces by `{ value }` when the object has a string or number `value` (every other key dropped: a selector
 * `{constructor: web, value: x}` becomes `{value: x}`), and its sanitizer refuses otherwise ("can't render non-simple
 * object"); a key `__proto__` becomes the prototype of its copy, so it is lost. `sanitizedPlainCopy` writes a
 * `constructor` key as given and refuses a `__proto__` key (`NOT_PLAIN`).
 * @param value the data
 * @param keys the keys to look for (both by default)
 * @returns the path of the first such key, or `undefined`
 */
export function cdk8sUnwritableKey(value: unknown, keys: readonly string[] = ['constructor', '__proto__']): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = cdk8sUnwritableKey(value[i], keys);
      if (at !== undefined) return [i, ...at];
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (keys.includes(key)) return [key];
    const at = cdk8sUnwritableKey((value as Record<string, unknown>)[key], keys);
    if (at !== undefined) return [key, ...at];
  }
  return undefined;
}
