import { PeerField, PortProtocolModel, RuleItemModel } from '../model/policy-model';

/** What a peer contributes to a rule item: exactly one L3 peer field, or none for "any peer". */
export interface PeerConfig {
  /** The peer field set on the rule item. @default - none: any peer */
  readonly field?: PeerField;
  /** The rule-item fields that select the peer (only `field` is set). */
  readonly item: RuleItemModel;
  /**
   * For endpoint peers without an explicit namespace: whether the selectors still need the namespace of the
   * policy (CNP) made explicit. A `ClusterwidePolicy` refuses such peers, because Cilium would let them match
   * pods of every namespace.
   * @default false
   */
  readonly namespaceImplicit?: boolean;
  /** A short human-readable description, used in error messages. */
  readonly description: string;
  /**
   * The ports to use when an egress rule to this peer names none (a workload's container ports, a Service's
   * target ports).
   * @default - all ports
   */
  readonly defaultPorts?: PortProtocolModel[];
  /**
   * Why an egress rule to this peer must name its ports (a workload no Service exposes: its serving ports are
   * unknown, and every port would be too much).
   * @default - the ports may be omitted
   */
  readonly defaultPortsUnknown?: string;
}
