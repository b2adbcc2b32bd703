/**
 * `npm run bench:diff`: the connectivity diff (`Connectivity.diff`) and report on a generated platform (bench/workload.ts):
 * 1,000 policies and 2,000 endpoint classes (the generated pods as the inventory, one workload each), with a realistic
 * change: one app opens a port to its callers and the world, another app gets an egress deny of a CIDR, and every policy
 * is renamed (`-v2`: a rename is no change, and the content fingerprints keep it from costing a full re-evaluation).
 *
 * Timed, each a median over --reps runs (default 3), each run from fresh policy sets (compile included, cold caches):
 * - diff: `PolicySet.fromDocuments` for base and head + `Connectivity.diff(base, head)` (the target: under 10 s on a 2-core machine);
 * - report: `Connectivity.report` of the base on the classes of one namespace in ten (the full matrix is 4 million pairs;
 *   printed with its pair count).
 *
 * Flags: --quick (200 policies, 400 classes), --policies <n>, --classes <n>, --reps <n>, --seed <n>, --json.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Endpoint, EndpointInventory, PolicySet } from '../src/engine';
import { ClassifiedEndpoint, Connectivity } from '../src/diff';
import { PolicyDocumentModel } from '../src/model/policy-model';
import { generateWorkload } from './workload';

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    policies: { type: 'string' },
    classes: { type: 'string' },
    reps: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const policies = Number(values.policies ?? (values.quick ? 200 : 1000));
const classTarget = Number(values.classes ?? (values.quick ? 400 : 2000));
const reps = Number(values.reps ?? 3);
const seed = Number(values.seed ?? 7);

const workload = generateWorkload({ seed, policies, endpoints: Math.round(classTarget * 1.2), queries: 1 });
const base = workload.docs;

/** The inventory: each generated pod as a workload of its own (an `instance` label tells them apart). */
function inventory(target: number): EndpointInventory {
  const inv = new EndpointInventory();
  const pods = workload.endpoints.filter((e): e is Endpoint & { namespace: string } => e.kind === 'pod' && e.namespace !== undefined);
  const namespaces = new Set(pods.map((p) => p.namespace));
  // Every namespace adds its "other pods" class; world, CIDR and entity classes come on top (about 20).
  const count = Math.max(1, target - namespaces.size - 20);
  pods.slice(0, count).forEach((p, i) => {
    inv.addWorkload({ kind: 'Deployment', name: `w${i}`, namespace: p.namespace, podLabels: { ...p.labels, instance: `i${i}` }, ports: p.ports ?? [] });
    if (p.namespaceLabels) inv.addNamespace(p.namespace, p.namespaceLabels);
  });
  return inv;
}

/** The change: a port opened on one app's ingress (to its callers and the world), a CIDR denied in another namespace; every policy renamed. */
function change(docs: readonly PolicyDocumentModel[]): PolicyDocumentModel[] {
  const apps = docs.filter((d) => d.kind === 'CiliumNetworkPolicy' && (d.spec?.ingress ?? []).some((i) => (i.toPorts ?? []).length > 0));
  const opened = apps[Math.floor(apps.length / 3)];
  const denied = apps[Math.floor((2 * apps.length) / 3)];
  return docs.map((d) => {
    let spec = d.spec;
    if (d === opened && spec) {
      const opening = { ports: [{ port: '9443', protocol: 'TCP' }] };
      spec = {
        ...spec,
        ingress: [...(spec.ingress ?? []).map((i, n) => (n === 0 ? { ...i, toPorts: [...(i.toPorts ?? []), opening] } : i)), { entities: ['world'], toPorts: [opening] }],
      };
    }
    if (d === denied && spec) spec = { ...spec, egressDeny: [...(spec.egressDeny ?? []), { cidr: ['203.0.113.0/24'] }] };
    return { ...d, metadata: { ...d.metadata, name: `${d.metadata.name}-v2` }, ...(spec ? { spec } : {}) };
  });
}

const head = change(base);
const inv = inventory(classTarget);
const diffRuns: number[] = [];
const reportRuns: number[] = [];
let summary = '';
let classCount = 0;
let reportPairs = 0;
let reportConnections = 0;
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  const b = PolicySet.fromDocuments(base, { inventory: inv });
  const h = PolicySet.fromDocuments(head, { inventory: inv });
  const classes = Connectivity.endpointClasses([b, h]);
  const doc = Connectivity.diff(b, h, { classes });
  diffRuns.push(performance.now() - t0);
  classCount = classes.length;
  summary = `${doc.summary.newlyAllowed} newly allowed, ${doc.summary.newlyDenied} newly denied, ${doc.summary.l7Changed ?? 0} L7 changed`;

  const t1 = performance.now();
  const set = PolicySet.fromDocuments(base, { inventory: inv });
  const all = Connectivity.endpointClasses([set]);
  const namespaces = [...new Set(all.map((c) => c.cls.namespace).filter((n): n is string => n !== undefined))].sort();
  const keep = new Set(namespaces.filter((_, i) => i % 10 === 0));
  const sample: ClassifiedEndpoint[] = all.filter((c) => c.cls.namespace === undefined || keep.has(c.cls.namespace));
  const report = Connectivity.report(set, { classes: sample });
  reportRuns.push(performance.now() - t1);
  reportPairs = sample.length * sample.length;
  reportConnections = report.connections.length;
}

const result = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}`,
  policies: base.length,
  classes: classCount,
  diffMs: Math.round(median(diffRuns)),
  diffRunsMs: diffRuns.map(Math.round),
  change: summary,
  reportMs: Math.round(median(reportRuns)),
  reportPairs,
  reportConnections,
};
if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`connectivity diff: ${result.policies} policies, ${result.classes} endpoint classes (${result.machine})`);
  console.log(`  diff (compile base + head, classes, diff): median ${result.diffMs} ms of ${reps} runs [${result.diffRunsMs.join(', ')}] — target < 10000 ms`);
  console.log(`  change found: ${result.change}`);
  console.log(`  report (allowed set) on ${result.reportPairs} class pairs: median ${result.reportMs} ms, ${result.reportConnections} grouped connections`);
}
if (result.diffMs >= 10_000) process.exitCode = 1;
