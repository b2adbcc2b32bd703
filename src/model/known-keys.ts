/**
 * The one check that an object given to the SDK names only the keys its interface declares: the props of a construct
 * (`prop-unknown`, src/constructs/prop-keys.ts), the options of a rule call (`rule-option-unknown`), and the options and
 * queries of the engine, the diff, the Hubble tools and the test matchers (`option-unknown`, `checkOptionKeys` below).
 * From plain JavaScript, `as any` or a spread object a misspelled key was dropped without a word and the default
 * applied: `PolicySet.fromYaml(text, { hostFirewal: true })` judged with the host firewall off, and a test that should
 * have failed passed.
 */
import { CiliumPolicyError, CiliumPolicyErrorProps } from '../core/errors';
import { nearestName } from './edit-distance';
import { describeValue, isPlainObject } from './plain-value';
import { withoutControls } from './printable';

/** An unknown key found by `checkKnownKeys`, for the message of the refusal. */
export interface UnknownKey {
  /**
   * The key, as the message shows it (`shownKey`): cut to 40 characters, control characters as U+FFFD; the one to
   * print, since it comes from the caller's object (a JSON config file) and may hold anything.
   */
  readonly key: string;
  /** Its value, as the message shows it (`shownValue`). */
  readonly shown: string;
  /** The known name closest to it, when it is close enough to be a typo. */
  readonly near?: string;
}

/**
 * Refuses the first key of a mapping that `known` does not name and that is given a value: `refusal` words the error.
 * A key set to `undefined` is accepted, as TypeScript accepts it for an optional property; anything but a mapping
 * (a class instance, a list, a primitive) is left to the caller's other checks.
 * @param value the props, options or query given
 * @param known the names the interface declares, inherited ones included (each list is kept equal to its interface by
 * test/constructs/prop-keys-interfaces.test.ts and test/engine/option-keys-interfaces.test.ts)
 * @param refusal the error for an unknown key
 * @throws CiliumPolicyError as `refusal` words it
 */
export function checkKnownKeys(value: unknown, known: readonly string[], refusal: (unknown: UnknownKey) => CiliumPolicyErrorProps): void {
  const key = unknownKey(value, known);
  if (key === undefined) return;
  const near = nearestName(key, known);
  throw new CiliumPolicyError(refusal({ key: shownKey(key), shown: shownValue(valueOf(value, key)), ...(near !== undefined ? { near } : {}) }));
}

/**
 * Refuses the first key of an object that `known` does not name but is near one of its names (`nearestName`: a typo,
 * `defaultPort` for `defaultPorts`), wherever it is: an own field of a class instance, a field inherited from a prototype
 * (`Object.create({ defaultPort })`, a class's getter), a non-enumerable one (`Object.defineProperty`). `checkKnownKeys`
 * sees the own enumerable keys of a mapping only, so such a key was dropped without a word and its default applied; other
 * keys of a class instance are its own state (`owner: chart`), left alone. Only key names and property descriptors are
 * read, never a getter: a data field set to `undefined` is accepted (as `checkKnownKeys` accepts it), a getter counts as
 * given, a method (a data field whose value is a function: `items() {}` of a config class) is no field and is skipped. The keys of `Object.prototype` and a `constructor` are not the object's. A proxy whose traps throw is left to the
 * caller's other checks.
 * @param value the object given (anything but an object is left alone)
 * @param known the names the interface declares
 * @param refusal the error for a near-miss key (`near` is always set)
 * @throws CiliumPolicyError as `refusal` words it
 */
export function checkNearKnownKeys(value: unknown, known: readonly string[], refusal: (unknown: UnknownKey) => CiliumPolicyErrorProps): void {
  if (value === null || typeof value !== 'object') return;
  let found: UnknownKey | undefined;
  try {
    for (let o: object | null = value; o !== null && o !== Object.prototype && found === undefined; o = Object.getPrototypeOf(o) as object | null) {
      for (const key of Object.getOwnPropertyNames(o)) {
        if (key === 'constructor' || known.includes(key)) continue;
        const near = nearestName(key, known);
        const descriptor = Object.getOwnPropertyDescriptor(o, key);
        // A method (`items() {}` of a config class) is behaviour, not a misspelled field: skipped.
        if (near === undefined || descriptor === undefined || ('value' in descriptor && (descriptor.value === undefined
          || typeof descriptor.value === 'function'))) continue;
        found = { key: shownKey(key), shown: 'value' in descriptor ? shownValue(descriptor.value) : 'a getter', near };
        break;
      }
    }
  } catch {
    return; // a proxy whose traps throw: its fields are read (and refused) by the caller's copy
  }
  if (found !== undefined) throw new CiliumPolicyError(refusal(found));
}

/**
 * Whether `value` is a mapping (an object literal, `JSON.parse`, `Object.create(null)`, or one made with `Object.create`
 * over shared defaults), whose own keys are its options. A class instance is not (`isPlainObject` says yes to it): its
 * own fields are its class's state (a config class's `name`, a cache), which TypeScript accepts where the interface is
 * expected; it is left to the caller's other checks, as documented. A class instance is an object with a prototype,
 * below `Object.prototype`, that has a `constructor` of its own. The allow and deny calls of the constructs take an object
 * literal (or `Object.create(null)`, `JSON.parse`) only and refuse anything else before this check (`rule-options-positional`,
 * `checkRuleCall` in src/constructs/policy-rule.ts), a class instance or an object over shared defaults included.
 */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  for (let p: unknown = Object.getPrototypeOf(value); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, 'constructor')) return false;
  }
  return true;
}

