/**
 * What the Kubernetes API server checks on a `networking.k8s.io/v1` NetworkPolicy before storing it
 * (`pkg/apis/networking/validation` `ValidateNetworkPolicy`): a NetworkPolicy that fails these checks never reaches the
 * cluster, so Cilium enforces none of it. `validate` reports the findings; the engine skips such a NetworkPolicy (with a
 * warning naming it and why) through the same function, so both agree.
 *
 * | id | layer | severity | fires on | what |
 * |---|---|---|---|---|
 * | `k8s-np-api-version` | k8s | error | all | a NetworkPolicy apiVersion other than networking.k8s.io/v1 (the only one served) |
 * | `k8s-np-type` | k8s | error | all | a NetworkPolicy field with the wrong JSON type (a list that is not a list, a boolean port, ...) |
 * | `k8s-np-metadata` | k8s | error | all | a NetworkPolicy name (or generateName) that makes no DNS-1123 subdomain, a namespace that is not a DNS-1123 label, or an invalid label or annotation |
 * | `k8s-np-selector` | k8s | error | all | an invalid podSelector or namespaceSelector (label key or value, operator, values) |
 * | `k8s-np-peer` | k8s | error | all | a from/to peer with none of podSelector, namespaceSelector and ipBlock, or ipBlock beside a selector |
 * | `k8s-np-ip-block` | k8s | error | all | an ipBlock cidr or except that is not a CIDR, or an except not strictly inside the cidr |
 * | `k8s-np-protocol` | k8s | error | all | a NetworkPolicy port protocol other than TCP, UDP or SCTP (case-sensitive) |
 * | `k8s-np-port` | k8s | error | all | a NetworkPolicy port outside 1-65535, or a port name that is not a valid (lower-case) port name |
 * | `k8s-np-end-port` | k8s | error | all | an endPort without a numeric port, below port, or above 65535 |
 * | `k8s-np-policy-types` | k8s | error | all | policyTypes with a value other than Ingress and Egress, or more than two |
 */
import { Diagnostic, Severity } from '../core/errors';
import { metadataNotString, nameMissing } from '../model/object-names';
import { checkInfo } from './catalogue';
import { metadataMapProblems } from './metadata-maps';
import { yaml11BooleanNote } from '../model/go-yaml';
import { nullListItemsAsEmpty } from '../model/null-map-values';
import { generateNameRefused, isDns1123Label, isDns1123Subdomain, isIanaSvcName, isLabelValue, isQualifiedName, parseCidrApiServer, prefixContains } from './syntax';

/** Findings of the API server's NetworkPolicy validation, in document order; `[]` for a valid one (or not a NetworkPolicy). */
export function validateNetworkPolicy(obj: unknown): Diagnostic[] {
  if (!isObject(obj)) return [];
  // validate and the engine's admission both check every NetworkPolicy they read; the parsed object is not mutated
  // after reading, so its findings are computed once.
  let findings = checked.get(obj);
  if (findings === undefined) {
    findings = checkNetworkPolicy(obj);
    checked.set(obj, findings);
  }
  return [...findings];
}

/** Findings per NetworkPolicy object already checked (see validateNetworkPolicy). */
const checked = new WeakMap<object, readonly Diagnostic[]>();

