// Hostile input, trims (session 50): the ends of a text read from an input are trimmed in one pass (`trimRuns`), never by
// a JavaScript regex such as `/:+$/`, which retries a run that does not reach the end at each of its characters. Each
// input below is 200,000 characters: before the fix, about two minutes per command on the shared machine (10 MiB:
// days), so each case ran past its guard; now a second or two. The verdicts are Cilium's reading (pkg/envoy/server.go
// `getHTTPRule`: `strings.SplitN(hdr, " ", 2)`, `strings.TrimRight(strs[0], ":")`; k8s.io/apimachinery
// pkg/util/yaml/decoder.go `YAMLReader.Read`: `strings.TrimSpace` of what follows `---`).
import { describe, expect, test } from 'vitest';
import { GUARD, httpPolicy, scratchDir, trace, validate, webToApi, write } from './support';

const dir = scratchDir();
const RUN = 200_000;

describe('header entries of HTTP rules (session 50): a long run inside the name or value is read in linear time', () => {
  test('a name of a, 200,000 colons, b: no request has it (DENIED at L7, validate names the entry); trailing colons are dropped as Cilium does', GUARD, async () => {
    const inner = write(dir, 'colons-inner.yaml', httpPolicy([{ headers: [`a${':'.repeat(RUN)}b v`] } as unknown as Record<string, string>]));
    const r = trace(...webToApi(inner, 'GET /'), '--header', 'a: v');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DENIED \(L7: HTTP 403\) /);
    const v = await validate([inner]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/colons-inner\.yaml:10:34: error pitfall-http-header-never-matches: headers entry "a:::/);
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
