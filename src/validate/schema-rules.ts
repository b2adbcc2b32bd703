/**
 * Layer 1: what the API server enforces with the CRD schema of the target version (and Kubernetes object
 * validation of `metadata`). A finding here means `kubectl apply` fails, or the field is pruned on the way in.
 */
import { nameMissing } from '../model/object-names';
import { ParseDiagnosticId } from '../model/parse-diagnostic-id';
import { CiliumVersion } from '../core/cilium-version';
import {
  CidrRuleModel,
  FqdnSelectorModel,
  HeaderMatchModel,
  HttpRuleModel,
  IcmpRuleModel,
  KafkaRuleModel,
  PolicyDocumentModel,
  ServiceSelectorModel,
  PeerField,
} from '../model/policy-model';
import {
  AUTHENTICATION_MODES,
  CIDR_SET_FIELDS,
  CONSTRAINT_SINCE,
  CRD_PATTERNS,
  ENTITIES,
  fieldSince,
  GO_ONLY_ENTITIES,
  HEADER_MISMATCH_ACTIONS,
  ICMP_FAMILIES,
  KAFKA_ROLES,
  LIMITS,
  LISTENER_FIELDS,
  LISTENER_KINDS,
  PORT_FIELDS,
  PORTLESS_PROTOCOLS,
  PROTOCOLS,
  RULE_FIELDS,
  SAFE,
  SELECTOR_OPERATORS,
  selectorOperatorFix,
  sinceOf,
  valuesAt,
} from './tables';
import { re2Test } from '../model/re2';
import { metadataMapProblems } from './metadata-maps';
import { generateNameRefused, isDns1123Label, isDns1123Subdomain, isLabelValue, parseAddr, parseCidrApiServer } from './syntax';
import { arr, CheckContext, isObject, ItemNode, keyPath, PortNode, PortRuleNode, RuleNode, SectionNode, SelectorNode, show, Visitor, wireName } from './walk';

const ICMP_TYPE = new RegExp(CRD_PATTERNS.icmpType);

/** Whether the API server of `version` accepts `value` as a CIDR string (`fromCIDR`, `cidr`, `except`). */
export function crdAcceptsCidr(value: string, version: CiliumVersion): boolean {
  return version.atLeast(CONSTRAINT_SINCE.cidrFormat) ? parseCidrApiServer(value) !== undefined : re2Test(CRD_PATTERNS.legacyCidr, value);
}

/**
 * The fix for a port entry without port whose protocol the `PortProtocol.protocol` enum of `version`'s CRD refuses (as
 * `crd-protocol` and `version-protocol` read it, `PROTOCOLS`): writing port "0" alone would leave the policy refused
 * (`version-port-omitted`, `sanitize-port-omitted`), so the fix names what the enum accepts. `undefined` when the enum
 * accepts the protocol, or none is given (ANY), or it is no string (`crd-type`): port "0" is then the fix.
 * @param protocol the entry's protocol
 * @param version the target version
 */
export function portOmittedProtocolFix(protocol: unknown, version: CiliumVersion): string | undefined {
  const allowed = valuesAt(PROTOCOLS, version);
  if (typeof protocol !== 'string' || allowed.includes(protocol)) return undefined;
  const upper = protocol.toUpperCase();
  const why = `port "0" alone does not help, protocol ${show(protocol)} is not in the ${version} protocol enum (${allowed.join(', ')})`;
  if (allowed.includes(upper)) {
    return PORTLESS_PROTOCOLS.includes(upper) ? `write protocol: ${upper} (the CRD enum is case-sensitive), which takes no port`
      : `write protocol: ${upper} (the CRD enum is case-sensitive) and port: "0" to match every port: ${why}`;
  }
  const since = sinceOf(PROTOCOLS, upper);
  if (since !== undefined) {
    return `raise the target version to ${since} or newer${upper === protocol ? '' : ` and write ${upper}`}, or drop the rule: port "0" does not help, `
      + `protocol ${protocol} is not in the ${version} protocol enum either`;
  }
  return /^icmp/i.test(protocol) ? `match ${protocol} with an icmps rule instead of toPorts: ${why}`
    : `drop the port entry, or write one of ${allowed.join(', ')} with port: "0": ${why}`;
}

/** Reports a value of the wrong JSON type. */
function wrongType(ctx: CheckContext, path: string, what: string, value: unknown, want: string, fix?: string): void {
  if (value === undefined) {
    // No value at all (a key left undefined in plain JavaScript): say it is missing, not that it is "a undefined".
    ctx.report('crd-type', path, `${what} has no value (undefined); the CRD wants ${want}`, fix ?? `give ${what} ${want}, or leave it out`);
    return;
  }
  const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  ctx.report('crd-type', path, `${what} ${show(value)} is ${got}; the CRD wants ${want}`, fix ?? `write ${what} as ${want}`);
}

