/**
 * Policy files at a git ref (`diff --base origin/main`): the same paths as `--head`, read with `git ls-tree` and
 * one `git cat-file --batch` per 64 MiB of files (no checkout; `execFileSync`, never a shell). Directories are walked as the input reader walks them
 * (`.yaml`, `.yml`, `.json` in any case, hidden entries included; `.git` and `node_modules` skipped: `walkSkips`); only
 * regular files are read, with the same size limit and decoding (`decodeInput`). Symbolic links and submodules are listed in `notRead`: `diff` refuses such a base.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { PolicyText } from '../engine/policy-set';
import { CiliumPolicyError } from '../core/errors';
import { InputProblem, decodeInput, isGlob, isManifestFileName, tooLarge, walkSkips } from '../model/inputs';
import { withoutControls } from '../model/printable';
import { trimRuns } from '../model/trim-runs';
import { flagWithValue } from './flag-value';

/** The files read at a ref, and the problems of those that could not be read. */
export interface GitFiles {
  /** Files read, named `<ref>:<path>`. */
  readonly files: PolicyText[];
  /** Files that could not be used (too large, binary, invalid UTF-8); an empty file is read as empty. */
  readonly problems: { readonly file: string; readonly problem: InputProblem }[];
  /** The paths asked for that do not exist at the ref (nothing in the tree under that name). */
  readonly missing: string[];
  /** Entries under the paths that are not read: symbolic links and submodules (`<ref>:<path> (a symbolic link)`). */
  readonly notRead: string[];
}

