import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { scratchDir, SRC_IMPORT } from './support/scratch';
import { typeCheckFiles } from './support/typecheck';
import { CiliumVersion, Endpoints, PolicySet, Queries, VerdictKind } from '../src';
import { buildProgram } from '../src/cli/main';

/**
 * Every ```ts block of README.md is type-checked against the library (`'cdk8s-cilium'` → `src/`) and run, and every block
 * that runs asserts something:
 * - a whole program (`Synth.run`) must synthesize without errors;
 * - a test block (`from 'vitest'`) runs its `test(...)` bodies, so the matcher examples really pass;
 * - a block that builds a chart must synthesize CRD-valid Cilium policies;
 * - any other block has its own assertion in CHECKS below, keyed by a line of the block;
 * - a block whose first line is `// type-check only` (it reads files a reader has, not the test) is only type-checked.
 * The blocks are written to a fresh directory under the OS temp dir.
 */
const ROOT = join(__dirname, '..');
const scratch = scratchDir('readme');
const WORK = scratch.dir;
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const SHIM = 'readme-vitest.ts';
/**
 * The Quick start: the first ```ts block after its heading, a whole program (`Synth.run`) whose synthesized `dist/` the
 * engine judges. Found by the heading, not by a line of it, so a block renamed or moved is a failure, never a skipped check.
 */
