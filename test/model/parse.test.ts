import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { emitDocument } from '../../src/model/emit';
import { fromConstructObject, fromObject, fromYaml } from '../../src/model/parse';
import { ParseResult, SourceDiagnostic } from '../../src/model/parse-result';
import { CRD_ROOT } from '../support/shared';

const HEADER = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: ns\n';

/** A CNP whose spec is the given YAML block (indented by the caller as under `spec:`). */
function cnp(spec: string): string {
  return `${HEADER}spec:\n${spec}`;
}

function ids(result: ParseResult): string[] {
  return result.diagnostics.map((d) => `${d.id} ${d.path ?? ''}`.trim());
}

function only(result: ParseResult, id: string): SourceDiagnostic {
  const found = result.diagnostics.filter((d) => d.id === id);
  expect(found, ids(result).join('\n')).toHaveLength(1);
  return found[0];
}

describe('fromYaml: streams', () => {
  it('reads every document of a multi-document stream and skips other kinds', () => {
    const text = [
      cnp('  endpointSelector: {}\n  ingress: [{}]\n'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n',
      '# only a comment\n',
      'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\nspec:\n  nodeSelector: {}\n  egress: [{}]\n',
    ].join('---\n');
    const r = fromYaml(text, { file: 'multi.yaml' });
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => [d.model.kind, d.model.metadata.name, d.source])).toEqual([
      ['CiliumNetworkPolicy', 'p', { file: 'multi.yaml', index: 0 }],
      ['CiliumClusterwideNetworkPolicy', 'c', { file: 'multi.yaml', index: 3 }],
    ]);
    expect(r.skipped).toEqual([{ kind: 'Deployment', index: 1, object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }, locate: expect.any(Function) }]);
    expect(r.skipped[0].locate('metadata.name')).toEqual({ line: text.split('\n').indexOf('metadata: {name: d}') + 1, column: 18 });
    expect(r.rawRules).toEqual([]);
  });

  it('reads the items of a kind: List (kubectl get cnp,ccnp -A -o yaml) and ignores server-set metadata and status', () => {
    const text = `apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: Service
  metadata: {name: s}
- apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: '{}'
    creationTimestamp: "2024-01-01T00:00:00Z"
    generation: 1
    managedFields:
    - manager: kubectl
    name: web
    namespace: prod
    resourceVersion: "123"
    uid: 0b0c
  spec:
    endpointSelector:
      matchLabels: {app: web}
    ingress:
    - toPorts:
      - ports:
        - port: "8080"
  status:
    conditions: []
- apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata: {name: all}
  specs:
  - endpointSelector: {}
    egress: [{toEntitiez: [world]}]
`;
    const r = fromYaml(text);
    expect(r.skipped).toEqual([{ kind: 'Service', index: 0, itemPath: 'items[0]', object: expect.objectContaining({ kind: 'Service' }), locate: expect.any(Function) }]);
    expect(r.documents.map((d) => d.source)).toEqual([{ index: 0, itemPath: 'items[1]' }, { index: 0, itemPath: 'items[2]' }]);
    expect(r.documents[0].model.metadata).toEqual({
      name: 'web', namespace: 'prod', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    });
    // locate() is relative to the item.
    expect(r.documents[0].locate('spec.ingress[0].toPorts[0].ports[0].port')).toEqual({ line: 28, column: 17 });
    // Diagnostics name the item, with paths relative to it.
    const d = only(r, 'parse-unknown-field');
    expect(d).toMatchObject({ path: 'specs[0].egress[0].toEntitiez', itemPath: 'items[2]', index: 0, line: 36, column: 15, fix: 'did you mean toEntities?' });
  });

  it('reads CiliumNetworkPolicyList like List', () => {
    const r = fromYaml('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicyList\nitems:\n- ' +
      'apiVersion: cilium.io/v2\n  kind: CiliumNetworkPolicy\n  metadata: {name: a}\n  spec: {endpointSelector: {}}\n');
    expect(r.documents.map((d) => d.model.metadata.name)).toEqual(['a']);
  });

  it('a CiliumNetworkPolicyList item without kind and apiVersion is a CiliumNetworkPolicy, as kubectl decodes it (the API writes them so)', () => {
    const list = (item: string, kind = 'CiliumNetworkPolicyList'): string => `apiVersion: cilium.io/v2\nkind: ${kind}\nitems:\n- ${item}metadata: {name: a, namespace: shop}\n  spec: {endpointSelector: {}, ingress: [{}]}\n`;
    const r = fromYaml(list(''));
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => `${d.model.kind} ${d.model.metadata.namespace ?? ''}/${d.model.metadata.name} ${d.source.itemPath ?? ''}`))
      .toEqual(['CiliumNetworkPolicy shop/a items[0]']);
    expect(fromYaml(list('', 'CiliumClusterwideNetworkPolicyList')).documents.map((d) => d.model.kind)).toEqual(['CiliumClusterwideNetworkPolicy']);
    // Only when both are missing (decodeToList); a `List` gives no kind: still reported, not read.
    expect(fromYaml(list('apiVersion: cilium.io/v2\n  ')).diagnostics.map((d) => d.id)).toEqual(['parse-missing-kind']);
    expect(fromYaml(list('', 'List')).diagnostics.map((d) => d.id)).toEqual(['parse-missing-kind']);
  });

  it('reads spec and specs of one document, both present', () => {
    const r = fromYaml(cnp('  endpointSelector: {matchLabels: {a: b}}\n  egress: [{toEntities: [world]}]\n') +
      'specs:\n- endpointSelector: {}\n  ingress: [{fromEntities: [cluster]}]\n- endpointSelector: {}\n  egressDeny: [{toEntities: [world]}]\n');
    expect(r.diagnostics).toEqual([]);
    const m = r.documents[0].model;
    expect(m.spec?.egress).toEqual([{ entities: ['world'] }]);
    expect(m.specs?.map((s) => Object.keys(s))).toEqual([['endpointSelector', 'ingress'], ['endpointSelector', 'egressDeny']]);
    expect(m.specs?.[0].ingress).toEqual([{ entities: ['cluster'] }]);
  });

  it('reads a top-level array as raw api.Rule JSON (local API format), without namespace injection', () => {
    const text = `[{
  "labels": [{"key": "name", "value": "rule1"}],
  "endpointSelector": {"matchLabels": {"app": "service"}},
  "ingress": [{
    "fromEndpoints": [{"matchLabels": {"env": "prod"}}],
    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}]}]
  }]
}]`;
    const r = fromYaml(text, { file: 'l7.json' });
    expect(r.documents).toEqual([]);
    expect(r.diagnostics).toEqual([]);
    expect(r.rawRules).toHaveLength(1);
    expect(r.rawRules[0].source).toEqual({ file: 'l7.json', index: 0 });
    expect(r.rawRules[0].rules).toStrictEqual([{
      labels: [{ key: 'name', value: 'rule1' }],
      endpointSelector: { matchLabels: { app: 'service' } },
      ingress: [{ endpoints: [{ matchLabels: { env: 'prod' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    }]);
    expect(r.rawRules[0].locate('[0].ingress[0].toPorts[0].ports[0].port')).toEqual({ line: 6, column: 37 });
    expect(fromObject(JSON.parse(text)).rawRules[0].rules).toStrictEqual(r.rawRules[0].rules);
  });

  it('explains a Kubernetes object inside a raw rule array', () => {
    const r = fromObject([{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, spec: {} }]);
    expect(ids(r)).toEqual(['parse-unknown-field [0].apiVersion', 'parse-unknown-field [0].kind', 'parse-unknown-field [0].metadata',
      'parse-unknown-field [0].spec']);
    expect(r.diagnostics[1].fix).toMatch(/kind: List/);
  });

  it('refuses a kind-less mapping that looks like a policy (an error, as kubectl refuses it), and skips it', () => {
    const r = fromYaml('endpointSelector: {}\ningress: [{}]\n');
    expect(r.documents).toEqual([]);
    expect(r.skipped).toEqual([{ index: 0, object: { endpointSelector: {}, ingress: [{}] }, locate: expect.any(Function) }]);
    expect(only(r, 'parse-missing-kind').severity).toBe(Severity.ERROR);
  });
});

describe('fromYaml: errors are reported and the rest is still read', () => {
  it('reports a YAML syntax error with its line and reads the other documents', () => {
    const text = `${cnp('  endpointSelector: {}\n')}---\nkind: CiliumNetworkPolicy\nspec: [\n---\n${cnp('  endpointSelector: {}\n')}`;
    const r = fromYaml(text, { file: 'bad.yaml' });
    expect(r.documents.map((d) => d.source.index)).toEqual([0, 2]);
    const d = only(r, 'parse-yaml-syntax');
    expect(d).toMatchObject({ severity: Severity.ERROR, file: 'bad.yaml', index: 1 });
    expect(d.line).toBeGreaterThanOrEqual(10);
    expect(d.column).toBeGreaterThan(0);
  });

  it('reports duplicate keys as a syntax error (Kubernetes rejects them too)', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  egress: []\n  egress: [{}]\n'));
    expect(r.documents).toEqual([]);
    expect(only(r, 'parse-yaml-syntax').line).toBe(9);
  });

  it('reports a document that is not a mapping', () => {
    const r = fromYaml(`just a string\n---\n${cnp('  endpointSelector: {}\n')}`);
    expect(only(r, 'parse-yaml-syntax')).toMatchObject({ index: 0, line: 1, column: 1 });
    expect(r.documents).toHaveLength(1);
  });

  it('reports unknown fields with the nearest known name and keeps reading', () => {
    const r = fromYaml(cnp(`  endpointSelector: {}
  bogus: 1
  egress:
  - toFQDN:
    - matchName: example.com
    toPorts:
    - ports:
      - port: "443"
`));
    expect(ids(r)).toEqual(['parse-unknown-field spec.bogus', 'parse-unknown-field spec.egress[0].toFQDN']);
    const [bogus, typo] = r.diagnostics;
    expect(bogus).toMatchObject({ severity: Severity.ERROR, line: 8, column: 3 });
    expect(bogus.fix).toMatch(/^remove it; known fields here: endpointSelector, nodeSelector, /);
    expect(typo).toMatchObject({ severity: Severity.ERROR, line: 10, column: 5, fix: 'did you mean toFQDNs?' });
    expect(typo.message).toBe('unknown field toFQDN in egress rule; it is left out');
    // The rest of the item is still read.
    expect(r.documents[0].model.spec?.egress).toEqual([{ toPorts: [{ ports: [{ port: '443' }] }] }]);
  });

  it('explains fields of the other direction, legacy auth, and peer fields directly under spec', () => {
    const r = fromObject({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'p' },
      spec: {
        endpointSelector: {},
        fromEndpoints: [{}],
        ingress: [{ toEndpoints: [{}], toFQDNs: [{ matchName: 'a' }] }],
        egress: [{ toEndpoints: [{}], auth: { type: 'null' } }],
      },
    });
    expect(r.diagnostics.map((d) => [d.path, d.fix])).toEqual([
      ['spec.fromEndpoints', 'fromEndpoints belongs inside a rule item, e.g. ingress: [{fromEndpoints: …}]'],
      ['spec.ingress[0].toEndpoints', 'toEndpoints is an egress field; in ingress rules write fromEndpoints'],
      ['spec.ingress[0].toFQDNs', 'toFQDNs exists only in egress rules; it cannot be used in ingress'],
      ['spec.egress[0].auth', '`auth: {type: …}` (Cilium <= 1.13) was replaced in 1.14 by `authentication: {mode: disabled | required | test-always-fail}`'],
    ]);
    expect(r.documents[0].model.spec).toEqual({ endpointSelector: {}, ingress: [{}], egress: [{ endpoints: [{}] }] });
  });

  it('skips a field of the wrong type', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  ingress: "x"\n  egress:\n  - toPorts: {ports: [{port: "80"}]}\n    toEntities: [world]\n'));
    expect(ids(r)).toEqual(['parse-wrong-type spec.ingress', 'parse-wrong-type spec.egress[0].toPorts']);
    expect(r.diagnostics[0]).toMatchObject({ severity: Severity.ERROR, line: 8, column: 12, message: 'spec.ingress must be a list, got a string ("x"); it is left out' });
    expect(r.diagnostics[1].fix).toMatch(/wrap the mapping in a list/);
    expect(r.documents[0].model.spec).toStrictEqual({ endpointSelector: {}, egress: [{ entities: ['world'] }] });
  });

  it('keeps a number or boolean written for a string as its text, but reports it (the API server rejects it)', () => {
    const r = fromYaml(cnp(`  endpointSelector:
    matchLabels: {version: 1.10, canary: true}
  ingress:
  - toPorts:
    - ports: [{port: "80", protocol: TCP}]
      rules:
        http: [{path: 123}]
`));
    expect(ids(r)).toEqual([
      'parse-wrong-type spec.endpointSelector.matchLabels.version',
      'parse-wrong-type spec.endpointSelector.matchLabels.canary',
      'parse-wrong-type spec.ingress[0].toPorts[0].rules.http[0].path',
    ]);
    expect(r.diagnostics[0].fix).toBe('quote it: "1.10"');
    const spec = r.documents[0].model.spec;
    expect(spec?.endpointSelector).toEqual({ matchLabels: { version: '1.10', canary: 'true' } });
    expect(spec?.ingress?.[0].toPorts?.[0].rules).toEqual({ http: [{ path: '123' }] });
  });

  it('leaves out an object without a required field', () => {
    const r = fromObject({
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p' },
      spec: { endpointSelector: {}, labels: [{ value: 'v' }, { key: 'k' }], egress: [{ icmps: [{ fields: [{ family: 'IPv4' }, { type: 8 }] }] }] },
    });
    expect(ids(r)).toEqual(['parse-missing-field spec.labels[0]', 'parse-missing-field spec.egress[0].icmps[0].fields[0]']);
    expect(r.documents[0].model.spec?.labels).toEqual([{ key: 'k' }]);
    expect(r.documents[0].model.spec?.egress).toEqual([{ icmps: [{ fields: [{ type: 8 }] }] }]);
  });

  it('reports a wrong apiVersion but still reads the policy', () => {
    const r = fromYaml('apiVersion: cilium.io/v2alpha1\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}}\n');
    expect(only(r, 'parse-api-version')).toMatchObject({ severity: Severity.ERROR, path: 'apiVersion', line: 1, column: 13 });
    expect(r.documents[0].model.spec).toEqual({ endpointSelector: {} });
  });

  it('reports a missing metadata.name and uses an empty name', () => {
    const r = fromYaml('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {namespace: x}\nspec: {endpointSelector: {}}\n');
    expect(only(r, 'parse-missing-name').severity).toBe(Severity.ERROR);
    expect(r.documents[0].model.metadata).toEqual({ name: '', namespace: 'x' });
    expect(ids(fromObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' }))).toEqual(['parse-missing-name']);
  });

  it('treats null as omitted, with a warning', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  ingress:\n  - fromCIDR:\n    toPorts: [{ports: [{port: "22"}]}]\n'));
    expect(only(r, 'parse-null-value')).toMatchObject({ severity: Severity.WARNING, path: 'spec.ingress[0].fromCIDR', line: 9, column: 5 });
    expect(r.documents[0].model.spec?.ingress?.[0]).toStrictEqual({ toPorts: [{ ports: [{ port: '22' }] }] });
  });

  it('reads a plain YAML 1.1 boolean as Go\'s readers do: a boolean, warned about; in a label a wrong type (before: the string "yes", enforced)', () => {
    const r = fromYaml(cnp('  endpointSelector: {matchLabels: {enabled: yes}}\n  labels: [{key: a, value: "on"}]\n'));
    expect(only(r, 'parse-yaml11-ambiguous')).toMatchObject({ severity: Severity.WARNING, line: 7 });
    expect(only(r, 'parse-wrong-type')).toMatchObject({ severity: Severity.ERROR, path: 'spec.endpointSelector.matchLabels.enabled' });
    expect(only(r, 'parse-wrong-type').message).toContain('(unquoted yes is a YAML 1.1 boolean: kubectl, Helm, Argo CD and Flux send true)');
    // The text is kept (a selector without its label would select more), but the policy is refused (admission).
    expect(r.documents[0].model.spec?.endpointSelector).toEqual({ matchLabels: { enabled: 'yes' } });
  });

  // Session 45: the label values of the other manifests of the input were read as text (`stringMap`: `country: NO` as
  // "false", `version: 1.10` as "1.1"); the API server refuses such an object (labels are strings), so it never exists.
  it('refuses a workload, Service or Namespace whose label value is no string, at its line, named as written (before: read as text)', () => {
    const r = fromYaml('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: shop}\nspec:\n'
      + '  selector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [a, 1.10]}]}\n'
      + '  template:\n    metadata:\n      labels: {app: web, country: NO}\n    spec: {containers: [{name: c}]}\n'
      + '---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {on: on}}\n'
      + '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: "a"}}\n', { file: 'm.yaml' });
    const wrong = r.diagnostics.filter((d) => d.id === 'parse-wrong-type');
    expect(wrong.map((d) => [d.index, d.path, d.line, d.fix])).toEqual([
      [0, 'spec.template.metadata.labels.country', 8, 'quote it: "NO"'],
      [0, 'spec.selector.matchExpressions[0].values[1]', 5, 'quote it: "1.10"'],
      [1, 'spec.selector.true', 14, 'quote it: "on"'],
    ]);
    expect(wrong.every((d) => d.severity === Severity.ERROR && d.file === 'm.yaml')).toBe(true);
    expect(wrong[0].message).toBe('labels.country must be a string, got a boolean (false) (unquoted NO is a YAML 1.1 boolean: kubectl, Helm, Argo CD '
      + 'and Flux send false); the API server refuses the Deployment shop/d (labels and annotations are strings), so it is not read');
    expect(r.skipped.map((d) => d._refused?.length)).toEqual([2, 1, undefined]);
  });

  // Session 45 review: ObjectMeta's annotations are map[string]string too, and a list is no string either: such a Pod
  // was read as an endpoint (its named port resolved). `null` decodes to "" in Go: not refused.
  it('refuses a manifest whose annotation value, or label value, is a number, a list or a mapping (before: read, only scalars of labels refused)', () => {
    const r = fromYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: a, annotations: {prometheus.io/port: 8080}}\n'
      + '---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, labels: {app: b, tier: [a]}}\n'
      + '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata: {annotations: {x: {y: z}}}\n'
      + '---\napiVersion: v1\nkind: Pod\nmetadata: {name: ok, labels: {app: ok, empty: null}, annotations: {prometheus.io/port: "8080"}}\n', { file: 'm.yaml' });
    expect(r.diagnostics.filter((d) => d.id === 'parse-wrong-type').map((d) => [d.index, d.path, d.line, d.message, d.fix])).toEqual([
      [0, 'metadata.annotations["prometheus.io/port"]', 3, 'annotations["prometheus.io/port"] must be a string, got a number (8080); the API server refuses '
        + 'the Pod a (labels and annotations are strings), so it is not read', 'quote it: "8080"'],
      [1, 'metadata.labels.tier', 7, 'labels.tier must be a string, got a list; the API server refuses the Pod b (labels and annotations are strings), so it '
        + 'is not read', 'write labels.tier as one string'],
      [2, 'spec.template.metadata.annotations.x', 14, 'annotations.x must be a string, got a mapping; the API server refuses the Deployment d (labels and '
        + 'annotations are strings), so it is not read', 'write annotations.x as one string'],
    ]);
    expect(r.skipped.map((d) => d._refused?.length)).toEqual([1, 1, 1, undefined]);
  });

  // Session 46: a label, annotation or selector map written as no mapping was read as an empty map (no labels, a
  // Service without a selector), silently; Go cannot decode it, so the API server refuses the object.
  it('refuses a manifest whose labels, annotations or selector is no mapping, at its line (before: read as empty)', () => {
    const r = fromYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: [app=a]}\n'
      + '---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: app=web}\n'
      + '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: app=web\n  template:\n    metadata: {annotations: "x"}\n'
      + '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ok, labels: null, annotations: {}}\n', { file: 'm.yaml' });
    expect(r.diagnostics.filter((d) => d.id === 'parse-wrong-type').map((d) => [d.index, d.path, d.line, d.message, d.fix])).toEqual([
      [0, 'metadata.labels', 3, 'metadata.labels must be a mapping of strings (app: web), got a list; the API server refuses the Pod a (labels and '
        + 'annotations are maps of strings), so it is not read', 'write metadata.labels as a mapping of strings (app: web)'],
      [1, 'spec.selector', 8, expect.stringContaining('spec.selector must be a mapping of strings (app: web), got a string ("app=web")'), expect.any(String)],
      [2, 'spec.template.metadata.annotations', 16, expect.stringContaining('got a string ("x")'), expect.any(String)],
      [2, 'spec.selector', 14, expect.stringContaining('the API server refuses the Deployment d'), 'write spec.selector as a label selector (matchLabels: {app: web})'],
    ]);
    expect(r.skipped.map((d) => d._refused?.length)).toEqual([1, 1, 2, undefined]);
  });

  // Session 45 review: cdk8s writes the string "0o17" without quotes and Go reads it as 15, so the API server refuses the
  // Pod of the synthesized file; the construct's object (a string) was read as an endpoint.
  it('judges an object of a construct as the file cdk8s writes: a label or annotation string Go reads as a number refuses it', () => {
    const pod = (v: string): unknown => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'p', v }, annotations: { n: v } } });
    const r = fromConstructObject(pod('0o17'));
    expect(r.diagnostics.map((d) => [d.id, d.path, d.message, d.fix])).toEqual(['labels', 'annotations'].map((map) => [
      'parse-wrong-type', `metadata.${map}.${map === 'labels' ? 'v' : 'n'}`, `${map}.${map === 'labels' ? 'v' : 'n'} must be a string, got a number (15): `
        + 'cdk8s writes "0o17" without quotes and kubectl, Helm, Argo CD and Flux (Go\'s YAML readers) read it as the number 15; the API server refuses the '
        + 'Pod p (labels and annotations are strings), so it is not read',
      'cdk8s cannot write "0o17" safely (no option quotes it): use a value Go reads as a string, e.g. one that does not start with a digit ("v0o17"), '
        + 'and give the pods, namespaces or services the same value',
    ]));
    expect(r.skipped[0]._refused?.length).toBe(2);
    // cdk8s quotes "8080" and "1.10" (YAML 1.1 numbers): strings to Go. A plain object (`fromObject`) is judged as given.
    for (const v of ['8080', '1.10', 'v0o17']) expect(fromConstructObject(pod(v)).diagnostics).toEqual([]);
    expect(fromObject(pod('0o17')).diagnostics).toEqual([]);
  });

  it('never throws on garbage', () => {
    for (const input of [null, undefined, 42, 'x', [1, null], { kind: 'CiliumNetworkPolicy', metadata: 5, spec: [], specs: {} }, { kind: 'List', items: 3 },
      { kind: 'List', items: [7] }]) {
      expect(() => fromObject(input)).not.toThrow();
    }
    for (const text of ['', '---\n---\n', ': :', '[', '{a: *x}', 'a: &x [*x]', '\t- x']) {
      expect(() => fromYaml(text)).not.toThrow();
    }
  });
});

