// `npm run jsii:check`: compiles the library entry point (src/index.ts) with jsii, the compiler behind cdk8s-plus's
// Python, Go and Java bindings, and fails on any jsii or TypeScript error. jsii writes a tsconfig.json and a .jsii
// assembly next to its input, so it runs on a copy in the OS temp directory; the project tree is never written. The
// compiled JavaScript and declaration files are not written (scripts/jsii-assembly-only.mjs): only the diagnostics
// and the assembly are read. The jsii settings (entry point, excluded files, bundled dependencies) are package.json's own
// `jsii` section, so `jsii`/`jsii-pacmak` run on a checkout of this package see the same configuration.
//
// From the assembly it also checks the documentation rules of the public API (every type, property and method has a
// summary; every optional property has `@default`) and compares the API surface with API.md, the committed listing
// of every public type and member: a change of the public API shows in review and decides the semantic version.
// `npm run jsii:check -- --update` rewrites API.md.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-jsii-'));
try {
  for (const entry of ['src', 'package.json', 'README.md', 'LICENSE']) cpSync(join(root, entry), join(work, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'), 'dir');
  // jsii's bin without the JavaScript and declaration output (the check reads the diagnostics and the assembly only).
  const jsii = join(root, 'scripts', 'jsii-assembly-only.mjs');
  const run = spawnSync(process.execPath, [jsii, '--silence-warnings=reserved-word'], {
    cwd: work,
    encoding: 'utf8',
    // jsii 5.9 prints a banner about Node 20's end of life; the compile itself supports it.
    env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', FORCE_COLOR: '0' },
  });
  const output = `${run.stdout}${run.stderr}`.replaceAll(`${work}/`, '');
  const errors = output.split('\n').filter((line) => / error (JSII|TS)\d+/.test(line)).length;
  if (run.status !== 0 || errors > 0) {
    process.stdout.write(output);
    process.stdout.write(`\njsii: ${errors} error(s) in the public API (exit ${run.status})\n`);
    process.exitCode = 1;
  } else {
    const warnings = output.split('\n').filter((line) => / warning JSII\d+/.test(line));
    if (warnings.length) process.stdout.write(`${warnings.join('\n')}\n`);
    const assembly = JSON.parse(readFileSync(join(work, '.jsii'), 'utf8'));
    const undocumented = documentationProblems(assembly);
    const surface = apiSurface(assembly);
    const committed = readOrEmpty(join(root, 'API.md'));
    if (undocumented.length) {
      process.stdout.write(`${undocumented.join('\n')}\njsii: ${undocumented.length} documentation problem(s) in the public API\n`);
      process.exitCode = 1;
    }
    if (update) {
      writeFileSync(join(root, 'API.md'), surface);
      process.stdout.write('jsii: API.md rewritten\n');
    } else if (surface !== committed) {
      process.stdout.write(`${surfaceDiff(committed, surface)}\njsii: the public API differs from API.md; review the change, then run `
        + '`npm run jsii:check -- --update` and commit API.md (a removed or changed line is a breaking change)\n');
      process.exitCode = 1;
    }
    if (!process.exitCode) {
      process.stdout.write(`jsii: the public API compiles with 0 errors (${warnings.length} warning(s)), `
        + `${Object.keys(assembly.types ?? {}).length} types, documented, as in API.md\n`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function readOrEmpty(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Types, properties and methods without a summary, and optional properties without `@default`. */
function documentationProblems(assembly) {
  const problems = [];
  for (const [fqn, type] of Object.entries(assembly.types ?? {})) {
    const where = `${type.locationInModule?.filename ?? '?'}:${type.locationInModule?.line ?? '?'}`;
    if (!type.docs?.summary) problems.push(`${where}: ${fqn} has no documentation`);
    for (const prop of type.properties ?? []) {
      const at = `${prop.locationInModule?.filename ?? where}:${prop.locationInModule?.line ?? '?'}`;
      if (!prop.docs?.summary) problems.push(`${at}: ${fqn}.${prop.name} has no documentation`);
      if (prop.optional && prop.docs?.default === undefined) problems.push(`${at}: optional ${fqn}.${prop.name} has no @default`);
    }
    for (const method of type.methods ?? []) {
      const at = `${method.locationInModule?.filename ?? where}:${method.locationInModule?.line ?? '?'}`;
      if (!method.docs?.summary) problems.push(`${at}: ${fqn}.${method.name}() has no documentation`);
    }
    for (const member of type.members ?? []) {
      if (!member.docs?.summary) problems.push(`${where}: ${fqn}.${member.name} has no documentation`);
    }
  }
  return problems;
}

/** One line per public type and member, sorted: the API surface as other languages see it. */
function apiSurface(assembly) {
  const local = (fqn) => fqn.startsWith(`${assembly.name}.`) ? fqn.slice(assembly.name.length + 1) : fqn;
  const typeRef = (ref) => {
    if (!ref) return 'void';
    if (ref.primitive) return ref.primitive;
    if (ref.fqn) return local(ref.fqn);
    if (ref.collection) return ref.collection.kind === 'array'
      ? `${typeRef(ref.collection.elementtype)}[]`
      : `{ [key: string]: ${typeRef(ref.collection.elementtype)} }`;
    if (ref.union) return ref.union.types.map(typeRef).join(' | ');
    if (ref.intersection) return ref.intersection.types.map(typeRef).join(' & ');
    return JSON.stringify(ref);
  };
  const params = (ps) => (ps ?? []).map((p) => `${p.variadic ? '...' : ''}${p.name}${p.optional ? '?' : ''}: ${typeRef(p.type)}`).join(', ');
  const lines = [];
  for (const fqn of Object.keys(assembly.types ?? {}).sort()) {
    const t = assembly.types[fqn];
    const kind = t.kind === 'interface' ? (t.datatype ? 'struct' : 'interface') : t.kind;
    const bases = [t.base, ...(t.interfaces ?? [])].filter(Boolean).map(local);
    lines.push(`${kind} ${local(fqn)}${t.abstract ? ' (abstract)' : ''}${bases.length ? ` extends ${bases.join(', ')}` : ''}`);
    if (t.initializer) lines.push(`  new(${params(t.initializer.parameters)})`);
    for (const m of t.members ?? []) lines.push(`  ${m.name}`);
    for (const p of [...(t.properties ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`  ${p.static ? 'static ' : ''}${p.immutable ? 'readonly ' : ''}${p.name}${p.optional ? '?' : ''}: ${typeRef(p.type)}`);
    }
    for (const m of [...(t.methods ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(`  ${m.static ? 'static ' : ''}${m.async ? 'async ' : ''}${m.name}(${params(m.parameters)}): ${typeRef(m.returns?.type)}`
        + `${m.returns?.optional ? ' | undefined' : ''}`);
    }
  }
  return '# Public API of cdk8s-cilium\n\nGenerated by `npm run jsii:check -- --update` from the jsii assembly of `src/index.ts` (what the '
    + 'Python, Go and Java bindings see; TypeScript sees the same names). Do not edit by hand. A removed or changed line is a '
    + 'breaking change (next major version); an added line is a feature (next minor).\n\n```\n' + lines.join('\n') + '\n```\n';
}

function surfaceDiff(before, after) {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  const removed = [...a].filter((l) => !b.has(l)).map((l) => `- ${l}`);
  const added = [...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`);
  return [...removed.slice(0, 40), ...added.slice(0, 40)].join('\n')
    + (removed.length + added.length > 80 ? `\n… ${removed.length} removed, ${added.length} added in all` : '');
}