const QUICK_START = ((): number => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const heading = readme.indexOf('\n## Quick start\n');
  const start = heading < 0 ? -1 : readme.indexOf('```ts\n', heading);
  const next = heading < 0 ? -1 : readme.indexOf('\n## ', heading + 1);
  return start < 0 || (next >= 0 && start > next) ? -1 : [...readme.slice(0, start).matchAll(/```ts\n/g)].length;
})();

/** Assertions for blocks that build values rather than a chart: the block's top-level consts are exported to them. */
const CHECKS: ReadonlyArray<{ line: string; check: (mod: Record<string, unknown>, log: string) => void }> = [
  {
    line: 'CiliumVersion.use(app, CiliumVersion.V1_16);',
    check: (mod) => expect(CiliumVersion.of(mod.app as App)).toBe(CiliumVersion.V1_16),
  },
  {
    line: 'Port.tcp(8080), Port.udp(53), Port.sctp(9000), Port.any(53),',
    check: (mod) => expect((mod.ports as object[]).map(String)).toEqual([
      '8080/TCP', '53/UDP', '9000/SCTP', '53/ANY', '8000-8100/TCP', 'http/ANY', '0/TCP', '9090/TCP', '/VRRP',
      'icmp 8/IPv4', 'icmp 128/IPv6', 'icmp 3/IPv4', 'icmp PacketTooBig/IPv6',
    ]),
  },
  {
    line: 'const dns = L7.dns(DnsRule.exact(\'api.example.com\'), DnsRule.pattern(\'*.example.com\'));',
    check: (mod) => {
      const rules = (l7: unknown): unknown => (l7 as { _toModel(): unknown })._toModel();
      expect(rules(mod.dns)).toEqual({ dns: [{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }] });
      expect(rules(mod.kafka)).toEqual({ kafka: [{ role: 'produce', topic: 'orders' }, { apiKey: 'fetch', topic: 'orders' }] });
      expect((rules(mod.http) as { http: unknown[] }).http).toHaveLength(4);
    },
  },
  {
    line: 'const problems = Validator.validatePolicy(doc.model, { version: CiliumVersion.V1_19 });',
    check: (mod, log) => {
      expect((mod.result as { documents: unknown[] }).documents).toHaveLength(1);
      expect(log).toBe('');
    },
  },
];

function source(block: string, run: boolean): string {
  let code = block.replace(/from 'cdk8s-cilium'/g, `from '${SRC_IMPORT}'`).replace(/import 'cdk8s-cilium\/vitest'/g, `import '${SRC_IMPORT}/vitest.mjs'`);
  // When run, `test` collects its body instead of registering a test inside the running one; `expect` stays vitest's.
  if (run) code = code.replace(/from 'vitest'/g, `from './${SHIM.replace(/\.ts$/, '')}'`).replace(/^const /gm, 'export const ');
  const needsChart = /\bchart\b/.test(code) && !/const chart\b/.test(code);
  const prelude = needsChart
    ? "import { Chart as ReadmeChart, Testing as ReadmeTesting } from 'cdk8s';\nexport const chart = new ReadmeChart(ReadmeTesting.app(), 'readme', { namespace: 'shop' });\n"
    : 'export {};\n';
  return prelude + code;
}

const SHIM_SOURCE = [
  "export { expect } from 'vitest';",
  'export const collected: { name: string; body: () => unknown }[] = [];',
  'export function test(name: string, body: () => unknown): void { collected.push({ name, body }); }',
  '',
].join('\n');

afterAll(() => scratch.remove());

describe('README examples', () => {
  beforeAll(() => {
    writeFileSync(join(WORK, SHIM), SHIM_SOURCE);
    blocks.forEach((b, i) => {
      writeFileSync(join(WORK, `block-${i}.ts`), source(b, false));
      writeFileSync(join(WORK, `block-${i}.run.ts`), source(b, true));
    });
  });

  test('there are examples for every construct', () => {
    const all = blocks.join('\n');
    for (const name of ['DefaultDenyNamespace', 'ClusterDefaultDeny', 'TieredApp', 'FqdnEgress', 'HostFirewall', 'MetadataEndpointBlock', 'MonitoringScrape', 'CiliumPolicy', 'ClusterwidePolicy']) {
      expect(all).toContain(`new ${name}(`);
    }
  });

  test('every block type-checks', () => {
    const files = blocks.map((_, i) => join(WORK, `block-${i}.ts`));
    const text = typeCheckFiles(files, { noUnusedLocals: false }, [join(ROOT, 'src', 'vitest.mts')]).map((d) => d.replace(WORK, 'README block'));
    expect(text).toEqual([]);
  });

  test('the Quick start is found: a Synth.run program the engine checks below', () => {
    expect(QUICK_START, 'a ```ts block under "## Quick start" in README.md').toBeGreaterThanOrEqual(0);
    expect(blocks[QUICK_START]).toMatch(/Synth\.run\(/);
    expect(blocks[QUICK_START]).not.toMatch(/from 'vitest'|^\/\/ type-check only/);
  });

  test('every block that runs has an assertion, and every CHECKS entry matches a block', () => {
    const unchecked = blocks.filter((b) => !/^\/\/ type-check only/.test(b) && !/Synth\.run\(/.test(b) && !/from 'vitest'/.test(b)
      && !/\bchart\b/.test(b) && !CHECKS.some((c) => b.includes(c.line)) && !/^\/\/ test\/setup\.ts/.test(b));
    expect(unchecked).toEqual([]);
    for (const c of CHECKS) expect(blocks.filter((b) => b.includes(c.line)), c.line).toHaveLength(1);
  });

  blocks.forEach((block, i) => {
    const file = join(WORK, `block-${i}.run.ts`);
    if (/^\/\/ type-check only/.test(block) || /^\/\/ test\/setup\.ts/.test(block)) return; // the setup import is what test/setup.ts does
    if (/Synth\.run\(/.test(block) && !/from 'vitest'/.test(block)) {
      // A whole program: run it with the app's output in a temporary directory; it must synthesize without an error.
      test(`block ${i} (a Synth.run program) synthesizes without errors`, async () => {
        const out = mkdtempSync(join(tmpdir(), 'readme-synth-'));
        const before = { outdir: process.env.CDK8S_OUTDIR, exitCode: process.exitCode };
        const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
        try {
          process.env.CDK8S_OUTDIR = out;
          process.exitCode = undefined;
          await import(file);
          const written = stderr.mock.calls.map((c) => String(c[0])).join('');
          expect(process.exitCode ?? 0, written).toBe(0);
          expect(readdirSync(out).filter((f) => f.endsWith('.k8s.yaml')).length, written).toBeGreaterThan(0);
          // The Quick start does what its comments say: frontend → backend on 8080 under the namespace's default deny.
          if (i === QUICK_START) {
            const set = PolicySet.fromFiles([out]);
            const verdict = (from: string, to: string, port: string): string =>
              set.verdict({ from: Endpoints.parse(from), to: set.endpoint(to), ...Queries.parseConnection(port) }).verdict;
            expect(verdict('pod:shop:app=frontend', 'pod:shop:app=backend', '8080/TCP')).toBe(VerdictKind.ALLOWED);
            expect(verdict('pod:shop:app=frontend', 'pod:shop:app=backend', '9090/TCP')).toBe(VerdictKind.DENIED);
            expect(verdict('pod:shop:app=other', 'pod:shop:app=backend', '8080/TCP')).toBe(VerdictKind.DENIED);
            expect(verdict('pod:shop:app=frontend', 'pod:shop:app=other', '8080/TCP')).toBe(VerdictKind.DENIED);
            expect(verdict('pod:shop:app=backend', 'fqdn:api.stripe.com@198.51.100.7', '443/TCP')).toBe(VerdictKind.ALLOWED);
            expect(verdict('pod:shop:app=backend', 'cidr:198.51.100.7', '443/TCP')).toBe(VerdictKind.DENIED);
          }
        } finally {
          stderr.mockRestore();
          process.exitCode = before.exitCode;
          if (before.outdir === undefined) delete process.env.CDK8S_OUTDIR;
          else process.env.CDK8S_OUTDIR = before.outdir;
          rmSync(out, { recursive: true, force: true });
        }
      });
      return;
    }
    if (/from 'vitest'/.test(block)) {
      test(`block ${i}: its tests run and pass`, async () => {
        const shim = (await import(join(WORK, SHIM))) as { collected: { name: string; body: () => unknown }[] };
        const before = shim.collected.length;
        await import(file);
        const mine = shim.collected.slice(before);
        expect(mine.length).toBeGreaterThan(0);
        for (const t of mine) await t.body();
      });
      return;
    }
    test(`block ${i} runs and asserts`, async () => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      let mod: Record<string, unknown>;
      try {
        mod = (await import(file)) as Record<string, unknown>;
      } finally {
        log.mockRestore();
      }
      const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
      const check = CHECKS.find((c) => block.includes(c.line));
      if (check) {
        check.check(mod, printed);
        return;
      }
      const chart = mod.chart as Chart;
      expect(chart.node.findAll().some((c) => c.node.id === 'Resource')).toBe(true);
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(chart).toBeValidCilium();
    });
  });
});

/**
 * The options of each command that its synopsis in `readme` does not name, as `<command> <--option>`, or
 * `<command> (no synopsis)`. A synopsis is an inline code span `[npx ][cdk8s-cilium ]<command> …` with an optional
 * flag (`[--`), such as `report --policies <paths> [--output …]`; a command may have several, and an option counts when
 * one of them names it. Code blocks are skipped: an example command line is no synopsis.
 */
function optionsMissingFromSynopses(readme: string, commands: ReadonlyArray<{ name: string; options: readonly string[] }>): string[] {
  const prose = readme.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  const spans = [...prose.matchAll(/(`+)([\s\S]+?)\1/g)].map((m) => m[2]).filter((span) => !span.includes('\n\n') && span.includes('[--'));
  return commands.flatMap(({ name, options }) => {
    const synopses = spans.filter((span) => new RegExp(`^(?:npx )?(?:cdk8s-cilium )?${name} `).test(span));
    if (synopses.length === 0) return [`${name} (no synopsis)`];
    return options.filter((long) => !synopses.some((span) => new RegExp(`(?<![\\w-])${long}(?![\\w-])`).test(span)))
      .map((long) => `${name} ${long}`);
  });
}

describe('README names every option of the CLI', () => {
  // A flag `--help` lists that the README never names is one a reader cannot find (draft's --import-from was one);
  // named anywhere else (another command's synopsis, a changelog note) it is not found where the reader looks.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const io = { stdout: () => undefined, stderr: () => undefined };
  const commands = buildProgram(io, () => undefined).commands.map((command) => ({
    name: command.name(),
    options: command.options.map((option) => option.long).filter((long): long is string => long !== undefined),
  }));

  test('each long option of each command appears in that command\'s synopsis in README.md', () => {
    expect(commands.map((c) => c.name).sort()).toEqual(['diff', 'draft', 'init', 'replay', 'report', 'trace', 'validate']);
    expect(optionsMissingFromSynopses(readme, commands)).toEqual([]);
  });

  test('an option left out of its command\'s synopsis is found, though other commands name it', () => {
    const report = '[--cilium-version v] [--cluster-name n] ';
    expect(readme).toContain(report);
    expect(optionsMissingFromSynopses(readme.replace(report, ''), commands)).toEqual(['report --cilium-version', 'report --cluster-name']);
    // --host is not --host-firewall, nor --no-host-firewall: each is matched whole.
    expect(optionsMissingFromSynopses('`trace --policies p [--host-firewall | --no-host-firewall]`', [{ name: 'trace', options: ['--host'] }]))
      .toEqual(['trace --host']);
    // An example command line in prose or in a code block is no synopsis.
    expect(optionsMissingFromSynopses('`diff --base a --head b`\n```bash\ndiff --base a [--head b]\n```\n', [{ name: 'diff', options: ['--base'] }]))
      .toEqual(['diff (no synopsis)']);
  });
});
