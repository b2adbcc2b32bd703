// The bounds of a report and a diff. A report (`report-too-large`) judges every pair of endpoint classes, so its time
// and output grow with the square of the classes; over `maxPairs` (no limit unless given; `report --max-pairs`, 250,000) it is refused before
// any pair is judged: exit 2, one line on stderr naming the count, the limit and the fix, nothing on stdout, never part
// of a report. The count is the one the report would judge (`notAPair`), counted without going through the pairs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { ClassifiedEndpoint, Connectivity, DiffOptions, EndpointClassKind, Endpoints, PolicySet, ReportOptions } from '../../src';
import { diffPairCount, notAPair, reportPairCount } from '../../src/diff/connectivity';
import { SideTables } from '../../src/diff/side-tables';
import { cliAsync as cli } from '../support/cli';
import { thrown } from '../support/errors';
import { webToApi } from './support';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-report-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policyFile = join(dir, 'opened.yaml');
writeFileSync(policyFile, webToApi([8080, 9090]));
const set = PolicySet.fromYaml(webToApi([8080, 9090]));
const pairs = reportPairCount(Connectivity.endpointClasses([set]));

describe('reportPairCount: the pairs a report judges, counted per kind of class', () => {
  test('equals the pairs that notAPair lets through, for every kind of class with either side marked', () => {
    const classes: ClassifiedEndpoint[] = [];
    for (const kind of Object.values(EndpointClassKind)) {
      for (const mark of [{}, { clientOnly: true }, { serverOnly: true }]) {
        classes.push({ cls: { id: `${kind}-${classes.length}`, name: kind, kind }, endpoint: Endpoints.cidr('192.0.2.1'), ...mark } as ClassifiedEndpoint);
      }
    }
    let brute = 0;
    for (const a of classes) for (const b of classes) if (!notAPair(a, b)) brute++;
    expect(reportPairCount(classes)).toBe(brute);
    expect(brute).toBeGreaterThan(0);
    expect(reportPairCount([])).toBe(0);
  });

  test('the classes of a policy set', () => {
    const classes = Connectivity.endpointClasses([set]);
    expect(pairs).toBe(classes.flatMap((a) => classes.filter((b) => !notAPair(a, b))).length);
    expect(pairs).toBeGreaterThan(10);
  });
});

describe('Connectivity.report maxPairs', () => {
  test('over the limit: refused (report-too-large) naming the count, the limit and the fix', () => {
    const e = thrown(() => Connectivity.report(set, { maxPairs: pairs - 1 }));
    expect(e.id).toBe('report-too-large');
    const classes = Connectivity.endpointClasses([set]).length;
    expect(e.message).toBe(`the report would judge ${pairs} pairs of ${classes} endpoint classes, over the limit of ${pairs - 1} pairs `
      + '(its time and size grow with the square of the classes); nothing is reported (report-too-large)\n'
      + `  fix: raise the limit (--max-pairs ${pairs}, or maxPairs), or narrow the input: fewer policies, or an --inventory (or --flows capture) with fewer workloads`);
  });

  test('classes given: the fix names fewer classes', () => {
    const classes = Connectivity.endpointClasses([set]);
    const e = thrown(() => Connectivity.report(set, { classes, maxPairs: 1 }));
    expect(e.id).toBe('report-too-large');
    expect(e.fix).toBe(`raise the limit (maxPairs: ${pairs}), or pass fewer classes`);
    expect(Connectivity.report(set, { classes: classes.slice(0, 1), maxPairs: 1 }).endpoints).toHaveLength(1);
  });

  test('at the limit: the whole report, the same as without the option', () => {
    expect(Connectivity.report(set, { maxPairs: pairs })).toEqual(Connectivity.report(set));
    expect(Connectivity.DEFAULT_MAX_REPORT_PAIRS).toBe(250_000);
  });

  test.each([[0], [-1], [Number.NaN], [1.5], [Number.POSITIVE_INFINITY], ['10'], [null]])('maxPairs %j is refused (option-value)', (value) => {
    const e = thrown(() => Connectivity.report(set, { maxPairs: value } as unknown as ReportOptions));
    expect(e.id).toBe('option-value');
    expect(e.message).toMatch(/^Connectivity\.report\(\): maxPairs is .*, not a whole number of 1 or more/);
    expect(e.fix).toBe('give the most pairs of endpoint classes to judge, e.g. maxPairs: 250000 (leave it out for no limit)');
  });

  test('PolicySet.diff has no maxPairs: the key is refused, not ignored (Connectivity.diff takes it, below)', () => {
    expect(thrown(() => set.diff(set, { maxPairs: 1 } as unknown as ReportOptions)).id).toBe('option-unknown');
  });
});

