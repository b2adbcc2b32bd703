// The API server's NetworkPolicy validation (`validateNetworkPolicy`), field by field: every wrong type, bad selector,
// peer, ipBlock, port and policyTypes value gives its finding (id, path, message, fix); the same objects written right
// give none.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { ManifestInventory, Validator, validateNetworkPolicy } from '../../src/validate';

/** A NetworkPolicy shop/api with the given spec fields (podSelector app=api). */
function np(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'api', namespace: 'shop' }): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: { podSelector: { matchLabels: { app: 'api' } }, ...spec } };
}
const ingressPeer = (peer: unknown): Record<string, unknown> => np({ ingress: [{ from: [peer] }] });
const ingressPort = (port: unknown): Record<string, unknown> => np({ ingress: [{ ports: [port] }] });
const found = (obj: unknown): string[] => validateNetworkPolicy(obj).map((d) => `${d.id} ${d.path}: ${d.message} | ${d.fix}`);

const KEY_FIX = 'write an optional DNS-subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and "." (app, app.kubernetes.io/name)';
const VALUE_FIX = 'write at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or an empty value)';
const SEL = 'spec.ingress[0].from[0].podSelector';

describe('findings', () => {
  test.each<[string, unknown, string[]]>([
    ['spec is not an object', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api' }, spec: 'x' },
      ['k8s-np-type spec: spec is the string "x", the API server wants an object | write spec as an object']],
    ['a namespace that is no DNS label', np({}, { name: 'api', namespace: 'Shop_1' }),
      ['k8s-np-metadata metadata.namespace: metadata.namespace "Shop_1" is not a DNS-1123 label | use lower-case letters, digits and "-" (at most 63 characters, starting and ending with a letter or digit)']],
    ['an ingress rule that is not an object', np({ ingress: ['x'] }),
      ['k8s-np-type spec.ingress[0]: spec.ingress[0] is the string "x", the API server wants an object | write spec.ingress[0] as an object']],
    ['a selector that is a list', ingressPeer({ podSelector: [] }),
      [`k8s-np-type ${SEL}: ${SEL} is a list, the API server wants a label selector object | write ${SEL} as a label selector object`]],
    ['matchLabels that is a list', ingressPeer({ podSelector: { matchLabels: ['a'] } }),
      [`k8s-np-type ${SEL}.matchLabels: ${SEL}.matchLabels is a list, the API server wants a map of strings | write ${SEL}.matchLabels as a map of strings`]],
    ['a bad label key, a number value and a bad value', ingressPeer({ podSelector: { matchLabels: { 'a b': 'x', n: 1, v: '-x' } } }), [
      `k8s-np-selector ${SEL}.matchLabels["a b"]: label key "a b" is not a qualified name | ${KEY_FIX}`,
      `k8s-np-type ${SEL}.matchLabels["n"]: ${SEL}.matchLabels["n"] is the number 1, the API server wants a string | write ${SEL}.matchLabels["n"] as a string`,
      `k8s-np-selector ${SEL}.matchLabels["v"]: label value "-x" is not a valid label value | ${VALUE_FIX}`,
    ]],
    ['a match expression that is not an object', ingressPeer({ podSelector: { matchExpressions: [null] } }),
      [`k8s-np-type ${SEL}.matchExpressions[0]: ${SEL}.matchExpressions[0] is null, the API server wants an object | write ${SEL}.matchExpressions[0] as an object`]],
    ['a key that is a number, values that are a string', ingressPeer({ podSelector: { matchExpressions: [{ key: 7, operator: 'In', values: 'a' }] } }), [
      `k8s-np-type ${SEL}.matchExpressions[0].key: ${SEL}.matchExpressions[0].key is the number 7, the API server wants a string | write ${SEL}.matchExpressions[0].key as a string`,
      `k8s-np-type ${SEL}.matchExpressions[0].values: ${SEL}.matchExpressions[0].values is the string "a", the API server wants a list of strings | write ${SEL}.matchExpressions[0].values as a list of strings`,
    ]],
    ['a bad key, a bad value under NotIn', ingressPeer({ podSelector: { matchExpressions: [{ key: '/x', operator: 'NotIn', values: ['ok', 'not ok'] }] } }), [
      `k8s-np-selector ${SEL}.matchExpressions[0].key: label key "/x" is not a qualified name | ${KEY_FIX}`,
      `k8s-np-selector ${SEL}.matchExpressions[0].values[1]: label value "not ok" is not a valid label value | ${VALUE_FIX}`,
    ]],
    ['Exists with values', ingressPeer({ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists', values: ['a'] }] } }),
      ['k8s-np-selector spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: operator Exists takes no values (got ["a"]) | remove values, or use operator In/NotIn']],
    ['no operator', ingressPeer({ podSelector: { matchExpressions: [{ key: 'team' }] } }),
      [`k8s-np-selector ${SEL}.matchExpressions[0].operator: null is not a label selector operator | use In, NotIn, Exists or DoesNotExist (case-sensitive)`]],
    ['a peer that is not an object', ingressPeer('web'),
      ['k8s-np-type spec.ingress[0].from[0]: spec.ingress[0].from[0] is the string "web", the API server wants an object | write spec.ingress[0].from[0] as an object']],
    ['ipBlock beside a selector', ingressPeer({ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }),
      ['k8s-np-peer spec.ingress[0].from[0]: the peer has ipBlock beside a selector (ipBlock must stand alone) | split it into two peers of the same rule: one with the selector(s), one with the ipBlock']],
    ['an ipBlock that is a string', ingressPeer({ ipBlock: '10.0.0.0/8' }),
      ['k8s-np-type spec.ingress[0].from[0].ipBlock: spec.ingress[0].from[0].ipBlock is the string "10.0.0.0/8", the API server wants an object | write spec.ingress[0].from[0].ipBlock as an object']],
    ['an ipBlock with an empty cidr (the API server: Required value)', ingressPeer({ ipBlock: { cidr: '' } }),
      ['k8s-np-ip-block spec.ingress[0].from[0].ipBlock.cidr: ipBlock has no cidr | write the block as cidr: 10.0.0.0/8 (or 0.0.0.0/0 with except)']],
    ['an ipBlock without cidr', ingressPeer({ ipBlock: { except: [] } }),
      ['k8s-np-ip-block spec.ingress[0].from[0].ipBlock.cidr: ipBlock has no cidr | write the block as cidr: 10.0.0.0/8 (or 0.0.0.0/0 with except)']],
    ['a cidr that is a number', ingressPeer({ ipBlock: { cidr: 10 } }),
      ['k8s-np-type spec.ingress[0].from[0].ipBlock.cidr: spec.ingress[0].from[0].ipBlock.cidr is the number 10, the API server wants a string | write spec.ingress[0].from[0].ipBlock.cidr as a string']],
    ['a cidr and excepts that are no CIDRs, an except that is a number', ingressPeer({ ipBlock: { cidr: '10.0.0.0', except: ['x', 5] } }), [
      'k8s-np-ip-block spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0" is not a CIDR | write an address and a prefix length: 10.0.0.0/8, 192.168.1.7/32, 2001:db8::/32',
      'k8s-np-ip-block spec.ingress[0].from[0].ipBlock.except[0]: "x" is not a CIDR | write an address and a prefix length: 10.1.0.0/16',
      'k8s-np-type spec.ingress[0].from[0].ipBlock.except[1]: spec.ingress[0].from[0].ipBlock.except[1] is the number 5, the API server wants a string | write spec.ingress[0].from[0].ipBlock.except[1] as a string',
    ]],
    ['an except equal to its cidr', ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }),
      ['k8s-np-ip-block spec.ingress[0].from[0].ipBlock.except[0]: except 10.0.0.0/8 is not strictly inside cidr 10.0.0.0/8 | write an except that is a smaller block inside 10.0.0.0/8, or drop it']],
    ['a port that is a list', ingressPort([80]),
      ['k8s-np-type spec.ingress[0].ports[0]: spec.ingress[0].ports[0] is a list, the API server wants an object | write spec.ingress[0].ports[0] as an object']],
    ['a protocol that is a number', ingressPort({ port: 80, protocol: 6 }),
      ['k8s-np-type spec.ingress[0].ports[0].protocol: spec.ingress[0].ports[0].protocol is the number 6, the API server wants a string | write spec.ingress[0].ports[0].protocol as a string']],
    ['a protocol in lower case', ingressPort({ port: 80, protocol: 'tcp' }),
      ['k8s-np-protocol spec.ingress[0].ports[0].protocol: protocol "tcp" is not supported (TCP, UDP or SCTP) | write protocol: TCP (values are case-sensitive)']],
    ['ICMP', ingressPort({ protocol: 'ICMP' }),
      ['k8s-np-protocol spec.ingress[0].ports[0].protocol: protocol "ICMP" is not supported (TCP, UDP or SCTP) | write protocol: TCP, UDP or SCTP']],
    ['an endPort that is a string', ingressPort({ port: 80, endPort: '90' }),
      ['k8s-np-type spec.ingress[0].ports[0].endPort: spec.ingress[0].ports[0].endPort is the string "90", the API server wants an integer | write spec.ingress[0].ports[0].endPort as an integer']],
    ['an endPort without port', ingressPort({ endPort: 90 }),
      ['k8s-np-end-port spec.ingress[0].ports[0].endPort: endPort without port | write the first port of the range as port, or remove endPort']],
    ['a fractional port', ingressPort({ port: 80.5 }),
      ['k8s-np-type spec.ingress[0].ports[0].port: spec.ingress[0].ports[0].port is the number 80.5, the API server wants an integer or a port name | write spec.ingress[0].ports[0].port as an integer or a port name']],
    ['port 0', ingressPort({ port: 0 }),
      ['k8s-np-port spec.ingress[0].ports[0].port: port 0 is not between 1 and 65535 | to allow every port, leave out port (and endPort)']],
    ['port 70000', ingressPort({ port: 70000 }),
      ['k8s-np-port spec.ingress[0].ports[0].port: port 70000 is not between 1 and 65535 | write a port between 1 and 65535']],
    ['an endPort below port', ingressPort({ port: 80, endPort: 79 }),
      ['k8s-np-end-port spec.ingress[0].ports[0].endPort: endPort 79 is below port 80 | write an endPort of at least 80']],
    ['an endPort above 65535', ingressPort({ port: 80, endPort: 65536 }),
      ['k8s-np-end-port spec.ingress[0].ports[0].endPort: endPort 65536 is above 65535 | write an endPort of at most 65535']],
    ['a port that is a boolean', ingressPort({ port: true }),
      ['k8s-np-type spec.ingress[0].ports[0].port: spec.ingress[0].ports[0].port is the boolean true, the API server wants an integer or a port name | write spec.ingress[0].ports[0].port as an integer or a port name']],
    ['a quoted number', ingressPort({ port: '8080' }),
      ['k8s-np-port spec.ingress[0].ports[0].port: port "8080" is a string: the API server reads it as a port name, and a name needs a letter | write the number without quotes: port: 8080']],
    ['a port name in upper case, with an endPort', ingressPort({ port: 'HTTP', endPort: 90 }), [
      'k8s-np-port spec.ingress[0].ports[0].port: "HTTP" is not a valid port name | a port name has 1-15 lower-case letters, digits and single inner hyphens, with at least one letter (the container port\'s name)',
      'k8s-np-end-port spec.ingress[0].ports[0].endPort: endPort with the named port "HTTP" (a range needs a numeric port) | write the first port of the range as a number, or remove endPort',
    ]],
    ['policyTypes that is a string', np({ policyTypes: 'Ingress' }),
      ['k8s-np-type spec.policyTypes: spec.policyTypes is the string "Ingress", the API server wants a list | write spec.policyTypes as a list']],
    ['three policy types, one in lower case, one unknown', np({ policyTypes: ['Ingress', 'egress', 'Both'] }), [
      'k8s-np-policy-types spec.policyTypes: policyTypes has 3 entries (at most two: Ingress and Egress) | list each of Ingress and Egress at most once',
      'k8s-np-policy-types spec.policyTypes[1]: "egress" is not a policy type | write Egress (values are case-sensitive)',
      'k8s-np-policy-types spec.policyTypes[2]: "Both" is not a policy type | write Ingress or Egress',
    ]],
    ['a policy type that is a number', np({ policyTypes: [1] }),
      ['k8s-np-policy-types spec.policyTypes[0]: 1 is not a policy type | write Ingress or Egress']],
    ['a port that is null beside an endPort', ingressPort({ port: null, endPort: 90 }),
      ['k8s-np-end-port spec.ingress[0].ports[0].endPort: endPort without port | write the first port of the range as port, or remove endPort']],
    ['an invalid name ending in digits', ingressPort({ port: 'a--80' }),
      ['k8s-np-port spec.ingress[0].ports[0].port: "a--80" is not a valid port name | a port name has 1-15 lower-case letters, digits and single inner hyphens, with at least one letter (the container port\'s name)']],
    ['an invalid name starting with digits', ingressPort({ port: '80--a' }),
      ['k8s-np-port spec.ingress[0].ports[0].port: "80--a" is not a valid port name | a port name has 1-15 lower-case letters, digits and single inner hyphens, with at least one letter (the container port\'s name)']],
    // Found by mutation testing (docs/testing.md "Validate rules, third round"): upper case at either end of a port name, a list of
    // values with a non-string, a null cidr (Required to the API server, not a type error).
    ['a port name with an upper-case first letter', ingressPort({ port: 'Http' }),
      ['k8s-np-port spec.ingress[0].ports[0].port: "Http" is not a valid port name | a port name has 1-15 lower-case letters, digits and single inner hyphens, with at least one letter (the container port\'s name)']],
    ['a port name with an upper-case last letter', ingressPort({ port: 'httP' }),
      ['k8s-np-port spec.ingress[0].ports[0].port: "httP" is not a valid port name | a port name has 1-15 lower-case letters, digits and single inner hyphens, with at least one letter (the container port\'s name)']],
    ['values with a number among strings', ingressPeer({ podSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 7] }] } }),
      [`k8s-np-type ${SEL}.matchExpressions[0].values: ${SEL}.matchExpressions[0].values is a list, the API server wants a list of strings | write ${SEL}.matchExpressions[0].values as a list of strings`]],
    ['a null cidr', ingressPeer({ ipBlock: { cidr: null } }),
      ['k8s-np-ip-block spec.ingress[0].from[0].ipBlock.cidr: ipBlock has no cidr | write the block as cidr: 10.0.0.0/8 (or 0.0.0.0/0 with except)']],
  ])('%s', (_what, obj, expected) => {
    expect(found(obj)).toEqual(expected);
  });
});

