/**
 * `npm run bench:synth`: `runSynth` of a platform-sized app (every validation on) against a raw cdk8s synth of the same
 * manifests as plain `ApiObject`s (no validation, nothing rendered lazily) in the same run.
 *
 * Each timed run is its own child process (so that peak RSS is that run's), alternating raw and SDK runs so that
 * background load hits both alike; the figures are medians, of the wall time and of the CPU time (user + system) of the
 * timed part, which other processes on a shared machine disturb less. A run times the construction of the app and its synthesis
 * to YAML files in an OS temp directory (module loading excluded). Before timing, the first pair of runs per size is
 * checked to write the same manifests (every file, every document, compared as data); the benchmark exits with status 1
 * if not.
 *
 * The app: C charts (one namespace each), each with a `DefaultDenyNamespace` (DNS kept open) and policies that allow
 * ingress from another app on a TCP port with an HTTP rule, and egress to a third app and to an FQDN.
 *
 * `--shape workloads` (a platform that names its peers by their objects): each chart also holds, per policy, a Deployment
 * (plain `ApiObject`, selected as cdk8s-plus selects its pods: by the hash label `cdk8s.io/metadata.addr`, its pods
 * labelled `app` too) and a Service of it; policy i's subject is `EndpointSelector.workload()` of Deployment i, it allows
 * ingress from `Peer.workload()` of Deployment i+1 on a TCP port and egress to `Peer.workload()` of Service i+2 (on the
 * Service's target port), in its chart.
 *
 * The SDK timed is the compiled build (`tsc`, as published: bench/compiled-build.ts), made once and loaded by every SDK
 * child; `--source` times the TypeScript sources through tsx instead (tsx's module wrappers add a getter call per use of
 * an imported name and a helper call per closure created, which the published package does not pay).
 *
 * Flags: --quick (1,000 policies in 10 charts), --sizes 1000x10,10000x100 (policies x charts), --reps <n> (pairs per
 * size, default 3), --shape labels|workloads (default labels), --source, --json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ApiObject, App, Chart } from 'cdk8s';
import { codeUnderTest, compiledAt, CodeUnderTest } from './compiled-build';

/** The SDK's public API, as the benchmark loads it (compiled build or sources). */
type Sdk = typeof import('../src');

/** The app's policies: peers by labels (`labels`), or by the workloads and Services of the app (`workloads`). */
type Shape = 'labels' | 'workloads';

interface Size {
  readonly policies: number;
  readonly charts: number;
  readonly shape: Shape;
}

/** Adds the benchmark's policies to `app`: `policies` in all, spread evenly over `charts` charts. */
function buildApp(sdk: Sdk, app: App, size: Size): void {
  if (size.shape === 'workloads') {
    buildWorkloadApp(sdk, app, size);
    return;
  }
  const { CiliumPolicy, DefaultDenyNamespace, EndpointSelector, HttpRule, L7, Peer, Port } = sdk;
  const perChart = Math.max(1, Math.floor(size.policies / size.charts));
  for (let c = 0; c < size.charts; c++) {
    const ns = `team-${c}`;
    const chart = new Chart(app, ns, { namespace: ns });
    new DefaultDenyNamespace(chart, 'default-deny');
    for (let i = 1; i < perChart; i++) {
      const policy = new CiliumPolicy(chart, `app-${i}`, { endpointSelector: EndpointSelector.labels({ app: `app-${i}` }) });
      policy.allowIngress(Peer.endpoints({ labels: { app: `app-${(i % perChart) + 1}` } }), { ports: [Port.tcp(8000 + (i % 100))], l7: L7.http(HttpRule.get('/api/v1/.*')) });
      policy.allowEgress(Peer.endpoints({ namespace: `team-${(c + 1) % size.charts}`, labels: { app: `app-${i}` } }), { ports: [Port.tcp(9090)] });
      if (i % 10 === 0) policy.allowEgress(Peer.fqdn(`api-${i}.example.com`), { ports: [Port.tcp(443)] });
    }
  }
}