describe('report --max-pairs', () => {
  test('over the limit: exit 2, one line on stderr, nothing on stdout', async () => {
    for (const output of ['text', 'json', 'html']) {
      const r = await cli('report', '--policies', policyFile, '--max-pairs', String(pairs - 1), '--output', output);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^error: the report would judge ${pairs} pairs of \\d+ endpoint classes, over the limit of ${pairs - 1} pairs .*`
        + `\\(report-too-large\\); fix: raise the limit \\(--max-pairs ${pairs}, or maxPairs\\), or narrow the input: .*--inventory.*\n$`));
    }
  });

  test('at the limit: the same output as the default', async () => {
    const plain = await cli('report', '--policies', policyFile, '--output', 'json');
    const bounded = await cli('report', '--policies', policyFile, '--output', 'json', '--max-pairs', String(pairs));
    expect(plain.code).toBe(0);
    expect(bounded).toEqual(plain);
  });

  test('250,000 pairs unless told otherwise: 600 classes of pods are refused, before any pair is judged', async () => {
    const peers = Array.from({ length: 600 }, (_, i) => `  - fromEndpoints: [{ matchLabels: { app: a${i} } }]\n`).join('');
    const wide = join(dir, 'wide.yaml');
    writeFileSync(wide, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: wide, namespace: prod }\n'
      + `spec:\n  endpointSelector: { matchLabels: { app: api } }\n  ingress:\n${peers}`);
    const r = await cli('report', '--policies', wide);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: the report would judge [\d,]+ pairs of [\d,]+ endpoint classes, over the limit of 250,000 pairs .*\(report-too-large\)/);
  });

  test.each([['0'], ['-1'], ['NaN'], ['1.5'], ['abc'], ['']])('--max-pairs %j: exit 2 (cli-flag), nothing on stdout', async (value) => {
    const r = await cli('report', '--policies', policyFile, '--max-pairs', value);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: --max-pairs ${value === '' ? '""' : value} is not a positive number (cli-flag); fix: give --max-pairs a number, e.g. 250000\n`);
  });
});

// A diff is bounded by its changes (`diff-too-large`): a change touching every class changes every pair. `Connectivity.diff`
// has no limit unless given (`maxChanges`); `cdk8s-cilium diff --max-changes` holds 100,000 unless told otherwise.
const baseFile = join(dir, 'base.yaml');
const headFile = join(dir, 'head.yaml');
const headText = webToApi([9090], { extra: '  ingressDeny:\n  - fromEndpoints: [{ matchLabels: { app: web, version: v1 } }]\n' });
writeFileSync(baseFile, webToApi([8080]));
writeFileSync(headFile, headText);
const [base, head] = [PolicySet.fromYaml(webToApi([8080])), PolicySet.fromYaml(headText)];
const changes = Connectivity.diff(base, head).changes.length;

// The pairs a diff judges are counted before any is judged (`maxPairs`, `diff-too-large`). Seed-4242 mutant of
// side-tables.ts (`changingPairCount` counting no pair): the limit never held.
describe('Connectivity.diff maxPairs', () => {
  test('one pair allowed: refused before judging (diff-too-large); a wide limit: the whole diff', () => {
    const e = thrown(() => Connectivity.diff(base, head, { maxPairs: 1 }));
    expect(e.id).toBe('diff-too-large');
    expect(e.message).toContain('the diff would judge 2 pairs of 8 endpoint classes (the pairs whose client\'s egress or server\'s ingress may decide '
      + 'differently), over the limit of 1 pairs');
    expect(Connectivity.diff(base, head, { maxPairs: 1_000_000 })).toEqual(Connectivity.diff(base, head));
  });
});

