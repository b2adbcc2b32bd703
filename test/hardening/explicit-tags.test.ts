// Hostile input, explicit YAML tags on values and keys. go-yaml v2 (kubectl, Helm, Argo CD: sigs.k8s.io/yaml) resolves a
// scalar tagged !!int, !!float, !!bool, !!null or !!timestamp and fails the whole document when its text does not fit
// ("cannot decode !!str `x` as a !!int"); a !!binary that is no base64 fails it too ("!!binary value contains invalid
// base64 data"). The `yaml` library only warned (and read `port: !!int x` as the named port "x": validate said valid,
// trace judged a policy the cluster never gets). Every reader now refuses it, as an error at the scalar, like a key.
import { describe, expect, test } from 'vitest';
import { policyInputError } from '../../src/cli/trace';
import { PolicySet } from '../../src/engine';
import { goBase64, goTimestamp } from '../../src/model/go-yaml';
import { parseYamlStream, readYamlStream } from '../../src/model/yaml-stream';
import { GUARD, OTHER_POLICY, Run, scratchDir, trace, validate, write } from './support';

const dir = scratchDir();

/** The messages of the YAML errors, and the warnings, of the first document of `text`. */
function diagnostics(text: string): { errors: string[]; warnings: string[] } {
  const [doc] = readYamlStream(text).docs;
  return { errors: doc.errors.map((e) => e.message), warnings: doc.warnings.map((w) => w.message) };
}

/** The error of a scalar Go refuses, at line 1. */
function refused(role: 'key' | 'value', text: string, why: string, column: number): string {
  return `A ${role} Go's readers refuse: ${text} ${why}, so kubectl, Helm and Argo CD refuse the manifest; drop the tag or write a ${role} of its `
    + `type at line 1, column ${column}`;
}
const cannot = (text: string, read: string, tag: string): string => `tagged !!${tag} is no ${tag} (go-yaml v2: cannot decode !!${read} \`${text}\` as a !!${tag})`;
const NO_TIMESTAMP = 'tagged !!timestamp is no timestamp go-yaml v2 reads (yyyy-m-d, or with a time h:m:s after a space, or after T ending in Z or ±hh:mm)';
const NO_BASE64 = 'tagged !!binary is no base64 (go-yaml v2: !!binary value contains invalid base64 data)';