function checkMetadata(doc: PolicyDocumentModel, ctx: CheckContext): void {
  const md = isObject(doc.metadata) ? doc.metadata : { name: undefined as unknown };
  const name = md.name as unknown;
  if (nameMissing(md)) {
    // No name and no generateName: the API server stores none ("name or generateName is required"), one fact with the
    // reader's id (`parse-missing-name`, which a reader says at its line instead: `notSaidByReader`). With generateName,
    // the API server names it before it validates it (apiserver rest.BeforeCreate): no finding.
    ctx.report(ParseDiagnosticId.MISSING_NAME, 'metadata', 'metadata.name is missing (name or generateName is required)', 'add metadata.name: <policy name>');
  } else if (name !== '' && (typeof name !== 'string' || !isDns1123Subdomain(name))) {
    ctx.report('crd-metadata-name', 'metadata.name', `metadata.name ${show(name)} is not a valid object name`,
      'use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters');
  }
  const generateName = (md as { generateName?: unknown }).generateName;
  if (typeof generateName === 'string' && generateName !== '' && generateNameRefused(generateName, typeof name === 'string' && name !== '')) {
    ctx.report('crd-metadata-name', 'metadata.generateName', `metadata.generateName ${show(generateName)} does not make a valid object name`,
      'use lower-case letters, digits, "-" and ".", starting with a letter or digit');
  }
  const ns = (md as { namespace?: unknown }).namespace;
  // `""` is no namespace to the API server, which gives the object the request's (`objectNamespace`): accepted, as omitted.
  if (doc.kind === 'CiliumNetworkPolicy' && ns !== undefined && ns !== '' && (typeof ns !== 'string' || !isDns1123Label(ns))) {
    ctx.report('crd-metadata-namespace', 'metadata.namespace', `metadata.namespace ${show(ns)} is not a valid namespace name`,
      'use lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters');
  }
  // Labels and annotations: one implementation with a NetworkPolicy's (`k8s-np-metadata`).
  for (const p of metadataMapProblems(md)) {
    if (p.field === 'labels') ctx.report('crd-metadata-labels', p.path, p.message, p.fix);
    else ctx.report('crd-metadata-annotations', p.path, p.message, p.fix);
  }
}

function checkRule(node: RuleNode, ctx: CheckContext): void {
  const { rule, path } = node;
  const hasEs = rule.endpointSelector !== undefined && rule.endpointSelector !== null;
  const hasNs = rule.nodeSelector !== undefined && rule.nodeSelector !== null;
  if (hasEs === hasNs) {
    ctx.report('crd-subject-one-of', path,
      hasEs ? 'rule has both endpointSelector and nodeSelector' : 'rule has neither endpointSelector nor nodeSelector',
      hasEs ? 'keep one: endpointSelector for pods, nodeSelector for a host policy (CCNP only)'
        : 'add endpointSelector: {} to select all pods (of the namespace, for a CNP), or a nodeSelector for a host policy');
  }
  for (const field of ['endpointSelector', 'nodeSelector'] as const) {
    const sel = rule[field] as unknown;
    if (sel !== undefined && sel !== null && !isObject(sel)) wrongType(ctx, `${path}.${field}`, field, sel, 'a label selector object');
  }
  // The API server drops null values before validation, so `ingress: null` is no section either.
  const sections = [rule.ingress, rule.ingressDeny, rule.egress, rule.egressDeny];
  if (ctx.version.atLeast(CONSTRAINT_SINCE.sectionsAnyOf) && sections.every((s) => s === undefined || s === null)) {
    ctx.report('crd-sections-any-of', path, `rule has none of ingress, ingressDeny, egress, egressDeny, which Cilium ${ctx.version} requires`,
      'add a section; ingress: [{}] makes ingress default-deny without allowing anything');
  }
  if (rule.labels !== undefined && !Array.isArray(rule.labels)) wrongType(ctx, `${path}.labels`, 'labels', rule.labels, 'a list');
  arr<unknown>(rule.labels).forEach((l, i) => {
    if (!isObject(l) || typeof l.key !== 'string') {
      ctx.report('crd-label-key-required', `${path}.labels[${i}].key`, `rule label ${show(l)} has no key`, 'give every entry of labels a key');
    }
  });
  if (rule.log !== undefined && ctx.version.atLeast(fieldSince(RULE_FIELDS, 'log'))) {
    const value = isObject(rule.log) ? rule.log.value : undefined;
    if (value !== undefined && typeof value !== 'string') {
      wrongType(ctx, `${path}.log.value`, 'log.value', value, 'a string');
    } else if (typeof value === 'string' && (value.length > LIMITS.logValue || !SAFE.logValue(value))) {
      ctx.report('crd-log-value', `${path}.log.value`,
        value.length > LIMITS.logValue ? `log.value ${show(value)} is longer than ${LIMITS.logValue} characters` : `log.value ${show(value)} has non-printable characters`,
        `use at most ${LIMITS.logValue} printable characters`);
    }
  }
  const edd = rule.enableDefaultDeny as unknown;
  if (edd !== undefined && ctx.version.atLeast(fieldSince(RULE_FIELDS, 'enableDefaultDeny'))) {
    if (!isObject(edd)) {
      wrongType(ctx, `${path}.enableDefaultDeny`, 'enableDefaultDeny', edd, 'an object');
    } else {
      for (const dir of ['ingress', 'egress']) {
        if (edd[dir] !== undefined && typeof edd[dir] !== 'boolean') {
          wrongType(ctx, `${path}.enableDefaultDeny.${dir}`, `enableDefaultDeny.${dir}`, edd[dir], 'true or false');
        }
      }
    }
  }
}

