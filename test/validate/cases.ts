import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicyDocumentModel, PolicyKind } from '../../src/model/policy-model';
import { ccnp, cnp, egress, host, inSection, ingress, l7, Loose, ports } from './helpers';

const V = CiliumVersion;

/**
 * One check, shown failing and passing: `bad` must produce a finding with `id` at `path`; `good` (the valid form of
 * the same intent) must produce no finding with `id` and no error at all.
 */
export interface Case {
  /** The check id. */
  readonly id: string;
  /** Completes "fails when …". */
  readonly when: string;
  /** Target version of both documents. @default 1.19 */
  readonly version?: CiliumVersion;
  readonly bad: PolicyDocumentModel;
  /** The expected path of the finding (`undefined` for the whole document). */
  readonly path: string | undefined;
  readonly good: PolicyDocumentModel;
  /**
   * The `spec` of `bad` and `good` is checked as a raw `api.Rule` at `[0]` (`validateRawRule`: no API server, so the agent's
   * own check reports what the CRD schema refuses first in a document). @default false
   */
  readonly raw?: boolean;
}

const BASE = { endpointSelector: {}, ingress: [{}] };
const WEB = { matchLabels: { app: 'web' } };
const TCP = (port: string): Loose => ({ port, protocol: 'TCP' });
const range = (n: number): Loose[] => Array.from({ length: n }, (_, i) => TCP(String(i + 1)));
const icmpFields = (n: number): Loose[] => Array.from({ length: n }, (_, i) => ({ type: i }));
const listener = (extra: Loose = {}): Loose => ({ name: 'proxy', envoyConfig: { name: 'cec' }, ...extra });
const P = 'spec.ingress[0].toPorts[0]';
const EP = 'spec.egress[0].toPorts[0]';

