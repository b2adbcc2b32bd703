// The public validation API (src/index.ts): the classes answer exactly what the functions the CLI and the constructs
// use answer (one implementation), with the options structs and enums of the 1.0 API.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckCatalogue, CheckLayer, CiliumAppValidation, CiliumVersion, ManifestInventory, ReportFileStatus, Severity, ValidationReportFormat, Validator,
} from '../../src';
import { REPORT_CHECKS } from '../../src/validate/catalogue';
import { formatReportJson, VALIDATE_REPORT_JSON_SCHEMA } from '../../src/validate/format-json';
import { formatReportSarif } from '../../src/validate/format-sarif';
import { formatReportText } from '../../src/validate/format-text';
import { validateInputs } from '../../src/validate/validate-input';
import { validateRule } from '../../src/validate/validate-policy';
import { PolicyKind } from '../../src/model/policy-model';
import { CLEAN_CNP, FQDN_OCTAL_PORT_CNP } from '../validate-cli/helpers';
import { check, ingress, ports } from './helpers';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('Validator', () => {
  it('validatePolicy and validateRule (options struct) report the findings of the per-policy layers', () => {
    const doc = ingress(ports([{ port: '8080', protocol: 'tcp' }]));
    expect(Validator.validatePolicy(doc, { version: CiliumVersion.V1_19 })).toEqual(check(doc));
    expect(Validator.validatePolicy(doc, { version: CiliumVersion.V1_19 }).map((d) => d.id)).toEqual(['crd-protocol']);
    const rule = doc.spec!;
    const found = Validator.validateRule(rule, { kind: PolicyKind.CILIUM_NETWORK_POLICY, version: CiliumVersion.V1_19, pathPrefix: 'specs[2]' });
    expect(found).toEqual(validateRule(rule, PolicyKind.CILIUM_NETWORK_POLICY, CiliumVersion.V1_19, 'specs[2]'));
    expect(found[0].path).toBe('specs[2].ingress[0].toPorts[0].ports[0].protocol');
    expect(Validator.validateRule(rule, { kind: PolicyKind.CILIUM_NETWORK_POLICY, version: CiliumVersion.V1_19 })[0].path).toBe('spec.ingress[0].toPorts[0].ports[0].protocol');
  });

  it('validateInputs and validatePaths give the report of the validate command; stdin is text', () => {
    const inputs = [{ name: 'bad.yaml', text: FQDN_OCTAL_PORT_CNP }, { name: 'clean.yaml', text: CLEAN_CNP }];
    const report = Validator.validateInputs(inputs);
    expect(report).toEqual(validateInputs(inputs));
    expect(report.diagnostics.map((d) => `${d.file}:${d.line} ${d.id}`)).toContain('bad.yaml:15 sanitize-port-octal');
    expect(report.files.map((f) => f.status)).toEqual([ReportFileStatus.CHECKED, ReportFileStatus.CHECKED]);

    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-public-api-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'clean.yaml'), CLEAN_CNP);
    const fromPaths = Validator.validatePaths(['clean.yaml', '-', 'missing.yaml'], { cwd: dir, stdin: FQDN_OCTAL_PORT_CNP, ciliumVersion: '1.17' });
    expect(fromPaths.version).toBe('1.17');
    expect(fromPaths.files.map((f) => [f.file, f.status])).toEqual([
      ['clean.yaml', ReportFileStatus.CHECKED], ['<stdin>', ReportFileStatus.CHECKED], ['missing.yaml', ReportFileStatus.NOT_FOUND],
    ]);
    expect(fromPaths.diagnostics.filter((d) => d.file === '<stdin>').map((d) => d.id)).toContain('sanitize-port-octal');
  });

  it('validateNetworkPolicy and checkPitfalls are the layers validateInputs runs', () => {
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] } };
    expect(Validator.validateNetworkPolicy(np).map((d) => d.id)).toEqual(['k8s-np-port']);
    const inventory = new ManifestInventory();
    inventory.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } });
    const doc = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy' as const, metadata: { name: 'p' },
      spec: { endpointSelector: {}, egress: [{ endpoints: [{ matchLabels: { app: 'db' } }] }] } };
    const findings = Validator.checkPitfalls([{ model: doc as never, version: CiliumVersion.V1_19 }], inventory);
    expect(findings.map((f) => f.id)).toContain('pitfall-ccnp-peer-namespace');
    expect(inventory.namespace('shop')?.labels).toEqual({ team: 'a' });
    expect(inventory.namespace('other')).toBeUndefined();
    expect(inventory.namespaces.map((n) => n.name)).toEqual(['shop']);
  });
});

