// The options of the test matchers (`toAllow`, `toDeny`, `toChangeOnly`, `Verdicts.verdictFor`) that their interfaces do
// not declare (`option-unknown`): a misspelled option was dropped and the default applied, so an assertion was judged for
// another cluster than asked and a test that should fail passed. Each case below passed before the check (the
// misspelled call) while the correctly spelled call fails: the matcher now refuses the key and names the option meant.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumPolicyError, EndpointSelector, Peer, Port, Verdicts } from '../../src';
import { diffMatchers } from '../../src/diff/matchers';
import { EngineMatcherOptions, engineMatchers } from '../../src/engine/matchers';
import { webToApi } from '../diff/support';
import { thrown } from '../support/errors';

/** A host policy: the nodes labelled role=worker take SSH from the cluster only. */
const HOST_SSH = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host-ssh }
spec:
  nodeSelector: { matchLabels: { role: worker } }
  ingress:
  - fromEntities: [cluster]
    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
`;

/** The api pods take GET /orders on 8080 from the web pods only. */
const API_POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts:
    - ports: [{ port: "8080", protocol: TCP }]
      rules: { http: [{ method: GET, path: "/orders" }] }
`;

const WORLD = 'cidr:203.0.113.9';
const WORKER = 'node:role=worker@10.0.0.5';
const WEB = 'pod:shop:app=web';
const API = 'pod:shop:app=api';

/** Options as plain JavaScript passes them. */
const loose = (o: Record<string, unknown>): EngineMatcherOptions => o as EngineMatcherOptions;

describe('toAllow / toDeny refuse an option EngineMatcherOptions does not declare', () => {
  test('toDeny with hostFirewal: false used to pass (judged with the host firewall auto-on); it is refused, naming hostFirewall', () => {
    // Spelled right, the assertion fails: with the host firewall off, the host policy is not enforced and SSH from the world reaches the node.
    expect(engineMatchers.toDeny(HOST_SSH, WORLD, WORKER, 22, { hostFirewall: false }).pass).toBe(false);
    expect(() => expect(HOST_SSH).toDeny(WORLD, WORKER, 22, loose({ hostFirewal: false }))).toThrow(CiliumPolicyError);
    const e = thrown(() => engineMatchers.toDeny(HOST_SSH, WORLD, WORKER, 22, loose({ hostFirewal: false })));
    expect(e.id).toBe('option-unknown');
    expect(e.message).toContain('toDeny(): hostFirewal (false) is not an option of toDeny()');
    expect(e.message).toContain('hostFirewall would keep its default (auto: on only when the set holds a host policy)');
    expect(e.fix).toMatch(/^did you mean hostFirewall\? the options of toDeny\(\) are ciliumVersion, hostFirewall, .*, maxFileBytes, maxYamlValues, file, http, dns, kafka$/);
  });

  test('.not does not turn the refusal into a pass', () => {
    expect(() => expect(HOST_SSH).not.toAllow(WORLD, WORKER, 22, loose({ hostFirewal: false }))).toThrow(/option-unknown/);
  });

  test('toAllow with allowLocalhos: false used to pass (host traffic always allowed); it is refused, naming allowLocalhost', () => {
    expect(engineMatchers.toAllow(API_POLICY, 'entity:host', API, 8080, { allowLocalhost: false }).pass).toBe(false);
    expect(thrown(() => expect(API_POLICY).toAllow('entity:host', API, 8080, loose({ allowLocalhos: false }))).fix).toMatch(/^did you mean allowLocalhost\?/);
  });

  test('toAllow with htpp used to pass (the request left out); it is refused, naming http', () => {
    expect(engineMatchers.toAllow(API_POLICY, WEB, API, 8080, { http: 'DELETE /orders' }).pass).toBe(false);
    const e = thrown(() => expect(API_POLICY).toAllow(WEB, API, 8080, loose({ htpp: 'DELETE /orders' })));
    expect(e.message).toContain('toAllow(): htpp ("DELETE /orders") is not an option of toAllow()');
    expect(e.fix).toMatch(/^did you mean http\?/);
  });

  test('toDeny with ciliumVersoin and Verdicts.verdictFor with clusterNme are refused', () => {
    expect(thrown(() => expect(API_POLICY).toDeny(WEB, API, 9090, loose({ ciliumVersoin: '1.14' }))).fix).toMatch(/^did you mean ciliumVersion\?/);
    const e = thrown(() => Verdicts.verdictFor(API_POLICY, WEB, API, 8080, loose({ clusterNme: 'east' })));
    expect(e.message).toContain('Verdicts.verdictFor(): clusterNme ("east")');
  });

  test('a string in place of the options is refused as before (options-positional), not read key by key', () => {
    expect(thrown(() => engineMatchers.toDeny(API_POLICY, WEB, API, 8080, 'GET /orders' as never)).id).toBe('options-positional');
  });

  test('a key set to undefined is accepted; spelled options judge as before (L7 options are not engine options)', () => {
    expect(API_POLICY).toAllow(WEB, API, 8080, loose({ htpp: undefined, http: 'GET /orders' }));
    expect(API_POLICY).toDeny(WEB, API, 8080, { http: 'DELETE /orders', clusterName: 'default' });
    expect(HOST_SSH).toDeny(WORLD, WORKER, 22, { hostFirewall: true });
    expect(HOST_SSH).toAllow(WORLD, WORKER, 22, { hostFirewall: false });
  });
});

