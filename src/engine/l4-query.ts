/**
 * The layer-4 part of a verdict query, validated: a TCP, UDP or SCTP port, or an ICMP type of a family; the compact code
 * the decision tables key on; and the query as each side sees it.
 */
import { CiliumPolicyError } from '../core/errors';
import { DNS_LENGTH_FIX, dnsLengthRefusal } from '../model/fqdn-pattern';
import { isRequestFieldName } from '../model/http-header';
import { KAFKA_API_KEYS, kafkaRequestApiKeyKnown } from '../model/kafka-api-keys';
import { checkOptionKeys } from '../model/known-keys';
import { parseIp, unmapIp, unmappedText } from '../model/cidr';
import { SideQuery } from './evaluate';
import { IpFamilies } from './policy-set-options';
import { L4Query, icmpTypeNumber } from './ports';
import { VERDICT_QUERY_FIELDS, VerdictQuery } from './verdict';

/** The query as each side sees it. */
export function sideQueryOf(query: VerdictQuery, l4: L4Query): SideQuery {
  return {
    l4,
    ...(query.http ? { http: query.http } : {}),
    ...(query.dns !== undefined ? { dns: query.dns } : {}),
    ...(query.kafka ? { kafka: query.kafka } : {}),
  };
}

/**
 * The `l4Code` of a well-formed TCP, UDP or SCTP query, or an ICMP query with a numeric type (or none) and its family
 * spelled `IPv4` or `IPv6` (or not given), with its ends given, without building the layer-4 query (nothing allocated);
 * -1 for anything else (ICMP type names, other spellings, malformed queries: `l4Query` handles them).
 */
export function fastL4Code(query: VerdictQuery, families: IpFamilies): number {
  if (!query || !query.from || !query.to) return -1;
  // An address perhaps of a family the cluster does not run: `l4Query` judges it (`checkPacketFamily`).
  if (families !== IpFamilies.DUAL && (mayBeOtherFamily(query.from, families) || mayBeOtherFamily(query.to, families))) return -1;
  if (query.protocol === 'ICMP') return fastIcmpCode(query, families);
  const port = query.port;
  if (typeof port !== 'number' || (port | 0) !== port || port < 1 || port > 65535) return -1;
  switch (query.protocol) {
    case 'TCP':
      return port;
    case 'UDP':
      return 0x10000 + port;
    case 'SCTP':
      return 0x20000 + port;
    default:
      return -1;
  }
}

/** `fastL4Code` of an ICMP query: the code `l4Code(l4Query(query))` gives, or -1 when `l4Query` must judge it. */
function fastIcmpCode(query: VerdictQuery, families: IpFamilies): number {
  // An end with an address, or a world of one family: `l4Query` checks its family against the ICMP family.
  if (query.from.ip !== undefined || query.to.ip !== undefined) return -1;
  if (worldEntityFamily(query.from) !== undefined || worldEntityFamily(query.to) !== undefined) return -1;
  const family = query.icmpFamily;
  const v6 = family === 'IPv6';
  if (family !== undefined && !v6 && family !== 'IPv4') return -1;
  // ICMP of a family the cluster does not run: `l4Query` refuses it.
  if (families !== IpFamilies.DUAL && v6 !== (families === IpFamilies.IPV6)) return -1;
  const type = query.icmpType ?? (v6 ? 128 : 8);
  if (typeof type !== 'number' || (type | 0) !== type || type < 0 || type > 255) return -1;
  return 0x30000 + (v6 ? 0x100 : 0) + type;
}

/**
 * Refuses a query with a field `VerdictQuery` does not declare, given a value (`option-unknown`): from plain JavaScript a
 * misspelled field was dropped, `{ …, htpp: 'DELETE /orders' }` judged the connection without its request (allowed where
 * the HTTP rules refuse it). The common case, every field known, is a walk over the keys without allocating, each tested
 * by a `switch` (`decide` runs it per query; a lookup in a `Set` of the fields cost 2-3 times as much); any other key goes
 * to the one check of `src/model/known-keys.ts`, which decides with `VERDICT_QUERY_FIELDS`.
 * @param call the call, for the message: `PolicySet.verdict()`, `PolicySet.decide()`
 * Also refuses an HTTP request's `scheme` other than `http`/`https`, a header name no request carries and a DNS name past
 * DNS's lengths (`engine-query`).
 * @throws CiliumPolicyError (`option-unknown`, `engine-query`)
 */
