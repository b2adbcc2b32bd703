// `pitfall-auth-mode-conflict` (src/validate/pitfall-parser-merge.ts): two allow items giving one endpoint different
// `authentication.mode`s on one filter for one peer selector make the agent refuse the endpoint's policy
// (pkg/policy/rule.go `mergePortProto`: "cannot merge conflicting authentication types"). Grouped by the same
// `mergeGroups` and `authenticationFilters` as the engine's note (src/engine/parser-conflicts.ts), which agrees case by case.
import { describe, expect, it } from 'vitest';
import { PolicySet } from '../../src/engine';
import { judged, refusedByMatchers } from '../engine/helpers';
import { CiliumVersion } from '../../src/core/cilium-version';
import { fromYaml } from '../../src/model/parse';
import { ManifestInventory } from '../../src/validate/inventory';
import { checkPitfalls } from '../../src/validate/pitfall-rules';
import { check, findings } from './helpers';

/** One policy document (flow style): CNP in `namespace` (or CCNP when `''`) on `subject` with `sections`. */
function policy(name: string, subject: string, sections: string, namespace = 'shop'): string {
  const kind = namespace === '' ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  return `apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace === '' ? '' : `  namespace: ${namespace}\n`}`
    + `spec:\n  endpointSelector: { matchLabels: ${subject} }\n${sections}`;
}

/** An ingress item from `peer` on `ports` (none: every port) with authentication `mode` (none: no field). */
const from = (peer: string, ports: string | undefined, mode?: string): string => `    - ${peer}\n`
  + `${ports === undefined ? '' : `      toPorts: [{ ports: [${ports}] }]\n`}${mode === undefined ? '' : `      authentication: { mode: ${mode} }\n`}`;
const WEB = 'fromEndpoints: [{ matchLabels: { app: web } }]';
const WORKER = 'fromEndpoints: [{ matchLabels: { app: worker } }]';
const P80 = '{ port: "80", protocol: TCP }';
const API = '{ app: api }';

type Files = Record<string, string>;
const at = (files: Files): string[] => findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-auth-mode-conflict').map((d) => `${d.file}:${d.line} ${d.path ?? ''}`);
/** Each finding's place, severity and outcome: `refused`, or `order` (a deny of the same filter and peer: not known). */
const outcomes = (files: Files): string[] => findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-auth-mode-conflict')
  .map((d) => `${d.file}:${d.line} ${d.path ?? ''} ${d.severity} ${d.message.endsWith('which is not known before apply') ? 'order' : 'refused'}`);

describe('flagged', () => {
  it('two policies on the same pods, required and test-always-fail from the same peer on 80/TCP: at the later item, naming the other', () => {
    const files = {
      'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}`),
      'b.yaml': policy('b', API, `  ingress:\n${from(WEB, P80, 'test-always-fail')}`),
    };
    const [d, ...rest] = findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-auth-mode-conflict');
    expect(rest).toEqual([]);
    expect([`${d.file}:${d.line} ${d.path ?? ''}`, d.severity]).toEqual(['b.yaml:9 spec.ingress[0]', 'error']);
    expect(d.message).toBe('authentication mode test-always-fail on ingress 80/TCP here, and mode required on the same filter in CiliumNetworkPolicy '
      + 'shop/a (a.yaml:9), a rule that may select the same endpoints for the same peer endpoints {any:app=web, k8s:io.kubernetes.pod.namespace=shop}: '
      + 'Cilium cannot merge conflicting authentication types, so the agent refuses the policy of the endpoints both select and keeps the one they '
      + 'had (kubectl apply succeeds; the error shows only in the agent log and the endpoint\'s status)');
  });

  it('within one policy, disabled and required on every port (filter 0/ANY)', () => {
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, undefined, 'disabled')}${from(WEB, undefined, 'required')}`) })).toEqual(['a.yaml:11 spec.ingress[1]']);
  });

  it('a CCNP and a CNP that may select the same pods', () => {
    expect(at({
      'a.yaml': policy('a', API, `  ingress:\n${from('fromEntities: [world]', P80, 'required')}`, ''),
      'b.yaml': policy('b', API, `  ingress:\n${from('fromEntities: [world]', P80, 'disabled')}`),
    })).toEqual(['b.yaml:9 spec.ingress[0]']);
  });
});

describe('a deny for other pods does not hide the conflict (review)', () => {
  it('an ingressDeny of the same peer and port in a policy for app=unrelated: still flagged', () => {
    expect(at({
      'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}`),
      'b.yaml': policy('b', API, `  ingress:\n${from(WEB, P80, 'disabled')}`),
      'd.yaml': policy('d', '{ app: unrelated }', `  ingressDeny:\n${from(WEB, P80)}`),
    })).toEqual(['b.yaml:9 spec.ingress[0]']);
  });
});

