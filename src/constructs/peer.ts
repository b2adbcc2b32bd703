import { Entity } from './entity';
import { CiliumPolicyError, showValue } from '../core/errors';
import { callerLocation } from './caller-location';
import { CIDR_ENTRIES, checkEntriesUnique } from './list-duplicates';
import { cidrContains, parseCidr } from '../model/cidr';
import { labelKeyName, labelKeySource, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX, selectorConstrainsNamespace, selectorRequiresNothing } from '../model/selectors';
import { IConstruct } from 'constructs';
import { LabelSelectorModel, PeerField } from '../model/policy-model';
import { checkFlags, checkNamespaceName, checkNonEmptyLabels, checkPropsObject, checkStringList, readPropsOnce } from './names';
import {
  checkOwnSelectorShape, markEveryPodOfNamespace, PeerConfig, refuseCidrHostBits, refuseEmptyExcept, refuseExceptCoversCidr, refuseMalformedCidr,
  workloadOf,
} from './peer-config';
import { checkExpressionList, IEndpointSelector, LabelExpression, _selectorModel } from './selector';
import { describeSelector } from './selector-description';
import { checkWorkloadUse, requireApiObjectHolder, workloadNamespace, workloadPeerConfig } from './workload';
import { clonePlain } from '../model/clone-plain';
import { describeValue } from '../model/plain-value';
import { hasValueMark } from './value-mark';
import { POD_LABEL_SOURCES } from '../model/labels';
import { checkFqdnNotAddress, checkFqdnRegistrable, checkFqdnSyntax, checkFqdnWildcard } from './fqdn-wildcard';
import { KUBE_DNS_LABELS, KUBE_DNS_NAMESPACE } from '../model/companion-rules';

/** The options of `EndpointsPeerOptions` (`checkPropKeys`). */
export const ENDPOINTS_PEER_OPTION_KEYS: readonly string[] = ['namespace', 'allNamespaces', 'namespaceLabels', 'labels', 'expressions'];

/** The options of `CidrPeerOptions` (`checkPropKeys`). */
export const CIDR_PEER_OPTION_KEYS: readonly string[] = ['except'];

/** The options of `ServiceSelectorPeerOptions` (`checkPropKeys`). */
export const SERVICE_SELECTOR_PEER_OPTION_KEYS: readonly string[] = ['labels', 'expressions', 'namespace'];

/** Anything that can be the other side of a rule: a `Peer` (workloads through `Peer.workload()`), or a value of your own. */
export interface IPeer {
  /** The peer's rule-item fields. */
  toPeerConfig(): PeerConfig;
}

/** Options of `Peer.endpoints()`. */
export interface EndpointsPeerOptions {
  /**
   * Namespace of the pods.
   * @default - the namespace of the policy (made explicit in the output); a `ClusterwidePolicy` requires either
   * `namespace` or `allNamespaces: true`
   */
  readonly namespace?: string;
  /**
   * Select pods in every namespace (`io.kubernetes.pod.namespace Exists`).
   * @default false
   */
  readonly allNamespaces?: boolean;
  /**
   * Select pods whose namespace carries these labels (`io.cilium.k8s.namespace.labels.<key>`).
   * @default - no namespace-label constraint
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Pod labels that must all match.
   * @default - any pod
   */
  readonly labels?: Record<string, string>;
  /**
   * Label expressions that must all match. An empty list is refused (`selector-empty`): it would be dropped. Two
   * requirements no label set satisfies together (with `labels` too) are refused (`selector-contradictory`): the peer would
   * select nothing.
   * @default - none
   */
  readonly expressions?: LabelExpression[];
}

/** Options of `Peer.cidr()`. */
export interface CidrPeerOptions {
  /**
   * Sub-ranges of the CIDR to leave out; each must lie inside it. An empty list is refused (`peer-except-empty`): it
   * leaves nothing out, so a list computed empty by mistake would allow the whole range; leave `except` out for that.
   * Sub-ranges that together hold the whole CIDR (the CIDR itself among them) are refused too (`peer-except-covers-cidr`):
   * the peer would select no address, and a deny of it deny nothing.
   * @default - none
   */
  readonly except?: string[];
}

/** Options of `Peer.serviceSelector()`. */
export interface ServiceSelectorPeerOptions {
  /**
   * Service labels that must all match.
   * @default - any service
   */
  readonly labels?: Record<string, string>;
  /**
   * Label expressions that must all match. An empty list is refused (`selector-empty`): it would be dropped. Two
   * requirements no label set satisfies together (with `labels` too) are refused (`selector-contradictory`): the peer would
   * select nothing.
   * @default - none
   */
  readonly expressions?: LabelExpression[];
  /**
   * Namespace of the services.
   * @default - the namespace of the policy (written explicitly); a `ClusterwidePolicy` requires one, because without it
   * Cilium matches Services of every namespace
   */
  readonly namespace?: string;
}

