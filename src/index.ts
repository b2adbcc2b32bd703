// The public API of cdk8s-cilium: every exported name is listed here. Anything not listed is internal and may change
// without notice. Grouped by layer (core <- model <- validate <- {constructs, engine} <- hubble <- diff; see README "Layout").

// Core: errors and Cilium versions.
export { CiliumVersion } from './core/cilium-version';
export { CiliumPolicyError, CiliumPolicyErrorProps, Diagnostic, formatDiagnostic, Severity } from './core/errors';

// Model: the policy IR, its parser and emitter.
export { emitDocument, emitRule, emitRuleItem, JsonObject } from './model/emit';
export { canonicalDnsName, fqdnPatternMatches } from './model/fqdn-pattern';
export { DEFAULT_MAX_FILE_BYTES } from './model/inputs';
export {
  DocumentSource, fromObject, fromYaml, Locator, PARSE_DIAGNOSTIC_IDS, ParsedDocument, ParsedRawRules, ParseOptions, ParseResult, SkippedDocument,
  SourceDiagnostic, SourcePosition,
} from './model/parse';
export {
  CidrRuleModel, CILIUM_API_VERSION, DocumentRule, documentRules, FqdnSelectorModel, HeaderMatchModel, HttpRuleModel, IcmpFieldModel,
  IcmpRuleModel, isDenySection, KafkaRuleModel, L7RulesModel, LabelExpressionModel, LabelSelectorModel, PEER_FIELD_NAMES, PEER_FIELDS, PeerField,
  PolicyDocumentModel, PolicyKind, PolicyMetadataModel, PortProtocolModel, PortRuleModel, presentPeerFields, RuleItemModel, RuleLabelModel,
  RuleModel, sectionDirection, SectionName, SECTIONS, ServiceSelectorModel,
} from './model/policy-model';
export { AnnotatedDocument, CILIUM_VERSION_ANNOTATION, SynthesizedVersion, synthesizedVersion } from './model/version-annotation';

// Validation: CRD schemas, agent rules, pitfalls, reports.
export { CheckCatalogue, CheckInfo, CheckLayer } from './validate/catalogue';
export { CidrFormat } from './validate/cidr-format';
export { CrdSchemas, CrdSchemasOptions, CrdValidationResult, CrdVersionRoot, ICrdSchemaSource } from './validate/crd-schema';
export { CrdViolation } from './validate/crd-violations';
export { SarifOptions } from './validate/format-sarif';
export {
  InventoryContainerPort, InventoryNamespace, InventoryNetworkPolicy, InventoryPodTemplate, InventoryServiceInfo, InventoryServicePortInfo,
  InventorySource, ManifestInventory,
} from './validate/inventory';
export { PitfallDocument, PitfallFinding, PitfallOptions } from './validate/pitfall-run';
export { ValidationReportFormat } from './validate/report-format';
export { AppDiagnostic, AppValidationOptions, CiliumAppValidation } from './validate/validate-app';
export { ValidatePolicyOptions, ValidateRuleOptions } from './validate/validate-policy';
export { ValidateInputsOptions, ValidatePathsOptions, ValidationInput } from './validate/validation-options';
export { ReportDiagnostic, ReportFile, ReportFileStatus, ReportSummary, ValidationReport } from './validate/validation-report';
export { Validator } from './validate/validator';

// Constructs and value objects.
export { allowDns, allowHostProbes, DnsCompanionOptions } from './constructs/builtins';
export { CiliumPolicy, CiliumPolicyProps, requireNamespace } from './constructs/cilium-policy';
export { ClusterDefaultDeny, ClusterDefaultDenyProps, DEFAULT_SYSTEM_NAMESPACES } from './constructs/cluster-default-deny';
export { ClusterwidePolicy, ClusterwidePolicyProps } from './constructs/clusterwide-policy';
export { DefaultDenyNamespace, DefaultDenyNamespaceProps } from './constructs/default-deny-namespace';
export { ENTITIES, Entity } from './constructs/entity';
export { FqdnEgress, FqdnEgressProps } from './constructs/fqdn-egress';
export { HostFirewall, HostFirewallProps, LockoutExemption, LockoutPath, RoutingMode } from './constructs/host-firewall';
export {
  DnsRule, Grpc, HeaderMatch, HeaderMismatchAction, HttpRule, HttpRuleOptions, KafkaRole, KafkaRule, KafkaRuleOptions, L7,
} from './constructs/l7';
export { METADATA_ENDPOINTS, MetadataEndpointBlock, MetadataEndpointBlockProps } from './constructs/metadata-endpoint-block';
export { MonitoringScrape, MonitoringScrapeProps } from './constructs/monitoring-scrape';
export { CidrPeerOptions, describeSelector, EndpointsPeerOptions, IPeer, Peer, PeerConfig, ServiceSelectorPeerOptions } from './constructs/peer';
export { chartNamespace, defaultName, PolicyBase, PolicyBaseProps, PolicySynthesis } from './constructs/policy-base';
export { AllowOptions, AuthenticationMode, DefaultDenyOptions, PolicyRule, PolicyRuleOptions, RuleRenderContext } from './constructs/policy-rule';
export { Icmp, IcmpFamily, Port, PortOptions, PortSpec, Protocol } from './constructs/port';
export {
  _selectorModel, EndpointSelector, IEndpointSelector, INodeSelector, LabelExpression, LabelSelectorOptions, NodeSelector,
} from './constructs/selector';
export { runSynth } from './constructs/synth';
export { Tier, TieredApp, TieredAppProps, TierEgress } from './constructs/tiered-app';
export {
  CDK8S_PLUS_SELECTOR_LABEL, EndpointSelectorLike, isApiObjectHolder, noServingPorts, PeerLike, readService, readWorkload, ServiceInfo,
  serviceTargetPorts, servingPorts, toEndpointSelector, toPeer, WorkloadInfo, workloadPeer, WorkloadPort, workloadSelector,
} from './constructs/workload';

