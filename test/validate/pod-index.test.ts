// The pitfall layer finds the pods of a selector through an index of the workloads (by namespace and pod label) and
// works out what a list of DNS providers covers once per list: the answers must be those of matching the selector
// against every workload of the input, one by one (`selectsWorkload`), as the layer did before the index. Random
// inventories (workloads in namespaces with and without a Namespace manifest, namespace labels, service accounts, pod
// labels on the keys Cilium writes its own over: namespace, service account, cluster, namespace labels) and
// random selectors (match labels, In with several values, NotIn, Exists, DoesNotExist, `any:` and `k8s:` sources,
// namespace keys, namespace-labels keys, reserved keys).
import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { Selector, SelectorRequirement } from '../../src/model/labels';
import { PolicyKind } from '../../src/model/policy-model';
import { ManifestInventory } from '../../src/validate/inventory';
import { checkPitfalls } from '../../src/validate/pitfall-rules';
import { PitfallRun, RuleView } from '../../src/validate/pitfall-run';
import { CiliumVersion } from '../../src/core/cilium-version';
import { fromObject } from '../../src/model/parse';
import { serviceBackends } from '../../src/model/manifests';
import { implies, namespacesOf, selectsReserved, selectsWorkload } from '../../src/validate/pod-selectors';
import { propertyParams } from '../support/property';

const NAMESPACES = ['shop', 'pay', 'ops'];
/** Keys whose pod labels Cilium overwrites or drops. */
const RESERVED_KEYS = [
  'io.kubernetes.pod.namespace', 'io.cilium.k8s.policy.serviceaccount', 'io.cilium.k8s.policy.cluster', 'io.cilium.k8s.namespace.labels.env',
];
const APPS = ['web', 'api', 'db'];

interface Input {
  namespaces: { name: string; env: string }[];
  workloads: { name: string; namespace: string; app: string; tier?: string; sa?: string; reserved?: Record<string, string> }[];
  services?: { name: string; namespace: string; app: string }[];
}

const input: fc.Arbitrary<Input> = fc.record({
  // A namespace without a Namespace manifest: selectors on namespace labels cannot be told there.
  namespaces: fc.subarray(NAMESPACES).chain((names) => fc.tuple(...names.map((name) => fc.constantFrom('prod', 'dev').map((env) => ({ name, env }))))),
  workloads: fc.array(fc.record({
    name: fc.constantFrom('a', 'b', 'c', 'd'),
    namespace: fc.constantFrom(...NAMESPACES),
    app: fc.constantFrom(...APPS),
    tier: fc.option(fc.constantFrom('front', 'back'), { nil: undefined }),
    sa: fc.option(fc.constantFrom('robot', 'default'), { nil: undefined }),
    // Pod labels on keys the agent writes its own over (pkg/k8s/utils SanitizePodLabels): they must not move the pod.
    reserved: fc.dictionary(fc.constantFrom(...RESERVED_KEYS), fc.constantFrom(...NAMESPACES, 'kube-system', 'robot', 'admin', 'prod', 'dev'), { maxKeys: 3 }),
  }, { requiredKeys: ['name', 'namespace', 'app'] }), { maxLength: 12 }),
  services: fc.array(fc.record({ name: fc.constantFrom('s', 't'), namespace: fc.constantFrom(...NAMESPACES), app: fc.constantFrom(...APPS) }), { maxLength: 6 }),
});

