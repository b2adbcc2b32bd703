// Verdict matchers for vitest and jest: `expect.extend(engineMatchers)`, then
//
//   expect(app).toAllow('pod:shop:app=web', 'pod:shop:app=api', '8080/TCP');
//   expect(chart).toDeny('pod:shop:app=web', 'cidr:203.0.113.9', 443);
//   expect(chart).toDeny('pod:shop:app=web', 'pod:shop:app=api', '8080/TCP', { http: 'DELETE /orders' });
//
// The received value is a cdk8s App, a Chart (or any construct holding charts or API objects), a `PolicySet`, or YAML text.
// Nothing here imports a test framework: `cdk8s-cilium/vitest` and `cdk8s-cilium/jest` (src/vitest.mts, src/jest.ts) register
// these matchers with the CRD-schema ones and declare their types.
import { IConstruct } from 'constructs';
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError } from '../core/errors';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { IPortSpec } from '../model/port-spec';
import { Endpoint, formatEndpoint } from './endpoint';
import { noClusterEndError } from './identity';
import { formatVerdict } from './explain';
import { HttpRequest, KafkaRequest } from './l7';
import { noPolicyError, policyInputError } from './policy-input-error';
import { PolicySet, PolicySetOptions, YamlPolicySetOptions } from './policy-set';
import { POLICY_SET_OPTIONS, YAML_POLICY_SET_OPTION_DEFAULTS } from './agent-settings-table';
import { parseHttpRequest, parseKafkaRequest, toConnection } from './query';
import { unjudgedConnectionError } from './unjudged-connection';
import { Verdict, VerdictQuery } from './verdict';

/** An endpoint: its text form (`pod:default:app=web`, `entity:world`, …) or an `Endpoint` (a TypeScript type alias for the matchers). */
export type EndpointLike = string | Endpoint;

/**
 * A connection: `'8080/TCP'`, `'53/UDP'`, `'icmp/8'`, a number (TCP), or a `Port`/`Icmp` naming one port (a TypeScript type
 * alias for the matchers).
 */
export type ConnectionLike = string | number | IPortSpec;

/**
 * Options of `toAllow` / `toDeny`: the L7 request and the engine options (with `file`, the name YAML text is shown by;
 * ignored for an App, Chart or PolicySet). A `PolicySet` is judged by the options it was built with: an engine option given
 * with one must equal its setting (`option-value` otherwise: build the set with it); `cidrGroups` and `inventory` are refused
 * with one, and `maxFileBytes` and `maxYamlValues`, which say how YAML is read, are ignored.
 */
export interface EngineMatcherOptions extends YamlPolicySetOptions {
  /**
   * An HTTP request on the connection: `'GET /path'` or an `HttpRequest`.
   * @default - none (L7 rules are not evaluated)
   */
  readonly http?: string | HttpRequest;
  /**
   * A DNS query name.
   * @default - none
   */
  readonly dns?: string;
  /**
   * A Kafka request: `'produce topic'` or a `KafkaRequest`.
   * @default - none
   */
  readonly kafka?: string | KafkaRequest;
}

/**
 * The options of `EngineMatcherOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const ENGINE_MATCHER_OPTION_DEFAULTS: OptionDefaults = {
  ...YAML_POLICY_SET_OPTION_DEFAULTS,
  http: 'none: HTTP rules are not evaluated',
  dns: 'none: DNS rules are not evaluated',
  kafka: 'none: Kafka rules are not evaluated',
};

/** What an option of a matcher left at its default in place of the one meant does (`option-unknown`). */
export const MATCHER_RISK = 'so the assertion would be judged for other settings than asked, and a test that should fail could pass';

/**
 * The result of a matcher, as vitest and jest expect it: `pass` (whether the assertion holds, before `.not`) and
 * `message` (shown when it fails). A TypeScript type alias, like the other matcher types: the matchers exist for
 * TypeScript test frameworks only.
 */
export type EngineMatcherResult = {
  /** Whether the assertion holds (before `.not`). */
  readonly pass: boolean;
  /** The message shown when it fails. */
  readonly message: () => string;
};

