/**
 * The per-file cap on diagnostics of one id: a file of a million wrong values is read (the value limit admits it), but
 * its diagnostics are not each built, placed in the source, checked and printed. The reader (`parse.ts`, every command's
 * policy input) and the checks of a policy (`validatePolicy`) count through it; one summary per id says how many were
 * left out.
 */
import { Diagnostic, Severity } from '../core/errors';

/** The most diagnostics of one id listed for one file (beyond them, only each document's first of the id). */
export const MAX_DIAGNOSTICS_PER_ID = 1000;

/** Diagnostics of one id left out of a file's list. */
export interface OmittedDiagnostics {
  readonly id: string;
  readonly severity: Severity;
  readonly count: number;
  /** Where they were found (their paths, as the diagnostics would have had them), when the caller said. */
  readonly paths?: readonly string[];
}

/** Diagnostics left out, by id, in the order first seen: how many, and where when the caller says. */
export class OmittedTally {
  private readonly byId = new Map<string, { id: string; severity: Severity; count: number; paths: string[] }>();

  /** Counts one left out diagnostic of `id` (at `path`, when given). */
  public add(id: string, severity: Severity, path?: string): void {
    let o = this.byId.get(id);
    if (!o) this.byId.set(id, (o = { id, severity, count: 0, paths: [] }));
    o.count++;
    if (path !== undefined) o.paths.push(path);
  }

  /** The ids of which some were left out, in the order first seen. */
  public list(): OmittedDiagnostics[] {
    return [...this.byId.values()].map((o) => ({ ...o }));
  }
}

/** Counts the diagnostics of a file by id and says which are listed. */
export class DiagnosticBudget {
  private readonly listed = new Map<string, number>();
  private readonly tally = new OmittedTally();

  /** @param max the most of one id listed (`MAX_DIAGNOSTICS_PER_ID`) */
  constructor(public readonly max: number = MAX_DIAGNOSTICS_PER_ID) {}

  /**
   * Whether a diagnostic of `id` is listed: the first `max` of the file are, and beyond them a document's first of the id
   * (`firstOfDocument`), so that no document loses the only error that keeps it from being judged as enforced.
   * Counted as omitted otherwise, and its `path` (when given) kept: what it says is said there all the same.
   */
  public admit(id: string, severity: Severity, firstOfDocument: boolean, path?: string): boolean {
    const listed = this.listed.get(id) ?? 0;
    if (listed < this.max || firstOfDocument) {
      this.listed.set(id, listed + 1);
      return true;
    }
    this.tally.add(id, severity, path);
    return false;
  }

  /** The ids of which some were left out, in the order first seen. */
  public omitted(): OmittedDiagnostics[] {
    return this.tally.list();
  }
}

/**
 * The one diagnostic standing for `o` (the reader's, a policy's checks', a file's CRD violations): `scope` is what they
 * were left out of, `per` what the cap counts (a file, a policy).
 */
export function omittedDiagnostic(o: OmittedDiagnostics, max: number, scope: 'file' | 'policy', per: 'file' | 'policy'): Diagnostic {
  const d: Diagnostic = {
    id: o.id,
    severity: o.severity,
    message: `and ${o.count.toLocaleString('en-US')} more ${o.id} ${o.severity === Severity.ERROR ? 'error' : 'warning'}${o.count === 1 ? '' : 's'} in this ${scope}, not listed `
      + `(${per === 'file' ? 'a file lists' : 'the checks of a policy list'} at most ${max.toLocaleString('en-US')} of one kind`
      + `${per === 'file' ? ', and each policy\'s first' : ''})`,
    fix: 'fix the ones listed and run again: the input repeats one mistake (a generated value?)',
    omitted: o.count,
  };
  if (o.paths !== undefined && o.paths.length > 0) LEFT_OUT_PATHS.set(d, o.paths);
  return d;
}

/** The paths of the diagnostics each summary made by `omittedDiagnostic` stands for. */
const LEFT_OUT_PATHS = new WeakMap<object, readonly string[]>();

/**
 * The paths of the diagnostics the summary `d` (as `omittedDiagnostic` made it, not a copy) stands for: they were found
 * there, though not listed, so a CRD schema's violation there is said already. Empty for any other diagnostic.
 */
export function leftOutPaths(d: object): readonly string[] {
  return LEFT_OUT_PATHS.get(d) ?? [];
}

/** How many diagnostics `d` stands for: the count of a summary of omitted ones (its `omitted`), else 1. */
export function diagnosticWeight(d: { readonly omitted?: number }): number {
  return d.omitted ?? 1;
}

/** Per construct, the errors its validation's messages stand for beyond one each (`noteValidationErrors`). */
const unlisted = new WeakMap<object, number>();

/**
 * Notes the error diagnostics a construct's validation returns as messages (`IValidation.validate`, one string each): a
 * summary of omitted ones is one message standing for `omitted` errors, so what they stand for beyond their one message
 * each is kept for the count of the construct's errors (`validationErrorCount`). One validation per construct notes (a
 * policy's own, the app-wide checks at the root); a later note replaces the earlier.
 */
export function noteValidationErrors(scope: object, errors: readonly { readonly omitted?: number }[]): void {
  let beyond = 0;
  for (const d of errors) beyond += diagnosticWeight(d) - 1;
  if (beyond > 0) unlisted.set(scope, beyond);
  else unlisted.delete(scope);
}

/** How many errors a construct's validation messages stand for: one each, and what its noted summaries stand for beyond. */
export function validationErrorCount(scope: object, messages: readonly string[]): number {
  return messages.length + (unlisted.get(scope) ?? 0);
}

/** `{ omitted }` of a summary of omitted diagnostics, to keep in a copy of it; `{}` for any other diagnostic. */
export function omittedOf(d: { readonly omitted?: number }): { omitted?: number } {
  return d.omitted !== undefined ? { omitted: d.omitted } : {};
}
