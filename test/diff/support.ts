// Helpers of the connectivity diff tests: policy sets from YAML, changes as one readable line each, and the policy most
// of them change (prod/app=api admitting prod/app=web on some TCP ports).
import { Connectivity, ConnectivityChange, ConnectivityDiffDocument } from '../../src/diff';
import { PolicySet, PolicySetOptions } from '../../src/engine';

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
