// The one check that a construct's props, or a factory's options, name only what its interface declares.
import { CiliumPolicyError } from '../core/errors';
import { nearestName } from '../model/edit-distance';
import { describeValue, isPlainObject } from '../model/plain-value';
import { callerLocation } from './caller-location';

/** Whose keys are checked, and where, for the message. */
export interface PropKeysContext {
  /** The construct, factory or struct the keys belong to: `TieredApp`, `Peer.endpoints()`, `Tier`. */
  readonly owner: string;
  /**
   * Where the object is, when it is nested: `TieredApp tiers[1]`.
   * @default - the object is the props (or options) of `owner` itself
   */
  readonly at?: string;
  /**
   * `prop` for the props of a construct (and the structs nested in them), `option` for the options of a call.
   * @default 'prop'
   */
  readonly noun?: 'prop' | 'option';
  /** A construct path; default: the caller's file:line (a factory has no construct path). */
  readonly location?: string;
}

/**
 * Refuses a key the props (or options) interface does not declare, given a value (from plain JavaScript, `as any`, a
 * spread object): it was silently dropped, so the construct fell back to the default, which can allow more than the
 * caller asked (`egresLockdown: true` left egress open). A key set to `undefined` is accepted, as TypeScript does for an
 * optional prop. Anything but a mapping is left to `checkPropsObject`.
 * @param props the props or options given
 * @param known the names the interface declares, inherited ones included (kept equal to it by test/constructs/prop-keys.test.ts)
 * @param context whose they are, and where
 */
export function checkPropKeys(props: unknown, known: readonly string[], context: PropKeysContext): void {
  const unknown = unknownKey(props, known);
  if (unknown === undefined || !isPlainObject(props)) return;
  const { owner } = context;
  const noun = context.noun ?? 'prop';
  const near = nearestName(unknown, known);
  throw new CiliumPolicyError({
    id: 'prop-unknown',
    message: `${context.at ?? owner}: ${unknown} (${shown(props[unknown])}) is not ${noun === 'prop' ? 'a prop' : 'an option'} of ${owner}; `
      + `it would be left out and ${owner} would apply its default instead, which can allow more than asked`,
    fix: `${near !== undefined ? `did you mean ${near}? ` : 'remove it, or use the one meant; '}the ${noun}s of ${owner} are ${known.join(', ')}`,
    location: context.location ?? callerLocation(),
  });
}

/**
 * The first key of a mapping, given a value, that `known` does not name (`undefined` when none, or when `value` is no
 * mapping): what `prop-unknown` and the rule calls' `rule-option-unknown` refuse.
 */
export function unknownKey(value: unknown, known: readonly string[]): string | undefined {
  if (!isPlainObject(value)) return undefined;
  return Object.keys(value).find((k) => value[k] !== undefined && !known.includes(k));
}

/** A value as the message shows it: a number, string or boolean as written (`true`, `"data"`), else what it is (`a Peer`, `a list`). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const name = value !== null && typeof value === 'object' && !Array.isArray(value) ? value.constructor?.name : undefined;
  return name !== undefined && name !== 'Object' ? `a ${name}` : describeValue(value);
}
