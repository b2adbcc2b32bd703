/**
 * Layer 2: what the agent's `Rule.Sanitize()` (`pkg/policy/api/rule_validation.go`) and its import path enforce.
 * The API server stores such a policy, but the agent refuses to import it (the CNP shows `Valid: False`) or ignores
 * part of it; nothing fails at `kubectl apply`.
 */
import {
  CidrRuleModel,
  FqdnSelectorModel,
  HeaderMatchModel,
  HttpRuleModel,
  IcmpRuleModel,
  KafkaRuleModel,
  L7RulesModel,
  LabelSelectorModel,
  PEER_FIELDS,
  PEER_FIELD_NAMES,
  PolicyDocumentModel,
  SECTIONS,
  PeerField,
  SectionName,
} from '../model/policy-model';
import { CiliumVersion } from '../core/cilium-version';
import { crdAcceptsCidr, portOmittedProtocolFix } from './schema-rules';
import {
  AGENT_SINCE,
  ENTITIES,
  GO_ONLY_ENTITIES,
  CONSTRAINT_SINCE,
  CRD_PATTERNS,
  fieldSince,
  ICMP_FAMILIES,
  ICMP_TYPE_NAMES,
  KAFKA_API_KEYS,
  LIMITS,
  PORT_FIELDS,
  PORTLESS_PROTOCOLS,
  SAFE,
  SECTION_FIELDS,
} from './tables';
import {
  ciliumExtendedKey,
  IpPrefix,
  isQualifiedName,
  parseAddr,
  parsePrefixStrict,
  prefixContains,
  readPort,
  selectorBuildProblems,
  SelectorProblemKind,
} from './syntax';
import { re2Error } from '../model/re2';
import { subjectNamespaceMatches } from '../model/subject-namespace';
import { arr, CheckContext, isObject, ItemNode, keyPath, PortNode, PortRuleNode, RuleNode, SectionNode, SelectorNode, show, Visitor, wireName } from './walk';

const ICMP_TYPE = new RegExp(CRD_PATTERNS.icmpType);

/** Whether a port rule has L7 rules of any kind (an empty `rules: {}` has none; an `l7proto` alone picks a parser). */
export function hasL7(rules: L7RulesModel | undefined): rules is L7RulesModel {
  if (!isObject(rules)) return false;
  return rules.http !== undefined || rules.kafka !== undefined || rules.dns !== undefined || !!rules.l7proto || rules.l7 !== undefined;
}

/**
 * Whether the agent's port-rule checks see L7 rules (`!pr.Rules.IsEmpty()`, pkg/policy/api/l4.go). Before 1.16 `IsEmpty`
 * reads the http, kafka, dns and l7 lists as nil or not, so `http: []` counts; from 1.16 it is `Len() == 0`, so only a
 * list with rules counts (`AGENT_SINCE.emptyL7ListIsNoRule`), and `rules: {http: []}` passes on UDP, on port 0 and
 * beside `serverNames`. An `l7proto` without `l7` is empty to them in every version, so it passes there too.
 */
function agentSeesL7(rules: L7RulesModel | undefined, version: CiliumVersion): rules is L7RulesModel {
  if (!hasL7(rules)) return false;
  const lists = [rules.http, rules.kafka, rules.dns, rules.l7];
  return version.atLeast(AGENT_SINCE.emptyL7ListIsNoRule) ? lists.some((l) => arr(l).length > 0) : lists.some((l) => l !== undefined);
}

function checkDocument(doc: PolicyDocumentModel, ctx: CheckContext): void {
  const hasSpec = isObject(doc.spec);
  const hasSpecs = arr(doc.specs).length > 0;
  if (!hasSpec && !hasSpecs) {
    ctx.report('sanitize-empty-policy', undefined, `the ${doc.kind} has neither spec nor specs; the agent refuses an empty policy`,
      'add a spec with an endpointSelector (or nodeSelector) and at least one section');
  }
}

function checkRule(node: RuleNode, ctx: CheckContext): void {
  const { rule, path } = node;
  if (ctx.raw) checkRawSubject(node, ctx);
  if (ctx.kind === 'CiliumNetworkPolicy' && rule.nodeSelector !== undefined && rule.nodeSelector !== null) {
    ctx.report('sanitize-cnp-node-selector', `${path}.nodeSelector`, 'a CiliumNetworkPolicy cannot have nodeSelector; the agent refuses it',
      'write host policies as a CiliumClusterwideNetworkPolicy, or use endpointSelector to select pods');
  }
  const present = SECTIONS.filter((s) => rule[s] !== undefined && rule[s] !== null);
  const nonEmpty = SECTIONS.filter((s) => arr(rule[s]).length > 0);
  // For a document the CRD schema refuses a rule without sections first (`crd-sections-any-of`); no schema checks a raw rule.
  const crdCaught = !ctx.raw && present.length === 0 && ctx.version.atLeast(CONSTRAINT_SINCE.sectionsAnyOf);
  if (nonEmpty.length === 0 && !crdCaught) {
    const what = present.length ? `only empty sections (${present.map((s) => `${s}: []`).join(', ')})` : 'no ingress, ingressDeny, egress or egressDeny';
    ctx.report('sanitize-no-rules', path,
      `rule has ${what}; ${ctx.version.atLeast(CONSTRAINT_SINCE.sectionsAnyOf) ? 'the agent refuses it' : 'it selects endpoints but enforces nothing'}`,
      'add rules; for a default deny write ingress: [{}] and/or egress: [{}]');
  }
  if (ctx.kind === 'CiliumNetworkPolicy' && isObject(rule.endpointSelector)) checkSubjectNamespace(rule.endpointSelector, `${path}.endpointSelector`, ctx);
}

