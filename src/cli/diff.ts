/**
 * `cdk8s-cilium diff`: what a policy change does to connectivity, for GitOps reviews. A thin shell over
 * `PolicySet.fromFiles`/`fromTexts`, `Connectivity.diff` and `ConnectivityFormat`.
 *
 *   cdk8s-cilium diff --base <paths|git-ref> --head <paths> [--output text|markdown|json|html] [--fail-on allowed|denied|any]
 *                     [--inventory pods.json] [--flows flows.jsonl] [--dns-server <endpoint>] [--max-changes <n>] [--max-pairs <n>]
 *                     [the agent-setting flags of trace: src/cli/agent-setting-flags.ts SETTING_FLAGS]
 *
 * `--base origin/main` (any git ref, when no such path exists; both is refused) reads the `--head` paths at that ref with
 * git, without a checkout. The endpoint classes come from the inventory (workloads, Namespaces and Services in the inputs,
 * `--inventory` a `kubectl get pods -A -o json` dump, `--flows` the pods of a Hubble capture), else from what the
 * policies' selectors distinguish. Exit status: 0; 1 with `--fail-on` when a change of that kind exists (an L7 change on
 * an allowed port counts as `allowed` unless rules were only added, and as `denied` unless they were only removed: it may
 * let requests through, or refuse them); 2 on bad input (one line on stderr), including a diff
 * of more changes than `--max-changes` (default 100,000; `diff-too-large`: refused as soon as passed, nothing on stdout), or
 * of more pairs of endpoint classes whose client's egress or server's ingress may decide differently than `--max-pairs`
 * (default 1,000,000; `diff-too-large`: refused before any pair is judged).
 */
import { constants } from 'node:buffer';
import { lstatSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Connectivity, DEFAULT_MAX_DIFF_CHANGES, DEFAULT_MAX_DIFF_PAIRS } from '../diff/connectivity';
import { ConnectivityFormat, ConnectivityOutput } from '../diff/format';
import { EndpointInventory } from '../engine/inventory';
import { PolicySet, PolicySetOptions } from '../engine/policy-set';
import { noPolicyText } from '../engine/policy-input-error';
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { FlowCapture, collectConnections } from '../hubble/connections';
import { captureFamiliesWarning, captureIpFamilies, captureVersionWarning, chooseIpFamilies } from '../hubble/capture-families';
import { JudgedIpFamilies } from '../model/judged-ip-families';
import { FlowPeer } from '../hubble/flow';
import { CiliumVersion } from '../core/cilium-version';
import { DEFAULT_MAX_FILE_BYTES } from '../model/inputs';
import { VERSION_DEFAULT, judgedVersion } from '../model/version-annotation';
import { PolicyInputs, readPolicyFiles } from '../engine/policy-inputs';
import { isGitRef, readAtGitRef } from './git-ref';
import { readInventory } from './inventory';
import { splitLabelKey } from '../model/labels';
import { CLUSTER_KEY, DEFAULT_CLUSTER_NAME } from '../model/selectors';
import { withoutControls } from '../model/printable';
import { HubbleCliIo, allowIcmpFragNeededOption, captureLocalCluster, flowInputError, flowSource, fragNeededCollectOption, guard, parseCount, runSubcommand } from './replay';
import { CliIo, refusedPolicyInputs, warningLines } from './trace';
import { addSettingFlags, settingFlags } from './agent-setting-flags';

/** When `diff` exits 1. */
export enum DiffFailOn {
  /** A connection is newly allowed (or the L7 rules of an allowed port changed). */
  ALLOWED = 'allowed',
  /** A connection is newly denied. */
  DENIED = 'denied',
  /** Any change. */
  ANY = 'any',
}

