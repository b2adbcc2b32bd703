// A `Peer` of the factories is checked where the rule is given (`allowIngress(Peer.endpoints(…))`) and its check is trusted
// at synthesis (`checkedPeerConfigOf`) only because nothing it read can change: the config is frozen, in a field that
// cannot be written, and a peer whose `toPeerConfig` is replaced is checked again as a peer of one's own. Each case below
// would otherwise write at synthesis what was never checked (an emptied list: every peer on the ports before 1.16).
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, Peer, PeerConfig, PeerField, Port } from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, synthFailure } from '../support/synth';

const A = 'pod:shop:app=a';

function cnp(version?: CiliumVersion) {
  const c = chart('shop', version);
  return { c, p: new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) }) };
}

/** The private config of a factory peer, as plain JavaScript reaches it. */
type Kept = { item: { endpoints: unknown[] } };
const configOf = (peer: Peer): Kept => (peer as unknown as { config: Kept }).config;

describe('a factory peer\'s config cannot change after the rule is given', () => {
  test('its lists, maps and the field itself refuse writes (TypeError), and the rule allows what was checked, nothing more', () => {
    const { c, p } = cnp(CiliumVersion.V1_15);
    const peer = Peer.endpoints({ labels: { app: 'b' } });
    p.allowIngress(peer, { ports: [Port.tcp(8080)] });
    const config = configOf(peer);
    expect(() => config.item.endpoints.splice(0)).toThrow(TypeError);
    expect(() => {
      (config.item.endpoints[0] as { matchLabels: Record<string, string> }).matchLabels.app = 'other';
    }).toThrow(TypeError);
    expect(() => {
      (peer as unknown as { config: unknown }).config = { field: PeerField.ENDPOINTS, item: { endpoints: [] }, description: 'x' };
    }).toThrow(TypeError);
    expect(synthFailure(c)).toBeUndefined();
    expect(verdictOf(c, 'pod:shop:app=b', A, '8080/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=other', A, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=b', A, '9090/TCP')).toBe('denied');
    expect(decidedBy(c, 'pod:shop:app=b', A, '8080/TCP', 'ingress')).toBe('allowed p spec.ingress[0]');
  });

  test('toPeerConfig answers a copy the caller may change, which the rule does not read', () => {
    const { c, p } = cnp();
    const peer = Peer.cidr('10.0.0.0/8');
    p.allowEgress(peer, { ports: [Port.tcp(22)] });
    const answer = peer.toPeerConfig() as PeerConfig & { item: { cidr: string[] } };
    answer.item.cidr.splice(0, 1, '0.0.0.0/0');
    expect(verdictOf(c, A, 'cidr:10.1.2.3', '22/TCP')).toBe('allowed');
    expect(verdictOf(c, A, 'cidr:8.8.8.8', '22/TCP')).toBe('denied');
  });

  test('a factory peer whose toPeerConfig is replaced after the call is checked again at synthesis: an emptied list is refused', () => {
    const { c, p } = cnp(CiliumVersion.V1_15);
    const peer = Peer.cidr('10.0.0.0/8');
    p.allowEgress(peer, { ports: [Port.tcp(22)] });
    (peer as unknown as { toPeerConfig: () => PeerConfig }).toPeerConfig = () => ({ field: PeerField.CIDR, item: { cidr: [] }, description: 'x' });
    expect(synthFailure(c)).toMatch(/peer-config-invalid/);
  });
});
