/** Positions of manifest fields in a parsed YAML document (for `locate(path)` and the line/column of diagnostics). */
import { Document, isAlias, isMap, isScalar, isSeq, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { Segment } from './json-path';
import { SourcePosition } from './parse-result';

/** One YAML document (or a node of it, for a List item) with the source positions of its fields. */
export class YamlSource {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly root: YamlNode,
    private readonly pos: (offset: number) => SourcePosition,
  ) {}

  private readonly keys = new WeakMap<YAMLMap, Map<string, Pair>>();

  /** The value node at `path` (aliases resolved). */
  public node(path: readonly Segment[]): YamlNode | undefined {
    let cur: YamlNode | undefined = this.deref(this.root);
    for (const seg of path) {
      if (!cur) return undefined;
      if (typeof seg === 'number') {
        cur = isSeq(cur) ? this.deref(cur.items[seg] as YamlNode | undefined) : undefined;
      } else {
        cur = this.deref(this.pair(cur, seg)?.value as YamlNode | undefined);
      }
    }
    return cur;
  }

  /** The position of the node at `path`, or of its key when `atKey` is set (falls back to the nearest ancestor). */
  public position(path: readonly Segment[], atKey = false): SourcePosition | undefined {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      let node: YamlNode | undefined;
      if (atKey && n === path.length && typeof path[n - 1] === 'string') {
        const parent = this.node(path.slice(0, -1));
        node = parent ? (this.pair(parent, path[n - 1] as string)?.key as YamlNode | undefined) : undefined;
      }
      node ??= this.node(prefix);
      const offset = node?.range?.[0];
      if (offset !== undefined) return this.pos(offset);
    }
    return undefined;
  }

  /** The source text of a plain (unquoted) scalar at `path`. */
  public plainText(path: readonly Segment[]): string | undefined {
    const node = this.node(path);
    if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return undefined;
    return node.source ?? this.text.slice(node.range[0], node.range[1]);
  }

  /** The explicit keys of a mapping (the first pair of each), indexed once: a diagnostic on each of 100,000 keys stays linear. */
  private keysOf(node: YAMLMap): Map<string, Pair> {
    let keys = this.keys.get(node);
    if (keys) return keys;
    keys = new Map();
    for (const p of node.items) {
      if (!isScalar(p.key) || typeof p.key.value === 'symbol') continue;
      const k = String(p.key.value);
      if (!keys.has(k)) keys.set(k, p);
    }
    this.keys.set(node, keys);
    return keys;
  }

  private deref(node: YamlNode | undefined | null): YamlNode | undefined {
    let cur = node ?? undefined;
    for (let i = 0; i < 100 && cur && isAlias(cur); i++) cur = cur.resolve(this.doc) ?? undefined;
    return cur;
  }

  private pair(node: YamlNode, key: string, depth = 0): Pair | undefined {
    if (!isMap(node) || depth > 20) return undefined;
    // Later keys win for merges; explicit keys win over merged ones.
    const explicit = this.keysOf(node).get(key);
    if (explicit) return explicit;
    for (const p of [...node.items].reverse()) {
      if (!isScalar(p.key) || typeof p.key.value !== 'symbol') continue;
      const merged = this.deref(p.value as YamlNode | undefined);
      const sources = isSeq(merged) ? merged.items.map((i) => this.deref(i as YamlNode)) : [merged];
      for (const s of sources) {
        const found = s ? this.pair(s, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }
}
