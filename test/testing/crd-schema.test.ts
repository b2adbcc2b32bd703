import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { CidrFormat, CrdSchemas, isGoCidr } from '../../src/testing';
import { CRD_VERSIONS, crdSchemas } from '../support/crd';
import { CRD_ROOT } from '../support/shared';

const KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** A CNP in namespace `shop` with the given spec fields on top of `endpointSelector: {}`. */
function cnp(spec: Record<string, unknown>, name = 'allow'): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec: { endpointSelector: {}, ...spec } };
}

/** A CCNP (cluster-scoped) with the given spec. */
function ccnp(spec: Record<string, unknown>, name = 'host'): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

/** A policy that is valid in every version from 1.14 to main. */
const WEB = cnp({
  ingress: [{
    fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'frontend' } }],
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }],
  }],
  egress: [
    { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] },
    { toEntities: ['kube-apiserver'] },
  ],
}, 'web');

/** Ingress on port 80 with one port entry to vary. */
function withPort(port: Record<string, unknown>): Record<string, unknown> {
  return cnp({ ingress: [{ toPorts: [{ ports: [port] }] }] });
}

describe('CrdSchemas | loading', () => {
  test.each(CRD_VERSIONS)('compiles the CNP and CCNP schemas of %s, and a plain policy passes', (version) => {
    const schemas = crdSchemas(version);
    expect(schemas.kinds).toEqual(KINDS);
    expect(schemas.version).toBe(version);
    expect(schemas.validate(WEB)).toEqual([]);
    expect(schemas.validate(ccnp({ nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }))).toEqual([]);
  });

  describe('file shapes', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'crd-schema-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const CRD_FILES = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'].map((f) => join(CRD_ROOT, 'v1.19', f));
    let parsed: unknown[] | undefined;
    /** The two v1.19 CRDs as objects, parsed on first use (≈ 0.3 s; only serialized, never changed). */
    function crds(): unknown[] {
      parsed ??= CRD_FILES.flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS())).filter((d) => d !== null);
      return parsed;
    }

    test('reads a kind: List of CRDs, as `kubectl get crd a b -o yaml` prints it', () => {
      const file = join(dir, 'list.yaml');
      writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: crds() }));
      const schemas = CrdSchemas.fromFiles([file]);
      expect(schemas.kinds).toEqual(KINDS);
      expect(schemas.validate(WEB)).toEqual([]);
      expect(schemas.validate(cnp({ egress: [{ toFQDN: [] }] }))).toHaveLength(1);
    });

    test('reads a multi-document YAML file and `-o json` output', () => {
      const yamlFile = join(dir, 'multi.yaml');
      // The two files one after the other, as `cat a.yaml b.yaml` gives them: each starts with `---`.
      const texts = CRD_FILES.map((f) => readFileSync(f, 'utf8'));
      expect(texts.map((t) => t.startsWith('---\n') && t.endsWith('\n'))).toEqual([true, true]);
      writeFileSync(yamlFile, texts.join(''));
      expect(CrdSchemas.fromFiles([yamlFile]).kinds).toEqual(KINDS);
      const jsonFile = join(dir, 'list.json');
      writeFileSync(jsonFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds() }));
      expect(CrdSchemas.fromFiles([jsonFile]).kinds).toEqual(KINDS);
    });

    test('compiles a file once, and again after it changes', () => {
      const file = join(dir, 'cnp.yaml');
      copyFileSync(join(CRD_ROOT, 'v1.19', 'ciliumnetworkpolicies.yaml'), file);
      const before = CrdSchemas._compileCount;
      CrdSchemas.fromFiles([file]).load();
      expect(CrdSchemas._compileCount).toBe(before + 1);
      CrdSchemas.fromFiles([file]).load();
      expect(CrdSchemas.fromFiles([file]).validate(WEB)).toEqual([]);
      expect(CrdSchemas._compileCount).toBe(before + 1);
      const later = new Date(Date.now() + 60_000);
      utimesSync(file, later, later);
      CrdSchemas.fromFiles([file]).load();
      expect(CrdSchemas._compileCount).toBe(before + 2);
    });

    test('a Cilium kind without a loaded schema gives one violation saying so', () => {
      const schemas = CrdSchemas.fromFiles([join(CRD_ROOT, 'v1.19', 'ciliumnetworkpolicies.yaml')]);
      const violations = schemas.validate(ccnp({ nodeSelector: {}, ingress: [{}] }));
      expect(violations).toEqual([expect.objectContaining({ path: '', keyword: 'crd' })]);
      expect(violations[0].message)
        .toMatch(/^\(root\): no CRD schema loaded for kind CiliumClusterwideNetworkPolicy \(loaded: CiliumNetworkPolicy from CRDs /);
    });

    test('fails clearly on a missing file, a file without CRDs and an unknown version', () => {
      expect(() => CrdSchemas.fromFiles([join(dir, 'nope.yaml')])).toThrow(/nope\.yaml does not exist \(crd-file-not-found\)/);
      const empty = join(dir, 'empty.yaml');
      writeFileSync(empty, 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
      expect(() => CrdSchemas.fromFiles([empty]).load()).toThrow(/holds no CustomResourceDefinition \(crd-file-invalid\)/);
      expect(() => CrdSchemas.forVersion(CRD_ROOT, '1.9'))
        .toThrow(/no CRDs for Cilium 1\.9 .*\(crd-version-not-found\)\n {2}fix: use one of 1\.14, 1\.15, .*, 1\.19, main/);
      expect(() => CrdSchemas.forVersion(CRD_ROOT, 'latest')).toThrow(/"latest" is not a Cilium version \(crd-version-invalid\)/);
    });
  });

  test('forVersion accepts 1.19, v1.19, 1.19.4 and main', () => {
    for (const v of ['1.19', 'v1.19', '1.19.4']) expect(CrdSchemas.forVersion(CRD_ROOT, v).version).toBe('1.19');
    expect(CrdSchemas.forVersion(CRD_ROOT, 'main').label).toBe('CRD main');
  });

  test('forVersion refuses a version with anything before or after it (crd-version-invalid)', () => {
    for (const v of ['x1.19', 'cilium-1.19', 'vv1.19', '1.19.4-rc1', '1.19.']) {
      expect(() => CrdSchemas.forVersion(CRD_ROOT, v), v).toThrow(expect.objectContaining({ id: 'crd-version-invalid' }));
    }
  });

  test('other kinds are not its business', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { bogus: true } };
    expect(crdSchemas().handlesKind('Deployment')).toBe(false);
    expect(crdSchemas().validate(deployment)).toEqual([]);
    expect(crdSchemas().validate('not a manifest')).toEqual([]);
  });
});

