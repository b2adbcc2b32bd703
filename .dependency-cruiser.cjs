// The layering of src/, checked by `npm run lint:layers` (dependency-cruiser) in the test command:
//
//   core  <-  model  <-  validate  <-  { constructs, engine }  <-  hubble  <-  diff  <-  { testing, plugin }  <-  cli
//
// Allow-lists, not deny-lists: a layer imports only itself and the layers to its left (constructs and engine are
// siblings and never import each other; the engine and the Hubble tools never see a construct class), and only the
// npm packages listed for it (node: built-ins everywhere). A module outside the layer directories cannot be imported
// and may not import anything; the entry points (src/index.ts, src/jest.ts, src/vitest.mts) sit on top and are
// imported by nothing in src/. No circular imports anywhere.
/** Each layer: the layers it may import (besides itself) and the npm packages it may import. */
const LAYERS = {
  core: { layers: [], packages: ['constructs'] },
  model: { layers: ['core'], packages: ['cdk8s', 'constructs', 're2js', 'tldts', 'yaml'] },
  validate: { layers: ['core', 'model'], packages: ['ajv', 'ajv-formats', 'cdk8s', 'constructs', 'yaml'] },
  constructs: { layers: ['core', 'model', 'validate'], packages: ['cdk8s', 'constructs'] },
  engine: { layers: ['core', 'model', 'validate'], packages: ['cdk8s', 'constructs'] },
  hubble: { layers: ['core', 'model', 'validate', 'engine'], packages: ['cdk8s', 'constructs'] },
  diff: { layers: ['core', 'model', 'validate', 'engine', 'hubble'], packages: [] },
  testing: { layers: ['core', 'model', 'validate', 'constructs', 'engine', 'hubble', 'diff'], packages: ['cdk8s', 'constructs'] },
  plugin: { layers: ['core', 'model', 'validate', 'constructs', 'engine', 'hubble', 'diff'], packages: [] },
  cli: { layers: ['core', 'model', 'validate', 'constructs', 'engine', 'hubble', 'diff', 'testing', 'plugin'], packages: ['cdk8s', 'commander'] },
};
const NAMES = Object.keys(LAYERS).join('|');
const ENTRY_POINTS = '^src/(index\\.ts|jest\\.ts|vitest\\.mts)$';
const NPM = ['npm', 'npm-dev', 'npm-peer', 'npm-optional', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circular import makes load order matter and hides which layer a module belongs to.',
      from: {},
      to: { circular: true },
    },
    ...Object.entries(LAYERS).flatMap(([layer, allowed]) => [
      {
        name: `layer-${layer}`,
        severity: 'error',
        comment: `src/${layer}/ imports only ${[layer, ...allowed.layers].join(', ')} (see the diagram at the top of .dependency-cruiser.cjs).`,
        from: { path: `^src/${layer}/` },
        to: { path: '^src/', pathNot: `^src/(${[layer, ...allowed.layers].join('|')})/` },
      },
      {
        name: `packages-${layer}`,
        severity: 'error',
        comment: `src/${layer}/ imports only the npm packages ${allowed.packages.join(', ') || '(none)'} and node: built-ins.`,
        from: { path: `^src/${layer}/` },
        to: { dependencyTypes: NPM, ...(allowed.packages.length ? { pathNot: `node_modules/(${allowed.packages.join('|')})/` } : {}) },
      },
    ]),
    {
      name: 'no-loose-src-files',
      severity: 'error',
      comment: 'Every module of src/ lives in a layer directory; only the entry points sit outside one.',
      from: { path: '^src/', pathNot: `^src/(${NAMES})/|${ENTRY_POINTS}` },
      to: {},
    },
    {
      name: 'entry-point-packages',
      severity: 'error',
      comment: 'The entry points import the layers, and vitest for the cdk8s-cilium/vitest entry point.',
      from: { path: ENTRY_POINTS },
      to: { dependencyTypes: NPM, pathNot: 'node_modules/(vitest|@vitest/[^/]+)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|lib|dist)/' },
  },
};
