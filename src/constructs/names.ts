import { CiliumPolicyError, showValue } from '../core/errors';
import { callerLocation } from './caller-location';
import { checkPropKeys } from './prop-keys';
import { isMapping } from '../model/known-keys';
import { describeValue, isList, isPlainObject } from '../model/plain-value';

/** Whether `name` is a Kubernetes namespace name: an RFC 1123 label (lower-case letters, digits, dashes; 1-63 chars). */
export function isNamespaceName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/**
 * Refuses a namespace name that Kubernetes would never accept: a peer or exclusion naming it would match nothing
 * (or, in an exclusion list, leave the real namespace in), silently.
 * @param name the value given
 * @param what what it is, e.g. `Peer.service() namespace`
 * @param location a construct path; default: the caller's file:line
 */
export function checkNamespaceName(name: unknown, what: string, location?: string): string {
  if (!isNamespaceName(name)) {
    throw new CiliumPolicyError({
      id: 'namespace-name-syntax',
      message: `${what} ${showValue(name)} is not a namespace name, so it would match no namespace`,
      fix: 'use an RFC 1123 label: lower-case letters, digits and dashes, starting and ending with a letter or digit, at most 63 characters'
        + (typeof name === 'string' && isNamespaceName(name.toLowerCase().trim()) ? ` (did you mean "${name.toLowerCase().trim()}"?)` : ''),
      location: location ?? callerLocation(),
    });
  }
  return name;
}

/**
 * Refuses a value given as a label map that is not a mapping, from plain JavaScript: a list (`['app']`) was read as the map
 * `{ "0": "app" }` and written as such; a Map, a Date, a string, a number or a revoked proxy were called an empty label map
 * (`{}`), which they are not, or failed with a TypeError. The one check of it: `checkNonEmptyLabels` and the label maps
 * with refusals of their own for `{}` (a `TieredApp` tier's `labels`, `HostFirewall` `controlPlaneNodeLabels`) call it.
 * @param labels the value given (`undefined` is for the caller to allow or refuse)
 * @param what what it is, e.g. `EndpointSelector.labels()`
 * @param location a construct path; default: the caller's file:line
 */
export function checkLabelMap(labels: unknown, what: string, location?: string): void {
  if (labels !== undefined && labels !== null && !isPlainObject(labels)) {
    throw new CiliumPolicyError({
      id: 'labels-not-map',
      message: `${what} got ${describeInstance(labels)} where a label map goes, so its labels are not known`,
      fix: 'pass an object of label keys and values, e.g. { app: \'web\' }',
      location: location ?? callerLocation(),
    });
  }
}

/** Refuses an empty label map given where it would mean "everything", and a value that is no label map (`checkLabelMap`). */
export function checkNonEmptyLabels(labels: Record<string, string> | undefined, what: string, fix: string, location?: string): void {
  checkLabelMap(labels, what, location);
  if (labels !== undefined && (labels === null || Object.keys(labels).length === 0)) {
    throw new CiliumPolicyError({
      id: 'selector-empty',
      message: `${what} got an empty label map ({}), which selects everything`,
      fix,
      location: location ?? callerLocation(),
    });
  }
}

/**
 * Refuses props or options that are not an object (`null`, a string, a list), which plain JavaScript can pass: reading
 * their fields was a TypeError. `undefined` is refused only where the props are required.
 * @param value the props or options given
 * @param what the call, e.g. `new FqdnEgress()` or `Port.of()`
 * @param example the call with its options, for the fix
 * @param location a construct path; default: the caller's file:line
 * @param required whether `undefined` is refused too
 */
export function checkPropsObject(value: unknown, what: string, example: string, location?: string, required = false): void {
  if (value === undefined && !required) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return;
  throw new CiliumPolicyError({
    id: 'props-not-object',
    message: `${what} got ${describeValue(value)} where its ${what.startsWith('new ') ? 'props go' : 'options go'}: an object is needed`,
    fix: `pass an object, e.g. ${example}`,
    location: location ?? callerLocation(),
  });
}

/** The shape of props or options for `readPropsOnce`: the keys its interface declares, and its lists of structs. */
export interface PropsShape {
  /** The keys the interface declares, inherited ones included (the construct's or factory's key list). */
  readonly keys: readonly string[];
  /** The lists whose entries are structs (`tiers`, `headerMatches`), each entry read once by its own shape. */
  readonly lists?: Readonly<Record<string, PropsShape>>;
  /**
   * The interface, as a refusal of a key it does not declare names it (`TieredApp`, `Tier`, `Port.of()`): given, the keys
   * are checked (`checkPropKeys`) before any value of the object is read, and so are those of each struct of a list whose
   * shape has one, before any value of that struct (but after the values of the object holding the list).
   */
  readonly owner?: string;
  /** `prop` for the props of a construct and their structs, `option` for the options of a call (`PropKeysContext.noun`). */
  readonly noun?: 'prop' | 'option';
}