/** `--shape workloads`: each policy's subject and peers are Deployments and Services of its chart (plain `ApiObject`s). */
function buildWorkloadApp(sdk: Sdk, app: App, size: Size): void {
  const { CiliumPolicy, DefaultDenyNamespace, EndpointSelector, Peer, Port } = sdk;
  const perChart = Math.max(1, Math.floor(size.policies / size.charts));
  for (let c = 0; c < size.charts; c++) {
    const ns = `team-${c}`;
    const chart = new Chart(app, ns, { namespace: ns });
    new DefaultDenyNamespace(chart, 'default-deny');
    const deployments: ApiObject[] = [];
    const services: ApiObject[] = [];
    for (let i = 0; i < perChart; i++) {
      const addr = `c${c}-app-${i}-0123456789abcdef`;
      deployments.push(new ApiObject(chart, `deploy-${i}`, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${i}` },
        spec: {
          selector: { matchLabels: { 'cdk8s.io/metadata.addr': addr } },
          template: {
            metadata: { labels: { 'cdk8s.io/metadata.addr': addr, 'app': `app-${i}` } },
            spec: { containers: [{ name: 'main', image: 'example/app:1', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9100, name: 'metrics' }] }] },
          },
        },
      }));
      services.push(new ApiObject(chart, `svc-${i}`, {
        apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${i}` },
        spec: { selector: { app: `app-${i}` }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      }));
    }
    for (let i = 0; i < perChart; i++) {
      const policy = new CiliumPolicy(chart, `policy-${i}`, { endpointSelector: EndpointSelector.workload(deployments[i]) });
      policy.allowIngress(Peer.workload(deployments[(i + 1) % perChart]), { ports: [Port.tcp(8080)] });
      policy.allowEgress(Peer.workload(services[(i + 2) % perChart]));
    }
  }
}

/**
 * The manifests of the app, per chart, as raw objects (rendered without synthesis or validation, but in one synthesis
 * session, as a synthesis renders them: outside one, each policy would read the whole app for each workload it names).
 */
