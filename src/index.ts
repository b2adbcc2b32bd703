export * from './constructs/entity';
export * from './core/errors';
export * from './constructs/selector';
export * from './constructs/peer';
export * from './constructs/port';
export * from './constructs/l7';
export * from './constructs/policy-rule';
export * from './constructs/policy-base';
export * from './constructs/cilium-policy';
export * from './constructs/clusterwide-policy';
export * from './core/cilium-version';
export * from './model/version-annotation';
export * from './model/policy-model';
export * from './model/emit';
export * from './constructs/workload';
export * from './constructs/builtins';
export * from './constructs/default-deny-namespace';
export * from './constructs/cluster-default-deny';
export * from './constructs/fqdn-egress';
export * from './constructs/tiered-app';
export * from './constructs/host-firewall';
export * from './constructs/metadata-endpoint-block';
export * from './constructs/monitoring-scrape';
export * from './constructs/synth';
export * from './model/parse';
export * from './validate';
export * from './testing';
export * from './engine';
export * from './plugin';
export * from './hubble';
// The connectivity diff and report (`PolicySet.diff`, `cdk8s-cilium diff`/`report`).
export {
  AllowedConnection, ClassifiedEndpoint, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityOptions,
  ConnectivityOutput, ConnectivityReportDocument, DIFF_SCHEMA, DecidingReason, DiffMatchers, EndpointClass, EndpointClassKind,
  ExpectedConnectivityChange, NotCompared, PolicySource, REPORT_SCHEMA, UnexpectedChanges, connectivityReport, describeChange,
  diffMatchers, diffPolicySets, endpointClasses, formatConnectivityDiffMarkdown, formatConnectivityDiffText, formatConnectivityJson,
  formatConnectivityReportMarkdown, formatConnectivityReportText, renderDiffHtml, renderReportHtml, unexpectedChanges,
} from './diff';