function checkNetworkPolicy(obj: Record<string, unknown>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (id: string, path: string, message: string, fix: string): void => {
    out.push({ id, severity: checkInfo(id).severity, message, path, fix });
  };
  const v = new Checker(report);
  if (obj.apiVersion !== NETWORK_POLICY_API_VERSION) {
    // kubectl finds no NetworkPolicy in another version (networking.k8s.io/v1beta1 never had one; extensions/v1beta1 is
    // gone since Kubernetes 1.16): the object is never stored.
    report('k8s-np-api-version', 'apiVersion', obj.apiVersion === undefined ? 'apiVersion is missing'
      : `apiVersion is ${JSON.stringify(obj.apiVersion)}, but NetworkPolicy is served only as ${NETWORK_POLICY_API_VERSION}`,
    `set apiVersion: ${NETWORK_POLICY_API_VERSION}`);
  }
  v.metadata(obj.metadata);
  if (obj.spec === undefined || obj.spec === null) return out;
  if (!isObject(obj.spec)) {
    v.type('spec', obj.spec, 'an object');
    return out;
  }
  const spec = obj.spec;
  if (spec.podSelector !== undefined && spec.podSelector !== null) v.selector('spec.podSelector', spec.podSelector);
  for (const direction of ['ingress', 'egress'] as const) {
    const peersKey = direction === 'ingress' ? 'from' : 'to';
    v.list(`spec.${direction}`, spec[direction], (rule, rulePath) => {
      if (!isObject(rule)) return v.type(rulePath, rule, 'an object');
      v.list(`${rulePath}.ports`, rule.ports, (port, portPath) => v.port(portPath, port));
      v.list(`${rulePath}.${peersKey}`, rule[peersKey], (peer, peerPath) => v.peer(peerPath, peer));
    });
  }
  v.policyTypes(spec.policyTypes);
  return out;
}

/** The one version the API server serves NetworkPolicies in. */
const NETWORK_POLICY_API_VERSION = 'networking.k8s.io/v1';

type Report = (id: string, path: string, message: string, fix: string) => void;

class Checker {
  constructor(private readonly report: Report) {}

  public type(path: string, value: unknown, expected: string): void {
    this.report('k8s-np-type', path, `${path} is ${describe(value)}, the API server wants ${expected}`, `write ${path} as ${expected}`);
  }

  /**
   * A boolean where the API server wants a string (a label value): its fix quotes it (`quote it: "false"`); `validate`
   * shows the text written (`NO`) and why it is a boolean there (`booleanAsWritten`).
   */
  public boolean(path: string, value: boolean): void {
    this.report('k8s-np-type', path, `${path} is ${describe(value)}, the API server wants a string`, `quote it: "${String(value)}"`);
  }

  /** A list field: absent/null is fine, anything else must be an array; `each` gets every element. */
  public list(path: string, value: unknown, each: (item: unknown, path: string) => void): void {
    if (value === undefined || value === null) return;
    if (!Array.isArray(value)) return this.type(path, value, 'a list');
    value.forEach((item, i) => each(item, `${path}[${i}]`));
  }

  public metadata(meta: unknown): void {
    if (!isObject(meta)) return;
    if (typeof meta.name === 'string' && !isDns1123Subdomain(meta.name)) {
      this.report('k8s-np-metadata', 'metadata.name', `metadata.name ${JSON.stringify(meta.name)} is not a DNS-1123 subdomain`,
        'use lower-case letters, digits, "-" and "." (at most 253 characters, starting and ending with a letter or digit)');
    }
    if (typeof meta.generateName === 'string' && meta.generateName !== ''
      && generateNameRefused(meta.generateName, typeof meta.name === 'string' && meta.name !== '')) {
      this.report('k8s-np-metadata', 'metadata.generateName', `metadata.generateName ${JSON.stringify(meta.generateName)} does not make a DNS-1123 subdomain`,
        'use lower-case letters, digits, "-" and ".", starting with a letter or digit');
    }
    if (typeof meta.namespace === 'string' && meta.namespace !== '' && !isDns1123Label(meta.namespace)) {
      this.report('k8s-np-metadata', 'metadata.namespace', `metadata.namespace ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`,
        'use lower-case letters, digits and "-" (at most 63 characters, starting and ending with a letter or digit)');
    }
    // Labels and annotations: `ValidateObjectMeta` → `ValidateLabels`, `ValidateAnnotations`, as for a Cilium policy.
    for (const p of metadataMapProblems(meta)) this.report('k8s-np-metadata', p.path, p.message, p.fix);
  }