/** Whether `ref` names a commit of the repository around `cwd`. */
export function isGitRef(ref: string, cwd: string): boolean {
  if (ref.startsWith('-') || ref.includes('\0')) return false;
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads `paths` (relative to `cwd`, inside its repository) at `ref`.
 * @throws CiliumPolicyError (`diff-git-ref`) when `ref` is not a commit, a path is a glob (the working tree reads it as one,
 * git would take it as a name no file has, and a base without its policies hides what the pull request opens), or git
 * cannot be run
 */
export function readAtGitRef(ref: string, paths: readonly string[], cwd: string, maxBytes: number): GitFiles {
  if (!isGitRef(ref, cwd)) {
    const where = repositoryOf(cwd);
    // A shallow clone (actions/checkout's default, fetch-depth 1) holds one commit: `HEAD~1` or a base branch not fetched
    // is no commit of it, which `git fetch origin main` alone does not mend for `HEAD~1`.
    const shallow = where === 'repository' && isShallow(cwd);
    throw new CiliumPolicyError(where === 'repository' ? {
      id: 'diff-git-ref',
      message: `${flagWithValue('--base', ref)} is neither an existing file or directory nor a commit of the git repository in ${displayCwd(cwd)}`
        + `${shallow ? ' (a shallow clone: it holds only the history fetched, as actions/checkout fetches one commit by default)' : ''}`,
      // A ref missing from a shallow clone may as well be misspelt (`orign/main`): both are said.
      fix: shallow
        ? 'check the ref\'s spelling (git branch -a), or fetch the history first: git fetch --unshallow (or actions/checkout with fetch-depth: 0), '
          + 'then give a git ref such as origin/main; or give the base policy files'
        : 'give the base policy files, or a git ref such as origin/main (fetch it first: git fetch origin main)',
    } : {
      id: 'diff-git-ref',
      message: `${flagWithValue('--base', ref)} is not an existing file or directory, and cannot be a git ref: `
        + (where === 'no-git' ? 'git is not installed (or not on PATH)' : `${displayCwd(cwd)} is not inside a git repository`),
      fix: where === 'no-git'
        ? 'give the base policy files or directory, or install git to name a ref such as origin/main'
        : 'give the base policy files or directory, or run diff inside the repository\'s checkout to read the --head paths at a ref such as origin/main',
    });
  }
  // A glob is a glob where the input reader reads it as one: not an existing path of the working tree (expandPaths).
  const glob = paths.find((p) => isGlob(p) && !existsSync(resolve(cwd, p)));
  if (glob !== undefined) {
    throw new CiliumPolicyError({
      id: 'diff-git-ref',
      message: `--head ${withoutControls(glob)} is a glob, which is not expanded at a git ref: the base (--base ${withoutControls(ref)}) would miss the policies it matches`,
      fix: `give --head the directories or files themselves (dist/, not dist/*.yaml), or give the base as a directory: git worktree add ../base ${withoutControls(ref)}, then --base ../base/<path>`,
    });
  }
  const files: PolicyText[] = [];
  const problems: { file: string; problem: InputProblem }[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  const notRead: string[] = [];
  // The blobs to read, through `git cat-file --batch` once the trees are listed (`catBlobs`).
  const blobs: { file: string; oid: string; size: number }[] = [];
  const prefix = git(['rev-parse', '--show-prefix'], cwd).toString('utf8').trim();
  for (const p of paths) {
    const rel = isAbsolute(p) ? relative(cwd, p) : p;
    const spec = rel === '' || rel === '.' ? '.' : withoutTrailingSlashes(rel.split(sep).join('/'));
    // The path as git names it (`--full-name`: from the top of the repository), to tell the path named from the entries
    // below it: `./policy.manifest`, `dist/../p.txt` or `../p.txt` (from a folder) is the file `policy.manifest` or `p.txt`
    // itself, read whatever its name, as the working tree reads a file named.
    const top = withoutTrailingSlashes(posix.normalize(`${prefix}${spec}`));
    const topName = top === '.' ? '' : top;
    // Entries neither the path named nor under it are not its (git's pathspec magic is off: `git` runs with GIT_LITERAL_PATHSPECS=1).
    const listing = git(['ls-tree', '-r', '-l', '-z', '--full-name', ref, '--', spec], cwd).toString('utf8').split('\0')
      .filter((e) => e !== '' && (topName === '' || e.slice(e.indexOf('\t') + 1) === topName || e.slice(e.indexOf('\t') + 1).startsWith(`${topName}/`)));
    if (listing.length === 0) {
      // Nothing under that name: unless a folder on the way is a symbolic link at the ref, which git does not follow and the
      // working tree does (`link/api.yaml` with `link -> dist` committed): its policies would be missing from the base. A
      // submodule on the way likewise (git lists nothing inside it).
      const on = onTheWay(ref, topName, prefix, cwd);
      if (on !== undefined) notRead.push(`${ref}:${withoutControls(on.path)} (${on.kind})`);
      else missing.push(p);
    }
    for (const entry of listing) {
      const tab = entry.indexOf('\t');
      const [mode, type, oid, size] = entry.slice(0, tab).split(/\s+/);
      const full = entry.slice(tab + 1);
      const path = full.startsWith(prefix) ? full.slice(prefix.length) : full;
      if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || seen.has(path)) {
        if (mode === '120000' || type === 'commit') notRead.push(`${ref}:${withoutControls(path)} (${type === 'commit' ? 'a submodule' : 'a symbolic link'})`);
        continue;
      }
      const isNamed = full === topName;
      const under = isNamed ? '' : full.slice(topName === '' ? 0 : topName.length + 1);
      if (!isNamed && (!isManifestFileName(path) || under.split('/').some(walkSkips))) continue;
      seen.add(path);
      const file = `${ref}:${withoutControls(path)}`;
      // git prints the size of a blob whose object is missing (a corrupt or partial clone) as `BAD`: not a size to read by.
      if (!/^\d+$/.test(size ?? '')) {
        throw new CiliumPolicyError({
          id: 'diff-git-ref',
          message: `git ls-tree printed the size ${JSON.stringify(withoutControls(size ?? ''))} for ${file} (blob ${withoutControls(oid ?? '')}), `
            + 'not a whole number of bytes: its object is missing from the repository',
          fix: 'run git fsck to list the missing objects, then fetch them (git fetch origin; a shallow or partial clone: git fetch --unshallow, '
            + 'or clone again)',
        });
      }
      blobs.push({ file, oid, size: Number(size) });
    }
  }
  // Read in the order listed (the problems are reported so); a file too large is never read.
  const contents = catBlobs(blobs.filter((b) => b.size <= maxBytes), cwd);
  let next = 0;
  for (const blob of blobs) {
    const read = blob.size > maxBytes ? { problem: tooLarge(blob.size, maxBytes), text: undefined }
      : decodeInput(contents[next++], maxBytes, blob.file);
    if (read.problem && read.problem.id !== 'input-empty') problems.push({ file: blob.file, problem: read.problem });
    else files.push({ file: blob.file, text: read.text ?? '' });
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, problems, missing, notRead };
}

/**
 * The first folder of `topName` (a path from the top of the repository) that is a symbolic link or a submodule at `ref`,
 * named from the working directory (`prefix`), or `undefined`: one `git ls-tree` of all its folders (not recursive: each
 * entry itself; literal pathspecs, as every git call here).
 */
function onTheWay(ref: string, topName: string, prefix: string, cwd: string): { path: string; kind: string } | undefined {
  const parts = topName.split('/');
  const folders = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
  if (folders.length === 0) return undefined;
  const from = withoutTrailingSlashes(prefix);
  const listing = git(['ls-tree', '-z', '--full-name', ref, '--', ...folders.map((f) => posix.relative(from, f) || '.')], cwd).toString('utf8');
  const kinds = new Map<string, string>();
  for (const e of listing.split('\0')) {
    if (e.startsWith('120000 ')) kinds.set(e.slice(e.indexOf('\t') + 1), 'a symbolic link');
    else if (e.startsWith('160000 commit ')) kinds.set(e.slice(e.indexOf('\t') + 1), 'a submodule');
  }
  const at = folders.find((f) => kinds.has(f));
  if (at === undefined) return undefined;
  return { path: at.startsWith(prefix) ? at.slice(prefix.length) : at, kind: kinds.get(at) ?? 'a symbolic link' };
}

/** The most bytes of blobs one `git cat-file --batch` answers (the blobs are read in batches up to it: `maxBuffer`). */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * The contents of blobs (each at most the size limit), through one `git cat-file --batch` per `BATCH_BYTES` of them
 * (one process, not one per file). Each answer is read by the size in its header (`<oid> blob <size>`, the content,
 * a newline): a content that holds lines looking like a header is read as content.
 * @throws CiliumPolicyError (`diff-git-ref`) when git answers other than a blob of the size listed, or cannot be run
 */
function catBlobs(blobs: readonly { file: string; oid: string; size: number }[], cwd: string): Buffer[] {
  const contents: Buffer[] = [];
  for (let first = 0; first < blobs.length;) {
    let last = first;
    // Header and newline per blob, beside its content.
    for (let bytes = 0; last < blobs.length && (last === first || bytes + blobs[last].size + 128 <= BATCH_BYTES); last++) {
      bytes += blobs[last].size + 128;
    }
    const batch = blobs.slice(first, last);
    const out = git(['cat-file', '--batch'], cwd, `${batch.map((b) => b.oid).join('\n')}\n`);
    let at = 0;
    for (const blob of batch) {
      const nl = out.indexOf(0x0a, at);
      const header = nl < 0 ? out.toString('latin1', at, Math.min(out.length, at + 200)) : out.toString('latin1', at, nl);
      const end = nl + 1 + blob.size;
      const expected = `${blob.oid} blob ${blob.size}`;
      if (nl < 0 ? expected.startsWith(header) : header === expected && end >= out.length) {
        // The output ends within this answer (in its header, in the blob, or before the newline closing it): what came matched.
        const got = nl < 0 ? 0 : out.length - nl - 1;
        const where = nl < 0 ? ' (before the end of its header)' : got === blob.size ? ' (before the newline closing its answer)' : '';
        throw new CiliumPolicyError({
          id: 'diff-git-ref',
          message: `the output of git cat-file --batch ended after ${got} of the ${blob.size} bytes of ${blob.file}${where}`,
          fix: 'run the command again; if it recurs, check the repository with git fsck and that nothing stops git (memory, a time limit)',
        });
      }
      if (nl < 0 || header !== expected || out[end] !== 0x0a) {
        throw new CiliumPolicyError({
          id: 'diff-git-ref',
          message: `git cat-file --batch answered ${JSON.stringify(withoutControls(header))} for ${blob.file}, not its blob of ${blob.size} bytes`,
          fix: 'run the command inside the git repository that holds the policies, with git installed (and no other process rewriting it)',
        });
      }
      contents.push(out.subarray(nl + 1, end));
      at = end + 1;
    }
    first = last;
  }
  return contents;
}

function git(args: readonly string[], cwd: string, input?: string): Buffer {
  try {
    // A path the user gave is a name, never a pathspec with magic (`:x.yaml` is the file `:x.yaml`, not `x.yaml`).
    return execFileSync('git', [...args], {
      cwd, env: { ...process.env, GIT_LITERAL_PATHSPECS: '1' }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024, ...(input !== undefined ? { input } : {}),
    });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    throw new CiliumPolicyError({
      id: 'diff-git-ref',
      message: `git ${args[0]} failed${stderr ? `: ${stderr.split('\n')[0]}` : ''}`,
      fix: 'run the command inside the git repository that holds the policies, with git installed',
    });
  }
}

/** Whether the repository around `cwd` is a shallow clone (`git rev-parse --is-shallow-repository`, git 2.15+). */
function isShallow(cwd: string): boolean {
  try {
    return execFileSync('git', ['rev-parse', '--is-shallow-repository'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8').trim() === 'true';
  } catch {
    return false;
  }
}

/** Whether `cwd` is inside a git work tree, outside any, or git cannot be run. */
function repositoryOf(cwd: string): 'repository' | 'none' | 'no-git' {
  try {
    execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    return 'repository';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no-git' : 'none';
  }
}

function displayCwd(cwd: string): string {
  const rel = relative(process.cwd(), cwd);
  return rel === '' ? 'the working directory' : rel;
}

/**
 * A path without the slashes at its end, in one pass (`trimRuns`): `/\/+$/` retried its run at each slash of a run that
 * does not reach the end (a --head path of `a`, 100,000 slashes, `b` took seconds).
 */
function withoutTrailingSlashes(path: string): string {
  return trimRuns(path, (c) => c === 0x2f, 'end');
}
