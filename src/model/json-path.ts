/** JSON paths of manifest fields (`spec.ingress[0].fromEndpoints[0].matchLabels["k8s:app"]`) and their segments. */

/** One step of a path: a mapping key or a list index. */
export type Segment = string | number;

/** The tail of a path from its second-to-last named segment (`ingress[0].toPorts`, `matchLabels.app`), for messages. */
export function fieldName(path: readonly Segment[]): string {
  let named = 0;
  let i = path.length;
  while (i > 0 && named < 2) {
    i--;
    if (typeof path[i] === 'string') named++;
  }
  return formatPath(path.slice(i)) || 'the value';
}

/** `spec.ingress[0].fromEndpoints[0].matchLabels["k8s:app"]`. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    // A search for a character that needs quoting, not `^[…]+$`: V8 runs that as a backtracking loop with one stack entry
    // per character, which overflows ("Maximum call stack size exceeded") on a key of megabytes once the regex is compiled.
    else if (seg !== '' && !/[^A-Za-z0-9_-]/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The inverse of `formatPath`; `undefined` for a malformed path. */
export function parsePath(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        if (path[j + 1] !== ']') return undefined;
        try {
          out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        } catch {
          return undefined;
        }
        i = j + 2;
      } else {
        const m = /^\[(\d+)\]/.exec(path.slice(i));
        if (!m) return undefined;
        out.push(Number(m[1]));
        i += m[0].length;
      }
    } else {
      if (path[i] === '.') {
        if (out.length === 0) return undefined;
        i++;
      }
      const m = /^[^.[\]]+/.exec(path.slice(i));
      if (!m) return undefined;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}
