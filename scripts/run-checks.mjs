// Runs npm scripts side by side (`node scripts/run-checks.mjs compile-and-lint docs:check -- vitest run`, the checks of
// `npm test`): the static checks are single-threaded, so on a 2-core machine running them one after another leaves a core
// idle, and so does a vitest run whose last files are a few long ones.
// Each script's output is held back and printed whole when everything has ended (no interleaved lines, and nothing
// written over vitest's live display), with its time and status.
// A script is run as `npm run` runs it (its command line in a shell, node_modules/.bin on the PATH), without an npm
// process per script (about half a second of CPU each); pre/post scripts are not run (these checks have none).
// After `--`: a command (and its arguments: npm appends the ones given to `npm test -- …` there) run at the same time as
// the scripts, its output live: vitest. Its programs are found in node_modules/.bin, as npm scripts find them.
// Exit status: 0 if every script and the command passed, 1 otherwise (after all of them have ended, so every failure is
// shown).
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import console from 'node:console';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

// `--tmp-env NAME` (first): a fresh folder in the OS temp dir, named by NAME in the environment of every script and of the
// command, and removed when all have ended (`npm test` hands the package build from compile-lint-docs to the package test
// through one: scripts/prebuilt-lib.mjs).
let args = process.argv.slice(2);
let tmpEnv;
if (args[0] === '--tmp-env') {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(args[1] ?? '')) {
    console.error('usage: node scripts/run-checks.mjs [--tmp-env NAME] <npm script>... [-- <command> <argument>...]');
    process.exit(2);
  }
  tmpEnv = args[1];
  args = args.slice(2);
}
const dash = args.indexOf('--');
const names = dash < 0 ? args : args.slice(0, dash);
const command = dash < 0 ? [] : args.slice(dash + 1);
if (names.length === 0 && command.length === 0) {
  console.error('usage: node scripts/run-checks.mjs [--tmp-env NAME] <npm script>... [-- <command> <argument>...]');
  process.exit(2);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter) };
const tmpDir = tmpEnv === undefined ? undefined : mkdtempSync(join(tmpdir(), 'cdk8s-cilium-checks-'));
if (tmpEnv !== undefined) {
  env[tmpEnv] = tmpDir;
  // Interrupted (Ctrl-C reaches the children too): the folder goes with the run.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  }
}
const windows = process.platform === 'win32';
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
const unknown = names.filter((name) => typeof scripts[name] !== 'string');
if (unknown.length) {
  console.error(`run-checks: no such npm script: ${unknown.join(', ')}`);
  process.exit(2);
}
const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

const reports = [];
const checks = names.map((name) => new Promise((resolve) => {
  const start = Date.now();
  const child = spawn(scripts[name], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], shell: true });
  const chunks = [];
  child.stdout.on('data', (c) => chunks.push(c));
  child.stderr.on('data', (c) => chunks.push(c));
  child.on('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
  child.on('close', (code, signal) => {
    const ok = code === 0;
    reports.push(`--- npm run ${name}: ${ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds(start)} s\n${Buffer.concat(chunks).toString('utf8')}`);
    resolve(ok);
  });
}));
const live = command.length === 0 ? Promise.resolve(true) : new Promise((resolve) => {
  const child = spawn(command[0], command.slice(1), { env, stdio: 'inherit', shell: windows });
  child.on('error', (error) => {
    console.error(`${command[0]}: ${error.message}`);
    resolve(false);
  });
  child.on('close', (code) => resolve(code === 0));
});

const results = await Promise.all(checks);
const commandOk = await live;
if (tmpDir !== undefined) rmSync(tmpDir, { recursive: true, force: true });
for (const report of reports) process.stdout.write(report);
const failed = [...names.filter((_, i) => !results[i]), ...(commandOk ? [] : [command.slice(0, 2).join(' ')])];
console.log(`--- checks ${failed.length === 0 ? 'passed' : `failed: ${failed.join(', ')}`} in ${seconds(started)} s`);
process.exit(failed.length === 0 ? 0 : 1);