/** Options shared by `diff` and `report`, as parsed. */
export interface ConnectivityCommandOptions {
  /**
   * `text`, `markdown`, `json` or `html`.
   * @default 'text'
   */
  readonly output?: string;
  /**
   * A `kubectl get pods -A -o json` dump (or any manifests: workloads, Namespaces, Services) for the endpoint classes.
   * @default - the inventory found beside the policies
   */
  readonly inventory?: string;
  /**
   * A Hubble capture whose pods become the endpoint classes.
   * @default - none
   */
  readonly flows?: string;
  /**
   * Cilium version.
   * @default - the version the policies were synthesized for, else 1.19
   */
  readonly ciliumVersion?: string;
  /**
   * Local cluster name.
   * @default 'default'
   */
  readonly clusterName?: string;
  /**
   * The DNS server the pods use, as an endpoint (for `toFQDNs` learning), on both sides.
   * @default 'pod:kube-system:k8s-app=kube-dns'
   */
  readonly dnsServer?: string;
  /**
   * Whether the agents run with `enable-node-selector-labels` (`fromNodes`/`toNodes` select nodes by their labels).
   * @default false
   */
  readonly nodeSelectorLabels?: boolean;
  /**
   * Whether the cluster runs mutual authentication with SPIRE (`authentication.mode: required` then passes), on both sides.
   * @default false
   */
  readonly mutualAuth?: boolean;
  /**
   * Whether the agent runs with `enable-sctp` (Helm `sctp.enabled`), on both sides: without it the datapath drops SCTP
   * before any policy.
   * @default false
   */
  readonly sctp?: boolean;
  /**
   * The IP families the cluster runs: `ipv4`, `ipv6` or `dual` (the agent's enable-ipv4/enable-ipv6).
   * @default 'ipv4'
   */
  readonly ipFamilies?: string;
  /**
   * The agent's policy enforcement mode (agent option `enable-policy`, Helm `policyEnforcementMode`), on both sides:
   * `default`, `always` or `never` (`PolicySetOptions.policyEnforcement`).
   * @default 'default'
   */
  readonly policyEnforcement?: string;
  /**
   * Whether the agent runs with `enable-non-default-deny-policies` (`PolicySetOptions.nonDefaultDenyPolicies`; off with
   * `--no-non-default-deny-policies`).
   * @default true
   */
  readonly nonDefaultDenyPolicies?: boolean;
  /**
   * Whether the host firewall is on (`--host-firewall`) or off (`--no-host-firewall`), on both sides
   * (`PolicySetOptions.hostFirewall`).
   * @default - on where the policies hold a host policy (nodeSelector), off otherwise
   */
  readonly hostFirewall?: boolean;
  /**
   * The agent's `allow-localhost`, on both sides: `always`, `auto` (both let the local host reach its pods whatever the
   * policies say) or `policy` (`PolicySetOptions.allowLocalhost`).
   * @default 'auto'
   */
  readonly allowLocalhost?: string;
  /**
   * The agent's `policy-default-local-cluster`, on both sides: `true` or `false` (`PolicySetOptions.policyDefaultLocalCluster`).
   * @default - the release's default (true from 1.19)
   */
  readonly policyDefaultLocalCluster?: string;
  /**
   * Whether the agent runs with `allow-icmp-frag-needed` (`--no-allow-icmp-frag-needed`: off, and the records of ICMPv4
   * fragmentation needed in `--flows` are read as any ICMP, their pods endpoint classes).
   * @default true
   */
  readonly allowIcmpFragNeeded?: boolean;
}

/** The options of `diff`, as parsed. */
export interface DiffCommandOptions extends ConnectivityCommandOptions {
  /** Base policy paths, or one git ref. */
  readonly base: readonly string[];
  /** Head policy paths. */
  readonly head: readonly string[];
  /**
   * `allowed`, `denied` or `any`.
   * @default - never exit 1
   */
  readonly failOn?: string;
  /** The most changes to hold (`--max-changes`, a positive whole number as text). */
  readonly maxChanges?: string;
  /** The most pairs of endpoint classes to judge (`--max-pairs`, a positive whole number as text). */
  readonly maxPairs?: string;
}

/** Exit statuses of `diff` and `report`. */
export const DIFF_EXIT = { ok: 0, changed: 1, badInput: 2 } as const;

/**
 * Runs a diff and writes it.
 * @returns 0, or 1 when `--fail-on` names a kind of change that exists
 * @throws CiliumPolicyError for bad input (the caller prints it and exits 2)
 */
