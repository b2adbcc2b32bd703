import { CiliumPolicyError, showValue } from '../core/errors';
import { callerLocation, RefusalLocation } from './caller-location';
import { FqdnSelectorModel, HeaderMatchModel, HttpRuleModel, KafkaRuleModel, L7RulesModel } from '../model/policy-model';
import { dnsAnyName } from '../model/companion-rules';
import { clonePlain } from '../model/clone-plain';
import { checkFqdnRegistrable, checkFqdnSyntax, checkFqdnWildcard } from './fqdn-wildcard';
import { checkListOf, checkPropsObject, readPropsOnce } from './names';
import { headerMatchNeverMatches, headerNeverMatches, httpRuleMatchesEveryRequest } from '../model/http-header';
import { envoyRegexSizeProblem } from '../model/envoy-regex';
import { methodOnlyInOtherCase } from '../model/http-method';
import { markValue } from './value-mark';
import { escapeRegex } from '../model/regex-escape';
import { checkEntriesUnique, DNS_NAME_ENTRIES } from './list-duplicates';
import { canonicalDnsName } from '../model/fqdn-pattern';

/** The fields of `HeaderMatch` (`checkPropKeys`). */
export const HEADER_MATCH_KEYS: readonly string[] = ['name', 'value', 'secretName', 'secretNamespace', 'mismatch'];

/** The options of `HttpRuleOptions` (`checkPropKeys`). */
export const HTTP_RULE_OPTION_KEYS: readonly string[] = ['method', 'path', 'host', 'headers', 'headerMatches'];

/** The options of `KafkaRuleOptions` (`checkPropKeys`). */
export const KAFKA_RULE_OPTION_KEYS: readonly string[] = ['role', 'apiKey', 'apiVersion', 'clientId', 'topic'];

/** What Envoy does when a `headerMatches` entry does not match. */
export enum HeaderMismatchAction {
  /** Log the mismatch and let the request through. */
  LOG = 'LOG',
  /** Add the header with the expected value. */
  ADD = 'ADD',
  /** Remove the header. */
  DELETE = 'DELETE',
  /** Replace the header's value with the expected one. */
  REPLACE = 'REPLACE',
}

/** One `headerMatches` entry of an HTTP rule. */
export interface HeaderMatch {
  /** Header name. */
  readonly name: string;
  /**
   * Expected value (exact match). A blank value, or `value: undefined` (an unset environment variable), is refused
   * (`l7-field-blank`): Cilium reads it as no value, so any value would match; leave it out for presence.
   * @default - the value comes from `secret`, or any value matches
   */
  readonly value?: string;
  /**
   * A Kubernetes Secret holding the expected value.
   * @default - no secret
   */
  readonly secretName?: string;
  /**
   * Namespace of `secretName`; refused without it (`l7-header-secret-without-name`): no Secret would be written, and the
   * header would match with any value.
   * @default - the policy namespace
   */
  readonly secretNamespace?: string;
  /**
   * What to do on a mismatch.
   * @default - the request is refused (403)
   */
  readonly mismatch?: HeaderMismatchAction;
}

/**
 * Options of `HttpRule.of()`. Every present field must match; method, path and host are full-match regexes. A field left
 * out matches any value; one given as `undefined` (`path: routes.helth`, a computed value) is refused (`l7-field-blank`),
 * as is a header match's `value` or `secretName` given so: it would be written as left out, any path, any value.
 */
export interface HttpRuleOptions {
  /**
   * Method regex, e.g. `GET` or `GET|HEAD`. Envoy matches `:method` case-sensitively: a regex that matches a standard
   * method only in another case (`get`, `GET|head`) is refused (`l7-http-method-case`); one that also matches custom
   * methods such as `purge` (`[a-z]+`) is not.
   * @default - any method
   */
  readonly method?: string;
  /**
   * Path regex matched against the whole path (query string included), e.g. `/api/v1/orders.*`. A method, path or host
   * regex whose RE2 program is certainly larger than Envoy accepts (100, `re2.max_program_size.error_level`: about 95
   * literal characters outside alternations) is refused (`l7-http-regex-too-large`): Cilium would accept it and
   * cilium-envoy refuse the policy update.
   * @default - any path
   */
  readonly path?: string;
  /**
   * Host (`:authority`) regex.
   * @default - any host
   */
  readonly host?: string;
  /**
   * Headers that must be present: `Name` (presence) or `Name: value` (exact value, one space after the colon). An entry
   * no request can satisfy (`X-Token:abc` without the space, a value with whitespace at either end) is refused
   * (`l7-header-never-matches`): Cilium would accept it and the rule would match nothing. An empty list is refused
   * (`l7-headers-empty`): it requires no header, so a list computed empty by mistake would let every request of the other
   * fields through; leave `headers` out for that.
   * @default - none
   */
  readonly headers?: string[];
  /**
   * Header matches with mismatch actions and secrets. A match with a `mismatch` action never refuses a request, so a rule
   * of such matches alone (nothing else restricting it) matches every request and is refused (`l7-rule-empty`). An
   * empty list is refused (`l7-headers-empty`), as an empty `headers` is.
   * @default - none
   */
  readonly headerMatches?: HeaderMatch[];
}