  /** `metav1validation.ValidateLabelSelector`. */
  public selector(path: string, sel: unknown): void {
    if (!isObject(sel)) return this.type(path, sel, 'a label selector object');
    const labels = sel.matchLabels;
    if (labels !== undefined && labels !== null) {
      if (!isObject(labels)) {
        this.type(`${path}.matchLabels`, labels, 'a map of strings');
      } else {
        for (const [key, value] of Object.entries(labels)) {
          const at = `${path}.matchLabels[${JSON.stringify(key)}]`;
          if (!isQualifiedName(key)) this.badKey(at, key);
          // null: the API server stores the empty string (Go decodes a null map value to its zero value), a valid value.
          if (value === null) continue;
          if (typeof value === 'boolean') this.boolean(at, value);
          else if (typeof value !== 'string') this.type(at, value, 'a string');
          else if (!isLabelValue(value)) this.badValue(at, value);
        }
      }
    }
    this.list(`${path}.matchExpressions`, sel.matchExpressions, (e, at) => {
      if (!isObject(e)) return this.type(at, e, 'an object');
      if (typeof e.key !== 'string') this.type(`${at}.key`, e.key, 'a string');
      else if (!isQualifiedName(e.key)) this.badKey(`${at}.key`, e.key);
      const values = e.values;
      // A null item is the empty string the API server stores (`nullListItemsAsEmpty`), a valid value; not a wrong type.
      if (values !== undefined && values !== null && (!Array.isArray(values) || values.some((x) => typeof x !== 'string' && x !== null && x !== undefined))) {
        return this.type(`${at}.values`, values, 'a list of strings');
      }
      const list = Array.isArray(values) ? (nullListItemsAsEmpty(values) as string[]) : [];
      switch (e.operator) {
        case 'In':
        case 'NotIn':
          if (list.length === 0) {
            this.report('k8s-np-selector', `${at}.values`, `operator ${e.operator} needs at least one value`,
              `list the values, or use operator Exists/DoesNotExist`);
          }
          list.forEach((x, i) => {
            if (!isLabelValue(x)) this.badValue(`${at}.values[${i}]`, x);
          });
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (list.length > 0) {
            this.report('k8s-np-selector', `${at}.values`, `operator ${e.operator} takes no values (got ${JSON.stringify(list)})`,
              'remove values, or use operator In/NotIn');
          }
          break;
        default:
          this.report('k8s-np-selector', `${at}.operator`, `${JSON.stringify(e.operator ?? null)} is not a label selector operator`,
            'use In, NotIn, Exists or DoesNotExist (case-sensitive)');
      }
    });
  }

  /** `ValidateNetworkPolicyPeer`. */
  public peer(path: string, peer: unknown): void {
    if (!isObject(peer)) return this.type(path, peer, 'an object');
    const has = (k: string): boolean => peer[k] !== undefined && peer[k] !== null;
    if (has('podSelector')) this.selector(`${path}.podSelector`, peer.podSelector);
    if (has('namespaceSelector')) this.selector(`${path}.namespaceSelector`, peer.namespaceSelector);
    if (has('ipBlock')) this.ipBlock(`${path}.ipBlock`, peer.ipBlock);
    const count = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(has).length;
    if (count === 0) {
      this.report('k8s-np-peer', path, 'the peer has none of podSelector, namespaceSelector and ipBlock (the API server requires one)',
        'name the peer (podSelector, namespaceSelector or ipBlock); to allow every peer, leave out the whole from/to list');
    } else if (count > 1 && has('ipBlock')) {
      this.report('k8s-np-peer', path, 'the peer has ipBlock beside a selector (ipBlock must stand alone)',
        'split it into two peers of the same rule: one with the selector(s), one with the ipBlock');
    }
  }

