// Hubble flow logs: a streaming reader, normalisation to connection attempts, grouping into connections, replay against
// policies (audit), and policy drafts from observed traffic. The layer's modules for the CLI and the tests; the public API
// is what src/index.ts lists.
export {
  FlowFormatCounts, FlowHandler, FlowReadOptions, FlowReadStats, FlowSource, LineHandler, LineReadStats, MalformedLine,
  forEachLine, readFlows,
} from './flow-reader';
export {
  FLOW_SKIP_REASONS, FlowPeer, FlowPeerKind, FlowSkipReason, FlowWorkload, HubbleDns, HubbleEndpoint, HubbleEventType, HubbleFlow, HubbleHttp,
  HubbleHttpHeader, HubbleIcmp, HubbleIp, HubbleKafka, HubbleL4, HubbleL7, HubblePolicy, HubblePorts, HubbleWorkload, NormalizedFlow,
  ObservedFlowVerdict, normalizeFlow,
} from './flow';
export {
  ClusterDecisions, ClusterPolicyRef, ClusterSide, CollectOptions, ConnectionCollector, Connections, FlowCapture, IdentityResolution,
  IdentityResolutionMethod, ObservedConnection, ObservedVerdict, TimeWindow, TimeWindowSeconds, UnknownDropReason, UnknownDropReasonsOverflow,
  collectConnections,
  observedFlowing, observedVerdict,
} from './connections';
export {
  ClusterDisagreement, ClusterSideDecision, ClusterVerdict, ConnectionChange, DropSource, EngineSideDecision, NamespaceRollout, ObservedSides,
  REPLAY_REPORT_SCHEMA, Replay, ReplayConnection, ReplayError, ReplayIpFamilies, ReplayObserved, ReplayOptions, ReplayPredicted, ReplayReport,
  ReplaySummary, ReplayUnknownConnection, SkippedRecords, UnknownEnd, replayCapture, replayFlows,
} from './replay';
export { ReplayFormat, ReplayTableOptions, formatReplayJson, formatReplayTable } from './format';
export {
  Draft, DraftNamespaceLeftOut,
  DraftOptions, DraftPeer, DraftPeerKind, DraftPlan, DraftPolicy, DraftPort, DraftRule, DraftTypeScriptOptions, applyDraftPlan, draftSelector,
  planDraft, renderDraftTypeScript, renderDraftYaml,
} from './draft';
