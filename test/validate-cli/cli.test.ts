// `cdk8s-cilium validate` in-process: exit statuses, formats, standard input, globs, --crd (a CRD file and a
// `kubectl get crd -o yaml` List), --max-warnings, usage errors.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { runValidate, ValidateIo } from '../../src/cli/validate';
import { CRD_ROOT } from '../support/shared';
import { CLEAN_CNP, yaml } from './helpers';

const CLEAN = CLEAN_CNP;

/** Misspelled toFQDNs: the built-in reader and a real (closed) CRD both reject it. */
const TYPO = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: typo
    namespace: shop
  spec:
    endpointSelector: {}
    egress:
      - toFQDN:
          - matchName: api.github.com
      - toEndpoints:
          - matchLabels:
              k8s:io.kubernetes.pod.namespace: kube-system
              k8s:k8s-app: kube-dns
        toPorts:
          - ports:
              - port: "53"
                protocol: ANY
`;

/** A deny-only rule: one warning, no error. */
const WARNS = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: no-world
    namespace: shop
  spec:
    endpointSelector: {}
    ingressDeny:
      - fromEntities: [world]
`;

/** endPort: fine for a 1.19 CRD, unknown to a 1.15 CRD. */
const RANGE = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: range
    namespace: shop
  spec:
    endpointSelector: {}
    ingress:
      - fromEntities: [cluster]
        toPorts:
          - ports:
              - port: "8000"
                endPort: 8100
                protocol: TCP
