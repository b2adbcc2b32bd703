/**
 * The SARIF 2.1.0 form of a validation report, for GitHub code scanning (`github/codeql-action/upload-sarif`) and other
 * SARIF consumers: one run, every check of the catalogue as a rule (id, short and full description, help, default
 * level, tags), one result per finding with its file (relative URI), region and a stable fingerprint.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckInfo, layerOf, REPORT_CHECKS } from './catalogue';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { ReportDiagnostic, STDIN_NAME, ValidationReport } from './validation-report';
import { printableJson } from '../model/printable';

/** The JSON schema URI GitHub documents for SARIF 2.1.0. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Options of `formatReportSarif`. */
export interface SarifOptions {
  /**
   * The tool version written as `tool.driver.version` and `semanticVersion`.
   * @default - the version of this package
   */
  readonly toolVersion?: string;
  /**
   * `tool.driver.informationUri`.
   * @default - none
   */
  readonly informationUri?: string;
}

/** What each layer is, for rule descriptions and tags. */
const LAYERS: Readonly<Record<string, { readonly tag: string; readonly text: string }>> = {
  crd: { tag: 'crd-schema', text: 'The API server rejects the policy (CRD schema of the target Cilium version), or prunes the field.' },
  sanitize: { tag: 'agent-sanitize', text: 'The API server stores the policy, but the Cilium agent refuses to import it (Sanitize) or ignores part of it.' },
  version: { tag: 'cilium-version', text: 'The field or value does not exist in the target Cilium version, or was removed or deprecated.' },
  k8s: { tag: 'k8s-api-server', text: 'The Kubernetes API server rejects the NetworkPolicy, so the cluster never has it.' },
  pitfall: { tag: 'pitfall', text: 'Both Cilium layers accept the policy, but it does not do what it seems to.' },
  input: { tag: 'input', text: 'The input could not be read as Kubernetes manifests.' },
  parse: { tag: 'yaml', text: 'The manifest could not be read faithfully (YAML, types, unknown fields).' },
};

/** The options of `SarifOptions` with their defaults (`option-unknown`; kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const SARIF_OPTION_DEFAULTS: OptionDefaults = { toolVersion: 'the version of this package', informationUri: 'none' };

/** Renders a report as a SARIF 2.1.0 log (two-space indented JSON, ends with a newline). */
export function formatReportSarif(report: ValidationReport, options: SarifOptions = {}): string {
  return printableJson(reportToSarif(report, options));
}

/** The report as a SARIF 2.1.0 log object. */
export function reportToSarif(report: ValidationReport, options: SarifOptions = {}): Record<string, unknown> {
  checkOptionKeys(options, SARIF_OPTION_DEFAULTS, { call: 'ValidationReportFormat.sarif()', risk: 'so the log would name another tool version or none' });
  const version = options.toolVersion ?? packageVersion();
  const ids = new Set(REPORT_CHECKS.map((c) => c.id));
  const rules: CheckInfo[] = [...REPORT_CHECKS];
  for (const d of report.diagnostics) {
    if (!ids.has(d.id)) {
      ids.add(d.id);
      rules.push({ id: d.id, severity: d.severity, versions: 'all', what: d.id });
    }
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const occurrences = new Map<string, number>();
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'cdk8s-cilium',
          ...(options.informationUri ? { informationUri: options.informationUri } : {}),
          version,
          ...(/^\d+\.\d+\.\d+/.test(version) ? { semanticVersion: version } : {}),
          rules: rules.map(toRule),
        },
      },
      columnKind: 'utf16CodeUnits',
      properties: {
        ciliumVersion: report.version,
        ...(report.versionSource !== undefined ? { ciliumVersionSource: report.versionSource } : {}),
        ...(report.versions !== undefined ? { ciliumVersions: report.versions.map((v) => ({ version: v.version, files: [...v.files] })) } : {}),
        crdFiles: report.crdFiles,
      },
      results: report.diagnostics.map((d) => {
        const key = fingerprintKey(d);
        const n = (occurrences.get(key) ?? 0) + 1;
        occurrences.set(key, n);
        return toResult(d, index.get(d.id) ?? 0, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}:${n}`);
      }),
    }],
  };
}

function toRule(c: CheckInfo): Record<string, unknown> {
  const layer = LAYERS[layerOf(c.id)] ?? { tag: layerOf(c.id), text: '' };
  const versions = c.versions === 'all' ? 'every supported Cilium version' : `Cilium ${c.versions}`;
  const what = sentence(c.what);
  return {
    id: c.id,
    name: c.id,
    shortDescription: { text: truncate(what, 1024) },
    fullDescription: { text: truncate(`${what} ${layer.text} Fires on ${versions}.`, 1024) },
    help: {
      text: `${what} ${layer.text} Fires on ${versions}. Each result says what is wrong with the value found and how to fix it.`,
      markdown: `**${c.id}** (${layerOf(c.id)} layer, ${c.severity}): ${what}\n\n${layer.text} Fires on ${versions}.\n\nEach result says what is wrong ` +
        'with the value found and how to fix it.',
    },
    defaultConfiguration: { level: c.severity },
    properties: { tags: ['cilium', layer.tag], precision: layerOf(c.id) === 'pitfall' ? 'medium' : 'high', 'problem.severity': c.severity },
  };
}

function toResult(d: ReportDiagnostic, ruleIndex: number, fingerprint: string): Record<string, unknown> {
  const where = d.kind ? ` [${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name ?? ''}${d.path ? ` ${d.path}` : ''}]` : d.path ? ` [${d.path}]` : '';
  const uri = d.file === STDIN_NAME ? 'stdin' : encodeURI(d.file);
  return {
    ruleId: d.id,
    ruleIndex,
    level: d.severity,
    message: { text: `${sentence(d.message)}${where} Fix: ${sentence(d.fix)}` },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri, ...(uri.startsWith('/') || uri.startsWith('../') ? {} : { uriBaseId: '%SRCROOT%' }) },
        region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: Math.max(d.endColumn, d.column + 1) },
      },
      ...(d.kind ? { logicalLocations: [{ name: d.name ?? '', fullyQualifiedName: logicalName(d), kind: 'object' }] } : {}),
    }],
    partialFingerprints: { primaryLocationLineHash: fingerprint },
    // "and N more …": the N findings it stands for (a property bag, as SARIF has no count of a result).
    ...(d.omitted !== undefined ? { properties: { omitted: d.omitted } } : {}),
  };
}

/** What identifies a finding across runs: the check, the file and the field of the object (not the line, which moves). */
function fingerprintKey(d: ReportDiagnostic): string {
  return [d.id, d.file, logicalName(d), d.path ?? ''].join('\0');
}

function logicalName(d: ReportDiagnostic): string {
  return `${d.kind ?? ''}/${d.namespace ?? ''}/${d.name ?? ''}`;
}

/** `text` with an upper-case first letter and a final period. */
function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** This package's version, from its package.json. */
function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'cdk8s-cilium' && pkg.version) return pkg.version;
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}
