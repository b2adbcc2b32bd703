/**
 * `npm run bench:diff`: the connectivity diff (`Connectivity.diff`) and report on a generated platform (bench/workload.ts):
 * 1,000 policies and 2,000 endpoint classes (the generated pods as the inventory, one workload each), under several
 * changes (`--change`, see `change` below): a realistic one (one app opens a port, another denies a CIDR) and broad ones
 * whose selectors touch every class (a CCNP `{}` egress deny, a cluster-wide default deny, namespace-wide allows). Every
 * change also renames every policy (`-v2`: a rename is no change).
 *
 * Timed, each a median over --reps runs (default 3), each run from fresh policy sets (compile included, cold caches):
 * - diff, per change: `PolicySet.fromDocuments` for base and head + `Connectivity.diff(base, head)` (the target: under 10 s
 *   on a 2-core machine);
 * - report: `Connectivity.report` of the base on the classes of one namespace in ten (printed with its pair count).
 *
 * Flags: --quick (200 policies, 400 classes), --policies <n>, --classes <n>, --reps <n>, --seed <n>, --json,
 * --change <app-port|ccnp-egress-deny|cluster-default-deny|namespace-allow|world-egress-deny|kube-dns|many-fqdns|all> (default all), --no-report,
 * --restricted <n,n,…>: instead, the restriction pass of the diff (`restriction-changes.ts`) at each size n: n pods
 * (`app=a<i>`, one workload each) and one CiliumClusterwideNetworkPolicy with `endpointSelector: {}` and n ingress items
 * (item i from `app=a<i>` on 1000+i/TCP), head the same plus one item; each size diffed with `serverNames` on item 0 and,
 * alternated with it in the same run, without (the pass skipped: the baseline), --reps runs of each.
 * --other-family <n,n,…>: instead, the pass over the other IP family's world (`other-family-world.ts`) at each size n:
 * the generated platform of n policies plus a CCNP letting every pod reach `0.0.0.0/0` on 443/TCP (so the world classes
 * are split by family), head the `app-port` change with that CCNP's peer made the world entity; each size diffed with the
 * IP families defaulted (the pass runs) and, alternated with it in the same run, with `ipFamilies: ipv4` given (the pass
 * skipped: the baseline), --reps runs of each.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Endpoint, EndpointInventory, IpFamilies, PolicySet } from '../src/engine';
import { ClassifiedEndpoint, Connectivity } from '../src/diff';
import { PolicyDocumentModel, PolicyKind, RuleItemModel } from '../src/model/policy-model';
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
    change: { type: 'string', default: 'all' },
    'no-report': { type: 'boolean', default: false },
    restricted: { type: 'string' },
    'other-family': { type: 'string' },
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

/** A change the bench can apply (`--change`). */
type ChangeName = 'app-port' | 'ccnp-egress-deny' | 'cluster-default-deny' | 'namespace-allow' | 'world-egress-deny' | 'kube-dns' | 'many-fqdns';
const CHANGES: readonly ChangeName[] = [
  'app-port', 'ccnp-egress-deny', 'cluster-default-deny', 'namespace-allow', 'world-egress-deny', 'kube-dns', 'many-fqdns',
];
const NS_KEY = 'k8s:io.kubernetes.pod.namespace';

/** Every policy renamed (`-v2`: a rename is no change), with `spec` replaced for the documents `edit` changes. */
function renamed(docs: readonly PolicyDocumentModel[], edit: (d: PolicyDocumentModel) => PolicyDocumentModel['spec']): PolicyDocumentModel[] {
  return docs.map((d) => {
    const spec = edit(d);
    return { ...d, metadata: { ...d.metadata, name: `${d.metadata.name}-v2` }, ...(spec ? { spec } : {}) };
  });
}

/** `app-port`: a port opened on one app's ingress (to its callers and the world), a CIDR denied in another namespace; every policy renamed. */
function appPort(docs: readonly PolicyDocumentModel[]): PolicyDocumentModel[] {
  const apps = docs.filter((d) => d.kind === 'CiliumNetworkPolicy' && (d.spec?.ingress ?? []).some((i) => (i.toPorts ?? []).length > 0));
  const opened = apps[Math.floor(apps.length / 3)];
  const denied = apps[Math.floor((2 * apps.length) / 3)];
  return renamed(docs, (d) => {
    let spec = d.spec;
    if (d === opened && spec) {
      const opening = { ports: [{ port: '9443', protocol: 'TCP' }] };
      spec = {
        ...spec,
        ingress: [...(spec.ingress ?? []).map((i, n) => (n === 0 ? { ...i, toPorts: [...(i.toPorts ?? []), opening] } : i)), { entities: ['world'], toPorts: [opening] }],
      };
    }
    if (d === denied && spec) spec = { ...spec, egressDeny: [...(spec.egressDeny ?? []), { cidr: ['203.0.113.0/24'] }] };
    return spec;
  });
}

