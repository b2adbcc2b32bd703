// More Kubernetes NetworkPolicy verdicts authored by np-guard/netpol-analyzer, from test folders that
// shared/conformance/networkpolicy-cases.yaml does not cover: namespaceSelector by matchLabels, matchExpressions
// (In, NotIn, Exists, DoesNotExist) and `{}`; podSelector and namespaceSelector in one peer; several policies on one pod;
// egress-only and ingress-only policyTypes and policyTypes left out; `ingress: []` against `ingress: [{}]`; named ports
// on ingress and on egress; `ports` without peers; UDP; ipBlock with `except` (external sources only).
//
// Each case cites the np-guard input it transcribes (`input`) and the expected output it reads (`output`), each with the
// commit of the stored version that was read. A connlist output lists the allowed connections per workload pair
// (`src => dst : TCP 8080,UDP 53` or `All Connections`); a pair that is not listed is denied. An exposure output adds
// "Exposure Analysis Result" lines for peers that are not in the manifests (`entire-cluster`, `[namespace with {...}]/
// [all pods]`): a case that uses one puts an invented pod in such a namespace and says so. A semantic-diff output
// (`diff_output_from_<ref>.txt`) lists what changed against the reference folder's connlist; pairs it does not list
// keep the reference verdict. Where the stored folder lacks a workload file, the case says which labels and named ports
// it takes and where from (the policies' selectors and the output's port numbers).
//
// Cilium translates NetworkPolicy (pkg/k8s/network_policy.go, `ParseNetworkPolicy`/`parseNetworkPolicyPeer`) with
// Kubernetes semantics except that an `ipBlock` is a CIDR rule, which never matches a pod's IP: every ipBlock case here
// has an address outside the cluster, where both agree. Apache-2.0 material from np-guard/netpol-analyzer.
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { formatVerdict } from '../../src/engine/explain';
import { judge, VerdictCase } from './support/verdict-cases';

const REPO = 'np-guard/netpol-analyzer';

/** A stored np-guard file and the commit of the version read. */
interface Cited {
  readonly path: string;
  readonly commit: string;
}

/** An np-guard test folder: its inputs, its expected output and the manifests transcribed from them. */
interface Folder {
  readonly name: string;
  readonly input: readonly Cited[];
  readonly output: Cited;
  readonly manifests: string;
}

/** One transcribed check: endpoints in the engine's syntax, a connection, the verdict and where it is read. */
type Check = readonly [from: string, to: string, port: string, verdict: 'allow' | 'deny', note: string];

function docs(yaml: string): Record<string, unknown>[] {
  return parseAllDocuments(yaml).map((d) => d.toJSON() as Record<string, unknown>).filter((d) => d !== null);
}

function ns(name: string, labels: Record<string, string> = {}): string {
  const lines = Object.entries(labels).map(([k, v]) => `\n    ${k}: ${v}`).join('');
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}${lines ? `\n  labels:${lines}` : ''}\n---\n`;
}

const cite = (c: Cited): string => `${REPO}:${c.path}@${c.commit}`;

const CASES: VerdictCase[] = [];
const FOLDERS: string[] = [];

function folder(f: Folder, checks: readonly Check[]): void {
  FOLDERS.push(f.name);
  const policies = docs(f.manifests);
  checks.forEach(([from, to, port, verdict, note], i) => {
    CASES.push({
      id: `npg-${f.name}-${i + 1}`,
      source: `output ${cite(f.output)}; input ${f.input.map(cite).join(', ')}`,
      policies,
      from,
      to,
      port,
      verdict,
      note,
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// exposure_matched_and_unmatched_rules_test: one ingress policy, policyTypes left out (ingress only); rule 1 a peer with
// namespaceSelector AND podSelector and no ports; rule 2 namespaceSelector matchExpressions In (no namespace matches);
// rule 3 `namespaceSelector: {}` on TCP 8050. Workload files are not stored: workload-a is app=a-app, workload-b is
// app=b-app in hello-world (the policy's selectors and the allow-all-test folder's deployments).
folder({
  name: 'exposure_matched_and_unmatched_rules_test',
  input: [{ path: 'tests/exposure_matched_and_unmatched_rules_test/netpol.yaml', commit: '796ae5fd1d9ea4a5007fc87835776b14748acd07' }],
  output: {
    path: 'test_outputs/connlist/exposure_matched_and_unmatched_rules_test_exposure_output.txt',
    commit: '796ae5fd1d9ea4a5007fc87835776b14748acd07',
  },
  manifests: `${ns('hello-world')}${ns('other-ns')}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: combined-ingress-rules
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: hello-world
      podSelector:
        matchLabels:
          app: b-app
  - from:
    - namespaceSelector:
           matchExpressions:
           - key: foo.com/managed-state
             operator: In
             values:
             - managed
    ports:
    - port: 8050
      protocol: TCP
  - from:
    - namespaceSelector: {}
    ports:
    - port: 8050
      protocol: TCP
