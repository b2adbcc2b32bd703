/**
 * The text, markdown and JSON forms of the diff and report documents (`--output text|markdown|json`). The HTML form is
 * `html.ts`; `ConnectivityFormat` is the public face of both.
 */
import {
  AllowedConnection, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityReportDocument, EndpointClass,
} from '../model/connectivity-document';
import { printableJson, printableLines as textLines, withoutControls } from '../model/printable';
import { FQDN_CLASS_NOTE, mentionsFqdnClass } from './fqdn-classes';
import { renderDiffHtml, renderReportHtml } from './html';
import { judgedIpFamiliesText } from '../model/judged-ip-families';
import { agentSettingsLines } from '../engine/agent-settings-table';
import { pushAll } from '../model/push-all';

/** The closed set of output formats of `diff` and `report`. */
export enum ConnectivityOutput {
  /** Readable lines. */
  TEXT = 'text',
  /** A pull-request comment: a summary line and a table. */
  MARKDOWN = 'markdown',
  /** The document (stable key order). */
  JSON = 'json',
  /** One self-contained page with a connectivity map. */
  HTML = 'html',
}

/**
 * The outputs of the connectivity documents (`Connectivity.diff`, `Connectivity.report`): what `cdk8s-cilium diff` and
 * `cdk8s-cilium report` print with `--output text|markdown|json|html`. Every form is deterministic (the same document
 * gives byte-identical output), and names from the input are inert in each (no control characters in text, no mentions
 * or links in markdown, everything escaped in HTML).
 */
export class ConnectivityFormat {
  /** A diff document in an output format (`--output`). */
  public static diff(doc: ConnectivityDiffDocument, output: ConnectivityOutput): string {
    switch (output) {
      case ConnectivityOutput.JSON:
        return formatConnectivityJson(doc);
      case ConnectivityOutput.MARKDOWN:
        return formatConnectivityDiffMarkdown(doc);
      case ConnectivityOutput.HTML:
        return renderDiffHtml(doc);
      default:
        return formatConnectivityDiffText(doc);
    }
  }

  /** A report document in an output format (`--output`). */
  public static report(doc: ConnectivityReportDocument, output: ConnectivityOutput): string {
    switch (output) {
      case ConnectivityOutput.JSON:
        return formatConnectivityJson(doc);
      case ConnectivityOutput.MARKDOWN:
        return formatConnectivityReportMarkdown(doc);
      case ConnectivityOutput.HTML:
        return renderReportHtml(doc);
      default:
        return formatConnectivityReportText(doc);
    }
  }

  /** A diff as readable lines (`--output text`): the summary, then NEWLY ALLOWED, L7 CHANGED, NEWLY DENIED with both reasons. */
  public static diffText(doc: ConnectivityDiffDocument): string {
    return formatConnectivityDiffText(doc);
  }

  /** A diff as a pull-request comment (`--output markdown`): a summary line and a table, newly allowed first. */
  public static diffMarkdown(doc: ConnectivityDiffDocument): string {
    return formatConnectivityDiffMarkdown(doc);
  }

  /** A diff as JSON (`--output json`): two-space indented, with a final newline, keys in the document's stable order. */
  public static diffJson(doc: ConnectivityDiffDocument): string {
    return formatConnectivityJson(doc);
  }

  /** A diff as one self-contained HTML page with a connectivity map (`--output html`). */
  public static diffHtml(doc: ConnectivityDiffDocument): string {
    return renderDiffHtml(doc);
  }

  /** A report as readable lines (`--output text`): one allowed connection per line, with what allows it. */
  public static reportText(doc: ConnectivityReportDocument): string {
    return formatConnectivityReportText(doc);
  }

  /** A report as markdown (`--output markdown`): a summary line and a table of allowed connections. */
  public static reportMarkdown(doc: ConnectivityReportDocument): string {
    return formatConnectivityReportMarkdown(doc);
  }

  /** A report as JSON (`--output json`): two-space indented, with a final newline, keys in the document's stable order. */
  public static reportJson(doc: ConnectivityReportDocument): string {
    return formatConnectivityJson(doc);
  }

