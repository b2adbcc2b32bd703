// validate's pitfalls of the allows without ports the constructs refuse (session 53; one rule each, shared with them): an
// egress allow of toServices without toPorts (`pitfall-services-every-port`, the constructs' `peer-service-every-port`:
// `servicesEveryPort`) and a host policy's ingress allow of a broad peer without toPorts (`pitfall-host-ingress-every-port`,
// the constructs' `host-firewall-ingress-every-port`: `hostIngressEveryPort`). Before, `validate` said nothing of either on
// hand-written YAML. The engine's verdicts say why they matter: every port of the backends, of the nodes.
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, HostFirewall, Peer, Port } from '../../src';
import { validateApp } from '../../src/validate';
import { ccnp, cnp, labels, policySet, verdict } from '../engine/helpers';
import { chart } from '../support/synth';
import { check, findings } from './helpers';

const SERVICES = 'pitfall-services-every-port';
const HOST = 'pitfall-host-ingress-every-port';
const TCP = (port: string): Record<string, unknown> => ({ toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] });
const DB = { k8sService: { serviceName: 'db', namespace: 'shop' } };
const SERVICE_DB = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' },
  spec: { selector: { app: 'db' }, ports: [{ port: 80, targetPort: 5432 }] },
};
const web = (spec: Record<string, unknown>): Record<string, unknown> => cnp('web', { endpointSelector: labels({ app: 'web' }), ...spec }, 'shop');
const nodes = (spec: Record<string, unknown>): Record<string, unknown> => ccnp('nodes', { nodeSelector: {}, ...spec });
const paths = (docs: Record<string, unknown>[], id: string, version?: string): (string | undefined)[] =>
  findings(check({ 'p.yaml': docs.map((d) => JSON.stringify(d)).join('\n---\n') }, version ? { ciliumVersion: version } : {}), id).map((d) => d.path);

