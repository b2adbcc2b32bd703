// What the engine does not evaluate — TLS server names (serverNames), TLS interception or an Envoy listener, mutual
// authentication it judges as passing (mode required with mutualAuth) — leaves every verdict as it was when only it
// changes: the diff says NOT COMPARED (counted by --fail-on either way) instead of an empty diff. Without mutualAuth,
// required (and test-always-fail) drops: a change the diff lists.
import { describe, expect, test } from 'vitest';
import { Connectivity } from '../../src/diff';
import { PolicySet, Verdict } from '../../src/engine';
import { CiliumVersion } from '../../src/core/cilium-version';
import { verdict } from '../engine/helpers';

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

  test('authentication required added to an allow: the connection is newly denied (DROP_POLICY_AUTH_REQUIRED), compared', () => {
    const doc = diff(egress(''), egress('    authentication: { mode: required }\n'));
    expect(doc.changes).toMatchObject([{ from: 'prod/app=web', to: 'prod/app=api', before: 'allowed', after: 'denied', ports: ['443/TCP'] }]);
    expect(doc.changes[0].reason.after?.text).toBe('dropped: egress CiliumNetworkPolicy prod/web spec.egress[0] requires authentication, '
      + 'which is never established here (DROP_POLICY_AUTH_REQUIRED)');
    expect(doc.notCompared ?? []).toEqual([]);
  });

  test('authentication required added with mutualAuth: judged as passing, so NOT COMPARED (it assumes SPIRE attests both)', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(egress(''), { file: 'base.yaml', mutualAuth: true }),
      PolicySet.fromYaml(egress('    authentication: { mode: required }\n'), { file: 'head.yaml', mutualAuth: true }));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared).toHaveLength(1);
    expect(doc.notCompared?.[0].text).toContain('mutual authentication judged as passing');
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

// Session 48: what the engine misses of these items is the restriction of an allow it judges, so an item added narrows and
// one removed widens. Before: serverNames added to a plain allow counted as `allowed` only (an "allow added"), so
// `--fail-on denied` passed though Envoy now refuses every other SNI; serverNames removed counted as `denied` only, so
// `--fail-on allowed` passed though every SNI now passes.
describe('diff: --fail-on counts an unevaluated restriction added as denied, removed as allowed', () => {
  const sni = egress('', ', serverNames: [api.example.com]');
  const listener = egress('', ', listener: { envoyConfig: { kind: CiliumEnvoyConfig, name: cec }, name: l }');
  const withAuth = (yaml: string): PolicySet => PolicySet.fromYaml(yaml, { file: 'p.yaml', mutualAuth: true });
  test.each([
    ['serverNames added to a plain allow', diff(egress(''), sni), false, true],
    ['serverNames removed from an allow', diff(sni, egress('')), true, false],
    ['an Envoy listener added', diff(egress(''), listener), false, true],
    ['an Envoy listener removed', diff(listener, egress('')), true, false],
    ['mutual authentication (judged as passing) added', Connectivity.diff(withAuth(egress('')), withAuth(egress('    authentication: { mode: required }\n'))),
      false, true],
    ['mutual authentication (judged as passing) removed', Connectivity.diff(withAuth(egress('    authentication: { mode: required }\n')), withAuth(egress(''))),
      true, false],
  ] as const)('%s', (_name, doc, mayAllow, mayDeny) => {
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared).toHaveLength(1);
    expect(doc.notCompared?.[0]).toMatchObject({ mayAllow, mayDeny });
  });

  test('an item with serverNames added for a peer allowed before by nothing: the allow itself is compared (newly allowed)', () => {
    const other = egress('').replace('app: api', 'app: other');
    const doc = diff(other, `${other}  - toEndpoints: [{ matchLabels: { app: api } }]\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }], serverNames: [api.example.com] }]\n`);
    expect(doc.changes).toMatchObject([{ from: 'prod/app=web', to: 'prod/app=api', before: 'denied', after: 'allowed', ports: ['443/TCP'] }]);
  });
});

