import { App, AppProps } from 'cdk8s';
import { CiliumPolicyError, Severity } from './errors';
import { CiliumAppValidation, formatAppDiagnostic, validateApp } from './validate';

/**
 * Builds and synthesizes a cdk8s app, reporting input errors as plain messages instead of stack traces.
 *
 * Use it as the last line of `main.ts`: `runSynth((app) => { new MyChart(app, 'my-chart'); });`. Every problem
 * of every policy is listed at once (construct path, field, bad value, fix) and nothing is written to the output
 * directory when any policy is invalid; the process then exits with status 1. Errors that are not input errors
 * (bugs) keep their stack trace.
 *
 * @param build adds the charts to the app
 * @param props props of the `App` (output directory, file naming…)
 * @returns the synthesized app, or `undefined` when it failed
 */
export function runSynth(build: (app: App) => void, props: AppProps = {}): App | undefined {
  try {
    const app = new App(props);
    build(app);
    // Apps that hold only raw ApiObject policies get the app-wide checks too.
    CiliumAppValidation.ensure(app);
    // Validate everything before writing anything: no partial output.
    const errors = app.node.findAll().flatMap((c) => c.node.validate().map((message) => (c.node.path ? `[${c.node.path}] ${message}` : message)));
    if (errors.length > 0) {
      process.stderr.write(`cdk8s-cilium: synthesis failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${errors.map((e) => `  ${e.replace(/\n/g, '\n  ')}`).join('\n')}\n`);
      process.exitCode = 1;
      return undefined;
    }
    for (const warning of validateApp(app).filter((d) => d.severity === Severity.WARNING)) {
      process.stderr.write(`cdk8s-cilium: warning: ${formatAppDiagnostic(warning)}\n`);
    }
    app.synth();
    return app;
  } catch (caught) {
    const e = inputError(caught) ?? caught;
    if (e instanceof Error && (e.name === 'CiliumPolicyError' || /^Validation failed/.test(e.message))) {
      process.stderr.write(`cdk8s-cilium: ${e.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw e;
  }
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
