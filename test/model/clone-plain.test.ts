import { describe, expect, test } from 'vitest';
import { clonePlain, clonePlainTree } from '../../src/model/clone-plain';

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

// Session 47 review: the copy and the loop check were two walks, each reading the data, so a getter answered a tree to the
// check and a loop to the copy (which ran out of stack) or to the writer (which never ended). One walk does both now.
describe('clonePlainTree: the copy and where the data is no tree, in one walk', () => {
  test('each value is read once: a getter answering a tree first and a loop after is copied as the tree', () => {
    let reads = 0;
    const data = Object.defineProperty({}, 'selector', {
      enumerable: true,
      get: () => {
        reads++;
        if (reads === 1) return { matchLabels: { team: 'a' } };
        const s: Record<string, unknown> = {};
        s.self = s;
        return s;
      },
    });
    expect(clonePlainTree(data)).toEqual({ copy: { selector: { matchLabels: { team: 'a' } } } });
    expect(reads).toBe(1);
  });

  test('an object holding itself: the path of the loop, nothing copied', () => {
    const s: Record<string, unknown> = { matchLabels: { team: 'a' } };
    (s.matchLabels as Record<string, unknown>).back = s;
    expect(clonePlainTree({ item: { cidrSet: [{ cidrGroupSelector: s }] } }))
      .toEqual({ problem: 'refers to itself at item.cidrSet[0].cidrGroupSelector.matchLabels.back (a loop)' });
    const list: unknown[] = [];
    list.push(list);
    expect(clonePlainTree(list)).toEqual({ problem: 'refers to itself at [0] (a loop)' });
    expect(() => clonePlain(list)).toThrow('clonePlain: the data refers to itself at [0] (a loop)');
  });

  test('a getter answering a fresh object on every read: deeper than the limit, refused', () => {
    const endless = (): object => Object.defineProperty({}, 'next', { enumerable: true, get: endless });
    const tree = clonePlainTree(endless(), 5);
    expect(tree.problem).toBe('nests deeper than 5 levels at next.next.next.next.next.next');
    // Five levels below the top are taken.
    let five: unknown = 'x';
    for (let i = 0; i < 5; i++) five = { next: five };
    expect(clonePlainTree(five, 5).copy).toEqual(five);
  });

  test('an object shared by two fields is no loop, and is copied once for each: the copy stays a tree', () => {
    const labels = { app: 'b' };
    const copy = clonePlainTree({ a: labels, b: [labels] }).copy;
    expect(copy).toEqual({ a: { app: 'b' }, b: [{ app: 'b' }] });
    expect(copy?.a).not.toBe(copy?.b[0]);
  });

  test('sharing at every level is bounded by the number of values, not walked exponentially', () => {
    let shared: Record<string, unknown> = { team: 'a' };
    for (let i = 0; i < 40; i++) shared = { a: shared, b: shared };
    // 2^40 values as written: refused after the limit's worth.
    expect(clonePlainTree(shared, 100, 1000).problem).toMatch(/^holds more than 1,000 values \(at (a|b)(\.(a|b))*; an object reached by several paths counts once for each\)$/);
    // Six values (the top, a, a.b, c, c[0], c[1]): copied at a limit of six, refused at five.
    expect(clonePlainTree({ a: { b: 1 }, c: [2, 3] }, 100, 6).copy).toEqual({ a: { b: 1 }, c: [2, 3] });
    expect(clonePlainTree({ a: { b: 1 }, c: [2, 3] }, 100, 5).problem).toMatch(/^holds more than 5 values \(at c\[1\];/);
  });
});