describe('CrdSchemas | what the closed v1.19 schema catches', () => {
  const schemas = crdSchemas('1.19');
  beforeAll(() => schemas.load());

  test('a misspelled field fails with its path and a suggestion', () => {
    expect(schemas.validate(cnp({ egress: [{ toFQDN: [{ matchName: 'api.example.com' }] }] }))).toEqual([{
      path: 'spec.egress[0].toFQDN',
      keyword: 'additionalProperties',
      message: 'spec.egress[0].toFQDN: unknown field "toFQDN" (did you mean "toFQDNs"?)',
    }]);
  });

  test('unknown fields fail at every level, metadata and label maps stay open', () => {
    const paths = schemas.validate({ ...cnp({ bogus: 1, ingress: [{ toPorts: [{ ports: [{ port: '80', proto: 'TCP' }] }] }] }), extra: true })
      .map((v) => v.path);
    expect(paths).toEqual(['spec.ingress[0].toPorts[0].ports[0].proto', 'spec.bogus', 'extra']);
    const open = cnp({ ingress: [{ fromEndpoints: [{ matchLabels: { 'any:whatever': 'x' } }] }] });
    (open.metadata as Record<string, unknown>).annotations = { note: 'free-form' };
    expect(schemas.validate(open)).toEqual([]);
  });

  test('a protocol in lower case fails, listing the allowed values', () => {
    expect(schemas.validate(withPort({ port: '80', protocol: 'tcp' }))).toEqual([{
      path: 'spec.ingress[0].toPorts[0].ports[0].protocol',
      keyword: 'enum',
      message: 'spec.ingress[0].toPorts[0].ports[0].protocol: '
        + 'must be equal to one of the allowed values: TCP, UDP, SCTP, VRRP, IGMP, ANY (got "tcp")',
    }]);
  });

  test('port "70000" passes the CRD: its pattern is only half anchored (the agent rejects it, not the API server)', () => {
    expect(schemas.validate(withPort({ port: '70000', protocol: 'TCP' }))).toEqual([]);
  });

  test('port "-1" and a numeric port fail', () => {
    expect(schemas.validate(withPort({ port: '-1' }))).toEqual([expect.objectContaining({
      path: 'spec.ingress[0].toPorts[0].ports[0].port',
      keyword: 'pattern',
      message: expect.stringMatching(/^spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port: must match pattern "\^\(6553\[0-5\].*" \(got "-1"\)$/),
    })]);
    expect(schemas.validate(withPort({ port: 80 }))).toEqual([{
      path: 'spec.ingress[0].toPorts[0].ports[0].port',
      keyword: 'type',
      message: 'spec.ingress[0].toPorts[0].ports[0].port: must be string (got number 80)',
    }]);
  });

  test('egress: [] passes the schema: `required`/`anyOf` only test presence, so the SDK must reject empty sections itself', () => {
    expect(schemas.validate(cnp({ egress: [] }))).toEqual([]);
  });

  test('spec needs exactly one of endpointSelector and nodeSelector, and (since 1.17) a direction', () => {
    expect(schemas.validate(cnp({ nodeSelector: {}, ingress: [{}] })).map((v) => v.message))
      .toEqual(['spec: must set only one of: endpointSelector, nodeSelector (found endpointSelector, nodeSelector)']);
    const noSelector = cnp({ ingress: [{}] });
    delete (noSelector.spec as Record<string, unknown>).endpointSelector;
    expect(schemas.validate(noSelector).map((v) => v.message)).toEqual(['spec: must set exactly one of: endpointSelector, nodeSelector']);
    expect(schemas.validate(cnp({})).map((v) => v.message)).toEqual(['spec: must set at least one of: ingress, ingressDeny, egress, egressDeny']);
    expect(crdSchemas('1.16').validate(cnp({}))).toEqual([]);
  });

  test('toFQDNs entries need exactly one of matchName and matchPattern', () => {
    expect(schemas.validate(cnp({ egress: [{ toFQDNs: [{ matchName: 'a.example.com', matchPattern: '*.example.com' }] }] }))).toEqual([{
      path: 'spec.egress[0].toFQDNs[0]',
      keyword: 'oneOf',
      message: 'spec.egress[0].toFQDNs[0]: must set only one of: matchName, matchPattern (found matchName, matchPattern)',
    }]);
  });

  test('serverNames is a set since 1.18: a duplicate fails at its index', () => {
    const serverNames = ['a.example.com', 'b.example.com', 'a.example.com'];
    const policy = cnp({ egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames }] }] });
    expect(schemas.validate(policy)).toEqual([{
      path: 'spec.egress[0].toPorts[0].serverNames[2]',
      keyword: 'x-kubernetes-list-type',
      message: 'spec.egress[0].toPorts[0].serverNames[2]: duplicate value "a.example.com" (same as item 0; the list is a set)',
    }]);
    expect(crdSchemas('1.17').validate(policy)).toEqual([]);
  });

  test('fromRequires must be empty since 1.19', () => {
    const policy = cnp({ ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] });
    expect(schemas.validate(policy).map((v) => v.keyword)).toEqual(['type', 'maxItems']);
    expect(crdSchemas('1.18').validate(policy)).toEqual([]);
  });

  test('label values are checked, keys are not', () => {
    const policy = cnp({ ingress: [{ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'not valid!' } }] }] });
    expect(schemas.validate(policy).map((v) => v.path)).toEqual(['spec.ingress[0].fromEndpoints[0].matchLabels["app.kubernetes.io/name"]']);
  });

  test('the apiVersion must be the CRD group/version', () => {
    expect(schemas.validate({ ...WEB, apiVersion: 'cilium.io/v2alpha1' })).toEqual([{
      path: 'apiVersion',
      keyword: 'crd',
      message: 'apiVersion: must be "cilium.io/v2" for kind CiliumNetworkPolicy (got "cilium.io/v2alpha1")',
    }]);
  });

  test('the most specific violation comes first', () => {
    const policy = cnp({ typo: true, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'tcp' }] }] }] });
    expect(schemas.validate(policy).map((v) => v.path)).toEqual(['spec.ingress[0].toPorts[0].ports[0].protocol', 'spec.typo']);
  });

  test('validateAll reports only the failing manifests, with their position', () => {
    const results = schemas.validateAll([WEB, cnp({ egress: [{ toFQDN: [] }] }, 'typo'), { kind: 'Service' }, ccnp({ ingress: [{}] }, 'nosel')]);
    expect(results.map(({ index, kind, name, namespace, violations }) => ({ index, kind, name, namespace, n: violations.length }))).toEqual([
      { index: 1, kind: 'CiliumNetworkPolicy', name: 'typo', namespace: 'shop', n: 1 },
      { index: 3, kind: 'CiliumClusterwideNetworkPolicy', name: 'nosel', namespace: undefined, n: 1 },
    ]);
  });

  // A backtracking pattern would not return within the test timeout; no wall-clock budget is asserted here.
  test('long invalid names are refused (the CRD patterns are rewritten for a backtracking engine)', () => {
    expect(schemas.validate(cnp({ egress: [{ toFQDNs: [{ matchName: `${'a'.repeat(200)}!` }] }] }))).toHaveLength(1);
    expect(schemas.validate(withPort({ port: `${'a'.repeat(3000)}!` }))).toHaveLength(1);
    expect(schemas.validate(cnp({ egress: [{ toPorts: [{ ports: [{ port: '443' }], serverNames: [`${'b'.repeat(200)}!`] }] }] }))).toHaveLength(1);
  });
});