export async function executeDiff(options: DiffCommandOptions, io: HubbleCliIo): Promise<number> {
  const output = outputOf(options.output);
  const failOn = options.failOn;
  if (failOn !== undefined && !Object.values(DiffFailOn).includes(failOn as DiffFailOn)) {
    throw new CiliumPolicyError({ id: 'cli-flag', message: `--fail-on ${failOn}`, fix: 'use --fail-on allowed, denied or any' });
  }
  const maxChanges = parseCount(options.maxChanges, '--max-changes', DEFAULT_MAX_DIFF_CHANGES);
  const maxPairs = parseCount(options.maxPairs, '--max-pairs', DEFAULT_MAX_DIFF_PAIRS);
  const { setOptions, capture, ipFamilies, policyInputs } = await connectivitySetOptions(options, io, 'diff', options.head);
  const cwd = process.cwd();
  const head = loadPolicies(options.head, setOptions, '--head', io, policyInputs, true);
  const gitRef = options.base.length === 1 ? baseGitRef(options.base[0], cwd) : undefined;
  let base: PolicySet;
  let baseSource: string;
  if (gitRef !== undefined) {
    const read = readAtGitRef(gitRef, options.head, cwd, DEFAULT_MAX_FILE_BYTES);
    if (read.problems.length > 0) {
      const p = read.problems[0];
      throw new CiliumPolicyError({ id: p.problem.id, message: `${p.file}: ${p.problem.message}`, fix: p.problem.fix });
    }
    if (read.missing.length === options.head.length) {
      // Not read as a base of no policy, as an empty file given as --base is (a change that adds the first policies): a path
      // missing at the ref may be one never committed (synthesized in CI, dist/ in .gitignore), and a base of no policy allows
      // every connection, so a head narrower than that passed `--fail-on allowed` whatever it widened. An empty file says so.
      throw new CiliumPolicyError({
        id: 'diff-git-ref',
        message: `--base ${gitRef}: ${read.missing.join(', ')} ${read.missing.length === 1 ? 'does' : 'do'} not exist at ${gitRef}, so there is no base to compare with `
          + '(policies never committed would read as none, and every widening of the head as no change)',
        fix: `commit the synthesized policies, or synthesize the base in a worktree (git worktree add ../base ${gitRef}, then npm ci && npm run synth there) and give --base `
          + '../base/<path>; if the change adds the first policies, give --base an empty file',
      });
    }
    if (read.notRead.length > 0) {
      // The --head paths follow symbolic links; a base without their policies would report their rules as changes and hide
      // real ones (a widening under a policy the base lacks reads as no change): refuse it, as an unreadable file.
      throw new CiliumPolicyError({
        id: 'diff-git-ref',
        message: `--base ${gitRef}: ${read.notRead.slice(0, 3).join(', ')}${read.notRead.length > 3 ? ` and ${read.notRead.length - 3} more` : ''} cannot be read at a git ref, so the base would miss the policies behind it`,
        fix: `give the base as a directory: git worktree add ../base ${gitRef}, then --base ../base/<path>`,
      });
    }
    for (const m of read.missing) io.stderr(`warning: --base ${gitRef}: ${m} does not exist at ${gitRef}; read as no policies\n`);
    base = checked(sideSet(`--base ${gitRef}`, () => PolicySet.fromTexts(read.files, setOptions)), io);
    baseSource = `${gitRef}:${options.head.join(',')}`;
  } else {
    base = loadPolicies(options.base, setOptions, '--base', io, undefined, true);
    baseSource = options.base.join(',');
  }
  warnCaptureVersion(capture, options.flows, [base, head], 'diff', io);
  const families = capture !== undefined ? baseFamilies(ipFamilies, capture, options, base, head, io) : ipFamilies;
  const neither = noPolicyOnEitherSide(base, `--base ${baseSource}: `, head, `--head ${options.head.join(' ')}: `);
  if (neither) throw neither;
  for (const [flag, set] of [['--base', base], ['--head', head]] as const) {
    // The reason (`read:`) is among the side's warnings above.
    const none = noPolicyText(set, `${flag}: `, false);
    if (none !== undefined) io.stderr(`warning: ${none}\n`);
  }
  const doc = { ...Connectivity.diff(base, head, { baseSource, headSource: options.head.join(','), maxChanges, maxPairs }), ipFamilies: families };
  io.stdout(builtOutput(() => ConnectivityFormat.diff(doc, output), {
    command: 'diff', output, items: `${doc.changes.length.toLocaleString('en-US')} change${doc.changes.length === 1 ? '' : 's'}`,
    fix: 'compare a narrower change (fewer --head paths, a lower --max-changes or --max-pairs), or use --output text or markdown, which are shorter',
  }));
  // The text may name a policy the API server refuses for its name (a newline, an ANSI escape): kept on its line.
  for (const n of doc.notCompared ?? []) io.stderr(`warning: not compared: ${withoutControls(n.text)}\n`);
  const s = doc.summary;
  // Items the diff could not compare count as the change they may be: --fail-on never passes on what it could not see.
  // An L7 change on an allowed port counts as what it may do (`l7MayAllow`, `l7MayDeny`: the rules of each side compared
  // as sets); a change without them (never written by `Connectivity.diff`) counts as both.
  const l7 = doc.changes.filter((c) => c.before === c.after && c.before === 'allowed');
  const allowed = s.newlyAllowed > 0 || l7.some((c) => c.l7MayAllow ?? true) || (doc.notCompared ?? []).some((n) => n.mayAllow);
  const denied = s.newlyDenied > 0 || l7.some((c) => c.l7MayDeny ?? true) || (doc.notCompared ?? []).some((n) => n.mayDeny);
  const fail = failOn === DiffFailOn.ALLOWED ? allowed
    : failOn === DiffFailOn.DENIED ? denied
      : failOn === DiffFailOn.ANY ? allowed || denied : false;
  return fail ? DIFF_EXIT.changed : DIFF_EXIT.ok;
}

