// The CRD layer against an independent emulation of the API server: the project's ajv-based CRD checker
// (`src/testing`, strict field validation, API-server CIDR parsing) run on the emitted manifests of every test case.
import { beforeAll, describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { emitDocument } from '../../src/model/emit';
import { PolicyDocumentModel } from '../../src/model/policy-model';
import { CidrFormat, CrdSchemas } from '../../src/testing';
import { CASES } from './cases';
import { CRD_ROOT } from '../support/shared';

const schemas = new Map<string, CrdSchemas>();
beforeAll(() => {
  for (const v of CiliumVersion.ALL) {
    const s = CrdSchemas.forVersion(CRD_ROOT, String(v), { cidrFormat: CidrFormat.APISERVER });
    s.load();
    schemas.set(String(v), s);
  }
});

/** The CRD violations of a document, or `undefined` when the model cannot be emitted at all (a peer field in the wrong direction). */
function violations(doc: PolicyDocumentModel, version: CiliumVersion): string[] | undefined {
  let manifest: unknown;
  try {
    manifest = emitDocument(doc);
  } catch {
    return undefined;
  }
  return schemas.get(String(version))!.validate(manifest).map((v) => v.message);
}

/** API-server checks the schema cannot express: metadata validation, and the agent's stricter reading of a value. */
const NOT_IN_SCHEMA = new Set(['crd-metadata-name', 'crd-metadata-namespace', 'crd-metadata-labels', 'crd-metadata-annotations']);

/** Version findings about values the older CRD still accepts (the agent reads them differently). */
const ACCEPTED_BY_OLD_CRD = new Set(['version-empty-peer-list', 'version-regex-named-group', 'version-fqdn-double-star', 'version-egress-cidr-group-ref', 'version-requires-deprecated', 'version-kafka-deprecated']);

describe.each(CASES.map((c) => [`${c.id}: ${c.when}`, c] as const))('%s', (_name, c) => {
  const version = c.version ?? CiliumVersion.V1_19;

  it('the valid form passes the CRD', () => {
    const found = violations(c.good, version);
    if (found) expect(found).toEqual([]);
  });

  it('the failing form is judged by the CRD as the layer says', () => {
    const found = violations(c.bad, version);
    if (!found) return;
    // A raw rule's case is the agent's own form of a check the CRD makes first for a document: the CRD refuses it.
    if ((c.id.startsWith('crd-') && !NOT_IN_SCHEMA.has(c.id)) || c.raw) expect(found.length, 'the CRD should reject it').toBeGreaterThan(0);
    if (c.id.startsWith('sanitize-') && !c.raw) expect(found, 'the CRD should accept it (only the agent refuses it)').toEqual([]);
    if (c.id.startsWith('version-') && !ACCEPTED_BY_OLD_CRD.has(c.id)) expect(found.length, 'the older CRD should not know it').toBeGreaterThan(0);
    if (ACCEPTED_BY_OLD_CRD.has(c.id)) expect(found).toEqual([]);
  });
});
