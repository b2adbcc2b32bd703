// Workloads and Services as peers and subjects (src/constructs/workload.ts), judged by the engine: which pods a
// `Peer.workload()` or `EndpointSelector.workload()` selects (its own labels or cdk8s-plus's hash label, its namespace),
// which ports egress to it defaults to (a Service's target ports, resolved by name on the workloads it selects; never a
// container port or a service port), when those ports are unknown, and the refusals by error id. In the mutation test
// set (set `rules`). Every chart is built inside a test.
import { ApiObject, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, ClusterwidePolicy, EndpointSelector, Peer, PolicyBase, Port, TieredApp } from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal, synthFailure } from '../support/synth';

const WEB = 'pod:shop:app=web';

interface ContainerPort { name?: string; containerPort: number; protocol?: string }

/** A plain Deployment (or another workload kind) whose pods carry `labels`, declaring `ports`. */
function workload(
  c: Construct, id: string, labels: Record<string, string>, ports: ContainerPort[] = [], more: { kind?: string; namespace?: string } = {},
): ApiObject {
  const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i', ports }] } };
  return new ApiObject(c, id, {
    apiVersion: more.kind === 'Pod' ? 'v1' : 'apps/v1', kind: more.kind ?? 'Deployment',
    metadata: { name: id, ...(more.namespace ? { namespace: more.namespace } : {}) },
    spec: more.kind === 'Pod' ? template.spec : { selector: { matchLabels: labels }, template },
    ...(more.kind === 'Pod' ? { metadata: { name: id, labels, ...(more.namespace ? { namespace: more.namespace } : {}) } } : {}),
  } as never);
}

interface ServicePort { port: number; targetPort?: number | string; protocol?: string; name?: string }

/** A plain Service selecting `selector`. */
function service(c: Construct, id: string, selector: Record<string, string> | undefined, ports: ServicePort[], namespace?: string): ApiObject {
  return new ApiObject(c, id, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: id, ...(namespace ? { namespace } : {}) },
    spec: { ...(selector ? { selector } : {}), ports },
  });
}

/** `web` (app=web in shop) with egress to `peer` only, without ports unless given. */
function webTo(c: Chart, target: Construct, ports?: Port[]): CiliumPolicy {
  const p = new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
  p.allowEgress(Peer.workload(target), ports ? { ports } : {});
  return p;
}

/** The verdict of each `<to> <port>` from web. */
function from(c: Chart, source: string, targets: string[]): string[] {
  return targets.map((t) => {
    const [to, port] = t.split(' ');
    return verdictOf(c, source, to, port);
  });
}

/** `<id> <path>` of each finding of a policy's synthesis. */
function findings(p: PolicyBase): string[] {
  return p.synthesizeModel().diagnostics.map((d) => `${d.id} ${d.path ?? ''}`.trim());
}

