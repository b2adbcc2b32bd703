import { PolicySet } from '../../../src/engine';

/**
 * The shop capture's backend (`shop/app=backend`) admitting Prometheus (`monitoring`, `app.kubernetes.io/name=prometheus`)
 * on one port only, as YAML text (for the CLI's policy files).
 */
export function backendPolicyYaml(allowPort: number): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: backend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: backend}}
  ingress:
  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: monitoring, app.kubernetes.io/name: prometheus}}]
    toPorts: [{ports: [{port: "${allowPort}", protocol: TCP}]}]
`;
}

/** The same policy as a set: the capture's scrapes of backend:9090 are allowed with 9090, denied with any other. */
export function backendPolicy(allowPort: number): PolicySet {
  return PolicySet.fromYaml(backendPolicyYaml(allowPort), { file: 'backend.yaml' });
}
