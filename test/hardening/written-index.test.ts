// List entries the reader leaves out (a string among mappings, reported as parse-wrong-type) must not shift the entries
// after them: findings name and locate each entry with its index as written.
import { describe, expect, test } from 'vitest';
import { scratchDir, validate, write } from './support';

const dir = scratchDir();

/** The findings of `validate --format json` as [line, id, path]. */
async function findings(name: string, text: string): Promise<[number, string, string][]> {
  const r = await validate([write(dir, name, text), '--format', 'json'], undefined, dir);
  expect(r.code).toBe(1);
  return JSON.parse(r.stdout).diagnostics.map((d: any) => [d.line, d.id, d.path]);
}

describe('a finding after a left-out list entry names the entry as written', () => {
  test('toServices: ["x", {…}, {…bad…}]: the bad entry is toServices[2], on its own line', async () => {
    expect(await findings('services.yaml', [
      'apiVersion: cilium.io/v2',
      'kind: CiliumNetworkPolicy',
      'metadata: {name: svc, namespace: shop}',
      'spec:',
      '  endpointSelector: {matchLabels: {app: api}}',
      '  egress:',
      '  - toServices:',
      '    - "x"',
      '    - k8sService: {serviceName: a, namespace: shop}',
      '    - k8sServiceSelector: {selector: {matchExpressions: [{key: a, operator: Bogus}]}, namespace: shop}',
      '',
    ].join('\n'))).toEqual([
      // The item allows every port of the Services' backends (no toPorts): a warning of its own, on the list as written.
      [8, 'pitfall-services-every-port', 'spec.egress[0].toServices'],
      [8, 'parse-wrong-type', 'spec.egress[0].toServices[0]'],
      [10, 'crd-selector-operator', 'spec.egress[0].toServices[2].k8sServiceSelector.selector.matchExpressions[0].operator'],
    ]);
  });

  test('nested: a left-out rule before the rule holding a left-out entry', async () => {
    expect(await findings('nested.yaml', [
      'apiVersion: cilium.io/v2',
      'kind: CiliumNetworkPolicy',
      'metadata: {name: nested, namespace: shop}',
      'spec:',
      '  endpointSelector: {matchLabels: {app: api}}',
      '  ingress:',
      '  - 7',
      '  - fromEndpoints:',
      '    - true',
      '    - {matchExpressions: [{key: a, operator: Bogus}]}',
      '',
    ].join('\n'))).toEqual([
      [7, 'parse-wrong-type', 'spec.ingress[0]'],
      [9, 'parse-wrong-type', 'spec.ingress[1].fromEndpoints[0]'],
      [10, 'crd-selector-operator', 'spec.ingress[1].fromEndpoints[1].matchExpressions[0].operator'],
    ]);
  });

  test('a raw api.Rule list: the rule after a left-out one', async () => {
    expect(await findings('raw.json', [
      '[',
      '  "junk",',
      '  {"endpointSelector": {}, "ingress": [{"toPorts": [{"ports": [{"port": "99999", "protocol": "TCP"}]}]}]}',
      ']',
      '',
    ].join('\n'))).toEqual([
      [2, 'parse-wrong-type', '[0]'],
      [3, 'sanitize-port-parse', '[1].ingress[0].toPorts[0].ports[0].port'],
    ]);
  });
});