/**
 * A raw rule's subject (`Rule.Sanitize`: exactly one of endpointSelector and nodeSelector): what the CRD schema checks for
 * a document (`crd-subject-one-of`).
 */
function checkRawSubject(node: RuleNode, ctx: CheckContext): void {
  const hasEs = node.rule.endpointSelector !== undefined && node.rule.endpointSelector !== null;
  const hasNs = node.rule.nodeSelector !== undefined && node.rule.nodeSelector !== null;
  if (hasEs !== hasNs) return;
  ctx.report('sanitize-rule-subject', node.path,
    hasEs ? 'rule has both endpointSelector and nodeSelector; the agent refuses it' : 'rule has neither endpointSelector nor nodeSelector; the agent refuses it',
    hasEs ? 'keep one: endpointSelector for pods, nodeSelector for a host policy'
      : 'add endpointSelector: {} to select every pod, or a nodeSelector for a host policy');
}

/**
 * A raw rule's entities (`EntitySelectorMapping`: "unsupported entity"): the CRD enum for a document (`crd-entity`), the
 * agent's own list for a raw rule, which has `world-ipv4` and `world-ipv6` from 1.15.
 */
function checkRawEntities(node: ItemNode, ctx: CheckContext): void {
  const w = wireName(PeerField.ENTITIES, node.direction);
  arr<unknown>(node.item.entities).forEach((e, i) => {
    if (typeof e !== 'string' || ENTITIES.includes(e) || (GO_ONLY_ENTITIES.includes(e) && ctx.version.atLeast(AGENT_SINCE.ipFamilyWorldEntities))) return;
    const goOnly = GO_ONLY_ENTITIES.includes(e);
    ctx.report('sanitize-entity', `${node.itemPath}.${w}[${i}]`,
      `the agent has no entity ${show(e)}${goOnly ? ` before Cilium ${AGENT_SINCE.ipFamilyWorldEntities} (target is ${ctx.version})` : ''}; it refuses the rule`,
      goOnly ? 'use world, or toCIDR 0.0.0.0/0 (IPv4) or ::/0 (IPv6) to pick one family' : `use one of ${ENTITIES.join(', ')}`);
  });
}

/** A CNP's endpointSelector namespace matches, as the agent reads them (`subjectNamespaceMatches`). */
function checkSubjectNamespace(sel: LabelSelectorModel, path: string, ctx: CheckContext): void {
  const own = ctx.namespace;
  const fix = 'remove it (a CNP only selects pods of its own namespace), or use a CiliumClusterwideNetworkPolicy to select pods of other namespaces';
  for (const m of subjectNamespaceMatches(sel, own)) {
    if (m.field === 'matchLabels') {
      const p = keyPath(`${path}.matchLabels`, m.key);
      ctx.report('sanitize-cnp-subject-namespace', p, m.effect === 'replaced'
        ? `the agent replaces the ${m.key} match (${show(m.value)}) of a CiliumNetworkPolicy endpointSelector with the policy's namespace ${show(own)}`
        : `the ${m.key} match (${show(m.value)}) of a CiliumNetworkPolicy endpointSelector is kept next to the policy's namespace ${show(own)}, so the policy selects no pod`,
      fix);
    } else {
      const effect = m.effect === 'no-effect' ? 'so it has no effect' : 'so the policy selects no pod';
      ctx.report('sanitize-cnp-subject-namespace', `${path}.matchExpressions[${m.index}].key`,
        `the ${m.key} expression (${m.operator} ${show(m.values)}) of a CiliumNetworkPolicy endpointSelector is kept and AND'ed with the policy's namespace ${show(own)}, ${effect}`,
        fix);
    }
  }
}

function checkSection(node: SectionNode, ctx: CheckContext): void {
  const { rule, section, items, sectionPath } = node;
  if (Array.isArray(items) && items.length === 0 && SECTIONS.some((s) => arr(rule[s]).length > 0)) {
    ctx.report('sanitize-empty-section', sectionPath, `${section}: [] is ignored by the agent, so it does not make ${node.direction} default-deny`,
      `use ${section}: [{}] to deny all ${node.direction} that nothing else allows, or remove the empty list`);
  }
}

