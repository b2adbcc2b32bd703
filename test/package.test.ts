/**
 * The published package, as a consumer gets it: `npm pack` of a copy of the project in the OS temp dir (its prepack
 * builds that copy's lib/, so the project's own lib/ is never deleted or rebuilt while the suite runs; within `npm test`
 * the copy gets the lib/ that `compile-lint-docs` emitted from its checked program with tsconfig.build.json's settings,
 * what that prepack would build, and is packed with `--ignore-scripts`: scripts/prebuilt-lib.mjs), then a scratch cdk8s app
 * outside the project installs the tarball offline, synthesizes a policy with plain node, type-checks a
 * `main.ts` against the shipped .d.ts, and runs the `cdk8s-cilium` bin.
 *
 * Offline install: `npm install --offline <tarball> cdk8s@x` does NOT work on a cache that only `npm ci` has
 * warmed (a fresh CI machine): npm 11's `install` resolves names through full packuments, `npm ci` caches only the
 * abbreviated ones. So the scratch app gets a package-lock.json cut out of this project's lockfile (cdk8s, constructs
 * and the scratch tools at the locked versions; the runtime dependency closure as bundled inside the package, so it
 * comes from the tarball alone) and is installed with `npm ci --offline`, which needs nothing but what `npm ci` of this
 * project already put into the cache.
 *
 * Set CDK8S_CILIUM_KEEP_SCRATCH=1 to keep the scratch directory for a look after the run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { awaitPrebuiltLib } from '../scripts/prebuilt-lib.mjs';

const PROJECT = join(__dirname, '..');
/**
 * Hang guard of each test and of each process it spawns (minus 10 s). Alone, the slowest step (`npm pack` and its build)
 * takes about 20 s; `npm test` runs the static checks beside vitest's workers on a shared 2-core machine, where it has taken
 * over 170 s.
 */
const TIMEOUT = 360_000;
/** Everything the tarball may hold. Extend it deliberately when the package starts to ship something new. */
const SHIPPED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^lib\/src\/.+\.m?js$/, /^lib\/src\/.+\.d\.m?ts$/,
  /^crd-schemas\/v\d+\.\d+\/cilium(clusterwide)?networkpolicies\.json$/];
/** The bundled runtime dependencies (package.json `bundleDependencies`, as jsii requires of dependencies that are not jsii modules). */
const BUNDLED = /^node_modules\//;
/** Development tools the scratch app installs (from the npm cache) to run what `cdk8s-cilium init` scaffolds. */
const SCRATCH_TOOLS = ['vitest', 'tsx', '@types/node'];
const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as PackageJson;
const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-package-'));

interface PackageJson {
  name: string;
  version: string;
  scripts?: Record<string, string>;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  bundleDependencies?: string[];
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface Packed {
  tarball: string;
  integrity: string;
  files: string[];
  /** Text of every .js / .mjs / .d.ts / .d.mts file and of LICENSE in the tarball, by path inside the package. */
  contents: Map<string, string>;
}

afterAll(() => {
  if (process.env.CDK8S_CILIUM_KEEP_SCRATCH) {
    console.log(`scratch directory kept: ${work}`);
  } else {
    rmSync(work, { recursive: true, force: true });
  }
});

/**
 * Runs a command; throws with its output unless it exits 0.
 * @param envChanges environment variables to set, or to leave out (`undefined`)
 */
function run(cmd: string, args: string[], cwd: string, envChanges: Record<string, string | undefined> = {}): string {
  // Under `npm test` these point at this project; the child npm/npx must work on their own cwd. A consumer has no
  // CDK8S_CILIUM_* settings (no CRD folder, no shared data).
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_package_|npm_lifecycle_|npm_command$|npm_config_local_prefix$|INIT_CWD$|CDK8S_CILIUM_)/i.test(key)
      && !(key in envChanges)),
  );
  for (const [key, value] of Object.entries(envChanges)) if (value !== undefined) env[key] = value;
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: TIMEOUT - 10_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})\n` +
      `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r.stdout;
}