describe('a value whose explicit tag its text does not fit: an error at the value, the library\'s warning gone', () => {
  test.each([
    ['a: !!int x', 'x', cannot('x', 'str', 'int'), 10],
    ['a: !!bool 1', '1', cannot('1', 'int', 'bool'), 11],
    ['a: !!float abc', 'abc', cannot('abc', 'str', 'float'), 12],
    ['a: !!float "error"', 'error', cannot('error', 'str', 'float'), 12],
    ['a: !!null x', 'x', cannot('x', 'str', 'null'), 11],
    ['a: !!int 1.5', '1.5', cannot('1.5', 'float', 'int'), 10],
    ['a: !!timestamp x', 'x', NO_TIMESTAMP, 16],
    ['a: !!timestamp 2001-12-14 21:59:43.10 -5', '2001-12-14 21:59:43.10 -5', NO_TIMESTAMP, 16],
    ['a: !!binary "a b"', 'a b', NO_BASE64, 13],
    ['a: !!binary YQ', 'YQ', NO_BASE64, 13],
    ['a: [1, !!int &n x]', 'x', cannot('x', 'str', 'int'), 17],
  ])('%s', (text, value, why, column) => {
    expect(diagnostics(text)).toEqual({ errors: [refused('value', value, why, column)], warnings: [] });
  });

  test('the values Go reads are read as Go reads them, without a warning', () => {
    const read = (text: string): unknown => {
      const [doc] = readYamlStream(text).docs;
      expect([doc.errors, doc.warnings]).toEqual([[], []]);
      return doc.toJS();
    };
    expect(read('a: !!float 1')).toEqual({ a: 1 });
    expect(read('a: !!int 0x1F')).toEqual({ a: 31 });
    expect(read('a: !!bool true')).toEqual({ a: true });
    expect(read('a: !!null ~')).toEqual({ a: null });
    expect(read('a: !!timestamp 2001-1-2T1:2:3Z')).toEqual({ a: '2001-1-2T1:2:3Z' });
    expect(read('a: !!binary YQ==')).toEqual({ a: 'a' });
    expect(read('a: !!str 1')).toEqual({ a: '1' });
  });

  test('a quoted scalar tagged !!int or !!float is resolved as go-yaml v2 resolves it (before: kept as a string, or 0100 read as 100)', () => {
    const [doc] = readYamlStream('a: !!int "0100"\nb: !!int "1_000"\nc: !!int "0b11"\nd: !!int "0X1F"\ne: !!float "1_0.5"\nf: !!int \'8_080\'\n'
      + 'g: "0100"\nh: !!float .5_0\ni: !!float .8_0e2\n').docs;
    expect([doc.errors, doc.warnings]).toEqual([[], []]);
    expect(doc.toJS()).toStrictEqual({ a: 64, b: 1000, c: 3, d: 31, e: 10.5, f: 8080, g: '0100', h: 0.5, i: 80 });
  });

  test('an empty tagged scalar, or one after a comment, is one error: "" for the empty text, the library\'s warning gone', () => {
    const cannotNull = (tag: string): string => `tagged !!${tag} is no ${tag} (go-yaml v2: cannot decode !!null \`\` as a !!${tag})`;
    expect(diagnostics('a: !!bool')).toEqual({ errors: [refused('value', '""', cannotNull('bool'), 10)], warnings: [] });
    expect(diagnostics('a: !!int\nb: 1\n')).toEqual({ errors: [refused('value', '""', cannotNull('int'), 9)], warnings: [] });
    expect(diagnostics('a: !!int # c\nb: 1\n')).toEqual({ errors: [refused('value', '""', cannotNull('int'), 10)], warnings: [] });
    expect(diagnostics('a: !!int &n # c\n  # d\n  x')).toEqual({ errors: [refused('value', 'x', cannot('x', 'str', 'int'), 3).replace('line 1', 'line 3')], warnings: [] });
  });

  test('parseYamlStream without a line counter places its own errors as the library\'s (before: only the library\'s said "at line L")', () => {
    const [doc] = parseYamlStream('a: !!int x\nb: 1\nb: 2\n');
    expect(doc.errors.map((e) => e.message)).toEqual(['Map keys must be unique at line 3, column 1', refused('value', 'x', cannot('x', 'str', 'int'), 10)]);
    expect(doc.errors.map((e) => e.linePos?.[0])).toEqual([{ line: 3, col: 1 }, { line: 1, col: 10 }]);
    const [merged] = parseYamlStream('x: &x {a: 1}\ny: {<<: *x, <<: *x}\n', { merge: true });
    expect(merged.errors[0].message).toMatch(/^Map keys must be unique: a second merge key << \(the first at line 2\), .* at line 2, column 13$/);
  });

  test('a tag Go reads otherwise than this reader, or on a collection, keeps the library\'s warning', () => {
    expect(diagnostics('a: !!int {b: 1}').warnings).toEqual([expect.stringMatching(/^Unresolved tag: tag:yaml\.org,2002:int at line 1, column 4/)]);
  });

  test('a scalar tagged !!bool is read by go-yaml v2\'s YAML 1.1 table (before: the string "yes", and the library\'s "Unresolved tag" warning)', () => {
    // go-yaml v2 resolve.go: `resolveMap` holds y/yes/on and n/no/off, and a tagged scalar, quoted or not, is resolved:
    // one warning per document (parse-yaml11-ambiguous) counts them.
    const [doc] = readYamlStream('a: !!bool yes\nb: !!bool "off"\nc: !!bool On\nd: !!bool n\ne: !!bool true\n!!bool Y: 1\n').docs;
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toStrictEqual({ a: true, b: false, c: true, d: false, e: true, true: 1 });
    expect(doc.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^5 scalars are YAML 1\.1 booleans \(the first here\): kubectl, Helm, Argo CD and Flux read yes, y, on as true .*; write true or false, or quote the string at line 1, column 11$/)]);
    expect(diagnostics('a: !!bool true').warnings).toEqual([]);
  });

  test('validate: enableDefaultDeny written !!bool no is false, as kubectl applies it (before: "got a string", the policy refused)', async () => {
    const file = write(dir, 'default-deny.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n'
      + '  endpointSelector: {matchLabels: {app: api}}\n  enableDefaultDeny: {ingress: !!bool no}\n'
      + '  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]\n');
    const v = await validate([file]);
    expect(v.stdout).not.toMatch(/parse-wrong-type/);
    expect(v.stdout).toMatch(/default-deny\.yaml:6:\d+: warning parse-yaml11-ambiguous: a scalar is a YAML 1\.1 boolean/);
    expect(v.stdout).toMatch(/^0 errors, 1 warning in 1 file/m);
    expect(v.code).toBe(0);
  });

  test('trace: enableDefaultDeny written !!bool yes denies what the rules do not allow (before: the policy skipped, everything ALLOWED)', () => {
    const file = write(dir, 'default-deny-yes.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n'
      + '  endpointSelector: {matchLabels: {app: api}}\n  enableDefaultDeny: {ingress: !!bool "yes"}\n'
      + '  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]\n');
    const judge = (from: string): Run => trace('--policies', file, '--from', `pod:shop:app=${from}`, '--to', 'pod:shop:app=api', '--port', '80/TCP');
    const denied = judge('db');
    expect(denied.stdout).toMatch(/^DENIED pod:shop:app=db → pod:shop:app=api 80\/TCP\n/);
    expect(denied.code).toBe(1);
    expect(judge('web').stdout).toMatch(/^ALLOWED pod:shop:app=web → pod:shop:app=api 80\/TCP\n/);
  });
});

