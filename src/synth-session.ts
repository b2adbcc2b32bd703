import { IConstruct } from 'constructs';

/**
 * One synthesis of a construct tree, during which the tree does not change: what is computed once (a policy's rendered
 * rules and diagnostics, its JSON, the app-wide validation) is kept until the synthesis ends, so that the many passes
 * cdk8s makes over the whole app (`App.synth` validates the app, then once more per chart in `App._synthChart`, and
 * `runSynth` validates it before that) cost one computation each.
 *
 * A session is open only while `runSynth`, `app.synth()`, `app.synthYaml()` or `chart.toJson()` runs (see
 * `bindSynthSessions`); outside of one every call computes afresh, so changes made between two syntheses always show.
 */
class SynthSession {
  private readonly values = new Map<object, Map<string, unknown>>();

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

/**
 * Makes the synthesis entry points of `constructs` (an `App`'s `synth` and `synthYaml`, a `Chart`'s `toJson`) run in a
 * synthesis session, once per construct. A construct without these methods is left as it is.
 */
export function bindSynthSessions(...constructs: IConstruct[]): void {
  for (const c of constructs) {
    const target = c as unknown as Record<string | symbol, unknown>;
    if (target[BOUND_SYMBOL]) continue;
    Object.defineProperty(target, BOUND_SYMBOL, { value: true });
    for (const method of ['synth', 'synthYaml', 'toJson']) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      Object.defineProperty(target, method, {
        value: function (this: unknown, ...args: unknown[]) {
          return inSynthSession(c, () => (original as (...a: unknown[]) => unknown).apply(this, args));
        },
        configurable: true,
        writable: true,
      });
    }
  }
}
