// What decides one side of a connection (src/engine/evaluate.ts), in Cilium's order: a deny item, allow items (then
// their L7 rules), allow-localhost, reserved:init, no rules (default allow), only enableDefaultDeny false, default deny.
// Each test asserts the verdict, the decision and the deciding rule (or the reason where it is the contract), and that
// `decide()` (the same judgement without the explanation) gives the same verdict, and the naive evaluator the same explained one.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { IpFamilies, PolicySet, Verdict } from '../../src/engine';
import { PeerView } from '../../src/engine/identity';
import { itemSelectsPeer } from '../../src/engine/peer-selection';
import { LabelSet } from '../../src/model/labels';
import { ccnp, cnp, judged, labels, policySet } from './helpers';

const API = 'pod:default:app=api';
const WEB = 'pod:default:app=web';

/** The path of the rule item that decided a side, or `undefined`. */
function decidedBy(v: Verdict['ingress']): string | undefined {
  return v.rule?.path;
}

describe('deny items come first, and the first matching one decides', () => {
  const set = policySet([cnp('p', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEntities: ['all'] }],
    ingressDeny: [
      { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] },
      { fromEndpoints: [labels({ app: 'cli' })] },
      { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '81', protocol: 'TCP' }] }] },
    ],
  })]);

  test.each([
    // from, port, deciding deny item (items on another port or of another peer are passed over)
    [WEB, 81, 'spec.ingressDeny[0]'],
    ['pod:default:app=cli', 80, 'spec.ingressDeny[1]'],
    ['pod:default:app=cli', 9999, 'spec.ingressDeny[1]'],
    [WEB, 80, 'spec.ingressDeny[2]'],
    ['pod:default:app=db', 80, 'spec.ingressDeny[3]'],
    ['pod:default:app=db', 81, 'spec.ingressDeny[3]'],
  ])('%s → api %s is denied by %s', (from, port, path) => {
    const v = judged(set, from, API, port);
    expect(v.verdict).toBe('denied');
    expect(v.ingress.decision).toBe('denied-by-deny-rule');
    expect(v.ingress.allowed).toBe(false);
    expect(decidedBy(v.ingress)).toBe(path);
    expect(v.ingress.reason).toBe(`denied by deny rule CiliumNetworkPolicy default/p ${path}: deny rules win over any allow`);
  });

  test('a peer or port no deny item covers is left to the allow items', () => {
    for (const [from, port] of [[WEB, 82], ['pod:default:app=db', 82], ['cidr:203.0.113.7', 80]] as const) {
      const v = judged(set, from, API, port);
      expect(v.ingress.decision).toBe('allowed');
      expect(decidedBy(v.ingress)).toBe('spec.ingress[0]');
    }
  });

  test('a deny in another policy wins over an allow of its own policy, whatever the order of the policies', () => {
    const allow = cnp('allow', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] });
    const deny = ccnp('deny', { endpointSelector: labels({ app: 'api' }), ingressDeny: [{ fromEndpoints: [labels({ app: 'web' })] }] });
    for (const docs of [[allow, deny], [deny, allow]]) {
      const v = judged(policySet(docs), WEB, API, 80);
      expect(v.ingress.decision).toBe('denied-by-deny-rule');
      expect(v.ingress.rule?.name).toBe('deny');
    }
  });

  test('fromRequires of a deny section restrict its deny items only (before 1.19); those of an allow section do not restrict deny items', () => {
    const docs = [
      cnp('deny', {
        endpointSelector: labels({ app: 'api' }),
        ingressDeny: [{ fromEndpoints: [labels({ app: 'web' })], fromRequires: [labels({ env: 'prod' })] }],
        ingress: [{ fromEndpoints: [labels({ app: 'web' })] }],
      }),
    ];
    const set = policySet(docs, { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, 'pod:default:app=web,env=prod', API, 80).ingress.decision).toBe('denied-by-deny-rule');
    const dev = judged(set, 'pod:default:app=web,env=dev', API, 80);
    expect(dev.ingress.decision).toBe('allowed');
    expect(decidedBy(dev.ingress)).toBe('spec.ingress[0]');
    const allowRequires = policySet([
      cnp('deny', { endpointSelector: labels({ app: 'api' }), ingressDeny: [{ fromEndpoints: [labels({ app: 'web' })] }] }),
      cnp('req', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromRequires: [labels({ env: 'prod' })] }] }),
    ], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(allowRequires, 'pod:default:app=web,env=dev', API, 80).ingress.decision).toBe('denied-by-deny-rule');
  });
});

