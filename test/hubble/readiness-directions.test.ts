// Replay's readiness is about the directions the policies enforce on a namespace's pods, not the sides the capture shows
// (session 47). Before: a pod seen only as a client, selected by an ingress-only policy, made its namespace "ready to
// enforce" (a policy selected it, and none of its egress would be dropped), yet nothing of what that policy enforces was
// judged; a policy that enforces nothing (`enableDefaultDeny: false`, allows only) made it "ready" too.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet, PolicySetOptions } from '../../src/engine';
import { FlowSource, NamespaceRollout, replayFlows } from '../../src/hubble';
import { verdict } from '../engine/helpers';

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
function clientPolicy(spec: string, options: PolicySetOptions = {}): PolicySet {
  return PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: cli}
spec:
  endpointSelector: {matchLabels: {app: client}}
${spec}`, { file: 'client.yaml', ...options });
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

// Review (session 47): a direction was counted enforced only in default deny or with a deny rule, so an allow rule that
// drops under `enableDefaultDeny: false` made the pod "ready" (or its namespace "nothing to enforce"): one with
// `authentication.mode: required` (DROP_POLICY_AUTH_REQUIRED without mutual authentication), or DNS rules before 1.18
// (they restrict; HTTP and Kafka rules are visibility only beside the wildcard rule of default-allow mode, every kind from 1.18). Readiness now asks the engine's `directionCanDrop`, the paths of its side
// decision that drop: each row checks that the engine drops some ingress of the pod exactly where readiness counts it.
describe('a direction without default deny is enforced where its allow rules can drop', () => {
  const NO_DD = '  enableDefaultDeny: {ingress: false}\n  ingress:\n';
  const SERVER_POD = 'pod:srv:app=server';
  const CLIENT_POD = 'pod:cli:app=client';
  test.each([
    // name, ingress items, options, enforced, the engine's verdict on server → client (port, HTTP request)
    ['authentication required', '  - fromEntities: [cluster]\n    authentication: {mode: required}\n', {}, true, 'denied auth-required'],
    ['authentication required, mutual authentication (the host is still dropped)', '  - fromEntities: [cluster]\n    authentication: {mode: required}\n',
      { mutualAuth: true }, true, 'allowed allowed'],
    ['authentication disabled', '  - fromEntities: [cluster]\n    authentication: {mode: disabled}\n', {}, false, 'allowed allowed'],
    ['no authentication, no L7', '  - fromEntities: [cluster]\n', {}, false, 'allowed allowed'],
    ['HTTP rules on 1.17 (visibility only: Envoy also reads the wildcard rule\'s allow-all on the wildcard port)',
      '  - fromEntities: [cluster]\n    toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]\n',
      { ciliumVersion: CiliumVersion.V1_17 }, false, 'allowed allowed'],
    ['HTTP rules on 1.18 (visibility only)', '  - fromEntities: [cluster]\n    toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]\n',
      { ciliumVersion: CiliumVersion.V1_18 }, false, 'allowed allowed'],
  ] as const)('%s', async (_name, items, options, enforced, engine) => {
    const set = clientPolicy(NO_DD + items, options);
    const v = verdict(set, SERVER_POD, CLIENT_POD, 8080, { http: 'POST /' });
    expect(`${v.verdict} ${v.ingress.decision}`).toBe(engine);
    const r = await rollout([flow(CLIENT, SERVER, 80)], set);
    expect(r.readyToEnforce).toBe(false);
    expect(r.reason).toMatch(enforced ? /^not ready: the policies enforce ingress of pod:cli:app=client \(what they would drop there is not known/
      : /^nothing to enforce: the policies enforce no direction on the pods of the namespace/);
  });

  test('with mutual authentication, required still drops a reserved peer (the host), so the direction is enforced', () => {
    const set = clientPolicy(`${NO_DD}  - fromEntities: [cluster]\n    authentication: {mode: required}\n`, { mutualAuth: true });
    const v = verdict(set, 'entity:host', CLIENT_POD, 8080);
    expect(`${v.verdict} ${v.ingress.decision}`).toBe('denied auth-required');
  });

  test('the egress seen and the auth-requiring ingress unseen: not ready; its ingress seen too: ready', async () => {
    const set = clientPolicy('  egress:\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: srv, app: server}}]\n'
      + `${NO_DD}  - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: srv, app: server}}]\n    authentication: {mode: required}\n`,
    { mutualAuth: true });
    expect((await rollout([flow(CLIENT, SERVER, 80)], set)).reason).toMatch(/^not ready: the policies enforce ingress of pod:cli:app=client \(/);
    expect((await rollout([flow(CLIENT, SERVER, 80), flow(SERVER, CLIENT, 81)], set)).readyToEnforce).toBe(true);
  });
});

// Session 48: an allow rule with `serverNames`, TLS interception or an Envoy listener was not counted as enforcing under
// `enableDefaultDeny: false`, so its namespace was "nothing to enforce" though the proxy drops a connection with another
// SNI (or none) or one the listener refuses. Cilium's createL4Filter (pkg/policy/l4.go) widens only L7 rules to allow-all
// without default deny (`ensureWildcard`); the SNI list, the TLS contexts and the listener stay, on every version.
describe('a direction without default deny is enforced where an allow rule restricts the TLS SNI or names a listener', () => {
  const PORT = (extra: string): string => `    toPorts: [{ports: [{port: "443", protocol: TCP}], ${extra}}]\n`;
  test.each([
    ['serverNames on ingress, 1.19', 'ingress', PORT('serverNames: [api.example.com]'), CiliumVersion.V1_19, true],
    ['serverNames on ingress, 1.17', 'ingress', PORT('serverNames: [api.example.com]'), CiliumVersion.V1_17, true],
    ['serverNames on egress, 1.18', 'egress', PORT('serverNames: [api.example.com]'), CiliumVersion.V1_18, true],
    ['an Envoy listener on egress, 1.19', 'egress', PORT('listener: {envoyConfig: {kind: CiliumEnvoyConfig, name: cec}, name: l}'), CiliumVersion.V1_19, true],
    ['TLS interception on egress, 1.19', 'egress',
      PORT('terminatingTLS: {secret: {namespace: cli, name: t}}, originatingTLS: {secret: {namespace: cli, name: o}}'), CiliumVersion.V1_19, true],
    ['the same port without them (plain L4), 1.19', 'egress', '    toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n', CiliumVersion.V1_19, false],
  ] as const)('%s', async (_name, direction, port, version, enforced) => {
    const peer = direction === 'ingress' ? 'fromEntities: [cluster]' : 'toEntities: [world]';
    const set = clientPolicy(`  enableDefaultDeny: {${direction}: false}\n  ${direction}:\n  - ${peer}\n${port}`, { ciliumVersion: version });
    // The client seen only at the other side: the direction with the rule is not judged.
    const r = await rollout([direction === 'ingress' ? flow(CLIENT, SERVER, 80) : flow(SERVER, CLIENT, 80)], set);
    expect(r.readyToEnforce).toBe(false);
    expect(r.reason).toMatch(enforced
      ? new RegExp(`^not ready: the policies enforce ${direction} of pod:cli:app=client \\(what they would drop there is not known`)
      : /^nothing to enforce: the policies enforce no direction on the pods of the namespace/);
  });
});

// Review mends (session 52): DNS rules of a direction without default deny on 1.16/1.17 refuse an unlisted name on
// 1.16.0-1.16.9 and 1.17.0-1.17.4 only (#38841 backported to 1.16.10 and 1.17.5, which add `matchPattern: "*"`). Before:
// no test held the DNS exception of `directionCanDrop` (`(!wildcardPort || kind === DNS)` → `(!wildcardPort)` passed), and
// readiness named such an egress enforced without saying on which patches; a lookup of an unlisted name was "would be dropped".
describe('DNS rules without default deny on egress: enforced on the earlier 1.16/1.17 patches only', () => {
  const DNS_EGRESS = '  enableDefaultDeny: {egress: false}\n  egress:\n'
    + '  - toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchName: a.example.com}]}}]\n';
  /** A DNS lookup of `query` by cli/app=client at kube-dns, forwarded (jsonpb). */
  const lookup = (query: string): string => JSON.stringify({ flow: {
    time: '2025-06-02T10:00:01Z', verdict: 'FORWARDED', Type: 'L7', event_type: { type: 129 }, traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '10.0.3.30' }, l4: { UDP: { source_port: 40001, destination_port: 53 } },
    source: { identity: 300, namespace: 'cli', labels: ['k8s:app=client', 'k8s:io.kubernetes.pod.namespace=cli'] },
    destination: { identity: 302, namespace: 'kube-system', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'] },
    l7: { type: 'REQUEST', dns: { query, qtypes: ['A'] } },
  } });

  test.each([
    ['1.16', CiliumVersion.V1_16, true],
    ['1.17', CiliumVersion.V1_17, true],
    ['1.18 (visibility only on every patch)', CiliumVersion.V1_18, false],
  ] as const)('%s: egress unseen', async (_name, ciliumVersion, early) => {
    const set = clientPolicy(DNS_EGRESS, { ciliumVersion });
    const r = await rollout([flow(SERVER, CLIENT, 80)], set);
    expect(r.readyToEnforce).toBe(false);
    expect(r.reason).toMatch(early
      ? /^not ready: the policies enforce egress of pod:cli:app=client \(what they would drop there is not known: capture that traffic too\), where no connection was judged \(egress of pod:cli:app=client only on some patches: there no policy enables default deny and only DNS rules can drop, and on Cilium 1\.16\.0-1\.16\.9 and 1\.17\.0-1\.17\.4 the DNS proxy refuses \(REFUSED\) every name .* from 1\.16\.10 and 1\.17\.5 .*; fix: give the patch release the cluster runs/
      : /^nothing to enforce: the policies enforce no direction on the pods of the namespace/);
    expect(set._canDrop(set.endpoint('pod:cli:app=client'), 'egress', false)).toBe(false);
  });

  // Session 53: with the patch release given, the direction is enforced (1.17.4) or not (1.17.5), without the caveat, and the
  // lookup of the unlisted name is judged (dropped on 1.17.4). Before: the patch was ignored, both were 1.17.
  test.each([['1.17.4', true], ['v1.17.5', false]] as const)('%s: egress unseen, judged for the patch', async (release, enforced) => {
    const set = clientPolicy(DNS_EGRESS, { ciliumVersion: CiliumVersion.parse(release) });
    const r = await rollout([flow(SERVER, CLIENT, 80)], set);
    expect(r.reason).toMatch(enforced
      ? /^not ready: the policies enforce egress of pod:cli:app=client \(what they would drop there is not known: capture that traffic too\), where no connection was judged over /
      : /^nothing to enforce: the policies enforce no direction on the pods of the namespace/);
    const report = await replayFlows(FlowSource.text(lookup('b.example.com.')), set);
    expect(report.errors).toEqual([]);
    expect(report.namespaces.find((n) => n.namespace === 'cli')?.wouldBeDropped).toBe(enforced ? 1 : 0);
  });

  test('1.17: a lookup of an unlisted name is not judged (the patch decides), the listed name is judged', async () => {
    const set = clientPolicy(DNS_EGRESS, { ciliumVersion: CiliumVersion.V1_17 });
    const report = await replayFlows(FlowSource.text([lookup('b.example.com.'), lookup('a.example.com.')].join('\n')), set);
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(
      /^the source pod:cli:app=client looks up b\.example\.com\.?: no policy selecting it enables default deny on egress, and on Cilium 1\.16\.0-1\.16\.9 .*; fix: give the patch release the cluster runs/)]);
    const cli = report.namespaces.find((n) => n.namespace === 'cli');
    expect(cli).toMatchObject({ wouldBeDropped: 0, readyToEnforce: false });
    expect(cli?.reason).toMatch(/^not ready: 1 connection could not be judged \(see not judged\)/);
  });
});
