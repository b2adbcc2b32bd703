// The item and address pitfalls (src/validate/pitfall-items.ts, pitfall-addresses.ts) as truth tables by id, path and
// severity: `pitfall-services-with-ports` (toServices + toPorts that cannot be checked), `pitfall-kube-apiserver-service`
// (toServices to default/kubernetes does not select the API server), `pitfall-kafka-removed` (1.20 rejects the policy),
// `pitfall-broad-peer` (every address or name in an allow rule) and `pitfall-cidr-host-bits` (Cilium masks the host bits:
// the rule covers the whole network). Documents are JSON (a YAML subset), built inside each test; the two address pitfalls
// are also held to the engine's verdicts, which show what the finding warns about.
import { describe, expect, it } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { checkInfo } from '../../src/validate';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;

const WEB = { matchLabels: { app: 'web' } };

function cnp(spec: Doc, namespace = 'shop', name = 'p'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

function ccnp(spec: Doc, name = 'c'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

function report(docs: readonly Doc[], ciliumVersion = '1.19'): ReturnType<typeof check> {
  return check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion });
}

/** The paths of the findings with `id`, each at its catalogue severity. */
function paths(id: string, docs: readonly Doc[], ciliumVersion = '1.19'): string[] {
  const found = findings(report(docs, ciliumVersion), id);
  for (const f of found) expect(f.severity, `${id} ${f.path}`).toBe(checkInfo(id).severity);
  return found.map((f) => f.path ?? '');
}

function errorIdsOf(docs: readonly Doc[], ciliumVersion: string): string[] {
  return report(docs, ciliumVersion).diagnostics.map((d) => d.id);
}

function messages(id: string, docs: readonly Doc[], ciliumVersion = '1.19'): string[] {
  return findings(report(docs, ciliumVersion), id).map((f) => f.message);
}

const TCP = (port: string): Doc => ({ port, protocol: 'TCP' });
const on = (...ports: Doc[]): Doc => ({ toPorts: [{ ports }] });
const SERVICE = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop', labels: { tier: 'data' } },
  spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] },
};

describe('pitfall-services-with-ports: toServices with toPorts, for a Service not in the input', () => {
  const ID = 'pitfall-services-with-ports';
  const egressTo = (services: unknown[], extra: Doc = on(TCP('5432')), namespace: string | null = 'shop'): Doc => {
    const spec = { endpointSelector: WEB, egress: [{ toEndpoints: [WEB] }, { toServices: [{ k8sService: { serviceName: 'cache', namespace: 'shop' } }, ...services], ...extra }] };
    return namespace === null ? ccnp(spec) : cnp(spec, namespace);
  };
  const named = (serviceName: string, namespace?: string): Doc => ({ k8sService: { serviceName, ...(namespace ? { namespace } : {}) } });
  // An entry that resolves beside those under test: alone, an item whose Services are not in the input is the one finding
  // pitfall-services-missing-every-peer (session 54), which says this caveat too.
  const CACHE = { ...SERVICE, metadata: { name: 'cache', namespace: 'shop', labels: {} }, spec: { selector: { app: 'cache' }, ports: [{ port: 6379 }] } };

  it('one finding an item: when no entry resolves, pitfall-services-missing-every-peer says the ports caveat and this check is silent', () => {
    expect(paths(ID, [egressTo([named('db')])])).toEqual([]);
    expect(paths('pitfall-services-missing-every-peer', [egressTo([named('db')])])).toEqual(['spec.egress[1].toServices']);
    expect(messages('pitfall-services-missing-every-peer', [egressTo([named('db')])])[0]).toContain(
      'if they exist, Cilium matches the ports against their backends\' (target) ports, not the Service ports');
    expect(paths(ID, [CACHE, egressTo([named('db')])])).toEqual(['spec.egress[1].toPorts']);
    expect(paths('pitfall-services-missing-every-peer', [CACHE, egressTo([named('db')])])).toEqual([]);
  });

  it('reported at the item\'s toPorts from 1.17 on; not before (the agent then refuses toServices with toPorts)', () => {
    expect(paths(ID, [CACHE, egressTo([named('db')])])).toEqual(['spec.egress[1].toPorts']);
    expect(paths(ID, [CACHE, egressTo([named('db')])], '1.17')).toEqual(['spec.egress[1].toPorts']);
    expect(paths(ID, [CACHE, egressTo([named('db')])], '1.16')).toEqual([]);
  });

  it('not without toPorts, and not when every Service named is in the input', () => {
    expect(paths(ID, [CACHE, egressTo([named('db')], {})])).toEqual([]);
    expect(paths(ID, [CACHE, egressTo([named('db')], { toPorts: [] })])).toEqual([]);
    expect(paths(ID, [CACHE, SERVICE, egressTo([named('db')])])).toEqual([]);
    expect(paths(ID, [CACHE, SERVICE, egressTo([{ k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } } } }])])).toEqual([]);
  });

  it('names the Services missing, one or several, with their namespace', () => {
    expect(messages(ID, [CACHE, SERVICE, egressTo([named('db'), named('gone')])])[0]).toMatch(/; Service gone \(of any namespace\) is not in the input/);
    expect(messages(ID, [CACHE, egressTo([named('db', 'data'), { k8sServiceSelector: { selector: { matchLabels: { tier: 'x' } } } }])])[0])
      .toMatch(/; Service data\/db, the Services \{tier=x\} \(of any namespace\) are not in the input/);
    // A CNP or CCNP entry without namespace (or an empty one) matches Services of every namespace.
    expect(messages(ID, [CACHE, egressTo([named('db')], on(TCP('5432')), null)])[0]).toMatch(/; Service db \(of any namespace\) is not in the input/);
    // An entry naming no Service is no Service missing from the input: it matches none whatever the cluster holds
    // (serviceEntryTarget), and pitfall-services-every-peer says the ports are open to every peer.
    expect(messages(ID, [CACHE, egressTo([{}])])).toEqual([]);
    expect(paths('pitfall-services-every-peer', [cnp({ endpointSelector: WEB, egress: [{ toServices: [{}], ...on(TCP('5432')) }] })]))
      .toEqual(['spec.egress[0].toServices']);
    expect(messages(ID, [CACHE, egressTo([{ k8sService: { serviceName: 'db', namespace: '' } }])])[0]).toMatch(/; Service db \(of any namespace\) is not in the input/);
  });

  // pkg/policy/k8s/service.go serviceRefMatches/serviceSelectorMatches (pkg/k8s/rule_translate.go serviceMatches before
  // 1.17): `ref.Namespace == svcID.Namespace || ref.Namespace == ""`, and ParseToCiliumRule copies toServices as they are,
  // so an entry without namespace in a CiliumNetworkPolicy matches the Service of that name in any namespace. The
  // validator read it as the policy's namespace: the Service data/db was "not in the input".
  it('an entry without namespace in a CNP finds the Service in another namespace, as the agent and the engine do', () => {
    const other = { ...SERVICE, metadata: { ...SERVICE.metadata, namespace: 'data' } };
    const doc = egressTo([named('db')]);
    expect(paths(ID, [CACHE, other, doc])).toEqual([]);
    expect(paths(ID, [CACHE, other, egressTo([{ k8sServiceSelector: { selector: { matchLabels: { tier: 'data' } } } }])])).toEqual([]);
    expect(paths(ID, [CACHE, other, egressTo([named('db', 'shop')])])).toEqual(['spec.egress[1].toPorts']);
    const set = PolicySet.fromYaml([other, doc].map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'p.yaml', ciliumVersion: CiliumVersion.V1_19 });
    expect(verdictFor(set, 'pod:shop:app=web', 'pod:data:app=db', '5432/TCP').allowed).toBe(true);
  });

  it('not in egressDeny, whose toServices is never resolved (pitfall-deny-services-unresolved); never in the ingress sections', () => {
    const deny = cnp({ endpointSelector: WEB, egressDeny: [{ toEndpoints: [WEB] }, { toServices: [named('db')], ...on(TCP('5432')) }] });
    expect(paths(ID, [deny])).toEqual([]);
    expect(paths('pitfall-deny-services-unresolved', [deny])).toEqual(['spec.egressDeny[1].toServices[0]']);
    expect(paths('pitfall-deny-services-unresolved', [SERVICE, deny])).toEqual(['spec.egressDeny[1].toServices[0]']);
    // Ingress has no toServices (the CRD has none there): written anyway, it is no finding of this check.
    const ingress = cnp({ endpointSelector: WEB, ingress: [{ toServices: [named('db')], ...on(TCP('5432')) }] });
    expect(paths(ID, [ingress])).toEqual([]);
  });
});

