import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { emitDocument, emitRule } from '../../src/model/emit';
import { fromObject, fromYaml } from '../../src/model/parse';
import { ParseResult } from '../../src/model/parse-result';
import { EXAMPLES_DIR } from '../support/shared';

/**
 * Every valid example policy of the corpus (INDEX.md minus its known-invalid list and `templated` files) must read
 * into the model and render back to the same object: read → emit is lossless for everything Cilium gives a meaning.
 */

/** Corpus files (`.yaml`/`.yml`/`.json`), relative to EXAMPLES_DIR with `/` separators. */
function corpusFiles(dir = EXAMPLES_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...corpusFiles(path));
    else if (/\.(ya?ml|json)$/.test(name)) out.push(relative(EXAMPLES_DIR, path).split('\\').join('/'));
  }
  return out;
}

interface CorpusIndex {
  /** File → tags, from INDEX.md's tables. */
  readonly tags: Map<string, string[]>;
  /** Files of the "Known-invalid / version-sensitive files" list at the top. */
  readonly knownInvalid: Set<string>;
}

/** Reads INDEX.md: the tag column of every table row, and the paths named in the known-invalid bullet list. */
function readIndex(files: readonly string[]): CorpusIndex {
  const text = readFileSync(join(EXAMPLES_DIR, 'INDEX.md'), 'utf8');
  const tags = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const file = /^`([^`]+)`$/.exec(cells[1])?.[1];
    if (!file) continue;
    tags.set(file, cells[cells.length - 2].split(',').map((t) => t.trim()).filter(Boolean));
  }
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Known-invalid'));
  const knownInvalid = new Set<string>();
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('- ')) break;
    for (const [, ref] of line.matchAll(/`([^`]+)`/g)) {
      if (!ref.includes('/')) continue;
      for (const path of expandBraces(ref)) {
        const matches = path.endsWith('...') ? files.filter((f) => f.startsWith(path.slice(0, -3))) : files.filter((f) => f === path);
        matches.forEach((f) => knownInvalid.add(f));
        // "(and the v1.14 JSON twin)": the raw-JSON file at the same example path.
        if (/JSON twin/i.test(line) && path.startsWith('v1.19/')) {
          const twin = path.replace(/^v1\.19\//, 'v1.14-json/').replace(/\.ya?ml$/, '.json');
          if (files.includes(twin)) knownInvalid.add(twin);
        }
      }
    }
  }
  return { tags, knownInvalid };
}

function expandBraces(ref: string): string[] {
  const m = /\{([^}]+)\}/.exec(ref);
  if (!m) return [ref];
  return m[1].split(',').flatMap((alt) => expandBraces(ref.slice(0, m.index) + alt + ref.slice(m.index + m[0].length)));
}

/** Only what is semantically irrelevant: a numeric `port` equals its decimal string; metadata the model does not keep. */
function normalize(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v, k);
    return out;
  }
  if (key === 'port' && typeof value === 'number') return String(value);
  return value;
}

function normalizeDocument(doc: Record<string, unknown>): unknown {
  const { status: _status, metadata, ...rest } = doc;
  const meta = (metadata ?? {}) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(meta).filter(([k]) => ['name', 'namespace', 'labels', 'annotations'].includes(k)));
  return normalize({ ...rest, metadata: kept });
}

