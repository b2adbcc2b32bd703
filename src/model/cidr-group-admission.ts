/**
 * Whether the API server stores a CiliumCIDRGroup: the checks of its CRD schema that no served version passes (the v2alpha1
 * schema of Cilium 1.14/1.15, `pattern` on each CIDR; the v2alpha1 and v2 schemas from 1.16, `format: cidr`): the object is
 * then not in the cluster, so a `cidrGroupRef` or `cidrGroupSelector` does not select its CIDRs there. Read otherwise, the
 * group's valid CIDRs would be selected in a verdict while the cluster selects none of them (pkg/k8s/apis/cilium.io/client/crds
 * v2alpha1 and v2 `ciliumcidrgroups.yaml`: `required: [spec]`, `spec.required: [externalCIDRs]`, items `type: string`).
 */
import { CiliumVersion } from '../core/cilium-version';
import { Segment } from './json-path';
import { cidrNeverValid } from './cidr';
import { nameMissing } from './object-names';
import { describeValue, isList, isPlainObject } from './plain-value';

/**
 * The apiVersions the API server serves CiliumCIDRGroup at, by the first Cilium release whose CRD serves it: `v2alpha1` in
 * every supported release (deprecated from 1.18), `v2` from 1.18 (cilium/cilium#38940 "k8s: Promote CCG to v2 and
 * deprecate v2alpha1", in the 1.18.0 release notes; pkg/k8s/apis/cilium.io/client/crds/v2/ciliumcidrgroups.yaml serves
 * `v2`, the storage version, and `v2alpha1`; before, crds/v2alpha1/ciliumcidrgroups.yaml serves `v2alpha1` alone).
 */
const CIDR_GROUP_SERVED: readonly (readonly [apiVersion: string, since: CiliumVersion])[] = [
  ['cilium.io/v2alpha1', CiliumVersion.V1_14],
  ['cilium.io/v2', CiliumVersion.V1_18],
];

/** The apiVersions a Cilium release serves CiliumCIDRGroup at; without a release, those some supported release serves. */
export function cidrGroupApiVersions(version?: CiliumVersion): readonly string[] {
  return CIDR_GROUP_SERVED.filter(([, since]) => version === undefined || version.atLeast(since)).map(([v]) => v);
}

/** `cilium.io/v2alpha1 in every Cilium version, cilium.io/v2 from 1.18`: the served apiVersions, for a message. */
const SERVED_TEXT = CIDR_GROUP_SERVED.map(([v, since]) => `${v} ${since === CiliumVersion.V1_14 ? 'in every Cilium version' : `from ${since.release}`}`).join(', ');

/** One reason the API server refuses a CiliumCIDRGroup, at `path` of the object. */
export interface CidrGroupRejection {
  readonly id: 'parse-api-version' | 'parse-missing-name' | 'parse-missing-field' | 'parse-wrong-type' | 'crd-cidr';
  readonly path: readonly Segment[];
  readonly message: string;
  readonly fix: string;
}

/**
 * Why the API server refuses the CiliumCIDRGroup `obj` (none when it stores it); `[]` for an object of another kind. Read
 * before the cluster's release is settled: an apiVersion some supported release serves is taken here, and judged for the
 * release later (`cidrGroupApiVersionRejection`, from `unservedCidrGroups` and `validate`).
 */
