// Raw api.Rule lists (the local-API JSON format): imported all or none, as `cilium policy import` sanitizes every rule;
// endpoint syntax errors with their fixes; Kafka keys by number, roles and versions; HTTP header matches that cannot deny.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError, CiliumVersion } from '../../src';
import { PolicySet } from '../../src/engine';
import { parseEndpoint } from '../../src/engine/endpoint';
import { cnp, labels, policySet, verdict } from './helpers';

const API_FROM_WEB = { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ app: 'web' })] }] };

describe('raw api.Rule lists', () => {
  test('one rule with an HTTP path RE2 rejects makes the agent import none of the list: nothing is enforced, with a warning naming the field', () => {
    const set = PolicySet.fromYaml(JSON.stringify([
      API_FROM_WEB,
      { endpointSelector: labels({ app: 'db' }), ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ path: '/a(' }] } }] }] },
    ]), { file: 'rules.json' });
    // Rule [0] alone would deny app=other → app=api; the list is not imported, so the endpoint has no policy.
    expect(set).toAllow('pod:default:app=other', 'pod:default:app=api', 80);
    const skipped = set.diagnostics.filter((d) => d.id === 'engine-policy-skipped');
    expect(skipped[0]).toMatchObject({
      severity: 'warning', file: 'rules.json', line: 1, column: 1,
      message: 'the api.Rule list (document 0) is skipped: the agent does not import it (Sanitize fails: http path "/a(" is not a valid RE2 regular '
        + 'expression: missing closing ): /a( at [1].ingress[0].toPorts[0].rules.http[0].path [sanitize-http-regex]), so none of its rules is enforced',
      fix: 'fix the field (cdk8s-cilium validate shows it), or remove the policy',
    });
  });

  test.each([['method', 'GET|(POST'], ['host', '*.example.com']])('an HTTP %s RE2 rejects is found in an egress rule too', (field, value) => {
    const set = PolicySet.fromYaml(JSON.stringify([
      { endpointSelector: labels({ app: 'web' }), egress: [{ toEndpoints: [labels({ app: 'api' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ [field]: value }] } }] }] },
    ]), { file: 'rules.json' });
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=db', 80);
    expect(set.diagnostics.map((d) => d.message).join('\n')).toContain(`http ${field} ${JSON.stringify(value)} is not a valid RE2 regular expression`);
    expect(set.skippedRules.map((r) => r.reason)).toEqual([expect.stringMatching(new RegExp(` at \\[0\\]\\.egress\\[0\\]\\.toPorts\\[0\\]\\.rules\\.http\\[0\\]\\.${field} \\[sanitize-http-regex\\]$`))]);
  });

  test('a list whose HTTP fields compile is imported: its rules are enforced, empty fields and malformed items aside', () => {
    const set = PolicySet.fromYaml(JSON.stringify([{
      ...API_FROM_WEB,
      ingress: [null, {
        fromEndpoints: [labels({ app: 'web' })],
        toPorts: [null, { ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [null, { method: '', path: '/ok' }] } }],
      }],
      egress: 'x',
    }]), { file: 'odd.json' });
    expect(set).toDeny('pod:default:app=other', 'pod:default:app=api', 80);
    expect(set).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: 'DELETE /ok' });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /other' });
    expect(set.diagnostics.filter((d) => d.id === 'engine-policy-skipped')).toEqual([]);
    expect(set.diagnostics.map((d) => `${d.id} ${String(d.path)}`)).toEqual([
      'parse-wrong-type [0].ingress[0]', 'parse-wrong-type [0].ingress[1].toPorts[0]', 'parse-wrong-type [0].ingress[1].toPorts[1].rules.http[0]',
      'parse-wrong-type [0].egress',
    ]);
  });
});

