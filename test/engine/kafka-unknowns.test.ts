// Kafka rules whose answer depends on a request field the query does not give (apiVersion, clientID, topic): Cilium's
// request matcher (`ruleMatches`: CheckAPIKeyRole, GetAPIVersion, then clientID and topic per request type;
// `matchNonTopicRequests` for API keys without topics) decides by them, so the engine never allows on a guess: the rule
// is judged not to match, and the explanation says what the query left out. `--kafka` carries them:
// `<apiKey> [<topic>] [version=<n>] [client=<id>]`.
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { parseKafkaRequest } from '../../src/engine/query';
import { CiliumPolicyError } from '../../src';
import { cnp, labels, policySet, verdict } from './helpers';

const FROM = 'pod:default:app=client';
const TO = 'pod:default:app=kafka';

function kafka(rules: Record<string, unknown>[]): PolicySet {
  return policySet([cnp('p', {
    endpointSelector: labels({ app: 'kafka' }),
    ingress: [{ fromEndpoints: [labels({ app: 'client' })], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: rules } }] }],
  })]);
}

function outcome(set: PolicySet, request: string): string {
  return verdict(set, FROM, TO, 9092, { kafka: request }).verdict;
}

describe('the --kafka request syntax', () => {
  test.each<[string, Record<string, unknown>]>([
    ['produce', { apiKey: 'produce' }],
    ['produce orders', { apiKey: 'produce', topic: 'orders' }],
    ['produce orders version=3 client=billing', { apiKey: 'produce', topic: 'orders', apiVersion: 3, clientID: 'billing' }],
    ['fetch client=a version=0', { apiKey: 'fetch', clientID: 'a', apiVersion: 0 }],
    ['metadata version=32767 orders', { apiKey: 'metadata', topic: 'orders', apiVersion: 32767 }],
  ])('%s', (text, expected) => {
    expect(parseKafkaRequest(text)).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['', /it is empty/],
    ['version=3 produce', /the first word must be the API key/],
    ['produce a b', /two topics/],
    ['produce version=x', /version "x" is not a number from 0 to 32767/],
    ['produce version=32768', /version "32768" is not a number/],
    ['produce version=1 version=2', /version is given twice/],
    ['produce client=', /client= has no client ID/],
    ['produce topic=a', /unknown field "topic"/],
  ])('%j is refused, naming the problem and the syntax', (text, why) => {
    let error: unknown;
    try {
      parseKafkaRequest(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CiliumPolicyError);
    const e = error as CiliumPolicyError;
    expect(e.id).toBe('engine-kafka-syntax');
    expect(e.message).toMatch(why);
    expect(e.message).toContain(JSON.stringify(text));
    expect(e.fix).toContain('<apiKey> [<topic>] [version=<n>] [client=<id>]');
  });
});

describe('truth table: a rule field the request does not give is never a match', () => {
  test.each<[string, Record<string, unknown>, string, string]>([
    // apiVersion
    ['apiVersion given and equal', { apiKey: 'produce', apiVersion: '3' }, 'produce orders version=3', 'allowed'],
    ['apiVersion given and different', { apiKey: 'produce', apiVersion: '3' }, 'produce orders version=2', 'l7-denied'],
    ['apiVersion not given (was: allowed)', { apiKey: 'produce', apiVersion: '3' }, 'produce orders', 'l7-denied'],
    ['apiVersion not given, apiKey differs anyway', { apiKey: 'produce', apiVersion: '3' }, 'fetch orders', 'l7-denied'],
    ['rule without apiVersion, request with one', { apiKey: 'produce' }, 'produce orders version=7', 'allowed'],
    // clientID
    ['clientID given and equal', { apiKey: 'produce', clientID: 'billing' }, 'produce orders client=billing', 'allowed'],
    ['clientID given and different', { apiKey: 'produce', clientID: 'billing' }, 'produce orders client=other', 'l7-denied'],
    ['clientID not given', { apiKey: 'produce', clientID: 'billing' }, 'produce orders', 'l7-denied'],
    // topic, on API keys whose requests carry topics
    ['topic given and equal', { apiKey: 'produce', topic: 'orders' }, 'produce orders', 'allowed'],
    ['topic given and different', { apiKey: 'produce', topic: 'orders' }, 'produce payments', 'l7-denied'],
    ['topic not given for produce (was: allowed)', { apiKey: 'produce', topic: 'orders' }, 'produce', 'l7-denied'],
    ['topic not given for metadata (was: allowed)', { role: 'produce', topic: 'orders' }, 'metadata', 'l7-denied'],
    // topic, on API keys without topics (matchNonTopicRequests: the rule's topic does not restrict them)
    ['heartbeat under a consume role with a topic', { role: 'consume', topic: 'orders' }, 'heartbeat', 'allowed'],
    ['apiversions under a produce role with a topic', { role: 'produce', topic: 'orders' }, 'apiversions', 'allowed'],
    // topic on API keys whose requests carry topics that Cilium's parser does not read: never a match
    ['createtopics with the rule\'s topic', { apiKey: 'createtopics', topic: 'orders' }, 'createtopics orders', 'l7-denied'],
    ['createtopics under a rule without topic', { apiKey: 'createtopics' }, 'createtopics orders', 'allowed'],
    ['deletetopics under a topic-only rule', { topic: 'orders' }, 'deletetopics orders', 'l7-denied'],
    ['findcoordinator (parsed, no topics) under a topic-only rule', { topic: 'orders' }, 'findcoordinator', 'allowed'],
    // topic keys outside the agent's name table, named by number (isTopicAPIKey: AlterReplicaLogDirs 34, DescribeLogDirs 35,
    // CreatePartitions 37; their topics are not read either): never a match under a topic rule (was: allowed)
    ['34 (alterreplicalogdirs) under a topic-only rule', { topic: 'orders' }, '34 orders', 'l7-denied'],
    ['35 (describelogdirs) under a topic-only rule', { topic: 'orders' }, '35', 'l7-denied'],
    ['37 (createpartitions) with the rule\'s topic', { topic: 'orders' }, '37 orders', 'l7-denied'],
    ['37 (createpartitions) under a rule without topic', { clientID: 'c' }, '37 orders client=c', 'allowed'],
    ['36 (saslauthenticate, no topics) under a topic-only rule', { topic: 'orders' }, '36', 'allowed'],
    // all three
    ['every field given and equal', { apiKey: 'produce', topic: 'orders', apiVersion: '1', clientID: 'c' }, 'produce orders version=1 client=c', 'allowed'],
    ['every field but the client', { apiKey: 'produce', topic: 'orders', apiVersion: '1', clientID: 'c' }, 'produce orders version=1', 'l7-denied'],
  ])('%s', (_what, rule, request, expected) => {
    expect(outcome(kafka([rule]), request)).toBe(expected);
  });

  test('a rule that does not depend on the missing field still allows, and the verdict names it', () => {
    const set = kafka([{ apiKey: 'produce', apiVersion: '3' }, { apiKey: 'produce', topic: 'orders' }]);
    const v = verdict(set, FROM, TO, 9092, { kafka: 'produce orders' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'allowed', matched: 'apiKey=produce topic=orders' });
  });
});

describe('the explanation says what the query did not give', () => {
  test('apiVersion and clientID unknown: denied, with a note naming the rule, the fields and the words that give them', () => {
    const v = verdict(kafka([{ apiKey: 'produce', apiVersion: '3', clientID: 'billing' }]), FROM, TO, 9092, { kafka: 'produce orders' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.notes).toContain('the Kafka request does not give its apiVersion and clientID, which Kafka rule apiKey=produce apiVersion=3 '
      + 'clientID=billing of CiliumNetworkPolicy default/p spec.ingress[0] depends on: it is judged not to match (denied unless known); '
      + 'give version=<n> client=<id> in the request to decide it');
  });

  test('topic unknown on a topic API key: the note asks for the topic', () => {
    const v = verdict(kafka([{ role: 'produce', topic: 'orders' }]), FROM, TO, 9092, { kafka: 'produce' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.notes.join('\n')).toMatch(/does not give its topic, which Kafka rule role=produce topic=orders .* give <topic> in the request/);
  });

  test('a topic rule on an API key whose topics the parser does not read: the note says it never matches', () => {
    const v = verdict(kafka([{ apiKey: 'createtopics', topic: 'orders' }]), FROM, TO, 9092, { kafka: 'createtopics orders' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.notes).toContain('Kafka rule apiKey=createtopics topic=orders of CiliumNetworkPolicy default/p spec.ingress[0] never matches a createtopics '
      + 'request: Cilium\'s Kafka parser does not read the topics of that API key, and a rule with a topic refuses such requests');
  });

  // cilium/proxy proxylib/kafka OnData: a denied request is dropped; CreateAuthErrorResponse makes a TopicAuthorizationFailed
  // answer only for the request kinds ReadRequest parsed, and for every other API key it fails, so nothing is injected.
  test.each<[string, Record<string, unknown>, string, string, string]>([
    ['produce (parsed): an error response', { apiKey: 'produce', topic: 'orders' }, 'produce payments', 'Kafka error response', 'Kafka error'],
    ['offsetfetch (parsed, by number 9)', { apiKey: 'produce' }, '9', 'Kafka error response', 'Kafka error'],
    ['createtopics (topics not read): dropped', { apiKey: 'createtopics', topic: 'orders' }, 'createtopics orders', 'request dropped, no Kafka response',
      'Kafka request dropped'],
    ['34 under a topic rule: dropped', { topic: 'orders' }, '34 orders', 'request dropped, no Kafka response', 'Kafka request dropped'],
    ['joingroup (no topics) refused by its key: dropped', { apiKey: 'produce' }, 'joingroup', 'request dropped, no Kafka response', 'Kafka request dropped'],
  ])('what the client gets for a denied request: %s', (_what, rule, request, response, head) => {
    const v = verdict(kafka([rule]), FROM, TO, 9092, { kafka: request });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.reason).toContain(`L7 denied (${response}):`);
    expect(v.ingress.l7?.reason).toMatch(new RegExp(`\\(${response}\\)$`));
    expect(v.summary.startsWith(`DENIED (L7: ${head}) `)).toBe(true);
  });

  test('no note when the request contradicts the rule on a field it does give', () => {
    const v = verdict(kafka([{ apiKey: 'produce', apiVersion: '3', topic: 'orders' }]), FROM, TO, 9092, { kafka: 'produce payments' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.notes.join('\n')).not.toContain('does not give');
    const known = verdict(kafka([{ apiKey: 'produce', apiVersion: '3' }]), FROM, TO, 9092, { kafka: 'produce orders version=3' });
    expect(known.verdict).toBe('allowed');
    expect(known.ingress.notes.join('\n')).not.toContain('does not give');
  });
});

describe('a request API key Cilium cannot be given is refused, not judged', () => {
  // Judged as given, a word that is no API key was a key without topics: a rule with a topic allowed it.
  test.each(['listoffsets', 'hello', '32768', '40000', '-32769'])('%j', (apiKey) => {
    const set = kafka([{ topic: 'orders' }]);
    let error: unknown;
    try {
      set.verdict({ from: set.endpoint(FROM), to: set.endpoint(TO), port: 9092, protocol: 'TCP', kafka: { apiKey, topic: 'payments' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CiliumPolicyError);
    expect((error as CiliumPolicyError).id).toBe('engine-query');
    expect((error as CiliumPolicyError).message).toContain(`the Kafka request's API key ${JSON.stringify(apiKey)} is not one Cilium knows`);
    expect(() => verdict(set, FROM, TO, 9092, { kafka: `${apiKey} payments` })).toThrow(/is not one Cilium knows/);
  });

  test('an API key given as a number, not text (JavaScript): refused by name, not a TypeError', () => {
    const set = kafka([{ topic: 'orders' }]);
    const apiKey = 37 as unknown as string;
    expect(() => set.verdict({ from: set.endpoint(FROM), to: set.endpoint(TO), port: 9092, protocol: 'TCP', kafka: { apiKey, topic: 'payments' } }))
      .toThrow(/the Kafka request's API key 37 \(a number, not text\) is not one Cilium knows/);
  });

  // A negative key is an int16 the parser reads (`proto.ReadReq`, signed, no range check) and Hubble shows (`"-1"`); it
  // carries no topics (`isTopicAPIKey` is false), so a rule with a topic lets it through (`Rule.Matches`).
  test.each<[string, string]>([
    ['OFFSETS payments', 'l7-denied'], ['2 orders', 'allowed'], ['32767', 'allowed'], ['heartbeat', 'allowed'], ['-1 payments', 'allowed'],
    ['-32768', 'allowed'],
  ])('%j is judged', (request, expected) => {
    expect(outcome(kafka([{ topic: 'orders' }]), request)).toBe(expected);
  });
});
