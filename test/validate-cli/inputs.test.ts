// The corpus of bad inputs: each gives one clear finding with its position, and the other inputs are still checked.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInputs, validatePaths } from '../../src/validate';
import { check, CLEAN_CNP, errorIds, findings, summary, where, yaml } from './helpers';

const GOOD = CLEAN_CNP;

/** A valid-looking policy with one error: port "010" (octal). */
const OCTAL = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: octal
    namespace: shop
  spec:
    endpointSelector: {}
    ingress:
      - toPorts:
          - ports:
              - port: "010"
                protocol: TCP
`;

describe('bad inputs', () => {
  it('malformed YAML: a syntax error with its line, the next document still read', () => {
    const text = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: broken
      spec:
        endpointSelector: {matchLabels: {app: web}
        ingress: [{}]
      ---
    ` + OCTAL;
    const report = check({ 'broken.yaml': text });
    const syntax = findings(report, 'parse-yaml-syntax');
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax.every((d) => d.severity === 'error' && d.line >= 6 && d.line <= 8)).toBe(true);
    expect(where(report, 'sanitize-port-octal')).toEqual(['broken.yaml:19:21']);
  });

  it('a truncated file: the syntax error points at the cut', () => {
    const full = OCTAL;
    const cut = full.slice(0, full.indexOf('"010"') + 3);
    const report = check({ 'cut.yaml': cut });
    expect(errorIds(report)).toEqual(['parse-yaml-syntax']);
    expect(findings(report, 'parse-yaml-syntax')[0].line).toBe(11);
  });

  it('a wrong apiVersion', () => {
    const report = check({ 'v1.yaml': GOOD.replace('cilium.io/v2', 'cilium.io/v1') });
    expect(where(report, 'parse-api-version')).toEqual(['v1.yaml:1:13']);
    expect(findings(report, 'parse-api-version')[0].message).toContain('cilium.io/v1');
  });

  it('a document that is not a mapping', () => {
    expect(where(check({ 's.yaml': 'just a string\n' }), 'parse-yaml-syntax')).toEqual(['s.yaml:1:1']);
  });

  it('binary content (NUL bytes)', () => {
    const report = validateInputs([{ name: 'policy.yaml.gz', bytes: Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]) }]);
    expect(where(report, 'input-binary')).toEqual(['policy.yaml.gz:1:1']);
    expect(report.files[0].status).toBe('binary');
  });

  it('invalid UTF-8', () => {
    const report = validateInputs([{ name: 'latin1.yaml', bytes: Uint8Array.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]) }]);
    expect(where(report, 'input-binary')).toEqual(['latin1.yaml:1:1']);
  });

  it.each([
    ['an empty file', ''],
    ['white space only', '  \n\n'],
    ['comments and markers only', '# nothing here\n---\n'],
  ])('%s is a warning, not an error', (_name, text) => {
    const report = check({ 'empty.yaml': text });
    expect(where(report, 'input-empty')).toEqual(['empty.yaml:1:1']);
    expect(report.summary).toMatchObject({ errors: 0, warnings: 1, passed: true });
    expect(report.files[0].status).toBe('empty');
  });

  it('a UTF-8 byte-order mark is skipped without moving positions', () => {
    const report = validateInputs([{ name: 'bom.yaml', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(OCTAL)]) }]);
    expect(where(report, 'sanitize-port-octal')).toEqual(['bom.yaml:11:21']);
  });

  it('a kubectl get cnp,ccnp -A -o yaml List: every item checked, paths and lines inside the List', () => {
    const list = yaml`
      apiVersion: v1
      items:
      - apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy"}
          creationTimestamp: "2026-01-05T10:00:00Z"
          generation: 1
          name: octal
          namespace: shop
          resourceVersion: "4242"
          uid: 0b6f3c9e-0000-4000-8000-000000000001
        spec:
          endpointSelector: {}
          ingress:
          - toPorts:
            - ports:
              - port: "010"
                protocol: TCP
        status:
          conditions:
          - lastTransitionTime: "2026-01-05T10:00:01Z"
            message: Policy validation succeeded
            status: "True"
            type: Valid
      - apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata:
          name: health
          resourceVersion: "4243"
        spec:
          endpointSelector:
            matchLabels:
              reserved:health: ""
          ingress:
          - fromEntities: [remote-node]
      kind: List
      metadata:
        resourceVersion: ""
    `;
    const report = check({ 'kubectl.yaml': list });
    expect(report.summary).toMatchObject({ policies: 2, documents: 2, errors: 1 });
    const [d] = findings(report, 'sanitize-port-octal');
    expect(d).toMatchObject({ file: 'kubectl.yaml', line: 20, column: 17, path: 'items[0].spec.ingress[0].toPorts[0].ports[0].port', kind: 'CiliumNetworkPolicy', name: 'octal', namespace: 'shop' });
  });

  it('raw api.Rule JSON (the local-API format) is checked by the agent rules', () => {
    const raw = '[{"endpointSelector": {}, "ingress": [{"fromEndpoints": [{}], "fromCIDR": ["10.0.0.0/8"]}]}]\n';
    const report = check({ 'rules.json': raw });
    expect(where(report, 'sanitize-l3-combination')).toEqual(['rules.json:1:75']);
    expect(findings(report, 'sanitize-l3-combination')[0].kind).toBe('api.Rule');
  });

  it('a size limit: larger inputs are not read', () => {
    const report = check({ 'big.yaml': OCTAL }, { maxFileBytes: 100 });
    expect(where(report, 'input-too-large')).toEqual(['big.yaml:1:1']);
    expect(report.files[0]).toMatchObject({ status: 'too-large', bytes: Buffer.byteLength(OCTAL) });
  });
});

