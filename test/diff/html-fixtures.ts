import {
  ConnectionVerdict,
  ConnectivityDiffDocument,
  ConnectivityReportDocument,
  DIFF_SCHEMA,
  EndpointClass,
  EndpointClassKind,
  REPORT_SCHEMA,
} from '../../src/model/connectivity-document';

/** A small platform: three namespaces (shop, payments, monitoring) and world, a CIDR, host and the API server outside. */
export const PLATFORM: EndpointClass[] = [
  { id: 'world', kind: EndpointClassKind.WORLD, name: 'world' },
  { id: 'cidr:10.0.0.0/8', kind: EndpointClassKind.WORLD, name: 'world 10.0.0.0/8' },
  { id: 'host', kind: EndpointClassKind.HOST, name: 'host' },
  { id: 'entity:kube-apiserver', kind: EndpointClassKind.ENTITY, name: 'kube-apiserver' },
  {
    id: 'pod:shop/frontend', kind: EndpointClassKind.POD, name: 'shop/frontend', namespace: 'shop',
    labels: { app: 'frontend' }, workloads: ['Deployment shop/frontend'],
  },
  { id: 'pod:shop/api', kind: EndpointClassKind.POD, name: 'shop/api', namespace: 'shop', labels: { app: 'api' }, workloads: ['Deployment shop/api'] },
  { id: 'other:shop', kind: EndpointClassKind.OTHER_POD, name: 'shop/(other pods)', namespace: 'shop' },
  { id: 'pod:payments/gateway', kind: EndpointClassKind.POD, name: 'payments/gateway', namespace: 'payments', labels: { app: 'gateway' } },
  { id: 'pod:payments/ledger', kind: EndpointClassKind.POD, name: 'payments/ledger', namespace: 'payments', labels: { app: 'ledger' } },
  { id: 'other:payments', kind: EndpointClassKind.OTHER_POD, name: 'payments/(other pods)', namespace: 'payments' },
  { id: 'pod:monitoring/prometheus', kind: EndpointClassKind.POD, name: 'monitoring/prometheus', namespace: 'monitoring', labels: { app: 'prometheus' } },
  { id: 'pod:monitoring/grafana', kind: EndpointClassKind.POD, name: 'monitoring/grafana', namespace: 'monitoring', labels: { app: 'grafana' } },
];

const defaultDeny = (ns: string, app: string) => ({ text: `default deny (CNP ${ns}/${app} selects ${ns}/${app})`, policy: `CiliumNetworkPolicy ${ns}/${app}` });
const allowedBy = (ns: string, app: string, dir: string, rule: number, line: number) => ({
  text: `allowed by CNP ${ns}/${app} ${dir} rule ${rule}`,
  policy: `CiliumNetworkPolicy ${ns}/${app}`,
  location: `policies/${ns}/${app}.yaml:${line}`,
});

/** A pull request that opens the shop to the world and the ledger to the api, and closes three paths. */
export const DIFF: ConnectivityDiffDocument = {
  schema: DIFF_SCHEMA,
  base: { source: 'origin/main:policies', policies: 9 },
  head: { source: 'policies', policies: 10 },
  summary: { newlyAllowed: 4, newlyDenied: 3 },
  endpoints: PLATFORM,
  changes: [
    {
      from: 'world', to: 'pod:shop/frontend', ports: ['443/TCP'], before: ConnectionVerdict.DENIED, after: ConnectionVerdict.ALLOWED,
      reason: { before: defaultDeny('shop', 'frontend'), after: allowedBy('shop', 'frontend', 'ingress', 1, 14) },
    },
    {
      from: 'pod:shop/api', to: 'cidr:10.0.0.0/8', ports: ['443/TCP', '8443/TCP'], before: ConnectionVerdict.DENIED, after: ConnectionVerdict.ALLOWED,
      reason: { before: defaultDeny('shop', 'api'), after: allowedBy('shop', 'api', 'egress', 2, 31) },
    },
    {
      from: 'pod:shop/api', to: 'pod:payments/ledger', ports: ['5432/TCP'], before: ConnectionVerdict.DENIED, after: ConnectionVerdict.ALLOWED,
      reason: { before: defaultDeny('payments', 'ledger'), after: allowedBy('payments', 'ledger', 'ingress', 0, 9) },
    },
    {
      from: 'pod:monitoring/prometheus', to: 'pod:payments/gateway', ports: ['9090/TCP'], l7: 'HTTP GET /metrics', before: ConnectionVerdict.DENIED, after: ConnectionVerdict.ALLOWED,
      reason: { before: defaultDeny('payments', 'gateway'), after: allowedBy('payments', 'gateway', 'ingress', 3, 40) },
    },
    {
      from: 'pod:shop/frontend', to: 'pod:payments/gateway', ports: ['8000-8999/TCP'], before: ConnectionVerdict.ALLOWED, after: ConnectionVerdict.DENIED,
      reason: { before: allowedBy('payments', 'gateway', 'ingress', 0, 12), after: defaultDeny('payments', 'gateway') },
    },
    {
      from: 'other:payments', to: 'entity:kube-apiserver', ports: ['443/TCP'], before: ConnectionVerdict.ALLOWED, after: ConnectionVerdict.DENIED,
      reason: { before: { text: 'no policy selects payments/(other pods) (default allow)' }, after: { text: 'default deny (CCNP egress-lockdown selects payments/(other pods))', policy: 'CiliumClusterwideNetworkPolicy egress-lockdown', location: 'policies/cluster/egress-lockdown.yaml:5' } },
    },
    {
      from: 'pod:monitoring/grafana', to: 'pod:monitoring/prometheus', ports: ['9090/TCP'], before: ConnectionVerdict.ALLOWED, after: ConnectionVerdict.DENIED,
      reason: { before: allowedBy('monitoring', 'prometheus', 'ingress', 0, 8), after: defaultDeny('monitoring', 'prometheus') },
    },
  ],
};

