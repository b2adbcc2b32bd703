// `pitfall-service-port` (src/validate/pitfall-services.ts) as a truth table: which rules name a Service port where Cilium
// matches the port the pod receives (the target port), in every section; which Services a subject, a `toEndpoints` peer
// or a `toServices` entry is about; how a named target port resolves on the backing workloads; which ports are judged.
// A rule on the Service port never matches traffic sent through the Service: an allow lets nothing through, a deny
// (the case that fails open) lets everything through. Each case is a set of documents (JSON, a YAML subset) built inside
// the test, and the answer is the paths of the findings (with their severity) or, where it matters, their fix.
import { describe, expect, it, vi } from 'vitest';
import { Selector } from '../../src/model/labels';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { check, findings } from './helpers';

const ID = 'pitfall-service-port';

type Doc = Record<string, unknown>;

function cnp(spec: Doc, namespace = 'shop', name = 'p'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

function ccnp(spec: Doc, name = 'c'): Doc {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

interface SvcPort { port: number; targetPort?: number | string; protocol?: string }

/** A Service `shop/web` (by default) selecting `app: web`, port 8080 sending to 80. */
function service(opts: { name?: string; namespace?: string; selector?: Record<string, string> | null; labels?: Record<string, string>;
  ports?: SvcPort[] } = {}): Doc {
  const selector = opts.selector === null ? {} : { selector: opts.selector ?? { app: 'web' } };
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: opts.name ?? 'web', namespace: opts.namespace ?? 'shop', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { ...selector, ports: opts.ports ?? [{ port: 8080, targetPort: 80 }] },
  };
}

/** A Deployment in `shop` (by default) whose pods carry `labels` and listen on `ports`. */
function deployment(name: string, labels: Record<string, string>, ports: { containerPort: number; name?: string; protocol?: string }[],
  namespace = 'shop'): Doc {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx', ports }] } } },
  };
}

const WEB = { matchLabels: { app: 'web' } };
const on = (...ports: Doc[]): Doc => ({ toPorts: [{ ports }] });
const TCP = (port: string): Doc => ({ port, protocol: 'TCP' });

function report(docs: readonly Doc[]): ReturnType<typeof check> {
  return check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion: '1.19' });
}

/** The paths of the findings; each must be an error. */
function paths(...docs: Doc[]): string[] {
  const found = findings(report(docs), ID);
  for (const f of found) expect(f.severity).toBe('error');
  return found.map((f) => f.path ?? '');
}

/** The fix of the only finding. */
function fixOf(...docs: Doc[]): string {
  const found = findings(report(docs), ID);
  expect(found).toHaveLength(1);
  return found[0].fix ?? '';
}

const PORT0 = (section: string, i = 0): string => `spec.${section}[${i}].toPorts[0].ports[0].port`;

