// The shared manifest reader (model/manifests.ts) and the shared selector translation (model/selector-import.ts).
import { describe, expect, test } from 'vitest';
import { Selector } from '../../src/model/labels';
import { clusterFilter, importEndpointSelector, importNodeSelector, importSubjectSelector } from '../../src/model/selector-import';
import {
  isNumericTargetPort, labelSelectorOf, namedTargetPorts, nonStringMetadataValues, readHeader, readManifest, serviceBackends, stringMap,
} from '../../src/model/manifests';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' } },
  spec: {
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 7 }] },
    template: {
      metadata: { labels: { app: 'web', version: 2 } },
      spec: {
        serviceAccount: 'legacy',
        containers: [{ name: 'c', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 53, protocol: 'UDP' }, 'junk'] }],
        initContainers: [
          { name: 'sidecar', restartPolicy: 'Always', ports: [{ containerPort: 9090, name: 'metrics' }] },
          { name: 'init', ports: [{ containerPort: 1234, name: 'setup' }] },
        ],
      },
    },
  },
};

describe('readManifest', () => {
  test('a workload: header, pod labels, service account, ports of containers and sidecar init containers, selector', () => {
    expect(readManifest(deployment)).toEqual({
      type: 'workload',
      header: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', namespace: 'shop', labels: { team: 'a' } },
      template: {
        labels: { app: 'web', version: '2' },
        serviceAccount: 'legacy',
        ports: [{ port: 8080, protocol: 'TCP', name: 'http' }, { port: 53, protocol: 'UDP' }, { port: 9090, protocol: 'TCP', name: 'metrics' }],
      },
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    });
  });

  test('Pods and CronJobs are selected by their pod labels', () => {
    const pod = readManifest({ kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' } }, spec: { serviceAccountName: 'sa' } });
    expect(pod).toMatchObject({ type: 'workload', template: { labels: { app: 'x' }, serviceAccount: 'sa', ports: [] }, selector: { matchLabels: { app: 'x' } } });
    const cron = readManifest({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { metadata: { labels: { job: 'j' } } } } } } });
    expect(cron).toMatchObject({ type: 'workload', header: { kind: 'CronJob', name: '' }, selector: { matchLabels: { job: 'j' } } });
  });

  test('a Service: type, selector (none when empty), ports with targetPort as written', () => {
    expect(readManifest({
      kind: 'Service', metadata: { name: 's' },
      spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http', name: '' }, { port: 53, protocol: 'UDP' }, { port: 1, targetPort: '8080' }] },
    })).toEqual({
      type: 'service',
      header: { kind: 'Service', name: 's', labels: {} },
      service: {
        type: 'ClusterIP',
        selector: { app: 'web' },
        ports: [
          { port: 80, targetPort: 'http', protocol: 'TCP', name: '' },
          { port: 53, targetPort: 53, protocol: 'UDP' },
          { port: 1, targetPort: '8080', protocol: 'TCP' },
        ],
      },
    });
    expect(readManifest({ kind: 'Service', spec: { selector: {} } })).toMatchObject({ service: { ports: [] } });
    expect(readManifest({ kind: 'Service', spec: { selector: {} } })).not.toHaveProperty('service.selector');
  });

  test('NetworkPolicies of networking.k8s.io only', () => {
    expect(readManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: { matchLabels: { app: 'a' } } } }))
      .toMatchObject({ type: 'network-policy', podSelector: { matchLabels: { app: 'a' } } });
    expect(readManifest({ kind: 'NetworkPolicy', spec: {} })).toMatchObject({ type: 'network-policy', podSelector: {} });
    expect(readManifest({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', spec: {} })).toBeUndefined();
  });

  test('Endpoints, EndpointSlices, CiliumCIDRGroups, Namespaces and Lists', () => {
    expect(readManifest({ kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }, {}] }] }))
      .toMatchObject({ type: 'endpoints', service: 'ext', addresses: ['10.0.0.1', ''] });
    expect(readManifest({ kind: 'EndpointSlice', metadata: { labels: { 'kubernetes.io/service-name': 'ext' } }, endpoints: [{ addresses: ['fd00::1'] }] }))
      .toMatchObject({ type: 'endpoints', service: 'ext', addresses: ['fd00::1'] });
    expect(readManifest({ kind: 'EndpointSlice', endpoints: [] })).toBeUndefined();
    expect(readManifest({ kind: 'CiliumCIDRGroup', metadata: { name: 'g' }, spec: { externalCIDRs: ['10.0.0.0/8'] } }))
      .toMatchObject({ type: 'cidr-group', header: { name: 'g' }, cidrs: ['10.0.0.0/8'] });
    expect(readManifest({ kind: 'Namespace', metadata: { name: 'shop', labels: { env: 'prod' } } }))
      .toEqual({ type: 'namespace', header: { kind: 'Namespace', name: 'shop', labels: { env: 'prod' } } });
    // Items that are no objects are not read (the readers of text report them, `listEntries`).
    expect(readManifest({ kind: 'List', items: [1, { kind: 'Namespace' }] })).toEqual({ type: 'list', items: [{ kind: 'Namespace' }] });
    // The typed Lists of API responses (`kubectl get pods -o json` through the API: PodList) are Lists too.
    expect(readManifest({ apiVersion: 'v1', kind: 'PodList', items: [{}] })).toEqual({ type: 'list', items: [{ apiVersion: 'v1', kind: 'Pod' }] });
    expect(readManifest({ kind: 'PodList', items: 'x' })).toEqual({ type: 'list', items: [] });
    // Their items without kind and apiVersion are of the List's kind, as kubectl decodes them (the API writes them so).
    const pod = { metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [] } };
    expect(readManifest({ apiVersion: 'v1', kind: 'PodList', items: [pod] })).toEqual({ type: 'list', items: [{ ...pod, apiVersion: 'v1', kind: 'Pod' }] });
    expect(readManifest({ apiVersion: 'v1', kind: 'List', items: [pod] })).toEqual({ type: 'list', items: [pod] });
  });

  test('never throws on malformed input', () => {
    for (const bad of [null, 3, 'x', [], { kind: 'ConfigMap' }]) expect(readManifest(bad)).toBeUndefined();
    expect(readManifest({ kind: 'List', items: 'x' })).toEqual({ type: 'list', items: [] });
    expect(readManifest({ kind: 'Deployment', metadata: 'x', spec: { template: { spec: { containers: [null, { ports: 'x' }] } } } }))
      .toMatchObject({ type: 'workload', header: { name: '' }, template: { labels: {}, ports: [] } });
    expect(readHeader({ kind: 1, metadata: { namespace: '' } })).toEqual({ kind: '', name: '', labels: {} });
  });
});

