// One mistake, one finding: a value written unquoted (a number) whose text is no valid value either is the finding of
// the value, saying it is unquoted too, not also the reader's `quote it` (which would not mend it).
import { describe, expect, test } from 'vitest';
import { check, yaml } from './helpers';

describe('a port written as a number whose text is no port either', () => {
  const port = (text: string): string => yaml`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: a}}
  ingress: [{fromEntities: [cluster], toPorts: [{ports: [{port: ${text}, protocol: TCP}]}]}]
`;

  test('99999: one finding (sanitize-port-parse, saying it is unquoted too), not parse-port-not-string as well', () => {
    // Before: parse-port-not-string (fix: quote it, which is still no port) and sanitize-port-parse, for one mistake.
    // (Session 51: `.inf` is refused before, as the YAML kubectl refuses: "json: unsupported value: +Inf", one
    // parse-yaml-syntax finding.)
    expect(check({ 'p.yaml': port('.inf') }).diagnostics.map((d) => d.id)).toEqual(['parse-yaml-syntax']);
    for (const text of ['99999']) {
      const r = check({ 'p.yaml': port(text) });
      expect(r.diagnostics.map((d) => d.id), text).toEqual(['sanitize-port-parse']);
      expect(r.diagnostics[0].message, text).toMatch(/\(written unquoted: a number, which the API server rejects too\)$/);
      expect(r.diagnostics[0].fix, text).toMatch(/^write a decimal port from 0 to 65535, .*, as a quoted string \(port: "8080"\)$/);
    }
    // Every error at the port that says its text is no port: -1 (crd-port-syntax), 0x10000 (read as a named port).
    // Before: each also gave parse-port-not-string, "quote it".
    for (const [text, id] of [['-1', 'crd-port-syntax'], ['0x10000', 'sanitize-port-prefixed-name']]) {
      const r = check({ 'p.yaml': port(text) });
      expect(r.diagnostics.map((d) => d.id), text).toEqual([id]);
      expect(r.diagnostics[0].message, text).toMatch(/\(written unquoted: a number, which the API server rejects too\)$/);
      expect(r.diagnostics[0].fix, text).toMatch(/, as a quoted string \(port: "8080"\)$/);
    }
    // A number that is a port: the reader's finding alone, whose fix (quote it) mends it.
    expect(check({ 'p.yaml': port('80') }).diagnostics.map((d) => `${d.id} ${d.fix}`)).toEqual(['parse-port-not-string quote it: port: "80"']);
  });
});

// Session 44 review: `port: on` (a YAML 1.1 boolean, left out by the reader: parse-wrong-type) also gave
// sanitize-port-omitted with the fix `write port: "0" to match every port of the protocol`, which widens the rule to every
// port. The finding now says the port was written, and its fix is to quote the port meant.
describe('a port written as a boolean (port: on): the fix quotes the port meant, never "0"', () => {
  const port = (text: string, version: string): string => yaml`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a, namespace: shop, annotations: {cdk8s-cilium.io/cilium-version: "${version}"}}
spec:
  endpointSelector: {matchLabels: {app: a}}
  ingress: [{fromEntities: [cluster], toPorts: [{ports: [{port: ${text}, protocol: TCP}]}]}]
`;

  test.each([['on', '1.19', 'sanitize-port-omitted'], ['yes', '1.18', 'version-port-omitted']])('port: %s (%s): %s says the port is written', (text, version, id) => {
    const r = check({ 'p.yaml': port(text, version) });
    const omitted = r.diagnostics.find((d) => d.id === id);
    expect(omitted?.message).toMatch(/\(port is written, but is no string: the reader left it out, parse-wrong-type\)$/);
    expect(omitted?.fix).toBe('quote the port meant: port: "8080" (not "0", which matches every port)');
    expect(r.diagnostics.map((d) => d.id)).toContain('parse-wrong-type');
  });

  test('a port left out keeps the fix of a port left out', () => {
    const r = check({ 'p.yaml': port('on', '1.19').replace('port: on, ', '') });
    expect(r.diagnostics.find((d) => d.id === 'sanitize-port-omitted')?.fix).toBe('write port: "0" to match every port of the protocol');
  });
});
