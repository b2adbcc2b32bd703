// Session 59: Services sharing one address (an `externalIPs` entry, a load-balancer IP shared by LB-IPAM's sharing key or
// the node IPAM's node addresses) on different ports: the inventory kept the first Service of each address only, so a node
// end at that address on the second Service's port was judged as the node (`toEntities: [remote-node]` let it through)
// while Cilium translates it to the second Service's backend: it looks the exact address, port and protocol up
// (bpf/bpf_sock.c `__sock4_xlate_fwd` → `lb4_lookup_service`). Every Service of the address is asked now, and the
// refusal and its fix name the one of the query's port and protocol.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { EndpointInventory, PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { cnp, labels, policySet } from './helpers';

const WEB = 'pod:shop:app=web';
const NODE = 'node:kubernetes.io/hostname=n2@10.0.0.2';
// web may reach every node on every port; api's pods admit only app=other.
const web = cnp('web', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['remote-node', 'host'] }] }, 'shop');
const api = cnp('api', { endpointSelector: labels({ app: 'api' }), ingress: [
  { fromEndpoints: [labels({ app: 'other' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
] }, 'shop');
const lb = (name: string, ports: Record<string, unknown>[]): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', annotations: { 'lbipam.cilium.io/sharing-key': 'k' } },
  spec: { type: 'LoadBalancer', loadBalancerClass: 'io.cilium/node', allocateLoadBalancerNodePorts: false, selector: { app: 'api' }, ports },
  status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } },
});
const external = (name: string, port: number): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' },
  spec: { selector: { app: 'api' }, externalIPs: ['10.0.0.3'], ports: [{ port, targetPort: 8080 }] },
});

/** The id of the error the matchers refuse the connection with, or the verdict. */
function judge(set: PolicySet, to: string, port: string): string {
  try {
    return verdictFor(set, WEB, to, port).allowed ? 'allowed' : 'denied';
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e.id;
    throw e;
  }
}

/** The message and fix the matchers refuse the connection with. */
function refusal(set: PolicySet, to: string, port: string): string {
  try {
    verdictFor(set, WEB, to, port);
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e.message;
    throw e;
  }
  return 'judged';
}

describe('Services sharing an address: each is one on its own ports and protocols', () => {
  const set = policySet([web, api,
    lb('http', [{ port: 80, targetPort: 8080 }]), lb('https', [{ port: 443, targetPort: 8080 }]),
    lb('dns-udp', [{ port: 53, targetPort: 8053, protocol: 'UDP' }]), lb('dns-tcp', [{ port: 53, targetPort: 8053, protocol: 'TCP' }]),
    external('a', 80), external('b', 443)]);

  test('a node end at the shared address: refused on a port of any of them, judged as the node on the others', () => {
    const table: [string, string, string][] = [
      [NODE, '80/TCP', 'engine-service-address'],
      [NODE, '443/TCP', 'engine-service-address'], // the second Service's port (was: allowed by toEntities remote-node)
      [NODE, '53/UDP', 'engine-service-address'],
      [NODE, '53/TCP', 'engine-service-address'], // the TCP Service of a UDP/TCP pair (was: allowed)
      [NODE, '8443/TCP', 'allowed'], // no Service's port: the node's own
      [NODE, '80/UDP', 'allowed'],
      [NODE, '443/UDP', 'allowed'],
      ['node:kubernetes.io/hostname=n3@10.0.0.3', '80/TCP', 'engine-service-address'], // plain externalIPs
      ['node:kubernetes.io/hostname=n3@10.0.0.3', '443/TCP', 'engine-service-address'], // the second one (was: allowed)
      ['node:kubernetes.io/hostname=n3@10.0.0.3', '8080/TCP', 'allowed'],
      ['entity:kube-apiserver@10.0.0.2', '443/TCP', 'engine-service-address'], // was: denied (judged)
      ['entity:kube-apiserver@10.0.0.2', '444/TCP', 'denied'],
    ];
    for (const [to, port, expected] of table) expect(judge(set, to, port), `${to} ${port}`).toBe(expected);
  });

  test('the refusal and its fix name the Service of the query\'s port and protocol, for node and cidr: ends alike', () => {
    expect(refusal(set, NODE, '443/TCP')).toMatch(/10\.0\.0\.2 is an address of Service shop\/https in the inputs on 443\/TCP, a port of it;/);
    expect(refusal(set, NODE, '53/TCP')).toMatch(/Service shop\/dns-tcp in the inputs on 53\/TCP/);
    expect(refusal(set, NODE, '53/UDP')).toMatch(/Service shop\/dns-udp in the inputs on 53\/UDP/);
    const fix = (to: string, port: string): string => {
      try {
        set.decide({ from: set.endpoint(WEB), to: set.endpoint(to), port: Number(port.split('/')[0]), protocol: port.split('/')[1] });
      } catch (e) {
        if (e instanceof CiliumPolicyError) return e.fix ?? '';
      }
      return 'judged';
    };
    // cidr: ends at the address are refused on any port (as before); the fix names the Service of the port when one has it.
    expect(fix('cidr:10.0.0.2', '53/TCP')).toMatch(/svc:shop\/dns-tcp:53/); // was: svc:shop/dns-udp:53
    expect(fix('cidr:10.0.0.2', '443/TCP')).toMatch(/svc:shop\/https:443/); // was: svc:shop/http:80
    expect(fix('cidr:10.0.0.3', '443/TCP')).toMatch(/svc:shop\/b:443/);
    expect(fix('cidr:10.0.0.2', '9999/TCP')).toMatch(/svc:shop\/http:80/); // no Service's port: the first Service added
    expect(fix(NODE, '443/TCP')).toMatch(/svc:shop\/https:443/);
  });

  test('EndpointInventory.servicesAtAddress lists every Service of an address in the order added', () => {
    const inventory = new EndpointInventory();
    for (const [name, port] of [['a', 80], ['b', 443]] as const) {
      inventory.addService({ name, namespace: 'shop', labels: {}, selector: { app: 'api' }, virtualAddresses: ['10.0.0.2'],
        ports: [{ port, targetPort: 8080, protocol: 'TCP' }] });
    }
    expect(inventory.servicesAtAddress('::ffff:10.0.0.2').map((s) => s.name)).toEqual(['a', 'b']);
    expect(inventory.serviceAtAddress('10.0.0.2')?.name).toBe('a');
    expect([inventory.servicesAtAddress('10.0.0.9'), inventory.servicesAtAddress('nope')]).toEqual([[], []]);
  });
});
