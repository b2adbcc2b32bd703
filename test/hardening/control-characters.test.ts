// Session 51, hostile input: the characters go-yaml v2 refuses, and the `---` lines kubectl drops. Both judged as kubectl
// v1.32.4 reads them (`kubectl create --dry-run=client --validate=false -o name -f`), every command through the one input
// check (`yamlInputLimitError`) and the one parser (`parseYamlStream`).
import { describe, expect, test } from 'vitest';
import { kubectlDroppedCutsBlanked } from '../../src/model/kubectl-parts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { flowLine, replay, report, scratchDir, trace, validate, write } from './support';

const dir = scratchDir();
const FROM_TO = ['--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP'];
const DENIED = 'DENIED pod:shop:app=web → pod:shop:app=api 80/TCP';
const ALLOWED = 'ALLOWED pod:shop:app=web → pod:shop:app=api 80/TCP';

/** A CNP denying `app=web` → `app=api`, its second line ending in `comment`. */
function deny(comment = ''): string {
  return ['apiVersion: cilium.io/v2', `kind: CiliumNetworkPolicy${comment}`, 'metadata:', '  name: deny-web', '  namespace: shop', 'spec:',
    '  endpointSelector:', '    matchLabels:', '      app: api', '  ingressDeny:', '  - fromEndpoints:', '    - matchLabels:', '        app: web', ''].join('\n');
}

/** A CNP allowing `app=web` → `app=api` on 80/TCP (a namespace of its own name, so that it and `deny()` are two objects). */
const ALLOW = ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata:', '  name: allow-web', '  namespace: shop', 'spec:',
  '  endpointSelector:', '    matchLabels:', '      app: api', '  ingress:', '  - fromEndpoints:', '    - matchLabels:', '        app: web',
  '    toPorts:', '    - ports:', '      - port: "80"', '        protocol: TCP', ''].join('\n');

describe('a character go-yaml v2 refuses (session 51): refused at its line, never judged as a policy the cluster does not get', () => {
  // gopkg.in/yaml.v2 readerc.go `yaml_parser_update_buffer` lets TAB, LF, CR, U+0020–U+007E, NEL, U+00A0–U+D7FF,
  // U+E000–U+FFFD and the planes above through, anywhere in the stream, and refuses the rest ("control characters are not
  // allowed"). kubectl v1.32.4 refuses each file below: `error converting YAML to JSON: yaml: control characters are not
  // allowed`. Before, `validate` passed them (exit 0) and `trace` judged the deny policy: DENIED.
  test('the control: the policy with a plain comment is DENIED', () => {
    const r = trace('--policies', write(dir, 'deny-plain.yaml', deny(' # note')), ...FROM_TO);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([1, DENIED]);
  });

  test.each([
    ['\u000b', 'U+000B', '\\u000b'], ['\u007f', 'U+007F', '\\u007f'], ['\u009b', 'U+009B', '\\u009b'], ['\u0001', 'U+0001', '\\u0001'],
    ['\ufffe', 'U+FFFE', '\\ufffe'],
  ])('%j in a comment: trace exit 2 at its line, nothing on stdout; validate exit 1', async (c, name, escape) => {
    const file = write(dir, `deny-${name}.yaml`, deny(` # note${c} here`));
    const t = trace('--policies', file, ...FROM_TO);
    expect([t.code, t.stdout]).toEqual([2, '']);
    expect(t.stderr).toBe(`error: ${file}:2: a control character ${name} (line 2), which Kubernetes' YAML reader (go-yaml v2) refuses anywhere in a YAML `
      + 'stream, in a comment or a quoted string too ("control characters are not allowed": kubectl applies nothing of the file from there on) and this '
      + `reader reads as a character; the input is not read (remove it, or write it as an escape in a double-quoted string: "${escape}") (cli-yaml); `
      + 'fix: fix the YAML at that line (quote a value that starts with @, ` or a bracket; write a backslash in a double-quoted scalar as \\\\)\n');
    const v = await validate(['--format', 'json', file]);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.stdout).diagnostics.map((d: { id: string; line: number; message: string }) => [d.id, d.line, d.message.split(' (line')[0]]))
      .toEqual([['parse-yaml-syntax', 2, `a control character ${name}`]]);
  });

  test('in a double-quoted annotation, as the escape go-yaml takes: read, and DENIED', () => {
    const r = trace('--policies', write(dir, 'deny-escaped.yaml', deny().replace('  name: deny-web', '  name: deny-web\n  annotations:\n    note: "a\\x7fb"')),
      ...FROM_TO);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([1, DENIED]);
  });

  test('one JSON object (decoded as JSON by kubectl, which takes DEL in a string): read, and DENIED', () => {
    const json = JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'd', namespace: 'shop', annotations: { note: 'a\u007fb' } },
      spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] } });
    const r = trace('--policies', write(dir, 'deny-del.json', `${json}\n`), ...FROM_TO);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([1, DENIED]);
  });
});

