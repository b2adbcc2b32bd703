/**
 * `cdk8s-cilium init [dir]`: scaffolds a cdk8s app that uses the SDK, offline (unlike `cdk8s init`, nothing is downloaded):
 *
 *   package.json      cdk8s-cilium, cdk8s, constructs; tsx, typescript, vitest, @types/node at the versions this package is
 *                     built with; scripts `synth` (tsx main.ts) and `test` (tsc --noEmit && vitest run)
 *   cdk8s.yaml        `app: npx tsx main.ts`, for `npx cdk8s synth`
 *   policies.ts       a small starter policy set (default deny, frontend → backend on 8080, backend → api.stripe.com)
 *   main.ts           `Synth.run({ addCharts: buildPolicies })`: writes dist/<chart>.k8s.yaml, or lists every problem and writes nothing
 *   tsconfig.json, vitest.config.mts, test/setup.ts (`import 'cdk8s-cilium/vitest'`: all matchers, with types)
 *   test/policies.test.ts  toBeValidCilium (the bundled CRD schema), toAllow/toDeny, and a snapshot of the YAML
 *   README.md, .gitignore
 *
 * Existing files are never overwritten unless `--force` is given. Exit status: 0 written, 2 bad input.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Command } from 'commander';
import { CiliumPolicyError } from '../core/errors';
import { makeDirectories } from '../model/make-directories';
import { withoutControls } from '../model/printable';
import { trimRuns } from '../model/trim-runs';
import { packageDirectory, packageInfo } from './package-info';
import { CliIo, EXIT } from './trace';

/** Options of `initApp`. */
export interface InitOptions {
  /**
   * The npm package name of the new app.
   * @default - the folder name, lower-cased, with characters npm does not allow replaced by `-`
   */
  readonly name?: string;
  /**
   * Overwrite files that already exist.
   * @default false
   */
  readonly force?: boolean;
}

/** The files of the scaffold, by path relative to the app folder. */
export function scaffoldFiles(name: string, cdk8sCilium?: string): Record<string, string> {
  const pkg = packageInfo();
  const dev = pkg.devDependencies ?? {};
  const peer = pkg.peerDependencies ?? {};
  const caret = (range: string | undefined, fallback: string): string => (range === undefined ? fallback : /^\d/.test(range) ? `^${range}` : range);
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    scripts: {
      synth: 'tsx main.ts',
      test: 'tsc --noEmit && vitest run',
    },
    dependencies: {
      'cdk8s': caret(peer.cdk8s, '^2.70.0'),
      'cdk8s-cilium': cdk8sCilium ?? `^${pkg.version}`,
      'constructs': caret(peer.constructs, '^10.0.0'),
    },
    devDependencies: {
      '@types/node': caret(dev['@types/node'], '^20.0.0'),
      'tsx': caret(dev.tsx, '^4.0.0'),
      'typescript': caret(dev.typescript, '^5.9.0'),
      'vitest': caret(dev.vitest, '^4.0.0'),
    },
  };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'cdk8s.yaml': `# cdk8s CLI configuration: \`npx cdk8s synth\` runs main.ts and writes dist/ (\`npm run synth\` runs main.ts without the cdk8s CLI).
# On a failure \`npm run synth\` leaves the previous dist/ as it was; \`npx cdk8s synth\` deletes dist/ before it runs the app
# (cdk8s-cli lib/cli/cmds/synth.js, fs.rmSync(outdir)), so after a failure there is no dist/ at all.
language: typescript
app: npx tsx main.ts
output: dist
`,
    'tsconfig.json': `${JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['ES2022'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      include: ['**/*.ts', '**/*.mts'],
      exclude: ['node_modules', 'dist'],
    }, null, 2)}\n`,
    'vitest.config.mts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Registers toBeValidCilium, toAllow and toDeny (see test/setup.ts).
    setupFiles: ['test/setup.ts'],
    // The first toBeValidCilium of a Cilium version compiles its CRD schema, which takes a few seconds.
    testTimeout: 60_000,
  },
});
`,
    'test/setup.ts': `// One import registers every cdk8s-cilium matcher (toBeValidCilium, toAllow, toDeny) and declares their types.
import 'cdk8s-cilium/vitest';
`,
    'policies.ts': `import { App, Chart } from 'cdk8s';
import { CiliumPolicy, CiliumVersion, DefaultDenyNamespace, EndpointSelector, FqdnEgress, Peer, Port } from 'cdk8s-cilium';

