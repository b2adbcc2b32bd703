// Every verdict of shared/conformance/cilium-cases.yaml (transcribed from Cilium's own policy tests) as its own test.
import { describe, expect, test } from 'vitest';
import { formatVerdict } from '../../src/engine/explain';
import { judge, readCases } from './support/verdict-cases';

const CASES = readCases('cilium-cases.yaml');

describe('Cilium-authored verdicts (shared/conformance/cilium-cases.yaml)', () => {
  test('the file holds its 60 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  test.each(CASES.map((c) => [`${c.id}: ${c.verdict} ${c.from} → ${c.to} ${c.port}`, c] as const))('%s', (_name, c) => {
    const { got, verdict } = judge(c);
    expect(got, `${c.source}\n${c.note ?? ''}\n${formatVerdict(verdict)}`).toBe(c.verdict);
  });
});
