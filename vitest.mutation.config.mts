import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the behavioural tests of the code it mutates (engine
 * verdicts, the reference agreement, port parsing, the host-firewall guard, the NetworkPolicy checks of `validate`, the verdict matchers). Files share modules (`isolate: false`), so a
 * mutant run does not reload the library per file.
 */
export default defineConfig({
  test: {
    include: [
      'test/engine/semantics.test.ts', 'test/engine/admission.test.ts', 'test/engine/port-parsing.test.ts', 'test/engine/reference-agreement.test.ts',
      'test/constructs/host-firewall.test.ts', 'test/constructs/host-firewall-guard.test.ts', 'test/constructs/lockout-guard-peers.test.ts',
      'test/validate/network-policy-checks.test.ts',
      // The verdict matchers (src/engine/matchers.ts) and more engine verdicts; the lockout guard's overlaps.
      'test/engine/matchers.test.ts', 'test/engine/network-policy.test.ts', 'test/engine/raw-rules-and-l7.test.ts',
      'test/constructs/lockout-guard-overlaps.test.ts',
      // Layer 4 (ICMP types and aliases, named ports, service names), label selectors by source and operator, addresses
      // and CIDRs: the tests written for the mutants of src/engine/ports.ts, src/model/labels.ts and src/model/cidr.ts.
      'test/engine/layer-4.test.ts', 'test/model/labels.test.ts', 'test/model/cidr.test.ts',
      // What decides a side, and the L7 decisions (src/engine/evaluate.ts), with decide() held to verdict().
      'test/engine/side-decision.test.ts', 'test/engine/l7-decision.test.ts',
    ],
    isolate: false,
    setupFiles: ['test/setup.ts'],
    env: { CDK8S_DISABLE_SORT: '' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
