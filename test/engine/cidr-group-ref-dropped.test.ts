// Cilium 1.14 and 1.15 resolve `fromCIDRSet` `cidrGroupRef` entries in the watcher, before the policy is imported: each
// entry is replaced by one entry per CIDR of its CiliumCIDRGroup, and the list becomes the entries without a reference
// followed by those (pkg/k8s/watchers `translateSpec`, `append(oldRules, newRules...)`; a missing or empty group adds
// none). When every entry names a group that is missing or empty, the list is nil: the item has no L3 selector, so its
// ports are open to every peer (`createL4Filter`: an empty L3 is the wildcard selector) and, without ports, it allows
// nothing. From 1.16 a list left with no entry is empty, which selects nothing (cilium/cilium#33396, #33445).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion, Connectivity, PolicySet } from '../../src';
import { SideDecision } from '../../src/engine';
import { AgentRefusalCheck } from '../../src/engine/parser-conflicts';
import { cli } from '../support/cli';
import { cnp, judged, labels, policySet } from './helpers';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-cidr-group-ref-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const V = CiliumVersion;
const WEB = 'pod:default:app=web';
const PORTS = [{ ports: [{ port: '80', protocol: 'TCP' }] }];
const group = (name: string, cidrs: string[]): Record<string, unknown> =>
  ({ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name }, spec: { externalCIDRs: cidrs } });
const from = (item: Record<string, unknown>): Record<string, unknown> => cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [item] });

describe('fromCIDRSet of cidrGroupRef entries that resolve to no CIDR', () => {
  test('1.15, a missing group, with toPorts: every peer on the ports (the list is dropped), nothing on other ports', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'missing' }], toPorts: PORTS })], { ciliumVersion: V.V1_15 });
    for (const peer of ['cidr:8.8.8.8', 'pod:other:app=x', 'entity:remote-node']) {
      const v = judged(set, peer, WEB, '80/TCP');
      expect(v.ingress.decision).toBe(SideDecision.ALLOWED);
      expect(v.ingress.rule?.path).toBe('spec.ingress[0]');
    }
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.notes.join('\n')).toMatch(/missing is not in the inputs \(taken as missing\), so the list of the reference is dropped \(translateSpec\)/);
    expect(judged(set, 'cidr:8.8.8.8', WEB, '81/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.14, a group with no CIDRs, with toPorts: every peer on the ports', () => {
    const set = policySet([group('empty', []), from({ fromCIDRSet: [{ cidrGroupRef: 'empty' }], toPorts: PORTS })], { ciliumVersion: V.V1_14 });
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
  });

  test('1.15, without toPorts: the item allows nothing, and still puts the pod in default deny', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'missing' }] })], { ciliumVersion: V.V1_15 });
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.15, a known group with CIDRs: those CIDRs only', () => {
    const set = policySet([group('g', ['10.0.0.0/8']), from({ fromCIDRSet: [{ cidrGroupRef: 'g' }, { cidrGroupRef: 'missing' }], toPorts: PORTS })],
      { ciliumVersion: V.V1_15 });
    expect(judged(set, 'cidr:10.1.2.3', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });

  test('1.16 and 1.19: a missing group selects nothing', () => {
    for (const version of [V.V1_16, V.V1_19]) {
      const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'missing' }], toPorts: PORTS })], { ciliumVersion: version });
      expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
    }
  });
});