describe('the same fields written right', () => {
  test.each<[string, unknown]>([
    ['selectors with keys, values and every operator', ingressPeer({ podSelector: {
      matchLabels: { 'app.kubernetes.io/name': 'web', empty: '' },
      matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }, { key: 'b', operator: 'NotIn', values: ['y'] }, { key: 'c', operator: 'Exists' },
        { key: 'd', operator: 'DoesNotExist', values: [] }],
    } })],
    ['an ipBlock with an except inside', ingressPeer({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } })],
    ['a range, a named port, SCTP', np({ egress: [{ ports: [{ port: 80, endPort: 90 }, { port: 'http' }, { port: 9, protocol: 'SCTP' }], to: [{ namespaceSelector: {} }] }] })],
    ['both policy types', np({ policyTypes: ['Ingress', 'Egress'] })],
    ['the first and the last port, a range of one port, a range to 65535', np({ ingress: [{ ports: [{ port: 1 }, { port: 65535 }, { port: 80, endPort: 80 }, { port: 1024, endPort: 65535 }] }] })],
    ['null protocol, endPort and policyTypes (absent to the API server)', np({ ingress: [{ ports: [{ port: 80, protocol: null, endPort: null }] }], policyTypes: null })],
    // null is absent to the API server (a nil pointer, a nil slice, a zero struct), never a wrong type; a name that is not a
    // string (or none: generateName) and an empty namespace (the request's) are not the name checks' to report.
    ['null everywhere a field may be absent', {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: null, matchExpressions: [{ key: 'team', operator: 'Exists', values: null }] },
        ingress: [{ from: null, ports: null }, { from: [{ podSelector: null, ipBlock: { cidr: '10.0.0.0/8', except: null } }] }],
        egress: [{ to: [{ namespaceSelector: { matchExpressions: null }, podSelector: null }] }],
      },
    }],
    ['a null podSelector, and none', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api' }, spec: { podSelector: null, ingress: null, egress: null } }],
    ['no podSelector', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api' }, spec: { policyTypes: ['Ingress'] } }],
    ['a null spec', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api' }, spec: null }],
    ['no name (generateName), an empty namespace', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { generateName: 'api-', namespace: '' }, spec: { podSelector: {} } }],
    ['a name that is not a string', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: ['API'] }, spec: { podSelector: {} } }],
    ['no spec', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api' } }],
    ['not an object', 'NetworkPolicy'],
  ])('%s', (_what, obj) => {
    expect(found(obj)).toEqual([]);
  });
});

