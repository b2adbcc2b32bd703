/** How bad a finding is. */
export enum Severity {
  /** The policy is rejected by the API server or not imported by the agent, or it does not mean what it says. */
  ERROR = 'error',
  /** The policy works but is likely a mistake. */
  WARNING = 'warning',
}

/** One finding about a policy: a schema violation, an agent `Sanitize` failure, or a misuse of the SDK. */
export interface Diagnostic {
  /** Stable identifier of the check, e.g. `crd-port-syntax`. */
  readonly id: string;
  /** How bad it is. */
  readonly severity: Severity;
  /** What is wrong, in one line, lower-case, no trailing period. */
  readonly message: string;
  /** Where inside the manifest, as a JSON path such as `spec.ingress[0].toPorts[0].ports[0].port`. @default - the whole object */
  readonly path?: string;
  /** How to fix it. @default - no fix is suggested */
  readonly fix?: string;
  /**
   * Set on the one diagnostic that stands for diagnostics of its id left out of the list (past the cap of 1,000 per file
   * or policy): how many it stands for. Totals count them, not it.
   * @default - a diagnostic of its own (it counts as one)
   */
  readonly omitted?: number;
}

/** The properties of a `CiliumPolicyError`. */
export interface CiliumPolicyErrorProps {
  /** Stable identifier of the check. */
  readonly id: string;
  /** What is wrong, including the bad value. */
  readonly message: string;
  /** How to fix it. @default - no fix is suggested */
  readonly fix?: string;
  /** Where: a construct path, a file:line, or a field path. @default - unknown */
  readonly location?: string;
}

/** Marks a `CiliumPolicyError`, so that it is recognised across copies of the package (and from jsii languages). */
const CILIUM_POLICY_ERROR_SYMBOL = Symbol.for('cdk8s-cilium.CiliumPolicyError');

/**
 * The one error type the SDK throws. Its message says what is wrong, where, the bad value and the fix.
 * The stack is trimmed to the message: these are input errors, not bugs, and a stack trace helps no one.
 *
 * TypeScript and JavaScript code tests for it with `instanceof CiliumPolicyError` (or `Errors.isCiliumPolicyError`).
 * The class is not part of the jsii API (a jsii class cannot extend `Error`); in Python, Java and Go the error arrives
 * as the language's JavaScript error with the same message.
 * @jsii ignore
 */
export class CiliumPolicyError extends Error {
  /** Stable identifier of the check that failed. */
  public readonly id: string;
  /** How to fix it. */
  public readonly fix?: string;
  /** Where the problem is. */
  public readonly location?: string;

  constructor(props: CiliumPolicyErrorProps) {
    const where = props.location ? `[${props.location}] ` : '';
    const fix = props.fix ? `\n  fix: ${props.fix}` : '';
    super(`${where}${props.message} (${props.id})${fix}`);
    Object.defineProperty(this, CILIUM_POLICY_ERROR_SYMBOL, { value: true });
    this.name = 'CiliumPolicyError';
    this.id = props.id;
    this.fix = props.fix;
    this.location = props.location;
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * @internal What a `CiliumPolicyError` says, without the id and fix its message ends in (`[where] what`): the CLI's
 * error line and the cdk8s plugin's violation each print the parts their own way.
 */
export function errorWhat(e: CiliumPolicyError): string {
  const fixPart = e.fix !== undefined ? `\n  fix: ${e.fix}` : '';
  const head = fixPart !== '' && e.message.endsWith(fixPart) ? e.message.slice(0, -fixPart.length) : e.message;
  const idPart = ` (${e.id})`;
  return head.endsWith(idPart) ? head.slice(0, -idPart.length) : head;
}

/** Recognises the errors the SDK throws (the aws-cdk-lib `Errors` pattern). */
export class Errors {
  /**
   * Whether `x` is a `CiliumPolicyError`: an input error with a stable `id`, a message naming what, where and the bad
   * value, and a `fix`. Unlike `instanceof`, it also recognises errors of another copy of the package.
   * @param x any value, typically a caught error
   */
  public static isCiliumPolicyError(x: unknown): x is CiliumPolicyError {
    return x !== null && typeof x === 'object' && CILIUM_POLICY_ERROR_SYMBOL in x;
  }

  private constructor() {}
}

/** Formats a diagnostic as one readable line (plus the fix). */
export function formatDiagnostic(d: Diagnostic, location?: string): string {
  const where = [location, d.path].filter(Boolean).join(' ');
  return `${where ? `${where}: ` : ''}${d.message} (${d.id})${d.fix ? `\n    fix: ${d.fix}` : ''}`;
}

/**
 * @internal A value of the input as messages show it: JSON, clipped to `max` characters (a megabyte-long value in a message
 * would flood the one line an error is), or, for what JSON cannot write (a BigInt, a cycle, a `toJSON` that throws), its
 * text (`textOf`: `10`, `[object Object]`; a function is `a function`, not its source). Never throws: it is the one display of a value in a refusal (`validate`'s `show`,
 * a selector of one's own, a prop or option given), so a refusal is never a TypeError of its own message.
 * @param value the value given (anything)
 * @param max the longest text shown; longer is cut, ending in `...` (default 80; 200 for a selector of one's own)
 */
export function showValue(value: unknown, max = 80): string {
  if (value === undefined) return 'undefined';
  let text: string | undefined;
  try {
    // JSON writes NaN and ±Infinity as `null`, at any depth: `apiServerPort NaN` was shown as `apiServerPort null`, and
    // `[NaN]` as `[null]`, values not given. Marked by the replacer and written back as given, unless a text of the value
    // holds a mark of its own (then JSON's `null`, as before, rather than a NaN not given).
    let marked = 0;
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'number' || Number.isFinite(v)) return v;
      marked += 1;
      return `${NON_FINITE_MARK}${v}`;
    }) as string | undefined;
    if (marked > 0 && text !== undefined) {
      text = text.match(NON_FINITE_TEXT)?.length === marked ? text.replace(NON_FINITE_TEXT, '$1') : JSON.stringify(value);
    }
  } catch {
    text = undefined; // a bigint, a cycle, a toJSON that throws
  }
  text ??= typeof value === 'function' ? 'a function' : textOf(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Marks a non-finite number in `showValue`'s JSON (a private-use character JSON writes as is). */
const NON_FINITE_MARK = '\uE000';
/** A marked non-finite number, as JSON writes it: a string of the mark and `NaN`, `Infinity` or `-Infinity`. */
const NON_FINITE_TEXT = new RegExp(`"${NON_FINITE_MARK}(NaN|-?Infinity)"`, 'g');

/**
 * @internal A value as text (`String(value)`) that never throws: an object with no prototype (`Object.create(null)`, no
 * `toString`), one whose `toString` throws or answers no text, or a proxy whose traps throw, is its tag (`[object Object]`),
 * or its type. `String(value)` threw `Cannot convert object to primitive value` there, a TypeError out of a refusal.
 */
export function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return typeof value;
    }
  }
}
