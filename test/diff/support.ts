// Helpers of the connectivity diff tests: policy sets from YAML, and changes as one readable line each.
import { ConnectivityChange, ConnectivityDiffDocument, diffPolicySets } from '../../src/diff';
import { PolicySet } from '../../src/engine';

/** `+ from → to ports [l7]` (newly allowed), `- …` (newly denied), `~ … L7: before → after`. */
export function changeLine(c: ConnectivityChange): string {
  if (c.before === c.after) return `~ ${c.from} → ${c.to} ${c.ports.join(', ')} L7: ${c.l7Before ?? '(none)'} → ${c.l7 ?? '(none)'}`;
  return `${c.after === 'allowed' ? '+' : '-'} ${c.from} → ${c.to} ${c.ports.join(', ')}${c.l7 !== undefined ? ` [${c.l7}]` : ''}`;
}

/** The diff of two YAML streams, as lines. */
export function diffLines(base: string, head: string): { doc: ConnectivityDiffDocument; lines: string[] } {
  const doc = diffPolicySets(PolicySet.fromYaml(base, 'base.yaml'), PolicySet.fromYaml(head, 'head.yaml'));
  return { doc, lines: doc.changes.map(changeLine) };
}
