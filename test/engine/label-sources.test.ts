// Label sources in selector keys as the agent parses them (pkg/labels parseSource, GetExtendedKeyFrom): `source:key`,
// no source = any, `reserved.key` (legacy), and `$key`, the short form of `reserved:key`.
import { describe, expect, test } from 'vitest';
import { splitLabelKey } from '../../src/model/labels';
import { labelKeyName, labelKeySource, selectorHasReservedKey } from '../../src/model/selectors';
import { cnp, judged, policySet } from './helpers';

describe('$key is reserved:key', () => {
  test('splitLabelKey and the selector helpers read it so', () => {
    expect(splitLabelKey('$host')).toEqual({ source: 'reserved', key: 'host' });
    expect([labelKeySource('$world'), labelKeyName('$world')]).toEqual(['reserved', 'world']);
    expect(selectorHasReservedKey({ matchLabels: { $host: '' } })).toBe(true);
  });

  test('toEndpoints $host selects the host (no namespace is added to a selector with a reserved key)', () => {
    const set = policySet([cnp('p', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: { $host: '' } }] }] })]);
    expect(judged(set, 'pod:default:app=web', 'entity:host', '10250/TCP').allowed).toBe(true);
    expect(judged(set, 'pod:default:app=web', 'pod:default:app=api', '10250/TCP').allowed).toBe(false);
  });
});

// `:app` has an empty source: the agent's ParseSource returns "", and a selector reads it as `any` (GetExtendedKeyFrom:
// `any.app`). The engine read it as the key `:app` of no pod: DENIED where Cilium allows.
describe(':key is any:key', () => {
  test('splitLabelKey and the selector helpers read it so', () => {
    expect(splitLabelKey(':app')).toEqual({ source: 'any', key: 'app' });
    expect(splitLabelKey(':app', 'k8s')).toEqual({ source: 'k8s', key: 'app' });
    expect([labelKeySource(':app'), labelKeyName(':app')]).toEqual(['any', 'app']);
  });

  test('fromEndpoints :app selects the pods labelled app, in the policy namespace', () => {
    const set = policySet([cnp('p', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { ':app': 'api' } }] }] }, 'shop')]);
    expect(judged(set, 'pod:shop:app=api', 'pod:shop:app=web', '80/TCP').allowed).toBe(true);
    expect(judged(set, 'pod:shop:app=db', 'pod:shop:app=web', '80/TCP').allowed).toBe(false);
    expect(judged(set, 'pod:other:app=api', 'pod:shop:app=web', '80/TCP').allowed).toBe(false);
  });
});
