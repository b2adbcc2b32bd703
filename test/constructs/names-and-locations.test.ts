// What a namespace name and a label map must be (src/constructs/names.ts), where a value factory's refusal says it was
// called from (src/constructs/caller-location.ts), and a CiliumPolicy's namespace (src/constructs/cilium-policy.ts):
// refusals by error id and location, and what the accepted values select, through engine verdicts. In the mutation test
// set (set `rules`). Every value is built inside a test.
import { describe, expect, test } from 'vitest';
import { ApiObject } from 'cdk8s';
import { Builtins, CiliumPolicy, DnsRule, EndpointSelector, LabelExpression, Peer, Port } from '../../src';
import { decidedBy } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';
import { thrown } from '../support/errors';

describe('namespace names', () => {
  test('a 63-character or a one-character RFC 1123 label is a namespace, 64 characters or a non-string is not', () => {
    const longest = `a${'b'.repeat(61)}c`;
    const c = chart('shop');
    new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(Peer.namespace(longest), { ports: [Port.tcp(80)] });
    expect(decidedBy(c, `pod:${longest}:app=x`, 'pod:shop:app=api', 80, 'ingress')).toBe('allowed api spec.ingress[0]');
    expect(decidedBy(c, 'pod:other:app=x', 'pod:shop:app=api', 80, 'ingress')).toBe('default-deny');
    expect(() => Peer.namespace('a')).not.toThrow();
    for (const bad of [`${longest}d`, 123, null, '', '-shop', 'shop-', 'Shop', 'a_b']) {
      expect(refusal(() => Peer.namespace(bad as never)).id, String(bad)).toBe('namespace-name-syntax');
    }
  });

  test('the fix suggests the lower-case, trimmed name when that one is valid, and only then', () => {
    expect(thrown(() => Peer.namespace(' Shop ')).message).toContain('(did you mean "shop"?)');
    expect(thrown(() => Peer.namespace('a_b')).message).not.toContain('did you mean');
    expect(thrown(() => Peer.namespace(7 as never)).message).not.toContain('did you mean');
  });

  test('a CiliumPolicy needs a namespace, its own or its chart\'s, and a valid one; the refusal names its construct path', () => {
    const none = thrown(() => new CiliumPolicy(chart(), 'p'));
    expect([none.id, none.location]).toEqual(['namespace-required', 'test/p']);
    const bad = thrown(() => new CiliumPolicy(chart('shop'), 'p', { namespace: 'Data' }));
    expect([bad.id, bad.location]).toEqual(['namespace-name-syntax', 'test/p']);
    const c = chart();
    const own = new CiliumPolicy(c, 'p', { namespace: 'data', endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    own.isolateIngress();
    expect([own.namespace, own.kind]).toEqual(['data', 'CiliumNetworkPolicy']);
    expect(decidedBy(c, 'pod:data:app=x', 'pod:data:app=api', 80, 'ingress')).toBe('default-deny');
  });
});

describe('label maps that would select everything', () => {
  test('an empty, null or non-object label map is refused; none given is not', () => {
    // Empty or null: a selector of everything. A string or a number is no label map at all (labels-not-map, session 52).
    for (const [labels, id] of [[{}, 'selector-empty'], [null, 'selector-empty'], ['app=web', 'labels-not-map'], [5, 'labels-not-map']] as [unknown, string][]) {
      expect(refusal(() => Peer.endpoints({ namespace: 'shop', labels: labels as never })).id, JSON.stringify(labels)).toBe(id);
      expect(refusal(() => EndpointSelector.labels(labels as never)).id, JSON.stringify(labels)).toBe(id);
    }
    const c = chart('shop');
    new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(Peer.endpoints({ namespace: 'shop' }), { ports: [Port.tcp(80)] });
    expect(decidedBy(c, 'pod:shop:app=x', 'pod:shop:app=api', 80, 'ingress')).toBe('allowed api spec.ingress[0]');
  });
});

describe('where a value factory was called from', () => {
  test('the refusal\'s location is the caller\'s file and line, relative to the working directory', () => {
    const [e, here] = [thrown(() => Port.tcp(0)), new Error().stack ?? ''];
    const line = /names-and-locations\.test\.ts:(\d+)/.exec(here)?.[1];
    expect(line).toBeDefined();
    expect(e.location).toBe(`test/constructs/names-and-locations.test.ts:${line}`);
    const [n, there] = [thrown(() => Peer.namespace('Shop')), new Error().stack ?? ''];
    expect(n.location).toBe(`test/constructs/names-and-locations.test.ts:${/names-and-locations\.test\.ts:(\d+)/.exec(there)?.[1]}`);
    const [l, labels] = [thrown(() => Peer.endpoints({ namespace: 'shop', labels: {} })), new Error().stack ?? ''];
    expect(l.location).toBe(`test/constructs/names-and-locations.test.ts:${/names-and-locations\.test\.ts:(\d+)/.exec(labels)?.[1]}`);
  });

  test('a factory that reads the caller\'s location only when it refuses still names the caller\'s file and line', () => {
    const at = (stack: string): string => `test/constructs/names-and-locations.test.ts:${/names-and-locations\.test\.ts:(\d+)/.exec(stack)?.[1]}`;
    // Each case with a stack made on its own line: the refusal names the line of the call.
    const cases: [string, () => unknown, string | undefined][] = [
      ['peer-unknown', () => Peer.workload({} as never), new Error().stack],
      ['selector-unknown', () => EndpointSelector.workload({} as never), new Error().stack],
      ['fqdn-ip-address', () => Peer.fqdn('10.0.0.1'), new Error().stack],
      ['fqdn-syntax', () => Peer.fqdn('https://api.example.com/v1'), new Error().stack],
      ['fqdn-pattern-version-dependent', () => Peer.fqdnPattern('**'), new Error().stack],
      ['fqdn-ip-address', () => Peer.fqdnPattern('10.0.0.*'), new Error().stack],
      ['fqdn-pattern-registrable', () => Peer.fqdnPattern('*.com'), new Error().stack],
      ['fqdn-syntax', () => DnsRule.exact('https://api.example.com/v1'), new Error().stack],
      ['fqdn-pattern-registrable', () => DnsRule.pattern('*.com'), new Error().stack],
      ['peer-cidr-syntax', () => Peer.cidr('10.0.0.0/33'), new Error().stack],
      ['peer-cidr-syntax', () => Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/33'] }), new Error().stack],
      ['peer-except-empty', () => Peer.cidr('10.0.0.0/8', { except: [] }), new Error().stack],
      ['peer-except-covers-cidr', () => Peer.cidr('10.0.0.0/8', { except: ['10.0.0.0/8'] }), new Error().stack],
    ];
    for (const [id, call, stack] of cases) {
      const e = thrown(call);
      expect([e.id, e.location], id).toEqual([id, at(stack ?? '')]);
    }
  });

  test('an accepted value is made without reading the stack (the location is read only for a refusal)', () => {
    const c = chart('shop');
    const deployment = new ApiObject(c, 'web', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
    });
    const original = Error.prepareStackTrace;
    let reads = 0;
    Error.prepareStackTrace = (error, frames): unknown => {
      reads++;
      return original ? original(error, frames) : `${String(error)}\n${frames.map((f) => `    at ${String(f)}`).join('\n')}`;
    };
    try {
      Peer.workload(deployment);
      EndpointSelector.workload(deployment);
      Peer.fqdn('api.example.com');
      Peer.fqdnPattern('*.example.com');
      DnsRule.exact('api.example.com');
      DnsRule.pattern('*.example.com');
      Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'] });
    } finally {
      Error.prepareStackTrace = original;
    }
    expect(reads).toBe(0);
  });
});

describe('how a peer describes its selector (in findings and refusals)', () => {
  test('labels as key=value, expressions as key, operator and values, namespace included', () => {
    expect(Peer.endpoints({ labels: { app: 'web', tier: 'front' }, namespace: 'shop' }).toString())
      .toBe('endpoints {app=web, tier=front, k8s:io.kubernetes.pod.namespace=shop}');
    expect(Peer.allNamespaces().toString()).toBe('endpoints {k8s:io.kubernetes.pod.namespace Exists}');
    expect(Peer.selectedBy(EndpointSelector.of({ expressions: [LabelExpression.in('tier', ['a', 'b'])] }), 'shop').toString())
      .toBe('endpoints {k8s:io.kubernetes.pod.namespace=shop, tier In (a,b)}');
  });
});

describe('Builtins, for hand-written policies', () => {
  test('allowHostProbes lets the node in on every port; allowDns lets lookups out to kube-dns on 53', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    Builtins.allowHostProbes(p.rule);
    Builtins.allowDns(p.rule);
    expect(decidedBy(c, 'entity:host', 'pod:shop:app=api', 8080, 'ingress')).toBe('allowed api spec.ingress[0]');
    expect(decidedBy(c, 'pod:shop:app=x', 'pod:shop:app=api', 8080, 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'pod:shop:app=api', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', 'egress')).toBe('allowed api spec.egress[0]');
    expect(decidedBy(c, 'pod:shop:app=api', 'pod:kube-system:k8s-app=kube-dns', '80/TCP', 'egress')).toBe('default-deny');
  });
});