/**
 * The IP families of a `diff --flows` whose base is judged for another Cilium version than its head (one capture, one
 * cluster: the families are chosen once, by the head's version, in `connectivitySetOptions`). What the world identity 2
 * tells depends on the version (from 1.15: a single-stack cluster; before, every world address has it), and the capture
 * comes from the cluster as it runs, whose version neither side proves: when the base's version makes the capture tell
 * other families (or none, or a contradiction), the diff is refused rather than judged for a guess (a capture of IPv6
 * packets with identity 2, read at a head of 1.18 as IPv6 only, made a change of IPv4 rules "no change" for a base of
 * 1.14, where it tells nothing). When both tell the same families, the choice that claims less is kept (the one with a
 * warning: the capture cannot tell them for the base's version).
 * @throws CiliumPolicyError (`cli-ip-families`) when the two versions make the capture tell different families
 */
function baseFamilies(headFamilies: JudgedIpFamilies, capture: FlowCapture, options: DiffCommandOptions, base: PolicySet, head: PolicySet,
  io: CliIo): JudgedIpFamilies {
  if (options.ipFamilies !== undefined || base.ciliumVersion.toString() === head.ciliumVersion.toString()) return headFamilies;
  const versions = `the base's Cilium ${base.ciliumVersion.toString()} and the head's ${head.ciliumVersion.toString()}`;
  const refuse = (told: string): CiliumPolicyError => new CiliumPolicyError({
    id: 'cli-ip-families',
    message: `the capture tells the cluster's IP families differently for ${versions} (what the world identity 2 tells depends on the `
      + `version: from 1.15 a single-stack cluster, before it nothing): for the head ${headFamilies.judged} (${headFamilies.basis ?? headFamilies.source}), `
      + `for the base ${told}`,
    fix: 'give --ip-families ipv4, ipv6 or dual as the cluster runs them (and --cilium-version as it is)',
  });
  const defaulted = base.ciliumVersionSource === VERSION_DEFAULT;
  let choice: ReturnType<typeof chooseIpFamilies>;
  try {
    choice = chooseIpFamilies(undefined, capture, base.ciliumVersion, 'diff', defaulted);
  } catch {
    // The base's version makes the capture contradict itself, or leaves IPv4 unknown beside IPv6 (the refusals of the choice).
    throw refuse(`none diff can judge for (${captureIpFamilies(capture, base.ciliumVersion, defaulted).basis})`);
  }
  if (choice.judged.judged !== headFamilies.judged) throw refuse(`${choice.judged.judged} (${choice.judged.basis ?? choice.judged.source})`);
  if (headFamilies.warning !== undefined || choice.judged.warning === undefined) return headFamilies;
  io.stderr(`warning: --flows ${options.flows ?? ''}: for the base's Cilium ${base.ciliumVersion.toString()}: ${choice.judged.warning}\n`);
  return choice.judged;
}

/**
 * The git ref `--base` names, or `undefined` when it names files. A path is files; a name that is no path is a ref. A name
 * that is both — `--base origin/main` beside a folder `origin/main/` of the working tree — is refused: the working tree is
 * the pull request's, which could otherwise add its own policies under the ref's name and make them the base of its own
 * diff (no change: `--fail-on` passes).
 * @throws CiliumPolicyError (`diff-base-ambiguous`) for a name that is both
 */
function baseGitRef(base: string, cwd: string): string | undefined {
  // `-` (standard input, which no git ref is named) is a policy path, refused as such (`policyPathRefusal`).
  if (base === '-') return undefined;
  // lstat, not exists: a dangling symbolic link named like the ref is a path of the working tree too.
  let isPath = true;
  try {
    lstatSync(base);
  } catch {
    isPath = false;
  }
  if (!isPath) return base;
  if (isGitRef(base, cwd)) {
    throw new CiliumPolicyError({
      id: 'diff-base-ambiguous',
      message: `--base ${withoutControls(base)} is both a path of the working tree and a git ref; the working tree may be the pull request's, so it cannot say which is meant`,
      fix: `for the files, give the path as ./${withoutControls(base)} (or an absolute path); for the ref, remove or rename that path of the working tree (a pull request that adds it is refused, never compared with itself)`,
    });
  }
  return undefined;
}