`;

let dir: string;

/** Runs the command in the fixture folder; `stdin` is what `-` reads. */
async function run(args: string[], stdin?: string | Uint8Array): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: ValidateIo = {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    cwd: dir,
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
  };
  const code = await runValidate(args, io);
  return { code, out, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-cli-'));
  const files: Record<string, string> = {
    'clean.yaml': CLEAN,
    'typo.yaml': TYPO,
    'warns.yaml': WARNS,
    'range.yaml': RANGE,
    'k8s/a.yaml': CLEAN.replace('name: web', 'name: a'),
    'k8s/sub/b.yml': CLEAN.replace('name: web', 'name: b'),
    'k8s/sub/c.json': JSON.stringify(parseYaml(CLEAN.replace('name: web', 'name: c'))),
    'k8s/sub/notes.txt': 'not a manifest',
    'k8s/.hidden/d.yaml': TYPO,
    'k8s/node_modules/e.yaml': TYPO,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  // `kubectl get crd ciliumnetworkpolicies.cilium.io ciliumclusterwidenetworkpolicies.cilium.io -o yaml`: a List of both CRDs
  // with server fields.
  const crd = (version: string, file: string): Record<string, any> => {
    const obj = parseYaml(readFileSync(join(CRD_ROOT, version, file), 'utf8'));
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: '1234', uid: '00000000-0000-4000-8000-000000000000', generation: 1 },
      status: { acceptedNames: obj.spec.names, storedVersions: ['v2'] } };
  };
  writeFileSync(join(dir, 'crds-v1.15.yaml'), stringify({
    apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' },
    items: [crd('v1.15', 'ciliumnetworkpolicies.yaml'), crd('v1.15', 'ciliumclusterwidenetworkpolicies.yaml')],
  }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exit statuses', () => {
  it('0 when clean', async () => {
    const r = await run(['clean.yaml']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe('0 errors, 0 warnings in 1 file (1 policy, 1 document; Cilium 1.19)\n');
  });

  it('1 when there is an error', async () => {
    const r = await run(['clean.yaml', 'typo.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('typo.yaml:9:7: error parse-unknown-field: unknown field toFQDN in egress rule; it is left out');
    expect(r.out).toContain('fix: did you mean toFQDNs?');
  });

  it('0 with warnings, 1 with more warnings than --max-warnings', async () => {
    expect((await run(['warns.yaml'])).code).toBe(0);
    expect((await run(['warns.yaml', '--max-warnings', '1'])).code).toBe(0);
    const r = await run(['warns.yaml', '--max-warnings', '0']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('more warnings than the limit of 0');
    expect((await run(['warns.yaml', '--max-warnings', '-1'])).code).toBe(0);
  });

  it.each([
    [[], 'no input given'],
    [['clean.yaml', '--format', 'xml'], "argument 'xml' is invalid"],
    [['clean.yaml', '--cilium-version', '1.13'], 'unsupported Cilium version "1.13"'],
    [['clean.yaml', '--max-warnings', 'many'], '--max-warnings many is not a number'],
    [['clean.yaml', '--max-file-size', 'huge'], '--max-file-size huge is not a size'],
    [['clean.yaml', '--max-file-size', '100G'], '--max-file-size 100G is not a size from 1 byte to 1024 MiB'],
    [['clean.yaml', '--max-file-size', '999999999999999999999G'], 'is not a size from 1 byte to 1024 MiB'],
    [['clean.yaml', '--crd', 'missing-crd.yaml'], 'does not exist'],
    [['clean.yaml', '--crd', 'clean.yaml'], 'holds no CustomResourceDefinition'],
    [['clean.yaml', '--bogus'], "unknown option '--bogus' (cli-usage); fix: "],
  ])('2 on a usage error: %j', async (args, message) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });

  // Commander quotes the refused argument: an escape sequence in it reached the terminal (or a CI log) raw.
  it('a usage error quoting an argument with control characters prints them escaped', async () => {
    const r = await run(['clean.yaml', '--x\u001b[31mRED']);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('\u001b');
    expect(r.err).toMatch(/^error: unknown option '--x.*RED' \(cli-usage\); fix: /);
  });

  it('1 (not 2) for a missing input: the others are still checked', async () => {
    const r = await run(['missing.yaml', 'typo.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('missing.yaml:1:1: error input-not-found: missing.yaml does not exist');
    expect(r.out).toContain('typo.yaml:9:7: error parse-unknown-field');
  });

  it('--help exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--cilium-version <version>');
  });
});

describe('formats', () => {
  it('--format json is the documented report', async () => {
    const r = await run(['typo.yaml', '--format', 'json']);
    const json = JSON.parse(r.out);
    expect(json.schema).toBe('cdk8s-cilium/validate/v1');
    expect(json.diagnostics[0]).toMatchObject({ id: 'parse-unknown-field', file: 'typo.yaml', line: 9, column: 7, path: 'spec.egress[0].toFQDN' });
    expect(json.summary.passed).toBe(false);
  });

  it('--format sarif is SARIF 2.1.0', async () => {
    const r = await run(['typo.yaml', '--format', 'sarif']);
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('typo.yaml');
  });
});

describe('standard input', () => {
  it('- reads the manifests from stdin, named <stdin>', async () => {
    const r = await run(['-'], TYPO);
    expect(r.code).toBe(1);
    expect(r.out).toContain('<stdin>:9:7: error parse-unknown-field');
  });

  it('- together with files, in argument order', async () => {
    const r = await run(['clean.yaml', '-', '--format', 'json'], WARNS);
    expect(JSON.parse(r.out).files.map((f: { file: string }) => f.file)).toEqual(['clean.yaml', '<stdin>']);
  });

  it('binary on stdin', async () => {
    const r = await run(['-'], Uint8Array.from([0, 1, 2]));
    expect(r.out).toContain('<stdin>:1:1: error input-binary');
  });
});

describe('globs and directories', () => {
  const files = async (...args: string[]): Promise<string[]> => {
    const r = await run([...args, '--format', 'json']);
    return JSON.parse(r.out).files.map((f: { file: string }) => f.file);
  };

  it('a directory: every .yaml, .yml, .json below it, hidden folders included (kubectl apply -R reads them), without node_modules', async () => {
    expect(await files('k8s')).toEqual(['k8s/.hidden/d.yaml', 'k8s/a.yaml', 'k8s/sub/b.yml', 'k8s/sub/c.json']);
  });

  it.each([
    ['k8s/*.yaml', ['k8s/a.yaml']],
    ['k8s/**/*.yaml', ['k8s/a.yaml']],
    ['k8s/**/*.{yaml,yml}', ['k8s/a.yaml', 'k8s/sub/b.yml']],
    ['k8s/sub/?.yml', ['k8s/sub/b.yml']],
    ['k8s/[ab].*', ['k8s/a.yaml']],
    ['**/c.json', ['k8s/sub/c.json']],
    ['k8s/.hidden/*.yaml', ['k8s/.hidden/d.yaml']],
    ['k8s/*', ['k8s/a.yaml', 'k8s/sub/b.yml', 'k8s/sub/c.json']],
  ])('%s', async (pattern, expected) => {
    expect(await files(pattern)).toEqual(expected);
  });

  it('a file named twice (directly and by a glob) is read once', async () => {
    expect(await files('k8s/a.yaml', 'k8s/*.yaml', 'k8s')).toEqual(['k8s/a.yaml', 'k8s/.hidden/d.yaml', 'k8s/sub/b.yml', 'k8s/sub/c.json']);
  });

  it('a glob without a match is an input-not-found error; as the only input, nothing to validate: exit 2', async () => {
    const beside = await run(['nothing/**/*.yaml', 'clean.yaml']);
    expect(beside.code).toBe(1);
    expect(beside.out).toContain('nothing/**/*.yaml:1:1: error input-not-found: the pattern nothing/**/*.yaml matches no file');
    const r = await run(['nothing/**/*.yaml']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: nothing to validate: the pattern nothing\/\*\*\/\*\.yaml matches no file \(input-not-found\); fix: /);
  });

  it('a directory without a YAML file as the only input: exit 2 (input-not-found), one clear line, never a report over nothing', async () => {
    mkdirSync(join(dir, 'no-yaml'), { recursive: true });
    writeFileSync(join(dir, 'no-yaml', 'README.txt'), 'not a manifest\n');
    const r = await run(['no-yaml']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('error: nothing to validate: no-yaml holds no .yaml, .yml or .json file (.git and node_modules are not read) (input-not-found); '
      + 'fix: give the files or the directory the manifests are written to (cdk8s synth writes them to dist/); quote globs so that the shell does '
      + 'not expand them\n');
  });
});

describe('--crd', () => {
  const crd = (version: string, kind: 'ciliumnetworkpolicies' | 'ciliumclusterwidenetworkpolicies' = 'ciliumnetworkpolicies'): string =>
    join(CRD_ROOT, version, `${kind}.yaml`);

  it('a real CRD file replaces the built-in schema: a misspelled field is a crd-schema error at its position', async () => {
    const r = await run(['typo.yaml', '--crd', crd('v1.19'), '--format', 'json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.crdFiles).toHaveLength(1);
    expect(json.diagnostics.map((d: any) => `${d.id}@${d.line}:${d.column} ${d.message}`))
      .toEqual(['crd-schema@9:7 unknown field "toFQDN" (did you mean "toFQDNs"?)']);
  });

  it('the CRD of an older version: a newer field is reported once, by the CRD', async () => {
    const r = await run(['range.yaml', '--crd', crd('v1.15'), '--cilium-version', '1.15', '--format', 'json']);
    const ids = JSON.parse(r.out).diagnostics.map((d: any) => `${d.id}@${d.path}`);
    expect(ids).toEqual(['crd-schema@spec.ingress[0].toPorts[0].ports[0].endPort']);
  });

  it('a kubectl get crd -o yaml List of both CRDs works the same', async () => {
    const r = await run(['range.yaml', 'typo.yaml', '--crd', 'crds-v1.15.yaml', '--cilium-version', '1.15', '--format', 'json']);
    const json = JSON.parse(r.out);
    expect(json.crdFiles).toEqual(['crds-v1.15.yaml']);
    expect(json.diagnostics.map((d: any) => `${d.file}:${d.line}:${d.column} ${d.id}`)).toEqual([
      'range.yaml:13:15 crd-schema',
      'typo.yaml:9:7 crd-schema',
    ]);
  });

  it('kinds the CRD files do not define keep the built-in schema rules', async () => {
    const ccnp = 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: x}\nspec: {endpointSelector: {}, ingress: [{fromEntities: [world-ipv4]}]}\n';
    const r = await run(['-', '--crd', crd('v1.19'), '--format', 'json'], ccnp);
    expect(JSON.parse(r.out).diagnostics.map((d: any) => d.id)).toContain('crd-entity');
  });

  it('checks the object with its nulls pruned, as the API server does before its schema check (session 46)', async () => {
    // Before: `matchLabels: {app: null}` and `fromEndpoints: null` were `crd-schema` errors (must be string, got null) beside
    // the parse-null-value warning: exit 1 for what the API server accepts (it prunes the null first). A null list item
    // is not pruned (a list cannot drop it): still an error.
    const policy = (ingress: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x, namespace: shop}\n`
      + `spec:\n  endpointSelector: {matchLabels: {app: api, role: null}}\n  ingress:\n  - ${ingress}\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]\n`;
    const findings = async (text: string, crdArgs: string[]) => {
      const r = await run(['-', ...crdArgs, '--format', 'json'], text);
      return [r.code, ...JSON.parse(r.out).diagnostics.map((d: any) => `${d.id}@${d.path}`)];
    };
    for (const crdArgs of [['--crd', crd('v1.19')], []]) {
      expect(await findings(policy('fromEndpoints: null'), crdArgs), crdArgs.join(' ')).toEqual([0,
        'parse-null-value@spec.endpointSelector.matchLabels.role', 'parse-null-value@spec.ingress[0].fromEndpoints']);
      expect(await findings(policy('fromEndpoints: [{matchLabels: {app: web, tier: null}}]'), crdArgs)).toEqual([0,
        'parse-null-value@spec.endpointSelector.matchLabels.role', 'parse-null-value@spec.ingress[0].fromEndpoints[0].matchLabels.tier']);
      const listItem = await findings(policy('fromEndpoints: [{matchExpressions: [{key: app, operator: In, values: [web, null]}]}]'), crdArgs);
      expect(listItem.slice(0, 2)).toEqual([1, 'parse-null-value@spec.endpointSelector.matchLabels.role']);
      expect(listItem.slice(2).every((f) => String(f).endsWith('@spec.ingress[0].fromEndpoints[0].matchExpressions[0].values[1]'))).toBe(true);
    }
  });

  it('repeatable', async () => {
    const r = await run(['clean.yaml', '--crd', crd('v1.19'), '--crd', crd('v1.19', 'ciliumclusterwidenetworkpolicies'), '--format', 'json']);
    expect(JSON.parse(r.out).crdFiles).toHaveLength(2);
    expect(r.code).toBe(0);
  });
});
