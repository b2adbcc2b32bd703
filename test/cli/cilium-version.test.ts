// Every command refuses a Cilium version it does not model alike (one implementation, CiliumVersion.parse): 1.20, Cilium's
// main branch, is named as such with the versions that are supported and the one command that checks it (validate).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = join(dir, 'p.yaml');
writeFileSync(policy, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
`);
const flows = join(dir, 'flows.jsonl');
writeFileSync(flows, '{"lost_events":{"num_events_lost":"1"}}\n');

// The commands' refusals name the flag first (the agent-setting row's read, session 57); validate's is its own.
const MAIN = 'error: --cilium-version: unsupported Cilium version "1.20": 1.20 is Cilium\'s main branch, which the SDK and the verdict engine do not model (they '
  + 'model 1.14, 1.15, 1.16, 1.17, 1.18, 1.19) (version-unsupported); fix: use one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19 (the release the '
  + 'cluster runs); only `cdk8s-cilium validate --cilium-version 1.20` checks manifests for the main branch\n';

const COMMANDS: [string, string[]][] = [
  ['trace', ['--policies', policy, '--from', 'pod:prod:app=web', '--to', 'pod:prod:app=api', '--port', '80']],
  ['replay', ['--flows', flows, '--policies', policy]],
  ['diff', ['--base', policy, '--head', policy]],
  ['report', ['--policies', policy]],
  ['draft', ['--flows', flows]],
];

async function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return command === 'trace' ? cli(command, ...args) : cliAsync(command, ...args);
}

describe('--cilium-version', () => {
  test.each(COMMANDS)('%s refuses 1.20 naming the supported versions and validate (exit 2, nothing on stdout)', async (command, args) => {
    const r = await run(command, [...args, '--cilium-version', '1.20']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: MAIN });
    const other = await run(command, [...args, '--cilium-version', '1.21']);
    expect(other.stderr).toBe('error: --cilium-version: unsupported Cilium version "1.21" (version-unsupported); fix: use one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19\n');
    // A hostile value is clipped and its control characters escaped: one short line.
    const long = await run(command, [...args, '--cilium-version', `1.2\n${'9'.repeat(100_000)}`]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/^error: --cilium-version: unsupported Cilium version "1\.2\\n9+\.\.\. \(version-unsupported\); fix: [^\n]*\n$/);
  });

  // Session 53: a patch level is read (1.17.4 and 1.17.5 judge some DNS lookups differently), so one that is not plainly a
  // number is refused, saying what to write. Before: `1.17.x` was "unsupported Cilium version" with the minor list as the fix,
  // and `1.17.03` or `1.17.99999999999999999999` were read as 1.17.
  const PATCH_FIX = 'fix: write the patch release the cluster runs as a number (e.g. 1.17.3, as `cilium version` prints it, without a pre-release '
    + 'suffix), or the minor release alone (1.17) where the patch is not known\n';
  test.each([...COMMANDS, ['validate', [policy]] as [string, string[]]])('%s refuses a malformed patch level (exit 2), naming what to write', async (command, args) => {
    for (const [version, shown, fix] of [
      ['1.17.x', '"x"', PATCH_FIX], ['1.17.-1', '"-1"', PATCH_FIX], ['v1.17.99999999999999999999', '"99999999999999999999"', PATCH_FIX],
      ['1.17.0-rc.1', '"0-rc.1"', PATCH_FIX], ['1.17.03', '"03"', 'fix: write 1.17.3\n'],
    ]) {
      const r = await (command === 'trace' ? cli(command, ...args, '--cilium-version', version) : cliAsync(command, ...args, '--cilium-version', version));
      expect(r).toEqual({ code: 2, stdout: '', stderr: `error: ${command === 'validate' ? '' : '--cilium-version: '}Cilium version "${version}" has the patch level ${shown}, which is not a whole number of 0 `
        + `to 999 without leading zeros (version-patch-malformed); ${fix}` });
    }
  });

  // Session 54: a major or minor with a leading zero was read as 1.17 where a patch level with one is refused.
  test('trace refuses a major or minor written with a leading zero (exit 2), as it refuses 1.17.03', () => {
    const [command, args] = COMMANDS.find(([c]) => c === 'trace') ?? COMMANDS[0];
    for (const version of ['01.17', '1.017', 'v01.17.3']) {
      expect(cli(command, ...args, '--cilium-version', version)).toEqual({ code: 2, stdout: '',
        stderr: `error: --cilium-version: unsupported Cilium version "${version}" (version-unsupported); fix: use one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19\n` });
    }
    expect(cli(command, ...args, '--cilium-version', '1.17').stderr).not.toMatch(/\(version-[a-z-]+\)/);
  });

  test.each(COMMANDS)('%s takes a patch release, with or without the v', async (command, args) => {
    for (const version of ['1.17.3', 'v1.17.3']) {
      const r = await (command === 'trace' ? cli(command, ...args, '--cilium-version', version) : cliAsync(command, ...args, '--cilium-version', version));
      expect(r.stderr).not.toMatch(/\(version-[a-z-]+\)/);
    }
  });

  // The commands whose JSON names the version judged for: it carries the patch given (diff, report and draft name none).
  test.each(COMMANDS.filter(([command]) => command === 'trace' || command === 'replay'))('%s --output json names the patch release judged for',
    async (command, args) => {
      const r = await (command === 'trace' ? cli(command, ...args, '--cilium-version', 'v1.17.3', '--output', 'json')
        : cliAsync(command, ...args, '--cilium-version', 'v1.17.3', '--output', 'json'));
      expect(JSON.parse(r.stdout)).toMatchObject({ ciliumVersion: '1.17.3' });
    });

  test('validate checks manifests for 1.20 (the main branch), and clips what it refuses', async () => {
    expect((await cliAsync('validate', policy, '--cilium-version', '1.20')).stdout).toMatch(/Cilium 1\.20-dev\)\n$/);
    const long = await cliAsync('validate', policy, '--cilium-version', '9'.repeat(100_000));
    expect(long.code).toBe(2);
    expect(long.stderr.length).toBeLessThan(300);
  });
});

// replay judged the policies for 1.19 whatever they were synthesized for, where trace, diff and report take their
// cdk8s-cilium.io/cilium-version annotation: a platform on 1.17 had its capture audited with 1.19's semantics.
describe('replay without --cilium-version', () => {
  const capture = join(__dirname, '..', 'fixtures', 'hubble', 'shop-capture.jsonl');
  const annotated = (name: string, version: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: shop, annotations: { cdk8s-cilium.io/cilium-version: "${version}" } }
spec:
  endpointSelector: { matchLabels: { app: ${name} } }
  ingress: [{ fromEndpoints: [{ matchLabels: { app: web } }] }]
`;
  const v117 = join(dir, 'v117.yaml');
  writeFileSync(v117, annotated('backend', '1.17'));
  const v118 = join(dir, 'v118.yaml');
  writeFileSync(v118, annotated('frontend', '1.18'));

  test('judges for the version the policies were synthesized for, as trace does', async () => {
    const json = await cliAsync('replay', '--flows', capture, '--policies', v117, '--output', 'json', '--fail-on', 'none');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ciliumVersion: '1.17' });
    const table = await cliAsync('replay', '--flows', capture, '--policies', v117, '--fail-on', 'none');
    expect(table.stdout.split('\n')[0]).toContain('(Cilium 1.17, ');
    // Given, the flag wins.
    const given = await cliAsync('replay', '--flows', capture, '--policies', v117, '--output', 'json', '--fail-on', 'none', '--cilium-version', '1.16');
    expect(JSON.parse(given.stdout)).toMatchObject({ ciliumVersion: '1.16' });
  });

  test('refuses policies annotated with different versions (exit 2), as trace does', async () => {
    const r = await cliAsync('replay', '--flows', capture, '--policies', v117, v118);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/1\.17.*1\.18|1\.18.*1\.17/);
    expect(r.stderr).toContain('--cilium-version');
  });
});

