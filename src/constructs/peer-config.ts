import { Construct, IConstruct } from 'constructs';
import { CiliumPolicyError, CiliumPolicyErrorProps, showValue, textOf } from '../core/errors';
import { L3_PEER_FIELDS, LabelSelectorModel, PeerField, PortProtocolModel, RuleItemModel } from '../model/policy-model';
import {
  emptyExpressionList, isRequirementList, selectorConstrainsNamespace, selectorHasReservedKey, selectorKeys, selectorOnlyExcludes,
  selectorRequiresNothing,
} from '../model/selectors';
import { nodeKeySourceProblem } from '../model/labels';
import { AddressRange, cidrHostBits, cidrNeverValid, cidrRange, parseCidr, ParsedCidr, subtractRanges } from '../model/cidr';
import { IpPrefix, parseIpPrefix, prefixContains } from '../model/ip-address';
import { groupSelectorSelectsUngrouped } from '../model/cidr-groups';
import { BroadPeerOptions, itemsSelectBroadly, itemsSelectWholeWorld } from '../validate/lockout-guard';
import { selectorContradiction } from '../validate/pod-selectors';
import { cidrSetEntryPeers } from '../validate/schema-rules';
import { checkIdentityLabels } from './identity-label-check';
import { clonePlain, clonePlainTree } from '../model/clone-plain';
import { CiliumVersion } from '../core/cilium-version';
import { checkKnownKeys, checkNearKnownKeys, UnknownKey } from '../model/known-keys';
import { CIDR_SET_FIELDS, LABEL_SELECTOR_FIELDS, SELECTOR_OPERATORS, SELECTOR_REQUIREMENT_FIELDS, selectorOperatorFix, valuesAt } from '../validate/tables';
import { checkListOf, describeInstance } from './names';
import { describeValue, isList } from '../model/plain-value';
import { callerLocation, refusalLocation, RefusalLocation } from './caller-location';

/**
 * What a peer contributes to a rule item: exactly one L3 peer field, or none for "any peer". A config of one's own is
 * checked when the rule is given and again at synthesis (`peer-config-invalid`): a config given as a mapping sets no field
 * but these, and no config has a field near one of these (`defaultPort`: in a class instance, inherited or non-enumerable
 * too), since a misspelled `defaultPort` was dropped, so an egress call without ports allowed every port; the item sets at
 * most one L3 field, as a non-empty list, and nothing else; `defaultPorts` is not an empty list; each endpoint or node
 * selector is an object whose `matchLabels` is a map of label values (not `null`, a string or a list), and each selector
 * (endpoint, node, `cidrGroupSelector`, `k8sServiceSelector`) and requirement sets no field a label selector does not have
 * (`matchExpression`: the API server prunes it, and the peer was wider). A selector in it that requires nothing (`{}`,
 * `{ matchLabels: {} }`) is refused as the factories refuse an empty label map (`selector-empty`): an endpoint selector
 * (but `Peer.selectedBy(EndpointSelector.all())`'s own), a node selector, a `cidrGroupSelector`, a `k8sServiceSelector`; so is
 * one with an empty `matchExpressions` list, and a `cidrSet` entry with an empty `except` list (`peer-except-empty`) or one
 * whose excepts hold its whole range (`peer-except-covers-cidr`), as `Peer.cidr()` refuses them.
 */
export interface PeerConfig {
  /** The peer field set on the rule item. @default - the one L3 field the item sets; none: any peer */
  readonly field?: PeerField;
  /** The rule-item fields that select the peer (only `field` is set). */
  readonly item: RuleItemModel;
  /**
   * For endpoint peers without an explicit namespace: whether the selectors still need the namespace of the
   * policy (CNP) made explicit. A `ClusterwidePolicy` refuses such peers, because Cilium would let them match
   * pods of every namespace. A selector without a namespace key (and without a `reserved:` key) is treated so
   * whatever this says.
   * @default false
   */
  readonly namespaceImplicit?: boolean;
  /** A short human-readable description, used in error messages. */
  readonly description: string;
  /**
   * The ports to use when an egress rule to this peer names none (a workload's container ports, a Service's
   * target ports).
   * @default - all ports
   */
  readonly defaultPorts?: PortProtocolModel[];
  /**
   * Why an egress rule to this peer must name its ports (a workload no Service exposes: its serving ports are
   * unknown, and every port would be too much).
   * @default - the ports may be omitted
   */
  readonly defaultPortsUnknown?: string;
}

/**
 * The configs `Peer.selectedBy(EndpointSelector.all())` answers (module-private: only `markEveryPodOfNamespace` adds to it): an
 * endpoint selector that requires nothing, left to the policy's namespace on purpose, which `selector-empty` lets pass. A config
 * of one's own that says `namespaceImplicit` is not in it: its empty selector is refused as a label map left empty.
 */
const EVERY_POD_OF_NAMESPACE = new WeakSet<object>();

/**
 * Marks a config of the factories as "every pod of the policy's namespace", said outright (`Peer.selectedBy(EndpointSelector.all())`).
 * @internal
 */
export function markEveryPodOfNamespace(config: PeerConfig): PeerConfig {
  EVERY_POD_OF_NAMESPACE.add(config);
  return config;
}

/** The fields of `PeerConfig`, the only ones read from a peer's answer (kept equal to the interface by test/constructs/prop-keys-interfaces.test.ts). */
export const PEER_CONFIG_FIELDS: readonly string[] = ['field', 'item', 'namespaceImplicit', 'description', 'defaultPorts', 'defaultPortsUnknown'];

/**
 * A peer config of one's own as read once: its `PeerConfig` fields copied as plain data by the one walk that finds where
 * data is no tree (`clonePlainTree`), every value read exactly once, so the checks and the writer read the copy only. A
 * config that refers to itself (a `cidrGroupSelector` holding itself, an item nested for ever), or holds more values than a
 * policy can (an object shared at every level), is refused (`peer-config-invalid`): synthesis walked it for ever (the YAML
 * writer) or ran out of stack copying it, and a getter that answered a tree to a check and a loop after got past one.
 * A config given as a mapping (an object literal, `JSON.parse`) that sets a field `PeerConfig` does not declare is refused
 * first (`peer-config-invalid`), before any of its `PeerConfig` fields is read, by the one key check of props (`checkKnownKeys`,
 * as `readPropsOnce` does; it reads the value of such an unknown key, a getter's too, to accept `undefined` and to show it): a
 * misspelled `defaultPort` was dropped, so an egress call without ports allowed every port. A key near a `PeerConfig` field
 * (`defaultPort`) is refused too wherever else it is (`checkNearKnownKeys`, reading descriptors only): an own field of a class
 * instance, one inherited (`Object.create({ defaultPort })`, a class's getter), a non-enumerable one; each was dropped the
 * same way. A class instance's other fields are its own state (`owner: chart`): they are not read, and nothing of them is
 * written, as a class instance's own fields given as props are left out (`readPropsOnce`). A value that is no object is
 * returned as given, for the caller's checks to refuse.
 * @param config what `toPeerConfig()` returned
 * @param what the call or prop, for the message (`allowEgress`, `MonitoringScrape scraper`)
 * @param location the construct path, or the caller's file:line
 */