function checkSection(node: SectionNode, ctx: CheckContext): void {
  if (!Array.isArray(node.items)) {
    wrongType(ctx, node.sectionPath, node.section, node.items, 'a list of rules');
    return;
  }
  node.items.forEach((item, i) => {
    if (!isObject(item)) wrongType(ctx, `${node.sectionPath}[${i}]`, `${node.section} rule`, item, 'an object', 'write each rule as an object; {} matches everything');
  });
}

/** Reports the entries of a list that are not objects (`toPorts: [null]`, `fromEndpoints: ["app"]`). */
function objectEntries(ctx: CheckContext, values: unknown, path: string, what: string): void {
  if (values === undefined || values === null) return;
  if (!Array.isArray(values)) {
    wrongType(ctx, path, what, values, 'a list');
    return;
  }
  values.forEach((v, i) => {
    if (!isObject(v)) wrongType(ctx, `${path}[${i}]`, `${what} entry`, v, 'an object');
  });
}

function checkStrings(ctx: CheckContext, values: unknown, path: string, what: string, each: (v: string, p: string) => void): void {
  if (values === undefined) return;
  if (!Array.isArray(values)) {
    wrongType(ctx, path, what, values, 'a list');
    return;
  }
  values.forEach((v, i) => {
    if (typeof v !== 'string') wrongType(ctx, `${path}[${i}]`, what, v, 'a string', `quote it: "${String(v)}"`);
    else each(v, `${path}[${i}]`);
  });
}

function checkCidrString(ctx: CheckContext, value: string, path: string): void {
  if (crdAcceptsCidr(value, ctx.version)) return;
  const addr = parseAddr(value, true);
  const family = value.includes(':') ? 128 : 32;
  if (addr?.zone !== undefined) {
    // The zone swallows what follows the `%`, a prefix length too (`fe80::1%eth0/128`): no CIDR carries one.
    const slash = value.lastIndexOf('/');
    const prefix = slash > value.indexOf('%') && /^[0-9]+$/.test(value.slice(slash + 1)) ? value.slice(slash + 1) : String(family);
    ctx.report('crd-cidr', path, `${show(value)} has an IPv6 zone (after "%"), which no CIDR carries; the API server of Cilium ${ctx.version} rejects it`,
      `drop the zone: write ${value.slice(0, value.indexOf('%'))}/${prefix}`);
    return;
  }
  const bare = addr !== undefined;
  ctx.report('crd-cidr', path, bare ? `${show(value)} is an IP address, not a CIDR; the API server of Cilium ${ctx.version} rejects it`
    : `${show(value)} is not a valid CIDR`,
  bare ? `write ${value}/${family}` : 'write an address and a prefix length, such as 10.0.0.0/8 or 2001:db8::/32');
}

function checkFqdnSelector(ctx: CheckContext, sel: FqdnSelectorModel, path: string): void {
  const v = ctx.version;
  const hasName = sel.matchName !== undefined;
  const hasPattern = sel.matchPattern !== undefined;
  if (v.atLeast(CONSTRAINT_SINCE.fqdnAndRulesOneOf) && hasName === hasPattern) {
    ctx.report('crd-fqdn-one-of', path, hasName ? `selector ${show(sel)} has both matchName and matchPattern` : `selector ${show(sel)} has neither matchName nor matchPattern`,
      'give each entry exactly one of matchName (an exact name) or matchPattern (with * wildcards); use two entries for both');
  }
  for (const field of ['matchName', 'matchPattern'] as const) {
    const value = sel[field] as unknown;
    if (value === undefined) continue;
    const p = `${path}.${field}`;
    if (typeof value !== 'string') {
      wrongType(ctx, p, field, value, 'a string');
      continue;
    }
    const problem = fqdnSyntaxProblem(field, value);
    if (problem !== undefined) ctx.report('crd-fqdn-syntax', p, `${field} ${show(value)} ${problem.message}`, problem.fix);
    if (v.atLeast(CONSTRAINT_SINCE.fqdnMaxLength) && value.length > LIMITS.fqdn) {
      ctx.report('crd-fqdn-max-length', p, `${field} is ${value.length} characters long, more than ${LIMITS.fqdn}`, 'shorten it to a valid DNS name of at most 255 characters');
    }
  }
}

/**
 * What the CRD pattern of every version refuses in a `matchName` or `matchPattern` (`toFQDNs`, and a DNS rule's, the same
 * `FQDNSelector`): Cilium's `^([-a-zA-Z0-9_]+[.]?)+$` for a name, `^([-a-zA-Z0-9_*]+[.]?)+$` for a pattern
 * (pkg/policy/api/fqdn.go, the kubebuilder markers of `FQDNSelector`, 1.14-1.19), with the fix; `undefined` when it takes
 * the text. The one check of `crd-fqdn-syntax` (YAML) and of the constructs' refusal at the call (`fqdn-syntax`).
 * @param field `matchName` or `matchPattern`
 * @param value the text
 * @returns the message after the value (`is not a valid DNS name`) and the fix
 */
