// The known-key lists of `checkPropKeys` (src/constructs/prop-keys.ts) against the TypeScript interfaces they stand for,
// read from the declarations of src/ as src/index.ts exports them (test/support/public-interfaces.ts): a prop added to an
// interface and not to its list would be refused (`prop-unknown`) when given, one left in a list after it left the
// interface would be accepted and dropped. Every public Props/Options interface of the constructs layer is in the table.
// The options of the engine, the diff, the Hubble tools and the matchers (`option-unknown`) have their own table:
// test/engine/option-keys-interfaces.test.ts.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DNS_COMPANION_OPTION_KEYS } from '../../src/constructs/builtins';
import { CILIUM_POLICY_PROPS } from '../../src/constructs/cilium-policy';
import { CLUSTER_DEFAULT_DENY_PROPS } from '../../src/constructs/cluster-default-deny';
import { CLUSTERWIDE_POLICY_PROPS } from '../../src/constructs/clusterwide-policy';
import { DEFAULT_DENY_NAMESPACE_PROPS } from '../../src/constructs/default-deny-namespace';
import { FQDN_EGRESS_PROPS } from '../../src/constructs/fqdn-egress';
import { HOST_FIREWALL_PROPS } from '../../src/constructs/host-firewall';
import { HEADER_MATCH_KEYS, HTTP_RULE_OPTION_KEYS, KAFKA_RULE_OPTION_KEYS } from '../../src/constructs/l7';
import { METADATA_ENDPOINT_BLOCK_PROPS } from '../../src/constructs/metadata-endpoint-block';
import { MONITORING_SCRAPE_PROPS } from '../../src/constructs/monitoring-scrape';
import { CIDR_PEER_OPTION_KEYS, ENDPOINTS_PEER_OPTION_KEYS, SERVICE_SELECTOR_PEER_OPTION_KEYS } from '../../src/constructs/peer';
import { PEER_CONFIG_FIELDS } from '../../src/constructs/peer-config';
import { POLICY_BASE_PROPS } from '../../src/constructs/policy-base';
import { DEFAULT_DENY_OPTION_KEYS, OPTION_KEYS, POLICY_RULE_OPTION_KEYS } from '../../src/constructs/policy-rule';
import { PORT_OPTION_KEYS } from '../../src/constructs/port';
import { LABEL_SELECTOR_OPTION_KEYS } from '../../src/constructs/selector';
import { TIER_EGRESS_KEYS, TIER_KEYS, TIERED_APP_PROPS } from '../../src/constructs/tiered-app';
import { LOCKOUT_EXEMPTION_KEYS } from '../../src/validate/lockout-guard';
import { publicInterfaces } from '../support/public-interfaces';
import { PROJECT_ROOT } from '../support/scratch';

/** Each checked interface (exported from src/index.ts) and its runtime list. */
const TABLE: [string, readonly string[]][] = [
  ['CiliumPolicyProps', CILIUM_POLICY_PROPS],
  ['ClusterwidePolicyProps', CLUSTERWIDE_POLICY_PROPS],
  ['PolicyBaseProps', POLICY_BASE_PROPS],
  ['PolicyRuleOptions', POLICY_RULE_OPTION_KEYS],
  ['DefaultDenyOptions', DEFAULT_DENY_OPTION_KEYS],
  ['AllowOptions', OPTION_KEYS],
  ['LockoutExemption', LOCKOUT_EXEMPTION_KEYS],
  ['TieredAppProps', TIERED_APP_PROPS],
  ['Tier', TIER_KEYS],
  ['TierEgress', TIER_EGRESS_KEYS],
  ['FqdnEgressProps', FQDN_EGRESS_PROPS],
  ['DefaultDenyNamespaceProps', DEFAULT_DENY_NAMESPACE_PROPS],
  ['ClusterDefaultDenyProps', CLUSTER_DEFAULT_DENY_PROPS],
  ['HostFirewallProps', HOST_FIREWALL_PROPS],
  ['MonitoringScrapeProps', MONITORING_SCRAPE_PROPS],
  ['MetadataEndpointBlockProps', METADATA_ENDPOINT_BLOCK_PROPS],
  ['EndpointsPeerOptions', ENDPOINTS_PEER_OPTION_KEYS],
  ['CidrPeerOptions', CIDR_PEER_OPTION_KEYS],
  ['ServiceSelectorPeerOptions', SERVICE_SELECTOR_PEER_OPTION_KEYS],
  ['PortOptions', PORT_OPTION_KEYS],
  ['HttpRuleOptions', HTTP_RULE_OPTION_KEYS],
  ['HeaderMatch', HEADER_MATCH_KEYS],
  ['KafkaRuleOptions', KAFKA_RULE_OPTION_KEYS],
  ['LabelSelectorOptions', LABEL_SELECTOR_OPTION_KEYS],
  ['DnsCompanionOptions', DNS_COMPANION_OPTION_KEYS],
  // Not a key check: the only fields read from a peer's answer (`peerConfigAsRead`); a field left out of the list would not be written.
  ['PeerConfig', PEER_CONFIG_FIELDS],
];

/**
 * The Props/Options interfaces of src/constructs/ exported from src/index.ts that are not in the table, each with the
 * reason: none may be added without a decision.
 */
const NOT_CHECKED: Record<string, string> = {
  // A deny call reads `ports` and leaves the allow options out, as documented; its options are checked against
  // AllowOptions (`rule-option-unknown`).
  DenyOptions: 'checked as AllowOptions by rule-option-unknown',
};

describe('the known props of checkPropKeys are the interfaces\' own', () => {
  const interfaces = publicInterfaces();

  test.each(TABLE)('%s', (name, known) => {
    const declared = interfaces.get(name);
    expect(declared, `${name} is not an interface exported from src/index.ts`).toBeDefined();
    expect(new Set(known).size, `${name}: a name is listed twice`).toBe(known.length);
    expect([...known].sort()).toEqual([...(declared?.props ?? [])].sort());
  });

  test('every Props/Options interface of the constructs layer (and the structs nested in them) is in the table, or says why not', () => {
    const constructs = `${join(PROJECT_ROOT, 'src', 'constructs').split('\\').join('/')}/`;
    const ofConstructs = [...interfaces].filter(([name, i]) => i.file.startsWith(constructs) && /(Props|Options)$/.test(name)).map(([name]) => name);
    expect(ofConstructs).toContain('TieredAppProps');
    const covered = new Set([...TABLE.map(([name]) => name), ...Object.keys(NOT_CHECKED)]);
    expect(ofConstructs.filter((name) => !covered.has(name))).toEqual([]);
    // The table's names are real (a renamed interface is noticed above); and a reason is not kept for a checked one.
    expect(Object.keys(NOT_CHECKED).filter((name) => TABLE.some(([n]) => n === name))).toEqual([]);
  });
});
