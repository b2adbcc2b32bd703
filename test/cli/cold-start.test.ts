// The CLI starts without cdk8s: `trace`, `validate` and `replay` never need it (it is loaded on first use by
// `PolicySet.fromConstruct`, the synthesis-time validation and `draft`), and loading it costs a fifth of a cold start.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(__dirname, '..', '..');

/**
 * The packages a fresh `node` has loaded after running each script in turn (CommonJS, through tsx), one list per script:
 * the list of a script is taken before the next one runs, so one process answers for several scripts (one tsx start, not
 * one per test) and the first list is that of a fresh process.
 */
function packagesLoadedBy(...scripts: string[]): string[][] {
  const list = 'console.log(JSON.stringify([...new Set(Object.keys(require.cache).map((f) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f)?.[1]).filter(Boolean))].sort()));';
  const probe = scripts.map((script) => `{ ${script} }\n${list}`).join('\n');
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', probe], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lists = r.stdout.trim().split('\n').filter((line) => line.startsWith('[')).map((line) => JSON.parse(line) as string[]);
  expect(lists).toHaveLength(scripts.length);
  return lists;
}

/** The CLI with every command registered, and a trace. */
const CLI_AND_TRACE = `
  const { run } = require('./src/cli/main.ts');
  const { PolicySet } = require('./src/engine/policy-set.ts');
  const set = PolicySet.fromFiles(['dist/blog.k8s.yaml']);
  if (set.decide({ from: set.endpoint('pod:traefik:app.kubernetes.io/instance=traefik-traefik'), to: set.endpoint('pod:blog:app.kubernetes.io/name=blog'), protocol: 'TCP', port: 80 }) !== 'allowed') throw new Error('not allowed');
  if (typeof run !== 'function') throw new Error('no run');
`;

/** An app judged through PolicySet.fromConstruct. */
const FROM_CONSTRUCT = `
  const { PolicySet } = require('./src/engine/policy-set.ts');
  const { CiliumPolicy, EndpointSelector, Peer, Port } = require('./src/index.ts');
  const { App, Chart } = require('cdk8s');
  const chart = new Chart(new App(), 'shop', { namespace: 'shop' });
  new CiliumPolicy(chart, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)] });
  const set = PolicySet.fromConstruct(chart);
  const q = { from: set.endpoint('pod:shop:app=web'), to: set.endpoint('pod:shop:app=api'), protocol: 'TCP', port: 80 };
  if (set.decide(q) !== 'allowed' || set.decide({ ...q, port: 81 }) !== 'denied') throw new Error('wrong verdicts');
`;

let probed: string[][] | undefined;
/** Both scripts in one fresh process, the CLI's first. */
const loadedBy = (): string[][] => (probed ??= packagesLoadedBy(CLI_AND_TRACE, FROM_CONSTRUCT));

describe('CLI cold start', () => {
  test('the CLI with every command registered, and a trace, load neither cdk8s nor constructs', async () => {
    const [loaded] = loadedBy();
    expect(loaded).toContain('commander');
    expect(loaded).toContain('yaml');
    expect(loaded).not.toContain('cdk8s');
    expect(loaded).not.toContain('constructs');
  }, 60_000);

  test('PolicySet.fromConstruct loads cdk8s on first use and judges the app', () => {
    const [, loaded] = loadedBy();
    expect(loaded).toContain('cdk8s');
  }, 60_000);
});