describe('a CronJob keeps its pod selector in its job template (session 46 review)', () => {
  // batch/v1 CronJobSpec has no `selector`: the Job's is `spec.jobTemplate.spec.selector` (JobTemplateSpec.Spec.Selector).
  const cron = (jobSpec: Record<string, unknown>, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'shop' },
    spec: { ...spec, jobTemplate: { spec: { ...jobSpec, template: { metadata: { labels: { app: 'web', 'controller-uid': 'u' } } } } } },
  });

  test('read from spec.jobTemplate.spec.selector; a spec.selector beside it is no field of a CronJob', () => {
    expect(readManifest(cron({ selector: { matchLabels: { 'controller-uid': 'u' } } }))).toMatchObject({ selector: { matchLabels: { 'controller-uid': 'u' } } });
    expect(readManifest(cron({}, { selector: { matchLabels: { other: 'x' } } }))).toMatchObject({ selector: { matchLabels: { app: 'web', 'controller-uid': 'u' } } });
  });

  test('refused where the API server refuses it: there, and in matchExpressions; not a spec.selector beside it', () => {
    const paths = (o: unknown): string[] => nonStringMetadataValues(o).map((r) => `${r.path.join('.')} ${r.notMapping ?? ''}`.trim());
    expect(paths(cron({ selector: 'app=web' }))).toEqual(['spec.jobTemplate.spec.selector a label selector (matchLabels: {app: web})']);
    expect(paths(cron({ selector: { matchLabels: { n: 5 } } }))).toEqual(['spec.jobTemplate.spec.selector.matchLabels.n']);
    expect(paths(cron({}, { selector: 'app=web' }))).toEqual([]);
    expect(paths(cron({ selector: { matchLabels: { app: 'web' } } }))).toEqual([]);
  });

  test('matchExpressions that is no list, an entry that is no mapping, values that are no list: refused (a Deployment alike)', () => {
    const deploy = (matchExpressions: unknown): Record<string, unknown> => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchExpressions }, template: { metadata: { labels: { app: 'web' } } } },
    });
    const paths = (o: unknown): string[] => nonStringMetadataValues(o).map((r) => `${r.path.join('.')} ${r.notMapping ?? ''}`.trim());
    expect(paths(deploy('x'))).toEqual(['spec.selector.matchExpressions a list of requirements ([{key: app, operator: In, values: [web]}])']);
    expect(paths(deploy(['x']))).toEqual(['spec.selector.matchExpressions.0 a requirement ({key: app, operator: In, values: [web]})']);
    expect(paths(deploy([{ key: 'app', operator: 'In', values: 'web' }]))).toEqual(['spec.selector.matchExpressions.0.values a list of strings ([web])']);
    expect(paths(deploy([{ key: 'app', operator: 'In', values: [5] }]))).toEqual(['spec.selector.matchExpressions.0.values.0']);
    expect(paths(deploy([{ key: 'app', operator: 'In', values: ['web'] }]))).toEqual([]);
    expect(paths(cron({ selector: { matchExpressions: 'x' } }))).toEqual(['spec.jobTemplate.spec.selector.matchExpressions a list of requirements ([{key: app, operator: In, values: [web]}])']);
  });
});

