import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { buildPlatform } from '../main';
import { CiliumPolicy, ClusterwidePolicy, EndpointSelector, HostFirewall, Peer, PolicyRule, Port, Synth } from '../src';
import { inSynthSession } from '../src/model/synth-session';

/** One synthesis renders and validates each policy once, however many charts cdk8s walks, and never answers from an old one. */
describe('synthesis at scale', () => {
  const dirs: string[] = [];
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  function tempDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-session-'));
    dirs.push(d);
    return d;
  }
  function stderrOf(): string[] {
    const out: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    return out;
  }
  /** `charts` charts of `perChart` policies each, one rule per policy. */
  function build(app: App, charts: number, perChart: number): CiliumPolicy[] {
    const out: CiliumPolicy[] = [];
    for (let c = 0; c < charts; c++) {
      const chart = new Chart(app, `c${c}`, { namespace: `ns${c}` });
      for (let i = 0; i < perChart; i++) {
        const p = new CiliumPolicy(chart, `p${i}`, { endpointSelector: EndpointSelector.labels({ app: `a${i}` }) });
        p.allowIngress(Peer.endpoints({ labels: { app: `b${i}` } }), { ports: [Port.tcp(8080)] });
        out.push(p);
      }
    }
    return out;
  }

  test('runSynth writes the reference platform byte-identical to dist/', () => {
    const outdir = join(tempDir(), 'dist');
    stderrOf();
    expect(Synth.run({ addCharts: (app) => buildPlatform(app) }, { outdir })).toBeDefined();
    const files = readdirSync(join(__dirname, '..', 'dist')).sort();
    expect(readdirSync(outdir).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(outdir, f), 'utf8'), f).toBe(readFileSync(join(__dirname, '..', 'dist', f), 'utf8'));
  });

  test('runSynth renders each rule once, with 5 charts', () => {
    const render = vi.spyOn(PolicyRule.prototype, '_render');
    stderrOf();
    expect(Synth.run({ addCharts: (app) => build(app, 5, 4) }, { outdir: join(tempDir(), 'dist') })).toBeDefined();
    expect(render).toHaveBeenCalledTimes(20);
  });

  test('runSynth lists the errors in construct order: the app-wide checks (at the root) first, then each policy', () => {
    const out = stderrOf();
    expect(Synth.run({
      addCharts: (app) => {
        const [policy] = build(app, 1, 1);
        policy.allowEgress(Peer.cidr('10.0.0.1'));
        new ApiObject(Chart.of(policy), 'raw', {
          apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'raw' },
          spec: { endpointSelector: { matchLabels: { app: 'raw' } }, egress: [{ toCIDR: ['10.0.0.2'] }] },
        });
      },
    }, { outdir: join(tempDir(), 'dist') })).toBeUndefined();
    const text = out.join('');
    expect(text).toMatch(/synthesis failed with 2 errors/);
    expect(text).toMatch(/\[c0\/raw\] spec\.egress\[0\]\.toCIDR\[0\]: "10\.0\.0\.2" is an IP address[\s\S]*\[c0\/p0\] spec\.egress\[0\]\.toCIDR\[0\]: "10\.0\.0\.1" is an IP address/);
  });

  test('runSynth and app.synth() render a host firewall\'s rules once, and its lockout check still fails synthesis', () => {
    const render = vi.spyOn(PolicyRule.prototype, '_render');
    stderrOf();
    const firewall = (app: App, deny: boolean): void => {
      const fw = new HostFirewall(new Chart(app, 'nodes'), 'fw', { managementCidrs: ['10.0.0.0/24'] });
      if (deny) fw.denyIngress(Peer.cidr('10.0.0.0/24'), { ports: [Port.tcp(22)] });
    };
    expect(Synth.run({ addCharts: (app) => firewall(app, false) }, { outdir: join(tempDir(), 'dist') })).toBeDefined();
    expect(render).toHaveBeenCalledTimes(1);
    render.mockClear();
    const app = new App({ outdir: tempDir() });
    firewall(app, false);
    app.synth();
    expect(render).toHaveBeenCalledTimes(1);
    const out = stderrOf();
    expect(Synth.run({ addCharts: (a) => firewall(a, true) }, { outdir: join(tempDir(), 'dist') })).toBeUndefined();
    expect(out.join('')).toMatch(/\[nodes\/fw\] spec\.ingressDeny\[0\] would cut the .* path .*\(host-firewall-lockout\)/);
  });

  test('app.synth() renders each rule once too, and the next synthesis sees changes made in between', () => {
    const app = new App({ outdir: tempDir() });
    const policies = build(app, 3, 2);
    const render = vi.spyOn(PolicyRule.prototype, '_render');
    app.synth();
    expect(render).toHaveBeenCalledTimes(6);
    policies[0].allowIngress(Peer.endpoints({ labels: { app: 'late' } }), { ports: [Port.tcp(9090)] });
    app.synth();
    expect(render).toHaveBeenCalledTimes(12);
    expect(readFileSync(join(app.outdir, 'c0.k8s.yaml'), 'utf8')).toMatch(/app: late[\s\S]*port: "9090"/);
    // Outside a synthesis nothing is kept: every call renders.
    render.mockClear();
    policies[1].synthesizeModel();
    policies[1].synthesizeModel();
    expect(render).toHaveBeenCalledTimes(2);
  });

  test('a failure inside one synthesis leaves nothing cached for the next', () => {
    const app = new App({ outdir: tempDir() });
    const [policy] = build(app, 2, 1);
    const bad = policy.addRule({ endpointSelector: EndpointSelector.labels({ app: 'x' }) });
    bad.allowEgress(Peer.cidr('10.0.0.1'));
    expect(() => app.synth()).toThrow(/\[c0\/p0\] specs\[1\]\.egress\[0\]\.toCIDR\[0\]: "10\.0\.0\.1" is an IP address/);
    const render = vi.spyOn(PolicyRule.prototype, '_render');
    expect(() => app.synth()).toThrow(/is an IP address/);
    expect(render).toHaveBeenCalledTimes(3);
  });

  describe('charts in one session (cdk8s prepares and validates the whole app for every chart)', () => {
    /** An app of `charts` charts with one policy each, and a validation at the root that counts its calls. */
    function counted(charts: number): { app: App; calls: () => number } {
      const app = new App({ outdir: tempDir() });
      build(app, charts, 1);
      let calls = 0;
      app.node.addValidation({ validate: () => { calls++; return []; } });
      return { app, calls: () => calls };
    }

    test('app.synth() validates the app a fixed number of times, not once per chart', () => {
      const five = counted(5);
      five.app.synth();
      const twenty = counted(20);
      twenty.app.synth();
      expect(twenty.calls()).toBe(five.calls());
      expect(five.calls()).toBeLessThanOrEqual(2);
    });

    test('each chart gets the objects of cdk8s, in its dependency order', () => {
      const app = new App({ outdir: tempDir() });
      const [policy] = build(app, 3, 2);
      const chart = Chart.of(policy);
      const first = new ApiObject(chart, 'first', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
      const second = new ApiObject(chart, 'second', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } });
      first.addDependency(second);
      policy.apiObject.addDependency(first);
      const plain = app.charts.map((c) => App._synthChart(c));
      expect(plain[0].map((o: { metadata: { name: string } }) => o.metadata.name)).toEqual(['second', 'first', 'p0', 'p1']);
      expect(inSynthSession(app, () => app.charts.map((c) => c.toJson()))).toEqual(plain);
    });

    test('a chart that overrides toJson keeps its override', () => {
      class Renamed extends Chart {
        public toJson(): unknown[] {
          return super.toJson().map((o: { metadata: { name: string } }) => ({ ...o, metadata: { ...o.metadata, name: `x-${o.metadata.name}` } }));
        }
      }
      const app = new App({ outdir: tempDir() });
      build(app, 2, 1);
      new CiliumPolicy(new Renamed(app, 'renamed', { namespace: 'r' }), 'web').isolateIngress();
      app.synth();
      expect(readFileSync(join(app.outdir, 'renamed.k8s.yaml'), 'utf8')).toMatch(/name: x-web/);
    });

    test('an invalid policy in a later chart still fails every chart of the session', () => {
      const app = new App({ outdir: tempDir() });
      const policies = build(app, 3, 1);
      policies[2].allowEgress(Peer.cidr('10.0.0.1'));
      expect(() => inSynthSession(app, () => app.charts.map((c) => c.toJson()))).toThrow(/\[c2\/p0\] spec\.egress\[0\]\.toCIDR\[0\]: "10\.0\.0\.1" is an IP address/);
    });
  });

  describe('workloads and Services named by policies (an app-wide index, each object rendered once per synthesis)', () => {
    /** A Deployment selected as cdk8s-plus selects its pods (by the hash label), its pods labelled `app` too. */
    function deployment(chart: Chart, id: string, app: string): ApiObject {
      const addr = `${id}-0123456789abcdef`;
      return new ApiObject(chart, id, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: id },
        spec: {
          selector: { matchLabels: { 'cdk8s.io/metadata.addr': addr } },
          template: {
            metadata: { labels: { 'cdk8s.io/metadata.addr': addr, app } },
            spec: { containers: [{ name: 'main', image: 'example/app:1', ports: [{ containerPort: 8080 }] }] },
          },
        },
      });
    }
    /** `n` policies of the subject `api`, each allowing ingress from `web` and egress to the Service of `db`. */
    function shop(n: number): { app: App; chart: Chart; web: ApiObject; db: ApiObject; svc: ApiObject } {
      const app = new App({ outdir: tempDir() });
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      const web = deployment(chart, 'web', 'web');
      const api = deployment(chart, 'api', 'api');
      const db = deployment(chart, 'db', 'db');
      const svc = new ApiObject(chart, 'db-svc', {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' },
        spec: { selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 8080, protocol: 'TCP' }] },
      });
      for (let i = 0; i < n; i++) {
        const p = new CiliumPolicy(chart, `p${i}`, { endpointSelector: EndpointSelector.workload(api) });
        p.allowIngress(Peer.workload(web), { ports: [Port.tcp(8080)] });
        p.allowEgress(Peer.workload(svc));
      }
      return { app, chart, web, db, svc };
    }
    /** How many times each object is rendered (`toJson`) by one `app.synth()` of `shop(n)`. */
    function renders(n: number): { web: number; db: number; svc: number } {
      const { app, web, db, svc } = shop(n);
      const spies = { web: vi.spyOn(web, 'toJson'), db: vi.spyOn(db, 'toJson'), svc: vi.spyOn(svc, 'toJson') };
      app.synth();
      return { web: spies.web.mock.calls.length, db: spies.db.mock.calls.length, svc: spies.svc.mock.calls.length };
    }

    test('a workload or Service is rendered as many times with 2 policies naming it as with 12', () => {
      const few = renders(2);
      expect(renders(12)).toEqual(few);
      // Once for the policies' reads, once more for the app-wide checks and for cdk8s's output at most.
      expect(Math.max(few.web, few.db, few.svc)).toBeLessThanOrEqual(3);
    });

    /** How many times the manifests of `web` and the Service are read (their `spec`) by one `app.synth()` of `shop(n)`. */
    function reads(n: number): number {
      const { app, web, svc } = shop(n);
      let count = 0;
      for (const o of [web, svc]) {
        const real = o.toJson.bind(o);
        vi.spyOn(o, 'toJson').mockImplementation(() => new Proxy(real(), {
          get: (target, key, receiver): unknown => {
            if (key === 'spec') count++;
            return Reflect.get(target, key, receiver) as unknown;
          },
        }));
      }
      app.synth();
      return count;
    }

    test('a workload or Service is read as many times with 2 policies naming it as with 12 (each reading kept for the synthesis)', () => {
      const few = reads(2);
      expect(few).toBeGreaterThan(0);
      expect(reads(12)).toBe(few);
    });

    test('the policies read the workloads as before: own pod labels, the Service\'s target port, and a later workload shows at the next synthesis', () => {
      const { app, chart } = shop(2);
      app.synth();
      const first = readFileSync(join(app.outdir, 'shop.k8s.yaml'), 'utf8');
      expect(first).toMatch(/fromEndpoints:\n\s+- matchLabels:\n\s+app: web\n\s+k8s:io\.kubernetes\.pod\.namespace: shop/);
      expect(first).toMatch(/toEndpoints:\n\s+- matchLabels:\n\s+app: db\n[\s\S]*?port: "8080"/);
      expect(first).not.toMatch(/fromEndpoints:\n\s+- matchLabels:\n\s+cdk8s\.io/);
      // Another workload whose pods carry app: web: the peer keeps the hash label, read afresh by the next synthesis.
      deployment(chart, 'web-canary', 'web');
      app.synth();
      expect(readFileSync(join(app.outdir, 'shop.k8s.yaml'), 'utf8')).toMatch(/fromEndpoints:\n\s+- matchLabels:\n\s+cdk8s\.io\/metadata\.addr: web-0123456789abcdef/);
    });
  });

  describe('a change made during the synthesis (a construct\'s validation hook) is what is written and what is validated', () => {
    // cdk8s runs every construct's validation before it renders the charts, and renders each chart afresh: a hook that labels
    // or patches an object shows in the output, and the app-wide checks (run last by runSynth) see it.
    const deployment = (chart: Chart, id: string, containerPort: number): ApiObject => new ApiObject(chart, id, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: id },
      spec: {
        selector: { matchLabels: { app: id } },
        template: { metadata: { labels: { app: id } }, spec: { containers: [{ name: 'main', image: 'x:1', ports: [{ containerPort }] }] } },
      },
    });

    test('app.synth(): a label and a JSON patch a hook adds to objects of a chart after the first (one a policy reads) are written', () => {
      const app = new App({ outdir: tempDir() });
      new ApiObject(new Chart(app, 'first', { namespace: 'first' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
      const second = new Chart(app, 'second', { namespace: 'second' });
      const web = deployment(second, 'web', 8080);
      const api = deployment(second, 'api', 8080);
      const cm = new ApiObject(second, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
      new CiliumPolicy(second, 'p', { endpointSelector: EndpointSelector.workload(api) }).allowIngress(Peer.workload(web), { ports: [Port.tcp(8080)] });
      let patched = false;
      second.node.addValidation({
        validate: () => {
          web.metadata.addLabel('stamped', 'yes');
          cm.metadata.addLabel('stamped', 'yes');
          if (!patched) cm.addJsonPatch(JsonPatch.add('/data/patched', 'yes'));
          patched = true;
          return [];
        },
      });
      app.synth();
      const written = readFileSync(join(app.outdir, 'second.k8s.yaml'), 'utf8');
      expect(written.match(/stamped: "?yes/g)).toHaveLength(2);
      expect(written).toMatch(/patched: "?yes/);
    });

    test('runSynth: a Service port a later hook moves onto a denied port fails synthesis (pitfall-service-port), nothing written', () => {
      const outdir = join(tempDir(), 'dist');
      const stderr = stderrOf();
      const app = Synth.run({
        addCharts: (a) => {
          const c = new Chart(a, 'shop', { namespace: 'shop' });
          deployment(c, 'web', 80);
          const api = deployment(c, 'api', 80);
          const svc = new ApiObject(c, 'svc', {
            apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
            spec: { selector: { app: 'web' }, ports: [{ port: 9090, targetPort: 80, protocol: 'TCP' }] },
          });
          // The policy reads the Service (its target port) in its own validation, before the hook below runs.
          new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.workload(api) }).allowEgress(Peer.workload(svc), { ports: [Port.tcp(80)] });
          new ApiObject(c, 'raw', {
            apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'raw' },
            spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingressDeny: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] },
          });
          let moved = false;
          new Construct(c, 'late').node.addValidation({
            validate: () => {
              if (!moved) svc.addJsonPatch(JsonPatch.replace('/spec/ports/0/port', 8080));
              moved = true;
              return [];
            },
          });
        },
      }, { outdir });
      expect(app).toBeUndefined();
      expect(process.exitCode).toBe(1);
      expect(stderr.join('')).toMatch(/\[shop\/raw\] spec\.ingressDeny\[0\]\.toPorts\[0\]\.ports\[0\]\.port: port 8080 is the port of Service shop\/web .*\(pitfall-service-port\)/);
      expect(existsSync(outdir)).toBe(false);
    });
  });

  describe('a policy changed by a construct\'s validation hook after its own validation rendered its manifest', () => {
    // The policy validates itself first (construct order) and renders its manifest then; the hook of `late`, validated after
    // it, labels, patches or adds to the policy. cdk8s would write the change: the manifest kept for the synthesis is dropped.
    function shop(a: App, hook: (p: CiliumPolicy) => void): void {
      const c = new Chart(a, 'shop', { namespace: 'shop' });
      const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
      p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
      let done = false;
      new Construct(c, 'late').node.addValidation({
        validate: () => {
          if (!done) hook(p);
          done = true;
          return [];
        },
      });
    }
    const stamp = (p: CiliumPolicy): void => {
      p.apiObject.metadata.addLabel('stamped', 'yes');
      p.apiObject.metadata.addAnnotation('noted', 'yes');
      p.apiObject.addJsonPatch(JsonPatch.add('/spec/description', 'patched'));
    };

    test('app.synth() and runSynth write a label, an annotation and a JSON patch the hook adds', () => {
      const app = new App({ outdir: tempDir() });
      shop(app, stamp);
      app.synth();
      const outdir = join(tempDir(), 'dist');
      expect(Synth.run({ addCharts: (a) => shop(a, stamp) }, { outdir })).toBeDefined();
      for (const file of [join(app.outdir, 'shop.k8s.yaml'), join(outdir, 'shop.k8s.yaml')]) {
        const written = readFileSync(file, 'utf8');
        expect(written).toMatch(/stamped: "?yes/);
        expect(written).toMatch(/noted: "?yes/);
        expect(written).toMatch(/description: patched/);
      }
    });

    test('runSynth writes a rule item the hook adds, and validates it: a label the YAML readers take for a number fails synthesis', () => {
      const outdir = join(tempDir(), 'dist');
      const added = (p: CiliumPolicy): void => p.allowEgress(Peer.endpoints({ labels: { app: 'db' } }), { ports: [Port.tcp(5432)] });
      expect(Synth.run({ addCharts: (a) => shop(a, added) }, { outdir })).toBeDefined();
      expect(readFileSync(join(outdir, 'shop.k8s.yaml'), 'utf8')).toMatch(/toEndpoints:\n\s+- matchLabels:\n\s+app: db/);
      const failed = join(tempDir(), 'dist');
      const stderr = stderrOf();
      expect(Synth.run({ addCharts: (a) => shop(a, (p) => p.apiObject.metadata.addLabel('build', '0o17')) }, { outdir: failed })).toBeUndefined();
      expect(process.exitCode).toBe(1);
      expect(stderr.join('')).toMatch(/\[shop\/p\] .*metadata\.labels\.build.*yaml-unquoted-number/);
      expect(existsSync(failed)).toBe(false);
    });

    test('app.synth() writes a finalizer, an owner reference and a metadata field the hook adds', () => {
      const app = new App({ outdir: tempDir() });
      shop(app, (p) => {
        p.apiObject.metadata.addFinalizers('example.com/keep');
        p.apiObject.metadata.addOwnerReference({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'u-1' });
        p.apiObject.metadata.add('generation', 7);
      });
      app.synth();
      const written = readFileSync(join(app.outdir, 'shop.k8s.yaml'), 'utf8');
      expect(written).toMatch(/finalizers:\n\s+- example\.com\/keep/);
      expect(written).toMatch(/ownerReferences:\n\s+- apiVersion: v1\n\s+kind: ConfigMap\n\s+name: owner\n\s+uid: u-1/);
      expect(written).toMatch(/generation: 7/);
    });

    // What read the policy before the hook changed it is checked again: a HostFirewall's lockout check, the app-wide checks on
    // the root (which cdk8s validates first, before the hook runs).
    const lockout = (a: App): void => {
      const c = new Chart(a, 'nodes');
      const fw = new HostFirewall(c, 'fw', { managementCidrs: ['10.0.0.0/24'] });
      let done = false;
      new Construct(c, 'late').node.addValidation({
        validate: () => {
          if (!done) fw.denyIngress(Peer.cidr('10.0.0.0/24'), { ports: [Port.tcp(22)] });
          done = true;
          return [];
        },
      });
    };
    const apiServerService = (p: CiliumPolicy): void => p.apiObject.addJsonPatch(
      JsonPatch.add('/spec/egress', [{ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }] }]));

    test('a deny a hook adds to a HostFirewall across its break-glass path fails app.synth() and runSynth (host-firewall-lockout)', () => {
      const app = new App({ outdir: tempDir() });
      lockout(app);
      expect(() => app.synth()).toThrow(/\[nodes\/fw\] spec\.ingressDeny\[0\] would cut the break-glass path .*\(host-firewall-lockout\)/);
      expect(readdirSync(app.outdir)).toEqual([]);
      const outdir = join(tempDir(), 'dist');
      const stderr = stderrOf();
      expect(Synth.run({ addCharts: lockout }, { outdir })).toBeUndefined();
      expect(process.exitCode).toBe(1);
      expect(stderr.join('')).toMatch(/\[nodes\/fw\] spec\.ingressDeny\[0\] would cut the break-glass path .*\(host-firewall-lockout\)/);
      expect(existsSync(outdir)).toBe(false);
    });

    test('app.synth(): toServices to default/kubernetes a hook patches in fails the app-wide check (pitfall-kube-apiserver-service)', () => {
      const app = new App({ outdir: tempDir() });
      shop(app, apiServerService);
      expect(() => app.synth()).toThrow(/\[shop\/p\/Resource\] spec\.egress\[0\]\.toServices\[0\]: .*\(pitfall-kube-apiserver-service\)/);
      expect(readdirSync(app.outdir)).toEqual([]);
    });

    test('app.synth(): a change a hook makes while the first chart validates the app is checked when the next chart validates it', () => {
      // cdk8s validates the whole app in App.synth, then again for every chart (App._synthChart); the hook patches on its second
      // call, after the root's app-wide check of that pass: the next chart's pass checks it, as cdk8s alone would.
      const app = new App({ outdir: tempDir() });
      new ApiObject(new Chart(app, 'a', { namespace: 'a' }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
      const c = new Chart(app, 'b', { namespace: 'shop' });
      const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
      p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
      let calls = 0;
      new Construct(c, 'late').node.addValidation({
        validate: () => {
          if (++calls === 2) apiServerService(p);
          return [];
        },
      });
      expect(() => app.synth()).toThrow(/\[b\/p\/Resource\] spec\.egress\[0\]\.toServices\[0\]: .*\(pitfall-kube-apiserver-service\)/);
      expect(calls).toBe(3);
    });
  });

  describe('the Services that select a workload (servicesByLabel of the index: namespace and first selector label, then checked)', () => {
    const api = (c: Chart): ApiObject => new ApiObject(c, 'api', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' },
      spec: {
        selector: { matchLabels: { app: 'api', tier: 'be' } },
        template: {
          metadata: { labels: { app: 'api', tier: 'be' } },
          spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080, name: 'http' }] }] },
        },
      },
    });
    const svc = (c: Chart, id: string, selector: unknown, port: number, namespace?: string): ApiObject => new ApiObject(c, id, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: id, ...(namespace === undefined ? {} : { namespace }) },
      spec: { selector, ports: [{ port, targetPort: 'http' }] },
    });
    /** The egress of a policy to the pods of `api` without ports (their serving ports: those of the one Service selecting them). */
    const egressToApi = (build: (c: Chart) => void): unknown => {
      const c = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const d = api(c);
      build(c);
      new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.workload(d));
      return Testing.synth(c).find((o) => o.kind === 'CiliumNetworkPolicy')?.spec.egress;
    };

    test('one on a label not first among the pod\'s selects; one of another namespace, one a pod label misses, one of null selector do not', () => {
      const egress = egressToApi((c) => {
        svc(c, 'other-ns', { app: 'api' }, 81, 'other');
        svc(c, 'miss', { zzz: '1', app: 'api' }, 82);
        svc(c, 'none', null, 83);
        svc(c, 'good', { tier: 'be' }, 80);
      });
      expect(egress).toEqual([{
        toEndpoints: [{ matchLabels: { 'app': 'api', 'tier': 'be', 'k8s:io.kubernetes.pod.namespace': 'shop' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
      }]);
    });

    test('two Services selecting it on different labels, in one namespace or none given: ambiguous, counted once each', () => {
      expect(() => egressToApi((c) => {
        svc(c, 'metrics', { tier: 'be' }, 9090);
        svc(c, 'serving', { app: 'api', tier: 'be' }, 80, 'shop');
      })).toThrow(/2 Services of the app select c\/api/);
    });
  });

  describe('policy-name-clash (an app-wide index, not a tree walk per policy)', () => {
    /** The name clashes reported by node validation, in construct order. */
    const clashes = (app: App): string[] => app.node.findAll().flatMap((c) => c.node.validate()).filter((e) => /policy-name-clash/.test(e));
    test('fails for two CNPs with one name in one namespace, naming the other one by construct path, both ways', () => {
      const app = Testing.app();
      new CiliumPolicy(new Chart(app, 'first', { namespace: 'shop' }), 'web').isolateIngress();
      new CiliumPolicy(new Chart(app, 'second', { namespace: 'shop' }), 'web').isolateIngress();
      expect(() => app.synth()).toThrow(
        /\[first\/web\] metadata\.name: CiliumNetworkPolicy "web" is also defined by second\/web; the second would replace the first on apply[\s\S]*\[second\/web\] metadata\.name: CiliumNetworkPolicy "web" is also defined by first\/web/,
      );
    });

    test('names the first clashing policy in construct order, not in creation order', () => {
      const app = Testing.app();
      const early = new Chart(app, 'early', { namespace: 'shop' });
      const late = new Chart(app, 'late', { namespace: 'shop' });
      new CiliumPolicy(late, 'web');
      new CiliumPolicy(early, 'c', { name: 'web' });
      new CiliumPolicy(early, 'b', { name: 'web' });
      const errors = clashes(app);
      expect(errors).toEqual([
        expect.stringMatching(/^metadata\.name: CiliumNetworkPolicy "web" is also defined by early\/b;/),
        expect.stringMatching(/^metadata\.name: CiliumNetworkPolicy "web" is also defined by early\/c;/),
        expect.stringMatching(/^metadata\.name: CiliumNetworkPolicy "web" is also defined by early\/c;/),
      ]);
    });

    test('allows one name in two namespaces, and a CNP and a CCNP with one name', () => {
      const app = Testing.app();
      new CiliumPolicy(new Chart(app, 'a', { namespace: 'a' }), 'web');
      new CiliumPolicy(new Chart(app, 'b', { namespace: 'b' }), 'web');
      new ClusterwidePolicy(new Chart(app, 'c'), 'web', { endpointSelector: EndpointSelector.labels({ app: 'x' }) });
      expect(clashes(app)).toEqual([]);
    });

    test('forgets a policy removed from the tree', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'a', { namespace: 'a' });
      new CiliumPolicy(chart, 'web');
      new CiliumPolicy(chart, 'other', { name: 'web' });
      expect(clashes(app)).toHaveLength(2);
      chart.node.tryRemoveChild('other');
      expect(clashes(app)).toEqual([]);
    });
  });
});