// pitfall-np-peer-selects-reserved, from parseNetworkPolicyPeer (pkg/k8s/network_policy.go): only an EMPTY
// namespaceSelector gets k8s:io.kubernetes.pod.namespace Exists; one that only excludes, alone or with a podSelector
// that only excludes, also takes the reserved identities, unless the cluster filter (on by default from 1.19) is added.
describe('pitfall-np-peer-selects-reserved', () => {
  const EXCLUDING = { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] };
  const findings = (peer: Record<string, unknown>, version: CiliumVersion, direction: 'ingress' | 'egress' = 'ingress'): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np({ [direction]: [{ [direction === 'ingress' ? 'from' : 'to']: [{ podSelector: { matchLabels: { app: 'x' } } }, peer] }] }));
    return Validator.checkPitfalls([], inventory, { ciliumVersion: version })
      .filter((f) => f.id === 'pitfall-np-peer-selects-reserved').map((f) => `${f.path}: ${f.message}`);
  };

  test.each<[string, Record<string, unknown>, CiliumVersion, string[]]>([
    ['a namespaceSelector of only NotIn, on 1.18', { namespaceSelector: EXCLUDING }, CiliumVersion.V1_18,
      ['spec.ingress[0].from[1].namespaceSelector: this namespaceSelector only excludes (NotIn/DoesNotExist), and Cilium gives a namespace requirement only '
        + 'to an empty one: besides the pods of the namespaces it selects, it selects the reserved identities world, host, remote-node, health, kube-apiserver '
        + '(every address outside the cluster) on Cilium 1.18 (from 1.19, policy-default-local-cluster keeps them out)']],
    ['the same on 1.19: the cluster filter keeps them out', { namespaceSelector: EXCLUDING }, CiliumVersion.V1_19, []],
    ['with a podSelector that only excludes', { namespaceSelector: EXCLUDING, podSelector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } },
      CiliumVersion.V1_16, [expect.stringMatching(/^spec\.ingress\[0\]\.from\[1\]\.namespaceSelector: /) as unknown as string]],
    ['with a podSelector that names a label', { namespaceSelector: EXCLUDING, podSelector: { matchLabels: { app: 'web' } } }, CiliumVersion.V1_16, []],
    ['an empty namespaceSelector (namespace Exists)', { namespaceSelector: {} }, CiliumVersion.V1_16, []],
    ['a namespaceSelector that also requires kubernetes.io/metadata.name', {
      namespaceSelector: { matchExpressions: [...EXCLUDING.matchExpressions, { key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }, CiliumVersion.V1_16, []],
    ['a podSelector alone that only excludes (the policy namespace is added)', { podSelector: EXCLUDING }, CiliumVersion.V1_16, []],
  ])('%s', (_name, peer, version, expected) => {
    expect(findings(peer, version)).toEqual(expected);
  });

  test('egress peers too', () => {
    expect(findings({ namespaceSelector: EXCLUDING }, CiliumVersion.V1_17, 'egress')).toEqual([expect.stringMatching(/^spec\.egress\[0\]\.to\[1\]\.namespaceSelector: /)]);
  });
});