  /** `ValidateIPBlock`: both CIDRs parse, each except is strictly inside the cidr. */
  public ipBlock(path: string, block: unknown): void {
    if (!isObject(block)) return this.type(path, block, 'an object');
    // ValidateIPBlock: `len(ipb.CIDR) == 0` is a Required error, so an empty string has no cidr (it is not a bad CIDR).
    if (block.cidr === undefined || block.cidr === null || block.cidr === '') {
      this.report('k8s-np-ip-block', `${path}.cidr`, 'ipBlock has no cidr', 'write the block as cidr: 10.0.0.0/8 (or 0.0.0.0/0 with except)');
      return;
    }
    if (typeof block.cidr !== 'string') return this.type(`${path}.cidr`, block.cidr, 'a string');
    const cidr = parseCidrApiServer(block.cidr);
    if (!cidr) {
      this.report('k8s-np-ip-block', `${path}.cidr`, `${JSON.stringify(block.cidr)} is not a CIDR`,
        'write an address and a prefix length: 10.0.0.0/8, 192.168.1.7/32, 2001:db8::/32');
    }
    this.list(`${path}.except`, block.except, (e, at) => {
      if (typeof e !== 'string') return this.type(at, e, 'a string');
      const except = parseCidrApiServer(e);
      if (!except) {
        this.report('k8s-np-ip-block', at, `${JSON.stringify(e)} is not a CIDR`, 'write an address and a prefix length: 10.1.0.0/16');
      } else if (cidr && (except.bits <= cidr.bits || !prefixContains(cidr, except.addr))) {
        this.report('k8s-np-ip-block', at, `except ${e} is not strictly inside cidr ${block.cidr}`,
          `write an except that is a smaller block inside ${block.cidr}, or drop it`);
      }
    });
  }

  /** `ValidateNetworkPolicyPort`. */
  public port(path: string, port: unknown): void {
    if (!isObject(port)) return this.type(path, port, 'an object');
    if (port.protocol !== undefined && port.protocol !== null) {
      if (typeof port.protocol !== 'string') {
        this.type(`${path}.protocol`, port.protocol, 'a string');
      } else if (!['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
        const upper = port.protocol.toUpperCase();
        this.report('k8s-np-protocol', `${path}.protocol`, `protocol ${JSON.stringify(port.protocol)} is not supported (TCP, UDP or SCTP)`,
          ['TCP', 'UDP', 'SCTP'].includes(upper) ? `write protocol: ${upper} (values are case-sensitive)` : 'write protocol: TCP, UDP or SCTP');
      }
    }
    const endPort = port.endPort;
    if (endPort !== undefined && endPort !== null && !Number.isInteger(endPort)) this.type(`${path}.endPort`, endPort, 'an integer');
    const value = port.port;
    if (value === undefined || value === null) {
      if (Number.isInteger(endPort)) {
        this.report('k8s-np-end-port', `${path}.endPort`, 'endPort without port', 'write the first port of the range as port, or remove endPort');
      }
      return;
    }
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return this.type(`${path}.port`, value, 'an integer or a port name');
      if (value < 1 || value > 65535) {
        this.report('k8s-np-port', `${path}.port`, `port ${value} is not between 1 and 65535`,
          value === 0 ? 'to allow every port, leave out port (and endPort)' : 'write a port between 1 and 65535');
      }
      if (Number.isInteger(endPort)) {
        const end = endPort as number;
        if (end < value) {
          this.report('k8s-np-end-port', `${path}.endPort`, `endPort ${end} is below port ${value}`, `write an endPort of at least ${value}`);
        } else if (end > 65535) {
          this.report('k8s-np-end-port', `${path}.endPort`, `endPort ${end} is above 65535`, 'write an endPort of at most 65535');
        }
      }
      return;
    }
    if (typeof value !== 'string') return this.type(`${path}.port`, value, 'an integer or a port name');
    if (!isK8sPortName(value)) {
      const numeric = /^[0-9]+$/.test(value);
      this.report('k8s-np-port', `${path}.port`,
        numeric ? `port ${JSON.stringify(value)} is a string: the API server reads it as a port name, and a name needs a letter`
          : `${JSON.stringify(value)} is not a valid port name`,
        numeric ? `write the number without quotes: port: ${value}`
          : 'a port name has 1-15 lower-case letters, digits and single inner hyphens, with at least one letter (the container port\'s name)');
    }
    if (Number.isInteger(endPort)) {
      this.report('k8s-np-end-port', `${path}.endPort`, `endPort with the named port ${JSON.stringify(value)} (a range needs a numeric port)`,
        'write the first port of the range as a number, or remove endPort');
    }
  }