describe('not flagged', () => {
  const pair = (a: string, b: string, bNamespace = 'shop', bSubject = API): Files =>
    ({ 'a.yaml': policy('a', API, a), 'b.yaml': policy('b', bSubject, b, bNamespace) });
  it('the same mode twice', () => {
    expect(at(pair(`  ingress:\n${from(WEB, P80, 'required')}`, `  ingress:\n${from(WEB, P80, 'required')}`))).toEqual([]);
  });
  it('one item without a mode (it takes the other\'s)', () => {
    expect(at(pair(`  ingress:\n${from(WEB, P80, 'required')}`, `  ingress:\n${from(WEB, P80)}`))).toEqual([]);
  });
  it('other peers, other ports, other namespaces, disjoint subjects', () => {
    const a = `  ingress:\n${from(WEB, P80, 'required')}`;
    expect(at(pair(a, `  ingress:\n${from(WORKER, P80, 'disabled')}`))).toEqual([]);
    expect(at(pair(a, `  ingress:\n${from(WEB, '{ port: "81", protocol: TCP }', 'disabled')}`))).toEqual([]);
    expect(at(pair(a, `  ingress:\n${from(WEB, P80, 'disabled')}`, 'other'))).toEqual([]);
    expect(at(pair(a, `  ingress:\n${from(WEB, P80, 'disabled')}`, 'shop', '{ app: db }'))).toEqual([]);
  });
  it('items without a peer field and without ports: they select nothing, so their modes meet on no filter (bug: flagged on 0/ANY)', () => {
    // rule.go mergeIngress/mergeEgress merge an L3-only item only with selectors; the engine compiles it to no L4 (l4Scope 'none').
    expect(at({ 'a.yaml': policy('a', API, '  ingress:\n    - authentication: { mode: required }\n    - authentication: { mode: disabled }\n') })).toEqual([]);
    // With a port they apply to every peer: the same filter and the wildcard peer.
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n    - toPorts: [{ ports: [${P80}] }]\n      authentication: { mode: required }\n`
      + `    - toPorts: [{ ports: [${P80}] }]\n      authentication: { mode: disabled }\n`) })).toEqual(['a.yaml:11 spec.ingress[1]']);
  });
});

describe('a deny of the same peer and filter beside the conflict: the merge order decides (session 59; was no finding)', () => {
  // pkg/policy/rule.go mergePortProto: the deny replaces the allow entries merged so far and skips the later ones, so the
  // refusal happens only if both modes come before it; the engine's note is not known (`denyOrdered`), and so is the finding.
  it('in the same policy: an error that says the order decides, naming the rule with the deny', () => {
    const text = policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, 'disabled')}  ingressDeny:\n${from(WEB, P80)}`);
    expect(outcomes({ 'a.yaml': text })).toEqual(['a.yaml:12 spec.ingress[1] error order']);
    const [d] = findings(check({ 'a.yaml': text }, { ciliumVersion: '1.19' }), 'pitfall-auth-mode-conflict');
    expect(d.message).toContain(': Cilium cannot merge conflicting authentication types, but this rule denies the same filter and peer, and the agent '
      + 'ends the merge at the deny (pkg/policy/rule.go mergePortProto: "Denies takes priority over any rule"): whether it refuses');
  });
  it('in another policy that may select the same pods: named with its place', () => {
    const [d] = findings(check({
      'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, 'disabled')}`),
      'c.yaml': policy('c', API, `  ingressDeny:\n${from(WEB, P80)}`),
    }, { ciliumVersion: '1.19' }), 'pitfall-auth-mode-conflict');
    expect(d.message).toContain('but CiliumNetworkPolicy shop/c (c.yaml:7), a rule that may select the same endpoints, denies the same filter and peer');
  });
});

