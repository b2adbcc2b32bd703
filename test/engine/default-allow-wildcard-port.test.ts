// L7 rules of an endpoint in default-allow mode on Cilium 1.16-1.17 (every selecting rule has `enableDefaultDeny: false` in
// that direction). The agent adds a wildcard rule that allows every peer on every port (pkg/policy/repository.go
// `computePolicyEnforcementAndRules` → `wildcardRule`: `FromEntities`/`ToEntities: [all]`, no `toPorts`), and that
// L3-only rule reaches Envoy as an allow-all on the wildcard port (pkg/envoy/server.go `getDirectionNetworkPolicy`: "L3-only
// rule, must generate L7 allow-all in case there are other port-specific rules", `getWildcardNetworkPolicyRule`), which
// Envoy consults beside the port's own rules (cilium/proxy `PortNetworkPolicy`: "Check for any rules that wildcard the
// port"). So HTTP and Kafka rules refuse nothing there, as beside a written `fromEntities: [all]`; the DNS proxy reads the
// rules of the lookup's own port only (pkg/fqdn/dnsproxy `CheckAllowed`), so DNS rules refuse (issue #38676) on the patches
// before #38841's backports only (1.16.0-1.16.9, 1.17.0-1.17.4): such a lookup is not judged. From
// 1.18 every kind is visibility only (PR #38841); with a selecting rule that enables default deny, the rules restrict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet, SideDecision } from '../../src/engine';
import { cli } from '../support/cli';
import { thrown } from '../support/errors';
import { cnp, judged, labels, matcherQuery, policySet } from './helpers';

const API = 'pod:default:app=api';
const WEB = 'pod:default:app=web';
const OTHER = 'pod:default:app=other';
const DNS = 'pod:kube-system:k8s-app=kube-dns';
const BEFORE_18 = [CiliumVersion.V1_16, CiliumVersion.V1_17];

const httpItem = { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/a' }] } }] };
const kafkaItem = { fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'plans' }] } }] };
const noDefaultDeny = (...items: Record<string, unknown>[]): Record<string, unknown> =>
  cnp('p', { endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false }, ingress: items });
const enablesDefaultDeny = cnp('dd', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'x' })] }] });