// pitfall-np-ip-block-selects-namespace, from parseNetworkPolicyPeer (pkg/k8s/network_policy.go, 1.19.0-1.19.4): with the
// cluster filter on, a peer without selectors still gets a pod selector (local cluster + policy namespace), and the
// ingress loop asks for one on ipBlock peers too (the egress loop only for peers with a selector). Fixed in 1.19.5
// (cilium/cilium#46305).
describe('pitfall-np-ip-block-selects-namespace', () => {
  const findings = (spec: Record<string, unknown>, version: CiliumVersion): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np(spec));
    return Validator.checkPitfalls([], inventory, { ciliumVersion: version })
      .filter((f) => f.id === 'pitfall-np-ip-block-selects-namespace').map((f) => `${f.path}: ${f.message}`);
  };
  const BLOCK = { ipBlock: { cidr: '203.0.113.0/24' } };

  test.each<[string, Record<string, unknown>, CiliumVersion, string[]]>([
    ['an ingress ipBlock peer on 1.19, beside a podSelector peer', { ingress: [{ from: [{ podSelector: {} }, BLOCK], ports: [{ port: 80 }] }] }, CiliumVersion.V1_19, [
      'spec.ingress[0].from[1].ipBlock: this ingress peer is only an ipBlock, yet on Cilium 1.19.0-1.19.4 with policy-default-local-cluster (on by default) '
        + 'the agent translates a NetworkPolicy ingress peer of only an ipBlock with a pod selector too (pkg/k8s/network_policy.go parseNetworkPolicyPeer, '
        + 'cilium/cilium#46305), so the rule also allows every pod of namespace shop in the local cluster; from 1.19.5 the peer is the ipBlock only. '
        + '`trace` judges 1.19.0-1.19.4 as the agent translates it, and on a target that names no patch does not judge the connections from pods of the '
        + 'namespace that the patch decides',
    ]],
    ['the same on 1.18 (no cluster filter by default)', { ingress: [{ from: [BLOCK] }] }, CiliumVersion.V1_18, []],
    ['the same on 1.19.5 (fixed)', { ingress: [{ from: [BLOCK] }] }, CiliumVersion.parse('1.19.5'), []],
    ['an egress ipBlock peer (the egress loop asks only peers with a selector)', { policyTypes: ['Egress'], egress: [{ to: [BLOCK] }] }, CiliumVersion.V1_19, []],
    ['ingress rules without ipBlock', { ingress: [{ from: [{ namespaceSelector: {} }] }, { ports: [{ port: 80 }] }] }, CiliumVersion.V1_19, []],
  ])('%s', (_name, spec, version, expected) => {
    expect(findings(spec, version)).toEqual(expected);
  });
});