/** The same platform with nothing changed: a reformat. */
export const EMPTY_DIFF: ConnectivityDiffDocument = {
  ...DIFF,
  summary: { newlyAllowed: 0, newlyDenied: 0 },
  changes: [],
};

/** The head side of {@link DIFF} as a report. */
export const REPORT: ConnectivityReportDocument = {
  schema: REPORT_SCHEMA,
  policies: { source: 'policies', policies: 10 },
  endpoints: PLATFORM,
  connections: [
    { from: 'world', to: 'pod:shop/frontend', ports: ['443/TCP'], reason: allowedBy('shop', 'frontend', 'ingress', 1, 14) },
    { from: 'pod:shop/frontend', to: 'pod:shop/api', ports: ['8080/TCP'], l7: 'HTTP GET /api/.*', reason: allowedBy('shop', 'api', 'ingress', 0, 7) },
    { from: 'pod:shop/api', to: 'pod:payments/ledger', ports: ['5432/TCP'], reason: allowedBy('payments', 'ledger', 'ingress', 0, 9) },
    { from: 'pod:shop/api', to: 'pod:shop/api', ports: ['any'], reason: { text: 'no policy selects shop/api (default allow)' } },
    { from: 'host', to: 'pod:monitoring/prometheus', ports: ['any'], reason: { text: 'allowed: traffic from the local host (allow-localhost)' } },
  ],
};

/**
 * A diff whose every string is hostile: markup, quotes and a closing `</style>` in names, ids, sources, ports and
 * reasons. `marker` is what a payload sets on `window` if it ever runs.
 */
export function hostileDiff(marker: string): ConnectivityDiffDocument {
  const img = `<img src=x onerror="window.${marker}=1">`;
  const script = `<script>window.${marker}=2</script>`;
  const classes: EndpointClass[] = [
    {
      id: `"><svg onload=window.${marker}=3>`, kind: EndpointClassKind.POD, name: `evil/${img}`, namespace: `evil</style><style>*{display:none}</style>`,
      labels: { [`x"onmouseover="window.${marker}=4`]: script }, workloads: [`Deployment ${script}`],
    },
    { id: `'quoted' & "double"`, kind: EndpointClassKind.WORLD, name: `world ' " & ${script}` },
  ];
  return {
    schema: DIFF_SCHEMA,
    base: { source: `main:${script}`, policies: 1 },
    head: { source: `</title>${img}`, policies: 2 },
    summary: { newlyAllowed: 1, newlyDenied: 1 },
    endpoints: classes,
    changes: [
      {
        from: classes[1].id, to: classes[0].id, ports: [`${img}/TCP`], l7: `HTTP GET ${script}`, before: ConnectionVerdict.DENIED, after: ConnectionVerdict.ALLOWED,
        reason: { before: { text: `default ${img}` }, after: { text: `allowed by ${script}`, policy: `CNP </style>${img}`, location: `"${img}":1` } },
      },
      {
        from: classes[0].id, to: classes[1].id, ports: ['any'], before: ConnectionVerdict.ALLOWED, after: ConnectionVerdict.DENIED,
        reason: { before: { text: `allowed by ]]><!-- ${img}` }, after: { text: `--> ${script}` } },
      },
    ],
  };
}
