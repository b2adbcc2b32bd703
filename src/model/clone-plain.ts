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
