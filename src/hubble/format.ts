/**
 * Replay reports for people (a table: the connections that would be dropped first, with the explanation) and for tools
 * (JSON: the report object as it is, `schema: cdk8s-cilium/replay/v1`).
 */
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { printableJson, printableLines } from '../model/printable';
import { judgedIpFamiliesText } from '../model/judged-ip-families';
import { ReplayConnection, ReplayObserved, ReplayReport, formatDuration } from './replay';
import { pushAll } from '../model/push-all';

/** Options of `ReplayFormat.table`. */
export interface ReplayTableOptions {
  /**
   * How many unchanged connections are listed (the rest are counted); -1 lists all.
   * @default 50
   */
  readonly maxUnchanged?: number;
  /**
   * How many connections of each other group (would be dropped, newly allowed, identity unknown, disagreements, not
   * judged), and how many namespaces of the rollout table, are listed; the rest are counted on one line. -1 lists all. The counts, the summary
   * and the JSON report always cover every connection.
   * @default 50
   */
  readonly maxListed?: number;
  /**
   * The number of policies judged by, for the heading.
   * @default - not shown
   */
  readonly policyCount?: number;
}

/** The options of `ReplayTableOptions` with their defaults (`option-unknown`). */
export const REPLAY_TABLE_OPTION_DEFAULTS: OptionDefaults = {
  maxUnchanged: '50',
  maxListed: '50',
  policyCount: 'not shown',
};

/** The report as JSON (two-space indented, with a final newline). */
export function formatReplayJson(report: ReplayReport): string {
  return printableJson(report);
}

/**
 * The report as text:
 * ```
 * replay of flows.jsonl: 812 records in 830 lines → 27 connections (Cilium 1.19, cluster default)
 *   IP families: ipv4 (inferred from the capture: the world identity of a single-stack cluster from Cilium 1.15 on: identity 2 (reserved:world) at line 3, and IPv4 packets: 10.0.1.5 at line 1; --ip-families overrides)
 *
 * WOULD BE DROPPED: 3 connections, 57 records
 *   pod:shop:app=frontend → pod:data:app=postgres 5432/TCP
 *     observed FORWARDED (12 records) · predicted DENIED
 *     ingress at pod:data:app=postgres: default deny: …
 * …
 * ```
 */
