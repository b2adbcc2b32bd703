/**
 * Which policies the cluster actually has. A policy that the API server rejects (CRD schema of the target version) or
 * that the agent refuses to import (`Sanitize`) enforces nothing, so the engine must not enforce it either. The rules are
 * those of `validate` (one implementation): a document with an error-level finding of `validatePolicy`, or an error of
 * the reader attached to it (a number where the CRD wants a string, a wrong type), is rejected as a whole (see `refusesPolicy`, validate/catalogue.ts), with the
 * findings as the reason. The engine keeps it in the set (so verdicts can say that it selects an endpoint but is not
 * imported), warns about it, and enforces none of its rules.
 *
 * A new error rule in `validate` (an RE2 pattern the agent cannot compile, say) is honoured here without a change.
 */
import { Diagnostic, Severity } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { diagnosticWeight } from '../model/diagnostic-budget';
import { IParsedDocument, SourceDiagnostic } from '../model/parse-result';
import { NetworkPolicyModel } from '../model/network-policy';
import { PolicyDocumentModel } from '../model/policy-model';
import { emitDocument } from '../model/emit';
import { ACCEPTED, CheckLayer, layerOf, refusesPolicy } from '../validate/catalogue';
import { CrdSchemas } from '../validate/crd-schema';
import { networkPolicyRejections } from '../validate/network-policy-rules';
import { networkPolicyRefusals } from '../validate/network-policy-refusals';
import { notSaidByReader, validatePolicy } from '../validate/validate-policy';

/** What the cluster makes of a document. */
export interface Admission {
  /**
   * Why the cluster does not enforce it (the API server or the agent refuses it).
   * @default - it is enforced
   */
  readonly rejected?: string;
  /**
   * Whether the API server stores it (no error of the CRD schema, `metadata` included, or of the reader): a stored
   * document replaces an earlier one with the same kind, namespace and name, even when the agent then refuses it.
   */
  readonly stored: boolean;
}

/**
 * The agent flags that decide some of its refusals, which the validator (knowing only the version) reports as warnings.
 */
export interface AgentFlags {
  /** `enable-node-selector-labels`: without it the agent refuses a policy with from/toNodes (`sanitize-nodes-flag`). */
  readonly nodeSelectorLabels: boolean;
}

/** What the cluster makes of a document: whether the API server stores it, and why it is not enforced. */
export function admission(doc: PolicyDocumentModel, readerDiagnostics: readonly SourceDiagnostic[], version: CiliumVersion,
  flags: AgentFlags): Admission {
  // No name and no generateName: `validatePolicy`'s `parse-missing-name` (`nameMissing`), whichever way the model came
  // (`fromDocuments`, a construct, a reader, which says it at its line instead): the API server stores no such object.
  const findings = [...readerDiagnostics, ...notSaidByReader(validatePolicy(doc, { version }), readerDiagnostics)];
  const refusedBySchema = versionSchemaRefusals(doc, findings, version);
  const why = describeErrors(findings.filter((d) => refusedBySchema.has(d) || refusesPolicy(d) || refusedUnderFlags(d, flags)));
  return {
    ...(why !== undefined ? { rejected: why } : {}),
    stored: !findings.some((d) => refusedByApiServer(d) || refusedBySchema.has(d)),
  };
}

/**
 * The version findings (`version-…` errors) that are schema rejections, not prunings: the target version's CRD schema
 * (the bundled copy Cilium ships for that version, checked by `CrdSchemas`) refuses the object at the finding's path, or
 * above or below it, with another keyword than `additionalProperties`. A field the older CRD does not know fails only
 * `additionalProperties` in this closed check; the API server prunes it and stores the rest (`endPort`, `fromNodes`,
 * `enableDefaultDeny`, `log` …). A value the older CRD types, enumerates or requires otherwise makes the API server
 * refuse the whole object: an ICMP `type` name where 1.14/1.15 want an integer, `protocol: VRRP`/`IGMP` outside the
 * 1.14–1.18 enum, a port entry without `port` (`required: [port]` before 1.19), a `fromCIDRSet` entry left empty by
 * pruning `cidrGroupSelector` (`oneOf` before 1.17), `fromRequires` entries on 1.19 (`maxItems: 0`).
 *
 * The classification is read from the schema, not listed by hand, so a new version rule needs no change here.
 */