describe('egress to a workload defaults to the target ports of the one Service that selects it', () => {
  test('numeric target ports: not the service port, not another container port, not other pods or namespaces', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }, { name: 'metrics', containerPort: 9187 }]);
    service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }, { port: 53, targetPort: 5353, protocol: 'UDP' }]);
    const p = webTo(c, db);
    expect(from(c, WEB, ['pod:shop:app=db 5432/TCP', 'pod:shop:app=db 5353/UDP', 'pod:shop:app=db 80/TCP', 'pod:shop:app=db 9187/TCP',
      'pod:shop:app=db 5353/TCP', 'pod:shop:app=other 5432/TCP', 'pod:prod:app=db 5432/TCP']))
      .toEqual(['allowed', 'allowed', 'denied', 'denied', 'denied', 'denied', 'denied']);
    expect(findings(p)).toEqual([]);
  });

  test('a Service port without targetPort targets its own port number', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }]);
    service(c, 'db-svc', { app: 'db' }, [{ port: 5432 }]);
    webTo(c, db);
    expect(from(c, WEB, ['pod:shop:app=db 5432/TCP', 'pod:shop:app=db 5433/TCP'])).toEqual(['allowed', 'denied']);
  });

  test('a named target port is the container port of that name (and protocol) on the selected workloads', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }]);
    workload(c, 'other', { app: 'other' }, [{ name: 'pg', containerPort: 6432 }]);
    service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }, { port: 53, targetPort: 'dns', protocol: 'UDP' }]);
    webTo(c, db);
    expect(from(c, WEB, ['pod:shop:app=db 5432/TCP', 'pod:shop:app=db 5353/UDP', 'pod:shop:app=db 6432/TCP', 'pod:shop:app=db 80/TCP', 'pod:shop:app=db 5353/TCP']))
      .toEqual(['allowed', 'allowed', 'denied', 'denied', 'denied']);
  });

  test('a named target port no selected workload declares, or declared as different ports: egress without ports is refused', () => {
    const none = chart('shop');
    const db = workload(none, 'db', { app: 'db' }, [{ name: 'metrics', containerPort: 9187 }]);
    workload(none, 'elsewhere', { app: 'elsewhere' }, [{ name: 'pg', containerPort: 5432 }]);
    service(none, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }]);
    webTo(none, db);
    expect(synthFailure(none)).toMatch(/without ports: Service test\/db-svc targets the named port "pg", which no workload it selects in this app declares \(workload-ports-unknown\)/);
    const several = chart('shop');
    const a = workload(several, 'a', { app: 'db', v: '1' }, [{ name: 'pg', containerPort: 5432 }]);
    workload(several, 'b', { app: 'db', v: '2' }, [{ name: 'pg', containerPort: 6432 }]);
    service(several, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }]);
    webTo(several, a);
    expect(synthFailure(several)).toMatch(/which resolves to several container ports \(5432\/TCP, 6432\/TCP\) \(workload-ports-unknown\)/);
    const same = chart('shop');
    const x = workload(same, 'a', { app: 'db', v: '1' }, [{ name: 'pg', containerPort: 5432 }]);
    workload(same, 'b', { app: 'db', v: '2' }, [{ name: 'pg', containerPort: 5432 }]);
    service(same, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }]);
    webTo(same, x);
    expect(synthFailure(same)).toBeUndefined();
    expect(from(same, WEB, ['pod:shop:app=db,v=1 5432/TCP'])).toEqual(['allowed']);
  });

  test('such a Service with the ports given in the rule: those ports, no others (the Service\'s unresolved port refused the rule whatever it said)', () => {
    const several = (): { c: Chart; svc: Construct } => {
      const c = chart('shop');
      workload(c, 'a', { app: 'db', v: '1' }, [{ name: 'pg', containerPort: 5432 }]);
      workload(c, 'b', { app: 'db', v: '2' }, [{ name: 'pg', containerPort: 6432 }]);
      return { c, svc: service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }]) };
    };
    const egress = several();
    webTo(egress.c, egress.svc, [Port.tcp(5432), Port.tcp(6432)]);
    expect(synthFailure(egress.c)).toBeUndefined();
    expect(from(egress.c, WEB, ['pod:shop:app=db,v=1 5432/TCP', 'pod:shop:app=db,v=2 6432/TCP', 'pod:shop:app=db,v=1 9187/TCP', 'pod:shop:app=db,v=1 80/TCP']))
      .toEqual(['allowed', 'allowed', 'denied', 'denied']);
    // A tier given such a Service and its ports.
    const tiered = several();
    new TieredApp(tiered.c, 'app', { entry: [Peer.namespace('traefik')], tiers: [{ name: 'db', workload: tiered.svc, ports: [Port.tcp(5432), Port.tcp(6432)] }] });
    expect(synthFailure(tiered.c)).toBeUndefined();
    expect(from(tiered.c, 'pod:traefik:app=x', ['pod:shop:app=db,v=2 6432/TCP', 'pod:shop:app=db,v=2 80/TCP'])).toEqual(['allowed', 'denied']);
    // Without ports, the tier is refused with the fix that names both ways out.
    const bare = several();
    const r = refusal(() => new TieredApp(bare.c, 'app', { tiers: [{ name: 'db', workload: bare.svc }] }));
    expect(r.id).toBe('service-target-port-unresolved');
    expect(r.message).toContain('fix: give the port of that name one number in every workload the Service selects, or use a numeric targetPort');
  });

  test('no Service, or two, selecting the workload: no default ports (finding), and explicit ports work', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }]);
    const p = webTo(c, db);
    expect(findings(p)).toEqual(['workload-ports-unknown spec.egress']);
    const two = chart('shop');
    const api = workload(two, 'api-deploy', { app: 'api' }, [{ containerPort: 8080 }, { containerPort: 9090 }]);
    service(two, 'api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]);
    service(two, 'api-metrics', { app: 'api' }, [{ port: 9090, targetPort: 9090 }]);
    expect(findings(webTo(two, api))).toEqual(['workload-ports-unknown spec.egress']);
    const explicit = chart('shop');
    const e = workload(explicit, 'api', { app: 'api' }, [{ containerPort: 8080 }]);
    webTo(explicit, e, [Port.tcp(8080)]);
    expect(from(explicit, WEB, ['pod:shop:app=api 8080/TCP', 'pod:shop:app=api 8081/TCP'])).toEqual(['allowed', 'denied']);
  });

  test('Services that do not count: another namespace, no selector, a selector of other pods', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }, { containerPort: 6432 }, { containerPort: 7432 }]);
    service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }]);
    service(c, 'db-prod', { app: 'db' }, [{ port: 81, targetPort: 6432 }], 'prod');
    service(c, 'external', undefined, [{ port: 82, targetPort: 7432 }]);
    service(c, 'other', { app: 'other' }, [{ port: 83, targetPort: 7432 }]);
    const p = webTo(c, db);
    expect(findings(p)).toEqual([]);
    expect(from(c, WEB, ['pod:shop:app=db 5432/TCP', 'pod:shop:app=db 6432/TCP', 'pod:shop:app=db 7432/TCP'])).toEqual(['allowed', 'denied', 'denied']);
  });

  test('a workload in its own namespace is matched by the Services of that namespace', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }], { namespace: 'data' });
    service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }], 'data');
    service(c, 'db-shop', { app: 'db' }, [{ port: 81, targetPort: 6432 }]);
    webTo(c, db);
    expect(from(c, WEB, ['pod:data:app=db 5432/TCP', 'pod:data:app=db 6432/TCP', 'pod:shop:app=db 5432/TCP'])).toEqual(['allowed', 'denied', 'denied']);
  });

  test('a Service listing one target port twice allows it once, and nothing else', () => {
    const c = chart('shop');
    const db = workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }]);
    service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432, name: 'a' }, { port: 81, targetPort: 5432, name: 'b' }]);
    const p = webTo(c, db);
    expect(p.synthesizeModel().model.spec?.egress?.[0].toPorts).toEqual([{ ports: [{ port: '5432', protocol: 'TCP' }] }]);
    expect(from(c, WEB, ['pod:shop:app=db 5432/TCP', 'pod:shop:app=db 80/TCP'])).toEqual(['allowed', 'denied']);
  });
});

