import { describe, expect, test } from 'vitest';
import { clonePlain } from '../../src/model/clone-plain';

describe('clonePlain', () => {
  const sample = {
    field: 'endpoints',
    item: { endpoints: [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }] },
    namespaceImplicit: undefined,
    defaultPorts: [{ port: '80', protocol: 'TCP' }],
    count: 0,
    flag: false,
    nothing: null,
  };

  test('copies plain data as structuredClone does: same keys in the same order, undefined values kept', () => {
    const copy = clonePlain(sample);
    expect(copy).toStrictEqual(structuredClone(sample));
    expect(Object.keys(copy)).toEqual(Object.keys(sample));
    expect('namespaceImplicit' in copy).toBe(true);
  });

  test('shares nothing with the original', () => {
    const copy = clonePlain(sample);
    copy.item.endpoints[0].matchLabels.app = 'changed';
    copy.item.endpoints[0].matchExpressions[0].values.push('c');
    copy.defaultPorts.pop();
    expect(sample.item.endpoints[0].matchLabels.app).toBe('web');
    expect(sample.item.endpoints[0].matchExpressions[0].values).toEqual(['a', 'b']);
    expect(sample.defaultPorts).toHaveLength(1);
  });

  test('a key named __proto__ stays data', () => {
    const labels = JSON.parse('{"__proto__": "x", "app": "web"}') as Record<string, string>;
    const copy = clonePlain(labels);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'app']);
    expect(copy['__proto__']).toBe('x');
  });

  test('primitives are returned as they are', () => {
    expect(clonePlain('a')).toBe('a');
    expect(clonePlain(3)).toBe(3);
    expect(clonePlain(undefined)).toBeUndefined();
    expect(clonePlain(null)).toBeNull();
  });
});
