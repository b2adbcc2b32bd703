// Agent refusals (`sanitize-…`) on real YAML, each at its file:line:column with the neighbouring valid form clean: the
// cases where `validate` and Cilium's `Rule.Validate`/`Sanitize` (pkg/policy/api/rule_validation.go) disagreed.
import { describe, expect, it } from 'vitest';
import { Endpoints, PolicySet, Queries } from '../../src/engine';
import { check, findings, yaml } from './helpers';

/** A host policy (CCNP on the worker nodes) with one `section` item from the cluster on `toPorts` (flow style). */
const host = (section: 'ingress' | 'egress', toPorts: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: nodes
  spec:
    nodeSelector:
      matchLabels:
        role: worker
    ${section}:
      - ${section === 'ingress' ? 'fromEntities' : 'toEntities'}: [cluster]
        toPorts: ${toPorts}
`;

/** `[file:line:column path, message]` of every finding with `id`. */
const found = (text: string, id: string, ciliumVersion: string): string[][] =>
  findings(check({ 'p.yaml': text }, { ciliumVersion }), id).map((d) => [`${d.file}:${d.line}:${d.column} ${d.path ?? ''}`, d.message]);

const errors = (text: string, ciliumVersion: string): string[] =>
  check({ 'p.yaml': text }, { ciliumVersion }).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.id} ${d.path ?? ''}`);

describe('sanitize-host-l7: l7proto rules in a host policy (countL7Rules counts the l7 entries, L7Rules.Len)', () => {
  const CASSANDRA = '[{ ports: [{ port: "9042", protocol: TCP }], rules: { l7proto: cassandra, l7: [{ op: query }] } }]';
  const L4 = '[{ ports: [{ port: "9042", protocol: TCP }] }]';

  it.each(['1.16', '1.17', '1.19'])('host ingress refuses them at %s ("L7 policy is not supported on host ingress yet")', (v) => {
    expect(found(host('ingress', CASSANDRA), 'sanitize-host-l7', v)).toEqual([[
      'p.yaml:11:94 spec.ingress[0].toPorts[0].rules.l7',
      'l7 rules (l7proto "cassandra") are not supported in host policies (ingress); the agent refuses the policy',
    ]]);
  });

  it('host egress refuses them before 1.17 ("host policies do not support L7 rules yet")', () => {
    expect(found(host('egress', CASSANDRA), 'sanitize-host-l7', '1.16')).toEqual([[
      'p.yaml:11:94 spec.egress[0].toPorts[0].rules.l7',
      'l7 rules (l7proto "cassandra") in a host policy need Cilium 1.17 or newer (target is 1.16); older agents refuse them',
    ]]);
  });

  it('host egress takes them from 1.17 (only HTTP and Kafka are refused there)', () => {
    expect(found(host('egress', CASSANDRA), 'sanitize-host-l7', '1.17')).toEqual([]);
    expect(found(host('egress', CASSANDRA), 'sanitize-host-l7', '1.19')).toEqual([]);
  });

  it('the same host rule at L4 is clean', () => {
    expect(errors(host('ingress', L4), '1.19')).toEqual([]);
    expect(errors(host('egress', L4), '1.16')).toEqual([]);
  });
});

describe('sanitize-portless-protocol-port: VRRP/IGMP with a port', () => {
  const vrrp = (port: string): string => host('ingress', `[{ ports: [{ port: "${port}", protocol: VRRP }] }]`);

  it('a number other than 0: the agent refuses it ("port must be empty or 0")', () => {
    expect(found(vrrp('112'), 'sanitize-portless-protocol-port', '1.19')).toEqual([[
      'p.yaml:11:35 spec.ingress[0].toPorts[0].ports[0].port',
      'protocol VRRP has no ports, but port is "112"; the agent refuses it',
    ]]);
  });

  it('a name: the agent takes it (iana.IsSvcName comes first), but it never resolves, so the message does not claim a refusal', () => {
    expect(found(vrrp('vrrp'), 'sanitize-portless-protocol-port', '1.19')).toEqual([[
      'p.yaml:11:35 spec.ingress[0].toPorts[0].ports[0].port',
      'protocol VRRP has no ports, but port is the named port "vrrp", which never resolves (container ports are TCP, UDP or SCTP): the entry matches nothing',
    ]]);
  });

  it('port "0" is clean', () => {
    expect(found(vrrp('0'), 'sanitize-portless-protocol-port', '1.19')).toEqual([]);
    expect(errors(vrrp('0'), '1.19')).toEqual([]);
  });
});

