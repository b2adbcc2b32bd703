/**
 * The changes a test expects of a connectivity diff, and how a diff departs from them (`Connectivity.unexpectedChanges`,
 * the `toChangeOnly` matcher).
 */
import { ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, NotCompared } from '../model/connectivity-document';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';

/** A change a test expects: the classes (ids as the diff names them), and optionally the ports and the new verdict. */
export interface ExpectedConnectivityChange {
  /** Client class id (`prod/app=web`, `world`, `prod/(other pods)`). */
  readonly from: string;
  /** Server class id. */
  readonly to: string;
  /**
   * The merged ports, exactly as the diff lists them (`['9090/TCP']`).
   * @default - any ports
   */
  readonly ports?: string[];
  /**
   * The verdict after the change.
   * @default - either
   */
  readonly after?: ConnectionVerdict;
}

/**
 * The fields of an expected change (`ExpectedConnectivityChange`, `ExpectedChange`) with their defaults (`option-unknown`;
 * kept equal to the interfaces by test/engine/option-keys-interfaces.test.ts).
 */
export const EXPECTED_CHANGE_FIELDS: OptionDefaults = {
  from: 'none: required',
  to: 'none: required',
  ports: 'any ports',
  after: 'either verdict',
};

/**
 * An expected change as a TypeScript test writes it for `toChangeOnly`: `after` may also be the verdict's wire value
 * (`'allowed'`, `'denied'`).
 */
export interface ExpectedChange extends Omit<ExpectedConnectivityChange, 'after' | 'ports'> {
  /**
   * The merged ports, exactly as the diff lists them (`['9090/TCP']`).
   * @default - any ports
   */
  readonly ports?: readonly string[];
  /**
   * The verdict after the change.
   * @default - either
   */
  readonly after?: ConnectionVerdict | `${ConnectionVerdict}`;
}

/** How a diff departs from the expected changes. */
export interface UnexpectedChanges {
  /** Changes no expected entry covers. */
  readonly unexpected: ConnectivityChange[];
  /** Expected entries no change matches. */
  readonly missing: ExpectedConnectivityChange[];
  /**
   * What the diff could not compare (`ConnectivityDiffDocument.notCompared`: a policy the engine skips or the agent refuses
   * for an endpoint, a blind rule that differs): each may be a change no expected entry covers, so a caller that expects
   * exactly its changes treats a non-empty list as a failure, as `toChangeOnly` and `diff --fail-on` do.
   */
  readonly notCompared: NotCompared[];
}

/**
 * Which changes no expected entry covers, and which expected entries no change matches.
 * @param call the call, for the refusal of an entry with a field it does not declare: `Connectivity.unexpectedChanges()`, `toChangeOnly()`
 * @throws CiliumPolicyError for an entry with a field an expected change does not declare (`option-unknown`): `aftr` for
 * `after` would have matched a change either way
 */
export function unexpectedChanges<E extends ExpectedChange>(doc: ConnectivityDiffDocument, expected: readonly E[],
  call = 'Connectivity.unexpectedChanges()'): {
  unexpected: ConnectivityChange[];
  missing: E[];
  notCompared: NotCompared[];
} {
  expected.forEach((e, i) => checkOptionKeys(e, EXPECTED_CHANGE_FIELDS, {
    call: 'ExpectedChange', at: `${call} expected[${i}]`, noun: 'field', risk: 'so the entry would match more changes than asked, and a test that should fail could pass',
  }));
  return {
    unexpected: doc.changes.filter((c) => !expected.some((e) => matches(c, e))),
    missing: expected.filter((e) => !doc.changes.some((c) => matches(c, e))),
    notCompared: [...(doc.notCompared ?? [])],
  };
}

/** `+ prod/app=web → prod/app=api 9090/TCP` (expected allowed), `- …` (expected denied), `± …` (either). */
export function describeExpected(e: ExpectedChange): string {
  return `${e.after === ConnectionVerdict.DENIED ? '-' : e.after === ConnectionVerdict.ALLOWED ? '+' : '±'} ${e.from} → ${e.to}`
    + `${e.ports ? ` ${e.ports.join(', ')}` : ''}`;
}

function matches(c: ConnectivityChange, e: ExpectedChange): boolean {
  return c.from === e.from && c.to === e.to && (e.after === undefined || c.after === e.after)
    && (e.ports === undefined || (e.ports.length === c.ports.length && e.ports.every((p, i) => c.ports[i] === p)));
}