describe('pitfall-services-every-port', () => {
  const table: [string, Record<string, unknown>, (string | undefined)[]][] = [
    ['toServices k8sService, no toPorts', { egress: [{ toServices: [DB] }] }, ['spec.egress[0].toServices']],
    ['toServices k8sServiceSelector, no toPorts', { egress: [{ toServices: [{ k8sServiceSelector: { selector: labels({ tier: 'data' }) } }] }] },
      ['spec.egress[0].toServices']],
    ['the second item', { egress: [{ toEndpoints: [labels({ app: 'x' })], ...TCP('80') }, { toServices: [DB] }] }, ['spec.egress[1].toServices']],
    ['with toPorts 5432/TCP', { egress: [{ toServices: [DB], ...TCP('5432') }] }, []],
    ['with ICMP types only', { egress: [{ toServices: [DB], icmps: [{ fields: [{ type: 8 }] }] }] }, []],
    ['in egressDeny (never resolved: pitfall-deny-services-unresolved)', { egressDeny: [{ toServices: [DB] }] }, []],
    ['toEndpoints without ports (not a Service)', { egress: [{ toEndpoints: [labels({ app: 'db' })] }] }, []],
  ];
  it.each(table)('%s', (_name, spec, at) => {
    expect(paths([web(spec)], SERVICES)).toEqual(at);
  });

  it('a warning naming why and the fix, which on 1.14-1.16 names the pods instead of toPorts', () => {
    const [d] = findings(check({ 'p.yaml': JSON.stringify(web({ egress: [{ toServices: [DB] }] })) }), SERVICES);
    expect(d.severity).toBe('warning');
    expect(d.message).toBe('this egress allow of toServices has no toPorts, so it allows every port of the Services\' backends, not the Services\' '
      + 'ports: Cilium translates toServices to the backends (the pods the Service selects, or its endpoint addresses) and never reads the Service\'s '
      + 'ports, so an egress rule without ports holds on every port of those backends');
    expect(d.fix).toMatch(/^give the ports the backends listen on \(the Services' targetPorts, matched after service translation\): toPorts: /);
    const [old] = findings(check({ 'p.yaml': JSON.stringify(web({ egress: [{ toServices: [DB] }] })) }, { ciliumVersion: '1.16' }), SERVICES);
    expect(old.fix).toMatch(/^Cilium 1\.16 refuses toPorts beside toServices \(from 1\.17 it takes them\): select the backends by their labels/);
  });

  it('what it reports: every port of the backends allowed (the Service exposes 80 → 5432), not only the Service\'s', () => {
    const open = policySet([web({ egress: [{ toServices: [DB] }] }), SERVICE_DB]);
    expect(['5432', '80', '22', '2379'].map((p) => verdict(open, 'pod:shop:app=web', 'pod:shop:app=db', p).verdict))
      .toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    const fixed = policySet([web({ egress: [{ toServices: [DB], ...TCP('5432') }] }), SERVICE_DB]);
    expect(['5432', '80', '22', '2379'].map((p) => verdict(fixed, 'pod:shop:app=web', 'pod:shop:app=db', p).verdict))
      .toEqual(['allowed', 'denied', 'denied', 'denied']);
  });

  it('the constructs: refused where written; Port.allPorts() (written as no toPorts) gives no warning at synthesis, a raw object does', () => {
    const c = chart('shop', CiliumVersion.V1_19);
    new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.service('db'), { ports: [Port.allPorts()] });
    expect(validateApp(c).filter((d) => d.id === SERVICES)).toEqual([]);
    new ApiObject(c, 'raw', web({ egress: [{ toServices: [DB] }] }) as never);
    expect(validateApp(c).filter((d) => d.id === SERVICES).map((d) => `${d.constructPath} ${d.path}`)).toEqual(['test/raw spec.egress[0].toServices']);
  });
});

describe('pitfall-host-ingress-every-port', () => {
  const table: [string, Record<string, unknown>, (string | undefined)[]][] = [
    ['fromEntities [world], no toPorts', { ingress: [{ fromEntities: ['world'] }] }, ['spec.ingress[0]']],
    ['fromEntities [cluster]', { ingress: [{ fromEntities: ['cluster'] }] }, ['spec.ingress[0]']],
    ['fromEntities [all]', { ingress: [{ fromEntities: ['all'] }] }, ['spec.ingress[0]']],
    ['fromCIDR 0.0.0.0/0', { ingress: [{ fromCIDR: ['0.0.0.0/0'] }] }, ['spec.ingress[0]']],
    ['fromCIDR 10.0.0.0/7 (wider than a /8)', { ingress: [{ fromCIDR: ['10.0.0.0/7'] }] }, ['spec.ingress[0]']],
    ['fromCIDRSet of a CIDR group', { ingress: [{ fromCIDRSet: [{ cidrGroupRef: 'office' }] }] }, ['spec.ingress[0]']],
    ['fromEndpoints {} (every pod)', { ingress: [{ fromEndpoints: [{}] }] }, ['spec.ingress[0]']],
    // Session 54: whatever Cilium's Ingress and Gateway API Envoy relays (reserved:ingress), the world included; and a selector
    // that requires a reserved label by expression or beside other labels is the entity it names (reservedAsEntities).
    ['fromEntities [ingress]', { ingress: [{ fromEntities: ['ingress'] }] }, ['spec.ingress[0]']],
    ['fromEndpoints reserved:world Exists', { ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'reserved:world', operator: 'Exists' }] }] }] },
      ['spec.ingress[0]']],
    ['fromEndpoints reserved:unmanaged beside app', { ingress: [{ fromEndpoints: [labels({ 'reserved:unmanaged': '', app: 'x' })] }] }, ['spec.ingress[0]']],
    ['the second item', { ingress: [{ fromEntities: ['remote-node'], ...TCP('4240') }, { fromEntities: ['world'] }] }, ['spec.ingress[1]']],
    ['with toPorts 22/TCP', { ingress: [{ fromEntities: ['world'], ...TCP('22') }] }, []],
    ['every port said outright (0/ANY)', { ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }] }, []],
    ['with ICMP types only', { ingress: [{ fromEntities: ['world'], icmps: [{ fields: [{ type: 8 }] }] }] }, []],
    ['fromEntities [remote-node] (not broad)', { ingress: [{ fromEntities: ['remote-node'] }] }, []],
    ['fromCIDR 10.0.0.0/24 (narrow)', { ingress: [{ fromCIDR: ['10.0.0.0/24'] }] }, []],
    ['an ingressDeny without ports (denies more)', { ingressDeny: [{ fromEntities: ['world'] }] }, []],
    ['an egress allow to the world without ports', { egress: [{ toEntities: ['world'] }] }, []],
  ];
  it.each(table)('%s', (_name, spec, at) => {
    expect(paths([nodes(spec)], HOST)).toEqual(at);
  });

  it('not on pods: a CNP or CCNP endpointSelector\'s port-less ingress from the world opens the pods\' own ports', () => {
    expect(paths([web({ ingress: [{ fromEntities: ['world'] }] })], HOST)).toEqual([]);
    expect(paths([ccnp('pods', { endpointSelector: {}, ingress: [{ fromEntities: ['world'] }] })], HOST)).toEqual([]);
  });

  it('a warning naming the broad peer, what it opens and the fix', () => {
    const [d] = findings(check({ 'p.yaml': JSON.stringify(nodes({ ingress: [{ fromEntities: ['world'] }] })) }), HOST);
    expect(d.severity).toBe('warning');
    expect(d.message).toBe('this ingress allow of a host policy has no toPorts: the peer selects the entity world, and an ingress rule without '
      + 'ports opens every port of the nodes the policy selects (etcd 2379-2380/TCP, the kubelet 10250/TCP, SSH 22/TCP, every node port) to it');
    expect(d.fix).toBe('name the ports meant: toPorts: [{ports: [{port: "30443", protocol: TCP}]}]; if every port of the nodes is meant for that '
      + 'peer, say so: toPorts: [{ports: [{port: "0", protocol: ANY}]}]');
  });

  it('what it reports: SSH, the kubelet and etcd of every node open to the world; with the port, only it', () => {
    const open = policySet([nodes({ ingress: [{ fromEntities: ['world'] }] })]);
    const node = 'node:kubernetes.io/hostname=n1';
    expect(['22', '10250', '2379', '30443'].map((p) => verdict(open, 'cidr:203.0.113.5', node, p).verdict))
      .toEqual(['allowed', 'allowed', 'allowed', 'allowed']);
    const fixed = policySet([nodes({ ingress: [{ fromEntities: ['world'], ...TCP('30443') }] })]);
    expect(['22', '10250', '2379', '30443'].map((p) => verdict(fixed, 'cidr:203.0.113.5', node, p).verdict))
      .toEqual(['denied', 'denied', 'denied', 'allowed']);
  });

  it('the constructs\' own output gives none (HostFirewall with its guards), a raw object does', () => {
    const c = chart();
    new HostFirewall(c, 'fw', { managementCidrs: ['10.50.0.0/24'] });
    expect(validateApp(c).filter((d) => d.id === HOST)).toEqual([]);
    const raw = chart();
    new ApiObject(raw, 'raw', nodes({ ingress: [{ fromEntities: ['world'] }] }) as never);
    expect(validateApp(raw).filter((d) => d.id === HOST).map((d) => `${d.constructPath} ${d.path}`)).toEqual(['test/raw spec.ingress[0]']);
  });
});