describe('the engine\'s note agrees with the finding', () => {
  // The engine's verdict carries the note; the matchers refuse the connection exactly then (no verdict of theirs is Cilium's).
  const refused = (text: string): string => {
    const set = PolicySet.fromYaml(text);
    const notes = judged(set, 'pod:shop:app=web', 'pod:shop:app=api', '80/TCP').ingress.notes.filter((n) => n.includes('authentication'));
    const noted = notes.some((n) => n.startsWith('Cilium refuses the policy of this endpoint'));
    // With a deny of the same filter and peer the outcome depends on the agent's merge order: a not-known note, refused by
    // the matchers too, and a finding that says the order decides.
    const notKnown = notes.some((n) => n.startsWith('the policy Cilium enforces for this endpoint is not known'));
    expect(refusedByMatchers(set, 'pod:shop:app=web', 'pod:shop:app=api', '80/TCP')).toBe(noted || notKnown);
    return noted ? 'refused' : notKnown ? 'order' : 'none';
  };
  const finding = (text: string): string => outcomes({ 'a.yaml': text }).map((o) => o.split(' ').pop() ?? '')[0] ?? 'none';
  const cases: [string, string][] = [
    ['same peer, two modes', `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, 'disabled')}`],
    ['every port, two modes', `  ingress:\n${from(WEB, undefined, 'required')}${from(WEB, undefined, 'test-always-fail')}`],
    ['other peers', `  ingress:\n${from(WEB, P80, 'required')}${from(WORKER, P80, 'disabled')}`],
    ['one mode and none', `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80)}`],
    ['port and every port', `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, undefined, 'disabled')}`],
    ['with a deny', `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, 'disabled')}  ingressDeny:\n${from(WEB, P80)}`],
    // No peer field and no port: the item selects nothing (l4Scope 'none'), so its mode lands on no filter.
    ['no peer and no port, two modes', '  ingress:\n    - authentication: { mode: required }\n    - authentication: { mode: disabled }\n'],
  ];
  for (const [name, sections] of cases) {
    it(name, () => {
      const text = policy('a', API, sections);
      expect(finding(text)).toBe(refused(text));
    });
  }
  it('the cases include the three answers', () => {
    const answers = cases.map(([, sections]) => finding(policy('a', API, sections)));
    expect(new Set(answers)).toEqual(new Set(['refused', 'order', 'none']));
  });
});

