/**
 * How a `PolicySet` judges: the agent settings and cluster facts a verdict depends on, and how the host firewall was
 * decided.
 */
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError } from '../core/errors';
import { OptionDefaults, refuseOptionValue } from '../model/known-keys';
import { VERSION_GIVEN } from '../model/version-annotation';
import { CidrGroupSpec, EndpointInventory } from './inventory';

/** Options of a `PolicySet`. */
export interface PolicySetOptions {
  /**
   * The Cilium version the cluster runs: it decides which fields exist (older CRDs prune newer fields), whether `**.` is a
   * multi-label wildcard (1.19), whether `fromRequires` applies (before 1.19), and the default of `policyDefaultLocalCluster`.
   * @default - the version the policies were synthesized for (their `cdk8s-cilium.io/cilium-version` annotation; an error
   * when they name different versions), else CiliumVersion.DEFAULT (1.19); the version set on the construct for `fromConstruct`
   */
  readonly ciliumVersion?: CiliumVersion;
  /**
   * Whether the host firewall is on (`hostFirewall.enabled`): host policies (`nodeSelector`) then govern nodes. Unset
   * means auto: on when the set holds host policies (why write them for a cluster that ignores them), off otherwise;
   * `hostFirewallMode` tells which it was.
   * @default - auto: on when the set holds a host policy
   */
  readonly hostFirewall?: boolean;
  /**
   * Whether traffic from the local host (`reserved:host`: kubelet probes) to its endpoints is always allowed on ingress,
   * as the agent's `allow-localhost: auto` resolves to in Kubernetes (`always`). `false` is `--allow-localhost=policy`: the
   * host is then a peer like any other, allowed only by a rule (the `host` entity), which is how to test that a policy
   * itself keeps probes working.
   * @default true
   */
  readonly allowLocalhost?: boolean;
  /**
   * The agent's policy enforcement mode (agent option `enable-policy`, pkg/option `EnablePolicy`; Helm `policyEnforcementMode`), as pkg/policy/repository.go
   * `computePolicyEnforcementAndRules` reads it. `DEFAULT`: an endpoint is default deny in a direction once a rule
   * selecting it has rules of that direction (unless they all say `enableDefaultDeny: false`), and allows everything
   * otherwise. `ALWAYS`: every endpoint is default deny in both directions, selected or not, and `enableDefaultDeny:
   * false` adds no allow-all. `NEVER`: no endpoint has a policy (not even a `reserved:init` one): everything is allowed,
   * deny rules and L7 rules included. A node (host policies) is enforced only with the host firewall on (`hostFirewall`),
   * in every mode but `NEVER`.
   * @default PolicyEnforcement.DEFAULT (Cilium's default)
   */
  readonly policyEnforcement?: PolicyEnforcement;
  /**
   * Whether the agent runs with `enable-non-default-deny-policies` (Helm `enableNonDefaultDenyPolicies`; Cilium 1.17+,
   * default on; cilium/cilium#34940). Off, the agent reads every rule as if it said `enableDefaultDeny: true` in both
   * directions (pkg/policy/api/rule_validation.go `Rule.Sanitize` on 1.17/1.18, pkg/k8s/apis/cilium.io/utils
   * `evaluateDefaultDenyForRule` from 1.19: "Since Non Default Deny Policies is disabled by flag, DefaultDeny is enabled"),
   * so a rule with `enableDefaultDeny: false` puts its subjects into default deny in each direction it has rules of, like
   * any other rule. `false` is refused before 1.17, whose agents have no such flag.
   * @default true (Cilium's default)
   */
  readonly nonDefaultDenyPolicies?: boolean;
  /**
   * Whether the cluster runs mutual authentication with SPIRE (Helm `authentication.mutual.spire.enabled`). An allow rule
   * with `authentication.mode: required` makes the datapath drop the traffic it allows (`DROP_POLICY_AUTH_REQUIRED`) until
   * the agent has authenticated the pair, which only SPIRE does: without it (the default) such traffic is judged
   * dropped; with it, allowed, assuming SPIRE attests both identities (never a reserved or outside-the-cluster one: those
   * stay dropped). `test-always-fail` drops either way.
   * @default false
   */
  readonly mutualAuth?: boolean;
  /**
   * Whether the agent runs with `enable-sctp` (Helm `sctp.enabled`). Without it the datapath drops every SCTP packet of
   * a Cilium endpoint before any policy (bpf/lib/conntrack.h: the tuple extraction knows SCTP only under `ENABLE_SCTP`,
   * else `DROP_CT_UNKNOWN_PROTO`), so an SCTP connection is judged dropped at each side the policy applies to, whatever
   * the rules allow; with it, SCTP is judged by the rules like TCP and UDP.
   * @default false (Cilium's default: enable-sctp false)
   */
  readonly sctp?: boolean;
  /**
   * The local cluster name (`cluster.name`), carried by pods as `io.cilium.k8s.policy.cluster`.
   * @default 'default'
   */
  readonly clusterName?: string;
  /**
   * Whether from/toEndpoints and from/toNodes without a cluster key select the local cluster only (agent flag
   * `policy-default-local-cluster`, Cilium 1.18+). `true` is refused before 1.18 (`option-value`): those agents have no
   * such option, and a selector without a cluster selects every cluster.
   * @default - true from Cilium 1.19, false before
   */
  readonly policyDefaultLocalCluster?: boolean;
  /**
   * The IP families the cluster runs (the agent's `enable-ipv4`/`enable-ipv6`). They decide the world identity of an
   * address outside the cluster and what a `/0` CIDR selects (pkg/labels `IPStringToLabel`/`getWorldLabel`): in a
   * single-stack cluster the world is `reserved:world` and only the `/0` of that family (`0.0.0.0/0` for IPv4) selects it,
   * the other one selects `reserved:world-ipv6` (or `-ipv4`), which no address has; in a dual-stack cluster IPv4
   * addresses are `reserved:world-ipv4`, IPv6 ones `reserved:world-ipv6`, each selected by its own `/0` (and both by the
   * `world` entity).
   * @default IpFamilies.IPV4 (Cilium's default: enable-ipv4 true, enable-ipv6 false)
   */
  readonly ipFamilies?: IpFamilies;
  /**
   * Whether CIDR rules can select node IPs (`policy-cidr-match-mode: nodes`).
   * @default false
   */
  readonly cidrMatchNodes?: boolean;
  /**
   * Whether the agent runs with `enable-node-selector-labels` (needed by `fromNodes`/`toNodes`): remote nodes then carry
   * the cluster label, so cluster-filtered node selectors (`policy-default-local-cluster`) can match them.
   * @default false
   */
  readonly nodeSelectorLabels?: boolean;
  /**
   * The DNS server the pods use (an endpoint in text form): a `toFQDNs` name is only selected when the pod's lookup of it
   * reaches this server through the DNS proxy (see `dnsLearning`).
   * @default 'pod:kube-system:k8s-app=kube-dns'
   */
  readonly dnsServer?: string;
  /**
   * CiliumCIDRGroups by name, for `cidrGroupRef` and `cidrGroupSelector` (added to those found in the inputs).
   * @default - only those found in the inputs
   */
  readonly cidrGroups?: { [name: string]: CidrGroupSpec };
  /**
   * Namespaces, workloads and Services to resolve endpoints and `toServices` against (added to those found in the inputs).
   * @default - only what the inputs hold
   */
  readonly inventory?: EndpointInventory;
  /**
   * `fromFiles`: files larger than this many bytes are not read (an `input-too-large` diagnostic).
   * @default 10485760 (10 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * `fromFiles`, `fromTexts`, `fromYaml`: the most YAML values all the inputs of the call may hold together (each input
   * holds at most 1,000,000 of its own); the input that takes the total past it is refused with a `CiliumPolicyError`
   * (`input-values-budget`) and no set is built. A call made within a command run of the CLI counts to the run's limit
   * (`--max-yaml-values`) instead. A whole number of 1 or more (also where no YAML is read, `fromConstruct` and
   * `fromDocuments`, which check it and leave it unused).
   * @default 1000000 (about 30,000 policies)
   */
  readonly maxYamlValues?: number;
}

