import { describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicyDocumentModel } from '../../src/model/policy-model';
import { ccnp, check, cnp, egress, host, ingress, inSection, l7, Loose, ports, summary } from './helpers';

const V = CiliumVersion;
const ALL = CiliumVersion.ALL;
const TCP = (port: string): Loose => ({ port, protocol: 'TCP' });
const ids = (doc: PolicyDocumentModel, v: CiliumVersion): string[] => check(doc, v).map((d) => d.id);
const previous = (v: CiliumVersion): CiliumVersion => ALL[ALL.indexOf(v) - 1];

/** A feature that works from `since` on and is reported with `id` on every older target. */
interface Gate {
  readonly id: string;
  readonly feature: string;
  readonly since: CiliumVersion;
  readonly doc: PolicyDocumentModel;
}

const GATES: readonly Gate[] = [
  { id: 'version-end-port', feature: 'endPort', since: V.V1_16, doc: ingress(ports([{ port: '8080', endPort: 8090, protocol: 'TCP' }])) },
  { id: 'version-enable-default-deny', feature: 'enableDefaultDeny', since: V.V1_16, doc: cnp({ endpointSelector: {}, ingress: [{}], enableDefaultDeny: { egress: false } }) },
  { id: 'version-nodes', feature: 'fromNodes', since: V.V1_16, doc: ingress({ nodes: [{ matchLabels: { role: 'worker' } }] }) },
  { id: 'version-nodes', feature: 'toNodes', since: V.V1_16, doc: egress({ nodes: [{}] }) },
  { id: 'version-from-groups', feature: 'fromGroups', since: V.V1_16, doc: ingress({ groups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }) },
  { id: 'version-listener-priority', feature: 'listener.priority', since: V.V1_16,
    doc: egress(ports([TCP('80')], { listener: { name: 'l', envoyConfig: { name: 'cec' }, priority: 5 } })) },
  { id: 'version-icmp-type-name', feature: 'ICMP type names', since: V.V1_16, doc: ingress({ icmps: [{ fields: [{ family: 'IPv6', type: 'EchoRequest' }] }] }) },
  { id: 'sanitize-egress-cidr-group-ref', feature: 'cidrGroupRef in toCIDRSet', since: V.V1_16, doc: egress({ cidrSet: [{ cidrGroupRef: 'corp' }] }) },
  { id: 'version-egress-cidr-group-ref', feature: 'cidrGroupRef in egressDeny', since: V.V1_16, doc: inSection('egressDeny', { cidrSet: [{ cidrGroupRef: 'corp' }] }) },
  { id: 'version-cidr-group-selector', feature: 'cidrGroupSelector', since: V.V1_17,
    doc: ingress({ cidrSet: [{ cidrGroupSelector: { matchLabels: { team: 'a' } } }] }) },
  { id: 'version-log', feature: 'log', since: V.V1_18, doc: cnp({ endpointSelector: {}, ingress: [{}], log: { value: 'audit' } }) },
  { id: 'version-fqdn-double-star', feature: '**. in toFQDNs', since: V.V1_19, doc: egress({ fqdns: [{ matchPattern: '**.example.com' }] }) },
  { id: 'version-fqdn-double-star', feature: '**. in DNS rules', since: V.V1_19,
    doc: egress(l7({ dns: [{ matchPattern: '**.example.com' }] }, { port: '53', protocol: 'ANY' })) },
  { id: 'version-protocol', feature: 'VRRP', since: V.V1_19, doc: host('ingress', ports([{ port: '0', protocol: 'VRRP' }])) },
  { id: 'version-protocol', feature: 'IGMP', since: V.V1_19, doc: host('ingress', ports([{ port: '0', protocol: 'IGMP' }])) },
  { id: 'version-port-omitted', feature: 'VRRP without port', since: V.V1_19, doc: host('ingress', ports([{ protocol: 'VRRP' }])) },
  { id: 'sanitize-except-with-group', feature: 'except with cidrGroupRef', since: V.V1_17,
    doc: ingress({ cidrSet: [{ cidrGroupRef: 'corp', except: ['10.1.0.0/16'] }] }) },
  { id: 'sanitize-services-with-ports', feature: 'toServices with toPorts', since: V.V1_17,
    doc: egress({ services: [{ k8sService: { serviceName: 'db', namespace: 'default' } }], toPorts: [{ ports: [TCP('5432')] }] }) },
  { id: 'sanitize-host-l7', feature: 'DNS rules in host policies', since: V.V1_17,
    doc: host('egress', l7({ dns: [{ matchPattern: '*' }] }, { port: '53', protocol: 'ANY' })) },
];

