import { CiliumPolicyError, showValue } from '../core/errors';
import { callerLocation } from './caller-location';
import { checkEntriesUnique } from './list-duplicates';
import { checkPropsObject, readPropsOnce } from './names';
import { IcmpFieldModel, PortProtocolModel } from '../model/policy-model';
import { ICMP_TYPE_NAMES, icmpTypeIsWildcard } from '../model/icmp-types';
import { IPortSpec, PortMatchModel } from '../model/port-spec';
import { hasValueMark, markValue } from './value-mark';
import { describeValue } from '../model/plain-value';
import { isIanaSvcName } from '../model/port-entries';

/** The options of `PortOptions` (`checkPropKeys`). */
export const PORT_OPTION_KEYS: readonly string[] = ['port', 'name', 'endPort', 'protocol'];

/** Transport protocols of `toPorts`. */
export enum Protocol {
  /** TCP. */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
  /** SCTP. */
  SCTP = 'SCTP',
  /** TCP, UDP and SCTP (not ICMP). */
  ANY = 'ANY',
  /** VRRP, a portless protocol (Cilium 1.19+, agent flag `enable-extended-ip-protocols`). */
  VRRP = 'VRRP',
  /** IGMP, a portless protocol (Cilium 1.19+, agent flag `enable-extended-ip-protocols`). */
  IGMP = 'IGMP',
}

/** IP family of an ICMP match. */
export enum IcmpFamily {
  /** ICMP. */
  IPV4 = 'IPv4',
  /** ICMPv6. */
  IPV6 = 'IPv6',
}

/** Options of `Port.of()`. */
export interface PortOptions {
  /**
   * Port number (1-65535). For every port say so explicitly with `Port.allPorts()`, `Port.allTcp()` and friends.
   * @default - one of `port` or `name` is required unless the protocol is portless (VRRP, IGMP)
   */
  readonly port?: number;
  /**
   * A named container port (`http`): on ingress the selected pod's own (refused on the ingress of a host policy: the host
   * has none), on egress resolved against the pods of the whole cluster (see `Port.named`).
   * @default - a numeric port
   */
  readonly name?: string;
  /**
   * Last port of a range starting at `port` (Cilium 1.16+).
   * @default - a single port
   */
  readonly endPort?: number;
  /**
   * The protocol.
   * @default Protocol.ANY
   */
  readonly protocol?: Protocol;
}

/**
 * A layer-4 match: a port, a port range, a named port, or an ICMP type (see `Icmp`).
 * Ports are always written with an explicit protocol, as decimal strings.
 */
export class Port implements IPortSpec {
  /** One TCP port. */
  public static tcp(port: number): Port {
    return Port.single(port, Protocol.TCP);
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return Port.single(port, Protocol.UDP);
  }

  /** One SCTP port. */
  public static sctp(port: number): Port {
    return Port.single(port, Protocol.SCTP);
  }

  /** One port on TCP, UDP and SCTP (`protocol: ANY`), e.g. DNS on 53. */
  public static any(port: number): Port {
    return Port.single(port, Protocol.ANY);
  }

  /** A TCP port range, both ends included (`endPort`, Cilium 1.16+). */
  public static tcpRange(from: number, to: number): Port {
    return Port.range(from, to, Protocol.TCP);
  }

  /** A UDP port range, both ends included (`endPort`, Cilium 1.16+). */
  public static udpRange(from: number, to: number): Port {
    return Port.range(from, to, Protocol.UDP);
  }

  /** A port range on a protocol, both ends included (`endPort`, Cilium 1.16+). */
  public static range(from: number, to: number, protocol: Protocol = Protocol.ANY): Port {
    checkProtocol(protocol);
    checkNumber(from, 'port range start', 1);
    checkNumber(to, 'port range end', 1);
    if (to < from) {
      throw new CiliumPolicyError({
        id: 'port-range-reversed',
        message: `port range ${from}-${to} ends before it starts`,
        // The call that writes the same protocol: `Port.range(a, b)` is every protocol (ANY), wider than a TCP range.
        fix: `write ${reversedRangeFix(from, to, protocol)}`,
        location: callerLocation(),
      });
    }
    if (to === from) return Port.single(from, protocol);
    return new Port({ l4: { port: String(from), endPort: to, protocol } });
  }

