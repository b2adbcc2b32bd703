/**
 * `npm run bench:cold-start`: the cold start of the CLI as users run it (the compiled JavaScript, a fresh `node` process
 * per run), against `node -e 0` in the same run; also what loading cdk8s alone costs (the CLI's `trace` does not load it).
 *
 * The package is compiled once into an OS temp directory (`tsc -p tsconfig.build.json --outDir <tmp>`); the runs then
 * alternate: `node -e 0`, `trace` on the reference platform's blog chart (dist/blog.k8s.yaml, an allowed connection),
 * `node -e "require('cdk8s')"`. Figures are medians of wall-clock times; the number of modules a trace loads (its
 * `require.cache` at exit) is reported too, as a figure the machine's load does not change.
 *
 * Flags: --reps <n> (runs of each, default 9), --json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(__dirname, '..');

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall-clock milliseconds of one run; fails on an unexpected exit status. */
function timed(args: readonly string[], env: NodeJS.ProcessEnv, expectStatus = 0): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== expectStatus) throw new Error(`node ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return ms;
}

function main(): void {
  const { values } = parseArgs({ options: { reps: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  const reps = Number(values.reps ?? 9);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected an integer >= 1, got "${values.reps}"`);
  const out = mkdtempSync(join(tmpdir(), 'cold-start-bench-'));
  try {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out], {
      cwd: ROOT, encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    // The compiled files live outside the project: they find its dependencies through NODE_PATH.
    const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
    const cli = join(out, 'src', 'cli', 'main.js');
    const trace = [cli, 'trace', '--policies', join('dist', 'blog.k8s.yaml'), '--from', 'pod:traefik:app.kubernetes.io/instance=traefik-traefik',
      '--to', 'pod:blog:app.kubernetes.io/name=blog', '--port', '80/TCP'];
    const cdk8s = ['-e', "require('cdk8s')"];
    const runs = { node: [] as number[], trace: [] as number[], cdk8s: [] as number[] };
    timed(trace, env); // warm the file system cache
    for (let i = 0; i < reps; i++) {
      runs.node.push(timed(['-e', '0'], env));
      runs.trace.push(timed(trace, env));
      runs.cdk8s.push(timed(cdk8s, env));
    }
    // What a trace loads (independent of the machine's load): the modules in require.cache when it exits.
    const counter = join(out, 'count-modules.js');
    writeFileSync(counter, "process.on('exit', () => process.stderr.write('modules:' + Object.keys(require.cache).length + '\\n'));\n");
    const counted = spawnSync(process.execPath, ['-r', counter, ...trace], { cwd: ROOT, env, encoding: 'utf8' });
    const traceModules = Number(/modules:(\d+)/.exec(counted.stderr)?.[1] ?? NaN);
    const node = median(runs.node);
    const result = {
      reps,
      nodeMs: Math.round(node),
      traceMs: Math.round(median(runs.trace)),
      traceOverNodeMs: Math.round(median(runs.trace) - node),
      traceOverNodeRatio: +(median(runs.trace) / node).toFixed(2),
      traceModules,
      cdk8sLoadMs: Math.round(median(runs.cdk8s) - node),
      env: { cpus: cpus().length, load: loadavg().map((l) => +l.toFixed(2)), node: process.version },
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    process.stdout.write(`CLI cold start, medians of ${reps} alternated runs (cpus ${result.env.cpus}, load ${result.env.load.join('/')}, node ${result.env.node})\n`);
    process.stdout.write(`  node -e 0                         ${String(result.nodeMs).padStart(6)} ms\n`);
    process.stdout.write(`  cdk8s-cilium trace (allowed)      ${String(result.traceMs).padStart(6)} ms   (+${result.traceOverNodeMs} ms over node -e 0, `
      + `${result.traceOverNodeRatio}x; ${result.traceModules} modules loaded)\n`);
    process.stdout.write(`  require('cdk8s') alone            ${String(result.cdk8sLoadMs).padStart(6)} ms over node -e 0 (trace does not load it)\n`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
