// Every file of Cilium's example corpus (shared/cilium-examples, see its INDEX.md) through `validatePaths`, at the version
// it was taken from: v1.19/** at 1.19, v1.14/** and v1.14-json/** at 1.14, main/** at 1.20 with the CRDs of main. The
// valid files give no error (warnings are allowed where a pitfall genuinely applies); the known-invalid ones give their
// specific error; templated files (Go `{{…}}`) only have to be reported cleanly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_CHECKS, validatePaths, ValidationReport } from '../../src/validate';
import { CRD_ROOT, EXAMPLES_DIR } from '../support/shared';

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const ALL = walk(EXAMPLES_DIR).map((f) => relative(EXAMPLES_DIR, f).split('\\').join('/')).filter((rel) => rel !== 'INDEX.md');
const templated = (rel: string): boolean => readFileSync(join(EXAMPLES_DIR, rel), 'utf8').includes('{{');
const MAIN_CRDS = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'].map((f) => join(CRD_ROOT, 'main', f));

/** The version (and CRDs) a file targets. */
function target(rel: string): { ciliumVersion: string; crdFiles?: string[] } {
  if (rel.startsWith('main/')) return { ciliumVersion: '1.20', crdFiles: MAIN_CRDS };
  return { ciliumVersion: rel.startsWith('v1.14') ? '1.14' : '1.19' };
}

function validate(rel: string, options: { ciliumVersion: string; crdFiles?: string[] } = target(rel)): ValidationReport {
  return validatePaths([rel], { cwd: EXAMPLES_DIR, ...options });
}

// An example file alone is not a cluster's policy set: its egress default deny without DNS is a real error-level pitfall
// there (`pitfall-default-deny-without-dns`), but not a defect of the example; the other errors must not occur.
const errors = (r: ValidationReport): string[] => [...new Set(r.diagnostics
  .filter((d) => d.severity === 'error' && d.id !== 'pitfall-default-deny-without-dns').map((d) => d.id))].sort();

/** Files with known problems (INDEX.md "Known-invalid", and the e2e placeholders) and the errors they give. */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  // Pre-1.14 `auth.type`: no supported CRD has it.
  'v1.19/examples/policies/auth/auth.yaml': ['parse-unknown-field'],
  // fromRequires: maxItems 0 from 1.19.
  'v1.19/examples/policies/l3/requires/requires.yaml': ['version-requires-removed'],
  // Pseudo-templates of the scalability report (`l4-rule-#`, port `[0-125]+80`, a top-level spec.fromEndpoints).
  'v1.19/doc-inline/operations__performance__scalability__report__1.yaml': ['crd-metadata-name', 'crd-port-syntax', 'parse-unknown-field'],
  'v1.19/doc-inline/operations__performance__scalability__report__2.yaml': ['crd-metadata-name', 'crd-port-syntax', 'parse-unknown-field'],
  // e2e manifests with a placeholder the test runner substitutes (NODE_WITHOUT_CILIUM_IP/32, …).
  'v1.19/test/k8s/manifests/ccnp-host-ingress-from-cidr-to-ports.yaml': ['crd-cidr'],
  'v1.19/test/k8s/manifests/ccnp-host-policy-nodeport-tests.yaml': ['crd-cidr'],
  'v1.19/test/k8s/manifests/cnp-ingress-from-cidr-to-ports.yaml': ['crd-cidr'],
  // Generated test data of cilium-cli's template functions: serverNames with duplicates, which the CRD (a list-type set) rejects.
  // cilium-cli's connectivity test of an egressDeny to `all` for every pod of its namespace: it cuts DNS too, as meant there.
  'main/cilium-cli/connectivity/builder/manifests/deny-all-entities.yaml': ['pitfall-dns-denied'],
  'main/cilium-cli/connectivity/builder/manifests/template/testdata/generate_dns_match_pattern/out.yaml': ['crd-schema'],
  'main/cilium-cli/connectivity/builder/manifests/template/testdata/generate_dns_match_pattern/out-default.yaml': ['crd-schema'],
};

describe('Cilium example corpus through validate', () => {
  it('the corpus is there, with its known-invalid files', () => {
    expect(ALL.length).toBeGreaterThan(250);
    for (const rel of Object.keys(KNOWN)) expect(ALL).toContain(rel);
  });

  describe.each(ALL.filter((rel) => !templated(rel)).map((rel) => [rel]))('%s', (rel) => {
    it(`gives ${KNOWN[rel] ? `exactly ${KNOWN[rel].join(', ')}` : 'no error'}`, () => {
      const report = validate(rel);
      expect(errors(report), report.diagnostics.map((d) => `${d.id}@${d.line}:${d.column} ${d.message}`).join('\n')).toEqual([...(KNOWN[rel] ?? [])].sort());
      expect(report.files[0].status).toBe('checked');
    });
  });

  describe.each(ALL.filter(templated).map((rel) => [rel]))('templated: %s', (rel) => {
    it('is reported cleanly: catalogued ids, positions in the file, one-line messages', () => {
      const report = validate(rel);
      const ids = new Set(REPORT_CHECKS.map((c) => c.id));
      for (const d of report.diagnostics) {
        expect(ids.has(d.id), d.id).toBe(true);
        expect(d.file).toBe(rel);
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.column).toBeGreaterThanOrEqual(1);
        expect(d.message).not.toContain('\n');
      }
    });
  });
});

