// Hubble flow logs: a streaming reader, normalisation to connection attempts, grouping into connections, replay against
// policies (audit), and policy drafts from observed traffic. The public API of src/hubble.
export { FlowHandler, FlowReadOptions, FlowReadStats, FlowSource, LineHandler, LineReadStats, MalformedLine, forEachLine, readFlows } from './flow-reader';
export {
  FLOW_SKIP_REASONS, FlowPeer, FlowSkipReason, HubbleEndpoint, HubbleFlow, HubbleIcmp, HubbleIp, HubbleL4, HubbleL7, HubblePolicy, HubblePorts,
  NormalizedFlow, ObservedFlowVerdict, normalizeFlow,
} from './flow';
export {
  ClusterDecisions, ClusterPolicyRef, ClusterSide, CollectOptions, ConnectionCollector, FlowCapture, IdentityResolution, ObservedConnection,
  ObservedVerdict, TimeWindow,
  TimeWindowSeconds, collectConnections, observedFlowing, observedVerdict,
} from './connections';
export {
  ClusterDisagreement, ClusterVerdict, ConnectionChange, DropSource, NamespaceRollout, REPLAY_REPORT_SCHEMA, ReplayConnection,
  ReplayUnknownConnection, ReplayError, ReplayObserved, ReplayOptions, ReplayPredicted, ReplayReport,
  ReplaySummary, replayCapture, replayFlows,
} from './replay';
export { ReplayTableOptions, formatReplayJson, formatReplayTable } from './format';
export {
  DraftOptions, DraftPeer, DraftPlan, DraftPolicy, DraftPort, DraftRule, DraftTypeScriptOptions, applyDraftPlan, planDraft, renderDraftTypeScript,
  renderDraftYaml, draftSelector,
} from './draft';
