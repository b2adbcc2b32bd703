/**
 * `--output html` of `cdk8s-cilium diff` and `report`: one self-contained page (inline CSS, inline SVG, a few lines of
 * inline script, no fetch of any kind) that a reviewer opens from a CI artifact. The connectivity map is laid out here,
 * deterministically: the same document gives byte-identical HTML.
 *
 * Every string of the document is hostile input (names come from anyone's YAML): it only ever reaches the page through
 * `escapeHtml`, as element text or as a double-quoted attribute value, never inside `<style>` or `<script>`. The
 * Content-Security-Policy allows nothing but the page's own style and script (by hash), as a second line of defence.
 */
import { createHash } from 'node:crypto';
import {
  AllowedConnection,
  ConnectivityChange,
  ConnectivityDiffDocument,
  ConnectivityReportDocument,
  DecidingReason,
  EndpointClass,
  EndpointClassKind,
  PolicySource,
} from '../model/connectivity-document';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { FQDN_CLASS_NOTE, mentionsFqdnClass } from './fqdn-classes';
import { judgedIpFamiliesText } from '../model/judged-ip-families';
import { agentSettingsLines } from '../engine/agent-settings-table';
import { UNPRINTABLE_KEEPING_LINE_BREAKS } from '../model/printable';

/** How an edge of the map is drawn: the two directions of a diff, or an allowed connection of a report. */
enum EdgeKind {
  NEWLY_ALLOWED = 'newly-allowed',
  NEWLY_DENIED = 'newly-denied',
  ALLOWED = 'allowed',
}

/** Edge colours; each is used for that kind's edges and legend only, so a screenshot can find them. */
const EDGE_COLOUR: Record<EdgeKind, string> = {
  [EdgeKind.NEWLY_ALLOWED]: '#d1242f',
  [EdgeKind.NEWLY_DENIED]: '#0969da',
  [EdgeKind.ALLOWED]: '#1a7f37',
};

const EDGE_TEXT: Record<EdgeKind, string> = {
  [EdgeKind.NEWLY_ALLOWED]: 'newly allowed',
  [EdgeKind.NEWLY_DENIED]: 'newly denied',
  [EdgeKind.ALLOWED]: 'allowed',
};

/** With more classes than this, the map draws only the classes that an edge touches. */
const MAP_ALL_CLASSES_LIMIT = 200;
/** With more classes than this to draw, the map is left out (the table still lists everything). */
const MAP_MAX_NODES = 400;
/** With more edges than this, edge labels are left to the tooltips. */
const EDGE_LABEL_LIMIT = 60;

