// Property: random valid programs (see arbitraries.ts) always synthesize, and what they synthesize is CRD-valid for the
// target version, free of SDK errors, deterministic, one L3 peer kind per item, without empty lists, with string ports,
// and means what the calls said (every peer and port is there, namespaces are explicit, CCNPs have none).
import { isDeepStrictEqual } from 'node:util';
import { Testing, Yaml } from 'cdk8s';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { PolicyModel, Severity } from '../../src';
import { crdSchemas } from '../support/crd';
import { propertyParams } from '../support/property';
import { CallSpec, PeerSpec, Program, VERSIONS, buildProgram, hasL4, program } from './arbitraries';

/** Runs of the main property (`PROPERTY_RUNS_VALID_SYNTH`) and per version (`PROPERTY_RUNS_VALID_VERSION`); see propertyParams. */
const RUNS = 100;
const VERSION_RUNS = 15;

/** The L3 peer fields of a rule item, per direction (the CRD's wire names). */
const L3_FIELDS = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toNodes', 'toGroups', 'toServices', 'toFQDNs'],
} as const;

const SECTIONS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
type Section = (typeof SECTIONS)[number];

const NAMESPACE_KEYS = ['k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace'];

beforeAll(() => {
  for (const v of VERSIONS) crdSchemas(v).load();
});

/** Synthesizes a program, failing with the program and the error when the SDK refuses it. */
function synthesize(p: Program): { manifests: any[]; problems: string[] } {
  const built = buildProgram(p);
  const manifests = Testing.synth(built.chart);
  const problems = built.policy.synthesizeModel().diagnostics.filter((d) => d.severity === Severity.ERROR).map((d) => `${d.path}: ${d.message} (${d.id})`);
  return { manifests, problems };
}

/** Structural equality of JSON values (fast-check records have no prototype, so `isDeepStrictEqual` alone is too strict). */
function same(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a === undefined ? a : JSON.parse(JSON.stringify(a)), b === undefined ? b : JSON.parse(JSON.stringify(b)));
}

/** Every path in `value` that holds an empty array. */
function emptyLists(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptyLists(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => emptyLists(v, `${path}.${k}`));
  return [];
}

function sectionOf(verb: Exclude<CallSpec['verb'], never>): Section {
  if (verb === 'denyIngress') return 'ingressDeny';
  if (verb === 'denyEgress') return 'egressDeny';
  return verb.endsWith('Ingress') ? 'ingress' : 'egress';
}

/** The wire field (without from/to) a peer renders to; `undefined` for `Peer.any()`. */
function peerField(peer: PeerSpec): string | undefined {
  switch (peer.kind) {
    case 'endpoints': case 'namespace': case 'allNamespaces': case 'selectedBy': case 'kubeDns': return 'Endpoints';
    case 'entity': case 'kubeApiServer': return 'Entities';
    case 'cidr': return peer.except?.length ? 'CIDRSet' : 'CIDR';
    case 'cidrGroup': case 'cidrGroupSelector': return 'CIDRSet';
    case 'fqdn': case 'fqdnPattern': return 'FQDNs';
    case 'service': case 'serviceSelector': return 'Services';
    case 'nodes': return 'Nodes';
    case 'any': return undefined;
  }
}

/** Whether a selector says which namespace(s) it selects. */
function constrainsNamespace(selector: any): boolean {
  const keys = [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e: any) => e.key)];
  return keys.some((k) => NAMESPACE_KEYS.includes(k) || /^(k8s:)?io\.cilium\.k8s\.namespace\.labels\./.test(k));
}

