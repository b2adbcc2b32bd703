// The drafted file says which namespaces it leaves out and which platform add-on namespaces it drafts (session 47).
// Before: only the stderr summary said `namespace kube-system left out (…)`; the YAML or TypeScript written to a file,
// reviewed and applied later, did not, and a namespace such as istio-system (istiod, its Prometheus) or monitoring was
// drafted from a sample of its peers like any other, with no word that its pods talk with peers the capture shows few of.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FlowSource, collectConnections, planDraft, renderDraftTypeScript, renderDraftYaml } from '../../src/hubble';
import { HUBBLE_FIXTURES_DIR, HUBBLE_SAMPLES_DIR } from './support/paths';

const capture = (path: string): ReturnType<typeof collectConnections> => collectConnections(FlowSource.file(path));
const header = (text: string, prefix: string): string[] => text.split('\n').filter((l) => l.startsWith(prefix)).slice(0, 12);

describe('the drafted header names the namespaces treated apart', () => {
  test('a namespace left out (kube-system): said in the YAML and TypeScript headers, with the flag that drafts it', async () => {
    const plan = planDraft(await capture(join(HUBBLE_SAMPLES_DIR, 'hubble-otel.basic-sample-348-http-flows.head60.jsonl')));
    const line = 'Namespace kube-system left out (2 connections, 4 flow records: every pod reaches it, and a policy drafted from a capture drops '
      + 'what the capture did not show; --include-kube-system drafts it).';
    expect(header(renderDraftYaml(plan), '# ')).toContain(`# ${line}`);
    expect(header(renderDraftTypeScript(plan), '// ')).toContain(`// ${line}`);
    // istio-system is drafted (its Prometheus), and said to be a platform add-on's namespace.
    expect(plan.namespaces).toEqual(['bookinfo', 'istio-system']);
    expect(header(renderDraftYaml(plan), '# ')).toContain('# Namespace istio-system drafted: it is the usual namespace of Istio (istiod serves configuration '
      + 'and certificates to every sidecar, its webhook the API server), whose pods talk with peers across the cluster, of which a capture shows few, '
      + 'and once applied its drafted policies drop the others; review them, or draft your own namespaces only (--namespace).');
    // Drafted with kube-system: no line leaves it out, and it is named for review as the add-ons' namespaces are (review,
    // session 47: it had no line); bookinfo (no add-on's namespace) has none.
    const all = renderDraftYaml(planDraft(await capture(join(HUBBLE_SAMPLES_DIR, 'hubble-otel.basic-sample-348-http-flows.head60.jsonl')),
      { includeKubeSystem: true }));
    expect(header(all, '# ').filter((l) => l.startsWith('# Namespace '))).toEqual([
      expect.stringMatching(/^# Namespace istio-system drafted: /),
      '# Namespace kube-system drafted: it is the usual namespace of cluster infrastructure (CoreDNS serves every pod, the metrics server and '
        + 'webhooks the API server), whose pods talk with peers across the cluster, of which a capture shows few, and once applied its drafted '
        + 'policies drop the others; review them, or draft your own namespaces only (--namespace).',
    ]);
  });

  test('the shop capture: ingress-nginx and monitoring are named for review, shop and data are not', async () => {
    const plan = planDraft(await capture(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl')));
    expect(header(renderDraftYaml(plan), '# ').filter((l) => l.startsWith('# Namespace ')).map((l) => l.replace(/:.*/, ''))).toEqual([
      '# Namespace kube-system left out (3 connections, 5 flow records', '# Namespace ingress-nginx drafted', '# Namespace monitoring drafted',
    ]);
    const mine = renderDraftYaml(planDraft(await capture(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl')), { namespaces: ['shop', 'data'] }));
    expect(header(mine, '# ').filter((l) => l.startsWith('# Namespace '))).toEqual([]);
  });
});
