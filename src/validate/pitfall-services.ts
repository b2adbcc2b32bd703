// Pitfalls of Services: a Service port where Cilium matches the container (target) port, and the Services a selector
// or a toServices reference reaches.
import { Selector } from '../model/labels';
import { namedTargetPorts } from '../model/manifests';
import { LabelSelectorModel, PortProtocolModel, PortRuleModel, sectionDirection, SECTIONS } from '../model/policy-model';
import { InventoryPodTemplate, InventoryServiceInfo } from './inventory';
import { items, PitfallRun, protocolsMeet, RuleView, where } from './pitfall-run';
import { namespacesOf, peerSelector, selectsLabels, selectsWorkload } from './pod-selectors';
import { readPort } from './syntax';
import { arr, isObject } from './walk';
import { pushAll } from '../model/push-all';
import { podObjectLabels } from '../model/pod-object-labels';
import { servicesOfEntry } from '../model/services-unresolved';

/** A Service target port as a number when it can be resolved (a named target port on the backing workloads). */
function resolveTarget(target: number | string, pods: readonly InventoryPodTemplate[] | undefined): number | string {
  if (typeof target === 'number') return target;
  const numbers = [...new Set(namedTargetPorts(target, pods ?? []).map((p) => p.port))];
  return numbers.length === 1 ? numbers[0] : target;
}

/** A Service port where Cilium matches the port the pod receives (the target port). */
export function servicePorts(run: PitfallRun, r: RuleView): void {
  if (r.host || run.inventory.services.length === 0) return;
  for (const section of SECTIONS) {
    const direction = sectionDirection(section);
    for (const { item, index } of items(r.rule, section)) {
      if (arr(item.toPorts).length === 0) continue;
      const backends: { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] = [];
      if (direction === 'ingress') {
        if (r.subject) pushAll(backends, servicesSelectedBy(run, r.subject));
      } else {
        for (const model of arr<LabelSelectorModel>(item.endpoints)) {
          if (isObject(model)) pushAll(backends, servicesSelectedBy(run, peerSelector(r, model)));
        }
        for (const ref of arr<unknown>(item.services)) pushAll(backends, servicesReferenced(run, r, ref));
      }
      if (backends.length === 0) continue;
      arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
        arr<PortProtocolModel>(isObject(pr) ? pr.ports : undefined).forEach((p, j) => {
          if (!isObject(p) || typeof p.port !== 'string') return;
          const protocol = typeof p.protocol === 'string' ? p.protocol : undefined;
          const reading = readPort(p.port);
          if (reading.kind !== 'number' || reading.base !== 10 || reading.value === 0) return;
          const finding = servicePortFinding(reading.value, protocol, backends);
          if (!finding) return;
          run.report('pitfall-service-port', r, `${r.path}.${section}[${index}].toPorts[${k}].ports[${j}].port`, finding.message, finding.fix);
        });
      });
    }
  }
}

export function servicePortFinding(
  port: number, protocol: string | undefined, backends: readonly { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[],
): { message: string; fix: string } | undefined {
  for (const { svc, pods } of backends) {
    const targets = svc.ports.map((sp) => ({ sp, target: resolveTarget(sp.targetPort, pods) }));
    if (targets.some(({ target }) => target === port)) continue;
    if (pods?.some((w) => w.ports.some((cp) => cp.port === port))) continue;
    const hit = targets.find(({ sp }) => sp.port === port && protocolsMeet(sp.protocol, protocol));
    if (!hit) continue;
    const target = typeof hit.target === 'number' ? `target port ${hit.target}` : `the container port named ${JSON.stringify(hit.target)}`;
    return {
      message: `port ${port} is the port of Service ${svc.namespace}/${svc.name}${where(svc.source)}, which sends to ${target}: Cilium enforces after the ` +
        `Service is translated, so traffic through the Service arrives on the target port and this rule never matches it`,
      fix: typeof hit.target === 'number'
        ? `write the target (container) port: port: "${hit.target}"`
        : `write the container port the Service targets: port: "${hit.target}" (a named port) or its number`,
    };
  }
  return undefined;
}

/**
 * The Services a selector is about: it selects their pods (on their backing workloads when the input has them) and
 * names at least one of the labels the Service selects on. A namespace-wide selector is about no Service in particular.
 */
export function servicesSelectedBy(run: PitfallRun, sel: Selector): { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] {
  const scope = namespacesOf(sel);
  const out: { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] = [];
  for (const svc of run.servicesIn(scope)) {
    const svcSelector = svc.selector;
    if (!svcSelector) continue;
    if (!aboutService(sel, svcSelector)) continue;
    const pods = run.backing(svc);
    const selected = pods.length > 0
      ? pods.some((w) => selectsWorkload(sel, w, run.inventory.namespace(w.namespace)) === true)
      : selectsLabels(sel, svc.namespace, svc.selector);
    if (selected) out.push({ svc, ...(pods.length > 0 ? { pods } : {}) });
  }
  return out;
}

/**
 * Whether `sel` names a label the Service selects on (a `k8s` key of its selector), and requires no other value of such a
 * label (`key In (values)` without the Service's value): the Service's pods carry its selector's labels (its backing
 * workloads' too: `serviceBackends`), so such a selector selects none of them, and they are not matched one by one (a
 * namespace of n Services and n rules named each Service's pods n times). Only for the pod's own labels
 * (`podObjectLabels`): on a key Cilium owns (`io.kubernetes.pod.namespace`, `io.cilium.k8s.*`) the pods' identity carries
 * Cilium's value, not the one the Service selects on (pkg/k8s/utils `SanitizePodLabels`), so the pods decide.
 */
function aboutService(sel: Selector, svcSelector: Readonly<Record<string, string>>): boolean {
  const own = podObjectLabels(svcSelector);
  let names = false;
  for (const q of sel.requirements) {
    if (q.source !== 'k8s' || !Object.prototype.hasOwnProperty.call(svcSelector, q.key)) continue;
    if (q.operator === 'In' && Object.prototype.hasOwnProperty.call(own, q.key) && !q.values.includes(own[q.key])) return false;
    names = true;
  }
  return names;
}

/**
 * The Services a `toServices` entry names that the input has, as the engine reads the entry on the target version
 * (`servicesOfEntry`, `serviceEntryTarget`: an entry without a namespace matches Services of every namespace, in a
 * CiliumNetworkPolicy too; one that matches nothing or is undecided names none here).
 */
export function servicesReferenced(
  run: PitfallRun, r: RuleView, ref: unknown,
): { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] {
  return servicesOfEntry(ref, run.inventory.services, r.version).map((svc) => {
    const pods = run.backing(svc);
    return { svc, ...(pods.length > 0 ? { pods } : {}) };
  });
}
