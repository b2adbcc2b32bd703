// How the L7 rules of the matching allow items decide a request (src/engine/evaluate.ts decideL7, refineOutcome and the
// DNS learning of toFQDNs): which item decides, what the proxy answers, when the rules are only visibility, when the local
// host is not held to them. Every verdict is also asked of `decide()`, which judges the request from the kept L4 decision.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { Endpoints, PolicySet, PolicySetOptions } from '../../src/engine';
import { dnsLearning } from '../../src/engine/evaluate';
import { ccnp, cnp, judged, labels, matcherQuery, policySet } from './helpers';

const API = 'pod:default:app=api';
const WEB = 'pod:default:app=web';
const DNS = 'pod:kube-system:k8s-app=kube-dns';
const TCP80 = { ports: [{ port: '80', protocol: 'TCP' }] };

/** An API policy: ingress items from web, in order. */
function apiIngress(items: readonly Record<string, unknown>[], options: PolicySetOptions = {}): PolicySet {
  return policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: items })], options);
}

const fromWeb = { fromEndpoints: [labels({ app: 'web' })] };

describe('which item decides a request', () => {
  const set = apiIngress([
    { ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET', path: '/a' }] } }] },
    { ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET', path: '/b' }] } }] },
  ]);

  test('the item whose rule matches decides, with the rule', () => {
    const v = judged(set, WEB, API, 80, { http: 'GET /b' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.rule?.path).toBe('spec.ingress[1]');
    expect(v.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[1] (L7 HTTP rule GET /b)');
    expect(v.ingress.l7).toEqual({ protocol: 'http', result: 'allowed', rules: ['GET /a', 'GET /b'], matched: 'GET /b', reason: 'the HTTP request matches GET /b' });
    expect(judged(set, WEB, API, 80, { http: 'GET /a' }).ingress.rule?.path).toBe('spec.ingress[0]');
  });

  test('a request no rule matches is refused (HTTP 403), named on the first item', () => {
    const v = judged(set, WEB, API, 80, { http: 'POST /c' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress).toMatchObject({ decision: 'l7-denied', allowed: true, rule: { path: 'spec.ingress[0]' } });
    expect(v.ingress.reason).toBe('L7 denied (HTTP 403): CiliumNetworkPolicy default/p spec.ingress[0] allows the connection, but POST /c matches none of its HTTP rules');
    expect(v.ingress.l7).toEqual({ protocol: 'http', result: 'denied', rules: ['GET /a', 'GET /b'], reason: 'the HTTP request POST /c matches none of the rules (HTTP 403)' });
  });

  test('the method is matched case-sensitively, as Envoy matches :method: get is not GET, and the note says so', () => {
    const v = judged(set, WEB, API, 80, { http: 'get /b' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.l7?.reason).toBe('the HTTP request get /b matches none of the rules (HTTP 403)');
    expect(v.ingress.notes).toContain('HTTP methods are case-sensitive: the request\'s method "get" is not "GET", which rule GET /b would allow '
      + '(Envoy matches :method as sent; write the method in upper case to check GET)');
    // No note when the upper-case method would not match either, nor for a request in upper case.
    expect(judged(set, WEB, API, 80, { http: 'post /b' }).ingress.notes.join('\n')).not.toMatch(/case-sensitive/);
    expect(judged(set, WEB, API, 80, { http: 'POST /b' }).ingress.notes.join('\n')).not.toMatch(/case-sensitive/);
    // A rule whose method pattern takes either case allows the lower-case method.
    const either = apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: '[Gg][Ee][Tt]' }] } }] }]);
    expect(judged(either, WEB, API, 80, { http: 'get /x' }).verdict).toBe('allowed');
    expect(judged(either, WEB, API, 80, { http: 'GET /x' }).verdict).toBe('allowed');
  });

  test('without a request: allowed at L4, the rules to be enforced by the proxy', () => {
    const v = judged(set, WEB, API, 80);
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.reason).toBe('allowed at L4 by CiliumNetworkPolicy default/p spec.ingress[0]; L7 HTTP rules will be enforced by the proxy');
    expect(v.ingress.l7).toEqual({
      protocol: 'http', result: 'not-evaluated', rules: ['GET /a', 'GET /b'],
      reason: 'HTTP rules apply to this connection: requests that match none of them are refused; give a http request to check one',
    });
    // A request of another kind is not judged by HTTP rules.
    expect(judged(set, WEB, API, 80, { kafka: 'produce orders' }).ingress.l7?.result).toBe('not-evaluated');
    expect(judged(set, WEB, API, 80, { dns: 'a.example.com' }).ingress.l7?.result).toBe('not-evaluated');
  });

  test('an item without L7 rules on the same peer and port decides, and the L7 rules of the others have no effect', () => {
    const wide = apiIngress([
      { ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET', path: '/a' }] } }] },
      { ...fromWeb, toPorts: [TCP80] },
    ]);
    const v = judged(wide, WEB, API, 80, { http: 'POST /c' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.rule?.path).toBe('spec.ingress[1]');
    expect(v.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[1]');
    expect(v.ingress.l7).toBeUndefined();
    expect(v.ingress.notes).toContain('L7 rules of other matching rules have no effect here: CiliumNetworkPolicy default/p spec.ingress[1] allows this peer and port without L7 rules');
    // Only L4-only items: no such note.
    expect(judged(apiIngress([{ ...fromWeb, toPorts: [TCP80] }]), WEB, API, 80, { http: 'POST /c' }).ingress.notes).toEqual([]);
  });
});

describe('headers entries no request satisfies (written in YAML; the constructs refuse them)', () => {
  const withHeaders = (headers: string[]): PolicySet => apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET', headers }] } }] }]);
  const get = (headers: Record<string, string>): { http: { method: string; path: string; headers: Record<string, string> } } => ({ http: { method: 'GET', path: '/', headers } });

  test('no space after the colon: one header name no request has, even a request given that very name', () => {
    const set = withHeaders(['X-Token:abc']);
    expect(judged(set, WEB, API, 80, get({ 'X-Token': 'abc' })).verdict).toBe('l7-denied');
    // A request given that very name is refused: no request carries it (the query check below).
    expect(() => set.verdict(matcherQuery(set, WEB, API, 80, get({ 'X-Token:abc': '' })))).toThrow(/"X-Token:abc" is not a header name/);
    expect(judged(withHeaders(['X-Token: abc']), WEB, API, 80, get({ 'X-Token': 'abc' })).verdict).toBe('allowed');
  });

  test('pseudo-headers: :method and :path are the request\'s; :authority its host, or a header of that name when it gives none', () => {
    expect(judged(withHeaders([':method: GET']), WEB, API, 80, get({})).verdict).toBe('allowed');
    expect(judged(withHeaders([':method: POST']), WEB, API, 80, get({})).verdict).toBe('l7-denied');
    expect(judged(withHeaders([':path: /']), WEB, API, 80, get({})).verdict).toBe('allowed');
    expect(judged(withHeaders([':path: /a']), WEB, API, 80, get({})).verdict).toBe('l7-denied');
    const authority = withHeaders([':authority: api.shop']);
    expect(judged(authority, WEB, API, 80, { http: { method: 'GET', path: '/', host: 'api.shop' } }).verdict).toBe('allowed');
    expect(judged(authority, WEB, API, 80, { http: { method: 'GET', path: '/', host: 'web.shop', headers: { ':authority': 'api.shop' } } }).verdict).toBe('l7-denied');
    expect(judged(authority, WEB, API, 80, get({ ':authority': 'api.shop' })).verdict).toBe('allowed');
  });

  test('header names are case-insensitive: two spellings of one name in a request are one header, its values joined by a comma (Envoy)', () => {
    const set = withHeaders(['X-Token: 2']);
    expect(judged(set, WEB, API, 80, get({ 'x-token': '2' })).verdict).toBe('allowed');
    expect(judged(set, WEB, API, 80, get({ 'X-Token': '1', 'x-token': '2' })).verdict).toBe('l7-denied');
    expect(judged(set, WEB, API, 80, get({ 'x-token': '2', 'X-Token': '1' })).verdict).toBe('l7-denied');
    expect(judged(withHeaders(['X-Token: 1,2']), WEB, API, 80, get({ 'X-Token': '1', 'x-token': '2' })).verdict).toBe('allowed');
  });

  test('a value with whitespace at an end: HTTP strips it, so even a request given it verbatim does not match', () => {
    const set = withHeaders(['X-Token:  abc']);
    expect(judged(set, WEB, API, 80, get({ 'X-Token': ' abc' })).verdict).toBe('l7-denied');
    expect(judged(set, WEB, API, 80, get({ 'X-Token': 'abc' })).verdict).toBe('l7-denied');
  });
});

// Envoy's connection manager (ConnectionManagerUtility::mutateRequestHeaders) sets :scheme and X-Forwarded-Proto before
// Cilium's filter runs, and its request header map stores a legacy Host header as :authority: a matcher reads those.
describe('headers Envoy sets or aliases: :scheme, X-Forwarded-Proto, Host', () => {
  type Req = { http: { method: string; path: string; host?: string; scheme?: string; headers?: Record<string, string> } };
  const req = (extra: Partial<Req['http']> = {}): Req => ({ http: { method: 'GET', path: '/a', ...extra } });
  const withRule = (rule: Record<string, unknown>): PolicySet => apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [rule] } }] }]);
  const withMatches = (headerMatches: Record<string, unknown>[]): PolicySet => withRule({ headerMatches });
  const withHeaders = (headers: string[]): PolicySet => withRule({ headers });
  const verdict = (set: PolicySet, r: Req): string => judged(set, WEB, API, 80, r).verdict;

  test.each([
    ['headerMatches', withMatches([{ name: ':scheme', value: 'http' }]), withMatches([{ name: ':scheme', value: 'https' }])],
    ['headers', withHeaders([':scheme http']), withHeaders([':scheme https'])],
    ['headers with a colon', withHeaders([':scheme: http']), withHeaders([':scheme: https'])],
  ])('%s: a plain request through the proxy has :scheme http, not https', (_kind, http, https) => {
    expect(verdict(http, req({ host: 'api' }))).toBe('allowed');
    expect(verdict(http, req())).toBe('allowed');
    expect(verdict(https, req({ host: 'api' }))).toBe('l7-denied');
  });

  test(':scheme: a scheme the request carries (Hubble\'s URL scheme) or an explicit :scheme header decides', () => {
    const https = withMatches([{ name: ':scheme', value: 'https' }]);
    expect(verdict(https, req({ scheme: 'https' }))).toBe('allowed');
    expect(verdict(https, req({ scheme: 'http' }))).toBe('l7-denied');
    expect(verdict(https, req({ headers: { ':scheme': 'https' } }))).toBe('allowed');
    expect(verdict(withMatches([{ name: ':scheme', value: 'http' }]), req({ scheme: 'https' }))).toBe('l7-denied');
  });

  test('where the proxy terminates TLS (terminatingTLS), the connection is encrypted: :scheme and X-Forwarded-Proto are https', () => {
    const tls = (rule: Record<string, unknown>): PolicySet => apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, terminatingTLS: { secret: { name: 'cert' } }, rules: { http: [rule] } }] }]);
    expect(verdict(tls({ headerMatches: [{ name: ':scheme', value: 'https' }] }), req())).toBe('allowed');
    expect(verdict(tls({ headerMatches: [{ name: ':scheme', value: 'http' }] }), req())).toBe('l7-denied');
    expect(verdict(tls({ headers: ['X-Forwarded-Proto https'] }), req())).toBe('allowed');
    expect(verdict(tls({ headers: ['X-Forwarded-Proto https'] }), req({ headers: { 'X-Forwarded-Proto': 'http' } }))).toBe('l7-denied');
  });

  // pkg/policy mergePortProto: a rule without terminatingTLS on the same selector and port takes the other's TLS context,
  // and the proxy terminates TLS for the peer with it: the connection is https for every HTTP rule on it.
  test('terminatingTLS of one rule on the port makes the connection https for the rules of another item without it', () => {
    const onTls = (second: Record<string, unknown>): PolicySet => apiIngress([
      { ...fromWeb, toPorts: [{ ...TCP80, terminatingTLS: { secret: { name: 'cert' } }, rules: { http: [{ path: '/a' }] } }] },
      { ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ path: '/b', ...second }] } }] },
    ]);
    const b = { http: { method: 'GET', path: '/b' } };
    expect(verdict(onTls({ headerMatches: [{ name: ':scheme', value: 'http' }] }), b)).toBe('l7-denied');
    expect(verdict(onTls({ headerMatches: [{ name: ':scheme', value: 'https' }] }), b)).toBe('allowed');
    expect(verdict(onTls({ headers: ['X-Forwarded-Proto http'] }), b)).toBe('l7-denied');
    expect(verdict(onTls({ headers: ['X-Forwarded-Proto https'] }), b)).toBe('allowed');
  });

  // With the agent's default of no trusted hops Envoy overwrites a client's X-Forwarded-Proto with `http`; with trusted
  // hops it keeps it, and :scheme follows it. Offline the setting is unknown: neither answer is taken on a guess.
  test('a client\'s X-Forwarded-Proto other than http leaves :scheme and X-Forwarded-Proto unknown: no rule on them matches', () => {
    const xfp = (value: string): Req => req({ headers: { 'X-Forwarded-Proto': value } });
    expect(verdict(withMatches([{ name: ':scheme', value: 'http' }]), xfp('https'))).toBe('l7-denied');
    expect(verdict(withMatches([{ name: ':scheme', value: 'https' }]), xfp('https'))).toBe('l7-denied');
    expect(verdict(withMatches([{ name: ':scheme', value: 'http' }]), xfp('http'))).toBe('allowed');
    // Not a scheme Envoy takes: :scheme stays the connection's.
    expect(verdict(withMatches([{ name: ':scheme', value: 'http' }]), xfp('ftp'))).toBe('allowed');
    const forwarded = withHeaders(['X-Forwarded-Proto http']);
    expect(verdict(forwarded, req())).toBe('allowed');
    expect(verdict(forwarded, xfp('https'))).toBe('l7-denied');
    expect(verdict(withHeaders(['X-Forwarded-Proto https']), xfp('https'))).toBe('l7-denied');
    expect(verdict(withHeaders(['X-Forwarded-Proto https']), req({ scheme: 'https' }))).toBe('allowed');
  });

  // Envoy takes only `http` and `https` for :scheme (HeaderUtility::schemeIsValid, case-sensitive): another scheme was judged
  // as a request of unknown :scheme, which quietly matched no rule on it; the query is refused instead.
  test('a request scheme other than "http" or "https" is refused, naming the value and the fix', () => {
    const set = withMatches([{ name: ':scheme', value: 'https' }]);
    for (const scheme of ['HTTPS', 'ftp', '', 'https ']) {
      for (const call of ['verdict', 'decide', 'evaluateNaive'] as const) {
        const q = { from: Endpoints.parse(WEB), to: Endpoints.parse(API), protocol: 'TCP', port: 80, ...req({ scheme }) };
        expect(() => set[call](q), `${call} ${scheme}`).toThrow(new RegExp(`PolicySet\\.${call}\\(\\): the HTTP request's scheme ${JSON.stringify(scheme)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not "http" or "https".*fix: give scheme "http" or "https" \\(lower case\\), or leave it out`, 's'));
      }
    }
    expect(verdict(set, req({ scheme: 'https' }))).toBe('allowed');
  });

  // Envoy's connection manager sets :scheme and X-Forwarded-Proto on every request: a rule asking only for their presence
  // matches whatever their values (even where a client's X-Forwarded-Proto leaves the values unknown).
  test.each([
    ['headers X-Forwarded-Proto', withHeaders(['X-Forwarded-Proto'])],
    ['headers :scheme', withHeaders([':scheme'])],
    ['headerMatches :scheme', withMatches([{ name: ':scheme' }])],
    ['headerMatches x-forwarded-proto, value ""', withMatches([{ name: 'x-forwarded-proto', value: '' }])],
  ])('%s without a value: always present', (_kind, set) => {
    expect(verdict(set, req())).toBe('allowed');
    expect(verdict(set, req({ headers: { 'X-Forwarded-Proto': 'https' } }))).toBe('allowed');
    expect(verdict(set, req({ headers: { 'X-Forwarded-Proto': 'ftp' } }))).toBe('allowed');
    expect(verdict(set, req({ scheme: 'https' }))).toBe('allowed');
  });

  test.each([
    ['headerMatches Host', withMatches([{ name: 'Host', value: 'api' }])],
    ['headerMatches host', withMatches([{ name: 'host', value: 'api' }])],
    ['headers Host', withHeaders(['Host api'])],
    ['headers HOST:', withHeaders(['HOST: api'])],
  ])('%s reads :authority: the request\'s host', (_kind, set) => {
    expect(verdict(set, req({ host: 'api' }))).toBe('allowed');
    expect(verdict(set, req({ host: 'web' }))).toBe('l7-denied');
    expect(verdict(set, req())).toBe('l7-denied');
  });

  test('a Host header the request gives is its :authority, for :authority matchers and the rule\'s host alike', () => {
    const viaHeader = req({ headers: { Host: 'api' } });
    expect(verdict(withMatches([{ name: ':authority', value: 'api' }]), viaHeader)).toBe('allowed');
    expect(verdict(withMatches([{ name: ':authority', value: 'web' }]), viaHeader)).toBe('l7-denied');
    const host = withRule({ host: 'api' });
    expect(verdict(host, viaHeader)).toBe('allowed');
    expect(verdict(host, req({ headers: { Host: 'web' } }))).toBe('l7-denied');
  });

  // Envoy joins two Host fields (`api,other`) or refuses the request: a rule on either value alone does not match.
  test('a host and a Host header both given are one :authority of both values, for the rule\'s host and header rules alike', () => {
    const both = req({ host: 'api', headers: { Host: 'other' } });
    expect(verdict(withRule({ host: 'api' }), both)).toBe('l7-denied');
    expect(verdict(withMatches([{ name: 'Host', value: 'api' }]), both)).toBe('l7-denied');
    expect(verdict(withHeaders([':authority api']), both)).toBe('l7-denied');
    expect(verdict(withRule({ host: 'api' }), req({ host: 'api', headers: { ':authority': 'other' } }))).toBe('l7-denied');
    expect(verdict(withMatches([{ name: 'Host', value: 'api,other' }]), both)).toBe('allowed');
    expect(verdict(withMatches([{ name: 'Host' }]), both)).toBe('allowed');
  });
});

