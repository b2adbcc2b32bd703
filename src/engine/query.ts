/**
 * Text forms of the parts of a query, shared by the CLI and the test matchers: connections (`8080/TCP`, `53/UDP`,
 * `8080`, `icmp/8`, `icmpv6/128`, `icmp/EchoRequest`) and HTTP requests (`GET /path`).
 */
import { CiliumPolicyError } from '../core/errors';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { describeValue } from '../model/plain-value';
import { isHeaderName } from '../model/http-header';
import { IPortSpec, portMatchOf, singlePortOf } from '../model/port-spec';
import { HttpRequest, KafkaRequest, headerRecord } from './l7';
import { icmpTypeNumber } from './ports';

/** The layer-4 part of a query. */
export interface ConnectionSpec {
  /** `TCP`, `UDP`, `SCTP` or `ICMP`. */
  readonly protocol: string;
  /** Port (not ICMP). @default - every port of the protocol */
  readonly port?: number;
  /** ICMP type number. @default - not ICMP */
  readonly icmpType?: number;
  /** ICMP family (`IPv4`, `IPv6`). @default - not ICMP */
  readonly icmpFamily?: string;
}

/**
 * @internal Parses a connection (`Queries.parseConnection`): `<port>/<protocol>` (`8080/TCP`, `53/udp`), a bare port (TCP), `icmp/<type>` or
 * `icmpv6/<type>` (a number or a Cilium name such as `EchoRequest`; `icmp` alone is echo request).
 * @throws CiliumPolicyError (`engine-port-syntax`)
 */
export function parseConnection(text: string): ConnectionSpec {
  const input = String(text).trim();
  const bad = (message: string): CiliumPolicyError => new CiliumPolicyError({
    id: 'engine-port-syntax', message: `bad port "${input}": ${message}`, fix: 'write <port>/<protocol> (8080/TCP, 53/UDP), a port number (TCP), or icmp/<type> (icmp/8, icmpv6/128)',
  });
  const icmp = /^(icmp|icmpv6)(?:\/(.+))?$/i.exec(input);
  if (icmp) {
    const family = icmp[1].toLowerCase() === 'icmpv6' ? 'IPv6' : 'IPv4';
    const type = icmp[2] === undefined ? (family === 'IPv6' ? 128 : 8) : icmpTypeNumber(icmp[2], family);
    if (type === undefined) throw bad(`"${icmp[2]}" is not an ${family} ICMP type`);
    return { protocol: 'ICMP', icmpType: type, icmpFamily: family };
  }
  const m = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(input);
  if (!m) throw bad('not a port');
  // A policy's "010" is octal 8 to the agent (sanitize-port-octal): a query reading it as 10 would judge another port.
  if (m[1].length > 1 && m[1].startsWith('0')) throw bad(`a leading zero is ambiguous (Cilium reads a policy's "${m[1]}" as octal): write the port in decimal without it`);
  const port = Number(m[1]);
  if (port < 1 || port > 65535) throw bad('the port must be between 1 and 65535');
  const protocol = (m[2] ?? 'TCP').toUpperCase();
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) throw bad(`unknown protocol "${m[2]}" (TCP, UDP, SCTP)`);
  return { protocol, port };
}

/**
 * @internal A connection (`Queries.toConnection`) from a number (a TCP port), a string (`parseConnection`) or a `Port`/`Icmp` of the typed API (a single port
 * with one protocol, or one ICMP type).
 * @throws CiliumPolicyError when it does not name one connection (a range, a named port, `ANY`)
 */
export function toConnection(port: number | string | IPortSpec): ConnectionSpec {
  if (typeof port === 'number') return parseConnection(String(port));
  if (typeof port === 'string') return parseConnection(port);
  const match = portMatchOf(port);
  if (match === undefined) {
    throw new CiliumPolicyError({
      id: 'engine-port-syntax',
      message: `${describeValue(port)} is not a port: expected a number, a string such as "8080/TCP", or a Port/Icmp value`,
      fix: 'pass 8080, "8080/TCP", "53/UDP", Port.tcp(8080) or Icmp.echoRequest()',
    });
  }
  const single = singlePortOf(match);
  if (single?.kind === 'l4') return { protocol: single.protocol, port: single.port };
  if (single?.kind === 'icmp') {
    const type = icmpTypeNumber(single.type, single.family);
    if (type !== undefined) return { protocol: 'ICMP', icmpType: type, icmpFamily: single.family };
  }
  throw new CiliumPolicyError({
    id: 'engine-port-syntax',
    message: `${port.toString()} is not one connection`,
    fix: 'give one port with one protocol (Port.tcp(8080), Port.udp(53)) or one ICMP type',
  });
}