/**
 * @internal The output `build` writes, or a refusal when it is longer than the longest string Node.js can hold: a string
 * join or `JSON.stringify` then throws a RangeError (`Invalid string length`, after gigabytes: a cluster-wide change on
 * thousands of classes with the limits raised).
 * @throws CiliumPolicyError (`diff-output-too-large`, `report-output-too-large`) naming the output, its items and the limit
 */
export function builtOutput(build: () => string, what: { command: 'diff' | 'report'; output: ConnectivityOutput; items: string; fix: string }): string {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new CiliumPolicyError({
      id: `${what.command}-output-too-large`,
      message: `the ${what.command} --output ${what.output} of ${what.items} cannot be built: it is longer than the longest string Node.js can hold `
        + `(${constants.MAX_STRING_LENGTH.toLocaleString('en-US')} characters; ${e.message})`,
      fix: what.fix,
    });
  }
}

/**
 * @internal The `--output` value as a format.
 * @throws CiliumPolicyError for an unknown one
 */
export function outputOf(value: string | undefined): ConnectivityOutput {
  const output = value ?? ConnectivityOutput.TEXT;
  if (!Object.values(ConnectivityOutput).includes(output as ConnectivityOutput)) {
    throw new CiliumPolicyError({ id: 'cli-output', message: `unknown output format "${output}"`, fix: 'use --output text, markdown, json or html' });
  }
  return output as ConnectivityOutput;
}

/** @internal What `connectivitySetOptions` gives `diff` and `report`. */
export interface ConnectivitySetup {
  readonly setOptions: PolicySetOptions;
  readonly ipFamilies: JudgedIpFamilies;
  readonly capture?: FlowCapture;
  /** The files of the command's policies, read with `--flows` for their version (built into the set by `loadPolicies`). */
  readonly policyInputs?: PolicyInputs;
}

/**
 * @internal The policy-set options of `diff` and `report`: the Cilium version, cluster name, DNS server, and the inventory of
 * `--inventory` (read by the input reader) and `--flows` (the pods of the capture); with `--flows`, the files of `policies`
 * read for their version (`policyInputs`), which `loadPolicies` builds the set of without reading them again.
 */
export async function connectivitySetOptions(options: ConnectivityCommandOptions, io: HubbleCliIo, command: 'diff' | 'report',
  policies: readonly string[]): Promise<ConnectivitySetup> {
  // The agent settings of the flags, each read and refused by its row (`SETTING_FLAGS`), before any input is read.
  const settings = settingFlags(options, command);
  const version = settings.ciliumVersion;
  const inventory = new EndpointInventory();
  if (options.inventory !== undefined) {
    // Read strictly: an item the manifest reader would read as something else than written is refused (cli-inventory).
    // A CiliumCIDRGroup of an apiVersion the release does not serve is refused by the set, once the release is settled (given,
    // or the policies' annotation): `unservedCidrGroups`.
    readInventory(options.inventory, inventory);
    if (inventory.workloads.length === 0) {
      io.stderr(`warning: --inventory ${options.inventory}: no pods or workloads found (expected kubectl get pods -A -o json)\n`);
    }
  }
  const given = settings.ipFamilies;
  let capture: FlowCapture | undefined;
  let policyInputs: PolicyInputs | undefined;
  // Without --ip-families, the families the capture shows (world identities 9/10 or 2, else its packets), as replay.
  let families = chooseIpFamilies(given, undefined, version, command);
  let clusterName = settings.clusterName;
  if (options.flows !== undefined) {
    capture = await collectConnections(flowSource(options.flows, io), fragNeededCollectOption(options.allowIcmpFragNeeded));
    const ended = flowInputError(capture.input);
    if (ended) throw ended;
    // Judged for the version the policies are (given, else their annotation, else the default; diff: the head's, then the
    // base's checked to agree, `baseFamilies`): what the world identity 2 tells depends on it (from 1.15: single stack).
    policyInputs = readPolicyFiles(policies, DEFAULT_MAX_FILE_BYTES);
    const judged = judgedVersion(policyInputs.docs, version);
    families = chooseIpFamilies(given, capture, judged.version, command, judged.source === VERSION_DEFAULT);
    if (families.judged.warning !== undefined) io.stderr(`warning: --flows ${options.flows}: ${families.judged.warning}\n`);
    const read = capture.input;
    if (read.malformedCount > 0) io.stderr(`warning: --flows ${options.flows}: ${read.malformedCount} malformed lines skipped (first: line ${read.malformed[0]?.line})\n`);
    const seen = new Set<string>();
    const foreign: string[] = [];
    // The local cluster: the one every record naming a cluster names, unless --cluster-name says another (refused).
    clusterName = captureLocalCluster(options.flows, capture, settings.clusterName);
    // The classes are pods of the local cluster: a pod of the capture from another cluster of a clustermesh would be judged
    // as a local one (refused, `remoteClusterPods`), before any is added.
    const remote = remoteClusterPods(options.flows, capture, clusterName ?? DEFAULT_CLUSTER_NAME)
      ?? otherClusterNamed(options.flows, capture, clusterName);
    if (remote) throw remote;
    for (const c of capture.connections) for (const peer of [c.source, c.destination]) addFlowPod(inventory, peer, seen, foreign);
    if (foreign.length > 0) {
      io.stderr(`warning: --flows ${options.flows}: ${foreign.length} pod label${foreign.length === 1 ? '' : 's'} of a source other than k8s `
        + `(first: ${foreign[0]}) left out of the endpoint classes, which hold a pod's Kubernetes labels: a selector of such a label is `
        + 'judged as if the pod lacked it; trace or replay judge the pod with it\n');
    }
    // As replay: with it, a capture that shows other families than those given is warned about (world classes, /0 rules).
    const warning = captureFamiliesWarning(capture, families.ipFamilies, `run ${command}`, judged.version,
      judged.source === VERSION_DEFAULT);
    if (warning !== undefined) io.stderr(`warning: --flows ${options.flows}: ${warning}\n`);
  }
  const setOptions: PolicySetOptions = {
    ...settings,
    ...(clusterName !== undefined ? { clusterName } : {}),
    // A defaulted choice is left to the set's default (IPv4), so the set knows it defaulted: a family the user gives or the
    // capture shows off is off in Cilium, one left to the default unknown (`comparisonLimits`).
    ...(families.judged.source !== 'default' ? { ipFamilies: families.ipFamilies } : {}),
    inventory,
  };
  return { setOptions, ipFamilies: families.judged, ...(capture !== undefined ? { capture } : {}),
    ...(policyInputs !== undefined ? { policyInputs } : {}) };
}