describe('a --- line kubectl drops (session 51): read as the cut kubectl makes, not refused', () => {
  // k8s.io/apimachinery pkg/util/yaml/decoder.go `YAMLReader.Read`: a line opening with `---` whose rest, `strings.TrimSpace`d,
  // is empty or a comment ends the part before it and is dropped; go-yaml never reads it. The `yaml` library starts a
  // document at `---` only before a space, a tab or the line's end: `---\v# c` was content to it, and the stream refused
  // ("implicit keys need to be on a single line"). kubectl v1.32.4 applies both objects of each file below. The last was
  // read before too (`--- ` then a comment): the vertical tab in the comment of a dropped line is none go-yaml reads.
  test.each([['\u000b# c'], ['# c'], ['\u00a0# c'], [' \u000b# c'], ['\u000c'], ['\u2028# c'], [' # c\u000b']])('ALLOW, `---%j`, DENY: both read, DENIED', (rest) => {
    const r = trace('--policies', write(dir, `cut-${rest.codePointAt(0)}-${rest.length}.yaml`, `${ALLOW}---${rest}\n${deny()}`), ...FROM_TO);
    expect([r.code, r.stderr, r.stdout.split('\n')[0]]).toEqual([1, '', DENIED]);
  });

  test('the ALLOW alone is ALLOWED (the control: the deny document decides above)', () => {
    const r = trace('--policies', write(dir, 'cut-allow-only.yaml', `${ALLOW}---\u000b# c\n`), ...FROM_TO);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, ALLOWED]);
  });

  test('after a blank line of the part too; validate reads both documents (exit 0)', async () => {
    const r = await validate([write(dir, 'cut-blank.yaml', `${ALLOW}\n---\u000b# c\n${deny()}`)]);
    expect([r.code, r.stdout.split('\n').at(-2)]).toEqual([0, '0 errors, 0 warnings in 1 file (2 policies, 2 documents; Cilium 1.19)']);
  });

  test('a --- line opening its part is handed to go-yaml, which refuses the vertical tab (kubectl: control characters are not allowed): refused', () => {
    for (const text of [`---\u000b# c\n${deny()}`, `${ALLOW}---\n---\u000b# c\n${deny()}`]) {
      const file = write(dir, `cut-open-${text.length}.yaml`, text);
      const r = trace('--policies', file, ...FROM_TO);
      expect([r.code, r.stdout, r.stderr.split(' (line')[0]]).toEqual([2, '', `error: ${file}:${text.startsWith('---') ? 1 : 19}: a control character U+000B`]);
    }
  });

  test('kubectlDroppedCutsBlanked: only a dropped line with a rest YAML reads otherwise, lengths kept', () => {
    expect(kubectlDroppedCutsBlanked('a: 1\n---\u000b# c\r\nb: 2\n')).toBe('a: 1\n---    \r\nb: 2\n');
    expect(kubectlDroppedCutsBlanked('a: 1\n--- # c\n---\nb: 2\n')).toBe('a: 1\n--- # c\n---\nb: 2\n');
    expect(kubectlDroppedCutsBlanked('---\u000b# c\na: 1\n')).toBe('---\u000b# c\na: 1\n');
    expect(kubectlDroppedCutsBlanked('a: 1\n---\n---#c\nb: 2\n')).toBe('a: 1\n---\n---#c\nb: 2\n');
    // `--- x` is no cut (kubectl refuses it: `kubectlPartProblem`): kept.
    expect(kubectlDroppedCutsBlanked('a: 1\n---\u000bx\nb: 2\n')).toBe('a: 1\n---\u000bx\nb: 2\n');
  });
});

