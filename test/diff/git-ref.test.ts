// `cdk8s-cilium diff --base <git-ref>`: the --head paths read at a ref of a temporary git repository (git is spawned:
// an E2E test). The CLI runs in-process with the repository as the working directory.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { readAtGitRef } from '../../src/cli/git-ref';
import { nestingDepthError } from '../../src/model/nesting-depth';
import { cliAsync } from '../support/cli';
import { webToApi } from './support';

// Each test gets a repository of its own (a test commits, tags and links in it): the tests pass alone and in any order.
// The repository is made once per file (`template`: four git processes) and copied for each test, .git included.
let repo = '';
let template = '';
const cwd = process.cwd();

const policy = (ports: readonly number[]): string => webToApi(ports);

function git(...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'ignore' });
}

const cli = cliAsync;

beforeAll(() => {
  template = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-git-template-'));
  repo = template;
  mkdirSync(join(repo, 'policies', 'prod'), { recursive: true });
  writeFileSync(join(repo, 'policies', 'prod', 'api.yaml'), policy([8080]));
  writeFileSync(join(repo, 'policies', 'README.md'), 'not a manifest');
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  git('tag', 'v1');
  repo = '';
});

afterAll(() => {
  rmSync(template, { recursive: true, force: true });
});

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-git-'));
  cpSync(template, repo, { recursive: true });
  // The working tree: a port opened.
  writeFileSync(join(repo, 'policies', 'prod', 'api.yaml'), policy([8080, 9090]));
  process.chdir(repo);
});

afterEach(() => {
  process.chdir(cwd);
  rmSync(repo, { recursive: true, force: true });
});

