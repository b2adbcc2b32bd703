// Hostile input, the request of `trace` (and of a flow record): a header sent twice is one header of both values, as
// Envoy matches it; request options that would not be judged (`--host`/`--header` without `--http`, requests of two
// protocols) are refused, never answered about the connection alone.
import { describe, expect, test } from 'vitest';
import { l7Request } from '../../src/hubble/flow';
import { GUARD, scratchDir, trace, write } from './support';

const dir = scratchDir();
/** api admits web on 80/TCP only for GET /admin with the header `X-Auth: yes`. */
const POLICIES = write(dir, 'header.yaml', [
  'apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata: {name: api, namespace: shop}', 'spec:',
  '  endpointSelector: {matchLabels: {app: api}}', '  ingress:', '  - fromEndpoints: [{matchLabels: {app: web}}]', '    toPorts:',
  '    - ports: [{port: "80", protocol: TCP}]', '      rules: {http: [{method: GET, path: /admin, headers: ["X-Auth: yes"]}]}', '',
].join('\n'));
const FROM_TO = ['--policies', POLICIES, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=api', '--port', '80/TCP'];

describe('a header given twice', () => {
  test('is matched as Envoy matches it, its values joined by a comma: X-Auth "no,yes" is not "yes" (in any case of the name)', GUARD, () => {
    for (const second of ['X-Auth: yes', 'x-auth: yes']) {
      const r = trace(...FROM_TO, '--http', 'GET /admin', '--header', 'X-Auth: no', '--header', second);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^DENIED \(L7: HTTP 403\) /);
    }
    expect(trace(...FROM_TO, '--http', 'GET /admin', '--header', 'x-auth: yes').code).toBe(0);
  });

  test('in a flow record: one header of both values, named as first written', () => {
    const request = l7Request({ type: 'REQUEST', http: { method: 'GET', url: '/admin', headers: [{ key: 'X-Auth', value: 'no' }, { key: 'x-auth', value: 'yes' }] } });
    expect(request.http?.headers).toEqual({ 'X-Auth': 'no,yes' });
  });
});

describe('request options that would not be judged', () => {
  test.each([
    [['--header', 'X-Auth: yes'], '--header without --http: it is a part of an HTTP request'],
    [['--host', 'api.shop'], '--host without --http: it is a part of an HTTP request'],
    [['--host', 'api.shop', '--header', 'X-Auth: yes'], '--host and --header without --http: they are parts of an HTTP request'],
  ])('%j: exit 2, not ALLOWED at L4', GUARD, (args, message) => {
    const r = trace(...FROM_TO, ...args);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`error: ${message}, and none is given, so the verdict would be the connection's alone, not the request's (cli-flag); `
      + 'fix: add the request: --http "GET /path"\n');
  });

  test('requests of two protocols: exit 2', GUARD, () => {
    const r = trace(...FROM_TO, '--http', 'GET /admin', '--dns', 'api.example.com');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe('error: --http and --dns: a connection carries requests of one protocol, and only the one its port\'s rules parse would be judged '
      + '(cli-flag); fix: give one of --http, --dns and --kafka (trace once per request)\n');
  });
});