describe.each(GATES.map((g) => [g.feature, g] as const))('%s', (_feature, g) => {
  it(`passes at ${g.since}, the first version that has it`, () => {
    expect(ids(g.doc, g.since)).not.toContain(g.id);
    expect(summary(check(g.doc, g.since).filter((d) => d.severity === Severity.ERROR))).toEqual([]);
  });

  it(`fails with ${g.id} at ${previous(g.since)}, one version earlier`, () => {
    const diags = check(g.doc, previous(g.since)).filter((d) => d.id === g.id);
    expect(diags).toHaveLength(1);
    expect(diags[0].message).toContain(`${g.since} or newer (target is ${previous(g.since)})`);
  });

  it('fails on every older version and passes on every newer one', () => {
    for (const v of ALL) expect(ids(g.doc, v).includes(g.id), `${g.id} at ${v}`).toBe(!v.atLeast(g.since));
  });
});

describe('version messages', () => {
  it('say what the pruned rule then does, and how to fix it', () => {
    const d = check(ingress(ports([{ port: '8080', endPort: 8090, protocol: 'TCP' }])), V.V1_15).find((x) => x.id === 'version-end-port');
    expect(d?.message).toBe(
      'endPort needs Cilium 1.16 or newer (target is 1.15); an older API server prunes it silently and the rule then allows only port 8080');
    expect(d?.fix).toBe('raise the target version to 1.16 or newer, or list the ports one by one (at most 40 per toPorts entry)');
    expect(d?.path).toBe('spec.ingress[0].toPorts[0].ports[0].endPort');
  });

  it('an entry without port: port "0" is the fix only where the protocol is one the version knows', () => {
    // `{ protocol: VRRP }` on 1.18: port "0" beside VRRP is refused too (VRRP is not in the 1.18 protocol enum, Cilium's
    // ciliumnetworkpolicies CRD v1.18 `PortProtocol.protocol`: TCP, UDP, SCTP, ANY), so that fix did not work.
    const vrrp = check(host('ingress', ports([{ protocol: 'VRRP' }])), V.V1_18);
    expect(vrrp.find((x) => x.id === 'version-port-omitted')?.fix)
      .toBe('raise the target version to 1.19 or newer, or drop the rule: port "0" does not help, protocol VRRP is not in the 1.18 protocol enum either');
    expect(vrrp.find((x) => x.id === 'version-protocol')?.fix).toBe('raise the target version to 1.19 or newer, or drop the rule');
    // Doing what it says: port "0" with VRRP on 1.18 is still refused; on 1.19 both are accepted.
    expect(ids(host('ingress', ports([{ port: '0', protocol: 'VRRP' }])), V.V1_18)).toContain('version-protocol');
    expect(ids(host('ingress', ports([{ protocol: 'VRRP' }])), V.V1_19).filter((id) => id.startsWith('version-'))).toEqual([]);
    // A protocol the version knows: port "0" is the fix, and it is accepted.
    const tcp = check(ingress(ports([{ protocol: 'TCP' }])), V.V1_18).find((x) => x.id === 'version-port-omitted');
    expect(tcp?.fix).toBe('write port: "0" to match every port');
    expect(ids(ingress(ports([{ port: '0', protocol: 'TCP' }])), V.V1_18).filter((id) => id.startsWith('version-'))).toEqual([]);
  });

  it('an entry without port whose protocol no enum of the version has: the fix names what the enum takes, and following it validates', () => {
    // The fix said `write port: "0"` for any protocol but an exact VRRP or IGMP: for vrrp, GRE, tcp or ICMP, doing so left
    // the policy refused (crd-protocol: the 1.18 CRD's PortProtocol.protocol enum is TCP, UDP, SCTP, ANY; 1.19 adds VRRP, IGMP).
    const errors = (doc: PolicyDocumentModel, v: CiliumVersion): string[] => summary(check(doc, v).filter((d) => d.severity === Severity.ERROR));
    const entry = (p: Loose): PolicyDocumentModel => host('ingress', ports([p]));
    const cases: Array<[CiliumVersion, string, string, string, PolicyDocumentModel, CiliumVersion?]> = [
      [V.V1_18, 'vrrp', 'version-port-omitted', 'raise the target version to 1.19 or newer and write VRRP, or drop the rule: port "0" does not help, '
        + 'protocol vrrp is not in the 1.18 protocol enum either', entry({ protocol: 'VRRP' }), V.V1_19],
      [V.V1_18, 'GRE', 'version-port-omitted', 'drop the port entry, or write one of TCP, UDP, SCTP, ANY with port: "0": port "0" alone does not help, '
        + 'protocol "GRE" is not in the 1.18 protocol enum (TCP, UDP, SCTP, ANY)', entry({ port: '0', protocol: 'ANY' })],
      [V.V1_18, 'tcp', 'version-port-omitted', 'write protocol: TCP (the CRD enum is case-sensitive) and port: "0" to match every port: port "0" alone '
        + 'does not help, protocol "tcp" is not in the 1.18 protocol enum (TCP, UDP, SCTP, ANY)', entry({ port: '0', protocol: 'TCP' })],
      [V.V1_18, 'ICMP', 'version-port-omitted', 'match ICMP with an icmps rule instead of toPorts: port "0" alone does not help, protocol "ICMP" is '
        + 'not in the 1.18 protocol enum (TCP, UDP, SCTP, ANY)', host('ingress', { icmps: [{ fields: [{ type: 8 }] }] })],
      [V.V1_19, 'vrrp', 'sanitize-port-omitted', 'write protocol: VRRP (the CRD enum is case-sensitive), which takes no port', entry({ protocol: 'VRRP' })],
      [V.V1_19, 'GRE', 'sanitize-port-omitted', 'drop the port entry, or write one of TCP, UDP, SCTP, VRRP, IGMP, ANY with port: "0": port "0" alone '
        + 'does not help, protocol "GRE" is not in the 1.19 protocol enum (TCP, UDP, SCTP, VRRP, IGMP, ANY)', entry({ port: '0', protocol: 'ANY' })],
    ];
    for (const [v, protocol, id, fix, followed, raised] of cases) {
      const found = check(entry({ protocol }), v).find((d) => d.id === id);
      expect(found?.fix, `${protocol} on ${v}`).toBe(fix);
      // The old fix, port "0" alone, is still refused; the one given validates.
      expect(errors(entry({ port: '0', protocol }), v).length, `port "0" with ${protocol} on ${v}`).toBeGreaterThan(0);
      expect(errors(followed, raised ?? v), `following the fix for ${protocol} on ${v}`).toEqual([]);
    }
    // A protocol the enum has keeps the plain fix, which validates.
    expect(check(entry({ protocol: 'UDP' }), V.V1_19).find((d) => d.id === 'sanitize-port-omitted')?.fix).toBe('write port: "0" to match every port of the protocol');
    expect(errors(entry({ port: '0', protocol: 'UDP' }), V.V1_19)).toEqual([]);
  });

  it('say that port 0 without its pruned endPort is every port, in any spelling the agent reads', () => {
    for (const port of ['0', '00']) {
      const d = check(ingress(ports([{ port, endPort: 21, protocol: 'TCP' }])), V.V1_15).find((x) => x.id === 'version-end-port');
      expect(d?.message).toBe('endPort needs Cilium 1.16 or newer (target is 1.15); an older API server prunes it silently and the rule then allows '
        + `every port (port ${port} is every port)`);
    }
  });
});

