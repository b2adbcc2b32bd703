// Two documents that are one object on the API server (same kind, namespace and name): `kubectl apply` keeps the one
// applied last, so the engine enforces only that one and warns that the earlier is skipped.
import { describe, expect, it } from 'vitest';
import { PolicySet } from '../../src/engine';
import { PolicyModel } from '../../src/model/policy-model-io';
import { cnp, ccnp, judged, labels } from './helpers';

const WEB = labels({ app: 'web' });
const fromWorld80 = { endpointSelector: WEB, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] };
const fromCluster8080 = { endpointSelector: WEB, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] };

function set(files: Record<string, Record<string, unknown>[]>): PolicySet {
  return PolicySet.fromTexts(Object.entries(files).map(([file, docs]) => ({ file, text: docs.map((d) => JSON.stringify(d)).join('\n---\n') })));
}

describe('documents that are one object on the API server', () => {
  it('the later document replaces the earlier: only its rules are enforced, and the set warns of the skipped one', () => {
    const s = set({ 'a.yaml': [cnp('web', fromWorld80, 'shop')], 'b.yaml': [cnp('web', fromCluster8080, 'shop')] });
    expect(judged(s, 'cidr:203.0.113.7', 'pod:shop:app=web', 80).verdict).toBe('denied');
    expect(judged(s, 'pod:shop:app=other', 'pod:shop:app=web', 8080).verdict).toBe('allowed');
    expect(s.diagnostics.map((d) => `${d.id} ${d.file}`)).toEqual(['engine-policy-skipped a.yaml']);
    expect(s.diagnostics[0].message).toMatch(/a later document \(b\.yaml:1\) has the same kind, namespace and name/);
    expect(s.skippedRules.map((r) => `${r.policy.name} ${r.policy.file} ${r.rule}`)).toEqual(['web a.yaml spec']);
  });

  it('in one file, the last document wins; a CNP without a namespace is the one in default', () => {
    const s = set({ 'p.yaml': [cnp('web', fromCluster8080), { ...cnp('web', fromWorld80), metadata: { name: 'web' } }] });
    expect(judged(s, 'cidr:203.0.113.7', 'pod:default:app=web', 80).verdict).toBe('allowed');
    expect(judged(s, 'pod:default:app=other', 'pod:default:app=web', 8080).verdict).toBe('denied');
    // The warning names the later document by file and line (the second document starts on line 3).
    expect(s.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('CiliumNetworkPolicy web has no metadata.namespace: judged in namespace default'),
      expect.stringContaining('a later document (p.yaml:3) has the same kind'),
    ]);
  });

  it('other namespaces, another kind or another name: both enforced', () => {
    for (const second of [cnp('web', fromCluster8080, 'other'), cnp('api', fromCluster8080, 'shop'), ccnp('web', fromCluster8080)]) {
      const s = set({ 'a.yaml': [cnp('web', fromWorld80, 'shop')], 'b.yaml': [second] });
      expect(judged(s, 'cidr:203.0.113.7', 'pod:shop:app=web', 80).verdict).toBe('allowed');
      expect(s.diagnostics).toEqual([]);
    }
  });

  it('a later document the API server refuses (its metadata included) replaces nothing', () => {
    const badLabel = { ...cnp('web', { endpointSelector: labels({ app: 'db' }), ingressDeny: [{ fromEntities: ['all'] }] }, 'shop') };
    badLabel.metadata = { name: 'web', namespace: 'shop', labels: { 'bad key!': 'x' } };
    const s = set({ 'a.yaml': [cnp('web', fromWorld80, 'shop')], 'b.yaml': [badLabel] });
    expect(judged(s, 'cidr:203.0.113.7', 'pod:shop:app=web', 80).verdict).toBe('allowed');
    expect(s.skippedRules.map((r) => r.policy.file)).not.toContain('a.yaml');
  });

  it('a later document only the agent refuses still replaces the earlier on the API server: neither is enforced, and the warning says so', () => {
    const agentRefused = cnp('web', { endpointSelector: WEB, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '70000', protocol: 'TCP' }] }] }] }, 'shop');
    const s = set({ 'a.yaml': [cnp('web', fromWorld80, 'shop')], 'b.yaml': [agentRefused] });
    // No policy selects web any more: default allow.
    expect(judged(s, 'cidr:203.0.113.7', 'pod:shop:app=web', 80).verdict).toBe('allowed');
    expect(judged(s, 'cidr:203.0.113.7', 'pod:shop:app=web', 9999).verdict).toBe('allowed');
    expect(s.diagnostics.map((d) => `${d.id} ${d.file}`)).toEqual(['engine-policy-skipped a.yaml', 'engine-policy-skipped b.yaml']);
    expect(s.diagnostics[0].message).toMatch(/the agent refuses that one .*so neither is enforced/);
  });

  it('a CCNP\'s metadata.namespace is dropped (the API server clears it): the policy applies in every namespace, and two CCNPs of one name in two namespaces are one object', () => {
    const inShop = { ...ccnp('web', fromWorld80), metadata: { name: 'web', namespace: 'shop' } };
    const s = set({ 'a.yaml': [inShop] });
    for (const ns of ['shop', 'dev']) expect(judged(s, 'cidr:203.0.113.7', `pod:${ns}:app=web`, 8080).verdict).toBe('denied');
    expect(s.policies.map((p) => p.namespace)).toEqual([undefined]);
    const two = set({ 'a.yaml': [inShop], 'b.yaml': [{ ...ccnp('web', fromCluster8080), metadata: { name: 'web', namespace: 'dev' } }] });
    expect(two.diagnostics.map((d) => `${d.id} ${d.file}`)).toEqual(['engine-policy-skipped a.yaml']);
  });

  it('Kubernetes NetworkPolicies: the later one with the same namespace and name replaces the earlier', () => {
    const np = (name: string, app: string, from: string): Record<string, unknown> => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: from } } }] }] },
    });
    const s = set({ 'a.yaml': [np('lockdown', 'web', 'fe')], 'b.yaml': [np('lockdown', 'db', 'web')] });
    // web is selected by no policy any more; db admits web only.
    expect(judged(s, 'pod:shop:app=evil', 'pod:shop:app=web', 80).verdict).toBe('allowed');
    expect(judged(s, 'pod:shop:app=evil', 'pod:shop:app=db', 80).verdict).toBe('denied');
    expect(s.diagnostics.map((d) => `${d.id} ${d.file}`)).toEqual(['engine-policy-skipped a.yaml']);
    const other = set({ 'a.yaml': [np('lockdown', 'web', 'fe')], 'b.yaml': [np('lockdown-db', 'db', 'web')] });
    expect(judged(other, 'pod:shop:app=evil', 'pod:shop:app=web', 80).verdict).toBe('denied');
  });

  it('Kubernetes NetworkPolicies of one name in two namespaces are two objects: both enforced', () => {
    const np = (namespace: string): Record<string, unknown> => ({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'lockdown', namespace },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'fe' } } }] }] },
    });
    const s = set({ 'a.yaml': [np('shop')], 'b.yaml': [np('dev')] });
    for (const ns of ['shop', 'dev']) {
      expect(judged(s, `pod:${ns}:app=evil`, `pod:${ns}:app=web`, 80).verdict).toBe('denied');
      expect(judged(s, `pod:${ns}:app=fe`, `pod:${ns}:app=web`, 80).verdict).toBe('allowed');
    }
    expect(s.diagnostics).toEqual([]);
  });

  it('documents without a file (PolicySet.fromDocuments, fromYaml without `file`): the warning names no file for the later one', () => {
    const docs = PolicyModel.fromYaml([cnp('web', fromWorld80, 'shop'), cnp('web', fromCluster8080, 'shop')].map((d) => JSON.stringify(d)).join('\n---\n'))
      .documents.map((d) => d.model);
    const s = PolicySet.fromDocuments(docs);
    expect(judged(s, 'cidr:203.0.113.7', 'pod:shop:app=web', 80).verdict).toBe('denied');
    expect(s.diagnostics.map((d) => d.id)).toEqual(['engine-policy-skipped']);
    expect(s.diagnostics[0].message).toContain('a later document has the same kind, namespace and name');
    // A stream without a file name (PolicySet.fromYaml without `file`): its documents have lines, but no file to name.
    const stream = PolicySet.fromYaml([cnp('web', fromWorld80, 'shop'), cnp('web', fromCluster8080, 'shop')].map((d) => JSON.stringify(d)).join('\n---\n'));
    expect(stream.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('a later document has the same kind, namespace and name')]);
  });
});