export function fqdnSyntaxProblem(field: 'matchName' | 'matchPattern', value: string): { message: string; fix: string } | undefined {
  const valid = field === 'matchName' ? SAFE.fqdnName : SAFE.fqdnPattern;
  if (valid(value)) return undefined;
  return { message: `is not a valid DNS ${field === 'matchName' ? 'name' : 'pattern'}`, fix: fqdnSyntaxFix(value, field, valid) };
}

/**
 * The fix for a `matchName`/`matchPattern` that fails the CRD pattern (`valid`): a name with surrounding whitespace gets the
 * trimmed name; a URL (the text has `://`: the scheme form is then required, with a `:\d+` port at most) or a `host:port`
 * gets the host alone when the host is a valid name, or toCIDR when it is an IP address; anything else gets the general fix.
 */
function fqdnSyntaxFix(value: string, field: 'matchName' | 'matchPattern', valid: (s: string) => boolean): string {
  const general = field === 'matchName' ? 'use letters, digits, "-", "_" and single dots, such as api.example.com'
    : 'use letters, digits, "-", "_", "*" and single dots, such as *.example.com';
  const trimmed = value.trim();
  if (trimmed !== value && trimmed !== '' && valid(trimmed)) {
    return `remove the whitespace around the name: write ${trimmed}`;
  }
  const hostPart = '(\\[[^\\]\\s]*\\]|[^/:?#\\s@[\\]]+)(?::\\d+)?(?:[/?#]\\S*)?$';
  const m = new RegExp(trimmed.includes('://') ? `^[a-z][a-z0-9+.-]*://${hostPart}` : `^${hostPart}`, 'i').exec(trimmed);
  const host = m?.[1] ?? trimmed;
  const addrText = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const addr = parseAddr(addrText);
  if (addr && addr.zone === undefined) {
    const cidr = `${addrText}/${addr.family === 4 ? 32 : 128}`;
    return `${addrText} is an IP address, not a DNS name: allow it with toCIDR ${cidr} (Peer.cidr('${cidr}') in a construct), the port in toPorts`;
  }
  // A host of wildcards alone (`https://*`) matches every name: never offered as the fix.
  if (!m || host === trimmed || !valid(host) || /^[*.]+$/.test(host)) return general;
  return `write the name alone, ${host}: ${field} matches DNS names, without a scheme, port or path (the port goes in toPorts, a construct's ports)`;
}

/**
 * The fields of the `oneOf` of a CIDR set entry (`cidr`, `cidrGroupRef`, `cidrGroupSelector`) that `entry` sets, of those
 * `version` knows: the CRD wants exactly one (`crd-cidr-set-one-of`; `api.CIDRRule`, `+kubebuilder:validation:OneOf`).
 * @param entry a `fromCIDRSet`/`toCIDRSet` entry
 * @param version the target version; none: every field of the newest
 */
export function cidrSetEntryPeers(entry: object, version?: CiliumVersion): string[] {
  return CIDR_SET_FIELDS.filter((f) => f.value !== 'except' && (version === undefined || version.atLeast(f.since))
    && (entry as Record<string, unknown>)[f.value] !== undefined).map((f) => f.value);
}

function checkCidrSet(node: ItemNode, ctx: CheckContext): void {
  const wire = wireName(PeerField.CIDR_SET, node.direction);
  arr<CidrRuleModel>(node.item.cidrSet).forEach((entry, i) => {
    const path = `${node.itemPath}.${wire}[${i}]`;
    if (!isObject(entry)) {
      wrongType(ctx, path, wire, entry, 'an object');
      return;
    }
    const oneOf = CIDR_SET_FIELDS.filter((f) => f.value !== 'except');
    const known = cidrSetEntryPeers(entry, ctx.version);
    const newer = cidrSetEntryPeers(entry).length > known.length;
    if (known.length > 1 || (known.length === 0 && !newer)) {
      const names = valuesAt(oneOf, ctx.version).join(', ');
      ctx.report('crd-cidr-set-one-of', path, known.length > 1 ? `${wire} entry sets ${known.join(' and ')}; exactly one is allowed`
        : `${wire} entry ${show(entry)} has none of ${names}`,
      known.length > 1 ? 'split it into one entry per cidr or group' : `set exactly one of ${names}`);
    }
    if (entry.cidr !== undefined) {
      if (typeof entry.cidr !== 'string') wrongType(ctx, `${path}.cidr`, 'cidr', entry.cidr, 'a string');
      else checkCidrString(ctx, entry.cidr, `${path}.cidr`);
    }
    checkStrings(ctx, entry.except, `${path}.except`, 'except', (v, p) => checkCidrString(ctx, v, p));
    const ref = entry.cidrGroupRef as unknown;
    if (ref !== undefined) {
      if (typeof ref !== 'string') {
        wrongType(ctx, `${path}.cidrGroupRef`, 'cidrGroupRef', ref, 'a string');
      } else if (ref.length > LIMITS.cidrGroupRef || !isDns1123Subdomain(ref)) {
        ctx.report('crd-cidr-group-ref', `${path}.cidrGroupRef`, `cidrGroupRef ${show(ref)} is not a valid CiliumCIDRGroup name`,
          'use the metadata.name of a CiliumCIDRGroup: lower-case letters, digits, "-" and ".", at most 253 characters');
      }
    }
  });
}

