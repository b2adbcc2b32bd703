/**
 * The IP families a Hubble capture shows its cluster runs, and the warning when the policies are judged for others: one
 * implementation for `replay` and for the `--flows` of `diff` and `report`.
 */
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError } from '../core/errors';
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
   * The families, when the capture tells them: `dual` from world identities 9/10 or from packets of both families; one
   * family from the world identity 2 (from Cilium 1.15: single stack) with packets of that family. `undefined` when it
   * cannot tell: packets prove the families they are of, but no packet proves a family is off.
   */
  readonly ipFamilies?: IpFamilies;
  /**
   * The families the capture's packets prove the cluster runs, when it cannot tell whether it also runs the other one
   * (`ipFamilies` undefined): `ipv6` for IPv6 packets only, `ipv4` for IPv4 packets only.
   */
  readonly proven?: IpFamilies;
  /** What they were told from (`IPv4 and IPv6 packets: 10.0.1.5 at line 1, fd00::5 at line 2`), or why they could not be. */
  readonly basis: string;
  /** Evidence that contradicts itself (the world identity 2 of a single-stack cluster and packets of both families). */
  readonly contradiction?: string;
}

/**
 * The IP families a capture shows its cluster runs, the one inference of `replay`, `diff --flows` and `report --flows`.
 * Only a world identity tells single from dual stack: the agent gives the world 9/10 when it runs both families, and from
 * 1.15 the identity 2 when it runs one (daemon/cmd/hostips-sync.go `syncHostIPs.sync`; before 1.15, 2 whatever the
 * families, so `version` decides what 2 tells). Packets of a family prove the agent runs it (`FlowCapture.firstIpv4Packet`,
 * `firstIpv6Packet`: an agent without a family drops its packets before any policy, bpf/bpf_lxc.c: no `ETH_P_IPV6` case
 * without ENABLE_IPV6, `DROP_UNKNOWN_L3`, which the reader skips as a non-policy drop): packets of both → dual. The absence
 * of a family's packets proves nothing: a capture of IPv6 packets only, without a world identity, is `proven` IPv6 and
 * leaves IPv4 unknown.
 * Not counted: IPv6 link-local (fe80::/10), multicast (ff00::/8) and unspecified (::) addresses, which a pod's kernel
 * uses for neighbour discovery and MLD whatever the cluster's families (the datapath answers neighbour solicitations
 * itself, bpf/lib/icmp6.h `icmp6_ndp_handle`, and the host firewall lets neighbour discovery through, `icmp6_host_handle`);
 * nor host traces (`FlowCapture.firstIpv4Packet`).
 * @param version the Cilium version judged: from 1.15 the world identity 2 tells a single-stack cluster
 * @param defaulted whether `version` is the default, neither given nor annotated on the policies: the basis says so when it
 *   reads the identity 2 by it
 */