describe('except with cidrGroupRef before 1.17 (open item of session 41)', () => {
  it('is refused on 1.14-1.16, and the message says the refusal is of the patch releases (older patches applied the except)', () => {
    const doc = ingress({ cidrSet: [{ cidrGroupRef: 'corp', except: ['10.1.0.0/16'] }] });
    for (const v of [V.V1_14, V.V1_15, V.V1_16]) {
      const d = check(doc, v).find((x) => x.id === 'sanitize-except-with-group');
      expect(d?.severity).toBe(Severity.ERROR);
      expect(d?.message).toMatch(/v1\.14\.19: "ExceptCIDRs cannot be used in combination with CIDRGroupRef"; earlier patches apply the except/);
    }
    expect(ids(doc, V.V1_17)).not.toContain('sanitize-except-with-group');
  });
});

describe('removed and deprecated fields', () => {
  const requires = ingress({ endpoints: [{}], requires: [{ matchLabels: { env: 'prod' } }] });

  it('fromRequires is an error on 1.19 (CRD maxItems 0)', () => {
    const d = check(requires, V.V1_19).filter((x) => x.id.startsWith('version-requires'));
    expect(d.map((x) => [x.id, x.severity])).toEqual([['version-requires-removed', Severity.ERROR]]);
  });

  it.each([V.V1_17, V.V1_18])('fromRequires is a deprecation warning on %s', (v) => {
    const d = check(requires, v).filter((x) => x.id.startsWith('version-requires'));
    expect(d.map((x) => [x.id, x.severity])).toEqual([['version-requires-deprecated', Severity.WARNING]]);
    expect(d[0].message).toContain('deprecated since Cilium 1.17');
  });

  it.each([V.V1_14, V.V1_15, V.V1_16])('fromRequires is still flagged on %s: the SDK never writes it', (v) => {
    const d = check(requires, v).filter((x) => x.id.startsWith('version-requires'));
    expect(d.map((x) => x.id)).toEqual(['version-requires-deprecated']);
    expect(d[0].message).toContain('the SDK never writes it');
  });

  it('an empty peer list is a version finding only beside toPorts or icmps, with no filled peer list (pre-1.16 mergeIngress)', () => {
    const empty = (item: Loose): string[] => ids(ingress(item), V.V1_15).filter((id) => id === 'version-empty-peer-list');
    // Without ports it selects nothing before 1.16 as from 1.16: nothing differs.
    expect(empty({ endpoints: [] })).toEqual([]);
    expect(empty({ entities: [] })).toEqual([]);
    // Beside a filled list it is ignored before 1.16.
    expect(empty({ endpoints: [], entities: ['world'], toPorts: [{ ports: [TCP('80')] }] })).toEqual([]);
    expect(empty({ endpoints: [], toPorts: [{ ports: [TCP('80')] }] })).toEqual(['version-empty-peer-list']);
    expect(empty({ entities: [], icmps: [{ fields: [{ type: 8 }] }] })).toEqual(['version-empty-peer-list']);
    expect(ids(ingress({ endpoints: [], toPorts: [{ ports: [TCP('80')] }] }), V.V1_16)).not.toContain('version-empty-peer-list');
  });

  it('an empty list beside a filled toFQDNs or toGroups is ignored before 1.16 too, and an empty toFQDNs or toGroups is no version finding', () => {
    const empty = (item: Loose): string[] => ids(egress(item), V.V1_15).filter((id) => id === 'version-empty-peer-list');
    const ports = { toPorts: [{ ports: [TCP('443')] }] };
    // The engine reads the item as its FQDN peers (compileItem: the first filled list), as the agent does.
    expect(empty({ endpoints: [], fqdns: [{ matchName: 'api.example.com' }], ...ports })).toEqual([]);
    expect(empty({ cidr: [], groups: [{ aws: { securityGroupsIds: ['sg-1'] } }], ...ports })).toEqual([]);
    // Every peer on the ports on every version (EMPTY_LIST_CHECKED_PEER_FIELDS): nothing differs before 1.16.
    expect(empty({ fqdns: [], ...ports })).toEqual([]);
    expect(empty({ groups: [], ...ports })).toEqual([]);
  });

  it('an empty fromRequires passes the 1.19 CRD', () => {
    expect(ids(ingress({ endpoints: [{}], requires: [] }), V.V1_19)).toEqual([]);
  });

  it('kafka rules are deprecated from 1.18 on', () => {
    const doc = egress(l7({ kafka: [{ topic: 'orders' }] }, TCP('9092')));
    for (const v of ALL) expect(ids(doc, v).includes('version-kafka-deprecated'), String(v)).toBe(v.atLeast(V.V1_18));
  });
});