describe('helpers', () => {
  test('stringMap keeps scalars as strings and __proto__ as a key', () => {
    const map = stringMap(JSON.parse('{"a": 1, "b": true, "c": {}, "__proto__": "x"}'));
    expect(map).toEqual({ a: '1', b: 'true', ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });

  test('labelSelectorOf drops malformed expressions', () => {
    expect(labelSelectorOf({ matchLabels: {}, matchExpressions: [{ key: 'a', operator: 'In', values: [1] }, { operator: 'In' }] }))
      .toEqual({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] });
  });

  test('named targetPort resolution on the workloads a Service selects', () => {
    type Workload = { namespace: string; podLabels: Record<string, string>; ports: { port: number; protocol: string; name?: string }[] };
    const workloads: Workload[] = [
      { namespace: 'shop', podLabels: { app: 'web' }, ports: [{ port: 8080, protocol: 'TCP', name: 'http' }] },
      { namespace: 'shop', podLabels: { app: 'web', v: '2' }, ports: [{ port: 8080, protocol: 'TCP', name: 'http' }] },
      { namespace: 'other', podLabels: { app: 'web' }, ports: [{ port: 9000, protocol: 'TCP', name: 'http' }] },
      { namespace: 'shop', podLabels: { app: 'db' }, ports: [{ port: 5432, protocol: 'TCP', name: 'http' }] },
    ];
    const backends = serviceBackends({ namespace: 'shop', selector: { app: 'web' } }, workloads);
    expect(backends).toEqual(workloads.slice(0, 2));
    expect(namedTargetPorts('http', backends)).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(namedTargetPorts('grpc', backends)).toEqual([]);
    expect(serviceBackends({ namespace: 'shop' }, workloads)).toEqual([]);
    expect(serviceBackends({ namespace: 'shop', selector: {} }, workloads)).toEqual([]);
    expect([isNumericTargetPort(80), isNumericTargetPort('8080'), isNumericTargetPort('http')]).toEqual([true, true, false]);
  });
});

describe('selector translation at import', () => {
  const sel = (m: Record<string, string>): Selector => Selector.from({ matchLabels: m });

  test('CNP subject: the policy namespace replaces the one written', () => {
    expect(importSubjectSelector({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x', app: 'a' } }, { mode: 'cnp', namespace: 'shop' }).toString())
      .toBe('{any:app=a, k8s:io.kubernetes.pod.namespace=shop}');
    expect(importSubjectSelector({ matchLabels: { app: 'a' } }, { mode: 'ccnp' }).toString()).toBe('{any:app=a}');
  });

  test('CNP subject: matchExpressions on the namespace key and source-less namespace labels are kept (AND)', () => {
    const notOwn = { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['shop'] }] };
    expect(importSubjectSelector(notOwn, { mode: 'cnp', namespace: 'shop' }).toString())
      .toBe('{k8s:io.kubernetes.pod.namespace NotIn (shop), k8s:io.kubernetes.pod.namespace=shop}');
    expect(importSubjectSelector({ matchLabels: { 'io.kubernetes.pod.namespace': 'x' } }, { mode: 'cnp', namespace: 'shop' }).toString())
      .toBe('{any:io.kubernetes.pod.namespace=x, k8s:io.kubernetes.pod.namespace=shop}');
  });

  test('peers: namespace injection, reserved selectors, init subjects, the cluster filter', () => {
    const cnp = { mode: 'cnp', namespace: 'shop', localCluster: 'c1' } as const;
    expect(importEndpointSelector(sel({ app: 'a' }), cnp).toString())
      .toBe('{any:app=a, k8s:io.kubernetes.pod.namespace=shop, k8s:io.cilium.k8s.policy.cluster=c1}');
    expect(importEndpointSelector(sel({ 'io.cilium.k8s.namespace.labels.team': 't' }), { mode: 'cnp' }).toString())
      .toBe('{any:io.cilium.k8s.namespace.labels.team=t}');
    expect(importEndpointSelector(sel({ 'io.cilium.k8s.namespace.labels.team': 't' }), { mode: 'ccnp' }).toString())
      .toBe('{any:io.cilium.k8s.namespace.labels.team=t, k8s:io.kubernetes.pod.namespace Exists}');
    expect(importEndpointSelector(sel({ app: 'a' }), { mode: 'ccnp', matchesInit: true }).toString()).toBe('{any:app=a}');
    expect(importEndpointSelector(sel({ 'reserved:host': '' }), cnp).toString()).toBe('{reserved:host=}');
    expect(importEndpointSelector(sel({ 'reserved:host': '' }), cnp, false).toString())
      .toBe('{reserved:host=, k8s:io.kubernetes.pod.namespace=shop, k8s:io.cilium.k8s.policy.cluster=c1}');
    expect(importEndpointSelector(sel({ app: 'a' }), { mode: 'raw', localCluster: 'c1' }).toString()).toBe('{any:app=a}');
    expect(importNodeSelector(sel({}), { mode: 'ccnp', localCluster: 'c1' }).toString())
      .toBe('{reserved:remote-node Exists, k8s:io.cilium.k8s.policy.cluster=c1}');
    expect(clusterFilter(sel({ 'io.cilium.k8s.policy.cluster': 'c2' }), 'c1').toString()).toBe('{any:io.cilium.k8s.policy.cluster=c2}');
    expect(clusterFilter(sel({}), undefined).toString()).toBe('{}');
  });
});
