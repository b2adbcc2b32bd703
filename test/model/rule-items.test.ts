import { describe, expect, test } from 'vitest';
import { RuleItemModel } from '../../src/model/policy-model';
import { RuleItemMerger } from '../../src/model/rule-items';

// The contract of how the items of one section are merged (src/model/rule-items.ts), which decides the rendered YAML of
// the constructs and of `draft`: items are ORed, so a merge never changes a verdict, only the number of items written.
describe('RuleItemMerger', () => {
  const ports = [{ ports: [{ port: '443', protocol: 'TCP' }] }];
  const web: RuleItemModel = { endpoints: [{ matchLabels: { app: 'web' } }], toPorts: ports };
  const api: RuleItemModel = { endpoints: [{ matchLabels: { app: 'api' } }], toPorts: ports };

  test('peers of the same field on the same ports become one item with both peers', () => {
    const merger = new RuleItemMerger();
    merger.add(web);
    merger.add(api);
    expect(merger.items).toEqual([{ endpoints: [{ matchLabels: { app: 'web' } }, { matchLabels: { app: 'api' } }], toPorts: ports }]);
  });

  test('requirements are never merged: each requires item stays as written', () => {
    const a: RuleItemModel = { requires: [{ matchLabels: { env: 'prod' } }] };
    const b: RuleItemModel = { requires: [{ matchLabels: { team: 'shop' } }] };
    const merger = new RuleItemMerger();
    merger.add(a);
    merger.add(b);
    expect(merger.items).toEqual([a, b]);
  });

  test('peers merged into one item in place: each once, in order, and the items given are left as they were', () => {
    // The merged list grows in place (a copy of the whole list per merge was quadratic): it is the merger's own copy.
    const first: RuleItemModel = { fqdns: [{ matchName: 'a.example.com' }, { matchName: 'a.example.com' }], toPorts: ports };
    const merger = new RuleItemMerger();
    for (const name of ['a', 'b', 'a', 'c', 'b']) merger.add(name === 'a' && merger.items.length === 0 ? first : { fqdns: [{ matchName: `${name}.example.com` }], toPorts: ports });
    expect(merger.items).toEqual([{ fqdns: ['a', 'b', 'c'].map((n) => ({ matchName: `${n}.example.com` })), toPorts: ports }]);
    expect(first.fqdns).toEqual([{ matchName: 'a.example.com' }, { matchName: 'a.example.com' }]);
  });
});
