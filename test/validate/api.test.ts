import { describe, expect, it } from 'vitest';
import { Severity } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { RuleModel, PolicyKind } from '../../src/model/policy-model';
import { validatePolicy, validateRule } from '../../src/validate';
import { check, cnp, ingress, Loose, ports, summary } from './helpers';

describe('validatePolicy', () => {
  it('returns nothing for a clean policy', () => {
    expect(check(cnp({ endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ endpoints: [{}] }], egress: [{}] }))).toEqual([]);
  });

  it('returns complete diagnostics: id, severity, lower-case message with the bad value, wire path, fix', () => {
    const [d] = check(ingress(ports([{ port: '8080', protocol: 'tcp' }])));
    expect(d).toEqual({
      id: 'crd-protocol',
      severity: Severity.ERROR,
      message: 'protocol "tcp" is not one of TCP, UDP, SCTP, VRRP, IGMP, ANY',
      path: 'spec.ingress[0].toPorts[0].ports[0].protocol',
      fix: 'write TCP (the CRD enum is case-sensitive)',
    });
  });

  it('lists findings by layer: crd, sanitize, version', () => {
    const doc = ingress({ endpoints: [{}], cidr: ['10.0.0.0/8'], toPorts: [{ ports: [{ port: 80, endPort: 90 }] }] });
    const layers = check(doc, CiliumVersion.V1_15).map((d) => d.id.split('-')[0]);
    expect(layers).toEqual([...layers].sort((a, b) => ['crd', 'sanitize', 'version'].indexOf(a) - ['crd', 'sanitize', 'version'].indexOf(b)));
    expect(new Set(layers)).toEqual(new Set(['crd', 'sanitize', 'version']));
  });

  it('checks every rule of specs with its own path', () => {
    const doc = cnp({ endpointSelector: {}, ingress: [{}] }, { specs: [{ endpointSelector: {}, ingress: [{}] }, { ingress: [{}] } as RuleModel] });
    expect(summary(check(doc))).toEqual(['crd-subject-one-of @ specs[1]']);
  });

  it('uses the wire names of the direction in paths', () => {
    const doc = cnp({
      endpointSelector: {},
      ingressDeny: [{ endpoints: [{ matchLabels: { app: 'a b' } }] }],
      egressDeny: [{ endpoints: [{ matchLabels: { app: 'a b' } }] }],
    });
    expect(summary(check(doc))).toEqual([
      'crd-label-value @ spec.ingressDeny[0].fromEndpoints[0].matchLabels.app',
      'crd-label-value @ spec.egressDeny[0].toEndpoints[0].matchLabels.app',
    ]);
  });

  it('never throws on shapes the model does not allow', () => {
    const weird: Loose[] = [
      { endpointSelector: 'x', ingress: 'all' },
      { endpointSelector: {}, ingress: [null, 1, 'x', { toPorts: [null, { ports: 'x', rules: 'x' }] }] },
      { endpointSelector: { matchLabels: [], matchExpressions: {} }, egress: [{ cidrSet: [null, 'x'], icmps: [{ fields: 'x' }], fqdns: [null] }] },
      { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: null, endPort: '8080', protocol: 6 }], listener: 'x', terminatingTLS: 1 }] }] },
    ];
    for (const spec of weird) {
      for (const v of CiliumVersion.ALL) expect(() => validatePolicy(cnp(spec), { version: v })).not.toThrow();
    }
    expect(summary(check(cnp(weird[0])).filter((d) => d.id === 'crd-type'))).toEqual(['crd-type @ spec.endpointSelector', 'crd-type @ spec.ingress']);
    expect(summary(check(cnp(weird[1])).filter((d) => d.id === 'crd-type'))).toEqual([
      'crd-type @ spec.ingress[0]', 'crd-type @ spec.ingress[1]', 'crd-type @ spec.ingress[2]',
      'crd-type @ spec.ingress[3].toPorts[0]', 'crd-type @ spec.ingress[3].toPorts[1].ports', 'crd-type @ spec.ingress[3].toPorts[1].rules',
    ]);
  });

  it('treats a null section as absent, as the API server does', () => {
    expect(summary(check(cnp({ endpointSelector: {}, ingress: null }), CiliumVersion.V1_17))).toEqual(['crd-sections-any-of @ spec']);
  });
});

describe('the namespace of a CNP subject', () => {
  const selecting = (ns: string, namespace?: string): Loose => cnp(
    { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': ns } }, ingress: [{}] },
    { metadata: { name: 'test', ...(namespace ? { namespace } : {}) } },
  );
  const warned = (doc: Loose): boolean => check(doc).some((d) => d.id === 'sanitize-cnp-subject-namespace');

  it('is not reported when it is the policy namespace (default when omitted)', () => {
    expect(warned(selecting('team', 'team'))).toBe(false);
    expect(warned(selecting('default'))).toBe(false);
  });

  it('is reported when it names another namespace', () => {
    expect(warned(selecting('other', 'team'))).toBe(true);
    expect(warned(selecting('team'))).toBe(true);
  });

  it('is reported for matchExpressions other than In [own namespace]', () => {
    const expr = (operator: string, values?: string[]): Loose => cnp({
      endpointSelector: { matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator, ...(values ? { values } : {}) }] }, ingress: [{}],
    });
    expect(warned(expr('In', ['default']))).toBe(false);
    expect(warned(expr('In', ['default', 'other']))).toBe(true);
    expect(warned(expr('Exists'))).toBe(true);
  });
});

describe('validateRule', () => {
  it('checks one rule under the given path prefix, without document checks', () => {
    const rule = { endpointSelector: {}, ingress: [{ entities: ['World'] }] } as Loose as RuleModel;
    expect(summary(validateRule(rule, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, CiliumVersion.V1_19, 'specs[2]'))).toEqual([
      'crd-entity @ specs[2].ingress[0].fromEntities[0]',
    ]);
    expect(summary(validateRule(rule, PolicyKind.CILIUM_NETWORK_POLICY, CiliumVersion.V1_19))).toEqual(['crd-entity @ spec.ingress[0].fromEntities[0]']);
  });

  it('knows the kind: nodeSelector is refused in a CNP only', () => {
    const rule: RuleModel = { nodeSelector: {}, ingress: [{}] };
    expect(validateRule(rule, PolicyKind.CILIUM_NETWORK_POLICY, CiliumVersion.V1_19).map((d) => d.id)).toEqual(['sanitize-cnp-node-selector']);
    expect(validateRule(rule, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, CiliumVersion.V1_19)).toEqual([]);
  });
});
