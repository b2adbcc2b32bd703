// `--policy-default-local-cluster` and `--allow-localhost` of `trace` and `replay`: one reading of both commands
// (src/cli/agent-setting-flags.ts `SETTING_FLAGS`, read by `settingFlags`; each command checked and converted them with its
// own copy before session 56; commander's choices refuse other values on the command line, this reading refuses them from
// in-process callers of `runTrace` and `runReplay`). The truth table of the values.
import { describe, expect, test } from 'vitest';
import { settingFlags } from '../../src/cli/agent-setting-flags';
import { CiliumPolicyError } from '../../src/core/errors';

describe('the values of the two flags', () => {
  test.each([
    [{}, {}],
    [{ policyDefaultLocalCluster: 'true' }, { policyDefaultLocalCluster: true }],
    [{ policyDefaultLocalCluster: 'false' }, { policyDefaultLocalCluster: false }],
    [{ allowLocalhost: 'always' }, { allowLocalhost: true }],
    [{ allowLocalhost: 'auto' }, { allowLocalhost: true }],
    [{ allowLocalhost: 'policy' }, { allowLocalhost: false }],
    [{ policyDefaultLocalCluster: 'false', allowLocalhost: 'policy' }, { policyDefaultLocalCluster: false, allowLocalhost: false }],
  ])('%j is read as %j', (flags, settings) => {
    expect(settingFlags(flags, 'trace')).toEqual(settings);
    expect(settingFlags(flags, 'replay')).toEqual(settings);
  });

  test.each([
    [{ policyDefaultLocalCluster: 'yes' }, '--policy-default-local-cluster yes', 'use true or false'],
    [{ policyDefaultLocalCluster: 'True' }, '--policy-default-local-cluster True', 'use true or false'],
    [{ allowLocalhost: 'never' }, '--allow-localhost never', 'use always, auto or policy'],
    [{ allowLocalhost: '' }, '--allow-localhost ""', 'use always, auto or policy'],
  ])('%j is refused (cli-flag)', (flags, message, fix) => {
    let error: unknown;
    try {
      settingFlags(flags, 'trace');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CiliumPolicyError);
    expect(error).toMatchObject({ id: 'cli-flag', fix });
    expect((error as Error).message).toBe(`${message} (cli-flag)\n  fix: ${fix}`);
  });
});
