// What a rule gives the endpoints its subject selects, in words, for the messages about a subject that selects more than
// meant (`subject-selector-only-excludes` at synthesis, `pitfall-ccnp-subject-selects-reserved` in validate).
import { SectionName } from './policy-model';

/**
 * What a rule (a model, or a written rule whose parts may be anything) gives the endpoints it selects: its allows and
 * denies by section, and the directions it puts into default deny (a direction with rules of it, unless
 * `enableDefaultDeny` says false for it), e.g. "its allows (ingress), its denies (egressDeny) and its ingress and egress
 * default deny"; `undefined` when it gives them nothing. An allow item that is empty (`ingress: [{}]`) allows nothing.
 */
export function ruleEffects(rule: Record<string, unknown>): string | undefined {
  const list = (section: SectionName): unknown[] => (Array.isArray(rule[section]) ? rule[section] as unknown[] : []);
  const isMap = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  const allows = [SectionName.INGRESS, SectionName.EGRESS].filter((s) => list(s).some((item) => isMap(item) && Object.keys(item).length > 0));
  const denies = [SectionName.INGRESS_DENY, SectionName.EGRESS_DENY].filter((s) => list(s).length > 0);
  const flags = isMap(rule.enableDefaultDeny) ? rule.enableDefaultDeny : {};
  const defaultDeny = (['ingress', 'egress'] as const).filter((d) => flags[d] !== false
    && list(d === 'ingress' ? SectionName.INGRESS : SectionName.EGRESS).length + list(d === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY).length > 0);
  const parts = [
    ...(allows.length ? [`its allows (${allows.join(', ')})`] : []),
    ...(denies.length ? [`its denies (${denies.join(', ')})`] : []),
    ...(defaultDeny.length ? [`its ${defaultDeny.join(' and ')} default deny`] : []),
  ];
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
