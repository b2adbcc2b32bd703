/**
 * The HTML renderers of the diff and report documents (`--output html`). A placeholder: one self-contained page that
 * lists the document; the connectivity map replaces it.
 */
import { ConnectivityDiffDocument, ConnectivityReportDocument } from './connectivity-document';

/** One self-contained HTML page of a diff document. */
export function renderDiffHtml(doc: ConnectivityDiffDocument): string {
  return page('Connectivity diff', doc);
}

/** One self-contained HTML page of a report document. */
export function renderReportHtml(doc: ConnectivityReportDocument): string {
  return page('Connectivity report', doc);
}

function page(title: string, doc: object): string {
  const json = JSON.stringify(doc, null, 2).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<pre>${json}</pre>\n</body>\n</html>\n`;
}
