/**
 * The one regular-expression engine of the SDK for patterns Cilium, Envoy or the API server compile: Go RE2 syntax and
 * semantics (the `re2js` port of RE2), with matching in time linear in the input. The validator (`sanitize-http-regex`),
 * the engine (HTTP `method`/`path`/`host` rules), the import check of the engine and the CRD schema patterns all use it,
 * so a pattern is accepted, rejected and matched the same way everywhere.
 *
 * RE2 syntax JavaScript `RegExp` lacks is supported as written (`[[:digit:]]`, `\Q…\E`, `\pL`, a mid-pattern `(?i)`,
 * `\x{41}`, `(?P<name>…)`); what RE2 rejects (look-around, back-references, atomic groups, possessive quantifiers,
 * repeat counts above 1000) does not compile.
 */
import type { RE2JS } from 're2js';
import { BoundedMemo } from './bounded-memo';

/** A compiled RE2 pattern. */
export interface Re2Pattern {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the whole of `value` matches (Envoy `safe_regex`, anchored at both ends). */
  fullMatch(value: string): boolean;
  /** Whether some part of `value` matches (Go `MatchString`, the API server's `pattern`). */
  test(value: string): boolean;
  /**
   * The names of the groups written `(?<name>…)`: Go's `regexp` accepts that spelling only from Go 1.22 (`(?P<name>…)`
   * always), so an agent built with an older Go refuses the pattern.
   */
  readonly angleNamedGroups: readonly string[];
  /**
   * The size of the program C++ RE2 (Envoy's engine) compiles the pattern to, `RE2::ProgramSize()`, as bounds read off
   * the compiled program of this engine (computed on first call, then kept).
   */
  programSize(): Re2ProgramSize;
}

/**
 * The size of the program C++ RE2 compiles a pattern to (`RE2::ProgramSize()`, the number Envoy compares with
 * `re2.max_program_size.error_level`). This engine (Go's `regexp/syntax`) compiles to instructions on runes, C++ RE2 to
 * instructions on UTF-8 bytes, without the literal prefix after a leading `^` and with a `.*?` loop in front of an
 * unanchored pattern; so the size is known as a bound and an estimate, not exactly (`re2js` `programSize()` is off by a
 * factor of 0.5 to 300: measured against libre2, see `test/model/re2-program-size.test.ts`).
 */
export interface Re2ProgramSize {
  /**
   * A size C++ RE2's program is never smaller than (the argument: `programSizeOf`): the fail and match instructions, the
   * two of the `.*?` loop of an unanchored pattern, and one instruction per UTF-8 byte of each literal rune (one per class)
   * that every match goes through, except a looping character and the literal prefix after `^`.
   */
  readonly atLeast: number;
  /** An estimate of the size (UTF-8 byte ranges of each class, `.*?` loop); at least `atLeast`, and may be above or below the real size. */
  readonly estimate: number;
}

/**
 * The result of compiling a pattern: the compiled pattern, or why it does not compile. `tooLarge` (with the estimated size
 * of Go's program) when this engine does not compile it for its size (`MAX_COMPILED_PROGRAM`), not because Go refuses it.
 */
export type Re2Result =
  | { readonly ok: true; readonly pattern: Re2Pattern }
  | { readonly ok: false; readonly error: string; readonly tooLarge?: number };

/**
 * The largest program (instructions of Go's `regexp/syntax`, estimated from the text by `goProgramSizeEstimate`) this
 * engine compiles. Compiling and sizing cost about 10 µs per instruction (`re2js`), and a repeat multiplies its body: one
 * HTTP path `/(?:a…a){1000}` of 1 KB is a million instructions (26 s and 370 MB, kept in the cache). Go accepts programs up
 * to 3,355,443 instructions (`regexp/syntax` `maxSize`), Envoy none above 100 (`re2.max_program_size.error_level`); the
 * largest pattern of the bundled CRDs is 744 instructions (749 estimated).
 */
export const MAX_COMPILED_PROGRAM = 10_000;

