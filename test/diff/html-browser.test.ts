/**
 * The HTML pages of `diff` and `report`, opened from disk in a real headless browser: Debian's `chromium`, driven by
 * playwright-core (no browser download). The DOM must hold an edge and a table row per change, the screenshot must show
 * the edge colours where the edges are (and none on an empty diff), and hostile names must not run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Browser, Page, chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectivityDiffDocument, ConnectivityReportDocument } from '../../src/model/connectivity-document';
import { renderDiffHtml, renderReportHtml } from '../../src/diff/html';
import { DIFF, EMPTY_DIFF, REPORT, hostileDiff } from './html-fixtures';

/** Debian's chromium (`apt-get install chromium`; `.ci/run` installs it). */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium keeps only the last `--disable-features`, so this one repeats playwright-core's own (its `chromiumSwitches`) and
 * adds the omnibox popup: a WebUI page that headless chromium renders in a process of its own for every window and again
 * after every navigation, about a third of chromium's CPU in this file. It is browser UI, not the page: the screenshots are the
 * same byte for byte. The last test checks that playwright-core disables nothing that this list leaves out.
 */
const DISABLED_FEATURES = [
  // playwright-core 1.65's
  'AvoidUnnecessaryBeforeUnloadCheckSync', 'DestroyProfileOnBrowserClose', 'HttpsUpgrades', 'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay', 'MediaRouter', 'PaintHolding', 'ThirdPartyStoragePartitioning', 'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin', 'OptimizationHints', 'NetworkTimeServiceQuerying', 'AimEnabled', 'PreconnectToSearch',
  'msForceBrowserSignIn', 'msEdgeUpdateLaunchServicesPreferredVersion',
  // the omnibox popup's
  'WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup',
];

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface DrawnEdge {
  readonly from: string | null;
  readonly to: string | null;
  readonly change: string | null;
  readonly verdict: string | null;
  /** The stroke colour as the browser computed it, `rgb(r, g, b)`. */
  readonly stroke: string;
  /** The bounding box of the edge's path, in page pixels. */
  readonly box: Box;
}

/** Set when chromium is missing: every test then fails with it (never a silent skip). */
const MISSING = existsSync(CHROMIUM)
  ? undefined
  : `the HTML browser test needs Debian's chromium at ${CHROMIUM}, which is not installed: `
    + 'run `apt-get install -y chromium` (bash .ci/run installs it on a fresh machine)';

let browser: Browser | undefined;
/**
 * The one tab every test opens its page in (`goto`, the mouse moved off the map first): a tab per test cost chromium a
 * renderer process and a window each, about 1.4 s of CPU.
 */
let tab: Page | undefined;
/** The page being opened: its own request is not a fetch. */
let current = '';
let dir: string;
/** Every URL any page asked for, beyond the page itself. */
const fetched: string[] = [];
/** Console errors and page errors (a CSP violation is reported there). */
const errors: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-html-'));
  if (MISSING === undefined) {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [`--disable-features=${DISABLED_FEATURES.join(',')}`] });
    tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    tab.on('request', (r) => {
      if (r.url() !== current) fetched.push(r.url());
    });
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    tab.on('pageerror', (e) => errors.push(e.message));
  }
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the page to the temp dir and opens it from disk, as a reviewer opens a CI artifact. */
async function open(name: string, html: string): Promise<Page> {
  if (tab === undefined) throw new Error(MISSING);
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  current = pathToFileURL(file).href;
  // The previous test may have left the mouse on a row or an edge; a new tab has it nowhere, and (0, 0) hovers nothing that shows.
  await tab.mouse.move(0, 0);
  await tab.goto(current, { waitUntil: 'load' });
  return tab;
}

/** The map's edges as the browser drew them. */
async function drawnEdges(page: Page): Promise<DrawnEdge[]> {
  return page.$$eval('#map-svg g.edge', (groups) => groups.map((g) => {
    const path = g.querySelector('path')!;
    const r = path.getBoundingClientRect();
    const view = g.ownerDocument.defaultView!;
    return {
      from: g.getAttribute('data-from'),
      to: g.getAttribute('data-to'),
      change: g.getAttribute('data-change'),
      verdict: g.getAttribute('data-verdict'),
      stroke: view.getComputedStyle(path).stroke,
      box: { x: r.x + view.scrollX, y: r.y + view.scrollY, width: r.width, height: r.height },
    };
  }));
}

async function tableRows(page: Page): Promise<{ from: string | null; to: string | null; change: string | null; cells: string[] }[]> {
  return page.$$eval('tbody tr[data-from]', (rows) => rows.map((tr) => ({
    from: tr.getAttribute('data-from'),
    to: tr.getAttribute('data-to'),
    change: tr.getAttribute('data-change') ?? tr.getAttribute('data-verdict'),
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
  })));
}

