// A named port of an ingress allow that none of the pods the rule selects declares for its protocol: the agent resolves
// an ingress named port on the selected endpoint's own container ports, and finds none.
import { PortProtocolModel, PortRuleModel, SectionName } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { readPort } from './syntax';
import { arr, isObject } from './walk';

/** Protocols a port entry's `protocol` takes in (none or `ANY`: TCP, UDP and SCTP). */
function entryProtocols(protocol: unknown): readonly string[] {
  return typeof protocol !== 'string' || protocol === '' || protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [protocol];
}

/**
 * An ingress allow port given by name (`port: http`) that none of the workloads of the input the rule selects declares
 * with that name and a protocol the entry takes in. The agent resolves an ingress named port on the endpoint's own named
 * ports (pkg/policy/types `NamedPortMap.GetNamedPort`: `ErrUnknownNamedPort`, or `ErrIncompatibleProtocol` for a name
 * declared for another protocol, `port: web, protocol: UDP` on a TCP `containerPort`), skips the entry, and the rule
 * allows nothing on it for these pods. Host policies (no container ports), egress (resolved on the peers, cluster-wide) and
 * rules whose pods the input does not show are not judged.
 */
export function namedPortsUnresolved(run: PitfallRun, r: RuleView): void {
  const pods = (r.pods ?? []).filter((w) => !w.hostNetwork);
  if (r.host || pods.length === 0) return;
  for (const { item, index } of items(r.rule, SectionName.INGRESS)) {
    arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
      arr<PortProtocolModel>(isObject(pr) ? pr.ports : undefined).forEach((p, j) => {
        if (!isObject(p) || typeof p.port !== 'string') return;
        const reading = readPort(p.port);
        if (reading.kind !== 'named') return;
        const protocols = entryProtocols(p.protocol);
        const named = pods.flatMap((w) => w.ports.filter((cp) => cp.name?.toLowerCase() === reading.name));
        if (named.some((cp) => protocols.includes(cp.protocol))) return;
        const workloads = pods.slice(0, 3).map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(', ') + (pods.length > 3 ? ` and ${pods.length - 3} more` : '');
        const protocolsDeclared = [...new Set(named.map((cp) => cp.protocol))].join(', ');
        const what = named.length > 0
          ? `is declared by the pods this rule selects in the input (${workloads}) for ${protocolsDeclared} only, and the agent's GetNamedPort refuses `
            + 'another protocol (ErrIncompatibleProtocol)'
          : `names no container port of the pods this rule selects in the input (${workloads})`;
        run.report('pitfall-named-port-unresolved', r, `${r.path}.ingress[${index}].toPorts[${k}].ports[${j}].port`,
          `port ${JSON.stringify(p.port)}${typeof p.protocol === 'string' ? ` (${p.protocol})` : ''} ${what}: the agent resolves an ingress named port `
          + 'on the pod\'s own container ports, finds none, and skips the entry, so this rule allows nothing on it for these pods',
          named.length > 0 ? `write the protocol the container port declares (protocol: ${named[0].protocol}), or the port number`
            : 'write a name a container port of these pods declares (containers[].ports[].name), or the port number');
      });
    });
  }
}
