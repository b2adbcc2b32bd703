// Truth tables of `authentication.mode` on allow rules: what is allowed AND what is dropped.
//
// Cilium: an allow entry of the policy map with an auth type drops the packet (DROP_POLICY_AUTH_REQUIRED,
// bpf/lib/policy.h `__policy_check`/`__account_and_check`) unless the auth map holds the pair (bpf/lib/auth.h
// `auth_lookup`). Only the agent's auth manager writes it: `test-always-fail` never succeeds, `required` needs the SPIRE
// handler, registered only with a mutual listener port (pkg/auth `newMutualAuthHandler`), and reserved identities are
// skipped (pkg/auth `handleAuthRequest`). Helm `authentication.enabled`: "if disabled, policy enforcement will still block
// requests that require authentication". The mode is the one of the most specific matching entry (port before wildcard
// port, a peer before the any-peer entry), else inherited from the next less specific one that sets one; of several at
// one level the highest (disabled < required < test-always-fail): pkg/policy distillery_test.go `Test_MergeL3`.
// Every verdict is also asked of `decide()` and of the naive evaluator (`judged`).
import { describe, expect, test } from 'vitest';
import { Connectivity } from '../../src/diff';
import { PolicySet, PolicySetOptions } from '../../src/engine';
import { cnp, judged, labels, policySet } from './helpers';

const FOO = 'pod:default:foo=yes';
const BAR = 'pod:default:bar=yes';
const SPIRE = { mutualAuth: true };

/** A policy for the `foo` pods with these ingress items (as the rules of `Test_MergeL3`, which all select foo). */
function fooIngress(items: readonly Record<string, unknown>[], options: PolicySetOptions = {}, extra: Record<string, unknown> = {}): PolicySet {
  return policySet([cnp('p', { endpointSelector: labels({ foo: 'yes' }), ingress: items, ...extra })], options);
}

const fromFoo = { fromEndpoints: [labels({ foo: 'yes' })] };
const fromBar = { fromEndpoints: [labels({ bar: 'yes' })] };
const port80 = { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] };
const auth = (mode: string): { authentication: { mode: string } } => ({ authentication: { mode } });

/** `<verdict> <ingress decision>` of one connection to foo. */
function row(set: PolicySet, from: string, port: number | string): string {
  const v = judged(set, from, FOO, port);
  return `${v.verdict} ${v.ingress.decision}`;
}

describe('one allow item with a mode', () => {
  test.each([
    // mode, mutualAuth, expected
    ['required', false, 'denied auth-required'],
    ['required', true, 'allowed allowed'],
    ['test-always-fail', false, 'denied auth-required'],
    ['test-always-fail', true, 'denied auth-required'],
    ['disabled', false, 'allowed allowed'],
    ['disabled', true, 'allowed allowed'],
  ])('mode %s, mutualAuth %s: %s', (mode, mutualAuth, expected) => {
    expect(row(fooIngress([{ ...fromBar, ...auth(mode) }], { mutualAuth }), BAR, 80)).toBe(expected);
  });

  test('the reason names the rule, the mode and the fix', () => {
    const required = judged(fooIngress([{ ...fromBar, ...auth('required') }]), BAR, FOO, 80).ingress;
    expect(required.rule).toMatchObject({ name: 'p', path: 'spec.ingress[0]' });
    expect(required.reason).toBe('dropped: CiliumNetworkPolicy default/p spec.ingress[0] allows this only with authentication, and '
      + 'authentication mode required drops every packet (DROP_POLICY_AUTH_REQUIRED) unless the cluster runs mutual authentication with SPIRE '
      + '(authentication.mutual.spire.enabled): without it nothing authenticates the pair, whatever authentication.enabled says; '
      + 'fix: enable mutual authentication with SPIRE (and tell the engine: mutualAuth, --mutual-auth), or remove authentication');
    const failing = judged(fooIngress([{ ...fromBar, ...auth('test-always-fail') }], SPIRE), BAR, FOO, 80).ingress;
    expect(failing.reason).toMatch(/mode test-always-fail never authenticates \(a test mode\).*; fix: remove authentication/);
  });

  test('traffic the item does not allow is not its concern: default deny still decides it', () => {
    const set = fooIngress([{ ...fromBar, ...port80, ...auth('required') }]);
    expect(row(set, BAR, 81)).toBe('denied default-deny');
    expect(row(set, FOO, 80)).toBe('denied default-deny');
  });

  test('egress the same', () => {
    const set = policySet([cnp('e', { endpointSelector: labels({ bar: 'yes' }), egress: [{ toEndpoints: [labels({ foo: 'yes' })], ...auth('required') }] })]);
    expect(judged(set, BAR, FOO, 80)).toMatchObject({ verdict: 'denied', egress: { decision: 'auth-required' } });
    expect(judged(set, BAR, FOO, 80, SPIRE)).toMatchObject({ verdict: 'denied', egress: { decision: 'auth-required' } });
    const on = policySet([cnp('e', { endpointSelector: labels({ bar: 'yes' }), egress: [{ toEndpoints: [labels({ foo: 'yes' })], ...auth('required') }] })], SPIRE);
    expect(judged(on, BAR, FOO, 80)).toMatchObject({ verdict: 'allowed', egress: { decision: 'allowed' } });
  });
});

