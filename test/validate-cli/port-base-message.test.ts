// `sanitize-port-octal` names the base Go's ParseUint (base 0) reads a port in: a bare leading zero is octal, a 0x, 0b or
// 0o prefix (with an underscore, so it is no port name) hexadecimal, binary or octal; the fix for a prefixed port is its
// decimal value only (a "decimal reading" of "0x_50" would be 0).
import { describe, expect, it } from 'vitest';
import { check, findings } from './helpers';

const policy = (port: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: p
  namespace: shop
spec:
  endpointSelector: {}
  ingress:
    - fromEntities: [world]
      toPorts:
        - ports:
            - port: "${port}"
              protocol: TCP
`;

describe('sanitize-port-octal names the base and the decimal port', () => {
  it.each([
    ['0x_50', 'port "0x_50" has the prefix 0x, so the agent reads it as hexadecimal (port 80)', 'write "80", the port in decimal'],
    ['0b_1010000', 'port "0b_1010000" has the prefix 0b, so the agent reads it as binary (port 80)', 'write "80", the port in decimal'],
    ['0O_120', 'port "0O_120" has the prefix 0O, so the agent reads it as octal (port 80)', 'write "80", the port in decimal'],
    ['0120', 'port "0120" has a leading zero, so the agent reads it as octal (port 80)', 'write "120" if you meant decimal, or "80" to keep what the agent reads'],
  ])('%s', (port, message, fix) => {
    const [d] = findings(check({ 'p.yaml': policy(port) }), 'sanitize-port-octal');
    expect({ path: d.path, message: d.message, fix: d.fix }).toEqual({ path: 'spec.ingress[0].toPorts[0].ports[0].port', message, fix });
  });
});
