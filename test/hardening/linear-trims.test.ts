// Hostile input, trims (session 50): the ends of a text read from an input are trimmed in one pass (`trimRuns`), never by
// a JavaScript regex such as `/:+$/`, which retries a run that does not reach the end at each of its characters. The
// verdicts on inputs of 200,000-character runs are Cilium's reading (pkg/envoy/server.go `getHTTPRule`:
// `strings.SplitN(hdr, " ", 2)`, `strings.TrimRight(strs[0], ":")`; k8s.io/apimachinery pkg/util/yaml/decoder.go
// `YAMLReader.Read`: `strings.TrimSpace` of what follows `---`). These tests guard the verdicts and the size of what is
// printed, not the time: a call site gone back to a regex is caught deterministically by test/model/trim-runs-sites.test.ts
// (a spy on `trimRuns`) and by the lint rule of eslint.config.mjs (`QUADRATIC_TRIM_REGEX`, test/lint/quadratic-regex.test.ts).
// GUARD (30 s) only keeps a hang from stalling the suite: these take a second or two.
import { describe, expect, test } from 'vitest';
import { HttpRule, Port } from '../../src';
import { GUARD, httpPolicy, scratchDir, trace, validate, webToApi, write } from './support';

const dir = scratchDir();
const RUN = 200_000;

describe('header entries of HTTP rules (session 50): a long run inside the name or value is read in linear time', () => {
  test('a name of a, 200,000 colons, b: no request has it (DENIED at L7, validate names the entry); trailing colons are dropped as Cilium does', GUARD, async () => {
    const inner = write(dir, 'colons-inner.yaml', httpPolicy([{ headers: [`a${':'.repeat(RUN)}b v`] } as unknown as Record<string, string>]));
    const r = trace(...webToApi(inner, 'GET /'), '--header', 'a: v');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DENIED \(L7: HTTP 403\) /);
    // The rule's text on the `L7 rules:` line is clipped (it held the whole entry: 200,000 characters).
    expect(r.stdout).toMatch(/^ {2}L7 rules: .{300}… \(\d+ more characters\)$/m);
    expect(r.stdout.length).toBeLessThan(5_000);
    const v = await validate([inner]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/colons-inner\.yaml:10:34: error pitfall-http-header-never-matches: headers entry "a:::/);
    // The entry is quoted clipped (showValue, 80 characters), in the message and in the reason inside it.
    expect(v.stdout).toContain(`headers entry "a${':'.repeat(75)}... of an HTTP rule matches no request: "a${':'.repeat(75)}... is not an HTTP header name`);
    expect(v.stdout.length).toBeLessThan(5_000);
    // Control: colons at the end of the name are Cilium's `TrimRight(":")`: the header X-Token with the value v.
    const trailing = write(dir, 'colons-trailing.yaml', httpPolicy([{ headers: [`X-Token${':'.repeat(RUN)} v`] } as unknown as Record<string, string>]));
    expect(trace(...webToApi(trailing, 'GET /'), '--header', 'x-token: v').code).toBe(0);
    expect(trace(...webToApi(trailing, 'GET /'), '--header', 'x-token: w').code).toBe(1);
    expect(trace(...webToApi(trailing, 'GET /')).code).toBe(1);
    expect((await validate([trailing])).code).toBe(0);
  });

  test('a value of x, 200,000 spaces and tabs, y is an exact value (validate clean); with a space at an end it never matches', GUARD, async () => {
    const inner = write(dir, 'value-inner.yaml', httpPolicy([{ headers: [`X-A x${' \t'.repeat(RUN / 2)}y`] } as unknown as Record<string, string>]));
    const v = await validate([inner]);
    expect([v.code, v.stdout]).toEqual([0, expect.stringContaining('0 errors, 0 warnings')]);
    expect(trace(...webToApi(inner, 'GET /'), '--header', 'X-A: x y').code).toBe(1);
    const padded = write(dir, 'value-padded.yaml', httpPolicy([{ headers: [`X-A x${' \t'.repeat(RUN / 2)}`] } as unknown as Record<string, string>]));
    const w = await validate([padded]);
    expect(w.code).toBe(1);
    expect(w.stdout).toContain('error pitfall-http-header-never-matches: headers entry "X-A x \\t');
  });
});

describe('--- lines (session 50): white space after --- is trimmed in linear time, as kubectl trims it', () => {
  const policy = (name: string, ports: string): string => ['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', `metadata: {name: ${name}, namespace: shop}`,
    'spec:', '  endpointSelector: {matchLabels: {app: api}}', '  ingress:', '  - fromEndpoints: [{matchLabels: {app: web}}]',
    `    toPorts: [{ports: [{port: "${ports}", protocol: TCP}]}]`, ''].join('\n');
  const port = (p: string): string[] => ['--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', `${p}/TCP`];

  test('--- then a comment holding 200,000 spaces: a cut, both documents read (80 and 81 ALLOWED, 82 DENIED)', GUARD, async () => {
    const file = write(dir, 'sep-comment.yaml', `${policy('a', '80')}--- #${' '.repeat(RUN)}x\n${policy('b', '81')}`);
    expect(trace('--policies', file, ...port('80')).code).toBe(0);
    expect(trace('--policies', file, ...port('81')).code).toBe(0);
    expect(trace('--policies', file, ...port('82')).code).toBe(1);
    const v = await validate([file]);
    expect([v.code, v.stdout]).toEqual([0, expect.stringContaining('(2 policies, 2 documents;')]);
  });

  test('control (linear before too): --- then 200,000 spaces and a value is refused as kubectl refuses it (exit 2, nothing judged)', GUARD, () => {
    const file = write(dir, 'sep-value.yaml', `${policy('a', '80')}---${' \t'.repeat(RUN / 2)}x\n${policy('b', '81')}`);
    const r = trace('--policies', file, ...port('80'));
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`${file}:9: a --- line followed by "x" (line 9), which kubectl refuses`);
  });
});

describe('values quoted in messages (session 50): clipped, whatever their length', () => {
  test('a headers entry of 2,000,000 characters: HttpRule.of refuses it in a message of a few hundred characters', () => {
    const entry = `X-A x${' '.repeat(2_000_000)}`;
    let message = '';
    try {
      HttpRule.of({ headers: [entry] });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('l7-header-never-matches');
    expect(message).toContain('its value "x       ');
    expect(message.length).toBeLessThan(1_000);
  });

  test('Port.named with a name of 200,001 characters: refused as no IANA service name, the name clipped (length checked before the pattern)', () => {
    let message = '';
    try {
      Port.named(`${'a-'.repeat(RUN / 2)}!`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"a-a-a-a-');
    expect(message).toContain('is not a valid port name (port-name-syntax)');
    expect(message.length).toBeLessThan(1_000);
    // Control: a valid name and one of 16 characters.
    expect(() => Port.named('http-alt')).not.toThrow();
    expect(() => Port.named('a'.repeat(16))).toThrow(/"a{16}" is not a valid port name/);
  });

  test('commander\'s unknown option holding 131,000 spaces: one line, clipped, exit 2 (its lines joined by the native trim)', GUARD, async () => {
    const v = await validate([write(dir, 'empty.yaml', ''), `--x${' '.repeat(131_000)}y`]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/^error: unknown option '--x +… \(\d+ more characters\) \(cli-usage\); fix: see cdk8s-cilium --help/);
    expect(v.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });
});
