/**
 * The L7 parser conflicts of one subject's policy (`model/l7-parsers.ts`): when the allow items of the rules that select
 * it put two parsers on one filter (from 1.18: for one peer selector), the agent refuses to compute its policy and keeps
 * the one it had, so no verdict on it — either direction, any port — is what the agent enforces. Worked out once per set
 * of selecting rules, and only for explained verdicts.
 */
import { CiliumVersion } from '../core/cilium-version';
import { ParserUse, endpointsPeerKey, entityPeerKeys, l7ParserOf, parserConflicts, parserFilters, parsersPerSelector } from '../model/l7-parsers';
import { SectionName } from '../model/policy-model';
import { CompiledItem, CompiledRule, PeerSpec } from './compile';

/** The notes already worked out, per list of selecting rules and version. */
const NOTES = new WeakMap<readonly CompiledRule[], Map<CiliumVersion, readonly string[]>>();

/**
 * The notes of the parser conflicts among `selecting` (the imported rules that select one subject), naming both items
 * with `describe`.
 */
export function parserConflictNotes(selecting: readonly CompiledRule[], version: CiliumVersion,
  describe: (item: CompiledItem) => string): readonly string[] {
  let byVersion = NOTES.get(selecting);
  if (!byVersion) NOTES.set(selecting, byVersion = new Map());
  let notes = byVersion.get(version);
  if (!notes) {
    notes = conflictNotes(selecting, version, describe);
    byVersion.set(version, notes);
  }
  return notes;
}

function conflictNotes(selecting: readonly CompiledRule[], version: CiliumVersion, describe: (item: CompiledItem) => string): string[] {
  const perSelector = parsersPerSelector(version);
  const uses: ParserUse<CompiledItem>[] = [];
  for (const rule of selecting) {
    for (const section of [SectionName.INGRESS, SectionName.EGRESS]) {
      for (const item of rule.items[section] ?? []) {
        if (item.l4.kind !== 'ports') continue;
        const peers = perSelector ? peerKeys(item.peer) : item.peer.kind === 'none' ? [] : [''];
        if (peers.length === 0) continue;
        for (const pr of item.l4.portRules) {
          for (const port of pr.ports) {
            for (const filter of parserFilters(item.direction, port)) {
              const parser = l7ParserOf(pr.rules, filter.protocol);
              if (parser !== undefined) for (const peer of peers) uses.push({ filter, parser, peer, ref: item });
            }
          }
        }
      }
    }
  }
  return parserConflicts(uses).map(({ first, second }) => `Cilium refuses the policy of this endpoint: ${describe(first.ref)} has ${first.parser} rules and `
    + `${describe(second.ref)} ${second.parser} rules on ${first.filter.text}${perSelector ? ` for the same peer ${first.peer === '*' ? '(any peer)' : first.peer}` : ''}, `
    + 'and it cannot merge conflicting L7 parsers: the endpoint keeps the policy it had, so this verdict is not what the agent enforces; '
    + 'give each protocol its own port');
}

/**
 * The cached selectors of an item's peers, as keys (1.18+ merges parsers per selector); none for peers whose selectors
 * the engine does not know as Cilium caches them (Services, cloud groups).
 */
function peerKeys(peer: PeerSpec): string[] {
  switch (peer.kind) {
    case 'any':
      return ['*'];
    case 'endpoints':
      return peer.selectors.map((s) => endpointsPeerKey(s.cacheKey()));
    case 'nodes':
      return peer.selectors.map((s) => `nodes ${s.cacheKey()}`);
    case 'entities':
      return [...new Set(peer.entities.flatMap(entityPeerKeys))];
    case 'cidr':
      return peer.blocks.map((b) => `cidr ${b.text}`);
    case 'fqdns':
      return peer.matchers.map((m) => `fqdn ${m.text}`);
    default:
      return [];
  }
}
