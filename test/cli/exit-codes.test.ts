// Session 58: the exit statuses README documents for every command (CLI, validate, replay, draft, diff, report, init), one
// row per command and failure class: success, denied / findings / would drop / changed, bad input, a refused policy, not
// judged, an I/O error, an unknown flag. CI gates read nothing else: a class answered 0 where README says 1 or 2 passes a
// gate on input the command did not judge. Each row also names the id on stderr that tells a script why (or nothing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-exit-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const cnp = (name: string, body: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: ${name}, namespace: shop }
spec:
${body}`;
const ALLOW = file('allow.yaml', cnp('backend', `  endpointSelector: { matchLabels: { app: backend } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: frontend } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`));
const ALLOW_9090 = file('allow-9090.yaml', cnp('backend', `  endpointSelector: { matchLabels: { app: backend } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: frontend } }]
    toPorts: [{ ports: [{ port: "9090", protocol: TCP }] }]
`));
// ALLOW plus 9090: to ALLOW, a change that only denies (9090); from ALLOW, one that only allows.
const ALLOW_BOTH = file('allow-both.yaml', cnp('backend', `  endpointSelector: { matchLabels: { app: backend } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: frontend } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }, { port: "9090", protocol: TCP }] }]
`));
// The agent does not import it (RequiresDerivative): no verdict on its endpoints.
const GROUPS = file('groups.yaml', cnp('frontend', `  endpointSelector: { matchLabels: { app: frontend } }
  egress:
  - toGroups: [{ aws: { securityGroupsIds: [sg-1] } }]
