// Policies the API server or the agent rejects are not in the cluster: the engine skips them whole, with a warning that
// names them and why (the error rules of `validate`); policies the cluster stores as something else are still enforced.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { cnp, labels, verdict } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';

function yamlSet(text: string): PolicySet {
  return PolicySet.fromYaml(text, { file: 'p.yaml' });
}

/** A CNP whose api ingress allows web on `port`/`protocol`, written as YAML (so numbers stay numbers). */
function portPolicy(port: string, protocol = 'TCP', extra = ''): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: ${port}, protocol: ${protocol}}]${extra}}]
`;
}

describe('policies the cluster rejects are skipped whole, with a warning', () => {
  test.each([
    ['an integer port', portPolicy('80'), 'parse-port-not-string'],
    ['a lower-case protocol', portPolicy('"80"', 'tcp'), 'crd-protocol'],
    ['a port above 65535', portPolicy('"70000"'), 'sanitize-port-parse'],
    ['an HTTP path RE2 cannot compile', portPolicy('"80"', 'TCP', ', rules: {http: [{path: "a(b"}]}'), 'sanitize-http-regex'],
  ])('%s', (_what, text, id) => {
    const s = yamlSet(text);
    // Skipped: api is not selected by any imported rule, so everything is allowed (default allow), nothing L7-refused.
    expect(verdict(s, 'pod:default:app=db', API, '80/TCP').allowed).toBe(true);
    const warning = s.diagnostics.find((d) => d.id === 'engine-policy-skipped');
    expect(warning?.message).toMatch(/^CiliumNetworkPolicy default\/p is skipped/);
    expect(warning?.message).toContain(id);
    expect(warning?.severity).toBe('warning');
    const v = verdict(s, WEB, API, '80/TCP');
    expect(v.ingress.notes.join('\n')).toMatch(/not imported by the agent/);
  });

  test('a bad matchName in toFQDNs', () => {
    const s = PolicySet.fromYaml(JSON.stringify(cnp('p', {
      endpointSelector: labels({ app: 'web' }), egress: [{ toFQDNs: [{ matchName: 'bad name!' }] }],
    })), { file: 'p.yaml' });
    expect(verdict(s, WEB, 'cidr:203.0.113.9', '443/TCP').allowed).toBe(true);
    expect(s.diagnostics.map((d) => d.message).join('\n')).toMatch(/crd-fqdn-syntax/);
  });

  test('one invalid rule in specs: no rule of the policy is imported', () => {
    const s = PolicySet.fromYaml(JSON.stringify({
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default' },
      specs: [
        { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] },
        { endpointSelector: labels({ app: 'db' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })], fromEntities: ['world'] }] },
      ],
    }), { file: 'p.yaml' });
    expect(verdict(s, 'pod:default:app=x', API, '80/TCP').allowed).toBe(true);
    expect(s.skippedRules.map((r) => r.rule)).toEqual(['specs[0]', 'specs[1]']);
    expect(s.skippedRules[0].reason).toMatch(/specs\[1\]|rejects it/);
  });

  test('the same rules in a valid policy are enforced (negative control)', () => {
    const s = yamlSet(portPolicy('"80"'));
    expect(verdict(s, WEB, API, '80/TCP').allowed).toBe(true);
    expect(verdict(s, 'pod:default:app=db', API, '80/TCP').allowed).toBe(false);
    expect(s.diagnostics).toEqual([]);
  });

  test('what the cluster stores differently is still enforced: octal port, unknown field', () => {
    const octal = yamlSet(portPolicy('"010"'));
    expect(verdict(octal, WEB, API, '8/TCP').allowed).toBe(true);
    expect(verdict(octal, 'pod:default:app=db', API, '8/TCP').allowed).toBe(false);
    const unknown = yamlSet(portPolicy('"80"').replace('  ingress:', '  unknownField: 1\n  ingress:'));
    expect(verdict(unknown, 'pod:default:app=db', API, '80/TCP').allowed).toBe(false);
    expect(unknown.diagnostics.some((d) => d.id === 'engine-policy-skipped')).toBe(false);
  });
});

describe('a NetworkPolicy the API server stores and the agent refuses', () => {
  // The API server reads ipBlock CIDRs leniently (leading zeros); before 1.19 the agent's ParseNetworkPolicy runs
  // rule.Sanitize(), whose strict CIDR parse refuses the whole NetworkPolicy: its pods are not isolated by it.
  const np = (cidr: string, name = 'np'): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}, namespace: default}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{ipBlock: {cidr: ${cidr}}}]
`;
  const WORLD = 'cidr:203.0.113.7/32';

  test.each([
    ['1.18', '010.0.0.0/8', true],
    ['1.14', '010.0.0.0/8', true],
    ['1.19.5', '010.0.0.0/8', false],
    ['1.18', '10.0.0.0/8', false],
  ] as const)('Cilium %s, ipBlock %s: refused whole = %s', (version, cidr, refused) => {
    const s = PolicySet.fromYaml(np(cidr), { file: 'np.yaml', ciliumVersion: CiliumVersion.parse(version) });
    // Refused: api is selected by no imported rule (default allow). Imported: api is ingress default deny but for the CIDR.
    expect(verdict(s, WEB, API, '80/TCP').allowed).toBe(refused);
    const warning = s.diagnostics.find((d) => d.id === 'engine-policy-skipped');
    if (refused) {
      expect(warning?.message).toContain('NetworkPolicy default/np is skipped');
      expect(warning?.message).toContain('cannot parse the CIDR "010.0.0.0/8" at spec.ingress[0].from[0].ipBlock.cidr');
    } else {
      expect(warning).toBeUndefined();
      // Imported: api is ingress default deny, open to the CIDR only (a /32 outside 10.0.0.0/8 stays denied).
      expect(verdict(s, WORLD, API, '80/TCP').allowed).toBe(false);
      expect(verdict(s, 'cidr:10.1.2.3/32', API, '80/TCP').allowed).toBe(cidr === '10.0.0.0/8');
    }
  });

  test('an egress ipBlock, or an except entry, the agent cannot parse refuses the NetworkPolicy too', () => {
    const egress = (block: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: default}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: ${block}}]
