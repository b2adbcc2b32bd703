import { describe, expect, it } from 'vitest';
import {
  ConnectivityDiffDocument,
  DIFF_SCHEMA,
  EndpointClass,
  EndpointClassKind,
} from '../../src/model/connectivity-document';
import { renderDiffHtml, renderReportHtml } from '../../src/diff/html';
import { DIFF, EMPTY_DIFF, PLATFORM, REPORT, hostileDiff } from './html-fixtures';

/** The colours of newly allowed and newly denied edges (the legend tells the reader the same). */
const RED = '#d1242f';
const BLUE = '#0969da';

/** Every tag the renderer writes, with the attributes it may carry. */
const TAGS: Record<string, readonly string[]> = {
  html: ['lang'], head: [], meta: ['charset', 'http-equiv', 'content', 'name'], title: [], style: [], body: ['class'], header: [],
  h1: [], h2: [], p: ['class', 'id'], code: [], strong: [], section: ['id'], div: ['class'], label: [], span: ['class'],
  input: ['type', 'id', 'checked'], svg: ['xmlns', 'id', 'width', 'height', 'viewBox', 'role', 'aria-label', 'aria-hidden'],
  line: ['x1', 'y1', 'x2', 'y2', 'stroke', 'stroke-width'], defs: [],
  marker: ['id', 'viewBox', 'refX', 'refY', 'markerWidth', 'markerHeight', 'orient'], path: ['d', 'fill', 'stroke', 'marker-end'],
  g: ['class', 'data-from', 'data-to', 'data-change', 'data-verdict', 'data-edge', 'data-class'],
  rect: ['x', 'y', 'width', 'height', 'rx'], text: ['x', 'y', 'text-anchor'], table: [], thead: [], tbody: [],
  tr: ['data-from', 'data-to', 'data-change', 'data-verdict', 'data-edge'], th: [], td: ['class'], details: ['id'], summary: [],
  script: [],
};

