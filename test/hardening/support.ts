// Helpers of the hostile-input suite: a scratch directory in the OS temp dir, and the commands run in-process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { run } from '../../src/cli/main';
import { runDraft } from '../../src/cli/draft';
import { HubbleCliIo, runReplay } from '../../src/cli/replay';
import { runReport } from '../../src/cli/report';
import { runValidate } from '../../src/cli/validate';

/** What a command printed and its exit status. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The per-test time limit that guards against hangs (inputs that would hang or blow up if a bug came back): generous, so a loaded machine never trips it; budgets are in `npm run bench`. */
export const GUARD = { timeout: 30_000 };

/** A fresh scratch directory for the calling test file, removed after it. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-hardening-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to `name` in `dir` and returns the path. */
export function write(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `cdk8s-cilium trace …` in-process. */
export function trace(...argv: string[]): Run {
  const out: Run = { code: -1, stdout: '', stderr: '' };
  out.code = run(['trace', ...argv], { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
  return out;
}

/** `cdk8s-cilium validate …` in-process; `stdin` is what `-` reads. */
export async function validate(argv: string[], stdin?: Uint8Array, cwd?: string): Promise<Run> {
  const out: Run = { code: -1, stdout: '', stderr: '' };
  out.code = await runValidate(argv, {
    stdout: (t) => (out.stdout += t),
    stderr: (t) => (out.stderr += t),
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    ...(cwd !== undefined ? { cwd } : {}),
  });
  return out;
}

function hubbleIo(out: Run): HubbleCliIo {
  return { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) };
}

/** `cdk8s-cilium replay …` in-process. */
export async function replay(...argv: string[]): Promise<Run> {
  const out: Run = { code: -1, stdout: '', stderr: '' };
  out.code = await runReplay(argv, hubbleIo(out));
  return out;
}

/** `cdk8s-cilium draft …` in-process. */
export async function draft(...argv: string[]): Promise<Run> {
  const out: Run = { code: -1, stdout: '', stderr: '' };
  out.code = await runDraft(argv, hubbleIo(out));
  return out;
}

/** `cdk8s-cilium report …` in-process. */
export async function report(...argv: string[]): Promise<Run> {
  const out: Run = { code: -1, stdout: '', stderr: '' };
  out.code = await runReport(argv, hubbleIo(out));
  return out;
}

/** A CiliumNetworkPolicy in namespace `shop` selecting `app=api`, allowing `app=web` on 80/TCP with HTTP rules. */
export function httpPolicy(http: Record<string, string>[]): string {
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata: {name: api, namespace: shop}',
    'spec:',
    '  endpointSelector: {matchLabels: {app: api}}',
    '  ingress:',
    '  - fromEndpoints: [{matchLabels: {app: web}}]',
    '    toPorts:',
    '    - ports: [{port: "80", protocol: TCP}]',
    `      rules: {http: ${JSON.stringify(http)}}`,
    '',
  ].join('\n');
}

/**
 * An enforced CiliumNetworkPolicy of another workload (`other/app=other`): beside it, a file whose every policy is skipped
 * is judged (its warnings said, the verdict its policies' none), not refused as inputs of no policy (`cli-no-policies`).
 */
export const OTHER_POLICY = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: other, namespace: other}\nspec:\n'
  + '  endpointSelector: {matchLabels: {app: other}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: other}}]}]\n';

/** The trace arguments of a request from web to api on 80/TCP. */
export function webToApi(policies: string, request: string): string[] {
  return ['--policies', policies, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP', '--http', request];
}

/** One Hubble flow record (jsonpb): web → api on 80/TCP, forwarded at egress. */
export function flowLine(overrides: { source?: Record<string, unknown>; l7?: Record<string, unknown> } = {}): string {
  const flow: Record<string, unknown> = {
    time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', Type: overrides.l7 ? 'L7' : 'L3_L4', traffic_direction: 'EGRESS', is_reply: false,
    IP: { source: '10.0.1.10', destination: '10.0.1.20' },
    l4: { TCP: { source_port: 40000, destination_port: 80 } },
    source: { identity: 300, namespace: 'shop', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'], ...overrides.source },
    destination: { identity: 301, namespace: 'shop', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'] },
    ...(overrides.l7 ? { l7: overrides.l7 } : {}),
  };
  return JSON.stringify({ flow });
}
