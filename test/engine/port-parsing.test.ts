// How the agent reads `port` strings, pinned by engine verdicts (pkg/policy/api/rule_validation.go: an IANA service name
// is a named port, anything else goes through strconv.ParseUint(port, 0, 16), base 0: a leading 0 is octal, "0x…" is a
// name because it matches the service-name pattern first; a failed parse rejects the whole policy).
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { parsePortValue } from '../../src/engine/ports';
import { verdict } from './helpers';

const WEB = 'pod:default:app=web';
const API = 'pod:default:app=api';

function set(port: string, endPort?: number): PolicySet {
  return PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "${port}", protocol: TCP${endPort !== undefined ? `, endPort: ${endPort}` : ''}}]}]
`, { file: 'p.yaml' });
}

const allowed = (s: PolicySet, conn: string): boolean => verdict(s, WEB, API, conn).allowed;

describe('port strings as the agent parses them (engine verdicts)', () => {
  test.each([
    // port, allowed connections, denied connections
    ['80', ['80/TCP'], ['79/TCP', '81/TCP', '80/UDP', '8/TCP']],
    ['010', ['8/TCP'], ['10/TCP', '9/TCP', '7/TCP', '12/TCP']],
    ['0100', ['64/TCP'], ['100/TCP', '8/TCP']],
    ['0177777', ['65535/TCP'], ['7777/TCP', '65534/TCP', '1/TCP']],
    ['65535', ['65535/TCP'], ['65534/TCP']],
    ['1', ['1/TCP'], ['2/TCP', '10/TCP']],
    ['01', ['1/TCP'], ['2/TCP']],
    // Go integer literals allow underscores between digits (base 0): "8_0" is port 80 to the agent (session 39: the engine
    // read it as no port, so a rule opening 80 was judged to open nothing: diff "0 newly allowed").
    ['8_0', ['80/TCP'], ['8/TCP', '81/TCP']],
    ['1_000', ['1000/TCP'], ['1/TCP', '100/TCP']],
    ['0_10', ['8/TCP'], ['10/TCP']],
  ])('port "%s" allows exactly %j', (port, yes, no) => {
    const s = set(port);
    expect(s.diagnostics).toEqual([]);
    for (const c of yes) expect(allowed(s, c), `${port} ${c}`).toBe(true);
    for (const c of no) expect(allowed(s, c), `${port} ${c}`).toBe(false);
  });

  test.each(['0', '00'])('port "%s" is every TCP port (zero, octal or not)', (port) => {
    const s = set(port);
    for (const c of ['1/TCP', '8/TCP', '443/TCP', '65535/TCP']) expect(allowed(s, c)).toBe(true);
    expect(allowed(s, '53/UDP')).toBe(false);
  });

  test('an octal start with endPort: the range starts at the octal value', () => {
    const s = set('010', 12);
    for (const c of ['8/TCP', '10/TCP', '12/TCP']) expect(allowed(s, c)).toBe(true);
    for (const c of ['7/TCP', '13/TCP']) expect(allowed(s, c)).toBe(false);
  });

  test('endPort below the port is a single port', () => {
    const s = set('100', 90);
    expect(allowed(s, '100/TCP')).toBe(true);
    expect(allowed(s, '90/TCP')).toBe(false);
    expect(allowed(s, '95/TCP')).toBe(false);
  });

  test.each([
    ['08', 'not octal'],
    ['09', 'not octal'],
    ['081', 'not octal (an 8 after the leading 0)'],
    ['0181', 'not octal'],
    ['0200000', 'octal 65536, above 65535'],
    ['65536', 'above 65535'],
  ])('port "%s" (%s) is refused by the agent: the policy is not imported', (port) => {
    const s = set(port);
    expect(s.diagnostics.map((d) => d.id)).toContain('engine-policy-skipped');
    // Not imported: nothing selects api, so everything is allowed, including from other pods.
    expect(verdict(s, 'pod:default:app=db', API, '8/TCP').allowed).toBe(true);
  });

  test('"0x50" is a port name, not hexadecimal 80: it matches only a container port of that name', () => {
    const s = set('0x50');
    expect(allowed(s, '80/TCP')).toBe(false);
    expect(allowed(s, '50/TCP')).toBe(false);
    expect(verdict(s, WEB, 'pod:default:app=db', '80/TCP').allowed).toBe(true); // db is not selected
  });

  test('parsePortValue: the same reading, unit by unit', () => {
    expect(parsePortValue('010')).toEqual({ kind: 'number', value: 8 });
    expect(parsePortValue('0')).toEqual({ kind: 'number', value: 0 });
    expect(parsePortValue('00')).toEqual({ kind: 'number', value: 0 });
    expect(parsePortValue(undefined)).toEqual({ kind: 'number', value: 0 });
    expect(parsePortValue('')).toEqual({ kind: 'number', value: 0 });
    expect(parsePortValue('443')).toEqual({ kind: 'number', value: 443 });
    expect(parsePortValue('65535')).toEqual({ kind: 'number', value: 65535 });
    expect(parsePortValue('65536')).toEqual({ kind: 'invalid' });
    expect(parsePortValue('08')).toEqual({ kind: 'invalid' });
    expect(parsePortValue('0177777')).toEqual({ kind: 'number', value: 65535 });
    expect(parsePortValue('0200000')).toEqual({ kind: 'invalid' });
    expect(parsePortValue('HTTP')).toEqual({ kind: 'name', name: 'http' });
    expect(parsePortValue('0x50')).toEqual({ kind: 'name', name: '0x50' });
    expect(parsePortValue('a-very-long-name')).toEqual({ kind: 'invalid' }); // 16 characters: not a service name
    expect(parsePortValue('abcdefghijklmno')).toEqual({ kind: 'name', name: 'abcdefghijklmno' }); // 15
    expect(parsePortValue('80a-')).toEqual({ kind: 'invalid' });
    expect(parsePortValue('-80')).toEqual({ kind: 'invalid' });
    expect(parsePortValue('123')).toEqual({ kind: 'number', value: 123 });
  });
});
