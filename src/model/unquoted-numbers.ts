/**
 * Strings that cdk8s writes into YAML without quotes but that Go's YAML readers read as numbers. cdk8s writes with the
 * `yaml` library's YAML 1.1 schema, which quotes what YAML 1.1 reads as a number (`8080`, `010`, `0x1F`, `1_000`, `0b1`),
 * but not `0o17`, `0O17`, `0B1`, `0X1F`, `0_x1`, `1e1_0`, `-0B1`…, which go-yaml (behind kubectl, Helm, Argo CD and
 * Flux) reads as numbers (`goYamlNumber`): a label value or a namespace written so reaches the API server as a number,
 * which refuses the object; a mapping key so written becomes another key. No prop of cdk8s's writer changes that, so
 * the policies refuse such strings (`PolicyBase`).
 */
import { Document, Scalar, ToStringOptions, visit } from 'yaml';
import { BoundedMemo } from './bounded-memo';
import { goYamlNumber } from './go-yaml';
import { Segment } from './json-path';
import { cdk8s } from './lazy-cdk8s';

/** A string of a manifest that cdk8s writes unquoted and Go reads as a number. */
export interface UnquotedNumber {
  /** Where it is: the path of the value, or of the mapping entry whose key it is. */
  readonly path: readonly Segment[];
  /** The string. */
  readonly text: string;
  /** The number Go's readers make of it. */
  readonly number: number;
  /** Whether it is a mapping key. */
  readonly key: boolean;
}

/**
 * The number Go's YAML readers make of `text` as cdk8s writes it (a mapping value or list entry; `key`: a mapping key),
 * or `undefined` when it reaches them as a string (written quoted, or a string to Go anyway).
 */
export function unquotedNumber(text: string, key = false): number | undefined {
  // Decimal digits (every port, most versions) are a YAML 1.1 integer, which the writer always quotes: no need to ask it.
  if (DIGITS.test(text)) return undefined;
  const number = goYamlNumber(text);
  if (number === undefined) return undefined;
  // Only strings Go reads as numbers get here (few): asking the writer itself is exact; its answers are kept.
  const memo = key ? PLAIN_KEYS : PLAIN_VALUES;
  const plain = memo.get(text, () => {
    const { Yaml } = cdk8s();
    return key ? Yaml.stringify({ [text]: 0 }) === `${text}: 0\n` : Yaml.stringify({ v: text }) === `v: ${text}\n`;
  });
  return plain ? number : undefined;
}

/**
 * The fix for a string cdk8s writes as a Go number (`yaml-unquoted-number`, and a label or annotation of another manifest
 * of a construct): no option of cdk8s's writer quotes it, so another value.
 */
export function unquotedNumberFix(text: string): string {
  return `cdk8s cannot write ${JSON.stringify(text)} safely (no option quotes it): use a value Go reads as a string, e.g. one that does not start with a digit `
    + `(${JSON.stringify(`v${text}`)}), and give the pods, namespaces or services the same value`;
}

const DIGITS = /^[0-9]+$/;
/** Whether cdk8s writes a string (as a value, as a key) plain, by string. */
const PLAIN_VALUES = new BoundedMemo<string, boolean>(10_000);
const PLAIN_KEYS = new BoundedMemo<string, boolean>(10_000);

/** The strings of the plain data `value` (keys and values, in document order) that cdk8s writes as Go numbers. */
export function unquotedNumbers(value: unknown, at: readonly Segment[] = []): UnquotedNumber[] {
  const out: UnquotedNumber[] = [];
  // A stack, not recursion (a deep value costs no stack frames), and paths as parent links, made only for a finding.
  // Pushed in reverse, so popped in document order; an entry's key comes before its value.
  const stack: Visit[] = [{ value, step: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const v = visit.value;
    if (visit.key !== undefined || typeof v === 'string') {
      const text = visit.key ?? (v as string);
      const number = unquotedNumber(text, visit.key !== undefined);
      if (number !== undefined) out.push({ path: [...at, ...pathOf(visit)], text, number, key: visit.key !== undefined });
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

/**
 * YAML of `value` as cdk8s writes it (`Yaml.stringify`: the `yaml` library, YAML 1.1 schema, no line width), except that
 * the strings it would leave unquoted for Go's readers to read as numbers (`unquotedNumber`) are double-quoted: for a
 * writer of this project's own (the `draft` command), which can quote them where the policies, written by cdk8s, refuse them.
 */
export function yamlQuotingGoNumbers(value: unknown): string {
  const options: ToStringOptions & { keepUndefined: boolean; version: '1.1' } = { keepUndefined: true, lineWidth: 0, version: '1.1' };
  const doc = new Document(value, options);
  visit(doc, {
    Scalar(key, node) {
      if (typeof node.value === 'string' && unquotedNumber(node.value, key === 'key') !== undefined) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString(options);
}
