import type { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { cdk8s } from './lazy-cdk8s';

/**
 * One synthesis of a construct tree: what is computed once (a policy's rendered rules and diagnostics, its JSON, the
 * app-wide validation) is kept until the synthesis ends or the tree changes (`noteSynthChange`), so that the many passes
 * cdk8s makes over the whole app (`App.synth` validates the app, then once more per chart in `App._synthChart`, and
 * `runSynth` validates it before that) cost one computation each.
 *
 * A session is open only while `runSynth`, `app.synth()`, `app.synthYaml()` or `chart.toJson()` runs (see
 * `bindSynthSessions`); outside of one every call computes afresh, so changes made between two syntheses always show.
 */
class SynthSession {
  /**
   * Whether the whole app was prepared (chart dependencies resolved) and validated without error in this session: cdk8s's
   * `App._synthChart` does both for every chart, and once they have passed they pass again as long as the tree does not
   * change.
   */
  public appPrepared = false;
  /** How many times the tree changed during this session (`changed`). */
  public revision = 0;
  private values = new Map<object, Map<string, unknown>>();

  /** The value of `key` for `owner`, computed on first use in this session. */
  public memo<T>(owner: object, key: string, compute: () => T): T {
    let byKey = this.values.get(owner);
    if (!byKey) {
      byKey = new Map();
      this.values.set(owner, byKey);
    }
    if (byKey.has(key)) return byKey.get(key) as T;
    const value = compute();
    byKey.set(key, value);
    return value;
  }

  /** Drops what is kept for `owner` (under `key`, or all of it): a later use computes it afresh. */
  public forget(owner: object, key?: string): void {
    if (key === undefined) this.values.delete(owner);
    else this.values.get(owner)?.delete(key);
  }

  /**
   * The tree changed (a construct's validation hook labelled, patched or added a rule to a policy): nothing kept holds any
   * more — not the policy's own renderings, nor what read it (the app-wide checks on the root, a host firewall's lockout
   * check) — and the app is no longer known to validate. Everything is computed afresh on its next use; a value being
   * computed while the change happens is not kept (it is stored in the dropped map).
   */
  public changed(): void {
    this.values = new Map();
    this.appPrepared = false;
    this.revision++;
  }

  /** Drops what is kept under `key` for every owner. */
  public forgetKey(key: string): void {
    for (const byKey of this.values.values()) byKey.delete(key);
  }
}

/** The open session of a tree, kept on its root. */
const SESSION_SYMBOL = Symbol.for('cdk8s-cilium.SynthSession');
/** Marks a construct whose synthesis methods open a session (see `bindSynthSessions`). */
const BOUND_SYMBOL = Symbol.for('cdk8s-cilium.SynthSessionBound');

type Rooted = Record<symbol, SynthSession | undefined>;

/**
 * Runs `fn` inside a synthesis session of `scope`'s tree: opens one unless one is already open (a nested call joins it),
 * and closes it when `fn` returns or throws.
 */
export function inSynthSession<T>(scope: IConstruct, fn: () => T): T {
  const root = scope.node.root as unknown as Rooted;
  if (root[SESSION_SYMBOL]) return fn();
  Object.defineProperty(root, SESSION_SYMBOL, { value: new SynthSession(), configurable: true, writable: true });
  try {
    return fn();
  } finally {
    root[SESSION_SYMBOL] = undefined;
  }
}

/**
 * `compute()`, kept for the rest of the synthesis session of `scope`'s tree under (`owner`, `key`); computed afresh each
 * call when no session is open.
 */
export function synthMemo<T>(scope: IConstruct, owner: object, key: string, compute: () => T): T {
  const session = (scope.node.root as unknown as Rooted)[SESSION_SYMBOL];
  return session ? session.memo(owner, key, compute) : compute();
}

/** Whether a synthesis session of `scope`'s tree is open. */
export function synthSessionOpen(scope: IConstruct): boolean {
  return (scope.node.root as unknown as Rooted)[SESSION_SYMBOL] !== undefined;
}

/**
 * Drops what the open synthesis session of `scope`'s tree keeps for `owner` under `key`, once nothing in the session needs
 * it any more (memory). A later use computes it afresh. Does nothing when no session is open.
 */
export function releaseSynthMemo(scope: IConstruct, owner: object, key: string): void {
  (scope.node.root as unknown as Rooted)[SESSION_SYMBOL]?.forget(owner, key);
}

/**
 * Tells the open synthesis session of `scope`'s tree that the tree changed during the synthesis (a construct's validation
 * hook changed a policy after it was validated): everything the session keeps is dropped, whoever computed it (the
 * policy's renderings and errors, the app-wide checks kept on the root, a host firewall's lockout check), so that the next
 * validation pass checks the change and the output writes it; and the next chart validates the whole app again, as cdk8s
 * does (`App._synthChart`). Does nothing when no session is open.
 */
export function noteSynthChange(scope: IConstruct): void {
  (scope.node.root as unknown as Rooted)[SESSION_SYMBOL]?.changed();
}

/**
 * Drops what the open synthesis session of `scope`'s tree keeps under `key` (for every owner), once nothing in the
 * session needs it any more: memory for the rest of the synthesis. A later use computes it afresh. Does nothing when no
 * session is open.
 */
export function releaseSynthMemos(scope: IConstruct, key: string): void {
  (scope.node.root as unknown as Rooted)[SESSION_SYMBOL]?.forgetKey(key);
}

/**
 * Makes the synthesis entry points of `constructs` (an `App`'s `synth` and `synthYaml`, a `Chart`'s `toJson`) run in a
 * synthesis session, once per construct. A construct without these methods is left as it is. An app's entry points
 * also bind every chart of the app when called, so that each chart's `toJson` joins the app's session.
 *
 * Within a session, a chart's `toJson` (the one of cdk8s, not overridden) prepares and validates the whole app only
 * the first time: cdk8s does it again for every chart (`App._synthChart`), which makes a synthesis cost charts × nodes.
 * The chart's objects and their order are those of `App._synthChart`.
 */
export function bindSynthSessions(...constructs: IConstruct[]): void {
  for (const c of constructs) {
    const target = c as unknown as Record<string | symbol, unknown>;
    if (target[BOUND_SYMBOL]) continue;
    Object.defineProperty(target, BOUND_SYMBOL, { value: true });
    const { Chart } = cdk8s();
    const chart = Chart.isChart(c);
    for (const method of chart ? ['toJson'] : ['synth', 'synthYaml', 'toJson']) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      const call = (self: unknown, args: unknown[]): unknown => (original as (...a: unknown[]) => unknown).apply(self, args);
      let wrapper: (this: unknown, ...args: unknown[]) => unknown;
      if (chart && original === Chart.prototype.toJson) {
        wrapper = function (this: unknown, ...args) {
          return inSynthSession(c, () => chartJson(c as Chart, () => call(this, args)));
        };
      } else if (method === 'synth' || method === 'synthYaml') {
        wrapper = function (this: unknown, ...args) {
          return inSynthSession(c, () => {
            bindSynthSessions(...c.node.findAll().filter((x) => Chart.isChart(x)));
            return call(this, args);
          });
        };
      } else {
        wrapper = function (this: unknown, ...args) {
          return inSynthSession(c, () => call(this, args));
        };
      }
      Object.defineProperty(target, method, { value: wrapper, configurable: true, writable: true });
    }
  }
}

