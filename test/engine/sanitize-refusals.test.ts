// The agent's refusals of a rule (Sanitize, pkg/policy/api/rule_validation.go) have one implementation: the validator's
// sanitize rules. The engine decides importability with them (documents through admission.ts, raw api.Rule lists
// through importable.ts), and the skip reason ends with the rule's id. The cases where the engine's former copy and the
// validator disagreed are named here, with the Cilium code that decides them.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src';
import { PolicySet } from '../../src/engine';
import { fromObject } from '../../src/model/parse';
import { Validator } from '../../src/validate';
import { cnp, labels, policySet, verdict } from './helpers';

const API = labels({ app: 'api' });
const WEB = labels({ app: 'web' });

/** A raw api.Rule list of one rule. */
function raw(rule: Record<string, unknown>): PolicySet {
  return PolicySet.fromYaml(JSON.stringify([rule]), { file: 'r.json' });
}

/** The ids of the validator's error findings on a CNP with `spec`. */
function errorIds(spec: Record<string, unknown>, version: CiliumVersion = CiliumVersion.DEFAULT): string[] {
  const [doc] = fromObject(cnp('p', spec)).documents;
  return Validator.validatePolicy(doc.model, { version }).filter((d) => d.severity === 'error').map((d) => d.id);
}

describe('one implementation: the skip reason is the validator\'s finding, with its id', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['two peer kinds in one item', { endpointSelector: API, ingress: [{ fromEndpoints: [WEB], fromEntities: ['world'] }] }, 'sanitize-l3-combination'],
    ['ICMPs beside toPorts', { endpointSelector: API, ingress: [{ fromEntities: ['world'], icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [{ port: '80' }] }] }] },
      'sanitize-icmps-with-ports'],
    ['DNS rules on ingress', { endpointSelector: API, ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] },
      'sanitize-dns-ingress'],
    ['HTTP on a UDP port', { endpointSelector: API, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }], rules: { http: [{}] } }] }] }, 'sanitize-l7-protocol'],
    ['HTTP on port 0', { endpointSelector: API, ingress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }], rules: { http: [{}] } }] }] }, 'sanitize-l7-port-zero'],
    ['HTTP in a host policy', { nodeSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }, 'sanitize-host-l7'],
  ])('%s: a raw rule and a policy document are skipped for the same rule', (_what, rule, id) => {
    const rawSet = raw(rule);
    expect(rawSet.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(new RegExp(` \\[${id}\\]$`))]);
    const docSet = PolicySet.fromYaml(JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'p' }, spec: rule }));
    expect(docSet.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(new RegExp(` \\[${id}\\]$`))]);
  });

  test('from/toNodes without enable-node-selector-labels: the validator\'s warning is a refusal exactly when the flag is off', () => {
    const rule = { endpointSelector: API, ingress: [{ fromNodes: [labels({ zone: 'a' })] }] };
    const off = policySet([cnp('p', rule)]);
    expect(off.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/enable-node-selector-labels .* \[sanitize-nodes-flag\]$/)]);
    expect(off).toAllow('pod:default:app=web', 'pod:default:app=api', 80);
    const on = policySet([cnp('p', rule)], { nodeSelectorLabels: true });
    expect(on.skippedRules).toEqual([]);
    expect(on).toDeny('pod:default:app=web', 'pod:default:app=api', 80);
    expect(raw(rule).skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/\[sanitize-nodes-flag\]$/)]);
    expect(PolicySet.fromYaml(JSON.stringify([rule]), { nodeSelectorLabels: true }).skippedRules).toEqual([]);
  });
});