function checkIcmps(node: ItemNode, ctx: CheckContext): void {
  const v = ctx.version;
  const named = v.atLeast(CONSTRAINT_SINCE.icmpTypeIntOrString);
  arr<IcmpRuleModel>(node.item.icmps).forEach((rule, i) => {
    const fields = isObject(rule) ? rule.fields : undefined;
    const path = `${node.itemPath}.icmps[${i}].fields`;
    if (v.atLeast(CONSTRAINT_SINCE.icmpFieldsMaxItems) && arr(fields).length > LIMITS.icmpFields) {
      ctx.report('crd-icmp-fields-max-items', path, `icmps entry has ${arr(fields).length} fields, more than ${LIMITS.icmpFields}`,
        `split it into several icmps entries of at most ${LIMITS.icmpFields} fields`);
    }
    arr<unknown>(fields).forEach((f, j) => {
      const fp = `${path}[${j}]`;
      if (!isObject(f)) return;
      if (f.family !== undefined && !ICMP_FAMILIES.includes(f.family as string)) {
        ctx.report('crd-icmp-family', `${fp}.family`, `icmp family ${show(f.family)} is not IPv4 or IPv6`, 'write family: IPv4 or family: IPv6 (case-sensitive), or omit it for IPv4');
      }
      const t = f.type;
      // 1.16+ (int-or-string): the pattern applies to strings only, so any integer passes (see sanitize-icmp-type-range).
      const okNumber = typeof t === 'number' && Number.isInteger(t) && (named || (t >= 0 && t <= 255));
      if (t === undefined) {
        ctx.report('crd-icmp-type', `${fp}.type`, 'icmp field has no type', 'add type: a number 0-255 or (1.16+) a name such as EchoRequest');
      } else if (typeof t === 'string' && !named) {
        // version-icmp-type-name reports it.
      } else if (!(okNumber || (typeof t === 'string' && ICMP_TYPE.test(t)))) {
        ctx.report('crd-icmp-type', `${fp}.type`, `icmp type ${show(t)} is not a number 0-255${named ? ' or a known ICMP type name' : ''}`,
          named ? 'use a number 0-255 or a CamelCase name such as EchoRequest' : 'use a number 0-255');
      }
    });
  });
}

function checkItem(node: ItemNode, ctx: CheckContext): void {
  const { item, direction, section, deny, itemPath } = node;
  // The paths are built only for the fields present: this runs for every item of every policy of an app.
  if (direction === 'ingress') for (const field of INGRESS_ABSENT) {
    if (item[field] !== undefined) {
      const w = wireName(field, 'egress');
      ctx.report('crd-field-direction', `${itemPath}.${w}`, `${w} does not exist in ${section} rules; the API server drops or rejects it`,
        `move it to an egress rule, or use fromEndpoints/fromCIDR/fromEntities to select ${section} peers`);
    }
  }
  if (section === 'egressDeny' && item.fqdns !== undefined) {
    ctx.report('crd-deny-fqdns', `${itemPath}.toFQDNs`, 'toFQDNs does not exist in egressDeny rules; the API server drops or rejects it',
      'deny the addresses with toCIDR/toCIDRSet, or allow only the wanted names with toFQDNs in egress');
  }
  if (deny && item.authentication !== undefined) {
    ctx.report('crd-deny-authentication', `${itemPath}.authentication`, `authentication does not exist in ${section} rules`, 'remove it; authentication only applies to allow rules');
  }
  if (!deny && item.authentication !== undefined) {
    const mode = isObject(item.authentication) ? item.authentication.mode : undefined;
    if (typeof mode !== 'string' || !AUTHENTICATION_MODES.includes(mode)) {
      ctx.report('crd-authentication-mode', `${itemPath}.authentication.mode`, `authentication.mode ${show(mode)} is not one of ${AUTHENTICATION_MODES.join(', ')}`,
        'write mode: required (or disabled)');
    }
  }
  if (item.entities !== undefined) checkStrings(ctx, item.entities, `${itemPath}.${wireName(PeerField.ENTITIES, direction)}`, 'entity', (e, p) => {
    if (ENTITIES.includes(e)) return;
    const goOnly = GO_ONLY_ENTITIES.includes(e);
    const lower = ENTITIES.find((x) => x === e.toLowerCase());
    ctx.report('crd-entity', p, goOnly ? `entity ${show(e)} exists only in the agent, no CRD accepts it` : `entity ${show(e)} is not a Cilium entity`,
      goOnly ? 'use world, or toCIDR 0.0.0.0/0 (IPv4) or ::/0 (IPv6) to pick one family'
        : lower ? `write ${lower} (entities are lower-case)` : `use one of ${ENTITIES.join(', ')}`);
  });
  if (item.cidr !== undefined) checkStrings(ctx, item.cidr, `${itemPath}.${wireName(PeerField.CIDR, direction)}`, 'cidr', (c, p) => checkCidrString(ctx, c, p));
  if (item.cidrSet !== undefined) checkCidrSet(node, ctx);
  if (direction === 'egress' && !deny) {
    arr<FqdnSelectorModel>(item.fqdns).forEach((sel, i) => {
      if (isObject(sel)) checkFqdnSelector(ctx, sel, `${itemPath}.toFQDNs[${i}]`);
    });
  }
  if (item.icmps !== undefined) checkIcmps(node, ctx);
  if (item.services !== undefined) arr<ServiceSelectorModel>(item.services).forEach((s, i) => {
    if (isObject(s) && s.k8sServiceSelector !== undefined && !(isObject(s.k8sServiceSelector) && s.k8sServiceSelector.selector !== undefined)) {
      ctx.report('crd-service-selector', `${itemPath}.toServices[${i}].k8sServiceSelector.selector`, 'k8sServiceSelector has no selector',
        'add selector: {matchLabels: {...}} naming the service labels, or use k8sService with serviceName');
    }
  });
  if (item.toPorts !== undefined && item.toPorts !== null) objectEntries(ctx, item.toPorts, `${itemPath}.toPorts`, 'toPorts');
  if (item.icmps !== undefined && item.icmps !== null) {
    objectEntries(ctx, item.icmps, `${itemPath}.icmps`, 'icmps');
    arr<IcmpRuleModel>(item.icmps).forEach((r, i) => {
      if (isObject(r)) objectEntries(ctx, r.fields, `${itemPath}.icmps[${i}].fields`, 'icmp fields');
    });
  }
  for (const field of OBJECT_LIST_FIELDS) {
    if ((field === 'services' || field === 'fqdns' ? direction === 'egress' : true) && item[field] !== undefined && item[field] !== null) {
      objectEntries(ctx, item[field], `${itemPath}.${wireName(field, direction)}`, wireName(field, direction));
    }
  }
}