function versionSchemaRefusals(doc: PolicyDocumentModel, findings: readonly Diagnostic[], version: CiliumVersion): Set<Diagnostic> {
  const candidates = findings.filter((d) => d.severity === Severity.ERROR && layerOf(d.id) === CheckLayer.VERSION && d.path);
  if (candidates.length === 0) return new Set();
  let refusals: string[];
  try {
    refusals = CrdSchemas.builtin(version).validate(emitDocument(doc))
      .filter((v) => v.keyword !== 'additionalProperties' && v.path !== '').map((v) => v.path);
  } catch {
    // A model the emitter cannot write (a peer field in the wrong direction) has a crd- error of its own.
    return new Set();
  }
  return new Set(candidates.filter((d) => refusals.some((p) => related(p, d.path ?? ''))));
}

/** Whether two field paths are the same or one lies inside the other (`a.b` and `a.b[0].c`). */
function related(a: string, b: string): boolean {
  const inside = (inner: string, outer: string): boolean => inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return a === b || inside(a, b) || inside(b, a);
}

/**
 * Why the agent does not import what `findings` describe (the first refusing finding, `message at path [id]`), or
 * `undefined`: the one judgement of which `validate` findings refuse a policy, for documents and raw rules alike.
 */
export function importRefusal(findings: readonly Diagnostic[], flags: AgentFlags): string | undefined {
  return describeErrors(findings.filter((d) => refusesPolicy(d) || refusedUnderFlags(d, flags)));
}

/** A warning of the validator that is a refusal with the agent's flags as given (see `AgentFlags`). */
function refusedUnderFlags(d: Diagnostic, flags: AgentFlags): boolean {
  return d.id === 'sanitize-nodes-flag' && !flags.nodeSelectorLabels;
}

/**
 * Why the API server would not store a Kubernetes NetworkPolicy (no name or one that is no string, as for a Cilium policy;
 * `validate`'s `k8s-np-…` checks, the rest of metadata aside), or `undefined` when it would.
 */
export function networkPolicyRejection(obj: unknown): string | undefined {
  return describeErrors(networkPolicyRejections(obj));
}

/**
 * Why the agent of `version` refuses a NetworkPolicy the API server stores, or `undefined` when it imports it: before 1.19
 * an ipBlock CIDR it cannot parse, on 1.15 an endPort (`networkPolicyRefusals`, the reading `validate`'s
 * `pitfall-np-agent-refuses` reports).
 */
export function networkPolicyAgentRejection(np: NetworkPolicyModel, version: CiliumVersion): string | undefined {
  const paths = { ingress: np.sources.ingress.map((s) => s.path), egress: np.sources.egress.map((s) => s.path) };
  const bad = networkPolicyRefusals(np.rule, paths, version);
  if (bad.length === 0) return undefined;
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more)` : '';
  const first = bad[0];
  const what = first.why === 'end-port'
    ? `supports no NetworkPolicy endPort (${first.value} at ${first.at}${more}; parsePorts returns ErrEndPortUnsupported, cilium/cilium#28704)`
    : `cannot parse the CIDR ${JSON.stringify(first.value)} at ${first.at}${more} (rule.Sanitize in ParseNetworkPolicy)`;
  return `the agent of Cilium ${version.toString()} ${what} [pitfall-np-agent-refuses]`;
}

function describeErrors(errors: readonly Diagnostic[]): string | undefined {
  if (errors.length === 0) return undefined;
  const first = errors[0];
  const count = errors.reduce((n, e) => n + diagnosticWeight(e), 0);
  const more = count > 1 ? ` (and ${count - 1} more error${count === 2 ? '' : 's'}: run validate)` : '';
  return `${first.message}${first.path ? ` at ${first.path}` : ''} [${first.id}]${more}`;
}

/** Whether a finding means the API server does not store the object at all (its `metadata` included). */
function refusedByApiServer(d: Diagnostic): boolean {
  if (d.severity !== Severity.ERROR || ACCEPTED.has(d.id)) return false;
  const layer = layerOf(d.id);
  return layer === 'crd' || layer === 'parse';
}

/** The reader's diagnostics that belong to a parsed document (same document index and List item). */
export function diagnosticsOf(parsed: IParsedDocument, diagnostics: readonly SourceDiagnostic[]): SourceDiagnostic[] {
  return diagnostics.filter((d) => d.index === parsed.source.index && d.itemPath === parsed.source.itemPath
    && (d.file === undefined || d.file === parsed.source.file));
}