describe('an untagged YAML 1.1 boolean (yes, on, n) is a boolean, as every tool that applies a manifest reads it (sigs.k8s.io/yaml, go-yaml v2)', () => {
  const policy = (spec: string): string => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n' + spec;

  test('trace: enableDefaultDeny {ingress: yes} is true and enforced (before: the string "yes", the policy skipped, everything ALLOWED)', () => {
    const file = write(dir, 'plain-yes.yaml', policy('  endpointSelector: {matchLabels: {app: api}}\n  enableDefaultDeny: {ingress: yes, egress: no}\n'
      + '  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]\n'));
    const judge = (from: string): Run => trace('--policies', file, '--from', `pod:shop:app=${from}`, '--to', 'pod:shop:app=api', '--port', '80/TCP');
    const denied = judge('db');
    expect(denied.stdout).toMatch(/^DENIED pod:shop:app=db → pod:shop:app=api 80\/TCP\n/);
    expect(denied.stderr).not.toMatch(/is skipped/);
    expect(judge('web').stdout).toMatch(/^ALLOWED pod:shop:app=web → pod:shop:app=api 80\/TCP\n/);
  });

  test('validate: one parse-yaml11-ambiguous warning for the document, no wrong type in a boolean field', async () => {
    const file = write(dir, 'plain-no.yaml', policy('  endpointSelector: {matchLabels: {app: api}}\n  enableDefaultDeny: {ingress: no}\n'
      + '  ingress: [{fromEndpoints: [{matchLabels: {app: web}}]}]\n'));
    const v = await validate([file]);
    expect(v.stdout).toMatch(/plain-no\.yaml:6:\d+: warning parse-yaml11-ambiguous: a scalar is a YAML 1\.1 boolean \(the first here\): kubectl, Helm, Argo CD and Flux/);
    expect(v.stdout).toMatch(/^0 errors, 1 warning in 1 file/m);
  });

  test('trace: a label value on is a boolean the API server refuses: the policy is skipped (before: enforced with app=on)', () => {
    const file = write(dir, 'plain-on.yaml', policy('  endpointSelector: {matchLabels: {app: api}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: on}}]}]\n'));
    // Beside an enforced policy of another workload: alone, the inputs enforce no policy (cli-no-policies).
    const r = trace('--policies', file, write(dir, 'other.yaml', OTHER_POLICY), '--from', 'pod:shop:app=db', '--to', 'pod:shop:app=api', '--port', '80/TCP');
    expect(r.stdout).toMatch(/^ALLOWED pod:shop:app=db → pod:shop:app=api 80\/TCP\n/);
    expect(r.stderr).toMatch(/CiliumNetworkPolicy shop\/p is skipped/);
    expect(r.stdout).toContain('(unquoted on is a YAML 1.1 boolean: kubectl, Helm, Argo CD and Flux send true)');
  });

  test('a key: yes is the JSON key "true", beside a key !!str yes (before: both "yes", one value lost)', () => {
    const [doc] = readYamlStream('!!str yes: a\nyes: b\n"no": c\n').docs;
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toStrictEqual({ yes: 'a', true: 'b', no: 'c' });
  });
});

