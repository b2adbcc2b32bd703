/**
 * Regenerates `crd-schemas/v<version>/*.json` (shipped in the package, read by `CrdSchemas.builtin()`) from Cilium's CNP and
 * CCNP CRDs of every supported version (`CiliumVersion.ALL`).
 *
 * Usage: `npm run bundle-crds -- [<crd-root> [<out-dir>]]`; `<crd-root>` holds one `v<version>/` folder per Cilium version, each with
 * `ciliumnetworkpolicies.yaml` and `ciliumclusterwidenetworkpolicies.yaml` (default: `../shared/crds/cilium`);
 * `<out-dir>` defaults to `crd-schemas/` (test/testing/bundled-schemas.test.ts regenerates into a scratch folder and compares).
 *
 * Each output file is a compact, one-line JSON CustomResourceDefinition that `CrdSchemas` reads like the original: the `v2` version's
 * `openAPIV3Schema` unchanged except that the `description` of every schema node is dropped (a property *named*
 * `description`, such as the policy's own `spec.description`, is kept). Everything else (metadata, printer columns,
 * other API versions) is left out.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CiliumVersion } from '../src/core/cilium-version';

const FILES = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'];

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops `description` from every schema node (not from `properties`, where it may be a field name). */
function stripDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (!isRecord(node)) return node;
  const copy: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && typeof value === 'string') continue;
    if ((key === 'properties' || key === 'patternProperties') && isRecord(value)) {
      copy[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripDescriptions(v)]));
    } else if (['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not'].includes(key)) {
      copy[key] = stripDescriptions(value);
    } else {
      copy[key] = value;
    }
  }
  return copy;
}

function compact(file: string): Json {
  const crds = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
    .filter((d): d is Json => isRecord(d) && d.kind === 'CustomResourceDefinition');
  if (crds.length !== 1) throw new Error(`${file}: expected one CustomResourceDefinition, found ${crds.length}`);
  const crd = crds[0];
  const spec = crd.spec as Json;
  const versions = (spec.versions as Json[]);
  const v2 = versions.find((v) => v.name === 'v2');
  if (!v2) throw new Error(`${file}: no v2 version`);
  const schema = (v2.schema as Json).openAPIV3Schema;
  return {
    apiVersion: crd.apiVersion,
    kind: 'CustomResourceDefinition',
    metadata: { name: (crd.metadata as Json).name },
    spec: {
      group: spec.group,
      names: { kind: (spec.names as Json).kind },
      scope: spec.scope,
      versions: [{ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: stripDescriptions(schema) } }],
    },
  };
}

/** The first CRD file of a supported version that `root` lacks, if any. */
function missingFile(root: string): string | undefined {
  for (const version of CiliumVersion.ALL.map(String)) {
    for (const f of FILES) if (!existsSync(join(root, `v${version}`, f))) return join(root, `v${version}`, f);
  }
  return undefined;
}

/**
 * Writes the compact CRDs of every supported version from `root` (it must hold them all) into `out`, emptied first, and
 * reports each version folder written to `log`. The script's work without its command line, for
 * test/testing/bundled-schemas.test.ts (in-process, with no tsx start).
 */
export function bundleCrdSchemas(root: string, out: string, log: (line: string) => void): void {
  rmSync(out, { recursive: true, force: true });
  for (const version of CiliumVersion.ALL.map(String)) {
    mkdirSync(join(out, `v${version}`), { recursive: true });
    for (const f of FILES) {
      writeFileSync(join(out, `v${version}`, f.replace(/\.yaml$/, '.json')), `${JSON.stringify(compact(join(root, `v${version}`, f)))}\n`);
    }
    log(`${join(out, `v${version}`)} <- ${join(root, `v${version}`)}`);
  }
}

if (require.main === module) {
  const root = resolve(process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'crds', 'cilium'));
  const out = resolve(process.argv[3] ?? join(__dirname, '..', 'crd-schemas'));
  const missing = missingFile(root);
  if (missing !== undefined) {
    console.error(`error: CRD file not found: ${missing}\nfix: pass the folder holding v1.14/ … v1.19/, e.g. npm run bundle-crds -- ../shared/crds/cilium`);
    process.exit(2);
  }
  bundleCrdSchemas(root, out, (line) => console.log(line));
}