export function checkQueryFields(query: VerdictQuery, call: string): void {
  if (query === null || typeof query !== 'object') return;
  const http = query.http;
  if (http !== undefined && http !== null && typeof http === 'object') {
    if (http.scheme !== undefined) checkHttpScheme(http.scheme, call);
    if (http.headers !== undefined && http.headers !== null && typeof http.headers === 'object') checkHttpHeaderNames(http.headers, call);
  }
  const kafka = query.kafka;
  if (kafka !== undefined && kafka !== null && typeof kafka === 'object' && kafka.apiKey !== undefined && kafka.apiKey !== '') {
    checkKafkaApiKey(kafka.apiKey, call);
  }
  if (typeof query.dns === 'string') checkDnsQueryName(query.dns, call);
  for (const key in query) {
    if (queryFieldListed(key)) continue;
    // The one check decides (a key set to undefined passes; a getter that throws is refused, not rethrown).
    checkOptionKeys(query, VERDICT_QUERY_FIELDS, { call: 'VerdictQuery', at: call, noun: 'field', risk: 'so the connection would be judged without it, and a test that should fail could pass' });
    return;
  }
}

/**
 * Refuses an HTTP request `scheme` other than `http` or `https` (`engine-query`): the scheme is the one Envoy gave the
 * request (`:scheme`, and X-Forwarded-Proto as Envoy's connection manager sets it), and Envoy takes only those two,
 * case-sensitively (`HeaderUtility::schemeIsValid`). `HTTPS` or `ftp` was judged as a request whose `:scheme` is unknown,
 * so a rule on it quietly matched nothing.
 * @throws CiliumPolicyError (`engine-query`)
 */
function checkHttpScheme(scheme: unknown, call: string): void {
  if (scheme === 'http' || scheme === 'https') return;
  throw new CiliumPolicyError({
    id: 'engine-query',
    message: `${call}: the HTTP request's scheme ${typeof scheme === 'string' ? JSON.stringify(scheme) : String(scheme)} is not "http" or "https", `
      + 'the only schemes Envoy gives a request (:scheme and X-Forwarded-Proto)',
    fix: 'give scheme "http" or "https" (lower case), or leave it out for the connection\'s (https where the proxy terminates TLS)',
  });
}

/**
 * Refuses a DNS query name past DNS's lengths (`engine-query`, `dnsLengthRefusal`: 63 characters a label, 253 in all): no
 * query carries one. Cilium's DNS proxy is a miekg/dns server, whose `(*Server).serveDNS` answers FORMERR when the message
 * does not unpack (`UnpackDomainName` reads a label length of 64 or more as a pointer or a reserved value, and stops a name
 * past 255 octets) and never calls the proxy's `ServeDNS`: such a lookup is never judged by policy. It was judged as
 * given, so `decide`/`verdict`, the matchers and `replay` called a lookup of a 64-character label allowed under
 * `matchPattern: "*.example"` where `trace --dns` refused it.
 * @throws CiliumPolicyError (`engine-query`)
 */
function checkDnsQueryName(name: string, call: string): void {
  const refusal = dnsLengthRefusal(name);
  if (refusal !== undefined) throw new CiliumPolicyError({ id: 'engine-query', message: `${call}: ${refusal}`, fix: DNS_LENGTH_FIX });
}

/**
 * Refuses a Kafka request API key that is neither a name of the agent's table nor a number from -32768 to 32767, given as
 * text (`engine-query`, `kafkaRequestApiKeyKnown`): Cilium's parser reads the key as the request header's signed int16, so
 * no request has another. `listoffsets` was judged as a key without topics, so a rule with a `topic` allowed it; a number
 * from JavaScript (`apiKey: 37`) was a TypeError.
 * @throws CiliumPolicyError (`engine-query`)
 */