`,
}, [
  ['pod:hello-world:app=b-app', 'pod:hello-world:app=a-app', '8090/TCP', 'allow',
    '"hello-world/workload-b => hello-world/workload-a : All Connections": the namespace+pod peer of rule 1 has no ports'],
  ['pod:hello-world:app=b-app', 'pod:hello-world:app=a-app', '5353/UDP', 'allow', 'All Connections covers UDP too'],
  ['pod:hello-world:app=a-app', 'pod:hello-world:app=b-app', '8000/TCP', 'allow',
    '"workload-a => workload-b : All Connections": policyTypes left out with only ingress rules leaves egress open'],
  ['pod:hello-world:app=a-app', 'cidr:8.8.8.8', '443/TCP', 'allow', '"workload-a => 0.0.0.0-255.255.255.255 : All Connections"'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=b-app', '8000/TCP', 'allow', '"0.0.0.0-255.255.255.255 => workload-b : All Connections"'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=a-app', '8050/TCP', 'deny',
    'No line External => workload-a: `namespaceSelector: {}` selects the pods of every namespace, not addresses outside'],
  ['pod:other-ns:app=c-app', 'pod:hello-world:app=a-app', '8050/TCP', 'allow',
    'Exposure "workload-a <= entire-cluster : TCP 8050" (rule 3); the client is an invented pod in another namespace'],
  ['pod:other-ns:app=c-app', 'pod:hello-world:app=a-app', '8000/TCP', 'deny',
    'Exposure to entire-cluster is TCP 8050 only; other-ns has no foo.com/managed-state label'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// exposure_test_with_multiple_policies_1: two policies on workload-a (union). np-1: ingress from namespaces with env In
// (env-1, env-2) and tier Exists on TCP 8050, policyTypes left out. np-2: the same namespaces (expressions in another
// order) on every port, policyTypes Ingress+Egress with no egress rule (egress denied). The folder has one workload
// (app=a-app in hello-world, from the policies' podSelector); the clients are invented pods in namespaces that do or do
// not match the exposure line.
folder({
  name: 'exposure_test_with_multiple_policies_1',
  input: [{ path: 'tests/exposure_test_with_multiple_policies_1/netpols.yaml', commit: 'e744b53723980f52f7cea9ec856314ffbf4f1900' }],
  output: {
    path: 'test_outputs/connlist/exposure_test_with_multiple_policies_1_exposure_output.txt',
    commit: '735eb73b0e8cffbb429e9a508ac16776eca0e38e',
  },
  manifests: `${ns('hello-world')}${ns('env-match', { env: 'env-2', tier: 'gold' })}${ns('env-other', { env: 'env-3', tier: 'gold' })}${
    ns('env-no-tier', { env: 'env-1' })}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: np-1
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - namespaceSelector:
           matchExpressions:
           - key: env
             operator: In
             values:
             - env-1
             - env-2
           - key: tier
             operator: Exists
    ports:
    - port: 8050
      protocol: TCP
---
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: np-2
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - namespaceSelector:
           matchExpressions:
           - key: tier
             operator: Exists
           - key: env
             operator: In
             values:
             - env-2
             - env-1
  policyTypes:
  - Ingress
  - Egress # deny egress
`,
}, [
  ['pod:env-match:app=x', 'pod:hello-world:app=a-app', '9999/UDP', 'allow',
    'Exposure "workload-a <= [namespace with {env In (env-1,env-2)},{tier Exists}]/[all pods] : All Connections" (np-2)'],
  ['pod:env-match:app=x', 'pod:hello-world:app=a-app', '8050/TCP', 'allow', 'np-1 and np-2 both allow it'],
  ['pod:env-other:app=x', 'pod:hello-world:app=a-app', '8050/TCP', 'deny', 'env=env-3 is not In (env-1, env-2): no exposure line'],
  ['pod:env-no-tier:app=x', 'pod:hello-world:app=a-app', '8050/TCP', 'deny', 'env=env-1 but no tier label: tier Exists fails'],
  ['pod:hello-world:app=b', 'pod:hello-world:app=a-app', '8050/TCP', 'deny', 'hello-world has neither label; no exposure line'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=a-app', '8050/TCP', 'deny', 'No ingress exposure to external addresses'],
  ['pod:hello-world:app=a-app', 'cidr:8.8.8.8', '53/UDP', 'deny',
    'No egress exposure for workload-a: np-2 lists Egress with no egress rule, and np-1 (ingress only) adds none'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// exposure_test_egress_with_named_port_with_matching_pod: ingress from `namespaceSelector: {}` on the named port
// local-dns, egress to namespaces with foo.com/managed-state In (managed) on the named port http; policyTypes left out.
// Only netpol.yaml is stored: the named ports are read from the output (workload-a local-dns = TCP 8000,
// matching-workload http = TCP 8090), and matching-ns carries foo.com/managed-state=managed (the egress line).
folder({
  name: 'exposure_test_egress_with_named_port_with_matching_pod',
  input: [{ path: 'tests/exposure_test_egress_with_named_port_with_matching_pod/netpol.yaml', commit: '3c602d1f03aa2508f7d0341a3bb93d04627ec438' }],
  output: {
    path: 'test_outputs/connlist/exposure_test_egress_with_named_port_with_matching_pod_exposure_output.txt',
    commit: 'a804f5bf162e61e5e19097fd717252006c4f22c8',
  },
  manifests: `${ns('hello-world')}${ns('matching-ns', { 'foo.com/managed-state': 'managed' })}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: egress-with-named-port
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - namespaceSelector: {}
    ports:
    - port: local-dns
      protocol: TCP
  egress:
  - to:
    - namespaceSelector:
           matchExpressions:
           - key: foo.com/managed-state
             operator: In
             values:
             - managed
    ports:
    - port: http
      protocol: TCP
