import { LabelSelectorModel } from '../model/policy-model';

/** `app=web,k8s:io.kubernetes.pod.namespace=shop`-style text for a selector. */
export function describeSelector(selector: LabelSelectorModel): string {
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`),
  ];
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}
