/**
 * The layer-4 match a typed `Port` or `Icmp` value carries, in model terms, and the one connection it names when it
 * names exactly one (a single port with one protocol, or one ICMP type): the construct side builds the spec, the engine
 * reads it (the engine never sees the construct classes).
 */
import { IcmpFieldModel, PortProtocolModel } from './policy-model';

/** The layer-4 match a `Port` carries: a port, port range, named port or protocol (`l4`), or one ICMP type (`icmp`). */
export type PortSpec = { readonly kind: 'l4'; readonly model: PortProtocolModel } | { readonly kind: 'icmp'; readonly field: IcmpFieldModel };

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

/** @internal The port spec of a port value's match; `undefined` when it is not a port value (plain JavaScript). */
export function portSpecOf(value: unknown): PortSpec | undefined {
  const toPortMatch = (value as Partial<IPortSpec> | null | undefined)?.toPortMatch;
  if (typeof toPortMatch !== 'function') return undefined;
  const match = toPortMatch.call(value);
  if (match?.icmp) return { kind: 'icmp', field: match.icmp };
  if (match?.l4) return { kind: 'l4', model: match.l4 };
  return undefined;
}

/** @internal The one connection a port spec names; ICMP types stay as written (a number or a Cilium name). */
export type SinglePortSpec =
  | { readonly kind: 'l4'; readonly protocol: 'TCP' | 'UDP' | 'SCTP'; readonly port: number }
  | { readonly kind: 'icmp'; readonly family: 'IPv4' | 'IPv6'; readonly type: number | string };

/**
 * @internal The one connection `spec` names: a single numeric port with TCP, UDP or SCTP, or one ICMP type; `undefined`
 * for a range, a named port, protocol `ANY`, every port, or a portless protocol.
 */
export function singlePortOf(spec: PortSpec): SinglePortSpec | undefined {
  if (spec.kind === 'icmp') return { kind: 'icmp', family: spec.field.family === 'IPv6' ? 'IPv6' : 'IPv4', type: spec.field.type };
  const m = spec.model;
  const protocol = (m.protocol ?? 'ANY').toUpperCase();
  if (m.port === undefined || !/^\d+$/.test(m.port) || Number(m.port) <= 0 || m.endPort !== undefined) return undefined;
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return undefined;
  return { kind: 'l4', protocol, port: Number(m.port) };
}