describe('a Service as the peer or the subject', () => {
  test('Peer.workload(service): the pods it selects, in its namespace, on its target ports', () => {
    const c = chart('shop');
    const svc = service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }], 'data');
    webTo(c, svc);
    expect(from(c, WEB, ['pod:data:app=db 5432/TCP', 'pod:data:app=db 80/TCP', 'pod:shop:app=db 5432/TCP', 'pod:data:app=other 5432/TCP']))
      .toEqual(['allowed', 'denied', 'denied', 'denied']);
    const implicit = chart('shop');
    webTo(implicit, service(implicit, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }]));
    expect(from(implicit, WEB, ['pod:shop:app=db 5432/TCP', 'pod:prod:app=db 5432/TCP'])).toEqual(['allowed', 'denied']);
  });

  test('EndpointSelector.workload(service) selects the pods the Service selects', () => {
    const c = chart('shop');
    const svc = service(c, 'api-svc', { app: 'api' }, [{ port: 80, targetPort: 8080 }]);
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.workload(svc) });
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
    expect(decidedBy(c, WEB, 'pod:shop:app=api', 8080, 'ingress')).toBe(`allowed ${p.name} spec.ingress[0]`);
    expect(decidedBy(c, 'pod:shop:app=x', 'pod:shop:app=api', 8080, 'ingress')).toBe('default-deny');
    expect(decidedBy(c, 'pod:shop:app=x', 'pod:shop:app=other', 8080, 'ingress')).toBe('no-policy-default-allow');
  });

  test('a ReplicationController is a workload: its selector is a plain label map (its pod labels when absent), never every pod', () => {
    for (const selector of [{ app: 'api' }, undefined, {}]) {
      const c = chart('shop');
      const template = { metadata: { labels: { app: 'api', tier: 'back' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8080 }] }] } };
      const rc = new ApiObject(c, 'rc', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { ...(selector ? { selector } : {}), template } });
      const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.workload(rc) });
      p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
      const api = selector && Object.keys(selector).length > 0 ? 'pod:shop:app=api' : 'pod:shop:app=api,tier=back';
      expect(decidedBy(c, WEB, api, 8080, 'ingress'), JSON.stringify(selector)).toBe(`allowed ${p.name} spec.ingress[0]`);
      expect(decidedBy(c, 'pod:shop:app=x', api, 8080, 'ingress')).toBe('default-deny');
      expect(decidedBy(c, WEB, 'pod:shop:app=other', 8080, 'ingress'), JSON.stringify(selector)).toBe('no-policy-default-allow');
      const e = chart('shop');
      const target = new ApiObject(e, 'rc', { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { ...(selector ? { selector } : {}), template } });
      webTo(e, target, [Port.tcp(8080)]);
      expect(verdictOf(e, WEB, api, '8080'), JSON.stringify(selector)).toBe('allowed');
      expect(verdictOf(e, WEB, 'pod:shop:app=other', '8080'), JSON.stringify(selector)).toBe('denied');
    }
  });

  test('a workload without pod labels or a Service without a selector is refused, as subject and as peer: never every pod', () => {
    const bare = (c: Construct, kind: string): ApiObject => (kind === 'Service'
      ? new ApiObject(c, 'x', { apiVersion: 'v1', kind, metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } })
      : new ApiObject(c, 'x', { apiVersion: 'apps/v1', kind, metadata: { name: 'x' }, spec: { selector: {}, template: { spec: { containers: [] } } } }));
    for (const kind of ['Deployment', 'ReplicationController', 'Pod', 'Service']) {
      const s = chart('shop');
      new CiliumPolicy(s, 'p', { endpointSelector: EndpointSelector.workload(bare(s, kind)) }).allowIngress(Peer.any(), { ports: [Port.tcp(80)] });
      expect(synthFailure(s), kind).toMatch(/\(workload-without-labels\)/);
      const e = chart('shop');
      webTo(e, bare(e, kind), [Port.tcp(80)]);
      expect(synthFailure(e), kind).toMatch(/\(workload-without-labels\)/);
    }
  });

  // A Deployment may select its pods by `app NotIn (web)` (the API server only asks that the template's labels match): that
  // selector was written as the workload's peer or subject, every pod of the namespace but web's, not the workload's pods.
  test('a workload whose selector requires no pod label by value (NotIn, DoesNotExist, Exists only) is refused, as subject and as peer', () => {
    const deploy = (c: Construct, expressions: Record<string, unknown>[]): ApiObject => new ApiObject(c, 'db', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db' },
      spec: { selector: { matchExpressions: expressions }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    // Exists excludes nothing: it keeps every pod with the label (it said "but those it excludes").
    for (const [shown, expressions, selects] of [
      ['{app NotIn (web)}', [{ key: 'app', operator: 'NotIn', values: ['web'] }], 'but those it excludes'],
      ['{tier DoesNotExist}', [{ key: 'tier', operator: 'DoesNotExist' }], 'but those it excludes'],
      ['{app Exists}', [{ key: 'app', operator: 'Exists' }], 'with app, whatever the value'],
    ] as const) {
      const message = `[test/db] Deployment test/db selects its pods by ${shown}, which requires no pod label by value: written as the peer or subject, `
        + `it would select every pod of the namespace ${selects}, not only its own (workload-without-labels)\n`
        + '  fix: give the Deployment a selector of its pod labels (matchLabels, or In), or select its pods yourself: EndpointSelector.labels(), Peer.endpoints({ labels })';
      const e = chart('shop');
      webTo(e, deploy(e, [...expressions]), [Port.tcp(5432)]);
      expect(synthFailure(e)).toContain(message);
      const s = chart('shop');
      new CiliumPolicy(s, 'p', { endpointSelector: EndpointSelector.workload(deploy(s, [...expressions])) }).allowIngress(Peer.namespace('shop'), { ports: [Port.tcp(80)] });
      expect(synthFailure(s)).toContain(message);
    }
    // An operator the API server refuses (`in`) is no operator: it said "requires no pod label by value".
    const lower = chart('shop');
    webTo(lower, deploy(lower, [{ key: 'app', operator: 'in', values: ['db'] }]), [Port.tcp(5432)]);
    expect(synthFailure(lower)).toContain('[test/db] Deployment test/db selects its pods by {app in (db)}: the operator "in" of app is not one of In, NotIn, Exists, '
      + 'DoesNotExist, which the API server refuses (the CRD of a Cilium policy too) (workload-selector-invalid)\n  fix: write In');
    // The cluster label is on every pod (Cilium's SanitizePodLabels): a Service selecting by it alone names no pod.
    const svc = chart('shop');
    webTo(svc, service(svc, 'db', { 'io.cilium.k8s.policy.cluster': 'default' }, [{ port: 5432 }]));
    expect(synthFailure(svc)).toContain('Service test/db selects its pods by {io.cilium.k8s.policy.cluster=default}, which requires no pod label but the cluster '
      + 'label io.cilium.k8s.policy.cluster, which Cilium sets on every pod of the cluster: '
      + 'written as the peer or subject, it would select every pod of the namespace, not only its own');
    // By a label's value (In), the workload's pods only.
    const c = chart('shop');
    webTo(c, deploy(c, [{ key: 'app', operator: 'In', values: ['db'] }]), [Port.tcp(5432)]);
    expect(verdictOf(c, WEB, 'pod:shop:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, WEB, 'pod:shop:app=other', '5432/TCP')).toBe('denied');
  });

  test('EndpointSelector.workload(workload) selects its pods; a Pod is a workload, a CronJob and a ConfigMap are not', () => {
    const c = chart('shop');
    const pod = workload(c, 'api-pod', { app: 'api' }, [{ containerPort: 8080 }], { kind: 'Pod' });
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.workload(pod) });
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
    expect(decidedBy(c, 'pod:shop:app=x', 'pod:shop:app=api', 8080, 'ingress')).toBe('default-deny');
    expect(decidedBy(c, WEB, 'pod:shop:app=api', 8080, 'ingress')).toBe(`allowed ${p.name} spec.ingress[0]`);
    for (const kind of ['CronJob', 'ConfigMap']) {
      const k = chart('shop');
      const obj = new ApiObject(k, 'x', { apiVersion: 'v1', kind, metadata: { name: 'x' }, spec: {} });
      webTo(k, obj, [Port.tcp(80)]);
      expect(synthFailure(k), kind).toMatch(/\(not-a-workload\)/);
      const s = chart('shop');
      new CiliumPolicy(s, 'p', { endpointSelector: EndpointSelector.workload(new ApiObject(s, 'x', { apiVersion: 'v1', kind, metadata: { name: 'x' } })) })
        .allowIngress(Peer.any(), { ports: [Port.tcp(80)] });
      expect(synthFailure(s), kind).toMatch(/\(not-a-workload\)/);
    }
  });

  test('something holding no ApiObject is refused where it is wrapped, by error id', () => {
    const c = chart('shop');
    for (const x of [new Construct(c, 'plain'), null, 'web', { node: 1 }]) {
      expect(refusal(() => Peer.workload(x as never)).id).toBe('peer-unknown');
      expect(refusal(() => EndpointSelector.workload(x as never)).id).toBe('selector-unknown');
    }
  });
});