// Only the ingress allow lists are translated by the 1.14/1.15 watcher (translateSpec loops over spec.Ingress alone):
// an ingressDeny fromCIDRSet keeps its reference, which those agents neither resolve nor sanitize (deny items are
// sanitized from 1.17), so the entry selects nothing (validate: version-egress-cidr-group-ref); an egress toCIDRSet entry
// keeps its empty cidr, which EgressRule.sanitize parses (CIDRRule.sanitize), so the agent refuses the whole policy
// (validate: sanitize-egress-cidr-group-ref) and its pods keep whatever egress they had without it.
describe('the lists the 1.14/1.15 watcher does not translate', () => {
  test('1.15 egress toCIDRSet of a group: the agent refuses the policy, so the pod\'s egress is not restricted by it', () => {
    for (const docs of [[], [group('g', [])], [group('g', ['10.9.0.0/16'])]]) {
      const set = policySet([...docs, cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidrGroupRef: 'g' }], toPorts: PORTS }] })],
        { ciliumVersion: V.V1_15 });
      const v = judged(set, WEB, 'cidr:8.8.8.8', '80/TCP');
      expect(v.egress.decision).toBe(SideDecision.NO_POLICY_DEFAULT_ALLOW);
      expect(set.diagnostics.some((d) => d.id === 'engine-policy-skipped' && d.message.includes('[sanitize-egress-cidr-group-ref]'))).toBe(true);
    }
    // Beside a policy the agent imports, the pod is in egress default deny by that one only.
    const other = cnp('q', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDR: ['10.1.0.0/16'] }] });
    const set = policySet([group('g', ['10.9.0.0/16']), other, cnp('p', { endpointSelector: labels({ app: 'web' }),
      egress: [{ toCIDRSet: [{ cidrGroupRef: 'g' }], toPorts: PORTS }] })], { ciliumVersion: V.V1_14 });
    expect(judged(set, WEB, 'cidr:10.9.1.1', '80/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    expect(judged(set, WEB, 'cidr:10.1.1.1', '80/TCP').egress.decision).toBe(SideDecision.ALLOWED);
  });

  test('before 1.16 a reference in a deny rule selects nothing, even to a group with CIDRs; from 1.16 it selects them', () => {
    const egress = [group('g', ['10.9.0.0/16']), cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: [{ cidrGroupRef: 'g' }], toPorts: PORTS }] })];
    const deny = [group('g', ['10.9.0.0/16']), cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromCIDRSet: [{ cidrGroupRef: 'g' }], toPorts: PORTS }] })];
    for (const ciliumVersion of [V.V1_14, V.V1_15]) {
      expect(judged(policySet(deny, { ciliumVersion }), 'cidr:10.9.1.1', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
    }
    expect(judged(policySet(egress, { ciliumVersion: V.V1_16 }), WEB, 'cidr:10.9.1.1', '80/TCP').egress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(policySet(egress, { ciliumVersion: V.V1_16 }), WEB, 'cidr:10.8.1.1', '80/TCP').egress.decision).toBe(SideDecision.DEFAULT_DENY);
    expect(judged(policySet(deny, { ciliumVersion: V.V1_16 }), 'cidr:10.9.1.1', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DENIED_BY_DENY_RULE);
  });

  test('1.14 ingressDeny fromCIDRSet of a missing group, with toPorts: denies nobody', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromCIDRSet: [{ cidrGroupRef: 'missing' }], toPorts: PORTS }] })], { ciliumVersion: V.V1_14 });
    const v = judged(set, 'cidr:8.8.8.8', WEB, '80/TCP');
    expect(v.ingress.decision).toBe(SideDecision.ALLOWED);
    expect(v.ingress.rule?.path).toBe('spec.ingress[0]');
  });

  test('1.15 a plain cidr beside a missing group: the cidr only', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidr: '10.0.0.0/8' }, { cidrGroupRef: 'missing' }], toPorts: PORTS })], { ciliumVersion: V.V1_15 });
    expect(judged(set, 'cidr:10.1.2.3', WEB, '80/TCP').ingress.decision).toBe(SideDecision.ALLOWED);
    expect(judged(set, 'cidr:8.8.8.8', WEB, '80/TCP').ingress.decision).toBe(SideDecision.DEFAULT_DENY);
  });
});