/** Options of `PolicySet.fromYaml`: the engine options and the name of the file the text came from. */
export interface YamlPolicySetOptions extends PolicySetOptions {
  /**
   * The file name, as explanations and diagnostics show it.
   * @default - none
   */
  readonly file?: string;
}

/** The IP families a cluster runs (`PolicySetOptions.ipFamilies`): the agent's `enable-ipv4` and `enable-ipv6`. */
export enum IpFamilies {
  /** IPv4 only (`enable-ipv4: true`, `enable-ipv6: false`), Cilium's default. */
  IPV4 = 'ipv4',
  /** IPv6 only (`enable-ipv4: false`, `enable-ipv6: true`). */
  IPV6 = 'ipv6',
  /** Dual stack (both enabled). */
  DUAL = 'dual',
}

/** The agent's policy enforcement mode (`PolicySetOptions.policyEnforcement`; agent option `enable-policy`, Helm `policyEnforcementMode`). */
export enum PolicyEnforcement {
  /** `default`: default deny only in a direction some selecting rule has rules of (Cilium's default). */
  DEFAULT = 'default',
  /** `always`: every endpoint is default deny in both directions, selected or not. */
  ALWAYS = 'always',
  /** `never`: no policy is enforced on any endpoint. */
  NEVER = 'never',
}