describe.each(BEFORE_18)('Cilium %s: HTTP and Kafka rules beside the wildcard rule of default-allow mode', (version) => {
  const set = policySet([noDefaultDeny(httpItem, kafkaItem)], { ciliumVersion: version });

  test('a request the HTTP rules do not match is allowed, visibility only, named by the item and the wildcard port', () => {
    const v = judged(set, WEB, API, 80, { http: 'POST /b' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress).toMatchObject({ decision: SideDecision.ALLOWED, allowed: true, rule: { path: 'spec.ingress[0]' } });
    expect(v.ingress.reason).toBe('allowed by CiliumNetworkPolicy default/p spec.ingress[0] '
      + '(L7 HTTP rules are visibility only beside the wildcard rule of default-allow mode)');
    expect(v.ingress.l7).toEqual({
      protocol: 'http', result: 'allowed', rules: ['GET /a'], matched: '(allow-all of the wildcard port)', visibilityOnly: true,
      reason: `no policy selecting ${API} enables default deny on ingress, so Cilium ${version} adds a wildcard rule (fromEntities: [all], every port), `
        + 'and Envoy also consults the rules of the wildcard port: these HTTP rules give visibility only',
    });
  });

  test('a Kafka request the rules do not match is allowed too; a matching one and other peers and ports as before', () => {
    expect(judged(set, WEB, API, 9092, { kafka: 'produce other' }).ingress).toMatchObject({ decision: SideDecision.ALLOWED, l7: { protocol: 'kafka', visibilityOnly: true } });
    expect(judged(set, WEB, API, 80, { http: 'GET /a' }).ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, OTHER, API, 80, { http: 'POST /b' }).ingress.decision).toBe(SideDecision.NON_DEFAULT_DENY_ALLOW);
    expect(judged(set, WEB, API, 81).ingress.decision).toBe(SideDecision.NON_DEFAULT_DENY_ALLOW);
  });

  test('the same verdict as the wildcard rule written out (fromEntities: [all] beside the rules, default deny)', () => {
    const written = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [httpItem, kafkaItem, { fromEntities: ['all'] }] })],
      { ciliumVersion: version });
    expect(judged(written, WEB, API, 80, { http: 'POST /b' }).verdict).toBe('allowed');
    expect(judged(written, WEB, API, 9092, { kafka: 'produce other' }).verdict).toBe('allowed');
  });

  test('denied once a selecting rule enables default deny: there is no wildcard rule', () => {
    const enforcing = policySet([noDefaultDeny(httpItem, kafkaItem), enablesDefaultDeny], { ciliumVersion: version });
    expect(judged(enforcing, WEB, API, 80, { http: 'POST /b' }).ingress).toMatchObject({ decision: SideDecision.L7_DENIED, l7: { result: 'denied' } });
    expect(judged(enforcing, WEB, API, 9092, { kafka: 'produce other' }).ingress.decision).toBe(SideDecision.L7_DENIED);
    expect(judged(enforcing, WEB, API, 80, { http: 'GET /a' }).ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(enforcing, OTHER, API, 80, { http: 'GET /a' }).ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  // Review mends (session 52): #38841 was backported (#39382 [1.16], #39375 [1.17]; PR #40441: "The fix was backported to
  // v1.17.5 and v1.16.10"), so these DNS rules refuse an unlisted name on 1.16.0-1.16.9 and 1.17.0-1.17.4 only; the target
  // version names no patch. Before: such a lookup was "L7 denied (DNS REFUSED)", no caveat, and `toDeny` passed on it.
  const dnsPolicy = (...extra: Record<string, unknown>[]): PolicySet => policySet([cnp('p', {
    endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
    egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
  }), ...extra], { ciliumVersion: version });

  test('DNS rules: an unlisted name is refused on the earlier patches only, so the lookup is not judged (the verdict notes it)', () => {
    const dns = dnsPolicy();
    const v = judged(dns, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(v.egress).toMatchObject({ decision: SideDecision.L7_DENIED, l7: { protocol: 'dns', result: 'denied' } });
    expect(v.egress.notes).toContainEqual(expect.stringMatching(/^on Cilium 1\.16\.0-1\.16\.9 and 1\.17\.0-1\.17\.4 the DNS proxy refuses .* from 1\.16\.10 and 1\.17\.5 .*this lookup is not judged; fix: give the patch release the cluster runs/));
    const query = matcherQuery(dns, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(dns._dnsPatchSplit(query)?.message).toContain(`the target version ${version} names no patch, so this lookup is not judged`);
    for (const call of [
      (): unknown => expect(dns).toDeny(WEB, DNS, '53/UDP', { dns: 'b.example.com' }),
      (): unknown => expect(dns).toAllow(WEB, DNS, '53/UDP', { dns: 'b.example.com' }),
    ]) {
      const e = thrown(call);
      expect(e.id).toBe('engine-dns-patch-split');
      expect(e.message).toMatch(/^to(Deny|Allow)\(\) pod:default:app=web → pod:kube-system:k8s-app=kube-dns: the client pod:default:app=web looks up b\.example\.com: no policy selecting it enables default deny on egress, and on Cilium 1\.16\.0-1\.16\.9 /);
      expect(e.fix).toContain('add `matchPattern: "*"` for visibility only');
    }
    // The listed name is allowed on every patch: judged. Any other connection of the pod is judged.
    expect(dns._dnsPatchSplit(matcherQuery(dns, WEB, DNS, '53/UDP', { dns: 'a.example.com' }))).toBeUndefined();
    expect(dns).toAllow(WEB, DNS, '53/UDP', { dns: 'a.example.com' });
    expect(dns).toAllow(WEB, API, 80);
  });

  test('DNS rules: judged once a selecting rule enables default deny on egress (refused on every patch), or with matchPattern "*"', () => {
    const enforcing = dnsPolicy(cnp('dd', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [labels({ app: 'api' })] }] }));
    expect(enforcing._dnsPatchSplit(matcherQuery(enforcing, WEB, DNS, '53/UDP', { dns: 'b.example.com' }))).toBeUndefined();
    expect(enforcing).toDeny(WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(judged(enforcing, WEB, DNS, '53/UDP', { dns: 'b.example.com' }).egress.notes.join('\n')).not.toContain('1.16.0-1.16.9');
    const every = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }, { matchPattern: '*' }] } }] }],
    })], { ciliumVersion: version });
    expect(every).toAllow(WEB, DNS, '53/UDP', { dns: 'b.example.com' });
  });

  test('trace exits 2 on the unlisted name (engine-dns-patch-split), 0 on the listed one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fidfix-'));
    try {
      const file = join(dir, 'p.yaml');
      writeFileSync(file, JSON.stringify(cnp('p', {
        endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
        egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
      })));
      const args = ['--policies', file, '--from', WEB, '--to', DNS, '--cilium-version', String(version)];
      const refused = cli('trace', ...args, '--dns', 'b.example.com');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('engine-dns-patch-split');
      expect(refused.stdout).toBe('');
      expect(cli('trace', ...args, '--dns', 'a.example.com').code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Cilium 1.18: DNS rules in default-allow mode are visibility only on every patch (judged)', () => {
  test('an unlisted name is allowed, and not refused as patch-dependent', () => {
    const dns = policySet([cnp('p', {
      endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
    })], { ciliumVersion: CiliumVersion.V1_18 });
    expect(dns).toAllow(WEB, DNS, '53/UDP', { dns: 'b.example.com' });
  });
});

