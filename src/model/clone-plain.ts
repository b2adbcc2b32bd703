import { MAX_NESTING_DEPTH, MAX_YAML_VALUES } from './nesting-depth';
import { withoutControls } from './printable';

/**
 * Plain data copied as a tree (`clonePlainTree`), or why it is none: `refers to itself at s.matchLabels.back (a loop)`,
 * `nests deeper than 100 levels at …`, `holds more than 1,000,000 values …`.
 */
export type PlainTree<T> = { readonly copy: T; readonly problem?: undefined } | { readonly copy?: undefined; readonly problem: string };

/** Thrown inside the walk to leave it at the first problem, no value read after it. */
class NotATree extends Error {
  public constructor(public readonly problem: string) {
    super(problem);
  }
}

/**
 * A deep copy of plain data (objects, arrays, primitives) as `structuredClone` makes it of such data: own enumerable
 * properties in their order, `undefined` values kept, no prototype but `Object`'s. Without the serialization
 * `structuredClone` goes through, which the SDK would pay for every selector, peer and L7 rule of every rendering.
 *
 * The one walk that copies data given from outside and finds where it is no tree, in the same pass: each value is read
 * exactly once (a getter that answers a tree to a check and a loop after cannot answer twice: the checks and the writer
 * read the copy), so what was judged is what is written. An object that holds itself at some depth (`s.self = s`) is
 * refused at its path (`item.cidrSet[0].cidrGroupSelector.matchLabels.back`), so is nesting deeper than `maxDepth` (a
 * getter that answers a fresh object on each read), and more than `maxValues` values: an object shared by two fields
 * is no loop and is copied once for each (the copy stays a tree, as the writer writes it), so `o = { a: x, b: x }`
 * nested 30 deep would be a billion values, and the walk stops at the limit instead. The limits are the YAML reader's
 * (`MAX_NESTING_DEPTH`, `MAX_YAML_VALUES`): data past them could not be read back as a policy.
 * @param value the data
 * @param maxDepth the deepest nesting taken (the top is level 0)
 * @param maxValues the most values (primitives and collections) copied
 * @returns the copy, or the problem (a phrase: `refers to itself at <path> (a loop)`)
 */
export function clonePlainTree<T>(value: T, maxDepth: number = MAX_NESTING_DEPTH, maxValues: number = MAX_YAML_VALUES): PlainTree<T> {
  const open = new Set<object>();
  // The keys from the top to the value being copied: a number is a list index. Shown only for a problem.
  const path: (string | number)[] = [];
  let values = 0;
  const at = (): string => withoutControls(path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${k}`)).join('')) || 'its top';
  const copy = (v: unknown): unknown => {
    if (++values > maxValues) {
      throw new NotATree(`holds more than ${maxValues.toLocaleString('en-US')} values (at ${at()}; an object reached by several paths counts once for each)`);
    }
    if (typeof v !== 'object' || v === null) return v;
    if (open.has(v)) throw new NotATree(`refers to itself at ${at()} (a loop)`);
    if (path.length > maxDepth) throw new NotATree(`nests deeper than ${maxDepth} levels at ${at()}`);
    open.add(v);
    let out: unknown;
    if (Array.isArray(v)) {
      out = v.map((e: unknown, i) => {
        path.push(i);
        const c = copy(e);
        path.pop();
        return c;
      });
    } else {
      const o: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        path.push(key);
        const c = copy((v as Record<string, unknown>)[key]);
        path.pop();
        // A key named __proto__ is data here, not the prototype.
        if (key === '__proto__') Object.defineProperty(o, key, { value: c, enumerable: true, writable: true, configurable: true });
        else o[key] = c;
      }
      out = o;
    }
    open.delete(v);
    return out;
  };
  try {
    return { copy: copy(value) as T };
  } catch (e) {
    if (e instanceof NotATree) return { problem: e.problem };
    throw e;
  }
}

/** Thrown by `clonePlain`'s walk past the deepest nesting a tree of the SDK has: the data is looked at again by `clonePlainTree`. */
const TOO_DEEP = new Error('clonePlain: too deep');

/** `clonePlain`'s walk: the value at `depth` (the top is 0). */
function copyTree(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_NESTING_DEPTH) throw TOO_DEEP;
  if (Array.isArray(v)) return v.map((e: unknown) => copyTree(e, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const c = copyTree((v as Record<string, unknown>)[key], depth + 1);
    // A key named __proto__ is data here, not the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: c, enumerable: true, writable: true, configurable: true });
    else out[key] = c;
  }
  return out;
}

/**
 * A deep copy of plain data the SDK built (a selector's model, a peer's config already copied by `clonePlainTree`): a
 * tree by construction, so the walk keeps no record of the objects on its path and the keys to them (it runs for every
 * selector, peer and L7 rule of every rendering; under a third of `clonePlainTree`'s time). Only past the deepest
 * nesting `clonePlainTree` takes does it hand the data to that walk, which names the problem.
 * @param value plain data (no functions, class instances, maps or cycles)
 * @returns the copy
 * @throws TypeError when it is no tree (a defect of the SDK: data from outside is copied by `clonePlainTree` and refused)
 */
export function clonePlain<T>(value: T): T {
  try {
    return copyTree(value, 0) as T;
  } catch (e) {
    if (e !== TOO_DEEP) throw e;
  }
  const tree = clonePlainTree(value);
  if (tree.problem !== undefined) throw new TypeError(`clonePlain: the data ${tree.problem}`);
  return tree.copy;
}
