/**
 * The fields the manifest reader knows: the v1.19 CRD `spec` schema (plus `fromRequires`/`toRequires` as label selectors,
 * as they were before 1.19) mapped onto the model's direction-neutral rule items (`PEER_FIELDS`), with the fixes for
 * keys that are unknown in one place but mean something in another.
 */
import { PEER_FIELD_NAMES, PEER_FIELDS, PeerField, SECTIONS, SectionName, sectionDirection } from './policy-model';

/** Metadata fields the model keeps, each with how it is read. */
export const METADATA_FIELD_SPECS: Readonly<Record<string, ScalarSpec>> = {
  name: 'string', generateName: 'string', namespace: 'string', labels: 'stringMap', annotations: 'stringMap',
};

/** Metadata fields the model keeps. */
export const METADATA_FIELDS = Object.keys(METADATA_FIELD_SPECS);

/** Server-populated or otherwise irrelevant ObjectMeta fields: ignored without a diagnostic. */
export const IGNORED_METADATA_FIELDS = [
  'uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'ownerReferences', 'finalizers',
  'deletionTimestamp', 'deletionGracePeriodSeconds',
];

/**
 * A scalar the reader knows: how it is read and what is reported when it is not one. `asWritten` keeps any value for the
 * validator to type-check per target version: a field older CRDs do not have, which their API server prunes whatever
 * its type (`listener.priority` before 1.16: `version-listener-priority`, from 1.16 `crd-listener-priority`).
 */
export type ScalarSpec = 'string' | 'integer' | 'boolean' | 'intOrString' | 'port' | 'stringMap' | 'asWritten';

/** A list of one kind of element. */
export interface ArraySpec {
  readonly kind: 'array';
  readonly items: Spec;
}

/** A mapping with known fields. */
export interface ObjectSpec {
  readonly kind: 'object';
  /** What it is, for messages ("port rule"). */
  readonly name: string;
  /** Wire field name → its spec. */
  readonly fields: Readonly<Record<string, Spec>>;
  /** Wire field name → model field name, where they differ. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Fields without which the object is left out. */
  readonly required?: readonly string[];
  /** Fixes for keys that are unknown here but mean something elsewhere. */
  readonly hints?: Readonly<Record<string, string>>;
}

/** What the reader expects at a place of the manifest. */
export type Spec = ScalarSpec | ArraySpec | ObjectSpec;

/** A list of `items`. */
export function arr(items: Spec): ArraySpec {
  return { kind: 'array', items };
}

/** A mapping named `name` (for messages) with `fields`. */
export function obj(name: string, fields: Record<string, Spec>, extra: Partial<Omit<ObjectSpec, 'kind' | 'name' | 'fields'>> = {}): ObjectSpec {
  return { kind: 'object', name, fields, ...extra };
}

/** A Kubernetes label selector (`matchLabels`, `matchExpressions`). */
export const SELECTOR = obj('label selector', {
  matchLabels: 'stringMap',
  matchExpressions: arr(obj('label selector expression', { key: 'string', operator: 'string', values: arr('string') }, { required: ['key', 'operator'] })),
});

const SECRET = obj('secret reference', { name: 'string', namespace: 'string' }, { required: ['name'] });

const TLS_CONTEXT = obj('TLS context', { secret: SECRET, trustedCA: 'string', certificate: 'string', privateKey: 'string' }, { required: ['secret'] });

const FQDN = obj('FQDN selector', { matchName: 'string', matchPattern: 'string' });

const PORT_RULE = obj('port rule', {
  ports: arr(obj('port', { port: 'port', endPort: 'integer', protocol: 'string' })),
  rules: obj('L7 rules', {
    http: arr(obj('HTTP rule', {
      method: 'string',
      path: 'string',
      host: 'string',
      headers: arr('string'),
      headerMatches: arr(obj('header match', { name: 'string', value: 'string', secret: SECRET, mismatch: 'string' }, { required: ['name'] })),
    })),
    kafka: arr(obj('Kafka rule', { role: 'string', apiKey: 'string', apiVersion: 'string', clientID: 'string', topic: 'string' })),
    dns: arr(FQDN),
    l7proto: 'string',
    l7: arr('stringMap'),
  }),
  serverNames: arr('string'),
  terminatingTLS: TLS_CONTEXT,
  originatingTLS: TLS_CONTEXT,
  listener: obj('listener', {
    envoyConfig: obj('Envoy config reference', { kind: 'string', name: 'string' }, { required: ['name'] }),
    name: 'string',
    // Typed by the 1.16+ CRD only; 1.14/1.15 prune it whatever it holds.
    priority: 'asWritten',
  }, { required: ['envoyConfig', 'name'] }),
});

