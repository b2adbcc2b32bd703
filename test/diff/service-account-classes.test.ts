// Session 53 (review of the default service account): the service account key is open in the endpoint classes. Every
// pod's identity carries `io.cilium.k8s.policy.serviceaccount` (admission sets `default`), so a pod may run as any
// account: the classes take the accounts the selectors name, `default` and one none names, never the key absent. With
// only the named `default` (the witness of `serviceaccount: default`, and the other pods judged as `default`), widening
// `serviceaccount: default` to `{}` was a silent "no change".
import { describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';
import { changeLine } from './support';

const policy = (from: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
  - fromEndpoints: [${from}]
    toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
`;

describe('the service account key in the endpoint classes', () => {
  test('widening serviceaccount: default to every pod is newly allowed for the pods of another account', () => {
    const base = PolicySet.fromYaml(policy('{ matchLabels: { io.cilium.k8s.policy.serviceaccount: default } }'), { file: 'base.yaml' });
    const head = PolicySet.fromYaml(policy('{}'), { file: 'head.yaml' });
    expect(Connectivity.diff(base, head).changes.map(changeLine)).toEqual(['+ prod/serviceaccount=any → prod/app=web 80/TCP']);
    // DoesNotExist selects no pod (no class lacks the account): moving its rule to another port changes nothing.
    const notExists = '{ matchExpressions: [{ key: io.cilium.k8s.policy.serviceaccount, operator: DoesNotExist }] }';
    const moved = Connectivity.diff(PolicySet.fromYaml(policy(notExists), { file: 'b.yaml' }),
      PolicySet.fromYaml(policy(notExists).replace('port: "80"', 'port: "81"'), { file: 'h.yaml' }));
    expect(moved.changes.map(changeLine)).toEqual([]);
  });
});
