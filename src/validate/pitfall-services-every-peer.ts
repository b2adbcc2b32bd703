// An egress allow item with toPorts or icmps whose toServices add no peer selector: its ports are open to every peer when
// the input shows it (pitfall-services-every-peer), and may be when some entry names Services the input does not hold or
// selector-less ones without their Endpoints or EndpointSlices (pitfall-services-missing-every-peer).
import { PitfallRun, RuleView } from './pitfall-run';
import { RuleItemModel } from '../model/policy-model';
import { readServiceEntry, ServiceEntryReading, unresolvedServices } from '../model/services-unresolved';
import { serviceEntryUses } from './syntax';
import { AGENT_SINCE } from './tables';
import { arr, isObject } from './walk';

/**
 * How one `toServices` entry reads against the input (`readServiceEntry`, as the engine reads it: `compile.ts`
 * `serviceBackends`), and the selector-less Services of the input it matches without any Endpoints or EndpointSlice there.
 */
function entryReading(run: PitfallRun, r: RuleView, ref: unknown): { reading: ServiceEntryReading; endpointsMissing: string[] } {
  const { reading, endpointsMissing } = readServiceEntry(ref, serviceFacts(run), r.version);
  return { reading, endpointsMissing: endpointsMissing.map((svc) => `Service ${svc.namespace}/${svc.name}`) };
}

/**
 * What the agent makes of an egress allow item whose toServices add no peer selector in the input (`unresolvedServices`
 * over each entry's `readServiceEntry`): `every-peer`, `not-known`, or `undefined`. The one reading of
 * `pitfall-services-every-peer`, `pitfall-services-missing-every-peer` and, to stay silent beside the latter,
 * `pitfall-services-with-ports`.
 */
export function itemUnresolved(
  run: PitfallRun, r: RuleView, item: RuleItemModel, read = arr<unknown>(item.services).map((ref) => entryReading(run, r, ref)),
): 'every-peer' | 'not-known' | undefined {
  const ports = arr(item.toPorts).length > 0 && r.version.atLeast(AGENT_SINCE.servicesWithPorts);
  return unresolvedServices(read.map((e) => e.reading), ports || arr(item.icmps).length > 0);
}

/** Every Service of the input with its endpoint addresses (`endpointAddresses`), worked out once per run. */
function serviceFacts(run: PitfallRun): NonNullable<PitfallRun['cachedServiceFacts']> {
  run.cachedServiceFacts ??= run.inventory.services.map((svc) => ({
    ...svc, hasSelector: (svc.selector ?? svc._externalNameSelector) !== undefined,
    addresses: run.inventory.endpointAddresses(svc.namespace, svc.name),
  }));
  return run.cachedServiceFacts;
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
 * allow item: the agent adds a peer selector for a Service that exists only, and for a selector-less one its endpoint
 * addresses only (from 1.17 pkg/policy/k8s/service.go `processRule`; before, pkg/k8s/rule_translate.go `RuleTranslator`,
 * selector-less Services only), so while no entry adds one the item has no L3 selector and pkg/policy/l4.go
 * `createL4Filter` opens its ports to every peer, the world included (`unresolvedServices`):
 * - `every-peer`, the input shows it (its Services add nothing: a selector-less one whose Endpoints hold no address, one
 *   with a selector before 1.17; an entry naming no Service): `pitfall-services-every-peer`, an error, the engine's verdict;
 * - `not-known`, some entry names Services the input does not hold, or selector-less ones without their Endpoints or
 *   EndpointSlices: `pitfall-services-missing-every-peer` (the engine does not judge the endpoints the rule selects).
 */
export function servicesMissingEveryPeer(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const ports = arr(item.toPorts).length > 0 && r.version.atLeast(AGENT_SINCE.servicesWithPorts);
  const entries = arr<unknown>(item.services);
  const read = entries.map((ref) => entryReading(run, r, ref));
  const unresolved = itemUnresolved(run, r, item, read);
  if (unresolved === undefined) return;
  const what = ports ? 'ports' : 'ICMP types';
  const written = `toServices with ${ports ? 'toPorts' : 'icmps'}`;
  if (unresolved === 'every-peer') {
    run.report('pitfall-services-every-peer', r, `${itemPath}.toServices`,
      `${written}: no toServices entry of this item adds a peer in the input (a selector-less Service whose Endpoints or EndpointSlices hold no `
      + `ready address${r.version.atLeast(AGENT_SINCE.servicesWithPorts) ? '' : ', a Service with a selector, which Cilium before 1.17 does not translate'}, `
      + `an entry naming no Service): this item has no peer selector and its ${what} are open to every peer, the world included`,
      'select the backends with toEndpoints (their labels and namespace) or toCIDRSet (their addresses), which never open to every peer');
    return;
  }
  const missing = entries.filter((ref, j): ref is Record<string, unknown> => read[j].reading === 'not-in-inputs' && isObject(ref)).map(entryText);
  const endpoints = [...new Set(read.flatMap((e) => e.endpointsMissing))];
  const lacks = [
    ...(missing.length > 0 ? [`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the input`] : []),
    ...(endpoints.length > 0 ? [`${endpoints.join(', ')} ${endpoints.length === 1 ? 'has' : 'have'} no selector and no Endpoints or EndpointSlice in the input`] : []),
  ].join(', and ');
  const unless = [
    ...(missing.length > 0 ? [`${missing.length === 1 ? 'it does' : 'they do'} not exist in the cluster (a typo, another namespace, not created yet, deleted)`] : []),
    ...(endpoints.length > 0 ? [`${endpoints.length === 1 ? 'it has' : 'they have'} no endpoint address in the cluster`] : []),
  ].join(' or ');
  run.report('pitfall-services-missing-every-peer', r, `${itemPath}.toServices`,
    `${written}: ${lacks}, and no other toServices entry of this item adds a peer: Cilium adds a selector for a Service that exists only`
    + `${endpoints.length > 0 ? ', and for a selector-less one its endpoint addresses only' : ''}, so if ${unless} this item has no peer selector and its ${what} are open to every peer, the world `
    + 'included (the engine does not judge the endpoints this rule selects)'
    // The one finding of the item: `pitfall-services-with-ports` (the ports must be the target ports) stays silent then.
    + (ports && missing.length > 0 ? '; if they exist, Cilium matches the ports against their backends\' (target) ports, not the Service ports, '
      + 'which cannot be checked without them either' : ''),
    'select the backends with toEndpoints (their labels and namespace) or toCIDRSet (their addresses), which never open to every peer; or give the '
    + `${missing.length > 0 ? 'Service manifest (with the Endpoints of a selector-less one)' : 'Endpoints or EndpointSlices of the Service'} to validate and trace`);
}
