// What a value given where a peer goes is (constructs/peer-config.ts `peerValueKind`): `null` and `undefined` are no peer
// ("null is not a peer"), not a peer whose toPeerConfig cannot be read, which names a revoked proxy or a throwing getter.
// Session 59 (mutant peer-config.ts:764 `value === null || typeof value !== 'object'` → `false`: reading `toPeerConfig` of
// null threw and null was called a value "whose toPeerConfig cannot be read").
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, EndpointSelector, HostFirewall, IPeer, Peer, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

describe('null and undefined where a peer goes: no peer, refused as such', () => {
  test.each([['null', null], ['undefined', undefined]])('%s', (shown, value) => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    const call = refusal(() => p.allowIngress(value as unknown as IPeer, { ports: [Port.tcp(80)] }));
    const fw = refusal(() => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.50.0.0/24'], kubeletClients: [value as unknown as Peer] }));
    for (const [r, at] of [[call, 'test/p'], [fw, 'test/h']] as const) {
      expect(r.id).toBe('peer-unknown');
      expect(r.message).toContain(`[${at}] ${shown} is not a peer`);
      expect(r.message).toContain('pass a Peer (Peer.endpoints()');
      expect(r.message).not.toContain('cannot be read');
    }
    // The policy is left as it was: the next peer given is admitted, and only it.
    p.allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)] });
    expect(['pod:shop:app=b', 'pod:shop:app=c'].map((from) => verdictOf(c, from, 'pod:shop:app=a', '80/TCP'))).toEqual(['allowed', 'denied']);
  });
});
