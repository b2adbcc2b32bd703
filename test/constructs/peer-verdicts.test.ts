// What each `Peer` factory selects, through engine verdicts on a policy that lets `web` reach only that peer (or only
// that peer reach `api`): the pods, namespaces, entities, addresses, names, Services and nodes it must select and the
// near ones it must not, and every refusal with its error id, message and fix. In the mutation test set
// (vitest.mutation.config.mts): they kill the mutants of src/constructs/peer.ts. In each block the tests with the fewest
// verdicts come first: a mutant is killed by the first failing test, so cheap first.
import { ApiObject } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, DnsRule, EndpointSelector, Entity, IPeer, L7, LabelExpression, Peer, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';

/** The chart of namespace `shop`: `web` may reach `peer` on 443/TCP and nothing else (egress default deny). */
function egressTo(peer: IPeer, objects: Record<string, unknown>[] = []): ReturnType<typeof chart> {
  const c = chart('shop');
  objects.forEach((o, i) => new ApiObject(c, `o${i}`, o as never));
  const web = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
  web.allowEgress(peer, { ports: [Port.tcp(443)] });
  // Lookups through the DNS proxy, so that toFQDNs peers learn their addresses.
  web.allowEgress(Peer.kubeDns(), { ports: [Port.any(53)], l7: L7.dns(DnsRule.pattern('*')) });
  return c;
}

/** The chart of namespace `shop`: `peer` may reach `api` on 443/TCP and nothing else (ingress default deny). */
function ingressFrom(peer: IPeer): ReturnType<typeof chart> {
  const c = chart('shop');
  new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(peer, { ports: [Port.tcp(443)] });
  return c;
}

/** The verdict of each destination reached from web on 443/TCP. */
function reached(peer: IPeer, destinations: string[], objects: Record<string, unknown>[] = []): Record<string, string> {
  const c = egressTo(peer, objects);
  return Object.fromEntries(destinations.map((d) => [d, verdictOf(c, WEB, d, '443/TCP', { nodeSelectorLabels: true })]));
}

/** The verdict of each source reaching api on 443/TCP. */
function admitted(peer: IPeer, sources: string[]): Record<string, string> {
  const c = ingressFrom(peer);
  return Object.fromEntries(sources.map((s) => [s, verdictOf(c, s, API, '443/TCP')]));
}

/** `<id>: <message>\n  fix: <fix>` of a refusal, without the caller location. */
function refused(run: () => unknown): string {
  const r = refusal(run);
  return `${r.id}: ${r.message.replace(/^\[[^\]]*\] /, '').replace(` (${r.id})`, '')}`;
}