// pitfall-np-agent-refuses, from ParseNetworkPolicy (pkg/k8s/network_policy.go, 1.14-1.18): the translated rule goes
// through rule.Sanitize(), whose CIDRRule.sanitize parses cidr and except strictly (netip.ParsePrefix), while the API
// server's ValidateIPBlock reads them leniently (ParseCIDRSloppy: leading zeros). An error refuses the whole policy.
describe('pitfall-np-agent-refuses', () => {
  const findings = (spec: Record<string, unknown>, version: CiliumVersion): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np(spec));
    return Validator.checkPitfalls([], inventory, { ciliumVersion: version })
      .filter((f) => f.id === 'pitfall-np-agent-refuses').map((f) => `${f.path}: ${f.message}`);
  };
  const egressTo = (ipBlock: Record<string, unknown>): Record<string, unknown> => ({ policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }, { ipBlock }] }] });

  test.each<[string, Record<string, unknown>, CiliumVersion, string[]]>([
    ['a cidr with a leading zero, on 1.18', egressTo({ cidr: '010.0.0.0/8' }), CiliumVersion.V1_18, [
      'spec.egress[0].to[1].ipBlock.cidr: the API server accepts "010.0.0.0/8" (it reads CIDRs leniently), but the agent of Cilium 1.18 cannot parse it '
        + '(rule.Sanitize in ParseNetworkPolicy), so it refuses this whole NetworkPolicy: none of its rules is enforced, and the pods it selects are not isolated by it',
    ]],
    ['an except with a leading zero, ingress, on 1.14', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['010.1.0.0/16'] } }] }] },
      CiliumVersion.V1_14, [expect.stringMatching(/^spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: the API server accepts "010\.1\.0\.0\/16" /) as unknown as string]],
    ['a host-bits cidr the agent reads (10.1.2.3/8)', egressTo({ cidr: '10.1.2.3/8' }), CiliumVersion.V1_18, []],
    ['the leading zero on 1.19 (no Sanitize in ParseNetworkPolicy)', egressTo({ cidr: '010.0.0.0/8' }), CiliumVersion.V1_19, []],
    ['a CIDR the API server refuses (k8s-np-ip-block, not stored)', egressTo({ cidr: '10.0.0.1' }), CiliumVersion.V1_18, []],
  ])('%s', (_name, spec, version, expected) => {
    expect(findings(spec, version)).toEqual(expected);
  });
});