describe('bad files on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-inputs-'));
    // 50 MB of YAML (a valid document padded with a comment), written here and removed after the tests.
    const fd = openSync(join(dir, 'huge.yaml'), 'w');
    writeSync(fd, GOOD);
    const line = `# ${'x'.repeat(1022)}\n`;
    const chunk = line.repeat(1024);
    for (let i = 0; i < 50; i++) writeSync(fd, chunk);
    closeSync(fd);
    writeFileSync(join(dir, 'octal.yaml'), OCTAL);
    writeFileSync(join(dir, 'empty.yaml'), '');
    writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0x00, 0x01, 0x02]));
    symlinkSync(join(dir, 'loop-b.yaml'), join(dir, 'loop-a.yaml'));
    symlinkSync(join(dir, 'loop-a.yaml'), join(dir, 'loop-b.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a 50 MB file gives one finding and the other files are still checked', () => {
    // The size cap is checked before reading (no wall-clock budget here: a whole-file read shows in `npm run bench`).
    const report = validatePaths(['huge.yaml', 'octal.yaml', 'empty.yaml', 'binary.yaml', 'loop-a.yaml', 'missing.yaml'], { cwd: dir });
    expect(summary(report).map((s) => s.split(' ').slice(0, 2).join(' '))).toEqual([
      'error input-too-large@huge.yaml:1:1',
      'error sanitize-port-octal@octal.yaml:11:21',
      'warning input-empty@empty.yaml:1:1',
      'error input-binary@binary.yaml:1:1',
      'error input-unreadable@loop-a.yaml:1:1',
      'error input-not-found@missing.yaml:1:1',
    ]);
    expect(findings(report, 'input-too-large')[0].message).toMatch(/^50(\.\d)? MiB is larger than the limit of 10 MiB/);
    // The fix names the limits that exist (only validate has the flag; trace, replay, diff and report have none).
    expect(findings(report, 'input-too-large')[0].fix).toBe('split the file, or raise the limit where there is one (validate --max-file-size; '
      + 'maxFileBytes of PolicySet.fromFiles and Validator)');
    expect(findings(report, 'input-unreadable')[0].message).toContain('ELOOP');
    expect(report.files.map((f) => f.status)).toEqual(['too-large', 'checked', 'empty', 'binary', 'unreadable', 'not-found']);
    expect(report.summary).toMatchObject({ files: 6, policies: 1, errors: 5, warnings: 1, passed: false });
  });

  it('a directory without a manifest file is input-not-found, not a pass over nothing (a glob of such directories too)', () => {
    mkdirSync(join(dir, 'out', 'empty'), { recursive: true });
    writeFileSync(join(dir, 'out', 'README.md'), '# not a manifest');
    // Not manifests to read: .git and node_modules (hidden entries are read, as kubectl apply -R reads them: below).
    mkdirSync(join(dir, 'out', '.git'), { recursive: true });
    mkdirSync(join(dir, 'out', 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'out', '.git', 'octal.yaml'), OCTAL);
    writeFileSync(join(dir, 'out', 'node_modules', 'x', 'octal.yaml'), OCTAL);
    for (const arg of ['out', 'out/empty', 'ou*']) {
      const report = validatePaths([arg], { cwd: dir });
      expect(summary(report).map((s) => s.split(' ').slice(0, 2).join(' ')), arg).toEqual([`error input-not-found@${arg}:1:1`]);
      expect(findings(report, 'input-not-found')[0].message).toBe(`${arg} holds no .yaml, .yml or .json file (.git and node_modules are not read)`);
      expect(report.files.map((f) => f.status)).toEqual(['not-found']);
      expect(report.summary.passed).toBe(false);
    }
    // Beside a directory that has manifests, it is still named; a directory whose files another argument gave is not.
    const both = validatePaths(['out', 'octal.yaml'], { cwd: dir });
    expect(errorIds(both).sort()).toEqual(['input-not-found', 'sanitize-port-octal']);
    writeFileSync(join(dir, 'out', 'empty', 'octal.yaml'), OCTAL);
    expect(errorIds(validatePaths(['out/empty/octal.yaml', 'out/empty'], { cwd: dir }))).toEqual(['sanitize-port-octal']);
  });

  it('a directory is read as kubectl apply -R reads it: hidden files and folders too (a policy there is applied), not .git or node_modules', () => {
    mkdirSync(join(dir, 'gitops', '.extra'), { recursive: true });
    mkdirSync(join(dir, 'gitops', '.git'), { recursive: true });
    mkdirSync(join(dir, 'gitops', 'node_modules'), { recursive: true });
    writeFileSync(join(dir, 'gitops', '.extra', 'open.yaml'), OCTAL);
    writeFileSync(join(dir, 'gitops', '.hidden.yml'), OCTAL);
    writeFileSync(join(dir, 'gitops', '.git', 'x.yaml'), OCTAL);
    writeFileSync(join(dir, 'gitops', 'node_modules', 'x.yaml'), OCTAL);
    const report = validatePaths(['gitops'], { cwd: dir });
    expect(report.files.map((f) => f.file)).toEqual(['gitops/.extra/open.yaml', 'gitops/.hidden.yml']);
    // Both files are judged (the same policy twice: also a name duplicate).
    expect(report.diagnostics.filter((d) => d.id === 'sanitize-port-octal').map((d) => d.file)).toEqual(['gitops/.extra/open.yaml', 'gitops/.hidden.yml']);
  });

  it('a directory given as a file is unreadable, not a crash', () => {
    const report = validateInputs([{ name: 'a-directory', path: dir }]);
    expect(findings(report, 'input-unreadable')[0].message).toContain('a directory');
  });
});
