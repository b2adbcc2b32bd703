/**
 * What an allow item's `authentication.mode` does to the traffic it allows: the one reading the engine (`verdict`,
 * `decide`) and the validator (`pitfall-authentication-drops`) share.
 *
 * An allow entry of the policy map with an auth type other than `disabled` drops each packet
 * (`DROP_POLICY_AUTH_REQUIRED`, bpf/lib/policy.h) until the agent's auth manager has written the pair of identities into
 * the auth map (`auth_lookup`, bpf/lib/auth.h). `test-always-fail` is never written (its handler always fails);
 * `required` only when the cluster runs mutual authentication with SPIRE (`authentication.mutual.spire.enabled`: the
 * handler of `required` is registered only with a mutual listener port, pkg/auth `newMutualAuthHandler`), and never for
 * a reserved identity (world, host, remote-node, …: pkg/auth `handleAuthRequest` skips them). Helm's
 * `authentication.enabled`: "if disabled, policy enforcement will still block requests that require authentication".
 */

/** The modes in the order the agent merges them (`MapStateEntry.Merge` keeps the highest auth type). */
export const AUTHENTICATION_MODE_ORDER: Readonly<Record<string, number>> = { 'disabled': 0, 'required': 1, 'test-always-fail': 2 };

/** Why traffic an allow item with an authentication mode lets through is dropped, and the fix. */
export interface AuthenticationDrop {
  /** One clause: why the datapath drops it. */
  readonly why: string;
  /** What to change. */
  readonly fix: string;
}

/**
 * Whether an allow item with `authentication.mode` `mode` drops the traffic it allows, and why: `test-always-fail`
 * always, `required` unless the cluster runs mutual authentication (SPIRE), `disabled` (or an unknown mode) never.
 * @param mutualAuth the cluster runs mutual authentication with SPIRE
 */
export function authenticationDrop(mode: string | undefined, mutualAuth: boolean): AuthenticationDrop | undefined {
  if (mode === 'test-always-fail') {
    return {
      why: 'authentication mode test-always-fail never authenticates (a test mode): the datapath drops every packet (DROP_POLICY_AUTH_REQUIRED)',
      fix: 'remove authentication, or use mode required with mutual authentication (SPIRE) set up',
    };
  }
  if (mode === 'required' && !mutualAuth) {
    return {
      why: 'authentication mode required drops every packet (DROP_POLICY_AUTH_REQUIRED) unless the cluster runs mutual authentication '
        + 'with SPIRE (authentication.mutual.spire.enabled): without it nothing authenticates the pair, whatever authentication.enabled says',
      fix: 'enable mutual authentication with SPIRE (and tell the engine: mutualAuth, --mutual-auth), or remove authentication',
    };
  }
  return undefined;
}
