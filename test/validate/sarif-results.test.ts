// The SARIF log of a report, result by result: where a finding points (file URI, region, the object), its message with
// the object and the fix, rules for ids no catalogue lists, the tool version, and fingerprints that tell repeated
// findings apart.
import { describe, expect, test } from 'vitest';
import { Severity } from '../../src';
import { ReportDiagnostic, ValidationReport, reportToSarif } from '../../src/validate';

const AT = { line: 3, column: 5, endLine: 3, endColumn: 5 };

function report(diagnostics: ReportDiagnostic[]): ValidationReport {
  return {
    schema: 'cdk8s-cilium/validate/v1', version: '1.17', crdFiles: [], files: [], diagnostics,
    summary: { errors: 0, warnings: 0, infos: 0, files: 0, documents: 0, policies: 0 },
  } as unknown as ValidationReport;
}

function run(diagnostics: ReportDiagnostic[], options: Parameters<typeof reportToSarif>[1] = { toolVersion: '1.2.3' }): any {
  return (reportToSarif(report(diagnostics), options) as any).runs[0];
}

const finding = (over: Partial<ReportDiagnostic>): ReportDiagnostic => ({
  id: 'crd-schema', severity: Severity.ERROR, message: 'unknown field "toFQDN"', fix: 'write toFQDNs', file: 'policies/shop.yaml', ...AT, ...over,
});

describe('results', () => {
  test('a finding on an object: message with kind, namespace/name and path; a logical location; a relative URI under %SRCROOT%', () => {
    const [r] = run([finding({ kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'api', path: 'spec.egress[0]' })]).results;
    expect(r.message.text).toBe('Unknown field "toFQDN". [CiliumNetworkPolicy shop/api spec.egress[0]] Fix: Write toFQDNs.');
    expect(r.locations[0].logicalLocations).toEqual([{ name: 'api', fullyQualifiedName: 'CiliumNetworkPolicy/shop/api', kind: 'object' }]);
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'policies/shop.yaml', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 6 },
    });
  });

  test('a cluster-wide object without a path; a finding with a path but no object; one with neither', () => {
    const results = run([
      finding({ kind: 'CiliumClusterwideNetworkPolicy', name: 'all' }),
      finding({ path: 'items[2]' }),
      finding({ message: 'not a manifest', fix: 'give YAML or JSON' }),
    ]).results;
    expect(results.map((r: any) => r.message.text)).toEqual([
      'Unknown field "toFQDN". [CiliumClusterwideNetworkPolicy all] Fix: Write toFQDNs.',
      'Unknown field "toFQDN". [items[2]] Fix: Write toFQDNs.',
      'Not a manifest. Fix: Give YAML or JSON.',
    ]);
    expect(results.map((r: any) => r.locations[0].logicalLocations)).toEqual([[{ name: 'all', fullyQualifiedName: 'CiliumClusterwideNetworkPolicy//all', kind: 'object' }], undefined, undefined]);
  });

  test('absolute and parent-relative files are their own URIs; stdin is "stdin"', () => {
    const uris = run([finding({ file: '/srv/p.yaml' }), finding({ file: '../p.yaml' }), finding({ file: '<stdin>' }), finding({ file: 'a b.yaml' })]).results
      .map((r: any) => r.locations[0].physicalLocation.artifactLocation);
    expect(uris).toEqual([{ uri: '/srv/p.yaml' }, { uri: '../p.yaml' }, { uri: 'stdin', uriBaseId: '%SRCROOT%' }, { uri: 'a%20b.yaml', uriBaseId: '%SRCROOT%' }]);
  });

  test('the same finding twice gets two fingerprints with one stem; another field another stem', () => {
    const prints = run([finding({ path: 'spec.a' }), finding({ path: 'spec.a', line: 9 }), finding({ path: 'spec.b' })]).results
      .map((r: any) => r.partialFingerprints.primaryLocationLineHash as string);
    expect(prints[0]).toMatch(/^[0-9a-f]{16}:1$/);
    expect(prints[1]).toBe(prints[0].replace(/:1$/, ':2'));
    expect(prints[2]).toMatch(/:1$/);
    expect(prints[2].split(':')[0]).not.toBe(prints[0].split(':')[0]);
  });
});

describe('rules and the tool', () => {
  test('an id no catalogue lists gets its own rule, at the end, and its results point there', () => {
    const r = run([finding({ id: 'custom-check', severity: Severity.WARNING })]);
    const rules = r.tool.driver.rules;
    expect(rules.at(-1)).toMatchObject({ id: 'custom-check', defaultConfiguration: { level: 'warning' }, properties: { tags: ['cilium', 'custom'] } });
    expect(rules.filter((x: any) => x.id === 'custom-check')).toHaveLength(1);
    expect(r.results[0]).toMatchObject({ ruleId: 'custom-check', ruleIndex: rules.length - 1, level: 'warning' });
    expect(r.results[0].ruleIndex).toBe(rules.findIndex((x: any) => x.id === 'custom-check'));
  });

  test('a catalogued id points at its own rule', () => {
    const r = run([finding({ id: 'k8s-np-port' })]);
    expect(r.tool.driver.rules[r.results[0].ruleIndex].id).toBe('k8s-np-port');
  });

  test('semanticVersion only for a semver tool version; informationUri when given', () => {
    expect(run([], { toolVersion: '1.2.3', informationUri: 'https://example.com/cdk8s-cilium' }).tool.driver)
      .toMatchObject({ version: '1.2.3', semanticVersion: '1.2.3', informationUri: 'https://example.com/cdk8s-cilium' });
    const dev = run([], { toolVersion: 'dev' }).tool.driver;
    expect(dev.version).toBe('dev');
    expect(dev).not.toHaveProperty('semanticVersion');
    expect(dev).not.toHaveProperty('informationUri');
  });
});