/** Constraints the CRD gained in some version, checked by the agent before: the id changes, the finding does not. */
describe.each([
  ['a rule without sections', cnp({ endpointSelector: {} }), V.V1_17, 'crd-sections-any-of', 'sanitize-no-rules'],
  ['41 ports in an allow rule', ingress(ports(Array.from({ length: 41 }, (_, i) => TCP(String(i + 1))))), V.V1_16, 'crd-ports-max-items', 'sanitize-ports-max-items'],
  ['41 ICMP fields', ingress({ icmps: [{ fields: Array.from({ length: 41 }, (_, i) => ({ type: i })) }] }), V.V1_16,
    'crd-icmp-fields-max-items', 'sanitize-icmp-fields-max-items'],
  ['a toFQDNs entry with both fields', egress({ fqdns: [{ matchName: 'a.example.com', matchPattern: '*.example.com' }] }), V.V1_16,
    'crd-fqdn-one-of', 'sanitize-fqdn-one-of'],
  ['a 256-character FQDN', egress({ fqdns: [{ matchName: `${'x'.repeat(252)}.com` }] }), V.V1_17, 'crd-fqdn-max-length', 'sanitize-fqdn-max-length'],
  ['two L7 kinds in one rules', egress(l7({ http: [{}], kafka: [{}] })), V.V1_16, 'crd-rules-one-of', 'sanitize-l7-multiple-kinds'],
  ['an empty headerMatches name', ingress(l7({ http: [{ headerMatches: [{ name: '' }] }] })), V.V1_16, 'crd-header-match-name', 'sanitize-header-name-missing'],
  ['an empty server name', egress(ports([TCP('443')], { serverNames: [''] })), V.V1_18, 'crd-server-name-syntax', 'sanitize-server-name-empty'],
] as const)('%s', (_what, doc, since, crdId, agentId) => {
  it(`is ${crdId} from ${since} and ${agentId} before`, () => {
    for (const v of ALL) {
      const found = ids(doc, v);
      expect(found.includes(crdId), `${crdId} at ${v}`).toBe(v.atLeast(since));
      expect(found.includes(agentId), `${agentId} at ${v}`).toBe(!v.atLeast(since));
    }
  });
});

