// How one policy object is read against the wire schema (src/model/wire-reader.ts): the parsed model's fields, the
// diagnostics by id, path and line/column, and what the engine makes of a policy the reader could not read faithfully
// (rejected: not in force) or read with pruned fields (in force without them).
import { describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { PolicySet } from '../../src/engine';
import { fromObject, fromYaml } from '../../src/model/parse';
import { ParseResult, SourceDiagnostic } from '../../src/model/parse-result';

const HEAD = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: default\n';

function ids(r: ParseResult): string[] {
  return r.diagnostics.map((d) => `${d.id} ${d.path ?? ''}`.trim());
}

function at(d: SourceDiagnostic): string {
  return `${d.id} ${d.path ?? ''} ${d.line}:${d.column}`;
}

function object(spec: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec, ...extra };
}

/** The ingress decision of web → api on 80/TCP under the YAML policy (the api pod is its subject). */
function ingress(yaml: string): { decision: string; notes: string[] } {
  const set = PolicySet.fromYaml(yaml, { file: 'p.yaml' });
  const v = set.verdict({ from: set.endpoint('pod:default:app=web'), to: set.endpoint('pod:default:app=api'), port: 80, protocol: 'TCP' });
  return { decision: v.ingress.decision, notes: v.ingress.notes };
}

describe('the document', () => {
  it('a missing apiVersion is reported at the document, a wrong one at its value; the policy is still read', () => {
    const missing = fromObject({ kind: 'CiliumNetworkPolicy', metadata: { name: 'p' }, spec: { endpointSelector: {} } });
    expect(missing.diagnostics.map((d) => [d.id, d.path])).toEqual([['parse-api-version', undefined]]);
    expect(missing.documents[0].model.spec).toEqual({ endpointSelector: {} });
    const wrong = fromYaml('apiVersion: cilium.io/v1\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: c}\nspec: {nodeSelector: {}}\n');
    expect(wrong.diagnostics.map(at)).toEqual(['parse-api-version apiVersion 1:13']);
    expect(wrong.documents[0].model.kind).toBe('CiliumClusterwideNetworkPolicy');
  });

  it('a rule field at the top level is unknown, pointed at by its key, and named under spec in the fix', () => {
    const r = fromYaml(`${HEAD}endpointSelector: {}\nspec:\n  endpointSelector: {}\n`);
    expect(r.diagnostics.map(at)).toEqual(['parse-unknown-field endpointSelector 6:1']);
    expect(r.diagnostics[0].fix).toBe('endpointSelector belongs under spec (or an element of specs)');
    expect(r.documents[0].model.spec).toEqual({ endpointSelector: {} });
    // status and specs are known: no diagnostic.
    expect(fromObject(object({ endpointSelector: {} }, { status: { x: 1 }, specs: [] })).diagnostics).toEqual([]);
  });

  it('spec and specs: null is omitted with a warning at the key, a wrong type leaves the rule out', () => {
    const r = fromYaml(`${HEAD}spec:\nspecs:\n`);
    expect(r.diagnostics.map((d) => [d.id, d.path, d.severity, d.line, d.column])).toEqual([
      ['parse-null-value', 'spec', Severity.WARNING, 6, 1], ['parse-null-value', 'specs', Severity.WARNING, 7, 1],
    ]);
    expect(Object.keys(r.documents[0].model)).toEqual(['kind', 'metadata']);
    const wrong = fromObject(object('x', { specs: { endpointSelector: {} } }));
    expect(ids(wrong)).toEqual(['parse-wrong-type spec', 'parse-wrong-type specs']);
    expect(Object.keys(wrong.documents[0].model)).toEqual(['kind', 'metadata']);
    const both = fromObject(object({ endpointSelector: {} }, { specs: [{ nodeSelector: {} }, 'x'] }));
    expect(ids(both)).toEqual(['parse-wrong-type specs[1]']);
    expect(both.documents[0].model.specs).toEqual([{ nodeSelector: {} }]);
  });
});