describe('raw rules the agent refuses (Sanitize): not imported, so the endpoint keeps default allow, and the note says why', () => {
  const api = labels({ app: 'api' });
  const world = { fromEntities: ['world'] };
  test.each<[string, Record<string, unknown>, string, string?]>([
    ['both selectors', { endpointSelector: api, nodeSelector: labels({ zone: 'a' }), ingress: [world] }, 'rule has both endpointSelector and nodeSelector; the agent refuses it at [0] [sanitize-rule-subject]'],
    ['no selector', { ingress: [world] }, 'rule has neither endpointSelector nor nodeSelector; the agent refuses it at [0] [sanitize-rule-subject]'],
    ['ICMP and ports in one item', { endpointSelector: api, ingress: [{ ...world, icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [{ port: '80' }] }] }] },
      'icmps and toPorts in the same rule item; the agent refuses it at [0].ingress[0].icmps [sanitize-icmps-with-ports]'],
    ['an unknown entity', { endpointSelector: api, ingress: [{ fromEntities: ['galaxy'] }] }, 'the agent has no entity "galaxy"; it refuses the rule at [0].ingress[0].fromEntities[0] [sanitize-entity]'],
    ['an except that is no CIDR', { endpointSelector: api, ingress: [{ fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['nope'] }] }] },
      'the agent cannot parse "nope" as a CIDR prefix at [0].ingress[0].fromCIDRSet[0].except[0] [sanitize-cidr-parse]'],
    ['a prefix length past 32', { endpointSelector: api, ingress: [{ fromCIDRSet: [{ cidr: '10.0.0.0/33' }] }] }, 'the agent cannot parse "10.0.0.0/33" as a CIDR prefix at [0].ingress[0].fromCIDRSet[0].cidr [sanitize-cidr-parse]'],
    ['an except outside its CIDR', { endpointSelector: api, ingress: [{ fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }] }] },
      'except "192.168.0.0/16" is not inside cidr "10.0.0.0/8"; the agent refuses the rule at [0].ingress[0].fromCIDRSet[0].except[0] [sanitize-except-outside-cidr]'],
    ['no section (1.17+)', { endpointSelector: api },
      'rule has no ingress, ingressDeny, egress or egressDeny; the agent refuses it at [0] [sanitize-no-rules]'],
    ['world-ipv4 before 1.15', { endpointSelector: api, ingress: [{ fromEntities: ['world-ipv4'] }] },
      'the agent has no entity "world-ipv4" before Cilium 1.15 (target is 1.14); it refuses the rule at [0].ingress[0].fromEntities[0] [sanitize-entity]', '1.14'],
    ['DNS rules on ingress', { endpointSelector: api, ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] },
      'dns rules are not allowed on ingress; the agent refuses the policy at [0].ingress[0].toPorts[0].rules.dns [sanitize-dns-ingress]'],
  ])('%s', (_what, rule, reason, version = '1.17') => {
    const set = PolicySet.fromYaml(JSON.stringify([rule]), { file: 'r.json', ciliumVersion: CiliumVersion.parse(version) });
    const v = verdict(set, 'pod:default:app=other', 'pod:default:app=api', 80);
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.decision).toBe('no-policy-default-allow');
    expect(v.ingress.notes).toContain(`Rule r.json#0 [0] selects this endpoint but is not imported by the agent: ${reason}`);
    expect(set.skippedRules.map((r) => r.reason)).toEqual([reason]);
  });

  test('world-ipv4 from 1.15: the agent imports the rule (no CRD has the entity, the agent does); single-stack, it selects nothing', () => {
    const set = PolicySet.fromYaml(JSON.stringify([{ endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['world-ipv4'] }] }]),
      { file: 'r.json', ciliumVersion: CiliumVersion.V1_17 });
    expect(set.skippedRules).toEqual([]);
    const v = verdict(set, 'pod:default:app=web', 'cidr:8.8.8.8', '443/TCP');
    expect(v.egress.decision).toBe('default-deny');
    expect(v.egress.notes.join('\n')).toContain('toEntities: world-ipv4 selects reserved:world-ipv4, the IPv4 world of a dual-stack cluster; in an IPv4-only '
      + 'cluster outside addresses are reserved:world, which it does not select');
  });

  test('DNS rules without a port: the egress rule is refused, so the pod keeps egress default allow', () => {
    const set = PolicySet.fromYaml(JSON.stringify([
      { endpointSelector: labels({ app: 'web' }), egress: [{ toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] }] },
    ]), { file: 'r.json' });
    const v = verdict(set, 'pod:default:app=web', 'cidr:8.8.8.8', '53/UDP');
    expect(v.egress.decision).toBe('no-policy-default-allow');
    expect(v.egress.notes).toContain('Rule r.json#0 [0] selects this endpoint but is not imported by the agent: dns rules without ports; the agent refuses them ("port 53 must be specified") at [0].egress[0].toPorts[0].rules.dns [sanitize-dns-no-ports]');
  });
});

describe('L7 the engine does not evaluate', () => {
  test('generic l7proto rules: allowed at L4, reported as not evaluated with their parser', () => {
    const set = policySet([cnp('p', {
      endpointSelector: labels({ app: 'api' }),
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { l7proto: 'r2d2', l7: [{ cmd: 'READ' }] } }] }],
    })]);
    const v = verdict(set, 'pod:default:app=web', 'pod:default:app=api', 80);
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.reason).toMatch(/L7 L7PROTO rules will be enforced by the proxy$/);
    expect(v.ingress.l7).toEqual({ protocol: 'l7proto', result: 'not-evaluated', rules: ['l7proto: r2d2 cmd="READ"'], reason: 'generic L7 (l7proto) rules apply; the engine does not evaluate them' });
    expect(set).toDeny('pod:default:app=web', 'pod:default:app=api', 81);
  });

  test('TLS interception: allowed at L4, with a note that the interception is not evaluated', () => {
    const set = PolicySet.fromYaml(JSON.stringify([{
      endpointSelector: labels({ app: 'api' }),
      egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], terminatingTLS: { secret: { name: 'x' } }, rules: { http: [{ method: 'GET' }] } }] }],
    }]), { file: 'r.json' });
    const v = verdict(set, 'pod:default:app=api', 'cidr:10.1.2.3', 443);
    expect(v.egress.notes).toContain('Rule r.json#0 [0].egress[0] uses TLS interception or an Envoy listener (not evaluated)');
    expect(v.egress.l7).toMatchObject({ protocol: 'http', result: 'not-evaluated', rules: ['GET *'] });
    expect(set).toDeny('pod:default:app=api', 'cidr:10.1.2.3', 80);
  });
});

