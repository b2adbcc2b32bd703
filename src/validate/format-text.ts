/**
 * The text form of a validation report, for terminals and CI logs: one block per finding, in the
 * `file:line:column: severity id: message` form editors and CI annotations pick up, then a summary line.
 *
 * ```
 * k8s/blog.yaml:21:19: error pitfall-service-port: port 8080 is the port of Service blog/blog (k8s/blog.yaml:1), which sends to target port 80: …
 *     CiliumNetworkPolicy blog/web spec.ingress[0].toPorts[0].ports[0].port
 *     fix: write the target (container) port: port: "80"
 *
 * 1 error, 0 warnings in 2 files (1 policy, 3 documents; Cilium 1.19)
 * ```
 */
import { withoutControls } from '../model/printable';
import { VERSION_DEFAULT, VERSION_GIVEN } from '../model/version-annotation';
import { ReportDiagnostic, ValidationReport } from './validation-report';

/** Renders a report as text (ends with a newline). */
export function formatReportText(report: ValidationReport): string {
  const blocks = report.diagnostics.map(formatDiagnosticText);
  return `${blocks.map((b) => `${b}\n`).join('\n')}${blocks.length ? '\n' : ''}${summaryLine(report)}\n`;
}

/** One finding: the location line, the object and field, the fix. */
export function formatDiagnosticText(d: ReportDiagnostic): string {
  const lines = [`${d.file}:${d.line}:${d.column}: ${d.severity} ${d.id}: ${d.message}`];
  const object = d.kind ? `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name ?? ''}`.trim() : '';
  const at = [object, d.path].filter((x) => x).join(' ');
  if (at) lines.push(`    ${at}`);
  if (d.fix) lines.push(`    fix: ${d.fix}`);
  return lines.map(withoutControls).join('\n');
}

/**
 * `2 errors, 1 warning in 3 files (4 policies, 9 documents; Cilium 1.19)`, with the warning limit when it is exceeded, and
 * where the version came from when it is the policies' annotation (`Cilium 1.16 from the annotation
 * cdk8s-cilium.io/cilium-version of CiliumNetworkPolicy shop/api (k8s/api.yaml)`), or each version with the files of its
 * policies when they are judged for several (`Cilium 1.16 (east.k8s.yaml), 1.19 (west.k8s.yaml)`).
 */
export function summaryLine(report: ValidationReport): string {
  const s = report.summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const source = report.versionSource;
  const from = source !== undefined && source !== VERSION_GIVEN && source !== VERSION_DEFAULT ? ` from ${source}` : '';
  const versions = report.versions !== undefined && report.versions.length > 1
    ? report.versions.map((v) => `${v.version} (${v.files.join(', ')})`).join(', ') : `${report.version}${from}`;
  const crd = report.crdFiles.length ? `, CRDs ${report.crdFiles.join(', ')}` : '';
  const counts = `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} in ${plural(s.files, 'file')} ` +
    `(${s.policies} ${s.policies === 1 ? 'policy' : 'policies'}, ${plural(s.documents, 'document')}; Cilium ${versions}${crd})`;
  const limit = s.maxWarnings !== undefined && s.warnings > s.maxWarnings ? `; more warnings than the limit of ${s.maxWarnings}` : '';
  return withoutControls(`${counts}${limit}`);
}