describe('Connectivity.diff maxChanges', () => {
  test('the fixture changes more than one connection', () => {
    expect(changes).toBeGreaterThan(1);
  });

  test('over the limit: refused (diff-too-large), naming the limit and the fix', () => {
    const e = thrown(() => Connectivity.diff(base, head, { maxChanges: changes - 1 }));
    expect(e.id).toBe('diff-too-large');
    expect(e.message).toBe(`the diff has more than ${changes - 1} changes (a change whose selectors touch every class changes every pair: a diff `
      + 'can grow with the square of the classes); nothing is reported (diff-too-large)\n'
      + '  fix: raise the limit (--max-changes, or maxChanges), or narrow the input: an --inventory (or --flows capture) with fewer workloads, or a smaller change');
    expect(thrown(() => Connectivity.diff(base, head, { maxChanges: 1, classes: Connectivity.endpointClasses([base, head]) })).fix)
      .toBe('raise the limit (maxChanges), or pass fewer classes');
  });

  test('at the limit: the whole diff, the same as without the option', () => {
    expect(Connectivity.diff(base, head, { maxChanges: changes })).toEqual(Connectivity.diff(base, head));
    expect(Connectivity.DEFAULT_MAX_DIFF_CHANGES).toBe(100_000);
  });

  test.each([[0], [-1], [Number.NaN], [1.5], ['10'], [null]])('maxChanges %j is refused (option-value)', (value) => {
    const e = thrown(() => Connectivity.diff(base, head, { maxChanges: value } as unknown as DiffOptions));
    expect(e.id).toBe('option-value');
    expect(e.message).toMatch(/^Connectivity\.diff\(\): maxChanges is .*, not a whole number of 1 or more/);
    expect(e.fix).toBe('give the most changes to hold, e.g. maxChanges: 100000 (leave it out for no limit)');
  });

  test('a report has no maxChanges: the key is refused, not ignored', () => {
    expect(thrown(() => Connectivity.report(set, { maxChanges: 1 } as unknown as ReportOptions)).id).toBe('option-unknown');
  });
});

describe('diff --max-changes', () => {
  test('over the limit: exit 2, one line on stderr, nothing on stdout', async () => {
    for (const output of ['text', 'json', 'markdown']) {
      const r = await cli('diff', '--base', baseFile, '--head', headFile, '--max-changes', String(changes - 1), '--output', output, '--fail-on', 'any');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: the diff has more than ${changes - 1} changes (a change whose selectors touch every class changes every pair: a diff `
        + 'can grow with the square of the classes); nothing is reported (diff-too-large); fix: raise the limit (--max-changes, or maxChanges), or '
        + 'narrow the input: an --inventory (or --flows capture) with fewer workloads, or a smaller change\n');
    }
  });

  test('at the limit: the same output as the default', async () => {
    const plain = await cli('diff', '--base', baseFile, '--head', headFile, '--output', 'json');
    expect(plain.code).toBe(0);
    expect(await cli('diff', '--base', baseFile, '--head', headFile, '--output', 'json', '--max-changes', String(changes))).toEqual(plain);
  });

  test.each([['0'], ['-1'], ['NaN'], ['1.5'], ['abc']])('--max-changes %j: exit 2 (cli-flag), nothing on stdout', async (value) => {
    const r = await cli('diff', '--base', baseFile, '--head', headFile, '--max-changes', value);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: --max-changes ${value} is not a positive number (cli-flag); fix: give --max-changes a number, e.g. 100000\n`);
  });
});

// A diff judges only the pairs whose rules change, but a change to every class (one new policy per class) makes it judge
// every pair: over `maxPairs` (no limit unless given; `diff --max-pairs`, 500,000) it is refused before any pair is
// judged (`diff-too-large`), the count being the pairs whose client's egress or server's ingress rules change.
describe('diffPairCount: the pairs a diff judges, counted per kind of class', () => {
  test('equals the pairs that notAPair lets through and whose rules change, for every kind of class and change', () => {
    const classes: ClassifiedEndpoint[] = [];
    for (const kind of Object.values(EndpointClassKind)) {
      for (const mark of [{}, { clientOnly: true }, { serverOnly: true }]) {
        classes.push({ cls: { id: `${kind}-${classes.length}`, name: kind, kind }, endpoint: Endpoints.cidr('192.0.2.1'), ...mark } as ClassifiedEndpoint);
      }
    }
    const fqdn = classes.map((c) => c.cls.kind === EndpointClassKind.FQDN);
    // Every third, fifth and seventh class changed, shifted per round: each mix of changed and unchanged ends.
    for (let round = 0; round < 7; round++) {
      const egress = classes.map((_, i) => (i + round) % 3 === 0);
      const ingress = classes.map((_, i) => (i + round) % 5 === 0);
      const toFqdn = (a: number): boolean => (a + round) % 7 === 0 || egress[a];
      let brute = 0;
      for (let a = 0; a < classes.length; a++) {
        for (let b = 0; b < classes.length; b++) {
          if (!notAPair(classes[a], classes[b]) && (fqdn[b] ? toFqdn(a) : egress[a] || ingress[b])) brute++;
        }
      }
      expect(diffPairCount(classes, fqdn, egress, ingress, toFqdn)).toEqual({ pairs: brute, exact: true });
      expect(brute).toBeGreaterThan(0);
    }
    const none = classes.map(() => false);
    expect(diffPairCount(classes, fqdn, none, none, () => false)).toEqual({ pairs: 0, exact: true });
  });
});

/** What `diff-too-large` says of the pairs, before its id. */
function diffRefusal(pairs: number, classes: number, limit: number): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return `the diff would judge ${n(pairs)} pairs of ${n(classes)} endpoint classes (the pairs whose client's egress or server's ingress may decide `
    + `differently), over the limit of ${n(limit)} pairs (its time and size grow with the square of the classes); nothing is reported`;
}