  /**
   * A named container port such as `http`. On ingress it is the selected pod's own port of that name. On egress Cilium
   * 1.14-1.19 resolves the name against the container ports of every pod of the cluster, not on the destination
   * (cilium/cilium#24779): one number there is that number for every peer of the rule, and a name two pods give different
   * numbers allows nothing. So an egress allow with a named port to a peer that is not pods (a CIDR, an FQDN, an entity,
   * nodes, any peer) is refused (`port-name-egress-peer`), and so is an egress deny with one (`port-name-egress-deny`: it
   * would be skipped as soon as the name is ambiguous in the cluster). On the ingress of a host policy it is refused
   * (`port-name-host-ingress`): the host endpoint has no container ports, so the agent skips the port.
   */
  public static named(name: string, protocol: Protocol = Protocol.ANY): Port {
    checkProtocol(protocol);
    // Not a string first: `RegExp.test` reads `undefined` as the text "undefined", a valid name, and `name.length` was a TypeError.
    // Cilium's `iana.IsSvcName` (`isIanaSvcName`), which checks the length before the pattern: the pattern's nested runs
    // backtrack on a long name (`a-` 8,000 times then `!`: 0.2 s, growing with the square of the length).
    if (typeof name !== 'string' || !isIanaSvcName(name)) {
      throw new CiliumPolicyError({
        id: 'port-name-syntax',
        message: typeof name === 'string' ? `${showValue(name)} is not a valid port name` : `the port name is ${describeValue(name)}, not a string`,
        fix: 'use an IANA service name: 1-15 letters, digits and single dashes, with at least one letter',
        location: callerLocation(),
      });
    }
    if (/^0[xob]/i.test(name)) {
      throw new CiliumPolicyError({
        id: 'port-name-numeric',
        message: `port name "${name}" reads like a number in hex, octal or binary, which is easy to mistake for a port number`,
        fix: `rename the container port, or use Port.tcp(${/^0x[0-9a-f]+$/i.test(name) ? parseInt(name, 16) : '<number>'}) for a number`,
        location: callerLocation(),
      });
    }
    return new Port({ l4: { port: name.toLowerCase(), protocol } });
  }

  /** Every TCP port (`port: "0"`). */
  public static allTcp(): Port {
    return new Port({ l4: { port: '0', protocol: Protocol.TCP } });
  }

  /** Every UDP port (`port: "0"`). */
  public static allUdp(): Port {
    return new Port({ l4: { port: '0', protocol: Protocol.UDP } });
  }

  /** Every SCTP port (`port: "0"`). */
  public static allSctp(): Port {
    return new Port({ l4: { port: '0', protocol: Protocol.SCTP } });
  }

  /** Every port of TCP, UDP and SCTP (`port: "0", protocol: ANY`). */
  public static allPorts(): Port {
    return new Port({ l4: { port: '0', protocol: Protocol.ANY } });
  }

  /** A portless protocol such as `Protocol.VRRP` or `Protocol.IGMP` (Cilium 1.19+). */
  public static protocol(protocol: Protocol): Port {
    checkProtocol(protocol);
    if (protocol !== Protocol.VRRP && protocol !== Protocol.IGMP) {
      throw new CiliumPolicyError({
        id: 'port-protocol-needs-port',
        message: `protocol ${protocol} needs a port`,
        fix: `use Port.${protocol === Protocol.ANY ? 'allPorts' : `all${protocol[0]}${protocol.slice(1).toLowerCase()}`}() or give a port number`,
        location: callerLocation(),
      });
    }
    return new Port({ l4: { protocol } });
  }