describe('the sections: every one that names the Service port of the pods it is about', () => {
  it('ingress and ingressDeny of the Service pods, egress and egressDeny to them', () => {
    expect(paths(service(), cnp({ endpointSelector: WEB, ingress: [on(TCP('8080'))] }))).toEqual([PORT0('ingress')]);
    expect(paths(service(), cnp({ endpointSelector: WEB, ingressDeny: [on(TCP('8080'))] }))).toEqual([PORT0('ingressDeny')]);
    expect(paths(service(), cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [WEB], ...on(TCP('8080')) }] })))
      .toEqual([PORT0('egress')]);
    expect(paths(service(), cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egressDeny: [{ toEndpoints: [WEB], ...on(TCP('8080')) }] })))
      .toEqual([PORT0('egressDeny')]);
  });

  it('the target port itself, an item without toPorts, and a Service-less input: no finding', () => {
    expect(paths(service(), cnp({ endpointSelector: WEB, ingress: [on(TCP('80'))] }))).toEqual([]);
    expect(paths(service(), cnp({ endpointSelector: WEB, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }] }] }))).toEqual([]);
    expect(paths(cnp({ endpointSelector: WEB, ingress: [on(TCP('8080'))] }))).toEqual([]);
  });

  it('the path names the item, the port rule and the port entry', () => {
    const rule = cnp({
      endpointSelector: WEB,
      ingress: [
        { fromEndpoints: [{ matchLabels: { app: 'client' } }] },
        { toPorts: [{ ports: [TCP('80')] }, { ports: [TCP('443'), TCP('8080')] }] },
      ],
    });
    expect(paths(service(), rule)).toEqual(['spec.ingress[1].toPorts[1].ports[1].port']);
  });

  it('a host policy is not about Services (its subject is nodes)', () => {
    const hostRule = ccnp({ nodeSelector: WEB, ingress: [on(TCP('8080'))] });
    expect(paths(service(), hostRule)).toEqual([]);
    // The same selector as an endpoint subject is about the Service.
    expect(paths(service(), ccnp({ endpointSelector: WEB, ingress: [on(TCP('8080'))] }))).toEqual([PORT0('ingress')]);
  });

  it('a deny on the Service port fails open: the engine lets the traffic through on the target port', () => {
    // What the finding warns about, through the engine: the deny names 8080, the pods receive 80, so 80 is allowed.
    const deny = cnp({ endpointSelector: WEB, ingress: [{ fromEntities: ['cluster'] }], ingressDeny: [{ fromEntities: ['cluster'], ...on(TCP('8080')) }] });
    const set = PolicySet.fromYaml(JSON.stringify(deny));
    expect(verdictFor(set, 'pod:shop:app=client', 'pod:shop:app=web', '8080/TCP').verdict).toBe('denied');
    expect(verdictFor(set, 'pod:shop:app=client', 'pod:shop:app=web', '80/TCP').verdict).toBe('allowed');
    expect(paths(service(), deny)).toEqual([PORT0('ingressDeny')]);
  });
});

describe('which ports are judged', () => {
  const ingressOn = (...ports: Doc[]): Doc => cnp({ endpointSelector: WEB, ingress: [on(...ports)] });

  it('decimal port numbers only: not names, octal or hexadecimal forms, port 0', () => {
    expect(paths(service({ ports: [{ port: 8080, targetPort: 80 }] }), ingressOn({ port: 'http', protocol: 'TCP' }))).toEqual([]);
    // "010" is port 8 to the agent, "0x1f90" 8080: other checks report them, this one does not guess.
    expect(paths(service({ ports: [{ port: 8, targetPort: 80 }] }), ingressOn(TCP('010')))).toEqual([]);
    expect(paths(service(), ingressOn(TCP('0x1f90')))).toEqual([]);
    expect(paths(service(), ingressOn(TCP('0')))).toEqual([]);
    // A port written as a YAML number is read as its digits (and refused by the API server, parse-port-not-string).
    expect(paths(service(), ingressOn({ port: 8080, protocol: 'TCP' }))).toEqual([PORT0('ingress')]);
    // An entry without a port (every port of the protocol) names no Service port; the entry after it is still judged.
    expect(paths(service(), ingressOn({ protocol: 'TCP' }, TCP('8080')))).toEqual(['spec.ingress[0].toPorts[0].ports[1].port']);
  });

  it('the protocol must meet the Service port\'s: the same, ANY or none', () => {
    const udp = service({ ports: [{ port: 8080, targetPort: 80, protocol: 'UDP' }] });
    expect(paths(udp, ingressOn(TCP('8080')))).toEqual([]);
    expect(paths(udp, ingressOn({ port: '8080', protocol: 'UDP' }))).toEqual([PORT0('ingress')]);
    expect(paths(udp, ingressOn({ port: '8080', protocol: 'ANY' }))).toEqual([PORT0('ingress')]);
    expect(paths(udp, ingressOn({ port: '8080' }))).toEqual([PORT0('ingress')]);
    // A Service port without protocol is TCP.
    expect(paths(service(), ingressOn({ port: '8080', protocol: 'UDP' }))).toEqual([]);
  });

  it('a port that is also a target port of the Service, or one its pods listen on, is no finding', () => {
    const swapped = service({ ports: [{ port: 8080, targetPort: 80 }, { port: 80, targetPort: 8080 }] });
    expect(paths(swapped, ingressOn(TCP('8080')))).toEqual([]);
    const listening = deployment('web', { app: 'web' }, [{ containerPort: 80 }, { containerPort: 8080 }]);
    expect(paths(service(), listening, ingressOn(TCP('8080')))).toEqual([]);
    expect(paths(service(), deployment('web', { app: 'web' }, [{ containerPort: 80 }]), ingressOn(TCP('8080')))).toEqual([PORT0('ingress')]);
    // targetPort left out is the port itself.
    expect(paths(service({ ports: [{ port: 8080 }] }), ingressOn(TCP('8080')))).toEqual([]);
  });

  it('a port of another Service of the same pods that is no Service port here: no finding', () => {
    expect(paths(service(), ingressOn(TCP('9090')))).toEqual([]);
  });
});

