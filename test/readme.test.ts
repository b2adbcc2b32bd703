import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import ts from 'typescript';
import { beforeAll, describe, expect, test, vi } from 'vitest';

/**
 * Every ```ts block of README.md is type-checked against the library (`'cdk8s-cilium'` → `src/`) and, unless it is a
 * test or a whole program, executed: the chart it builds must synthesize and be valid against the CRD.
 */
const ROOT = join(__dirname, '..');
const WORK = join(ROOT, '.scratch', 'readme');
const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

function source(block: string): string {
  const code = block.replace(/from 'cdk8s-cilium'/g, "from '../../src'").replace(/import 'cdk8s-cilium\/vitest'/g, "import '../../src/vitest.mjs'");
  const needsChart = /\bchart\b/.test(code) && !/const chart\b/.test(code);
  const prelude = needsChart
    ? "import { Chart as ReadmeChart, Testing as ReadmeTesting } from 'cdk8s';\nexport const chart = new ReadmeChart(ReadmeTesting.app(), 'readme', { namespace: 'shop' });\n"
    : 'export {};\n';
  return prelude + code;
}

describe('README examples', () => {
  beforeAll(() => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    blocks.forEach((b, i) => writeFileSync(join(WORK, `block-${i}.ts`), source(b)));
  });

  test('there are examples for every construct', () => {
    const all = blocks.join('\n');
    for (const name of ['DefaultDenyNamespace', 'ClusterDefaultDeny', 'TieredApp', 'FqdnEgress', 'HostFirewall', 'MetadataEndpointBlock', 'MonitoringScrape', 'CiliumPolicy', 'ClusterwidePolicy']) {
      expect(all).toContain(`new ${name}(`);
    }
  });

  test('every block type-checks', () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
    const files = blocks.map((_, i) => join(WORK, `block-${i}.ts`));
    const program = ts.createProgram([...files, join(ROOT, 'src', 'vitest.mts')], { ...parsed.options, noEmit: true, noUnusedLocals: false });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.includes(d.file.fileName));
    const text = diagnostics.map((d) => `${d.file!.fileName.replace(WORK, 'README block')}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(text).toEqual([]);
  });

  blocks.forEach((block, i) => {
    if (/runSynth\(/.test(block) && !/from 'vitest'/.test(block)) {
      // A whole program: run it with the app's output in a temporary directory; it must synthesize without an error.
      test(`block ${i} (a runSynth program) synthesizes without errors`, async () => {
        const out = mkdtempSync(join(tmpdir(), 'readme-synth-'));
        const before = { outdir: process.env.CDK8S_OUTDIR, exitCode: process.exitCode };
        const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
        try {
          process.env.CDK8S_OUTDIR = out;
          process.exitCode = undefined;
          await import(join(WORK, `block-${i}.ts`));
          const written = stderr.mock.calls.map((c) => String(c[0])).join('');
          expect(process.exitCode ?? 0, written).toBe(0);
          expect(readdirSync(out).filter((f) => f.endsWith('.k8s.yaml')).length, written).toBeGreaterThan(0);
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
    const runnable = !/from 'vitest'/.test(block);
    test.runIf(runnable)(`block ${i} runs and its chart is valid`, async () => {
      const mod = (await import(join(WORK, `block-${i}.ts`))) as { chart?: Chart };
      if (mod.chart && mod.chart.node.findAll().some((c) => c.node.id === 'Resource')) {
        expect(() => Testing.synth(mod.chart!)).not.toThrow();
        expect(mod.chart).toBeValidCilium();
      }
    });
  });
});
