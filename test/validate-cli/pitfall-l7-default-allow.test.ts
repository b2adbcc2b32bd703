// validate's `pitfall-l7-default-allow` (session 53): HTTP or Kafka rules that restrict requests, in a direction no policy
// selecting their pods puts into default deny (`enableDefaultDeny.<direction>: false`, 1.16+). Cilium adds an allow-all
// rule beside them (on 1.16-1.17 the wildcard rule's allow-all on the wildcard port, from 1.18 an allow-all in every L7
// rule list), so every request passes; the engine judged so (`defaultAllowWildcardPort`, `l7VisibilityOnly`), validate
// said nothing. The engine's verdicts are asserted beside the findings: what the warning says is what the engine judges.
import { describe, expect, it } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, HttpRule, L7, Peer, Port } from '../../src';
import { validateApp } from '../../src/validate';
import { ccnp, cnp, labels, policySet, verdict } from '../engine/helpers';
import { chart } from '../support/synth';
import { check, findings } from './helpers';

const ID = 'pitfall-l7-default-allow';
const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';
const HTTP_ITEM = {
  fromEndpoints: [labels({ app: 'web' })],
  toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/a' }] } }],
};
const api = (spec: Record<string, unknown>, name = 'api'): Record<string, unknown> => cnp(name, { endpointSelector: labels({ app: 'api' }), ...spec }, 'shop');
const defaultAllow = api({ enableDefaultDeny: { ingress: false }, ingress: [HTTP_ITEM] });
const run = (docs: Record<string, unknown>[], version = '1.19'): ReturnType<typeof check> =>
  check({ 'p.yaml': docs.map((d) => JSON.stringify(d)).join('\n---\n') }, { ciliumVersion: version });
const paths = (docs: Record<string, unknown>[], version = '1.19'): (string | undefined)[] => findings(run(docs, version), ID).map((d) => d.path);

