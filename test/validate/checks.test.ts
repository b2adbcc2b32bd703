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

describe('peer lists by direction (schema-rules.ts checkItem): entries that must be objects, FQDN selectors of egress allows only', () => {
  const doc = (ingress: unknown[], egress: unknown[]): PolicyDocumentModel => ({
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: { endpointSelector: {}, ingress, egress },
  }) as unknown as PolicyDocumentModel;
  const crd = (diags: readonly Diagnostic[]): string[] => summary(diags.filter((d) => d.id.startsWith('crd-')));

  it('an entry that is no object, in every object list of an egress rule: crd-type at the entry; objects pass', () => {
    // Seed-4848 mutants of checkItem's OBJECT_LIST_FIELDS loop (its body emptied, `item[field] === undefined`): no entry was checked.
    expect(crd(checkDocument(doc([], [{ endpoints: [5], nodes: [null], fqdns: ['x.com'], services: ['svc'] }])))).toEqual([
      'crd-type @ spec.egress[0].toEndpoints[0]', 'crd-type @ spec.egress[0].toNodes[0]', 'crd-type @ spec.egress[0].toFQDNs[0]',
      'crd-type @ spec.egress[0].toServices[0]',
    ]);
    expect(crd(checkDocument(doc([{ endpoints: [null, {}] }], [{ endpoints: [{}], fqdns: [{ matchName: 'a.example.com' }] }]))))
      .toEqual(['crd-type @ spec.ingress[0].fromEndpoints[0]']);
  });

  it('toFQDNs and toServices in an ingress rule: only that they do not exist there, their entries not checked as egress ones', () => {
    // Seed-4848 mutants of checkItem: the FQDN selectors checked in every direction (`direction === 'egress'` → true), and
    // the entries of ingress toFQDNs/toServices checked (`&&` → `||`): findings on fields the API server drops.
    const ingress = [{ endpoints: [{}], fqdns: [{ matchName: 'a b' }, {}, 'x.com'], services: ['svc'] }];
    expect(crd(checkDocument(doc(ingress, [])))).toEqual(['crd-field-direction @ spec.ingress[0].toServices', 'crd-field-direction @ spec.ingress[0].toFQDNs']);
    // The same selectors in an egress allow are checked; in an egress deny only the field is refused.
    expect(crd(checkDocument(doc([], [{ fqdns: [{ matchName: 'a b' }, {}] }])))).toEqual([
      'crd-fqdn-syntax @ spec.egress[0].toFQDNs[0].matchName', 'crd-fqdn-one-of @ spec.egress[0].toFQDNs[1]',
    ]);
  });
});

describe('wrong types in a model handed to validate (schema-rules.ts): each found, with a fix that names no value nobody meant', () => {
  const doc = (spec: Record<string, unknown>): PolicyDocumentModel => ({
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'shop' }, spec: { endpointSelector: {}, ingress: [{}], ...spec },
  }) as unknown as PolicyDocumentModel;
  const typed = (diags: readonly Diagnostic[]): string[][] => diags.filter((d) => d.id === 'crd-type').map((d) => [d.path ?? '', d.fix ?? '(no fix)']);

  it('a label value left null or undefined: the fix is to give a value, not to quote "null" (a label value no pod was meant to carry)', () => {
    // Seed-4848 mutant of checkSelector (`val === undefined || val === null` → `&&`): the fix said `quote the value: app: "null"`.
    expect(typed(checkDocument(doc({ endpointSelector: { matchLabels: { app: null, tier: undefined, port: 8080 } } })))).toEqual([
      ['spec.endpointSelector.matchLabels.app', 'give app a string value, or remove the key'],
      ['spec.endpointSelector.matchLabels.tier', 'give tier a string value, or remove the key'],
      ['spec.endpointSelector.matchLabels.port', 'quote the value: port: "8080"'],
    ]);
  });

  it('matchExpressions values that are no list are refused; null (no values) is not a wrong type', () => {
    // Seed-4848 mutant of checkSelector (`values !== null` → `values === null`): "db" and 5 passed, null was refused.
    const expression = (values: unknown): PolicyDocumentModel => doc({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values }] } });
    for (const values of ['db', 5, { a: 'b' }]) {
      expect(typed(checkDocument(expression(values))), JSON.stringify(values)).toEqual([['spec.endpointSelector.matchExpressions[0].values', 'write values as a list of strings']]);
    }
    for (const values of [null, undefined, []]) expect(typed(checkDocument(expression(values))), String(values)).toEqual([]);
  });

  it('an entry left undefined (plain JavaScript) is found with the fix to give it or leave it out; a given fix is kept', () => {
    // Seed-4848 mutant of wrongType (`fix ?? …` → `fix && …`): the finding had no fix, and a given fix was replaced.
    expect(typed(checkDocument(doc({ egress: [{ endpoints: [undefined] }] })))).toEqual([
      ['spec.egress[0].toEndpoints[0]', 'give toEndpoints entry an object, or leave it out'],
    ]);
    expect(typed(checkDocument(doc({ endpointSelector: { matchLabels: { app: undefined } } })))).toEqual([
      ['spec.endpointSelector.matchLabels.app', 'give app a string value, or remove the key'],
    ]);
  });
});
