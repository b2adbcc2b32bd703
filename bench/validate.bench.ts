/**
 * `npm run bench:validate`: the pitfall layer (`checkPitfalls`) on N policies, and its L7 parser merge check
 * (`pitfall-l7-parser-conflict`) alone in the same run, at several sizes: the check groups the L7 uses by the filter they
 * meet in (port entry, direction, protocol, and peer from 1.18) and compares only within a namespace, so its time should
 * grow about linearly with N, and stay a small part of the layer.
 *
 * Three inputs per size: `spread` (N CNPs over N/20 namespaces, each with HTTP rules on one of 100 ports, every tenth with
 * Kafka on a port an HTTP rule of its namespace also uses, subjects disjoint: no finding), `crowded` (N CNPs in one
 * namespace, all on 80/TCP, half HTTP and half Kafka, subjects disjoint: the worst case of the comparison, no finding),
 * and `platform` (N namespaces with a workload and a DNS restriction each, one CCNP over all of them: the rule-pair
 * questions of the DNS checks; its findings column counts `pitfall-dns-rules-widened`, N expected). Doubling N should
 * about double each input's time.
 * Timed with `performance.now()`, the median of --reps runs (default 5) after one warm-up; the check alone runs on the
 * layer's `PitfallRun`, built once (its subjects translated), as `checkPitfalls` builds it.
 *
 * Then the whole run, `validateInputs` of one file of N CNPs (HTTP rules, a DNS egress rule), N Deployments and N Services, with its
 * baseline in the same run: `parseAllDocuments` of the same text (the YAML library's parse alone). The ratio is what the
 * validator costs per parse of its input: it read each file's YAML twice before the readers shared one parse.
 *
 * Flags: --sizes 1000,2000,4000 (the pitfall layer) --validate-sizes 1000,2000,3000 (the whole run: three documents per
 * policy, under the reader's limit on documents per file) --reps <n> --json.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { CiliumVersion } from '../src/core/cilium-version';
import { fromObject } from '../src/model/parse';
import { ManifestInventory } from '../src/validate/inventory';
import { checkPitfalls } from '../src/validate/pitfall-rules';
import { PitfallDocument, PitfallRun } from '../src/validate/pitfall-run';
import { l7ParserConflicts } from '../src/validate/pitfall-parser-merge';
import { validateInputs } from '../src/validate/validate-input';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,2000,4000' }, 'validate-sizes': { type: 'string', default: '1000,2000,3000' },
    reps: { type: 'string', default: '5' }, json: { type: 'boolean', default: false },
  },
});
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

const KUBE_DNS = [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }];

/**
 * `platform`: N namespaces, each with a Deployment `web` and a CNP restricting its DNS lookups to its own names (toFQDNs),
 * and one CCNP giving every `web` DNS for every name, so each namespace's restriction is compared with a subject that
 * selects all N workloads (N findings `pitfall-dns-rules-widened`; before session 47 that walked them all per namespace).
 */
function platformObjects(n: number, inventory: ManifestInventory): unknown[] {
  const dns = (pattern: string): unknown => ({ toEndpoints: KUBE_DNS, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: pattern }] } }] });
  const web = { matchLabels: { app: 'web' } };
  const objects: unknown[] = [{ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'dns' }, spec: { endpointSelector: web, egress: [dns('*')] } }];
  for (let i = 0; i < n; i++) {
    const namespace = `team-${i}`;
    inventory.add({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace },
      spec: { selector: web, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    objects.push({
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace },
      spec: { endpointSelector: web, egress: [dns(`*.t${i}.example.com`), { toFQDNs: [{ matchName: `api.t${i}.example.com` }], toPorts: [{ ports: [{ port: '443' }] }] }] },
    });
  }
  return objects;
}

