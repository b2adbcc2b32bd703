/**
 * What a draft's outputs say of the connections it leaves out as replies (the YAML and TypeScript headers, the CLI summary
 * and its `draft-nothing-to-draft` refusal say the same words): connections whose every record is a reply-type packet (a
 * TCP SYN-ACK, an ICMP echo reply or error) that one side looked up in policy as new, as a policy drop or a policy-verdict
 * event shows (`ObservedConnection.replyLookups`). The rule of the request they answer allows them once conntrack holds
 * the request; a rule of their own would allow the client's port, or a reply type, as a new connection. No cdk8s import:
 * the CLI reads it without loading the drafting.
 */

/** The note on `n` (> 0) connections of reply packets a draft leaves out. */
export function replyLookupsLeftOutNote(n: number): string {
  return `${n} connection${n === 1 ? '' : 's'} of reply packets left out (SYN-ACKs or ICMP replies one side looked up as new: `
    + 'the rule of the request they answer allows them)';
}
