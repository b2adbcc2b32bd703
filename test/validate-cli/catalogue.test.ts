// The catalogues of the pitfall and input layers: their doc-comment tables match the lists, every id is reported where
// its layer lives, and `REPORT_CHECKS` (what SARIF lists as rules) is every id `validateInputs` can report.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseDiagnosticId } from '../../src/model/parse-diagnostic-id';
import { CHECKS, INPUT_CHECKS, layerOf, NETWORK_POLICY_CHECKS, PITFALL_CHECKS, REPORT_CHECKS } from '../../src/validate';

const SRC = join(__dirname, '..', '..', 'src', 'validate');
const read = (file: string): string => readFileSync(join(SRC, file), 'utf8');

/** The rows of a markdown table in a doc comment (` * | a | b | … |`), without the header and separator. */
function rows(text: string): string[][] {
  return text.split('\n')
    .filter((l) => /^ \* \|/.test(l) && !/^ \* \|(-|\s)*\|/.test(l))
    .map((l) => l.replace(/^ \* \|/, '').replace(/\|\s*$/, '').split(' | ').map((c) => c.trim().replace(/^`|`$/g, '')))
    .filter((cells) => cells[0] !== 'id');
}

describe('pitfall and input catalogues', () => {
  it('the table in pitfall-rules.ts lists exactly PITFALL_CHECKS, in order', () => {
    expect(rows(read('pitfall-rules.ts'))).toEqual(PITFALL_CHECKS.map((c) => [c.id, 'pitfall', c.severity, c.versions, c.what]));
  });

  it('the table in validate-input.ts lists the input checks', () => {
    const inputIds = INPUT_CHECKS.filter((c) => !c.id.startsWith('parse-'));
    expect(rows(read('validate-input.ts'))).toEqual(inputIds.map((c) => [c.id, c.severity, c.what.replace(/--crd/, '`--crd`')]));
  });

  it('the table in network-policy-rules.ts lists exactly NETWORK_POLICY_CHECKS, in order; each is reported there, and only those', () => {
    expect(rows(read('network-policy-rules.ts'))).toEqual(NETWORK_POLICY_CHECKS.map((c) => [c.id, 'k8s', c.severity, c.versions, c.what]));
    const reported = [...read('network-policy-rules.ts').matchAll(/'(k8s-np-[a-z-]+)'/g)].map((m) => m[1]);
    expect([...new Set(reported)].sort()).toEqual(NETWORK_POLICY_CHECKS.map((c) => c.id).sort());
  });

  it('every pitfall id is reported by the pitfall layer (pitfall-*.ts), and only those', () => {
    const source = readdirSync(SRC).filter((f) => /^pitfall-[a-z0-9-]+\.ts$/.test(f)).map(read).join('\n');
    const reported = [...source.matchAll(/report(?:Document|NetworkPolicy)?\('([a-z0-9-]+)'/g)].map((m) => m[1]);
    expect([...new Set(reported)].sort()).toEqual(PITFALL_CHECKS.map((c) => c.id).sort());
  });

  it('every input id is produced by the input layer', () => {
    const source = read('../model/inputs.ts') + read('validate-input.ts') + read('validation-run.ts') + read('../model/version-annotation.ts');
    for (const c of INPUT_CHECKS.filter((x) => !x.id.startsWith('parse-'))) expect(source, c.id).toContain(`'${c.id}'`);
  });

  it('every id of the YAML reader is catalogued', () => {
    expect(Object.values(ParseDiagnosticId).filter((id) => !INPUT_CHECKS.some((c) => c.id === id))).toEqual([]);
  });

  it('REPORT_CHECKS: the three per-policy layers, the NetworkPolicy checks, the pitfalls, the input; unique, prefixed by their layer', () => {
    expect(REPORT_CHECKS).toEqual([...CHECKS, ...NETWORK_POLICY_CHECKS, ...PITFALL_CHECKS, ...INPUT_CHECKS]);
    const ids = REPORT_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of REPORT_CHECKS) {
      expect(['crd', 'sanitize', 'version', 'k8s', 'pitfall', 'input', 'parse']).toContain(layerOf(c.id));
      expect(['error', 'warning']).toContain(c.severity);
      expect(c.what).toMatch(/^[a-zA-Z`].*[^.]$/);
    }
  });
});