describe('report: allows the engine does not evaluate are noted', () => {
  test('an item with serverNames: its connections listed as allowed, with a note naming the item', () => {
    const doc = Connectivity.report(PolicySet.fromYaml(egress('', ', serverNames: [api.example.com]'), { file: 'p.yaml' }));
    expect(doc.notJudged?.map((n) => n.text)).toEqual([
      '1 allow rule item (prod/web spec.egress[0]) restrict TLS server names (serverNames), intercept TLS or use an Envoy '
      + 'listener, which the engine does not evaluate, or require mutual authentication, which it judges as passing (mutualAuth): '
      + 'the connections they allow are listed without those restrictions; review them by hand',
    ]);
  });

  test('authentication required: its connections are not listed (dropped), no note; with mutualAuth listed, with the note', () => {
    const text = egress('    authentication: { mode: required }\n');
    const off = Connectivity.report(PolicySet.fromYaml(text, { file: 'p.yaml' }));
    expect(off.notJudged).toBeUndefined();
    expect(off.connections.filter((c) => c.from === 'prod/app=web' && c.to === 'prod/app=api')).toEqual([]);
    const on = Connectivity.report(PolicySet.fromYaml(text, { file: 'p.yaml', mutualAuth: true }));
    expect(on.notJudged?.map((n) => n.text)).toEqual([expect.stringMatching(/^1 allow rule item \(prod\/web spec\.egress\[0\]\)/)]);
    expect(on.connections.filter((c) => c.from === 'prod/app=web' && c.to === 'prod/app=api')).toHaveLength(1);
  });

  test('none of them: no note', () => {
    expect(Connectivity.report(PolicySet.fromYaml(egress(''), { file: 'p.yaml' })).notJudged).toBeUndefined();
  });
});

// Session 48 review: a plain allow of another selector of the same pods beside an item with serverNames lifts its SNI list
// (the agent merges per cached selector: pkg/policy/rule.go `mergePortProto`); removing it narrows, adding it widens, though
// no item with serverNames changed and the verdict stays allowed. Before: "no connectivity change", exit 0 under
// `--fail-on denied` (and `allowed` for the mirror). Now the restriction the verdicts gain or lose is noted and counted.
describe('diff: an unevaluated restriction gained or lost on an allowed connection, its items unchanged', () => {
  const SNI = '  - toEndpoints: [{ matchLabels: { app: api } }]\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }], serverNames: [api.example.com] }]\n';
  const withSni = egress('').replace(/ {2}- toEndpoints:[\s\S]*$/, SNI);
  const plainOther = '  - toEndpoints: [{ matchExpressions: [{ key: app, operator: In, values: [api] }] }]\n'
    + '    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]\n';
  const plainSame = '  - toEndpoints: [{ matchLabels: { app: api } }]\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]\n';
  test.each([
    ['the plain sibling of another selector removed: the SNI list now applies (denied)', withSni + plainOther, withSni, false, true,
      /restricted in head, not in base/],
    ['the plain sibling of another selector added: the SNI list no longer applies (allowed)', withSni, withSni + plainOther, true, false,
      /restricted in base, not in head/],
  ] as const)('%s', (_name, base, head, mayAllow, mayDeny, example) => {
    const doc = diff(base, head);
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared).toHaveLength(1);
    expect(doc.notCompared?.[0]).toMatchObject({ mayAllow, mayDeny });
    expect(doc.notCompared?.[0].text).toMatch(/^the TLS server names, TLS interception or Envoy listener restricting 1 connection allowed on both sides differ /);
    expect(doc.notCompared?.[0].text).toMatch(example);
    expect(doc.notCompared?.[0].text).toContain('prod/app=web → prod/app=api 443/TCP');
  });

  test('a plain sibling of the same selector added or removed: merged with the SNI item, the restriction stays (no note)', () => {
    expect(diff(withSni + plainSame, withSni).notCompared ?? []).toEqual([]);
    expect(diff(withSni, withSni + plainSame).notCompared ?? []).toEqual([]);
  });
});

