import { IConstruct } from 'constructs';
import { CiliumPolicyError } from '../errors';

const VERSION_SYMBOL = Symbol.for('cdk8s-cilium.CiliumVersion');

/**
 * A Cilium minor release that policies are written for.
 *
 * The target version decides which fields may be written: a field newer than the cluster's CRD is pruned by
 * the API server without a word, so the SDK refuses it instead. Set it once per app or chart with
 * `CiliumVersion.use(scope, CiliumVersion.V1_17)`; everything below that scope is checked against it.
 */
export class CiliumVersion {
  /** Cilium 1.14. */
  public static readonly V1_14 = new CiliumVersion(1, 14);
  /** Cilium 1.15. */
  public static readonly V1_15 = new CiliumVersion(1, 15);
  /** Cilium 1.16: `endPort`, `enableDefaultDeny`, `fromNodes`/`toNodes`, `fromGroups`, CRD `maxItems: 40`. */
  public static readonly V1_16 = new CiliumVersion(1, 16);
  /** Cilium 1.17: `cidrGroupSelector`; a rule must have a direction. */
  public static readonly V1_17 = new CiliumVersion(1, 17);
  /** Cilium 1.18: `log`. */
  public static readonly V1_18 = new CiliumVersion(1, 18);
  /** Cilium 1.19: `**.` FQDN patterns, VRRP/IGMP, optional `port`; `fromRequires`/`toRequires` rejected. */
  public static readonly V1_19 = new CiliumVersion(1, 19);

  /** The version used when none is set: the newest supported release. */
  public static readonly DEFAULT = CiliumVersion.V1_19;

  /** Every supported version, oldest first. */
  public static readonly ALL: readonly CiliumVersion[] = [
    CiliumVersion.V1_14, CiliumVersion.V1_15, CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19,
  ];

  /**
   * Parses `1.17`, `v1.17` or `1.17.3` (the patch level is ignored).
   * @throws CiliumPolicyError for anything outside 1.14 … 1.19
   */
  public static parse(text: string): CiliumVersion {
    const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(String(text).trim());
    const found = m ? CiliumVersion.ALL.find((v) => v.major === Number(m[1]) && v.minor === Number(m[2])) : undefined;
    if (!found) {
      throw new CiliumPolicyError({
        id: 'version-unsupported',
        message: `unsupported Cilium version "${text}"`,
        fix: `use one of ${CiliumVersion.ALL.map(String).join(', ')}`,
      });
    }
    return found;
  }

  /**
   * Sets the target Cilium version for everything under `scope` (an app, a chart or any construct).
   * The nearest setting up the tree wins; it may be set before or after children are added.
   */
  public static use(scope: IConstruct, version: CiliumVersion): void {
    (scope as unknown as Record<symbol, CiliumVersion>)[VERSION_SYMBOL] = version;
  }

  /** The target Cilium version in effect for `scope` (`CiliumVersion.DEFAULT` when none is set). */
  public static of(scope: IConstruct): CiliumVersion {
    for (const s of [...scope.node.scopes].reverse()) {
      const v = (s as unknown as Record<symbol, CiliumVersion | undefined>)[VERSION_SYMBOL];
      if (v) return v;
    }
    return CiliumVersion.DEFAULT;
  }

  private constructor(
    /** Major version number. */
    public readonly major: number,
    /** Minor version number. */
    public readonly minor: number,
  ) {}

  /** Whether this version is `other` or newer. */
  public atLeast(other: CiliumVersion): boolean {
    return this.major > other.major || (this.major === other.major && this.minor >= other.minor);
  }

  /** `1.19`. */
  public toString(): string {
    return `${this.major}.${this.minor}`;
  }
}