function checkCidrs(node: ItemNode, ctx: CheckContext): void {
  const { item, direction, itemPath } = node;
  const v = ctx.version;
  const unparsable = (value: string, p: string, strict: boolean): void => {
    ctx.report('sanitize-cidr-parse', p, `the agent cannot parse ${show(value)} as ${strict ? 'a CIDR prefix' : 'a CIDR or IP address'}`,
      'write the address without leading zeros, zone or padded prefix length, such as 10.0.0.0/8');
  };
  // A value the CRD pattern refuses is the schema's finding for a document (`crd-…`); no schema screens a raw rule's.
  const screened = (value: string): boolean => ctx.raw || crdAcceptsCidr(value, v);
  const cidrWire = wireName(PeerField.CIDR, direction);
  arr<unknown>(item.cidr).forEach((c, i) => {
    if (typeof c !== 'string' || !screened(c)) return;
    const addr = parseAddr(c);
    // A zone (`fe80::1%eth0`) names an interface, not a peer: the agent cannot use it in a policy.
    if (!parsePrefixStrict(c) && (!addr || addr.zone !== undefined)) unparsable(c, `${itemPath}.${cidrWire}[${i}]`, false);
  });
  const setWire = wireName(PeerField.CIDR_SET, direction);
  arr<CidrRuleModel>(item.cidrSet).forEach((entry, i) => {
    if (!isObject(entry)) return;
    const path = `${itemPath}.${setWire}[${i}]`;
    let prefix: IpPrefix | undefined;
    if (typeof entry.cidr === 'string' && screened(entry.cidr)) {
      prefix = parsePrefixStrict(entry.cidr);
      if (!prefix) unparsable(entry.cidr, `${path}.cidr`, true);
    }
    // Before 1.16 the watcher replaces cidrGroupRef entries with their groups' CIDRs only in the fromCIDRSet of ingress allow
    // rules (pkg/k8s/watchers `translateSpec` loops over spec.Ingress alone); `EgressRule.sanitize` then parses the cidr of
    // every toCIDRSet entry (`CIDRRule.sanitize`: netip.ParsePrefix), so a reference's empty cidr fails and the agent
    // refuses the whole policy. (Deny items are not sanitized before 1.17: there the entry selects nothing, which
    // `version-egress-cidr-group-ref` reports.)
    if (node.section === SectionName.EGRESS && typeof entry.cidrGroupRef === 'string' && entry.cidr === undefined
      && !v.atLeast(AGENT_SINCE.egressCidrGroupRef)) {
      ctx.report('sanitize-egress-cidr-group-ref', `${path}.cidrGroupRef`,
        `cidrGroupRef ${show(entry.cidrGroupRef)} in an egress toCIDRSet needs Cilium ${AGENT_SINCE.egressCidrGroupRef} or newer (target is ${v}): older agents `
        + 'resolve CIDR groups only in the fromCIDRSet of ingress allow rules, so Sanitize parses this entry\'s empty cidr ("Unable to parse CIDRRule '
        + '\\"\\"") and refuses the whole policy',
        `list the group's CIDRs as toCIDRSet cidr entries, or raise the target version to ${AGENT_SINCE.egressCidrGroupRef}`);
    }
    const except = arr<unknown>(entry.except);
    if (except.length > 0 && entry.cidrGroupRef !== undefined && !v.atLeast(AGENT_SINCE.exceptWithGroup)) {
      ctx.report('sanitize-except-with-group', `${path}.except`,
        `except together with cidrGroupRef ${show(entry.cidrGroupRef)} needs Cilium ${AGENT_SINCE.exceptWithGroup} or newer (target is ${v}); older agents refuse it `
        + '(from the January 2025 patch releases, e.g. v1.14.19: "ExceptCIDRs cannot be used in combination with CIDRGroupRef"; earlier patches '
        + 'apply the except to every CIDR of the group in ingress and may crash in egressDeny)',
        `raise the target version to ${AGENT_SINCE.exceptWithGroup}, or drop the except and leave the excluded ranges out of the CiliumCIDRGroup`);
    }
    except.forEach((e, j) => {
      if (typeof e !== 'string' || !screened(e)) return;
      const p = `${path}.except[${j}]`;
      const ex = parsePrefixStrict(e);
      if (!ex) unparsable(e, p, true);
      else if (prefix && !prefixContains(prefix, ex.addr)) {
        ctx.report('sanitize-except-outside-cidr', p, `except ${show(e)} is not inside cidr ${show(entry.cidr)}; the agent refuses the rule`,
          `remove it, or widen cidr so that it contains ${e}`);
      }
    });
  });
}

function checkFqdnLength(ctx: CheckContext, sel: FqdnSelectorModel, path: string): void {
  if (ctx.version.atLeast(CONSTRAINT_SINCE.fqdnMaxLength)) return;
  for (const field of ['matchName', 'matchPattern'] as const) {
    const value = sel[field];
    if (typeof value === 'string' && value.length > LIMITS.fqdn) {
      ctx.report('sanitize-fqdn-max-length', `${path}.${field}`, `${field} is ${value.length} characters long; the agent allows at most ${LIMITS.fqdn}`,
        'shorten it to a valid DNS name of at most 255 characters');
    }
  }
}

