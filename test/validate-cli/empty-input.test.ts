// One rule for empty input: a gate given nothing to check does not pass (exit 2), whether the nothing came from standard
// input or from files; an empty file among others with manifests is a warning.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executeValidate } from '../../src/cli/validate';
import { CLEAN_CNP } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'empty-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'empty.yaml'), '# nothing yet\n---\n');
writeFileSync(join(dir, 'blank.yaml'), '');
writeFileSync(join(dir, 'good.yaml'), CLEAN_CNP);

const run = (paths: string[], stdin?: string): Promise<number> => {
  const out: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: () => undefined, cwd: dir, ...(stdin !== undefined ? { stdin: async () => stdin } : {}) };
  return executeValidate(paths, {}, io);
};

describe('validate with nothing to check', () => {
  it.each([[['empty.yaml']], [['empty.yaml', 'blank.yaml']]])('%j: refused like empty standard input (input-empty, exit 2)', async (paths) => {
    await expect(run(paths)).rejects.toMatchObject({ id: 'input-empty', message: expect.stringContaining('nothing to validate: empty.yaml') });
    await expect(run(['-'], '')).rejects.toMatchObject({ id: 'input-stdin' });
  });

  it('an empty file beside manifests is a warning; the run passes', async () => {
    expect(await run(['empty.yaml', 'good.yaml'])).toBe(0);
  });

  it('a file whose only document is null: refused, naming the document at its file:line as null', async () => {
    writeFileSync(join(dir, 'null.yaml'), '# generated\n---\nnull\n');
    await expect(run(['null.yaml'])).rejects.toMatchObject({
      id: 'input-empty', message: expect.stringContaining('nothing to validate: null.yaml:3: the file holds no manifest: its only document is null (`null` at line 3) (input-empty)'),
    });
    writeFileSync(join(dir, 'tilde.yaml'), '~\n---\n~ # nothing\n');
    await expect(run(['tilde.yaml'])).rejects.toMatchObject({
      message: expect.stringContaining('nothing to validate: tilde.yaml:1: the file holds no manifest: its 2 documents are null (`~` at line 1) (input-empty)'),
    });
  });

  // `{}` and `[]` were counted as documents: a file of either passed as "0 policies, 1 document" (exit 0) where `null` did not.
  it('a file whose only documents are {} or []: refused as empty, naming each at its file:line; beside manifests, a warning', async () => {
    writeFileSync(join(dir, 'braces.yaml'), '# rendered nothing\n{}\n');
    await expect(run(['braces.yaml'])).rejects.toMatchObject({
      id: 'input-empty', message: expect.stringContaining('nothing to validate: braces.yaml:2: the file holds no manifest: its only document is empty (`{}` at line 2)'),
    });
    writeFileSync(join(dir, 'brackets.yaml'), '[]\n---\nnull\n');
    await expect(run(['brackets.yaml'])).rejects.toMatchObject({
      message: expect.stringContaining('nothing to validate: brackets.yaml:1: the file holds no manifest: its 2 documents are empty (`[]` at line 1)'),
    });
    writeFileSync(join(dir, 'list.yaml'), 'apiVersion: v1\nkind: List\nitems: []\n');
    await expect(run(['list.yaml'])).rejects.toMatchObject({
      message: expect.stringContaining('nothing to validate: list.yaml:1: the file holds no manifest (only comments, document markers or a List of no items)'),
    });
    writeFileSync(join(dir, 'braces-mixed.yaml'), `${CLEAN_CNP}---\n{}\n`);
    const out: string[] = [];
    expect(await executeValidate(['braces-mixed.yaml'], { format: 'json' }, { stdout: (t: string) => out.push(t), stderr: () => undefined, cwd: dir })).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report.diagnostics).toEqual([expect.objectContaining({ id: 'input-empty', severity: 'warning', file: 'braces-mixed.yaml',
      message: expect.stringMatching(/^a document of the file is empty, beside its manifests \(`\{\}` at line \d+\): it holds no manifest$/) })]);
    expect(report.files).toEqual([expect.objectContaining({ file: 'braces-mixed.yaml', status: 'checked', documents: 1, policies: 1 })]);
  });

  it('a null document beside manifests: a warning at its file:line, as the lone null document is named (the run passes)', async () => {
    writeFileSync(join(dir, 'mixed.yaml'), `null\n---\n${CLEAN_CNP}---\n~ # left by a template\n`);
    const out: string[] = [];
    expect(await executeValidate(['mixed.yaml'], { format: 'json' }, { stdout: (t: string) => out.push(t), stderr: () => undefined, cwd: dir })).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report.diagnostics).toEqual([expect.objectContaining({
      id: 'input-empty', severity: 'warning', file: 'mixed.yaml', line: 1, column: 1,
      message: '2 documents of the file are null, beside its manifests (`null` at line 1): they hold no manifest',
    })]);
    expect(report.files).toEqual([expect.objectContaining({ file: 'mixed.yaml', status: 'checked', policies: 1 })]);
    // --max-warnings 0 fails on it (exit 1), as on any warning.
    expect(await executeValidate(['mixed.yaml'], { maxWarnings: '0' }, { stdout: () => undefined, stderr: () => undefined, cwd: dir })).toBe(1);
    // An empty document between markers (a leading or doubled ---) is no null written: no finding.
    writeFileSync(join(dir, 'markers.yaml'), `---\n---\n${CLEAN_CNP}`);
    expect(await run(['markers.yaml'])).toBe(0);
  });

  it('a cdk8s output folder whose charts are all empty (0-byte .k8s.yaml files) holds no policy: it passes, as a folder of manifests '
    + 'without policies does (each empty file a warning)', async () => {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'chart-a.k8s.yaml'), '');
    writeFileSync(join(dir, 'dist', 'chart-b.k8s.yaml'), '');
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(join(dir, 'manifests', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n');
    expect(await run(['manifests'])).toBe(0);
    const out: string[] = [];
    expect(await executeValidate(['dist'], {}, { stdout: (t: string) => out.push(t), stderr: () => undefined, cwd: dir })).toBe(0);
    expect(out.join('')).toMatch(/dist\/chart-a\.k8s\.yaml:1:1: warning input-empty: the file is empty\n[^]*0 errors, 2 warnings in 2 files \(0 policies/);
    // The same files named one by one: nothing to validate (a redirect of a command that failed writes such a file).
    await expect(run(['dist/chart-a.k8s.yaml'])).rejects.toMatchObject({ id: 'input-empty', message: expect.stringContaining('nothing to validate: dist/chart-a.k8s.yaml:1: the file is empty (input-empty)') });
    // The folder with an empty file named beside it: the file is judged as it is alone (nothing to validate), not let
    // through by the folder's exemption; the folder alone still passes.
    await expect(run(['dist', 'blank.yaml'])).rejects.toMatchObject({
      id: 'input-empty', message: expect.stringContaining('dist/chart-b.k8s.yaml:1: the file is empty; blank.yaml:1: the file is empty (input-empty)'),
    });
    await expect(run(['dist', 'dist/*.yaml'])).rejects.toMatchObject({ id: 'input-empty' });
    expect(await run(['dist', 'manifests'])).toBe(0);
  });
});
