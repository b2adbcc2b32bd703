// prepack guard: the bundled dependencies (package.json `bundleDependencies`) and all of theirs must be installed in
// this project's own node_modules folder. npm pack bundles a bundled package's dependencies only as it finds them in the
// project's tree: through a node_modules that is a link to another checkout's it bundled ajv without fast-deep-equal,
// fast-uri, json-schema-traverse and require-from-string, and the installed package then failed on its first schema
// check (`Cannot find module 'fast-deep-equal'`). Exit 1 with one line per package found elsewhere or not at all.
// The closure is npm-packlist's (gatherBundles): the root's bundleDependencies, then the dependencies and
// optionalDependencies of each bundled package; an optional one that is not installed (a platform's) is skipped, as npm does.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

/**
 * The packages of the bundled dependency closure of the project at `root` that are not installed inside its own
 * node_modules folder, each as a sentence; empty when npm pack can bundle them all.
 * @param {string} root the project folder (its package.json)
 * @returns {string[]}
 */
export function bundleProblems(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const inside = `${join(realpathSync(root), 'node_modules')}${sep}`;
  const problems = [];
  const seen = new Set();
  // Node's lookup: <dir>/node_modules/<name>, then the same from each parent folder.
  const locate = (fromDir, name) => {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
      if (dirname(dir) === dir) return undefined;
    }
  };
  const visit = (fromDir, name, neededBy, optional) => {
    const found = locate(fromDir, name);
    if (found === undefined) {
      if (optional) return;
      problems.push(`${name} (needed by ${neededBy}) is not installed`);
      return;
    }
    if (seen.has(found)) return;
    seen.add(found);
    if (!found.startsWith(inside)) {
      problems.push(`${name} (needed by ${neededBy}) is installed at ${found}, outside ${inside}`);
      return;
    }
    const manifest = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8'));
    const optionals = manifest.optionalDependencies ?? {};
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(found, dep, name, dep in optionals);
    for (const dep of Object.keys(optionals)) visit(found, dep, name, true);
  };
  const rootOptionals = pkg.optionalDependencies ?? {};
  for (const name of bundledNames(pkg)) visit(realpathSync(root), name, pkg.name, name in rootOptionals);
  return problems;
}

/**
 * The names a root package.json bundles, read as npm normalizes it: `bundleDependencies` or the spelling
 * `bundledDependencies`; `true` for all of `dependencies`, an object for its keys.
 * @param {Record<string, unknown>} pkg the parsed package.json
 * @returns {string[]}
 */
function bundledNames(pkg) {
  const bundle = pkg.bundleDependencies ?? pkg.bundledDependencies;
  if (bundle === true) return Object.keys(pkg.dependencies ?? {});
  if (Array.isArray(bundle)) return bundle;
  if (bundle !== null && typeof bundle === 'object') return Object.keys(bundle);
  return [];
}

/** Whether this file is the script node runs (the main module), also when it is run through a symlinked path. */
function isMain() {
  if (process.argv[1] === undefined) return false;
  try {
    return fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

/**
 * The guard's result for the project at `root`: status 0 and nothing on stderr when npm pack can bundle the closure,
 * else status 1 and the error with its fix (what the script prints and exits with; the tests call it in-process).
 * @param {string} root the project folder (its package.json)
 * @returns {{ status: number, stderr: string }}
 */
export function checkBundle(root) {
  const problems = bundleProblems(root);
  if (problems.length === 0) return { status: 0, stderr: '' };
  return {
    status: 1,
    stderr: `error: npm pack would bundle an incomplete dependency tree: ${problems.join('; ')} (pack-bundle-incomplete)\n`
      + '    fix: install the dependencies in this checkout (npm ci), not through a node_modules linked from elsewhere\n',
  };
}

if (isMain()) {
  const { status, stderr } = checkBundle(process.cwd());
  if (status !== 0) {
    process.stderr.write(stderr);
    process.exit(status);
  }
}