/** Where props read by `readPropsOnce` are, for a refusal of an unknown key. */
export interface PropsPlace {
  /** A construct path; default: the caller's file:line. */
  readonly location?: string;
  /** Where the object is, when it is nested (`TieredApp tiers[1]`, `enableDefaultDeny`); default: the props of the owner. */
  readonly at?: string;
}

/**
 * Props or options read once into a plain copy (their lists copied, and the structs in them: tiers, header matches), for
 * the checks and the writer to read the same values. A getter (or a Proxy) was read by each check and again when written,
 * so `FqdnEgress({ get fqdns() { … } })` answering `['api.example.com']` to the checks and `['*']` after was written
 * `toFQDNs: [{ matchPattern: '*' }]`, every name, and `HttpRule.of({ get path() { … } })` without a path. Every own
 * enumerable key of a mapping is copied (as a spread does), and every key of `shape` the value has elsewhere (a getter of
 * a class, a field of an `Object.create` prototype) by a plain read: a spread left those out, so `dnsRules` given as a class getter
 * was dropped and the construct wrote its default, every name. Values of classes (a `Port`, a `Peer`, a construct) are
 * kept as they are. Called once the value is known to be an object (`checkPropsObject`). With an `owner`, the one check of
 * unknown keys comes first (`checkPropKeys`): of the props before any of their values is read, and of each struct of their
 * lists before any of its values is read (the props' own values, the list included, are read first).
 * @param props the props or options given (an object)
 * @param shape the keys its interface declares, its lists of structs, and whose they are
 * @param place where they are, for a refusal of an unknown key
 */
export function readPropsOnce<T extends object>(props: T, shape: PropsShape, place: PropsPlace = {}): T {
  // Before any getter runs (the spread below runs every one): an unknown key whose getter throws, or answers one value to a
  // check and another after, is refused as unknown (`prop-unknown`), not passed on as the getter's error or read.
  if (shape.owner !== undefined) {
    checkPropKeys(props, shape.keys, {
      owner: shape.owner, ...(shape.noun !== undefined ? { noun: shape.noun } : {}),
      ...(place.at !== undefined ? { at: place.at } : {}), ...(place.location !== undefined ? { location: place.location } : {}),
    });
  }
  // A class instance's other own fields are its class's state, not props (`isMapping`): they are left out, as the key check does.
  const copy: Record<string, unknown> = {};
  // Each value read once, by its key: a getter that throws (or a Proxy trap) is refused naming the prop (`prop-unreadable`),
  // not passed on as its raw error (`HostFirewall({ get apiServerPort() { throw … } })`, `Port.of({ get port() … })`).
  const read = (key: string): unknown => {
    try {
      return (props as Record<string, unknown>)[key];
    } catch (err) {
      if (err instanceof CiliumPolicyError) throw err;
      const owner = place.at ?? shape.owner ?? 'the props';
      throw new CiliumPolicyError({
        id: 'prop-unreadable',
        message: `${owner}: ${key} cannot be read (its getter threw: ${showValue(err instanceof Error ? err.message : err, 80)})`,
        fix: `give ${key} as a plain value, or leave it out for its default`,
        location: place.location ?? callerLocation(),
      });
    }
  };
  if (isMapping(props)) {
    for (const key of Object.keys(props)) copy[key] = read(key);
  }
  for (const key of shape.keys) {
    if (!Object.prototype.hasOwnProperty.call(copy, key) && key in props) copy[key] = read(key);
  }
  for (const [key, value] of Object.entries(copy)) {
    // A revoked proxy is no list (`isList`): left to the prop's own check, which refuses it.
    if (!isList(value)) continue;
    const entry = shape.lists?.[key];
    copy[key] = value.map((e: unknown, i) => {
      try {
        return entry !== undefined && isStruct(e)
          ? readPropsOnce(e, entry, { ...place, at: place.at !== undefined ? `${place.at}.${key}[${i}]` : `${shape.owner ?? ''} ${key}[${i}]`.trim() })
          : isObjectLiteral(e) ? { ...e } : e;
      } catch (err) {
        // An entry that cannot be read (a revoked proxy, a getter that throws: `TieredApp entry: [{ get toPeerConfig() { throw … } }]`)
        // is left as given to the prop's own check, which refuses it by its index, where its error was thrown raw.
        if (err instanceof CiliumPolicyError) throw err;
        return e;
      }
    });
  }
  return copy as T;
}