/** An L7 HTTP rule. A request is allowed when it matches any rule of the port; otherwise Envoy answers 403. */
export class HttpRule {
  /** Any combination of method, path, host and headers. */
  public static of(options: HttpRuleOptions): HttpRule {
    checkPropsObject(options, 'HttpRule.of()', "HttpRule.of({ method: 'GET', path: '/api/.*' })", undefined, true);
    // `pth: '/admin'` was dropped: the rule matched every path.
    const o = readPropsOnce(options, { keys: HTTP_RULE_OPTION_KEYS, owner: 'HttpRule.of()', noun: 'option', lists: { headerMatches: { keys: HEADER_MATCH_KEYS, owner: 'HeaderMatch' } } });
    // From JavaScript, `headers: 'X-Tenant'` was read character by character and `headerMatches: {…}` was a TypeError.
    checkListOf(o.headers, 'HttpRule.of() headers', 'a "Name: value" string');
    checkListOf(o.headerMatches, 'HttpRule.of() headerMatches', 'a HeaderMatch ({ name, value?, mismatch? })', 'name');
    refuseUndefinedFields(o, ['method', 'path', 'host', 'headers', 'headerMatches'], 'HttpRule.of()', (field) => `leave ${field} out of HttpRule.of()`);
    (o.headerMatches ?? []).forEach((h, i) => refuseUndefinedFields(h, ['value', 'secretName'], `HttpRule.of() headerMatches[${i}]`,
      () => 'leave value and secretName out (the header need only be present)'));
    // Cilium writes no header requirement for an empty list (pkg/envoy `getHTTPRule` ranges over what is listed): a list of
    // required headers computed empty by mistake let every request of the method, path and host through.
    for (const field of ['headers', 'headerMatches'] as const) {
      if (!Array.isArray(o[field]) || o[field].length > 0) continue;
      throw new CiliumPolicyError({
        id: 'l7-headers-empty',
        message: `HttpRule.of() ${field} is an empty list: it requires no header, so the rule would match every request of its other fields `
          + '(is a computed list empty by mistake?)',
        fix: `list the headers the requests must carry, or leave ${field} out if no header is required`,
        location: callerLocation(),
      });
    }
    checkL7Fields('HttpRule', { method: o.method, path: o.path, host: o.host }, 'HttpRule.any() for any request, or ".*"');
    if ([o.method, o.path, o.host].every((v) => v === undefined) && !o.headers?.length && !o.headerMatches?.length) {
      throw new CiliumPolicyError({
        id: 'l7-rule-empty',
        message: 'HttpRule.of({}) matches every request',
        fix: 'give a method, path, host or header; if every request is meant (visibility only), say so with HttpRule.any()',
        location: callerLocation(),
      });
    }
    // Cilium reads a header match without value and Secret as "present, any value" (pkg/envoy `getHTTPRule`), so a blank
    // value would be written as presence; a blank name or Secret name names nothing.
    (o.headerMatches ?? []).forEach((h, i) => checkL7Fields(`HttpRule headerMatches[${i}]`,
      { name: h?.name ?? '', value: h?.value, secretName: h?.secretName, secretNamespace: h?.secretNamespace },
      'leave it out (without value and secretName the header need only be present)'));
    // Without secretName no Secret is written: the namespace was dropped and the match read "present, any value".
    (o.headerMatches ?? []).forEach((h, i) => {
      if (h.secretNamespace === undefined || h.secretName !== undefined) return;
      throw new CiliumPolicyError({
        id: 'l7-header-secret-without-name',
        message: `HttpRule headerMatches[${i}] (${h.name}) has secretNamespace ${showValue(h.secretNamespace)} but no secretName: no Secret would be `
          + `written${h.value === undefined ? ', and the header would match with any value, only present' : `, and the value ${showValue(h.value)} used instead`}`,
        fix: 'give secretName (the Secret holding the expected value), or drop secretNamespace',
        location: callerLocation(),
      });
    });
    // A header match with a mismatch action never refuses a request (Cilium: "the rule is still considered as matching").
    // (A value that is no action is left to the CRD check, `crd-header-match-mismatch`.)
    const matches = (o.headerMatches ?? []).map((h) => ({ name: h.name, ...(h.mismatch !== undefined ? { mismatch: h.mismatch } : {}) }));
    const asWritten = { ...o, headerMatches: matches };
    if (httpRuleMatchesEveryRequest(asWritten)) {
      throw new CiliumPolicyError({
        id: 'l7-rule-empty',
        message: `HttpRule.of() with only header matches that have a mismatch action (${(o.headerMatches ?? []).map((h) => `${h.name}: ${h.mismatch}`).join(', ')}) `
          + 'matches every request: a mismatch is logged or the header fixed, and the request let through',
        fix: 'add a method, path, host or a header match without mismatch to restrict the requests; if every request is meant, say so: '
          + "HttpRule.of({ path: '.*', headerMatches })",
        location: callerLocation(),
      });
    }
    (o.headerMatches ?? []).forEach((h, i) => {
      const problem = headerMatchNeverMatches(h);
      if (problem === undefined) return;
      throw new CiliumPolicyError({
        id: 'l7-header-never-matches',
        message: `HttpRule headerMatches[${i}] name ${problem}, so Envoy would answer 403 to every request this rule is meant to let through`,
        fix: 'write the header name as requests carry it (letters, digits and - _ . ! # $ % & \' * + ^ ` | ~), without a colon or spaces',
        location: callerLocation(),
      });
    });
    for (const entry of o.headers ?? []) {
      const problem = typeof entry === 'string' ? headerNeverMatches(entry) : 'it is not a string';
      if (problem === undefined) continue;
      throw new CiliumPolicyError({
        id: 'l7-header-never-matches',
        message: `HttpRule header ${showValue(entry)} matches no request: ${problem}, so Envoy would answer 403 to every request this rule is meant to let through`,
        fix: "write 'Name' for a header that must be present, or 'Name: value' (one space after the colon) for an exact value",
        location: callerLocation(),
      });
    }
    // After each header on its own: `['X-A:b', 'X-A:b']` was refused as a header twice, not as a header that matches no request.
    checkEntriesUnique(o.headers, { what: 'HttpRule.of() headers', noun: 'header', verb: 'requires it' }, callerLocation);
    // A header match twice (its name, value, secret and mismatch action as given) was written twice, one match to Envoy.
    checkEntriesUnique(o.headerMatches, {
      what: 'HttpRule.of() headerMatches', noun: 'header match', verb: 'requires it',
      text: (h) => showValue({
        name: h.name, value: h.value, secretName: h.secretName, secretNamespace: h.secretNamespace, mismatch: h.mismatch,
      }, Infinity),
    }, callerLocation);
    const missed = typeof o.method === 'string' ? methodOnlyInOtherCase(o.method) : [];
    if (missed.length > 0) {
      throw new CiliumPolicyError({
        id: 'l7-http-method-case',
        message: `HttpRule method ${JSON.stringify(o.method)} matches ${missed.join(', ')} only in another case: Envoy matches :method `
          + `case-sensitively and clients send ${missed.join(', ')}, so Envoy would answer 403 to those requests`,
        fix: `write the method${missed.length === 1 ? '' : 's'} in upper case (${missed.join('|')})`,
        location: callerLocation(),
      });
    }
    for (const [field, value] of [['method', o.method], ['path', o.path], ['host', o.host]] as const) {
      if (value === undefined) continue;
      const size = envoyRegexSizeProblem(field, value);
      if (size === undefined || !size.certain) continue;
      throw new CiliumPolicyError({
        id: 'l7-http-regex-too-large',
        message: `HttpRule ${field} ${size.shown} is too large for Envoy: ${size.problem}; `
          + 'Cilium would accept the policy and cilium-envoy refuse the update that carries it, keeping the L7 policies it had',
        fix: size.fix,
        location: callerLocation(),
      });
    }
    const headerMatches = o.headerMatches?.map((h): HeaderMatchModel => ({
      name: h.name,
      ...(h.value !== undefined ? { value: h.value } : {}),
      ...(h.secretName !== undefined ? { secret: { name: h.secretName, ...(h.secretNamespace ? { namespace: h.secretNamespace } : {}) } } : {}),
      ...(h.mismatch !== undefined ? { mismatch: h.mismatch } : {}),
    }));
    return new HttpRule({
      ...(o.method !== undefined ? { method: o.method } : {}),
      ...(o.path !== undefined ? { path: o.path } : {}),
      ...(o.host !== undefined ? { host: o.host } : {}),
      ...(o.headers && o.headers.length ? { headers: [...o.headers] } : {}),
      ...(headerMatches && headerMatches.length ? { headerMatches } : {}),
    });
  }

