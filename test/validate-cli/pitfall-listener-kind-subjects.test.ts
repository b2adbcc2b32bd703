// pitfall-listener-kind-refused (src/validate/pitfall-listener-kind.ts) on a rule without a subject: a CiliumNetworkPolicy
// or CiliumClusterwideNetworkPolicy rule with neither endpointSelector nor nodeSelector, which the agent refuses as a whole
// (pkg/policy/api/rule_validation.go `Rule.Sanitize`: "rule must have one of EndpointSelector or NodeSelector"; validate's
// `crd-subject-one-of`). Such a rule selects no endpoint, so no endpoint's regeneration fails on its listener: that refusal
// alone, no listener finding, and no throw. Written for the surviving mutants of session 53 (docs/testing.md "Session 53").
import { describe, expect, it } from 'vitest';
import { ccnp, cnp } from '../engine/helpers';
import { check, summary } from './helpers';

const EGRESS = [{
  toEntities: ['cluster'],
  toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l1' } }],
}];

describe('a listener of kind CiliumEnvoyConfig in a rule without a subject', () => {
  it.each([
    ['CNP', cnp('nosubject', { egress: EGRESS }, 'shop')],
    ['CCNP', ccnp('nosubject', { egress: EGRESS })],
  ])('%s: the rule\'s refusal alone, no listener finding', (_kind, policy) => {
    expect(summary(check({ 'p.yaml': JSON.stringify(policy) })).map((s) => s.replace(/@\S+/, ''))).toEqual(['error crd-subject-one-of spec']);
  });
});
