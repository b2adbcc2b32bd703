/**
 * The Cilium version a policy was synthesized for, recorded on the object: every CNP and CCNP the constructs write
 * carries the annotation `cdk8s-cilium.io/cilium-version: "1.19"` (the `CiliumVersion` in effect for the construct).
 * Tools that read policies back (`PolicySet.fromFiles`, so `trace`, `diff`, `report`, `replay`) take it as their default
 * version (`judgedVersion`), so that a verdict is given for the Cilium the policies were written for rather than for the
 * newest one; `validate` (and the cdk8s plugin) judges each policy for its own (`validation-run.ts`), as an app's charts
 * may target clusters of different versions.
 */
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { ParseDiagnosticId } from './parse-diagnostic-id';
import { PolicyDocumentModel } from './policy-model';

/** The annotation key: `cdk8s-cilium.io/cilium-version`, value the minor version (`"1.19"`). */
export const CILIUM_VERSION_ANNOTATION = 'cdk8s-cilium.io/cilium-version';

/** Reads the Cilium version recorded on synthesized policies. */
export class VersionAnnotation {
  /** The annotation key: `cdk8s-cilium.io/cilium-version`, value the minor version (`"1.19"`). */
  public static readonly KEY: string = CILIUM_VERSION_ANNOTATION;

  /**
   * The Cilium version the annotated documents were synthesized for. Documents without the annotation (hand-written
   * policies, NetworkPolicies) do not count.
   * @param documents the policies, with their files
   * @returns `undefined` when no document carries the annotation
   * @throws CiliumPolicyError (`version-annotation-conflict`) when documents name different versions, and
   * (`version-annotation-invalid`) when one names something that is not a supported version
   */
  public static synthesizedVersion(documents: AnnotatedDocument[]): SynthesizedVersion | undefined {
    return synthesizedVersion(documents);
  }

  private constructor() {}
}

/** A policy document and where it came from. */
export interface AnnotatedDocument {
  /** The policy. */
  readonly model: PolicyDocumentModel;
  /**
   * Its file.
   * @default - not from a file
   */
  readonly file?: string;
  /**
   * The line of the document in its file (of its annotation, or of its `metadata.name`), named with the file when the
   * annotation is not a supported version.
   * @default - the file is named without a line
   */
  readonly line?: number;
}

/** The version the documents were synthesized for, and which document says so. */
export interface SynthesizedVersion {
  /** The version every annotated document names. */
  readonly version: CiliumVersion;
  /** The first document that names it, as `kind namespace/name (file)`. */
  readonly source: string;
}

/**
 * The Cilium version the annotated documents were synthesized for. Documents without the annotation (hand-written
 * policies, NetworkPolicies) do not count.
 * @returns `undefined` when no document carries the annotation
 * @throws CiliumPolicyError (`version-annotation-conflict`) when documents name different versions, and
 * (`version-annotation-invalid`) when one names something that is not a supported version
 */
export function synthesizedVersion(docs: readonly AnnotatedDocument[]): SynthesizedVersion | undefined {
  let found: SynthesizedVersion | undefined;
  for (const doc of docs) {
    const value = doc.model.metadata.annotations?.[CILIUM_VERSION_ANNOTATION];
    if (value === undefined) continue;
    const source = describe(doc);
    const version = annotationVersion(value);
    const malformed = version === undefined ? malformedPatch(value) : undefined;
    if (malformed !== undefined) {
      // A patch level that is not plainly a number: the refusal `--cilium-version` gives, naming the policy (`write 1.17.4`).
      throw new CiliumPolicyError({
        id: malformed.id,
        ...(doc.file !== undefined ? { location: doc.line !== undefined ? `${doc.file}:${doc.line}` : doc.file } : {}),
        message: `${doc.file !== undefined ? describe({ model: doc.model }) : source} has the annotation ${CILIUM_VERSION_ANNOTATION}: ${errorWhat(malformed)}`,
        fix: `${malformed.fix}, or pass the version of the cluster explicitly (--cilium-version)`,
      });
    }
    if (version === undefined) {
      throw new CiliumPolicyError({
        id: 'version-annotation-invalid',
        ...(doc.file !== undefined ? { location: doc.line !== undefined ? `${doc.file}:${doc.line}` : doc.file } : {}),
        message: `${doc.file !== undefined ? describe({ model: doc.model }) : source} has the annotation ${CILIUM_VERSION_ANNOTATION}: ${JSON.stringify(value)}, which is not a supported Cilium version`,
        fix: `write one of ${CiliumVersion.ALL.map(String).join(', ')}, or pass the version of the cluster explicitly (--cilium-version)`,
      });
    }
    if (found === undefined) {
      found = { version, source };
    } else if (found.version !== version) {
      throw new CiliumPolicyError({
        id: 'version-annotation-conflict',
        message: `the policies were synthesized for different Cilium versions: ${found.version.release} (${found.source}) and ${version.release} (${source})`,
        fix: 'pass the version of the cluster explicitly (--cilium-version), or give the policies of one cluster at a time',
      });
    }
  }
  return found;
}