function checkIcmps(node: ItemNode, ctx: CheckContext): void {
  arr<IcmpRuleModel>(node.item.icmps).forEach((rule, i) => {
    const fields = arr<unknown>(isObject(rule) ? rule.fields : undefined);
    const path = `${node.itemPath}.icmps[${i}].fields`;
    if (!ctx.version.atLeast(CONSTRAINT_SINCE.icmpFieldsMaxItems) && fields.length > LIMITS.icmpFields) {
      ctx.report('sanitize-icmp-fields-max-items', path, `icmps entry has ${fields.length} fields; the agent allows at most ${LIMITS.icmpFields}`,
        `split it into several icmps entries of at most ${LIMITS.icmpFields} fields`);
    }
    fields.forEach((f, j) => {
      if (!isObject(f)) return;
      const t = f.type;
      if (typeof t === 'number' && Number.isInteger(t) && (t < 0 || t > 255) && ctx.version.atLeast(CONSTRAINT_SINCE.icmpTypeIntOrString)) {
        ctx.report('sanitize-icmp-type-range', `${path}[${j}].type`,
          `icmp type ${t} is outside 0-255; the ${ctx.version} CRD does not range-check numbers and the rule matches no ICMP message`,
          'use an ICMP type number from 0 to 255, or a type name such as EchoRequest');
      }
      if (typeof f.type !== 'string' || !ICMP_TYPE.test(f.type) || /^[0-9]+$/.test(f.type)) return;
      const family = (f.family ?? 'IPv4') as string;
      if (!ICMP_FAMILIES.includes(family)) return;
      if (!ICMP_TYPE_NAMES[family as 'IPv4' | 'IPv6'].includes(f.type)) {
        const other = family === 'IPv4' ? 'IPv6' : 'IPv4';
        ctx.report('sanitize-icmp-type-family', `${path}[${j}].type`, `icmp type ${show(f.type)} does not exist in family ${family}; the agent cannot parse the policy`,
          ICMP_TYPE_NAMES[other].includes(f.type) ? `set family: ${other}, or use the ${family} type number` : `use an ${family} type name or number`);
      }
    });
  });
}

/** Whether the CRD of the target version has `field` in `section` (else the API server prunes it). */
function inSectionCrd(field: string | undefined, section: SectionName, ctx: CheckContext): boolean {
  const since = field === undefined ? undefined : SECTION_FIELDS[section].find((e) => e.value === field)?.since;
  return since !== undefined && ctx.version.atLeast(since);
}

/**
 * One rule item's checks, deny items included in every version. Known divergence (session 34): `Rule.Sanitize` checks
 * `ingressDeny`/`egressDeny` items only from cilium/cilium#36598 (merged December 2024, the 1.17 cycle; a v1.16 backport
 * was promised in the PR, its patch release not found; none for 1.15 or 1.14 was found), so older agents import a deny
 * item these checks refuse. It stays refused here: the engine models one peer kind per item (`compileItem`), so importing
 * such an item would judge it by its first peer list only, while the agent denies the union of them.
 */
function checkItem(node: ItemNode, ctx: CheckContext): void {
  const { item, direction, section, itemPath } = node;
  // Only the fields the target version's CRD has in this section: the API server prunes the others (toNodes and
  // fromGroups before 1.16, toFQDNs in egressDeny), so the agent never sees them.
  const l3 = PEER_FIELD_NAMES.filter((f) => PEER_FIELDS[f].l3 && arr(item[f]).length > 0 && inSectionCrd(PEER_FIELDS[f][direction], section, ctx));
  if (l3.length > 1) {
    const [a, b] = l3.map((f) => wireName(f, direction));
    ctx.report('sanitize-l3-combination', `${itemPath}.${b}`, `combining ${a} and ${b} in one ${section} rule is not supported by the agent`,
      `split them into separate ${section} items (items are OR-ed)`);
  }
  if (arr(item.icmps).length > 0 && arr(item.toPorts).length > 0) {
    ctx.report('sanitize-icmps-with-ports', `${itemPath}.icmps`, 'icmps and toPorts in the same rule item; the agent refuses it',
      `put icmps and toPorts into two separate ${section} items with the same peers`);
  }
  if (direction === 'egress' && arr(item.services).length > 0 && arr(item.toPorts).length > 0 && !ctx.version.atLeast(AGENT_SINCE.servicesWithPorts)) {
    ctx.report('sanitize-services-with-ports', `${itemPath}.toPorts`,
      `combining toServices and toPorts needs Cilium ${AGENT_SINCE.servicesWithPorts} or newer (target is ${ctx.version}); older agents refuse it`,
      `select the service's pods with toEndpoints (which may have toPorts), or raise the target version to ${AGENT_SINCE.servicesWithPorts}`);
  }
  if (arr(item.nodes).length > 0 && ctx.version.atLeast(AGENT_SINCE.nodesFlag)) {
    const w = wireName(PeerField.NODES, direction);
    ctx.report('sanitize-nodes-flag', `${itemPath}.${w}`, `${w} needs agent flag enable-node-selector-labels (off by default); without it the agent refuses the policy`,
      `set enable-node-selector-labels: "true" in the cilium-config ConfigMap, or select nodes with ${wireName(PeerField.ENTITIES, direction)}: [remote-node, host]`);
  }
  checkCidrs(node, ctx);
  if (ctx.raw) checkRawEntities(node, ctx);
  if (direction === 'egress' && section === 'egress') {
    arr<FqdnSelectorModel>(item.fqdns).forEach((sel, i) => {
      if (!isObject(sel)) return;
      const path = `${itemPath}.toFQDNs[${i}]`;
      if (!ctx.version.atLeast(CONSTRAINT_SINCE.fqdnAndRulesOneOf)) {
        const hasName = !!sel.matchName;
        const hasPattern = !!sel.matchPattern;
        if (hasName === hasPattern) {
          ctx.report('sanitize-fqdn-one-of', path, hasName ? `toFQDNs entry ${show(sel)} has both matchName and matchPattern; the agent refuses it`
            : `toFQDNs entry ${show(sel)} has neither matchName nor matchPattern, so it matches no name`,
          'give each entry exactly one of matchName or matchPattern; use two entries for both');
        }
      }
      checkFqdnLength(ctx, sel, path);
    });
  }
  checkIcmps(node, ctx);
}

