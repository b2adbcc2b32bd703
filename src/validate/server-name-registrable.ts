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
 * `*.one.one.one`, `**.one.one`), so `*.com` lets through the TLS connections to every `.com` name. On egress the subject is the
 * client, and such a name is one anyone may register and serve from the peer's addresses (a CDN, the world); on ingress the
 * subject is the TLS server and the client writes the SNI it likes, so the wildcard lets through the allowed clients'
 * connections naming any `.com` name, whatever names the subject serves. Before 1.18 the proxy compares the name as written, and the
 * wildcard matches nothing: reported there too, as it says what no version before 1.18 does (and widens on upgrade). From
 * 1.18 a name the CRD pattern refuses (`*.*`) is left to that refusal (`crd-server-name-syntax`), whose reason is the true one.
 * The one judgement of the constructs (`server-names-registrable`) and validate (`pitfall-server-names-registrable`).
 * @param name a `serverNames` entry
 * @param version the target Cilium version
 * @param direction the rule's direction: the subject is the TLS client on egress, the TLS server on ingress
 */
export function registrableServerName(name: string, version: CiliumVersion, direction: 'ingress' | 'egress'): string | undefined {
  const wildcards = version.atLeast(CiliumVersion.V1_18);
  if (wildcards && !SAFE.serverName(name)) return undefined;
  const example = registrableWildcardExample(name);
  if (example === undefined) return undefined;
  const shown = clipText(example, 80);
  if (direction === 'ingress') {
    const chosen = 'on ingress the client chooses the server name it sends, so the allowed clients\' TLS connections naming any such name '
      + 'would be let through, whatever names this endpoint serves';
    return wildcards ? `it matches TLS server names such as ${shown}, and ${chosen}`
      : `Cilium ${version.toString()} compares server names as written, so it matches no server name, and from Cilium 1.18 it would match `
        + `names such as ${shown}: ${chosen}`;
  }
  return wildcards
    ? `it matches TLS server names such as ${shown}, which anyone may register and serve from the peer's addresses`
    : `Cilium ${version.toString()} compares server names as written, so it matches no server name, and from Cilium 1.18 it would match `
      + `names such as ${shown}, which anyone may register`;
}