// Session 49: the restrictions were compared by their text, which names the rule that carries them, so the same SNI list
// carried by a renamed policy, or by an item that moved to another index, was "restricted otherwise in head" (gained and
// lost, failing `--fail-on` either way) though Envoy enforces the same list. Now by what is restricted
// (`restrictionContent`).
describe('diff: the same restriction carried by another rule is no restriction gained or lost', () => {
  const SNI = '  - toEndpoints: [{ matchLabels: { app: api } }]\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }], serverNames: [api.example.com] }]\n';
  const withSni = egress('').replace(/ {2}- toEndpoints:[\s\S]*$/, SNI);
  // An unrelated item before it (to app=db on 5432): the SNI item is now spec.egress[1], and web's egress changed.
  const before = '  - toEndpoints: [{ matchLabels: { app: db } }]\n    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]\n';
  const moved = withSni.replace(SNI, before + SNI);

  test('the SNI item moved to another index (an item added before it): no note of the restriction', () => {
    const doc = diff(withSni, moved);
    expect(doc.changes.map((c) => `${c.from} → ${c.to} ${c.ports.join()} ${c.after}`)).toEqual(['prod/app=web → prod/app=db 5432/TCP allowed']);
    expect(doc.notCompared ?? []).toEqual([]);
  });

  test('the policy renamed with the item added: no note of the restriction; the SNI list changed: noted', () => {
    expect(diff(withSni, moved.replace('name: web,', 'name: web-v2,')).notCompared ?? []).toEqual([]);
    const other = diff(withSni, moved.replace('serverNames: [api.example.com]', 'serverNames: [www.example.com]'));
    expect(other.notCompared?.map((n) => n.text).join('\n')).toMatch(/differ between base and head \(1 added, 1 removed\)/);
  });
});

// The fixture of the three session-49 blocks below: web and api Deployments in prod, web's egress on 443 to app=api and to the
// cluster entity, and a `toRequires` policy for web that takes api out of the first item (on 1.18, which still has toRequires).
const WORKLOADS = ['api', 'web'].map((app) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${app}, namespace: prod }
spec:
  selector: { matchLabels: { app: ${app} } }
  template: { metadata: { labels: { app: ${app} } }, spec: { containers: [{ name: c, image: x }] } }
`).join('');
/** web's egress on 443 to app=api with `first` and to the cluster entity with `second` (toPorts extras). */
const two = (first: string, second: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], ${first} }]
  - toEntities: [cluster]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], ${second} }]
`;
const REQUIRES = `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: req, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toRequires: [{ matchLabels: { env: x } }]
    toEndpoints: [{ matchLabels: { app: nothing } }]
`;
const set = (yaml: string): PolicySet => PolicySet.fromYaml(yaml, { file: 'p.yaml', ciliumVersion: CiliumVersion.V1_18 });

