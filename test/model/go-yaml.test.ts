// How Go's YAML readers (go-yaml v2 behind kubectl, Helm and Argo CD; v3 behind Flux) read plain scalars as numbers, and
// the stream every reader parses (`readYamlStream`) giving those scalars the number the API server gets.
import { describe, expect, test } from 'vitest';
import { goYamlNumber } from '../../src/model/go-yaml';
import { fromYaml } from '../../src/model/parse';
import { readYamlStream } from '../../src/model/yaml-stream';

describe('goYamlNumber: go-yaml resolve (strconv.ParseInt base 0 after removing "_", then yamlStyleFloat)', () => {
  test.each([
    ['8080', 8080], ['+12', 12], ['-12', -12], ['0', 0], ['-0', -0], ['010', 8], ['0100', 64], ['-017', -15], ['08', 8], ['09', 9],
    ['0x1F', 31], ['0X1F', 31], ['-0x1F', -31], ['0o17', 15], ['0O17', 15], ['0b101', 5], ['0B101', 5], ['-0b11', -3],
    ['1_000', 1000], ['1__0', 10], ['1_', 1], ['0x_1F', 31], ['1.5', 1.5], ['1.5_0', 1.5], ['1e3', 1000], ['.5', 0.5], ['-.5', -0.5], ['1.', 1],
  ])('%s is the number %d', (text, value) => {
    expect(goYamlNumber(text)).toBe(value);
  });

  test.each(['', 'abc', '_1', '0x', '0b2', '0o8', '1:20', '2024-01-01', '1.2.3', '._5', '.inf', 'yes', '1e', '--1', '0x1G', '1 000'])('%j is no number', (text) => {
    expect(goYamlNumber(text)).toBeUndefined();
  });
});

describe('goYamlNumber: integers out of range of int64 and uint64 are no integers to Go', () => {
  test('a 0x/0o/0b integer beyond uint64 is a string; decimal and leading-0 digits beyond it are floats; a float overflow is a string', () => {
    expect(goYamlNumber('0xffffffffffffffff')).toBe(2 ** 64 - 1); // ParseUint
    expect(goYamlNumber('0x1ffffffffffffffff')).toBeUndefined();
    expect(goYamlNumber('0X1_0000_0000_0000_0000')).toBeUndefined();
    expect(goYamlNumber(`0o${'7'.repeat(30)}`)).toBeUndefined();
    expect(goYamlNumber(`0b1${'0'.repeat(64)}`)).toBeUndefined();
    expect(goYamlNumber('-0x8000000000000000')).toBe(-(2 ** 63)); // ParseInt's smallest
    expect(goYamlNumber('-0x8000000000000001')).toBeUndefined();
    expect(goYamlNumber('+0xffffffffffffffff')).toBeUndefined(); // ParseUint takes no sign, ParseInt overflows
    expect(goYamlNumber('99999999999999999999')).toBe(1e20); // yamlStyleFloat
    expect(goYamlNumber(`0${'7'.repeat(30)}`)).toBe(Number('7'.repeat(30))); // octal overflows: the float of its digits
    expect(goYamlNumber('1e400')).toBeUndefined(); // ParseFloat's range error
  });
});

describe('readYamlStream reads the numbers of plain scalars as Kubernetes gets them', () => {
  test('values only: keys, quoted scalars and YAML 1.2 strings Go also reads as strings are left as written', () => {
    const { docs } = readYamlStream('a: 010\nb: 1_000\nc: "1_000"\nd: 0b11\n1_0: x\ne: 0x1F\nf: v1_0\ng: 2024-01-01\nh: yes\n');
    expect(docs[0].toJS()).toStrictEqual({ 'a': 8, 'b': 1000, 'c': '1_000', 'd': 3, '1_0': 'x', 'e': 31, 'f': 'v1_0', 'g': '2024-01-01', 'h': 'yes' });
  });

  test('explicit tags as Go reads them: !!binary is its decoded text, !!timestamp its text, !!str a string, !!int a Go integer', () => {
    const { docs } = readYamlStream('a: !!binary ZXZpbA==\nb: !!binary |\n  ZXZp\n  bA==\nc: !!timestamp 2024-01-01\nd: !!str 010\ne: !!int 010\nf: !!binary //79\n');
    expect(docs[0].toJS()).toStrictEqual({ a: 'evil', b: 'evil', c: '2024-01-01', d: '010', e: 8, f: '\ufffd\ufffd\ufffd' });
  });

  test('a !!binary label is the label Kubernetes gets: a selector the engine enforces, not a policy it skips', () => {
    const r = fromYaml(['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: a, namespace: b}', 'spec:',
      '  endpointSelector: {matchLabels: {app: api}}', '  ingress: [{fromEndpoints: [{matchLabels: {app: !!binary ZXZpbA==}}]}]', ''].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0].model.spec?.ingress?.[0].endpoints).toStrictEqual([{ matchLabels: { app: 'evil' } }]);
  });

  test('a label value Go reads as a number is refused as the API server refuses it; an integer field takes Go\'s value', () => {
    const r = fromYaml(['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: a, namespace: b}', 'spec:',
      '  endpointSelector: {matchLabels: {version: 1_000}}',
      '  egress: [{toPorts: [{ports: [{port: "80", endPort: 8_081}]}], icmps: [{fields: [{type: 0b1000}]}]}]', ''].join('\n'));
    expect(r.diagnostics.map((d) => `${d.id} ${d.path}: ${d.message}`)).toEqual([
      'parse-wrong-type spec.endpointSelector.matchLabels.version: matchLabels.version must be a string, got a number (1000); the API server rejects it (read here as the string "1_000")',
    ]);
    expect(r.documents[0].model.spec?.egress?.[0]).toStrictEqual({ toPorts: [{ ports: [{ port: '80', endPort: 8081 }] }], icmps: [{ fields: [{ type: 8 }] }] });
  });
});
