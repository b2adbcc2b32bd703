// Every real capture in shared/hubble-samples, replayed and drafted. The expectations below were written by reading each
// capture line by line (which records are connection attempts, which pods and identities they name, what a default deny
// would drop), not taken from the code under test. Notation: a pod is `<namespace>/<app or k8s-app>[-<version>]`, a pod
// whose identity the capture does not give is `?<namespace>/<pod name>` (or `?#<identity>`), an entity its name, a world
// address its IP; a connection is `<source> → <destination> <port/protocol>[ <request>]`.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import {
  DraftPlan, FlowCapture, FlowPeer, FlowPeerKind, FlowSource, ObservedConnection, applyDraftPlan, collectConnections, planDraft,
  renderDraftTypeScript, renderDraftYaml, replayCapture,
} from '../../src/hubble';
import { HUBBLE_SAMPLES_DIR, PROJECT_DIR } from './support/paths';
import { typeCheckFiles } from '../support/typecheck';

/** A default deny for every pod (a CCNP selecting what has a namespace): ingress and egress allow nothing. */
const PODS_DEFAULT_DENY = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: pods-default-deny
spec:
  endpointSelector:
    matchExpressions:
      - { key: io.kubernetes.pod.namespace, operator: Exists }
  ingress:
    - {}
  egress:
    - {}
`;

/**
 * What the 2021 kind cluster of the l7-redirected, tcp and udp samples enforced at egress, reconstructed from its policy
 * verdicts: REDIRECTED with match type 2 (L3-L4) for DNS to CoreDNS, 3 (L4 only) for HTTP on 9080.
 */
const BOOKINFO_EGRESS_IN_FORCE = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: bookinfo-egress-visibility
  namespace: bookinfo
spec:
  endpointSelector: {}
  egress:
    - toEndpoints:
        - matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns }
      toPorts:
        - ports: [{ port: "53", protocol: UDP }]
          rules: { dns: [{ matchPattern: "*" }] }
    - toPorts:
        - ports: [{ port: "9080", protocol: TCP }]
          rules: { http: [{}] }
`;

interface Expected {
  /** Connections judged, sorted. */
  readonly connections: readonly string[];
  /** Connections with an end of unknown identity, sorted. */
  readonly unknown?: readonly string[];
  /** Pod identity numbers as the capture gives them. */
  readonly identities?: Readonly<Record<string, number>>;
  /** Records skipped, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Of the connections the cluster let through, those a default deny of every pod drops, sorted. */
  readonly droppedByDefaultDeny: readonly string[];
  /** Pod ends resolved from the rest of the capture. */
  readonly resolved?: readonly string[];
  /** Drafted policies (`namespace/name`), sorted. */
  readonly drafted: readonly string[];
  /** Lines the drafted TypeScript must hold. */
  readonly draftHas?: readonly string[];
  /** Texts it must not hold. */
  readonly draftLacks?: readonly string[];
}

const PROM_348 = 'istio-system/prometheus';
const M = 'GET /metrics';