  /** `GET` on a path regex. */
  public static get(path: string): HttpRule {
    requireL7Argument('HttpRule.get()', 'path', path, 'HttpRule.of({ method: \'GET\' }) for every path');
    return HttpRule.of({ method: 'GET', path });
  }

  /** `POST` on a path regex. */
  public static post(path: string): HttpRule {
    requireL7Argument('HttpRule.post()', 'path', path, 'HttpRule.of({ method: \'POST\' }) for every path');
    return HttpRule.of({ method: 'POST', path });
  }

  /** `PUT` on a path regex. */
  public static put(path: string): HttpRule {
    requireL7Argument('HttpRule.put()', 'path', path, 'HttpRule.of({ method: \'PUT\' }) for every path');
    return HttpRule.of({ method: 'PUT', path });
  }

  /** `DELETE` on a path regex. */
  public static delete(path: string): HttpRule {
    requireL7Argument('HttpRule.delete()', 'path', path, 'HttpRule.of({ method: \'DELETE\' }) for every path');
    return HttpRule.of({ method: 'DELETE', path });
  }

  /**
   * Any HTTP request: sends the traffic through Envoy for visibility without restricting it. Beside HTTP rules that restrict
   * the same peers on the same port (in this policy or another for the same pods) it lifts their restriction, since the proxy
   * ORs the rules: that is refused (`pitfall-l7-rules-widened`).
   */
  public static any(): HttpRule {
    return new HttpRule({});
  }