describe('headerMatches: an empty value asks for the header only; values from Secrets are explained', () => {
  const withMatches = (headerMatches: Record<string, unknown>[]): PolicySet => apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET', headerMatches }] } }] }]);
  const get = (headers: Record<string, string>): { http: { method: string; path: string; headers: Record<string, string> } } => ({ http: { method: 'GET', path: '/', headers } });

  // Envoy's codec refuses a request whose header name is not an RFC 9110 token, so no request carries `X Token`. A query
  // built in code was judged as given: a headerMatches entry on that name matched it (ALLOWED) where validate says no request can.
  test('a request header whose name is not a token is refused by verdict, decide and evaluateNaive; token names are judged', () => {
    const set = withMatches([{ name: 'X Token', value: 'a' }]);
    const token = withMatches([{ name: 'X-Token', value: 'a' }]);
    for (const name of ['X Token', 'X-Token:', 'X(T)', 'X-Tok\u00e9n', '']) {
      for (const call of ['verdict', 'decide', 'evaluateNaive'] as const) {
        const q = matcherQuery(set, WEB, API, 80, get({ [name]: 'a' }));
        expect(() => set[call](q), `${call} ${JSON.stringify(name)}`).toThrow(new RegExp(`PolicySet\\.${call}\\(\\): the HTTP request's header `
          + `${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a header name .*no request carries it.*fix: name the header as requests carry it`, 's'));
      }
    }
    // Truth table: token names (and the pseudo-headers Envoy's matchers read) are judged as before.
    expect(judged(token, WEB, API, 80, get({ 'X-Token': 'a' })).verdict).toBe('allowed');
    expect(judged(token, WEB, API, 80, get({ 'x-token': 'b' })).verdict).toBe('l7-denied');
    expect(judged(set, WEB, API, 80, get({ 'X-Token': 'a' })).verdict).toBe('l7-denied');
    expect(judged(set, WEB, API, 80, get({ ':authority': 'api' })).verdict).toBe('l7-denied');
  });

  test('value "" : the header must be present, with any value', () => {
    const set = withMatches([{ name: 'X-Team', value: '' }]);
    const v = judged(set, WEB, API, 80, get({ 'X-Team': 'blue' }));
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.notes).toEqual([]);
    expect(judged(set, WEB, API, 80, get({ 'X-Other': 'blue' })).verdict).toBe('l7-denied');
  });

  // pkg/envoy getHTTPRule: a headerMatches entry without a mismatch action becomes the same Envoy HeaderMatcher as a
  // `headers` entry, which reads the pseudo-headers :method, :path and :authority of the request.
  test('a pseudo-header name reads the request line, as in headers', () => {
    const set = withMatches([{ name: ':path', value: '/a' }, { name: ':authority', value: '' }]);
    const req = (path: string, host?: string): { http: { method: string; path: string; host?: string } } => ({ http: { method: 'GET', path, ...(host ? { host } : {}) } });
    expect(judged(set, WEB, API, 80, req('/a', 'api')).verdict).toBe('allowed');
    expect(judged(set, WEB, API, 80, req('/b', 'api')).verdict).toBe('l7-denied');
    expect(judged(set, WEB, API, 80, req('/a')).verdict).toBe('l7-denied');
    const method = withMatches([{ name: ':method', value: 'GET' }]);
    expect(judged(method, WEB, API, 80, get({})).verdict).toBe('allowed');
  });

  test('each Secret-bound entry is noted by its Secret (namespace when given) and fallback value; plain entries are not', () => {
    const set = withMatches([
      { name: 'Authorization', secret: { namespace: 'shop', name: 'token' } },
      { name: 'X-Key', secret: { name: 'key' }, value: 'abc' },
      { name: 'X-Empty', secret: { name: 'key' }, value: '' },
      { name: 'X-Log', secret: { name: 'log' }, mismatch: 'LOG' },
      { name: 'X-Log-Value', secret: { name: 'log' }, mismatch: 'LOG', value: 'v' },
      { name: 'X-Plain', value: 'p' },
    ]);
    const v = judged(set, WEB, API, 80, get({ Authorization: 'a', 'X-Key': 'abc', 'X-Empty': 'e', 'X-Plain': 'p' }));
    expect(v.verdict).toBe('l7-denied');
    const notes = v.ingress.notes.filter((n) => n.startsWith('headerMatches'));
    expect(notes).toEqual([
      'headerMatches Authorization takes its value from Secret shop/token, which the engine cannot read: no request is judged to match it '
        + '(Cilium requires the header to equal the Secret\'s value; if the agent cannot read the Secret, no request matches)',
      'headerMatches X-Key takes its value from Secret key, which the engine cannot read: no request is judged to match it '
        + '(Cilium requires the header to equal the Secret\'s value; if the agent cannot read the Secret, to equal "abc")',
      'headerMatches X-Empty takes its value from Secret key, which the engine cannot read: no request is judged to match it '
        + '(Cilium requires the header to equal the Secret\'s value; if the agent cannot read the Secret, no request matches)',
      'headerMatches X-Log takes its value from Secret log: if the agent cannot read it, Envoy matches no request to this rule',
    ]);
  });
});

