/**
 * One mistake, one finding: a port written as a number whose text is no port either (`99999`, `.inf`, `-1`, `0x10000`)
 * is the error that says its text is no port, saying it is unquoted too; not also the reader's `parse-port-not-string`,
 * whose fix (quote it) would not mend it. `validate` and `validateApp` both use this.
 */
import { ParseDiagnosticId } from '../model/parse-diagnostic-id';

/** The errors at a port that say its text is no port. */
const NO_PORT: ReadonlySet<string> = new Set(['sanitize-port-parse', 'crd-port-syntax', 'sanitize-port-prefixed-name']);
/** The errors that say a port entry has no port, whose fix (`port: "0"`, every port) is for a port left out. */
const OMITTED: ReadonlySet<string> = new Set(['sanitize-port-omitted', 'version-port-omitted']);

/**
 * The reader's diagnostics of one document that the findings of its rules (`findings`, those reported) say with more
 * (`dropped`), and the findings, each such one saying the port is unquoted too. A port written as no string nor number
 * (`port: on`, a YAML 1.1 boolean) is left out by the reader (`parse-wrong-type`): the finding that the entry has no port
 * then says so, and its fix is to quote the port meant, never `port: "0"`, which would widen the rule to every port.
 */
export function mergeUnquotedPorts<D extends { readonly id: string; readonly path?: string },
  F extends { readonly id: string; readonly path?: string; readonly message: string; readonly fix?: string }>(
  diagnostics: readonly D[], findings: readonly F[]): { dropped: ReadonlySet<D>; findings: F[] } {
  const noPort = new Set(findings.filter((f) => NO_PORT.has(f.id) && f.path !== undefined).map((f) => f.path));
  const dropped = new Set(diagnostics.filter((d) => d.id === ParseDiagnosticId.PORT_NOT_STRING && noPort.has(d.path)));
  const unquoted = new Set([...dropped].map((d) => d.path));
  const wrongType = new Set(diagnostics.filter((d) => d.id === ParseDiagnosticId.WRONG_TYPE && d.path !== undefined).map((d) => d.path));
  return {
    dropped,
    findings: findings.map((f) => {
      if (NO_PORT.has(f.id) && unquoted.has(f.path)) {
        return { ...f, message: `${f.message} (written unquoted: a number, which the API server rejects too)`, fix: `${f.fix ?? ''}, as a quoted string (port: "8080")` };
      }
      if (OMITTED.has(f.id) && wrongType.has(f.path)) {
        return { ...f, message: `${f.message} (port is written, but is no string: the reader left it out, parse-wrong-type)`,
          fix: 'quote the port meant: port: "8080" (not "0", which matches every port)' };
      }
      return f;
    }),
  };
}