describe('Peer.endpoints: pods by labels, in the policy namespace unless told', () => {
  test('labels alone: the pods of the policy namespace only', () => {
    const peer = Peer.endpoints({ labels: { app: 'client' } });
    expect(admitted(peer, ['pod:shop:app=client', 'pod:other:app=client', 'pod:shop:app=clients', 'entity:host']))
      .toEqual({ 'pod:shop:app=client': 'allowed', 'pod:other:app=client': 'denied', 'pod:shop:app=clients': 'denied', 'entity:host': 'denied' });
    expect(String(peer)).toBe('endpoints {app=client} (policy namespace)');
  });

  test('the options are read, not kept', () => {
    const labels = { app: 'client' };
    const expressions = [LabelExpression.exists('tier')];
    const peer = Peer.endpoints({ labels, expressions });
    labels.app = 'other';
    expressions.push(LabelExpression.exists('zone'));
    expect(admitted(peer, ['pod:shop:app=client,tier=a', 'pod:shop:app=other,tier=a']))
      .toEqual({ 'pod:shop:app=client,tier=a': 'allowed', 'pod:shop:app=other,tier=a': 'denied' });
  });

  test('refusals: ambiguous namespace choices, bad namespace names, empty selectors', () => {
    const ambiguous = /^peer-namespace-ambiguous: Peer\.endpoints\(\) takes only one of namespace, allNamespaces and namespaceLabels\n {2}fix: create one peer per namespace choice$/;
    expect(refused(() => Peer.endpoints({ namespace: 'a', allNamespaces: true }))).toMatch(ambiguous);
    expect(refused(() => Peer.endpoints({ namespace: 'a', namespaceLabels: { t: 'a' } }))).toMatch(ambiguous);
    expect(refused(() => Peer.endpoints({ allNamespaces: true, namespaceLabels: { t: 'a' } }))).toMatch(ambiguous);
    expect(refused(() => Peer.endpoints({ namespace: 'a', allNamespaces: true, namespaceLabels: { t: 'a' } }))).toMatch(ambiguous);
    // allNamespaces: false is no choice.
    expect(admitted(Peer.endpoints({ namespace: 'a', allNamespaces: false }), ['pod:a:x=y', 'pod:b:x=y'])).toEqual({ 'pod:a:x=y': 'allowed', 'pod:b:x=y': 'denied' });
    expect(refused(() => Peer.endpoints({ namespace: 'Foo_Bar' }))).toMatch(/^namespace-name-syntax: .*Peer\.endpoints\(\) namespace/);
    expect(refused(() => Peer.namespace('a'.repeat(64)))).toMatch(/^namespace-name-syntax:/);
    expect(refused(() => Peer.endpoints({ labels: {} }))).toMatch(/^selector-empty: [\s\S]*Peer\.endpoints\(\) labels[\s\S]*leave labels out and name the namespace/);
    expect(refused(() => Peer.endpoints({ namespaceLabels: {} }))).toMatch(/^selector-empty: [\s\S]*Peer\.endpoints\(\) namespaceLabels[\s\S]*Peer\.allNamespaces\(\) if every namespace is meant/);
    expect(refused(() => Peer.endpoints({ labels: { app: 'x' }, expressions: [] }))).toMatch(/^selector-empty: Peer\.endpoints\(\) got an empty expressions list: it would be dropped, and the selector would require its other labels only .*\n {2}fix: leave expressions out/);
    expect(refused(() => Peer.endpoints())).toMatch(/^selector-empty: Peer\.endpoints\(\) without labels, expressions or a namespace selects every pod/);
    expect(refused(() => Peer.endpoints({ allNamespaces: false }))).toMatch(/^selector-empty: Peer\.endpoints\(\) without labels/);
  });

  test('kube-dns: the cluster DNS pods only', () => {
    expect(reached(Peer.kubeDns(), ['pod:kube-system:k8s-app=kube-dns', 'pod:shop:k8s-app=kube-dns', 'pod:kube-system:k8s-app=coredns']))
      .toEqual({ 'pod:kube-system:k8s-app=kube-dns': 'allowed', 'pod:shop:k8s-app=kube-dns': 'denied', 'pod:kube-system:k8s-app=coredns': 'denied' });
  });

  test('a namespace: its pods with the labels, or all its pods', () => {
    expect(admitted(Peer.endpoints({ namespace: 'ops', labels: { app: 'client' } }), ['pod:ops:app=client', 'pod:shop:app=client', 'pod:ops:app=x']))
      .toEqual({ 'pod:ops:app=client': 'allowed', 'pod:shop:app=client': 'denied', 'pod:ops:app=x': 'denied' });
    expect(admitted(Peer.namespace('ops'), ['pod:ops:app=x', 'pod:ops:', 'pod:shop:app=x', 'pod:ops2:app=x']))
      .toEqual({ 'pod:ops:app=x': 'allowed', 'pod:ops:': 'allowed', 'pod:shop:app=x': 'denied', 'pod:ops2:app=x': 'denied' });
    expect(String(Peer.namespace('ops'))).not.toMatch(/policy namespace/);
  });

  test('every namespace: pods anywhere, not the host, nodes or the world', () => {
    expect(admitted(Peer.allNamespaces(), ['pod:shop:app=x', 'pod:kube-system:k8s-app=kube-dns', 'entity:host', 'entity:remote-node', 'cidr:192.0.2.1']))
      .toEqual({ 'pod:shop:app=x': 'allowed', 'pod:kube-system:k8s-app=kube-dns': 'allowed', 'entity:host': 'denied', 'entity:remote-node': 'denied', 'cidr:192.0.2.1': 'denied' });
    expect(admitted(Peer.endpoints({ allNamespaces: true, labels: { app: 'client' } }), ['pod:a:app=client', 'pod:b:app=client', 'pod:b:app=x']))
      .toEqual({ 'pod:a:app=client': 'allowed', 'pod:b:app=client': 'allowed', 'pod:b:app=x': 'denied' });
  });

  test('expressions, with or without labels', () => {
    const peer = Peer.endpoints({ expressions: [LabelExpression.in('tier', ['a', 'b'])] });
    expect(admitted(peer, ['pod:shop:tier=a', 'pod:shop:tier=b', 'pod:shop:tier=c', 'pod:other:tier=a']))
      .toEqual({ 'pod:shop:tier=a': 'allowed', 'pod:shop:tier=b': 'allowed', 'pod:shop:tier=c': 'denied', 'pod:other:tier=a': 'denied' });
    const both = Peer.endpoints({ labels: { app: 'client' }, expressions: [LabelExpression.notIn('tier', ['x'])] });
    expect(admitted(both, ['pod:shop:app=client,tier=y', 'pod:shop:app=client,tier=x', 'pod:shop:tier=y']))
      .toEqual({ 'pod:shop:app=client,tier=y': 'allowed', 'pod:shop:app=client,tier=x': 'denied', 'pod:shop:tier=y': 'denied' });
    // An expression on the namespace label names the namespace: no policy namespace is added.
    const namespaced = Peer.endpoints({ expressions: [LabelExpression.in('k8s:io.kubernetes.pod.namespace', ['a', 'b'])] });
    expect(admitted(namespaced, ['pod:a:app=x', 'pod:b:app=x', 'pod:shop:app=x']))
      .toEqual({ 'pod:a:app=x': 'allowed', 'pod:b:app=x': 'allowed', 'pod:shop:app=x': 'denied' });
  });

  test('expressions that only exclude a namespace: refused (the world and the host lack the label), pods only with allNamespaces', () => {
    // io.kubernetes.pod.namespace NotIn (kube-system) alone names the namespace, so no namespace is added, and it matches every
    // identity without the label: on 1.18 the world, the host and the remote nodes were admitted with the pods.
    const sources = ['pod:shop:app=x', 'pod:kube-system:app=x', 'cidr:192.0.2.1', 'entity:host', 'entity:remote-node'];
    for (const expression of [LabelExpression.notIn('io.kubernetes.pod.namespace', ['kube-system']),
      LabelExpression.notIn('k8s:io.kubernetes.pod.namespace', ['kube-system']), LabelExpression.doesNotExist('io.kubernetes.pod.namespace'),
      LabelExpression.notIn('io.cilium.k8s.namespace.labels.team', ['a'])]) {
      const peer = Peer.endpoints({ expressions: [expression] });
      for (const verb of ['allowIngress', 'allowEgress', 'denyIngress', 'denyEgress'] as const) {
        const c = chart('shop', CiliumVersion.V1_18);
        const policy = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
        const r = refusal(() => policy[verb](peer, { ports: [Port.tcp(443)] }));
        expect(r.id).toBe('peer-selector-only-excludes');
        expect(r.message).toMatch(/^\[test\/api\] (allow|deny)(Ingress|Egress)\(endpoints .*\): the endpoint selector only excludes .* the world, the host/);
        expect(r.message).toContain('add allNamespaces: true');
      }
    }
    // A peer of one's own, and a reserved key, the same.
    const own: IPeer = { toPeerConfig: () => ({ item: { endpoints: [{ matchExpressions: [{ key: 'reserved:host', operator: 'DoesNotExist' }] }] }, description: 'own' }) };
    expect(refusal(() => new CiliumPolicy(chart('shop'), 'api', {}).allowIngress(own)).id).toBe('peer-selector-only-excludes');
    // A reserved: key beside a pod label key: no namespace is added either, refused the same.
    const mixed = Peer.endpoints({ expressions: [LabelExpression.doesNotExist('reserved:host'), LabelExpression.notIn('app', ['x'])] });
    expect(refusal(() => new CiliumPolicy(chart('shop'), 'api', {}).allowIngress(mixed)).id).toBe('peer-selector-only-excludes');
    // Said with allNamespaces: pods outside kube-system, never the world or the host.
    const c = chart('shop', CiliumVersion.V1_18);
    new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
      .allowIngress(Peer.endpoints({ allNamespaces: true, expressions: [LabelExpression.notIn('io.kubernetes.pod.namespace', ['kube-system'])] }),
        { ports: [Port.tcp(443)] });
    expect(Object.fromEntries(sources.map((s) => [s, verdictOf(c, s, API, '443/TCP')]))).toEqual({
      'pod:shop:app=x': 'allowed', 'pod:kube-system:app=x': 'denied', 'cidr:192.0.2.1': 'denied', 'entity:host': 'denied', 'entity:remote-node': 'denied',
    });
    // An expression on another key gets the policy's namespace: pods of shop only, as before.
    expect(admitted(Peer.endpoints({ expressions: [LabelExpression.notIn('tier', ['x'])] }), ['pod:shop:tier=y', 'pod:other:tier=y', 'cidr:192.0.2.1', 'entity:host']))
      .toEqual({ 'pod:shop:tier=y': 'allowed', 'pod:other:tier=y': 'denied', 'cidr:192.0.2.1': 'denied', 'entity:host': 'denied' });
  });

  test('namespace labels: pods of namespaces carrying them, in any namespace', () => {
    const c = ingressFrom(Peer.endpoints({ namespaceLabels: { team: 'a' }, labels: { app: 'client' } }));
    const pod = (ns: string, team: string | undefined, app = 'client'): unknown =>
      ({ kind: 'pod', namespace: ns, labels: { app }, ...(team !== undefined ? { namespaceLabels: { team } } : {}) });
    expect(verdictOf(c, pod('x', 'a') as never, API, '443/TCP')).toBe('allowed');
    expect(verdictOf(c, pod('shop', 'b') as never, API, '443/TCP')).toBe('denied');
    expect(verdictOf(c, pod('shop', undefined) as never, API, '443/TCP')).toBe('denied');
    expect(verdictOf(c, pod('x', 'a', 'other') as never, API, '443/TCP')).toBe('denied');
    // Namespace labels alone: every pod of those namespaces.
    const all = ingressFrom(Peer.endpoints({ namespaceLabels: { team: 'a' } }));
    expect(verdictOf(all, pod('x', 'a', 'any') as never, API, '443/TCP')).toBe('allowed');
    expect(verdictOf(all, pod('y', 'b', 'any') as never, API, '443/TCP')).toBe('denied');
  });
});

