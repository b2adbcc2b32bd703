// validate's pitfalls of the rules the constructs refuse (one implementation each): an egress allow of the API server's
// addresses without ports (`pitfall-kube-apiserver-every-port`, the constructs' `peer-kube-apiserver-every-port`), and a TLS
// server name with its wildcard in the registrable part of the name (`pitfall-server-names-registrable`, the constructs'
// `server-names-registrable`). The engine's verdicts say why the first matters: every port of a control-plane node.
import { describe, expect, it } from 'vitest';
import { cnp, labels, policySet, verdict } from '../engine/helpers';
import { check, findings, where } from './helpers';

const API = 'entity:kube-apiserver';
const WEB = 'pod:shop:app=web';
const TCP = (port: string): Record<string, unknown> => ({ toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] });
const policy = (spec: Record<string, unknown>): Record<string, unknown> => cnp('web', { endpointSelector: labels({ app: 'web' }), ...spec }, 'shop');
const run = (spec: Record<string, unknown>, version?: string): ReturnType<typeof check> =>
  check({ 'p.yaml': JSON.stringify(policy(spec)) }, version ? { ciliumVersion: version } : {});
const apiFindings = (spec: Record<string, unknown>): (string | undefined)[] => findings(run(spec), 'pitfall-kube-apiserver-every-port').map((d) => d.path);

describe('pitfall-kube-apiserver-every-port', () => {
  const requires = { matchLabels: { 'reserved:kube-apiserver': '' } };
  const table: [string, Record<string, unknown>, (string | undefined)[]][] = [
    ['toEntities [kube-apiserver], no toPorts', { egress: [{ toEntities: ['kube-apiserver'] }] }, ['spec.egress[0].toEntities[0]']],
    ['toEntities [remote-node, kube-apiserver]', { egress: [{ toEntities: ['remote-node', 'kube-apiserver'] }] }, ['spec.egress[0].toEntities[1]']],
    ['toEndpoints requiring reserved:kube-apiserver', { egress: [{ toEndpoints: [{ matchLabels: { app: 'x' } }, requires] }] }, ['spec.egress[0].toEndpoints[1]']],
    ['toEndpoints with Exists on it', { egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'reserved:kube-apiserver', operator: 'Exists' }] }] }] }, ['spec.egress[0].toEndpoints[0]']],
    ['toNodes requiring it', { egress: [{ toNodes: [requires] }] }, ['spec.egress[0].toNodes[0]']],
    // Keys as Cilium reads them (pkg/labels GetExtendedKeyFrom → ParseSource): `$x` and `reserved.x` are `reserved:x`.
    ['toEndpoints requiring $kube-apiserver', { egress: [{ toEndpoints: [{ matchLabels: { '$kube-apiserver': '' } }] }] }, ['spec.egress[0].toEndpoints[0]']],
    ['toEndpoints requiring reserved.kube-apiserver', { egress: [{ toEndpoints: [{ matchLabels: { 'reserved.kube-apiserver': '' } }] }] }, ['spec.egress[0].toEndpoints[0]']],
    ['toEndpoints with Exists on $kube-apiserver', { egress: [{ toEndpoints: [{ matchExpressions: [{ key: '$kube-apiserver', operator: 'Exists' }] }] }] },
      ['spec.egress[0].toEndpoints[0]']],
    ['toNodes with In on reserved.kube-apiserver', { egress: [{ toNodes: [{ matchExpressions: [{ key: 'reserved.kube-apiserver', operator: 'In', values: [''] }] }] }] },
      ['spec.egress[0].toNodes[0]']],
    ['k8s:kube-apiserver is a pod label, not it', { egress: [{ toEndpoints: [{ matchLabels: { 'k8s:kube-apiserver': '' } }] }] }, []],
    ['with toPorts 6443/TCP', { egress: [{ toEntities: ['kube-apiserver'], ...TCP('6443') }] }, []],
    ['with every port said outright (0/ANY)', { egress: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }] }, []],
    ['with ICMP types only', { egress: [{ toEntities: ['kube-apiserver'], icmps: [{ fields: [{ type: 8 }] }] }] }, []],
    ['a deny without ports (denies more)', { egressDeny: [{ toEntities: ['kube-apiserver'] }] }, []],
    ['an ingress allow from it (the subject\'s own ports)', { ingress: [{ fromEntities: ['kube-apiserver'] }] }, []],
    ['another entity without ports', { egress: [{ toEntities: ['remote-node'] }] }, []],
    ['NotIn on it (excludes the API server)', { egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'reserved:kube-apiserver', operator: 'NotIn', values: [''] }] }] }] }, []],
  ];
  it.each(table)('%s', (_name, spec, at) => {
    expect(apiFindings(spec)).toEqual(at);
  });

  it('names the field, why, and the fix with the API server\'s ports', () => {
    const [d] = findings(run({ egress: [{ toEndpoints: [{ matchLabels: { app: 'x' } }, requires] }] }), 'pitfall-kube-apiserver-every-port');
    expect(d.severity).toBe('warning');
    expect(d.path).toBe('spec.egress[0].toEndpoints[1]');
    expect(d.message).toBe('this egress allow of the API server has no toPorts, so it allows every port of the API server\'s addresses, not the API '
      + 'server: Cilium gives the kube-apiserver identity (reserved:kube-apiserver, which the peer selects) to the backends of default/kubernetes, '
      + 'which on a self-managed cluster are the control-plane nodes, and an egress rule without ports holds on every port of them (etcd 2379/TCP, '
      + 'the kubelet 10250/TCP, SSH 22/TCP)');
    expect(d.fix).toBe('give the port the API server listens on, as pods reach it after service translation: toPorts: [{ports: [{port: "6443", '
      + 'protocol: TCP}, {port: "443", protocol: TCP}]}]; if every port of those addresses is meant, say so: ports: [{port: "0", protocol: ANY}]');
    const [e] = findings(run({ egress: [{ toEntities: ['world', 'kube-apiserver'] }] }), 'pitfall-kube-apiserver-every-port');
    expect(e.path).toBe('spec.egress[0].toEntities[1]');
  });

  // The engine reads `$kube-apiserver` and `reserved.kube-apiserver` as the API server's label: the port-less allow the
  // finding reports opens etcd there.
  it('engine: toEndpoints of $kube-apiserver or reserved.kube-apiserver without ports allows 2379 to the API server\'s identity', () => {
    for (const key of ['$kube-apiserver', 'reserved.kube-apiserver']) {
      const set = policySet([policy({ egress: [{ toEndpoints: [{ matchLabels: { [key]: '' } }] }] })]);
      expect(verdict(set, WEB, API, 2379).verdict, key).toBe('allowed');
      expect(verdict(set, WEB, 'cidr:203.0.113.7', 2379).verdict, key).toBe('denied');
    }
  });

  // What the warning claims, by the engine: the API server's identity is a control-plane node's, so a port-less allow
  // opens etcd, the kubelet and SSH there; the port-scoped allow opens the API server's port only.
  it('engine: without ports every port of the API server\'s addresses is allowed; with 6443 only 6443', () => {
    const portless = policySet([policy({ egress: [{ toEntities: ['kube-apiserver'] }] })]);
    const scoped = policySet([policy({ egress: [{ toEntities: ['kube-apiserver'], ...TCP('6443') }] })]);
    for (const port of [6443, 2379, 2380, 10250, 22]) {
      expect(verdict(portless, WEB, API, port).verdict, `port-less, ${port}`).toBe('allowed');
      expect(verdict(scoped, WEB, API, port).verdict, `6443 only, ${port}`).toBe(port === 6443 ? 'allowed' : 'denied');
    }
  });
});