/** Memoizes a step, including its failure, so later tests report the same cause without redoing the work. */
function once<T>(fn: () => T): () => T {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  return () => {
    if (!result) {
      try {
        result = { ok: true, value: fn() };
      } catch (error) {
        result = { ok: false, error };
      }
    }
    if (!result.ok) throw result.error;
    return result.value;
  };
}

const packed = once((): Packed => {
  const dest = join(work, 'pack');
  mkdirSync(dest);
  // What the package is built and packed from (package.json `files` plus the build inputs), copied; node_modules: the
  // runtime closure copied, the rest linked. npm pack bundles the dependencies of a bundled package only as it finds them
  // in the tree, and through a linked node_modules it finds none (the tarball then held ajv without fast-deep-equal).
  const copy = join(work, 'project');
  for (const entry of ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'src', 'crd-schemas',
    'scripts/check-bundle.mjs']) {
    cpSync(join(PROJECT, entry), join(copy, entry), { recursive: true });
  }
  const runtimeTop = new Set(Object.keys(RUNTIME).filter((l) => !l.slice('node_modules/'.length).includes('/node_modules/')));
  const linkOrCopy = (location: string): void => {
    if (runtimeTop.has(location)) cpSync(join(PROJECT, location), join(copy, location), { recursive: true });
    else if ([...runtimeTop].some((l) => l.startsWith(`${location}/`))) {
      mkdirSync(join(copy, location));
      for (const entry of readdirSync(join(PROJECT, location))) linkOrCopy(`${location}/${entry}`);
    } else symlinkSync(join(PROJECT, location), join(copy, location), 'junction');
  };
  mkdirSync(join(copy, 'node_modules'));
  // npm's record of the installed tree, which would describe the project's tree, not this one.
  for (const entry of readdirSync(join(PROJECT, 'node_modules')).filter((e) => e !== '.package-lock.json')) linkOrCopy(`node_modules/${entry}`);
  // prepack runs `npm run build` (lifecycle banners go to stderr); the JSON report starts at the first line that is `[`.
  // Within `npm test`, the build compile-lint-docs emitted (waited for; without one, prepack builds).
  const prebuilt = awaitPrebuiltLib(TIMEOUT - 60_000);
  if (prebuilt.ok) cpSync(prebuilt.lib, join(copy, 'lib'), { recursive: true });
  console.info(prebuilt.ok ? 'package: lib/ as compile-lint-docs emitted it, packed with --ignore-scripts' : `package: built by prepack (${prebuilt.reason})`);
  const out = run('npm', ['pack', ...(prebuilt.ok ? ['--ignore-scripts'] : []), '--json', '--pack-destination', dest], copy);
  const start = out.search(/^\[/m);
  const [info] = JSON.parse(out.slice(start)) as Array<{ filename: string; integrity: string; files: Array<{ path: string }> }>;
  const tarball = join(dest, info.filename);
  // Read the file list and the files back from the tarball itself, not from lib/.
  const entries = [...untar(gunzipSync(readFileSync(tarball)))].map(([path, data]) => [path.replace(/^package\//, ''), data] as const);
  expect(entries.map(([f]) => f).sort()).toEqual(info.files.map((x) => x.path).sort());
  const contents = new Map<string, string>();
  for (const [f, data] of entries) {
    if (/\.m?js$|\.d\.m?ts$|^LICENSE$/.test(f)) contents.set(f, data.toString('utf8'));
  }
  return { tarball, integrity: info.integrity, files: entries.map(([f]) => f).sort(), contents };
});

/** The regular files of a (ustar/pax) tar archive, by path. */
function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const text = (start: number, length: number): string => archive.toString('utf8', start, start + length).replace(/\0[\s\S]*$/, '');
  let paxPath: string | undefined;
  for (let offset = 0; offset + 512 <= archive.length && archive[offset] !== 0;) {
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1) || '0';
    const prefix = text(offset + 345, 155);
    const name = prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100);
    const data = archive.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
    } else {
      if (type === '0') files.set(paxPath ?? name, data);
      paxPath = undefined;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * The entries of this project's package-lock.json that `roots` (top-level package names) need, by location
 * (`node_modules/ajv`, `node_modules/a/node_modules/b`), found as node resolves them; the flags that describe the
 * project's tree (dev-only, peer, ...) are dropped.
 */
function lockClosure(roots: string[]): Record<string, LockEntry> {
  const projectLock = JSON.parse(readFileSync(join(PROJECT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const all = projectLock.packages;
  const picked: Record<string, LockEntry> = {};
  const resolveFrom = (from: string, name: string): string | undefined => {
    let dir = from;
    for (;;) {
      const candidate = posix.join(dir, 'node_modules', name);
      if (all[candidate]) return candidate;
      if (dir === '') return undefined;
      const i = dir.lastIndexOf('/node_modules/');
      dir = i < 0 ? '' : dir.slice(0, i);
    }
  };
  const visit = (location: string): void => {
    if (picked[location]) return;
    if (!all[location]) throw new Error(`package-lock.json has no ${location}: run npm ci`);
    const { dev: _dev, devOptional: _devOptional, optional: _optional, peer: _peer, ...entry } = all[location];
    picked[location] = entry;
    const required = Object.keys(entry.dependencies ?? {});
    const optional = [...Object.keys(entry.optionalDependencies ?? {}), ...Object.keys(entry.peerDependencies ?? {})];
    for (const name of [...required, ...optional]) {
      const target = resolveFrom(location, name);
      if (target) visit(target);
      else if (required.includes(name)) throw new Error(`package-lock.json: ${name} (needed by ${location}) is not installed`);
    }
  };
  for (const name of roots) visit(`node_modules/${name}`);
  return picked;
}

/** What the package bundles: its runtime dependencies and theirs (ajv's fast-deep-equal, …), by location in this project. */
const RUNTIME = lockClosure(Object.keys(pkg.dependencies ?? {}));

/**
 * A package-lock.json for the scratch app: this project's lock entries reachable from cdk8s, constructs and the
 * scratch tools, at the same paths (a subtree of a valid tree stays valid), and the package's runtime closure inside
 * the package, as bundled (`inBundle`, as npm records it): the app gets those only from the tarball, so a dependency the
 * tarball lacks fails the app instead of being installed beside it.
 */
function scratchLock(tarballName: string, integrity: string): { packageJson: object; lock: object } {
  const picked = lockClosure(['cdk8s', 'constructs', ...SCRATCH_TOOLS]);
  const bundled = Object.fromEntries(Object.entries(RUNTIME).map(([location, { resolved: _resolved, integrity: _integrity, ...entry }]) =>
    [`node_modules/${pkg.name}/${location}`, { ...entry, inBundle: true }]));
  const version = (name: string): string => {
    const v = picked[`node_modules/${name}`]?.version;
    if (!v) throw new Error(`package-lock.json has no node_modules/${name}: run npm ci`);
    return v;
  };

  const dependencies: Record<string, string> = {
    'cdk8s': version('cdk8s'), 'cdk8s-cilium': `file:${tarballName}`, 'constructs': version('constructs'),
    ...Object.fromEntries(SCRATCH_TOOLS.map((name) => [name, version(name)])),
  };
  const self: LockEntry = {
    version: pkg.version,
    resolved: `file:${tarballName}`,
    integrity,
    license: pkg.license,
    dependencies: pkg.dependencies,
    bundleDependencies: pkg.bundleDependencies,
    peerDependencies: pkg.peerDependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta,
    bin: pkg.bin,
    engines: pkg.engines,
  };
  const packageJson = { name: 'scratch-app', version: '0.0.0', private: true, dependencies };
  const lock = {
    name: 'scratch-app',
    version: '0.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: 'scratch-app', version: '0.0.0', dependencies }, [`node_modules/${pkg.name}`]: self, ...bundled, ...picked },
  };
  return { packageJson, lock };
}

const MAIN_JS = `
const { App, Chart } = require('cdk8s');
const { CiliumPolicy, EndpointSelector, Peer, Port } = require('cdk8s-cilium');
const app = new App();
const chart = new Chart(app, 'demo', { namespace: 'shop' });
const policy = new CiliumPolicy(chart, 'frontend-ingress', { endpointSelector: EndpointSelector.labels({ app: 'frontend' }) });
policy.allowIngress(Peer.endpoints({ namespace: 'gateway', labels: { app: 'gateway' } }), { ports: [Port.tcp(8080)] });
app.synth();
`;

const MAIN_TS = `
import { App, Chart } from 'cdk8s';
import { CiliumPolicy, EndpointSelector, Peer, Port } from 'cdk8s-cilium';

const app = new App();
const chart = new Chart(app, 'demo', { namespace: 'shop' });
const policy: CiliumPolicy = new CiliumPolicy(chart, 'frontend-ingress', { endpointSelector: EndpointSelector.labels({ app: 'frontend' }) });
policy.allowIngress(Peer.endpoints({ namespace: 'gateway', labels: { app: 'gateway' } }), { ports: [Port.tcp(8080)] });
// The types are real, not \`any\`: an unknown prop must be rejected.
// @ts-expect-error -- not a CiliumPolicy prop
new CiliumPolicy(chart, 'typo', { endpointSelector: EndpointSelector.labels({ app: 'x' }), notAProp: true });
app.synth();
`;

const SCRATCH_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['ES2022'],
    strict: true,
    noEmit: true,
    // Check the shipped .d.ts too, and without @types/node: the public types must stand on their own.
    skipLibCheck: false,
    types: [],
  },
  files: ['main.ts'],
};

const installed = once((): string => {
  const { tarball, integrity } = packed();
  const app = join(work, 'app');
  mkdirSync(app);
  const tarballName = 'cdk8s-cilium.tgz';
  copyFileSync(tarball, join(app, tarballName));
  const { packageJson, lock } = scratchLock(tarballName, integrity);
  writeFileSync(join(app, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
  try {
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\nENOTCACHED above means the npm cache lacks a package: run \`npm ci\` in the project first (it warms the cache)`,
      { cause: e },
    );
  }
  return app;
});

/**
 * `npx cdk8s-cilium init starter` in the scratch app: what it printed and the starter's files, before the consumer's
 * test (CONSUMER_TEST) is added as test/consumer.test.ts.
 */
const scaffolded = once((): { app: string; dir: string; initOutput: string; files: string[] } => {
  const app = installed();
  const initOutput = run('npx', ['--no', '--offline', 'cdk8s-cilium', 'init', 'starter'], app);
  const dir = join(app, 'starter');
  const files = readdirSync(dir).sort();
  writeFileSync(join(dir, 'test', 'consumer.test.ts'), CONSUMER_TEST);
  return { app, dir, initOutput, files };
});

/**
 * The scratch app's two TypeScript projects, type-checked by one `tsc -b` run (one compiler process, not one per project):
 * the app's main.ts and jest-types.ts with the scratch tsconfig (the shipped .d.ts checked, no @types/node), and the
 * starter `init` scaffolded, test/consumer.test.ts included, with its own tsconfig.json. The compiler's diagnostics, one
 * line each (`file(line,col): error TS…`, paths from the app), by project: lines under `starter/` are the starter's, other
 * lines the app's, and a line that names no file (a global error) counts for both.
 */
const typeChecked = once((): { app: string; diagnostics: string[]; starter: string[] } => {
  const { app } = scaffolded();
  writeFileSync(join(app, 'main.ts'), MAIN_TS);
  writeFileSync(join(app, 'jest-types.ts'), JEST_TYPES_TS);
  writeFileSync(join(app, 'jest-setup.js'), JEST_SETUP_JS);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ ...SCRATCH_TSCONFIG, files: ['main.ts', 'jest-types.ts'] }, null, 2) + '\n');
  const tsc = join(PROJECT, 'node_modules', 'typescript', 'bin', 'tsc');
  expect(existsSync(tsc)).toBe(true);
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.json', join('starter', 'tsconfig.json'), '--pretty', 'false'],
    { cwd: app, encoding: 'utf8', timeout: TIMEOUT - 10_000 });
  if (r.error) throw r.error;
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((line) => line.trim() !== '');
  // tsc exits 0 exactly when it reports nothing.
  expect(lines.length === 0).toBe(r.status === 0);
  const global = (line: string): boolean => /^error TS\d+/.test(line);
  return {
    app,
    diagnostics: lines.filter((line) => global(line) || !line.startsWith('starter/')),
    starter: lines.filter((line) => global(line) || line.startsWith('starter/')),
  };
});

