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
export {
  CheckInfo, checkInfo, CheckLayer, CHECKS, findCheck, INPUT_CHECKS, layerOf, NETWORK_POLICY_CHECKS, PITFALL_CHECKS, REPORT_CHECKS,
} from './validate/catalogue';
export {
  CidrFormat, CrdSchemas, CrdSchemasOptions, CrdValidationResult, CrdVersionRoot, CrdViolation, ICrdSchemaSource, isGoCidr,
} from './validate/crd-schema';
export { formatReportJson, reportToJson, VALIDATE_REPORT_JSON_SCHEMA } from './validate/format-json';
export { formatReportSarif, reportToSarif, SARIF_SCHEMA_URI, SarifOptions } from './validate/format-sarif';
export { formatDiagnosticText, formatReportText, summaryLine } from './validate/format-text';
export {
  InventoryContainerPort, InventoryNamespace, InventoryNetworkPolicy, InventoryPodTemplate, InventoryServiceInfo, InventoryServicePortInfo,
  InventorySource, ManifestInventory,
} from './validate/inventory';
export { networkPolicyRejections, validateNetworkPolicy } from './validate/network-policy-rules';
export { checkPitfalls, PitfallDocument, PitfallFinding, PitfallOptions } from './validate/pitfall-rules';
export { AppDiagnostic, AppValidationOptions, CiliumAppValidation, formatAppDiagnostic, validateApp } from './validate/validate-app';
export {
  parseTargetVersion, ReportDiagnostic, ReportFile, ReportSummary, STDIN_NAME, TargetVersion, VALIDATE_REPORT_SCHEMA, validateInputs,
  ValidateInputsOptions, validatePaths, ValidatePathsOptions, ValidationInput, ValidationReport,
} from './validate/validate-input';
export { validatePolicy, ValidatePolicyOptions, validateRule } from './validate/validate-policy';

// Constructs and value objects.
export { Builtins, DnsCompanionOptions } from './constructs/builtins';
export { CiliumPolicy, CiliumPolicyProps } from './constructs/cilium-policy';
export { ClusterDefaultDeny, ClusterDefaultDenyProps } from './constructs/cluster-default-deny';
export { ClusterwidePolicy, ClusterwidePolicyProps } from './constructs/clusterwide-policy';
export { DefaultDenyNamespace, DefaultDenyNamespaceProps } from './constructs/default-deny-namespace';
export { Entity } from './constructs/entity';
export { FqdnEgress, FqdnEgressProps } from './constructs/fqdn-egress';
export { HostFirewall, HostFirewallProps, LockoutExemption, LockoutPath, RoutingMode } from './constructs/host-firewall';
export {
  DnsRule, Grpc, HeaderMatch, HeaderMismatchAction, HttpRule, HttpRuleOptions, KafkaRole, KafkaRule, KafkaRuleOptions, L7,
} from './constructs/l7';
export { MetadataEndpointBlock, MetadataEndpointBlockProps } from './constructs/metadata-endpoint-block';
export { MonitoringScrape, MonitoringScrapeProps } from './constructs/monitoring-scrape';
export { CidrPeerOptions, EndpointsPeerOptions, IPeer, Peer, ServiceSelectorPeerOptions } from './constructs/peer';
export { PeerConfig } from './constructs/peer-config';
export { PolicyBase, PolicyBaseProps, PolicySynthesis } from './constructs/policy-base';
export { AllowOptions, AuthenticationMode, DefaultDenyOptions, DenyOptions, PolicyRule, PolicyRuleOptions } from './constructs/policy-rule';
export { Icmp, IcmpFamily, Port, PortOptions, Protocol } from './constructs/port';
export { EndpointSelector, IEndpointSelector, INodeSelector, LabelExpression, LabelSelectorOptions, NodeSelector } from './constructs/selector';
export { IAppBuilder, Synth } from './constructs/synth';
export { Tier, TieredApp, TieredAppProps, TierEgress } from './constructs/tiered-app';

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
export { CiliumValidation, CiliumValidationProps, PluginContext, PluginReport, PluginViolatingResource, PluginViolation } from './plugin/index';