describe('a key or a value Go\'s JSON conversion refuses (session 51): refused, never judged as a policy the cluster does not get', () => {
  // sigs.k8s.io/yaml `convertToJSONableObject` takes string, int, float and bool keys, and `json.Marshal` no infinity or
  // NaN: kubectl v1.32.4 refuses each file below ("unsupported map key of type: %!s(<nil>)", "yaml: invalid map key:
  // []interface {}{"x"}", "… uint64", "json: unsupported value: +Inf"). Before, `trace` read the deny policy with a warning
  // (the unknown field left out) and printed DENIED (exit 1).
  test.each([
    ['~: y', 'the null key ~'], ['? [x]\n  : 1', 'a sequence used as a key'], ['? {a: 1}\n  : 1', 'a mapping used as a key'],
    ['18446744073709551615: y', 'the key 18446744073709551615, an integer above int64,'],
    ['extra: .inf', '.inf is a float'], ['extra: -.Inf', '-.Inf is a float'], ['extra: .nan', '.nan is a float'], ['extra: !!float .inf', '.inf is a float'],
  ])('spec holding %j: trace exit 2 naming it, nothing on stdout', (line, named) => {
    const file = write(dir, `json-${line.length}-${line.charCodeAt(line.length - 1)}-${line.charCodeAt(1)}.yaml`, deny().replace('spec:\n', `spec:\n  ${line}\n`));
    const r = trace('--policies', file, ...FROM_TO);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(named);
    expect(r.stderr).toContain('so kubectl, Helm and Argo CD refuse the manifest');
  });

  test('quoted or tagged !!str, `.inf` is a string, and a string key `"~"` a key: read, and DENIED', () => {
    for (const line of ['extra: ".inf"', 'extra: !!str .nan', '"~": y']) {
      const r = trace('--policies', write(dir, `json-ok-${line.length}.yaml`, deny().replace('spec:\n', `spec:\n  ${line}\n`)), ...FROM_TO);
      expect([r.code, r.stdout.split('\n')[0]]).toEqual([1, DENIED]);
    }
  });
});

describe('an alias as a key or a value (session 51, mended): the node it names, as go-yaml v2 reads it', () => {
  // go-yaml v2 `decode.go` `alias` decodes an alias as the node it names, a key too; sigs.k8s.io/yaml then converts the
  // result. kubectl v1.32.4 (`kubectl label --local -f <file> x=y -o json`) reads `a: &k foo` + `*k : "y"` as
  // {"a":"foo","foo":"y"} and `a: &k "7"` + `? *k` as {"7":"y","a":"7"}; it refuses `extra: *k` of `? &k .inf` ("json:
  // unsupported value: +Inf") and of `? &k .NaN` ("… NaN"), and `*k` of `a: &k ~` as a key ("unsupported map key of type:
  // %!s(<nil>)"). Before, every alias key was refused as "an empty key", and an alias value of an infinity anchored on a
  // key was read (a ConfigMap holding one, then a deny policy: DENIED, exit 1; kubectl applies nothing).
  const annotated = (lines: string): string => deny().replace('  namespace: shop\n', `  namespace: shop\n  annotations:\n${lines}`);
  test.each([
    ['    a: &k foo\n    *k : "y"\n'], ['    a: &k "7"\n    ? *k\n    : "y"\n'],
  ])('an alias key of a string (%j): read, the deny policy DENIED; validate exit 0', async (lines) => {
    const file = write(dir, `alias-key-${lines.length}.yaml`, annotated(lines));
    const r = trace('--policies', file, ...FROM_TO);
    expect([r.code, r.stderr, r.stdout.split('\n')[0]]).toEqual([1, '', DENIED]);
    expect((await validate([file])).code).toBe(0);
  });

  test('an alias key of a string that another key repeats: refused as any repeated key is (the alias is the key foo)', () => {
    const r = trace('--policies', write(dir, 'alias-key-dup.yaml', annotated('    a: &k foo\n    *k : "y"\n    foo: z\n')), ...FROM_TO);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(':9: map keys must be unique');
  });

  test.each([
    ['    a: &k ~\n    *k : "y"\n', 'the alias *k, which stands for the null key ~'],
    ['    a: &k {b: 1}\n    ? *k\n    : "y"\n', 'the alias *k, which stands for a mapping used as a key'],
    ['    ? *nowhere\n    : "y"\n', 'the alias *nowhere names no anchor'],
  ])('an alias key of no JSON text (%j): refused, naming the alias', (lines, named) => {
    const r = trace('--policies', write(dir, `alias-key-bad-${lines.length}.yaml`, annotated(lines)), ...FROM_TO);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(named);
  });

  const configMap = (key: string, value: string): string => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: cm', '  namespace: shop', 'data:',
    `  ? &k ${key}`, '  : "v"', `extra: ${value}`, '---', deny()].join('\n');
  test.each([['.inf', '*k'], ['.NaN', '[*k]'], ['-.Inf', '{x: *k}']])('a ConfigMap whose extra is an alias of the key %s (%s), then a deny policy: refused',
    async (key, value) => {
      const file = write(dir, `alias-val-${key}.yaml`, configMap(key, value));
      const r = trace('--policies', file, ...FROM_TO);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain(`the alias *k, which stands for ${key} (written at its anchor), is a float JSON has no number for`);
      expect((await validate([file])).code).toBe(1);
    });

  test('the control: an alias value of a quoted ".inf" key is a string, read; the deny policy DENIED', () => {
    const r = trace('--policies', write(dir, 'alias-val-quoted.yaml', configMap('".inf"', '*k')), ...FROM_TO);
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([1, DENIED]);
  });
});