/**
 * The version an annotation value names, as `CiliumVersion.parse` reads it, or `undefined` when it names no supported
 * version (`version-annotation-invalid`): the one reading of the annotation's value.
 * @param value the value of the annotation as read
 */
export function annotationVersion(value: unknown): CiliumVersion | undefined {
  try {
    return CiliumVersion.parse(value as string);
  } catch {
    return undefined;
  }
}

/**
 * The refusal `CiliumVersion.parse` gives an annotation value whose patch level is not plainly a number (`1.17.04`:
 * `version-patch-malformed`, whose fix names what to write), or `undefined` for any other value.
 */
export function malformedPatch(value: unknown): CiliumPolicyError | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    CiliumVersion.parse(value);
  } catch (e) {
    if (e instanceof CiliumPolicyError && e.id === 'version-patch-malformed') return e;
  }
  return undefined;
}

/** A policy's own `cdk8s-cilium.io/cilium-version` annotation: its value as read, and the version it names. */
export interface OwnAnnotation {
  /** The value as read. */
  readonly value: unknown;
  /**
   * The supported version it names.
   * @default - it names none (a value that is no string, as YAML reads an unquoted `1.16`, is no annotation the API server takes)
   */
  readonly version?: CiliumVersion;
}

/**
 * The policy's own version annotation, or `undefined` without one: the one reading of it by which `validate`, the cdk8s
 * plugin and `validateApp` judge each policy for the version it was synthesized for.
 */
export function ownAnnotation(model: { readonly metadata?: { readonly annotations?: Readonly<Record<string, unknown>> } }):
  OwnAnnotation | undefined {
  const value: unknown = model.metadata?.annotations?.[CILIUM_VERSION_ANNOTATION];
  if (value === undefined) return undefined;
  const version = typeof value === 'string' ? annotationVersion(value) : undefined;
  return version !== undefined ? { value, version } : { value };
}

/** The path of the annotation in a policy, as findings name it. */
export const ANNOTATION_PATH = `metadata.annotations[${JSON.stringify(CILIUM_VERSION_ANNOTATION)}]`;

/**
 * Whether `diagnostic` is the reader's `parse-wrong-type` at the annotation: an unquoted number, kept as its text. When
 * that text names no supported version either, the `version-annotation-invalid` finding says both (`invalidAnnotationFinding`
 * with `unquoted`) and this one is left out: one mistake, one finding, with the fix that mends it (quoting `1.20` does not).
 */
export function isAnnotationTypeDiagnostic(diagnostic: { readonly id: string; readonly path?: string }): boolean {
  return diagnostic.id === ParseDiagnosticId.WRONG_TYPE && diagnostic.path === ANNOTATION_PATH;
}

/**
 * The finding `version-annotation-invalid` (an error at `ANNOTATION_PATH`) for an annotation that names no supported
 * version, whose policy is judged for `judgedFor` instead; `unquoted` when the reader found a number there
 * (`isAnnotationTypeDiagnostic`), `value` then being its text; `fix` the caller's (`annotationFix` of its option).
 */
