// Helpers of the connectivity diff tests: policy sets from YAML, changes as one readable line each, and the policy most
// of them change (prod/app=api admitting prod/app=web on some TCP ports).
import { Connectivity, ConnectivityChange, ConnectivityDiffDocument } from '../../src/diff';
import { PolicySet, PolicySetOptions } from '../../src/engine';
import { parseConnection } from '../../src/engine/query';

/** `+ from → to ports [l7]` (newly allowed), `- …` (newly denied), `~ … L7: before → after`. */
export function changeLine(c: ConnectivityChange): string {
  if (c.before === c.after) return `~ ${c.from} → ${c.to} ${c.ports.join(', ')} L7: ${c.l7Before ?? '(none)'} → ${c.l7 ?? '(none)'}`;
  return `${c.after === 'allowed' ? '+' : '-'} ${c.from} → ${c.to} ${c.ports.join(', ')}${c.l7 !== undefined ? ` [${c.l7}]` : ''}`;
}

/** The diff of two YAML streams, as lines. */
export function diffLines(base: string, head: string, options: PolicySetOptions = {}): { doc: ConnectivityDiffDocument; lines: string[] } {
  const doc = Connectivity.diff(PolicySet.fromYaml(base, { ...options, file: 'base.yaml' }), PolicySet.fromYaml(head, { ...options, file: 'head.yaml' }));
  return { doc, lines: doc.changes.map(changeLine) };
}

/** What to vary in `webToApi`. */
export interface WebToApiOptions {
  /**
   * `metadata.name`.
   * @default 'api'
   */
  readonly name?: string;
  /**
   * Text appended to `spec` (two-space indented lines, e.g. an `ingressDeny` section).
   * @default ''
   */
  readonly extra?: string;
}

/** A CNP in prod selecting app=api whose one ingress item admits app=web on `ports` (numbers or port names), TCP. */
export function webToApi(ports: readonly (number | string)[], options: WebToApiOptions = {}): string {
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${JSON.stringify(options.name ?? 'api')}, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [${ports.map((p) => `{ port: "${p}", protocol: TCP }`).join(', ')}] }]
${options.extra ?? ''}`;
}

/** Whether a report's or a change's ports (`any`, `9050/TCP`, `1-79/TCP`, `53/ANY`) cover a connection (`9050/TCP`). */
export function portsCover(ports: readonly string[], connection: string): boolean {
  const q = parseConnection(connection);
  return ports.some((p) => {
    const m = /^(\d+)(?:-(\d+))?\/(TCP|UDP|ANY)$/.exec(p);
    return p === 'any' || (m !== null && (m[3] === 'ANY' || m[3] === q.protocol) && q.port !== undefined
      && q.port >= Number(m[1]) && q.port <= Number(m[2] ?? m[1]));
  });
}

/**
 * The report cells of `set` from the class `from` that disagree with `verdict()` on the connections of `grid`, to every class
 * of the set (`class connection: verdict`): none when the report lists exactly what the engine allows.
 */
export function reportDisagreements(set: PolicySet, from: string, grid: readonly string[]): string[] {
  const report = set.report();
  const classes = Connectivity.endpointClasses([set]);
  const client = classes.find((c) => c.cls.id === from);
  if (client === undefined) throw new Error(`no class ${from} among ${classes.map((c) => c.cls.id).join(', ')}`);
  const wrong: string[] = [];
  for (const to of classes) {
    const ports = report.connections.filter((c) => c.from === from && c.to === to.cls.id).flatMap((c) => c.ports);
    for (const conn of grid) {
      const v = set.verdict({ from: client.endpoint, to: to.endpoint, ...parseConnection(conn) }).verdict;
      if ((v === 'allowed') !== portsCover(ports, conn)) wrong.push(`${to.cls.id} ${conn}: ${v}`);
    }
  }
  return wrong;
}