const requirement: fc.Arbitrary<SelectorRequirement> = fc.oneof(
  fc.record({
    source: fc.constantFrom('k8s', 'any'),
    key: fc.constantFrom('app', 'tier'),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
    values: fc.subarray([...APPS, 'front', 'back', 'none'], { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    source: fc.constant('k8s'),
    key: fc.constantFrom(...RESERVED_KEYS),
    operator: fc.constantFrom('In', 'NotIn', 'Exists'),
    values: fc.subarray([...NAMESPACES, 'prod', 'dev', 'robot', 'default', 'admin', 'kube-system'], { minLength: 1, maxLength: 3 }),
  }),
  fc.constant<SelectorRequirement>({ source: 'reserved', key: 'host', operator: 'Exists', values: [] }),
).map((r) => (r.operator === 'Exists' || r.operator === 'DoesNotExist' ? { ...r, values: [] } : r));

const selector: fc.Arbitrary<Selector> = fc.array(requirement, { maxLength: 3 }).map((reqs) => Selector.all().and(reqs));

function inventoryOf(i: Input): ManifestInventory {
  const inventory = new ManifestInventory();
  for (const ns of i.namespaces) inventory.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: { env: ns.env } } });
  for (const w of i.workloads) {
    const labels = { app: w.app, ...(w.tier ? { tier: w.tier } : {}) };
    inventory.add({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: w.name, namespace: w.namespace },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels: { ...w.reserved, ...labels } }, spec: { serviceAccountName: w.sa, containers: [{ name: 'c', image: 'x' }] } } },
    });
  }
  for (const svc of i.services ?? []) {
    inventory.add({ apiVersion: 'v1', kind: 'Service', metadata: { name: svc.name, namespace: svc.namespace }, spec: { selector: { app: svc.app }, ports: [{ port: 80 }] } });
  }
  return inventory;
}

/**
 * `podsOf` as matching every workload of the input, one by one, without narrowing to the selector's namespaces first: a
 * workload outside them is left out only because `selectsWorkload` says so (a pod label on the namespace key must not put
 * it in). `undefined` as `podsOf` gives it: no workload in those namespaces, or one of them that cannot be told.
 */
function naivePodsOf(inventory: ManifestInventory, sel: Selector): unknown[] | undefined {
  if (selectsReserved(sel)) return undefined;
  const scope = namespacesOf(sel);
  const inScope = (w: { namespace: string }): boolean => !scope || scope.includes(w.namespace);
  if (!inventory.workloads.some(inScope)) return undefined;
  const out: unknown[] = [];
  for (const w of inventory.workloads) {
    const m = selectsWorkload(sel, w, inventory.namespace(w.namespace));
    if (m === undefined && inScope(w)) return undefined;
    if (m === true) out.push(w);
  }
  return out;
}

/** A clusterwide rule view with `subject` (what `coverage` reads of a rule: its subject and pods). */
function view(run: PitfallRun, subject: Selector): RuleView {
  return {
    doc: -1, kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, namespace: '', rule: {}, path: 'spec', version: CiliumVersion.V1_19, host: false,
    subject, pods: run.podsOf(subject), name: 'CiliumClusterwideNetworkPolicy p',
  };
}

