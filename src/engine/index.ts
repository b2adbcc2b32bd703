// The public API of the verdict engine (the engine section of src/index.ts): compiles Cilium policies once and answers
// "is this connection allowed, and why?". The other modules of src/engine are internal.
export { Endpoint, EndpointKind, Endpoints, NamedPort, PodEndpointOptions } from './endpoint';
export { CidrGroupSpec, EndpointInventory, InventoryHostPort, InventoryService, InventoryServicePort, InventoryWorkload, NodePortOwner } from './inventory';
export { HttpRequest, KafkaRequest } from './l7';
export { EngineMatcherOptions } from './matchers';
export { PolicyText } from './policy-inputs';
export { PolicySet } from './policy-set';
export { ConnectivitySources, HostFirewallMode, IpFamilies, PolicyEnforcement, PolicySetOptions, YamlPolicySetOptions } from './policy-set-options';
export { ConnectionSpec, HttpRequestOptions, Queries } from './query';
export { SkippedRule } from './skipped-rules';
export {
  L7Outcome, L7Protocol, L7Result, RestrictionListener, RestrictionTlsContext, SideDecision, SideVerdict, TrafficDirection, UnevaluatedRestriction,
  Verdict, VerdictKind, VerdictPolicyRef, VerdictQuery, VerdictRuleRef,
} from './verdict';
export { Verdicts } from './verdicts';
export { IPortSpec, PortMatchModel } from '../model/port-spec';
