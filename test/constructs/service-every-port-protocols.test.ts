// Which ports to a Service are "every port said outright" (src/validate/services-every-port.ts `isEveryPortOnly`): only
// `Port.allPorts()` (port "0", protocol ANY, no end), written as no toPorts, every port of every protocol of the backends. A
// port of every protocol (`Port.any(5432)`) or every port of one protocol (`Port.allTcp()`) is narrower: written as its toPorts
// entry, it opens that port or that protocol only (pkg/policy/rule.go `mergeEgress`: an item without toPorts is the wildcard
// port, every port and protocol). Written for the surviving (timed-out) mutants of session 53 (docs/testing.md "Session 53").
import { ApiObject } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, EndpointSelector, Peer, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, synth } from '../support/synth';

const WEB = 'pod:shop:app=web';
const DB = 'pod:shop:app=db';

/** The egress of `web` to the Service `db` (port 80 to the pods' 5432) with `ports`: the items written, and the verdicts on `probes` to a db pod. */
function toDb(ports: Port[], probes: string[]): { egress: unknown; verdicts: string[] } {
  const c = chart('shop');
  new ApiObject(c, 'db-svc', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { selector: { app: 'db' }, ports: [{ port: 80, targetPort: 5432 }] },
  });
  new CiliumPolicy(c, 'web', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).allowEgress(Peer.service('db'), { ports });
  const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
  return { egress: cnp.spec.egress, verdicts: probes.map((p) => verdictOf(c, WEB, DB, p)) };
}

const SERVICE = { toServices: [{ k8sService: { namespace: 'shop', serviceName: 'db' } }] };

describe('ports to a Service: only Port.allPorts() alone is written as no toPorts', () => {
  test('Port.any(5432): port 5432 of every protocol, not every port', () => {
    expect(toDb([Port.any(5432)], ['5432/TCP', '5432/UDP', '22/TCP', '2379/TCP'])).toEqual({
      egress: [{ ...SERVICE, toPorts: [{ ports: [{ port: '5432', protocol: 'ANY' }] }] }],
      verdicts: ['allowed', 'allowed', 'denied', 'denied'],
    });
  });

  test('Port.allTcp(): every TCP port, no UDP', () => {
    expect(toDb([Port.allTcp()], ['5432/TCP', '22/TCP', '53/UDP', '5432/UDP'])).toEqual({
      egress: [{ ...SERVICE, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }] }],
      verdicts: ['allowed', 'allowed', 'denied', 'denied'],
    });
  });

  test('Port.allPorts(): every port of every protocol, written as no toPorts', () => {
    expect(toDb([Port.allPorts()], ['5432/TCP', '22/TCP', '53/UDP'])).toEqual({ egress: [SERVICE], verdicts: ['allowed', 'allowed', 'allowed'] });
  });
});