export function formatReplayTable(report: ReplayReport, options: ReplayTableOptions = {}): string {
  const s = report.summary;
  const n = (v: number): string => v.toLocaleString('en-US');
  const plural = (v: number, word: string, many = `${word}s`): string => `${n(v)} ${v === 1 ? word : many}`;
  const input = report.input;
  const lines: string[] = [];
  const policies = options.policyCount !== undefined ? ` against ${plural(options.policyCount, 'policy', 'policies')}` : '';
  lines.push(`replay of ${input.source}${policies}: ${plural(input.flows, 'record')} in ${plural(input.lines, 'line')} → ${plural(s.connections, 'connection')}`
    + ` (Cilium ${report.ciliumVersion}, cluster ${report.clusterName})`);
  lines.push(`  ${n(s.newlyDropped)} would be dropped, ${n(s.newlyAllowed)} newly allowed, ${n(s.unchanged)} unchanged`
    + `${s.notEvaluated > 0 ? `, ${n(s.notEvaluated)} not judged` : ''}${s.identityUnknown > 0 ? `, ${n(s.identityUnknown)} identity unknown` : ''}`
    + `${s.disagreements > 0 ? `; the engine disagrees with the cluster ${plural(s.disagreements, 'time')}` : ''}`);
  if (s.notJudgedInput !== undefined) {
    lines.push(`  NOT JUDGED WHOLE: ${s.notJudgedInput}: what they hold may be dropped; no namespace is ready to enforce`);
  }
  lines.push(`  IP families: ${judgedIpFamiliesText(report.ipFamilies)}`);

  const dropped = report.connections.filter((c) => c.change === 'newly-dropped');
  const allowed = report.connections.filter((c) => c.change === 'newly-allowed');
  const unchanged = report.connections.filter((c) => c.change === 'unchanged');
  lines.push('');
  lines.push(`WOULD BE DROPPED: ${plural(dropped.length, 'connection')}, ${plural(s.newlyDroppedFlows, 'record')}`);
  if (dropped.length === 0) {
    // Connections the engine could not judge are no connections policy does not decide: named, with where they are listed.
    const unjudged = s.notEvaluated > 0 ? `${plural(s.notEvaluated, 'connection')} could not be judged (see NOT JUDGED)` : undefined;
    lines.push(s.connections === 0
      ? `  none, as no connection was judged: ${unjudged ?? 'the capture holds no connection that policy decides (see SUMMARY)'}`
      : s.notJudgedInput === undefined && unjudged === undefined ? '  none: every connection the cluster let through is allowed by the policies'
        : `  none of the connections judged: every one the cluster let through is allowed by the policies (${unjudged ?? 'not all of the capture was judged'})`);
  }
  const maxListed = options.maxListed ?? 50;
  /** The first `maxListed` items of a group, then one line that counts the rest. */
  const listed = <T>(items: readonly T[], what: string, each: (item: T) => string[]): void => {
    const shown = maxListed < 0 ? items : items.slice(0, maxListed);
    for (const item of shown) pushAll(lines, each(item));
    if (shown.length < items.length) {
      lines.push(`  … ${n(items.length - shown.length)} more ${what} (--all lists them here; --output json lists every one)`);
    }
  };
  listed(dropped, 'would be dropped', detail);
  if (report.identityUnknown.length > 0) {
    lines.push('');
    lines.push(`IDENTITY UNKNOWN: ${plural(report.identityUnknown.length, 'connection')}, ${plural(s.identityUnknownFlows, 'record')} (not judged)`);
    listed(report.identityUnknown, 'of unknown identity', (c) => [
      `  ${c.source} → ${c.destination} ${c.connection}${c.request !== undefined ? ` ${c.request}` : ''}`,
      `    observed ${c.observed.verdict.toUpperCase()} (${counts(c.observed)}; first at line ${c.observed.firstLine}) · ${c.reason}`,
    ]);
  }
  if (report.disagreements.length > 0) {
    lines.push('');
    lines.push(`THE ENGINE DISAGREES WITH THE CLUSTER: ${plural(report.disagreements.length, 'finding')}`
      + ' (if these policies were in force while the capture ran, the engine is wrong here: please report it)');
    listed(report.disagreements, 'findings', (d) => [
      `  ${d.source} → ${d.destination} ${d.connection}${d.request !== undefined ? ` ${d.request}` : ''} (first at line ${d.firstLine})`,
      `    ${d.side} at ${d.endpoint}: cluster ${d.cluster.verdict.toUpperCase()}`
        + `${d.cluster.policies.length > 0 ? ` by ${d.cluster.policies.join(', ')}` : ''}${d.cluster.reasons.length > 0 ? ` (${d.cluster.reasons.join(', ')})` : ''}`
        + ` · engine ${d.engine.decision}${d.engine.policy !== undefined ? ` by ${d.engine.policy}` : ''}`,
      `    ${d.message}`,
    ]);
  }
  if (allowed.length > 0) {
    lines.push('');
    lines.push(`NEWLY ALLOWED: ${plural(allowed.length, 'connection')}, ${plural(allowed.reduce((a, c) => a + c.observed.flows, 0), 'record')}`);
    listed(allowed, 'newly allowed', detail);
  }
  if (unchanged.length > 0) {
    const max = options.maxUnchanged ?? 50;
    const shown = max < 0 ? unchanged : unchanged.slice(0, max);
    lines.push('');
    lines.push(`UNCHANGED: ${plural(unchanged.length, 'connection')}`);
    const w = shown.reduce((max, c) => Math.max(max, n(c.observed.flows).length), 7);
    lines.push(`  ${'observed'.padEnd(10)}${'predicted'.padEnd(11)}${'records'.padStart(w)}  connection`);
    for (const c of shown) {
      lines.push(`  ${c.observed.verdict.toUpperCase().padEnd(10)}${c.predicted.verdict.toUpperCase().padEnd(11)}${n(c.observed.flows).padStart(w)}  ${head(c)}`);
    }
    if (shown.length < unchanged.length) lines.push(`  … ${n(unchanged.length - shown.length)} more (--output json lists every connection)`);
  }
  if (report.errors.length > 0) {
    lines.push('');
    lines.push(`NOT JUDGED: ${plural(report.errors.length, 'connection')}`);
    listed(report.errors, 'not judged', (e) => [`  ${e.connection}: ${e.message}`]);
  }

  if (report.namespaces.length > 0) {
    lines.push('');
    lines.push('ROLLOUT BY NAMESPACE (observe → codify → audit → enforce)');
    const namespaces = maxListed < 0 ? report.namespaces : report.namespaces.slice(0, maxListed);
    const w = namespaces.reduce((max, x) => Math.max(max, x.namespace.length), 9);
    lines.push(`  ${'namespace'.padEnd(w)}  connections  would drop  audited  unknown  ready`);
    for (const x of namespaces) {
      lines.push(`  ${x.namespace.padEnd(w)}  ${n(x.connections).padStart(11)}  ${n(x.wouldBeDropped).padStart(10)}  ${n(x.audited).padStart(7)}  `
        + `${n(x.identityUnknown).padStart(7)}  ${x.readyToEnforce ? 'yes' : 'no'}`);
    }
    listed(report.namespaces, 'namespaces', (x) => [`  ${x.namespace}: ${x.reason}`]);
  }

  lines.push('');
  lines.push('SUMMARY');
  lines.push(`  connections: ${n(s.newlyDropped)} would be dropped (${plural(s.newlyDroppedFlows, 'record')}), ${n(s.newlyAllowed)} newly allowed, `
    + `${n(s.unchanged)} unchanged, of ${n(s.connections)} (${plural(s.flows, 'record')})`
    // What was not judged stays beside the judged total: "of 0" alone read as a capture with nothing to judge.
    + `${s.notEvaluated > 0 ? `; ${n(s.notEvaluated)} not judged (see NOT JUDGED)` : ''}`
    + `${s.identityUnknown > 0 ? `; ${n(s.identityUnknown)} of unknown identity, not judged` : ''}`);
  if (s.window !== undefined) lines.push(`  window: ${formatDuration(s.window.seconds)}, ${s.window.first} to ${s.window.last}`);
  if (report.resolved.length > 0) {
    const shown = report.resolved.slice(0, 5).map((r) => `${r.end} (by ${r.by})`).join(', ');
    lines.push(`  identities resolved from the rest of the capture: ${shown}${report.resolved.length > 5 ? `, … ${n(report.resolved.length - 5)} more` : ''}`);
  }
  if (s.topDropSources.length > 0) {
    lines.push(`  top sources of drops: ${s.topDropSources.map((d) => `${d.source} (${plural(d.connections, 'connection')}, ${plural(d.flows, 'record')})`).join('; ')}`);
  }
  const formats = [input.formats.jsonpb > 0 ? `${n(input.formats.jsonpb)} jsonpb` : '', input.formats.legacy > 0 ? `${n(input.formats.legacy)} legacy json` : '']
    .filter((x) => x !== '').join(', ');
  lines.push(`  input: ${plural(input.lines, 'line')}${input.gzip ? ' (gzip)' : ''}, ${plural(input.flows, 'flow record')}${formats ? ` (${formats})` : ''}`
    + `${Object.keys(input.otherRecords).length > 0 ? `, other records: ${Object.entries(input.otherRecords).map(([k, v]) => `${k} ${n(v)}`).join(', ')}` : ''}`);
  if (report.skipped.total > 0) {
    const reasons = Object.entries(report.skipped.byReason).map(([k, v]) => `${k} ${n(v ?? 0)}`).join(', ');
    lines.push(`  skipped ${plural(report.skipped.total, 'record')} that policy does not decide: ${reasons}`);
  }
  if (input.malformedCount > 0) {
    const shown = input.malformed.slice(0, 10).map((m) => `line ${m.line} (${m.reason})`).join('; ');
    lines.push(`  malformed: ${plural(input.malformedCount, 'line')}: ${shown}${input.malformedCount > 10 ? `; … ${n(input.malformedCount - 10)} more` : ''}`);
  }
  for (const w of report.warnings) if (!/malformed line/.test(w)) lines.push(`  warning: ${w}`);
  return printableLines(lines);
}