function checkHttp(ctx: CheckContext, rules: readonly HttpRuleModel[], path: string): void {
  rules.forEach((h, i) => {
    if (!isObject(h)) return;
    for (const field of ['path', 'method', 'host'] as const) {
      const value = h[field];
      if (typeof value !== 'string' || value === '') continue;
      const err = re2Error(value);
      if (err) {
        ctx.report('sanitize-http-regex', `${path}[${i}].${field}`, `http ${field} ${show(value)} is not a valid RE2 regular expression: ${err}`,
          field === 'path' ? 'write an RE2 regex matched against the whole path, such as /api/v1/.* (escape literal . ? + ( ) with \\)'
            : `write an RE2 regex matched against the whole ${field === 'host' ? 'host header' : 'method'}`);
      }
    }
    arr<HeaderMatchModel>(h.headerMatches).forEach((m, j) => {
      if (!isObject(m)) return;
      const p = `${path}[${i}].headerMatches[${j}]`;
      if (m.name === '' && !ctx.version.atLeast(CONSTRAINT_SINCE.headerNameMinLength)) {
        ctx.report('sanitize-header-name-missing', `${p}.name`, 'headerMatches entry has an empty name; the agent refuses it ("header name missing")',
          'set name to the HTTP header to match');
      }
      if (isObject(m.secret) && m.secret.name === '') {
        ctx.report('sanitize-header-secret-name', `${p}.secret.name`, 'headerMatches secret has an empty name; the agent refuses it ("secret name missing")',
          'set secret.name to the Kubernetes secret that holds the header value');
      }
    });
  });
}

function checkKafka(ctx: CheckContext, rules: readonly KafkaRuleModel[], path: string): void {
  rules.forEach((k, i) => {
    if (!isObject(k)) return;
    const p = `${path}[${i}]`;
    if (k.role && k.apiKey) {
      ctx.report('sanitize-kafka-role-and-api-key', `${p}.apiKey`, `kafka rule sets both role ${show(k.role)} and apiKey ${show(k.apiKey)}; the agent refuses it`,
        'keep role (which expands to the api keys it needs) or apiKey, and write two rules for both');
    }
    if (typeof k.apiKey === 'string' && k.apiKey !== '' && !KAFKA_API_KEYS.includes(k.apiKey.toLowerCase())) {
      ctx.report('sanitize-kafka-api-key', `${p}.apiKey`, `kafka apiKey ${show(k.apiKey)} is not a Kafka api key the agent knows`,
        'use a Kafka api name such as produce, fetch, metadata or apiversions');
    }
    // kafka.go `Sanitize`: `strconv.ParseInt(APIVersion, 10, 16)`, then `n < 0 || n > math.MaxInt16` refused; ParseInt
    // takes one leading sign ("-0" is 0, "+7" is 7).
    const version = typeof k.apiVersion === 'string' && /^[+-]?[0-9]+$/.test(k.apiVersion) ? Number(k.apiVersion) : undefined;
    if (typeof k.apiVersion === 'string' && k.apiVersion !== '' && !(version !== undefined && version >= 0 && version <= 32767)) {
      ctx.report('sanitize-kafka-api-version', `${p}.apiVersion`, `kafka apiVersion ${show(k.apiVersion)} is not a number from 0 to 32767`,
        'write the api version as a decimal number, such as "2", or omit it for all versions');
    }
    if (typeof k.topic === 'string' && k.topic !== '' && k.topic.length <= LIMITS.kafkaTopic && !/^[a-zA-Z0-9\\._-]+$/.test(k.topic)) {
      ctx.report('sanitize-kafka-topic', `${p}.topic`, `kafka topic ${show(k.topic)} has characters the agent refuses`,
        'use letters, digits, ".", "_" and "-" only');
    }
  });
}