/** Every start tag of the page, parsed strictly: a tag that does not parse, or is not one the renderer writes, fails. */
function startTags(html: string): { name: string; attrs: Record<string, string> }[] {
  const body = html.replace(/^<!DOCTYPE html>\n/, '').replace(/<style>[^<]*<\/style>/, '<style></style>').replace(/<script>[\s\S]*?<\/script>/, '<script></script>');
  const tags: { name: string; attrs: Record<string, string> }[] = [];
  for (const m of body.matchAll(/<([^/!][^>]*)>/g)) {
    const parsed = /^([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*(?:="[^"<>]*")?)*)\s*\/?$/.exec(m[1]);
    expect(parsed, `a tag that does not parse: <${m[1]}>`).not.toBeNull();
    const attrs: Record<string, string> = {};
    for (const a of parsed![2].matchAll(/([a-zA-Z][a-zA-Z0-9:-]*)(?:="([^"]*)")?/g)) attrs[a[1]] = a[2] ?? '';
    tags.push({ name: parsed![1], attrs });
  }
  return tags;
}

/** The unescaped value of an attribute written by the renderer. */
function unescape(value: string): string {
  return value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&');
}

function edges(html: string): { from: string; to: string; change?: string; verdict?: string; edge: string }[] {
  return startTags(html).filter((t) => t.name === 'g' && /\bedge\b/.test(t.attrs.class ?? '')).map((t) => ({
    from: unescape(t.attrs['data-from']), to: unescape(t.attrs['data-to']), edge: t.attrs['data-edge'],
    ...(t.attrs['data-change'] ? { change: t.attrs['data-change'] } : {}), ...(t.attrs['data-verdict'] ? { verdict: t.attrs['data-verdict'] } : {}),
  }));
}

function rows(html: string): { from: string; to: string; change?: string; verdict?: string; edge: string }[] {
  return startTags(html).filter((t) => t.name === 'tr' && t.attrs['data-from'] !== undefined).map((t) => ({
    from: unescape(t.attrs['data-from']), to: unescape(t.attrs['data-to']), edge: t.attrs['data-edge'],
    ...(t.attrs['data-change'] ? { change: t.attrs['data-change'] } : {}), ...(t.attrs['data-verdict'] ? { verdict: t.attrs['data-verdict'] } : {}),
  }));
}

/** The rectangles of the drawn classes, by class id. */
function nodeRects(html: string): Map<string, { x: number; y: number; w: number; h: number }> {
  const rects = new Map<string, { x: number; y: number; w: number; h: number }>();
  for (const m of html.matchAll(/<g class="node [^"]*" data-class="([^"]*)"><title>[^<]*<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    rects.set(unescape(m[1]), { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) });
  }
  return rects;
}

describe('renderDiffHtml', () => {
  const html = renderDiffHtml(DIFF);

  it('is one self-contained page: doctype, summary line with both sources, a CSP that allows no fetch', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<p class="summary" id="summary">4 newly allowed, 3 newly denied</p>');
    expect(html).toContain('base: <code>origin/main:policies</code> (9 policies) → head: <code>policies</code> (10 policies)');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+'/);
    // Nothing is loaded from anywhere: no src, href, url() of a file or host, @import or font.
    expect(html).not.toMatch(/\s(src|href)=|@import|@font-face|url\((?!#arrow-)/);
  });

  it('draws one edge per change, with its from, to and kind, newly allowed first; the table has one row per change', () => {
    const kindOf = (after: string) => (after === 'allowed' ? 'newly-allowed' : 'newly-denied');
    const expected = DIFF.changes.map((c) => ({ from: c.from, to: c.to, change: kindOf(c.after) }));
    expect(edges(html).map(({ edge: _, ...e }) => e)).toEqual(expected);
    expect(rows(html).map(({ edge: _, ...r }) => r)).toEqual(expected);
    // A row and its edge share a number (hovering one highlights the other).
    expect(rows(html).map((r) => r.edge)).toEqual(edges(html).map((e) => e.edge));
    expect(html).toContain(`stroke="${RED}" marker-end="url(#arrow-newly-allowed)"`);
    expect(html).toContain(`stroke="${BLUE}" marker-end="url(#arrow-newly-denied)"`);
  });

  it('shows ports, L7, before → after and the deciding rule of each side', () => {
    const prometheus = html.split('\n').find((l) => l.startsWith('<tr data-from="pod:monitoring/prometheus"'))!;
    expect(prometheus).toContain('<td>monitoring/prometheus</td><td>payments/gateway</td>');
    expect(prometheus).toContain('<span class="mono">9090/TCP</span><div class="meta">L7: HTTP GET /metrics</div>');
    expect(prometheus).toContain('<span class="badge newly-allowed">denied → allowed</span>');
    expect(prometheus).toContain('<td>default deny (CNP payments/gateway selects payments/gateway)<div class="meta">CiliumNetworkPolicy payments/gateway</div></td>');
    expect(prometheus).toContain('allowed by CNP payments/gateway ingress rule 3<div class="meta">CiliumNetworkPolicy payments/gateway · <code>policies/payments/gateway.yaml:40</code></div>');
    // The edge's label and tooltip carry the ports and the L7 part.
    expect(html).toContain('<title>monitoring/prometheus → payments/gateway\nnewly allowed: 9090/TCP HTTP GET /metrics</title>');
    expect(html).toMatch(/text-anchor="middle">9090\/TCP HTTP GET \/metrics<\/text>/);
  });

  it('lists newly allowed changes before newly denied ones whatever the document order, and merges a pair\'s changes of one kind into one edge', () => {
    const [allowed, denied] = [DIFF.changes[0], DIFF.changes[4]];
    const doc: ConnectivityDiffDocument = {
      ...DIFF,
      changes: [denied, allowed, { ...allowed, ports: ['80/TCP'] }],
    };
    const out = renderDiffHtml(doc);
    expect(rows(out).map((r) => [r.change, r.edge])).toEqual([['newly-allowed', '0'], ['newly-allowed', '0'], ['newly-denied', '1']]);
    expect(edges(out).map((e) => [e.from, e.to, e.change])).toEqual([[allowed.from, allowed.to, 'newly-allowed'], [denied.from, denied.to, 'newly-denied']]);
    expect(out).toContain('<title>world → shop/frontend\nnewly allowed: 443/TCP\n80/TCP</title>');
  });

  it('lays the classes out in namespace boxes without overlap, outside classes in their own box, all inside the picture', () => {
    const rects = nodeRects(html);
    expect([...rects.keys()].sort()).toEqual(PLATFORM.map((c) => c.id).sort());
    const list = [...rects.values()];
    for (const [i, a] of list.entries()) {
      for (const b of list.slice(i + 1)) {
        expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, 'two classes overlap').toBe(true);
      }
    }
    const groups = [...html.matchAll(/<g class="ns( outside)?"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*\/><text[^>]*>([^<]*)<\/text>/g)]
      .map((m) => ({ title: m[6], x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) }));
    expect(groups.map((g) => g.title)).toEqual(['outside the namespaces', 'namespace monitoring', 'namespace payments', 'namespace shop']);
    const inside = (r: { x: number; y: number; w: number; h: number }, g: { x: number; y: number; w: number; h: number }) =>
      r.x >= g.x && r.y >= g.y && r.x + r.w <= g.x + g.w && r.y + r.h <= g.y + g.h;
    for (const c of PLATFORM) {
      const box = groups.find((g) => g.title === (c.namespace ? `namespace ${c.namespace}` : 'outside the namespaces'))!;
      expect(inside(rects.get(c.id)!, box), `${c.name} in ${box.title}`).toBe(true);
    }
    const [, w, h] = /<svg [^>]*id="map-svg" width="(\d+)" height="(\d+)"/.exec(html)!.map(Number);
    for (const g of groups) expect(g.x + g.w <= w && g.y + g.h <= h).toBe(true);
  });

  it('escapes every string of the document: markup, quotes and </style> in names, ids, sources, ports and reasons stay text', () => {
    const out = renderDiffHtml(hostileDiff('pwned'));
    const tags = startTags(out);
    for (const tag of tags) {
      expect(Object.keys(TAGS), `an injected <${tag.name}>`).toContain(tag.name);
      for (const attr of Object.keys(tag.attrs)) expect(TAGS[tag.name], `an injected ${attr} on <${tag.name}>`).toContain(attr);
    }
    expect(tags.filter((t) => t.name === 'script')).toHaveLength(1);
    expect(tags.filter((t) => t.name === 'style')).toHaveLength(1);
    expect(out.match(/<\/style>/g)).toHaveLength(1);
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    expect(out).not.toMatch(/<img|<svg onload/i);
    // The payloads are shown as text, escaped.
    expect(out).toContain('<code>main:&lt;script&gt;window.pwned=2&lt;/script&gt;</code>');
    expect(out).toContain('<code>&lt;/title&gt;&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;</code>');
    expect(out).toContain('<td>world &#39; &quot; &amp; &lt;script&gt;window.pwned=2&lt;/script&gt;</td>');
    expect(out).toContain('namespace evil&lt;/style&gt;&lt;style&gt;*{display:none}&lt;/style&gt;</title>');
    // Ids round-trip through the data attributes.
    const doc = hostileDiff('pwned');
    expect(edges(out).map((e) => [e.from, e.to])).toEqual(doc.changes.map((c) => [c.from, c.to]));
    expect(rows(out).map((r) => [r.from, r.to])).toEqual(doc.changes.map((c) => [c.from, c.to]));
  });

  it('takes only a known kind into a class attribute: a made-up kind cannot pass a node off as an edge', () => {
    const endpoints = PLATFORM.map((c, i) => (i === 0 ? { ...c, kind: 'x edge newly-allowed' as EndpointClassKind } : i === 1 ? { ...c, kind: 'toString' as EndpointClassKind } : c));
    const out = renderDiffHtml({ ...DIFF, endpoints });
    expect(out).toContain('<g class="node unknown" data-class="world">');
    expect(out).toContain('<g class="node unknown" data-class="cidr:10.0.0.0/8">');
    expect(edges(out)).toHaveLength(DIFF.changes.length);
  });

  it('replaces control characters, so the page stays well-formed', () => {
    const doc: ConnectivityDiffDocument = { ...DIFF, base: { source: 'ref\u0000with\u001bescape\u007f', policies: 1 } };
    expect(renderDiffHtml(doc)).toContain('<code>ref\ufffdwith\ufffdescape\ufffd</code> (1 policy)');
  });

  it('is deterministic: the same document gives byte-identical HTML, and the map does not depend on the order of the classes', () => {
    expect(renderDiffHtml(DIFF)).toBe(html);
    expect(renderDiffHtml(JSON.parse(JSON.stringify(DIFF)))).toBe(html);
    const svg = (page: string) => /<svg xmlns[\s\S]*<\/svg>/.exec(page)![0];
    expect(svg(renderDiffHtml({ ...DIFF, endpoints: [...PLATFORM].reverse() }))).toBe(svg(html));
  });

  it('says "no connectivity change" for an empty diff, with no map, no edge and none of the edge colours', () => {
    const out = renderDiffHtml(EMPTY_DIFF);
    expect(out.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(out).toContain('<title>Connectivity diff: no connectivity change</title>');
    expect(out).toContain('<p class="summary" id="summary">0 newly allowed, 0 newly denied</p>');
    expect(out).toContain('<p class="empty" id="no-change"><strong>No connectivity change.</strong>');
    expect(out).toContain('base: <code>origin/main:policies</code> (9 policies) → head: <code>policies</code> (10 policies)');
    expect(out).not.toMatch(/<svg|data-change|<table/);
    expect(out).not.toContain(RED);
    expect(out).not.toContain(BLUE);
  });

  it('draws only the classes an edge touches on a large platform, and leaves the map out past what is readable', () => {
    const platform: EndpointClass[] = Array.from({ length: 1000 }, (_, i) => ({
      id: `c${i}`, kind: EndpointClassKind.POD, name: `ns${i % 50}/app${i}`, namespace: `ns${i % 50}`,
    }));
    const change = DIFF.changes[0];
    const big: ConnectivityDiffDocument = {
      schema: DIFF_SCHEMA, base: DIFF.base, head: DIFF.head, summary: { newlyAllowed: 2, newlyDenied: 0 }, endpoints: platform,
      changes: [{ ...change, from: 'c1', to: 'c2' }, { ...change, from: 'c3', to: 'c999' }],
    };
    const out = renderDiffHtml(big);
    expect([...nodeRects(out).keys()]).toEqual(['c1', 'c2', 'c3', 'c999']);
    expect(out).toContain('The map draws the 4 classes that an edge touches; the other 996 are not drawn.');
    const everywhere: ConnectivityDiffDocument = {
      ...big, summary: { newlyAllowed: 500, newlyDenied: 0 },
      changes: Array.from({ length: 500 }, (_, i) => ({ ...change, from: `c${2 * i}`, to: `c${2 * i + 1}` })),
    };
    const left = renderDiffHtml(everywhere);
    expect(left).not.toContain('<svg xmlns');
    expect(left).toContain('The map is left out: 1000 classes to draw, more than 400. The table lists everything.');
    expect(rows(left)).toHaveLength(500);
  });

  it('keeps 200 classes in 20 namespaces apart, and draws a change to a class the document does not describe', () => {
    const platform: EndpointClass[] = Array.from({ length: 200 }, (_, i) => ({
      id: `c${i}`, kind: EndpointClassKind.POD, name: `team-${i % 20}/app-${i}`, namespace: `team-${i % 20}`,
    }));
    const change = DIFF.changes[0];
    const out = renderDiffHtml({
      ...DIFF, endpoints: platform,
      changes: [{ ...change, from: 'c0', to: 'c199' }, { ...change, from: 'c5', to: 'unknown-id' }],
    });
    const rects = [...nodeRects(out).values()];
    expect(rects).toHaveLength(201);
    const seen = new Set(rects.map((r) => `${r.x},${r.y}`));
    expect(seen.size).toBe(201);
    expect(out).toContain('<g class="node entity" data-class="unknown-id">');
    expect(out).toContain('<td>team-5/app-5</td><td><code>unknown-id</code></td>');
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(REPORT);

  it('draws every allowed connection as an edge and a table row, with the rule that allows it', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<p class="summary" id="summary">5 allowed connections between 12 endpoint classes</p>');
    expect(html).toContain('policies: <code>policies</code> (10 policies)');
    const expected = REPORT.connections.map((c) => ({ from: c.from, to: c.to, verdict: 'allowed' }));
    expect(edges(html).map(({ edge: _, ...e }) => e)).toEqual(expected);
    expect(rows(html).map(({ edge: _, ...r }) => r)).toEqual(expected);
    expect(html).not.toContain('data-change');
    expect(html).toContain('<td>shop/frontend</td><td>shop/api</td><td><span class="mono">8080/TCP</span><div class="meta">L7: HTTP GET /api/.*</div></td>'
      + '<td>allowed by CNP shop/api ingress rule 0<div class="meta">CiliumNetworkPolicy shop/api · <code>policies/shop/api.yaml:7</code></div></td>');
    // Traffic within one class is a loop on its node.
    expect(html).toMatch(/data-from="pod:shop\/api" data-to="pod:shop\/api" data-verdict="allowed" data-edge="3"><title>[^<]*<\/title><path d="M[\d.]+,[\d.]+ C/);
    expect(html).not.toContain(RED);
    expect(html).not.toContain(BLUE);
  });

  it('is deterministic and escapes the document', () => {
    expect(renderReportHtml(JSON.parse(JSON.stringify(REPORT)))).toBe(html);
    const hostile = hostileDiff('pwned');
    const out = renderReportHtml({
      ...REPORT, policies: hostile.head, endpoints: hostile.endpoints,
      connections: hostile.changes.map((c) => ({ from: c.from, to: c.to, ports: c.ports, l7: c.l7, reason: c.reason.after })),
    });
    expect(out).not.toMatch(/<img|<svg onload/i);
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    expect(out.match(/<\/style>/g)).toHaveLength(1);
    for (const tag of startTags(out)) expect(Object.keys(TAGS)).toContain(tag.name);
  });

  it('says so when nothing is allowed', () => {
    const out = renderReportHtml({ ...REPORT, connections: [] });
    expect(out).toContain('<p class="summary" id="summary">0 allowed connections between 12 endpoint classes</p>');
    expect(out).toContain('<strong>No allowed connection.</strong> Every pair of endpoint classes is denied.');
    expect(out).not.toMatch(/<svg xmlns|data-verdict/);
  });
});
