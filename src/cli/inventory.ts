/**
 * `--inventory` of `diff` and `report`: a `kubectl get pods -A -o json` dump (or workload, Namespace and Service
 * manifests), read strictly. The manifest reader the rest of the SDK shares reads a field of the wrong type as absent
 * (`metadata.labels: "app=web"` as no labels, a `containerPort` of `"http"` as no port): right for manifests beside
 * policies, which the API server would refuse anyway, but an inventory stands for the cluster, and a pod read without its
 * labels, a Namespace without its labels or a List item that is no object would make the endpoint classes (and so every
 * verdict of the report or diff) those of another cluster, with no sign of it. Such an inventory is refused (exit 2,
 * `cli-inventory`), naming the item and the field.
 */
import { cidrGroupRejections } from '../model/cidr-group-admission';
import { CiliumPolicyError } from '../core/errors';
import { EndpointInventory } from '../engine/inventory';
import { PolicySet } from '../engine/policy-set';
import { DEFAULT_MAX_FILE_BYTES, expandPaths, readInputFile } from '../model/inputs';
import { isKubernetesList, listEntries } from '../model/list-items';
import { ManifestNonString, STRING_MAP, isManifestObject, nodePortValueRefusals, nonStringMetadataValues, workloadPaths } from '../model/manifests';
import { MAX_NESTING_DEPTH, nestingDepthError } from '../model/nesting-depth';
import { currentYamlValueBudget, inYamlValueBudget } from '../model/yaml-value-budget';
import { withoutControls } from '../model/printable';
import { parseJsonFile } from '../model/json-duplicate-key';
import { YamlStream, readYamlStream, yamlValues } from '../model/yaml-stream';
import { FileReading, PathOption, addEntries, emptyInputs, policyPathRefusal } from '../engine/policy-inputs';
import { yaml11BooleanNote } from '../model/go-yaml';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from '../validate/syntax';
import { PATH_OPTION_FIXES, policyInputError } from './trace';

/** A path into a manifest: keys and list indices. */
type Path = readonly (string | number)[];

/** Why an inventory object cannot be read faithfully, and where. */
export interface InventoryProblem {
  /** Where in the document (`['items', 3, 'metadata', 'labels']`). */
  readonly path: Path;
  /** What is wrong, e.g. `metadata.labels is a string, not a map of labels`. */
  readonly message: string;
  /**
   * The object it is in, e.g. `items[3] (Pod shop/web-1)`.
   * @default - the problem is of the document or List itself
   */
  readonly item?: string;
  /**
   * A number or boolean written where Kubernetes wants a string (a label value): the fix quotes it as written.
   * @default - none
   */
  readonly scalar?: number | boolean;
  /**
   * The fix of the problem's own check (a CiliumCIDRGroup the API server refuses: `cidrGroupRejections`), said instead of
   * the inventory's generic one.
   * @default - the generic fix (give the inventory as written)
   */
  readonly fix?: string;
}

/** `--inventory` as a path refusal names it. */
const INVENTORY_PATH: PathOption = {
  option: '--inventory',
  stdinId: 'cli-inventory',
  fix: PATH_OPTION_FIXES['--inventory'],
};

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

/**
 * Reads `path` into `into`: JSON through `JSON.parse`, anything else through the policy reader (YAML), which refuses what
 * it cannot read (file and line). Then every object is checked: the first problem is thrown.
 * A CiliumCIDRGroup keeps its apiVersion and position: the set it is given to judges it for its release (`unservedCidrGroups`).
 * @throws CiliumPolicyError (`cli-inventory`, or the reader's id) for an inventory that cannot be read faithfully
 */