/** The matchers, as passed to `expect.extend`. */
export type EngineMatchers = {
  /** Passes when the connection is allowed end to end (L7 included). */
  toAllow(received: unknown, from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): EngineMatcherResult;
  /** Passes when the connection is dropped or refused at L7. */
  toDeny(received: unknown, from: EndpointLike, to: EndpointLike, port: ConnectionLike, options?: EngineMatcherOptions): EngineMatcherResult;
};

/**
 * Verdict matchers for vitest and jest: `expect.extend(engineMatchers)`. A connection `trace` refuses as no claim about
 * Cilium (an end whose policy the agent refuses, a node given without its labels where a rule reads them) throws a
 * `CiliumPolicyError` under `toAllow`, `toDeny` and `.not` alike.
 */
export const engineMatchers: EngineMatchers = {
  toAllow(received, from, to, port, options) {
    const verdict = judge(received, from, to, port, options, 'toAllow()');
    return {
      pass: verdict.verdict === 'allowed',
      message: () => (verdict.verdict === 'allowed'
        ? `expected the connection to be denied, but it is allowed:\n${formatVerdict(verdict)}`
        : `expected the connection to be allowed, but it is ${verdict.verdict}:\n${formatVerdict(verdict)}`),
    };
  },
  toDeny(received, from, to, port, options) {
    const verdict = judge(received, from, to, port, options, 'toDeny()');
    return {
      pass: verdict.verdict !== 'allowed',
      message: () => (verdict.verdict !== 'allowed'
        ? `expected the connection to be allowed, but it is ${verdict.verdict}:\n${formatVerdict(verdict)}`
        : `expected the connection to be denied, but it is allowed:\n${formatVerdict(verdict)}`),
    };
  },
};

/**
 * @internal The verdict the matchers judge by, for any test framework (`Verdicts.verdictFor`).
 * @param received an App, a Chart or other construct, a `PolicySet`, or YAML text
 */
export function verdictFor(received: unknown, from: EndpointLike, to: EndpointLike, port: ConnectionLike,
  options: EngineMatcherOptions = {}): Verdict {
  return judge(received, from, to, port, options, 'Verdicts.verdictFor()');
}

/**
 * The verdict of a matcher call.
 * @param call the matcher, for the messages: `toAllow()`, `toDeny()`, `Verdicts.verdictFor()`
 * @throws CiliumPolicyError for an option `EngineMatcherOptions` does not declare (`option-unknown`), before anything is judged;
 * for a connection no verdict on which is what Cilium enforces (`unjudgedConnectionError`, trace's exit 2: an end the agent
 * refuses or a node without its labels, a request allowed onto L7 rules not judged by, `engine-l7-not-evaluated`, or a DNS lookup
 * the 1.16/1.17 patch decides, `engine-dns-patch-split`, or a connection the 1.19 patch decides, `engine-ip-block-patch-split`): the matchers
 * neither pass nor fail on it
 */
