// Strings of a policy holding a NEL (U+0085), LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029) (session 48 review):
// cdk8s's writer (the `yaml` library) writes them raw, even inside quotes, and go-yaml v2 (kubectl, Helm, Argo CD) reads
// each as a line break (`is_break`, yamlprivateh.go, v2.4.0): the cluster got another value, and `validate` refused the
// file the project had just written. Every policy refuses them at synthesis (yaml-go-line-break); a carriage return,
// which the writer escapes (`"\r"`), and a line feed stay allowed.
import { Chart, Testing, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, EndpointSelector, HttpRule, L7, Peer, PolicyBase, Port } from '../../src';
import { yamlInputLimitError } from '../../src/model/nesting-depth';
import { yamlQuotingGoNumbers } from '../../src/model/unquoted-numbers';
import { parseYamlStream } from '../../src/model/yaml-stream';
import { synthFailure } from '../support/synth';

/** `<path>: <message>` of the yaml-go-line-break findings of a policy. */
function refused(p: PolicyBase): string[] {
  return p.synthesizeModel().diagnostics.filter((d) => d.id === 'yaml-go-line-break').map((d) => `${d.path}: ${d.message}`);
}

function policy(description?: string): { c: Chart; p: CiliumPolicy } {
  const c = new Chart(Testing.app(), 't', { namespace: 'shop' });
  const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }), ...(description !== undefined ? { description } : {}) });
  return { c, p };
}

describe('the policies refuse NEL, LS and PS in any string they write', () => {
  test.each([['\u2028', 'a LINE SEPARATOR (U+2028)', '\\u2028'], ['\u2029', 'a PARAGRAPH SEPARATOR (U+2029)', '\\u2029'], ['\u0085', 'a NEL (U+0085)', '\\u0085']])(
    'description, HTTP path and header value holding %j: refused at synthesis, nothing written', (ch, name, shown) => {
      // The hazard itself: cdk8s writes the character raw, and the project's own reader refuses the text at its line.
      const written = Yaml.stringify({ description: `line one${ch}line two` });
      expect(written).toContain(ch);
      expect(yamlInputLimitError(written)?.message).toMatch(new RegExp(`^${name.replace(/[()+]/g, '\\$&')} \\(line 1\\)`));
      const { c, p } = policy(`line one${ch}line two`);
      p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)],
        l7: L7.http(HttpRule.of({ path: `/a${ch}b` }), HttpRule.of({ headerMatches: [{ name: 'X-A', value: `v${ch}` }] })) });
      const tail = 'which cdk8s writes into the YAML as it is and kubectl, Helm and Argo CD (go-yaml v2) read as a line break: '
        + 'the API server would get another value than this one';
      expect(refused(p)).toEqual([
        `spec.description: "line one${shown}line two" holds ${name}, ${tail}`,
        `spec.ingress[0].toPorts[0].rules.http[0].path: "/a${shown}b" holds ${name}, ${tail}`,
        `spec.ingress[0].toPorts[0].rules.http[1].headerMatches[0].value: "v${shown}" holds ${name}, ${tail}`,
      ]);
      expect(synthFailure(c)).toMatch(/\[t\/p\] spec\.description: .*\(yaml-go-line-break\)\n\s+fix: remove the character, or write a space or a line feed/);
    });

  test('a carriage return and a line feed are written as escapes or lines go-yaml reads back as themselves: allowed', () => {
    const { c, p } = policy('line one\r\nline two\rthree');
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.of({ path: '/a\rb' })) });
    expect(refused(p)).toEqual([]);
    const text = Yaml.stringify(...Testing.synth(c));
    expect(yamlInputLimitError(text)).toBeUndefined();
  });
});

// Session 51: DEL, the C1 controls but NEL, U+FFFE and U+FFFF are written raw by cdk8s's writer, even in quotes, and
// refused anywhere by go-yaml v2's reader (readerc.go `yaml_parser_update_buffer`: "control characters are not allowed";
// kubectl v1.32.4 refuses the file). Before, such a description synthesized, and the project's own `validate` (now)
// refuses the file it wrote. The C0 controls are written as escapes, which go-yaml reads: allowed.
describe('the policies refuse the control characters cdk8s writes raw and go-yaml refuses', () => {
  test.each([['\u007f', 'U+007F', '\\u007f'], ['\u009b', 'U+009B', '\\u009b'], ['\ufffe', 'U+FFFE', '\\ufffe']])(
    'description and HTTP path holding %j: refused at synthesis, nothing written', (ch, name, shown) => {
      const written = Yaml.stringify({ description: `a${ch}b` });
      expect(written).toContain(ch);
      expect(yamlInputLimitError(written)?.message).toMatch(new RegExp(`^a control character ${name.replace('+', '\\+')} \\(line 1\\)`));
      const { c, p } = policy(`a${ch}b`);
      p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.of({ path: `/a${ch}b` })) });
      const tail = 'which cdk8s writes into the YAML as it is and kubectl, Helm and Argo CD (go-yaml v2) refuse anywhere in a file ("control characters are '
        + 'not allowed": kubectl applies nothing of the file from there on)';
      expect(p.synthesizeModel().diagnostics.filter((d) => d.id === 'yaml-go-control-character').map((d) => `${d.path}: ${d.message}`)).toEqual([
        `spec.description: "a${shown}b" holds the control character ${name}, ${tail}`,
        `spec.ingress[0].toPorts[0].rules.http[0].path: "/a${shown}b" holds the control character ${name}, ${tail}`,
      ]);
      expect(synthFailure(c)).toMatch(/\[t\/p\] spec\.description: .*\(yaml-go-control-character\)\n\s+fix: remove the character/);
    });

  test('a vertical tab and U+0001 are written as escapes go-yaml reads back: allowed, and the file reads', () => {
    const { c, p } = policy('a\u000bb\u0001c');
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)] });
    expect(p.synthesizeModel().diagnostics.filter((d) => d.id.startsWith('yaml-go-'))).toEqual([]);
    expect(yamlInputLimitError(Yaml.stringify(...Testing.synth(c)))).toBeUndefined();
  });

  test('the draft\'s writer escapes them in double quotes, which both readers read back as the character', () => {
    const text = yamlQuotingGoNumbers({ path: '/a\u007fb\u009bc\ufffed\u2028e' });
    expect(text).toBe('path: "/a\\x7fb\\x9bc\\ufffed\\Le"\n');
    expect(yamlInputLimitError(text)).toBeUndefined();
    expect(parseYamlStream(text)[0].toJS()).toEqual({ path: '/a\u007fb\u009bc\ufffed\u2028e' });
  });
});
