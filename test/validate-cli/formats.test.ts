// The three report formats: JSON (stable, documented, schema-checked, snapshot), SARIF 2.1.0 as GitHub code scanning
// reads it, and text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import {
  formatReportJson, formatReportSarif, formatReportText, REPORT_CHECKS, reportToJson, VALIDATE_REPORT_JSON_SCHEMA, ValidationReport,
} from '../../src/validate';
import { check, FQDN_OCTAL_PORT_CNP, yaml } from './helpers';

/** A fixed input with an error, a warning, a List item, an unreadable input and an empty one. */
function sample(): ValidationReport {
  return check({
    'k8s/web.yaml': FQDN_OCTAL_PORT_CNP,
    'k8s/list.yaml': yaml`
      apiVersion: v1
      kind: List
      items:
        - apiVersion: cilium.io/v2
          kind: CiliumClusterwideNetworkPolicy
          metadata:
            name: world
          spec:
            endpointSelector: {}
            ingressDeny:
              - fromEntities: [world-ipv4]
    `,
    'k8s/empty.yaml': '',
    'k8s/binary.yaml': 'x\u0000y',
  }, { maxWarnings: 1 });
}

describe('JSON', () => {
  it('matches the documented JSON Schema', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(VALIDATE_REPORT_JSON_SCHEMA);
    const json = JSON.parse(formatReportJson(sample())) as unknown;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a v1 report of an earlier release (without versionSource) still conforms; one of several versions too', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(VALIDATE_REPORT_JSON_SCHEMA);
    const { versionSource: _dropped, ...earlier } = JSON.parse(formatReportJson(sample())) as Record<string, unknown>;
    expect(validate(earlier), JSON.stringify(validate.errors)).toBe(true);
    const several = JSON.parse(formatReportJson(check({
      'a.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: a, annotations: {cdk8s-cilium.io/cilium-version: "1.16"}}\nspec: {endpointSelector: {}}\n',
      'b.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: b, annotations: {cdk8s-cilium.io/cilium-version: "1.18"}}\nspec: {endpointSelector: {}}\n',
    }))) as Record<string, unknown>;
    expect(several.versions).toEqual([{ version: '1.16', files: ['a.yaml'] }, { version: '1.18', files: ['b.yaml'] }]);
    expect(validate(several), JSON.stringify(validate.errors)).toBe(true);
  });

  it('the schema refuses a report without a required field: a consumer can rely on every summary count', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(VALIDATE_REPORT_JSON_SCHEMA);
    const json = JSON.parse(formatReportJson(sample())) as { summary: Record<string, unknown> };
    for (const key of ['files', 'documents', 'policies', 'errors', 'warnings', 'passed']) {
      const { [key]: _dropped, ...summary } = json.summary;
      expect(validate({ ...json, summary }), key).toBe(false);
      expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword} ${String(e.params.missingProperty)}`), key)
        .toEqual([`/summary required ${key}`]);
    }
  });

  it('writes keys in the documented order, and the doc comment names every key of the schema', () => {
    const json = reportToJson(sample()) as { files: object[]; diagnostics: object[]; summary: object };
    expect(Object.keys(json)).toEqual(['schema', 'version', 'versionSource', 'crdFiles', 'files', 'diagnostics', 'summary']);
    const order = ['id', 'severity', 'message', 'fix', 'file', 'line', 'column', 'endLine', 'endColumn', 'path', 'kind', 'name', 'namespace'];
    for (const d of json.diagnostics) {
      const keys = Object.keys(d);
      expect(keys).toEqual(order.filter((k) => keys.includes(k)));
    }
    const doc = readFileSync(join(__dirname, '..', '..', 'src', 'validate', 'format-json.ts'), 'utf8').split('*/')[0];
    const names = new Set<string>();
    const collect = (schema: unknown): void => {
      if (!schema || typeof schema !== 'object') return;
      const s = schema as { properties?: Record<string, unknown>; items?: unknown };
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        names.add(k);
        collect(v);
      }
      collect(s.items);
    };
    collect(VALIDATE_REPORT_JSON_SCHEMA);
    expect([...names].filter((n) => !doc.includes(`"${n}"`))).toEqual([]);
  });

  it('is stable: the same input gives byte-identical output, equal to the committed snapshot', async () => {
    const text = formatReportJson(sample());
    expect(formatReportJson(sample())).toBe(text);
    await expect(text).toMatchFileSnapshot('./__snapshots__/report.json');
  });
});

describe('SARIF 2.1.0 for GitHub code scanning', () => {
  const sarif = JSON.parse(formatReportSarif(sample(), { toolVersion: '1.2.3' })) as any;
  const run = sarif.runs[0];
  const rules = run.tool.driver.rules as any[];

  it('has the required top-level and tool fields', () => {
    expect(sarif.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: 'cdk8s-cilium', version: '1.2.3', semanticVersion: '1.2.3' });
    expect(Array.isArray(run.results)).toBe(true);
  });

  it('lists every check as a rule with the fields GitHub requires', () => {
    expect(rules.map((r) => r.id)).toEqual(REPORT_CHECKS.map((c) => c.id));
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.name.length).toBeLessThanOrEqual(255);
      for (const field of ['shortDescription', 'fullDescription', 'help']) {
        expect(typeof r[field].text, `${r.id}.${field}`).toBe('string');
        expect(r[field].text.length).toBeGreaterThan(0);
      }
      expect(r.shortDescription.text.length).toBeLessThanOrEqual(1024);
      expect(r.fullDescription.text.length).toBeLessThanOrEqual(1024);
      expect(['note', 'warning', 'error']).toContain(r.defaultConfiguration.level);
      expect(r.properties.tags).toContain('cilium');
    }
  });

  it('gives every finding a result with rule, level, message, relative location, region and fingerprint', () => {
    const report = sample();
    expect(run.results).toHaveLength(report.diagnostics.length);
    run.results.forEach((res: any, i: number) => {
      const d = report.diagnostics[i];
      expect(res.ruleId).toBe(d.id);
      expect(rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(['warning', 'error']).toContain(res.level);
      expect(res.message.text).toContain(d.message.slice(1));
      expect(res.message.text).toContain('Fix: ');
      expect(res.locations).toHaveLength(1);
      const loc = res.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toBe(d.file);
      expect(loc.artifactLocation.uri).not.toMatch(/^\/|\\/);
      expect(loc.region.startLine).toBe(d.line);
      expect(loc.region.startColumn).toBe(d.column);
      expect(loc.region.endLine).toBeGreaterThanOrEqual(loc.region.startLine);
      expect(loc.region.endColumn).toBeGreaterThan(loc.region.startColumn);
      expect(res.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:\d+$/);
    });
    const prints = run.results.map((r: any) => r.partialFingerprints.primaryLocationLineHash);
    expect(new Set(prints).size).toBe(prints.length);
  });

  it('fingerprints do not depend on line numbers (a finding keeps its alert when lines move)', () => {
    const a = JSON.parse(formatReportSarif(check({ 'p.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}, egress: []}\n' }))) as any;
    const moved = '# moved\n\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}, egress: []}\n';
    const b = JSON.parse(formatReportSarif(check({ 'p.yaml': moved }))) as any;
    const print = (s: any): string[] => s.runs[0].results.map((r: any) => r.partialFingerprints.primaryLocationLineHash);
    expect(print(b)).toEqual(print(a));
    const line = (s: any): number => s.runs[0].results[0].locations[0].physicalLocation.region.startLine;
    expect(line(b)).toBe(line(a) + 2);
  });

  it('names standard input "stdin"', () => {
    const s = JSON.parse(formatReportSarif(check({ '<stdin>': 'x\u0000' }))) as any;
    expect(s.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('stdin');
  });
});

describe('text', () => {
  it('one block per finding in file:line:column form, then the summary', () => {
    const text = formatReportText(sample());
    const heads = text.split('\n').filter((l) => /^\S+:\d+:\d+: (error|warning) [a-z0-9-]+: /.test(l));
    expect(heads).toHaveLength(sample().diagnostics.length);
    expect(text).toContain('k8s/web.yaml:15:21: error sanitize-port-octal: ');
    expect(text).toContain('    CiliumNetworkPolicy shop/web spec.egress[0].toPorts[0].ports[0].port\n');
    expect(text).toMatch(/\n {4}fix: \S/);
    expect(text.trimEnd().split('\n').pop()).toBe(
      '3 errors, 4 warnings in 4 files (2 policies, 2 documents; Cilium 1.19); more warnings than the limit of 1');
  });

  it('a clean run says so in one line', () => {
    expect(formatReportText(check({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' })))
      .toBe('0 errors, 0 warnings in 1 file (0 policies, 1 document; Cilium 1.19)\n');
  });
});
