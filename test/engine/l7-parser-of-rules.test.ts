// What parser a port rule's L7 rules give its filter (model/l7-parsers.ts `l7ParserOf`), as pkg/policy/l4.go
// `createL4Filter` (1.14-1.19) sets it: DNS for `len(rules.DNS) > 0`, so an empty `dns: []` is no parser at all and merges
// with any, a listener's `crd` too; and how the engine's note and validate's message name the parser `tls` (serverNames or a
// TLS context without L7 rules, `parserRulesText`). Session 58: mutants of session 57's parser code (docs/testing.md,
// "Session 58", seed 5803) that no test told apart.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { check, findings } from '../validate-cli/helpers';
import { matcherQuery, notJudgedRefusal } from './helpers';

const VERSIONS = ['1.14', '1.17', '1.18', '1.19'] as const;
const LISTENER = 'listener: { envoyConfig: { kind: CiliumClusterwideEnvoyConfig, name: cec }, name: l1 }';

/** An egress item to the `peer` pods on `port`/`protocol` with the port rule's `extra` fields. */
const item = (port: string, protocol: string, extra: string, peer = 'api'): string =>
  `  - toEndpoints: [{ matchLabels: { app: ${peer} } }]\n    toPorts: [{ ports: [{ port: "${port}", protocol: ${protocol} }], ${extra} }]\n`;
/** web's egress policy with `items`, and an L4-only allow to db on 5432/TCP: the connection asked. */
const policy = (...items: string[]): string => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: a, namespace: prod }\nspec:\n'
  + `  endpointSelector: { matchLabels: { app: web } }\n  egress:\n${items.join('')}  - toEndpoints: [{ matchLabels: { app: db } }]\n`
  + '    toPorts: [{ ports: [{ port: "5432", protocol: TCP }] }]\n';

/** web → db 5432/TCP: decide()'s verdict, or `refused` when the agent refuses the endpoint's policy (verdict() agreeing). */
function outcome(text: string, version: string): string {
  const set = PolicySet.fromTexts([{ file: 'p.yaml', text }], { ciliumVersion: CiliumVersion.parse(version) });
  const q = matcherQuery(set, 'pod:prod:app=web', 'pod:prod:app=db', 5432, {});
  const refusal = notJudgedRefusal(() => set.decide(q));
  expect(notJudgedRefusal(() => set.verdict(q))?.id).toBe(refusal?.id);
  if (refusal !== undefined) return refusal.id === 'engine-policy-refused' ? 'refused' : refusal.id;
  return set.decide(q);
}

/** validate's parser-conflict findings: their paths and messages. */
function conflicts(text: string, version: string): { path: string; message: string }[] {
  return findings(check({ 'p.yaml': text }, { ciliumVersion: version }), 'pitfall-l7-parser-conflict')
    .map((d) => ({ path: d.path ?? '', message: d.message }));
}

describe('an empty DNS rule list is no parser (createL4Filter: len(rules.DNS) > 0)', () => {
  const cases: [string, string, string, number][] = [
    // `dns: []` is no L7 rule: the filter has no parser, which merges with the listener's crd (was: dns, refused).
    ['dns: [] + listener, one port and peer', policy(item('53', 'TCP', 'rules: { dns: [] }'), item('53', 'TCP', LISTENER)), 'allowed', 0],
    ['dns rules + listener, one port and peer', policy(item('53', 'TCP', 'rules: { dns: [{ matchPattern: "*" }] }'), item('53', 'TCP', LISTENER)), 'refused', 1],
    ['dns: [] + http rules, one port and peer', policy(item('8080', 'TCP', 'rules: { dns: [] }'), item('8080', 'TCP', 'rules: { http: [{ method: GET }] }')),
      'allowed', 0],
  ];
  for (const [name, text, expected, found] of cases) {
    test(name, () => {
      for (const version of VERSIONS) {
        expect(outcome(text, version), version).toBe(expected);
        expect(conflicts(text, version), version).toHaveLength(found);
      }
    });
  }
});

describe('the parser tls is named as TLS settings without L7 rules', () => {
  const text = policy(item('53', 'TCP', 'serverNames: [a.example]'), item('53', 'TCP', 'rules: { dns: [{ matchPattern: "*" }] }'));
  const TLS = 'TLS settings without L7 rules (serverNames or a TLS context: parser tls)';

  test('the engine\'s note on the refused endpoint', () => {
    const set = PolicySet.fromTexts([{ file: 'p.yaml', text }], { ciliumVersion: CiliumVersion.V1_17 });
    const q = matcherQuery(set, 'pod:prod:app=web', 'pod:prod:app=db', 5432, {});
    expect(set._verdict(q).egress.notes.filter((n) => n.startsWith('Cilium refuses'))).toEqual(['Cilium refuses the policy of this endpoint: '
      + `CiliumNetworkPolicy prod/a spec.egress[0] has ${TLS} and CiliumNetworkPolicy prod/a spec.egress[1] dns rules on egress 53/TCP, and it `
      + 'cannot merge conflicting L7 parsers: the endpoint keeps the policy it had, so this verdict is not what the agent enforces; give each '
      + 'protocol its own port']);
  });

  test('validate\'s finding', () => {
    for (const version of VERSIONS) {
      const found = conflicts(text, version);
      expect(found.map((f) => f.path), version).toEqual(['spec.egress[1].toPorts[0]']);
      expect(found[0].message, version).toContain(TLS);
      expect(found[0].message, version).toContain('dns rules');
    }
  });
});