describe('Kafka and DNS answers', () => {
  test('Kafka: the matching rule decides; others get a Kafka error response', () => {
    const set = apiIngress([{ ...fromWeb, toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }] }]);
    const ok = judged(set, WEB, API, 9092, { kafka: 'produce orders' });
    expect(ok.verdict).toBe('allowed');
    expect(ok.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'allowed' });
    const v = judged(set, WEB, API, 9092, { kafka: 'produce payments' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.reason).toMatch(/^L7 denied \(Kafka error response\): CiliumNetworkPolicy default\/p spec\.ingress\[0\] allows the connection, but produce topic payments matches none of its KAFKA rules$/);
    expect(v.ingress.l7?.reason).toBe('the KAFKA request produce topic payments matches none of the rules (Kafka error response)');
    const none = judged(set, WEB, API, 9092);
    expect(none.ingress.l7?.reason).toBe('KAFKA rules apply to this connection: requests that match none of them are refused; give a kafka request to check one');
    // An HTTP request on a Kafka port is not judged by the Kafka rules: allowed at L4, the Kafka rules not evaluated.
    const http = judged(set, WEB, API, 9092, { http: 'GET /' });
    expect(http.verdict).toBe('allowed');
    expect(http.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'not-evaluated' });
  });

  test('Kafka: an empty topic or clientID is no condition (Go reads "" as unset), and the rule is described without it', () => {
    const set = apiIngress([{ ...fromWeb, toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: '', clientID: '' }] } }] }]);
    const v = judged(set, WEB, API, 9092, { kafka: 'produce orders' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'allowed', rules: ['role=produce'], matched: 'role=produce' });
    expect(judged(set, WEB, API, 9092, { kafka: 'fetch orders' }).verdict).toBe('l7-denied');
  });

  test('HTTP: a rule is described with its host, and the host decides', () => {
    const set = apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET', host: 'api\\.shop' }] } }] }]);
    const v = judged(set, WEB, API, 80, { http: { method: 'GET', path: '/', host: 'api.shop' } });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ rules: ['GET * host api\\.shop'], matched: 'GET * host api\\.shop' });
    expect(judged(set, WEB, API, 80, { http: { method: 'GET', path: '/', host: 'web.shop' } }).verdict).toBe('l7-denied');
  });

  test('DNS: REFUSED for other names, the lookup described as a query', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName: 'a.example.com' }, { matchPattern: '*.example.org' }] } }] }],
    })]);
    const ok = judged(set, WEB, DNS, '53/UDP', { dns: 'x.example.org' });
    expect(ok.egress.l7).toEqual({ protocol: 'dns', result: 'allowed', rules: ['matchName: a.example.com', 'matchPattern: *.example.org'], matched: 'matchPattern: *.example.org', reason: 'the DNS request matches matchPattern: *.example.org' });
    expect(judged(set, WEB, DNS, '53/UDP', { dns: 'a.example.com' }).egress.l7?.matched).toBe('matchName: a.example.com');
    const v = judged(set, WEB, DNS, '53/UDP', { dns: 'evil.com' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.egress.reason).toBe('L7 denied (DNS REFUSED): CiliumNetworkPolicy default/p spec.egress[0] allows the connection, but query evil.com matches none of its DNS rules');
  });

  test('a request of another kind on a DNS port is not judged by the DNS rules', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })]);
    for (const request of [{ http: 'GET /' }, { kafka: 'produce orders' }]) {
      const v = judged(set, WEB, DNS, '53/TCP', request);
      expect(v.verdict).toBe('allowed');
      expect(v.egress.l7).toMatchObject({ protocol: 'dns', result: 'not-evaluated', rules: ['matchName: a.example.com'] });
    }
    expect(judged(set, WEB, DNS, '53/TCP', { dns: 'b.example.com' }).verdict).toBe('l7-denied');
  });

  test('**. is a subdomain wildcard from 1.19 only (one label before)', () => {
    const rules = (ciliumVersion: CiliumVersion): PolicySet => policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '**.example.com' }] } }] }],
    })], { ciliumVersion });
    expect(judged(rules(CiliumVersion.V1_19), WEB, DNS, '53/UDP', { dns: 'a.b.example.com' }).verdict).toBe('allowed');
    expect(judged(rules(CiliumVersion.V1_18), WEB, DNS, '53/UDP', { dns: 'a.b.example.com' }).verdict).toBe('l7-denied');
    expect(judged(rules(CiliumVersion.V1_18), WEB, DNS, '53/UDP', { dns: 'b.example.com' }).verdict).toBe('allowed');
  });
});