/**
 * The `policyEnforcement` option, checked: a mode the agent does not have (`'Always'`, `true`) is refused rather than
 * judged as `default`.
 * @throws CiliumPolicyError (`option-value`) naming the value and the modes
 */
export function policyEnforcementOption(value: unknown): PolicyEnforcement {
  if (value === undefined) return PolicyEnforcement.DEFAULT;
  if (Object.values(PolicyEnforcement).includes(value as PolicyEnforcement)) return value as PolicyEnforcement;
  return refuseOptionValue('PolicySet', 'policyEnforcement', value, 'a policy enforcement mode',
    "pass PolicyEnforcement.DEFAULT, PolicyEnforcement.ALWAYS or PolicyEnforcement.NEVER ('default', 'always', 'never': the agent's enable-policy)");
}

/**
 * The `nonDefaultDenyPolicies` option, checked: anything but a boolean is refused, and so is `false` for a version whose
 * agent has no `enable-non-default-deny-policies` flag (before 1.17), rather than judged as another cluster.
 * @param source where the version came from (`PolicySet.ciliumVersionSource`: given, or the annotation of a policy and its file)
 * @throws CiliumPolicyError (`option-value`) naming the value, the version and its source, and the fix
 */
export function nonDefaultDenyPoliciesOption(value: unknown, version: CiliumVersion, source: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    return refuseOptionValue('PolicySet', 'nonDefaultDenyPolicies', value, 'a boolean',
      'pass true (the agent\'s enable-non-default-deny-policies, the default) or false (the flag off: enableDefaultDeny false is ignored)');
  }
  if (!value && !version.atLeast(CiliumVersion.V1_17)) {
    const reads = version.atLeast(CiliumVersion.V1_16) ? `a ${version.release} agent reads every enableDefaultDeny`
      : `no ${version.release} policy has enableDefaultDeny (its CRD prunes the field)`;
    const from = source === VERSION_GIVEN ? 'given: ciliumVersion, --cilium-version' : source;
    throw new CiliumPolicyError({
      id: 'option-value',
      message: `PolicySet: nonDefaultDenyPolicies is false (the agent flag enable-non-default-deny-policies off, --no-non-default-deny-policies), `
        + `but the policies are judged for Cilium ${version.release} (${from}), which has no such flag: it was added in 1.17 (cilium/cilium#34940), and ${reads}`,
      fix: `leave the flag on (leave out nonDefaultDenyPolicies: false, --no-non-default-deny-policies), as a Cilium ${version.release} agent runs; or, if the `
        + 'cluster runs 1.17 or newer, judge for that version (ciliumVersion, --cilium-version; in a diff it judges both --base and --head for it)',
    });
  }
  return value;
}

