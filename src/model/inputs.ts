/**
 * The one input reader of every command (`validate`, `validate --crd`, `trace --policies`, `replay --policies`, the
 * engine's `PolicySet.fromFiles`, the CRD loader): finding files, directories (recursively), glob patterns and standard
 * input, and reading them with a size limit, regular files only (a FIFO, device or socket is refused without being
 * opened for a blocking read), symbolic-link loops detected, NUL bytes and invalid UTF-8 refused, and a clear problem
 * per input that cannot be used (missing, unreadable, binary, too large, empty; a directory that cannot be listed)
 * instead of an exception, so that the caller decides (validate checks the other inputs; trace and replay stop).
 *
 * Globs are expanded here, without a glob library: `*` and `?` (within one path segment), `**` (any number of
 * segments), `[abc]`/`[!a-z]` character classes and `{a,b}` alternatives, relative to the working directory. Like shells,
 * `*` and `**` do not enter hidden files and directories unless the pattern names them (`.github/**`), and walks skip
 * `node_modules` unless the pattern names it. A directory given is read as `kubectl apply -R -f` reads it: every
 * `.yaml`/`.yml`/`.json` file below, hidden ones included (a policy in `dist/.extra/` is applied, so it is judged), but
 * for `.git` and `node_modules` (`walkSkips`); the extension in any case (kubectl: lower case only; reading more is the
 * safe side).
 */
import { type Dirent, closeSync, constants, fstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GO_YAML_REFUSED_CHARACTER } from './go-line-breaks';
import { withoutControls } from './printable';
import { compileRe2 } from './re2';

/** File extensions read from directories (any file named explicitly or matched by a glob is read). */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** Whether a file name has a manifest extension (`MANIFEST_EXTENSIONS`, in any case: `P.YAML` is read too). */
export function isManifestFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((e) => lower.endsWith(e));
}

/**
 * Whether a directory walk leaves out an entry of this name: `.git` (a repository's own data, never manifests) and
 * `node_modules` (installed packages). Hidden entries are read, as `kubectl apply -R` reads them.
 */
export function walkSkips(name: string): boolean {
  return name === '.git' || name === 'node_modules';
}

/** The default size limit of one input: 10 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * The largest size limit a caller may set: 1 GiB. An input is read whole (standard input up to the limit), so a limit
 * without bound (`--max-file-size 100G` with `- < /dev/zero`) would read until the process runs out of memory; a text
 * above about 512 Mi characters cannot be decoded into one string anyway (it is then refused as unreadable).
 */
export const MAX_FILE_BYTES_LIMIT = 1024 * 1024 * 1024;

/**
 * The most entries (files and folders) one directory or glob walk visits: 100,000. A folder of the pull request can be a
 * symbolic link to `/` (the link given as the path is followed), and walking a whole file system takes hours; a walk that
 * reaches the limit is refused whole (no file below it is read), never read in part.
 */
export const MAX_WALK_ENTRIES = 100_000;

/**
 * The most patterns the `{a,b}` alternatives of one glob expand into: 1,000. Each group multiplies the count
 * (`{a,b}` twenty-two times is 4 million patterns in 110 characters, which ran past a minute and 650 MB before a file
 * was read); a glob that would expand further is refused whole, never read in part.
 */
export const MAX_GLOB_ALTERNATIVES = 1_000;

/** One input found on disk. */
export interface FoundFile {
  /** As shown in diagnostics: the path relative to the working directory, with forward slashes. */
  readonly name: string;
  /** The absolute path. */
  readonly path: string;
}

/** One input `expandPaths` found: exactly one of `file`, `missing`, `stdin`, `unreadable`. */
export interface PathEntry {
  /**
   * A file.
   * @default - not a file
   */
  readonly file?: FoundFile;
  /**
   * An argument that matches nothing: a path that does not exist, or a glob without a match.
   * @default - not missing
   */
  readonly missing?: string;
  /**
   * `-`: standard input.
   * @default false
   */
  readonly stdin?: boolean;
  /**
   * A directory below an argument that cannot be listed (permissions, I/O error): its files are not read.
   * @default - none
   */
  readonly unreadable?: { readonly name: string; readonly problem: InputProblem };
}

