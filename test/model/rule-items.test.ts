import { describe, expect, test } from 'vitest';
import { RuleItemModel } from '../../src/model/policy-model';
import { mergeRuleItem } from '../../src/model/rule-items';

// The contract of how the items of one section are merged (src/model/rule-items.ts), which decides the rendered YAML of
// the constructs and of `draft`: items are ORed, so a merge never changes a verdict, only the number of items written.
describe('mergeRuleItem', () => {
  const ports = [{ ports: [{ port: '443', protocol: 'TCP' }] }];
  const web: RuleItemModel = { endpoints: [{ matchLabels: { app: 'web' } }], toPorts: ports };
  const api: RuleItemModel = { endpoints: [{ matchLabels: { app: 'api' } }], toPorts: ports };

  test('peers of the same field on the same ports become one item with both peers', () => {
    const items: RuleItemModel[] = [];
    mergeRuleItem(items, web);
    mergeRuleItem(items, api);
    expect(items).toEqual([{ endpoints: [{ matchLabels: { app: 'web' } }, { matchLabels: { app: 'api' } }], toPorts: ports }]);
  });

  test('requirements are never merged: each requires item stays as written', () => {
    const a: RuleItemModel = { requires: [{ matchLabels: { env: 'prod' } }] };
    const b: RuleItemModel = { requires: [{ matchLabels: { team: 'shop' } }] };
    const items: RuleItemModel[] = [];
    mergeRuleItem(items, a);
    mergeRuleItem(items, b);
    expect(items).toEqual([a, b]);
  });
});