  /** A report as one self-contained HTML page with a connectivity map (`--output html`). */
  public static reportHtml(doc: ConnectivityReportDocument): string {
    return renderReportHtml(doc);
  }

  /**
   * One change as one line, as the `toChangeOnly` matcher lists it: `+ prod/app=web → prod/app=api 9090/TCP (after: …)`
   * (newly allowed), `- …` (newly denied), `~ … (L7: … → …)`.
   */
  public static describeChange(change: ConnectivityChange): string {
    return describeChange(change);
  }

  private constructor() {}
}

/** `+ prod/app=web → prod/app=api 9090/TCP` (newly allowed), `- …` (newly denied), `~ … (L7)`. */
export function describeChange(c: ConnectivityChange): string {
  const mark = c.before === c.after ? '~' : c.after === ConnectionVerdict.ALLOWED ? '+' : '-';
  const l7 = c.before === c.after ? ` (L7: ${c.l7Before ?? 'none'} → ${c.l7 ?? 'none'})` : c.l7 !== undefined ? ` [${c.l7}]` : '';
  return `${mark} ${c.from} → ${c.to} ${c.ports.join(', ')}${l7} (after: ${c.reason.after.text})`;
}

/** The document as JSON, two-space indented, with a final newline (keys in the document's own, stable order). */
export function formatConnectivityJson(doc: ConnectivityDiffDocument | ConnectivityReportDocument): string {
  return printableJson(doc);
}

/** `1 newly allowed, 2 newly denied` (and `, 1 L7 changed`). */
function summaryText(doc: ConnectivityDiffDocument): string {
  const s = doc.summary;
  return `${s.newlyAllowed} newly allowed, ${s.newlyDenied} newly denied${s.l7Changed ? `, ${s.l7Changed} L7 changed` : ''}`;
}

function names(doc: { readonly endpoints: readonly EndpointClass[] }): (id: string) => string {
  const byId = new Map(doc.endpoints.map((e) => [e.id, e.name]));
  return (id) => byId.get(id) ?? id;
}

function changeKind(c: ConnectivityChange): 'allowed' | 'l7' | 'denied' {
  return c.before === c.after ? 'l7' : c.after === 'allowed' ? 'allowed' : 'denied';
}

/**
 * A diff as readable lines:
 * ```
 * connectivity diff: base (2 policies) → head (2 policies): 1 newly allowed, 0 newly denied
 * NEWLY ALLOWED
 *   + prod/app=web → prod/app=api 9090/TCP
 *       before: default deny at ingress of prod/app=api (selected by CiliumNetworkPolicy prod/api)
 *       after:  allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0]
 * ```
 */
export function formatConnectivityDiffText(doc: ConnectivityDiffDocument): string {
  const name = names(doc);
  const lines = [`connectivity diff: ${doc.base.source} (${policyCount(doc.base.policies)}) → ${doc.head.source} (${policyCount(doc.head.policies)}): ${summaryText(doc)}`];
  if (doc.ipFamilies !== undefined) lines.push(`IP families: ${judgedIpFamiliesText(doc.ipFamilies)}`);
  if (doc.sctp !== undefined) lines.push(sctpText(doc.sctp));
  pushAll(lines, agentSettingsLines(doc));
  if (doc.changes.length === 0) {
    lines.push(`no connectivity change between the ${doc.endpoints.length} endpoint classes${doc.notCompared ? ' (but see NOT COMPARED)' : ''}`);
  }
  if (mentionsFqdnClass(doc, doc.changes)) lines.push(`note: ${FQDN_CLASS_NOTE}`);
  if (doc.notCompared) {
    lines.push('NOT COMPARED');
    for (const n of doc.notCompared) lines.push(`  ? ${n.text}`);
  }
  const sections: [ReturnType<typeof changeKind>, string, string][] = [['allowed', 'NEWLY ALLOWED', '+'], ['l7', 'L7 CHANGED', '~'], ['denied', 'NEWLY DENIED', '-']];
  for (const [kind, title, mark] of sections) {
    const list = doc.changes.filter((c) => changeKind(c) === kind);
    if (list.length === 0) continue;
    lines.push(title);
    for (const c of list) {
      const l7 = kind === 'l7' ? ` L7: ${c.l7Before ?? '(no L7 restriction)'} → ${c.l7 ?? '(no L7 restriction)'}` : c.l7 !== undefined ? ` [${c.l7}]` : '';
      lines.push(`  ${mark} ${name(c.from)} → ${name(c.to)} ${c.ports.join(', ')}${l7}`);
      lines.push(`      before: ${c.reason.before.text}`);
      lines.push(`      after:  ${c.reason.after.text}`);
    }
  }
  return textLines(lines);
}

