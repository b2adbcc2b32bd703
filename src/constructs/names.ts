import { CiliumPolicyError } from '../core/errors';
import { callerLocation } from './caller-location';

/** Whether `name` is a Kubernetes namespace name: an RFC 1123 label (lower-case letters, digits, dashes; 1-63 chars). */
export function isNamespaceName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/**
 * Refuses a namespace name that Kubernetes would never accept: a peer or exclusion naming it would match nothing
 * (or, in an exclusion list, leave the real namespace in), silently.
 * @param name the value given
 * @param what what it is, e.g. `Peer.service() namespace`
 * @param location a construct path; default: the caller's file:line
 */
export function checkNamespaceName(name: unknown, what: string, location?: string): string {
  if (!isNamespaceName(name)) {
    throw new CiliumPolicyError({
      id: 'namespace-name-syntax',
      message: `${what} ${JSON.stringify(name)} is not a namespace name, so it would match no namespace`,
      fix: 'use an RFC 1123 label: lower-case letters, digits and dashes, starting and ending with a letter or digit, at most 63 characters'
        + (typeof name === 'string' && isNamespaceName(name.toLowerCase().trim()) ? ` (did you mean "${name.toLowerCase().trim()}"?)` : ''),
      location: location ?? callerLocation(),
    });
  }
  return name;
}

/** Refuses an empty label map given where it would mean "everything". */
export function checkNonEmptyLabels(labels: Record<string, string> | undefined, what: string, fix: string, location?: string): void {
  if (labels !== undefined && (labels === null || typeof labels !== 'object' || Object.keys(labels).length === 0)) {
    throw new CiliumPolicyError({
      id: 'selector-empty',
      message: `${what} got an empty label map ({}), which selects everything`,
      fix,
      location: location ?? callerLocation(),
    });
  }
}