  /** Any combination of port, name, range and protocol. */
  public static of(options: PortOptions): Port {
    checkPropsObject(options, 'Port.of()', 'Port.of({ port: 8080, protocol: Protocol.TCP })', undefined, true);
    // `endport: 8090` was dropped (one port instead of a range: less), `protocl: Protocol.TCP` too (every protocol: more).
    // Read once: a `protocol` getter answering TCP to the checks and null after was written ANY (every protocol).
    options = readPropsOnce(options, { keys: PORT_OPTION_KEYS, owner: 'Port.of()', noun: 'option' });
    // `protocol: null` (a lookup that found nothing) was read as left out: ANY, TCP, UDP and SCTP.
    if (options.protocol !== undefined) checkProtocol(options.protocol);
    const protocol = options.protocol ?? Protocol.ANY;
    if (options.name !== undefined) {
      if (options.port !== undefined || options.endPort !== undefined) {
        throw new CiliumPolicyError({
          id: 'port-name-and-number',
          message: `a port has either a name (${showValue(options.name)}) or a number (${showValue(options.port ?? options.endPort)}), not both`,
          fix: 'drop one of them',
          location: callerLocation(),
        });
      }
      return Port.named(options.name, protocol);
    }
    if (options.port === undefined && options.endPort !== undefined) {
      // With a portless protocol (VRRP, IGMP) the range was dropped, and the whole protocol allowed.
      throw new CiliumPolicyError({
        id: 'port-end-without-start',
        message: `Port.of() got endPort ${showValue(options.endPort)} without port: a range needs its first port`,
        fix: protocol === Protocol.VRRP || protocol === Protocol.IGMP
          ? `drop endPort: ${protocol} has no ports (Port.protocol(Protocol.${protocol}))`
          : `give port, the first port of the range (Port.of({ port: <first>, endPort: ${showValue(options.endPort)} }))`,
        location: callerLocation(),
      });
    }
    if (options.port === undefined) return Port.protocol(protocol);
    if (options.endPort !== undefined) return Port.range(options.port, options.endPort, protocol);
    return Port.single(options.port, protocol);
  }

  private static single(port: number, protocol: Protocol): Port {
    checkNumber(port, 'port', 1);
    return new Port({ l4: { port: String(port), protocol } });
  }

  /** @internal */
  public static _fromModel(model: PortProtocolModel): Port {
    return new Port({ l4: { ...model } });
  }

  /** @internal */
  public static _icmp(field: IcmpFieldModel): Port {
    return new Port({ icmp: field });
  }

  private constructor(private readonly match: PortMatchModel) {
    markValue(this, 'Port');
  }

  /** @internal Its layer-4 match, not copied (for the SDK's own reading). */
  public get _match(): PortMatchModel {
    return this.match;
  }

  /** Its layer-4 match, as the model writes it (what the verdict engine reads). */
  public toPortMatch(): PortMatchModel {
    return this.match.icmp ? { icmp: { ...this.match.icmp } } : { l4: { ...this.match.l4 } };
  }

  /** `8080/TCP`, `80-90/TCP`, `http/ANY`, `icmp 8/IPv4`. */
  public toString(): string {
    if (this.match.icmp) return `icmp ${this.match.icmp.type}/${this.match.icmp.family ?? 'IPv4'}`;
    const m = this.match.l4 ?? {};
    return `${m.port ?? ''}${m.endPort !== undefined ? `-${m.endPort}` : ''}/${m.protocol ?? 'ANY'}`;
  }
}

/**
 * Whether a value is a `Port` of this library, of this copy of the package or another (a shared construct library with a
 * cdk8s-cilium of its own beside the app's: `instanceof` refused its ports): the one check of every list of ports
 * (`ports`, `breakGlassPorts`, a tier's `ports` and `metricsPorts`). A look-alike (`{ _match: 1 }` from JavaScript) has no
 * match to write, and a port list of it was written as no `toPorts`: every port.
 * @param value an entry of a port list
 */
export function isPort(value: unknown): value is Port {
  return hasValueMark(value, 'Port');
}

/**
 * Refuses a construct prop's list of ports that holds the same port twice (`scrapePorts: [Port.tcp(9090), Port.tcp(9090)]`,
 * as `toString` writes it: `9090/TCP`): the rule writes it once, so the list says less than it reads, and the copy is most
 * likely a slip for another port, never opened. The one check of the constructs' port props (`scrapePorts`, a tier's
 * `ports` and `metricsPorts`, `MonitoringScrape` `ports`, `FqdnEgress` `ports`, `breakGlassPorts`), as a tier name (`tiered-app-duplicate-tier`)
 * or an exemption path (`lockout-exemption-duplicate`) given twice is refused.
 * @param ports the list, already checked to hold `Port`s (`isPort`)
 * @param what the prop, as messages name it (`DefaultDenyNamespace scrapePorts`)
 * @param location the construct path
 */
