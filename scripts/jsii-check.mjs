// `npm run jsii:check`: compiles the library entry point (src/index.ts) with jsii, the compiler behind cdk8s-plus's
// Python, Go and Java bindings, and fails on any jsii or TypeScript error. jsii writes a tsconfig.json, a .jsii
// assembly and compiled files next to its input, so it runs on a copy in the OS temp directory; the project tree is
// never written. The jsii settings (entry point, excluded files, bundled dependencies) are package.json's own
// `jsii` section, so `jsii`/`jsii-pacmak` run on a checkout of this package see the same configuration.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-jsii-'));
try {
  for (const entry of ['src', 'package.json', 'README.md', 'LICENSE']) cpSync(join(root, entry), join(work, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
  const jsii = join(root, 'node_modules', 'jsii', 'bin', 'jsii');
  const run = spawnSync(process.execPath, [jsii, '--silence-warnings=reserved-word'], {
    cwd: work,
    encoding: 'utf8',
    // jsii 5.9 prints a banner about Node 20's end of life; the compile itself supports it.
    env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', FORCE_COLOR: '0' },
  });
  const output = `${run.stdout}${run.stderr}`.replaceAll(`${work}/`, '');
  const errors = output.split('\n').filter((line) => / error (JSII|TS)\d+/.test(line)).length;
  if (run.status !== 0 || errors > 0) {
    process.stdout.write(output);
    process.stdout.write(`\njsii: ${errors} error(s) in the public API (exit ${run.status})\n`);
    process.exitCode = 1;
  } else {
    const warnings = output.split('\n').filter((line) => / warning JSII\d+/.test(line));
    if (warnings.length) process.stdout.write(`${warnings.join('\n')}\n`);
    process.stdout.write(`jsii: the public API compiles with 0 errors (${warnings.length} warning(s))\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
