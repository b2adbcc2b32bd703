/**
 * `npm run bench` (replay part): Hubble flow replay on a generated capture of at least one million flow records, next to
 * the cost of merely parsing the same lines, in the same run.
 *
 * The capture: a deterministic cluster (namespaces with web/api/worker/cache/db apps, 3 pods each, spread over nodes; an
 * ingress controller, Prometheus, kube-dns, external APIs by DNS name), written as `hubble observe -o jsonpb` lines of
 * realistic size and shape: TCP connections as Hubble shows them (SYN leaving the client's node, delivered at the server,
 * SYN-ACK and ACK replies, established packets), HTTP requests and responses through the ingress proxy, DNS lookups
 * through the DNS proxy with their answers, policy verdicts, policy and datapath drops, overlay traces without direction,
 * socket-LB translations, lost_events records and a few malformed lines. The policies: drafted (`Draft.plan`) from the
 * first tenth of the capture, so most connections are allowed and the ones first seen later are not.
 *
 * It measures, interleaved over several repetitions (median):
 * - parse only: the same streaming line reader (`forEachLine`) and `JSON.parse` of every line, nothing else: the floor;
 * - replay: `Connections.collect` (read, parse, classify, group) + `Replay.capture` (one verdict per connection) against the
 *   compiled policy set (compiled once before; its time is reported separately);
 * - memory: `process.memoryUsage()` sampled every 65,536 lines, as peaks over the baseline taken before the phases, plus
 *   the process peak RSS. The file is far larger than the heap: memory stays flat because the reader streams.
 * The target: replay no slower than twice plain parsing.
 *
 * Flags: --quick (200,000 records), --flows <n>, --reps <n> (default 3), --gzip (also time replay of a gzip copy),
 * --keep (keep the generated files), --json (figures as JSON), --seed <n>. Run with `node --expose-gc` (as `npm run bench`
 * does) for memory figures taken after full collections.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, platform, arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { Testing } from 'cdk8s';
import { PolicySet } from '../src/engine';
import {
  ConnectionCollector, Connections, Draft, FlowSource, HubbleFlow, Replay, ReplayReport, forEachLine,
} from '../src/hubble';
import { MemoryTracker, collect } from './memory';

interface Options {
  readonly flows: number;
  readonly reps: number;
  readonly gzip: boolean;
  readonly keep: boolean;
  readonly json: boolean;
  readonly seed: number;
  readonly mode: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      flows: { type: 'string' },
      reps: { type: 'string' },
      gzip: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, v: string | undefined, fallback: number, min: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got "${v}"`);
    return n;
  };
  const quick = values.quick ?? false;
  return {
    flows: int('flows', values.flows, quick ? 200_000 : 1_000_000, 1_000),
    reps: int('reps', values.reps, 3, 1),
    gzip: values.gzip ?? false,
    keep: values.keep ?? false,
    json: values.json ?? false,
    seed: int('seed', values.seed, 1, 0),
    mode: values.flows !== undefined ? 'custom' : quick ? 'quick' : 'full',
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The generated capture

/** mulberry32: a small, fast, seeded PRNG. */
class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }

  public next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  public pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
}

interface GenPod {
  readonly ip: string;
  readonly node: string;
  /** The endpoint JSON as seen on its own node (with ID and workloads), and from elsewhere. */
  readonly local: string;
  readonly remote: string;
  /** For L7 records (no cluster_name, no workloads). */
  readonly l7: string;
}

interface GenPeer {
  readonly ip: string;
  readonly json: string;
}

type End = { readonly pod: GenPod } | { readonly peer: GenPeer };

const NODES = Array.from({ length: 8 }, (_, i) => `node-${i + 1}`);
const APPS = ['web', 'api', 'worker', 'cache', 'db'];
const PATHS = ['/api/products', '/api/products/search', '/api/cart', '/api/orders', '/api/orders/history', '/api/users/me', '/api/session', '/healthz',
  '/api/inventory', '/api/payments', '/api/reviews', '/metrics'];
const EXTERNAL = [
  { name: 'api.stripe.com', ips: ['198.51.100.7', '198.51.100.8'] },
  { name: 'hooks.slack.com', ips: ['198.51.100.20', '198.51.100.21'] },
  { name: 's3.eu-west-1.amazonaws.com', ips: ['203.0.113.30', '203.0.113.31', '203.0.113.32'] },
  { name: 'api.github.com', ips: ['203.0.113.40'] },
];

