// What the engine does not evaluate — TLS server names (serverNames), TLS interception or an Envoy listener, mutual
// authentication — leaves every verdict as it was when only it changes: the diff says NOT COMPARED (counted by
// --fail-on either way) instead of an empty diff.
import { describe, expect, test } from 'vitest';
import { Connectivity } from '../../src/diff';
import { PolicySet } from '../../src/engine';

/** web reaching api on 443/TCP, with `extra` in the egress item and `portExtra` in its toPorts entry. */
function egress(extra: string, portExtra = ''): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }]${portExtra} }]
${extra}`;
}

function diff(base: string, head: string): ReturnType<typeof Connectivity.diff> {
  return Connectivity.diff(PolicySet.fromYaml(base, { file: 'base.yaml' }), PolicySet.fromYaml(head, { file: 'head.yaml' }));
}

describe('diff: changes the engine does not evaluate', () => {
  test('serverNames changed: no connection listed, NOT COMPARED either way', () => {
    const doc = diff(egress('', ', serverNames: [api.example.com]'), egress('', ', serverNames: [www.example.com]'));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared).toHaveLength(1);
    expect(doc.notCompared?.[0].text).toMatch(/^rules with TLS server names \(serverNames\).* differ between base and head \(1 added, 1 removed\)/);
    expect(doc.notCompared?.[0]).toMatchObject({ mayAllow: true, mayDeny: true });
  });

  test('mutual authentication added to an allow: NOT COMPARED (it may deny what it allowed)', () => {
    const doc = diff(egress(''), egress('    authentication: { mode: required }\n'));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared).toHaveLength(1);
    expect(doc.notCompared?.[0].text).toContain('mutual authentication');
    expect(doc.notCompared?.[0].text).toContain('(1 added)');
  });

  test('an Envoy listener or a TLS secret changed (nothing else): NOT COMPARED', () => {
    const listener = (name: string): string => egress('', `, listener: { envoyConfig: { kind: CiliumEnvoyConfig, name: cec }, name: ${name} }`);
    expect(diff(listener('l1'), listener('l2')).notCompared?.[0].text).toMatch(/^rules with TLS server names .* differ between base and head \(1 added, 1 removed\)/);
    const tls = (secret: string): string => egress('', `, terminatingTLS: { secret: { namespace: prod, name: ${secret} } }`);
    expect(diff(tls('a'), tls('b')).notCompared).toHaveLength(1);
    expect(diff(tls('a'), tls('a')).notCompared ?? []).toEqual([]);
  });

  test('authentication mode disabled added: nothing is restricted, nothing not compared', () => {
    const doc = diff(egress(''), egress('    authentication: { mode: disabled }\n'));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared ?? []).toEqual([]);
  });

  test('the same serverNames and authentication on both sides: an empty diff with nothing not compared', () => {
    const same = egress('    authentication: { mode: required }\n', ', serverNames: [api.example.com]');
    const doc = diff(same, same.replace('name: web,', 'name: web-renamed,'));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared ?? []).toEqual([]);
  });
});

describe('report: allows the engine does not evaluate are noted', () => {
  test('an item with serverNames: its connections listed as allowed, with a note naming the item', () => {
    const doc = Connectivity.report(PolicySet.fromYaml(egress('', ', serverNames: [api.example.com]'), { file: 'p.yaml' }));
    expect(doc.notJudged?.map((n) => n.text)).toEqual([
      '1 allow rule item (prod/web spec.egress[0]) restrict TLS server names (serverNames), intercept TLS, use an Envoy '
      + 'listener or require mutual authentication, which the engine does not evaluate: the connections they allow are '
      + 'listed without those restrictions; review them by hand',
    ]);
  });

  test('none of them: no note', () => {
    expect(Connectivity.report(PolicySet.fromYaml(egress(''), { file: 'p.yaml' })).notJudged).toBeUndefined();
  });
});
