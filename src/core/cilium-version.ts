import { IConstruct } from 'constructs';
import { CiliumPolicyError, showValue, textOf } from './errors';

const VERSION_SYMBOL = Symbol.for('cdk8s-cilium.CiliumVersion');
/** On a construct whose output was decided by the target version while it was created: that version. */
const DECIDED_SYMBOL = Symbol.for('cdk8s-cilium.CiliumVersion.decided');

/**
 * @internal Whether a version text names Cilium's main branch (`1.20`, `1.20-dev`, `v1.20.0`, `main`): only `validate`
 * checks manifests for it (`parseTargetVersion`); the SDK and the verdict engine model released versions only.
 */
export function namesMainBranch(text: string): boolean {
  return /^(main|v?1\.20(\.\d+)?(-dev)?)$/.test(textOf(text).trim());
}

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

  /** Every supported version, oldest first (a frozen array). */
  public static readonly ALL: CiliumVersion[] = Object.freeze([
    CiliumVersion.V1_14, CiliumVersion.V1_15, CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19,
  ]) as CiliumVersion[];

  /**
   * Parses `1.17`, `v1.17`, `1.17.3` or `v1.17.3`. Without a patch level it returns the minor release (`CiliumVersion.V1_17`);
   * with one, the patch release (`patch` set; one object per patch release), which the verdict engine reads where Cilium's
   * behaviour changed within a minor release (the 1.16/1.17 DNS rules without default deny, `dnsRulesRestrictWithoutDefaultDeny`).
   * @throws CiliumPolicyError for anything outside 1.14 … 1.19 (`version-unsupported`; also a major or minor written with a
   * leading zero, `01.17`, `1.017`), and for a patch level that is not a
   * whole number of at most three digits without leading zeros (`version-patch-malformed`: `1.17.x`, `1.17.-1`, `1.17.03`)
   */
  public static parse(text: string): CiliumVersion {
    const trimmed = textOf(text).trim();
    // Major and minor as Cilium writes them, without leading zeros (`01.17`, `1.017` were read as 1.17), as the patch level.
    const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\.(.*))?$/s.exec(trimmed);
    const found = m ? CiliumVersion.ALL.find((v) => v.major === Number(m[1]) && v.minor === Number(m[2])) : undefined;
    if (!found) {
      const supported = CiliumVersion.ALL.map(String).join(', ');
      throw new CiliumPolicyError({
        id: 'version-unsupported',
        message: namesMainBranch(text)
          ? `unsupported Cilium version ${showValue(text)}: 1.20 is Cilium's main branch, which the SDK and the verdict engine do not model (they model ${supported})`
          : `unsupported Cilium version ${showValue(text)}`,
        fix: namesMainBranch(text)
          ? `use one of ${supported} (the release the cluster runs); only \`cdk8s-cilium validate --cilium-version 1.20\` checks manifests for the main branch`
          : `use one of ${supported}`,
      });
    }
    const patch = m?.[3];
    if (patch === undefined) return found;
    // A patch level decides verdicts (1.17.4 and 1.17.5 differ): one that is not plainly a number is refused, not read as some patch.
    if (!/^(0|[1-9]\d{0,2})$/.test(patch)) {
      const digits = /^\d{1,3}$/.test(patch) ? String(Number(patch)) : undefined;
      throw new CiliumPolicyError({
        id: 'version-patch-malformed',
        message: `Cilium version ${showValue(text)} has the patch level ${showValue(patch)}, which is not a whole number of 0 to 999 without leading zeros`,
        fix: digits !== undefined ? `write ${found}.${digits}` : `write the patch release the cluster runs as a number (e.g. ${found}.3, as \`cilium version\` `
          + `prints it, without a pre-release suffix), or the minor release alone (${found}) where the patch is not known`,
      });
    }
    const key = `${found}.${Number(patch)}`;
    let release = CiliumVersion.releases.get(key);
    if (release === undefined) {
      release = new CiliumVersion(found.major, found.minor, Number(patch));
      CiliumVersion.releases.set(key, release);
    }
    return release;
  }

  /** The patch releases parsed so far, one object each (`parse('1.17.3') === parse('v1.17.3')`). */
  private static readonly releases = new Map<string, CiliumVersion>();

  /**
   * Sets the target Cilium version for everything under `scope` (an app, a chart or any construct).
   * The nearest setting up the tree wins. Set it right after creating the app or chart: most policies read it only at synth
   * time, but constructs that shape their rules by it (`ClusterDefaultDeny`, `HostFirewall`) read it when they are created.
   * @throws CiliumPolicyError when such a construct below `scope` was already created for another version
   */
  public static use(scope: IConstruct, version: CiliumVersion): void {
    if (!(version instanceof CiliumVersion)) {
      // From JavaScript, `CiliumVersion.use(app, '1.18')` was a TypeError at synth, far from the call.
      const text = typeof version === 'string' || typeof version === 'number' ? String(version) : undefined;
      const known = text === undefined ? undefined : CiliumVersion.ALL.find((v) => `${v}` === text.trim().replace(/^v/, '').split('.').slice(0, 2).join('.'));
      throw new CiliumPolicyError({
        id: 'version-unsupported',
        message: `CiliumVersion.use() got ${showValue(version)}, not a CiliumVersion`,
        fix: known ? `pass CiliumVersion.V${known.major}_${known.minor} (or CiliumVersion.parse(${JSON.stringify(text)}))`
          : `pass one of CiliumVersion.${CiliumVersion.ALL.map((v) => `V${v.major}_${v.minor}`).join(', CiliumVersion.')}`,
      });
    }
    const settings = scope as unknown as Record<symbol, CiliumVersion | undefined>;
    const previous = settings[VERSION_SYMBOL];
    settings[VERSION_SYMBOL] = version;
    for (const c of scope.node.findAll()) {
      const decided = (c as unknown as Record<symbol, CiliumVersion | undefined>)[DECIDED_SYMBOL];
      if (!decided || CiliumVersion.of(c) === decided) continue;
      settings[VERSION_SYMBOL] = previous;
      const where = scope.node.path ? `'${scope.node.path}'` : 'the app';
      throw new CiliumPolicyError({
        id: 'version-set-too-late',
        message: `CiliumVersion.use(${where}, ${version.release}) comes after ${c.constructor.name} '${c.node.path}' was created, `
          + `and it was built for Cilium ${decided.release}${decided === CiliumVersion.DEFAULT ? ' (the default)' : ''}`,
        fix: `set the version first: call CiliumVersion.use(${scope.node.path ? 'chart' : 'app'}, ${version._sourceText}) `
          + `right after creating ${scope.node.path ? 'the chart' : 'the app'}, before the constructs below it`,
        location: c.node.path,
      });
    }
  }

  /**
   * The target version for a construct that decides its rules by it while it is created; remembered, so that a later
   * `use` that would change it is refused instead of producing rules for the wrong version.
   * @internal
   */
  public static _decideFor(scope: IConstruct): CiliumVersion {
    const version = CiliumVersion.of(scope);
    (scope as unknown as Record<symbol, CiliumVersion>)[DECIDED_SYMBOL] = version;
    return version;
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
    /**
     * Patch level, when the target is a patch release (`CiliumVersion.parse('1.17.3')`).
     * @default - the minor release: no patch is known
     */
    public readonly patch?: number,
  ) {}

  /** The minor release of this version (`CiliumVersion.V1_17` for 1.17.3): the one that names the CRD schema and the annotation. */
  public get minorRelease(): CiliumVersion {
    return this.patch === undefined ? this : CiliumVersion.ALL.find((v) => v.major === this.major && v.minor === this.minor) ?? this;
  }

  /** How to write this version in code: `CiliumVersion.V1_17`, or `CiliumVersion.parse('1.17.3')` for a patch release. @internal */
  public get _sourceText(): string {
    return this.patch === undefined ? `CiliumVersion.V${this.major}_${this.minor}` : `CiliumVersion.parse('${this.release}')`;
  }

  /** `1.17.3` for a patch release, else `1.17` (as `toString()`). */
  public get release(): string {
    return this.patch === undefined ? this.toString() : `${this.toString()}.${this.patch}`;
  }

  /** Whether this version is `other` or newer (by minor release: a patch level is not compared). */
  public atLeast(other: CiliumVersion): boolean {
    return this.major > other.major || (this.major === other.major && this.minor >= other.minor);
  }

  /** The minor release, `1.19` (also of a patch release: the CRD schema and the annotation are per minor; `release` has the patch). */
  public toString(): string {
    return `${this.major}.${this.minor}`;
  }
}