/** Per test file of a vitest run (JSON report): how many tests passed, and the names of those that did not. */
type VitestFiles = Map<string, { passed: number; failed: string[] }>;

/** `vitest run` in the starter with the scratch app's vitest, as its `npm test` does; throws unless every test passed. */
function starterVitest(dir: string, app: string, envChanges: Record<string, string | undefined>, report: string): VitestFiles {
  run(process.execPath, [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    dir, envChanges);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ name: string; assertionResults: Array<{ status: string; fullName: string }> }> };
  return new Map(json.testResults.map((f) => [
    relative(dir, f.name).split(sep).join('/'),
    { passed: f.assertionResults.filter((a) => a.status === 'passed').length, failed: f.assertionResults.filter((a) => a.status !== 'passed').map((a) => a.fullName) },
  ]));
}

/**
 * The starter's test files, run twice: first as a newcomer's first `npm test` (not on CI, so the snapshot is written),
 * then on CI (`CI=true`: a missing snapshot fails, so it compares against the one written).
 */
const starterTests = once((): { first: VitestFiles; snapshots: string[]; second: VitestFiles } => {
  const { app, dir } = scaffolded();
  const first = starterVitest(dir, app, { CI: undefined, GITHUB_ACTIONS: undefined }, join(work, 'vitest-first.json'));
  const snapshots = readdirSync(join(dir, 'test', '__snapshots__'));
  const second = starterVitest(dir, app, { CI: 'true' }, join(work, 'vitest-second.json'));
  return { first, snapshots, second };
});