/**
 * The other side of a rule: endpoints (pods), entities, CIDRs, CIDR groups, FQDNs, services or nodes.
 *
 * Peers are values, not constructs. Each one renders to exactly one of Cilium's L3 peer fields, so a rule that
 * names several kinds of peers is split into one rule item per kind automatically.
 */
export class Peer implements IPeer {
  /**
   * Pods selected by labels, in one namespace, in every namespace, or in namespaces with given labels.
   * The namespace is always written explicitly, so the rule means the same in a CNP and in a CCNP. A reserved label
   * required (`reserved:world`, `$host`) is refused (`peer-endpoints-reserved-label`): no pod carries one, so the peer
   * would select nothing (a deny of it would deny nothing); entities are `Peer.entity()`. So is a label of a source no pod
   * label has (`K8S:app`, `node:role`, `example.com:team`; `peer-endpoints-label-source`): Cilium reads what is before the
   * first `:` as the source.
   */
  public static endpoints(options: EndpointsPeerOptions = {}): Peer {
    checkPropsObject(options, 'Peer.endpoints()', "Peer.endpoints({ namespace: 'shop', labels: { app: 'web' } })");
    // `namespce: 'data'` was dropped: the peer selected the policy's namespace instead.
    // Read once: a `labels` getter answering { app: 'db' } to the checks and {} after was written as every pod of the namespace.
    options = readPropsOnce(options, { keys: ENDPOINTS_PEER_OPTION_KEYS, owner: 'Peer.endpoints()', noun: 'option' });
    checkFlags(options, ['allNamespaces'], 'Peer.endpoints()');
    const set = [options.namespace !== undefined, options.allNamespaces === true, options.namespaceLabels !== undefined].filter(Boolean).length;
    if (set > 1) {
      throw new CiliumPolicyError({
        id: 'peer-namespace-ambiguous',
        message: 'Peer.endpoints() takes only one of namespace, allNamespaces and namespaceLabels',
        fix: 'create one peer per namespace choice',
        location: callerLocation(),
      });
    }
    if (options.namespace !== undefined) checkNamespaceName(options.namespace, 'Peer.endpoints() namespace');
    checkNonEmptyLabels(options.labels, 'Peer.endpoints() labels',
      'leave labels out and name the namespace (Peer.namespace(\'<ns>\')) if every pod of a namespace is meant, or give the pod labels');
    checkNonEmptyLabels(options.namespaceLabels, 'Peer.endpoints() namespaceLabels',
      'give the namespace labels, or use Peer.allNamespaces() if every namespace is meant');
    checkExpressionList(options.expressions, 'Peer.endpoints()');
    if (options.namespace === undefined && !options.allNamespaces && options.namespaceLabels === undefined
      && options.labels === undefined && options.expressions === undefined) {
      throw new CiliumPolicyError({
        id: 'selector-empty',
        message: 'Peer.endpoints() without labels, expressions or a namespace selects every pod of the policy\'s namespace, which is easy to write by mistake',
        fix: 'say it explicitly: Peer.namespace(\'<ns>\') for every pod of a namespace, Peer.allNamespaces() for every pod of the cluster',
        location: callerLocation(),
      });
    }
    const labels: Record<string, string> = { ...(options.labels ?? {}) };
    const expressions = [...(options.expressions ?? [])];
    if (options.namespace !== undefined) setUnlessConflicting(labels, NAMESPACE_LABEL, options.namespace, 'Peer.endpoints() namespace');
    for (const [k, v] of Object.entries(options.namespaceLabels ?? {})) {
      setUnlessConflicting(labels, `k8s:${NAMESPACE_LABELS_PREFIX}${k}`, v, `Peer.endpoints() namespaceLabels.${k}`);
    }
    if (options.allNamespaces) expressions.push(LabelExpression.exists(NAMESPACE_LABEL));
    // The given list was checked above; the one built here may be empty (no expressions, no allNamespaces).
    const selector = _selectorModel({ labels, ...(expressions.length > 0 ? { expressions } : {}) }, 'Peer.endpoints()');
    refuseLabelsNoPodHas(selector, 'Peer.endpoints()');
    const implicit = !selectorConstrainsNamespace(selector);
    return new Peer({
      field: PeerField.ENDPOINTS,
      item: { endpoints: [selector] },
      namespaceImplicit: implicit,
      description: `endpoints ${describeSelector(selector)}${implicit ? ' (policy namespace)' : ''}`,
    });
  }

