// allow-localhost and the L7 rules of several items (src/engine/evaluate.ts hostPastL7). With allow-localhost (the agent's
// default in Kubernetes), Cilium gives the local host's selector an empty L7 policy on an ingress L4 filter whose L7
// rules select the host through another selector (a wildcard, `all`), unless the host selector is already in the filter.
// Where that happens depends on the version, read in cilium/cilium pkg/policy:
// - 1.14-1.18, l4.go `createL4IngressFilter` (the hostWildcardL7 loop) and `cacheIdentitySelector` (adds the selector only
//   when this item's filter lacks it): per rule item, before rule.go `mergePortProto` merges the filters of one port entry,
//   where an empty policy meeting L7 rules of the same selector becomes "L7 rules + a wildcard rule" (appendL7WildcardRule);
// - 1.19, l4.go `L4Filter.attach` ("Allow localhost if requested and this is a redirect that selects the host"): per
//   merged filter (port entry as written: `80`, `80-90` and a named port are three filters).
// The proxy ORs the rules of every filter holding the port (cilium/proxy network_policy.cc `PortPolicy::forRange`), so one
// filter with an allow-all for the host lets it through. l4_filter_test.go TestL7WithLocalHostWildcard is the one-item case.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet, PolicySetOptions } from '../../src/engine';
import { judged, labels, policySet } from './helpers';

const API = 'pod:default:app=api';
const HOST = 'entity:host';
const GET_ONLY = { http: [{ method: 'GET' }] };
const TCP80 = [{ port: '80', protocol: 'TCP' }];

/** The api pod (named port `http` = 80/TCP) with these ingress items, on one Cilium version. */
function api(items: readonly Record<string, unknown>[], version: CiliumVersion, options: PolicySetOptions = {}): PolicySet {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'default', labels: { app: 'api' } },
    spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }] }] },
  };
  const policy = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec: { endpointSelector: labels({ app: 'api' }), ingress: items } };
  return policySet([pod, policy], { ciliumVersion: version, ...options });
}

/** An item allowing GET on `ports` from `peer`. */
const get = (peer: Record<string, unknown>, ports: readonly Record<string, unknown>[] = TCP80): Record<string, unknown> =>
  ({ ...peer, toPorts: [{ ports, rules: GET_ONLY }] });

const V1_17 = CiliumVersion.V1_17;
const V1_18 = CiliumVersion.V1_18;
const V1_19 = CiliumVersion.V1_19;

describe('two items on one port, one selecting the host without naming it (all), one naming it', () => {
  const items = [get({ fromEntities: ['all'] }), get({ fromEntities: ['host'] })];

  test('1.14-1.18: the host is added per item, and the merge widens its L7 rules to allow-all: POST passes', () => {
    for (const version of [V1_17, V1_18]) {
      const v = judged(api(items, version), HOST, API, 80, { http: 'POST /' });
      expect(v.verdict, `${version}`).toBe('allowed');
      expect(v.ingress.rule?.path).toBe('spec.ingress[0]');
      expect(v.ingress.l7).toMatchObject({ matched: '(allow-all for the host)', visibilityOnly: true });
      expect(v.ingress.l7?.reason).toBe(`the local host is always allowed (allow-localhost): Cilium ${version} adds the host with an allow-all to the L7 `
        + 'rules of CiliumNetworkPolicy default/p spec.ingress[0], whose peers select it without naming it');
    }
  });

  test('1.19: the merged filter holds the host selector, so nothing is added: the host is held to GET', () => {
    expect(judged(api(items, V1_19), HOST, API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
    expect(judged(api(items, V1_19), HOST, API, 80, { http: 'GET /' }).verdict).toBe('allowed');
  });

  test('one item naming both (fromEntities [host, all]) keeps the host selector in its own filter on every version', () => {
    for (const version of [V1_17, V1_18, V1_19]) {
      expect(judged(api([get({ fromEntities: ['host', 'all'] })], version), HOST, API, 80, { http: 'POST /' }).verdict, `${version}`).toBe('l7-denied');
    }
  });
});

describe('1.19: items on different port entries are different filters', () => {
  test('the host named on the named port http (80) and a peer-less item on 80: the 80 filter gets the host allow-all', () => {
    const items = [get({ fromEntities: ['host'] }, [{ port: 'http', protocol: 'TCP' }]), get({})];
    const v = judged(api(items, V1_19), HOST, API, 80, { http: 'POST /' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.rule?.path).toBe('spec.ingress[1]');
  });

  test('the host named on the range 80-90 and all on 80: the 80 filter gets it; on 85 only the range holds the port', () => {
    const items = [get({ fromEntities: ['host'] }, [{ port: '80', endPort: 90, protocol: 'TCP' }]), get({ fromEntities: ['all'] })];
    expect(judged(api(items, V1_19), HOST, API, 80, { http: 'POST /' }).verdict).toBe('allowed');
    expect(judged(api(items, V1_19), HOST, API, 85, { http: 'POST /' }).verdict).toBe('l7-denied');
  });

  test('the host named on every filter holding the port: held to the rules', () => {
    const items = [get({ fromEntities: ['host'] }, [{ port: '80', endPort: 90, protocol: 'TCP' }]), get({ fromEntities: ['cluster'] })];
    expect(judged(api(items, V1_19), HOST, API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
  });

  test('a pod is held to the rules whatever the filters; so is the host with allow-localhost off', () => {
    const items = [get({ fromEntities: ['host'] }, [{ port: 'http', protocol: 'TCP' }]), get({})];
    expect(judged(api(items, V1_19), 'pod:default:app=web', API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
    expect(judged(api(items, V1_19, { allowLocalhost: false }), HOST, API, 80, { http: 'POST /' }).verdict).toBe('l7-denied');
  });
});