describe('deny rules win over authentication', () => {
  test('a deny rule on the pair drops it as denied-by-deny-rule, with or without mutual authentication', () => {
    for (const mutualAuth of [false, true]) {
      const set = fooIngress([{ ...fromBar, ...auth('required') }], { mutualAuth }, { ingressDeny: [{ ...fromBar, ...port80 }] });
      expect(row(set, BAR, 80)).toBe('denied denied-by-deny-rule');
      expect(row(set, BAR, 81)).toBe(mutualAuth ? 'allowed allowed' : 'denied auth-required');
    }
  });
});

describe('Test_MergeL3 (pkg/policy distillery_test.go): which mode applies when several allow items match', () => {
  test('case 2: L3 foo, L3 bar with test-always-fail: bar dropped, foo allowed', () => {
    const set = fooIngress([fromFoo, { ...fromBar, ...auth('test-always-fail') }], SPIRE);
    expect(row(set, FOO, 80)).toBe('allowed allowed');
    expect(row(set, BAR, 80)).toBe('denied auth-required');
  });

  test('case 3: + port 80 from anyone with required: port 80 takes the port entry (required) for foo and bar, other ports the L3 entries', () => {
    const items = [fromFoo, { ...fromBar, ...auth('test-always-fail') }, { ...port80, ...auth('required') }];
    const off = fooIngress(items);
    expect(row(off, FOO, 80)).toBe('denied auth-required');
    expect(row(off, FOO, 81)).toBe('allowed allowed');
    expect(row(off, BAR, 81)).toBe('denied auth-required');
    const on = fooIngress(items, SPIRE);
    expect(row(on, FOO, 80)).toBe('allowed allowed');
    expect(row(on, BAR, 80)).toBe('allowed allowed');
    expect(row(on, BAR, 81)).toBe('denied auth-required');
    expect(judged(on, BAR, FOO, 80).ingress.notes.join('\n')).toMatch(/spec\.ingress\[2\] requires mutual authentication \(mode required\): judged as passing/);
  });

  test('case 4: allow all, L3 bar with test-always-fail: the bar entry is more specific', () => {
    const set = fooIngress([{ fromEntities: ['all'] }, { ...fromBar, ...auth('test-always-fail') }]);
    expect(row(set, FOO, 80)).toBe('allowed allowed');
    expect(row(set, BAR, 80)).toBe('denied auth-required');
  });

  test('case 5: allow all with required, L3 bar without a mode: bar inherits required from the wildcard', () => {
    const items = [{ fromEntities: ['all'], ...auth('required') }, fromBar];
    expect(row(fooIngress(items), BAR, 80)).toBe('denied auth-required');
    expect(row(fooIngress(items), FOO, 80)).toBe('denied auth-required');
    expect(row(fooIngress(items, SPIRE), BAR, 80)).toBe('allowed allowed');
  });

  test('case 9: allow all, port 80 from anyone, L3 bar with test-always-fail: bar on 80 inherits it, foo on 80 does not', () => {
    const set = fooIngress([{ fromEntities: ['all'] }, port80, { ...fromBar, ...auth('test-always-fail') }], SPIRE);
    expect(row(set, BAR, 80)).toBe('denied auth-required');
    expect(row(set, BAR, 81)).toBe('denied auth-required');
    expect(row(set, FOO, 80)).toBe('allowed allowed');
  });

  test('an explicit disabled on the most specific entry stops the inheritance', () => {
    const set = fooIngress([{ fromEntities: ['all'], ...auth('required') }, { ...fromBar, ...port80, ...auth('disabled') }]);
    expect(row(set, BAR, 80)).toBe('allowed allowed');
    expect(row(set, BAR, 81)).toBe('denied auth-required');
  });

  test('on one port the peer\'s entry is more specific than the wildcard one: no peer field, entity all (mutation tests)', () => {
    for (const wildcard of [port80, { fromEntities: ['all'], ...port80 }]) {
      const set = fooIngress([{ ...wildcard, ...auth('required') }, { ...fromBar, ...port80, ...auth('disabled') }]);
      expect(row(set, BAR, 80)).toBe('allowed allowed');
      expect(row(set, FOO, 80)).toBe('denied auth-required');
    }
  });

  test('the port decides before the peer: a block of a range, every port of a protocol, another protocol\'s port (mutation tests)', () => {
    const range = fooIngress([{ ...port80, ...auth('required') },
      { ...fromBar, toPorts: [{ ports: [{ port: '80', endPort: 81, protocol: 'TCP' }] }], ...auth('disabled') }]);
    expect(row(range, BAR, 80)).toBe('denied auth-required');
    expect(row(range, BAR, 81)).toBe('allowed allowed');
    const protocols = fooIngress([{ ...port80, ...auth('required') },
      { ...fromBar, toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }, { port: '0', protocol: 'TCP' }] }], ...auth('disabled') }]);
    expect(row(protocols, BAR, 80)).toBe('denied auth-required');
    expect(row(protocols, BAR, 81)).toBe('allowed allowed');
  });

  test('two selectors of one key, the highest mode first; two of the same mode: the first decides (mutation tests)', () => {
    const first = fooIngress([{ fromEndpoints: [labels({ bar: 'yes', k8s: 'x' })], ...auth('test-always-fail') }, { ...fromBar, ...auth('required') }], SPIRE);
    expect(judged(first, 'pod:default:bar=yes,k8s=x', FOO, 80)).toMatchObject({ verdict: 'denied', ingress: { decision: 'auth-required', rule: { path: 'spec.ingress[0]' } } });
    const same = fooIngress([{ fromEndpoints: [labels({ bar: 'yes', k8s: 'x' })], ...auth('required') }, { ...fromBar, ...auth('required') }]);
    expect(judged(same, 'pod:default:bar=yes,k8s=x', FOO, 80)).toMatchObject({ verdict: 'denied', ingress: { decision: 'auth-required', rule: { path: 'spec.ingress[0]' } } });
  });

  test('the wildcard selector beside others in one item: a peer another of its selectors selects has the item\'s identity key too (bug)', () => {
    // pkg/policy l4.go toMapState writes each selector's keys: the wildcard's (entity all, an empty selector) at identity 0,
    // each other's at the identities it selects. Bar is in the cluster, so the required item is on bar's key beside the
    // disabled one: the highest mode. Before, the whole item counted as the wildcard identity: allowed.
    const required = { ...port80, ...auth('required') };
    expect(row(fooIngress([{ fromEntities: ['all', 'cluster'], ...required }, { ...fromBar, ...port80, ...auth('disabled') }]), BAR, 80))
      .toBe('denied auth-required');
    // World does not select bar: only the wildcard key of that item, so bar's own entry decides.
    expect(row(fooIngress([{ fromEntities: ['all', 'world'], ...required }, { ...fromBar, ...port80, ...auth('disabled') }]), BAR, 80))
      .toBe('allowed allowed');
    // The same with an empty endpoint selector (a raw rule: no namespace added) beside k8s=x.
    const raw = PolicySet.fromYaml(JSON.stringify([{ endpointSelector: labels({ foo: 'yes' }),
      ingress: [{ fromEndpoints: [{}, labels({ k8s: 'x' })], ...required }, { ...fromBar, ...port80, ...auth('disabled') }] }]), { file: 'r.json' });
    expect(row(raw, 'pod:default:bar=yes,k8s=x', 80)).toBe('denied auth-required');
    expect(row(raw, BAR, 80)).toBe('allowed allowed');
  });

  test('two selectors of one key: the highest mode (MapStateEntry.Merge)', () => {
    const set = fooIngress([{ ...fromBar, ...auth('required') }, { fromEndpoints: [labels({ bar: 'yes', k8s: 'x' })], ...auth('test-always-fail') }], SPIRE);
    expect(row(set, 'pod:default:bar=yes,k8s=x', 80)).toBe('denied auth-required');
    expect(judged(set, 'pod:default:bar=yes,k8s=x', FOO, 80).ingress).toMatchObject({ rule: { path: 'spec.ingress[1]' }, notes: [] });
  });

  test('one selector, one filter, two modes: the agent cannot merge them (rule.go mergePortProto "cannot merge conflicting authentication '
    + 'types") and keeps the policy it had: noted on every verdict of the endpoint', () => {
    const set = fooIngress([{ ...fromBar, ...auth('required') }, { ...fromBar, ...auth('test-always-fail') }, { ...fromBar, ...auth('disabled') }], SPIRE);
    const v = judged(set, BAR, FOO, 80);
    expect(v.ingress.notes).toEqual(['spec.ingress[1] mode test-always-fail', 'spec.ingress[2] mode disabled'].map((second) =>
      `Cilium refuses the policy of this endpoint: CiliumNetworkPolicy default/p spec.ingress[0] has authentication mode required and CiliumNetworkPolicy default/p ${second} `
      + 'on ingress 0/ANY for the same peer endpoints {any:bar=yes, k8s:io.cilium.k8s.policy.cluster=default, k8s:io.kubernetes.pod.namespace=default}, '
      + 'and it cannot merge conflicting authentication types: the endpoint keeps the policy it had, so this verdict is not what the agent enforces; '
      + 'give both items the same mode'));
    expect(judged(set, FOO, FOO, 80).ingress.notes.filter((n) => n.startsWith('Cilium refuses the policy of this endpoint'))).toHaveLength(2);
    // Not a conflict: the same mode twice, a mode and none, other ports, other peers; nor where a deny of that peer and filter ends the merge.
    const none = (items: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}): string[] =>
      judged(fooIngress(items, SPIRE, extra), BAR, FOO, 80).ingress.notes.filter((n) => n.startsWith('Cilium refuses'));
    expect(none([{ ...fromBar, ...auth('required') }, { ...fromBar, ...auth('required') }, fromBar])).toEqual([]);
    expect(none([{ ...fromBar, ...auth('required') }, { ...fromBar, ...port80, ...auth('test-always-fail') }])).toEqual([]);
    expect(none([{ ...fromBar, ...auth('required') }, { ...fromFoo, ...auth('test-always-fail') }])).toEqual([]);
    expect(none([{ ...fromBar, ...auth('required') }, { ...fromBar, ...auth('test-always-fail') }], { ingressDeny: [fromBar] })).toEqual([]);
  });

  test('a port range is written as masked blocks: a smaller block is more specific than a larger one', () => {
    // 80-95: blocks 80-95 (/12); 64-127: one /10 block. The required item on 64-127 loses to the plain one on 80-95 there.
    const range = (lo: number, hi: number): Record<string, unknown> => ({ toPorts: [{ ports: [{ port: String(lo), endPort: hi, protocol: 'TCP' }] }] });
    const set = fooIngress([{ ...range(64, 127), ...auth('required') }, range(80, 95)]);
    expect(row(set, BAR, 80)).toBe('denied auth-required'); // the 80-95 entry sets no mode: it inherits required
    const disabled = fooIngress([{ ...range(64, 127), ...auth('required') }, { ...range(80, 95), ...auth('disabled') }]);
    expect(row(disabled, BAR, 80)).toBe('allowed allowed');
    expect(row(disabled, BAR, 96)).toBe('denied auth-required');
  });
});

