import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App, AppProps } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CiliumPolicyError, Severity } from '../core/errors';
import { PolicyBase } from './policy-base';
import { bindSynthSessions, inSynthSession } from '../model/synth-session';
import { makeDirectories } from '../model/make-directories';
import { validationErrorCount } from '../model/diagnostic-budget';
import { checkKnownKeys } from '../model/known-keys';
import { withoutControls } from '../model/printable';
import { CiliumAppValidation, formatAppDiagnostic, validateApp } from '../validate';

/** What `Synth.run` calls to add the charts to the app. */
export interface IAppBuilder {
  /**
   * Adds the charts to `app`.
   * @param app the app being built
   */
  addCharts(app: App): void;
}

/**
 * Synthesizes a cdk8s app with every problem reported as a plain message (construct path, field, bad value, fix),
 * nothing written unless everything is valid: the last line of `main.ts`.
 *
 * ```ts
 * Synth.run({ addCharts: (app) => { new MyChart(app, 'my-chart'); } });
 * ```
 */
export class Synth {
  /**
   * Builds and synthesizes a cdk8s app, reporting input errors as plain messages instead of stack traces. Every
   * problem of every policy is listed at once and nothing is written to the output directory when any policy is
   * invalid; the process then exits with status 1. The output directory is replaced whole or not at all.
   * @param builder adds the charts to the app
   * @param props props of the `App` (output directory, file naming…); default: `dist/` (or `$CDK8S_OUTDIR`)
   * @returns the synthesized app, or `undefined` when it failed
   */
  public static run(builder: IAppBuilder, props: AppProps = {}): App | undefined {
    const refused = builderError(builder);
    if (refused) {
      // As an output folder that cannot be made: one message, no stack trace, nothing built, nothing written, exit status 1.
      process.stderr.write(`cdk8s-cilium: ${refused.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    return runSynth((app) => builder.addCharts(app), props);
  }

  private constructor() {}
}

/** The props of cdk8s's `App` (`AppProps`), which go into `Synth.run`'s second argument. */
const APP_PROPS: readonly string[] = ['outdir', 'outputFileExtension', 'yamlOutputType', 'recordConstructMetadata', 'resolvers'];

/** Why `builder` is not an object with an `addCharts` method (`synth-builder`), or a key of it is misplaced (`option-unknown`). */
function builderError(builder: IAppBuilder): CiliumPolicyError | undefined {
  if (builder === null || typeof builder !== 'object' || typeof builder.addCharts !== 'function') {
    return new CiliumPolicyError({
      id: 'synth-builder',
      message: `Synth.run(${describeBuilder(builder)}): the first argument is an object with an addCharts(app) method`,
      fix: 'pass { addCharts: (app) => { new MyChart(app, \'my-chart\'); } } (runSynth(fn) of 0.x is Synth.run({ addCharts: fn }))',
    });
  }
  return builderKeyError(builder);
}

/**
 * What was given as the builder, for the message: `a function`, an object by its keys (`{ addChart }`: a module namespace
 * or a null-prototype object has no `toString`), or the value.
 */
function describeBuilder(builder: unknown): string {
  if (typeof builder === 'function') return 'a function';
  if (builder === null || typeof builder !== 'object') return withoutControls(String(builder));
  const keys = Object.keys(builder);
  const shown = keys.slice(0, 5).map((k) => withoutControls(k.length > 40 ? `${k.slice(0, 40)}...` : k));
  return keys.length === 0 ? '{}' : `{ ${shown.join(', ')}${keys.length > 5 ? `, and ${keys.length - 5} more` : ''} }`;
}

/**
 * A key of the builder object other than `addCharts` (`Synth.run({ outdir: 'out', addCharts })`) was dropped: the app was
 * written to `dist/`, replacing what was there, instead of where asked (`option-unknown`).
 */
function builderKeyError(builder: IAppBuilder): CiliumPolicyError | undefined {
  try {
    checkKnownKeys(builder, ['addCharts'], ({ key, shown }) => {
      const appProp = APP_PROPS.includes(key);
      return {
        id: 'option-unknown',
        message: `Synth.run(): ${key} (${shown}) is not a field of the builder (the first argument), which has addCharts only; it would be left out`
          + (key === 'outdir' ? ', and the app would be written to the default outdir (dist/, or $CDK8S_OUTDIR), replacing what is there'
            : appProp ? `, and the app would be synthesized with the default ${key}` : ''),
        fix: appProp ? `${key} is a prop of the App: pass it as the second argument, Synth.run({ addCharts }, { ${key}: … })`
          : `remove it; the props of the App (${APP_PROPS.join(', ')}) are the second argument: Synth.run({ addCharts }, { outdir })`,
      };
    });
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e;
    throw e;
  }
  return undefined;
}

/**
 * Builds and synthesizes a cdk8s app, reporting input errors as plain messages instead of stack traces (the
 * implementation of `Synth.run`).
 * Every problem
 * of every policy is listed at once (construct path, field, bad value, fix) and nothing is written to the output
 * directory when any policy is invalid; the process then exits with status 1. Errors that are not input errors
 * (bugs) keep their stack trace.
 *
 * The output directory is replaced whole or not at all: the app synthesizes into a new directory next to it, which
 * then takes its place (a rename), so a failure at any point — also one after validation, such as a value that
 * resolves late in a second chart — leaves the previous output as it was.
 *
 * @param build adds the charts to the app
 * @param props props of the `App` (output directory, file naming…)
 * @returns the synthesized app, or `undefined` when it failed
 */
export function runSynth(build: (app: App) => void, props: AppProps = {}): App | undefined {
  const outdir = resolve(props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist');
  try {
    makeDirectories(dirname(outdir), 'give an output directory you can write to (the outdir prop, or CDK8S_OUTDIR)');
  } catch (e) {
    // A folder that cannot be made is an input error of the app's props: one line, as the others.
    if (!(e instanceof CiliumPolicyError)) throw e;
    process.stderr.write(`cdk8s-cilium: ${e.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
  const staging = mkdtempSync(join(dirname(outdir), `.${basename(outdir)}.synth-`));
  let done = false;
  try {
    const app = new App({ ...props, outdir: staging });
    build(app);
    // Apps that hold only raw ApiObject policies get the app-wide checks too.
    CiliumAppValidation.ensure(app);
    // Its charts prepare and validate the app once in the session, not once each (see `bindSynthSessions`).
    bindSynthSessions(app);
    // One synthesis session from validation to the last file: every policy is rendered and validated once.
    const ok = inSynthSession(app, () => validateAndSynth(app));
    if (!ok) return undefined;
    swapInto(staging, outdir);
    done = true;
    // The app was synthesized into the staging directory, now at `outdir`.
    Object.defineProperty(app, 'outdir', { value: outdir, enumerable: true });
    return app;
  } catch (caught) {
    const e = inputError(caught) ?? caught;
    if (e instanceof Error && (e.name === 'CiliumPolicyError' || /^Validation failed/.test(e.message))) {
      process.stderr.write(`cdk8s-cilium: ${e.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw e;
  } finally {
    if (!done) rmSync(staging, { recursive: true, force: true });
  }
}

/** Validates `app` (errors: printed, nothing synthesized, `false`), prints the warnings, then synthesizes it. */
function validateAndSynth(app: App): boolean {
  // Validate everything before writing anything: no partial output. The app's own validation (the app-wide checks, which
  // read every manifest) runs last: by then each policy has validated itself, rendered its manifest and dropped its
  // rendered rules (memory). The errors are listed in construct order all the same.
  const constructs = app.node.findAll();
  const found = new Map<IConstruct, string[]>();
  for (const c of constructs) if (c !== app) found.set(c, c.node.validate());
  found.set(app, app.node.validate());
  const errors = constructs.flatMap((c) => (found.get(c) ?? []).map((message) => (c.node.path ? `[${c.node.path}] ${message}` : message)));
  if (errors.length > 0) {
    // The true count: a summary ("and N more …", the diagnostic cap) is one message standing for N errors.
    let count = 0;
    for (const c of constructs) count += validationErrorCount(c, found.get(c) ?? []);
    process.stderr.write(`cdk8s-cilium: synthesis failed with ${count.toLocaleString('en-US')} error${count === 1 ? '' : 's'}:\n`
      + `${errors.map((e) => `  ${e.replace(/\n/g, '\n  ')}`).join('\n')}\n`);
    process.exitCode = 1;
    return false;
  }
  for (const warning of validateApp(app).filter((d) => d.severity === Severity.WARNING)) {
    process.stderr.write(`cdk8s-cilium: warning: ${formatAppDiagnostic(warning)}\n`);
  }
  // Validated: what is left to do is writing the manifests, which the session keeps.
  PolicyBase._releaseSessionModels(app);
  app.synth();
  return true;
}

/** Puts `staging` in place of `outdir`: the old directory is moved aside first and removed once the new one is in place. */
function swapInto(staging: string, outdir: string): void {
  const old = `${staging}.old`;
  let moved = false;
  try {
    renameSync(outdir, old);
    moved = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  try {
    renameSync(staging, outdir);
  } catch (e) {
    if (moved) renameSync(old, outdir);
    throw e;
  }
  if (moved) rmSync(old, { recursive: true, force: true });
}

/**
 * The input error behind an error thrown by `constructs` or cdk8s, as a `CiliumPolicyError`; `undefined` for anything else.
 * Today: a construct id used twice in one scope (`There is already a Construct with name 'x' in Chart [shop]`).
 */
function inputError(e: unknown): CiliumPolicyError | undefined {
  if (!(e instanceof Error)) return undefined;
  const duplicate = /^There is already a Construct with name '(.*)' in (\S+)(?: \[(.*)\])?$/.exec(e.message);
  if (duplicate) {
    const [, id, type, scope] = duplicate;
    return new CiliumPolicyError({
      id: 'construct-id-duplicate',
      message: `there is already a construct with id "${id}" in ${scope ? `${type} ${scope}` : `the ${type}`}`,
      fix: `give each construct its own id within its scope, e.g. "${id}-2" (the id is the construct's path segment and the default policy name)`,
      location: scope ? `${scope}/${id}` : id,
    });
  }
  return undefined;
}
