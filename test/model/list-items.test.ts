// The one reading of Kubernetes Lists (src/model/list-items.ts) as kubectl reads them: which objects a List gives, with
// which kind and apiVersion, and what it refuses (problems at their paths). Every reader uses it (test/model/list-readers.test.ts
// runs the same Lists through each); this file pins the edges: items without a kind, items that are no mapping,
// `items: null`, the nesting bound, documents that are no mapping.
import { describe, expect, it } from 'vitest';
import { isKubernetesList, listEntries, MAX_LIST_DEPTH } from '../../src/model/list-items';
import { fromYaml } from '../../src/model/parse';

/** `kind apiVersion` of each object read, and `path: message` of each problem. */
function read(value: unknown): { objects: string[]; problems: string[] } {
  const { entries, problems } = listEntries(value);
  return {
    objects: entries.map((e) => `${String(e.value.kind)} ${String(e.value.apiVersion)} at ${JSON.stringify(e.path)}`),
    problems: problems.map((p) => `${JSON.stringify(p.path)} in ${JSON.stringify(p.list)}: ${p.message}`),
  };
}

describe('the kind and apiVersion of an item of a typed List (apimachinery decodeToList)', () => {
  it('an item with neither gets the List\'s item kind and apiVersion; "" and a non-string read as missing, as Go reads them', () => {
    expect(read({ apiVersion: 'v1', kind: 'PodList', items: [{}, { kind: '' }, { kind: 7, apiVersion: '' }] }).objects).toEqual([
      'Pod v1 at ["items",0]', 'Pod v1 at ["items",1]', 'Pod v1 at ["items",2]',
    ]);
  });

  it('an item with a kind or an apiVersion of its own is kept as written', () => {
    expect(read({ apiVersion: 'v1', kind: 'PodList', items: [{ kind: 'Deployment' }, { apiVersion: 'apps/v1' }] }).objects).toEqual([
      'Deployment undefined at ["items",0]', 'undefined apps/v1 at ["items",1]',
    ]);
  });

  it('a plain List gives no kind; a typed List without apiVersion gives an empty one', () => {
    expect(read({ apiVersion: 'v1', kind: 'List', items: [{ metadata: { name: 'x' } }] }).objects).toEqual(['undefined undefined at ["items",0]']);
    const [item] = listEntries({ kind: 'CiliumNetworkPolicyList', items: [{}] }).entries;
    expect(item.value).toEqual({ kind: 'CiliumNetworkPolicy', apiVersion: '' });
  });

  it('through the policy reader: a kind-less item of a CiliumNetworkPolicyList is a policy, of a List it is not', () => {
    const item = '  - metadata: {name: web, namespace: shop}\n    spec: {endpointSelector: {}, ingress: [{}]}\n';
    const typed = fromYaml(`apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicyList\nitems:\n${item.replace('- metadata', '- kind: ""\n    metadata')}`);
    expect(typed.documents.map((d) => `${d.model.kind} ${d.model.metadata.name}`)).toEqual(['CiliumNetworkPolicy web']);
    const plain = fromYaml(`apiVersion: v1\nkind: List\nitems:\n${item}`);
    expect(plain.documents).toEqual([]);
  });
});

describe('what a List refuses', () => {
  it('items that are no mapping (null, a list, a number, a string): a problem each at its index, no object', () => {
    expect(read({ apiVersion: 'v1', kind: 'PodList', items: [null, [{ kind: 'Pod' }], 3, 'pod', { metadata: {} }] })).toEqual({
      objects: ['Pod v1 at ["items",4]'],
      problems: [
        '["items",0] in []: items[0] of the PodList is null, not a Kubernetes object',
        '["items",1] in []: items[1] of the PodList is a list, not a Kubernetes object',
        '["items",2] in []: items[2] of the PodList is a number (3), not a Kubernetes object',
        '["items",3] in []: items[3] of the PodList is a string ("pod"), not a Kubernetes object',
      ],
    });
  });

  it('items missing or null: no object and no problem; items that is no list: a problem at items', () => {
    expect(read({ kind: 'PodList' })).toEqual({ objects: [], problems: [] });
    expect(read({ kind: 'PodList', items: null })).toEqual({ objects: [], problems: [] });
    expect(read({ kind: 'List', items: [{ kind: 'PodList', items: { a: 1 } }] })).toEqual({
      objects: [], problems: ['["items",0,"items"] in ["items",0]: items of the PodList is a mapping, not a list'],
    });
  });

  it(`Lists nest at most ${MAX_LIST_DEPTH} deep: the objects of the ${MAX_LIST_DEPTH}th are read, the ${MAX_LIST_DEPTH + 1}th List is refused`, () => {
    const nest = (lists: number): unknown => {
      let v: unknown = { kind: 'Pod', apiVersion: 'v1' };
      for (let i = 0; i < lists; i++) v = { kind: 'List', apiVersion: 'v1', items: [v] };
      return v;
    };
    const at = (depth: number): string => JSON.stringify(Array.from({ length: depth }, () => ['items', 0]).flat());
    expect(read(nest(MAX_LIST_DEPTH))).toEqual({ objects: [`Pod v1 at ${at(MAX_LIST_DEPTH)}`], problems: [] });
    expect(read(nest(MAX_LIST_DEPTH + 1))).toEqual({
      objects: [], problems: [`${at(MAX_LIST_DEPTH)} in ${at(MAX_LIST_DEPTH)}: Lists nest more than ${MAX_LIST_DEPTH} deep`],
    });
  });
});

describe('documents that are not Lists', () => {
  it('a mapping is one object at the document; a document that is no mapping gives nothing (its reader reports it)', () => {
    expect(read({ kind: 'Pod', apiVersion: 'v1' })).toEqual({ objects: ['Pod v1 at []'], problems: [] });
    for (const v of [null, undefined, [{ kind: 'PodList', items: [{}] }], 'PodList', 7]) expect(read(v)).toEqual({ objects: [], problems: [] });
  });

  it('a List is a mapping whose kind is a string ending in List', () => {
    expect([{ kind: 'PodList' }, { kind: 'List' }, { kind: 'Pod' }, { kind: 7 }, { kind: ['List'] }, ['List'], null, undefined, 'List']
      .map((v) => isKubernetesList(v))).toEqual([true, true, false, false, false, false, false, false, false]);
  });

  // Session 49 (review mends): a document holding `items` is a List whatever its items (`det.Items != nil`); an item of a
  // List only when its items is a list (`FlattenListVisitor`: `Unstructured.IsList`).
  it('holding items: a List as a document (items present), as an item only with a list of items', () => {
    const values = [{ kind: 'Pod', items: null }, { kind: 'Pod', items: {} }, { kind: 'Pod', items: [] }, { kind: 'Pod' }, { kind: '', items: [] }, { kind: 'PodList' }];
    expect(values.map((v) => [isKubernetesList(v), isKubernetesList(v, true)])).toEqual([
      [true, false], [true, false], [true, true], [false, false], [false, false], [true, true]]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, items: null };
    expect(read({ apiVersion: 'v1', kind: 'List', items: [pod] })).toEqual({ objects: ['Pod v1 at ["items",0]'], problems: [] });
    expect(read(pod)).toEqual({ objects: [], problems: [] });
  });
});
