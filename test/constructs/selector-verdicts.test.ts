// What each `EndpointSelector`, `NodeSelector` and `LabelExpression` factory selects, through engine verdicts: a policy
// that admits only `app=client` on 80/TCP puts exactly the pods (or nodes) it selects into ingress default deny, so a
// pod it selects refuses `app=other` and a pod it does not select (no policy) admits it. Every refusal by its error id.
// In the mutation test set (vitest.mutation.config.mts, set `rules`): they kill the mutants of src/constructs/selector.ts.
// Every value is built inside a test (a value built while the file is collected hides its mutants from Stryker).
import { ApiObject, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  CiliumPolicy, ClusterwidePolicy, EndpointSelector, IEndpointSelector, INodeSelector, IPeer, LabelExpression, NodeSelector, Peer, Port, TieredApp,
  HostFirewall, MetadataEndpointBlock,
} from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal, synthFailure } from '../support/synth';

/** For each pod of namespace `shop` (by its labels), whether the policy with `selector` applies to it. */
function selects(selector: IEndpointSelector, pods: string[]): Record<string, boolean> {
  const c = chart('shop');
  new CiliumPolicy(c, 'p', { endpointSelector: selector })
    .allowIngress(Peer.endpoints({ labels: { app: 'client' } }), { ports: [Port.tcp(80)] });
  return Object.fromEntries(pods.map((p) => {
    const other = verdictOf(c, 'pod:shop:app=other', `pod:shop:${p}`, '80/TCP');
    // The client is admitted either way: the policy admits it, and a pod without policy admits everyone.
    expect(verdictOf(c, 'pod:shop:app=client', `pod:shop:${p}`, '80/TCP'), p).toBe('allowed');
    return [p, other === 'denied'];
  }));
}

/** For each node (by its labels), whether the host policy with `selector` applies to it. */
function selectsNodes(selector: INodeSelector, nodes: string[]): Record<string, boolean> {
  const c = chart();
  new ClusterwidePolicy(c, 'h', { nodeSelector: selector }).allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
  return Object.fromEntries(nodes.map((n) => [n, verdictOf(c, 'cidr:192.0.2.1', `node:${n}`, '22/TCP', { hostFirewall: true }) === 'denied']));
}