describe('allow items: the first matching one in rule order decides', () => {
  const set = policySet([
    cnp('a', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [
        { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] },
        { fromEndpoints: [labels({ app: 'cli' })] },
        { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      ],
    }),
    cnp('b', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEntities: ['cluster'] }] }),
  ]);

  test.each([
    [WEB, 81, 'a', 'spec.ingress[0]'],
    [WEB, 80, 'a', 'spec.ingress[2]'],
    ['pod:default:app=cli', 80, 'a', 'spec.ingress[1]'],
    [WEB, 82, 'b', 'spec.ingress[0]'],
  ])('%s → api %s: allowed by %s %s', (from, port, name, path) => {
    const v = judged(set, from, API, port);
    expect(v.ingress).toMatchObject({ decision: 'allowed', allowed: true, rule: { name, path } });
    expect(v.ingress.reason).toBe(`allowed by CiliumNetworkPolicy default/${name} ${path}`);
  });

  test('a peer no item selects falls to default deny', () => {
    const v = judged(set, 'cidr:203.0.113.7', API, 80);
    expect(v.ingress.decision).toBe('default-deny');
    expect(v.ingress.rule).toBeUndefined();
  });
});

describe('without a matching item: allow-localhost, reserved:init, default allow, enableDefaultDeny false, default deny', () => {
  const denyAll = cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{}], egress: [{}] });

  test('allow-localhost: ingress from the local host to a pod only; not egress to it, not with allowLocalhost off', () => {
    const set = policySet([denyAll]);
    const inbound = judged(set, 'entity:host', API, 80);
    expect(inbound.ingress).toMatchObject({ decision: 'allow-localhost', allowed: true });
    expect(inbound.ingress.reason).toMatch(/^allowed: traffic from the local host to its endpoints is always allowed/);
    const outbound = judged(set, API, 'entity:host', 80);
    expect(outbound.egress.decision).toBe('default-deny');
    expect(outbound.verdict).toBe('denied');
    const off = policySet([denyAll], { allowLocalhost: false });
    const policy = judged(off, 'entity:host', API, 80);
    expect(policy.ingress.decision).toBe('default-deny');
    expect(policy.verdict).toBe('denied');
    expect(judged(off, 'entity:remote-node', API, 80).ingress.decision).toBe('default-deny');
  });

  test('allow-localhost does not apply to host policies (the node is the subject)', () => {
    const host = ccnp('host', { nodeSelector: labels({ role: 'worker' }), ingress: [{}] });
    const set = policySet([host], { hostFirewall: true });
    const v = judged(set, 'entity:host', 'node:role=worker', 80);
    expect(v.ingress.decision).not.toBe('allow-localhost');
  });

  test('reserved:init is default deny without any policy, and named as such; the local host still reaches it', () => {
    const set = policySet([]);
    const v = judged(set, 'entity:init', API, 80);
    expect(v.verdict).toBe('denied');
    expect(v.egress).toMatchObject({ decision: 'default-deny', allowed: false });
    expect(v.egress.reason).toBe('default deny: reserved:init endpoints are always default deny and no rule allows this');
    expect(v.ingress.decision).toBe('no-policy-default-allow');
    const toInit = judged(set, WEB, 'entity:init', 80);
    expect(toInit.ingress.decision).toBe('default-deny');
    expect(judged(set, 'entity:host', 'entity:init', 80).ingress.decision).toBe('allow-localhost');
  });

  test('reserved:init with an allow rule: allowed by it, near misses named otherwise', () => {
    const set = policySet([ccnp('init', {
      endpointSelector: labels({ 'reserved:init': '' }),
      egress: [{ toEndpoints: [labels({ app: 'dns' })], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    })]);
    expect(judged(set, 'entity:init', 'pod:default:app=dns', '53/UDP').egress.decision).toBe('allowed');
    const miss = judged(set, 'entity:init', 'pod:default:app=dns', '54/UDP');
    expect(miss.egress.decision).toBe('default-deny');
    expect(miss.egress.notes).toContain('CiliumClusterwideNetworkPolicy init spec.egress[0] allows pod:default:app=dns only on 53/UDP');
  });

  test('no rule in this direction: default allow, and the reason says whether any policy selects the subject', () => {
    const none = judged(policySet([]), WEB, API, 80);
    expect(none.ingress).toMatchObject({ decision: 'no-policy-default-allow', allowed: true, reason: `allowed: no policy selects ${API} (default allow)` });
    const egressOnly = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), egress: [{}] })]);
    const v = judged(egressOnly, WEB, API, 80);
    expect(v.ingress).toMatchObject({ decision: 'no-policy-default-allow', reason: `allowed: no policy selecting ${API} has ingress rules (default allow)` });
    expect(v.ingress.policies.map((p) => p.name)).toEqual(['p']);
  });

  test('only enableDefaultDeny false: allowed unless denied, with the direction in the reason', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      enableDefaultDeny: { ingress: false, egress: false },
      ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
      egressDeny: [{ toEntities: ['world'] }],
    })]);
    const v = judged(set, 'pod:default:app=cli', API, 80);
    expect(v.ingress).toMatchObject({ decision: 'non-default-deny-allow', allowed: true });
    expect(v.ingress.reason).toBe('allowed: only policies with enableDefaultDeny.ingress: false select it (read as the agent runs with enable-non-default-deny-policies, its default), '
      + 'so everything not denied is allowed');
    const out = judged(set, API, WEB, 80);
    expect(out.egress.reason).toBe('allowed: only policies with enableDefaultDeny.egress: false select it (read as the agent runs with enable-non-default-deny-policies, its default), '
      + 'so everything not denied is allowed');
    expect(judged(set, API, 'cidr:203.0.113.7', 80).egress.decision).toBe('denied-by-deny-rule');
    expect(decidedBy(judged(set, WEB, API, 80).ingress)).toBe('spec.ingress[0]');
  });

  test('default deny counts the rules with rules in this direction that select the subject', () => {
    const one = judged(policySet([denyAll, cnp('e', { endpointSelector: labels({ app: 'api' }), egress: [{}] })]), WEB, API, 80);
    expect(one.ingress.reason).toBe(`default deny: 1 rule with ingress rules selects ${API} and none allows ${WEB} on 80/TCP`);
    const two = judged(policySet([denyAll, cnp('q', { endpointSelector: {}, ingress: [{}] })]), WEB, API, 80);
    expect(two.ingress.reason).toBe(`default deny: 2 rules with ingress rules select ${API} and none allows ${WEB} on 80/TCP`);
    const icmp = judged(policySet([denyAll]), WEB, API, 'icmp/8');
    expect(icmp.ingress.reason).toBe(`default deny: 1 rule with ingress rules selects ${API} and none allows ${WEB} on icmp/8`);
    const icmp6 = judged(policySet([denyAll], { ipFamilies: IpFamilies.DUAL }), WEB, API, 'icmpv6/128');
    expect(icmp6.ingress.reason).toMatch(/ on icmpv6\/128$/);
  });
});

