// A change of only the addresses or ICMP types of an IP family the diff judges without (IPv4 only, the default) changed
// no verdict: the classes carry none of its addresses. Session 46: it was a silent "no change" (exit 0 with --fail-on);
// now NOT COMPARED, counted by --fail-on, naming --ip-families. A family given off (--ip-families) is off in Cilium: inert.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CiliumVersion, Connectivity, PolicySet } from '../../src';
import { IpFamilies } from '../../src/engine';
import { cliAsync } from '../support/cli';
import { diffLines } from './support';

const egress = (peer: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - ${peer}
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;
const ingressIcmp = (type: number, family: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: a } }]
    icmps: [{ fields: [{ type: ${type}, family: ${family} }] }]
`;
const FAMILY_NOTE = 'rules naming addresses or ICMP types of an IP family the cluster is judged without (--ip-families: the endpoint classes carry none of its addresses)';

describe('changes of an IP family the diff judges without', () => {
  test('an IPv6 block moved, judged IPv4-only: NOT COMPARED, either way; judged dual-stack: the change itself', () => {
    const base = egress('toCIDR: ["2001:db8::/64"]');
    const head = egress('toCIDR: ["2001:db8:1::/64"]');
    const v4 = diffLines(base, head);
    expect(v4.lines).toEqual([]);
    expect(v4.doc.notCompared?.map((n) => [n.text.replace(/ differ between.*/, ''), n.mayAllow, n.mayDeny])).toEqual([[FAMILY_NOTE, true, true]]);
    expect(v4.doc.notCompared?.[0].text).toContain('(1 added, 1 removed): the connections they decide are not compared; diff with --ip-families dual');
    const dual = diffLines(base, head, { ipFamilies: IpFamilies.DUAL });
    expect(dual.lines).toEqual(['+ prod/app=web → world 2001:db8:1::/64 443/TCP', '- prod/app=web → world 2001:db8::/64 443/TCP']);
    expect(dual.doc.notCompared).toBeUndefined();
  });

  test('an ICMPv6 type changed, judged IPv4-only: NOT COMPARED', () => {
    const { lines, doc } = diffLines(ingressIcmp(128, 'IPv6'), ingressIcmp(129, 'IPv6'));
    expect(lines).toEqual([]);
    expect(doc.notCompared?.map((n) => n.text.replace(/ differ between.*/, ''))).toEqual([FAMILY_NOTE]);
  });

  test('families given (IPv6-only, IPv4-only): the other family is off in the agent, its rules inert: no change, nothing left out', () => {
    // Session 46 review: a family the user says is off was NOT COMPARED as if unknown (exit 1 under --fail-on any).
    const v6 = diffLines(egress('toCIDR: ["203.0.113.0/24"]'), egress('toCIDR: ["198.51.100.0/24"]'), { ipFamilies: IpFamilies.IPV6 });
    expect([v6.lines, v6.doc.notCompared]).toEqual([[], undefined]);
    const v4 = diffLines(egress('toCIDR: ["10.0.0.0/8"]'), egress('toCIDR: ["10.0.0.0/8", "2001:db8::/64"]'), { ipFamilies: IpFamilies.IPV4 });
    expect([v4.lines, v4.doc.notCompared]).toEqual([[], undefined]);
  });

  test('the CLI: --ip-families ipv4 given → exit 0 under --fail-on any; left to the default → NOT COMPARED, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-family-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), egress('toCIDR: ["10.0.0.0/8"]'));
      writeFileSync(join(dir, 'b.yaml'), egress('toCIDR: ["10.0.0.0/8", "2001:db8::/64"]'));
      const args = ['diff', '--base', join(dir, 'a.yaml'), '--head', join(dir, 'b.yaml'), '--fail-on', 'any'];
      const given = await cliAsync(...args, '--ip-families', 'ipv4');
      expect([given.code, given.stdout]).toEqual([0, expect.not.stringContaining('NOT COMPARED')]);
      const defaulted = await cliAsync(...args);
      expect([defaulted.code, defaulted.stdout]).toEqual([1, expect.stringContaining(FAMILY_NOTE)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('IPv6 except holes reordered, judged IPv4-only: no change, nothing left out (the holes are a set)', () => {
    const a = diffLines(egress('toCIDRSet: [{ cidr: "2001:db8::/32", except: ["2001:db8:1::/48", "2001:db8:2::/48"] }]'),
      egress('toCIDRSet: [{ cidr: "2001:db8::/32", except: ["2001:db8:2::/48", "2001:db8:1::/48"] }]'));
    expect([a.lines, a.doc.notCompared]).toEqual([[], undefined]);
  });

  test('guard: no change at all, or a change of the family judged only, says nothing of the other family', () => {
    expect(diffLines(egress('toCIDR: ["2001:db8::/64"]'), egress('toCIDR: ["2001:db8::/64"]')).doc.notCompared).toBeUndefined();
    const v4 = diffLines(egress('toCIDR: ["203.0.113.0/24"]'), egress('toCIDR: ["198.51.100.0/24"]'));
    expect(v4.lines).toEqual(['+ prod/app=web → world 198.51.100.0/24 443/TCP', '- prod/app=web → world 203.0.113.0/24 443/TCP']);
    expect(v4.doc.notCompared).toBeUndefined();
  });
});

// Session 49: the world entity (and `all`, and an item without a peer) selects the outside addresses of every family
// (pkg/policy/api/entity.go `EntitySelectorMapping`: world → reserved:world, world-ipv4, world-ipv6); a rule naming a /0
// splits the world classes by family, and judged IPv4-only the IPv6 one is left out. A move between them was "no change",
// exit 0 under --fail-on allowed, though a dual-stack cluster newly lets the pod reach the IPv6 world. Review mends: the
// IPv6 world is judged as --ip-families dual judges it (a hidden class), so what decides it — a cidrGroupSelector of no
// group label, a /0 the agent reads as the world of every family (1.14) — is seen, and a change that leaves it alone is
// no note (an edit of a world item elsewhere, an unrelated /0; on 1.14 a /0 is the world of both families already).
describe('the world of every family beside a /0, judged for one family', () => {
  const WORLDS_NOTE = 'judged for the IP family of the cluster only (the families are defaulted: --ip-families), the outside addresses of the other '
    + '(world (IPv6), which a dual-stack cluster has: the world entity, all, an item without a peer and a cidrGroupSelector of no group label '
    + 'select them, a /0 of that family does) are decided differently by base and head';
  const notes = (d: ReturnType<typeof diffLines>): unknown => d.doc.notCompared?.map((n) => [n.text.replace(/ \(\+ .*| \(- .*/, ''), n.mayAllow, n.mayDeny]);
  const GROUP = 'apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: { name: g1, labels: { team: a } }\nspec:\n  externalCIDRs: ["192.0.2.0/24"]\n---\n';
  const twoItems = (first: string, second: string): string => `${egress(first)}  - ${second}\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]\n`;

  test('toCIDR 0.0.0.0/0 → toEntities world: NOT COMPARED as an allow (dual-stack: the IPv6 world newly allowed); back: as a deny', () => {
    const v4 = diffLines(egress('toCIDR: ["0.0.0.0/0"]'), egress('toEntities: [world]'));
    expect(v4.lines).toEqual([]);
    expect(notes(v4)).toEqual([[WORLDS_NOTE, true, false]]);
    expect(v4.doc.notCompared?.[0].text).toContain('(+ prod/app=web → world (IPv6) 443/TCP): the connections are not compared; diff with --ip-families dual');
    expect(diffLines(egress('toCIDR: ["0.0.0.0/0"]'), egress('toEntities: [world]'), { ipFamilies: IpFamilies.DUAL }).lines)
      .toEqual(['+ prod/app=web → world (IPv6) 443/TCP']);
    expect(notes(diffLines(egress('toEntities: [world]'), egress('toCIDR: ["0.0.0.0/0"]')))).toEqual([[WORLDS_NOTE, false, true]]);
    expect(diffLines(egress('toEntities: [world]'), egress('toCIDR: ["0.0.0.0/0"]'), { ipFamilies: IpFamilies.DUAL }).lines)
      .toEqual(['- prod/app=web → world (IPv6) 443/TCP']);
  });

  test('a cidrGroupSelector of no group label selects the IPv6 world too (newCIDRRuleSelector): noted as an allow', () => {
    const base = GROUP + twoItems('toCIDR: ["0.0.0.0/0"]', 'toEntities: [cluster]');
    const head = GROUP + egress('toCIDRSet: [{ cidrGroupSelector: {} }]');
    const v4 = diffLines(base, head);
    expect(v4.lines).toEqual([]);
    expect(notes(v4)).toEqual([[WORLDS_NOTE, true, false]]);
    expect(diffLines(base, head, { ipFamilies: IpFamilies.DUAL }).lines).toEqual(['+ prod/app=web → world (IPv6) 443/TCP']);
  });

  test('Cilium 1.14: a /0 without except is the world of every family; with except, of its own: noted as an allow', () => {
    const base = twoItems('toCIDRSet: [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }]', 'toCIDR: ["10.0.0.0/8"]');
    const head = egress('toCIDR: ["0.0.0.0/0"]');
    const v4 = diffLines(base, head, { ciliumVersion: CiliumVersion.V1_14 });
    expect(v4.lines).toEqual([]);
    expect(notes(v4)).toEqual([[WORLDS_NOTE, true, false]]);
    expect(diffLines(base, head, { ciliumVersion: CiliumVersion.V1_14, ipFamilies: IpFamilies.DUAL }).lines)
      .toEqual(['+ prod/app=web → world (IPv6) 443/TCP']);
    // There toCIDR 0.0.0.0/0 and the world entity both select reserved:world: no change, no note.
    const same = diffLines(egress('toCIDR: ["0.0.0.0/0"]'), egress('toEntities: [world]'), { ciliumVersion: CiliumVersion.V1_14 });
    expect([same.lines, same.doc.notCompared]).toEqual([[], undefined]);
  });

  // Session 50 (mutation seed 5050, other-family-world.ts `allows`): a connection allowed on both sides whose L7 rules
  // changed counts as an allow only if head's rules may let more through (`l7MayAllow`), not because it stays allowed.
  test('HTTP rules of a world item narrowed beside an unrelated /0: the IPv6 world noted as a deny only; widened: an allow only', () => {
    const other = '---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: other, namespace: team-b }\nspec:\n'
      + '  endpointSelector: { matchLabels: { app: batch } }\n  egress:\n  - toCIDR: ["0.0.0.0/0"]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
    const http = (paths: string[]): string => egress('toEntities: [world]').replace('{ port: "443", protocol: TCP }] }',
      `{ port: "443", protocol: TCP }], rules: { http: [${paths.map((p) => `{ method: GET, path: "${p}" }`).join(', ')}] } }`) + other;
    const narrowed = diffLines(http(['/a', '/b']), http(['/a']));
    expect(narrowed.lines.map((l) => l.slice(0, 2))).toEqual(['~ ']);
    const flags = (d: ReturnType<typeof diffLines>): unknown => d.doc.notCompared?.map((n) => [n.text.includes('(~ prod/app=web → world (IPv6) 443/TCP)'),
      n.mayAllow, n.mayDeny]);
    expect(flags(narrowed)).toEqual([[true, false, true]]);
    expect(flags(diffLines(http(['/a']), http(['/a', '/b'])))).toEqual([[true, true, false]]);
  });

  test('a port taken from a world item beside an unrelated /0: the IPv6 world loses it too, a deny only (no allow counted)', () => {
    const other = '---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: other, namespace: team-b }\nspec:\n'
      + '  endpointSelector: { matchLabels: { app: batch } }\n  egress:\n  - toCIDR: ["0.0.0.0/0"]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
    const base = egress('toEntities: [world]').replace('{ port: "443", protocol: TCP }', '{ port: "443", protocol: TCP }, { port: "80", protocol: TCP }') + other;
    const head = egress('toEntities: [world]') + other;
    const v4 = diffLines(base, head);
    expect(v4.lines).toEqual(['- prod/app=web → world (IPv4) 80/TCP']);
    expect(notes(v4)).toEqual([[WORLDS_NOTE, false, true]]);
    // The unrelated /0 alone, changed in no way that reaches the IPv6 world: no note.
    const same = diffLines(egress('toEntities: [world]') + other, egress('toEntities: [world]') + other.replace('"22"', '"2222"'));
    expect([same.lines, same.doc.notCompared]).toEqual([['+ team-b/app=batch → world (IPv4) 2222/TCP', '- team-b/app=batch → world (IPv4) 22/TCP'], undefined]);
  });

  test('the CLI: --fail-on allowed fails on it; with --ip-families ipv4 given the IPv6 world is off: exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-family-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), egress('toCIDR: ["0.0.0.0/0"]'));
      writeFileSync(join(dir, 'b.yaml'), egress('toEntities: [world]'));
      const args = ['diff', '--base', join(dir, 'a.yaml'), '--head', join(dir, 'b.yaml'), '--fail-on', 'allowed'];
      const defaulted = await cliAsync(...args);
      expect([defaulted.code, defaulted.stdout]).toEqual([1, expect.stringContaining(WORLDS_NOTE)]);
      const given = await cliAsync(...args, '--ip-families', 'ipv4');
      expect([given.code, given.stdout]).toEqual([0, expect.not.stringContaining('NOT COMPARED')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the CLI: the group selector of no label fails --fail-on allowed; a port taken from a world item does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-family-'));
    try {
      const other = '---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: other, namespace: team-b }\nspec:\n'
        + '  endpointSelector: { matchLabels: { app: batch } }\n  egress:\n  - toCIDR: ["0.0.0.0/0"]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
      writeFileSync(join(dir, 'gb.yaml'), GROUP + twoItems('toCIDR: ["0.0.0.0/0"]', 'toEntities: [cluster]'));
      writeFileSync(join(dir, 'gh.yaml'), GROUP + egress('toCIDRSet: [{ cidrGroupSelector: {} }]'));
      writeFileSync(join(dir, 'wb.yaml'), egress('toEntities: [world]').replace('{ port: "443", protocol: TCP }', '{ port: "443", protocol: TCP }, { port: "80", protocol: TCP }') + other);
      writeFileSync(join(dir, 'wh.yaml'), egress('toEntities: [world]') + other);
      const run = (b: string, h: string): Promise<{ code: number; stdout: string }> => cliAsync('diff', '--base', join(dir, b), '--head', join(dir, h), '--fail-on', 'allowed');
      const group = await run('gb.yaml', 'gh.yaml');
      expect([group.code, group.stdout]).toEqual([1, expect.stringContaining('(+ prod/app=web → world (IPv6) 443/TCP)')]);
      const narrowed = await run('wb.yaml', 'wh.yaml');
      expect([narrowed.code, narrowed.stdout]).toEqual([0, expect.stringContaining('(- prod/app=web → world (IPv6) 80/TCP)')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an IPv6 CIDR hole of a ::/0 set, newly allowed by the world entity: judged with the IPv6 world, noted as an allow', () => {
    // Session 49 review: only the `world (IPv6)` class was judged apart, so `world 2001:db8::/32` (denied in base by the
    // except hole, allowed in head by toEntities world) was dropped: "no connectivity change", exit 0 under --fail-on allowed.
    const base = twoItems('toCIDR: ["0.0.0.0/0"]', 'toCIDRSet: [{ cidr: "::/0", except: ["2001:db8::/32"] }]');
    const head = twoItems('toEntities: [world]', 'toCIDRSet: [{ cidr: "::/0", except: ["2001:db8::/32"] }]');
    const dual = diffLines(base, head, { ipFamilies: IpFamilies.DUAL });
    expect(dual.lines).toEqual(['+ prod/app=web → world 2001:db8::/32 443/TCP']);
    const v4 = diffLines(base, head);
    expect(v4.lines).toEqual([]);
    expect(notes(v4)).toEqual([[WORLDS_NOTE, true, false]]);
    expect(v4.doc.notCompared?.[0].text).toContain('(+ prod/app=web → world 2001:db8::/32 443/TCP)');
    // Back: the hole denied again, a deny only.
    expect(notes(diffLines(head, base))).toEqual([[WORLDS_NOTE, false, true]]);
  });

  test('toFQDNs added beside toCIDR 0.0.0.0/0: the IPv6 answers are not compared, defaulted or dual-stack: noted as an allow', () => {
    // Session 49 review: the fqdn: classes stand at an IPv4 address, which 0.0.0.0/0 allows on both sides, so "no connectivity
    // change" (exit 0) though a dual-stack agent labels AAAA answers world-ipv6 (pkg/labels GetCIDRLabels), which 0.0.0.0/0 does
    // not select from 1.15: the pattern newly allows them.
    const dns = 'toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]\n'
      + '    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]\n';
    const base = `${egress('toCIDR: ["0.0.0.0/0"]').replace(/ {4}toPorts: .*\n/, '')}  - ${dns}`;
    const head = `${base}  - toFQDNs: [{ matchPattern: "*" }]\n`;
    const FQDN_NOTE = 'toFQDNs rules beside a rule naming a /0 (the fqdn: classes carry an address of one IP family, while a /0 selects the answers '
      + 'of its own family only: a dual-stack cluster\'s AAAA answers are world-ipv6 CIDR identities) differ between base and head (1 added)';
    for (const options of [{}, { ipFamilies: IpFamilies.DUAL }]) {
      const d = diffLines(base, head, options);
      expect(d.lines).toEqual([]);
      expect(d.doc.notCompared?.map((n) => [n.text.replace(/: the connections.*/, ''), n.mayAllow, n.mayDeny])).toEqual([[FQDN_NOTE, true, false]]);
    }
    expect(diffLines(head, base).doc.notCompared?.map((n) => [n.mayAllow, n.mayDeny])).toEqual([[false, true]]);
    // The families given as IPv4 only: the cluster has no AAAA answers to reach; without a /0, one world class: no note.
    expect(diffLines(base, head, { ipFamilies: IpFamilies.IPV4 }).doc.notCompared).toBeUndefined();
    const noSlash0 = (t: string): string => t.replace('toCIDR: ["0.0.0.0/0"]', 'toCIDR: ["192.0.2.0/24"]');
    expect(diffLines(noSlash0(base), noSlash0(head)).doc.notCompared).toBeUndefined();
  });

  test('guard: without a /0 the one world class decides both families alike: a change of a world item is shown, with no note', () => {
    const d = diffLines(egress('toEntities: [world]'), egress('toEntities: [world]').replace('"443"', '"8443"'));
    expect(d.lines).toEqual(['+ prod/app=web → world 8443/TCP', '- prod/app=web → world 443/TCP']);
    expect(d.doc.notCompared).toBeUndefined();
  });
});

// Session 50 review: from Cilium 1.15 a single-stack agent labels an outside address reserved:world, a dual-stack one
// reserved:world-ipv4 (pkg/labels/cidr.go `AddWorldLabel`), so a selector of reserved:world selects the IPv4 world of one
// only. Judged with the families defaulted, reserved:world → toCIDR 0.0.0.0/0 was "no connectivity change", exit 0 under
// --fail-on allowed, though a dual-stack cluster newly lets the pod reach the IPv4 world. Now the judged family's world
// (and FQDN) classes are judged dual-stack too, and where that reading differs from the changes shown, noted.
describe('the judged family\'s world as a dual-stack cluster labels it (session 50 review)', () => {
  const RESERVED_WORLD = 'toEndpoints: [{ matchLabels: { "reserved:world": "" } }]';
  const JUDGED_NOTE = 'judged for one IP family (the families are defaulted: --ip-families), its outside addresses carry reserved:world, while a '
    + 'dual-stack cluster on Cilium 1.15 or later labels them reserved:world-ipv4';
  const judgedNotes = (d: ReturnType<typeof diffLines>): unknown => d.doc.notCompared?.filter((n) => n.text.startsWith(JUDGED_NOTE))
    .map((n) => [/ \(([+~-] .*?)\): the connections/.exec(n.text)?.[1], n.mayAllow, n.mayDeny]);

  test('reserved:world → toCIDR 0.0.0.0/0: dual-stack newly allows the IPv4 world (1.15-1.19): noted as an allow; 1.14, or ipv4 given: nothing', () => {
    const [base, head] = [egress(RESERVED_WORLD), egress('toCIDR: ["0.0.0.0/0"]')];
    for (const v of [CiliumVersion.V1_15, CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const defaulted = diffLines(base, head, { ciliumVersion: v });
      expect({ v: v.toString(), lines: defaulted.lines, notes: judgedNotes(defaulted) })
        .toEqual({ v: v.toString(), lines: [], notes: [['+ prod/app=web → world (IPv4) 443/TCP', true, false]] });
      expect(diffLines(base, head, { ciliumVersion: v, ipFamilies: IpFamilies.DUAL }).lines).toEqual(['+ prod/app=web → world (IPv4) 443/TCP']);
    }
    // Back: a deny only.
    expect(judgedNotes(diffLines(head, base))).toEqual([['- prod/app=web → world (IPv4) 443/TCP', false, true]]);
    // Before 1.15 every outside address is reserved:world: both readings alike, no note.
    const old = diffLines(base, head, { ciliumVersion: CiliumVersion.V1_14 });
    expect([old.lines, old.doc.notCompared]).toEqual([[], undefined]);
    // The families given: the cluster is single-stack, the change is none.
    const given = diffLines(base, head, { ipFamilies: IpFamilies.IPV4 });
    expect([given.lines, given.doc.notCompared]).toEqual([[], undefined]);
  });

  test('without a /0 (one world class): reserved:world → toEntities world, noted; a change shown alike in both readings, no note', () => {
    const d = diffLines(egress(RESERVED_WORLD), egress('toEntities: [world]'));
    expect([d.lines, judgedNotes(d)]).toEqual([[], [['+ prod/app=web → world 443/TCP', true, false]]]);
    expect(diffLines(egress(RESERVED_WORLD), egress('toEntities: [world]'), { ipFamilies: IpFamilies.DUAL }).lines)
      .toEqual(['+ prod/app=web → world 443/TCP']);
    const alike = diffLines(egress('toEntities: [world]'), egress('toEntities: [world]').replace('"443"', '"8443"'));
    expect([alike.lines.length, alike.doc.notCompared]).toEqual([2, undefined]);
  });

  test('toFQDNs beside reserved:world: the fqdn: class (an IPv4 address) judged dual-stack too, noted where it differs', () => {
    const dns = '  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]\n'
      + '    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]\n';
    const base = egress(RESERVED_WORLD) + dns;
    const head = egress('toFQDNs: [{ matchPattern: "*" }]') + dns;
    const d = diffLines(base, head);
    // Single-stack the world (and the name's address) was allowed by reserved:world; dual-stack it never was: the name newly allowed.
    expect(d.lines).toEqual(['- prod/app=web → world 443/TCP']);
    expect(diffLines(base, head, { ipFamilies: IpFamilies.DUAL }).lines).toEqual(['+ prod/app=web → fqdn:* 443/TCP']);
    expect(judgedNotes(d)).toEqual([['+ prod/app=web → fqdn:* 443/TCP', true, false]]);
  });

  test('the CLI: --fail-on allowed fails on it (exit 1); with --ip-families ipv4 given, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-family-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), egress(RESERVED_WORLD));
      writeFileSync(join(dir, 'b.yaml'), egress('toCIDR: ["0.0.0.0/0"]'));
      const args = ['diff', '--base', join(dir, 'a.yaml'), '--head', join(dir, 'b.yaml'), '--fail-on', 'allowed'];
      const defaulted = await cliAsync(...args);
      expect([defaulted.code, defaulted.stdout]).toEqual([1, expect.stringContaining(JUDGED_NOTE)]);
      const given = await cliAsync(...args, '--ip-families', 'ipv4');
      expect([given.code, given.stdout]).toEqual([0, expect.stringContaining('no connectivity change')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('classes given without the world class: no world judged again, no note (its pass kept to the classes given)', () => {
    // Review: with no /0 the other family's classes were the one `world` entity class (both families, no address), so a
    // note claimed the IPv6 world changed (+ prod/app=web → world 443/TCP) for a world the caller left out.
    const [b, h] = [PolicySet.fromYaml(egress('toEndpoints: [{}]')), PolicySet.fromYaml(egress('toEntities: [world]'))];
    const classes = Connectivity.endpointClasses([b, h]).filter((c) => c.cls.id !== 'world');
    const doc = Connectivity.diff(b, h, { classes });
    expect([doc.changes.length, doc.notCompared]).toEqual([2, undefined]);
  });
});