// pitfall-host-network-pods on NetworkPolicies: Cilium creates no endpoint for a hostNetwork pod (its podSelector does not
// apply to it), and such a pod's traffic carries the node's identity (host, remote-node), which no pod selector matches.
describe('pitfall-host-network-pods on a NetworkPolicy', () => {
  const deployment = (name: string, labels: Record<string, string>, hostNetwork: boolean): Record<string, unknown> => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { hostNetwork, containers: [{ name: 'c', image: 'x' }] } } },
  });
  const findings = (spec: Record<string, unknown>, apiOnHost: boolean, webOnHost: boolean): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np(spec));
    inventory.add(deployment('api', { app: 'api' }, apiOnHost));
    inventory.add(deployment('web', { app: 'web' }, webOnHost));
    return Validator.checkPitfalls([], inventory, {}).filter((f) => f.id === 'pitfall-host-network-pods').map((f) => `${f.path}: ${f.message}`);
  };
  const FROM_WEB = { ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: {} }] }] };

  test('a podSelector selecting hostNetwork pods does not apply to them', () => {
    expect(findings(FROM_WEB, true, false)).toEqual(['spec.podSelector: podSelector selects pods on the host network (Deployment shop/api): Cilium does not '
      + 'manage hostNetwork pods as endpoints, so this NetworkPolicy does not apply to them']);
  });

  test('a peer naming hostNetwork pods never matches their traffic; a namespaceSelector alone is not reported', () => {
    expect(findings(FROM_WEB, false, true)).toEqual(['spec.ingress[0].from[0].podSelector: this peer selects pods on the host network (Deployment shop/web): '
      + 'their traffic carries the node\'s identity (host on the same node, remote-node from other nodes), which a pod selector never matches']);
    expect(findings({ policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }] }] }, false, true))
      .toEqual([expect.stringMatching(/^spec\.egress\[0\]\.to\[0\]\.podSelector: this peer selects pods on the host network/)]);
  });

  test('no hostNetwork pods, or a rule without peers: nothing', () => {
    expect(findings(FROM_WEB, false, false)).toEqual([]);
    expect(findings({ ingress: [{ ports: [{ port: 80 }] }] }, false, true)).toEqual([]);
  });
});

