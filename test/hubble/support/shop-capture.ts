/**
 * A synthetic Hubble capture of a small multi-namespace shop, written the way Cilium 1.19 writes flows (`hubble observe
 * -o jsonpb` / the exporter: one `{"flow": …, "node_name", "time"}` per line, proto field names, zero values omitted).
 *
 * - ingress-nginx/controller (node-a) ← the internet on 443, → shop/frontend:8080 (the frontend is in audit mode: AUDIT verdicts)
 * - shop/frontend ×2 (node-a, node-b) → shop/backend:8080 (HTTP GET /api/products, POST /api/orders through the ingress proxy)
 * - shop/backend (node-b) → data/postgres:5432; → api.stripe.com:443 after a DNS lookup through the DNS proxy
 * - monitoring/prometheus (node-c) scrapes frontend:9090, postgres:9187; its scrapes of backend:9090 are DROPPED by the
 *   cluster's current policy (POLICY_DENIED, a policy-verdict event and a drop event per attempt)
 * - kube-system/coredns (k8s-app=kube-dns) answers DNS; kubelet probes come from reserved:host; host → health ICMP
 * - unwanted: frontend → postgres:5432, backend → 192.0.2.66:4444 (once), frontend → backend DELETE /api/admin (once)
 * - noise the reader must survive: replies, L7 responses, TO_OVERLAY traces without direction, a socket-LB translation,
 *   a non-policy drop, a lost_events record, a legacy bare flow, a blank line and two malformed lines.
 *
 * `buildShopCapture()` is deterministic; test/fixtures/hubble/shop-capture.jsonl is its output (the tests check that).
 */

interface Pod {
  readonly ns: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly identity: number;
  readonly id: number;
  readonly ip: string;
  readonly node: string;
  readonly sa: string;
  readonly workload: { name: string; kind: string };
}

type Peer = Pod | { readonly reserved: string[]; readonly identity: number; readonly ip: string };

