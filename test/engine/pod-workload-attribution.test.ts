// Which workload a queried pod is one of, where the pod labels of one workload are a strict subset of another's (a
// `Deployment api` with pods {app: api} beside a `Deployment api-v2` with pods {app: api, v: "2"}). A pod of api-v2
// carries api's labels too, yet it is no pod of api: its own container ports are api-v2's, and so is its service account.
// Cilium resolves an ingress named port on the receiving pod's own ports (pkg/endpoint `GetNamedPort(ingress=true)` →
// `getNamedPortIngress(e.k8sPorts, …)`), and labels the pod with its own service account (pkg/k8s `GetPodMetadata`:
// `io.cilium.k8s.policy.serviceaccount` from `pod.Spec.ServiceAccountName`). The engine gave the pod the named ports and
// service account of both workloads (the first one's service account).
import { describe, expect, test } from 'vitest';
import { cnp, judged, labels, policySet, verdict } from './helpers';

function deployment(name: string, podLabels: Record<string, string>, port: number, serviceAccount: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: podLabels },
        spec: { serviceAccountName: serviceAccount, containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: port }] }] },
      },
    },
  };
}

// api's pods declare http as 8080 and run as `api`; api-v2's pods declare it as 9090 and run as `api-v2`.
const API = deployment('api', { app: 'api' }, 8080, 'api');
const API_V2 = deployment('api-v2', { app: 'api', v: '2' }, 9090, 'api-v2');
const V2_POD = 'pod:default:app=api,v=2';
const V1_POD = 'pod:default:app=api';

describe('a pod whose labels hold the pod labels of two workloads is one of the workload with the most', () => {
  const namedAllow = cnp('named', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
  });
  const namedDeny = cnp('named-deny', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })] }],
    ingressDeny: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
  });

  // Columns: the destination's port; 1 = allowed, 0 = denied. The deciding rule is asserted beside it.
  test.each([
    // api-v2's pod: http is 9090 there, never 8080 (api's number).
    [V2_POD, '9090/TCP', 'allowed', 'spec.ingress[0]'],
    [V2_POD, '8080/TCP', 'denied', undefined],
    // api's pod (its labels do not hold api-v2's): http is 8080.
    [V1_POD, '8080/TCP', 'allowed', 'spec.ingress[0]'],
    [V1_POD, '9090/TCP', 'denied', undefined],
  ])('ingress allow on the named port: %s %s is %s', (to, port, expected, path) => {
    const v = verdict(policySet([API, API_V2, namedAllow]), 'pod:default:app=web', to, port);
    expect(v.verdict).toBe(expected);
    expect(v.ingress.rule?.path).toBe(path);
    if (expected === 'denied') expect(v.ingress.reason).toMatch(/^default deny: /);
  });

  test.each([
    // A deny on http: on api-v2's pod it holds 9090, and 8080 stays allowed by the L3 allow.
    [V2_POD, '9090/TCP', 'denied', 'spec.ingressDeny[0]'],
    [V2_POD, '8080/TCP', 'allowed', 'spec.ingress[0]'],
    [V1_POD, '8080/TCP', 'denied', 'spec.ingressDeny[0]'],
    [V1_POD, '9090/TCP', 'allowed', 'spec.ingress[0]'],
  ])('ingress deny on the named port: %s %s is %s', (to, port, expected, path) => {
    const v = verdict(policySet([API, API_V2, namedDeny]), 'pod:default:app=web', to, port);
    expect(v.verdict).toBe(expected);
    expect(v.ingress.rule?.path).toBe(path);
  });

  test('the service account of the pod is its own workload\'s (an identity label)', () => {
    const bySa = (sa: string): Record<string, unknown> => cnp('sa', {
      endpointSelector: labels({ app: 'db' }),
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': sa } }] }],
    });
    const db = deployment('db', { app: 'db' }, 5432, 'db');
    // Listed api first: the engine took api's service account for api-v2's pods.
    expect(verdict(policySet([API, API_V2, db, bySa('api-v2')]), V2_POD, 'pod:default:app=db', '5432/TCP').verdict).toBe('allowed');
    expect(verdict(policySet([API, API_V2, db, bySa('api')]), V2_POD, 'pod:default:app=db', '5432/TCP').verdict).toBe('denied');
    expect(verdict(policySet([API, API_V2, db, bySa('api')]), V1_POD, 'pod:default:app=db', '5432/TCP').verdict).toBe('allowed');
  });
});

describe('a pod whose labels hold the pod labels of two workloads, neither inside the other', () => {
  test('both are kept: the pod resolves the named ports of each (seed-4545 mutant: the smaller set was left out as if inside the larger)', () => {
    const team = deployment('team', { team: 'x' }, 7070, 'team');
    const metrics = cnp('metrics', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
    });
    // {team: x} is not inside {app: api, v: "2"}: http is 9090 (api-v2) and 7070 (team) on such a pod, so both are allowed.
    const set = policySet([API_V2, team, metrics]);
    const pod = 'pod:default:app=api,v=2,team=x';
    expect(verdict(set, 'pod:default:app=web', pod, '7070/TCP').verdict).toBe('allowed');
    expect(verdict(set, 'pod:default:app=web', pod, '9090/TCP').verdict).toBe('allowed');
    expect(verdict(set, 'pod:default:app=web', pod, '8080/TCP').verdict).toBe('denied');
  });
});

describe('pods of two workloads with the same labels that declare one port name with two numbers', () => {
  // api-blue and api-green have the same pod labels: one identity, but each pod resolves http on its own ports.
  const BLUE = deployment('api-blue', { app: 'api' }, 8080, 'api');
  const GREEN = deployment('api-green', { app: 'api' }, 9090, 'api');
  const named = cnp('named', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
  });

  test.each([
    ['8080/TCP', 'pods that declare http as 8080'],
    ['9090/TCP', 'pods that declare http as 9090'],
  ])('%s: allowed for some of the pods only, and the verdict says which', (port, which) => {
    const v = judged(policySet([BLUE, GREEN, named]), 'pod:default:app=web', V1_POD, port);
    expect(v.ingress.rule?.path).toBe('spec.ingress[0]');
    const note = v.ingress.notes.find((n) => n.includes('named port http is 8080/TCP and 9090/TCP on the pods pod:default:app=api stands for'));
    expect(note).toBeDefined();
    expect(note).toContain(`only on the ${which}`);
  });

  test('no note where no pod declares the port under that name, nor for one workload', () => {
    expect(judged(policySet([BLUE, GREEN, named]), 'pod:default:app=web', V1_POD, '7070/TCP').ingress.notes.join('\n')).not.toMatch(/named port http/);
    expect(judged(policySet([BLUE, named]), 'pod:default:app=web', V1_POD, '8080/TCP').ingress.notes.join('\n')).not.toMatch(/named port http/);
  });
});