`));
const SYNTAX = file('syntax.yaml', 'a: [\n');
const EMPTY_DIR = join(dir, 'empty');
mkdirSync(EMPTY_DIR);
const MISSING = join(dir, 'missing.yaml');
// Manifests without a policy (a synth of the app's workloads only).
const NO_POLICY = file('configmap.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop }\ndata: { a: b }\n');

const flow = (port: number): string => JSON.stringify({ flow: {
  time: '2021-10-04T14:28:38Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40000, destination_port: port } },
  source: { ID: 1, identity: 1001, namespace: 'shop', labels: ['k8s:app=frontend', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'fe' },
  destination: { ID: 2, identity: 1002, namespace: 'shop', labels: ['k8s:app=backend', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'be' },
  Type: 'L3_L4', node_name: 'n1', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false,
} });
const FLOWS_8080 = file('f8080.jsonl', `${flow(8080)}\n`);
const FLOWS_9999 = file('f9999.jsonl', `${flow(9999)}\n`);
const NOT_FLOWS = file('not-flows.jsonl', 'hello\n');

const TRACE = ['--from', 'pod:shop:app=frontend', '--to', 'pod:shop:app=backend'];

/** [class, command line, exit status, an id on stderr (or '' for none)]. */
const ROWS: readonly (readonly [string, readonly string[], number, string])[] = [
  ['trace allowed', ['trace', '--policies', ALLOW, ...TRACE, '--port', '8080/TCP'], 0, ''],
  ['trace denied', ['trace', '--policies', ALLOW, ...TRACE, '--port', '8081/TCP'], 1, ''],
  ['trace bad input', ['trace', '--policies', SYNTAX, ...TRACE, '--port', '8080/TCP'], 2, 'cli-yaml'],
  ['trace refused policy (not judged)', ['trace', '--policies', GROUPS, ...TRACE, '--port', '8080/TCP'], 2, 'engine-policy-refused'],
  ['trace no policy', ['trace', '--policies', NO_POLICY, ...TRACE, '--port', '8080/TCP'], 2, 'cli-no-policies'],
  ['trace empty directory', ['trace', '--policies', EMPTY_DIR, ...TRACE, '--port', '8080/TCP'], 2, 'input-not-found'],
  ['trace I/O error', ['trace', '--policies', MISSING, ...TRACE, '--port', '8080/TCP'], 2, 'engine-file-not-found'],
  ['trace unknown flag', ['trace', '--policies', ALLOW, ...TRACE, '--port', '8080/TCP', '--bogus'], 2, 'cli-usage'],
  ['validate clean', ['validate', ALLOW], 0, ''],
  ['validate findings', ['validate', SYNTAX], 1, ''],
  ['validate refused policy', ['validate', GROUPS], 0, ''],
  ['validate I/O error', ['validate', MISSING], 2, 'input-not-found'],
  ['validate unknown flag', ['validate', ALLOW, '--bogus'], 2, 'cli-usage'],
  ['replay allowed', ['replay', '--policies', ALLOW, '--flows', FLOWS_8080], 0, ''],
  ['replay would drop', ['replay', '--policies', ALLOW, '--flows', FLOWS_9999], 1, ''],
  ['replay not judged', ['replay', '--policies', GROUPS, '--flows', FLOWS_8080], 1, 'engine-policy-refused'],
  ['replay bad input', ['replay', '--policies', ALLOW, '--flows', NOT_FLOWS], 2, 'hubble-no-flows'],
  ['replay no policy', ['replay', '--policies', NO_POLICY, '--flows', FLOWS_8080], 2, 'cli-no-policies'],
  ['replay I/O error', ['replay', '--policies', ALLOW, '--flows', MISSING], 2, 'hubble-flows-not-found'],
  ['replay unknown flag', ['replay', '--policies', ALLOW, '--flows', FLOWS_8080, '--bogus'], 2, 'cli-usage'],
  ['draft drafted', ['draft', '--flows', FLOWS_8080], 0, ''],
  ['draft bad input', ['draft', '--flows', NOT_FLOWS], 2, 'hubble-no-flows'],
  ['draft I/O error', ['draft', '--flows', MISSING], 2, 'hubble-flows-not-found'],
  ['draft unknown flag', ['draft', '--flows', FLOWS_8080, '--bogus'], 2, 'cli-usage'],
  ['diff no change', ['diff', '--base', ALLOW, '--head', ALLOW, '--fail-on', 'any'], 0, ''],
  ['diff changed, no --fail-on', ['diff', '--base', ALLOW, '--head', ALLOW_9090], 0, ''],
  ['diff changed', ['diff', '--base', ALLOW, '--head', ALLOW_9090, '--fail-on', 'any'], 1, ''],
  ['diff changed both ways, --fail-on denied', ['diff', '--base', ALLOW, '--head', ALLOW_9090, '--fail-on', 'denied'], 1, ''],
  ['diff denied only, --fail-on allowed', ['diff', '--base', ALLOW_BOTH, '--head', ALLOW, '--fail-on', 'allowed'], 0, ''],
  ['diff denied only, --fail-on denied', ['diff', '--base', ALLOW_BOTH, '--head', ALLOW, '--fail-on', 'denied'], 1, ''],
  ['diff allowed only, --fail-on denied', ['diff', '--base', ALLOW, '--head', ALLOW_BOTH, '--fail-on', 'denied'], 0, ''],
  ['diff allowed only, --fail-on allowed', ['diff', '--base', ALLOW, '--head', ALLOW_BOTH, '--fail-on', 'allowed'], 1, ''],
  ['diff not compared', ['diff', '--base', ALLOW, '--head', GROUPS, '--fail-on', 'any'], 1, ''],
  ['diff bad input', ['diff', '--base', ALLOW, '--head', SYNTAX], 2, 'cli-yaml'],
  ['diff no policy', ['diff', '--base', NO_POLICY, '--head', NO_POLICY], 2, 'cli-no-policies'],
  ['diff empty directory', ['diff', '--base', EMPTY_DIR, '--head', ALLOW], 2, 'input-not-found'],
  ['diff I/O error', ['diff', '--base', ALLOW, '--head', MISSING], 2, 'engine-file-not-found'],
  ['diff unknown flag', ['diff', '--base', ALLOW, '--head', ALLOW, '--bogus'], 2, 'cli-usage'],
  ['report', ['report', '--policies', ALLOW], 0, ''],
  ['report bad input', ['report', '--policies', SYNTAX], 2, 'cli-yaml'],
  ['report no policy', ['report', '--policies', NO_POLICY], 2, 'cli-no-policies'],
  ['report empty directory', ['report', '--policies', EMPTY_DIR], 2, 'input-not-found'],
  ['report I/O error', ['report', '--policies', MISSING], 2, 'engine-file-not-found'],
  ['report unknown flag', ['report', '--policies', ALLOW, '--bogus'], 2, 'cli-usage'],
  ['init written', ['init', join(dir, 'app')], 0, ''],
  ['init in the way', ['init', ALLOW], 2, 'init-not-a-folder'],
  ['init unknown flag', ['init', join(dir, 'app2'), '--bogus'], 2, 'cli-usage'],
  ['unknown command', ['nosuch'], 2, 'cli-usage'],
];

describe('every command\'s exit status per failure class, as README documents it', () => {
  test.each(ROWS)('%s', async (_, argv, code, id) => {
    const r = await cliAsync(...argv);
    expect(r.code, r.stderr).toBe(code);
    if (id !== '') expect(r.stderr).toContain(`(${id})`);
    // Bad input is one refusal and nothing on stdout, never part of an output.
    if (code === 2) expect(r.stdout).toBe('');
  });
});