/**
 * @internal Parses `METHOD /path` (`Queries.parseHttpRequest`; the path may carry a query string).
 * @param headers `Name: value` strings
 * @throws CiliumPolicyError (`engine-http-syntax`)
 */
export function parseHttpRequest(text: string, host?: string, headers: readonly string[] = []): HttpRequest {
  const size = text.length + (host ?? '').length + headers.reduce((n, h) => n + h.length, 0);
  if (size > MAX_HTTP_REQUEST_CHARS) {
    throw new CiliumPolicyError({
      id: 'engine-http-syntax', message: `the HTTP request is ${size} characters long, more than the ${MAX_HTTP_REQUEST_CHARS} a proxy accepts`,
      fix: 'shorten the request (Envoy refuses request headers over 60 KiB)',
    });
  }
  const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(text);
  if (!m) {
    throw new CiliumPolicyError({ id: 'engine-http-syntax', message: `bad HTTP request "${text}"`, fix: 'write METHOD /path, e.g. "GET /public?page=2"' });
  }
  // The request target in origin form, as Envoy matches it (`:path`): an absolute URL or a bare name is no path.
  if (!m[2].startsWith('/') && !(m[2] === '*' && m[1].toUpperCase() === 'OPTIONS')) {
    throw new CiliumPolicyError({
      id: 'engine-http-syntax', message: `bad HTTP request "${text}": the path "${m[2]}" does not start with /`,
      fix: 'write the path as the proxy matches it, e.g. "GET /ok", and give the host apart (--host x)',
    });
  }
  const entries: [string, string][] = [];
  for (const line of headers) {
    const i = line.indexOf(':');
    if (i <= 0) {
      throw new CiliumPolicyError({ id: 'engine-http-syntax', message: `bad HTTP header "${line}"`, fix: 'write Name: value' });
    }
    const name = line.slice(0, i).trim();
    // No request carries a header whose name is not a token (`X Token`): Envoy's codec refuses it.
    if (!isHeaderName(name)) {
      throw new CiliumPolicyError({
        id: 'engine-http-syntax', message: `bad HTTP header "${line}": ${JSON.stringify(name)} is not a header name (letters, digits and !#$%&'*+-.^_\`|~)`,
        fix: 'write Name: value with the name as requests carry it, e.g. "X-Token: abc"',
      });
    }
    entries.push([name, line.slice(i + 1).trim()]);
  }
  // A header given twice is one header of both values, as Envoy matches it.
  const h = headerRecord(entries, false);
  // The method as typed: Envoy matches `:method` case-sensitively (RFC 9110: a method token is case-sensitive), so `get`
  // is not `GET` (the explanation says when only the case keeps a rule from matching).
  return { method: m[1], path: m[2], ...(host !== undefined ? { host } : {}), ...(headers.length > 0 ? { headers: h } : {}) };
}

/** @internal The longest HTTP request line, host and headers together, that `parseHttpRequest` reads (Envoy's default limit is 60 KiB). */
export const MAX_HTTP_REQUEST_CHARS = 64 * 1024;

/**
 * @internal Parses a Kafka request (`Queries.parseKafkaRequest`): `<apiKey> [<topic>] [version=<n>] [client=<id>]`, e.g.
 * `produce empire-announce version=3 client=billing`. A field left out is not known: a rule that sets it does not match
 * (the explanation says what was missing).
 * @throws CiliumPolicyError (`engine-kafka-syntax`)
 */
