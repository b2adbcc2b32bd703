import { test } from 'vitest';
import { Peer, LabelExpression, IEndpointSelector } from '../src';
const own = (matchExpressions: unknown[], matchLabels: Record<string, string> = { app: 'db' }): IEndpointSelector =>
  ({ toEndpointSelector: () => ({ matchLabels, matchExpressions }) } as IEndpointSelector);
function tryIt(name: string, f: () => unknown) { try { f(); console.log(name, 'OK'); } catch (e) { console.log(name, (e as Error).message.slice(0, 900).replace(/\n/g, " ")); } }
test('probe', () => {
  tryIt('in-empty', () => Peer.selectedBy(own([{ key: 'app', operator: 'In', values: [] }, { key: 'app', operator: 'Exists' }], {}), 'o'));
  tryIt('bogus-op', () => Peer.selectedBy(own([{ key: 'app', operator: 'Foo', values: [] }, { key: 'app', operator: 'Exists' }], {}), 'o'));
  tryIt('3req', () => Peer.endpoints({ namespace: 'o', labels: { app: 'db' }, expressions: [LabelExpression.notIn('app', ['db']), LabelExpression.exists('app')] }));
  tryIt('3req-b', () => Peer.endpoints({ namespace: 'o', labels: { app: 'db' }, expressions: [LabelExpression.exists('app'), LabelExpression.notIn('app', ['db'])] }));
  tryIt('3req-c', () => Peer.endpoints({ namespace: 'o', expressions: [LabelExpression.in('app', ['db']), LabelExpression.notIn('app', ['db']), LabelExpression.exists('app')] }));
});
