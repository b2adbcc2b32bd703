// How an egress named port resolves toward the cluster DNS pods (src/validate/pitfall-dns.ts `dnsPortNumbers`, `coversDnsPort`).
// The port names a kube-dns Service of the input gives its port 53: without
// DNS pods in the input, an egress named port is resolved on the conventional DNS ports and on the named targetPorts of the
// Service's port 53, and only those: a named targetPort of another Service port (CoreDNS's metrics, 9153) is no DNS port.
// Both sides read them: a deny on such a name cuts DNS (`pitfall-dns-denied`, `pitfall-dns-tcp-denied`), an allow on it lets
// DNS through (no `pitfall-default-deny-without-dns`). A name the DNS pods of the input declare on another number than 53 covers
// 53 only with an endPort over it. Session 58: mutants of session 57's DNS port resolution
// (docs/testing.md, "Session 58", seed 5805) that no test told apart. Checked against the engine's verdicts with the pods
// the Service stands for.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } };
/** kube-dns with its DNS port's targetPort named `resolve` (UDP) and `resolve-tcp` (TCP), and its metrics port named `metrics`. */
const SERVICE: Doc = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' },
  spec: { selector: { 'k8s-app': 'kube-dns' }, ports: [
    { name: 'dns', port: 53, targetPort: 'resolve', protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 'resolve-tcp', protocol: 'TCP' },
    { name: 'metrics', port: 9153, targetPort: 'metrics', protocol: 'TCP' },
  ] },
};
/** The pods the Service stands for: its names on the numbers it gives them. */
const PODS: Doc = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'coredns', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { 'k8s-app': 'kube-dns' } }, template: { metadata: { labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [{
    name: 'coredns', image: 'coredns', ports: [{ containerPort: 53, name: 'resolve', protocol: 'UDP' }, { containerPort: 53, name: 'resolve-tcp', protocol: 'TCP' },
      { containerPort: 9153, name: 'metrics', protocol: 'TCP' }] }] } } },
};
const policy = (spec: Doc, name = 'web'): Doc => ({
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'web' } }, ...spec },
});
const onPort = (port: string, protocol: string): Doc => ({ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port, protocol }] }] });

/**
 * validate's DNS findings on `docs` with `inputs` (by default the Service, no DNS pods), and the engine's verdicts on 53/UDP and
 * 53/TCP with the pods (`PODS`, or those of `inputs`).
 */
function judged(docs: readonly Doc[], inputs: readonly Doc[] = [SERVICE], pods: readonly Doc[] = [SERVICE, PODS]):
  { findings: string[]; engine: string[] } {
  const report = check(Object.fromEntries([...docs, ...inputs].map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion: '1.19' });
  const ids = ['pitfall-dns-denied', 'pitfall-dns-tcp-denied', 'pitfall-default-deny-without-dns'];
  const set = PolicySet.fromYaml([...docs, ...pods].map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'p.yaml', ciliumVersion: CiliumVersion.V1_19 });
  return {
    findings: ids.flatMap((id) => findings(report, id).map((d) => d.id)),
    engine: ['UDP', 'TCP'].map((p) => `53/${p} ${verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', `53/${p}`).verdict}`),
  };
}

const ALLOW_DNS = policy({ egress: [{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }, 'dns');

describe('a deny on a name of the kube-dns Service: its port 53\'s targetPorts only', () => {
  it('resolve-tcp (port 53\'s TCP targetPort): DNS over TCP cut, found', () => {
    expect(judged([ALLOW_DNS, policy({ egressDeny: [onPort('resolve-tcp', 'TCP')] })]))
      .toEqual({ findings: ['pitfall-dns-tcp-denied'], engine: ['53/UDP allowed', '53/TCP denied'] });
  });

  it('metrics (port 9153\'s targetPort): nothing of DNS cut, no finding', () => {
    expect(judged([ALLOW_DNS, policy({ egressDeny: [onPort('metrics', 'TCP')] })]))
      .toEqual({ findings: [], engine: ['53/UDP allowed', '53/TCP allowed'] });
  });
});

describe('an egress default deny whose DNS allow names the kube-dns Service\'s targetPorts', () => {
  it('an allow on resolve and resolve-tcp lets DNS through: no finding', () => {
    expect(judged([policy({ egress: [onPort('resolve', 'UDP'), onPort('resolve-tcp', 'TCP')] })]))
      .toEqual({ findings: [], engine: ['53/UDP allowed', '53/TCP allowed'] });
  });

  it('an allow on metrics only: DNS cut, found', () => {
    expect(judged([policy({ egress: [onPort('metrics', 'TCP')] })]))
      .toEqual({ findings: ['pitfall-default-deny-without-dns'], engine: ['53/UDP denied', '53/TCP denied'] });
  });
});

describe('a name the DNS pods of the input declare below 53', () => {
  // CoreDNS with one more UDP port, `low` on 35.
  const pods = JSON.parse(JSON.stringify(PODS)) as { spec: { template: { spec: { containers: { ports: Doc[] }[] } } } };
  pods.spec.template.spec.containers[0].ports.push({ containerPort: 35, name: 'low', protocol: 'UDP' });
  const inputs = [pods as unknown as Doc];

  it('a deny on it does not cut DNS: no finding', () => {
    expect(judged([ALLOW_DNS, policy({ egressDeny: [onPort('low', 'UDP')] })], inputs, inputs))
      .toEqual({ findings: [], engine: ['53/UDP allowed', '53/TCP allowed'] });
  });

  it('a deny on it with an endPort over 53 does: found', () => {
    const deny = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: 'low', endPort: 60, protocol: 'UDP' }] }] };
    expect(judged([ALLOW_DNS, policy({ egressDeny: [deny] })], inputs, inputs))
      .toEqual({ findings: ['pitfall-dns-denied'], engine: ['53/UDP denied', '53/TCP allowed'] });
  });
});