function podJson(ns: string, app: string, labels: Record<string, string>, identity: number, id: number, name: string, workload: string,
  kind: string): { local: string; remote: string; l7: string } {
  const list = [
    ...Object.entries(labels).map(([k, v]) => `k8s:${k}=${v}`),
    `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}`,
    'k8s:io.cilium.k8s.namespace.labels.team=platform',
    'k8s:io.cilium.k8s.policy.cluster=default',
    `k8s:io.cilium.k8s.policy.serviceaccount=${app}`,
    `k8s:io.kubernetes.pod.namespace=${ns}`,
  ].sort();
  const labelsJson = JSON.stringify(list);
  return {
    local: `{"ID":${id},"identity":${identity},"cluster_name":"default","namespace":"${ns}","labels":${labelsJson},"pod_name":"${name}",`
      + `"workloads":[{"name":"${workload}","kind":"${kind}"}]}`,
    remote: `{"identity":${identity},"cluster_name":"default","namespace":"${ns}","labels":${labelsJson},"pod_name":"${name}"}`,
    l7: `{"ID":${id},"identity":${identity},"namespace":"${ns}","labels":${labelsJson},"pod_name":"${name}"}`,
  };
}

class CaptureWriter {
  private readonly out: ReturnType<typeof createWriteStream>;
  private buffer: string[] = [];
  public records = 0;
  private ns = BigInt(Date.UTC(2025, 5, 2, 10, 0, 0)) * 1_000_000n;
  private n = 0;

  constructor(file: string) {
    this.out = createWriteStream(file, { highWaterMark: 1 << 20 });
  }