/** Peer fields that exist in egress rules only. */
const INGRESS_ABSENT = [PeerField.SERVICES, PeerField.FQDNS] as const;
/** Peer fields whose entries must be objects, in the order they are checked. */
const OBJECT_LIST_FIELDS = [PeerField.ENDPOINTS, PeerField.NODES, PeerField.FQDNS, PeerField.SERVICES] as const;

function checkHttp(ctx: CheckContext, rules: readonly HttpRuleModel[], path: string): void {
  rules.forEach((h, i) => {
    if (!isObject(h)) return;
    arr<HeaderMatchModel>(h.headerMatches).forEach((m, j) => {
      const p = `${path}[${i}].headerMatches[${j}]`;
      if (!isObject(m)) return;
      if (typeof m.name !== 'string' || (m.name === '' && ctx.version.atLeast(CONSTRAINT_SINCE.headerNameMinLength))) {
        ctx.report('crd-header-match-name', `${p}.name`, `headerMatches entry ${show(m)} has no header name`, 'set name to the HTTP header to match, such as X-Token');
      }
      if (m.mismatch !== undefined && !HEADER_MISMATCH_ACTIONS.includes(m.mismatch)) {
        const upper = HEADER_MISMATCH_ACTIONS.find((a) => a === String(m.mismatch).toUpperCase());
        ctx.report('crd-header-match-mismatch', `${p}.mismatch`, `mismatch ${show(m.mismatch)} is not one of ${HEADER_MISMATCH_ACTIONS.join(', ')}`,
          upper ? `write ${upper}` : 'use LOG, ADD, DELETE or REPLACE, or omit it to reject mismatching requests');
      }
      if (m.secret !== undefined && !(isObject(m.secret) && typeof m.secret.name === 'string')) {
        ctx.report('crd-header-secret', `${p}.secret.name`, `headerMatches secret ${show(m.secret)} has no name`, 'set secret.name to the Kubernetes secret that holds the value');
      }
    });
  });
}

function checkKafka(ctx: CheckContext, rules: readonly KafkaRuleModel[], path: string): void {
  rules.forEach((k, i) => {
    if (!isObject(k)) return;
    if (k.role !== undefined && !KAFKA_ROLES.includes(k.role as string)) {
      ctx.report('crd-kafka-role', `${path}[${i}].role`, `kafka role ${show(k.role)} is not produce or consume`, 'write role: produce or role: consume (lower-case), or use apiKey');
    }
    if (typeof k.topic === 'string' && k.topic.length > LIMITS.kafkaTopic) {
      ctx.report('crd-kafka-topic-max-length', `${path}[${i}].topic`, `kafka topic is ${k.topic.length} characters long, more than ${LIMITS.kafkaTopic}`,
        `use the real topic name (kafka allows at most ${LIMITS.kafkaTopic} characters)`);
    }
  });
}

