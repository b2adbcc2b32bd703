import { describe, expect, test } from 'vitest';
import { podTemplatesOf } from '../../src/model/manifests';

// What a workload's readable labels are checked against (src/constructs/workload.ts): every pod template the app holds.
// A template left out lets `Peer.workload()` select that object's pods too; reading one too many only keeps the hash label.
const deployment = (labels: Record<string, string>) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'canary', namespace: 'shop' },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
});
const labelsOf = (obj: unknown) => podTemplatesOf(obj).map((t) => t.template?.labels);

describe('podTemplatesOf: the templates the List reading would leave out (session 50 review)', () => {
  test('a List nested deeper than the List reading goes: an entry of no namespace and no template (it may make pods anywhere)', () => {
    let list: unknown = deployment({ app: 'web', track: 'x' });
    for (let i = 0; i < 9; i++) list = { apiVersion: 'v1', kind: 'List', items: [list] };
    expect(podTemplatesOf(list)).toContainEqual({});
    // Two deep is read: the Deployment in its own namespace, no unknown entry.
    const shallow = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'List', items: [deployment({ app: 'web' })] }] };
    expect(podTemplatesOf(shallow)).not.toContainEqual({});
    expect(podTemplatesOf(shallow).map((t) => [t.namespace, t.template?.labels])).toContainEqual(['shop', { app: 'web' }]);
  });

  test('a kind ending in List without items (a custom resource applied as the object it is): its nested templates', () => {
    const worker = {
      apiVersion: 'x.io/v1', kind: 'WorkerList', metadata: { name: 'w', namespace: 'shop' },
      spec: { template: { metadata: { labels: { app: 'web', track: 'x' } } } },
    };
    expect(podTemplatesOf(worker).map((t) => [t.namespace, t.template?.labels])).toContainEqual(['shop', { app: 'web', track: 'x' }]);
  });

  test('a known kind of another API group keeps its templates where they are (a Volcano Job: spec.tasks[].template)', () => {
    const job = {
      apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', metadata: { name: 'v', namespace: 'shop' },
      spec: { tasks: [{ name: 't', template: { metadata: { labels: { app: 'web', track: 'x' } }, spec: { containers: [] } } }] },
    };
    expect(labelsOf(job)).toContainEqual({ app: 'web', track: 'x' });
  });
});
