// Every verdict of shared/conformance/networkpolicy-cases.yaml (Kubernetes NetworkPolicy verdicts authored by np-guard's
// netpol-analyzer) as its own test: NetworkPolicies are translated into Cilium rules as the agent does.
import { describe, expect, test } from 'vitest';
import { formatVerdict } from '../../src/engine/explain';
import { judge, readCases } from './support/verdict-cases';

const CASES = readCases('networkpolicy-cases.yaml');

describe('NetworkPolicy verdicts (shared/conformance/networkpolicy-cases.yaml)', () => {
  test('the file holds its 50 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  test.each(CASES.map((c) => [`${c.id}: ${c.verdict} ${c.from} → ${c.to} ${c.port}`, c] as const))('%s', (_name, c) => {
    const { got, verdict } = judge(c);
    expect(got, `${c.source}\n${c.note ?? ''}\n${formatVerdict(verdict)}`).toBe(c.verdict);
  });
});