describe('EndpointSelector', () => {
  test('refusals: empty label maps and options that select everything, pointing to EndpointSelector.all()', () => {
    for (const run of [() => EndpointSelector.labels({}), () => EndpointSelector.labels(undefined as unknown as Record<string, string>),
      () => EndpointSelector.of({}), () => EndpointSelector.of({ labels: {} }), () => EndpointSelector.of({ expressions: [] }),
      () => EndpointSelector.of({ labels: {}, expressions: [LabelExpression.exists('app')] })]) {
      const r = refusal(run);
      expect(r.id).toBe('selector-empty');
      expect(r.message).toMatch(/every endpoint is meant, say so with EndpointSelector\.all\(\)/);
    }
  });

  test('labels: the pods carrying all of them', () => {
    expect(selects(EndpointSelector.labels({ app: 'api', tier: 'back' }), ['app=api,tier=back', 'app=api', 'app=api,tier=front', 'app=web']))
      .toEqual({ 'app=api,tier=back': true, 'app=api': false, 'app=api,tier=front': false, 'app=web': false });
  });

  test('the label map is read, not kept', () => {
    const labels: Record<string, string> = { app: 'api' };
    const selector = EndpointSelector.labels(labels);
    labels.app = 'web';
    expect(selects(selector, ['app=api', 'app=web'])).toEqual({ 'app=api': true, 'app=web': false });
    const model = selector.toEndpointSelector();
    (model.matchLabels as Record<string, string>).app = 'web';
    expect(selects(selector, ['app=api', 'app=web'])).toEqual({ 'app=api': true, 'app=web': false });
  });

  test('of: labels and expressions, ANDed; expressions alone', () => {
    expect(selects(EndpointSelector.of({ labels: { app: 'api' }, expressions: [LabelExpression.in('tier', ['back', 'mid'])] }),
      ['app=api,tier=back', 'app=api,tier=mid', 'app=api,tier=front', 'app=web,tier=back']))
      .toEqual({ 'app=api,tier=back': true, 'app=api,tier=mid': true, 'app=api,tier=front': false, 'app=web,tier=back': false });
    expect(selects(EndpointSelector.of({ expressions: [LabelExpression.exists('tier')] }), ['app=api,tier=x', 'app=api']))
      .toEqual({ 'app=api,tier=x': true, 'app=api': false });
    // Labels with an empty expression list: refused (below), not the labels alone.
  });

  // `expressions: []` beside labels was dropped: the selector required its labels only, so exclusions computed empty by
  // mistake were lost (app=api,tier=canary selected); Peer.endpoints alone refused it. One check now (checkExpressionList).
  test('an empty expressions list beside labels is refused (selector-empty) by every factory, not dropped', () => {
    for (const [what, run] of [
      ['EndpointSelector.of()', () => EndpointSelector.of({ labels: { app: 'api' }, expressions: [] })],
      ['NodeSelector.of()', () => NodeSelector.of({ labels: { role: 'edge' }, expressions: [] })],
      ['Peer.serviceSelector()', () => Peer.serviceSelector({ labels: { app: 'db' }, expressions: [] })],
      ['Peer.endpoints()', () => Peer.endpoints({ labels: { app: 'api' }, expressions: [] })],
    ] as const) {
      const r = refusal(run);
      expect(r.id, what).toBe('selector-empty');
      expect(r.message, what).toContain(`${what} got an empty expressions list: it would be dropped, and the selector would require its other labels only`);
    }
    // With the exclusion given: the canary is kept out, the rest of app=api selected.
    expect(selects(EndpointSelector.of({ labels: { app: 'api' }, expressions: [LabelExpression.notIn('tier', ['canary'])] }),
      ['app=api', 'app=api,tier=canary', 'app=web'])).toEqual({ 'app=api': true, 'app=api,tier=canary': false, 'app=web': false });
  });

  // The same list answered by a selector or peer of one's own (`matchExpressions: []`) was accepted and dropped (`Peer.selectedBy`,
  // a policy's subject, a TieredApp tier) or written as-is (a custom peer), which Cilium reads as no requirement: one check now,
  // in the shared check of selectors of one's own (`checkOwnSelectorShape`, the custom peers' and the subject's), as the factories'.
  test('an empty matchExpressions list answered by a selector or peer of one\'s own is refused (selector-empty) too, not dropped', () => {
    const said = 'an empty matchExpressions list: it would be dropped, and the selector would require its other labels only (is a computed list empty by mistake?)';
    const own: IEndpointSelector = { toEndpointSelector: () => ({ matchLabels: { app: 'api' }, matchExpressions: [] }) };
    const ownNodes: INodeSelector = { toNodeSelector: () => ({ matchLabels: { role: 'edge' }, matchExpressions: [] }) };
    const selected = refusal(() => Peer.selectedBy(own, 'edge'));
    expect(selected.id).toBe('selector-empty');
    expect(selected.message).toContain(`Peer.selectedBy(): the endpoint selector of one's own answered {"matchLabels":{"app":"api"},"matchExpressions":[]} with ${said}`);
    expect(selected.message).toContain('fix: leave matchExpressions out, or give at least one requirement');
    // A TieredApp tier of that selector: refused when the app is made (its peer is Peer.selectedBy of it).
    expect(refusal(() => new TieredApp(chart('shop'), 'app', { tiers: [{ name: 'api', selector: own, ports: [Port.tcp(8080)] }] }))).toMatchObject({
      id: 'selector-empty', message: expect.stringContaining(said),
    });
    // The other constructs that take a selector of one's own (the shared check): refused when made.
    for (const run of [() => new MetadataEndpointBlock(chart(), 'block', { namespaces: ['shop'], endpointSelector: own }),
      () => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.0/24'], nodeSelector: ownNodes })]) {
      expect(refusal(run)).toMatchObject({ id: 'selector-empty', message: expect.stringContaining(`"matchExpressions":[]} with ${said}`) });
    }
    // A policy's subject: the synthesis fails (the rule applied to app=api,tier=canary), for pods and for nodes.
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: own }).allowIngress(Peer.endpoints({ labels: { app: 'client' } }), { ports: [Port.tcp(80)] });
    expect(synthFailure(c)).toContain(`spec.endpointSelector: the endpoint selector of one's own answered {"matchLabels":{"app":"api"},"matchExpressions":[]} with ${said}`);
    const h = chart();
    new ClusterwidePolicy(h, 'h', { nodeSelector: ownNodes }).allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
    expect(synthFailure(h)).toMatch(/spec\.nodeSelector: the node selector of one's own answered .* with an empty matchExpressions list.*\(selector-empty\)/);
    // A custom peer: refused at the call, and nothing is added (app=db,tier=canary stays out).
    const d = chart('shop');
    const rule = new CiliumPolicy(d, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    rule.allowIngress(Peer.endpoints({ labels: { app: 'client' } }), { ports: [Port.tcp(80)] });
    const db: IPeer = { toPeerConfig: () => ({ item: { endpoints: [{ matchLabels: { app: 'db' }, matchExpressions: [] }] }, description: 'db' }) };
    for (const [field, peer] of [
      ['endpoints[0]', db],
      ['nodes[0]', { toPeerConfig: () => ({ item: { nodes: [{ matchLabels: { role: 'edge' }, matchExpressions: [] }] }, description: 'db' }) }],
      ['cidrSet[0].cidrGroupSelector', { toPeerConfig: () => ({ item: { cidrSet: [{ cidrGroupSelector: { matchLabels: { a: 'b' }, matchExpressions: [] } }] },
        description: 'db' }) }],
      ['services[0].k8sServiceSelector.selector', { toPeerConfig: () => ({
        item: { services: [{ k8sServiceSelector: { selector: { matchLabels: { app: 'db' }, matchExpressions: [] }, namespace: 'shop' } }] }, description: 'db' }) }],
    ] as const) {
      expect(refusal(() => rule.allowIngress(peer, { ports: [Port.tcp(80)] })), field).toMatchObject({
        id: 'selector-empty', message: expect.stringContaining(`allowIngress(db): the peer's ${field} has ${said}`),
      });
    }
    expect(verdictOf(d, 'pod:shop:app=db,tier=canary', 'pod:shop:app=api', '80/TCP')).toBe('denied');
    expect(verdictOf(d, 'pod:shop:app=client', 'pod:shop:app=api', '80/TCP')).toBe('allowed');
  });

  test('all: every pod of the policy namespace', () => {
    expect(selects(EndpointSelector.all(), ['app=api', 'app=web'])).toEqual({ 'app=api': true, 'app=web': true });
    expect(EndpointSelector.all().toEndpointSelector()).toEqual({});
  });

  test('workload: the pods of the workload, read at synthesis', () => {
    const c = chart('shop');
    const deploy = new ApiObject(c, 'api', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' },
      spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'a', image: 'a' }] } } },
    });
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.workload(deploy) })
      .allowIngress(Peer.endpoints({ labels: { app: 'client' } }), { ports: [Port.tcp(80)] });
    expect(verdictOf(c, 'pod:shop:app=other', 'pod:shop:app=api', '80/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=other', 'pod:shop:app=web', '80/TCP')).toBe('allowed');
    expect(refusal(() => EndpointSelector.workload({} as never)).id).toBe('selector-unknown');
  });

  test('contract: the selector is written as given, without an empty matchLabels or matchExpressions', () => {
    const tier = (): LabelExpression => LabelExpression.in('tier', ['a']);
    expect(EndpointSelector.of({ expressions: [tier()] }).toEndpointSelector()).toEqual({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] });
    expect(NodeSelector.of({ expressions: [LabelExpression.exists('role')] }).toNodeSelector()).toEqual({ matchExpressions: [{ key: 'role', operator: 'Exists' }] });
  });
});

