/**
 * A text of the input as one line of output shows it: whole up to `max` characters, else its first `max` and how many
 * more there were. A value of a megabyte (a flag's value, a header entry of a policy) is one readable line, not a megabyte
 * of log. For a value quoted as JSON, `showValue` (core/errors.ts).
 * @param text the text
 * @param max the most characters kept (2,000 by default: an error's message or fix)
 */
export function clipText(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}
