// The same Kubernetes Lists through every reader: the policy reader, the policy set (trace, replay, diff, draft read
// policies through it), validate, the positions of validate's inventory, the manifest reader and `--inventory`. They read
// Lists with one implementation (`listEntries`), so they agree: a reader that unpacks Lists its own way fails here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryProblem, readInventory } from '../../src/cli/inventory';
import { EndpointInventory, PolicySet } from '../../src/engine';
import { readHeader, readManifest } from '../../src/model/manifests';
import { fromYaml } from '../../src/model/parse';
import { yamlValues } from '../../src/model/yaml-stream';
import { validateInputs } from '../../src/validate';
import { rawObjects } from '../../src/validate/yaml-positions';

const dir = mkdtempSync(join(tmpdir(), 'list-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NESTED = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: PodList
  items:
  - metadata: {name: web, namespace: shop, labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
- apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicyList
  items:
  - metadata: {name: allow-web, namespace: shop}
    spec: {endpointSelector: {matchLabels: {app: web}}, ingress: [{fromEndpoints: [{}]}]}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicyList
  items:
  - metadata: {name: np, namespace: shop}
    spec: {podSelector: {}, policyTypes: [Ingress]}
- apiVersion: apps/v1
  kind: DeploymentList
  items:
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {name: in-deployment-list, namespace: shop}
    spec: {endpointSelector: {matchLabels: {app: web}}, ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]}
  - apiVersion: v1
    kind: List
`;

interface Case {
  readonly name: string;
  readonly text: string;
  /** `Kind namespace/name` of every object read. */
  readonly objects: readonly string[];
  /** The line of the error, when the List is refused. */
  readonly errorLine?: number;
}

const CASES: readonly Case[] = [
  {
    name: 'nested typed Lists, items of the List kind, a CNP in a DeploymentList, an empty inner List', text: NESTED,
    objects: ['Pod shop/web', 'CiliumNetworkPolicy shop/allow-web', 'NetworkPolicy shop/np', 'CiliumNetworkPolicy shop/in-deployment-list'],
  },
  { name: 'empty items', text: 'apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: v1\nkind: PodList\n', objects: [] },
  {
    name: 'an item that is no object, in a nested List', errorLine: 7, objects: ['Namespace /shop'],
    text: 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: PodList\n  items:\n  - 7\n- {apiVersion: v1, kind: Namespace, metadata: {name: shop}}\n',
  },
  { name: 'items that is no list', errorLine: 3, objects: [], text: 'apiVersion: v1\nkind: NamespaceList\nitems: shop\n' },
];

const id = (o: unknown): string => {
  const h = readHeader(o);
  return `${h?.kind} ${h?.namespace ?? ''}/${h?.name}`;
};
const POLICY_KINDS = ['CiliumNetworkPolicy', 'NetworkPolicy'];
const only = (ids: readonly string[], kinds: readonly string[]): string[] => ids.filter((i) => kinds.includes(i.split(' ')[0])).sort();

describe.each(CASES)('every reader reads a List alike: $name', (c) => {
  const file = join(dir, `${c.name.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, c.text);

  it('the policy reader', () => {
    const r = fromYaml(c.text, { file: 'in.yaml' });
    const read = [...r.documents.map((d) => `${d.model.kind} ${d.model.metadata.namespace ?? ''}/${d.model.metadata.name}`), ...r.skipped.map((s) => id(s.object))];
    expect(read.sort()).toEqual([...c.objects].sort());
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line)).toEqual(c.errorLine === undefined ? [] : [c.errorLine]);
  });

  it('the policy set of trace, replay, diff and draft', () => {
    const set = PolicySet.fromFiles([file]);
    expect(set.policies.map((p) => `${p.kind} ${p.namespace ?? ''}/${p.name}`).sort()).toEqual(only(c.objects, POLICY_KINDS));
    expect(set.inventory.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`)).toEqual(only(c.objects, ['Pod']));
    expect(set.diagnostics.filter((d) => d.severity === 'error').map((d) => d.line)).toEqual(c.errorLine === undefined ? [] : [c.errorLine]);
  });

  it('validate (its documents, its inventory positions, its errors)', () => {
    const report = validateInputs([{ name: 'in.yaml', text: c.text }]);
    expect(report.files[0].documents).toBe(c.objects.length);
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.id)).toEqual(c.errorLine === undefined ? [] : ['parse-wrong-type']);
    expect(errors.map((d) => `${d.file}:${d.line}`)).toEqual(c.errorLine === undefined ? [] : [`in.yaml:${c.errorLine}`]);
    expect(rawObjects(c.text).map((o) => id(o.obj)).sort()).toEqual([...c.objects].sort());
  });

  it('the manifest reader', () => {
    const read: string[] = [];
    const visit = (o: unknown): void => {
      const info = readManifest(o);
      if (info?.type === 'list') info.items.forEach(visit);
      else if (readHeader(o)?.kind) read.push(id(o));
    };
    for (const doc of yamlValues(c.text)) visit(doc.value);
    expect(read.sort()).toEqual([...c.objects].sort());
  });

  it('--inventory', () => {
    const problems = yamlValues(c.text).map((d) => inventoryProblem(d.value)).filter((p) => p !== undefined);
    const inventory = new EndpointInventory();
    if (c.errorLine === undefined) {
      expect(problems).toEqual([]);
      readInventory(file, inventory);
      expect(inventory.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`)).toEqual(only(c.objects, ['Pod']));
    } else {
      expect(problems).toHaveLength(1);
      expect(() => readInventory(file, inventory)).toThrow(`:${c.errorLine}`);
    }
  });
});