// A k8sServiceSelector whose requirements do not build (session 38 review mends): what it matches depends on the
// version — no Service up to 1.18, the 1.19 patch release decides (pkg/policy/types/requirements.go
// LabelSelectorToRequirements returns nil, and no requirement matches every Service, until cilium/cilium#46946) — and on
// 1.14-1.16 with toPorts the agent refuses the policy (sanitize-services-with-ports), with no import to speak of.
describe('pitfall-service-selector-invalid: a k8sServiceSelector that does not build', () => {
  const ID = 'pitfall-service-selector-invalid';
  const bySelector = (selector: Doc, extra: Doc = {}): Doc =>
    cnp({ endpointSelector: WEB, egress: [{ toServices: [{ k8sServiceSelector: { selector } }], ...extra }] });
  const prefixed = { matchLabels: { 'k8s:app': 'db' } };

  it('1.18: matches no Service; 1.19: the patch release decides, not judged', () => {
    const at = 'spec.egress[0].toServices[0].k8sServiceSelector.selector.matchLabels["k8s:app"]';
    expect(paths(ID, [bySelector(prefixed)], '1.18')).toEqual([at]);
    expect(messages(ID, [bySelector(prefixed)], '1.18')).toEqual(['the k8sServiceSelector {k8s:app=db} matches no Service: the key "k8s:app" is not a '
      + 'label key (a Service label has no source prefix); Cilium matches it against each Service\'s own labels, and the requirement does not build: '
      + 'the agent does not check toServices entries, so it imports the policy']);
    expect(paths(ID, [bySelector(prefixed)], '1.19')).toEqual([at]);
    const [v19] = messages(ID, [bySelector(prefixed)], '1.19');
    expect(v19).toContain('which Services the selector matches depends on the 1.19 patch release: before cilium/cilium#46946 its requirements do not '
      + 'build and it matches every Service (of its namespace, if it names one), after it a source prefix is read as a source and ignored');
    expect(v19).toContain('the engine does not judge the endpoints this rule selects');
    expect(v19).not.toContain('matches no Service');
  });

  it('1.16 with toPorts: the agent refuses the policy, so no word of an import or of open ports', () => {
    const doc = bySelector(prefixed, on(TCP('5432')));
    expect(errorIdsOf([doc], '1.16')).toContain('sanitize-services-with-ports');
    const [m] = messages(ID, [doc], '1.16');
    expect(m).toBe('the k8sServiceSelector {k8s:app=db} matches no Service: the key "k8s:app" is not a label key (a Service label has no source prefix); '
      + 'Cilium matches it against each Service\'s own labels, and the requirement does not build; with toPorts the agent refuses the policy anyway on 1.16 '
      + '(sanitize-services-with-ports)');
    expect(messages(ID, [doc], '1.17')[0]).toContain('its ports are open to every peer');
  });

  it('the fix follows the problem: a prefix, In without values, a bad value, Exists with values', () => {
    const fix = (selector: Doc): string | undefined => findings(report([bySelector(selector)], '1.18'), ID)[0]?.fix;
    expect(fix(prefixed)).toBe('write the Service\'s label key as it is, without a source prefix (app, not k8s:app)');
    expect(fix({ matchExpressions: [{ key: 'app', operator: 'In', values: [] }] })).toBe('list the values to match, or use Exists');
    expect(fix({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db*'] }] }))
      .toBe('use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (no wildcards: list each value)');
    expect(fix({ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['db'] }] })).toBe('remove values, or use In to match them');
  });

  it('not pitfall-services-with-ports: an unbuildable selector is not a Service missing from the input', () => {
    expect(paths('pitfall-services-with-ports', [bySelector(prefixed, on(TCP('5432')))], '1.18')).toEqual([]);
    // Alone, a selector matching no Service of the input is pitfall-services-missing-every-peer's one finding.
    expect(paths('pitfall-services-with-ports', [bySelector({ matchLabels: { app: 'db' } }, on(TCP('5432')))], '1.18')).toEqual([]);
    expect(paths('pitfall-services-missing-every-peer', [bySelector({ matchLabels: { app: 'db' } }, on(TCP('5432')))], '1.18')).toEqual(['spec.egress[0].toServices']);
  });

  it('a null toServices entry or requirement beside an unbuildable one: the reader\'s wrong type, and the finding at the other (no crash)', () => {
    const ids = (toServices: unknown[]): string[] => report([cnp({ endpointSelector: WEB, egress: [{ toServices }] })], '1.18').diagnostics
      .map((d) => `${d.id} ${d.path}`);
    // The item has no toPorts: every port of the backends (`pitfall-services-every-port`, session 53).
    expect(ids([null, { k8sServiceSelector: { selector: prefixed } }])).toEqual(['pitfall-services-every-port spec.egress[0].toServices',
      'parse-wrong-type spec.egress[0].toServices[0]',
      `${ID} spec.egress[0].toServices[1].k8sServiceSelector.selector.matchLabels["k8s:app"]`]);
    const selector = { matchExpressions: [null, { key: 'k8s:app', operator: 'In', values: ['db'] }] };
    expect(ids([{ k8sServiceSelector: { selector } }])).toEqual(['pitfall-services-every-port spec.egress[0].toServices',
      'parse-wrong-type spec.egress[0].toServices[0].k8sServiceSelector.selector.matchExpressions[0]',
      `${ID} spec.egress[0].toServices[0].k8sServiceSelector.selector.matchExpressions[1].key`]);
  });

  // Cilium reads k8sServiceSelector first (pkg/policy/k8s/service.go processRule, hasMatchingToServices).
  it('an entry with both fields: the selector decides, here and in which Services it names', () => {
    const both = cnp({ endpointSelector: WEB, egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' },
      k8sServiceSelector: { selector: prefixed } }], ...on(TCP('5432')) }] });
    expect(paths(ID, [SERVICE, both], '1.18')).toEqual(['spec.egress[0].toServices[0].k8sServiceSelector.selector.matchLabels["k8s:app"]']);
    const byLabels = cnp({ endpointSelector: WEB, egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' },
      k8sServiceSelector: { selector: { matchLabels: { tier: 'none' } }, namespace: 'shop' } }], ...on(TCP('5432')) }] });
    expect(messages('pitfall-services-missing-every-peer', [SERVICE, byLabels], '1.18'))
      .toEqual([expect.stringContaining('the Services matching {"matchLabels":{"tier":"none"}} in shop is not in the input')]);
    const kube = cnp({ endpointSelector: WEB, egress: [{ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' },
      k8sServiceSelector: { selector: { matchLabels: { app: 'db' } } } }] }] });
    expect(paths('pitfall-kube-apiserver-service', [kube], '1.18')).toEqual([]);
  });
});

