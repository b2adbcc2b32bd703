import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { buildPlatform } from '../main';

const CHARTS = ['blog', 'webapp', 'argocd', 'payments', 'shop', 'cde', 'monitoring', 'baseline', 'hostfw'];

describe('reference platform (main.ts)', () => {
  const app = Testing.app();
  buildPlatform(app);

  test('has exactly the nine charts', () => {
    expect(app.charts.map((c) => c.node.id)).toEqual(CHARTS);
  });

  for (const id of CHARTS) {
    test(`${id}: golden YAML, byte-identical to dist/${id}.k8s.yaml, valid against the CRD`, async () => {
      const chart = app.charts.find((c) => c.node.id === id)!;
      const yaml = Yaml.stringify(...Testing.synth(chart));
      await expect(yaml).toMatchFileSnapshot(`./__snapshots__/platform/${id}.k8s.yaml`);
      expect(readFileSync(join(__dirname, '..', 'dist', `${id}.k8s.yaml`), 'utf8')).toBe(yaml);
      expect(chart).toBeValidCilium();
    });
  }
});
