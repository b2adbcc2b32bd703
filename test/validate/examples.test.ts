// Cilium's own example policies (shared/cilium-examples, copied from cilium/cilium) validated at the version they were
// taken from: apart from the files known to be invalid or templated, none may have an error.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Severity } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { validatePolicy } from '../../src/validate';
import { EXAMPLES_DIR } from '../support/shared';
import { Loose } from './helpers';
import { fromManifest } from './wire';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Files with known problems (see shared/cilium-examples/INDEX.md) and what the validator must say about them. */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  // Pre-1.14 `auth.type`: a field no supported CRD has.
  'v1.19/examples/policies/auth/auth.yaml': ['unknown spec.egress[0].auth'],
  'v1.19/examples/policies/l3/requires/requires.yaml': ['version-requires-removed'],
  // e2e manifests with a placeholder substituted by the test runner.
  'v1.19/test/k8s/manifests/ccnp-host-ingress-from-cidr-to-ports.yaml': ['crd-cidr'],
  'v1.19/test/k8s/manifests/ccnp-host-policy-nodeport-tests.yaml': ['crd-cidr'],
  'v1.19/test/k8s/manifests/cnp-ingress-from-cidr-to-ports.yaml': ['crd-cidr'],
  // Pseudo-templates in the scalability report (`l4-rule-#`, port `[0-125]+80`, spec.fromEndpoints).
  'v1.19/doc-inline/operations__performance__scalability__report__1.yaml': ['crd-metadata-name', 'crd-port-syntax', 'unknown spec.fromEndpoints'],
  'v1.19/doc-inline/operations__performance__scalability__report__2.yaml': ['crd-metadata-name', 'crd-port-syntax', 'unknown spec.fromEndpoints'],
};

/** `v1.19/…` and `v1.14/…` at their release; `main/` is 1.20-dev (another CRD), the JSON files are raw `api.Rule`s. */
const corpus = files(EXAMPLES_DIR)
  .map((f) => relative(EXAMPLES_DIR, f).split('\\').join('/'))
  .filter((rel) => /^v1\.(14|19)\//.test(rel) && /\.ya?ml$/.test(rel))
  .filter((rel) => !readFileSync(join(EXAMPLES_DIR, rel), 'utf8').includes('{{'));

function findings(rel: string): { errors: string[]; policies: number } {
  const version = rel.startsWith('v1.14') ? CiliumVersion.V1_14 : CiliumVersion.V1_19;
  const objects = parseAllDocuments(readFileSync(join(EXAMPLES_DIR, rel), 'utf8')).map((d) => d.toJS() as Loose);
  const errors = new Set<string>();
  let policies = 0;
  for (const obj of objects) {
    if (!obj || !['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'].includes(obj.kind)) continue;
    policies++;
    const { doc, unknown } = fromManifest(obj);
    unknown.forEach((u) => errors.add(`unknown ${u}`));
    validatePolicy(doc, { version }).filter((d) => d.severity === Severity.ERROR).forEach((d) => errors.add(d.id));
  }
  return { errors: [...errors].sort(), policies };
}

describe('Cilium example policies', () => {
  it('the corpus is there', () => {
    expect(corpus.length).toBeGreaterThan(100);
  });

  it.each(corpus.map((rel) => [rel]))('%s', (rel) => {
    expect(findings(rel).errors).toEqual([...(KNOWN[rel] ?? [])].sort());
  });
});
