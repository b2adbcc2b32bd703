/**
 * The annotation that names the egress items of a policy written as every port of Services on purpose: `Port.allPorts()` to a
 * `Peer.service()` or `Peer.serviceSelector()`, which the constructs write as a `toServices` item without `toPorts` (they refuse
 * one without ports otherwise, `peer-service-every-port`). `validate` reads it and leaves those items out of
 * `pitfall-services-every-port`, so a synthesized policy validated again reports nothing the construct already settled; an
 * item edited by hand, or a policy written without the annotation, is judged as before.
 */
import { PolicyMetadataModel } from './policy-model';

/** The annotation key; its value is a JSON list of item paths (`["spec.egress[0]"]`, `["specs[1].egress[2]"]`). */
export const EVERY_PORT_SERVICES_ANNOTATION = 'cdk8s-cilium.io/every-port-services';

/**
 * The paths of the egress allow items of a rendered manifest (`spec`, or each of `specs`) that name Services and have no
 * `toPorts` and no `icmps`: what the constructs write for `Port.allPorts()` to a Service, and nothing else (a Service without
 * ports is refused).
 * @param manifest the policy's manifest as written (JSON)
 */
export function everyPortServicePaths(manifest: { readonly spec?: unknown; readonly specs?: unknown }): string[] {
  const rules: [string, unknown][] = Array.isArray(manifest.specs) ? manifest.specs.map((s, i) => [`specs[${i}]`, s]) : [['spec', manifest.spec]];
  return rules.flatMap(([path, rule]) => {
    const egress = isRecord(rule) && Array.isArray(rule.egress) ? rule.egress : [];
    return egress.flatMap((item, i) => (isRecord(item) && Array.isArray(item.toServices) && item.toServices.length > 0
      && item.toPorts === undefined && item.icmps === undefined ? [`${path}.egress[${i}]`] : []));
  });
}

/**
 * The item paths the annotation of a manifest names; none when it is absent or no JSON list of strings (an annotation that
 * does not read excuses nothing).
 * @param metadata the manifest's metadata
 */
export function everyPortServicesOf(metadata: PolicyMetadataModel | undefined): ReadonlySet<string> {
  const text = metadata?.annotations?.[EVERY_PORT_SERVICES_ANNOTATION];
  if (typeof text !== 'string') return NONE;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((p) => typeof p === 'string') ? new Set(value as string[]) : NONE;
  } catch {
    return NONE;
  }
}

const NONE: ReadonlySet<string> = new Set();

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
