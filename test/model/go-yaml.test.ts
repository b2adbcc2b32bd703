// How Go's YAML readers (go-yaml v2 behind kubectl, Helm and Argo CD; v3 behind Flux) read plain scalars as numbers, and
// the stream every reader parses (`readYamlStream`) giving those scalars the number the API server gets.
import { describe, expect, test } from 'vitest';
import { goFloat32Key, goYamlNumber } from '../../src/model/go-yaml';
import { PolicySet } from '../../src/engine';
import { fromYaml } from '../../src/model/parse';
import { verdict } from '../engine/helpers';
import { readYamlStream } from '../../src/model/yaml-stream';

describe('goYamlNumber: go-yaml resolve (strconv.ParseInt base 0 after removing "_", then yamlStyleFloat)', () => {
  test.each([
    ['8080', 8080], ['+12', 12], ['-12', -12], ['0', 0], ['-0', -0], ['010', 8], ['0100', 64], ['-017', -15], ['08', 8], ['09', 9],
    ['0x1F', 31], ['0X1F', 31], ['-0x1F', -31], ['0o17', 15], ['0O17', 15], ['0b101', 5], ['0B101', 5], ['-0b11', -3],
    ['1_000', 1000], ['1__0', 10], ['1_', 1], ['0x_1F', 31], ['1.5', 1.5], ['1.5_0', 1.5], ['1e3', 1000], ['.5', 0.5], ['-.5', -0.5], ['1.', 1],
    ['.25', 0.25], ['.5_0', 0.5], ['.8_0e2', 80], ['1e+3', 1000], ['1e-3', 0.001], ['1e10', 1e10], ['9000', 9000], ['90', 90],
  ])('%s is the number %d', (text, value) => {
    expect(goYamlNumber(text)).toBe(value);
  });

  test.each(['', 'abc', '_1', '0x', '0b2', '0o8', '1:20', '2024-01-01', '1.2.3', '._5', '.5_', '.5__0', '.5e_2', '.inf', 'yes', '1e', '--1', '0x1G', '1 000'])('%j is no number', (text) => {
    expect(goYamlNumber(text)).toBeUndefined();
  });

  // ParseInt takes int64, ParseUint uint64 without a sign; beyond them only a text yamlStyleFloat matches is a number
  // (ParseFloat reads a leading 0 as decimal), and only within float64: the rest stays a string, as the API server gets it.
  test.each([
    ['9223372036854775807', 2 ** 63], ['-9223372036854775808', -(2 ** 63)], ['18446744073709551615', 2 ** 64], ['0xFFFFFFFFFFFFFFFF', 2 ** 64],
    ['-0x8000000000000000', -(2 ** 63)], ['0o1777777777777777777777', 2 ** 64], ['+0x7FFFFFFFFFFFFFFF', 2 ** 63], ['18446744073709551616', 2 ** 64],
    ['-9223372036854775809', -(2 ** 63)], ['+18446744073709551615', 2 ** 64], ['02000000000000000000000', 2e21], ['1e308', 1e308], ['.1e308', 1e307],
  ])('%s is the number %d (int64, uint64 or float64)', (text, value) => {
    expect(goYamlNumber(text)).toBe(value);
  });

  test.each([
    '0x10000000000000000', '+0xFFFFFFFFFFFFFFFF', '+0x8000000000000000', '-0x8000000000000001', '0o2000000000000000000000', `0b1${'0'.repeat(64)}`, '1e400', '-1e400', '.1e400',
  ])('%s is beyond int64, uint64 and float64: a string', (text) => {
    expect(goYamlNumber(text)).toBeUndefined();
  });

  test('leading zeros are no significant digits; 64 binary digits are uint64, 65 beyond it; long texts are read in linear time', () => {
    expect(goYamlNumber(`0b${'1'.repeat(64)}`)).toBe(2 ** 64);
    expect(goYamlNumber(`0b${'1'.repeat(65)}`)).toBeUndefined();
    expect(goYamlNumber(`0x${'0'.repeat(100)}1F`)).toBe(31);
    expect(goYamlNumber(`-0${'0'.repeat(100)}17`)).toBe(-15);
    expect(goYamlNumber(`1.${'0'.repeat(1000)}`)).toBe(1);
    expect(goYamlNumber('9'.repeat(1_000_000))).toBeUndefined();
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
  test('values only: keys, quoted scalars and YAML 1.2 strings Go also reads as strings are left as written (not a YAML 1.1 boolean)', () => {
    const { docs } = readYamlStream('a: 010\nb: 1_000\nc: "1_000"\nd: 0b11\n1_0: x\ne: 0x1F\nf: v1_0\ng: 2024-01-01\nh: yes\ni: "yes"\n');
    expect(docs[0].toJS()).toStrictEqual({ 'a': 8, 'b': 1000, 'c': '1_000', 'd': 3, '1_0': 'x', 'e': 31, 'f': 'v1_0', 'g': '2024-01-01', 'h': true, 'i': 'yes' });
  });

  test('explicit tags as Go reads them: !!binary is its decoded text, !!timestamp its text, !!str a string, !!int a Go integer', () => {
    const { docs } = readYamlStream('a: !!binary ZXZpbA==\nb: !!binary |\n  ZXZp\n  bA==\nc: !!timestamp 2024-01-01\nd: !!str 010\ne: !!int 010\nf: !!binary //79\n'
      + 'g: !!float 010\nh: !!float 1_000\n');
    expect(docs[0].toJS()).toStrictEqual({ a: 'evil', b: 'evil', c: '2024-01-01', d: '010', e: 8, f: '\ufffd\ufffd\ufffd', g: 8, h: 1000 });
  });

  test('numbers of YAML 1.2 beyond Go\'s integers and floats are strings; .inf and .nan values are refused, as Go\'s JSON conversion refuses them', () => {
    const { docs } = readYamlStream('a: 0x10000000000000000\nb: 1e400\nc: -1e400\ng: 0o2000000000000000000000\nh: 0xFF\n'
      + 'i: true\nj: null\nk: ~\n');
    expect(docs[0].toJS()).toStrictEqual({
      a: '0x10000000000000000', b: '1e400', c: '-1e400', g: '0o2000000000000000000000', h: 255, i: true, j: null, k: null,
    });
    // Session 51: go-yaml v2 reads them as floats, and sigs.k8s.io/yaml's json.Marshal refuses them (kubectl v1.32.4: "json:
    // unsupported value: +Inf").
    expect(readYamlStream('d: .inf\ne: -.Inf\nf: .nan\n').docs[0].errors.map((e) => e.message.split(' is a float')[0]))
      .toEqual(['A value Go\'s readers refuse: .inf', 'A value Go\'s readers refuse: -.Inf', 'A value Go\'s readers refuse: .nan']);
  });

  test('a !!binary label is the label Kubernetes gets: a selector the engine enforces, not a policy it skips', () => {
    const r = fromYaml(['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: a, namespace: b}', 'spec:',
      '  endpointSelector: {matchLabels: {app: api}}', '  ingress: [{fromEndpoints: [{matchLabels: {app: !!binary ZXZpbA==}}]}]', ''].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0].model.spec?.ingress?.[0].endpoints).toStrictEqual([{ matchLabels: { app: 'evil' } }]);
  });

  test('a label value beyond Go\'s integers and floats is the string the API server gets: the policy is read as written', () => {
    const text = ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: a, namespace: b}', 'spec:',
      '  endpointSelector: {matchLabels: {build: 0x10000000000000000}}', '  ingress: [{fromEndpoints: [{matchLabels: {app: 1e400}}]}]', ''].join('\n');
    const r = fromYaml(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0].model.spec?.endpointSelector).toStrictEqual({ matchLabels: { build: '0x10000000000000000' } });
    expect(r.documents[0].model.spec?.ingress?.[0].endpoints).toStrictEqual([{ matchLabels: { app: '1e400' } }]);
    // Enforced, not skipped as refused: the pod labelled build=0x10000000000000000 is default deny but for app=1e400.
    const set = PolicySet.fromYaml(text, { file: 'p.yaml' });
    expect(set.diagnostics.filter((d) => d.id === 'engine-policy-skipped')).toEqual([]);
    expect(verdict(set, 'pod:b:app=web', 'pod:b:build=0x10000000000000000', '80/TCP').allowed).toBe(false);
    expect(verdict(set, 'pod:b:app=1e400', 'pod:b:build=0x10000000000000000', '80/TCP').allowed).toBe(true);
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

describe('goFloat32Key: strconv.FormatFloat(f, \'g\', -1, 32) as sigs.k8s.io/yaml writes a float key', () => {
  test.each([
    [3.14159265358979, '3.1415927'], [1e6, '1e+06'], [0.00001, '1e-05'], [1.0, '1'], [-0.0, '-0'], [Infinity, '.inf'], [-Infinity, '-.inf'],
    [NaN, '.nan'], [1e20, '1e+20'], [0.1, '0.1'], [123456, '123456'], [1234567, '1.234567e+06'], [16777217, '1.6777216e+07'], [0.0001, '0.0001'],
    [1e-45, '1e-45'], [2 ** -126, '1.1754944e-38'], [3.4e38, '3.4e+38'], [2 ** 53, '9.007199e+15'],
  ])('%s is %s', (value, text) => {
    expect(goFloat32Key(value)).toBe(text);
  });
});
