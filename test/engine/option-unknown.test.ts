// Options and queries of the engine that their interfaces do not declare (`option-unknown`, src/model/known-keys.ts):
// from plain JavaScript, `as any` or a spread object a misspelled key was dropped and the default applied, so the engine
// judged for another cluster than asked (`clusterNme`, `ciliumVersoin`, `hostFirewal`) or a connection without its
// request (`htpp`). Each entry point refuses such a key and names the option meant; a key set to `undefined` is accepted
// and changes nothing; correctly spelled options judge as before.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  CiliumVersion, Endpoints, HostFirewallMode, PolicyModel, PolicySet, PolicySetOptions, Queries, VerdictKind, VerdictQuery,
} from '../../src';
import { thrown } from '../support/errors';

const API_POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts:
    - ports: [{ port: "8080", protocol: TCP }]
      rules: { http: [{ method: GET, path: "/orders" }] }
`;

/** A misspelled key, as plain JavaScript passes it. */
const loose = <T>(o: Record<string, unknown>): T => o as T;

describe('PolicySet factories refuse an option PolicySetOptions does not declare', () => {
  const factories: [string, (o: PolicySetOptions) => PolicySet][] = [
    ['PolicySet.fromYaml()', (o) => PolicySet.fromYaml(API_POLICY, o)],
    ['PolicySet.fromTexts()', (o) => PolicySet.fromTexts([{ file: 'api.yaml', text: API_POLICY }], o)],
    ['PolicySet.fromDocuments()', (o) => PolicySet.fromDocuments([...PolicyModel.fromYaml(API_POLICY).documents.map((d) => d.model)], o)],
    ['PolicySet.fromConstruct()', (o) => PolicySet.fromConstruct(Testing.chart(), o)],
    ['PolicySet.fromFiles()', (o) => PolicySet.fromFiles([], o)],
  ];

  test.each(factories)('%s: clusterNme is refused, naming clusterName', (call, make) => {
    const e = thrown(() => make(loose({ clusterNme: 'east' })));
    expect(e.id).toBe('option-unknown');
    expect(e.message).toContain(`${call}: clusterNme ("east") is not an option of ${call}`);
    expect(e.message).toContain("clusterName would keep its default ('default')");
    expect(e.fix).toMatch(/^did you mean clusterName\? the options of .* are ciliumVersion, hostFirewall, /);
  });

  test('fromYaml knows file, and names the Cilium version a misspelled ciliumVersion would have left', () => {
    expect(PolicySet.fromYaml(API_POLICY, { file: 'api.yaml' }).ruleCount).toBe(1);
    const e = thrown(() => PolicySet.fromYaml(API_POLICY, loose({ ciliumVersoin: CiliumVersion.V1_14 })));
    expect(e.message).toContain('ciliumVersoin (a CiliumVersion) is not an option of PolicySet.fromYaml()');
    expect(e.message).toContain('ciliumVersion would keep its default (the version the policies were synthesized for, else 1.19)');
    expect(e.fix).toContain('did you mean ciliumVersion?');
    expect(e.fix).toContain(', file');
  });

  test('a key that is no typo is refused with the list of options', () => {
    const e = thrown(() => PolicySet.fromYaml(API_POLICY, loose({ strict: true })));
    expect(e.message).toContain('every option would keep its default');
    expect(e.fix).toMatch(/^remove it, or use the one meant; the options of PolicySet\.fromYaml\(\) are ciliumVersion, /);
  });

  test('a key set to undefined is accepted, and the set judges as without it', () => {
    const set = PolicySet.fromYaml(API_POLICY, loose({ hostFirewal: undefined, hostFirewall: undefined }));
    expect(set.hostFirewallMode).toBe(HostFirewallMode.AUTO_OFF);
  });

  test('correctly spelled options judge as before', () => {
    const set = PolicySet.fromYaml(API_POLICY, { hostFirewall: true, clusterName: 'east', ciliumVersion: CiliumVersion.V1_17, allowLocalhost: false });
    expect(set.hostFirewallMode).toBe(HostFirewallMode.ON);
    expect(set.ciliumVersion.toString()).toBe('1.17');
    expect(set._engineConfig.clusterName).toBe('east');
    const from = Endpoints.parse('entity:host');
    expect(set.decide({ from, to: Endpoints.pod('shop', { app: 'api' }), protocol: 'TCP', port: 8080 })).toBe(VerdictKind.DENIED);
  });

  test('diff and report refuse a source they do not know', () => {
    const set = PolicySet.fromYaml(API_POLICY);
    expect(thrown(() => set.diff(set, loose({ baseSoure: 'main' }))).fix).toMatch(/^did you mean baseSource\? the options of PolicySet\.diff\(\) are baseSource, headSource$/);
    const report = thrown(() => set.report(loose({ headsource: 'x' })));
    expect(report.id).toBe('option-unknown');
    expect(report.fix).toMatch(/the options of PolicySet\.report\(\) are baseSource, headSource$/);
    expect(report.message).toContain('so the document would name another source than the one asked for');
  });
});

describe('verdict(), decide() and evaluateNaive() refuse a query field VerdictQuery does not declare', () => {
  const set = PolicySet.fromYaml(API_POLICY);
  const from = Endpoints.pod('shop', { app: 'web' });
  const to = Endpoints.pod('shop', { app: 'api' });
  const remove = { method: 'DELETE', path: '/orders' };

  test.each([
    ['PolicySet.verdict()', (q: VerdictQuery): unknown => set.verdict(q)],
    ['PolicySet.decide()', (q: VerdictQuery): unknown => set.decide(q)],
    ['PolicySet.evaluateNaive()', (q: VerdictQuery): unknown => set.evaluateNaive(q)],
  ])('%s: htpp is refused naming http, prot naming port', (call, judge) => {
    // Without the check, htpp was dropped and the DELETE judged allowed (the HTTP rule allows GET only).
    const e = thrown(() => judge(loose({ from, to, protocol: 'TCP', port: 8080, htpp: remove })));
    expect(e.id).toBe('option-unknown');
    expect(e.message).toContain(`${call}: htpp (a mapping) is not a field of VerdictQuery`);
    expect(e.message).toContain('http would keep its default (none: HTTP rules are reported, not evaluated)');
    expect(e.fix).toBe('did you mean http? the fields of VerdictQuery are from, to, protocol, port, icmpType, icmpFamily, http, dns, kafka');
    expect(thrown(() => judge(loose({ from, to, protocol: 'TCP', prot: 8080 }))).fix).toMatch(/^did you mean port\?/);
  });

  test('a field set to undefined is accepted; the spelled query judges as before, on every path', () => {
    const query = { from, to, protocol: 'TCP', port: 8080, http: remove };
    expect(set.decide(loose({ ...query, htpp: undefined }))).toBe(VerdictKind.L7_DENIED);
    expect(set.decide(query)).toBe(VerdictKind.L7_DENIED);
    expect(set.verdict(query).verdict).toBe(VerdictKind.L7_DENIED);
    expect(set.evaluateNaive(query).verdict).toBe(VerdictKind.L7_DENIED);
    expect(set.decide({ ...query, http: { method: 'GET', path: '/orders' } })).toBe(VerdictKind.ALLOWED);
  });
});

describe('the factories of endpoints and requests refuse an option they do not declare', () => {
  test('Endpoints.pod(): serviceAcount is refused naming serviceAccount (it was kept as a field no one reads)', () => {
    const e = thrown(() => Endpoints.pod('shop', { app: 'web' }, loose({ serviceAcount: 'web' })));
    expect(e.message).toContain('Endpoints.pod(): serviceAcount ("web") is not an option of Endpoints.pod()');
    expect(e.fix).toBe('did you mean serviceAccount? the options of Endpoints.pod() are ports, serviceAccount, namespaceLabels, nodeName');
    expect(Endpoints.pod('shop', { app: 'web' }, loose({ serviceAcount: undefined, serviceAccount: 'web' }))).toEqual({
      kind: 'pod', namespace: 'shop', labels: { app: 'web' }, serviceAccount: 'web',
    });
  });

  test('Queries.parseHttpRequest(): hots is refused naming host', () => {
    expect(thrown(() => Queries.parseHttpRequest('GET /', loose({ hots: 'shop.example.com' }))).fix).toMatch(/^did you mean host\?/);
    expect(Queries.parseHttpRequest('GET /', { host: 'shop.example.com' })).toEqual({ method: 'GET', path: '/', host: 'shop.example.com' });
  });
});

describe('a refusal shows the caller\'s key and value safely', () => {
  test('a key with control or bidirectional characters, or a long one, is shown cut and without them', () => {
    const e = thrown(() => PolicySet.fromYaml(API_POLICY, loose({ 'host\u001b[2JFirewal\u202e': true, ['k'.repeat(5000)]: 1 })));
    expect(e.message).toContain('PolicySet.fromYaml(): host\ufffd[2JFirewal\ufffd (true) is not an option');
    expect(e.message.includes('\u001b') || e.message.includes('\u202e')).toBe(false);
    const long = thrown(() => PolicySet.fromYaml(API_POLICY, loose({ ['k'.repeat(5000)]: 1 })));
    expect(long.message).toContain(`PolicySet.fromYaml(): ${'k'.repeat(40)}… (1) is not an option`);
    expect(long.message.length).toBeLessThan(1000);
    expect(thrown(() => PolicySet.fromYaml(API_POLICY, loose({ hostFirewal: 'on\u202eoff' }))).message).toContain('hostFirewal ("on\ufffdoff")');
  });

  test('a getter that throws, or a value whose constructor cannot be read, gives the refusal, not the getter\'s error', () => {
    const getter = thrown(() => PolicySet.fromYaml(API_POLICY, loose(Object.defineProperty({}, 'hostFirewal', {
      enumerable: true, get() { throw new Error('boom'); },
    }))));
    expect(getter.message).toContain('hostFirewal (a getter that throws) is not an option of PolicySet.fromYaml()');
    expect(getter.fix).toMatch(/^did you mean hostFirewall\?/);
    const ctor = thrown(() => PolicySet.fromYaml(API_POLICY, loose({ hostFirewal: { get constructor(): never { throw new Error('boom'); } } })));
    expect(ctor.message).toContain('hostFirewal (a mapping) is not an option');
  });
});

describe('a class instance is left to the call\'s other checks, as checkKnownKeys documents', () => {
  test('an options class with state of its own (TypeScript accepts it for the interface) is not refused', () => {
    class ClusterProfile implements PolicySetOptions {
      public readonly clusterName = 'east';
      public readonly hostFirewall = false;
      public readonly profileName = 'prod-east';
    }
    expect(PolicySet.fromYaml(API_POLICY, new ClusterProfile()).ruleCount).toBe(1);
    // A mapping with the same key is still refused, and so is one made over shared defaults with Object.create.
    expect(thrown(() => PolicySet.fromYaml(API_POLICY, loose({ ...new ClusterProfile() }))).id).toBe('option-unknown');
    const over = Object.assign(Object.create({ clusterName: 'east' }) as object, { hostFirewal: false });
    expect(thrown(() => PolicySet.fromYaml(API_POLICY, loose(over as Record<string, unknown>))).fix).toMatch(/^did you mean hostFirewall\?/);
  });
});

test('a query field with a getter that throws is refused as option-unknown, not with the getter\'s error', () => {
  const set = PolicySet.fromYaml(API_POLICY);
  const query = Object.defineProperty({ from: Endpoints.parse('pod:shop:app=web'), to: Endpoints.parse('pod:shop:app=api'), protocol: 'TCP', port: 8080 },
    'htpp', { enumerable: true, get(): never { throw new Error('boom'); } });
  const e = thrown(() => set.decide(loose<VerdictQuery>(query)));
  expect(e.message).toContain('PolicySet.decide(): htpp (a getter that throws) is not a field of VerdictQuery');
  expect(thrown(() => set.verdict(loose<VerdictQuery>(query))).fix).toMatch(/^did you mean http\?/);
});

describe('a hand-built endpoint names only the fields of Endpoint', () => {
  test('{ kind: pod, namespce } was judged as a pod of default (allowed); it is refused, naming namespace', () => {
    const set = PolicySet.fromYaml(API_POLICY);
    const api = Endpoints.pod('shop', { app: 'api' });
    // The web pods of shop are allowed to GET /orders; a web pod of another namespace is not.
    const spelled = { kind: 'pod', namespace: 'other', labels: { app: 'web' } } as const;
    expect(set.verdict({ from: spelled as never, to: api, port: 8080, protocol: 'TCP', http: { method: 'GET', path: '/orders' } }).verdict)
      .toBe(VerdictKind.DENIED);
    const typo = loose<VerdictQuery['from']>({ kind: 'pod', namespce: 'other', labels: { app: 'web' } });
    const e = thrown(() => set.decide({ from: typo, to: api, port: 8080, protocol: 'TCP' }));
    expect(e.id).toBe('option-unknown');
    expect(e.message).toContain('Endpoint: namespce ("other") is not a field of Endpoint; it would be left out and namespace would keep its default');
    expect(e.fix).toMatch(/^did you mean namespace\?/);
    expect(() => set.verdict({ from: typo, to: api, port: 8080, protocol: 'TCP' })).toThrow(/option-unknown/);
  });

  test('fields set to undefined and the endpoints of Endpoints and of the text form are accepted', () => {
    const set = PolicySet.fromYaml(API_POLICY);
    const web = loose<VerdictQuery['from']>({ kind: 'pod', namespace: 'shop', labels: { app: 'web' }, nodeNme: undefined });
    expect(set.decide({ from: web, to: set.endpoint('pod:shop:app=api'), port: 8080, protocol: 'TCP', http: { method: 'GET', path: '/orders' } }))
      .toBe(VerdictKind.ALLOWED);
    expect(set.decide({ from: Endpoints.parse('cidr:203.0.113.9'), to: Endpoints.entity('host'), port: 22, protocol: 'TCP' })).toBeDefined();
  });
});

describe('the value an unknown option is shown with', () => {
  // A symbol or a bigint is named by its type, as a number or a string is shown as written; only an object is named by
  // its class (docs/testing.md, session 44: known-keys.ts:89).
  test.each([[Symbol('s'), 'symbol'], [10n, 'bigint'], [null, 'null']])('%s', (value, shown) => {
    expect(() => PolicySet.fromYaml('', { bogus: value } as unknown as PolicySetOptions))
      .toThrow(`PolicySet.fromYaml(): bogus (${shown}) is not an option of PolicySet.fromYaml()`);
  });
});