function documents(kind: 'spread' | 'crowded' | 'platform', n: number, inventory: ManifestInventory): PitfallDocument[] {
  const objects = kind === 'platform' ? platformObjects(n, inventory) : Array.from({ length: n }, (_, i) => (kind === 'spread'
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
for (const kind of ['spread', 'crowded', 'platform'] as const) {
  for (const n of sizes) {
    const inventory = new ManifestInventory();
    const docs = documents(kind, n, inventory);
    const id = kind === 'platform' ? 'pitfall-dns-rules-widened' : 'pitfall-l7-parser-conflict';
    const findings = checkPitfalls(docs, inventory).filter((f) => f.id === id).length;
    const pitfallsMs = time(() => checkPitfalls(docs, inventory));
    const run = new PitfallRun(docs, inventory, {});
    const parserCheckMs = time(() => l7ParserConflicts(run));
    const tenth = (ms: number): number => Math.round(ms * 10) / 10;
    rows.push({ input: kind, policies: n, pitfallsMs: tenth(pitfallsMs), parserCheckMs: tenth(parserCheckMs), findings });
  }
}
/** One YAML file of `n` CNPs, `n` Deployments (the workloads they select) and `n` Services (one per Deployment). */
function manifestText(n: number): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const ns = `team-${i % 50}`;
    docs.push([
      'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', `metadata: {name: p-${i}, namespace: ${ns}}`, 'spec:',
      `  endpointSelector: {matchLabels: {app: app-${i}}}`, '  ingress:',
      `  - fromEndpoints: [{matchLabels: {app: client-${i}}}]`,
      `    toPorts: [{ports: [{port: "${8000 + (i % 100)}", protocol: TCP}], rules: {http: [{method: GET, path: "/api/${i}"}]}}]`,
      '  egress:', '  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]',
      '    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}]',
    ].join('\n'), [
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: app-${i}, namespace: ${ns}}`,
      `spec: {selector: {matchLabels: {app: app-${i}}}, template: {metadata: {labels: {app: app-${i}}}, `
        + `spec: {containers: [{name: c, image: x, ports: [{containerPort: ${8000 + (i % 100)}, name: http}]}]}}}`,
    ].join('\n'), [
      'apiVersion: v1', 'kind: Service', `metadata: {name: app-${i}, namespace: ${ns}}`, `spec: {selector: {app: app-${i}}, ports: [{port: 80, targetPort: http}]}`,
    ].join('\n'));
  }
  return docs.join('\n---\n');
}

const runs: { policies: number; validateMs: number; parseMs: number; ratio: number; diagnostics: number }[] = [];
for (const n of values['validate-sizes'].split(',').map(Number)) {
  const text = manifestText(n);
  const diagnostics = validateInputs([{ name: 'manifests.yaml', text }]).diagnostics.length;
  // Alternated, so that both see the same machine: validate, parse, validate, parse, …
  const v: number[] = [];
  const p: number[] = [];
  for (let i = 0; i <= reps; i++) {
    let t = performance.now();
    validateInputs([{ name: 'manifests.yaml', text }]);
    if (i > 0) v.push(performance.now() - t);
    t = performance.now();
    parseAllDocuments(text);
    if (i > 0) p.push(performance.now() - t);
  }
  const validateMs = Math.round(median(v));
  const parseMs = Math.round(median(p));
  runs.push({ policies: n, validateMs, parseMs, ratio: Math.round((validateMs / parseMs) * 100) / 100, diagnostics });
}

if (values.json) console.log(JSON.stringify({ pitfalls: rows, validate: runs }, null, 2));
else {
  console.log(`load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\ninput    policies  checkPitfalls ms  parser check ms  findings`);
  for (const r of rows) console.log(`${r.input.padEnd(8)} ${String(r.policies).padStart(8)}  ${String(r.pitfallsMs).padStart(16)}  ${String(r.parserCheckMs).padStart(15)}  ${r.findings}`);
  console.log('\nvalidateInputs of one file (N CNPs + N Deployments + N Services) against parseAllDocuments of its text (baseline)');
  console.log('policies  validate ms  parse ms  ratio  diagnostics');
  for (const r of runs) {
    console.log(`${String(r.policies).padStart(8)}  ${String(r.validateMs).padStart(11)}  ${String(r.parseMs).padStart(8)}  ${String(r.ratio).padStart(5)}  ${r.diagnostics}`);
  }
}