export function checkPortsUnique(ports: readonly Port[] | undefined, what: string, location: string): void {
  checkEntriesUnique(ports, { what, noun: 'port', verb: 'opens it', id: 'ports-duplicate', text: String, show: String }, location);
}

/**
 * ICMP matches (`icmps`). They are `Port`s so they can be passed along with TCP/UDP ports; the rule is split
 * automatically because Cilium does not allow `icmps` and `toPorts` in one rule item.
 */
export class Icmp {
  /** Echo request (ping): type 8, or 128 for IPv6. */
  public static echoRequest(family: IcmpFamily = IcmpFamily.IPV4): Port {
    return Icmp.type(family === IcmpFamily.IPV6 ? 128 : 8, family);
  }

  /**
   * Echo reply: 129 for IPv6. The IPv4 form (type 0) is refused (`icmp-type-zero`): Cilium 1.14-1.19 reads type 0 as
   * every ICMPv4 type (the type is the port of its policy map key, and port 0 is the wildcard; cilium/cilium#41304), so
   * it would open (or deny) all ICMPv4. Replies to an allowed echo request pass through connection tracking without a rule.
   */
  public static echoReply(family: IcmpFamily = IcmpFamily.IPV4): Port {
    return Icmp.type(family === IcmpFamily.IPV6 ? 129 : 0, family);
  }

  /** Destination unreachable (path MTU discovery needs it): type 3, or 1 for IPv6. */
  public static destinationUnreachable(family: IcmpFamily = IcmpFamily.IPV4): Port {
    return Icmp.type(family === IcmpFamily.IPV6 ? 1 : 3, family);
  }

  /** Time exceeded (traceroute): type 11, or 3 for IPv6. */
  public static timeExceeded(family: IcmpFamily = IcmpFamily.IPV4): Port {
    return Icmp.type(family === IcmpFamily.IPV6 ? 3 : 11, family);
  }

  /** ICMPv6 packet too big (type 2), needed for IPv6 path MTU discovery. */
  public static packetTooBig(): Port {
    return Icmp.type(2, IcmpFamily.IPV6);
  }

  /**
   * An ICMP type by number (1-255). Type 0 is refused (`icmp-type-zero`): Cilium reads it as every type of its family
   * (see `echoReply`).
   */
  public static type(type: number, family: IcmpFamily = IcmpFamily.IPV4): Port {
    checkFamily(family);
    checkNumber(type, 'ICMP type', 0, 255);
    refuseTypeZero(type, family);
    return Port._icmp({ family, type });
  }

  /** An ICMP type by Cilium's CamelCase name, e.g. `DestinationUnreachable` or (IPv6) `NeighborSolicitation`. */
  public static named(name: string, family: IcmpFamily = IcmpFamily.IPV4): Port {
    checkFamily(family);
    const names = ICMP_TYPE_NAMES[family];
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(names, name)) {
      throw new CiliumPolicyError({
        id: 'icmp-name-unknown',
        message: `${showValue(name)} is not an ${family === IcmpFamily.IPV6 ? 'ICMPv6' : 'ICMP'} type name`,
        fix: `use one of ${Object.keys(names).join(', ')}, or Icmp.type(<number>)`,
        location: callerLocation(),
      });
    }
    refuseTypeZero(names[name], family);
    return Port._icmp({ family, type: name });
  }

  private constructor() {}
}

/**
 * Refuses a protocol that is not a `Protocol` (plain JavaScript: `'tcp'`, `'ICMP'`, `null`): `Port.of()` read `null` as left
 * out, every protocol (ANY); the other factories wrote it, for the API server to refuse.
 */
