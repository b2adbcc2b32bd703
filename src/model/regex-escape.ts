/** `text` as a regular expression that matches it literally (RE2 and ECMAScript: every metacharacter escaped). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
