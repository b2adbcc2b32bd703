// One regression case per pitfall of issue 5, each asserting the id and the file:line:column of the offending field,
// together with the corrected form (no finding of that id, no error). Pitfalls the per-policy layers already report are
// checked here too, through the same `validateInputs` path, with their own ids.
import { describe, expect, it } from 'vitest';
import { checkInfo, PITFALL_CHECKS } from '../../src/validate';
import { check, CLEAN_CNP, errorIds, findings, summary, where, yaml } from './helpers';

/** A clusterwide allow of DNS (53/ANY, every name) to kube-dns for every pod. */
const DNS_CCNP = [
  'apiVersion: cilium.io/v2',
  'kind: CiliumClusterwideNetworkPolicy',
  'metadata:',
  '  name: allow-dns',
  'spec:',
  '  endpointSelector: {}',
  '  enableDefaultDeny:',
  '    egress: false',
  '  egress:',
  '    - toEndpoints:',
  '        - matchLabels:',
  '            k8s:io.kubernetes.pod.namespace: kube-system',
  '            k8s:k8s-app: kube-dns',
  '      toPorts:',
  '        - ports:',
  '            - port: "53"',
  '              protocol: ANY',
  '          rules:',
  '            dns:',
  '              - matchPattern: "*"',
  '',
].join('\n');

/** web in shop denied egress to port 53/`protocol` of every pod of `namespace`. */
function denyDns(protocol: string, namespace: string): string {
  return [
    'apiVersion: cilium.io/v2',
    'kind: CiliumNetworkPolicy',
    'metadata:',
    '  name: no-dns',
    '  namespace: shop',
    'spec:',
    '  endpointSelector: {matchLabels: {app: web}}',
    '  egressDeny:',
    `    - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: ${namespace}}}]`,
    `      toPorts: [{ports: [{port: "53", protocol: ${protocol}}]}]`,
    '',
  ].join('\n');
}

interface Case {
  readonly id: string;
  readonly when: string;
  readonly bad: Record<string, string>;
  readonly at: string[];
  readonly good: Record<string, string>;
  readonly version?: string;
}

const FROM_PARTNERS = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: partners
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    ingress:
      - fromCIDRSet:
          - cidrGroupRef: partners
        toPorts:
          - ports:
              - port: "80"
                protocol: TCP
`;

const partnersGroup = (cidrs: string): string => yaml`
  apiVersion: cilium.io/v2alpha1
  kind: CiliumCIDRGroup
  metadata:
    name: partners
  spec:
    externalCIDRs: ${cidrs}
`;

const FQDN = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: github
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    egress:
      - toFQDNs:
          - matchName: api.github.com
        toPorts:
          - ports:
              - port: "443"
                protocol: TCP
`;

/** A CCNP giving every pod DNS through the proxy, without default deny. */
const DNS_ALL = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: dns
  spec:
    endpointSelector: {}
    enableDefaultDeny:
      egress: false
    egress:
      - toEndpoints:
          - matchLabels:
              k8s:io.kubernetes.pod.namespace: kube-system
              k8s:k8s-app: kube-dns
        toPorts:
          - ports:
              - port: "53"
                protocol: ANY
            rules:
              dns:
                - matchPattern: ${'"*"'}
`;

const dnsFor = (pattern: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-dns
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    egress:
      - toEndpoints:
          - matchLabels:
              k8s:io.kubernetes.pod.namespace: kube-system
              k8s:k8s-app: kube-dns
        toPorts:
          - ports:
              - port: "53"
                protocol: ANY
            rules:
              dns:
                - matchPattern: "${pattern}"
`;