describe('expressions that are not a list of LabelExpressions (plain JavaScript)', () => {
  test('one expression instead of a list: refused (it was dropped, and the selector selected every pod, node or Service)', () => {
    const one = (): LabelExpression[] => LabelExpression.in('tier', ['api']) as unknown as LabelExpression[];
    for (const run of [() => EndpointSelector.of({ expressions: one() }), () => NodeSelector.of({ expressions: one() }),
      () => Peer.serviceSelector({ expressions: one(), namespace: 'shop' }), () => Peer.endpoints({ expressions: one() })]) {
      const r = refusal(run);
      expect(r.id).toBe('selector-expressions-invalid');
      expect(r.message).toMatch(/expressions is a single LabelExpression, not a list: it would be dropped, and a selector without labels then selects every/);
    }
    // What the selector meant: the tier=api pods only (the single expression had made the policy apply to every pod of shop).
    expect(selects(EndpointSelector.of({ expressions: [LabelExpression.in('tier', ['api'])] }), ['tier=api', 'tier=web']))
      .toEqual({ 'tier=api': true, 'tier=web': false });
  });

  test('a list holding something else than a LabelExpression: refused, not a TypeError', () => {
    const plain = [{ key: 'tier', operator: 'Exists' }] as unknown as LabelExpression[];
    for (const [run, shown] of [[() => EndpointSelector.of({ expressions: plain }), 'the object {"key":"tier","operator":"Exists"}'],
      [() => Peer.endpoints({ expressions: [LabelExpression.exists('a'), null as unknown as LabelExpression] }), 'null (null)']] as const) {
      const r = refusal(run);
      expect(r.id).toBe('selector-expressions-invalid');
      expect(r.message).toContain(`] is ${shown}, not a LabelExpression`);
    }
  });
});

