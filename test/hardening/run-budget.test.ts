// The YAML values of one run, counted across all its inputs (`model/yaml-value-budget.ts`): files each under the per-input
// limit, together over the run's limit, stop the run (exit 2, nothing on stdout). Session 47: nothing bounded the sum;
// three files of 990,000 values each took `validate` 204 s and 1.68 GB, and a pull request adding N such files N times it.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { Composer } from 'yaml';
import { App, Chart } from 'cdk8s';
import { PolicySet, Validator } from '../../src';
import { nestingDepthError } from '../../src/model/nesting-depth';
import { DEFAULT_MAX_RUN_YAML_VALUES, YamlValueBudget, withYamlValueBudget } from '../../src/model/yaml-value-budget';
import { readInventory } from '../../src/cli/inventory';
import { EndpointInventory } from '../../src/engine/inventory';
import { cli, cliAsync } from '../support/cli';
import { GUARD, report, replay, scratchDir, trace, validate, write, flowLine } from './support';

const dir = scratchDir();
const repo = scratchDir();
mkdirSync(join(dir, 'base'));
mkdirSync(join(dir, 'head'));

/** `n` CiliumNetworkPolicies (`<prefix>-0` …) in namespace shop: web → api on 80/TCP. */
function policies(prefix: string, n: number, port = 80): string {
  return Array.from({ length: n }, (_, i) => [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    `  name: ${prefix}-${i}`,
    '  namespace: shop',
    'spec:',
    '  endpointSelector:',
    '    matchLabels:',
    '      app: api',
    '  ingress:',
    '  - fromEndpoints:',
    '    - matchLabels:',
    '        app: web',
    '    toPorts:',
    '    - ports:',
    `      - port: "${port}"`,
    '        protocol: TCP',
    '',
  ].join('\n')).join('---\n');
}

/** The values of a text, as the reader counts them. */
function values(text: string): number {
  const counted = { values: 0 };
  expect(nestingDepthError(text, 100, Infinity, counted)).toBeUndefined();
  return counted.values;
}

const TEXT = policies('p', 10);
const PER_FILE = values(TEXT);
const FILES = ['a', 'b', 'c'].map((f) => write(dir, `${f}.yaml`, TEXT.replace(/name: p-/g, `name: ${f}-`)));
const FROM_TO = ['--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP'];

/** The error of the third file, the budget `2 * PER_FILE + 1` (the first two read). */
function refusal(file: string, limit: number): string {
  return `error: ${file}: the inputs of this run hold more than ${limit.toLocaleString('en-US')} YAML values: ${(2 * PER_FILE).toLocaleString('en-US')} in the `
    + `inputs read before this one, ${PER_FILE} in it; nothing is judged (input-values-budget); fix: give fewer or smaller inputs (10,000 policies are `
    + `about 300,000 values), or raise the limit (--max-yaml-values ${3 * PER_FILE} or more)\n`;
}

