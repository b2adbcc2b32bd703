/**
 * The note on a pod's side of a connection with a `node:` endpoint at the other end: to the pod's policy, a node is
 * another node than the pod's own (`reserved:remote-node`, identity 6) unless the pod endpoint's `nodeName` is that node's
 * `kubernetes.io/hostname` (`peerView`), which makes it the pod's local host (`reserved:host`, identity 1, with the node's
 * labels; pkg/identity `ReservedIdentityHost`, `ReservedIdentityRemoteNode`). A text endpoint (`trace --from node:… --to
 * pod:…`) cannot say where the pod runs, so the note says which node was judged and how to judge the other.
 */
import { EndpointKind } from './endpoint';
import { PeerView, ResolvedEndpoint } from './identity';
import { SideDecision, SideVerdict, Verdict } from './verdict';

/** What the note says after the node's text: how `withoutRemoteNodeNote` knows it. */
const JUDGED_AS_REMOTE = ' is judged as another node than the one ';

/**
 * The side verdict with the note, when `subject` is a pod, `other` a node judged as a remote node, and the peer's identity
 * was looked at (a rule or the default deny of the pod's policy decided; not a side no policy selects).
 */
export function withRemoteNodeNote(side: SideVerdict, subject: ResolvedEndpoint, other: ResolvedEndpoint, peer: PeerView): SideVerdict {
  if (subject.endpoint.kind !== EndpointKind.POD || other.endpoint.kind !== EndpointKind.NODE || peer.localHost) return side;
  if (side.decision === SideDecision.NOT_EVALUATED || side.decision === SideDecision.NO_POLICY_DEFAULT_ALLOW) return side;
  const pod = subject.endpoint;
  const nodeName = other.endpoint.name ?? other.endpoint.labels?.['kubernetes.io/hostname'];
  const libraryForm = `Endpoints.pod('${pod.namespace ?? 'default'}', ${JSON.stringify(pod.labels ?? {})}, { nodeName: '${nodeName ?? '<node name>'}' })`;
  const name = nodeName !== undefined ? '' : ` (and give the node endpoint its kubernetes.io/hostname label, which names the node)`;
  return {
    ...side,
    notes: [...side.notes, `${other.text}${JUDGED_AS_REMOTE}${subject.text} runs on (reserved:remote-node). The pod's own `
      + `node, where kubelet probes come from, is its local host (reserved:host with the node's labels), which a trace cannot name: in code, give `
      + `the pod endpoint the node's kubernetes.io/hostname as nodeName, ${libraryForm}${name}. entity:host is the local host without the node's `
      + 'labels: as a subject, under host policies that select nodes by their labels (nodeSelector), trace and the test matchers refuse it and replay leaves it not judged, '
      + 'and its verdict here is that of a node without labels'],
  };
}

/**
 * The verdict without the note on either side: for a node whose record says it is a remote node (a Hubble capture's
 * `reserved:remote-node` identity), where the advice on naming the pod's own node does not apply.
 */
export function withoutRemoteNodeNote(v: Verdict): Verdict {
  const strip = (side: SideVerdict): SideVerdict => {
    const notes = side.notes.filter((n) => !n.includes(JUDGED_AS_REMOTE));
    return notes.length === side.notes.length ? side : { ...side, notes };
  };
  const egress = strip(v.egress);
  const ingress = strip(v.ingress);
  return egress === v.egress && ingress === v.ingress ? v : { ...v, egress, ingress };
}