  private constructor(private readonly model: HttpRuleModel) {}

  /** @internal */
  public _toModel(): HttpRuleModel {
    return clonePlain(this.model) as HttpRuleModel;
  }
}

/** gRPC calls as HTTP/2 rules. */
export class Grpc {
  /**
   * One gRPC method: `POST /<package.Service>/<Method>`, e.g. `Grpc.method('inventory.InventoryService', 'CheckStock')`.
   * Dots in the service name are escaped, so the path regex matches only that service. A path of about 95 characters or
   * more is refused (`l7-http-regex-too-large`): Envoy cannot compile its regex.
   */
  public static method(service: string, method: string): HttpRule {
    for (const [what, value] of [['service', service], ['method', method]] as const) {
      if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(value) || (what === 'method' && value.includes('.'))) {
        throw new CiliumPolicyError({
          id: 'grpc-name-syntax',
          message: `${showValue(value)} is not a valid gRPC ${what} name`,
          fix: what === 'service' ? 'use the fully-qualified service name, e.g. inventory.InventoryService' : 'use the bare method name, e.g. CheckStock',
          location: callerLocation(),
        });
      }
    }
    return Grpc.rule(`Grpc.method(${JSON.stringify(service)}, ${JSON.stringify(method)})`, `/${escapeRegex(service)}/${method}`);
  }

  /** Every method of a gRPC service: `POST /<package.Service>/.*`. */
  public static service(service: string): HttpRule {
    if (typeof service !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(service)) {
      throw new CiliumPolicyError({
        id: 'grpc-name-syntax',
        message: `${showValue(service)} is not a valid gRPC service name`,
        fix: 'use the fully-qualified service name, e.g. inventory.InventoryService',
        location: callerLocation(),
      });
    }
    return Grpc.rule(`Grpc.service(${JSON.stringify(service)})`, `/${escapeRegex(service)}/.*`);
  }

  /**
   * The `POST <path>` rule of a gRPC call, refused when Envoy cannot compile its path regex: the escaped names cost about
   * one RE2 instruction per character, so a path of about 95 characters or more exceeds Envoy's limit.
   */
  private static rule(call: string, path: string): HttpRule {
    const size = envoyRegexSizeProblem('path', path);
    if (size?.certain) {
      throw new CiliumPolicyError({
        id: 'l7-http-regex-too-large',
        message: `${call} needs the path regex ${size.shown}, too large for Envoy: ${size.problem}; `
          + 'Cilium would accept the policy and cilium-envoy refuse the update that carries it, keeping the L7 policies it had',
        fix: 'a gRPC name this long cannot be matched by a Cilium HTTP rule on a stock cilium-envoy: allow the port without '
          + 'L7 rules for this peer, or, if you run cilium-envoy with your own bootstrap, raise re2.max_program_size.error_level '
          + 'in its layered runtime',
        location: callerLocation(),
      });
    }
    return HttpRule.of({ method: 'POST', path });
  }

  private constructor() {}
}

/** Kafka roles. */
export enum KafkaRole {
  /** Produce (and the metadata requests a producer needs). */
  PRODUCE = 'produce',
  /** Consume (and the metadata and group requests a consumer needs). */
  CONSUME = 'consume',
}

/**
 * Options of `KafkaRule.of()`. A field left out matches any value; one given as `undefined` (a computed value) is refused
 * (`l7-field-blank`): it would be written as left out, every topic or client.
 */
export interface KafkaRuleOptions {
  /**
   * A role; mutually exclusive with `apiKey`.
   * @default - any request type (or the one named by `apiKey`)
   */
  readonly role?: KafkaRole;
  /**
   * A Kafka API key name such as `produce`, `fetch`, `metadata`.
   * @default - any
   */
  readonly apiKey?: string;
  /**
   * The API version.
   * @default - any
   */
  readonly apiVersion?: string;
  /**
   * The client ID.
   * @default - any
   */
  readonly clientId?: string;
  /**
   * The topic.
   * @default - any
   */
  readonly topic?: string;
}