/** The original JS values of a file's documents (JSON files: one value). */
function originals(file: string, text: string): unknown[] {
  if (file.endsWith('.json')) return [JSON.parse(text)];
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

function at(value: unknown, itemPath: string | undefined): Record<string, unknown> {
  if (!itemPath) return value as Record<string, unknown>;
  const m = /^items\[(\d+)\]$/.exec(itemPath);
  return ((value as { items: unknown[] }).items[Number(m?.[1])] ?? {}) as Record<string, unknown>;
}

const FILES = corpusFiles();
const INDEX = readIndex(FILES);
const isTemplated = (f: string): boolean => (INDEX.tags.get(f) ?? []).includes('templated');
const VALID = FILES.filter((f) => !INDEX.knownInvalid.has(f) && !isTemplated(f));

function parseFile(file: string): { text: string; result: ParseResult } {
  const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8');
  return { text, result: fromYaml(text, { file }) };
}

describe('example corpus index', () => {
  it('lists every corpus file with its tags', () => {
    expect(FILES.filter((f) => !INDEX.tags.has(f))).toEqual([]);
    expect(INDEX.tags.size).toBe(FILES.length);
  });

  it('names existing files in its known-invalid list', () => {
    expect([...INDEX.knownInvalid].sort()).toEqual([
      'v1.14-json/examples/policies/l3/requires/requires.json',
      'v1.19/doc-inline/operations__performance__scalability__report__1.yaml',
      'v1.19/doc-inline/operations__performance__scalability__report__2.yaml',
      'v1.19/examples/misc/guestbook/network-policy/guestbook-policy-web.yaml',
      'v1.19/examples/policies/auth/auth.yaml',
      'v1.19/examples/policies/l3/requires/requires.yaml',
    ]);
  });
});

describe('round trip: read → emitDocument / emitRule', () => {
  it.each(VALID)('%s', (file) => {
    const { text, result } = parseFile(file);
    const source = originals(file, text);
    expect(result.diagnostics).toEqual([]);
    for (const doc of result.documents) {
      const original = at(source[doc.source.index], doc.source.itemPath);
      expect(normalize(emitDocument(doc.model))).toStrictEqual(normalizeDocument(original));
      // Reading the parsed object gives the same model as reading the text.
      expect(fromObject(original).documents.map((d) => d.model)).toStrictEqual([doc.model]);
    }
    for (const raw of result.rawRules) {
      const original = source[raw.source.index] as unknown[];
      expect(raw.rules.map((r) => normalize(emitRule(r)))).toStrictEqual(normalize(original));
      expect(fromObject(original).rawRules.map((r) => r.rules)).toStrictEqual([raw.rules]);
    }
    expect(result.documents.length + result.rawRules.length + result.skipped.length).toBeGreaterThan(0);
  });

  // Counted here from the files themselves, not from counters the tests above fill: it holds alone and in any order.
  it(`covers all ${VALID.length} valid files of the ${FILES.length} in the corpus`, () => {
    const counts = { documents: 0, rawRules: 0, skipped: new Set<string>() };
    for (const file of VALID) {
      const { result } = parseFile(file);
      counts.documents += result.documents.length;
      counts.rawRules += result.rawRules.reduce((n, r) => n + r.rules.length, 0);
      for (const s of result.skipped) counts.skipped.add(s.kind ?? '(none)');
    }
    expect(VALID.length).toBeGreaterThan(200);
    expect(counts.documents + counts.rawRules).toBeGreaterThan(200);
    expect(counts.documents).toBeGreaterThan(180);
    expect(counts.rawRules).toBeGreaterThan(30);
    // The valid files hold only policies (the other kinds of the corpus are in templated files, see below).
    expect([...counts.skipped]).toEqual([]);
  });
});

describe('known-invalid corpus files still parse (negative examples for the validator)', () => {
  /** What each yields: documents, raw rules, and diagnostics as `id path`. */
  const EXPECTED: Record<string, { documents: number; rawRules: number; diagnostics: string[]; roundTrips: boolean }> = {
    // Pre-1.14 `auth: {type: "null"}`: reported and left out.
    'v1.19/examples/policies/auth/auth.yaml': {
      documents: 1, rawRules: 0, diagnostics: ['parse-unknown-field spec.egress[0].auth'], roundTrips: false,
    },
    // fromRequires is read into `requires` (the validator rejects it for >= 1.19).
    'v1.19/examples/policies/l3/requires/requires.yaml': { documents: 1, rawRules: 0, diagnostics: [], roundTrips: true },
    'v1.14-json/examples/policies/l3/requires/requires.json': { documents: 0, rawRules: 1, diagnostics: [], roundTrips: true },
    // Pseudo-templates: `fromEndpoints` directly under spec is not a rule field and is left out; the port text
    // "[0-125]+80" is kept as written for the validator.
    'v1.19/doc-inline/operations__performance__scalability__report__1.yaml': {
      documents: 1, rawRules: 0, diagnostics: ['parse-unknown-field spec.fromEndpoints'], roundTrips: false,
    },
    'v1.19/doc-inline/operations__performance__scalability__report__2.yaml': {
      documents: 1, rawRules: 0, diagnostics: ['parse-unknown-field spec.fromEndpoints'], roundTrips: false,
    },
    // Legacy `reserved.world` selector key: a plain string key for the reader.
    'v1.19/examples/misc/guestbook/network-policy/guestbook-policy-web.yaml': { documents: 1, rawRules: 0, diagnostics: [], roundTrips: true },
  };

  it('documents every known-invalid file', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...INDEX.knownInvalid].sort());
  });

  it.each(Object.keys(EXPECTED))('%s', (file) => {
    const { text, result } = parseFile(file);
    const want = EXPECTED[file];
    expect(result.documents).toHaveLength(want.documents);
    expect(result.rawRules).toHaveLength(want.rawRules);
    expect(result.diagnostics.map((d) => `${d.id} ${d.path}`)).toEqual(want.diagnostics);
    for (const d of result.diagnostics) {
      expect(d.severity).toBe(Severity.ERROR);
      expect(d.line).toBeGreaterThan(0);
      expect(d.fix).toBeTruthy();
    }
    const source = originals(file, text);
    const same = result.documents.every((doc) =>
      isDeepStrictEqual(normalize(emitDocument(doc.model)), normalizeDocument(at(source[doc.source.index], doc.source.itemPath))),
    ) && result.rawRules.every((raw) => isDeepStrictEqual(raw.rules.map((r) => normalize(emitRule(r))), normalize(source[raw.source.index])));
    expect(same).toBe(want.roundTrips);
  });
});

describe('templated corpus files', () => {
  it.each(FILES.filter(isTemplated))('%s is read without throwing', (file) => {
    const { result } = parseFile(file);
    // Go templates are not YAML: either syntax errors (with a line) or template text in values; never an exception.
    expect(result.documents.length + result.rawRules.length + result.skipped.length + result.diagnostics.length).toBeGreaterThan(0);
    for (const d of result.diagnostics.filter((x) => x.id === 'parse-yaml-syntax')) expect(d.line).toBeGreaterThan(0);
  });

  it('skips the non-policy kinds they contain', () => {
    // Read here rather than collected by the tests above, so that this test passes alone and in any order (--sequence.shuffle).
    const skippedKinds = new Set(FILES.filter(isTemplated).flatMap((file) => parseFile(file).result.skipped.map((s) => s.kind ?? '(none)')));
    expect([...skippedKinds].sort()).toEqual(['CiliumCIDRGroup', 'CiliumClusterwideEnvoyConfig', 'ClusterNetworkPolicy']);
  });
});

describe('corpus files exist', () => {
  it('EXAMPLES_DIR is there', () => {
    expect(existsSync(EXAMPLES_DIR)).toBe(true);
  });
});