// Session 53: the target version may name its patch release (`CiliumVersion.parse('1.17.4')`, `--cilium-version 1.17.4`); then
// the DNS rules of a direction without default deny are judged for it: they refuse an unlisted name on 1.16.0-1.16.9 and
// 1.17.0-1.17.4 (pkg/fqdn/dnsproxy CheckAllowed, issue #38676) and give visibility only from 1.16.10 and 1.17.5 (#38841
// backported in #39382/#39375: pkg/policy/l4.go createL4Filter adds `matchPattern: "*"`). Before: the patch was ignored
// (`1.17.4` read as 1.17) and such a lookup was refused as engine-dns-patch-split on every 1.16/1.17 target.
describe('a 1.16/1.17 patch release: the DNS rules of a direction without default deny are judged for it', () => {
  const dnsSet = (release: string): PolicySet => policySet([cnp('p', {
    endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
    egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
  }), cnp('http', { endpointSelector: labels({ app: 'api' }), enableDefaultDeny: { ingress: false }, ingress: [httpItem] })],
  { ciliumVersion: CiliumVersion.parse(release) });

  test.each(['1.16.0', '1.16.9', '1.17.0', '1.17.4', 'v1.17.4'])('%s (before the backport): an unlisted name is refused (DNS REFUSED), judged', (release) => {
    const set = dnsSet(release);
    const v = judged(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.egress).toMatchObject({ decision: SideDecision.L7_DENIED, l7: { protocol: 'dns', result: 'denied' } });
    expect(v.egress.notes.join('\n')).not.toContain('not judged');
    expect(set._dnsPatchSplit(matcherQuery(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' }))).toBeUndefined();
    expect(set).toDeny(WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(set).toAllow(WEB, DNS, '53/UDP', { dns: 'a.example.com' });
    // HTTP rules stay visibility only through the wildcard port; the egress of the pod can drop (the DNS rules).
    expect(judged(set, WEB, API, 80, { http: 'POST /b' }).ingress.l7).toMatchObject({ matched: '(allow-all of the wildcard port)', visibilityOnly: true });
    expect(set._canDrop(set.endpoint(WEB), 'egress', false)).toBe(true);
  });

  test.each(['1.16.10', '1.17.5', '1.17.12'])('%s (from the backport): an unlisted name is allowed, visibility only, judged', (release) => {
    const set = dnsSet(release);
    const v = judged(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(v.verdict).toBe('allowed');
    expect(v.egress.l7).toMatchObject({ protocol: 'dns', result: 'allowed', matched: '(allow-all)', visibilityOnly: true });
    expect(v.egress.l7?.reason).toBe(`no policy selecting ${WEB} enables default deny on egress, so Cilium ${release} adds an allow-all to these DNS rules: `
      + 'they give visibility only');
    expect(set._dnsPatchSplit(matcherQuery(set, WEB, DNS, '53/UDP', { dns: 'b.example.com' }))).toBeUndefined();
    expect(set).toAllow(WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    expect(judged(set, WEB, API, 80, { http: 'POST /b' }).ingress.l7).toMatchObject({ matched: '(allow-all)', visibilityOnly: true });
    expect(set._canDrop(set.endpoint(WEB), 'egress')).toBe(false);
  });

  test('with a selecting rule that enables default deny on egress, every patch refuses the unlisted name', () => {
    for (const release of ['1.17.4', '1.17.5']) {
      const set = policySet([cnp('p', {
        endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
        egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
      }), cnp('dd', { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [labels({ app: 'api' })] }] })],
      { ciliumVersion: CiliumVersion.parse(release) });
      expect(set).toDeny(WEB, DNS, '53/UDP', { dns: 'b.example.com' });
    }
  });

  test('trace --cilium-version 1.17.4 / v1.17.5 judges the unlisted name (denied, allowed); 1.17 refuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'patch-'));
    try {
      const file = join(dir, 'p.yaml');
      writeFileSync(file, JSON.stringify(cnp('p', {
        endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
        egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }],
      })));
      const args = (version: string): string[] => ['--policies', file, '--from', WEB, '--to', DNS, '--dns', 'b.example.com', '--cilium-version', version];
      const early = cli('trace', ...args('1.17.4'));
      expect(early.stderr).toBe('');
      expect(early.stdout).toContain('L7 denied (DNS REFUSED)');
      const late = cli('trace', ...args('v1.17.5'));
      expect(late.code).toBe(0);
      expect(late.stdout).toContain('Cilium 1.17.5 adds an allow-all to these DNS rules');
      expect(cli('trace', ...args('1.17')).stderr).toContain('engine-dns-patch-split');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
