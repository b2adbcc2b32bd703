/**
 * The endpoints a `PolicySet` has resolved (inventory + identity), cached per query object and per canonical text of
 * equal objects, with the peer view of each (how the policy of the other end sees it).
 */
import { CiliumPolicyError } from '../core/errors';
import { EndpointRecord, endpointRecord } from './decision-table';
import { Endpoint } from './endpoint';
import { IdentityOptions, PeerView, ResolvedEndpoint, peerView, resolveEndpoint } from './identity';
import { EndpointInventory } from './inventory';

/** Resolved endpoints and peer views, cached: endpoints are immutable values, often reused. */
export class EndpointRecords {
  /** Endpoints resolved per query object, with what `decide` keeps of them. */
  private readonly records = new WeakMap<Endpoint, EndpointRecord>();
  /** Peer views of resolved endpoints other than nodes (they do not depend on the other end). */
  private readonly peerViews = new WeakMap<ResolvedEndpoint, PeerView>();
  /** The same per canonical text of the endpoint object (fresh but equal objects per query: CLI, replay). */
  private readonly resolvedByKey = new Map<string, EndpointRecord>();

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
    let r = this.records.get(endpoint);
    if (r === undefined) {
      const key = endpointKey(endpoint);
      r = key !== undefined ? this.resolvedByKey.get(key) : undefined;
      if (r === undefined) {
        r = endpointRecord(resolveEndpoint(this.inventory.enrich(endpoint), this.options));
        if (key !== undefined) {
          if (this.resolvedByKey.size >= MAX_RESOLVED_BY_KEY) this.resolvedByKey.clear();
          this.resolvedByKey.set(key, r);
        }
      }
      this.records.set(endpoint, r);
    }
    return r;
  }

  /** `peerView`, cached per target when it does not depend on the other end (every kind but nodes). */
  public peerOf(target: ResolvedEndpoint, other: ResolvedEndpoint): PeerView {
    if (target.endpoint.kind === 'node') return peerView(target, other, this.options);
    let view = this.peerViews.get(target);
    if (!view) {
      view = peerView(target, other, this.options);
      this.peerViews.set(target, view);
    }
    return view;
  }
}

/** Bound on the endpoints resolved by text key (the cache starts over when full). */
const MAX_RESOLVED_BY_KEY = 100_000;

/**
 * An exact text key of an endpoint object: its own enumerable properties in order, recursively. `undefined` (not cached
 * by key) unless it is plain data: plain objects and arrays of strings, booleans and finite numbers (no `undefined`, no
 * `-0`, no getters or prototypes), so equal keys mean objects that resolve the same.
 */
function endpointKey(endpoint: Endpoint): string | undefined {
  const parts: string[] = [];
  return plainKey(endpoint, parts, 0) ? parts.join('') : undefined;
}

function plainKey(v: unknown, out: string[], depth: number): boolean {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return true;
    case 'boolean':
      out.push(v ? 't' : 'f');
      return true;
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) return false;
      out.push(String(v));
      return true;
    case 'object': {
      if (v === null || depth > 4) return false;
      const proto: unknown = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        if (proto !== Array.prototype) return false;
        out.push('[');
        for (let i = 0; i < v.length; i++) {
          if (!(i in v) || !plainKey(v[i], out, depth + 1)) return false;
          out.push(',');
        }
        out.push(']');
        return Object.keys(v).length === v.length;
      }
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(v).length > 0 || Object.getOwnPropertyNames(v).length !== Object.keys(v).length) return false;
      out.push('{');
      for (const k of Object.keys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (!d || !('value' in d)) return false;
        out.push(JSON.stringify(k), ':');
        if (!plainKey(d.value, out, depth + 1)) return false;
        out.push(',');
      }
      out.push('}');
      return true;
    }
    default:
      return false;
  }
}
