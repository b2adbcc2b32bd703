/**
 * The text without the runs of chosen characters at its ends, in one pass over those runs. A JavaScript regular
 * expression that finds such a run (`/:+$/`, `/^[ \t]+|[ \t]+$/g`) is retried at every character of a run that does not
 * reach the end, each try reading the run to its end: `a`, 100,000 colons, `b` took 15 s, 10 MiB of them days. Every
 * trim of text read from an input (a policy, a manifest, a flow log) goes through here, never through such a regex.
 */

/**
 * `text` without the characters `strip` takes at its end (and at its start unless `ends` is `'end'`): Go's
 * `strings.TrimRight`/`strings.TrimFunc` for characters of the Basic Multilingual Plane.
 * @param strip whether a UTF-16 code unit is trimmed
 * @param ends which ends to trim (`'both'`, the default, or `'end'`)
 */
export function trimRuns(text: string, strip: (code: number) => boolean, ends: 'both' | 'end' = 'both'): string {
  let end = text.length;
  while (end > 0 && strip(text.charCodeAt(end - 1))) end--;
  let start = 0;
  if (ends === 'both') {
    while (start < end && strip(text.charCodeAt(start))) start++;
  }
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
