/** What the manifest reader returns: the policies it read, where they came from, and what it could not read. */
import { Diagnostic } from '../core/errors';
import { PolicyDocumentModel, RuleModel } from './policy-model';

/** Options for `PolicyModel.fromYaml` / `PolicyModel.fromObject`. */
export interface ParseOptions {
  /** The file the text came from; copied into every source reference and diagnostic. @default - none */
  readonly file?: string;
}

/** A 1-based line/column position in the YAML source. */
export interface SourcePosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** A diagnostic found while reading a manifest, with its position in the source when known. */
export interface SourceDiagnostic extends Diagnostic {
  /**
   * The file, as given in `ParseOptions.file`.
   * @default - no file was given
   */
  readonly file?: string;
  /**
   * 1-based line (YAML input only).
   * @default - unknown (`fromObject` input, or no position)
   */
  readonly line?: number;
  /**
   * 1-based column (YAML input only).
   * @default - unknown (`fromObject` input, or no position)
   */
  readonly column?: number;
  /**
   * Index of the document in the YAML stream that the diagnostic belongs to.
   * @default - the whole input (an error before the documents could be told apart)
   */
  readonly index?: number;
  /**
   * For an item of a `kind: List` document, its path in that document (`items[3]`); `path` is then relative to the item.
   * @default - not a List item
   */
  readonly itemPath?: string;
}

/** Where a parsed policy came from. */
export interface DocumentSource {
  /**
   * The file, as given in `ParseOptions.file`.
   * @default - no file was given
   */
  readonly file?: string;
  /** Index of the document in the YAML stream (0 for `fromObject`). */
  readonly index: number;
  /**
   * For an item of a `kind: List` document: `items[3]`.
   * @default - not a List item
   */
  readonly itemPath?: string;
}

/** Finds the source position of a JSON path such as `spec.ingress[0].toPorts[0].ports[0].port`. */
export type Locator = (path: string) => SourcePosition | undefined;

/** One CNP/CCNP read from the input. */
export interface IParsedDocument {
  /** The policy. */
  readonly model: PolicyDocumentModel;
  /** Where it came from. */
  readonly source: DocumentSource;
  /**
   * The 1-based line/column of the node at `path` (relative to this policy object, e.g.
   * `spec.ingress[0].toPorts[0].ports[0].port`; keys that are not plain words are written `matchLabels["k8s:app"]`).
   * A path that is not in the source (an omitted field) gives the position of its nearest ancestor that is;
   * `undefined` for `fromObject` input or a malformed path. The path is as written (see `_writtenPath`).
   */
  locate(path: string): SourcePosition | undefined;
  /**
   * @internal The path as written of a path into `model`: an index into a list from which the reader left entries out
   * (a string among mappings, reported) becomes the entry's written index, so that findings name and locate the entry
   * as written. The identity when nothing was left out.
   */
  readonly _writtenPath?: (path: string) => string;
}

/** A top-level JSON/YAML array of raw Cilium `api.Rule`s (the local-API format used by `cilium policy import`). */
export interface IParsedRawRules {
  /** The rules, as written (no namespace injection, no labels added). */
  readonly rules: RuleModel[];
  /** Where they came from. */
  readonly source: DocumentSource;
  /** Like `IParsedDocument.locate`, with paths such as `[0].ingress[0].fromEndpoints`. */
  locate(path: string): SourcePosition | undefined;
  /** @internal Like `IParsedDocument._writtenPath`, with paths such as `[0].ingress[0].fromEndpoints`. */
  readonly _writtenPath?: (path: string) => string;
}

/** A document (or List item) that is not a Cilium policy and was skipped. */
export interface ISkippedDocument {
  /**
   * Its `kind`, when it has a string one.
   * @default - no string `kind`
   */
  readonly kind?: string;
  /** Index of the document in the YAML stream. */
  readonly index: number;
  /**
   * For an item of a `kind: List` document: `items[3]`.
   * @default - not a List item
   */
  readonly itemPath?: string;
  /** The object as read (the engine's inventory and NetworkPolicy translation take it from here, without a second parse). */
  readonly object: { [key: string]: unknown };
  /** Like `IParsedDocument.locate` (a NetworkPolicy's `spec.policyTypes`, say). */
  locate(path: string): SourcePosition | undefined;
  /**
   * @internal Set when the API server refuses the object for a label or annotation value that is no string (`nonStringMetadataValues`):
   * the reader's `parse-wrong-type` errors about it (in `diagnostics` too). Such an object is never stored, so it is no
   * endpoint, Service or Namespace of the cluster.
   */
  readonly _refused?: readonly SourceDiagnostic[];
}

/** What `PolicyModel.fromYaml` / `PolicyModel.fromObject` found. */
export interface ParseResult {
  /** The CNPs/CCNPs, in source order (List items in place of their List). */
  readonly documents: IParsedDocument[];
  /** Top-level arrays of raw `api.Rule`s. */
  readonly rawRules: IParsedRawRules[];
  /** Documents of other kinds (Deployment, Service, CiliumCIDRGroup, …), skipped without a diagnostic. */
  readonly skipped: ISkippedDocument[];
  /** Everything that could not be read faithfully. */
  readonly diagnostics: SourceDiagnostic[];
}
