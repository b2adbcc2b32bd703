// `cdk8s-cilium init` in-process. The scaffold's own checks (type-check, synth, its vitest run against the installed
// package) run in test/package.test.ts; here: the command's behaviour, and the starter policies behave as their tests say.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Testing } from 'cdk8s';
import { afterAll, describe, expect, test } from 'vitest';
import { cli } from '../support/cli';
import { initApp, scaffoldFiles } from '../../src/cli/init';

const PROJECT = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('cdk8s-cilium init', () => {
  // Session 51 review: the templates said `npx cdk8s synth` does on failure what `npm run synth` does; cdk8s-cli's synth
  // deletes the output directory before it runs the app (lib/cli/cmds/synth.js, fs.rmSync(outdir, …)).
  test('cdk8s.yaml and main.ts say that npx cdk8s synth deletes dist/ before it runs the app, npm run synth does not', () => {
    const files = scaffoldFiles('x');
    expect(readFileSync(join(PROJECT, 'node_modules', 'cdk8s-cli', 'lib', 'cli', 'cmds', 'synth.js'), 'utf8')).toContain('fs.rmSync(outdir,');
    for (const f of ['cdk8s.yaml', 'main.ts']) {
      expect(files[f], f).not.toContain('does the same without the cdk8s CLI');
      expect(files[f], f).toMatch(/`npm run synth` leaves the previous dist\/\s*(# |\/\/ )?as it was/);
      expect(files[f], f).toMatch(/`npx cdk8s synth` deletes dist\/ before it runs the app/);
    }
  });

  test('the command it prints to copy takes the folder as one shell word, whatever its name (session 46)', () => {
    // Before: `next: cd …/x;false && npm install …` ran `false` when pasted (any command a folder name holds), `cd …/$(echo y)`
    // went to …/y, and `cd …/it's` left a quote open; `cd -` went to $OLDPWD (npm install ran there), `cd -x` was an
    // option. The commands here leave no trace when run. Each folder is given relative to the working directory, as typed.
    const names = ['x;false', "it's", '$(echo y)', 'My Policies', 'plain-1.0', '-', '-x'];
    const words = join(scratch, 'words');
    mkdirSync(words);
    const cwd = process.cwd();
    process.chdir(words);
    try {
      for (const name of names) {
        const r = cli('init', '--', name);
        expect(r.code, name).toBe(0);
        const cd = /^next: (cd .*) && npm install && npm run synth && npm test$/.exec(r.stdout.split('\n')[1])?.[1];
        expect(cd, name).toBeDefined();
        const pwd = execFileSync('sh', ['-c', `${cd} && pwd -P`], { cwd: words, encoding: 'utf8', env: { ...process.env, OLDPWD: scratch } });
        expect(pwd, name).toBe(`${realpathSync(join(words, name))}\n`);
      }
    } finally {
      process.chdir(cwd);
    }
    expect(readdirSync(words).sort()).toEqual([...names].sort());
  });

  // Session 54: the package is not on the npm registry; installed from its tarball, init wrote `"cdk8s-cilium": "^1.0.0"`,
  // and the `npm install` it says to run next failed with a 404. The starter now names the tarball (or folder) the
  // project that installed the package names, by its path from the starter; a registry range stays a registry range.
  describe('the starter depends on cdk8s-cilium as the project that installed it does', () => {
    const layout = (name: string, spec: string | undefined, tarball = 'dl/cdk8s-cilium-1.0.0.tgz'): { project: string; packageDir: string } => {
      const project = join(scratch, 'installs', name);
      const packageDir = join(project, 'node_modules', 'cdk8s-cilium');
      mkdirSync(packageDir, { recursive: true });
      mkdirSync(join(scratch, 'installs', 'dl'), { recursive: true });
      writeFileSync(join(scratch, 'installs', tarball), 'tarball');
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name, dependencies: spec === undefined ? {} : { 'cdk8s-cilium': spec } }));
      return { project, packageDir };
    };
    const starterDependency = (packageDir: string, app: string, script?: string): string => {
      initApp(app, {}, packageDir, script);
      return (JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['cdk8s-cilium'];
    };
    test.each([
      ['a tarball, file: and relative', 'file:../dl/cdk8s-cilium-1.0.0.tgz', 'file:../../dl/cdk8s-cilium-1.0.0.tgz'],
      ['a tarball, a bare relative path', '../dl/cdk8s-cilium-1.0.0.tgz', 'file:../../dl/cdk8s-cilium-1.0.0.tgz'],
      ['a registry range', '^1.0.0', '^1.0.0'],
      ['a tarball that is gone', 'file:../dl/gone.tgz', '^1.0.0'],
      ['no dependency on it (npx --package of a registry version)', undefined, '^1.0.0'],
    ])('%s', (name, spec, expected) => {
      const { project, packageDir } = layout(name.replace(/\W+/g, '-'), spec);
      expect(starterDependency(packageDir, join(project, 'starter')).replace(/\^\d+\.\d+\.\d+.*/, '^1.0.0')).toBe(expected);
    });
    // Review mend (session 54): npm links a `file:` folder into node_modules (`cdk8s-cilium -> ../../dl`) and Node runs the
    // link's target, so the package found itself in dl/, under no node_modules, and the starter said `^1.0.0`. The app is
    // found from the command's path as given (`<app>/node_modules/.bin/cdk8s-cilium`).
    test('a folder, as npm writes it: a link in node_modules, the package run from its target', () => {
      const project = join(scratch, 'installs', 'folder-linked');
      const folder = join(scratch, 'installs', 'dl-folder');
      mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
      mkdirSync(join(folder, 'lib', 'cli'), { recursive: true });
      writeFileSync(join(folder, 'lib', 'cli', 'main.js'), '');
      symlinkSync('../../dl-folder', join(project, 'node_modules', 'cdk8s-cilium'));
      symlinkSync('../cdk8s-cilium/lib/cli/main.js', join(project, 'node_modules', '.bin', 'cdk8s-cilium'));
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'cdk8s-cilium': 'file:../dl-folder' } }));
      const packageDir = realpathSync(join(project, 'node_modules', 'cdk8s-cilium'));
      expect(starterDependency(packageDir, join(project, 'starter'), join(project, 'node_modules', '.bin', 'cdk8s-cilium'))).toBe('file:../../dl-folder');
      expect(starterDependency(packageDir, join(project, 'starter-2'), join(project, 'node_modules', 'cdk8s-cilium', 'lib', 'cli', 'main.js')))
        .toBe('file:../../dl-folder');
      // A command run from another project's node_modules, where cdk8s-cilium is not this folder: the registry range.
      const other = layout('other-project', 'file:../dl/cdk8s-cilium-1.0.0.tgz');
      expect(starterDependency(packageDir, join(project, 'starter-3'), join(other.project, 'node_modules', '.bin', 'cdk8s-cilium'))).toMatch(/^\^\d/);
    });
    // Review mend (session 54): the project's package.json was read with no check of what it is: a FIFO blocked init for ever.
    test('a package.json that is a FIFO is not read: the registry range, no hang', () => {
      const { project, packageDir } = layout('fifo-manifest', 'file:../dl/cdk8s-cilium-1.0.0.tgz');
      rmSync(join(project, 'package.json'));
      execFileSync('mkfifo', [join(project, 'package.json')]);
      expect(starterDependency(packageDir, join(project, 'starter'))).toMatch(/^\^\d/);
    });
    test('from an absolute path, and into a folder elsewhere', () => {
      const { packageDir } = layout('absolute', `file:${join(scratch, 'installs', 'dl', 'cdk8s-cilium-1.0.0.tgz')}`);
      expect(starterDependency(packageDir, join(scratch, 'another-place', 'app'))).toBe('file:../../installs/dl/cdk8s-cilium-1.0.0.tgz');
    });
    test('run from the sources (not below a node_modules), the registry range', () => {
      expect(starterDependency(PROJECT, join(scratch, 'from-sources'))).toMatch(/^\^\d+\.\d+\.\d+/);
    });
  });

  test('writes the scaffold into a new folder and says what to run next', () => {
    const dir = join(scratch, 'My Policies');
    const r = cli('init', dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created 10 files in .*My Policies\/: package\.json, cdk8s\.yaml, tsconfig\.json, vitest\.config\.mts, test\/setup\.ts, /);
    // The folder is one shell word: `cd My Policies` would fail (session 46).
    expect(r.stdout).toMatch(/\nnext: cd '.*My Policies' && npm install && npm run synth && npm test\n$/);
    for (const f of Object.keys(scaffoldFiles('x'))) expect(existsSync(join(dir, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const own = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
    expect(pkg.name).toBe('my-policies');
    expect(pkg.dependencies['cdk8s-cilium']).toBe(`^${own.version}`);
    expect(pkg.devDependencies.vitest).toBe(`^${own.devDependencies.vitest}`);
    expect(readFileSync(join(dir, 'test', 'setup.ts'), 'utf8')).toContain("import 'cdk8s-cilium/vitest';");
  });

  test('a folder that cannot be made is one line (output-folder), not a hang: /proc/x, below a file, a dangling link', () => {
    // Node 20's mkdirSync(…, { recursive: true }) never returns for /proc/x (ENOENT below an existing parent).
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    const dangling = join(scratch, 'dangling');
    symlinkSync(join(scratch, 'no-such-target'), dangling);
    for (const [dir, why] of [['/proc/x', 'the system does not let a folder be made there'], [join(file, 'sub'), 'a file or a link is in the way'],
      [dangling, 'a file or a link is in the way']]) {
      const r = cli('init', dir);
      expect(r.code, dir).toBe(2);
      expect(r.stderr, dir).toMatch(new RegExp(`^error: cannot make the folder .*: ${why} \\(output-folder\\); fix: give init a folder you can write to`));
    }
    // A folder several levels down that does not exist yet is made.
    expect(cli('init', join(scratch, 'a', 'b', 'c')).code).toBe(0);
  });

  test('what is in the way is refused before anything is written, --force or not: a folder or FIFO where a file goes, a file where a folder goes', () => {
    for (const [name, make, what] of [
      ['folder', (d: string) => mkdirSync(join(d, 'policies.ts')), 'policies.ts (a folder)'],
      ['fifo', (d: string) => execFileSync('mkfifo', [join(d, 'main.ts')]), 'main.ts (not a regular file)'],
      ['file', (d: string) => writeFileSync(join(d, 'test'), 'x'), 'test (not a folder)'],
    ] as const) {
      const dir = join(scratch, `in-the-way-${name}`);
      mkdirSync(dir);
      make(dir);
      const before = readdirSync(dir);
      // Without --force too (session 50): a folder or FIFO where a file goes was `init-would-overwrite`, whose fix said
      // "pass --force to overwrite these files", and --force then stopped at `init-in-the-way`.
      for (const force of [['--force'], []]) {
        const r = cli('init', dir, ...force);
        expect(r.code, `${name} ${force.join(' ')}`).toBe(2);
        expect(r.stderr, `${name} ${force.join(' ')}`).toBe(`error: ${dir} has ${what} where the scaffold writes; nothing was written (init-in-the-way); `
          + 'fix: remove or rename it, or give init a new or empty folder (npx cdk8s-cilium init my-policies)\n');
        expect(readdirSync(dir), name).toEqual(before);
      }
    }
  });

  test('a write that fails half-way leaves no half scaffold', () => {
    const dir = join(scratch, 'half');
    mkdirSync(dir);
    // The temporary name of the sixth file is taken: the first five are written, then removed.
    writeFileSync(join(dir, `policies.ts.${process.pid}.init-tmp`), 'taken');
    const r = cli('init', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write the scaffold into .*half: EEXIST; nothing was written \(init-write\)/);
    expect(readdirSync(dir).sort()).toEqual([`policies.ts.${process.pid}.init-tmp`, 'test']);
    expect(readdirSync(join(dir, 'test'))).toEqual([]);
  });

  test('never overwrites without --force', () => {
    const dir = join(scratch, 'twice');
    expect(cli('init', dir).code).toBe(0);
    writeFileSync(join(dir, 'policies.ts'), '// mine\n');
    const r = cli('init', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*twice already has package\.json, cdk8s\.yaml, .* \(init-would-overwrite\); fix: give init a new or empty folder/);
    expect(readFileSync(join(dir, 'policies.ts'), 'utf8')).toBe('// mine\n');
    expect(cli('init', dir, '--force', '--name', 'shop-policies').code).toBe(0);
    expect(readFileSync(join(dir, 'policies.ts'), 'utf8')).toContain('buildPolicies');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toContain('"name": "shop-policies"');
  });

  test('a --name npm refuses is exit 2 before anything is written (npm install would fail on it)', () => {
    for (const [name, suggestion] of [['', 'cilium-policies'], ['Bad Name', 'bad-name'], ['../x', 'x'], ['a\nb', 'a-b']]) {
      const dir = join(scratch, 'bad-name');
      const r = cli('init', dir, '--name', name);
      expect(r.code, JSON.stringify(name)).toBe(2);
      expect(r.stderr).toContain(`is not an npm package name (init-name); fix: use lower-case letters, digits, -, . and _ (optionally @scope/name), e.g. --name ${suggestion}`);
      expect(existsSync(dir)).toBe(false);
    }
    expect(cli('init', join(scratch, 'scoped'), '--name', '@team/policies').code).toBe(0);
  });

  test('a symbolic link among the paths it writes (dangling or not, a file or a folder) is refused, with --force too; nothing is written', () => {
    const target = join(scratch, 'elsewhere');
    mkdirSync(target);
    for (const [what, link, to] of [['dangling main.ts', 'main.ts', join(target, 'created-through-link.ts')], ['test folder', 'test', target]] as const) {
      const dir = join(scratch, `linked-${link}`);
      mkdirSync(dir);
      symlinkSync(to, join(dir, link));
      for (const force of [[], ['--force']]) {
        const r = cli('init', dir, ...force);
        expect(r.code, what).toBe(2);
        expect(r.stderr, what).toMatch(new RegExp(`has ${link} as a symbolic link: init would write through it, to wherever it points \\(init-symbolic-link\\)`));
      }
      expect(existsSync(join(dir, 'package.json')), what).toBe(false);
    }
    expect(existsSync(join(target, 'created-through-link.ts'))).toBe(false);
    expect(existsSync(join(target, 'setup.ts'))).toBe(false);
  });

  test('a file is not a folder', () => {
    const file = join(scratch, 'file.txt');
    writeFileSync(file, 'x');
    expect(cli('init', file)).toMatchObject({ code: 2, stderr: expect.stringMatching(/file\.txt is a file, not a folder \(init-not-a-folder\)/) });
  });

  test('the starter policies are valid and allow what their tests say', async () => {
    const dir = join(scratch, 'starter-src');
    cli('init', dir);
    const source = readFileSync(join(dir, 'policies.ts'), 'utf8')
      .replace("from 'cdk8s-cilium'", `from ${JSON.stringify(join(PROJECT, 'src'))}`)
      .replace("from 'cdk8s'", `from ${JSON.stringify(join(PROJECT, 'node_modules', 'cdk8s'))}`);
    writeFileSync(join(dir, 'policies.ts'), source);
    const { buildPolicies } = (await import(join(dir, 'policies.ts'))) as { buildPolicies: (app: App) => unknown };
    const app = Testing.app();
    buildPolicies(app);
    expect(app).toBeValidCilium();
    expect(app).toAllow('pod:shop:app=frontend', 'pod:shop:app=backend', '8080/TCP');
    expect(app).toDeny('pod:shop:app=frontend', 'pod:shop:app=backend', '9090/TCP');
    expect(app).toDeny('pod:shop:app=other', 'pod:shop:app=backend', '8080/TCP');
    expect(app).toDeny('pod:web:app=frontend', 'pod:shop:app=backend', '8080/TCP');
    expect(app).toDeny('pod:shop:app=backend', 'cidr:203.0.113.10', '443/TCP');
  });
});
