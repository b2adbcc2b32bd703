/**
 * The one walk over the strings of plain data (mapping keys and string values, in document order) that the checks of
 * what a policy writes use (`unquotedNumbers`, the line breaks only go-yaml takes).
 */
import { Segment } from './json-path';

/** A string the walk's judge found something in. */
export interface StringFound<T> {
  /** Where it is: the path of the value, or of the mapping entry whose key it is. */
  readonly path: readonly Segment[];
  /** The string. */
  readonly text: string;
  /** Whether it is a mapping key. */
  readonly key: boolean;
  /** What the judge found. */
  readonly found: T;
}

/** The strings of `value` (keys and values, in document order) for which `judge` answers something, with that answer. */
export function findStrings<T>(value: unknown, judge: (text: string, key: boolean) => T | undefined, at: readonly Segment[] = []): StringFound<T>[] {
  const out: StringFound<T>[] = [];
  // A stack, not recursion (a deep value costs no stack frames), and paths as parent links, made only for a finding.
  // Pushed in reverse, so popped in document order; an entry's key comes before its value.
  const stack: Visit[] = [{ value, step: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const v = visit.value;
    if (visit.key !== undefined || typeof v === 'string') {
      const text = visit.key ?? (v as string);
      const found = judge(text, visit.key !== undefined);
      if (found !== undefined) out.push({ path: [...at, ...pathOf(visit)], text, key: visit.key !== undefined, found });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], step: i, parent: visit });
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        stack.push({ value: (v as Record<string, unknown>)[k], step: k, parent: visit });
        stack.push({ value: undefined, key: k, step: k, parent: visit });
      }
    }
  }
  return out;
}

/** One value (or mapping key) to look at: its step from its parent. */
interface Visit {
  readonly value: unknown;
  /** Set for a mapping key: the key itself. */
  readonly key?: string;
  readonly step: Segment | undefined;
  readonly parent?: Visit;
}

function pathOf(visit: Visit): Segment[] {
  const path: Segment[] = [];
  for (let v: Visit | undefined = visit; v !== undefined && v.step !== undefined; v = v.parent) path.push(v.step);
  return path.reverse();
}