describe('file, the name of YAML text, is an option of the matchers (it was passed through to PolicySet.fromYaml before the check)', () => {
  test('toAllow, toDeny, Verdicts.verdictFor and toChangeOnly take it; the deciding rule of YAML text names the file', () => {
    expect(API_POLICY).toAllow(WEB, API, 8080, { file: 'api.yaml', http: 'GET /orders' });
    expect(API_POLICY).toDeny(WEB, API, 8080, { file: 'api.yaml', http: 'DELETE /orders' });
    expect(Verdicts.verdictFor(API_POLICY, WEB, API, 8080, { file: 'api.yaml', http: 'GET /orders' }).ingress.rule?.file).toBe('api.yaml');
    expect(webToApi([8080, 9090])).toChangeOnly(webToApi([8080]), [{ from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'] }], { file: 'p.yaml' });
  });

  test('for an App or Chart it names nothing and is no refusal', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new CiliumPolicy(chart, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
    expect(app).toAllow(WEB, API, 8080, { file: 'ignored.yaml' });
    expect(chart).toDeny(WEB, API, 9090, { file: 'ignored.yaml' });
  });
});

describe('toChangeOnly refuses an option or an expected field it does not declare', () => {
  const base = webToApi([8080]);
  const head = webToApi([8080, 9090]);

  test('a misspelled option is refused naming the option meant', () => {
    const e = thrown(() => diffMatchers.toChangeOnly(head, base, [], loose({ hostFirewal: true })));
    expect(e.message).toContain('toChangeOnly(): hostFirewal (true) is not an option of toChangeOnly()');
    expect(e.fix).toMatch(/^did you mean hostFirewall\?/);
  });

  test('an expected entry with aftr used to pass for any verdict; it is refused, naming after', () => {
    const entry = { from: 'prod/app=web', to: 'prod/app=api', ports: ['9090/TCP'] };
    // Spelled right, the entry expects the port denied, which it is not: the assertion fails.
    expect(diffMatchers.toChangeOnly(head, base, [{ ...entry, after: 'denied' }]).pass).toBe(false);
    const e = thrown(() => expect(head).toChangeOnly(base, [{ ...entry, aftr: 'denied' } as never]));
    expect(e.message).toContain('toChangeOnly() expected[0]: aftr ("denied") is not a field of ExpectedChange');
    expect(e.message).toContain('after would keep its default (either verdict)');
    expect(e.fix).toBe('did you mean after? the fields of ExpectedChange are from, to, ports, after');
    expect(head).toChangeOnly(base, [{ ...entry, after: 'allowed', aftr: undefined } as never]);
  });
});
