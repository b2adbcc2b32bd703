/**
 * The endpoints a `PolicySet` has resolved (inventory + identity), cached per query object and per canonical text of
 * equal objects, with the peer view of each (how the policy of the other end sees it).
 */
import { CiliumPolicyError } from '../core/errors';
import { EndpointRecord, endpointRecord } from './decision-table';
import { ENDPOINT_FIELD_DEFAULTS, ENDPOINT_RISK, Endpoint, checkEndpointValues } from './endpoint';
import { checkOptionKeys } from '../model/known-keys';
import { IdentityOptions, PeerView, ResolvedEndpoint, peerView, resolveEndpoint } from './identity';
import { LabelSet } from '../model/labels';
import { EndpointInventory } from './inventory';
import { BoundedMemo } from '../model/bounded-memo';

/** Resolved endpoints and peer views, cached: endpoints are immutable values, often reused. */
export class EndpointRecords {
  /** Endpoints resolved per query object, with what `decide` keeps of them. */
  private readonly records = new WeakMap<Endpoint, EndpointRecord>();
  /** Peer views of resolved endpoints other than nodes (they do not depend on the other end). */
  private readonly peerViews = new WeakMap<ResolvedEndpoint, PeerView>();
  /** The same per canonical text of the endpoint object (fresh but equal objects per query: CLI, replay). */
  private readonly resolvedByKey = new BoundedMemo<string, EndpointRecord>(MAX_RESOLVED_BY_KEY);
  /**
   * One label set object per identity (by its `id`): the caches of direction policies, decision tables and peer identities
   * key on the object, so equal identities of different endpoints share their entries without building text keys.
   */
  private readonly labelSets = new BoundedMemo<string, LabelSet>(MAX_RESOLVED_BY_KEY);

  /** Endpoint objects recorded, and the records among them resolved afresh (not equal to one resolved before), for the engine benchmark. */
  public readonly counts = { objects: 0, resolved: 0 };

  /** Identities (distinct label sets) interned so far, for the engine benchmark (since the memo last started over). */
  public get identities(): number {
    return this.labelSets.size;
  }

  public constructor(private readonly inventory: EndpointInventory, private readonly options: IdentityOptions) {}

  /** The resolved endpoint. */
  public resolve(endpoint: Endpoint): ResolvedEndpoint {
    return this.record(endpoint).resolved;
  }

  /** The record of an endpoint object: cached per object, and per its text key for equal objects. */
  public record(endpoint: Endpoint): EndpointRecord {
    if (typeof endpoint !== 'object' || endpoint === null) {
      throw new CiliumPolicyError({ id: 'engine-query', message: `${String(endpoint)} is not an endpoint`, fix: 'pass an Endpoint, e.g. Endpoints.parse("pod:default:app=web")' });
    }
    // The miss in a method of its own: a warm decision's look-up stays small enough to inline.
    return this.records.get(endpoint) ?? this.newRecord(endpoint);
  }

  /** `record` of an object not seen before. */
  private newRecord(endpoint: Endpoint): EndpointRecord {
    // The key is of the object itself, read without calling anything on it: one with a getter or a hidden field has none.
    // An object with the key of one resolved before holds the same plain data, which passed the checks below then.
    const key = endpointKey(endpoint);
    let r = key !== undefined ? this.resolvedByKey.peek(key) : undefined;
    if (r === undefined) {
      // Once per endpoint object: from plain JavaScript `{ kind: 'pod', namespce: 'data' }` was a pod of `default`.
      checkOptionKeys(endpoint, ENDPOINT_FIELD_DEFAULTS, { call: 'Endpoint', noun: 'field', risk: ENDPOINT_RISK });
      // Each declared field read once (a getter may answer otherwise the next time): the checks and the resolution see
      // the values of that one read.
      const fields = fieldsOf(endpoint);
      // From plain JavaScript `{ kind: 'node', labels: null }` crashed with a TypeError deep in the identity.
      checkEndpointFieldTypes(fields);
      // `{ kind: 'cidr', ip: 'not-an-ip' }` was judged as written, an address no rule holds.
      checkEndpointValues(fields);
      r = endpointRecord(resolveEndpoint(this.inventory.enrich(fields), this.options, this.intern));
      this.counts.resolved++;
      if (key !== undefined) this.resolvedByKey.set(key, r);
    }
    this.records.set(endpoint, r);
    this.counts.objects++;
    return r;
  }

  /** `internedLabels`, bound (for `resolveEndpoint`). */
  private readonly intern = (labels: LabelSet): LabelSet => this.internedLabels(labels);

  /** The one label set object with these labels. */
  private internedLabels(labels: LabelSet): LabelSet {
    return this.labelSets.get(labels.id, () => labels);
  }