describe('every filter and direction (mutation tests)', () => {
  const TO_WEB = 'toEndpoints: [{ matchLabels: { app: web } }]';
  const icmp = (fields: string): string => `${WEB}\n      icmps: [{ fields: [${fields}] }]`;
  const messages = (files: Files): string[] => findings(check(files, { ciliumVersion: '1.19' }), 'pitfall-auth-mode-conflict')
    .map((d) => `${d.path ?? ''}: ${d.message.split(' for the same peer')[0]}`);

  it('egress: on the egress filter, within one rule (the message names the rule, not "a rule that may select")', () => {
    expect(messages({ 'a.yaml': policy('a', API, `  egress:\n${from(TO_WEB, P80, 'required')}${from(TO_WEB, P80, 'disabled')}`) })).toEqual([
      'spec.egress[1]: authentication mode disabled on egress 80/TCP here, and mode required on the same filter in CiliumNetworkPolicy shop/a (a.yaml:9)',
    ]);
  });

  it('ICMP types by number and by name, per family: ICMP for IPv4 (the default), ICMPv6 for IPv6', () => {
    expect(messages({ 'a.yaml': policy('a', API, `  ingress:\n${from(icmp('{ type: 8 }'), undefined, 'required')}`
      + `${from(icmp('{ type: EchoRequest, family: IPv4 }'), undefined, 'disabled')}`) })).toEqual([
      'spec.ingress[1]: authentication mode disabled on ingress 8/ICMP here, and mode required on the same filter in CiliumNetworkPolicy shop/a (a.yaml:9)',
    ]);
    expect(messages({ 'a.yaml': policy('a', API, `  ingress:\n${from(icmp('{ type: 128, family: IPv6 }'), undefined, 'required')}`
      + `${from(icmp('{ type: EchoRequest, family: IPv6 }'), undefined, 'disabled')}`) })).toEqual([
      'spec.ingress[1]: authentication mode disabled on ingress 128/ICMPv6 here, and mode required on the same filter in CiliumNetworkPolicy shop/a (a.yaml:9)',
    ]);
    // A name no ICMP type has is no filter (the API server refuses it: no merge ever happens).
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(icmp('{ type: NoSuchType }'), undefined, 'required')}`
      + `${from(icmp('{ type: NoSuchType }'), undefined, 'disabled')}`) })).toEqual([]);
    // The same number in the two families is two filters.
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(icmp('{ type: 8, family: IPv4 }'), undefined, 'required')}`
      + `${from(icmp('{ type: 8, family: IPv6 }'), undefined, 'disabled')}`) })).toEqual([]);
  });

  // Session 45 review: the API server refuses the null entries, so `validate` leaves that policy out of the merge (as the
  // engine does); `checkPitfalls` without that knowledge (a caller's models) still skips the entries, not the item.
  it('entries that are no mapping are skipped, the rest of the item still counts', () => {
    const broken = `${WEB}\n      toPorts: [~, { ports: [~, ${P80}] }]\n      icmps: [~, { fields: [~, { family: IPv4 }, { type: 8 }] }]`;
    const text = policy('a', API, `  ingress:\n${from(broken, undefined, 'required')}${from(WEB, P80, 'disabled')}`
      + `${from(icmp('{ type: 8 }'), undefined, 'disabled')}`);
    expect(messages({ 'a.yaml': text })).toEqual([]);
    const model = fromYaml(text).documents[0].model;
    expect(checkPitfalls([{ model, version: CiliumVersion.V1_19, where: 'a.yaml:9' }], new ManifestInventory())
      .filter((d) => d.id === 'pitfall-auth-mode-conflict').map((d) => `${d.path ?? ''}: ${d.message.split(' for the same peer')[0]}`)).toEqual([
      'spec.ingress[1]: authentication mode disabled on ingress 80/TCP here, and mode required on the same filter in CiliumNetworkPolicy shop/a (a.yaml:9)',
      'spec.ingress[2]: authentication mode disabled on ingress 8/ICMP here, and mode required on the same filter in CiliumNetworkPolicy shop/a (a.yaml:9)',
    ]);
  });

  it('an ingress and an egress item of the same peer and port are on two filters', () => {
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}  egress:\n${from(TO_WEB, P80, 'disabled')}`) })).toEqual([]);
  });

  it('a mode that is no string, and a rule without endpointSelector (the agent refuses it), take no part', () => {
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, '[disabled]')}`) })).toEqual([]);
    const selectorless = policy('b', API, `  ingress:\n${from(WEB, P80, 'disabled')}`).replace('  endpointSelector: { matchLabels: { app: api } }\n', '');
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${from(WEB, P80, 'required')}`), 'b.yaml': selectorless })).toEqual([]);
    // Within one rule without endpointSelector either: the agent refuses the rule, so its modes never merge.
    const alone = policy('b', API, `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, 'disabled')}`)
      .replace('  endpointSelector: { matchLabels: { app: api } }\n', '');
    expect(at({ 'b.yaml': alone })).toEqual([]);
  });

  it('the same entity peer in two namespaces: two sets of endpoints, no conflict', () => {
    const world = (mode: string): string => `  ingress:\n${from('fromEntities: [world]', P80, mode)}`;
    expect(at({ 'a.yaml': policy('a', API, world('required')), 'b.yaml': policy('b', API, world('disabled'), 'other') })).toEqual([]);
  });
});

describe('which denies make a conflict order-dependent (mutation tests)', () => {
  const modes = `  ingress:\n${from(WEB, P80, 'required')}${from(WEB, P80, 'disabled')}`;
  it('a deny of the same filter and peer, also when a later deny of it is for other pods', () => {
    expect(outcomes({
      'a.yaml': policy('a', API, modes),
      'c.yaml': policy('c', API, `  ingressDeny:\n${from(WEB, P80)}`),
      'd.yaml': policy('d', '{ app: unrelated }', `  ingressDeny:\n${from(WEB, P80)}`),
    })).toEqual(['a.yaml:12 spec.ingress[1] error order']);
  });

  it('an egressDeny of an egress conflict; a clusterwide deny of a namespaced one; a namespaced deny of a clusterwide one', () => {
    const to = 'toEndpoints: [{ matchLabels: { app: web } }]';
    expect(outcomes({ 'a.yaml': policy('a', API, `  egress:\n${from(to, P80, 'required')}${from(to, P80, 'disabled')}  egressDeny:\n${from(to, P80)}`) }))
      .toEqual(['a.yaml:12 spec.egress[1] error order']);
    const world = (mode: string): string => from('fromEntities: [world]', P80, mode);
    expect(outcomes({
      'a.yaml': policy('a', API, `  ingress:\n${world('required')}${world('disabled')}`),
      'c.yaml': policy('c', API, `  ingressDeny:\n${from('fromEntities: [world]', P80)}`, ''),
    })).toEqual(['a.yaml:12 spec.ingress[1] error order']);
    // A CCNP's conflict and a CNP's deny of its pods in shop (was: a certain refusal).
    expect(outcomes({
      'a.yaml': policy('a', API, `  ingress:\n${world('required')}${world('disabled')}`, ''),
      'c.yaml': policy('c', API, `  ingressDeny:\n${from('fromEntities: [world]', P80)}`),
    })).toEqual(['a.yaml:11 spec.ingress[1] error order']);
  });

  it('a deny of another namespace hides nothing', () => {
    const world = (mode?: string): string => from('fromEntities: [world]', P80, mode);
    expect(at({
      'a.yaml': policy('a', API, `  ingress:\n${world('required')}${world('disabled')}`),
      'c.yaml': policy('c', API, `  ingressDeny:\n${world()}`, 'other'),
    })).toEqual(['a.yaml:12 spec.ingress[1]']);
  });

  it('a host policy\'s deny hides nothing in a pod policy, namespaced or clusterwide: the host endpoint has a policy of its own', () => {
    const world = (mode?: string): string => from('fromEntities: [world]', P80, mode);
    const host = 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: h\nspec:\n  nodeSelector: {}\n'
      + `  ingressDeny:\n${world()}`;
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${world('required')}${world('disabled')}`), 'h.yaml': host }))
      .toEqual(['a.yaml:12 spec.ingress[1]']);
    expect(at({ 'a.yaml': policy('a', API, `  ingress:\n${world('required')}${world('disabled')}`, ''), 'h.yaml': host }))
      .toEqual(['a.yaml:11 spec.ingress[1]']);
  });
});