`;
    for (const [block, refused] of [['{cidr: 010.0.0.0/8}', true], ['{cidr: 10.0.0.0/8, except: [10.1.0.0/16, 010.2.0.0/16]}', true],
      ['{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}', false]] as const) {
      const s = PolicySet.fromYaml(egress(block), { file: 'np.yaml', ciliumVersion: CiliumVersion.V1_18 });
      // Refused: api's egress is selected by no imported rule (default allow). Imported: default deny but for the block.
      expect(verdict(s, API, WORLD, '443/TCP').allowed, block).toBe(refused);
      expect(s.diagnostics.some((d) => d.id === 'engine-policy-skipped'), block).toBe(refused);
      expect(verdict(PolicySet.fromYaml(egress(block), { file: 'np.yaml', ciliumVersion: CiliumVersion.V1_19 }), API, WORLD, '443/TCP').allowed).toBe(false);
    }
  });

  test('a later refused NetworkPolicy of the same name still replaces the earlier one (stored), so neither is enforced', () => {
    const s = PolicySet.fromYaml(`${np('10.0.0.0/8')}---\n${np('010.0.0.0/8')}`, { file: 'np.yaml', ciliumVersion: CiliumVersion.V1_18 });
    expect(verdict(s, WEB, API, '80/TCP').allowed).toBe(true);
    const messages = s.diagnostics.filter((d) => d.id === 'engine-policy-skipped').map((d) => d.message);
    // One warning for the one object: the earlier replaced, the later refused by the agent.
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('the agent refuses that one (the agent of Cilium 1.18 cannot parse the CIDR "010.0.0.0/8"');
    expect(messages[0]).toContain('so neither is enforced');
  });
});

test('a ciliumVersion that is no CiliumVersion (from JavaScript) is refused by name, not a TypeError', () => {
  expect(() => PolicySet.fromYaml(portPolicy('"80"'), { ciliumVersion: '1.18' as unknown as CiliumVersion }))
    .toThrow('PolicySet: ciliumVersion is a string ("1.18"), not a CiliumVersion');
});

describe('which findings belong to which document, and how many the warning counts', () => {
  /** A CNP `name` whose api ingress allows web, with `bad` peer labels Go reads as numbers (each a parse-wrong-type error). */
  const cnpText = (name: string, bad = 0): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ${name}, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web${Array.from({ length: bad }, (_, i) => `, v${i}: 1_00${i}`).join('')}}}]
`;
  const skipped = (s: PolicySet): string[] => s.diagnostics.filter((d) => d.id === 'engine-policy-skipped').map((d) => d.message);

  test('the errors of one document skip it alone: the other documents, List items and files are enforced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-admission-'));
    try {
      // Document 1 of the stream has the error; document 0 (a) is enforced: api is default deny but for web.
      const stream = yamlSet(`${cnpText('a')}---\n${cnpText('b', 1)}`);
      expect(skipped(stream)).toHaveLength(1);
      expect(skipped(stream)[0]).toMatch(/^CiliumNetworkPolicy default\/b is skipped/);
      expect(verdict(stream, 'pod:default:app=db', API, '80/TCP').allowed).toBe(false);
      // The same in a List: item 1 skipped, item 0 enforced.
      const list = `apiVersion: v1\nkind: List\nitems:\n${[cnpText('a'), cnpText('b', 1)].map((t) => `- ${t.trim().split('\n').join('\n  ')}`).join('\n')}\n`;
      const listed = yamlSet(list);
      expect(skipped(listed)).toHaveLength(1);
      expect(verdict(listed, 'pod:default:app=db', API, '80/TCP').allowed).toBe(false);
      // Two files, each a document 0: the error of one is not the other's.
      const bad = join(dir, 'bad.yaml');
      const good = join(dir, 'good.yaml');
      writeFileSync(bad, cnpText('b', 1));
      writeFileSync(good, cnpText('a'));
      const files = PolicySet.fromFiles([bad, good]);
      expect(skipped(files)).toHaveLength(1);
      expect(verdict(files, 'pod:default:app=db', API, '80/TCP').allowed).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the warning names the first refusing error and counts the others', () => {
    expect(skipped(yamlSet(cnpText('b', 1)))[0]).not.toContain('more error');
    expect(skipped(yamlSet(cnpText('b', 2)))[0]).toContain('[parse-wrong-type] (and 1 more error: run validate)');
    expect(skipped(yamlSet(cnpText('b', 3)))[0]).toContain('[parse-wrong-type] (and 2 more errors: run validate)');
    const np = (block: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: default}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{ipBlock: ${block}}]
