/**
 * Envoy's size limit on the regexes of HTTP rules. Cilium sends `rules.http[].path`, `method` and `host` to its Envoy as
 * `HeaderMatcher`s with a `safe_regex` (cilium `pkg/envoy/policy/envoy_l7_rules_translator.go` `getHTTPRule`); cilium-envoy
 * compiles them with Envoy's Google RE2 engine (cilium/proxy `cilium/network_policy.cc` →
 * `Http::HeaderUtility::createHeaderData` → `Regex::Utility::parseRegex`), which refuses a regex whose C++ RE2
 * `ProgramSize()` is above the runtime value `re2.max_program_size.error_level`, 100 unless set (envoyproxy/envoy
 * `source/common/common/regex.cc`). Cilium's bootstraps (`pkg/envoy/embedded_envoy.go`, the Helm chart's
 * `cilium-envoy/configmap/bootstrap-config.yaml`) set no such runtime value, so 100 holds. The agent does not check the
 * size: it accepts the policy, and cilium-envoy refuses (NACKs) the whole network-policy update, keeping the policies it had.
 *
 * Used by `validate` (`pitfall-http-regex-too-large`, `pitfall-http-regex-may-be-too-large`) and by `HttpRule.of`
 * (`l7-http-regex-too-large`).
 */
import { MAX_COMPILED_PROGRAM, re2ProgramSize, re2TooLarge } from './re2';

/** Envoy's default `re2.max_program_size.error_level`: a regex whose RE2 program is larger is refused. */
export const ENVOY_REGEX_MAX_PROGRAM_SIZE = 100;

/** Why Envoy refuses, or may refuse, a regex for its size. */
export interface EnvoyRegexSizeProblem {
  /** Whether the size is certainly above the limit (the lower bound is), or only estimated above it. */
  readonly certain: boolean;
  /** The lower bound of the C++ RE2 program size. */
  readonly atLeast: number;
  /** The estimate of the C++ RE2 program size. */
  readonly estimate: number;
  /** The pattern as messages quote it (JSON, cut after 120 characters). */
  readonly shown: string;
  /** What is wrong, for a message: `its RE2 program size is at least 104, above …`. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Whether Envoy refuses the HTTP `field` regex `pattern` for its size: certainly (its RE2 program size is at least above
 * 100, or Go's program is over the `MAX_COMPILED_PROGRAM` instructions this tool compiles), or maybe (estimated above 100);
 * `undefined` when it fits, or when it does not compile at all (another check).
 */
export function envoyRegexSizeProblem(field: string, pattern: string): EnvoyRegexSizeProblem | undefined {
  if (typeof pattern !== 'string') return undefined;
  const limit = `the ${ENVOY_REGEX_MAX_PROGRAM_SIZE} Envoy accepts (re2.max_program_size.error_level)`;
  const shown = JSON.stringify(pattern.length > 120 ? `${pattern.slice(0, 117)}...` : pattern);
  // Too large for this tool to compile (a repeat of a long body): judged too large for Envoy, a hundred times its limit.
  const goSize = re2TooLarge(pattern);
  if (goSize !== undefined) {
    return {
      certain: true,
      atLeast: goSize,
      estimate: goSize,
      shown,
      problem: `its program would have about ${goSize.toLocaleString('en-US')} instructions (its literals and classes times their repeat `
        + `counts), more than the ${MAX_COMPILED_PROGRAM.toLocaleString('en-US')} this tool compiles and far above ${limit}`,
      fix: sizeFix(field),
    };
  }
  const size = re2ProgramSize(pattern);
  if (size === undefined || size.estimate <= ENVOY_REGEX_MAX_PROGRAM_SIZE) return undefined;
  const certain = size.atLeast > ENVOY_REGEX_MAX_PROGRAM_SIZE;
  return {
    certain,
    atLeast: size.atLeast,
    estimate: size.estimate,
    shown,
    problem: certain
      ? `its RE2 program size is at least ${size.atLeast.toLocaleString('en-US')}, above ${limit}`
      : `its RE2 program size is estimated at ${size.estimate.toLocaleString('en-US')} (at least ${size.atLeast.toLocaleString('en-US')}), above ${limit}`,
    fix: sizeFix(field),
  };
}

function sizeFix(field: string): string {
  return `shorten the ${field} regex (a shorter literal, fewer alternatives, smaller {n,m} counts, ASCII classes such as [a-z] instead of \\pL or [^/]), `
    + 'or split it into several HTTP rules (a request that matches any rule is allowed); if you run cilium-envoy with your own bootstrap, '
    + 'you can raise re2.max_program_size.error_level in its layered runtime';
}
