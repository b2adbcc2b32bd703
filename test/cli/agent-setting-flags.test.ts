// The flags of the agent settings (src/cli/agent-setting-flags.ts `SETTING_FLAGS`): one definition from which every
// command's flags, help and reading derive (session 57; each command had its own list before: trace, replay, diff and
// report, draft). The table walks every option of `PolicySetOptions` (`POLICY_SET_OPTIONS`): for each command, an option it
// takes is in its help and a value given on its command line is read into the policy-set options; one it does not take
// says why, and is neither in its help nor read.
import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { SETTING_COMMANDS, SETTING_FLAGS, SettingCommand, settingFlags, takenSettings } from '../../src/cli/agent-setting-flags';
import { buildProgram } from '../../src/cli/main';
import { POLICY_SET_OPTIONS } from '../../src/engine/agent-settings-table';
import { PolicySetOptions } from '../../src/engine/policy-set-options';

/** The required options of each command, so that its action runs. */
const REQUIRED: Readonly<Record<SettingCommand, readonly string[]>> = {
  trace: ['--policies', 'p.yaml', '--from', 'pod:a:x=y', '--to', 'pod:a:x=z'],
  replay: ['--flows', 'f.jsonl', '--policies', 'p.yaml'],
  diff: ['--base', 'a', '--head', 'b'],
  report: ['--policies', 'p.yaml'],
  draft: ['--flows', 'f.jsonl'],
  validate: [],
};

/** For each option a command line and the policy-set option it gives, as `settingFlags` returns it (the version as text). */
const GIVEN: { readonly [K in keyof PolicySetOptions]?: readonly (readonly [args: readonly string[], value: unknown])[] } = {
  ciliumVersion: [[['--cilium-version', '1.17'], '1.17'], [['--cilium-version', '1.16.3'], '1.16']],
  hostFirewall: [[['--host-firewall'], true], [['--no-host-firewall'], false]],
  allowLocalhost: [[['--allow-localhost', 'always'], true], [['--allow-localhost', 'auto'], true], [['--allow-localhost', 'policy'], false]],
  policyEnforcement: [[['--policy-enforcement', 'always'], 'always'], [['--policy-enforcement', 'never'], 'never']],
  nonDefaultDenyPolicies: [[['--no-non-default-deny-policies'], false]],
  mutualAuth: [[['--mutual-auth'], true]],
  sctp: [[['--sctp'], true]],
  clusterName: [[['--cluster-name', 'c1'], 'c1']],
  policyDefaultLocalCluster: [[['--policy-default-local-cluster', 'false'], false], [['--policy-default-local-cluster', 'true'], true]],
  ipFamilies: [[['--ip-families', 'dual'], 'dual'], [['--ip-families', 'ipv6'], 'ipv6']],
  nodeSelectorLabels: [[['--node-selector-labels'], true]],
  dnsServer: [[['--dns-server', 'pod:dns:app=coredns'], 'pod:dns:app=coredns']],
};

function command(name: SettingCommand): Command {
  const program = buildProgram({ stdout: () => undefined, stderr: () => undefined }, () => undefined);
  const found = program.commands.find((c) => c.name() === name);
  if (found === undefined) throw new Error(`no command ${name}`);
  return found;
}

/** The policy-set options `name` reads from `args` (its action replaced by the reading). */
async function parsed(name: SettingCommand, args: readonly string[]): Promise<PolicySetOptions> {
  const program = buildProgram({ stdout: () => undefined, stderr: () => undefined }, () => undefined);
  const cmd = program.commands.find((c) => c.name() === name);
  let out: PolicySetOptions | undefined;
  cmd?.action(() => {
    out = settingFlags(cmd.opts(), name);
  });
  await program.parseAsync([name, ...REQUIRED[name], ...args], { from: 'user' });
  if (out === undefined) throw new Error(`${name} ${args.join(' ')}: the action did not run`);
  return out;
}

const shown = (v: unknown): unknown => (v !== null && typeof v === 'object' ? String(v) : v);

describe('every option of PolicySetOptions has its row', () => {
  test('the rows are the options of POLICY_SET_OPTIONS, in its order', () => {
    expect(Object.keys(SETTING_FLAGS)).toEqual(Object.keys(POLICY_SET_OPTIONS));
  });

  test('each agent setting with flags has a command line to read here; one without says why', () => {
    for (const [key, row] of Object.entries(SETTING_FLAGS)) {
      if (row.kind === 'flags') expect(GIVEN[key as keyof PolicySetOptions], key).toBeDefined();
      else expect(row.why.length, key).toBeGreaterThan(20);
    }
  });
});

describe.each(SETTING_COMMANDS)('%s', (name) => {
  const taken = new Set(takenSettings(name).map(([key]) => key));

  test.each(Object.keys(POLICY_SET_OPTIONS) as (keyof PolicySetOptions)[])('%s: in the help and read where taken, else said why and absent', async (key) => {
    const row = SETTING_FLAGS[key];
    const cmd = command(name);
    const longs = new Set(cmd.options.map((o) => o.long));
    const help = cmd.helpInformation();
    if (row.kind === 'none') {
      expect(taken.has(key)).toBe(false);
      return;
    }
    const flags = row.flags(name).map((o) => o.long ?? '');
    if (!taken.has(key)) {
      expect(row.notTakenBy[name]?.length ?? 0).toBeGreaterThan(20);
      // validate's --cilium-version is its validator's own (ValidateOptions.ciliumVersion), not the set's.
      if (!(name === 'validate' && key === 'ciliumVersion')) for (const flag of flags) expect(longs.has(flag), flag).toBe(false);
      for (const [args] of GIVEN[key] ?? []) {
        if (flags.includes(args[0]) && longs.has(args[0])) continue;
        expect(Object.keys(settingFlags({ [key]: args[1] ?? true }, name))).not.toContain(key);
      }
      return;
    }
    for (const flag of flags) {
      expect(longs.has(flag), `${name} ${flag}`).toBe(true);
      expect(help).toContain(flag);
    }
    for (const [args, value] of GIVEN[key] ?? []) {
      const read = await parsed(name, args);
      expect(shown(read[key]), `${name} ${args.join(' ')}`).toEqual(value);
    }
    // Not given: not read (but a default of the flag's own, --cluster-name default).
    const none = await parsed(name, []);
    expect(none[key]).toEqual(key === 'clusterName' && name !== 'replay' && name !== 'draft' ? 'default' : undefined);
  });
});

describe('the commands agree where they take a setting', () => {
  test('a flag is defined alike in every command that takes it (flags, choices)', () => {
    for (const [key, row] of Object.entries(SETTING_FLAGS)) {
      if (row.kind !== 'flags') continue;
      const forms = SETTING_COMMANDS.filter((c) => row.notTakenBy[c] === undefined).map((c) => {
        const options = command(c).options.filter((o) => row.flags(c).some((f) => f.long === o.long));
        return JSON.stringify(options.map((o) => [o.flags, o.argChoices ?? null]));
      });
      expect(new Set(forms).size, key).toBe(1);
    }
  });
});
