// The CRD validators compiled once per test run (`_PrecompiledStore`, test/support/crd-store.ts): what a worker loads from
// the code another worker printed must judge every manifest exactly as the validators the library compiles itself.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CrdSchemas, type CrdViolation } from '../../src/testing';
import { CidrFormat } from '../../src/validate/cidr-format';
import { _usePrecompiled, type _PrecompiledStore } from '../../src/validate/crd-compile';
import { CRD_ROOT } from '../support/shared';

const FILES = ['ciliumnetworkpolicies.yaml', 'ciliumclusterwidenetworkpolicies.yaml'];

function cnp(spec: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, ...(spec ? { spec: { endpointSelector: {}, ...spec } } : {}), ...extra };
}

/** Valid and invalid manifests that reach every function the printed code reads from the loading process. */
const CORPUS: Array<Record<string, unknown>> = [
  cnp({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
  cnp({ egress: [{ toFQDN: [{ matchName: 'example.com' }] }] }),
  cnp({ egress: [{ toCIDR: ['010.0.0.0/8', '10.0.0.0/8'] }, { toCIDRSet: [{ cidr: '10.0.0.1', except: ['x'] }] }] }),
  cnp({ egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['a.example.com', 'b', 'a.example.com'] }] }] }),
  cnp({ ingress: [{ toPorts: [{ ports: [{ port: '80', endPort: 2 ** 40, protocol: 'XYZ' }] }] }] }),
  cnp({ egress: [{ toFQDNs: [{ matchPattern: `${'a'.repeat(300)}!` }, { matchName: 'a..b' }] }] }),
  cnp({}, { status: { conditions: [{ type: 'Ok', status: 'True', lastTransitionTime: 'yesterday' }, { type: 'Ok', status: 'False' }] } }),
  cnp(undefined),
  { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'h' },
    spec: { nodeSelector: { matchLabels: { role: 'w' } }, ingress: [{ fromEntities: ['cluster', 'nowhere'] }] } },
];

const work = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-precompiled-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Copies a version's two CRD files to `<work>/<copy>/<version>/` (a path of its own: a cache entry of its own). */
function copyVersion(version: string, copy: string): string {
  const dir = join(work, copy, version);
  mkdirSync(dir, { recursive: true });
  for (const f of FILES) copyFileSync(join(CRD_ROOT, version, f), join(dir, f));
  return dir;
}

describe.each(['v1.19', 'main'])('validators of %s printed by one process and loaded by another', (version) => {
  const results = new Map<string, CrdViolation[][]>();
  const calls: string[] = [];

  beforeAll(() => {
    // Compiled by the library itself, no store (as a user's process compiles them).
    const previous = _usePrecompiled(undefined);
    try {
      const library = CrdSchemas.fromDirectory(copyVersion(version, 'library'));
      results.set('library', CORPUS.map((m) => library.validate(m)));
      // `printed`: compiled on the code-keeping instance and put in the store; `loaded`: the same text read back.
      const texts = new Map<string, string>();
      const store: _PrecompiledStore = {
        get: (file, format) => {
          calls.push(`get ${basename(dirname(dirname(file)))} ${basename(file)} ${format}`);
          return basename(dirname(dirname(file))) === 'loaded' ? texts.get(basename(file)) : undefined;
        },
        put: (file, format, text) => {
          calls.push(`put ${basename(dirname(dirname(file)))} ${basename(file)} ${format}`);
          texts.set(basename(file), text);
        },
      };
      _usePrecompiled(store);
      for (const copy of ['printed', 'loaded']) {
        const schemas = CrdSchemas.fromDirectory(copyVersion(version, copy));
        results.set(copy, CORPUS.map((m) => schemas.validate(m)));
      }
    } finally {
      _usePrecompiled(previous);
    }
  });

  test('the printed code is loaded, not compiled again', () => {
    const files = FILES.map((f) => f).sort();
    expect(calls.filter((c) => c.startsWith('put')).sort()).toEqual(files.map((f) => `put printed ${f} ${CidrFormat.GO}`).sort());
    expect(calls.filter((c) => c.includes(' loaded ')).sort()).toEqual(files.map((f) => `get loaded ${f} ${CidrFormat.GO}`).sort());
  });

  test('every manifest gets the same violations, in the same order, with the same messages', () => {
    expect(results.get('printed')).toEqual(results.get('library'));
    expect(results.get('loaded')).toEqual(results.get('library'));
  });

  test('the corpus reaches the formats, the Kubernetes keywords, the RE2 patterns and the closed schema', () => {
    const library = results.get('library') ?? [];
    expect(library[0]).toEqual([]);
    expect(library.slice(1, version === 'main' ? undefined : -2).every((v) => v.length > 0)).toBe(true);
    const keywords = new Set(library.flat().map((v) => v.keyword));
    for (const keyword of ['format', 'x-kubernetes-list-type', 'pattern', 'enum', 'additionalProperties']) expect(keywords).toContain(keyword);
    if (version === 'main') expect(keywords).toContain('x-kubernetes-validations');
  });
});