/**
 * The `policyDefaultLocalCluster` option, checked, else its default (on from 1.19): anything but a boolean is refused, and
 * so is `true` for a version whose agent has no `policy-default-local-cluster` option (before 1.18), rather than judged
 * as a cluster filter the agent does not apply. The option came in 1.18, off by default, and is on by default from 1.19
 * (pkg/clustermesh/types/option.go `PolicyConfig`, `LocalClusterNameForPolicies`; Documentation/operations/upgrade.rst
 * "Cilium 1.18 introduced a new option called policy-default-local-cluster which will be set by default in Cilium 1.19").
 * Before 1.18 every selector selects every cluster: `false` is what such an agent does.
 * @param source where the version came from (`PolicySet.ciliumVersionSource`)
 * @throws CiliumPolicyError (`option-value`) naming the value, the version and its source, and the fix
 */
export function policyDefaultLocalClusterOption(value: unknown, version: CiliumVersion, source: string): boolean {
  if (value === undefined) return version.atLeast(CiliumVersion.V1_19);
  if (typeof value !== 'boolean') {
    return refuseOptionValue('PolicySet', 'policyDefaultLocalCluster', value, 'a boolean',
      'pass true (from/to selectors without a cluster select the local cluster only; 1.18+) or false (every cluster)');
  }
  if (value && !version.atLeast(CiliumVersion.V1_18)) {
    const from = source === VERSION_GIVEN ? 'given: ciliumVersion, --cilium-version' : source;
    throw new CiliumPolicyError({
      id: 'option-value',
      message: `PolicySet: policyDefaultLocalCluster is true (the agent option policy-default-local-cluster, --policy-default-local-cluster true), `
        + `but the policies are judged for Cilium ${version.release} (${from}), which has no such option: it came in 1.18 `
        + '(pkg/clustermesh/types/option.go PolicyConfig), and a selector without a cluster selects endpoints of every cluster before it',
      fix: `leave it out or false (policyDefaultLocalCluster, --policy-default-local-cluster false), as a Cilium ${version.release} agent runs; `
        + 'or, if the cluster runs 1.18 or newer, judge for that version (ciliumVersion, --cilium-version; in a diff it judges both --base and --head for it)',
    });
  }
  return value;
}

/** How the host firewall was decided (`PolicySet.hostFirewallMode`). */
export enum HostFirewallMode {
  /** On, as given (`hostFirewall: true`). */
  ON = 'on',
  /** Off, as given (`hostFirewall: false`). */
  OFF = 'off',
  /** On because the set holds host policies (`hostFirewall` unset). */
  AUTO_ON = 'auto-on',
  /** Off because the set holds no host policy (`hostFirewall` unset). */
  AUTO_OFF = 'auto-off',
}

/** The DNS server pods use unless told otherwise (`PolicySetOptions.dnsServer`). */
export const DEFAULT_DNS_SERVER = 'pod:kube-system:k8s-app=kube-dns';

/** The options of `ConnectivitySources` with their defaults (`option-unknown`). */
export const CONNECTIVITY_SOURCES_DEFAULTS: OptionDefaults = {
  baseSource: "'base' ('policies' for a report)",
  headSource: "'head'",
};

/** The sources a connectivity document names (`PolicySet.diff`, `PolicySet.report`, `Connectivity.diff`). */
export interface ConnectivitySources {
  /**
   * Where the base policies (or the report's policies) came from, for the document.
   * @default 'base' ('policies' for a report)
   */
  readonly baseSource?: string;
  /**
   * Where the head policies came from, for the document.
   * @default 'head'
   */
  readonly headSource?: string;
}
