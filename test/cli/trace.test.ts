// `cdk8s-cilium trace` in-process through `run(argv, io)`, plus runs of the real bin (src/cli/main.ts as the main module,
// through tsx's CommonJS hook: `node --require tsx/cjs`, one process and no ESM loader thread, as the built bin is one
// CommonJS `node` process; ≈ 0.3 s of CPU less per run than `--import tsx`).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, cliAsync } from '../support/cli';
import { TRACE_JSON_SCHEMA } from '../../src/cli/trace';
import { processIo, run as runCli } from '../../src/cli/main';
import { EXAMPLES_DIR, SHARED_DIR } from '../support/shared';

const PROJECT = join(__dirname, '..', '..');
const L7 = join(EXAMPLES_DIR, 'v1.19/examples/policies/l7/http/simple/l7.yaml');
const FQDN = join(EXAMPLES_DIR, 'v1.19/examples/policies/l3/fqdn/fqdn.yaml');
const AUTH = join(EXAMPLES_DIR, 'v1.19/examples/policies/auth/auth.yaml');
/**
 * Cilium's example has no metadata.namespace: judged in default, with the warning that says so (session 46,
 * `engine-namespace-assumed`).
 */
const L7_NAMESPACE_WARNING = `${L7}:4: CiliumNetworkPolicy rule1 has no metadata.namespace: judged in namespace default; kubectl applies it to the `
  + 'namespace of -n or of its context (kubectl config view --minify), kustomize and Helm to theirs: the verdicts hold only if that is default '
  + '(engine-namespace-assumed)';
const KAFKA = join(EXAMPLES_DIR, 'v1.19/examples/policies/l7/kafka/kafka.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-trace-'));
/**
 * Hang guard of a spawned run (and of its test): a run takes a few seconds alone, but `npm test` runs the static checks
 * beside vitest's workers on a shared 2-core machine, where a spawned process gets a small share of a core.
 */
const SPAWN_TIMEOUT = 170_000;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const trace = (...extra: string[]): ReturnType<typeof cli> => cli('trace', '--policies', L7, '--from', 'pod:default:env=prod', '--to', 'pod:default:app=service', ...extra);

describe('cdk8s-cilium', () => {
  test('--version prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(cli('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('no command: usage on stderr, exit 2', () => {
    const r = cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: cdk8s-cilium/);
    expect(r.stderr).toMatch(/trace/);
    // Standard error takes one printable line a write (`printableStderr`): the help is written a line at a time, its lines kept.
    expect(r.stderr).not.toContain('\ufffd');
    expect(r.stderr.split('\n').filter((l) => /^ {2}(trace|validate|replay|draft|init|diff|report) /.test(l))).toHaveLength(7);
  });

  test('trace --help', () => {
    const r = cli('trace', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--policies <paths...>/);
    expect(r.stdout).toMatch(/icmp\/8/);
  });
});