// Session 49 review: the restrictions were compared by a text that said only "sends it to an Envoy listener" or "intercepts
// its TLS", deduplicated, so web → api restricted by listeners l1 and l2 in base and by l2 alone in head (a `toRequires`
// policy takes api out of the l1 item) compared equal: `diff --fail-on denied` exited 0 and never named the connection.
// Cilium's PerSelectorPolicy.Equal (pkg/policy/l4.go) compares the listener, its priority, the TLS contexts and the SNI
// set: the verdicts now carry them as data (`unevaluatedRestrictions`), and the diff compares that (`restrictionKey`).
describe('diff: a restriction is compared by its listener, TLS Secrets and SNI set', () => {
  const listener = (name: string): string => `listener: { envoyConfig: { kind: CiliumEnvoyConfig, name: cec-${name} }, name: ${name} }`;
  const secret = (name: string): string => `terminatingTLS: { secret: { name: ${name} } }`;
  const webToApi = (yaml: string): Verdict => verdict(set(yaml), 'pod:prod:app=web', 'pod:prod:app=api', 443);

  test.each([
    ['two listeners, the first stops matching', listener('l1'), listener('l2'),
      ['CiliumNetworkPolicy prod/web spec.egress[0] sends it to the Envoy listener l1 of CiliumEnvoyConfig prod/cec-l1',
        'CiliumNetworkPolicy prod/web spec.egress[1] sends it to the Envoy listener l2 of CiliumEnvoyConfig prod/cec-l2']],
    ['two TLS Secrets, the first stops matching', secret('l1'), secret('l2'),
      ['CiliumNetworkPolicy prod/web spec.egress[0] intercepts its TLS (terminating TLS with Secret prod/l1)',
        'CiliumNetworkPolicy prod/web spec.egress[1] intercepts its TLS (terminating TLS with Secret prod/l2)']],
  ] as const)('%s: web → api restricted otherwise in head, --fail-on denied counts it', (_name, first, second, texts) => {
    const base = two(first, second) + WORKLOADS;
    const head = two(first, second) + REQUIRES + WORKLOADS;
    const doc = Connectivity.diff(set(base), set(head));
    const note = doc.notCompared?.find((n) => /TLS server names, TLS interception or Envoy listener restricting/.test(n.text));
    expect(note?.text).toContain('prod/web → prod/api 443/TCP: restricted otherwise in head');
    expect(note).toMatchObject({ mayAllow: true, mayDeny: true });
    // The deciding rules: both items in base; in head the toRequires takes api out of egress[0], egress[1] alone restricts.
    expect(webToApi(base).verdict).toBe('allowed');
    expect(webToApi(base).egress.unevaluatedRestriction).toBe(texts.join('; '));
    expect(webToApi(head).verdict).toBe('allowed');
    expect(webToApi(head).egress.unevaluatedRestriction).toBe(texts[1]);
    // The same listeners and Secrets on both sides: nothing to note.
    expect(Connectivity.diff(set(base), set(base)).notCompared ?? []).toEqual([]);
  });

  test('the listener priority and the TLS Secret namespace are part of the restriction', () => {
    const v = webToApi(two(`${listener('l1')}`.replace('name: l1 }', 'name: l1, priority: 3 }'), secret('s').replace('{ name: s }', '{ namespace: tls, name: s }')));
    expect(v.egress.unevaluatedRestrictions).toEqual([
      { item: 'CiliumNetworkPolicy prod/web spec.egress[0]',
        listener: { envoyConfigKind: 'CiliumEnvoyConfig', envoyConfigNamespace: 'prod', envoyConfigName: 'cec-l1', name: 'l1', priority: 3 } },
      { item: 'CiliumNetworkPolicy prod/web spec.egress[1]', terminatingTls: { secretName: 's', secretNamespace: 'tls' } },
    ]);
    // Another priority of the same listener is another restriction (Cilium: `a.Priority == b.Priority`).
    const base = two(listener('l1'), listener('l1')) + WORKLOADS;
    const head = two(listener('l1').replace('name: l1 }', 'name: l1, priority: 3 }'), listener('l1')) + WORKLOADS;
    expect(diff(base, head).notCompared?.map((n) => n.text).join('\n')).toMatch(/prod\/web → prod\/api 443\/TCP: restricted otherwise in head/);
  });
});

// Session 49 review (fixmends3): a Secret without a namespace is the policy's (pkg/policy/repository.go
// `policyContext.GetTLSContext` passes the policy's namespace; pkg/crypto/certificatemanager `GetTLSContext`:
// `if Secret.Namespace != "" { ns = Secret.Namespace }`). Kept unresolved, `{name: t}` in the CNP prod/web (prod/t) and in
// a CCNP (namespace "") compared equal: the CNP's restriction lost in head was no change (fail-open).
describe('diff: a TLS Secret without a namespace is the policy\'s', () => {
  const TLS = 'terminatingTLS: { secret: { name: t } }';
  const POLICIES = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { app: api } }]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], ${TLS} }]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cw }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEntities: [cluster]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], ${TLS} }]
