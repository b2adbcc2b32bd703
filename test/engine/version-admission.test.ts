// Version findings are of two kinds, read from the CRD schema each Cilium version ships
// (pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml, bundled in crd-schemas/, copies in
// ../shared/crds/cilium/<version>/ beside the project):
// - a field the older CRD does not declare (endPort, fromNodes, enableDefaultDeny, log …): the API server prunes it and
//   stores the rest of the object, which the engine enforces as pruned;
// - a value the older CRD types, enumerates or requires otherwise: the API server refuses the whole object, so no policy
//   exists and the endpoint stays in default allow (unless another policy selects it).
//   * ICMPField.type: `type: integer` (0-255) in 1.14/1.15, `x-kubernetes-int-or-string` from 1.16;
//   * PortProtocol.protocol: enum TCP, UDP, SCTP, ANY in 1.14-1.18, VRRP and IGMP added in 1.19;
//   * PortProtocol: `required: [port]` in 1.14-1.18, optional from 1.19;
//   * CIDRRule: `oneOf: [cidr | cidrGroupRef]` in 1.14-1.16, so an entry with only cidrGroupSelector (pruned) fails;
//   * fromRequires/toRequires: `maxItems: 0` (and `type: string` items) in 1.19.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { emitDocument } from '../../src/model/emit';
import { PolicySet } from '../../src/engine';
import { CASES } from '../validate/cases';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const DB = 'pod:default:app=db';
const API = 'pod:default:app=api';
const V = CiliumVersion;

/** A CNP on api whose ingress item from web has `extra` (merged into the item; `fromEndpoints: undefined` drops the peer). */
function apiPolicy(item: Record<string, unknown>, name = 'p'): Record<string, unknown> {
  return cnp(name, { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })], ...item }] });
}

const skipped = (s: PolicySet, id: string): boolean => s.diagnostics.some((d) => d.id === 'engine-policy-skipped' && d.message.includes(`[${id}]`));

describe('a version finding the older CRD schema refuses: the whole object is not stored, nothing is enforced', () => {
  const cases: [string, Record<string, unknown>, string, CiliumVersion[], CiliumVersion[]][] = [
    ['an ICMP type name (integer field before 1.16)', { icmps: [{ fields: [{ type: 'EchoRequest' }] }] }, 'version-icmp-type-name', [V.V1_14, V.V1_15], [V.V1_16, V.V1_19]],
    ['protocol VRRP (not in the enum before 1.19)', { toPorts: [{ ports: [{ port: '0', protocol: 'VRRP' }] }] }, 'version-protocol', [V.V1_14, V.V1_16, V.V1_18], [V.V1_19]],
    ['protocol IGMP (not in the enum before 1.19)', { toPorts: [{ ports: [{ port: '0', protocol: 'IGMP' }] }] }, 'version-protocol', [V.V1_15, V.V1_18], [V.V1_19]],
    ['a port entry without port (required before 1.19)', { toPorts: [{ ports: [{ protocol: 'TCP' }] }] }, 'version-port-omitted', [V.V1_14, V.V1_17, V.V1_18], []],
    ['a fromCIDRSet entry with only cidrGroupSelector (oneOf cidr|cidrGroupRef before 1.17)',
      { fromEndpoints: undefined, fromCIDRSet: [{ cidrGroupSelector: labels({ team: 'x' }) }] }, 'version-cidr-group-selector', [V.V1_15, V.V1_16], [V.V1_17]],
    ['fromRequires with entries (maxItems 0 from 1.19)', { fromRequires: [labels({ env: 'prod' })] }, 'version-requires-removed', [V.V1_19], [V.V1_18]],
  ];
  describe.each(cases)('%s', (_what, item, id, refusedOn, storedOn) => {
    test.each(refusedOn.map((v) => [String(v), v] as const))('%s: refused, so api is in default allow', (_v, version) => {
      const s = policySet([apiPolicy(item)], { ciliumVersion: version });
      expect(skipped(s, id)).toBe(true);
      // Not even the peer the rule names is treated differently: no policy selects api.
      expect(judged(s, DB, API, '80/TCP').allowed).toBe(true);
      expect(judged(s, DB, API, '80/TCP').ingress.notes.join('\n')).toMatch(new RegExp(`not imported by the agent: .*\\[${id}\\]`));
    });
    test.each(storedOn.map((v) => [String(v), v] as const))('%s: stored and enforced (db is denied)', (_v, version) => {
      const s = policySet([apiPolicy(item)], { ciliumVersion: version });
      expect(s.diagnostics.some((d) => d.id === 'engine-policy-skipped')).toBe(false);
      expect(judged(s, DB, API, '80/TCP').allowed).toBe(false);
    });
  });

  test('a port entry without port on 1.19: the API server stores it; the agent refuses TCP without port (another finding)', () => {
    const s = policySet([apiPolicy({ toPorts: [{ ports: [{ protocol: 'TCP' }] }] })], { ciliumVersion: V.V1_19 });
    expect(skipped(s, 'version-port-omitted')).toBe(false);
    expect(skipped(s, 'sanitize-port-omitted')).toBe(true);
  });

  test('the probe: ingress toPorts port "0"/VRRP alone, 1.18: ALLOWED (no policy); 1.19: DENIED on 80/TCP', () => {
    const doc = cnp('a', { endpointSelector: labels({ app: 'api' }), ingress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'VRRP' }] }] }] });
    expect(judged(policySet([doc], { ciliumVersion: V.V1_18 }), WEB, API, '80/TCP').allowed).toBe(true);
    expect(judged(policySet([doc], { ciliumVersion: V.V1_19 }), WEB, API, '80/TCP').allowed).toBe(false);
  });

  test('a refused later copy does not replace the stored earlier one with the same name', () => {
    const first = apiPolicy({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] });
    const second = apiPolicy({ toPorts: [{ ports: [{ port: '0', protocol: 'VRRP' }] }] });
    const on118 = policySet([first, second], { ciliumVersion: V.V1_18 });
    expect(judged(on118, WEB, API, '80/TCP').allowed).toBe(true);
    expect(judged(on118, DB, API, '80/TCP').allowed).toBe(false);
    // On 1.19 the API server stores the second copy, which replaces the first: web is allowed only on VRRP.
    const on119 = policySet([first, second], { ciliumVersion: V.V1_19 });
    expect(judged(on119, WEB, API, '80/TCP').allowed).toBe(false);
  });
});

