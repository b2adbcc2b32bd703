// Session 58: `diff` and `report` judged allow-localhost always, the host firewall auto and policy-default-local-cluster at
// the release's default whatever the cluster ran, while `trace` and `replay` took the three as flags (the rows of
// src/cli/agent-setting-flags.ts `SETTING_FLAGS` said so): a cluster run with `allow-localhost: policy` got a report listing
// the host → pod connections its agents drop, and a diff that hid a rule change toward the host. They now take the flags
// of the table (`--allow-localhost`, `--host-firewall`/`--no-host-firewall`, `--policy-default-local-cluster`). Verdicts
// of both commands under each value: allowed AND denied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-connectivity-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const backend = (from: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: backend, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: backend } }
  ingress:
  - ${from}
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
const BASE = file('base.yaml', backend('fromEndpoints: [{ matchLabels: { app: frontend } }]'));
const HEAD = file('head.yaml', `${backend('fromEndpoints: [{ matchLabels: { app: frontend } }]')}  - fromEntities: [host]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);
const HOST_POLICY = file('host.yaml', `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host }
spec:
  nodeSelector: {}
  ingress:
  - fromEntities: [cluster]
`);

/** The JSON report's connections, as `from → to`. */
async function reported(...args: string[]): Promise<string[]> {
  const r = await cliAsync('report', '--output', 'json', ...args);
  expect([r.code, r.stderr]).toEqual([0, '']);
  const doc = JSON.parse(r.stdout) as { connections: { from: string; to: string }[] };
  return doc.connections.map((c) => `${c.from} → ${c.to}`);
}

describe('report', () => {
  test.each([
    [[], true],
    [['--allow-localhost', 'always'], true],
    [['--allow-localhost', 'auto'], true],
    [['--allow-localhost', 'policy'], false],
  ])('%j: the host reaches the pod the policy selects: %s', async (flags, allowed) => {
    const connections = await reported('--policies', BASE, ...flags);
    expect(connections.includes('host → shop/app=backend')).toBe(allowed);
    // The pods no policy selects are reached from the host either way (default allow).
    expect(connections).toContain('host → shop/(other pods)');
  });

  test.each([
    [[], false],
    [['--host-firewall'], false],
    [['--no-host-firewall'], true],
  ])('%j: the world reaches the nodes a host policy selects: %s', async (flags, allowed) => {
    const connections = await reported('--policies', HOST_POLICY, ...flags);
    expect(connections.includes('world → host')).toBe(allowed);
  });
});

describe('diff', () => {
  test.each([
    [[], 0],
    [['--allow-localhost', 'always'], 0],
    [['--allow-localhost', 'policy'], 1],
  ])('%j: a rule allowing the host is a change (--fail-on allowed exit %s)', async (flags, code) => {
    const r = await cliAsync('diff', '--base', BASE, '--head', HEAD, '--output', 'json', '--fail-on', 'allowed', ...flags);
    expect([r.code, r.stderr]).toEqual([code, '']);
    const doc = JSON.parse(r.stdout) as { changes: { from: string; to: string; after: string }[] };
    expect(doc.changes.map((c) => `${c.from} → ${c.to} ${c.after}`)).toEqual(code === 1 ? ['host → shop/app=backend allowed'] : []);
  });

  test('a value outside the choices is refused (exit 2, nothing on stdout)', async () => {
    const r = await cliAsync('diff', '--base', BASE, '--head', HEAD, '--policy-default-local-cluster', 'yes');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('--policy-default-local-cluster <bool>\' argument \'yes\' is invalid. Allowed choices are true, false (cli-usage)');
  });
});
