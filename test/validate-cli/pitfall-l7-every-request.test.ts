// pitfall-l7-matches-every-request (src/validate/pitfall-l7-every-request.ts): L7 rule lists that look restrictive and let
// every request through. Truth tables by path (reported AND not reported), and the claim checked against the engine's
// L7 verdicts: the request the user meant to refuse is allowed.
import { describe, expect, it } from 'vitest';
import { Endpoints, PolicySet } from '../../src/engine';
import { checkInfo } from '../../src/validate';
import { check, findings } from './helpers';

type Doc = Record<string, unknown>;
const ID = 'pitfall-l7-matches-every-request';

/** A CNP letting app=web reach app=api on `port`/TCP with these L7 `rules` (ingress, or an egress deny-free twin). */
function api(rules: Doc, port = '8080', section = 'ingress'): Doc {
  const peer = section === 'ingress' ? { fromEndpoints: [{ matchLabels: { app: 'web' } }] } : { toEndpoints: [{ matchLabels: { app: 'web' } }] };
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'api', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'api' } }, [section]: [{ ...peer, toPorts: [{ ports: [{ port, protocol: 'TCP' }], rules }] }] },
  };
}

function dnsRules(dns: Doc[]): Doc {
  return {
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'dns', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns } }],
      }],
    },
  };
}

/** `path` of each finding, each at the catalogue's severity, with a message naming why. */
function at(doc: Doc): string[] {
  const found = findings(check({ 'p.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.19' }), ID);
  for (const f of found) {
    expect(f.severity).toBe(checkInfo(ID).severity);
    expect(f.message).toMatch(/every (request|name)|restricts? nothing/);
  }
  return found.map((f) => f.path ?? '');
}

const R = 'spec.ingress[0].toPorts[0].rules';

describe(`${ID}: HTTP`, () => {
  it.each([
    ['only a LOG header match', [{ headerMatches: [{ name: 'X-Debug', value: '1', mismatch: 'LOG' }] }], [`${R}.http[0]`]],
    ['only ADD and REPLACE header matches', [{ headerMatches: [{ name: 'a', value: '1', mismatch: 'ADD' }, { name: 'b', value: '2', mismatch: 'REPLACE' }] }], [`${R}.http[0]`]],
    ['an empty rule beside a restricting one', [{ method: 'GET', path: '/ok' }, {}], [`${R}.http[1]`]],
    ['an empty rule beside a mismatch-only one (the latter is the finding)', [{}, { headerMatches: [{ name: 'x', value: '1', mismatch: 'DELETE' }] }], [`${R}.http[1]`]],
  ])('reported: %s', (_name, http, paths) => {
    expect(at(api({ http }))).toEqual(paths);
  });

  it.each([
    ['an empty rule alone (visibility)', [{}]],
    ['a header match without mismatch', [{ headerMatches: [{ name: 'X-Debug', value: '1' }] }]],
    ['a mismatch header match beside a path', [{ path: '/ok', headerMatches: [{ name: 'X-Debug', value: '1', mismatch: 'LOG' }] }]],
    ['a mismatch header match beside a refusing one', [{ headerMatches: [{ name: 'a', value: '1', mismatch: 'LOG' }, { name: 'b', value: '2' }] }]],
    ['a headers entry', [{ headers: ['X-Token: abc'] }]],
    ['restricting rules only', [{ method: 'GET' }, { path: '/x' }]],
  ])('not reported: %s', (_name, http) => {
    expect(at(api({ http }))).toEqual([]);
  });

  it('egress sections too, deny sections never (L7 is not allowed there)', () => {
    expect(at(api({ http: [{ headerMatches: [{ name: 'x', value: '1', mismatch: 'LOG' }] }] }, '8080', 'egress'))).toEqual(['spec.egress[0].toPorts[0].rules.http[0]']);
  });

  it('the engine agrees: the request the header match was meant to refuse is allowed; without mismatch it is refused', () => {
    // A manifest (fromEndpoints), read as one: `fromDocuments` takes the model (endpoints) and refuses the manifest's names.
    const verdict = (mismatch?: string): string => PolicySet.fromYaml(JSON.stringify(api({
      http: [{ headerMatches: [{ name: 'X-Debug', value: '1', ...(mismatch ? { mismatch } : {}) }] }],
    }))).verdict({
      from: Endpoints.pod('shop', { app: 'web' }), to: Endpoints.pod('shop', { app: 'api' }),
      port: 8080, protocol: 'TCP', http: { method: 'DELETE', path: '/everything', headers: {} },
    }).verdict;
    expect(verdict('LOG')).toBe('allowed');
    expect(verdict()).toBe('l7-denied');
  });
});

describe(`${ID}: l7proto`, () => {
  it.each([
    ['no l7 rules', { l7proto: 'r2d2' }, [`${R}.l7proto`]],
    ['an empty l7 list', { l7proto: 'r2d2', l7: [] }, [`${R}.l7proto`]],
    ['a rule without fields', { l7proto: 'r2d2', l7: [{ cmd: 'READ' }, {}] }, [`${R}.l7[1]`]],
    ['a rule whose fields are all blank (no constraint in the parser)', { l7proto: 'r2d2', l7: [{ cmd: 'READ' }, { cmd: '', file: ' ' }] }, [`${R}.l7[1]`]],
    ['a blank field beside a filled one', { l7proto: 'r2d2', l7: [{ cmd: 'READ', file: '' }] }, []],
    ['rules with fields', { l7proto: 'r2d2', l7: [{ cmd: 'READ' }] }, []],
  ])('%s', (_name, rules, paths) => {
    expect(at(api(rules))).toEqual(paths);
  });
});

describe(`${ID}: DNS`, () => {
  const E = 'spec.egress[0].toPorts[0].rules';
  it.each([
    ['"*" beside a name', [{ matchName: 'api.example.com' }, { matchPattern: '*' }], [`${E}.dns[1]`]],
    ['"*" beside a pattern', [{ matchPattern: '*' }, { matchPattern: '*.example.com' }], [`${E}.dns[0]`]],
    ['"*" alone (every lookup, meant)', [{ matchPattern: '*' }], []],
    ['names and patterns only', [{ matchName: 'api.example.com' }, { matchPattern: '*.example.com' }], []],
  ])('%s', (_name, dns, paths) => {
    expect(at(dnsRules(dns))).toEqual(paths);
  });
});

describe(`${ID}: the message counts the rules the match-everything entry cancels (session 47)`, () => {
  const messages = (doc: Doc): string[] => findings(check({ 'p.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.19' }), ID).map((f) => f.message);
  it.each([
    ['HTTP, one other rule', api({ http: [{ method: 'GET' }, {}] }), 'so the 1 other rule of the list restricts nothing'],
    ['HTTP, two other rules', api({ http: [{ method: 'GET' }, { path: '/x' }, {}] }), 'so the 2 other rules of the list restrict nothing'],
    ['DNS, one other rule', dnsRules([{ matchName: 'a.example.com' }, { matchPattern: '*' }]), 'so the 1 other DNS rule of the list restricts nothing'],
    ['DNS, two other rules', dnsRules([{ matchName: 'a.example.com' }, { matchPattern: '*' }, { matchPattern: '*.example.com' }]),
      'so the 2 other DNS rules of the list restrict nothing'],
  ])('%s', (_name, doc, text) => {
    const found = messages(doc);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(text);
  });
});
