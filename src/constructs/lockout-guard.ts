// The lockout guard as HostFirewall writes its paths (peers and ports as construct values): a thin adapter over the one
// guard of `src/validate/lockout-guard.ts`, which `validate` and the synthesis of every host policy also use.
import { SectionName } from '../model/policy-model';
import * as guard from '../validate/lockout-guard';
import { IPeer } from './peer';
import { Port } from './port';

/** One path the host-firewall lockout guard keeps open, with construct peers and ports. */
export interface GuardPath {
  /** Its name (a `LockoutPath` value). */
  readonly path: string;
  /** Direction on the node. */
  readonly direction: 'ingress' | 'egress';
  /** The peers on the other side. */
  readonly peers: IPeer[];
  /** Its ports and ICMP types. */
  readonly ports: Port[];
}

/** A deny rule item that cuts a guarded path. */
export interface GuardViolation {
  /** The guarded path. */
  readonly path: string;
  /** The deny section. */
  readonly section: SectionName;
  /** Index of the item in the section. */
  readonly index: number;
  /** The peer and port it cuts. */
  readonly what: string;
}

/** The path as the shared guard reads it: the peers' rule items and the ports' matches, with their descriptions. */
export function toGuardPath(path: GuardPath): guard.GuardPath {
  return {
    path: path.path as guard.LockoutPath,
    direction: path.direction,
    peers: path.peers.map((p) => {
      const config = p.toPeerConfig();
      return { item: config.item, description: config.description };
    }),
    ports: path.ports.map((p) => ({ ...p._match, description: p.toString() })),
  };
}

/** The deny items that would drop traffic of a guarded path (deny wins over any allow in Cilium). */
export function guardViolations(paths: GuardPath[], denies: guard.DenyItem[]): GuardViolation[] {
  return guard.guardViolations(paths.map(toGuardPath), denies);
}