function checkProtocol(protocol: unknown): void {
  if ((Object.values(Protocol) as unknown[]).includes(protocol)) return;
  const near = typeof protocol === 'string' ? Object.values(Protocol).find((p) => p === protocol.trim().toUpperCase()) : undefined;
  const icmp = typeof protocol === 'string' && /^icmp/i.test(protocol.trim());
  throw new CiliumPolicyError({
    id: 'port-protocol-unknown',
    message: `protocol ${showValue(protocol)} is not a Protocol`,
    fix: near !== undefined ? `pass Protocol.${near}`
      : icmp ? 'ICMP types are Icmp values: Icmp.echoRequest(), Icmp.type(3), Icmp.named(\'PacketTooBig\', IcmpFamily.IPV6)'
        : `pass one of ${Object.keys(Protocol).map((k) => `Protocol.${k}`).join(', ')}, or leave it out for Protocol.ANY`,
    location: callerLocation(),
  });
}

/**
 * Refuses a family that is not an `IcmpFamily` (plain JavaScript: `'ipv6'`, `'IPV6'`): `Icmp.named()` failed with a TypeError,
 * and the helpers took anything but `IcmpFamily.IPV6` for IPv4, writing the IPv4 type under a family Cilium refuses.
 */
function checkFamily(family: unknown): void {
  if ((Object.values(IcmpFamily) as unknown[]).includes(family)) return;
  const near = typeof family === 'string' ? Object.values(IcmpFamily).find((f) => f.toLowerCase() === family.toLowerCase()) : undefined;
  throw new CiliumPolicyError({
    id: 'icmp-family-unknown',
    message: `ICMP family ${showValue(family)} is not IcmpFamily.IPV4 or IcmpFamily.IPV6`,
    fix: `pass ${near === IcmpFamily.IPV6 ? 'IcmpFamily.IPV6' : near === IcmpFamily.IPV4 ? 'IcmpFamily.IPV4' : 'IcmpFamily.IPV4 (the default) or IcmpFamily.IPV6'}`,
    location: callerLocation(),
  });
}

/**
 * Type 0 (IPv4 `EchoReply`) is the port-0 wildcard of Cilium's policy map key (`icmpTypeCovers`, cilium/cilium#41304):
 * a rule for it covers every ICMP type of the family, so it is refused rather than written.
 */
function refuseTypeZero(type: number, family: IcmpFamily): void {
  if (!icmpTypeIsWildcard(type)) return;
  const icmp = family === IcmpFamily.IPV6 ? 'ICMPv6' : 'ICMPv4';
  throw new CiliumPolicyError({
    id: 'icmp-type-zero',
    message: `${icmp} type 0${family === IcmpFamily.IPV4 ? ' (echo reply)' : ''} would match every ${icmp} type: Cilium carries the ICMP type in the `
      + 'port of its policy map key, and port 0 is the wildcard (cilium/cilium#41304)',
    fix: 'drop it: replies to an allowed echo request pass through connection tracking without a rule; to allow every ICMP type, '
      + 'allow the peer without ports (or list the types meant)',
    location: callerLocation(),
  });
}

function checkNumber(value: number, what: string, min: number, max = 65535): void {
  if (typeof value !== 'number') {
    throw new CiliumPolicyError({
      id: 'port-not-a-number',
      message: `${what} ${typeof value === 'bigint' ? `${String(value)}n` : showValue(value)} is a ${value === null ? 'null' : typeof value}, not a number`,
      fix: typeof value === 'string' && /^\d+$/.test(value) ? `pass the number ${value}, not the string '${value}'` : `pass an integer between ${min} and ${max}`,
      location: callerLocation(),
    });
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CiliumPolicyError({
      id: 'port-out-of-range',
      message: `${what} ${value} is not an integer between ${min} and ${max}`,
      fix: what === 'port' || what.startsWith('port range')
        ? `use a port between 1 and 65535${value === 0 ? '; port 0 means every port: say so with Port.allPorts(), Port.allTcp(), Port.allUdp() or Port.allSctp()' : ''}`
        : `use an integer between ${min} and ${max}`,
      location: callerLocation(),
    });
  }
}

/** The call that writes the range `to`-`from` on `protocol` (the refusal of a reversed range names it). */
function reversedRangeFix(from: number, to: number, protocol: Protocol): string {
  if (protocol === Protocol.TCP) return `Port.tcpRange(${to}, ${from})`;
  if (protocol === Protocol.UDP) return `Port.udpRange(${to}, ${from})`;
  return protocol === Protocol.ANY ? `Port.range(${to}, ${from})` : `Port.range(${to}, ${from}, Protocol.${protocol})`;
}