function checkKafkaApiKey(apiKey: unknown, call: string): void {
  if (typeof apiKey === 'string' && kafkaRequestApiKeyKnown(apiKey)) return;
  const shown = typeof apiKey === 'string' ? JSON.stringify(apiKey) : `${String(apiKey)} (a ${typeof apiKey}, not text)`;
  throw new CiliumPolicyError({
    id: 'engine-query',
    message: `${call}: the Kafka request's API key ${shown} is not one Cilium knows: neither a name of its table `
      + `(${Object.keys(KAFKA_API_KEYS).slice(0, 4).join(', ')}, …) nor a number from -32768 to 32767 as text`,
    fix: 'give the API key by Cilium\'s name (offsets, not listoffsets; findcoordinator, not groupcoordinator) or by its number as text, '
      + 'e.g. "2", or "37" for createpartitions, which has no name in the table',
  });
}

/**
 * Refuses a request header whose name is not an HTTP field name (`engine-query`): an RFC 9110 token or a pseudo-header Envoy's matchers
 * read (`:authority`, …), `isRequestFieldName`, the check validate makes of `headerMatches` names.
 * Envoy's codec refuses a request carrying `X Token`, so no request has it; judged as given, `headerMatches` on that name
 * matched it and the verdict was ALLOWED where `validate` says no request can be.
 * @throws CiliumPolicyError (`engine-query`)
 */
function checkHttpHeaderNames(headers: Readonly<Record<string, string>>, call: string): void {
  for (const name in headers) {
    if (isRequestFieldName(name)) continue;
    throw new CiliumPolicyError({
      id: 'engine-query',
      message: `${call}: the HTTP request's header ${JSON.stringify(name)} is not a header name (letters, digits and !#$%&'*+-.^_\`|~): `
        + 'no request carries it (Envoy refuses such a request)',
      fix: 'name the header as requests carry it, e.g. "X-Token"',
    });
  }
}

/**
 * @internal Whether a key is a field of `VerdictQuery`: the keys of `VERDICT_QUERY_FIELDS`, spelled out because a string
 * `switch` is the fastest test (test/engine/option-keys-interfaces.test.ts keeps the two lists equal).
 */
export function queryFieldListed(key: string): boolean {
  switch (key) {
    case 'from':
    case 'to':
    case 'protocol':
    case 'port':
    case 'icmpType':
    case 'icmpFamily':
    case 'http':
    case 'dns':
    case 'kafka':
      return true;
    default:
      return false;
  }
}

/**
 * Validates the layer-4 part of a query, and that its packet is one the cluster carries (`checkPacketFamily`).
 * @param families the IP families the cluster runs (`EngineConfig.ipFamilies`)
 */
export function l4Query(query: VerdictQuery, families: IpFamilies): L4Query {
  const bad = badQuery;
  if (!query || !query.from || !query.to) throw bad('a query needs from and to endpoints', 'give from and to, e.g. Endpoints.parse("pod:default:app=web")');
  let protocol = String(query.protocol ?? '').toUpperCase();
  let family = query.icmpFamily ?? 'IPv4';
  if (protocol === 'ICMPV6') {
    protocol = 'ICMP';
    family = 'IPv6';
  }
  if (!['TCP', 'UDP', 'SCTP', 'ICMP'].includes(protocol)) throw bad(`unknown protocol "${query.protocol}"`, 'use TCP, UDP, SCTP or ICMP');
  if (protocol === 'ICMP') {
    if (family !== 'IPv4' && family !== 'IPv6') throw bad(`unknown ICMP family "${family}"`, 'use IPv4 or IPv6');
    const type = icmpTypeNumber(query.icmpType ?? (family === 'IPv6' ? 128 : 8), family);
    if (type === undefined) throw bad(`"${query.icmpType}" is not an ${family} ICMP type`, 'give a type number (0-255) or a Cilium name such as EchoRequest');
    checkPacketFamily(query, family, families);
    return { protocol, icmpType: type, icmpFamily: family };
  }
  const port = query.port;
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw bad(`port ${port ?? '(none)'} is not a port number between 1 and 65535`, `give the destination port, e.g. 8080/${protocol}`);
  }
  checkPacketFamily(query, undefined, families);
  return { protocol, port, icmpFamily: 'IPv4' };
}