function checkListener(ctx: CheckContext, listener: unknown, path: string): void {
  if (!isObject(listener)) {
    wrongType(ctx, path, 'listener', listener, 'an object');
    return;
  }
  if (typeof listener.name !== 'string' || listener.name === '') {
    ctx.report('crd-listener', `${path}.name`, `listener has no name (${show(listener.name)})`, 'set name to the listener name in the envoy config');
  }
  const ec = listener.envoyConfig;
  if (!isObject(ec) || typeof ec.name !== 'string' || ec.name === '') {
    ctx.report('crd-listener', `${path}.envoyConfig.name`, `listener envoyConfig has no name (${show(isObject(ec) ? ec.name : ec)})`,
      'set envoyConfig.name to the CiliumEnvoyConfig that defines the listener');
  } else if (ec.kind !== undefined && !LISTENER_KINDS.includes(ec.kind as string)) {
    ctx.report('crd-listener', `${path}.envoyConfig.kind`, `envoyConfig.kind ${show(ec.kind)} is not ${LISTENER_KINDS.join(' or ')}`,
      `use ${LISTENER_KINDS.join(' or ')}`);
  }
  const prio = listener.priority;
  if (prio !== undefined && ctx.version.atLeast(fieldSince(LISTENER_FIELDS, 'priority')) && !(typeof prio === 'number' && Number.isInteger(prio) && prio >= 1 && prio <= 100)) {
    ctx.report('crd-listener-priority', `${path}.priority`, `listener.priority ${show(prio)} is not an integer from 1 to 100`, 'use 1 (highest) to 100, or omit it');
  }
}

function checkPortRule(node: PortRuleNode, ctx: CheckContext): void {
  const { portRule: pr, portRulePath: path, deny, section } = node;
  if (deny) {
    for (const field of ['rules', 'serverNames', 'listener', 'terminatingTLS', 'originatingTLS'] as const) {
      if (pr[field] !== undefined) {
        ctx.report('crd-deny-l7', `${path}.${field}`, `${field} does not exist in ${section} toPorts (deny rules only match ports)`,
          field === 'rules' ? 'deny the port without L7 rules, or allow only the wanted requests with L7 rules in an allow section'
            : `remove ${field}; deny rules can only match ports and protocols`);
      }
    }
  }
  objectEntries(ctx, pr.ports, `${path}.ports`, 'ports');
  const nPorts = arr(pr.ports).length;
  if (!deny && ctx.version.atLeast(CONSTRAINT_SINCE.portsMaxItems) && nPorts > LIMITS.ports) {
    ctx.report('crd-ports-max-items', `${path}.ports`, `toPorts entry has ${nPorts} ports, more than ${LIMITS.ports}`,
      `split the ports over several toPorts entries of at most ${LIMITS.ports}, or use endPort ranges`);
  }
  if (deny) return;
  const rules = pr.rules as unknown;
  if (rules !== undefined) {
    if (!isObject(rules)) {
      wrongType(ctx, `${path}.rules`, 'rules', rules, 'an object');
    } else {
      const kinds = ['http', 'kafka', 'dns', 'l7proto'].filter((k) => rules[k] !== undefined);
      if (ctx.version.atLeast(CONSTRAINT_SINCE.fqdnAndRulesOneOf) && kinds.length !== 1) {
        ctx.report('crd-rules-one-of', `${path}.rules`, kinds.length ? `rules has ${kinds.join(' and ')}; exactly one L7 kind is allowed`
          : `rules ${show(rules)} has none of http, kafka, dns, l7proto`,
        kinds.length ? 'put each L7 kind in its own toPorts entry' : 'add http, kafka, dns or l7proto rules, or remove rules for plain L4');
      }
      checkHttp(ctx, arr<HttpRuleModel>(rules.http), `${path}.rules.http`);
      checkKafka(ctx, arr<KafkaRuleModel>(rules.kafka), `${path}.rules.kafka`);
      arr<FqdnSelectorModel>(rules.dns).forEach((sel, i) => {
        if (isObject(sel)) checkFqdnSelector(ctx, sel, `${path}.rules.dns[${i}]`);
      });
    }
  }
  if (pr.serverNames !== undefined && ctx.version.atLeast(CONSTRAINT_SINCE.serverNamesConstraints)) {
    if (Array.isArray(pr.serverNames) && pr.serverNames.length === 0) {
      ctx.report('crd-server-names-empty', `${path}.serverNames`, 'serverNames is an empty list', 'list at least one server name, or remove serverNames');
    }
    const seen = new Set<string>();
    checkStrings(ctx, pr.serverNames, `${path}.serverNames`, 'server name', (s, p) => {
      if (seen.has(s)) {
        ctx.report('crd-server-names-duplicate', p, `server name ${show(s)} is listed twice`, 'list each server name once');
      }
      seen.add(s);
      if (!SAFE.serverName(s) || s.length > LIMITS.serverName) {
        ctx.report('crd-server-name-syntax', p, `server name ${show(s)} is not a valid DNS name or pattern`,
          'use a DNS name such as api.example.com, optionally prefixed by *. or **.');
      }
    });
  }
  if (pr.listener !== undefined) checkListener(ctx, pr.listener, `${path}.listener`);
  for (const field of ['terminatingTLS', 'originatingTLS'] as const) {
    const tls = pr[field];
    if (tls === undefined) continue;
    const secret = isObject(tls) ? tls.secret : undefined;
    if (!isObject(secret) || typeof secret.name !== 'string') {
      ctx.report('crd-tls-secret', `${path}.${field}.secret.name`, `${field} has no secret name`, 'set secret.name (and secret.namespace) to the Kubernetes TLS secret');
    }
  }
}