describe('a version finding about a field the older CRD does not know: pruned, the rest enforced', () => {
  test('endPort on 1.15: stored without it, web allowed on 80 only, db denied', () => {
    const s = policySet([apiPolicy({ toPorts: [{ ports: [{ port: '80', endPort: 90, protocol: 'TCP' }] }] })], { ciliumVersion: V.V1_15 });
    expect(s.diagnostics.some((d) => d.id === 'engine-policy-skipped')).toBe(false);
    expect(judged(s, WEB, API, '80/TCP').allowed).toBe(true);
    expect(judged(s, WEB, API, '85/TCP').allowed).toBe(false);
    expect(judged(s, DB, API, '80/TCP').allowed).toBe(false);
  });

  test('log on 1.17 and enableDefaultDeny on 1.15: stored, enforced', () => {
    for (const [extra, version] of [[{ log: { value: 'x' } }, V.V1_17], [{ enableDefaultDeny: { ingress: true } }, V.V1_15]] as const) {
      const s = policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }], ...extra })], { ciliumVersion: version });
      expect(s.diagnostics.some((d) => d.id === 'engine-policy-skipped')).toBe(false);
      expect(judged(s, WEB, API, '80/TCP').allowed).toBe(true);
      expect(judged(s, DB, API, '80/TCP').allowed).toBe(false);
    }
  });
});

describe('every version case of the catalogue: the engine refuses exactly those the older CRD schema refuses', () => {
  const REFUSED = new Set(['version-icmp-type-name', 'version-protocol', 'version-port-omitted', 'version-cidr-group-selector', 'version-requires-removed']);
  test.each(CASES.filter((c) => c.id.startsWith('version-')).map((c) => [`${c.id}: ${c.when}`, c] as const))('%s', (_name, c) => {
    const s = PolicySet.fromYaml(JSON.stringify(emitDocument(c.bad)), { file: 'p.yaml', ciliumVersion: c.version ?? V.V1_19 });
    expect(skipped(s, c.id)).toBe(REFUSED.has(c.id));
    // The valid form is never refused.
    const good = PolicySet.fromYaml(JSON.stringify(emitDocument(c.good)), { file: 'p.yaml', ciliumVersion: c.version ?? V.V1_19 });
    expect(good.diagnostics.some((d) => d.id === 'engine-policy-skipped')).toBe(false);
  });
});
