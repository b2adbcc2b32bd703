// A document that looks like a Cilium policy but has no kind: kubectl refuses it ("Object 'Kind' is missing"), so validate
// fails on it and the commands that judge policies refuse the input, never a verdict without the policy.
import { describe, expect, it } from 'vitest';
import { policyInputError } from '../../src/cli/trace';
import { PolicySet } from '../../src/engine';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, validate } from '../hardening/support';
import { check, errorIds } from './helpers';

const scratch = (): string => SCRATCH;
const SCRATCH = scratchDir();

const KINDLESS = 'apiVersion: cilium.io/v2\nmetadata: {name: web, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n';

describe('a Cilium policy without kind', () => {
  it('is an error of validate (it fails), at the document', () => {
    const report = check({ 'p.yaml': KINDLESS });
    expect(errorIds(report)).toEqual(['parse-missing-kind']);
    expect(report.summary.passed).toBe(false);
    const d = report.diagnostics.find((x) => x.id === 'parse-missing-kind');
    expect([d?.file, d?.line, d?.message]).toEqual(['p.yaml', 1, expect.stringContaining('kubectl refuses it')]);
  });

  it('is refused by trace, replay, diff and draft (exit 2), naming the file and line', () => {
    const e = policyInputError(PolicySet.fromTexts([{ file: 'p.yaml', text: KINDLESS }]));
    expect(e?.id).toBe('parse-missing-kind');
    expect(e?.message).toMatch(/^p\.yaml:1.*no kind/);
  });
});

// Review: a Helm values file (`helm create` writes `nodeSelector: {}` beside an `ingress:` block) or a pod spec patch is
// no policy: a warning that it is skipped, never an error that fails the gate or stops trace.
describe('a document without kind that is no policy', () => {
  const HELM_VALUES = 'replicaCount: 1\nnodeSelector: {}\ningress:\n  enabled: false\nspec: {replicas: 3}\n';

  it('is a warning of validate (it passes) and trace reads the rest', () => {
    const policy = `${KINDLESS.replace('metadata:', 'kind: CiliumNetworkPolicy\nmetadata:')}  ingress: [{fromEntities: [cluster]}]\n`;
    const report = check({ 'values.yaml': HELM_VALUES, 'p.yaml': policy });
    expect(errorIds(report)).toEqual([]);
    expect(report.diagnostics.map((d) => `${d.severity} ${d.id}`)).toContain('warning parse-missing-kind');
    expect(policyInputError(PolicySet.fromTexts([{ file: 'values.yaml', text: HELM_VALUES }]))).toBeUndefined();
  });

  it('a rule as its spec (endpointSelector or nodeSelector beside ingress/egress), or as itself, is a policy: an error', () => {
    for (const text of [
      'metadata: {name: web}\nspec:\n  nodeSelector: {}\n  ingress: [{fromEntities: [cluster]}]\n',
      'specs:\n- endpointSelector: {}\n  egressDeny: [{toEntities: [world]}]\n',
      'endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [world]}]\n',
    ]) {
      expect(errorIds(check({ 'p.yaml': text }))).toEqual(['parse-missing-kind']);
    }
  });
});

// Session 37: `foo: bar` beside real manifests passed silently ("0 errors, 0 warnings"), though kubectl refuses a document
// without kind ("Object 'Kind' is missing"): a warning at its file:line, as a `{}` or `null` document beside manifests.
describe('any other document without kind (or with an empty or non-string kind)', () => {
  it('is a warning of validate at its file:line, beside manifests and alone', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'good.yaml'), 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n'
      + '  endpointSelector: {matchLabels: {app: web}}\n  ingress: [{fromEntities: [cluster]}]\n');
    writeFileSync(join(dir, 'stray.yaml'), 'foo: bar\n---\nkind: 5\nfoo: 1\n');
    const warnings = 'stray.yaml:1:1: warning parse-missing-kind: document has no kind; it is skipped (not a Kubernetes object: kubectl refuses it)\n'
      + '    fix: if it is meant as a Kubernetes object, write apiVersion and kind (apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy for a policy); '
      + 'else leave the file out of the input\n\n'
      + "stray.yaml:3:7: warning parse-missing-kind: the document's kind is 5, not a string; it is skipped (not a Kubernetes object: kubectl refuses it)\n";
    const beside = await validate(['good.yaml', 'stray.yaml'], undefined, dir);
    expect(beside.code).toBe(0);
    expect(beside.stdout).toContain(warnings);
    expect(beside.stdout).toMatch(/\n0 errors, 2 warnings in 2 files \(1 policy, 3 documents; Cilium 1\.19\)\n$/);
    const alone = await validate(['stray.yaml', '--max-warnings', '0'], undefined, dir);
    expect(alone.code).toBe(1);
    expect(alone.stdout).toContain(warnings);
  });
});