describe('Peer.selectedBy: the pods of an endpoint selector', () => {
  test('a bad namespace is refused', () => {
    expect(refused(() => Peer.selectedBy(EndpointSelector.labels({ app: 'x' }), 'Bad'))).toMatch(/^namespace-name-syntax: [\s\S]*Peer\.selectedBy\(\) namespace/);
  });

  test('in the policy namespace, or in the one named', () => {
    const sel = EndpointSelector.labels({ app: 'client' });
    expect(admitted(Peer.selectedBy(sel), ['pod:shop:app=client', 'pod:other:app=client', 'pod:shop:app=x']))
      .toEqual({ 'pod:shop:app=client': 'allowed', 'pod:other:app=client': 'denied', 'pod:shop:app=x': 'denied' });
    expect(admitted(Peer.selectedBy(sel, 'other'), ['pod:shop:app=client', 'pod:other:app=client']))
      .toEqual({ 'pod:shop:app=client': 'denied', 'pod:other:app=client': 'allowed' });
  });

  test('with expressions, with or without labels', () => {
    const expr = EndpointSelector.of({ expressions: [LabelExpression.in('tier', ['a'])] });
    expect(admitted(Peer.selectedBy(expr, 'ops'), ['pod:ops:tier=a', 'pod:ops:tier=b', 'pod:shop:tier=a']))
      .toEqual({ 'pod:ops:tier=a': 'allowed', 'pod:ops:tier=b': 'denied', 'pod:shop:tier=a': 'denied' });
    expect(admitted(Peer.selectedBy(expr), ['pod:shop:tier=a', 'pod:shop:tier=b', 'pod:ops:tier=a']))
      .toEqual({ 'pod:shop:tier=a': 'allowed', 'pod:shop:tier=b': 'denied', 'pod:ops:tier=a': 'denied' });
  });
});