function peerConfigAsRead(config: unknown, what: string, location: string | undefined): unknown {
  if (config === null || typeof config !== 'object') return config;
  const refusal = ({ key, shown, near }: UnknownKey): CiliumPolicyErrorProps => ({
    id: 'peer-config-invalid',
    message: `${what}: the peer's toPeerConfig() sets ${key} (${shown}), which is no field of PeerConfig: it would be left out, `
      + 'and what it says would not apply (a misspelled defaultPorts left an egress call without ports open on every port)',
    fix: `${near !== undefined ? `did you mean ${near}? ` : 'remove it, or use the field meant; '}the fields of PeerConfig are ${PEER_CONFIG_FIELDS.join(', ')}`,
    ...(location !== undefined ? { location } : {}),
  });
  checkKnownKeys(config, PEER_CONFIG_FIELDS, refusal);
  checkNearKnownKeys(config, PEER_CONFIG_FIELDS, refusal);
  refuseNearSelectorFieldsOfConfig(config, what, location);
  const fields: Record<string, unknown> = {};
  for (const key of PEER_CONFIG_FIELDS) if (key in config) fields[key] = (config as Record<string, unknown>)[key];
  const tree = clonePlainTree(fields);
  if (tree.problem !== undefined) {
    throw new CiliumPolicyError({
      id: 'peer-config-invalid',
      message: `${what}: the peer's toPeerConfig() returned an object that ${tree.problem}: it cannot be written as a policy`,
      fix: 'return plain data, a tree with no object inside itself (build a fresh selector, or use Peer.cidrGroupSelector(), Peer.endpoints(), …)',
      ...(location !== undefined ? { location } : {}),
    });
  }
  return EVERY_POD_OF_NAMESPACE.has(config) ? markEveryPodOfNamespace(tree.copy as unknown as PeerConfig) : tree.copy;
}

/** The fields a peer's item may set: its one L3 field (`requires` is no peer: alone it leaves the item open to any peer). */
const L3_FIELDS = new Set<string>(L3_PEER_FIELDS);

/**
 * A peer's config as the rules read it, checked: a value of one's own (`IPeer`) or a workload's is held to what `Peer`'s
 * factories guarantee. The item sets at most one L3 peer field, a non-empty list (an empty one selects nothing from Cilium
 * 1.16; before, nothing in an item without ports and every peer on the ports of one with them); `field` names that field (it is derived from the item when left out: a CIDR item without
 * `field` was written as every peer when the call had no ports); nothing but the peer (ports, ICMP, L7 and authentication
 * come from the call); `defaultPorts` is not an empty list (it would be written as every port); no endpoint selector
 * only excludes (`NotIn`/`DoesNotExist`) where no namespace is added to it (`peer-selector-only-excludes`); no `cidrSet`
 * entry has an empty `except` list (`peer-except-empty`, `refuseEmptyExcept`) or excepts that hold its whole range
 * (`peer-except-covers-cidr`, `refuseExceptCoversCidr`).
 * @param config what `toPeerConfig()` returned
 * @param what the call, for messages (`allowEgress`)
 * @param location the construct path of the policy
 * @param scope the policy, whose target version says which label keys no identity has (`checkIdentityLabels`)
 */
export function checkedPeerConfig(answer: PeerConfig | undefined, what: string, location: string, scope?: IConstruct): PeerConfig {
  const refuse = (message: string, fix: string): CiliumPolicyError => new CiliumPolicyError({ id: 'peer-config-invalid', message, fix, location });
  // Read once: every check below and the writer read this copy, never the answer again.
  const config = peerConfigAsRead(answer, what, location) as PeerConfig | undefined;
  const item = config?.item as Record<string, unknown> | undefined;
  if (config === null || typeof config !== 'object' || item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw refuse(`${what}(): the peer's toPeerConfig() returned ${describeValue(answer)}, which has no rule-item fields (item)`,
      'return { field, item: { <field>: [...] }, description }, or use a Peer factory (Peer.endpoints(), Peer.cidr(), …)');
  }
  const description = typeof config.description === 'string' && config.description.trim() !== '' ? config.description : 'a custom peer';
  const set = Object.keys(item).filter((k) => item[k] !== undefined);
  const notPeer = set.filter((k) => !L3_FIELDS.has(k));
  if (notPeer.length > 0) {
    throw refuse(`${what}(${description}): the peer's item sets ${notPeer.join(', ')}, which ${notPeer.length > 1 ? 'are' : 'is'} not a peer field`,
      `set only one of ${[...L3_FIELDS].join(', ')}; ports, ICMP types, L7 rules and authentication go in the call's options`);
  }
  if (set.length > 1) {
    throw refuse(`${what}(${description}): the peer's item sets ${set.join(' and ')}: a peer is one L3 field (Cilium refuses two in one rule item)`,
      'make one peer per field and pass each to its own call');
  }
  const field = set[0] as PeerField | undefined;
  if (config.field !== undefined && config.field !== field) {
    throw refuse(`${what}(${description}): the peer's field is ${showValue(config.field, 200)}, but its item sets ${field ?? 'no peer field (any peer)'}`,
      'make field name the one field the item sets (or leave field out)');
  }
  const list = field !== undefined ? item[field] : undefined;
  if (field !== undefined && (!Array.isArray(list) || list.length === 0)) {
    throw refuse(`${what}(${description}): the peer's ${field} is ${Array.isArray(list) ? 'an empty list' : showValue(list, 200)}: an empty list selects `
      + 'nothing from Cilium 1.16, and before it every peer on the ports of the item (nothing without ports)', `list the ${field} meant; for any peer use Peer.any()`);
  }
  refuseEmptySelector(field, list as unknown[], EVERY_POD_OF_NAMESPACE.has(config), what, description, location);
  if (field === PeerField.CIDR_SET) {
    (list as unknown[]).forEach((e, i) => {
      refuseCidrSetEntry(e, `${what}(${description}): the peer's ${field}[${i}]`, location, scope !== undefined ? CiliumVersion.of(scope) : undefined);
      const entry = e as { cidr?: unknown; except?: unknown; cidrGroupRef?: unknown; cidrGroupSelector?: unknown };
      refuseUngroupedSelection(entry.cidrGroupSelector, `${what}(${description}): the peer's ${field}[${i}].cidrGroupSelector`, location);
      // A hole of a sparse list, `undefined` or `null` is written `null`, a CIDR of no Cilium version: refused where it is given.
      if (Array.isArray(entry.except)) checkListOf(entry.except, `${what}(${description}): the peer's ${field}[${i}].except`, 'a CIDR', (x) => x !== undefined && x !== null, location);
      refuseEmptyExcept(entry.cidr, entry.except, `${what}(${description}): the peer's ${field}[${i}].except`,
        `{ cidr: ${typeof entry.cidr === 'string' ? JSON.stringify(entry.cidr) : '…'} }`, location);
      // An entry sets one of cidr, cidrGroupRef, cidrGroupSelector (`refuseCidrSetEntry`, above).
      const group = entry.cidrGroupRef !== undefined ? `cidrGroupRef ${showValue(entry.cidrGroupRef)}`
        : entry.cidrGroupSelector !== undefined ? 'its cidrGroupSelector' : undefined;
      refuseExceptCoversCidr(entry.cidr, entry.except, `${what}(${description}): the peer's ${field}[${i}]`, location, group);
    });
  }
  if (field === PeerField.NODES) checkNodeSelectors(list as LabelSelectorModel[], what, description, location);
  if (field === PeerField.ENDPOINTS) {
    checkEndpointSelectors(list as LabelSelectorModel[], what, description, location);
    if (scope !== undefined) for (const s of list as LabelSelectorModel[]) checkIdentityLabels(s, `${what}(${description})`, scope, location);
  }
  if (config.defaultPorts !== undefined && (!Array.isArray(config.defaultPorts) || config.defaultPorts.length === 0)) {
    throw refuse(`${what}(${description}): the peer's defaultPorts is an empty list, which an egress call without ports would write as every port`,
      'list the ports, or leave defaultPorts out (an egress call without ports then allows every port, as it says)');
  }
  const checked = { ...config, field, description };
  return EVERY_POD_OF_NAMESPACE.has(config) ? markEveryPodOfNamespace(checked) : checked;
}

