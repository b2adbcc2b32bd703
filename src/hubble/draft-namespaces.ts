/**
 * The namespaces a draft treats apart, and what its outputs say of them (the YAML and TypeScript headers, and the CLI
 * summary, say the same words): namespaces of cluster infrastructure left out unless asked for (`kube-system`), and the
 * usual namespaces of platform add-ons whose pods serve peers across the cluster, drafted but named for review, since a
 * capture shows few of those peers and a drafted policy drops the others once applied (Cilium pkg/policy/repository.go
 * `computePolicyEnforcementAndRules`: a pod selected by a rule with a section of a direction is in default deny there).
 * No cdk8s import: the CLI reads it without loading the drafting.
 */

/**
 * The namespaces of cluster infrastructure that every pod reaches: left out of a draft unless asked for
 * (`DraftOptions.includeKubeSystem`, or named in `DraftOptions.namespaces`), and named for review when drafted.
 * Not `ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES` (kube-system, kube-public, kube-node-lease, cilium), on purpose: that
 * list is what a cluster-wide default deny exempts so that the cluster keeps working (a construct's default, in the
 * constructs layer, which this module, read by the CLI without cdk8s, does not import); this one is what a draft from a
 * capture leaves out. kube-public and kube-node-lease run no pods to draft, and `cilium` is drafted with a review note.
 */
export const INFRASTRUCTURE_NAMESPACES: readonly string[] = ['kube-system'];

/** The usual namespaces of platform add-ons, with whom their pods serve. */
const PLATFORM_NAMESPACES: Readonly<Record<string, string>> = {
  'cert-manager': 'cert-manager: its webhook serves the API server',
  'cilium': "Cilium's own pods installed outside kube-system: Hubble Relay serves Hubble's clients, the operator the agents",
  'gatekeeper-system': 'OPA Gatekeeper: its admission webhook serves the API server for every object',
  'ingress-nginx': 'ingress-nginx: the controller takes clients from anywhere, its admission webhook serves the API server',
  'istio-ingress': 'an Istio ingress gateway: it takes clients from anywhere',
  'istio-system': 'Istio: istiod serves configuration and certificates to every sidecar, its webhook the API server',
  'kyverno': 'Kyverno: its admission webhook serves the API server for every object',
  'linkerd': 'Linkerd: its control plane serves every meshed pod, its injector the API server',
  'monitoring': 'a monitoring stack: Prometheus scrapes pods of every namespace',
};

/** What is said of a namespace of cluster infrastructure left out of the draft: its traffic, and the flag that drafts it. */
export function namespaceLeftOutNote(n: { readonly namespace: string; readonly connections: number; readonly flows: number }): string {
  return `namespace ${n.namespace} left out (${n.connections} connection${n.connections === 1 ? '' : 's'}, ${n.flows} flow record`
    + `${n.flows === 1 ? '' : 's'}: every pod reaches it, and a policy drafted from a capture drops what the capture did not show; `
    + '--include-kube-system drafts it)';
}

/** Whom the pods of a namespace of cluster infrastructure serve, when it is drafted (`INFRASTRUCTURE_NAMESPACES`). */
const INFRASTRUCTURE_SERVES: Readonly<Record<string, string>> = {
  'kube-system': 'cluster infrastructure: CoreDNS serves every pod, the metrics server and webhooks the API server',
};

/**
 * What is said of a drafted namespace that is the usual one of a platform add-on (`istio-system`, `ingress-nginx`,
 * `monitoring`, …) or of cluster infrastructure (`kube-system`, drafted when asked for), or `undefined` for any other: whom
 * its pods serve, and that the capture shows few of them.
 */
export function platformNamespaceNote(namespace: string): string | undefined {
  const own = (r: Readonly<Record<string, string>>): boolean => Object.prototype.hasOwnProperty.call(r, namespace);
  const serves = own(INFRASTRUCTURE_SERVES) ? INFRASTRUCTURE_SERVES[namespace]
    : own(PLATFORM_NAMESPACES) ? PLATFORM_NAMESPACES[namespace] : undefined;
  if (serves === undefined) return undefined;
  return `namespace ${namespace} drafted: it is the usual namespace of ${serves.replace(': ', ' (')}), whose pods `
    + 'talk with peers across the cluster, of which a capture shows few, and once applied its drafted policies drop the others; '
    + 'review them, or draft your own namespaces only (--namespace)';
}