const SAMPLES: Readonly<Record<string, Expected>> = {
  // GKE + Istio, June 2021: no is_reply (reply:true marks replies: lines 1, 4, 5, 7, 10). Kubelet-style traffic from the
  // local host, Prometheus scraping an Istio sidecar, Mixer → Galley, an event exporter leaving the cluster.
  'hubble-otel.basic-sample-10-flows.jsonl': {
    connections: [
      'host → bookinfo/reviews-v1 15020/TCP',
      'host → kube-system/kube-dns 10054/TCP',
      'istio-system/prometheus → bookinfo/reviews-v1 15090/TCP',
      'istio-system/telemetry → istio-system/galley 9901/TCP',
      'kube-system/event-exporter-v0.3.4 → 35.246.31.234 443/TCP',
    ],
    identities: {
      'bookinfo/reviews-v1': 25339, 'istio-system/prometheus': 35369, 'istio-system/telemetry': 59286, 'istio-system/galley': 1518,
      'kube-system/event-exporter-v0.3.4': 1299, 'kube-system/kube-dns': 36522,
    },
    skipped: { reply: 5 },
    // The local host reaches local pods whatever the policy (allow-localhost).
    droppedByDefaultDeny: [
      'istio-system/prometheus → bookinfo/reviews-v1 15090/TCP',
      'istio-system/telemetry → istio-system/galley 9901/TCP',
      'kube-system/event-exporter-v0.3.4 → 35.246.31.234 443/TCP',
    ],
    drafted: [
      'bookinfo/reviews', 'istio-system/galley', 'istio-system/prometheus', 'istio-system/telemetry', 'kube-system/event-exporter', 'kube-system/kube-dns',
    ],
    draftHas: ["Peer.cidr('35.246.31.234/32'), { ports: [Port.tcp(443)] }"],
  },
  // L7 DNS through the DNS proxy: node-local-dns asks CoreDNS three names over TCP; the two NXDOMAIN answers are responses.
  'hubble-otel.basic-sample-5-dns-flows.jsonl': {
    connections: [
      'kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns istiod-istio-1611.istio-system.svc.cluster.local.',
      'kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local.',
      'kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns istiod-istio-1611.istio-system.svc.svc.cluster.local.',
    ],
    identities: { 'kube-system/node-local-dns': 1563, 'kube-system/kube-dns': 796 },
    skipped: { 'l7-response': 2 },
    droppedByDefaultDeny: [
      'kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns istiod-istio-1611.istio-system.svc.cluster.local.',
      'kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local.',
      'kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns istiod-istio-1611.istio-system.svc.svc.cluster.local.',
    ],
    drafted: ['kube-system/kube-dns', 'kube-system/node-local-dns'],
    draftHas: ['Builtins.allowDns(nodeLocalDnsPolicy.rule);', "kubeDnsPolicy.allowIngress(Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }), { ports: [Port.tcp(53)] });"],
  },
  // Prometheus scrapes through its egress proxy: 10.128.0.4 is outside the cluster (identity 2, no pod); the two other
  // targets name kube-system pods but carry identity 2, and nothing else in these five lines gives their labels.
  'hubble-otel.basic-sample-5-http-flows.jsonl': {
    connections: [`${PROM_348} → 10.128.0.4 9990/TCP ${M}`],
    unknown: [
      `${PROM_348} → ?kube-system/kube-dns-b4f5c58c7-7qmtw 10054/TCP ${M}`,
      `${PROM_348} → ?kube-system/node-local-dns-r99x7 9253/TCP ${M}`,
    ],
    identities: { [PROM_348]: 16781 },
    skipped: { 'l7-response': 2 },
    droppedByDefaultDeny: [`${PROM_348} → 10.128.0.4 9990/TCP ${M}`],
    drafted: ['istio-system/prometheus'],
    draftHas: [
      "Peer.cidr('10.128.0.4/32'), { ports: [Port.tcp(9990)] }",
      '// not drafted: egress to pod kube-system/kube-dns-b4f5c58c7-7qmtw on 10054/TCP: identity unknown',
      '// not drafted: egress to pod kube-system/node-local-dns-r99x7 on 9253/TCP: identity unknown',
    ],
    draftLacks: ['10.156.', 'Entity.WORLD'],
  },
  // The first 60 lines of the 348-flow HTTP capture: 32 requests, 28 responses. Prometheus scrapes nodes (world
  // 10.128.0.3/.4/.6, the host 10.128.0.5) and pods; ratings calls productpage. Seven targets name pods with identity 2
  // and are resolved by no other line: kube-dns-7qmtw (another kube-dns replica, vnx5s, has labels), jaeger,
  // clickhouse-operator, three node-local-dns replicas (88zrp has labels), and productpage.
  'hubble-otel.basic-sample-348-http-flows.head60.jsonl': {
    connections: [
      `${PROM_348} → 10.128.0.3 8888/TCP ${M}`,
      `${PROM_348} → 10.128.0.3 9990/TCP ${M}`,
      `${PROM_348} → 10.128.0.4 6942/TCP ${M}`,
      `${PROM_348} → 10.128.0.4 9990/TCP ${M}`,
      `${PROM_348} → 10.128.0.6 9990/TCP ${M}`,
      `${PROM_348} → host 9990/TCP ${M}`,
      `${PROM_348} → kube-system/kube-dns 10054/TCP ${M}`,
      `${PROM_348} → kube-system/node-local-dns 9253/TCP ${M}`,
    ],
    unknown: [
      'bookinfo/ratings-v1 → ?bookinfo/productpage-v1-6b746f74dc-ffh56 9080/TCP GET /productpage',
      `${PROM_348} → ?istio-system/jaeger-67f448c8f8-dmh9h 14269/TCP ${M}`,
      `${PROM_348} → ?kube-system/clickhouse-operator-59df4c7bcb-hbt6t 8888/TCP ${M}`,
      `${PROM_348} → ?kube-system/kube-dns-b4f5c58c7-7qmtw 10054/TCP ${M}`,
      `${PROM_348} → ?kube-system/node-local-dns-6jnx9 9253/TCP ${M}`,
      `${PROM_348} → ?kube-system/node-local-dns-cw6pv 9253/TCP ${M}`,
      `${PROM_348} → ?kube-system/node-local-dns-r99x7 9253/TCP ${M}`,
    ],
    identities: { [PROM_348]: 16781, 'bookinfo/ratings-v1': 26105, 'kube-system/kube-dns': 796, 'kube-system/node-local-dns': 1563 },
    skipped: { 'l7-response': 28 },
    // Prometheus's egress is denied for every target, the host included.
    droppedByDefaultDeny: [
      `${PROM_348} → 10.128.0.3 8888/TCP ${M}`,
      `${PROM_348} → 10.128.0.3 9990/TCP ${M}`,
      `${PROM_348} → 10.128.0.4 6942/TCP ${M}`,
      `${PROM_348} → 10.128.0.4 9990/TCP ${M}`,
      `${PROM_348} → 10.128.0.6 9990/TCP ${M}`,
      `${PROM_348} → host 9990/TCP ${M}`,
      `${PROM_348} → kube-system/kube-dns 10054/TCP ${M}`,
      `${PROM_348} → kube-system/node-local-dns 9253/TCP ${M}`,
    ],
    drafted: ['bookinfo/ratings', 'istio-system/prometheus', 'kube-system/kube-dns', 'kube-system/node-local-dns'],
    draftHas: [
      "prometheusPolicy.allowEgress(Peer.cidr('10.128.0.3/32'), { ports: [Port.tcp(8888), Port.tcp(9990)] });",
      "prometheusPolicy.allowEgress(Peer.cidr('10.128.0.4/32'), { ports: [Port.tcp(6942), Port.tcp(9990)] });",
      "prometheusPolicy.allowEgress(Peer.cidr('10.128.0.6/32'), { ports: [Port.tcp(9990)] });",
      '// not drafted: egress to pod bookinfo/productpage-v1-6b746f74dc-ffh56 on 9080/TCP: identity unknown',
    ],
    draftLacks: ['10.156.', 'Entity.WORLD'],
  },
  // kind, Nov 2021: the host pings its health endpoint, a remote node pings it too (INGRESS TO_ENDPOINT); the pings to the
  // other node's health endpoint leave through the tunnel (TO_OVERLAY, no direction); the echo replies are replies.
  'hubble-otel.basic-sample-400-icmpv4-flows.jsonl': {
    connections: ['host → health icmp/8', 'remote-node → health icmp/8'],
    skipped: { 'no-direction': 7, reply: 4 },
    // No pod is involved: a default deny of pods drops nothing.
    droppedByDefaultDeny: [],
    drafted: [],
  },
  // The first 60 lines of the 330-flow DNS capture: four node-local-dns replicas (one identity, 1563) ask two CoreDNS
  // replicas (one identity, 796) nine distinct names over TCP (31 requests); 29 answers.
  'hubble-otel.basic-sample-330-dns-flows.head60.jsonl': {
    connections: [
      'istio-pilot.istio-system.bookinfo.svc.cluster.local.', 'istio-pilot.istio-system.svc.cluster.local.', 'istio-telemetry.istio-system.svc.cluster.local.',
      'istiod-istio-1611.istio-system.svc.cluster.local.', 'istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local.',
      'istiod-istio-1611.istio-system.svc.svc.cluster.local.', 'zipkin.istio-system.bookinfo.svc.cluster.local.',
      'zipkin.istio-system.istio-system.svc.cluster.local.', 'zipkin.istio-system.svc.cluster.local.',
    ].map((q) => `kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns ${q}`),
    identities: { 'kube-system/node-local-dns': 1563, 'kube-system/kube-dns': 796 },
    skipped: { 'l7-response': 29 },
    droppedByDefaultDeny: [
      'istio-pilot.istio-system.bookinfo.svc.cluster.local.', 'istio-pilot.istio-system.svc.cluster.local.', 'istio-telemetry.istio-system.svc.cluster.local.',
      'istiod-istio-1611.istio-system.svc.cluster.local.', 'istiod-istio-1611.istio-system.svc.istio-system.svc.cluster.local.',
      'istiod-istio-1611.istio-system.svc.svc.cluster.local.', 'zipkin.istio-system.bookinfo.svc.cluster.local.',
      'zipkin.istio-system.istio-system.svc.cluster.local.', 'zipkin.istio-system.svc.cluster.local.',
    ].map((q) => `kube-system/node-local-dns → kube-system/kube-dns 53/TCP dns ${q}`),
    drafted: ['kube-system/kube-dns', 'kube-system/node-local-dns'],
  },
  // 60 policy verdicts, all REDIRECTED at egress (match type 2 for DNS to CoreDNS, 3 for HTTP on 9080): the cluster's own
  // decisions. Both CoreDNS replicas share one identity; the three reviews versions are three identities.
  'hubble-otel.basic-sample-400-l7-redirected-flows.head60.jsonl': {
    connections: [
      'bookinfo/productpage-v1 → bookinfo/details-v1 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v1 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v2 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v3 9080/TCP',
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP',
      'bookinfo/ratings-v1 → bookinfo/productpage-v1 9080/TCP',
      'bookinfo/ratings-v1 → kube-system/kube-dns 53/UDP',
    ],
    identities: {
      'bookinfo/productpage-v1': 3418, 'bookinfo/ratings-v1': 16370, 'bookinfo/details-v1': 5239, 'bookinfo/reviews-v1': 9687, 'bookinfo/reviews-v2': 11615,
      'bookinfo/reviews-v3': 18688, 'kube-system/kube-dns': 48342,
    },
    skipped: {},
    droppedByDefaultDeny: [
      'bookinfo/productpage-v1 → bookinfo/details-v1 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v1 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v2 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v3 9080/TCP',
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP',
      'bookinfo/ratings-v1 → bookinfo/productpage-v1 9080/TCP',
      'bookinfo/ratings-v1 → kube-system/kube-dns 53/UDP',
    ],
    // One workload per app: the version label is not part of a drafted selector.
    drafted: ['bookinfo/details', 'bookinfo/productpage', 'bookinfo/ratings', 'bookinfo/reviews', 'kube-system/kube-dns'],
    draftHas: ["productpagePolicy.allowEgress(Peer.endpoints({ namespace: 'bookinfo', labels: { app: 'reviews' } }), { ports: [Port.tcp(9080)] });"],
  },
  // Mixed: TO_PROXY traces, policy verdicts, L7 HTTP; the proxy's upstream legs come from the node address 10.244.0.148
  // with the client's identity (the same connection); one L7 record names details-v1-79f774bdb9-m4j4k with identity 2,
  // and the other records of the capture give that pod's labels (identity 5239).
  'hubble-otel.basic-sample-400-tcp-flows.head60.jsonl': {
    connections: [
      'bookinfo/productpage-v1 → bookinfo/details-v1 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/details-v1 9080/TCP GET /details/0',
      'bookinfo/productpage-v1 → bookinfo/reviews-v2 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v2 9080/TCP GET /reviews/0',
      'bookinfo/ratings-v1 → bookinfo/productpage-v1 9080/TCP',
      'bookinfo/ratings-v1 → bookinfo/productpage-v1 9080/TCP GET /productpage',
      'bookinfo/reviews-v2 → bookinfo/ratings-v1 9080/TCP GET /ratings/0',
    ],
    identities: { 'bookinfo/productpage-v1': 3418, 'bookinfo/ratings-v1': 16370, 'bookinfo/details-v1': 5239, 'bookinfo/reviews-v2': 11615 },
    resolved: ['bookinfo/details-v1-79f774bdb9-m4j4k by pod-name'],
    skipped: { 'l7-response': 6, 'no-direction': 4, reply: 16 },
    droppedByDefaultDeny: [
      'bookinfo/productpage-v1 → bookinfo/details-v1 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/details-v1 9080/TCP GET /details/0',
      'bookinfo/productpage-v1 → bookinfo/reviews-v2 9080/TCP',
      'bookinfo/productpage-v1 → bookinfo/reviews-v2 9080/TCP GET /reviews/0',
      'bookinfo/ratings-v1 → bookinfo/productpage-v1 9080/TCP',
      'bookinfo/ratings-v1 → bookinfo/productpage-v1 9080/TCP GET /productpage',
      'bookinfo/reviews-v2 → bookinfo/ratings-v1 9080/TCP GET /ratings/0',
    ],
    drafted: ['bookinfo/details', 'bookinfo/productpage', 'bookinfo/ratings', 'bookinfo/reviews'],
    // Neither the pod address of details nor the node address of the proxy legs becomes a CIDR.
    draftLacks: ['Peer.cidr', 'Entity.WORLD'],
  },
  // DNS over UDP through the DNS proxy: REDIRECTED verdicts, TO_PROXY traces, L7 requests; a remote node's packets to
  // CoreDNS leave through the tunnel (no direction).
  'hubble-otel.basic-sample-400-udp-flows.head60.jsonl': {
    connections: [
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP',
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP dns details.bookinfo.svc.cluster.local.',
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP dns reviews.bookinfo.svc.cluster.local.',
      'bookinfo/ratings-v1 → kube-system/kube-dns 53/UDP',
      'bookinfo/ratings-v1 → kube-system/kube-dns 53/UDP dns productpage.bookinfo.svc.cluster.local.',
    ],
    identities: { 'bookinfo/productpage-v1': 3418, 'bookinfo/ratings-v1': 16370, 'kube-system/kube-dns': 48342 },
    skipped: { 'l7-response': 11, 'no-direction': 12, reply: 10 },
    droppedByDefaultDeny: [
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP',
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP dns details.bookinfo.svc.cluster.local.',
      'bookinfo/productpage-v1 → kube-system/kube-dns 53/UDP dns reviews.bookinfo.svc.cluster.local.',
      'bookinfo/ratings-v1 → kube-system/kube-dns 53/UDP',
      'bookinfo/ratings-v1 → kube-system/kube-dns 53/UDP dns productpage.bookinfo.svc.cluster.local.',
    ],
    drafted: ['bookinfo/productpage', 'bookinfo/ratings', 'kube-system/kube-dns'],
    draftHas: ['Builtins.allowDns(productpagePolicy.rule);', 'Builtins.allowDns(ratingsPolicy.rule);'],
  },
  // Cilium 1.19.1 exporter lines: a reply from the kube-apiserver (a local-scope identity 16777217), and the node (host
  // and remote-node labels on one identity: the host) reaching two internet addresses.
  'tke-guide.cilium-1.19.1-export.jsonl': {
    connections: ['host → 183.47.117.75 9988/TCP', 'host → 9.134.108.44 9922/TCP'],
    skipped: { reply: 1 },
    droppedByDefaultDeny: [],
    drafted: [],
  },
  // Field-masked exporter output: a datapath drop (INVALID_SOURCE_IP), and xwing → deathstar:80 dropped by policy with
  // only namespace and pod name on each end: pods whose identity the capture does not give.
  'cilium-docs.export-rst.dropped-fieldmask.jsonl': {
    connections: [],
    unknown: ['?default/xwing → ?default/deathstar-7848d6c4d5-th9v2 80/TCP'],
    skipped: { 'non-policy-drop': 1 },
    droppedByDefaultDeny: [],
    drafted: [],
  },
  // The printer test's three encodings of one drop event: health → identity 12345 (no labels) on 8080/TCP, POLICY_DENIED
  // by its sub_type 133.
  'cilium-printer-test.expected-json.jsonl': {
    connections: [],
    unknown: ['health → ?#12345 8080/TCP'],
    skipped: {},
    droppedByDefaultDeny: [],
    drafted: [],
  },
};

