// The one table of the options of a PolicySet (src/engine/agent-settings-table.ts `POLICY_SET_OPTIONS`), walked against
// the `PolicySetOptions` interface as src/index.ts exports it: every option is a row (an agent setting, an input or a
// reading option), so no setting can be left out of one of its uses. Each agent setting is then checked in each use:
// the options a matcher may give with a built set (`policySetOf`, refused when it differs from the built value), the key
// two sets' settings are compared by (`settingsKey`: a diff judges every pair again when it differs), and the settings a
// report records (`settings`, the `AgentSettings` interface) and prints.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { CiliumPolicyError } from '../../src/core/errors';
import {
  AGENT_SETTING_ROWS, POLICY_SET_OPTIONS, agentSettingsLines, agentSettingsOf, settingsKey,
} from '../../src/engine/agent-settings-table';
import { policySetOf } from '../../src/engine/matchers';
import { PolicySet } from '../../src/engine/policy-set';
import { IpFamilies, PolicyEnforcement, PolicySetOptions } from '../../src/engine/policy-set-options';
import { publicInterfaces } from '../support/public-interfaces';

/** A value other than the default for each agent setting (a setting missing here fails the walk below). */
const OTHER: Record<string, unknown> = {
  ciliumVersion: CiliumVersion.V1_17,
  policyEnforcement: PolicyEnforcement.ALWAYS,
  nonDefaultDenyPolicies: false,
  allowLocalhost: false,
  hostFirewall: true,
  nodeSelectorLabels: true,
  mutualAuth: true,
  clusterName: 'other',
  policyDefaultLocalCluster: false,
  cidrMatchNodes: true,
  dnsServer: 'pod:kube-system:k8s-app=coredns',
  sctp: true,
  ipFamilies: IpFamilies.DUAL,
};

/** The value of each agent setting a set built without options judges by, as a matcher would give it. */
const DEFAULT: Record<string, unknown> = {
  ciliumVersion: CiliumVersion.V1_19,
  policyEnforcement: PolicyEnforcement.DEFAULT,
  nonDefaultDenyPolicies: true,
  allowLocalhost: true,
  hostFirewall: false,
  nodeSelectorLabels: false,
  mutualAuth: false,
  clusterName: 'default',
  policyDefaultLocalCluster: true,
  cidrMatchNodes: false,
  dnsServer: 'pod:kube-system:k8s-app=kube-dns',
  sctp: false,
  ipFamilies: IpFamilies.IPV4,
};

const interfaces = publicInterfaces();

describe('the table of PolicySet options', () => {
  test('every option of PolicySetOptions is a row, and every row an option', () => {
    const props = interfaces.get('PolicySetOptions')?.props ?? [];
    expect(props.length).toBeGreaterThan(10);
    expect(Object.keys(POLICY_SET_OPTIONS).sort()).toEqual([...props].sort());
  });

  test('the agent settings are the rows of kind setting, each with a non-default value in this test', () => {
    expect(AGENT_SETTING_ROWS.map(([o]) => o).sort()).toEqual(Object.keys(OTHER).sort());
    // The kind of each other row: an input a built set holds already (a matcher's refused: `checkBuiltSetOptions`), or how
    // YAML is read (a matcher's ignored). An input row made a reading row would let a matcher's inventory pass unjudged.
    expect(Object.fromEntries(Object.entries(POLICY_SET_OPTIONS).filter(([, r]) => r.kind !== 'setting').map(([o, r]) => [o, r.kind])))
      .toEqual({ cidrGroups: 'input', inventory: 'input', maxFileBytes: 'reading', maxYamlValues: 'reading' });
  });

  test('the recorded settings are the fields of AgentSettings, in the order the documents print them', () => {
    const fields = interfaces.get('AgentSettings')?.props ?? [];
    const recorded = AGENT_SETTING_ROWS.filter(([, r]) => r.recorded !== undefined).map(([o]) => o);
    expect([...recorded].sort()).toEqual([...fields].sort());
    // One place each (`recorded.at`), in the order AgentSettings declares its fields.
    expect(AGENT_SETTING_ROWS.flatMap(([, r]) => (r.recorded ? [r.recorded.at] : [])).sort((a, b) => a - b)).toEqual(recorded.map((_, i) => i));
    expect(Object.keys(agentSettingsOf(PolicySet.fromYaml('')))).toEqual(fields);
  });
});

describe.each(AGENT_SETTING_ROWS.map(([option]) => option))('the agent setting %s', (option) => {
  const base = PolicySet.fromYaml('');
  const other = PolicySet.fromYaml('', { [option]: OTHER[option] } as PolicySetOptions);

  test('a set built with another value has another settings key; one built with the default value the same', () => {
    expect(settingsKey(other)).not.toBe(settingsKey(base));
    expect(settingsKey(PolicySet.fromYaml('', { [option]: DEFAULT[option] } as PolicySetOptions))).toBe(settingsKey(base));
  });

  test('a matcher giving the value a built set was built with passes; another value is refused, naming the option', () => {
    expect(policySetOf(other, { [option]: OTHER[option] } as PolicySetOptions, 'toAllow')).toBe(other);
    expect(policySetOf(base, { [option]: DEFAULT[option] } as PolicySetOptions, 'toAllow')).toBe(base);
    let error: unknown;
    try {
      policySetOf(other, { [option]: DEFAULT[option] } as PolicySetOptions, 'toAllow');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CiliumPolicyError);
    expect((error as CiliumPolicyError).id).toBe('option-value');
    expect((error as CiliumPolicyError).message).toContain(`the option ${option} is`);
  });

  test('a recorded setting changes the recorded settings and their printed line; the others are recorded on their own', () => {
    const row = POLICY_SET_OPTIONS[option as keyof PolicySetOptions];
    const [b, o] = [agentSettingsOf(base), agentSettingsOf(other)];
    if (row.kind === 'setting' && row.recorded !== undefined) {
      expect(o).not.toEqual(b);
      expect(agentSettingsLines({ settings: o })).not.toEqual(agentSettingsLines({ settings: b }));
    } else {
      expect(o).toEqual(b);
    }
  });
});

test('the printed line of the default settings', () => {
  expect(agentSettingsLines({ settings: agentSettingsOf(PolicySet.fromYaml('')) })).toEqual([
    'agent settings: Cilium 1.19, enable-policy=default, enable-non-default-deny-policies on, allow-localhost=always, host firewall off, '
    + 'enable-node-selector-labels off, mutual authentication off, cluster default (policy-default-local-cluster on), policy-cidr-match-mode none, '
    + 'DNS server pod:kube-system:k8s-app=kube-dns',
  ]);
});

// Session 56 review: the documents recorded `enable-non-default-deny-policies` for releases whose agent has no such setting
// (it is 1.17+, the row's `since`), as trace's JSON did not: `"nonDefaultDenyPolicies": true` in a 1.16 report.
test.each(CiliumVersion.ALL.map((v) => [v.release, v] as const))('Cilium %s: enable-non-default-deny-policies recorded only from 1.17', (release, version) => {
  const settings = agentSettingsOf(PolicySet.fromYaml('', { ciliumVersion: version }));
  const has = version.atLeast(CiliumVersion.V1_17);
  expect('nonDefaultDenyPolicies' in settings).toBe(has);
  expect(agentSettingsLines({ settings })[0]).toMatch(has ? /, enable-policy=default, enable-non-default-deny-policies on, allow-localhost=always,/
    : new RegExp(`^agent settings: Cilium ${release.replace('.', '\\.')}, enable-policy=default, allow-localhost=always,`));
});