function judge(received: unknown, from: EndpointLike, to: EndpointLike, port: ConnectionLike, options: EngineMatcherOptions = {},
  call: string): Verdict {
  checkOptionKeys(options, ENGINE_MATCHER_OPTION_DEFAULTS, { call, risk: MATCHER_RISK });
  checkRequestTypes(options, call);
  // The request is the matcher's, not the set's; anything but an object goes as it is (PolicySet.fromYaml refuses it).
  const setOptions = options !== null && typeof options === 'object' ? engineOptionsOf(options) : options;
  const set = policySetOf(received, setOptions, undefined, call);
  // Inputs that do not all read (YAML that does not parse, a document without kind, …): a verdict over the rest is
  // partial, and `toAllow` on YAML that parses to nothing passed (no policy, everything allowed). trace exits 2 on them.
  // Inputs of no policy at all (a wrong-case kind, only a Deployment, an App without a Cilium policy): every connection is
  // allowed, so `toDeny` could never pass and `toAllow` never fail — as trace exits 2 on them (`cli-no-policies`). A
  // `PolicySet` built in code is the engine's own input and judged as it is (no policy: `reserved:init` is still denied).
  const bad = policyInputError(set, true, `${call} `) ?? (received instanceof PolicySet ? undefined
    : noPolicyError(set, `${call} ${typeof received === 'string' ? 'YAML text' : 'construct'}: `,
      typeof received === 'string' ? 'give the YAML of the synthesized policies (a CiliumNetworkPolicy, kind and apiVersion spelled as Cilium does)'
        : 'give the App or Chart that holds the policies'));
  if (bad) throw bad;
  const endpoint = (e: EndpointLike): Endpoint => (typeof e === 'string' ? set.endpoint(e) : e);
  const client = endpoint(from);
  const server = endpoint(to);
  // A hand-built endpoint is checked first (`{ kind: 'cidr', ipp: '1.2.3.4' }` is `option-unknown`, not two outside ends).
  set._checkEndpoint(client);
  set._checkEndpoint(server);
  // `toAllow('cidr:10.0.0.5', 'cidr:10.0.0.6', 5432)` passed whatever the policies said: neither end is judged.
  const outside = noClusterEndError(client, server, formatEndpoint(client), formatEndpoint(server), call);
  if (outside) throw outside;
  const conn = toConnection(port);
  const http = typeof options.http === 'string' ? parseHttpRequest(options.http) : options.http;
  const kafka = typeof options.kafka === 'string' ? parseKafkaRequest(options.kafka) : options.kafka;
  // A verdict on an end whose policy the agent refuses, or on a node without its labels where a rule reads them and they
  // change this connection's verdict, is no claim about Cilium (trace exits 2 on it): a test on it would assert nothing.
  const lead = `${call} ${formatEndpoint(client)} → ${formatEndpoint(server)}: `;
  const query: VerdictQuery = {
    from: client,
    to: server,
    ...conn,
    ...(http ? { http } : {}),
    ...(options.dns !== undefined ? { dns: options.dns } : {}),
    ...(kafka ? { kafka } : {}),
  };
  const verdict = set._verdict(query);
  // A request allowed onto L7 rules the engine did not judge it by (`l7proto`, another protocol's) is no claim either.
  const unjudged = unjudgedConnectionError(set, query, { from: 'the client', to: 'the server' }, lead, { verdict });
  if (unjudged) throw unjudged;
  return verdict;
}

/**
 * The request options' types, as `EngineMatcherOptions` declares them: `{ http: 5 }`, `{ http: {} }` or `{ kafka: 5 }` from
 * plain JavaScript crashed with a TypeError. Anything but an object goes as it is (the policy set's options refuse it).
 * @throws CiliumPolicyError (`option-value`) naming the call, the option, what it is and what to give
 */
function checkRequestTypes(options: EngineMatcherOptions, call: string): void {
  if (options === null || typeof options !== 'object') return;
  const bad = (option: string, what: string, example: string): CiliumPolicyError => new CiliumPolicyError({
    id: 'option-value',
    message: `${call}: the option ${option} is ${JSON.stringify((options as Record<string, unknown>)[option]) ?? typeof (options as Record<string, unknown>)[option]}, not ${what}`,
    fix: `give ${option} as ${example}, or leave it out`,
  });
  const fields = (v: unknown, names: readonly string[]): boolean => v !== null && typeof v === 'object' && names.every((n) => typeof (v as Record<string, unknown>)[n] === 'string');
  const { http, dns, kafka } = options as Record<string, unknown>;
  if (http !== undefined && typeof http !== 'string' && !fields(http, ['method', 'path'])) {
    throw bad('http', 'a request', "'GET /path' or an HttpRequest { method: 'GET', path: '/path' }");
  }
  if (dns !== undefined && typeof dns !== 'string') throw bad('dns', 'a DNS name', "'api.example.com'");
  if (kafka !== undefined && typeof kafka !== 'string' && !fields(kafka, ['apiKey'])) {
    throw bad('kafka', 'a request', "'produce orders' or a KafkaRequest { apiKey: 'produce', topic: 'orders' }");
  }
}

/** The engine options of a matcher's options: all but the request. */
function engineOptionsOf(options: EngineMatcherOptions): YamlPolicySetOptions {
  const { http: _http, dns: _dns, kafka: _kafka, ...engine } = options;
  return engine;
}