/**
 * The change of `--change` (every one also renames every policy):
 * - `app-port`: see `appPort` (touches two apps);
 * - `ccnp-egress-deny`: a CCNP with `endpointSelector: {}` denying egress to a partner CIDR and to every pod on 22/TCP
 *   (`enableDefaultDeny: false`): every class's egress changes;
 * - `cluster-default-deny`: a CCNP with `endpointSelector: {}` putting every pod into ingress default deny, with
 *   ingress from the local node and from kube-system allowed (what `ClusterDefaultDeny` writes): every class's ingress
 *   changes, and the pods of the namespaces without a default deny lose most of their callers;
 * - `namespace-allow`: in one namespace in ten, a CNP with `endpointSelector: {}` allowing ingress from and egress to
 *   every pod of the namespace;
 * - `world-egress-deny`: a CCNP with `endpointSelector: {}` denying egress to `world` (`enableDefaultDeny: false`): every
 *   class's egress changes, and every connection to a world, CIDR or `fqdn:` class is cut;
 * - `kube-dns`: kube-dns's ingress policy (the CCNP `kube-dns-ingress`) admits only the namespaces with `env=prod`, on
 *   53/ANY: the clients of every other namespace stop learning every DNS name (their `fqdn:` connections are cut), with
 *   no change to any client's own rules;
 * - `many-fqdns`: a CCNP selecting the pods of one team's namespaces (`enableDefaultDeny: false`) allowing egress to
 *   500 `toFQDNs` names and patterns on 443/TCP, with its DNS companion toward kube-dns: 500 more `fqdn:` classes, whose
 *   pairs with every client are judged (the team's pods' egress changes; the change lists each of them × 500 names).
 */