// A group the inputs do not hold may exist in the cluster: if it has CIDRs the item allows those only, else every peer
// on its ports. The engine cannot tell, so the endpoints the rule selects are not judged (the path of
// pitfall-service-selector-invalid: trace exits 2, diff does not compare, report does not judge). A group the inputs
// hold without externalCIDRs decides it: every peer.
describe('1.14/1.15: a dropped fromCIDRSet naming a group not in the inputs is not judged', () => {
  const policy = from({ fromCIDRSet: [{ cidrGroupRef: 'partners' }], toPorts: PORTS });
  const file = (docs: readonly Record<string, unknown>[], name: string): string => {
    const path = join(scratch, `${name}.yaml`);
    writeFileSync(path, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    return path;
  };

  test('the refusal is there for a missing group only, with toPorts, on 1.14/1.15 ingress allow', () => {
    const refusals = (docs: readonly Record<string, unknown>[], version: CiliumVersion): string[] =>
      policySet(docs, { ciliumVersion: version })._agentRefusals(policySet(docs, { ciliumVersion: version }).endpoint(WEB)).map((r) => r.check);
    expect(refusals([policy], V.V1_15)).toEqual([AgentRefusalCheck.CIDR_GROUP_UNDECIDED]);
    expect(refusals([policy], V.V1_14)).toEqual([AgentRefusalCheck.CIDR_GROUP_UNDECIDED]);
    expect(refusals([group('empty', []), from({ fromCIDRSet: [{ cidrGroupRef: 'empty' }, { cidrGroupRef: 'partners' }], toPorts: PORTS })], V.V1_15))
      .toEqual([AgentRefusalCheck.CIDR_GROUP_UNDECIDED]);
    expect(refusals([group('partners', []), policy], V.V1_15)).toEqual([]);
    expect(refusals([group('partners', ['10.0.0.0/8']), policy], V.V1_15)).toEqual([]);
    expect(refusals([from({ fromCIDRSet: [{ cidrGroupRef: 'partners' }] })], V.V1_15)).toEqual([]);
    expect(refusals([policy], V.V1_16)).toEqual([]);
  });

  test('two missing groups are named together, in the plural (why and fix of the refusal)', () => {
    const set = policySet([from({ fromCIDRSet: [{ cidrGroupRef: 'a' }, { cidrGroupRef: 'b' }], toPorts: PORTS })], { ciliumVersion: V.V1_15 });
    const found = set._agentRefusals(set.endpoint(WEB)).map((r) => [r.check, (r as { why?: string }).why, (r as { fix?: string }).fix]);
    expect(found).toEqual([[AgentRefusalCheck.CIDR_GROUP_UNDECIDED,
      'the CiliumCIDRGroups "a", "b" are not in the inputs, and Cilium 1.15 replaces each reference with its group\'s CIDRs before import: '
        + 'if no group named holds a CIDR the list is dropped and the item\'s ports are open to every peer, else only those CIDRs are',
      'pass the CiliumCIDRGroup manifests "a", "b" with --policies, or target Cilium 1.16+']]);
  });

  test('trace exits 2 naming the group and the fix; with the empty group in the inputs it is ALLOWED (exit 0)', () => {
    const r = cli('trace', '--policies', file([policy], 'missing'), '--cilium-version', '1.15', '--from', 'cidr:8.8.8.8', '--to', WEB, '--port', '80/TCP');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('--to pod:default:app=web: the policy Cilium enforces for this endpoint is not known: CiliumNetworkPolicy default/p '
      + 'spec.ingress[0] has a fromCIDRSet of cidrGroupRef entries only: the CiliumCIDRGroup "partners" is not in the inputs, and Cilium 1.15 replaces '
      + 'each reference with its group\'s CIDRs before import: if no group named holds a CIDR the list is dropped and the item\'s ports are open to '
      + 'every peer, else only those CIDRs are');
    expect(r.stderr).toContain('the inputs do not hold the CiliumCIDRGroups it names');
    expect(r.stderr).toContain('pass the CiliumCIDRGroup manifest "partners" with --policies, or target Cilium 1.16+ (fromCIDRSet of spec.ingress[0])');
    expect(r.stderr).toContain('reports it as pitfall-cidr-group-ref-missing');
    const known = cli('trace', '--policies', file([group('partners', []), policy], 'empty'), '--cilium-version', '1.15',
      '--from', 'cidr:8.8.8.8', '--to', WEB, '--port', '80/TCP');
    expect(known.code).toBe(0);
    expect(cli('trace', '--policies', file([policy], 'missing16'), '--cilium-version', '1.16', '--from', 'cidr:8.8.8.8', '--to', WEB, '--port', '80/TCP').code)
      .toBe(1);
  });

  test('diff does not compare it, report does not judge it', () => {
    const set = PolicySet.fromYaml(JSON.stringify(policy), { ciliumVersion: V.V1_15 });
    const report = Connectivity.report(set);
    expect(report.notJudged?.map((n) => n.text)).toEqual([expect.stringContaining('The policy Cilium enforces for the endpoint class')]);
    expect(report.notJudged?.[0].text).toContain('get the policy the cluster\'s CiliumCIDRGroups make of it, which the inputs do not hold');
    const base = PolicySet.fromYaml(JSON.stringify(from({ fromCIDR: ['10.0.0.0/8'], toPorts: PORTS })), { ciliumVersion: V.V1_15 });
    expect(Connectivity.diff(base, set).notCompared?.map((n) => n.text)).toEqual([expect.stringContaining('The policy Cilium enforces for the endpoint class')]);
  });
});
