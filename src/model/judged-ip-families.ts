/**
 * The IP families a replay, diff or report judged its policies for, how they were chosen, and the line that says so:
 * one record for `ReplayReport.ipFamilies` and the `ipFamilies` of the connectivity documents.
 */

/** The IP families the policies were judged for, and how they were chosen. */
export interface JudgedIpFamilies {
  /** The IP families the policies were judged for (`PolicySetOptions.ipFamilies`, `--ip-families`): `ipv4`, `ipv6` or `dual`. */
  readonly judged: string;
  /**
   * How they were chosen: `policy-set` (as the policy set was built, from code), or, from the command line, `given`
   * (`--ip-families`), `inferred` (told by the capture of `--flows`: see `basis`), `assumed` (`replay` only: the family
   * the capture's packets prove, ipv6, when it cannot tell whether the cluster also runs IPv4) or `default` (ipv4: no flag,
   * and no capture or one that cannot tell).
   */
  readonly source: string;
  /**
   * With a capture read (given, inferred, assumed or default): what in it tells the families (`IPv4 and IPv6 packets:
   * 10.0.1.5 at line 1, fd00::5 at line 2`), or why it cannot.
   * @default - no capture read
   */
  readonly basis?: string;
  /**
   * When the capture cannot tell the families (`assumed`, or `default` with a capture): that the families judged are a
   * guess, and the `--ip-families` values to give.
   * @default - none: the families were given, told by the capture, or no capture was read
   */
  readonly warning?: string;
}

/** `ipv4 (the default; --ip-families sets them)`, `dual (inferred from the capture: …; --ip-families overrides)`, … */
export function judgedIpFamiliesText(f: JudgedIpFamilies): string {
  const basis = f.basis !== undefined ? `: ${f.basis}` : '';
  switch (f.source) {
    case 'given': return `${f.judged} (as given: --ip-families)`;
    case 'inferred': return `${f.judged} (inferred from the capture${basis}; --ip-families overrides)`;
    case 'assumed': return `${f.judged} (assumed, as the capture cannot tell them${basis}; --ip-families sets them)`;
    case 'default': return `${f.judged} (the default${f.basis !== undefined ? `, as the capture cannot tell them${basis}` : ''}; --ip-families sets them)`;
    default: return `${f.judged} (as the policy set was built)`;
  }
}