describe('CrdSchemas | differences between versions', () => {
  test.each(CRD_VERSIONS)('a bare IP in toCIDR fails on %s', (version) => {
    const violations = crdSchemas(version).validate(cnp({ egress: [{ toCIDR: ['10.0.0.1'] }] }));
    expect(violations).toHaveLength(1);
    expect(violations[0].path).toBe('spec.egress[0].toCIDR[0]');
    if (version === '1.14' || version === '1.15') {
      // Before 1.16 the CRD has a long IPv4|IPv6 regex that also requires a prefix length.
      expect(violations[0].keyword).toBe('pattern');
    } else {
      expect(violations[0]).toEqual({
        path: 'spec.egress[0].toCIDR[0]',
        keyword: 'format',
        message: 'spec.egress[0].toCIDR[0]: must match format "cidr" (got "10.0.0.1"; a CIDR needs a prefix length, e.g. "10.0.0.1/32")',
      });
    }
    expect(crdSchemas(version).validate(cnp({ egress: [{ toCIDR: ['10.0.0.1/32', '10.0.0.1/8', '2001:db8::/32', '::/0'] }] }))).toEqual([]);
  });

  test('CIDR leading zeros: rejected like Go and the agent by default, admitted like kube-apiserver with CidrFormat.APISERVER', () => {
    const policy = cnp({ egress: [{ toCIDRSet: [{ cidr: '010.0.0.0/8' }] }] });
    expect(crdSchemas('1.19').validate(policy).map((v) => v.keyword)).toEqual(['format']);
    expect(CrdSchemas.forVersion(CRD_ROOT, '1.19', { cidrFormat: CidrFormat.APISERVER }).validate(policy)).toEqual([]);
    // The 1.14/1.15 regex accepts them too.
    expect(crdSchemas('1.15').validate(policy)).toEqual([]);
  });

  test('log fails on 1.17 (unknown field) and passes on 1.18', () => {
    const policy = cnp({ log: { value: 'shop-web' }, ingress: [{}] });
    expect(crdSchemas('1.17').validate(policy)).toEqual([
      { path: 'spec.log', keyword: 'additionalProperties', message: 'spec.log: unknown field "log"' },
    ]);
    expect(crdSchemas('1.18').validate(policy)).toEqual([]);
    expect(crdSchemas('1.18').validate(cnp({ log: { value: 'x'.repeat(33) }, ingress: [{}] })).map((v) => v.keyword)).toEqual(['maxLength']);
  });

  test.each(['1.16', '1.19', 'main'])('ICMP type 8 and EchoRequest pass on %s, true fails', (version) => {
    const icmp = (type: unknown): Record<string, unknown> => cnp({ ingress: [{ icmps: [{ fields: [{ family: 'IPv4', type }] }] }] });
    expect(crdSchemas(version).validate(icmp(8))).toEqual([]);
    expect(crdSchemas(version).validate(icmp('EchoRequest'))).toEqual([]);
    expect(crdSchemas(version).validate(icmp(true))).toEqual([{
      path: 'spec.ingress[0].icmps[0].fields[0].type',
      keyword: 'anyOf',
      message: 'spec.ingress[0].icmps[0].fields[0].type: must be integer or string (got boolean true)',
    }]);
    expect(crdSchemas(version).validate(icmp('Ping')).map((v) => v.keyword)).toEqual(['pattern']);
  });

  test('ICMP type names are not accepted before 1.16 (integer only)', () => {
    const policy = cnp({ ingress: [{ icmps: [{ fields: [{ type: 'EchoRequest' }] }] }] });
    expect(crdSchemas('1.15').validate(policy).map((v) => v.message))
      .toEqual(['spec.ingress[0].icmps[0].fields[0].type: must be integer (got string "EchoRequest")']);
  });

  test('main requires spec or specs (its CEL rule), 1.19 does not', () => {
    const empty = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'empty' } };
    expect(crdSchemas('main').validate(empty)).toEqual([
      { path: '', keyword: 'x-kubernetes-validations', message: '(root): spec or specs must be provided' },
    ]);
    expect(crdSchemas('1.19').validate(empty)).toEqual([]);
  });

  test('Kafka rules are gone on main', () => {
    const policy = cnp({ ingress: [{ toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ topic: 'orders' }] } }] }] });
    expect(crdSchemas('1.19').validate(policy)).toEqual([]);
    expect(crdSchemas('main').validate(policy).map((v) => v.path))
      .toEqual(['spec.ingress[0].toPorts[0].rules.kafka', 'spec.ingress[0].toPorts[0].rules']);
  });
});

