// The check that a construct's props, or a factory's options, name only what its interface declares (`prop-unknown`):
// the wording of the constructs' refusal over the one mechanism, `checkKnownKeys` (src/model/known-keys.ts).
import { checkKnownKeys } from '../model/known-keys';
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
 * optional prop. Anything but a mapping is left to `checkPropsObject`. The message and the fix are built only for a
 * refusal (the caller's file:line too, when no location is given).
 * @param props the props or options given
 * @param known the names the interface declares, inherited ones included (kept equal to it by test/constructs/prop-keys-interfaces.test.ts)
 * @param context whose they are, and where
 */
export function checkPropKeys(props: unknown, known: readonly string[], context: PropKeysContext): void {
  const { owner } = context;
  const noun = context.noun ?? 'prop';
  checkKnownKeys(props, known, ({ key, shown, near }) => ({
    id: 'prop-unknown',
    message: `${context.at ?? owner}: ${key} (${shown}) is not ${noun === 'prop' ? 'a prop' : 'an option'} of ${owner}; `
      + `it would be left out and ${owner} would apply its default instead, which can allow more than asked`,
    fix: `${near !== undefined ? `did you mean ${near}? ` : 'remove it, or use the one meant; '}the ${noun}s of ${owner} are ${known.join(', ')}`,
    location: context.location ?? callerLocation(),
  }));
}
