// Cloud provider groups (toGroups; fromGroups from 1.16): the agent never imports a CNP/CCNP that has them
// (pkg/policy/k8s/cilium_network_policy.go onUpsert: `if cnp.RequiresDerivative() { return nil }`; pkg/policy/api/rule.go
// RequiresDerivative). The operator writes a derivative policy `<name>-togroups-<uid>` (pkg/policy/groups/helpers.go
// createDerivativeCNP, createAPIRules) with every rule of the parent and the groups' addresses as toCIDRSet, which the
// agent imports instead. Before, the engine imported the parent with its groups selecting nothing: DENIED to any outside
// address (which the group may hold) and the parent's other rules enforced beside the derivative.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion, Connectivity, PolicySet } from '../../src';
import { AgentRefusalCheck } from '../../src/engine/parser-conflicts';
import { cli } from '../support/cli';
import { cnp, judged, policySet } from './helpers';

const XWING = { org: 'alliance' };
const GROUPS = [{ aws: { securityGroupsIds: ['sg-0f2146100a88d03c3'] } }];
const PORT80 = [{ ports: [{ port: '80', protocol: 'TCP' }] }];

/** The parent: TCP/80 to the security group, 5432 to db, ingress from app=x. */
const PARENT = cnp('to-groups-sample', {
  endpointSelector: { matchLabels: XWING },
  egress: [
    { toGroups: GROUPS, toPorts: PORT80 },
    { toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
  ],
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }],
});