describe('Unicode format characters (session 56): no output channel writes them as they are', () => {
  // Trojan Source (CVE-2021-42574): a bidirectional mark, embedding or isolate (U+200E, U+200F, U+061C, U+2067), a
  // zero-width character (U+200B, U+FEFF), a soft hyphen or a tag (U+E0041) in a file name or a rule's HTTP path reorders
  // or hides what a terminal, a browser (the HTML report) or a rendered Markdown page shows of the rest of the line.
  // Before, the text outputs replaced only U+202A–U+202E and U+2066–U+2069, and the HTML and JSON outputs none of them.
  const FORMAT = ['\u200e', '\u200f', '\u061c', '\u2067', '\u200b', '\ufeff', '\u{e0041}', '\u00ad'];
  const RAW = /[\u200e\u200f\u061c\u2066-\u2069\u200b\ufeff\u00ad]|\u{e0041}/u;
  const path = `/a${FORMAT.join('')}b`;
  const shown = `/a${FORMAT.map(() => '\ufffd').join('')}b`;
  const l7 = join(dir, 'fmt-l7');
  mkdirSync(l7);
  write(l7, 'api.yaml', ALLOW.replace('protocol: TCP', `protocol: TCP\n      rules: {http: [{method: GET, path: ${JSON.stringify(path)}}]}`));
  const named = join(dir, `fmt-x${FORMAT.join('y')}z`);
  mkdirSync(named);
  write(named, 'bad.yaml', ALLOW.replace('  name: allow-web', '  name: Bad_Name'));

  test.each(['text', 'markdown', 'html', 'json'])('report --output %s of a rule whose HTTP path holds them', async (output) => {
    const r = await report('--policies', l7, '--output', output);
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(RAW);
    // The JSON document keeps them, as escapes; the others show U+FFFD.
    if (output === 'json') expect(JSON.parse(r.stdout).connections.map((c: { l7?: string }) => c.l7).join()).toContain(path);
    else expect(r.stdout).toContain(shown);
  });

  test.each(['text', 'json'])('trace --output %s, denied by that rule', (output) => {
    const r = trace('--policies', l7, ...FROM_TO, '--http', 'GET /other', '--output', output);
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(RAW);
    if (output === 'json') expect(JSON.stringify(JSON.parse(r.stdout))).toContain(JSON.stringify(path).slice(1, -1));
    else expect(r.stdout).toContain(shown);
  });

  test('validate --format sarif quoting an l7proto that holds U+202E: its escape, never the character (SARIF writes paths percent-encoded)', async () => {
    // Before the session-56 review, reverting `formatReportSarif` to a plain JSON.stringify passed every test.
    const policy = ALLOW.replace('protocol: TCP', 'protocol: TCP\n      rules: {http: [{method: GET}]}')
      .replace('  ingress:\n', `  ingress:\n${ALLOW.split('  ingress:\n')[1].replace('protocol: TCP', 'protocol: TCP\n      rules: {l7proto: "my\\u202eproto", l7: [{k: v}]}')}`);
    const r = await validate(['--format', 'sarif', write(dir, 'l7proto-rlo.yaml', policy)]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\u202e');
    expect(r.stdout).toContain('"text": "Http rules on ingress 80/TCP here, and my\\u202eproto rules on the same port entry');
    const sarif = JSON.parse(r.stdout) as { runs: { results: { message: { text: string } }[] }[] };
    expect(sarif.runs[0].results.map((x) => x.message.text).filter((t) => t.includes('and my\u202eproto rules'))).toHaveLength(1);
  });

  test.each(['text', 'json', 'sarif'])('validate --format %s of a file in a folder whose name holds them', async (format) => {
    const r = await validate(['--format', format, named]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Bad_Name');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(RAW);
  });
});

describe('standard error (session 56): every line written printable, whatever a warning quotes', () => {
  // A warning or a gate failure quotes the input: an l7proto, a flow's HTTP path, a pod label of a flow, the --flows path.
  // A newline there started a line of its own (a GitHub Actions workflow command `::error::` in a CI log), ESC an escape
  // sequence, U+202E reordered the rest of the line. Before, `report`'s "not judged" warning, `replay`'s gate failure and
  // the --flows warnings of `report`/`diff` printed them raw; now the CLI's standard error writes every line
  // `withoutControls` (`printableStderr`).
  const HOSTILE = 'x\n::error::forged\u202e\u001b[31my';
  const SHOWN = 'x\ufffd::error::forged\ufffd\ufffd[31my';
  const l7proto = (proto: string): string => ALLOW.replace('protocol: TCP', `protocol: TCP\n      rules: {l7proto: ${JSON.stringify(proto)}, l7: [{k: v}]}`);
  const printable = (stderr: string, lines: number): void => {
    for (const c of ['\u202e', '\u001b']) expect(stderr).not.toContain(c);
    expect(stderr.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
    expect(stderr.endsWith('\n') ? stderr.slice(0, -1).split('\n') : ['(no newline at the end)']).toHaveLength(lines);
  };

  test('report: the "not judged" warning of an l7proto holding them', async () => {
    // Beside an HTTP rule on the port, the l7proto rule is a conflict of L7 parsers: the class is not judged, its parser named.
    const policy = l7proto(`my${HOSTILE}`).replace('  ingress:\n', `  ingress:\n${ALLOW.split('  ingress:\n')[1].replace('protocol: TCP', 'protocol: TCP\n      rules: {http: [{method: GET}]}')}`);
    const r = await report('--policies', write(dir, 'l7proto-hostile.yaml', policy));
    expect(r.code).toBe(0);
    printable(r.stderr, 1);
    expect(r.stderr).toMatch(/^warning: not judged: Cilium refuses the policy of the endpoint class shop\/app=api: /);
    expect(r.stderr).toContain(`spec.ingress[1] my${SHOWN} rules on ingress 80/TCP`);
  });

  test('replay: the gate failure quoting a flow\'s HTTP path, and the --flows path of its warnings', async () => {
    const flows = write(dir, `cap${HOSTILE.replace('/', '')}.jsonl`,
      `${flowLine({ l7: { type: 'REQUEST', http: { method: 'GET', url: `http://10.0.1.20/a${HOSTILE}` } } })}\n`);
    const r = await replay('--flows', flows, '--policies', write(dir, 'l7proto.yaml', l7proto('myproto')));
    expect(r.code).toBe(1);
    printable(r.stderr, 1);
    expect(r.stderr).toMatch(/^replay: 1 connection of .*cap/);
    expect(r.stderr).toContain(`the request GET /a${SHOWN} on 80/TCP is not judged`);
    expect(r.stderr).toContain(`cap${SHOWN}.jsonl could not be judged`);
  });

  test('report --flows: the foreign pod label of a flow and the --flows path of the malformed-lines warning', async () => {
    const flows = write(dir, `foreign${HOSTILE.replace('/', '')}.jsonl`,
      `${flowLine({ source: { labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop', `container:zz${HOSTILE}=v`] } })}\n{bad\n`);
    const r = await report('--policies', write(dir, 'l7proto.yaml', l7proto('myproto')), '--flows', flows);
    expect(r.code).toBe(0);
    printable(r.stderr, 3);
    expect(r.stderr).toContain(`--flows ${flows.replace(HOSTILE, SHOWN)}: 1 malformed lines skipped`);
    expect(r.stderr).toContain(`(first: container:zz${SHOWN}=v`);
  });
});