  /**
   * The pods an endpoint selector selects, in `namespace` (or, without one, in the policy's namespace; for
   * `EndpointSelector.workload()`, in the workload's namespace when it has one). A selector with a namespace-labels key
   * (`k8s:io.cilium.k8s.namespace.labels.team`) and no namespace selects the pods of every namespace with those labels,
   * not the policy's only, on every Cilium version (before 1.16 the rule writes `k8s:io.kubernetes.pod.namespace Exists`).
   * Lets a policy's subject be reused as another policy's peer. A selector that requires a reserved label is refused, as
   * in `Peer.endpoints()` (`peer-endpoints-reserved-label`), and so is a selector of one's own that answers `{}`
   * (`selector-empty`, as `EndpointSelector.labels({})` is): `EndpointSelector.all()` says "every pod" outright. So is one
   * whose answer is no label selector (`selector-unknown`): `matchLabels` not a map of label values, `matchExpressions` not a
   * list of `{ key, operator, values }` (one expression not in a list was dropped, and the peer was every pod of the namespace).
   */
  public static selectedBy(selector: IEndpointSelector, namespace?: string): Peer {
    if (typeof (selector as Partial<IEndpointSelector> | null)?.toEndpointSelector !== 'function') {
      throw new CiliumPolicyError({
        id: 'selector-unknown',
        message: `Peer.selectedBy(${selector === null || typeof selector !== 'object' ? String(selector) : 'an object'}): not an endpoint selector`,
        fix: "pass an EndpointSelector (EndpointSelector.labels({ app: 'web' }), EndpointSelector.workload(deployment)) or another policy's selector",
        location: callerLocation(),
      });
    }
    if (namespace !== undefined) checkNamespaceName(namespace, 'Peer.selectedBy() namespace');
    // A workload's pods are in its namespace: another one would let in the pods there that carry its labels.
    const workload = workloadOf(selector, 'Peer.selectedBy()', callerLocation());
    const own = workload !== undefined ? workloadNamespace(workload) : undefined;
    if (own !== undefined && namespace !== undefined && own !== namespace) {
      throw new CiliumPolicyError({
        id: 'workload-namespace-mismatch',
        message: `Peer.selectedBy(): the workload ${workload?.node.path} is in namespace ${own}, not ${namespace}: the peer would be the pods of `
          + `${namespace} that carry its labels, not the workload's`,
        fix: `leave the namespace out (the workload's is used), or use Peer.workload(${workload?.node.id})`,
        location: callerLocation(),
      });
    }
    namespace = namespace ?? own;
    const model = selector.toEndpointSelector();
    // Taken apart below: a matchExpressions that is no list was dropped (the peer was every pod of the namespace), and a
    // matchLabels that is no map spread into the keys "0", "1", ….
    checkOwnSelectorShape(model, "Peer.selectedBy(): the endpoint selector of one's own",
      "answer { matchLabels: { app: 'web' }, matchExpressions: [{ key, operator, values }] } from toEndpointSelector(), or pass an EndpointSelector "
        + "(EndpointSelector.of({ labels, expressions: [LabelExpression.in('tier', ['api'])] }))", callerLocation());
    // `EndpointSelector.all()` says "every pod" outright; a selector of one's own that answers `{}` is a label map left empty.
    if (!hasValueMark(selector, 'EndpointSelector') && selectorRequiresNothing(model)) {
      throw new CiliumPolicyError({
        id: 'selector-empty',
        message: `Peer.selectedBy(): the endpoint selector of one's own answered ${showValue(model, 200)}, which requires no label: the peer would be `
          + `every pod of ${namespace ?? 'the policy\'s namespace'}, as an empty label map given to EndpointSelector.labels() would (it is refused)`,
        fix: `give the labels meant; if every pod of a namespace is meant, say so: Peer.namespace('${namespace ?? '<ns>'}')`,
        location: callerLocation(),
      });
    }
    const labels: Record<string, string> = { ...(model.matchLabels ?? {}) };
    if (namespace !== undefined) setUnlessConflicting(labels, NAMESPACE_LABEL, namespace, 'Peer.selectedBy() namespace');
    const endpoint: LabelSelectorModel = {
      ...(Object.keys(labels).length ? { matchLabels: labels } : {}),
      ...(model.matchExpressions?.length ? { matchExpressions: clonePlain(model.matchExpressions) as LabelSelectorModel['matchExpressions'] } : {}),
    };
    refuseLabelsNoPodHas(endpoint, 'Peer.selectedBy()');
    const peer = new Peer({
      field: PeerField.ENDPOINTS,
      item: { endpoints: [endpoint] },
      namespaceImplicit: !selectorConstrainsNamespace(endpoint),
      description: `endpoints ${describeSelector(endpoint)}`,
    }, undefined, workload);
    // `EndpointSelector.all()` without a namespace: every pod of the policy's namespace, said outright (`selector-empty` exempts it).
    if (selectorRequiresNothing(endpoint)) EVERY_POD_PEERS.add(peer);
    return peer;
  }