function head(c: ReplayConnection): string {
  const names = c.predicted.resolvedName === undefined && c.destinationNames.length > 0 ? ` (${c.destinationNames.slice(0, 3).join(', ')})` : '';
  return `${c.source} → ${c.destination}${names} ${c.connection}${c.request !== undefined ? ` ${c.request}` : ''}`;
}

function counts(o: ReplayObserved): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  return [
    o.forwarded > 0 ? `${n(o.forwarded)} forwarded` : '', o.audit > 0 ? `${n(o.audit)} audit` : '', o.dropped > 0 ? `${n(o.dropped)} dropped` : '',
    o.l7Denied > 0 ? `${n(o.l7Denied)} L7-denied` : '',
  ].filter((x) => x !== '').join(', ');
}

function detail(c: ReplayConnection): string[] {
  const o = c.observed;
  const extra = [
    o.seenOnce ? 'seen once' : '',
    o.dropReasons.length > 0 ? o.dropReasons.join(', ') : '',
    `first at line ${o.firstLine}`,
  ].filter((x) => x !== '').join('; ');
  const out = [
    `  ${head(c)}`,
    `    observed ${o.verdict.toUpperCase()} (${counts(o)}; ${extra}) · predicted ${c.predicted.verdict.toUpperCase()}`,
  ];
  // One line per side that drops or refuses it, with its near misses (the rule that nearly allowed it is often the fix).
  const deciding = [c.predicted.egress, c.predicted.ingress]
    .filter((s) => !s.allowed || s.decision === 'l7-denied');
  if (deciding.length === 0) out.push(`    ${c.predicted.reason}`);
  for (const side of deciding) {
    out.push(`    ${side.direction} at ${side.endpoint}: ${side.reason}`);
    if (side.decision !== 'l7-denied') pushAll(out, side.notes.slice(0, 3).map((note) => `      note: ${note}`));
  }
  return out;
}

/** The two forms of a replay report: a table for people, JSON for tools. */
export class ReplayFormat {
  /**
   * The report as JSON (two-space indented, with a final newline): the report object as it is.
   * @param report the replay report
   */
  public static json(report: ReplayReport): string {
    return formatReplayJson(report);
  }

  /**
   * The report as text: the connections that would be dropped first, each with the explanation, then the rest.
   * @param report the replay report
   * @param options how many unchanged connections, and how many of each other group, are listed; the policy count for the heading
   */
  public static table(report: ReplayReport, options: ReplayTableOptions = {}): string {
    checkOptionKeys(options, REPLAY_TABLE_OPTION_DEFAULTS, { call: 'ReplayFormat.table()', risk: 'so the table would list other connections than asked' });
    return formatReplayTable(report, options);
  }

  private constructor() {}
}