describe('toFQDNs learns names only through the DNS proxy', () => {
  const toDns = { toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })] };
  const dnsRules = (names: string[]): Record<string, unknown> => ({ ...toDns, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: names.map((matchName) => ({ matchName })) } }] });
  const l4Only = { ...toDns, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] };
  const fqdn = { toFQDNs: [{ matchName: 'b.example.com' }] };
  const egress = (items: Record<string, unknown>[], options: PolicySetOptions = {}): PolicySet =>
    policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: items })], options);
  const B = 'fqdn:b.example.com@192.0.2.10';

  test('a DNS rule for the name: learned; for another name only: not learned', () => {
    expect(judged(egress([dnsRules(['b.example.com']), fqdn]), WEB, B, 443).verdict).toBe('allowed');
    expect(judged(egress([dnsRules(['a.example.com']), fqdn]), WEB, B, 443).verdict).toBe('denied');
  });

  test('an L4-only rule on the DNS port widens the DNS rules to allow-all: the proxy still sees the lookup and learns it', () => {
    const set = egress([dnsRules(['a.example.com']), l4Only, fqdn]);
    expect(judged(set, WEB, B, 443).egress).toMatchObject({ decision: 'allowed', rule: { path: 'spec.egress[2]' } });
    const lookup = judged(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(lookup.egress.rule?.path).toBe('spec.egress[1]');
    expect(lookup.egress.l7).toEqual({
      protocol: 'dns', result: 'allowed', rules: ['matchName: a.example.com'], matched: '(any name)',
      reason: 'CiliumNetworkPolicy default/p spec.egress[1] allows this port without L7 rules, which widens the DNS rules of the port to allow-all (the proxy still sees the lookup)',
    });
    expect(dnsLearning(lookup)).toEqual({ learnable: true });
    // Without a lookup in the query, no DNS outcome.
    expect(judged(set, WEB, DNS, '53/UDP').egress.l7).toBeUndefined();
  });

  test('an allow of every port, of port 0 or of a range on the same DNS server is another filter: the DNS rules still decide the lookup '
    + '(pkg/fqdn/dnsproxy/proxy.go CheckAllowed reads the rules of the lookup\'s port only; the redirect\'s port key wins in the datapath)', () => {
    const others: [string, Record<string, unknown>][] = [
      ['every port (no toPorts)', toDns],
      ['port 0', { ...toDns, toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }],
      ['a range over 53', { ...toDns, toPorts: [{ ports: [{ port: '1', endPort: 1024, protocol: 'UDP' }] }] }],
    ];
    for (const [what, other] of others) {
      const set = egress([dnsRules(['a.example.com']), other, fqdn]);
      const refused = judged(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
      expect([what, refused.verdict, refused.egress.rule?.path]).toEqual([what, 'l7-denied', 'spec.egress[0]']);
      expect(refused.egress.l7).toMatchObject({ protocol: 'dns', result: 'denied', rules: ['matchName: a.example.com'] });
      expect([what, judged(set, WEB, DNS, '53/UDP', { dns: 'a.example.com' }).verdict]).toEqual([what, 'allowed']);
      // b.example.com is not learned through the proxy: toFQDNs selects nothing for it.
      expect([what, dnsLearning(refused).learnable, judged(set, WEB, B, 443).verdict]).toEqual([what, false, 'denied']);
      // Without a name: allowed at L4, the DNS rules enforced by the proxy.
      expect(judged(set, WEB, DNS, '53/UDP').egress.l7).toMatchObject({ protocol: 'dns', result: 'not-evaluated' });
      // Another port of the server: the other item allows it, no proxy.
      expect([what, judged(set, WEB, DNS, '54/UDP').egress.decision]).toEqual([what, 'allowed']);
    }
  });

  test('a named port and the number it resolves to are two L4 filters: an L4-only allow of one leaves DNS rules on the other in force; '
    + 'on the same name or number it widens them (pkg/policy/l4.go namedPortMap; pkg/endpoint/bpf.go one redirect per resolved port; '
    + 'mapstate merge: the redirect wins the shared key)', () => {
    // The DNS server's container port `dns` is 53/UDP: both spellings cover a lookup on 53/UDP.
    const server = { ...egress([]).endpoint(DNS), ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] };
    const on = (port: string, rules?: string[]): Record<string, unknown> => ({
      ...toDns, toPorts: [{ ports: [{ port, protocol: 'UDP' }], ...(rules ? { rules: { dns: rules.map((matchName) => ({ matchName })) } } : {}) }],
    });
    // [DNS rules on, L4-only allow on, verdict for another name, deciding item]
    const table: [string, string, string, string][] = [
      ['53', 'dns', 'l7-denied', 'spec.egress[0]'],
      ['dns', '53', 'l7-denied', 'spec.egress[0]'],
      ['dns', 'dns', 'allowed', 'spec.egress[1]'],
      ['53', '53', 'allowed', 'spec.egress[1]'],
    ];
    for (const [rulesOn, l4On, other, path] of table) {
      const set = egress([on(rulesOn, ['a.example.com']), on(l4On)]);
      const what = `DNS rules on ${rulesOn}, L4-only on ${l4On}`;
      const v = judged(set, WEB, server, '53/UDP', { dns: 'b.example.com' });
      expect([what, v.verdict, v.egress.rule?.path, v.egress.l7?.result]).toEqual([what, other, path, other === 'allowed' ? 'allowed' : 'denied']);
      expect([what, judged(set, WEB, server, '53/UDP', { dns: 'a.example.com' }).verdict]).toEqual([what, 'allowed']);
      // Without a name: the lookup goes through the proxy either way.
      expect([what, judged(set, WEB, server, '53/UDP').egress.decision]).toEqual([what, 'allowed']);
    }
  });

  test('DNS rules on a named port and on the number it resolves to: the proxy holds one filter\'s rules (one redirect per port); '
    + 'the verdict takes them together and says so', () => {
    const server = { ...egress([]).endpoint(DNS), ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] };
    const on = (port: string, name: string): Record<string, unknown> => ({ ...toDns, toPorts: [{ ports: [{ port, protocol: 'UDP' }], rules: { dns: [{ matchName: name }] } }] });
    const set = egress([on('53', 'a.example.com'), on('dns', 'b.example.com')]);
    const note = /^the DNS rules here are on 2 L4 filters of this port \(53\/UDP, dns\/UDP\): Cilium gives the DNS proxy the rules of one of them only/;
    for (const [name, verdict] of [['a.example.com', 'allowed'], ['b.example.com', 'allowed'], ['c.example.com', 'l7-denied']]) {
      const v = judged(set, WEB, server, '53/UDP', { dns: name });
      expect([name, v.verdict, v.egress.notes.some((n) => note.test(n))]).toEqual([name, verdict, true]);
    }
    // One filter (both items on 53): no note.
    const one = egress([on('53', 'a.example.com'), on('53', 'b.example.com')]);
    expect(judged(one, WEB, server, '53/UDP', { dns: 'b.example.com' }).egress.notes.some((n) => note.test(n))).toBe(false);
  });

  test('HTTP rules cannot cover the lookup (53/UDP): the agent refuses them, so only DNS rules send a lookup to the proxy', () => {
    const http = { ...toDns, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { http: [{ method: 'GET' }] } }] };
    const set = egress([http, fqdn]);
    expect(set.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/http rules need protocol TCP, but port "53" has protocol "ANY" at spec\.egress\[0\]\.toPorts\[0\]\.ports\[0\]\.protocol \[sanitize-l7-protocol\]$/)]);
    expect(judged(set, WEB, B, 443).verdict).toBe('allowed'); // the policy is skipped: default allow
  });

  test('an L4-only rule alone sends no lookup through the proxy: nothing is learned', () => {
    const set = egress([l4Only, fqdn]);
    expect(judged(set, WEB, B, 443).verdict).toBe('denied');
    const lookup = judged(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(lookup.verdict).toBe('allowed');
    expect(dnsLearning(lookup)).toEqual({ learnable: false, why: expect.stringMatching(/^no DNS rule \(toPorts\[\]\.rules\.dns\) on egress to pod:kube-system:k8s-app=kube-dns 53\/UDP sends the lookup through the DNS proxy/) });
  });

  test('the DNS server\'s ingress must admit the lookup (DNS rules are refused on ingress, so it decides at L4)', () => {
    const server = (ingress: Record<string, unknown>[]): Record<string, unknown> => ccnp('dns-server', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress });
    const client = cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [dnsRules(['b.example.com']), fqdn] });
    const closed = policySet([client, server([{ fromEndpoints: [labels({ app: 'other' })] }])]);
    expect(judged(closed, WEB, B, 443).verdict).toBe('denied');
    expect(dnsLearning(judged(closed, WEB, DNS, '53/UDP', { dns: 'b.example.com' })).why).toMatch(/^the DNS server does not admit the lookup/);
    // Admitted on another port only: the lookup on 53/UDP is dropped at the server.
    const tcpOnly = policySet([client, server([{ toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] }])]);
    expect(judged(tcpOnly, WEB, B, 443).verdict).toBe('denied');
    expect(dnsLearning(judged(tcpOnly, WEB, DNS, '53/UDP', { dns: 'b.example.com' })).why).toMatch(/^the DNS server does not admit the lookup \(default deny/);
    const open = policySet([client, server([{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }])]);
    expect(judged(open, WEB, B, 443).verdict).toBe('allowed');
  });

  test('a lookup dropped at egress or refused by the proxy teaches nothing, and says why', () => {
    const denied = egress([dnsRules(['b.example.com']), fqdn, { toEndpoints: [labels({ app: 'x' })] }]);
    const dropped = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), egress: [dnsRules(['b.example.com']), fqdn], egressDeny: [{ toEntities: ['cluster'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    })]);
    expect(judged(denied, WEB, B, 443).verdict).toBe('allowed');
    expect(judged(dropped, WEB, B, 443).verdict).toBe('denied');
    expect(dnsLearning(judged(dropped, WEB, DNS, '53/UDP', { dns: 'b.example.com' })).why).toMatch(/^the lookup is dropped at egress \(denied by deny rule/);
    const refused = judged(egress([dnsRules(['a.example.com']), fqdn]), WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(dnsLearning(refused)).toEqual({ learnable: false, why: 'the DNS proxy refuses the lookup (the DNS request query b.example.com matches none of the rules (DNS REFUSED))' });
  });
});

