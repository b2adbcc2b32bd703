// The report of a run from its collected findings: sorted by input, position and catalogue order, duplicates removed,
// and the totals.
import { resolve } from 'node:path';
import { Severity } from '../core/errors';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { diagnosticWeight } from '../model/diagnostic-budget';
import { displayName } from '../model/inputs';
import { REPORT_CHECKS } from './catalogue';
import { ReportDiagnostic, ReportFile, ReportVersion, VALIDATE_REPORT_SCHEMA, ValidationReport } from './validation-report';

/** A diagnostic being collected, before sorting: `order` is the index of its input. */
export interface Pending extends ReportDiagnostic {
  readonly order: number;
}

/** What a report says about the run besides its findings and inputs. */
export interface ReportRun {
  /** The target version's name (`1.19`, `1.20-dev`). */
  readonly version: string;
  /** Where the version came from (`JudgedVersion.source`). */
  readonly versionSource: string;
  /** The versions the policies were judged for, when several. */
  readonly versions?: readonly ReportVersion[];
  /** The CRD files given (as given, relative to `cwd`). */
  readonly crdFiles?: readonly string[];
  /** The warning limit. */
  readonly maxWarnings?: number;
  /** The directory the CRD files are relative to. */
  readonly cwd: string;
}

/** How findings are ordered at the same position. */
const CHECK_ORDER = new Map(REPORT_CHECKS.map((c, i) => [c.id, i]));

/** The report: `pending` sorted (it is sorted in place) and without duplicates, `files` as they are, and the totals. */
export function buildReport(pending: Pending[], files: ReportFile[], run: ReportRun): ValidationReport {
  const seen = new Set<string>();
  const diagnostics = pending
    .sort((a, b) => a.order - b.order || a.line - b.line || a.column - b.column
      || (CHECK_ORDER.get(a.id) ?? 0) - (CHECK_ORDER.get(b.id) ?? 0) || compare(a.path ?? '', b.path ?? '') || compare(a.message, b.message))
    .filter((d) => {
      const key = `${d.file}\0${d.line}\0${d.column}\0${d.id}\0${d.path ?? ''}\0${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(({ order: _order, ...d }) => d);
  // A summary of diagnostics left out past the cap (`diagnostic-budget.ts`) counts as the many it stands for.
  const errors = diagnostics.filter((d) => d.severity === Severity.ERROR).reduce((n, d) => n + diagnosticWeight(d), 0);
  const warnings = diagnostics.filter((d) => d.severity !== Severity.ERROR).reduce((n, d) => n + diagnosticWeight(d), 0);
  const max = run.maxWarnings;
  return {
    schema: VALIDATE_REPORT_SCHEMA,
    version: run.version,
    versionSource: run.versionSource,
    ...(run.versions ? { versions: run.versions.map((v) => ({ version: v.version, files: [...v.files] })) } : {}),
    crdFiles: (run.crdFiles ?? []).map((f) => displayName(resolve(run.cwd, f), run.cwd)),
    files,
    diagnostics,
    summary: {
      files: files.length,
      documents: files.reduce((n, f) => n + f.documents, 0),
      policies: files.reduce((n, f) => n + f.policies, 0),
      errors,
      warnings,
      ...(max !== undefined ? { maxWarnings: max } : {}),
      passed: errors === 0 && (max === undefined || warnings <= max),
    },
  };
}
