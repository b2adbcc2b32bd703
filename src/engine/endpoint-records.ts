/**
 * The endpoints a `PolicySet` has resolved (inventory + identity), cached per query object and per canonical text of
 * equal objects, with the peer view of each (how the policy of the other end sees it).
 */
import { CiliumPolicyError } from '../core/errors';
import { EndpointRecord, endpointRecord } from './decision-table';
import { Endpoint } from './endpoint';
import { IdentityOptions, PeerView, ResolvedEndpoint, peerView, resolveEndpoint } from './identity';
import { LabelSet } from '../model/labels';
import { EndpointInventory } from './inventory';

/** Resolved endpoints and peer views, cached: endpoints are immutable values, often reused. */
export class EndpointRecords {
  /** Endpoints resolved per query object, with what `decide` keeps of them. */
  private readonly records = new WeakMap<Endpoint, EndpointRecord>();
  /** Peer views of resolved endpoints other than nodes (they do not depend on the other end). */
  private readonly peerViews = new WeakMap<ResolvedEndpoint, PeerView>();
  /** The same per canonical text of the endpoint object (fresh but equal objects per query: CLI, replay). */
  private readonly resolvedByKey = new Map<string, EndpointRecord>();
  /**
   * One label set object per identity (by its `id`): the caches of direction policies, decision tables and peer identities
   * key on the object, so equal identities of different endpoints share their entries without building text keys.
   */
  private readonly labelSets = new Map<string, LabelSet>();

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
      // A plain-data endpoint is read once into a copy: the copy is what is resolved, and its JSON text is the key that
      // equal objects share (so a key always describes exactly what was resolved, getters or not).
      const copy = plainCopy(endpoint, 0) as Endpoint | undefined;
      const key = copy !== undefined ? JSON.stringify(copy) : undefined;
      r = key !== undefined ? this.resolvedByKey.get(key) : undefined;
      if (r === undefined) {
        r = endpointRecord(resolveEndpoint(this.inventory.enrich(copy ?? endpoint), this.options, this.intern));
        if (key !== undefined) {
          if (this.resolvedByKey.size >= MAX_RESOLVED_BY_KEY) this.resolvedByKey.clear();
          this.resolvedByKey.set(key, r);
        }
      }
      this.records.set(endpoint, r);
    }
    return r;
  }

  /** `internedLabels`, bound (for `resolveEndpoint`). */
  private readonly intern = (labels: LabelSet): LabelSet => this.internedLabels(labels);

  /** The one label set object with these labels. */
  private internedLabels(labels: LabelSet): LabelSet {
    const known = this.labelSets.get(labels.id);
    if (known !== undefined) return known;
    if (this.labelSets.size >= MAX_RESOLVED_BY_KEY) this.labelSets.clear();
    this.labelSets.set(labels.id, labels);
    return labels;
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

/** Bound on the endpoints resolved by text key (the cache starts over when full). */
const MAX_RESOLVED_BY_KEY = 100_000;

/**
 * A copy of a value if it is plain data, else `undefined`: plain objects (prototype `Object.prototype` or `null`, every own
 * property enumerable, no `__proto__` key) and arrays (no holes, no other properties) of strings, booleans and finite
 * numbers other than `-0`, at most 4 levels deep. Each property is read once (a getter runs once); the copy keeps the
 * order of the keys, so its `JSON.stringify` text is an exact key: equal texts mean copies that resolve the same.
 */
function plainCopy(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? v : undefined;
    case 'object': {
      if (v === null || depth > 4) return undefined;
      const proto: unknown = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        // Own names are the indexes and `length`: fewer is a hole, more is another property.
        if (proto !== Array.prototype || Object.getOwnPropertyNames(v).length !== v.length + 1) return undefined;
        const out: unknown[] = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const e = plainCopy(v[i], depth + 1);
          if (e === undefined) return undefined;
          out[i] = e;
        }
        return out;
      }
      if (proto !== Object.prototype && proto !== null) return undefined;
      const keys = Object.keys(v);
      if (Object.getOwnPropertyNames(v).length !== keys.length) return undefined;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (k === '__proto__') return undefined;
        const e = plainCopy(o[k], depth + 1);
        if (e === undefined) return undefined;
        out[k] = e;
      }
      return out;
    }
    default:
      return undefined;
  }
}