/** An L7 Kafka rule. Kafka rules are deprecated since Cilium 1.18 and removed after 1.19. */
export class KafkaRule {
  /** Produce to a topic. */
  public static produce(topic: string): KafkaRule {
    requireL7Argument('KafkaRule.produce()', 'topic', topic, 'KafkaRule.of({ role: KafkaRole.PRODUCE }) for every topic');
    return KafkaRule.of({ role: KafkaRole.PRODUCE, topic });
  }

  /** Consume from a topic. */
  public static consume(topic: string): KafkaRule {
    requireL7Argument('KafkaRule.consume()', 'topic', topic, 'KafkaRule.of({ role: KafkaRole.CONSUME }) for every topic');
    return KafkaRule.of({ role: KafkaRole.CONSUME, topic });
  }

  /** Any combination of role/apiKey, apiVersion, clientID and topic. */
  public static of(options: KafkaRuleOptions): KafkaRule {
    checkPropsObject(options, 'KafkaRule.of()', "KafkaRule.of({ role: KafkaRole.PRODUCE, topic: 'orders' })", undefined, true);
    const o = readPropsOnce(options, { keys: KAFKA_RULE_OPTION_KEYS, owner: 'KafkaRule.of()', noun: 'option' });
    refuseUndefinedFields(o, KAFKA_RULE_OPTION_KEYS, 'KafkaRule.of()', (field) => `leave ${field} out of KafkaRule.of()`);
    checkL7Fields('KafkaRule', { apiKey: o.apiKey, apiVersion: o.apiVersion, clientId: o.clientId, topic: o.topic }, 'leave the field out');
    if ([o.role, o.apiKey, o.apiVersion, o.clientId, o.topic].every((v) => v === undefined)) {
      throw new CiliumPolicyError({
        id: 'l7-rule-empty',
        message: 'KafkaRule.of({}) matches every Kafka request',
        fix: 'give a role or apiKey, a topic or a clientId',
        location: callerLocation(),
      });
    }
    if (o.role !== undefined && o.apiKey !== undefined) {
      throw new CiliumPolicyError({
        id: 'kafka-role-and-apikey',
        message: `a Kafka rule takes a role (${o.role}) or an apiKey (${o.apiKey}), not both`,
        fix: 'drop one of them, or write two rules',
        location: callerLocation(),
      });
    }
    return new KafkaRule({
      ...(o.role !== undefined ? { role: o.role } : {}),
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      ...(o.apiVersion !== undefined ? { apiVersion: o.apiVersion } : {}),
      ...(o.clientId !== undefined ? { clientID: o.clientId } : {}),
      ...(o.topic !== undefined ? { topic: o.topic } : {}),
    });
  }

  private constructor(private readonly model: KafkaRuleModel) {}

  /** @internal */
  public _toModel(): KafkaRuleModel {
    return { ...this.model };
  }
}

/** An L7 DNS rule: which names a pod may look up through Cilium's DNS proxy (egress to a DNS server only). */
export class DnsRule {
  /**
   * One exact name (`matchName`). (In 0.x this was `DnsRule.name()`, which clashes with the constructor's own `name`
   * in JavaScript and cannot be bound in other languages.) An address's text (`203.0.113.7`) is a name like any other here:
   * the DNS proxy compares the query name as text, so it lets exactly that lookup through (`Peer.fqdn` refuses it:
   * `fqdn-ip-address`).
   */
  public static exact(name: string): DnsRule {
    // Checked at the call, as `Peer.fqdn` is (`fqdn-syntax`): `''`, `*`, a URL or `undefined` was written, and found at
    // synthesis if at all (`DnsRule.exact(undefined)` was a DNS rule of no name).
    const model = { matchName: name };
    checkDnsRuleModel(model, 'DnsRule.exact', callerLocation);
    return new DnsRule(model);
  }

  /**
   * A pattern: `*` matches within one label, a leading `**.` any number of labels (Cilium 1.19+). `**`, `*.` and `**.`
   * are refused (`fqdn-pattern-version-dependent`): write `*` (or `DnsRule.all()`) for every name. A `*` in the registrable
   * part of the name (`*.com`, `**.com`, `*.*.com`, `*.co.uk`, `example.*`) is refused as for `Peer.fqdnPattern`
   * (`fqdn-pattern-registrable`): the pods could look up names under a domain anyone may register, whose DNS server reads
   * each lookup. A pattern of an address range (`10.0.0.*`) lets exactly the lookups of names it matches through, as any
   * pattern (`Peer.fqdnPattern` refuses it: `fqdn-ip-address`).
   */
  public static pattern(pattern: string): DnsRule {
    const model = { matchPattern: pattern };
    checkDnsRuleModel(model, 'DnsRule.pattern', callerLocation);
    return new DnsRule(model);
  }

