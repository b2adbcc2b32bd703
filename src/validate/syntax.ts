/**
 * Parsers that reproduce what Cilium's Go code and the Kubernetes API server accept: port numbers
 * (`strconv.ParseUint(s, 0, 16)`), IANA service names, IP prefixes (`net.ParseCIDR`, `netip.ParsePrefix`),
 * Kubernetes names. (RE2 regexes: `model/re2.ts`.)
 */

import { isIanaSvcName, PortReading, readPort } from '../model/port-entries';
import { GoUintResult, goParseUint } from '../model/go-uint';
import { IpAddress, IpPrefix, parseAddr, parseIpPrefix, prefixContains } from '../model/ip-address';
import {
  isDns1123Subdomain, isLabelValue, isQualifiedName, plainSelectorProblem, SelectorBuildProblem, selectorBuildProblems, SelectorProblemKind,
} from '../model/selector-build';

// Cilium's `iana.IsSvcName`, Go's `ParseUint`, the agent's reading of a port and Go's reading of IP addresses: one
// implementation each, for the engine (src/model) and these checks.
export { GoUintResult, goParseUint, IpAddress, IpPrefix, isIanaSvcName, parseAddr, PortReading, prefixContains, readPort };
// What Kubernetes accepts as a label key or value and why a label selector does not build: one implementation, for the
// engine's reading of a toServices entry (`model/services-unresolved.ts`) and these checks.
export { isDns1123Subdomain, isLabelValue, isQualifiedName, plainSelectorProblem, SelectorBuildProblem, selectorBuildProblems, SelectorProblemKind };

/**
 * What the API server accepts for `format: cidr` (1.16+ CRDs): `k8s.io/utils/net.ParseCIDRSloppy`, Go 1.16's
 * `net.ParseCIDR`. An address without zone, `/`, a decimal prefix length within the family's width; leading zeros
 * are tolerated. A bare IP is rejected.
 */
export function parseCidrApiServer(s: string): IpPrefix | undefined {
  return parseIpPrefix(s, true);
}

/** Go `netip.ParsePrefix`, the agent's parser for `fromCIDRSet`/`except` (and, with a bare-IP fallback, `fromCIDR`). */
export function parsePrefixStrict(s: string): IpPrefix | undefined {
  return parseIpPrefix(s, false);
}

/**
 * Whether the API server refuses an object for its `generateName` (a string, not empty): apimachinery
 * `ValidateObjectMetaAccessor` checks it as a name prefix (`NameIsDNSSubdomain(generateName, true)`: `maskTrailingDash`
 * writes a trailing `-` and the character before it as `a`), and, when it makes the name (`nameGiven` false), the name
 * `rest.BeforeCreate` makes of it (`SimpleNameGenerator`: its first 58 characters and 5 random lower-case letters or digits).
 * Go slices bytes there, so a non-ASCII character is never masked away whole (`webé-` masks to `web\xC3a`): any
 * non-ASCII character is refused, as no DNS-1123 subdomain has one.
 */
export function generateNameRefused(generateName: string, nameGiven: boolean): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(generateName)) return true;
  const masked = generateName.length > 1 && generateName.endsWith('-') ? `${generateName.slice(0, -2)}a` : generateName;
  return !isDns1123Subdomain(masked) || (!nameGiven && !isDns1123Subdomain(`${generateName.slice(0, 58)}bcdfg`));
}

/** A DNS-1123 label (namespaces): lower-case, at most 63 characters. */
export function isDns1123Label(s: string): boolean {
  return s.length >= 1 && s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

/** Which of its two fields a `toServices` entry uses (`src/model/services-unresolved.ts`). */
export { serviceEntryUses } from '../model/services-unresolved';

/**
 * Whether `key` (without its source) can be the key of an identity label of a pod: a Kubernetes label key, or the key of
 * a label of its namespace behind Cilium's `io.cilium.k8s.namespace.labels.` (whose whole may be longer than a label key).
 */
export function isIdentityLabelKey(key: string): boolean {
  const namespaceLabels = 'io.cilium.k8s.namespace.labels.';
  return isQualifiedName(key.startsWith(namespaceLabels) ? key.slice(namespaceLabels.length) : key);
}

/**
 * The key Cilium builds from a selector key before k8s label-selector validation (`labels.GetExtendedKeyFrom`):
 * `source:key` becomes `source.key`, a key without source becomes `any.key`, `$host` is `reserved:host`.
 */
export function ciliumExtendedKey(key: string): string {
  const k = key.startsWith('$') ? `reserved:${key.slice(1)}` : key;
  const colon = k.indexOf(':');
  if (colon < 0) return `any.${k}`;
  const source = k.slice(0, colon) || 'any';
  return `${source}.${k.slice(colon + 1)}`;
}
