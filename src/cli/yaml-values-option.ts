// The run-wide budget of YAML values (`model/yaml-value-budget.ts`) on the command line: `--max-yaml-values` of the
// commands that read YAML, and the budget of one command run.
import { Command } from 'commander';
import { DEFAULT_MAX_RUN_YAML_VALUES, YamlValueBudget, currentYamlValueBudget, withYamlValueBudget } from '../model/yaml-value-budget';
import { parseIntegerOption } from './numeric-option';

/** The flag that raises the budget. */
export const MAX_YAML_VALUES_FLAG = '--max-yaml-values';

/** The commands that read YAML inputs (policies, manifests, an inventory, files at a git ref): `draft` and `init` read none. */
const READS_YAML: ReadonlySet<string> = new Set(['trace', 'validate', 'replay', 'diff', 'report']);

/**
 * @internal Runs one command run (`fn` parses the arguments and runs the action) within a budget of its own: every YAML
 * input any reader of the run reads is charged to it. The limit is `DEFAULT_MAX_RUN_YAML_VALUES` until the command's
 * `--max-yaml-values` sets it (`addYamlValuesOption`).
 */
export function inCommandRun<T>(fn: () => T): T {
  return withYamlValueBudget(new YamlValueBudget(DEFAULT_MAX_RUN_YAML_VALUES, MAX_YAML_VALUES_FLAG), fn);
}

/**
 * @internal Adds `--max-yaml-values <n>` to a command that reads YAML: before its action, the limit of the run's budget is
 * set from it. A command that reads no YAML is returned as it is.
 */
export function addYamlValuesOption(cmd: Command): Command {
  if (!READS_YAML.has(cmd.name())) return cmd;
  cmd.option(`${MAX_YAML_VALUES_FLAG} <n>`, 'the most YAML values all the inputs of this run may hold together; the input that takes the total past it '
    + `stops the run (exit 2) (default: ${DEFAULT_MAX_RUN_YAML_VALUES.toLocaleString('en-US')}, about 30,000 policies)`);
  cmd.hook('preAction', () => {
    const value: unknown = cmd.opts().maxYamlValues;
    if (typeof value !== 'string') return;
    const limit = parseIntegerOption(value, MAX_YAML_VALUES_FLAG, { min: 1, example: 2_000_000, id: 'cli-max-yaml-values', what: 'a number of YAML values of 1 or more' });
    const budget = currentYamlValueBudget();
    // Every runner of a command runs it in a budget (`inCommandRun`): a flag without one would be ignored.
    if (budget === undefined) throw new Error(`${MAX_YAML_VALUES_FLAG}: the command is not run within a budget (inCommandRun)`);
    budget.setLimit(limit);
  });
  return cmd;
}
