// The validator's per-version tables must say what the real CRDs of each version say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { SECTIONS } from '../../src/model/policy-model';
import {
  AUTHENTICATION_MODES,
  CIDR_SET_FIELDS,
  CONSTRAINT_SINCE,
  CRD_PATTERNS,
  ENTITIES,
  HEADER_MISMATCH_ACTIONS,
  ICMP_FAMILIES,
  KAFKA_ROLES,
  LIMITS,
  LISTENER_FIELDS,
  LISTENER_KINDS,
  PORT_FIELDS,
  PROTOCOLS,
  RULE_FIELDS,
  SECTION_FIELDS,
  SELECTOR_OPERATORS,
  valuesAt,
} from '../../src/validate/tables';

const BUNDLED = join(__dirname, '..', '..', 'crd-schemas');

type Schema = any;

/**
 * The `spec` schema of a version's CRD `file`, from the package's bundled copy (`crd-schemas/v<version>/*.json`): the
 * shared CRD's `v2` schema with only the `description` texts dropped (test/testing/bundled-schemas.test.ts proves it is
 * what the bundler makes from the shared file), read as JSON instead of parsing twelve YAML files of ≈ 0.4 MB.
 */
function specSchema(version: CiliumVersion, file: string): Schema {
  const crd = JSON.parse(readFileSync(join(BUNDLED, `v${version}`, file.replace(/\.yaml$/, '.json')), 'utf8'));
  return crd.spec.versions.find((v: Schema) => v.name === 'v2').schema.openAPIV3Schema.properties.spec;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const requiredSets = (oneOf: Schema): string[][] => (oneOf ?? []).map((o: Schema) => o.required);

describe.each(CiliumVersion.ALL.map((v) => [String(v), v] as const))('CRD %s', (_name, v) => {
  const spec = specSchema(v, 'ciliumnetworkpolicies.yaml');
  const item = (section: string): Schema => spec.properties[section].items;
  const allow = item('ingress');
  const portRule = allow.properties.toPorts.items;
  const port = portRule.properties.ports.items;
  const rules = portRule.properties.rules;
  const at = (since: CiliumVersion): boolean => v.atLeast(since);

  it('CNP and CCNP share the spec schema', () => {
    expect(specSchema(v, 'ciliumclusterwidenetworkpolicies.yaml')).toEqual(spec);
  });

  it('rule fields, subject oneOf and sections anyOf', () => {
    expect(sorted(Object.keys(spec.properties))).toEqual(sorted(valuesAt(RULE_FIELDS, v)));
    expect(requiredSets(spec.oneOf)).toEqual([['endpointSelector'], ['nodeSelector']]);
    expect(spec.anyOf !== undefined).toBe(at(CONSTRAINT_SINCE.sectionsAnyOf));
    if (spec.anyOf) expect(requiredSets(spec.anyOf)).toEqual(SECTIONS.map((s) => [s]));
    expect(spec.properties.labels.items.required).toEqual(['key']);
  });

  it.each(SECTIONS.map((s) => [s]))('fields of %s rules', (section) => {
    expect(sorted(Object.keys(item(section).properties))).toEqual(sorted(valuesAt(SECTION_FIELDS[section], v)));
  });

  it('ports: fields, required port, maxItems (allow sections only), pattern, protocol enum', () => {
    expect(sorted(Object.keys(port.properties))).toEqual(sorted(valuesAt(PORT_FIELDS, v)));
    expect((port.required ?? []).includes('port')).toBe(!at(CONSTRAINT_SINCE.portOptional));
    expect(port.properties.port.pattern).toBe(CRD_PATTERNS.port);
    expect(port.properties.protocol.enum).toEqual(valuesAt(PROTOCOLS, v));
    if (port.properties.endPort) expect([port.properties.endPort.minimum, port.properties.endPort.maximum]).toEqual([0, 65535]);
    for (const s of SECTIONS) {
      const max = item(s).properties.toPorts.items.properties.ports.maxItems;
      expect(max, s).toBe(!s.endsWith('Deny') && at(CONSTRAINT_SINCE.portsMaxItems) ? LIMITS.ports : undefined);
    }
    expect(Object.keys(item('ingressDeny').properties.toPorts.items.properties)).toEqual(['ports']);
  });

  it('entities, selectors', () => {
    expect(allow.properties.fromEntities.items.enum).toEqual(ENTITIES);
    const sel = spec.properties.endpointSelector;
    expect(sel.properties.matchLabels.additionalProperties.pattern).toBe(CRD_PATTERNS.labelValue);
    expect(sel.properties.matchLabels.additionalProperties.maxLength).toBe(LIMITS.labelValue);
    expect(sel.properties.matchExpressions.items.properties.operator.enum).toEqual(SELECTOR_OPERATORS);
    expect(sel.properties.matchExpressions.items.required).toEqual(['key', 'operator']);
  });

  it('CIDRs and CIDR sets', () => {
    const cidr = allow.properties.fromCIDR.items;
    if (at(CONSTRAINT_SINCE.cidrFormat)) expect(cidr.format).toBe('cidr');
    else expect(cidr.pattern).toBe(CRD_PATTERNS.legacyCidr);
    const set = allow.properties.fromCIDRSet.items;
    expect(sorted(Object.keys(set.properties))).toEqual(sorted(valuesAt(CIDR_SET_FIELDS, v)));
    expect(requiredSets(set.oneOf)).toEqual(valuesAt(CIDR_SET_FIELDS, v).filter((f) => f !== 'except').map((f) => [f]));
    expect(set.properties.cidrGroupRef.pattern).toBe(CRD_PATTERNS.cidrGroupRef);
    expect(set.properties.cidrGroupRef.maxLength).toBe(LIMITS.cidrGroupRef);
  });

  it('FQDN selectors in toFQDNs and DNS rules', () => {
    for (const sel of [spec.properties.egress.items.properties.toFQDNs.items, rules.properties.dns.items]) {
      expect(sel.oneOf !== undefined).toBe(at(CONSTRAINT_SINCE.fqdnAndRulesOneOf));
      expect(sel.properties.matchName.pattern).toBe(CRD_PATTERNS.fqdnName);
      expect(sel.properties.matchPattern.pattern).toBe(CRD_PATTERNS.fqdnPattern);
      expect(sel.properties.matchName.maxLength).toBe(at(CONSTRAINT_SINCE.fqdnMaxLength) ? LIMITS.fqdn : undefined);
    }
  });

  it('L7 rules: oneOf, HTTP header matches, Kafka', () => {
    expect(rules.oneOf !== undefined).toBe(at(CONSTRAINT_SINCE.fqdnAndRulesOneOf));
    if (rules.oneOf) expect(requiredSets(rules.oneOf)).toEqual([['http'], ['kafka'], ['dns'], ['l7proto']]);
    const hm = rules.properties.http.items.properties.headerMatches.items;
    expect(hm.required).toEqual(['name']);
    expect(hm.properties.name.minLength).toBe(at(CONSTRAINT_SINCE.headerNameMinLength) ? 1 : undefined);
    expect(hm.properties.mismatch.enum).toEqual(HEADER_MISMATCH_ACTIONS);
    expect(hm.properties.secret.required).toEqual(['name']);
    const kafka = rules.properties.kafka.items.properties;
    expect(kafka.role.enum).toEqual(KAFKA_ROLES);
    expect(kafka.topic.maxLength).toBe(LIMITS.kafkaTopic);
  });

  it('ICMP fields', () => {
    const fields = allow.properties.icmps.items.properties.fields;
    expect(fields.maxItems).toBe(at(CONSTRAINT_SINCE.icmpFieldsMaxItems) ? LIMITS.icmpFields : undefined);
    expect(fields.items.properties.family.enum).toEqual(ICMP_FAMILIES);
    const type = fields.items.properties.type;
    if (at(CONSTRAINT_SINCE.icmpTypeIntOrString)) {
      expect(type['x-kubernetes-int-or-string']).toBe(true);
      expect(type.pattern).toBe(CRD_PATTERNS.icmpType);
    } else {
      expect([type.type, type.minimum, type.maximum]).toEqual(['integer', 0, 255]);
    }
  });

  it('authentication, TLS, listener, serverNames', () => {
    expect(allow.properties.authentication.properties.mode.enum).toEqual(AUTHENTICATION_MODES);
    expect(allow.properties.authentication.required).toEqual(['mode']);
    for (const tls of ['terminatingTLS', 'originatingTLS']) {
      expect(portRule.properties[tls].required).toEqual(['secret']);
      expect(portRule.properties[tls].properties.secret.required).toEqual(['name']);
    }
    const listener = portRule.properties.listener;
    expect(sorted(Object.keys(listener.properties))).toEqual(sorted(valuesAt(LISTENER_FIELDS, v)));
    expect(listener.required).toEqual(['envoyConfig', 'name']);
    expect(listener.properties.name.minLength).toBe(1);
    expect(listener.properties.envoyConfig.properties.kind.enum).toEqual(LISTENER_KINDS);
    expect(listener.properties.envoyConfig.properties.name.minLength).toBe(1);
    if (listener.properties.priority) expect([listener.properties.priority.minimum, listener.properties.priority.maximum]).toEqual([1, 100]);
    const sn = portRule.properties.serverNames;
    if (at(CONSTRAINT_SINCE.serverNamesConstraints)) {
      expect([sn.minItems, sn['x-kubernetes-list-type'], sn.items.maxLength, sn.items.pattern]).toEqual([1, 'set', LIMITS.serverName, CRD_PATTERNS.serverName]);
    } else {
      expect([sn.minItems, sn.items.pattern]).toEqual([undefined, undefined]);
    }
    const svc = spec.properties.egress.items.properties.toServices.items.properties.k8sServiceSelector;
    expect(svc.required).toEqual(['selector']);
  });

  it('log and fromRequires', () => {
    if (spec.properties.log) {
      expect(spec.properties.log.properties.value.maxLength).toBe(LIMITS.logValue);
      expect(spec.properties.log.properties.value.pattern).toBe(CRD_PATTERNS.logValue);
    }
    expect(allow.properties.fromRequires.maxItems).toBe(at(CONSTRAINT_SINCE.requiresRemoved) ? 0 : undefined);
  });
});
