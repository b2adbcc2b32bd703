// Reads the shared conformance files (`shared/conformance/*.yaml`) and judges one case with the engine. A case gives its
// manifests inline, two endpoints in the engine's text syntax (a pod label `ports=name:80/TCP;…` declares named container
// ports: the pod goes into the inventory as a Pod), a connection, optional HTTP/DNS requests, the expected verdict, and
// a scope (egress: only the client's egress; ingress: only the server's ingress; full: both). A policy may also be a raw
// `api.Rule` list (an array), the form Cilium's Go tests build.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PolicySet, PolicySetOptions, Verdict, VerdictQuery } from '../../../src/engine';
import { parseConnection, parseHttpRequest, parseKafkaRequest } from '../../../src/engine/query';
import { CONFORMANCE_DIR } from '../../support/shared';

/** One case of a conformance file. */
export interface VerdictCase {
  readonly id: string;
  readonly source: string;
  readonly policies: readonly (Record<string, unknown> | readonly Record<string, unknown>[])[];
  readonly workloads?: readonly Record<string, unknown>[];
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly http?: string;
  readonly dns?: string;
  readonly kafka?: string;
  readonly verdict: 'allow' | 'deny';
  readonly scope?: 'egress' | 'ingress' | 'full';
  readonly note?: string;
}

/** The cases of `shared/conformance/<file>`. */
export function readCases(file: string): VerdictCase[] {
  const doc = parse(readFileSync(join(CONFORMANCE_DIR, file), 'utf8')) as { cases: VerdictCase[] };
  return doc.cases;
}

/** An endpoint text without its `ports=` pseudo-label, and a Pod manifest declaring those ports (pods only). */
function splitPorts(text: string): { endpoint: string; pod?: Record<string, unknown> } {
  const m = /^pod:([^:]*):(.*)$/.exec(text);
  if (!m) return { endpoint: text };
  const parts = m[2].split(',').filter((p) => p !== '');
  const portsPart = parts.find((p) => p.startsWith('ports='));
  if (!portsPart) return { endpoint: text };
  const rest = parts.filter((p) => p !== portsPart);
  const ports = portsPart.slice('ports='.length).split(';').map((p) => {
    const pm = /^([^:]+):(\d+)\/([A-Za-z]+)$/.exec(p);
    if (!pm) throw new Error(`bad named port ${p} in ${text}`);
    return { name: pm[1], containerPort: Number(pm[2]), protocol: pm[3].toUpperCase() };
  });
  const labels = Object.fromEntries(rest.map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
  }));
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${Object.values(labels).join('-') || 'x'}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 60), namespace: m[1], labels },
    spec: { containers: [{ name: 'c', image: 'x', ports }] },
  };
  return { endpoint: `pod:${m[1]}:${rest.join(',')}`, pod };
}

/**
 * A policy of a case as the API server stores it. Cilium's Go tests and np-guard's load rules without an API server, so
 * their transcriptions keep names it refuses (`fooIngressRule1`, `use_common_labels_same_values`), and the engine, like
 * the cluster, enforces no such object (`crd-metadata-name`, `k8s-np-metadata`). The name is no part of what a case
 * claims: such a name is lower-cased with `_` written `-`. Every other field stays as transcribed.
 */
export function storableName<T>(policy: T): T {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) return policy;
  const meta = (policy as { metadata?: unknown }).metadata;
  if (typeof meta !== 'object' || meta === null || typeof (meta as { name?: unknown }).name !== 'string') return policy;
  const name = (meta as { name: string }).name;
  return { ...policy, metadata: { ...meta, name: name.toLowerCase().replace(/_/g, '-') } };
}

/**
 * A case's policy set (built afresh) and query. A case on SCTP is judged with `enable-sctp` on (`sctp: true`): the cases
 * are verdicts of the policy layer (Cilium's Go tests, np-guard's connectivity), which does not read it; without it the
 * datapath drops SCTP before any policy (test/engine/sctp-enabled.test.ts).
 */
export function caseQuery(c: VerdictCase, options: PolicySetOptions = {}): { set: PolicySet; query: VerdictQuery } {
  const from = splitPorts(c.from);
  const to = splitPorts(c.to);
  const docs: unknown[] = [...c.policies.map(storableName), ...(c.workloads ?? []), ...[from.pod, to.pod].filter((p) => p !== undefined)];
  const sctp = /\/SCTP$/i.test(String(c.port)) ? { sctp: true } : {};
  const set = PolicySet.fromYaml(docs.map((d) => JSON.stringify(d)).join('\n---\n'), { file: `${c.id}.yaml`, ...sctp, ...options });
  const conn = parseConnection(c.port);
  const query: VerdictQuery = {
    from: set.endpoint(from.endpoint),
    to: set.endpoint(to.endpoint),
    ...conn,
    ...(c.http !== undefined ? { http: parseHttpRequest(c.http) } : {}),
    ...(c.dns !== undefined ? { dns: c.dns } : {}),
    ...(c.kafka !== undefined ? { kafka: parseKafkaRequest(c.kafka) } : {}),
  };
  return { set, query };
}

/** The engine's verdict on a case, and whether it agrees. */
export function judge(c: VerdictCase, options: PolicySetOptions = {}): { pass: boolean; got: string; verdict: Verdict } {
  const { set, query } = caseQuery(c, options);
  // The engine's computation, as Cilium's own tests check the agent's: also where the public verdicts refuse the connection
  // as not judged (an endpoint whose policy the agent refuses or whose one proxy redirect is not known, session 54).
  const verdict = set._verdict(query);
  const scope = c.scope ?? 'full';
  const sideOk = (s: Verdict['egress']): boolean => s.allowed && s.decision !== 'l7-denied';
  const allowed = scope === 'egress' ? sideOk(verdict.egress) : scope === 'ingress' ? sideOk(verdict.ingress) : verdict.verdict === 'allowed';
  const got = allowed ? 'allow' : 'deny';
  return { pass: got === c.verdict, got, verdict };
}

/** The engine's outcome on a case's scope: `allowed`, `denied` (dropped at L3/L4) or `l7-denied` (refused by a proxy). */
export function outcome(c: VerdictCase, options: PolicySetOptions = {}): { got: 'allowed' | 'denied' | 'l7-denied'; verdict: Verdict } {
  const { set, query } = caseQuery(c, options);
  const verdict = set._verdict(query); // as in `judge`
  const scope = c.scope ?? 'full';
  const side = (s: Verdict['egress']): 'allowed' | 'denied' | 'l7-denied' => !s.allowed ? 'denied' : s.decision === 'l7-denied' ? 'l7-denied' : 'allowed';
  const got = scope === 'egress' ? side(verdict.egress) : scope === 'ingress' ? side(verdict.ingress) : verdict.verdict as 'allowed' | 'denied' | 'l7-denied';
  return { got, verdict };
}
