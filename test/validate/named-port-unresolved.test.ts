// pitfall-named-port-unresolved (session 59): an ingress allow port given by name is resolved by the agent on the selected
// endpoint's own container ports (pkg/policy/types NamedPortMap.GetNamedPort): an unknown name (ErrUnknownNamedPort) or a
// name of another protocol (ErrIncompatibleProtocol) skips the entry, and the rule allows nothing on it. Before, validate
// was silent while the engine (rightly) denied `port: web, protocol: UDP` to a pod whose `web` is TCP.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { ManifestInventory, Validator } from '../../src/validate';
import { policySet, verdict } from '../engine/helpers';

const deployment = (ports: Record<string, unknown>[], hostNetwork = false): Record<string, unknown> => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'srv', namespace: 'a' },
  spec: { selector: { matchLabels: { app: 'srv' } }, template: { metadata: { labels: { app: 'srv' } }, spec: { hostNetwork, containers: [{ name: 'c', image: 'x', ports }] } } },
});
const policy = (port: Record<string, unknown>, section = 'ingress'): Record<string, unknown> => ({
  apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'a' },
  spec: { endpointSelector: { matchLabels: { app: 'srv' } }, [section]: [{ [section === 'ingress' ? 'fromEntities' : 'toEntities']: ['cluster'], toPorts: [{ ports: [port] }] }] },
});
const WEB_TCP = { name: 'web', containerPort: 8080, protocol: 'TCP' };

function ids(workload: Record<string, unknown> | undefined, doc: Record<string, unknown>): string[] {
  const inventory = new ManifestInventory();
  if (workload) inventory.add(workload);
  const model = { ...doc, spec: translate(doc.spec as Record<string, unknown>) };
  return Validator.checkPitfalls([{ model: model as never, version: CiliumVersion.V1_19 }], inventory)
    .filter((f) => f.id === 'pitfall-named-port-unresolved').map((f) => f.path ?? '');
}
/** The policy model names the peer fields without from/to. */
function translate(spec: Record<string, unknown>): Record<string, unknown> {
  const items = (list: unknown): unknown => (list as Record<string, unknown>[])
    .map(({ fromEntities, toEntities, ...rest }) => ({ ...rest, entities: fromEntities ?? toEntities }));
  return { ...spec, ...(spec.ingress ? { ingress: items(spec.ingress) } : {}), ...(spec.egress ? { egress: items(spec.egress) } : {}) };
}

describe('pitfall-named-port-unresolved', () => {
  // [case, workload, port entry, section, whether it is reported]
  const table: [string, Record<string, unknown> | undefined, Record<string, unknown>, string, boolean][] = [
    ['the name with the other protocol', deployment([WEB_TCP]), { port: 'web', protocol: 'UDP' }, 'ingress', true],
    ['a name no container port declares', deployment([WEB_TCP]), { port: 'http', protocol: 'TCP' }, 'ingress', true],
    ['the name and its protocol', deployment([WEB_TCP]), { port: 'web', protocol: 'TCP' }, 'ingress', false],
    ['the name in another case', deployment([WEB_TCP]), { port: 'WEB', protocol: 'TCP' }, 'ingress', false],
    ['the name under ANY', deployment([WEB_TCP]), { port: 'web', protocol: 'ANY' }, 'ingress', false],
    ['the name without a protocol', deployment([WEB_TCP]), { port: 'web' }, 'ingress', false],
    ['a container port without protocol (TCP)', deployment([{ name: 'web', containerPort: 8080 }]), { port: 'web', protocol: 'TCP' }, 'ingress', false],
    ['a number', deployment([WEB_TCP]), { port: '8080', protocol: 'UDP' }, 'ingress', false],
    ['no workload in the input', undefined, { port: 'web', protocol: 'UDP' }, 'ingress', false],
    ['a hostNetwork workload (no endpoint)', deployment([WEB_TCP], true), { port: 'web', protocol: 'UDP' }, 'ingress', false],
    ['egress (resolved on the peers)', deployment([WEB_TCP]), { port: 'web', protocol: 'UDP' }, 'egress', false],
  ];
  test.each(table)('%s', (_name, workload, port, section, finds) => {
    expect(ids(workload, policy(port, section))).toEqual(finds ? [`spec.${section}[0].toPorts[0].ports[0].port`] : []);
  });

  test('the engine agrees: the entry allows nothing where the pitfall fires, its port where it does not', () => {
    const udp = policySet([deployment([WEB_TCP]), policy({ port: 'web', protocol: 'UDP' })]);
    expect(verdict(udp, 'pod:a:app=x', 'pod:a:app=srv', '8080/TCP').verdict).toBe('denied');
    expect(verdict(udp, 'pod:a:app=x', 'pod:a:app=srv', '8080/UDP').verdict).toBe('denied');
    const tcp = policySet([deployment([WEB_TCP]), policy({ port: 'web', protocol: 'TCP' })]);
    expect(verdict(tcp, 'pod:a:app=x', 'pod:a:app=srv', '8080/TCP').verdict).toBe('allowed');
  });
});