describe('which entry is the most specific: ICMP types and the masked blocks of ranges (mutation tests)', () => {
  // Each case: a required and a disabled item from bar that both match; the more specific entry's mode decides, and
  // at equal specificity the highest mode (required) would.
  const icmp = (...fields: Record<string, unknown>[]): Record<string, unknown> => ({ icmps: [{ fields }] });
  const ports = (...entries: [string, number?][]): Record<string, unknown> =>
    ({ toPorts: [{ ports: entries.map(([port, endPort]) => ({ port, ...(endPort === undefined ? {} : { endPort }), protocol: 'TCP' })) }] });
  const decided = (required: Record<string, unknown>, disabled: Record<string, unknown>, port: number | string): string =>
    row(fooIngress([{ ...fromBar, ...required, ...auth('required') }, { ...fromBar, ...disabled, ...auth('disabled') }]), BAR, port);

  test.each([
    // The required item matches type 3 only through its type-0 field (every type of the family): less specific than
    // type 3 itself, whatever other types or families it lists.
    ['ICMP type 3 over a type-0 field beside type 8', icmp({ type: 8 }, { type: 0 }), icmp({ type: 3 }), 'icmp/3'],
    ['ICMP type 3 over a type-0 field beside IPv6 type 3', icmp({ family: 'IPv6', type: 3 }, { type: 0 }), icmp({ type: 3 }), 'icmp/3'],
    // Port 443 through every port (a /0 key); the range 80-81 beside it holds no block of 443: 440-447 (/13) decides.
    ['a /13 block over every port beside a range without the port', ports(['0'], ['80', 81]), ports(['440', 447]), 443],
    // 80-100 is written as 80-95, 96-99, 100: port 96 is in the /14 block 96-99, more specific than 96-103 (/13).
    ['the first port of a later block', ports(['96', 103]), ports(['80', 100]), 96],
    ['the last port of a range (its own /16 block)', ports(['96', 103]), ports(['80', 100]), 100],
    ['the last port of a block', ports(['96', 103]), ports(['80', 100]), 99],
    // A port below a range beside every port: no block of 80-81 holds 79.
    ['a /13 block over every port beside a range above the port', ports(['0'], ['80', 81]), ports(['72', 79]), 79],
    // Blocks are aligned: 81-96 is 81, 82-83, 84-87, 88-95, 96, so 81 is a /16 block, more specific than 80-81 (/15).
    ['an unaligned first port', ports(['80', 81]), ports(['81', 96]), 81],
    // One field of the item's is the query's type: exact, whatever its other fields.
    ['ICMP type 3 listed beside type 8 over a type-0 field', icmp({ type: 0 }), icmp({ type: 3 }, { type: 8 }), 'icmp/3'],
    // An L3-only item has the wildcard port key, whatever the protocol, ICMP too: a type-0 field is more specific.
    ['an ICMP field of type 0 over no port at all', {}, icmp({ type: 0 }), 'icmp/3'],
  ])('%s', (_name, required, disabled, port) => {
    expect(decided(required, disabled, port)).toBe('allowed allowed');
    // The same items the other way round: the more specific entry's required decides.
    expect(decided(disabled, required, port)).toBe('denied auth-required');
  });

  test('the identity decides after the port: a single-port block of a range from bar over port 100 from anyone', () => {
    // 80-100 ends with the block 100 (/16): bar's key on it is as specific as the wildcard peer's port 100, and the identity wins.
    const set = fooIngress([{ ...fromBar, ...ports(['80', 100]), ...auth('disabled') }, { ...ports(['100']), ...auth('required') }]);
    expect(row(set, BAR, 100)).toBe('allowed allowed');
    expect(row(set, FOO, 100)).toBe('denied auth-required');
  });

  test('a named port is a port key: more specific than a range\'s block holding its number', () => {
    const set = fooIngress([{ ...fromBar, ...ports(['http']), ...auth('disabled') }, { ...fromBar, ...ports(['80', 81]), ...auth('required') }]);
    const to = { ...set.endpoint(FOO), ports: [{ name: 'http', port: 80 }] };
    expect(set.verdict({ from: set.endpoint(BAR), to, protocol: 'TCP', port: 80 })).toMatchObject({ verdict: 'allowed', ingress: { rule: { path: 'spec.ingress[0]' } } });
    expect(set.verdict({ from: set.endpoint(BAR), to, protocol: 'TCP', port: 81 })).toMatchObject({ verdict: 'denied', ingress: { decision: 'auth-required' } });
  });

  test('a CIDR peer\'s identity key over every identity\'s; an empty endpoint selector is every identity\'s', () => {
    const cidr = fooIngress([{ fromCIDR: ['192.0.2.0/24'], ...port80, ...auth('disabled') }, { fromEntities: ['all'], ...port80, ...auth('required') }]);
    expect(row(cidr, 'cidr:192.0.2.10', 80)).toBe('allowed allowed');
    // An empty endpoint selector of a raw api.Rule list (no namespace or cluster translation) has no requirement: the
    // wildcard identity (a CNP's gets its namespace, a CCNP's a namespace Exists).
    const wide = PolicySet.fromYaml(JSON.stringify([{ endpointSelector: labels({ foo: 'yes' }),
      ingress: [{ fromEndpoints: [{}], ...port80, ...auth('required') }, { ...fromBar, ...port80, ...auth('disabled') }] }]), { file: 'r.json' });
    expect(row(wide, BAR, 80)).toBe('allowed allowed');
    expect(row(wide, FOO, 80)).toBe('denied auth-required');
  });
});

