// How a refusal quotes the value of a flag: `--max-connections 0`, but `--max-connections ""` for a value that is empty or
// has white space at either end, which would else read as no value (`--max-connections  is not …`, two spaces).

/** @internal `<flag> <value>`, the value in double quotes (JSON) where it is empty or has white space at either end. */
export function flagWithValue(flag: string, value: string): string {
  return `${flag} ${value === '' || value.trim() !== value ? JSON.stringify(value) : value}`;
}