describe('disagreements of the former engine copy and the validator, decided by the Cilium source', () => {
  test('toEndpoints + toNodes on 1.15: toNodes is not in the 1.15 CRD, the API server prunes it, so there is no combination to refuse', () => {
    // Decided by the CRD of 1.15 (no toNodes/fromGroups in the section); the validator used to report sanitize-l3-combination.
    const spec = { endpointSelector: API, egress: [{ toEndpoints: [WEB], toNodes: [labels({ zone: 'a' })] }] };
    expect(errorIds(spec, CiliumVersion.V1_15)).not.toContain('sanitize-l3-combination');
    expect(errorIds(spec, CiliumVersion.V1_16)).toContain('sanitize-l3-combination');
    const set = policySet([cnp('p', spec)], { ciliumVersion: CiliumVersion.V1_15 });
    expect(set.skippedRules).toEqual([]);
    expect(set).toAllow('pod:default:app=api', 'pod:default:app=web', 80);
    expect(set).toDeny('pod:default:app=api', 'pod:default:app=db', 80);
    // fromGroups came to ingress in 1.16 too.
    expect(errorIds({ endpointSelector: API, ingress: [{ fromEndpoints: [WEB], fromGroups: [{ aws: { labels: { a: 'b' } } }] }] }, CiliumVersion.V1_15))
      .not.toContain('sanitize-l3-combination');
  });

  test('DNS rules on port 0: refused (rule_validation.go PortRule.sanitize: `!pr.Rules.IsEmpty()` and a zero port), DNS or not', () => {
    // The engine's copy checked port 0 for non-DNS L7 only, so it imported this raw rule.
    const set = raw({ endpointSelector: WEB, egress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] });
    expect(set.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/\[sanitize-l7-port-zero\]$/)]);
    expect(verdict(set, 'pod:default:app=web', 'cidr:8.8.8.8', '53/UDP').egress.decision).toBe('no-policy-default-allow');
  });

  test('port "00" is port 0 to the agent (strconv.ParseUint(port, 0, 16)): HTTP on it is refused', () => {
    // The engine's copy compared the text with "0".
    const set = raw({ endpointSelector: API, ingress: [{ toPorts: [{ ports: [{ port: '00', protocol: 'TCP' }], rules: { http: [{}] } }] }] });
    expect(set.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/\[sanitize-l7-port-zero\]$/)]);
  });

  test('dns: [] on ingress is no DNS rule (hasDNSRules is len(pr.Rules.DNS) > 0): imported', () => {
    // The engine's copy refused any `dns` key on ingress ("DNS rules are not allowed on ingress").
    const spec = { endpointSelector: API, ingress: [{ fromEndpoints: [WEB], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }], rules: { dns: [] } }] }] };
    expect(errorIds(spec)).toEqual([]);
    for (const set of [policySet([cnp('p', spec)]), raw(spec)]) {
      expect(set.skippedRules).toEqual([]);
      expect(set).toDeny('pod:default:app=db', 'pod:default:app=api', 53);
    }
  });

  test('dns: [] without ports on ingress: refused ((*L7Rules).sanitize checks DNS != nil and len(ports) == 0 whatever the direction)', () => {
    // The validator checked egress only; the engine's copy refused it, so the verdict stays.
    const spec = { endpointSelector: API, ingress: [{ fromEndpoints: [WEB], toPorts: [{ rules: { dns: [] } }] }] };
    expect(errorIds(spec)).toContain('sanitize-dns-no-ports');
    const [doc] = fromObject(cnp('p', spec)).documents;
    expect(Validator.validatePolicy(doc.model, { version: CiliumVersion.DEFAULT }).find((d) => d.id === 'sanitize-dns-no-ports'))
      .toMatchObject({ path: 'spec.ingress[0].toPorts[0].rules.dns', fix: 'remove rules.dns (DNS rules belong to egress rules towards the DNS server)' });
    expect(policySet([cnp('p', spec)]).skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/\[sanitize-dns-no-ports\]$/)]);
  });

  test('protocol "tcp" in a raw rule is TCP (ParseL4Proto upper-cases it before the L7 check): HTTP on it is imported', () => {
    // The validator compared with "TCP"; the engine upper-cased. The CRD enum refuses "tcp" in a document anyway.
    const set = raw({ endpointSelector: API, ingress: [{ fromEndpoints: [WEB], toPorts: [{ ports: [{ port: '80', protocol: 'tcp' }], rules: { http: [{ path: '/ok' }] } }] }] });
    expect(set.skippedRules).toEqual([]);
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /ok' });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /no' });
    const udp = raw({ endpointSelector: API, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'udp' }], rules: { http: [{}] } }] }] });
    expect(udp.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/\[sanitize-l7-protocol\]$/)]);
  });
});

