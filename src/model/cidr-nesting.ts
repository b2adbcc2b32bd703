import { ParsedCidr, cidrContains, networkHolds } from './cidr';

/**
 * CIDRs as the forest of their nesting: two CIDRs either share no address or one holds the other, so each CIDR's parent
 * is the most specific other CIDR that holds it. Built once in O(n log n) for n CIDRs; which CIDRs hold an address is then
 * a binary search and a walk up at most 129 parents (a CIDR's ancestors have shorter prefixes), never a test of every CIDR.
 */
export class CidrNesting {
  /** The distinct CIDRs, by family, then network, then prefix length (an ancestor comes before what it holds). */
  public readonly cidrs: readonly ParsedCidr[];
  /** Per CIDR (by its index in `cidrs`), the index of its parent, -1 for none. */
  private readonly parents: readonly number[];

  public constructor(cidrs: readonly ParsedCidr[]) {
    const sorted = [...cidrs].sort((a, b) => a.family - b.family || (a.network < b.network ? -1 : a.network > b.network ? 1 : a.prefix - b.prefix));
    const distinct: ParsedCidr[] = [];
    const parents: number[] = [];
    // The chain of CIDRs that hold the current one, outermost first.
    const open: number[] = [];
    for (const c of sorted) {
      const last = distinct[distinct.length - 1];
      if (last !== undefined && last.family === c.family && last.network === c.network && last.prefix === c.prefix) continue;
      while (open.length > 0 && !cidrContains(distinct[open[open.length - 1]], c)) open.pop();
      parents.push(open.length > 0 ? open[open.length - 1] : -1);
      open.push(distinct.length);
      distinct.push(c);
    }
    this.cidrs = distinct;
    this.parents = parents;
  }

  /** The index in `cidrs` of the most specific CIDR that holds the address, -1 when none does. */
  public innermost(ip: { readonly family: 4 | 6; readonly value: bigint }): number {
    // The last CIDR at or before the address in the order: whatever holds the address is it or one of its ancestors (a
    // CIDR that holds the address starts at or before it, and one before this CIDR that does not hold it ends before it).
    let lo = 0;
    let hi = this.cidrs.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.cidrs[mid];
      if (c.family < ip.family || (c.family === ip.family && c.network <= ip.value)) {
        at = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    while (at >= 0 && !(this.cidrs[at].family === ip.family && networkHolds(this.cidrs[at], ip.value))) at = this.parents[at];
    return at;
  }

  /** The indexes in `cidrs` of the CIDRs that hold the address, outermost first. */
  public holders(ip: { readonly family: 4 | 6; readonly value: bigint }): number[] {
    const out: number[] = [];
    for (let at = this.innermost(ip); at >= 0; at = this.parents[at]) out.push(at);
    return out.reverse();
  }
}