/** Whether an argument is a glob pattern. */
export function isGlob(arg: string): boolean {
  return /[*?[{]/.test(arg);
}

/** Why an empty path (`--policies "$DIR"` with DIR unset) is refused: `resolve(cwd, '')` is the working directory. */
export const EMPTY_PATH_MESSAGE = 'an empty path (an unset variable?) names no file; the working directory is not read in its place';

/** The fix of an empty path given for policies (`--policies ""`, `validate ""`). */
export const EMPTY_POLICY_PATH_FIX = 'give the policy files or directories (cdk8s synth writes them to dist/), or . for the working directory';

/**
 * Turns arguments into files: `-` is standard input, a file is itself, a directory is every `.yaml`, `.yml` and `.json`
 * file below it, anything else with `*`, `?`, `[` or `{` is a glob. Never throws.
 */
export function expandPaths(args: readonly string[], cwd: string): PathEntry[] {
  const entries: PathEntry[] = [];
  const seen = new Set<string>();
  const onUnreadable = (abs: string, e: unknown): void => {
    if (e instanceof OutsideLink) {
      entries.push({ unreadable: { name: displayName(abs, cwd), problem: {
        id: 'input-unreadable', message: `a symbolic link to ${displayName(e.target, cwd)}, outside the directory given (${displayName(e.root, cwd)}): not followed`,
        fix: 'give the link\'s target as a path of its own if it is meant to be read (a pull request could otherwise make the tools read any file of the machine)',
      } } });
      return;
    }
    if (e instanceof TooManyAlternatives) {
      entries.push({ unreadable: { name: withoutControls(e.pattern), problem: {
        id: 'input-unreadable',
        message: `the glob's {a,b} alternatives expand into more than ${MAX_GLOB_ALTERNATIVES.toLocaleString('en-US')} patterns; no file it matches is read`,
        fix: 'give the directories that hold the manifests (cdk8s synth writes them to dist/), or a glob with fewer {a,b} groups (dist/**/*.{yaml,yml})',
      } } });
      return;
    }
    if (e instanceof TooManyEntries) {
      entries.push({ unreadable: { name: displayName(abs, cwd), problem: {
        id: 'input-unreadable',
        message: `cannot list the directory: it holds more than ${MAX_WALK_ENTRIES.toLocaleString('en-US')} files and folders (a symbolic link to /, or a whole file system?); no file below it is read`,
        fix: 'give the directories or globs that hold the manifests (cdk8s synth writes them to dist/)',
      } } });
      return;
    }
    entries.push({ unreadable: { name: displayName(abs, cwd), problem: { ...unreadable(e), message: `cannot list the directory: ${unreadable(e).message.replace(/^cannot read the file: /, '')}` } } });
  };
  const add = (abs: string): void => {
    let key = abs;
    try {
      key = realpathSync(abs);
    } catch {
      // keep the path as given; reading it will report the problem
    }
    if (seen.has(key)) return;
    seen.add(key);
    entries.push({ file: { name: displayName(abs, cwd), path: abs } });
  };
  for (const arg of args) {
    if (arg === '-') {
      if (!seen.has('\0stdin')) entries.push({ stdin: true });
      seen.add('\0stdin');
      continue;
    }
    if (arg === '') {
      // `resolve(cwd, '')` is the working directory: `--policies "$DIR"` with DIR unset read the whole checkout.
      entries.push({ unreadable: { name: '""', problem: {
        id: 'input-not-found', message: EMPTY_PATH_MESSAGE,
        fix: EMPTY_POLICY_PATH_FIX,
      } } });
      continue;
    }
    const abs = resolve(cwd, arg);
    const kind = statKind(abs);
    // A directory (or a glob of directories) without a manifest file is named, as a path that matches nothing is: read as
    // no input at all, `validate` passed (a CI job pointed at the wrong output directory checked nothing and said so green).
    const unreadableBefore = entries.filter((e) => e.unreadable).length;
    const noManifests = (files: number): void => {
      if (files > 0 || entries.filter((e) => e.unreadable).length > unreadableBefore) return;
      entries.push({ unreadable: { name: displayName(abs, cwd), problem: {
        id: 'input-not-found', message: `${arg} holds no ${MANIFEST_EXTENSIONS.slice(0, -1).join(', ')} or ${MANIFEST_EXTENSIONS[MANIFEST_EXTENSIONS.length - 1]} file (.git and node_modules are not read)`,
        fix: 'give the directory the manifests are written to (cdk8s synth writes them to dist/), or the files themselves',
      } } });
    };
    if (kind === 'dir') {
      const files = walk(abs, onUnreadable);
      files.forEach(add);
      noManifests(files.length);
    } else if (kind !== 'none') {
      add(abs);
    } else if (isGlob(arg)) {
      const found = expandGlob(arg, cwd, onUnreadable);
      // A walk refused as too large matched nothing, and said so.
      if (found.length === 0 && entries.filter((e) => e.unreadable).length === unreadableBefore) entries.push({ missing: arg });
      let files = 0;
      // `found` is sorted, so a matched directory comes before the ones below it: those were walked with it (`deep/**`
      // matches every level of a chain of folders, and walking each again cost the square of the entries), unless the
      // way down passes a folder the walk skips (.git, node_modules, which a glob may name).
      const walked = new Set<string>();
      const walkedWith = (dir: string): boolean => {
        for (let cur = dir, up = dirname(cur); up !== cur; cur = up, up = dirname(cur)) {
          if (walkSkips(basename(cur))) return false;
          if (walked.has(up)) return true;
        }
        return false;
      };
      for (const f of found) {
        if (statKind(f) === 'dir') {
          if (walkedWith(f)) continue;
          walked.add(f);
          const below = walk(f, onUnreadable);
          below.forEach(add);
          files += below.length;
        } else {
          add(f);
          files++;
        }
      }
      if (found.length > 0) noManifests(files);
    } else {
      entries.push({ missing: arg });
    }
  }
  return entries;
}

/**
 * The files and directories a glob pattern matches, as absolute paths, sorted. A walk that reaches `MAX_WALK_ENTRIES`
 * matches nothing (`onUnreadable` hears of it).
 */
export function expandGlob(pattern: string, cwd: string, onUnreadable?: (abs: string, e: unknown) => void): string[] {
  const out = new Set<string>();
  const alternatives = expandBraces(pattern.split('\\').join('/'), MAX_GLOB_ALTERNATIVES);
  if (alternatives === undefined) {
    onUnreadable?.(resolve(cwd), new TooManyAlternatives(pattern));
    return [];
  }
  // Alternatives below one folder (`dist/{a,b,c}/*.yaml` is three patterns from dist/) walk it once.
  const walks = new Map<string, { listed: { abs: string; rel: string; dir: boolean }[]; links: { abs: string; rel: string; e: unknown }[] }>();
  const reported = new Set<string>();
  for (const alternative of alternatives) {
    const abs = isAbsolute(alternative) || /^[A-Za-z]:\//.test(alternative);
    const segments = alternative.split('/');
    const literal: string[] = [];
    while (literal.length < segments.length - 1 && !isGlob(segments[literal.length])) literal.push(segments[literal.length]);
    const rest = segments.slice(literal.length);
    const base = abs ? (literal.join('/') || '/') : resolve(cwd, literal.join('/') || '.');
    if (statKind(base) !== 'dir') continue;
    const re = globMatcher(rest.join('/'));
    const dotted = rest.some((s) => s.startsWith('.'));
    const modules = rest.includes('node_modules');
    // Only `**` crosses a `/`: `dist/*.yaml` matches nothing below dist/, so the walk does not go there (it reported an
    // outside link or an unreadable folder of dist/sub/ as a problem of the input, and counted its entries to the limit).
    const depth = rest.includes('**') ? Infinity : rest.length;
    const key = `${dotted ? 1 : 0}${modules ? 1 : 0}${depth}:${base}`;
    let walked = walks.get(key);
    if (!walked) {
      const links: { abs: string; rel: string; e: unknown }[] = [];
      walked = { listed: walkAll(base, dotted, modules, onUnreadable, depth, (abs, rel, e) => links.push({ abs, rel, e })), links };
      walks.set(key, walked);
    }
    for (const entry of walked.listed) {
      if (re.test(entry.rel)) out.add(entry.abs);
    }
    // A link out of the folder is a problem of the input only where the glob could match it (or what lies below it):
    // `pol/*.yaml` has no use for `pol/etc-link`. Every one, as before, below a `**`.
    for (const link of walked.links) {
      if (reported.has(link.abs) || !(depth === Infinity || globMatcher(rest.slice(0, link.rel.split('/').length).join('/')).test(link.rel))) continue;
      reported.add(link.abs);
      onUnreadable?.(link.abs, link.e);
    }
  }
  return [...out].sort();
}

/**
 * `{a,b}` alternatives expanded (nested braces too); a brace without a comma is literal. `undefined` when they make
 * more than `limit` patterns (found before the rest are made: the work is bounded by the limit, not by the count).
 */
export function expandBraces(pattern: string, limit = MAX_GLOB_ALTERNATIVES): string[] | undefined {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (pattern[i] === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        const inner = pattern.slice(start + 1, i);
        const parts = splitTopLevel(inner);
        if (parts.length < 2) continue;
        const head = pattern.slice(0, start);
        const tail = pattern.slice(i + 1);
        const out: string[] = [];
        for (const p of parts) {
          const more = expandBraces(`${head}${p}${tail}`, limit - out.length);
          if (more === undefined) return undefined;
          for (const m of more) out.push(m);
        }
        return out.length > limit ? undefined : out;
      }
    }
  }
  return limit < 1 ? undefined : [pattern];
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** Whether a relative path matches a glob (`globMatcher`). */
export interface GlobMatcher {
  /** Whether `path` (relative, `/` separated) matches. */
  test(path: string): boolean;
}

/**
 * A glob (without braces, `/` separated, relative) as a matcher of relative paths: `*` and `?` stay within a segment, a
 * `**` segment spans any number of segments (also none), `[...]` is a character class. The translation is matched with
 * the SDK's RE2 engine (`compileRe2`), in time linear in the path: a JavaScript `RegExp` of `*a*a*a*a*a*a*.yaml`
 * backtracks for minutes on a long file name of a pull request. A glob whose class RE2 refuses (`[z-a]`) matches nothing.
 */
export function globMatcher(glob: string): GlobMatcher {
  const compiled = compileRe2(globPattern(glob));
  return { test: (path) => compiled.ok && compiled.pattern.fullMatch(path) };
}

function globPattern(glob: string): string {
  const segments = glob.split('/');
  let out = '';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '**') {
      out += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    out += segmentToRegExp(seg) + (last ? '' : '/');
  });
  return out;
}