`,
}, [
  ['pod:hello-world:app=a-app,ports=local-dns:8000/TCP', 'pod:matching-ns:app=matching,ports=http:8090/TCP', '8090/TCP', 'allow',
    '"hello-world/workload-a => matching-ns/matching-workload : TCP 8090": the egress named port resolves on the destination'],
  ['pod:hello-world:app=a-app,ports=local-dns:8000/TCP', 'pod:matching-ns:app=matching,ports=http:8090/TCP', '8000/TCP', 'deny',
    'Only TCP 8090 (http) is listed'],
  ['pod:matching-ns:app=matching,ports=http:8090/TCP', 'pod:hello-world:app=a-app,ports=local-dns:8000/TCP', '8000/TCP', 'allow',
    '"matching-ns/matching-workload => hello-world/workload-a : TCP 8000": ingress named port local-dns'],
  ['pod:matching-ns:app=matching,ports=http:8090/TCP', 'pod:hello-world:app=a-app,ports=local-dns:8000/TCP', '8090/TCP', 'deny',
    'Only TCP 8000 (local-dns) is listed'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=a-app,ports=local-dns:8000/TCP', '8000/TCP', 'deny',
    'No line External => workload-a: `namespaceSelector: {}` is pods only'],
  ['pod:hello-world:app=a-app,ports=local-dns:8000/TCP', 'cidr:8.8.8.8', '8090/TCP', 'deny',
    'No line workload-a => External: egress goes only to the managed namespaces'],
  ['cidr:203.0.113.5', 'pod:matching-ns:app=matching,ports=http:8090/TCP', '8090/TCP', 'allow',
    '"0.0.0.0-255.255.255.255 => matching-ns/matching-workload : All Connections" (unprotected)'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// exposure_test_with_match_expression_not_in_op_with_matching_pods: ingress from namespaces with env NotIn (env-a,
// env-b) (a namespace without env matches), egress to pods of its own namespace with app NotIn (a-app, b-app);
// policyTypes left out (both directions, egress rules present). The workload files are not stored: workload-a/-b are
// app=a-app/b-app; matching-workload2 (hello-world) and matching-workload1 (matching-ns, no env label) are given app=app-2
// and app=app-1: any labels outside the NotIn lists read the same.
folder({
  name: 'exposure_test_with_match_expression_not_in_op_with_matching_pods',
  input: [{
    path: 'tests/exposure_test_with_match_expression_not_in_op_with_matching_pods/netpol.yaml',
    commit: '3c602d1f03aa2508f7d0341a3bb93d04627ec438',
  }],
  output: {
    path: 'test_outputs/connlist/exposure_test_with_match_expression_not_in_op_with_matching_pods_exposure_output.txt',
    commit: '3c602d1f03aa2508f7d0341a3bb93d04627ec438',
  },
  manifests: `${ns('hello-world')}${ns('matching-ns')}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: match-exp-values-exists-op
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - namespaceSelector:
           matchExpressions:
           - key: env
             operator: NotIn
             values:
               - env-a
               - env-b
  egress:
  - to:
    - podSelector:
           matchExpressions:
           - key: app
             operator: NotIn
             values:
              - a-app
              - b-app
`,
}, [
  ['pod:hello-world:app=b-app', 'pod:hello-world:app=a-app', '8000/TCP', 'allow',
    '"hello-world/workload-b => hello-world/workload-a : All Connections": hello-world has no env label, so env NotIn holds'],
  ['pod:matching-ns:app=app-1', 'pod:hello-world:app=a-app', '8050/UDP', 'allow',
    '"matching-ns/matching-workload1 => hello-world/workload-a : All Connections"'],
  ['pod:hello-world:app=a-app', 'pod:hello-world:app=app-2', '8080/TCP', 'allow',
    '"hello-world/workload-a => hello-world/matching-workload2 : All Connections"'],
  ['pod:hello-world:app=a-app', 'pod:hello-world:app=b-app', '8080/TCP', 'deny', 'No line workload-a => workload-b: app NotIn (a-app, b-app)'],
  ['pod:hello-world:app=a-app', 'pod:matching-ns:app=app-1', '8080/TCP', 'deny',
    'No line workload-a => matching-ns/matching-workload1: a podSelector alone selects the policy\'s namespace only'],
  ['pod:hello-world:app=a-app', 'cidr:8.8.8.8', '443/TCP', 'deny', 'No line workload-a => External: egress is restricted to pods'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=a-app', '8000/TCP', 'deny', 'No line External => workload-a'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// exposure_test_with_different_rules_2_with_matching_pod: two ingress rules on workload-a, app In (x) on TCP 9090 and
// app Exists on TCP 8080; policyTypes left out. matching-workload is app=x (matching_pod.yaml); workload-a/-b as above.
folder({
  name: 'exposure_test_with_different_rules_2_with_matching_pod',
  input: [
    { path: 'tests/exposure_test_with_different_rules_2_with_matching_pod/netpol.yaml', commit: 'e744b53723980f52f7cea9ec856314ffbf4f1900' },
    { path: 'tests/exposure_test_with_different_rules_2_with_matching_pod/matching_pod.yaml', commit: 'd591d65cadc22d36fcabe1ce2e4aabf96685e85e' },
  ],
  output: {
    path: 'test_outputs/connlist/exposure_test_with_different_rules_2_with_matching_pod_exposure_output.txt',
    commit: '4ecf917862c69c88c8faed01ca6e88226928a27d',
  },
  manifests: `${ns('hello-world')}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: match-exp-2
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - podSelector:
          matchExpressions:
          - key: app
            operator: In
            values:
            - x
    ports:
    - port: 9090
      protocol: TCP
  - from:
    - podSelector:
          matchExpressions:
          - key: app
            operator: Exists
    ports:
    - port: 8080
      protocol: TCP
