// `fromRequires`/`toRequires` (before Cilium 1.19): a requirement ANDed onto every endpoint peer of the rules that select
// the same subject. Its selectors decide which peers are selected as much as the peers' own selectors, so the endpoint
// classes must vary their keys: a change that only edits a requirement is otherwise a silent "no change".
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityDiffDocument, PolicySet } from '../../src';
import { CiliumVersion } from '../../src/core/cilium-version';
import { changeLine } from './support';

/** prod/api admits app=web on 8080, from pods that also satisfy `requires` (a `fromRequires` selector's matchLabels). */
const ingress = (requires: string | undefined): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
${requires !== undefined ? `    fromRequires: [{ matchLabels: ${requires} }]\n` : ''}    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

/** prod/web may reach app=api on 8080, to pods that also satisfy `requires` (a `toRequires` selector's matchLabels). */
const egress = (requires: string | undefined): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
${requires !== undefined ? `    toRequires: [{ matchLabels: ${requires} }]\n` : ''}    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

const V1_18 = { ciliumVersion: CiliumVersion.V1_18 };

function diff(base: string, head: string): ConnectivityDiffDocument {
  return Connectivity.diff(PolicySet.fromYaml(base, { file: 'base.yaml', ...V1_18 }), PolicySet.fromYaml(head, { file: 'head.yaml', ...V1_18 }));
}

/** The verdict of one connection on 8080 (the ground truth the diff must agree with). */
function verdict(yaml: string, from: string, to: string): string {
  const set = PolicySet.fromYaml(yaml, V1_18);
  return set.verdict({ from: set.endpoint(from), to: set.endpoint(to), protocol: 'TCP', port: 8080 }).verdict;
}

describe('diff: fromRequires/toRequires (before 1.19)', () => {
  test('a fromRequires value edited: the pods of the old value are newly denied, those of the new one newly allowed', () => {
    const [base, head] = [ingress('{ env: prod }'), ingress('{ env: staging }')];
    expect([verdict(base, 'pod:prod:app=web,env=prod', 'pod:prod:app=api'), verdict(head, 'pod:prod:app=web,env=prod', 'pod:prod:app=api')])
      .toEqual(['allowed', 'denied']);
    expect(diff(base, head).changes.map(changeLine)).toEqual([
      '+ prod/app=web,env=staging → prod/app=api 8080/TCP',
      '- prod/app=web,env=prod → prod/app=api 8080/TCP',
    ]);
  });

  test('a fromRequires added: only the peers that do not satisfy it are newly denied', () => {
    const doc = diff(ingress(undefined), ingress('{ env: prod }'));
    expect(doc.changes.map(changeLine)).toEqual(['- prod/app=web → prod/app=api 8080/TCP']);
    expect(doc.changes[0].reason.after.text).toBe('default deny at ingress of prod/app=api (selected by CiliumNetworkPolicy prod/api)');
    expect(Connectivity.report(PolicySet.fromYaml(ingress('{ env: prod }'), V1_18)).connections
      .filter((c) => c.to === 'prod/app=api' && c.from !== 'host').map((c) => c.from)).toEqual(['prod/app=web,env=prod']);
  });

  test('a fromRequires of another rule of the same subject: it restricts this rule\'s peers too', () => {
    const other = (env: string): string => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api-requires, namespace: prod }
spec:
  endpointSelector: { matchLabels: { tier: backend } }
  ingress:
  - fromRequires: [{ matchLabels: { zone: ${env} } }]
`;
    const doc = diff(ingress(undefined) + other('a'), ingress(undefined) + other('b'));
    expect(doc.changes.map(changeLine)).toEqual([
      '+ prod/app=web,zone=b → prod/app=api,tier=backend 8080/TCP',
      '- prod/app=web,zone=a → prod/app=api,tier=backend 8080/TCP',
    ]);
  });

  test('a toRequires value edited: the servers of the old value are newly denied, those of the new one newly allowed', () => {
    const [base, head] = [egress('{ env: prod }'), egress('{ env: staging }')];
    expect([verdict(base, 'pod:prod:app=web', 'pod:prod:app=api,env=prod'), verdict(head, 'pod:prod:app=web', 'pod:prod:app=api,env=prod')])
      .toEqual(['allowed', 'denied']);
    expect(diff(base, head).changes.map(changeLine)).toEqual([
      '+ prod/app=web → prod/app=api,env=staging 8080/TCP',
      '- prod/app=web → prod/app=api,env=prod 8080/TCP',
    ]);
  });

  test('on 1.19 fromRequires is ignored: editing it changes nothing', () => {
    const sets = [ingress('{ env: prod }'), ingress('{ env: staging }')].map((y) => PolicySet.fromYaml(y, { ciliumVersion: CiliumVersion.V1_19 }));
    expect(Connectivity.diff(sets[0], sets[1]).changes).toEqual([]);
  });
});
