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
import { escapeGoOnlySeparators, GO_OTHERWISE_WRITTEN_RAW } from './go-line-breaks';
import { Segment } from './json-path';
import { cdk8s } from './lazy-cdk8s';
import { findStrings } from './string-walk';

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
  return findStrings(value, unquotedNumber, at).map(({ path, text, key, found }) => ({ path, text, number: found, key }));
}

/**
 * YAML of `value` as cdk8s writes it (`Yaml.stringify`: the `yaml` library, YAML 1.1 schema, no line width), except that
 * the strings it would leave unquoted for Go's readers to read as numbers (`unquotedNumber`) are double-quoted, and so
 * are those holding a NEL, LS or PS, or a character go-yaml v2 refuses (`GO_OTHERWISE_WRITTEN_RAW`: DEL, a C1 control,
 * U+FFFE), each written as its escape (`\N`, `\L`, `\P`, `\x7f`; the library writes them raw, a line break to go-yaml
 * v2 or a control character it refuses): for a writer of this project's own (the `draft` command), which can
 * quote them where the policies, written by cdk8s, refuse them.
 */
export function yamlQuotingGoNumbers(value: unknown): string {
  const options: ToStringOptions & { keepUndefined: boolean; version: '1.1' } = { keepUndefined: true, lineWidth: 0, version: '1.1' };
  const doc = new Document(value, options);
  let separators = false;
  visit(doc, {
    Scalar(key, node) {
      if (typeof node.value !== 'string') return;
      if (GO_OTHERWISE_WRITTEN_RAW.test(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
        separators = true;
      } else if (unquotedNumber(node.value, key === 'key') !== undefined) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  // Every such character of the text stands in a double-quoted scalar now (the writer's comments are none).
  return separators ? escapeGoOnlySeparators(doc.toString(options)) : doc.toString(options);
}
