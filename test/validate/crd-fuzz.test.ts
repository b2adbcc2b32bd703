// Differential test: random policies built from valid and tricky values, judged by the validator and by the project's
// independent ajv emulation of the API server (`src/testing`, strict field validation). Whatever the API server of a
// version rejects must be an error of the validator; whatever the validator calls a CRD error, the API server must reject.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { emitDocument } from '../../src/model/emit';
import { PolicyDocumentModel, PolicyKind } from '../../src/model/policy-model';
import { validatePolicy } from '../../src/validate';
import { CidrFormat, CrdSchemas } from '../../src/testing';
import { CRD_ROOT } from '../support/shared';
import { propertyParams } from '../support/property';
import { Loose } from './helpers';

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const list = <T>(arb: fc.Arbitrary<T>, max = 2): fc.Arbitrary<T[]> => fc.array(arb, { minLength: 0, maxLength: max });

const labelValue = pick('web', 'my app', '', 'a'.repeat(64), '-x', 'v1.2');
const labelKey = pick('app', 'k8s:app', 'app.kubernetes.io/name', 'bad key', 'k8s:io.kubernetes.pod.namespace');
const selector: fc.Arbitrary<Loose> = fc.record({
  matchLabels: maybe(fc.dictionary(labelKey, labelValue, { maxKeys: 2 })),
  matchExpressions: maybe(list(fc.record({
    key: maybe(labelKey),
    operator: pick('In', 'NotIn', 'Exists', 'DoesNotExist', 'in', 'Equals'),
    values: maybe(list(labelValue)),
  }, { requiredKeys: ['operator'] }))),
}, { requiredKeys: [] });

const cidr = pick('10.0.0.0/8', '10.0.0.1', '010.0.0.0/8', '2001:db8::/32', '1.2.3.4/33', 'fe80::1%eth0/64', '10.0.0.0/08', 'x');
const cidrRule: fc.Arbitrary<Loose> = fc.record({
  cidr: maybe(cidr),
  cidrGroupRef: maybe(pick('corp', 'Corp_VPN')),
  cidrGroupSelector: maybe(selector),
  except: maybe(list(cidr)),
}, { requiredKeys: [] });
const fqdn: fc.Arbitrary<Loose> = fc.record({
  matchName: maybe(pick('api.example.com', 'a..b', 'x'.repeat(256), '*.x.com')),
  matchPattern: maybe(pick('*.example.com', '**.example.com', '(a|b).com', '*')),
}, { requiredKeys: [] });
const port: fc.Arbitrary<Loose> = fc.record({
  port: maybe(pick('80', '0', '010', '0x50', 'http', '-', '65536', '', '53')),
  endPort: maybe(pick(8080, 70000, -1, 0, 79)),
  protocol: maybe(pick('TCP', 'UDP', 'ANY', 'SCTP', 'tcp', 'VRRP', 'IGMP', 'ICMP')),
}, { requiredKeys: [] });
const rules: fc.Arbitrary<Loose> = fc.record({
  http: maybe(list(fc.record({
    path: maybe(pick('/api/.*', '/a(')),
    headerMatches: maybe(list(fc.record({ name: pick('X-A', ''), mismatch: maybe(pick('LOG', 'log')), secret: maybe(fc.record({ name: pick('s', '') })) }))),
  }, { requiredKeys: [] }))),
  kafka: maybe(list(fc.record({ role: maybe(pick('produce', 'Produce')), topic: maybe(pick('orders', 'a'.repeat(256))) }, { requiredKeys: [] }))),
  dns: maybe(list(fqdn)),
  l7proto: maybe(pick('r2d2')),
}, { requiredKeys: [] });
const portRule: fc.Arbitrary<Loose> = fc.record({
  ports: maybe(list(port, 3)),
  rules: maybe(rules),
  serverNames: maybe(list(pick('api.example.com', '', 'bad name'), 3)),
  listener: maybe(fc.record({ name: pick('l', ''), envoyConfig: fc.record({ name: pick('cec', '') }), priority: maybe(pick(1, 0, 101)) })),
  terminatingTLS: maybe(pick({ secret: { name: 'tls' } }, {})),
}, { requiredKeys: [] });
const icmp: fc.Arbitrary<Loose> = fc.record({
  fields: list(fc.record({ family: maybe(pick('IPv4', 'IPv6', 'ipv4')), type: pick<Loose>(8, 256, 'EchoRequest', 'PacketTooBig', 'Ping', '8') })),
});

