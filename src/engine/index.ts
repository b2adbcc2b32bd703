// The offline verdict engine: compiles Cilium policies once and answers "is this connection allowed, and why?".
// Only the public API is exported here; the other modules of src/engine are internal.
export { ENDPOINT_ENTITIES, Endpoint, EndpointKind, Endpoints, NamedPort, PodEndpointOptions, formatEndpoint, parseEndpoint } from './endpoint';
export { CidrGroupSpec, EndpointInventory, InventoryService, InventoryServicePort, InventoryWorkload } from './inventory';
export { canonicalDnsName, fqdnPatternMatches } from '../model/fqdn-pattern';
export { HttpRequest, KafkaRequest } from './l7';
export { PolicyRef } from './compile';
export {
  L7Outcome, SideDecision, SideVerdict, Verdict, VerdictKind, VerdictPolicyRef, VerdictQuery, VerdictRuleRef,
} from './verdict';
export { formatVerdict } from './explain';
export { ConnectionSpec, parseConnection, parseHttpRequest, parseKafkaRequest, toConnection } from './query';
export { PolicySet, PolicySetOptions, PolicyText, SkippedRule, evaluateNaive } from './policy-set';
export { ConnectionLike, EndpointLike, EngineMatcherOptions, EngineMatcherResult, EngineMatchers, engineMatchers, verdictFor } from './matchers';