describe('entities, addresses and names', () => {
  test('an except outside its CIDR is refused; the CIDR itself, its sub-ranges and another family are not the same case', () => {
    expect(refused(() => Peer.cidr('10.0.0.0/16', { except: ['10.0.0.0/24', '10.0.0.0/8'] })))
      .toMatch(/^peer-except-outside: except 10\.0\.0\.0\/8 is not a sub-range of 10\.0\.0\.0\/16\n {2}fix: list only ranges inside 10\.0\.0\.0\/16 in except$/);
    expect(refused(() => Peer.cidr('10.0.0.0/16', { except: ['10.1.0.0/24'] }))).toMatch(/^peer-except-outside: except 10\.1\.0\.0\/24/);
    expect(refused(() => Peer.cidr('10.0.0.0/16', { except: ['2001:db8::/64'] }))).toMatch(/^peer-except-outside:/);
    // The CIDR itself lies inside: not outside, but a hole of the whole range (session 50: the peer selects no address).
    expect(refused(() => Peer.cidr('10.0.0.0/16', { except: ['10.0.0.0/16'] }))).toMatch(/^peer-except-covers-cidr:/);
  });

  test('the except list is read, not kept', () => {
    const except = ['10.0.1.0/24'];
    const peer = Peer.cidr('10.0.0.0/16', { except });
    except.push('10.0.2.0/24');
    expect(reached(peer, ['cidr:10.0.1.1', 'cidr:10.0.2.1'])).toEqual({ 'cidr:10.0.1.1': 'denied', 'cidr:10.0.2.1': 'allowed' });
  });

  test('a CIDR group by name', () => {
    const group = { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'partners' }, spec: { externalCIDRs: ['198.51.100.0/24'] } };
    expect(reached(Peer.cidrGroup('partners'), ['cidr:198.51.100.9', 'cidr:198.51.101.9'], [group]))
      .toEqual({ 'cidr:198.51.100.9': 'allowed', 'cidr:198.51.101.9': 'denied' });
  });

  test('an entity: that entity only', () => {
    expect(reached(Peer.entity(Entity.WORLD), ['cidr:192.0.2.1', 'entity:world', 'entity:host', 'pod:shop:app=x']))
      .toEqual({ 'cidr:192.0.2.1': 'allowed', 'entity:world': 'allowed', 'entity:host': 'denied', 'pod:shop:app=x': 'denied' });
    expect(reached(Peer.kubeApiServer(), ['entity:kube-apiserver', 'entity:host', 'cidr:192.0.2.1']))
      .toEqual({ 'entity:kube-apiserver': 'allowed', 'entity:host': 'denied', 'cidr:192.0.2.1': 'denied' });
    expect(String(Peer.entity(Entity.HOST))).toBe('entity host');
  });

  test('an exact DNS name, and a pattern', () => {
    expect(reached(Peer.fqdn('api.example.com'), ['fqdn:api.example.com@192.0.2.7', 'fqdn:x.api.example.com@192.0.2.7', 'cidr:192.0.2.7']))
      .toEqual({ 'fqdn:api.example.com@192.0.2.7': 'allowed', 'fqdn:x.api.example.com@192.0.2.7': 'denied', 'cidr:192.0.2.7': 'denied' });
    expect(reached(Peer.fqdnPattern('*.example.com'), ['fqdn:api.example.com@192.0.2.7', 'fqdn:example.com@192.0.2.7', 'fqdn:api.example.org@192.0.2.7']))
      .toEqual({ 'fqdn:api.example.com@192.0.2.7': 'allowed', 'fqdn:example.com@192.0.2.7': 'denied', 'fqdn:api.example.org@192.0.2.7': 'denied' });
    expect(refused(() => Peer.fqdn('*.example.com')))
      .toMatch(/^peer-fqdn-wildcard: Peer\.fqdn\("\*\.example\.com"\) is an exact name \(matchName\), but the name has a "\*"\n {2}fix: use Peer\.fqdnPattern\("\*\.example\.com"\) for a pattern$/);
    expect(refused(() => Peer.fqdn('api.*'))).toMatch(/^peer-fqdn-wildcard:/);
    // A non-string (plain JavaScript) is refused at the call since session 47 (`fqdn-syntax`); it was left to the CRD check at synthesis.
    expect(refused(() => Peer.fqdn(5 as unknown as string))).toMatch(/^fqdn-syntax: Peer\.fqdn is a number \(5\), not a string/);
  });

  // `except: []` was written as the plain CIDR (Cilium reads an empty ExceptCIDRs as no hole), so a list of holes computed
  // empty by mistake (filtered for the other family, say) let in the very ranges meant to be left out.
  test('an empty except list is refused (peer-except-empty), not written as the whole range; a hole keeps its addresses out', () => {
    expect(refused(() => Peer.cidr('10.0.0.0/16', { except: [] }))).toBe('peer-except-empty: Peer.cidr("10.0.0.0/16") except is an empty list: it '
      + 'leaves nothing out, so the whole range would be the peer (is a computed list empty by mistake?)\n'
      + '  fix: list the sub-ranges to leave out, or leave except out if all of 10.0.0.0/16 is meant: Peer.cidr("10.0.0.0/16")');
    expect(reached(Peer.cidr('10.0.0.0/16', { except: ['10.0.1.0/24'] }), ['cidr:10.0.5.5', 'cidr:10.0.1.1']))
      .toEqual({ 'cidr:10.0.5.5': 'allowed', 'cidr:10.0.1.1': 'denied' });
  });

  // Session 50: excepts that held the whole range were taken, and the peer selected no address: `denyEgress(Peer.cidr(
  // '10.0.0.0/8', { except: ['10.0.0.0/8'] }), 22/TCP)` denied nothing, and 10.1.2.3 stayed reachable on 22 by the allow.
  test('excepts that hold the whole range are refused (peer-except-covers-cidr): the peer would select no address, a deny deny nothing', () => {
    expect(refused(() => Peer.cidr('10.0.0.0/8', { except: ['10.0.0.0/8'] }))).toBe('peer-except-covers-cidr: Peer.cidr("10.0.0.0/8") except 10.0.0.0/8 '
      + 'holds every address of 10.0.0.0/8: the peer selects no address, so a deny rule would deny nothing and an allow rule allow nothing (Cilium '
      + 'selects the range less its excepts); yet a rule that selects nothing still makes its direction default-deny for the pods it applies to '
      + '(Cilium enforces a direction on every endpoint a rule of that direction selects, a deny rule too: pkg/policy/repository.go '
      + 'computePolicyEnforcementAndRules)\n  fix: list only the sub-ranges to leave out of 10.0.0.0/8; to name no address, leave the rule out and '
      + 'keep the direction default-deny where this rule was what made it so: isolateEgress() / isolateIngress() on the policy');
    expect(refused(() => Peer.cidr('10.0.0.0/8', { except: ['10.128.0.0/9', '10.0.0.0/9'] }))).toMatch(/^peer-except-covers-cidr: .* except 10\.128\.0\.0\/9, 10\.0\.0\.0\/9 hold every address/);
    expect(refused(() => Peer.cidr('2001:db8::/32', { except: ['2001:db8::/33', '2001:db8:8000::/33'] }))).toMatch(/^peer-except-covers-cidr:/);
    // Holes that leave a part: the deny holds that part only, on its port only.
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowEgress(Peer.cidr('10.0.0.0/8'));
    p.denyEgress(Peer.cidr('10.0.0.0/8', { except: ['10.0.0.0/9', '10.128.0.0/10'] }), { ports: [Port.tcp(22)] });
    expect(verdictOf(c, WEB, 'cidr:10.200.0.1', '22/TCP')).toBe('denied');
    expect(verdictOf(c, WEB, 'cidr:10.200.0.1', '443/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'cidr:10.1.2.3', '22/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'cidr:10.130.0.1', '22/TCP')).toBe('allowed');
  });

  test('a CIDR: its addresses, minus the excepts', () => {
    expect(reached(Peer.cidr('10.0.0.0/16'), ['cidr:10.0.5.5', 'cidr:10.1.0.1'])).toEqual({ 'cidr:10.0.5.5': 'allowed', 'cidr:10.1.0.1': 'denied' });
    expect(reached(Peer.cidr('10.0.0.0/16', { except: ['10.0.1.0/24', '10.0.2.0/24'] }), ['cidr:10.0.5.5', 'cidr:10.0.1.1', 'cidr:10.0.2.1', 'cidr:10.1.0.1']))
      .toEqual({ 'cidr:10.0.5.5': 'allowed', 'cidr:10.0.1.1': 'denied', 'cidr:10.0.2.1': 'denied', 'cidr:10.1.0.1': 'denied' });
    // An empty except list leaves nothing out: refused (peer-except-empty), below; `except` left out is the plain CIDR.
    // A CIDR or except no Cilium version takes is refused at the call (peer-cidr-syntax), not compared.
    expect(() => Peer.cidr('10.0.0.0/33', { except: ['10.0.0.0/8'] })).toThrow(/Peer\.cidr\(\) "10\.0\.0\.0\/33" is not a CIDR/);
    expect(() => Peer.cidr('10.0.0.0/8', { except: ['x'] })).toThrow(/Peer\.cidr\("10\.0\.0\.0\/8"\) except\[0\] "x" is not a CIDR/);
    expect(String(Peer.cidr('10.0.0.0/16', { except: ['10.0.1.0/24', '10.0.2.0/24'] }))).toBe('cidr 10.0.0.0/16 except 10.0.1.0/24, 10.0.2.0/24');
    expect(String(Peer.cidr('10.0.0.0/16'))).toBe('cidr 10.0.0.0/16');
  });
});