function item(direction: 'ingress' | 'egress', deny: boolean): fc.Arbitrary<Loose> {
  return fc.record({
    endpoints: maybe(list(selector)),
    cidr: maybe(list(cidr)),
    cidrSet: maybe(list(cidrRule)),
    entities: maybe(list(pick('world', 'cluster', 'world-ipv4', 'Host'))),
    nodes: maybe(list(selector)),
    services: direction === 'egress' ? maybe(list(pick({ k8sService: { serviceName: 'db', namespace: 'default' } }, { k8sServiceSelector: { namespace: 'x' } }))) : fc.constant(undefined),
    fqdns: direction === 'egress' && !deny ? maybe(list(fqdn)) : fc.constant(undefined),
    requires: maybe(list(selector)),
    toPorts: maybe(list(deny ? fc.record({ ports: maybe(list(port, 3)) }, { requiredKeys: [] }) : portRule)),
    icmps: maybe(list(icmp)),
    authentication: deny ? fc.constant(undefined) : maybe(fc.record({ mode: pick('required', 'strict') })),
  }, { requiredKeys: [] });
}

const rule: fc.Arbitrary<Loose> = fc.record({
  endpointSelector: maybe(selector),
  nodeSelector: maybe(selector),
  ingress: maybe(list(item('ingress', false))),
  ingressDeny: maybe(list(item('ingress', true))),
  egress: maybe(list(item('egress', false))),
  egressDeny: maybe(list(item('egress', true))),
  enableDefaultDeny: maybe(fc.record({ ingress: fc.boolean() })),
  log: maybe(fc.record({ value: pick('audit', 'x'.repeat(40)) })),
  labels: maybe(list(pick<Loose>({ key: 'a', value: 'b' }, { value: 'b' }))),
}, { requiredKeys: [] });

const policy: fc.Arbitrary<PolicyDocumentModel> = fc.record({
  kind: pick(PolicyKind.CILIUM_NETWORK_POLICY, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY),
  metadata: fc.constant({ name: 'fuzz' }),
  spec: rule,
});

const schemas = new Map<string, CrdSchemas>();
beforeAll(() => {
  for (const v of CiliumVersion.ALL) {
    const s = CrdSchemas.forVersion(CRD_ROOT, String(v), { cidrFormat: CidrFormat.APISERVER });
    s.load();
    schemas.set(String(v), s);
  }
});

describe.each(CiliumVersion.ALL.map((v) => [String(v), v] as const))('random policies on %s', (_name, version) => {
  it('every CRD violation has a crd-/version- error at a related path, and every crd- error a CRD violation', () => {
    const related = (a: string, b: string | undefined): boolean => b !== undefined && (a.startsWith(b) || b.startsWith(a));
    fc.assert(fc.property(policy, (doc) => {
      const violations = schemas.get(String(version))!.validate(emitDocument(doc));
      const errors = validatePolicy(doc, { version }).filter((d) => d.severity === Severity.ERROR);
      const apiErrors = errors.filter((d) => !d.id.startsWith('sanitize-'));
      for (const v of violations) {
        expect(apiErrors.some((d) => related(v.path, d.path)), `the CRD says ${v.message}; the validator: ${errors.map((d) => `${d.id} @ ${d.path}`).join(', ')}`)
          .toBe(true);
      }
      for (const d of errors.filter((e) => e.id.startsWith('crd-'))) {
        expect(violations.some((v) => related(v.path, d.path)), `${d.id} @ ${d.path}: ${d.message}; the CRD: ${violations.map((v) => v.message).join(', ')}`)
          .toBe(true);
      }
    }), propertyParams('CRD_FUZZ', 150));
  });
});
