// The public entry points of the core and model layers (PolicyModel, VersionAnnotation, Errors) as users call them from
// the package root: they delegate to the one reader, emitter and version check, and errors stay recognisable.
import { describe, expect, test } from 'vitest';
import {
  CiliumPolicyError, CiliumVersion, Errors, ParseDiagnosticId, PolicyKind, PolicyModel, SectionName, VersionAnnotation,
} from '../../src';

const CNP = [
  'apiVersion: cilium.io/v2',
  'kind: CiliumNetworkPolicy',
  'metadata:',
  '  name: web',
  '  namespace: shop',
  '  annotations: { cdk8s-cilium.io/cilium-version: "1.16" }',
  'spec:',
  '  endpointSelector: { matchLabels: { app: web } }',
  '  ingress:',
  '    - fromEndpoints: [{ matchLabels: { app: api } }]',
  '      toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]',
  '',
].join('\n');

describe('PolicyModel', () => {
  test('fromYaml reads a CNP into the model, with source positions', () => {
    const result = PolicyModel.fromYaml(CNP, { file: 'web.yaml' });
    expect(result.diagnostics).toEqual([]);
    const [doc] = result.documents;
    expect(doc.model.kind).toBe(PolicyKind.CILIUM_NETWORK_POLICY);
    expect(doc.model.spec?.[SectionName.INGRESS]?.[0].endpoints).toEqual([{ matchLabels: { app: 'api' } }]);
    expect(doc.source).toEqual({ file: 'web.yaml', index: 0 });
    expect(doc.locate('spec.ingress[0].toPorts[0].ports[0].port')).toEqual({ line: 11, column: 35 });
  });

  test('toManifest renders what fromObject read, unchanged', () => {
    const manifest = PolicyModel.toManifest(PolicyModel.fromYaml(CNP).documents[0].model);
    expect(manifest.apiVersion).toBe(PolicyModel.API_VERSION);
    const again = PolicyModel.fromObject(manifest);
    expect(again.diagnostics).toEqual([]);
    expect(PolicyModel.toManifest(again.documents[0].model)).toEqual(manifest);
    expect(PolicyModel.ruleToManifest(again.documents[0].model.spec!)).toEqual(manifest.spec);
  });

  test('diagnostics carry the ParseDiagnosticId values', () => {
    const result = PolicyModel.fromYaml(CNP.replace('  ingress:', '  ingres:'));
    expect(result.diagnostics.map((d) => [d.id, d.line, d.fix])).toEqual([[ParseDiagnosticId.UNKNOWN_FIELD, 9, 'did you mean ingress?']]);
    expect(ParseDiagnosticId.UNKNOWN_FIELD).toBe('parse-unknown-field');
  });
});

describe('VersionAnnotation', () => {
  test('reads the version the policies were synthesized for', () => {
    const model = PolicyModel.fromYaml(CNP).documents[0].model;
    expect(model.metadata.annotations?.[VersionAnnotation.KEY]).toBe('1.16');
    expect(VersionAnnotation.synthesizedVersion([{ model, file: 'web.yaml' }])).toEqual({
      version: CiliumVersion.V1_16, source: 'CiliumNetworkPolicy shop/web (web.yaml)',
    });
    expect(VersionAnnotation.synthesizedVersion([])).toBeUndefined();
    // Two policies annotated for one version: that version, from the first (no conflict); two versions: a conflict.
    expect(VersionAnnotation.synthesizedVersion([{ model, file: 'web.yaml' }, { model, file: 'api.yaml' }])).toEqual({
      version: CiliumVersion.V1_16, source: 'CiliumNetworkPolicy shop/web (web.yaml)',
    });
    const other = PolicyModel.fromYaml(CNP.replace('"1.16"', '"1.17"')).documents[0].model;
    expect(() => VersionAnnotation.synthesizedVersion([{ model, file: 'web.yaml' }, { model: other, file: 'api.yaml' }]))
      .toThrow(/synthesized for different Cilium versions: 1\.16 \(CiliumNetworkPolicy shop\/web \(web\.yaml\)\) and 1\.17/);
  });

  test('a value that is not a supported version is refused at the file and line of the document', () => {
    const model = PolicyModel.fromYaml(CNP.replace('"1.16"', '"1.9"')).documents[0].model;
    let error: unknown;
    try {
      VersionAnnotation.synthesizedVersion([{ model, file: 'web.yaml', line: 6 }]);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ id: 'version-annotation-invalid', location: 'web.yaml:6' });
    expect((error as Error).message).toMatch(/^\[web\.yaml:6\] CiliumNetworkPolicy shop\/web has the annotation cdk8s-cilium\.io\/cilium-version: "1\.9"/);
    expect(() => VersionAnnotation.synthesizedVersion([{ model, file: 'web.yaml' }])).toThrow(/^\[web\.yaml\] /);
  });
});

describe('Errors', () => {
  const thrown = (): unknown => {
    try {
      CiliumVersion.parse('1.99');
    } catch (e) {
      return e;
    }
    return undefined;
  };

  test('isCiliumPolicyError recognises the SDK errors, and only them', () => {
    const e = thrown();
    expect(Errors.isCiliumPolicyError(e)).toBe(true);
    expect(e).toBeInstanceOf(CiliumPolicyError);
    expect(Errors.isCiliumPolicyError(new CiliumPolicyError({ id: 'x', message: 'y' }))).toBe(true);
    for (const other of [new Error('version-unsupported'), { id: 'version-unsupported' }, 'error', null, undefined, 42]) {
      expect(Errors.isCiliumPolicyError(other)).toBe(false);
    }
  });

  test('the error keeps its id, fix, message and a stack without frames', () => {
    const e = thrown();
    if (!Errors.isCiliumPolicyError(e)) throw new Error('expected a CiliumPolicyError');
    expect(e.id).toBe('version-unsupported');
    expect(e.fix).toBe('use one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19');
    expect(e.location).toBeUndefined();
    expect(e.message).toBe('unsupported Cilium version "1.99" (version-unsupported)\n  fix: use one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19');
    expect(e.stack).toBe(`CiliumPolicyError: ${e.message}`);
  });

  test('CiliumVersion.ALL cannot be changed by a caller', () => {
    expect(() => (CiliumVersion.ALL as CiliumVersion[]).push(CiliumVersion.V1_14)).toThrow(TypeError);
    expect(CiliumVersion.ALL.map(String)).toEqual(['1.14', '1.15', '1.16', '1.17', '1.18', '1.19']);
  });
});