describe('a run of files each under the per-input limit, together over the run\'s', () => {
  test('the files of the test: 179 values each (17.9 per policy of this shape)', () => {
    expect(PER_FILE).toBe(179);
  });

  test('validate: exit 2 at the file that passes the limit, nothing on stdout; at exactly the total, it passes', GUARD, async () => {
    const names = ['a.yaml', 'b.yaml', 'c.yaml'];
    const over = await validate([...names, '--max-yaml-values', String(3 * PER_FILE - 1)], undefined, dir);
    expect([over.code, over.stdout, over.stderr]).toEqual([2, '', refusal('c.yaml', 3 * PER_FILE - 1)]);
    const exact = await validate([...names, '--max-yaml-values', String(3 * PER_FILE)], undefined, dir);
    expect([exact.code, exact.stderr]).toEqual([0, '']);
    expect(exact.stdout).toContain('0 errors, 0 warnings in 3 files (30 policies, 30 documents');
  });

  test('trace: exit 2 naming the file (not ALLOWED from the files read before it); at the total, ALLOWED', GUARD, () => {
    const over = trace('--policies', ...FILES, ...FROM_TO, '--max-yaml-values', String(2 * PER_FILE + 1));
    expect([over.code, over.stdout, over.stderr]).toEqual([2, '', refusal(FILES[2], 2 * PER_FILE + 1)]);
    const exact = cli('trace', '--policies', ...FILES, ...FROM_TO, '--max-yaml-values', String(3 * PER_FILE));
    expect(exact.code).toBe(0);
    expect(exact.stdout).toMatch(/^ALLOWED /);
  });

  test('diff: the --head and --base inputs count together (each side alone is under the limit; --head is read first)', GUARD, async () => {
    const base = write(dir, 'base/p.yaml', policies('base', 10));
    const head = write(dir, 'head/p.yaml', policies('head', 10, 8080));
    const limit = 2 * PER_FILE - 1;
    const over = await cliAsync('diff', '--base', join(dir, 'base'), '--head', join(dir, 'head'), '--max-yaml-values', String(limit));
    expect([over.code, over.stdout]).toEqual([2, '']);
    expect(over.stderr).toBe(`error: ${base}: the inputs of this run hold more than ${limit} YAML values: ${PER_FILE} in the inputs read before this one, `
      + `${PER_FILE} in it; nothing is judged (input-values-budget); fix: give fewer or smaller inputs (10,000 policies are about 300,000 values), `
      + `or raise the limit (--max-yaml-values ${2 * PER_FILE} or more)\n`);
    const exact = await cliAsync('diff', '--base', join(dir, 'base'), '--head', join(dir, 'head'), '--max-yaml-values', String(2 * PER_FILE), '--output', 'json');
    expect([exact.code, exact.stderr]).toEqual([0, '']);
    expect(JSON.parse(exact.stdout).changes.length).toBeGreaterThan(0);
    // --head is read first: under a limit below one side, it is the one refused, with nothing read before it.
    const first = await cliAsync('diff', '--base', join(dir, 'base'), '--head', join(dir, 'head'), '--max-yaml-values', String(PER_FILE - 1));
    expect([first.code, first.stdout]).toEqual([2, '']);
    const want = `error: ${head}: the inputs of this run hold more than ${PER_FILE - 1} YAML values: 0 in the inputs read before this one, ${PER_FILE} in it;`;
    expect(first.stderr.slice(0, want.length)).toBe(want);
  });

  test('replay and report: the same refusal', GUARD, async () => {
    const flows = write(dir, 'flows.jsonl', `${flowLine()}\n`);
    const limit = 2 * PER_FILE + 1;
    const r = await replay('--flows', flows, '--policies', ...FILES, '--max-yaml-values', String(limit));
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', refusal(FILES[2], limit)]);
    const rep = await report('--policies', ...FILES, '--max-yaml-values', String(limit));
    expect([rep.code, rep.stdout, rep.stderr]).toEqual([2, '', refusal(FILES[2], limit)]);
  });

  describe('--inventory counts to the run too', () => {
    /** A List of `n` Pods in namespace shop, as `kubectl get pods -A -o json` writes it (JSON) or as YAML. */
    const pods = (n: number): unknown => ({
      apiVersion: 'v1',
      kind: 'List',
      items: Array.from({ length: n }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${i}`, namespace: 'shop', labels: { app: 'web' } } })),
    });
    const json = JSON.stringify(pods(200), undefined, 2);
    const inventory = write(dir, 'inv.json', json);
    const INVENTORY = values(json);

    test('report: a JSON --inventory (read first) counts: the policies past the limit are refused (exit 2); at the total, the report is written', GUARD, async () => {
      const limit = PER_FILE + INVENTORY - 1;
      const over = await report('--policies', FILES[0], '--inventory', inventory, '--max-yaml-values', String(limit));
      expect([over.code, over.stdout]).toEqual([2, '']);
      expect(over.stderr).toBe(`error: ${FILES[0]}: the inputs of this run hold more than ${limit.toLocaleString('en-US')} YAML values: `
        + `${INVENTORY.toLocaleString('en-US')} in the inputs read before this one, ${PER_FILE} in it; nothing is judged (input-values-budget); fix: give fewer `
        + `or smaller inputs (10,000 policies are about 300,000 values), or raise the limit (--max-yaml-values ${PER_FILE + INVENTORY} or more)\n`);
      // An inventory alone past the limit is refused by its name.
      const alone = await report('--policies', FILES[0], '--inventory', inventory, '--max-yaml-values', String(INVENTORY - 1));
      expect([alone.code, alone.stdout]).toEqual([2, '']);
      expect(alone.stderr).toMatch(new RegExp(`^error: ${inventory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the inputs of this run hold more than`));
      const exact = await report('--policies', FILES[0], '--inventory', inventory, '--max-yaml-values', String(PER_FILE + INVENTORY));
      expect([exact.code, exact.stderr]).toEqual([0, '']);
    });

    test('a YAML --inventory is parsed once, and charged once: its values', () => {
      // YAML (a comment first, so not read as JSON) of 20 Pods.
      const text = `# pods\n${JSON.stringify(pods(20))}\n`;
      const yaml = write(dir, 'inv.yaml', text);
      const compose = vi.spyOn(Composer.prototype, 'compose');
      try {
        const budget = new YamlValueBudget(DEFAULT_MAX_RUN_YAML_VALUES, '--max-yaml-values');
        const into = new EndpointInventory();
        withYamlValueBudget(budget, () => readInventory(yaml, into));
        expect(compose).toHaveBeenCalledTimes(1);
        expect(budget.total).toBe(values(text));
        expect(into.workloads).toHaveLength(20);
      } finally {
        compose.mockRestore();
      }
    });

    // Session 57: the text checked is the text the reader read (one read of each file), so a file rewritten while it is
    // parsed is read as it was read (before: refused, `changed while it was read`, as the check read the file again).
    test('a YAML --inventory rewritten while it is parsed is read as the reader read it: its objects, checked', () => {
      const yaml = write(dir, 'inv-changing.yaml', `# pods\n${JSON.stringify(pods(2))}\n`);
      const original = Composer.prototype.compose;
      const compose = vi.spyOn(Composer.prototype, 'compose').mockImplementation(function (this: Composer, ...args: Parameters<Composer['compose']>) {
        writeFileSync(yaml, `# pods\n${JSON.stringify(pods(3))}\n`);
        return original.apply(this, args);
      });
      try {
        const into = new EndpointInventory();
        readInventory(yaml, into);
        expect(into.workloads).toHaveLength(2);
      } finally {
        compose.mockRestore();
      }
    });

    // Session 57: a directory was walked three times (to check the path, by the reader, then again to check each file's
    // objects, each file read again): a file removed between the walks was read and checked by the reader, and its
    // objects left out of the inventory in silence. Walked once now, each file read once.
    test('a --inventory directory is walked once: a file removed while another is parsed keeps its objects', () => {
      const folder = join(dir, 'inv-folder');
      mkdirSync(folder);
      const first = write(folder, 'a.yaml', `# pods\n${JSON.stringify(pods(2))}\n`);
      write(folder, 'b.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: other, labels: {app: db}}\n');
      const original = Composer.prototype.compose;
      let calls = 0;
      const compose = vi.spyOn(Composer.prototype, 'compose').mockImplementation(function (this: Composer, ...args: Parameters<Composer['compose']>) {
        // a.yaml, read, is removed while it is parsed.
        if (calls++ === 0) rmSync(first);
        return original.apply(this, args);
      });
      try {
        const into = new EndpointInventory();
        readInventory(folder, into);
        expect(into.workloads.map((w) => w.namespace).sort()).toEqual(['other', 'shop', 'shop']);
        expect(compose).toHaveBeenCalledTimes(2);
      } finally {
        compose.mockRestore();
      }
    });

    test('diff: a JSON --inventory counts beside --head and --base', GUARD, async () => {
      mkdirSync(join(dir, 'inv-base'));
      write(dir, 'inv-base/p.yaml', TEXT);
      const total = 2 * PER_FILE + INVENTORY;
      const args = ['diff', '--base', join(dir, 'inv-base'), '--head', FILES[0], '--inventory', inventory, '--output', 'json', '--max-yaml-values'];
      const over = await cliAsync(...args, String(total - 1));
      expect([over.code, over.stdout]).toEqual([2, '']);
      expect(over.stderr).toMatch(/^error: .*: the inputs of this run hold more than [\d,]+ YAML values: .*\(input-values-budget\)/);
      expect(over.stderr).toContain(`(--max-yaml-values ${total} or more)`);
      const exact = await cliAsync(...args, String(total));
      expect([exact.code, exact.stderr]).toEqual([0, '']);
    });
  });

  test('validate --crd: the CRD files count to the run, before they are parsed, in every run (also from the cache)', GUARD, async () => {
    // Session 48: a --crd file was held to the per-file limit only; its values were charged to no run.
    const crd = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: ciliumnetworkpolicies.cilium.io',
      'spec:',
      '  group: cilium.io',
      '  names:',
      '    kind: CiliumNetworkPolicy',
      '  versions:',
      '  - name: v2',
      '    storage: true',
      '    schema:',
      '      openAPIV3Schema:',
      '        type: object',
      '        x-kubernetes-preserve-unknown-fields: true',
      '',
    ].join('\n');
    const crdFile = write(dir, 'crd.yaml', crd);
    const CRD = values(crd);
    expect(CRD).toBe(15);
    const args = ['a.yaml', '--crd', 'crd.yaml', '--max-yaml-values'];
    // Twice: the second run finds the file compiled in the process-wide cache, and is charged all the same. The CRD files
    // are read first: over the limit with the policies, the policy file is refused after them; under the CRD alone, the CRD.
    for (let i = 0; i < 2; i++) {
      const over = await validate([...args, String(PER_FILE + CRD - 1)], undefined, dir);
      expect([over.code, over.stdout]).toEqual([2, '']);
      expect(over.stderr).toBe(`error: a.yaml: the inputs of this run hold more than ${PER_FILE + CRD - 1} YAML values: ${CRD} in the inputs read before `
        + `this one, ${PER_FILE} in it; nothing is judged (input-values-budget); fix: give fewer or smaller inputs (10,000 policies are about 300,000 values), `
        + `or raise the limit (--max-yaml-values ${PER_FILE + CRD} or more)\n`);
      const alone = await validate([...args, String(CRD - 1)], undefined, dir);
      expect([alone.code, alone.stdout]).toEqual([2, '']);
      expect(alone.stderr).toBe(`error: ${crdFile}: the inputs of this run hold more than ${CRD - 1} YAML values: 0 in the inputs read before `
        + `this one, ${CRD} in it; nothing is judged (input-values-budget); fix: give fewer or smaller inputs (10,000 policies are about 300,000 values), `
        + `or raise the limit (--max-yaml-values ${CRD} or more)\n`);
    }
    const exact = await validate([...args, String(PER_FILE + CRD)], undefined, dir);
    expect([exact.code, exact.stderr]).toEqual([0, '']);
    expect(exact.stdout).toContain('0 errors, 0 warnings in 1 file');
  });

  test('--max-yaml-values must be a whole number of 1 or more (exit 2)', () => {
    for (const bad of ['0', '-1', '1e6', 'lots']) {
      const r = cli('trace', '--policies', FILES[0], ...FROM_TO, '--max-yaml-values', bad);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `error: --max-yaml-values ${bad} is not a number of YAML values of 1 or more (cli-max-yaml-values); `
        + 'fix: give --max-yaml-values a number, e.g. 2000000\n']);
    }
  });
});

