/**
 * The layer-4 match a typed `Port` or `Icmp` value carries, in model terms, and the one connection it names when it
 * names exactly one (a single port with one protocol, or one ICMP type): the construct side builds the match, the engine
 * reads it (the engine never sees the construct classes).
 */
import { IcmpFieldModel, PortProtocolModel } from './policy-model';

/**
 * A layer-4 match of the typed API (`Port.tcp(8080)`, `Icmp.echoRequest()`), as the engine reads it: the verdict engine
 * and the test matchers accept one wherever they take a connection.
 */
export interface IPortSpec {
  /** Its layer-4 match, as the model writes it. */
  toPortMatch(): PortMatchModel;
}

/** The layer-4 match of a port value (`IPortSpec.toPortMatch()`): exactly one of `l4` and `icmp` is set. */
export interface PortMatchModel {
  /** A port, port range, named port or protocol. @default - none: an ICMP type (`icmp`) */
  readonly l4?: PortProtocolModel;
  /** One ICMP type. @default - none: a port match (`l4`) */
  readonly icmp?: IcmpFieldModel;
}

/** @internal The layer-4 match of a port value; `undefined` when it is not one (plain JavaScript, or neither field set). */
export function portMatchOf(value: unknown): PortMatchModel | undefined {
  const toPortMatch = (value as Partial<IPortSpec> | null | undefined)?.toPortMatch;
  if (typeof toPortMatch !== 'function') return undefined;
  const match = toPortMatch.call(value);
  return match?.icmp || match?.l4 ? match : undefined;
}

/** @internal The one connection a port match names; ICMP types stay as written (a number or a Cilium name). */
export type SinglePortSpec =
  | { readonly kind: 'l4'; readonly protocol: 'TCP' | 'UDP' | 'SCTP'; readonly port: number }
  | { readonly kind: 'icmp'; readonly family: 'IPv4' | 'IPv6'; readonly type: number | string };

/**
 * @internal The one connection `match` names: a single numeric port with TCP, UDP or SCTP, or one ICMP type; `undefined`
 * for a range, a named port, protocol `ANY`, every port, or a portless protocol.
 */
export function singlePortOf(match: PortMatchModel): SinglePortSpec | undefined {
  if (match.icmp) return { kind: 'icmp', family: match.icmp.family === 'IPv6' ? 'IPv6' : 'IPv4', type: match.icmp.type };
  const m = match.l4 ?? {};
  const protocol = (m.protocol ?? 'ANY').toUpperCase();
  if (m.port === undefined || !/^\d+$/.test(m.port) || Number(m.port) <= 0 || m.endPort !== undefined) return undefined;
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return undefined;
  return { kind: 'l4', protocol, port: Number(m.port) };
}