`;

  // Session 50: the namespace is the subject's, not the policy's (pkg/policy/repository.go `resolvePolicyLocked`:
  // `policyContext.ns` is the subject identity's k8s:io.kubernetes.pod.namespace label): the CCNP's {name: t} for a pod
  // of prod is prod/t too, the CNP's Secret. Before: the CCNP's was kept without a namespace, another restriction.
  test('CNP prod/web {name: t} is prod/t, and so is the CCNP\'s for a pod of prod: one Secret, no restriction changed', () => {
    const base = POLICIES + WORKLOADS;
    const head = POLICIES + REQUIRES + WORKLOADS;
    const v = verdict(set(base), 'pod:prod:app=web', 'pod:prod:app=api', 443);
    expect(v.verdict).toBe('allowed');
    expect(v.egress.unevaluatedRestrictions?.map((r) => r.terminatingTls)).toEqual([{ secretName: 't', secretNamespace: 'prod' }, { secretName: 't', secretNamespace: 'prod' }]);
    const doc = Connectivity.diff(set(base), set(head));
    const note = doc.notCompared?.find((n) => /TLS server names, TLS interception or Envoy listener restricting/.test(n.text));
    expect(note?.text ?? '').not.toContain('prod/web → prod/api 443/TCP: restricted otherwise in head');
    // The same CCNP for a pod of another namespace reads that namespace's Secret.
    const other = verdict(set(base), 'pod:shop:app=web', 'pod:prod:app=api', 443);
    expect(other.egress.unevaluatedRestrictions?.map((r) => r.terminatingTls)).toEqual([{ secretName: 't', secretNamespace: 'shop' }]);
  });
});

// Session 49 review (fixmends3): the key compared spellings Cilium treats alike. In a CNP, `envoyConfig: {kind:
// CiliumEnvoyConfig, name: cec}` and `{name: cec}` are one listener prod/cec/l1 (pkg/policy/l4.go `createL4Filter`: the
// kind only chooses the namespace), and `secret: {namespace: prod, name: t}` and `{name: t}` one Secret prod/t: "restricted
// otherwise" was a false alarm. A CCNP's listener without a kind is in the subject's namespace (the `default:` branch).
describe('diff: a restriction is keyed on the listener and Secret Cilium resolves, not on their spelling', () => {
  const noted = (first: string, second: string): string[] => (Connectivity.diff(set(two(first, second) + WORKLOADS),
    set(two(first, second) + REQUIRES + WORKLOADS)).notCompared ?? []).map((n) => n.text);

  test.each([
    ['the listener kind written or not (CNP)', 'listener: { envoyConfig: { kind: CiliumEnvoyConfig, name: cec }, name: l1 }',
      'listener: { envoyConfig: { name: cec }, name: l1 }', 'listener: { envoyConfig: { name: cec }, name: l2 }'],
    ['the Secret namespace written or not (CNP prod)', 'terminatingTLS: { secret: { namespace: prod, name: t } }',
      'terminatingTLS: { secret: { name: t } }', 'terminatingTLS: { secret: { namespace: tls, name: t } }'],
  ] as const)('%s: the same restriction, no note; another one: restricted otherwise', (_name, first, same, other) => {
    // (The toRequires adds a peer class app=nothing,env=x of its own; web → api is the connection of the question.)
    expect(noted(first, same).join('\n')).not.toContain('prod/web → prod/api');
    expect(noted(first, other).join('\n')).toContain('prod/web → prod/api 443/TCP: restricted otherwise in head');
  });

  // `secretText` (engine/l7.ts) is the one writer of a Secret reference: a part holding `/` is JSON-quoted, so the Secret
  // a/b (namespace a) and the Secret named "a/b" (in a CCNP: no namespace) read as two. Before: `Secret a/b` both.
  test('a TLS Secret is written as every Secret reference is: a/b and "a/b" are two', () => {
    const v = verdict(set(two('terminatingTLS: { secret: { namespace: a, name: b } }', 'terminatingTLS: { secret: { namespace: x, name: "a/b" } }') + WORKLOADS),
      'pod:prod:app=web', 'pod:prod:app=api', 443);
    expect(v.egress.unevaluatedRestriction).toBe('CiliumNetworkPolicy prod/web spec.egress[0] intercepts its TLS (terminating TLS with Secret a/b); '
      + 'CiliumNetworkPolicy prod/web spec.egress[1] intercepts its TLS (terminating TLS with Secret x/"a/b")');
  });

  // Session 50: the `default:` branch of `createL4Filter` takes the subject's namespace (`policyCtx.GetNamespace()`, the
  // subject identity's namespace label), so a CCNP's listener without a kind is, for a pod of prod, in the
  // CiliumEnvoyConfig prod/cec; for a node (no namespace) in the CiliumClusterwideEnvoyConfig cec. Before: cluster-wide for all.
  test('a CCNP listener without kind is in the CiliumEnvoyConfig of the pod\'s namespace, or cluster-wide for a node', () => {
    const ccnp = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cw }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEntities: [cluster]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: l1 } }]
`;
    const v = verdict(set(ccnp + WORKLOADS), 'pod:prod:app=web', 'pod:prod:app=api', 443);
    expect(v.egress.unevaluatedRestrictions?.[0].listener).toEqual({ envoyConfigKind: 'CiliumEnvoyConfig', envoyConfigNamespace: 'prod', envoyConfigName: 'cec', name: 'l1' });
    expect(v.egress.unevaluatedRestriction).toBe('CiliumClusterwideNetworkPolicy cw spec.egress[0] sends it to the Envoy listener l1 of CiliumEnvoyConfig prod/cec');
    const host = verdict(set(ccnp.replace('endpointSelector: { matchLabels: { app: web } }', 'nodeSelector: {}') + WORKLOADS),
      'node:kubernetes.io/hostname=n1', 'pod:prod:app=api', 443, { hostFirewall: true });
    expect(host.egress.unevaluatedRestrictions?.[0].listener).toEqual({ envoyConfigKind: 'CiliumClusterwideEnvoyConfig', envoyConfigName: 'cec', name: 'l1' });
  });
});

// Session 49 review: serverNames [a.com, b.com] → [b.com, a.com] was reported as a restriction changed, though Cilium keeps
// them as a set (pkg/policy/l4.go `PerSelectorPolicy.ServerNames StringSet`, `StringSet.Equal`). Case is kept: Cilium's
// proxy matched the SNI exactly (`allowed_snis_.find`) before its SniPattern lowercases both sides.
describe('diff: the SNI list is a set', () => {
  test('reordered: no restriction change (repeated: the same set); another case: a change', () => {
    const base = egress('', ', serverNames: [a.com, b.com]');
    expect(diff(base, egress('', ', serverNames: [b.com, a.com]')).notCompared ?? []).toEqual([]);
    // A name twice (refused by the 1.18+ CRD, `crd-server-names-duplicate`; accepted by 1.17): the same set.
    const set = PolicySet.fromYaml(egress('', ', serverNames: [b.com, a.com, a.com]'), { file: 'p.yaml', ciliumVersion: CiliumVersion.V1_17 });
    expect(verdict(set, 'pod:prod:app=web', 'pod:prod:app=api', 443).egress.unevaluatedRestrictions?.[0].serverNames).toEqual(['a.com', 'b.com']);
    expect(diff(base, egress('', ', serverNames: [A.com, b.com]')).notCompared).toHaveLength(1);
  });
});
