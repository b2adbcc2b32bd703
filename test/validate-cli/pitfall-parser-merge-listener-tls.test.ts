// validate's pitfall-l7-parser-conflict for Envoy listeners (parser crd) and TLS settings (parser tls), by the same
// classification as the engine (model/l7-parsers.ts `l7ParserOf`, `parsersMerge`; pkg/policy/l4.go `createL4Filter`,
// `L7ParserType.Merge`/`canPromoteTo`), and pitfall-l7-rules-widened no longer reporting a listener as an allow-all merge.
import { describe, expect, it } from 'vitest';
import { check, findings } from './helpers';

const LISTENER = 'listener: { envoyConfig: { kind: CiliumClusterwideEnvoyConfig, name: cec }, name: l1 }';
const HTTP = 'rules: { http: [{ method: GET }] }';
const DNS = 'rules: { dns: [{ matchPattern: "*" }] }';
const SNI = 'serverNames: [a.example]';

/** An egress item to `peer` pods on `port`/TCP with `extra` (or nothing). */
const to = (port: string, extra: string, peer = 'api'): string =>
  `  - toEndpoints: [{ matchLabels: { app: ${peer} } }]\n    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }]${extra ? `, ${extra}` : ''} }]\n`;

function file(...items: string[]): Record<string, string> {
  return {
    'p.yaml': 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: a, namespace: prod }\nspec:\n'
      + `  endpointSelector: { matchLabels: { app: web } }\n  egress:\n${items.join('')}`,
  };
}

/** The checks among the parser conflict and the widened rules that report, with their paths. */
const reported = (files: Record<string, string>, ciliumVersion: string): string[] => {
  const report = check(files, { ciliumVersion });
  return ['pitfall-l7-parser-conflict', 'pitfall-l7-rules-widened'].flatMap((id) => findings(report, id).map((d) => `${id} ${d.path ?? ''}`));
};

const CONFLICT = 'pitfall-l7-parser-conflict spec.egress[1].toPorts[0]';

describe('flagged as a parser conflict (every version), not as widened rules', () => {
  const cases: [string, Record<string, string>][] = [
    ['listener + HTTP, one port and peer', file(to('8080', LISTENER), to('8080', HTTP))],
    ['HTTP + listener, one port and peer', file(to('8080', HTTP), to('8080', LISTENER))],
    ['serverNames + listener, one port and peer', file(to('443', SNI), to('443', LISTENER))],
    ['serverNames + DNS, one port and peer', file(to('53', SNI), to('53', DNS))],
  ];
  for (const [name, files] of cases) {
    it(name, () => {
      for (const version of ['1.14', '1.17', '1.18', '1.19']) expect(reported(files, version), version).toEqual([CONFLICT]);
    });
  }

  it('the message names the listener and the HTTP rules', () => {
    const [d] = findings(check(file(to('8080', LISTENER), to('8080', HTTP)), { ciliumVersion: '1.17' }), 'pitfall-l7-parser-conflict');
    expect(d.message).toMatch(/^http rules on egress 8080\/TCP here, and an Envoy listener \(parser crd\) on the same port entry in CiliumNetworkPolicy prod\/a/);
  });
});

describe('not flagged', () => {
  const cases: [string, Record<string, string>][] = [
    ['listener alone', file(to('8080', LISTENER))],
    ['listener + L4-only allow, one port and peer (crd merges with none, no allow-all HTTP rule)', file(to('8080', LISTENER), to('8080', ''))],
    ['listener + HTTP, other ports', file(to('8080', LISTENER), to('8081', HTTP))],
    ['serverNames + HTTP, one port and peer (tls promoted to http)', file(to('443', SNI), to('443', HTTP))],
    ['serverNames + DNS, other ports', file(to('443', SNI), to('53', DNS))],
  ];
  for (const [name, files] of cases) {
    it(name, () => {
      for (const version of ['1.14', '1.17', '1.18', '1.19']) {
        expect(findings(check(files, { ciliumVersion: version }), 'pitfall-l7-parser-conflict'), version).toEqual([]);
      }
    });
  }

  it('a listener and HTTP rules of different peers on one port: refused up to 1.17, from 1.18 judged (the listener\'s redirect is its own)', () => {
    const files = file(to('8080', LISTENER), to('8080', HTTP, 'other'));
    expect(reported(files, '1.17')).toEqual([CONFLICT]);
    expect(reported(files, '1.18')).toEqual([]);
    expect(reported(files, '1.19')).toEqual([]);
  });
});
