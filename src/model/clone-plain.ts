/**
 * A deep copy of plain data (objects, arrays, primitives) as `structuredClone` makes it of such data: own enumerable
 * properties in their order, `undefined` values kept, no prototype but `Object`'s. Without the serialization
 * `structuredClone` goes through, which the SDK would pay for every selector, peer and L7 rule of every rendering.
 * @param value plain data (no functions, class instances, maps or cycles)
 * @returns the copy
 */
export function clonePlain<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = clonePlain((value as Record<string, unknown>)[key]);
    // A key named __proto__ is data here, not the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}

/**
 * Where plain data refers to itself (an object or list that holds, at some depth, itself: `s.self = s`), or nests deeper
 * than `maxDepth` (a getter that answers a fresh object each read), as the path from the top (`item.cidrSet[0].cidrGroupSelector.self`);
 * `undefined` when it is a tree. `clonePlain`, the writer and the YAML emitter walk such data for ever (or until the stack runs
 * out): a peer of one's own whose `toPeerConfig()` answered a selector holding itself hung synthesis. An object shared by two
 * fields is no loop. Reads what `clonePlain` reads: own enumerable keys.
 * @param value the data
 * @param maxDepth the deepest nesting taken
 */
export function selfReferencePath(value: unknown, maxDepth = 100): string | undefined {
  const open = new Set<object>();
  const walk = (v: unknown, path: string, depth: number): string | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    if (open.has(v) || depth > maxDepth) return path;
    open.add(v);
    try {
      for (const key of Object.keys(v)) {
        const found = walk((v as Record<string, unknown>)[key], Array.isArray(v) ? `${path}[${key}]` : `${path}${path === '' ? '' : '.'}${key}`, depth + 1);
        if (found !== undefined) return found;
      }
      return undefined;
    } finally {
      open.delete(v);
    }
  };
  return walk(value, '', 0);
}