describe('pitfall-deny-services-unresolved: toServices in egressDeny', () => {
  const ID = 'pitfall-deny-services-unresolved';
  const named = (serviceName: string): Doc => ({ k8sService: { serviceName } });
  const denyTo = (item: Doc): Doc => cnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }], egressDeny: [item] });

  it('with ports it denies them to every destination, without them nothing; the engine agrees', () => {
    const withPorts = denyTo({ toServices: [named('db')], ...on(TCP('5432')) });
    expect(paths(ID, [withPorts])).toEqual(['spec.egressDeny[0].toServices[0]']);
    expect(messages(ID, [withPorts])[0]).toContain('Service db (of any namespace) is not what this item denies; it has no peer selector and denies its ports '
      + 'to every destination, the world included');
    const set = PolicySet.fromYaml(JSON.stringify(withPorts), { file: 'p.yaml' });
    expect(verdictFor(set, 'pod:shop:app=web', 'cidr:203.0.113.9/32', '5432/TCP').allowed).toBe(false);
    expect(verdictFor(set, 'pod:shop:app=web', 'cidr:203.0.113.9/32', '443/TCP').allowed).toBe(true);
    const bare = denyTo({ toServices: [named('db')] });
    expect(messages(ID, [bare])[0]).toContain('denies nothing');
    expect(verdictFor(PolicySet.fromYaml(JSON.stringify(bare), { file: 'p.yaml' }), 'pod:shop:app=web', 'cidr:203.0.113.9/32', '5432/TCP').allowed).toBe(true);
  });

  it('not for default/kubernetes (pitfall-kube-apiserver-service says it), nor in egress', () => {
    expect(paths(ID, [denyTo({ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }], ...on(TCP('443')) })])).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: WEB, egress: [{ toServices: [named('db')], ...on(TCP('5432')) }] })])).toEqual([]);
  });
});