export function readInventory(path: string, into: EndpointInventory): void {
  // The path is walked once (a directory's files then read once each, by the reader below): a file added, removed or
  // changed while it is read is read as the reader read it, or not at all, never read by one walk and checked by another.
  const entries = expandPaths([path], process.cwd());
  // A path that names no file, or `-`, is said as the inventory's (the policy reader would name policies).
  for (const entry of entries) {
    const absent = policyPathRefusal(entry, INVENTORY_PATH);
    if (absent) throw absent;
  }
  const file = readInputFile(path, DEFAULT_MAX_FILE_BYTES);
  // Text nested too deep goes the YAML way, whose reader refuses it (its file and line) before any recursion over it.
  const counted = { values: 0 };
  const text = file.text !== undefined && file.problem === undefined && JSON_START.test(file.text)
    && !nestingDepthError(file.text, MAX_NESTING_DEPTH, Infinity, counted) ? file.text : undefined;
  // JSON is charged to the run's budget (`--max-yaml-values`) as the YAML reader charges its inputs, before it is parsed.
  if (text !== undefined) currentYamlValueBudget()?.charge(counted.values, path);
  const json = text !== undefined ? parseJson(text, path) : undefined;
  if (json !== undefined) {
    const problem = inventoryProblem(json);
    if (problem !== undefined) throw inventoryError(withoutControls(path), problem);
    into._addObject(json, false, { file: withoutControls(path) });
    return;
  }
  // Each text is read and parsed once (and charged to the run's budget once, by the reader): its stream is kept for the
  // check below, which reads the very texts the reader read.
  const streams = new Map<string, YamlStream>();
  const texts: { name: string; text: string }[] = [];
  const reading: FileReading = {
    read: (t) => {
      const stream = readYamlStream(t);
      streams.set(t, stream);
      return stream;
    },
    option: INVENTORY_PATH,
    onText: (found, t) => texts.push({ name: found.name, text: t }),
  };
  const inputs = emptyInputs();
  const read = PolicySet._fromInputs(inYamlValueBudget('--inventory', undefined, () => {
    addEntries(inputs, entries, DEFAULT_MAX_FILE_BYTES, reading);
    return inputs;
  }));
  // A label value that is no string is said below, as the inventory's (`cli-inventory`), with its document.
  const bad = policyInputError(read, false);
  if (bad) throw bad;
  // The texts read without error: their objects, checked as written.
  const values: { value: unknown; file: string; line?: number }[] = [];
  for (const { name, text: t } of texts) {
    const stream = streams.get(t);
    for (const doc of yamlValues(t, stream !== undefined ? () => stream : readYamlStream)) {
      const problem = inventoryProblem(doc.value);
      if (problem !== undefined) {
        const line = doc.lineOf(problem.path);
        throw inventoryError(`${name}${line !== undefined ? `:${line}` : ''}: document ${doc.index}`, problem, doc.plainText(problem.path));
      }
      const line = doc.lineOf(['apiVersion']);
      values.push({ value: doc.value, file: name, ...(line !== undefined ? { line } : {}) });
    }
  }
  // Lists and typed Lists (`PodList`) are unpacked by the inventory, as everywhere.
  for (const { value, ...at } of values) into._addObject(value, false, at);
}

/**
 * The first thing of an inventory object (a List's items each, Lists in Lists too) that the manifest reader would read as
 * something else than written: an item that is no object or has no kind; a name, namespace, label, selector or port of
 * the wrong type or that Kubernetes refuses. Kinds the inventory does not read are not checked beyond being objects. A
 * CiliumCIDRGroup's apiVersion is judged for the release by the set it is given to (`unservedCidrGroups`): the policies'
 * annotation may settle it, which the inventory does not know.
 */
