/**
 * The YAML values of one run, counted across all its inputs. The per-input limit (`MAX_YAML_VALUES`) bounds one file; the
 * YAML library's time and memory grow with the values it parses (about 9 µs and 0.8 KB each), so a run over many files each
 * under that limit costs their sum: three files of 990,000 values took `validate` 204 s and 1.68 GB. The one YAML reader
 * (`readYamlDocuments`) charges every input to the budget of the run it reads for, before parsing it, and refuses the
 * input that takes the total past the limit: the whole run stops there (a `CiliumPolicyError`), nothing is judged.
 *
 * A run is one CLI command (every reader of it: the policies, `diff --base`'s files at a git ref, the inventory) or one
 * library call that reads files or texts (`PolicySet.fromFiles`, `fromTexts`, `fromYaml`, `Validator.validatePaths`,
 * `validateInputs`, each with its option `maxYamlValues`; the cdk8s validation plugin's synthesis, with its property `maxYamlValues`): a
 * call made inside a run (the CLI's) shares the run's budget; one made outside any starts its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CiliumPolicyError } from '../core/errors';
import { refuseOptionValue } from './known-keys';
import { withoutControls } from './printable';

/**
 * The most YAML values all the inputs of one run hold together unless told otherwise: 1,000,000, as much as one input may
 * hold (`MAX_YAML_VALUES`), which the YAML library parses in about 20 s and 1 GB. A policy holds about 30 values as
 * `nestingDepthError` counts them (Cilium's 97 example policies, `examples/policies`: 26 per document; the reference
 * platform's 20 synthesized documents: 31), so the limit is about 32,000 policies alone, or 10,000 policies each beside
 * workloads and Services of up to 69 values.
 */
export const DEFAULT_MAX_RUN_YAML_VALUES = 1_000_000;

/** The values a run has read, and its limit. */
export class YamlValueBudget {
  private used = 0;

  /**
   * @param max the most values the run reads, a whole number of 1 or more
   * @param raise how the limit is raised, for the fix (`--max-yaml-values`, or the option of the call)
   */
  public constructor(private max: number, private readonly raise: string) {}

  /** The most values the run reads. */
  public get limit(): number {
    return this.max;
  }

  /** Sets the limit (the command's `--max-yaml-values`, parsed before anything is read). */
  public setLimit(max: number): void {
    this.max = max;
  }

  /** The values read so far. */
  public get total(): number {
    return this.used;
  }

  /**
   * Counts the values of one input, before it is parsed.
   * @throws CiliumPolicyError (`input-values-budget`) when they take the run past its limit (then they are not counted)
   */
  public charge(values: number, file: string | undefined): void {
    const total = this.used + values;
    if (total > this.max) {
      const where = file !== undefined ? `${withoutControls(file)}: ` : '';
      throw new CiliumPolicyError({
        id: 'input-values-budget',
        message: `${where}the inputs of this run hold more than ${this.max.toLocaleString('en-US')} YAML values: `
          + `${this.used.toLocaleString('en-US')} in the inputs read before this one, ${values.toLocaleString('en-US')} in it; nothing is judged`,
        fix: `give fewer or smaller inputs (10,000 policies are about 300,000 values), or raise the limit (${this.raise} ${total} or more)`,
      });
    }
    this.used = total;
  }
}

const RUN = new AsyncLocalStorage<YamlValueBudget>();

/** The budget of the run this code reads for, if any. */
export function currentYamlValueBudget(): YamlValueBudget | undefined {
  return RUN.getStore();
}

/** Runs `fn` with `budget` as its run's budget (every YAML input read during it, synchronously or not, is charged to it). */
export function withYamlValueBudget<T>(budget: YamlValueBudget, fn: () => T): T {
  return RUN.run(budget, fn);
}

/**
 * Runs `fn` (one library call) within the budget of the run it is made in, else within a budget of its own of `limit`
 * values (default `DEFAULT_MAX_RUN_YAML_VALUES`).
 * @param call the call (`PolicySet.fromFiles()`), for the errors
 * @throws CiliumPolicyError (`option-value`) when `limit` is no whole number of 1 or more
 */
export function inYamlValueBudget<T>(call: string, limit: number | undefined, fn: () => T): T {
  checkMaxYamlValues(call, limit);
  if (RUN.getStore() !== undefined) return fn();
  return RUN.run(new YamlValueBudget(limit ?? DEFAULT_MAX_RUN_YAML_VALUES, `maxYamlValues of ${call}`), fn);
}

/**
 * Refuses a `maxYamlValues` option that is no whole number of 1 or more, also of a call that reads no YAML
 * (`PolicySet.fromConstruct`, `fromDocuments`), which takes the engine's options and so this one, unused.
 * @param call the call (`PolicySet.fromFiles()`), for the error
 * @throws CiliumPolicyError (`option-value`)
 */
export function checkMaxYamlValues(call: string, limit: unknown): void {
  if (limit !== undefined && !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 1)) {
    refuseOptionValue(call, 'maxYamlValues', limit, 'a whole number of YAML values of 1 or more',
      `e.g. maxYamlValues: 2000000 (leave it out for ${DEFAULT_MAX_RUN_YAML_VALUES})`);
  }
}
