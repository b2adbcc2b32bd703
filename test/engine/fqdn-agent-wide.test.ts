// Cilium's name manager is one per agent (pkg/fqdn/namemanager `UpdateGenerateDNS`: a looked-up name's IPs are labelled
// with every registered toFQDNs selector that matches it, whichever endpoint's DNS proxy saw the lookup), so a pod whose
// own lookups never reach the proxy still reaches a name while a pod on the same node that looks it up through its proxy
// has the answer cached. The engine does not know where pods run: it judges each pod by its own lookups (denied), and
// the verdict says what it cannot know; `validate` says the same of its pitfalls.
import { describe, expect, test } from 'vitest';
import { SideDecision } from '../../src/engine';
import { validateInputs } from '../../src/validate';
import { cnp, judged, labels, policySet } from './helpers';

const DNS_SERVER = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const toName = { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
const dns = (names: string[]): Record<string, unknown> => ({
  toEndpoints: [DNS_SERVER],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: names.map((n) => ({ matchPattern: n })) } }],
});

describe('toFQDNs a pod does not learn itself', () => {
  test('the verdict is denied, and says that a neighbour on the same node can teach the agent-wide selector', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [toName, { toEntities: ['cluster'] }] })]);
    const v = judged(set, 'pod:default:app=web', 'fqdn:api.example.com@203.0.113.7', '443/TCP');
    expect(v.egress.decision).toBe(SideDecision.DEFAULT_DENY);
    expect(v.egress.notes.join('\n')).toMatch(/never learns its IPs, so toFQDNs selects nothing: .*Cilium's name manager is agent-wide: while a pod on the same node/s);
  });

  test('validate: pitfall-fqdn-without-dns and pitfall-fqdn-not-in-dns-rules say the same', () => {
    const without = cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [toName] });
    const narrow = cnp('q', { endpointSelector: labels({ app: 'api' }), egress: [toName, dns(['*.internal'])] });
    const text = [without, narrow].map((d) => JSON.stringify(d)).join('\n---\n');
    const messages = validateInputs([{ name: 'p.yaml', text }], { ciliumVersion: '1.19' }).diagnostics
      .filter((d) => d.id === 'pitfall-fqdn-without-dns' || d.id === 'pitfall-fqdn-not-in-dns-rules').map((d) => `${d.id}: ${d.message}`);
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(m).toMatch(/other pods' on the same node|another pod on the same node/);
    for (const m of messages) expect(m).toMatch(/Cilium's name manager is agent-wide/);
  });
});
