// Conformance: verdicts on the Cilium example corpus, from the documented meaning of each example (conformance-cases.ts),
// through the `trace` command in-process, on the original YAML files.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run } from '../../src/cli/main';
import { EXAMPLES_DIR } from '../support/shared';
import { CONFORMANCE_CASES, ConformanceCase } from './conformance-cases';

const FIXTURES = join(__dirname, 'fixtures');

function trace(c: ConformanceCase): { code: number; json: Record<string, unknown>; stderr: string } {
  let stdout = '';
  let stderr = '';
  const files = [c.file, ...(c.with ?? [])].map((f) => join(EXAMPLES_DIR, f));
  const fixtures = (c.fixtures ?? []).map((f) => join(FIXTURES, f));
  const code = run([
    'trace', '--policies', ...files, ...fixtures, '--from', c.from, '--to', c.to, '--port', c.port, ...(c.args ?? []), '--output', 'json',
  ], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, json: stdout ? JSON.parse(stdout) as Record<string, unknown> : {}, stderr };
}

describe('conformance with the documented meaning of the Cilium examples', () => {
  const files = [...new Set(CONFORMANCE_CASES.map((c) => c.file))];

  test('covers at least 40 example files, each with an allowed and a denied connection', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of files) {
      const kinds = new Set(CONFORMANCE_CASES.filter((c) => c.file === f).map((c) => (c.expect === 'allowed' ? 'allowed' : 'denied')));
      expect([f, [...kinds].sort()]).toEqual([f, ['allowed', 'denied']]);
    }
  });

  describe.each(files)('%s', (file) => {
    const cases = CONFORMANCE_CASES.filter((c) => c.file === file);
    test.each(cases.map((c) => [`${c.expect}: ${c.from} → ${c.to} ${c.port}${c.args?.length ? ` ${c.args.join(' ')}` : ''}`, c] as const))('%s', (_name, c) => {
      const { code, json, stderr } = trace(c);
      expect(stderr, 'no bad input').not.toMatch(/^error:/m);
      expect({ verdict: json.verdict, doc: c.doc }, JSON.stringify(json, null, 2)).toEqual({ verdict: c.expect, doc: c.doc });
      expect(code).toBe(c.expect === 'allowed' ? 0 : 1);
    });
  });
});
