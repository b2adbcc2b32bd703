// The verdict gate's agent-refusal check (src/engine/parser-conflicts.ts `agentRefusals`) works a refusal out on the rules
// of a selection that bring something to it (`contributingRules`): selections that differ only in rules bringing nothing
// (no L7 parser, mode, regex, groups, undecided selector or listener) share their refusals, and the gate refuses each of
// their endpoints alike (session 58). A rule with deny items brings nothing of its own but ends the merge of a mode on its
// peer and filter (pkg/policy/rule.go `mergePortProto`: "Denies takes priority over any rule"), so it still counts where
// the selection has modes: without it, a refusal the deny rules out would be shared from a selection without the deny.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { PolicySet, VerdictKind, VerdictQuery } from '../../src/engine';
import { AgentRefusalCheck, notKnown } from '../../src/engine/parser-conflicts';
import { cnp, labels, policySet } from './helpers';

const port80 = (rules?: Record<string, unknown>): Record<string, unknown> =>
  ({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], ...(rules ? { rules } : {}) }] });
const fromClient = { fromEndpoints: [labels({ role: 'client' })] };
const auth = (mode: string): { authentication: { mode: string } } => ({ authentication: { mode } });

/** What `decide()` answers on client → `to` on 80/TCP: the verdict, or the id of the gate's refusal. */
function decided(set: PolicySet, to: string): string {
  const q: VerdictQuery = { from: set.endpoint('pod:default:role=client'), to: set.endpoint(to), protocol: 'TCP', port: 80 };
  try {
    return set.decide(q);
  } catch (e) {
    if (e instanceof CiliumPolicyError) return e.id;
    throw e;
  }
}

describe('refusals shared between selections with the same contributing rules', () => {
  // app=web: HTTP and Kafka on one port for one peer, the agent cannot merge the parsers (l4_filter_test.go 5A/5B).
  const conflict = cnp('conflict', {
    endpointSelector: labels({ app: 'web' }),
    ingress: [{ ...fromClient, ...port80({ http: [{ method: 'GET' }] }) }, { ...fromClient, ...port80({ kafka: [{ topic: 'orders' }] }) }],
  });
  // tier=a only: a plain L3 allow, which brings nothing to a refusal.
  const plain = cnp('plain', { endpointSelector: labels({ tier: 'a' }), ingress: [fromClient] });
  const WEB_A = 'pod:default:app=web,tier=a';
  const WEB_B = 'pod:default:app=web,tier=b';

  test('two selections that differ in a rule bringing nothing: one refusal, and the gate refuses both ends', () => {
    const set = policySet([conflict, plain]);
    const a = set._agentRefusals(set.endpoint(WEB_A));
    const b = set._agentRefusals(set.endpoint(WEB_B));
    expect(a.length).toBeGreaterThan(0);
    expect(b).toBe(a);
    expect(decided(set, WEB_A)).toBe('engine-policy-refused');
    expect(decided(set, WEB_B)).toBe('engine-policy-refused');
    // Not selected by the conflicting rule: judged (the plain allow on tier=a, default allow on a pod no rule selects).
    expect(decided(set, 'pod:default:tier=a')).toBe(VerdictKind.ALLOWED);
    expect(set._agentRefusals(set.endpoint('pod:default:tier=a'))).toEqual([]);
  });

  test('in either order of first sight, on fresh sets: the same refusals as each end alone', () => {
    for (const [first, second] of [[WEB_A, WEB_B], [WEB_B, WEB_A]]) {
      const set = policySet([conflict, plain]);
      expect([decided(set, first), decided(set, second)]).toEqual(['engine-policy-refused', 'engine-policy-refused']);
      const alone = policySet([conflict, plain]);
      expect(set._agentRefusals(set.endpoint(second)).map((r) => r.check)).toEqual(alone._agentRefusals(alone.endpoint(second)).map((r) => r.check));
    }
  });

  test('a deny rule of another policy beside two modes: the order decides, not known, and not shared from the selection without it', () => {
    // foo=yes: two modes for the client on every port (rule.go mergePortProto "cannot merge conflicting authentication
    // types"); denied=yes also: a deny of the client in a policy of its own, which ends the merge only if met before both
    // modes ("Denies takes priority over any rule"): whether the agent refuses the policy is not known.
    const modes = cnp('modes', { endpointSelector: labels({ foo: 'yes' }), ingress: [{ ...fromClient, ...auth('required') }, { ...fromClient, ...auth('test-always-fail') }] });
    const deny = cnp('deny', { endpointSelector: labels({ denied: 'yes' }), ingressDeny: [fromClient] });
    const FOO = 'pod:default:foo=yes';
    const FOO_DENIED = 'pod:default:foo=yes,denied=yes';
    for (const order of [[FOO, FOO_DENIED], [FOO_DENIED, FOO]]) {
      const set = policySet([modes, deny], { mutualAuth: true });
      const got = Object.fromEntries(order.map((to) => [to, decided(set, to)]));
      expect(got).toEqual({ [FOO]: 'engine-policy-refused', [FOO_DENIED]: 'engine-policy-refused' });
      const of = (to: string): unknown[] => set._agentRefusals(set.endpoint(to)).map((r) => [r.check, notKnown(r)]);
      expect(of(FOO)).toEqual([[AgentRefusalCheck.AUTH_MODE_CONFLICT, false]]);
      expect(of(FOO_DENIED)).toEqual([[AgentRefusalCheck.AUTH_MODE_CONFLICT, true]]);
      // Another peer of the subject is not judged either: the agent may have refused the whole policy.
      expect(() => set.decide({ from: set.endpoint('pod:default:role=other'), to: set.endpoint(FOO_DENIED), protocol: 'TCP', port: 80 })).toThrow(CiliumPolicyError);
    }
  });
});