  /** Every name (`matchPattern: "*"`): lets the proxy see all lookups without restricting them. */
  public static all(): DnsRule {
    return new DnsRule(dnsAnyName());
  }

  private constructor(private readonly model: FqdnSelectorModel) {
    markValue(this, 'DnsRule');
  }

  /** @internal */
  public _toModel(): FqdnSelectorModel {
    return { ...this.model };
  }
}

/**
 * The checks of a DNS rule's name or pattern, the one set for the factories (`DnsRule.exact`, `DnsRule.pattern`) and for
 * every model a rule answers (`dnsRuleModels`: a DnsRule-shaped value forged in JavaScript, `{ _toModel: () => ({ matchPattern:
 * '**.com' }) }`, went past the factory's checks and was written): `matchName` by its syntax (`fqdn-syntax`); `matchPattern`
 * by its wildcards (`fqdn-pattern-version-dependent`), its syntax and a `*` in its registrable part (`fqdn-pattern-registrable`,
 * as a lookup). A field is checked when the model has it, whatever its value (`DnsRule.exact(undefined)` is refused).
 * @param model the rule's model
 * @param factory what got it, e.g. `DnsRule.pattern` or `dnsRules[0]`
 * @param at where it was called from (or `callerLocation`, read only for a refusal)
 */
function checkDnsRuleModel(model: object, factory: string, at: RefusalLocation): void {
  if ('matchName' in model) checkFqdnSyntax([{ text: (model as FqdnSelectorModel).matchName as string, at: '', field: 'matchName' }], factory, at);
  if ('matchPattern' in model) {
    const pattern = (model as FqdnSelectorModel).matchPattern as string;
    checkFqdnWildcard(pattern, factory, at);
    checkFqdnSyntax([{ text: pattern, at: '', field: 'matchPattern' }], factory, at);
    checkFqdnRegistrable(pattern, factory, at, 'lookup');
  }
}

/** Whether a DNS rule answered one: an object with a `matchName` or a `matchPattern`, each a string where given. */
function isDnsRuleModel(model: unknown): model is FqdnSelectorModel {
  if (model === null || typeof model !== 'object' || Array.isArray(model)) return false;
  const { matchName, matchPattern } = model as Record<string, unknown>;
  return (matchName !== undefined || matchPattern !== undefined)
    && (matchName === undefined || typeof matchName === 'string') && (matchPattern === undefined || typeof matchPattern === 'string');
}

/**
 * A DNS rule as the DNS proxy matches it, for comparing the rules of one list (`dnsRuleModels`): its name or pattern trimmed, in
 * lower case, with a trailing dot (`canonicalDnsName`), and a pattern without `*` as the name it spells (pkg/fqdn/matchpattern
 * `ToAnchoredRegexp` quotes it as `FQDNSelector.ToRegex` quotes a `matchName`): `DnsRule.pattern('a.example.com')` beside
 * `DnsRule.exact('a.example.com')` is one rule.
 * @internal
 */
export function dnsRuleEntryKey(m: FqdnSelectorModel): string {
  const asName = m.matchName === undefined && m.matchPattern !== undefined && !m.matchPattern.includes('*');
  const [name, pattern] = asName ? [m.matchPattern, undefined] : [m.matchName, m.matchPattern];
  return JSON.stringify([name, pattern].map((n) => (n === undefined ? null : canonicalDnsName(n))));
}

/**
 * The model of a DNS rule (its `_toModel()`) when it answers one, or `undefined`: for readers that judge the rules before
 * they are checked (the DNS companion's description), which count such an entry for nothing and leave it to `dnsRuleModels`.
 * @param rule an entry of a `dnsRules` list (anything)
 * @internal
 */
export function dnsRuleModelOrNone(rule: unknown): FqdnSelectorModel | undefined {
  const read: unknown = rule !== null && typeof rule === 'object' ? (rule as { _toModel?: unknown })._toModel : undefined;
  const model: unknown = typeof read === 'function' ? (read as () => unknown).call(rule) : undefined;
  return isDnsRuleModel(model) ? model : undefined;
}

/**
 * The models of DNS rules, each read once from its `_toModel()` and checked (`isDnsRuleModel`): an entry that answers no DNS
 * rule (a value with the DnsRule mark forged in JavaScript whose `_toModel()` answers `null`) is refused
 * (`list-entry-invalid`), naming the list, the entry and the value. It was written as `dns: [null]`, and the DNS companion's
 * description failed on it with a TypeError. The entries are known to have a `_toModel` (`checkListOf`).
 * @param rules the rules given
 * @param what the list, for the message (`dnsRules`, `L7.dns() rules`)
 * @param location a construct path; default: the caller's file:line
 * @internal
 */
