// The connectivity diff and report: the model (`diffPolicySets`, `connectivityReport`, `PolicySet.diff`), its endpoint
// classes, and the documents and formats the `diff` and `report` commands print. Only the public API is exported here.
export {
  AllowedConnection, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityReportDocument, DIFF_SCHEMA, DecidingReason,
  EndpointClass, EndpointClassKind, NotCompared, PolicySource, REPORT_SCHEMA,
} from './connectivity-document';
export { ClassifiedEndpoint, endpointClasses } from './endpoint-classes';
export { ConnectivityOptions, connectivityReport, diffPolicySets } from './connectivity';
export { ConnectivityOutput, formatConnectivityJson, formatConnectivityDiffMarkdown, formatConnectivityDiffText, formatConnectivityReportMarkdown, formatConnectivityReportText } from './format';
export { renderDiffHtml, renderReportHtml } from './html';
export { DiffMatchers, ExpectedConnectivityChange, UnexpectedChanges, describeChange, diffMatchers, unexpectedChanges } from './matchers';
