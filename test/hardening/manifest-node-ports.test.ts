// Session 59: the manifest reader beside the policies (not the strict --inventory one) kept a hostPort or nodePort only
// when it was a port number and dropped any other value in silence: a Deployment with `hostPort: "8080"` was read
// without it, so `trace` of a connection to a node on 8080 was judged ALLOWED (exit 0) where, with the port, it is
// refused as engine-node-port (the node's address is translated before policy). The API server refuses such an object
// (int32 fields; 1-65535: k8s.io/kubernetes pkg/apis/core/validation), so it is now refused at its file and line
// (parse-wrong-type, exit 2), as a workload with a label value that is no string is. 0 and null are the API's unset value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-manifest-node-ports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress:
  - fromEntities: [world]
---
`;
const deployment = (hostPort: string): string => `${POLICY}apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        ports:
        - containerPort: 8080
          hostPort: ${hostPort}
`;
const service = (nodePort: string): string => `${POLICY}apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: NodePort
  selector: { app: web }
  ports:
  - port: 80
    targetPort: 8080
    nodePort: ${nodePort}
`;

let n = 0;
function trace(text: string, port: string): ReturnType<typeof cli> & { path: string } {
  const path = join(dir, `p${n++}.yaml`);
  writeFileSync(path, text);
  return { ...cli('trace', '--policies', path, '--from', 'cidr:1.2.3.4', '--to', 'node:a=b', '--port', port), path };
}

describe('a hostPort or nodePort the API server refuses, in a manifest beside the policies', () => {
  test.each(['"8080"', '70000', '-1', '8080.5', '"0x1F90"'])('hostPort: %s is refused at its line (exit 2, nothing on stdout)', (value) => {
    const r = trace(deployment(value), '8080');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`${r.path}:21: hostPort ${value.startsWith('"') ? value : String(Number(value))} is not a port number (1-65535): `
      + 'the API server refuses the Deployment shop/web, so it is not read');
    expect(r.stderr).toContain('(parse-wrong-type); fix: write hostPort as a number from 1 to 65535 (unquoted), or leave it out');
  });

  test.each(['"30080"', '65536'])('nodePort: %s is refused at its line', (value) => {
    const r = trace(service(value), '30080');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`${r.path}:18: nodePort ${value} is not a port number (1-65535): the API server refuses the Service shop/web`);
  });

  test.each([
    // [manifest, port, exit, what stderr or stdout says]
    ['hostPort 8080', deployment('8080'), '8080', 2, 'is a hostPort of Deployment shop/web in the inputs'],
    ['nodePort 30080', service('30080'), '30080', 2, 'shop/web'],
    ['hostPort 0 (unset)', deployment('0'), '8080', 0, 'ALLOWED cidr:1.2.3.4 → node:a=b 8080/TCP'],
    ['hostPort null (unset)', deployment('null'), '8080', 0, 'ALLOWED cidr:1.2.3.4 → node:a=b 8080/TCP'],
    ['hostPort 8080, another port', deployment('8080'), '9090', 0, 'ALLOWED cidr:1.2.3.4 → node:a=b 9090/TCP'],
  ])('%s: as before (a port number refused as engine-node-port, an unset one judged)', (_, text, port, code, says) => {
    const r = trace(text, port);
    expect(r.code, r.stderr).toBe(code);
    expect(code === 0 ? r.stdout : r.stderr).toContain(says);
    if (code === 2) expect(r.stderr).toContain('(engine-node-port)');
  });
});
