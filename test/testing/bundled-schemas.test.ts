import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { CrdSchemas, CrdVersionRoot } from '../../src/testing';
import { crdSchemas } from '../support/crd';
import { CRD_ROOT, EXAMPLES_DIR } from '../support/shared';
import { bundleCrdSchemas } from '../../scripts/bundle-crd-schemas';

const PROJECT = join(__dirname, '..', '..');
const BUNDLED = join(PROJECT, 'crd-schemas');
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Every Cilium policy document of Cilium's examples and of this project's golden output, valid or not (Helm-templated examples,
 * with `{{ … }}`, are not manifests).
 */
const manifests: { where: string; manifest: Record<string, unknown> }[] = [...yamlFiles(EXAMPLES_DIR), ...yamlFiles(join(PROJECT, 'dist'))]
  .filter((file) => !readFileSync(file, 'utf8').includes('{{'))
  .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d, i) => ({ where: `${relative(PROJECT, file)}#${i}`, manifest: d.toJS() as Record<string, unknown> })))
  .filter(({ manifest }) => /^Cilium(Clusterwide)?NetworkPolicy$/.test(String(manifest?.kind)));

describe('bundled CRD schemas', () => {
  test('crd-schemas/ is what `npm run bundle-crds` makes from the shared CRDs', () => {
    // The script's work in-process (its command line only resolves the two folders and checks that the CRDs are there).
    const out = join(scratch, 'crd-schemas');
    const printed: string[] = [];
    bundleCrdSchemas(CRD_ROOT, out, (line) => printed.push(line));
    expect(printed).toEqual(CiliumVersion.ALL.map((v) => `${join(out, `v${v.toString()}`)} <- ${join(CRD_ROOT, `v${v.toString()}`)}`));
    const list = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
    expect(list(out)).toEqual(list(BUNDLED));
    for (const f of list(BUNDLED).filter((x) => x.endsWith('.json'))) {
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(BUNDLED, f), 'utf8'));
    }
  });

  test('the bundled 1.19 schemas are the shared CRDs\' v2 schemas with only their description texts dropped', () => {
    // Independent of the bundler (which the test above runs): a key it lost would pass that test and every test that reads
    // the bundled copies (test/model/parse.test.ts, test/validate/crd-tables.test.ts).
    type Json = Record<string, unknown>;
    const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
    const withoutDescriptions = (node: unknown, namesHere = false): unknown => {
      if (Array.isArray(node)) return node.map((n) => withoutDescriptions(n));
      if (!isJson(node)) return node;
      return Object.fromEntries(Object.entries(node)
        .filter(([k, v]) => namesHere || !(k === 'description' && typeof v === 'string'))
        .map(([k, v]) => [k, namesHere ? withoutDescriptions(v) : withoutDescriptions(v, k === 'properties' || k === 'patternProperties')]));
    };
    for (const f of ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies']) {
      const crd = parseAllDocuments(readFileSync(join(CRD_ROOT, 'v1.19', `${f}.yaml`), 'utf8')).map((d) => d.toJS() as Json).find((d) => d?.kind === 'CustomResourceDefinition');
      const v2 = ((crd?.spec as Json).versions as Json[]).find((v) => v.name === 'v2') as Json;
      const bundled = JSON.parse(readFileSync(join(BUNDLED, 'v1.19', `${f}.json`), 'utf8')) as { spec: { versions: { schema: Json }[] } };
      expect(bundled.spec.versions[0].schema.openAPIV3Schema, f).toEqual(withoutDescriptions((v2.schema as Json).openAPIV3Schema));
    }
  });

  test('there is one compact schema pair per supported version', () => {
    expect(CrdVersionRoot.builtin().versions).toEqual(CiliumVersion.ALL.map(String));
    for (const v of CiliumVersion.ALL) {
      const schemas = CrdSchemas.builtin(v);
      expect(schemas.version).toBe(v.toString());
      expect(schemas.label).toBe(`CRD v${v.toString()}`);
      expect(schemas.kinds.sort()).toEqual(['CiliumClusterwideNetworkPolicy', 'CiliumNetworkPolicy']);
      expect(schemas.files.every((f) => f.endsWith('.json'))).toBe(true);
    }
    expect(CrdSchemas.builtin().version).toBe(CiliumVersion.DEFAULT.toString());
    expect(CrdSchemas.builtin('v1.16.3').version).toBe('1.16');
  });

  test.each(CiliumVersion.ALL.map(String))('Cilium %s: the bundled schema judges every example exactly as the full CRD does', (version) => {
    expect(manifests.length).toBeGreaterThan(100);
    const full = crdSchemas(version);
    const bundled = CrdSchemas.builtin(version);
    const differ = manifests.filter(({ manifest }) => JSON.stringify(full.validate(manifest)) !== JSON.stringify(bundled.validate(manifest)))
      .map(({ where }) => where);
    expect(differ).toEqual([]);
    // The examples include invalid policies, so the comparison covers failures as well.
    expect(manifests.some(({ manifest }) => bundled.validate(manifest).length > 0)).toBe(true);
  });

  test('an unsupported version is refused with the versions there are', () => {
    expect(() => CrdSchemas.builtin('1.13')).toThrow(CiliumPolicyError);
    expect(() => CrdSchemas.builtin('1.13')).toThrow(/no CRDs for Cilium 1\.13 in .*crd-schemas[\s\S]*use one of 1\.14, 1\.15, 1\.16, 1\.17, 1\.18, 1\.19/);
  });
});