describe('the local host and L7 rules (allow-localhost on)', () => {
  const http = [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }];
  const set = (peer: Record<string, unknown>): ReturnType<typeof policySet> => policySet([cnp('p', { endpointSelector: labels({ app: 'api' }), ingress: [{ ...peer, toPorts: http }] })]);

  test('a peer that names the host (reserved:host selector) holds it to the L7 rules', () => {
    const v = verdict(set({ fromEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }), 'entity:host', 'pod:default:app=api', 80, { http: 'POST /' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.l7).toEqual({ protocol: 'http', result: 'denied', rules: ['GET *'], reason: 'the HTTP request POST / matches none of the rules (HTTP 403)' });
  });

  test('a peer that selects the host without naming it (all) lets it past the L7 rules', () => {
    const v = verdict(set({ fromEntities: ['all'] }), 'entity:host', 'pod:default:app=api', 80, { http: 'POST /' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.l7).toMatchObject({ protocol: 'http', result: 'allowed', rules: [], matched: '(allow-all for the host)' });
    expect(set({ fromEntities: ['all'] })).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: 'POST /' });
  });

  test('a peer that does not select the host: allow-localhost decides', () => {
    const v = verdict(set({ fromEndpoints: [{}] }), 'entity:host', 'pod:default:app=api', 80, { http: 'POST /' });
    expect(v.ingress.decision).toBe('allow-localhost');
    expect(v.verdict).toBe('allowed');
  });
});

