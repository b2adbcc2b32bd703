/**
 * The JSON form of a validation report (`cdk8s-cilium validate --format json`). Stable: within
 * `schema: "cdk8s-cilium/validate/v1"` fields may be added, none is removed, renamed or changes meaning. Keys are written
 * in the order below; optional keys are left out, never `null`. Findings are ordered by input, line, column.
 *
 * ```
 * {
 *   "schema": "cdk8s-cilium/validate/v1",
 *   "version": string,                    // target Cilium version: "1.14" … "1.19", "1.20-dev"
 *   "versionSource"?: string,             // where it came from: "given" (--cilium-version), "the default",
 *                                         // "the annotation cdk8s-cilium.io/cilium-version of <policy> (<file>)", or
 *                                         // "... of each policy" (several versions); left out by earlier releases
 *   "versions"?: [{                       // when the policies are judged for several versions (each its own annotation);
 *     "version": string,                  // "version" is then that of the policies without one
 *     "files": string[]                   // the files of the policies judged for it
 *   }],
 *   "crdFiles": string[],                 // --crd files as given ([] = the built-in schema rules and the bundled CRD schemas of "version")
 *   "files": [{
 *     "file": string,                     // relative to the working directory, "/"-separated; "<stdin>"
 *     "status": "checked" | "not-found" | "unreadable" | "binary" | "too-large" | "empty",
 *     "bytes"?: number,
 *     "documents": number,                // Kubernetes objects read (List items one each)
 *     "policies": number                  // CiliumNetworkPolicies + CiliumClusterwideNetworkPolicies
 *   }],
 *   "diagnostics": [{
 *     "id": string,                       // stable check id: "pitfall-service-port", "crd-port-syntax", "input-binary", …
 *     "severity": "error" | "warning",
 *     "message": string,                  // one line
 *     "fix": string,                      // one line
 *     "file": string,                     // as in "files"
 *     "line": number, "column": number,   // 1-based start of the offending field (1:1 for a whole file)
 *     "endLine": number, "endColumn": number,   // end of the offending token (endColumn is exclusive)
 *     "path"?: string,                    // the field in its YAML document: "spec.egress[0].toPorts[0].ports[0].port", "items[2].spec"
 *     "kind"?: string, "name"?: string, "namespace"?: string,  // the object the finding is about
 *     "omitted"?: number                  // on "and N more …": the N findings of its id it stands for (counted in the summary)
 *   }],
 *   "summary": {
 *     "files": number, "documents": number, "policies": number,
 *     "errors": number, "warnings": number,   // each finding one, an "omitted" one as many as it stands for
 *     "maxWarnings"?: number,             // --max-warnings, when given
 *     "passed": boolean                   // no error and not more warnings than maxWarnings (exit status 0)
 *   }
 * }
 * ```
 *
 * `VALIDATE_REPORT_JSON_SCHEMA` is the same as a JSON Schema (draft 2020-12) for consumers that validate it.
 */
import { omittedOf } from '../model/diagnostic-budget';
import { ValidationReport } from './validation-report';
import { printableJson } from '../model/printable';

/** Renders a report as JSON (two-space indented, keys in documented order, ends with a newline). */
export function formatReportJson(report: ValidationReport): string {
  return printableJson(reportToJson(report));
}

/** The report as a plain JSON object, keys in documented order. */
export function reportToJson(report: ValidationReport): Record<string, unknown> {
  return {
    schema: report.schema,
    version: report.version,
    ...(report.versionSource !== undefined ? { versionSource: report.versionSource } : {}),
    ...(report.versions !== undefined ? { versions: report.versions.map((v) => ({ version: v.version, files: [...v.files] })) } : {}),
    crdFiles: [...report.crdFiles],
    files: report.files.map((f) => ({
      file: f.file,
      status: f.status,
      ...(f.bytes !== undefined ? { bytes: f.bytes } : {}),
      documents: f.documents,
      policies: f.policies,
    })),
    diagnostics: report.diagnostics.map((d) => ({
      id: d.id,
      severity: d.severity,
      message: d.message,
      fix: d.fix,
      file: d.file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      ...(d.path !== undefined ? { path: d.path } : {}),
      ...(d.kind !== undefined ? { kind: d.kind } : {}),
      ...(d.name !== undefined ? { name: d.name } : {}),
      ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
      ...omittedOf(d),
    })),
    summary: {
      files: report.summary.files,
      documents: report.summary.documents,
      policies: report.summary.policies,
      errors: report.summary.errors,
      warnings: report.summary.warnings,
      ...(report.summary.maxWarnings !== undefined ? { maxWarnings: report.summary.maxWarnings } : {}),
      passed: report.summary.passed,
    },
  };
}

const COUNT = { type: 'integer', minimum: 0 } as const;
const POSITION = { type: 'integer', minimum: 1 } as const;
const TEXT = { type: 'string' } as const;

/** The JSON Schema (draft 2020-12) of `formatReportJson`'s output. */
export const VALIDATE_REPORT_JSON_SCHEMA: Readonly<Record<string, unknown>> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'cdk8s-cilium/validate/v1',
  type: 'object',
  additionalProperties: false,
  // `versionSource` and `versions` came after v1 was published: optional, so that reports of earlier releases still conform.
  required: ['schema', 'version', 'crdFiles', 'files', 'diagnostics', 'summary'],
  properties: {
    schema: { const: 'cdk8s-cilium/validate/v1' },
    version: { type: 'string', pattern: '^1\\.(1[4-9]|20-dev)$' },
    versionSource: TEXT,
    versions: {
      type: 'array',
      minItems: 2,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'files'],
        properties: { version: { type: 'string', pattern: '^1\\.(1[4-9]|20-dev)$' }, files: { type: 'array', items: TEXT } },
      },
    },
    crdFiles: { type: 'array', items: TEXT },
    files: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'status', 'documents', 'policies'],
        properties: {
          file: TEXT,
          status: { enum: ['checked', 'not-found', 'unreadable', 'binary', 'too-large', 'empty'] },
          bytes: COUNT,
          documents: COUNT,
          policies: COUNT,
        },
      },
    },
    diagnostics: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'severity', 'message', 'fix', 'file', 'line', 'column', 'endLine', 'endColumn'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)+$' },
          severity: { enum: ['error', 'warning'] },
          message: { type: 'string', pattern: '^[^\\n]+$' },
          fix: { type: 'string', pattern: '^[^\\n]+$' },
          file: TEXT,
          line: POSITION,
          column: POSITION,
          endLine: POSITION,
          endColumn: POSITION,
          path: TEXT,
          kind: TEXT,
          name: TEXT,
          namespace: TEXT,
          omitted: { type: 'integer', minimum: 1 },
        },
      },
    },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['files', 'documents', 'policies', 'errors', 'warnings', 'passed'],
      properties: {
        files: COUNT, documents: COUNT, policies: COUNT, errors: COUNT, warnings: COUNT, maxWarnings: COUNT, passed: { type: 'boolean' },
      },
    },
  },
};