describe('CIDR syntax per version', () => {
  it.each(ALL.map((v) => [String(v), v] as const))('a bare IP is rejected by the API server of %s', (_s, v) => {
    expect(ids(ingress({ cidr: ['192.0.2.1'] }), v)).toContain('crd-cidr');
  });

  it('an IPv6 zone: the fix drops it (it said "write fe80::1%eth0/128/128": the zone had swallowed the prefix length)', () => {
    const fixes = (cidr: string): (string | undefined)[] => check(ingress({ cidr: [cidr] })).filter((d) => d.id === 'crd-cidr').map((d) => d.fix);
    expect(fixes('fe80::1%eth0/128')).toEqual(['drop the zone: write fe80::1/128']);
    expect(fixes('fe80::%eth0/64')).toEqual(['drop the zone: write fe80::/64']);
    expect(fixes('fe80::1%eth0')).toEqual(['drop the zone: write fe80::1/128']);
    expect(fixes('2001:db8::1')).toEqual(['write 2001:db8::1/128']);
  });

  it.each(ALL.map((v) => [String(v), v] as const))('leading zeros pass the API server of %s but not the agent', (_s, v) => {
    expect(ids(ingress({ cidr: ['010.0.0.0/8'] }), v)).toEqual(['sanitize-cidr-parse']);
  });

  it('IPv6 prefixes are accepted by both syntaxes', () => {
    for (const v of ALL) expect(ids(egress({ cidr: ['2001:db8::/32', '::/0'] }), v)).toEqual([]);
  });
});