export function manifests(code: CodeUnderTest, size: Size): { chart: string; namespace?: string; objects: { id: string; json: unknown }[] }[] {
  const sdk = code.load<Sdk>('index');
  const { inSynthSession } = code.load<typeof import('../src/model/synth-session')>('model/synth-session');
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'synth-bench-render-')) });
  buildApp(sdk, app, size);
  const out = inSynthSession(app, () => app.charts.map((chart) => ({
    chart: chart.node.id,
    namespace: chart.namespace,
    objects: chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c)).map((o) => ({ id: o.node.path.replace(/\//g, '_'), json: o.toJson() })),
  })));
  rmSync(app.outdir, { recursive: true, force: true });
  return out;
}

interface ChildResult {
  readonly ms: number;
  /** CPU time (user + system) of the timed part, less sensitive than `ms` to other processes on a shared machine. */
  readonly cpuMs: number;
  readonly maxRssMb: number;
}

/** In a child process: one timed run of `mode`, output into `outdir`. */
function child(mode: 'raw' | 'sdk', code: CodeUnderTest, size: Size, input: string, outdir: string): void {
  // Loaded in both modes (before the timed part), so that both runs' peak RSS counts the same modules, as before.
  const sdk = code.load<Sdk>('index');
  let build: (app: App) => void;
  if (mode === 'raw') {
    const charts = JSON.parse(readFileSync(input, 'utf8')) as ReturnType<typeof manifests>;
    build = (app) => {
      for (const c of charts) {
        const chart = new Chart(app, c.chart, { namespace: c.namespace });
        for (const o of c.objects) new ApiObject(chart, o.id, o.json as ConstructorParameters<typeof ApiObject>[2]);
      }
    };
  } else {
    build = (app) => buildApp(sdk, app, size);
  }
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  if (mode === 'raw') {
    const app = new App({ outdir });
    build(app);
    app.synth();
  } else if (sdk.Synth.run({ addCharts: build }, { outdir }) === undefined) {
    throw new Error('runSynth failed');
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const result: ChildResult = { ms, cpuMs: (cpu.user + cpu.system) / 1e3, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(result));
}

function spawnRun(mode: 'raw' | 'sdk', code: CodeUnderTest, size: Size, input: string, outdir: string): ChildResult {
  const build = code.dir === undefined ? ['--source'] : ['--build', code.dir];
  const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--child', mode, ...build, '--sizes', `${size.policies}x${size.charts}`,
    '--shape', size.shape, '--input', input, '--outdir', outdir], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${mode} run failed (status ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Whether two output directories hold the same manifests: the same files, each with the same documents (compared as
 * data: cdk8s orders the keys of a raw `ApiObject`'s metadata its own way, the SDK writes its annotation last).
 */
function sameFiles(a: string, b: string): boolean {
  const fa = readdirSync(a).sort();
  const fb = readdirSync(b).sort();
  const docs = (file: string): string => JSON.stringify(parseAllDocuments(readFileSync(file, 'utf8')).map((d) => canonical(d.toJS())));
  return fa.length === fb.length && fa.every((f, i) => f === fb[i] && docs(join(a, f)) === docs(join(b, f)));
}

/** A value with every object's keys sorted. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}

function parseSizes(v: string, shape: Shape): Size[] {
  return v.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m || Number(m[1]) < Number(m[2]) || Number(m[2]) < 1) throw new Error(`--sizes: expected <policies>x<charts> with policies >= charts >= 1, got "${s}"`);
    return { policies: Number(m[1]), charts: Number(m[2]), shape };
  });
}

function main(): void {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      reps: { type: 'string' },
      child: { type: 'string' },
      input: { type: 'string' },
      outdir: { type: 'string' },
      source: { type: 'boolean', default: false },
      build: { type: 'string' },
      shape: { type: 'string', default: 'labels' },
    },
    strict: true,
  });
  if (values.shape !== 'labels' && values.shape !== 'workloads') throw new Error(`--shape: expected labels or workloads, got "${values.shape}"`);
  const sizes = parseSizes(values.sizes ?? (values.quick ? '1000x10' : '1000x10,10000x100'), values.shape);
  if (values.child) {
    const code = values.build !== undefined ? compiledAt(values.build) : codeUnderTest(true);
    child(values.child === 'raw' ? 'raw' : 'sdk', code, sizes[0], values.input as string, values.outdir as string);
    return;
  }
  const code = codeUnderTest(values.source);
  const reps = Number(values.reps ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected an integer >= 1, got "${values.reps}"`);
  const loadBefore = loadavg();
  const rows = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'synth-bench-'));
    try {
      const input = join(dir, 'manifests.json');
      writeFileSync(input, JSON.stringify(manifests(code, size)));
      const raw: ChildResult[] = [];
      const sdkRuns: ChildResult[] = [];
      for (let i = 0; i < reps; i++) {
        const rawOut = join(dir, `raw-${i}`);
        const sdkOut = join(dir, `sdk-${i}`);
        raw.push(spawnRun('raw', code, size, input, rawOut));
        sdkRuns.push(spawnRun('sdk', code, size, input, sdkOut));
        if (i === 0 && !sameFiles(rawOut, sdkOut)) {
          process.stderr.write(`synth bench: runSynth and the raw synth wrote different files for ${size.policies} policies in ${size.charts} charts\n`);
          process.exit(1);
        }
        rmSync(rawOut, { recursive: true, force: true });
        rmSync(sdkOut, { recursive: true, force: true });
      }
      const rawMs = median(raw.map((r) => r.ms));
      const sdkMs = median(sdkRuns.map((r) => r.ms));
      const rawCpu = median(raw.map((r) => r.cpuMs));
      const sdkCpu = median(sdkRuns.map((r) => r.cpuMs));
      const rawRss = median(raw.map((r) => r.maxRssMb));
      const sdkRss = median(sdkRuns.map((r) => r.maxRssMb));
      rows.push({
        policies: size.policies, charts: size.charts, reps,
        rawMs: Math.round(rawMs), sdkMs: Math.round(sdkMs), ratio: +(sdkMs / rawMs).toFixed(2),
        rawCpuMs: Math.round(rawCpu), sdkCpuMs: Math.round(sdkCpu), cpuRatio: +(sdkCpu / rawCpu).toFixed(2),
        rawPeakRssMb: Math.round(rawRss), sdkPeakRssMb: Math.round(sdkRss), rssRatio: +(sdkRss / rawRss).toFixed(2),
        sdkMsPerPolicy: +(sdkMs / size.policies).toFixed(3),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const round = (l: number): number => +l.toFixed(2);
  const env = {
    code: code.description, cpus: cpus().length, loadBefore: loadBefore.map(round), loadAfter: loadavg().map(round), node: process.version,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ rows, env }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`runSynth (all validation) vs raw ApiObject synth of the same manifests (peers by ${values.shape}); medians of ${reps} `
    + 'alternated runs, one process each\n');
  process.stdout.write(`${env.code}; cpus ${env.cpus}, node ${env.node}, load ${env.loadBefore.join('/')} -> ${env.loadAfter.join('/')}\n\n`);
  process.stdout.write('policies  charts     raw ms   runSynth ms  ratio  raw cpu ms  runSynth cpu ms  ratio   raw MB  runSynth MB  ratio  ms/policy\n');
  for (const r of rows) {
    process.stdout.write(`${String(r.policies).padStart(8)}  ${String(r.charts).padStart(6)}  ${String(r.rawMs).padStart(9)}`
      + `  ${String(r.sdkMs).padStart(12)}  ${r.ratio.toFixed(2).padStart(5)}`
      + `  ${String(r.rawCpuMs).padStart(10)}  ${String(r.sdkCpuMs).padStart(15)}  ${r.cpuRatio.toFixed(2).padStart(5)}`
      + `  ${String(r.rawPeakRssMb).padStart(7)}  ${String(r.sdkPeakRssMb).padStart(11)}  ${r.rssRatio.toFixed(2).padStart(5)}  ${r.sdkMsPerPolicy.toFixed(3).padStart(9)}\n`);
  }
}

if (require.main === module) main();
