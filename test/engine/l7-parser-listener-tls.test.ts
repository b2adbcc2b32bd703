// Envoy listeners and TLS settings in the parser merge (model/l7-parsers.ts `l7ParserOf`, `parsersMerge`). pkg/policy/l4.go
// `createL4Filter` (1.14-1.19) gives a port rule with `serverNames` or a TLS context the parser `tls`, overridden by its
// L7 rules, and a port rule with a `listener` the parser `crd`, overriding everything; `L7ParserType.Merge` /
// `canPromoteTo` (l4_test.go `TestL7ParserTypeMerge`) promotes `tls` to any parser but `dns` and `crd`, and merges
// `crd` and `dns` with no other. So a listener and HTTP rules (or TLS settings) for one peer on one port entry make the
// agent refuse the endpoint's policy ("cannot merge conflicting L7 parsers"); TLS with HTTP merges (HTTP); TLS with DNS
// is refused. A listener has a redirect of its own (ProxyID keys it by the listener), so a listener and HTTP rules for
// other peers of one port (1.18+) are no undecided redirect.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { cnp, labels, matcherQuery, notJudgedRefusal, policySet } from './helpers';

const API = labels({ app: 'api' });
const port = (p: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ports: [{ port: p, protocol: 'TCP' }], ...extra });
const LISTENER = { listener: { envoyConfig: { kind: 'CiliumClusterwideEnvoyConfig', name: 'cec' }, name: 'l1' } };
const HTTP = { rules: { http: [{ method: 'GET' }] } };
const DNS = { rules: { dns: [{ matchPattern: '*' }] } };
const SNI = { serverNames: ['a.example'] };
const TERMINATING = { terminatingTLS: { secret: { name: 'tls' } } };
const KAFKA = { rules: { kafka: [{ topic: 't' }] } };
/** An item to the api pods (or, with `peer`, to other pods) on `p` with the fields of `extra`. */
const to = (p: string, extra: Record<string, unknown>, peer = API): Record<string, unknown> => ({ toEndpoints: [peer], toPorts: [port(p, extra)] });
const DB = { toEndpoints: [labels({ app: 'db' })], toPorts: [port('5432')] };

function set(egress: readonly Record<string, unknown>[], version: CiliumVersion): PolicySet {
  return policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [...egress, DB] })], { ciliumVersion: version });
}

/** `refused` when decide() and verdict() refuse the connection web → db:5432 as a policy the agent refuses, else decide()'s verdict. */
function outcome(s: PolicySet): string {
  const q = matcherQuery(s, 'pod:default:app=web', 'pod:default:app=db', 5432, {});
  const refusal = notJudgedRefusal(() => s.decide(q));
  const byVerdict = notJudgedRefusal(() => s.verdict(q));
  expect(byVerdict?.id).toBe(refusal?.id);
  if (refusal !== undefined) return refusal.id === 'engine-policy-refused' ? 'refused' : refusal.id;
  return s.decide(q);
}

const VERSIONS = [CiliumVersion.V1_14, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19];

describe('listener and TLS parsers: refused where Cilium cannot merge them, judged elsewhere (every version)', () => {
  const cases: [string, Record<string, unknown>[], string][] = [
    ['listener alone', [to('8080', LISTENER)], 'allowed'],
    ['HTTP alone', [to('8080', HTTP)], 'allowed'],
    ['TLS alone', [to('443', SNI)], 'allowed'],
    ['listener + L4-only allow, one port and peer (crd merges with none)', [to('8080', LISTENER), to('8080', {})], 'allowed'],
    ['listener + HTTP, other ports', [to('8080', LISTENER), to('8081', HTTP)], 'allowed'],
    ['listener + HTTP, one port and peer', [to('8080', LISTENER), to('8080', HTTP)], 'refused'],
    ['HTTP + listener, one port and peer', [to('8080', HTTP), to('8080', LISTENER)], 'refused'],
    ['listener + Kafka, one port and peer', [to('9092', LISTENER), to('9092', KAFKA)], 'refused'],
    ['listener + DNS, one port and peer', [to('53', LISTENER), to('53', DNS)], 'refused'],
    ['serverNames + listener, one port and peer', [to('443', SNI), to('443', LISTENER)], 'refused'],
    ['terminatingTLS + listener, one port and peer', [to('443', TERMINATING), to('443', LISTENER)], 'refused'],
    ['serverNames + DNS, one port and peer', [to('53', SNI), to('53', DNS)], 'refused'],
    ['serverNames + DNS, other ports', [to('443', SNI), to('53', DNS)], 'allowed'],
    // With terminatingTLS: without it, mergePortProto's SNI check refuses the merge or not by its order (listener-merge.test.ts).
    ['serverNames + HTTP, one port and peer (tls promoted to http)', [to('443', SNI), to('443', { ...HTTP, ...TERMINATING })], 'allowed'],
    ['serverNames + Kafka, one port and peer (tls promoted to kafka)', [to('443', SNI), to('443', { ...KAFKA, ...TERMINATING })], 'allowed'],
    ['serverNames + HTTP + Kafka, one port and peer (http and kafka still conflict)', [to('443', SNI), to('443', HTTP), to('443', KAFKA)], 'refused'],
    ['two items with the same listener, one port and peer', [to('8080', LISTENER), to('8080', LISTENER)], 'allowed'],
  ];
  for (const [name, egress, expected] of cases) {
    test(name, () => {
      for (const version of VERSIONS) expect(outcome(set(egress, version)), `${version.toString()}`).toBe(expected);
    });
  }
});

describe('a listener and HTTP rules of different peers on one port', () => {
  const egress = [to('8080', LISTENER), to('8080', HTTP, labels({ app: 'other' }))];
  test('up to 1.17 the parser is the filter\'s: refused', () => {
    for (const version of [CiliumVersion.V1_14, CiliumVersion.V1_17]) expect(outcome(set(egress, version)), version.toString()).toBe('refused');
  });
  test('from 1.18 per selector, and the listener has a redirect of its own (ProxyID keys it by the listener): judged', () => {
    for (const version of [CiliumVersion.V1_18, CiliumVersion.V1_19]) expect(outcome(set(egress, version)), version.toString()).toBe('allowed');
  });
  test('serverNames and DNS of different peers from 1.18: one redirect, its parser not known', () => {
    const s = set([to('53', SNI), to('53', DNS, labels({ app: 'other' }))], CiliumVersion.V1_18);
    const q = matcherQuery(s, 'pod:default:app=web', 'pod:default:app=db', 5432, {});
    expect(notJudgedRefusal(() => s.decide(q))?.message).toContain('the policy Cilium enforces for this endpoint is not known');
  });
});

test('the note names the listener and the HTTP rules, and the merge error', () => {
  const s = set([to('8080', LISTENER), to('8080', HTTP)], CiliumVersion.V1_17);
  const q = matcherQuery(s, 'pod:default:app=web', 'pod:default:app=db', 5432, {});
  expect(s._verdict(q).egress.notes.filter((n) => n.startsWith('Cilium refuses'))).toEqual(['Cilium refuses the policy of this endpoint: '
    + 'CiliumNetworkPolicy default/p spec.egress[0] has an Envoy listener (parser crd) and CiliumNetworkPolicy default/p spec.egress[1] http rules '
    + 'on egress 8080/TCP, and it cannot merge conflicting L7 parsers: the endpoint keeps the policy it had, so this verdict is not what the agent '
    + 'enforces; give each protocol its own port']);
});
