// Stryker checker plugin of `npm run test:mutation:sample` (scripts/mutation-sample.mjs). A `--mutate` range
// `file:line:col-line:col` takes every mutant whose node lies inside it: the other mutants of a sampled node (`a < b`
// gives `a <= b`, `a >= b`, `true` and `false`, one range) and those of the nodes within it (`a` and `b` inside `a && b`).
// A checker is the one place where Stryker hands over each mutant (location, mutator, replacement) before testing it: this
// one passes the sampled mutants and fails the others ("CompileError", reason "Not in the mutation sample"), which Stryker
// then does not test and leaves out of its score. The sample is the file named by MUTATION_SAMPLE_FILE. The reporter
// `mutation-sample` prints each sampled mutant's result as soon as it is known, so survivors can be studied during a run.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { CheckStatus } from '@stryker-mutator/api/check';
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

/** The identity of a mutant: project-relative file, 0-based positions (Stryker's API), mutator and replacement. */
export function mutantKey(fileName, location, mutatorName, replacement) {
  const { start, end } = location;
  return `${fileName.split('\\').join('/')}:${start.line}:${start.column}-${end.line}:${end.column} ${mutatorName} ${replacement}`;
}

let sample;
function sampled() {
  if (sample === undefined) {
    const file = process.env.MUTATION_SAMPLE_FILE;
    if (file === undefined || file === '') throw new Error('mutation-sample-checker: MUTATION_SAMPLE_FILE is not set');
    const { root, mutants } = JSON.parse(readFileSync(file, 'utf8'));
    sample = { root, keys: new Set(mutants.map((m) => mutantKey(m.fileName, m.location, m.mutatorName, m.replacement))) };
  }
  return sample;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Checker, 'mutation-sample', {
    async init() {
      sampled();
    },
    async check(mutants) {
      const { root, keys } = sampled();
      return Object.fromEntries(mutants.map((m) => [m.id,
        keys.has(mutantKey(relative(root, m.fileName), m.location, m.mutatorName, m.replacement))
          ? { status: CheckStatus.Passed }
          : { status: CheckStatus.CompileError, reason: 'Not in the mutation sample' }]));
    },
  }),
  declareValuePlugin(PluginKind.Reporter, 'mutation-sample', {
    onMutantTested(r) {
      if (r.statusReason === 'Not in the mutation sample' || r.status === 'Ignored') return;
      const { start } = r.location;
      console.log(`[sample] ${r.status} ${relative(sampled().root, r.fileName)}:${start.line}:${start.column} ${r.mutatorName}: ${r.replacement.split('\n')[0]}`);
    },
  }),
];