describe('LabelExpression', () => {
  test('in, notIn, exists, doesNotExist', () => {
    const pods = ['app=api,tier=a', 'app=api,tier=b', 'app=api,tier=c', 'app=api'];
    expect(selects(EndpointSelector.of({ expressions: [LabelExpression.in('tier', ['a', 'b'])] }), pods))
      .toEqual({ 'app=api,tier=a': true, 'app=api,tier=b': true, 'app=api,tier=c': false, 'app=api': false });
    expect(selects(EndpointSelector.of({ labels: { app: 'api' }, expressions: [LabelExpression.notIn('tier', ['a', 'b'])] }), pods))
      .toEqual({ 'app=api,tier=a': false, 'app=api,tier=b': false, 'app=api,tier=c': true, 'app=api': true });
    expect(selects(EndpointSelector.of({ expressions: [LabelExpression.exists('tier')] }), pods))
      .toEqual({ 'app=api,tier=a': true, 'app=api,tier=b': true, 'app=api,tier=c': true, 'app=api': false });
    expect(selects(EndpointSelector.of({ labels: { app: 'api' }, expressions: [LabelExpression.doesNotExist('tier')] }), pods))
      .toEqual({ 'app=api,tier=a': false, 'app=api,tier=b': false, 'app=api,tier=c': false, 'app=api': true });
  });

  test('a value that is not a string (undefined from plain JavaScript or a config file) is refused at the call, naming the value', () => {
    // It was written as `values: [null]` (or [5]) and passed the synthesis; the API server rejects it on apply. Session 52:
    // refused where it is given (it was refused at synthesis, by the CRD check, since session 47).
    for (const [value, shown] of [[undefined, 'undefined'], [null, 'null'], [5, 'a number (5)']] as const) {
      expect(() => LabelExpression.notIn('tier', [value as unknown as string]))
        .toThrow(`LabelExpression.notIn('tier') values[0] is ${shown}, not a label value (list-entry-invalid)`);
    }
  });

  test('a label value left undefined or null in matchLabels: said missing, and the fix is not to quote it (a literal "undefined" label)', () => {
    for (const [value, shown] of [[undefined, 'label role has no value (undefined); the CRD wants a string'], [null, 'label role null is null; the CRD wants a string']] as const) {
      const c = chart('shop');
      const own: IEndpointSelector = { toEndpointSelector: () => ({ matchLabels: { app: 'api', role: value as unknown as string } }) };
      new CiliumPolicy(c, 'p', { endpointSelector: own }).allowIngress(Peer.endpoints({ labels: { app: 'client' } }), { ports: [Port.tcp(80)] });
      const failure = synthFailure(c);
      expect(failure).toContain(`spec.endpointSelector.matchLabels.role: ${shown} (crd-type)`);
      expect(failure).toContain('give role a string value, or remove the key');
      expect(failure).not.toContain('quote the value');
    }
  });

  test('the values are read, not kept', () => {
    const values = ['a'];
    const expression = LabelExpression.in('tier', values);
    values.push('b');
    const selector = EndpointSelector.of({ expressions: [expression] });
    const model = selector.toEndpointSelector();
    (model.matchExpressions?.[0].values as string[]).push('c');
    expect(selects(selector, ['tier=a', 'tier=b', 'tier=c'])).toEqual({ 'tier=a': true, 'tier=b': false, 'tier=c': false });
  });

  test('refusals: no values for in and notIn (notIn would mean any value)', () => {
    for (const run of [() => LabelExpression.in('tier', []), () => LabelExpression.in('tier', undefined as unknown as string[])]) {
      const r = refusal(run);
      expect(r.id).toBe('selector-empty');
      expect(r.message).not.toMatch(/any value/);
      expect(r.message).toMatch(/list the values, or use LabelExpression\.exists\('tier'\)/);
    }
    const r = refusal(() => LabelExpression.notIn('tier', []));
    expect(r.id).toBe('selector-empty');
    expect(r.message).toMatch(/it would mean "any value"/);
    expect(r.message).toMatch(/list the values to exclude/);
  });
});