  public time(): string {
    this.ns += 137_531n;
    const ms = Number(this.ns / 1_000_000n);
    return `${new Date(ms).toISOString().slice(0, 19)}.${(this.ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
  }

  public uuid(): string {
    this.n++;
    const h = (Math.imul(this.n, 2654435761) >>> 0).toString(16).padStart(8, '0');
    const c = this.n.toString(16).padStart(12, '0');
    return `${h}-${c.slice(0, 4)}-4${c.slice(4, 7)}-8${h.slice(0, 3)}-${c}`;
  }

  public line(text: string, record = true): void {
    this.buffer.push(text);
    if (record) this.records++;
  }

  public async flush(force = false): Promise<void> {
    if (!force && this.buffer.length < 4096) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    if (!this.out.write(chunk)) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }

  public async close(): Promise<void> {
    await this.flush(true);
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

interface Flow {
  readonly node: string;
  readonly verdict?: string;
  readonly src: End;
  readonly dst: End;
  readonly l4: string;
  readonly type?: string;
  readonly eventType: string;
  readonly direction?: string;
  readonly point?: string;
  readonly reason?: string;
  readonly reply?: boolean;
  readonly l7?: string;
  readonly extra?: string;
  readonly summary: string;
}

function endJson(e: End, node: string, l7: boolean): string {
  if ('peer' in e) return e.peer.json;
  return l7 ? e.pod.l7 : e.pod.node === node ? e.pod.local : e.pod.remote;
}

function ipOf(e: End): string {
  return 'peer' in e ? e.peer.ip : e.pod.ip;
}

function write(w: CaptureWriter, f: Flow): void {
  const t = w.time();
  const l7 = f.type === 'L7';
  const eth = l7 ? '' : '"ethernet":{"source":"0a:58:0a:f4:01:17","destination":"0a:58:0a:f4:01:01"},';
  w.line(`{"flow":{"time":"${t}","uuid":"${w.uuid()}","emitter":{"name":"Hubble","version":"1.19.1+gd0d0c879"},"verdict":"${f.verdict ?? 'FORWARDED'}",`
    + `${f.extra ?? ''}${eth}"IP":{"source":"${ipOf(f.src)}","destination":"${ipOf(f.dst)}","ipVersion":"IPv4"},"l4":${f.l4},`
    + `"source":${endJson(f.src, f.node, l7)},"destination":${endJson(f.dst, f.node, l7)},"Type":"${f.type ?? 'L3_L4'}","node_name":"${f.node}",`
    + `"node_labels":["kubernetes.io/hostname=${f.node}","topology.kubernetes.io/zone=eu-west-1a"],${f.l7 ? `"l7":${f.l7},` : ''}`
    + `${f.reply ? '"reply":true,' : ''}"event_type":${f.eventType},${f.direction ? `"traffic_direction":"${f.direction}",` : ''}`
    + `${f.point ? `"trace_observation_point":"${f.point}",` : ''}${f.reason ? `"trace_reason":"${f.reason}",` : ''}`
    + `${f.reply !== undefined ? `"is_reply":${f.reply},` : ''}${l7 ? '' : '"interface":{"index":17,"name":"lxc2c3f4e5a6b7c"},'}"Summary":"${f.summary}"},`
    + `"node_name":"${f.node}","time":"${t}"}`);
}

function tcp(sport: number, dport: number, flags: string): string {
  return `{"TCP":{"source_port":${sport},"destination_port":${dport}${flags ? `,"flags":${flags}` : ''}}}`;
}

function udp(sport: number, dport: number): string {
  return `{"UDP":{"source_port":${sport},"destination_port":${dport}}}`;
}

const nodeOf = (e: End): string | undefined => ('pod' in e ? e.pod.node : undefined);

/** A TCP connection: SYN out of the client's node, delivered at the server, SYN-ACK, `packets` established packets each way. */
function tcpConnection(w: CaptureWriter, rng: Rng, c: End, s: End, dport: number, packets: number, verdict?: { at: 'EGRESS' | 'INGRESS'; v: string }): void {
  const sport = 32768 + rng.int(28000);
  const cn = nodeOf(c);
  const sn = nodeOf(s) ?? cn ?? 'node-1';
  const syn = '{"SYN":true}';
  if (verdict?.at === 'EGRESS' && cn) {
    write(w, { node: cn, verdict: verdict.v, src: c, dst: s, l4: tcp(sport, dport, syn), eventType: '{"type":5}', direction: 'EGRESS', reply: false,
      extra: verdict.v === 'DROPPED' ? '"drop_reason":133,' : '', summary: 'TCP Flags: SYN' });
    if (verdict.v === 'DROPPED') return;
  }
  if (cn && cn !== nodeOf(s)) {
    write(w, { node: cn, src: c, dst: s, l4: tcp(sport, dport, syn), eventType: '{"type":4,"sub_type":3}', direction: 'EGRESS', point: 'TO_STACK',
      reason: 'NEW', reply: false, summary: 'TCP Flags: SYN' });
  }
  if ('pod' in s) {
    if (verdict?.at === 'INGRESS') {
      write(w, { node: sn, verdict: verdict.v, src: c, dst: s, l4: tcp(sport, dport, syn), eventType: '{"type":5}', direction: 'INGRESS',
        reply: verdict.v === 'DROPPED' ? undefined : false, extra: verdict.v === 'DROPPED' ? '"drop_reason":133,' : '', summary: 'TCP Flags: SYN' });
      if (verdict.v === 'DROPPED') {
        write(w, { node: sn, verdict: 'DROPPED', src: c, dst: s, l4: tcp(sport, dport, syn), eventType: '{"type":1,"sub_type":133}', direction: 'INGRESS',
          extra: '"drop_reason":133,', summary: 'TCP Flags: SYN' });
        return;
      }
    }
    write(w, { node: sn, src: c, dst: s, l4: tcp(sport, dport, syn), eventType: '{"type":4}', direction: cn === sn ? 'EGRESS' : 'INGRESS',
      point: 'TO_ENDPOINT', reason: 'NEW', reply: false, summary: 'TCP Flags: SYN' });
  }
  write(w, { node: sn, src: s, dst: c, l4: tcp(dport, sport, '{"SYN":true,"ACK":true}'), eventType: '{"type":4,"sub_type":3}', direction: 'INGRESS',
    point: 'TO_STACK', reason: 'REPLY', reply: true, summary: 'TCP Flags: SYN, ACK' });
  for (let i = 0; i < packets; i++) {
    if (cn) {
      write(w, { node: cn, src: c, dst: s, l4: tcp(sport, dport, '{"PSH":true,"ACK":true}'), eventType: '{"type":4,"sub_type":3}', direction: 'EGRESS',
        point: 'TO_STACK', reason: 'ESTABLISHED', reply: false, summary: 'TCP Flags: ACK, PSH' });
    }
    write(w, { node: sn, src: s, dst: c, l4: tcp(dport, sport, '{"PSH":true,"ACK":true}'), eventType: '{"type":4,"sub_type":3}', direction: 'INGRESS',
      point: 'TO_STACK', reason: 'REPLY', reply: true, summary: 'TCP Flags: ACK, PSH' });
  }
}

async function generate(file: string, target: number, seed: number): Promise<{ records: number; lines: number; bytes: number }> {
  const rng = new Rng(seed);
  const w = new CaptureWriter(file);
  let identity = 20000;
  let id = 100;
  const namespaces = Array.from({ length: 16 }, (_, i) => `team-${String.fromCharCode(97 + i)}`);
  const pods = new Map<string, GenPod[]>();
  const mk = (ns: string, app: string, labels: Record<string, string>, kind = 'Deployment'): GenPod[] => {
    identity += 7;
    const list: GenPod[] = [];
    for (let i = 0; i < 3; i++) {
      const hash = (identity * 2654435761 >>> 0).toString(36).slice(0, 9);
      const name = `${app}-${hash}-${(i * 7919 + identity).toString(36).slice(-5)}`;
      const json = podJson(ns, app, { ...labels, 'pod-template-hash': hash }, identity, id++, name, app, kind);
      list.push({ ip: `10.${(identity >> 8) & 255}.${identity & 255}.${10 + i}`, node: NODES[(identity + i) % NODES.length], ...json });
    }
    pods.set(`${ns}/${app}`, list);
    return list;
  };
  for (const ns of namespaces) for (const app of APPS) mk(ns, app, { app, 'app.kubernetes.io/part-of': ns });
  const ingress = mk('ingress-nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  const prometheus = mk('monitoring', 'prometheus', { 'app.kubernetes.io/name': 'prometheus' }, 'StatefulSet');
  const dns = mk('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });
  const host: GenPeer = { ip: '10.0.0.1', json: '{"identity":1,"labels":["reserved:host"]}' };
  const world = (ip: string, name?: string): GenPeer => ({
    ip, json: name ? `{"identity":16777${300 + (ip.charCodeAt(ip.length - 1) % 50)},"labels":["fqdn:${name}","reserved:world"]}` : '{"identity":2,"labels":["reserved:world"]}',
  });
  const any = (list: GenPod[]): End => ({ pod: rng.pick(list) });
  const app = (ns: string, a: string): GenPod[] => pods.get(`${ns}/${a}`) as GenPod[];

  const actions: { weight: number; run: () => void }[] = [
    // Internet → ingress → web (HTTP through the ingress proxy of web).
    { weight: 10, run: () => tcpConnection(w, rng, { peer: world(`203.0.${rng.int(4)}.${1 + rng.int(200)}`) }, any(ingress), 443, 2) },
    {
      weight: 14, run: () => {
        const ns = rng.pick(namespaces);
        const c = any(ingress);
        const s = any(app(ns, 'web'));
        tcpConnection(w, rng, c, s, 8080, 1, rng.next() < 0.3 ? { at: 'INGRESS', v: 'AUDIT' } : undefined);
      },
    },
    {
      weight: 22, run: () => {
        const ns = rng.next() < 0.97 ? undefined : rng.pick(namespaces);
        const from = rng.pick(namespaces);
        const c = any(app(from, 'web'));
        const s = any(app(ns ?? from, 'api'));
        const sport = 32768 + rng.int(28000);
        const path = rng.pick(PATHS);
        const method = path.includes('orders') || path.includes('cart') ? rng.pick(['GET', 'POST']) : 'GET';
        const url = `http://${'pod' in s ? s.pod.ip : ''}:8080${path}`;
        const node = nodeOf(s) as string;
        write(w, { node, verdict: 'REDIRECTED', src: c, dst: s, l4: tcp(sport, 8080, '{"SYN":true}'), eventType: '{"type":5}', direction: 'INGRESS',
          extra: '', reply: false, summary: 'TCP Flags: SYN' });
        write(w, { node, src: c, dst: s, l4: tcp(sport, 8080, ''), type: 'L7', eventType: '{"type":129}', direction: 'INGRESS', reply: false,
          l7: `{"type":"REQUEST","http":{"method":"${method}","url":"${url}","protocol":"HTTP/1.1","headers":[{"key":"Accept","value":"application/json"},`
            + `{"key":"User-Agent","value":"web/2.3.1"},{"key":"X-Request-Id","value":"${w.uuid()}"}]}}`, summary: `HTTP/1.1 ${method} ${url}` });
        write(w, { node, src: s, dst: c, l4: tcp(8080, sport, ''), type: 'L7', eventType: '{"type":129}', direction: 'INGRESS', reply: true,
          l7: `{"type":"RESPONSE","latency_ns":"${1000000 + rng.int(9000000)}","http":{"code":200,"method":"${method}","url":"${url}","protocol":"HTTP/1.1"}}`,
          summary: `HTTP/1.1 200 3ms (${method} ${url})` });
        write(w, { node, src: s, dst: c, l4: tcp(8080, sport, '{"ACK":true}'), eventType: '{"type":4,"sub_type":3}', direction: 'INGRESS',
          point: 'TO_STACK', reason: 'REPLY', reply: true, summary: 'TCP Flags: ACK' });
      },
    },
    { weight: 12, run: () => { const ns = rng.pick(namespaces); tcpConnection(w, rng, any(app(ns, 'api')), any(app(ns, 'db')), 5432, 3); } },
    { weight: 8, run: () => { const ns = rng.pick(namespaces); tcpConnection(w, rng, any(app(ns, 'api')), any(app(ns, 'cache')), 6379, 4); } },
    { weight: 6, run: () => { const ns = rng.pick(namespaces); tcpConnection(w, rng, any(app(ns, 'worker')), any(app(ns, 'db')), 5432, 2); } },
    {
      weight: 12, run: () => {
        // A DNS lookup through the DNS proxy, then a connection to the answer.
        const ns = rng.pick(namespaces);
        const c = any(app(ns, rng.pick(['api', 'worker'])));
        const ext = rng.pick(EXTERNAL);
        const sport = 32768 + rng.int(28000);
        const node = nodeOf(c) as string;
        const d = any(dns);
        const query = rng.next() < 0.5 ? `${ext.name}.` : `${ext.name}.${ns}.svc.cluster.local.`;
        write(w, { node, verdict: 'REDIRECTED', src: c, dst: d, l4: udp(sport, 53), eventType: '{"type":5}', direction: 'EGRESS', reply: false, summary: 'UDP' });
        write(w, { node, src: c, dst: d, l4: udp(sport, 53), type: 'L7', eventType: '{"type":129}', direction: 'EGRESS', reply: false,
          l7: `{"type":"REQUEST","dns":{"query":"${query}","observation_source":"proxy","qtypes":["A"]}}`, summary: `DNS Query ${query} A` });
        const answer = query.endsWith('.cluster.local.') ? '"rcode":3,' : `"ips":${JSON.stringify(ext.ips)},"ttl":30,`;
        write(w, { node, src: d, dst: c, l4: udp(53, sport), type: 'L7', eventType: '{"type":129}', direction: 'EGRESS', reply: true,
          l7: `{"type":"RESPONSE","latency_ns":"812000","dns":{"query":"${query}",${answer}"observation_source":"proxy","qtypes":["A"],"rrtypes":["A"]}}`,
          summary: `DNS Answer (Proxy ${query} A)` });
        if (!query.endsWith('.cluster.local.')) tcpConnection(w, rng, c, { peer: world(rng.pick(ext.ips), ext.name) }, 443, 3, { at: 'EGRESS', v: 'FORWARDED' });
      },
    },
    {
      weight: 8, run: () => {
        const ns = rng.pick(namespaces);
        tcpConnection(w, rng, any(prometheus), any(app(ns, rng.pick(APPS))), 9090, 1, rng.next() < 0.1 ? { at: 'INGRESS', v: 'DROPPED' } : undefined);
      },
    },
    { weight: 6, run: () => { const ns = rng.pick(namespaces); tcpConnection(w, rng, { peer: host }, any(app(ns, rng.pick(APPS))), 8080, 0); } },
    {
      weight: 3, run: () => {
        // Noise: overlay traces without direction, a socket-LB translation, a datapath drop.
        const ns = rng.pick(namespaces);
        const c = any(app(ns, 'web'));
        const s = any(app(ns, 'api'));
        const node = nodeOf(c) as string;
        write(w, { node, src: c, dst: s, l4: tcp(40000 + rng.int(20000), 8080, '{"ACK":true}'), eventType: '{"type":4,"sub_type":4}', point: 'TO_OVERLAY',
          summary: 'TCP Flags: ACK' });
        write(w, { node, verdict: 'TRANSLATED', src: c, dst: s, l4: tcp(40000 + rng.int(20000), 80, ''), type: 'SOCK', eventType: '{"type":7}',
          summary: `${ns}/web -> ${ns}/api:80` });
        if (rng.next() < 0.2) {
          write(w, { node, verdict: 'DROPPED', src: c, dst: s, l4: tcp(40000 + rng.int(20000), 8080, '{"SYN":true}'), eventType: '{"type":1,"sub_type":155}',
            direction: 'EGRESS', extra: '"drop_reason":155,', summary: 'TCP Flags: SYN' });
        }
      },
    },
    // Unwanted: a rare worker → unknown address.
    { weight: 0.05, run: () => tcpConnection(w, rng, any(app(rng.pick(namespaces), 'worker')), { peer: world(`192.0.2.${1 + rng.int(50)}`) }, 4444, 1) },
  ];
  const total = actions.reduce((a, x) => a + x.weight, 0);
  let lines = 0;
  while (w.records < target) {
    let r = rng.next() * total;
    const action = actions.find((a) => (r -= a.weight) < 0) ?? actions[0];
    action.run();
    if (rng.next() < 0.0002) {
      w.line(`{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"${1 + rng.int(40)}","cpu":${rng.int(8)}},"node_name":"${rng.pick(NODES)}"}`, false);
      lines++;
    }
    if (rng.next() < 0.00002) {
      w.line('{"flow":{"time":"2025-06-02T10:00:01.5Z","verdict":"FORWARDED","IP":{"source":"10.0.1.20"', false);
      lines++;
    }
    await w.flush();
  }
  await w.close();
  return { records: w.records, lines: w.records + lines, bytes: statSync(file).size };
}