describe('a key tagged !!timestamp or !!binary', () => {
  test('refused when Go refuses it (before: the library\'s own !!timestamp pattern, no error for bad base64)', () => {
    expect(diagnostics('!!timestamp x: 1').errors).toEqual([refused('key', 'x', NO_TIMESTAMP, 13)]);
    expect(diagnostics('!!timestamp 2001-12-14T21:59:43: 1').errors).toEqual([refused('key', '2001-12-14T21:59:43', NO_TIMESTAMP, 13)]);
    expect(diagnostics('!!binary "YQ": 1').errors).toEqual([refused('key', 'YQ', NO_BASE64, 10)]);
  });

  test('read as Go reads it: a timestamp as its text (before: the JavaScript date\'s text), !!binary as its decoded text', () => {
    const [doc] = readYamlStream('!!timestamp 2001-1-1: 1\n!!binary YXBw: 2\n').docs;
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toEqual({ '2001-1-1': 1, app: 2 });
  });
});

describe('goTimestamp: go-yaml v2 parseTimestamp (time.Parse with its four layouts)', () => {
  test.each(['2001-12-14', '2001-1-2', '2000-02-29', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43.10Z', '2001-12-14 21:59:43.10',
    '2001-12-14   21:59:43', '2001-12-14T1:2:3Z', '2001-12-14T21:59:43,5+05:30', '2001-12-14T21:59:43+24:60'])('%s is a timestamp', (text) => {
    expect(goTimestamp(text)).toBe(true);
  });

  test.each(['x', '01-12-14', '2001-02-29', '2001-13-01', '2001-12-0', '2001-12-140', '2001-12-14T21:59:43', '2001-12-14T24:00:00Z',
    '2001-12-14T21:60:00Z', '2001-12-14 21:59:43Z', '2001-12-14 21:59:43.10 -5', '2001-12-14T21:59:43+25:00', '2001-12-14T21:59:43+5:00', '2001-12-14T'])(
    '%s is none', (text) => {
      expect(goTimestamp(text)).toBe(false);
    });
});

describe('goBase64: Go base64.StdEncoding.DecodeString (padded, newlines ignored)', () => {
  test.each(['', 'YQ==', 'YWI=', 'YWJj', 'YW\nJj', 'YWJjYQ=\n=', 'YW\r\nJj'])('%j is base64', (text) => {
    expect(goBase64(text)).toBe(true);
  });
  test.each(['YQ', 'Y===', '====', 'YQ==YQ==', 'YWJ=j', 'a b', 'YW-j', 'YWJ\t'])('%j is none', (text) => {
    expect(goBase64(text)).toBe(false);
  });
});

