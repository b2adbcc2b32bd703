// The pre-parse scan of YAML input (nesting depth, values): small inputs against lowered limits. It must never count fewer
// values or levels than the YAML parser builds: a comment, a quoted scalar over several lines or a block scalar misread
// would let a value bomb (or a nesting bomb) through to the parser.
import { describe, expect, test } from 'vitest';
import { nestingDepthError } from '../../src/model/nesting-depth';

/** The values the scan counts in `text` (the lowest limit it passes). */
function valuesOf(text: string): number {
  let lo = 0;
  let hi = 1_000_000;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (nestingDepthError(text, 1000, mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const LIST = '  - 1\n'.repeat(50);
const FLOW = `${'1,'.repeat(50)}1]`;

describe('a comment ending in | or > opens no block scalar (session 40: the lines after it were not counted)', () => {
  test.each(['spec: # |', 'spec: # >', 'spec: # see >-', 'spec: a # |2', '# |', 'spec:  #|'])('%s', (head) => {
    expect(valuesOf(`${head}\n${LIST}`)).toBeGreaterThanOrEqual(50);
    expect(nestingDepthError(`${head}\n${LIST}`, 100, 20)?.limit).toBe('values');
    // Nor does the depth limit stop at it.
    expect(nestingDepthError(`${head}\n  ${'- '.repeat(150)}x\n`)?.limit).toBe('depth');
  });

  test('block scalars are still text: key: |, - >-, a tag or an anchor before it, an indentation indicator, a comment after it', () => {
    for (const head of ['x: |', 'x: >-', '- |2 # c', 'x: !!str |', 'x: &a >+', '|']) {
      expect(valuesOf(`${head}\n${LIST}`), head).toBe(1);
    }
  });

  test('a | or > that is no indicator: in a plain scalar, in quotes', () => {
    for (const head of ['x: a|', 'x: a >', 'x: "|"', "x: '>'", 'x: |x']) expect(valuesOf(`${head}\n${LIST}`), head).toBeGreaterThanOrEqual(50);
  });
});

describe('a quoted scalar over several lines (session 40: the quote state was reset on every line)', () => {
  test('a ] inside the string does not close the flow collection', () => {
    expect(valuesOf(`x: ["a\n ]", ${FLOW}\n`)).toBeGreaterThanOrEqual(51);
    expect(valuesOf(`x: ['it''s\n ]', ${FLOW}\n`)).toBeGreaterThanOrEqual(51);
    expect(valuesOf(`x: ["a \\" ]\n ]", ${FLOW}\n`)).toBeGreaterThanOrEqual(51);
  });

  test('the closing quote on the next line is not read as an opening one', () => {
    expect(valuesOf(`x: ["a\n", ${FLOW}\n`)).toBeGreaterThanOrEqual(51);
    expect(valuesOf(`x: ['a\n', ${FLOW}\n`)).toBeGreaterThanOrEqual(51);
    expect(nestingDepthError(`x: ["a\n", ${FLOW}\n`, 100, 20)?.limit).toBe('values');
  });

  test('a quote the parser reads as plain text (a plain scalar continued) hides no values and no levels', () => {
    // `a\n  "b` is one plain scalar; the lines after it are structure to the parser.
    expect(nestingDepthError(`x: a\n  "b\ny: [${FLOW}\n`, 100, 20)?.limit).toBe('values');
    expect(nestingDepthError(`x: a\n  "b\ny:\n${LIST}`, 100, 20)?.limit).toBe('values');
    expect(nestingDepthError(`x: a\n  "b\ny: ${'['.repeat(150)}\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`x: a\n  "b\ny: ${'[\n'.repeat(150)}`)?.limit).toBe('depth');
    expect(nestingDepthError(`x: a\n  "b\ny:\n  ${'- '.repeat(150)}x\n`)?.limit).toBe('depth');
    // A quote inside a plain scalar on its line opens nothing.
    expect(valuesOf(`x: a "b\ny: [${FLOW}\n`)).toBeGreaterThanOrEqual(51);
  });

  test('a quote closed where the parser is still in a flow collection leaves the lines after it counted', () => {
    expect(nestingDepthError(`x: a\n  "b\ny: [\n1, "c", ${FLOW}\n`, 100, 20)?.limit).toBe('values');
  });

  test('a multi-line string of a policy is one value per line; brackets in quotes are no levels', () => {
    expect(valuesOf('x: "a\n  b\n  c"\ny: 1\n')).toBe(4);
    expect(nestingDepthError(`x: "${'['.repeat(150)}"\n`)).toBeUndefined();
    expect(valuesOf(`x: "${'a,'.repeat(50)}"\n`)).toBe(1);
  });
});

describe('a block list entry `- x` is one value (session 40: two, so a 10 MiB CIDR list was refused)', () => {
  test('one per entry, one more per nested sequence', () => {
    expect(valuesOf('- 1\n'.repeat(20))).toBe(20);
    expect(valuesOf('x:\n  - 1.0.0.0/24\n  - 2.0.0.0/24\n')).toBe(3);
    expect(valuesOf('- - 1\n')).toBe(2);
    expect(nestingDepthError('- 1\n'.repeat(20), 100, 20)).toBeUndefined();
    expect(nestingDepthError('- 1\n'.repeat(21), 100, 20)?.line).toBe(21);
  });

  test('flow and pretty JSON: each [, {, , and : of a collection; a line of none counts once', () => {
    expect(valuesOf('x: [1,2,3]\n')).toBe(4);
    expect(valuesOf('{\n  "a": [\n    1,\n    2\n  ]\n}\n')).toBe(8);
  });
});

describe('explicit keys and node properties (session 45: a line of a million cost the YAML library 22 to 60 s and up to 1.1 GB)', () => {
  test('each `? ` is a level, at the start of a line and where a value starts', () => {
    expect(nestingDepthError(`    ${'? '.repeat(150)}x\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`x: [${'? '.repeat(150)}x]\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`- ${'? - '.repeat(60)}x\n`)?.limit).toBe('depth');
    // A complex key of a policy-sized document passes, and a `?` in a plain scalar is text.
    expect(nestingDepthError('? a\n: b\n? [c, d]\n: e\nx: what? yes ? no\n')).toBeUndefined();
  });

  test('a node with two tags or two anchors is refused; one of each passes, as do properties of different nodes', () => {
    expect(nestingDepthError(`x: ${'!!seq '.repeat(3)}[]\n`)).toMatchObject({ limit: 'properties', line: 1, message: 'a node has two tags (line 1), which no YAML reader takes; the input is not read' });
    expect(nestingDepthError('a: 1\nx: &a &b 1\n')).toMatchObject({ limit: 'properties', line: 2, message: 'a node has two anchors (line 2), which no YAML reader takes; the input is not read' });
    expect(nestingDepthError('x: !t &a !u 1\n')?.limit).toBe('properties');
    for (const ok of ['x: !!str &a 1\n', 'x: &a !!str 1\n', '&a x: &b [&c 1, !!int &d 2]\n', '- &a - &b 1\n', 'x: &a\n  &b y: 1\n', 'x: a !b !c\n', 'x: "!a !b"\n']) {
      expect(nestingDepthError(ok), ok).toBeUndefined();
    }
  });
});

describe('what no YAML reader takes, where a library error per character cost minutes (session 45)', () => {
  test('a value starting with @, ` or a bracket that closes nothing, after an indicator of the line', () => {
    // Before: 900,000 `@` in a flow sequence (1.8 MB) or 5 million `]` after `x: ` (5 MB) ran trace past 60 s (1.3 GB).
    expect(nestingDepthError(`x: [${Array(5).fill('@').join(',')}]\n`)).toMatchObject({ limit: 'syntax', line: 1, message: 'a value starts with @ (line 1), which no YAML reader takes; the input is not read' });
    expect(nestingDepthError(`a: 1\nx: ${']'.repeat(10)}\n`)).toMatchObject({ limit: 'syntax', line: 2, message: 'a value starts with ] (line 2), which no YAML reader takes; the input is not read' });
    expect(nestingDepthError('- `x`\n')?.limit).toBe('syntax');
    expect(nestingDepthError('x: }\n')?.limit).toBe('syntax');
    // Text, quoted, inside a flow collection it closes, or at the start of a line (a plain scalar of the line before goes on).
    for (const ok of ['x: a@b]}\n', 'x: "@a"\n', "x: '`]'\n", 'x: [a, [b]]\n', 'x: {a: [1]}\n', 'x: a\n  ]b @c\n', 'x: a # @ ]\n', 'x: |\n  @a\n  ]b\n']) {
      expect(nestingDepthError(ok), ok).toBeUndefined();
    }
  });

  test('an escape of a double-quoted scalar that neither YAML 1.2 nor go-yaml v2 takes', () => {
    // Before: 2 million `\q` in one string (4 MB) ran trace past 60 s (1.6 GB).
    expect(nestingDepthError(`x: "${'\\q'.repeat(5)}"\n`)).toMatchObject({ limit: 'syntax', line: 1, message: 'a double-quoted scalar has the escape \\q (line 1), which no YAML reader takes; the input is not read' });
    expect(nestingDepthError('x: "a\n  b \\d"\n')?.line).toBe(2);
    const every = '\\0\\a\\b\\t\\\t\\n\\v\\f\\r\\e\\ \\"\\\'\\/\\\\\\N\\_\\L\\P\\x41\\u0041\\U00000041';
    for (const ok of [`x: "${every}"\n`, 'x: "a\\\n  b"\n', "x: '\\q'\n", 'x: a\\q\n', '{"a": "\\u00e9\\/\\b"}\n']) expect(nestingDepthError(ok), ok).toBeUndefined();
  });
});

describe('a plain scalar is text to the end of its line and over its more indented lines (session 45: valid policies were refused)', () => {
  // In block context `[ ] { } ,` end no plain scalar (go-yaml v2 and YAML 1.2 end one there only inside a flow
  // collection), and a line indented past the scalar's key goes on it: `- `, `? `, quotes, tags are text there.
  const VALID = [
    '  description: egress to [`api.stripe.com`] on 443\n',
    '  description: owned by [@netops](https://github.com/orgs/x/teams/netops)\n',
    '  description: allows ports [80, `443`]\n',
    '  description: template {@user} replaced\n',
    '  description: match ["\\d+"] paths\n',
    '  description: see [!important !note] here\n',
    '  description: R[&D &QA] team\n',
    '  description: This policy allows\n    - `kubectl exec` traffic\n\n    - @netops\n    - ] end\n    - } x\n    ? `why`\n    - !a !b\n    "\\d+" digits\n  x: 1\n',
    '- a: This\n    - @b\n   - `c`\n',
    'x:\n  text\n  - @a\n',
    '- x:\n    text\n   - @a\n',
    'text\n- @a\n',
    '--- text\n- @a\n',
    'x: {a: "]"}\n', 'x: {a:@b}\n', 'x: [a:`b`]\n', 'x: [a:b:@c, d:`e`:f]\n', 'x: !!str &a t\n', 'x: &a !!str t\n', '%YAML 1.1\n---\nx: 1\n', '%TAG !e! tag:e.com,2000:\n---\nx: 1\n',
  ];
  test.each(VALID)('%j passes', (text) => expect(nestingDepthError(text)).toBeUndefined());

  test('a tag or an anchor ends at a flow indicator: the brackets after it are levels (`&a[[x]]`: the YAML library nests them)', () => {
    expect(nestingDepthError(`x: &a${'['.repeat(150)}\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`x: !t${'{'.repeat(150)}\n`)?.limit).toBe('depth');
    expect(valuesOf(`x: [&a${'[1,'.repeat(50)}]\n`)).toBeGreaterThanOrEqual(100);
    for (const ok of ['x: [&a, !b]\n', 'x: {&a k: !t v}\n', 'x: !<tag:e.com,2000:a[1]> y\n', 'x: [&a]\ny: b\n']) expect(nestingDepthError(ok), ok).toBeUndefined();
  });

  test('what is no continuation stays structure: a line not indented past the key, after a comment, a quote, a document marker', () => {
    for (const bad of ['  description: a\n  - @b\n', '- a\n- @b\n', '- k: a\n - @b\n', 'x: a # c\n  - @b\n', 'x: "a"\n  - @b\n', 'x: a\n  # c\n  - @b\n', '- a: b\n  - @c\n', 'x: a\n---\n- @b\n', 'x: {"a":@b}\n', 'x: [a, @b]\n']) {
      expect(nestingDepthError(bad)?.limit, bad).toBe('syntax');
    }
    // A structure bomb after a plain scalar is still counted where it is structure.
    expect(nestingDepthError(`x: a [b\ny: ${'['.repeat(150)}\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`x: a\n# c\n  ${'- '.repeat(150)}x\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`- a\n- ${'- '.repeat(150)}x\n`)?.limit).toBe('depth');
    expect(nestingDepthError(`x: a\n---\n  ${'- '.repeat(150)}x\n`)?.limit).toBe('depth');
  });
});
