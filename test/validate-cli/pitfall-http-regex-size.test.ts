// pitfall-http-regex-too-large and pitfall-http-regex-may-be-too-large (src/validate/pitfall-http.ts): HTTP regexes whose
// RE2 program Envoy refuses (above re2.max_program_size.error_level, 100). Each field, each direction, the message and
// fix; sizes by libre2 in test/fixtures/re2-program-size.tsv.
import { describe, expect, it } from 'vitest';
import { checkInfo } from '../../src/validate';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;
const CERTAIN = 'pitfall-http-regex-too-large';
const MAYBE = 'pitfall-http-regex-may-be-too-large';
/** 104 by libre2; at least 102 (the literal bytes every match consumes, fail, match and the unanchored loop). */
const LONG = '/api/v1/namespaces/kube-system/configmaps/cluster-autoscaler-status-and-leader-election-lock/pods/[0-9]+';
/** 104 by libre2, but at least only 13: C++ RE2 may factor alternatives, so none of their bytes is certain. */
const TWELVE = '/api/v1/(orders|customers|products|inventory|shipments|invoices|payments|refunds|returns|reviews|carts|sessions)/[0-9]+';

function api(http: Doc[], section = 'ingress'): Doc {
  const peer = section === 'ingress' ? { fromEndpoints: [{ matchLabels: { app: 'web' } }] } : { toEndpoints: [{ matchLabels: { app: 'web' } }] };
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'api' } }, [section]: [{ ...peer, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http } }] }] },
  };
}

function found(doc: Doc, id: string): { path?: string; message: string; fix?: string }[] {
  return findings(check({ 'p.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.19' }), id).map((f) => {
    expect(f.severity).toBe(checkInfo(id).severity);
    return { path: f.path, message: f.message, fix: f.fix };
  });
}

describe('HTTP regexes too large for Envoy', () => {
  it('each of path, method and host, in either direction; certainly too large is an error, the message names size and limit', () => {
    for (const section of ['ingress', 'egress']) {
      for (const field of ['path', 'method', 'host']) {
        const [f, ...more] = found(api([{ method: 'GET' }, { [field]: LONG }], section), CERTAIN);
        expect(more).toEqual([]);
        expect(f.path).toBe(`spec.${section}[0].toPorts[0].rules.http[1].${field}`);
        expect(f.message).toBe(`http ${field} "${LONG}" is too large for Envoy: its RE2 program size is at least 102, above the 100 Envoy accepts `
          + '(re2.max_program_size.error_level); the agent accepts the policy, and cilium-envoy refuses the whole network-policy update that '
          + 'carries it: the endpoint\'s regeneration fails and Envoy keeps enforcing the L7 policies it had');
        expect(f.fix).toMatch(new RegExp(`^shorten the ${field} regex .*split it into several HTTP rules.*re2\\.max_program_size\\.error_level`));
      }
    }
  });

  it('an estimate above 100 with a lower bound within it is a warning that says so', () => {
    const [f] = found(api([{ path: '/files/[^/]{1,64}' }]), MAYBE);
    expect(f.message).toMatch(/is probably too large for Envoy: its RE2 program size is estimated at \d+ \(at least \d+\), above the 100 .*; if it is, the agent accepts/);
    expect(found(api([{ path: '/files/[^/]{1,64}' }]), CERTAIN)).toEqual([]);
    // Twelve alternatives: 104 by libre2, but what an alternation compiles to is not certain (C++ RE2 factors them).
    expect(found(api([{ path: TWELVE }]), MAYBE)).toHaveLength(1);
    expect(found(api([{ path: TWELVE }]), CERTAIN)).toEqual([]);
  });

  it('within the limit, split in two rules, or not compiling at all (sanitize-http-regex): not reported', () => {
    const half = (from: number, to: number): string => `/api/v1/(${TWELVE.slice(9, -8).split('|').slice(from, to).join('|')})/[0-9]+`;
    for (const doc of [api([{ path: `/${'a'.repeat(95)}` }]), api([{ path: half(0, 6) }, { path: half(6, 12) }]), api([{ path: 'a(' }])]) {
      expect(found(doc, CERTAIN)).toEqual([]);
      expect(found(doc, MAYBE)).toEqual([]);
    }
  });
});
