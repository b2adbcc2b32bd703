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

/** The clean policy under another name: it is written beside `WARNING_ONLY` (shop/web) in the run of the passing apps. */
const CLEAN = CLEAN_CNP.replace('name: web', 'name: api');

/** An entry of `validations:` in cdk8s.yaml: `package` is a file the project holds (`PLUGIN_FILES`). */
interface Validation {
  readonly package: './plugin.js' | './clean-only.js';
  readonly class: string;
  readonly properties: Record<string, unknown>;
}

/** The plugin as the CLI loads it: `class: CiliumValidation` of `./plugin.js`, with `properties`. */
const plugin = (properties: Record<string, unknown> = {}): Validation => ({ package: './plugin.js', class: 'CiliumValidation', properties });

/**
 * The plugin files of a project. `./plugin.js` is this repository's TypeScript source, loaded through tsx (the published
 * package loads lib/ instead). `./clean-only.js` is the same class given only the manifest `clean.k8s.yaml` of the
 * synthesized ones: a second report of one `cdk8s synth` that judges another app.
 */
const PLUGIN_FILES = {
  'plugin.js': [
    `require(${JSON.stringify(join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'api', 'index.cjs'))}).register();`,
    `module.exports = require(${JSON.stringify(join(ROOT, 'src', 'plugin', 'cilium-validation.ts'))});`,
  ],
  'clean-only.js': [
    "const path = require('path');",
    "const { CiliumValidation } = require('./plugin.js');",
    'class CleanOnly extends CiliumValidation {',
    '  validate(context) {',
    "    return super.validate({ manifests: context.manifests.filter((m) => path.basename(m) === 'clean.k8s.yaml'), report: context.report });",
    '  }',
    '}',
    'module.exports = { CleanOnly };',
  ],
};

/**
 * Runs `cdk8s synth` in a fresh project whose app writes `manifests` (`<name>.k8s.yaml` each), with `validations` in its
 * cdk8s.yaml. The CLI validates every manifest with each entry, prints a report per entry and exits 2 if one failed.
 */
function synth(manifests: Record<string, string>, validations: Validation[]): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-plugin-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'cdk8s.yaml'), [
    'language: typescript',
    'app: node write.js',
    'output: dist',
    'validations:',
    ...validations.flatMap((v) => [
      `  - package: ${v.package}`,
      '    version: 0.1.0',
      `    class: ${v.class}`,
      `    properties: ${JSON.stringify(v.properties)}`,
    ]),
    '',
  ].join('\n'));
  for (const [name, text] of Object.entries(manifests)) writeFileSync(join(dir, `${name}.k8s.yaml`), text);
  writeFileSync(join(dir, 'write.js'), [
    "const fs = require('fs');",
    "const path = require('path');",
    'fs.mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true });',
    `for (const f of ${JSON.stringify(Object.keys(manifests).map((name) => `${name}.k8s.yaml`))}) {`,
    '  fs.copyFileSync(path.join(__dirname, f), path.join(process.env.CDK8S_OUTDIR, f));',
    '}',
    '',
  ].join('\n'));
  for (const [name, lines] of Object.entries(PLUGIN_FILES)) writeFileSync(join(dir, name), [...lines, ''].join('\n'));
  const r = spawnSync(process.execPath, [CLI, 'synth', '--no-check-upgrade'], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir, NO_COLOR: '1' }, timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * The printed report of the entry whose package is `pkg`: from its title (`Validation Report (<resolved path>@<version>)`)
 * to the next title.
 */
function report(out: string, pkg: Validation['package']): string {
  const parts = out.split(/(?=Validation Report \()/);
  const mine = parts.filter((p) => p.startsWith('Validation Report (') && p.split('\n')[0].endsWith(`/${pkg.slice(2)}@0.1.0)`));
  expect(mine, out).toHaveLength(1);
  return mine[0];
}

/**
 * The apps that pass, in one `cdk8s synth` (a spawn costs ≈ 2.5 s of CPU, most of it loading cdk8s-cli): the app writes a
 * warning-only policy and a clean one; the plugin with its defaults judges both, `./clean-only.js` the clean one with
 * `ciliumVersion: 1.17, maxWarnings: 0`. Run on first use, so each test passes alone.
 */
let passing: { status: number | null; out: string } | undefined;
const passingRun = (): { status: number | null; out: string } => {
  passing ??= synth({ clean: CLEAN, warning: WARNING_ONLY }, [
    plugin(),
    { package: './clean-only.js', class: 'CleanOnly', properties: { ciliumVersion: '1.17', maxWarnings: 0 } },
  ]);
  return passing;
};

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('cdk8s synth with the CiliumValidation plugin', () => {
  it('fails on an error, listing every finding with its id, location and fix', () => {
    const r = synth({ app: BAD }, [plugin()]);
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
    const r = passingRun();
    expect(r.status, r.out).toBe(0);
    const clean = report(r.out, './clean-only.js');
    expect(clean).toMatch(/Status\s+│ success/);
    expect(clean).toMatch(/Cilium version\s+│ 1\.17/);
    expect(clean).toMatch(/Max warnings\s+│ 0/);
    expect(clean).toMatch(/Warnings\s+│ 0/);
    expect(clean).toMatch(/Policies\s+│ 1/);
  });

  it('warnings fail only beyond maxWarnings', () => {
    // A report with a warning and a success status passes `cdk8s synth`. The same warning under `maxWarnings: 0` is a
    // failure (plugin-in-process.test.ts, for 0 and 1), and a failure exits 2 (the first test): no third `cdk8s synth`.
    const r = passingRun();
    expect(r.status, r.out).toBe(0);
    const defaults = report(r.out, './plugin.js');
    expect(defaults).toContain('pitfall-fqdn-without-dns (warning)');
    expect(defaults).toMatch(/Status\s+│ success/);
    expect(defaults).toMatch(/Warnings\s+│ 1/);
  });
});
