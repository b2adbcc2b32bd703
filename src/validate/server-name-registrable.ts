// The one rule of a TLS server name whose wildcard stands in the registrable part of the name (`*.com`, `**.co.uk`).
import { CiliumVersion } from '../core/cilium-version';
import { clipText } from '../model/clip-text';
import { registrableWildcardExample } from '../model/fqdn-pattern';
import { SAFE } from './tables';

/**
 * What a TLS server name whose wildcard stands in the registrable part of the name (`*.com`, `**.co.uk`) means on `version`,
 * or `undefined` for a name without such a wildcard. Judged as `toFQDNs` patterns are (`registrableWildcardExample`, the one
 * judgement of `fqdn-pattern-registrable`). From Cilium 1.18 a server name may start with `*.` (one label) or `**.` (one or
 * more labels; the CRD's `^(\*?\*\.)?([-a-zA-Z0-9_]+\.?)+$`, Cilium's connectivity test "client-egress-tls-sni-wildcard":
 * `*.one.one.one`, `**.one.one`), so `*.com` lets through the TLS connections to every `.com` name, one anyone may register
 * and serve from the peer's addresses (a CDN, the world). Before 1.18 the proxy compares the name as written, and the
 * wildcard matches nothing: reported there too, as it says what no version before 1.18 does (and widens on upgrade). From
 * 1.18 a name the CRD pattern refuses (`*.*`) is left to that refusal (`crd-server-name-syntax`), whose reason is the true one.
 * The one judgement of the constructs (`server-names-registrable`) and validate (`pitfall-server-names-registrable`).
 * @param name a `serverNames` entry
 * @param version the target Cilium version
 */
export function registrableServerName(name: string, version: CiliumVersion): string | undefined {
  const wildcards = version.atLeast(CiliumVersion.V1_18);
  if (wildcards && !SAFE.serverName(name)) return undefined;
  const example = registrableWildcardExample(name);
  if (example === undefined) return undefined;
  return wildcards
    ? `it matches TLS server names such as ${clipText(example, 80)}, which anyone may register and serve from the peer's addresses`
    : `Cilium ${version.toString()} compares server names as written, so it matches no server name, and from Cilium 1.18 it would match `
      + `names such as ${clipText(example, 80)}, which anyone may register`;
}