describe('DNS rules', () => {
  const dns = policySet([cnp('p', {
    endpointSelector: labels({ app: 'web' }),
    egress: [{
      toEndpoints: [labels({ 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' })],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }, { matchPattern: '*.org' }] } }],
    }],
  })]);
  const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';
  const RULES = ['matchName: a.example.com', 'matchPattern: *.org'];

  test.each([
    ['a.example.com', { result: 'allowed', matched: 'matchName: a.example.com' }],
    ['x.org', { result: 'allowed', matched: 'matchPattern: *.org' }],
    ['b.example.com', { result: 'denied', reason: 'the DNS request query b.example.com matches none of the rules (DNS REFUSED)' }],
  ])('%s', (name, expected) => {
    const v = verdict(dns, 'pod:default:app=web', KUBE_DNS, '53/UDP', { dns: name });
    expect(v.verdict).toBe(expected.result === 'allowed' ? 'allowed' : 'l7-denied');
    expect(v.egress.l7).toMatchObject({ protocol: 'dns', rules: RULES, ...expected });
  });
});

describe('endpoint syntax', () => {
  test.each([
    ['pod', '"" is not a namespace name', 'write pod:<namespace>:<key>=<value>,..., e.g. pod:default:app=web'],
    ['fqdn:', 'an FQDN endpoint needs the IP it resolved to', 'write fqdn:api.example.com@<ip>'],
    ['fqdn:a.example.com', 'an FQDN endpoint needs the IP it resolved to', 'write fqdn:a.example.com@<ip>'],
    ['pod:default:a b=c', '"a b=c" is not a label', 'write labels as key=value pairs separated by commas'],
    ['pod:default:=x', '"=x" is not a label', 'write labels as key=value pairs separated by commas'],
  ])('%s: %s', (text, message, fix) => {
    let error: unknown;
    try {
      parseEndpoint(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CiliumPolicyError);
    expect(error).toMatchObject({ id: 'engine-endpoint-syntax', fix });
    expect((error as Error).message).toBe(`bad endpoint "${text}": ${message} (engine-endpoint-syntax)\n  fix: ${fix}`);
  });

  test('a pod endpoint without labels is the namespace\'s pod with no labels', () => {
    expect(parseEndpoint('pod:shop')).toMatchObject({ kind: 'pod', namespace: 'shop', labels: {} });
  });
});

describe('Kafka', () => {
  const kafka = (rules: Record<string, unknown>[]): PolicySet => policySet([cnp('p', {
    endpointSelector: labels({ app: 'broker' }),
    ingress: [{ fromEndpoints: [labels({ app: 'client' })], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: rules } }] }],
  })]);
  const FROM = 'pod:default:app=client';
  const TO = 'pod:default:app=broker';

  test('the API key of a request by number is its name (0 = produce, 1 = fetch); a rule names it (a number there is refused, below)', () => {
    const set = kafka([{ apiKey: 'produce' }]);
    expect(set).toAllow(FROM, TO, 9092, { kafka: { apiKey: '0' } });
    expect(set).toDeny(FROM, TO, 9092, { kafka: { apiKey: '1' } });
  });

  test('the consume role allows fetch and the group keys, not produce', () => {
    const set = kafka([{ role: 'consume', topic: 'orders' }]);
    for (const key of ['fetch', 'offsetcommit', 'joingroup', 'heartbeat', 'metadata']) expect(set).toAllow(FROM, TO, 9092, { kafka: `${key} orders` });
    expect(set).toDeny(FROM, TO, 9092, { kafka: 'produce orders' });
    expect(set).toDeny(FROM, TO, 9092, { kafka: 'fetch payments' });
  });

  test.each([
    [{ role: 'admin' }, 'kafka role "admin" is not produce or consume at spec.ingress[0].toPorts[0].rules.kafka[0].role [crd-kafka-role]'],
    [{ apiKey: '1' }, 'kafka apiKey "1" is not a Kafka api key the agent knows at spec.ingress[0].toPorts[0].rules.kafka[0].apiKey [sanitize-kafka-api-key]'],
    [{ apiKey: '42' }, 'kafka apiKey "42" is not a Kafka api key the agent knows at spec.ingress[0].toPorts[0].rules.kafka[0].apiKey [sanitize-kafka-api-key]'],
  ])('a rule the agent refuses (%o) leaves the policy out: nothing is enforced, and the note says why', (rule, why) => {
    const v = verdict(kafka([rule]), FROM, TO, 9092, { kafka: 'metadata' });
    expect(v.verdict).toBe('allowed');
    expect(v.ingress.decision).toBe('no-policy-default-allow');
    expect(v.ingress.notes).toContain(`CiliumNetworkPolicy default/p spec selects this endpoint but is not imported by the agent: the API server or the agent rejects it: ${why}`);
  });

  test('apiVersion and clientID must match when the rule gives them', () => {
    const set = kafka([{ apiKey: 'produce', apiVersion: '3', clientID: 'billing' }]);
    expect(set).toAllow(FROM, TO, 9092, { kafka: { apiKey: 'produce', apiVersion: 3, clientID: 'billing' } });
    expect(set).toDeny(FROM, TO, 9092, { kafka: { apiKey: 'produce', apiVersion: 2, clientID: 'billing' } });
    expect(set).toDeny(FROM, TO, 9092, { kafka: { apiKey: 'produce', apiVersion: 3, clientID: 'other' } });
  });

  test('the denial lists the rules as written', () => {
    const v = verdict(kafka([{ role: 'consume', topic: 'orders' }, {}]), FROM, TO, 9092, { kafka: 'produce orders' });
    expect(v.verdict).toBe('allowed'); // the empty rule allows any request
    const denied = verdict(kafka([{ role: 'consume', topic: 'orders' }]), FROM, TO, 9092, { kafka: 'produce orders' });
    expect(denied.verdict).toBe('l7-denied');
    expect(denied.ingress.l7).toMatchObject({ protocol: 'kafka', result: 'denied', rules: ['role=consume topic=orders'] });
  });
});

describe('HTTP header matches', () => {
  const http = (rule: Record<string, unknown>): PolicySet => policySet([cnp('p', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ app: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [rule] } }] }],
  })]);

  test('a header match with a mismatch action (LOG, ADD, …) never denies; a secret one needs the Secret\'s value, unknown offline', () => {
    const log = http({ method: 'GET', headerMatches: [{ name: 'X-Env', value: 'prod', mismatch: 'LOG' }] });
    expect(log).toAllow('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/' } });
    expect(log).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'POST', path: '/' } });
    const secret = http({ headerMatches: [{ name: 'Authorization', secret: { name: 'token', namespace: 'default' } }] });
    expect(secret).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/', headers: { authorization: 'anything' } } });
    expect(secret).toDeny('pod:default:app=web', 'pod:default:app=api', 80, { http: { method: 'GET', path: '/' } });
  });

  test('a denial describes headers and header matches', () => {
    const v = verdict(http({ method: 'GET', path: '/a', headers: ['X-Token'], headerMatches: [{ name: 'X-Team', value: 'blue' }] }),
      'pod:default:app=web', 'pod:default:app=api', 80, { http: 'GET /a' });
    expect(v.verdict).toBe('l7-denied');
    expect(v.ingress.l7?.rules).toEqual(['GET /a headers [x-team: blue; x-token]']);
  });
});