describe('fromYaml: values are kept as written', () => {
  it('keeps undefined vs [] vs [{}] exactly', () => {
    const r = fromYaml(cnp(`  endpointSelector: {}
  ingress:
  - {}
  - fromEndpoints: []
  - fromEndpoints: [{}]
  egress: []
`));
    expect(r.diagnostics).toEqual([]);
    const spec = r.documents[0].model.spec;
    expect(spec?.ingress).toStrictEqual([{}, { endpoints: [] }, { endpoints: [{}] }]);
    expect(spec?.egress).toStrictEqual([]);
    expect(spec && 'ingressDeny' in spec).toBe(false);
    expect(spec?.ingress?.[0] && 'endpoints' in spec.ingress[0]).toBe(false);
    expect(emitDocument(r.documents[0].model).spec).toStrictEqual(parseYamlText(cnp('  endpointSelector: {}\n  ingress: [{}, {fromEndpoints: []}, ' +
      '{fromEndpoints: [{}]}]\n  egress: []\n')).spec);
  });

  it('turns a numeric port into its string, reporting it because the CRD wants a string', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: 80\n        protocol: TCP\n'));
    expect(r.documents[0].model.spec?.ingress?.[0].toPorts?.[0].ports).toEqual([{ port: '80', protocol: 'TCP' }]);
    const d = only(r, 'parse-port-not-string');
    expect(d).toMatchObject({ severity: Severity.ERROR, path: 'spec.ingress[0].toPorts[0].ports[0].port', line: 11, column: 15, fix: 'quote it: port: "80"' });
    expect(fromObject(parseYamlText(cnp('  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: 443}]}]}]\n'))).documents[0].model.spec?.ingress)
      .toEqual([{ toPorts: [{ ports: [{ port: '443' }] }] }]);
  });

  it('keeps the source text of an octal-looking port instead of a YAML 1.2 (10) or YAML 1.1 (8) reading', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  egress:\n  - toPorts:\n    - ports:\n      - port: 010\n      - port: "010"\n      - port: 0x50\n'));
    expect(r.documents[0].model.spec?.egress?.[0].toPorts?.[0].ports).toEqual([{ port: '010' }, { port: '010' }, { port: '0x50' }]);
    expect(ids(r)).toEqual(['parse-port-not-string spec.egress[0].toPorts[0].ports[0].port', 'parse-port-not-string spec.egress[0].toPorts[0].ports[2].port']);
    expect(r.diagnostics[0].message).toMatch(/octal 8/);
    expect(r.diagnostics[0].fix).toBe('quote it as a decimal string: port: "10" (or "8" if octal was meant)');
  });

  it('keeps an ICMP type as a number or a string, as written', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  egress:\n  - icmps:\n    - fields:\n      - {family: IPv4, type: 8}\n      - {family: IPv6, type: EchoRequest}\n' +
      '      - {type: "8"}\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0].model.spec?.egress?.[0].icmps).toStrictEqual([{ fields: [{ family: 'IPv4', type: 8 }, { family: 'IPv6', type: 'EchoRequest' }, { type: '8' }] }]);
  });

  it('reads a leading-zero integer as the octal number Kubernetes stores, with a warning', () => {
    const r = fromYaml(cnp('  endpointSelector: {}\n  egress:\n  - toPorts:\n    - ports:\n      - {port: "80", endPort: 0100}\n'));
    expect(only(r, 'parse-yaml11-ambiguous').message).toBe('0100 is decimal 100 in YAML 1.2 but octal 64 for Kubernetes (YAML 1.1), which the API server stores; read here as 64');
    expect(r.documents[0].model.spec?.egress?.[0].toPorts?.[0].ports).toEqual([{ port: '80', endPort: 64 }]);
  });

  it('resolves anchors and merge keys like Kubernetes does', () => {
    const text = cnp(`  endpointSelector: &sel
    matchLabels: {app: web}
  ingress:
  - fromEndpoints: [*sel]
    toPorts:
    - ports:
      - <<: {protocol: TCP}
        port: "80"
`);
    const r = fromYaml(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0].model.spec?.ingress).toEqual([{ endpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ protocol: 'TCP', port: '80' }] }] }]);
    expect(r.documents[0].locate('spec.ingress[0].fromEndpoints[0].matchLabels.app')).toEqual({ line: 8, column: 24 });
    expect(r.documents[0].locate('spec.ingress[0].toPorts[0].ports[0].protocol')).toEqual({ line: 13, column: 24 });
  });

  it('keeps label keys such as __proto__ as plain data', () => {
    const r = fromObject(JSON.parse('{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"p"},' +
      '"spec":{"endpointSelector":{"matchLabels":{"__proto__":"x"}}}}'));
    const labels = r.documents[0].model.spec?.endpointSelector?.matchLabels ?? {};
    expect(Object.keys(labels)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });
});