/**
 * @internal The warning of `captureVersionWarning` for the sets built with a capture's pods (`--flows`), for the version
 * each set is judged for: given, or read from the policies' annotation.
 */
export function warnCaptureVersion(capture: FlowCapture | undefined, flows: string | undefined, sets: readonly PolicySet[], command: string,
  io: CliIo): void {
  if (capture === undefined) return;
  for (const version of new Set(sets.map((s) => s.ciliumVersion.toString()))) {
    const warning = captureVersionWarning(capture, CiliumVersion.parse(version), `run ${command}`);
    if (warning !== undefined) io.stderr(`warning: --flows ${flows ?? ''}: ${warning}\n`);
  }
}

/**
 * The error for the pods of a capture that Cilium labels as pods of another cluster than the local one (`k8s:io.cilium.k8s.policy.cluster`,
 * pkg/k8s/utils `SanitizePodLabels`), or `undefined`. The endpoint classes are workloads of the inventory, whose Cilium-owned
 * labels Cilium overwrites (`podObjectLabels`), so such a pod was judged as a local pod of its labels: with
 * `policy-default-local-cluster` (pkg/k8s/apis/cilium.io/utils `getEndpointSelector` adds the local cluster to a
 * selector without the key) or a selector naming the cluster, Cilium decides its connections otherwise, and the diff read, say, a
 * connection Cilium stops allowing as newly allowed (`--fail-on denied` passed it). `replay` judges each pod in its cluster.
 * @param flows the capture's path, for the message
 * @param local the cluster the policies are judged for (`--cluster-name`, default `default`)
 */
function remoteClusterPods(flows: string, capture: FlowCapture, local: string): CiliumPolicyError | undefined {
  const pods = new Map<string, string>();
  for (const c of capture.connections) {
    for (const peer of [c.source, c.destination]) {
      if (peer.kind !== 'pod' || peer.cluster === undefined || peer.cluster === local) continue;
      const name = `${peer.namespace ?? '?'}/${peer.podNames[0] ?? 'a pod'}`;
      if (!pods.has(name)) pods.set(name, peer.cluster);
    }
  }
  if (pods.size === 0) return undefined;
  const [first, cluster] = [...pods][0];
  return new CiliumPolicyError({
    id: 'cli-flows-other-cluster',
    message: `--flows ${flows}: pod ${first} is of cluster ${cluster} (${CLUSTER_KEY}=${cluster})${pods.size > 1 ? ` (and ${pods.size - 1} more pod${pods.size === 2 ? '' : 's'} of other clusters)` : ''}, `
      + `not of the local cluster ${local} (--cluster-name); the endpoint classes are pods of the local cluster, so its `
      + 'connections would be judged as a local pod\'s, where a selector naming the cluster or policy-default-local-cluster decides them otherwise',
    fix: `give --cluster-name ${cluster} if the capture is of that cluster; a capture of several clusters (clustermesh): keep only the records whose pods are of `
      + `cluster ${local}, or judge it with replay, which judges each pod in its own cluster`,
  });
}