describe('ValidationReportFormat', () => {
  const report = validateInputs([{ name: 'bad.yaml', text: FQDN_OCTAL_PORT_CNP }]);

  it('renders the three forms of the validate command', () => {
    expect(ValidationReportFormat.text(report)).toBe(formatReportText(report));
    expect(ValidationReportFormat.json(report)).toBe(formatReportJson(report));
    expect(ValidationReportFormat.sarif(report, { toolVersion: '1.0.0' })).toBe(formatReportSarif(report, { toolVersion: '1.0.0' }));
    expect(JSON.parse(ValidationReportFormat.json(report))).toEqual(ValidationReportFormat.jsonObject(report));
    const sarif = JSON.parse(formatReportSarif(report, { toolVersion: '1.0.0' }));
    expect(ValidationReportFormat.sarifObject(report, { toolVersion: '1.0.0' })).toEqual(sarif);
    expect(ValidationReportFormat.text(report).trimEnd().split('\n').pop()).toBe(ValidationReportFormat.summaryLine(report));
    expect(ValidationReportFormat.diagnosticText(report.diagnostics[0])).toMatch(/^bad\.yaml:\d+:\d+: (error|warning) /);
    expect(ValidationReportFormat.SCHEMA).toBe('cdk8s-cilium/validate/v1');
    expect(ValidationReportFormat.jsonObject(report).schema).toBe(ValidationReportFormat.SCHEMA);
    expect(ValidationReportFormat.SARIF_SCHEMA_URI).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(ValidationReportFormat.JSON_SCHEMA.$schema).toMatch(/2020-12/);
  });
});

describe('CheckCatalogue', () => {
  it('lists every check in report order, finds one by id and names its layer', () => {
    expect(CheckCatalogue.ALL_CHECKS).toEqual(REPORT_CHECKS);
    const { POLICY_CHECKS, NETWORK_POLICY_CHECKS, PITFALL_CHECKS, INPUT_CHECKS } = CheckCatalogue;
    expect([...POLICY_CHECKS, ...NETWORK_POLICY_CHECKS, ...PITFALL_CHECKS, ...INPUT_CHECKS]).toEqual(CheckCatalogue.ALL_CHECKS);
    expect(CheckCatalogue.find('pitfall-service-port')).toMatchObject({ id: 'pitfall-service-port', severity: Severity.ERROR });
    expect(CheckCatalogue.find('no-such-check')).toBeUndefined();
    expect(CheckCatalogue.layerOf('pitfall-service-port')).toBe(CheckLayer.PITFALL);
    expect(CheckCatalogue.layerOf('crd-schema')).toBe(CheckLayer.CRD);
    expect(CheckCatalogue.layerOf('k8s-np-port')).toBe(CheckLayer.K8S);
  });

  it('hands out copies of the lists the validator uses', () => {
    expect(CheckCatalogue.ALL_CHECKS).not.toBe(REPORT_CHECKS);
    expect(ValidationReportFormat.JSON_SCHEMA).not.toBe(VALIDATE_REPORT_JSON_SCHEMA);
    expect(ValidationReportFormat.JSON_SCHEMA).toEqual(VALIDATE_REPORT_JSON_SCHEMA);
  });
});

describe('CiliumAppValidation.formatDiagnostic', () => {
  it('formats a synthesis finding as runSynth prints it', () => {
    expect(CiliumAppValidation.formatDiagnostic({
      id: 'pitfall-service-port', severity: Severity.ERROR, message: 'port 8080 is the port of Service shop/web', fix: 'write the target port',
      constructPath: 'shop/web/Resource', path: 'spec.ingress[0]', kind: 'CiliumNetworkPolicy', name: 'web',
    })).toBe('[shop/web/Resource] spec.ingress[0]: port 8080 is the port of Service shop/web (pitfall-service-port)\n    fix: write the target port');
  });
});