/** Checks one synthesized manifest against the program; returns what is wrong. */
function manifestProblems(p: Program, m: any): string[] {
  const out: string[] = [];
  const expectedKind = p.kind === 'CiliumPolicy' ? 'CiliumNetworkPolicy' : 'CiliumClusterwideNetworkPolicy';
  if (m.kind !== expectedKind) out.push(`kind ${m.kind}, expected ${expectedKind}`);
  if (m.metadata?.name !== (p.name ?? 'policy')) out.push(`metadata.name ${m.metadata?.name}`);
  const namespace = p.kind === 'CiliumPolicy' ? p.policyNamespace ?? p.chartNamespace : undefined;
  if (m.metadata?.namespace !== namespace) out.push(`metadata.namespace ${m.metadata?.namespace}, expected ${namespace}`);
  for (const path of emptyLists(m)) out.push(`empty list at ${path}`);
  const rules: any[] = p.rules.length === 1 ? [m.spec] : m.specs ?? [];
  if (p.rules.length === 1 && m.specs !== undefined) out.push('specs written for a single rule');
  if (p.rules.length > 1 && m.spec !== undefined) out.push('spec written next to specs');
  if (rules.length !== p.rules.length || rules.some((r) => r === undefined)) {
    out.push(`${rules.length} rules written for ${p.rules.length}`);
    return out;
  }
  p.rules.forEach((ruleSpec, r) => {
    const rule = rules[r];
    const at = p.rules.length === 1 ? 'spec' : `specs[${r}]`;
    if (ruleSpec.nodeSelector ? rule.nodeSelector === undefined || rule.endpointSelector !== undefined : rule.endpointSelector === undefined) {
      out.push(`${at}: wrong subject selector`);
    }
    if (ruleSpec.description !== undefined && rule.description !== ruleSpec.description) out.push(`${at}.description changed`);
    if (ruleSpec.log !== undefined && rule.log?.value !== ruleSpec.log) out.push(`${at}.log changed`);
    if (!same(rule.enableDefaultDeny, ruleSpec.enableDefaultDeny)) out.push(`${at}.enableDefaultDeny changed`);
    const labels = Object.keys(ruleSpec.labels ?? {}).length ? rule.labels ?? [] : undefined;
    if (labels !== undefined && !same(Object.fromEntries(labels.map((l: any) => [l.key, l.value])), ruleSpec.labels)) out.push(`${at}.labels changed`);
    // Sections: exactly those the calls use.
    const used = new Set(ruleSpec.calls.map((c) => sectionOf(c.verb)));
    for (const section of SECTIONS) {
      if (used.has(section) !== (rule[section] !== undefined)) out.push(`${at}.${section}: ${used.has(section) ? 'missing' : 'not asked for'}`);
    }
    // Items: one L3 peer kind, no icmps next to toPorts, at most 40 ports / ICMP fields, explicit string ports.
    for (const section of SECTIONS) {
      const direction = section.startsWith('ingress') ? 'ingress' : 'egress';
      (rule[section] ?? []).forEach((item: any, i: number) => {
        const ip = `${at}.${section}[${i}]`;
        const peers = Object.keys(item).filter((k) => (L3_FIELDS[direction] as readonly string[]).includes(k));
        if (peers.length > 1) out.push(`${ip}: several L3 peer fields ${peers.join(', ')}`);
        const unknown = Object.keys(item).filter((k) => !peers.includes(k) && !['toPorts', 'icmps', 'authentication'].includes(k));
        if (unknown.length) out.push(`${ip}: fields ${unknown.join(', ')}`);
        if (item.toPorts && item.icmps) out.push(`${ip}: icmps next to toPorts`);
        for (const [j, pr] of (item.toPorts ?? []).entries()) {
          if ((pr.ports ?? []).length > 40) out.push(`${ip}.toPorts[${j}]: ${pr.ports.length} ports`);
          for (const [k, port] of (pr.ports ?? []).entries()) {
            const pp = `${ip}.toPorts[${j}].ports[${k}]`;
            if (port.port !== undefined && (typeof port.port !== 'string' || !/^(0|[1-9][0-9]*|[a-z0-9-]+)$/.test(port.port))) out.push(`${pp}.port ${JSON.stringify(port.port)}`);
            if (port.endPort !== undefined && typeof port.endPort !== 'number') out.push(`${pp}.endPort ${JSON.stringify(port.endPort)}`);
            if (typeof port.protocol !== 'string') out.push(`${pp}: no explicit protocol`);
          }
        }
        for (const [j, icmp] of (item.icmps ?? []).entries()) {
          if (icmp.fields.length > 40) out.push(`${ip}.icmps[${j}]: ${icmp.fields.length} fields`);
        }
        for (const field of ['fromEndpoints', 'toEndpoints']) {
          for (const [j, sel] of (item[field] ?? []).entries()) {
            if (namespace !== undefined || p.kind === 'ClusterwidePolicy') {
              if (!constrainsNamespace(sel)) out.push(`${ip}.${field}[${j}]: no namespace`);
            }
          }
        }
      });
    }
    // Every call is there: its peer field in its section, and its single ports.
    for (const c of ruleSpec.calls) {
      const section = sectionOf(c.verb);
      const items: any[] = rule[section] ?? [];
      if (!('peer' in c)) {
        if (!items.some((item) => Object.keys(item).length === 0)) out.push(`${at}.${section}: no {} for ${c.verb}`);
        continue;
      }
      const direction = section.startsWith('ingress') ? 'ingress' : 'egress';
      const field = peerField(c.peer);
      const wire = field === undefined ? undefined : `${direction === 'ingress' ? 'from' : 'to'}${field}`;
      const hasPorts = hasL4(c.ports) || (c.ports ?? []).some((x) => x.kind.startsWith('icmp'));
      const withPeer = items.filter((item) => (wire === undefined
        ? !(L3_FIELDS[direction] as readonly string[]).some((f) => f in item) || (!hasPorts && (item[`${direction === 'ingress' ? 'from' : 'to'}Entities`] ?? []).includes('all'))
        : item[wire] !== undefined));
      if (withPeer.length === 0) out.push(`${at}.${section}: nothing for ${c.verb}(${c.peer.kind})`);
      for (const port of c.ports ?? []) {
        if (port.kind !== 'tcp' && port.kind !== 'udp' && port.kind !== 'sctp' && port.kind !== 'any') continue;
        const protocol = port.kind.toUpperCase();
        const found = withPeer.some((item) => (item.toPorts ?? [])
          .some((pr: any) => (pr.ports ?? []).some((x: any) => x.port === String(port.port) && x.protocol === protocol)));
        if (!found) out.push(`${at}.${section}: port ${port.port}/${protocol} of ${c.verb}(${c.peer.kind}) missing`);
      }
      if (c.verb === 'allowIngress' || c.verb === 'allowEgress') {
        if (c.options?.authentication && !withPeer.some((item) => item.authentication?.mode === c.options?.authentication)) out.push(`${at}.${section}: authentication lost`);
        const serverNames = c.options?.serverNames;
        if (serverNames && !withPeer.some((item) => (item.toPorts ?? []).some((pr: any) => same(pr.serverNames, serverNames)))) out.push(`${at}.${section}: serverNames lost`);
        if (c.l7 && !withPeer.some((item) => (item.toPorts ?? []).some((pr: any) => pr.rules?.[c.l7!.kind] !== undefined))) out.push(`${at}.${section}: ${c.l7.kind} rules lost`);
      }
    }
  });
  return out;
}

