import { VALIDATE_REPORT_JSON_SCHEMA, formatReportJson, reportToJson } from './format-json';
import { SARIF_SCHEMA_URI, SarifOptions, formatReportSarif, reportToSarif } from './format-sarif';
import { formatDiagnosticText, formatReportText, summaryLine } from './format-text';
import { ReportDiagnostic, VALIDATE_REPORT_SCHEMA, ValidationReport } from './validation-report';

/**
 * The forms of a validation report (`Validator.validateInputs`, `Validator.validatePaths`): text for terminals and CI
 * logs, stable JSON (`cdk8s-cilium/validate/v1`) and SARIF 2.1.0 for code scanning — the three `--format`s of the
 * `validate` command.
 *
 * ```ts
 * const report = Validator.validatePaths(['dist'], { ciliumVersion: '1.19' });
 * console.log(ValidationReportFormat.text(report));
 * ```
 */
export class ValidationReportFormat {
  /** The `schema` value of a report and of its JSON form: `cdk8s-cilium/validate/v1`. */
  public static readonly SCHEMA: string = VALIDATE_REPORT_SCHEMA;
  /** The JSON form as a JSON Schema (draft 2020-12), for consumers that validate it (a copy). */
  public static readonly JSON_SCHEMA: { [key: string]: unknown } = JSON.parse(JSON.stringify(VALIDATE_REPORT_JSON_SCHEMA));
  /** The JSON schema URI GitHub documents for SARIF 2.1.0 (the `$schema` of the SARIF form). */
  public static readonly SARIF_SCHEMA_URI: string = SARIF_SCHEMA_URI;

  /**
   * The text form: one block per finding (`file:line:column: severity id: message`, the object and field, the fix),
   * then the summary line. Ends with a newline.
   */
  public static text(report: ValidationReport): string {
    return formatReportText(report);
  }

  /** The JSON form: two-space indented, keys in documented order, ends with a newline. */
  public static json(report: ValidationReport): string {
    return formatReportJson(report);
  }

  /** The SARIF 2.1.0 form: two-space indented JSON, ends with a newline. */
  public static sarif(report: ValidationReport, options: SarifOptions = {}): string {
    return formatReportSarif(report, options);
  }

  /** The JSON form as a plain object, keys in documented order. */
  public static jsonObject(report: ValidationReport): { [key: string]: unknown } {
    return reportToJson(report);
  }

  /** The SARIF 2.1.0 form as a plain object. */
  public static sarifObject(report: ValidationReport, options: SarifOptions = {}): { [key: string]: unknown } {
    return reportToSarif(report, options);
  }

  /** One finding as text: the location line, the object and field, the fix (no trailing newline). */
  public static diagnosticText(diagnostic: ReportDiagnostic): string {
    return formatDiagnosticText(diagnostic);
  }

  /** The summary line: `2 errors, 1 warning in 3 files (4 policies, 9 documents; Cilium 1.19)`. */
  public static summaryLine(report: ValidationReport): string {
    return summaryLine(report);
  }

  private constructor() {}
}