/**
 * Refuses a `cidrSet` entry of a peer of one's own that is no object, that names a field a CIDR rule does not have, or that
 * sets not exactly one of `cidr`, `cidrGroupRef`, `cidrGroupSelector` (`cidrSetEntryPeers`, the one reading of the CRD's
 * `oneOf`), a field set to `null` counted as left out: the writer leaves a `null` out, so `{ cidrGroupSelector: null }` was
 * written `toCIDRSet: [{}]`, which the API server refuses (it prunes the `null` of a field that is not nullable, and the entry
 * has none of the three), while the synthesis let it pass. A field Cilium's `api.CIDRRule` does not have (`excpet`) was
 * written and pruned by the API server, so the holes it meant were in the peer. The message is built only for a refusal, and
 * shows the entry's values as `describeValue` does (a BigInt or a circular entry is no error of its own).
 * @param entry the entry given
 * @param what the call and the entry, leading the message
 * @param location the construct path
 * @param version the target version, whose fields the fix lists; none: the fields of every version
 */
function refuseCidrSetEntry(entry: unknown, what: string, location: string, version?: CiliumVersion): void {
  const fix = "give each entry exactly one of { cidr: '10.0.0.0/8' }, { cidrGroupRef: 'corp' } or { cidrGroupSelector: { matchLabels: { … } } } "
    + '(with except if meant), or use Peer.cidr(), Peer.cidrGroup(), Peer.cidrGroupSelector()';
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new CiliumPolicyError({ id: 'peer-config-invalid', message: `${what} is ${describeInstance(entry)}, not a CIDR rule (an object; the CRD refuses it)`, fix, location });
  }
  // A field of a later version (`cidrGroupSelector` before 1.17) is known here: the version check says what the target lacks.
  const fields = CIDR_SET_FIELDS.map((f) => f.value);
  checkKnownKeys(entry, fields, ({ key, shown, near }) => ({
    id: 'peer-config-invalid',
    message: `${what} sets ${key} (${shown}), which is no field of a CIDR rule: the API server prunes it, so the entry would be applied `
      + 'without it (an except misspelled leaves the ranges it meant to leave out in the peer)',
    fix: `${near !== undefined ? `did you mean ${near}? ` : 'remove it, or use the one meant; '}the fields of a CIDR rule`
      + `${version !== undefined ? ` at Cilium ${version.toString()}` : ''} are ${(version !== undefined ? valuesAt(CIDR_SET_FIELDS, version) : fields).join(', ')}`,
    location,
  }));
  const nulls = Object.keys(entry).filter((k) => (entry as Record<string, unknown>)[k] === null);
  if (nulls.length > 0) {
    throw new CiliumPolicyError({
      id: 'peer-config-invalid',
      message: `${what} sets ${nulls.join(' and ')} to null, which is written as left out`
        + (cidrSetEntryPeers(entry).filter((k) => !nulls.includes(k)).length === 0 ? ', so the entry would name no range (the CRD refuses it)' : ''),
      fix: `give ${nulls.length > 1 ? 'them values' : 'it a value'} or leave ${nulls.length > 1 ? 'them' : 'it'} out; ${fix}`,
      location,
    });
  }
  const peers = cidrSetEntryPeers(entry);
  if (peers.length !== 1) {
    throw new CiliumPolicyError({
      id: 'peer-config-invalid',
      message: `${what} ${peers.length === 0 ? `sets none of cidr, cidrGroupRef, cidrGroupSelector (its fields: ${Object.keys(entry).join(', ') || 'none'})`
        : `sets ${peers.join(' and ')}`}, where the CRD wants exactly one`,
      fix,
      location,
    });
  }
}

/**
 * Refuses a CIDR that no Cilium version takes (`peer-cidr-syntax`: `cidrNeverValid`, `10.0.0.0/33`, `300.1.1.1/32`,
 * `garbage`) where it is written, naming the call or prop: before, the CRD check found it at synthesis, at the output field
 * (`spec.ingress[0].fromCIDR[0]`). What some version takes (a bare address) is left to the target version's checks. A value
 * that is no text is left to the checks that name it.
 * @param text the CIDR as given
 * @param what who gave it, leading the message (`Peer.cidr()`, `HostFirewall managementCidrs[0]`)
 * @param location the construct path, or the caller's file:line (`callerLocation`, read only for a refusal)
 */
export function refuseMalformedCidr(text: unknown, what: string, location: RefusalLocation): void {
  if (typeof text !== 'string') return;
  const problem = cidrNeverValid(text);
  if (problem === undefined) return;
  throw new CiliumPolicyError({
    id: 'peer-cidr-syntax',
    message: `${what} ${JSON.stringify(text)} is not a CIDR any Cilium version accepts: ${problem.reason}`,
    fix: problem.fix,
    location: refusalLocation(location),
  });
}

/**
 * Refuses a CIDR with host bits set (`peer-cidr-host-bits`: `10.1.2.3/8`) where it is written, naming the call or prop:
 * Cilium selects the whole network (pkg/labels/cidr.go `IPStringToLabel`: the selector's `cidr:` label is made of
 * `parsedPrefix.Masked()`), so the rule reads one address and selects the network, or the reverse. A
 * construct's CIDR list (`HostFirewall managementCidrs`) was refused by the `Peer.cidr()` it builds, at the caller's line
 * and naming `Peer.cidr()`, a call the user never wrote; a value that is no CIDR text is left to the checks that name it.
 * @param text the CIDR as given
 * @param what who gave it, leading the message (`Peer.cidr()`, `HostFirewall managementCidrs[0]`)
 * @param location the construct path, or the caller's file:line (`callerLocation`, read only for a refusal)
 */
export function refuseCidrHostBits(text: unknown, what: string, location: RefusalLocation): void {
  const hostBits = typeof text === 'string' ? cidrHostBits(text) : undefined;
  if (hostBits === undefined) return;
  throw new CiliumPolicyError({
    id: 'peer-cidr-host-bits',
    message: `${what} ${text as string} has host bits set: Cilium masks it to ${hostBits.network}, the whole /${hostBits.prefix}, not the one address ${hostBits.address}`,
    fix: `write ${hostBits.host} for the one address, or ${hostBits.network} for the network`,
    location: refusalLocation(location),
  });
}

/**
 * Refuses an empty `except` list of a CIDR (`peer-except-empty`), from `Peer.cidr()` and in a `cidrSet` entry of a peer of one's
 * own: it leaves nothing out (Cilium reads `except: []` as no hole: `api.CIDRRule` `ExceptCIDRs`, omitempty), so a list of
 * holes computed empty by mistake let in the very ranges meant to be left out.
 * @param cidr the range (for the fix)
 * @param except the except list as given (anything; what is no empty list passes)
 * @param what who gave it, leading the message (`Peer.cidr("10.0.0.0/16") except`, `allowEgress(corp): the peer's cidrSet[0].except`)
 * @param whole how the whole range is said without `except` (`Peer.cidr("10.0.0.0/16")`, `{ cidr: "10.0.0.0/16" }`)
 * @param location the construct path, or the caller's file:line (`callerLocation`, read only for a refusal)
 */
