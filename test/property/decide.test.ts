// Property: `PolicySet.decide(query)` is `verdict(query).verdict` for every query, on random policy sets (the valid
// programs of ./arbitraries.ts, several in one set) and endpoints made from the labels, namespaces and ports those
// policies name — whichever of the two is asked first (cold decision tables or warm), and again once both caches are warm.
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError, CiliumVersion, Endpoint, EndpointKind, PolicySet, VerdictQuery } from '../../src';
import { propertyParams } from '../support/property';
import { Program, VERSIONS, buildProgram, program, versionOf } from './arbitraries';
import { NOT_JUDGED_IDS } from '../engine/helpers';

/** Runs of the property (`PROPERTY_RUNS_DECIDE`; see propertyParams). */
const RUNS = 25;
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';

/** Every object with `matchLabels` in a manifest, with the namespace the policy is in. */
function labelSets(value: unknown, out: Record<string, string>[]): void {
  if (Array.isArray(value)) {
    for (const v of value) labelSets(v, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const o = value as Record<string, unknown>;
  if (typeof o.matchLabels === 'object' && o.matchLabels !== null) out.push(o.matchLabels as Record<string, string>);
  for (const v of Object.values(o)) labelSets(v, out);
}

/** Numbered ports named in a manifest (`port: "80"`, `protocol: TCP`). */
function portsOf(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) portsOf(v, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const o = value as Record<string, unknown>;
  if (typeof o.port === 'string' && /^\d+$/.test(o.port) && Number(o.port) > 0 && Number(o.port) < 65536) {
    const protocol = typeof o.protocol === 'string' && ['TCP', 'UDP', 'SCTP'].includes(o.protocol) ? o.protocol : 'TCP';
    out.add(`${o.port}/${protocol}`);
  }
  for (const v of Object.values(o)) portsOf(v, out);
}

/** Pods carrying the labels the policies select (source prefixes dropped), in their namespaces, plus fixed outside ends. */
function endpointsFor(manifests: readonly Record<string, unknown>[]): Endpoint[] {
  const sets: Record<string, string>[] = [];
  const namespaces = new Set<string>(['default', 'kube-system']);
  for (const m of manifests) {
    labelSets(m, sets);
    const ns = (m.metadata as { namespace?: string } | undefined)?.namespace;
    if (ns) namespaces.add(ns);
  }
  const out: Endpoint[] = [];
  for (const set of sets.slice(0, 6)) {
    const labels: Record<string, string> = {};
    let namespace: string | undefined;
    for (const [k, v] of Object.entries(set)) {
      const key = k.replace(/^(k8s|any):/, '');
      if (key === NAMESPACE_KEY) namespace = v;
      else if (!key.startsWith('io.') && !k.startsWith('reserved:') && !k.includes(':')) labels[key] = v;
    }
    for (const ns of namespace ? [namespace] : [...namespaces].slice(-2)) out.push({ kind: EndpointKind.POD, namespace: ns, labels, nodeName: 'node-a' });
  }
  out.push(
    { kind: EndpointKind.POD, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    { kind: EndpointKind.CIDR, ip: '203.0.113.5' },
    { kind: EndpointKind.FQDN, name: 'api.example.com', ip: '203.0.113.9' },
    { kind: EndpointKind.ENTITY, entity: 'host' },
    { kind: EndpointKind.NODE, name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a', role: 'worker' } },
  );
  return out.slice(-14);
}

interface Case {
  readonly programs: Program[];
  readonly version: (typeof VERSIONS)[number];
  readonly hostFirewall: boolean | undefined;
  readonly sctp: boolean | undefined;
  readonly seeds: number[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  programs: fc.array(program(), { minLength: 1, maxLength: 3 }),
  version: fc.constantFrom(...VERSIONS),
  hostFirewall: fc.constantFrom(undefined, true, false),
  sctp: fc.constantFrom(undefined, true, false),
  seeds: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
});

const REQUESTS: readonly Pick<VerdictQuery, 'http' | 'dns' | 'kafka'>[] = [
  {}, {}, {}, { http: { method: 'GET', path: '/' } }, { http: { method: 'POST', path: '/api/v1/x' } }, { dns: 'api.example.com' },
  { dns: 'other.example.org' }, { kafka: { apiKey: 'produce', topic: 'orders' } },
];

/**
 * A connection no verdict on which is Cilium's (a request onto L7 rules the engine does not judge it by, session 53; a
 * node or a pod end not known where a rule reads it, an end the agent refuses, a lookup the patch release decides,
 * session 54): both refuse it, with the same id (`unjudgedConnectionError`).
 */
const REFUSED = 'refused: ';

/** The answer, or `REFUSED` and the id where the call refuses the connection as not judged; any other error is thrown. */
function answer(call: () => string): string {
  try {
    return call();
  } catch (e) {
    if (e instanceof CiliumPolicyError && NOT_JUDGED_IDS.includes(e.id)) return `${REFUSED}${e.id}`;
    throw e;
  }
}

describe('decide() == verdict().verdict', () => {
  test('on random policy sets, cold and warm, in either order', () => {
    let allowed = 0;
    let denied = 0;
    fc.assert(fc.property(caseArb, (c) => {
      const manifests = c.programs.flatMap((p) => {
        try {
          return Testing.synth(buildProgram(p).chart) as Record<string, unknown>[];
        } catch {
          return []; // a program the construct refuses at synthesis has no manifests
        }
      });
      const yaml = manifests.map((m) => JSON.stringify(m)).join('\n---\n');
      const options = {
        ciliumVersion: versionOf(c.version), ...(c.hostFirewall !== undefined ? { hostFirewall: c.hostFirewall } : {}),
        ...(c.sctp !== undefined ? { sctp: c.sctp } : {}),
      };
      const decideFirst = PolicySet.fromYaml(yaml, { file: 'set.yaml', ...options });
      const verdictFirst = PolicySet.fromYaml(yaml, { file: 'set.yaml', ...options });
      const endpoints = endpointsFor(manifests);
      const ports = new Set<string>();
      portsOf(manifests, ports);
      const connections = [...[...ports].slice(0, 3), '80/TCP', '53/UDP', '53/SCTP'].map((p) => ({ protocol: p.split('/')[1], port: Number(p.split('/')[0]) }));
      // Every pair of ends, on every port and ICMP echo, with a request chosen by the seeds.
      const queries: VerdictQuery[] = [];
      let n = 0;
      for (const from of endpoints) {
        for (const to of endpoints) {
          for (const conn of [...connections, { protocol: 'ICMP', icmpType: 8 }]) {
            queries.push({ from, to, ...conn, ...REQUESTS[c.seeds[n++ % c.seeds.length] % REQUESTS.length] });
          }
        }
      }
      for (const q of queries) {
        const cold = answer(() => decideFirst.decide(q));
        const v = answer(() => verdictFirst.verdict(q).verdict);
        const warm = answer(() => verdictFirst.decide(q));
        if (cold !== v || warm !== v) {
          throw new Error(`decide (cold ${cold}, after verdict ${warm}) but verdict ${v} for ${JSON.stringify(q)}\n${yaml}`);
        }
        if (v === 'allowed') allowed++;
        else if (!v.startsWith(REFUSED)) denied++;
      }
      // Warm, both: the same answers again; and on fresh copies of every fourth query, whose ends equal ends resolved
      // before (`EndpointRecords.record`: found by their text key, without the checks an equal object passed).
      queries.forEach((q, i) => {
        const expected = answer(() => decideFirst.verdict(q).verdict);
        expect(answer(() => decideFirst.decide(q))).toBe(expected);
        if (i % 4 === 0) expect(answer(() => decideFirst.decide(structuredClone(q)))).toBe(expected);
      });
    }), propertyParams('DECIDE', RUNS));
    expect(allowed).toBeGreaterThan(0);
    expect(denied).toBeGreaterThan(0);
  });

  test('refuses a malformed query as verdict does', () => {
    const set = PolicySet.fromDocuments([], { ciliumVersion: CiliumVersion.V1_19 });
    const from = set.endpoint('pod:a:app=x');
    const to = set.endpoint('pod:a:app=y');
    for (const q of [{ from, to, protocol: 'TCP', port: 0 }, { from, to, protocol: 'GRE', port: 1 }, { from, to: undefined as unknown as Endpoint, protocol: 'TCP', port: 80 }]) {
      expect(() => set.decide(q)).toThrow(expect.objectContaining({ name: 'CiliumPolicyError' }));
      let message = '';
      try {
        set.verdict(q);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(() => set.decide(q)).toThrow(message);
    }
  });
});
