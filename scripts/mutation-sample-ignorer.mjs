// Stryker ignorer plugin of `npm run test:mutation:sample` (scripts/mutation-sample.mjs): a `--mutate` range
// `file:line:col-line:col` takes every mutant whose node lies inside it, so the range of a sampled mutant also takes the
// mutants of the nodes within its node (`a` and `b` inside `a && b`). This ignorer leaves those out: it ignores a node
// that is not the node of a sampled mutant and holds none (an ignored node's mutants, and those of everything inside it,
// are reported "Ignored" and not tested). The mutants of other mutators on a sampled node cannot be told apart here (an
// ignorer sees nodes, not mutants): the script reports them as extras, tested but not counted.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import process from 'node:process';
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

/** Sampled node locations per project-relative file (Babel positions: 1-based lines, 0-based columns). */
let sampled;
function locations() {
  if (sampled === undefined) {
    const file = process.env.MUTATION_SAMPLE_FILE;
    if (file === undefined || file === '') throw new Error('mutation-sample-ignorer: MUTATION_SAMPLE_FILE is not set');
    sampled = new Map();
    for (const m of JSON.parse(readFileSync(file, 'utf8')).mutants) {
      const list = sampled.get(m.fileName) ?? [];
      list.push({ start: { line: m.location.start.line + 1, column: m.location.start.column },
        end: { line: m.location.end.line + 1, column: m.location.end.column } });
      sampled.set(m.fileName, list);
    }
  }
  return sampled;
}

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const within = (outer, inner) => before(outer.start, inner.start) && before(inner.end, outer.end);
const same = (a, b) => within(a, b) && within(b, a);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'mutation-sample', {
    shouldIgnore(path) {
      const loc = path.node.loc;
      const fileName = path.hub?.file?.opts?.filename;
      if (!loc || typeof fileName !== 'string') return undefined;
      const inFile = locations().get(relative(process.cwd(), fileName).split('\\').join('/'));
      if (inFile === undefined) return undefined;
      if (inFile.some((s) => same(s, loc) || within(loc, s))) return undefined;
      return 'Not in the mutation sample';
    },
  }),
];