/**
 * Refuses a query whose packet no cluster of `families` carries (`engine-query`). An ICMP query of one family with an end
 * whose address is of the other: ICMPv4 travels in IPv4
 * packets only and ICMPv6 in IPv6 ones, and Cilium matches an `icmps` field of family IPv4 as protocol ICMP and of family
 * IPv6 as ICMPv6 (pkg/policy/api/icmp.go `ICMPField.PortProtocol`), so no packet is `icmp/8` to `2001:db8::1`. Judged as
 * given, the IPv4 rule's verdict was a confident answer for a ping6 it does not hold. An IPv4-mapped address is IPv4
 * (`unmapIp`). A query a caller builds itself (report, diff) keeps to `icmpFamilyCarried` instead. And, in a single-stack
 * cluster, a packet of the other family (ICMPv6, or an IPv6 address at either end, in an IPv4-only cluster; ICMP or an
 * IPv4 address in an IPv6-only one): its pods have no address of that family, and an agent without it drops every such
 * packet before any policy (bpf/bpf_lxc.c: no `ETH_P_IPV6` case without ENABLE_IPV6, `DROP_UNKNOWN_L3`). Judged, ICMPv6
 * between two pods of the default IPv4-only cluster was ALLOWED where report and diff (`endFamilies`) list nothing.
 * @param icmp the ICMP family of an ICMP query, `undefined` for TCP, UDP and SCTP
 */
function checkPacketFamily(query: VerdictQuery, icmp: 'IPv4' | 'IPv6' | undefined, families: IpFamilies): void {
  if (icmp !== undefined) checkIcmpAddressFamily(query, icmp);
  if (families === IpFamilies.DUAL) return;
  const run = families === IpFamilies.IPV6 ? 6 : 4;
  const cluster = `this cluster runs IPv${run} only (--ip-families ${families}, PolicySet option ipFamilies; Cilium's default is ipv4)`;
  const fix = `if the cluster runs both families, say so: --ip-families dual (ipFamilies: IpFamilies.DUAL)`;
  const dropped = `an agent without IPv${10 - run} drops such packets before any policy (bpf_lxc.c, DROP_UNKNOWN_L3)`;
  if (icmp !== undefined && icmp !== `IPv${run}`) {
    throw badQuery(`${icmp === 'IPv6' ? 'ICMPv6' : 'ICMP (IPv4)'}: no such packet, ${cluster}: its pods have no IPv${10 - run} address and ${dropped}`, fix);
  }
  for (const end of [query.from, query.to]) {
    const ipFamily = endPacketFamily(end);
    if (ipFamily === undefined || ipFamily === run) continue;
    throw badQuery(`${endText(end, ipFamily, false)}: no such packet, ${cluster}: ${dropped}`, fix);
  }
}

/**
 * The family of the packets an end travels in (`packetFamilyOf`): its address's, or for the entity `world-ipv4` or
 * `world-ipv6` (the outside addresses of one family, reserved identities 9 and 10) that family; `undefined` for other ends
 * without an address (pods, nodes, `world`), which have one of each family the cluster runs.
 */
export function endPacketFamily(end: { readonly ip?: unknown; readonly entity?: string }): 4 | 6 | undefined {
  return packetFamilyOf(end.ip) ?? worldEntityFamily(end);
}

/**
 * The family of a `world-ipv4`/`world-ipv6` entity end. pkg/labels `getWorldLabel` gives an outside address of a family the
 * single-stack agent does not run the qualified label, which "will not be populated into identities, so a selector with
 * that label will never match anything", and the agent drops that family's packets before policy: such an end is no packet.
 */
function worldEntityFamily(end: { readonly ip?: unknown; readonly entity?: string }): 4 | 6 | undefined {
  if (end.ip !== undefined) return undefined;
  return end.entity === 'world-ipv4' ? 4 : end.entity === 'world-ipv6' ? 6 : undefined;
}

