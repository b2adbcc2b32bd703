// `trace` ergonomics: Service endpoints (`svc:<ns>/<name>[:port]`) resolved through the Services and workloads of the
// inputs, a Service port given for the container port explained, endpoints that match no workload warned about, and
// the Cilium version taken from the policies' `cdk8s-cilium.io/cilium-version` annotation.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, Yaml } from 'cdk8s';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, Peer, Port } from '../../src';
import { cli } from '../support/cli';
import { CILIUM_VERSION_ANNOTATION } from '../../src/model/version-annotation';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-trace-endpoints-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const deployment = (name: string, labels: Record<string, string>, ports = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  selector:
    matchLabels: ${JSON.stringify(labels)}
  template:
    metadata:
      labels: ${JSON.stringify(labels)}
    spec:
      containers:
        - name: main
          image: ${name}${ports}
`;

const service = (name: string, selector: Record<string, string>, ports: string): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: shop
spec:
  selector: ${JSON.stringify(selector)}
  ports:
${ports}`;

/** api (container port http = 8080) behind Service api (80 → http, 9090 → 9090); web behind Service web; a CNP admitting web on 8080. */
const APP = [
  deployment('api', { app: 'api' }, '\n          ports:\n            - name: http\n              containerPort: 8080'),
  deployment('web', { app: 'web', tier: 'front' }),
  deployment('worker-a', { app: 'worker', track: 'stable' }),
  deployment('worker-b', { app: 'worker', track: 'canary' }),
  service('api', { app: 'api' }, '    - name: web\n      port: 80\n      targetPort: http\n    - name: metrics\n      port: 9090\n      targetPort: 9090\n'),
  service('web', { app: 'web' }, '    - port: 80\n      targetPort: 3000\n'),
  service('worker', { app: 'worker' }, '    - port: 80\n      targetPort: 8080\n'),
  service('legacy', { app: 'legacy' }, '    - port: 80\n      targetPort: http\n'),
  `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  endpointSelector:
    matchLabels:
      app: api
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: web
            k8s:io.kubernetes.pod.namespace: shop
      toPorts:
        - ports:
            - port: "8080"
              protocol: TCP
`,
].join('---\n');
const appFile = join(scratch, 'app.yaml');
writeFileSync(appFile, APP);

const trace = (...argv: string[]): ReturnType<typeof cli> => cli('trace', '--policies', appFile, ...argv);

describe('trace: svc:<namespace>/<name>[:port]', () => {
  test('a Service port resolves to the pods and the target port (a named targetPort through the container ports)', () => {
    for (const to of ['svc:shop/api:80', 'svc:shop/api:web']) {
      const r = trace('--from', 'pod:shop:app=web', '--to', to, '--output', 'json');
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as { to: string; connection: string; notes: string[]; warnings: string[] };
      expect(json.to).toBe('pod:shop:app=api');
      expect(json.connection).toBe('8080/TCP');
      expect(json.notes).toEqual([`${to}: the pods of Service shop/api on its target port 8080/TCP (Service port ${to.split(':')[2]}; `
        + 'Cilium matches the port after the Service is translated)']);
      expect(json.warnings).toEqual([]);
    }
  });

  test('another Service port of the same Service: its own target port, and the verdict for it', () => {
    const r = trace('--from', 'pod:shop:app=web', '--to', 'svc:shop/api:9090');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('DENIED pod:shop:app=web,tier=front → pod:shop:app=api 9090/TCP');
    expect(r.stdout).toMatch(/^note: svc:shop\/api:9090: the pods of Service shop\/api on its target port 9090\/TCP/m);
  });

  test('a Service as the client: its pods, with their full labels', () => {
    const r = trace('--from', 'svc:shop/web', '--to', 'svc:shop/api:80');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('ALLOWED pod:shop:app=web,tier=front → pod:shop:app=api 8080/TCP');
  });

  test('--port agreeing with the Service port is accepted; disagreeing is exit 2', () => {
    expect(trace('--from', 'pod:shop:app=web', '--to', 'svc:shop/api:80', '--port', '8080/TCP').code).toBe(0);
    const r = trace('--from', 'pod:shop:app=web', '--to', 'svc:shop/api:80', '--port', '80');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port 80 does not agree with svc:shop\/api:80, whose target port is 8080\/TCP/);
  });

  test('fails with exit 2, naming the fix: unknown Service (did you mean), unknown port, ambiguous pods, unresolvable named port, bad syntax', () => {
    const cases: [string, RegExp][] = [
      ['svc:shop/apj:80', /no Service shop\/apj in the inputs \(Services: shop\/api, shop\/web, shop\/worker, shop\/legacy\).*did you mean svc:shop\/api\?/],
      ['svc:shop/api:81', /Service shop\/api has no port 81 \(its ports: 80\/TCP, 9090\/TCP\).*svc:shop\/api:80, svc:shop\/api:9090/],
      ['svc:shop/api:grpc', /Service shop\/api has no port grpc/],
      ['svc:shop/worker:80', /selects the pods of 2 workloads with different labels.*pod:shop:app=worker,track=stable \(Deployment worker-a\), pod:shop:app=worker,track=canary \(Deployment worker-b\)/],
      ['svc:shop/legacy:80', /the container port named "http", and no workload of the inputs backs the Service/],
      ['svc:api', /a Service endpoint is svc:<namespace>\/<name>\[:<port>\]/],
    ];
    for (const [to, message] of cases) {
      const r = trace('--from', 'pod:shop:app=web', '--to', to);
      expect(r.code, to).toBe(2);
      expect(r.stderr, to).toMatch(message);
      expect(r.stdout, to).toBe('');
    }
  });
});