describe('NodeSelector', () => {
  test('labels, of, all: the nodes a host policy applies to', () => {
    const nodes = ['role=db,zone=a', 'role=db,zone=b', 'role=web,zone=a'];
    expect(selectsNodes(NodeSelector.labels({ role: 'db' }), nodes)).toEqual({ 'role=db,zone=a': true, 'role=db,zone=b': true, 'role=web,zone=a': false });
    expect(selectsNodes(NodeSelector.of({ labels: { role: 'db' }, expressions: [LabelExpression.in('zone', ['a'])] }), nodes))
      .toEqual({ 'role=db,zone=a': true, 'role=db,zone=b': false, 'role=web,zone=a': false });
    expect(selectsNodes(NodeSelector.of({ expressions: [LabelExpression.notIn('role', ['db'])] }), nodes))
      .toEqual({ 'role=db,zone=a': false, 'role=db,zone=b': false, 'role=web,zone=a': true });
    expect(selectsNodes(NodeSelector.all(), nodes)).toEqual({ 'role=db,zone=a': true, 'role=db,zone=b': true, 'role=web,zone=a': true });
  });

  test('the label map is read, not kept', () => {
    const labels: Record<string, string> = { role: 'db' };
    const selector = NodeSelector.labels(labels);
    labels.role = 'web';
    (selector.toNodeSelector().matchLabels as Record<string, string>).role = 'web';
    expect(selectsNodes(selector, ['role=db', 'role=web'])).toEqual({ 'role=db': true, 'role=web': false });
  });

  test('refusals point to NodeSelector.all()', () => {
    for (const run of [() => NodeSelector.labels({}), () => NodeSelector.labels(undefined as unknown as Record<string, string>),
      () => NodeSelector.of({}), () => NodeSelector.of({ expressions: [] })]) {
      const r = refusal(run);
      expect(r.id).toBe('selector-empty');
      expect(r.message).toMatch(/every node is meant, say so with NodeSelector\.all\(\)/);
    }
  });
});