export function invalidAnnotationFinding(value: unknown, judgedFor: string, unquoted: boolean, fix: string):
  { id: string; message: string; fix: string; path: string } {
  // The reader keeps the text of a boolean or number it found (`true`, `1.20`).
  const type = /^(?:true|false)$/i.test(String(value)) ? 'a boolean' : 'a number';
  const what = unquoted
    ? `${String(value)}, unquoted: ${type}, which the API server rejects (annotations are strings), and ${JSON.stringify(value)} is not`
    : `${JSON.stringify(value)}, which is not`;
  // A patch level that is not plainly a number gets the fix `--cilium-version` gives it (`write 1.17.4`).
  const malformed = unquoted ? undefined : malformedPatch(value);
  if (malformed !== undefined) {
    return {
      id: 'version-annotation-invalid', path: ANNOTATION_PATH,
      message: `the annotation ${CILIUM_VERSION_ANNOTATION} is ${JSON.stringify(value)}: ${errorWhat(malformed)}; it is judged for Cilium ${judgedFor}`,
      fix: malformed.fix ?? fix,
    };
  }
  return {
    id: 'version-annotation-invalid', path: ANNOTATION_PATH,
    message: `the annotation ${CILIUM_VERSION_ANNOTATION} is ${what} a supported Cilium version; it is judged for Cilium ${judgedFor}`,
    fix,
  };
}

/** The Cilium version policies are judged for, and where it came from. */
export interface JudgedVersion {
  /** The version. */
  readonly version: CiliumVersion;
  /**
   * Where it came from: `given`, `the annotation cdk8s-cilium.io/cilium-version of <policy>` (the version the policies were
   * synthesized for), or `the default`.
   */
  readonly source: string;
  /** Whether it came from the policies' annotation. */
  readonly annotated: boolean;
}

/** `JudgedVersion.source` of a version given by the caller (`--cilium-version`, the `ciliumVersion` option). */
export const VERSION_GIVEN = 'given';

/** `JudgedVersion.source` of `CiliumVersion.DEFAULT`, taken when no version is given and no policy is annotated. */
export const VERSION_DEFAULT = 'the default';

/**
 * The one rule by which every tool that reads policies back picks the Cilium version it judges for: the version given
 * (`--cilium-version`, the `ciliumVersion` option) wins, and the annotation is then not read; else the version the
 * annotated documents were synthesized for (`synthesizedVersion`: every annotation must name the same supported
 * version); else `CiliumVersion.DEFAULT`.
 * @throws CiliumPolicyError (`version-annotation-conflict`, `version-annotation-invalid`) as `synthesizedVersion`, when
 * no version is given
 */
export function judgedVersion(docs: readonly AnnotatedDocument[], given?: CiliumVersion): JudgedVersion {
  if (given !== undefined) return { version: given, source: VERSION_GIVEN, annotated: false };
  const found = synthesizedVersion(docs);
  return found !== undefined
    ? { version: found.version, source: `the annotation ${CILIUM_VERSION_ANNOTATION} of ${found.source}`, annotated: true }
    : { version: CiliumVersion.DEFAULT, source: VERSION_DEFAULT, annotated: false };
}

/**
 * The fix of `version-annotation-invalid`, naming how the caller gives the version (`--cilium-version` for the CLI,
 * `ciliumVersion` for the API and the cdk8s plugin).
 */
export function annotationFix(option: string, mainBranch = true): string {
  return `write one of ${CiliumVersion.ALL.map(String).join(', ')} as a quoted string (the constructs write it), or judge the policies for the `
    + `version of the cluster with ${option}${mainBranch ? ' (which also takes 1.20, Cilium\'s main branch)' : ''}`;
}

function describe(doc: AnnotatedDocument): string {
  const { kind, metadata } = doc.model;
  const name = metadata.namespace !== undefined && kind === 'CiliumNetworkPolicy' ? `${metadata.namespace}/${metadata.name}` : metadata.name;
  return `${kind} ${name}${doc.file !== undefined ? ` (${doc.file})` : ''}`;
}