describe('near misses of a default deny', () => {
  test('items that match the peer but not the port, or the port but not the peer, at most three, in rule order', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [
        { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] },
        { fromEndpoints: [labels({ app: 'cli' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
        {}, // selects no peer: never a near miss
        { fromEndpoints: [labels({ app: 'db' })], toPorts: [{ ports: [{ port: '90', protocol: 'TCP' }] }] }, // neither
        { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '82', protocol: 'TCP' }] }] },
        { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '83', protocol: 'TCP' }] }] },
      ],
    })]);
    const v = judged(set, WEB, API, 80);
    expect(v.ingress.decision).toBe('default-deny');
    expect(v.ingress.notes).toEqual([
      `CiliumNetworkPolicy default/p spec.ingress[0] allows ${WEB} only on 81/TCP`,
      expect.stringMatching(/^CiliumNetworkPolicy default\/p spec\.ingress\[1\] allows 80\/TCP only from fromEndpoints .*app=cli/),
      `CiliumNetworkPolicy default/p spec.ingress[4] allows ${WEB} only on 82/TCP`,
    ]);
  });

  test('egress near misses say "to"; an item with a port but no peer is no near miss of another port', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toEndpoints: [labels({ app: 'db' })], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
    })]);
    const v = judged(set, WEB, API, 5432);
    expect(v.egress.notes).toEqual([expect.stringMatching(/^CiliumNetworkPolicy default\/p spec\.egress\[0\] allows 5432\/TCP only to toEndpoints .*app=db/)]);
    const set2 = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })]);
    expect(judged(set2, WEB, API, 5432).egress.notes).toEqual([`CiliumNetworkPolicy default/p spec.egress[0] allows ${API} only on 53/UDP`]);
  });
});