/** The derivative the operator wrote when the parent had only the first egress item (a stale copy: no db). */
const DERIVATIVE = {
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy',
  metadata: {
    name: 'to-groups-sample-togroups-044ba7d1-f491-11e8-ad2e-080027d2d952', namespace: 'default',
    labels: { 'io.cilium.network.policy.kind': 'derivative', 'io.cilium.network.policy.parent.uuid': '044ba7d1-f491-11e8-ad2e-080027d2d952' },
  },
  specs: [{
    endpointSelector: { matchLabels: { 'any:org': 'alliance', 'k8s:io.kubernetes.pod.namespace': 'default' } },
    egress: [{ toCIDRSet: [{ cidr: '34.254.113.42/32' }], toPorts: PORT80 }],
  }],
};

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-groups-derivative-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = (name: string, docs: readonly Record<string, unknown>[]): string => {
  const path = join(scratch, name);
  writeFileSync(path, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
  return path;
};

describe('a policy with toGroups / fromGroups is left to the operator\'s derivative', () => {
  test('without the derivative: the endpoints it selects are not judged (trace exit 2); the others are', () => {
    const set = policySet([PARENT]);
    const refusals = set._agentRefusals(set.endpoint('pod:default:org=alliance'));
    expect(refusals.map((r) => r.check)).toEqual([AgentRefusalCheck.GROUPS_DERIVATIVE]);
    expect(set._agentRefusals(set.endpoint('pod:default:app=db'))).toEqual([]);
    const policies = file('parent.yaml', [PARENT]);
    for (const [from, to, port] of [
      ['pod:default:org=alliance', 'cidr:34.254.113.42', '80'], // the group may hold it
      ['pod:default:org=alliance', 'cidr:1.2.3.4', '80'], // or not
      ['pod:default:org=alliance', 'pod:default:app=db', '5432'],
      ['pod:default:app=y', 'pod:default:org=alliance', '80'], // the parent's ingress is not enforced without a derivative
    ]) {
      const r = cli('trace', '--policies', policies, '--from', from, '--to', to, '--port', port);
      expect([r.code, r.stdout], `${from} → ${to} ${port}`).toEqual([2, '']);
      expect(r.stderr).toContain('Cilium refuses the policy of this endpoint: CiliumNetworkPolicy default/to-groups-sample spec.egress[0] has toGroups, '
        + 'so the agent does not import its policy (RequiresDerivative): it enforces the derivative policy to-groups-sample-togroups-<uid> the operator '
        + 'writes with the groups\' addresses from the cloud API; that derivative, not these policies, is its policy');
      expect(r.stderr).toContain('reports it as pitfall-groups-derivative');
    }
    // Endpoints it does not select: judged (db has no policy).
    expect(cli('trace', '--policies', policies, '--from', 'pod:default:app=y', '--to', 'pod:default:app=db', '--port', '5432').code).toBe(0);
    const report = Connectivity.report(PolicySet.fromYaml(JSON.stringify(PARENT)));
    expect(report.notJudged?.map((n) => n.text)).toEqual([expect.stringContaining('get the operator\'s derivative policy, which the inputs do not hold')]);
  });

  test('a DNS server whose policy has toGroups: a DNS name is not judged, and the text says the derivative decides, not the policy it had', () => {
    const dnsServer = cnp('dnsg', { endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, egress: [{ toGroups: GROUPS }] }, 'kube-system');
    const client = cnp('client', {
      endpointSelector: { matchLabels: { app: 'api' } },
      egress: [
        { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        { toFQDNs: [{ matchName: 'example.com' }] },
      ],
    }, 'shop');
    const r = cli('trace', '--policies', file('dns.yaml', [dnsServer, client]), '--from', 'pod:shop:app=api', '--to', 'fqdn:example.com@1.2.3.4', '--port', '443/TCP');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('has toGroups, so the agent does not import its policy (RequiresDerivative): it enforces the derivative policy dnsg-togroups-<uid> '
      + 'the operator writes with the groups\' addresses from the cloud API: that derivative is not among the inputs, and the DNS proxy learns');
    expect(r.stderr).not.toContain('keeps the policy it had');
    // The fix names the namespace the derivative is in.
    expect(r.stderr).toContain('kubectl get cnp -n kube-system -l io.cilium.network.policy.kind=derivative');
  });

  test('with the derivative: the parent is not imported, the derivative decides (allowed and denied)', () => {
    const set = policySet([PARENT, DERIVATIVE]);
    const xwing = 'pod:default:org=alliance';
    expect(set._agentRefusals(set.endpoint(xwing))).toEqual([]);
    expect(judged(set, xwing, 'cidr:34.254.113.42', '80/TCP').verdict).toBe('allowed');
    expect(judged(set, xwing, 'cidr:34.254.113.42', '443/TCP').verdict).toBe('denied');
    expect(judged(set, xwing, 'cidr:1.2.3.4', '80/TCP').verdict).toBe('denied');
    // The parent's own items are not enforced: not db (the stale derivative has no such item), and no ingress default deny.
    const db = judged(set, xwing, 'pod:default:app=db', '5432/TCP');
    expect(db.verdict).toBe('denied');
    expect(db.egress?.notes?.join('\n')).toContain('so the agent does not import it (RequiresDerivative): it enforces the operator\'s derivative policy '
      + 'to-groups-sample-togroups-044ba7d1-f491-11e8-ad2e-080027d2d952 instead');
    expect(judged(set, 'pod:default:app=y', xwing, '80/TCP').verdict).toBe('allowed');
  });

  test('a derivative counts only with the label, the same kind and namespace, and the parent\'s name before -togroups-', () => {
    const xwing = 'pod:default:org=alliance';
    const meta = DERIVATIVE.metadata;
    const refused = (other: Record<string, unknown>): boolean => {
      const set = policySet([PARENT, other]);
      return set._agentRefusals(set.endpoint(xwing)).length > 0;
    };
    expect(refused(DERIVATIVE)).toBe(false);
    expect(refused({ ...DERIVATIVE, metadata: { ...meta, labels: {} } })).toBe(true);
    expect(refused({ ...DERIVATIVE, metadata: { ...meta, namespace: 'other' } })).toBe(true);
    expect(refused({ ...DERIVATIVE, metadata: { ...meta, name: 'to-groups-sample-x-togroups-044ba7d1' } })).toBe(true);
    expect(refused({ ...DERIVATIVE, kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: meta.name, labels: meta.labels } })).toBe(true);
  });

  test('what requires a derivative: non-empty toGroups in egress and egressDeny; fromGroups from 1.16; an empty list does not', () => {
    const subject = { endpointSelector: { matchLabels: XWING } };
    const refused = (spec: Record<string, unknown>, ciliumVersion?: string): boolean => {
      const set = policySet([cnp('p', { ...subject, ...spec })], ciliumVersion ? { ciliumVersion: CiliumVersion.parse(ciliumVersion) } : {});
      return set._agentRefusals(set.endpoint('pod:default:org=alliance')).length > 0;
    };
    expect(refused({ egressDeny: [{ toGroups: GROUPS }] }, '1.14')).toBe(true);
    expect(refused({ ingress: [{ fromGroups: GROUPS }] }, '1.16')).toBe(true);
    expect(refused({ ingressDeny: [{ fromGroups: GROUPS }] })).toBe(true);
    expect(refused({ egress: [{ toGroups: [], toPorts: PORT80 }] })).toBe(false);
    // A policy of two rules: one with groups, and the whole policy is left to the derivative.
    const two = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'two', namespace: 'default' }, specs: [
      { ...subject, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] },
      { endpointSelector: { matchLabels: { app: 'other' } }, egress: [{ toGroups: GROUPS }] },
    ] };
    const set = policySet([two]);
    expect(set._agentRefusals(set.endpoint('pod:default:org=alliance')).map((r) => r.check)).toEqual([AgentRefusalCheck.GROUPS_DERIVATIVE]);
  });
});