/**
 * The error for a capture that names a cluster other than the local one where no pod of it is (a node `east/node-1`, an end's
 * `cluster_name`), or `undefined`: the classes would hold a cluster's connections judged for another (`remoteClusterPods`
 * names the pods).
 */
function otherClusterNamed(flows: string, capture: FlowCapture, local: string | undefined): CiliumPolicyError | undefined {
  const localName = local ?? DEFAULT_CLUSTER_NAME;
  const other = Object.entries(capture.clustersNamed ?? {}).find(([n]) => n !== localName);
  if (other === undefined) return undefined;
  return new CiliumPolicyError({
    id: 'cli-flows-other-cluster',
    message: `--flows ${flows} names cluster ${withoutControls(other[0])} (${withoutControls(other[1])}), not the local cluster ${localName} (--cluster-name); `
      + 'its connections would be judged as the local cluster\'s',
    fix: `keep only the records of cluster ${localName}, or judge the capture with replay, which judges each pod in its own cluster`,
  });
}

/** A pod of a capture as a workload of the inventory (one per namespace and label set). */
function addFlowPod(inventory: EndpointInventory, peer: FlowPeer, seen: Set<string>, foreign: string[]): void {
  if (peer.kind !== 'pod' || peer.namespace === undefined || peer.labels === undefined) return;
  // The peer's keys are Cilium's (`k8s:reserved.example.com/tier` for the Kubernetes key `reserved.example.com/tier`,
  // `container:x`); a workload holds the pod object's keys, which the classes read back as of source k8s (k8sObjectLabels).
  const key = JSON.stringify([peer.namespace, Object.entries(peer.labels).sort()]);
  if (seen.has(key)) return;
  seen.add(key);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(peer.labels)) {
    const { source, key: name } = splitLabelKey(k, 'k8s');
    if (source === 'k8s') labels[name] = v;
    else foreign.push(`${k}=${v} of ${peer.namespace}/${peer.podNames[0] ?? 'a pod'}`);
  }
  const name = labels.app ?? labels['app.kubernetes.io/name'] ?? labels['k8s-app'] ?? (Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(',') || 'pod');
  inventory.addWorkload({
    kind: 'Pod', name, namespace: peer.namespace, podLabels: labels, ports: [], ...(peer.serviceAccount !== undefined ? { serviceAccount: peer.serviceAccount } : {}),
  });
  if (peer.namespaceLabels && Object.keys(peer.namespaceLabels).length > 0) inventory.addNamespace(peer.namespace, peer.namespaceLabels);
}

/**
 * Two sides of a diff that both enforce no policy (`noPolicyText`), as the error of exit status 2 (`cli-no-policies`):
 * one side of none is a change that adds the first policies or removes them all, but with neither every connection is
 * allowed on both, and the diff compared nothing of the user's (a wrong path on both, a wrong-case kind) and passed the gate.
 */
function noPolicyOnEitherSide(base: PolicySet, baseLead: string, head: PolicySet, headLead: string): CiliumPolicyError | undefined {
  const [b, h] = [noPolicyText(base, baseLead), noPolicyText(head, headLead)];
  if (b === undefined || h === undefined) return undefined;
  return new CiliumPolicyError({
    id: 'cli-no-policies',
    message: `${b}; and ${h}; with a policy on neither side every connection is allowed on both, and there is nothing to compare`,
    fix: 'point --base and --head at the synthesized policies (cdk8s synth writes them to dist/); one side may hold none: a change that adds '
      + 'the first policies, or removes them all',
  });
}

/**
 * @internal Policies from paths, refusing unreadable input (exit 2).
 * @param read the files of `paths` already read (`connectivitySetOptions` with `--flows`), else they are read here
 * @param sided whether the set is a side of a diff: its warnings then name the flag (`warning: --base: p.yaml:4: …`), and it
 * may hold no policy (a change that adds the first ones or removes them all; two sides of none are refused:
 * `noPolicyOnEitherSide`). The paths of a `report` must hold one (`cli-no-policies`, as
 * `trace` and `replay` refuse them): a report of none lists every connection as allowed, an answer about no policy of the
 * user's (a wrong path, a synth that wrote nothing, a policy of a wrong-case kind).
 * @throws CiliumPolicyError for a missing path or a file that cannot be read
 */