  /** Every pod of one namespace. */
  public static namespace(name: string): Peer {
    return Peer.endpoints({ namespace: name });
  }

  /** Every pod of every namespace (not the host, other nodes or the world). */
  public static allNamespaces(): Peer {
    return Peer.endpoints({ allNamespaces: true });
  }

  /** A Cilium entity such as `Entity.HOST`, `Entity.WORLD` or `Entity.KUBE_APISERVER`. */
  public static entity(entity: Entity): Peer {
    return new Peer({ field: PeerField.ENTITIES, item: { entities: [entity] }, description: `entity ${entity}` });
  }

  /**
   * An IP range outside the cluster (`10.0.0.0/8`, `2001:db8::/32`), optionally with holes. CIDR rules never
   * match pods or nodes, only peers without a cluster identity. A CIDR with host bits set (`10.1.2.3/8`, which Cilium
   * reads as all of `10.0.0.0/8`) is refused (`peer-cidr-host-bits`): write the network, or the one address as a /32. So is,
   * at the call, a CIDR no Cilium version accepts (`10.0.0.0/33`, `300.1.1.1/32`: `peer-cidr-syntax`), here and in `except`.
   */
  public static cidr(cidr: string, options: CidrPeerOptions = {}): Peer {
    checkPropsObject(options, 'Peer.cidr()', "Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'] })");
    // A CIDR that is no string (`10n`, `5`, `undefined` from plain JavaScript or a computed value) was taken, and refused only
    // at synthesis, at the output field (`spec.egress[0].toCIDR[0]: cidr 10 is a bigint`, `crd-type`): refused here, at the call.
    if (typeof cidr !== 'string') {
      throw new CiliumPolicyError({
        id: 'peer-cidr-syntax',
        message: `Peer.cidr() got ${showValue(cidr)} (${describeValue(cidr)}), not a CIDR: the CRD wants a string`,
        fix: "pass the range as a string: Peer.cidr('10.0.0.0/8')",
        location: callerLocation(),
      });
    }
    // `excepts: [...]` was dropped: the holes were allowed too.
    // Read once: an `except` getter answering the holes to the checks and `[]` after was written without them (the holes allowed).
    options = readPropsOnce(options, { keys: CIDR_PEER_OPTION_KEYS, owner: 'Peer.cidr()', noun: 'option' });
    checkStringList(options.except, 'Peer.cidr() except', 'a CIDR');
    // Cilium reads `except: []` as no hole (`api.CIDRRule` `ExceptCIDRs`, omitempty): the ranges meant to be left out are in.
    refuseEmptyExcept(cidr, options.except, `Peer.cidr(${showValue(cidr)}) except`, `Peer.cidr(${showValue(cidr)})`, callerLocation);
    // A CIDR no version takes (`10.0.0.0/33`) was found at synthesis, at the output field (`spec.ingress[0].fromCIDR[0]`).
    refuseMalformedCidr(cidr, 'Peer.cidr()', callerLocation);
    (options.except ?? []).forEach((hole, i) => refuseMalformedCidr(hole, `Peer.cidr(${showValue(cidr)}) except[${i}]`, callerLocation));
    checkEntriesUnique(options.except, { what: `Peer.cidr(${showValue(cidr)}) except`, verb: 'leaves it out', ...CIDR_ENTRIES }, callerLocation);
    const outer = parseCidr(cidr);
    for (const hole of options.except ?? []) {
      const inner = parseCidr(hole);
      if (outer && inner && !cidrContains(outer, inner)) {
        throw new CiliumPolicyError({
          id: 'peer-except-outside',
          message: `except ${hole} is not a sub-range of ${cidr}`,
          fix: `list only ranges inside ${cidr} in except`,
          location: callerLocation(),
        });
      }
    }
    // Cilium masks the host bits: `10.1.2.3/8` is all of 10.0.0.0/8, and the author meant one or the other.
    for (const [what, text] of [['Peer.cidr()', cidr], ...(options.except ?? []).map((e) => ['Peer.cidr() except', e])] as const) {
      refuseCidrHostBits(text, what, callerLocation);
    }
    // Holes that hold the whole range: the peer would select no address (a deny denying nothing).
    refuseExceptCoversCidr(cidr, options.except, `Peer.cidr(${showValue(cidr)})`, callerLocation);
    if (options.except && options.except.length > 0) {
      return new Peer({
        field: PeerField.CIDR_SET,
        item: { cidrSet: [{ cidr, except: [...options.except] }] },
        description: `cidr ${cidr} except ${options.except.join(', ')}`,
      });
    }
    return new Peer({ field: PeerField.CIDR, item: { cidr: [cidr] }, description: `cidr ${cidr}` });
  }