describe('metadata', () => {
  it('no metadata, or metadata that is not a mapping: an empty name and a missing-name error', () => {
    expect(fromObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: null }).diagnostics.map((d) => [d.id, d.path]))
      .toEqual([['parse-missing-name', undefined]]);
    const list = fromYaml('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: [p]\n');
    expect(list.diagnostics.map(at)).toEqual(['parse-wrong-type metadata 3:11', 'parse-missing-name metadata 3:11']);
    expect(list.documents[0].model.metadata).toEqual({ name: '' });
  });

  it('reads name, generateName, namespace, labels and annotations; ignores server-set fields; reports unknown ones', () => {
    const r = fromObject({
      apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
      metadata: { name: 'p', namespace: 'ns', labels: { a: 'b' }, annotations: { c: 'd' }, uid: 'u', generateName: 'g', finalizers: [], nme: 'x' },
    });
    expect(r.documents[0].model.metadata).toStrictEqual({ name: 'p', generateName: 'g', namespace: 'ns', labels: { a: 'b' }, annotations: { c: 'd' } });
    expect(r.diagnostics.map((d) => [d.id, d.path, d.fix])).toEqual([['parse-unknown-field', 'metadata.nme', 'did you mean name?']]);
  });

  it('a null name is missing; a name of the wrong type is left out without a second error; a numeric name is its text', () => {
    expect(ids(fromObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: null } }))).toEqual(['parse-missing-name metadata']);
    const listName = fromObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: ['p'] } });
    expect(ids(listName)).toEqual(['parse-wrong-type metadata.name']);
    expect(listName.documents[0].model.metadata.name).toBe('');
    const numeric = fromYaml('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: 0123}\n');
    expect(numeric.documents[0].model.metadata.name).toBe('0123');
    expect(ids(numeric)).toEqual(['parse-wrong-type metadata.name']);
  });

  it('null namespace, labels or annotations are omitted with a warning; a wrong type is left out', () => {
    const r = fromObject({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: null, labels: null, annotations: 'x' } });
    expect(r.diagnostics.map((d) => [d.id, d.path, d.severity])).toEqual([
      ['parse-null-value', 'metadata.namespace', Severity.WARNING], ['parse-null-value', 'metadata.labels', Severity.WARNING],
      ['parse-wrong-type', 'metadata.annotations', Severity.ERROR],
    ]);
    expect(r.documents[0].model.metadata).toStrictEqual({ name: 'p' });
  });
});