/** Compiled patterns by source (compiling is the expensive part; patterns repeat across rules and policies). */
const cache = new BoundedMemo<string, Re2Result>(10_000);
/** Full-match results kept per compiled pattern (the memo starts over when full), for values up to this length. */
const MAX_MEMO_VALUES = 256;
const MAX_MEMO_VALUE_LENGTH = 512;

/** Compiles a Go RE2 pattern (cached). Never throws. */
export function compileRe2(source: string): Re2Result {
  return cache.get(source, compileUncached);
}

/**
 * Why `pattern` would not compile as a Go RE2 regular expression (Go's `regexp.Compile`, which the agent's `Sanitize`
 * runs), or `undefined` when it compiles (or is too large for this engine to compile: `re2TooLarge`).
 */
export function re2Error(pattern: string): string | undefined {
  const r = compileRe2(pattern);
  // Too large to compile here is not a refusal of Go's (`re2TooLarge` says it).
  return r.ok || r.tooLarge !== undefined ? undefined : r.error;
}

/**
 * The estimated size of Go's program of `pattern` (`goProgramSizeEstimate`) when it is above `MAX_COMPILED_PROGRAM`, so
 * that this engine does not compile it; `undefined` when it is compiled (or refused by Go's rules).
 */
export function re2TooLarge(pattern: string): number | undefined {
  const r = compileRe2(pattern);
  return r.ok ? undefined : r.tooLarge;
}

/** The groups of `pattern` named in the `(?<name>…)` spelling (Go 1.22+); none when it does not compile. */
export function re2AngleNamedGroups(pattern: string): readonly string[] {
  const r = compileRe2(pattern);
  return r.ok ? r.pattern.angleNamedGroups : [];
}

/** The bounds of the C++ RE2 program size of `pattern` (`Re2Pattern.programSize`); `undefined` when it does not compile. */
export function re2ProgramSize(pattern: string): Re2ProgramSize | undefined {
  const r = compileRe2(pattern);
  return r.ok ? r.pattern.programSize() : undefined;
}

/** Whether the whole of `value` matches the RE2 `pattern`; `false` when the pattern does not compile. */
export function re2FullMatch(pattern: string, value: string): boolean {
  const r = compileRe2(pattern);
  return r.ok && r.pattern.fullMatch(value);
}

/** Whether some part of `value` matches the RE2 `pattern` (Go `MatchString`); `false` when the pattern does not compile. */
export function re2Test(pattern: string, value: string): boolean {
  const r = compileRe2(pattern);
  return r.ok && r.pattern.test(value);
}

/**
 * The most `[:` with no `:]` after them that a pattern may have to be compiled: `re2js` (as Go's `parseNamedClass`) searches
 * the rest of the pattern for `:]` at each `[:` where a class element starts, so 20,000 of them took 2.4 s, 100,000 (a 200 KB
 * file) 49.5 s. Go reads each as a literal `[`; realistic patterns have none.
 */
const MAX_UNCLOSED_POSIX_OPENINGS = 100;

/** How many `[:` of `pattern` no `:]` follows (from the `[:` on, as `re2js` searches). */
function unclosedPosixOpenings(pattern: string): number {
  let count = 0;
  for (let at = pattern.indexOf('[:', pattern.lastIndexOf(':]') + 1); at >= 0; at = pattern.indexOf('[:', at + 2)) count++;
  return count;
}