function checkPort(node: PortNode, ctx: CheckContext): void {
  const { port, portPath } = node;
  const v = ctx.version;
  const p = port.port as unknown;
  if (p !== undefined) {
    if (typeof p !== 'string') {
      wrongType(ctx, `${portPath}.port`, 'port', p, 'a string', `quote it: port: "${String(p)}"`);
    } else if (!SAFE.port(p)) {
      ctx.report('crd-port-syntax', `${portPath}.port`, `port ${show(p)} is neither a port number nor a port name`,
        'write a decimal port such as "8080" or a named container port such as "http"');
    }
  }
  const end = port.endPort as unknown;
  if (end !== undefined && v.atLeast(fieldSince(PORT_FIELDS, 'endPort'))) {
    if (typeof end !== 'number') {
      wrongType(ctx, `${portPath}.endPort`, 'endPort', end, 'a number', `write endPort: ${String(end)} without quotes`);
    } else if (!Number.isInteger(end) || end < 0 || end > 65535) {
      ctx.report('crd-end-port-range', `${portPath}.endPort`, `endPort ${show(end)} is not an integer from 0 to 65535`, 'use the last port of the range, at most 65535');
    }
  }
  const proto = port.protocol as unknown;
  if (proto !== undefined) {
    if (typeof proto !== 'string') {
      wrongType(ctx, `${portPath}.protocol`, 'protocol', proto, 'a string');
    } else if (!valuesAt(PROTOCOLS, v).includes(proto) && sinceOf(PROTOCOLS, proto) === undefined) {
      const allowed = valuesAt(PROTOCOLS, v);
      const upper = allowed.find((x) => x === proto.toUpperCase());
      ctx.report('crd-protocol', `${portPath}.protocol`, `protocol ${show(proto)} is not one of ${allowed.join(', ')}`,
        upper ? `write ${upper} (the CRD enum is case-sensitive)` : /^icmp/i.test(proto) ? 'match icmp with an icmps rule instead of toPorts'
          : `use one of ${allowed.join(', ')}`);
    }
  }
}

function checkSelector(node: SelectorNode, ctx: CheckContext): void {
  const { selector, path } = node;
  const ml = selector.matchLabels as unknown;
  if (ml !== undefined && ml !== null) {
    if (!isObject(ml)) {
      wrongType(ctx, `${path}.matchLabels`, 'matchLabels', ml, 'a map of strings');
    } else {
      for (const [k, val] of Object.entries(ml)) {
        // The path is built only for a finding (most labels are valid).
        if (typeof val !== 'string') {
          // A missing value quoted would be the literal label value "undefined" or "null", which nobody meant.
          const fix = val === undefined || val === null ? `give ${k} a string value, or remove the key` : `quote the value: ${k}: "${String(val)}"`;
          wrongType(ctx, keyPath(`${path}.matchLabels`, k), `label ${k}`, val, 'a string', fix);
        } else if (!isLabelValue(val)) {
          ctx.report('crd-label-value', keyPath(`${path}.matchLabels`, k), `label value ${show(val)} of ${k} is not a valid label value`,
            'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
        }
      }
    }
  }
  const me = selector.matchExpressions as unknown;
  if (me !== undefined && !Array.isArray(me)) wrongType(ctx, `${path}.matchExpressions`, 'matchExpressions', me, 'a list');
  arr<unknown>(me).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    // An entry that is no requirement (a selector of one's own answering `[null]` or `[1]`) was skipped, and written.
    if (!isObject(e)) {
      wrongType(ctx, p, 'matchExpressions entry', e, 'an object (key, operator, values)', 'write each entry as { key, operator, values }, or remove it');
      return;
    }
    if (typeof e.key !== 'string') {
      ctx.report('crd-selector-operator', `${p}.key`, `matchExpressions entry ${show(e)} has no key`, 'set key to the label key to test');
    }
    const operatorFix = selectorOperatorFix(e.operator);
    if (operatorFix !== undefined) {
      ctx.report('crd-selector-operator', `${p}.operator`, `operator ${show(e.operator)} is not one of ${SELECTOR_OPERATORS.join(', ')}`, operatorFix);
    }
    // values: a list of strings (the API server rejects anything else; `null` would be read as no value, `5` as "5").
    const values = e.values as unknown;
    if (values !== undefined && values !== null && !Array.isArray(values)) wrongType(ctx, `${p}.values`, 'values', values, 'a list of strings');
    arr<unknown>(values).forEach((v, j) => {
      if (typeof v !== 'string') wrongType(ctx, `${p}.values[${j}]`, `value of ${String(e.key)}`, v, 'a string', `write the label value as a string: "${String(v)}"`);
    });
  });
}

/** The CRD/API-server checks. */
export const schemaRules: Visitor = {
  document: checkMetadata,
  rule: checkRule,
  section: checkSection,
  item: checkItem,
  portRule: checkPortRule,
  port: checkPort,
  selector: checkSelector,
};