describe('fields of the rule', () => {
  it('a field named like an Object.prototype member is unknown, not read as a schema', () => {
    const r = fromObject(object({ endpointSelector: {}, constructor: { x: 1 }, ingress: [{ toString: 'x', hasOwnProperty: [] }] }));
    expect(ids(r)).toEqual(['parse-unknown-field spec.constructor', 'parse-unknown-field spec.ingress[0].toString',
      'parse-unknown-field spec.ingress[0].hasOwnProperty']);
    expect(r.documents[0].model.spec).toStrictEqual({ endpointSelector: {}, ingress: [{}] });
  });

  it('a null field inside an item is omitted (the API server prunes it) and the policy stays in force', () => {
    const yaml = `${HEAD}spec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts:\n`;
    const r = fromYaml(yaml);
    expect(r.diagnostics.map(at)).toEqual(['parse-null-value spec.ingress[0].toPorts 10:5']);
    expect(r.documents[0].model.spec?.ingress).toStrictEqual([{ endpoints: [{ matchLabels: { app: 'web' } }] }]);
    expect(ingress(yaml).decision).toBe('allowed');
  });

  it('an expression without its required operator leaves the policy out of force (rejected), not widened to every peer', () => {
    const yaml = `${HEAD}spec:\n  endpointSelector: {matchLabels: {app: api}}\n  ingress:\n  - fromEndpoints: [{matchExpressions: [{key: app}]}]\n`;
    const r = fromYaml(yaml);
    expect(r.diagnostics.map(at)).toEqual(['parse-missing-field spec.ingress[0].fromEndpoints[0].matchExpressions[0] 9:41']);
    expect(r.documents[0].model.spec?.ingress).toStrictEqual([{ endpoints: [{ matchExpressions: [] }] }]);
    const v = ingress(yaml);
    expect(v.decision).toBe('no-policy-default-allow');
    expect(v.notes.join('\n')).toMatch(/is not imported by the agent: .*\[parse-missing-field\]/);
  });

  it('a required field present with the wrong type leaves the object out with one error, not two', () => {
    const r = fromObject(object({ endpointSelector: { matchExpressions: [{ key: 'a', operator: ['Exists'] }, { key: 'b', operator: 'Exists' }] } }));
    expect(ids(r)).toEqual(['parse-wrong-type spec.endpointSelector.matchExpressions[0].operator']);
    expect(r.documents[0].model.spec?.endpointSelector).toStrictEqual({ matchExpressions: [{ key: 'b', operator: 'Exists' }] });
    const nullKey = fromObject(object({ labels: [{ key: null, value: 'v' }] }));
    expect(ids(nullKey)).toEqual(['parse-null-value spec.labels[0].key', 'parse-missing-field spec.labels[0]']);
    expect(nullKey.documents[0].model.spec?.labels).toStrictEqual([]);
  });

  it('a renamed wire field is stored under its model name, and a required renamed field counts as present', () => {
    const r = fromObject(object({ endpointSelector: {}, egress: [{ toEndpoints: [{}], toCIDRSet: [{ cidr: '10.0.0.0/8' }] }] }));
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0].model.spec?.egress).toStrictEqual([{ endpoints: [{}], cidrSet: [{ cidr: '10.0.0.0/8' }] }]);
  });
});

