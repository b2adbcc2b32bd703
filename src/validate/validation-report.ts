/**
 * The report of a validation run (`Validator.validateInputs`, `Validator.validatePaths`, the `validate` command): its
 * findings placed at `file:line:column`, its inputs and its totals. The JSON form is documented in `format-json.ts`.
 *
 * @module
 */
import { Severity } from '../core/errors';

/** The `schema` value of a report (and of its JSON form). */
export const VALIDATE_REPORT_SCHEMA = 'cdk8s-cilium/validate/v1';

/** The name standard input gets in a report. */
export const STDIN_NAME = '<stdin>';

/** One finding of a report. */
export interface ReportDiagnostic {
  /** Stable id of the check (`pitfall-service-port`). */
  readonly id: string;
  /** `error` or `warning`. */
  readonly severity: Severity;
  /** What is wrong, one line. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The input, as named in the report (relative path with `/`, or `<stdin>`). */
  readonly file: string;
  /** 1-based line of the offending field (1 for findings about a whole file). */
  readonly line: number;
  /** 1-based column of the offending field. */
  readonly column: number;
  /** 1-based line where the offending token ends (its last character). */
  readonly endLine: number;
  /** 1-based column just after the offending token (on `endLine`). */
  readonly endColumn: number;
  /**
   * The field, as a path in its YAML document (`spec.egress[0].toPorts[0].ports[0].port`, `items[2].spec` in a List).
   * @default - the whole file or document
   */
  readonly path?: string;
  /**
   * Kind of the object the finding is about.
   * @default - not about one object
   */
  readonly kind?: string;
  /**
   * `metadata.name` of that object.
   * @default - not about one object
   */
  readonly name?: string;
  /**
   * `metadata.namespace` of that object.
   * @default - cluster-scoped, or not about one object
   */
  readonly namespace?: string;
  /**
   * On the one finding that stands for findings of its id left out of the list (past the cap of 1,000 per file or
   * policy): how many it stands for. The summary's totals count them, not it.
   * @default - a finding of its own (it counts as one)
   */
  readonly omitted?: number;
}

/** What became of an input of a report: `checked`, or why not. */
export enum ReportFileStatus {
  /** Read and checked. */
  CHECKED = 'checked',
  /** A path or glob that matches no file, or a directory without a manifest file (`input-not-found`). */
  NOT_FOUND = 'not-found',
  /** A file that cannot be read (`input-unreadable`). */
  UNREADABLE = 'unreadable',
  /** A file with NUL bytes or invalid UTF-8 (`input-binary`). */
  BINARY = 'binary',
  /** A file larger than the size limit (`input-too-large`). */
  TOO_LARGE = 'too-large',
  /** A file without any YAML document (`input-empty`). */
  EMPTY = 'empty',
}

/** One input of a report. */
export interface ReportFile {
  /** The input, as named in diagnostics. */
  readonly file: string;
  /** `checked`, or why not: `not-found`, `unreadable`, `binary`, `too-large`, `empty`. */
  readonly status: ReportFileStatus;
  /**
   * Size in bytes.
   * @default - unknown (not found, unreadable)
   */
  readonly bytes?: number;
  /** Kubernetes objects read (List items count one each; a raw `api.Rule` list counts one). */
  readonly documents: number;
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies among them. */
  readonly policies: number;
}

/** The totals of a report. */
export interface ReportSummary {
  /** Inputs. */
  readonly files: number;
  /** Kubernetes objects read. */
  readonly documents: number;
  /** Cilium policies read. */
  readonly policies: number;
  /** Findings of severity error. */
  readonly errors: number;
  /** Findings of severity warning. */
  readonly warnings: number;
  /**
   * The warning limit.
   * @default - no limit
   */
  readonly maxWarnings?: number;
  /** No error, and no more warnings than `maxWarnings`. */
  readonly passed: boolean;
}

/** A version policies were judged for, and the files of those policies. */
export interface ReportVersion {
  /** The version: `1.14` … `1.19`, or `1.20-dev`. */
  readonly version: string;
  /** The files of the policies judged for it, in input order. */
  readonly files: string[];
}

/** What `validateInputs` found. The JSON form is documented in `format-json.ts`. */
export interface ValidationReport {
  /** `cdk8s-cilium/validate/v1`. */
  readonly schema: string;
  /**
   * The target Cilium version: `1.14` … `1.19`, or `1.20-dev`. When the policies are judged for several versions (see
   * `versions`), the version of those that name none of their own (and of raw rules and NetworkPolicies).
   */
  readonly version: string;
  /**
   * Where the target version came from: `given` (`ciliumVersion`, `--cilium-version`), `the annotation
   * cdk8s-cilium.io/cilium-version of <policy>` (the version the policies were synthesized for), `the annotation
   * cdk8s-cilium.io/cilium-version of each policy` (several versions: see `versions`), or `the default`.
   * @default - not said (reports of earlier releases)
   */
  readonly versionSource?: string;
  /**
   * The versions the policies were judged for, each with the files of its policies, when they are several (an app whose
   * charts are synthesized for clusters of different versions, each policy judged for its own annotation).
   * @default - one version: `version`
   */
  readonly versions?: ReportVersion[];
  /** The CRD files given (`[]`: the built-in schema rules and the bundled schemas of `version`). */
  readonly crdFiles: string[];
  /** The inputs, in order. */
  readonly files: ReportFile[];
  /** The findings, by input, then line and column. */
  readonly diagnostics: ReportDiagnostic[];
  /** The totals. */
  readonly summary: ReportSummary;
}