describe('notes of the items that cover the port', () => {
  test('import notes of deny and allow items covering the port are shown, whether or not they match the peer', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingressDeny: [{ fromCIDRSet: [{ cidrGroupRef: 'missing-deny' }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
      ingress: [{ fromCIDRSet: [{ cidrGroupRef: 'missing-allow' }] }, { fromEndpoints: [labels({ app: 'web' })] }],
    })]);
    const v = judged(set, WEB, API, 80);
    expect(decidedBy(v.ingress)).toBe('spec.ingress[1]');
    expect(v.ingress.notes).toEqual([
      'cidrGroupRef missing-deny: no such CiliumCIDRGroup is known, so it selects nothing',
      'cidrGroupRef missing-allow: no such CiliumCIDRGroup is known, so it selects nothing',
    ]);
    // The deny item does not cover 81: only the allow item's note.
    expect(judged(set, WEB, API, 81).ingress.notes).toEqual(['cidrGroupRef missing-allow: no such CiliumCIDRGroup is known, so it selects nothing']);
  });

  test('a note shown by two items is shown once', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ fromCIDRSet: [{ cidrGroupRef: 'missing' }] }, { fromCIDRSet: [{ cidrGroupRef: 'missing' }] }],
    })]);
    expect(judged(set, WEB, API, 80).ingress.notes).toEqual([
      'cidrGroupRef missing: no such CiliumCIDRGroup is known, so it selects nothing',
      'CiliumNetworkPolicy default/p spec.ingress[0] allows 80/TCP only from CIDR (none)',
      'CiliumNetworkPolicy default/p spec.ingress[1] allows 80/TCP only from CIDR (none)',
    ]);
  });

  test('skipped rules that select the subject are named, in every decision', () => {
    const set = policySet([
      cnp('two-peers', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })], fromEntities: ['world'] }] }),
      cnp('deny', { endpointSelector: labels({ app: 'api' }), ingressDeny: [{ fromEndpoints: [labels({ app: 'cli' })] }] }),
    ]);
    const skipped = /^CiliumNetworkPolicy default\/two-peers spec selects this endpoint but is not imported by the agent: /;
    const denied = judged(set, 'pod:default:app=cli', API, 80);
    expect(denied.ingress.decision).toBe('denied-by-deny-rule');
    expect(denied.ingress.notes).toEqual([expect.stringMatching(skipped)]);
    const dflt = judged(set, WEB, API, 80);
    expect(dflt.ingress.decision).toBe('default-deny');
    expect(dflt.ingress.notes).toEqual([expect.stringMatching(skipped)]);
    // Not selecting the subject: not named.
    expect(judged(set, API, WEB, 80).ingress.notes).toEqual([]);
  });
});

describe('peer kinds', () => {
  const egress = (item: Record<string, unknown>, options = {}): PolicySet =>
    policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [item] })], options);

  test('a /0 CIDR selects the world identity itself (no address), its except holes or not; narrower CIDRs do not', () => {
    for (const item of [{ toCIDR: ['0.0.0.0/0'] }, { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['203.0.113.0/24'] }] }]) {
      const set = egress(item);
      const v = judged(set, WEB, 'entity:world', 443);
      expect(v.egress).toMatchObject({ decision: 'allowed', rule: { path: 'spec.egress[0]' } });
      expect(judged(set, WEB, 'cidr:198.51.100.1', 443).egress.decision).toBe('allowed');
    }
    expect(judged(egress({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['203.0.113.0/24'] }] }), WEB, 'cidr:203.0.113.7', 443).egress.decision).toBe('default-deny');
    const narrow = egress({ toCIDR: ['10.0.0.0/8', '192.0.2.0/24'] });
    expect(judged(narrow, WEB, 'entity:world', 443).egress.decision).toBe('default-deny');
    expect(judged(narrow, WEB, 'cidr:192.0.2.1', 443).egress.decision).toBe('allowed');
    expect(judged(narrow, WEB, 'cidr:10.2.3.4', 443).egress.decision).toBe('allowed');
    expect(judged(narrow, WEB, 'cidr:11.2.3.4', 443).egress.decision).toBe('default-deny');
  });

  test('fromRequires restrict fromEndpoints only, not entities, CIDRs or nodes (before 1.19)', () => {
    const set = policySet([
      cnp('req', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromRequires: [labels({ env: 'prod' })] }] }),
      cnp('p', {
        endpointSelector: labels({ app: 'api' }),
        ingress: [{ fromEndpoints: [labels({ app: 'web' })] }, { fromEntities: ['world'] }, { fromNodes: [labels({ zone: 'a' })] }],
      }),
    ], { ciliumVersion: CiliumVersion.V1_18, nodeSelectorLabels: true });
    expect(judged(set, 'pod:default:app=web,env=prod', API, 80).ingress.decision).toBe('allowed');
    expect(judged(set, WEB, API, 80).ingress.decision).toBe('default-deny');
    expect(judged(set, 'cidr:203.0.113.7', API, 80).ingress.rule?.path).toBe('spec.ingress[1]');
    expect(judged(set, 'node:zone=a,kubernetes.io/hostname=n2', API, 80).ingress.rule?.path).toBe('spec.ingress[2]');
  });

  test('toGroups selects nothing here (the operator resolves it), and says so', () => {
    const set = egress({ toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] });
    const v = judged(set, WEB, 'cidr:203.0.113.7', 443);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes.join('\n')).toMatch(/\(AWS\) is resolved by the operator into CIDRs from the cloud API; the engine cannot resolve it/);
  });

  test('toFQDNs without a learnable lookup: the note names the pattern, the name without its dot, and the fix; decide() agrees', () => {
    const set = egress({ toFQDNs: [{ matchPattern: '*.example.com' }] });
    const v = judged(set, WEB, 'fqdn:api.example.com.@192.0.2.10', 443);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes[0]).toMatch(/^toFQDNs matchPattern: \*\.example\.com matches api\.example\.com, but pod:default:app=web's DNS proxy never learns its IPs, so toFQDNs selects nothing: the lookup is dropped at egress \(default deny: .+\); allow egress to the DNS server on 53\/UDP and 53\/TCP with rules\.dns matchPattern "\*" \(or the name\)\. Cilium.s name manager is agent-wide: .+$/);
    // Another name: no note; an address without a name: no note either.
    expect(judged(set, WEB, 'fqdn:api.example.org@192.0.2.10', 443).egress.notes.join('\n')).not.toMatch(/toFQDNs/);
    expect(judged(set, WEB, 'cidr:192.0.2.10', 443).egress.notes.join('\n')).not.toMatch(/toFQDNs/);
  });

  test('a selector-less Service selects its Endpoints addresses, not pods with the same address', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { ports: [{ port: 5432 }] } };
    const eps = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'data' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }, { ip: '192.0.2.20' }], ports: [{ port: 5432 }] }] };
    const set = policySet([svc, eps, cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] }] })]);
    expect(judged(set, WEB, 'cidr:192.0.2.20', 5432).egress).toMatchObject({ decision: 'allowed', rule: { path: 'spec.egress[0]' } });
    expect(judged(set, WEB, 'cidr:192.0.2.11', 5432).egress.decision).toBe('default-deny');
    expect(judged(set, WEB, 'entity:world', 5432).egress.decision).toBe('default-deny');
  });
});

