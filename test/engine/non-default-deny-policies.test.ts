// The agent flag `enable-non-default-deny-policies` (Helm `enableNonDefaultDenyPolicies`, 1.17+, default on;
// PolicySetOptions.nonDefaultDenyPolicies, CLI `--no-non-default-deny-policies`). Off, the agent reads every rule as
// `enableDefaultDeny: true` in both directions (pkg/policy/api/rule_validation.go `Rule.Sanitize` on 1.17/1.18,
// pkg/k8s/apis/cilium.io/utils/utils.go `evaluateDefaultDenyForRule` from 1.19), and pkg/policy/repository.go
// `computePolicyEnforcementAndRules` makes a direction default deny wherever a selecting rule has rules of it.
// Truth tables of allowed and denied connections, per flag and version.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { CiliumPolicyError } from '../../src/core/errors';
import { PolicySetOptions } from '../../src/engine';
import { cli, cliAsync } from '../support/cli';
import { ccnp, cnp, judged, labels, policySet } from './helpers';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROMETHEUS = 'pod:monitoring:app=prometheus';
const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';
const DNS = 'pod:kube-system:k8s-app=kube-dns';
const WORLD = 'cidr:203.0.113.9';

const DOCS = [
  // A monitoring policy meant to add an allow, not to lock the namespace down.
  cnp('monitoring', {
    endpointSelector: {},
    enableDefaultDeny: { ingress: false },
    ingress: [{ fromEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'monitoring', app: 'prometheus' })], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }],
  }, 'shop'),
  // A cluster-wide DNS allow on egress, likewise; and a deny that holds either way.
  ccnp('dns', {
    endpointSelector: {},
    enableDefaultDeny: { egress: false },
    egress: [{ toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    egressDeny: [{ toCIDR: ['198.51.100.0/24'] }],
  }),
];

/** from, to, port → allowed with the flag on (the default) and off. */
const TABLE: readonly [string, string, string, { on: boolean; off: boolean }][] = [
  // api's ingress allows it either way; off, prometheus's own egress is default deny (the dns policy selects it).
  [PROMETHEUS, API, '9090/TCP', { on: true, off: false }],
  [PROMETHEUS, API, '80/TCP', { on: true, off: false }],
  [WEB, API, '9090/TCP', { on: true, off: false }],
  [WEB, API, '80/TCP', { on: true, off: false }],
  [WEB, DNS, '53/UDP', { on: true, off: true }],
  [WEB, WORLD, '443/TCP', { on: true, off: false }],
  [WEB, 'cidr:198.51.100.7', '443/TCP', { on: false, off: false }],
  // kube-dns's ingress: no rule with ingress rules selects it (monitoring is namespaced to shop): default allow either way.
  [API, DNS, '53/UDP', { on: true, off: true }],
];

const VERSIONS = [CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19];

function options(version: CiliumVersion, on: boolean | undefined): PolicySetOptions {
  return { ciliumVersion: version, ...(on === undefined ? {} : { nonDefaultDenyPolicies: on }) };
}

describe('enable-non-default-deny-policies (enableDefaultDeny read or ignored)', () => {
  for (const version of VERSIONS) {
    test(`truth table, ${version.release}`, () => {
      const unset = policySet(DOCS, options(version, undefined));
      const on = policySet(DOCS, options(version, true));
      const off = policySet(DOCS, options(version, false));
      for (const [from, to, port, allowed] of TABLE) {
        expect(judged(unset, from, to, port).allowed, `${version.release} unset ${from} → ${to} ${port}`).toBe(allowed.on);
        expect(judged(on, from, to, port).allowed, `${version.release} on ${from} → ${to} ${port}`).toBe(allowed.on);
        expect(judged(off, from, to, port).allowed, `${version.release} off ${from} → ${to} ${port}`).toBe(allowed.off);
      }
    });
  }

  test('off: the side is default deny, decided by the rule that was enableDefaultDeny false; on: the reason says what it assumes', () => {
    const off = judged(policySet(DOCS, options(CiliumVersion.V1_19, false)), WEB, API, 80);
    expect([off.ingress.decision, off.egress.decision]).toEqual(['default-deny', 'default-deny']);
    expect(off.ingress.reason).toBe('default deny: the agent runs with enable-non-default-deny-policies off, which ignores '
      + 'enableDefaultDeny.ingress: false (CiliumNetworkPolicy shop/monitoring spec); 1 rule with ingress rules selects pod:shop:app=api and '
      + 'none allows pod:shop:app=web on 80/TCP');
    expect(off.egress.reason).toContain('ignores enableDefaultDeny.egress: false (CiliumClusterwideNetworkPolicy dns spec)');
    // Beside a rule that is default deny itself, the flag decides nothing: the reason does not name it.
    const strict = cnp('strict', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] }, 'shop');
    const both = judged(policySet([...DOCS, strict], options(CiliumVersion.V1_19, false)), PROMETHEUS, API, 80);
    expect([both.ingress.decision, both.ingress.reason]).toEqual(['default-deny',
      'default deny: 2 rules with ingress rules select pod:shop:app=api and none allows pod:monitoring:app=prometheus on 80/TCP']);
    const scraped = judged(policySet(DOCS, options(CiliumVersion.V1_19, false)), PROMETHEUS, API, 9090);
    expect([scraped.ingress.allowed, scraped.ingress.decision, scraped.egress.decision]).toEqual([true, 'allowed', 'default-deny']);
    const on = judged(policySet(DOCS), WEB, API, 80);
    expect([on.ingress.decision, on.egress.decision]).toEqual(['non-default-deny-allow', 'non-default-deny-allow']);
    expect(on.ingress.reason).toContain('(read as the agent runs with enable-non-default-deny-policies, its default)');
    // 1.16 has no such flag: it reads enableDefaultDeny, and the reason does not name one.
    const v16 = judged(policySet(DOCS, { ciliumVersion: CiliumVersion.V1_16 }), WEB, API, 80);
    expect(v16.ingress.decision).toBe('non-default-deny-allow');
    expect(v16.ingress.reason).not.toContain('enable-non-default-deny-policies');
  });

  // 3,000 such CCNPs made a reason of 143 KB: the rules are named as listObjects names objects.
  test('off: the reason names the first rules whose enableDefaultDeny false the flag ignores, and how many more', () => {
    const docs = Array.from({ length: 300 }, (_, i) => ccnp(`allow-${i}`, { endpointSelector: labels({ app: 'api' }),
      enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [labels({ app: `client-${i}` })] }] }));
    const reason = judged(policySet(docs, options(CiliumVersion.V1_19, false)), WEB, API, 80).ingress.reason;
    expect(reason).toContain('ignores enableDefaultDeny.ingress: false (CiliumClusterwideNetworkPolicy allow-0 spec, '
      + 'CiliumClusterwideNetworkPolicy allow-1 spec, CiliumClusterwideNetworkPolicy allow-2 spec and 297 more); 300 rules with ingress rules select');
    expect(reason.length).toBeLessThan(400);
  });

  test('off: a direction without rules of it stays default allow (enableDefaultDeny alone enforces nothing)', () => {
    const docs = [cnp('p', { endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false, egress: false },
      ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] }, 'shop')];
    const off = policySet(docs, options(CiliumVersion.V1_18, false));
    expect(judged(off, 'pod:shop:app=other', API, 80).allowed).toBe(false);
    expect(judged(off, WEB, API, 80).allowed).toBe(true);
    // api's egress: no egress rules, so no default deny either way.
    expect(judged(off, API, WORLD, 443).egress.decision).toBe('no-policy-default-allow');
  });

  test('off: L7 rules restrict where the flag on gives them visibility only (1.18+ default-allow wildcard)', () => {
    const docs = [cnp('p', { endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] },
    'shop')];
    const on = policySet(docs, options(CiliumVersion.V1_18, undefined));
    const off = policySet(docs, options(CiliumVersion.V1_18, false));
    expect(judged(on, WEB, API, 80, { http: 'POST /' }).allowed).toBe(true);
    expect(judged(off, WEB, API, 80, { http: 'POST /' }).allowed).toBe(false);
    expect(judged(off, WEB, API, 80, { http: 'GET /' }).allowed).toBe(true);
  });

  test('refused: false before 1.17 (no such flag), and a value that is no boolean', () => {
    for (const version of [CiliumVersion.V1_16, CiliumVersion.V1_15]) {
      let error: unknown;
      try { policySet(DOCS, options(version, false)); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(CiliumPolicyError);
      expect((error as CiliumPolicyError).id).toBe('option-value');
      expect((error as CiliumPolicyError).message).toContain(`judged for Cilium ${version.release} (given: ciliumVersion, --cilium-version), `
        + 'which has no such flag: it was added in 1.17');
      // The flag on is what those agents do: accepted.
      expect(judged(policySet(DOCS, options(version, true)), WEB, API, 80).allowed).toBe(version.release === '1.16');
    }
    expect(() => policySet(DOCS, { nonDefaultDenyPolicies: 'false' as unknown as boolean })).toThrow(/nonDefaultDenyPolicies is a string/);
  });

  // Session 56 (seed 5601, compile.ts `defaultDenyIgnored`): only the flag off ignores enableDefaultDeny false. Before 1.16
  // the agent reads no enableDefaultDeny at all (its CRD prunes the field): the side is default deny because a rule with
  // ingress rules selects it, as for any rule, and its reason does not blame a flag those agents do not have.
  test('1.14 and 1.15: enableDefaultDeny false is not read, and the default deny is not said to come from the flag', () => {
    for (const version of [CiliumVersion.V1_14, CiliumVersion.V1_15]) {
      for (const on of [undefined, true]) {
        const v = judged(policySet(DOCS, options(version, on)), WEB, API, 80);
        expect([v.allowed, v.ingress.decision], version.release).toEqual([false, 'default-deny']);
        expect(v.ingress.reason).toBe('default deny: 1 rule with ingress rules selects pod:shop:app=api and none allows pod:shop:app=web on 80/TCP');
        // web's egress: the dns policy (enableDefaultDeny.egress false) is default deny there too, by its egress rules alone.
        expect(v.egress.decision).toBe('default-deny');
        expect(v.egress.reason).toMatch(/^default deny: 1 rule with egress rules selects pod:shop:app=web and none allows /);
        // The monitoring rule's own allow holds on ingress (its egress is default deny by the dns policy likewise).
        const scraped = judged(policySet(DOCS, options(version, on)), PROMETHEUS, API, 9090);
        expect([scraped.ingress.decision, scraped.egress.decision], version.release).toEqual(['allowed', 'default-deny']);
      }
    }
  });

  test('diff: the same policies with the flag off are compared pair by pair (a verdict setting)', () => {
    const base = policySet(DOCS);
    const head = policySet(DOCS, { nonDefaultDenyPolicies: false });
    const changes = base.diff(head).changes;
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.after === 'denied')).toBe(true);
    expect(changes.some((c) => c.from === 'shop/(other pods)' && c.to === 'shop/(other pods)')).toBe(true);
    expect(changes.some((c) => c.from === 'monitoring/app=prometheus' && c.to === 'world')).toBe(true);
    expect(base.diff(policySet(DOCS, { nonDefaultDenyPolicies: true })).changes).toEqual([]);
  });

  // Removing nonDefaultDenySetting(...) from replay, diff or report left every test green (report answered 49 allowed, not 43).
  test('CLI: report, diff and replay --no-non-default-deny-policies judge with the flag off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-ndd-'));
    try {
      const file = join(dir, 'p.yaml');
      writeFileSync(file, DOCS.map((d) => JSON.stringify(d)).join('\n---\n'));
      const allowedCount = (out: string): number => Number(/: (\d+) allowed connections/.exec(out)?.[1]);
      const reportOn = await cliAsync('report', '--policies', file);
      const reportOff = await cliAsync('report', '--policies', file, '--no-non-default-deny-policies');
      expect([reportOn.code, reportOff.code]).toEqual([0, 0]);
      expect(allowedCount(reportOff.stdout)).toBeLessThan(allowedCount(reportOn.stdout));
      // The monitoring policy removed: with the flag on it restricted nothing (no change in shop); off, it held shop in
      // default deny, and the head allows what it denied.
      const head = join(dir, 'head.yaml');
      writeFileSync(head, JSON.stringify(DOCS[1]));
      const diff = (...flag: string[]): Promise<{ code: number; stdout: string }> => cliAsync('diff', '--base', file, '--head', head,
        '--fail-on', 'allowed', ...flag);
      const [diffOn, diffOff] = [await diff(), await diff('--no-non-default-deny-policies')];
      expect(diffOn.code).toBe(0);
      expect(diffOff.code).toBe(1);
      expect(diffOff.stdout).toContain('newly allowed');
      // A connection the cluster forwarded: allowed with the flag on, dropped by the flag off.
      const flows = join(dir, 'flows.jsonl');
      const pod = (app: string, id: number): Record<string, unknown> => ({ ID: id, identity: 1000 + id, namespace: 'shop', pod_name: `${app}-1`,
        labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=default'] });
      writeFileSync(flows, `${JSON.stringify({ flow: { time: '2024-01-01T00:00:00Z', verdict: 'FORWARDED',
        IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' }, l4: { TCP: { source_port: 40000, destination_port: 80, flags: { SYN: true } } },
        source: pod('web', 1), destination: pod('api', 2), Type: 'L3_L4', node_name: 'n1', event_type: { type: 4 }, traffic_direction: 'INGRESS',
        is_reply: false } })}\n`);
      const replay = (...flag: string[]): Promise<{ code: number; stdout: string }> => cliAsync('replay', '--flows', flows, '--policies', file, ...flag);
      const [replayOn, replayOff] = [await replay(), await replay('--no-non-default-deny-policies')];
      expect(replayOn.stdout).toContain('0 would be dropped');
      expect(replayOff.stdout).toContain('1 would be dropped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('CLI: trace --no-non-default-deny-policies; refused before 1.17, naming where the version came from and the side of a diff', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-ndd-'));
    try {
      const file = join(dir, 'p.yaml');
      writeFileSync(file, DOCS.map((d) => JSON.stringify(d)).join('\n---\n'));
      const args = ['trace', '--policies', file, '--from', WEB, '--to', API, '--port', '80/TCP'];
      expect(cli(...args).code).toBe(0);
      const off = cli(...args, '--no-non-default-deny-policies');
      expect(off.code).toBe(1);
      expect(off.stdout).toMatch(/^DENIED/);
      // The JSON records the flag where the agent has it (1.17+), not on 1.16.
      const json = (...more: string[]): Record<string, unknown> => JSON.parse(cli(...args, '--output', 'json', ...more).stdout) as Record<string, unknown>;
      expect(json().nonDefaultDenyPolicies).toBe(true);
      expect(json('--no-non-default-deny-policies').nonDefaultDenyPolicies).toBe(false);
      expect('nonDefaultDenyPolicies' in json('--cilium-version', '1.16')).toBe(false);
      expect(cli('trace', '--help').stdout.replace(/\s+/g, ' ')).toContain('into default deny in each direction it has rules of');
      const old = cli(...args, '--no-non-default-deny-policies', '--cilium-version', '1.16');
      expect(old.code).toBe(2);
      expect(old.stderr).toContain('Cilium 1.16 (given: ciliumVersion, --cilium-version), which has no such flag');
      // A version read from the annotation names it and its file; a diff names the side judged for it.
      const annotated = (version: string): string => DOCS.map((d) => JSON.stringify({ ...d, metadata: { ...(d.metadata as object),
        annotations: { 'cdk8s-cilium.io/cilium-version': version } } })).join('\n---\n');
      const [base, head] = [join(dir, 'base.yaml'), join(dir, 'head.yaml')];
      writeFileSync(base, annotated('1.16'));
      writeFileSync(head, annotated('1.18'));
      const traced = cli('trace', '--policies', base, '--from', WEB, '--to', API, '--port', '80/TCP', '--no-non-default-deny-policies');
      expect(traced.code).toBe(2);
      expect(traced.stderr).toMatch(/judged for Cilium 1\.16 \(the annotation cdk8s-cilium\.io\/cilium-version of CiliumNetworkPolicy shop\/monitoring \(.*base\.yaml\)\)/);
      expect(traced.stderr).toContain('if the cluster runs 1.17 or newer, judge for that version');
      const diffed = await cliAsync('diff', '--base', base, '--head', head, '--no-non-default-deny-policies');
      expect(diffed.code).toBe(2);
      expect(diffed.stderr).toContain('[--base] PolicySet: nonDefaultDenyPolicies is false');
      expect(diffed.stderr).toContain('in a diff it judges both --base and --head for it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