// ---------------------------------------------------------------------------------------------------------------------
// Measurement

const MB = 1024 * 1024;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function linesOnly(file: string, memory: MemoryTracker): Promise<number> {
  collect();
  memory.enter('read lines only');
  let chars = 0;
  const start = process.hrtime.bigint();
  await forEachLine(FlowSource.file(file), (line, n) => {
    chars += line.length;
    if ((n & 65535) === 0) memory.sample();
  });
  const ns = Number(process.hrtime.bigint() - start);
  memory.settle();
  if (chars === 0) throw new Error('empty capture');
  return ns;
}

async function parseOnly(file: string, memory: MemoryTracker): Promise<{ ns: number; records: number }> {
  collect();
  memory.enter('parse only');
  let records = 0;
  const start = process.hrtime.bigint();
  await forEachLine(FlowSource.file(file), (line, n) => {
    try {
      const r = JSON.parse(line) as { flow?: unknown };
      if (r.flow !== undefined) records++;
    } catch {
      // malformed: counted by the real reader
    }
    if ((n & 65535) === 0) memory.sample();
  });
  const ns = Number(process.hrtime.bigint() - start);
  memory.settle();
  return { ns, records };
}

async function replay(
  file: string, set: PolicySet, memory: MemoryTracker, phase: string,
): Promise<{ ns: number; collectNs: number; report: ReplayReport }> {
  collect();
  memory.enter(phase);
  const start = process.hrtime.bigint();
  const timer = setInterval(() => memory.sample(), 50);
  const capture = await Connections.collect(FlowSource.file(file));
  const collected = process.hrtime.bigint();
  const report = Replay.capture(capture, set);
  const end = process.hrtime.bigint();
  clearInterval(timer);
  memory.settle();
  return { ns: Number(end - start), collectNs: Number(collected - start), report };
}

