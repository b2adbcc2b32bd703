import { CrdSchemas, CrdVersionRoot } from '../../src/testing';
import { CRD_ROOT } from './shared';

/**
 * The shared CRDs of every Cilium version (`shared/crds/cilium/v1.14` … `v1.19`, `main`) as one source: `toBeValidCilium()`
 * uses it by default (see `test/setup.ts`) and checks each construct against the CRD of its `CiliumVersion`. Each version is
 * compiled on first use and cached.
 */
export const CRD_VERSION_ROOT: CrdVersionRoot = CrdSchemas.fromVersionRoot(CRD_ROOT);

/** The versions in shared data, oldest first: `1.14` … `1.19`, `main`. */
export const CRD_VERSIONS: readonly string[] = CRD_VERSION_ROOT.versions;

/**
 * The CRD schemas of one Cilium version, compiled once per test file.
 * @param version `1.14` … `1.19` or `main`
 */
export function crdSchemas(version = '1.19'): CrdSchemas {
  return CRD_VERSION_ROOT.forVersion(version);
}
