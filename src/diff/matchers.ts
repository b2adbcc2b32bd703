// The connectivity diff as a test matcher: `expect.extend(diffMatchers)`, then
//
//   expect(head).toChangeOnly(base, [{ from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'], after: 'allowed' }]);
//   expect(refactoredApp).toChangeOnly(originalApp, []);   // a refactoring that changes no connectivity
//
// Received and base are each a cdk8s App, a Chart, a `PolicySet` or YAML text. Nothing here imports a test framework:
// `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` register it.
import { ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument } from './connectivity-document';
import { diffPolicySets } from './connectivity';
import { EngineMatcherResult, policySetOf } from '../engine/matchers';
import { PolicySetOptions } from '../engine/policy-set';

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
  readonly ports?: readonly string[];
  /**
   * The verdict after the change.
   * @default - either
   */
  readonly after?: ConnectionVerdict;
}

/** The matchers, as passed to `expect.extend`. */
export type DiffMatchers = {
  /**
   * Passes when the connectivity of the received policies differs from `base` by exactly the expected changes: every change
   * matches an expected entry, and every expected entry matches a change.
   */
  toChangeOnly(received: unknown, base: unknown, expected: readonly ExpectedConnectivityChange[], options?: PolicySetOptions): EngineMatcherResult;
};

/** `+ prod/app=web → prod/app=api 9090/TCP` (newly allowed), `- …` (newly denied), `~ … (L7)`. */
export function describeChange(c: ConnectivityChange): string {
  const mark = c.before === c.after ? '~' : c.after === 'allowed' ? '+' : '-';
  const l7 = c.before === c.after ? ` (L7: ${c.l7Before ?? 'none'} → ${c.l7 ?? 'none'})` : c.l7 !== undefined ? ` [${c.l7}]` : '';
  return `${mark} ${c.from} → ${c.to} ${c.ports.join(', ')}${l7} (after: ${c.reason.after.text})`;
}

function describeExpected(e: ExpectedConnectivityChange): string {
  return `${e.after === 'denied' ? '-' : e.after === 'allowed' ? '+' : '±'} ${e.from} → ${e.to}${e.ports ? ` ${e.ports.join(', ')}` : ''}`;
}

function matches(c: ConnectivityChange, e: ExpectedConnectivityChange): boolean {
  return c.from === e.from && c.to === e.to && (e.after === undefined || c.after === e.after)
    && (e.ports === undefined || (e.ports.length === c.ports.length && e.ports.every((p, i) => c.ports[i] === p)));
}

/** How a diff departs from the expected changes. */
export interface UnexpectedChanges {
  /** Changes no expected entry covers. */
  readonly unexpected: ConnectivityChange[];
  /** Expected entries no change matches. */
  readonly missing: ExpectedConnectivityChange[];
}

/** Which changes no expected entry covers, and which expected entries no change matches. */
export function unexpectedChanges(doc: ConnectivityDiffDocument, expected: readonly ExpectedConnectivityChange[]): UnexpectedChanges {
  return {
    unexpected: doc.changes.filter((c) => !expected.some((e) => matches(c, e))),
    missing: expected.filter((e) => !doc.changes.some((c) => matches(c, e))),
  };
}

/** The connectivity-diff matcher for vitest and jest: `expect.extend(diffMatchers)`. */
export const diffMatchers: DiffMatchers = {
  toChangeOnly(received, base, expected, options = {}) {
    const doc = diffPolicySets(policySetOf(base, options, 'toChangeOnly'), policySetOf(received, options, 'toChangeOnly'));
    const { unexpected, missing } = unexpectedChanges(doc, expected);
    const pass = unexpected.length === 0 && missing.length === 0;
    return {
      pass,
      message: () => {
        if (pass) return `expected other connectivity changes than exactly ${expected.length === 0 ? 'none' : expected.map(describeExpected).join('; ')}`;
        const lines = [`expected the connectivity to change only as listed (${expected.length} expected), but:`];
        if (unexpected.length > 0) lines.push(`unexpected changes (${unexpected.length}):`, ...unexpected.map((c) => `  ${describeChange(c)}`));
        if (missing.length > 0) lines.push(`expected changes not found (${missing.length}):`, ...missing.map((e) => `  ${describeExpected(e)}`));
        if (doc.changes.length > 0 && unexpected.length < doc.changes.length) {
          lines.push('all changes:', ...doc.changes.map((c) => `  ${describeChange(c)}`));
        }
        return lines.join('\n');
      },
    };
  },
};