export function refuseEmptyExcept(cidr: unknown, except: unknown, what: string, whole: string, location: RefusalLocation): void {
  if (!Array.isArray(except) || except.length > 0) return;
  throw new CiliumPolicyError({
    id: 'peer-except-empty',
    message: `${what} is an empty list: it leaves nothing out, so the whole range would be the peer (is a computed list empty by mistake?)`,
    fix: `list the sub-ranges to leave out, or leave except out if all of ${typeof cidr === 'string' ? cidr : 'the range'} is meant: ${whole}`,
    location: refusalLocation(location),
  });
}

/**
 * Refuses `except` ranges that together hold every address of the CIDR (`peer-except-covers-cidr`), from `Peer.cidr()` and in a
 * `cidrSet` entry of a peer of one's own: the peer then selects no address at all, so a deny would deny nothing and an allow
 * allow nothing, while the rule reads as a range with holes (a computed list of holes that grew to the whole range, or the
 * range itself given as its own hole). Cilium writes the entry as the CIDR's label less each except's
 * (pkg/policy/api/cidr.go `CIDRRuleSlice.GetAsEndpointSelectors`: `cidr:<range> Exists` and `cidr:<except> DoesNotExist`, the
 * ipcache's longest-prefix match giving every address of an except the except's identity; before, `ComputeResultantCIDRSet`
 * subtracted the excepts and kept no range), and its Sanitize accepts the entry (each except lies inside the CIDR).
 * An entry of a CIDR group (`group`: `cidrGroupRef`, `cidrGroupSelector`) is held to every address a group can hold, of
 * either family: Cilium 1.17-1.19 reads it as the group's label less a `DoesNotExist`/except requirement per except CIDR
 * (v1.17-v1.18 `CIDRRuleSlice.GetAsEndpointSelectors`; v1.19 pkg/policy/types/selector.go `newCIDRRuleSelector` →
 * `newCIDRSelectorFromRequirements`, `NewExceptRequirement(labels.GetCIDRLabel(except))`), and every address of a group carries
 * its prefix's `cidr:` label, so excepts holding all of `0.0.0.0/0` and `::/0` leave the entry no address whatever the group
 * holds. Excepts that leave one family (only `0.0.0.0/0`) still select the group's addresses of the other: not refused.
 * An except outside the CIDR is the agent's refusal (`sanitize-except-outside-cidr`: `CIDRRule.sanitize`,
 * `prefix.Contains(except.Addr())`), left to that check; so are unreadable CIDRs and holes of a sparse list (`list-entry-invalid`).
 * @param cidr the range (unused for a group entry)
 * @param except the except list as given
 * @param what who gave it, leading the message (`Peer.cidr("10.0.0.0/8")`, `allowEgress(corp): the peer's cidrSet[0]`)
 * @param location the construct path, or the caller's file:line (`callerLocation`, read only for a refusal)
 * @param group for an entry of a CIDR group, how it names the group (`cidrGroupRef "corp"`)
 */
export function refuseExceptCoversCidr(cidr: unknown, except: unknown, what: string, location: RefusalLocation, group?: string): void {
  if (!Array.isArray(except) || except.length === 0) return;
  // Every index, holes of a sparse list too (`.map` and `.some` skip them): a hole is no CIDR, left to its own check.
  const written = Array.from(except as unknown[]);
  const holes = written.map((e) => (typeof e === 'string' ? parseCidr(e) : undefined));
  if (holes.some((h) => h === undefined)) return;
  let whole: AddressRange[];
  if (group !== undefined) {
    whole = EVERY_ADDRESS;
  } else {
    const outer = typeof cidr === 'string' ? parseCidr(cidr) : undefined;
    const prefix = typeof cidr === 'string' ? parseIpPrefix(cidr, false) : undefined;
    if (outer === undefined || prefix === undefined) return;
    // Cilium's own check, on the except's address as written: one outside is the agent's refusal, not this one.
    if (written.some((e) => !prefixContains(prefix, (parseIpPrefix(e as string, false) as IpPrefix).addr))) return;
    whole = [cidrRange(outer)];
  }
  if (subtractRanges(whole, holes.map((h) => cidrRange(h as ParsedCidr))).length > 0) return;
  const holds = `${except.length > 1 ? 'hold' : 'holds'} every address of ${group === undefined ? cidr as string : `either family (0.0.0.0/0 and ::/0), whatever ${group} holds`}`;
  throw new CiliumPolicyError({
    id: 'peer-except-covers-cidr',
    message: `${what} except ${written.join(', ')} ${holds}: the peer selects no address, so a deny rule would deny nothing and an allow rule `
      + `allow nothing (Cilium selects the ${group === undefined ? 'range' : 'group\'s addresses'} less its excepts); yet a rule that selects `
      + 'nothing still makes its direction default-deny for the pods it applies to (Cilium enforces a direction on every endpoint a rule of '
      + 'that direction selects, a deny rule too: pkg/policy/repository.go computePolicyEnforcementAndRules)',
    fix: `list only the sub-ranges to leave out${group === undefined ? ` of ${cidr as string}` : ''}; to name no address, leave the rule out and keep `
      + 'the direction default-deny where this rule was what made it so: isolateEgress() / isolateIngress() on the policy',
    location: refusalLocation(location),
  });
}

/** Every address a CIDR group can hold: all of IPv4 and all of IPv6. */
const EVERY_ADDRESS: AddressRange[] = [
  { family: 4, first: 0n, last: (1n << 32n) - 1n },
  { family: 6, first: 0n, last: (1n << 128n) - 1n },
];

/** What a selector that requires nothing selects, by peer field, and how the factories say it when it is meant. */
const EMPTY_SELECTOR: Partial<Record<PeerField, { selects: string; fix: string }>> = {
  [PeerField.ENDPOINTS]: {
    selects: 'every pod of the policy\'s namespace (every endpoint, in a clusterwide policy)',
    fix: "give the pod labels meant; for every pod of a namespace say Peer.namespace('<ns>'), for every pod Peer.allNamespaces()",
  },
  [PeerField.NODES]: {
    selects: 'every node of the cluster but the local one',
    fix: 'give the node labels meant; for every other node say Peer.entity(Entity.REMOTE_NODE), for the local node Peer.entity(Entity.HOST)',
  },
  [PeerField.CIDR_SET]: {
    selects: 'every identity without a cidrgroup: label (every pod, node and outside address no CiliumCIDRGroup holds) and every CiliumCIDRGroup of the cluster',
    fix: 'give the labels of the CiliumCIDRGroups meant, or name one group with Peer.cidrGroup(name)',
  },
  [PeerField.SERVICES]: {
    selects: 'every Service of its namespace (of every namespace, in a clusterwide policy)',
    fix: 'give the Service labels meant, or name one Service with Peer.service(name, namespace)',
  },
};

/**
 * Why the `matchExpressions` of a label selector of one's own is not a list of requirements with a key (`{}`, one requirement
 * not in a list, `[null]`), has an operator the CRD's enum refuses (`in`, `Foo`, `5`, `['In']`: `selectorOperatorFix`), or an
 * `In`/`NotIn` whose values are no non-empty list of strings, with its fix; or `undefined` (left out, `null`, or a list of
 * such requirements). Said before anything reads it: taken apart, such a value was dropped, and the selector without it
 * selected more (`Peer.selectedBy()`: every pod of the namespace). The fix never says to leave the list out (the selector
 * would select more), and a value is shown by `showValue`/`describeInstance` (a BigInt, a Symbol, an object without a
 * prototype or with a `toString` that throws is no error of its own).
 * @param selector the selector as answered (anything)
 */