describe('the workload index answers as matching every workload', () => {
  test('podsOf(selector) = the one-by-one match (same workloads, same order, same undefined)', () => {
    fc.assert(fc.property(input, fc.array(selector, { minLength: 1, maxLength: 6 }), (i, sels) => {
      const inventory = inventoryOf(i);
      const run = new PitfallRun([], inventory, {});
      for (const sel of sels) expect(run.podsOf(sel)).toEqual(naivePodsOf(inventory, sel));
    }), propertyParams('POD_INDEX', 300));
  });

  test('the Services of namespaces and the backends of a Service = filtering every Service and every workload', () => {
    fc.assert(fc.property(input, fc.option(fc.subarray(NAMESPACES), { nil: undefined }), (i, namespaces) => {
      const inventory = inventoryOf(i);
      const run = new PitfallRun([], inventory, {});
      expect(run.servicesIn(namespaces)).toEqual(inventory.services.filter((s) => namespaces === undefined || namespaces.includes(s.namespace)));
      for (const svc of inventory.services) expect(run.backing(svc)).toEqual(serviceBackends(svc, inventory.workloads));
    }), propertyParams('POD_INDEX_SERVICES', 100));
  });

  test('coverage of a rule by a list of providers = every provider matched against every pod of the rule', () => {
    const lists = fc.tuple(fc.array(selector, { maxLength: 5 }), fc.array(selector, { minLength: 1, maxLength: 3 }));
    fc.assert(fc.property(input, lists, (i, [providerSubjects, subjects]) => {
      const inventory = inventoryOf(i);
      const run = new PitfallRun([], inventory, {});
      const providers = providerSubjects.map((subject) => view(run, subject));
      for (const subject of subjects) {
        const r = view(run, subject);
        const { pods } = r;
        const cov = run.coverage(r, providers);
        if (!pods || pods.length === 0) continue; // judged from the selectors: not the index's part
        const mayMatch = (s: Selector, w: (typeof pods)[number]): boolean => selectsWorkload(s, w, inventory.namespace(w.namespace)) !== false;
        const missing = pods.filter((w) => !providerSubjects.some((s) => mayMatch(s, w)));
        expect(cov).toEqual({ covered: missing.length === 0, missing, assumed: false });
      }
    }), propertyParams('POD_INDEX_COVERAGE', 200));
  });

  test('covers and coveringRules = every provider matched against every pod of the rule (else selector implication)', () => {
    const lists = fc.tuple(fc.array(selector, { maxLength: 5 }), fc.array(selector, { minLength: 1, maxLength: 3 }));
    fc.assert(fc.property(input, lists, fc.boolean(), (i, [providerSubjects, subjects], withoutPods) => {
      const inventory = inventoryOf(i);
      const run = new PitfallRun([], inventory, {});
      const providers = providerSubjects.map((subject) => view(run, subject));
      const mayMatch = (s: Selector, w: NonNullable<RuleView['pods']>[number]): boolean => selectsWorkload(s, w, inventory.namespace(w.namespace)) !== false;
      const naiveCovers = (c: RuleView, r: RuleView): boolean => {
        if (!c.subject || !r.subject) return false;
        return r.pods && r.pods.length > 0 ? r.pods.some((w) => mayMatch(c.subject as Selector, w)) : implies(r.subject, c.subject);
      };
      for (const subject of subjects) {
        // The rule with its workloads, or judged from the selectors (no workload of it in the input).
        const r: RuleView = withoutPods ? { ...view(run, subject), pods: undefined } : view(run, subject);
        for (const c of providers) {
          expect(run.covers(c, r)).toBe(naiveCovers(c, r));
          expect(run.covers(r, c)).toBe(naiveCovers(r, c));
        }
        expect(run.coveringRules(r, providers)).toEqual(providers.filter((c) => naiveCovers(c, r)));
      }
    }), propertyParams('POD_INDEX_COVERS', 200));
  });

  test('a pod is covered by a provider whose namespace-labels selector cannot be told, and not by one that rules it out', () => {
    const inventory = inventoryOf({ namespaces: [{ name: 'pay', env: 'dev' }], workloads: [{ name: 'a', namespace: 'shop', app: 'web' }, { name: 'b', namespace: 'pay', app: 'web' }] });
    const run = new PitfallRun([], inventory, {});
    const web = Selector.from({ matchLabels: { app: 'web' } });
    const prod = Selector.from({ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.env': 'prod' } });
    const pods = run.podsOf(web) ?? [];
    expect(pods.map((w) => w.namespace)).toEqual(['shop', 'pay']);
    const cov = run.coverage(view(run, web), [view(run, prod)]);
    // shop has no Namespace in the input: its env label may be prod; pay's is dev: not covered.
    expect(cov.missing.map((w) => w.namespace)).toEqual(['pay']);
  });
});

describe('NetworkPolicy overlap: only those of the rule\'s namespace for a CNP, all for a CCNP', () => {
  const np = (namespace: string, app: string): unknown => ({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np-${app}`, namespace },
    spec: { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [{}] },
  });
  const policy = (kind: string, namespace: string | undefined, app: string): { model: never; version: CiliumVersion } => fromObject({
    apiVersion: 'cilium.io/v2', kind, metadata: { name: `p-${app}`, ...(namespace ? { namespace } : {}) },
    spec: { endpointSelector: { matchLabels: { app } }, ingress: [{ fromEntities: ['cluster'] }] },
  }).documents.map((d) => ({ model: d.model as never, version: CiliumVersion.V1_19 }))[0];

  test.each([
    ['with workloads', true],
    ['without workloads (judged from the selectors)', false],
  ])('%s', (_, withWorkloads) => {
    const inventory = inventoryOf({ namespaces: [], workloads: withWorkloads ? [{ name: 'a', namespace: 'shop', app: 'web' }, { name: 'b', namespace: 'pay', app: 'web' }] : [] });
    inventory.add(np('shop', 'web'));
    inventory.add(np('pay', 'web'));
    const overlaps = (doc: { model: never; version: CiliumVersion }): string[] => checkPitfalls([doc], inventory)
      .filter((f) => f.id === 'pitfall-network-policy-overlap').map((f) => /NetworkPolicy (\S+)/.exec(f.message)?.[1] ?? '?');
    expect(overlaps(policy('CiliumNetworkPolicy', 'shop', 'web'))).toEqual(['shop/np-web']);
    expect(overlaps(policy('CiliumNetworkPolicy', 'pay', 'web'))).toEqual(['pay/np-web']);
    expect(overlaps(policy('CiliumNetworkPolicy', 'ops', 'web'))).toEqual([]);
    expect(overlaps(policy('CiliumClusterwideNetworkPolicy', undefined, 'web'))).toEqual(['shop/np-web', 'pay/np-web']);
    expect(overlaps(policy('CiliumClusterwideNetworkPolicy', undefined, 'api'))).toEqual([]);
  });
});

describe('the pitfall layer matches selectors against workloads about as often as there are rules, not their square', () => {
  // A platform of `n` namespaces, each with one app whose DNS lookups a CNP restricts (toFQDNs, DNS rules for its names),
  // and one CCNP giving every app of the cluster DNS for every name: `pitfall-dns-rules-widened` and
  // `pitfall-fqdn-without-dns` compare each namespace's rule with the CCNP, whose subject selects all `n` workloads. Each
  // comparison walked them all: n² selector matches (doubling the namespaces made 3.9× the matches at 1,000 policies).
  function platform(n: number): { docs: { model: never; version: CiliumVersion }[]; inventory: ManifestInventory } {
    const inventory = new ManifestInventory();
    const objects: unknown[] = [{
      apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'dns' },
      spec: {
        endpointSelector: { matchLabels: { app: 'web' } },
        egress: [{
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        }],
      },
    }];
    for (let i = 0; i < n; i++) {
      const namespace = `ns-${i}`;
      inventory.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      inventory.add({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
      });
      objects.push({
        apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace },
        spec: {
          endpointSelector: { matchLabels: { app: 'web' } },
          egress: [
            {
              toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
              toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: `*.svc${i}.example.com` }] } }],
            },
            { toFQDNs: [{ matchName: `api.svc${i}.example.com` }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          ],
        },
      });
    }
    const docs = objects.map((o) => ({ model: fromObject(o).documents[0].model as never, version: CiliumVersion.V1_19 }));
    return { docs, inventory };
  }

  function matchesFor(n: number): { matches: number; widened: number } {
    const { docs, inventory } = platform(n);
    const spy = vi.spyOn(Selector.prototype, 'matches');
    try {
      const findings = checkPitfalls(docs, inventory);
      return { matches: spy.mock.calls.length, widened: findings.filter((f) => f.id === 'pitfall-dns-rules-widened').length };
    } finally {
      spy.mockRestore();
    }
  }

  test('twice the namespaces: at most 2.2× the selector matches, and every restriction still reported as widened by the CCNP', () => {
    const small = matchesFor(100);
    const large = matchesFor(200);
    // The CCNP's `*` widens each namespace's restriction (Cilium ORs the DNS rules of all policies for the pods).
    expect(small.widened).toBe(100);
    expect(large.widened).toBe(200);
    expect(large.matches / small.matches).toBeLessThanOrEqual(2.2);
  });
});