  /** The CIDRs of a `CiliumCIDRGroup` by name (`cidrGroupRef`). */
  public static cidrGroup(name: string): Peer {
    return new Peer({ field: PeerField.CIDR_SET, item: { cidrSet: [{ cidrGroupRef: name }] }, description: `CIDR group ${name}` });
  }

  /** The CIDRs of every `CiliumCIDRGroup` whose labels match (`cidrGroupSelector`, Cilium 1.17+). */
  public static cidrGroupSelector(labels: Record<string, string>): Peer {
    checkNonEmptyLabels(labels ?? {}, 'Peer.cidrGroupSelector()', 'give the labels of the CiliumCIDRGroups meant, or name one group with Peer.cidrGroup(name)');
    const selector = _selectorModel({ labels }, 'Peer.cidrGroupSelector()');
    return new Peer({ field: PeerField.CIDR_SET, item: { cidrSet: [{ cidrGroupSelector: selector }] }, description: `CIDR groups ${describeSelector(selector)}` });
  }

  /**
   * The addresses a DNS name resolves to (`toFQDNs.matchName`), egress only. Cilium learns them from DNS
   * answers seen by its DNS proxy, so the source also needs a DNS rule (the high-level constructs add it). An IPv4 address
   * written as a name (`10.0.0.1`) is refused (`fqdn-ip-address`): it selects the addresses DNS answers give for that text,
   * never the address (clients reach it without a lookup); use `Peer.cidr()`.
   */
  public static fqdn(name: string): Peer {
    if (typeof name === 'string' && name.includes('*')) {
      throw new CiliumPolicyError({
        id: 'peer-fqdn-wildcard',
        message: `Peer.fqdn(${JSON.stringify(name)}) is an exact name (matchName), but the name has a "*"`,
        fix: `use Peer.fqdnPattern(${JSON.stringify(name)}) for a pattern`,
        location: callerLocation(),
      });
    }
    checkFqdnNotAddress(name, 'Peer.fqdn', callerLocation);
    checkFqdnSyntax([{ text: name, at: '' }], 'Peer.fqdn', callerLocation);
    return new Peer({ field: PeerField.FQDNS, item: { fqdns: [{ matchName: name }] }, description: `fqdn ${name}` });
  }

  /**
   * The addresses of names matching a pattern (`toFQDNs.matchPattern`), egress only. `*` matches within one
   * DNS label; a leading `**.` matches any number of labels (Cilium 1.19+). `*` alone is every name; `**`, `*.` and
   * `**.` are refused (`fqdn-pattern-version-dependent`: every name from 1.19, one-label names before), and so is an
   * address range written as a pattern (`10.0.0.*`, `fqdn-ip-address`: it matches names such as `10.0.0.io`, never those
   * addresses; use `Peer.cidr()`), and a `*` in the registrable part of the name (`*.com`, `*example.com`, `example.*`,
   * `fqdn-pattern-registrable`: it matches names such as `badexample.com` that anyone may register).
   */
  public static fqdnPattern(pattern: string): Peer {
    // Read from the stack only for a refusal (`RefusalLocation`).
    const at = callerLocation;
    checkFqdnWildcard(pattern, 'Peer.fqdnPattern', at);
    checkFqdnNotAddress(pattern, 'Peer.fqdnPattern', at);
    checkFqdnRegistrable(pattern, 'Peer.fqdnPattern', at);
    checkFqdnSyntax([{ text: pattern, at: '', field: 'matchPattern' }], 'Peer.fqdnPattern', at);
    return new Peer({ field: PeerField.FQDNS, item: { fqdns: [{ matchPattern: pattern }] }, description: `fqdn pattern ${pattern}` });
  }