describe('pitfall-kube-apiserver-service: toServices to default/kubernetes', () => {
  const ID = 'pitfall-kube-apiserver-service';
  const egressTo = (services: unknown[], namespace: string | null = 'shop'): Doc => {
    const spec = { endpointSelector: WEB, egress: [{ toEndpoints: [WEB] }, { toServices: services }] };
    return namespace === null ? ccnp(spec) : cnp(spec, namespace);
  };

  // An entry without namespace matches the Service in every namespace, in a CNP of another namespace too
  // (pkg/policy/k8s/service.go serviceRefMatches: `ref.Namespace == ""`); the check said nothing of it outside default.
  it('by name: kubernetes in default, or without a namespace (which matches every namespace, in a CNP too)', () => {
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }])])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'kubernetes' } }])])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'kubernetes' } }], 'default')])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'kubernetes', namespace: '' } }], 'default')])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'kubernetes' } }], null)])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'kubernetes', namespace: 'shop' } }], 'default')])).toEqual([]);
    expect(paths(ID, [egressTo([{ k8sService: { serviceName: 'api', namespace: 'default' } }])])).toEqual([]);
  });

  it('by selector: one that selects the labels of default/kubernetes, in default or without a namespace', () => {
    const sel = (matchLabels: Record<string, string>, namespace?: string): Doc =>
      ({ k8sServiceSelector: { selector: { matchLabels }, ...(namespace === undefined ? {} : { namespace }) } });
    expect(paths(ID, [egressTo([sel({ component: 'apiserver' }, 'default')])])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([sel({ provider: 'kubernetes' })], 'default')])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([sel({ provider: 'kubernetes' }, '')], 'default')])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([sel({ provider: 'kubernetes' })], null)])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([sel({ component: 'apiserver' })])])).toEqual(['spec.egress[1].toServices[0]']);
    expect(paths(ID, [egressTo([sel({ component: 'apiserver' }, 'shop')])])).toEqual([]);
    expect(paths(ID, [egressTo([sel({ component: 'db' }, 'default')])])).toEqual([]);
    // An empty selector selects every Service: not this one in particular.
    expect(paths(ID, [egressTo([sel({}, 'default')])])).toEqual([]);
    expect(paths(ID, [egressTo([{ k8sServiceSelector: { namespace: 'default' } }])])).toEqual([]);
  });

  it('each entry at its index', () => {
    const entries = [{}, { k8sService: { serviceName: 'db' } }, { k8sService: { serviceName: 'kubernetes', namespace: 'default' } }];
    expect(paths(ID, [egressTo(entries)])).toEqual(['spec.egress[1].toServices[2]']);
  });

  // Found by mutation testing (docs/testing.md "Validate rules, third round"): egressDeny was not checked. The agent never
  // resolves a deny's toServices (pkg/policy/k8s/service.go processRule, pkg/k8s/rule_translate.go RuleTranslator.Translate
  // before 1.17: rule.Egress only), so the deny does not cut the API server: without toPorts it denies nothing, with them
  // it denies them to every destination. The engine's verdicts say the same.
  it('in egressDeny: the deny does not cut the API server (nothing, or its ports to everyone), and the fix is the entity in egressDeny', () => {
    const kubernetes = { k8sService: { serviceName: 'kubernetes', namespace: 'default' } };
    const denyDoc = (extra: Doc): Doc =>
      cnp({ endpointSelector: WEB, egress: [{ toEntities: ['all'] }], egressDeny: [{ toEndpoints: [WEB] }, { toServices: [{}, kubernetes], ...extra }] });
    const judge = (doc: Doc, to: string, port: string): string =>
      verdictFor(PolicySet.fromYaml(JSON.stringify(doc), { ciliumVersion: CiliumVersion.V1_19 }), 'pod:shop:app=web', to, port).verdict;
    const bare = denyDoc({});
    expect(paths(ID, [bare])).toEqual(['spec.egressDeny[1].toServices[1]']);
    const [d] = findings(report([bare]), ID);
    expect(d.message).toBe('toServices to the default/kubernetes Service in a deny does not cut the API server: Cilium resolves the toServices of '
      + 'egress rules only, never of egressDeny, so this item has no peer selector and denies nothing');
    expect(d.fix).toBe('use toEntities: [kube-apiserver] in egressDeny (with toPorts 443/TCP or 6443/TCP if you restrict ports)');
    expect(judge(bare, 'entity:kube-apiserver', '443/TCP')).toBe('allowed');
    const ported = denyDoc({ toPorts: [{ ports: [TCP('443')] }] });
    const [p] = findings(report([ported]), ID);
    expect(p.message).toMatch(/so this item has no peer selector and denies its ports to every destination$/);
    expect(judge(ported, 'entity:kube-apiserver', '443/TCP')).toBe('denied');
    expect(judge(ported, 'cidr:203.0.113.7', '443/TCP')).toBe('denied');
    expect(judge(ported, 'cidr:203.0.113.7', '80/TCP')).toBe('allowed');
    const [allow] = findings(report([egressTo([kubernetes])]), ID);
    expect(allow.message).toMatch(/^toServices to the default\/kubernetes Service does not reliably reach the API server: .*identity$/);
    expect(allow.fix).toBe('use toEntities: [kube-apiserver] (with toPorts 443/TCP or 6443/TCP if you restrict ports)');
  });
});

