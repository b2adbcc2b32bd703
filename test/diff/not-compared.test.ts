// What `diff` cannot compare is said, and counted by --fail-on (never a silent "no change"), and toFQDNs changes are compared; names from the input
// cannot forge lines of the text output, ping people or plant links in the markdown comment, which stays under
// GitHub's size limit.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';
import { CiliumVersion, Connectivity, NotCompared, PolicySet } from '../../src';
import { webToApi } from './support';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const cli = cliAsync;

/** web may look up every name at kube-dns, and reach `fqdn` on `port`. */
function fqdnPolicy(fqdn: string, port: string, name = 'web'): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
  - toFQDNs: [{ ${fqdn} }]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`;
}

describe('diff: what it cannot compare', () => {
  const base = file('fqdn-base.yaml', fqdnPolicy('matchName: api.example.com', '443'));
  const widened = file('fqdn-wide.yaml', fqdnPolicy('matchPattern: "*"', '22'));

  test('a toFQDNs change is compared (fqdn: classes), not NOT COMPARED; --fail-on counts what it does', async () => {
    const r = await cli('diff', '--base', base, '--head', widened, '--fail-on', 'allowed');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('NOT COMPARED');
    expect(r.stdout).toContain('NEWLY ALLOWED\n  + prod/app=web → fqdn:* 22/TCP\n');
    expect(r.stdout).toContain('NEWLY DENIED\n  - prod/app=web → fqdn:api.example.com 443/TCP\n');
    expect((await cli('diff', '--base', base, '--head', widened, '--fail-on', 'denied')).code).toBe(1);
    // Only a name added: nothing newly denied.
    const added = file('fqdn-added.yaml', fqdnPolicy('matchName: api.example.com }, { matchName: b.example.com', '443'));
    expect((await cli('diff', '--base', base, '--head', added, '--fail-on', 'denied')).code).toBe(0);
    expect((await cli('diff', '--base', base, '--head', added, '--fail-on', 'allowed')).code).toBe(1);
  });

  test('the DNS companion of toFQDNs removed: the names newly denied, counted by --fail-on denied', async () => {
    const noDns = file('fqdn-no-dns.yaml', fqdnPolicy('matchName: api.example.com', '443').replace(/ {2}- toEndpoints[^\n]*\n[^\n]*\n/, ''));
    const r = await cli('diff', '--base', base, '--head', noDns, '--fail-on', 'denied');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  - prod/app=web → fqdn:api.example.com 443/TCP\n');
  });

  test('the same toFQDNs rules renamed and reordered: nothing to say', async () => {
    const renamed = file('fqdn-renamed.yaml', fqdnPolicy('matchName: api.example.com', '443', 'web-egress'));
    const r = await cli('diff', '--base', base, '--head', renamed, '--fail-on', 'any');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('NOT COMPARED');
  });

  test('the library: a toFQDNs item added is a change, not notCompared', () => {
    const only = (text: string): PolicySet => PolicySet.fromYaml(text);
    const added = only(fqdnPolicy('matchName: api.example.com', '443').replace(/ {2}- toFQDNs[^\n]*\n[^\n]*\n$/, ''));
    const doc = Connectivity.diff(added, only(fqdnPolicy('matchName: api.example.com', '443')));
    expect(doc.notCompared).toBeUndefined();
    expect(doc.changes.map((c) => [c.from, c.to, c.ports, c.after])).toEqual([['prod/app=web', 'fqdn:api.example.com', ['443/TCP'], 'allowed']]);
  });

  test('a policy the engine skips added, changed or removed: NOT COMPARED, counted by every --fail-on', async () => {
    const api = (name: string, path?: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }]${path !== undefined ? `, rules: { http: [{ path: "${path}" }] }` : ''} }]
`;
    const before = file('skip-base.yaml', api('api'));
    // A lookahead RE2 rejects: the agent refuses the policy, the engine skips it.
    const after = file('skip-head.yaml', `${api('api')}---\n${api('api2', '(?=x)')}`);
    for (const failOn of ['allowed', 'denied', 'any']) {
      const r = await cli('diff', '--base', before, '--head', after, '--fail-on', failOn);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('NOT COMPARED\n  ? policies the engine skips (the API server or the agent rejects them) differ between base and head '
        + '(CiliumNetworkPolicy prod/api2)');
    }
    // Removed again (the base had it): as much a difference.
    expect((await cli('diff', '--base', after, '--head', before, '--fail-on', 'denied')).code).toBe(1);
    // The same skipped policy on both sides: nothing differs.
    const same = await cli('diff', '--base', after, '--head', after, '--fail-on', 'any');
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('NOT COMPARED');
  });

  /**
   * api's ingress from web on 8080: one item (`allow`), or `refused`: two items for the same peer and port the agent cannot
   * merge — authentication modes `disabled` and `required` (pitfall-auth-mode-conflict), or http and kafka rules
   * (pitfall-l7-parser-conflict) — so it refuses api's policy and api keeps the one it had.
   */
  const apiPolicy = (refused?: 'auth' | 'l7'): string => {
    const item = (extra: string): string => `  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }]${extra} }]
`;
    const items = refused === 'auth' ? `${item('')}    authentication: { mode: disabled }\n${item('')}    authentication: { mode: required }\n`
      : refused === 'l7' ? `${item(', rules: { http: [{ path: "/a" }] }')}${item(', rules: { kafka: [{ topic: "t" }] }')}` : item('');
    return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
${items}`;
  };
  const AUTH_REASON = 'CiliumNetworkPolicy prod/api spec.ingress[0] has authentication mode disabled and CiliumNetworkPolicy prod/api spec.ingress[1] '
    + 'mode required on ingress 8080/TCP for the same peer endpoints {any:app=web, k8s:io.cilium.k8s.policy.cluster=default, '
    + 'k8s:io.kubernetes.pod.namespace=prod}, and it cannot merge conflicting authentication types';

  test('a policy the agent refuses on head (two authentication modes for one peer on one port): the class is NOT COMPARED, its change is not '
    + 'shown, and every --fail-on counts it', async () => {
    const before = file('refused-base.yaml', apiPolicy());
    const after = file('refused-head.yaml', apiPolicy('auth'));
    for (const failOn of ['allowed', 'denied', 'any']) {
      const r = await cli('diff', '--base', before, '--head', after, '--fail-on', failOn);
      expect(r.code).toBe(1);
      // Judged as enforced, head's `required` would be a newly denied connection the cluster never sees: api keeps its policy.
      expect(r.stdout).not.toContain('NEWLY DENIED');
      expect(r.stdout).toContain(`NOT COMPARED\n  ? Cilium refuses the policy of the endpoint class prod/app=api on head: ${AUTH_REASON}: its endpoints keep `
        + 'the policy they had (their regeneration fails before it changes), which the inputs do not hold, so the connections to and from it are '
        + 'not compared; run `cdk8s-cilium validate` on the head policies and fix pitfall-auth-mode-conflict\n');
    }
    // The base refused instead (head fixes it): as much not compared, named on base.
    const fixed = await cli('diff', '--base', after, '--head', before, '--fail-on', 'allowed');
    expect(fixed.code).toBe(1);
    expect(fixed.stdout).toContain('? Cilium refuses the policy of the endpoint class prod/app=api on base: ');
    expect(fixed.stdout).toContain('run `cdk8s-cilium validate` on the base policies and fix pitfall-auth-mode-conflict');
    // The same refused policy on both sides: nothing differs, nothing to say.
    const same = await cli('diff', '--base', after, '--head', after, '--fail-on', 'any');
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('NOT COMPARED');
  });

  test('an L7 parser conflict (http and kafka for one peer on one port) refused on both sides while another class changes: '
    + 'NOT COMPARED on base and head, the other class compared', async () => {
    const web = (port: string): string => `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: lb } }]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`;
    const [before, after] = [file('l7-base.yaml', apiPolicy('l7') + web('80')), file('l7-head.yaml', apiPolicy('l7') + web('81'))];
    const r = await cli('diff', '--base', before, '--head', after, '--fail-on', 'denied', '--output', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { changes: { from: string; to: string }[]; notCompared: NotCompared[] };
    expect(doc.changes.map((c) => `${c.from} ${c.to}`)).toEqual(['prod/app=lb prod/app=web', 'prod/app=lb prod/app=web']);
    expect(doc.notCompared).toEqual([{
      text: expect.stringMatching(new RegExp('^Cilium refuses the policy of the endpoint class prod/app=api on base and head: CiliumNetworkPolicy '
        + 'prod/api spec\\.ingress\\[0\\] has http rules and CiliumNetworkPolicy prod/api spec\\.ingress\\[1\\] kafka rules on ingress 8080/TCP '
        + 'for the same peer .*, and it cannot merge conflicting L7 parsers: .* fix pitfall-l7-parser-conflict$')),
      mayAllow: true,
      mayDeny: true,
    }]);
  });

  test('from 1.18, http and kafka rules for other peers on one port: not refused, but the port\'s one redirect is of either parser, so the class '
    + 'is NOT COMPARED as a policy not known (1.17: refused)', () => {
    const otherPeers = apiPolicy('l7').replace('kafka', 'KAFKA').replace(/(- fromEndpoints: \[\{ matchLabels: \{ app: )web(.*\n.*KAFKA)/, '$1worker$2')
      .replace('KAFKA', 'kafka');
    expect(otherPeers).toContain('app: worker');
    const added = (version: string): NotCompared[] => {
      const ciliumVersion = CiliumVersion.parse(version);
      const doc = Connectivity.diff(PolicySet.fromYaml(apiPolicy(), { ciliumVersion }), PolicySet.fromYaml(otherPeers, { ciliumVersion }));
      return doc.notCompared ?? [];
    };
    for (const version of ['1.18', '1.19']) {
      expect(added(version).map((n) => n.text), version).toEqual([expect.stringMatching(new RegExp('^The policy Cilium enforces for the endpoint class '
        + 'prod/app=api on head is not known: CiliumNetworkPolicy prod/api spec\\.ingress\\[0\\] has http rules and CiliumNetworkPolicy prod/api '
        + 'spec\\.ingress\\[1\\] kafka rules on ingress 8080/TCP for other peers: from 1\\.18 the agent takes both, .*: its endpoints get the one proxy '
        + 'redirect of their port made with the parser the agent meets first, which the inputs do not hold, so the connections to and from it are not '
        + 'compared; run `cdk8s-cilium validate` on the head policies and fix pitfall-l7-parser-conflict$'))]);
    }
    expect(added('1.17').map((n) => n.text)).toEqual([expect.stringMatching(/^Cilium refuses the policy of the endpoint class prod\/app=api on head: .*, and it cannot merge conflicting L7 parsers: its endpoints keep the policy they had/)]);
  });

  test('a refused class in the markdown and HTML outputs and in the library\'s document', async () => {
    const before = file('refused-out-base.yaml', apiPolicy());
    const after = file('refused-out-head.yaml', apiPolicy('auth'));
    const md = await cli('diff', '--base', before, '--head', after, '--output', 'markdown');
    expect(md.stdout).toContain('> ⚠️ Not compared: Cilium refuses the policy of the endpoint class prod/app=api on head: ');
    const html = await cli('diff', '--base', before, '--head', after, '--output', 'html');
    expect(html.stdout).toContain('<p class="note not-compared">Not compared: Cilium refuses the policy of the endpoint class prod/app=api on head: ');
    expect(html.stdout).toContain('Every connection between the endpoint classes that was compared has the same verdict');
    const doc = Connectivity.diff(PolicySet.fromYaml(apiPolicy()), PolicySet.fromYaml(apiPolicy('auth')));
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared?.map((n) => [n.mayAllow, n.mayDeny])).toEqual([[true, true]]);
  });

  test('a refused policy on both sides, written with its peer\'s labels and expressions in another order: the same rules, nothing to say', () => {
    // The agent reads a selector as its set of requirements: `{ app: web, tier: front }` and `{ tier: front, app: web }`
    // select the same pods, so nothing differs between the sides, and the class refused on both is not noted.
    const written = (labels: string, expressions: string): PolicySet => PolicySet.fromYaml(apiPolicy('auth').replaceAll(
      'fromEndpoints: [{ matchLabels: { app: web } }]', `fromEndpoints: [{ matchLabels: { ${labels} }, matchExpressions: [${expressions}] }]`));
    const [env, zone] = ['{ key: env, operator: In, values: [prod] }', '{ key: zone, operator: Exists }'];
    const base = written('app: web, tier: front', `${env}, ${zone}`);
    const reordered = Connectivity.diff(base, written('tier: front, app: web', `${zone}, ${env}`));
    expect(reordered.changes).toEqual([]);
    expect(reordered.notCompared).toBeUndefined();
    // A requirement changed instead: the refused class is noted on each side (its refusal names the peer of that side).
    const changed = Connectivity.diff(base, written('app: web, tier: back', `${env}, ${zone}`));
    expect(changed.notCompared?.map((n) => /^Cilium refuses the policy of the endpoint class prod\/app=api on (\w+): /.exec(n.text)?.[1]))
      .toEqual(['base', 'head']);
  });

  test('report: the pairs of a class whose policy the agent refuses are not listed as allowed, and it says why', async () => {
    const refused = file('refused-report.yaml', apiPolicy('auth'));
    const r = await cli('report', '--policies', refused, '--output', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { connections: { from: string; to: string }[]; notJudged: { text: string }[] };
    expect(doc.connections.filter((c) => c.from === 'prod/app=api' || c.to === 'prod/app=api')).toEqual([]);
    expect(doc.notJudged.map((n) => n.text)).toEqual([`Cilium refuses the policy of the endpoint class prod/app=api: ${AUTH_REASON}: its endpoints `
      + 'keep the policy they had (their regeneration fails before it changes), which the inputs do not hold, so the connections to and from it are '
      + 'not judged and not listed; run `cdk8s-cilium validate` on the policies and fix pitfall-auth-mode-conflict']);
    expect(r.stderr).toBe(`warning: not judged: ${doc.notJudged[0].text}\n`);
    const html = await cli('report', '--policies', refused, '--output', 'html');
    expect(html.stdout).toContain('<p class="note not-judged">Not judged: Cilium refuses the policy of the endpoint class prod/app=api: ');
  });

  test('named ports without the workloads that declare them', async () => {
    const named = (port: string): string => webToApi([port]);
    const r = await cli('diff', '--base', file('named-a.yaml', named('http')), '--head', file('named-b.yaml', named('admin')), '--fail-on', 'allowed');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^warning: not compared: rules with named ports differ between base and head \(1 added, 1 removed\)/);
  });
});

describe('diff: names from the input in the outputs', () => {
  const named = (name: string, port: number): string => webToApi([port], { name });
  const hostile = 'api\n  all clear: no connectivity change \u001b[2K @octo-org/security https://evil.example/x www.evil.example';
  const before = file('hostile-a.yaml', named(hostile, 8080));
  const after = file('hostile-b.yaml', named(hostile, 9090));

  test('text: a newline or an ANSI escape in a name stays on its line, as U+FFFD', async () => {
    // The API server refuses such a name (no DNS-1123 subdomain): the policy is skipped, and the warning names it.
    const r = await cli('diff', '--base', before, '--head', after);
    expect(r.stdout + r.stderr).not.toMatch(/\n {2}all clear/);
    expect(r.stdout + r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain('CiliumNetworkPolicy prod/api\ufffd  all clear: no connectivity change \ufffd[2K');
    expect(r.stderr).toContain('[crd-metadata-name]');
  });

  test('markdown: no @-mention, no autolink', async () => {
    // A name cannot carry these (the API server refuses it); a folder of the input can.
    const folder = join(dir, '@octo-org security https:', 'evil.example www.evil.example');
    mkdirSync(folder, { recursive: true });
    const write = (name: string, text: string): string => {
      writeFileSync(join(folder, name), text);
      return join(folder, name);
    };
    const r = await cli('diff', '--base', write('a.yaml', named('api', 8080)), '--head', write('b.yaml', named('api', 9090)), '--output', 'markdown');
    expect(r.stdout).toContain('@&#8203;octo-org security https:/evil.example www&#8203;.evil.example/a.yaml');
    expect(r.stdout).not.toMatch(/@octo|www\.evil/);
  });

  test('a refused name still reaches the "Not compared" line (clean base, hostile head): no @-mention, no autolink, no new line', async () => {
    const clean = file('clean-a.yaml', named('api', 8080));
    const md = await cli('diff', '--base', clean, '--head', after, '--output', 'markdown');
    const line = md.stdout.split('\n').find((l) => l.includes('Not compared: policies the engine skips'));
    expect(line).toContain('@&#8203;octo-org/security https:&#8203;//evil.example/x www&#8203;.evil.example');
    expect(md.stdout).not.toMatch(/@octo|https:\/\/|www\.evil/);
    expect(md.stdout).not.toMatch(/\n {2}all clear/);
    // The same line as a warning on stderr: on its line, no escape for the terminal.
    const text = await cli('diff', '--base', clean, '--head', after);
    expect(text.stderr).toContain('warning: not compared: policies the engine skips');
    expect(text.stdout + text.stderr).not.toMatch(/\n {2}all clear/);
    expect(text.stdout + text.stderr).not.toContain('\u001b');
  });

  test('markdown: a comment stays under GitHub\'s 65,536 characters, counting what it left out', async () => {
    const many = (port: number): string => Array.from({ length: 150 }, (_, i) => named(`api-${i}-${'long-name-'.repeat(10)}x`, port).replace(/app: api/, `app: api-${i}`)).join('---\n');
    const r = await cli('diff', '--base', file('many-a.yaml', many(8080)), '--head', file('many-b.yaml', many(9090)), '--output', 'markdown');
    expect(r.stdout.length).toBeLessThan(65_536);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('| 🟢') || l.startsWith('| 🔴')).length;
    const left = /… and (\d+) more changes, left out to keep the comment under GitHub's size limit/.exec(r.stdout);
    expect(left).not.toBeNull();
    expect(rows + Number(left?.[1])).toBe(300); // 150 newly allowed on 9090, 150 newly denied on 8080
  });
});

describe('diff: an L7 restriction lifted', () => {
  test('a second item for the same peer and port without rules: the restriction is gone, and the output says so', async () => {
    const restricted = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { http: [{ method: GET, path: "/api/v1/.*" }] } }]
`;
    const lifted = `${restricted}  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
    const r = await cli('diff', '--base', file('l7-a.yaml', restricted), '--head', file('l7-b.yaml', lifted), '--output', 'json', '--fail-on', 'allowed');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { changes: { from: string; to: string; ports: string[]; l7?: string; l7Before?: string }[] };
    expect(doc.changes).toEqual([expect.objectContaining({ from: 'prod/app=web', to: 'prod/app=api', ports: ['8080/TCP'], l7Before: 'HTTP GET /api/v1/.*' })]);
    expect(doc.changes[0].l7).toBeUndefined();
    const text = await cli('diff', '--base', file('l7-a.yaml', restricted), '--head', file('l7-b.yaml', lifted));
    expect(text.stdout).toContain('~ prod/app=web → prod/app=api 8080/TCP L7: HTTP GET /api/v1/.* → (no L7 restriction)\n');
  });
});

describe('reasons: default allow', () => {
  test('a direction without rules of a selected endpoint is named as such, not as "no policy"', async () => {
    const ingressOnly = file('ingress-only.yaml', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
  - fromEntities: [world]
`);
    const r = await cli('report', '--policies', ingressOnly);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  prod/app=web → world any\n      allowed by egress of prod/app=web: no egress rules (default allow)\n');
    expect(r.stdout).toContain('allowed by egress of prod/(other pods): no policy (default allow)');
  });
});