describe('the selector of a cdk8s-plus workload: its own labels when they single it out, else the hash label', () => {
  /** The cdk8s-plus hash label of a workload's selector. */
  const hashOf = (w: kplus.Deployment): string => ApiObject.of(w).toJson().spec.selector.matchLabels['cdk8s.io/metadata.addr'];

  test('own labels that no other pod template of the namespace carries select its pods without the hash', () => {
    const c = chart('shop');
    const db = new kplus.Deployment(c, 'db', { podMetadata: { labels: { app: 'db' } }, containers: [{ image: 'db', portNumber: 5432 }] });
    new kplus.Deployment(c, 'db2', { metadata: { namespace: 'other' }, podMetadata: { labels: { app: 'db' } }, containers: [{ image: 'db', portNumber: 5432 }] });
    webTo(c, db, [Port.tcp(5432)]);
    // A pod of shop with app=db and another hash (not db's: the engine completes a pod's labels from the workload it
    // singles out) is selected by the own labels too.
    expect(from(c, WEB, ['pod:shop:app=db 5432/TCP', 'pod:shop:app=db,cdk8s.io/metadata.addr=other 5432/TCP', 'pod:other:app=db 5432/TCP']))
      .toEqual(['allowed', 'allowed', 'denied']);
  });

  test('own labels shared with another workload, or a CronJob, of the namespace: the hash label stays', () => {
    for (const other of ['deployment', 'cronjob', 'both-labels'] as const) {
      const c = chart('shop');
      const db = new kplus.Deployment(c, 'db', { podMetadata: { labels: { app: 'db' } }, containers: [{ image: 'db', portNumber: 5432 }] });
      if (other === 'deployment') new kplus.Deployment(c, 'db2', { podMetadata: { labels: { app: 'db' } }, containers: [{ image: 'db', portNumber: 5432 }] });
      if (other === 'cronjob') new kplus.CronJob(c, 'job', { schedule: Cron.daily(), podMetadata: { labels: { app: 'db' } }, containers: [{ image: 'c' }] });
      if (other === 'both-labels') new kplus.Deployment(c, 'db2', { podMetadata: { labels: { app: 'db', tier: 'x' } }, containers: [{ image: 'db', portNumber: 5432 }] });
      webTo(c, db, [Port.tcp(5432)]);
      expect(from(c, WEB, [`pod:shop:app=db,cdk8s.io/metadata.addr=${hashOf(db)} 5432/TCP`, 'pod:shop:app=db 5432/TCP']), other).toEqual(['allowed', 'denied']);
    }
  });

  test('a workload whose pods carry only the hash label keeps it; a plain ApiObject keeps its own selector', () => {
    const c = chart('shop');
    const db = new kplus.Deployment(c, 'db', { containers: [{ image: 'db', portNumber: 5432 }] });
    webTo(c, db, [Port.tcp(5432)]);
    expect(from(c, WEB, [`pod:shop:cdk8s.io/metadata.addr=${hashOf(db)} 5432/TCP`, 'pod:shop:app=db 5432/TCP'])).toEqual(['allowed', 'denied']);
    const plain = chart('shop');
    const w = workload(plain, 'db', { app: 'db', 'cdk8s.io/metadata.addr': 'h1' }, [{ containerPort: 5432 }]);
    workload(plain, 'db2', { app: 'db' });
    webTo(plain, w, [Port.tcp(5432)]);
    expect(from(plain, WEB, ['pod:shop:app=db,cdk8s.io/metadata.addr=h1 5432/TCP', 'pod:shop:app=db 5432/TCP'])).toEqual(['allowed', 'denied']);
  });
});