describe('the library: one call is one run', () => {
  test('PolicySet.fromFiles and fromTexts refuse past maxYamlValues; each call counts its own inputs', () => {
    expect(() => PolicySet.fromFiles(FILES, { maxYamlValues: 2 * PER_FILE })).toThrow(
      `${FILES[2]}: the inputs of this run hold more than ${2 * PER_FILE} YAML values`);
    expect(() => PolicySet.fromFiles(FILES, { maxYamlValues: 2 * PER_FILE })).toThrow(expect.objectContaining({ id: 'input-values-budget' }));
    expect(() => PolicySet.fromTexts(FILES.map((file) => ({ file, text: TEXT })), { maxYamlValues: 3 * PER_FILE - 1 })).toThrow(
      'raise the limit (maxYamlValues of PolicySet.fromTexts() 537 or more)');
    // Two calls of 2 files each under a limit of 2 files: each call is a run of its own.
    for (let i = 0; i < 2; i++) expect(PolicySet.fromFiles(FILES.slice(0, 2), { maxYamlValues: 2 * PER_FILE }).policies).toHaveLength(20);
  });

  test('Validator.validatePaths and validateInputs: the files of one call count together (maxYamlValues, default 1,000,000)', () => {
    expect(() => Validator.validatePaths(FILES.slice(0, 2), { maxYamlValues: 2 * PER_FILE - 1 })).toThrow(expect.objectContaining({
      id: 'input-values-budget',
      message: expect.stringContaining(`the inputs of this run hold more than ${2 * PER_FILE - 1} YAML values: ${PER_FILE} in the inputs read before this one`),
      fix: expect.stringContaining(`(maxYamlValues of Validator.validatePaths() ${2 * PER_FILE} or more)`),
    }));
    expect(() => Validator.validateInputs(FILES.slice(0, 2).map((path) => ({ name: path, path })), { maxYamlValues: 2 * PER_FILE - 1 }))
      .toThrow(expect.objectContaining({ id: 'input-values-budget' }));
    expect(Validator.validatePaths(FILES.slice(0, 2), { maxYamlValues: 2 * PER_FILE }).summary.errors).toBe(0);
    expect(() => Validator.validatePaths(FILES.slice(0, 2), { maxYamlValues: 0 })).toThrow(expect.objectContaining({ id: 'option-value' }));
  });

  test('maxYamlValues must be a whole number of 1 or more', () => {
    for (const bad of [0, 1.5, -1, Number.NaN]) {
      expect(() => PolicySet.fromYaml(TEXT, { maxYamlValues: bad })).toThrow(expect.objectContaining({ id: 'option-value' }));
      // Also where no YAML is read (the option unused): checked as every factory checks it.
      expect(() => PolicySet.fromDocuments([], { maxYamlValues: bad })).toThrow(expect.objectContaining({
        id: 'option-value', message: expect.stringContaining('PolicySet.fromDocuments()'),
      }));
      expect(() => PolicySet.fromConstruct(new Chart(new App(), 'c'), { maxYamlValues: bad })).toThrow(expect.objectContaining({
        id: 'option-value', message: expect.stringContaining('PolicySet.fromConstruct()'),
      }));
    }
    expect(PolicySet.fromDocuments([], { maxYamlValues: 1 }).policies).toHaveLength(0);
  });

  test('a realistic repository under the default: 3,000 policies in 300 files (about 54,000 values) is read whole', GUARD, () => {
    for (let i = 0; i < 300; i++) {
      mkdirSync(join(repo, `team-${i}`));
      write(repo, `team-${i}/policies.yaml`, policies(`t${i}`, 10));
    }
    expect(300 * PER_FILE).toBeLessThan(DEFAULT_MAX_RUN_YAML_VALUES / 10);
    expect(PolicySet.fromFiles([repo]).policies).toHaveLength(3_000);
  });
});