describe('L7 rules that only give visibility, and the local host', () => {
  const l7 = (extra: Record<string, unknown> = {}): Record<string, unknown> => cnp('p', {
    endpointSelector: labels({ app: 'api' }), ...extra,
    ingress: [{ toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET' }] } }] }],
  });

  test('from 1.18 on a default-allow endpoint: visibility only, named with the version and the direction', () => {
    const set = policySet([l7({ enableDefaultDeny: { ingress: false } })], { ciliumVersion: CiliumVersion.V1_18 });
    const v = judged(set, WEB, API, 80, { http: 'POST /' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress).toMatchObject({ decision: 'allowed', allowed: true });
    expect(v.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[0] (L7 HTTP rules are visibility only in default-allow mode)');
    expect(v.ingress.l7).toEqual({
      protocol: 'http', result: 'allowed', rules: ['GET *'], matched: '(allow-all)', visibilityOnly: true,
      reason: `no policy selecting ${API} enables default deny on ingress, so Cilium 1.18 adds an allow-all to these HTTP rules: they give visibility only`,
    });
    // Enforced when default deny is on (the usual case); before 1.18 see "the wildcard rule of default-allow mode" below.
    expect(judged(policySet([l7()], { ciliumVersion: CiliumVersion.V1_18 }), WEB, API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
  });

  test('visibility-only DNS rules still send the lookup through the proxy (toFQDNs learns every name)', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }, { toFQDNs: [{ matchName: 'b.example.com' }] }],
    })], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' }).egress.l7).toMatchObject({ protocol: 'dns', result: 'allowed', visibilityOnly: true });
    expect(judged(set, WEB, 'fqdn:b.example.com@192.0.2.10', 443).egress.decision).toBe('allowed');
  });

  test('reserved:init is always default deny, so its L7 rules are enforced even with enableDefaultDeny false', () => {
    const set = policySet([ccnp('init', {
      endpointSelector: labels({ 'reserved:init': '' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, 'entity:init', DNS, '53/UDP', { dns: 'a.example.com' }).verdict).toBe('allowed');
    expect(judged(set, 'entity:init', DNS, '53/UDP', { dns: 'b.example.com' }).verdict).toBe('l7-denied');
  });

  test('the local host past Kafka rules: the first L7 kind is named; not with allowLocalhost off, not on egress', () => {
    const kafka = cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }] }],
    });
    const v = judged(policySet([kafka]), 'entity:host', API, 9092, { kafka: 'produce payments' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress).toMatchObject({ decision: 'allowed', allowed: true });
    expect(v.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'allowed', rules: [], matched: '(allow-all for the host)', visibilityOnly: true });
    expect(v.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[0] (the local host is not held to its L7 rules)');
    expect(judged(policySet([kafka], { allowLocalhost: false }), 'entity:host', API, 9092, { kafka: 'produce payments' }).verdict).toBe('l7-denied');
    const out = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      egress: [{ toEntities: ['all'], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }] }],
    })]);
    expect(judged(out, API, 'entity:host', 9092, { kafka: 'produce payments' }).verdict).toBe('l7-denied');
    // A pod is held to them.
    expect(judged(policySet([kafka]), WEB, API, 9092, { kafka: 'produce payments' }).verdict).toBe('l7-denied');
  });
});