/** A key as a refusal shows it: cut to 40 characters, control and bidirectional characters as U+FFFD (`withoutControls`). */
function shownKey(key: string): string {
  return withoutControls(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/** What reading a key gives, or `UNREADABLE` when its getter (or a proxy's trap) throws. */
const UNREADABLE: unique symbol = Symbol('unreadable');
function valueOf(value: unknown, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/**
 * The first key of a mapping, given a value, that `known` does not name (`undefined` when none, or when `value` is no
 * mapping).
 */
function unknownKey(value: unknown, known: readonly string[]): string | undefined {
  if (!isMapping(value)) return undefined;
  // A getter that throws counts as given: the refusal, not the getter's error, is what the caller sees.
  return Object.keys(value).find((k) => !known.includes(k) && valueOf(value, k) !== undefined);
}

/** A value as a refusal shows it: a number, string or boolean as written (`true`, `"data"`), else what it is (`a Peer`, `a list`). */
function shownValue(value: unknown): string {
  if (value === UNREADABLE) return 'a getter that throws';
  if (typeof value === 'string') return withoutControls(JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const name = value !== null && typeof value === 'object' && !Array.isArray(value) ? className(value) : undefined;
  return name !== undefined && name !== '' && name !== 'Object' ? `a ${shownKey(name)}` : describeValue(value);
}

/** The name of an object's class, or `undefined` when it has none that reads as a string (a getter that throws, a proxy). */
function className(value: object): string | undefined {
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The options (or fields) of a call's options object, each with the default that applies when it is left out, as a
 * refusal names it (`hostFirewall` → `auto: on when the set holds a host policy`). Its keys are the interface's property
 * names, inherited ones included.
 */
export type OptionDefaults = Readonly<Record<string, string>>;

/** Whose options `checkOptionKeys` checks, for the message. */
export interface OptionKeysContext {
  /** The call, as the message names it: `PolicySet.fromYaml()`, `toDeny()`, `Replay.flows()` (or a struct: `ExpectedChange`). */
  readonly call: string;
  /**
   * Where the object is, when it is an entry of an argument: `toChangeOnly() expected[1]`.
   * @default - the object is the options (or query) of `call` itself
   */
  readonly at?: string;
  /**
   * What the object is to the call.
   * @default 'option' (the object is the options of `call`); `field` for a query (`VerdictQuery`)
   */
  readonly noun?: 'option' | 'field';
  /**
   * What a default in place of the option meant could do, after `would keep its default (…)`.
   * @default 'so the answer could hold for other settings than the ones asked for'
   */
  readonly risk?: string;
}

/**
 * Refuses an option (or field) whose value the call cannot take (`option-value`): `<call>: <where> is <value>, not
 * <expected>`, the value as `describeValue` shows it (`missing` when undefined). The one wording of every such refusal
 * (the validate layer's options, the plugin's properties, the inventory's structs).
 * @param call the call, as the message names it (`Validator.validateInputs()`)
 * @param where the option or field (`maxWarnings`, `ports[0].port`)
 * @param value the value given
 * @param expected what it should be (`a whole number of 0 or more`)
 * @param fix how to give it
 * @throws CiliumPolicyError (`option-value`), always
 */
export function refuseOptionValue(call: string, where: string, value: unknown, expected: string, fix: string): never {
  throw new CiliumPolicyError({ id: 'option-value', message: `${call}: ${where} is ${value === undefined ? 'missing' : describeValue(value)}, not ${expected}`, fix });
}

/**
 * Refuses a key of a call's options (or query) that its interface does not declare, given a value (`option-unknown`):
 * the message names the call, the key and its value, and the default that applies in its place; the fix names the
 * option meant when the key is a typo, and the options of the call (an internal one, `_name`, is known but not listed).
 * @param options the options given (anything but a mapping is left to the call's other checks)
 * @param defaults the options of the call with their defaults (its keys are the known names)
 * @param context the call
 * @throws CiliumPolicyError (`option-unknown`)
 */
export function checkOptionKeys(options: unknown, defaults: OptionDefaults, context: OptionKeysContext): void {
  if (!isPlainObject(options)) return;
  const known = Object.keys(defaults);
  checkKnownKeys(options, known, ({ key, shown, near }) => {
    const noun = context.noun ?? 'option';
    const what = noun === 'option' ? 'an option' : 'a field';
    const fallback = near !== undefined ? `${near} would keep its default (${defaults[near]})`
      : `every ${noun} would keep its default`;
    return {
      id: 'option-unknown',
      message: `${context.at ?? context.call}: ${key} (${shown}) is not ${what} of ${context.call}; it would be left out and ${fallback}, `
        + `${context.risk ?? 'so the answer could hold for other settings than the ones asked for'}`,
      fix: `${near !== undefined ? `did you mean ${near}? ` : 'remove it, or use the one meant; '}the ${noun}s of ${context.call} are `
        + `${known.filter((k) => !k.startsWith('_')).join(', ')}`,
    };
  });
}