/** The fix of `diff-too-large` for the pairs, classes not given. */
function diffFix(pairs: number): string {
  return `raise the limit (--max-pairs ${pairs}, or maxPairs), or narrow the input: a smaller change (one that decides differently for fewer `
    + 'pairs of classes), or an --inventory (or --flows capture) with fewer workloads';
}

/** The classes that the changed items of the fixture's api policy select (app=web), as clients of api. */
function webClients(classes: readonly ClassifiedEndpoint[]): ClassifiedEndpoint[] {
  return classes.filter((c) => c.cls.id.startsWith('prod/app=web'));
}

describe('Connectivity.diff maxPairs', () => {
  const classes = Connectivity.endpointClasses([base, head]);
  // Only the ingress of api changes, for the clients its changed items select (app=web): those clients to api.
  const api = classes.find((c) => c.cls.id === 'prod/app=api')!;
  const diffPairs = webClients(classes).length;

  test('the fixture judges more than one pair, fewer than the pairs whose rules change (every client to api)', () => {
    expect(diffPairs).toBeGreaterThan(1);
    expect(diffPairs).toBeLessThan(classes.filter((a) => !notAPair(a, api)).length);
  });

  test('over the limit: refused (diff-too-large) before any pair is judged, naming the count, the limit and the fix', () => {
    // What the default path judges pairs with (SideTables): called by an unlimited diff, never before the refusal.
    const judged = vi.spyOn(SideTables.prototype, 'changingPairs');
    const decided = [judged, vi.spyOn(base, '_decide'), vi.spyOn(head, '_decide'), vi.spyOn(base, 'verdict'), vi.spyOn(head, 'verdict')];
    try {
      Connectivity.diff(base, head);
      expect(judged).toHaveBeenCalled();
      judged.mockClear();
      const e = thrown(() => Connectivity.diff(base, head, { maxPairs: diffPairs - 1 }));
      expect(e.id).toBe('diff-too-large');
      expect(e.message).toBe(`${diffRefusal(diffPairs, classes.length, diffPairs - 1)} (diff-too-large)\n  fix: ${diffFix(diffPairs)}`);
      for (const spy of decided) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of decided) spy.mockRestore();
    }
  });

  test('classes given: the fix names fewer classes', () => {
    expect(thrown(() => Connectivity.diff(base, head, { classes, maxPairs: 1 })).fix).toBe(`raise the limit (maxPairs: ${diffPairs}), or pass fewer classes`);
  });

  test('at the limit: the whole diff, the same as without the option; unchanged sides judge no pair', () => {
    expect(Connectivity.diff(base, head, { maxPairs: diffPairs })).toEqual(Connectivity.diff(base, head));
    expect(Connectivity.diff(base, base, { maxPairs: 1 })).toEqual(Connectivity.diff(base, base));
    expect(Connectivity.DEFAULT_MAX_DIFF_PAIRS).toBe(1_000_000);
  });

  test.each([[0], [-1], [Number.NaN], [1.5], [Number.POSITIVE_INFINITY], ['10'], [null]])('maxPairs %j is refused (option-value)', (value) => {
    const e = thrown(() => Connectivity.diff(base, head, { maxPairs: value } as unknown as DiffOptions));
    expect(e.id).toBe('option-value');
    expect(e.message).toMatch(/^Connectivity\.diff\(\): maxPairs is .*, not a whole number of 1 or more/);
    expect(e.fix).toBe('give the most pairs of endpoint classes to judge, e.g. maxPairs: 1000000 (leave it out for no limit)');
  });
});