/**
 * A chart's manifests inside a session: `full()` (cdk8s's `App._synthChart`: prepare and validate the whole app, then
 * render the chart) until it has once succeeded in this session; after that only the rendering, which is the same
 * objects in the same (dependency) order.
 */
function chartJson(chart: Chart, full: () => unknown): unknown {
  const session = (chart.node.root as unknown as Rooted)[SESSION_SYMBOL] as SynthSession;
  const objects = apiObjectsOfChart(chart);
  let out: unknown;
  if (!session.appPrepared) {
    const revision = session.revision;
    out = full();
    // Not when a validation hook changed the tree during this pass: the checks that ran before the change did not see it,
    // and cdk8s validates the whole app again for the next chart.
    if (session.revision === revision) session.appPrepared = true;
  } else {
    out = objects.map((o) => o.toJson());
  }
  // The chart's manifests are the caller's now: what the session kept of them is not kept for the rest of the synthesis.
  for (const o of objects) session.forget(o);
  return out;
}

/** The API objects whose closest chart is `chart`, in dependency order (cdk8s's `chartToKube`). */
function apiObjectsOfChart(chart: Chart): ApiObject[] {
  const { ApiObject, Chart: ChartClass, DependencyGraph } = cdk8s();
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => ApiObject.isApiObject(x))
    .filter((x) => ChartClass.of(x) === chart);
}
