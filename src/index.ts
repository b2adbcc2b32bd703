// The public API of cdk8s-cilium: every exported name is listed here. Anything not listed is internal and may change
// without notice. Grouped by layer (core <- model <- validate <- {constructs, engine} <- hubble <- diff; see README "Layout").

// Core: errors and Cilium versions.
export { CiliumVersion } from './core/cilium-version';
export { CiliumPolicyError, CiliumPolicyErrorProps, Diagnostic, Errors, Severity } from './core/errors';

// Model: the policy IR, its reader and emitter.
export { ParseDiagnosticId } from './model/parse-diagnostic-id';
export {
  DocumentSource, IParsedDocument, IParsedRawRules, ISkippedDocument, ParseOptions, ParseResult, SourceDiagnostic, SourcePosition,
} from './model/parse-result';
export {
  AuthenticationModel, CidrRuleModel, DefaultDenyModel, FqdnSelectorModel, HeaderMatchModel, HttpRuleModel, IcmpFieldModel, IcmpRuleModel,
  KafkaRuleModel, L7RulesModel, LabelExpressionModel, LabelSelectorModel, LogConfigModel, PeerField, PolicyDocumentModel, PolicyKind,
  PolicyMetadataModel, PortProtocolModel, PortRuleModel, RuleItemModel, RuleLabelModel, RuleModel, SecretReferenceModel, SectionName,
  ServiceLabelSelectorModel, ServiceReferenceModel, ServiceSelectorModel,
} from './model/policy-model';
export { PolicyModel } from './model/policy-model-io';
export { AnnotatedDocument, SynthesizedVersion, VersionAnnotation } from './model/version-annotation';

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
export { ReportDiagnostic, ReportFile, ReportFileStatus, ReportSummary, ReportVersion, ValidationReport } from './validate/validation-report';
export { Validator } from './validate/validator';

// Constructs and value objects.
export { Builtins, DnsCompanionOptions } from './constructs/builtins';
export { CiliumPolicy, CiliumPolicyProps } from './constructs/cilium-policy';
export { ClusterDefaultDeny, ClusterDefaultDenyProps } from './constructs/cluster-default-deny';
export { ClusterwidePolicy, ClusterwidePolicyProps } from './constructs/clusterwide-policy';
export { DefaultDenyNamespace, DefaultDenyNamespaceProps } from './constructs/default-deny-namespace';
export { Entity } from './constructs/entity';
export { FqdnEgress, FqdnEgressProps } from './constructs/fqdn-egress';
export { HostFirewall, HostFirewallProps, RoutingMode } from './constructs/host-firewall';
export { LockoutExemption, LockoutExemptionsAnnotation, LockoutPath } from './validate/lockout-guard';
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
export { Endpoint, EndpointKind, Endpoints, NamedPort, PodEndpointOptions } from './engine/endpoint';
export { CidrGroupSpec, EndpointInventory, InventoryHostPort, InventoryService, InventoryServicePort, InventoryWorkload, NodePortOwner } from './engine/inventory';
export { HttpRequest, KafkaRequest } from './engine/l7';
export { EngineMatcherOptions } from './engine/matchers';
export { PolicyText } from './engine/policy-inputs';
export { PolicySet } from './engine/policy-set';
export { ConnectivitySources, HostFirewallMode, IpFamilies, PolicyEnforcement, PolicySetOptions, YamlPolicySetOptions } from './engine/policy-set-options';
export { ConnectionSpec, HttpRequestOptions, Queries } from './engine/query';
export { SkippedRule } from './engine/skipped-rules';
export {
  L7Outcome, L7Protocol, L7Result, RestrictionListener, RestrictionTlsContext, SideDecision, SideVerdict, TrafficDirection, UnevaluatedRestriction,
  Verdict, VerdictKind, VerdictPolicyRef, VerdictQuery, VerdictRuleRef,
} from './engine/verdict';
export { Verdicts } from './engine/verdicts';
export { IPortSpec, PortMatchModel } from './model/port-spec';

// Hubble flows: replay and draft.
export {
  ClusterDecisions, ClusterPolicyRef, ClusterSide, CollectOptions, Connections, FlowCapture, IdentityResolution, IdentityResolutionMethod,
  ObservedConnection, ObservedVerdict, TimeWindow, TimeWindowSeconds, UnknownDropReason, UnknownDropReasonsOverflow,
} from './hubble/connections';
export {
  Draft, DraftNamespaceLeftOut, DraftOptions, DraftPeer, DraftPeerKind, DraftPlan, DraftPolicy, DraftPort, DraftRule, DraftTypeScriptOptions,
} from './hubble/draft';
export { FlowFormatCounts, FlowReadOptions, FlowReadStats, FlowSource, MalformedLine } from './hubble/flow-reader';
export { FlowPeer, FlowPeerKind, FlowSkipReason, FlowWorkload } from './hubble/flow';
export { ReplayFormat, ReplayTableOptions } from './hubble/format';
export {
  ClusterDisagreement, ClusterSideDecision, ClusterVerdict, ConnectionChange, DropSource, EngineSideDecision, NamespaceRollout, ObservedSides, Replay,
  ReplayConnection, ReplayError, ReplayIpFamilies, ReplayObserved, ReplayOptions, ReplayPredicted, ReplayReport, ReplaySummary,
  ReplayUnknownConnection, SkippedRecords, UnknownEnd,
} from './hubble/replay';

// Connectivity diff and report.
export {
  AllowedConnection, ChangeReasons, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityReportDocument, DecidingReason,
  DiffSummary, EndpointClass, EndpointClassKind, NotCompared, NotJudged, PolicySource,
} from './model/connectivity-document';
export { JudgedIpFamilies } from './model/judged-ip-families';
export { AgentSettings } from './model/agent-settings';
export { Connectivity, ConnectivityOptions, DiffOptions, ReportOptions } from './diff/connectivity';
export { ClassifiedEndpoint } from './diff/endpoint-classes';
export { ExpectedConnectivityChange, UnexpectedChanges } from './diff/expected-changes';
export { ConnectivityFormat, ConnectivityOutput } from './diff/format';

// Testing helpers (the matchers: cdk8s-cilium/vitest, cdk8s-cilium/jest).
export { CiliumTesting } from './testing/cilium-testing';

// cdk8s validation plugin.
export { CiliumValidation, CiliumValidationProps, IPluginReport, PluginContext, PluginViolatingResource, PluginViolation } from './plugin/cilium-validation';