export function captureIpFamilies(capture: FlowCapture, version: CiliumVersion = CiliumVersion.DEFAULT, defaulted = false): CaptureIpFamilies {
  const [v4, v6] = [capture.firstIpv4Packet, capture.firstIpv6Packet];
  const dual = capture.dualStackEvidence;
  const single = version.atLeast(CiliumVersion.V1_15) ? capture.singleStackEvidence : undefined;
  const linkScoped = capture.firstLinkScopedIpv6Packet !== undefined
    ? `; IPv6 link-local and multicast addresses (${capture.firstLinkScopedIpv6Packet}) do not count: every pod's kernel uses them `
      + 'for neighbour discovery' : '';
  const judgedFor = defaulted ? ` (judged for Cilium ${version.toString()}, the default: no version given or annotated on the policies)` : '';
  const singleText = `the world identity of a single-stack cluster from Cilium 1.15 on${judgedFor}: ${single ?? ''}`;
  if (dual !== undefined && single !== undefined) {
    const basis = `a world identity of a dual-stack cluster (${dual}) and ${singleText}`;
    return { basis, contradiction: basis };
  }
  if (dual !== undefined) return { ipFamilies: IpFamilies.DUAL, basis: `a world identity of a dual-stack cluster: ${dual}` };
  if (single !== undefined && v4 !== undefined && v6 !== undefined) {
    const basis = `${singleText}, and IPv4 and IPv6 packets: ${v4}, ${v6}`;
    return { basis, contradiction: basis };
  }
  if (single !== undefined && (v4 !== undefined || v6 !== undefined)) {
    const [ipFamilies, first] = v6 !== undefined ? [IpFamilies.IPV6, `IPv6 packets: ${v6}`] : [IpFamilies.IPV4, `IPv4 packets: ${v4}`];
    return { ipFamilies, basis: `${singleText}, and ${first}${v6 === undefined ? linkScoped : ''}` };
  }
  if (v4 !== undefined && v6 !== undefined) return { ipFamilies: IpFamilies.DUAL, basis: `IPv4 and IPv6 packets: ${v4}, ${v6}` };
  const worldText = capture.singleStackEvidence !== undefined
    ? `the world identity 2 tells nothing before Cilium 1.15, and the policies are judged for ${version.toString()}: ${capture.singleStackEvidence}`
    : 'no world identity: 9 or 10 in a dual-stack cluster, from Cilium 1.15 2 in a single-stack one';
  const unknown = (other: number): string => `, and nothing tells whether it also runs IPv${other} (${worldText}; no packet proves a family off)`;
  if (v6 !== undefined) return { proven: IpFamilies.IPV6, basis: `IPv6 packets only: ${v6}${unknown(4)}` };
  if (v4 !== undefined) return { proven: IpFamilies.IPV4, basis: `IPv4 packets only: ${v4}${unknown(6)}${linkScoped}` };
  return { basis: `no packet that policy decides at an endpoint has an address that tells the IP families${linkScoped}` };
}

/**
 * The IP families a command judges for, and how they were chosen: those given (`--ip-families`), else those the capture
 * tells (`captureIpFamilies`: `inferred`). When it cannot tell: `replay`, which judges only the flows captured, judges for
 * the family its packets prove (`assumed`: IPv6 packets only → ipv6; its flows to the world carry the identity that would
 * tell, so no flow judged depends on the other family), else ipv4 (`default`: Cilium's enable-ipv6 false); `diff` and
 * `report` (`judgesEveryClass`), which judge every world class, refuse a capture of IPv6 packets only (their verdicts
 * differ between ipv6 and dual, and the default ipv4 is disproved), and judge the others for the default ipv4 as without a
 * capture. Either way `warning` names `--ip-families`. Evidence that contradicts itself is refused.
 * The one choice of `replay`, `diff --flows` and `report --flows`.
 * @param given the `--ip-families` value, parsed
 * @param capture the capture judged (`--flows`), if any
 * @param version the Cilium version judged (`captureIpFamilies`): the one the policy set judges for (`policiesVersion`)
 * @param command `replay`, `diff` or `report`, for the messages
 * @param defaulted whether `version` is the default, neither given nor annotated (`captureIpFamilies`)
 */