export function expressionsShapeProblem(selector: unknown): { reason: string; fix: string } | undefined {
  const expressions: unknown = selector !== null && typeof selector === 'object' && !Array.isArray(selector)
    ? (selector as { matchExpressions?: unknown }).matchExpressions : undefined;
  if (!isRequirementList(expressions)) {
    return {
      reason: `matchExpressions is ${showValue(expressions, 200)}, not a list of { key, operator, values }`,
      fix: 'give matchExpressions as a list of the requirements meant, each { key, operator, values } with its key a string',
    };
  }
  const list = Array.isArray(expressions) ? expressions as { key: string; operator?: unknown; values?: unknown }[] : [];
  // An operator the CRD's enum refuses (`selectorOperatorFix`: `in`, `Gt`): no such policy is stored. Read as a requirement
  // no label meets, it was refused as `selector-contradictory` ("which no label set satisfies").
  const unknown = list.findIndex((e) => selectorOperatorFix(e.operator) !== undefined);
  if (unknown >= 0) {
    const { key, operator } = list[unknown];
    return {
      reason: `matchExpressions[${unknown}] (key ${JSON.stringify(key.slice(0, 100))}) has the operator ${describeInstance(operator)}, `
        + `which is not one of ${SELECTOR_OPERATORS.join(', ')}`,
      fix: selectorOperatorFix(operator) as string,
    };
  }
  // apimachinery's `LabelSelectorAsSelector` (labels.NewRequirement: "for 'in', 'notin' operators, values set can't be
  // empty") fails on it: the API server refuses the policy, and Cilium's `labelSelectorToRequirements` (pkg/policy/api
  // selector.go) keeps no requirement, a selector that matches nothing. Taken apart here it was a TypeError. A value that
  // is no string (`[5]`, `[1n]`) the CRD refuses too (the slim `LabelSelectorRequirement`'s `Values []string`).
  const index = list.findIndex((e) => (e.operator === 'In' || e.operator === 'NotIn')
    && !(Array.isArray(e.values) && e.values.length > 0 && e.values.every((v) => typeof v === 'string')));
  if (index < 0) return undefined;
  const { key, operator, values } = list[index];
  const which = Array.isArray(values) ? values.findIndex((v) => typeof v !== 'string') : -1;
  return {
    reason: `matchExpressions[${index}] (key ${JSON.stringify(key.slice(0, 100))}) is ${String(operator)} with `
      + (which >= 0 ? `values[${which}] ${describeInstance((values as unknown[])[which])}, which is no string`
        : `${Array.isArray(values) ? 'an empty values list' : values === undefined ? 'no values' : `the values ${describeInstance(values)}`}: `
          + `${String(operator)} needs a non-empty values list (the API server refuses it, and Cilium would match no labels)`),
    fix: `give ${String(operator)} the values meant, a non-empty list of strings`,
  };
}

/**
 * Why the `matchLabels` of a label selector of one's own is not a map of label values (`'app'`, `['app=web']`, `{ app: 1 }`),
 * or `undefined` (left out, `null`, or such a map). A string or list spread into a map became the keys `0`, `1`, ….
 * @param selector the selector as answered (anything)
 */
export function labelsShapeProblem(selector: unknown): string | undefined {
  const labels: unknown = selector !== null && typeof selector === 'object' && !Array.isArray(selector)
    ? (selector as { matchLabels?: unknown }).matchLabels : undefined;
  if (labels === undefined || labels === null) return undefined;
  if (typeof labels === 'object' && !Array.isArray(labels) && Object.values(labels).every((v) => typeof v === 'string')) return undefined;
  return `matchLabels is ${showValue(labels, 200)}, not a map of label values`;
}

/**
 * Refuses what a label selector of one's own answered when it is no label selector (`null`, a string, a list) or its
 * `matchLabels`/`matchExpressions` are not a map/list of them (`selector-unknown`, `labelsShapeProblem`,
 * `expressionsShapeProblem`): taken apart, it was dropped or spread into keys, and the selector selected more; and an empty
 * `matchExpressions` (`selector-empty`, `emptyExpressionList`), dropped as the factories' `expressions: []` would be.
 * @param model what `toEndpointSelector()`/`toNodeSelector()` answered
 * @param what who answered, for the message (`Peer.selectedBy(): the endpoint selector of one's own`)
 * @param fix how to answer instead
 * @param location the construct path
 */
export function checkOwnSelectorShape(model: unknown, what: string, fix: string, location: string | undefined): asserts model is LabelSelectorModel {
  const selector = model !== null && typeof model === 'object' && !Array.isArray(model);
  // A field no label selector has (`matchExpression`): the API server prunes it, and the selector selected more than it said.
  if (selector) refuseUnknownSelectorFields(model, `${what} answered a selector that`, location, 'selector-unknown');
  // A matchLabels that is no map takes the caller's fix; a matchExpressions that is no list of requirements, or has an
  // operator or values the CRD refuses, its own (`write In`: the caller's generic one hid it).
  const labels = selector ? labelsShapeProblem(model) : undefined;
  const expressions = selector && labels === undefined ? expressionsShapeProblem(model) : undefined;
  const problem = labels ?? expressions?.reason;
  if (selector && problem === undefined) {
    // `matchExpressions: []` is a list of requirements, but it is dropped when taken apart (as the factories' `expressions: []`).
    const empty = emptyExpressionList((model as { matchExpressions?: unknown }).matchExpressions,
      `${what} answered ${showValue(model, 200)} with`, 'matchExpressions');
    // Two requirements no label set satisfies together, as the factories refuse them: the selector would select nothing.
    const refusal = empty ?? selectorContradiction(model as LabelSelectorModel, `${what} answered ${showValue(model, 200)}, which`);
    if (refusal === undefined) return;
    throw new CiliumPolicyError({ ...refusal, location });
  }
  throw new CiliumPolicyError({
    id: 'selector-unknown',
    message: `${what} answered ${showValue(model, 200)}: `
      + `${problem !== undefined ? `its ${problem}` : 'it is not a label selector (an object of matchLabels and matchExpressions)'}`,
    fix: expressions?.fix ?? fix,
    location,
  });
}

/**
 * Refuses a field a label selector of one's own does not have (`matchExpression`, `matchlabels`), or a requirement of its
 * `matchExpressions` with one (`value`, `op`): the CRD of a Cilium policy keeps no unknown field there, so the API server
 * prunes it and the selector is applied without what it said. `{ matchLabels: { app: 'b' }, matchExpression: [env In
 * (prod)] }` was written as is and selected every `app=b` pod, `env=dev` too; `validate` refuses the same YAML
 * (`parse-unknown-field`). The one key check (`checkKnownKeys`): a key set to `undefined` is left out, as the writer does.
 * A selector or requirement that is no mapping is left to the shape checks. The selectors of one's own a value answers
 * (`Peer.selectedBy()`, `HostFirewall` and `MetadataEndpointBlock` selectors: `checkOwnSelectorShape`) get the same check,
 * as `selector-unknown`.
 * @param selector the selector as answered (anything)
 * @param what the call and where the selector is, leading the message (`allowEgress(b): the peer's endpoints[0]`)
 * @param location the construct path, or the caller's file:line
 * @param id the refusal's id (`peer-config-invalid` for a peer config of one's own)
 */
export function refuseUnknownSelectorFields(selector: unknown, what: string, location: string | undefined, id = 'peer-config-invalid'): void {
  const refusal = selectorFieldRefusal(what, location, id);
  checkKnownKeys(selector, LABEL_SELECTOR_FIELDS, refusal(LABEL_SELECTOR_FIELDS, 'a label selector', ''));
  const expressions: unknown = selector !== null && typeof selector === 'object' ? (selector as { matchExpressions?: unknown }).matchExpressions : undefined;
  if (Array.isArray(expressions)) {
    expressions.forEach((e, i) => checkKnownKeys(e, SELECTOR_REQUIREMENT_FIELDS,
      refusal(SELECTOR_REQUIREMENT_FIELDS, 'a matchExpressions requirement', `.matchExpressions[${i}]`)));
  }
  refuseNearSelectorFields(selector, what, location, id);
}

