/**
 * Kafka API keys and roles as the agent reads `rules.kafka` (pkg/policy/api/kafka: `APIKeyMap`, `GetAPIKeys`): a key is
 * named case-insensitively or, in a request, by its number; a `role` expands into the keys its operation needs. The one
 * table of the SDK: the engine matches requests with it (`engine/l7.ts`), `validate` checks `apiKey` and `role` with it.
 */

/** The agent's Kafka API keys by lower-case name (`APIKeyMap`: 0-33). */
export const KAFKA_API_KEYS: Readonly<Record<string, number>> = Object.freeze({
  produce: 0, fetch: 1, offsets: 2, metadata: 3, leaderandisr: 4, stopreplica: 5, updatemetadata: 6, controlledshutdown: 7,
  offsetcommit: 8, offsetfetch: 9, findcoordinator: 10, joingroup: 11, heartbeat: 12, leavegroup: 13, syncgroup: 14,
  describegroups: 15, listgroups: 16, saslhandshake: 17, apiversions: 18, createtopics: 19, deletetopics: 20,
  deleterecords: 21, initproducerid: 22, offsetforleaderepoch: 23, addpartitionstotxn: 24, addoffsetstotxn: 25, endtxn: 26,
  writetxnmarkers: 27, txnoffsetcommit: 28, describeacls: 29, createacls: 30, deleteacls: 31, describeconfigs: 32, alterconfigs: 33,
});

/**
 * The API keys whose requests carry topics (`isTopicAPIKey` of Cilium's Kafka request matcher), by the name
 * `kafkaApiKeyName` gives them: a rule with a `topic` decides those by the request's topics; a request of any other key
 * has none, and the rule's topic does not restrict it (`matchNonTopicRequests`). AlterReplicaLogDirs (34),
 * DescribeLogDirs (35) and CreatePartitions (37) are outside `APIKeyMap`, so a request names them by number (as Hubble
 * does, `ApiKeyToString`): they are listed as `34`, `35` and `37`.
 */
export const KAFKA_TOPIC_API_KEYS: ReadonlySet<string> = new Set([
  'produce', 'fetch', 'offsets', 'metadata', 'leaderandisr', 'stopreplica', 'updatemetadata', 'offsetcommit', 'offsetfetch',
  'createtopics', 'deletetopics', 'deleterecords', 'offsetforleaderepoch', 'addpartitionstotxn', 'writetxnmarkers', 'txnoffsetcommit',
  '34', '35', '37',
]);

/**
 * The API keys whose requests Cilium's Kafka parser reads past the header (`ReadRequest`: produce, fetch, offsets,
 * metadata, the consumer-metadata (findcoordinator), offsetcommit and offsetfetch requests). Of the others it sees no
 * topic: a rule with a `topic` never matches a request of a topic-carrying key among them (`matchNonTopicRequests`).
 */
export const KAFKA_PARSED_API_KEYS: ReadonlySet<string> = new Set(['produce', 'fetch', 'offsets', 'metadata', 'findcoordinator', 'offsetcommit', 'offsetfetch']);

/**
 * What the client gets when the proxy denies a Kafka request of `apiKey` (a name or number): cilium/proxy's Kafka parser
 * (proxylib/kafka `OnData`) drops every denied request, and injects a TopicAuthorizationFailed response only for the keys
 * it parsed (`CreateAuthErrorResponse` -> `CreateResponse`: produce, fetch, offsets, metadata, findcoordinator,
 * offsetcommit, offsetfetch); for any other key `CreateResponse` fails ("unsupported request API key") and nothing is
 * injected: the request is dropped without an answer, and the client waits for its timeout.
 */
export function kafkaDenialResponse(apiKey: string): 'Kafka error response' | 'request dropped, no Kafka response' {
  return KAFKA_PARSED_API_KEYS.has(kafkaApiKeyName(apiKey)) ? 'Kafka error response' : 'request dropped, no Kafka response';
}

/** The API keys each `role` allows (`GetAPIKeys`), by name. */
export const KAFKA_ROLE_API_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  produce: ['produce', 'metadata', 'apiversions'],
  consume: ['fetch', 'offsets', 'metadata', 'offsetcommit', 'offsetfetch', 'findcoordinator', 'joingroup', 'heartbeat', 'leavegroup',
    'syncgroup', 'apiversions'],
});

/** The canonical (lower-case) name of a Kafka API key given by name or number; a number outside the table stays a number. */
export function kafkaApiKeyName(key: string): string {
  const lower = key.trim().toLowerCase();
  if (/^\d+$/.test(lower)) {
    const found = Object.entries(KAFKA_API_KEYS).find(([, n]) => n === Number(lower));
    return found ? found[0] : String(Number(lower));
  }
  return lower;
}

/**
 * Whether a request's API key is one Cilium's Kafka parser can be given: a name of `APIKeyMap` (any case) or a number from
 * -32768 to 32767 (the request header's int16 `api_key`, which `proto.ReadReq` reads signed and never range-checks; Hubble
 * names a key outside the table by its number, `-1` included). A word such as `listoffsets` (Kafka's own name of `offsets`)
 * is no key: judged as given, it matched a rule's `topic` as a key without topics.
 */
export function kafkaRequestApiKeyKnown(key: string): boolean {
  const name = kafkaApiKeyName(key);
  if (Object.prototype.hasOwnProperty.call(KAFKA_API_KEYS, name)) return true;
  return /^-?\d{1,5}$/.test(name) && Number(name) >= -32768 && Number(name) <= 32767;
}
