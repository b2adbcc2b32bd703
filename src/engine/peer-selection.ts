/**
 * Whether a rule item's peers include a peer, at any port: the peer half of a side's decision (`evaluate.ts`), asked on
 * its own, so that the connectivity diff can match each distinct peer selector against the endpoint classes once (a
 * selector cache) instead of judging every pair of classes.
 *
 * It runs the side decision itself (`sideOutcome`) on a probe: a direction policy with the item alone, as a deny item
 * covering every port, so that the decision is "denied by a deny rule" exactly when the item's peers include the peer.
 * One implementation of peer matching, then; a direct export of the decision's peer match would do the same.
 */
import { CompiledItem, EngineConfig } from './compile';
import { DirectionPolicy } from './direction-policy';
import { sideOutcome } from './evaluate';
import { PeerView } from './identity';
import { L4Query } from './ports';
import { SelectorRequirement } from '../model/labels';

/** Every port: a probe item covers any query. */
const EVERY_PORT = Object.freeze({ kind: 'all' as const });
/** The query of a probe (any port does: the probe item covers them all). */
const PROBE_QUERY: L4Query = Object.freeze({ protocol: 'TCP', port: 1, icmpFamily: 'IPv4' as const });

/** The probe item of a rule item: the same peers, every port, no L7 rules. */
const probes = new WeakMap<CompiledItem, CompiledItem>();

/**
 * Whether `item` selects `peer` (at any port) in a direction policy with these `fromRequires`/`toRequires` requirements
 * (those of its allow or deny items, as the item is one or the other). A `toFQDNs` item selects only a peer with a DNS
 * name whose lookup the subject's proxy learns: without `learn`, nothing is learned and it selects no peer.
 * @param learn whether the subject's DNS proxy learns a name @default - nothing is learnable
 */
export function itemSelectsPeer(item: CompiledItem, peer: PeerView, requirements: readonly SelectorRequirement[], config: EngineConfig,
  learn?: (name: string) => { readonly learnable: boolean; readonly why?: string }): boolean {
  let probe = probes.get(item);
  if (!probe) {
    probe = { ...item, deny: true, l4: EVERY_PORT };
    probes.set(item, probe);
  }
  const dp: DirectionPolicy = {
    direction: item.direction, subjectKind: 'endpoint', selecting: [], policies: [], skipped: [], hasRules: false, defaultDeny: false,
    init: false, allow: [], deny: [probe], requirements: [], requirementsDeny: requirements, requiresIgnored: false, dnsRules: [],
  };
  const outcome = sideOutcome(dp, [], [probe], {
    subject: '', peer, destinationPorts: [], query: { l4: PROBE_QUERY }, config, ...(learn ? { learn } : {}),
  });
  return !outcome.allowed;
}