describe('the namespace of a workload or Service peer, and what the messages of its refusals name', () => {
  test('in a clusterwide policy, a workload or Service of no namespace is refused (it would match every namespace); one of a namespace is not', () => {
    for (const kind of ['workload', 'service'] as const) {
      const c = chart();
      const target = kind === 'workload' ? workload(c, 'db', { app: 'db' }, [{ containerPort: 5432 }]) : service(c, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }]);
      const p = new ClusterwidePolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      p.allowEgress(Peer.workload(target), { ports: [Port.tcp(5432)] });
      expect(findings(p), kind).toEqual(['peer-namespace-required spec.egress']);
      const named = chart();
      const t2 = kind === 'workload'
        ? workload(named, 'db', { app: 'db' }, [{ containerPort: 5432 }], { namespace: 'data' })
        : service(named, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 5432 }], 'data');
      const q = new ClusterwidePolicy(named, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
      q.allowEgress(Peer.workload(t2), { ports: [Port.tcp(5432)] });
      expect(findings(q), kind).toEqual([]);
      expect(from(named, 'pod:shop:app=web', ['pod:data:app=db 5432/TCP', 'pod:shop:app=db 5432/TCP']), kind).toEqual(['allowed', 'denied']);
    }
  });

  test('the finding of unknown serving ports says whether no Service or how many select the workload', () => {
    const none = chart('shop');
    const p = webTo(none, workload(none, 'db', { app: 'db' }, [{ containerPort: 5432 }]));
    const [d] = p.synthesizeModel().diagnostics;
    expect(d.message).toContain('no Service of the app selects test/db');
    const two = chart('shop');
    const api = workload(two, 'api', { app: 'api' }, [{ containerPort: 8080 }]);
    service(two, 'a', { app: 'api' }, [{ port: 80, targetPort: 8080 }]);
    service(two, 'b', { app: 'api' }, [{ port: 81, targetPort: 8080 }]);
    service(two, 'c', { app: 'api' }, [{ port: 82, targetPort: 8080 }]);
    const [e] = webTo(two, api).synthesizeModel().diagnostics;
    expect(e.message).toContain('3 Services of the app select test/api');
  });

  test('an unresolved named target port: the message says whether none or which several container ports it names', () => {
    const none = chart('shop');
    webTo(none, workload(none, 'db', { app: 'db' }, [{ name: 'metrics', containerPort: 9187 }]));
    service(none, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }]);
    expect(synthFailure(none)).toContain('"pg", which no workload it selects in this app declares');
    const several = chart('shop');
    webTo(several, workload(several, 'a', { app: 'db', v: '1' }, [{ name: 'pg', containerPort: 5432 }]));
    workload(several, 'b', { app: 'db', v: '2' }, [{ name: 'pg', containerPort: 6432, protocol: 'UDP' }]);
    service(several, 'db-svc', { app: 'db' }, [{ port: 80, targetPort: 'pg' }]);
    expect(synthFailure(several)).toContain('"pg", which resolves to several container ports (5432/TCP, 6432/UDP)');
  });
});