describe('diff --max-pairs', () => {
  const classes = Connectivity.endpointClasses([base, head]);
  const diffPairs = webClients(classes).length;

  test('over the limit: exit 2, one line on stderr, nothing on stdout, whatever the output and --fail-on', async () => {
    for (const output of ['text', 'json', 'markdown', 'html']) {
      const r = await cli('diff', '--base', baseFile, '--head', headFile, '--max-pairs', String(diffPairs - 1), '--output', output, '--fail-on', 'any');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`error: ${diffRefusal(diffPairs, classes.length, diffPairs - 1)} (diff-too-large); fix: ${diffFix(diffPairs)}\n`);
    }
  });

  test('at the limit, and by default: the same output as without a limit', async () => {
    const plain = await cli('diff', '--base', baseFile, '--head', headFile, '--output', 'json');
    expect(plain.code).toBe(0);
    expect(await cli('diff', '--base', baseFile, '--head', headFile, '--output', 'json', '--max-pairs', String(diffPairs))).toEqual(plain);
  });

  test.each([['0'], ['-1'], ['NaN'], ['1.5'], ['abc'], ['x']])('--max-pairs %j: exit 2 (cli-flag), nothing on stdout', async (value) => {
    const r = await cli('diff', '--base', baseFile, '--head', headFile, '--max-pairs', value);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: --max-pairs ${value} is not a positive number (cli-flag); fix: give --max-pairs a number, e.g. 1000000\n`);
  });
});

// The pairs counted are the ones the diff judges: per class and side, the peers for which a side decides differently
// on some port (the side tables' changed peers), not every peer of a class whose rules change.
describe('diff maxPairs counts the pairs judged, not the pairs whose rules change', () => {
  const ALL_PODS = '[{ matchExpressions: [{ key: k8s:io.kubernetes.pod.namespace, operator: Exists }] }]';
  /** `n` apps, each with its own policy (ingress from the next app on 8080), and what `egress` gives app `i`. */
  const apps = (n: number, egress: (i: number) => string): string => Array.from({ length: n }, (_, i) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p${i}, namespace: ns${i % 3} }
spec:
  endpointSelector: { matchLabels: { app: a${i} } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: a${(i + 1) % n} } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
  egress:
  - toEndpoints: ${ALL_PODS}
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
${egress(i)}`).join('---\n');
  /** A cluster-wide DNS egress policy on every pod (`endpointSelector: {}`), on these protocols of port 53. */
  const dns = (protocols: readonly string[]): string => `---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: dns }
spec:
  endpointSelector: {}
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
    toPorts: [{ ports: [${protocols.map((p) => `{ port: "53", protocol: ${p} }`).join(', ')}] }]
`;
  const pods = (classes: readonly ClassifiedEndpoint[]): ClassifiedEndpoint[] =>
    classes.filter((c) => c.cls.kind === EndpointClassKind.POD || c.cls.kind === EndpointClassKind.OTHER_POD);

  test('a select-all CCNP given 53/TCP: every pod to kube-dns, not every pair of classes (the old count refused it)', () => {
    const base = PolicySet.fromYaml(apps(30, () => '') + dns(['UDP']));
    const head = PolicySet.fromYaml(apps(30, () => '') + dns(['UDP', 'TCP']));
    const classes = Connectivity.endpointClasses([base, head]);
    // Every class's egress rules change: the pairs whose rules change are every pair from a pod.
    expect(classes.length).toBeGreaterThan(60);
    const judged = pods(classes).length;
    const e = thrown(() => Connectivity.diff(base, head, { maxPairs: judged - 1 }));
    expect(e.message).toBe(`${diffRefusal(judged, classes.length, judged - 1)} (diff-too-large)\n  fix: ${diffFix(judged)}`);
    const doc = Connectivity.diff(base, head, { maxPairs: judged });
    expect(doc).toEqual(Connectivity.diff(base, head));
    expect(new Set(doc.changes.map((c) => c.to))).toEqual(new Set(['kube-system/k8s-app=kube-dns']));
    expect(doc.changes.length).toBe(judged);
  });

  test('a new egress rule with HTTP on a port of its own per app: every app to every pod, refused past the limit', () => {
    const n = 20;
    const base = PolicySet.fromYaml(apps(n, () => ''));
    const own = (i: number): string => `  - toEndpoints: ${ALL_PODS}\n    toPorts: [{ ports: [{ port: "${10000 + i}", protocol: TCP }], `
      + 'rules: { http: [{ method: GET }] } }]\n';
    const head = PolicySet.fromYaml(apps(n, own));
    const classes = Connectivity.endpointClasses([base, head]);
    // The clients are the apps (their egress decides differently on their port), the servers every pod, not world or host.
    const judged = n * pods(classes).length;
    expect(judged).toBeLessThan(n * classes.length);
    const e = thrown(() => Connectivity.diff(base, head, { maxPairs: judged - 1 }));
    expect(e.message).toBe(`${diffRefusal(judged, classes.length, judged - 1)} (diff-too-large)\n  fix: ${diffFix(judged)}`);
    expect(Connectivity.diff(base, head, { maxPairs: judged })).toEqual(Connectivity.diff(base, head));
  });

  test('far past the limit: the count stops there (a lower bound), before the pairs of both sides are merged', () => {
    const n = 20;
    const base = PolicySet.fromYaml(apps(n, () => ''));
    const own = (i: number): string => `  - toEndpoints: ${ALL_PODS}\n    toPorts: [{ ports: [{ port: "${10000 + i}", protocol: TCP }] }]\n`;
    const head = PolicySet.fromYaml(apps(n, own));
    const classes = Connectivity.endpointClasses([base, head]);
    const judged = n * pods(classes).length;
    // The union of the sides' pairs (its table of servers per client is as large as the pairs) is never built.
    const merged = vi.spyOn(SideTables.prototype as unknown as { clientsOfIngress: () => unknown }, 'clientsOfIngress');
    try {
      const e = thrown(() => Connectivity.diff(base, head, { maxPairs: 10 }));
      expect(merged).not.toHaveBeenCalled();
      const counted = /would judge at least (\d+) pairs/.exec(e.message);
      expect(counted).not.toBeNull();
      const lower = Number(counted![1]);
      expect(lower).toBeGreaterThan(20);
      expect(lower).toBeLessThan(judged);
      expect(e.message).toBe(`the diff would judge at least ${lower} pairs of ${classes.length} endpoint classes (the pairs whose client's egress or `
        + 'server\'s ingress may decide differently), over the limit of 10 pairs (its time and size grow with the square of the classes); nothing '
        + 'is reported (counting stopped past the limit) (diff-too-large)\n'
        + `  fix: raise the limit (--max-pairs ${lower} or more, or maxPairs), or narrow the input: a smaller change (one that decides differently `
        + 'for fewer pairs of classes), or an --inventory (or --flows capture) with fewer workloads');
      // Within twice the limit the count is exact: the refusal names the limit that lets the diff through.
      expect(thrown(() => Connectivity.diff(base, head, { maxPairs: judged - 1 })).fix).toBe(diffFix(judged));
      expect(Connectivity.diff(base, head, { maxPairs: judged }).changes.length).toBeGreaterThan(0);
    } finally {
      merged.mockRestore();
    }
  });
});