function checkPortRule(node: PortRuleNode, ctx: CheckContext): void {
  const { portRule: pr, portRulePath: path, deny, direction, hostPolicy } = node;
  const v = ctx.version;
  const ports = arr<unknown>(pr.ports);
  if (ports.length > LIMITS.ports && (deny || !v.atLeast(CONSTRAINT_SINCE.portsMaxItems))) {
    ctx.report('sanitize-ports-max-items', `${path}.ports`, `toPorts entry has ${ports.length} ports; the agent allows at most ${LIMITS.ports}`,
      `split the ports over several toPorts entries of at most ${LIMITS.ports}${v.atLeast(fieldSince(PORT_FIELDS, 'endPort')) ? ', or use endPort ranges' : ''}`);
  }
  if (deny) return;
  const rules = isObject(pr.rules) ? (pr.rules as L7RulesModel) : undefined;
  const l7 = agentSeesL7(rules, v);
  const nDns = arr(rules?.dns).length;
  const kinds = rules ? (['http', 'kafka', 'dns', 'l7proto'] as const).filter((k) => (k === 'l7proto' ? !!rules.l7proto : rules[k] !== undefined)) : [];
  if (direction === 'ingress' && nDns > 0) {
    ctx.report('sanitize-dns-ingress', `${path}.rules.dns`, 'dns rules are not allowed on ingress; the agent refuses the policy',
      'move the DNS rules to an egress rule of the client pods (towards the DNS server)');
  }
  // `(*L7Rules).sanitize` checks `DNS != nil` and the ports without knowing the direction (so `dns: []` on ingress
  // without ports is refused too).
  if (rules?.dns !== undefined && ports.length === 0) {
    ctx.report('sanitize-dns-no-ports', `${path}.rules.dns`, 'dns rules without ports; the agent refuses them ("port 53 must be specified")',
      direction === 'egress' ? 'add ports: [{port: "53", protocol: ANY}]' : 'remove rules.dns (DNS rules belong to egress rules towards the DNS server)');
  }
  if (arr(pr.serverNames).length > 0 && l7 && pr.terminatingTLS === undefined) {
    ctx.report('sanitize-server-names-with-l7', `${path}.serverNames`, 'serverNames together with L7 rules need terminatingTLS; the agent refuses them',
      'add terminatingTLS (and originatingTLS) to inspect the TLS traffic, or move serverNames to a toPorts entry without rules');
  }
  if (!v.atLeast(CONSTRAINT_SINCE.serverNamesConstraints)) {
    arr<unknown>(pr.serverNames).forEach((s, i) => {
      if (s === '') ctx.report('sanitize-server-name-empty', `${path}.serverNames[${i}]`, 'server name is empty; the agent refuses it', 'remove the empty entry');
    });
  }
  if (pr.listener !== undefined) {
    const name = isObject(pr.listener) ? show(pr.listener.name) : show(pr.listener);
    if (direction === 'ingress') {
      ctx.report('sanitize-listener-ingress', `${path}.listener`, `listener ${name} in an ingress rule; the agent only allows listeners on egress`,
        'move the listener to an egress rule');
    }
    if (l7) {
      ctx.report('sanitize-listener-with-l7', `${path}.listener`, `listener ${name} together with L7 rules; the agent refuses it`,
        'put the listener and the L7 rules into separate toPorts entries');
    }
  }
  if (l7 && nDns === 0) {
    const kind = kinds.filter((k) => k !== 'dns').join('/') || 'l7';
    ports.forEach((p, j) => {
      // The agent compares after `ParseL4Proto` upper-cases the protocol: `tcp` (which no CRD admits, but a raw
      // api.Rule may hold) is TCP.
      if (!isObject(p) || (typeof p.protocol === 'string' && p.protocol.toUpperCase() === 'TCP')) return;
      const shown = p.protocol === undefined ? 'no protocol (ANY)' : `protocol ${show(p.protocol)}`;
      ctx.report('sanitize-l7-protocol', `${path}.ports[${j}].protocol`, `${kind} rules need protocol TCP, but port ${show(p.port)} has ${shown}`,
        'write protocol: TCP on every port of this toPorts entry');
    });
  }
  if (l7) {
    ports.forEach((p, j) => {
      if (!isObject(p) || typeof p.port !== 'string') return;
      const r = readPort(p.port);
      if (r.kind === 'number' && r.value === 0) {
        ctx.report('sanitize-l7-port-zero', `${path}.ports[${j}].port`, `l7 rules on port ${show(p.port)} (all ports); the agent refuses them`,
          'list the concrete ports the L7 protocol runs on');
      }
    });
  }
  if (rules && !v.atLeast(CONSTRAINT_SINCE.fqdnAndRulesOneOf) && kinds.length > 1) {
    ctx.report('sanitize-l7-multiple-kinds', `${path}.rules`, `rules has ${kinds.join(' and ')}; the agent allows one L7 kind per toPorts entry`,
      'put each L7 kind in its own toPorts entry');
  }
  // From the CRD's oneOf on, `l7` alone fails the schema (no l7proto key); `l7proto: ""` passes it (the key is there) and
  // the agent refuses it all the same (l4.go: `pr.L7 != nil && pr.L7Proto == ""`).
  const l7protoMissing = rules?.l7 !== undefined && !rules.l7proto;
  if (l7protoMissing && (kinds.length > 0 || !v.atLeast(CONSTRAINT_SINCE.fqdnAndRulesOneOf) || rules?.l7proto !== undefined)) {
    ctx.report('sanitize-l7-without-l7proto', `${path}.rules.l7`, 'l7 rules without l7proto; the agent refuses them', 'add l7proto naming the proxylib parser, or remove l7');
  }
  if (hostPolicy && rules) {
    // The agent counts the rules of every kind (`countL7Rules` over `L7Rules.Len()`, `l7` entries included): a host
    // ingress rule with any of them is refused; host egress refuses only HTTP and Kafka from 1.17, every kind before.
    const counts = { http: arr(rules.http).length, kafka: arr(rules.kafka).length, dns: nDns, l7: arr(rules.l7).length };
    for (const [k, n] of Object.entries(counts)) {
      if (n === 0) continue;
      const egressFrom17 = (k === 'dns' || k === 'l7') && direction === 'egress';
      if (egressFrom17 && v.atLeast(AGENT_SINCE.hostDnsL7)) continue;
      const what = k === 'l7' ? `l7 rules (l7proto ${show(rules.l7proto)})` : `${k} rules`;
      ctx.report('sanitize-host-l7', `${path}.rules.${k}`,
        egressFrom17 ? `${what} in a host policy need Cilium ${AGENT_SINCE.hostDnsL7} or newer (target is ${v}); older agents refuse them`
          : `${what} are not supported in host policies (${direction}); the agent refuses the policy`,
        egressFrom17 ? `raise the target version to ${AGENT_SINCE.hostDnsL7}, or drop the ${k === 'l7' ? 'l7' : 'DNS'} rules`
          : 'enforce l7 in a pod policy (endpointSelector) instead, or keep the host rule at L4');
    }
  }
  if (rules) {
    checkHttp(ctx, arr<HttpRuleModel>(rules.http), `${path}.rules.http`);
    checkKafka(ctx, arr<KafkaRuleModel>(rules.kafka), `${path}.rules.kafka`);
    arr<FqdnSelectorModel>(rules.dns).forEach((sel, i) => {
      if (isObject(sel)) checkFqdnLength(ctx, sel, `${path}.rules.dns[${i}]`);
    });
  }
}