  /** `peerView`, cached per target when it does not depend on the other end (every kind but nodes). */
  public peerOf(target: ResolvedEndpoint, other: ResolvedEndpoint): PeerView {
    if (target.endpoint.kind === 'node') {
      // A node is the local host of pods on it and a remote node of the others: its view depends on the other end.
      const nodeView = peerView(target, other, this.options);
      const labels = this.internedLabels(nodeView.labels);
      return labels === nodeView.labels ? nodeView : { ...nodeView, labels };
    }
    let view = this.peerViews.get(target);
    if (!view) {
      view = peerView(target, other, this.options);
      this.peerViews.set(target, view);
    }
    return view;
  }
}

/** Bound on the endpoints resolved by text key and on the interned label sets (each memo starts over when full). */
const MAX_RESOLVED_BY_KEY = 100_000;

/**
 * An exact text key of an endpoint object: its own enumerable properties in order, recursively. `undefined` (not cached
 * by key) unless it is plain data: plain objects and arrays of strings, booleans and finite numbers (no `undefined`, no
 * `-0`, no getters or prototypes), so equal keys mean objects that resolve the same. The parts are gathered and joined
 * once: the key is kept (as a map key) for as long as the endpoint is, and a joined string is one flat string where
 * appending part by part would keep a tree of concatenations alive.
 */
function endpointKey(endpoint: Endpoint): string | undefined {
  const parts: string[] = [];
  return plainKey(endpoint, 0, parts) ? parts.join('') : undefined;
}

/** Characters a JSON string must escape (then `JSON.stringify` quotes it). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** Appends a string, quoted as JSON. */
function pushQuoted(parts: string[], s: string): void {
  if (NEEDS_ESCAPE.test(s)) parts.push(JSON.stringify(s));
  else parts.push('"', s, '"');
}

/** Appends the key of a value (see `endpointKey`); `false` when it is not plain data. */
function plainKey(v: unknown, depth: number, parts: string[]): boolean {
  switch (typeof v) {
    case 'string':
      pushQuoted(parts, v);
      return true;
    case 'boolean':
      parts.push(v ? 't' : 'f');
      return true;
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) return false;
      parts.push(String(v));
      return true;
    case 'object': {
      if (v === null || depth > 4) return false;
      const proto: unknown = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        if (proto !== Array.prototype || Object.keys(v).length !== v.length) return false;
        parts.push('[');
        for (let i = 0; i < v.length; i++) {
          if (!(i in v) || !plainKey(v[i], depth + 1, parts)) return false;
          parts.push(',');
        }
        parts.push(']');
        return true;
      }
      if (proto !== Object.prototype && proto !== null) return false;
      const keys = Object.keys(v);
      if (Object.getOwnPropertyNames(v).length !== keys.length || Object.getOwnPropertySymbols(v).length > 0) return false;
      parts.push('{');
      for (const k of keys) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (!d || !('value' in d)) return false;
        pushQuoted(parts, k);
        parts.push(':');
        if (!plainKey(d.value, depth + 1, parts)) return false;
        parts.push(',');
      }
      parts.push('}');
      return true;
    }
    default:
      return false;
  }
}

/** The fields of an endpoint that are text (`ENDPOINT_FIELD_DEFAULTS`); `labels` and `namespaceLabels` are maps of text. */
const TEXT_FIELDS = ['kind', 'namespace', 'serviceAccount', 'nodeName', 'entity', 'ip', 'name'] as const;

/**
 * The types of a hand-built endpoint's fields, as TypeScript declares them: text, and maps of text for the labels. Before,
 * `{ kind: 'node', labels: null }` from plain JavaScript crashed with a TypeError in the identity.
 * @throws CiliumPolicyError (`engine-endpoint-syntax`) naming the field, its value and what to give
 */
function checkEndpointFieldTypes(endpoint: Endpoint): void {
  const fields = endpoint as unknown as Record<string, unknown>;
  const bad = (field: string, what: string): CiliumPolicyError => new CiliumPolicyError({
    id: 'engine-endpoint-syntax',
    message: `bad endpoint: its ${field} is ${describeValue(fields[field])}, not ${what}`,
    fix: `give ${field} as ${what}, or leave it out (${ENDPOINT_FIELD_DEFAULTS[field]})`,
  });
  for (const field of TEXT_FIELDS) {
    if (fields[field] !== undefined && typeof fields[field] !== 'string') throw bad(field, 'text');
  }
  for (const field of ['labels', 'namespaceLabels']) {
    const map = fields[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map) || Object.values(map).some((v) => typeof v !== 'string')) {
      throw bad(field, 'a map of label keys to text values (e.g. { app: \'web\' })');
    }
  }
}

/** A value for a message: null, an array, or its type (never the value itself, which may be large). */
function describeValue(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object with a value that is no text' : `a ${typeof v}`;
}

/** The declared fields of an endpoint (`ENDPOINT_FIELD_DEFAULTS`), each read once, enumerable or not. */
function fieldsOf(endpoint: Endpoint): Endpoint {
  const source = endpoint as unknown as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const field of Object.keys(ENDPOINT_FIELD_DEFAULTS)) {
    const value = source[field];
    if (value !== undefined) fields[field] = value;
  }
  return fields as unknown as Endpoint;
}
