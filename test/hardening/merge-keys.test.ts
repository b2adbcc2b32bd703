// Hostile input, YAML merge keys (`<<`): a key a merge key sets again is read differently by Go's YAML readers (go-yaml
// v2 behind kubectl, Helm and Argo CD applies the pairs in the order written; go-yaml v3 behind Flux, and the `yaml`
// library, keep the key written). Every reader refuses it, as a key written twice, instead of judging one reading.
import { describe, expect, test } from 'vitest';
import { readYamlStream } from '../../src/model/yaml-stream';
import { GUARD, scratchDir, trace, validate, write } from './support';

const dir = scratchDir();
const FROM_TO = ['--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP'];

/** A CNP of namespace shop whose spec is `spec` (indented by two), allowing web on 80/TCP. */
function cnp(spec: string[]): string {
  return ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: api, namespace: shop}', 'spec:', ...spec.map((l) => `  ${l}`),
    '  ingress: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]', ''].join('\n');
}

/** The messages of the YAML errors of the first document of `text`. */
function errors(text: string): string[] {
  return readYamlStream(text).docs[0].errors.map((e) => e.message);
}

describe('a key set again by a merge key', () => {
  // kubectl selects app=other with this policy (the merge key comes last); the yaml library read app=api: trace and
  // diff judged a policy on api the cluster never applies there.
  const OVERRIDDEN = cnp(['endpointSelector: {matchLabels: {app: api}}', '<<: {endpointSelector: {matchLabels: {app: other}}}']);

  test('trace: exit 2 at the merge key, naming the key and where it was written', GUARD, () => {
    const r = trace('--policies', write(dir, 'overridden.yaml', OVERRIDDEN), ...FROM_TO);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: \S+overridden\.yaml:6: map keys must be unique: endpointSelector, written at line 5, is set again by a merge key: go-yaml v2 \(kubectl, Helm, Argo CD\) takes the merged value, go-yaml v3 \(Flux\) the one written; write the key after the merge key at line 6, column 3 \(cli-yaml\)/);
  });

  test('validate: an error at the merge key, exit 1', GUARD, async () => {
    const r = await validate([write(dir, 'overridden-v.yaml', OVERRIDDEN)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/overridden-v\.yaml:6:3: error parse-yaml-syntax: map keys must be unique: endpointSelector, written at line 5, is set again by a merge key/);
  });

  test('through an alias, a list of merged mappings, and a merged mapping\'s own merge key', () => {
    expect(errors('d: &d {a: 2}\nm:\n  a: 1\n  <<: *d\n')).toEqual([expect.stringMatching(/^Map keys must be unique: a, written at line 3, is set again by a merge key: .* at line 4, column 3$/)]);
    expect(errors('a: 1\n<<: [{b: 2}, {a: 3}]\n')).toHaveLength(1);
    expect(errors('n: &n {<<: {a: 2}}\nm: {a: 1, <<: *n}\n')).toHaveLength(1);
  });

  test('a number or boolean key and a string key of the same text are one key in the JSON Go\'s readers make: a duplicate', () => {
    // Before: compared as the library compares (1 !== "1"), none of these was found.
    const ONE = /^Map keys must be unique: ("1" and 1|1 and "1") \((written|set by the merge key) at line 1\) are one key in the JSON Go's readers make of the manifest .*; write the key once at line 2, column 1$/;
    expect(errors('1: a\n<<: {"1": b}\n')).toEqual([expect.stringMatching(ONE)]);
    expect(errors('<<: {"1": b}\n1: a\n')).toEqual([expect.stringMatching(ONE)]);
    expect(errors('1: a\n"1": b\n')).toEqual([expect.stringMatching(ONE)]);
    expect(errors('true: a\n"true": b\n')).toHaveLength(1);
    // Keys of one type keep their readings: after the merge key alike, before it set again.
    expect(errors('<<: {"1": b}\n"1": a\n')).toEqual([]);
    expect(errors('1: a\n<<: {1: b}\n')).toEqual([expect.stringMatching(/^Map keys must be unique: 1, written at line 1, is set again by a merge key/)]);
    expect(errors('1: a\n"2": b\n')).toEqual([]);
  });

  test('keys Go writes as different JSON text are no duplicates (go-yaml v2 reading, sigs.k8s.io/yaml float32 \'g\' formatting)', () => {
    // Before: compared as String() of the YAML 1.2 value, each of these was refused as a duplicate.
    for (const text of ['1e6: a\n"1000000": b\n', '010: a\n"10": b\n', '.inf: a\n"Infinity": b\n', '0.00001: a\n"0.00001": b\n',
      '3.14159265358979: a\n"3.14159265358979": b\n', '-0.0: a\n"0": b\n', '9007199254740993: a\n"9007199254740992": b\n',
      '100000000000000000000: a\n"100000000000000000000": b\n', '<<: {1e6: x}\n"1000000": b\n']) {
      expect([text, errors(text)]).toEqual([text, []]);
    }
    // Session 51: a null key has no JSON text (sigs.k8s.io/yaml: unsupported map key, kubectl v1.32.4 refuses the file).
    expect(errors('~: a\n"null": b\n')).toEqual([expect.stringMatching(/^A key Go's readers refuse: the null key ~ has no JSON text/)]);
  });

  test('keys Go reads as one (octal, underscores, 0b, YAML 1.1 booleans, float formatting) are duplicates, each named as written', () => {
    // Before: none of these was found.
    const one = (a: string, b: string, json: string, at = 'written at line 1'): string => `Map keys must be unique: ${a} and ${b} (${at}) are one key in `
      + `the JSON Go's readers make of the manifest (a number or boolean key is written as the string Go formats: here "${json}"), which keeps either value; `
      + 'write the key once at line 2, column 1';
    expect(errors('010: a\n"8": b\n')).toEqual([one('"8"', '010', '8')]);
    expect(errors('1_000: a\n"1000": b\n')).toEqual([one('"1000"', '1_000', '1000')]);
    expect(errors('0b101: a\n"5": b\n')).toEqual([one('"5"', '0b101', '5')]);
    expect(errors('1e6: a\n"1e+06": b\n')).toEqual([one('"1e+06"', '1e6', '1e+06')]);
    expect(errors('.inf: a\n".inf": b\n')).toEqual([one('".inf"', '.inf', '.inf')]);
    expect(errors('yes: a\n"true": b\n')).toEqual([one('"true"', 'yes', 'true')]);
    expect(errors('<<: {1: a}\n1.0: b\n')).toEqual([one('1.0', '1', '1', 'set by the merge key at line 1')]);
    // One key of one type in go-yaml v2's map: the message of a key written twice.
    expect(errors('on: a\nyes: b\n')).toEqual(['Map keys must be unique at line 2, column 1']);
    expect(errors('010: a\n8: b\n')).toEqual(['Map keys must be unique at line 2, column 1']);
    // Every key a merge key sets is recorded: two merged mappings with 1 and "1".
    expect(errors('x: &x {1: a}\ny: &y {"1": b}\nm: {<<: [*x, *y]}\n')).toEqual([`Map keys must be unique: "1" and 1 (both set by this merge key) are one key in `
      + 'the JSON Go\'s readers make of the manifest (a number or boolean key is written as the string Go formats: here "1"), which keeps either value; '
      + 'write the key once at line 3, column 5']);
  });

  test('explicitly tagged keys as go-yaml v2 resolves them: !!int 1 is the key 1, !!binary its decoded text, a custom tag a string', () => {
    // Before: a tagged key was compared only with keys of its own tag, so each pair below was read as two keys, while Go's
    // readers keep one value (a label written twice: the selector Kubernetes gets is not the one judged).
    const one = (a: string, b: string, json: string, column = 1): string => `Map keys must be unique: ${a} and ${b} (written at line 1) are one key in `
      + `the JSON Go's readers make of the manifest (a number or boolean key is written as the string Go formats: here "${json}"), which keeps either value; `
      + `write the key once at line 2, column ${column}`;
    // At the key's text, after its tag.
    const twice = (column: number): string => `Map keys must be unique at line 2, column ${column}`;
    expect(errors('1: a\n!!int 1: b\n')).toEqual([twice(7)]);
    expect(errors('"1": a\n!!int 1: b\n')).toEqual([one('1', '"1"', '1', 7)]);
    expect(errors('!!int "010": a\n"8": b\n')).toEqual([one('"8"', '010', '8')]);
    expect(errors('!!float 1: a\n"1": b\n')).toEqual([one('"1"', '1', '1')]);
    expect(errors('!!bool yes: a\ntrue: b\n')).toEqual([twice(1)]);
    expect(errors('app: a\n!!binary YXBw: b\n')).toEqual([twice(10)]);
    expect(errors('"1": a\n!custom 1: b\n')).toEqual([twice(9)]);
    expect(errors('2024-01-01: a\n!!timestamp 2024-01-01: b\n')).toEqual([twice(13)]);
    // Keys Go reads as different keys stay apart.
    expect(errors('!!str 1: a\n2: b\n!!int 3: c\n"4": d\n!!float 1.5: e\n')).toEqual([]);
  });

  test('NaN keys: two keys in go-yaml v2\'s map, one JSON key .nan; a tag its text does not fit: Go refuses the manifest', () => {
    // Before: NaN keys were never compared; sigs.k8s.io/yaml writes each as ".nan", so Go's readers keep one value (or refuse).
    const one = (a: string, b: string, column = 1): string => `Map keys must be unique: ${a} and ${b} (written at line 1) are one key in `
      + 'the JSON Go\'s readers make of the manifest (a number or boolean key is written as the string Go formats: here ".nan"), which keeps either value; '
      + `write the key once at line 2, column ${column}`;
    expect(errors('.nan: a\n.NaN: b\n')).toEqual([one('.NaN', '.nan')]);
    expect(errors('!!float .nan: a\n!!float .nan: b\n')).toEqual([one('.nan', '.nan', 9)]);
    expect(errors('".nan": a\n.nan: b\n')).toEqual([one('.nan', '".nan"')]);
    expect(errors('NaN: a\n.nan: b\n.inf: c\n')).toEqual([]);
    // Before: read as no key at all (go-yaml v2: "cannot decode !!str `x` as a !!int", the whole manifest refused).
    const refused = (text: string, tag: string, kind: string, read: string, column = 1): string => `A key Go's readers refuse: ${text} tagged !!${tag} `
      + `is no ${kind} (go-yaml v2: cannot decode !!${read} \`${text}\` as a !!${tag}), so kubectl, Helm and Argo CD refuse the manifest; `
      + `drop the tag or write a key of its type at line 1, column ${column}`;
    expect(errors('!!int x: a\n')).toEqual([refused('x', 'int', 'int', 'str', 7)]);
    expect(errors('!!bool 1: a\n')).toEqual([refused('1', 'bool', 'bool', 'int', 8)]);
    expect(errors('!!null x: a\n')).toEqual([refused('x', 'null', 'null', 'str', 8)]);
    expect(errors('!!float 18446744073709551615: a\n')).toEqual([refused('18446744073709551615', 'float', 'float', 'int', 9)]);
    // The tags that fit stay keys: !!float of an int64, !!int of a uint64, !!bool yes, !!null ~.
    // (Session 51: the keys !!int and !!null make, a uint64 and null, have no JSON text: sigs.k8s.io/yaml refuses them, kubectl
    // v1.32.4 "unsupported map key of type: uint64", "… %!s(<nil>)".)
    expect(errors('!!float 9223372036854775807: a\n!!int 18446744073709551615: b\n!!bool yes: c\n!!null ~: d\n').map((e) => e.split(' has ')[0])).toEqual([
      'A key Go\'s readers refuse: the key 18446744073709551615, an integer above int64,', 'A key Go\'s readers refuse: the null key ~']);
  });

  test('a long key is named by its first 100 characters, a number key as written', () => {
    const long = `k${'x'.repeat(149)}`;
    expect(errors(`${long}: 1\n<<: {${long}: 2}\n`)).toEqual([`Map keys must be unique: ${long.slice(0, 100)}…, written at line 1, is set again by a merge key: `
      + 'go-yaml v2 (kubectl, Helm, Argo CD) takes the merged value, go-yaml v3 (Flux) the one written; write the key after the merge key at line 2, column 1']);
    expect(errors('80: a\n<<: {80: b}\n')).toEqual([expect.stringMatching(/^Map keys must be unique: 80, written at line 1, is set again by a merge key: /)]);
  });

  test('a second merge key in one mapping (go-yaml v2 applies it over the first, v3 refuses it)', () => {
    expect(errors('<<: {a: 1}\n<<: {b: 2}\n')).toEqual([expect.stringMatching(/^Map keys must be unique: a second merge key << \(the first at line 1\), .* at line 2, column 1$/)]);
  });

  test('what every reader reads alike is read: a key after the merge key, keys the merged mappings share, a quoted "<<"', GUARD, () => {
    expect(errors('<<: {a: 2}\na: 1\n')).toEqual([]);
    expect(errors('<<: [{a: 1}, {a: 2}]\nb: 3\n')).toEqual([]);
    expect(errors('a: 1\n"<<": {a: 2}\n')).toEqual([]);
    expect(errors('m: &m {a: 1}\nn: {<<: *m, b: 2}\n')).toEqual([]);
    // A merge of the mapping that holds it is not walked forever.
    expect(errors('m: &m {a: 1, n: {<<: *m}}\n')).toEqual([]);
    const r = trace('--policies', write(dir, 'after.yaml', cnp(['<<: {endpointSelector: {matchLabels: {app: other}}}', 'endpointSelector: {matchLabels: {app: api}}'])), ...FROM_TO);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^ALLOWED /);
  });

  // Each alias resolved by the library walks the whole document: 2,000 merges of one anchor took 12.8 s, 8,000 took 205 s.
  // 5,000 of each (10,000 aliases in a document of 10,000 entries) is far past `GUARD` for a walk per alias: with
  // `Alias.resolve` back in `MergedKeys.resolve` it ran 586 s (timed out); as it is, ≈ 1 s of CPU (20,000 of each: 2.7 s).
  test('5,000 merges of one mapping and of one list are checked in linear time, the one key set again still found', GUARD, () => {
    const maps = Array.from({ length: 5_000 }, (_, i) => `m${i}: {<<: *a, y: 1}\n`).join('');
    const lists = Array.from({ length: 5_000 }, (_, i) => `s${i}: {<<: *s, z: 1}\n`).join('');
    const text = `a: &a {x: 1}\ns: &s [{x: 1}, {w: 2}]\n${maps}${lists}last: {w: 3, <<: *s}\n`;
    expect(errors(text)).toEqual([expect.stringMatching(/^Map keys must be unique: w, written at line 10003, is set again by a merge key: .* at line 10003, column 14$/)]);
  });
});

describe('merge keys that set more keys than the document holds values (an alias bomb)', () => {
  const BOMB = /^The merge keys \(<<\) of this document set \(or gather\) more than 1,000,000 keys, .* write the keys out, or merge fewer and smaller mappings at line (\d+), column \d+$/;
  // Each mapping merges the one before and adds a key: n lines set n²/2 keys. Before: every mapping's set was built in
  // full, 8,000 lines (290 kB) took 15 s and 1.3 GB in the reader (16,000 would take 5 GB); now the count stops at 1,000,000.
  test('chained merges: refused at the merge key where the count passes 1,000,000, the sets built no further', GUARD, () => {
    const chain = (n: number): string => ['m0: &m0 {a: 1}', ...Array.from({ length: n - 1 }, (_, i) => `m${i + 1}: &m${i + 1} {<<: *m${i}, k${i + 1}: 1}`)].join('\n');
    const bomb = errors(chain(3_000));
    expect(bomb).toEqual([expect.stringMatching(BOMB)]);
    // 1,000,000 ≈ n²/2 (n ≈ 1,414): the line of the merge key where the count passed it.
    expect(Number(BOMB.exec(bomb[0])?.[1])).toBeGreaterThan(1_400);
    expect(Number(BOMB.exec(bomb[0])?.[1])).toBeLessThan(1_430);
    expect(errors(chain(1_300))).toEqual([]);
  });

  // One mapping of 1,000 keys merged by 2,000 mappings: 2,000,000 keys compared. Before: 20,000 such merges (330 kB) took 5 s.
  test('one large mapping merged many times: refused the same way', GUARD, () => {
    const keys = Array.from({ length: 1_000 }, (_, i) => `k${i}: 1`).join(', ');
    const text = `x: &x {${keys}}\n${Array.from({ length: 2_000 }, (_, i) => `m${i}: {<<: *x}\n`).join('')}`;
    expect(errors(text)).toEqual([expect.stringMatching(BOMB)]);
  });
});