function checkPort(node: PortNode, ctx: CheckContext): void {
  const { port, portPath, portRule } = node;
  const v = ctx.version;
  const proto = typeof port.protocol === 'string' ? port.protocol : undefined;
  const portless = proto !== undefined && PORTLESS_PROTOCOLS.includes(proto) && v.atLeast(CONSTRAINT_SINCE.portOptional);
  const endSupported = v.atLeast(fieldSince(PORT_FIELDS, 'endPort'));
  const end = port.endPort;
  if (typeof port.port === 'string' && SAFE.port(port.port)) {
    const r = readPort(port.port);
    if (r.kind === 'invalid') {
      ctx.report('sanitize-port-parse', `${portPath}.port`, r.reason === 'range' ? `port ${show(port.port)} is above 65535; the agent refuses it`
        : `port ${show(port.port)} is neither a port number nor a valid port name (at most 15 letters, digits and single dashes)`,
      'write a decimal port from 0 to 65535, or the name of a container port such as "http"');
    } else if (r.kind === 'number' && r.base !== 10 && Number.parseInt(port.port.replace(/_/g, ''), 10) !== r.value) {
      // Go's ParseUint base 0: a 0x, 0b or 0o prefix names the base (hexadecimal, binary, octal); a bare leading zero is octal.
      const prefix = /^0[xbo]/i.test(port.port) ? port.port.slice(0, 2) : undefined;
      if (prefix === undefined) {
        ctx.report('sanitize-port-octal', `${portPath}.port`, `port ${show(port.port)} has a leading zero, so the agent reads it as octal (port ${r.value})`,
          `write "${Number.parseInt(port.port.replace(/_/g, ''), 10)}" if you meant decimal, or "${r.value}" to keep what the agent reads`);
      } else {
        const base = r.base === 16 ? 'hexadecimal' : r.base === 2 ? 'binary' : 'octal';
        ctx.report('sanitize-port-octal', `${portPath}.port`, `port ${show(port.port)} has the prefix ${prefix}, so the agent reads it as ${base} (port ${r.value})`,
          `write "${r.value}", the port in decimal`);
      }
    } else if (r.kind === 'named' && /^0[xXoObB]/.test(port.port)) {
      ctx.report('sanitize-port-prefixed-name', `${portPath}.port`, `port ${show(port.port)} is read as a named port, not as a number`,
        'write the port number in decimal');
    }
    if (r.kind === 'named' && end !== undefined && endSupported) {
      const message = `endPort ${show(end)} with the named port ${show(port.port)}: the agent resolves the name and matches from that number up to `
        + 'endPort (only the number when it is above endPort), so the range depends on each pod\'s container port';
      ctx.report('sanitize-end-port-named', `${portPath}.endPort`, message, 'use a numeric port to start the range, or drop endPort');
    }
    if (r.kind === 'number' && typeof end === 'number' && endSupported) {
      if (end > 0 && end < r.value) {
        ctx.report('sanitize-end-port-below-port', `${portPath}.endPort`, `endPort ${end} is below port ${show(port.port)}, so the rule matches only port ${r.value}`,
          'make endPort the last port of the range (at least port), or drop it');
      }
      if (end > r.value && arr(isObject(portRule.rules) ? portRule.rules.dns : undefined).length > 0) {
        ctx.report('sanitize-dns-port-range', `${portPath}.endPort`, `dns rules cannot use a port range (${port.port}-${end}); the agent refuses them`,
          'list the DNS port (53) without endPort');
      }
      const rules = isObject(portRule.rules) ? (portRule.rules as L7RulesModel) : undefined;
      const kinds = (['http', 'kafka', 'l7'] as const).filter((k) => arr(rules?.[k]).length > 0);
      if (end > r.value && r.value > 0 && kinds.length > 0 && !v.atLeast(AGENT_SINCE.l7PortRange)) {
        ctx.report('sanitize-l7-port-range', `${portPath}.endPort`,
          `${kinds.join('/')} rules on a port range (${port.port}-${end}): the Cilium ${v} agent refuses L7 rules on a port range `
          + `(cilium/cilium#36050, merged into the ${v} branch in December 2024: the patch releases after it), so it imports none of the policy; from `
          + `${AGENT_SINCE.l7PortRange} they apply to every port of the range`,
          `list the ports one by one (at most ${LIMITS.ports} per toPorts entry), or raise the target version to ${AGENT_SINCE.l7PortRange}`);
      }
    }
    // `PortProtocol.Validate` refuses a number other than "0"; a name passes (`iana.IsSvcName` first) but resolves only
    // against container ports of the same protocol (`GetNamedPort`: "incompatible protocol"), and those are TCP, UDP or SCTP.
    if (portless && port.port !== '' && port.port !== '0') {
      ctx.report('sanitize-portless-protocol-port', `${portPath}.port`, r.kind === 'named'
        ? `protocol ${proto} has no ports, but port is the named port ${show(port.port)}, which never resolves (container ports are TCP, UDP or SCTP): the entry matches nothing`
        : `protocol ${proto} has no ports, but port is ${show(port.port)}; the agent refuses it`,
      'omit port (or write "0") for VRRP and IGMP');
    }
  }
  if (port.port === undefined && v.atLeast(CONSTRAINT_SINCE.portOptional) && !portless) {
    ctx.report('sanitize-port-omitted', `${portPath}.port`, `port entry without port (protocol ${proto ?? 'ANY'}); the ${v} agent refuses it unless enable-extended-ip-protocols is set`,
      portOmittedProtocolFix(port.protocol, v) ?? 'write port: "0" to match every port of the protocol');
  }
  if (portless) {
    ctx.report('sanitize-extended-protocols-flag', `${portPath}.protocol`, `protocol ${proto} needs agent flag enable-extended-ip-protocols (off by default); without it such traffic is dropped`,
      'set enable-extended-ip-protocols: "true" in the cilium-config ConfigMap');
  }
}