describe('valid programs', () => {
  test('synthesize CRD-valid, deterministic YAML that says what the calls said', () => {
    fc.assert(fc.property(program(), (p) => {
      const { manifests, problems } = synthesize(p);
      expect(problems, 'error diagnostics of synthesizeModel()').toEqual([]);
      expect(manifests).toHaveLength(1);
      const [m] = manifests;
      expect(crdSchemas(p.version).validate(m).map((v) => v.message), `CRD v${p.version}`).toEqual([]);
      expect(manifestProblems(p, m)).toEqual([]);
      // Deterministic: the same program in a fresh app gives byte-identical YAML.
      expect(Yaml.stringify(...synthesize(p).manifests)).toBe(Yaml.stringify(...manifests));
      // The reader gives back the same model: emitting it again is lossless.
      const read = PolicyModel.fromObject(m);
      expect(read.diagnostics.filter((d) => d.severity === Severity.ERROR)).toEqual([]);
      expect(read.documents).toHaveLength(1);
      expect(PolicyModel.toManifest(read.documents[0].model)).toEqual(m);
    }), propertyParams('VALID_SYNTH', RUNS));
  }, 180_000); // 100 synthesized programs: about 5 s alone, several times that on a loaded 2-core machine (more in deep mode)

  test.each(VERSIONS)('programs for Cilium %s pass its CRD (%#)', (version) => {
    fc.assert(fc.property(program({ version }), (p) => {
      const { manifests, problems } = synthesize(p);
      expect(problems).toEqual([]);
      for (const m of manifests) expect(crdSchemas(version).validate(m).map((v) => v.message)).toEqual([]);
    }), propertyParams('VALID_VERSION', VERSION_RUNS));
  });
});