function change(docs: readonly PolicyDocumentModel[], name: ChangeName): PolicyDocumentModel[] {
  switch (name) {
    case 'app-port':
      return appPort(docs);
    case 'ccnp-egress-deny':
      return [...renamed(docs, (d) => d.spec), {
        kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'deny-partner-and-ssh' },
        spec: {
          endpointSelector: {},
          egressDeny: [{ cidr: ['203.0.113.0/24'] }, { endpoints: [{}], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
          enableDefaultDeny: { ingress: false, egress: false },
        },
      }];
    case 'cluster-default-deny':
      return [...renamed(docs, (d) => d.spec), {
        kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'cluster-default-deny' },
        spec: {
          endpointSelector: { matchExpressions: [{ key: NS_KEY, operator: 'Exists' }] },
          ingress: [{ entities: ['host'] }, { endpoints: [{ matchLabels: { [NS_KEY]: 'kube-system' } }] }],
        },
      }];
    case 'namespace-allow': {
      const namespaces = [...new Set(docs.map((d) => d.metadata.namespace).filter((n): n is string => n !== undefined))].sort();
      const chosen = namespaces.filter((_, i) => i % 10 === 0);
      return [...renamed(docs, (d) => d.spec), ...chosen.map((namespace) => ({
        kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'allow-namespace', namespace },
        spec: { endpointSelector: {}, ingress: [{ endpoints: [{}] }], egress: [{ endpoints: [{}] }] },
      }))];
    }
    case 'world-egress-deny':
      return [...renamed(docs, (d) => d.spec), {
        kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'deny-world-egress' },
        spec: { endpointSelector: {}, egressDeny: [{ entities: ['world'] }], enableDefaultDeny: { ingress: false, egress: false } },
      }];
    case 'kube-dns':
      return renamed(docs, (d) => (d.kind === PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY && d.metadata.name === 'kube-dns-ingress' && d.spec ? {
        ...d.spec,
        ingress: [{ endpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.env': 'prod' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }],
      } : d.spec));
    case 'many-fqdns': {
      // 500 names and patterns: a fifth exact names, the rest `*.` patterns and a few with an inner `*`.
      const fqdns = Array.from({ length: 500 }, (_, i) => (i % 5 === 0 ? { matchName: `api${i}.vendor${i % 17}.example.org` }
        : i % 7 === 0 ? { matchPattern: `svc*.tenant${i}.example.org` } : { matchPattern: `*.tenant${i}.example.org` }));
      return [...renamed(docs, (d) => d.spec), {
        kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'saas-egress' },
        spec: {
          endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'team-0' } },
          egress: [
            { fqdns, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
            { endpoints: [{ matchLabels: { [NS_KEY]: 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
          ],
          enableDefaultDeny: { ingress: false, egress: false },
        },
      }];
    }
  }
}

/**
 * `--restricted`: per size, the diff of a CCNP of n ingress items against the same plus one, with `serverNames` on item 0
 * (the restriction pass runs) and without (it is skipped), alternated; CPU time per run (the machine is shared).
 */
function restrictedBench(sizes: readonly number[]): void {
  const rows: { size: number; classes: number; withMs: number[]; withoutMs: number[]; found: string }[] = [];
  for (const n of sizes) {
    const inv = new EndpointInventory();
    for (let i = 0; i < n; i++) inv.addWorkload({ kind: 'Deployment', name: `w${i}`, namespace: 'shop', podLabels: { app: `a${i}` }, ports: [] });
    const item = (i: number, sni: boolean): RuleItemModel => ({
      endpoints: [{ matchLabels: { app: `a${i}` } }],
      toPorts: [{ ports: [{ port: String(1000 + i), protocol: 'TCP' }], ...(sni ? { serverNames: ['api.example.com'] } : {}) }],
    });
    const ccnp = (count: number, sni: boolean): PolicyDocumentModel[] => [{
      kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'many-items' },
      spec: { endpointSelector: {}, ingress: Array.from({ length: count }, (_, i) => item(i, sni && i === 0)) },
    }];
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    let found = '';
    let classes = 0;
    for (let r = 0; r < reps; r++) {
      for (const sni of [true, false]) {
        const c0 = process.cpuUsage();
        const b = PolicySet.fromDocuments(ccnp(n, sni), { inventory: inv });
        const h = PolicySet.fromDocuments(ccnp(n + 1, sni), { inventory: inv });
        const all = Connectivity.endpointClasses([b, h]);
        const doc = Connectivity.diff(b, h, { classes: all });
        const c1 = process.cpuUsage(c0);
        (sni ? withMs : withoutMs).push((c1.user + c1.system) / 1000);
        classes = all.length;
        if (sni) found = `${doc.summary.newlyAllowed} newly allowed, ${(doc.notCompared ?? []).length} not compared`;
      }
    }
    rows.push({ size: n, classes, withMs: withMs.map(Math.round), withoutMs: withoutMs.map(Math.round), found });
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}`;
  if (values.json) {
    console.log(JSON.stringify({ machine, restricted: rows }, null, 2));
    return;
  }
  console.log(`connectivity diff, restriction pass: CCNP of n ingress items vs n + 1, serverNames on item 0 (${machine})`);
  for (const r of rows) {
    console.log(`  n=${r.size} (${r.classes} classes): with serverNames median CPU ${Math.round(median(r.withMs))} ms [${r.withMs.join(', ')}], `
      + `without (pass skipped) ${Math.round(median(r.withoutMs))} ms [${r.withoutMs.join(', ')}]; ${r.found}`);
  }
}

/**
 * `--other-family`: per size, the diff of the generated platform with a CCNP to `0.0.0.0/0` against the `app-port` change
 * with that peer made the world entity, the IP families defaulted (the pass over the IPv6 world runs) and given as IPv4
 * (skipped), alternated; CPU time per run (the machine is shared).
 */
function otherFamilyBench(sizes: readonly number[]): void {
  const rows: { size: number; classes: number; withMs: number[]; withoutMs: number[]; found: string }[] = [];
  const https = (peer: RuleItemModel): PolicyDocumentModel => ({
    kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'egress-https' },
    spec: { endpointSelector: {}, egress: [{ ...peer, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }], enableDefaultDeny: { ingress: false, egress: false } },
  });
  for (const n of sizes) {
    const docs = generateWorkload({ seed, policies: n, endpoints: n, queries: 1 }).docs;
    const baseDocs = [...docs, https({ cidr: ['0.0.0.0/0'] })];
    const headDocs = [...appPort(docs), https({ entities: ['world'] })];
    const withMs: number[] = [];
    const withoutMs: number[] = [];
    let found = '';
    let classes = 0;
    for (let r = 0; r < reps; r++) {
      for (const defaulted of [true, false]) {
        const options = defaulted ? {} : { ipFamilies: IpFamilies.IPV4 };
        const c0 = process.cpuUsage();
        const doc = Connectivity.diff(PolicySet.fromDocuments(baseDocs, options), PolicySet.fromDocuments(headDocs, options));
        const c1 = process.cpuUsage(c0);
        (defaulted ? withMs : withoutMs).push((c1.user + c1.system) / 1000);
        classes = doc.endpoints.length;
        if (defaulted) found = `${doc.changes.length} changes, ${(doc.notCompared ?? []).length} not compared`;
      }
    }
    rows.push({ size: n, classes, withMs: withMs.map(Math.round), withoutMs: withoutMs.map(Math.round), found });
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}`;
  if (values.json) {
    console.log(JSON.stringify({ machine, otherFamily: rows }, null, 2));
    return;
  }
  console.log(`connectivity diff, the other family's world: n generated policies + a CCNP to 0.0.0.0/0 → the world entity (${machine})`);
  for (const r of rows) {
    const ratio = median(r.withMs) / median(r.withoutMs);
    console.log(`  n=${r.size} (${r.classes} classes): families defaulted median CPU ${Math.round(median(r.withMs))} ms [${r.withMs.join(', ')}], `
      + `ipv4 given (pass skipped) ${Math.round(median(r.withoutMs))} ms [${r.withoutMs.join(', ')}], ${ratio.toFixed(2)}×; ${r.found}`);
  }
}

const sizesOf = (flag: string, text: string): number[] => {
  const sizes = text.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`--${flag}: '${text}' is not a list of positive sizes; give e.g. --${flag} 250,500,1000`);
    process.exit(2);
  }
  return sizes;
};
if (values['other-family'] !== undefined) {
  otherFamilyBench(sizesOf('other-family', values['other-family']));
  process.exit(0);
}
if (values.restricted !== undefined) {
  const sizes = values.restricted.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`--restricted: '${values.restricted}' is not a list of positive sizes; give e.g. --restricted 350,700,1400`);
    process.exit(2);
  }
  restrictedBench(sizes);
  process.exit(0);
}
if (values.change !== 'all' && !CHANGES.includes(values.change as ChangeName)) {
  console.error(`--change: unknown change '${values.change}'; use one of ${CHANGES.join(', ')} or all`);
  process.exit(2);
}
const changes: readonly ChangeName[] = values.change === 'all' ? CHANGES : [values.change as ChangeName];
const inv = inventory(classTarget);

