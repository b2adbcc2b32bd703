import { describe, expect, it } from 'vitest';
import { Diagnostic, Severity } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { checkInfo } from '../../src/validate';
import { CASES } from './cases';
import { check as checkDocument, summary } from './helpers';
import { PolicyDocumentModel, RuleModel } from '../../src/model/policy-model';
import { validateRawRule } from '../../src/validate/validate-policy';

describe.each(CASES.map((c) => [c.id, c] as const))('%s', (id, c) => {
  const version = c.version ?? CiliumVersion.V1_19;
  const check = (doc: PolicyDocumentModel, v: CiliumVersion): Diagnostic[] => (c.raw ? validateRawRule(doc.spec as RuleModel, v, '[0]') : checkDocument(doc, v));

  it(`fails when ${c.when} (${version})`, () => {
    const diags = check(c.bad, version);
    const hit = diags.find((d) => d.id === id && d.path === c.path);
    expect(hit, `expected ${id} @ ${c.path}, got:\n${summary(diags).join('\n')}`).toBeDefined();
    expect(hit!.severity).toBe(checkInfo(id).severity);
    expect(hit!.message).toMatch(/^[^A-Z\s].*[^.\s]$/);
    expect(hit!.message).not.toContain('\n');
    expect(hit!.fix).toMatch(/\S/);
  });

  it(`accepts the valid form (${version})`, () => {
    const diags = check(c.good, version);
    expect(summary(diags.filter((d) => d.id === id))).toEqual([]);
    expect(summary(diags.filter((d) => d.severity === Severity.ERROR))).toEqual([]);
  });
});
