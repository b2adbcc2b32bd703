// One rule for empty input: a gate given nothing to check does not pass (exit 2), whether the nothing came from standard
// input or from files; an empty file among others with manifests is a warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
