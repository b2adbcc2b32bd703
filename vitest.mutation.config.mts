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
      // The constructs' promise (least privilege): what each construct allows AND denies, through engine verdicts, and its
      // refusals. Every construct is built inside a test (never while a file is collected, which would make its mutants
      // "static": run against every test here), so test/engine/truth-tables.test.ts (the reference platform built at
      // collection) stays out; the per-construct tables of what-it-allows.test.ts say the same.
      'test/constructs/tiered-app.test.ts', 'test/constructs/default-deny-namespace.test.ts', 'test/constructs/cluster-default-deny.test.ts',
      'test/constructs/fqdn-egress.test.ts', 'test/constructs/what-it-allows.test.ts', 'test/constructs/least-privilege.test.ts',
      'test/constructs/workload-peers.test.ts',
      // Written for the construct mutants: engine verdicts and deciding rules on what each construct synthesizes (no YAML,
      // no CRD-schema check: milliseconds a test), and every refusal with its error id.
      'test/constructs/tiered-app-verdicts.test.ts', 'test/constructs/default-deny-namespace-verdicts.test.ts',
      'test/constructs/cluster-default-deny-verdicts.test.ts', 'test/constructs/fqdn-egress-verdicts.test.ts',
      // ClusterwidePolicy lockout exemptions: refused exemptions by error id, exempted cuts dropped by the engine.
      'test/constructs/clusterwide-policy-exemptions.test.ts', 'test/constructs/host-policy-lockout.test.ts',
    ],
    isolate: false,
    setupFiles: ['test/setup.ts'],
    env: { CDK8S_DISABLE_SORT: '' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
