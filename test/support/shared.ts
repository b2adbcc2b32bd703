import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The workplace's shared data folder (`../shared` beside the project root): Cilium CRDs, example policies,
 * Hubble samples. Tests read it in place; nothing from it is copied into the project.
 * `CDK8S_CILIUM_SHARED` overrides the location.
 */
export const SHARED_DIR = resolve(process.env.CDK8S_CILIUM_SHARED ?? join(__dirname, '..', '..', '..', 'shared'));

/** `shared/crds/cilium`: one sub-folder per Cilium version (`v1.14` … `v1.19`, `main`). */
export const CRD_ROOT = join(SHARED_DIR, 'crds', 'cilium');

/** `shared/cilium-examples`. */
export const EXAMPLES_DIR = join(SHARED_DIR, 'cilium-examples');

if (!existsSync(CRD_ROOT)) {
  throw new Error(`shared data not found at ${SHARED_DIR}: clone the project next to shared/ or set CDK8S_CILIUM_SHARED`);
}

/** `shared/conformance`: expected verdicts authored by the Cilium project and by np-guard (see each file's header). */
export const CONFORMANCE_DIR = join(SHARED_DIR, 'conformance');
