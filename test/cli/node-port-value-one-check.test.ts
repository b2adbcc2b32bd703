// One judgement of the hostPort and nodePort values the API server refuses (src/model/manifests.ts `nodePortValueRefusals`),
// read by both readers: the strict `--inventory` reader (src/cli/inventory.ts `inventoryProblem`) and the policy reader's
// manifests beside the policies (src/model/parse.ts). Before session 59's fix the inventory reader held a second copy
// (`check.port(..., zero)`). The truth table of values, refused by both or by neither.
import { describe, expect, test } from 'vitest';
import { inventoryProblem } from '../../src/cli/inventory';
import { nodePortValueRefusals } from '../../src/model/manifests';

const service = (nodePort: unknown): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'shop' },
  spec: { type: 'NodePort', selector: { app: 'api' }, ports: [{ port: 80, ...(nodePort === undefined ? {} : { nodePort }) }] } });
const daemonSet = (hostPort: unknown): Record<string, unknown> => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'p' } }, template: { metadata: { labels: { app: 'p' } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 8443, ...(hostPort === undefined ? {} : { hostPort }) }] }] } } } });

describe('hostPort and nodePort values: refused by both readers or by neither', () => {
  test.each([
    [undefined, false], [null, false], [0, false], [1, false], [30080, false], [65535, false],
    ['30080', true], [30080.5, true], [-1, true], [65536, true], [true, true], [[30080], true],
  ])('%j refused: %s', (v, refused) => {
    for (const [obj, field] of [[service(v), 'nodePort'], [daemonSet(v), 'hostPort']] as const) {
      const policyReader = nodePortValueRefusals(obj);
      const inventory = inventoryProblem(obj);
      expect([policyReader.length > 0, inventory !== undefined], field).toEqual([refused, refused]);
      if (refused) {
        expect(inventory?.path, field).toEqual(policyReader[0].path);
        expect(inventory?.message, field).toContain('is not a port number (1-65535)');
      }
    }
  });
});
