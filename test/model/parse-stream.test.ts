// How a YAML stream is read (src/model/parse.ts): which documents become policies, which are skipped and why, List
// items, and where each diagnostic points (id, path, file, document index, List item, line:column). Hostile input is
// refused with a diagnostic, never read partly as a policy.
import { describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { PolicySet } from '../../src/engine';
import { fromObject, fromYaml } from '../../src/model/parse';
import { SourceDiagnostic } from '../../src/model/parse-result';

const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: default}\nspec: {endpointSelector: {}}\n';

function where(d: SourceDiagnostic): unknown[] {
  return [d.id, d.path, d.index, d.itemPath, d.line, d.column];
}

describe('input refused before parsing', () => {
  it('nested too deep: one error at column 1 of its line, with the nesting fix, and nothing read', () => {
    const text = `${CNP}---\na: ${'['.repeat(200)}${']'.repeat(200)}\n`;
    const r = fromYaml(text, { file: 'deep.yaml' });
    expect(r.documents).toEqual([]);
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.file, d.line, d.column])).toEqual([['parse-yaml-syntax', Severity.ERROR, 'deep.yaml', 6, 1]]);
    expect(r.diagnostics[0].fix).toMatch(/^nest at most 100 levels deep/);
  });

  it('too many documents: the fix says to split the input', () => {
    const r = fromYaml('---\n'.repeat(10_001));
    expect(r.diagnostics.map((d) => [d.id, d.line, d.column])).toEqual([['parse-yaml-syntax', 10_001, 1]]);
    expect(r.diagnostics[0].fix).toBe('split the input into files of at most 10000 documents');
  });

  // Session 50 (mutation seed 5050, src/model/kubectl-parts.ts `GO_SPACE`): kubectl's YAMLReader.Read
  // (k8s.io/apimachinery pkg/util/yaml/decoder.go) takes only white space (strings.TrimSpace) or a comment after `---`;
  // anything else is "invalid Yaml document separator". The refusal names what follows, trimmed as Go trims it (its first 40
  // characters).
  it.each([
    ['a word', '--- x', '"x"'],
    ['a letter with no space', '---V', '"V"'],
    ['words, then spaces and a tab', '--- a b \t ', '"a b"'],
    ['more than 40 characters (shown cut at 40)', `--- ${'x'.repeat(41)}`, `"${'x'.repeat(40)}…"`],
  ])('a --- line followed by %s: refused at its line, naming what follows, nothing read', (_, separator, shown) => {
    const r = fromYaml(`${CNP}${separator}\n${CNP.replace('name: p', 'name: q')}`, { file: 'k.yaml' });
    expect(r.documents).toEqual([]);
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.line, d.message.split(' (its YAML reader')[0]])).toEqual([
      ['parse-yaml-syntax', Severity.ERROR, 5, `a --- line followed by ${shown} (line 5), which kubectl refuses`],
    ]);
  });

  it('a --- line followed by a tab and a comment: a cut, both documents read', () => {
    const r = fromYaml(`${CNP}---\t# next\n${CNP.replace('name: p', 'name: q')}`, { file: 'k.yaml' });
    expect([r.documents.map((d) => d.model.metadata.name), r.diagnostics]).toEqual([['p', 'q'], []]);
  });
});