describe('with mutual authentication, identities SPIRE never attests stay dropped (pkg/auth handleAuthRequest)', () => {
  test.each([
    ['cidr:192.0.2.10', { fromCIDR: ['192.0.2.0/24'] }, /the peer has an identity outside the cluster \(reserved:world\)/],
    ['entity:world', { fromEntities: ['world'] }, /the peer has an identity outside the cluster \(reserved:world\)/],
    ['entity:host', { fromEntities: ['host'] }, /the peer has a reserved identity \(reserved:host\)/],
    ['entity:remote-node', { fromEntities: ['remote-node'] }, /the peer has a reserved identity \(reserved:remote-node\)/],
    // With node-selector labels a remote node's identity holds its own labels beside reserved:remote-node: one reserved
    // label makes the identity reserved (mutation tests).
    ['node:kubernetes.io/hostname=n2,zone=b', { fromNodes: [{ matchLabels: { zone: 'b' } }] }, /the peer has a reserved identity \(reserved:remote-node\)/],
  ])('from %s', (from, peer, reason) => {
    const set = fooIngress([{ ...peer, ...auth('required') }], { mutualAuth: true, allowLocalhost: false, nodeSelectorLabels: true });
    const v = judged(set, from, FOO, 80);
    expect(v).toMatchObject({ verdict: 'denied', ingress: { decision: 'auth-required' } });
    expect(v.ingress.reason).toMatch(reason);
  });

  test('mode disabled holds no reserved peer to authentication, with or without mutual authentication (mutation tests)', () => {
    for (const mutualAuth of [false, true]) {
      const set = fooIngress([{ fromEntities: ['world'], ...auth('disabled') }], { mutualAuth, allowLocalhost: false });
      expect(judged(set, 'cidr:192.0.2.10', FOO, 80)).toMatchObject({ verdict: 'allowed', ingress: { decision: 'allowed' } });
    }
  });

  test('a host policy (the subject is the host identity) with required drops even with mutual authentication', () => {
    const host = policySet([{
      apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'h' },
      spec: { nodeSelector: {}, ingress: [{ fromEndpoints: [labels({ bar: 'yes' })], ...auth('required') }] },
    }], { mutualAuth: true, hostFirewall: true });
    const v = judged(host, BAR, 'node:kubernetes.io/hostname=n1', 22);
    expect(v).toMatchObject({ verdict: 'denied', ingress: { decision: 'auth-required' } });
    expect(v.ingress.reason).toMatch(/this endpoint has a reserved identity/);
  });
});

describe('the connectivity diff judges authentication as verdict() does', () => {
  test('masked blocks of a range and reserved peers: the diff equals judging every pair', () => {
    const range = (lo: number, hi: number): Record<string, unknown> => ({ toPorts: [{ ports: [{ port: String(lo), endPort: hi, protocol: 'TCP' }] }] });
    for (const mutualAuth of [false, true]) {
      const base = fooIngress([{ fromEntities: ['all'], ...range(64, 127) }], { mutualAuth });
      const head = fooIngress([{ fromEntities: ['all'], ...range(64, 127), ...auth('required') }, { ...fromBar, ...range(80, 95), ...auth('disabled') },
        { fromEntities: ['world'], ...port80 }], { mutualAuth });
      const doc = Connectivity.diff(base, head);
      expect(doc).toEqual(Connectivity.diff(base, head, { _judgeEveryPair: true }));
      expect(doc.changes.some((c) => c.after === 'denied')).toBe(true);
    }
  });
});
