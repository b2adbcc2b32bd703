/**
 * How kubectl cuts a YAML stream into objects, where the `yaml` library reads documents otherwise. kubectl's decoder
 * (k8s.io/apimachinery `pkg/util/yaml/decoder.go`: `YAMLReader.Read`, then `YAMLToJSONDecoder.Decode` with
 * sigs.k8s.io/yaml's `Unmarshal`) cuts the stream at each line that opens with `---` followed by white space or a comment
 * only, refuses the stream at a line that opens with `---` followed by anything else ("invalid Yaml document separator"),
 * and decodes each part with go-yaml v2's `unmarshal` (gopkg.in/yaml.v2 `yaml.go`), which parses the first YAML document of
 * the part and never looks at the rest. A `...` line (YAML's document end) is no cut to it: a document written after a
 * `...` with no `---` line between is never applied (after a document, silently; at the start of a part, the part is
 * refused: "did not find expected node content"), where the `yaml` library reads it as one more document. Seen with
 * kubectl v1.32.4 (`kubectl create --dry-run=client -o name`): `A`, `...`, `B` creates A only, exit 0; `A`, `...`, `---`,
 * `B` creates both. A byte-order mark before a later `---` makes the line no cut to kubectl (`A`, `...`, `<BOM>---`, `B`:
 * A only; without the `...`, the part is refused), where the `yaml` library skips the mark and starts a document.
 * Each part is a YAML stream of its own to go-yaml: one opening with `...` is refused (`...`, `---`, `A`: nothing
 * applied; `A`, `---`, `...`, `---`, `B`: A only), and so is a directive cut from its `---` (`%YAML 1.1`, `---`, `A`:
 * "did not find expected <document start>"); a directive after a `...` is in the part of the document before, never parsed.
 */

import { YAML_MARKER_TAIL } from './go-line-breaks';
import { trimRuns } from './trim-runs';

/** A line of a YAML text that kubectl reads otherwise than the `yaml` library: where, and why (one line, with the fix). */
export interface KubectlPartProblem {
  /** 1-based line. */
  readonly line: number;
  /** One-line message, ending in what to write instead. */
  readonly message: string;
}

/**
 * Go's `unicode.IsSpace`, which `strings.TrimSpace` trims (white space; not the byte-order mark, which JavaScript's `trim`
 * takes too).
 */
function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * What follows `---` on a line opening with it, as kubectl's `YAMLReader.Read` judges it: `strings.TrimSpace`d. The line
 * is a cut when that is empty or opens with `#`, and refused otherwise ("invalid Yaml document separator").
 */
function separatorTail(line: string): string {
  return trimRuns(line.slice(3), isGoSpace);
}

/**
 * `text` as go-yaml v2 sees it behind kubectl, for the `yaml` library to read and the input checks to judge: each `---`
 * line kubectl cuts at after a line of its part (a cut whose rest is not what YAML takes after `---`: `---\v# c`,
 * `---# c`, `---<NBSP>`, `--- \f`) has that rest replaced by spaces. kubectl's `YAMLReader.Read` (k8s.io/apimachinery
 * `pkg/util/yaml/decoder.go`) drops such a line, so go-yaml never reads it: seen with kubectl v1.32.4, `A`, `---\v# c`,
 * `B` applies A and B. The `yaml` library reads the same line as content (`---` opens a document only when a space, a tab
 * or the line's end follows it): the stream was refused ("implicit keys need to be on a single line"), or a vertical tab
 * on it taken for a control character go-yaml refuses. A `---` line that opens its part (the text's first line, or right
 * after another cut) is kept as written: kubectl hands it to go-yaml with the part, which reads it as content (and refuses
 * a control character on it), as the `yaml` library does. Lengths are kept, so lines and columns are the text's.
 */