describe('documents of the stream', () => {
  it('a YAML warning (unknown tag) is reported as a warning and the document is still read', () => {
    const r = fromYaml(`${CNP}---\n${CNP.replace('name: p', 'name: q')}`.replace('kind: CiliumNetworkPolicy\nmetadata: {name: q', 'kind: CiliumNetworkPolicy\nmetadata: !custom {name: q'), { file: 'w.yaml' });
    expect(r.documents.map((d) => [d.model.metadata.name, d.source.index])).toEqual([['p', 0], ['q', 1]]);
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.index, d.line, d.fix])).toEqual([['parse-yaml-syntax', Severity.WARNING, 1, 8, undefined]]);
  });

  it('a syntax error leaves out only its document, with a fix naming it', () => {
    const r = fromYaml(`${CNP}---\nkind: [\n---\n${CNP}`);
    expect(r.documents.map((d) => d.source.index)).toEqual([0, 2]);
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.index])).toEqual([['parse-yaml-syntax', Severity.ERROR, 1]]);
    expect(r.diagnostics[0].fix).toBe('fix the YAML syntax of document 1 (the other documents are still read)');
    expect(r.diagnostics[0].message).toMatch(/^[a-z]/);
    expect(r.diagnostics[0].message).not.toMatch(/[.:]$|\n/);
  });

  it('an alias bomb is refused with an error at its document, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 6; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    const r = fromYaml(`${CNP}---\n${lines.join('\n')}\n`);
    expect(r.documents).toHaveLength(1);
    expect(r.skipped).toEqual([]);
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.index, d.line, d.column])).toEqual([['parse-yaml-syntax', Severity.ERROR, 1, 6, 1]]);
    expect(r.diagnostics[0].message).toBe('cannot read document 1: excessive alias count indicates a resource exhaustion attack');
  });

  it('aliases within the limit (one value reused 150 times) are read, not taken for a bomb', () => {
    const labels = Array.from({ length: 150 }, (_, i) => `      l${i}: *v`).join('\n');
    const r = fromYaml(`${CNP.replace('spec: {endpointSelector: {}}\n', '')}spec:\n  endpointSelector:\n    matchLabels:\n      a: &v x\n${labels}\n`);
    expect(r.diagnostics).toEqual([]);
    expect(Object.values(r.documents[0].model.spec?.endpointSelector?.matchLabels ?? {})).toEqual(Array(151).fill('x'));
  });

  it("a YAML error's message is the first line of the reader's, without its trailing colon, starting lower-case", () => {
    expect(fromYaml(`${CNP}spec: 1\n`).diagnostics.map((d) => [d.id, d.message, d.line])).toEqual([
      ['parse-yaml-syntax', 'map keys must be unique at line 5, column 1', 5],
    ]);
  });

  it('empty and null documents are nothing: no policy, no skipped object, no diagnostic', () => {
    for (const text of ['', '# comment\n', '---\n', 'null\n', '~\n', `${CNP}---\nnull\n---\n`]) {
      const r = fromYaml(text);
      expect(r.diagnostics, JSON.stringify(text)).toEqual([]);
      expect(r.skipped).toEqual([]);
      expect(r.rawRules).toEqual([]);
    }
  });

  it('a scalar or a string document is an error at its position; fromObject reports it without one', () => {
    const r = fromYaml(`${CNP}---\n42\n`, { file: 'f.yaml' });
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.file, d.index, d.line, d.column])).toEqual([['parse-yaml-syntax', Severity.ERROR, 'f.yaml', 1, 6, 1]]);
    const o = fromObject('x', { file: 'o.json' });
    expect(o.diagnostics.map((d) => [d.id, d.file, d.index, d.line])).toEqual([['parse-yaml-syntax', 'o.json', 0, undefined]]);
  });
});

describe('sources', () => {
  it('a source names only what is known: no file without one, an item path only for List items', () => {
    const plain = fromYaml(CNP);
    expect(Object.entries(plain.documents[0].source)).toEqual([['index', 0]]);
    const listed = fromYaml(`kind: List\nitems:\n- ${CNP.split('\n').join('\n  ')}`, { file: 'f.yaml' });
    expect(Object.entries(listed.documents[0].source)).toEqual([['file', 'f.yaml'], ['index', 0], ['itemPath', 'items[0]']]);
    const d = fromYaml('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\n').diagnostics;
    expect(d).toEqual([]);
    const unknown = fromYaml(`${CNP}x: 1\n`).diagnostics[0];
    expect(Object.keys(unknown).sort()).toEqual(['column', 'fix', 'id', 'index', 'line', 'message', 'path', 'severity']);
  });
});

