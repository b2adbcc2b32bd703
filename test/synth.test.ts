import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, Lazy } from 'cdk8s';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CiliumPolicy, CiliumVersion, ClusterDefaultDeny, Peer, Port, Synth } from '../src';

describe('Synth.run', () => {
  const dirs: string[] = [];
  afterEach(() => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });
  function outdir(): string {
    const d = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-synth-'));
    dirs.push(d);
    return join(d, 'dist');
  }

  test('writes one file per chart when everything is valid', () => {
    const dir = outdir();
    const app = Synth.run({ addCharts: (a) => {
      new CiliumPolicy(new Chart(a, 'one', { namespace: 'a' }), 'p').allowIngress(Peer.namespace('b'), { ports: [Port.tcp(80)] });
      new CiliumPolicy(new Chart(a, 'two', { namespace: 'b' }), 'p').isolateIngress();
    } }, { outdir: dir });
    expect(app).toBeDefined();
    expect(readdirSync(dir).sort()).toEqual(['one.k8s.yaml', 'two.k8s.yaml']);
  });

  test('lists every error with path and fix, exits 1, writes nothing, and prints no stack trace', () => {
    const dir = outdir();
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const app = Synth.run({ addCharts: (a) => {
      CiliumVersion.use(a, CiliumVersion.V1_15);
      const c = new Chart(a, 'demo', { namespace: 'ns' });
      new CiliumPolicy(c, 'ranges').allowIngress(Peer.any(), { ports: [Port.tcpRange(8000, 8100)] });
      new CiliumPolicy(c, 'cidr').allowEgress(Peer.cidr('10.0.0.1'));
    } }, { outdir: dir });
    expect(app).toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(existsSync(dir)).toBe(false);
    const out = stderr.join('');
    expect(out).toMatch(/synthesis failed with 2 errors/);
    expect(out).toMatch(/\[demo\/ranges\] spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.endPort: endPort needs Cilium 1\.16/);
    expect(out).toMatch(/\[demo\/cidr\] spec\.egress\[0\]\.toCIDR\[0\]: "10\.0\.0\.1" is an IP address, not a CIDR/);
    expect(out).toMatch(/fix: write 10\.0\.0\.1\/32/);
    expect(out).not.toMatch(/\n\s+at /);
  });

  test('reports an error thrown while building, without a stack trace', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    expect(Synth.run({ addCharts: () => {
      Port.tcp(99999);
    } }, { outdir: outdir() })).toBeUndefined();
    expect(stderr.join('')).toMatch(/port 99999 is not an integer between 1 and 65535 \(port-out-of-range\)\n {2}fix:/);
    expect(stderr.join('')).not.toMatch(/\n\s+at /);
  });

  test('is atomic: a failure after validation (a value resolved late in a second chart) leaves the previous output whole', () => {
    const dir = outdir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'previous.k8s.yaml'), 'kind: Previous\n');
    expect(() => Synth.run({ addCharts: (a) => {
      new CiliumPolicy(new Chart(a, 'one', { namespace: 'a' }), 'p').isolateIngress();
      new ApiObject(new Chart(a, 'two'), 'late', {
        apiVersion: 'v1', kind: 'ConfigMap', data: { value: Lazy.any({ produce: () => { throw new Error('resolved too late'); } }) },
      });
    } }, { outdir: dir })).toThrow('resolved too late');
    expect(readdirSync(dir)).toEqual(['previous.k8s.yaml']);
    expect(readdirSync(join(dir, '..'))).toEqual(['dist']);
  });

  test('replaces the previous output whole when it succeeds', () => {
    const dir = outdir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'stale.k8s.yaml'), 'kind: Stale\n');
    const app = Synth.run({ addCharts: (a) => {
      new CiliumPolicy(new Chart(a, 'one', { namespace: 'a' }), 'p').isolateIngress();
    } }, { outdir: dir });
    expect(app?.outdir).toBe(dir);
    expect(readdirSync(dir)).toEqual(['one.k8s.yaml']);
    expect(readdirSync(join(dir, '..'))).toEqual(['dist']);
  });

  test('a construct id used twice is reported like every other input error', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const dir = outdir();
    expect(Synth.run({ addCharts: (a) => {
      const c = new Chart(a, 'shop', { namespace: 'shop' });
      new CiliumPolicy(c, 'api').isolateIngress();
      new CiliumPolicy(c, 'api').isolateEgress();
    } }, { outdir: dir })).toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(stderr.join('')).toBe('cdk8s-cilium: [shop/api] there is already a construct with id "api" in Chart shop (construct-id-duplicate)\n'
      + '  fix: give each construct its own id within its scope, e.g. "api-2" (the id is the construct\'s path segment and the default policy name)\n');
    stderr.length = 0;
    Synth.run({ addCharts: (a) => {
      new Chart(a, 'shop');
      new Chart(a, 'shop');
    } }, { outdir: dir });
    expect(stderr.join('')).toMatch(/^cdk8s-cilium: \[shop\] there is already a construct with id "shop" in the App \(construct-id-duplicate\)\n {2}fix: /);
  });

  test('a version set after a construct that was built for another one says to set it first', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    expect(Synth.run({ addCharts: (a) => {
      new ClusterDefaultDeny(new Chart(a, 'platform'), 'deny');
      CiliumVersion.use(a, CiliumVersion.V1_15);
    } }, { outdir: outdir() })).toBeUndefined();
    expect(stderr.join('')).toBe("cdk8s-cilium: [platform/deny] CiliumVersion.use(the app, 1.15) comes after ClusterDefaultDeny 'platform/deny' was created, "
      + 'and it was built for Cilium 1.19 (the default) (version-set-too-late)\n'
      + '  fix: set the version first: call CiliumVersion.use(app, CiliumVersion.V1_15) right after creating the app, before the constructs below it\n');
    // Set first, or set after constructs that read the version only at synth time: both are fine.
    expect(Synth.run({ addCharts: (a) => {
      CiliumVersion.use(a, CiliumVersion.V1_15);
      new ClusterDefaultDeny(new Chart(a, 'platform'), 'deny');
    } }, { outdir: outdir() })).toBeDefined();
    expect(Synth.run({ addCharts: (a) => {
      new CiliumPolicy(new Chart(a, 'shop', { namespace: 'shop' }), 'p').allowIngress(Peer.namespace('b'), { ports: [Port.tcp(80)] });
      CiliumVersion.use(a, CiliumVersion.V1_15);
    } }, { outdir: outdir() })).toBeDefined();
  });

  test('bugs keep their stack trace', () => {
    expect(() => Synth.run({ addCharts: () => {
      throw new TypeError('boom');
    } }, { outdir: outdir() })).toThrow(TypeError);
  });
  test('prints the app\'s warnings and still writes the output, exit status untouched', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const dir = outdir();
    const app = Synth.run({ addCharts: (a) => {
      new ApiObject(new Chart(a, 'shop', { namespace: 'shop' }), 'deny', {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      });
    } }, { outdir: dir });
    expect(app).toBeDefined();
    expect(process.exitCode).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['shop.k8s.yaml']);
    expect(stderr.join('')).toMatch(/^cdk8s-cilium: warning: \[shop\/deny\] .*\(pitfall-default-deny-without-dns\)/);
  });

  test('one error is counted as one', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    expect(Synth.run({ addCharts: (a) => {
      new CiliumPolicy(new Chart(a, 'demo', { namespace: 'ns' }), 'cidr').allowEgress(Peer.cidr('10.0.0.1'));
    } }, { outdir: outdir() })).toBeUndefined();
    expect(stderr.join('')).toMatch(/^cdk8s-cilium: synthesis failed with 1 error:\n {2}\[demo\/cidr\] /);
  });

  test('past the cap of 1,000 findings of one id, the count is of every error, not of the lines listed (a summary stands for many)', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const cidrs = Array.from({ length: 1500 }, () => '10.0.0.0/33');
    expect(Synth.run({ addCharts: (a) => {
      new ApiObject(new Chart(a, 'shop', { namespace: 'shop' }), 'raw', {
        apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'raw' },
        spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDR: cidrs }] },
      });
    } }, { outdir: outdir() })).toBeUndefined();
    const text = stderr.join('');
    // Before: "failed with 1,001 errors" (the 1,000 listed and the summary standing for the other 500).
    expect(text).toMatch(/^cdk8s-cilium: synthesis failed with 1,500 errors:\n/);
    expect(text).toMatch(/and 500 more crd-cidr errors in this policy, not listed/);
    expect(text.match(/\(crd-cidr\)/g)).toHaveLength(1001);
  });

  test('an output directory that cannot be made is one line and exit 1, not a hang or a stack trace (below a file; /proc)', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const file = join(outdir(), '..', 'a-file');
    writeFileSync(file, 'x');
    let built = 0;
    for (const dir of [join(file, 'sub', 'dist'), '/proc/cdk8s-cilium/dist']) {
      expect(Synth.run({ addCharts: () => { built++; } }, { outdir: dir })).toBeUndefined();
      expect(process.exitCode).toBe(1);
      process.exitCode = undefined;
    }
    expect(built).toBe(0);
    const fix = '  fix: give an output directory you can write to (the outdir prop, or CDK8S_OUTDIR)\n';
    expect(stderr).toEqual([
      expect.stringMatching(new RegExp(`^cdk8s-cilium: cannot make the folder .*/a-file: a file or a link is in the way \\(output-folder\\)\n${fix.replace(/[()]/g, '\\$&')}$`)),
      `cdk8s-cilium: cannot make the folder /proc/cdk8s-cilium: the system does not let a folder be made there (output-folder)\n${fix}`,
    ]);
  });

  test('writes into $CDK8S_OUTDIR when no outdir is given', () => {
    const dir = outdir();
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = dir;
    try {
      expect(Synth.run({ addCharts: (a) => {
        new CiliumPolicy(new Chart(a, 'one', { namespace: 'a' }), 'p').isolateIngress();
      } })?.outdir).toBe(dir);
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
    expect(readdirSync(dir)).toEqual(['one.k8s.yaml']);
  });

  test('refuses a builder that is not an object with an addCharts method: one line with its id and fix, exit status 1, no stack trace', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const builders: unknown[] = [null, undefined, {}, { addCharts: 'x' }, 'main', () => undefined, Object.assign(Object.create(null) as object, { addChart: () => undefined })];
    for (const builder of builders) {
      process.exitCode = undefined;
      expect(Synth.run(builder as never)).toBeUndefined();
      expect(process.exitCode).toBe(1);
    }
    expect(stderr).toHaveLength(builders.length);
    for (const line of stderr) {
      expect(line).toMatch(/^cdk8s-cilium: Synth\.run\(.*\): the first argument is an object with an addCharts\(app\) method \(synth-builder\)\n {2}fix: pass \{ addCharts: /);
      expect(line).not.toMatch(/\n\s+at /);
    }
    // It says what it got: a function (0.x's runSynth(fn)), or the value.
    expect(stderr[4]).toContain('Synth.run(main):');
    expect(stderr[5]).toContain('Synth.run(a function):');
    expect(stderr[5]).toContain('runSynth(fn) of 0.x is Synth.run({ addCharts: fn })');
    // An object by its keys: a module namespace (import * as charts) or a null-prototype object has no toString, and the
    // misspelt key is what to see.
    expect(stderr[6]).toContain('Synth.run({ addChart }):');
    expect(stderr[3]).toContain('Synth.run({ addCharts }):');
  });

  test('refuses a key of the builder other than addCharts (outdir in the first argument), writing nothing, not even to dist/', () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const meant = outdir();
    const fallback = outdir();
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = fallback;
    let built = 0;
    try {
      const builder = { outdir: meant, addCharts: (a: App): void => {
        built++;
        new CiliumPolicy(new Chart(a, 'one', { namespace: 'a' }), 'p').isolateIngress();
      } };
      expect(Synth.run(builder as never)).toBeUndefined();
      expect(Synth.run({ addCharts: () => { built++; }, outputFileExtension: '.yaml' } as never)).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
    expect(process.exitCode).toBe(1);
    expect(built).toBe(0);
    expect(existsSync(meant)).toBe(false);
    expect(existsSync(fallback)).toBe(false);
    expect(stderr[0]).toBe(`cdk8s-cilium: Synth.run(): outdir (${JSON.stringify(meant)}) is not a field of the builder (the first argument), which has `
      + 'addCharts only; it would be left out, and the app would be written to the default outdir (dist/, or $CDK8S_OUTDIR), '
      + 'replacing what is there (option-unknown)\n  fix: outdir is a prop of the App: pass it as the second argument, Synth.run({ addCharts }, { outdir: … })\n');
    expect(stderr[1]).toContain('outputFileExtension is a prop of the App: pass it as the second argument');
    // A class instance is not a mapping: its own fields are its state.
    class Builder {
      public readonly outdir = 'state';
      public addCharts(): void {
        built++;
      }
    }
    process.exitCode = undefined;
    expect(Synth.run(new Builder(), { outdir: outdir() })).toBeDefined();
    expect(built).toBe(1);
  });

  test('a bug whose message only contains "Validation failed" keeps its stack trace', () => {
    expect(() => Synth.run({ addCharts: () => {
      throw new Error('internal: Validation failed in a helper');
    } }, { outdir: outdir() })).toThrow('internal: Validation failed in a helper');
  });
});
