// The target version of a validation run: a Cilium minor version, or Cilium's main branch (1.20-dev).
import { CiliumPolicyError, showValue } from '../core/errors';
import { CiliumVersion, namesMainBranch } from '../core/cilium-version';

/** The target version: the rules to run and what to call it. */
export interface TargetVersion {
  /** The rules of this version run. */
  readonly rules: CiliumVersion;
  /** `1.19`, or `1.20-dev`. */
  readonly name: string;
  /** Kafka and l7proto rules were removed (1.20). */
  readonly kafkaRemoved: boolean;
}

/**
 * Reads a target version: `1.14` … `1.19` (also `v1.17`, `1.17.3`: the rules of a minor release; a malformed patch level is refused), or `1.20`/`main`/`1.20-dev` (Cilium's main branch).
 * @throws CiliumPolicyError for anything else
 */
export function parseTargetVersion(text: string = CiliumVersion.DEFAULT.toString()): TargetVersion {
  const t = String(text).trim();
  if (namesMainBranch(t)) return { rules: CiliumVersion.V1_19, name: '1.20-dev', kafkaRemoved: true };
  try {
    const v = CiliumVersion.parse(t);
    return { rules: v, name: v.toString(), kafkaRemoved: false };
  } catch (e) {
    // A malformed patch level has its own refusal (what to write instead).
    if (e instanceof CiliumPolicyError && e.id !== 'version-unsupported') throw e;
    throw new CiliumPolicyError({
      id: 'version-unsupported',
      message: `unsupported Cilium version ${showValue(text)}`,
      fix: `use one of ${CiliumVersion.ALL.map(String).join(', ')}, or 1.20 (main)`,
    });
  }
}