/** A screenshot and the part of the page it shows, in page pixels. */
interface Shot {
  readonly png: PNG;
  readonly area: Box;
}

/** The map's box, widened to whole pixels: a screenshot clipped to it has the pixels of the full-page one there. */
async function mapArea(page: Page): Promise<Box> {
  const r = await page.$eval('#map-svg', (svg) => {
    const [box, view] = [svg.getBoundingClientRect(), svg.ownerDocument.defaultView!];
    return { x: box.x + view.scrollX, y: box.y + view.scrollY, width: box.width, height: box.height };
  });
  const [x, y] = [Math.floor(r.x), Math.floor(r.y)];
  return { x, y, width: Math.ceil(r.x + r.width) - x, height: Math.ceil(r.y + r.height) - y };
}

/**
 * The whole page, or only `area` (page pixels, as `fullPage` takes a clip): the edges are drawn inside the map (an svg clips
 * what it draws), and a map-sized PNG costs chromium and pngjs about a fifth of the CPU of a full-page one.
 */
async function screenshot(page: Page, area?: Box): Promise<Shot> {
  const png = PNG.sync.read(await page.screenshot({ fullPage: true, clip: area }));
  if (area === undefined) return { png, area: { x: 0, y: 0, width: png.width, height: png.height } };
  expect([png.width, png.height], 'one image pixel per page pixel').toEqual([area.width, area.height]);
  return { png, area };
}

function rgb(css: string): [number, number, number] {
  const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(css);
  expect(m, `a computed colour: ${css}`).not.toBeNull();
  return [Number(m![1]), Number(m![2]), Number(m![3])];
}

/** Pixels of exactly `colour` inside `box` (in page pixels; the whole shot when absent). */
function countColour({ png, area }: Shot, [r, g, b]: [number, number, number], box: Box = area): number {
  const [x0, y0] = [Math.max(0, Math.floor(box.x - area.x)), Math.max(0, Math.floor(box.y - area.y))];
  const [x1, y1] = [Math.min(png.width, Math.ceil(box.x - area.x + box.width)), Math.min(png.height, Math.ceil(box.y - area.y + box.height))];
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      if (png.data[i] === r && png.data[i + 1] === g && png.data[i + 2] === b) n++;
    }
  }
  return n;
}

function kindOf(after: string): string {
  return after === 'allowed' ? 'newly-allowed' : 'newly-denied';
}