describe('pitfall-server-names-registrable', () => {
  const tls = (names: string[], section = 'egress'): Record<string, unknown> => ({
    [section]: [{ [section === 'egress' ? 'toCIDR' : 'fromCIDR']: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: names }] }],
  });
  const messages = (spec: Record<string, unknown>, version = '1.18'): string[] =>
    findings(run(spec, version), 'pitfall-server-names-registrable').map((d) => `${d.path}: ${d.message}`);

  it.each([
    ['*.com', 'x.com'], ['**.com', 'x.com'], ['*.co.uk', 'x.co.uk'], ['**.co.uk', 'x.co.uk'],
  ])('1.18: %s matches names such as %s, anyone may register', (name, example) => {
    expect(messages(tls(['api.example.com', name]))).toEqual([`spec.egress[0].toPorts[0].serverNames[1]: serverNames ${JSON.stringify(name)} has `
      + `its wildcard in the registrable part of the name: it matches TLS server names such as ${example}, which anyone may register and serve `
      + 'from the peer\'s addresses']);
  });

  it.each(['api.example.com', '*.example.com', '**.example.com', '*.api.example.co.uk', '*.internal'])('%s: no finding', (name) => {
    expect(messages(tls([name]))).toEqual([]);
  });

  it('before 1.18 the name matches nothing and widens on upgrade: said so; on ingress too; the fix', () => {
    expect(messages(tls(['*.com']), '1.17')).toEqual(['spec.egress[0].toPorts[0].serverNames[0]: serverNames "*.com" has its wildcard in the '
      + 'registrable part of the name: Cilium 1.17 compares server names as written, so it matches no server name, and from Cilium 1.18 it '
      + 'would match names such as x.com, which anyone may register']);
    expect(messages(tls(['*.com'], 'ingress'))).toEqual([expect.stringMatching(/^spec\.ingress\[0\]\.toPorts\[0\]\.serverNames\[0\]: /)]);
    const [d] = findings(run(tls(['*.com']), '1.18'), 'pitfall-server-names-registrable');
    expect(d.severity).toBe('warning');
    expect(d.fix).toBe('list the server names, or put the wildcard below a domain of your own ("*.api.example.com", "**.example.com")');
  });

  it('on ingress (the subject is the TLS server, the client writes the SNI): the client chooses the name, on 1.18 and before', () => {
    const said = 'on ingress the client chooses the server name it sends, so the allowed clients\' TLS connections naming any such name would be '
      + 'let through, whatever names this endpoint serves';
    expect(messages(tls(['*.com'], 'ingress'))).toEqual(['spec.ingress[0].toPorts[0].serverNames[0]: serverNames "*.com" has its wildcard in the '
      + `registrable part of the name: it matches TLS server names such as x.com, and ${said}`]);
    expect(messages(tls(['**.co.uk'], 'ingress'), '1.17')).toEqual(['spec.ingress[0].toPorts[0].serverNames[0]: serverNames "**.co.uk" has its '
      + 'wildcard in the registrable part of the name: Cilium 1.17 compares server names as written, so it matches no server name, and from '
      + `Cilium 1.18 it would match names such as x.co.uk: ${said}`]);
  });

  it('1.18: a name the CRD pattern refuses (*.*) is left to that refusal', () => {
    const report = run(tls(['*.*']), '1.18');
    expect(where(report, 'pitfall-server-names-registrable')).toEqual([]);
    expect(report.diagnostics.map((d) => d.id)).toContain('crd-server-name-syntax');
  });
});
