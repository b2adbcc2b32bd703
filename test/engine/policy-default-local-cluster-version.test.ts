// `policyDefaultLocalCluster: true` (`--policy-default-local-cluster true`) on a version whose agent has no such option is
// refused (option-value) rather than judged as a cluster filter no such agent applies. The option came in 1.18, off by
// default, and is on by default from 1.19 (pkg/clustermesh/types/option.go `PolicyConfig`; Documentation/operations/
// upgrade.rst "Cilium 1.18 introduced a new option called policy-default-local-cluster"). Session 59's probe: on 1.14 the
// flag turned an ALLOWED connection from a remote cluster's pod into DENIED, and `report` printed "Cilium 1.14 …
// (policy-default-local-cluster on)".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySetOptions } from '../../src/engine';
import { cli, cliAsync } from '../support/cli';
import { cnp, labels, policySet } from './helpers';

const API = cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] }, 'shop');
const REMOTE_WEB = 'pod:shop:app=web,io.cilium.k8s.policy.cluster=east';

function judge(options: PolicySetOptions): string {
  try {
    const set = policySet([API], options);
    return set.decide({ from: set.endpoint(REMOTE_WEB), to: set.endpoint('pod:shop:app=api'), protocol: 'TCP', port: 80 });
  } catch (e) {
    return (e as { id?: string }).id ?? 'no id';
  }
}

describe('policyDefaultLocalCluster by version', () => {
  test('the truth table: true refused before 1.18, judged (the remote pod denied) from 1.18; false and the default judged everywhere', () => {
    const rows = ['1.14', '1.17', '1.17.5', '1.18', '1.19'].map((v) => {
      const ciliumVersion = CiliumVersion.parse(v);
      return [v, judge({ ciliumVersion, policyDefaultLocalCluster: true }), judge({ ciliumVersion, policyDefaultLocalCluster: false }),
        judge({ ciliumVersion })];
    });
    expect(rows).toEqual([
      ['1.14', 'option-value', 'allowed', 'allowed'],
      ['1.17', 'option-value', 'allowed', 'allowed'],
      ['1.17.5', 'option-value', 'allowed', 'allowed'],
      // 1.18 has the option, off by default; 1.19 turns it on.
      ['1.18', 'denied', 'allowed', 'allowed'],
      ['1.19', 'denied', 'allowed', 'denied'],
    ]);
  });

  test('the refusal names the value, the version and where it came from, and the fix', () => {
    expect(() => policySet([API], { ciliumVersion: CiliumVersion.V1_16, policyDefaultLocalCluster: true })).toThrow(expect.objectContaining({
      id: 'option-value',
      message: expect.stringMatching(/policyDefaultLocalCluster is true .* judged for Cilium 1\.16 \(given: ciliumVersion, --cilium-version\), which has no such option: it came in 1\.18/),
      fix: expect.stringContaining('--policy-default-local-cluster false'),
    }));
  });

  test('a value that is no boolean is refused', () => {
    expect(judge({ policyDefaultLocalCluster: 'true' as unknown as boolean })).toBe('option-value');
  });
});

describe('the CLI: trace, report and diff refuse the flag on 1.14 (exit 2), judge it on 1.18', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pdlc-version-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'mesh.yaml');
  writeFileSync(file, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
`);
  const trace = (version: string): ReturnType<typeof cli> => cli('trace', '--policies', file, '--cilium-version', version, '--policy-default-local-cluster', 'true',
    '--from', REMOTE_WEB, '--to', 'pod:shop:app=api', '--port', '80');

  test('trace', () => {
    const old = trace('1.14');
    expect(old.code).toBe(2);
    expect(old.stdout).toBe('');
    expect(old.stderr).toMatch(/no such option: it came in 1\.18 .*\(option-value\)/);
    // Judged on 1.18: the remote cluster's pod denied (trace exits 1 for a denied connection).
    expect(trace('1.18')).toMatchObject({ code: 1, stdout: expect.stringMatching(/^DENIED /) });
  });

  test('report and diff', async () => {
    const report = await cliAsync('report', '--policies', file, '--cilium-version', '1.14', '--policy-default-local-cluster', 'true');
    expect([report.code, report.stdout, report.stderr]).toEqual([2, '', expect.stringContaining('(option-value)')]);
    const diff = await cliAsync('diff', '--base', file, '--head', file, '--cilium-version', '1.14', '--policy-default-local-cluster', 'true');
    expect([diff.code, diff.stdout, diff.stderr]).toEqual([2, '', expect.stringContaining('(option-value)')]);
  });
});