/** Adds the policies of the shop namespace to \`app\`; main.ts synthesizes them, test/policies.test.ts tests them. */
export function buildPolicies(app: App): Chart[] {
  // The Cilium your clusters run: set it first, every policy is validated against it (CRD schema and agent rules).
  CiliumVersion.use(app, CiliumVersion.V1_19);
  const shop = new Chart(app, 'shop', { namespace: 'shop' });

  // Nothing in or out of the namespace unless a policy allows it; DNS and kubelet probes keep working.
  new DefaultDenyNamespace(shop, 'default-deny');

  // frontend → backend on 8080: the frontend may send, the backend may receive.
  const frontend = new CiliumPolicy(shop, 'frontend', { endpointSelector: EndpointSelector.labels({ app: 'frontend' }) });
  frontend.allowEgress(Peer.endpoints({ labels: { app: 'backend' } }), { ports: [Port.tcp(8080)] });
  const backend = new CiliumPolicy(shop, 'backend', { endpointSelector: EndpointSelector.labels({ app: 'backend' }) });
  backend.allowIngress(Peer.endpoints({ labels: { app: 'frontend' } }), { ports: [Port.tcp(8080)] });

  // backend → api.stripe.com over HTTPS, with the DNS rule Cilium needs to learn its addresses. The default deny above
  // already lets every pod look up any name (Cilium ORs the DNS rules of all policies), so say so here too.
  new FqdnEgress(shop, 'payments-api', {
    endpointSelector: EndpointSelector.labels({ app: 'backend' }),
    fqdns: ['api.stripe.com'],
    ports: [Port.tcp(443)],
    allowAllDnsLookups: true,
  });
  return [shop];
}
`,
    'main.ts': `// The cdk8s app: \`npm run synth\` (or \`npx cdk8s synth\`) writes dist/<chart>.k8s.yaml. If a policy is wrong, Synth.run lists
// every problem (construct path, field, bad value, fix), writes nothing and exits 1: \`npm run synth\` leaves the previous dist/
// as it was, \`npx cdk8s synth\` deletes dist/ before it runs the app (cdk8s-cli lib/cli/cmds/synth.js, fs.rmSync(outdir)).
import { Synth } from 'cdk8s-cilium';
import { buildPolicies } from './policies';

Synth.run({ addCharts: buildPolicies });
`,
    'test/policies.test.ts': `import { App, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { buildPolicies } from '../policies';

function app(): App {
  const a = Testing.app();
  buildPolicies(a);
  return a;
}

describe('shop policies', () => {
  test('every policy fits the CRD schema of our Cilium version', () => {
    expect(app()).toBeValidCilium();
  });

  test('the frontend reaches the backend on 8080, and nothing else does', () => {
    expect(app()).toAllow('pod:shop:app=frontend', 'pod:shop:app=backend', '8080/TCP');
    expect(app()).toDeny('pod:shop:app=frontend', 'pod:shop:app=backend', '9090/TCP');
    expect(app()).toDeny('pod:shop:app=other', 'pod:shop:app=backend', '8080/TCP');
    expect(app()).toDeny('pod:web:app=frontend', 'pod:shop:app=backend', '8080/TCP');
  });

  test('the backend reaches the world on 443 only by name', () => {
    expect(app()).toDeny('pod:shop:app=backend', 'cidr:203.0.113.10', '443/TCP');
  });

  test('the synthesized YAML is what was reviewed', () => {
    // The first run writes test/__snapshots__/; commit it. After an intended change: npx vitest run -u
    expect(app().charts.map((chart) => Testing.synth(chart))).toMatchSnapshot();
  });
});
`,
    'README.md': `# ${name}

Cilium network policies as code, with [cdk8s](https://cdk8s.io) and cdk8s-cilium.

\`\`\`bash
npm install
npm run synth     # writes dist/shop.k8s.yaml (or lists every problem and writes nothing)
npm test          # type-check, then the policy tests in test/
\`\`\`

Edit \`policies.ts\`. \`test/policies.test.ts\` checks the policies against the real CRD schema of the Cilium version set with
\`CiliumVersion.use\` (\`toBeValidCilium()\`, bundled with cdk8s-cilium: nothing to download) and asks the verdict engine
which connections they allow (\`toAllow\`, \`toDeny\`). \`npx cdk8s-cilium trace --policies dist/ --from pod:shop:app=frontend
--to pod:shop:app=backend --port 8080/TCP\` explains a verdict.
`,
    '.gitignore': 'node_modules/\n',
  };
}