// Verdict engine.
export { PolicyRef } from './engine/compile';
export {
  Endpoint, ENDPOINT_ENTITIES, EndpointKind, Endpoints, formatEndpoint, NamedPort, parseEndpoint, PodEndpointOptions,
} from './engine/endpoint';
export { formatVerdict } from './engine/explain';
export { CidrGroupSpec, EndpointInventory, InventoryService, InventoryServicePort, InventoryWorkload } from './engine/inventory';
export { HttpRequest, KafkaRequest } from './engine/l7';
export {
  ConnectionLike, EndpointLike, EngineMatcherOptions, EngineMatcherResult, EngineMatchers, engineMatchers, verdictFor,
} from './engine/matchers';
export { evaluateNaive, PolicySet, PolicySetOptions, PolicyText, SkippedRule } from './engine/policy-set';
export { ConnectionSpec, parseConnection, parseHttpRequest, parseKafkaRequest, toConnection } from './engine/query';
export { L7Outcome, SideDecision, SideVerdict, Verdict, VerdictKind, VerdictPolicyRef, VerdictQuery, VerdictRuleRef } from './engine/verdict';

// Hubble flows: replay and draft.
export {
  ClusterDecisions, ClusterPolicyRef, ClusterSide, collectConnections, CollectOptions, ConnectionCollector, FlowCapture, IdentityResolution,
  ObservedConnection, observedFlowing, ObservedVerdict, observedVerdict, TimeWindow, TimeWindowSeconds,
} from './hubble/connections';
export {
  applyDraftPlan, DraftOptions, DraftPeer, DraftPlan, DraftPolicy, DraftPort, DraftRule, draftSelector, DraftTypeScriptOptions, planDraft,
  renderDraftTypeScript, renderDraftYaml,
} from './hubble/draft';
export {
  FlowHandler, FlowReadOptions, FlowReadStats, FlowSource, forEachLine, LineHandler, LineReadStats, MalformedLine, readFlows,
} from './hubble/flow-reader';
export {
  FLOW_SKIP_REASONS, FlowPeer, FlowSkipReason, HubbleEndpoint, HubbleFlow, HubbleIcmp, HubbleIp, HubbleL4, HubbleL7, HubblePolicy, HubblePorts,
  NormalizedFlow, normalizeFlow, ObservedFlowVerdict,
} from './hubble/flow';
export { formatReplayJson, formatReplayTable, ReplayTableOptions } from './hubble/format';
export {
  ClusterDisagreement, ClusterVerdict, ConnectionChange, DropSource, NamespaceRollout, REPLAY_REPORT_SCHEMA, replayCapture, ReplayConnection,
  ReplayError, replayFlows, ReplayObserved, ReplayOptions, ReplayPredicted, ReplayReport, ReplaySummary, ReplayUnknownConnection,
} from './hubble/replay';

// Connectivity diff and report.
export {
  AllowedConnection, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityReportDocument, DecidingReason, DIFF_SCHEMA,
  EndpointClass, EndpointClassKind, NotCompared, PolicySource, REPORT_SCHEMA,
} from './diff/connectivity-document';
export { ConnectivityOptions, connectivityReport, diffPolicySets } from './diff/connectivity';
export { ClassifiedEndpoint, endpointClasses } from './diff/endpoint-classes';
export {
  ConnectivityOutput, formatConnectivityDiffMarkdown, formatConnectivityDiffText, formatConnectivityJson, formatConnectivityReportMarkdown,
  formatConnectivityReportText,
} from './diff/format';
export { renderDiffHtml, renderReportHtml } from './diff/html';
export { describeChange, DiffMatchers, diffMatchers, ExpectedConnectivityChange, UnexpectedChanges, unexpectedChanges } from './diff/matchers';

// Testing matchers.
export {
  CiliumMatcherContext, CiliumMatcherResult, CiliumMatchers, ciliumMatchers, CRD_DIR_ENV, defaultCrdSchemas, expectValidCilium,
  setDefaultCrdSchemas,
} from './testing/matchers';

// cdk8s validation plugin.
export { CiliumValidation, CiliumValidationProps, IPluginReport, PluginContext, PluginViolatingResource, PluginViolation } from './plugin/cilium-validation';
