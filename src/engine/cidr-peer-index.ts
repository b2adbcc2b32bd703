/**
 * The address lookups of compiled CIDR peers, built once per compiled list (on its first query) and kept while the compiled
 * rule lives: a rule naming n CIDRs answers each peer in O(log n) (`AddressSet`), not by testing every block, so judging
 * every class of such a rule (a report, a diff, a replay of many addresses) costs O(n log n), not O(n²).
 */
import { AddressSet } from '../model/address-set';
import { ParsedCidr } from '../model/cidr';
import type { CidrBlock } from './compile';

/** What the blocks of a `cidr` peer select, for `peerMatches`. */
interface CidrPeerIndex {
  /** The addresses the blocks hold (each CIDR less its own `except` holes), the `anyFamilyWorld` blocks left out. */
  readonly addresses: AddressSet;
  /** The `/0` blocks (not `anyFamilyWorld`), in order: each selects the world identity of its own family. */
  readonly worlds: readonly CidrBlock[];
  /** The `anyFamilyWorld` blocks, in order, each with its holes. */
  readonly anyFamilyWorlds: readonly { readonly block: CidrBlock; readonly except: AddressSet }[];
}

const peerIndexes = new WeakMap<readonly CidrBlock[], CidrPeerIndex>();
const cidrSets = new WeakMap<readonly ParsedCidr[], AddressSet>();

/** The index of a compiled peer's blocks (the same list gives the same index). */
export function cidrPeerIndex(blocks: readonly CidrBlock[]): CidrPeerIndex {
  let index = peerIndexes.get(blocks);
  if (index === undefined) {
    const own = blocks.filter((b) => b.anyFamilyWorld !== true);
    index = {
      addresses: AddressSet.of(own),
      worlds: own.filter((b) => b.cidr.prefix === 0),
      anyFamilyWorlds: blocks.filter((b) => b.anyFamilyWorld === true).map((block) => ({ block, except: cidrAddresses(block.except) })),
    };
    peerIndexes.set(blocks, index);
  }
  return index;
}

/** The addresses of a compiled list of CIDRs (holes, CIDR group ranges, Service endpoint addresses). */
export function cidrAddresses(cidrs: readonly ParsedCidr[]): AddressSet {
  let set = cidrSets.get(cidrs);
  if (set === undefined) {
    set = AddressSet.ofCidrs(cidrs);
    cidrSets.set(cidrs, set);
  }
  return set;
}