// pitfall-np-end-port-ignored, from parsePorts (pkg/k8s/network_policy.go): 1.14 has no EndPort (the first port only),
// 1.15 refuses any endPort (ErrEndPortUnsupported, cilium/cilium#28704: pitfall-np-agent-refuses), 1.16 translates it;
// the API server keeps a NetworkPolicy's endPort whatever the Cilium version (no CRD prunes it).
describe('NetworkPolicy endPort per version: pitfall-np-end-port-ignored (1.14), pitfall-np-agent-refuses (1.15)', () => {
  const findings = (spec: Record<string, unknown>, version: CiliumVersion): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np(spec));
    return Validator.checkPitfalls([], inventory, { ciliumVersion: version })
      .filter((f) => f.id === 'pitfall-np-end-port-ignored' || f.id === 'pitfall-np-agent-refuses').map((f) => `${f.id} ${f.path}: ${f.message}`);
  };
  const RANGE = { ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }], ports: [{ port: 80 }, { port: 5000, endPort: 5010 }] }] };

  test.each<[string, Record<string, unknown>, CiliumVersion, string[]]>([
    ['a range on 1.14: once per port, not per peer', RANGE, CiliumVersion.V1_14, [
      'pitfall-np-end-port-ignored spec.ingress[0].ports[1].endPort: endPort 5010: Cilium 1.14 translates no NetworkPolicy endPort (its parsePorts has none; '
        + '1.15 refuses it, 1.16 translates it), so this rule allows port 5000 only, not 5000-5010',
    ]],
    ['a range on 1.15: the whole NetworkPolicy is refused, once per port', RANGE, CiliumVersion.V1_15, [
      'pitfall-np-agent-refuses spec.ingress[0].ports[1].endPort: endPort 5010: the agent of Cilium 1.15 supports no NetworkPolicy endPort (parsePorts returns '
        + 'ErrEndPortUnsupported, cilium/cilium#28704), so it refuses this whole NetworkPolicy: none of its rules is enforced, and the pods it selects are '
        + 'not isolated by it',
    ]],
    ['a range on 1.16', RANGE, CiliumVersion.V1_16, []],
    ['an egress range without peers on 1.14', { policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 30000, endPort: 32767 }] }] }, CiliumVersion.V1_14,
      [expect.stringMatching(/^pitfall-np-end-port-ignored spec\.egress\[0\]\.ports\[0\]\.endPort: endPort 32767: Cilium 1\.14 /) as unknown as string]],
    ['an egress range without peers on 1.15', { policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 30000, endPort: 32767 }] }] }, CiliumVersion.V1_15,
      [expect.stringMatching(/^pitfall-np-agent-refuses spec\.egress\[0\]\.ports\[0\]\.endPort: endPort 32767: the agent of Cilium 1\.15 /) as unknown as string]],
    ['endPort equal to port on 1.14: one port either way', { ingress: [{ ports: [{ port: 80, endPort: 80 }] }] }, CiliumVersion.V1_14, []],
    ['endPort equal to port on 1.15: refused all the same (port.EndPort != nil)', { ingress: [{ ports: [{ port: 80, endPort: 80 }] }] }, CiliumVersion.V1_15,
      [expect.stringMatching(/^pitfall-np-agent-refuses spec\.ingress\[0\]\.ports\[0\]\.endPort: endPort 80: /) as unknown as string]],
  ])('%s', (_name, spec, version, expected) => {
    expect(findings(spec, version)).toEqual(expected);
  });
});

// A NetworkPolicy the agent refuses whole enforces nothing: no other pitfall judges it as enforced (review: a 1.15
// egress policy with an endPort got pitfall-np-agent-refuses, "none of its rules is enforced", beside
// pitfall-default-deny-without-dns, "puts every pod into egress default deny").
describe('a NetworkPolicy the agent refuses is not judged as enforced by the other pitfalls', () => {
  const EGRESS_RANGE = { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 5000, endPort: 5010 }] }] };
  const ids = (version: CiliumVersion): string[] => {
    const inventory = new ManifestInventory();
    inventory.add(np(EGRESS_RANGE));
    return [...new Set(Validator.checkPitfalls([], inventory, { ciliumVersion: version }).map((f) => f.id))].sort();
  };

  test('1.15 refuses it: only the refusal', () => {
    expect(ids(CiliumVersion.V1_15)).toEqual(['pitfall-np-agent-refuses']);
  });

  test('1.16 enforces it: egress default deny without DNS', () => {
    expect(ids(CiliumVersion.V1_16)).toContain('pitfall-default-deny-without-dns');
  });
});