describe('Services and nodes', () => {
  const svc = (name: string, namespace: string, labels: Record<string, string> = {}): Record<string, unknown> =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { selector: { app: name }, ports: [{ port: 443 }] } });

  test('Service refusals: names that are no Service name, default/kubernetes, empty selectors', () => {
    for (const bad of ['Db', '1db', 'db-', '-db', 'd_b', '', 'a'.repeat(64)]) {
      expect(refused(() => Peer.service(bad)), bad).toMatch(new RegExp(`^peer-service-name-syntax: Peer\\.service\\(${JSON.stringify(bad)}\\) is not a Service name, so the rule would match nothing\\n {2}fix: use the Service's metadata\\.name`));
    }
    for (const ok of ['d', 'a'.repeat(63), 'db-1', 'a-b']) expect(String(Peer.service(ok)), ok).toBe(`service ${ok}`);
    expect(refused(() => Peer.service(5 as unknown as string))).toMatch(/^peer-service-name-syntax: Peer\.service\(5\)/);
    // A non-string whose text is a valid name (plain JavaScript) is refused too, not written as a list.
    expect(refused(() => Peer.service(['db'] as unknown as string))).toMatch(/^peer-service-name-syntax: Peer\.service\(\["db"\]\)/);
    expect(refused(() => Peer.service('db', 'Bad'))).toMatch(/^namespace-name-syntax: [\s\S]*Peer\.service\(\) namespace/);
    const apiServer = /^peer-kube-apiserver-service: Peer\.service\('kubernetes'\) is the API server[\s\S]*fix: use Peer\.kubeApiServer\(\)/;
    expect(refused(() => Peer.service('kubernetes'))).toMatch(apiServer);
    expect(refused(() => Peer.service('kubernetes', 'default'))).toMatch(apiServer);
    expect(refused(() => Peer.serviceSelector({ labels: {} }))).toMatch(/^selector-empty: [\s\S]*Peer\.serviceSelector\(\) labels/);
    expect(refused(() => Peer.serviceSelector({}))).toMatch(/^selector-empty: Peer\.serviceSelector\(\) without labels or expressions selects every Service/);
    expect(refused(() => Peer.serviceSelector({ expressions: [] }))).toMatch(/^selector-empty: Peer\.serviceSelector\(\) without labels or expressions/);
    expect(refused(() => Peer.serviceSelector({ labels: { a: 'b' }, namespace: 'Bad' }))).toMatch(/^namespace-name-syntax: [\s\S]*Peer\.serviceSelector\(\) namespace/);
  });

  test('nodes by labels: those nodes only, never the local host', () => {
    expect(reached(Peer.nodes({ role: 'db' }), ['node:role=db', 'node:role=web', 'node:kubernetes.io/hostname=n3', 'entity:host']))
      .toEqual({ 'node:role=db': 'allowed', 'node:role=web': 'denied', 'node:kubernetes.io/hostname=n3': 'denied', 'entity:host': 'denied' });
    // Another node without its labels: whether role=db selects it depends on them, so there is no verdict to assert.
    expect(() => reached(Peer.nodes({ role: 'db' }), ['entity:remote-node'])).toThrow(/ \(engine-node-labels-unknown\)\n {2}fix: give the node by its labels instead/);
    expect(refused(() => Peer.nodes({}))).toMatch(/^selector-empty: [\s\S]*Peer\.nodes\(\)[\s\S]*Peer\.entity\(Entity\.REMOTE_NODE\)/);
    expect(refused(() => Peer.nodes(undefined as unknown as Record<string, string>))).toMatch(/^selector-empty: /);
    expect(refused(() => Peer.cidrGroupSelector({}))).toMatch(/^selector-empty: [\s\S]*Peer\.cidrGroupSelector\(\)[\s\S]*Peer\.cidrGroup\(name\)/);
    expect(refused(() => Peer.cidrGroupSelector(undefined as unknown as Record<string, string>))).toMatch(/^selector-empty: /);
  });

  // Cilium gives node labels the source node (pkg/node nodeIdentityLabels): a `k8s:` key (or container:, a reserved label nodes do
  // not carry, a source of one's own) selected no node, so a deny of those nodes denied nothing, and the node kept its access.
  test.each(['k8s:role', 'container:role', 'reserved:role', '$role', 'example.com:role'])('nodes by the key %s: refused (peer-nodes-label-source)', (key) => {
    for (const verb of ['allowIngress', 'denyIngress', 'allowEgress', 'denyEgress'] as const) {
      const c = chart('shop', CiliumVersion.V1_16);
      const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      p.allowIngress(Peer.any());
      const r = refusal(() => p[verb](Peer.nodes({ [key]: 'untrusted' })));
      expect(r.id).toBe('peer-nodes-label-source');
      expect(r.message).toContain(`[test/p] ${verb}(nodes {${key}=untrusted}): the node selector key "${key}"`);
      expect(r.message).toContain('a deny would deny nothing');
      expect(r.message).toMatch(/fix: write the node label's key without a source \("[^"]*role"\) or with the node source \("node:[^"]*role"\)/);
      // Nothing was written: the node is still allowed in by the allow.
      expect(verdictOf(c, 'node:role=untrusted', 'pod:shop:app=web', '80/TCP', { nodeSelectorLabels: true })).toBe('allowed');
    }
  });

  test.each(['role', 'node:role', 'any:role'])('nodes by the key %s: a deny holds those nodes', (key) => {
    const c = chart('shop', CiliumVersion.V1_16);
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowIngress(Peer.any());
    p.denyIngress(Peer.nodes({ [key]: 'untrusted', 'k8s:io.cilium.k8s.policy.cluster': 'default' }));
    expect(verdictOf(c, 'node:role=untrusted', 'pod:shop:app=web', '80/TCP', { nodeSelectorLabels: true })).toBe('denied');
    expect(verdictOf(c, 'node:role=ok', 'pod:shop:app=web', '80/TCP', { nodeSelectorLabels: true })).toBe('allowed');
  });

  // Only entities carry reserved labels, and only pods the namespace the factories write in: `Peer.endpoints({ labels: { 'reserved:world':
  // '' } })` was written with the policy's namespace beside it and selected nothing, so a deny of it denied nothing (the world kept in).
  test.each<[string, () => IPeer, string]>([
    ['reserved:world', () => Peer.endpoints({ labels: { 'reserved:world': '' } }), 'use Peer.entity(Entity.WORLD)'],
    ['$host', () => Peer.endpoints({ namespace: 'shop', labels: { $host: '' } }), 'use Peer.entity(Entity.HOST)'],
    ['reserved.world', () => Peer.endpoints({ allNamespaces: true, labels: { 'reserved.world': '' } }), 'use Peer.entity(Entity.WORLD)'],
    ['reserved:remote-node Exists', () => Peer.endpoints({ namespace: 'shop', expressions: [LabelExpression.exists('reserved:remote-node')] }),
      'use Peer.entity(Entity.REMOTE_NODE)'],
    ['reserved:role', () => Peer.selectedBy(EndpointSelector.labels({ 'reserved:role': '' }), 'shop'), 'select entities with Peer.entity()'],
  ])('pods by the reserved label %s: refused (peer-endpoints-reserved-label)', (_key, peer, fix) => {
    const r = refusal(peer);
    expect(r.id).toBe('peer-endpoints-reserved-label');
    expect(r.message).toMatch(/^\[test\/constructs\/peer-verdicts\.test\.ts:\d+\] Peer\.(endpoints|selectedBy)\(\) requires the reserved label /);
    expect(r.message).toContain('an allow would let nobody in and a deny would deny nothing');
    expect(r.message).toContain(`fix: ${fix}`);
  });

  // Cilium reads everything before a key's first `:` as its source (pkg/labels ParseSource), and no pod label has a source but k8s
  // (a Kubernetes label key holds no `:`): `Peer.endpoints({ labels: { 'K8S:app': 'web' } })` selected no pod, so a deny of it denied nothing.
  test.each<[string, () => IPeer]>([
    ['K8S:app (a source in capitals)', () => Peer.endpoints({ labels: { 'K8S:app': 'web' } })],
    ['RESERVED:world', () => Peer.endpoints({ labels: { 'RESERVED:world': '' } })],
    ['node:role (a node label)', () => Peer.endpoints({ namespace: 'shop', labels: { 'node:role': 'edge' } })],
    ['example.com:team In', () => Peer.endpoints({ namespace: 'shop', expressions: [LabelExpression.in('example.com:team', ['a'])] })],
    ['cidr:10.0.0.0/8 by selectedBy', () => Peer.selectedBy(EndpointSelector.labels({ 'cidr:10.0.0.0/8': '' }), 'shop')],
    // A `:` left in the key after a pod label source: no Kubernetes label key holds one.
    ['k8s:app:x', () => Peer.endpoints({ namespace: 'shop', labels: { 'k8s:app:x': 'y' } })],
    ['a namespace label key with a ":"', () => Peer.endpoints({ namespaceLabels: { 'K8S:team': 'a' } })],
  ])('pods by %s: refused (peer-endpoints-label-source)', (_key, peer) => {
    const r = refusal(peer);
    expect(r.id).toBe('peer-endpoints-label-source');
    expect(r.message).toMatch(/^\[test\/constructs\/peer-verdicts\.test\.ts:\d+\] Peer\.(endpoints|selectedBy)\(\) requires the label "[^"]+", whose (source|key) /);
    expect(r.message).toContain('an allow would let nobody in and a deny would deny nothing');
    expect(r.message).toMatch(/fix: write the key without a source \("[^":]+"\) or with k8s:/);
  });

  test('the pod label sources stay accepted, and a deny of them holds the pods; excluding a foreign source stays accepted', () => {
    // `:app` has an empty source, which Cilium reads as any (pkg/labels GetExtendedKeyFrom).
    for (const key of ['app', 'k8s:app', 'any:app', 'container:app', ':app']) expect(() => Peer.endpoints({ labels: { [key]: 'web' } }), key).not.toThrow();
    expect(() => Peer.endpoints({ labels: { app: 'x' }, expressions: [LabelExpression.doesNotExist('K8S:app')] })).not.toThrow();
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowIngress(Peer.any());
    p.denyIngress(Peer.endpoints({ labels: { 'k8s:app': 'bad' } }));
    expect(verdictOf(c, 'pod:shop:app=bad', 'pod:shop:app=web', '80/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=ok', 'pod:shop:app=web', '80/TCP')).toBe('allowed');
    // What a foreign source wrote: the deny held no pod.
    p.denyIngress({ toPeerConfig: () => ({ item: { endpoints: [{ matchLabels: { 'K8S:app': 'ok', 'k8s:io.kubernetes.pod.namespace': 'shop' } }] },
      description: 'K8S:app=ok' }) });
    expect(verdictOf(c, 'pod:shop:app=ok', 'pod:shop:app=web', '80/TCP')).toBe('allowed');
  });

  test('what it would have written: a deny of the world as pods denied nothing; the entity denies it, and excluding a reserved label stays accepted', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    p.allowIngress(Peer.any());
    p.denyIngress({ toPeerConfig: () => ({ item: { endpoints: [{ matchLabels: { 'reserved:world': '', 'k8s:io.kubernetes.pod.namespace': 'shop' } }] },
      description: 'the world as pods' }) });
    expect(verdictOf(c, 'cidr:203.0.113.5', 'pod:shop:app=web', '80/TCP')).toBe('allowed');
    p.denyIngress(Peer.entity(Entity.WORLD));
    expect(verdictOf(c, 'cidr:203.0.113.5', 'pod:shop:app=web', '80/TCP')).toBe('denied');
    expect(() => Peer.endpoints({ labels: { app: 'x' }, expressions: [LabelExpression.doesNotExist('reserved:world')] })).not.toThrow();
  });

  test('CIDR groups by labels', () => {
    const group = (name: string, team: string, cidr: string): Record<string, unknown> =>
      ({ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name, labels: { team } }, spec: { externalCIDRs: [cidr] } });
    expect(reached(Peer.cidrGroupSelector({ team: 'a' }), ['cidr:198.51.100.9', 'cidr:203.0.113.9'], [group('g1', 'a', '198.51.100.0/24'), group('g2', 'b', '203.0.113.0/24')]))
      .toEqual({ 'cidr:198.51.100.9': 'allowed', 'cidr:203.0.113.9': 'denied' });
  });

  test('a Service by name: the pods it selects, in the policy namespace unless told', () => {
    const objects = [svc('db', 'shop'), svc('db', 'data'), svc('cache', 'shop')];
    expect(reached(Peer.service('db'), ['pod:shop:app=db', 'pod:data:app=db', 'pod:shop:app=cache'], objects))
      .toEqual({ 'pod:shop:app=db': 'allowed', 'pod:data:app=db': 'denied', 'pod:shop:app=cache': 'denied' });
    expect(reached(Peer.service('db', 'data'), ['pod:shop:app=db', 'pod:data:app=db'], objects))
      .toEqual({ 'pod:shop:app=db': 'denied', 'pod:data:app=db': 'allowed' });
    expect(String(Peer.service('db', 'data'))).toBe('service data/db');
    expect(String(Peer.service('db'))).toBe('service db');
    // The API server's Service outside the default namespace is an ordinary Service.
    expect(reached(Peer.service('kubernetes', 'ops'), ['pod:ops:app=kubernetes'], [svc('kubernetes', 'ops')])).toEqual({ 'pod:ops:app=kubernetes': 'allowed' });
  });

  test('Services by labels: in the policy namespace unless told', () => {
    const objects = [svc('db', 'shop', { tier: 'data' }), svc('db', 'data', { tier: 'data' }), svc('web', 'shop', { tier: 'front' })];
    expect(reached(Peer.serviceSelector({ labels: { tier: 'data' } }), ['pod:shop:app=db', 'pod:data:app=db', 'pod:shop:app=web'], objects))
      .toEqual({ 'pod:shop:app=db': 'allowed', 'pod:data:app=db': 'denied', 'pod:shop:app=web': 'denied' });
    expect(reached(Peer.serviceSelector({ labels: { tier: 'data' }, namespace: 'data' }), ['pod:shop:app=db', 'pod:data:app=db'], objects))
      .toEqual({ 'pod:shop:app=db': 'denied', 'pod:data:app=db': 'allowed' });
    expect(reached(Peer.serviceSelector({ expressions: [LabelExpression.in('tier', ['front'])] }), ['pod:shop:app=db', 'pod:shop:app=web'], objects))
      .toEqual({ 'pod:shop:app=db': 'denied', 'pod:shop:app=web': 'allowed' });
  });
});