describe('trace', () => {
  test('allowed: exit 0 and the explanation', () => {
    const r = trace('--port', '80/TCP', '--http', 'GET /public');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('ALLOWED pod:default:env=prod → pod:default:app=service 80/TCP GET /public');
    expect(r.stdout).toMatch(/ingress at pod:default:app=service: allowed by CiliumNetworkPolicy default\/rule1 spec\.ingress\[0\] \(L7 HTTP rule GET \/public\)/);
    expect(r.stderr).toBe(`warning: ${L7_NAMESPACE_WARNING}\n`);
  });

  test('denied: exit 1; L7-denied: exit 1', () => {
    expect(trace('--port', '8080').code).toBe(1);
    const l7 = trace('--port', '80/TCP', '--http', 'GET /private');
    expect(l7.code).toBe(1);
    expect(l7.stdout.split('\n')[0]).toBe('DENIED (L7: HTTP 403) pod:default:env=prod → pod:default:app=service 80/TCP GET /private');
  });

  test('--dns defaults the port to 53/UDP; a toFQDNs peer without its DNS rule explains why', () => {
    const dns = cli('trace', '--policies', FQDN, '--from', 'pod:default:app=test-app', '--to', 'pod:kube-system:k8s-app=kube-dns', '--dns', 'my-remote-service.com');
    expect(dns.code).toBe(0);
    expect(dns.stdout.split('\n')[0]).toBe('ALLOWED pod:default:app=test-app → pod:kube-system:k8s-app=kube-dns 53/UDP dns my-remote-service.com');
  });

  test('--kafka with version= and client=; a topic the rule needs and the request leaves out is unknown: denied, with a note', () => {
    const kafka = (request: string): ReturnType<typeof cli> => cli('trace', '--policies', KAFKA, '--from', 'pod:default:app=empire-hq', '--to', 'pod:default:app=kafka',
      '--port', '9092', '--kafka', request);
    const known = kafka('produce deathstar-plans version=3 client=hq');
    expect(known.code).toBe(0);
    expect(known.stdout.split('\n')[0]).toBe('ALLOWED pod:default:app=empire-hq → pod:default:app=kafka 9092/TCP kafka produce deathstar-plans version=3 client=hq');
    const unknown = kafka('produce');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout.split('\n')[0]).toBe('DENIED (L7: Kafka error) pod:default:app=empire-hq → pod:default:app=kafka 9092/TCP kafka produce');
    expect(unknown.stdout).toContain('the Kafka request does not give its topic, which Kafka rule apiKey=produce topic=deathstar-plans');
  });

  test('ICMP', () => {
    const r = trace('--port', 'icmp/8');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('DENIED pod:default:env=prod → pod:default:app=service icmp/8');
  });

  test('--output json: the documented, stable shape', () => {
    const r = trace('--port', '80/TCP', '--http', 'GET /private', '--output', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['schema', 'verdict', 'allowed', 'summary', 'from', 'to', 'connection', 'request', 'ciliumVersion', 'egress', 'ingress',
      'ciliumVersionSource', 'warnings', 'notes', 'hostFirewall', 'policyEnforcement', 'nonDefaultDenyPolicies']);
    expect(json).toMatchObject({
      schema: TRACE_JSON_SCHEMA, verdict: 'l7-denied', allowed: false, from: 'pod:default:env=prod', to: 'pod:default:app=service',
      connection: '80/TCP', request: 'GET /private', ciliumVersion: '1.19', warnings: [L7_NAMESPACE_WARNING],
      hostFirewall: { enabled: false, mode: 'auto-off' },
      policyEnforcement: 'default', nonDefaultDenyPolicies: true,
      egress: { direction: 'egress', endpoint: 'pod:default:env=prod', evaluated: true, decision: 'no-policy-default-allow', allowed: true, policies: [], notes: [] },
      ingress: {
        direction: 'ingress', evaluated: true, decision: 'l7-denied', allowed: true,
        rule: { kind: 'CiliumNetworkPolicy', name: 'rule1', namespace: 'default', file: L7, rule: 'spec', section: 'ingress', item: 0, path: 'spec.ingress[0]' },
        l7: { protocol: 'http', result: 'denied', rules: ['GET /public'] },
        policies: [{ kind: 'CiliumNetworkPolicy', name: 'rule1', namespace: 'default', file: L7 }],
      },
    });
    const side = json.ingress as Record<string, unknown>;
    expect(Object.keys(side)).toEqual(['direction', 'endpoint', 'evaluated', 'policies', 'decision', 'allowed', 'rule', 'l7', 'reason', 'notes']);
    expect(typeof side.reason).toBe('string');
  });

  test('options: --cilium-version, --cluster-name, --host-firewall, --policy-default-local-cluster', () => {
    const upgrade = join(EXAMPLES_DIR, 'v1.19/doc-inline/operations__upgrade__1.yaml');
    const args = ['trace', '--policies', upgrade, '--from', 'pod:default:name=bar,io.cilium.k8s.policy.cluster=east', '--to', 'pod:default:name=foo', '--port', '80'];
    expect(cli(...args).code).toBe(1);
    expect(cli(...args, '--cilium-version', '1.18').code).toBe(0);
    expect(cli(...args, '--policy-default-local-cluster', 'false').code).toBe(0);
    expect(cli(...args, '--cluster-name', 'east').code).toBe(0);
    const host = join(EXAMPLES_DIR, 'v1.19/examples/policies/host/demo-host-policy.yaml');
    const hostArgs = ['trace', '--policies', host, '--from', 'cidr:203.0.113.7', '--to', 'node:node-access=ssh', '--port', '80'];
    expect(cli(...hostArgs, '--no-host-firewall').code).toBe(0);
    expect(cli(...hostArgs, '--host-firewall').code).toBe(1);
    const auto = cli(...hostArgs);
    expect(auto.code).toBe(1);
    expect(auto.stdout).toMatch(/host firewall: on \(auto: the policies hold host policies/);
  });

  test('--allow-localhost: always/auto (default) lets the local host reach its pods; policy subjects it to policy', () => {
    const fromHost = ['trace', '--policies', L7, '--from', 'entity:host', '--to', 'pod:default:app=service', '--port', '80/TCP'];
    const always = cli(...fromHost);
    expect(always.code).toBe(0);
    expect(always.stdout).toMatch(/ingress at pod:default:app=service: allowed: traffic from the local host to its endpoints is always allowed \(allow-localhost/);
    expect(cli(...fromHost, '--allow-localhost', 'auto').code).toBe(0);
    const policy = cli(...fromHost, '--allow-localhost', 'policy');
    expect(policy.code).toBe(1);
    expect(policy.stdout).toMatch(/ingress at pod:default:app=service: default deny: 1 rule with ingress rules selects pod:default:app=service and none allows entity:host on 80\/TCP/);
    const bad = cli(...fromHost, '--allow-localhost', 'never');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/always, auto, policy/);
  });

  test('--policy-enforcement: always denies a pod no rule selects, never lifts every rule, default is the default', () => {
    // The L7 example selects app=service only: env=prod's egress and the other pod's ingress have no rules.
    const toOther = ['trace', '--policies', L7, '--from', 'pod:default:env=prod', '--to', 'pod:default:app=other', '--port', '80/TCP'];
    expect(cli(...toOther).code).toBe(0);
    expect(cli(...toOther, '--policy-enforcement', 'default').code).toBe(0);
    const always = cli(...toOther, '--policy-enforcement', 'always');
    expect(always.code).toBe(1);
    expect(always.stdout).toMatch(/egress at pod:default:env=prod: default deny: the agent runs with enable-policy=always/);
    // The L7 rule refuses this request by default; under never no rule applies.
    expect(trace('--port', '80/TCP', '--http', 'GET /private').code).toBe(1);
    const never = trace('--port', '80/TCP', '--http', 'GET /private', '--policy-enforcement', 'never');
    expect(never.code).toBe(0);
    expect(never.stdout).toMatch(/ingress at pod:default:app=service: allowed: the agent runs with enable-policy=never/);
    const bad = cli(...toOther, '--policy-enforcement', 'Always');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/default, always, never/);
  });

  test('--policy-enforcement never: entity:host under a host rule that selects nodes by their labels is allowed, not refused (exit 0)', () => {
    const file = join(scratch, 'host-role.yaml');
    writeFileSync(file, ['apiVersion: cilium.io/v2', 'kind: CiliumClusterwideNetworkPolicy', 'metadata: { name: host }',
      'spec:', '  nodeSelector: { matchLabels: { role: db } }',
      '  ingress: [{ fromEntities: [world], toPorts: [{ ports: [{ port: "22", protocol: TCP }] }] }]', ''].join('\n'));
    const args = ['trace', '--policies', file, '--from', 'cidr:203.0.113.9', '--to', 'entity:host', '--port', '23/TCP'];
    expect(cli(...args).code).toBe(2);
    const never = cli(...args, '--policy-enforcement', 'never');
    expect(never.stderr).toBe('');
    expect(never.code).toBe(0);
    expect(never.stdout).toMatch(/^ALLOWED cidr:203\.0\.113\.9 → entity:host 23\/TCP/);
    // No rule is read under never: not "none", as if no policy selected the node.
    expect(never.stdout).toContain('policies selecting entity:host: not read (enable-policy=never: no policy is enforced)');
  });

  test('--policy-enforcement on replay, diff and report: the same option as trace, judging under the mode given', async () => {
    const api = join(scratch, 'mode-api.yaml');
    const webOut = join(scratch, 'mode-web-out.yaml');
    const cnpText = (name: string, app: string, section: string): string => ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy',
      `metadata: { name: ${name}, namespace: default }`, 'spec:', `  endpointSelector: { matchLabels: { app: ${app} } }`, section, ''].join('\n');
    writeFileSync(api, cnpText('api', 'api', '  ingress: [{ fromEndpoints: [{ matchLabels: { app: web } }] }]'));
    writeFileSync(webOut, cnpText('web-out', 'web', '  egress: [{ toEndpoints: [{ matchLabels: { app: api } }] }]'));
    // replay: the sample's pods are selected by no rule, so only always drops what the cluster forwarded.
    const flows = join(SHARED_DIR, 'hubble-samples', 'hubble-otel.basic-sample-10-flows.jsonl');
    expect((await cliAsync('replay', '--policies', api, '--flows', flows)).code).toBe(0);
    const replayed = await cliAsync('replay', '--policies', api, '--flows', flows, '--policy-enforcement', 'always');
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toMatch(/3 would be dropped/);
    expect(replayed.stdout).toContain('default deny: the agent runs with enable-policy=always');
    // report: under never nothing is enforced, though a policy selects api.
    const report = JSON.parse((await cliAsync('report', '--policies', api, '--policy-enforcement', 'never', '--output', 'json')).stdout) as
      { connections: { from: string; to: string; reason: { text: string } }[] };
    expect(report.connections.find((c) => c.from === 'default/app=web' && c.to === 'default/app=api')?.reason.text)
      .toBe('allowed by egress of default/app=web: not enforced (enable-policy=never); ingress of default/app=api: not enforced (enable-policy=never)');
    // diff: web's egress rule newly allows web → api under always (default deny before); by default it allowed it already.
    const newlyAllowed = async (...extra: string[]): Promise<string[]> => (JSON.parse((await cliAsync('diff', '--base', api, '--head', api, webOut,
      '--output', 'json', ...extra)).stdout) as { changes: { from: string; to: string; after: string }[] }).changes
      .filter((c) => c.after === 'allowed').map((c) => `${c.from} → ${c.to}`);
    expect(await newlyAllowed()).toEqual([]);
    expect(await newlyAllowed('--policy-enforcement', 'always')).toEqual(['default/app=web → default/app=api']);
    expect((await cliAsync('report', '--policies', api, '--policy-enforcement', 'Always')).code).toBe(2);
  }, SPAWN_TIMEOUT);

  test('--mutual-auth: authentication required drops without it (auth-required, exit 1), passes with it', () => {
    const file = join(scratch, 'mutual-auth.yaml');
    writeFileSync(file, ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: { name: api, namespace: default }',
      'spec:', '  endpointSelector: { matchLabels: { app: api } }',
      '  ingress: [{ fromEndpoints: [{ matchLabels: { app: web } }], authentication: { mode: required } }]', ''].join('\n'));
    const args = ['trace', '--policies', file, '--from', 'pod:default:app=web', '--to', 'pod:default:app=api', '--port', '80/TCP'];
    const off = cli(...args, '--output', 'json');
    expect(off.code).toBe(1);
    expect(JSON.parse(off.stdout)).toMatchObject({ verdict: 'denied', ingress: { decision: 'auth-required', allowed: false } });
    const on = cli(...args, '--mutual-auth');
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/judged as passing with mutual authentication on/);
  });

  test('--ip-families: ::/0 selects the world of an IPv4-only cluster (the default) never, of a dual-stack one only the IPv6 world', () => {
    const file = join(scratch, 'world-v6.yaml');
    writeFileSync(file, ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: { name: out, namespace: default }',
      'spec:', '  endpointSelector: { matchLabels: { app: web } }', '  egress: [{ toCIDR: ["::/0"] }]', ''].join('\n'));
    const to = (peer: string): string[] => ['trace', '--policies', file, '--from', 'pod:default:app=web', '--to', peer, '--port', '443/TCP'];
    const v4 = cli(...to('entity:world'));
    expect(v4.code).toBe(1);
    expect(v4.stdout).toMatch(/::\/0 is the IPv6 world: it selects reserved:world-ipv6, which no address of an IPv4-only cluster has/);
    expect(cli(...to('entity:world'), '--ip-families', 'ipv4').code).toBe(1);
    expect(cli(...to('entity:world'), '--ip-families', 'dual').code).toBe(1);
    expect(cli(...to('entity:world-ipv6'), '--ip-families', 'dual').code).toBe(0);
    expect(cli(...to('cidr:2001:db8::1'), '--ip-families', 'dual').code).toBe(0);
    expect(cli(...to('entity:world'), '--ip-families', 'ipv6').code).toBe(0);
    const bad = cli(...to('entity:world'), '--ip-families', 'ipv5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ipv4, ipv6, dual/);
  });

  test('directories are read recursively; reader diagnostics become warnings', () => {
    const dir = join(EXAMPLES_DIR, 'v1.19/examples/policies/auth');
    const r = cli('trace', '--policies', dir, '--from', 'pod:default:run=ssh-client', '--to', 'pod:default:run=sshd', '--port', '22', '--output', 'json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { warnings: string[]; egress: { rule: { file: string } } };
    expect(json.warnings.join('\n')).toMatch(/auth\.yaml:\d+: unknown field auth .*\(parse-unknown-field\)/);
    expect(json.egress.rule.file).toBe(AUTH);
    const text = cli('trace', '--policies', dir, '--from', 'pod:default:run=ssh-client', '--to', 'pod:default:run=sshd', '--port', '22');
    expect(text.stderr).toMatch(/^warning: .*auth\.yaml:\d+: unknown field auth/m);
  });

  describe('bad input: exit 2 with one line on stderr, no stack trace', () => {
    const broken = join(scratch, 'broken.yaml');
    writeFileSync(broken, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x\n');
    const emptyDir = join(scratch, 'empty');
    mkdirSync(emptyDir);
    const workloadsOnly = join(scratch, 'workloads-only.yaml');
    writeFileSync(workloadsOnly, 'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec: {selector: {app: api}, ports: [{port: 80}]}\n');
    // Session 53 review: a policy the cluster rejects, alone, was ALLOWED, exit 0 (the set enforced no policy).
    const rejectedOnly = join(scratch, 'rejected-only.yaml');
    writeFileSync(rejectedOnly, 'apiVersion: cilium.io/v3\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\n'
      + 'spec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]\n');
    test.each([
      ['a bad endpoint', ['trace', '--policies', L7, '--from', 'pod:default', '--to', 'entity:moon', '--port', '80'], /^error: bad endpoint "entity:moon": unknown entity "moon" .*; fix: /],
      // kubectl's namespace/name: the Service form is offered, which the engine's own message does not know.
      ['namespace/name without a kind', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'shop/api:80'],
        /^error: bad endpoint "shop\/api:80": an endpoint starts with its kind \(engine-endpoint-syntax\); fix: for the pods of Service shop\/api write svc:shop\/api:80; /],
      // A word without a kind: the fix lists the forms, the Service form trace reads among them (the engine's list has none).
      ['a word without a kind', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'backend', '--port', '80'],
        /^error: bad endpoint "backend": unknown endpoint kind "backend" \(engine-endpoint-syntax\); fix: use pod:<namespace>:<k=v,\.\.\.>, .*; in trace also svc:<namespace>\/<name>\[:<port>\] \(the pods of a Service in --policies\)$/m],
      ['an address without its kind', ['trace', '--policies', L7, '--from', '10.0.0.5', '--to', 'pod:default:a=c', '--port', '80'],
        /^error: bad endpoint "10\.0\.0\.5": "10\.0\.0\.5" is an address without the endpoint kind \(engine-endpoint-syntax\); fix: write cidr:10\.0\.0\.5; the forms are .*; in trace also svc:/],
      ['a bad port', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80/QUIC'], /^error: bad port "80\/QUIC"/],
      ['no port', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c'], /^error: no --port given/],
      ['a missing option', ['trace', '--policies', L7, '--from', 'pod:default:a=b'], /^error: required option '--to <endpoint>' not specified \(cli-usage\); fix: see cdk8s-cilium --help/],
      ['a missing file', ['trace', '--policies', join(scratch, 'nope.yaml'), '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80'], /^error: .*nope\.yaml does not exist/],
      ['a directory without a policy (ALLOWED would say nothing)', ['trace', '--policies', emptyDir, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80'],
        /^error: .*empty: .*empty holds no \.yaml, \.yml or \.json file \(\.git and node_modules are not read\) \(input-not-found\); fix: give the directory/],
      ['manifests without a policy', ['trace', '--policies', workloadsOnly, '--from', 'pod:shop:a=b', '--to', 'svc:shop/api:80'], /^error: --policies .*workloads-only\.yaml: no CiliumNetworkPolicy/],
      ['a policy the cluster rejects, and no other (ALLOWED would say nothing)', ['trace', '--policies', rejectedOnly, '--from', 'pod:shop:app=x', '--to', 'pod:shop:app=api',
        '--port', '80'], /^error: --policies .*rejected-only\.yaml: no policy the cluster enforces \(the policy read is skipped\); read: \S*rejected-only\.yaml:1: apiVersion is "cilium\.io\/v3", but CiliumNetworkPolicy is served only as cilium\.io\/v2 \(and 1 more\); without one every connection is allowed \(cli-no-policies\)/],
      ['broken YAML', ['trace', '--policies', broken, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80'], /^error: .*broken\.yaml:\d+: /],
      ['a bad --kafka field', ['trace', '--policies', KAFKA, '--from', 'pod:default:app=empire-hq', '--to', 'pod:default:app=kafka', '--port', '9092', '--kafka', 'produce v=3'],
        /^error: bad Kafka request "produce v=3": unknown field "v" \(the fields are version= and client=\) \(engine-kafka-syntax\); fix: write <apiKey> \[<topic>\] \[version=<n>\] \[client=<id>\]/],
      ['a bad version', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80', '--cilium-version', '1.9'], /^error: --cilium-version: unsupported Cilium version "1.9"/],
      ['a bad output format', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80', '--output', 'xml'], /^error: option '--output <format>' argument 'xml' is invalid\. Allowed choices are text, json \(cli-usage\); fix: /],
      ['an unknown command', ['frobnicate'], /^error: unknown command 'frobnicate' \(cli-usage\); fix: /],
      // commander's suggestion is a second line of its own: joined into the one line, with the id and the fix.
      ['a misspelt option', ['trace', '--policies', L7, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80', '--ouptut', 'json'],
        /^error: unknown option '--ouptut' \(Did you mean --output\?\) \(cli-usage\); fix: see cdk8s-cilium --help for the commands, cdk8s-cilium <command> --help for its options/],
      // commander checks required options first: a misspelt one was "not specified", as if the user had not given it.
      ['a misspelt required option', ['trace', '--polices', L7, '--from', 'pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80'],
        /^error: unknown option '--polices': --policies <paths\.\.\.> is required and not given \(cli-usage\); fix: did you mean --policies\? /],
      ['a misspelt required option, with =', ['trace', '--policies', L7, '--form=pod:default:a=b', '--to', 'pod:default:a=c', '--port', '80'],
        /^error: unknown option '--form': --from <endpoint> is required and not given \(cli-usage\); fix: did you mean --from\? /],
      ['a megabyte given to --from: the line is clipped, its id and fix kept', ['trace', '--policies', L7, '--from', `pod:default:${'x'.repeat(1_000_000)}`, '--to',
        'pod:default:a=c', '--port', '80'], /^error: bad endpoint "pod:default:x+… \(\d+ more characters\) \(engine-endpoint-syntax\); fix: .{1,2000}\n$/],
    ])('%s', (_name, argv, message) => {
      const r = cli(...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });

  test('--help beside a misspelt required option prints the help (exit 0)', () => {
    const r = cli('trace', '--polices', L7, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cdk8s-cilium trace \[options\]/);
  });

  test('the bin runs through tsx (spawned)', () => {
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', join('src', 'cli', 'main.ts'), 'trace', '--policies', L7, '--from', 'pod:default:env=prod', '--to', 'pod:default:app=service',
      '--port', '80/TCP', '--http', 'GET /private', '--output', 'json'], { cwd: PROJECT, encoding: 'utf8', timeout: SPAWN_TIMEOUT });
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { verdict: string }).verdict).toBe('l7-denied');
    const bad = spawnSync(process.execPath, ['--require', 'tsx/cjs', join('src', 'cli', 'main.ts'), 'trace', '--policies', L7, '--from', 'x', '--to', 'y', '--port', '80'],
      { cwd: PROJECT, encoding: 'utf8', timeout: SPAWN_TIMEOUT });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: bad endpoint "x"/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, SPAWN_TIMEOUT + 10_000);

  test('a reader that closes the pipe early (| head -c 1): the command\'s own status, no stack trace (spawned)', () => {
    // The HTML report of 40 policies (about 235 KB) is more than three times what a pipe buffers (64 KiB on Linux); the
    // text report needs 120 policies for 150 KB, and the report's cost grows with the square of its classes.
    const many = join(scratch, 'many.yaml');
    writeFileSync(many, Array.from({ length: 40 }, (_, i) => readFileSync(L7, 'utf8').replace('name: "rule1"', `name: "rule${i}"`)
      .replace('app: service', `app: service-${i}`)).join('\n---\n'));
    const r = spawnSync('bash', ['-c', 'set -o pipefail; "$@" | head -c 1 > /dev/null', 'cdk8s-cilium', process.execPath, '--require', 'tsx/cjs', join('src', 'cli', 'main.ts'),
      'report', '--policies', many, '--output', 'html'], { cwd: PROJECT, encoding: 'utf8', timeout: SPAWN_TIMEOUT });
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(r.status).toBe(0);
  }, SPAWN_TIMEOUT + 10_000);

  test.skipIf(!existsSync('/dev/full'))('output that cannot be written (> a full disk): exit 2 and one line, never exit 1 read as DENIED', () => {
    // Session 45: ENOSPC was rethrown from the stdout error handler: a stack trace and exit 1, which a CI step reads as
    // DENIED (trace) or as findings (validate). In-process, standard output a real /dev/full (the kernel's ENOSPC); the bin's
    // own wiring of `processIo` to the process is the spawned runs above and below.
    const r = devFullRun(1, 'trace', '--policies', L7, '--from', 'pod:default:env=prod', '--to', 'pod:default:app=service', '--port', '80/TCP', '--http', 'GET /public');
    expect(r.stderr).toBe(`warning: ${L7_NAMESPACE_WARNING}\n`
      + 'error: cannot write the output: no space left on device (ENOSPC); what was written is incomplete (cli-write); '
      + 'fix: free space on the device the output goes to, or write it elsewhere\n');
    expect(r.exit).toBe(2);
  });

  test('output cut short by a file-size limit (ulimit -f 1): exit 2 and one line, not exit 0 with 1,024 bytes (spawned)', () => {
    // Session 45: a short write(2) (the limit reached mid-output) was not checked by Node's stdout: `validate --format sarif`
    // wrote 1,024 of 313,831 bytes and exited 0; the next write's EFBIG came after the command had finished.
    const out = join(scratch, 'short.json');
    const r = spawnSync('bash', ['-c', 'trap "" XFSZ; ulimit -f 1; "$@" > "$OUT"', 'cdk8s-cilium', process.execPath, '--require', 'tsx/cjs', join('src', 'cli', 'main.ts'),
      'trace', '--policies', L7, '--from', 'pod:default:env=prod', '--to', 'pod:default:app=service', '--port', '80/TCP', '--http', 'GET /public', '--output', 'json'],
    { cwd: PROJECT, encoding: 'utf8', timeout: SPAWN_TIMEOUT, env: { ...process.env, OUT: out } });
    expect(readFileSync(out).length).toBe(1024);
    expect(r.stderr).toBe('error: cannot write the output: file too large (EFBIG); what was written is incomplete (cli-write); '
      + 'fix: raise the file-size limit (ulimit -f) or write the output elsewhere\n');
    expect(r.status).toBe(2);
  }, SPAWN_TIMEOUT + 10_000);

  test.skipIf(!existsSync('/dev/full'))('standard error that cannot be written (2> /dev/full): the command\'s exit code, no crash', () => {
    // Session 45: the uncaught ENOSPC of stderr turned a usage error's exit 2 into 1. In-process, standard error a real
    // /dev/full.
    const r = devFullRun(2, 'trace', '--policies', L7, '--from', 'x', '--to', 'y', '--port', '80');
    expect([r.exit, r.stdout]).toEqual([2, '']);
  });
});

/**
 * `cdk8s-cilium <argv>` in-process through `run` with `processIo`, one of its descriptors (1: stdout, 2: stderr) written to
 * a real /dev/full (every write fails with the kernel's ENOSPC), the other collected. `exit` is the code the process would
 * exit with: the code given to `processIo`'s exit, else the command's; after that exit nothing more is written (a process
 * that has exited writes nothing).
 */
function devFullRun(full: 1 | 2, ...argv: string[]): { exit: number; stdout: string; stderr: string } {
  const fd = openSync('/dev/full', 'w');
  const written = ['', '', ''];
  let exited: number | undefined;
  try {
    const io = processIo((code) => {
      exited ??= code;
      throw new Error(`process.exit(${code})`);
    }, (target, buffer, offset) => {
      if (exited === undefined && target === full) return writeSync(fd, buffer, offset);
      if (exited === undefined) written[target] += Buffer.from(buffer.subarray(offset)).toString('utf8');
      return buffer.length - offset;
    });
    const code = runCli(argv, io);
    return { exit: exited ?? code, stdout: written[1], stderr: written[2] };
  } finally {
    closeSync(fd);
  }
}

describe('processIo: every byte written, or the failure handled', () => {
  const run = (results: (number | string)[]) => {
    const calls: [number, number][] = [];
    const exits: number[] = [];
    let stderr = '';
    const io = processIo((code) => {
      exits.push(code);
      throw new Error('exit');
    }, (fd, buffer, offset) => {
      calls.push([fd, offset]);
      const next = results.shift() ?? buffer.length - offset;
      if (typeof next === 'string') throw Object.assign(new Error(`${next}: failed, write`), { code: next });
      if (fd === 2) stderr += Buffer.from(buffer.subarray(offset, offset + next)).toString();
      return next;
    });
    return { io, calls, exits, stderr: () => stderr };
  };

  test('a short write is followed by the rest; an error after it is exit 2 naming the error', () => {
    const ok = run([3]);
    ok.io.stdout('0123456789');
    expect(ok.calls).toEqual([[1, 0], [1, 3]]);
    const short = run([3, 'EFBIG']);
    expect(() => short.io.stdout('0123456789')).toThrow('exit');
    expect([short.exits, short.stderr()]).toEqual([[2], 'error: cannot write the output: failed (EFBIG); what was written is incomplete (cli-write); '
      + 'fix: raise the file-size limit (ulimit -f) or write the output elsewhere\n']);
  });

  test('EPIPE drops the rest of the output quietly; an error writing stderr is ignored; EAGAIN is waited on', () => {
    const pipe = run(['EPIPE']);
    pipe.io.stdout('a');
    pipe.io.stdout('b');
    expect([pipe.calls, pipe.exits]).toEqual([[[1, 0]], []]);
    const err = run(['ENOSPC']);
    expect(() => err.io.stderr('x')).not.toThrow();
    const again = run(['EAGAIN', 1]);
    again.io.stdout('ab');
    expect(again.calls).toEqual([[1, 0], [1, 0], [1, 1]]);
  });
});

describe('trace with NetworkPolicies and rejected policies', () => {
  test('NetworkPolicies in the files decide, named with their rule; a rejected CNP is skipped with a warning', () => {
    const file = join(scratch, 'mixed.yaml');
    writeFileSync(file, [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: {name: api, namespace: shop}',
      'spec:',
      '  podSelector: {matchLabels: {app: api}}',
      '  ingress:',
      '  - from: [{podSelector: {matchLabels: {app: web}}}]',
      '    ports: [{port: 8080}]',
      '---',
      'apiVersion: cilium.io/v2',
      'kind: CiliumNetworkPolicy',
      'metadata: {name: broken, namespace: shop}',
      'spec:',
      '  endpointSelector: {matchLabels: {app: api}}',
      '  ingress:',
      '  - toPorts: [{ports: [{port: "9090", protocol: tcp}]}]',
      '',
    ].join('\n'));
    const allowed = cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080/TCP');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('allowed by NetworkPolicy shop/api spec.ingress[0].from[0]');
    expect(allowed.stderr).toMatch(/warning: .*CiliumNetworkPolicy shop\/broken is skipped .*crd-protocol/);
    const denied = cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '9090/TCP');
    expect(denied.code).toBe(1);
  });
});

describe('trace: an end whose policy the agent refuses (review)', () => {
  // Two authentication modes for one peer on one port: the agent cannot merge them and keeps the endpoint's previous policy.
  const file = join(scratch, 'auth-conflict.yaml');
  writeFileSync(file, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
    authentication: { mode: disabled }
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
    authentication: { mode: required }
`);

  test('is refused (exit 2, engine-policy-refused) on either end, never a verdict the agent does not enforce', () => {
    for (const [from, to, flag] of [['pod:prod:app=web', 'pod:prod:app=api', '--to'], ['pod:prod:app=api', 'pod:prod:app=web', '--from']]) {
      const r = cli('trace', '--policies', file, '--from', from, '--to', to, '--port', '8080', '--output', 'json');
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(new RegExp(`^error: ${flag} pod:prod:app=api: Cilium refuses the policy of this endpoint: CiliumNetworkPolicy prod/api spec\\.ingress\\[0\\] `
        + 'has authentication mode disabled and CiliumNetworkPolicy prod/api spec\\.ingress\\[1\\] mode required on ingress 8080/TCP'));
      expect(r.stderr).toContain('(engine-policy-refused); fix: give both items the same mode; `cdk8s-cilium validate` reports it as pitfall-auth-mode-conflict\n');
    }
    // Ends whose policies the agent computes are judged as before.
    expect(cli('trace', '--policies', file, '--from', 'pod:prod:app=web', '--to', 'pod:prod:app=db', '--port', '8080').code).toBe(0);
  });
});

describe('trace: from 1.18, two L7 parsers on one port for other peers (one proxy redirect of either parser)', () => {
  // HTTP from web, Kafka from worker, on 8080/TCP: the agent takes the policy (per-selector parsers), but the port has
  // one redirect, made with the parser it meets first (pkg/endpoint addNewRedirects): what api enforces is not known.
  const file = join(scratch, 'parser-redirect.yaml');
  writeFileSync(file, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { http: [{ method: GET }] } }]
  - fromEndpoints: [{ matchLabels: { app: worker } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { kafka: [{ topic: orders }] } }]
`);

  test('refused (exit 2, engine-policy-refused) on 1.18 and 1.19 as a policy not known; on 1.17 as the agent\'s refusal', () => {
    for (const version of ['1.18', '1.19']) {
      const r = cli('trace', '--policies', file, '--cilium-version', version, '--from', 'pod:prod:app=web', '--to', 'pod:prod:app=api',
        '--port', '8080', '--http', 'GET /');
      expect([r.code, r.stdout], version).toEqual([2, '']);
      expect(r.stderr).toMatch(new RegExp('^error: --to pod:prod:app=api: the policy Cilium enforces for this endpoint is not known: CiliumNetworkPolicy '
        + 'prod/api spec\\.ingress\\[0\\] has http rules and CiliumNetworkPolicy prod/api spec\\.ingress\\[1\\] kafka rules on ingress 8080/TCP for '
        + 'other peers: from 1\\.18 the agent takes both, but the port gets one proxy redirect'));
      expect(r.stderr).toContain('the inputs do not say which proxy the port\'s one redirect goes to, so no verdict on them is what Cilium enforces');
      expect(r.stderr).toContain('fix: give each protocol its own port; `cdk8s-cilium validate` reports it as pitfall-l7-parser-conflict\n');
    }
    const old = cli('trace', '--policies', file, '--cilium-version', '1.17', '--from', 'pod:prod:app=web', '--to', 'pod:prod:app=api', '--port', '8080');
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/^error: --to pod:prod:app=api: Cilium refuses the policy of this endpoint: .* and it cannot merge conflicting L7 parsers/);
  });
});

// Session 45: a workload beside the policies whose label value is no string (`country: NO`, which kubectl sends as false)
// was read as text (country=false): the named port `http` resolved through it and trace judged the connection. The API
// server refuses such a Pod, so the inputs are refused as `--inventory` refuses it, at its line, with the value quoted.
describe('trace: a workload of the policy files with a label value that is no string is refused (never read as text)', () => {
  const files = (label: string): string => {
    const file = join(scratch, 'np-label.yaml');
    writeFileSync(file, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: default}\nspec:\n'
      + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: http, protocol: TCP}]}]}]\n'
      + '---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: w\n  namespace: default\n  labels:\n    app: web\n'
      + `    ${label}\nspec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\n`);
    return file;
  };
  test.each([
    ['country: NO', 'labels.country must be a string, got a boolean (false) (unquoted NO is a YAML 1.1 boolean: kubectl, Helm, Argo CD and Flux send false)',
      'quote it: "NO"'],
    ['version: 1.10', 'labels.version must be a string, got a number (1.1)', 'quote it: "1.10"'],
  ])('%s: exit 2 at its line; quoted, judged', (label, what, fix) => {
    const file = files(label);
    const args = ['trace', '--policies', file, '--from', 'pod:default:app=client', '--to', 'pod:default:app=web', '--port', '8080/TCP'];
    const r = cli(...args);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`error: ${file}:15: ${what}; the API server refuses the Pod default/w (labels and annotations are strings), so it is not read (parse-wrong-type); `
      + `fix: ${fix}\n`);
    files(label.replace(/: (.*)/, ': "$1"'));
    expect(cli(...args)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ALLOWED/) });
  });
});