`;
    const one = skipped(PolicySet.fromYaml(np('{cidr: 010.0.0.0/8}'), { ciliumVersion: CiliumVersion.V1_18 }))[0];
    expect(one).toContain('cannot parse the CIDR "010.0.0.0/8" at spec.ingress[0].from[0].ipBlock.cidr (rule.Sanitize');
    const two = skipped(PolicySet.fromYaml(np('{cidr: 010.0.0.0/8, except: [010.1.0.0/16]}'), { ciliumVersion: CiliumVersion.V1_18 }))[0];
    expect(two).toContain('cannot parse the CIDR "010.0.0.0/8" at spec.ingress[0].from[0].ipBlock.cidr (and 1 more) (rule.Sanitize');
  });

  test('a name, namespace or label the API server refuses: the policy is not in the cluster, so not enforced', () => {
    // The valid policy: api default-deny but for web.
    const valid = yamlSet(cnpText('foo-ingress-rule-1'));
    expect([verdict(valid, WEB, API, '80/TCP').allowed, verdict(valid, 'pod:default:app=db', API, '80/TCP').allowed]).toEqual([true, false]);
    expect(skipped(valid)).toEqual([]);
    for (const [text, id] of [
      [cnpText('fooIngressRule1'), 'crd-metadata-name'],
      [cnpText('foo_ingress'), 'crd-metadata-name'],
      [cnpText('p').replace('namespace: default}', 'namespace: default, labels: {"a b": x}}'), 'crd-metadata-labels'],
    ] as const) {
      const s = yamlSet(text);
      // Refused whole: api is selected by no imported rule, so db is allowed as web is (default allow).
      expect([verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed], text).toEqual([true, true]);
      expect(skipped(s)).toHaveLength(1);
      expect(skipped(s)[0]).toContain(`[${id}]`);
    }
  });

  test('a generateName the API server refuses (the name it makes is no DNS-1123 subdomain): not enforced; a valid one is', () => {
    const generated = (prefix: string): string => cnpText('p').replace('{name: p,', `{generateName: ${JSON.stringify(prefix)},`);
    for (const prefix of ['web-', 'web', 'a.b-']) {
      const s = yamlSet(generated(prefix));
      expect([verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed], prefix).toEqual([true, false]);
    }
    // Upper case; `-a` starts with a dash; `a.-` makes a label `-xxxxx` (apimachinery maskTrailingDash, then the generated name).
    for (const prefix of ['Web-', '-a', 'a.-', 'x'.repeat(254)]) {
      const s = yamlSet(generated(prefix));
      expect([verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed], prefix).toEqual([true, true]);
      expect(skipped(s)[0], prefix).toContain('at metadata.generateName [crd-metadata-name]');
    }
    const np = (prefix: string): PolicySet => PolicySet.fromYaml(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {generateName: ${JSON.stringify(prefix)}, namespace: default}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
`, { file: 'np.yaml' });
    expect([verdict(np('api-'), 'pod:default:app=db', API, '80/TCP').allowed, verdict(np('API-'), 'pod:default:app=db', API, '80/TCP').allowed])
      .toEqual([false, true]);
    expect(skipped(np('API-'))[0]).toContain('[k8s-np-metadata]');
  });

  test('annotation keys are checked lower-cased (ValidateAnnotations), label keys as written: a mixed-case annotation prefix is enforced', () => {
    const withMeta = (meta: string): PolicySet => yamlSet(cnpText('p').replace('namespace: default}', `namespace: default, ${meta}}`));
    const both = (s: PolicySet): boolean[] => [verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed];
    // Stored and enforced: db denied, no finding. `İ` and the Kelvin sign lower-case to `i` and `k` in Go.
    for (const meta of ['annotations: {Example.COM/owner: team-a}', 'annotations: {"EXAMPLE.com/Owner": x}', 'annotations: {"\u0130\u212A.io/x": v}']) {
      const s = withMeta(meta);
      expect(both(s), meta).toEqual([true, false]);
      expect(s.diagnostics, meta).toEqual([]);
    }
    // Refused whole, so not enforced: a key bad in any case, and a label key prefix in upper case.
    for (const [meta, id] of [
      ['annotations: {"bad key!": x}', 'crd-metadata-annotations'],
      ['annotations: {"Example.COM./owner": x}', 'crd-metadata-annotations'],
      ['annotations: {"\u00c9.io/x": v}', 'crd-metadata-annotations'],
      ['labels: {Example.COM/owner: team-a}', 'crd-metadata-labels'],
    ] as const) {
      const s = withMeta(meta);
      expect(both(s), meta).toEqual([true, true]);
      expect(skipped(s)[0], meta).toContain(`[${id}]`);
    }
  });

  test('a non-ASCII generateName is refused even beside a name (Go masks its trailing dash by bytes): not enforced', () => {
    const s = yamlSet(cnpText('api-ingress').replace('{name: api-ingress,', '{name: api-ingress, generateName: "web\u00e9-",'));
    expect([verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed]).toEqual([true, true]);
    expect(skipped(s)[0]).toContain('at metadata.generateName [crd-metadata-name]');
    const ok = yamlSet(cnpText('api-ingress').replace('{name: api-ingress,', '{name: api-ingress, generateName: "web-",'));
    expect([verdict(ok, WEB, API, '80/TCP').allowed, verdict(ok, 'pod:default:app=db', API, '80/TCP').allowed]).toEqual([true, false]);
  });

  test('a NetworkPolicy whose labels or annotations the API server refuses (ValidateObjectMeta) is not enforced; valid ones are', () => {
    const np = (meta: string): PolicySet => PolicySet.fromYaml(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: default, ${meta}}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
`, { file: 'np.yaml' });
    const both = (s: PolicySet): boolean[] => [verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed];
    for (const meta of ['labels: {team: a}', 'annotations: {Example.COM/owner: team-a}', 'labels: {quarantine: null}']) {
      const s = np(meta);
      expect(both(s), meta).toEqual([true, false]);
      expect(skipped(s), meta).toEqual([]);
    }
    for (const meta of ['labels: {"a b": x}', 'labels: {team: "a b"}', 'annotations: {"bad key!": yy}', `annotations: {big: ${'x'.repeat(256 * 1024)}}`]) {
      const s = np(meta);
      expect(both(s), meta.slice(0, 40)).toEqual([true, true]);
      expect(skipped(s)[0], meta.slice(0, 40)).toContain('[k8s-np-metadata]');
    }
  });

  test('a refused copy of a name replaces nothing: the stored policy of that name stays in force', () => {
    // `P` is refused (not stored), so it neither replaces `p` nor is enforced itself.
    const s = yamlSet(`${cnpText('p')}---
${cnpText('P').replace('app: web', 'app: db')}`);
    expect([verdict(s, WEB, API, '80/TCP').allowed, verdict(s, 'pod:default:app=db', API, '80/TCP').allowed]).toEqual([true, false]);
  });
});

describe('which later copy of an object replaces an earlier one: only one the API server stores', () => {
  const copy = (from: string, extra = ''): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: ${from}}}]
${extra}`;

  test('a later copy with an unknown field (pruned, stored) replaces the earlier', () => {
    const s = yamlSet(`${copy('web')}---\n${copy('db', '  bogus: 1\n')}`);
    expect(verdict(s, WEB, API, '80/TCP').allowed).toBe(false);
    expect(verdict(s, 'pod:default:app=db', API, '80/TCP').allowed).toBe(true);
  });

  test('a later copy the API server refuses (a value of the wrong type) does not: the earlier stays in force', () => {
    const s = yamlSet(`${copy('web')}---\n${copy('db', '  - fromEndpoints: [{matchLabels: {v: 1_000}}]\n')}`);
    expect(verdict(s, WEB, API, '80/TCP').allowed).toBe(true);
    expect(verdict(s, 'pod:default:app=db', API, '80/TCP').allowed).toBe(false);
  });
});