`,
}, [
  ['pod:hello-world:app=x', 'pod:hello-world:app=a-app', '9090/TCP', 'allow',
    '"hello-world/matching-workload => hello-world/workload-a : TCP 8080,9090"'],
  ['pod:hello-world:app=x', 'pod:hello-world:app=a-app', '8080/TCP', 'allow', 'Same line: app Exists holds for app=x too'],
  ['pod:hello-world:app=x', 'pod:hello-world:app=a-app', '8050/TCP', 'deny', 'Same line: only TCP 8080 and 9090'],
  ['pod:hello-world:app=b-app', 'pod:hello-world:app=a-app', '8080/TCP', 'allow', '"hello-world/workload-b => hello-world/workload-a : TCP 8080"'],
  ['pod:hello-world:app=b-app', 'pod:hello-world:app=a-app', '9090/TCP', 'deny', 'Same line: app=b-app is not In (x)'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=a-app', '8080/TCP', 'deny', 'No line External => workload-a'],
  ['pod:hello-world:app=a-app', 'cidr:8.8.8.8', '443/TCP', 'allow', '"workload-a => 0.0.0.0-255.255.255.255[External] : All Connections"'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// exposure_test_rule_with_multiple_match_expressions_with_matching_pod: one peer with four pod expressions (env
// DoesNotExist, role In, app NotIn, tier Exists). The folder stores matching_pod.yaml only; the policy is the base folder's
// (exposure_test_rule_with_multiple_match_expressions/netpol.yaml), the same four expressions as the exposure line.
folder({
  name: 'exposure_test_rule_with_multiple_match_expressions_with_matching_pod',
  input: [
    { path: 'tests/exposure_test_rule_with_multiple_match_expressions/netpol.yaml', commit: '3c602d1f03aa2508f7d0341a3bb93d04627ec438' },
    {
      path: 'tests/exposure_test_rule_with_multiple_match_expressions_with_matching_pod/matching_pod.yaml',
      commit: 'e744b53723980f52f7cea9ec856314ffbf4f1900',
    },
  ],
  output: {
    path: 'test_outputs/connlist/exposure_test_rule_with_multiple_match_expressions_with_matching_pod_exposure_output.txt',
    commit: '796ae5fd1d9ea4a5007fc87835776b14748acd07',
  },
  manifests: `${ns('hello-world')}
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: multiple-match-exp
  namespace: hello-world
spec:
  podSelector:
    matchLabels:
      app: a-app
  ingress:
  - from:
    - podSelector:
           matchExpressions:
           - key: env
             operator: DoesNotExist
           - key: role
             operator: In
             values:
             - frontend
             - web
             - api
           - key: app
             operator: NotIn
             values:
             - b-app
             - c-app
             - d-app
           - key: tier
             operator: Exists
`,
}, [
  ['pod:hello-world:role=frontend,app=matching-app,tier=frontend', 'pod:hello-world:app=a-app', '8000/TCP', 'allow',
    '"hello-world/matching-workload => hello-world/workload-a : All Connections"'],
  ['pod:hello-world:app=b-app', 'pod:hello-world:app=a-app', '8000/TCP', 'deny', 'No line workload-b => workload-a'],
  ['cidr:203.0.113.5', 'pod:hello-world:app=a-app', '8000/TCP', 'deny', 'No line External => workload-a'],
  ['pod:hello-world:app=a-app', 'pod:hello-world:app=b-app', '8000/TCP', 'allow', '"hello-world/workload-a => hello-world/workload-b : All Connections"'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// new_online_boutique: eleven policies in `default` (no metadata.namespace), ingress from several podSelector peers
// (union), frontend's ingress from a namespaceSelector+podSelector peer that matches nothing (no asm-ingress
// namespace), `egress: [{}]`, and loadgenerator with an egress-only policy. Workloads: app=<name> in default.
folder({
  name: 'new_online_boutique',
  input: [{ path: 'tests/new_online_boutique/all_network_policies.yaml', commit: 'ff228f8d66ae5bbe78b3531dd00455ec8bb1928f' }],
  output: { path: 'tests/new_online_boutique/connlist_output.txt', commit: '6e8268c567a8b7e0afe3be573dad099552e387a3' },
  manifests: ['adservice:frontend:9555', 'cartservice:frontend,checkoutservice:7070', 'checkoutservice:frontend:5050',
    'currencyservice:frontend,checkoutservice:7000', 'emailservice:checkoutservice:8080', 'paymentservice:checkoutservice:50051',
    'productcatalogservice:frontend,checkoutservice,recommendationservice:3550', 'recommendationservice:frontend:8080',
    'shippingservice:frontend,checkoutservice:50051'].map((spec) => {
    const [app, froms, port] = spec.split(':');
    const peers = froms.split(',').map((f) => `\n    - podSelector:\n        matchLabels:\n          app: ${f}`).join('');
    return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${app}\nspec:\n  podSelector:\n    matchLabels:\n`
      + `      app: ${app}\n  policyTypes:\n  - Ingress\n  - Egress\n  ingress:\n  - from:${peers}\n    ports:\n     - port: ${port}\n`
      + '       protocol: TCP\n  egress:\n  - {}\n---\n';
  }).join('') + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: frontend