export function kubectlDroppedCutsBlanked(text: string): string {
  const pieces: string[] = [];
  let copied = 0;
  // Whether the part kubectl is reading has a line yet (any line: a blank one or a comment too, as its buffer holds them).
  let partHasLine = false;
  for (let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; pos < text.length;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    // Only a line opening with `---` is cut out of the text (no string per line).
    const after = text.startsWith('---', pos) ? separatorTail(text.slice(pos, stop)) : undefined;
    if (after !== undefined && (after === '' || after.startsWith('#')) && partHasLine) {
      if (!YAML_MARKER_TAIL.test(text.slice(pos + 3, stop))) {
        pieces.push(text.slice(copied, pos + 3), ' '.repeat(stop - pos - 3));
        copied = stop;
      }
      partHasLine = false;
    } else {
      partHasLine = true;
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  if (copied === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join('');
}

/** A line of no YAML content: blank, a comment, or a directive (`%YAML 1.1`, which needs a `---` line after it). */
const NO_CONTENT = /^(?:[ \t]*(?:#.*)?|%.*)$/;

/**
 * The first line where kubectl reads `text` (a YAML text, not one JSON object) otherwise than the `yaml` library: a
 * `---` line followed by more than a comment, one opening with a byte-order mark (but for the text's first), YAML
 * content after a `...` line of the same part, a `...` line before any content of its part, or a directive (`%`) opening
 * a part that a `---` line follows; `undefined` when
 * none. One pass over the lines (a UTF-8 byte-order mark opening the text is skipped, as kubectl's file reader does;
 * a CR before a LF is no part of a line, as `bufio.Reader.ReadLine` drops it).
 */
export function kubectlPartProblem(text: string): KubectlPartProblem | undefined {
  // The line of the `...` in the current part, once one is seen; whether the part has had content; the line of a
  // directive opening it (before any `...`).
  let ended: number | undefined;
  let content = false;
  let directive: number | undefined;
  let line = 0;
  for (let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; pos <= text.length;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    line++;
    const s = text.slice(pos, end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (s.startsWith('---')) {
      const after = separatorTail(s);
      if (after !== '' && !after.startsWith('#')) {
        return {
          line,
          message: `a --- line followed by ${JSON.stringify(after.length > 40 ? `${after.slice(0, 40)}…` : after)} (line ${line}), which kubectl refuses `
            + '(its YAML reader takes only a comment after ---: "invalid Yaml document separator") and this reader reads as a document; the input is not read '
            + '(write --- alone on its line and the document on the lines after it)',
        };
      }
      if (directive !== undefined) {
        // kubectl cuts at this line, leaving the directive a part of its own, which go-yaml refuses.
        return {
          line: directive,
          message: `a YAML directive (line ${directive}) before the --- at line ${line}: kubectl cuts a stream at every --- line, so the directive is a part `
            + 'of its own, which it refuses ("did not find expected <document start>"), where this reader reads it as the next document\'s; the input is not read '
            + `(remove line ${directive}: Kubernetes manifests need no directive)`,
        };
      }
      ended = undefined;
      content = false;
    } else if (s.startsWith('\ufeff---')) {
      // The byte-order mark opening the text is skipped above; one opening a later line is no cut to kubectl's reader (it
      // compares the line's bytes), where the `yaml` library skips it and reads a document start.
      return {
        line,
        message: `a --- line opening with a byte-order mark (line ${line}): kubectl cuts a stream only at lines opening with ---, so it reads this line `
          + 'as part of the document before (and refuses it, or never applies what follows), where this reader starts a document; the input is not read '
          + '(remove the byte-order mark: files joined with --- should be saved without one)',
      };
    } else if (s.startsWith('...') && (s.length === 3 || s[3] === ' ' || s[3] === '\t')) {
      if (!content && ended === undefined) {
        // go-yaml reads each part as a stream of its own, whose first document may not open with a document end.
        return {
          line,
          message: `a ... line before any content of its document (line ${line}): kubectl reads each part between --- lines as a YAML stream of its own `
            + 'and refuses one opening with ... ("did not find expected node content": this part and those after it are never applied), where this reader '
            + `reads an empty document; the input is not read (remove line ${line})`,
        };
      }
      ended ??= line;
    } else if (ended === undefined && !content && s.startsWith('%')) {
      directive ??= line;
    } else if (ended === undefined && !NO_CONTENT.test(s)) {
      content = true;
    } else if (ended !== undefined && !NO_CONTENT.test(s)) {
      return {
        line,
        message: `a YAML document after the ... at line ${ended} with no --- line between (line ${line}): kubectl splits a stream at --- lines only and reads `
          + 'the first document of each part, so it never applies this one, where this reader reads it; the input is not read '
          + `(write a --- line before line ${line}, or remove the ... line)`,
      };
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  return undefined;
}
