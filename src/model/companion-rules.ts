/**
 * The companion rules a workload policy needs beside its own: DNS lookups through Cilium's DNS proxy (which `toFQDNs`
 * rules learn their addresses from) and probes from the local node. One definition for the constructs (`allowDns`,
 * `allowHostProbes`, `Peer.kubeDns()`) and the Hubble draft, which builds its policies as the model.
 */
import { RuleGrantModel } from './rule-items';
import { NAMESPACE_LABEL } from './selectors';
import { FqdnSelectorModel, LabelSelectorModel, PeerField, PortProtocolModel } from './policy-model';

/** The namespace of the cluster DNS pods. */
export const KUBE_DNS_NAMESPACE = 'kube-system';

/** The pod labels of the cluster DNS pods (`k8s-app: kube-dns`, from Kubernetes). */
export const KUBE_DNS_LABELS: { readonly [key: string]: string } = { 'k8s:k8s-app': 'kube-dns' };

/** The DNS name pattern of every name (`matchPattern: "*"`): the proxy sees every lookup, none is refused. */
export const DNS_ANY_NAME = '*';

/** The entity kubelet probes come from: the local node. */
export const HOST_PROBE_ENTITY = 'host';

/**
 * The ports the Kubernetes API server listens on, as pods and nodes reach it through the `kube-apiserver` entity: 6443/TCP
 * (kubeadm, k3s, RKE2) and 443/TCP (most managed clusters). Never every port: on a self-managed cluster the entity is the
 * control-plane nodes, which also serve etcd, the kubelet and SSH.
 */
export const API_SERVER_PORTS: readonly number[] = [6443, 443];

/** The cluster DNS pods as an endpoint selector, their namespace explicit (as every endpoint peer is written). */
export function kubeDnsSelector(): LabelSelectorModel {
  return { matchLabels: { ...KUBE_DNS_LABELS, [NAMESPACE_LABEL]: KUBE_DNS_NAMESPACE } };
}

/** The ports of DNS: 53/UDP and 53/TCP (a truncated answer is retried over TCP). */
export function dnsPorts(): PortProtocolModel[] {
  return [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }];
}

/** The DNS rule that lets every name be looked up through the DNS proxy. */
export function dnsAnyName(): FqdnSelectorModel {
  return { matchPattern: DNS_ANY_NAME };
}

/** DNS egress to the cluster DNS pods on 53/UDP and 53/TCP, every name, through the DNS proxy (an L7 `dns` rule). */
export function dnsCompanionGrant(): RuleGrantModel {
  return { field: PeerField.ENDPOINTS, peerItem: { endpoints: [kubeDnsSelector()] }, ports: dnsPorts(), icmps: [], rules: { dns: [dnsAnyName()] } };
}

/** Ingress from the local node (`host`: kubelet probes) on every port. */
export function hostProbesGrant(): RuleGrantModel {
  return { field: PeerField.ENTITIES, peerItem: { entities: [HOST_PROBE_ENTITY] }, ports: [], icmps: [] };
}
