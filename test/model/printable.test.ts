// What every output channel writes of a text from the inputs (src/model/printable.ts): text and Markdown
// (`withoutControls`), HTML (`withoutControlsKeepingLineBreaks`) and JSON (`printableJson`) neutralize the same characters
// (U+FFFD, or a `\uXXXX` escape in JSON). Session 56: the class held all of Unicode's format characters (Cf), so a ZWJ
// emoji sequence, the ZWNJ of Persian or Indic text and the tags of an emoji flag became U+FFFD (👨\ufffd👩\ufffd👧).
import { describe, expect, test } from 'vitest';
import { printableJson, withoutControls, withoutControlsKeepingLineBreaks } from '../../src/model/printable';

const SCOTLAND = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';

/** Text every channel writes as it is: letters, marks, numbers, emoji sequences. */
const TEXT = [
  ['é (one code point)', 'caf\u00e9'], ['é (e and a combining acute)', 'cafe\u0301'], ['CJK', '漢字かな한글'],
  ['combining marks (Devanagari, Hebrew points, Vietnamese)', 'नमस्ते שָׁלוֹם Tiếng Việt'], ['Arabic', 'سلام'],
  ['a ZWJ family', '👨\u200d👩\u200d👧'], ['a ZWJ sequence after a variation selector', '❤\ufe0f\u200d🔥'],
  ['a skin tone and ZWJ', '🧑🏽\u200d💻'], ['a ZWNJ in Persian', 'می\u200cخواهم'], ['a ZWJ after a virama', 'क्\u200dष'],
  ['the flag of Scotland (an emoji tag sequence)', SCOTLAND], ['a keycap', '1\ufe0f\u20e3'],
];

/** What no channel writes as it is. */
const BIDI = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const OTHERS = [
  '\u200b', '\ufeff', '\u00ad', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009b',
  '\u2028', '\u2029', '\ud800', '\udc00', '\u{E0001}', '\u{E0041}', '\u{E007F}',
];

const CHANNELS: [string, (text: string) => string][] = [
  ['withoutControls', withoutControls],
  ['withoutControlsKeepingLineBreaks', withoutControlsKeepingLineBreaks],
  // The JSON channel as the text it writes of a string, without its quotes.
  ['printableJson', (text) => printableJson(text).slice(1, -2)],
];

describe.each(CHANNELS)('%s', (_name, channel) => {
  test.each(TEXT)('%s: unchanged', (_what, text) => {
    expect(channel(text)).toBe(text);
    expect(channel(`(${text})`)).toBe(`(${text})`);
  });

  test.each(BIDI.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase()}`, c]))('the bidirectional control %s: neutralized', (_name, c) => {
    for (const text of [c, `a${c}b`, `👨${c}👩`, `${c}\u200d`]) expect(channel(text)).not.toContain(c);
  });

  test.each(OTHERS.map((c) => [`U+${c.codePointAt(0)?.toString(16).toUpperCase()}`, c]))('%s: neutralized', (_name, c) => {
    expect(channel(`a${c}b`)).not.toContain(c);
  });

  test('a ZWJ or ZWNJ not between two visible characters: neutralized', () => {
    for (const text of ['\u200da', 'a\u200d', 'a\u200d\u200db', 'a \u200cb', 'a\u200c\u202eb', 'a\u202e\u200db', '\u200c', 'a\u200d\tb']) {
      expect(channel(text)).not.toMatch(/[\u200c\u200d]/);
    }
  });

  test('tags outside an emoji tag sequence: neutralized (a flag without its cancel tag, another base, hidden ASCII)', () => {
    const tags = (ascii: string): string => [...ascii].map((a) => String.fromCodePoint(0xe0000 + a.charCodeAt(0))).join('');
    for (const text of [`\u{1F3F4}${tags('gbsct')}`, `x${tags('gbsct')}\u{E007F}`, `\u{1F3F4}${tags('ignore all previous')}\u{E007F}`,
      `\u{1F3F4}${tags('GBSCT')}\u{E007F}`, `${tags('gbsct')}\u{E007F}`]) {
      expect(channel(text)).not.toMatch(/[\u{E0000}-\u{E007F}]/u);
    }
  });
});

describe('where the channels differ', () => {
  test('a line: line feed and carriage return neutralized too; HTML keeps them; JSON escapes them; a tab kept but in JSON', () => {
    expect(withoutControls('a\nb\rc\u202ed\te')).toBe('a\ufffdb\ufffdc\ufffdd\te');
    expect(withoutControlsKeepingLineBreaks('a\nb\rc\u202ed\te')).toBe('a\nb\rc\ufffdd\te');
    expect(printableJson('a\nb\rc\u202ed\te')).toBe('"a\\nb\\rc\\u202ed\\te"\n');
  });

  test('JSON: escapes (an astral tag as its surrogate pair), keys too, and the document reads back to the same values', () => {
    const value = { [`k\u202e${SCOTLAND}`]: ['\u{E0041}x', 'a\u200d', '👨\u200d👩', 'a\nb\u2028', '\ud800', 'quote " and \\ \u001b[31m',
      '\\"\u202e"\\', '\\\\\u202e', '"\u202e\\'] };
    const json = printableJson(value);
    for (const c of ['\u202e', '\u2028', '\u001b', '\u{E0041}', 'a\u200d"']) expect(json).not.toContain(c);
    expect(json).toContain(`"k\\u202e${SCOTLAND}": [`);
    expect(json).toContain('"\\udb40\\udc41x"');
    // A string's quotes found past escaped quotes and backslashes beside the character.
    expect(json).toContain('"\\\\\\"\\u202e\\"\\\\"');
    expect(json).toContain('"👨\u200d👩"');
    expect(JSON.parse(json)).toEqual(value);
  });

  test('a joiner\'s neighbours are those of the value, not of its escapes: the same in JSON as in text', () => {
    // `\n` before the ZWJ is written `\n` in JSON, a letter before it; the quote after it is JSON's, not the value's.
    expect(printableJson(['\n\u200dx', 'x\u200d'])).toBe('[\n  "\\n\\u200dx",\n  "x\\u200d"\n]\n');
    expect(withoutControlsKeepingLineBreaks('\n\u200dx')).toBe('\n\ufffdx');
  });
});
