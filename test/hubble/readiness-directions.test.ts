// Replay's readiness is about the directions the policies enforce on a namespace's pods, not the sides the capture shows
// (session 47). Before: a pod seen only as a client, selected by an ingress-only policy, made its namespace "ready to
// enforce" (a policy selected it, and none of its egress would be dropped), yet nothing of what that policy enforces was
// judged; a policy that enforces nothing (`enableDefaultDeny: false`, allows only) made it "ready" too.
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { FlowSource, NamespaceRollout, replayFlows } from '../../src/hubble';

/** One forwarded TCP connection attempt (jsonpb) from `src` to `dst` ([namespace, app, identity]) on `port`. */
function flow(src: readonly [string, string, number], dst: readonly [string, string, number], port: number): string {
  const end = ([ns, app, identity]: readonly [string, string, number]): Record<string, unknown> => ({
    identity, namespace: ns, labels: [`k8s:app=${app}`, `k8s:io.kubernetes.pod.namespace=${ns}`],
  });
  return JSON.stringify({ flow: {
    time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', Type: 'L3_L4', traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '10.0.2.20' }, l4: { TCP: { source_port: 40000, destination_port: port } },
    source: end(src), destination: end(dst),
  } });
}

const CLIENT = ['cli', 'client', 300] as const;
const SERVER = ['srv', 'server', 301] as const;

/** A CNP selecting cli/app=client with `spec` (YAML lines under `spec:`). */
function clientPolicy(spec: string): PolicySet {
  return PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: cli}
spec:
  endpointSelector: {matchLabels: {app: client}}
${spec}`, { file: 'client.yaml' });
}

async function rollout(flows: string[], policies: PolicySet): Promise<NamespaceRollout> {
  const report = await replayFlows(FlowSource.text(flows.join('\n')), policies);
  const cli = report.namespaces.find((n) => n.namespace === 'cli');
  if (cli === undefined) throw new Error('no rollout row for cli');
  return cli;
}

describe('readiness counts the directions the policies enforce', () => {
  test('an ingress-only policy on a pod seen only as a client: not ready, naming the ingress no connection shows', async () => {
    const r = await rollout([flow(CLIENT, SERVER, 80)], clientPolicy('  ingress:\n  - fromEntities: [host]\n'));
    expect(r).toMatchObject({ flowing: 1, wouldBeDropped: 0, readyToEnforce: false });
    expect(r.reason).toMatch(/^not ready: the policies enforce ingress of pod:cli:app=client \(what they would drop there is not known: capture that traffic too\), where no connection was judged over /);
  });

  test('an egress-only policy on a pod seen only as a server: not ready, naming its egress', async () => {
    const r = await rollout([flow(SERVER, CLIENT, 80)], clientPolicy('  egress:\n  - toEntities: [world]\n'));
    expect(r).toMatchObject({ flowing: 1, readyToEnforce: false });
    expect(r.reason).toMatch(/^not ready: the policies enforce egress of pod:cli:app=client \(/);
  });

  test('the enforced direction seen and nothing dropped: ready; the other direction unseen but not enforced: still ready', async () => {
    const egress = clientPolicy('  egress:\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: srv, app: server}}]\n');
    const r = await rollout([flow(CLIENT, SERVER, 80)], egress);
    expect(r.readyToEnforce).toBe(true);
    expect(r.reason).toMatch(/^ready to enforce: none of the 1 connection observed flowing over /);
    // Both directions enforced, both seen: ready.
    const both = clientPolicy('  egress:\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: srv, app: server}}]\n'
      + '  ingress:\n  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: srv, app: server}}]\n');
    expect((await rollout([flow(CLIENT, SERVER, 80), flow(SERVER, CLIENT, 81)], both)).readyToEnforce).toBe(true);
    expect((await rollout([flow(CLIENT, SERVER, 80)], both)).reason).toMatch(/^not ready: the policies enforce ingress of pod:cli:app=client \(/);
  });

  test('a policy that selects the pod but enforces nothing (enableDefaultDeny false, allows only): nothing to enforce', async () => {
    const r = await rollout([flow(CLIENT, SERVER, 80)], clientPolicy('  enableDefaultDeny: {egress: false}\n  egress:\n  - toEntities: [world]\n'));
    expect(r.readyToEnforce).toBe(false);
    expect(r.reason).toMatch(/^nothing to enforce: the policies enforce no direction on the pods of the namespace in the 1 connection observed flowing/);
    // A deny rule enforces even without default deny: the egress seen is judged, so ready.
    const deny = await rollout([flow(CLIENT, SERVER, 80)], clientPolicy('  enableDefaultDeny: {egress: false}\n  egressDeny:\n  - toEntities: [world]\n'));
    expect(deny.readyToEnforce).toBe(true);
  });
});
