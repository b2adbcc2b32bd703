/**
 * ICMP type names Cilium accepts in `icmps[].fields[].type`, per family, with their numbers. The CRD validates the
 * names with one pattern for both families; the agent maps them per family.
 */
export const ICMP_TYPE_NAMES: Readonly<Record<'IPv4' | 'IPv6', Readonly<Record<string, number>>>> = {
  IPv4: {
    EchoReply: 0,
    DestinationUnreachable: 3,
    Redirect: 5,
    Echo: 8,
    EchoRequest: 8,
    RouterAdvertisement: 9,
    RouterSelection: 10,
    TimeExceeded: 11,
    ParameterProblem: 12,
    Timestamp: 13,
    TimestampReply: 14,
    Photuris: 40,
    ExtendedEchoRequest: 42,
  },
  IPv6: {
    DestinationUnreachable: 1,
    PacketTooBig: 2,
    TimeExceeded: 3,
    ParameterProblem: 4,
    EchoRequest: 128,
    EchoReply: 129,
    MulticastListenerQuery: 130,
    MulticastListenerReport: 131,
    MulticastListenerDone: 132,
    RouterSolicitation: 133,
    RouterAdvertisement: 134,
    NeighborSolicitation: 135,
    NeighborAdvertisement: 136,
    RedirectMessage: 137,
    RouterRenumbering: 138,
    ICMPNodeInformationQuery: 139,
    ICMPNodeInformationResponse: 140,
    InverseNeighborDiscoverySolicitation: 141,
    InverseNeighborDiscoveryAdvertisement: 142,
    HomeAgentAddressDiscoveryRequest: 144,
    HomeAgentAddressDiscoveryReply: 145,
    MobilePrefixSolicitation: 146,
    MobilePrefixAdvertisement: 147,
    DuplicateAddressRequestCodeSuffix: 157,
    DuplicateAddressConfirmationCodeSuffix: 158,
    ExtendedEchoRequest: 160,
  },
};

/**
 * Whether an `icmps` field of type `ruleType` covers ICMP type `type` of the same family. Cilium 1.14-1.19 carries the
 * ICMP type in the port of an L4 filter (pkg/policy/api/icmp.go `ICMPField.PortProtocol`: `Port: "<type>"`), and port 0
 * is the every-port wildcard of the policy map key (pkg/policy/portrange.go `PortRangeToMaskedPorts`: `start == 0 &&
 * end == 0` is `{0, 0}`; before 1.16 `Key{DestPort: 0}`): a field of type 0 (IPv4 `EchoReply`, or `0` with IPv6) covers
 * every type of its family, as an allow and as a deny (cilium/cilium#41304).
 */
export function icmpTypeCovers(ruleType: number, type: number): boolean {
  return icmpTypeIsWildcard(ruleType) || ruleType === type;
}

/** Whether an `icmps` field of this type covers every ICMP type of its family (type 0; see `icmpTypeCovers`). */
export function icmpTypeIsWildcard(ruleType: number | undefined): boolean {
  return ruleType === 0;
}

/**
 * ICMP type names the agent accepts beyond the model's table (pkg/policy/api/icmp.go aliases: IPv4 `EchoRequest` is 8,
 * `ExtendedEchoReply` 43; IPv6 `ExtendedEchoReply` 161).
 */
const ICMP_ALIASES: Readonly<Record<'IPv4' | 'IPv6', Readonly<Record<string, number>>>> = {
  IPv4: { EchoRequest: 8, ExtendedEchoReply: 43 },
  IPv6: { ExtendedEchoReply: 161 },
};

/** Resolves an ICMP type (number, numeric string or CamelCase name) for a family. */
export function icmpTypeNumber(type: number | string, family: 'IPv4' | 'IPv6'): number | undefined {
  if (typeof type === 'number') return Number.isInteger(type) && type >= 0 && type <= 255 ? type : undefined;
  if (/^\d+$/.test(type)) return icmpTypeNumber(Number(type), family);
  const names = ICMP_TYPE_NAMES[family];
  if (Object.prototype.hasOwnProperty.call(names, type)) return names[type];
  const aliases = ICMP_ALIASES[family];
  return Object.prototype.hasOwnProperty.call(aliases, type) ? aliases[type] : undefined;
}
