/**
 * The text without the runs of chosen characters at its ends, in one pass over those runs. A JavaScript regular
 * expression that finds such a run (`/:+$/`, `/^[ \t]+|[ \t]+$/g`) is retried at every character of a run that does not
 * reach the end, each try reading the run to its end: `a`, 100,000 colons, `b` took 15 s, 10 MiB of them days. The
 * trims of text read from an input (a policy, a manifest, a flow log, a command-line argument, a name derived from one)
 * go through here or through `String.prototype.trim` (native, linear), never through such a regex: the project's ESLint
 * config refuses a regex literal that opens an unanchored alternative with a run followed by more (`/:+$/`,
 * `/-+$/`), and a regex of that shape kept says why its input is bounded (an `eslint-disable-next-line` with a reason).
 */

/**
 * `text` without the characters `strip` takes at its ends (`'both'`), at its end only (`'end'`) or at its start only
 * (`'start'`): Go's `strings.TrimRight`/`strings.TrimLeft`/`strings.TrimFunc` for characters of the Basic Multilingual Plane.
 * @param strip whether a UTF-16 code unit is trimmed
 * @param ends which ends to trim (`'both'`, the default, `'end'` or `'start'`)
 */
export function trimRuns(text: string, strip: (code: number) => boolean, ends: 'both' | 'end' | 'start' = 'both'): string {
  let end = text.length;
  if (ends !== 'start') {
    while (end > 0 && strip(text.charCodeAt(end - 1))) end--;
  }
  let start = 0;
  if (ends !== 'end') {
    while (start < end && strip(text.charCodeAt(start))) start++;
  }
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