describe('isGoCidr', () => {
  test.each([
    ['10.0.0.0/8', true, true],
    ['10.0.0.1/8', true, true], // host bits set: Go accepts
    ['0.0.0.0/0', true, true],
    ['10.0.0.1/32', true, true],
    ['10.0.0.1/08', true, true], // Go's dtoi allows leading zeros in the prefix length
    ['10.0.0.1/33', false, false],
    ['10.0.0.1', false, false], // no prefix length
    ['10.0.0.1/', false, false],
    ['10.0.0/8', false, false],
    ['10.0.0.256/8', false, false],
    ['010.0.0.1/8', false, true], // leading zero in an octet: rejected since Go 1.17, accepted by ParseCIDRSloppy
    ['10.0.0.00/8', false, true],
    [' 10.0.0.0/8', false, false],
    ['2001:db8::/32', true, true],
    ['::/0', true, true],
    ['::1/128', true, true],
    ['::1/129', false, false],
    ['1:2:3:4:5:6:7:8/64', true, true],
    ['1:2:3:4:5:6:7::/64', true, true],
    ['1:2:3:4:5:6:7::8/64', false, false], // `::` must stand for at least one group
    ['1:2:3:4:5:6:7/64', false, false],
    ['1::2::3/64', false, false],
    ['::ffff:10.0.0.1/120', true, true], // embedded IPv4: an IPv6 address, prefix up to 128
    ['1:2:3:4:5:6:10.0.0.1/96', true, true],
    ['1:2:3:4:5:10.0.0.1/96', false, false], // the IPv4 tail must replace the last two groups
    ['::ffff:010.0.0.1/120', false, true],
    ['00001::/64', false, true], // more than 4 hex digits in a group
    ['fe80::1%eth0/64', false, false], // zones are rejected
    ['2001:db8::/32/1', false, false],
    ['gggg::/16', false, false],
  ])('%s: Go %s, apiserver %s', (cidr, go, apiserver) => {
    expect(isGoCidr(cidr, CidrFormat.GO)).toBe(go);
    expect(isGoCidr(cidr, CidrFormat.APISERVER)).toBe(apiserver);
  });
});

describe('CRD patterns run as RE2', () => {
  test('a long name that the nested quantifiers of matchPattern would backtrack on is checked in linear time (a hang guard, not a budget)', { timeout: 30_000 }, () => {
    const schemas = crdSchemas('1.19');
    const bad = cnp({ egress: [{ toFQDNs: [{ matchPattern: `${'a'.repeat(5000)}!` }] }] });
    expect(schemas.validate(bad).some((v) => v.keyword === 'pattern')).toBe(true);
  });
});

// Last in the file: it empties the process-wide cache, so anything after it would compile again.
describe('CrdSchemas.clearCache', () => {
  test('forgets every compiled schema', () => {
    const schemas = crdSchemas('1.19');
    schemas.load();
    const before = CrdSchemas._compileCount;
    CrdSchemas.clearCache();
    expect(schemas.validate(WEB)).toEqual([]);
    expect(CrdSchemas._compileCount).toBe(before + 2);
  });
});
