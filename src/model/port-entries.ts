/**
 * One `ports[]` entry of a port rule as the agent reads it (pkg/policy/api/l4.go, `createL4Filter`): its protocols (`ANY`
 * or none = TCP, UDP and SCTP), and a port range, a named port, every port, or not a port. The one reading of a port entry,
 * for the engine's layer 4 (`engine/ports.ts`) and the L7 parser merge (`l7-parsers.ts`).
 */
import { goParseUint } from './go-uint';
import { PortProtocolModel } from './policy-model';

/** The protocols `ANY` (or no protocol) stands for. */
export const ANY_PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

/** One `ports[]` entry, resolved (as the engine and the L7 parser merge read it). */
export interface CompiledPort {
  /** Protocols it covers. */
  readonly protocols: readonly string[];
  /** `all` ports, a `range` (`lo`..`hi`, a single port when equal), a `named` port, or `invalid` (matches nothing). */
  readonly kind: 'all' | 'range' | 'named' | 'invalid';
  /** First port. */
  readonly lo: number;
  /** Last port. */
  readonly hi: number;
  /** Port name (lower-case) of a named port. */
  readonly name?: string;
  /** `80/TCP`, `80-444/TCP`, `http/ANY`, `0/ANY`. */
  readonly text: string;
  /**
   * The `endPort` as written, where the CRD keeps it: the agent keys its L4 filters by port, end port and protocol as
   * written, so `80` and `80` with `endPort: 80` are two filters. On a named port it ends a range that starts at the
   * number the name resolves to (`namedPortEnd`).
   * @default - no end port
   */
  readonly endPort?: number;
}

/** Cilium's `iana.IsSvcName`: 1-15 characters, letters, digits and single inner hyphens, at least one letter. */
export function isIanaSvcName(s: string): boolean {
  return s.length >= 1 && s.length <= 15 && /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/.test(s);
}

/** How the agent reads a `port` string. */
export type PortReading =
  | { readonly kind: 'empty' }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'number'; readonly value: number; readonly base: number }
  | { readonly kind: 'invalid'; readonly reason: 'syntax' | 'range' };

/**
 * Reads a `port` the way the agent does (`PortProtocol.sanitize`, `createL4Filter`): a service name first, else
 * `strconv.ParseUint(s, 0, 16)` (`"010"` is octal 8, `"8_0"` is 80).
 */
export function readPort(port: string): PortReading {
  if (port === '') return { kind: 'empty' };
  if (isIanaSvcName(port)) return { kind: 'named', name: port.toLowerCase() };
  const r = goParseUint(port, 16);
  return r.ok ? { kind: 'number', value: r.value, base: r.base } : { kind: 'invalid', reason: r.reason };
}

/** Parses a port string the way the agent does (`readPort`; none or `""` is port 0); a name is returned lower-case. */
export function parsePortValue(port: string | undefined): { kind: 'number'; value: number } | { kind: 'name'; name: string } | { kind: 'invalid' } {
  const r = readPort(port ?? '');
  if (r.kind === 'empty') return { kind: 'number', value: 0 };
  if (r.kind === 'named') return { kind: 'name', name: r.name };
  return r.kind === 'number' ? { kind: 'number', value: r.value } : { kind: 'invalid' };
}

/**
 * Reads one port entry.
 * @param endPortExists whether `endPort` exists (Cilium 1.16+; older CRDs prune it)
 */
export function compilePortEntry(p: PortProtocolModel, endPortExists: boolean): CompiledPort {
  const proto = p.protocol === undefined || p.protocol === '' || p.protocol.toUpperCase() === 'ANY' ? [...ANY_PROTOCOLS] : [p.protocol.toUpperCase()];
  const protoText = p.protocol === undefined || p.protocol === '' ? 'ANY' : p.protocol.toUpperCase();
  const parsed = parsePortValue(p.port);
  if (parsed.kind === 'invalid') return { protocols: proto, kind: 'invalid', lo: 0, hi: 0, text: `${p.port}/${protoText} (not a port)` };
  const written = endPortExists && typeof p.endPort === 'number' ? { endPort: p.endPort } : {};
  if (parsed.kind === 'name') {
    const upTo = written.endPort !== undefined && written.endPort > 0 ? ` (up to ${Math.min(written.endPort, 65535)})` : '';
    return { protocols: proto, kind: 'named', lo: 0, hi: 0, name: parsed.name, text: `${parsed.name}${upTo}/${protoText}`, ...written };
  }
  const end = endPortExists && p.endPort !== undefined && p.endPort > parsed.value ? Math.min(p.endPort, 65535) : parsed.value;
  // Port 0 is every port unless an endPort below 65535 bounds it (`PortRangeToMaskedPorts(0, end)`: 0-end).
  if (parsed.value === 0 && (end === 0 || end === 65535)) return { protocols: proto, kind: 'all', lo: 0, hi: 65535, text: `0/${protoText} (all ports)`, ...written };
  return { protocols: proto, kind: 'range', lo: parsed.value, hi: end, text: `${parsed.value}${end > parsed.value ? `-${end}` : ''}/${protoText}`, ...written };
}

/**
 * The last port of a named port entry that resolved to `resolved`. The agent resolves the name and then masks the range
 * from it to the entry's `endPort` like any other (pkg/policy/l4.go `toMapState`: `port = GetNamedPort(...)`, then
 * `PortRangeToMaskedPorts(port, l4.EndPort)`; `createL4Filter` keeps `EndPort` for named ports too): `resolved` itself
 * when there is no `endPort` or it is not above `resolved`.
 */
export function namedPortEnd(p: CompiledPort, resolved: number): number {
  return p.endPort !== undefined && p.endPort > resolved ? Math.min(p.endPort, 65535) : resolved;
}