export function dnsRuleModels(rules: readonly DnsRule[], what: string, location?: string): FqdnSelectorModel[] {
  const models = rules.map((rule, i) => {
    const model: unknown = rule._toModel();
    if (isDnsRuleModel(model)) {
      checkDnsRuleModel(model, `${what}[${i}]`, location ?? callerLocation);
      return model;
    }
    throw new CiliumPolicyError({
      id: 'list-entry-invalid',
      message: `${what}[${i}] is a DnsRule whose _toModel() answered ${showValue(model, 200)}, `
        + 'not a DNS rule ({ matchName } or { matchPattern })',
      fix: 'pass DnsRule.exact(name), DnsRule.pattern(pattern) or DnsRule.all()',
      location: location ?? callerLocation(),
    });
  });
  // A rule twice (or twice as Cilium matches it: `DnsRule.exact('API.example.com')` beside `DnsRule.exact('api.example.com.')`)
  // was written twice, one rule to the proxy: the copy most likely a slip for a name never allowed.
  checkEntriesUnique(models, {
    what, noun: 'DNS rule', verb: 'allows it', sameBecause: `${DNS_NAME_ENTRIES.sameBecause}; a pattern without * matches the one name it spells`,
    key: dnsRuleEntryKey,
    show: (m) => [m.matchName !== undefined ? `matchName ${showValue(m.matchName)}` : '', m.matchPattern !== undefined ? `matchPattern ${showValue(m.matchPattern)}` : '']
      .filter(Boolean).join(', '),
  }, location ?? callerLocation);
  return models;
}

/** The L7 rules of a rule item: HTTP, Kafka or DNS (one kind per port). */
export class L7 {
  /** HTTP rules; the ports must be TCP. */
  public static http(...rules: HttpRule[]): L7 {
    requireRules('http', rules.length, 'HttpRule.any()');
    checkListOf(rules, 'L7.http() rules', 'an HttpRule', '_toModel');
    const models = rules.map((r) => r._toModel());
    checkEntriesUnique(models, { what: 'L7.http() rules', noun: 'HTTP rule', verb: 'allows it' }, callerLocation);
    return new L7({ http: models });
  }

  /** Kafka rules (deprecated in Cilium 1.18); the ports must be TCP. */
  public static kafka(...rules: KafkaRule[]): L7 {
    requireRules('kafka', rules.length, "no form: KafkaRule.of({}) is refused as well (l7-rule-empty); list the requests, e.g. KafkaRule.produce('orders'), or leave the l7 option out for no Kafka restriction");
    checkListOf(rules, 'L7.kafka() rules', 'a KafkaRule', '_toModel');
    const models = rules.map((r) => r._toModel());
    checkEntriesUnique(models, { what: 'L7.kafka() rules', noun: 'Kafka rule', verb: 'allows it' }, callerLocation);
    return new L7({ kafka: models });
  }

  /** DNS rules, egress to a DNS server only. */
  public static dns(...rules: DnsRule[]): L7 {
    return L7._dnsOf(rules, 'L7.dns() rules');
  }

  /**
   * `L7.dns()` of a list the SDK holds (a construct's `dnsRules`, `FqdnEgress` `fqdns`), checked as `L7.dns()` checks its
   * rules: the list is not spread into arguments (`L7.dns(...rules)`), which overflowed the call stack past about 100,000
   * rules (`RangeError: Maximum call stack size exceeded`, no refusal, no file or line).
   * @param rules the DNS rules
   * @param what the list, as messages name it (`dnsRules`)
   * @param location the construct path; the caller's file:line when none
   * @internal
   */
  public static _dnsOf(rules: readonly DnsRule[], what: string, location?: string): L7 {
    requireRules('dns', rules.length, 'DnsRule.all()');
    checkListOf(rules, what, 'a DnsRule', '_toModel', location);
    return new L7({ dns: dnsRuleModels(rules, what, location) });
  }

