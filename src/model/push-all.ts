/**
 * Appends every element of `from` to `to`, in order. Not `to.push(...from)`: that spreads the list into arguments, and a
 * list of about 100,000 elements (the diagnostics of one hostile input) overflows the call stack (`RangeError: Maximum
 * call stack size exceeded`, a crash without a file or a line).
 */
export function pushAll<T>(to: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]);
}
