/**
 * The content of rules and rule items, independent of names, files, order and formatting: what the diff compares to know
 * that a direction policy, or one of its items, says the same on both sides (a rename or a reformat changes nothing).
 */
import type { CompiledItem, CompiledRule } from '../engine/compile';
import type { DirectionPolicy } from '../engine/direction-policy';

/** The rule contents interned by one diff, and the fingerprints it computed. */
export interface FingerprintContext {
  readonly contentIds: Map<string, number>;
  readonly fingerprints: Map<DirectionPolicy, string>;
}

/**
 * The content of the rules that decide a direction policy, independent of names, files, order and formatting: the sorted
 * numbers of the distinct rule contents (`contentIds` interns them, so that equal rules of base and head get one number).
 */
export function directionFingerprint(dp: DirectionPolicy, ctx: FingerprintContext): string {
  const { contentIds, fingerprints } = ctx;
  let fp = fingerprints.get(dp);
  if (fp === undefined) {
    const ids = new Set<number>();
    for (const r of dp.selecting) {
      const c = ruleContent(r, dp.direction);
      if (c === '') continue;
      let id = contentIds.get(c);
      if (id === undefined) {
        id = contentIds.size;
        contentIds.set(c, id);
      }
      ids.add(id);
    }
    fp = `${dp.subjectKind}|${dp.init}|${[...ids].sort((a, b) => a - b).join(',')}`;
    fingerprints.set(dp, fp);
  }
  return fp;
}

const contents = new WeakMap<CompiledRule, { ingress?: string; egress?: string }>();

/** A rule's whole content: its subject and both directions (names left out: a rename is the same content). */
export function wholeRuleContent(r: CompiledRule): string {
  return `${r.subjectKind} ${r.subject.toString()} ${ruleContent(r, 'ingress')} ${ruleContent(r, 'egress')}`;
}

/** A rule's content in one direction ('' when it says nothing about that direction). */
function ruleContent(r: CompiledRule, direction: 'ingress' | 'egress'): string {
  let slot = contents.get(r);
  if (!slot) {
    slot = {};
    contents.set(r, slot);
  }
  const known = slot[direction];
  if (known !== undefined) return known;
  const allow = direction === 'ingress' ? 'ingress' : 'egress';
  const deny = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
  const silent = !r.present[direction] && !r.defaultDeny[direction] && r.requires[allow].length === 0 && r.requires[deny].length === 0;
  const text = silent ? ''
    : stable({
      present: r.present[direction], defaultDeny: r.defaultDeny[direction],
      allow: r.items[allow].map(itemContent).sort(), deny: r.items[deny].map(itemContent).sort(),
      requires: r.requires[allow], requiresDeny: r.requires[deny],
    });
  slot[direction] = text;
  return text;
}

const itemContents = new WeakMap<CompiledItem, string>();

/** An item's content: its peers, ports (L7 rules included) and authentication (computed once per item). */
export function itemContent(item: CompiledItem): string {
  let text = itemContents.get(item);
  if (text === undefined) {
    text = stable({ peer: item.peer, l4: item.l4, auth: item.authentication ?? null });
    itemContents.set(item, text);
  }
  return text;
}

/**
 * Fields of the compiled peer and layer-4 specs that place or explain rather than say what they do (L7 rules are user
 * data: their keys, `path` included, all count).
 */
const IGNORED_KEYS = new Set(['index', 'why']);

/** A canonical JSON-like text of plain data (sorted keys; bigints; functions skipped; selectors by their requirements, sorted). */
export function stable(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v !== 'object' || v === null) return typeof v === 'function' ? '' : JSON.stringify(v) ?? '';
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.requirements) && typeof (o as { matches?: unknown }).matches === 'function') {
    return `{sel:${(o.requirements as unknown[]).map(stable).sort().join(',')}}`;
  }
  return `{${Object.keys(o).filter((k) => !IGNORED_KEYS.has(k) && typeof o[k] !== 'function' && o[k] !== undefined).sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(',')}}`;
}
