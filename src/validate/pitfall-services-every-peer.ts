// An egress allow item with toPorts or icmps whose toServices add no peer selector in the input, some naming Services the
// input does not hold: if those do not exist in the cluster, the item's ports are open to every peer.
import { PitfallRun, RuleView } from './pitfall-run';
import { servicesReferenced } from './pitfall-services';
import { CiliumVersion } from '../core/cilium-version';
import { RuleItemModel } from '../model/policy-model';
import { serviceAddsSelector, ServiceEntryReading, unresolvedServices } from '../model/services-unresolved';
import { plainSelectorProblem, serviceEntryUses } from './syntax';
import { AGENT_SINCE } from './tables';
import { arr, isObject } from './walk';

/** How one `toServices` entry reads against the input (`ServiceEntryReading`), as the engine reads it (`compile.ts` `serviceBackends`). */
function entryReading(run: PitfallRun, r: RuleView, ref: unknown): ServiceEntryReading {
  const uses = isObject(ref) ? serviceEntryUses(ref) : undefined;
  if (!isObject(ref) || uses === undefined) return 'none';
  const field = ref[uses];
  // A k8sServiceSelector that does not build matches no Service up to 1.18; on 1.19 the patch release decides (pitfall-service-selector-invalid).
  if (uses === 'k8sServiceSelector' && isObject(field) && plainSelectorProblem(field.selector) !== undefined) {
    return r.version.atLeast(CiliumVersion.V1_19) ? 'undecided' : 'none';
  }
  const found = servicesReferenced(run, ref);
  if (found.length === 0) return 'not-in-inputs';
  return found.some(({ svc }) => serviceAddsSelector(svc.selector !== undefined, run.inventory.endpointAddresses(svc.namespace, svc.name), r.version))
    ? 'selector' : 'none';
}

/** `Service shop/db`, `the Services matching {tier=data} in shop` (of any namespace when the entry names none). */
function entryText(ref: Record<string, unknown>): string {
  const uses = serviceEntryUses(ref);
  const field = uses === undefined ? undefined : ref[uses];
  const of = isObject(field) ? field : {};
  const ns = typeof of.namespace === 'string' && of.namespace !== '' ? of.namespace : undefined;
  if (uses === 'k8sService') return `Service ${ns ?? '<any namespace>'}/${String(of.serviceName)}`;
  return `the Services matching ${JSON.stringify(of.selector ?? {})}${ns ? ` in ${ns}` : ' (of any namespace)'}`;
}

/**
 * `toServices` with toPorts (from 1.17; before, the agent refuses them: `sanitize-services-with-ports`) or icmps in an egress
 * allow item: pkg/policy/k8s/service.go `processRule` (before 1.17 pkg/k8s/rule_translate.go `RuleTranslator`) adds a peer
 * selector for a Service that exists only, so while no entry resolves (a typo, a wrong namespace, a Service not created yet or
 * deleted) the item has no L3 selector and pkg/policy/l4.go `createL4Filter` opens its ports to every peer, the world
 * included. Reported when no entry adds a selector in the input and some name Services it does not hold (`unresolvedServices`,
 * `not-known`: the engine does not judge the endpoints the rule selects). Entries of the input that add none (a selector-less
 * Service without endpoint addresses) are the engine's verdict: every peer.
 */
export function servicesMissingEveryPeer(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const ports = arr(item.toPorts).length > 0 && r.version.atLeast(AGENT_SINCE.servicesWithPorts);
  const icmps = arr(item.icmps).length > 0;
  const entries = arr<unknown>(item.services);
  const readings = entries.map((ref) => entryReading(run, r, ref));
  if (unresolvedServices(readings, ports || icmps) !== 'not-known') return;
  const missing = entries.filter((ref, j): ref is Record<string, unknown> => readings[j] === 'not-in-inputs' && isObject(ref)).map(entryText);
  const one = missing.length === 1;
  const what = ports ? 'ports' : 'ICMP types';
  run.report('pitfall-services-missing-every-peer', r, `${itemPath}.toServices`,
    `toServices with ${ports ? 'toPorts' : 'icmps'}: ${missing.join(', ')} ${one ? 'is' : 'are'} not in the input, and no other toServices entry of this item adds a peer: Cilium adds a selector for a `
    + `Service that exists only, so if ${one ? 'it does' : 'they do'} not exist in the cluster (a typo, another namespace, not created yet, deleted) this `
    + `item has no peer selector and its ${what} are open to every peer, the world included (the engine does not judge the endpoints this rule selects)`,
    'select the backends with toEndpoints (their labels and namespace) or toCIDRSet (their addresses), which never open to every peer; or give the '
    + 'Service manifest (with the Endpoints of a selector-less one) to validate and trace');
}
