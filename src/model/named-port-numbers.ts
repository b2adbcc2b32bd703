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

/**
 * The named ports the pods of `workloads` give (`namedPortNumbers`), host-network pods aside (no Cilium endpoint: they
 * add none). Of the cluster's workloads, what an egress named port resolves against (1.14-1.19: pkg/endpoint
 * `GetNamedPort(ingress=false)` → the agent's `NamedPortMultiMap` of every pod); of the workloads a rule selects, what its
 * ingress named ports resolve against. The one reading for the engine (`egressNamedPorts`) and validate.
 */
export function workloadNamedPortNumbers(
  workloads: readonly { readonly hostNetwork?: boolean; readonly ports: readonly NamedPortNumber[] }[],
): Map<string, Set<number>> {
  return namedPortNumbers(workloads.filter((w) => w.hostNetwork !== true).flatMap((w) => w.ports));
}

/**
 * The one number a name and protocol give among `numbers` (`namedPortNumbers`), else `undefined`: a name of no port, or
 * of two numbers (`NamedPortMultiMap.GetNamedPort` → `ErrDuplicateNamedPorts`, and the entry is skipped). The one
 * resolution of a named port for the engine (`agentRefusals`' redirects) and validate (`pitfall-l7-parser-conflict`).
 */
export function namedPortNumber(numbers: ReadonlyMap<string, ReadonlySet<number>>, name: string, protocol: string | undefined): number | undefined {
  const found = numbers.get(namedPortKey(name, protocol));
  return found?.size === 1 ? [...found][0] : undefined;
}