// An empty L7 list (`rules: {http: []}`): `L7Rules.IsEmpty()` (pkg/policy/api/l4.go) read the lists as nil before 1.16,
// so the port-rule checks of `PortRule.sanitize` saw L7 rules; from 1.16 it is `Len() == 0`, so they see none. The L7
// parser is picked by lists with rules in every version (pkg/policy/l4.go createL4Filter `case len(pr.Rules.HTTP) > 0`):
// no parser, so the port is allowed at L4, whatever the request.
describe('rules: {http: []} is no L7 rule to the 1.16+ agent', () => {
  const item = (ports: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> => (
    { endpointSelector: API, ingress: [{ fromEndpoints: [WEB], toPorts: [{ ports, rules: { http: [] }, ...extra }] }] });
  test.each<[string, Record<string, unknown>, string, string]>([
    ['on a UDP port', item([{ port: '80', protocol: 'UDP' }]), 'sanitize-l7-protocol', '80/UDP'],
    ['on port 0', item([{ port: '0', protocol: 'TCP' }]), 'sanitize-l7-port-zero', '80'],
    ['beside serverNames without terminatingTLS', item([{ port: '80', protocol: 'TCP' }], { serverNames: ['api.example.com'] }), 'sanitize-server-names-with-l7', '80'],
  ])('%s: refused by 1.14-1.15, imported and allowed at L4 by 1.16+', (_what, spec, id, port) => {
    for (const version of [CiliumVersion.V1_14, CiliumVersion.V1_15]) {
      expect(errorIds(spec, version)).toContain(id);
      expect(policySet([cnp('p', spec)], { ciliumVersion: version }).skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(new RegExp(`\\[${id}\\]$`))]);
    }
    for (const version of [CiliumVersion.V1_16, CiliumVersion.V1_19]) {
      expect(errorIds(spec, version)).toEqual([]);
      const set = policySet([cnp('p', spec)], { ciliumVersion: version });
      expect(set.skippedRules).toEqual([]);
      expect(verdict(set, 'pod:default:app=web', 'pod:default:app=api', port).verdict).toBe('allowed');
    }
  });

  test('on TCP 80 every version imports it, with no L7 parser: an HTTP request is allowed at L4, not refused by the proxy', () => {
    const spec = item([{ port: '80', protocol: 'TCP' }]);
    for (const version of [CiliumVersion.V1_15, CiliumVersion.V1_16]) {
      const set = policySet([cnp('p', spec)], { ciliumVersion: version });
      expect(set.skippedRules).toEqual([]);
      const v = verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /x' });
      expect(v.verdict).toBe('allowed');
      expect(v.ingress.l7).toBeUndefined();
    }
  });
});

// pkg/policy/api/kafka/kafka.go `PortRule.Sanitize`: `strconv.ParseInt(kr.APIVersion, 10, 16)`, refused when it errs or
// `n < 0 || n > math.MaxInt16`. Go's ParseInt takes one leading sign, so "-0" and "+7" are versions 0 and 7. Seed-42
// mutant of sanitize-rules.ts (the regex without `^`: "-1" read as a version); the check refused "-0", which the agent
// takes, so the engine dropped a policy Cilium enforces.
describe('sanitize-kafka-api-version: a version as Go\'s ParseInt reads it, 0 to 32767', () => {
  const kafka = (apiVersion: string): Record<string, unknown> => ({
    endpointSelector: API,
    ingress: [{ fromEndpoints: [WEB], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ apiKey: 'fetch', apiVersion }] } }] }],
  });

  test.each(['-1', '32768', 'v2', '1.0', ' 2', '1e3', '--1', '0x1F'])('%j is refused: the policy is skipped', (v) => {
    expect(errorIds(kafka(v))).toEqual(['sanitize-kafka-api-version']);
    expect(policySet([cnp('p', kafka(v))]).skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(/\[sanitize-kafka-api-version\]$/)]);
  });

  test.each([['-0', 0], ['+7', 7], ['007', 7], ['32767', 32767]])('%j is version %d: the policy holds', (v, n) => {
    expect(errorIds(kafka(v))).toEqual([]);
    const set = policySet([cnp('p', kafka(v))]);
    expect(set.skippedRules).toEqual([]);
    expect(verdict(set, 'pod:default:app=web', 'pod:default:app=api', 9092, { kafka: `fetch orders version=${n}` }).verdict).toBe('allowed');
    expect(verdict(set, 'pod:default:app=web', 'pod:default:app=api', 9092, { kafka: `fetch orders version=${n === 0 ? 1 : 0}` }).verdict).toBe('l7-denied');
  });
});
