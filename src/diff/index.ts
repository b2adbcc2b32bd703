// The connectivity diff and report: `Connectivity` (diff, report, endpoint classes), `ConnectivityFormat` (text,
// markdown, JSON, HTML) and the documents they exchange. Only the public API is exported here; the `toChangeOnly` matcher
// comes from the `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` entry points.
export {
  AllowedConnection, ChangeReasons, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityReportDocument, DecidingReason,
  DiffSummary, EndpointClass, EndpointClassKind, NotCompared, NotJudged, PolicySource,
} from '../model/connectivity-document';
export { JudgedIpFamilies } from '../model/judged-ip-families';
export { AgentSettings } from '../model/agent-settings';
export { ClassifiedEndpoint } from './endpoint-classes';
export { Connectivity, ConnectivityOptions, DiffOptions, ReportOptions } from './connectivity';
export { ExpectedConnectivityChange, UnexpectedChanges } from './expected-changes';
export { ConnectivityFormat, ConnectivityOutput } from './format';