describe('locate()', () => {
  const text = cnp(`  endpointSelector:
    matchLabels:
      "k8s:io.kubernetes.pod.namespace": kube-system
  ingress:
  - toPorts:
    - ports:
      - port: "53"
        protocol: UDP
`);

  it('returns the 1-based line/column of a node', () => {
    const doc = fromYaml(text).documents[0];
    expect(doc.locate('spec.ingress[0].toPorts[0].ports[0].port')).toEqual({ line: 13, column: 15 });
    expect(doc.locate('spec.ingress[0].toPorts[0].ports[0]')).toEqual({ line: 13, column: 9 });
    expect(doc.locate('spec.endpointSelector.matchLabels["k8s:io.kubernetes.pod.namespace"]')).toEqual({ line: 9, column: 42 });
    expect(doc.locate('metadata.name')).toEqual({ line: 4, column: 9 });
  });

  it('falls back to the nearest existing ancestor, and is undefined for a malformed path or for fromObject input', () => {
    const doc = fromYaml(text).documents[0];
    expect(doc.locate('spec.ingress[0].toPorts[0].ports[0].endPort')).toEqual({ line: 13, column: 9 });
    expect(doc.locate('spec..x')).toBeUndefined();
    expect(fromObject(parseYamlText(text)).documents[0].locate('spec.ingress[0]')).toBeUndefined();
  });
});