interface DiffResult {
  readonly change: ChangeName;
  readonly classes: number;
  readonly diffMs: number;
  readonly diffRunsMs: number[];
  /** CPU time of the process during each run (the machine is shared: wall time varies with the load). */
  readonly diffCpuMs: number[];
  readonly found: string;
}

const diffs: DiffResult[] = [];
for (const name of changes) {
  const head = change(base, name);
  const runs: number[] = [];
  const cpu: number[] = [];
  let found = '';
  let classes = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const b = PolicySet.fromDocuments(base, { inventory: inv });
    const h = PolicySet.fromDocuments(head, { inventory: inv });
    const all = Connectivity.endpointClasses([b, h]);
    const doc = Connectivity.diff(b, h, { classes: all });
    runs.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    classes = all.length;
    found = `${doc.summary.newlyAllowed} newly allowed, ${doc.summary.newlyDenied} newly denied, ${doc.summary.l7Changed ?? 0} L7 changed`;
  }
  diffs.push({ change: name, classes, diffMs: Math.round(median(runs)), diffRunsMs: runs.map(Math.round), diffCpuMs: cpu.map(Math.round), found });
}

const reportRuns: number[] = [];
let reportPairs = 0;
let reportConnections = 0;
for (let r = 0; r < (values['no-report'] ? 0 : reps); r++) {
  const t1 = performance.now();
  const set = PolicySet.fromDocuments(base, { inventory: inv });
  const all = Connectivity.endpointClasses([set]);
  const namespaces = [...new Set(all.map((c) => c.cls.namespace).filter((n): n is string => n !== undefined))].sort();
  const keep = new Set(namespaces.filter((_, i) => i % 10 === 0));
  const sample: ClassifiedEndpoint[] = all.filter((c) => c.cls.namespace === undefined || keep.has(c.cls.namespace));
  // Any size is measured: the bound of a report (`maxPairs`, `report --max-pairs`) is for runs that must fail fast.
  const report = Connectivity.report(set, { classes: sample, maxPairs: Number.MAX_SAFE_INTEGER });
  reportRuns.push(performance.now() - t1);
  reportPairs = sample.length * sample.length;
  reportConnections = report.connections.length;
}

const result = {
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}`,
  policies: base.length,
  diffs,
  ...(reportRuns.length > 0 ? { reportMs: Math.round(median(reportRuns)), reportPairs, reportConnections } : {}),
};
if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`connectivity diff: ${result.policies} policies (${result.machine})`);
  for (const d of diffs) {
    console.log(`  diff --change ${d.change} (compile base + head, ${d.classes} classes, diff): median ${d.diffMs} ms of ${reps} runs [${d.diffRunsMs.join(', ')}] (CPU [${d.diffCpuMs.join(', ')}] ms) — target < 10000 ms`);
    console.log(`    change found: ${d.found}`);
  }
  if (result.reportMs !== undefined) {
    console.log(`  report (allowed set) on ${reportPairs} class pairs: median ${result.reportMs} ms, ${reportConnections} grouped connections`);
  }
}
if (diffs.some((d) => d.diffMs >= 10_000)) process.exitCode = 1;