// Session 53 review: the patch release in the policies' annotation, read back by trace and diff.
describe('a patch release in the annotation', () => {
  const dns = (name: string, version: string): string => {
    const file = join(dir, name);
    writeFileSync(file, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: p
  namespace: default
  annotations: { cdk8s-cilium.io/cilium-version: "${version}" }
spec:
  endpointSelector: { matchLabels: { app: web } }
  enableDefaultDeny: { egress: false }
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchName: a.example.com }] } }]
`);
    return file;
  };
  const pods = join(dir, 'pods.yaml');
  writeFileSync(pods, `apiVersion: v1
kind: Pod
metadata: { name: web, namespace: default, labels: { app: web } }
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Pod
metadata: { name: dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec: { containers: [{ name: c, image: x }] }
`);
  const LOOKUP = ['--from', 'pod:default:app=web', '--to', 'pod:kube-system:k8s-app=kube-dns', '--port', '53/UDP', '--dns', 'b.example.com'];

  test('diff of 1.17.4 against 1.17.5 (same rules): the DNS change, not "no connectivity change"', async () => {
    const r = await cliAsync('diff', '--base', dns('d1174.yaml', '1.17.4'), '--head', dns('d1175.yaml', '1.17.5'), '--inventory', pods);
    expect(r.stdout).not.toContain('no connectivity change');
    expect(r.stdout).toContain('a.example.com');
  });

  test('a malformed patch level: the refusal --cilium-version gives, naming the policy (exit 2)', () => {
    const r = cli('trace', '--policies', dns('d11704.yaml', '1.17.04'), ...LOOKUP);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CiliumNetworkPolicy default/p has the annotation cdk8s-cilium.io/cilium-version: Cilium version "1.17.04" has the '
      + 'patch level "04", which is not a whole number of 0 to 999 without leading zeros (version-patch-malformed); fix: write 1.17.4, or pass the '
      + 'version of the cluster explicitly (--cilium-version)\n');
  });

  test.each([['1.16', '1.16.10'], ['1.17', '1.17.5']])('on %s without a patch, the DNS patch split names %s in its fix', (minor, release) => {
    const r = cli('trace', '--policies', dns(`d${minor}.yaml`, minor), ...LOOKUP, '--cilium-version', minor);
    expect(r.stderr).toContain('(engine-dns-patch-split)');
    expect(r.stderr).toContain(`fix: give the patch release the cluster runs (e.g. --cilium-version ${release} or CiliumVersion.parse('${release}'))`);
  });
});