/**
 * Writes the scaffold into `dir` (created if needed).
 * @param packageDir where this package is installed (`packageDirectory()`): the scaffold depends on it as the project that installed it names it
 *   when that is a local tarball or folder (see `localPackageSpec`)
 * @param script the path the command was started by, as given (`process.argv[1]`): below the app's `node_modules` when
 *   npm linked the package there from a folder
 * @returns the paths written, relative to `dir`
 * @throws CiliumPolicyError when `dir` is a file, or holds a scaffold file and `force` is not set
 */
export function initApp(dir: string, options: InitOptions = {}, packageDir: string | undefined = packageDirectory(),
  script: string | undefined = process.argv[1]): string[] {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new CiliumPolicyError({
      id: 'init-not-a-folder',
      message: `${dir} is a file, not a folder`,
      fix: 'give init a new or empty folder: npx cdk8s-cilium init my-policies',
    });
  }
  const name = options.name ?? npmName(basename(root));
  // A name npm refuses would only fail at `npm install`, after the files are written.
  if (name.length > 214 || !/^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name)) {
    throw new CiliumPolicyError({
      id: 'init-name',
      message: `--name ${JSON.stringify(name)} is not an npm package name`,
      fix: `use lower-case letters, digits, -, . and _ (optionally @scope/name), e.g. --name ${npmName(name)}`,
    });
  }
  const files = scaffoldFiles(name, packageDir === undefined ? undefined : localPackageSpec(packageDir, root, script));
  // A symbolic link among the paths written (a dangling one too, which existsSync calls absent) would be written through,
  // to wherever it points, even without --force: refused, with --force as well.
  const links = [...new Set(Object.keys(files).flatMap((f) => f.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))))]
    .filter((f) => isSymbolicLink(join(root, f)));
  if (links.length > 0) {
    throw new CiliumPolicyError({
      id: 'init-symbolic-link',
      message: `${dir} has ${links.join(', ')} as a symbolic link: init would write through it, to wherever it points`,
      fix: 'remove the link, or give init a new or empty folder (npx cdk8s-cilium init my-policies)',
    });
  }
  // What is in the way is found before anything is written: a folder (or a FIFO) where a file goes, a file where a folder goes;
  // before the overwrite check, whose fix (--force) cannot get past it.
  const blocked = Object.keys(files).flatMap((f) => {
    const parts = f.split('/');
    const dirs = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    const file = dirs.find((d) => !['none', 'directory'].includes(kindOf(join(root, d))));
    if (file !== undefined) return [`${file} (not a folder)`];
    const kind = kindOf(join(root, f));
    return kind === 'other' || kind === 'directory' ? [`${f} (${kind === 'directory' ? 'a folder' : 'not a regular file'})`] : [];
  });
  if (blocked.length > 0) {
    throw new CiliumPolicyError({
      id: 'init-in-the-way',
      message: `${dir} has ${[...new Set(blocked)].join(', ')} where the scaffold writes; nothing was written`,
      fix: 'remove or rename it, or give init a new or empty folder (npx cdk8s-cilium init my-policies)',
    });
  }
  const existing = Object.keys(files).filter((f) => existsSync(join(root, f)));
  if (existing.length > 0 && !options.force) {
    throw new CiliumPolicyError({
      id: 'init-would-overwrite',
      message: `${dir} already has ${existing.join(', ')}`,
      fix: 'give init a new or empty folder (npx cdk8s-cilium init my-policies), or pass --force to overwrite these files',
    });
  }
  // Written in two steps, so that a failure (no space, no permission) leaves no half scaffold: every file beside its target
  // under a temporary name, then each renamed into place.
  const written: string[] = [];
  try {
    for (const [file, text] of Object.entries(files)) {
      makeDirectories(dirname(join(root, file)), 'give init a folder you can write to: npx cdk8s-cilium init my-policies');
      const temporary = `${join(root, file)}.${process.pid}.init-tmp`;
      writeFileSync(temporary, text, { flag: 'wx' });
      written.push(temporary);
    }
  } catch (e) {
    for (const t of written) rmSync(t, { force: true });
    if (e instanceof CiliumPolicyError) throw e;
    throw new CiliumPolicyError({
      id: 'init-write',
      message: `cannot write the scaffold into ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; nothing was written`,
      fix: 'give init a folder you can write to: npx cdk8s-cilium init my-policies',
    });
  }
  for (const [i, file] of Object.keys(files).entries()) renameSync(written[i], join(root, file));
  return Object.keys(files);
}