describe('pitfall-kafka-removed: kafka and l7proto rules on a 1.20 target', () => {
  const ID = 'pitfall-kafka-removed';
  const kafka = cnp({ endpointSelector: WEB, ingress: [{ toPorts: [{ ports: [TCP('80')] }, { ports: [TCP('9092')], rules: { kafka: [{ topic: 'orders' }] } }] }] });
  const proto = cnp({ endpointSelector: WEB, egress: [{ toEndpoints: [WEB] }, { toPorts: [{ ports: [TCP('9042')], rules: { l7proto: 'cassandra', l7: [{}] } }] }] });

  it('each at its rules field, in any section, on 1.20 only', () => {
    expect(paths(ID, [kafka], '1.20')).toEqual(['spec.ingress[0].toPorts[1].rules.kafka']);
    expect(paths(ID, [proto], '1.20')).toEqual(['spec.egress[1].toPorts[0].rules.l7proto']);
    expect(paths(ID, [kafka])).toEqual([]);
    expect(paths(ID, [proto])).toEqual([]);
    expect(paths(ID, [cnp({ endpointSelector: WEB, ingress: [{ toPorts: [{ ports: [TCP('80')], rules: { http: [{}] } }] }] })], '1.20')).toEqual([]);
  });

  it('its fix depends on the kind', () => {
    expect(findings(report([kafka], '1.20'), ID)[0].fix).toMatch(/Kafka at L4/);
    expect(findings(report([proto], '1.20'), ID)[0].fix).toMatch(/proxylib/);
  });
});

describe('pitfall-broad-peer: every address or every name in an allow rule', () => {
  const ID = 'pitfall-broad-peer';
  const rule = (section: string, item: Doc): Doc => cnp({ endpointSelector: WEB, [section]: [{ toEndpoints: [WEB] }, item] });

  it('a /0 CIDR in an allow section, at its field; not in a deny section nor as an except', () => {
    expect(paths(ID, [rule('egress', { toCIDR: ['10.0.0.0/8', '0.0.0.0/0'] })])).toEqual(['spec.egress[1].toCIDR[1]']);
    expect(paths(ID, [rule('ingress', { fromCIDR: ['::/0'] })])).toEqual(['spec.ingress[1].fromCIDR[0]']);
    expect(paths(ID, [rule('egress', { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] })])).toEqual(['spec.egress[1].toCIDRSet[0].cidr']);
    expect(paths(ID, [rule('ingress', { fromCIDRSet: [{ cidr: '0.0.0.0/0' }] })])).toEqual(['spec.ingress[1].fromCIDRSet[0].cidr']);
    expect(paths(ID, [rule('egressDeny', { toCIDR: ['0.0.0.0/0'] })])).toEqual([]);
    expect(paths(ID, [rule('ingressDeny', { fromCIDRSet: [{ cidr: '0.0.0.0/0' }] })])).toEqual([]);
    expect(paths(ID, [rule('egress', { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['0.0.0.0/0'] }] })])).toEqual([]);
    expect(paths(ID, [rule('egress', { toCIDR: ['0.0.0.0/1', 'x', 7] })])).toEqual([]);
  });

  it('the message counts the except ranges of that entry, and the fix keeps them', () => {
    const two = findings(report([rule('egress', { toCIDRSet: [{ cidr: '10.0.0.0/8' }, { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] }] })]), ID);
    expect(two[0].message).toMatch(/, less the 2 except ranges: this egress rule/);
    expect(two[0].fix).toMatch(/keep the except ranges/);
    const one = findings(report([rule('egress', { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] })]), ID);
    expect(one[0].message).toMatch(/, less the 1 except range: /);
    const none = findings(report([rule('ingress', { fromCIDR: ['0.0.0.0/0'] })]), ID);
    expect(none[0].message).toMatch(/every IPv4 address outside the cluster \(the world\): this ingress rule/);
    expect(none[0].fix).toMatch(/fromEntities: \[world\]/);
    expect(findings(report([rule('egress', { toCIDR: ['::/0'] })]), ID)[0].fix).toMatch(/toEntities: \[world\]/);
    expect(findings(report([rule('egress', { toCIDR: ['::/0'] })]), ID)[0].message).toMatch(/every IPv6 address/);
  });

  it('two entries of the same /0, one with except ranges: each finding counts its own entry\'s', () => {
    const [first, second] = findings(report([rule('egress', { toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, { cidr: '0.0.0.0/0' }] })]), ID);
    expect([first.path, second.path]).toEqual(['spec.egress[1].toCIDRSet[0].cidr', 'spec.egress[1].toCIDRSet[1].cidr']);
    expect([/less the 1 except range:/.test(first.message), /except/.test(second.message)]).toEqual([true, false]);
    expect(second.fix).toMatch(/toEntities: \[world\]/);
  });

  it('toFQDNs matchPattern "*" (or "**") in egress, at its index; other patterns and names are not', () => {
    const fqdns = (...sels: unknown[]): Doc => rule('egress', { toFQDNs: sels });
    expect(paths(ID, [fqdns({ matchName: 'a.example.com' }, { matchPattern: '*.example.com' }, { matchName: '*' }, { matchPattern: '*' })]))
      .toEqual(['spec.egress[1].toFQDNs[3].matchPattern']);
    expect(paths(ID, [fqdns({ matchPattern: '**' })])).toEqual(['spec.egress[1].toFQDNs[0].matchPattern']);
    // Before 1.19 only "*" itself is every name: "**" and "*." are one-label patterns there (the engine agrees).
    expect(['*', '**', '*.'].map((p) => paths(ID, [fqdns({ matchPattern: p })], '1.18').length)).toEqual([1, 0, 0]);
    expect(['*', '**', '*.'].map((p) => paths(ID, [fqdns({ matchPattern: p })], '1.19').length)).toEqual([1, 1, 1]);
    expect(paths(ID, [fqdns({ matchName: '*' })])).toEqual([]);
    // In egressDeny toFQDNs is refused (no deny rule selects by name), not a broad allow.
    const deny = report([rule('egressDeny', { toFQDNs: [{ matchPattern: '*' }] })]);
    expect([findings(deny, ID).length, findings(deny, 'crd-deny-fqdns').map((d) => d.path)]).toEqual([0, ['spec.egressDeny[1].toFQDNs']]);
  });

  it('the engine agrees: 0.0.0.0/0 allows an address on the internet', () => {
    const set = PolicySet.fromYaml(JSON.stringify(rule('egress', { toCIDR: ['0.0.0.0/0'] })));
    expect(verdictFor(set, 'pod:shop:app=web', 'cidr:203.0.113.9', '443/TCP').verdict).toBe('allowed');
  });
});