describe('the target port in the fix', () => {
  const ingressOn = cnp({ endpointSelector: WEB, ingress: [on(TCP('8080'))] });
  const named = service({ ports: [{ port: 8080, targetPort: 'web-http' }] });

  it('a number: that port', () => {
    expect(fixOf(service(), ingressOn)).toContain('port: "80"');
  });

  it('the message and fix say whether the target is a port number or a container port name', () => {
    const [num] = findings(report([service(), ingressOn]), ID);
    expect(num.message).toContain('which sends to target port 80:');
    expect(num.fix).toMatch(/^write the target \(container\) port/);
    const [name] = findings(report([named, ingressOn]), ID);
    expect(name.message).toContain('which sends to the container port named "web-http":');
    expect(name.fix).toMatch(/\(a named port\) or its number$/);
  });

  it('a name: the number it has on the backing pods, or the name when the pods have none or several', () => {
    expect(fixOf(named, deployment('web', { app: 'web' }, [{ containerPort: 80, name: 'web-http' }]), ingressOn)).toContain('port: "80"');
    expect(fixOf(named, ingressOn)).toContain('port: "web-http"');
    const two = [
      deployment('web-a', { app: 'web', v: 'a' }, [{ containerPort: 80, name: 'web-http' }]),
      deployment('web-b', { app: 'web', v: 'b' }, [{ containerPort: 81, name: 'web-http' }]),
    ];
    expect(fixOf(named, ...two, ingressOn)).toContain('port: "web-http"');
    // Two workloads that agree on the number resolve it.
    const agree = [
      deployment('web-a', { app: 'web', v: 'a' }, [{ containerPort: 80, name: 'web-http' }]),
      deployment('web-b', { app: 'web', v: 'b' }, [{ containerPort: 80, name: 'web-http' }]),
    ];
    expect(fixOf(named, ...agree, ingressOn)).toContain('port: "80"');
  });

  it('the port the named target resolves to is itself no finding', () => {
    const pods = deployment('web', { app: 'web' }, [{ containerPort: 80, name: 'web-http' }]);
    expect(paths(named, pods, cnp({ endpointSelector: WEB, ingress: [on(TCP('80'))] }))).toEqual([]);
  });
});