export function chooseIpFamilies(given: IpFamilies | undefined, capture: FlowCapture | undefined, version: CiliumVersion = CiliumVersion.DEFAULT,
  command: 'replay' | 'diff' | 'report' = 'replay', defaulted = false): { ipFamilies: IpFamilies; judged: JudgedIpFamilies } {
  const shown = capture !== undefined ? captureIpFamilies(capture, version, defaulted) : undefined;
  const basis = shown !== undefined ? { basis: shown.basis } : {};
  if (given !== undefined) return { ipFamilies: given, judged: { judged: familiesSetting(given), source: 'given', ...basis } };
  if (shown === undefined) return { ipFamilies: IpFamilies.IPV4, judged: { judged: 'ipv4', source: 'default' } };
  if (shown.contradiction !== undefined) {
    throw new CiliumPolicyError({
      id: 'cli-ip-families',
      message: `the capture contradicts itself on the cluster's IP families: ${shown.contradiction} (judged for Cilium ${version.toString()})`,
      fix: 'give --ip-families ipv4, ipv6 or dual as the cluster runs them, and --cilium-version as it is (before 1.15 every world '
        + 'address has the identity 2), or check that the capture comes from one cluster',
    });
  }
  if (shown.ipFamilies !== undefined) {
    return { ipFamilies: shown.ipFamilies, judged: { judged: familiesSetting(shown.ipFamilies), source: 'inferred', basis: shown.basis } };
  }
  if (shown.proven === IpFamilies.IPV6 && command !== 'replay') {
    throw new CiliumPolicyError({
      id: 'cli-ip-families',
      message: `the capture cannot tell whether the cluster runs IPv4 as well as IPv6: ${shown.basis}; ${command} judges every world `
        + 'class, whose verdicts differ between an IPv6-only and a dual-stack cluster',
      fix: `give --ip-families ipv6 or --ip-families dual, as the cluster runs them (${command} never guesses a family off)`,
    });
  }
  const ipFamilies = shown.proven ?? IpFamilies.IPV4;
  const other = ipFamilies === IpFamilies.IPV6 ? 'IPv4' : 'IPv6';
  const warning = `judged for --ip-families ${familiesSetting(ipFamilies)}, but the capture cannot tell whether the cluster also runs ${other} `
    + `(${shown.basis}): in a dual-stack cluster world addresses, /0 rules and the world entities are judged otherwise; `
    + `give --ip-families ${familiesSetting(ipFamilies)} or dual, as the cluster runs them`;
  return {
    ipFamilies,
    judged: { judged: familiesSetting(ipFamilies), source: shown.proven === IpFamilies.IPV6 ? 'assumed' : 'default', basis: shown.basis, warning },
  };
}

/**
 * A warning when the policies are judged for IP families (`mode`) the capture shows the cluster does not run as judged:
 * the capture comes from a dual-stack cluster (world identities 9/10) and `mode` is single-stack, or it holds addresses
 * of a family `mode` leaves out. `undefined` when they agree.
 * @param rerun how the warning's fix starts (`replay`, `run diff`): `<rerun> with --ip-families dual`
 * @param version the Cilium version judged, which decides what the world identity 2 tells (`captureIpFamilies`)
 * @param defaulted whether `version` is the default, neither given nor annotated (`captureIpFamilies`)
 */
export function captureFamiliesWarning(capture: FlowCapture, mode: IpFamilies, rerun: string,
  version: CiliumVersion = CiliumVersion.DEFAULT, defaulted = false): string | undefined {
  return dualStackWarning(capture, mode, rerun) ?? familyWarning(capture, mode, rerun, version, defaulted);
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
function familyWarning(capture: FlowCapture, mode: IpFamilies, rerun: string, version: CiliumVersion, defaulted: boolean): string | undefined {
  const judged = familiesOf(mode);
  const seen: [4 | 6, string | undefined][] = [[4, capture.firstIpv4Packet], [6, capture.firstIpv6Packet]];
  const other = seen.filter(([family, first]) => first !== undefined && !judged.includes(family));
  if (other.length === 0) return undefined;
  const [family, example] = other[0];
  const shown = captureIpFamilies(capture, version, defaulted);
  return `the capture holds IPv${family} addresses (${example}), which the cluster the policies are judged for does not carry `
    + `(--ip-families ${familiesSetting(mode)}): world identities and /0 rules are judged for the wrong IP families; `
    + `${rerun} with --ip-families ${familiesSetting(shown.ipFamilies ?? IpFamilies.DUAL)}${shown.ipFamilies !== undefined ? ` (or leave it out to infer it from the capture: ${shown.basis})` : ''}`;
}