export function cidrGroupRejections(obj: Record<string, unknown>): CidrGroupRejection[] {
  if (obj.kind !== 'CiliumCIDRGroup') return [];
  const out: CidrGroupRejection[] = [];
  const name = isPlainObject(obj.metadata) && typeof obj.metadata.name === 'string' && obj.metadata.name !== '' ? ` ${obj.metadata.name}` : '';
  const refused = refusedText(name);
  const unserved = cidrGroupApiVersionRejection(obj.apiVersion, name);
  if (unserved !== undefined) out.push(unserved);
  if (nameMissing(obj.metadata)) {
    out.push({ id: 'parse-missing-name', path: isPlainObject(obj.metadata) ? ['metadata'] : [], message: `metadata.name is missing; ${refused}`,
      fix: 'add metadata.name: <group name>, the name cidrGroupRef gives' });
  }
  // A null field is pruned by the API server (no `nullable`), then missing.
  const spec = obj.spec;
  if (spec === undefined || spec === null) {
    out.push({ id: 'parse-missing-field', path: [], message: `spec is missing, which the CRD requires; ${refused}`, fix: 'add spec: {externalCIDRs: [<CIDR>, …]}' });
    return out;
  }
  if (!isPlainObject(spec)) {
    out.push({ id: 'parse-wrong-type', path: ['spec'], message: `spec must be a mapping, got ${describeValue(spec)}; ${refused}`,
      fix: 'write spec: {externalCIDRs: [<CIDR>, …]}' });
    return out;
  }
  const cidrs = spec.externalCIDRs;
  if (cidrs === undefined || cidrs === null) {
    out.push({ id: 'parse-missing-field', path: ['spec'], message: `spec.externalCIDRs is missing, which the CRD requires; ${refused}`,
      fix: 'add externalCIDRs: [<CIDR>, …] (an empty list [] for a group of no CIDR)' });
    return out;
  }
  if (!isList(cidrs)) {
    out.push({ id: 'parse-wrong-type', path: ['spec', 'externalCIDRs'], message: `spec.externalCIDRs must be a list, got ${describeValue(cidrs)}; ${refused}`,
      fix: typeof cidrs === 'string' ? `write it as a list: [${JSON.stringify(cidrs)}]` : 'write externalCIDRs as a list of CIDRs' });
    return out;
  }
  cidrs.forEach((c: unknown, i) => {
    const path = ['spec', 'externalCIDRs', i];
    if (typeof c !== 'string') {
      out.push({ id: 'parse-wrong-type', path, message: `spec.externalCIDRs[${i}] must be a string, got ${describeValue(c)}; ${refused}`,
        fix: 'write each CIDR as a string, such as "10.0.0.0/8"' });
      return;
    }
    // What no served schema takes: no prefix length (the pattern and `format: cidr` both want one), or what `cidrNeverValid` says.
    const never = cidrNeverValid(c) ?? (c.includes('/') ? undefined : { reason: 'it has no prefix length', fix: `write ${JSON.stringify(`${c}/${c.includes(':') ? 128 : 32}`)} for the one address` });
    if (never !== undefined) {
      out.push({ id: 'crd-cidr', path, message: `spec.externalCIDRs[${i}] ${JSON.stringify(c)} is not a CIDR (${never.reason}); ${refused}`, fix: never.fix });
    }
  });
  return out;
}

/**
 * Why the API server of Cilium `version` refuses a CiliumCIDRGroup for its `apiVersion` (one it does not serve), or nothing:
 * the one check of `cidrGroupRejections`, made again once the cluster's release is settled on the apiVersion a group was read
 * with (a `PolicySet` and `validate` judge a set's groups for the release of its policies, given or annotated).
 * @param name the group's name, for the message (` grp`, or `''`)
 * @param version the Cilium release of the cluster @default - unknown: an apiVersion some supported release serves is taken
 * @param source where the release came from (`JudgedVersion.source`: `given`, the annotation of a policy, the default), named
 * after the message @default - not named
 */
export function cidrGroupApiVersionRejection(
  apiVersion: unknown, name: string, version?: CiliumVersion, source?: string,
): CidrGroupRejection | undefined {
  const served = cidrGroupApiVersions(version);
  if (typeof apiVersion === 'string' && served.includes(apiVersion)) return undefined;
  const written = apiVersion === undefined ? 'missing' : typeof apiVersion === 'string' ? JSON.stringify(apiVersion) : describeValue(apiVersion);
  // Served by a later release only: the cluster's release is named, and the one that serves it.
  const later = typeof apiVersion === 'string' && cidrGroupApiVersions().includes(apiVersion);
  return {
    id: 'parse-api-version', path: ['apiVersion'],
    message: `apiVersion is ${written}, but ${later && version !== undefined ? `Cilium ${version.release} serves CiliumCIDRGroup only as` : 'CiliumCIDRGroup is served only as'} `
      + `${served.join(' or ')}${later ? ` (${SERVED_TEXT})` : ''} (kubectl: no matches for kind); ${refusedText(name)}`
      + `${version !== undefined && source !== undefined ? ` (judged for Cilium ${version.release}: ${source})` : ''}`,
    fix: `set apiVersion: cilium.io/v2alpha1 (served by every Cilium version; cilium.io/v2 from 1.18)${later ? ', or judge for the release the cluster runs (--cilium-version)' : ''}`,
  };
}

/** What a refusal of the group ` grp` means, for a message. */
function refusedText(name: string): string {
  return `the API server refuses the CiliumCIDRGroup${name}, so it is not in the cluster and a cidrGroupRef or cidrGroupSelector selects none of its CIDRs`;
}