describe('the shape of a side verdict (its keys in the order explanations print them)', () => {
  const set = policySet([cnp('p', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }, { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] }],
  })]);
  const base = ['direction', 'endpoint', 'evaluated', 'policies', 'decision', 'allowed'];

  test('rule and l7 only when given', () => {
    const dflt = judged(set, WEB, API, 82);
    expect(Object.keys(dflt.ingress)).toEqual([...base, 'reason', 'notes']);
    expect(dflt.ingress.evaluated).toBe(true);
    expect(Object.keys(judged(set, WEB, API, 81).ingress)).toEqual([...base, 'rule', 'reason', 'notes']);
    expect(Object.keys(judged(set, WEB, API, 80, { http: 'GET /' }).ingress)).toEqual([...base, 'rule', 'l7', 'reason', 'notes']);
  });

  test('a side Cilium does not manage is not evaluated, and lets the connection through', () => {
    const v = judged(policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['world'] }] })]), WEB, 'cidr:203.0.113.7', 443);
    expect(v.verdict).toBe('allowed');
    expect(v.ingress).toEqual({
      direction: 'ingress', endpoint: 'cidr:203.0.113.7', evaluated: false, decision: 'not-evaluated', allowed: true,
      reason: expect.stringMatching(/^not evaluated: /), policies: [], notes: [],
    });
  });
});

describe('itemSelectsPeer (the peer half, as the connectivity diff asks it)', () => {
  test('a toFQDNs item selects a named peer only when its lookup is learned; without `learn` nothing is', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] })]);
    const item = set._compiledRules[0].items.egress[0];
    const peer: PeerView = {
      text: 'fqdn:api.example.com', labels: LabelSet.of([]), fqdn: 'api.example.com.', ip: { family: 4, value: 0xc000020an },
      worldFamily: 0, ports: [], localHost: false, node: false,
    };
    expect(itemSelectsPeer(item, peer, [], set._engineConfig)).toBe(false);
    expect(itemSelectsPeer(item, peer, [], set._engineConfig, () => ({ learnable: true }))).toBe(true);
    expect(itemSelectsPeer(item, peer, [], set._engineConfig, () => ({ learnable: false, why: 'no' }))).toBe(false);
    expect(itemSelectsPeer(item, { ...peer, fqdn: 'www.example.com.' }, [], set._engineConfig, () => ({ learnable: true }))).toBe(false);
  });
});