describe('the diff page in a real browser', () => {
  /** The two edge colours as the browser drew them, for the empty-diff check. */
  const colours = new Map<string, [number, number, number]>();

  it('has an edge with the right data attributes for every change, and a table row for each', async () => {
    const page = await open('diff', renderDiffHtml(DIFF));
    const expected = DIFF.changes.map((c) => ({ from: c.from, to: c.to, change: kindOf(c.after) }));
    const edges = await drawnEdges(page);
    expect(edges.map(({ from, to, change }) => ({ from, to, change }))).toEqual(expected);
    for (const e of edges) expect(e.box.width * e.box.height, `edge ${e.from} → ${e.to} has an area`).toBeGreaterThan(0);
    const rows = await tableRows(page);
    expect(rows.map(({ from, to, change }) => ({ from, to, change }))).toEqual(expected);
    expect(rows[3].cells).toEqual([
      'monitoring/prometheus', 'payments/gateway', '9090/TCPL7: HTTP GET /metrics', 'denied → allowed',
      'default deny (CNP payments/gateway selects payments/gateway)CiliumNetworkPolicy payments/gateway',
      'allowed by CNP payments/gateway ingress rule 3CiliumNetworkPolicy payments/gateway · policies/payments/gateway.yaml:40',
    ]);
    expect(await page.textContent('#summary')).toBe('4 newly allowed, 3 newly denied');
    // The page's own script runs under its Content-Security-Policy: hovering a row highlights its edge.
    await page.hover('tbody tr[data-change="newly-denied"]');
    expect(await page.$$eval('#map-svg g.edge.hl', (gs) => gs.map((g) => g.getAttribute('data-to')))).toEqual([DIFF.changes[4].to]);
  });

  it('draws the newly allowed edges in red and the newly denied ones in another colour, where the edges are', async () => {
    const page = await open('diff-pixels', renderDiffHtml(DIFF));
    const edges = await drawnEdges(page);
    const map = await mapArea(page);
    const png = await screenshot(page, map);
    const red = rgb(edges.find((e) => e.change === 'newly-allowed')!.stroke);
    const blue = rgb(edges.find((e) => e.change === 'newly-denied')!.stroke);
    expect(red[0], 'newly allowed is red-ish').toBeGreaterThan(Math.max(red[1], red[2]) + 80);
    expect(blue, 'newly denied has its own colour').not.toEqual(red);
    colours.set('newly-allowed', red).set('newly-denied', blue);
    for (const e of edges) {
      const colour = colours.get(e.change!)!;
      expect(rgb(e.stroke)).toEqual(colour);
      // The stroke, not just the arrowhead: a curve is at least as long as its box is wide or high.
      expect(countColour(png, colour, e.box), `pixels of ${e.stroke} on the edge ${e.from} → ${e.to}`)
        .toBeGreaterThan(Math.max(e.box.width, e.box.height));
    }
    // The counted pixels are the edges': with newly allowed edges hidden (the legend's filter), red is gone from the map.
    expect(countColour(png, red)).toBeGreaterThan(200);
    await page.uncheck('#show-newly-allowed');
    const filtered = await screenshot(page, map);
    expect(countColour(filtered, red)).toBe(0);
    expect(countColour(filtered, blue)).toBeGreaterThan(100);
  });

  it('shows "no connectivity change" for an empty diff, and draws neither edge colour anywhere', async () => {
    const page = await open('empty', renderDiffHtml(EMPTY_DIFF));
    expect(await page.textContent('#no-change')).toMatch(/^No connectivity change\./);
    expect(await page.$$('#map-svg g.edge')).toHaveLength(0);
    expect(await page.$$('tbody tr[data-change]')).toHaveLength(0);
    const png = await screenshot(page);
    const red = colours.get('newly-allowed') ?? [0xd1, 0x24, 0x2f];
    const blue = colours.get('newly-denied') ?? [0x09, 0x69, 0xda];
    expect(countColour(png, red)).toBe(0);
    expect(countColour(png, blue)).toBe(0);
  });

  it('shows hostile names as text and runs none of them', async () => {
    const doc: ConnectivityDiffDocument = hostileDiff('__pwned');
    const page = await open('hostile', renderDiffHtml(doc));
    // Give every payload its chance: hover each node, edge and row (the onmouseover payload), and wait for onerror/onload.
    for (const selector of ['#map-svg g.node rect', '#map-svg g.edge path', 'tbody tr']) {
      for (const handle of await page.$$(selector)) await handle.hover({ force: true });
    }
    await page.waitForTimeout(200);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.$$('img')).toHaveLength(0);
    expect(await page.$$('style')).toHaveLength(1);
    expect(await page.$$('script')).toHaveLength(1);
    expect(await page.$$('svg')).toHaveLength(3); // the map and the legend's two swatches
    const rows = await tableRows(page);
    expect(rows.map((r) => [r.from, r.to])).toEqual(doc.changes.map((c) => [c.from, c.to]));
    expect(rows[0].cells[0]).toBe('world \' " & <script>window.__pwned=2</script>');
    expect(rows[0].cells[1]).toBe('evil/<img src=x onerror="window.__pwned=1">');
    expect(await page.textContent('.sources')).toContain('</title><img src=x onerror="window.__pwned=1">');
    expect(await page.$$eval('#map-svg g.ns title', (ts) => ts.map((t) => t.textContent))).toContain(
      'namespace evil</style><style>*{display:none}</style>');
    // The injected `*{display:none}` did not apply: the table is visible.
    expect(await page.isVisible('tbody tr')).toBe(true);
  });
});

describe('the report page in a real browser', () => {
  it('draws every allowed connection as an edge in its colour, with a table row for each', async () => {
    const doc: ConnectivityReportDocument = REPORT;
    const page = await open('report', renderReportHtml(doc));
    const edges = await drawnEdges(page);
    const expected = doc.connections.map((c) => ({ from: c.from, to: c.to, verdict: 'allowed' }));
    expect(edges.map(({ from, to, verdict }) => ({ from, to, verdict }))).toEqual(expected);
    const png = await screenshot(page, await mapArea(page));
    for (const e of edges) expect(countColour(png, rgb(e.stroke), e.box), `edge ${e.from} → ${e.to}`).toBeGreaterThan(Math.max(e.box.width, e.box.height));
    expect((await tableRows(page)).map((r) => [r.from, r.to])).toEqual(doc.connections.map((c) => [c.from, c.to]));
  });
});

describe('every page above', () => {
  it('fetched nothing and logged no error (no CSP violation)', () => {
    expect(MISSING, MISSING).toBeUndefined();
    expect(fetched).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('was opened in a chromium with every feature playwright-core disables still disabled', async () => {
    if (browser === undefined) throw new Error(MISSING);
    const { processInfo } = await (await browser.newBrowserCDPSession()).send('SystemInfo.getProcessInfo');
    const args = readFileSync(`/proc/${processInfo.find((p) => p.type === 'browser')!.id}/cmdline`, 'utf8').split('\0');
    const lists = args.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));
    expect(lists.at(-1), 'ours is the last, the one chromium keeps').toEqual(DISABLED_FEATURES);
    expect(lists.flat().filter((f) => !DISABLED_FEATURES.includes(f)), 'to add to DISABLED_FEATURES').toEqual([]);
  });
});