/**
 * An end of a packet family, as a refusal names it: `the IPv6 address 2001:db8::1`, `entity:world-ipv6 (the IPv6 world, …)`.
 * @param mapped whether an IPv4-mapped address is shown as written too (`8.8.8.8 (::ffff:8.8.8.8, IPv4-mapped)`)
 */
function endText(end: { readonly ip?: unknown; readonly entity?: string }, family: 4 | 6, mapped: boolean): string {
  if (end.ip === undefined) return `entity:${end.entity ?? ''} (the IPv${family} world, reserved:${end.entity ?? ''})`;
  const shown = unmappedText(end.ip as string);
  return `the IPv${family} address ${shown === end.ip || !mapped ? shown : `${shown} (${end.ip as string}, IPv4-mapped)`}`;
}

/** Whether an end may be of a family a single-stack cluster does not run (cheap: no parse; `l4Query` decides). */
function mayBeOtherFamily(end: { readonly ip?: unknown; readonly entity?: string }, families: IpFamilies): boolean {
  const ip = end.ip;
  if (ip === undefined) return worldEntityFamily(end) !== undefined;
  if (typeof ip !== 'string') return true;
  // An IPv4 address has no ':'; an IPv6 one has. In an IPv6-only cluster every address goes to `l4Query`: an IPv4-mapped
  // one (`::ffff:10.0.0.1`, `::ffff:a00:1`) has ':' and is IPv4 to Cilium.
  return families === IpFamilies.IPV6 || ip.includes(':');
}

/** The ICMP-family half of `checkPacketFamily`: an ICMP family against the ends' addresses. */
function checkIcmpAddressFamily(query: VerdictQuery, family: 'IPv4' | 'IPv6'): void {
  for (const end of [query.from, query.to]) {
    const ipFamily = endPacketFamily(end);
    if (ipFamily === undefined || icmpFamilyCarried(family, ipFamily, undefined)) continue;
    const [name, other] = family === 'IPv6' ? ['ICMPv6', 'icmp'] : ['ICMP (IPv4)', 'icmpv6'];
    throw badQuery(`${name} with ${endText(end, ipFamily, true)}: no such packet (ICMP travels in IPv4 packets, ICMPv6 in IPv6 ones, `
      + 'and Cilium matches an icmps field by its family)',
    `give the ${other} type for this ${end.ip === undefined ? 'end' : 'address'} (${other}/${family === 'IPv6' ? 8 : 128} for an echo request), or `
    + `${end.ip === undefined ? `entity:world-ipv${family === 'IPv6' ? 6 : 4}` : `an IPv${family === 'IPv6' ? 6 : 4} address`}`);
  }
}

/**
 * The family of the packets an end's address travels in: 4 or 6, an IPv4-mapped address 4 (`unmapIp`); `undefined` for
 * an end without an address (a pod, an entity), which has one of each family the cluster runs.
 */
export function packetFamilyOf(ip: unknown): 4 | 6 | undefined {
  const written = typeof ip === 'string' ? parseIp(ip) : undefined;
  return written !== undefined ? unmapIp(written).family : undefined;
}

/**
 * Whether an ICMP packet of `family` can travel between ends whose addresses are of these packet families
 * (`packetFamilyOf`; `undefined`: no address, either family): the query `checkIcmpAddressFamily` does not refuse. For
 * the callers that build their queries themselves (the connectivity report and diff): they leave out what no packet is.
 */
export function icmpFamilyCarried(family: 'IPv4' | 'IPv6', from: 4 | 6 | undefined, to: 4 | 6 | undefined): boolean {
  const wanted = family === 'IPv6' ? 6 : 4;
  return (from === undefined || from === wanted) && (to === undefined || to === wanted);
}

/** A malformed query (a module function: `l4Query` runs once per query and makes no closure). */
function badQuery(message: string, fix: string): CiliumPolicyError {
  return new CiliumPolicyError({ id: 'engine-query', message, fix });
}
