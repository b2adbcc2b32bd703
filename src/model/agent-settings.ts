/**
 * The agent settings a connectivity report or diff judged its policies under, and the lines that say so: the engine
 * settings that change verdicts without a rule changing (besides the IP families and SCTP, which the documents record on
 * their own: `ipFamilies`, `sctp`). One record for the `settings` (and a diff's `headSettings`) of the connectivity
 * documents and for the headers of their text, markdown and HTML outputs: a reader can tell under which agent the
 * verdicts hold (session 54 recorded the enforcement mode only in the reasons it decided). The values and their text
 * derive from the one table of the options (src/engine/agent-settings-table.ts `POLICY_SET_OPTIONS`).
 */

/** The agent settings the policies were judged under (`PolicySetOptions`, the CLI's flags). */
export interface AgentSettings {
  /** The Cilium release the verdicts are of (`PolicySetOptions.ciliumVersion`, `--cilium-version`): `1.18`, `1.17.3`. */
  readonly ciliumVersion: string;
  /**
   * The agent's policy enforcement mode, its option `enable-policy` (`PolicySetOptions.policyEnforcement`,
   * `--policy-enforcement`): `default`, `always` or `never`.
   */
  readonly policyEnforcement: string;
  /**
   * Whether the agent reads `enableDefaultDeny: false` (`enable-non-default-deny-policies`, 1.17+;
   * `PolicySetOptions.nonDefaultDenyPolicies`, `--no-non-default-deny-policies`): off, every rule is read as default deny.
   * @default - not recorded: the agent of the release (before 1.17) has no such setting
   */
  readonly nonDefaultDenyPolicies?: boolean;
  /**
   * The agent's `allow-localhost` (`PolicySetOptions.allowLocalhost`): `always` (the local host reaches its endpoints
   * whatever their ingress policy) or `policy` (ingress policy decides).
   */
  readonly allowLocalhost: string;
  /** Whether host policies are enforced (`hostFirewall.enabled`; `PolicySetOptions.hostFirewall`, on its own when a host policy is given). */
  readonly hostFirewall: boolean;
  /** Whether node identities carry the node's labels (`enable-node-selector-labels`, `--node-selector-labels`). */
  readonly nodeSelectorLabels: boolean;
  /** Whether mutual authentication with SPIRE runs (`--mutual-auth`): `authentication.mode: required` then passes. */
  readonly mutualAuth: boolean;
  /** The cluster's name (`PolicySetOptions.clusterName`, `--cluster-name`). */
  readonly clusterName: string;
  /** Whether endpoint and node selectors select the local cluster only by default (`policy-default-local-cluster`). */
  readonly policyDefaultLocalCluster: boolean;
  /** Whether CIDR rules select node addresses (`policy-cidr-match-mode: nodes`; `PolicySetOptions.cidrMatchNodes`). */
  readonly cidrMatchNodes: boolean;
  /** The DNS server `toFQDNs` learns names through (`PolicySetOptions.dnsServer`, `--dns-server`), as an endpoint. */
  readonly dnsServer: string;
}
