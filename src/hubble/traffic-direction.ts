/** A direction of traffic as a policy sees it: egress at the source, ingress at the destination. */
export enum TrafficDirection {
  /** Egress: decided at the source. */
  EGRESS = 'egress',
  /** Ingress: decided at the destination. */
  INGRESS = 'ingress',
}