/** The text header's SCTP line: whether SCTP was judged (`any` and `ANY` include it only then). */
function sctpText(sctp: boolean): string {
  return sctp ? 'SCTP: judged (enable-sctp: --sctp)'
    : 'SCTP: not judged (enable-sctp off, Cilium\'s default: the datapath drops SCTP before any policy, so any and ANY here are TCP and UDP; '
      + '--sctp if the cluster enables it)';
}

/** `1 policy`, `2 policies`. */
function policyCount(n: number): string {
  return `${n} ${n === 1 ? 'policy' : 'policies'}`;
}

/**
 * Lines as text, each kept on its line: control characters (a newline or an ANSI escape in a policy name) become
 * U+FFFD, so names from the input cannot forge lines of the output or drive the terminal.
 */

/** A report as readable lines: one allowed connection per line, with what allows it. */
export function formatConnectivityReportText(doc: ConnectivityReportDocument): string {
  const name = names(doc);
  const lines = [`connectivity report: ${doc.policies.source} (${policyCount(doc.policies.policies)}): ${doc.connections.length} allowed connections `
    + `between ${doc.endpoints.length} endpoint classes (a pair not listed is denied)`];
  if (doc.ipFamilies !== undefined) lines.push(`IP families: ${judgedIpFamiliesText(doc.ipFamilies)}`);
  if (doc.sctp !== undefined) lines.push(sctpText(doc.sctp));
  pushAll(lines, agentSettingsLines(doc));
  if (mentionsFqdnClass(doc, doc.connections)) lines.push(`note: ${FQDN_CLASS_NOTE}`);
  if (doc.notJudged) {
    lines.push('NOT JUDGED');
    for (const n of doc.notJudged) lines.push(`  ? ${n.text}`);
  }
  for (const c of doc.connections) {
    lines.push(`  ${name(c.from)} → ${name(c.to)} ${c.ports.join(', ')}${c.l7 !== undefined ? ` [${c.l7}]` : ''}`);
    lines.push(`      ${c.reason.text}`);
  }
  return textLines(lines);
}

/**
 * Escapes text for a markdown table cell: no HTML, no table or emphasis syntax, one line, and no @-mention or autolink
 * (a zero-width space after `@` and in `://` and `www.`, as dependency bots do), so that a policy name cannot ping a team
 * or plant a link in the pull request.
 */
