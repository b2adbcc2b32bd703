/**
 * The changes a test expects of a connectivity diff, and how a diff departs from them (`Connectivity.unexpectedChanges`,
 * the `toChangeOnly` matcher).
 */
import { ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument } from '../model/connectivity-document';

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
}

/** Which changes no expected entry covers, and which expected entries no change matches. */
export function unexpectedChanges<E extends ExpectedChange>(doc: ConnectivityDiffDocument, expected: readonly E[]): {
  unexpected: ConnectivityChange[];
  missing: E[];
} {
  return {
    unexpected: doc.changes.filter((c) => !expected.some((e) => matches(c, e))),
    missing: expected.filter((e) => !doc.changes.some((c) => matches(c, e))),
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