async function main(): Promise<void> {
  const opts = options();
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-replay-bench-'));
  const file = join(dir, 'flows.jsonl');
  try {
    const loadBefore = loadavg()[0];
    let t = process.hrtime.bigint();
    const gen = await generate(file, opts.flows, opts.seed);
    const generateS = Number(process.hrtime.bigint() - t) / 1e9;
    let gzFile: string | undefined;
    let gzBytes = 0;
    if (opts.gzip) {
      gzFile = `${file}.gz`;
      await pipeline(createReadStream(file), createGzip({ level: 6 }), createWriteStream(gzFile));
      gzBytes = statSync(gzFile).size;
    }

    // Policies drafted from the first tenth of the capture.
    t = process.hrtime.bigint();
    const head = new ConnectionCollector();
    await forEachLine(FlowSource.file(file), (line, n) => {
      if (n > gen.lines / 10) return;
      try {
        const r = JSON.parse(line) as { flow?: HubbleFlow };
        if (r.flow) head.add(r.flow, n);
      } catch {
        // the malformed lines of the capture
      }
    });
    const draft = Draft.plan(head.finish());
    const app = Testing.app();
    Draft.apply(draft, app);
    const policyYaml = app.charts.flatMap((c) => c.toJson());
    const draftS = Number(process.hrtime.bigint() - t) / 1e9;
    t = process.hrtime.bigint();
    const set = PolicySet.fromConstruct(app);
    const compileMs = Number(process.hrtime.bigint() - t) / 1e6;

    const memory = new MemoryTracker();
    // Warm-up (JIT, file cache), then interleaved timed repetitions.
    await parseOnly(file, memory);
    const warm = await replay(file, set, memory, 'replay (warm-up)');
    const lineTimes: number[] = [];
    const parseTimes: number[] = [];
    const replayTimes: number[] = [];
    const collectTimes: number[] = [];
    const gzTimes: number[] = [];
    let report = warm.report;
    for (let r = 0; r < opts.reps; r++) {
      lineTimes.push(await linesOnly(file, memory));
      parseTimes.push((await parseOnly(file, memory)).ns);
      const x = await replay(file, set, memory, 'replay');
      replayTimes.push(x.ns);
      collectTimes.push(x.collectNs);
      report = x.report;
      if (gzFile) gzTimes.push((await replay(gzFile, set, memory, 'replay (gzip)')).ns);
    }
    const records = report.input.flows;
    const linesS = median(lineTimes) / 1e9;
    const parseS = median(parseTimes) / 1e9;
    const replayS = median(replayTimes) / 1e9;
    const collectS = median(collectTimes) / 1e9;
    const peak = (phase: string): { rssMB: number; heapOverBaselineMB: number } => {
      const p = memory.phases.get(phase) ?? { rss: 0, heapUsed: 0 };
      return { rssMB: p.rss / MB, heapOverBaselineMB: (p.heapUsed - memory.baseline.heapUsed) / MB };
    };
    const cpu = cpus();
    const result = {
      machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', platform: `${platform()} ${arch()}`, node: process.version,
        loadAverage1m: { before: loadBefore, after: loadavg()[0] }, gcExposed: typeof gc === 'function' },
      parameters: { mode: opts.mode, seed: opts.seed, flows: opts.flows, reps: opts.reps },
      capture: {
        records: gen.records, lines: gen.lines, fileMB: gen.bytes / MB, bytesPerLine: gen.bytes / gen.lines, generateS,
        ...(opts.gzip ? { gzipMB: gzBytes / MB } : {}),
      },
      policies: { drafted: draft.policies.length, documents: policyYaml.length, fromRecords: draft.flows, draftS, compileMs },
      replay: {
        connections: report.summary.connections,
        grouped: report.summary.flows,
        skipped: report.skipped.total,
        malformed: report.input.malformedCount,
        newlyDropped: report.summary.newlyDropped,
        newlyAllowed: report.summary.newlyAllowed,
        unchanged: report.summary.unchanged,
      },
      throughput: {
        linesOnly: { medianS: linesS, recordsPerS: records / linesS, mbPerS: gen.bytes / MB / linesS },
        parseOnly: { medianS: parseS, recordsPerS: records / parseS, mbPerS: gen.bytes / MB / parseS },
        replay: {
          medianS: replayS, recordsPerS: records / replayS, mbPerS: gen.bytes / MB / replayS, readAndGroupS: collectS, judgeS: replayS - collectS,
        },
        ...(gzTimes.length > 0 ? { replayGzip: { medianS: median(gzTimes) / 1e9, recordsPerS: records / (median(gzTimes) / 1e9) } } : {}),
        ratioReplayOverParse: replayS / parseS,
        targetMet: replayS / parseS <= 2,
      },
      memory: {
        baselineRssMB: memory.baseline.rss / MB,
        baselineHeapUsedMB: memory.baseline.heapUsed / MB,
        linesOnly: peak('read lines only'),
        parseOnly: peak('parse only'),
        replay: peak('replay'),
        ...(opts.gzip ? { replayGzip: peak('replay (gzip)') } : {}),
        processMaxRssMB: (process.resourceUsage().maxRSS * 1024) / MB,
      },
    };
    if (opts.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const n = (v: number, d = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
    const th = result.throughput;
    const out = [
      `cdk8s-cilium Hubble replay benchmark (${opts.mode})`,
      `machine   ${result.machine.cpus} x ${result.machine.cpuModel}, ${result.machine.platform}, node ${result.machine.node}, load average (1 min) `
        + `${n(result.machine.loadAverage1m.before, 2)} before / ${n(result.machine.loadAverage1m.after, 2)} after${result.machine.gcExposed ? '' : '; gc not exposed'}`,
      `capture   ${n(gen.records)} flow records in ${n(gen.lines)} lines, ${n(result.capture.fileMB)} MB (${n(result.capture.bytesPerLine)} bytes/line), `
        + `generated in ${n(generateS, 1)} s${opts.gzip ? `; gzip copy ${n(gzBytes / MB)} MB` : ''}`,
      `policies  ${draft.policies.length} CNPs drafted from the first ${n(draft.flows)} records (${n(draftS, 1)} s), compiled in ${n(compileMs)} ms`,
      `replay    ${n(report.summary.connections)} connections from ${n(report.summary.flows)} records (${n(report.skipped.total)} skipped, `
        + `${n(report.input.malformedCount)} malformed): ${n(report.summary.newlyDropped)} would be dropped, ${n(report.summary.newlyAllowed)} newly allowed, `
        + `${n(report.summary.unchanged)} unchanged`,
      '',
      `${'median of '.concat(String(opts.reps), ' interleaved runs').padEnd(44)}${'seconds'.padStart(10)}${'records/s'.padStart(14)}${'MB/s'.padStart(10)}`,
      `  ${'read lines only (no parse)'.padEnd(42)}${n(linesS, 2).padStart(10)}${n(th.linesOnly.recordsPerS).padStart(14)}${n(th.linesOnly.mbPerS).padStart(10)}`,
      `  ${'parse only (read lines + JSON.parse)'.padEnd(42)}${n(parseS, 2).padStart(10)}${n(th.parseOnly.recordsPerS).padStart(14)}${n(th.parseOnly.mbPerS).padStart(10)}`,
      `  ${'replay (read, classify, group, judge)'.padEnd(42)}${n(replayS, 2).padStart(10)}${n(th.replay.recordsPerS).padStart(14)}${n(th.replay.mbPerS).padStart(10)}`,
      `  ${'  of which judging the connections'.padEnd(42)}${n(replayS - collectS, 2).padStart(10)}`,
      ...(th.replayGzip ? [`  ${'replay of the gzip copy'.padEnd(42)}${n(th.replayGzip.medianS, 2).padStart(10)}${n(th.replayGzip.recordsPerS).padStart(14)}`] : []),
      `  ratio replay / parse only: ${n(th.ratioReplayOverParse, 2)} (target ≤ 2: ${th.targetMet ? 'met' : 'NOT met'})`,
      '',
      `memory: peaks per phase (baseline before the phases: rss ${n(result.memory.baselineRssMB)} MB, heap used ${n(result.memory.baselineHeapUsedMB)} MB)`,
      `  ${'phase'.padEnd(42)}${'peak rss'.padStart(10)}${'heap used over baseline'.padStart(26)}`,
      ...([['read lines only', result.memory.linesOnly], ['parse only', result.memory.parseOnly], ['replay', result.memory.replay],
        ...(result.memory.replayGzip ? [['replay (gzip)', result.memory.replayGzip]] : [])] as [string, { rssMB: number; heapOverBaselineMB: number }][])
        .map(([name, m]) => `  ${name.padEnd(42)}${`${n(m.rssMB)} MB`.padStart(10)}${`${n(m.heapOverBaselineMB, 1)} MB`.padStart(26)}`),
      `  process peak RSS (maxRSS, whole run): ${n(result.memory.processMaxRssMB)} MB`,
    ];
    console.log(out.join('\n'));
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
