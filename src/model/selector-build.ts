// What Kubernetes accepts as a label key or value, and why a label selector's requirements do not build
// (apimachinery `LabelSelectorAsSelector`): the reading behind validate's sanitize checks and a toServices entry's selector.

/** A DNS-1123 subdomain (Kubernetes object names, CIDR group names): lower-case, at most 253 characters. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length >= 1 && s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
}

/** A Kubernetes label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric. */
export function isLabelValue(s: string): boolean {
  return s.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(s);
}

/** A Kubernetes qualified name (label and annotation keys): optional DNS-subdomain prefix and `/`, then a name of at most 63. */
export function isQualifiedName(s: string): boolean {
  const parts = s.split('/');
  let name = s;
  if (parts.length === 2) {
    if (!isDns1123Subdomain(parts[0])) return false;
    name = parts[1];
  } else if (parts.length !== 1) {
    return false;
  }
  return name.length >= 1 && name.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
}

/** What makes a label selector's requirements fail to build (`selectorBuildProblems`). */
export enum SelectorProblemKind {
  /** A key that is not a label key (as checked). */
  KEY = 'key',
  /** `In`/`NotIn` without values. */
  NO_VALUES = 'no-values',
  /** An `In`/`NotIn` value that is no label value. */
  VALUE = 'value',
  /** `Exists`/`DoesNotExist` with values. */
  VALUES_NOT_TAKEN = 'values-not-taken',
}

/** One reason a selector's requirements do not build, with where it is. */
export interface SelectorBuildProblem {
  readonly kind: SelectorProblemKind;
  /** The key as written. */
  readonly key: unknown;
  /** The expression's operator (`undefined` for `matchLabels`). */
  readonly operator?: unknown;
  /** The expression's index, `undefined` for a `matchLabels` key. */
  readonly expression?: number;
  /** For `VALUE`: the value and its index. */
  readonly value?: { readonly text: string; readonly index: number };
  /** For `VALUES_NOT_TAKEN`: the values. */
  readonly values?: readonly unknown[];
  /** The path below the selector: `matchLabels["k8s:app"]`, `matchExpressions[0].values[1]`. */
  readonly at: string;
}

/**
 * Every reason Kubernetes' `LabelSelectorAsSelector` refuses a label selector, in the order of the selector: a key that
 * `keyOk` refuses (by default: no qualified name, a source prefix such as `k8s:` included), an `In`/`NotIn` without
 * values or with a value that is no label value, an `Exists`/`DoesNotExist` with values. Empty when it builds. Values of
 * `matchLabels` are the CRD's to check. The one reading behind `sanitize-selector-key`/`-values` (with Cilium's keys)
 * and a `toServices` `k8sServiceSelector` (keys as written, `plainSelectorProblem`).
 */
export function selectorBuildProblems(selector: unknown, keyOk: (key: string) => boolean = isQualifiedName): SelectorBuildProblem[] {
  if (typeof selector !== 'object' || selector === null) return [];
  const out: SelectorBuildProblem[] = [];
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  if (typeof matchLabels === 'object' && matchLabels !== null) {
    for (const key of Object.keys(matchLabels)) {
      if (!keyOk(key)) out.push({ kind: SelectorProblemKind.KEY, key, at: `matchLabels[${JSON.stringify(key)}]` });
    }
  }
  if (!Array.isArray(matchExpressions)) return out;
  matchExpressions.forEach((e: unknown, i) => {
    if (typeof e !== 'object' || e === null) return;
    const { key, operator, values } = e as { key?: unknown; operator?: unknown; values?: unknown };
    const at = `matchExpressions[${i}]`;
    const base = { key, operator, expression: i };
    if (typeof key === 'string' && !keyOk(key)) out.push({ ...base, kind: SelectorProblemKind.KEY, at: `${at}.key` });
    const list = Array.isArray(values) ? (values as unknown[]) : [];
    if ((operator === 'In' || operator === 'NotIn') && list.length === 0) out.push({ ...base, kind: SelectorProblemKind.NO_VALUES, at: `${at}.values` });
    if (operator === 'In' || operator === 'NotIn') {
      list.forEach((v, j) => {
        if (typeof v === 'string' && !isLabelValue(v)) out.push({ ...base, kind: SelectorProblemKind.VALUE, value: { text: v, index: j }, at: `${at}.values[${j}]` });
      });
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && list.length > 0) {
      out.push({ ...base, kind: SelectorProblemKind.VALUES_NOT_TAKEN, values: list, at: `${at}.values` });
    }
  });
  return out;
}

/**
 * Why a label selector whose keys are taken as written (no Cilium source) does not build, as Cilium matches a
 * `toServices` `k8sServiceSelector` against a Service's own labels (pkg/policy/k8s/service.go `serviceSelectorMatches`):
 * the first of `selectorBuildProblems`, with why in words (`why`) and how to write it (`fix`, per kind). `undefined` when
 * it builds.
 */
export function plainSelectorProblem(selector: unknown): (SelectorBuildProblem & { readonly why: string; readonly fix: string }) | undefined {
  const p = selectorBuildProblems(selector)[0];
  if (p === undefined) return undefined;
  const key = String(p.key);
  switch (p.kind) {
    case SelectorProblemKind.KEY:
      return key.includes(':')
        ? { ...p, why: `the key ${JSON.stringify(key)} is not a label key (a Service label has no source prefix)`,
          fix: `write the Service's label key as it is, without a source prefix (${key.slice(key.indexOf(':') + 1) || 'app'}, not ${key})` }
        : { ...p, why: `the key ${JSON.stringify(key)} is not a label key`,
          fix: 'write a label key: an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or "."' };
    case SelectorProblemKind.NO_VALUES:
      return { ...p, why: `${String(p.operator)} has no values`,
        fix: `list the values to match, or use ${p.operator === 'In' ? 'Exists' : 'DoesNotExist'}` };
    case SelectorProblemKind.VALUE:
      return { ...p, why: `${JSON.stringify(p.value?.text)} is not a label value`,
        fix: 'use at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (no wildcards: list each value)' };
    default:
      return { ...p, why: `${String(p.operator)} takes no values`, fix: `remove values, or use ${p.operator === 'Exists' ? 'In' : 'NotIn'} to match them` };
  }
}
