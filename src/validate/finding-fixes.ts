// The fixes of findings whose check gives none: by catalogue entry, and by CRD schema keyword.
import { findCheck } from './catalogue';
import { CrdViolation } from './crd-schema';

/** A fix for findings that come without one. */
export function defaultFix(id: string): string {
  if (id === 'parse-yaml-syntax') return 'fix the YAML at this position';
  const what = findCheck(id)?.what;
  return what ? `correct it: ${what}` : 'correct the field';
}

/** The fix for a violation of a real CRD, by schema keyword. */
export function crdFix(v: CrdViolation): string {
  switch (v.keyword) {
    case 'additionalProperties':
      return 'remove the field or correct its name: the CRD of your cluster does not have it (an API server prunes it, kubectl apply rejects it)';
    case 'required':
      return 'add the missing field';
    case 'crd':
      return 'check apiVersion and kind, and that the CRD files given with --crd define this kind';
    default:
      return 'write a value the CRD of your cluster accepts';
  }
}