function segmentToRegExp(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') {
      while (seg[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/\\/g, '\\\\').replace(/]/g, '\\]')}]`;
      i = end;
    } else {
      out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  return out;
}

type Kind = 'file' | 'dir' | 'other' | 'none';

/** Whether `path` is a directory (an input read by walking it, as `cdk8s synth`'s output folder). */
export function isDirectory(path: string): boolean {
  return statKind(path) === 'dir';
}

function statKind(path: string): Kind {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'none' : 'other';
  }
}

/**
 * The manifest files below `dir` (`isManifestFileName`), sorted, hidden ones included, without `.git` and `node_modules`
 * (`walkSkips`; a directory reached twice through symbolic links is walked once); `onUnreadable` hears of each directory
 * that cannot be listed.
 */
function walk(dir: string, onUnreadable: (abs: string, e: unknown) => void): string[] {
  return walkAll(dir, true, false, onUnreadable).filter((e) => !e.dir && isManifestFileName(e.abs)).map((e) => e.abs);
}

/**
 * Every entry below `dir` with its path relative to `dir` (`/`-separated), sorted depth-first; none when there are more
 * than `MAX_WALK_ENTRIES` (`onUnreadable` hears of `dir` then).
 * @param maxDepth the most segments of an entry's relative path (1: the entries of `dir` only); the walk goes no deeper
 * @param onOutsideLink hears of each symbolic link out of `dir` (never followed) instead of `onUnreadable`, with its path
 */
function walkAll(dir: string, dotted: boolean, modules: boolean, onUnreadable?: (abs: string, e: unknown) => void, maxDepth = Infinity,
  onOutsideLink?: (abs: string, rel: string, e: unknown) => void): { abs: string; rel: string; dir: boolean }[] {
  const out: { abs: string; rel: string; dir: boolean }[] = [];
  const visited = new Set<string>();
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return out;
  }
  const visit = (abs: string, rel: string, depth: number): void => {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch {
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let entries: Dirent[];
    try {
      // The entries' types come with the listing: only a symbolic link costs a stat and a realpath of its own (a walk of
      // 100,000 plain files asked the file system 200,000 more times).
      entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      onUnreadable?.(abs, e);
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      // `walkSkips`, but a glob that names node_modules enters it.
      if ((!dotted && name.startsWith('.')) || (name === 'node_modules' ? !modules : walkSkips(name))) continue;
      if (out.length >= MAX_WALK_ENTRIES) throw new TooManyEntries();
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      let dir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        // A symbolic link out of the directory given is not followed: the inputs come from anyone's pull request.
        const target = linkTarget(childAbs);
        if (target !== undefined && target !== root && !target.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) {
          if (onOutsideLink) onOutsideLink(childAbs, childRel, new OutsideLink(target, root));
          else onUnreadable?.(childAbs, new OutsideLink(target, root));
          continue;
        }
        dir = statKind(childAbs) === 'dir';
      }
      out.push({ abs: childAbs, rel: childRel, dir });
      if (dir && depth + 1 < maxDepth) visit(childAbs, childRel, depth + 1);
    }
  };
  try {
    visit(dir, '', 0);
  } catch (e) {
    if (!(e instanceof TooManyEntries)) throw e;
    onUnreadable?.(dir, e);
    return [];
  }
  return out;
}

/** A glob whose `{a,b}` alternatives make more than `MAX_GLOB_ALTERNATIVES` patterns. */
class TooManyAlternatives extends Error {
  constructor(readonly pattern: string) {
    super(`more than ${MAX_GLOB_ALTERNATIVES} alternatives`);
  }
}

/** A walk that reached `MAX_WALK_ENTRIES`. */
class TooManyEntries extends Error {
  constructor() {
    super(`more than ${MAX_WALK_ENTRIES} entries`);
  }
}

/** A symbolic link whose target lies outside the directory being walked. */
class OutsideLink extends Error {
  constructor(public readonly target: string, public readonly root: string) {
    super(`symbolic link to ${target}, outside ${root}`);
  }
}

/** The real path the symbolic link `path` leads to, or `undefined` for a dangling link (reading it reports it). */
function linkTarget(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** A path as shown in diagnostics: relative to `cwd`, `/`-separated, printable (`withoutControls`: file names come from pull requests). */
export function displayName(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return withoutControls((rel === '' ? '.' : rel).split(sep).join('/'));
}

/** Why an input cannot be checked. */
export interface InputProblem {
  /** `input-unreadable`, `input-binary`, `input-too-large` or `input-empty`. */
  readonly id: string;
  /** What is wrong, one line. */
  readonly message: string;
  /** What to do. */
  readonly fix: string;
}

/** The text of an input, or why there is none. */
export interface ReadResult {
  /** The text (UTF-8, byte-order mark removed). @default - none (see `problem`) */
  readonly text?: string;
  /** Size in bytes, when known. @default - unknown */
  readonly bytes?: number;
  /** Why the input cannot be checked. @default - none */
  readonly problem?: InputProblem;
}

/**
 * Reads a file with the size limit, without throwing: a regular file only (it is opened non-blocking and checked
 * before reading, so a FIFO cannot hang the read and a device such as `/dev/zero` is refused), at most `maxBytes` read
 * even when the file grows meanwhile, then checked and decoded as `decodeInput` does.
 * @param name the file as the user gave it (relative to the working directory, or absolute), for the fix of text that is
 * not UTF-8: the command it names must find the file from there
 */
export function readInputFile(path: string, maxBytes: number, name = path): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { problem: unreadable(e) };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      return { problem: { id: 'input-unreadable', message: `not a regular file (${st.isDirectory() ? 'a directory' : 'a device, socket or pipe'})`, fix: 'pass regular files, directories or globs (validate reads standard input as -)' } };
    }
    if (st.size > maxBytes) return { bytes: st.size, problem: tooLarge(st.size, maxBytes) };
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - length, Math.max(st.size - length + 1, 64 * 1024)));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
    }
    if (length > maxBytes) return { bytes: length, problem: tooLarge(length, maxBytes) };
    return decodeInput(Buffer.concat(chunks, length), maxBytes, name);
  } catch (e) {
    return { problem: unreadable(e) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks and decodes the bytes of an input (standard input, or a file already read).
 * @param name the file as the user gave it, for the fix of text that is not UTF-8 (`wideEncodingFix`); none for standard input
 */
export function decodeInput(bytes: Uint8Array | string, maxBytes: number, name?: string): ReadResult {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length > maxBytes) return { bytes: buffer.length, problem: tooLarge(buffer.length, maxBytes) };
  const wide = wideEncoding(buffer);
  if (wide) {
    // What Windows tools write (PowerShell 5's > and Out-File, Notepad's "Unicode"): not binary, but not readable as UTF-8.
    return { bytes: buffer.length, problem: { id: 'input-binary', message: `${wide.name} text; manifests are read as UTF-8`, fix: wideEncodingFix(wide, name, 'kubectl and the API server read UTF-8', false, 'cdk8s-cilium validate -') } };
  }
  const nul = buffer.indexOf(0);
  if (nul >= 0) {
    return {
      bytes: buffer.length,
      problem: { id: 'input-binary', message: `binary content (a NUL byte at offset ${nul}); not a YAML or JSON manifest`, fix: 'pass YAML or JSON manifests only (UTF-8 text)' },
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return {
      bytes: buffer.length,
      problem: { id: 'input-binary', message: 'not valid UTF-8 text; not a YAML or JSON manifest', fix: 'save the file as UTF-8, or leave it out' },
    };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A byte-order mark opening a later document (files saved with one, joined with `---`): kubectl splits the stream at
  // `---` lines and its YAML reader skips a mark that starts a document; the `yaml` library would read it as part of the
  // first key (`\ufeffapiVersion`), and the document as one without an apiVersion, which the commands skip.
  if (text.includes('\ufeff')) text = text.replace(/^(---(?:[ \t][^\n]*)?\r?\n)\ufeff/gm, '$1');
  if (text.trim() === '') {
    return { bytes: buffer.length, text, problem: { id: 'input-empty', message: buffer.length === 0 ? 'the file is empty' : 'the file holds only white space', fix: 'remove the file from the input, or write the manifests into it' } };
  }
  return { bytes: buffer.length, text };
}

/** A text encoding of 16 or 32 bits per unit (`wideEncoding`). */
export interface WideEncoding {
  /** As said to the user: `UTF-16 (byte-order mark FF FE)`, `UTF-16LE (no byte-order mark)`. */
  readonly name: string;
  /** The name `iconv -f` takes for it: `UTF-16` and `UTF-32` read the byte order from the mark, the others have none. */
  readonly iconv: string;
  /**
   * The `-Encoding` PowerShell's `Get-Content` needs to read it: `Unicode`, `BigEndianUnicode`, `UTF32`, `BigEndianUTF32`
   * (PowerShell 5.1 and 7 alike). A byte-order mark needs none: `Get-Content` reads the encoding from it.
   * @default - a byte-order mark names the encoding
   */
  readonly powershell?: string;
}

/** Bytes of text without a byte-order mark that must read as UTF-16 or UTF-32 before it is called so (`wideEncoding`). */
const WIDE_PREFIX_BYTES = 512;

/**
 * The encoding of text that is UTF-16 or UTF-32 rather than UTF-8 (what Windows tools write: PowerShell 5's `>` and
 * `Out-File`, Notepad's "Unicode"): a UTF-32 or UTF-16 byte-order mark, or, without one, text whose first four
 * characters are ASCII (each one byte and one, or three, NUL bytes) and whose first 512 bytes read as UTF-16 (or UTF-32)
 * with no control character but tab, carriage return and line feed. `undefined` for anything else: UTF-8 (with or without
 * its mark) and binary data (an ELF header `7F 00 45 00 …` is binary, not UTF-16). The one detection of every reader of
 * text (manifests: `decodeInput`; Hubble flow logs: `forEachLine`).
 */
export function wideEncoding(bytes: Uint8Array): WideEncoding | undefined {
  const b = (i: number): number => (i < bytes.length ? bytes[i] : -1);
  const hex = (n: number): string => Array.from(bytes.subarray(0, n), (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  if ((b(0) === 0xff && b(1) === 0xfe && b(2) === 0 && b(3) === 0) || (b(0) === 0 && b(1) === 0 && b(2) === 0xfe && b(3) === 0xff)) {
    return { name: `UTF-32 (byte-order mark ${hex(4)})`, iconv: 'UTF-32' };
  }
  if ((b(0) === 0xff && b(1) === 0xfe) || (b(0) === 0xfe && b(1) === 0xff)) return { name: `UTF-16 (byte-order mark ${hex(2)})`, iconv: 'UTF-16' };
  const candidates: readonly (WideEncoding & { readonly unit: 2 | 4; readonly big: boolean })[] = [
    { name: 'UTF-32LE (no byte-order mark)', iconv: 'UTF-32LE', powershell: 'UTF32', unit: 4, big: false },
    { name: 'UTF-32BE (no byte-order mark)', iconv: 'UTF-32BE', powershell: 'BigEndianUTF32', unit: 4, big: true },
    { name: 'UTF-16LE (no byte-order mark)', iconv: 'UTF-16LE', powershell: 'Unicode', unit: 2, big: false },
    { name: 'UTF-16BE (no byte-order mark)', iconv: 'UTF-16BE', powershell: 'BigEndianUnicode', unit: 2, big: true },
  ];
  const found = candidates.find((c) => readsAsWideText(bytes, c.unit, c.big));
  return found === undefined ? undefined : { name: found.name, iconv: found.iconv, powershell: found.powershell };
}

/**
 * Whether the bytes, without a byte-order mark, read as text in units of `unit` bytes: at least four characters, the
 * first four ASCII, and every character of the first
 * `WIDE_PREFIX_BYTES` a valid one (UTF-16: surrogates paired; UTF-32: a scalar value) that is no control character
 * other than tab, carriage return and line feed, nor a noncharacter (U+FFFE, U+FFFF). A surrogate cut by the end of the
 * prefix counts as paired.
 */
function readsAsWideText(bytes: Uint8Array, unit: 2 | 4, big: boolean): boolean {
  const units = Math.floor(Math.min(bytes.length, WIDE_PREFIX_BYTES) / unit);
  if (units < 4) return false;
  const at = (i: number): number => {
    let v = 0;
    for (let k = 0; k < unit; k++) v = v * 256 + bytes[i * unit + (big ? k : unit - 1 - k)];
    return v;
  };
  // Text is what go-yaml v2 reads (`GO_YAML_REFUSED_CHARACTER`: tab, LF and CR of the C0 controls), but NEL.
  const text = (c: number): boolean => c !== 0x85 && !GO_YAML_REFUSED_CHARACTER.test(String.fromCodePoint(c));
  for (let i = 0; i < units; i++) {
    const c = at(i);
    if (i < 4 && c >= 0x80) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      // UTF-32 has no surrogates; in UTF-16 a high one is followed by a low one (unless the prefix ends between them).
      if (unit === 4 || c >= 0xdc00) return false;
      if (i + 1 < units) {
        const low = at(i + 1);
        if (low < 0xdc00 || low > 0xdfff) return false;
        i++;
      }
    } else if (c > 0x10ffff || !text(c)) {
      return false;
    }
  }
  return true;
}

/**
 * The fix of text in a wide encoding: the commands that convert it, POSIX (`iconv`) and PowerShell, each quoting by its
 * own rules, naming `file` as given (a path relative to the working directory, or absolute) and writing the UTF-8 copy
 * next to it (`sub/flows.jsonl` → `sub/flows.utf8.jsonl`). A relative name opening with `-` is written `./-rf.jsonl`, so
 * that neither command reads it as an option.
 * Standard input (`file` undefined) has no name to convert: the fix converts it on its way in, the command that reads it
 * (`stdinReader`) at the end of the pipe — POSIX through `iconv`, PowerShell by piping its own text with `$OutputEncoding`
 * UTF-8 (the encoding PowerShell writes to a program's standard input).
 * @param file the input as the user gave it; `undefined` for standard input
 * @param why who reads UTF-8
 * @param gzip whether `file` is gzip-compressed (decompressed first; the UTF-8 copy is written uncompressed)
 * @param stdinReader the command that reads standard input, for its pipe (`cdk8s-cilium validate -`)
 */
export function wideEncodingFix(encoding: WideEncoding, file: string | undefined, why: string, gzip = false, stdinReader = 'cdk8s-cilium … -'): string {
  const read = encoding.powershell === undefined ? '' : ` -Encoding ${encoding.powershell}`;
  if (file === undefined) {
    return `convert it to UTF-8 on its way in (${why}): … | ${gzip ? 'gunzip -c | ' : ''}iconv -f ${encoding.iconv} -t UTF-8 | ${stdinReader}, or in PowerShell `
      + `$OutputEncoding = [System.Text.UTF8Encoding]::new($false); Get-Content -LiteralPath <file>${read} | ${stdinReader}; or write it as UTF-8`;
  }
  // The name comes from a pull request: printable; `-x` is no option.
  const given = withoutControls(file).replace(/^-/, './-');
  // The last segment's extension (`/` and Windows' `\` separate segments), the `.gz` of a compressed log left out.
  const out = (gzip ? given.replace(/\.gz$/i, '') : given).replace(/(\.[^./\\]*)?$/, '.utf8$1');
  if (gzip) return `convert it to UTF-8 (${why}): gunzip -c ${posixWord(given)} | iconv -f ${encoding.iconv} -t UTF-8 > ${posixWord(out)}`;
  return `convert it to UTF-8 (${why}): iconv -f ${encoding.iconv} -t UTF-8 ${posixWord(given)} > ${posixWord(out)}, or in PowerShell `
    + `Get-Content -LiteralPath ${powershellWord(given)}${read} | Set-Content -LiteralPath ${powershellWord(out)} -Encoding utf8; or save it as UTF-8`;
}

/** A word for a POSIX shell: as is when plain, else single-quoted (a `'` written `'\''`). */
function posixWord(w: string): string {
  return /^[\w./+-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

/**
 * A word for PowerShell, always single-quoted (a bare word can be read as a number: `1kb`, `0x10`), where a quote is
 * doubled (about_Quoting_Rules: `''`; the typographic single quotes U+2018–U+201B are quotes to PowerShell too).
 */
function powershellWord(w: string): string {
  return `'${w.replace(/['\u2018-\u201b]/g, '$&$&')}'`;
}

