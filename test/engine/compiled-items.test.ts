// What the engine compiles an item into, through verdicts and their notes (src/engine/compile.ts): the survivors of the
// session-37 mutation sample of compile.ts (docs/testing.md "Session 37").
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';
const REQUIRES_NOTE = 'fromRequires/toRequires are ignored: they were removed in Cilium 1.19 (the 1.19 CRD rejects them)';

describe('what an item compiles into', () => {
  test('fromRequires on 1.19: an empty list is no requirement and no note; in a raw rule, which no CRD checks, a selector is noted as ignored', () => {
    const rule = (requires: unknown[]): Record<string, unknown> => ({
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ fromEndpoints: [labels({ app: 'web' })], fromRequires: requires }],
    });
    const empty = judged(policySet([cnp('api', rule([]))], { ciliumVersion: CiliumVersion.V1_19 }), WEB, API, 80);
    expect(empty.verdict).toBe('allowed');
    expect(empty.ingress.notes).not.toContain(REQUIRES_NOTE);
    const raw = PolicySet.fromYaml(JSON.stringify([rule([labels({ env: 'prod' })])]), { file: 'rules.json', ciliumVersion: CiliumVersion.V1_19 });
    const one = judged(raw, WEB, API, 80);
    expect(one.verdict).toBe('allowed');
    expect(one.ingress.notes).toContain(REQUIRES_NOTE);
  });

  test('a selector requiring a label no identity holds (Exists as In) is noted as selecting no endpoint', () => {
    const set = policySet([cnp('db', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'statefulset.kubernetes.io/pod-name', operator: 'Exists' }] }] }],
    })]);
    const v = judged(set, 'pod:default:app=web,statefulset.kubernetes.io/pod-name=web-0', API, 80);
    expect(v.verdict).toBe('denied');
    expect(v.ingress.notes.join('\n')).toMatch(/selects no endpoint: any:statefulset\.kubernetes\.io\/pod-name is not in any identity/);
  });

  test('a toServices entry naming neither a Service nor a selector selects nothing, and is explained', () => {
    const set = policySet([cnp('web', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toServices: [{}] }],
    })]);
    const v = judged(set, WEB, 'cidr:192.0.2.10', 443);
    expect(v.verdict).toBe('denied');
    expect(v.egress.notes).toContain('toServices: an entry with neither k8sService nor k8sServiceSelector names no Service, so it adds no selector, '
      + 'and the item has no toPorts or icmps: it selects nothing');
  });
});
