// The pitfall layer translates CNP peers as the agent of the target version does (`versionImportOptions`, the engine's
// options): on Cilium 1.14/1.15 a namespace-labels peer gets the policy namespace (pkg/k8s/apis/cilium.io/utils/utils.go
// `getEndpointSelector` checks `podPrefixLbl`/`podAnyPrefixLbl` only; from 1.16, cilium/cilium#30650, also
// `podK8SNamespaceLabelsPrefix`), and on 1.14 a CNP of `reserved:init` adds no namespace to its peers (`!matchesInit`;
// from 1.15, cilium/cilium#28007, it does). Each case is checked against the engine's verdict for the same documents.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src';
import { check, findings } from './helpers';
import { cnp as engineCnp, policySet, verdict } from '../engine/helpers';

type Doc = Record<string, unknown>;
const ID = 'pitfall-selector-matches-nothing';
const TEAM = 'io.cilium.k8s.namespace.labels.team';
const NAME = 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name';

const namespace = (name: string, labels: Record<string, string> = {}): Doc => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
function deployment(name: string, ns: string): Doc {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
}
const cnp = (spec: Doc): Doc => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'ns' }, spec });
const peerSpec = (peer: Record<string, string>): Doc => ({
  endpointSelector: { matchLabels: { app: 'srv' } },
  ingress: [{ fromEndpoints: [{ matchLabels: peer }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
});
const initSpec: Doc = {
  endpointSelector: { matchLabels: { 'reserved:init': '' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'cli' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
};
const inventory = [namespace('ns'), namespace('other', { team: 'blue' }), deployment('srv', 'ns'), deployment('cli', 'other')];
const paths = (version: string, spec: Doc): string[] => findings(check(Object.fromEntries([...inventory, cnp(spec)]
  .map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion: version }), ID).map((d) => d.path ?? '');
const allowed = (version: string, spec: Doc, from: string, to: string): boolean =>
  verdict(policySet([engineCnp('p', spec, 'ns')], { ciliumVersion: CiliumVersion.parse(version) }), from, to, '80/TCP').allowed;

describe('validate follows the target version in translating CNP peers', () => {
  const CLI_OTHER = `pod:other:app=cli,${TEAM}=blue,${NAME}=other`;
  it.each([
    // [version, peer, flagged (the peer matches no pod), the engine allows cli in `other` -> srv]
    ['1.14', { [TEAM]: 'blue' }, true, false],
    ['1.15', { [TEAM]: 'blue' }, true, false],
    ['1.16', { [TEAM]: 'blue' }, false, true],
    ['1.19', { [TEAM]: 'blue' }, false, true],
    ['1.15', { [NAME]: 'other' }, true, false],
    ['1.16', { [NAME]: 'other' }, false, true],
  ] as const)('Cilium %s: fromEndpoints %j flagged=%s (engine allowed=%s)', (version, peer, flagged, engineAllows) => {
    expect(paths(version, peerSpec(peer))).toEqual(flagged ? ['spec.ingress[0].fromEndpoints[0]'] : []);
    expect(allowed(version, peerSpec(peer), CLI_OTHER, 'pod:ns:app=srv')).toBe(engineAllows);
  });

  it('the policy namespace\'s own name as a namespace-labels key is no finding on 1.15 (the Namespace carries the label)', () => {
    expect(paths('1.15', peerSpec({ [NAME]: 'ns', app: 'srv' }))).toEqual([]);
  });

  it.each([
    // [version, flagged]: on 1.14 the peer {app: cli} of a reserved:init CNP is every namespace's (cli in `other`).
    ['1.14', false],
    ['1.15', true],
  ] as const)('Cilium %s: a reserved:init CNP\'s peer flagged=%s', (version, flagged) => {
    expect(paths(version, initSpec)).toEqual(flagged ? ['spec.ingress[0].fromEndpoints[0]'] : []);
  });
});
