// A connection's observed verdict from where its records were taken (src/hubble/connections.ts observedVerdict): a
// record forwarded at the source's egress proves the traffic left the source, not that it arrived; with a policy drop at
// the destination and no record of delivery, the connection was dropped, not "mixed" (docs/testing.md, session 44).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FlowSource, replayFlows } from '../../src/hubble';
import { backendPolicy } from './support/backend-policy';
import { HUBBLE_FIXTURES_DIR } from './support/paths';

/** prometheus → backend 9090/TCP: line 77 of the shop capture, a policy-verdict record of a drop at backend's ingress. */
const DROP = JSON.parse(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), 'utf8').split('\n')[76]) as { flow: Record<string, unknown> };

/** The same connection allowed at prometheus's egress (a policy-verdict record on the source's node): it left the source. */
function leftSource(): string {
  const flow = structuredClone(DROP.flow);
  delete flow.drop_reason;
  delete flow.drop_reason_desc;
  flow.verdict = 'FORWARDED';
  flow.traffic_direction = 'EGRESS';
  flow.node_name = 'node-a';
  return JSON.stringify({ ...DROP, flow });
}

describe('forwarded at the source, dropped at the destination, never delivered', () => {
  const flows = [leftSource(), JSON.stringify(DROP)].join('\n');
  test.each([[9090, 'allowed', 'newly-allowed'], [8080, 'denied', 'unchanged']] as const)(
    'observed dropped; a policy allowing %s: %s (%s)', async (port, predicted, change) => {
      const report = await replayFlows(FlowSource.text(flows, 'flows.jsonl'), backendPolicy(port));
      expect(report.connections.map((c) => [c.connection, c.observed.verdict, c.predicted.verdict, c.change]))
        .toEqual([['9090/TCP', 'dropped', predicted, change]]);
    });

  test('the record at the source alone: forwarded', async () => {
    const report = await replayFlows(FlowSource.text(leftSource(), 'flows.jsonl'), backendPolicy(8080));
    expect(report.connections.map((c) => [c.observed.verdict, c.change])).toEqual([['forwarded', 'newly-dropped']]);
  });
});