  /**
   * The backends of a Kubernetes Service by name (`toServices.k8sService`), egress only. Cilium 1.17+ selects the pods
   * of a Service with a selector (its selector as an endpoint selector) and the Endpoints addresses of one without;
   * before 1.17 only selector-less Services are targets, so select pods with `Peer.endpoints()` there. An egress allow of it
   * without ports is refused (`peer-service-every-port`): Cilium never reads the Service's ports for `toServices`, so it would
   * open every port of the backends; give their ports (the Service's targetPorts), or `{ ports: [Port.allPorts()] }` for every
   * port said outright. On Cilium 1.17+ `toServices` with ports opens those ports to every peer, the world included, while the
   * Service does not exist in the cluster (the agent adds no selector for it); `Port.allPorts()` alone is written as no
   * toPorts on every version (before 1.17 the agent refuses toPorts beside toServices), so it never does: nothing is allowed then.
   * @param name the Service name
   * @param namespace the Service namespace; default: the namespace of the policy (written explicitly; required in a
   *   `ClusterwidePolicy`)
   */
  public static service(name: string, namespace?: string): Peer {
    if (typeof name !== 'string' || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      throw new CiliumPolicyError({
        id: 'peer-service-name-syntax',
        message: `Peer.service(${showValue(name)}) is not a Service name, so the rule would match nothing`,
        fix: 'use the Service\'s metadata.name: an RFC 1035 label (lower-case letters, digits and dashes, starting with a letter)',
        location: callerLocation(),
      });
    }
    if (namespace !== undefined) checkNamespaceName(namespace, 'Peer.service() namespace');
    if (name === 'kubernetes' && (namespace === undefined || namespace === 'default')) {
      throw new CiliumPolicyError({
        id: 'peer-kube-apiserver-service',
        message: 'Peer.service(\'kubernetes\') is the API server: Cilium does not support toServices for default/kubernetes',
        fix: 'use Peer.kubeApiServer() (the kube-apiserver entity)',
        location: callerLocation(),
      });
    }
    return new Peer({
      field: PeerField.SERVICES,
      item: { services: [{ k8sService: { serviceName: name, ...(namespace !== undefined ? { namespace } : {}) } }] },
      description: `service ${namespace ? `${namespace}/` : ''}${name}`,
    });
  }

  /**
   * The backends of the Kubernetes Services whose labels match (`toServices.k8sServiceSelector`), egress only. An egress allow
   * of it without ports is refused, as for `Peer.service()` (`peer-service-every-port`). On Cilium 1.17+ with ports, while no
   * Service matches, those ports are open to every peer, the world included; `Port.allPorts()` alone is written as no toPorts,
   * which allows nothing then.
   */
  public static serviceSelector(options: ServiceSelectorPeerOptions): Peer {
    checkPropsObject(options, 'Peer.serviceSelector()', "Peer.serviceSelector({ labels: { tier: 'data' }, namespace: 'shop' })", undefined, true);
    // Read once: a `namespace` getter was read by the check and twice when written, and could answer another namespace there.
    options = readPropsOnce(options, { keys: SERVICE_SELECTOR_PEER_OPTION_KEYS, owner: 'Peer.serviceSelector()', noun: 'option' });
    checkNonEmptyLabels(options.labels, 'Peer.serviceSelector() labels', 'give the Service labels meant, or name one Service with Peer.service(name, namespace)');
    if ((options.labels === undefined) && (options.expressions ?? []).length === 0) {
      throw new CiliumPolicyError({
        id: 'selector-empty',
        message: 'Peer.serviceSelector() without labels or expressions selects every Service',
        fix: 'give the Service labels meant, or name one Service with Peer.service(name, namespace)',
        location: callerLocation(),
      });
    }
    if (options.namespace !== undefined) checkNamespaceName(options.namespace, 'Peer.serviceSelector() namespace');
    const selector = _selectorModel(options, 'Peer.serviceSelector()');
    return new Peer({
      field: PeerField.SERVICES,
      item: { services: [{ k8sServiceSelector: { selector, ...(options.namespace !== undefined ? { namespace: options.namespace } : {}) } }] },
      description: `services ${describeSelector(selector)}`,
    });
  }

  /**
   * Nodes selected by their labels (`fromNodes`/`toNodes`, Cilium 1.16+, needs the agent flag
   * `enable-node-selector-labels`). Never matches the local host; use `Peer.entity(Entity.HOST)` for that. Write keys
   * without a source or with `node:`: Cilium gives node labels the source `node`, so a rule with a key of another source
   * (`k8s:`, `container:`, a reserved label other than `host`/`remote-node`/`kube-apiserver`) is refused
   * (`peer-nodes-label-source`): it would select no node, and a deny would deny nothing.
   */
  public static nodes(labels: Record<string, string>): Peer {
    checkNonEmptyLabels(labels ?? {}, 'Peer.nodes()',
      'give the node labels meant; for every other node use Peer.entity(Entity.REMOTE_NODE), for the local node Peer.entity(Entity.HOST)');
    const selector = _selectorModel({ labels }, 'Peer.nodes()');
    return new Peer({ field: PeerField.NODES, item: { nodes: [selector] }, description: `nodes ${describeSelector(selector)}` });
  }