// A selector two of whose requirements no label set satisfies together selects nothing: a deny of it denied nothing, and a
// subject so written put no pod into default deny. It was accepted by every factory (Cilium ANDs the requirements, and a
// label has one value); now refused (`selector-contradictory`), naming the two requirements.
describe('a selector that contradicts itself is refused (it selects nothing)', () => {
  test('as a deny\'s peer: app=db with app NotIn (db) denied nothing (db allowed); refused; the deny of app=db denies db only', () => {
    const contradicting = () => Peer.endpoints({ namespace: 'o', labels: { app: 'db' }, expressions: [LabelExpression.notIn('app', ['db'])] });
    const r = refusal(contradicting);
    expect(r.id).toBe('selector-contradictory');
    expect(r.message).toContain('Peer.endpoints() requires app In (db) and app NotIn (db), which no label set satisfies together: the selector would select nothing');
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    p.allowEgress(Peer.namespace('o'), { ports: [Port.tcp(5432)] });
    p.denyEgress(Peer.endpoints({ namespace: 'o', labels: { app: 'db' } }), { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=db', '5432/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=web', '5432/TCP')).toBe('allowed');
  });

  test('as a subject: In with disjoint values, Exists with DoesNotExist: refused; a consistent one selects its pods only', () => {
    for (const run of [
      () => EndpointSelector.of({ expressions: [LabelExpression.in('app', ['api']), LabelExpression.in('app', ['web'])] }),
      () => EndpointSelector.of({ labels: { app: 'api' }, expressions: [LabelExpression.doesNotExist('app')] }),
      () => EndpointSelector.of({ expressions: [LabelExpression.exists('tier'), LabelExpression.doesNotExist('tier')] }),
      () => NodeSelector.of({ labels: { pool: 'edge' }, expressions: [LabelExpression.notIn('pool', ['edge'])] }),
      () => Peer.serviceSelector({ namespace: 'o', labels: { app: 'db' }, expressions: [LabelExpression.in('app', ['web'])] }),
    ]) expect(refusal(run).id).toBe('selector-contradictory');
    expect(selects(EndpointSelector.of({ labels: { app: 'api' }, expressions: [LabelExpression.in('app', ['api', 'web'])] }),
      ['app=api', 'app=web', 'app=other'])).toEqual({ 'app=api': true, 'app=web': false, 'app=other': false });
  });

  test('a selector of one\'s own (Peer.selectedBy) answering app=db with app NotIn (db): refused as the factories refuse it', () => {
    const own = (matchExpressions: { key: string; operator: string; values?: string[] }[]): IEndpointSelector =>
      ({ toEndpointSelector: () => ({ matchLabels: { app: 'db' }, matchExpressions }) });
    const r = refusal(() => Peer.selectedBy(own([{ key: 'app', operator: 'NotIn', values: ['db'] }]), 'o'));
    expect(r.id).toBe('selector-contradictory');
    expect(r.message).toContain('which requires app In (db) and app NotIn (db), which no label set satisfies together');
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    p.allowEgress(Peer.namespace('o'), { ports: [Port.tcp(5432)] });
    p.denyEgress(Peer.selectedBy(own([{ key: 'tier', operator: 'NotIn', values: ['canary'] }]), 'o'), { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=db', '5432/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=db,tier=canary', '5432/TCP')).toBe('allowed');
  });

  test('a subject of one\'s own (CiliumPolicy endpointSelector, ClusterwidePolicy nodeSelector) that contradicts itself: refused at synthesis', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: { toEndpointSelector: () => ({ matchLabels: { app: 'db' }, matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }) } })
      .allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)] });
    expect(synthFailure(c)).toMatch(/requires app In \(db\) and app NotIn \(db\), which no label set satisfies together/);
    const n = chart();
    new ClusterwidePolicy(n, 'p', { nodeSelector: { toNodeSelector: () => ({ matchExpressions: [{ key: 'pool', operator: 'Exists' }, { key: 'pool', operator: 'DoesNotExist' }] }) } })
      .allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
    expect(synthFailure(n)).toMatch(/requires pool Exists and pool DoesNotExist/);
    // A consistent one of one's own selects its pods: app=db admits b on 80 only.
    const ok = chart('shop');
    new CiliumPolicy(ok, 'p', { endpointSelector: { toEndpointSelector: () => ({ matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] }) } })
      .allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)] });
    expect(verdictOf(ok, 'pod:shop:app=b', 'pod:shop:app=db', '80/TCP')).toBe('allowed');
    expect(verdictOf(ok, 'pod:shop:app=b', 'pod:shop:app=db', '81/TCP')).toBe('denied');
  });

  test('a selector of one\'s own with In/NotIn and no values (empty or left out): refused, not a TypeError (the API server refuses it)', () => {
    const sel = (values: string[] | undefined) => ({ matchExpressions: [{ key: 'app', operator: 'In', ...(values ? { values } : {}) }] });
    const notIn = { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [] }] };
    for (const run of [
      () => Peer.selectedBy({ toEndpointSelector: () => sel([]) } as unknown as IEndpointSelector, 'shop'),
      () => Peer.selectedBy({ toEndpointSelector: () => sel(undefined) } as unknown as IEndpointSelector, 'shop'),
      () => Peer.selectedBy({ toEndpointSelector: () => notIn } as unknown as IEndpointSelector, 'shop'),
      () => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.50.0.0/24'], nodeSelector: { toNodeSelector: () => sel([]) } as unknown as INodeSelector }),
      () => new MetadataEndpointBlock(chart(), 'm', { namespaces: ['shop'], endpointSelector: { toEndpointSelector: () => sel(undefined) } as unknown as IEndpointSelector }),
    ]) {
      const r = refusal(run);
      expect(r.id).toBe('selector-unknown');
      expect(r.message).toMatch(/needs a non-empty values list/);
    }
    // As a policy's subject (the selector is read when the rule is written): refused at synthesis.
    const block = chart('shop');
    new MetadataEndpointBlock(block, 'm', { namespace: 'shop', endpointSelector: { toEndpointSelector: () => sel(undefined) } as unknown as IEndpointSelector });
    expect(synthFailure(block)).toMatch(/selector-unknown[\s\S]*needs a non-empty values list|needs a non-empty values list/);
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    p.allowEgress(Peer.selectedBy({ toEndpointSelector: () => ({ matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }) }, 'o'),
      { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=web', '5432/TCP')).toBe('denied');
  });
  // Session 47: an operator the CRD's enum refuses (In, NotIn, Exists, DoesNotExist: Cilium's slim LabelSelectorRequirement)
  // was read as a requirement no label meets and refused as selector-contradictory ("requires app Foo (db) and app Exists,
  // which no label set satisfies together"), a claim about a selector the API server never stores. Review mends: every entry
  // point that takes a selector of one's own refuses it with the fix of the operator (a custom peer said "or leave it out",
  // which would select more; a BigInt was a TypeError), and nothing of it is written.
  describe('a selector of one\'s own with an operator or values the CRD refuses: refused at every entry point, with its fix, nothing written', () => {
    const GENERIC = 'use one of In, NotIn, Exists, DoesNotExist';
    const cases: [string, unknown, unknown, string, string][] = [
      ['in', 'in', ['db'], 'the operator a string ("in")', 'write In'],
      ['notin', 'notin', ['db'], 'the operator a string ("notin")', 'write NotIn'],
      ['Foo', 'Foo', ['db'], 'the operator a string ("Foo")', GENERIC],
      ['5', 5, ['db'], 'the operator a number (5)', `${GENERIC}, as a string`],
      ['a Symbol', Symbol('In'), ['db'], 'the operator symbol', `${GENERIC}, as a string`],
      ["['In'] (a list is not the string In)", ['In'], ['db'], 'the operator a list', `${GENERIC}, as a string`],
      ['a BigInt', BigInt(1), ['db'], 'the operator bigint', `${GENERIC}, as a string`],
      ['no prototype', Object.create(null), ['db'], 'the operator a mapping', `${GENERIC}, as a string`],
      ['a toString that throws', { toString: (): string => { throw new Error('boom'); } }, ['db'], 'the operator a mapping', `${GENERIC}, as a string`],
      ['values [BigInt]', 'In', [BigInt(1)], 'is In with values[0] bigint, which is no string', 'give In the values meant, a non-empty list of strings'],
    ];
    // The requirement, then one on the same key that a wrong reading would call contradictory with it.
    const selector = (operator: unknown, values: unknown): Record<string, unknown> => ({ matchLabels: { tier: 'x' }, matchExpressions: [
      { key: 'app', operator, values }, { key: 'app', operator: 'Exists' }] });
    const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    /** The refusal's id and fix as the text of a CiliumPolicyError or a failed synthesis shows them. */
    const refusedAs = (text: string | undefined, id: string, reason: string, fix: string): void => {
      expect(text).toContain(reason);
      expect(text).toMatch(new RegExp(`\\(${id}\\)\\n\\s+fix: ${escape(fix)}(\\n|$)`));
      expect(text).not.toMatch(/leave it out|no label set satisfies|TypeError/);
    };
    const thrown = (run: () => unknown): string => refusal(run).message;
    const peerOf = (item: Record<string, unknown>): IPeer => ({ toPeerConfig: () => ({ item, description: 'own' }) } as unknown as IPeer);

    test.each(cases)('%s', (_name, operator, values, reason, fix) => {
      const own = (): Record<string, unknown> => selector(operator, values);
      // A policy's subject, pods and nodes: the synthesis fails (selector-unknown), nothing is written.
      const c = chart('shop');
      new CiliumPolicy(c, 'p', { endpointSelector: { toEndpointSelector: own } as unknown as IEndpointSelector })
        .allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)] });
      refusedAs(synthFailure(c), 'selector-unknown', reason, fix);
      const n = chart();
      new ClusterwidePolicy(n, 'h', { nodeSelector: { toNodeSelector: own } as unknown as INodeSelector })
        .allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] });
      refusedAs(synthFailure(n), 'selector-unknown', reason, fix);
      refusedAs(thrown(() => Peer.selectedBy({ toEndpointSelector: own } as unknown as IEndpointSelector, 'o')), 'selector-unknown', reason, fix);
      // The constructs that take one: refused when made (selector-unknown); a chart that goes on writes none of it (no
      // policy, or the synthesis fails: the TieredApp's tier policy was made before the refusal, and is refused again).
      const fw = chart();
      refusedAs(thrown(() => new HostFirewall(fw, 'fw', { managementCidrs: ['10.50.0.0/24'], nodeSelector: { toNodeSelector: own } as unknown as INodeSelector })),
        'selector-unknown', reason, fix);
      expect(Testing.synth(fw)).toEqual([]);
      const block = chart();
      refusedAs(thrown(() => new MetadataEndpointBlock(block, 'b', { namespaces: ['shop'], endpointSelector: { toEndpointSelector: own } as unknown as IEndpointSelector })),
        'selector-unknown', reason, fix);
      expect(Testing.synth(block)).toEqual([]);
      const app = chart('shop');
      refusedAs(thrown(() => new TieredApp(app, 'app', { tiers: [{ name: 'api', selector: { toEndpointSelector: own } as unknown as IEndpointSelector,
        ports: [Port.tcp(8080)] }] })), 'selector-unknown', reason, fix);
      refusedAs(synthFailure(app), 'selector-unknown', reason, fix);
      // A custom peer's selectors: refused at the call (peer-config-invalid), the policy keeps only what it allowed before.
      for (const [where, item] of [
        ['endpoints[0]', { endpoints: [own()] }],
        ['nodes[0]', { nodes: [own()] }],
        ['cidrSet[0].cidrGroupSelector', { cidrSet: [{ cidrGroupSelector: own() }] }],
        ['services[0].k8sServiceSelector.selector', { services: [{ k8sServiceSelector: { selector: own(), namespace: 'shop' } }] }],
      ] as [string, Record<string, unknown>][]) {
        const pc = chart('shop');
        const p = new CiliumPolicy(pc, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
        p.allowEgress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(5432)] });
        const text = thrown(() => p.allowEgress(peerOf(item), { ports: [Port.tcp(5432)] }));
        expect(text, where).toContain(`allowEgress(own): the peer's ${where}.matchExpressions[0] (key "app") `);
        refusedAs(text, 'peer-config-invalid', reason, fix);
        expect(verdictOf(pc, 'pod:shop:app=a', 'pod:shop:app=b', '5432/TCP'), where).toBe('allowed');
        expect(verdictOf(pc, 'pod:shop:app=a', 'pod:shop:app=db,tier=x', '5432/TCP'), where).toBe('denied');
      }
    });

    test('the four operators, with values a non-empty list of strings, pass: app In (db) with app Exists selects app=db', () => {
      const own = { toEndpointSelector: () => selector('In', ['db']) } as unknown as IEndpointSelector;
      const c = chart('shop');
      const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
      p.allowEgress(Peer.selectedBy(own, 'shop'), { ports: [Port.tcp(5432)] });
      expect(verdictOf(c, 'pod:shop:app=a', 'pod:shop:app=db,tier=x', '5432/TCP')).toBe('allowed');
      expect(verdictOf(c, 'pod:shop:app=a', 'pod:shop:app=web,tier=x', '5432/TCP')).toBe('denied');
    });
  });

  // Session 47: of three requirements on one key, the message names the first two that contradict, in the order written.
  test('the contradiction named is the first pair that contradicts, in the order written', () => {
    const run = (expressions: LabelExpression[], labels?: Record<string, string>) => refusal(() => Peer.endpoints({ namespace: 'o', ...(labels ? { labels } : {}), expressions }));
    expect(run([LabelExpression.in('app', ['db']), LabelExpression.notIn('app', ['db']), LabelExpression.exists('app')]).message)
      .toContain('Peer.endpoints() requires app In (db) and app NotIn (db), which no label set satisfies together');
    expect(run([LabelExpression.notIn('app', ['db']), LabelExpression.exists('app')], { app: 'db' }).message)
      .toContain('Peer.endpoints() requires app In (db) and app NotIn (db), which no label set satisfies together');
    expect(run([LabelExpression.exists('app'), LabelExpression.in('app', ['a']), LabelExpression.in('app', ['b'])]).message)
      .toContain('Peer.endpoints() requires app In (a) and app In (b), which');
  });
});
