/**
 * The IP families a Hubble capture shows its cluster runs, and the warning when the policies are judged for others: one
 * implementation for `replay` and for the `--flows` of `diff` and `report`.
 */
import { CiliumVersion } from '../core/cilium-version';
import { familiesOf } from '../engine/identity';
import { IpFamilies } from '../engine/policy-set-options';
import { parseIp, unmapIp } from '../model/cidr';
import { FlowCapture } from './connections';

/** `ipv4`, `ipv6` or `dual`: the `--ip-families` value of `mode`. */
export function familiesSetting(mode: IpFamilies): string {
  return mode === IpFamilies.DUAL ? 'dual' : mode === IpFamilies.IPV6 ? 'ipv6' : 'ipv4';
}

/**
 * `IpFamilies.DUAL` when the capture shows a dual-stack cluster (`FlowCapture.dualStackEvidence`), else `undefined`.
 * Only dual-stack leaves a sign: a single-stack cluster gives its world identity 2 whatever its family, and the
 * addresses of one family alone do not tell an IPv4-only cluster from a dual-stack one whose capture holds no IPv6.
 */
export function inferIpFamilies(capture: FlowCapture): IpFamilies | undefined {
  return capture.dualStackEvidence !== undefined ? IpFamilies.DUAL : undefined;
}

/**
 * A warning when the policies are judged for IP families (`mode`) the capture shows the cluster does not run as judged:
 * the capture comes from a dual-stack cluster (world identities 9/10) and `mode` is single-stack, or it holds addresses
 * of a family `mode` leaves out. `undefined` when they agree.
 * @param rerun how the warning's fix starts (`replay`, `run diff`): `<rerun> with --ip-families dual`
 */
export function captureFamiliesWarning(capture: FlowCapture, mode: IpFamilies, rerun: string): string | undefined {
  return dualStackWarning(capture, mode, rerun) ?? familyWarning(capture, mode, rerun);
}

/**
 * A warning when the capture carries the world identities 9/10 (`FlowCapture.dualStackEvidence`) and the policies are
 * judged for a Cilium older than 1.15, which gives every outside address reserved:world (2) whatever the IP families: the
 * split came with cilium/cilium#22625 in 1.15 (pkg/identity `ReservedIdentityWorldIPv4`/`IPv6`), so the capture is from a
 * newer cluster than the version judged. `undefined` otherwise.
 * @param rerun how the warning's fix starts (`replay`, `run diff`)
 */
export function captureVersionWarning(capture: FlowCapture, version: CiliumVersion, rerun: string): string | undefined {
  if (capture.dualStackEvidence === undefined || version.atLeast(CiliumVersion.V1_15)) return undefined;
  return `the capture comes from Cilium 1.15 or later (${capture.dualStackEvidence}: the world identities 9 and 10 came with 1.15), `
    + `but the policies are judged for Cilium ${version.toString()}: verdicts follow that version's rules; ${rerun} with the cluster's --cilium-version`;
}

/**
 * A warning when the capture comes from a dual-stack cluster (world identities 9/10, `FlowCapture.dualStackEvidence`) and
 * the policies are judged for a single-stack one: there world addresses are reserved:world-ipv4/-ipv6, `0.0.0.0/0` selects
 * only the IPv4 ones and `::/0` only the IPv6 ones, and a single-stack judgement gives them reserved:world instead.
 */
function dualStackWarning(capture: FlowCapture, mode: IpFamilies, rerun: string): string | undefined {
  if (capture.dualStackEvidence === undefined || mode === IpFamilies.DUAL) return undefined;
  return `the capture comes from a dual-stack cluster (${capture.dualStackEvidence}: the agent gives world addresses the identities `
    + `9 and 10 only when it runs both IPv4 and IPv6), but the policies are judged for --ip-families ${familiesSetting(mode)}: world `
    + `addresses, /0 rules and the world entities are judged for the wrong IP families; ${rerun} with --ip-families dual (or leave it out to infer it)`;
}

/**
 * A warning when the capture's addresses are of an IP family the policies are judged without (`--ip-families`, IPv4-only
 * by default): a cluster that carries them runs that family, and with it other world identities (reserved:world-ipv4 and
 * world-ipv6 in a dual-stack cluster), which `/0` rules and the world entities select otherwise.
 */
function familyWarning(capture: FlowCapture, mode: IpFamilies, rerun: string): string | undefined {
  const judged = familiesOf(mode);
  const seen = new Map<4 | 6, string>();
  for (const c of capture.connections) {
    for (const peer of [c.source, c.destination]) {
      // An IPv4-mapped address is IPv4 on the wire (`unmapIp`), and judged as such.
      const parsed = peer.ip !== undefined ? parseIp(peer.ip) : undefined;
      const ip = parsed !== undefined ? unmapIp(parsed) : undefined;
      if (ip !== undefined && !seen.has(ip.family)) seen.set(ip.family, peer.ip as string);
    }
    if (seen.size === 2) break;
  }
  const other = [...seen].filter(([family]) => !judged.includes(family));
  if (other.length === 0) return undefined;
  const [family, example] = other[0];
  const setting = familiesSetting(mode);
  const fix = seen.size === 2 || mode !== IpFamilies.IPV4 ? 'dual' : 'ipv6 (or dual)';
  return `the capture holds IPv${family} addresses (${example}), which the cluster the policies are judged for does not carry `
    + `(--ip-families ${setting}${mode === IpFamilies.IPV4 ? ', the default' : ''}): world identities and /0 rules are judged for the wrong `
    + `IP families; ${rerun} with --ip-families ${fix}`;
}