const NS_LABELS: Record<string, Record<string, string>> = {
  'ingress-nginx': { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  shop: { 'kubernetes.io/metadata.name': 'shop', team: 'shop' },
  data: { 'kubernetes.io/metadata.name': 'data', team: 'shop' },
  monitoring: { 'kubernetes.io/metadata.name': 'monitoring' },
  'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
};

function pod(ns: string, name: string, labels: Record<string, string>, identity: number, id: number, ip: string, node: string, sa: string,
  workload: { name: string; kind: string }): Pod {
  return { ns, name, labels, identity, id, ip, node, sa, workload };
}

export const PODS = {
  nginx: pod('ingress-nginx', 'ingress-nginx-controller-7c9d8b5f4-x8k2p', {
    'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller',
    'pod-template-hash': '7c9d8b5f4',
  }, 11021, 301, '10.0.1.10', 'node-a', 'ingress-nginx', { name: 'ingress-nginx-controller', kind: 'Deployment' }),
  frontendA: pod('shop', 'frontend-6c7d9f8b7-2xq9d', { app: 'frontend', 'pod-template-hash': '6c7d9f8b7' }, 24576, 412, '10.0.1.20', 'node-a', 'frontend',
    { name: 'frontend', kind: 'Deployment' }),
  frontendB: pod('shop', 'frontend-6c7d9f8b7-k7w4m', { app: 'frontend', 'pod-template-hash': '6c7d9f8b7' }, 24576, 977, '10.0.2.21', 'node-b', 'frontend',
    { name: 'frontend', kind: 'Deployment' }),
  backend: pod('shop', 'backend-58b7c6d9f-q2n8r', { app: 'backend', tier: 'api', 'pod-template-hash': '58b7c6d9f' }, 31337, 1203, '10.0.2.30', 'node-b', 'backend',
    { name: 'backend', kind: 'Deployment' }),
  postgres: pod('data', 'postgres-0', { app: 'postgres', 'controller-revision-hash': 'postgres-5d8f7c9b6', 'statefulset.kubernetes.io/pod-name': 'postgres-0' },
    40961, 88, '10.0.3.40', 'node-c', 'postgres', { name: 'postgres', kind: 'StatefulSet' }),
  prometheus: pod('monitoring', 'prometheus-server-0', { 'app.kubernetes.io/name': 'prometheus', 'controller-revision-hash': 'prometheus-server-6f9' },
    52144, 1530, '10.0.3.50', 'node-c', 'prometheus', { name: 'prometheus-server', kind: 'StatefulSet' }),
  coredns: pod('kube-system', 'coredns-5d78c9869d-7zq2x', { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, 796, 145, '10.0.1.53', 'node-a', 'coredns',
    { name: 'coredns', kind: 'Deployment' }),
};

const HOST_A = { reserved: ['reserved:host'], identity: 1, ip: '10.0.1.1' };
const HOST_B = { reserved: ['reserved:host'], identity: 1, ip: '10.0.2.1' };
const HOST_C = { reserved: ['reserved:host'], identity: 1, ip: '10.0.3.1' };
const HEALTH_A = { reserved: ['reserved:health'], identity: 4, ip: '10.0.1.2' };
const REMOTE_NODE_B = { reserved: ['reserved:remote-node'], identity: 6, ip: '192.168.10.12' };
const STRIPE = { reserved: ['fqdn:api.stripe.com', 'reserved:world'], identity: 16777220, ip: '198.51.100.7' };
const EVIL = { reserved: ['reserved:world'], identity: 2, ip: '192.0.2.66' };
const CLIENT_1 = { reserved: ['reserved:world'], identity: 2, ip: '203.0.113.10' };
const CLIENT_2 = { reserved: ['reserved:world'], identity: 2, ip: '203.0.113.11' };

function isPod(p: Peer): p is Pod {
  return 'ns' in p;
}

function labelsOf(p: Pod): string[] {
  const out = [
    ...Object.entries(p.labels).map(([k, v]) => `k8s:${k}=${v}`),
    ...Object.entries(NS_LABELS[p.ns] ?? {}).map(([k, v]) => `k8s:io.cilium.k8s.namespace.labels.${k}=${v}`),
    'k8s:io.cilium.k8s.policy.cluster=default',
    `k8s:io.cilium.k8s.policy.serviceaccount=${p.sa}`,
    `k8s:io.kubernetes.pod.namespace=${p.ns}`,
  ];
  return out.sort();
}

function endpoint(p: Peer, node: string, l7 = false): Record<string, unknown> {
  if (!isPod(p)) return { identity: p.identity, labels: [...p.reserved].sort() };
  const local = p.node === node;
  return {
    ...(local ? { ID: p.id } : {}),
    identity: p.identity,
    ...(l7 ? {} : { cluster_name: 'default' }),
    namespace: p.ns,
    labels: labelsOf(p),
    pod_name: p.name,
    ...(local && !l7 ? { workloads: [p.workload] } : {}),
  };
}

class Clock {
  private ns = BigInt(Date.UTC(2025, 5, 2, 10, 0, 0)) * 1_000_000n;
  private n = 0;

  public tick(stepUs = 1375): { time: string; uuid: string } {
    this.ns += BigInt(stepUs) * 1000n;
    this.n++;
    const ms = this.ns / 1_000_000n;
    const frac = (this.ns % 1_000_000_000n).toString().padStart(9, '0');
    const time = `${new Date(Number(ms)).toISOString().slice(0, 19)}.${frac}Z`;
    const h = (this.n * 2654435761) >>> 0;
    const hex = `${h.toString(16).padStart(8, '0')}${this.n.toString(16).padStart(8, '0')}`;
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(0, 3)}-${hex.padEnd(12, '0').slice(0, 12)}`;
    return { time, uuid };
  }
}

interface FlowOpts {
  node: string;
  verdict?: string;
  proto?: 'TCP' | 'UDP' | 'ICMPv4';
  sport?: number;
  dport?: number;
  icmpType?: number;
  flags?: Record<string, boolean>;
  eventType: { type: number; sub_type?: number };
  direction?: 'INGRESS' | 'EGRESS';
  point?: string;
  reason?: string;
  reply?: boolean;
  type?: string;
  l7?: Record<string, unknown>;
  dropReason?: number;
  dropDesc?: string;
  matchType?: number;
  destinationNames?: string[];
  summary?: string;
}

class Capture {
  public readonly lines: string[] = [];
  private readonly clock = new Clock();

  public flow(src: Peer, dst: Peer, o: FlowOpts, legacy = false): void {
    const { time, uuid } = this.clock.tick();
    const l7Record = o.type === 'L7';
    const l4 = o.proto === 'ICMPv4'
      ? { ICMPv4: o.icmpType ? { type: o.icmpType } : {} }
      : { [o.proto ?? 'TCP']: { source_port: o.sport, destination_port: o.dport, ...(o.flags ? { flags: o.flags } : {}) } };
    const flow: Record<string, unknown> = {
      time,
      uuid,
      emitter: { name: 'Hubble', version: '1.19.1+g0d1e2f3' },
      verdict: o.verdict ?? 'FORWARDED',
      ...(o.dropReason !== undefined ? { drop_reason: o.dropReason } : {}),
      ...(l7Record ? {} : { ethernet: { source: '0a:58:0a:00:01:14', destination: '0a:58:0a:00:01:01' } }),
      IP: { source: src.ip, destination: dst.ip, ipVersion: 'IPv4' },
      l4,
      source: endpoint(src, o.node, l7Record),
      destination: endpoint(dst, o.node, l7Record),
      Type: o.type ?? 'L3_L4',
      node_name: o.node,
      ...(o.destinationNames ? { destination_names: o.destinationNames } : {}),
      ...(o.l7 ? { l7: o.l7 } : {}),
      ...(o.reply ? { reply: true } : {}),
      event_type: o.eventType,
      ...(o.direction ? { traffic_direction: o.direction } : {}),
      ...(o.matchType !== undefined ? { policy_match_type: o.matchType } : {}),
      ...(o.point ? { trace_observation_point: o.point } : {}),
      ...(o.reason ? { trace_reason: o.reason } : {}),
      ...(o.dropDesc ? { drop_reason_desc: o.dropDesc } : {}),
      ...(o.reply !== undefined ? { is_reply: o.reply } : {}),
      Summary: o.summary ?? summary(o),
    };
    this.lines.push(JSON.stringify(legacy ? flow : { flow, node_name: o.node, time }));
  }

  public raw(line: string): void {
    this.lines.push(line);
  }

  /**
   * A TCP connection as Hubble shows it: the SYN leaving the client's node (TO_STACK, EGRESS), arriving at the server
   * (TO_ENDPOINT, INGRESS), the SYN-ACK back (replies), and an established packet.
   */
  public tcp(c: Peer, s: Peer, sport: number, dport: number, extra: { auditAt?: 'ingress'; legacySyn?: boolean } = {}): void {
    const cn = isPod(c) ? c.node : undefined;
    const sn = isPod(s) ? s.node : undefined;
    const syn = { SYN: true };
    if (cn !== undefined && cn !== sn) {
      this.flow(c, s, { node: cn, sport, dport, flags: syn, eventType: { type: 4, sub_type: 3 }, direction: 'EGRESS', point: 'TO_STACK', reason: 'NEW', reply: false });
    }
    if (sn !== undefined) {
      if (extra.auditAt === 'ingress') {
        this.flow(c, s, { node: sn, verdict: 'AUDIT', sport, dport, flags: syn, eventType: { type: 5 }, direction: 'INGRESS', reply: false });
      }
      this.flow(c, s, {
        node: sn, sport, dport, flags: syn, eventType: { type: 4 }, direction: cn === sn ? 'EGRESS' : 'INGRESS', point: 'TO_ENDPOINT', reason: 'NEW', reply: false,
      }, extra.legacySyn);
      this.flow(s, c, {
        node: sn, sport: dport, dport: sport, flags: { SYN: true, ACK: true }, eventType: { type: 4, sub_type: 3 }, direction: 'INGRESS', point: 'TO_STACK',
        reason: 'REPLY', reply: true,
      });
    } else if (cn !== undefined) {
      this.flow(s, c, {
        node: cn, sport: dport, dport: sport, flags: { SYN: true, ACK: true }, eventType: { type: 4 }, direction: 'EGRESS', point: 'TO_ENDPOINT', reason: 'REPLY',
        reply: true,
      });
    }
    if (cn !== undefined) {
      this.flow(c, s, {
        node: cn, sport, dport, flags: { ACK: true }, eventType: { type: 4, sub_type: 3 }, direction: 'EGRESS', point: cn === sn ? 'TO_ENDPOINT' : 'TO_STACK',
        reason: 'ESTABLISHED', reply: false,
      });
    }
  }

  /** An HTTP request through the ingress proxy of the server (REDIRECTED verdict, L7 request and response). */
  public http(c: Pod, s: Pod, sport: number, dport: number, method: string, path: string, code: number): void {
    this.flow(c, s, { node: s.node, verdict: 'REDIRECTED', sport, dport, flags: { SYN: true }, eventType: { type: 5 }, direction: 'INGRESS', matchType: 3, reply: false });
    const url = `http://${s.ip}:${dport}${path}`;
    this.flow(c, s, {
      node: s.node, sport, dport, type: 'L7', eventType: { type: 129 }, direction: 'INGRESS', reply: false,
      l7: { type: 'REQUEST', http: { method, url, protocol: 'HTTP/1.1', headers: [{ key: 'User-Agent', value: 'shop/1.0' }, { key: 'X-Request-Id', value: `r${sport}` }] } },
      summary: `HTTP/1.1 ${method} ${url}`,
    });
    this.flow(s, c, {
      node: s.node, sport: dport, dport: sport, type: 'L7', eventType: { type: 129 }, direction: 'INGRESS', reply: true,
      l7: { type: 'RESPONSE', latency_ns: '1843000', http: { code, method, url, protocol: 'HTTP/1.1' } },
      summary: `HTTP/1.1 ${code} 2ms (${method} ${url})`,
    });
  }

  /** A DNS lookup over UDP: through the DNS proxy (L7 records) when `proxied`, else plain traces. */
  public dns(c: Pod, sport: number, query: string, ips: string[], proxied: boolean): void {
    const dnsPod = PODS.coredns;
    if (proxied) {
      this.flow(c, dnsPod, { node: c.node, verdict: 'REDIRECTED', proto: 'UDP', sport, dport: 53, eventType: { type: 5 }, direction: 'EGRESS', matchType: 2, reply: false });
      this.flow(c, dnsPod, {
        node: c.node, proto: 'UDP', sport, dport: 53, type: 'L7', eventType: { type: 129 }, direction: 'EGRESS', reply: false,
        l7: { type: 'REQUEST', dns: { query, observation_source: 'proxy', qtypes: ['A'] } }, summary: `DNS Query ${query} A`,
      });
      this.flow(dnsPod, c, {
        node: c.node, proto: 'UDP', sport: 53, dport: sport, type: 'L7', eventType: { type: 129 }, direction: 'EGRESS', reply: true,
        l7: { type: 'RESPONSE', latency_ns: '912000', dns: { query, ips, ttl: 30, observation_source: 'proxy', qtypes: ['A'], rrtypes: ['A'] } },
        summary: `DNS Answer "${ips.join(',')}" TTL: 30 (Proxy ${query} A)`,
      });
    } else {
      if (c.node !== dnsPod.node) {
        this.flow(c, dnsPod, { node: c.node, proto: 'UDP', sport, dport: 53, eventType: { type: 4, sub_type: 3 }, direction: 'EGRESS', point: 'TO_STACK', reason: 'NEW', reply: false });
      }
      this.flow(c, dnsPod, {
        node: dnsPod.node, proto: 'UDP', sport, dport: 53, eventType: { type: 4 }, direction: c.node === dnsPod.node ? 'EGRESS' : 'INGRESS', point: 'TO_ENDPOINT',
        reason: 'NEW', reply: false,
      });
      this.flow(dnsPod, c, {
        node: dnsPod.node, proto: 'UDP', sport: 53, dport: sport, eventType: { type: 4, sub_type: 3 }, direction: 'INGRESS', point: 'TO_STACK', reason: 'REPLY', reply: true,
      });
    }
  }
}

function summary(o: FlowOpts): string {
  if (o.proto === 'ICMPv4') return o.icmpType === 8 ? 'ICMPv4 EchoRequest' : 'ICMPv4 EchoReply';
  if (o.proto === 'UDP') return 'UDP';
  const f = Object.keys(o.flags ?? {});
  return f.length > 0 ? `TCP Flags: ${f.join(', ')}` : 'TCP';
}

/** The capture, one JSON record per line (no trailing newline). */
export function buildShopCapture(): string {
  const cap = new Capture();
  const { nginx, frontendA, frontendB, backend, postgres, prometheus } = PODS;

  // Internet → ingress controller (native routing: the packets arrive from the world identity).
  cap.tcp(CLIENT_1, nginx, 51234, 443);
  cap.tcp(CLIENT_2, nginx, 40112, 443);
  cap.tcp(CLIENT_1, nginx, 51240, 443);
  // Ingress controller → frontend pods; the frontend is in policy audit mode (AUDIT verdicts on its ingress).
  cap.tcp(nginx, frontendA, 33010, 8080, { auditAt: 'ingress' });
  cap.tcp(nginx, frontendB, 33012, 8080, { auditAt: 'ingress' });
  cap.tcp(nginx, frontendA, 33014, 8080, { auditAt: 'ingress' });
  // Kubelet probes (from the local host) and a remote node's health check.
  cap.tcp(HOST_A, frontendA, 47001, 8080);
  cap.tcp(HOST_B, frontendB, 47002, 8080);
  cap.tcp(HOST_B, backend, 47003, 8080, { legacySyn: true });
  cap.tcp(HOST_C, postgres, 47004, 5432);
  cap.flow(HOST_A, HEALTH_A, { node: 'node-a', proto: 'ICMPv4', icmpType: 8, eventType: { type: 4 }, direction: 'INGRESS', point: 'TO_ENDPOINT', reply: false });
  cap.flow(HEALTH_A, HOST_A, { node: 'node-a', proto: 'ICMPv4', eventType: { type: 4, sub_type: 3 }, direction: 'INGRESS', point: 'TO_STACK', reply: true });
  // Frontends resolve the backend service (no DNS proxy on them) and call it over HTTP.
  cap.dns(frontendA, 53001, 'backend.shop.svc.cluster.local.', ['10.96.40.12'], false);
  cap.dns(frontendB, 53002, 'backend.shop.svc.cluster.local.', ['10.96.40.12'], false);
  cap.tcp(frontendA, backend, 38001, 8080);
  cap.http(frontendA, backend, 38001, 8080, 'GET', '/api/products', 200);
  cap.tcp(frontendB, backend, 38002, 8080);
  cap.http(frontendB, backend, 38002, 8080, 'GET', '/api/products', 200);
  cap.http(frontendB, backend, 38002, 8080, 'POST', '/api/orders', 201);
  // Backend → database, and → Stripe after a lookup through the DNS proxy.
  cap.tcp(backend, postgres, 41001, 5432);
  cap.tcp(backend, postgres, 41002, 5432);
  cap.dns(backend, 53003, 'api.stripe.com.', ['198.51.100.7'], true);
  cap.flow(backend, STRIPE, {
    node: 'node-b', sport: 44001, dport: 443, flags: { SYN: true }, eventType: { type: 5 }, direction: 'EGRESS', matchType: 2, reply: false,
    destinationNames: ['api.stripe.com'],
  });
  cap.tcp(backend, STRIPE, 44001, 443);
  // Prometheus scrapes: the frontend and postgres work, backend scrapes are dropped by the cluster's current policy.
  cap.tcp(prometheus, frontendA, 39001, 9090);
  cap.tcp(prometheus, frontendB, 39002, 9090);
  cap.tcp(prometheus, postgres, 39003, 9187);
  for (const sport of [39004, 39004, 39005]) {
    cap.flow(prometheus, backend, {
      node: 'node-b', verdict: 'DROPPED', sport, dport: 9090, flags: { SYN: true }, eventType: { type: 5 }, direction: 'INGRESS', dropReason: 133,
      dropDesc: 'POLICY_DENIED',
    });
    cap.flow(prometheus, backend, {
      node: 'node-b', verdict: 'DROPPED', sport, dport: 9090, flags: { SYN: true }, eventType: { type: 1, sub_type: 133 }, direction: 'INGRESS', dropReason: 133,
      dropDesc: 'POLICY_DENIED',
    });
  }
  // Unwanted traffic: the frontend talks to the database, the backend to an unknown address, a DELETE on the admin API.
  cap.tcp(frontendA, postgres, 38501, 5432);
  cap.tcp(frontendB, postgres, 38502, 5432);
  cap.tcp(backend, EVIL, 45001, 4444);
  cap.http(frontendA, backend, 38003, 8080, 'DELETE', '/api/admin', 204);
  // Noise: overlay traces without direction, a socket-LB translation, a datapath drop, lost events, broken lines.
  cap.flow(REMOTE_NODE_B, PODS.coredns, { node: 'node-b', proto: 'UDP', sport: 50111, dport: 53, eventType: { type: 4, sub_type: 4 }, point: 'TO_OVERLAY' });
  cap.flow(frontendA, backend, {
    node: 'node-a', verdict: 'TRANSLATED', sport: 38004, dport: 80, type: 'SOCK', eventType: { type: 7 }, summary: 'frontend -> backend.shop:80',
  });
  cap.flow(frontendB, backend, {
    node: 'node-b', verdict: 'DROPPED', sport: 38005, dport: 8080, flags: { SYN: true }, eventType: { type: 1, sub_type: 155 }, direction: 'EGRESS', dropReason: 155,
    dropDesc: 'CT_MAP_INSERTION_FAILED',
  });
  cap.raw('{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12","cpu":1},"node_name":"node-b","time":"2025-06-02T10:00:01.000000000Z"}');
  cap.raw('');
  cap.raw('{"flow":{"time":"2025-06-02T10:00:01.5Z","verdict":"FORWARDED","IP":{"source":"10.0.1.20"');
  cap.raw('hubble: connection to relay lost, retrying');
  cap.tcp(nginx, frontendB, 33016, 8080, { auditAt: 'ingress' });
  return cap.lines.join('\n');
}