/** The problem of an input of `size` bytes over the limit `max` (not read). */
export function tooLarge(size: number, max: number): InputProblem {
  return {
    id: 'input-too-large',
    message: `${formatBytes(size)} is larger than the limit of ${formatBytes(max)}; the file is not read`,
    // Only validate has the flag: trace, replay, diff and report read with the default limit.
    fix: 'split the file, or raise the limit where there is one (validate --max-file-size; maxFileBytes of PolicySet.fromFiles and Validator)',
  };
}

function unreadable(e: unknown): InputProblem {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
    : err.code === 'ENOENT' ? 'it does not exist (any more)'
      : err.code === 'ELOOP' ? 'a loop of symbolic links' : (err.message ?? String(e)).split('\n')[0];
  return { id: 'input-unreadable', message: `cannot read the file: ${why}${err.code ? ` (${err.code})` : ''}`, fix: 'check that the file exists and is readable' };
}

/** `10 MiB`, `512 KiB`, `17 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/**
 * Parses a size: a number of bytes, or with a unit (`k`, `KB`, `KiB`, `m`, `MB`, `MiB`, `g`, … all 1024-based), from 1
 * byte to `MAX_FILE_BYTES_LIMIT`.
 * @returns the bytes, or `undefined` for anything else
 */
export function parseSize(text: string): number | undefined {
  // Trimmed first: a `\s*` before the end, after a `\s*` that can take the same run, made the regex quadratic in a run of
  // spaces followed by anything else (`1`, 300,000 spaces, `x`: minutes).
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isFinite(n) && n > 0 && n <= MAX_FILE_BYTES_LIMIT ? n : undefined;
}
