// Two selectors with different L7 parsers on one egress port, both selecting the peer (from 1.18 the parser is per
// selector, PerSelectorPolicy.L7Parser, so the agent takes the policy). The policy map holds one redirect per identity
// and port: MapStateEntry.Merge keeps the listener of the higher priority, and pkg/policy/l4.go
// `L7ParserType.defaultPriority` ranks Kafka (ListenerPriorityKafka 106) above DNS (ListenerPriorityDNS 121), so a
// Kafka request to a pod both selectors select meets the Kafka proxy and the Kafka rules (docs/testing.md, session 44:
// the seed-4343 mutant evaluate.ts:170, `dns && q.dns !== undefined` → `dns && true`, judged it by the DNS rules).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { cnp, judged, labels, policySet } from './helpers';

const P = [{ port: '9092', protocol: 'TCP' }];
const KAFKA = { toEndpoints: [labels({ app: 'kafka' })], toPorts: [{ ports: P, rules: { kafka: [{ topic: 'orders' }] } }] };
const DNS = { toEndpoints: [labels({ tier: 'infra' })], toPorts: [{ ports: P, rules: { dns: [{ matchPattern: '*' }] } }] };

function pod(name: string, podLabels: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: podLabels }, spec: { containers: [{ name: 'c', image: 'x' }] } };
}

describe('Kafka and DNS rules of two selectors on one port, one pod selected by both', () => {
  for (const version of [CiliumVersion.V1_18, CiliumVersion.V1_19]) {
    for (const [order, items, kafkaPath] of [['Kafka first', [KAFKA, DNS], 'spec.egress[0]'], ['DNS first', [DNS, KAFKA], 'spec.egress[1]']] as const) {
      test(`${version}, ${order}: a Kafka request is judged by the Kafka rules`, () => {
        const set = policySet([pod('web', { app: 'web' }), pod('broker', { app: 'kafka', tier: 'infra' }),
          pod('resolver', { app: 'resolver', tier: 'infra' }),
          cnp('p', { endpointSelector: labels({ app: 'web' }), egress: items })], { ciliumVersion: version });
        const denied = judged(set, 'pod:default:app=web', 'pod:default:app=kafka,tier=infra', 9092, { kafka: 'produce secrets' });
        expect(denied.verdict).toBe('l7-denied');
        expect(denied.egress.l7).toMatchObject({ protocol: 'kafka', result: 'denied', rules: ['topic=orders'] });
        const allowed = judged(set, 'pod:default:app=web', 'pod:default:app=kafka,tier=infra', 9092, { kafka: 'produce orders' });
        expect(allowed.verdict).toBe('allowed');
        expect(allowed.egress.rule?.path).toBe(kafkaPath);
        expect(allowed.egress.l7).toMatchObject({ protocol: 'kafka', result: 'allowed', matched: 'topic=orders' });
        // A pod only the DNS selector selects: no Kafka rules apply there, the DNS proxy's rules do.
        const resolver = judged(set, 'pod:default:app=web', 'pod:default:app=resolver,tier=infra', 9092, { kafka: 'produce secrets' });
        expect(resolver.egress.l7).toMatchObject({ protocol: 'dns', result: 'not-evaluated' });
      });
    }
  }
});
