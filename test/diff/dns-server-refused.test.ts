// toFQDNs learns names at a DNS server whose policy the agent refuses (two authentication modes for one peer on one port,
// pitfall-auth-mode-conflict): the server keeps the policy it had, which the inputs do not hold. The client's DNS proxy
// forwards each lookup as the client (cilium/cilium pkg/fqdn/dnsproxy/proxy.go `DNSProxy.ServeDNS`: `setSoMarks` with
// the endpoint's identity, and in transparent mode its address) and learns a name's IPs only from the server's answer
// (`NotifyOnDNSMsg` on the response), so the server's ingress decides what toFQDNs selects — which is then not known.
// diff, report, trace and replay do not judge the DNS names (fqdn:), as for the connections of a refused endpoint.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';
import { FlowSource, replayFlows } from '../../src/hubble';
import { cli } from '../support/cli';
import { HUBBLE_FIXTURES_DIR } from '../hubble/support/paths';

/** web may look up every name at kube-dns and reach api.example.com on `port`. */
const web = (port: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
  - toFQDNs: [{ matchName: api.example.com }]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`;

/** kube-dns admits lookups from the cluster; `refused`: with two authentication modes for that peer and port. */
const dns = (refused: boolean): string => {
  const item = (mode: string): string => `  - fromEntities: [cluster]
    toPorts: [{ ports: [{ port: "53", protocol: UDP }] }]
${mode === '' ? '' : `    authentication: { mode: ${mode} }\n`}`;
  return `---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: dns, namespace: kube-system }
spec:
  endpointSelector: { matchLabels: { k8s-app: kube-dns } }
  ingress:
${refused ? `${item('disabled')}${item('required')}` : item('')}`;
};

const set = (port: string, refused: boolean): PolicySet => PolicySet.fromYaml(web(port) + dns(refused));
const FQDN = 'fqdn:api.example.com';
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-dns-refused-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the agent refuses the DNS server\'s policy: the DNS names toFQDNs learns there are not judged', () => {
  test('diff: the change on fqdn:api.example.com is NOT COMPARED (may allow, may deny), not shown', () => {
    // Control: the server's policy computed, the change is shown.
    expect(Connectivity.diff(set('443', false), set('8443', false)).changes.map((c) => [c.from, c.to, c.ports, c.after]))
      .toEqual([['prod/app=web', FQDN, ['8443/TCP'], 'allowed'], ['prod/app=web', FQDN, ['443/TCP'], 'denied']]);
    const doc = Connectivity.diff(set('443', true), set('8443', true));
    expect(doc.changes.filter((c) => c.to === FQDN)).toEqual([]);
    const learning = doc.notCompared?.find((n) => n.text.startsWith('the DNS name'));
    expect(learning).toEqual({
      text: `the DNS name ${FQDN} on base and head: Cilium refuses the policy of the DNS server pod:kube-system:k8s-app=kube-dns: `
        + 'CiliumNetworkPolicy kube-system/dns spec.ingress[0] has authentication mode disabled and CiliumNetworkPolicy kube-system/dns '
        + 'spec.ingress[1] mode required on ingress 53/UDP for the same peer cluster-pods, and it cannot merge conflicting authentication types; '
        + 'CiliumNetworkPolicy kube-system/dns spec.ingress[0] has authentication mode disabled and CiliumNetworkPolicy kube-system/dns '
        + 'spec.ingress[1] mode required on ingress 53/UDP for the same peer reserved:health, and it cannot merge conflicting authentication types; '
        + 'CiliumNetworkPolicy kube-system/dns spec.ingress[0] has authentication mode disabled and CiliumNetworkPolicy kube-system/dns '
        + 'spec.ingress[1] mode required on ingress 53/UDP for the same peer reserved:host, and it cannot merge conflicting authentication types; '
        + 'and 5 more: it keeps the policy it had (its regeneration fails before it changes), and the DNS proxy learns the IPs of a name (toFQDNs) '
        + 'only from the answers to lookups it forwards to that server as the client, so whether toFQDNs selects a name is not known, so the '
        + 'connections of clients with toFQDNs rules to it are not compared; run `cdk8s-cilium validate` on the head policies and fix '
        + 'pitfall-auth-mode-conflict',
      mayAllow: true,
      mayDeny: true,
    });
  });

  test('report: web → fqdn:api.example.com is not listed as allowed, and it says why', () => {
    const fromWeb = (doc: { connections: { from: string; to: string; ports: string[] }[] }): string[][] => doc.connections
      .filter((c) => c.from === 'prod/app=web' && c.to === FQDN).map((c) => c.ports);
    expect(fromWeb(Connectivity.report(set('443', false)))).toEqual([['443/TCP']]);
    const doc = Connectivity.report(set('443', true));
    expect(fromWeb(doc)).toEqual([]);
    // A class without egress policy reaches the name whatever the server answers: still listed.
    expect(doc.connections.filter((c) => c.to === FQDN).length).toBeGreaterThan(0);
    expect(doc.notJudged?.map((n) => n.text).filter((t) => t.startsWith('the DNS name'))).toEqual([
      expect.stringMatching(/^the DNS name fqdn:api\.example\.com: Cilium refuses the policy of the DNS server pod:kube-system:k8s-app=kube-dns: .*, so the connections of clients with toFQDNs rules to it are not judged and not listed; run `cdk8s-cilium validate` on the policies and fix pitfall-auth-mode-conflict$/),
    ]);
  });

  test('trace --to fqdn: is refused (exit 2, engine-policy-refused); other ends are judged', () => {
    const file = join(scratch, 'p.yaml');
    writeFileSync(file, web('443') + dns(true));
    const r = cli('trace', '--policies', file, '--from', 'pod:prod:app=web', '--to', `${FQDN}@198.51.100.7`, '--port', '443');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^error: --to fqdn:api\.example\.com@198\.51\.100\.7: Cilium refuses the policy of the DNS server pod:kube-system:k8s-app=kube-dns: /);
    expect(r.stderr).toContain('so no verdict on this name is what Cilium enforces (engine-policy-refused); fix: give both items the same mode; '
      + '`cdk8s-cilium validate` reports it as pitfall-auth-mode-conflict\n');
    expect(cli('trace', '--policies', file, '--from', 'pod:prod:app=web', '--to', 'cidr:198.51.100.7', '--port', '443').code).toBe(1);
    // A client without toFQDNs rules reaches the name whatever the server answers: judged.
    expect(cli('trace', '--policies', file, '--from', 'pod:prod:app=db', '--to', `${FQDN}@198.51.100.7`, '--port', '443').code).toBe(0);
  });

  test('replay: the connection to api.stripe.com (a DNS name) is not judged; the others are', async () => {
    const capture = (): FlowSource => FlowSource._bytes(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl')), 'shop-capture.jsonl');
    const shop = readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-policies.yaml'), 'utf8');
    const control = await replayFlows(capture(), PolicySet.fromYaml(shop + dns(false)));
    expect(control.connections.some((c) => c.destination.startsWith('fqdn:api.stripe.com'))).toBe(true);
    const report = await replayFlows(capture(), PolicySet.fromYaml(shop + dns(true)));
    expect(report.connections.filter((c) => c.destination.startsWith('fqdn:'))).toEqual([]);
    expect(report.errors.filter((e) => e.connection.includes('198.51.100.7')).map((e) => e.message)).toEqual([
      expect.stringMatching(/^the destination fqdn:api\.stripe\.com@198\.51\.100\.7: Cilium refuses the policy of the DNS server pod:kube-system:k8s-app=kube-dns: .*; so no verdict on this name is what Cilium enforces; this connection is not judged \(engine-policy-refused\); fix: give both items the same mode; `cdk8s-cilium validate` reports it as pitfall-auth-mode-conflict$/),
    ]);
  });
});