  /**
   * A proxylib parser (`l7proto`) with generic key/value rules (deprecated, removed after Cilium 1.19). The parser lets
   * through every request when it has no rule, or a rule without keys, so both are refused: list the requests to allow.
   * A blank value (`{ cmd: '' }`) constrains nothing in the parsers, so it is refused too (`l7-field-blank`).
   * @param protocol the parser, e.g. `r2d2`
   * @param rules the requests allowed, each a map of the parser's fields (at least one rule, each with at least one field)
   */
  public static generic(protocol: string, rules: Record<string, string>[] = []): L7 {
    checkL7Fields('L7.generic()', { protocol }, 'name the proxylib parser');
    checkListOf(rules, `L7.generic('${protocol}') rules`, 'a map of the parser\'s fields');
    requireRules('generic', rules.length, 'no form: list the requests (each a map of the parser\'s fields)');
    // Each rule read once; a field given as undefined is dropped when written: `{ cmd: undefined }` was `l7: [{}]`, every request.
    const read = rules.map((r) => (r !== null && typeof r === 'object' ? { ...r } : r));
    read.forEach((r, i) => refuseUndefinedFields(r ?? {}, Object.keys(r ?? {}), `L7.generic('${protocol}') rule ${i}:`,
      (field) => `leave ${field} out of the rule (a rule needs at least one field)`));
    if (read.some((r) => r === null || typeof r !== 'object' || Object.keys(r).length === 0)) {
      throw new CiliumPolicyError({
        id: 'l7-rule-empty',
        message: `L7.generic('${protocol}') has a rule without fields, which matches every request`,
        fix: 'give each rule the fields of the requests it allows, e.g. { cmd: \'READ\' }',
        location: callerLocation(),
      });
    }
    // The proxylib parsers read a blank value as no constraint (r2d2 `cmd: ""` is any command, `file: ""` any file).
    read.forEach((r, i) => checkL7Fields(`L7.generic('${protocol}') rule ${i}:`, r, 'leave the field out'));
    return new L7({ l7proto: protocol, l7: read.map((r) => ({ ...r })) });
  }

  private constructor(private readonly model: L7RulesModel) {}

  /** The kind of rules: `http`, `kafka`, `dns` or `l7proto`. */
  public get kind(): string {
    return Object.keys(this.model).find((k) => k !== 'l7') ?? 'http';
  }

  /** @internal */
  public _toModel(): L7RulesModel {
    return clonePlain(this.model) as L7RulesModel;
  }
}

function requireRules(kind: string, count: number, allowAll: string): void {
  if (count === 0) {
    throw new CiliumPolicyError({
      id: 'l7-no-rules',
      message: `L7.${kind}() without rules: Cilium reads an empty list as no L7 rule at all, so nothing would be restricted`,
      fix: allowAll.startsWith('no form') ? `pass at least one rule (${allowAll})` : `pass at least one rule; to allow every request through the proxy use ${allowAll}`,
      location: callerLocation(),
    });
  }
}

/**
 * Refuses a shortcut's required argument left out (`HttpRule.get(routes.helth)` from JavaScript, a computed value): it
 * would be passed on as the field left out, which `HttpRule.of()`/`KafkaRule.of()` read as any value (every path, every
 * topic). A blank one is refused by `checkL7Fields` as in `of()`.
 * @param call the shortcut, e.g. `HttpRule.get()`
 * @param name the argument, e.g. `path`
 * @param value the value given
 * @param every how to say "any value" outright
 */
function requireL7Argument(call: string, name: string, value: unknown, every: string): void {
  if (value !== undefined) return;
  throw undefinedL7Field(call, name, `for any ${name} say so: ${every}`);
}

/**
 * Refuses the fields of L7 options (or of one of their entries) given as `undefined`, which JavaScript reads as left out:
 * each is a field whose absence Cilium reads as any value (pkg/policy/api `PortRuleHTTP` `Path`: "If omitted or empty, all
 * paths are all allowed"; `HeaderMatch`: "If none of the optional fields is present, then the header value is not matched,
 * only presence of the header is enough"; `kafka.PortRule` `Topic`), so a value computed `undefined` by mistake
 * (`path: routes.helth`, `value: process.env.TOKEN` unset) let every path, every token, every topic through. Present and
 * `undefined` is refused; left out, the field means any value, as documented.
 * @param given the options, or an entry of them, as read once (`readPropsOnce`)
 * @param fields the fields whose absence means any value
 * @param what the call or entry, e.g. `HttpRule.of()`, `HttpRule.of() headerMatches[0]`
 * @param leaveOut how to say "any value" outright for a field
 */
function refuseUndefinedFields(given: object, fields: readonly string[], what: string, leaveOut: (field: string) => string): void {
  for (const field of fields) {
    if (!Object.prototype.hasOwnProperty.call(given, field) || (given as Record<string, unknown>)[field] !== undefined) continue;
    throw undefinedL7Field(what, field, `for any ${field} say so: ${leaveOut(field)}`);
  }
}

function undefinedL7Field(what: string, name: string, every: string): CiliumPolicyError {
  return new CiliumPolicyError({
    id: 'l7-field-blank',
    message: `${what} ${name} is undefined: the rule would be written without a ${name}, which matches any ${name}`,
    fix: `give the ${name} meant (is a computed value undefined?); ${every}`,
    location: callerLocation(),
  });
}

/** Refuses blank strings in L7 rule fields: an empty `path`, `method` or `topic` is written as no constraint at all. */
function checkL7Fields(what: string, fields: Record<string, string | undefined>, fix: string): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new CiliumPolicyError({
        id: 'l7-field-blank',
        message: `${what} ${name} ${showValue(value)} is blank, and a blank field matches anything`,
        fix: `give the ${name} meant; for any value ${fix}`,
        location: callerLocation(),
      });
    }
  }
}