  /** The cluster DNS pods: `k8s-app: kube-dns` in `kube-system`. */
  public static kubeDns(): Peer {
    return Peer.endpoints({ namespace: KUBE_DNS_NAMESPACE, labels: { ...KUBE_DNS_LABELS } });
  }

  /**
   * The Kubernetes API server (the `kube-apiserver` entity; never a `toServices` of `default/kubernetes`). An egress allow of
   * it without ports is refused (`peer-kube-apiserver-every-port`): Cilium gives the identity to the API server's addresses, on
   * a self-managed cluster the control-plane nodes, so every port there (etcd, the kubelet, SSH) would be open; give its
   * ports. On ingress the ports are the subject's own: `allowIngress(Peer.kubeApiServer())` is taken, as for any peer.
   */
  public static kubeApiServer(): Peer {
    return Peer.entity(Entity.KUBE_APISERVER);
  }

  /** Any peer at all, inside or outside the cluster: the rule item has no L3 field, only ports. */
  public static any(): Peer {
    return new Peer({ item: {}, description: 'any peer' });
  }

  /**
   * The pods of a workload: a cdk8s-plus `Deployment`, `StatefulSet`, `DaemonSet`, `Job` or `Pod`, a cdk8s-plus
   * `Service` (the pods it selects, on its target ports), or a plain `ApiObject` of such a kind. The workload is read at
   * synthesis, when it is complete, with its namespace made explicit when it has one. An egress rule to it without
   * ports takes the target ports of the Service of the app that selects it (never ports merely declared by a container).
   * @param workload the workload or Service construct
   */
  public static workload(workload: IConstruct): Peer {
    const construct = requireApiObjectHolder(workload, 'Peer.workload', callerLocation);
    return new Peer(undefined, construct);
  }

  private constructor(private readonly config: PeerConfig | undefined, private readonly workloadConstruct?: IConstruct,
    private readonly selectorWorkload?: IConstruct) {}

  /**
   * The workload whose pods this peer selects, judged again where a rule uses it (`checkWorkloadUse`): `Peer.workload()`'s,
   * and `Peer.selectedBy(EndpointSelector.workload())`'s, whose labels are read at the call but whose pods may move onto
   * the host network later (a JSON patch).
   * @internal
   */
  public get _selectsWorkload(): IConstruct | undefined {
    return this.workloadConstruct ?? this.selectorWorkload;
  }

  /**
   * The workload this peer reads at synthesis (`Peer.workload()`), whose config is not known before.
   * @internal
   */
  public get _workload(): IConstruct | undefined {
    return this.workloadConstruct;
  }

  /**
   * What the peer writes, as a list of peers compares it (`peerEntryKey`): its config, or for `Peer.workload()` the workload.
   * @internal
   */
  public get _entryKey(): string {
    return this.workloadConstruct ? `workload ${this.workloadConstruct.node.path}` : JSON.stringify([this.config, EVERY_POD_PEERS.has(this)]);
  }

  /** The peer's rule-item fields; for `Peer.workload()`, read from the workload now. */
  public toPeerConfig(): PeerConfig {
    if (this.workloadConstruct) return workloadPeerConfig(this.workloadConstruct);
    // `Peer.selectedBy(EndpointSelector.workload())`: its pods read again, as `Peer.workload()`'s are.
    if (this.selectorWorkload) checkWorkloadUse(this.selectorWorkload);
    const config = clonePlain(this.config) as PeerConfig;
    return EVERY_POD_PEERS.has(this) ? markEveryPodOfNamespace(config) : config;
  }

  /** A short description, e.g. `entity host` (for `Peer.workload()`, the construct path). */
  public toString(): string {
    return this.workloadConstruct ? this.workloadConstruct.node.path : (this.config as PeerConfig).description;
  }
}

/**
 * A peer as a construct's list of peers compares it (`checkEntriesUnique`): a `Peer` by what it writes (two
 * `Peer.namespace('a')` are one peer); a peer of one's own is not compared (its config is read once, where its rule is
 * written, and the props' snapshot copies an object literal, so two entries of one object are two objects by then).
 */
export function peerEntryKey(peer: IPeer): string | undefined {
  return peer instanceof Peer ? peer._entryKey : undefined;
}

/** How `checkEntriesUnique` reads a construct's list of peers (`TieredApp` `entry`, `HostFirewall` `apiServerClients`, `kubeletClients`). */
export const PEER_ENTRIES = {
  noun: 'peer',
  key: peerEntryKey,
  text: (peer: IPeer): string => String(peer),
  show: (peer: IPeer): string => String(peer),
} as const;

