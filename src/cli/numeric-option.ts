// The one parser of the CLI's whole-number options (--max-connections, --max-changes, --max-pairs, --max-warnings).
import { CiliumPolicyError } from '../core/errors';
import { flagWithValue } from './flag-value';

/** The range of a whole-number option, the id of its error and the example of its fix. */
export interface IntegerOptionRange {
  /** The least value (counts: 1; --max-warnings: -1, "no limit"). */
  readonly min: number;
  /** The greatest value, a safe integer. @default Number.MAX_SAFE_INTEGER */
  readonly max?: number;
  /** The value the fix gives as an example. */
  readonly example: number;
  /** The error id. @default 'cli-flag' */
  readonly id?: string;
  /** What the option counts, for the message ("a positive number"). */
  readonly what: string;
  /** The fix of a value that is no such number. @default give <flag> a number, e.g. <example> */
  readonly fix?: string;
}

/**
 * @internal A whole-number option: digits (a leading `-` when `min` is negative) within the range. A value beyond it says
 * "too large (max N)", one below it or no number says what the option wants; both with the fix.
 */
export function parseIntegerOption(value: string, flag: string, range: IntegerOptionRange): number {
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const text = value.trim();
  const id = range.id ?? 'cli-flag';
  const fix = range.fix ?? `give ${flag} a number, e.g. ${range.example}`;
  if (!(range.min < 0 ? /^-?\d+$/ : /^\d+$/).test(text)) {
    throw new CiliumPolicyError({ id, message: `${flagWithValue(flag, value)} is not ${range.what}`, fix });
  }
  // Compared as digits, not as a number: 99999999999999999999 is no safe integer.
  const digits = text.replace(/^-?0*(?=\d)/, '');
  if (!text.startsWith('-') && (digits.length > String(max).length || (digits.length === String(max).length && digits > String(max)))) {
    throw new CiliumPolicyError({ id, message: `${flagWithValue(flag, value)} is too large (max ${max})`, fix: `give ${flag} at most ${max}, e.g. ${range.example}` });
  }
  const n = Number(text);
  if (n < range.min) throw new CiliumPolicyError({ id, message: `${flagWithValue(flag, value)} is not ${range.what}`, fix });
  return n;
}