describe('sanitize-l7-protocol and sanitize-l7-port-zero: an l7proto without l7 rules is no L7 rule to the agent (L7Rules.IsEmpty)', () => {
  /** A CNP of shop/web with one ingress item from the cluster on `toPorts` (flow style). */
  const cnp = (toPorts: string): string => yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: web
      namespace: shop
    spec:
      endpointSelector:
        matchLabels:
          app: web
      ingress:
        - fromEntities: [cluster]
          toPorts: ${toPorts}
  `;

  it('l7proto alone on UDP or port 0: the agent takes it (its checks read the rule lists only)', () => {
    expect(errors(cnp('[{ ports: [{ port: "9042", protocol: UDP }], rules: { l7proto: cassandra } }]'), '1.17')).toEqual([]);
    expect(errors(cnp('[{ ports: [{ port: "0", protocol: TCP }], rules: { l7proto: cassandra } }]'), '1.17')).toEqual([]);
  });

  it('with l7 rules it is refused: "L7 rules can only apply to TCP", "L7 rules can not be used when a port is 0"', () => {
    expect(found(cnp('[{ ports: [{ port: "9042", protocol: UDP }], rules: { l7proto: cassandra, l7: [{ op: query }] } }]'), 'sanitize-l7-protocol', '1.17'))
      .toEqual([['p.yaml:12:53 spec.ingress[0].toPorts[0].ports[0].protocol', 'l7proto rules need protocol TCP, but port "9042" has protocol "UDP"']]);
    expect(errors(cnp('[{ ports: [{ port: "0", protocol: TCP }], rules: { l7proto: cassandra, l7: [{ op: query }] } }]'), '1.17'))
      .toEqual(['sanitize-l7-port-zero spec.ingress[0].toPorts[0].ports[0].port']);
  });
});

describe('pitfall-port-rule-without-ports: a toPorts entry that lists no ports (the agent makes one filter per listed port)', () => {
  const ID = 'pitfall-port-rule-without-ports';
  const web = (section: 'ingress' | 'ingressDeny', toPorts: string): string => yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: web
      namespace: shop
    spec:
      endpointSelector:
        matchLabels:
          app: web
      ${section}:
        - fromEntities: [world]
          toPorts: ${toPorts}
  `;

  it('HTTP rules without ports: allowed nothing, and the item is not every port (the engine denies GET on 80 too)', () => {
    expect(found(web('ingress', '[{ rules: { http: [{ method: GET }] } }]'), ID, '1.19')).toEqual([[
      'p.yaml:12:17 spec.ingress[0].toPorts[0]',
      'this toPorts entry lists no ports: Cilium makes one filter per listed port, so it allows nothing (its L7 rules and server names never apply), '
      + 'and the item is not every port either (only an item without toPorts is)',
    ]]);
    const set = PolicySet.fromYaml(web('ingress', '[{ rules: { http: [{ method: GET }] } }]'), { file: 'p.yaml' });
    const query = { from: Endpoints.parse('cidr:8.8.8.8'), to: Endpoints.parse('pod:shop:app=web'), protocol: 'TCP' as const, port: 80 };
    expect(set.verdict({ ...query, http: Queries.parseHttpRequest('GET /') }).verdict).toBe('denied');
  });

  it('an empty ports list in a deny, beside a port rule with ports: it denies nothing', () => {
    expect(found(web('ingressDeny', '[{ ports: [] }, { ports: [{ port: "22", protocol: TCP }] }]'), ID, '1.16')).toEqual([[
      'p.yaml:12:17 spec.ingressDeny[0].toPorts[0]', 'this toPorts entry lists no ports: Cilium makes one filter per listed port, so it denies nothing',
    ]]);
  });

  it('listed ports, a 1.19 entry without port, or no toPorts at all: no finding; DNS rules without ports are the agent\'s refusal instead', () => {
    expect(found(web('ingress', '[{ ports: [{ port: "80", protocol: TCP }], rules: { http: [{ method: GET }] } }]'), ID, '1.19')).toEqual([]);
    expect(found(web('ingress', '[{ ports: [{ port: "0", protocol: TCP }] }]'), ID, '1.19')).toEqual([]);
    expect(found(web('ingress', '[]'), ID, '1.19')).toEqual([]);
  });
});

describe('pitfall-default-deny-without-rules: enableDefaultDeny true on a direction the rule has no rules for', () => {
  const ID = 'pitfall-default-deny-without-rules';
  const rule = (body: string): string => yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: web
      namespace: shop
    spec:
      endpointSelector:
        matchLabels:
          app: web
      ingress:
        - fromEntities: [cluster]
  ` + body;
  const paths = (text: string, v: string): string[] => findings(check({ 'p.yaml': text }, { ciliumVersion: v }), ID).map((d) => `${d.line} ${d.path}`);

  it('egress: true with no egress rules, or an empty egress list (len(r.Egress) == 0): reported; the engine keeps egress open', () => {
    expect(paths(rule('  enableDefaultDeny: { ingress: true, egress: true }\n'), '1.19')).toEqual(['12 spec.enableDefaultDeny.egress']);
    expect(paths(rule('  enableDefaultDeny: { egress: true }\n  egress: []\n'), '1.16')).toEqual(['12 spec.enableDefaultDeny.egress']);
    const set = PolicySet.fromYaml(rule('  enableDefaultDeny: { egress: true }\n'), { file: 'p.yaml' });
    expect(set.verdict({ from: Endpoints.parse('pod:shop:app=web'), to: Endpoints.parse('cidr:1.2.3.4'), protocol: 'TCP', port: 443 }).verdict).toBe('allowed');
  });

  it('egress rules (even only egressDeny), false, or the ingress direction that has rules: no finding', () => {
    expect(paths(rule('  enableDefaultDeny: { egress: true }\n  egressDeny: [{ toEntities: [world] }]\n'), '1.19')).toEqual([]);
    expect(paths(rule('  enableDefaultDeny: { ingress: true, egress: false }\n'), '1.19')).toEqual([]);
  });
});
