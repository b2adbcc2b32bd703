// Hostile option values through the whole program (`run`/`runAsync`, as the installed command runs): an option whose
// value commander took from the option after it, an empty path.
import { describe, expect, test } from 'vitest';
import { cli, cliAsync } from '../support/cli';
import { GUARD, httpPolicy, scratchDir, write } from './support';

const dir = scratchDir();
const POLICY = write(dir, 'p.yaml', httpPolicy([{ method: 'GET', path: '/ok' }]));

describe('an option without its value is named, not a later option as missing', () => {
  // Session 40: `trace --policies --from pod:… --to …` said "required option '--from <endpoint>' not specified": commander
  // had taken --from as the path, and the pod as nothing.
  test('trace --policies --from …', GUARD, () => {
    const r = cli('trace', '--policies', '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP');
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'error: --policies has no value: the argument after it is the option --from (cli-usage); '
      + 'fix: give the value right after the option: --policies <paths...>\n']);
  });

  test('trace --from --to …, and --port=… after an option', GUARD, () => {
    const r = cli('trace', '--policies', POLICY, '--from', '--to', 'pod:shop:app=api', '--port', '80/TCP');
    expect([r.code, r.stderr]).toEqual([2, 'error: --from has no value: the argument after it is the option --to (cli-usage); '
      + 'fix: give the value right after the option: --from <endpoint>\n']);
    const eq = cli('trace', '--policies', POLICY, '--from', 'pod:shop:app=web', '--to', '--port=80/TCP');
    expect(eq.stderr).toMatch(/^error: --to has no value: the argument after it is the option --port \(cli-usage\)/);
  });

  test('replay --flows --policies …', GUARD, async () => {
    const r = await cliAsync('replay', '--flows', '--policies', POLICY);
    expect([r.code, r.stderr]).toEqual([2, 'error: --flows has no value: the argument after it is the option --policies (cli-usage); '
      + 'fix: give the value right after the option: --flows <file>\n']);
  });

  test('values are still read as given: paths after --policies, a request after --http', GUARD, () => {
    const r = cli('trace', '--policies', POLICY, POLICY, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP', '--http', 'GET /ok');
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

describe('an empty path is refused, not read as the working directory', () => {
  // Session 40: `--policies ""` (a CI variable left unset) read every manifest below the working directory and gave a verdict.
  test('trace --policies ""', GUARD, () => {
    const r = cli('trace', '--policies', '', '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP');
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'error: "": an empty path (an unset variable?) names no file; the working directory is not '
      + 'read in its place (input-not-found); fix: give the policy files or directories (cdk8s synth writes them to dist/), or . for the working directory\n']);
  });

  test('validate ""', GUARD, async () => {
    const r = await cliAsync('validate', '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: nothing to validate: an empty path \(an unset variable\?\) names no file; .* \(input-not-found\)/);
  });
});