/** The refusal of a field no label selector (or requirement) has, for `checkKnownKeys` and `checkNearKnownKeys`. */
function selectorFieldRefusal(what: string, location: string | undefined, id: string) {
  return (fields: readonly string[], of: string, at: string) => ({ key, shown, near }: UnknownKey): CiliumPolicyErrorProps => ({
    id,
    message: `${what}${at} sets ${key} (${shown}), which is no field of ${of}: the API server prunes it (the CRD keeps no unknown field), `
      + 'so the selector would be applied without it and select more than it says',
    fix: `${near !== undefined ? `did you mean ${near}? ` : 'remove it, or use the field meant; '}the fields of ${of} are ${fields.join(', ')}`,
    ...(location !== undefined ? { location } : {}),
  });
}

/**
 * Refuses a key near a field of a label selector (`matchExpression`) or of its requirements (`value`) wherever it is
 * (`checkNearKnownKeys`): inherited (`Object.create({ matchExpression })`), non-enumerable, a class's getter. The copy the
 * checks read (`clonePlainTree`) holds own enumerable keys only, so such a key was dropped without a word and the selector
 * selected more (`app=b` pods with `env=dev` too). Reads property descriptors only (`dataOf`), never a getter.
 */
function refuseNearSelectorFields(selector: unknown, what: string, location: string | undefined, id: string): void {
  const refusal = selectorFieldRefusal(what, location, id);
  checkNearKnownKeys(selector, LABEL_SELECTOR_FIELDS, refusal(LABEL_SELECTOR_FIELDS, 'a label selector', ''));
  const expressions = dataOf(selector, 'matchExpressions');
  for (const [i, e] of listOf(expressions).entries()) {
    checkNearKnownKeys(e, SELECTOR_REQUIREMENT_FIELDS, refusal(SELECTOR_REQUIREMENT_FIELDS, 'a matchExpressions requirement', `.matchExpressions[${i}]`));
  }
}