describe('List items', () => {
  it('items: null or absent is an empty list; not a list is an error at items', () => {
    expect(fromYaml('apiVersion: v1\nkind: List\nitems:\n').diagnostics).toEqual([]);
    expect(fromYaml('apiVersion: v1\nkind: List\n').diagnostics).toEqual([]);
    const r = fromYaml('apiVersion: v1\nkind: List\nitems: {a: 1}\n', { file: 'l.yaml' });
    expect(r.diagnostics.map(where)).toEqual([['parse-wrong-type', 'items', 0, undefined, 3, 8]]);
    expect(r.diagnostics[0].file).toBe('l.yaml');
    expect(r.documents).toEqual([]);
  });

  it('an item that is not a mapping is an error at that item; the other items are read', () => {
    const r = fromYaml(`apiVersion: v1\nkind: CiliumClusterwideNetworkPolicyList\nitems:\n- 7\n- apiVersion: cilium.io/v2\n  kind: CiliumClusterwideNetworkPolicy\n  metadata: {name: c}\n`);
    expect(r.diagnostics.map(where)).toEqual([['parse-wrong-type', 'items[0]', 0, undefined, 4, 3]]);
    expect(r.documents.map((d) => [d.model.metadata.name, d.source])).toEqual([['c', { index: 0, itemPath: 'items[1]' }]]);
  });

  it("an item's diagnostics name the item and point into it; its locate() is relative to the item", () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: cilium.io/v2\n  kind: CiliumNetworkPolicy\n  metadata: {name: a}\n  spec:\n    endpointSelector: {}\n    ingres: []\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d}\n`;
    const r = fromYaml(text, { file: 'list.yaml' });
    expect(r.diagnostics.map(where)).toEqual([['parse-unknown-field', 'spec.ingres', 0, 'items[0]', 9, 5]]);
    expect(r.documents[0].locate('spec.endpointSelector')).toEqual({ line: 8, column: 23 });
    expect(r.documents[0].locate('not a path[')).toBeUndefined();
    expect(r.skipped.map((s) => [s.kind, s.index, s.itemPath])).toEqual([['Deployment', 0, 'items[1]']]);
    expect(r.skipped[0].locate('metadata.name')).toEqual({ line: 12, column: 20 });
  });

  it('a List inside a List is read too (kubectl flattens nested lists and applies their policies), at its own lines', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - apiVersion: cilium.io/v2\n'
      + '    kind: CiliumNetworkPolicy\n    metadata: {name: inner, namespace: shop}\n    spec:\n      endpointSelector: {}\n      ingres: []\n'
      + '  - 7\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d}\n';
    const r = fromYaml(text, { file: 'nested.yaml' });
    expect(r.documents.map((d) => [d.model.metadata.name, d.source])).toEqual([['inner', { file: 'nested.yaml', index: 0, itemPath: 'items[0].items[0]' }]]);
    expect(r.documents[0].locate('spec.endpointSelector')).toEqual({ line: 11, column: 25 });
    expect(r.diagnostics.map(where)).toEqual([
      ['parse-unknown-field', 'spec.ingres', 0, 'items[0].items[0]', 12, 7], ['parse-wrong-type', 'items[1]', 0, 'items[0]', 13, 5],
    ]);
    expect(r.skipped.map((s) => [s.kind, s.itemPath])).toEqual([['Deployment', 'items[0].items[2]']]);
    const obj = fromObject({ kind: 'List', items: [{ kind: 'CiliumNetworkPolicyList', items: [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'o' } }] }] });
    expect(obj.documents.map((d) => d.source.itemPath)).toEqual(['items[0].items[0]']);
  });

  it('a List read from an object has no positions but the same paths', () => {
    const r = fromObject({ kind: 'List', items: [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'a' }, spec: { bogus: 1 } }, 'x'] });
    expect(r.diagnostics.map(where)).toEqual([['parse-unknown-field', 'spec.bogus', 0, 'items[0]', undefined, undefined], ['parse-wrong-type', 'items[1]', 0, undefined, undefined, undefined]]);
    expect(r.documents[0].locate('spec')).toBeUndefined();
  });
});

describe('documents that are not policies', () => {
  it('a kind-less mapping holding a rule is an error (kubectl refuses it) as a likely policy; with specs or nodeSelector only a warning, as any other mapping without kind', () => {
    for (const key of ['specs', 'nodeSelector', 'spec', 'endpointSelector']) {
      const r = fromObject({ [key]: {} });
      expect(r.diagnostics.map((d) => [d.id, d.severity, d.path]), key).toEqual([['parse-missing-kind', Severity.WARNING, undefined]]);
      expect(r.skipped.map((s) => [s.kind, s.index])).toEqual([[undefined, 0]]);
    }
    for (const value of [{ spec: { endpointSelector: {}, ingress: [] } }, { apiVersion: 'cilium.io/v2', spec: {} }, { endpointSelector: {}, egressDeny: [] }]) {
      const r = fromObject(value);
      expect(r.diagnostics.map((d) => [d.id, d.severity, d.path]), JSON.stringify(value)).toEqual([['parse-missing-kind', Severity.ERROR, undefined]]);
      expect(r.skipped.map((s) => [s.kind, s.index])).toEqual([[undefined, 0]]);
    }
    // Session 37: any other mapping whose kind is missing, empty or no string is a warning too (kubectl refuses it), never silent.
    for (const value of [{ data: {} }, { foo: 'bar' }, { kind: '', foo: 1 }, { kind: null, foo: 1 }, { kind: 5, spec: {} }]) {
      expect(fromObject(value).diagnostics.map((d) => [d.id, d.severity, d.message]), JSON.stringify(value)).toEqual([['parse-missing-kind', Severity.WARNING,
        value.kind === 5 ? "the document's kind is 5, not a string; it is skipped (not a Kubernetes object: kubectl refuses it)"
          : 'document has no kind; it is skipped (not a Kubernetes object: kubectl refuses it)']]);
    }
  });

  it('a cilium.io document of an unknown kind is a warning at its kind, with the case-insensitive match as the fix', () => {
    const r = fromYaml('apiVersion: cilium.io/v2\nkind: ciliumnetworkpolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}}\n');
    expect(r.documents).toEqual([]);
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.path, d.line, d.column, d.fix])).toEqual([
      ['parse-unknown-kind', Severity.WARNING, 'kind', 2, 7, 'write kind: CiliumNetworkPolicy (kinds are case-sensitive)'],
    ]);
    expect(r.skipped.map((s) => s.kind)).toEqual(['ciliumnetworkpolicy']);
    expect(fromObject({ apiVersion: 'cilium.io/v2', kind: 'ciliumNode' }).diagnostics.map((d) => d.fix)).toEqual(['write kind: CiliumNode (kinds are case-sensitive)']);
    const none = fromObject({ apiVersion: 'cilium.io/v2', metadata: { name: 'p' } });
    expect(none.diagnostics.map((d) => [d.id, d.path, d.fix])).toEqual([['parse-unknown-kind', undefined, 'write kind: CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy']]);
    const numeric = fromObject({ apiVersion: 'cilium.io/v2alpha1', kind: 7 });
    expect(numeric.diagnostics.map((d) => [d.id, d.path])).toEqual([['parse-unknown-kind', 'kind']]);
    expect(numeric.skipped.map((s) => 'kind' in s)).toEqual([false]);
  });

  it('a NetworkPolicy kind in the wrong case is a warning too (kubectl cannot apply it); Calico\'s NetworkPolicy is another kind', () => {
    const r = fromYaml('apiVersion: networking.k8s.io/v1\nkind: networkPolicy\nmetadata: {name: p}\nspec: {podSelector: {}}\n');
    expect(r.diagnostics.map((d) => [d.id, d.severity, d.path, d.line, d.column, d.fix])).toEqual([
      ['parse-unknown-kind', Severity.WARNING, 'kind', 2, 7, 'write kind: NetworkPolicy (kinds are case-sensitive)'],
    ]);
    expect(fromObject({ apiVersion: 'crd.projectcalico.org/v1', kind: 'networkpolicy' }).diagnostics).toEqual([]);
    expect(fromObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } }).diagnostics).toEqual([]);
    // Without a name the API server stores no object: said as a policy's missing name is.
    expect(fromObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }).diagnostics.map((d) => d.id)).toEqual(['parse-missing-name']);
  });

  it('other Cilium kinds and other API groups are skipped without a diagnostic', () => {
    for (const [apiVersion, kind] of [['cilium.io/v2', 'CiliumNode'], ['cilium.io/v2alpha1', 'CiliumCIDRGroup'], ['cilium.io/v2', 'CiliumEnvoyConfig'],
      ['apps/v1', 'ciliumnetworkpolicy'], ['v1', 'Namespace']]) {
      // A CiliumCIDRGroup is checked as the API server admits it (spec.externalCIDRs required: test/cli/cidr-group-admission).
      const spec = kind === 'CiliumCIDRGroup' ? { spec: { externalCIDRs: ['10.0.0.0/8'] } } : {};
      const r = fromObject({ apiVersion, kind, metadata: { name: 'x' }, ...spec });
      expect(r.diagnostics, kind).toEqual([]);
      expect(r.skipped.map((s) => s.kind)).toEqual([kind]);
      expect(r.documents).toEqual([]);
    }
  });

  it('a misspelt kind never becomes a policy in force', () => {
    const set = PolicySet.fromYaml(`${CNP.replace('kind: CiliumNetworkPolicy', 'kind: CiliumNetworkPolicies').replace('{}}', '{matchLabels: {app: api}}, ingress: [{}]}')}`);
    expect(set.policies).toEqual([]);
    expect(set.diagnostics.map((d) => d.id)).toEqual(['parse-unknown-kind']);
  });
});

describe('raw api.Rule arrays', () => {
  it('each rule is read against the raw rule schema; a rule that is not a mapping is left out with an error at its index', () => {
    const r = fromYaml('- endpointSelector: {}\n- 5\n- nodeSelector: {}\n', { file: 'raw.yaml' });
    expect(r.rawRules.map((x) => [x.rules.length, x.source])).toEqual([[2, { file: 'raw.yaml', index: 0 }]]);
    expect(r.diagnostics.map(where)).toEqual([['parse-wrong-type', '[1]', 0, undefined, 2, 3]]);
    expect(r.rawRules[0].locate('[2].nodeSelector')).toEqual({ line: 3, column: 17 });
    expect(fromObject([]).rawRules.map((x) => x.rules)).toEqual([[]]);
  });
});