describe('a policy using every 1.19 feature', () => {
  const doc = ccnp({
    endpointSelector: { matchLabels: { app: 'web' } },
    enableDefaultDeny: { ingress: true, egress: false },
    log: { value: 'web-policy' },
    ingress: [
      { endpoints: [{ matchLabels: { app: 'fe' } }], toPorts: [{ ports: [{ port: '8080', endPort: 8090, protocol: 'TCP' }] }] },
      { nodes: [{ matchLabels: { role: 'worker' } }] },
      { cidrSet: [{ cidrGroupSelector: { matchLabels: { team: 'a' } } }] },
      { icmps: [{ fields: [{ type: 'EchoRequest' }] }] },
    ],
    egress: [
      { fqdns: [{ matchPattern: '**.example.com' }] },
      { cidrSet: [{ cidrGroupRef: 'corp', except: ['10.1.0.0/16'] }] },
    ],
  });

  it('is accepted by 1.19 (warnings only)', () => {
    expect(summary(check(doc, V.V1_19).filter((d) => d.severity === Severity.ERROR))).toEqual([]);
  });

  it('names every feature 1.14 lacks', () => {
    expect(new Set(ids(doc, V.V1_14).filter((id) => id.startsWith('version-')))).toEqual(new Set([
      'version-enable-default-deny', 'version-log', 'version-end-port', 'version-nodes', 'version-cidr-group-selector',
      'version-icmp-type-name', 'version-fqdn-double-star',
    ]));
    // The egress cidrGroupRef is no pruned field but a refusal of the agent (its Sanitize parses the empty cidr).
    expect(ids(doc, V.V1_14)).toContain('sanitize-egress-cidr-group-ref');
  });
});