function peerText(p: FlowPeer): string {
  switch (p.kind) {
    case FlowPeerKind.POD: {
      const l = p.labels ?? {};
      return `${p.namespace}/${l.app ?? l['k8s-app']}${l.version !== undefined ? `-${l.version}` : ''}`;
    }
    case FlowPeerKind.ENTITY:
      return p.entity ?? '';
    case FlowPeerKind.WORLD:
      return p.ip ?? '';
    case FlowPeerKind.UNKNOWN:
      return `?${p.key.slice(2)}`;
  }
}

function connectionText(c: ObservedConnection): string {
  const port = c.protocol === 'ICMP' ? `icmp/${c.icmpType}` : `${c.port}/${c.protocol}`;
  const request = c.http ? ` ${c.http.method} ${c.http.path}` : c.dns !== undefined ? ` dns ${c.dns}` : '';
  return `${peerText(c.source)} → ${peerText(c.destination)} ${port}${request}`;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const unknownEnd = (c: ObservedConnection): boolean => c.source.kind === 'unknown' || c.destination.kind === 'unknown';

const FILES = Object.keys(SAMPLES).sort();
const captures = new Map<string, FlowCapture>();
const plans = new Map<string, DraftPlan>();
const defaultPlans = new Map<string, DraftPlan>();
const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-samples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  for (const f of FILES) {
    const c = await collectConnections(FlowSource.file(join(HUBBLE_SAMPLES_DIR, f)));
    captures.set(f, c);
    // kube-system too (`drafted` lists its policies); by default it is left out (the test below).
    plans.set(f, planDraft(c, { includeKubeSystem: true }));
    defaultPlans.set(f, planDraft(c));
  }
});

