/**
 * The one-line text of a verdict: `ALLOWED pod:… → pod:… 8080/TCP GET /public`, and the text forms of its connection and
 * request.
 */
import { kafkaDenialResponse } from '../model/kafka-api-keys';
import { L4Query } from './ports';
import { SideDecision, SideVerdict, VerdictKind, VerdictQuery } from './verdict';

/**
 * The summary line: the outcome (with what an L7 proxy answered when it refused), the ends, the connection and request.
 * @param kafkaApiKey the API key of the query's Kafka request, which decides what the proxy answers (`kafkaDenialResponse`)
 */
export function verdictSummary(verdict: VerdictKind, from: string, to: string, connection: string, request: string | undefined,
  sides: readonly SideVerdict[], kafkaApiKey?: string): string {
  const l7Side = sides.find((s) => s.decision === SideDecision.L7_DENIED);
  const kafka = (): string => (kafkaDenialResponse(kafkaApiKey ?? '') === 'Kafka error response' ? 'Kafka error' : 'Kafka request dropped');
  const head = verdict === VerdictKind.ALLOWED ? 'ALLOWED' : verdict === VerdictKind.DENIED ? 'DENIED'
    : `DENIED (L7: ${l7Side?.l7?.protocol === 'dns' ? 'DNS REFUSED' : l7Side?.l7?.protocol === 'kafka' ? kafka() : 'HTTP 403'})`;
  return `${head} ${from} → ${to} ${connection}${request ? ` ${request}` : ''}`;
}

/** `8080/TCP`, `icmp/8`, `icmpv6/128`. */
export function connectionText(l4: L4Query): string {
  if (l4.protocol === 'ICMP') return `${l4.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp'}/${l4.icmpType}`;
  return `${l4.port}/${l4.protocol}`;
}

/** The L7 request of a query as text: `GET /public`, `dns cilium.io`, `kafka produce topic version=3 client=billing` (the `--kafka` syntax). */
export function requestText(q: VerdictQuery): string | undefined {
  if (q.http) return `${q.http.method} ${q.http.path}`;
  if (q.dns !== undefined) return `dns ${q.dns}`;
  if (q.kafka) {
    const k = q.kafka;
    return `kafka ${k.apiKey}${k.topic ? ` ${k.topic}` : ''}${k.apiVersion !== undefined ? ` version=${k.apiVersion}` : ''}${k.clientID !== undefined ? ` client=${k.clientID}` : ''}`;
  }
  return undefined;
}
