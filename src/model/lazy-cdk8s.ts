/**
 * cdk8s, loaded on first use. Code that reads manifests (the engine, `validate`, the CLI) also accepts a cdk8s app, but
 * most runs never pass one: loading cdk8s up front would add about a fifth to the CLI's cold start (`trace`, `replay`).
 * Use it for values (`App`, `Chart.isChart`, `ApiObject.isApiObject`); type-only imports of cdk8s cost nothing.
 */
export function cdk8s(): typeof import('cdk8s') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('cdk8s') as typeof import('cdk8s');
}
