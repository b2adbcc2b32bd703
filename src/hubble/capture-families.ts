/**
 * The IP families a Hubble capture shows its cluster runs, and the warning when the policies are judged for others: one
 * implementation for `replay` and for the `--flows` of `diff` and `report`.
 */
import { CiliumVersion } from '../core/cilium-version';
import { familiesOf } from '../engine/identity';
import { IpFamilies } from '../engine/policy-set-options';
import { JudgedIpFamilies } from '../model/judged-ip-families';
import { FlowCapture } from './connections';

/** `ipv4`, `ipv6` or `dual`: the `--ip-families` value of `mode`. */
export function familiesSetting(mode: IpFamilies): string {
  return mode === IpFamilies.DUAL ? 'dual' : mode === IpFamilies.IPV6 ? 'ipv6' : 'ipv4';
}

/** What a capture tells of the IP families its cluster runs, and from what. */
export interface CaptureIpFamilies {
  /**
   * The families: `dual` from world identities 9/10 or from packets of both families, `ipv6` or `ipv4` from packets of
   * that family alone; `undefined` when no packet tells (none with an address that needs the cluster to run its family).
   */
  readonly ipFamilies?: IpFamilies;
  /** What they were told from (`IPv4 and IPv6 packets: 10.0.1.5 at line 1, fd00::5 at line 2`), or why they could not be. */
  readonly basis: string;
}

/**
 * The IP families a capture shows its cluster runs, the one inference of `replay`, `diff --flows` and `report --flows`.
 * World identities 9/10 (`FlowCapture.dualStackEvidence`) are the stronger sign: the agent gives them only when it runs
 * both families (from 1.15). Else the families of the packets policy decided (`FlowCapture.firstIpv4Packet`,
 * `firstIpv6Packet`; an IPv4-mapped address is IPv4): an agent without a family drops its packets before any policy
 * (bpf/bpf_lxc.c: no `ETH_P_IPV6` case without ENABLE_IPV6, `DROP_UNKNOWN_L3`), which the reader skips as a non-policy
 * drop, so a decided packet of a family shows the agent runs it.
 * Not counted: IPv6 link-local (fe80::/10), multicast (ff00::/8) and unspecified (::) addresses, which a pod's kernel
 * uses for neighbour discovery and MLD whatever the cluster's families (the datapath answers neighbour solicitations
 * itself, bpf/lib/icmp6.h `icmp6_ndp_handle`, and the host firewall lets neighbour discovery through, `icmp6_host_handle`):
 * inferring dual-stack from them would judge every world address of an IPv4-only cluster as reserved:world-ipv4; left
 * out, such a flow is not judged and its error names `--ip-families dual`.
 */
export function captureIpFamilies(capture: FlowCapture): CaptureIpFamilies {
  if (capture.dualStackEvidence !== undefined) {
    return { ipFamilies: IpFamilies.DUAL, basis: `a world identity of a dual-stack cluster: ${capture.dualStackEvidence}` };
  }
  const [v4, v6] = [capture.firstIpv4Packet, capture.firstIpv6Packet];
  const linkScoped = capture.firstLinkScopedIpv6Packet !== undefined
    ? `; IPv6 link-local and multicast addresses (${capture.firstLinkScopedIpv6Packet}) do not count: every pod's kernel uses them `
      + 'for neighbour discovery' : '';
  if (v4 !== undefined && v6 !== undefined) return { ipFamilies: IpFamilies.DUAL, basis: `IPv4 and IPv6 packets: ${v4}, ${v6}` };
  if (v6 !== undefined) return { ipFamilies: IpFamilies.IPV6, basis: `IPv6 packets only: ${v6}` };
  if (v4 !== undefined) return { ipFamilies: IpFamilies.IPV4, basis: `IPv4 packets only: ${v4}${linkScoped}` };
  return { basis: `no packet that policy decides has an address that tells the IP families${linkScoped}` };
}

/**
 * The IP families a command judges for, and how they were chosen: those given (`--ip-families`), else those the capture
 * shows (`captureIpFamilies`), else ipv4 (Cilium's default: enable-ipv6 false), saying why the capture could not tell.
 * The one choice of `replay`, `diff --flows` and `report --flows`.
 * @param given the `--ip-families` value, parsed
 * @param capture the capture judged (`--flows`), if any
 */
export function chooseIpFamilies(given: IpFamilies | undefined, capture: FlowCapture | undefined):
  { ipFamilies: IpFamilies; judged: JudgedIpFamilies } {
  if (given !== undefined) return { ipFamilies: given, judged: { judged: familiesSetting(given), source: 'given' } };
  const shown = capture !== undefined ? captureIpFamilies(capture) : undefined;
  if (shown?.ipFamilies !== undefined) {
    return { ipFamilies: shown.ipFamilies, judged: { judged: familiesSetting(shown.ipFamilies), source: 'inferred', basis: shown.basis } };
  }
  return { ipFamilies: IpFamilies.IPV4, judged: { judged: 'ipv4', source: 'default', ...(shown !== undefined ? { basis: shown.basis } : {}) } };
}

/** `captureIpFamilies(capture).ipFamilies`. */
export function inferIpFamilies(capture: FlowCapture): IpFamilies | undefined {
  return captureIpFamilies(capture).ipFamilies;
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
 * A warning when the capture's packets are of an IP family the policies are judged without (`captureIpFamilies`, its
 * link-scoped IPv6 addresses left out): a cluster that carries them runs that family, and with it other world identities
 * (reserved:world-ipv4 and world-ipv6 in a dual-stack cluster), which `/0` rules and the world entities select otherwise.
 */
function familyWarning(capture: FlowCapture, mode: IpFamilies, rerun: string): string | undefined {
  const judged = familiesOf(mode);
  const seen: [4 | 6, string | undefined][] = [[4, capture.firstIpv4Packet], [6, capture.firstIpv6Packet]];
  const other = seen.filter(([family, first]) => first !== undefined && !judged.includes(family));
  if (other.length === 0) return undefined;
  const [family, example] = other[0];
  const shown = captureIpFamilies(capture);
  return `the capture holds IPv${family} addresses (${example}), which the cluster the policies are judged for does not carry `
    + `(--ip-families ${familiesSetting(mode)}): world identities and /0 rules are judged for the wrong IP families; `
    + `${rerun} with --ip-families ${familiesSetting(shown.ipFamilies ?? IpFamilies.DUAL)} (or leave it out to infer it from the capture: ${shown.basis})`;
}
