// The report against np-guard's expected connectivity (shared/conformance/networkpolicy-cases.yaml, transcribed from
// netpol-analyzer's connlist outputs): for each case whose two ends are endpoint classes of the report (a workload of
// the case, a world CIDR class, an entity), the connection is allowed exactly when the report lists it.
import { describe, expect, test } from 'vitest';
import { ClassifiedEndpoint, Connectivity } from '../../src/diff';
import { Endpoint } from '../../src/engine';
import { parseConnection } from '../../src/engine/query';
import { cidrContains, parseCidr, parseIp } from '../../src/model/cidr';
import { caseQuery, readCases } from '../engine/support/verdict-cases';

const CASES = readCases('networkpolicy-cases.yaml');

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const x = Object.entries(a ?? {}).sort();
  const y = Object.entries(b ?? {}).sort();
  return JSON.stringify(x) === JSON.stringify(y);
}

/** The CIDRs of the world classes that hold an address. */
function holders(ip: string, classes: readonly ClassifiedEndpoint[]): string {
  const p = parseIp(ip);
  if (!p) return '';
  const host = { family: p.family, network: p.value, prefix: p.family === 4 ? 32 : 128 };
  return classes.flatMap((c) => {
    const m = /^world (.*)$/.exec(c.cls.id);
    const cidr = m ? parseCidr(m[1]) : undefined;
    return cidr && cidrContains(cidr, host) ? [m?.[1] ?? ''] : [];
  }).join(',');
}

/** The class an endpoint of a case is exactly (same workload labels, same CIDR classes, the entity), if any. */
function classOf(ep: Endpoint, classes: readonly ClassifiedEndpoint[]): ClassifiedEndpoint | undefined {
  switch (ep.kind) {
    case 'pod':
      return classes.find((c) => c.endpoint.kind === 'pod' && c.endpoint.namespace === ep.namespace && sameLabels(c.endpoint.labels, ep.labels)
        && c.cls.workloads !== undefined);
    case 'cidr': {
      const key = holders(ep.ip ?? '', classes);
      return classes.find((c) => c.cls.kind === 'world' && holders(c.endpoint.kind === 'cidr' ? c.endpoint.ip ?? '' : '0.0.0.0', classes) === key
        && (key !== '' || c.cls.id === 'world'));
    }
    case 'entity':
      return classes.find((c) => c.cls.id === ep.entity);
    default:
      return undefined;
  }
}

/** Whether merged ports (`8080/TCP`, `8000-8999/TCP`, `53/ANY`, `any`) cover a connection. */
function covers(ports: readonly string[], connection: string): boolean {
  const q = parseConnection(connection);
  return ports.some((p) => {
    if (p === 'any') return true;
    const m = /^(\d+)(?:-(\d+))?\/(TCP|UDP|SCTP|ANY)$/.exec(p);
    if (!m || q.port === undefined) return false;
    const protocols = m[3] === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [m[3]];
    return protocols.includes(q.protocol) && q.port >= Number(m[1]) && q.port <= Number(m[2] ?? m[1]);
  });
}

const judged = CASES.map((c) => {
  const { set, query } = caseQuery(c);
  const classes = Connectivity.endpointClasses([set]);
  const from = classOf(query.from, classes);
  const to = classOf(query.to, classes);
  return { c, set, classes, from, to };
});
const comparable = judged.filter((j) => j.from !== undefined && j.to !== undefined);

describe('report against np-guard connectivity (networkpolicy-cases.yaml)', () => {
  test('most cases have both ends as report classes', () => {
    expect(comparable.length).toBeGreaterThanOrEqual(Math.floor(CASES.length * 0.6));
  });

  test.each(comparable.map((j) => [`${j.c.id}: ${j.c.verdict} ${j.from?.cls.id} → ${j.to?.cls.id} ${j.c.port}`, j] as const))('%s', (_name, j) => {
    const report = Connectivity.report(j.set, { classes: j.classes });
    const listed = report.connections.filter((x) => x.from === j.from?.cls.id && x.to === j.to?.cls.id);
    const allowed = listed.some((x) => covers(x.ports, j.c.port));
    expect(allowed ? 'allow' : 'deny', `${j.c.source}\n${j.c.note ?? ''}\n${JSON.stringify(listed, null, 1)}`).toBe(j.c.verdict);
  });
});