/** Every check of the catalogue, failing and passing. An id may have several cases. */
export const CASES: readonly Case[] = [
  // ----- crd -----
  {
    id: 'crd-metadata-name', when: 'the name has upper-case letters and an underscore',
    bad: cnp(BASE, { metadata: { name: 'My_Policy', namespace: 'default' } }), path: 'metadata.name',
    good: cnp(BASE, { metadata: { name: 'my-policy', namespace: 'default' } }),
  },
  {
    id: 'crd-metadata-namespace', when: 'the namespace is not a DNS label',
    bad: cnp(BASE, { metadata: { name: 'test', namespace: 'Team_A' } }), path: 'metadata.namespace',
    good: cnp(BASE, { metadata: { name: 'test', namespace: 'team-a' } }),
  },
  {
    id: 'crd-metadata-labels', when: 'a label key has a space',
    bad: cnp(BASE, { metadata: { name: 'test', labels: { 'bad key': 'x' } } }), path: 'metadata.labels["bad key"]',
    good: cnp(BASE, { metadata: { name: 'test', labels: { 'app.kubernetes.io/name': 'web' } } }),
  },
  {
    id: 'crd-metadata-labels', when: 'a label value has a space',
    bad: cnp(BASE, { metadata: { name: 'test', labels: { team: 'team a' } } }), path: 'metadata.labels.team',
    good: cnp(BASE, { metadata: { name: 'test', labels: { team: 'team-a' } } }),
  },
  {
    id: 'crd-metadata-annotations', when: 'an annotation key starts with a dash',
    bad: cnp(BASE, { metadata: { name: 'test', annotations: { '-owner': 'x' } } }), path: 'metadata.annotations["-owner"]',
    good: cnp(BASE, { metadata: { name: 'test', annotations: { 'example.com/owner': 'team a' } } }),
  },
  {
    // Session 37: an 8 MB annotation passed validate; the API server refuses annotations over 256 KiB together.
    id: 'crd-metadata-annotations', when: 'the annotations hold more than 256 KiB together',
    bad: cnp(BASE, { metadata: { name: 'test', annotations: { 'a.io/x': 'x'.repeat(128 * 1024), 'a.io/y': 'y'.repeat(128 * 1024) } } }), path: 'metadata.annotations',
    good: cnp(BASE, { metadata: { name: 'test', annotations: { 'a.io/x': 'x'.repeat(128 * 1024), 'a.io/y': 'y'.repeat(128 * 1024 - 12) } } }),
  },
  {
    id: 'crd-type', when: 'a port is a number instead of a string',
    bad: ingress(ports([{ port: 80, protocol: 'TCP' }])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('80')])),
  },
  {
    id: 'crd-type', when: 'a matchLabels value is a boolean',
    bad: ingress({ endpoints: [{ matchLabels: { canary: true } }] }), path: 'spec.ingress[0].fromEndpoints[0].matchLabels.canary',
    good: ingress({ endpoints: [{ matchLabels: { canary: 'true' } }] }),
  },
  {
    id: 'crd-subject-one-of', when: 'a rule has neither endpointSelector nor nodeSelector',
    bad: cnp({ ingress: [{}] }), path: 'spec',
    good: cnp(BASE),
  },
  {
    id: 'crd-subject-one-of', when: 'a rule has both endpointSelector and nodeSelector',
    bad: ccnp({ endpointSelector: {}, nodeSelector: {}, ingress: [{}] }), path: 'spec',
    good: ccnp({ nodeSelector: {}, ingress: [{}] }),
  },
  {
    id: 'crd-sections-any-of', when: 'a rule has no section at all (1.17)', version: V.V1_17,
    bad: cnp({ endpointSelector: {} }), path: 'spec',
    good: cnp(BASE),
  },
  {
    id: 'crd-label-key-required', when: 'a rule label has no key',
    bad: cnp({ ...BASE, labels: [{ value: 'x' }] }), path: 'spec.labels[0].key',
    good: cnp({ ...BASE, labels: [{ key: 'team', value: 'x' }] }),
  },
  {
    id: 'crd-field-direction', when: 'toServices is used in an ingress rule',
    bad: ingress({ services: [{ k8sService: { serviceName: 'db' } }] }), path: 'spec.ingress[0].toServices',
    good: egress({ services: [{ k8sService: { serviceName: 'db' } }] }),
  },
  {
    id: 'crd-deny-fqdns', when: 'toFQDNs is used in egressDeny',
    bad: inSection('egressDeny', { fqdns: [{ matchName: 'evil.example.com' }] }), path: 'spec.egressDeny[0].toFQDNs',
    good: inSection('egressDeny', { cidr: ['203.0.113.7/32'] }),
  },
  {
    id: 'crd-deny-authentication', when: 'authentication is used in ingressDeny',
    bad: inSection('ingressDeny', { endpoints: [WEB], authentication: { mode: 'required' } }), path: 'spec.ingressDeny[0].authentication',
    good: inSection('ingress', { endpoints: [WEB], authentication: { mode: 'required' } }),
  },
  {
    id: 'crd-deny-l7', when: 'a deny rule has http rules',
    bad: inSection('ingressDeny', l7({ http: [{ method: 'DELETE' }] })), path: 'spec.ingressDeny[0].toPorts[0].rules',
    good: inSection('ingressDeny', ports([TCP('80')])),
  },
  {
    id: 'crd-deny-l7', when: 'a deny rule has serverNames',
    bad: inSection('egressDeny', ports([TCP('443')], { serverNames: ['evil.example.com'] })), path: 'spec.egressDeny[0].toPorts[0].serverNames',
    good: inSection('egressDeny', ports([TCP('443')])),
  },
  {
    id: 'crd-label-value', when: 'a matchLabels value has a space',
    bad: ingress({ endpoints: [{ matchLabels: { app: 'my app' } }] }), path: 'spec.ingress[0].fromEndpoints[0].matchLabels.app',
    good: ingress({ endpoints: [{ matchLabels: { app: 'my-app' } }] }),
  },
  {
    id: 'crd-selector-operator', when: 'an operator is lower-case',
    bad: cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['web'] }] }, ingress: [{}] }),
    path: 'spec.endpointSelector.matchExpressions[0].operator',
    good: cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, ingress: [{}] }),
  },
  {
    id: 'crd-selector-operator', when: 'a matchExpressions entry has no key',
    bad: ingress({ endpoints: [{ matchExpressions: [{ operator: 'Exists' }] }] }), path: 'spec.ingress[0].fromEndpoints[0].matchExpressions[0].key',
    good: ingress({ endpoints: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }] }),
  },
  {
    id: 'crd-entity', when: 'the entity is world-ipv4 (Go only, in no CRD)',
    bad: egress({ entities: ['world-ipv4'] }), path: 'spec.egress[0].toEntities[0]',
    good: egress({ entities: ['world'] }),
  },
  {
    id: 'crd-entity', when: 'the entity is capitalised',
    bad: ingress({ entities: ['Cluster'] }), path: 'spec.ingress[0].fromEntities[0]',
    good: ingress({ entities: ['cluster'] }),
  },
  {
    id: 'crd-cidr', when: 'fromCIDR is a bare IP (1.16, format: cidr)', version: V.V1_16,
    bad: ingress({ cidr: ['10.0.0.1'] }), path: 'spec.ingress[0].fromCIDR[0]',
    good: ingress({ cidr: ['10.0.0.1/32'] }),
  },
  {
    id: 'crd-cidr', when: 'fromCIDR is a bare IP (1.15, regex)', version: V.V1_15,
    bad: ingress({ cidr: ['10.0.0.1'] }), path: 'spec.ingress[0].fromCIDR[0]',
    good: ingress({ cidr: ['10.0.0.1/32'] }),
  },
  {
    id: 'crd-cidr', when: 'an except has a prefix length above 32',
    bad: ingress({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/33'] }] }), path: 'spec.ingress[0].fromCIDRSet[0].except[0]',
    good: ingress({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
  },
  {
    id: 'crd-cidr-group-ref', when: 'cidrGroupRef is not a DNS-1123 name',
    bad: ingress({ cidrSet: [{ cidrGroupRef: 'Corp_VPN' }] }), path: 'spec.ingress[0].fromCIDRSet[0].cidrGroupRef',
    good: ingress({ cidrSet: [{ cidrGroupRef: 'corp-vpn' }] }),
  },
  {
    id: 'crd-cidr-set-one-of', when: 'a CIDR set entry has both cidr and cidrGroupRef',
    bad: ingress({ cidrSet: [{ cidr: '10.0.0.0/8', cidrGroupRef: 'corp' }] }), path: 'spec.ingress[0].fromCIDRSet[0]',
    good: ingress({ cidrSet: [{ cidr: '10.0.0.0/8' }, { cidrGroupRef: 'corp' }] }),
  },
  {
    id: 'crd-cidr-set-one-of', when: 'a CIDR set entry has only except',
    bad: ingress({ cidrSet: [{ except: ['10.1.0.0/16'] }] }), path: 'spec.ingress[0].fromCIDRSet[0]',
    good: ingress({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
  },
  {
    id: 'crd-fqdn-one-of', when: 'a toFQDNs entry has both matchName and matchPattern (1.16)', version: V.V1_16,
    bad: egress({ fqdns: [{ matchName: 'example.com', matchPattern: '*.example.com' }] }), path: 'spec.egress[0].toFQDNs[0]',
    good: egress({ fqdns: [{ matchName: 'example.com' }, { matchPattern: '*.example.com' }] }),
  },
  {
    id: 'crd-fqdn-one-of', when: 'a DNS rule entry is empty',
    bad: egress(l7({ dns: [{}] }, { port: '53', protocol: 'ANY' })), path: `${EP}.rules.dns[0]`,
    good: egress(l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'ANY' })),
  },
  {
    id: 'crd-fqdn-syntax', when: 'matchName has two dots in a row',
    bad: egress({ fqdns: [{ matchName: 'api..example.com' }] }), path: 'spec.egress[0].toFQDNs[0].matchName',
    good: egress({ fqdns: [{ matchName: 'api.example.com' }] }),
  },
  {
    id: 'crd-fqdn-syntax', when: 'matchPattern has a regex character',
    bad: egress({ fqdns: [{ matchPattern: '(api|www).example.com' }] }), path: 'spec.egress[0].toFQDNs[0].matchPattern',
    good: egress({ fqdns: [{ matchPattern: '*.example.com' }] }),
  },
  {
    id: 'crd-fqdn-max-length', when: 'matchName is 256 characters long (1.17)', version: V.V1_17,
    bad: egress({ fqdns: [{ matchName: `${'x'.repeat(252)}.com` }] }), path: 'spec.egress[0].toFQDNs[0].matchName',
    good: egress({ fqdns: [{ matchName: `${'x'.repeat(60)}.com` }] }),
  },
  {
    id: 'crd-ports-max-items', when: 'an allow toPorts entry has 41 ports (1.16)', version: V.V1_16,
    bad: ingress(ports(range(41))), path: `${P}.ports`,
    good: ingress(ports(range(40))),
  },
  {
    id: 'crd-port-syntax', when: 'the port is a lone dash',
    bad: ingress(ports([TCP('-')])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('80')])),
  },
  {
    id: 'crd-end-port-range', when: 'endPort is above 65535',
    bad: ingress(ports([{ port: '8080', endPort: 70000, protocol: 'TCP' }])), path: `${P}.ports[0].endPort`,
    good: ingress(ports([{ port: '8080', endPort: 8090, protocol: 'TCP' }])),
  },
  {
    id: 'crd-protocol', when: 'the protocol is lower-case tcp',
    bad: ingress(ports([{ port: '80', protocol: 'tcp' }])), path: `${P}.ports[0].protocol`,
    good: ingress(ports([TCP('80')])),
  },
  {
    id: 'crd-protocol', when: 'the protocol is ICMP',
    bad: ingress(ports([{ port: '0', protocol: 'ICMP' }])), path: `${P}.ports[0].protocol`,
    good: ingress({ icmps: [{ fields: [{ type: 8 }] }] }),
  },
  {
    id: 'crd-rules-one-of', when: 'one toPorts rules holds http and kafka (1.16)', version: V.V1_16,
    bad: egress(l7({ http: [{}], kafka: [{ topic: 'orders' }] })), path: `${EP}.rules`,
    good: egress(l7({ http: [{}] })),
  },
  {
    id: 'crd-rules-one-of', when: 'toPorts rules is empty',
    bad: egress(l7({})), path: `${EP}.rules`,
    good: egress(ports([TCP('80')])),
  },
  {
    id: 'crd-icmp-fields-max-items', when: 'an icmps entry has 41 fields (1.16)', version: V.V1_16,
    bad: ingress({ icmps: [{ fields: icmpFields(41) }] }), path: 'spec.ingress[0].icmps[0].fields',
    good: ingress({ icmps: [{ fields: icmpFields(40) }] }),
  },
  {
    id: 'crd-icmp-family', when: 'the family is lower-case',
    bad: ingress({ icmps: [{ fields: [{ family: 'ipv4', type: 8 }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].family',
    good: ingress({ icmps: [{ fields: [{ family: 'IPv4', type: 8 }] }] }),
  },
  {
    id: 'crd-icmp-type', when: 'the type is 256 (1.15: integer 0-255)', version: V.V1_15,
    bad: ingress({ icmps: [{ fields: [{ type: 256 }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ type: 255 }] }] }),
  },
  {
    id: 'crd-icmp-type', when: 'the type is missing',
    bad: ingress({ icmps: [{ fields: [{ family: 'IPv4' }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ family: 'IPv4', type: 0 }] }] }),
  },
  {
    id: 'crd-icmp-type', when: 'the type name is unknown',
    bad: ingress({ icmps: [{ fields: [{ type: 'Ping' }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ type: 'EchoRequest' }] }] }),
  },
  {
    id: 'crd-icmp-type', when: 'the type is ExtendedEchoReply (the CRD pattern has "ExtendedEcho Reply")',
    bad: ingress({ icmps: [{ fields: [{ type: 'ExtendedEchoReply' }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ type: 43 }] }] }),
  },
  {
    id: 'crd-authentication-mode', when: 'the mode is not in the enum',
    bad: ingress({ endpoints: [WEB], authentication: { mode: 'strict' } }), path: 'spec.ingress[0].authentication.mode',
    good: ingress({ endpoints: [WEB], authentication: { mode: 'required' } }),
  },
  {
    id: 'crd-header-match-name', when: 'a headerMatches name is empty (1.16)', version: V.V1_16,
    bad: ingress(l7({ http: [{ headerMatches: [{ name: '', value: 'x' }] }] })), path: `${P}.rules.http[0].headerMatches[0].name`,
    good: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', value: 'x' }] }] })),
  },
  {
    id: 'crd-header-match-mismatch', when: 'mismatch is lower-case',
    bad: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', mismatch: 'log' }] }] })), path: `${P}.rules.http[0].headerMatches[0].mismatch`,
    good: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', mismatch: 'LOG' }] }] })),
  },
  {
    id: 'crd-header-secret', when: 'a header secret has no name',
    bad: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', secret: { namespace: 'app' } }] }] })),
    path: `${P}.rules.http[0].headerMatches[0].secret.name`,
    good: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', secret: { name: 'token', namespace: 'app' } }] }] })),
  },
  {
    id: 'crd-tls-secret', when: 'terminatingTLS has no secret',
    bad: egress(ports([TCP('443')], { terminatingTLS: {} })), path: `${EP}.terminatingTLS.secret.name`,
    good: egress(ports([TCP('443')], { terminatingTLS: { secret: { name: 'tls', namespace: 'app' } } })),
  },
  {
    id: 'crd-kafka-role', when: 'the kafka role is capitalised', version: V.V1_17,
    bad: egress(l7({ kafka: [{ role: 'Produce', topic: 'orders' }] }, TCP('9092'))), path: `${EP}.rules.kafka[0].role`,
    good: egress(l7({ kafka: [{ role: 'produce', topic: 'orders' }] }, TCP('9092'))),
  },
  {
    id: 'crd-kafka-topic-max-length', when: 'the kafka topic is 256 characters long', version: V.V1_17,
    bad: egress(l7({ kafka: [{ topic: 'a'.repeat(256) }] }, TCP('9092'))), path: `${EP}.rules.kafka[0].topic`,
    good: egress(l7({ kafka: [{ topic: 'orders' }] }, TCP('9092'))),
  },
  {
    id: 'crd-server-names-empty', when: 'serverNames is an empty list (1.18)', version: V.V1_18,
    bad: egress(ports([TCP('443')], { serverNames: [] })), path: `${EP}.serverNames`,
    good: egress(ports([TCP('443')], { serverNames: ['api.example.com'] })),
  },
  {
    id: 'crd-server-names-duplicate', when: 'serverNames lists a name twice',
    bad: egress(ports([TCP('443')], { serverNames: ['api.example.com', 'api.example.com'] })), path: `${EP}.serverNames[1]`,
    good: egress(ports([TCP('443')], { serverNames: ['api.example.com', 'www.example.com'] })),
  },
  {
    id: 'crd-server-name-syntax', when: 'a server name has a space',
    bad: egress(ports([TCP('443')], { serverNames: ['api example.com'] })), path: `${EP}.serverNames[0]`,
    good: egress(ports([TCP('443')], { serverNames: ['**.example.com'] })),
  },
  {
    id: 'crd-listener', when: 'the listener envoyConfig has no name',
    bad: egress(ports([TCP('80')], { listener: { name: 'proxy', envoyConfig: {} } })), path: `${EP}.listener.envoyConfig.name`,
    good: egress(ports([TCP('80')], { listener: listener() })),
  },
  {
    id: 'crd-listener', when: 'the listener has an unknown envoyConfig kind',
    bad: egress(ports([TCP('80')], { listener: { name: 'proxy', envoyConfig: { name: 'cec', kind: 'EnvoyConfig' } } })),
    path: `${EP}.listener.envoyConfig.kind`,
    good: egress(ports([TCP('80')], { listener: { name: 'proxy', envoyConfig: { name: 'cec', kind: 'CiliumClusterwideEnvoyConfig' } } })),
  },
  {
    id: 'crd-listener-priority', when: 'listener.priority is 0',
    bad: egress(ports([TCP('80')], { listener: listener({ priority: 0 }) })), path: `${EP}.listener.priority`,
    good: egress(ports([TCP('80')], { listener: listener({ priority: 1 }) })),
  },
  {
    id: 'crd-log-value', when: 'log.value is 33 characters long (1.18)', version: V.V1_18,
    bad: cnp({ ...BASE, log: { value: 'x'.repeat(33) } }), path: 'spec.log.value',
    good: cnp({ ...BASE, log: { value: 'x'.repeat(32) } }),
  },
  {
    id: 'crd-log-value', when: 'log.value has a control character',
    bad: cnp({ ...BASE, log: { value: 'audit\n' } }), path: 'spec.log.value',
    good: cnp({ ...BASE, log: { value: 'audit ingress' } }),
  },
  {
    id: 'crd-service-selector', when: 'k8sServiceSelector has no selector',
    bad: egress({ services: [{ k8sServiceSelector: { namespace: 'db' } }] }), path: 'spec.egress[0].toServices[0].k8sServiceSelector.selector',
    good: egress({ services: [{ k8sServiceSelector: { namespace: 'db', selector: { matchLabels: { app: 'db' } } } }] }),
  },

  // ----- sanitize -----
  {
    id: 'sanitize-empty-policy', when: 'the document has neither spec nor specs',
    bad: { kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'test' } }, path: undefined,
    good: { kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'test' }, specs: [BASE] },
  },
  {
    id: 'sanitize-cnp-node-selector', when: 'a CNP has a nodeSelector',
    bad: cnp({ nodeSelector: {}, ingress: [{}] }), path: 'spec.nodeSelector',
    good: ccnp({ nodeSelector: {}, ingress: [{}] }),
  },
  {
    id: 'sanitize-no-rules', when: 'all sections are empty lists (1.17)', version: V.V1_17,
    bad: cnp({ endpointSelector: {}, ingress: [], egress: [] }), path: 'spec',
    good: cnp({ endpointSelector: {}, ingress: [{}], egress: [{}] }),
  },
  {
    id: 'sanitize-no-rules', when: 'a rule has no section at all (1.16)', version: V.V1_16,
    bad: cnp({ endpointSelector: {} }), path: 'spec',
    good: cnp(BASE),
  },
  {
    id: 'sanitize-no-rules', when: 'the second rule of specs has no sections',
    bad: cnp(BASE, { specs: [{ endpointSelector: WEB, egressDeny: [] }] }), path: 'specs[0]',
    good: cnp(BASE, { specs: [{ endpointSelector: WEB, egressDeny: [{ entities: ['world'] }] }] }),
  },
  {
    id: 'sanitize-no-rules', when: 'a raw rule has no section at all (1.17: no CRD refuses it first)', version: V.V1_17, raw: true,
    bad: ccnp({ endpointSelector: {} }), path: '[0]',
    good: ccnp(BASE),
  },
  {
    id: 'sanitize-rule-subject', when: 'a raw rule has neither endpointSelector nor nodeSelector', raw: true,
    bad: ccnp({ ingress: [{}] }), path: '[0]',
    good: ccnp(BASE),
  },
  {
    id: 'sanitize-rule-subject', when: 'a raw rule has both endpointSelector and nodeSelector', raw: true,
    bad: ccnp({ endpointSelector: {}, nodeSelector: {}, ingress: [{}] }), path: '[0]',
    good: ccnp({ nodeSelector: {}, ingress: [{}] }),
  },
  {
    id: 'sanitize-entity', when: 'a raw rule names an entity the agent does not have', raw: true,
    bad: ccnp({ endpointSelector: {}, egress: [{ entities: ['World'] }] }), path: '[0].egress[0].toEntities[0]',
    good: ccnp({ endpointSelector: {}, egress: [{ entities: ['world'] }] }),
  },
  {
    id: 'sanitize-entity', when: 'a raw rule names world-ipv4 before 1.15 (the agent has it from 1.15, no CRD has it)', version: V.V1_14, raw: true,
    bad: ccnp({ endpointSelector: {}, egress: [{ entities: ['world-ipv4'] }] }), path: '[0].egress[0].toEntities[0]',
    good: ccnp({ endpointSelector: {}, egress: [{ entities: ['world'] }] }),
  },
  {
    id: 'sanitize-cidr-parse', when: 'a raw rule has a CIDR no CRD pattern screens first', raw: true,
    bad: ccnp({ endpointSelector: {}, egress: [{ cidr: ['10.0.0.0/33'] }] }), path: '[0].egress[0].toCIDR[0]',
    good: ccnp({ endpointSelector: {}, egress: [{ cidr: ['10.0.0.0/8'] }] }),
  },
  {
    id: 'sanitize-empty-section', when: 'egress is an empty list meant as default deny',
    bad: cnp({ endpointSelector: {}, ingress: [{}], egress: [] }), path: 'spec.egress',
    good: cnp({ endpointSelector: {}, ingress: [{}], egress: [{}] }),
  },
  {
    id: 'sanitize-l3-combination', when: 'one ingress item has fromEndpoints and fromCIDR',
    bad: ingress({ endpoints: [WEB], cidr: ['10.0.0.0/8'] }), path: 'spec.ingress[0].fromCIDR',
    good: cnp({ endpointSelector: WEB, ingress: [{ endpoints: [WEB] }, { cidr: ['10.0.0.0/8'] }] }),
  },
  {
    id: 'sanitize-l3-combination', when: 'one egress item has toFQDNs and toEntities',
    bad: egress({ fqdns: [{ matchName: 'api.example.com' }], entities: ['world'] }), path: 'spec.egress[0].toFQDNs',
    good: egress({ fqdns: [{ matchName: 'api.example.com' }] }),
  },
  {
    id: 'sanitize-icmps-with-ports', when: 'one item has icmps and toPorts',
    bad: ingress({ icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [TCP('80')] }] }), path: 'spec.ingress[0].icmps',
    good: cnp({ endpointSelector: WEB, ingress: [{ icmps: [{ fields: [{ type: 8 }] }] }, { toPorts: [{ ports: [TCP('80')] }] }] }),
  },
  {
    id: 'sanitize-services-with-ports', when: 'toServices is combined with toPorts (1.16)', version: V.V1_16,
    bad: egress({ services: [{ k8sService: { serviceName: 'db', namespace: 'default' } }], toPorts: [{ ports: [TCP('5432')] }] }),
    path: 'spec.egress[0].toPorts',
    good: egress({ endpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [TCP('5432')] }] }),
  },
  {
    id: 'sanitize-ports-max-items', when: 'a deny toPorts entry has 41 ports (no CRD limit on deny)',
    bad: inSection('ingressDeny', ports(range(41))), path: 'spec.ingressDeny[0].toPorts[0].ports',
    good: inSection('ingressDeny', ports(range(40))),
  },
  {
    id: 'sanitize-ports-max-items', when: 'an allow toPorts entry has 41 ports (1.15, before the CRD limit)', version: V.V1_15,
    bad: ingress(ports(range(41))), path: `${P}.ports`,
    good: ingress(ports(range(40))),
  },
  {
    id: 'sanitize-icmp-fields-max-items', when: 'an icmps entry has 41 fields (1.15)', version: V.V1_15,
    bad: ingress({ icmps: [{ fields: icmpFields(41) }] }), path: 'spec.ingress[0].icmps[0].fields',
    good: ingress({ icmps: [{ fields: icmpFields(40) }] }),
  },
  {
    id: 'sanitize-icmp-type-range', when: 'the type is 256 (1.16+: the CRD does not range-check integers)',
    bad: ingress({ icmps: [{ fields: [{ type: 256 }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ type: 255 }] }] }),
  },
  {
    id: 'sanitize-icmp-type-family', when: 'an IPv6-only type name is used with family IPv4',
    bad: ingress({ icmps: [{ fields: [{ type: 'PacketTooBig' }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ family: 'IPv6', type: 'PacketTooBig' }] }] }),
  },
  {
    id: 'sanitize-port-parse', when: 'the port is 65536',
    bad: ingress(ports([TCP('65536')])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('65535')])),
  },
  {
    id: 'sanitize-port-parse', when: 'the port name is longer than 15 characters',
    bad: ingress(ports([TCP('metrics-endpoint-1')])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('metrics')])),
  },
  {
    id: 'sanitize-port-octal', when: 'the port is "010" (octal 8)',
    bad: ingress(ports([TCP('010')])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('10')])),
  },
  {
    id: 'sanitize-port-prefixed-name', when: 'the port is "0x50" (a name, not 80)',
    bad: ingress(ports([TCP('0x50')])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('80')])),
  },
  {
    id: 'sanitize-port-omitted', when: 'a TCP port entry has no port (1.19)',
    bad: ingress(ports([{ protocol: 'TCP' }])), path: `${P}.ports[0].port`,
    good: ingress(ports([TCP('0')])),
  },
  {
    id: 'sanitize-portless-protocol-port', when: 'VRRP has port 112',
    bad: host('ingress', ports([{ port: '112', protocol: 'VRRP' }])), path: `${P}.ports[0].port`,
    good: host('ingress', ports([{ protocol: 'VRRP' }])),
  },
  {
    id: 'sanitize-portless-protocol-port', when: 'VRRP has a named port (the agent takes it, but it never resolves)',
    bad: host('ingress', ports([{ port: 'vrrp', protocol: 'VRRP' }])), path: `${P}.ports[0].port`,
    good: host('ingress', ports([{ port: '0', protocol: 'VRRP' }])),
  },
  {
    id: 'sanitize-extended-protocols-flag', when: 'a rule matches IGMP',
    bad: host('ingress', ports([{ protocol: 'IGMP' }])), path: `${P}.ports[0].protocol`,
    good: host('ingress', ports([{ port: '0', protocol: 'UDP' }])),
  },
  {
    id: 'sanitize-end-port-named', when: 'endPort follows a named port',
    bad: ingress(ports([{ port: 'http', endPort: 8090, protocol: 'TCP' }])), path: `${P}.ports[0].endPort`,
    good: ingress(ports([{ port: '8080', endPort: 8090, protocol: 'TCP' }])),
  },
  {
    id: 'sanitize-end-port-below-port', when: 'endPort is below port',
    bad: ingress(ports([{ port: '8080', endPort: 80, protocol: 'TCP' }])), path: `${P}.ports[0].endPort`,
    good: ingress(ports([{ port: '8080', endPort: 8090, protocol: 'TCP' }])),
  },
  {
    id: 'sanitize-l7-protocol', when: 'http rules sit on a port without protocol (ANY)',
    bad: ingress(l7({ http: [{ method: 'GET' }] }, { port: '80' })), path: `${P}.ports[0].protocol`,
    good: ingress(l7({ http: [{ method: 'GET' }] }, TCP('80'))),
  },
  {
    id: 'sanitize-l7-protocol', when: 'kafka rules sit on a UDP port', version: V.V1_17,
    bad: egress(l7({ kafka: [{ topic: 'orders' }] }, { port: '9092', protocol: 'UDP' })), path: `${EP}.ports[0].protocol`,
    good: egress(l7({ kafka: [{ topic: 'orders' }] }, TCP('9092'))),
  },
  {
    id: 'sanitize-l7-port-zero', when: 'http rules sit on port 0',
    bad: ingress(l7({ http: [{}] }, TCP('0'))), path: `${P}.ports[0].port`,
    good: ingress(l7({ http: [{}] }, TCP('80'))),
  },
  {
    id: 'sanitize-l7-multiple-kinds', when: 'one toPorts rules holds http and kafka (1.15)', version: V.V1_15,
    bad: egress(l7({ http: [{}], kafka: [{ topic: 'orders' }] })), path: `${EP}.rules`,
    good: egress(l7({ http: [{}] })),
  },
  {
    id: 'sanitize-l7-without-l7proto', when: 'l7 rules come without l7proto',
    bad: egress(l7({ http: [{}], l7: [{ cmd: 'READ' }] })), path: `${EP}.rules.l7`,
    good: egress(l7({ l7proto: 'r2d2', l7: [{ cmd: 'READ' }] })),
  },
  {
    // Before the CRD's oneOf (1.16) nothing but the agent refuses `l7` alone (seed-42 mutant of sanitize-rules.ts).
    id: 'sanitize-l7-without-l7proto', when: 'l7 rules come alone, without an l7proto key (1.15: no oneOf in the CRD)', version: V.V1_15,
    bad: egress(l7({ l7: [{ cmd: 'READ' }] })), path: `${EP}.rules.l7`,
    good: egress(l7({ l7proto: 'r2d2', l7: [{ cmd: 'READ' }] })),
  },
  {
    id: 'sanitize-l7-without-l7proto', when: 'l7 rules come with l7proto "" (the CRD\'s oneOf takes the empty key; the agent refuses it)',
    bad: egress(l7({ l7proto: '', l7: [{ cmd: 'READ' }] })), path: `${EP}.rules.l7`,
    good: egress(l7({ l7proto: 'r2d2', l7: [{ cmd: 'READ' }] })),
  },
  {
    id: 'sanitize-dns-ingress', when: 'dns rules are in an ingress section',
    bad: ingress(l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'UDP' })), path: `${P}.rules.dns`,
    good: egress(l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'UDP' })),
  },
  {
    id: 'sanitize-dns-no-ports', when: 'dns rules have no ports',
    bad: egress({ toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] }), path: `${EP}.rules.dns`,
    good: egress(l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'ANY' })),
  },
  {
    id: 'sanitize-dns-port-range', when: 'dns rules use a port range',
    bad: egress(l7({ dns: [{ matchPattern: '*' }] }, { port: '53', endPort: 54, protocol: 'UDP' })), path: `${EP}.ports[0].endPort`,
    good: egress(l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'UDP' })),
  },
  {
    id: 'sanitize-l7-port-range', when: 'http rules on a port range (1.16)', version: V.V1_16,
    bad: ingress(l7({ http: [{ method: 'GET' }] }, { port: '8080', endPort: 8090, protocol: 'TCP' })), path: `${P}.ports[0].endPort`,
    good: ingress(l7({ http: [{ method: 'GET' }] }, { port: '8080', protocol: 'TCP' })),
  },
  {
    id: 'sanitize-l7-port-range', when: 'kafka rules on a port range (1.16)', version: V.V1_16,
    bad: ingress(l7({ kafka: [{ role: 'produce', topic: 'a' }] }, { port: '9092', endPort: 9094, protocol: 'TCP' })), path: `${P}.ports[0].endPort`,
    good: ingress(l7({ kafka: [{ role: 'produce', topic: 'a' }] }, { port: '9092', protocol: 'TCP' })),
  },
  {
    id: 'sanitize-host-l7', when: 'a host policy has http rules on ingress',
    bad: host('ingress', l7({ http: [{}] })), path: `${P}.rules.http`,
    good: host('ingress', ports([TCP('80')])),
  },
  {
    id: 'sanitize-host-l7', when: 'a host policy has http rules on egress',
    bad: host('egress', l7({ http: [{}] })), path: `${EP}.rules.http`,
    good: host('egress', l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'ANY' })),
  },
  {
    id: 'sanitize-host-l7', when: 'a host policy has l7proto rules on ingress (countL7Rules counts the l7 entries)',
    bad: host('ingress', l7({ l7proto: 'cassandra', l7: [{ op: 'query' }] })), path: `${P}.rules.l7`,
    good: host('ingress', ports([TCP('9042')])),
  },
  {
    id: 'sanitize-host-l7', when: 'a host policy has l7proto rules on egress (1.16: every L7 kind is refused on host egress)', version: V.V1_16,
    bad: host('egress', l7({ l7proto: 'cassandra', l7: [{ op: 'query' }] })), path: `${EP}.rules.l7`,
    good: host('egress', ports([TCP('9042')])),
  },
  {
    id: 'sanitize-cidr-parse', when: 'an IPv4 CIDR has leading zeros (1.15: the regex accepts, the agent does not)', version: V.V1_15,
    bad: ingress({ cidr: ['010.0.0.0/8'] }), path: 'spec.ingress[0].fromCIDR[0]',
    good: ingress({ cidr: ['10.0.0.0/8'] }),
  },
  {
    id: 'sanitize-cidr-parse', when: 'an IPv4 CIDR has leading zeros (1.19: ParseCIDRSloppy accepts, the agent does not)',
    bad: egress({ cidr: ['010.000.0.0/8'] }), path: 'spec.egress[0].toCIDR[0]',
    good: egress({ cidr: ['10.0.0.0/8'] }),
  },
  {
    id: 'sanitize-cidr-parse', when: 'a CIDR set prefix length is zero-padded',
    bad: ingress({ cidrSet: [{ cidr: '10.0.0.0/08' }] }), path: 'spec.ingress[0].fromCIDRSet[0].cidr',
    good: ingress({ cidrSet: [{ cidr: '10.0.0.0/8' }] }),
  },
  {
    id: 'sanitize-except-outside-cidr', when: 'except is outside its cidr',
    bad: ingress({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }] }), path: 'spec.ingress[0].fromCIDRSet[0].except[0]',
    good: ingress({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.10.0.0/16'] }] }),
  },
  {
    id: 'sanitize-except-outside-cidr', when: 'except is of the other address family',
    bad: egress({ cidrSet: [{ cidr: '0.0.0.0/0', except: ['::1/128'] }] }), path: 'spec.egress[0].toCIDRSet[0].except[0]',
    good: egress({ cidrSet: [{ cidr: '0.0.0.0/0', except: ['127.0.0.0/8'] }] }),
  },
  {
    id: 'sanitize-egress-cidr-group-ref', when: 'an egress toCIDRSet entry is a cidrGroupRef (1.15)', version: V.V1_15,
    bad: egress({ cidrSet: [{ cidrGroupRef: 'corp' }] }), path: 'spec.egress[0].toCIDRSet[0].cidrGroupRef',
    good: ingress({ cidrSet: [{ cidrGroupRef: 'corp' }] }),
  },
  {
    id: 'sanitize-except-with-group', when: 'except is combined with cidrGroupRef (1.16)', version: V.V1_16,
    bad: ingress({ cidrSet: [{ cidrGroupRef: 'corp', except: ['10.1.0.0/16'] }] }), path: 'spec.ingress[0].fromCIDRSet[0].except',
    good: ingress({ cidrSet: [{ cidrGroupRef: 'corp' }] }),
  },
  {
    id: 'sanitize-fqdn-one-of', when: 'a toFQDNs entry is empty (1.15)', version: V.V1_15,
    bad: egress({ fqdns: [{}] }), path: 'spec.egress[0].toFQDNs[0]',
    good: egress({ fqdns: [{ matchName: 'api.example.com' }] }),
  },
  {
    id: 'sanitize-fqdn-max-length', when: 'matchPattern is 256 characters long (1.16)', version: V.V1_16,
    bad: egress({ fqdns: [{ matchPattern: `*.${'x'.repeat(250)}.com` }] }), path: 'spec.egress[0].toFQDNs[0].matchPattern',
    good: egress({ fqdns: [{ matchPattern: '*.example.com' }] }),
  },
  {
    id: 'sanitize-server-names-with-l7', when: 'serverNames and http rules come without terminatingTLS',
    bad: egress({ toPorts: [{ ports: [TCP('443')], serverNames: ['api.example.com'], rules: { http: [{}] } }] }),
    path: `${EP}.serverNames`,
    good: egress({
      toPorts: [{
        ports: [TCP('443')], serverNames: ['api.example.com'], rules: { http: [{}] },
        terminatingTLS: { secret: { name: 'tls' } }, originatingTLS: { secret: { name: 'ca' } },
      }],
    }),
  },
  {
    id: 'sanitize-server-name-empty', when: 'a server name is empty (1.17)', version: V.V1_17,
    bad: egress(ports([TCP('443')], { serverNames: [''] })), path: `${EP}.serverNames[0]`,
    good: egress(ports([TCP('443')], { serverNames: ['api.example.com'] })),
  },
  {
    id: 'sanitize-listener-ingress', when: 'a listener is in an ingress rule',
    bad: ingress(ports([TCP('80')], { listener: listener() })), path: `${P}.listener`,
    good: egress(ports([TCP('80')], { listener: listener() })),
  },
  {
    id: 'sanitize-listener-with-l7', when: 'a listener comes with http rules',
    bad: egress({ toPorts: [{ ports: [TCP('80')], listener: listener(), rules: { http: [{}] } }] }), path: `${EP}.listener`,
    good: egress({ toPorts: [{ ports: [TCP('80')], listener: listener() }, { ports: [TCP('8080')], rules: { http: [{}] } }] }),
  },
  {
    id: 'sanitize-http-regex', when: 'an http path has an unclosed group',
    bad: ingress(l7({ http: [{ path: '/api/(v1' }] })), path: `${P}.rules.http[0].path`,
    good: ingress(l7({ http: [{ path: '/api/(v1|v2)/.*' }] })),
  },
  {
    id: 'sanitize-http-regex', when: 'an http path uses a look-ahead (JS has it, RE2 not)',
    bad: ingress(l7({ http: [{ path: '/api/(?!admin).*' }] })), path: `${P}.rules.http[0].path`,
    good: ingress(l7({ http: [{ path: '/api/[^a].*' }] })),
  },
  {
    id: 'sanitize-http-regex', when: 'an http method uses a back-reference',
    bad: ingress(l7({ http: [{ method: '(GET)\\1' }] })), path: `${P}.rules.http[0].method`,
    good: ingress(l7({ http: [{ method: 'GET|HEAD' }] })),
  },
  {
    id: 'sanitize-header-name-missing', when: 'a headerMatches name is empty (1.15)', version: V.V1_15,
    bad: ingress(l7({ http: [{ headerMatches: [{ name: '', value: 'x' }] }] })), path: `${P}.rules.http[0].headerMatches[0].name`,
    good: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', value: 'x' }] }] })),
  },
  {
    id: 'sanitize-header-secret-name', when: 'a header secret name is empty',
    bad: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', secret: { name: '' } }] }] })), path: `${P}.rules.http[0].headerMatches[0].secret.name`,
    good: ingress(l7({ http: [{ headerMatches: [{ name: 'X-Token', secret: { name: 'token' } }] }] })),
  },
  {
    id: 'sanitize-kafka-role-and-api-key', when: 'a kafka rule has role and apiKey', version: V.V1_17,
    bad: egress(l7({ kafka: [{ role: 'produce', apiKey: 'produce' }] }, TCP('9092'))), path: `${EP}.rules.kafka[0].apiKey`,
    good: egress(l7({ kafka: [{ role: 'produce' }, { apiKey: 'metadata' }] }, TCP('9092'))),
  },
  {
    id: 'sanitize-kafka-api-key', when: 'the kafka apiKey is unknown', version: V.V1_17,
    bad: egress(l7({ kafka: [{ apiKey: 'publish' }] }, TCP('9092'))), path: `${EP}.rules.kafka[0].apiKey`,
    good: egress(l7({ kafka: [{ apiKey: 'Produce' }] }, TCP('9092'))),
  },
  {
    id: 'sanitize-kafka-api-version', when: 'the kafka apiVersion is not a number', version: V.V1_17,
    bad: egress(l7({ kafka: [{ apiKey: 'fetch', apiVersion: 'v2' }] }, TCP('9092'))), path: `${EP}.rules.kafka[0].apiVersion`,
    good: egress(l7({ kafka: [{ apiKey: 'fetch', apiVersion: '2' }] }, TCP('9092'))),
  },
  {
    id: 'sanitize-kafka-topic', when: 'the kafka topic has a slash', version: V.V1_17,
    bad: egress(l7({ kafka: [{ topic: 'orders/eu' }] }, TCP('9092'))), path: `${EP}.rules.kafka[0].topic`,
    good: egress(l7({ kafka: [{ topic: 'orders.eu' }] }, TCP('9092'))),
  },
  {
    id: 'sanitize-selector-key', when: 'a matchLabels key has a space',
    bad: ingress({ endpoints: [{ matchLabels: { 'app name': 'web' } }] }), path: 'spec.ingress[0].fromEndpoints[0].matchLabels["app name"]',
    good: ingress({ endpoints: [{ matchLabels: { 'k8s:app.kubernetes.io/name': 'web' } }] }),
  },
  {
    id: 'sanitize-selector-key', when: 'a cidrGroupSelector key has a source prefix', version: V.V1_17,
    bad: ingress({ cidrSet: [{ cidrGroupSelector: { matchLabels: { 'k8s:team': 'a' } } }] }),
    path: 'spec.ingress[0].fromCIDRSet[0].cidrGroupSelector.matchLabels["k8s:team"]',
    good: ingress({ cidrSet: [{ cidrGroupSelector: { matchLabels: { team: 'a' } } }] }),
  },
  {
    id: 'sanitize-selector-values', when: 'In has no values',
    bad: cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, ingress: [{}] }),
    path: 'spec.endpointSelector.matchExpressions[0].values',
    good: cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, ingress: [{}] }),
  },
  {
    id: 'sanitize-selector-values', when: 'an In value is a wildcard, not a label value (EndpointSelector.Sanitize refuses the policy)',
    bad: ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['team-a', 'team-*'] }] }, ingress: [{}] }),
    path: 'spec.endpointSelector.matchExpressions[0].values[1]',
    good: ccnp({ endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['team-a', 'team-b'] }] }, ingress: [{}] }),
  },
  {
    id: 'sanitize-selector-values', when: 'a NotIn value of a peer is longer than 63 characters',
    bad: ingress({ endpoints: [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'.repeat(64)] }] }] }),
    path: 'spec.ingress[0].fromEndpoints[0].matchExpressions[0].values[0]',
    good: ingress({ endpoints: [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'.repeat(63), ''] }] }] }),
  },
  {
    id: 'sanitize-selector-values', when: 'Exists has values',
    bad: ingress({ endpoints: [{ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] }] }),
    path: 'spec.ingress[0].fromEndpoints[0].matchExpressions[0].values',
    good: ingress({ endpoints: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }] }),
  },
  {
    id: 'sanitize-nodes-flag', when: 'fromNodes is used (needs enable-node-selector-labels)',
    bad: ingress({ nodes: [{ matchLabels: { role: 'worker' } }] }), path: 'spec.ingress[0].fromNodes',
    good: ingress({ entities: ['remote-node'] }),
  },
  {
    id: 'sanitize-cnp-subject-namespace', when: 'a CNP endpointSelector matches another namespace',
    bad: cnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] }),
    path: 'spec.endpointSelector.matchLabels["k8s:io.kubernetes.pod.namespace"]',
    good: ccnp({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] }),
  },

  // ----- version -----
  {
    id: 'version-end-port', when: 'endPort is used on 1.15', version: V.V1_15,
    bad: ingress(ports([{ port: '8080', endPort: 8082, protocol: 'TCP' }])), path: `${P}.ports[0].endPort`,
    good: ingress(ports([TCP('8080'), TCP('8081'), TCP('8082')])),
  },
  {
    id: 'version-enable-default-deny', when: 'enableDefaultDeny is used on 1.15', version: V.V1_15,
    bad: cnp({ ...BASE, enableDefaultDeny: { ingress: false } }), path: 'spec.enableDefaultDeny',
    good: cnp(BASE),
  },
  {
    id: 'version-nodes', when: 'toNodes is used on 1.15', version: V.V1_15,
    bad: egress({ nodes: [{ matchLabels: { role: 'worker' } }] }), path: 'spec.egress[0].toNodes',
    good: egress({ entities: ['remote-node'] }),
  },
  {
    id: 'version-from-groups', when: 'fromGroups is used on 1.15', version: V.V1_15,
    bad: ingress({ groups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }), path: 'spec.ingress[0].fromGroups',
    good: egress({ groups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }),
  },
  {
    id: 'version-listener-priority', when: 'listener.priority is used on 1.15', version: V.V1_15,
    bad: egress(ports([TCP('80')], { listener: listener({ priority: 10 }) })), path: `${EP}.listener.priority`,
    good: egress(ports([TCP('80')], { listener: listener() })),
  },
  {
    id: 'version-icmp-type-name', when: 'an ICMP type name is used on 1.15', version: V.V1_15,
    bad: ingress({ icmps: [{ fields: [{ type: 'EchoRequest' }] }] }), path: 'spec.ingress[0].icmps[0].fields[0].type',
    good: ingress({ icmps: [{ fields: [{ type: 8 }] }] }),
  },
  {
    id: 'version-egress-cidr-group-ref', when: 'cidrGroupRef is used in an egressDeny toCIDRSet on 1.15', version: V.V1_15,
    bad: inSection('egressDeny', { cidrSet: [{ cidrGroupRef: 'corp' }] }), path: 'spec.egressDeny[0].toCIDRSet[0].cidrGroupRef',
    good: ingress({ cidrSet: [{ cidrGroupRef: 'corp' }] }),
  },
  {
    id: 'version-cidr-group-selector', when: 'cidrGroupSelector is used on 1.16', version: V.V1_16,
    bad: ingress({ cidrSet: [{ cidrGroupSelector: { matchLabels: { team: 'a' } } }] }), path: 'spec.ingress[0].fromCIDRSet[0].cidrGroupSelector',
    good: ingress({ cidrSet: [{ cidrGroupRef: 'team-a' }] }),
  },
  {
    id: 'version-log', when: 'log is used on 1.17', version: V.V1_17,
    bad: cnp({ ...BASE, log: { value: 'audit' } }), path: 'spec.log',
    good: cnp(BASE),
  },
  {
    id: 'version-fqdn-double-star', when: 'a toFQDNs pattern starts with **. on 1.18', version: V.V1_18,
    bad: egress({ fqdns: [{ matchPattern: '**.example.com' }] }), path: 'spec.egress[0].toFQDNs[0].matchPattern',
    good: egress({ fqdns: [{ matchPattern: '*.example.com' }] }),
  },
  {
    id: 'version-fqdn-double-star', when: 'a DNS rule pattern starts with **. on 1.18', version: V.V1_18,
    bad: egress(l7({ dns: [{ matchPattern: '**.example.com' }] }, { port: '53', protocol: 'ANY' })), path: `${EP}.rules.dns[0].matchPattern`,
    good: egress(l7({ dns: [{ matchPattern: '*.example.com' }] }, { port: '53', protocol: 'ANY' })),
  },
  {
    id: 'version-protocol', when: 'VRRP is used on 1.18', version: V.V1_18,
    bad: host('ingress', ports([{ port: '0', protocol: 'VRRP' }])), path: `${P}.ports[0].protocol`,
    good: host('ingress', ports([{ port: '0', protocol: 'UDP' }])),
  },
  {
    id: 'version-port-omitted', when: 'a port entry has no port on 1.18', version: V.V1_18,
    bad: ingress(ports([{ protocol: 'UDP' }])), path: `${P}.ports[0].port`,
    good: ingress(ports([{ port: '0', protocol: 'UDP' }])),
  },
  {
    id: 'version-requires-removed', when: 'fromRequires has entries on 1.19',
    bad: ingress({ endpoints: [WEB], requires: [{ matchLabels: { env: 'prod' } }] }), path: 'spec.ingress[0].fromRequires',
    good: ingress({ endpoints: [{ matchLabels: { app: 'web', env: 'prod' } }] }),
  },
  {
    id: 'version-requires-deprecated', when: 'toRequires is used on 1.18', version: V.V1_18,
    bad: egress({ endpoints: [WEB], requires: [{ matchLabels: { env: 'prod' } }] }), path: 'spec.egress[0].toRequires',
    good: egress({ endpoints: [{ matchLabels: { app: 'web', env: 'prod' } }] }),
  },
  {
    id: 'version-empty-peer-list', when: 'fromEndpoints: [] beside toPorts on 1.15 (every source on the port; none from 1.16)', version: V.V1_15,
    bad: ingress({ endpoints: [], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }), path: 'spec.ingress[0].fromEndpoints',
    good: ingress({ endpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }),
  },
  {
    id: 'version-empty-peer-list', when: 'toCIDR: [] beside icmps in egressDeny on 1.14 (denies ping to every destination)', version: V.V1_14,
    bad: cnp({ endpointSelector: {}, egress: [{}], egressDeny: [{ cidr: [], icmps: [{ fields: [{ type: 8 }] }] }] }), path: 'spec.egressDeny[0].toCIDR',
    good: cnp({ endpointSelector: {}, egress: [{}], egressDeny: [{ cidr: ['10.0.0.0/8'], icmps: [{ fields: [{ type: 8 }] }] }] }),
  },
  {
    id: 'version-regex-named-group', when: 'an HTTP path names a group (?<id>…) on 1.15 (Go 1.22 syntax)', version: V.V1_15,
    bad: ingress(l7({ http: [{ path: '/users/(?<id>[0-9]+)' }] })), path: `${P}.rules.http[0].path`,
    good: ingress(l7({ http: [{ path: '/users/(?P<id>[0-9]+)' }] })),
  },
  {
    id: 'version-regex-named-group', when: 'an HTTP method names a group (?<m>…) on 1.14', version: V.V1_14,
    bad: ingress(l7({ http: [{ method: '(?<m>GET|HEAD)' }] })), path: `${P}.rules.http[0].method`,
    good: ingress(l7({ http: [{ method: '(GET|HEAD)' }] })),
  },
  {
    id: 'version-kafka-deprecated', when: 'kafka rules are used on 1.18', version: V.V1_18,
    bad: egress(l7({ kafka: [{ topic: 'orders' }] }, TCP('9092'))), path: `${EP}.rules.kafka`,
    good: egress(ports([TCP('9092')])),
  },
];