describe('a rules object with no L7 kind', () => {
  test('`rules: {}` is refused by the API server (CRD oneOf): the policy is skipped, so no item ever has rules without a kind', () => {
    const set = apiIngress([{ ...fromWeb, toPorts: [{ ...TCP80, rules: {} }] }]);
    expect(set.diagnostics.map((d) => d.id)).toEqual(['engine-policy-skipped']);
    expect(set.diagnostics[0].message).toMatch(/rules \{\} has none of http, kafka, dns, l7proto .*\[crd-rules-one-of\]$/);
    expect(judged(set, WEB, API, 80, { http: 'POST /' }).ingress.decision).toBe('no-policy-default-allow');
  });
});

describe('authentication on the allowing item (the full truth tables: authentication.test.ts)', () => {
  test('required drops without mutual authentication; with it (mutualAuth) it passes with a note; disabled is no requirement', () => {
    const auth = (mode: string, options: PolicySetOptions = {}): PolicySet => apiIngress([{ ...fromWeb, authentication: { mode } }], options);
    const dropped = judged(auth('required'), WEB, API, 80);
    expect(dropped.verdict).toBe('denied');
    expect(dropped.ingress).toMatchObject({ decision: 'auth-required', allowed: false, rule: { path: 'spec.ingress[0]' } });
    expect(dropped.ingress.reason).toMatch(/^dropped: CiliumNetworkPolicy default\/p spec\.ingress\[0\] allows this only with authentication, .*DROP_POLICY_AUTH_REQUIRED/);
    const passed = judged(auth('required', { mutualAuth: true }), WEB, API, 80);
    expect(passed.verdict).toBe('allowed');
    expect(passed.ingress.notes).toEqual(['CiliumNetworkPolicy default/p spec.ingress[0] requires mutual authentication (mode required): judged as passing '
      + 'with mutual authentication on, which assumes SPIRE attests both identities (until it has, the first packets are dropped)']);
    expect(judged(auth('disabled'), WEB, API, 80)).toMatchObject({ verdict: 'allowed', ingress: { decision: 'allowed', notes: [] } });
  });
});

