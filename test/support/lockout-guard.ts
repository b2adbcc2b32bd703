// Helpers of the HostFirewall lockout tests: synthesize a firewall with one deny and read the paths the check refuses.
import { Chart, Testing } from 'cdk8s';
import { Entity, HostFirewall, HostFirewallProps, NodeSelector, Peer, Port } from '../../src';

/** A deny added to the firewall under test. */
export type Deny = (fw: HostFirewall) => void;

/** Synthesizes a host firewall (egress on, so both guards apply) with the given deny; returns the synthesis error, if any. */
export function lockout(deny: Deny, props: Partial<HostFirewallProps> = {}): string | undefined {
  const c = new Chart(Testing.app(), 'test');
  const fw = new HostFirewall(c, 'cp', {
    nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }),
    managementCidrs: ['10.50.0.0/24'],
    nodeDnsServers: ['169.254.169.253/32'],
    ...props,
  });
  fw.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
  deny(fw);
  try {
    Testing.synth(c);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The lockout findings of an error message: `<section>[<index>] <path>`, sorted. */
export function cut(message: string | undefined): string[] {
  return [...(message ?? '').matchAll(/spec\.(\w+)\[(\d+)\] would cut the ([\w-]+) path .*\(host-firewall-lockout\)/g)]
    .map((m) => `${m[1]}[${m[2]}] ${m[3]}`).sort();
}

/** Firewall props with the node-selector labels and the control-plane labels the guard reads. */
export const LABELS = { nodeSelectorLabels: true, controlPlaneNodeLabels: { 'node-role.kubernetes.io/control-plane': '' } };