/**
 * @internal The policy set of what a matcher received: a `PolicySet`, YAML text, or a construct (App, Chart).
 * @param call the call, as a refused option of a `PolicySet` names it (`checkBuiltSetOptions`)
 * @throws CiliumPolicyError for anything else, and for engine options that differ from those a `PolicySet` was built with
 */
export function policySetOf(received: unknown, options: YamlPolicySetOptions, matcher = 'toAllow/toDeny', call = matcher): PolicySet {
  if (received instanceof PolicySet) {
    checkBuiltSetOptions(received, options, call);
    return received;
  }
  if (typeof received === 'string') return PolicySet.fromYaml(received, options);
  if (isConstruct(received)) return PolicySet.fromConstruct(received, withoutFile(options));
  throw new CiliumPolicyError({
    id: 'engine-matcher-input',
    message: `${matcher} received ${received === null ? 'null' : typeof received}, not a cdk8s App, Chart, PolicySet or YAML text`,
    fix: `expect(app).${matcher.split('/')[0]}(…) with the App or Chart that holds the policies`,
  });
}

/** The judged value of an option that adds to what a set holds: no value given equals it. */
const ADDED = Symbol('added to the inputs');

/**
 * A matcher's engine options given with a built `PolicySet`: the set judges by the options it was built with, so an option
 * that says otherwise (`{ nonDefaultDenyPolicies: false }` on a set built with the flag on) would be left unused and the
 * assertion judged for other settings than asked (it answered allowed where the same YAML text answered denied).
 * @throws CiliumPolicyError (`option-value`) naming the matcher, the option, both values and the fix
 */
function checkBuiltSetOptions(set: PolicySet, options: YamlPolicySetOptions, matcher: string): void {
  if (options === null || typeof options !== 'object') return;
  for (const [option, value] of Object.entries(options)) {
    // What a built set judges by (`POLICY_SET_OPTIONS`): an agent setting's value given must equal the one it was built
    // with; an input (`cidrGroups`, `inventory`) adds to what it was built with, never equal; how YAML is read (`file`,
    // `maxFileBytes`, `maxYamlValues`) is past.
    const row = Object.prototype.hasOwnProperty.call(POLICY_SET_OPTIONS, option)
      ? POLICY_SET_OPTIONS[option as keyof typeof POLICY_SET_OPTIONS] : undefined;
    if (value === undefined || row === undefined || row.kind === 'reading') continue;
    const judged = row.kind === 'input' ? ADDED : row.judged(set);
    const given = row.kind === 'input' ? undefined : row.given ? row.given(set, value, matcher) : value;
    if (judged === given) continue;
    const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));
    const written = value instanceof CiliumVersion ? value._sourceText : typeof value === 'string' ? `'${value}'`
      : typeof value === 'boolean' || typeof value === 'number' ? String(value) : '…';
    throw new CiliumPolicyError({
      id: 'option-value',
      message: `${matcher}: the option ${option} is `
        + (judged === ADDED ? 'given, but the PolicySet received is built, and judges by the inputs it was built with'
          : `${shown(given)}, but the PolicySet received was built with ${shown(judged)}, and a built PolicySet judges by the options it was built with`)
        + ': the assertion would hold for other settings than asked',
      fix: `build the PolicySet with it (PolicySet.fromYaml(text, { ${option}: ${written} }), or fromFiles, fromConstruct), or leave ${option} out of `
        + "the matcher's options",
    });
  }
}

/** Whether a value is a construct: `{ node: 1 }` is not (it crashed with a TypeError in `PolicySet.fromConstruct`). */
function isConstruct(v: unknown): v is IConstruct {
  if (v === null || typeof v !== 'object' || !('node' in v)) return false;
  const node = (v as { node: unknown }).node;
  return node !== null && typeof node === 'object' && typeof (node as { findAll?: unknown }).findAll === 'function';
}

/** The options without `file`, which names YAML text only (anything but an object goes as it is: the factory refuses it). */
function withoutFile(options: YamlPolicySetOptions): PolicySetOptions {
  if (options === null || typeof options !== 'object' || !('file' in options)) return options;
  const { file: _file, ...rest } = options;
  return rest;
}