describe('the local host and L7 rules of several items', () => {
  test('1.19: held to them when an item on the same port entry names the host, even if another selects it without naming it '
    + '(earlier versions and other port entries: localhost-l7-filters.test.ts)', () => {
    const http = (peer: Record<string, unknown>): Record<string, unknown> => ({ ...peer, toPorts: [{ ...TCP80, rules: { http: [{ method: 'GET' }] } }] });
    const both = apiIngress([http({ fromEntities: ['all'] }), http({ fromEntities: ['host'] })]);
    expect(judged(both, 'entity:host', API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
    expect(judged(both, 'entity:host', API, 80, { http: 'GET /' }).verdict).toBe('allowed');
    const neither = apiIngress([http({ fromEntities: ['all'] }), http({})]);
    expect(judged(neither, 'entity:host', API, 80, { http: 'POST /' }).verdict).toBe('allowed');
  });
});

describe('L7 parsers that Cilium cannot merge (pkg/policy mergePortProto: "cannot merge conflicting L7 parsers")', () => {
  const http = (extra: Record<string, unknown>, ports: Record<string, unknown> = TCP80): Record<string, unknown> =>
    ({ ...extra, toPorts: [{ ...ports, rules: { http: [{ method: 'GET', path: '/a' }] } }] });
  const kafka = (extra: Record<string, unknown>, ports: Record<string, unknown> = TCP80): Record<string, unknown> =>
    ({ ...extra, toPorts: [{ ...ports, rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }] });
  const V1_17 = { ciliumVersion: CiliumVersion.V1_17 };
  const V1_18 = { ciliumVersion: CiliumVersion.V1_18 };
  const refusals = (set: PolicySet, from = WEB, port = 80): string[] =>
    judged(set, from, API, port, { http: 'GET /a' }).ingress.notes.filter((n) => n.startsWith('Cilium refuses the policy of this endpoint'));
  const refused = (parsers: string, port: string, peer?: string): string =>
    `Cilium refuses the policy of this endpoint: CiliumNetworkPolicy default/p spec.ingress[0] has ${parsers.split('/')[0]} rules and CiliumNetworkPolicy `
    + `default/p spec.ingress[1] ${parsers.split('/')[1]} rules on ingress ${port}${peer ? ` for the same peer ${peer}` : ''}, and it cannot merge conflicting L7 `
    + 'parsers: the endpoint keeps the policy it had, so this verdict is not what the agent enforces; give each protocol its own port';

  test('the same peer and port, HTTP and Kafka: refused on every version, the note names both items, the port and the peer', () => {
    const set = (options: PolicySetOptions): PolicySet => apiIngress([http(fromWeb), kafka(fromWeb)], options);
    expect(refusals(set(V1_17))).toEqual([refused('http/kafka', '80/TCP')]);
    expect(refusals(set(V1_18))).toEqual([refused('http/kafka', '80/TCP', 'endpoints {any:app=web, k8s:io.kubernetes.pod.namespace=default}')]);
    expect(refusals(set({}))).toHaveLength(1);
  });

  test('the whole policy is refused: the note is on verdicts of other ports and peers of the endpoint too', () => {
    const set = apiIngress([http(fromWeb), kafka(fromWeb), { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
    expect(refusals(set, 'pod:default:app=other', 8080)).toHaveLength(1);
  });

  test('different peers: refused up to 1.17 (one parser per port), merged from 1.18 (one parser per peer selector, PR #37887)', () => {
    const set = (options: PolicySetOptions): PolicySet => apiIngress([http(fromWeb), kafka({ fromEndpoints: [labels({ app: 'worker' })] })], options);
    expect(refusals(set(V1_17))).toEqual([refused('http/kafka', '80/TCP')]);
    expect(refusals(set(V1_18))).toEqual([]);
  });

  test('from 1.18 the cached selectors decide: cluster holds the host selector, so cluster and host conflict', () => {
    const set = apiIngress([http({ fromEntities: ['cluster'] }), kafka({ fromEntities: ['host'] })], V1_18);
    expect(refusals(set)).toEqual([refused('http/kafka', '80/TCP', 'reserved:host')]);
  });

  test('overlapping but unequal port entries are separate filters: 8000-8100 HTTP and 8080 Kafka are not refused', () => {
    const range = { ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] };
    const set = apiIngress([http(fromWeb, range), kafka(fromWeb, { ports: [{ port: '8080', protocol: 'TCP' }] })], V1_17);
    expect(refusals(set, WEB, 8080)).toEqual([]);
  });

  test('ANY is TCP, UDP and SCTP: DNS on 53/ANY and HTTP on 53/TCP meet on 53/TCP (egress)', () => {
    const toDns = { toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' })] };
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      egress: [
        { ...toDns, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        http(toDns, { ports: [{ port: '53', protocol: 'TCP' }] }),
      ],
    })], V1_17);
    expect(judged(set, API, DNS, '53/UDP').egress.notes.filter((n) => n.startsWith('Cilium refuses'))).toEqual([
      'Cilium refuses the policy of this endpoint: CiliumNetworkPolicy default/p spec.egress[0] has dns rules and CiliumNetworkPolicy default/p '
      + 'spec.egress[1] http rules on egress 53/TCP, and it cannot merge conflicting L7 parsers: the endpoint keeps the policy it had, so this '
      + 'verdict is not what the agent enforces; give each protocol its own port',
    ]);
  });

  test('not refused: one kind, an L4-only rule beside L7, other ports, other protocols, other directions', () => {
    expect(refusals(apiIngress([http(fromWeb), http(fromWeb)]))).toEqual([]);
    expect(refusals(apiIngress([http(fromWeb), { ...fromWeb, toPorts: [TCP80] }], V1_17))).toEqual([]);
    expect(refusals(apiIngress([http(fromWeb), kafka(fromWeb, { ports: [{ port: '81', protocol: 'TCP' }] })], V1_17))).toEqual([]);
    const egress = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [http(fromWeb)],
      egress: [kafka({ toEndpoints: [labels({ app: 'web' })] })],
    })], V1_17);
    expect(refusals(egress)).toEqual([]);
  });
});
