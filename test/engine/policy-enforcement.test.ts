// The agent's policy enforcement mode (`policy-enforcement`; PolicySetOptions.policyEnforcement), as
// pkg/policy/repository.go `computePolicyEnforcementAndRules` reads it: `never` returns "not enforced" before matching
// any rule (and before the init label), `always` returns "default deny in both directions" before the three
// default-mode cases (so `enableDefaultDeny: false` adds no allow-all). Truth tables of allowed and denied connections.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { PolicyEnforcement, PolicySetOptions } from '../../src/engine';
import { ccnp, cnp, judged, labels, policySet, refusedByMatchers } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';
const BAD = 'pod:default:app=bad';
const OTHER = 'pod:default:app=other';
const LOOSE = 'pod:default:app=loose';
const WORLD = 'cidr:203.0.113.9';

const DOCS = [
  cnp('api', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    ingressDeny: [{ fromEndpoints: [labels({ app: 'bad' })] }],
  }),
  cnp('loose', { endpointSelector: labels({ app: 'loose' }), enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] }),
  // web's egress: to the pods of its namespace, without default deny (so everything else too, unless always).
  cnp('web-out', { endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false }, egress: [{ toEndpoints: [{}] }] }),
];

/** from, to, port, request → allowed, per mode. */
const TABLE: readonly [string, string, number, string | undefined, Record<PolicyEnforcement, boolean>][] = [
  [WEB, API, 80, 'GET /', { default: true, always: true, never: true }],
  [WEB, API, 80, 'POST /', { default: false, always: false, never: true }],
  [WEB, API, 81, undefined, { default: false, always: false, never: true }],
  [BAD, API, 80, 'GET /', { default: false, always: false, never: true }],
  [OTHER, API, 80, 'GET /', { default: false, always: false, never: true }],
  // No policy selects other, none has egress rules for api, none ingress rules for web: allowed by default, denied
  // under always (each side without rules is default deny).
  [API, WEB, 80, undefined, { default: true, always: false, never: true }],
  [WEB, OTHER, 5432, undefined, { default: true, always: false, never: true }],
  [OTHER, WORLD, 443, undefined, { default: true, always: false, never: true }],
  // enableDefaultDeny false (loose's ingress, web's egress): everything not denied is allowed by default; always ignores it.
  [WEB, WORLD, 443, undefined, { default: true, always: false, never: true }],
  [OTHER, LOOSE, 80, undefined, { default: true, always: false, never: true }],
  [WEB, LOOSE, 80, undefined, { default: true, always: true, never: true }],
];

function options(mode: PolicyEnforcement): PolicySetOptions {
  return { policyEnforcement: mode };
}