describe('pairs outside the cluster', () => {
  test('world to world (or a CIDR) is no policy\'s business: not reported, however many addresses the rules name', async () => {
    const cidrs = Array.from({ length: 60 }, (_, i) => `"203.0.113.${i + 1}/32"`).join(', ');
    const many = file('many-cidrs.yaml', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toCIDR: [${cidrs}]
`);
    const r = await cli('report', '--policies', many, '--output', 'json');
    const doc = JSON.parse(r.stdout) as { endpoints: { id: string; kind: string }[]; connections: { from: string; to: string }[] };
    const kind = new Map(doc.endpoints.map((e) => [e.id, e.kind]));
    expect(doc.endpoints.filter((e) => e.kind === 'world').length).toBeGreaterThan(60);
    expect(doc.connections.filter((c) => kind.get(c.from) === 'world' && kind.get(c.to) === 'world')).toEqual([]);
    expect(doc.connections).toContainEqual(expect.objectContaining({ from: 'prod/app=web', to: 'world 203.0.113.1/32' }));
  });
});

describe('diff: a policy the engine skips, moved to another Namespace', () => {
  /** prod's api (allowed from web on 8080), and a policy the agent refuses (an RE2 lookahead) named api2 in `ns`. */
  const sides = (ns: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api2, namespace: ${ns} }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { http: [{ path: "(?=x)" }] } }]
`;
  const skipped = (base: string, head: string): NotCompared | undefined =>
    Connectivity.diff(PolicySet.fromYaml(sides(base)), PolicySet.fromYaml(sides(head))).notCompared?.find((n) => n.text.startsWith('policies the engine skips'));

  // A seed-4949 mutant of comparison-limits.ts (session 49) keyed a skipped rule without its Namespace: prod/api2 and dev/api2
  // were one policy, and the move was "no change".
  test('prod/api2 moved to dev: NOT COMPARED (the old one is gone from prod, the new one in dev is rejected), both ways', () => {
    const note = skipped('prod', 'dev');
    expect(note).toMatchObject({ mayAllow: true, mayDeny: true });
    expect(note?.text).toContain('(CiliumNetworkPolicy dev/api2, CiliumNetworkPolicy prod/api2)');
    expect(skipped('dev', 'prod')).toMatchObject({ mayAllow: true, mayDeny: true });
  });

  test('left in its Namespace: nothing to note', () => {
    expect(skipped('dev', 'dev')).toBeUndefined();
  });
});

// Review mends (session 52): a witness filled past a label of 63 was no lookup name, so its class was dropped and the
// added rule was NOT COMPARED with a false reason ("the named CIDRs leave no world address free").
describe('diff: toFQDNs names and patterns at DNS lengths (63 a label, 253 in all)', () => {
  const base = file('len-base.yaml', fqdnPolicy('matchName: api.example.com', '443'));
  const added = (name: string, selector: string): string => file(name, fqdnPolicy(`matchName: api.example.com }, { ${selector}`, '443'));
  const b = (n: number): string => 'b'.repeat(n);

  test.each([
    ['a 61-character literal before * (the fill "any" made a label of 64)', `matchPattern: "${'a'.repeat(61)}*.example.com"`, `${'a'.repeat(61)}*.example.com`],
    ['a 62-character literal before *', `matchPattern: "${'a'.repeat(62)}*.example.com"`, `${'a'.repeat(62)}*.example.com`],
    ['* before 251 characters (a fill of 3 made 255)', `matchPattern: "*.${b(63)}.${b(63)}.${b(63)}.${b(55)}.com"`, `*.${b(63)}.${b(63)}.${b(63)}.${b(55)}.com`],
  ])('%s: compared, 1 newly allowed, --fail-on allowed exits 1', async (_what, selector, text) => {
    const r = await cli('diff', '--base', base, '--head', added(`len-${text.length}-${text.indexOf('*')}.yaml`, selector), '--fail-on', 'allowed');
    expect(r.stdout).not.toContain('NOT COMPARED');
    expect(r.stdout).toContain(': 1 newly allowed, 0 newly denied');
    expect(r.stdout).toContain(`  + prod/app=web → fqdn:${text} 443/TCP\n`);
    expect(r.code).toBe(1);
  });

  test.each([
    ['a matchName with a label of 64', `matchName: "${'a'.repeat(64)}.example.com"`],
    ['a pattern whose shortest name has a label of 64', `matchPattern: "${'a'.repeat(64)}*.example.com"`],
    // 254 characters: the CRD's 255 takes it (a longer one is a rejected policy, NOT COMPARED for that reason).
    ['a pattern whose shortest name is 254 characters', `matchPattern: "*.${b(63)}.${b(63)}.${b(63)}.${b(60)}"`],
  ])('%s selects no name a lookup gives: nothing newly allowed, not NOT COMPARED, exit 0', async (_what, selector) => {
    const r = await cli('diff', '--base', base, '--head', added(`none-${selector.length}-${selector.indexOf('*')}.yaml`, selector), '--fail-on', 'any');
    expect(r.stdout).not.toContain('NOT COMPARED');
    expect(r.stdout).toContain(': 0 newly allowed, 0 newly denied');
    expect(r.code).toBe(0);
  });
});