describe('which Services a subject or a toEndpoints peer is about', () => {
  const ingressOn = (endpointSelector: Doc, namespace = 'shop'): Doc => cnp({ endpointSelector, ingress: [on(TCP('8080'))] }, namespace);

  it('the namespace: a CNP is about Services of its own namespace; a CCNP of any, or of the namespace it names', () => {
    expect(paths(service(), ingressOn(WEB, 'other'))).toEqual([]);
    expect(paths(service({ namespace: 'other' }), ingressOn(WEB, 'other'))).toEqual([PORT0('ingress')]);
    expect(paths(service(), ccnp({ endpointSelector: WEB, ingress: [on(TCP('8080'))] }))).toEqual([PORT0('ingress')]);
    const inNs = (ns: string): Doc => ccnp({ endpointSelector: { matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': ns } }, ingress: [on(TCP('8080'))] });
    expect(paths(service(), inNs('shop'))).toEqual([PORT0('ingress')]);
    expect(paths(service(), inNs('other'))).toEqual([]);
  });

  it('a Service without a selector is about no subject', () => {
    expect(paths(service({ selector: null }), ingressOn(WEB))).toEqual([]);
  });

  it('the subject must name a label the Service selects on', () => {
    const pods = deployment('web', { app: 'web', tier: 'front' }, [{ containerPort: 80 }]);
    expect(paths(service(), pods, ingressOn({ matchLabels: { tier: 'front' } }))).toEqual([]);
    expect(paths(service(), pods, ingressOn({ matchLabels: { app: 'web', tier: 'front' } }))).toEqual([PORT0('ingress')]);
  });

  it('several backing workloads: a port one of them listens on is no finding; a subject selecting one of them is about the Service', () => {
    const a = (ports: number[]): Doc => deployment('web-a', { app: 'web', tier: 'a' }, ports.map((containerPort) => ({ containerPort })));
    const b = deployment('web-b', { app: 'web', tier: 'b' }, [{ containerPort: 80 }]);
    // 8080 is the Service port, but web-a's pods also listen on it: traffic straight to them matches the rule.
    expect(paths(service(), a([80, 8080]), b, ingressOn(WEB))).toEqual([]);
    expect(paths(service(), a([80]), b, ingressOn(WEB))).toEqual([PORT0('ingress')]);
    // A subject that selects web-a only is about the Service all the same.
    expect(paths(service(), a([80]), b, ingressOn({ matchLabels: { app: 'web', tier: 'a' } }))).toEqual([PORT0('ingress')]);
  });

  it('with backing workloads, the subject must select one of them; without, the Service selector must satisfy it', () => {
    const front = deployment('web', { app: 'web', tier: 'front' }, [{ containerPort: 80 }]);
    const frontSubject = ingressOn({ matchLabels: { app: 'web', tier: 'front' } });
    // The workload carries tier=front, the Service selector does not: only the workloads can tell.
    expect(paths(service(), front, frontSubject)).toEqual([PORT0('ingress')]);
    expect(paths(service(), frontSubject)).toEqual([]);
    expect(paths(service(), front, ingressOn({ matchLabels: { app: 'web', tier: 'back' } }))).toEqual([]);
    // A workload in another namespace does not back the Service.
    expect(paths(service(), deployment('web', { app: 'web', tier: 'front' }, [{ containerPort: 80 }], 'other'), frontSubject)).toEqual([]);
  });

  it('a subject whose value of a label the Service selects on is not the Service\'s is about no Service; In with the value is', () => {
    const inOf = (...values: string[]): Doc => ingressOn({ matchExpressions: [{ key: 'app', operator: 'In', values }] });
    const pods = deployment('web', { app: 'web', tier: 'front' }, [{ containerPort: 80 }]);
    for (const withPods of [[], [pods]]) {
      expect(paths(service(), ...withPods, inOf('web', 'api'))).toEqual([PORT0('ingress')]);
      expect(paths(service(), ...withPods, inOf('api'))).toEqual([]);
      expect(paths(service(), ...withPods, ingressOn({ matchLabels: { app: 'api' } }))).toEqual([]);
      // Another value of a key the Service does not select on (tier) leaves it to the pods (the Service selector says nothing of it).
      expect(paths(service(), ...withPods, ingressOn({ matchLabels: { app: 'web', tier: 'back' } }))).toEqual([]);
      expect(paths(service(), ...withPods, ingressOn({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] }))).toEqual([PORT0('ingress')]);
    }
  });

  it('a label Cilium owns in the Service selector: the pods\' identity carries Cilium\'s value (SanitizePodLabels), so the subject is judged on the pods', () => {
    // Kubernetes sends to the pods carrying the selector's labels; Cilium replaces their io.kubernetes.pod.namespace and
    // io.cilium.k8s.* values by the real ones (namespace, service account, namespace labels) in their identity.
    const denyOn = (endpointSelector: Doc): Doc => cnp({ endpointSelector, ingressDeny: [on(TCP('8080'))] });
    const withAccount = (doc: Doc, serviceAccountName: string): Doc => {
      const template = ((doc.spec as Doc).template as Doc);
      return { ...doc, spec: { ...(doc.spec as Doc), template: { ...template, spec: { ...(template.spec as Doc), serviceAccountName } } } };
    };
    const nsSel = { app: 'web', 'io.kubernetes.pod.namespace': 'other' };
    const nsPods = deployment('web', nsSel, [{ containerPort: 80 }]);
    expect(paths(service({ selector: nsSel }), nsPods, denyOn(WEB))).toEqual([PORT0('ingressDeny')]);
    expect(paths(service({ selector: nsSel }), nsPods, ingressOn(WEB))).toEqual([PORT0('ingress')]);
    // Without a workload behind the Service, its pods are in its own namespace all the same.
    expect(paths(service({ selector: nsSel }), denyOn(WEB))).toEqual([PORT0('ingressDeny')]);
    const saSel = { app: 'web', 'io.cilium.k8s.policy.serviceaccount': 'fake' };
    const saPods = withAccount(deployment('web', saSel, [{ containerPort: 80 }]), 'real');
    expect(paths(service({ selector: saSel }), saPods, denyOn({ matchLabels: { 'app': 'web', 'io.cilium.k8s.policy.serviceaccount': 'real' } })))
      .toEqual([PORT0('ingressDeny')]);
    expect(paths(service({ selector: saSel }), saPods,
      denyOn({ matchExpressions: [{ key: 'io.cilium.k8s.policy.serviceaccount', operator: 'In', values: ['real'] }] }))).toEqual([PORT0('ingressDeny')]);
    expect(paths(service({ selector: saSel }), saPods, denyOn({ matchLabels: { 'app': 'web', 'io.cilium.k8s.policy.serviceaccount': 'fake' } }))).toEqual([]);
    const nlSel = { 'app': 'web', 'io.cilium.k8s.namespace.labels.team': 'x' };
    const shop: Doc = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'y' } } };
    expect(paths(shop, service({ selector: nlSel }), deployment('web', nlSel, [{ containerPort: 80 }]),
      denyOn({ matchLabels: { 'app': 'web', 'io.cilium.k8s.namespace.labels.team': 'y' } }))).toEqual([PORT0('ingressDeny')]);
  });

  it('a namespace of n Services and n rules each about one of them: each rule matches the pods of its own Service only', () => {
    // Before, every rule naming `app` matched the pods of every Service selecting on `app` (n × n).
    const matched = (n: number): number => {
      const docs: Doc[] = [];
      for (let i = 0; i < n; i++) {
        docs.push(service({ name: `s${i}`, selector: { app: `a${i}` } }), deployment(`d${i}`, { app: `a${i}` }, [{ containerPort: 80 }]));
        docs.push(cnp({ endpointSelector: { matchLabels: { app: `a${i}` } }, ingress: [on(TCP('8080'))] }, 'shop', `p${i}`));
      }
      const spy = vi.spyOn(Selector.prototype, 'matches');
      try {
        expect(paths(...docs)).toHaveLength(n);
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };
    expect(matched(40)).toBeLessThan(3 * matched(20));
  });

  it('a toEndpoints peer of a CNP is in the policy\'s namespace unless it names one', () => {
    const egressTo = (peer: Doc, namespace: string): Doc => cnp({ endpointSelector: {}, egress: [{ toEndpoints: [peer], ...on(TCP('8080')) }] }, namespace);
    expect(paths(service(), egressTo(WEB, 'client'))).toEqual([]);
    expect(paths(service(), egressTo({ matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }, 'client'))).toEqual([PORT0('egress')]);
    // A peer that is not an object is skipped (the schema refuses it), the others still judged.
    const mixed = cnp({ endpointSelector: {}, egress: [{ toEndpoints: ['web', WEB], ...on(TCP('8080')) }] });
    expect(paths(service(), mixed)).toEqual([PORT0('egress')]);
  });
});