describe('pitfall-cidr-host-bits: a CIDR whose address has host bits set', () => {
  const ID = 'pitfall-cidr-host-bits';
  const rule = (section: string, item: Doc): Doc => cnp({ endpointSelector: WEB, [section]: [item] });

  it('in every section and CIDR field, except ranges included; not when the address is the network', () => {
    expect(paths(ID, [rule('egress', { toCIDR: ['10.0.0.0/8', '10.1.2.3/8'] })])).toEqual(['spec.egress[0].toCIDR[1]']);
    expect(paths(ID, [rule('ingressDeny', { fromCIDR: ['192.168.1.1/24'] })])).toEqual(['spec.ingressDeny[0].fromCIDR[0]']);
    expect(paths(ID, [rule('egressDeny', { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.1/16'] }] })]))
      .toEqual(['spec.egressDeny[0].toCIDRSet[0].except[1]']);
    expect(paths(ID, [rule('ingress', { fromCIDRSet: [{ cidr: '2001:db8::1/32' }] })])).toEqual(['spec.ingress[0].fromCIDRSet[0].cidr']);
    expect(paths(ID, [rule('ingress', { fromCIDRSet: [null, { cidrGroupRef: 'g' }, { cidr: 7 }] })])).toEqual([]);
  });

  it('the fix names the one address and the network it is masked to', () => {
    const [v4] = findings(report([rule('egress', { toCIDR: ['10.1.2.3/8'] })]), ID);
    expect(v4.message).toMatch(/masks it to 10\.0\.0\.0\/8, the whole \/8, not the one address 10\.1\.2\.3$/);
    expect(v4.fix).toBe('write 10.1.2.3/32 for the one address, or 10.0.0.0/8 for the network');
    const [v6] = findings(report([rule('egress', { toCIDR: ['2001:db8:0:0:1::1/64'] })]), ID);
    expect(v6.fix).toBe('write 2001:db8:0:0:1::1/128 for the one address, or 2001:db8::/64 for the network');
    const [mid] = findings(report([rule('egress', { toCIDR: ['2001:db8:1:0:0:0:0:1/48'] })]), ID);
    expect(mid.fix).toMatch(/or 2001:db8:1::\/48 for the network$/);
    // The network printed as the agent prints addresses (RFC 5952: the longest run of zero groups is the one shortened).
    const [lead] = findings(report([rule('egress', { toCIDR: ['0:0:1:2::/48'] })]), ID);
    expect(lead.fix).toMatch(/or 0:0:1::\/48 for the network$/);
  });

  it('the engine agrees: the masked rule allows the whole network', () => {
    const set = PolicySet.fromYaml(JSON.stringify(rule('egress', { toCIDR: ['10.1.2.3/8'] })));
    expect(verdictFor(set, 'pod:shop:app=web', 'cidr:10.200.0.1', '443/TCP').verdict).toBe('allowed');
  });
});

describe('pitfall-cidr-ipv6-world-only: ::/0 without 0.0.0.0/0 selects no address of an IPv4-only cluster', () => {
  const ID = 'pitfall-cidr-ipv6-world-only';
  const rule = (section: string, item: Doc): Doc => cnp({ endpointSelector: WEB, [section]: [item] });

  it('in allow and deny sections, toCIDR and toCIDRSet; not with 0.0.0.0/0 in the same item, nor for an except or a narrower CIDR', () => {
    expect(paths(ID, [rule('egress', { toCIDR: ['::/0'] })])).toEqual(['spec.egress[0].toCIDR[0]']);
    expect(paths(ID, [rule('egressDeny', { toCIDRSet: [{ cidr: '::/0', except: ['2001:db8::/32'] }] })])).toEqual(['spec.egressDeny[0].toCIDRSet[0].cidr']);
    expect(paths(ID, [rule('ingress', { fromCIDR: ['10.0.0.0/8', '::/0'] })])).toEqual(['spec.ingress[0].fromCIDR[1]']);
    expect(paths(ID, [rule('egress', { toCIDR: ['::/0', '0.0.0.0/0'] })])).toEqual([]);
    expect(paths(ID, [rule('egress', { toCIDRSet: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] })])).toEqual([]);
    expect(paths(ID, [rule('egress', { toCIDR: ['2001:db8::/32'] }), rule('egress', { toCIDR: ['0.0.0.0/0'] })])).toEqual([]);
  });

  it('the message says what the deny does not deny; the engine agrees (IPv4-only by default, pkg/labels getWorldLabel)', () => {
    const [deny] = findings(report([rule('egressDeny', { toCIDR: ['::/0'] })]), ID);
    expect(deny.message).toMatch(/this egress deny rule denies no address outside the cluster; in a dual-stack cluster, IPv6 addresses only$/);
    expect(deny.fix).toBe('add 0.0.0.0/0 beside it (or use toEntities: [world]) if every address is meant; in an IPv6-only cluster it is the world and '
      + 'this can be ignored');
    const set = PolicySet.fromYaml(JSON.stringify(cnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['::/0'] }] })));
    expect(verdictFor(set, 'pod:shop:app=web', 'cidr:8.8.8.8', '443/TCP').verdict).toBe('allowed');
    expect(verdictFor(set, 'pod:shop:app=web', 'entity:world', '443/TCP').verdict).toBe('allowed');
  });

  it('1.17-1.18 toCIDRSet: the rule changes meaning on upgrade (reserved:world there, reserved:world-ipv6 from 1.19)', () => {
    const [set18] = findings(report([rule('egressDeny', { toCIDRSet: [{ cidr: '::/0' }] })], '1.18'), ID);
    expect(set18.message).toMatch(/Cilium 1\.18 turns it into reserved:world, every outside address, IPv4 included, while 1\.19 turns it into /);
    const [cidr18] = findings(report([rule('egressDeny', { toCIDR: ['::/0'] })], '1.18'), ID);
    expect(cidr18.message).toMatch(/denies no address outside the cluster/);
  });

  it('1.14: ::/0 is reserved:world (every outside address) in toCIDR and in a toCIDRSet without except; the engine agrees', () => {
    for (const item of [{ toCIDR: ['::/0'] }, { toCIDRSet: [{ cidr: '::/0' }] }]) {
      const [f] = findings(report([rule('egressDeny', item)], '1.14'), ID);
      expect(f.message).toMatch(/Cilium 1\.14 turns it into reserved:world, every outside address, IPv4 included, while 1\.15 turns it into reserved:world-ipv6, .*changes meaning on upgrade; in a dual-stack cluster, every outside address too$/);
    }
    // With except, the agent splits ::/0 into IPv6 prefixes: no address of an IPv4-only cluster.
    const [split] = findings(report([rule('egressDeny', { toCIDRSet: [{ cidr: '::/0', except: ['2001:db8::/32'] }] })], '1.14'), ID);
    expect(split.message).toMatch(/Cilium 1\.14 splits it at its except holes into IPv6 prefixes, which no address is in, so this egress deny rule denies no address outside/);
    const set = PolicySet.fromYaml(JSON.stringify(cnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['::/0'] }] })),
      { ciliumVersion: CiliumVersion.V1_14 });
    expect(verdictFor(set, 'pod:shop:app=web', 'cidr:8.8.8.8', '443/TCP').verdict).toBe('denied');
  });
});

