import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
// eslint-disable-next-line
const { CrdSchemas } = require('./src/testing');
const root = '../shared/cilium-examples';
const walk = (d: string): string[] => readdirSync(d).flatMap((f) => statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]);
for (const top of readdirSync(root).filter((f) => statSync(join(root, f)).isDirectory())) {
  const ver = top.startsWith('v1.14') ? '1.14' : top === 'main' ? 'main' : '1.19';
  const s = CrdSchemas.forVersion('../shared/crds/cilium', ver);
  let n = 0; let bad = 0; const msgs: string[] = [];
  for (const f of walk(join(root, top)).filter((f) => /\.(ya?ml|json)$/.test(f))) {
    let docs: unknown[];
    try { docs = parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()); } catch { continue; }
    for (const d of docs.flatMap((x) => (x && typeof x === 'object' && Array.isArray((x as { items?: unknown[] }).items) ? (x as { items: unknown[] }).items : [x]))) {
      if (!d || typeof d !== 'object' || !/^Cilium(Clusterwide)?NetworkPolicy$/.test(String((d as { kind?: string }).kind))) continue;
      n++;
      const v = s.validate(d);
      if (v.length) { bad++; msgs.push(`${f.replace(root + '/', '')}: ${v.map((x: { message: string }) => x.message).join(' | ')}`); }
    }
  }
  console.log(`${top} (CRD ${ver}): ${n} policies, ${bad} with violations`);
  for (const m of msgs.slice(0, 40)) console.log('   ', m.slice(0, 260));
}