describe('which Services a toServices entry names', () => {
  /** The egress of a CNP in `namespace` (a CCNP for `null`) to `services` on 8080/TCP. */
  const egressTo = (services: unknown[], namespace: string | null = 'client'): Doc => {
    const spec = { endpointSelector: {}, egress: [{ toServices: services, ...on(TCP('8080')) }] };
    return namespace === null ? ccnp(spec) : cnp(spec, namespace);
  };
  const k8sService = (serviceName: string, namespace?: string): Doc =>
    ({ k8sService: { serviceName, ...(namespace === undefined ? {} : { namespace }) } });

  // Without a namespace (or with an empty one) an entry matches Services of every namespace, in a CNP as in a CCNP
  // (pkg/policy/k8s/service.go serviceRefMatches/serviceSelectorMatches: `Namespace == ""`; ParseToCiliumRule injects
  // none into toServices). Before session 38 the validator read it as the policy's namespace.
  it('k8sService: by name, in the namespace it names, else in any namespace (a CNP\'s too)', () => {
    expect(paths(service(), egressTo([k8sService('web', 'shop')]))).toEqual([PORT0('egress')]);
    expect(paths(service(), egressTo([k8sService('web')]))).toEqual([PORT0('egress')]);
    expect(paths(service(), egressTo([k8sService('web', '')]))).toEqual([PORT0('egress')]);
    expect(paths(service(), egressTo([k8sService('web')], 'shop'))).toEqual([PORT0('egress')]);
    expect(paths(service(), egressTo([k8sService('web', '')], 'shop'))).toEqual([PORT0('egress')]);
    expect(paths(service(), egressTo([k8sService('web')], null))).toEqual([PORT0('egress')]);
    expect(paths(service(), egressTo([k8sService('api', 'shop')]))).toEqual([]);
    expect(paths(service(), egressTo([k8sService('web', 'other')]))).toEqual([]);
  });

  it('k8sServiceSelector: the Services whose own labels it selects, in the namespace it names, else in any namespace', () => {
    const labelled = service({ labels: { expose: 'yes' } });
    const bySelector = (matchLabels: Record<string, string>, namespace?: string): Doc =>
      ({ k8sServiceSelector: { selector: { matchLabels }, ...(namespace === undefined ? {} : { namespace }) } });
    expect(paths(labelled, egressTo([bySelector({ expose: 'yes' }, 'shop')]))).toEqual([PORT0('egress')]);
    expect(paths(labelled, egressTo([bySelector({ expose: 'no' }, 'shop')]))).toEqual([]);
    // The Service's selector is not its labels.
    expect(paths(labelled, egressTo([bySelector({ app: 'web' }, 'shop')]))).toEqual([]);
    expect(paths(labelled, egressTo([bySelector({ expose: 'yes' })]))).toEqual([PORT0('egress')]);
    expect(paths(labelled, egressTo([bySelector({ expose: 'yes' }, 'client')]))).toEqual([]);
    // A selector whose requirements do not build matches no Service (pitfall-service-selector-invalid says so).
    expect(paths(labelled, egressTo([bySelector({ 'k8s:expose': 'yes' }, 'shop')]))).toEqual([]);
    expect(paths(labelled, egressTo([bySelector({ expose: 'yes' })], 'shop'))).toEqual([PORT0('egress')]);
    expect(paths(labelled, egressTo([bySelector({ expose: 'yes' }, '')], 'shop'))).toEqual([PORT0('egress')]);
    expect(paths(labelled, egressTo([bySelector({ expose: 'yes' })], null))).toEqual([PORT0('egress')]);
    expect(paths(labelled, egressTo([{ k8sServiceSelector: { namespace: 'shop' } }]))).toEqual([]);
  });

  it('the backing workloads of a named Service decide its target port and what its pods listen on', () => {
    const named = service({ ports: [{ port: 8080, targetPort: 'web-http' }] });
    const pods = deployment('web', { app: 'web' }, [{ containerPort: 80, name: 'web-http' }]);
    const rule = egressTo([k8sService('web', 'shop')]);
    expect(fixOf(named, pods, rule)).toContain('port: "80"');
    const bySelector = egressTo([{ k8sServiceSelector: { selector: { matchLabels: { expose: 'yes' } }, namespace: 'shop' } }]);
    expect(fixOf(service({ labels: { expose: 'yes' }, ports: [{ port: 8080, targetPort: 'web-http' }] }), pods, bySelector)).toContain('port: "80"');
    const listening = deployment('web', { app: 'web' }, [{ containerPort: 80 }, { containerPort: 8080 }]);
    expect(paths(service(), listening, rule)).toEqual([]);
  });

  it('an entry that is not an object, or names nothing, is about no Service', () => {
    expect(paths(service(), egressTo(['web']))).toEqual([]);
    expect(paths(service(), egressTo([{}]))).toEqual([]);
  });
});