describe('trace: a Service port given for the container port', () => {
  test('is explained: the Service, the container port Cilium matches, the flags to use', () => {
    const r = trace('--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80');
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('DENIED pod:shop:app=web,tier=front → pod:shop:app=api 80/TCP');
    expect(r.stderr).toBe('warning: port 80 is the Service port of svc shop/api; Cilium matches the container port 8080 (targetPort "http"), '
      + 'after the Service is translated: trace --port 8080/TCP (or --to svc:shop/api:80)\n');
  });

  test('the container port itself, or a port no Service maps, gets no such warning', () => {
    expect(trace('--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080')).toMatchObject({ code: 0, stderr: '' });
    expect(trace('--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '81')).toMatchObject({ code: 1, stderr: '' });
    // 9090 is both the Service port and the target port: nothing to explain.
    expect(trace('--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '9090')).toMatchObject({ code: 1, stderr: '' });
  });
});

describe('trace: an endpoint that matches no workload of the inputs', () => {
  test('a typo in a label value is a warning with the closest workload', () => {
    const r = trace('--from', 'pod:shop:app=webb', '--to', 'pod:shop:app=api', '--port', '8080');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('warning: --from pod:shop:app=webb matches no workload in namespace shop: the verdict is for a pod that may not exist; '
      + 'did you mean pod:shop:app=web (Deployment web)?\n');
  });

  test('a wrong namespace names the namespaces that have workloads', () => {
    const r = trace('--from', 'pod:shop:app=web', '--to', 'pod:shpo:app=api', '--port', '8080', '--output', 'json');
    const json = JSON.parse(r.stdout) as { warnings: string[] };
    expect(json.warnings).toEqual(['--to pod:shpo:app=api matches no workload in namespace shpo (it has none; the inputs have workloads in shop): '
      + 'the verdict is for a pod that may not exist; did you mean pod:shop:app=api (Deployment api)?']);
  });

  test('a subset of a workload\'s labels matches it; without any workload in the inputs there is nothing to warn about', () => {
    expect(trace('--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080').stderr).toBe('');
    const policyOnly = join(scratch, 'policy-only.yaml');
    writeFileSync(policyOnly, APP.split('---\n').at(-1) ?? '');
    expect(cli('trace', '--policies', policyOnly, '--from', 'pod:shop:app=webb', '--to', 'pod:shop:app=api', '--port', '8080').stderr).toBe('');
  });
});

describe('trace: endpoint label keys', () => {
  test('a key Kubernetes refuses (app!=web, app==web, a:b:c) is exit 2, not a verdict about a pod that cannot exist', () => {
    for (const [endpoint, part, key] of [['pod:shop:app!=web', 'app!=web', 'app!'], ['node:a/b/c=x', 'a/b/c=x', 'a/b/c'], ['pod:shop:a:b:c=x', 'a:b:c=x', 'a:b:c']]) {
      const r = trace('--from', endpoint, '--to', 'pod:shop:app=api', '--port', '8080');
      expect(r.code, endpoint).toBe(2);
      expect(r.stderr).toBe(`error: bad endpoint "${endpoint}": "${part}" is not a label: "${key}" is not a label key (engine-endpoint-syntax); fix: write key=value `
        + 'with a Kubernetes label key ([source:][prefix/]name: letters, digits, -, _ and .); an endpoint is one pod, so conditions such as != do not apply\n');
    }
    expect(trace('--from', 'pod:shop:k8s:app=web,app.kubernetes.io/name=web', '--to', 'pod:shop:app=api', '--port', '8080').code).toBe(0);
  });
});

// Pod IPs written as addresses (`cidr:10.0.0.5 → cidr:10.0.0.6`): neither end was judged, and ALLOWED (exit 0) passed as a check.
describe('trace: a connection with no end in the cluster', () => {
  test('two outside ends (addresses, DNS names, the world, a managed API server, unmanaged) are exit 2, naming the ends and the pod form', () => {
    for (const [from, to] of [['cidr:10.0.0.5', 'cidr:10.0.0.6'], ['entity:world', 'fqdn:api.example.com@203.0.113.7'],
      ['entity:kube-apiserver@10.0.0.1', 'entity:unmanaged'], ['cidr:2001:db8::1', 'entity:world-ipv6']]) {
      const r = trace('--from', from, '--to', to, '--port', '8080');
      expect(r, `${from} → ${to}`).toMatchObject({ code: 2, stdout: '' });
      expect(r.stderr).toBe(`error: neither --from ${from} nor --to ${to} is in the cluster: Cilium enforces no policy at either end, so the verdict `
        + '(allowed) would say nothing about the policies (engine-no-cluster-end); fix: give a pod or a node at one end: a pod by namespace and labels, '
        + 'pod:<namespace>:<k=v,...>, never by its IP (the engine takes a cidr: endpoint for an address outside the cluster: it knows no pod IPs), '
        + 'a node as node:<k=v,...> or entity:host\n');
    }
  });

  test('one end in the cluster is judged as before: the world to a pod denied (exit 1), a pod to the world allowed, the API server on the nodes', () => {
    expect(trace('--from', 'cidr:10.0.0.5', '--to', 'pod:shop:app=api', '--port', '8080').code).toBe(1);
    expect(trace('--from', 'pod:shop:app=web,tier=front', '--to', 'cidr:10.0.0.6', '--port', '5432').code).toBe(0);
    expect(trace('--from', 'entity:kube-apiserver', '--to', 'cidr:10.0.0.6', '--port', '443').code).toBe(0);
    expect(trace('--from', 'entity:world', '--to', 'entity:host', '--port', '22').code).toBe(0);
  });
});

describe('trace: pods on the host network', () => {
  test('a pod or Service of a hostNetwork workload is refused (exit 2): Cilium has no endpoint for it, trace its node', () => {
    const file = join(scratch, 'host-network.yaml');
    writeFileSync(file, [APP, deployment('agent', { app: 'agent' }).replace('    spec:\n      containers:', '    spec:\n      hostNetwork: true\n      containers:'),
      service('agent', { app: 'agent' }, '    - port: 80\n      targetPort: 8080\n')].join('---\n'));
    const expected = 'error: pod:shop:app=agent is a pod of Deployment shop/agent, on the host network (hostNetwork: true): Cilium manages no endpoint '
      + 'for it, and its traffic carries the identity of its node, so no verdict on it as a pod is what Cilium enforces (engine-endpoint-host-network); '
      + 'fix: judge its node instead: entity:host (the same node as the other end; node:<labels> for the node\'s own host policies) '
      + 'or entity:remote-node (another node), as the connectivity diff lists such workloads\n';
    const asPod = cli('trace', '--policies', file, '--from', 'pod:shop:app=agent', '--to', 'pod:shop:app=api', '--port', '8080');
    expect([asPod.code, asPod.stderr]).toEqual([2, expected]);
    const asService = cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'svc:shop/agent:80');
    expect([asService.code, asService.stderr]).toEqual([2, expected]);
    expect(cli('trace', '--policies', file, '--from', 'entity:host', '--to', 'pod:shop:app=api', '--port', '8080').code).toBe(0);
    expect(cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080').stderr).toBe('');
  });
});

describe('trace: labels that match pods on the host network beside managed ones (review)', () => {
  const hostNetwork = (yaml: string): string => yaml.replace('    spec:\n      containers:', '    spec:\n      hostNetwork: true\n      containers:');
  const file = join(scratch, 'host-network-mixed.yaml');
  writeFileSync(file, [APP, hostNetwork(deployment('agent', { app: 'agent' })), deployment('agent-ui', { app: 'agent', tier: 'ui' }),
    service('agents', { app: 'agent' }, '    - port: 80\n      targetPort: 8080\n')].join('---\n'));

  test('a pod of the managed workload is judged, with a warning that names both and says the verdict is for the managed pods', () => {
    // The same pod labels on the host network (agent-ui-host) and off it (agent-ui).
    const same = join(scratch, 'host-network-same-labels.yaml');
    writeFileSync(same, [readFileSync(file, 'utf8'), hostNetwork(deployment('agent-ui-host', { app: 'agent', tier: 'ui' }))].join('---\n'));
    const r = cli('trace', '--policies', same, '--from', 'pod:shop:app=agent,tier=ui', '--to', 'pod:shop:app=api', '--port', '8080', '--output', 'json');
    // Judged (allowed or denied, exit 0 or 1), not refused (exit 2).
    expect([0, 1]).toContain(r.code);
    const warnings = (JSON.parse(r.stdout) as { warnings: string[] }).warnings;
    expect(warnings).toEqual([expect.stringContaining('these labels also match the pods of Deployment shop/agent-ui-host, which run on the host network')]);
    expect(warnings[0]).toContain('The verdict is for the pods Cilium manages (Deployment shop/agent-ui)');
  });

  test('labels beyond a host-network workload\'s pod labels are not its pods: no warning (the engine takes the pod to be agent-ui\'s)', () => {
    const r = cli('trace', '--policies', file, '--from', 'pod:shop:app=agent,tier=ui', '--to', 'pod:shop:app=api', '--port', '8080', '--output', 'json');
    expect([0, 1]).toContain(r.code);
    expect((JSON.parse(r.stdout) as { warnings: string[] }).warnings).toEqual([]);
  });

  test('a Service over both: the ambiguity suggests the node for the host-network workload, never a pod endpoint the engine refuses', () => {
    const r = cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'svc:shop/agents:80');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('entity:host or entity:remote-node (Deployment agent, on the host network)');
    expect(r.stderr).toContain('pod:shop:app=agent,tier=ui (Deployment agent-ui)');
    expect(r.stderr).not.toContain('pod:shop:app=agent (Deployment agent)');
  });
});

describe('trace: the Cilium version the policies were synthesized for', () => {
  /** Synthesizes one policy for `version` into `dir/<name>.yaml`. */
  function synthesize(dir: string, name: string, version: CiliumVersion): void {
    const app = new App({ outdir: join(scratch, 'unused') });
    CiliumVersion.use(app, version);
    const chart = new Chart(app, name, { namespace: 'shop' });
    new CiliumPolicy(chart, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.yaml`), Yaml.stringify(...chart.toJson()));
  }
  const ask = (policies: string, ...extra: string[]): ReturnType<typeof cli> =>
    cli('trace', '--policies', policies, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080', ...extra);

  test('every synthesized CNP/CCNP carries the annotation', () => {
    const dir = join(scratch, 'v117');
    synthesize(dir, 'a', CiliumVersion.V1_17);
    const r = ask(dir, '--output', 'json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { ciliumVersion: string; ciliumVersionSource: string };
    expect(json.ciliumVersion).toBe('1.17');
    expect(json.ciliumVersionSource).toBe(`the annotation ${CILIUM_VERSION_ANNOTATION} of CiliumNetworkPolicy shop/api (${join(dir, 'a.yaml')})`);
    expect(ask(dir).stdout).toMatch(/^cilium version: 1\.17 \(the annotation cdk8s-cilium\.io\/cilium-version of CiliumNetworkPolicy shop\/api/m);
  });

  test('--cilium-version wins; without the annotation the default is 1.19', () => {
    const dir = join(scratch, 'v116');
    synthesize(dir, 'a', CiliumVersion.V1_16);
    expect(JSON.parse(ask(dir, '--cilium-version', '1.18', '--output', 'json').stdout)).toMatchObject({ ciliumVersion: '1.18', ciliumVersionSource: 'given' });
    expect(JSON.parse(trace('--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080', '--output', 'json').stdout))
      .toMatchObject({ ciliumVersion: '1.19', ciliumVersionSource: 'the default' });
  });

  test('policies synthesized for different versions: exit 2 unless the version is given', () => {
    const dir = join(scratch, 'mixed');
    synthesize(dir, 'a', CiliumVersion.V1_16);
    synthesize(dir, 'b', CiliumVersion.V1_18);
    const r = ask(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the policies were synthesized for different Cilium versions: 1\.16 \(CiliumNetworkPolicy shop\/api .*a\.yaml\)\) and 1\.18 .*--cilium-version/);
    expect(ask(dir, '--cilium-version', '1.18').code).toBe(0);
  });

  test('an annotation that names no supported version: exit 2', () => {
    const file = join(scratch, 'bad-annotation.yaml');
    writeFileSync(file, APP.split('---\n').at(-1)!.replace('  namespace: shop\n', `  namespace: shop\n  annotations:\n    ${CILIUM_VERSION_ANNOTATION}: "1.9"\n`));
    const r = cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '8080');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has the annotation cdk8s-cilium\.io\/cilium-version: "1\.9", which is not a supported Cilium version/);
  });
});

// Session 57: a Service's own address was judged as an outside address (ALLOWED by a toCIDR of the service range);
// Cilium translates it to a backend before any policy, so trace refuses it (exit 2) and judges the Service by `svc:`.
describe('a server at a Service address (engine-service-address)', () => {
  test('cidr:<ClusterIP> exits 2 naming the Service; svc: of it is judged by its pods', () => {
    const file = join(scratch, 'service-address.yaml');
    writeFileSync(file, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
    - toCIDR: [10.96.0.0/12]
      toPorts: [{ports: [{port: "80", protocol: TCP}, {port: "8080", protocol: TCP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  clusterIP: 10.96.12.34
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
---
${deployment('api', { app: 'api' })}
`);
    const at = (to: string, ...rest: string[]): ReturnType<typeof cli> => cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', to, ...rest);
    const vip = at('cidr:10.96.12.34', '--port', '80/TCP');
    expect(vip.code, vip.stdout).toBe(2);
    expect(vip.stderr).toMatch(/10\.96\.12\.34 is an address of Service shop\/api in the inputs.*\(engine-service-address\); fix: give the Service as the server \(svc:shop\/api:80/);
    expect(at('cidr:10.96.12.35', '--port', '80/TCP').code).toBe(0);
    expect(at('svc:shop/api:80').code).toBe(1);
  });
});
