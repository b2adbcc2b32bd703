import { App, Chart, Testing } from 'cdk8s';
import { expect } from 'vitest';
import { CiliumVersion } from '../../src';

/** A chart in a fresh app, optionally with a namespace and a target Cilium version. */
export function chart(namespace?: string, version?: CiliumVersion): Chart {
  const app = Testing.app();
  if (version) CiliumVersion.use(app, version);
  return new Chart(app, 'test', namespace ? { namespace } : {});
}

/** Synthesizes a chart, checks every object against the real CRD of its target Cilium version, and returns the manifests. */

export function synth(c: Chart): any[] {
  const manifests = Testing.synth(c);
  expect(c).toBeValidCilium();
  return manifests;
}

/** The Cilium policies among the manifests, by `metadata.name`. */

export function byName(manifests: any[]): Record<string, any> {
  return Object.fromEntries(manifests.filter((m) => String(m.apiVersion).startsWith('cilium.io/')).map((m) => [m.metadata.name, m]));
}

/** Whether an app's synthesis fails with a message matching `pattern`. */
export function synthError(c: Chart | App): string {
  try {
    if (c instanceof Chart) Testing.synth(c);
    else c.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

/** The synthesis error of a chart, or `undefined` when it synthesizes. */
export function synthFailure(c: Chart): string | undefined {
  try {
    Testing.synth(c);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Runs `run`, expects the SDK to refuse with a CiliumPolicyError that carries a fix, and returns its id and message. */
export function refusal(run: () => unknown): { id: string; message: string } {
  try {
    run();
  } catch (e) {
    const err = e as Error & { id?: string };
    expect(err.name).toBe('CiliumPolicyError');
    expect(err.message).toContain('fix:');
    return { id: String(err.id), message: err.message };
  }
  throw new Error('expected the SDK to refuse');
}