describe('policy enforcement modes (computePolicyEnforcementAndRules)', () => {
  for (const mode of [PolicyEnforcement.DEFAULT, PolicyEnforcement.ALWAYS, PolicyEnforcement.NEVER]) {
    test(`truth table, ${mode}`, () => {
      const set = policySet(DOCS, { policyEnforcement: mode });
      // Unset is the default mode.
      const unset = mode === PolicyEnforcement.DEFAULT ? policySet(DOCS) : undefined;
      for (const [from, to, port, http, allowed] of TABLE) {
        const request = http === undefined ? {} : { http };
        expect(judged(set, from, to, port, request).allowed, `${mode} ${from} → ${to} ${port} ${http ?? ''}`).toBe(allowed[mode]);
        if (unset) expect(judged(unset, from, to, port, request).allowed, `unset ${from} → ${to} ${port} ${http ?? ''}`).toBe(allowed[mode]);
      }
    });
  }

  test('always: an endpoint no rule selects is default deny, and the reason names the mode', () => {
    const v = judged(policySet(DOCS, options(PolicyEnforcement.ALWAYS)), API, OTHER, 80);
    expect(v.egress.decision).toBe('default-deny');
    expect(v.ingress.decision).toBe('default-deny');
    expect(judged(policySet(DOCS), API, OTHER, 80).ingress.decision).toBe('no-policy-default-allow');
    expect(v.ingress.reason).toContain('enable-policy=always');
  });

  test('always: enableDefaultDeny false adds no allow-all (default deny, not non-default-deny-allow)', () => {
    expect(judged(policySet(DOCS), OTHER, LOOSE, 80).ingress.decision).toBe('non-default-deny-allow');
    expect(judged(policySet(DOCS, options(PolicyEnforcement.ALWAYS)), OTHER, LOOSE, 80).ingress.decision).toBe('default-deny');
    expect(judged(policySet(DOCS), WEB, WORLD, 443).egress.decision).toBe('non-default-deny-allow');
    expect(judged(policySet(DOCS, options(PolicyEnforcement.ALWAYS)), WEB, WORLD, 443).egress.decision).toBe('default-deny');
  });

  test('always: L7 rules restrict where a policy without default deny would only watch them (1.18+ default-allow wildcard)', () => {
    const l7 = [cnp('loose-l7', {
      endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    }), cnp('web-out', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [{}] }] })];
    expect(judged(policySet(l7), WEB, API, 80, { http: 'POST /' }).allowed).toBe(true);
    expect(judged(policySet(l7, options(PolicyEnforcement.ALWAYS)), WEB, API, 80, { http: 'POST /' }).allowed).toBe(false);
    expect(judged(policySet(l7, options(PolicyEnforcement.ALWAYS)), WEB, API, 80, { http: 'GET /' }).allowed).toBe(true);
  });

  test('never: deny rules and reserved:init are not enforced either, and the reason names the mode', () => {
    const set = policySet(DOCS, options(PolicyEnforcement.NEVER));
    const v = judged(set, BAD, API, 80);
    expect(v.ingress.decision).toBe('no-policy-default-allow');
    expect(v.ingress.reason).toContain('enable-policy=never');
    expect(v.ingress.enforcement).toBe(PolicyEnforcement.NEVER);
    const init = [ccnp('init', { endpointSelector: labels({ 'reserved:init': '' }), egress: [{ toEntities: ['host'] }] })];
    expect(judged(policySet(init), 'entity:init', WEB, 80).allowed).toBe(false);
    expect(judged(policySet(init, options(PolicyEnforcement.NEVER)), 'entity:init', WEB, 80).allowed).toBe(true);
  });

  test('host policies: always makes a node without host rules default deny when the host firewall is on; never lifts them', () => {
    const host = [ccnp('host', { nodeSelector: labels({ role: 'db' }), ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] })];
    const on = { hostFirewall: true, allowLocalhost: false };
    const always = { ...on, policyEnforcement: PolicyEnforcement.ALWAYS };
    const DB = 'node:role=db';
    const WEBNODE = 'node:role=web';
    expect(judged(policySet(host, on), WORLD, WEBNODE, 22).allowed).toBe(true);
    expect(judged(policySet(host, always), WORLD, WEBNODE, 22).allowed).toBe(false);
    expect(judged(policySet(host, always), WORLD, DB, 22).allowed).toBe(true);
    expect(judged(policySet(host, always), WORLD, DB, 23).allowed).toBe(false);
    // Another node's egress is its own host firewall's: under always, default deny there too.
    const remote = judged(policySet(host, always), 'entity:remote-node', DB, 22);
    expect([remote.allowed, remote.egress.decision, remote.ingress.decision]).toEqual([false, 'default-deny', 'allowed']);
    expect(judged(policySet(host, on), 'entity:remote-node', DB, 22).allowed).toBe(true);
    expect(judged(policySet(host, on), WORLD, DB, 23).allowed).toBe(false);
    expect(judged(policySet(host, { ...on, policyEnforcement: PolicyEnforcement.NEVER }), WORLD, DB, 23).allowed).toBe(true);
  });

  test('never: a node given without its labels is judged (allowed), not refused, where host rules select nodes by their labels', () => {
    // Under never no rule gives any endpoint policy (computePolicyEnforcementAndRules returns before matching one), so
    // which host rules select the node cannot change its verdict: before, the rules were toggled back in and refused.
    const host = [ccnp('host', {
      nodeSelector: labels({ role: 'db' }),
      ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
      egress: [{ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    })];
    const on = { hostFirewall: true };
    const never = policySet(host, { ...on, policyEnforcement: PolicyEnforcement.NEVER });
    const cases: readonly [string, string, number][] = [
      [WORLD, 'entity:host', 23], [WORLD, 'entity:host', 22], ['entity:host', WORLD, 80],
      [WORLD, 'entity:remote-node', 23], ['entity:remote-node', WORLD, 80], ['entity:host', 'entity:remote-node', 23],
    ];
    for (const [from, to, port] of cases) {
      expect(refusedByMatchers(never, from, to, port), `never ${from} → ${to} ${port}`).toBe(false);
      const v = judged(never, from, to, port);
      expect(v.allowed, `never ${from} → ${to} ${port}`).toBe(true);
    }
    // The default mode refuses them: on a node with role=db the rules apply, on another they do not.
    const byDefault = policySet(host, on);
    expect(refusedByMatchers(byDefault, WORLD, 'entity:host', 23)).toBe(true);
    expect(refusedByMatchers(byDefault, 'entity:remote-node', WORLD, 80)).toBe(true);
  });

  test('diff: the same policies judged under another mode are compared pair by pair (the mode is a verdict setting)', () => {
    const docs = [cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] })];
    const base = policySet(docs);
    expect(base.diff(policySet(docs)).changes).toEqual([]);
    const head = policySet(docs, options(PolicyEnforcement.ALWAYS));
    const changes = base.diff(head).changes;
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.after === 'denied')).toBe(true);
    // web → api stays allowed at api's ingress but web's egress is default deny under always: a change too.
    expect(changes.some((c) => c.from.includes('app=web') && c.to.includes('app=api'))).toBe(true);
  });

  test('always: the health and Ingress endpoints no rule selects are default deny by the mode (enforcement always)', () => {
    const set = policySet(DOCS, options(PolicyEnforcement.ALWAYS));
    for (const [from, to, side] of [
      ['entity:remote-node', 'entity:health', 'ingress'], ['entity:health', 'entity:remote-node', 'egress'],
      [WORLD, 'entity:ingress', 'ingress'], ['entity:ingress', WORLD, 'egress'],
    ] as const) {
      const v = judged(set, from, to, 4240);
      expect([v.allowed, v[side].decision, v[side].enforcement], `always ${from} → ${to}`).toEqual([false, 'default-deny', PolicyEnforcement.ALWAYS]);
      expect(v[side].reason).toContain('enable-policy=always');
      const byDefault = judged(policySet(DOCS), from, to, 4240);
      expect([byDefault.allowed, byDefault[side].decision, byDefault[side].enforcement]).toEqual([true, 'no-policy-default-allow', undefined]);
    }
  });

  test('diff and report reasons name the mode where it decided, not a policy that has no rules of the direction', () => {
    const docs = [
      cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
      cnp('web-out', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [labels({ app: 'api' })] }] }),
    ];
    const base = policySet(docs);
    const always = policySet(docs, options(PolicyEnforcement.ALWAYS));
    const never = policySet(docs, options(PolicyEnforcement.NEVER));
    const change = (from: string, to: string, head = always) => base.diff(head).changes.find((c) => c.from === from && c.to === to);
    // api → web: api's egress is default deny by the mode (CNP api has no egress rules), so no policy is blamed.
    const apiToWeb = change('default/app=api', 'default/app=web');
    expect(apiToWeb?.reason.after).toEqual({ text: 'default deny at egress of default/app=api (enable-policy=always)' });
    expect(apiToWeb?.reason.before.text).toMatch(/no policy \(default allow\)|no egress rules/);
    // Where a selecting rule puts the side into default deny itself, it is still named, under always as by default.
    const denied = never.diff(always).changes.find((c) => c.from === 'default/app=web' && c.to === 'default/app=api');
    expect(denied?.reason.after).toMatchObject({ policy: 'CiliumNetworkPolicy default/api' });
    expect(denied?.reason.after.text).toMatch(/^default deny at ingress of default\/app=api \(selected by CiliumNetworkPolicy default\/api\)/);
    expect(denied?.reason.before.text).toBe('allowed by egress of default/app=web: not enforced (enable-policy=never); '
      + 'ingress of default/app=api: not enforced (enable-policy=never)');
    // The report under never: nothing is enforced, though policies select both pods.
    const r = never.report().connections.find((c) => c.from === 'default/app=web' && c.to === 'default/app=api');
    expect(r?.reason).toEqual({ text: 'allowed by egress of default/app=web: not enforced (enable-policy=never); ingress of default/app=api: not enforced (enable-policy=never)' });
    expect(JSON.stringify(never.report().connections)).not.toContain('(default allow)');
  });

  test('a mode the agent does not have is refused (option-value), not judged as default', () => {
    for (const bad of ['Always', 'enforce', true]) {
      let err: unknown;
      try {
        policySet(DOCS, { policyEnforcement: bad as unknown as PolicyEnforcement });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CiliumPolicyError);
      expect((err as CiliumPolicyError).id).toBe('option-value');
      expect((err as CiliumPolicyError).message).toContain('policyEnforcement');
    }
  });
});
