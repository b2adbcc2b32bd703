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
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'error: --policies "": an empty path (an unset variable?) names no file; the working directory is not '
      + 'read in its place (input-not-found); fix: give the policy files or directories (cdk8s synth writes them to dist/), or . for the working directory\n']);
  });

  test('validate ""', GUARD, async () => {
    const r = await cliAsync('validate', '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: nothing to validate: an empty path \(an unset variable\?\) names no file; .* \(input-not-found\)/);
  });
});

describe('an empty value of any option naming files is refused before it is resolved, with the fix of that option', () => {
  // Session 40 review: `--inventory ""` gave the fix of a policy input, `validate --crd ""` read the working directory,
  // `--flows ""` said `cannot read flow log : ENOENT`, `diff --base ""` printed `--base  is neither…`.
  const empty = (flag: string, fix: string): string => `error: ${flag} "": an empty path (an unset variable?) names no file; the working directory is not `
    + `read in its place (input-not-found); fix: ${fix}\n`;
  const INVENTORY = 'give the inventory file: kubectl get pods -A -o json > pods.json, then --inventory pods.json';
  const FLOWS_FIX = 'give the Hubble flow log: hubble observe -o jsonpb > flows.jsonl, then --flows flows.jsonl (- for standard input)';

  test('--inventory "" (report, diff)', GUARD, async () => {
    for (const r of [await cliAsync('report', '--policies', POLICY, '--inventory', ''), await cliAsync('diff', '--base', POLICY, '--head', POLICY, '--inventory', '')]) {
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', empty('--inventory', INVENTORY)]);
    }
  });

  test('--flows "" (replay, draft, report)', GUARD, async () => {
    for (const r of [await cliAsync('replay', '--flows', '', '--policies', POLICY), await cliAsync('draft', '--flows', ''),
      await cliAsync('report', '--policies', POLICY, '--flows', '')]) {
      expect([r.code, r.stderr]).toEqual([2, empty('--flows', FLOWS_FIX)]);
    }
  });

  test('validate --crd ""', GUARD, async () => {
    const r = await cliAsync('validate', '--crd', '', POLICY);
    expect([r.code, r.stderr]).toEqual([2, empty('--crd', 'give the CRD file: kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml > cnp-crd.yaml, '
      + 'then --crd cnp-crd.yaml')]);
  });

  test('diff --base "" and --head "", report and replay --policies "" among other paths', GUARD, async () => {
    expect((await cliAsync('diff', '--base', '', '--head', POLICY)).stderr).toBe(empty('--base', 'give the policies before the change: files or directories, '
      + 'or a git ref (origin/main)'));
    expect((await cliAsync('diff', '--base', POLICY, '--head', POLICY, ''))).toMatchObject({ code: 2, stderr: empty('--head', 'give the policies after the change: '
      + 'files or directories (cdk8s synth writes them to dist/), or . for the working directory') });
    const policies = empty('--policies', 'give the policy files or directories (cdk8s synth writes them to dist/), or . for the working directory');
    expect((await cliAsync('report', '--policies', POLICY, ''))).toMatchObject({ code: 2, stderr: policies });
    expect((await cliAsync('replay', '--flows', '-', '--policies', ''))).toMatchObject({ code: 2, stderr: policies });
  });
});