const PEER_SPECS: Readonly<Record<PeerField, Spec>> = {
  endpoints: arr(SELECTOR),
  cidr: arr('string'),
  cidrSet: arr(obj('CIDR rule', { cidr: 'string', cidrGroupRef: 'string', cidrGroupSelector: SELECTOR, except: arr('string') })),
  entities: arr('string'),
  nodes: arr(SELECTOR),
  services: arr(obj('service selector', {
    // No field required: the CRD requires none of k8sService, and the agent checks none (an entry without serviceName
    // matches no Service, `serviceEntryTarget`).
    k8sService: obj('Kubernetes service reference', { serviceName: 'string', namespace: 'string' }),
    k8sServiceSelector: obj('Kubernetes service selector', { selector: SELECTOR, namespace: 'string' }, { required: ['selector'] }),
  })),
  fqdns: arr(FQDN),
  groups: arr(obj('group', {
    aws: obj('AWS group', { securityGroupsIds: arr('string'), securityGroupsNames: arr('string'), labels: 'stringMap', region: 'string' }),
  })),
  requires: arr(SELECTOR),
};

const RULE_LEVEL_FIELDS = ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny', 'description', 'log', 'labels'];

function ruleItemSpec(section: SectionName): ObjectSpec {
  const direction = sectionDirection(section);
  const other = direction === 'ingress' ? 'egress' : 'ingress';
  const fields: Record<string, Spec> = {};
  const rename: Record<string, string> = {};
  const hints: Record<string, string> = {};
  for (const field of PEER_FIELD_NAMES) {
    const wire = PEER_FIELDS[field][direction];
    if (wire) {
      fields[wire] = PEER_SPECS[field];
      rename[wire] = field;
    }
    const otherWire = PEER_FIELDS[field][other];
    if (otherWire && otherWire !== wire) {
      hints[otherWire] = wire
        ? `${otherWire} is an ${other} field; in ${section} rules write ${wire}`
        : `${otherWire} exists only in ${other} rules; it cannot be used in ${section}`;
    }
  }
  fields.toPorts = arr(PORT_RULE);
  fields.icmps = arr(obj('ICMP rule', { fields: arr(obj('ICMP field', { family: 'string', type: 'intOrString' }, { required: ['type'] })) }));
  fields.authentication = obj('authentication', { mode: 'string' }, { required: ['mode'] });
  hints.auth = '`auth: {type: …}` (Cilium <= 1.13) was replaced in 1.14 by `authentication: {mode: disabled | required | test-always-fail}`';
  for (const f of RULE_LEVEL_FIELDS) hints[f] = `${f} belongs to the rule (spec), not to an item of ${section}`;
  return obj(`${section} rule`, fields, { rename, hints });
}

function ruleSpec(raw: boolean): ObjectSpec {
  const hints: Record<string, string> = {};
  for (const section of SECTIONS) {
    for (const f of Object.keys(ruleItemSpec(section).fields)) {
      hints[f] ??= `${f} belongs inside a rule item, e.g. ${sectionDirection(section)}: [{${f}: …}]`;
    }
  }
  hints.auth = `auth belongs inside a rule item and was replaced by authentication in Cilium 1.14`;
  if (raw) {
    for (const f of ['apiVersion', 'kind', 'metadata', 'spec', 'specs']) {
      hints[f] = 'a top-level list is read as raw api.Rule JSON; for Kubernetes objects use separate documents (---) or kind: List';
    }
  }
  const fields: Record<string, Spec> = {
    endpointSelector: SELECTOR,
    nodeSelector: SELECTOR,
    enableDefaultDeny: obj('enableDefaultDeny', { ingress: 'boolean', egress: 'boolean' }),
    description: 'string',
    log: obj('log', { value: 'string' }, { required: ['value'] }),
    labels: arr(obj('rule label', { key: 'string', value: 'string', source: 'string' }, { required: ['key'] })),
  };
  for (const section of SECTIONS) fields[section] = arr(ruleItemSpec(section));
  return obj('rule', fields, { hints });
}

/** A rule (`spec` or an element of `specs`). */
export const RULE = ruleSpec(false);
/** A raw `api.Rule` of a top-level list (with hints for Kubernetes object fields written there). */
export const RAW_RULE = ruleSpec(true);

/** Fixes for rule fields written at the top level of a policy object. */
export const DOCUMENT_HINTS: Record<string, string> = Object.fromEntries(
  Object.keys(RULE.fields).map((f) => [f, `${f} belongs under spec (or an element of specs)`]),
);