export function escapeMarkdownCell(text: string): string {
  return withoutControls(text.replace(/&/g, '&amp;').replace(/[\\`*_[\]|<>#~!]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, ' '))
    .replace(/@/g, '@&#8203;').replace(/:\/\//g, ':&#8203;//').replace(/www\./gi, (w) => `${w.slice(0, 3)}&#8203;.`);
}

/** GitHub refuses comments longer than 65,536 characters: tables stop well before, saying how many rows are left out. */
const MARKDOWN_BUDGET = 60_000;

/** Table rows within the budget, then a line counting the rest. */
function budgeted(head: readonly string[], rows: readonly string[], rest: (n: number) => string): string[] {
  const out = [...head];
  let size = out.reduce((n, l) => n + l.length + 1, 0);
  for (let i = 0; i < rows.length; i++) {
    if (size + rows[i].length + 1 > MARKDOWN_BUDGET) {
      out.push('', rest(rows.length - i));
      return out;
    }
    out.push(rows[i]);
    size += rows[i].length + 1;
  }
  return out;
}

/**
 * A diff as a pull-request comment: a summary line and a table (newly allowed first), cell text escaped.
 */
export function formatConnectivityDiffMarkdown(doc: ConnectivityDiffDocument): string {
  const name = names(doc);
  const e = escapeMarkdownCell;
  const lines = [`**Connectivity diff** (${e(doc.base.source)} → ${e(doc.head.source)}): ${summaryText(doc)}`, ...ipFamiliesMarkdown(doc), ''];
  if (mentionsFqdnClass(doc, doc.changes)) lines.push(`> ℹ️ ${e(FQDN_CLASS_NOTE)}`, '');
  for (const n of doc.notCompared ?? []) lines.push(`> ⚠️ Not compared: ${e(n.text)}`, '');
  if (doc.changes.length === 0) {
    lines.push(`No connectivity change between the ${doc.endpoints.length} endpoint classes.`);
    return `${lines.join('\n')}\n`;
  }
  const rows = doc.changes.map((c) => {
    const kind = changeKind(c);
    const label = kind === 'allowed' ? '🟢 newly allowed' : kind === 'denied' ? '🔴 newly denied' : '🟡 L7 changed';
    const l7 = kind === 'l7' ? `${c.l7Before ?? '(no L7 restriction)'} → ${c.l7 ?? '(no L7 restriction)'}` : c.l7 ?? '';
    return `| ${label} | ${e(name(c.from))} | ${e(name(c.to))} | ${e(c.ports.join(', '))} | ${e(l7)} | `
      + `${e(withVerdict(c.before, c.reason.before.text))} | ${e(withVerdict(c.after, c.reason.after.text))} |`;
  });
  const table = budgeted([...lines, '| Change | From | To | Ports | L7 | Before | After |', '|---|---|---|---|---|---|---|'], rows,
    (n) => `… and ${n} more changes, left out to keep the comment under GitHub's size limit (see the JSON or HTML output).`);
  return `${table.join('\n')}\n`;
}

/**
 * The paragraphs that name the IP families judged for and the agent settings judged under (a blank line before each),
 * when the document records them.
 */
function ipFamiliesMarkdown(doc: ConnectivityDiffDocument | ConnectivityReportDocument): string[] {
  return [...doc.ipFamilies !== undefined ? ['', `IP families: ${escapeMarkdownCell(judgedIpFamiliesText(doc.ipFamilies))}`] : [],
    ...agentSettingsLines(doc).flatMap((l) => ['', escapeMarkdownCell(l)])];
}

/** `denied: default deny …`, unless the reason already starts with the verdict (`allowed by …`). */
function withVerdict(verdict: string, reason: string): string {
  return reason.startsWith(verdict) ? reason : `${verdict}: ${reason}`;
}

/** A report as markdown: a summary line and a table of allowed connections. */
export function formatConnectivityReportMarkdown(doc: ConnectivityReportDocument): string {
  const name = names(doc);
  const e = escapeMarkdownCell;
  const lines = [`**Connectivity report** (${e(doc.policies.source)}): ${doc.connections.length} allowed connections between `
    + `${doc.endpoints.length} endpoint classes`, ...ipFamiliesMarkdown(doc), ''];
  if (mentionsFqdnClass(doc, doc.connections)) lines.push(`> ℹ️ ${e(FQDN_CLASS_NOTE)}`, '');
  for (const n of doc.notJudged ?? []) lines.push(`> ⚠️ Not judged: ${e(n.text)}`, '');
  if (doc.connections.length === 0) return `${lines.join('\n')}\n`;
  const table = budgeted([...lines, '| From | To | Ports | L7 | Allowed by |', '|---|---|---|---|---|'], doc.connections.map((c) => reportRow(c, name, e)),
    (n) => `… and ${n} more connections, left out to keep the comment under GitHub's size limit (see the JSON or HTML output).`);
  return `${table.join('\n')}\n`;
}

function reportRow(c: AllowedConnection, name: (id: string) => string, e: (t: string) => string): string {
  return `| ${e(name(c.from))} | ${e(name(c.to))} | ${e(c.ports.join(', '))} | ${e(c.l7 ?? '')} | ${e(c.reason.text)} |`;
}