/** Whether a list entry is an object to read as a struct (not `null`, a list or a function, which the checks refuse). */
function isStruct(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether `value` is an object literal (or `JSON.parse`, `Object.create(null)`): its prototype is `Object.prototype` or
 * none. A class instance (a `Port`, a selector, a construct, a `Map`) is not, nor a list.
 */
export function isObjectLiteral(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Refuses flags that are not `true` or `false` (plain JavaScript, a value read from a file or the environment):
 * `allowAllDnsLookups: 'false'` is truthy, so the construct did the opposite of what was written (every name), and
 * `stagedRollout: 'false'` left a default deny unenforced.
 * @param props the props or options given (an object)
 * @param names the flags among them
 * @param what the call, e.g. `new FqdnEgress()`
 * @param location a construct path; default: the caller's file:line
 */
export function checkFlags(props: object, names: readonly string[], what: string, location?: string): void {
  for (const name of names) {
    const value = (props as Record<string, unknown>)[name];
    if (value === undefined || typeof value === 'boolean') continue;
    throw new CiliumPolicyError({
      id: 'flag-not-boolean',
      message: `${what} ${name} is ${describeValue(value)}, not true or false: JavaScript would read it as ${value ? 'true' : 'false'}`,
      fix: `pass ${name}: true or ${name}: false (a value read from a file or the environment: compare it, e.g. value === 'true')`,
      location: location ?? callerLocation(),
    });
  }
}

/**
 * Refuses a list that is not a list (a string would be read character by character: `namespaces: 'shop'` as the
 * namespaces s, h, o, p) or, with `property`, that holds `null`, `undefined` or an object without `property` (a function
 * or field every such value has, `L7.http()` rules, `TieredApp` tiers): reading it was a TypeError.
 * @param list the list given (`undefined` is for the caller to allow or refuse)
 * @param what what it is, e.g. `L7.http() rules`
 * @param kind what each entry must be, e.g. `an HttpRule`
 * @param property a member each entry has, or what each entry must pass (`isPort`: a look-alike `{ _match: 1 }` is no Port);
 * none: the entries are checked elsewhere
 * @param location a construct path; default: the caller's file:line
 */
export function checkListOf(list: unknown, what: string, kind: string, property?: string | ((entry: unknown) => boolean), location?: string): void {
  if (list === undefined) return;
  const invalid = property === undefined ? undefined
    : typeof property === 'function' ? (e: unknown): boolean => !property(e)
      : (e: unknown): boolean => e === null || typeof e !== 'object' || (e as Record<string, unknown>)[property] === undefined;
  // `isList`: a revoked proxy is refused as no list, not a TypeError of `Array.isArray`.
  const index = isList(list) && invalid !== undefined ? list.findIndex(invalid) : -1;
  if (isList(list) && index < 0) return;
  throw new CiliumPolicyError({
    id: 'list-entry-invalid',
    message: isList(list) ? `${what}[${index}] is ${describeInstance(list[index])}, not ${kind}` : `${what} is ${describeInstance(list)}, not a list`,
    fix: isList(list) ? `pass ${kind} at every position (is a computed entry undefined?)`
      : typeof list === 'string' ? `pass a list: [${JSON.stringify(list)}]` : `pass a list, each entry ${kind}`,
    location: location ?? callerLocation(),
  });
}

/**
 * `checkListOf` for a list of strings (names, CIDRs): refuses a list that is not a list, or that holds anything but a
 * string (`[undefined]` from JavaScript or a computed entry was a TypeError, `Cannot read properties of undefined`).
 * @param list the list given (`undefined` is for the caller to allow or refuse)
 * @param what what it is, e.g. `FqdnEgress fqdns`
 * @param kind what each entry must be, e.g. `a DNS name`
 * @param location a construct path; default: the caller's file:line
 */
export function checkStringList(list: unknown, what: string, kind: string, location?: string): void {
  checkListOf(list, what, kind, (e) => typeof e === 'string', location);
}

/**
 * A value as a message shows it, naming the class of an instance (`a DnsRule`, `an EndpointSelector`, `a Set`); anything
 * else as `describeValue` shows it.
 */
export function describeInstance(value: unknown): string {
  let name: unknown;
  try {
    name = value !== null && typeof value === 'object' && !Array.isArray(value) ? value.constructor?.name : undefined;
  } catch {
    name = undefined; // a getter that throws, a proxy's trap
  }
  if (typeof name === 'string' && name !== '' && name !== 'Object') return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  return typeof value === 'function' ? 'a function' : describeValue(value);
}
