/**
 * `npm run bench:validate`: the pitfall layer (`checkPitfalls`) on N policies, and its L7 parser merge check
 * (`pitfall-l7-parser-conflict`) alone in the same run, at several sizes: the check groups the L7 uses by the filter they
 * meet in (port entry, direction, protocol, and peer from 1.18) and compares only within a namespace, so its time should
 * grow about linearly with N, and stay a small part of the layer.
 *
 * Two inputs per size: `spread` (N CNPs over N/20 namespaces, each with HTTP rules on one of 100 ports, every tenth with
 * Kafka on a port an HTTP rule of its namespace also uses, subjects disjoint: no finding), and `crowded` (N CNPs in one
 * namespace, all on 80/TCP, half HTTP and half Kafka, subjects disjoint: the worst case of the comparison, no finding).
 * Timed with `performance.now()`, the median of --reps runs (default 5) after one warm-up; the check alone runs on the
 * layer's `PitfallRun`, built once (its subjects translated), as `checkPitfalls` builds it.
 *
 * Flags: --sizes 1000,2000,4000 --reps <n> --json.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CiliumVersion } from '../src/core/cilium-version';
import { fromObject } from '../src/model/parse';
import { ManifestInventory } from '../src/validate/inventory';
import { checkPitfalls } from '../src/validate/pitfall-rules';
import { PitfallDocument, PitfallRun } from '../src/validate/pitfall-run';
import { l7ParserConflicts } from '../src/validate/pitfall-parser-merge';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,2000,4000' }, reps: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } });
const sizes = values.sizes.split(',').map(Number);
const reps = Number(values.reps);

function cnp(name: string, namespace: string, app: string, port: number, rules: Record<string, unknown>): unknown {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace },
    spec: {
      endpointSelector: { matchLabels: { app } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports: [{ port: String(port), protocol: 'TCP' }], rules }] }],
    },
  };
}

const HTTP = { http: [{ method: 'GET', path: '/api/.*' }] };
const KAFKA = { kafka: [{ role: 'consume', topic: 'orders' }] };

function documents(kind: 'spread' | 'crowded', n: number): PitfallDocument[] {
  const objects = Array.from({ length: n }, (_, i) => (kind === 'spread'
    ? cnp(`p-${i}`, `team-${Math.floor(i / 20)}`, `app-${i}`, 8000 + ((i + (i % 10 === 0 ? 1 : 0)) % 100), i % 10 === 0 ? KAFKA : HTTP)
    : cnp(`p-${i}`, 'crowded', `app-${i}`, 80, i % 2 === 0 ? HTTP : KAFKA)));
  return objects.flatMap((o) => fromObject(o).documents.map((d) => ({ model: d.model, version: CiliumVersion.V1_19 })));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(f: () => void): number {
  f();
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    f();
    runs.push(performance.now() - t);
  }
  return median(runs);
}

const rows: { input: string; policies: number; pitfallsMs: number; parserCheckMs: number; findings: number }[] = [];
for (const kind of ['spread', 'crowded'] as const) {
  for (const n of sizes) {
    const docs = documents(kind, n);
    const inventory = new ManifestInventory();
    const findings = checkPitfalls(docs, inventory).filter((f) => f.id === 'pitfall-l7-parser-conflict').length;
    const pitfallsMs = time(() => checkPitfalls(docs, inventory));
    const run = new PitfallRun(docs, inventory, {});
    const parserCheckMs = time(() => l7ParserConflicts(run));
    const tenth = (ms: number): number => Math.round(ms * 10) / 10;
    rows.push({ input: kind, policies: n, pitfallsMs: tenth(pitfallsMs), parserCheckMs: tenth(parserCheckMs), findings });
  }
}
if (values.json) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\ninput    policies  checkPitfalls ms  parser check ms  findings`);
  for (const r of rows) console.log(`${r.input.padEnd(8)} ${String(r.policies).padStart(8)}  ${String(r.pitfallsMs).padStart(16)}  ${String(r.parserCheckMs).padStart(15)}  ${r.findings}`);
}