  /** `policyTypes`: Ingress and/or Egress. */
  public policyTypes(types: unknown): void {
    if (types === undefined || types === null) return;
    if (!Array.isArray(types)) return this.type('spec.policyTypes', types, 'a list');
    if (types.length > 2) {
      this.report('k8s-np-policy-types', 'spec.policyTypes', `policyTypes has ${types.length} entries (at most two: Ingress and Egress)`,
        'list each of Ingress and Egress at most once');
    }
    types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') {
        const fixed = typeof t === 'string' ? ['Ingress', 'Egress'].find((x) => x.toLowerCase() === t.toLowerCase()) : undefined;
        this.report('k8s-np-policy-types', `spec.policyTypes[${i}]`, `${JSON.stringify(t)} is not a policy type`,
          fixed ? `write ${fixed} (values are case-sensitive)` : 'write Ingress or Egress');
      }
    });
  }

  private badKey(path: string, key: string): void {
    this.report('k8s-np-selector', path, `label key ${JSON.stringify(key)} is not a qualified name`,
      'write an optional DNS-subdomain prefix and "/", then a name of at most 63 letters, digits, "-", "_" and "." (app, app.kubernetes.io/name)');
  }

  private badValue(path: string, value: string): void {
    this.report('k8s-np-selector', path, `label value ${JSON.stringify(value)} is not a valid label value`,
      'write at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or an empty value)');
  }
}

/** `validation.IsValidPortName`: an IANA service name in lower case. */
function isK8sPortName(s: string): boolean {
  return /^[-a-z0-9]+$/.test(s) && isIanaSvcName(s);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The findings that make the engine and the pitfall layer treat a NetworkPolicy as absent: every error of the API server's
 * checks, metadata included. A name that is no DNS-1123 subdomain (`use_common_labels`) or a namespace that is no DNS-1123
 * label makes it refuse the object (kubernetes pkg/apis/networking/validation `ValidateNetworkPolicy` →
 * `ValidateObjectMeta(…, ValidateNetworkPolicyName, …)`, `NameIsDNSSubdomain`), whatever its rules say.
 */
export function networkPolicyRejections(obj: unknown): Diagnostic[] {
  return [...nameRejections(obj), ...validateNetworkPolicy(obj)];
}

/**
 * No object of the cluster at all, whatever the rules say: a NetworkPolicy without a name (`nameMissing`: no name and no
 * generateName) or with a name or namespace that is no string (`metadataNotString`), as the reader reports it (`parse.ts`)
 * and as a Cilium policy's is refused (`parse-missing-name`, `parse-wrong-type`).
 */
function nameRejections(obj: unknown): Diagnostic[] {
  const meta = isObject(obj) ? obj.metadata : undefined;
  const field = metadataNotString(meta);
  if (field !== undefined) {
    const value = (meta as Record<string, unknown>)[field];
    return [{ id: 'parse-wrong-type', severity: Severity.ERROR, path: `metadata.${field}`,
      message: `metadata.${field} must be a string, got ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}` }];
  }
  if (!nameMissing(meta)) return [];
  return [{ id: 'parse-missing-name', severity: Severity.ERROR, message: `metadata.name is ${isObject(meta) && meta.name === '' ? 'empty' : 'missing'}` }];
}

/**
 * A `k8s-np-type` finding of a boolean (`Checker.boolean`) as written: `NO` at its place in the text is a YAML 1.1
 * boolean, said as the policy reader says it (`yaml11BooleanNote`), and quoted as written in the fix; other findings as they are.
 * @param written the plain scalar at the finding's place, as written
 */
export function booleanAsWritten<F extends { readonly id: string; readonly message: string; readonly fix?: string }>(finding: F,
  written: string | undefined): F {
  const bool = /^quote it: "(true|false)"$/.exec(finding.fix ?? '');
  if (finding.id !== 'k8s-np-type' || bool === null || written === undefined) return finding;
  const note = yaml11BooleanNote(bool[1] === 'true', written);
  if (note === undefined) return finding;
  return { ...finding, message: `${finding.message} (${note})`, fix: `quote it: "${written}"` };
}