function compileUncached(source: string): Re2Result {
  if (typeof source !== 'string') return { ok: false, error: 'not a string' };
  const { size: estimate, invalidRepeat } = goProgramSize(source);
  // A repeat count Go refuses is refused by the parser before anything is compiled: its message (`invalid repeat count`) is Go's.
  if (estimate > MAX_COMPILED_PROGRAM && !invalidRepeat) {
    return {
      ok: false,
      tooLarge: estimate,
      error: `its program would have about ${estimate.toLocaleString('en-US')} instructions (its literals and classes times their repeat counts), `
        + `more than the ${MAX_COMPILED_PROGRAM.toLocaleString('en-US')} this tool compiles`,
    };
  }
  const unclosed = unclosedPosixOpenings(source);
  if (unclosed > MAX_UNCLOSED_POSIX_OPENINGS) {
    return {
      ok: false,
      error: `it has ${unclosed.toLocaleString('en-US')} \`[:\` that no \`:]\` follows (Go reads each in a class as a literal \`[\`), more than `
        + `the ${MAX_UNCLOSED_POSIX_OPENINGS} this tool reads (each is searched to the end of the pattern); write them \`\\[:\``,
    };
  }
  let re: RE2JS;
  try {
    re = re2js().RE2JS.compile(source);
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
  // Full matches are kept per value (bounded): the engine asks the same few HTTP methods and paths of the same patterns
  // again and again (every new peer and port of a first pass), and a match is a pure function of the pattern and value.
  const fullMatches = new BoundedMemo<string, boolean>(MAX_MEMO_VALUES);
  // RE2 refuses a group name given twice, so a name with no `(?P<name>` in the source was written `(?<name>`.
  const angleNamedGroups = Object.freeze(Object.keys(re.namedGroups()).filter((name) => !source.includes(`(?P<${name}>`)));
  let size: Re2ProgramSize | undefined;
  return {
    ok: true,
    pattern: Object.freeze({
      source,
      angleNamedGroups,
      fullMatch: (value: string): boolean => {
        if (value.length > MAX_MEMO_VALUE_LENGTH) return re.matches(value);
        return fullMatches.get(value, (v) => re.matches(v));
      },
      test: (value: string): boolean => re.test(value),
      programSize: (): Re2ProgramSize => (size ??= programSizeOf(re.re2().prog as Program)),
      toString: (): string => `/${source}/`,
    }),
  };
}

/** An instruction of the compiled program (`re2js` `Inst`, Go's `regexp/syntax.Inst`). */
interface Instruction {
  readonly op: number;
  readonly out: number;
  readonly arg: number;
  readonly runes: ArrayLike<number>;
}
interface Program {
  readonly inst: readonly Instruction[];
  readonly start: number;
}

// `re2js` `Inst` ops (Go's `InstOp`), and the begin-of-text flag of an empty-width instruction.
const ALT = 1;
const ALT_MATCH = 2;
const CAPTURE = 3;
const EMPTY_WIDTH = 4;
const FAIL = 5;
const MATCH = 6;
const RUNE = 8;
const RUNE1 = 9;
const RUNE_ANY = 10;
const RUNE_ANY_NOT_NL = 11;
const EMPTY_BEGIN_TEXT = 4;

/**
 * The C++ RE2 program size of a compiled program (see `Re2ProgramSize`). C++ RE2 (`re2/compile.cc`) compiles each literal
 * rune to one instruction per UTF-8 byte (a case-folded ASCII letter to one), each character class and `.` to one or more
 * byte-range instructions, each capture group to two capture instructions, and adds a fail instruction (index 0) and a
 * match instruction; alternations and loops become `Alt` instructions that `Prog::Flatten` removes.
 *
 * Why `atLeast` is a lower bound. C++ RE2 rewrites a pattern more than Go does before it compiles it: it factors a shared
 * first piece out of alternatives, empty-width ones too (`\bab|\bcd` → `\b(?:ab|cd)`), turns an ASCII case pair (`[Kk]`,
 * `[Ss]`, which Go keeps as classes because k and s also fold to non-ASCII letters) into a case-folded literal, merges
 * adjacent repeats of one character (`a*a*` → `a*`, `a+a{4,7}` → `a{5,}`), removes `x{0}`, and moves the literal after a
 * leading `^` out of the program (`RequiredPrefix`). So nothing inside an alternation, a class's ranges, an optional part
 * or a loop is counted, only what is certain:
 * - a program that can match has its fail and match instructions (2), and an unanchored one (no begin-of-text anchor
 *   anywhere) the byte range and nop of its `.*?` loop (2);
 * - a rune instruction of Go's program that every path from the start to the match goes through (it dominates the
 *   match) is a piece of the top-level concatenation that every match consumes, outside any alternation and optional
 *   part (Go factors common literal prefixes of alternatives as C++ RE2 does; C++ factors more, never less). C++ RE2
 *   compiles such a piece to its own instructions: a literal rune to one byte-range instruction per UTF-8 byte (only ASCII
 *   letters fold into one), a class or `.` (or a literal C++ turns into a class, `(?i)k`) to at least one; merging
 *   repeats keeps one instruction per required copy (`a*a` → `a+`, `a{2}a*` → `aa+`), but a character that some loop
 *   repeats is not counted at all (to stay clear of how a merge counts), nor anything of the literal prefix after `^`
 *   (its literal runes, case-folded or not, and ASCII case pairs, through empty-width instructions).
 * Capture groups are not counted (C++ RE2 may drop or keep a group whose contents simplify away).
 */
function programSizeOf(prog: Program): Re2ProgramSize {
  // A pattern that matches nothing (`[^\x00-\x{10FFFF}]`) is the fail instruction alone, in both engines.
  if (prog.start <= 0) return Object.freeze({ atLeast: 1, estimate: 1 });
  // The instructions reachable from the start, in postorder (the order the dominator computation walks).
  const reachable = postorder(prog);
  const anchored = reachable.some((pc) => prog.inst[pc].op === EMPTY_WIDTH && (prog.inst[pc].arg & EMPTY_BEGIN_TEXT) !== 0);
  const prefix = anchored ? literalPrefix(prog) : new Set<number>();
  const looping = new Set(reachable.filter((pc) => isRuneOp(prog.inst[pc]) && loopsOnItself(prog, pc)).map((pc) => runeKey(prog.inst[pc])));
  const required = dominatorsOfMatch(prog, reachable);
  // No match reachable: C++ RE2 may simplify the pattern to one that matches nothing, its fail instruction alone.
  if (required === undefined) return Object.freeze({ atLeast: 1, estimate: 1 });
  // An unanchored pattern gets a `.*?` loop in front (`Compiler::Compile`), flattened to a byte range 0x00-0xff and a nop
  // to the program's start (`Prog::Flatten` emits a nop where a list reaches another list's root).
  let atLeast = 2 + (anchored ? 0 : 2);
  let estimate = 2 + (anchored ? 0 : 2);
  for (const pc of reachable) {
    const inst = prog.inst[pc];
    if (inst.op === CAPTURE) {
      estimate += 1;
    } else if (inst.op === EMPTY_WIDTH || (inst.op === ALT && isOptional(prog, pc) && !looping.has(runeKey(prog.inst[inst.out])))) {
      estimate += 1;
    } else if (isRuneOp(inst) && !prefix.has(pc)) {
      const low = runeCostAtLeast(inst);
      // The copies of a looping character are merged into the loop (estimated away; their required copies too).
      if (!looping.has(runeKey(inst)) && required.has(pc)) atLeast += low;
      if (!looping.has(runeKey(inst)) || loopsOnItself(prog, pc)) estimate += Math.max(low, runeCostEstimate(inst));
    }
  }
  return Object.freeze({ atLeast, estimate: Math.max(atLeast, estimate) });
}

/**
 * The instructions every path from the start to a match instruction goes through (the dominators of the match, all match
 * instructions taken as one exit), or `undefined` when no match is reachable. Cooper, Harvey and Kennedy's iterative
 * algorithm on the reachable instructions in reverse postorder.
 */
function dominatorsOfMatch(prog: Program, order: readonly number[]): Set<number> | undefined {
  // Postorder numbers (the start has the highest) and immediate dominators, by instruction; -1 for none yet.
  const index = new Int32Array(prog.inst.length).fill(-1);
  order.forEach((pc, i) => (index[pc] = i));
  const preds = new Map<number, number[]>();
  for (const pc of order) {
    for (const n of successors(prog.inst[pc])) {
      if (n <= 0 || n >= prog.inst.length || index[n] < 0) continue;
      let list = preds.get(n);
      if (list === undefined) preds.set(n, list = []);
      list.push(pc);
    }
  }
  const idom = new Int32Array(prog.inst.length).fill(-1);
  idom[prog.start] = prog.start;
  const intersect = (a: number, b: number): number => {
    let x = a;
    let y = b;
    while (x !== y) {
      while (index[x] < index[y]) x = idom[x];
      while (index[y] < index[x]) y = idom[y];
    }
    return x;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = order.length - 1; i >= 0; i--) {
      const pc = order[i];
      if (pc === prog.start) continue;
      let dom = -1;
      for (const p of preds.get(pc) ?? []) {
        if (idom[p] >= 0) dom = dom < 0 ? p : intersect(p, dom);
      }
      if (dom >= 0 && idom[pc] !== dom) {
        idom[pc] = dom;
        changed = true;
      }
    }
  }
  const matches = order.filter((pc) => prog.inst[pc].op === MATCH);
  if (matches.length === 0) return undefined;
  let exit = matches[0];
  for (const m of matches.slice(1)) exit = intersect(exit, m);
  const required = new Set<number>([exit]);
  for (let at = exit; at !== prog.start;) {
    at = idom[at];
    required.add(at);
  }
  return required;
}