describe('a plain workload\'s selector is kept as written', () => {
  /** A plain Deployment with its own `selector` and pod `labels`. */
  function deployment(c: Construct, id: string, selector: Record<string, unknown>, labels: Record<string, string>): ApiObject {
    return new ApiObject(c, id, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: id },
      spec: { selector, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 5432 }] }] } } },
    } as never);
  }

  test('a selector with match expressions beside the hash label keeps both (not widened to the pod labels)', () => {
    const c = chart('shop');
    const db = deployment(c, 'db', { matchLabels: { 'app': 'db', 'cdk8s.io/metadata.addr': 'h1' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      { 'app': 'db', 'tier': 'a', 'cdk8s.io/metadata.addr': 'h1' });
    webTo(c, db, [Port.tcp(5432)]);
    // Pods of other hashes or tiers (the engine completes a pod's labels from the workload they single out).
    expect(from(c, WEB, ['pod:shop:app=db,tier=a,cdk8s.io/metadata.addr=h1 5432/TCP', 'pod:shop:app=db,tier=a,cdk8s.io/metadata.addr=h2 5432/TCP',
      'pod:shop:app=db,tier=b,cdk8s.io/metadata.addr=h1 5432/TCP'])).toEqual(['allowed', 'denied', 'denied']);
  });

  test('a selector without the hash label is not narrowed to the pod labels', () => {
    const c = chart('shop');
    const db = deployment(c, 'db', { matchLabels: { app: 'db' } }, { app: 'db', v: '1' });
    webTo(c, db, [Port.tcp(5432)]);
    expect(from(c, WEB, ['pod:shop:app=db,v=2 5432/TCP', 'pod:shop:app=other 5432/TCP'])).toEqual(['allowed', 'denied']);
  });
});