describe('field coverage against the CRDs', () => {
  /** A value for every property of a CRD schema node (one list element, every optional field present). */
  function sample(schema: Record<string, unknown>): unknown {
    if (schema['x-kubernetes-int-or-string']) return 8;
    switch (schema.type) {
      case 'object': {
        const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
        if (Object.keys(props).length === 0) {
          return schema.additionalProperties ? { k: 'v' } : {};
        }
        return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sample(v)]));
      }
      case 'array':
        return schema.maxItems === 0 ? [] : [sample(schema.items as Record<string, unknown>)];
      case 'integer':
        return 1;
      case 'boolean':
        return true;
      default:
        return schema.enum ? (schema.enum as unknown[])[0] : 'x';
    }
  }

  const versions = readdirSync(CRD_ROOT).filter((v) => !v.endsWith('.md')).sort();
  const BUNDLED = join(__dirname, '..', '..', 'crd-schemas');

  /**
   * The CRD `file` of a version folder of the shared CRDs. Where the package bundles that version, its bundled copy is read
   * (`crd-schemas/`: the same CRD's `v2` schema, only the `description` texts dropped, as one line of JSON;
   * test/testing/bundled-schemas.test.ts proves it is what the bundler makes from the shared file): parsing the shared YAML
   * costs ≈ 0.15 s a file, twelve times. The sample built from either is the same (it reads no description). `main` has
   * no bundled copy: its YAML is parsed.
   */
  function crdOf(version: string, file: string): unknown {
    const bundled = join(BUNDLED, version, `${file}.json`);
    return existsSync(bundled) ? JSON.parse(readFileSync(bundled, 'utf8')) : parseYamlText(readFileSync(join(CRD_ROOT, version, `${file}.yaml`), 'utf8'));
  }

  it.each(versions.flatMap((v) => ['ciliumnetworkpolicies', 'ciliumclusterwidenetworkpolicies'].map((f) => [v, f])))(
    '%s %s: every spec field is read and emitted back unchanged',
    (version, file) => {
      const crd = crdOf(version, file) as {
        spec: { names: { kind: string }; versions: { schema: { openAPIV3Schema: { properties: Record<string, Record<string, unknown>> } } }[] };
      };
      const specSchema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
      const spec = sample(specSchema) as Record<string, unknown>;
      const doc = { apiVersion: 'cilium.io/v2', kind: crd.spec.names.kind, metadata: { name: 'all', labels: { a: 'b' }, annotations: { c: 'd' } }, spec };
      const r = fromObject(doc);
      expect(r.diagnostics).toEqual([]);
      expect(emitDocument(r.documents[0].model)).toStrictEqual(doc);
    },
  );
});