describe('diff --base <git-ref>', () => {
  // Session 47: the files at the ref are charged to the run's budget of YAML values with the --head files (read first).
  test('the files at the ref count to the run\'s YAML values (--max-yaml-values): past it exit 2 at the file, nothing on stdout', async () => {
    const values = (text: string): number => {
      const counted = { values: 0 };
      expect(nestingDepthError(text, 100, Infinity, counted)).toBeUndefined();
      return counted.values;
    };
    const head = values(policy([8080, 9090]));
    const base = values(policy([8080]));
    const file = join('policies', 'prod', 'api.yaml');
    const over = await cli('diff', '--base', 'main', '--head', file, '--max-yaml-values', String(head + base - 1));
    expect([over.code, over.stdout, over.stderr]).toEqual([2, '', `error: main:policies/prod/api.yaml: the inputs of this run hold more than ${head + base - 1} `
      + `YAML values: ${head} in the inputs read before this one, ${base} in it; nothing is judged (input-values-budget); fix: give fewer or smaller inputs `
      + `(10,000 policies are about 300,000 values), or raise the limit (--max-yaml-values ${head + base} or more)\n`]);
    const exact = await cli('diff', '--base', 'main', '--head', file, '--max-yaml-values', String(head + base));
    expect([exact.code, exact.stderr]).toEqual([0, '']);
    expect(exact.stdout).toContain('+ prod/app=web → prod/app=api 9090/TCP');
  });

  test('reads the --head paths at the ref: the change of the working tree', async () => {
    const r = await cli('diff', '--base', 'main', '--head', 'policies', '--output', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    type Doc = { base: { source: string; policies: number }; changes: { from: string; to: string; ports: string[]; after: string }[] };
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.base).toEqual({ source: 'main:policies', policies: 1 });
    expect(doc.changes.map((c) => [c.from, c.to, c.ports, c.after])).toEqual([['prod/app=web', 'prod/app=api', ['9090/TCP'], 'allowed']]);
  });

  test('a tag, a file path, and --fail-on', async () => {
    const r = await cli('diff', '--base', 'v1', '--head', join('policies', 'prod', 'api.yaml'), '--fail-on', 'allowed');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('+ prod/app=web → prod/app=api 9090/TCP');
  });

  test('no --head path exists at the ref: exit 2 (an empty base would make --fail-on meaningless); some missing: a warning', async () => {
    writeFileSync(join(repo, 'policies', 'extra.yaml'), webToApi([7070], { name: 'extra' }).replace('app: api', 'app: extra'));
    const none = await cli('diff', '--base', 'main', '--head', join('policies', 'extra.yaml'), '--fail-on', 'allowed');
    const some = await cli('diff', '--base', 'main', '--head', join('policies', 'prod'), join('policies', 'extra.yaml'), '--output', 'json');
    rmSync(join(repo, 'policies', 'extra.yaml'));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: --base main: policies\/extra\.yaml does not exist at main, so there is no base to compare with .*fix: commit the synthesized policies, or synthesize the base in a worktree/);
    // Not read as the first policies (as an empty file given as --base is): a path never committed would hide every widening.
    expect(none.stderr).toMatch(/ \(policies never committed would read as none, and every widening of the head as no change\) \(diff-git-ref\); fix: .*; if the change adds the first policies, give --base an empty file\n$/);
    expect(some.code).toBe(0);
    expect(some.stderr).toBe('warning: --base main: policies/extra.yaml does not exist at main; read as no policies\n');
    const doc = JSON.parse(some.stdout) as { base: { policies: number }; summary: { newlyDenied: number } };
    expect(doc.base.policies).toBe(1);
    expect(doc.summary.newlyDenied).toBeGreaterThan(0); // default deny now applies to prod/app=extra
  });

  test('the warning of a --head path missing at the ref is one printable line (session 56): a name holding a newline, ESC, U+202E', async () => {
    // Before, the path was printed raw: its newline started a line of its own, a GitHub Actions workflow command in a CI log.
    const name = 'n\n::error::forged\u202e\u001b[31mw.yaml';
    writeFileSync(join(repo, 'policies', name), webToApi([7070], { name: 'extra' }).replace('app: api', 'app: extra'));
    const r = await cli('diff', '--base', 'main', '--head', join('policies', 'prod'), join('policies', name), '--output', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: --base main: policies/n\ufffd::error::forged\ufffd\ufffd[31mw.yaml does not exist at main; read as no policies\n');
  });

  test('a --head glob is refused at a git ref, never read as a name that does not exist there (a base without its policies)', async () => {
    // The glob names the changed policy (9090 opened); beside a path that exists at the ref, it was a warning and a base
    // without the policies it matches.
    for (const head of [['policies/prod/*.yaml'], ['policies/{prod,dev}', 'policies/prod']]) {
      const r = await cli('diff', '--base', 'main', '--head', ...head, '--fail-on', 'allowed');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^error: --head ${head[0].replace(/[*{}]/g, '\\$&')} is a glob, which is not expanded at a git ref: the base \\(--base main\\) `
        + 'would miss the policies it matches \\(diff-git-ref\\); fix: give --head the directories or files themselves \\(dist/, not dist/\\*\\.yaml\\)'));
    }
    // A path that exists is a path, whatever its characters (as the input reader reads it).
    mkdirSync(join(repo, 'policies', '[x]'));
    writeFileSync(join(repo, 'policies', '[x]', 'a.yaml'), policy([8080]));
    const literal = await cli('diff', '--base', 'main', '--head', 'policies/[x]', 'policies/prod', '--fail-on', 'allowed');
    rmSync(join(repo, 'policies', '[x]'), { recursive: true });
    expect(literal.stderr).not.toMatch(/is a glob/);
  });

  test('hidden folders are read at the ref as in the working tree (kubectl apply -R applies them); node_modules is not', async () => {
    // On a branch of its own (main and v1 stay as the other tests read them): a policy opening app=api to the world in
    // policies/.extra/, and one in node_modules, committed; the working tree keeps them.
    git('checkout', '-q', '-b', 'hidden');
    mkdirSync(join(repo, 'policies', '.extra'), { recursive: true });
    mkdirSync(join(repo, 'policies', 'node_modules'), { recursive: true });
    const open = policy([8080]).replace('name: api', 'name: open').replace(/fromEndpoints: .*$/m, 'fromEntities: [world]');
    writeFileSync(join(repo, 'policies', '.extra', 'Open.YAML'), open);
    writeFileSync(join(repo, 'policies', 'node_modules', 'x.yaml'), open.replace('name: open', 'name: ignored'));
    git('add', join('policies', '.extra'), join('policies', 'node_modules'));
    git('commit', '-q', '-m', 'hidden');
    try {
      const r = await cli('diff', '--base', 'hidden', '--head', 'policies', '--output', 'json');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as { base: { policies: number }; changes: { from: string; ports: string[] }[] };
      // Both sides read .extra/Open.YAML (2 policies) and leave out node_modules: the only change is the working tree's 9090.
      expect(doc.base.policies).toBe(2);
      expect(doc.changes.map((c) => [c.from, c.ports])).toEqual([['prod/app=web', ['9090/TCP']]]);
    } finally {
      git('checkout', '-q', 'main');
      rmSync(join(repo, 'policies', '.extra'), { recursive: true, force: true });
      rmSync(join(repo, 'policies', 'node_modules'), { recursive: true, force: true });
    }
  });

  test('the files at a ref are read through one cat-file batch: contents that look like batch answers, empty, binary, too large', () => {
    git('checkout', '-q', '-b', 'batch');
    const dir = join(repo, 'batch');
    mkdirSync(dir, { recursive: true });
    const api = policy([8080]);
    writeFileSync(join(dir, 'a.yaml'), api);
    const oid = execFileSync('git', ['hash-object', join(dir, 'a.yaml')], { cwd: repo }).toString('utf8').trim();
    // Lines that read as the answer of the batch for a.yaml (and a missing object), with and without a last newline.
    const forged = [`${oid} blob ${Buffer.byteLength(api)}\n${api}\n`, `# x\n${oid} missing\n${oid} blob 3\nabc`];
    writeFileSync(join(dir, 'b.yaml'), forged[0]);
    writeFileSync(join(dir, 'c.yaml'), forged[1]);
    writeFileSync(join(dir, 'd.yaml'), '');
    writeFileSync(join(dir, 'e.yaml'), Buffer.from([0x61, 0x00, 0x62]));
    writeFileSync(join(dir, 'f.yaml'), 'x'.repeat(2000));
    git('add', 'batch');
    git('commit', '-q', '-m', 'batch');
    try {
      const read = readAtGitRef('batch', ['batch'], repo, 1000);
      expect(read.files).toEqual([
        { file: 'batch:batch/a.yaml', text: api }, { file: 'batch:batch/b.yaml', text: forged[0] }, { file: 'batch:batch/c.yaml', text: forged[1] },
        { file: 'batch:batch/d.yaml', text: '' },
      ]);
      expect(read.problems.map((p) => [p.file, p.problem.id])).toEqual([['batch:batch/e.yaml', 'input-binary'], ['batch:batch/f.yaml', 'input-too-large']]);
      expect([read.missing, read.notRead]).toEqual([[], []]);
    } finally {
      git('checkout', '-q', 'main');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a ref that does not exist: exit 2 with a clear message', async () => {
    const r = await cli('diff', '--base', 'origin/nope', '--head', 'policies');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --base origin\/nope is neither an existing file or directory nor a commit of the git repository/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // A blank ref quoted (flagWithValue): `--base   is neither` read as no value.
    const blank = await cli('diff', '--base', ' ', '--head', 'policies');
    expect(blank.code).toBe(2);
    expect(blank.stderr).toMatch(/^error: --base " " is neither an existing file or directory nor a commit/);
  });

  // Session 57: in a shallow clone (actions/checkout's default, fetch-depth 1) `--base HEAD~1` or a base branch not fetched
  // is no commit; the fix said only `git fetch origin main`, which leaves HEAD~1 missing. It now names the shallow clone and
  // `git fetch --unshallow`; a full clone keeps the fetch of the ref.
  test('a ref missing from a shallow clone: the refusal names the shallow clone and git fetch --unshallow', async () => {
    git('commit', '-q', '-a', '-m', 'head');
    const clone = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-shallow-'));
    try {
      execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, clone], { stdio: 'ignore' });
      process.chdir(clone);
      const shallow = await cli('diff', '--base', 'HEAD~1', '--head', 'policies');
      expect([shallow.code, shallow.stdout]).toEqual([2, '']);
      expect(shallow.stderr).toBe('error: --base HEAD~1 is neither an existing file or directory nor a commit of the git repository in the working '
        + 'directory (a shallow clone: it holds only the history fetched, as actions/checkout fetches one commit by default) (diff-git-ref); '
        + 'fix: check the ref\'s spelling (git branch -a), or fetch the history first: git fetch --unshallow (or actions/checkout with fetch-depth: 0), '
        + 'then give a git ref such as origin/main; or give the base policy files\n');
      // A misspelt ref in a shallow clone: the spelling is named beside the fetch of the history.
      const typo = await cli('diff', '--base', 'orign/main', '--head', 'policies');
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain('fix: check the ref\'s spelling (git branch -a), or fetch the history first: git fetch --unshallow');
      process.chdir(repo);
      const full = await cli('diff', '--base', 'HEAD~5', '--head', 'policies');
      expect(full.code).toBe(2);
      expect(full.stderr).toContain('(fetch it first: git fetch origin main)');
      expect(full.stderr).not.toContain('shallow');
      // The ref the shallow clone holds is read.
      process.chdir(clone);
      expect((await cli('diff', '--base', 'HEAD', '--head', 'policies')).code).toBe(0);
    } finally {
      process.chdir(repo);
      rmSync(clone, { recursive: true, force: true });
    }
  });

  test('outside any git repository the refusal says so, and does not tell to fetch a ref', () => {
    const outside = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-no-repo-'));
    try {
      expect(() => readAtGitRef('origin/main', ['policies'], outside, 1000)).toThrow(
        /--base origin\/main is not an existing file or directory, and cannot be a git ref: .* is not inside a git repository \(diff-git-ref\)\s+fix: .*run diff inside the repository's checkout/,
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test('a --base that is both a path of the working tree and a ref is refused: a pull request cannot make its own policies the base', async () => {
    // The pull request adds main/ holding the working tree's policies: read as the base, the diff would be empty and
    // --fail-on allowed would pass on the 9090 it opens.
    mkdirSync(join(repo, 'main', 'prod'), { recursive: true });
    writeFileSync(join(repo, 'main', 'prod', 'api.yaml'), policy([8080, 9090]));
    symlinkSync('nowhere', join(repo, 'v1'));
    try {
      for (const ref of ['main', 'v1']) {
        const r = await cli('diff', '--base', ref, '--head', 'policies', '--fail-on', 'allowed');
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`error: --base ${ref} is both a path of the working tree and a git ref; the working tree may be the pull request's, so it `
          + `cannot say which is meant (diff-base-ambiguous); fix: for the files, give the path as ./${ref} (or an absolute path); for the ref, remove `
          + 'or rename that path of the working tree (a pull request that adds it is refused, never compared with itself)\n');
      }
      // Written as a path, it is the path.
      const asPath = await cli('diff', '--base', './main', '--head', 'policies', '--fail-on', 'allowed');
      expect(asPath.code).toBe(0);
      expect(asPath.stdout).toMatch(/^connectivity diff: \.\/main \(1 policy\) → policies \(1 policy\): 0 newly allowed, 0 newly denied/);
    } finally {
      rmSync(join(repo, 'main'), { recursive: true, force: true });
      rmSync(join(repo, 'v1'));
    }
  });

  test('an option-like ref is refused, never passed to git as an option', async () => {
    const r = await cli('diff', '--base', '--output=x', '--head', 'policies');
    expect(r.code).toBe(2);
  });

  test('a symbolic link committed under the paths cannot be read at the ref: exit 2, never a base without its policies', async () => {
    symlinkSync(join('prod', 'api.yaml'), join(repo, 'policies', 'link.yaml'));
    git('add', '.');
    git('commit', '-q', '-m', 'a link');
    git('tag', 'with-link');
    try {
      const r = await cli('diff', '--base', 'with-link', '--head', 'policies');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('error: --base with-link: with-link:policies/link.yaml (a symbolic link) cannot be read at a git ref, so the base would miss '
        + 'the policies behind it (diff-git-ref); fix: give the base as a directory: git worktree add ../base with-link, then --base ../base/<path>\n');
    } finally {
      git('reset', '-q', '--soft', 'HEAD~1');
      git('rm', '-q', '--cached', join('policies', 'link.yaml'));
      rmSync(join(repo, 'policies', 'link.yaml'));
    }
  });

  test('a file name with a newline at the ref is printed on one line (no forged line, no CI workflow command)', async () => {
    const name = join('policies', 'x.yaml\n::error ::forged.yaml');
    writeFileSync(join(repo, name), policy([8080]).replace('"api"', '"x"').replace('app: web', 'app: "bad value"'));
    git('add', '.');
    git('commit', '-q', '-m', 'odd name');
    try {
      const r = await cli('diff', '--base', 'HEAD', '--head', 'policies');
      expect(r.stderr).toContain('warning: HEAD:policies/x.yaml\ufffd::error ::forged.yaml: ');
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/^::/m);
    } finally {
      git('reset', '-q', '--soft', 'HEAD~1');
      git('rm', '-q', '--cached', name);
      rmSync(join(repo, name));
    }
  });

  test('--head names a committed symbolic link to the policy directory: --fail-on allowed does not pass on an empty base', async () => {
    symlinkSync('policies', join(repo, 'dist'));
    git('add', 'dist');
    git('commit', '-q', '-m', 'dist link');
    try {
      // The working tree opens 9090 (see beforeEach): read as an empty base, nothing would be newly allowed, and exit 0.
      const r = await cli('diff', '--base', 'HEAD', '--head', 'dist', '--fail-on', 'allowed');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --base HEAD: HEAD:dist \(a symbolic link\) cannot be read at a git ref/);
    } finally {
      git('reset', '-q', '--soft', 'HEAD~1');
      git('rm', '-q', '--cached', 'dist');
      rmSync(join(repo, 'dist'));
    }
  });

  // Session 49: a --head path through a committed symbolic link (`lnk/api.yaml`, `lnk -> policies/prod`) lists nothing at
  // the ref (git does not follow the link), and was read as a path added by the change: a warning, and a base without it.
  test('a --head path through a committed symbolic link folder: exit 2 naming the link, never a base without its policies', async () => {
    symlinkSync(join('policies', 'prod'), join(repo, 'lnk'));
    git('add', 'lnk');
    git('commit', '-q', '-m', 'lnk', '--', 'lnk');
    try {
      const r = await cli('diff', '--base', 'HEAD', '--head', 'policies', join('lnk', 'api.yaml'), '--fail-on', 'allowed');
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain('error: --base HEAD: HEAD:lnk (a symbolic link) cannot be read at a git ref, so the base would miss the policies behind it');
      // A path the change adds is still a warning (no link on its way).
      const added = readAtGitRef('HEAD', [join('policies', 'prod', 'new.yaml')], repo, 1 << 20);
      expect([added.missing, added.notRead]).toEqual([[join('policies', 'prod', 'new.yaml')], []]);
    } finally {
      git('reset', '-q', '--soft', 'HEAD~1');
      git('rm', '-q', '--cached', 'lnk');
      rmSync(join(repo, 'lnk'));
    }
  });

  // Session 49: the path named was compared with git's names as written, so `./p.rules` (no manifest name) was skipped at the
  // ref as an entry below it (a base without it), and `./policies` cut the names below it two characters off (`ab.git/`
  // read as `.git/`, skipped).
  test('a --head path written with ./ or .. is the path named at the ref: --fail-on allowed does not pass on a base without it', async () => {
    git('checkout', '-q', '-b', 'dotted');
    const rules = (ports: readonly number[]): string => webToApi(ports, { name: 'rules' }).replace('app: api', 'app: rules');
    const extra = (ports: readonly number[]): string => webToApi(ports, { name: 'extra' }).replace('app: api', 'app: extra');
    mkdirSync(join(repo, 'policies', 'ab.git'));
    writeFileSync(join(repo, 'policies', 'api.rules'), rules([8080]));
    writeFileSync(join(repo, 'policies', 'ab.git', 'extra.yaml'), extra([8080]));
    // Only these two (earlier tests leave the working tree's api.yaml staged).
    git('add', join('policies', 'api.rules'), join('policies', 'ab.git'));
    git('commit', '-q', '-m', 'dotted', '--', join('policies', 'api.rules'), join('policies', 'ab.git'));
    // The working tree opens 9090 to app=rules and 7070 to app=extra.
    writeFileSync(join(repo, 'policies', 'api.rules'), rules([8080, 9090]));
    writeFileSync(join(repo, 'policies', 'ab.git', 'extra.yaml'), extra([8080, 7070]));
    try {
      for (const head of ['./policies/api.rules', 'policies/prod/../api.rules', 'policies/api.rules']) {
        const r = await cli('diff', '--base', 'dotted', '--head', head, '--fail-on', 'allowed', '--output', 'json');
        expect([head, r.code, r.stderr]).toEqual([head, 1, '']);
        const doc = JSON.parse(r.stdout) as { base: { policies: number }; changes: { to: string; ports: string[]; after: string }[] };
        expect(doc.base.policies).toBe(1);
        expect(doc.changes.map((c) => [c.to, c.ports, c.after])).toEqual([['prod/app=rules', ['9090/TCP'], 'allowed']]);
      }
      for (const head of ['./policies', 'policies/', 'policies']) {
        const r = await cli('diff', '--base', 'dotted', '--head', head, '--fail-on', 'allowed', '--output', 'json');
        expect([head, r.code, r.stderr]).toEqual([head, 1, '']);
        const doc = JSON.parse(r.stdout) as { base: { policies: number }; changes: { to: string; ports: string[]; after: string }[] };
        expect(doc.base.policies).toBe(2);
        expect(doc.changes.map((c) => [c.to, c.ports, c.after])).toEqual([['prod/app=api', ['9090/TCP'], 'allowed'], ['prod/app=extra', ['7070/TCP'], 'allowed']]);
      }
      // From a folder below the file: `../api.rules` is read at the ref, as in the working tree.
      const below = readAtGitRef('dotted', ['../api.rules'], join(repo, 'policies', 'prod'), 1 << 20);
      expect([below.files.map((f) => f.text), below.missing, below.problems]).toEqual([[rules([8080])], [], []]);
    } finally {
      rmSync(join(repo, 'policies', 'ab.git'), { recursive: true, force: true });
      rmSync(join(repo, 'policies', 'api.rules'), { force: true });
      git('checkout', '-q', 'main');
    }
  });

  // Session 49 (review mends): a --head path is a name, never a pathspec: `:x.yaml` was read as git's magic for `x.yaml`.
  test('a --head path git would read as pathspec magic (:x.yaml) is the file of that name at the ref, never another file', async () => {
    writeFileSync(join(repo, ':x.yaml'), policy([8080]));
    writeFileSync(join(repo, 'x.yaml'), policy([8080, 9090]));
    git('add', '--', ':(literal):x.yaml', 'x.yaml');
    git('commit', '-q', '-m', 'colon');
    // The working tree opens 9090 in :x.yaml: its base is :x.yaml at HEAD (8080 only), not x.yaml (already 9090).
    writeFileSync(join(repo, ':x.yaml'), policy([8080, 9090]));
    try {
      const read = readAtGitRef('HEAD', [':x.yaml'], repo, 1 << 20);
      expect([read.files, read.missing, read.notRead]).toEqual([[{ file: 'HEAD::x.yaml', text: policy([8080]) }], [], []]);
      const r = await cli('diff', '--base', 'HEAD', '--head', ':x.yaml', '--fail-on', 'any');
      expect([r.code, r.stderr]).toEqual([1, '']);
      expect(r.stdout).toContain('+ prod/app=web → prod/app=api 9090/TCP');
      // A path only git's magic would match (`:/x.yaml`, from the top) is a name no file has: missing, never x.yaml.
      expect(readAtGitRef('HEAD', [':/x.yaml'], repo, 1 << 20)).toEqual({ files: [], problems: [], missing: [':/x.yaml'], notRead: [] });
    } finally {
      // Only this test's commit and files undone (the working tree's change to policies/prod/api.yaml is kept).
      git('reset', '-q', '--soft', 'HEAD~1');
      git('update-index', '--force-remove', '--', ':x.yaml', 'x.yaml');
      rmSync(join(repo, ':x.yaml'));
      rmSync(join(repo, 'x.yaml'));
    }
  });

  test('a --head path through a committed submodule: exit 2 naming the submodule, never a base without its policies', async () => {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo }).toString('utf8').trim();
    git('update-index', '--add', '--cacheinfo', `160000,${head},mod`);
    git('commit', '-q', '-m', 'mod');
    // Its working tree checked out: mod/api.yaml is read at --head.
    mkdirSync(join(repo, 'mod'));
    writeFileSync(join(repo, 'mod', 'api.yaml'), policy([8080]));
    try {
      const r = await cli('diff', '--base', 'HEAD', '--head', 'policies', join('mod', 'api.yaml'), '--fail-on', 'allowed');
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain('error: --base HEAD: HEAD:mod (a submodule) cannot be read at a git ref, so the base would miss the policies behind it');
    } finally {
      git('reset', '-q', '--soft', 'HEAD~1');
      git('update-index', '--force-remove', 'mod');
      rmSync(join(repo, 'mod'), { recursive: true });
    }
  });
});

