// The layering of src/, checked by `npm run lint:layers` (dependency-cruiser) in the test command:
//
//   core  <-  model  <-  validate  <-  { constructs, engine }  <-  hubble  <-  diff  <-  { testing, plugin }  <-  cli
//
// A layer imports only the layers to its left (constructs and engine are siblings and never import each other; the
// engine and the Hubble tools never see a construct class). The entry points (src/index.ts, src/jest.ts,
// src/vitest.mts) sit on top and are imported by nothing in src/. No circular imports anywhere.
/** Each layer and the layers it must not import. */
const LAYERS = {
  core: ['model', 'validate', 'constructs', 'engine', 'hubble', 'diff', 'testing', 'plugin', 'cli'],
  model: ['validate', 'constructs', 'engine', 'hubble', 'diff', 'testing', 'plugin', 'cli'],
  validate: ['constructs', 'engine', 'hubble', 'diff', 'testing', 'plugin', 'cli'],
  constructs: ['engine', 'hubble', 'diff', 'testing', 'plugin', 'cli'],
  engine: ['constructs', 'hubble', 'diff', 'testing', 'plugin', 'cli'],
  hubble: ['constructs', 'diff', 'testing', 'plugin', 'cli'],
  diff: ['constructs', 'testing', 'plugin', 'cli'],
  testing: ['plugin', 'cli'],
  plugin: ['testing', 'cli'],
  cli: ['testing', 'plugin'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circular import makes load order matter and hides which layer a module belongs to.',
      from: {},
      to: { circular: true },
    },
    ...Object.entries(LAYERS).map(([layer, above]) => ({
      name: `layer-${layer}`,
      severity: 'error',
      comment: `src/${layer}/ may not import ${above.join(', ')} (see the layer diagram at the top of .dependency-cruiser.cjs).`,
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${above.join('|')})/` },
    })),
    {
      name: 'no-entry-point-imports',
      severity: 'error',
      comment: 'The entry points re-export the layers; a layer importing them would import every layer.',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/(index\\.ts|jest\\.ts|vitest\\.mts)$' },
    },
    {
      name: 'no-loose-src-files',
      severity: 'error',
      comment: 'Every module of src/ lives in its layer directory; only the entry points sit at the top.',
      from: { path: '^src/[^/]+$', pathNot: '^src/(index\\.ts|jest\\.ts|vitest\\.mts)$' },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|lib|dist)/' },
  },
};