describe('scalars', () => {
  it('booleans, integers and int-or-strings of the wrong type are left out', () => {
    const r = fromObject(object({
      endpointSelector: {}, enableDefaultDeny: { ingress: 'false', egress: true },
      egress: [{ toPorts: [{ ports: [{ port: '80', endPort: 90.5 }, { port: '81', endPort: '90' }, { port: '82', endPort: 85 }] }],
        icmps: [{ fields: [{ type: 8.5 }, { type: true }, { type: 'EchoRequest' }, { type: 0 }] }] }],
    }));
    expect(r.diagnostics.map((d) => [d.id, d.path, d.severity])).toEqual([
      ['parse-wrong-type', 'spec.enableDefaultDeny.ingress', Severity.ERROR],
      ['parse-wrong-type', 'spec.egress[0].toPorts[0].ports[0].endPort', Severity.ERROR],
      ['parse-wrong-type', 'spec.egress[0].toPorts[0].ports[1].endPort', Severity.ERROR],
      ['parse-wrong-type', 'spec.egress[0].icmps[0].fields[0].type', Severity.ERROR],
      ['parse-wrong-type', 'spec.egress[0].icmps[0].fields[1].type', Severity.ERROR],
    ]);
    const spec = r.documents[0].model.spec;
    expect(spec?.enableDefaultDeny).toStrictEqual({ egress: true });
    expect(spec?.egress?.[0].toPorts?.[0].ports).toStrictEqual([{ port: '80' }, { port: '81' }, { port: '82', endPort: 85 }]);
    expect(spec?.egress?.[0].icmps?.[0].fields).toStrictEqual([{ type: 'EchoRequest' }, { type: 0 }]);
  });

  it('a port that is neither string nor number is left out; a negative or fractional number is kept as its text', () => {
    const ports = [{ port: true }, { port: [80] }, { port: -1 }, { port: 8.5 }];
    const r = fromObject(object({ endpointSelector: {}, egress: [{ toPorts: [{ ports }] }] }));
    expect(ids(r)).toEqual([
      'parse-wrong-type spec.egress[0].toPorts[0].ports[0].port', 'parse-wrong-type spec.egress[0].toPorts[0].ports[1].port',
      'parse-port-not-string spec.egress[0].toPorts[0].ports[2].port', 'parse-port-not-string spec.egress[0].toPorts[0].ports[3].port',
    ]);
    expect(r.documents[0].model.spec?.egress?.[0].toPorts?.[0].ports).toStrictEqual([{}, {}, { port: '-1' }, { port: '8.5' }]);
  });

  it('an octal-looking port keeps its text and both readings; a decimal one is only quoted', () => {
    const r = fromYaml(`${HEAD}spec:\n  endpointSelector: {}\n  egress:\n  - toPorts: [{ports: [{port: 0755}, {port: 08}, {port: +017}]}]\n`);
    expect(r.documents[0].model.spec?.egress?.[0].toPorts?.[0].ports).toStrictEqual([{ port: '0755' }, { port: '08' }, { port: '+017' }]);
    expect(r.diagnostics.map((d) => d.fix)).toEqual([
      'quote it as a decimal string: port: "755" (or "493" if octal was meant)', 'quote it: port: "08"',
      'quote it as a decimal string: port: "17" (or "15" if octal was meant)',
    ]);
  });

  it('a leading-zero integer warns only when written so in YAML (not from an object, not without the zero)', () => {
    const yaml = (endPort: string): ParseResult => fromYaml(`${HEAD}spec:\n  endpointSelector: {}\n  egress:\n  - toPorts: [{ports: [{port: "80", endPort: ${endPort}}]}]\n`);
    expect(yaml('090').diagnostics).toEqual([]);
    expect(yaml('100').diagnostics).toEqual([]);
    expect(yaml('0100').diagnostics.map(at)).toEqual(['parse-yaml11-ambiguous spec.egress[0].toPorts[0].ports[0].endPort 9:46']);
    expect(yaml('0100').diagnostics[0].severity).toBe(Severity.WARNING);
    expect(yaml('-0100').diagnostics.map((d) => d.id)).toEqual(['parse-yaml11-ambiguous']);
    const icmp = fromYaml(`${HEAD}spec:\n  endpointSelector: {}\n  egress:\n  - icmps: [{fields: [{type: 010}]}]\n`);
    expect(icmp.diagnostics.map((d) => d.id)).toEqual(['parse-yaml11-ambiguous']);
    // Read as the API server stores it (octal 8, what kubectl's YAML 1.1 reader sends), not as YAML 1.2's 10.
    expect(icmp.documents[0].model.spec?.egress?.[0].icmps?.[0].fields).toStrictEqual([{ type: 8 }]);
    expect(fromObject(object({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '80', endPort: 100 }] }] }] })).diagnostics).toEqual([]);
  });

  it('only the exact YAML 1.1 boolean words, unquoted, are booleans: a wrong type where a string is wanted (before: a warning, read as the string)', () => {
    const label = (v: string): string[] => fromYaml(`${HEAD}spec:\n  endpointSelector: {matchLabels: {a: ${v}}}\n`).diagnostics.map((d) => d.id);
    for (const v of ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF']) {
      expect(label(v), v).toEqual(['parse-yaml11-ambiguous', 'parse-wrong-type']);
    }
    for (const v of ['yess', 'ayes', 'nO', 'oN', 'onx', 'xoff', '"yes"', "'on'", 'yEs']) expect(label(v), v).toEqual([]);
    const field = fromYaml(`${HEAD}spec:\n  endpointSelector: {}\n  egress:\n  - toPorts: [{ports: [{port: "80", protocol: on}]}]\n`);
    expect(field.diagnostics.map(at)).toEqual(['parse-yaml11-ambiguous  9:47', 'parse-wrong-type spec.egress[0].toPorts[0].ports[0].protocol 9:47']);
    // A port and an ICMP type are strings too (kubectl's reader sends a boolean, which the API server rejects).
    const port = fromYaml(`${HEAD}spec:\n  endpointSelector: {}\n  egress:\n  - toPorts: [{ports: [{port: on, protocol: TCP}]}]\n  - icmps: [{fields: [{type: no}]}]\n`);
    expect(port.diagnostics.map(at)).toEqual(['parse-yaml11-ambiguous  9:31', 'parse-wrong-type spec.egress[0].toPorts[0].ports[0].port 9:31',
      'parse-wrong-type spec.egress[1].icmps[0].fields[0].type 10:30']);
  });

  it('a string map reads strings, keeps scalars as text, leaves out other values (a null as pruned), and is not a list', () => {
    const r = fromYaml(`${HEAD}spec:\n  endpointSelector:\n    matchLabels: {a: x, b: 1, c: false, d: [x], e: {f: g}, g: null}\n`);
    expect(r.documents[0].model.spec?.endpointSelector?.matchLabels).toStrictEqual({ a: 'x', b: '1', c: 'false' });
    expect(ids(r)).toEqual([
      'parse-wrong-type spec.endpointSelector.matchLabels.b', 'parse-wrong-type spec.endpointSelector.matchLabels.c',
      'parse-wrong-type spec.endpointSelector.matchLabels.d', 'parse-wrong-type spec.endpointSelector.matchLabels.e',
      // A null value is pruned by the API server (no Cilium CRD schema is nullable): omitted, not a wrong type (session 46).
      'parse-null-value spec.endpointSelector.matchLabels.g',
    ]);
    const list = fromObject(object({ endpointSelector: { matchLabels: ['a'] } }));
    expect(ids(list)).toEqual(['parse-wrong-type spec.endpointSelector.matchLabels']);
    expect(list.documents[0].model.spec?.endpointSelector).toStrictEqual({});
  });

  it('a list where a mapping is expected is not read as one (no wrap hint for a scalar)', () => {
    const r = fromObject(object({ endpointSelector: [], ingress: [7, { fromEndpoints: 'x' }] }));
    expect(ids(r)).toEqual(['parse-wrong-type spec.endpointSelector', 'parse-wrong-type spec.ingress[0]', 'parse-wrong-type spec.ingress[1].fromEndpoints']);
    expect(r.diagnostics[2].fix).not.toMatch(/wrap/);
    expect(r.documents[0].model.spec).toStrictEqual({ ingress: [{}] });
  });
});

