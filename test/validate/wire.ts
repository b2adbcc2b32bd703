import { PEER_FIELDS, PeerField, PolicyDocumentModel, RuleItemModel, RuleModel, SECTIONS, sectionDirection } from '../../src/model/policy-model';
import { Loose } from './helpers';

/**
 * A minimal manifest → model reader for tests (the real parser is written elsewhere): wire peer names become the
 * model's direction-neutral fields; every other key is kept as is. Keys the model has no place for are returned in
 * `unknown` (as paths) instead of being dropped silently.
 */
export function fromManifest(obj: Loose): { doc: PolicyDocumentModel; unknown: string[] } {
  const unknown: string[] = [];
  const ruleOf = (r: Loose, path: string): RuleModel => {
    const out: Loose = {};
    for (const [k, v] of Object.entries(r ?? {})) {
      if ((SECTIONS as readonly string[]).includes(k)) {
        const section = k as (typeof SECTIONS)[number];
        const dir = sectionDirection(section);
        out[k] = Array.isArray(v) ? v.map((item: Loose, i: number) => itemOf(item, dir, `${path}.${k}[${i}]`)) : v;
      } else if (['endpointSelector', 'nodeSelector', 'enableDefaultDeny', 'description', 'log', 'labels'].includes(k)) {
        out[k] = v;
      } else {
        unknown.push(`${path}.${k}`);
      }
    }
    return out as RuleModel;
  };
  const itemOf = (item: Loose, dir: 'ingress' | 'egress', path: string): RuleItemModel => {
    const out: Loose = {};
    for (const [k, v] of Object.entries(item ?? {})) {
      const field = (Object.keys(PEER_FIELDS) as PeerField[]).find((f) => PEER_FIELDS[f][dir] === k);
      if (field) out[field] = v;
      else if (['toPorts', 'icmps', 'authentication'].includes(k)) out[k] = v;
      else unknown.push(`${path}.${k}`);
    }
    return out as RuleItemModel;
  };
  const doc: Loose = { kind: obj.kind, metadata: obj.metadata ?? {} };
  if (obj.spec !== undefined) doc.spec = ruleOf(obj.spec, 'spec');
  if (obj.specs !== undefined) doc.specs = obj.specs.map((r: Loose, i: number) => ruleOf(r, `specs[${i}]`));
  return { doc: doc as PolicyDocumentModel, unknown };
}
