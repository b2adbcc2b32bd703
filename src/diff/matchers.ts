// The connectivity diff as a test matcher: `expect.extend(diffMatchers)`, then
//
//   expect(head).toChangeOnly(base, [{ from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'], after: 'allowed' }]);
//   expect(refactoredApp).toChangeOnly(originalApp, []);   // a refactoring that changes no connectivity
//
// Received and base are each a cdk8s App, a Chart, a `PolicySet` or YAML text. Nothing here imports a test framework:
// `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` register it (and export it; TypeScript only, not part of the jsii API).
import { diffPolicySets } from './connectivity';
import { ExpectedChange, describeExpected, unexpectedChanges } from './expected-changes';
import { describeChange } from './format';
import { EngineMatcherResult, MATCHER_RISK, policySetOf } from '../engine/matchers';
import { YamlPolicySetOptions } from '../engine/policy-set';
import { YAML_POLICY_SET_OPTION_DEFAULTS } from '../engine/agent-settings-table';
import { checkOptionKeys } from '../model/known-keys';
import { pushAll } from '../model/push-all';

/** The matchers, as passed to `expect.extend`. */
export type DiffMatchers = {
  /**
   * Passes when the connectivity of the received policies differs from `base` by exactly the expected changes: every change
   * matches an expected entry, and every expected entry matches a change.
   */
  toChangeOnly(received: unknown, base: unknown, expected: readonly ExpectedChange[], options?: YamlPolicySetOptions): EngineMatcherResult;
};

/** The connectivity-diff matcher for vitest and jest: `expect.extend(diffMatchers)`. */
export const diffMatchers: DiffMatchers = {
  toChangeOnly(received, base, expected, options = {}) {
    checkOptionKeys(options, YAML_POLICY_SET_OPTION_DEFAULTS, { call: 'toChangeOnly()', risk: MATCHER_RISK });
    const doc = diffPolicySets(policySetOf(base, options, 'toChangeOnly', 'toChangeOnly() base'), policySetOf(received, options, 'toChangeOnly', 'toChangeOnly()'));
    const { unexpected, missing, notCompared } = unexpectedChanges(doc, expected, 'toChangeOnly()');
    // What the diff could not compare may be a change no entry covers: a refactoring test must not pass over it.
    const pass = unexpected.length === 0 && missing.length === 0 && notCompared.length === 0;
    return {
      pass,
      message: () => {
        if (pass) return `expected other connectivity changes than exactly ${expected.length === 0 ? 'none' : expected.map(describeExpected).join('; ')}`;
        const lines = [`expected the connectivity to change only as listed (${expected.length} expected), but:`];
        if (unexpected.length > 0) {
          lines.push(`unexpected changes (${unexpected.length}):`);
          pushAll(lines, unexpected.map((c) => `  ${describeChange(c)}`));
        }
        if (missing.length > 0) {
          lines.push(`expected changes not found (${missing.length}):`);
          pushAll(lines, missing.map((e) => `  ${describeExpected(e)}`));
        }
        if (notCompared.length > 0) {
          lines.push(`not compared (${notCompared.length}):`);
          pushAll(lines, notCompared.map((n) => `  ${n.text}`));
        }
        if (doc.changes.length > 0 && unexpected.length < doc.changes.length) {
          lines.push('all changes:');
          pushAll(lines, doc.changes.map((c) => `  ${describeChange(c)}`));
        }
        return lines.join('\n');
      },
    };
  },
};
