// The options of the validate layer's public calls from plain JavaScript (a config file, `as any`): a misspelled key or
// a value the call cannot take is refused with the call, the key and the fix (`option-unknown`, `option-value`), instead
// of a default taking its place — `{ maxWarning: 0 }` let every warning pass, `{ ciliumVesion: '1.14' }` validated for
// 1.19, and `{ version: '1.14' }` failed deep inside the checks with a TypeError.
import { App, Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumVersion, CrdSchemas, ManifestInventory, PolicyDocumentModel, PolicyKind, ValidationReportFormat, Validator } from '../../src';

/** Options as plain JavaScript may give them. */
const loose = <T>(o: Record<string, unknown>): T => o as T;

/** A CNP with an endPort (1.16+) and a toFQDNs rule without a DNS rule (a warning). */
const TEXT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toFQDNs: [{ matchName: api.example.com }]
    toPorts: [{ ports: [{ port: "8000", endPort: 8010, protocol: TCP }] }]
`;
const INPUTS = [{ name: 'web.yaml', text: TEXT }];
const DOC: PolicyDocumentModel = {
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'web', namespace: 'prod' },
  spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toPorts: [{ ports: [{ port: '8000', endPort: 8010, protocol: 'TCP' }] }] }] },
};

describe('Validator.validateInputs / validatePaths', () => {
  test('as asked, the options work: 1.14 has no endPort (an error), one warning over a limit of 0 fails', () => {
    const report = Validator.validateInputs(INPUTS, { ciliumVersion: '1.14' });
    expect(report.diagnostics.map((d) => d.id)).toContain('version-end-port');
    const limited = Validator.validateInputs(INPUTS, { maxWarnings: 0 });
    expect(limited.summary.errors).toBe(0);
    expect(limited.summary.warnings).toBeGreaterThan(0);
    expect(limited.summary.passed).toBe(false);
  });

  test.each([
    [{ maxWarning: 0 }, 'maxWarning (0) is not an option of Validator.validateInputs(); it would be left out and maxWarnings would keep its default (no limit)'],
    [{ ciliumVesion: '1.14' }, 'ciliumVesion ("1.14") is not an option of Validator.validateInputs(); it would be left out and ciliumVersion would keep its default'],
  ])('a misspelled key %j is refused (option-unknown)', (options, message) => {
    expect(() => Validator.validateInputs(INPUTS, loose(options))).toThrow(message);
    expect(() => Validator.validatePaths([], loose(options))).toThrow(message.replace('validateInputs', 'validatePaths'));
  });

  test.each([
    [{ maxWarnings: Number.NaN }, 'maxWarnings is a number (NaN), not a whole number of 0 or more'],
    [{ maxWarnings: '0' }, 'maxWarnings is a string ("0"), not a whole number of 0 or more'],
    [{ maxWarnings: 0.5 }, 'maxWarnings is a number (0.5), not a whole number of 0 or more'],
    [{ maxFileBytes: 0 }, 'maxFileBytes is a number (0), not a whole number of bytes of 1 or more'],
    [{ ciliumVersion: 1.19 }, 'ciliumVersion is a number (1.19), not a version as text'],
    [{ crdFiles: 'crds.yaml' }, 'crdFiles is a string ("crds.yaml"), not a list of file paths'],
    [{ crdFiles: [''] }, 'crdFiles is a list, not a list of file paths'],
    [{ cwd: 42 }, 'cwd is a number (42), not a directory path'],
  ])('a value the call cannot take, %j, is refused (option-value)', (options, message) => {
    expect(() => Validator.validateInputs(INPUTS, loose(options))).toThrow(`Validator.validateInputs(): ${message} (option-value)`);
  });

  test('a CiliumVersion for ciliumVersion reads as its text (the engine\'s options take one)', () => {
    expect(Validator.validateInputs(INPUTS, loose({ ciliumVersion: CiliumVersion.V1_14 })).diagnostics.map((d) => d.id)).toContain('version-end-port');
  });

  test('validatePaths knows stdin', () => {
    expect(Validator.validatePaths(['-'], { stdin: TEXT }).summary.policies).toBe(1);
  });
});

describe('Validator.validatePolicy / validateRule / checkPitfalls', () => {
  test('the version, as asked: endPort is an error for 1.14 and none for 1.19', () => {
    expect(Validator.validatePolicy(DOC, { version: CiliumVersion.V1_14 }).map((d) => d.id)).toContain('version-end-port');
    expect(Validator.validatePolicy(DOC, { version: CiliumVersion.V1_19 })).toEqual([]);
  });

  test('a version string, a missing version and a misspelled key are refused with the fix', () => {
    expect(() => Validator.validatePolicy(DOC, loose({ version: '1.14' }))).toThrow(
      /Validator\.validatePolicy\(\): version is a string \("1\.14"\), not a CiliumVersion \(option-value\)\n\s*fix: pass CiliumVersion\.parse\("1\.14"\)/);
    expect(() => Validator.validatePolicy(DOC, loose({ versoin: CiliumVersion.V1_14 }))).toThrow(/versoin \(a CiliumVersion\) is not an option .*did you mean version\?/s);
    expect(() => Validator.validatePolicy(DOC, loose({}))).toThrow('Validator.validatePolicy(): version is missing, not a CiliumVersion');
    const rule = DOC.spec!;
    expect(() => Validator.validateRule(rule, loose({ kind: 'CiliumNetworkPolicy', version: '1.19' }))).toThrow(/validateRule\(\): version is a string/);
    expect(() => Validator.validateRule(rule, loose({ kind: 'CiliumNetworkPolicy', version: CiliumVersion.V1_19, pathPrefx: 'specs[1]' })))
      .toThrow(/pathPrefx \("specs\[1\]"\) is not an option of Validator\.validateRule\(\).*did you mean pathPrefix\?/s);
    expect(Validator.validateRule(rule, { kind: PolicyKind.CILIUM_NETWORK_POLICY, version: CiliumVersion.V1_14, pathPrefix: 'specs[1]' })[0]?.path).toMatch(/^specs\[1\]\./);
    expect(() => Validator.validateRule(rule, loose({ kind: 'bogus', version: CiliumVersion.V1_19 }))).toThrow(/validateRule\(\): kind is a string \("bogus"\), not a policy kind/);
    expect(() => Validator.validateRule(rule, loose({ version: CiliumVersion.V1_19 }))).toThrow(/validateRule\(\): kind is missing, not a policy kind/);
  });

  test('checkPitfalls: a misspelled key and a version string are refused', () => {
    const docs = [{ model: DOC, version: CiliumVersion.V1_19 }];
    expect(() => Validator.checkPitfalls(docs, new ManifestInventory(), loose({ kafkaRemove: true }))).toThrow(/kafkaRemove \(true\) is not an option of Validator\.checkPitfalls\(\)/);
    expect(() => Validator.checkPitfalls(docs, new ManifestInventory(), loose({ ciliumVersion: '1.19' }))).toThrow(/checkPitfalls\(\): ciliumVersion is a string/);
  });
});

describe('the app validation, CRD schemas and SARIF options', () => {
  test('Validator.validateApp and CiliumAppValidation.ensure refuse a misspelled key', () => {
    const app = new App();
    new Chart(app, 'c');
    expect(() => Validator.validateApp(app, loose({ includeSdkPolicyLayer: true }))).toThrow(/includeSdkPolicyLayer \(true\) is not an option of Validator\.validateApp\(\).*did you mean includeSdkPolicyLayers\?/s);
    expect(Validator.validateApp(app, { includeSdkPolicyLayers: true })).toEqual([]);
  });

  test('CrdSchemas and SARIF options', () => {
    expect(() => CrdSchemas.builtin('1.19', loose({ cidrFormt: 'go' }))).toThrow(/cidrFormt \("go"\) is not an option of Crd(VersionRoot|Schemas).*did you mean cidrFormat\?/s);
    const report = Validator.validateInputs(INPUTS);
    expect(() => ValidationReportFormat.sarif(report, loose({ toolversion: '9' }))).toThrow(/toolversion \("9"\) is not an option of ValidationReportFormat\.sarif\(\).*did you mean toolVersion\?/s);
    expect(JSON.parse(ValidationReportFormat.sarif(report, { toolVersion: '9.9.9' })).runs[0].tool.driver.version).toBe('9.9.9');
  });
});