describe('any peer, and the peer as a value', () => {
  test('the config a peer hands out is a copy', () => {
    const peer = Peer.endpoints({ labels: { app: 'client' } });
    const config = peer.toPeerConfig();
    (config.item.endpoints as { matchLabels: Record<string, string> }[])[0].matchLabels.app = 'other';
    expect(admitted(peer, ['pod:shop:app=client', 'pod:shop:app=other'])).toEqual({ 'pod:shop:app=client': 'allowed', 'pod:shop:app=other': 'denied' });
  });

  test('Peer.any(): every peer, on the ports only', () => {
    const c = egressTo(Peer.any());
    for (const to of ['pod:other:app=x', 'entity:host', 'cidr:192.0.2.1', 'entity:world']) {
      expect(verdictOf(c, WEB, to, '443/TCP'), to).toBe('allowed');
      expect(verdictOf(c, WEB, to, '80/TCP'), to).toBe('denied');
    }
    expect(String(Peer.any())).toBe('any peer');
  });

  test('a workload peer: the pods of the workload, read at synthesis', () => {
    const c = chart('shop');
    const deploy = new ApiObject(c, 'db', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db' }] } } },
    });
    const peer = Peer.workload(deploy);
    new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(peer, { ports: [Port.tcp(443)] });
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '443/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'pod:shop:app=web', '443/TCP')).toBe('denied');
    expect(String(peer)).toBe('test/db');
  });

  test('a workload peer is read at synthesis: a Service whose named target port is declared after the call', () => {
    const c = chart('shop');
    const svc = new ApiObject(c, 'db-svc', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { selector: { app: 'db' }, ports: [{ port: 80, targetPort: 'pg' }] },
    });
    // Egress to the Service without ports: its target port, which no workload of the app declares yet.
    new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.workload(svc));
    new ApiObject(c, 'db', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' },
      spec: { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'db', image: 'db', ports: [{ name: 'pg', containerPort: 5432 }] }] } } },
    });
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '80/TCP')).toBe('denied');
    expect(verdictOf(c, WEB, 'pod:shop:app=web', '5432/TCP')).toBe('denied');
    expect(String(Peer.endpoints({ labels: { app: 'x' } }))).toBe('endpoints {app=x} (policy namespace)');
  });
});