/** What each gate reports, and where it stays silent (written for the mutants of src/validate/version-rules.ts). */
describe('version gates: the edges', () => {
  const found = (doc: PolicyDocumentModel, v: CiliumVersion, id: string): { path?: string; message: string; fix?: string }[] =>
    check(doc, v).filter((d) => d.id === id);

  it('a pruned fromNodes widens the rule to every source, a pruned toNodes to every destination', () => {
    expect(found(ingress({ nodes: [{}] }), V.V1_15, 'version-nodes')[0].message).toMatch(/applies to every source$/);
    expect(found(egress({ nodes: [{}] }), V.V1_15, 'version-nodes')[0].message).toMatch(/applies to every destination$/);
  });

  // Seed-42 mutant of version-rules.ts (the object test of an HTTP rule dropped): a null entry threw instead.
  it('an HTTP rule list with a null entry (hostile input): the named group of the next rule is found, no throw', () => {
    const doc = ingress(l7({ http: [null, 'GET', { path: '/users/(?<id>[0-9]+)' }] }));
    expect(found(doc, V.V1_15, 'version-regex-named-group').map((d) => d.path)).toEqual(['spec.ingress[0].toPorts[0].rules.http[2].path']);
  });

  it('cidrGroupRef is gated in toCIDRSet only, and a toCIDRSet entry without it is not', () => {
    expect(ids(egress({ cidrSet: [{ cidr: '10.0.0.0/8' }] }), V.V1_15)).toEqual([]);
    expect(found(egress({ cidrSet: [{ cidr: '10.0.0.0/8' }, { cidrGroupRef: 'corp' }] }), V.V1_15, 'sanitize-egress-cidr-group-ref').map((d) => d.path))
      .toEqual(['spec.egress[0].toCIDRSet[1].cidrGroupRef']);
  });

  // Before 1.16 the watcher resolves cidrGroupRef only in the fromCIDRSet of ingress allow rules (translateSpec loops over
  // spec.Ingress alone): a deny reference selects nothing (deny items are not sanitized before 1.17), so the deny denies no
  // one (the engine: cidr-group-ref-dropped); an egress allow reference keeps its empty cidr, which EgressRule.sanitize
  // parses (CIDRRule.sanitize), so the agent refuses the whole policy.
  it('cidrGroupRef before 1.16 is reported everywhere but in an ingress allow fromCIDRSet, and in a deny says it denies no one', () => {
    const doc = (section: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny'): PolicyDocumentModel => inSection(section, { cidrSet: [{ cidrGroupRef: 'corp' }] });
    const table = (v: CiliumVersion): Record<string, string[]> => Object.fromEntries((['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const)
      .map((section) => [section, check(doc(section), v).filter((d) => d.id.endsWith('-egress-cidr-group-ref')).map((d) => `${d.id} ${d.path ?? ''}`)]));
    for (const v of [V.V1_14, V.V1_15]) {
      expect(table(v)).toEqual({
        ingress: [],
        ingressDeny: ['version-egress-cidr-group-ref spec.ingressDeny[0].fromCIDRSet[0].cidrGroupRef'],
        egress: ['sanitize-egress-cidr-group-ref spec.egress[0].toCIDRSet[0].cidrGroupRef'],
        egressDeny: ['version-egress-cidr-group-ref spec.egressDeny[0].toCIDRSet[0].cidrGroupRef'],
      });
    }
    for (const v of [V.V1_16, V.V1_19]) expect(table(v)).toEqual({ ingress: [], ingressDeny: [], egress: [], egressDeny: [] });
    const [deny] = found(doc('ingressDeny'), V.V1_15, 'version-egress-cidr-group-ref');
    expect(deny.message).toBe('cidrGroupRef in an ingressDeny fromCIDRSet needs Cilium 1.16 or newer (target is 1.15); older agents resolve CIDR groups '
      + 'only in the fromCIDRSet of ingress allow rules, so this entry selects nothing and denies no one');
    expect(deny.fix).toBe('raise the target version to 1.16 or newer, or list the cidrs of the group with fromCIDRSet cidr entries');
    expect(found(doc('egress'), V.V1_15, 'sanitize-egress-cidr-group-ref')[0].message).toBe('cidrGroupRef "corp" in an egress toCIDRSet needs Cilium 1.16 or newer '
      + '(target is 1.15): older agents resolve CIDR groups only in the fromCIDRSet of ingress allow rules, so Sanitize parses this entry\'s empty cidr ("Unable to parse CIDRRule '
      + '\\"\\"") and refuses the whole policy');
  });

  it('entries that are not objects are left to the schema: the gates skip them and judge the rest', () => {
    const cidrSet = inSection('egressDeny', { cidrSet: [null, 'x', { cidrGroupRef: 'corp' }] });
    expect(found(cidrSet, V.V1_15, 'version-egress-cidr-group-ref').map((d) => d.path)).toEqual(['spec.egressDeny[0].toCIDRSet[2].cidrGroupRef']);
    const fqdns = egress({ fqdns: [null, 'x', { matchPattern: '**.example.com' }] });
    expect(found(fqdns, V.V1_18, 'version-fqdn-double-star').map((d) => d.path)).toEqual(['spec.egress[0].toFQDNs[2].matchPattern']);
    const dns = egress(l7({ dns: [null, { matchPattern: '**.example.com' }] }, { port: '53', protocol: 'ANY' }));
    expect(found(dns, V.V1_18, 'version-fqdn-double-star').map((d) => d.path)).toEqual(['spec.egress[0].toPorts[0].rules.dns[1].matchPattern']);
  });

  it('the fix for **. lists the subdomain levels the pattern meant', () => {
    expect(found(egress({ fqdns: [{ matchPattern: '**.example.com' }] }), V.V1_18, 'version-fqdn-double-star')[0].fix)
      .toContain('such as *.example.com and *.*.example.com');
  });

  it('toFQDNs is gated in egress only: egressDeny has no toFQDNs (the API server prunes it)', () => {
    const deny = cnp({ endpointSelector: { matchLabels: { app: 'web' } }, egressDeny: [{ fqdns: [{ matchPattern: '**.example.com' }] }] });
    expect(found(deny, V.V1_18, 'version-fqdn-double-star')).toEqual([]);
  });

  it('kafka and l7proto rules: one deprecation each, at its field, with its own fix', () => {
    const kafka = found(egress(l7({ kafka: [{ topic: 'orders' }] }, TCP('9092'))), V.V1_18, 'version-kafka-deprecated');
    expect(kafka.map((d) => d.path)).toEqual(['spec.egress[0].toPorts[0].rules.kafka']);
    expect(kafka[0].fix).toMatch(/kafka at L4/);
    const proto = found(egress(l7({ l7proto: 'cassandra', l7: [{}] }, TCP('9042'))), V.V1_18, 'version-kafka-deprecated');
    expect(proto.map((d) => d.path)).toEqual(['spec.egress[0].toPorts[0].rules.l7proto']);
    expect(proto[0].fix).toMatch(/proxylib/);
  });
});
