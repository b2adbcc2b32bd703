// The structs EndpointInventory takes from code, from plain JavaScript: a misspelled field or a value of another shape is
// refused (option-unknown, option-value) instead of giving pods without their labels or a CIDR group read character by
// character, which every verdict about them would then be judged on.
import { ApiObject, ApiObjectProps, App, Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { EndpointInventory, Endpoints, PolicySet } from '../../src';

const loose = <T>(o: unknown): T => o as T;
const WORKLOAD = { kind: 'Deployment', name: 'api', namespace: 'prod', podLabels: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] };

/** app=web may reach the pods labelled app=api on their named port `http`. */
const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
`;

describe('EndpointInventory.addWorkload', () => {
  test('a well-formed workload gives its pods their named port: the verdict depends on it', () => {
    const inventory = new EndpointInventory();
    inventory.addWorkload(WORKLOAD);
    const set = PolicySet.fromYaml(POLICY, { inventory });
    expect(set.verdict({ from: Endpoints.parse('pod:prod:app=web'), to: Endpoints.parse('pod:prod:app=api'), port: 8080, protocol: 'TCP' }).verdict).toBe('allowed');
    expect(set.verdict({ from: Endpoints.parse('pod:prod:app=web'), to: Endpoints.parse('pod:prod:app=api'), port: 8081, protocol: 'TCP' }).verdict).toBe('denied');
  });

  test.each([
    [{ ...WORKLOAD, podLabels: undefined, podLabel: { app: 'api' } }, /podLabel \(a mapping\) is not a field of EndpointInventory\.addWorkload\(\).*did you mean podLabels\?/s],
    [{ ...WORKLOAD, ports: [{ name: 'http', prot: 8080 }] }, /EndpointInventory\.addWorkload\(\) ports\[0\]: prot \(8080\) is not a field .*did you mean port\?/s],
    [{ ...WORKLOAD, podLabels: ['app=api'] }, /addWorkload\(\): podLabels is a list, not a mapping of label keys to string values \(option-value\)/],
    [{ ...WORKLOAD, podLabels: { replicas: 3 } }, /podLabels is a mapping, not a mapping of label keys to string values/],
    [{ ...WORKLOAD, ports: [{ name: 'http', port: '8080' }] }, /ports\[0\]\.port is a string \("8080"\), not a port number \(1-65535\)/],
    [{ ...WORKLOAD, ports: [{ name: 'http', port: 0 }] }, /ports\[0\]\.port is a number \(0\), not a port number/],
    [{ ...WORKLOAD, ports: 'http' }, /ports is a string \("http"\), not a list .*read character by character/s],
    [{ ...WORKLOAD, namespace: undefined }, /addWorkload\(\): namespace is missing, not text/],
    [{ ...WORKLOAD, hostNetwork: 'yes' }, /hostNetwork is a string \("yes"\), not true or false/],
    [null, /addWorkload\(\): the argument is null, not a mapping of fields/],
  ])('%j is refused', (workload, message) => {
    const inventory = new EndpointInventory();
    expect(() => inventory.addWorkload(loose(workload))).toThrow(message);
    expect(inventory.workloads).toEqual([]);
  });

  test('a named port without a container port number in a manifest (containerport misspelled) names no port', () => {
    const inventory = new EndpointInventory();
    inventory.addManifest({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'prod' },
      spec: { template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'c', ports: [
        { name: 'http', containerPort: 8080 }, { name: 'udps', containerport: 3535 },
        // Numbers the API server refuses for a container port (1-65535) name no port either (seed-4545 mutant: 70000 was
        // kept, and the workload refused as a whole, option-value).
        { name: 'big', containerPort: 70000 }, { name: 'zero', containerPort: 0 },
      ] }] } } },
    });
    expect(inventory.workloads.map((w) => w.ports.map((p) => `${p.name}:${p.port}`))).toEqual([['http:8080']]);
    const set = PolicySet.fromYaml(POLICY, { inventory });
    expect(set.verdict({ from: Endpoints.parse('pod:prod:app=web'), to: Endpoints.parse('pod:prod:app=api'), port: 8080, protocol: 'TCP' }).verdict).toBe('allowed');
  });
});

describe('EndpointInventory.addManifest says whether it used the object', () => {
  test('a CIDR group, and a List of one, are used; an object the inventory does not keep is not (seed-4545 mutant: a CIDR group said unused)', () => {
    const group = { apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'partners' }, spec: { externalCIDRs: ['192.0.2.0/24'] } };
    const inventory = new EndpointInventory();
    expect(inventory.addManifest(group)).toBe(true);
    expect(inventory.cidrGroups.partners?.cidrs).toEqual(['192.0.2.0/24']);
    expect(new EndpointInventory().addManifest({ apiVersion: 'v1', kind: 'List', items: [group] })).toBe(true);
    expect(inventory.addManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'prod' }, data: {} })).toBe(false);
  });
});

describe('EndpointInventory.addService, addCidrGroup, addNamespace', () => {
  const SERVICE = { name: 'api', namespace: 'prod', labels: {}, selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }] };

  test('well-formed ones are kept', () => {
    const inventory = new EndpointInventory();
    inventory.addService(SERVICE);
    inventory.addCidrGroup('partners', { cidrs: ['192.0.2.0/24'], labels: { team: 'x' } });
    inventory.addNamespace('prod', { env: 'prod' });
    expect(inventory.services).toEqual([SERVICE]);
    expect(inventory.cidrGroups).toEqual({ partners: { cidrs: ['192.0.2.0/24'], labels: { team: 'x' } } });
    expect(inventory.namespaceLabels('prod')).toEqual({ env: 'prod' });
  });

  test('a misspelled or misshapen field is refused', () => {
    const inventory = new EndpointInventory();
    expect(() => inventory.addService(loose({ ...SERVICE, selector: undefined, selecter: { app: 'api' } }))).toThrow(/selecter \(a mapping\) is not a field .*did you mean selector\?/s);
    expect(() => inventory.addService(loose({ ...SERVICE, ports: [{ port: 80, targetPort: 70000, protocol: 'TCP' }] })))
      .toThrow(/addService\(\): ports\[0\]\.targetPort is a number \(70000\), not a port number/);
    expect(() => inventory.addService(loose({ ...SERVICE, endpointCidrs: '10.0.0.0/8' }))).toThrow(/endpointCidrs is a string \("10\.0\.0\.0\/8"\), not a list/);
    // One CIDR as a string was read as a list of characters.
    expect(() => inventory.addCidrGroup('partners', loose({ cidrs: '192.0.2.0/24' }))).toThrow(/addCidrGroup\(\): cidrs is a string \("192\.0\.2\.0\/24"\), not a list/);
    expect(() => inventory.addCidrGroup('partners', loose({ cidr: ['192.0.2.0/24'] }))).toThrow(/cidr \(a list\) is not a field .*did you mean cidrs\?/s);
    expect(() => inventory.addNamespace('prod', loose({ env: 1 }))).toThrow(/addNamespace\(\): labels is a mapping, not a mapping of label keys to string values/);
    expect(inventory.services).toEqual([]);
    expect(inventory.cidrGroups).toEqual({});
    expect(inventory.namespaceNames()).toEqual([]);
  });
});

// Session 45: a Pod of the inputs labelled `country: NO` (false to kubectl) was in the inventory as country=false, its
// named port resolving the policy's `http`; the API server refuses it, so it is no endpoint: left out, with the error.
describe('PolicySet.fromYaml: a manifest the API server refuses for a label value that is no string', () => {
  const policy = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: default}\nspec:\n'
    + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: http, protocol: TCP}]}]}]\n';
  const pod = (country: string): string => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: default, labels: {app: web, country: ${country}}}\n`
    + 'spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\n';
  const query = { from: Endpoints.pod('default', { app: 'client' }), to: Endpoints.pod('default', { app: 'web' }), port: 8080, protocol: 'TCP' };
  /** A chart of the policy and a Pod ApiObject labelled version: <label>, as a cdk8s app writes it. */
  const chartOf = (label: unknown): Chart => {
    const chart = new Chart(Testing.app(), 'c');
    new ApiObject(chart, 'p', yamlObject(policy));
    new ApiObject(chart, 'w', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w', namespace: 'default', labels: { app: 'web', version: label } },
      spec: { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    } as unknown as ApiObjectProps);
    return chart;
  };
  test('is left out of the inventory (its named port resolves nothing), with the reader\'s error; quoted, it is read', () => {
    const refused = PolicySet.fromYaml(policy + pod('NO'), { file: 'p.yaml' });
    expect(refused.inventory.workloads).toEqual([]);
    expect(refused._refusedManifests.map((d) => `${d.id} ${d.file}:${d.line} ${d.fix}`)).toEqual(['parse-wrong-type p.yaml:10 quote it: "NO"']);
    expect(refused.diagnostics).toContain(refused._refusedManifests[0]);
    expect(refused.decide(query)).toBe('denied');
    const read = PolicySet.fromYaml(policy + pod('"NO"'), { file: 'p.yaml' });
    expect(read.inventory.workloads.map((w) => w.podLabels)).toEqual([{ app: 'web', country: 'NO' }]);
    expect(read._refusedManifests).toEqual([]);
    expect(read.decide(query)).toBe('allowed');
  });

  test('from a cdk8s construct alike: a Pod ApiObject with a number label is no endpoint, its policy read', () => {
    const refused = PolicySet.fromConstruct(chartOf(1.1));
    expect([refused.inventory.workloads.length, refused._refusedManifests.map((d) => d.fix), refused.policies.length]).toEqual([0, ['quote it: "1.1"'], 1]);
    expect(refused.decide(query)).toBe('denied');
    const read = PolicySet.fromConstruct(chartOf('1.1'));
    expect([read.inventory.workloads.length, read._refusedManifests.length, read.decide(query)]).toEqual([1, 0, 'allowed']);
  });

  // Session 45 review: cdk8s writes the label "0o17" unquoted, Go reads 15, the API server refuses the Pod of the file:
  // fromConstruct read it (1 workload, allowed) where fromFiles of the synthesized file refused it.
  test('from a cdk8s construct, judged as the file cdk8s writes: a label string Go reads as a number is no endpoint', () => {
    const refused = PolicySet.fromConstruct(chartOf('0o17'));
    expect([refused.inventory.workloads.length, refused._refusedManifests.map((d) => `${d.id} ${d.path}`), refused.decide(query)])
      .toEqual([0, ['parse-wrong-type metadata.labels.version'], 'denied']);
    // The file cdk8s writes (`version: 0o17`, unquoted) is judged the same.
    const written = (chartOf('0o17').node.root as App).synthYaml();
    expect(written).toContain('version: 0o17\n');
    const file = PolicySet.fromYaml(written);
    expect([file.inventory.workloads.length, file._refusedManifests.map((d) => `${d.id} ${d.path}`), file.decide(query)])
      .toEqual([0, ['parse-wrong-type metadata.labels.version'], 'denied']);
    const read = PolicySet.fromConstruct(chartOf('v0o17'));
    expect([read.inventory.workloads.length, read._refusedManifests.length, read.decide(query)]).toEqual([1, 0, 'allowed']);
  });

  // Session 45 review: ObjectMeta's annotations are map[string]string as its labels are; a list is no string either.
  test('an annotation that is a number, or a label value that is a list: the Pod is no endpoint; quoted, it is', () => {
    const withMeta = (meta: string): string => policy + `---\napiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: default, ${meta}}\n`
      + 'spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\n';
    for (const meta of ['labels: {app: web}, annotations: {prometheus.io/port: 8080}', 'labels: {app: web, tier: [a]}']) {
      const set = PolicySet.fromYaml(withMeta(meta), { file: 'p.yaml' });
      expect([set.inventory.workloads.length, set._refusedManifests.map((d) => `${d.id} p.yaml:${d.line}`), set.decide(query)], meta)
        .toEqual([0, ['parse-wrong-type p.yaml:10'], 'denied']);
    }
    const read = PolicySet.fromYaml(withMeta('labels: {app: web, tier: "a"}, annotations: {prometheus.io/port: "8080"}'), { file: 'p.yaml' });
    expect([read.inventory.workloads.length, read._refusedManifests.length, read.decide(query)]).toEqual([1, 0, 'allowed']);
  });

  // Session 46: `labels: "app=web"` (or a list, or annotations so written) was read as no labels, silently: the Pod
  // stayed a workload (an endpoint without labels, its named ports read). Go cannot decode a string into ObjectMeta's
  // map[string]string: the API server refuses the Pod, it never exists.
  test('labels or annotations written as no mapping (a string, a list): the Pod is no endpoint; as a mapping, it is', () => {
    const all = policy.replace('endpointSelector: {matchLabels: {app: web}}', 'endpointSelector: {}');
    const withMeta = (meta: string): string => all + `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: w\n  namespace: default\n${meta}\n`
      + 'spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}\n';
    for (const meta of ['  labels: "app=web"', '  labels: [app=web]', '  labels: {app: web}\n  annotations: "a=b"', '  labels: 7']) {
      const set = PolicySet.fromYaml(withMeta(meta), { file: 'p.yaml' });
      expect([set.inventory.workloads.length, set._refusedManifests.map((d) => `${d.id} ${d.path} ${d.fix}`), set.decide(query)], meta)
        .toEqual([0, [expect.stringMatching(/^parse-wrong-type metadata\.(labels|annotations) write \S+ as a mapping of strings/)], 'denied']);
    }
    const refused = PolicySet.fromYaml(withMeta('  labels: "app=web"'), { file: 'p.yaml' })._refusedManifests[0];
    expect(`${refused.file}:${refused.line} ${refused.message}`).toBe('p.yaml:13 metadata.labels must be a mapping of strings (app: web), got a string ("app=web"); the API '
      + 'server refuses the Pod default/w (labels and annotations are maps of strings), so it is not read');
    const read = PolicySet.fromYaml(withMeta('  labels: {app: web}'), { file: 'p.yaml' });
    expect([read.inventory.workloads.length, read._refusedManifests.length, read.decide(query)]).toEqual([1, 0, 'allowed']);
    // `null` and `{}` decode to an empty map: a Pod without labels, read.
    for (const meta of ['  labels: null', '  labels: {}']) {
      const empty = PolicySet.fromYaml(withMeta(meta), { file: 'p.yaml' });
      expect([empty.inventory.workloads.map((w) => w.podLabels), empty._refusedManifests.length], meta).toEqual([[{}], 0]);
    }
  });
});

function yamlObject(text: string): ApiObjectProps {
  return parse(text) as ApiObjectProps;
}
