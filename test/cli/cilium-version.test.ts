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

const MAIN = 'error: unsupported Cilium version "1.20": 1.20 is Cilium\'s main branch, which the SDK and the verdict engine do not model (they '
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
    expect(other.stderr).toBe('error: unsupported Cilium version "1.21" (version-unsupported); fix: use one of 1.14, 1.15, 1.16, 1.17, 1.18, 1.19\n');
    // A hostile value is clipped and its control characters escaped: one short line.
    const long = await run(command, [...args, '--cilium-version', `1.2\n${'9'.repeat(100_000)}`]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/^error: unsupported Cilium version "1\.2\\n9+\.\.\. \(version-unsupported\); fix: [^\n]*\n$/);
  });

  test('validate checks manifests for 1.20 (the main branch), and clips what it refuses', async () => {
    expect((await cliAsync('validate', policy, '--cilium-version', '1.20')).stdout).toMatch(/Cilium 1\.20-dev\)\n$/);
    const long = await cliAsync('validate', policy, '--cilium-version', '9'.repeat(100_000));
    expect(long.code).toBe(2);
    expect(long.stderr.length).toBeLessThan(300);
  });
});
