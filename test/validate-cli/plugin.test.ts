// The cdk8s CLI validation plugin, end to end and offline: `cdk8s synth` (the installed cdk8s-cli) in a temporary
// project whose cdk8s.yaml lists the plugin by local path. The "app" is a small script that writes manifests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLEAN_CNP, FQDN_OCTAL_PORT_CNP } from './helpers';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const dirs: string[] = [];

const BAD = FQDN_OCTAL_PORT_CNP;

const WARNING_ONLY = BAD.replace('"0443"', '"443"');

const CLEAN = CLEAN_CNP;

/** Runs `cdk8s synth` in a fresh project whose app writes `manifest`, with the plugin configured by `properties`. */
function synth(manifest: string, properties: Record<string, unknown> = {}): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-plugin-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'cdk8s.yaml'), [
    'language: typescript',
    'app: node write.js',
    'output: dist',
    'validations:',
    '  - package: ./plugin.js',
    '    version: 0.1.0',
    '    class: CiliumValidation',
    `    properties: ${JSON.stringify(properties)}`,
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'manifest.yaml'), manifest);
  writeFileSync(join(dir, 'write.js'), [
    "const fs = require('fs');",
    "const path = require('path');",
    'fs.mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });',
    "fs.copyFileSync(path.join(__dirname, 'manifest.yaml'), path.join(process.env.CDK8S_OUTDIR, 'app.k8s.yaml'));",
    '',
  ].join('\n'));
  // The plugin is this repository's TypeScript source, loaded through tsx (the published package loads lib/ instead).
  writeFileSync(join(dir, 'plugin.js'), [
    `require(${JSON.stringify(join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'api', 'index.cjs'))}).register();`,
    `module.exports = require(${JSON.stringify(join(ROOT, 'src', 'plugin', 'cilium-validation.ts'))});`,
    '',
  ].join('\n'));
  const r = spawnSync(process.execPath, [CLI, 'synth', '--no-check-upgrade'], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir, NO_COLOR: '1' }, timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('cdk8s synth with the CiliumValidation plugin', () => {
  it('fails on an error, listing every finding with its id, location and fix', () => {
    const r = synth(BAD);
    expect(r.status, r.out).toBe(2);
    expect(r.out).toContain('sanitize-port-octal (error)');
    expect(r.out).toContain('spec.egress[0].toPorts[0].ports[0].port (line 15, column 21)');
    expect(r.out).toContain('pitfall-fqdn-without-dns (warning)');
    expect(r.out).toContain('How to fix: write "443" if you meant decimal');
    expect(r.out).toMatch(/Status\s+│ failure/);
    expect(r.out).toContain('Validation failed');
  });

  it('passes a clean app', () => {
    // maxWarnings reaches the plugin from cdk8s.yaml (its report shows it); with no warning, a bound of 0 passes.
    const r = synth(CLEAN, { ciliumVersion: '1.17', maxWarnings: 0 });
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/Status\s+│ success/);
    expect(r.out).toMatch(/Cilium version\s+│ 1\.17/);
    expect(r.out).toMatch(/Max warnings\s+│ 0/);
  });

  it('warnings fail only beyond maxWarnings', () => {
    // A report with a warning and a success status passes `cdk8s synth`. The same warning under `maxWarnings: 0` is a
    // failure (plugin-in-process.test.ts, for 0 and 1), and a failure exits 2 (the first test): no third `cdk8s synth`.
    expect(synth(WARNING_ONLY).status).toBe(0);
  });
});