const egressToDb = (extra: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-egress
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    egress:
      - toEndpoints:
          - matchLabels:
              app: db
        toPorts:
          - ports:
              - port: "5432"
                protocol: TCP
` + extra;

const denyOnly = (extra: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: no-world
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    ingressDeny:
      - fromEntities:
          - world
` + extra;

const SCRAPE = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: scrape
  spec:
    endpointSelector: {}
    enableDefaultDeny:
      ingress: false
    ingress:
      - fromEndpoints:
          - matchLabels:
              app: prometheus
        toPorts:
          - ports:
              - port: "9090"
                protocol: TCP
`;

const SERVICE = yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: web
    namespace: shop
  spec:
    selector:
      app: web
    ports:
      - port: 8080
        targetPort: 80
`;

const DEPLOYMENT = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
  spec:
    selector:
      matchLabels:
        app: web
    template:
      metadata:
        labels:
          app: web
      spec:
        containers:
          - name: web
            image: nginx
            ports:
              - containerPort: 80
`;

const ingressOn = (port: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-ingress
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    ingress:
      - fromEntities:
          - cluster
        toPorts:
          - ports:
              - port: "${port}"
                protocol: TCP
`;

const clientEgressOn = (port: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: client
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: client
    egress:
      - toEndpoints:
          - matchLabels:
              app: web
        toPorts:
          - ports:
              - port: "${port}"
                protocol: TCP
`;

const toServices = (service: string, namespace: string, ports: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: to-service
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    egress:
      - toServices:
          - k8sService:
              serviceName: ${service}
              namespace: ${namespace}
` + ports;

const toServiceSelector = (key: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: to-service
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    egress:
      - toServices:
          - k8sServiceSelector:
              selector:
                matchLabels:
                  ${key}: api
`;

const PORTS_8080 = '      toPorts:\n        - ports:\n            - port: "8080"\n              protocol: TCP\n';

const EXT_SERVICE = yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: ext
    namespace: shop
  spec:
    ports:
      - port: 8080
`;
const EXT_ENDPOINTS_EMPTY = yaml`
  apiVersion: v1
  kind: Endpoints
  metadata:
    name: ext
    namespace: shop
  subsets: []
`;
const API_SERVICE = yaml`
  apiVersion: v1
  kind: Service
  metadata:
    name: api
    namespace: shop
  spec:
    selector:
      app: api
    ports:
      - port: 8080
        targetPort: 8080
`;

const selecting = (subject: string, peer: string): string => yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
  spec:
    selector:
      matchLabels:
        app: web
    template:
      metadata:
        labels:
          app: web
      spec:
        containers:
          - name: web
            image: nginx
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: webapp
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: ${subject}
    ingress:
      - fromEndpoints:
          - matchLabels:
              app: ${peer}
`;

/** The Deployment of `selecting` on the host network. */
const onHostNetwork = (manifests: string): string => {
  const out = manifests.replace(/^( +)containers:$/m, '$1hostNetwork: true\n$1containers:');
  if (out === manifests) throw new Error('no pod spec to put on the host network');
  return out;
};

/** A NetworkPolicy allowing ingress from the peer given (a YAML flow mapping). */
const npFromPeer = (peer: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    podSelector: { matchLabels: { app: web } }
    ingress:
      - from: [${peer}]
`;

/** A NetworkPolicy with ingress and egress rules and the given policyTypes. */
const npPolicyTypes = (types: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    podSelector: { matchLabels: { app: web } }
    ingress:
      - from: [{ podSelector: { matchLabels: { app: front } } }]
    egress:
      - to: [{ podSelector: { matchLabels: { app: db } } }]
      - ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]
    policyTypes: ${types}
`;

const withNetworkPolicy = (npApp: string): string => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    podSelector:
      matchLabels:
        app: ${npApp}
    policyTypes: [Ingress]
  ---
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    ingress:
      - fromEntities: [cluster]
`;

const hostPolicy = (extra: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: ssh-only
  spec:
    nodeSelector: {}
    ingress:
      - fromEntities: [world]
        toPorts:
          - ports:
              - port: "22"
                protocol: TCP
` + extra;

const kafka = (rules: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: kafka
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: kafka
    ingress:
      - fromEndpoints:
          - matchLabels:
              app: client
        toPorts:
          - ports:
              - port: "9092"
                protocol: TCP
` + rules;

const KAFKA_RULES = `          rules:
            kafka:
              - role: consume
                topic: orders
`;

/** Another CNP on the Kafka pods: HTTP rules from the same clients on `port`. */
/** Every pod of shop admits every pod of shop: on `port`, or on every port when it is ''. */
const withinNamespace = (port: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: within-namespace
    namespace: shop
  spec:
    endpointSelector: {}
    ingress:
      - fromEndpoints:
          - {}
${port === '' ? '' : `        toPorts:\n          - ports:\n              - port: "${port}"\n                protocol: TCP\n`}`;

const hostListener = (kind: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: host-egress
  spec:
    nodeSelector: {}
    ingress:
      - fromEntities: [cluster]
    egress:
      - toEntities: [cluster]
        toPorts:
          - ports:
              - { port: "443", protocol: TCP }
            listener: { envoyConfig: { ${kind}name: cec }, name: l1 }
`;

/** A CNP of the web pods: DNS to kube-dns, then two egress items to the api pods (`first`, `second`: a port and its toPorts fields). */
const webEgress = (first: string, second: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-egress
    namespace: shop
  spec:
    endpointSelector: { matchLabels: { app: web } }
    egress:
      - toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": kube-system, k8s-app: kube-dns } }]
        toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
      - toEndpoints: [{ matchLabels: { app: api } }]
        toPorts: [{ ${first} }]
      - toEndpoints: [{ matchLabels: { app: api } }]
        toPorts: [{ ${second} }]
`;

const httpOn = (port: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: kafka-admin
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: kafka
    ingress:
      - fromEndpoints:
          - matchLabels:
              app: client
        toPorts:
          - ports:
              - port: "${port}"
                protocol: TCP
            rules:
              http:
                - method: GET
`;

/** Web's egress to the API server's addresses (`peer`, the lines of the item's peer field), with `extra` lines (toPorts) after it. */
const toApiServer = (peer: string, extra = ''): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-api
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    enableDefaultDeny:
      egress: false
    egress:
      - ${peer}
` + extra;

/** Api's ingress from web on 80/TCP held to HTTP GET /a, with `edd` (an enableDefaultDeny line, indented as in the code) before it. */
const httpDefaultAllow = (edd: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: api
    namespace: shop
  spec:
    endpointSelector: {matchLabels: {app: api}}
${edd}
    ingress:
      - fromEndpoints: [{matchLabels: {app: web}}]
        toPorts:
          - ports: [{port: "80", protocol: TCP}]
            rules:
              http: [{method: GET, path: /a}]
`;

/** A clusterwide host policy of every node with an ingress allow from the world, with `extra` lines (toPorts) after it. */
const hostIngress = (extra: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: host-world
  spec:
    nodeSelector: {}
    ingress:
      - fromEntities: [world]
` + extra;

/** Web's egress to api.example.com's addresses on 443/TCP, with TLS `serverNames` (a flow list). */
const withServerNames = (names: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-tls
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    enableDefaultDeny:
      egress: false
    egress:
      - toCIDR:
          - 203.0.113.0/24
        toPorts:
          - ports:
              - port: "443"
                protocol: TCP
            serverNames: ${names}
`;

const egressTo = (cidr: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: web-out
    namespace: shop
  spec:
    endpointSelector:
      matchLabels:
        app: web
    enableDefaultDeny:
      egress: false
    egress:
      - toCIDR:
          - ${cidr}
        toPorts:
          - ports:
              - port: "443"
                protocol: TCP
`;

/** Web open to the pods of every namespace but kube-system, written with NotIn alone. */
const ALL_BUT_KUBE_SYSTEM = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web-in, namespace: shop}
  spec:
    endpointSelector:
      matchLabels: {app: web}
    ingress:
      - fromEndpoints:
          - matchExpressions:
              - key: k8s:io.kubernetes.pod.namespace
                operator: NotIn
                values: [kube-system]
`;

/** A peer of a source-less reserved key (`world: ""`) beside namespace DoesNotExist: the agent adds no namespace, so it is the world. */
const SOURCELESS_WORLD = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata: {name: web-in, namespace: shop}
  spec:
    endpointSelector:
      matchLabels: {app: web}
    ingress:
      - fromEndpoints:
          - matchLabels: {world: ""}
            matchExpressions:
              - key: io.kubernetes.pod.namespace
                operator: DoesNotExist
`;

/** The world in on 80/TCP for every pod but kube-system's, clusterwide: the selector only excludes. */
const CCNP_ALL_BUT_KUBE_SYSTEM = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata: {name: web-in}
  spec:
    endpointSelector:
      matchExpressions:
        - key: k8s:io.kubernetes.pod.namespace
          operator: NotIn
          values: [kube-system]
    ingress:
      - fromEntities: [world]
        toPorts:
          - ports:
              - {port: "80", protocol: TCP}
`;

/** Ping out to the monitoring network (egress default allow: no DNS needed). */
const ICMP_EGRESS = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: ping
    namespace: shop
  spec:
    endpointSelector: {}
    enableDefaultDeny: {egress: false}
    egress:
      - toCIDR: [192.0.2.0/24]
        icmps:
          - fields:
              - type: EchoRequest
`;

const clusterwideAll = (extra: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: everything
  spec:
    endpointSelector: {}
    ingress:
      - fromEntities:
          - cluster
` + extra;

/** One case per pitfall id (some ids have more than one). */
/** A host policy on the nodes with `label` (a `matchLabels` entry), open to the cluster. */
const hostOn = (label: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumClusterwideNetworkPolicy
  metadata:
    name: host
  spec:
    nodeSelector:
      matchLabels:
        ${label}
    ingress:
      - fromEntities: [cluster]
`;

/** A CNP with egress TCP/80 to an AWS security group, and the operator's derivative of it (Cilium docs, security/aws.rst). */
const TO_GROUPS = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: to-groups-sample
    namespace: default
  spec:
    endpointSelector:
      matchLabels:
        org: alliance
    egress:
      - toPorts:
          - ports:
              - port: "80"
                protocol: TCP
        toGroups:
          - aws:
              securityGroupsIds:
                - sg-0f2146100a88d03c3
      - toEndpoints:
          - matchLabels:
              k8s:io.kubernetes.pod.namespace: kube-system
              k8s:k8s-app: kube-dns
        toPorts:
          - ports:
              - port: "53"
                protocol: ANY
`;
const TO_GROUPS_DERIVATIVE = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: to-groups-sample-togroups-044ba7d1-f491-11e8-ad2e-080027d2d952
    namespace: default
    labels:
      io.cilium.network.policy.kind: derivative
      io.cilium.network.policy.parent.uuid: 044ba7d1-f491-11e8-ad2e-080027d2d952
  specs:
    - endpointSelector:
        matchLabels:
          any:org: alliance
          k8s:io.kubernetes.pod.namespace: default
      egress:
        - toCIDRSet:
            - cidr: 34.254.113.42/32
          toPorts:
            - ports:
                - port: "80"
                  protocol: TCP
        - toEndpoints:
            - matchLabels:
                k8s:io.kubernetes.pod.namespace: kube-system
                k8s:k8s-app: kube-dns
          toPorts:
            - ports:
                - port: "53"
                  protocol: ANY
`;

const CASES: readonly Case[] = [
  {
    id: 'pitfall-fqdn-without-dns', when: 'toFQDNs has no DNS rule for its pods anywhere in the input',
    bad: { 'fqdn.yaml': FQDN }, at: ['fqdn.yaml:12:9'],
    good: { 'fqdn.yaml': FQDN, 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-fqdn-not-in-dns-rules', when: 'the DNS rule of the same pods does not allow looking the name up',
    bad: { 'fqdn.yaml': FQDN, 'dns.yaml': dnsFor('*.example.com') }, at: ['fqdn.yaml:12:22'],
    good: { 'fqdn.yaml': FQDN, 'dns.yaml': dnsFor('*.github.com') },
  },
  {
    id: 'pitfall-fqdn-dns-server-broad', when: 'the DNS rule beside toFQDNs lets the pods ask any server (no peer)',
    bad: { 'fqdn.yaml': FQDN, 'dns.yaml': dnsFor('*').replace(/- toEndpoints:\n(?:.*\n){3} *toPorts:/, '- toPorts:') }, at: ['dns.yaml:11:7'],
    good: { 'fqdn.yaml': FQDN, 'dns.yaml': dnsFor('*') },
  },
  {
    id: 'pitfall-default-deny-without-dns', when: 'an egress allow puts pods into default deny and nothing allows them DNS',
    bad: { 'web.yaml': egressToDb('') }, at: ['web.yaml:11:5'],
    good: {
      'web.yaml': egressToDb([
        '    - toEndpoints:',
        '        - matchLabels:',
        '            k8s:io.kubernetes.pod.namespace: kube-system',
        '            k8s:k8s-app: kube-dns',
        '      toPorts:',
        '        - ports:',
        '            - port: "53"',
        '              protocol: ANY',
        '',
      ].join('\n')),
    },
  },
  {
    id: 'pitfall-dns-denied', when: 'an egressDeny of 53/ANY to kube-system beside a clusterwide DNS allow',
    bad: { 'dns.yaml': DNS_CCNP, 'deny.yaml': denyDns('ANY', 'kube-system') }, at: ['deny.yaml:9:7'],
    good: { 'dns.yaml': DNS_CCNP, 'deny.yaml': denyDns('ANY', 'monitoring') },
  },
  {
    id: 'pitfall-dns-tcp-denied', when: 'an egressDeny of 53/TCP to kube-system beside a clusterwide DNS allow',
    bad: { 'dns.yaml': DNS_CCNP, 'deny.yaml': denyDns('TCP', 'kube-system') }, at: ['deny.yaml:9:7'],
    good: { 'dns.yaml': DNS_CCNP, 'deny.yaml': denyDns('TCP', 'monitoring') },
  },
  {
    id: 'pitfall-dns-may-be-denied', when: 'an egressDeny of 53 to kube-dns pods with a label beyond kube-dns\'s known ones (k8s:tier: edge)',
    bad: { 'dns.yaml': DNS_CCNP, 'deny.yaml': denyDns('ANY', 'kube-system, k8s:k8s-app: kube-dns, k8s:tier: edge') }, at: ['deny.yaml:9:7'],
    good: { 'dns.yaml': DNS_CCNP, 'deny.yaml': denyDns('ANY', 'kube-system, k8s:k8s-app: kube-dns, cilium:tier: edge') },
  },
  {
    id: 'pitfall-deny-only-default-deny', when: 'a rule has ingressDeny but no ingress',
    bad: { 'deny.yaml': denyOnly('') }, at: ['deny.yaml:11:5'],
    good: { 'deny.yaml': denyOnly('  enableDefaultDeny:\n    ingress: false\n') },
  },
  {
    id: 'pitfall-deny-only-default-deny', when: 'a deny-only rule on 1.15, where enableDefaultDeny does not exist', version: '1.15',
    bad: { 'deny.yaml': denyOnly('') }, at: ['deny.yaml:11:5'],
    good: { 'deny.yaml': denyOnly('  ingress:\n    - fromEntities: [all]\n') },
  },
  {
    id: 'pitfall-default-deny-without-rules', when: 'enableDefaultDeny.egress is true on a rule without egress rules (the agent enforces nothing)',
    bad: { 'deny.yaml': denyOnly('  enableDefaultDeny:\n    ingress: false\n    egress: true\n') }, at: ['deny.yaml:15:13'],
    good: { 'deny.yaml': denyOnly('  enableDefaultDeny:\n    ingress: false\n') },
  },
  {
    id: 'pitfall-ccnp-peer-namespace', when: 'a clusterwide fromEndpoints selector names no namespace',
    bad: { 'scrape.yaml': SCRAPE }, at: ['scrape.yaml:11:11'],
    good: { 'scrape.yaml': SCRAPE.replace('app: prometheus', 'app: prometheus\n            k8s:io.kubernetes.pod.namespace: monitoring') },
  },
  {
    id: 'pitfall-peer-selector-only-excludes', when: 'a fromEndpoints selector of NotIn kube-system alone, on 1.18',
    bad: { 'ns.yaml': ALL_BUT_KUBE_SYSTEM }, at: ['ns.yaml:9:11'], version: '1.18',
    good: { 'ns.yaml': ALL_BUT_KUBE_SYSTEM.replace('operator: NotIn', 'operator: Exists\n            - key: k8s:io.kubernetes.pod.namespace\n              operator: NotIn') },
  },
  {
    id: 'pitfall-peer-sourceless-reserved-world', when: 'a fromEndpoints selector of world: "" beside namespace DoesNotExist, on 1.18',
    bad: { 'w.yaml': SOURCELESS_WORLD }, at: ['w.yaml:9:11'], version: '1.18',
    good: { 'w.yaml': SOURCELESS_WORLD.replace('world: ""', 'k8s:world: ""') },
  },
  {
    id: 'pitfall-peer-sourceless-reserved', when: 'a fromEndpoints selector of remote-node: "" beside namespace DoesNotExist, on 1.18',
    bad: { 'w.yaml': SOURCELESS_WORLD.replace('world: ""', 'remote-node: ""') }, at: ['w.yaml:9:11'], version: '1.18',
    good: { 'w.yaml': SOURCELESS_WORLD.replace('world: ""', 'k8s:remote-node: ""') },
  },
  {
    id: 'pitfall-service-port', when: 'ingress names the Service port 8080 of a Deployment listening on 80',
    bad: { 'app.yaml': `${SERVICE}---\n${DEPLOYMENT}---\n${ingressOn('8080')}` }, at: ['app.yaml:47:21'],
    good: { 'app.yaml': `${SERVICE}---\n${DEPLOYMENT}---\n${ingressOn('80')}` },
  },
  {
    // NamedPortMap.GetNamedPort on the selected endpoint's own ports: an unknown name (or another protocol) is skipped.
    id: 'pitfall-named-port-unresolved', when: 'ingress names the port "http" that the selected Deployment does not declare',
    bad: { 'app.yaml': `${DEPLOYMENT}---\n${ingressOn('http')}` }, at: ['app.yaml:35:21'],
    good: { 'app.yaml': `${DEPLOYMENT.replace(/( *)- containerPort: 80/, '$1- containerPort: 80\n$1  name: http')}---\n${ingressOn('http')}` },
  },
  {
    id: 'pitfall-service-port', when: 'egress to the Service pods names the Service port (no workload in the input)',
    bad: { 'svc.yaml': SERVICE, 'client.yaml': clientEgressOn('8080') }, at: ['client.yaml:16:21'],
    good: { 'svc.yaml': SERVICE, 'client.yaml': clientEgressOn('80'), 'dns.yaml': DNS_ALL },
  },
  {
    // Beside an entry that resolves: alone, the item is pitfall-services-missing-every-peer's one finding (session 54).
    id: 'pitfall-services-with-ports', when: 'toServices with toPorts for a Service that is not in the input, beside one that is',
    bad: { 'api.yaml': API_SERVICE, 'to-api.yaml': toServices('api', 'shop', '        - k8sService:\n            serviceName: gone\n            namespace: shop\n' + PORTS_8080) },
    at: ['to-api.yaml:19:9'],
    good: { 'api.yaml': API_SERVICE, 'to-api.yaml': toServices('api', 'shop', PORTS_8080), 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-services-missing-every-peer', when: 'toServices with toPorts whose only Service is not in the input (open to every peer if it does not exist)',
    bad: { 'to-api.yaml': toServices('api', 'shop', PORTS_8080) },
    at: ['to-api.yaml:12:9'],
    good: { 'api.yaml': API_SERVICE, 'to-api.yaml': toServices('api', 'shop', PORTS_8080), 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-services-every-peer', when: 'toServices with toPorts whose only Service is selector-less and its Endpoints hold no address',
    bad: { 'ext.yaml': EXT_SERVICE, 'ext-eps.yaml': EXT_ENDPOINTS_EMPTY, 'to-ext.yaml': toServices('ext', 'shop', PORTS_8080) },
    at: ['to-ext.yaml:12:9'],
    good: { 'api.yaml': API_SERVICE, 'to-api.yaml': toServices('api', 'shop', PORTS_8080), 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-kube-apiserver-service', when: 'toServices names default/kubernetes',
    bad: { 'api.yaml': toServices('kubernetes', 'default', '') }, at: ['api.yaml:12:11'],
    good: { 'api.yaml': toServices('api', 'shop', '') },
  },
  {
    id: 'pitfall-kube-apiserver-every-port', when: 'an egress allow of the kube-apiserver entity without toPorts',
    bad: { 'api.yaml': toApiServer('toEntities: [kube-apiserver]') }, at: ['api.yaml:13:20'],
    good: { 'api.yaml': toApiServer('toEntities: [kube-apiserver]', '      toPorts: [{ports: [{port: "6443", protocol: TCP}]}]\n') },
  },
  {
    id: 'pitfall-kube-apiserver-every-port', when: 'an egress allow of toEndpoints requiring reserved:kube-apiserver without toPorts',
    bad: { 'api.yaml': toApiServer('toEndpoints: [{matchLabels: {"reserved:kube-apiserver": ""}}]') }, at: ['api.yaml:13:21'],
    good: { 'api.yaml': toApiServer('toEndpoints: [{matchLabels: {"reserved:kube-apiserver": ""}}]', '      toPorts: [{ports: [{port: "443", protocol: TCP}]}]\n') },
  },
  {
    id: 'pitfall-services-every-port', when: 'an egress allow of toServices without toPorts',
    bad: { 'svc.yaml': toApiServer('toServices: [{k8sService: {serviceName: db, namespace: shop}}]') }, at: ['svc.yaml:13:19'],
    good: { 'svc.yaml': toApiServer('toServices: [{k8sService: {serviceName: db, namespace: shop}}]', '      toPorts: [{ports: [{port: "5432", protocol: TCP}]}]\n') },
  },
  {
    id: 'pitfall-host-ingress-every-port', when: 'a host policy\'s ingress allow from the world without toPorts',
    bad: { 'host.yaml': hostIngress('') }, at: ['host.yaml:8:7'],
    good: { 'host.yaml': hostIngress('      toPorts: [{ports: [{port: "30443", protocol: TCP}]}]\n') },
  },
  {
    id: 'pitfall-l7-default-allow', when: 'HTTP rules in an ingress that enableDefaultDeny.ingress false leaves out of default deny',
    bad: { 'l7.yaml': httpDefaultAllow('    enableDefaultDeny: {ingress: false}') }, at: ['l7.yaml:12:11'],
    good: { 'l7.yaml': httpDefaultAllow('') },
  },
  {
    id: 'pitfall-server-names-registrable', when: 'a TLS server name with its wildcard in the registrable part (*.com), 1.18',
    bad: { 'tls.yaml': withServerNames('["api.example.com", "*.com"]') }, at: ['tls.yaml:19:44'], version: '1.18',
    good: { 'tls.yaml': withServerNames('["api.example.com", "*.api.example.com"]') },
  },
  {
    id: 'pitfall-deny-services-unresolved', when: 'toServices in egressDeny, which the agent never resolves',
    bad: { 'deny.yaml': toServices('api', 'shop', PORTS_8080).replace(/^(\s*)egress:$/m, '$1egressDeny:') }, at: ['deny.yaml:12:11'],
    good: { 'api.yaml': API_SERVICE, 'deny.yaml': toServices('api', 'shop', PORTS_8080), 'dns.yaml': DNS_ALL },
  },
  {
    // pkg/k8s/watchers/cilium_cidr_group.go translateSpec (1.14/1.15): the references are replaced by the group's CIDRs,
    // a group without any adds none, and the list left nil gives the item no peer selector.
    id: 'pitfall-cidr-group-ref-empty', when: 'fromCIDRSet names only a CiliumCIDRGroup of the input without CIDRs, beside toPorts, on 1.15',
    bad: { 'group.yaml': partnersGroup('[]'), 'p.yaml': FROM_PARTNERS }, at: ['p.yaml:12:9'], version: '1.15',
    good: { 'group.yaml': partnersGroup('["192.0.2.0/24"]'), 'p.yaml': FROM_PARTNERS },
  },
  {
    id: 'pitfall-cidr-group-ref-missing', when: 'fromCIDRSet names only a CiliumCIDRGroup missing from the input, beside toPorts, on 1.14',
    bad: { 'p.yaml': FROM_PARTNERS }, at: ['p.yaml:12:9'], version: '1.14',
    good: { 'group.yaml': partnersGroup('["192.0.2.0/24"]'), 'p.yaml': FROM_PARTNERS },
  },
  {
    // pkg/policy/k8s/service.go serviceSelectorMatches: the selector is matched against the Service's own labels, and the
    // agent validates no toServices selector, so a k8s: key is imported and matches no Service.
    id: 'pitfall-service-selector-invalid', when: 'a k8sServiceSelector key has a source prefix',
    bad: { 'api.yaml': API_SERVICE, 'to-api.yaml': toServiceSelector('k8s:app') }, at: ['to-api.yaml:15:26'],
    good: { 'api.yaml': API_SERVICE, 'to-api.yaml': toServiceSelector('app') },
  },
  {
    id: 'pitfall-selector-matches-nothing', when: 'the subject and a peer match no workload of the input',
    bad: { 'nothing.yaml': selecting('webapp', 'frontend') }, at: ['nothing.yaml:26:5', 'nothing.yaml:30:11'],
    good: { 'nothing.yaml': selecting('web', 'web') },
  },
  {
    id: 'pitfall-selector-non-identity-label', when: 'a host policy selects nodes by kubernetes.io/os, a label Cilium keeps out of identities',
    bad: { 'host.yaml': hostOn('kubernetes.io/os: linux') }, at: ['host.yaml:8:25'],
    good: { 'host.yaml': hostOn('node-role.kubernetes.io/control-plane: ""') },
  },
  {
    id: 'pitfall-host-network-pods', when: 'the subject and a peer select the pods of a hostNetwork Deployment',
    bad: { 'host-net.yaml': onHostNetwork(selecting('web', 'web')) }, at: ['host-net.yaml:27:5', 'host-net.yaml:31:11'],
    good: { 'host-net.yaml': selecting('web', 'web') },
  },
  {
    id: 'pitfall-network-policy-overlap', when: 'a NetworkPolicy selects the same pods as a CNP',
    bad: { 'np.yaml': withNetworkPolicy('web') }, at: ['np.yaml:19:5'],
    good: { 'np.yaml': withNetworkPolicy('db') },
  },
  {
    // parseNetworkPolicyPeer: only an empty namespaceSelector gets k8s:io.kubernetes.pod.namespace Exists.
    id: 'pitfall-np-peer-selects-reserved', when: 'a NetworkPolicy namespaceSelector of only NotIn, on 1.18',
    bad: { 'np.yaml': npFromPeer('{ namespaceSelector: { matchExpressions: [{ key: team, operator: NotIn, values: [a] }] } }') }, at: ['np.yaml:9:35'],
    version: '1.18',
    good: { 'np.yaml': npFromPeer('{ namespaceSelector: { matchExpressions: [{ key: team, operator: NotIn, values: [a] }, '
      + '{ key: kubernetes.io/metadata.name, operator: Exists }] } }') },
  },
  {
    // parseNetworkPolicyPeer 1.19.0-1.19.4: the cluster filter gives an ipBlock-only ingress peer a pod selector too.
    id: 'pitfall-np-ip-block-selects-namespace', when: 'a NetworkPolicy ingress peer of only an ipBlock, on 1.19',
    bad: { 'np.yaml': npFromPeer('{ ipBlock: { cidr: 203.0.113.0/24 } }') }, at: ['np.yaml:9:25'],
    good: { 'np.yaml': npFromPeer('{ podSelector: {} }') },
  },
  {
    // ParseNetworkPolicy 1.14-1.18: rule.Sanitize() parses ipBlock CIDRs strictly; the API server reads them leniently.
    id: 'pitfall-np-agent-refuses', when: 'a NetworkPolicy ipBlock with a leading zero, on 1.18',
    bad: { 'np.yaml': npFromPeer('{ ipBlock: { cidr: 010.0.0.0/8 } }') }, at: ['np.yaml:9:33'], version: '1.18',
    good: { 'np.yaml': npFromPeer('{ ipBlock: { cidr: 10.0.0.0/8 } }') },
  },
  {
    // parsePorts 1.15 returns ErrEndPortUnsupported for any endPort (cilium/cilium#28704): ParseNetworkPolicy fails.
    id: 'pitfall-np-agent-refuses', when: 'a NetworkPolicy port range on 1.15',
    bad: { 'np.yaml': npFromPeer('{ podSelector: {} }').replace('    - from:', '    - ports: [{ port: 5000, endPort: 5010 }]\n      from:') },
    at: ['np.yaml:9:38'], version: '1.15',
    good: { 'np.yaml': npFromPeer('{ podSelector: {} }').replace('    - from:', '    - ports: [{ port: 5000 }, { port: 5001 }]\n      from:') },
  },
  {
    // parsePorts 1.14 has no EndPort (1.15 refuses the policy: pitfall-np-agent-refuses; 1.16 translates the range).
    id: 'pitfall-np-end-port-ignored', when: 'a NetworkPolicy port range on 1.14',
    bad: { 'np.yaml': npFromPeer('{ podSelector: {} }').replace('    - from:', '    - ports: [{ port: 5000, endPort: 5010 }]\n      from:') },
    at: ['np.yaml:9:38'], version: '1.14',
    good: { 'np.yaml': npFromPeer('{ podSelector: {} }').replace('    - from:', '    - ports: [{ port: 5000 }, { port: 5001 }]\n      from:') },
  },
  {
    id: 'pitfall-np-policy-types-ignored', when: 'a NetworkPolicy lists only Egress in policyTypes beside ingress rules',
    bad: { 'np.yaml': npPolicyTypes('[Egress]') }, at: ['np.yaml:9:5'],
    good: { 'np.yaml': npPolicyTypes('[Ingress, Egress]') },
  },
  {
    id: 'pitfall-host-lockout', when: 'a host policy on all nodes allows only SSH',
    bad: { 'host.yaml': hostPolicy('') }, at: ['host.yaml:8:5'],
    good: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n') },
  },
  {
    id: 'pitfall-host-deny-lockout', when: 'a host policy denies the kubelet port to the API server',
    bad: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n  ingressDeny:\n    - fromEntities: [kube-apiserver]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]\n') },
    at: ['host.yaml:15:7'],
    good: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n  ingressDeny:\n    - fromEntities: [kube-apiserver]\n      toPorts: [{ ports: [{ port: "10255", protocol: TCP }] }]\n') },
  },
  {
    id: 'pitfall-host-lockout-exempted', when: 'an exemption annotation exempts the kubelet path a deny cuts',
    bad: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n  ingressDeny:\n    - fromEntities: [kube-apiserver]\n      toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]\n')
      .replace('  name: ssh-only\n', '  name: ssh-only\n  annotations:\n    cdk8s-cilium.io/lockout-exemptions: \'{"kubelet": "kubelet on a management network"}\'\n') },
    at: ['host.yaml:17:7'],
    good: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n')
      .replace('  name: ssh-only\n', '  name: ssh-only\n  annotations:\n    cdk8s-cilium.io/lockout-exemptions: \'{"kubelet": "kubelet on a management network"}\'\n') },
  },
  {
    id: 'pitfall-host-lockout-exemptions-invalid', when: 'an exemption annotation names an unknown path',
    bad: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n').replace('  name: ssh-only\n', '  name: ssh-only\n  annotations:\n    cdk8s-cilium.io/lockout-exemptions: \'{"break_glass": "x"}\'\n') },
    at: ['host.yaml:6:5'],
    good: { 'host.yaml': hostPolicy('    - fromEntities: [cluster]\n').replace('  name: ssh-only\n', '  name: ssh-only\n  annotations:\n    cdk8s-cilium.io/lockout-exemptions: \'{"break-glass": "x"}\'\n') },
  },
  {
    id: 'pitfall-broad-peer', when: 'an egress rule to 0.0.0.0/0',
    bad: { 'out.yaml': egressTo('0.0.0.0/0') }, at: ['out.yaml:14:11'],
    good: { 'out.yaml': egressTo('203.0.113.0/24') },
  },
  {
    id: 'pitfall-broad-peer', when: 'an egress toCIDRSet cidrGroupSelector that requires no label (matchLabels: {})',
    bad: { 'out.yaml': egressTo('cidrGroupSelector: {matchLabels: {}}').replace('- toCIDR:', '- toCIDRSet:') }, at: ['out.yaml:14:30'],
    good: { 'out.yaml': egressTo('cidrGroupSelector: {matchLabels: {team: payments}}').replace('- toCIDR:', '- toCIDRSet:') },
  },
  {
    // Only exclusions hold on every identity without a cidrgroup: label (pods, nodes, the world), as `{}` does (Cilium 1.17+).
    id: 'pitfall-broad-peer', when: 'an egress toCIDRSet cidrGroupSelector that only excludes (env NotIn [dev])',
    bad: { 'out.yaml': egressTo('cidrGroupSelector: {matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}').replace('- toCIDR:', '- toCIDRSet:') },
    at: ['out.yaml:14:30'],
    good: { 'out.yaml': egressTo('cidrGroupSelector: {matchExpressions: [{key: env, operator: In, values: [prod]}]}').replace('- toCIDR:', '- toCIDRSet:') },
  },
  {
    id: 'pitfall-fqdn-ip-address', when: 'toFQDNs matchName of an IPv4 address',
    bad: { 'fqdn.yaml': FQDN.replace('matchName: api.github.com', 'matchName: 10.0.0.1'), 'dns.yaml': DNS_ALL }, at: ['fqdn.yaml:12:22'],
    good: { 'fqdn.yaml': FQDN, 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-fqdn-ip-address', when: 'toFQDNs matchPattern of an IPv4 range',
    bad: { 'fqdn.yaml': FQDN.replace('matchName: api.github.com', 'matchPattern: 10.0.0.*'), 'dns.yaml': DNS_ALL }, at: ['fqdn.yaml:12:25'],
    good: { 'fqdn.yaml': FQDN, 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-fqdn-pattern-registrable', when: 'toFQDNs matchPattern with a "*" in the registrable label',
    bad: { 'fqdn.yaml': FQDN.replace('matchName: api.github.com', 'matchPattern: "*github.com"'), 'dns.yaml': DNS_ALL }, at: ['fqdn.yaml:12:25'],
    good: { 'fqdn.yaml': FQDN.replace('matchName: api.github.com', 'matchPattern: "*.github.com"'), 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-broad-peer', when: 'toFQDNs matchPattern "*"',
    bad: { 'fqdn.yaml': FQDN.replace('matchName: api.github.com', 'matchPattern: "*"'), 'dns.yaml': DNS_ALL }, at: ['fqdn.yaml:12:25'],
    good: { 'fqdn.yaml': FQDN, 'dns.yaml': DNS_ALL },
  },
  {
    id: 'pitfall-cidr-ipv6-world-only', when: 'an egress rule to ::/0 alone',
    bad: { 'out.yaml': egressTo('"::/0"') }, at: ['out.yaml:14:11'],
    good: { 'out.yaml': egressTo('2001:db8::/32') },
  },
  {
    id: 'pitfall-cidr-host-bits', when: 'a CIDR with host bits set',
    bad: { 'out.yaml': egressTo('10.1.2.3/8') }, at: ['out.yaml:14:11'],
    good: { 'out.yaml': egressTo('10.1.2.3/32') },
  },
  {
    id: 'pitfall-cidr-ipv4-mapped', when: 'an IPv4-mapped IPv6 CIDR for an IPv4 network',
    bad: { 'out.yaml': egressTo('"::ffff:10.0.0.0/104"') }, at: ['out.yaml:14:11'],
    good: { 'out.yaml': egressTo('10.0.0.0/8') },
  },
  {
    id: 'pitfall-icmp-type-zero', when: 'an icmps field of type EchoReply (0)',
    bad: { 'ping.yaml': ICMP_EGRESS.replace('EchoRequest', 'EchoReply') }, at: ['ping.yaml:13:21'],
    good: { 'ping.yaml': ICMP_EGRESS },
  },
  {
    id: 'pitfall-port-rule-without-ports', when: 'a toPorts entry has HTTP rules and no ports (the agent makes no filter of it)',
    bad: { 'web.yaml': ingressOn('80').replace(/- ports:\n.*\n.*\n/, '- rules:\n              http:\n                - method: GET\n') }, at: ['web.yaml:14:11'],
    good: { 'web.yaml': ingressOn('80') },
  },
  {
    id: 'pitfall-ccnp-select-all-default-deny', when: 'a clusterwide rule selecting every endpoint with an ingress allow',
    bad: { 'all.yaml': clusterwideAll('') }, at: ['all.yaml:6:21'],
    good: { 'all.yaml': clusterwideAll('  enableDefaultDeny:\n    ingress: false\n') },
  },
  {
    id: 'pitfall-ccnp-subject-selects-reserved', when: 'a clusterwide endpointSelector of NotIn kube-system alone, with an ingress allow',
    bad: { 'ccnp.yaml': CCNP_ALL_BUT_KUBE_SYSTEM }, at: ['ccnp.yaml:6:5'],
    good: { 'ccnp.yaml': CCNP_ALL_BUT_KUBE_SYSTEM.replace('operator: NotIn', 'operator: Exists\n      - key: k8s:io.kubernetes.pod.namespace\n        operator: NotIn') },
  },
  {
    id: 'pitfall-dns-rules-widened', when: 'a DNS * for every pod cancels the lookup restriction of web',
    bad: { 'dns.yaml': dnsFor('*.example.com'), 'all.yaml': DNS_ALL }, at: ['dns.yaml:16:9'],
    good: { 'dns.yaml': dnsFor('*.example.com'), 'all.yaml': DNS_ALL.replace('matchPattern: "*"', 'matchPattern: "*.example.com"') },
  },
  {
    id: 'pitfall-l7-parser-conflict', when: 'another CNP on the same pods puts HTTP rules on the Kafka port',
    bad: { 'kafka.yaml': kafka(KAFKA_RULES), 'admin.yaml': httpOn('9092') }, at: ['admin.yaml:15:11'],
    good: { 'kafka.yaml': kafka(KAFKA_RULES), 'admin.yaml': httpOn('8080') },
  },
  {
    id: 'pitfall-authentication-drops', when: 'an egress rule with authentication mode required',
    bad: { 'out.yaml': `${egressTo('203.0.113.0/24')}      authentication:\n        mode: required\n` }, at: ['out.yaml:20:15'],
    good: { 'out.yaml': `${egressTo('203.0.113.0/24')}      authentication:\n        mode: disabled\n` },
  },
  {
    id: 'pitfall-auth-mode-conflict', when: 'another CNP on the same pods gives the same CIDR on 443/TCP authentication mode disabled, this one required',
    bad: {
      'out.yaml': `${egressTo('203.0.113.0/24')}      authentication:\n        mode: required\n`,
      'more.yaml': `${egressTo('203.0.113.0/24').replace('name: web-out', 'name: web-more')}      authentication:\n        mode: disabled\n`,
    },
    at: ['more.yaml:13:7'],
    good: {
      'out.yaml': `${egressTo('203.0.113.0/24')}      authentication:\n        mode: required\n`,
      'more.yaml': `${egressTo('203.0.113.0/24').replace('name: web-out', 'name: web-more')}      authentication:\n        mode: required\n`,
    },
  },
  {
    id: 'pitfall-kafka-removed', when: 'kafka rules on 1.20', version: '1.20',
    bad: { 'kafka.yaml': kafka(KAFKA_RULES) }, at: ['kafka.yaml:20:15'],
    good: { 'kafka.yaml': kafka('') },
  },
  {
    id: 'pitfall-policy-name-duplicate', when: 'two files define the CNP shop/web (the one applied last replaces the other)',
    bad: { 'a.yaml': CLEAN_CNP, 'b.yaml': CLEAN_CNP.replace('[cluster]', '[host]') }, at: ['a.yaml:4:9', 'b.yaml:4:9'],
    good: { 'a.yaml': CLEAN_CNP, 'b.yaml': CLEAN_CNP.replace('[cluster]', '[host]').replace('name: web', 'name: web-from-host') },
  },
  {
    id: 'pitfall-ccnp-metadata-namespace', when: 'a CCNP with metadata.namespace: monitoring (the API server drops it: the policy applies in every namespace)',
    bad: { 'scrape.yaml': SCRAPE.replace('name: scrape', 'name: scrape\n  namespace: monitoring') }, at: ['scrape.yaml:5:14'],
    good: { 'scrape.yaml': SCRAPE },
  },
  {
    id: 'pitfall-namespace-assumed', when: 'a CNP and a NetworkPolicy without metadata.namespace (judged in default; kubectl applies them to the namespace of -n)',
    bad: {
      'web.yaml': CLEAN_CNP.replace('  namespace: shop\n', ''),
      'np.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n',
    },
    at: ['web.yaml:4:9', 'np.yaml:4:9'],
    good: {
      'web.yaml': CLEAN_CNP,
      'np.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n  namespace: shop\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n',
    },
  },
  {
    id: 'pitfall-http-header-never-matches', when: 'an HTTP rule requires the header "X-Token:abc" (no space: one header name no request has)',
    bad: { 'api.yaml': httpOn('8080').replace('- method: GET', '- method: GET\n                headers: ["X-Token:abc"]') }, at: ['api.yaml:21:27'],
    good: { 'api.yaml': httpOn('8080').replace('- method: GET', '- method: GET\n                headers: ["X-Token: abc"]') },
  },
  {
    id: 'pitfall-http-method-case', when: 'an HTTP rule with method get (Envoy matches :method case-sensitively; clients send GET)',
    bad: { 'api.yaml': httpOn('8080').replace('- method: GET', '- method: get') }, at: ['api.yaml:20:25'],
    good: { 'api.yaml': httpOn('8080') },
  },
  {
    id: 'pitfall-http-regex-too-large', when: 'an HTTP path of / and 96 letters (RE2 program size 101 by libre2; Envoy refuses above 100)',
    bad: { 'api.yaml': httpOn('8080').replace('- method: GET', `- method: GET\n                path: /${'a'.repeat(96)}`) }, at: ['api.yaml:21:23'],
    good: { 'api.yaml': httpOn('8080').replace('- method: GET', `- method: GET\n                path: /${'a'.repeat(95)}`) },
  },
  {
    id: 'pitfall-listener-kind-refused', when: 'a host policy redirects egress 443 to a listener of kind CiliumEnvoyConfig (a node has no namespace)',
    bad: { 'host.yaml': hostListener('kind: CiliumEnvoyConfig, ') }, at: ['host.yaml:14:44'],
    good: { 'host.yaml': hostListener('kind: CiliumClusterwideEnvoyConfig, ') },
  },
  {
    id: 'pitfall-listener-conflict', when: 'two items send the api pods on 8080 to the listeners l1 and l2 of one priority (mergeListenerReference fails)',
    bad: { 'web.yaml': webEgress('ports: [{ port: "8080", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: l1 }',
      'ports: [{ port: "8080", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: l2 }') }, at: ['web.yaml:14:17'],
    good: { 'web.yaml': webEgress('ports: [{ port: "8080", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: l1, priority: 1 }',
      'ports: [{ port: "8080", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: l2, priority: 2 }') },
  },
  {
    id: 'pitfall-sni-l7-merge', when: 'serverNames and HTTP rules for the api pods on 443, neither with terminatingTLS (the SNI check decides by merge order)',
    bad: { 'web.yaml': webEgress('ports: [{ port: "443", protocol: TCP }], serverNames: [api.example]',
      'ports: [{ port: "443", protocol: TCP }], rules: { http: [{ method: GET }] }') }, at: ['web.yaml:14:17'],
    good: { 'web.yaml': webEgress('ports: [{ port: "443", protocol: TCP }], serverNames: [api.example]',
      'ports: [{ port: "8443", protocol: TCP }], rules: { http: [{ method: GET }] }') },
  },
  {
    id: 'pitfall-http-regex-may-be-too-large', when: 'an HTTP path /api/[^/]{1,64}/items (RE2 program size 590 by libre2: 64 copies of a Unicode class)',
    bad: { 'api.yaml': httpOn('8080').replace('- method: GET', '- method: GET\n                path: "/api/[^/]{1,64}/items"') }, at: ['api.yaml:21:23'],
    good: { 'api.yaml': httpOn('8080').replace('- method: GET', '- method: GET\n                path: "/api/[a-z0-9._-]{1,8}/items"') },
  },
  {
    id: 'pitfall-l7-rules-widened', when: 'every pod of shop may reach every pod of shop on every port: the HTTP rules of kafka-admin do not hold',
    bad: { 'api.yaml': httpOn('8080'), 'ns.yaml': withinNamespace('') }, at: ['api.yaml:15:11'],
    good: { 'api.yaml': httpOn('8080'), 'ns.yaml': withinNamespace('9090') },
  },
  {
    id: 'pitfall-l7-matches-every-request', when: 'an HTTP rule whose only constraint is a header match with mismatch: LOG (Envoy logs it and lets the request through)',
    bad: { 'api.yaml': httpOn('8080').replace('- method: GET', '- headerMatches: [{name: X-Debug, value: "1", mismatch: LOG}]') }, at: ['api.yaml:20:17'],
    good: { 'api.yaml': httpOn('8080').replace('- method: GET', '- headerMatches: [{name: X-Debug, value: "1"}]') },
  },
  {
    id: 'pitfall-groups-derivative', when: 'a CNP with egress toGroups (an AWS security group) without the derivative policy the operator writes of it',
    bad: { 'groups.yaml': TO_GROUPS }, at: ['groups.yaml:16:9'],
    good: { 'groups.yaml': TO_GROUPS, 'derivative.yaml': TO_GROUPS_DERIVATIVE },
  },
];

describe('pitfall regressions', () => {
  it('every pitfall of the catalogue has a case', () => {
    expect(PITFALL_CHECKS.map((c) => c.id).filter((id) => !CASES.some((c) => c.id === id))).toEqual([]);
  });

  describe.each(CASES.map((c) => [`${c.id}: ${c.when}`, c] as const))('%s', (_name, c) => {
    const options = c.version ? { ciliumVersion: c.version } : {};

    it('reports the id at file:line:column', () => {
      const report = check(c.bad, options);
      expect(where(report, c.id), summary(report).join('\n')).toEqual(c.at);
      for (const d of findings(report, c.id)) {
        expect(d.severity).toBe(checkInfo(c.id).severity);
        expect(d.message).toMatch(/^[^A-Z\s].*[^.\s]$/);
        expect(d.message).not.toContain('\n');
        expect(d.fix).toMatch(/\S/);
        expect(d.path).toBeDefined();
        expect(d.kind).toMatch(/^(Cilium|NetworkPolicy$)/);
      }
    });

    it('accepts the corrected form', () => {
      const report = check(c.good, options);
      expect(where(report, c.id)).toEqual([]);
      expect(errorIds(report), summary(report).join('\n')).toEqual([]);
    });
  });
});

describe('pitfall details', () => {
  it('judges coverage on workloads when the input has them, and says so', () => {
    const report = check({ 'fqdn.yaml': FQDN, 'deploy.yaml': DEPLOYMENT });
    const [d] = findings(report, 'pitfall-fqdn-without-dns');
    expect(d.message).toContain('the pods of Deployment shop/web');
    expect(d.message).not.toContain('judged from the selectors');
  });

  it('says what was assumed when it judges from selectors, and names the nearest policy', () => {
    const other = dnsFor('*').replace('app: web', 'tier: frontend');
    const [d] = findings(check({ 'fqdn.yaml': FQDN, 'dns.yaml': other }), 'pitfall-fqdn-without-dns');
    expect(d.message).toContain('judged from the selectors');
    expect(d.message).toContain('CiliumNetworkPolicy shop/web-dns');
  });

  it('a toFQDNs pattern is judged with the version\'s ** semantics', () => {
    const fq = FQDN.replace('matchName: api.github.com', 'matchPattern: "**.github.com"');
    expect(where(check({ 'f.yaml': fq, 'd.yaml': dnsFor('**.github.com') }, { ciliumVersion: '1.18' }), 'pitfall-fqdn-not-in-dns-rules')).toEqual([]);
    expect(where(check({ 'f.yaml': fq, 'd.yaml': dnsFor('*.github.com') }, { ciliumVersion: '1.18' }), 'pitfall-fqdn-not-in-dns-rules')).toEqual([]);
    expect(where(check({ 'f.yaml': fq, 'd.yaml': dnsFor('*.github.com') }), 'pitfall-fqdn-not-in-dns-rules')).toEqual(['f.yaml:12:25']);
  });

  it('namespace labels come from the Namespaces of the input; without them a selector on them is not judged', () => {
    const ns = (team: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    team: ${team}\n`;
    const policy = selecting('web', 'web').replace('            app: web\n', '            io.cilium.k8s.namespace.labels.team: a\n');
    expect(where(check({ 'p.yaml': policy, 'ns.yaml': ns('a') }), 'pitfall-selector-matches-nothing')).toEqual([]);
    expect(where(check({ 'p.yaml': policy, 'ns.yaml': ns('b') }), 'pitfall-selector-matches-nothing')).toEqual(['p.yaml:30:11']);
    expect(where(check({ 'p.yaml': policy }), 'pitfall-selector-matches-nothing')).toEqual([]);
  });

  it('hostNetwork pods: the message names the workloads and what Cilium sees instead', () => {
    const [subject, peer] = findings(check({ 'h.yaml': onHostNetwork(selecting('web', 'web')) }), 'pitfall-host-network-pods');
    expect(subject.message).toBe('endpointSelector {app=web} selects pods on the host network (Deployment shop/web): Cilium does not manage '
      + 'hostNetwork pods as endpoints, so this rule does not apply to them');
    expect(subject.fix).toMatch(/host policy \(a CiliumClusterwideNetworkPolicy with nodeSelector/);
    expect(peer.message).toMatch(/^fromEndpoints \{app=web\} selects pods on the host network \(Deployment shop\/web\): their traffic carries the node's identity/);
    expect(peer.fix).toMatch(/^name them as fromEntities: \[host, remote-node\]/);
  });

  it('the DNS rules named are those of the same pods: a clusterwide one and one in their namespace, not those of other namespaces', () => {
    const elsewhere = dnsFor('api.github.com').replace('name: web-dns', 'name: other-dns').replace('namespace: shop', 'namespace: other');
    const clusterwide = DNS_ALL.replace('name: dns', 'name: cluster-dns').replace('matchPattern: "*"', 'matchPattern: "*.internal"');
    const inputs = { 'fqdn.yaml': FQDN, 'dns.yaml': dnsFor('*.example.com'), 'other.yaml': elsewhere, 'cluster.yaml': clusterwide };
    const [d] = findings(check(inputs), 'pitfall-fqdn-not-in-dns-rules');
    expect(d.message).toMatch(/^the DNS rules of these pods \(CiliumNetworkPolicy shop\/web-dns \(dns\.yaml:1\), CiliumClusterwideNetworkPolicy cluster-dns \(cluster\.yaml:1\)\) do not allow looking up "api\.github\.com"/);
    // The rule of another namespace allows the name, but not for these pods.
    expect(where(check({ 'fqdn.yaml': FQDN, 'other.yaml': elsewhere }), 'pitfall-fqdn-without-dns')).toEqual(['fqdn.yaml:12:9']);
  });

  it('a headerMatches name that is not a header name: no request has it (an entry with a mismatch action is not judged)', () => {
    const on = (entry: string): ReturnType<typeof check> => check({ 'api.yaml': httpOn('8080').replace('- method: GET', `- method: GET\n                headerMatches: [${entry}]`) });
    const [d] = findings(on('{name: "X Token", value: a}'), 'pitfall-http-header-never-matches');
    expect(d.message).toBe('headerMatches name "X Token" is not an HTTP header name, so no request has it: the agent accepts it, and Envoy answers 403 '
      + 'to every request this rule should let through');
    expect(where(on('{name: "X Token", value: a}'), 'pitfall-http-header-never-matches')).toEqual(['api.yaml:21:40']);
    for (const entry of ['{name: X-Token, value: a}', '{name: ":authority", value: a}', '{name: "X Token", value: a, mismatch: LOG}']) {
      expect(where(on(entry), 'pitfall-http-header-never-matches'), entry).toEqual([]);
    }
  });

  it('an HTTP method that matches a standard method only in another case: the methods missed and the fix; other methods are not judged', () => {
    const on = (method: string): ReturnType<typeof check> => check({ 'api.yaml': httpOn('8080').replace('- method: GET', `- method: ${method}`) });
    const [d] = findings(on('"GET|head"'), 'pitfall-http-method-case');
    expect(d.message).toBe('http method "GET|head" matches HEAD only in another case: Envoy matches :method case-sensitively and clients send HEAD, '
      + 'so this rule lets no HEAD request through (the agent accepts it, Envoy answers 403)');
    expect(d.fix).toBe('write the method in upper case (HEAD)');
    expect(findings(on('get|post'), 'pitfall-http-method-case')[0].fix).toBe('write the methods in upper case (GET|POST)');
    for (const method of ['GET', '"GET|HEAD"', 'PURGE', '"(?i)get"', '".*"', '"[a-z]+"', '"[[:lower:]]+"']) {
      expect(where(on(method), 'pitfall-http-method-case'), method).toEqual([]);
    }
    for (const method of ['get', 'Get', '"g.t"']) expect(findings(on(method), 'pitfall-http-method-case').length, method).toBe(1);
  });

  it('an address written as a toFQDNs name: one finding, whose fix is its own CIDR; a DNS rule naming an address is not judged', () => {
    const fq = (sel: string): string => FQDN.replace('matchName: api.github.com', sel);
    // The DNS rule allows only api.github.com: "add 10.0.0.1 to the DNS rules" (pitfall-fqdn-not-in-dns-rules) would contradict toCIDR.
    const exact = check({ 'f.yaml': fq('matchName: 10.0.0.1'), 'd.yaml': dnsFor('api.github.com') });
    expect(where(exact, 'pitfall-fqdn-not-in-dns-rules')).toEqual([]);
    const [d] = findings(exact, 'pitfall-fqdn-ip-address');
    expect(d.message).toBe('toFQDNs matchName "10.0.0.1" is an IPv4 address written as a DNS name: toFQDNs selects the addresses DNS answers give '
      + 'for the names pods look up, never an address written as a name, so it allows no connection to that address (clients reach an address '
      + 'without looking it up)');
    expect(d.fix).toBe('allow the address with toCIDR: [10.0.0.1/32]; for a DNS name, write the name');
    const [range] = findings(check({ 'f.yaml': fq('matchPattern: 192.168.*.*'), 'd.yaml': DNS_ALL }), 'pitfall-fqdn-ip-address');
    expect(range.message).toContain('allows the DNS names it matches (such as 192.168.0.io, which anyone may register), not those addresses');
    expect(range.fix).toBe('allow the addresses with toCIDR: [192.168.0.0/16]; for a DNS name, write the name');
    const [odd] = findings(check({ 'f.yaml': fq('matchPattern: "1*"'), 'd.yaml': DNS_ALL }), 'pitfall-fqdn-ip-address');
    expect(odd.message).toContain('matchPattern "1*" is a name of only digits, dots and "*": ');
    expect(odd.fix).toBe('allow the addresses with toCIDR / toCIDRSet with the network (<network>/<bits>); for a DNS name, write the name');
    // In a DNS rule the proxy compares the query name as text: naming an address there lets exactly that lookup through.
    for (const rule of ['10.0.0.*', '203.0.113.7']) expect(where(check({ 'f.yaml': FQDN, 'd.yaml': dnsFor(rule) }), 'pitfall-fqdn-ip-address')).toEqual([]);
  });

  // Cilium's matchpattern turns `*` into `[-a-zA-Z0-9_]*` within one label: `*github.com` matches `evilgithub.com`,
  // `*.com` every `.com` name. The warning names one such name; wildcards below a named domain, private top-level
  // domains and `*` alone (pitfall-broad-peer) are not judged; DNS rules are, by the same rule.
  it('a toFQDNs pattern with a "*" in the registrable part: the names anyone may register, in every section it allows', () => {
    const fq = (sel: string): string => FQDN.replace('matchName: api.github.com', sel);
    const found = (sel: string): string[] => findings(check({ 'f.yaml': fq(sel), 'd.yaml': DNS_ALL }), 'pitfall-fqdn-pattern-registrable').map((d) => d.message);
    const [d] = findings(check({ 'f.yaml': fq('matchPattern: "*github.com"'), 'd.yaml': DNS_ALL }), 'pitfall-fqdn-pattern-registrable');
    expect(d.message).toBe('toFQDNs matchPattern "*github.com" has a "*" in the registrable part of the name: it matches names such as xgithub.com, '
      + 'which anyone may register and point at any address, so these pods may reach whatever such a name resolves to; '
      + "com is a public suffix in the Public Suffix List's ICANN section, under which anyone can create a name");
    expect(d.fix).toBe('put the wildcard below a domain you control ("*.example.com" for its subdomains, plus matchName "example.com" for itself), or list the names');
    for (const [sel, example] of [['"*.com"', 'x.com'], ['"github.*"', 'github.x'], ['"**.com"', 'x.com'], ['"*.co.uk"', 'x.co.uk'], ['"gh-*.io."', 'gh-x.io']]) {
      expect(found(`matchPattern: ${sel}`)).toEqual([expect.stringContaining(`such as ${example}, `)]);
    }
    for (const sel of ['"*.github.com"', '"api-*.github.com"', '"**.github.com"', '"*.example.co.uk"', '"*.internal"', '"*"', '10.0.0.*']) {
      expect(found(`matchPattern: ${sel}`)).toEqual([]);
    }
    // A DNS rule's pattern is judged by the same rule (session 54): the lookups of names under a domain anyone may register
    // (`**.com`: data.attacker.com) reach that domain's DNS server; DnsRule.pattern refuses them (fqdn-pattern-registrable).
    const dns = (pattern: string): { path?: string; message: string; fix?: string }[] =>
      findings(check({ 'f.yaml': FQDN, 'd.yaml': dnsFor(pattern) }), 'pitfall-fqdn-pattern-registrable');
    const [rule] = dns('**.com');
    expect(rule.path).toBe('spec.egress[0].toPorts[0].rules.dns[0].matchPattern');
    expect(rule.message).toBe('DNS rule matchPattern "**.com" has a "*" in the registrable part of the name: it lets the pods look up names such as '
      + 'x.com, which anyone may register, and the DNS server of such a domain reads each lookup (a channel out of the cluster); '
      + "com is a public suffix in the Public Suffix List's ICANN section, under which anyone can create a name");
    for (const pattern of ['*.com', '*.*.com', '*.co.uk']) expect(dns(pattern), pattern).toHaveLength(1);
    for (const pattern of ['*.github.com', '**.github.com', '*', '*.internal', '10.0.0.*']) expect(dns(pattern), pattern).toEqual([]);
  });

  // A hostile pattern of any size (the CRD check refuses it as well, crd-fqdn-max-length) was echoed whole, three times over:
  // a 5,005-character pattern made a finding of 10,390 characters. The pattern is shown as showValue shows a value (80
  // characters), the example name and the suffix as shownName clips them, in a toFQDNs selector and a DNS rule alike.
  it('a registrable pattern of any size: the finding echoes it bounded, in toFQDNs and DNS rules alike', () => {
    const fq = (sel: string): string => FQDN.replace('matchName: api.github.com', sel);
    for (const pattern of [`*${'a'.repeat(5000)}.com`, `*.${'b'.repeat(5000)}`]) {
      const fqdn = findings(check({ 'f.yaml': fq(`matchPattern: "${pattern}"`), 'd.yaml': DNS_ALL }), 'pitfall-fqdn-pattern-registrable');
      const dns = findings(check({ 'f.yaml': FQDN, 'd.yaml': dnsFor(pattern) }), 'pitfall-fqdn-pattern-registrable');
      for (const [d, head] of [[fqdn[0], 'toFQDNs matchPattern "*'], [dns[0], 'DNS rule matchPattern "*']] as const) {
        expect(d.message.startsWith(head)).toBe(true);
        expect(d.message).toContain('more characters)');
        expect(d.message.length).toBeLessThan(700);
        expect((d.fix ?? '').length).toBeLessThan(400);
      }
    }
  });

  // The Public Suffix List (tldts, private section included) on hand-written YAML: a wildcard right below github.io or
  // k12.ak.us matches names anyone can create; one label lower it stays in one holder's domain.
  it('a toFQDNs or DNS rule pattern right below a public suffix of the Public Suffix List, ICANN or private, is reported', () => {
    const fq = (sel: string): string => FQDN.replace('matchName: api.github.com', sel);
    const found = (sel: string): { message: string; fix?: string }[] =>
      findings(check({ 'f.yaml': fq(`matchPattern: "${sel}"`), 'd.yaml': DNS_ALL }), 'pitfall-fqdn-pattern-registrable');
    const [d] = found('*.github.io');
    expect(d.message).toBe('toFQDNs matchPattern "*.github.io" has a "*" in the registrable part of the name: it matches names such as x.github.io, '
      + 'which anyone may register and point at any address, so these pods may reach whatever such a name resolves to; '
      + "github.io is a public suffix in the Public Suffix List's private section, under which anyone can create a name");
    expect(d.fix).toBe('put the wildcard below a domain you control ("*.example.github.io" for its subdomains, plus matchName "example.github.io" '
      + 'for itself), or list the names');
    for (const sel of ['*.herokuapp.com', '*.s3.amazonaws.com', '*.pages.dev', '*.com.br', '*.k12.ak.us', '*.kawasaki.jp', '*.co.de']) {
      expect(found(sel), sel).toHaveLength(1);
    }
    for (const sel of ['*.myorg.github.io', '*.bucket.s3.amazonaws.com', '*.city.kawasaki.jp', '*.example.com.br', '*.net.de']) expect(found(sel), sel).toEqual([]);
    const dns = (pattern: string): { message: string }[] => findings(check({ 'f.yaml': FQDN, 'd.yaml': dnsFor(pattern) }), 'pitfall-fqdn-pattern-registrable');
    expect(dns('**.netlify.app').map((f) => f.message)).toEqual([expect.stringContaining(
      'names such as x.netlify.app, which anyone may register, and the DNS server of such a domain reads each lookup (a channel out of the cluster); '
      + "netlify.app is a public suffix in the Public Suffix List's private section")]);
    expect(dns('**.myorg.netlify.app')).toEqual([]);
  });

  it('a DNS rule in another file counts (the set is judged together)', () => {
    expect(where(check({ 'a.yaml': FQDN, 'b.yaml': dnsFor('*') }), 'pitfall-fqdn-without-dns')).toEqual([]);
  });

  it('reports a repeated subject of a specs list once', () => {
    const specs = yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: twice
      specs:
        - endpointSelector: { matchLabels: { app: web } }
          egress: [{ toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }]
        - endpointSelector: { matchLabels: { app: web } }
          egress: [{ toPorts: [{ ports: [{ port: "80", protocol: TCP }] }] }]
    `;
    expect(where(check({ 's.yaml': specs }), 'pitfall-default-deny-without-dns')).toEqual(['s.yaml:7:13']);
  });

  it('a namespace-wide rule on a Service port is not about that Service', () => {
    const nsWide = ingressOn('8080').replace('matchLabels:\n      app: web', 'matchLabels: {}');
    expect(where(check({ 'svc.yaml': SERVICE, 'p.yaml': nsWide }), 'pitfall-service-port')).toEqual([]);
  });

  it('kafka on 1.19 is only deprecated', () => {
    const report = check({ 'kafka.yaml': kafka(KAFKA_RULES) }, { ciliumVersion: '1.19' });
    expect(where(report, 'pitfall-kafka-removed')).toEqual([]);
    expect(where(report, 'version-kafka-deprecated')).toEqual(['kafka.yaml:20:15']);
  });

  it('a host policy that keeps the paths open through remote-node, health and the API server passes', () => {
    const extra = '    - fromEntities: [remote-node, health, kube-apiserver]\n    - toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]\n';
    expect(where(check({ 'host.yaml': hostPolicy(extra) }), 'pitfall-host-lockout')).toEqual([]);
  });

  it('a deny rule that cuts a guarded path is a lockout too (reported at the deny, an error: deny wins over the allows)', () => {
    const extra = '    - fromEntities: [cluster]\n  ingressDeny:\n    - fromEntities: [remote-node]\n';
    const report = check({ 'host.yaml': hostPolicy(extra) });
    expect(where(report, 'pitfall-host-lockout')).toEqual([]);
    const [d] = findings(report, 'pitfall-host-deny-lockout');
    expect(d.severity).toBe('error');
    expect(d.message).toContain('cuts the kube-apiserver, kubelet, etcd, cilium-health, tunnel, icmp paths');
  });
});

/** Pitfalls of the issue that a per-policy layer reports, through the same path, with their location. */
const LAYER_CASES: readonly { id: string; when: string; text: string; at: string; version?: string }[] = [
  {
    id: 'sanitize-empty-section', when: 'egress: [] meant as default deny',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: deny-all
      spec:
        endpointSelector: {}
        ingress: [{}]
        egress: []
    `, at: 'p.yaml:8:11',
  },
  {
    id: 'sanitize-cnp-subject-namespace', when: 'a namespace label in a CNP endpointSelector',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: other-ns
        namespace: shop
      spec:
        endpointSelector:
          matchLabels:
            k8s:io.kubernetes.pod.namespace: billing
        ingress: [{}]
    `, at: 'p.yaml:9:40',
  },
  {
    id: 'sanitize-l7-protocol', when: 'HTTP rules on a UDP port',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l7-udp
      spec:
        endpointSelector: {}
        ingress:
          - toPorts:
              - ports:
                  - port: "80"
                    protocol: UDP
                rules:
                  http: [{ method: GET }]
    `, at: 'p.yaml:11:25',
  },
  {
    id: 'sanitize-l7-port-zero', when: 'HTTP rules on port 0',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l7-zero
      spec:
        endpointSelector: {}
        ingress:
          - toPorts:
              - ports:
                  - port: "0"
                    protocol: TCP
                rules:
                  http: [{ method: GET }]
    `, at: 'p.yaml:10:21',
  },
  {
    id: 'version-annotation-missing', when: 'no annotation, beside policies annotated for 1.16 and 1.19',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: old
        annotations:
          cdk8s-cilium.io/cilium-version: "1.16"
      spec:
        endpointSelector: {}
      ---
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: new
        annotations:
          cdk8s-cilium.io/cilium-version: "1.19"
      spec:
        endpointSelector: {}
      ---
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: plain
      spec:
        endpointSelector: {}
    `, at: 'p.yaml:22:9',
  },
  {
    id: 'version-annotation-invalid', when: 'cdk8s-cilium.io/cilium-version: main',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: main
        annotations:
          cdk8s-cilium.io/cilium-version: main
      spec:
        endpointSelector: {}
    `, at: 'p.yaml:6:37',
  },
  {
    id: 'version-requires-removed', when: 'fromRequires on 1.19',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: requires
      spec:
        endpointSelector: {}
        ingress:
          - fromRequires:
              - matchLabels: { env: prod }
    `, at: 'p.yaml:9:9',
  },
  {
    id: 'version-requires-deprecated', when: 'fromRequires on 1.17', version: '1.17',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: requires
      spec:
        endpointSelector: {}
        ingress:
          - fromRequires:
              - matchLabels: { env: prod }
    `, at: 'p.yaml:9:9',
  },
  {
    id: 'crd-entity', when: 'the world-ipv4 entity',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: world4
      spec:
        endpointSelector: {}
        ingress:
          - fromEntities: [world-ipv4]
    `, at: 'p.yaml:8:22',
  },
  {
    id: 'sanitize-l7-port-range', when: 'HTTP rules on a port range on 1.16', version: '1.16',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: l7-range
      spec:
        endpointSelector: {}
        ingress:
          - toPorts:
              - ports:
                  - port: "8080"
                    endPort: 8090
                    protocol: TCP
                rules:
                  http: [{ method: GET }]
    `, at: 'p.yaml:11:24',
  },
  {
    id: 'version-end-port', when: 'endPort on 1.15 (newer than the target)', version: '1.15',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: range
      spec:
        endpointSelector: {}
        ingress:
          - toPorts:
              - ports:
                  - port: "8000"
                    endPort: 8100
                    protocol: TCP
    `, at: 'p.yaml:11:24',
  },
  {
    id: 'sanitize-port-octal', when: 'a leading-zero port ("010" is octal 8)',
    text: yaml`
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: octal
      spec:
        endpointSelector: {}
        ingress:
          - toPorts:
              - ports:
                  - port: "010"
                    protocol: TCP
    `, at: 'p.yaml:10:21',
  },
  {
    id: 'sanitize-services-with-ports', when: 'toServices with toPorts on 1.16', version: '1.16',
    text: toServices('api', 'shop', PORTS_8080), at: 'p.yaml:16:9',
  },
];

describe.each(LAYER_CASES.map((c) => [`${c.id}: ${c.when}`, c] as const))('issue pitfall covered by a layer — %s', (_name, c) => {
  it('is reported with its location', () => {
    const report = check({ 'p.yaml': c.text }, c.version ? { ciliumVersion: c.version } : {});
    expect(where(report, c.id), summary(report).join('\n')).toEqual([c.at]);
  });
});

/** A CNP `shop/dns`: every pod of shop may reach kube-dns on 53/`protocol`. */
const dnsOn = (protocol: string): string => yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: dns
    namespace: shop
  spec:
    endpointSelector: {}
    egress:
      - toEndpoints:
          - matchLabels:
              k8s:io.kubernetes.pod.namespace: kube-system
              k8s:k8s-app: kube-dns
        toPorts:
          - ports:
              - port: "53"
                protocol: ${protocol}
`;

const NAMESPACE_DENY_TEXT = yaml`
  apiVersion: cilium.io/v2
  kind: CiliumNetworkPolicy
  metadata:
    name: default-deny
    namespace: shop
  spec:
    endpointSelector: {}
    ingress:
      - {}
    egress:
      - {}
`;

describe('egress default deny without DNS is an error (the seeds\' first pitfall)', () => {
  const NAMESPACE_DENY = yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      endpointSelector: {}
      ingress:
        - {}
      egress:
        - {}
  `;

  it('the plain ingress: [{}] / egress: [{}] namespace deny is flagged, at error level', () => {
    const [d] = findings(check({ 'deny.yaml': NAMESPACE_DENY }), 'pitfall-default-deny-without-dns');
    expect(d.severity).toBe('error');
    expect(d.message).toContain('53/UDP and 53/TCP');
  });

  it('DNS on UDP only is still flagged (TCP fallback); UDP and TCP (or ANY) pass', () => {
    const [d] = findings(check({ 'deny.yaml': NAMESPACE_DENY, 'dns.yaml': dnsOn('UDP') }), 'pitfall-default-deny-without-dns');
    expect(d.message).toContain('DNS on 53/TCP');
    expect(findings(check({ 'deny.yaml': NAMESPACE_DENY, 'dns.yaml': dnsOn('ANY') }), 'pitfall-default-deny-without-dns')).toEqual([]);
    expect(findings(check({ 'deny.yaml': NAMESPACE_DENY, 'a.yaml': dnsOn('UDP'), 'b.yaml': dnsOn('TCP').replace('name: dns', 'name: dns-tcp') }),
      'pitfall-default-deny-without-dns')).toEqual([]);
  });
});

describe('a DNS allow on port 0 is read as the engine reads it (every port in any spelling, unless an endPort bounds it)', () => {
  const DENY = NAMESPACE_DENY_TEXT;
  const dnsPort = (port: string, endPort = ''): string => dnsOn('ANY').replace('- port: "53"', `- port: "${port}"${endPort}`);
  it.each(['0', '00', '0_0'])('port %s is every port: DNS is allowed, no finding', (port) => {
    expect(findings(check({ 'deny.yaml': DENY, 'dns.yaml': dnsPort(port) }), 'pitfall-default-deny-without-dns')).toEqual([]);
  });
  it('port 0 with endPort 40 is 0-40, not 53: flagged; with endPort 53 it covers 53: not flagged', () => {
    const [d] = findings(check({ 'deny.yaml': DENY, 'dns.yaml': dnsPort('0', '\n              endPort: 40') }), 'pitfall-default-deny-without-dns');
    expect(d.message).toContain('53/UDP and 53/TCP');
    expect(findings(check({ 'deny.yaml': DENY, 'dns.yaml': dnsPort('0', '\n              endPort: 53') }), 'pitfall-default-deny-without-dns')).toEqual([]);
  });
  it('before 1.16 the API server prunes endPort: port 0 with endPort 40 is every port, 53 included: no finding', () => {
    expect(findings(check({ 'deny.yaml': DENY, 'dns.yaml': dnsPort('0', '\n              endPort: 40') }, { ciliumVersion: '1.15' }),
      'pitfall-default-deny-without-dns')).toEqual([]);
  });
});

describe('DNS providers are matched by namespace (an index, not a scan of every provider per rule)', () => {
  const deny = (ns: string): string => yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: default-deny
      namespace: ${ns}
    spec:
      endpointSelector: {}
      egress:
        - {}
  `;
  const dnsIn = (ns: string): string => dnsOn('ANY').replace('namespace: shop', `namespace: ${ns}`);
  /** Namespaces n0..n19, each with its default deny; DNS for those in `covered`. */
  const app = (covered: string[], extra: Record<string, string> = {}): Record<string, string> => Object.fromEntries([
    ...Array.from({ length: 20 }, (_, i) => [`deny-${i}.yaml`, deny(`n${i}`)]),
    ...covered.map((ns) => [`dns-${ns}.yaml`, dnsIn(ns)]),
    ...Object.entries(extra),
  ]);
  const flagged = (files: Record<string, string>): string[] => where(check(files), 'pitfall-default-deny-without-dns').map((w) => w.split(':')[0]).sort();

  it('a namespace\'s own DNS policy covers it, another namespace\'s does not', () => {
    expect(flagged(app(['n3', 'n7']))).toEqual(Array.from({ length: 20 }, (_, i) => `deny-${i}.yaml`).filter((f) => !['deny-3.yaml', 'deny-7.yaml'].includes(f)).sort());
  });

  it('a clusterwide DNS policy for a list of namespaces covers those, and one for every namespace covers all', () => {
    const listed = DNS_ALL.replace('endpointSelector: {}', 'endpointSelector: {matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: In, values: [n1, n2]}]}');
    expect(flagged(app([], { 'dns.yaml': listed }))).toEqual(Array.from({ length: 20 }, (_, i) => `deny-${i}.yaml`).filter((f) => !['deny-1.yaml', 'deny-2.yaml'].includes(f)).sort());
    expect(flagged(app([], { 'dns.yaml': DNS_ALL }))).toEqual([]);
  });
});

describe('a Kubernetes NetworkPolicy that allows DNS counts for the DNS pitfall', () => {
  const DENY = yaml`
    apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata:
      name: default-deny
      namespace: shop
    spec:
      endpointSelector: {}
      egress:
        - {}
  `;
  const npDns = (ports: string): string => yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: dns
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: kube-system
              podSelector:
                matchLabels:
                  k8s-app: kube-dns
          ports: ${ports}
  `;

  it('UDP and TCP 53 in a NetworkPolicy: no finding; UDP only: flagged', () => {
    expect(findings(check({ 'deny.yaml': DENY, 'np.yaml': npDns('[{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]') }), 'pitfall-default-deny-without-dns')).toEqual([]);
    // Both the CNP deny and the NetworkPolicy (itself an egress default deny) leave the pods without DNS over TCP.
    expect(where(check({ 'deny.yaml': DENY, 'np.yaml': npDns('[{port: 53, protocol: UDP}]') }), 'pitfall-default-deny-without-dns'))
      .toEqual(['deny.yaml:9:5', 'np.yaml:10:5']);
  });
});

describe('a Kubernetes NetworkPolicy that is itself the egress default deny', () => {
  const NP_DENY_ALL = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: default-deny-all
      namespace: shop
    spec:
      podSelector: {}
      policyTypes:
        - Ingress
        - Egress
  `;
  const NP_EGRESS_TO_DB = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: web-egress
      namespace: shop
    spec:
      podSelector:
        matchLabels: {app: web}
      policyTypes: [Egress]
      egress:
        - to:
            - podSelector:
                matchLabels: {app: db}
          ports:
            - port: 5432
  `;
  const NP_DNS = yaml`
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: allow-dns
      namespace: shop
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - namespaceSelector:
                matchLabels:
                  kubernetes.io/metadata.name: kube-system
              podSelector:
                matchLabels:
                  k8s-app: kube-dns
          ports:
            - {port: 53, protocol: UDP}
            - {port: 53, protocol: TCP}
  `;

  it('the zero-trust guide\'s NetworkPolicy deny-all is an error at its policyTypes, naming the NetworkPolicy', () => {
    const report = check({ 'deny.yaml': NP_DENY_ALL });
    const [d] = findings(report, 'pitfall-default-deny-without-dns');
    expect(where(report, 'pitfall-default-deny-without-dns')).toEqual(['deny.yaml:9:5']);
    expect(d).toMatchObject({ severity: 'error', kind: 'NetworkPolicy', name: 'default-deny-all', namespace: 'shop', path: 'spec.policyTypes' });
    expect(d.message).toContain('this NetworkPolicy (policyTypes: Egress) puts every pod in namespace shop into egress default deny');
    expect(d.fix).toContain('k8s-app: kube-dns');
    expect(report.summary.passed).toBe(false);
  });

  it('a NetworkPolicy with egress rules but none to DNS is flagged at its egress', () => {
    const report = check({ 'web.yaml': NP_EGRESS_TO_DB });
    expect(where(report, 'pitfall-default-deny-without-dns')).toEqual(['web.yaml:11:5']);
    expect(findings(report, 'pitfall-default-deny-without-dns')[0].message).toContain('pods {app=web} in namespace shop');
  });

  it('DNS allowed by another NetworkPolicy or by a CNP for the same pods: no finding', () => {
    expect(findings(check({ 'deny.yaml': NP_DENY_ALL, 'dns.yaml': NP_DNS }), 'pitfall-default-deny-without-dns')).toEqual([]);
    expect(findings(check({ 'web.yaml': NP_EGRESS_TO_DB, 'dns.yaml': NP_DNS }), 'pitfall-default-deny-without-dns')).toEqual([]);
    expect(findings(check({ 'deny.yaml': NP_DENY_ALL, 'dns.yaml': dnsOn('ANY') }), 'pitfall-default-deny-without-dns')).toEqual([]);
  });

  it('DNS for other pods, or in another namespace, does not count', () => {
    const otherNs = NP_DNS.replace('namespace: shop', 'namespace: billing');
    expect(where(check({ 'deny.yaml': NP_DENY_ALL, 'dns.yaml': otherNs }), 'pitfall-default-deny-without-dns')).toEqual(['deny.yaml:9:5']);
    const otherPods = NP_DNS.replace('podSelector: {}', 'podSelector: {matchLabels: {app: api}}');
    expect(where(check({ 'deny.yaml': NP_DENY_ALL, 'dns.yaml': otherPods }), 'pitfall-default-deny-without-dns')).toEqual(['deny.yaml:9:5']);
  });

  it('an ingress-only NetworkPolicy is no egress default deny', () => {
    const ingressOnly = NP_DENY_ALL.replace(/policyTypes:\n(\s+)- Ingress\n\s+- Egress/, 'policyTypes:\n$1- Ingress');
    expect(ingressOnly).not.toContain('Egress');
    expect(findings(check({ 'deny.yaml': ingressOnly }), 'pitfall-default-deny-without-dns')).toEqual([]);
  });

  it('two NetworkPolicies on the same pods are each reported', () => {
    const second = NP_DENY_ALL.replace('default-deny-all', 'deny-again');
    expect(where(check({ 'a.yaml': NP_DENY_ALL, 'b.yaml': second }), 'pitfall-default-deny-without-dns')).toEqual(['a.yaml:9:5', 'b.yaml:9:5']);
  });
});

describe('pitfall-cidr-group-ref-empty / -missing: the wording, and where they do not fire', () => {
  it('says what happens and how to fix it, per case', () => {
    const empty = findings(check({ 'group.yaml': partnersGroup('[]'), 'p.yaml': FROM_PARTNERS }, { ciliumVersion: '1.15' }), 'pitfall-cidr-group-ref-empty');
    expect(empty.map((d) => [d.path, d.message, d.fix])).toEqual([['spec.ingress[0].fromCIDRSet',
      'every entry of fromCIDRSet is a cidrGroupRef and the CiliumCIDRGroup "partners" of the input has no externalCIDRs: Cilium 1.15 replaces each '
      + 'reference with its group\'s CIDRs before import and drops a list left with none, so the item has no peer selector: its ports are open to every '
      + 'peer, the world included',
      'add a plain cidr entry to fromCIDRSet, ship the CiliumCIDRGroup with its externalCIDRs, or target Cilium 1.16 (where the list selects nothing)']]);
    const missing = findings(check({ 'p.yaml': FROM_PARTNERS }, { ciliumVersion: '1.14' }), 'pitfall-cidr-group-ref-missing');
    expect(missing.map((d) => d.message)).toEqual(['every entry of fromCIDRSet is a cidrGroupRef and the CiliumCIDRGroup "partners" is not in the input: '
      + 'Cilium 1.14 replaces each reference with its group\'s CIDRs before import and drops a list left with none, so the item has no peer selector '
      + 'if the missing group is missing or empty in the cluster too: its ports are then open to every peer, the world included (if one has CIDRs, '
      + 'only those are allowed); the engine does not judge the endpoints this rule selects']);
  });

  it('does not fire on 1.16, beside a plain cidr, without toPorts or icmps, in ingressDeny', () => {
    const ids = (text: string, version: string, errors: string[] = []): string[] => {
      const report = check({ 'p.yaml': text }, { ciliumVersion: version });
      expect(errorIds(report), summary(report).join('\n')).toEqual(errors);
      return findings(report, 'pitfall-cidr-group-ref-missing').map((d) => d.id);
    };
    expect(ids(FROM_PARTNERS, '1.16')).toEqual([]);
    expect(ids(FROM_PARTNERS.replace(/^(\s*)- cidrGroupRef: partners$/m, '$1- cidrGroupRef: partners\n$1- cidr: 192.0.2.0/24'), '1.15')).toEqual([]);
    expect(ids(FROM_PARTNERS.replace(/\n\s+toPorts:[\s\S]*$/, '\n'), '1.15')).toEqual([]);
    // The 1.15 watcher does not resolve it there: the deny denies no one (version-egress-cidr-group-ref).
    expect(ids(FROM_PARTNERS.replace('ingress:', 'ingressDeny:'), '1.15', ['version-egress-cidr-group-ref'])).toEqual([]);
    expect(ids(FROM_PARTNERS, '1.15')).toEqual(['pitfall-cidr-group-ref-missing']);
    // Session 46 (cidr-groups.ts `droppedGroupRefs`, `entries.length === 0` → `false`): an empty fromCIDRSet names no group,
    // so neither finding fires, on either version before 1.16 (the empty list is read as every empty peer list there).
    const emptyList = FROM_PARTNERS.replace(/\n\s+- cidrGroupRef: partners$/m, ' []');
    for (const version of ['1.14', '1.15']) {
      const report = check({ 'p.yaml': emptyList }, { ciliumVersion: version });
      expect(findings(report, 'pitfall-cidr-group-ref-missing').concat(findings(report, 'pitfall-cidr-group-ref-empty')), version).toEqual([]);
    }
  });
});