/** The peers `Peer.selectedBy(EndpointSelector.all())` made without a namespace (module-private): their configs are marked `markEveryPodOfNamespace`. */
const EVERY_POD_PEERS = new WeakSet<Peer>();

/**
 * Refuses a pod selector that requires (by `matchLabels`, `In` or `Exists`) a label of a source no pod carries: a reserved
 * label (`reserved:world`, `$host`: only the identities of entities carry one, and no pod, while the namespace these
 * factories write into the selector, or the policy's, added at synthesis, is carried by pods only:
 * `peer-endpoints-reserved-label`), or a key whose prefix before the first `:` is not a pod label source (`K8S:app`,
 * `node:role`, `example.com:team`: the agent reads everything before the first `:` as the source, pkg/labels
 * `ParseSource`, and Kubernetes label keys hold no `:`: `peer-endpoints-label-source`). The selector would select nothing:
 * an allow would let nobody in, and a deny (`denyIngress(Peer.endpoints({ labels: { 'reserved:world': '' } }))`) would
 * deny nothing.
 * @param selector the selector the factory built
 * @param what the factory, for the message
 */
function refuseLabelsNoPodHas(selector: LabelSelectorModel, what: string): void {
  const required = [...Object.keys(selector.matchLabels ?? {}),
    ...(selector.matchExpressions ?? []).filter((e) => e.operator === 'In' || e.operator === 'Exists').map((e) => e.key)];
  const key = required.find((k) => labelKeySource(k) === 'reserved');
  if (key === undefined) {
    // A source no pod label has, or a `:` left in the key after the source (`k8s:app:x`): no Kubernetes label key holds one.
    const foreign = required.find((k) => !POD_LABEL_SOURCES.has(labelKeySource(k)) || labelKeyName(k).includes(':'));
    if (foreign === undefined) return;
    const source = labelKeySource(foreign);
    const name = labelKeyName(foreign);
    const why = POD_LABEL_SOURCES.has(source)
      ? `whose key ${JSON.stringify(name)} holds a ":", which no Kubernetes label key does`
      : `whose source ${JSON.stringify(source)} (Cilium reads what is before the first ":" as the source) no pod label has (pods carry k8s: labels; `
        + 'a Kubernetes label key holds no ":")';
    throw new CiliumPolicyError({
      id: 'peer-endpoints-label-source',
      message: `${what} requires the label ${JSON.stringify(foreign)}, ${why}: it would select nothing, so an allow would let nobody in and a deny `
        + 'would deny nothing',
      fix: `write the key without a source (${JSON.stringify(name.slice(name.lastIndexOf(':') + 1))}) or with k8s:; nodes are Peer.nodes(), `
        + 'entities Peer.entity()',
      location: callerLocation(),
    });
  }
  const name = labelKeyName(key).replace(/^reserved\./, '');
  const entity = (Object.entries(Entity) as [string, string][]).find(([, value]) => value === name);
  throw new CiliumPolicyError({
    id: 'peer-endpoints-reserved-label',
    message: `${what} requires the reserved label ${JSON.stringify(key)}, which no pod carries (only the identities of entities do), and the peer's `
      + 'pods are of a namespace, a label no entity carries: it would select nothing, so an allow would let nobody in and a deny would deny nothing',
    fix: entity !== undefined ? `use Peer.entity(Entity.${entity[0]})` : 'select entities with Peer.entity(), pods with their own labels',
    location: callerLocation(),
  });
}

/**
 * Writes a namespace label into a peer's labels, refusing one the labels already give another value: overwriting it
 * would turn "pods of namespace y, in namespace x" (no pod) into every matching pod of x. The same key of the `any` source
 * (no prefix, or `any:`) conflicts too: a pod's `k8s:` label is the one it matches, so beside the written key no pod has both.
 */
function setUnlessConflicting(labels: Record<string, string>, key: string, value: string, what: string): void {
  const name = labelKeyName(key);
  const same = (k: string): boolean => k === key || (labelKeyName(k) === name && labelKeySource(k) === 'any');
  const conflict = Object.keys(labels).find((k) => same(k) && labels[k] !== value);
  if (conflict !== undefined) {
    const given = labels[conflict];
    throw new CiliumPolicyError({
      id: 'peer-namespace-conflict',
      message: `${what} is ${showValue(value)}, but the labels already require ${conflict}=${showValue(given)}: no pod has both`
        + (conflict === key ? `, and writing ${showValue(value)} over it would select the pods of the other namespace instead` : ', so the peer would select nothing'),
      fix: `give the namespace once: drop ${conflict} from the labels, or make both the same`,
      location: callerLocation(),
    });
  }
  labels[key] = value;
}