/**
 * The dependency the scaffold at `appRoot` names this package by, when the project that installed it (`installingProject`:
 * an app, or the npx cache of `npx --package <tarball>`) installed it from a local tarball or folder: `file:` and the path
 * of that tarball or folder from `appRoot`. The package is not on the npm registry, so the default, `^<version>`, made the
 * `npm install` the scaffold says to run next fail with a 404.
 * Undefined when it came from a registry, a URL or git, when that path no longer exists, when the project's package.json
 * is no regular file (a FIFO would block the read for ever), or when run from the sources.
 * @param script the path the command was started by, as given (`process.argv[1]`, not resolved through links)
 */
function localPackageSpec(packageDir: string, appRoot: string, script: string | undefined = process.argv[1]): string | undefined {
  const project = installingProject(packageDir, script);
  if (project === undefined) return undefined;
  const file = join(project, 'package.json');
  if (kindOf(file) !== 'file') return undefined;
  let spec: unknown;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    spec = manifest.dependencies?.['cdk8s-cilium'] ?? manifest.devDependencies?.['cdk8s-cilium'];
  } catch {
    return undefined;
  }
  if (typeof spec !== 'string') return undefined;
  const path = spec.startsWith('file:') ? spec.slice('file:'.length) : /^(\.{1,2}\/|\/)/.test(spec) ? spec : undefined;
  if (path === undefined || path === '') return undefined;
  const target = resolve(project, path);
  if (!existsSync(target)) return undefined;
  return `file:${relative(appRoot, target).split(sep).join('/')}`;
}

/**
 * The project whose `node_modules/cdk8s-cilium` is this package (`packageDir`, the same folder once links are resolved):
 * the folder above the `node_modules` nearest above `packageDir`, or above the path the command was started by. npm
 * unpacks a tarball into `node_modules/cdk8s-cilium`, but links a `file:` folder there (`-> ../../cdk8s-cilium`), and Node
 * runs the link's target, so `packageDir` (found from `__dirname`) is then the folder itself, under no `node_modules`; the
 * command's path as given (`<app>/node_modules/.bin/cdk8s-cilium`) still is.
 */
function installingProject(packageDir: string, script: string | undefined): string | undefined {
  const real = realPath(packageDir);
  if (real === undefined) return undefined;
  for (const from of script === undefined ? [packageDir] : [packageDir, script]) {
    for (let dir = dirname(resolve(from)); dir !== dirname(dir); dir = dirname(dir)) {
      if (basename(dir) !== 'node_modules') continue;
      if (realPath(join(dir, 'cdk8s-cilium')) === real) return dirname(dir);
      break;
    }
  }
  return undefined;
}

/** `path` with its links resolved; undefined when it does not exist. */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** What is at `path`: nothing, a regular file, a folder, or something else (a FIFO, a socket, a device). */
function kindOf(path: string): 'none' | 'file' | 'directory' | 'other' {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'none';
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A valid npm package name made from a folder name. */
function npmName(folder: string): string {
  // Without the dots, underscores and dashes opening it and the dashes ending it, in one pass each (`trimRuns`).
  const slug = folder.toLowerCase().replace(/[^a-z0-9._~-]+/g, '-');
  const name = trimRuns(trimRuns(slug, (c) => c === 0x2e || c === 0x5f || c === 0x2d, 'start'), (c) => c === 0x2d, 'end');
  return name || 'cilium-policies';
}

/** Adds the `init` command to a program. */
export function addInitCommand(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command('init')
    .description('scaffold a cdk8s app with a starter policy set and tests (offline)')
    .argument('[dir]', 'the folder to create the app in', '.')
    .option('--name <name>', 'the npm package name (default: the folder name)')
    .option('--force', 'overwrite existing files')
    .action((dir: string, opts: { name?: string; force?: boolean }) => {
      const written = initApp(dir, { name: opts.name, force: opts.force });
      const where = relative(process.cwd(), resolve(dir)) || '.';
      io.stdout(`created ${written.length} files in ${withoutControls(where)}/: ${written.join(', ')}\n`);
      io.stdout(`next: ${where === '.' ? '' : `cd ${withoutControls(shellWord(where))} && `}npm install && npm run synth && npm test\n`);
      done(EXIT.allowed);
    });
}

/**
 * `path` as one word of a POSIX shell, for the command `init` prints to copy: as it is when it holds only characters no
 * shell reads specially, else in single quotes (a quote as `'\''`). Unquoted, `cd My Policies && …` fails (two
 * arguments), and a folder named `x;rm -rf ~` would be a second command. A path starting with `-` is given as `./-…`.
 */
function shellWord(path: string): string {
  // `cd -` goes to $OLDPWD (npm would run there), `cd -y` is an option: a leading `-` is made `./-`.
  const word = path.startsWith('-') ? `./${path}` : path;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