// Geometry, in CSS pixels.
const MARGIN = 24;
const NODE_W = 168;
const NODE_H = 30;
const NODE_VGAP = 12;
const NODE_HGAP = 72;
const BOX_PAD = 14;
const BOX_HEAD = 26;
const GRID_GAP = 96;
const ROWS_PER_COLUMN = 8;
const MAX_GRID_COLUMNS = 4;
const NODE_LABEL_CHARS = 24;
const EDGE_LABEL_CHARS = 34;

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; background: #ffffff; margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.summary { font-size: 16px; font-weight: 600; margin: 4px 0; }
.sources, .note { color: #59636e; margin: 4px 0; }
.empty { margin: 24px 0; padding: 18px 20px; border: 1px solid #d1d9e0; border-radius: 8px; background: #f6f8fa; font-size: 16px; }
.legend { display: flex; flex-wrap: wrap; gap: 18px; align-items: center; margin: 6px 0 10px; color: #59636e; }
.legend label { display: inline-flex; gap: 6px; align-items: center; cursor: pointer; }
.legend svg { vertical-align: middle; }
.map-scroll { overflow: auto; border: 1px solid #d1d9e0; border-radius: 8px; background: #ffffff; }
.map-scroll svg { display: block; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.ns rect { fill: #f6f8fa; stroke: #d1d9e0; stroke-width: 1; }
.ns.outside rect { fill: #ffffff; stroke: #afb8c1; stroke-dasharray: 5 4; }
.ns text { font-size: 12px; font-weight: 600; fill: #59636e; }
.node rect { fill: #ffffff; stroke: #818b98; stroke-width: 1.2; }
.node text { font-size: 12px; fill: #1f2328; }
.node.other-pod rect { fill: #f6f8fa; stroke-dasharray: 4 3; }
.node.world rect { fill: #fff8c5; stroke: #9a6700; }
.node.host rect { fill: #eaeef2; stroke: #59636e; }
.node.entity rect { fill: #fbefff; stroke: #8250df; }
.edge path { fill: none; stroke-width: 2.5; }
.edge text { font-size: 10.5px; fill: #1f2328; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
.edge:hover path, .edge.hl path { stroke-width: 4.5; }
.edge:hover text, .edge.hl text { font-weight: 700; }
body:has(#show-newly-allowed:not(:checked)) .edge.newly-allowed,
body:has(#show-newly-denied:not(:checked)) .edge.newly-denied { display: none; }
table { border-collapse: collapse; width: 100%; margin-top: 6px; }
th, td { border: 1px solid #d1d9e0; padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; font-weight: 600; }
tbody tr:hover, tbody tr.hl { background: #fff8c5; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.newly-allowed { background: #ffebe9; color: #82071e; border: 1px solid #ff8182; }
.badge.newly-denied { background: #ddf4ff; color: #0a3069; border: 1px solid #54aeff; }
.badge.allowed { background: #dafbe1; color: #044f1e; border: 1px solid #4ac26b; }
.meta { color: #59636e; font-size: 12px; }
details { margin-top: 20px; }
summary { cursor: pointer; font-weight: 600; }
`;

/** Hovering a table row highlights its edge, and hovering an edge its rows (both carry the edge's number). */
const SCRIPT = `
(function () {
  function mark(event, on) {
    var target = event.target instanceof Element ? event.target.closest('[data-edge]') : null;
    if (!target) return;
    var all = document.querySelectorAll('[data-edge="' + target.getAttribute('data-edge') + '"]');
    for (var i = 0; i < all.length; i++) all[i].classList.toggle('hl', on);
  }
  document.addEventListener('mouseover', function (event) { mark(event, true); });
  document.addEventListener('mouseout', function (event) { mark(event, false); });
})();
`;

/** Nothing but the inline style and script above, by hash: no fetch, no inline handler, no injected style. */
const CSP = [
  `default-src 'none'`,
  `style-src '${sha256(STYLE)}'`,
  `script-src '${sha256(SCRIPT)}'`,
  `base-uri 'none'`,
  `form-action 'none'`,
].join('; ');

/**
 * Renders a connectivity diff (`cdk8s-cilium diff --output html`) as one self-contained HTML page: a summary line with
 * the base and head sources, what it could not compare (`notCompared`, as the text and markdown outputs say it), a connectivity map (namespaces as boxes, endpoint classes as nodes, world, host and
 * entities outside the namespaces; newly allowed edges in red, newly denied in blue, each with its ports and L7 as label
 * and tooltip), and a table of the changes with the deciding rule on each side. An empty diff gives a "no connectivity
 * change" page.
 *
 * The page fetches nothing (inline CSS and SVG, a few lines of inline script for hover highlighting, a
 * Content-Security-Policy that forbids everything else) and every string of the document is escaped. The same document
 * gives byte-identical output. The SVG edges carry `data-from`, `data-to` (class ids) and `data-change`
 * (`newly-allowed` or `newly-denied`); the table rows carry the same attributes.
 * @param doc the diff document, as `diff --output json` prints it
 * @returns the HTML page, starting with `<!DOCTYPE html>`
 */
export function renderDiffHtml(doc: ConnectivityDiffDocument): string {
  const changes = [...kinded(doc.changes, EdgeKind.NEWLY_ALLOWED), ...kinded(doc.changes, EdgeKind.NEWLY_DENIED)];
  const summary = `${doc.summary.newlyAllowed} newly allowed, ${doc.summary.newlyDenied} newly denied`;
  const sources = `<p class="sources">base: ${source(doc.base)} → head: ${source(doc.head)}</p>${ipFamiliesHtml(doc)}`;
  // What the diff could not compare (counted by `--fail-on`): on the page as in the text and markdown outputs.
  const notCompared = (doc.notCompared ?? []).map((n) => `<p class="note not-compared">Not compared: ${escapeHtml(n.text)}</p>`);
  if (changes.length === 0) {
    return page('Connectivity diff: no connectivity change', 'diff empty-diff', [
      '<header>',
      '<h1>Connectivity diff</h1>',
      `<p class="summary" id="summary">${escapeHtml(summary)}</p>`,
      sources,
      ...notCompared,
      '</header>',
      '<p class="empty" id="no-change"><strong>No connectivity change.</strong> Every connection between the endpoint classes '
        + `${notCompared.length > 0 ? 'that was compared ' : ''}has the same verdict with the head policies as with the base policies `
        + '(a reformat or a rename is an empty diff).</p>',
    ]);
  }
  const classes = classIndex(doc.endpoints);
  const edges = groupEdges(changes.map(({ change, kind }) => ({
    from: change.from, to: change.to, kind, detail: portsText(change.ports, change.l7),
  })));
  const rows = changes.map(({ change, kind }, i) => {
    const edge = edges.byEntry[i];
    const verdicts = `<span class="badge ${kind}">${escapeHtml(change.before)} → ${escapeHtml(change.after)}</span>`;
    return `<tr data-from="${escapeHtml(change.from)}" data-to="${escapeHtml(change.to)}" data-change="${kind}" data-edge="${edge}">`
      + `<td>${className(classes, change.from)}</td><td>${className(classes, change.to)}</td>`
      + `<td>${portsCell(change.ports, change.l7)}</td><td>${verdicts}</td>`
      + `<td>${reasonCell(change.reason.before)}</td><td>${reasonCell(change.reason.after)}</td></tr>`;
  });
  return page(`Connectivity diff: ${summary}`, 'diff', [
    '<header>',
    '<h1>Connectivity diff</h1>',
    `<p class="summary" id="summary">${escapeHtml(summary)}</p>`,
    sources,
    ...notCompared,
    '</header>',
    ...mapSection(doc.endpoints, classes, edges.edges, [EdgeKind.NEWLY_ALLOWED, EdgeKind.NEWLY_DENIED]),
    ...tableSection('changes', `Changes (${changes.length})`, 'Newly allowed first (the security-relevant direction), then newly denied.',
      mentionsFqdnClass(doc, doc.changes), ['From', 'To', 'Ports', 'Before → after', 'Base: deciding rule', 'Head: deciding rule'], rows),
    ...classesDetails(doc.endpoints),
  ]);
}

/** The paragraphs that name the IP families judged for and the agent settings judged under, when the document records them. */
function ipFamiliesHtml(doc: ConnectivityDiffDocument | ConnectivityReportDocument): string {
  return (doc.ipFamilies !== undefined ? `\n<p class="sources" id="ip-families">IP families: ${escapeHtml(judgedIpFamiliesText(doc.ipFamilies))}</p>` : '')
    + agentSettingsLines(doc).map((l) => `\n<p class="sources agent-settings">${escapeHtml(l)}</p>`).join('');
}

/**
 * Renders a connectivity report (`cdk8s-cilium report --output html`) as one self-contained HTML page: a summary line
 * with the policies' source, a connectivity map of the allowed connections (same layout as {@link renderDiffHtml}, edges
 * with `data-from`, `data-to` and `data-verdict="allowed"`), and a table of the allowed connections with the rule that
 * allows each. Same guarantees as the diff page: nothing fetched, every string escaped, byte-identical output for the
 * same document.
 * @param doc the report document, as `report --output json` prints it
 * @returns the HTML page, starting with `<!DOCTYPE html>`
 */
export function renderReportHtml(doc: ConnectivityReportDocument): string {
  const classes = classIndex(doc.endpoints);
  const summary = `${doc.connections.length} allowed ${doc.connections.length === 1 ? 'connection' : 'connections'} `
    + `between ${doc.endpoints.length} endpoint ${doc.endpoints.length === 1 ? 'class' : 'classes'}`;
  const header = [
    '<header>',
    '<h1>Connectivity report</h1>',
    `<p class="summary" id="summary">${escapeHtml(summary)}</p>`,
    `<p class="sources">policies: ${source(doc.policies)}</p>${ipFamiliesHtml(doc)}`,
    ...(doc.notJudged ?? []).map((n) => `<p class="note not-judged">Not judged: ${escapeHtml(n.text)}</p>`),
    '</header>',
  ];
  if (doc.connections.length === 0) {
    return page('Connectivity report: no allowed connection', 'report', [
      ...header,
      '<p class="empty" id="no-connection"><strong>No allowed connection.</strong> Every pair of endpoint classes is denied.</p>',
      ...classesDetails(doc.endpoints),
    ]);
  }
  const edges = groupEdges(doc.connections.map((c) => ({ from: c.from, to: c.to, kind: EdgeKind.ALLOWED, detail: portsText(c.ports, c.l7) })));
  const rows = doc.connections.map((c: AllowedConnection, i) =>
    `<tr data-from="${escapeHtml(c.from)}" data-to="${escapeHtml(c.to)}" data-verdict="allowed" data-edge="${edges.byEntry[i]}">`
      + `<td>${className(classes, c.from)}</td><td>${className(classes, c.to)}</td>`
      + `<td>${portsCell(c.ports, c.l7)}</td><td>${reasonCell(c.reason)}</td></tr>`);
  return page(`Connectivity report: ${summary}`, 'report', [
    ...header,
    ...mapSection(doc.endpoints, classes, edges.edges, [EdgeKind.ALLOWED]),
    ...tableSection('connections', `Allowed connections (${doc.connections.length})`, 'A pair of classes that is not listed is denied.',
      mentionsFqdnClass(doc, doc.connections), ['From', 'To', 'Ports', 'Allowed by'], rows),
    ...classesDetails(doc.endpoints),
  ]);
}

/** The section of a page's table (a diff's changes, a report's connections): heading, note, the FQDN note where a row needs it, the rows. */
function tableSection(id: string, heading: string, note: string, fqdnNote: boolean, columns: readonly string[], rows: readonly string[]): string[] {
  return [
    `<section id="${id}">`,
    `<h2>${heading}</h2>`,
    `<p class="note">${note}</p>`,
    ...(fqdnNote ? [`<p class="note" id="fqdn-note">${escapeHtml(FQDN_CLASS_NOTE)}.</p>`] : []),
    '<table>',
    `<thead><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</section>',
  ];
}

/**
 * Escapes a string for HTML element text and double- or single-quoted attribute values (in HTML and inline SVG alike).
 * What the text outputs do not show as is (`UNPRINTABLE_KEEPING_LINE_BREAKS`: control characters other than tab, line
 * feed and carriage return, the bidirectional and other format characters, which a browser obeys) becomes U+FFFD.
 */
function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITY[c]).replace(UNPRINTABLE_KEEPING_LINE_BREAKS, '\ufffd');
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' };

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

function page(title: string, bodyClass: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="cdk8s-cilium">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body class="${bodyClass}">`,
    ...body,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function source(s: PolicySource): string {
  return `<code>${escapeHtml(s.source)}</code> (${escapeHtml(String(s.policies))} ${s.policies === 1 ? 'policy' : 'policies'})`;
}

function kinded(changes: readonly ConnectivityChange[], kind: EdgeKind): { change: ConnectivityChange; kind: EdgeKind }[] {
  const allowed = kind === EdgeKind.NEWLY_ALLOWED;
  return changes.filter((c) => (c.after === 'allowed') === allowed).map((change) => ({ change, kind }));
}

function portsText(ports: readonly string[], l7: string | undefined): string {
  return ports.join(', ') + (l7 ? ` ${l7}` : '');
}

function portsCell(ports: readonly string[], l7: string | undefined): string {
  return `<span class="mono">${escapeHtml(ports.join(', '))}</span>` + (l7 ? `<div class="meta">L7: ${escapeHtml(l7)}</div>` : '');
}

function reasonCell(reason: DecidingReason): string {
  const meta = [
    reason.policy === undefined ? undefined : escapeHtml(reason.policy),
    reason.location === undefined ? undefined : `<code>${escapeHtml(reason.location)}</code>`,
  ].filter((m) => m !== undefined);
  return escapeHtml(reason.text) + (meta.length > 0 ? `<div class="meta">${meta.join(' · ')}</div>` : '');
}

/** The classes by id (the first of a repeated id wins). */
function classIndex(endpoints: readonly EndpointClass[]): Map<string, EndpointClass> {
  const index = new Map<string, EndpointClass>();
  for (const c of endpoints) {
    if (!index.has(c.id)) index.set(c.id, c);
  }
  return index;
}

function className(classes: ReadonlyMap<string, EndpointClass>, id: string): string {
  const c = classes.get(id);
  return c === undefined ? `<code>${escapeHtml(id)}</code>` : escapeHtml(c.name);
}

/** The list of every class, collapsed, with its kind, labels and workloads. */
function classesDetails(endpoints: readonly EndpointClass[]): string[] {
  if (endpoints.length === 0) return [];
  const rows = endpoints.map((c) => {
    const labels = Object.entries(c.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
    return `<tr><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.kind)}</td><td class="mono">${escapeHtml(labels)}</td>`
      + `<td>${escapeHtml((c.workloads ?? []).join(', '))}</td></tr>`;
  });
  return [
    '<details id="classes">',
    `<summary>Endpoint classes (${endpoints.length})</summary>`,
    '<table>',
    '<thead><tr><th>Class</th><th>Kind</th><th>Labels</th><th>Workloads</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table>',
    '</details>',
  ];
}

// ---- Edges ----

interface EdgeEntry {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** Ports and L7 of one change or connection. */
  readonly detail: string;
}

/** One drawn edge: every entry of one (from, to, kind). */
interface MapEdge {
  readonly index: number;
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly details: string[];
}

/** Groups entries into one edge per (from, to, kind), in the order of their first entry. */
function groupEdges(entries: readonly EdgeEntry[]): { edges: MapEdge[]; byEntry: number[] } {
  const edges: MapEdge[] = [];
  const byKey = new Map<string, MapEdge>();
  const byEntry = entries.map((e) => {
    const key = JSON.stringify([e.from, e.to, e.kind]);
    let edge = byKey.get(key);
    if (edge === undefined) {
      edge = { index: edges.length, from: e.from, to: e.to, kind: e.kind, details: [] };
      edges.push(edge);
      byKey.set(key, edge);
    }
    edge.details.push(e.detail);
    return edge.index;
  });
  return { edges, byEntry };
}

// ---- The map ----

interface Point {
  readonly x: number;
  readonly y: number;
}

interface NodeBox {
  readonly cls: EndpointClass;
  readonly x: number;
  readonly y: number;
}

interface GroupBox {
  readonly title: string;
  readonly outside: boolean;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface MapLayout {
  readonly width: number;
  readonly height: number;
  readonly groups: readonly GroupBox[];
  readonly nodes: ReadonlyMap<string, NodeBox>;
}

function mapSection(
  endpoints: readonly EndpointClass[],
  classes: ReadonlyMap<string, EndpointClass>,
  edges: readonly MapEdge[],
  kinds: readonly EdgeKind[],
): string[] {
  const touched = new Set(edges.flatMap((e) => [e.from, e.to]));
  const drawn = endpoints.length <= MAP_ALL_CLASSES_LIMIT ? [...classes.values()] : [...classes.values()].filter((c) => touched.has(c.id));
  // A class an edge names without the document describing it is drawn outside the namespaces, under its id.
  for (const id of touched) {
    if (!classes.has(id)) drawn.push({ id, kind: EndpointClassKind.ENTITY, name: id });
  }
  const notes: string[] = [];
  if (drawn.length < classes.size) {
    notes.push(`<p class="note">The map draws the ${drawn.length} classes that an edge touches; the other ${classes.size - drawn.length} are not drawn.</p>`);
  }
  const legend = kinds.map((kind) => {
    const swatch = `<svg width="34" height="12" aria-hidden="true"><line x1="1" y1="6" x2="33" y2="6" stroke="${EDGE_COLOUR[kind]}" stroke-width="3"/></svg>`;
    return kind === EdgeKind.ALLOWED
      ? `<span>${swatch} allowed connection</span>`
      : `<label><input type="checkbox" id="show-${kind}" checked> ${swatch} ${EDGE_TEXT[kind]} (${edges.filter((e) => e.kind === kind).length})</label>`;
  });
  const head = ['<section id="map">', '<h2>Connectivity map</h2>'];
  if (drawn.length > MAP_MAX_NODES) {
    return [...head, `<p class="note">The map is left out: ${drawn.length} classes to draw, more than ${MAP_MAX_NODES}. The table lists everything.</p>`, '</section>'];
  }
  const layout = layoutMap(drawn);
  return [
    ...head,
    ...notes,
    `<div class="legend">${legend.join('')}<span>arrows point from client to server; hover an edge for its ports</span></div>`,
    '<div class="map-scroll">',
    renderSvg(layout, edges),
    '</div>',
    '</section>',
  ];
}

/** Namespaces in a grid of boxes, each with its classes in columns; the classes outside any namespace in a box above. */
function layoutMap(drawn: readonly EndpointClass[]): MapLayout {
  const byNamespace = new Map<string, EndpointClass[]>();
  const outside: EndpointClass[] = [];
  for (const c of drawn) {
    const ns = c.kind === EndpointClassKind.POD || c.kind === EndpointClassKind.OTHER_POD ? c.namespace : undefined;
    if (ns !== undefined) {
      const members = byNamespace.get(ns);
      if (members === undefined) byNamespace.set(ns, [c]);
      else members.push(c);
    } else {
      outside.push(c);
    }
  }
  const namespaces = [...byNamespace].sort(([a], [b]) => compare(a, b)).map(([ns, members]) => ({ ns, members: members.sort(byKindThenName) }));
  outside.sort(byKindThenName);

  // Namespace boxes: size first, then the grid.
  const sized = namespaces.map(({ ns, members }) => {
    const cols = Math.ceil(members.length / ROWS_PER_COLUMN);
    const rows = Math.ceil(members.length / cols);
    return { ns, members, cols, rows, w: span(cols, NODE_W, NODE_HGAP) + 2 * BOX_PAD, h: BOX_HEAD + span(rows, NODE_H, NODE_VGAP) + 2 * BOX_PAD };
  });
  // Wider than tall (screens are): 3 namespaces in a row, 10 in rows of 4.
  const gridCols = Math.max(1, Math.min(MAX_GRID_COLUMNS, sized.length, Math.ceil(Math.sqrt(1.5 * sized.length))));
  const colW: number[] = [];
  const rowH: number[] = [];
  sized.forEach((b, i) => {
    const [col, row] = [i % gridCols, Math.floor(i / gridCols)];
    colW[col] = Math.max(colW[col] ?? 0, b.w);
    rowH[row] = Math.max(rowH[row] ?? 0, b.h);
  });
  const gridW = colW.reduce((sum, w) => sum + w, 0) + Math.max(0, colW.length - 1) * GRID_GAP;

  const groups: GroupBox[] = [];
  const nodes = new Map<string, NodeBox>();
  let top = MARGIN;
  let width = gridW;
  if (outside.length > 0) {
    const fit = sized.length === 0 ? 6 : Math.max(1, Math.floor((gridW - 2 * BOX_PAD + NODE_HGAP) / (NODE_W + NODE_HGAP)));
    const perRow = Math.min(outside.length, fit);
    const rows = Math.ceil(outside.length / perRow);
    const w = Math.max(gridW, span(perRow, NODE_W, NODE_HGAP) + 2 * BOX_PAD);
    const h = BOX_HEAD + span(rows, NODE_H, NODE_VGAP) + 2 * BOX_PAD;
    groups.push({ title: 'outside the namespaces', outside: true, x: MARGIN, y: top, w, h });
    outside.forEach((cls, i) => {
      const [col, row] = [i % perRow, Math.floor(i / perRow)];
      nodes.set(cls.id, { cls, x: MARGIN + BOX_PAD + col * (NODE_W + NODE_HGAP), y: top + BOX_HEAD + BOX_PAD + row * (NODE_H + NODE_VGAP) });
    });
    top += h + GRID_GAP;
    width = w;
  }
  sized.forEach((b, i) => {
    const [col, row] = [i % gridCols, Math.floor(i / gridCols)];
    const x = MARGIN + colW.slice(0, col).reduce((sum, w) => sum + w + GRID_GAP, 0);
    const y = top + rowH.slice(0, row).reduce((sum, h) => sum + h + GRID_GAP, 0);
    groups.push({ title: `namespace ${b.ns}`, outside: false, x, y, w: b.w, h: b.h });
    b.members.forEach((cls, j) => {
      const [c, r] = [Math.floor(j / b.rows), j % b.rows];
      nodes.set(cls.id, { cls, x: x + BOX_PAD + c * (NODE_W + NODE_HGAP), y: y + BOX_HEAD + BOX_PAD + r * (NODE_H + NODE_VGAP) });
    });
  });
  const gridH = rowH.reduce((sum, h) => sum + h, 0) + Math.max(0, rowH.length - 1) * GRID_GAP;
  const height = (sized.length > 0 ? top + gridH : top - GRID_GAP) + MARGIN;
  return { width: width + 2 * MARGIN, height, groups, nodes };
}

function span(count: number, size: number, gap: number): number {
  return count * size + Math.max(0, count - 1) * gap;
}

const KIND_RANK: Record<EndpointClassKind, number> = {
  [EndpointClassKind.WORLD]: 0,
  [EndpointClassKind.FQDN]: 1,
  [EndpointClassKind.ENTITY]: 2,
  [EndpointClassKind.HOST]: 3,
  [EndpointClassKind.POD]: 4,
  [EndpointClassKind.OTHER_POD]: 5,
};

function byKindThenName(a: EndpointClass, b: EndpointClass): number {
  return rank(a.kind) - rank(b.kind) || compare(a.name, b.name) || compare(a.id, b.id);
}

/** A document's kind is only typed, not checked: an unknown one sorts last. */
function rank(kind: EndpointClassKind): number {
  return Object.prototype.hasOwnProperty.call(KIND_RANK, kind) ? KIND_RANK[kind] : Object.keys(KIND_RANK).length;
}

function renderSvg(layout: MapLayout, edges: readonly MapEdge[]): string {
  const routes = routeEdges(layout, edges);
  const placer = new LabelPlacer([...layout.nodes.values()].map((n) => ({ x: n.x, y: n.y, w: NODE_W, h: NODE_H })));
  const labelled = routes.map((route) => {
    const text = truncate(route.edge.details.join('; '), EDGE_LABEL_CHARS);
    return { route, text, label: routes.length <= EDGE_LABEL_LIMIT ? placer.place(route.mid, text, route.anchor) : undefined };
  });
  // Curves that bulge out of the right column, and their labels, widen the picture.
  const width = Math.ceil([...routes.map((r) => r.extent), ...placer.right()].reduce((w, x) => Math.max(w, x + MARGIN), layout.width));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="map-svg" width="${width}" height="${layout.height}" `
      + `viewBox="0 0 ${width} ${layout.height}" role="img" aria-label="connectivity map">`,
    '<defs>',
    ...[...new Set(edges.map((e) => e.kind))].map((kind) =>
      `<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto">`
        + `<path d="M0,0 L10,5 L0,10 z" fill="${EDGE_COLOUR[kind]}"/></marker>`),
    '</defs>',
    '<g class="groups">',
  ];
  for (const g of layout.groups) {
    const chars = Math.max(8, Math.floor((g.w - 2 * BOX_PAD) / 7));
    out.push(`<g class="ns${g.outside ? ' outside' : ''}"><rect x="${g.x}" y="${g.y}" width="${g.w}" height="${g.h}" rx="8"/>`
      + `<text x="${g.x + BOX_PAD}" y="${g.y + 18}">${escapeHtml(truncate(g.title, chars))}</text><title>${escapeHtml(g.title)}</title></g>`);
  }
  out.push('</g>', '<g class="edges">');
  for (const { route: { edge, from, to, path, anchor }, text, label } of labelled) {
    const tooltip = `${from.cls.name} → ${to.cls.name}\n${EDGE_TEXT[edge.kind]}: ${edge.details.join('\n')}`;
    out.push(`<g class="edge ${edge.kind}" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}" `
      + `${edge.kind === EdgeKind.ALLOWED ? 'data-verdict="allowed"' : `data-change="${edge.kind}"`} data-edge="${edge.index}">`
      + `<title>${escapeHtml(tooltip)}</title>`
      + `<path d="${path}" stroke="${EDGE_COLOUR[edge.kind]}" marker-end="url(#arrow-${edge.kind})"/>`
      + (label ? `<text x="${num(label.x)}" y="${num(label.y)}" text-anchor="${anchor}">${escapeHtml(text)}</text>` : '')
      + '</g>');
  }
  out.push('</g>', '<g class="nodes">');
  for (const n of [...layout.nodes.values()]) {
    const short = n.cls.namespace !== undefined && n.cls.name.startsWith(`${n.cls.namespace}/`) ? n.cls.name.slice(n.cls.namespace.length + 1) : n.cls.name;
    const info = [
      `${n.cls.name} (${n.cls.kind})`,
      ...Object.entries(n.cls.labels ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(n.cls.workloads ?? []),
    ].join('\n');
    // The class attribute takes only a known kind: a made-up one could pass a node off as an edge.
    const kind = Object.prototype.hasOwnProperty.call(KIND_RANK, n.cls.kind) ? n.cls.kind : 'unknown';
    out.push(`<g class="node ${kind}" data-class="${escapeHtml(n.cls.id)}"><title>${escapeHtml(info)}</title>`
      + `<rect x="${n.x}" y="${n.y}" width="${NODE_W}" height="${NODE_H}" rx="6"/>`
      + `<text x="${n.x + 10}" y="${n.y + 19}">${escapeHtml(truncate(short, NODE_LABEL_CHARS))}</text></g>`);
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}

/** Which side of a node an edge leaves or enters by. */
enum Side {
  LEFT = 'left',
  RIGHT = 'right',
}

interface Route {
  readonly edge: MapEdge;
  readonly from: NodeBox;
  readonly to: NodeBox;
  /** SVG path data. */
  readonly path: string;
  /** The middle of the curve, where its label goes. */
  readonly mid: Point;
  /** How the label sits on `mid`: centred, or starting there (right of a curve that bulges out to the right). */
  readonly anchor: Anchor;
  /** The rightmost x the curve may reach. */
  readonly extent: number;
}

/** SVG `text-anchor` of an edge label. */
enum Anchor {
  MIDDLE = 'middle',
  START = 'start',
}

/**
 * Edges as horizontal-tangent cubic curves between node sides: from the side facing the other node (between nodes of
 * one column, both on the right, bulging out). The edges meeting at one side of a node are spread along it, ordered by
 * where their other end is, so they do not share an arrowhead and cross less.
 */
function routeEdges(layout: MapLayout, edges: readonly MapEdge[]): Route[] {
  const ends = new Map<string, { edge: number; end: 'from' | 'to'; otherY: number }[]>();
  const planned = edges.flatMap((edge): { edge: MapEdge; from: NodeBox; to: NodeBox; sides?: readonly [Side, Side] }[] => {
    const from = layout.nodes.get(edge.from);
    const to = layout.nodes.get(edge.to);
    if (from === undefined || to === undefined) return []; // never: mapSection draws every class an edge touches
    if (from === to) return [{ edge, from, to }];
    const dx = to.x - from.x;
    const sides: readonly [Side, Side] = Math.abs(dx) < NODE_W
      ? [Side.RIGHT, Side.RIGHT]
      : dx > 0 ? [Side.RIGHT, Side.LEFT] : [Side.LEFT, Side.RIGHT];
    for (const [end, node, other, side] of [['from', from, to, sides[0]], ['to', to, from, sides[1]]] as const) {
      const key = `${node.cls.id}\u0000${side}`;
      const list = ends.get(key) ?? [];
      list.push({ edge: edge.index, end, otherY: other.y });
      ends.set(key, list);
    }
    return [{ edge, from, to, sides }];
  });
  const slot = new Map<string, number>();
  for (const list of ends.values()) {
    list.sort((a, b) => a.otherY - b.otherY || a.edge - b.edge || compare(a.end, b.end));
    list.forEach((e, i) => slot.set(`${e.edge}\u0000${e.end}`, (i + 1) / (list.length + 1)));
  }
  return planned.map(({ edge, from, to, sides }) => {
    if (sides === undefined) return { edge, from, to, ...selfLoop(from) };
    const at = (node: NodeBox, side: Side, end: 'from' | 'to'): Point => ({
      x: side === Side.RIGHT ? node.x + NODE_W + 1 : node.x - 1,
      y: node.y + NODE_H * (slot.get(`${edge.index}\u0000${end}`) ?? 0.5),
    });
    const start = at(from, sides[0], 'from');
    const end = at(to, sides[1], 'to');
    const pull = sides[0] === sides[1]
      ? 36 + Math.min(84, Math.abs(end.y - start.y) * 0.25)
      : Math.min(160, Math.max(40, Math.abs(end.x - start.x) * 0.45));
    const c1 = { x: start.x + (sides[0] === Side.RIGHT ? pull : -pull), y: start.y };
    const c2 = { x: end.x + (sides[1] === Side.RIGHT ? pull : -pull), y: end.y };
    const mid = { x: (start.x + 3 * c1.x + 3 * c2.x + end.x) / 8, y: (start.y + 3 * c1.y + 3 * c2.y + end.y) / 8 };
    const path = `M${num(start.x)},${num(start.y)} C${num(c1.x)},${num(c1.y)} ${num(c2.x)},${num(c2.y)} ${num(end.x)},${num(end.y)}`;
    const bulge = sides[0] === sides[1];
    return bulge
      ? { edge, from, to, path, mid: { x: mid.x + 4, y: mid.y }, anchor: Anchor.START, extent: Math.max(c1.x, c2.x) }
      : { edge, from, to, path, mid, anchor: Anchor.MIDDLE, extent: Math.max(start.x, end.x) };
  });
}

/** A loop on the node's top right corner: traffic between endpoints of the same class. */
function selfLoop(n: NodeBox): { path: string; mid: Point; anchor: Anchor; extent: number } {
  const [x, y] = [n.x + NODE_W - 28, n.y];
  const [ex, ey] = [n.x + NODE_W, n.y + 10];
  return { path: `M${x},${y} C${x},${y - 34} ${ex + 34},${ey} ${ex + 2},${ey}`, mid: { x: ex + 8, y: y - 16 }, anchor: Anchor.START, extent: ex + 34 };
}

interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Places edge labels near their curve's middle, moved up or down to keep clear of nodes and of the labels placed before. */
class LabelPlacer {
  private readonly taken: Rect[];
  private readonly placed: Rect[] = [];

  constructor(obstacles: readonly Rect[]) {
    this.taken = [...obstacles];
  }

  /** The anchor point for `text` near `at` (on the first free offset, or at `at` when none is free). */
  place(at: Point, text: string, anchor: Anchor): Point {
    const w = Array.from(text).length * 6 + 6;
    const h = 13;
    let chosen = 0;
    for (const dy of [0, -14, 14, -28, 28, -42, 42]) {
      const rect = { x: anchor === Anchor.START ? at.x : at.x - w / 2, y: at.y + dy - h / 2, w, h };
      if (!this.taken.some((t) => rect.x < t.x + t.w && t.x < rect.x + rect.w && rect.y < t.y + t.h && t.y < rect.y + rect.h)) {
        chosen = dy;
        break;
      }
    }
    const rect = { x: anchor === Anchor.START ? at.x : at.x - w / 2, y: at.y + chosen - h / 2, w, h };
    this.taken.push(rect);
    this.placed.push(rect);
    return { x: at.x, y: at.y + chosen + 4 };
  }

  /** The right end of every label placed. */
  right(): number[] {
    return this.placed.map((r) => r.x + r.w);
  }
}

function num(n: number): string {
  const r = Math.round(n * 10) / 10;
  return String(r === 0 ? 0 : r);
}

/** At most `max` characters (code points, so a surrogate pair is never split), an ellipsis marking a cut. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
