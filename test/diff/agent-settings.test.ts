// Session 55: the report and diff documents did not record the agent settings their verdicts hold under (the policy
// enforcement mode of session 54, allow-localhost, the Cilium release, per-node labels, …): a reader could not tell them.
// Now `settings` (and a diff's `headSettings` where the head's differ) and one header line in text, markdown and HTML.
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityFormat, ConnectivityOutput, PolicyEnforcement, PolicySet } from '../../src';
import { CiliumVersion } from '../../src/core/cilium-version';

const api = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
const SETTINGS_LINE = 'agent settings: Cilium 1.17, enable-policy=always, enable-non-default-deny-policies on, allow-localhost=policy, host firewall off, enable-node-selector-labels on, '
  + 'mutual authentication off, cluster default (policy-default-local-cluster off), policy-cidr-match-mode none, DNS server pod:kube-system:k8s-app=kube-dns';

describe('report and diff record the agent settings they judged under', () => {
  const options = {
    ciliumVersion: CiliumVersion.V1_17, policyEnforcement: PolicyEnforcement.ALWAYS, allowLocalhost: false, nodeSelectorLabels: true,
  };

  test('report: JSON settings and the header line of text, markdown and HTML', () => {
    const doc = Connectivity.report(PolicySet.fromYaml(api, { ...options, file: 'p.yaml' }));
    expect(doc.settings).toEqual({
      ciliumVersion: '1.17', policyEnforcement: 'always', nonDefaultDenyPolicies: true, allowLocalhost: 'policy', hostFirewall: false, nodeSelectorLabels: true,
      mutualAuth: false, clusterName: 'default', policyDefaultLocalCluster: false, cidrMatchNodes: false, dnsServer: 'pod:kube-system:k8s-app=kube-dns',
    });
    expect(ConnectivityFormat.report(doc, ConnectivityOutput.TEXT).split('\n')).toContain(SETTINGS_LINE);
    expect(ConnectivityFormat.report(doc, ConnectivityOutput.MARKDOWN)).toContain('agent settings: Cilium 1.17, enable-policy=always');
    expect(ConnectivityFormat.report(doc, ConnectivityOutput.HTML)).toContain('<p class="sources agent-settings">agent settings: Cilium 1.17, enable-policy=always');
    expect(JSON.parse(ConnectivityFormat.report(doc, ConnectivityOutput.JSON)).settings.policyEnforcement).toBe('always');
  });

  test('diff: one settings line when both sides agree; base and head lines when they do not', () => {
    const same = Connectivity.diff(PolicySet.fromYaml(api, { ...options, file: 'b.yaml' }), PolicySet.fromYaml(api, { ...options, file: 'h.yaml' }));
    expect(same.settings?.policyEnforcement).toBe('always');
    expect(same.headSettings).toBeUndefined();
    expect(ConnectivityFormat.diff(same, ConnectivityOutput.TEXT).split('\n')).toContain(SETTINGS_LINE);
    const other = Connectivity.diff(PolicySet.fromYaml(api, { file: 'b.yaml' }), PolicySet.fromYaml(api, { ...options, file: 'h.yaml' }));
    expect(other.settings?.policyEnforcement).toBe('default');
    expect(other.headSettings?.policyEnforcement).toBe('always');
    const text = ConnectivityFormat.diff(other, ConnectivityOutput.TEXT);
    expect(text).toMatch(/^agent settings \(base\): Cilium 1\.\d+, enable-policy=default, enable-non-default-deny-policies on, allow-localhost=always,/m);
    expect(text).toContain(`agent settings (head): ${SETTINGS_LINE.slice('agent settings: '.length)}`);
    // enable-non-default-deny-policies off (1.17+) is a setting of its own: the head's line says it.
    const flagOff = Connectivity.diff(PolicySet.fromYaml(api, { ...options, file: 'b.yaml' }),
      PolicySet.fromYaml(api, { ...options, nonDefaultDenyPolicies: false, file: 'h.yaml' }));
    expect(flagOff.settings?.nonDefaultDenyPolicies).toBe(true);
    expect(flagOff.headSettings?.nonDefaultDenyPolicies).toBe(false);
    expect(ConnectivityFormat.diff(flagOff, ConnectivityOutput.TEXT)).toMatch(/^agent settings \(head\): .*enable-non-default-deny-policies off, /m);
  });
});
