// Second-round review mends (session 52): a DNS name (`fqdn:`) reached through `toFQDNs` is selected only once the client's
// DNS proxy has learned it from the lookup at the DNS server, so a lookup that is itself not judged leaves the verdict on the
// name unknown: the DNS proxy refuses it on Cilium 1.16.0-1.16.9/1.17.0-1.17.4 only (`engine-dns-patch-split`), or the DNS
// server is a node given without its labels where a host rule reads them (`engine-node-labels-unknown`). `trace` exits 2,
// the matchers refuse, replay leaves the connection not judged. Before: ALLOWED (exit 0), judged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { collectConnections, FlowSource, replayCapture } from '../../src/hubble';
import { cli } from '../support/cli';
import { thrown } from '../support/errors';
import { cnp, labels, matcherQuery, policySet } from './helpers';

const WEB = 'pod:shop:app=web';
const KUBE_DNS = labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' });
const dir = mkdtempSync(join(tmpdir(), 'learnfix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, docs: readonly Record<string, unknown>[]): string => {
  const f = join(dir, name);
  writeFileSync(f, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
  return f;
};

// web: default allow on egress, DNS rules listing a.example.com only, and toFQDNs *.example.com requiring authentication.
const web = cnp('web', {
  endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
  egress: [
    { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] },
    { toFQDNs: [{ matchPattern: '*.example.com' }], authentication: { mode: 'required' } },
  ],
}, 'shop');
const dnsOnlyWorld = cnp('dns', { endpointSelector: labels({ 'k8s-app': 'kube-dns' }), ingress: [{ fromEntities: ['world'] }] }, 'kube-system');

describe('the learning lookup of a DNS name is refused on the earlier 1.16/1.17 patches only (engine-dns-patch-split)', () => {
  test('trace exits 2 for the unlisted name, worded as the lookup\'s; the listed name and 1.18 are judged', () => {
    const f = file('p.yaml', [web]);
    const args = (to: string, version: string): string[] => ['trace', '--policies', f, '--cilium-version', version, '--from', WEB, '--to', to, '--port', '443/TCP'];
    for (const version of ['1.16', '1.17']) {
      const r = cli(...args('fqdn:b.example.com@1.2.3.4', version));
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('engine-dns-patch-split');
      expect(r.stderr).toContain('learns the name only from the lookup of b.example.com at the DNS server');
      expect(cli(...args('fqdn:a.example.com@1.2.3.4', version)).code).not.toBe(2);
    }
    expect(cli(...args('fqdn:b.example.com@1.2.3.4', '1.18')).code).not.toBe(2);
  });

  test('the matchers refuse it; the lookup query is the one learning judges', () => {
    const set = policySet([web], { ciliumVersion: CiliumVersion.V1_17, mutualAuth: true });
    for (const call of [
      (): unknown => expect(set).toAllow(WEB, 'fqdn:b.example.com@1.2.3.4', '443/TCP'),
      (): unknown => expect(set).toDeny(WEB, 'fqdn:b.example.com@1.2.3.4', '443/TCP'),
    ]) {
      const e = thrown(call);
      expect(e.id).toBe('engine-dns-patch-split');
      expect(e.message).toContain('whether the name is learned, and so whether toFQDNs selects it, is not known');
    }
    const lookup = set._learningLookup(set.endpoint(WEB), set.endpoint('fqdn:b.example.com@1.2.3.4'));
    expect(lookup).toMatchObject({ protocol: 'UDP', port: 53, dns: 'b.example.com' });
  });

  test('replay leaves the flow to the learned name not judged', async () => {
    const flow = { flow: {
      time: '2026-12-04T10:00:02Z', verdict: 'FORWARDED', IP: { source: '10.0.0.2', destination: '1.2.3.4', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40001, destination_port: 443 } },
      source: { ID: 1, identity: 3001, namespace: 'shop', pod_name: 'web-1', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'] },
      destination: { identity: 2, labels: ['reserved:world'] },
      Type: 'L3_L4', event_type: { type: 4 }, traffic_direction: 'EGRESS', is_reply: false, destination_names: ['b.example.com'],
    } };
    const r = replayCapture(await collectConnections(FlowSource.text(JSON.stringify(flow))),
      policySet([web], { ciliumVersion: CiliumVersion.V1_17, mutualAuth: true }));
    expect(r.connections).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toContain('the lookup of b.example.com at the DNS server');
    expect(r.errors[0].message).toContain('the target version 1.17 names no patch');
  });

  test('not refused when the DNS server\'s ingress drops the lookup on every patch (nothing to split)', () => {
    const set = policySet([web, dnsOnlyWorld], { ciliumVersion: CiliumVersion.V1_17, mutualAuth: true });
    expect(set._dnsPatchSplit(matcherQuery(set, WEB, 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'b.example.com' }))).toBeUndefined();
    expect(set).toAllow(WEB, 'fqdn:b.example.com@1.2.3.4', '443/TCP');
    const r = cli('trace', '--policies', file('p2.yaml', [web, dnsOnlyWorld]), '--cilium-version', '1.17', '--from', WEB,
      '--to', 'pod:kube-system:k8s-app=kube-dns', '--port', '53/UDP', '--dns', 'b.example.com');
    expect(r.stderr).not.toContain('engine-dns-patch-split');
    expect(r.code).toBe(1);
  });
});

describe('the learning lookup at a node given without its labels (engine-node-labels-unknown)', () => {
  const docs = [
    cnp('web', {
      endpointSelector: labels({ app: 'web' }),
      egress: [
        { toEntities: ['host'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
        { toFQDNs: [{ matchName: 'x.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      ],
    }, 'shop'),
    { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'locked' },
      spec: { nodeSelector: { matchLabels: { dns: 'deny' } }, ingress: [{ fromEntities: ['world'] }] } },
  ];

  test('trace exits 2 and the matchers refuse: on dns=deny nodes the lookup is dropped and nothing is learned', () => {
    const r = cli('trace', '--policies', file('p3.yaml', docs), '--host-firewall', '--dns-server', 'entity:host', '--from', WEB,
      '--to', 'fqdn:x.example.com@1.2.3.4', '--port', '443/TCP');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('engine-node-labels-unknown');
    expect(r.stderr).toContain('learns the name only from the lookup of x.example.com at the DNS server entity:host');
    const set = policySet(docs, { hostFirewall: true, dnsServer: 'entity:host' });
    expect(thrown(() => expect(set).toAllow(WEB, 'fqdn:x.example.com@1.2.3.4', '443/TCP')).id).toBe('engine-node-labels-unknown');
    // Without the node-selecting host rule the lookup is judged, and so is the name.
    expect(policySet(docs.slice(0, 1), { hostFirewall: true, dnsServer: 'entity:host' })).toAllow(WEB, 'fqdn:x.example.com@1.2.3.4', '443/TCP');
  });
});
