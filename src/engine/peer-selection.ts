/**
 * Whether a rule item's peers include a peer, at any port: the peer half of a side's decision (`itemPeerMatches` in
 * `evaluate.ts`, the code `judgeSide` runs), asked on its own, so that the connectivity diff can match each distinct peer
 * selector against the endpoint classes once (a selector cache) instead of judging every pair of classes.
 */
import { CompiledItem, EngineConfig } from './compile';
import { itemPeerMatches } from './evaluate';
import { PeerView } from './identity';
import { L4Query } from './ports';
import { SelectorRequirement } from '../model/labels';

/** The query the peer match is asked with (it reads no port). */
const ANY_QUERY: L4Query = Object.freeze({ protocol: 'TCP', port: 1, icmpFamily: 'IPv4' as const });

/**
 * Whether `item` selects `peer` (at any port) in a direction policy with these `fromRequires`/`toRequires` requirements
 * (those of its allow or deny items, as the item is one or the other). A `toFQDNs` item selects only a peer with a DNS
 * name whose lookup the subject's proxy learns: without `learn`, nothing is learned and it selects no peer.
 * @param learn whether the subject's DNS proxy learns a name @default - nothing is learnable
 */
export function itemSelectsPeer(item: CompiledItem, peer: PeerView, requirements: readonly SelectorRequirement[], config: EngineConfig,
  learn?: (name: string) => { readonly learnable: boolean; readonly why?: string }): boolean {
  return itemPeerMatches(item, { subject: '', peer, destinationPorts: [], query: { l4: ANY_QUERY }, config, ...(learn ? { learn } : {}) }, requirements);
}