describe('npm package', () => {
  test('the tarball ships compiled JS, .d.ts and the bin, and no sources, tests or generated imports', () => {
    const { files } = packed();
    expect(files).toContain('package.json');
    expect(files).toContain('lib/src/index.js');
    expect(files).toContain('lib/src/index.d.ts');
    for (const bin of Object.values(pkg.bin ?? {})) expect(files).toContain(posix.normalize(bin));
    expect(files.filter((f) => /(^|\/)imports\//.test(f) || f.includes('cilium-cilium.io'))).toEqual([]);
    expect(files.filter((f) => !BUNDLED.test(f) && /(^|\/)test\//.test(f))).toEqual([]);
    expect(files.filter((f) => !BUNDLED.test(f) && f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => !BUNDLED.test(f) && !SHIPPED.some((re) => re.test(f)))).toEqual([]);
  }, TIMEOUT);

  test('`npm pack` builds lib/ in its prepack with tsc -p tsconfig.build.json, the build npm test hands over', () => {
    // Within `npm test` the tarball is packed with `--ignore-scripts` from the lib/ compile-lint-docs emitted with
    // tsconfig.build.json's settings (scripts/prebuilt-lib.mjs): what these scripts build, as long as they are these.
    // First the guard that the bundled dependency closure is installed in the project (scripts/check-bundle.mjs).
    expect(pkg.scripts?.prepack).toBe('node scripts/check-bundle.mjs && npm run build');
    expect(pkg.scripts?.build).toBe('tsc -p tsconfig.build.json');
    expect(Object.keys(pkg.scripts ?? {}).filter((name) => /^(pre|post)?(pack|prepare|build)$|^postpack$/.test(name)).sort())
      .toEqual(['build', 'prebuild', 'prepack']);
    expect(pkg.scripts?.prebuild).toBe('npm run clean');
  }, TIMEOUT);

  test('the runtime dependencies are bundled, each with its package.json, and nothing else is', () => {
    const { files } = packed();
    const bundled = new Set(files.filter((f) => BUNDLED.test(f)).map((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]));
    expect(pkg.bundleDependencies).toEqual(Object.keys(pkg.dependencies ?? {}));
    for (const dep of pkg.bundleDependencies ?? []) expect(files).toContain(`node_modules/${dep}/package.json`);
    // And every package they need, at the place node resolves it from: the scratch app gets them from the tarball only.
    expect(Object.keys(RUNTIME).filter((location) => !files.includes(`${location}/package.json`))).toEqual([]);
    // The bundled packages and their own dependencies (ajv's fast-deep-equal, …), never a development tool.
    for (const tool of ['vitest', 'typescript', 'jsii', 'cdk8s', 'constructs', 'eslint']) expect(bundled).not.toContain(tool);
  }, TIMEOUT);

  test('no .d.ts mentions the private generated imports', () => {
    const { contents } = packed();
    const leaks = [...contents].filter(([f, text]) => !BUNDLED.test(f) && f.endsWith('.d.ts') && /imports\/|cilium-cilium\.io/.test(text)).map(([f]) => f);
    expect(leaks).toEqual([]);
  }, TIMEOUT);

  test('every relative import in the shipped .js and .d.ts resolves to a file in the tarball', () => {
    const { files, contents } = packed();
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const [f, text] of contents) {
      // init.js holds the scaffold's sources as text: their imports are the new app's, not the package's.
      if (f === 'lib/src/cli/init.js') continue;
      // Bundled dependencies resolve their own imports (package \`exports\`), as they do when installed from npm.
      if (BUNDLED.test(f)) continue;
      const specs = [...text.matchAll(/(?:require\(|from\s+|import\(|<reference\s+path=)\s*['"](\.{1,2}\/[^'"]*)['"]/g)].map((m) => m[1]);
      for (const spec of specs) {
        const base = posix.join(posix.dirname(f), spec);
        const candidates = /\.d\.m?ts$/.test(f)
          ? [base, `${base}.d.ts`, `${base.replace(/\.js$/, '')}.d.ts`, `${base}/index.d.ts`]
          : [base, `${base}.js`, `${base}/index.js`];
        if (!candidates.some((c) => shipped.has(c))) missing.push(`${f}: ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  }, TIMEOUT);

  test('a scratch cdk8s app installs the tarball offline and synthesizes a policy with plain node', () => {
    const app = installed();
    writeFileSync(join(app, 'main.js'), MAIN_JS);
    run(process.execPath, ['main.js'], app);
    expect(readdirSync(join(app, 'dist'))).toEqual(['demo.k8s.yaml']);
    const docs = parseAllDocuments(readFileSync(join(app, 'dist', 'demo.k8s.yaml'), 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
    expect(docs).toHaveLength(1);
    const [cnp] = docs;
    expect(cnp).toMatchObject({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'frontend-ingress', namespace: 'shop' },
    });
    const spec = cnp.spec as Record<string, unknown>;
    expect(spec.endpointSelector).toEqual({ matchLabels: { app: 'frontend' } });
    expect(spec.ingress).toEqual([
      {
        fromEndpoints: [{ matchLabels: { 'app': 'gateway', 'k8s:io.kubernetes.pod.namespace': 'gateway' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
      },
    ]);
  }, TIMEOUT);

  test('main.ts type-checks against the installed .d.ts', () => {
    const { diagnostics } = typeChecked();
    expect(diagnostics.filter((d) => !d.startsWith('jest-types.ts'))).toEqual([]);
  }, TIMEOUT);

  test('the cdk8s-cilium bin runs and prints the version', () => {
    const app = installed();
    // The bin npm linked (npx resolving it is checked by `init` below: one npx process per file, not two).
    const out = run(join(app, 'node_modules', '.bin', 'cdk8s-cilium'), ['--version'], app);
    expect(out).toContain(pkg.version);
  }, TIMEOUT);

  test('the tarball ships the Apache-2.0 LICENSE and the compact CRD schemas of every supported version', () => {
    const { files, contents } = packed();
    expect(contents.get('LICENSE')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(contents.get('LICENSE')).toContain('END OF TERMS AND CONDITIONS');
    for (const v of ['1.14', '1.15', '1.16', '1.17', '1.18', '1.19']) {
      expect(files).toContain(`crd-schemas/v${v}/ciliumnetworkpolicies.json`);
      expect(files).toContain(`crd-schemas/v${v}/ciliumclusterwidenetworkpolicies.json`);
    }
  }, TIMEOUT);

  test('`npx cdk8s-cilium init` scaffolds an app that type-checks, synthesizes and passes its tests offline', () => {
    const { app, dir: starter, initOutput, files } = scaffolded();
    expect(initOutput).toContain('next: cd starter && npm install && npm run synth && npm test');
    expect(files).toEqual(
      ['.gitignore', 'README.md', 'cdk8s.yaml', 'main.ts', 'package.json', 'policies.ts', 'test', 'tsconfig.json', 'vitest.config.mts']);
    const scaffoldPkg = JSON.parse(readFileSync(join(starter, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // The scratch app installed the tarball by its path (the package is not on the registry): the starter names it so too.
    expect(scaffoldPkg.dependencies['cdk8s-cilium']).toBe('file:../cdk8s-cilium.tgz');
    // Its node_modules is the scratch app's (one level up): what `npm install` in the starter would give, offline.
    expect(typeChecked().starter).toEqual([]);
    run(process.execPath, ['--import', 'tsx', 'main.ts'], starter);
    expect(readdirSync(join(starter, 'dist'))).toEqual(['shop.k8s.yaml']);
    const kinds = parseAllDocuments(readFileSync(join(starter, 'dist', 'shop.k8s.yaml'), 'utf8')).map((d) => (d.toJSON() as { kind: string }).kind);
    expect(kinds).toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'CiliumNetworkPolicy']);
    // validate (schema layer against the bundled CRD) and trace (the synthesized version) work on the output, offline,
    // through the installed bin (npx finding it is checked by `init` above).
    const bin = join(app, 'node_modules', '.bin', 'cdk8s-cilium');
    expect(run(bin, ['validate', 'dist'], starter)).toMatch(/^0 errors, .* \(4 policies, 4 documents; Cilium 1\.19 from the annotation cdk8s-cilium\.io\/cilium-version of CiliumNetworkPolicy shop\/[a-z-]+ \(dist\/shop\.k8s\.yaml\)\)$/m);
    const traced = run(bin, ['trace', '--policies', 'dist', '--from', 'pod:shop:app=frontend', '--to', 'pod:shop:app=backend', '--port', '8080'], starter);
    expect(traced).toMatch(/^ALLOWED pod:shop:app=frontend → pod:shop:app=backend 8080\/TCP$/m);
    expect(traced).toMatch(/^cilium version: 1\.19 \(the annotation cdk8s-cilium\.io\/cilium-version of CiliumNetworkPolicy shop\//m);
    // A newcomer's first `npm test` (not on CI) writes the snapshot; the second compares against it.
    const { first, snapshots, second } = starterTests();
    expect(first.get('test/policies.test.ts')).toEqual({ passed: 4, failed: [] });
    expect(snapshots).toEqual(['policies.test.ts.snap']);
    expect(second.get('test/policies.test.ts')).toEqual({ passed: 4, failed: [] });
    // init never overwrites.
    expect(() => run(bin, ['init', 'starter'], app)).toThrow(/starter already has package\.json, cdk8s\.yaml/);
  }, TIMEOUT);

  test('cdk8s-cilium/vitest registers every matcher with its types, and toBeValidCilium uses the bundled schemas', () => {
    // test/consumer.test.ts is part of the starter's type-check and of both of its vitest runs.
    expect(typeChecked().starter).toEqual([]);
    const { first, second } = starterTests();
    expect(first.get('test/consumer.test.ts')).toEqual({ passed: 3, failed: [] });
    expect(second.get('test/consumer.test.ts')).toEqual({ passed: 3, failed: [] });
  }, TIMEOUT);

  test('cdk8s-cilium/jest registers every matcher with the global expect and declares them for @types/jest', () => {
    const { app, diagnostics } = typeChecked();
    expect(run(process.execPath, ['jest-setup.js'], app).trim()).toBe('toAllow,toBeValidCilium,toChangeOnly,toDeny');
    expect(diagnostics.filter((d) => !d.startsWith('main.ts'))).toEqual([]);
  }, TIMEOUT);
});

/** A consumer's test: no CRD files, no set-up beyond the scaffold's `import 'cdk8s-cilium/vitest'`. */
const CONSUMER_TEST = `
import { Chart, Testing } from 'cdk8s';
import { CiliumPolicy, CiliumVersion, CrdSchemas, EndpointSelector, Peer, Port } from 'cdk8s-cilium';
import { expect, test } from 'vitest';

const TYPO = {
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'typo', namespace: 'shop' },
  spec: { endpointSelector: {}, egress: [{ toFQDN: [{ matchName: 'example.com' }] }] },
};

test('toBeValidCilium checks against the bundled CRD of each chart\\'s version', () => {
  const app = Testing.app();
  CiliumVersion.use(app, CiliumVersion.V1_16);
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  new CiliumPolicy(chart, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
    .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
  expect(chart).toBeValidCilium();
  expect(TYPO).not.toBeValidCilium();
  expect({ policies: [TYPO] }).not.toEqual({ policies: [expect.toBeValidCilium()] });
  expect(() => expect(TYPO).toBeValidCilium()).toThrow(/CRD v1\\.19[\\s\\S]*unknown field "toFQDN" \\(did you mean "toFQDNs"\\?\\)/);
  expect(TYPO).not.toBeValidCilium(CrdSchemas.builtin('1.14'));
});

test('toAllow and toDeny are registered', () => {
  const chart = new Chart(Testing.app(), 'default', { namespace: 'default' });
  new CiliumPolicy(chart, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
    .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
  expect(chart).toAllow('pod:default:app=web', 'pod:default:app=api', '8080/TCP');
  expect(chart).toDeny('pod:default:app=web', 'pod:default:app=api', '9090/TCP');
});

test('the matchers are typed, not any', () => {
  // @ts-expect-error -- toAllow needs from, to and port
  expect(() => expect(Testing.chart()).toAllow('pod:default:app=web')).toThrow();
  // @ts-expect-error -- the schemas argument is an ICrdSchemaSource
  expect(() => expect(TYPO).toBeValidCilium('1.19')).toThrow();
});
`;

const JEST_SETUP_JS = `
globalThis.expect = { extend: (matchers) => console.log(Object.keys(matchers).sort().join(',')) };
require('cdk8s-cilium/jest');
`;

/** Type-checks against the `jest` namespace that @types/jest declares (absent here, so declared by the package alone). */
const JEST_TYPES_TS = `
import 'cdk8s-cilium/jest';
import { registerCiliumMatchers } from 'cdk8s-cilium/jest';
declare const matchers: jest.Matchers<void>;
matchers.toBeValidCilium();
matchers.toAllow('pod:default:app=web', 'pod:default:app=api', 8080);
matchers.toDeny('pod:default:app=web', 'pod:default:app=api', '8080/TCP', { http: 'GET /' });
registerCiliumMatchers({ extend: () => undefined });
`;
