import { ApiObject, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { NOT_PLAIN, sanitizedPlainCopy } from '../../src/model/manifest-value';

/** What cdk8s itself writes for `spec` (its resolver and sanitizer), the oracle of `sanitizedPlainCopy`. */
function cdk8sWrites(spec: unknown, sort: boolean): unknown {
  const saved = process.env.CDK8S_DISABLE_SORT;
  try {
    if (sort) delete process.env.CDK8S_DISABLE_SORT;
    else process.env.CDK8S_DISABLE_SORT = 'true';
    const chart = Testing.chart();
    const obj = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'X', spec });
    return (obj.toJson() as { spec: unknown }).spec;
  } finally {
    if (saved === undefined) delete process.env.CDK8S_DISABLE_SORT;
    else process.env.CDK8S_DISABLE_SORT = saved;
  }
}

describe('sanitizedPlainCopy: the copy cdk8s writes for plain data', () => {
  // Keys out of order at every level, and the nulls and undefineds cdk8s drops.
  const value = {
    zeta: { b: 1, a: [{ y: true, x: null }, 'two'] },
    alpha: 'first',
    mid: { only: undefined, kept: 0 },
    gone: null,
  };

  test('sorts the keys of every object, as cdk8s does', () => {
    const copy = sanitizedPlainCopy(value, true) as Record<string, Record<string, unknown>>;
    expect(Object.keys(copy)).toEqual(['alpha', 'mid', 'zeta']);
    expect(Object.keys(copy.zeta)).toEqual(['a', 'b']);
    expect(Object.keys((copy.zeta.a as Record<string, unknown>[])[0])).toEqual(['y']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(cdk8sWrites(value, true)));
  });

  test('keeps the keys in their order when sorting is off (CDK8S_DISABLE_SORT), as cdk8s does', () => {
    const copy = sanitizedPlainCopy(value, false) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['zeta', 'alpha', 'mid']);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(cdk8sWrites(value, false)));
  });

  test('answers NOT_PLAIN for what cdk8s may resolve to something else', () => {
    expect(sanitizedPlainCopy({ a: new Date(0) }, true)).toBe(NOT_PLAIN);
    expect(sanitizedPlainCopy([1, Number.NaN], true)).toBe(NOT_PLAIN);
    expect(sanitizedPlainCopy({ f: () => 1 }, true)).toBe(NOT_PLAIN);
  });
});
