// `cdk8s-cilium diff` and `report` in-process: outputs, --fail-on exit statuses, bad input (exit 2).
import { constants } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { ConnectivityFormat } from '../../src/diff/format';
import { cliAsync } from '../support/cli';
import { SHARED_DIR } from '../support/shared';
import { webToApi } from './support';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-diff-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function policy(ports: readonly number[], deny = false): string {
  return webToApi(ports, { extra: deny ? '  ingressDeny:\n  - fromEndpoints: [{ matchLabels: { app: web, version: v1 } }]\n' : '' });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const base = file('base.yaml', policy([8080]));
const opened = file('opened.yaml', policy([8080, 9090]));
const denied = file('denied.yaml', policy([8080], true));
const both = file('both.yaml', policy([8080, 9090], true));

const cli = cliAsync;

describe('diff', () => {
  test('text: the summary, then each change with the deciding rule on each side', async () => {
    const r = await cli('diff', '--base', base, '--head', opened);
    expect(r.code).toBe(0);
    // The agent settings the verdicts hold under (session 55): one header line.
    expect(r.stdout.split('\n')[3]).toMatch(/^agent settings: Cilium 1\.\d+, enable-policy=default, enable-non-default-deny-policies on, allow-localhost=always, host firewall off, /);
    expect(r.stdout.split('\n').slice(1).filter((l) => !l.startsWith('agent settings: '))).toEqual([
      'IP families: ipv4 (the default; --ip-families sets them)',
      'SCTP: not judged (enable-sctp off, Cilium\'s default: the datapath drops SCTP before any policy, so any and ANY here are TCP and UDP; '
        + '--sctp if the cluster enables it)',
      'NEWLY ALLOWED',
      '  + prod/app=web → prod/app=api 9090/TCP',
      '      before: default deny at ingress of prod/app=api (selected by CiliumNetworkPolicy prod/api)',
      '      after:  allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0]',
      '',
    ]);
    expect(r.stdout.split('\n')[0]).toMatch(/^connectivity diff: .*base\.yaml \(1 policy\) → .*opened\.yaml \(1 policy\): 1 newly allowed, 0 newly denied$/);
  });

  test('no change: one line saying so', async () => {
    const r = await cli('diff', '--base', base, '--head', base, '--fail-on', 'any');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no connectivity change between the 7 endpoint classes');
  });

  test('json: the document, newly allowed first', async () => {
    const r = await cli('diff', '--base', base, '--head', both, '--output', 'json');
    expect(r.code).toBe(0);
    type Change = { from: string; to: string; ports: string[]; before: string; after: string };
    const doc = JSON.parse(r.stdout) as { schema: string; summary: unknown; changes: Change[] };
    expect(doc.schema).toBe('cdk8s-cilium/diff/v1');
    expect(doc.summary).toEqual({ newlyAllowed: 1, newlyDenied: 1 });
    expect(doc.changes.map((c) => [c.from, c.to, c.ports, c.before, c.after])).toEqual([
      ['prod/app=web', 'prod/app=api', ['9090/TCP'], 'denied', 'allowed'],
      ['prod/app=web,version=v1', 'prod/app=api', ['8080/TCP'], 'allowed', 'denied'],
    ]);
    expect(Object.keys(doc)).toEqual(['schema', 'base', 'head', 'ipFamilies', 'sctp', 'settings', 'summary', 'endpoints', 'changes']);
    // No --ip-families and no capture: Cilium's default, said so.
    expect((doc as unknown as { ipFamilies: unknown }).ipFamilies).toEqual({ judged: 'ipv4', source: 'default' });
  });

  test('json is byte-identical from run to run', async () => {
    const a = await cli('diff', '--base', base, '--head', both, '--output', 'json');
    const b = await cli('diff', '--base', base, '--head', both, '--output', 'json');
    expect(a.stdout).toBe(b.stdout);
  });

  test('markdown: a summary line and a table, cell text escaped', async () => {
    const r = await cli('diff', '--base', base, '--head', opened, '--output', 'markdown');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\*\*Connectivity diff\*\* \(.*\): 1 newly allowed, 0 newly denied$/);
    expect(lines[2]).toBe('IP families: ipv4 (the default; --ip-families sets them)');
    expect(lines[4]).toMatch(/^agent settings: Cilium 1\.\d+, enable-policy=default, /);
    expect(lines.slice(6)).toEqual([
      '| Change | From | To | Ports | L7 | Before | After |',
      '|---|---|---|---|---|---|---|',
      '| 🟢 newly allowed | prod/app=web | prod/app=api | 9090/TCP |  | denied: default deny at ingress of prod/app=api (selected by '
        + 'CiliumNetworkPolicy prod/api) | allowed by ingress CiliumNetworkPolicy prod/api spec.ingress\\[0\\] |',
    ]);
  });

  test('html: one page', async () => {
    const r = await cli('diff', '--base', base, '--head', opened, '--output', 'html');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  test.each([
    ['allowed', opened, 1], ['denied', opened, 0], ['any', opened, 1],
    ['allowed', denied, 0], ['denied', denied, 1], ['any', denied, 1],
    ['any', base, 0],
  ] as const)('--fail-on %s with %s: exit %i', async (failOn, head, code) => {
    expect((await cli('diff', '--base', base, '--head', head, '--fail-on', failOn)).code).toBe(code);
  });

  // Session 47: an L7 change counted as `allowed` only, so `--fail-on denied` passed on HTTP rules added to an open port
  // or narrowed (GET /a → GET /b): requests that passed are refused (HTTP 403) once applied.
  describe('an L7 change counts as the requests it may let through or refuse', () => {
    const http = (rules: string): string => `${webToApi([8080]).replace('toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]',
      `toPorts: [{ ports: [{ port: "8080", protocol: TCP }]${rules === '' ? '' : `, rules: { http: [${rules}] } `}}]`)}`;
    const none = file('l7-none.yaml', http(''));
    const getA = file('l7-get-a.yaml', http('{ method: GET, path: /a }'));
    const getB = file('l7-get-b.yaml', http('{ method: GET, path: /b }'));
    const getAB = file('l7-get-ab.yaml', http('{ method: GET, path: /b }, { method: GET, path: /a }'));
    test.each([
      ['rules added', 'denied', 1, none, getA], ['rules added', 'allowed', 0, none, getA],
      ['rules removed', 'allowed', 1, getA, none], ['rules removed', 'denied', 0, getA, none],
      ['rules changed', 'allowed', 1, getA, getB], ['rules changed', 'denied', 1, getA, getB], ['rules changed', 'any', 1, getA, getB],
      ['no change', 'any', 0, getA, getA],
      // Review (session 47): rules compared as sets. A rule added beside rules lets more through and refuses nothing that
      // passed (it exited 1 under --fail-on denied); a rule taken away refuses, and lets nothing new through.
      ['a rule added beside rules', 'allowed', 1, getA, getAB], ['a rule added beside rules', 'denied', 0, getA, getAB],
      ['a rule taken away, one left', 'allowed', 0, getAB, getA], ['a rule taken away, one left', 'denied', 1, getAB, getA],
    ] as const)('%s: --fail-on %s, exit %i', async (_, failOn, code, from, to) => {
      expect((await cli('diff', '--base', from, '--head', to, '--fail-on', failOn)).code).toBe(code);
    });

    test('the JSON change says what it may do: l7MayAllow, l7MayDeny', async () => {
      const changes = async (from: string, to: string): Promise<unknown> =>
        (JSON.parse((await cli('diff', '--base', from, '--head', to, '--output', 'json')).stdout) as { changes: unknown[] }).changes;
      expect(await changes(getA, getAB)).toEqual([expect.objectContaining({ l7Before: 'HTTP GET /a', l7: 'HTTP GET /a | GET /b', l7MayAllow: true, l7MayDeny: false })]);
      expect(await changes(none, getA)).toEqual([expect.objectContaining({ l7: 'HTTP GET /a', l7MayAllow: false, l7MayDeny: true })]);
      expect(await changes(getA, none)).toEqual([expect.objectContaining({ l7Before: 'HTTP GET /a', l7MayAllow: true, l7MayDeny: false })]);
      expect(await changes(getA, getB)).toEqual([expect.objectContaining({ l7MayAllow: true, l7MayDeny: true })]);
    });
  });

  test('without --fail-on a change exits 0', async () => {
    expect((await cli('diff', '--base', base, '--head', both)).code).toBe(0);
  });

  test.each([
    [['--base', join(dir, 'missing.yaml'), '--head', base], /missing\.yaml is neither an existing file or directory nor a commit/],
    [['--base', base, '--head', join(dir, 'missing.yaml')], /missing\.yaml does not exist/],
    [['--base', base, '--head', base, '--output', 'xml'], /--output/],
    [['--base', base, '--head', base, '--fail-on', 'sometimes'], /--fail-on/],
    [['--base', base, '--head', file('bad.yaml', 'kind: [')], /bad\.yaml/],
    [['--head', base], /--base/],
    [['--base', base, '--head', base, '--flows', file('binary.jsonl', '\u0000\u0001 not a capture\nstill not\n')], /^error: .*binary\.jsonl:1: no line of 2 is a Hubble flow record \(2 malformed; line 1: .*\(hubble-no-flows\)/],
  ])('bad input %j: exit 2 with one line', async (argv, message) => {
    const r = await cli('diff', ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('report', () => {
  test('text: every allowed connection with what allows it', async () => {
    const r = await cli('report', '--policies', opened);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  prod/app=web → prod/app=api 8080/TCP, 9090/TCP\n      allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0]\n');
    expect(r.stdout).not.toMatch(/prod\/\(other pods\) → prod\/app=api/);
  });

  test('json: the report document', async () => {
    const r = await cli('report', '--policies', opened, '--output', 'json');
    const doc = JSON.parse(r.stdout) as { schema: string; connections: { from: string; to: string; ports: string[] }[] };
    expect(doc.schema).toBe('cdk8s-cilium/report/v1');
    // The local host reaches its pods (allow-localhost), the other pods do not.
    expect(doc.connections.filter((c) => c.to === 'prod/app=api').map((c) => [c.from, c.ports])).toEqual([['prod/app=web', ['8080/TCP', '9090/TCP']], ['host', ['any']]]);
  });

  test('markdown and html', async () => {
    expect((await cli('report', '--policies', opened, '--output', 'markdown')).stdout).toMatch(/^\*\*Connectivity report\*\*/);
    expect((await cli('report', '--policies', opened, '--output', 'html')).stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  test('an inventory gives the classes: its workloads', async () => {
    const pods = file('pods.json', JSON.stringify({
      apiVersion: 'v1', kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-1', namespace: 'prod', labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      ],
    }));
    const r = await cli('report', '--policies', opened, '--inventory', pods, '--output', 'json');
    expect(r.code).toBe(0);
    type Doc = { endpoints: { id: string; workloads?: string[] }[]; connections: { from: string; to: string; ports: string[] }[] };
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.endpoints.filter((e) => e.workloads).map((e) => [e.id, e.workloads])).toEqual([['prod/api-1', ['Pod prod/api-1']], ['prod/web-1', ['Pod prod/web-1']]]);
    expect(doc.connections.filter((c) => c.to === 'prod/api-1').map((c) => [c.from, c.ports])).toEqual([['prod/web-1', ['8080/TCP', '9090/TCP']], ['host', ['any']]]);
  });

  test('an inventory of JSON nested too deep (Lists in Lists) is refused with its file and line, not a stack overflow', async () => {
    const deep = file('deep-pods.json', `${'{"kind":"List","items":['.repeat(20_000)}${']}'.repeat(20_000)}`);
    for (const command of ['report', 'diff']) {
      const r = await cli(command, ...(command === 'report' ? ['--policies', opened] : ['--base', base, '--head', opened]), '--inventory', deep);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${deep}:1: the input nests more than 100 levels deep (line 1); it is not read (cli-yaml); `
        + 'fix: nest at most 100 levels deep (Cilium policies need about 15)\n');
    }
  });

  test('a kubectl dump as kubectl writes it is read (status, owners, probes, a Service, a Namespace, generateName)', async () => {
    const pods = file('real-pods.json', JSON.stringify({
      apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' },
      items: [
        {
          apiVersion: 'v1', kind: 'Pod',
          metadata: {
            name: 'web-5d9c7b7f4-abcde', generateName: 'web-5d9c7b7f4-', namespace: 'prod', uid: '1b2c', resourceVersion: '42',
            labels: { 'app': 'web', 'pod-template-hash': '5d9c7b7f4', 'app.kubernetes.io/part-of': 'shop' },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c7b7f4', uid: 'x', controller: true }],
          },
          spec: {
            serviceAccountName: 'web', hostNetwork: false, restartPolicy: 'Always',
            containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }], readinessProbe: { httpGet: { port: 'http' } } }],
            initContainers: [{ name: 'proxy', image: 'p:1', restartPolicy: 'Always', ports: [{ containerPort: 15001, protocol: 'TCP' }] }],
          },
          status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
        },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod' } }, spec: { finalizers: ['kubernetes'] } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'prod' },
          spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { port: 9090, targetPort: 9090 }] } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'prod' }, data: { a: 'b' } },
      ],
    }));
    const r = await cli('report', '--policies', opened, '--inventory', pods, '--output', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('a PodList (the API\'s own list kind) is read as a List, in JSON and in YAML', async () => {
    const item = (name: string, app: string): Record<string, unknown> => ({ kind: 'Pod', metadata: { name, namespace: 'prod', labels: { app } }, spec: { containers: [] } });
    const json = file('podlist.json', JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [item('web-1', 'web'), item('api-1', 'api')] }));
    const yaml = file('podlist.yaml', `apiVersion: v1\nkind: PodList\nitems:\n${[item('web-1', 'web'), item('api-1', 'api')].map((i) => `- ${JSON.stringify(i)}`).join('\n')}\n`);
    for (const path of [json, yaml]) {
      const r = await cli('report', '--policies', opened, '--inventory', path, '--output', 'json');
      expect(r.stderr).toBe('');
      const doc = JSON.parse(r.stdout) as { endpoints: { id: string; workloads?: string[] }[] };
      expect(doc.endpoints.filter((e) => e.workloads).map((e) => e.id)).toEqual(['prod/api-1', 'prod/web-1']);
    }
  });

  describe('an inventory the manifest reader would read as something else than written is refused (exit 2), never read as no labels', () => {
    const pod = (labels: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', labels }, spec: { containers: [{ name: 'c', image: 'x' }] }, ...extra,
    });
    const list = (...items: unknown[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
    test.each([
      ['labels as a string', list(pod('app=web')), 'items[0] (Pod prod/web-1): metadata.labels is a string, not a map of labels'],
      ['a label value that is a mapping', list(pod({ app: { x: 1 } })), 'items[0] (Pod prod/web-1): metadata.labels.app is a mapping, not a label value'],
      ['a label value Kubernetes refuses', list(pod({ app: 'a p i' })), 'items[0] (Pod prod/web-1): metadata.labels.app "a p i" is not a label value'],
      ['an item that is no object', list('web-1', pod({ app: 'web' })), 'items[0] of the List is a string ("web-1"), not a Kubernetes object'],
      ['an item without kind', list({ metadata: { name: 'web-1' } }), 'items[0].kind is missing: not a Kubernetes object'],
      ['items that are no list', JSON.stringify({ kind: 'List', items: { a: 1 } }), 'items of the List is a mapping, not a list'],
      ['a PodList item', JSON.stringify({ kind: 'PodList', items: [pod({ app: 'web' }), 7] }), 'items[1] of the PodList is a number (7), not a Kubernetes object'],
      ['a Namespace whose labels are a list', list({ kind: 'Namespace', metadata: { name: 'prod', labels: ['team', 'pay'] } }),
        'items[0] (Namespace prod): metadata.labels is a list, not a map of labels'],
      ['a container port that is a string', list(pod({ app: 'web' }, { spec: { containers: [{ name: 'c', ports: [{ containerPort: '8080', name: 'http' }] }] } })),
        'items[0] (Pod prod/web-1): spec.containers[0].ports[0].containerPort "8080" is not a port number (1-65535)'],
      ['a pod without a name', list({ kind: 'Pod', metadata: { namespace: 'prod', labels: { app: 'web' } } }), 'items[0] (Pod): metadata.name is missing'],
      ['a Deployment without a pod template', list({ kind: 'Deployment', metadata: { name: 'web', namespace: 'prod' }, spec: {} }),
        'items[0] (Deployment prod/web): spec.template is missing'],
      ['a Service selector of the wrong type', list({ kind: 'Service', metadata: { name: 'api', namespace: 'prod' }, spec: { selector: 'app=api' } }),
        'items[0] (Service prod/api): spec.selector is a string, not a map of labels'],
      ['a top-level array', JSON.stringify([pod({ app: 'web' })]), 'the document is a list, not a Kubernetes object'],
    ])('%s', async (_name, text, message) => {
      const path = file('bad-inventory.json', text);
      for (const command of ['report', 'diff']) {
        const r = await cli(command, ...(command === 'report' ? ['--policies', opened] : ['--base', base, '--head', opened, '--fail-on', 'any']), '--inventory', path);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`error: --inventory ${path}${/^items\[\d+\] \(/.test(message) ? ', ' : ': '}${message}; the inventory is not read (read otherwise, `
          + 'the endpoint classes would not be the cluster\'s) (cli-inventory); fix: give the output of kubectl get pods -A -o json (or workload, Namespace '
          + 'and Service manifests) as written\n');
      }
    });

    test('YAML manifests: the file and line of the field', async () => {
      const path = file('bad-inventory.yaml', [
        'apiVersion: v1', 'kind: Namespace', 'metadata: { name: prod, labels: { team: pay } }', '---',
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: web, namespace: prod }', 'spec:', '  template:', '    metadata:',
        '      labels: "app=web"', '    spec: { containers: [] }', '',
      ].join('\n'));
      const r = await cli('report', '--policies', opened, '--inventory', path);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --inventory .*bad-inventory\.yaml:11: document 1 \(Deployment prod\/web\): spec\.template\.metadata\.labels is a string, not a map of labels; /);
    });
  });

  test('a Hubble capture gives the classes: its pods', async () => {
    const flows = join(SHARED_DIR, 'hubble-samples', 'hubble-otel.basic-sample-10-flows.jsonl');
    const r = await cli('report', '--policies', opened, '--flows', flows, '--output', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { endpoints: { id: string; workloads?: string[] }[] };
    expect(doc.endpoints.filter((e) => e.workloads).map((e) => e.id)).toEqual([
      'bookinfo/reviews', 'istio-system/galley', 'istio-system/prometheus', 'istio-system/telemetry', 'kube-system/event-exporter', 'kube-system/kube-dns',
    ]);
  });

  test('bad input: exit 2', async () => {
    const r = await cli('report', '--policies', join(dir, 'nope'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope does not exist/);
  });

  // Session 53: a report of inputs without a policy listed every connection as allowed, exit 0 — a report of no policy of
  // the user's (a wrong path, a synth that wrote nothing, a wrong-case kind); trace and replay refused it.
  describe('inputs that hold no policy: exit 2 (cli-no-policies), nothing on stdout, as trace and replay', () => {
    const workload = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: prod }\n'
      + 'spec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec: { containers: [{ name: web, image: web }] }\n';
    // Session 53 review: a file whose every policy the cluster rejects was a report of everything allowed, exit 0.
    const rejected = (name: string, text: string): string => file(name, text);
    const v3 = rejected('v3.yaml', policy([8080]).replace('cilium.io/v2', 'cilium.io/v3'));
    const emptySpec = rejected('empty-spec.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: api, namespace: prod }\nspec: {}\n');
    const wrongKind = file('wrong-kind.yaml', readFileSync(base, 'utf8').replace('kind: CiliumNetworkPolicy', 'kind: CiliumNetworkpolicy'));
    const SKIPPED = 'no policy the cluster enforces \\(the policy read is skipped\\); read: ';
    const cases: [string, string, RegExp][] = [
      ['an empty file', file('empty.yaml', ''), /^error: --policies \S*empty\.yaml: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found; read: \S*empty\.yaml: the file is empty/],
      ['workloads only', file('workload.yaml', workload), /^error: --policies \S*workload\.yaml: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found; without one/],
      ['a policy of a wrong-case kind', wrongKind,
        /^error: --policies \S*wrong-kind\.yaml: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found; read: /],
      ['a policy of an apiVersion Cilium does not serve', v3,
        new RegExp(`^error: --policies \\S*v3\\.yaml: ${SKIPPED}\\S*v3\\.yaml:1: apiVersion is "cilium\\.io/v3", but CiliumNetworkPolicy is served only as cilium\\.io/v2 \\(and 1 more\\); without one`)],
      ['a policy with both endpointSelector and nodeSelector', rejected('both-selectors.yaml', policy([8080]).replace('spec:\n', 'spec:\n  nodeSelector: { matchLabels: { a: b } }\n')),
        new RegExp(`^error: --policies \\S*both-selectors\\.yaml: ${SKIPPED}\\S*both-selectors\\.yaml: CiliumNetworkPolicy prod/api is skipped .*rule has both endpointSelector and nodeSelector`)],
      ['a policy of spec: {}', emptySpec, new RegExp(`^error: --policies \\S*empty-spec\\.yaml: ${SKIPPED}\\S*empty-spec\\.yaml: CiliumNetworkPolicy prod/api is skipped .*neither endpointSelector nor nodeSelector`)],
      // read: names what explains the missing policy (the wrong-case kind), not the warning before it (a YAML 1.1 boolean).
      ['a wrong-case kind after another warning', file('yaml11-first.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumEgressGatewayPolicy\nmetadata: { name: egw }\nspec:\n'
        + '  selectors: [{ podSelector: { matchLabels: { app: api } } }]\n  destinationCIDRs: ["0.0.0.0/0"]\n'
        + '  egressGateway: { nodeSelector: { matchLabels: { x: y } }, egressIP: 10.0.0.1 }\n---\n'
        + readFileSync(base, 'utf8').replace('kind: CiliumNetworkPolicy', 'kind: CiliumNetworkpolicy')),
      /^error: --policies \S*yaml11-first\.yaml: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found; read: \S*yaml11-first\.yaml:\d+: cilium\.io\/v2 has no kind "CiliumNetworkpolicy"; the document is skipped \(not checked, not enforced\) \(and 1 more\); without one/],
    ];
    test.each(cases)('%s', async (_, path, message) => {
      const r = await cli('report', '--policies', path);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/\(cli-no-policies\); fix: point --policies at the synthesized policies \(cdk8s synth writes them to dist\/\)\n$/);
      expect(r.stderr.split('\n')).toHaveLength(2);
    });

    test('--flows (the policies read with the capture): refused alike', async () => {
      const flows = join(SHARED_DIR, 'hubble-samples', 'hubble-otel.basic-sample-10-flows.jsonl');
      for (const [path, message] of [[wrongKind, /no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found; read: /], [v3, new RegExp(SKIPPED)]] as const) {
        const r = await cli('report', '--policies', path, '--flows', flows);
        expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/\(cli-no-policies\); fix: point --policies at the synthesized policies/);
      }
    });

    test('the control: a policy the cluster rejects beside one it enforces is a warning, the report made (exit 0)', async () => {
      const r = await cli('report', '--policies', base, file('v3-other.yaml', policy([9090], false).replace('cilium.io/v2', 'cilium.io/v3').replace('name: "api"', 'name: "other"')),
        '--output', 'json');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/CiliumNetworkPolicy prod\/other is skipped \(the cluster enforces none of it\)/);
      expect((JSON.parse(r.stdout) as { policies: { policies: number } }).policies.policies).toBe(2);
    });

    // Session 53 review: two sides of no policy were "0 newly allowed, 0 newly denied", --fail-on any exit 0.
    test('diff: both sides of no policy are refused (cli-no-policies), naming both', async () => {
      for (const [b, h, message] of [
        [join(dir, 'empty.yaml'), wrongKind, /^error: --base \S*empty\.yaml: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found; read: \S*empty\.yaml: the file is empty; and --head \S*wrong-kind\.yaml: no CiliumNetworkPolicy.* found; read: .*"CiliumNetworkpolicy".*; with a policy on neither side every connection is allowed on both, and there is nothing to compare \(cli-no-policies\); fix: point --base and --head at the synthesized policies/m],
        [v3, emptySpec, new RegExp(`^error: --base \\S*v3\\.yaml: ${SKIPPED}.*; and --head \\S*empty-spec\\.yaml: ${SKIPPED}.*\\(cli-no-policies\\)`, 'm')],
      ] as const) {
        const r = await cli('diff', '--base', b, '--head', h, '--fail-on', 'any');
        expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
        expect(r.stderr).toMatch(message);
      }
    });

    test('diff: a head of no policy (every policy removed) is a change: newly allowed, --fail-on allowed exit 1', async () => {
      const r = await cli('diff', '--base', base, '--head', join(dir, 'empty.yaml'), '--fail-on', 'allowed');
      expect(r.code).toBe(1);
      expect(r.stdout.split('\n')[0]).toMatch(/\(1 policy\) → \S*empty\.yaml \(0 policies\): [1-9]\d* newly allowed, 0 newly denied$/);
      expect(r.stderr).toContain('warning: --head: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found\n');
      const skipped = await cli('diff', '--base', base, '--head', emptySpec, '--fail-on', 'allowed');
      expect(skipped.code).toBe(1);
      expect(skipped.stderr).toContain('warning: --head: no policy the cluster enforces (the policy read is skipped)\n');
    });

    test('the controls: with the policy beside the workload, the report (exit 0); an empty side of a diff is a change, not refused', async () => {
      const r = await cli('report', '--policies', file('with-policy.yaml', `${workload}---\n${readFileSync(base, 'utf8')}`), '--output', 'json');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { policies: { policies: number } }).policies.policies).toBe(1);
      const d = await cli('diff', '--base', join(dir, 'empty.yaml'), '--head', base, '--fail-on', 'denied');
      expect(d.code).toBe(1);
      expect(d.stderr).toContain('warning: --base: no CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy or NetworkPolicy found\n');
    });
  });
});

describe('diff and report --dns-server (a NodeLocal DNSCache)', () => {
  /** prod/app=web looks names up at 169.254.20.10 (its DNS rule goes there) and reaches `fqdns` on 443. */
  const nodeLocal = (fqdns: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toCIDR: [169.254.20.10/32]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
  - toFQDNs: [${fqdns}]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`;
  const named = file('nodelocal-name.yaml', nodeLocal('{ matchName: api.example.com }'));
  const any = file('nodelocal-any.yaml', nodeLocal('{ matchPattern: "*" }'));

  test('without it: the toFQDNs widening is NOT COMPARED, and --fail-on allowed counts it', async () => {
    const r = await cli('diff', '--base', named, '--head', any, '--fail-on', 'allowed');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('NOT COMPARED');
    expect(r.stderr).toMatch(/warning: not compared: toFQDNs rules, or DNS rules of pods with toFQDNs rules, differ .*give that server with --dns-server/);
  });

  test('with it: the widening is newly allowed on both the diff and the report', async () => {
    const r = await cli('diff', '--base', named, '--head', any, '--fail-on', 'allowed', '--dns-server', 'cidr:169.254.20.10');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  + prod/app=web → fqdn:* 443/TCP');
    expect(r.stdout).not.toContain('NOT COMPARED');
    const report = await cli('report', '--policies', any, '--dns-server', 'cidr:169.254.20.10');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('  prod/app=web → fqdn:* 443/TCP');
    expect(report.stdout.split('\n')[0]).toMatch(/^connectivity report: .*nodelocal-any\.yaml \(1 policy\): /);
    expect((await cli('report', '--policies', any)).stdout).not.toContain('prod/app=web → fqdn:*');
  });

  test('report without it says that the names looked up elsewhere are left out: a warning, and a note in each output', async () => {
    const r = await cli('report', '--policies', any);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: not judged: DNS rules of pods that have toFQDNs rules go to peers that are not the modelled DNS server \(prod\/web spec\.egress\[0\] does not select pod:kube-system:k8s-app=kube-dns\).*left out of the report.*give that server with --dns-server\n$/);
    expect(r.stdout).toContain('NOT JUDGED\n  ? DNS rules of pods that have toFQDNs rules');
    const md = await cli('report', '--policies', any, '--output', 'markdown');
    expect(md.stdout).toContain('> ⚠️ Not judged: DNS rules of pods that have toFQDNs rules');
    const json = JSON.parse((await cli('report', '--policies', any, '--output', 'json')).stdout) as { notJudged?: { text: string }[] };
    expect(json.notJudged?.map((n) => n.text)).toEqual([r.stderr.replace(/^warning: not judged: /, '').trimEnd()]);
    // The diff's note is the same sentence about the same rules, worded for a diff.
    const diff = await cli('diff', '--base', named, '--head', any);
    expect(diff.stderr).toContain('DNS rules of the same pods go to peers that are not the modelled DNS server (prod/web spec.egress[0] does not select');
    // With the server given, nothing to say.
    const given = await cli('report', '--policies', any, '--dns-server', 'cidr:169.254.20.10', '--output', 'json');
    expect(given.stderr).toBe('');
    expect(JSON.parse(given.stdout)).not.toHaveProperty('notJudged');
  });

  test('the same help text as trace\'s option; a bad endpoint is exit 2 with one line', async () => {
    const help = async (cmd: string): Promise<string | undefined> => /--dns-server <endpoint>\s+([^\n]+(?:\n\s{10,}[^\n-][^\n]*)*)/.exec((await cli(cmd, '--help')).stdout)?.[1]?.replace(/\s+/g, ' ');
    const trace = await help('trace');
    expect(trace).toContain('toFQDNs names are learned from lookups to it');
    expect(await help('diff')).toBe(trace);
    expect(await help('report')).toBe(trace);
    const r = await cli('diff', '--base', named, '--head', any, '--dns-server', 'kube-dns');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/kube-dns/);
  });
});

describe('diff and report --flows: the IP families of the capture, as replay reads them', () => {
  // app=v6 may reach ::/0 on 443/TCP: in an IPv4-only cluster the rule selects nothing and there is no IPv6 world.
  const v6 = file('v6.yaml', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: v6, namespace: app }
spec:
  endpointSelector: { matchLabels: { app: v6 } }
  egress:
  - toCIDR: ["::/0"]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
`);
  /** An egress record of pod app=v6 to `dst`, whose end is `world` (its identity and labels as the agent gives them). */
  const record = (line: number, dst: string, world: { identity: number; labels: string[] }): string => JSON.stringify({
    flow: {
      time: `2026-12-04T10:00:0${line}Z`, verdict: 'FORWARDED',
      IP: { source: dst.includes(':') ? 'fd00::10' : '10.0.1.10', destination: dst, ipVersion: dst.includes(':') ? 'IPv6' : 'IPv4' },
      l4: { TCP: { source_port: 40000 + line, destination_port: 443, flags: { SYN: true } } },
      source: { ID: 100, identity: 40000, namespace: 'app', pod_name: 'v6-0', labels: ['k8s:app=v6', 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'] },
      destination: world, Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'EGRESS', is_reply: false,
    },
  });
  // World identities 9 and 10: the agent gives them only when it runs IPv4 and IPv6.
  const dual = file('dual.jsonl', `${record(1, '203.0.113.5', { identity: 9, labels: ['reserved:world-ipv4'] })}\n`
    + `${record(2, '2001:db8::5', { identity: 10, labels: ['reserved:world-ipv6'] })}\n`);
  // IPv6 addresses with the single-stack world identity: an IPv6 cluster, which the default (IPv4) is not.
  const v6only = file('v6only.jsonl', `${record(1, '2001:db8::5', { identity: 2, labels: ['reserved:world'] })}\n`);
  type Report = {
    endpoints: { id: string }[]; connections: { from: string; to: string; ports: string[] }[];
    ipFamilies?: { judged: string; source: string; basis?: string };
  };
  const toWorld = (doc: Report): string[] => doc.connections.filter((c) => c.from === 'app/v6').map((c) => `${c.to} ${c.ports.join(',')}`);

  test('without --ip-families, a dual-stack capture is judged dual-stack (the document says so): app/v6 reaches the IPv6 world', async () => {
    const r = await cli('report', '--policies', v6, '--flows', dual, '--output', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Report;
    expect(doc.ipFamilies).toEqual({
      judged: 'dual', source: 'inferred', basis: 'a world identity of a dual-stack cluster: identity 9 (reserved:world-ipv4) at line 1',
    });
    expect(doc.endpoints.map((e) => e.id).filter((id) => id.startsWith('world'))).toEqual(['world (IPv4)', 'world (IPv6)']);
    expect(toWorld(doc)).toEqual(['world (IPv6) 443/TCP']);
  });

  test('--ip-families wins; single-stack against a dual-stack capture is a warning naming the command to run again', async () => {
    const r = await cli('report', '--policies', v6, '--flows', dual, '--ip-families', 'ipv4', '--output', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: --flows .*dual\.jsonl: the capture comes from a dual-stack cluster \(identity 9 \(reserved:world-ipv4\) at line 1: .*judged for --ip-families ipv4: .*; run report with --ip-families dual \(or leave it out to infer it\)\n$/);
    const doc = JSON.parse(r.stdout) as Report;
    expect(doc.endpoints.map((e) => e.id).filter((id) => id.startsWith('world'))).toEqual(['world (IPv4)']);
    expect(toWorld(doc)).toEqual([]);
    const given = await cli('report', '--policies', v6, '--flows', dual, '--ip-families', 'dual', '--output', 'json');
    expect(given.stderr).toBe('');
    expect(toWorld(JSON.parse(given.stdout) as Report)).toEqual(['world (IPv6) 443/TCP']);
  });

  test('IPv6 packets only (no identity 9/10): ipv6 inferred from them; --ip-families ipv4 against them is a warning naming what the capture shows', async () => {
    const r = await cli('diff', '--base', v6, '--head', v6, '--flows', v6only);
    expect(r.code).toBe(0);
    // Before: judged IPv4-only (only identities 9/10 were read), with a warning.
    expect(r.stderr).toBe('');
    // The world's identity 2 at 1.19 (the default): a single-stack cluster, and its packets are IPv6.
    expect(r.stdout.split('\n')[1]).toBe('IP families: ipv6 (inferred from the capture: the world identity of a single-stack cluster from Cilium 1.15 on (judged for Cilium 1.19, the default: no version given or annotated on the policies): '
      + 'identity 2 (reserved:world) at line 1, and IPv6 packets: fd00::10 at line 1; --ip-families overrides)');
    const given = await cli('diff', '--base', v6, '--head', v6, '--flows', v6only, '--ip-families', 'ipv4');
    expect(given.stderr).toBe(`warning: --flows ${v6only}: the capture holds IPv6 addresses (fd00::10 at line 1), which the cluster the policies are judged `
      + 'for does not carry (--ip-families ipv4): world identities and /0 rules are judged for the wrong IP families; '
      + 'run diff with --ip-families ipv6 (or leave it out to infer it from the capture: the world identity of a single-stack cluster from Cilium 1.15 on (judged for Cilium 1.19, the default: no version given or annotated on the policies): '
      + 'identity 2 (reserved:world) at line 1, and IPv6 packets: fd00::10 at line 1)\n');
    expect(given.stdout.split('\n')[1]).toBe('IP families: ipv4 (as given: --ip-families)');
    expect((await cli('diff', '--base', v6, '--head', v6, '--flows', v6only, '--ip-families', 'ipv6')).stderr).toBe('');
  });

  // Session 45 review: packets of a family prove it on; their absence never proves it off. diff and report judge every
  // world class, so a capture that cannot tell whether the cluster runs the other family must not decide it for them.
  const set = (name: string, cidr: string): string => file(`${name}.yaml`, ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy',
    'metadata: { name: set4, namespace: app }', 'spec:', '  endpointSelector: { matchLabels: { app: set4 } }', '  egress:',
    `    - toCIDRSet: [{ cidr: "${cidr}" }]`, '      toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]', ''].join('\n'));
  /** A pod-to-pod egress record (app=set4 → app=peer), a trace at `point` (no world end: nothing tells the families). */
  const podRecord = (line: number, src: string, dst: string, point?: string): string => JSON.stringify({
    flow: {
      time: `2026-12-04T10:00:0${line}Z`, verdict: 'FORWARDED', IP: { source: src, destination: dst, ipVersion: src.includes(':') ? 'IPv6' : 'IPv4' },
      l4: { TCP: { source_port: 40000 + line, destination_port: 443, flags: { SYN: true } } },
      source: { ID: 105, identity: 40005, namespace: 'app', pod_name: 'set4-0', labels: ['k8s:app=set4', 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'] },
      destination: { ID: 106, identity: 40009, namespace: 'app', pod_name: 'peer-0', labels: ['k8s:app=peer', 'k8s:io.kubernetes.pod.namespace=app', 'k8s:io.cilium.k8s.policy.cluster=default'] },
      Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'EGRESS', is_reply: false, ...(point !== undefined ? { trace_observation_point: point } : {}),
    },
  });
  const base6 = set('base6', '::/0');
  const head4 = set('head4', '0.0.0.0/0');
  const v6pods = file('v6pods.jsonl', `${podRecord(1, 'fd00::13', 'fd00::20')}\n`);
  const v4pods = file('v4pods.jsonl', `${podRecord(1, '10.0.1.13', '10.0.1.20')}\n`);
  type Diff = {
    changes: { from: string; to: string; ports: string; after: string }[]; ipFamilies: { judged: string; source: string; warning?: string };
    notCompared?: { text: string }[];
  };
  const changes = (doc: Diff): string[] => doc.changes.filter((c) => c.from === 'app/set4').map((c) => `${c.to} ${c.ports} ${c.after}`);

  test('IPv6 pod-to-pod packets only: diff and report refuse to guess whether IPv4 runs (exit 2, naming --ip-families); given, the change shows', async () => {
    for (const args of [['diff', '--base', base6, '--head', head4], ['report', '--policies', base6]]) {
      const r = await cli(...args, '--flows', v6pods, '--cilium-version', '1.18');
      // Before: "IP families: ipv6 (inferred …)", no change, exit 0 — though dual-stack newly denies the IPv6 world.
      expect(r.code, args[0]).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^error: the capture cannot tell whether the cluster runs IPv4 as well as IPv6: IPv6 packets only: fd00::13 at line 1, .*`
        + `\\(cli-ip-families\\).*fix: give --ip-families ipv6 or --ip-families dual`));
    }
    const dual = await cli('diff', '--base', base6, '--head', head4, '--flows', v6pods, '--cilium-version', '1.18', '--ip-families', 'dual', '--output', 'json');
    expect(dual.code).toBe(0);
    expect(changes(JSON.parse(dual.stdout) as Diff).sort()).toEqual(['world (IPv4) 443/TCP allowed', 'world (IPv6) 443/TCP denied']);
    const v6 = await cli('diff', '--base', base6, '--head', head4, '--flows', v6pods, '--cilium-version', '1.18', '--ip-families', 'ipv6', '--output', 'json');
    expect((JSON.parse(v6.stdout) as Diff).ipFamilies).toMatchObject({ judged: 'ipv6', source: 'given' });
  });

  test('IPv4 pod-to-pod packets only: the default ipv4, not "inferred", with a warning on stderr and in the JSON naming --ip-families', async () => {
    const r = await cli('diff', '--base', base6, '--head', head4, '--flows', v4pods, '--cilium-version', '1.18', '--output', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Diff;
    // Before: { judged: 'ipv4', source: 'inferred', basis: 'IPv4 packets only: …' } and no warning.
    expect(doc.ipFamilies).toMatchObject({ judged: 'ipv4', source: 'default' });
    expect(doc.ipFamilies.warning).toMatch(/^judged for --ip-families ipv4, but the capture cannot tell whether the cluster also runs IPv6 \(IPv4 packets only: 10\.0\.1\.13 at line 1.*give --ip-families ipv4 or dual/);
    // Session 46: the ::/0 item the head removed names IPv6 addresses only, which an IPv4-only judging cannot compare: NOT COMPARED.
    // Session 49 review mends: and the IPv6 world it selected in a dual-stack cluster (a CIDR-set ::/0 of 1.18 is the world of
    // every family only in a single-stack one), judged apart: lost, a deny.
    expect(r.stderr).toBe(`warning: --flows ${v4pods}: ${doc.ipFamilies.warning ?? ''}\n`
      + `${(doc.notCompared ?? []).map((n) => `warning: not compared: ${n.text}\n`).join('')}`);
    expect(doc.notCompared?.map((n) => n.text.replace(/ differ between.*| are decided differently.*/, ''))).toEqual([
      'rules naming addresses or ICMP types of an IP family the cluster is judged without (--ip-families: the endpoint classes carry none of its addresses)',
      expect.stringMatching(/^judged for the IP family of the cluster only \(the families are defaulted: --ip-families\), the outside addresses of the other \(world \(IPv6\)/),
      expect.stringMatching(/^judged for one IP family \(the families are defaulted: --ip-families\), its outside addresses carry reserved:world/),
    ]);
    expect(doc.notCompared?.[1]?.text).toContain('by base and head (- app/set4 → world (IPv6) 443/TCP): the connections are not compared');
    // Session 50 review: and the IPv4 world, which the 1.18 ::/0 selects single-stack (reserved:world) but not dual-stack
    // (world-ipv6: pkg/policy/api/cidr.go `CIDRRuleSlice.GetAsEndpointSelectors`), while the 0.0.0.0/0 does: gained, an allow.
    expect(doc.notCompared?.[2]?.text).toContain('decide world (IPv4) differently than shown (+ app/set4 → world (IPv4) 443/TCP)');
    const text = await cli('diff', '--base', base6, '--head', head4, '--flows', v4pods, '--cilium-version', '1.18');
    expect(text.stdout.split('\n')[1]).toMatch(/^IP families: ipv4 \(the default, as the capture cannot tell them: IPv4 packets only: 10\.0\.1\.13 at line 1, and nothing tells/);
  });

  test('identity 2 (single stack from 1.15) with packets of both families: refused as a contradiction at 1.18; at 1.14 (identity 2 always) dual', async () => {
    const both = file('both2.jsonl', `${record(1, '203.0.113.5', { identity: 2, labels: ['reserved:world'] })}\n`
      + `${record(2, '2001:db8::5', { identity: 2, labels: ['reserved:world'] })}\n`);
    for (const args of [['diff', '--base', v6, '--head', v6], ['report', '--policies', v6]]) {
      const r = await cli(...args, '--flows', both, '--cilium-version', '1.18');
      // Before: judged dual, the IPv4 peer called reserved:world-ipv4 against its recorded identity 2.
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/^error: the capture contradicts itself on the cluster's IP families: the world identity of a single-stack cluster from Cilium 1\.15 on: identity 2 \(reserved:world\) at line 1, and IPv4 and IPv6 packets/);
    }
    const old = await cli('report', '--policies', v6, '--flows', both, '--cilium-version', '1.14', '--output', 'json');
    expect(old.code).toBe(0);
    expect((JSON.parse(old.stdout) as Report).ipFamilies).toMatchObject({ judged: 'dual', source: 'inferred' });
  });

  test('a host trace (bpf_host TO_NETWORK) of a node\'s IPv6 traffic is no IPv6 evidence; an endpoint trace is', async () => {
    const host = JSON.parse(record(2, '2001:db8:2::5', { identity: 2, labels: ['reserved:world'] })) as { flow: Record<string, unknown> };
    Object.assign(host.flow, { source: { identity: 1, labels: ['reserved:host'] }, IP: { source: '2001:db8:1::10', destination: '2001:db8:2::5', ipVersion: 'IPv6' },
      trace_observation_point: 'TO_NETWORK', event_type: { type: 4, sub_type: 11 } });
    const capture = file('host6.jsonl', `${record(1, '203.0.113.5', { identity: 2, labels: ['reserved:world'] })}\n${JSON.stringify(host)}\n`);
    const r = await cli('report', '--policies', v6, '--flows', capture, '--cilium-version', '1.18', '--output', 'json');
    // Before: IPv4 and IPv6 packets → dual (and, with identity 2, now a contradiction): the host's packet counted.
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Report).ipFamilies).toMatchObject({ judged: 'ipv4', source: 'inferred' });
    // The same IPv6 trace at an endpoint (TO_ENDPOINT) proves IPv6 on: with identity 2, a contradiction.
    Object.assign(host.flow, { trace_observation_point: 'TO_ENDPOINT', event_type: { type: 4, sub_type: 0 } });
    const at = file('ep6.jsonl', `${record(1, '203.0.113.5', { identity: 2, labels: ['reserved:world'] })}\n${JSON.stringify(host)}\n`);
    expect((await cli('report', '--policies', v6, '--flows', at, '--cilium-version', '1.18', '--output', 'json')).code).toBe(2);
  });

  test('identities 9/10 with --cilium-version 1.14: a warning that the capture is from 1.15 or later', async () => {
    const r = await cli('report', '--policies', v6, '--flows', dual, '--cilium-version', '1.14', '--output', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([`warning: --flows ${dual}: the capture comes from Cilium 1.15 or later `
      + '(identity 9 (reserved:world-ipv4) at line 1: the world identities 9 and 10 came with 1.15), but the policies are judged for Cilium 1.14: '
      + 'verdicts follow that version\'s rules; run report with the cluster\'s --cilium-version']);
    expect((await cli('report', '--policies', v6, '--flows', dual, '--cilium-version', '1.15', '--output', 'json')).stderr).not.toMatch(/warning/);
    // The version the policies' annotation gives (as synthesized for 1.14) is the one judged: warned likewise.
    const annotated = file('v6-114.yaml', readFileSync(v6, 'utf8').replace('metadata: { name: v6, namespace: app }',
      'metadata: { name: v6, namespace: app, annotations: { cdk8s-cilium.io/cilium-version: "1.14" } }'));
    for (const args of [['report', '--policies', annotated], ['diff', '--base', annotated, '--head', annotated]]) {
      const r2 = await cli(...args, '--flows', dual, '--output', 'json');
      expect(r2.stderr, args[0]).toMatch(new RegExp(`warning: --flows .*dual\\.jsonl: the capture comes from Cilium 1\\.15 or later .*judged for Cilium 1\\.14: .*run ${args[0]} with`));
    }
  });

  // Session 45 review: the families were inferred for --cilium-version, else 1.19, while the policies were judged for their
  // annotation: identity 2 with both families' packets was refused (exit 2) though a 1.14 cluster gives 2 whatever the families.
  test('1.14-annotated policies: identity 2 with IPv4 and IPv6 packets is dual; with IPv4 packets only, the default ipv4 with the warning', async () => {
    const annotated = file('v6-114b.yaml', readFileSync(v6, 'utf8').replace('metadata: { name: v6, namespace: app }',
      'metadata: { name: v6, namespace: app, annotations: { cdk8s-cilium.io/cilium-version: "1.14" } }'));
    const world = { identity: 2, labels: ['reserved:world'] };
    const both = file('world2-dual.jsonl', `${record(1, '203.0.113.5', world)}\n${record(2, '2001:db8::5', world)}\n`);
    const v4 = file('world2-v4.jsonl', `${record(1, '203.0.113.5', world)}\n`);
    for (const args of [['report', '--policies', annotated], ['diff', '--base', annotated, '--head', annotated]]) {
      const r = await cli(...args, '--flows', both, '--output', 'json');
      expect(r.code, args[0]).toBe(0);
      expect(r.stderr, args[0]).toBe('');
      expect((JSON.parse(r.stdout) as Report).ipFamilies, args[0]).toEqual({
        judged: 'dual', source: 'inferred', basis: 'IPv4 and IPv6 packets: 10.0.1.10 at line 1, fd00::10 at line 2',
      });
      const one = await cli(...args, '--flows', v4, '--output', 'json');
      expect(one.code, args[0]).toBe(0);
      const doc = JSON.parse(one.stdout) as { ipFamilies: { judged: string; source: string; basis: string; warning: string } };
      expect(doc.ipFamilies, args[0]).toMatchObject({ judged: 'ipv4', source: 'default' });
      expect(doc.ipFamilies.basis, args[0]).toContain('the world identity 2 tells nothing before Cilium 1.15, and the policies are judged for 1.14');
      expect(one.stderr, args[0]).toBe(`warning: --flows ${v4}: ${doc.ipFamilies.warning}\n`);
    }
  });
});

describe('diff and report --flows: the pods keep their labels as Cilium reads them', () => {
  // Hubble writes a pod's label reserved.example.com/tier (a valid Kubernetes key) as k8s:reserved.example.com/tier=front:
  // a selector k8s:reserved.example.com/tier selects the pod, one written reserved.example.com/tier (reserved:…) does not.
  const flow = (line: number, src: string[], dst: string[]): string => JSON.stringify({
    flow: {
      time: `2026-12-04T10:00:0${line}Z`, verdict: 'FORWARDED',
      IP: { source: '10.0.1.10', destination: '10.0.1.20', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000 + line, destination_port: 8080, flags: { SYN: true } } },
      source: { ID: 100, identity: 40000, namespace: 'shop', pod_name: 'front-0', labels: [...src, 'k8s:io.kubernetes.pod.namespace=shop'] },
      destination: { ID: 200, identity: 40001, namespace: 'shop', pod_name: 'api-0', labels: [...dst, 'k8s:io.kubernetes.pod.namespace=shop'] },
      Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'EGRESS', is_reply: false,
    },
  });
  const capture = file('tier.jsonl', `${flow(1, ['k8s:app=front', 'k8s:reserved.example.com/tier=front'], ['k8s:app=api'])}\n`);
  const tierPolicy = (key: string): string => file(`tier-${key.replace(/[^a-z]/g, '')}.yaml`, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { ${JSON.stringify(key)}: front } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);
  type Report = { endpoints: { id: string; labels?: Record<string, string> }[]; connections: { from: string; to: string; ports: string[] }[] };
  const toApi = (doc: Report): string[] => doc.connections.filter((c) => c.to === 'shop/api' && c.from.startsWith('shop/')).map((c) => `${c.from} ${c.ports.join(',')}`);

  test('report: a selector k8s:reserved.example.com/tier lets shop/front in; reserved.example.com/tier does not', async () => {
    const k8s = await cli('report', '--policies', tierPolicy('k8s:reserved.example.com/tier'), '--flows', capture, '--output', 'json');
    expect(k8s.code).toBe(0);
    const doc = JSON.parse(k8s.stdout) as Report;
    // Before: the pod's label was dropped (its key holds a `:`), so the class lacked it and the rule let nothing in.
    expect(doc.endpoints.find((e) => e.id === 'shop/front')?.labels).toEqual({ 'app': 'front', 'k8s:reserved.example.com/tier': 'front' });
    expect(toApi(doc)).toEqual(['shop/front 8080/TCP']);
    const reserved = await cli('report', '--policies', tierPolicy('reserved.example.com/tier'), '--flows', capture, '--output', 'json');
    expect(toApi(JSON.parse(reserved.stdout) as Report)).toEqual([]);
  });

  test('diff: opening the rule to the tier is NEWLY ALLOWED for shop/front', async () => {
    const none = tierPolicy('k8s:no-such-key');
    const r = await cli('diff', '--base', none, '--head', tierPolicy('k8s:reserved.example.com/tier'), '--flows', capture, '--output', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { changes: { from: string; to: string; after: string }[] };
    // Pod to pod over IPv4, no world end: the default ipv4, warned about (the capture cannot tell whether IPv6 runs too).
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.includes('cannot tell whether the cluster also runs IPv6'))).toEqual([]);
    expect(doc.changes.filter((c) => c.from === 'shop/front').map((c) => `${c.from} → ${c.to} ${c.after}`)).toEqual(['shop/front → shop/api allowed']);
  });

  test('a label of another source, which a workload cannot hold, is a warning, once per pod', async () => {
    const other = file('tier-other.jsonl', [1, 2].map((n) => flow(n, ['k8s:app=front', 'cni:team=x'], ['k8s:app=api'])).join('\n'));
    const r = await cli('report', '--policies', tierPolicy('any:team'), '--flows', other, '--output', 'json');
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => !l.includes('cannot tell whether the cluster also runs IPv6')).join('\n')).toBe(`warning: --flows ${other}: 1 pod label of a source other than k8s (first: cni:team=x of shop/front-0) left out of the `
      + 'endpoint classes, which hold a pod\'s Kubernetes labels: a selector of such a label is judged as if the pod lacked it; trace or replay '
      + 'judge the pod with it\n');
  });
});

describe('an output longer than the longest string Node.js can hold', () => {
  // Session 40: a cluster-wide change on ~2,000 classes with --max-changes and --max-pairs raised ended after 3 GB with
  // "error: Invalid string length" (no id, no fix). The RangeError of JSON.stringify or a join is forced here, not built.
  const tooLong = (): never => {
    throw new RangeError('Invalid string length');
  };

  test('diff: exit 2, one line naming the output, its changes, the limit and the fix', async () => {
    const spy = vi.spyOn(ConnectivityFormat, 'diff').mockImplementation(tooLong);
    try {
      const r = await cli('diff', '--base', base, '--head', opened, '--output', 'json', '--fail-on', 'any');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: the diff --output json of 1 change cannot be built: it is longer than the longest string Node.js can hold `
        + `(${constants.MAX_STRING_LENGTH.toLocaleString('en-US')} characters; Invalid string length) (diff-output-too-large); fix: compare a narrower `
        + 'change (fewer --head paths, a lower --max-changes or --max-pairs), or use --output text or markdown, which are shorter\n');
    } finally {
      spy.mockRestore();
    }
  });

  test('report: the same refusal, report-output-too-large', async () => {
    const spy = vi.spyOn(ConnectivityFormat, 'report').mockImplementation(tooLong);
    try {
      const r = await cli('report', '--policies', opened, '--output', 'html');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: the report --output html of \d+ connections cannot be built: .* \(report-output-too-large\); fix: report fewer classes /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('diff: a warning of one side names the side (session 46 review)', () => {
  test('one namespace-less policy as base and head: two engine-namespace-assumed warnings, --base and --head', async () => {
    const file = join(dir, 'no-namespace.yaml');
    writeFileSync(file, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: web\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n'
      + '  ingress: [{fromEndpoints: [{matchLabels: {app: client}}]}]\n');
    const r = await cli('diff', '--base', file, '--head', file);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l !== '').map((l) => l.replace(/ has no metadata\.namespace: .*/, ''))).toEqual([
      `warning: --head: ${file}:4: CiliumNetworkPolicy web`, `warning: --base: ${file}:4: CiliumNetworkPolicy web`,
    ]);
  });
});
