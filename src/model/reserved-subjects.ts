// Cilium's own endpoints that a clusterwide subject may select besides pods: none carries a pod or namespace label.
import { LabelSet, Selector } from './labels';

/** The health endpoint, the ingress endpoint and pods still initializing, each as its label set. */
const RESERVED_SUBJECTS = ['health', 'ingress', 'init'].map((id) => ({ id, labels: LabelSet.of([{ source: 'reserved', key: id, value: '' }]) }));

/**
 * The reserved endpoints (`reserved:health`, `reserved:ingress`, `reserved:init`) a subject selector selects as written,
 * with no namespace added (the subject of a clusterwide rule): those it does not keep out itself (`reserved:health
 * DoesNotExist`).
 */
export function reservedSubjectsSelected(subject: Selector): string[] {
  return RESERVED_SUBJECTS.filter((p) => subject.matches(p.labels)).map((p) => `reserved:${p.id}`);
}