describe('unknown fields: the nearest known name, within a distance that grows with the name', () => {
  const fixOf = (key: string, where: 'spec' | 'item' = 'item'): string | undefined => {
    const r = fromObject(object(where === 'spec' ? { endpointSelector: {}, [key]: 1 } : { endpointSelector: {}, egress: [{ [key]: 1 }] }));
    return r.diagnostics[0]?.fix;
  };

  it('suggests a close name, case-insensitively', () => {
    expect(fixOf('TOPORTS')).toBe('did you mean toPorts?');
    expect(fixOf('toPort')).toBe('did you mean toPorts?');
    expect(fixOf('toEntitie')).toBe('did you mean toEntities?');
    expect(fixOf('icmp')).toBe('did you mean icmps?');
  });

  it('the distance allowed is a third of the name, at least 1 and at most 3', () => {
    expect(fixOf('toPxrts')).toBe('did you mean toPorts?'); // 7 letters: 2 allowed, 1 used
    expect(fixOf('tPxrts')).toBe('did you mean toPorts?'); // 6 letters: 2 allowed, 2 used
    expect(fixOf('tPxrt')).toMatch(/^remove it; known fields here: /); // 5 letters: 1 allowed, 3 used
    expect(fixOf('ab')).toMatch(/^remove it; /); // 2 letters: 1 allowed
    expect(fixOf('toEndpointsXYZ')).toBe('did you mean toEndpoints?'); // 14 letters: 3 allowed (not 4), 3 used
    expect(fixOf('toEndpointsWXYZ')).toMatch(/^remove it; /); // 15 letters: at most 3
  });

  it('a name close to a hinted field of the other direction gets that hint', () => {
    expect(fixOf('fromEndpoint')).toBe('did you mean fromEndpoints? fromEndpoints is an ingress field; in egress rules write toEndpoints');
  });
});
