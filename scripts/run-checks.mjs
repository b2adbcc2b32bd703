// Runs npm scripts side by side (`node scripts/run-checks.mjs compile lint docs:check`, the static checks of `npm test`):
// tsc, eslint and TypeDoc are single-threaded, so on a 2-core machine running them one after another leaves a core idle.
// Each script's output is held back and printed whole when it ends (no interleaved lines), with its time and status.
// Exit status: 0 if every script passed, 1 otherwise (after all of them have ended, so every failure is shown).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('usage: node scripts/run-checks.mjs <npm script>...');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = Date.now();
const results = await Promise.all(names.map((name) => new Promise((resolve) => {
  const start = Date.now();
  const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  const chunks = [];
  child.stdout.on('data', (c) => chunks.push(c));
  child.stderr.on('data', (c) => chunks.push(c));
  child.on('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
  child.on('close', (code, signal) => {
    const seconds = ((Date.now() - start) / 1000).toFixed(1);
    const ok = code === 0;
    const output = Buffer.concat(chunks).toString('utf8');
    process.stdout.write(`--- npm run ${name}: ${ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s\n${output}`);
    resolve(ok);
  });
})));
const failed = names.filter((_, i) => !results[i]);
console.log(`--- checks ${failed.length === 0 ? 'passed' : `failed: ${failed.join(', ')}`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed.length === 0 ? 0 : 1);
