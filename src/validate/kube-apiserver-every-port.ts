// The one rule of an egress allow of the kube-apiserver identity without ports: every port of the API server's addresses.
import { API_SERVER_PORTS } from '../model/companion-rules';
import { splitLabelKey } from '../model/labels';
import { LabelSelectorModel, RuleItemModel } from '../model/policy-model';
import { arr, isObject } from './walk';

/** The label Cilium's `kube-apiserver` entity selects (pkg/policy/api/entity.go: the entity is exactly this selector). */
const KUBE_APISERVER_LABEL = 'reserved:kube-apiserver';

/**
 * Whether a selector requires the `reserved:kube-apiserver` label (matchLabels, `In` with its empty value, `Exists`). Keys are
 * read as Cilium reads them (pkg/labels `GetExtendedKeyFrom` → `ParseSource`, here `splitLabelKey`): `reserved:kube-apiserver`,
 * `$kube-apiserver` and `reserved.kube-apiserver` are one key, of source `reserved`.
 */
export function selectorRequiresKubeApiServer(s: unknown): boolean {
  if (!isObject(s)) return false;
  const sel = s as LabelSelectorModel;
  return (isObject(sel.matchLabels) && Object.entries(sel.matchLabels).some(([k, v]) => isKubeApiServerKey(k) && v === ''))
    || arr<unknown>(sel.matchExpressions).some((e) => isObject(e) && typeof e.key === 'string' && isKubeApiServerKey(e.key)
      && (e.operator === 'Exists' || (e.operator === 'In' && arr<unknown>(e.values).includes(''))));
}

function isKubeApiServerKey(k: string): boolean {
  const { source, key } = splitLabelKey(k);
  return source === 'reserved' && key === 'kube-apiserver';
}

/** How an egress item selects the API server's addresses: by the entity, or by a selector requiring its label. */
export interface KubeApiServerEveryPort {
  /** Whether the item names the `kube-apiserver` entity (else a `toEndpoints`/`toNodes` selector requires `reserved:kube-apiserver`). */
  readonly entity: boolean;
  /** Why the allow holds on every port of the API server's addresses (one sentence, for the construct and validate alike). */
  readonly reason: string;
  /** The API server's ports as a pod reaches them after service translation (`API_SERVER_PORTS`). */
  readonly ports: readonly number[];
}

/**
 * Whether an egress allow item with `portCount` ports (or ICMP types) holds on every port of the API server's addresses, not
 * the API server. The peer is the `kube-apiserver` entity, or a selector of `toEndpoints`/`toNodes` requiring
 * `reserved:kube-apiserver`: pkg/policy/api/entity.go maps the entity to exactly that selector, and `getEndpointSelector` adds
 * no namespace to a `reserved:` one. Cilium gives that identity to addresses, not to the API server process: the backends of
 * `default/kubernetes` get the label in the ipcache (`registerAPIServerBackendWatcher`, `UpsertMetadata(ip, …,
 * labels.LabelKubeAPIServer)`), and on a self-managed cluster those are the control-plane nodes' addresses (pkg/identity
 * `ReservedIdentityKubeAPIServer`: "the identity given to remote node(s) which have backend(s) serving the kube-apiserver").
 * An egress rule without toPorts allows every port of the identities it selects (pkg/policy/rule.go `mergeEgress`: an item
 * without toPorts is an L3 allow, the wildcard port), so the peer is every port of those nodes: etcd, the kubelet, SSH.
 * Egress allows only (the caller's part): on ingress the ports are the subject's own, and a deny without ports denies more.
 * The one judgement of the constructs (`peer-kube-apiserver-every-port`) and validate (`pitfall-kube-apiserver-every-port`).
 * @param item the rule item (a construct's peer item, or an item read from YAML)
 * @param portCount the item's ports and ICMP fields; an item with any is not every port
 */
export function kubeApiServerEveryPort(item: RuleItemModel, portCount: number): KubeApiServerEveryPort | undefined {
  if (portCount > 0) return undefined;
  const entity = arr<unknown>(item.entities).includes('kube-apiserver');
  if (!entity && ![...arr<unknown>(item.endpoints), ...arr<unknown>(item.nodes)].some(selectorRequiresKubeApiServer)) return undefined;
  return {
    entity,
    reason: `Cilium gives the kube-apiserver identity${entity ? '' : ` (${KUBE_APISERVER_LABEL}, which the peer selects)`} to the backends of `
      + 'default/kubernetes, which on a self-managed cluster are the control-plane nodes, and an egress rule without ports holds on every port '
      + 'of them (etcd 2379/TCP, the kubelet 10250/TCP, SSH 22/TCP)',
    ports: API_SERVER_PORTS,
  };
}