export function loadPolicies(
  paths: readonly string[], options: PolicySetOptions, flag: string, io: CliIo, read?: PolicyInputs, sided = false,
): PolicySet {
  if (paths.length === 0) throw new CiliumPolicyError({ id: 'cli-flag', message: `${flag} names no path`, fix: `give ${flag} policy files or directories` });
  const build = (): PolicySet => (read !== undefined ? PolicySet._fromInputs(read, options) : PolicySet.fromFiles([...paths], options));
  const set = sided ? sideSet(flag, build) : build();
  return checked(set, io, sided ? flag : undefined, sided ? undefined : paths);
}

/**
 * The set of one side of a diff (`--base`, `--head`), built: a refused option names the side, which the version it is
 * judged for may decide (`--no-non-default-deny-policies` with a base annotated for 1.16 and a head for 1.18).
 * @throws CiliumPolicyError as the set's factory, an `option-value` one with the side as its location
 */
function sideSet(flag: string, build: () => PolicySet): PolicySet {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof CiliumPolicyError) || e.id !== 'option-value' || e.location !== undefined) throw e;
    throw new CiliumPolicyError({ id: e.id, message: errorWhat(e), fix: e.fix, location: flag });
  }
}

/**
 * The set, unless some input could not be read (exit 2); what it could not read faithfully goes to stderr as warnings
 * (those of one id in one file collapsed: `warningLines`).
 * @param side the side of a diff the set is (`--base`, `--head`), said before each warning as diff's other warnings say it
 * (the same file may be both sides)
 * @param policyPaths the paths of a set that must hold a policy (`report --policies`), refused without one (`refusedPolicyInputs`)
 */
function checked(set: PolicySet, io: CliIo, side?: string, policyPaths?: readonly string[]): PolicySet {
  const bad = refusedPolicyInputs(set, policyPaths);
  if (bad) throw bad;
  for (const line of warningLines(set.diagnostics)) io.stderr(`warning: ${side !== undefined ? `${side}: ` : ''}${line}\n`);
  return set;
}

/**
 * @internal Adds the options `diff` and `report` share, in their help's order: the inventory or capture the endpoint
 * classes come from, and the cluster the policies are judged for (version, name, DNS server, IP families, node-selector
 * labels, mutual authentication).
 */
export function addConnectivityOptions(command: Command, name: 'diff' | 'report'): Command {
  command
    .option('--inventory <file>', 'kubectl get pods -A -o json (or workload manifests), read strictly: the endpoint classes are its workloads')
    .option('--flows <file>', 'a Hubble capture (hubble observe -o jsonpb): the endpoint classes are its pods');
  return addSettingFlags(command, name).addOption(allowIcmpFragNeededOption());
}

/**
 * Adds the `diff` command to a program (asynchronous: run the program with `parseAsync`).
 * @param done receives the exit status of a run
 */
export function addDiffCommand(program: Command, io: HubbleCliIo, done: (code: number) => void): Command {
  const command = program.command('diff')
    .description('what a policy change does to connectivity: the connections newly allowed, then newly denied '
      + '(exit 0, 1 with --fail-on when such a change exists, 2 bad input)')
    .requiredOption('--base <paths-or-ref...>', 'the policies before: files and directories, or a git ref (origin/main) to read the --head paths at')
    .requiredOption('--head <paths...>', 'the policies after: files and directories (.yaml, .yml, .json; directories recursively)')
    .addOption(new Option('--output <format>', 'output format').choices(Object.values(ConnectivityOutput)).default(ConnectivityOutput.TEXT))
    .addOption(new Option('--fail-on <kind>', 'exit 1 when a connection is newly allowed, newly denied, or either').choices(Object.values(DiffFailOn)));
  return addConnectivityOptions(command, 'diff')
    .option('--max-changes <n>', 'the most changes to hold (a change touching every class changes every pair); more are refused '
      + '(exit 2, diff-too-large), never cut short', String(DEFAULT_MAX_DIFF_CHANGES))
    .option('--max-pairs <n>', 'the most pairs of endpoint classes to judge whose egress or ingress may decide differently (a change to every class '
      + 'that reaches every peer makes it every pair); '
      + 'more are refused before any is judged (exit 2, diff-too-large), never cut short', String(DEFAULT_MAX_DIFF_PAIRS))
    .action(async (opts: DiffCommandOptions) => {
      done(await guard(() => executeDiff(opts, io), io));
    });
}

/**
 * Runs `cdk8s-cilium diff` in-process.
 * @param argv the arguments after `diff`
 * @returns the exit status: 0, 1 a change --fail-on names, 2 bad input
 */
export async function runDiff(argv: readonly string[], io: HubbleCliIo): Promise<number> {
  return runSubcommand('diff', argv, io, addDiffCommand);
}