describe('pitfall-icmp-type-zero: an icmps field that the agent reads as every ICMP type', () => {
  const ID = 'pitfall-icmp-type-zero';
  const icmps = (section: string, ...fields: Doc[]): Doc => cnp({
    endpointSelector: WEB, enableDefaultDeny: { egress: false }, [section]: [{ [section.startsWith('ingress') ? 'fromCIDR' : 'toCIDR']: ['192.0.2.0/24'], icmps: [{ fields }] }],
  });

  it('type 0, "0" and IPv4 EchoReply, in allow and deny sections, at the field; other types and IPv6 EchoReply (129) are not', () => {
    expect(paths(ID, [icmps('egress', { type: 8 }, { type: 0 }, { type: 'EchoReply' }, { family: 'IPv4', type: '0' })]))
      .toEqual(['spec.egress[0].icmps[0].fields[1].type', 'spec.egress[0].icmps[0].fields[2].type', 'spec.egress[0].icmps[0].fields[3].type']);
    expect(paths(ID, [icmps('ingressDeny', { family: 'IPv6', type: 0 })])).toEqual(['spec.ingressDeny[0].icmps[0].fields[0].type']);
    expect(paths(ID, [icmps('ingress', { family: 'IPv6', type: 'EchoReply' }, { type: 'EchoRequest' }, { type: 3 })])).toEqual([]);
    expect(paths(ID, [icmps('egress', { type: null }, { type: { n: 0 } }), cnp({ endpointSelector: WEB, egress: [{ icmps: [null, { fields: 'x' }] }] })]))
      .toEqual([]);
  });

  it('an allow says it opens all ICMPv4 and how to drop it; a deny says it drops all, ping included', () => {
    const [allow] = findings(report([icmps('egress', { type: 'EchoReply' })]), ID);
    expect(allow.message).toMatch(/^icmps type "EchoReply" \(IPv4\) is read by the agent as every ICMPv4 type: .*cilium\/cilium#41304.*this allow opens all ICMPv4/);
    expect(allow.fix).toMatch(/^drop it: echo replies to an allowed echo request pass through connection tracking/);
    const [deny] = findings(report([icmps('egressDeny', { family: 'IPv6', type: '0' })]), ID);
    expect(deny.message).toMatch(/this deny drops all ICMPv6, not only type 0$/);
    expect(deny.fix).toMatch(/^if all ICMPv6 is meant, deny it without icmps/);
  });

  it('the engine agrees: an allow of EchoReply lets a ping (type 8) and destination unreachable (3) through', () => {
    const set = PolicySet.fromYaml(JSON.stringify(cnp({ endpointSelector: WEB, egress: [{ toCIDR: ['192.0.2.0/24'], icmps: [{ fields: [{ type: 'EchoReply' }] }] }] })));
    expect(['icmp/8', 'icmp/3', '443/TCP'].map((c) => verdictFor(set, 'pod:shop:app=web', 'cidr:192.0.2.7', c).verdict)).toEqual(['allowed', 'allowed', 'denied']);
  });
});

describe('pitfall-cidr-ipv4-mapped', () => {
  it('a CIDR or cidrSet cidr inside ::ffff:0:0/96, allow or deny: an error naming the IPv4 CIDR; the engine agrees it selects nothing', () => {
    const deny = cnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDRSet: [{ cidr: '::ffff:10.0.0.0/104' }] }] });
    expect(paths('pitfall-cidr-ipv4-mapped', [deny])).toEqual(['spec.egressDeny[0].toCIDRSet[0].cidr']);
    expect(messages('pitfall-cidr-ipv4-mapped', [deny])[0]).toContain('this deny holds nothing, and 10.0.0.0/8 stays reachable');
    expect(verdictFor(PolicySet.fromYaml(JSON.stringify(deny)), 'pod:shop:app=web', 'cidr:10.1.2.3', '443/TCP').verdict).toBe('allowed');
    const allow = cnp({ endpointSelector: WEB, egress: [{ toCIDR: ['::ffff:192.0.2.0/120'] }] });
    expect(paths('pitfall-cidr-ipv4-mapped', [allow])).toEqual(['spec.egress[0].toCIDR[0]']);
    expect(verdictFor(PolicySet.fromYaml(JSON.stringify(allow)), 'pod:shop:app=web', 'cidr:192.0.2.7', '443/TCP').verdict).toBe('denied');
  });

  // pkg/policy/api/cidr.go ComputeResultantCIDRSet (1.14-1.16): net.ParseCIDR, then net.IPNet.String(), which writes a
  // block inside ::ffff:0:0/96 as IPv4; from 1.17 (cilium/cilium#35139) a CIDR-set entry is a label of its own prefix.
  it('in a CIDR set on 1.14-1.16: selected as its IPv4 CIDR, until 1.17; toCIDR selects nothing there too; the engine agrees', () => {
    const deny = cnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDRSet: [{ cidr: '::ffff:a00:0/104' }] }] });
    for (const version of ['1.14', '1.15', '1.16']) {
      expect(paths('pitfall-cidr-ipv4-mapped', [deny], version)).toEqual(['spec.egressDeny[0].toCIDRSet[0].cidr']);
      expect(messages('pitfall-cidr-ipv4-mapped', [deny], version)[0]).toBe(`::ffff:a00:0/104 is an IPv4-mapped IPv6 CIDR: Cilium ${version} writes it `
        + 'as 10.0.0.0/8 in a CIDR set (pkg/policy/api ComputeResultantCIDRSet, net.IPNet.String), so it selects 10.0.0.0/8 here; from 1.17 a CIDR '
        + 'set keeps it IPv6, as toCIDR always does, and it selects nothing — after that upgrade this deny holds nothing, and 10.0.0.0/8 is reachable');
      const set = PolicySet.fromYaml(JSON.stringify({ ...deny, apiVersion: 'cilium.io/v2' }), { ciliumVersion: CiliumVersion.parse(version) });
      expect(verdictFor(set, 'pod:shop:app=web', 'cidr:10.1.2.3', '443/TCP').verdict).toBe('denied');
      const toCidr = cnp({ endpointSelector: WEB, egress: [{ toCIDR: ['::ffff:a00:0/104'] }] });
      expect(messages('pitfall-cidr-ipv4-mapped', [toCidr], version)[0]).toContain('Cilium keeps it as IPv6 and no packet carries such an address');
    }
    expect(messages('pitfall-cidr-ipv4-mapped', [deny], '1.17')[0]).toContain('this deny holds nothing, and 10.0.0.0/8 stays reachable');
  });

  it('a CIDR-set ::ffff:0:0/96 allow on 1.14-1.16 is every IPv4 address: a broad peer, not "selects nothing"', () => {
    const allow = cnp({ endpointSelector: WEB, egress: [{ toCIDRSet: [{ cidr: '::ffff:0:0/96' }] }] });
    expect(messages('pitfall-cidr-ipv4-mapped', [allow], '1.16')[0]).toContain('so it selects every IPv4 address (0.0.0.0/0) here');
    expect(messages('pitfall-broad-peer', [allow], '1.16')).toEqual(['::ffff:0:0/96 is every IPv4 address outside the cluster (the world) (Cilium 1.16 '
      + 'writes this CIDR-set entry as 0.0.0.0/0: ComputeResultantCIDRSet): this egress rule is open to the whole internet']);
    expect(messages('pitfall-broad-peer', [allow], '1.17')).toEqual([]);
    expect(messages('pitfall-cidr-ipv4-mapped', [allow], '1.17')[0]).toContain('so it selects nothing');
    // The hint does not widen an allow of nothing to the world on 1.17+ (before: "write the IPv4 CIDR 0.0.0.0/0"); on
    // 1.16, where it already is every IPv4 address, writing 0.0.0.0/0 says what it selects; a deny is told 0.0.0.0/0.
    const fix = (docs: Doc[], version: string): string[] => findings(report(docs, version), 'pitfall-cidr-ipv4-mapped').map((f) => f.fix ?? '');
    expect(fix([allow], '1.17')).toEqual(['write the IPv4 ranges meant; only if every IPv4 address outside the cluster is meant, write 0.0.0.0/0, '
      + 'which opens this rule to the whole IPv4 internet (it allows nothing as written)']);
    expect(fix([cnp({ endpointSelector: WEB, egress: [{ toCIDR: ['::ffff:0:0/96'] }] })], '1.16')[0]).toMatch(/^write the IPv4 ranges meant;/);
    expect(fix([allow], '1.16')).toEqual(['write the IPv4 CIDR 0.0.0.0/0']);
    const deny = cnp({ endpointSelector: WEB, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDRSet: [{ cidr: '::ffff:0:0/96' }] }] });
    expect(fix([deny], '1.17')).toEqual(['write the IPv4 CIDR 0.0.0.0/0']);
  });

  it('not for an except (it removes nothing: the IANA special-purpose list writes it), nor for a block wider than the mapped range', () => {
    const except = cnp({ endpointSelector: WEB, egress: [{ toCIDRSet: [{ cidr: '::/0', except: ['::ffff:0:0/96', 'fc00::/7'] }] }] });
    expect(paths('pitfall-cidr-ipv4-mapped', [except])).toEqual([]);
    expect(paths('pitfall-cidr-ipv4-mapped', [cnp({ endpointSelector: WEB, egress: [{ toCIDR: ['::/80'] }] })])).toEqual([]);
  });
});
