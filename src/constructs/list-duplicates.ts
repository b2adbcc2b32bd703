import { CiliumPolicyError, showValue } from '../core/errors';
import { RefusalLocation, refusalLocation } from './caller-location';
import { cidrHostBits, formatIp, parseCidr } from '../model/cidr';
import { canonicalDnsName } from '../model/fqdn-pattern';

/** How `checkEntriesUnique` reads and names the entries of one list prop. */
export interface ListEntries<T> {
  /** The prop, as messages name it (`FqdnEgress fqdns`, `LabelExpression.in('app') values`). */
  readonly what: string;
  /** One entry, as messages name it (`port`, `namespace`, `DNS name`). */
  readonly noun: string;
  /** What the policy does with an entry, once, naming it `it` (`opens it`, `leaves it out`, `matches it`). */
  readonly verb: string;
  /** The refusal's id. @default 'list-duplicate' */
  readonly id?: string;
  /** The entry as Cilium reads it: two entries of one key are one entry to Cilium; `undefined`: not compared. @default the entry's whole text (`text`) */
  readonly key?: (entry: T) => string | undefined;
  /**
   * The entry's whole text, never clipped: two entries of one key and one text are the entry twice, of one key and two texts
   * one entry to Cilium (`sameBecause`).
   * @default the entry as JSON, unbounded (`showValue`): a string quoted, an object (an L7 rule's model) as written
   */
  readonly text?: (entry: T) => string;
  /** The entry as messages show it. @default the entry as JSON, bounded (`showValue`) */
  readonly show?: (entry: T) => string;
  /** Why two entries shown differently are one to Cilium (`Cilium reads DNS names without case and trailing dot`). */
  readonly sameBecause?: string;
}

/**
 * Refuses a construct or helper list prop that holds one entry twice, as Cilium reads it: the policy writes it once, so
 * the list says less than it reads, and the copy is most likely a slip for another entry (another namespace, another
 * name, another port), never written. The one check of the constructs' list props: ports (`ports-duplicate`,
 * `checkPortsUnique`), names, namespaces, CIDRs, DNS rules, label values, peers (`list-duplicate`). Entries equal only
 * after Cilium's normalisation (`API.example.com` and `api.example.com.`, `fd00::/64` and `fd00:0::/64`) are named with
 * both texts and why they are one.
 * @param list the list, its entries already checked, each on its own (`checkListOf`, `checkStringList`, the entry's syntax):
 *   a malformed entry given twice is refused as malformed, not as twice; `undefined` passes
 * @param entries how the entries are read and named
 * @param location the construct path, or how to find the caller's file:line (`callerLocation`, read on a refusal only)
 */
export function checkEntriesUnique<T>(list: readonly T[] | undefined, entries: ListEntries<T>, location: RefusalLocation): void {
  // Keyed and compared by the whole text: by the shown one, clipped at 80 characters, two HTTP rules of paths agreeing on
  // their first 77 characters were refused as one rule twice.
  const text = entries.text ?? ((e: T): string => showValue(e, Infinity));
  const show = entries.show ?? ((e: T): string => showValue(e));
  const seen = new Map<string, number>();
  const all = list ?? [];
  for (const [i, entry] of all.entries()) {
    const key = entries.key ? entries.key(entry) : text(entry);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      continue;
    }
    const [a, b] = [show(all[first]), show(entry)];
    const listed = text(all[first]) === text(entry) ? `${a} twice (at [${first}] and [${i}])`
      : `${a} at [${first}] and ${b} at [${i}], one ${entries.noun} to Cilium (${entries.sameBecause ?? 'the same entry'})`;
    throw new CiliumPolicyError({
      id: entries.id ?? 'list-duplicate',
      message: `${entries.what} lists ${listed}: the policy ${entries.verb} once, so the list holds one ${entries.noun} fewer than it reads`,
      fix: `list each ${entries.noun} once; if another ${entries.noun} was meant at [${i}], give it`,
      location: refusalLocation(location),
    });
  }
}

/**
 * A DNS name or pattern as Cilium matches it (`canonicalDnsName`): trimmed, lower case, with a trailing dot
 * (pkg/fqdn/matchpattern `Sanitize` adds the dot, `ToAnchoredRegexp` trims and lowers; `FQDNSelector.ToRegex` does the same
 * for a `matchName` with `dns.FQDN`).
 */
export const DNS_NAME_ENTRIES = {
  noun: 'DNS name',
  key: (name: string): string => canonicalDnsName(name),
  sameBecause: 'Cilium matches names trimmed, without regard to case, with a trailing dot: pkg/fqdn/matchpattern Sanitize',
} as const;

/**
 * A CIDR as Cilium reads it: its network and prefix length (`parseCidr`: `fd00:0::/64` is `fd00::/64`); text no CIDR
 * parser takes is its own key (refused elsewhere, `peer-cidr-syntax`), and so is one with host bits (`10.0.0.1/8`), left to
 * its own refusal (`peer-cidr-host-bits`: Cilium masks it to all of `10.0.0.0/8`, which is not what it says).
 */
export const CIDR_ENTRIES = {
  noun: 'CIDR',
  key: (text: string): string => {
    const c = cidrHostBits(text) === undefined ? parseCidr(text) : undefined;
    return c ? `${formatIp(c)}/${c.prefix}` : text;
  },
  sameBecause: 'the same network: pkg/policy/api CIDR, netip.ParsePrefix',
} as const;