test('every real sample has expectations', () => {
  expect(readdirSync(HUBBLE_SAMPLES_DIR).filter((f) => f.endsWith('.jsonl')).sort()).toEqual(FILES);
});

describe.each(FILES)('%s', (file) => {
  const x = SAMPLES[file];
  const capture = (): FlowCapture => captures.get(file) as FlowCapture;

  test('the connections, the identities, what is skipped', () => {
    const c = capture();
    expect(c.input.malformedCount).toBe(0);
    expect(sorted(c.connections.filter((k) => !unknownEnd(k)).map(connectionText))).toEqual(x.connections);
    expect(sorted(c.connections.filter(unknownEnd).map(connectionText))).toEqual(x.unknown ?? []);
    expect(c.skipped).toEqual(x.skipped);
    for (const [pod, identity] of Object.entries(x.identities ?? {})) {
      const peers = c.connections.flatMap((k) => [k.source, k.destination]).filter((p) => p.kind === 'pod' && peerText(p) === pod);
      expect(peers.length, pod).toBeGreaterThan(0);
      expect(new Set(peers.map((p) => p.identity)), pod).toEqual(new Set([identity]));
    }
    expect(c.resolved.map((r) => `${r.end} by ${r.by}`)).toEqual(x.resolved ?? []);
  });

  test('replayed against a default deny of every pod: exactly those dropped; the unknown ones reported, never judged', () => {
    const r = replayCapture(capture(), PolicySet.fromYaml(PODS_DEFAULT_DENY, { file: 'pods-default-deny.yaml' }));
    expect(r.errors).toEqual([]);
    const texts = new Map(capture().connections.map((c) => [c.firstLine, connectionText(c)]));
    const dropped = r.connections.filter((c) => c.change === 'newly-dropped').map((c) => texts.get(c.observed.firstLine) ?? '?');
    expect(sorted(dropped)).toEqual(x.droppedByDefaultDeny);
    expect(r.summary.newlyDropped).toBe(x.droppedByDefaultDeny.length);
    expect(r.summary.identityUnknown).toBe((x.unknown ?? []).length);
    // No connection is judged with a world address that the capture names as a pod.
    expect(r.connections.some((c) => /cidr:10\.(156\.[0-3]|244)\./.test(c.destination) || /cidr:10\.(156\.[0-3]|244)\./.test(c.source))).toBe(false);
    // Ready to enforce only where nothing would be dropped, everything could be judged, and a policy selects its pods (else
    // the reason says nothing would be enforced).
    for (const ns of r.namespaces) {
      const unselected = ns.reason.startsWith('nothing to enforce: the policies enforce no direction on the pods of the namespace');
      expect(ns.readyToEnforce, ns.namespace).toBe(ns.wouldBeDropped === 0 && ns.identityUnknown === 0 && ns.flowing > 0 && !unselected);
    }
  });

  test('by default kube-system is left out, with its connections counted; the other namespaces\' policies are the same', () => {
    const all = plans.get(file) as DraftPlan;
    const plan = defaultPlans.get(file) as DraftPlan;
    expect(plan.policies).toEqual(all.policies.filter((p) => p.namespace !== 'kube-system'));
    expect(plan.policies.some((p) => p.namespace === 'kube-system')).toBe(false);
    const kubeSystem = capture().connections.filter((c) => [c.source, c.destination].some((e) => e.kind === 'pod' && e.namespace === 'kube-system'));
    expect(plan.namespacesLeftOut.map((n) => n.namespace)).toEqual(x.drafted.some((d) => d.startsWith('kube-system/')) ? ['kube-system'] : []);
    if (plan.namespacesLeftOut.length > 0) expect(plan.namespacesLeftOut[0].connections).toBeLessThanOrEqual(kubeSystem.length);
    expect(all.namespacesLeftOut).toEqual([]);
    // Replaying the capture against the default draft drops nothing the cluster let through either.
    const app = Testing.app();
    applyDraftPlan(plan, app);
    expect(replayCapture(capture(), PolicySet.fromConstruct(app, { clusterName: capture().clusterName ?? 'default' })).summary.newlyDropped).toBe(0);
  });

  test('the draft: its policies; never a CIDR for a pod or the world entity for pods; CRD-valid; replaying the capture drops nothing forwarded', () => {
    const plan = plans.get(file) as DraftPlan;
    expect(plan.policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(x.drafted);
    const text = renderDraftTypeScript(plan);
    for (const line of x.draftHas ?? []) expect(text).toContain(line);
    for (const bad of x.draftLacks ?? []) expect(text).not.toContain(bad);
    for (const ip of capture().podAddresses) expect(text).not.toContain(`Peer.cidr('${ip}/`);
    const app = Testing.app();
    const charts = applyDraftPlan(plan, app);
    for (const chart of charts) expect(chart).toBeValidCilium();
    const inProcess = replayCapture(capture(), PolicySet.fromConstruct(app, { clusterName: capture().clusterName ?? 'default' }));
    expect(inProcess.errors).toEqual([]);
    expect(inProcess.summary.newlyDropped).toBe(0);
    const fromYaml = replayCapture(capture(), PolicySet.fromYaml(renderDraftYaml(plan), { file: 'drafted.yaml', clusterName: capture().clusterName ?? 'default' }));
    expect(fromYaml.summary.newlyDropped).toBe(0);
    expect(fromYaml.summary.identityUnknown).toBe((x.unknown ?? []).length);
  });
});

describe('the cluster\'s own decisions in the 2021 kind captures', () => {
  const inForce = (): PolicySet => PolicySet.fromYaml(BOOKINFO_EGRESS_IN_FORCE, { file: 'bookinfo-egress.yaml', clusterName: 'kind-kind' });

  test.each([
    ['hubble-otel.basic-sample-400-l7-redirected-flows.head60.jsonl', 7],
    ['hubble-otel.basic-sample-400-tcp-flows.head60.jsonl', 3],
    ['hubble-otel.basic-sample-400-udp-flows.head60.jsonl', 2],
  ])('%s: against the reconstructed egress policy the engine agrees with every REDIRECTED verdict', (file, withVerdicts) => {
    const c = captures.get(file) as FlowCapture;
    expect(c.connections.filter((k) => k.cluster.egress.allowed > 0)).toHaveLength(withVerdicts);
    const r = replayCapture(c, inForce());
    expect(r.disagreements).toEqual([]);
    expect(r.summary.newlyDropped).toBe(0);
  });

  test('against a default deny of every pod, each connection with a REDIRECTED verdict is a finding at egress, both sides named', () => {
    const c = captures.get('hubble-otel.basic-sample-400-l7-redirected-flows.head60.jsonl') as FlowCapture;
    const r = replayCapture(c, PolicySet.fromYaml(PODS_DEFAULT_DENY, { file: 'pods-default-deny.yaml' }));
    expect(r.disagreements).toHaveLength(7);
    expect(new Set(r.disagreements.map((d) => `${d.side} ${d.cluster.verdict} ${d.engine.decision}`))).toEqual(new Set(['egress allowed default-deny']));
    const dns = r.disagreements.find((d) => d.connection === '53/UDP' && d.source.startsWith('pod:bookinfo:app=ratings'));
    // 9 verdicts: 7 to one CoreDNS replica, 2 to the other (one identity)
    expect(dns?.message).toMatch(/^the engine disagrees with the cluster at egress of pod:bookinfo:app=ratings,.*: the cluster allowed it \(9 policy verdicts\); the engine drops it \(default deny\)$/);
  });
});

describe('the drafted TypeScript of every sample', () => {
  test('type-checks against the library', () => {
    const files = FILES.filter((f) => (plans.get(f) as DraftPlan).policies.length > 0).map((f) => {
      const path = join(work, `${f.replace(/[^a-z0-9]+/gi, '-')}.ts`);
      writeFileSync(path, renderDraftTypeScript(plans.get(f) as DraftPlan, { importFrom: join(PROJECT_DIR, 'src') }));
      return path;
    });
    expect(files.length).toBe(8);
    // The files live in a temporary folder: resolve cdk8s and constructs from the project's node_modules.
    expect(typeCheckFiles(files, { rootDir: undefined, baseUrl: PROJECT_DIR, paths: { '*': ['node_modules/*', 'node_modules/@types/*'] } })).toEqual([]);
    expect(readFileSync(files[0], 'utf8')).toMatch(/^\/\/ Drafted by `cdk8s-cilium draft`/);
  });
});
