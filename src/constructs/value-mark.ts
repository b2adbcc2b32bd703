// The marks that tell the SDK's value objects apart (a `Port`, an `EndpointSelector`, a `DnsRule`, …) in every copy of the
// package: a shared construct library with a cdk8s-cilium of its own beside the app's makes values of other class objects,
// which `instanceof` refuses or mis-reads. The mark is a registered symbol (`Symbol.for`), the same in every copy.

/** The kinds of value the SDK tells apart by their mark. */
export type MarkedValue = 'Port' | 'EndpointSelector' | 'NodeSelector' | 'DnsRule' | 'PolicyRule';

const SYMBOLS: Readonly<Record<MarkedValue, symbol>> = {
  Port: Symbol.for('cdk8s-cilium.Port'),
  EndpointSelector: Symbol.for('cdk8s-cilium.EndpointSelector'),
  NodeSelector: Symbol.for('cdk8s-cilium.NodeSelector'),
  DnsRule: Symbol.for('cdk8s-cilium.DnsRule'),
  PolicyRule: Symbol.for('cdk8s-cilium.PolicyRule'),
};

/**
 * Marks a value object as one of its kind (in its constructor), not enumerable: it is not copied by a spread nor written.
 * @param target the new value
 * @param kind its kind
 */
export function markValue(target: object, kind: MarkedValue): void {
  Object.defineProperty(target, SYMBOLS[kind], { value: true });
}

/**
 * Whether a value carries the mark of its kind, from this copy of the package or another; a look-alike from plain
 * JavaScript (`{ _match: 1 }`, `{ toEndpointSelector() { … } }`) does not.
 * @param value the value to tell
 * @param kind the kind asked about
 */
export function hasValueMark(value: unknown, kind: MarkedValue): boolean {
  return value !== null && typeof value === 'object' && SYMBOLS[kind] in value;
}