/** The instructions reachable from the start in postorder (iterative: a long literal is a long chain). */
function postorder(prog: Program): number[] {
  const order: number[] = [];
  const seen = new Set<number>([prog.start]);
  const stack: [number, number][] = [[prog.start, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = successors(prog.inst[top[0]]).filter((n) => n > 0 && n < prog.inst.length);
    if (top[1] < next.length) {
      const n = next[top[1]++];
      if (!seen.has(n)) {
        seen.add(n);
        stack.push([n, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

/** Whether an instruction consumes one rune (a literal, a class, `.`). */
function isRuneOp(inst: Instruction): boolean {
  return inst.op === RUNE || inst.op === RUNE1 || inst.op === RUNE_ANY || inst.op === RUNE_ANY_NOT_NL;
}

/** The text of each rune list (`re2js` gives the copies of a repeated class one list: `\\pL{1000}` is 1,000 instructions of one). */
const runeTexts = new WeakMap<object, string>();

/** What a rune instruction matches: equal for the instructions of one character (`a` in `a*a{2}`). */
function runeKey(inst: Instruction): string {
  const runes = inst.runes as unknown as object;
  let text = typeof runes === 'object' && runes !== null ? runeTexts.get(runes) : undefined;
  if (text === undefined) {
    text = Array.from(inst.runes).join(',');
    if (typeof runes === 'object' && runes !== null) runeTexts.set(runes, text);
  }
  return `${inst.op}:${inst.arg}:${text}`;
}

/** Whether an instruction consumes no input (alternation, capture, empty width, nop). */
function consumesNothing(inst: Instruction): boolean {
  return !isRuneOp(inst) && inst.op !== MATCH && inst.op !== FAIL;
}

/**
 * The literal runes that may start an anchored pattern (a superset of what C++ RE2's `RequiredPrefix` moves out of the
 * program): every single-rune instruction (case-folded or not) and ASCII case pair (`[Ss]`, a case-folded literal to C++
 * RE2) reachable from the start through instructions that consume nothing or one such rune.
 */
function literalPrefix(prog: Program): Set<number> {
  const prefix = new Set<number>();
  const seen = new Set<number>([prog.start]);
  const stack = [prog.start];
  for (let pc = stack.pop(); pc !== undefined; pc = stack.pop()) {
    const inst = prog.inst[pc];
    const literal = inst.op === RUNE1 || (inst.op === RUNE && (inst.runes.length === 1 || isAsciiCasePair(inst.runes)));
    if (literal) prefix.add(pc);
    else if (!consumesNothing(inst)) continue;
    for (const n of successors(inst)) {
      if (n > 0 && n < prog.inst.length && !seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return prefix;
}

/** Whether a class is one ASCII letter in both cases (`[Kk]`): C++ RE2 parses it as a case-folded literal. */
function isAsciiCasePair(runes: ArrayLike<number>): boolean {
  if (runes.length !== 4 || runes[0] !== runes[1] || runes[2] !== runes[3]) return false;
  return runes[0] >= 0x41 && runes[0] <= 0x5a && runes[2] === runes[0] + 0x20;
}

/** How many instructions a search of the program visits before it gives up (the searches stay linear in the program). */
const SEARCH_LIMIT = 64;

/** The instructions `inst` continues to (both branches of an alternation). */
function successors(inst: Instruction): number[] {
  return inst.op === ALT || inst.op === ALT_MATCH ? [inst.out, inst.arg] : [inst.out];
}

/**
 * Whether `target` is reachable from `from` (through instructions that consume nothing only, with `emptyOnly`), within
 * `SEARCH_LIMIT` instructions; `undefined` when the search gave up.
 */
function reaches(prog: Program, from: number, target: number, emptyOnly: boolean): boolean | undefined {
  const seen = new Set<number>([from]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i];
    if (at === target) return true;
    if (seen.size > SEARCH_LIMIT) return undefined;
    const inst = prog.inst[at];
    if (at !== from && emptyOnly && !consumesNothing(inst)) continue;
    for (const next of successors(inst)) {
      if (next > 0 && next < prog.inst.length && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/** Whether the rune instruction at `pc` may come back to itself through instructions that consume nothing (`a*`, `a+`). */
function loopsOnItself(prog: Program, pc: number): boolean {
  return reaches(prog, prog.inst[pc].out, pc, true) !== false;
}

/** Whether the alternation at `pc` is an optional part (`a?`, a copy of `a{0,n}`): C++ RE2's flattened program repeats an instruction for it. */
function isOptional(prog: Program, pc: number): boolean {
  const inst = prog.inst[pc];
  return reaches(prog, inst.out, pc, false) === false && reaches(prog, inst.out, inst.arg, false) === true;
}

function utf8Length(r: number): number {
  return r < 0x80 ? 1 : r < 0x800 ? 2 : r < 0x10000 ? 3 : 4;
}

/** The fewest C++ RE2 instructions a rune instruction compiles to: the UTF-8 bytes of a literal, one for a class or `.`. */
function runeCostAtLeast(inst: Instruction): number {
  if (inst.op === RUNE1) return utf8Length(inst.runes[0]);
  if (inst.op === RUNE) return inst.runes.length === 0 ? 0 : 1;
  return 1;
}

/**
 * About how many C++ RE2 instructions a rune instruction compiles to: a folded literal one per byte (an ASCII letter one),
 * a class one per UTF-8 byte of each of its ranges split at the UTF-8 length boundaries, `.` eight (measured), `(?s).` seven.
 */
function runeCostEstimate(inst: Instruction): number {
  if (inst.op === RUNE_ANY_NOT_NL) return 8;
  if (inst.op === RUNE_ANY) return 7;
  if (inst.op === RUNE1) return utf8Length(inst.runes[0]);
  if (inst.runes.length === 1) return inst.runes[0] < 0x80 ? 1 : utf8Length(inst.runes[0]) + 1;
  let cost = 0;
  for (let i = 0; i + 1 < inst.runes.length; i += 2) {
    let lo = inst.runes[i];
    const hi = inst.runes[i + 1];
    for (const top of [0x7f, 0x7ff, 0xffff, 0x10ffff]) {
      if (lo > hi) break;
      if (lo > top) continue;
      cost += utf8Length(lo);
      lo = top + 1;
    }
  }
  return cost;
}

/** Repeat counts above this are refused by Go (`invalid repeat count`), as are nested ones whose product is above it. */
const GO_MAX_REPEAT = 1000;

/** The size estimate of `goProgramSize`, and whether Go refuses a repeat count of the pattern (`invalid repeat count`). */
interface GoProgramSize { readonly size: number; readonly invalidRepeat: boolean }

/** A POSIX class where a class element starts (`[:alpha:]`, `[:^digit:]`); Go reads any other `[` there as itself. */
const POSIX_CLASS = /\[:\^?[a-z]+:\]/y;
/** Flags (`(?i)`, `(?i-s:`): Go's `[imsU-]` only; `]` of the match is `)` (flags for what follows) or `:` (a group). */
const FLAG_GROUP = /\(\?[imsU-]*([:)])/y;
/** A named capture group opening (`(?P<name>`, `(?<name>`). */
const NAMED_GROUP = /\(\?P?<\w*>/y;
/** A repeat as Go's `parseRepeat` reads it: `{n}`, `{n,}`, `{n,m}`; a number with a leading zero (`{01}`) makes it literal text. */
const REPEAT = /\{(0|[1-9]\d*)(?:(,)(0|[1-9]\d*)?)?\}/y;

/** Whether `re` matches `text` at `at` (sticky); its `lastIndex` is then the end of the match. */
function stickyAt(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

/** The index after the escape at `i` (`\n`, `\x41`, `\x{1F600}`, `\pL`, `\p{Greek}`); the end of `pattern` when unclosed. */
function skipEscape(pattern: string, i: number): number {
  const e = pattern[i + 1];
  let j = i + 2;
  if ((e === 'p' || e === 'P' || e === 'x') && pattern[j] === '{') {
    const end = pattern.indexOf('}', j);
    j = end < 0 ? pattern.length : end + 1;
  } else if (e === 'p' || e === 'P') {
    j += 1;
  } else if (e === 'x') {
    j += 2;
  }
  return j;
}

/** The index after the character class opening at `i` (`pattern[i] === '['`), read element by element as Go's `parseClass` does. */
function skipClass(pattern: string, i: number): number {
  const n = pattern.length;
  let j = i + 1;
  if (pattern[j] === '^') j++;
  let first = true;
  while (j < n && (first || pattern[j] !== ']')) {
    first = false;
    // A POSIX class only where an element starts: in `[!-[:]` the `[` is the upper end of a range and `]` closes the class.
    if (stickyAt(POSIX_CLASS, pattern, j) !== null) {
      j = POSIX_CLASS.lastIndex;
      continue;
    }
    if (pattern[j] === '\\') {
      const e = pattern[j + 1];
      j = skipEscape(pattern, j);
      // \d, \pL, …: a class of its own, not the lower end of a range.
      if ('dDsSwWpP'.includes(e ?? '')) continue;
    } else {
      j += (pattern.codePointAt(j) as number) > 0xffff ? 2 : 1;
    }
    if (pattern[j] === '-' && j + 1 < n && pattern[j + 1] !== ']') {
      j++;
      j = pattern[j] === '\\' ? skipEscape(pattern, j) : j + ((pattern.codePointAt(j) as number) > 0xffff ? 2 : 1);
    }
  }
  return j + 1;
}

/**
 * An estimate of the size of the program Go's `regexp/syntax` compiles `pattern` to, in one pass over the text and without
 * parsing it into a tree, so that a pattern too large to compile quickly is known before it is compiled. It applies Go's
 * `parser.calcSize` (`regexp/syntax/parse.go`) to the text as written: a literal rune, a class, `.` or an empty-width
 * assertion 1, an empty branch 1, a capture group 2 plus its body, `x*` 2 + x, `x+` and `x?` 1 + x, `x{n,m}` m·x + (m − n),
 * `x{n,}` 1 + n·x, an alternation the sum of its branches plus one per `|`. Go factors alternations (`ab|ac` → `a[bc]`)
 * and folds literal classes before it counts, so the estimate is at least Go's size for what Go parses. A repeat count
 * above 1000 (or nested counts whose product is: Go's `repeatIsValid`, which skips what is under a `{0}`) is refused by Go
 * (`invalid repeat count`): it is counted all the same, and `invalidRepeat` says so.
 */
export function goProgramSize(pattern: string): GoProgramSize {
  // One frame per open group: the size of its finished branches, of the current branch and of its last atom, whether the
  // group captures, and the largest product of nested repeat counts (Go's `repeatIsValid`) in it before its last atom and in that atom.
  interface Frame {
    done: number; branches: number; branch: number; last: number; capture: boolean; chainBefore: number; lastChain: number; lastQuantified: boolean;
  }
  const open = (capture: boolean): Frame => ({
    done: 0, branches: 0, branch: 0, last: 0, capture, chainBefore: 1, lastChain: 1, lastQuantified: false,
  });
  const stack: Frame[] = [open(false)];
  let top = stack[0];
  let invalidRepeat = false;
  const atom = (size: number, chain = 1): void => {
    top.branch += size;
    top.last = size;
    top.chainBefore = Math.max(top.chainBefore, top.lastChain);
    top.lastChain = chain;
    top.lastQuantified = false;
  };
  const quantify = (size: number): void => {
    top.branch += size - top.last;
    top.last = size;
    top.lastQuantified = true;
  };
  const close = (): void => {
    const group = stack.pop() as Frame;
    top = stack[stack.length - 1];
    atom(group.done + Math.max(1, group.branch) + group.branches + (group.capture ? 2 : 0), Math.max(group.chainBefore, group.lastChain));
  };
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      if (pattern[i + 1] === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const text = pattern.slice(i + 2, end < 0 ? n : end);
        for (const _ of text) atom(1);
        i = end < 0 ? n : end + 2;
        continue;
      }
      i = skipEscape(pattern, i);
      atom(1);
    } else if (c === '[') {
      // A class is one instruction.
      i = skipClass(pattern, i);
      atom(1);
    } else if (c === '(') {
      const flags = stickyAt(FLAG_GROUP, pattern, i);
      if (flags?.[1] === ')') {
        // (?i): flags for what follows, no group.
        i = FLAG_GROUP.lastIndex;
        continue;
      }
      if (flags !== null) {
        i = FLAG_GROUP.lastIndex;
        stack.push(top = open(false));
      } else if (pattern[i + 1] === '?' && stickyAt(NAMED_GROUP, pattern, i) !== null) {
        i = NAMED_GROUP.lastIndex;
        stack.push(top = open(true));
      } else {
        // `(`, or a `(?` Go refuses (`(?=`, `(?P=`): a capture group, and what follows is counted.
        i += pattern[i + 1] === '?' ? 2 : 1;
        stack.push(top = open(true));
      }
    } else if (c === ')' && stack.length > 1) {
      close();
      i++;
    } else if (c === '|') {
      top.done += Math.max(1, top.branch);
      top.branches++;
      top.branch = 0;
      top.last = 0;
      top.chainBefore = Math.max(top.chainBefore, top.lastChain);
      top.lastChain = 1;
      i++;
    } else if ((c === '*' || c === '+' || c === '?') && !top.lastQuantified) {
      quantify((c === '*' ? 2 : 1) + top.last);
      i++;
    } else if ((c === '*' || c === '+' || c === '?') && top.lastQuantified) {
      // The lazy form (`a*?`); Go refuses a second repeat (`a**`).
      top.lastQuantified = false;
      i++;
    } else if (c === '{' && !top.lastQuantified && stickyAt(REPEAT, pattern, i) !== null) {
      const m = stickyAt(REPEAT, pattern, i) as RegExpExecArray;
      i = REPEAT.lastIndex;
      // Go refuses a number of more than 8 digits: capped so that sizes stay finite.
      const min = Math.min(Number(m[1]), 1e9);
      const max = m[2] === undefined ? min : m[3] === undefined ? -1 : Math.min(Number(m[3]), 1e9);
      const count = max === -1 ? min : max;
      // Under {0} Go does not look (repeatIsValid): the counts inside do not multiply those outside.
      const chain = count === 0 ? 1 : top.lastChain * count;
      if (min > GO_MAX_REPEAT || max > GO_MAX_REPEAT || (max >= 0 && min > max) || chain > GO_MAX_REPEAT) invalidRepeat = true;
      top.lastChain = Math.min(chain, Number.MAX_SAFE_INTEGER);
      const size = max === -1 ? (min === 0 ? 2 + top.last : 1 + min * top.last) : max * top.last + Math.max(0, max - min);
      quantify(Math.min(Math.max(1, size), Number.MAX_SAFE_INTEGER));
    } else {
      const cp = pattern.codePointAt(i) as number;
      atom(1);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  // Groups left open (Go refuses them, `missing closing )`): closed here, so that their size is counted.
  while (stack.length > 1) close();
  return { size: Math.min(top.done + Math.max(1, top.branch) + top.branches, Number.MAX_SAFE_INTEGER), invalidRepeat };
}

/** The size of `goProgramSize`. */
export function goProgramSizeEstimate(pattern: string): number {
  return goProgramSize(pattern).size;
}

/** The `re2js` module, loaded on first compile: many runs (a `trace` of policies without CRD-pattern fields or HTTP rules) never compile a pattern. */
function re2js(): typeof import('re2js') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('re2js') as typeof import('re2js');
}

/** `error parsing regexp: invalid escape sequence: `\y`` → `invalid escape sequence: \y`. */
function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^error parsing regexp: /, '').replace(/`/g, '').split('\n')[0];
}