/** The data field `key` of `value` or of its prototypes, read by its descriptor (a getter, or a proxy whose traps throw, gives `undefined`). */
function dataOf(value: unknown, key: string): unknown {
  try {
    for (let o: unknown = value; o !== null && typeof o === 'object' && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d !== undefined) return 'value' in d ? d.value : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The entries of a list read by descriptors (`dataOf`); anything but a list (a revoked proxy too) gives none. */
function listOf(value: unknown): unknown[] {
  if (!isList(value)) return [];
  const length = dataOf(value, 'length');
  return Array.from({ length: typeof length === 'number' ? length : 0 }, (_, i) => dataOf(value, String(i)));
}

/**
 * The label selectors of a peer config of one's own as given, before its copy is read (`peerConfigAsRead`): each checked by
 * `refuseNearSelectorFields`, which the copy cannot do (it holds own enumerable keys only). Reads descriptors only.
 */
function refuseNearSelectorFieldsOfConfig(config: unknown, what: string, location: string | undefined): void {
  const item = dataOf(config, 'item');
  const given = dataOf(config, 'description');
  const description = typeof given === 'string' && given.trim() !== '' ? given : 'a custom peer';
  const check = (selector: unknown, at: string): void => refuseNearSelectorFields(selector, `${what}(${description}): the peer's ${at}`, location,
    'peer-config-invalid');
  listOf(dataOf(item, PeerField.ENDPOINTS)).forEach((s, i) => check(s, `${PeerField.ENDPOINTS}[${i}]`));
  listOf(dataOf(item, PeerField.NODES)).forEach((s, i) => check(s, `${PeerField.NODES}[${i}]`));
  listOf(dataOf(item, PeerField.CIDR_SET)).forEach((e, i) => check(dataOf(e, 'cidrGroupSelector'), `${PeerField.CIDR_SET}[${i}].cidrGroupSelector`));
  listOf(dataOf(item, PeerField.SERVICES)).forEach((e, i) => check(dataOf(dataOf(e, 'k8sServiceSelector'), 'selector'),
    `${PeerField.SERVICES}[${i}].k8sServiceSelector.selector`));
}

/**
 * Refuses a selector of a peer of one's own that requires nothing (`{}`, `{ matchLabels: {} }`: a label map left empty),
 * where the factories refuse the same (`selector-empty`): an endpoint selector (`Peer.endpoints({ labels: {} })`), a node
 * selector (`Peer.nodes({})`), a `cidrGroupSelector` (`Peer.cidrGroupSelector({})`), a `k8sServiceSelector`
 * (`Peer.serviceSelector({ labels: {} })`). Cilium reads it as the wildcard: every pod of the namespace, every remote node,
 * every CIDR group, every Service. The endpoint selector the factories leave to the policy's namespace on purpose
 * (`Peer.selectedBy(EndpointSelector.all())`, marked by `markEveryPodOfNamespace`) stays accepted; a config of one's own
 * that says `namespaceImplicit` is not exempt.
 */
function refuseEmptySelector(field: PeerField | undefined, list: unknown[], everyPodOfNamespace: boolean, what: string, description: string,
  location: string): void {
  const selectors = (field === PeerField.ENDPOINTS && !everyPodOfNamespace) || field === PeerField.NODES ? list
    : field === PeerField.CIDR_SET ? list.map((e) => (e as { cidrGroupSelector?: unknown } | null)?.cidrGroupSelector)
      : field === PeerField.SERVICES ? list.map((e) => (e as { k8sServiceSelector?: { selector?: unknown } } | null)?.k8sServiceSelector?.selector)
        : [];
  const at = (i: number): string => field === PeerField.CIDR_SET ? `${field}[${i}].cidrGroupSelector`
    : field === PeerField.SERVICES ? `${field}[${i}].k8sServiceSelector.selector` : `${field}[${i}]`;
  // An endpoint or node selector that is no label selector (`null`, a string, a list) or whose matchLabels is no map of label
  // values (`labelsShapeProblem`; the CRD refuses both): `null` crashed the synthesis with a TypeError, and a string or list
  // was spread into the keys "0", "1", … and written with the namespace, every pod of it to the engine.
  const notSelector = field === PeerField.ENDPOINTS || field === PeerField.NODES ? selectors.findIndex((s) => s === null || typeof s !== 'object'
    || Array.isArray(s) || labelsShapeProblem(s) !== undefined) : -1;
  if (notSelector >= 0) {
    const s = selectors[notSelector];
    throw new CiliumPolicyError({
      id: 'peer-config-invalid',
      message: `${what}(${description}): the peer's ${at(notSelector)}`
        + (s !== null && typeof s === 'object' && !Array.isArray(s) ? `.${labelsShapeProblem(s)}`
          : ` is ${showValue(s, 200)}, not a label selector (an object of matchLabels and matchExpressions)`)
        + ' (the CRD refuses it)',
      fix: 'give each selector as { matchLabels: { key: value }, matchExpressions: [{ key, operator, values }] }',
      location,
    });
  }
  // A field no label selector has (`matchExpression`), pruned by the API server: the selector selected more than it said.
  selectors.forEach((s, i) => refuseUnknownSelectorFields(s, `${what}(${description}): the peer's ${at(i)}`, location));
  // A matchExpressions that is not a list of requirements with a key, or with an operator or values the CRD refuses, is said
  // so, before anything reads its entries, with the fix of its problem (leaving the list out would select more).
  for (const [i, s] of selectors.entries()) {
    const problem = expressionsShapeProblem(s);
    if (problem === undefined) continue;
    throw new CiliumPolicyError({
      id: 'peer-config-invalid',
      message: `${what}(${description}): the peer's ${at(i)}.${problem.reason} (the CRD refuses it)`,
      fix: problem.fix,
      location,
    });
  }
  // An empty one (`matchExpressions: []`) would be written, and Cilium reads it as no requirement (the factories refuse it).
  selectors.forEach((s, i) => {
    const empty = emptyExpressionList((s as { matchExpressions?: unknown } | null)?.matchExpressions, `${what}(${description}): the peer's ${at(i)} has`,
      'matchExpressions');
    if (empty !== undefined) throw new CiliumPolicyError({ ...empty, location });
  });
  const index = selectors.findIndex((s) => s !== null && typeof s === 'object' && !Array.isArray(s) && selectorRequiresNothing(s as LabelSelectorModel));
  const meaning = field !== undefined ? EMPTY_SELECTOR[field] : undefined;
  if (index < 0 || meaning === undefined) return;
  const where = at(index);
  throw new CiliumPolicyError({
    id: 'selector-empty',
    message: `${what}(${description}): the peer's ${where} is ${showValue(selectors[index], 200)}, which requires no label, so it selects `
      + `${meaning.selects}, as an empty label map given to the Peer factories would (they refuse it)`,
    fix: meaning.fix,
    location,
  });
}

/**
 * Refuses a node selector (`fromNodes`/`toNodes`) with a key of a label source no node identity carries (`nodeKeySourceProblem`:
 * `k8s:`, `container:`, a reserved label other than `host`/`remote-node`/`kube-apiserver`, a source of one's own): Cilium gives
 * node labels the source `node`, so a requirement on such a key never holds and the peer selects no node: an allow lets no
 * node in, and a deny (`denyIngress(Peer.nodes({ 'k8s:role': 'untrusted' }))`) denies nothing.
 */
function checkNodeSelectors(selectors: LabelSelectorModel[], what: string, description: string, location: string): void {
  for (const s of selectors) {
    if (s === null || typeof s !== 'object') continue;
    const problem = selectorKeys(s).filter((k) => typeof k === 'string').map(nodeKeySourceProblem).find((p) => p !== undefined);
    if (problem === undefined) continue;
    throw new CiliumPolicyError({
      id: 'peer-nodes-label-source',
      message: `${what}(${description}): the node selector key ${problem.says}, so the selector does not see the label on any node: `
        + 'a requirement of it never holds (and one that excludes it always holds), and an allow would let no node in, a deny would deny nothing',
      fix: problem.fix,
      location,
    });
  }
}

/**
 * Refuses a `cidrGroupSelector` that only excludes (`NotIn`/`DoesNotExist`, no label it requires): it holds on every
 * identity without a `cidrgroup:` label (`groupSelectorSelectsUngrouped`), so Cilium 1.17+ selects with it every pod, node
 * and outside address no CiliumCIDRGroup holds, not the groups meant. (One that requires nothing is `selector-empty`.)
 */
function refuseUngroupedSelection(selector: unknown, what: string, location: string): void {
  if (selector === null || typeof selector !== 'object' || Array.isArray(selector)) return;
  const sel = selector as LabelSelectorModel;
  if (selectorRequiresNothing(sel) || !groupSelectorSelectsUngrouped(sel)) return;
  const keys = (sel.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}`).join(', ');
  throw new CiliumPolicyError({
    id: 'peer-selector-only-excludes',
    message: `${what} only excludes (${keys}), so it holds on every identity without a cidrgroup: label: Cilium selects with it every pod of every `
      + 'namespace, every node, the reserved entities and every outside address no CiliumCIDRGroup holds, not only the groups\' ranges',
    fix: 'give a label the CiliumCIDRGroups meant carry (matchLabels, or In), or name one group with Peer.cidrGroup(name)',
    location,
  });
}

/**
 * Refuses an endpoint selector that only excludes (`NotIn`/`DoesNotExist`, no label it requires) and that gets no namespace
 * requirement: one that names the namespace key (`io.kubernetes.pod.namespace NotIn (kube-system)`) or a `reserved:` key,
 * where neither Cilium nor the SDK adds the policy's namespace. It matches every identity without those labels: the world,
 * the host, remote nodes, Cilium's health and ingress endpoints (the agent's cluster filter, `policy-default-local-cluster`,
 * keeps them out from Cilium 1.19 only, and only while it is on). "Pods of every namespace but kube-system" says so with
 * `allNamespaces: true` (`io.kubernetes.pod.namespace Exists`).
 */
function checkEndpointSelectors(selectors: LabelSelectorModel[], what: string, description: string, location: string): void {
  const loose = selectors.find((s) => s !== null && typeof s === 'object' && selectorOnlyExcludes(s)
    && (selectorConstrainsNamespace(s) || selectorHasReservedKey(s)));
  if (loose === undefined) return;
  const keys = (loose.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}`).join(', ');
  throw new CiliumPolicyError({
    id: 'peer-selector-only-excludes',
    message: `${what}(${description}): the endpoint selector only excludes (${keys}) and names the namespace (or a reserved: key) itself, so no namespace is added: `
      + 'it also matches every identity without those labels, the world, the host, remote nodes and Cilium\'s health endpoints '
      + '(before Cilium 1.19, or with policy-default-local-cluster off)',
    fix: 'keep it to pods: add allNamespaces: true to Peer.endpoints() (io.kubernetes.pod.namespace Exists), or a label the pods carry',
    location,
  });
}

/**
 * What a metrics scraper must not be: the world, a range wider than an IPv4 /8 or an IPv6 /32, every pod, pods of namespaces not fixed, a CIDR
 * group (its ranges unseen at synthesis, the world for all the SDK knows), nodes by labels a node may give itself, the `unmanaged`
 * or `init` entity (pods of any namespace whose identity Cilium has not resolved), the `ingress` entity (whatever Cilium's Ingress
 * and Gateway API Envoy relays, the world included).
 */
const SCRAPER: BroadPeerOptions = {
  everyPod: true, namespaceFixed: true, cidrGroups: true, claimableNodes: true, unresolvedPods: true, ingressProxy: true,
};

/**
 * Refuses a metrics scraper that selects the whole world (`scraper-world`), or far more than a scraper (`scraper-broad`):
 * a CIDR wider than an IPv4 /8 or an IPv6 /32 (`0.0.0.0/1`, `0.0.0.0/0` with excepts, `fd00::/8`, or more than an IPv4 /8 of the NAT64 `64:ff9b::/96` or `64:ff9b:1::/48`), the `cluster` entity, every pod, or pods whose namespace
 * is not fixed (`allNamespaces: true`, `NotIn` on the namespace key), which any tenant can label a pod into, or a CIDR
 * group (`Peer.cidrGroup`, `Peer.cidrGroupSelector`: its ranges live in the cluster, unseen at synthesis, and may be the world),
 * or nodes by labels a node's own kubelet may set, or every node carries (`nodeSelectorClaimable`): a compromised node could label
 * itself into the scraper; or the `unmanaged` or `init` entity, any tenant's pods while Cilium has not resolved their identity;
 * or the `ingress` entity, any client of Cilium's Ingress and Gateway API Envoy, the world included.
 * @param scraper the scraper given
 * @param what the prop, e.g. `DefaultDenyNamespace scrapeFrom`
 * @param ports the ports it would reach, for the message
 * @param location the construct path
 */
export function refuseWorldScraper(scraper: unknown, what: string, ports: string, location: string): void {
  const world = peersSelectWholeWorld([scraper]);
  const broad = world ?? peersSelectBroadly([scraper], SCRAPER);
  if (broad === undefined) return;
  throw new CiliumPolicyError({
    id: world !== undefined ? 'scraper-world' : 'scraper-broad',
    message: `${what} selects ${broad}: ${ports} would be open to ${world !== undefined ? 'the world' : 'far more than a scraper'}`,
    fix: "name the scraper: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), its network with Peer.cidr('10.50.0.0/24'), "
      + "or its nodes by a label no kubelet may set with Peer.nodes({ 'node-restriction.kubernetes.io/<name>': '' })"
      + ' (Cilium reads node labels from CiliumNode objects, which every agent may update, so a node whose root is compromised can claim any label: '
      + 'pods, or node addresses as CIDRs where the agents run with policy-cidr-match-mode: nodes, are stronger); '
      + 'ports meant to be open that widely are a rule of their own (allowIngress(peer, { ports }))',
    location,
  });
}

/**
 * What a value given where a peer goes is: `peer` (an object with a `toPeerConfig` function, a `Peer` or a peer of one's
 * own), `unreadable` (its `toPeerConfig` cannot be read: a revoked proxy, a getter that throws, which was a TypeError where
 * a refusal was meant), or `none` (anything else: a string, a workload construct, `null`). The one test of "is this a
 * peer" of the constructs (`isPeer`, `checkPeerValue`, the role peers' `peerAsJudged`/`peerItems`, the option and prop
 * texts of `sdkValueKind` and the host firewall's refusals).
 * @param value the value given
 */
export function peerValueKind(value: unknown): 'peer' | 'unreadable' | 'none' {
  if (value === null || typeof value !== 'object') return 'none';
  try {
    if (typeof (value as { toPeerConfig?: unknown }).toPeerConfig !== 'function') return 'none';
  } catch {
    return 'unreadable';
  }
  // Its workload is read where the peer is used (`workloadOf`): one that cannot be read was the getter's raw error there.
  return readWorkload(value) === UNREADABLE ? 'unreadable' : 'peer';
}

/** What `readWorkload` answers for a workload that cannot be read. */
export const UNREADABLE: unique symbol = Symbol('unreadable');

/**
 * The workload a peer or selector reads at synthesis (`Peer.workload()`, `EndpointSelector.workload()`: its `_workload`),
 * `undefined` for none, or `UNREADABLE` when reading it throws (a getter of one's own, a revoked proxy) or answers what is
 * no construct (`_workload: 5` failed on `.node.path` with a TypeError). The one read of `_workload` of the constructs
 * (`workloadOf` refuses the unreadable, `peerValueKind` and `selectorValueKind` count it as such).
 * @param value a peer or selector given
 */
export function readWorkload(value: unknown): IConstruct | undefined | typeof UNREADABLE {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    const workload = (value as { _workload?: unknown })._workload;
    if (workload === undefined) return undefined;
    return Construct.isConstruct(workload) ? workload : UNREADABLE;
  } catch {
    return UNREADABLE;
  }
}