describe('the known-invalid files give the specific error, where it is', () => {
  const at = (r: ValidationReport, id: string): string[] => r.diagnostics.filter((d) => d.id === id).map((d) => `${d.path} ${d.line}:${d.column}`);

  it('auth.yaml: the pre-1.14 auth field', () => {
    const r = validate('v1.19/examples/policies/auth/auth.yaml');
    expect(at(r, 'parse-unknown-field')).toEqual(['spec.egress[0].auth 13:5']);
    expect(r.diagnostics.find((d) => d.id === 'parse-unknown-field')!.fix).toContain('authentication: {mode: disabled | required | test-always-fail}');
  });

  it('requires.yaml and its JSON twin: fromRequires is removed in 1.19, deprecated before', () => {
    expect(at(validate('v1.19/examples/policies/l3/requires/requires.yaml'), 'version-requires-removed')).toEqual(['specs[0].ingress[0].fromRequires 12:7']);
    const json = 'v1.14-json/examples/policies/l3/requires/requires.json';
    expect(errors(validate(json, { ciliumVersion: '1.19' }))).toEqual(['version-requires-removed']);
    const old = validate(json);
    expect(errors(old)).toEqual([]);
    expect(old.diagnostics.map((d) => d.id)).toContain('version-requires-deprecated');
  });

  it('the scalability pseudo-templates', () => {
    const r = validate('v1.19/doc-inline/operations__performance__scalability__report__1.yaml');
    expect(at(r, 'parse-unknown-field')).toEqual(['spec.fromEndpoints 10:3']);
    expect(at(r, 'crd-port-syntax').length).toBeGreaterThan(0);
  });

  it.each(ALL.filter((rel) => /kafka/.test(readFileSync(join(EXAMPLES_DIR, rel), 'utf8')) && rel.endsWith('.yaml')).map((rel) => [rel]))(
    'Kafka on 1.20 (main): %s', (rel) => {
      expect(errors(validate(rel, { ciliumVersion: '1.20' }))).toEqual(['pitfall-kafka-removed']);
      expect(errors(validate(rel, { ciliumVersion: '1.20', crdFiles: MAIN_CRDS }))).toEqual(['crd-schema']);
      expect(errors(validate(rel, { ciliumVersion: '1.19' }))).toEqual([]);
    });

  it('guestbook: the legacy reserved.world selector key is valid', () => {
    expect(errors(validate('v1.19/examples/misc/guestbook/network-policy/guestbook-policy-web.yaml'))).toEqual([]);
  });
});

describe('the corpus as one input', () => {
  it('all of v1.19 at once: errors only in the known-invalid and templated files, and cross-file DNS rules count', () => {
    const r = validatePaths(['v1.19'], { cwd: EXAMPLES_DIR, ciliumVersion: '1.19' });
    // Unrelated examples in the same namespace meet here: the DNS-visibility example's `*` for every pod of `default`
    // cancels the DNS restriction of the FQDN example (Cilium ORs them) — the one cross-file error, and a real one.
    const crossFile = r.diagnostics.filter((d) => d.id === 'pitfall-dns-rules-widened');
    expect(crossFile.map((d) => `${d.file}:${d.line}`)).toEqual(['v1.19/examples/policies/l7/dns/dns.yaml:15']);
    expect(crossFile[0].message).toContain('CiliumNetworkPolicy default/tofqdn-dns-visibility');
    // Examples meant to be applied one instead of another share a name (the Star Wars demo's `rule1`, L3/L4 then L7):
    // together they are one object on the API server.
    const duplicates = r.diagnostics.filter((d) => d.id === 'pitfall-policy-name-duplicate').map((d) => d.file);
    expect(duplicates).toEqual(expect.arrayContaining(['v1.19/examples/minikube/sw_l3_l4_policy.yaml', 'v1.19/examples/minikube/sw_l3_l4_l7_policy.yaml']));
    // The HTTP and Kafka examples in default meet the examples that allow every peer of default on every port
    // (`from-entities-all`): together the L7 rules would not hold, a real cross-file error too.
    const crossFileIds = new Set(['pitfall-dns-rules-widened', 'pitfall-policy-name-duplicate', 'pitfall-l7-rules-widened']);
    expect(r.diagnostics.filter((d) => d.id === 'pitfall-l7-rules-widened').length).toBeGreaterThan(0);
    const files = new Set(r.diagnostics.filter((d) => d.severity === 'error' && !crossFileIds.has(d.id)).map((d) => d.file));
    expect([...files].filter((f) => !KNOWN[f] && !templated(f))).toEqual([]);
    expect(r.summary.policies).toBeGreaterThan(120);
    const alone = validate('v1.19/examples/policies/l3/simple/l3_egress.yaml').diagnostics.map((d) => d.id);
    expect(alone).toContain('pitfall-default-deny-without-dns');
    expect(r.diagnostics.filter((d) => d.file.endsWith('l3_egress.yaml')).map((d) => d.id)).not.toContain('pitfall-default-deny-without-dns');
  });
});
