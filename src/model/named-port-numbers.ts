/**
 * The port numbers that named container ports give, by lower-case name and protocol: what Cilium resolves a named port of
 * a policy against (pkg/policy `NamedPortMultiMap.GetNamedPort`: a name and protocol with one number resolves to it; with
 * two it is `ErrDuplicateNamedPorts` and the entry is skipped). Shared by the engine (`engine/named-ports.ts`) and
 * validate (`pitfall-l7-rules-widened`).
 */

/** A named container port: a name, its number and protocol (`TCP` when unset). */
export interface NamedPortNumber {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
}

/** The key of a name and protocol: `name\0PROTOCOL` (the name compared case-insensitively, `TCP` when unset). */
export function namedPortKey(name: string, protocol: string | undefined): string {
  return `${name.toLowerCase()}\0${(protocol ?? 'TCP').toUpperCase()}`;
}

/** The numbers of the named ports of `ports` (unnamed ones aside), by `namedPortKey`. */
export function namedPortNumbers(ports: readonly NamedPortNumber[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const p of ports) {
    if (p.name === undefined || p.name === '') continue;
    const key = namedPortKey(p.name, p.protocol);
    let set = out.get(key);
    if (set === undefined) {
      set = new Set();
      out.set(key, set);
    }
    set.add(p.port);
  }
  return out;
}