describe('diff --base <git-ref> in a repository git cannot read whole', () => {
  /** A repository of its own (the one above stays whole): `dir/a.yaml` and `dir/b.yaml` committed. */
  function repository(): { dir: string; oid: (file: string) => string; run: (...args: string[]) => string } {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-git-broken-'));
    const run = (...args: string[]): string => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com',
      '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8').trim();
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', 'a.yaml'), policy([8080]));
    writeFileSync(join(dir, 'd', 'b.yaml'), webToApi([9090], { name: 'b' }));
    run('init', '-q', '-b', 'main');
    run('add', '.');
    run('commit', '-q', '-m', 'base');
    return { dir, oid: (file) => run('rev-parse', `HEAD:${file}`), run };
  }

  test('a blob whose object is missing (ls-tree prints its size as BAD): exit 2 naming it, never the next file\'s contents or a crash', async () => {
    const { dir, oid } = repository();
    const missing = oid('d/a.yaml');
    rmSync(join(dir, '.git', 'objects', missing.slice(0, 2), missing.slice(2)));
    process.chdir(dir);
    try {
      // Left out of the batch, a.yaml took b.yaml's contents and b.yaml none: "Cannot read properties of undefined".
      const r = await cli('diff', '--base', 'HEAD', '--head', 'd', '--fail-on', 'allowed');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: git ls-tree printed the size "BAD" for HEAD:d/a.yaml (blob ${missing}), not a whole number of bytes: its object is `
        + 'missing from the repository (diff-git-ref); fix: run git fsck to list the missing objects, then fetch them (git fetch origin; a shallow or '
        + 'partial clone: git fetch --unshallow, or clone again)\n');
    } finally {
      process.chdir(repo);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the output of git cat-file --batch ends within an answer: how many of its bytes came', () => {
    const { dir, oid } = repository();
    // A git that cuts the output of cat-file --batch after $TRUNC bytes (as a killed process would).
    const bin = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-fake-git-'));
    const real = execFileSync('sh', ['-c', 'command -v git']).toString('utf8').trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nif [ "$1" = cat-file ] && [ "$2" = --batch ]; then "${real}" "$@" | head -c "$TRUNC"; exit 0; fi\n`
      + `exec "${real}" "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const saved = { path: process.env.PATH, trunc: process.env.TRUNC };
    const size = Buffer.byteLength(policy([8080]));
    const header = `${oid('d/a.yaml')} blob ${size}\n`.length;
    const read = (bytes: number): string => {
      process.env.TRUNC = String(bytes);
      try {
        readAtGitRef('HEAD', ['d'], dir, 1e6);
        return 'read';
      } catch (e) {
        return (e as Error).message;
      }
    };
    process.env.PATH = `${bin}:${saved.path ?? ''}`;
    try {
      // Before: the header quoted, as if git had answered another blob ("answered "<oid> blob 120" ..., not its blob of 120 bytes").
      expect(read(header + 30)).toBe(`the output of git cat-file --batch ended after 30 of the ${size} bytes of HEAD:d/a.yaml (diff-git-ref)\n  fix: run the `
        + 'command again; if it recurs, check the repository with git fsck and that nothing stops git (memory, a time limit)');
      expect(read(header + size)).toMatch(new RegExp(`^the output of git cat-file --batch ended after ${size} of the ${size} bytes of HEAD:d/a\\.yaml `
        + '\\(before the newline closing its answer\\) \\(diff-git-ref\\)'));
      expect(read(10)).toMatch(new RegExp(`^the output of git cat-file --batch ended after 0 of the ${size} bytes of HEAD:d/a\\.yaml `
        + '\\(before the end of its header\\) \\(diff-git-ref\\)'));
      // The second answer cut: named as b.yaml's.
      expect(read(header + size + 1 + 5)).toMatch(/^the output of git cat-file --batch ended after 0 of the \d+ bytes of HEAD:d\/b\.yaml \(before the end of its header\)/);
      expect(read(1e6)).toBe('read');
    } finally {
      process.env.PATH = saved.path;
      if (saved.trunc === undefined) delete process.env.TRUNC;
      else process.env.TRUNC = saved.trunc;
      rmSync(bin, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