function checkSelector(node: SelectorNode, ctx: CheckContext): void {
  const { selector, role, path } = node;
  // The agent validates no toServices selector (EgressCommonRule's checks cover toEndpoints, toNodes, toCIDR, toCIDRSet
  // and toEntities): one that does not build is imported and matches no Service (`pitfall-service-selector-invalid`).
  if (role === 'serviceSelector') return;
  const plain = role === 'cidrGroupSelector';
  // A namespace-label key is the namespace's own label key behind Cilium's prefix: the agent accepts every valid
  // Kubernetes label key there, up to a 253-character prefix and a 63-character name (Cilium test
  // pkg/policy/test/testdata/namespace-label-limits.txtar).
  const keyOk = (key: string): boolean => {
    const checked = plain ? key : ciliumExtendedKey(key);
    if (isQualifiedName(checked)) return true;
    const nsKey = plain ? undefined : /^[^.]*\.io\.cilium\.k8s\.namespace\.labels\.(.+)$/.exec(checked)?.[1];
    return nsKey !== undefined && isQualifiedName(nsKey);
  };
  // One reading of what does not build (`selectorBuildProblems`), with Cilium's keys here.
  for (const p of selectorBuildProblems(selector, keyOk)) {
    const at = `${path}.${p.at}`;
    const key = show(p.key);
    switch (p.kind) {
      case SelectorProblemKind.KEY: {
        const k = String(p.key);
        ctx.report('sanitize-selector-key', p.expression === undefined ? keyPath(`${path}.matchLabels`, k) : at,
          plain ? `selector key ${key} is not a valid label key${k.includes(':') ? ' (cidrGroupSelector takes no source prefix)' : ''}`
            : `selector key ${key} is not a valid label key (the agent checks ${show(ciliumExtendedKey(k))})`,
          'use an optional source (k8s:), an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or "."');
        break;
      }
      case SelectorProblemKind.NO_VALUES:
        ctx.report('sanitize-selector-values', at, `operator ${String(p.operator)} on ${key} has no values; the agent refuses the selector`,
          `list the values to match, or use ${p.operator === 'In' ? 'Exists' : 'DoesNotExist'}`);
        break;
      // EndpointSelector.Sanitize validates the selector with AllowInvalidLabelValueInSelector false: every value of In and
      // NotIn must be a label value, or the agent refuses the whole policy (matchLabels values are the CRD's pattern).
      case SelectorProblemKind.VALUE:
        ctx.report('sanitize-selector-values', at, `${show(p.value?.text)} in ${String(p.operator)} on ${key} is not a label value; the agent refuses the selector and with it the policy`,
          'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (no wildcards: list each value)');
        break;
      default:
        ctx.report('sanitize-selector-values', at, `operator ${String(p.operator)} on ${key} takes no values, but has ${show(p.values)}`,
          `remove values, or use ${p.operator === 'Exists' ? 'In' : 'NotIn'} to match them`);
    }
  }
}

/** The agent `Sanitize()` checks. */
export const sanitizeRules: Visitor = {
  document: checkDocument,
  rule: checkRule,
  section: checkSection,
  item: checkItem,
  portRule: checkPortRule,
  port: checkPort,
  selector: checkSelector,
};