describe('the CLI', () => {
  const policy = (port: string): string => 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n'
    + '  endpointSelector: {matchLabels: {app: api}}\n'
    + `  ingress: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: ${port}, protocol: TCP}]}]}]\n`;

  test('validate: port !!int x is an error at the value, exit 1 (before: a warning, exit 0, the port read as the named port "x")', GUARD, async () => {
    const r = await validate([write(dir, 'int-x.yaml', policy('!!int x'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/int-x\.yaml:6:\d+: error parse-yaml-syntax: a value Go's readers refuse: x tagged !!int is no int /);
    expect(r.stdout).not.toMatch(/: warning /);
  });

  test('endPort: !!int "0100" is octal 64 as Go reads it: port 90 denied, validate warns of the end below the port (before: 100, ALLOWED, no warning)',
    GUARD, async () => {
      const file = write(dir, 'end-port.yaml', policy('"80", endPort: !!int "0100"'));
      const t = trace('--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '90/TCP');
      expect(t.stdout).toMatch(/^DENIED pod:shop:app=web → pod:shop:app=api 90\/TCP\n/);
      const v = await validate([file]);
      expect(v.stdout).toMatch(/end-port\.yaml:6:\d+: warning sanitize-end-port-below-port: endPort 64 is below port "80"/);
    });

  test('trace: exit 2, never a verdict on a policy the cluster does not get', GUARD, () => {
    const r = trace('--policies', write(dir, 'bool.yaml', policy('!!bool "80"')), '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bool\.yaml:6: a value Go's readers refuse: 80 tagged !!bool is no bool .*\(cli-yaml\)/);
  });
});

describe('many diagnostics on one long line', () => {
  // The library's prettyErrors copied the whole line of each error for its context: quadratic. 20,000 `!!int x` in one
  // flow sequence (160 kB) took 41 s to read, 40,000 took 129 s; now about 2 s.
  test('20,000 refused values on one line are read in linear time, each placed at its line and column', GUARD, () => {
    const text = `a: [${Array.from({ length: 20_000 }, () => '!!int x').join(',')}]\n`;
    const [doc] = readYamlStream(text).docs;
    // The first 1,000 listed, each at its column, and one error for the rest at the first of them (memory: not each made).
    expect(doc.errors).toHaveLength(1001);
    expect(doc.errors[999].message).toMatch(/^A value Go's readers refuse: x .* at line 1, column 8003$/);
    expect(doc.errors[1000].message).toBe('and 19,000 more tagged scalars (keys or values) Go\'s readers refuse, not listed (a document lists at most 1,000; go-yaml v2 '
      + 'refuses it at the first) at line 1, column 8011');
    expect(doc.warnings).toEqual([]);
  });

  test('validate counts the errors the summary stands for (before: 1,500 refused scalars said "1001 errors")', GUARD, async () => {
    const file = write(dir, 'many-tags.yaml', `a: [${Array.from({ length: 1_500 }, () => '!!int x').join(',')}]\n`);
    const v = await validate([file]);
    expect(v.stdout).toMatch(/error parse-yaml-syntax: and 500 more tagged scalars/);
    expect(v.stdout).toMatch(/^1500 errors, 0 warnings in 1 file/m);
    const json = await validate(['--format', 'json', file]);
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: { errors: 1500 } });
    expect(v.code).toBe(1);
  });

  test('trace, replay and diff\'s one-line input error counts them too (before: "and 1000 more input problems" for 1,500)', () => {
    const set = PolicySet.fromYaml(`a: [${Array.from({ length: 1_500 }, () => '!!int x').join(',')}]\n`);
    expect(policyInputError(set)?.message).toMatch(/ \(and 1,499 more input problems\) \(cli-yaml\)/);
    expect(policyInputError(PolicySet.fromYaml('a: [!!int x, !!int y]\n'))?.message).toMatch(/ \(and 1 more input problem\) \(cli-yaml\)/);
  });

  test('the library\'s own errors keep their first line (… at line L, column C), without the copied context, and Error.stackTraceLimit is restored', () => {
    const limit = Error.stackTraceLimit;
    const [doc] = readYamlStream('a: [1, 2\nb: c\n').docs;
    expect(doc.errors.length).toBeGreaterThan(0);
    for (const e of doc.errors) expect(e.message).toMatch(/ at line \d+, column \d+$/);
    expect(doc.errors[0].linePos?.[0]).toEqual({ line: expect.any(Number), col: expect.any(Number) });
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