describe('pitfall-l7-default-allow', () => {
  it.each(['1.16', '1.17', '1.18', '1.19'])('on %s: reported, and the engine lets every request through; with default deny neither', (version) => {
    expect(paths([defaultAllow], version)).toEqual(['spec.ingress[0].toPorts[0]']);
    const ciliumVersion = CiliumVersion.parse(version);
    const open = policySet([defaultAllow], { ciliumVersion });
    expect(['GET /a', 'POST /b', 'DELETE /admin'].map((http) => verdict(open, WEB, API, 80, { http }).verdict)).toEqual(['allowed', 'allowed', 'allowed']);
    const enforced = api({ ingress: [HTTP_ITEM] });
    expect(paths([enforced], version)).toEqual([]);
    const closed = policySet([enforced], { ciliumVersion });
    expect(['GET /a', 'POST /b', 'DELETE /admin'].map((http) => verdict(closed, WEB, API, 80, { http }).verdict)).toEqual(['allowed', 'l7-denied', 'l7-denied']);
  });

  it('names why per version and the fix', () => {
    const [d17] = findings(run([defaultAllow], '1.17'), ID);
    expect(d17.severity).toBe('warning');
    expect(d17.message).toBe('these HTTP rules restrict requests, but enableDefaultDeny.ingress is false and no policy of the input selecting these pods '
      + 'puts ingress into default deny: Cilium 1.17 adds an allow-all rule of every peer on every port beside them (fromEntities: [all] without '
      + 'toPorts), whose allow-all on the wildcard port the proxy reads beside these rules, so every request passes (visibility only)');
    expect(d17.fix).toBe('to enforce them, drop enableDefaultDeny.ingress: false (or set it true); if visibility is meant, let the rules match every '
      + 'request (http: [{}]); a policy outside the input that puts these pods into ingress default deny makes them restrict');
    const [d19] = findings(run([defaultAllow], '1.19'), ID);
    expect(d19.message).toContain('Cilium 1.19 adds an allow-all to the L7 rules of every allow rule of such a direction, so every request passes');
  });

  it.each([['1.17.4', 'adds an allow-all rule of every peer on every port'], ['1.17.5', 'adds an allow-all to the L7 rules of every allow rule']])(
    'judges a policy annotated for the patch release %s for that patch, not for its minor', (release, how) => {
      const annotated = { ...defaultAllow, metadata: { ...(defaultAllow.metadata as object), annotations: { 'cdk8s-cilium.io/cilium-version': release } } };
      const [d] = findings(check({ 'p.yaml': JSON.stringify(annotated) }), ID);
      expect(d.message).toContain(`Cilium ${release} ${how}`);
    });
  // Review of session 53: a patch release read "Cilium 1.16 adds …" (the minor release only) though the wording is the patch's.
  it('names the patch release given: 1.16.9 (the wildcard rule) and 1.16.10 (an allow-all in the L7 rules), not their minor', () => {
    const [d9] = findings(run([defaultAllow], '1.16.9'), ID);
    expect(d9.message).toContain(': Cilium 1.16.9 adds an allow-all rule of every peer on every port beside them');
    const [d10] = findings(run([defaultAllow], '1.16.10'), ID);
    expect(d10.message).toContain(': Cilium 1.16.10 adds an allow-all to the L7 rules of every allow rule of such a direction');
  });

  const kafkaEgress = cnp('client', {
    endpointSelector: labels({ app: 'client' }), enableDefaultDeny: { egress: false },
    egress: [{ toEndpoints: [labels({ app: 'kafka' })], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }] }],
  }, 'shop');
  const table: [string, Record<string, unknown>[], (string | undefined)[]][] = [
    ['Kafka rules on egress', [kafkaEgress], ['spec.egress[0].toPorts[0]']],
    ['another rule for other pods puts ingress into default deny', [defaultAllow, cnp('db', { endpointSelector: labels({ app: 'db' }), ingress: [{}] }, 'shop')],
      ['spec.ingress[0].toPorts[0]']],
    ['a rule of another namespace for app=api', [defaultAllow, cnp('other', { endpointSelector: labels({ app: 'api' }), ingress: [{}] }, 'other')],
      ['spec.ingress[0].toPorts[0]']],
    ['a rule of only egress for the same pods', [defaultAllow, api({ egress: [{ toEntities: ['world'] }] }, 'out')], ['spec.ingress[0].toPorts[0]']],
    ['another CNP for the same pods puts ingress into default deny', [defaultAllow, api({ ingress: [{ fromEndpoints: [labels({ app: 'x' })] }] }, 'dd')], []],
    ['a CCNP of every pod with ingress rules', [defaultAllow, ccnp('all', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })], []],
    ['a NetworkPolicy selecting them with ingress', [defaultAllow, {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] },
    }], []],
    ['enableDefaultDeny.ingress true', [api({ enableDefaultDeny: { ingress: true }, ingress: [HTTP_ITEM] })], []],
    ['enableDefaultDeny.egress false only (ingress enforced)', [api({ enableDefaultDeny: { egress: false }, ingress: [HTTP_ITEM] })], []],
    ['HTTP rules that match every request (visibility meant)', [api({ enableDefaultDeny: { ingress: false }, ingress: [{ ...HTTP_ITEM,
      toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] })], []],
    ['DNS rules (not HTTP or Kafka)', [cnp('dns', { endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false }, egress: [{
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }] }, 'shop')], []],
  ];
  it.each(table)('%s', (_name, docs, at) => {
    expect(paths(docs)).toEqual(at);
  });

  it('the engine agrees with the table: another CNP with default deny for the same pods makes the rules restrict, one for other pods not', () => {
    const enforcing = policySet([defaultAllow, api({ ingress: [{ fromEndpoints: [labels({ app: 'x' })] }] }, 'dd')], { ciliumVersion: CiliumVersion.V1_17 });
    expect(verdict(enforcing, WEB, API, 80, { http: 'POST /b' }).verdict).toBe('l7-denied');
    const elsewhere = policySet([defaultAllow, cnp('db', { endpointSelector: labels({ app: 'db' }), ingress: [{}] }, 'shop')], { ciliumVersion: CiliumVersion.V1_17 });
    expect(verdict(elsewhere, WEB, API, 80, { http: 'POST /b' }).verdict).toBe('allowed');
  });

  // Session 54 (mutants of enforcedElsewhere): with workloads of the input, whether another rule's default deny reaches the
  // pods is read from them (`run.covers`); without any (or none of the rule's), from whether the selectors may overlap.
  it('another rule\'s default deny for tier=back: per the workloads given (their labels decide), else per the selectors (it may overlap)', () => {
    const deploy = (name: string, podLabels: Record<string, string>): Record<string, unknown> => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' },
      spec: { selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const back = cnp('back', { endpointSelector: labels({ tier: 'back' }), ingress: [{}] }, 'shop');
    const at = ['spec.ingress[0].toPorts[0]'];
    // No workload: a pod with app=api and tier=back may exist, so the warning is dropped (an under-report, by design).
    expect(paths([defaultAllow, back])).toEqual([]);
    // The api pods without tier=back: the other rule's default deny does not reach them, so every request passes.
    expect(paths([deploy('api', { app: 'api' }), defaultAllow, back])).toEqual(at);
    // The api pods with tier=back: it does, and the rules restrict.
    expect(paths([deploy('api', { app: 'api', tier: 'back' }), defaultAllow, back])).toEqual([]);
    // Workloads that the rule selects none of: read by the selectors again.
    expect(paths([deploy('other', { app: 'other' }), defaultAllow, back])).toEqual([]);
    // What the engine judges for each kind of api pod (1.17: the wildcard port's allow-all), as the findings say.
    const set = policySet([defaultAllow, back], { ciliumVersion: CiliumVersion.V1_17 });
    expect([API, `${API},tier=back`].map((to) => verdict(set, WEB, to, 80, { http: 'POST /b' }).verdict)).toEqual(['allowed', 'l7-denied']);
  });

  it('the constructs\' output: a CiliumPolicy with enableDefaultDeny.ingress false and HTTP rules warns at synthesis', () => {
    const c = chart('shop', CiliumVersion.V1_17);
    new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }), enableDefaultDeny: { ingress: false } })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.get('/a')) });
    expect(validateApp(c).filter((d) => d.id === ID).map((d) => `${d.severity} ${d.constructPath} ${d.path}`))
      .toEqual(['warning test/api/Resource spec.ingress[0].toPorts[0]']);
  });
});