spec:
  podSelector:
    matchLabels:
      app: frontend
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: loadgenerator
    - namespaceSelector:
        matchLabels:
          name: asm-ingress
      podSelector:
        matchLabels:
          app: asm-ingressgateway
    ports:
     - port: 8080
       protocol: TCP
  egress:
  - {}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: loadgenerator
spec:
  podSelector:
    matchLabels:
      app: loadgenerator
  policyTypes:
  - Egress
  egress:
  - {}
`,
}, [
  ['pod:default:app=loadgenerator', 'pod:default:app=frontend', '8080/TCP', 'allow', '"default/loadgenerator => default/frontend : TCP 8080"'],
  ['cidr:203.0.113.5', 'pod:default:app=frontend', '8080/TCP', 'deny',
    'No line External => frontend: its namespaceSelector+podSelector peer selects pods of asm-ingress namespaces only'],
  ['pod:default:app=frontend', 'pod:default:app=adservice', '9555/TCP', 'allow', '"default/frontend => default/adservice : TCP 9555"'],
  ['pod:default:app=checkoutservice', 'pod:default:app=adservice', '9555/TCP', 'deny', 'No line checkoutservice => adservice'],
  ['pod:default:app=checkoutservice', 'pod:default:app=cartservice', '7070/TCP', 'allow',
    '"default/checkoutservice => default/cartservice : TCP 7070": the second peer of the from list'],
  ['pod:default:app=recommendationservice', 'pod:default:app=productcatalogservice', '3550/TCP', 'allow',
    '"default/recommendationservice => default/productcatalogservice : TCP 3550": the third peer'],
  ['pod:default:app=recommendationservice', 'pod:default:app=cartservice', '7070/TCP', 'deny', 'No line recommendationservice => cartservice'],
  ['pod:default:app=frontend', 'pod:default:app=checkoutservice', '5051/TCP', 'deny', '"default/frontend => default/checkoutservice : TCP 5050" only'],
  ['pod:default:app=frontend', 'pod:default:app=loadgenerator', '80/TCP', 'allow',
    '"default/frontend => default/loadgenerator : All Connections": loadgenerator\'s policy is egress-only'],
  ['cidr:203.0.113.5', 'pod:default:app=loadgenerator', '80/TCP', 'allow', '"0.0.0.0-255.255.255.255 => default/loadgenerator : All Connections"'],
  ['pod:default:app=emailservice', 'cidr:8.8.8.8', '443/TCP', 'allow', '"default/emailservice => 0.0.0.0-255.255.255.255 : All Connections": egress [{}]'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// test_with_named_ports_changed_netpol: one ingress-only policy on every pod of kube-system-dummy-to-ignore, a rule with
// `ports` (named: dns-local/UDP, dns-tcp-local/TCP, metrics/TCP) and no `from`. The pods are test_with_named_ports'
// (not stored there; the same pods list is stored in with_end_port_example_new): kube-dns declares dns-local 10053/UDP,
// dns-tcp-local 10053/TCP, dns 53/UDP, dns-tcp 53/TCP, metrics 10054/TCP; calico-kube-controllers declares no port.
const KUBE_DNS = 'pod:kube-system-dummy-to-ignore:k8s-app=kube-dns,'
  + 'ports=dns-local:10053/UDP;dns-tcp-local:10053/TCP;dns:53/UDP;dns-tcp:53/TCP;metrics:10054/TCP';
folder({
  name: 'test_with_named_ports_changed_netpol',
  input: [
    { path: 'tests/test_with_named_ports_changed_netpol/policies.yaml', commit: '205f104b1032e305b940c5625441c4b1e948e157' },
    { path: 'tests/with_end_port_example_new/pods_list.yaml', commit: '3c2781b958a484b861c4ace1b4cd6e18d33a0246' },
  ],
  output: { path: 'tests/test_with_named_ports_changed_netpol/connlist_output.txt', commit: 'e99f47febefe5352a5486eceb90be8ba425be01d' },
  manifests: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ingress-based-on-named-ports
  namespace: kube-system-dummy-to-ignore
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  ingress:
    - ports:
        - port: dns-local
          protocol: UDP
        - port: dns-tcp-local
          protocol: TCP
        - port: metrics
          protocol: TCP
`,
}, [
  ['pod:default:app=skydive,tier=agent', KUBE_DNS, '10053/UDP', 'allow',
    '"default/cog-agents => kube-system-dummy-to-ignore/kube-dns-amd64-d66bf76db : TCP 10053-10054,UDP 10053"'],
  ['pod:default:app=skydive,tier=agent', KUBE_DNS, '10053/TCP', 'allow', 'Same line (dns-tcp-local)'],
  ['pod:default:app=skydive,tier=agent', KUBE_DNS, '10054/TCP', 'allow', 'Same line (metrics)'],
  ['pod:default:app=skydive,tier=agent', KUBE_DNS, '10054/UDP', 'deny', 'Same line: UDP is 10053 only'],
  ['pod:default:app=skydive,tier=agent', KUBE_DNS, '53/UDP', 'deny', 'Same line: the named port dns is not in the policy'],
  ['cidr:203.0.113.5', KUBE_DNS, '10053/UDP', 'allow', '"0.0.0.0-255.255.255.255 => kube-dns : TCP 10053-10054,UDP 10053": no from = any source'],
  ['pod:default:app=skydive,tier=agent', 'pod:kube-system-dummy-to-ignore:k8s-app=calico-kube-controllers', '10053/UDP', 'deny',
    'No line => calico-kube-controllers: selected by the policy, and none of its named ports exists on that pod'],
  ['pod:kube-system-dummy-to-ignore:k8s-app=kube-dns', 'pod:default:app=skydive,tier=agent', '80/TCP', 'allow',
    '"kube-dns-amd64-d66bf76db => default/cog-agents : All Connections": the policy is ingress-only'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// acs-security-demos-new: the acs-security-demos policies changed (shipping and asset-cache `ingress: []`, reports and
// catalog on TCP 9080) and a new workload external/unicorn in an unlabeled, unprotected namespace. Expected output: the
// diff against acs-security-demos (its connlist_output.md for unchanged pairs). The payments namespace's policies and
// notification-netpol are left out: no case has those pods at either end. Workloads: app=<name> (acs-security-demos).
const ACS_NEW_POLICIES = `${ns('backend')}${ns('frontend')}${ns('payments')}${ns('external')}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: asset-cache-netpol
  namespace: frontend
spec:
  ingress: [] # blocking any ingress
  podSelector:
    matchLabels:
      app: asset-cache
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: catalog-netpol
  namespace: backend
spec:
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: recommendation
    ports:
    - port: 8080
      protocol: TCP
  - from:
    - podSelector:
        matchLabels:
          app: reports
    ports:
    - port: 9080
      protocol: TCP
  podSelector:
    matchLabels:
      app: catalog
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: checkout-netpol
  namespace: backend
spec:
  egress:
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - podSelector:
        matchLabels:
          app: notification
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - podSelector:
        matchLabels:
          app: recommendation
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: payments
      podSelector:
        matchLabels:
          app: gateway
  - ports:
    - port: 5353
      protocol: UDP
    to:
    - namespaceSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: frontend
      podSelector:
        matchLabels:
          app: webapp
    ports:
    - port: 8080
      protocol: TCP
  podSelector:
    matchLabels:
      app: checkout
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: recommendation-netpol
  namespace: backend
spec:
  egress:
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - podSelector:
        matchLabels:
          app: catalog
  - ports:
    - port: 5353
      protocol: UDP
    to:
    - namespaceSelector: {}
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: checkout
    ports:
    - port: 8080
      protocol: TCP
  - from:
    - podSelector:
        matchLabels:
          app: reports
    ports:
    - port: 8080
      protocol: TCP
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: frontend
      podSelector:
        matchLabels:
          app: webapp
    ports:
    - port: 8080
      protocol: TCP
  podSelector:
    matchLabels:
      app: recommendation
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: reports-netpol
  namespace: backend
spec:
  egress:
  - ports:
    - port: 9080  # changed
      protocol: TCP
    to:
    - podSelector:
        matchLabels:
          app: catalog
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - podSelector:
        matchLabels:
          app: recommendation
  - ports:
    - port: 5353
      protocol: UDP
    to:
    - namespaceSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: frontend
      podSelector:
        matchLabels:
          app: webapp
    ports:
    - port: 8080
      protocol: TCP
  podSelector:
    matchLabels:
      app: reports
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: shipping-netpol
  namespace: backend
spec:
  ingress: [] # removed
  podSelector:
    matchLabels:
      app: shipping
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: webapp-netpol
  namespace: frontend
spec:
  egress:
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: backend
      podSelector:
        matchLabels:
          app: checkout
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: backend
      podSelector:
        matchLabels:
          app: recommendation
  - ports:
    - port: 8080
      protocol: TCP
    to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: backend
      podSelector:
        matchLabels:
          app: reports
  - ports:
    - port: 5353
      protocol: UDP
    to:
    - namespaceSelector: {}
  ingress:
  - from:
    - namespaceSelector: {}
    ports:
    - port: 8080
      protocol: TCP
  podSelector:
    matchLabels:
      app: webapp
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-in-namespace-backend
  namespace: backend
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-in-namespace-frontend
  namespace: frontend
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
`;
folder({
  name: 'acs-security-demos-new',
  input: [
    { path: 'tests/acs-security-demos-new/acs_netpols.yaml', commit: '3322ac5a026496cbb4dd8eacc8cabc8e6424eed5' },
    { path: 'tests/acs-security-demos-new/external/new_deployment.yaml', commit: '23a7dcb6d83653b55d67990eba6965650aaf4f3b' },
    { path: 'tests/acs-security-demos/connlist_output.md', commit: '49a84c09f465c0005e9d4968a927aba209de8f5c' },
  ],
  output: { path: 'tests/acs-security-demos-new/diff_output_from_acs-security-demos.txt', commit: '3322ac5a026496cbb4dd8eacc8cabc8e6424eed5' },
  manifests: ACS_NEW_POLICIES,
}, [
  ['pod:backend:app=checkout', 'pod:external:app=unicorn', '5353/UDP', 'allow',
    'Added "backend/checkout => external/unicorn, dir2: UDP 5353": egress to `namespaceSelector: {}` reaches an unlabeled namespace'],
  ['pod:backend:app=checkout', 'pod:external:app=unicorn', '5353/TCP', 'deny', 'Same line: UDP 5353 only'],
  ['pod:external:app=unicorn', 'pod:frontend:app=webapp', '8080/TCP', 'allow',
    'Added "external/unicorn => frontend/webapp, dir2: TCP 8080": webapp\'s ingress from `namespaceSelector: {}`'],
  ['pod:external:app=unicorn', 'pod:frontend:app=webapp', '9090/TCP', 'deny', 'Same line: TCP 8080 only'],
  ['cidr:203.0.113.5', 'pod:frontend:app=webapp', '8080/TCP', 'deny',
    'No External => webapp in acs-security-demos nor in the diff: `namespaceSelector: {}` is pods only'],
  ['pod:frontend:app=webapp', 'pod:backend:app=shipping', '8080/TCP', 'deny',
    'Removed "frontend/webapp => backend/shipping, dir2: No Connections": shipping has `ingress: []` (and webapp no egress to it)'],
  ['pod:external:app=unicorn', 'pod:frontend:app=asset-cache', '8080/TCP', 'deny',
    'No unicorn => asset-cache in the diff\'s added lines: `ingress: []` with Ingress listed denies every source'],
  ['pod:backend:app=reports', 'pod:backend:app=catalog', '9080/TCP', 'allow', 'Changed "backend/reports => backend/catalog, dir2: TCP 9080"'],
  ['pod:backend:app=reports', 'pod:backend:app=catalog', '8080/TCP', 'deny', 'Same line: TCP 8080 is gone'],
  ['pod:backend:app=recommendation', 'pod:backend:app=catalog', '8080/TCP', 'allow',
    'Unchanged "backend/recommendation => backend/catalog : TCP 8080" (acs-security-demos)'],
  ['cidr:203.0.113.5', 'pod:external:app=unicorn', '5353/UDP', 'allow', 'Added "0.0.0.0-255.255.255.255 => external/unicorn, dir2: All Connections"'],
  ['pod:external:app=unicorn', 'cidr:8.8.8.8', '443/TCP', 'allow', 'Added "external/unicorn => 0.0.0.0-255.255.255.255, dir2: All Connections"'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// semanticDiff-same-topologies-new2: one ingress-only policy with TCP 8082, TCP 8081 and UDP 9091 from a podSelector.
// Pods: semanticDiff-same-topologies-old2's (demo namespace, DaemonSet pods with app=<x>-selector, tier=agent).
folder({
  name: 'semanticDiff-same-topologies-new2',
  input: [{ path: 'tests/semanticDiff-same-topologies-new2/new2.yaml', commit: '33042ed0674d17f0826d81cd25502cad463fd954' }],
  output: { path: 'test_outputs/connlist/semanticDiff-same-topologies-new2_connlist_output.txt', commit: '49264ddb8ecaa2012f78fe56c55adeb509af3bb7' },
  manifests: `# UI -> Command
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ui-to-command
  namespace: demo
spec:
  podSelector:
    matchLabels:
      app: account-command-selector
  policyTypes:
    - Ingress
  ingress:
    - from:
      - podSelector:
          matchLabels:
            app: bank-ui-selector
      ports:
        - port: 8082
          protocol: TCP
        - port: 8081
          protocol: TCP
        - port: 9091
          protocol: UDP
`,
}, [
  ['pod:demo:app=bank-ui-selector,tier=agent', 'pod:demo:app=account-command-selector,tier=agent', '8081/TCP', 'allow',
    '"demo/cog-agents-bank-ui => demo/cog-agents-account-command : TCP 8081-8082,UDP 9091"'],
  ['pod:demo:app=bank-ui-selector,tier=agent', 'pod:demo:app=account-command-selector,tier=agent', '9091/UDP', 'allow', 'Same line'],
  ['pod:demo:app=bank-ui-selector,tier=agent', 'pod:demo:app=account-command-selector,tier=agent', '9091/TCP', 'deny', 'Same line: 9091 is UDP only'],
  ['pod:demo:app=account-query-selector,tier=agent', 'pod:demo:app=account-command-selector,tier=agent', '8081/TCP', 'deny',
    'No line account-query => account-command'],
  ['cidr:203.0.113.5', 'pod:demo:app=account-command-selector,tier=agent', '8081/TCP', 'deny', 'No line External => account-command'],
  ['pod:demo:app=account-command-selector,tier=agent', 'pod:demo:app=account-query-selector,tier=agent', '8081/UDP', 'allow',
    '"demo/cog-agents-account-command => demo/cog-agents-account-query : All Connections": the policy is ingress-only'],
]);

// ---------------------------------------------------------------------------------------------------------------------
// ipblockstest_2/_3/_4: the ipblockstest policy on kube-system tier=frontend pods changed; the expected outputs are the
// diffs against ipblockstest (whose connlist gives UDP 53 from the same ipBlock and nothing from pods). Sources are
// addresses outside the cluster (Cilium's ipBlock never matches pods); calico-node-tier's pod is k8s-app=calico-node,
// tier=frontend (ipblockstest's pods list, as in the shared cases).
const CALICO = 'pod:kube-system:k8s-app=calico-node,tier=frontend';
const ipblockPolicy = (except: string[]): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: enable-from-ipblock-to-isolated-by-tier
  namespace: kube-system
spec:
  podSelector:
    matchLabels:
      tier: frontend
  policyTypes:
  - Ingress
  ingress:
    - from:
      - ipBlock:
          cidr: 0.0.0.0/0     # All destinations
          except:${except.map((e) => `\n          - ${e}`).join('')}
      ports:
        - port: 53
          protocol: TCP
`;
folder({
  name: 'ipblockstest_2',
  input: [{ path: 'tests/ipblockstest_2/withIpBlock-networkpolicy.yaml', commit: '33042ed0674d17f0826d81cd25502cad463fd954' }],
  output: { path: 'tests/ipblockstest_2/diff_output_from_ipblockstest.txt', commit: '0a75ed3ab43ab160615835df2a338eb343ae61fe' },
  manifests: ipblockPolicy(['10.0.0.0/8', '172.21.0.0/16', '172.30.0.0/16']),
}, [
  ['cidr:8.8.8.8', CALICO, '53/TCP', 'allow', 'Changed "0.0.0.0-9.255.255.255 => kube-system/calico-node-tier, dir1: UDP 53, dir2: TCP 53"'],
  ['cidr:8.8.8.8', CALICO, '53/UDP', 'deny', 'Same line: UDP 53 is gone'],
  ['cidr:172.30.4.5', CALICO, '53/TCP', 'deny', 'No line from 172.30.0.0/16 (an except) in the diff nor in ipblockstest'],
]);
folder({
  name: 'ipblockstest_3',
  input: [{ path: 'tests/ipblockstest_3/withIpBlock-networkpolicy.yaml', commit: '33042ed0674d17f0826d81cd25502cad463fd954' }],
  output: { path: 'tests/ipblockstest_3/diff_output_from_ipblockstest.txt', commit: '59de6d8fa27665c33249e854431365f6eb584e1b' },
  manifests: ipblockPolicy(['10.0.0.0/9', '10.128.0.0/9', '172.21.0.0/16', '172.30.0.0/16']),
}, [
  ['cidr:172.22.0.1', CALICO, '53/TCP', 'allow', 'Changed "172.22.0.0-172.29.255.255 => kube-system/calico-node-tier, dir2: TCP 53"'],
  ['cidr:10.200.0.1', CALICO, '53/TCP', 'deny', 'No line from 10.0.0.0/8: the two /9 excepts cover it'],
  ['cidr:11.0.0.1', CALICO, '53/UDP', 'deny', 'Changed "11.0.0.0-172.20.255.255 => calico-node-tier, dir2: TCP 53": no UDP'],
  ['pod:default:app=skydive,tier=agent', CALICO, '53/TCP', 'deny', 'No pod source for calico-node-tier in ipblockstest or the diff'],
]);
folder({
  name: 'ipblockstest_4',
  input: [{ path: 'tests/ipblockstest_4/withIpBlock-networkpolicy.yaml', commit: '33042ed0674d17f0826d81cd25502cad463fd954' }],
  output: { path: 'tests/ipblockstest_4/diff_output_from_ipblockstest.txt', commit: '0a75ed3ab43ab160615835df2a338eb343ae61fe' },
  // The policy lists about 300 egress ipBlocks; the cases exercise ingress, which policyTypes [Egress] leaves open, so
  // only its first entries are kept here.
  manifests: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: enable-from-ipblock-to-isolated-by-tier
  namespace: kube-system
spec:
  podSelector:
    matchLabels:
      tier: frontend
  policyTypes:
  - Egress
  egress:
  - to:
    - ipBlock:
        cidr: 49.50.0.0/32
    - ipBlock:
        cidr: 49.50.0.2/32
    - ipBlock:
        cidr: 50.0.0.0/8
`,
}, [
  ['cidr:10.1.2.3', CALICO, '8080/TCP', 'allow',
    'Added "10.0.0.0-10.255.255.255 => kube-system/calico-node-tier, dir2: All Connections": an egress-only policy leaves ingress open'],
  ['pod:default:app=cognetive-agents', CALICO, '8080/TCP', 'allow',
    'Added "default/cognetive-agents => kube-system/calico-node-tier, dir2: All Connections"'],
]);

describe('np-guard NetworkPolicy verdicts, more folders', () => {
  test('at least 40 cases, both verdicts, from at least 10 folders', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => c.verdict === 'allow').length).toBeGreaterThan(15);
    expect(CASES.filter((c) => c.verdict === 'deny').length).toBeGreaterThan(15);
    expect(new Set(FOLDERS).size).toBeGreaterThanOrEqual(10);
  });

  test.each(CASES.map((c) => [`${c.id}: ${c.verdict} ${c.from} → ${c.to} ${c.port}`, c] as const))('%s', (_name, c) => {
    const { got, verdict } = judge(c);
    expect(got, `${c.source}\n${c.note ?? ''}\n${formatVerdict(verdict)}`).toBe(c.verdict);
  });
});