export function inventoryProblem(value: unknown, path: Path = []): InventoryProblem | undefined {
  if (!isManifestObject(value)) return { path, message: `${at(path, 'the document')} is ${describe(value)}, not a Kubernetes object` };
  const kind = value.kind;
  if (typeof kind !== 'string' || kind === '') return { path: [...path, 'kind'], message: `${at([...path, 'kind'], 'kind')} is ${kind === undefined ? 'missing' : describe(kind)}: not a Kubernetes object` };
  if (isKubernetesList(value)) {
    // The List's objects as every reader reads them (`listEntries`): its problems first, then each object's.
    const { entries, problems } = listEntries(value);
    if (problems.length > 0) return { path: [...path, ...problems[0].path], message: problems[0].message };
    for (const e of entries) {
      const p = inventoryProblem(e.value, [...path, ...e.path]);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  // A CiliumCIDRGroup the API server refuses is no group of the cluster (`cidrGroupRejections`, the policy reader's judgement too),
  // said with its own fix.
  const group = cidrGroupRejections(value)[0];
  if (group !== undefined) return { path: [...path, ...group.path], message: group.message, fix: group.fix };
  if (kind !== 'Namespace' && kind !== 'Service' && workloadPaths(kind) === undefined) return undefined;
  const check = new Checker(path, value);
  // Labels, annotations and selectors the API server refuses (no mapping, a value that is no string): the one judgement
  // of every reader (`nonStringMetadataValues`, which knows where each kind keeps its pod template and selector).
  const refused = nonStringMetadataValues(value)[0];
  if (refused !== undefined) check.refused(refused);
  // The hostPorts and nodePorts the API server refuses: the one judgement of every reader (`nodePortValueRefusals`, which
  // the policy reader refuses them by too), each said where the field is checked, in the object's order.
  const badNodePorts = new Set(nodePortValueRefusals(value).map((r) => r.path.join('\0')));
  const nodePort = (v: unknown, p: Path): void => {
    if (badNodePorts.has(p.join('\0'))) check.fail(p, `${show(v)} is not a port number (1-65535)`);
  };
  const meta = check.object(value.metadata, ['metadata'], true);
  if (meta !== undefined) {
    const name = meta.name;
    // `generateName` alone (a manifest whose name the API server makes up) names no object yet, but is no mistake.
    const generated = name === undefined && kind !== 'Namespace' && typeof meta.generateName === 'string';
    if (!generated && (typeof name !== 'string' || !(kind === 'Namespace' ? isDns1123Label(name) : isDns1123Subdomain(name)))) {
      check.fail(['metadata', 'name'], `${name === undefined ? 'is missing' : `${show(name)} is not a ${kind === 'Namespace' ? 'namespace' : 'Kubernetes object'} name`}`);
    }
    if (kind !== 'Namespace' && meta.namespace !== undefined && meta.namespace !== null
      && (typeof meta.namespace !== 'string' || (meta.namespace !== '' && !isDns1123Label(meta.namespace)))) {
      check.fail(['metadata', 'namespace'], `${show(meta.namespace)} is not a namespace name`);
    }
    check.labels(meta.labels, ['metadata', 'labels']);
  }
  if (kind === 'Service') {
    const spec = check.object(value.spec, ['spec'], false);
    if (spec !== undefined) {
      check.labels(spec.selector, ['spec', 'selector']);
      check.each(spec.ports, ['spec', 'ports'], (port, p) => {
        check.port(port.port, [...p, 'port'], true);
        const target = port.targetPort;
        if (typeof target === 'string') {
          if (!/^\d+$/.test(target) && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(target)) check.fail([...p, 'targetPort'], `${show(target)} is neither a port number nor a port name`);
        } else {
          check.port(target, [...p, 'targetPort'], false, true);
        }
        check.protocol(port.protocol, [...p, 'protocol']);
        check.string(port.name, [...p, 'name']);
        // 0 is the API's unset value (one is assigned); any other non-port refused, never read as none.
        nodePort(port.nodePort, [...p, 'nodePort']);
      });
      const allocate = spec.allocateLoadBalancerNodePorts;
      if (allocate !== undefined && allocate !== null && typeof allocate !== 'boolean') {
        check.fail(['spec', 'allocateLoadBalancerNodePorts'], `is ${describe(allocate)}, not true or false`);
      }
    }
  } else if (kind !== 'Namespace') {
    const template = templateOf(kind, value, check);
    if (template !== undefined) {
      const templateMeta = check.object(template.node.metadata, [...template.path, 'metadata'], false);
      if (templateMeta !== undefined) check.labels(templateMeta.labels, [...template.path, 'metadata', 'labels']);
      const podSpec = check.object(template.node.spec, [...template.path, 'spec'], kind !== 'Pod');
      if (podSpec !== undefined) {
        const sp = [...template.path, 'spec'];
        check.string(podSpec.serviceAccountName, [...sp, 'serviceAccountName']);
        check.string(podSpec.serviceAccount, [...sp, 'serviceAccount']);
        if (podSpec.hostNetwork !== undefined && podSpec.hostNetwork !== null && typeof podSpec.hostNetwork !== 'boolean') {
          check.fail([...sp, 'hostNetwork'], `is ${describe(podSpec.hostNetwork)}, not true or false`);
        }
        for (const list of ['containers', 'initContainers']) {
          check.each(podSpec[list], [...sp, list], (container, cp) => {
            check.string(container.restartPolicy, [...cp, 'restartPolicy']);
            check.each(container.ports, [...cp, 'ports'], (port, pp) => {
              check.port(port.containerPort, [...pp, 'containerPort'], true);
              nodePort(port.hostPort, [...pp, 'hostPort']); // 0: the API's unset value, no host port
              check.protocol(port.protocol, [...pp, 'protocol']);
              check.string(port.name, [...pp, 'name']);
            });
          });
        }
      }
    }
  }
  return check.problem;
}

/** The pod template of a workload object (the Pod itself for a Pod; where: `workloadPaths`), checked to be an object. */
function templateOf(kind: string, value: Record<string, unknown>, check: Checker): { node: Record<string, unknown>; path: Path } | undefined {
  const path = workloadPaths(kind)?.template ?? [];
  let node: Record<string, unknown> | undefined = value;
  for (let i = 0; i < path.length && node !== undefined; i++) node = check.object(node[path[i]], path.slice(0, i + 1), true);
  return node === undefined ? undefined : { node, path };
}

/** Collects the first problem of one object (paths relative to it, reported under `base`). */
class Checker {
  public problem: InventoryProblem | undefined;

  public constructor(private readonly base: Path, private readonly value: Record<string, unknown>) {}

  public fail(path: Path, what: string, scalar?: number | boolean): void {
    if (this.problem !== undefined) return;
    const meta = isManifestObject(this.value.metadata) ? this.value.metadata : {};
    const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/` : '';
    const name = typeof meta.name === 'string' && meta.name !== '' ? ` ${ns}${meta.name}` : '';
    const named = `${String(this.value.kind)}${name}`;
    const item = `${this.base.length > 0 ? `${pathText(this.base)} ` : ''}(${named.length > 200 ? `${named.slice(0, 200)}…` : named})`;
    this.problem = { path: [...this.base, ...path], message: `${pathText(path)} ${what}`, item: withoutControls(item), ...(scalar !== undefined ? { scalar } : {}) };
  }

  /** An object (`undefined` when absent and not required, or when it is not one: then a problem). */
  public object(v: unknown, path: Path, required: boolean): Record<string, unknown> | undefined {
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'is missing');
      return undefined;
    }
    if (!isManifestObject(v)) {
      this.fail(path, `is ${describe(v)}, not a mapping`);
      return undefined;
    }
    return v;
  }

  /**
   * A label, annotation or selector the API server refuses (`nonStringMetadataValues`): a field that is no mapping, a
   * value that is no string (a number or boolean: the fix quotes it).
   */
  public refused(r: ManifestNonString): void {
    const field = r.path[r.path.length - (r.notMapping !== undefined ? 1 : 2)];
    const what = field === 'annotations' ? 'annotations' : 'labels';
    if (r.notMapping !== undefined) {
      this.fail(r.path, `is ${describe(r.value)}, not ${field === 'annotations' ? 'a map of annotations'
        : r.notMapping === STRING_MAP ? 'a map of labels' : r.notMapping}`);
    } else if (typeof r.value === 'number' || typeof r.value === 'boolean') {
      this.fail(r.path, `is the ${typeof r.value} ${String(r.value)}, not a string: the API server refuses it (${what} are strings)`, r.value);
    } else {
      this.fail(r.path, what === 'annotations' ? `is ${describe(r.value)}, not a string: the API server refuses it (annotations are strings)`
        : `is ${describe(r.value)}, not a label value`);
    }
  }

  /**
   * Labels (or a Service selector): label keys and label values Kubernetes accepts. A number or a boolean (`map[string]string`;
   * kubectl sends `country: NO` as false, YAML 1.1, which read as the text "false" would put the pod in another class) is
   * `refused` before.
   */
  public labels(v: unknown, path: Path): void {
    // A value or map of the wrong type is `refused` (`nonStringMetadataValues`); here the syntax of keys and values (and null, as before).
    if (!isManifestObject(v)) return;
    for (const [key, value] of Object.entries(v)) {
      if (!isQualifiedName(key)) {
        this.fail([...path, key], 'is not a label key');
        return;
      }
      if (value === null) {
        this.fail([...path, key], 'is null, not a label value');
        return;
      }
      if (typeof value === 'string' && !isLabelValue(value)) {
        this.fail([...path, key], `${show(value)} is not a label value`);
        return;
      }
    }
  }

  /** A list of objects, each checked. */
  public each(v: unknown, path: Path, item: (o: Record<string, unknown>, p: Path) => void): void {
    if (v === undefined || v === null) return;
    if (!Array.isArray(v)) {
      this.fail(path, `is ${describe(v)}, not a list`);
      return;
    }
    for (let i = 0; i < v.length && this.problem === undefined; i++) {
      const o = this.object(v[i], [...path, i], true);
      if (o !== undefined) item(o, [...path, i]);
    }
  }

  public port(v: unknown, path: Path, required: boolean, zero = false): void {
    if (v === undefined || v === null) {
      if (required) this.fail(path, 'is missing');
      return;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (zero ? 0 : 1) || v > 65535) this.fail(path, `${show(v)} is not a port number (1-65535)`);
  }

  public protocol(v: unknown, path: Path): void {
    if (v === undefined || v === null) return;
    if (typeof v !== 'string' || !PROTOCOLS.has(v)) this.fail(path, `${show(v)} is not TCP, UDP or SCTP`);
  }

  public string(v: unknown, path: Path): void {
    if (v !== undefined && v !== null && typeof v !== 'string') this.fail(path, `is ${describe(v)}, not a string`);
  }
}

/**
 * @param written the scalar of the problem as written, when plain (`NO` of a label read as false): named with the reader's
 * YAML 1.1 note, and quoted in the fix
 */
function inventoryError(where: string, problem: InventoryProblem, written?: string): CiliumPolicyError {
  const scalar = problem.scalar;
  const text = scalar === undefined ? undefined : withoutControls(written ?? String(scalar));
  const note = typeof scalar === 'boolean' && text !== undefined ? yaml11BooleanNote(scalar, text) : undefined;
  return new CiliumPolicyError({
    id: 'cli-inventory',
    message: `--inventory ${where}${problem.item === undefined ? '' : `${problem.item.startsWith('(') ? ' ' : ', '}${problem.item}`}: ${problem.message}`
      + `${note === undefined ? '' : ` (${note})`}; the inventory is not read (read otherwise, the endpoint classes would not be the cluster's)`,
    fix: text !== undefined ? `quote it: "${text}"` : problem.fix !== undefined ? problem.fix
      : 'give the output of kubectl get pods -A -o json (or workload, Namespace and Service manifests) as written',
  });
}

/** `metadata.labels.app`, `spec.ports[0].port`. */
function pathText(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `${out === '' ? '' : '.'}${p}` : `[${JSON.stringify(p.length > 60 ? `${p.slice(0, 60)}…` : p)}]`;
  }
  return withoutControls(out);
}

function at(path: Path, fallback: string): string {
  return path.length === 0 ? fallback : pathText(path);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : describe(v);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  const t = typeof value;
  return t === 'object' ? 'a mapping' : `a ${t}`;
}

/** How a JSON inventory starts (anything else is read as YAML). */
const JSON_START = /^\s*[{[]/;

/**
 * The value of a JSON text (one that starts as `JSON_START` says). A key written twice in one object
 * is refused (`cli-inventory`) at its line and column: `JSON.parse` would keep the last value (two `labels` of one pod).
 */
function parseJson(text: string, path: string): unknown {
  return parseJsonFile(text, withoutControls(path),
    ({ message, fix }) => new CiliumPolicyError({ id: 'cli-inventory', message: `--inventory ${message}; the inventory is not read`, fix }));
}
