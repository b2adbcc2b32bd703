import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { CHECKS, layerOf } from '../../src/validate';
import { CASES } from './cases';

const SRC = join(__dirname, '..', '..', 'src', 'validate');

/** The rows of the catalogue table in the doc comment of `src/validate/index.ts`. */
function tableRows(): { id: string; layer: string; severity: string; versions: string; what: string }[] {
  const text = readFileSync(join(SRC, 'index.ts'), 'utf8');
  const rows = [];
  for (const line of text.split('\n')) {
    const m = /^ \* \| `([^`]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| (.+) \|$/.exec(line);
    if (m) rows.push({ id: m[1], layer: m[2].trim(), severity: m[3].trim(), versions: m[4].trim(), what: m[5].trim().replace(/\\\|/g, '|') });
  }
  return rows;
}

/** The target versions a "fires on" cell names: `all`, `1.16+`, `1.14-1.15`, `1.19`. */
function firesOn(cell: string): string[] {
  const all = CiliumVersion.ALL.map(String);
  if (cell === 'all') return all;
  const plus = /^(\d+\.\d+)\+$/.exec(cell);
  if (plus) return all.filter((v) => CiliumVersion.parse(v).atLeast(CiliumVersion.parse(plus[1])));
  const range = /^(\d+\.\d+)-(\d+\.\d+)$/.exec(cell);
  if (range) {
    const [from, to] = [CiliumVersion.parse(range[1]), CiliumVersion.parse(range[2])];
    return all.filter((v) => CiliumVersion.parse(v).atLeast(from) && to.atLeast(CiliumVersion.parse(v)));
  }
  return [String(CiliumVersion.parse(cell))];
}

describe('check catalogue', () => {
  const rows = tableRows();

  it('the doc-comment table lists exactly the checks of CHECKS, in order', () => {
    expect(rows.map((r) => [r.id, r.layer, r.severity, r.versions, r.what]))
      .toEqual(CHECKS.map((c) => [c.id, layerOf(c.id), c.severity, c.versions, c.what]));
    expect(rows.length).toBeGreaterThan(90);
  });

  it('ids are unique, kebab-case and prefixed by their layer', () => {
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of rows) {
      expect(r.id).toMatch(/^(crd|sanitize|version)-[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.id.startsWith(`${r.layer}-`)).toBe(true);
      expect(['error', 'warning']).toContain(r.severity);
      expect(firesOn(r.versions).length).toBeGreaterThan(0);
    }
  });

  it('every id in the table has at least one failing and passing test case', () => {
    const tested = new Set(CASES.map((c) => c.id));
    expect(rows.map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  it('every test case names an id of the table, at a version the check fires on', () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const c of CASES) {
      const row = byId.get(c.id);
      expect(row, c.id).toBeDefined();
      expect(firesOn(row!.versions), `${c.id}: ${c.when}`).toContain(String(c.version ?? CiliumVersion.V1_19));
    }
  });

  it('each layer file reports only its own ids, and every catalogued id is reported somewhere', () => {
    const files = { crd: 'schema-rules.ts', sanitize: 'sanitize-rules.ts', version: 'version-rules.ts' } as const;
    const reported = new Set<string>();
    for (const [layer, file] of Object.entries(files)) {
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const m of text.matchAll(/report\(\s*'([a-z0-9-]+)'/g)) {
        expect(m[1].startsWith(`${layer}-`), `${m[1]} reported in ${file}`).toBe(true);
        reported.add(m[1]);
      }
    }
    // crd-type is reported through the wrongType() helper of schema-rules.ts.
    reported.add('crd-type');
    expect(rows.map((r) => r.id).filter((id) => !reported.has(id))).toEqual([]);
    expect([...reported].filter((id) => !rows.some((r) => r.id === id))).toEqual([]);
  });
});