/**
 * The workload of a peer or selector (`readWorkload`), refused when it cannot be read (`peer-unknown`, `selector-unknown`),
 * naming the value, where it was given and the fix.
 * @param value the peer or selector given
 * @param what where it was given, as the message names it (`allowIngress()`, `TieredApp entry[0]`, `endpointSelector`)
 * @param location a construct path or the caller's file:line
 */
export function workloadOf(value: unknown, what: string, location: string | undefined): IConstruct | undefined {
  const workload = readWorkload(value);
  if (workload !== UNREADABLE) return workload;
  const peer = typeof (value as { toPeerConfig?: unknown }).toPeerConfig === 'function';
  throw new CiliumPolicyError({
    id: peer ? 'peer-unknown' : 'selector-unknown',
    message: `${what}: ${describeValue(value)} whose _workload cannot be read (it throws, or is no construct) is not a ${peer ? 'peer' : 'selector'}`,
    fix: peer ? 'pass a Peer (Peer.endpoints(), Peer.entity(), Peer.workload(deployment), …), or a peer of one\'s own without a _workload'
      : 'pass an EndpointSelector (EndpointSelector.labels({ … }), EndpointSelector.workload(deployment)), or a selector of one\'s own without a _workload',
    ...(location !== undefined ? { location } : {}),
  });
}

/** Whether a value is a peer whose `toPeerConfig` can be read (`peerValueKind`). */
export function isPeer(value: unknown): value is { toPeerConfig(): unknown } {
  return peerValueKind(value) === 'peer';
}

/**
 * Whether a value is a peer whose config is read now (`isPeer`, and no workload: `Peer.workload()` is read at synthesis, and
 * its pods are pods by construction); the role peers' checks (`peerAsJudged`, `peerItems`) read only these.
 */
function isPeerReadNow(value: unknown): value is { toPeerConfig(): unknown } {
  return isPeer(value) && readWorkload(value) === undefined;
}

/**
 * A peer named for a role (a DNS server, a metrics scraper, the clients of a node's API) as the construct judges it: its
 * config read once, now, and answered again on every later read. The construct checks that config against the role
 * (`refuseBroadDnsServer`, `refuseWorldScraper`, the host firewall's peer checks) and writes the same one: a peer of one's
 * own whose `toPeerConfig()` answered differently at synthesis (a resolver's CIDR turned to `0.0.0.0/0` in the object it
 * reads) was written unchecked, and the DNS companion, a scrape port or the kubelet opened to the world. A workload
 * (`Peer.workload()`, read at synthesis, pods by construction) and a value that is no peer (refused by the rule it goes to)
 * are returned as given.
 * @param peer the peer given for the role
 */
export function peerAsJudged<T>(peer: T): T {
  if (!isPeerReadNow(peer)) return peer;
  const shown = textOf(peer);
  // Read once, refused where the construct was made when it is no tree (no construct path is given here).
  const config = peerConfigAsRead(peer.toPeerConfig(), shown, callerLocation()) as PeerConfig;
  return { toPeerConfig: () => clonePlain(config), toString: () => shown } as unknown as T;
}

/**
 * Why peers named for a role (a DNS server, a metrics scraper, the clients of a node's API) select the whole world
 * (`itemsSelectWholeWorld`: any peer, the `world` or `all` entity, CIDRs that hold every address), or `undefined`. A
 * workload (pods, read at synthesis) and a value that is no peer count for nothing: the rule they go to refuses the latter.
 * @param peers the peers given
 */
export function peersSelectWholeWorld(peers: readonly unknown[]): string | undefined {
  return itemsSelectWholeWorld(peerItems(peers));
}

/**
 * Why peers named for a narrow role select far more than it (`itemsSelectBroadly`: the world, a CIDR wider than an IPv4 /8 or an IPv6 /32, and
 * as `options` say every pod or pods of namespaces not fixed), or `undefined`. A workload and a value that is no peer count
 * for nothing, as in `peersSelectWholeWorld`.
 * @param peers the peers given
 * @param options what else counts as broad for the role
 */
export function peersSelectBroadly(peers: readonly unknown[], options: BroadPeerOptions): string | undefined {
  return itemsSelectBroadly(peerItems(peers), options);
}

/** The rule items of peers (`toPeerConfig().item`); workloads and values that are no peer give none. */
export function peerItems(peers: readonly unknown[]): RuleItemModel[] {
  return peers.flatMap((peer) => {
    if (!isPeerReadNow(peer)) return [];
    const config = peer.toPeerConfig() as PeerConfig | null | undefined;
    const item = config !== null && typeof config === 'object' ? config.item : undefined;
    return item !== null && typeof item === 'object' && !Array.isArray(item) ? [item] : [];
  });
}