export function parseKafkaRequest(text: string): KafkaRequest {
  const syntax = 'write <apiKey> [<topic>] [version=<n>] [client=<id>], e.g. "produce empire-announce version=3 client=billing"';
  const bad = (why: string): CiliumPolicyError => new CiliumPolicyError({ id: 'engine-kafka-syntax', message: `bad Kafka request "${text}": ${why}`, fix: syntax });
  const parts = text.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length < 1) throw bad('it is empty');
  const [apiKey, ...rest] = parts;
  if (apiKey.includes('=')) throw bad(`the first word must be the API key, not ${JSON.stringify(apiKey)}`);
  let topic: string | undefined;
  let apiVersion: number | undefined;
  let clientID: string | undefined;
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (topic !== undefined) throw bad(`two topics (${JSON.stringify(topic)} and ${JSON.stringify(part)}); a request is checked for one topic`);
      topic = part;
      continue;
    }
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'version') {
      if (apiVersion !== undefined) throw bad('version is given twice');
      if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 32767) throw bad(`version ${JSON.stringify(value)} is not a number from 0 to 32767`);
      apiVersion = Number(value);
    } else if (key === 'client') {
      if (clientID !== undefined) throw bad('client is given twice');
      if (value === '') throw bad('client= has no client ID');
      clientID = value;
    } else {
      throw bad(`unknown field ${JSON.stringify(key)} (the fields are version= and client=)`);
    }
  }
  return {
    apiKey,
    ...(topic !== undefined ? { topic } : {}),
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(clientID !== undefined ? { clientID } : {}),
  };
}

/** Options of `Queries.parseHttpRequest`. */
export interface HttpRequestOptions {
  /**
   * The `Host` (`:authority`) of the request.
   * @default - none
   */
  readonly host?: string;
  /**
   * Request headers, as `Name: value` strings.
   * @default - none
   */
  readonly headers?: string[];
}

/** The options of `HttpRequestOptions` with their defaults (`option-unknown`). */
export const HTTP_REQUEST_OPTION_DEFAULTS: OptionDefaults = {
  host: 'none: no Host header',
  headers: 'none',
};

/**
 * The text forms of the parts of a verdict query, as the CLI and the test matchers read them: connections (`8080/TCP`,
 * `53/UDP`, `8080`, `icmp/8`, `icmpv6/128`, `icmp/EchoRequest`), HTTP requests (`GET /path`) and Kafka requests
 * (`produce topic`).
 */
export class Queries {
  /**
   * Parses a connection: `<port>/<protocol>` (`8080/TCP`, `53/udp`), a bare port (TCP), `icmp/<type>` or
   * `icmpv6/<type>` (a number or a Cilium name such as `EchoRequest`; `icmp` alone is echo request).
   * @throws CiliumPolicyError (`engine-port-syntax`)
   */
  public static parseConnection(text: string): ConnectionSpec {
    return parseConnection(text);
  }

  /**
   * A connection from a number (a TCP port), a string (`parseConnection`) or a `Port`/`Icmp` of the typed API (a single
   * port with one protocol, or one ICMP type).
   * @throws CiliumPolicyError when it does not name one connection (a range, a named port, `ANY`)
   */
  public static toConnection(port: number | string | IPortSpec): ConnectionSpec {
    return toConnection(port);
  }

  /**
   * Parses `METHOD /path` (the path may carry a query string), with the host and headers of `options`. The method is kept
   * as written: the proxy matches it case-sensitively, so `get /x` is judged as a `get` request, not a `GET` one.
   * @throws CiliumPolicyError (`engine-http-syntax`)
   */
  public static parseHttpRequest(text: string, options: HttpRequestOptions = {}): HttpRequest {
    requireOptionsObject('Queries.parseHttpRequest', options, "Queries.parseHttpRequest('GET /public', { host: 'shop.example.com' })");
    checkOptionKeys(options, HTTP_REQUEST_OPTION_DEFAULTS, { call: 'Queries.parseHttpRequest()', risk: 'so the request would be judged without it' });
    return parseHttpRequest(text, options.host, options.headers ?? []);
  }

  /**
   * Parses a Kafka request: `<apiKey> [<topic>] [version=<n>] [client=<id>]`, e.g. `produce empire-announce version=3`.
   * @throws CiliumPolicyError (`engine-kafka-syntax`)
   */
  public static parseKafkaRequest(text: string): KafkaRequest {
    return parseKafkaRequest(text);
  }

  private constructor() {}
}

/**
 * @internal Refuses a positional argument (plain JavaScript, or a call written for 0.x) where 1.0 takes an options
 * object, rather than ignoring it.
 */
export function requireOptionsObject(call: string, options: unknown, example: string): void {
  if (options !== null && typeof options === 'object' && !Array.isArray(options)) return;
  throw new CiliumPolicyError({
    id: 'options-positional',
    message: `${call}(…, ${describeValue(options)}): the second argument is an options object`,
    fix: `pass the options by name: ${example}`,
  });
}
