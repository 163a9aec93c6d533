/**
 * The well-known NetworkPolicy recipes (github.com/ahmetb/kubernetes-network-policy-recipes) as
 * truth tables, run under every CNI semantics. Each case cites the recipe file and the commit it
 * was read at; the expectations are the recipe's "Try it out" results, completed for the pairs the
 * recipe does not try with the NetworkPolicy semantics it relies on. Pods are the ones the recipe
 * runs (`kubectl run` labels them `run=<name>` unless `--labels` is given).
 */
import { ALL_CNIS, UpstreamCase, describeCaseData, describeCases, namespace, networkPolicy, pod, tt } from './support';

const REPO = 'ahmetb/kubernetes-network-policy-recipes';
let nextIp = 20;
/** A pod with the next free IP of 10.244.9.0/24. */
const p = (ns: string, name: string, labels: Record<string, string>, ports?: { name?: string; containerPort: number; protocol?: string }[]) =>
  pod(ns, name, labels, { ip: `10.244.9.${nextIp++}`, ports });

const webDenyAll = networkPolicy('default', 'web-deny-all', { podSelector: { matchLabels: { app: 'web', env: 'prod' } } });

export const RECIPE_CASES: UpstreamCase[] = [
  // REPO 01-deny-all-traffic-to-an-application.md @1c02611ed295ade35843db55b7167b100afb9a16
  {
    name: `${REPO} 01: DENY all traffic to an application`,
    manifests: [p('default', 'web', { app: 'web', env: 'prod' }), p('default', 'test', { run: 'test' }), webDenyAll],
    tables: [tt('TCP/80', 'allow', 'default/test > default/web: deny'), tt('TCP/80', null, 'ext:198.51.100.7 > default/web: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 02-limit-traffic-to-an-application.md @125da2e1f05605092a56f2c8a1492fe9293f9ab2
  {
    name: `${REPO} 02: LIMIT traffic to an application`,
    manifests: [
      p('default', 'apiserver', { app: 'bookstore', role: 'api' }),
      p('default', 'frontend', { app: 'bookstore', role: 'frontend' }),
      p('default', 'test', { run: 'test' }),
      networkPolicy('default', 'api-allow', {
        podSelector: { matchLabels: { app: 'bookstore', role: 'api' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'bookstore' } } }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/test > default/apiserver: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 02a-allow-all-traffic-to-an-application.md @5abbbf7207e536602e43345f084f879a0498fc37
  // (applied together with 01's web-deny-all, as the recipe says). `ingress: [{}]` admits every
  // source, also outside the cluster (see recipe 08).
  {
    name: `${REPO} 02a: ALLOW all traffic to an application (with web-deny-all present)`,
    manifests: [
      namespace('other'),
      p('default', 'web', { app: 'web', env: 'prod' }),
      p('default', 'test', { run: 'test' }),
      p('other', 'test', { run: 'test' }),
      webDenyAll,
      networkPolicy('default', 'web-allow-all', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
    ],
    tables: [tt('TCP/80', 'allow'), tt('TCP/80', null, 'ext:198.51.100.7 > default/web: allow')],
    cnis: ALL_CNIS,
  },
  // REPO 03-deny-all-non-whitelisted-traffic-in-the-namespace.md @29924ded6e8db62f985ce355407df9ea955a6e93
  // (the recipe writes `matchLabels:` with no value, i.e. null: the same empty selector as `{}`).
  {
    name: `${REPO} 03: DENY all non-whitelisted traffic in the current namespace`,
    manifests: [
      namespace('other'),
      p('default', 'web', { app: 'web' }),
      p('default', 'test', { run: 'test' }),
      p('other', 'client', { run: 'client' }),
      networkPolicy('default', 'default-deny-all', { podSelector: {} }),
    ],
    tables: [tt('TCP/80', 'allow', '* > default/*: deny'), tt('TCP/443', null, 'default/web > ext:198.51.100.7: allow')],
    cnis: ALL_CNIS,
  },
  // REPO 04-deny-traffic-from-other-namespaces.md @016e475e24bb532d9439c907b1a9ab3fbed6438e
  {
    name: `${REPO} 04: DENY all traffic from other namespaces`,
    manifests: [
      namespace('secondary'),
      p('secondary', 'web', { app: 'web' }),
      p('secondary', 'test', { run: 'test' }),
      p('default', 'test', { run: 'test' }),
      networkPolicy('secondary', 'deny-from-other-namespaces', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/test > secondary/*: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 05-allow-traffic-from-all-namespaces.md @125da2e1f05605092a56f2c8a1492fe9293f9ab2
  // `namespaceSelector: {}` selects pods of every namespace, and nothing outside the cluster.
  {
    name: `${REPO} 05: ALLOW traffic to an application from all namespaces`,
    manifests: [
      namespace('secondary'),
      p('secondary', 'web', { app: 'web' }),
      p('secondary', 'test', { run: 'test' }),
      p('default', 'test', { run: 'test' }),
      networkPolicy('secondary', 'web-allow-all-namespaces', {
        podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow'), tt('TCP/80', null, 'ext:198.51.100.7 > secondary/web: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 06-allow-traffic-from-a-namespace.md @125da2e1f05605092a56f2c8a1492fe9293f9ab2
  {
    name: `${REPO} 06: ALLOW all traffic from a namespace`,
    manifests: [
      namespace('dev', { purpose: 'testing' }),
      namespace('prod', { purpose: 'production' }),
      p('default', 'web', { app: 'web' }),
      p('default', 'test', { run: 'test' }),
      p('dev', 'test', { run: 'test' }),
      p('prod', 'test', { run: 'test' }),
      networkPolicy('default', 'web-allow-prod', {
        podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'production' } } }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow', '* > default/web: deny', 'prod/test > default/web: allow')],
    cnis: ALL_CNIS,
  },
  // REPO 07-allow-traffic-from-some-pods-in-another-namespace.md @411ecb12401ec669420917acc19307cf8be2b2ef
  {
    name: `${REPO} 07: ALLOW traffic from some pods in another namespace (namespaceSelector AND podSelector)`,
    manifests: [
      namespace('other', { team: 'operations' }),
      p('default', 'web', { app: 'web' }),
      p('default', 'test', { run: 'test' }),
      p('default', 'monitoring', { type: 'monitoring' }),
      p('other', 'test', { run: 'test' }),
      p('other', 'monitoring', { type: 'monitoring' }),
      networkPolicy('default', 'web-allow-all-ns-monitoring', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'operations' } }, podSelector: { matchLabels: { type: 'monitoring' } } }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow', '* > default/web: deny', 'other/monitoring > default/web: allow')],
    cnis: ALL_CNIS,
  },
  // Same recipe, its "OR" remark: two peers are two alternatives.
  {
    name: `${REPO} 07: the OR form (two peers) admits every pod of the namespace and every monitoring pod of the policy namespace`,
    manifests: [
      namespace('other', { team: 'operations' }),
      p('default', 'web', { app: 'web' }),
      p('default', 'test', { run: 'test' }),
      p('default', 'monitoring', { type: 'monitoring' }),
      p('other', 'test', { run: 'test' }),
      p('other', 'monitoring', { type: 'monitoring' }),
      networkPolicy('default', 'web-allow-all-ns-monitoring', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'operations' } } }, { podSelector: { matchLabels: { type: 'monitoring' } } }] }],
      }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/test > default/web: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 08-allow-external-traffic.md @5d0477352f8d9b76ec38db1a6995121fb9233440 (in a namespace
  // under recipe 03's default-deny-all, as its use case says).
  {
    name: `${REPO} 08: ALLOW traffic from external clients`,
    manifests: [
      p('default', 'web', { app: 'web' }),
      p('default', 'test', { run: 'test' }),
      networkPolicy('default', 'default-deny-all', { podSelector: {} }),
      networkPolicy('default', 'web-allow-external', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }),
    ],
    tables: [
      tt('TCP/80', 'allow', 'default/web > default/test: deny'),
      tt('TCP/80', null, 'ext:198.51.100.7 > default/web: allow', 'ext:198.51.100.7 > default/test: deny'),
      tt('TCP/443', null, 'ext:198.51.100.7 > default/web: allow'),
    ],
    cnis: ALL_CNIS,
  },
  // Same recipe, its remark: an ingress rule with only `ports: [80]` restricts every source to port 80.
  {
    name: `${REPO} 08: external access restricted to port 80`,
    manifests: [
      p('default', 'web', { app: 'web' }),
      networkPolicy('default', 'web-allow-external', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }] }),
    ],
    tables: [
      tt('TCP/80', null, 'ext:198.51.100.7 > default/web: allow'),
      tt('TCP/443', null, 'ext:198.51.100.7 > default/web: deny'),
      tt('UDP/80', null, 'ext:198.51.100.7 > default/web: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // REPO 09-allow-traffic-only-to-a-port.md @11f5018e269359d9f900ae3b5c2e94c306623053: pod ports
  // (not the Service's 8001/5001) are what the policy matches.
  {
    name: `${REPO} 09: ALLOW traffic only to a port of an application`,
    manifests: [
      p('default', 'apiserver', { app: 'apiserver' }, [{ containerPort: 8000 }, { containerPort: 5000 }]),
      p('default', 'test', { run: 'test' }),
      p('default', 'monitoring', { role: 'monitoring' }),
      networkPolicy('default', 'api-allow-5000', {
        podSelector: { matchLabels: { app: 'apiserver' } },
        ingress: [{ ports: [{ port: 5000 }], from: [{ podSelector: { matchLabels: { role: 'monitoring' } } }] }],
      }),
    ],
    tables: [
      tt('TCP/5000', null, 'default/test > default/apiserver: deny', 'default/monitoring > default/apiserver: allow'),
      tt('TCP/8000', null, 'default/test > default/apiserver: deny', 'default/monitoring > default/apiserver: deny'),
      tt('TCP/5001', null, 'default/monitoring > default/apiserver: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // Same recipe, its named-port form: `port: api-port` resolves on the pod to 5000.
  {
    name: `${REPO} 09: the named-port form`,
    manifests: [
      p('default', 'apiserver', { app: 'apiserver' }, [{ name: 'api-port', containerPort: 5000, protocol: 'TCP' }, { containerPort: 8000 }]),
      p('default', 'test', { run: 'test' }),
      networkPolicy('default', 'api-allow-5000', { podSelector: { matchLabels: { app: 'apiserver' } }, ingress: [{ ports: [{ port: 'api-port' }] }] }),
    ],
    tables: [
      tt('TCP/5000', null, 'default/test > default/apiserver: allow'),
      tt('TCP/api-port', null, 'default/test > default/apiserver: allow'),
      tt('TCP/8000', null, 'default/test > default/apiserver: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // REPO 10-allowing-traffic-with-multiple-selectors.md @125da2e1f05605092a56f2c8a1492fe9293f9ab2
  {
    name: `${REPO} 10: ALLOW traffic from apps using multiple selectors`,
    manifests: [
      p('default', 'db', { app: 'bookstore', role: 'db' }),
      p('default', 'search', { app: 'bookstore', role: 'search' }),
      p('default', 'api', { app: 'bookstore', role: 'api' }),
      p('default', 'catalog', { app: 'inventory', role: 'web' }),
      p('default', 'other', { app: 'other' }),
      p('default', 'bookstore-web', { app: 'bookstore', role: 'web' }),
      networkPolicy('default', 'redis-allow-services', {
        podSelector: { matchLabels: { app: 'bookstore', role: 'db' } },
        ingress: [{
          from: [
            { podSelector: { matchLabels: { app: 'bookstore', role: 'search' } } },
            { podSelector: { matchLabels: { app: 'bookstore', role: 'api' } } },
            { podSelector: { matchLabels: { app: 'inventory', role: 'web' } } },
          ],
        }],
      }),
    ],
    tables: [tt('TCP/6379', 'allow', 'default/other > default/db: deny', 'default/bookstore-web > default/db: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 11-deny-egress-traffic-from-an-application.md @125da2e1f05605092a56f2c8a1492fe9293f9ab2
  {
    name: `${REPO} 11: DENY egress traffic from an application`,
    manifests: [
      namespace('kube-system'),
      p('default', 'foo', { app: 'foo' }),
      p('default', 'web', { app: 'web' }),
      p('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
      networkPolicy('default', 'foo-deny-egress', { podSelector: { matchLabels: { app: 'foo' } }, policyTypes: ['Egress'], egress: [] }),
    ],
    tables: [
      tt('TCP/80', 'allow', 'default/foo > *: deny'),
      tt('UDP/53', null, 'default/foo > kube-system/coredns: deny'),
      tt('TCP/80', null, 'default/foo > ext:93.184.216.34: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // Same recipe, with DNS allowed: 53/UDP and 53/TCP to any destination (the recipe warns: any host).
  {
    name: `${REPO} 11: DENY egress traffic from an application, DNS allowed`,
    manifests: [
      namespace('kube-system'),
      p('default', 'foo', { app: 'foo' }),
      p('default', 'web', { app: 'web' }),
      p('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
      networkPolicy('default', 'foo-deny-egress', {
        podSelector: { matchLabels: { app: 'foo' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
      }),
    ],
    tables: [
      tt('UDP/53', null, 'default/foo > kube-system/coredns: allow', 'default/foo > ext:8.8.8.8: allow'),
      tt('TCP/53', null, 'default/foo > kube-system/coredns: allow'),
      tt('TCP/80', 'allow', 'default/foo > *: deny'),
      tt('TCP/80', null, 'default/foo > ext:93.184.216.34: deny'),
    ],
    cnis: ALL_CNIS,
  },
  // REPO 12-deny-all-non-whitelisted-traffic-from-the-namespace.md @6f169a434b4d978e6ba43795813c16ef9c46b586
  {
    name: `${REPO} 12: DENY all non-whitelisted traffic from a namespace`,
    manifests: [
      namespace('other'),
      p('default', 'web', { app: 'web' }),
      p('default', 'test', { run: 'test' }),
      p('other', 'client', { run: 'client' }),
      networkPolicy('default', 'default-deny-all-egress', { policyTypes: ['Egress'], podSelector: {}, egress: [] }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/* > *: deny'), tt('UDP/53', null, 'default/web > ext:8.8.8.8: deny')],
    cnis: ALL_CNIS,
  },
  // REPO 14-deny-external-egress-traffic.md @01b8390aaedca3bf0e3cc9468b6b9a5f562b7065
  {
    name: `${REPO} 14: DENY external egress traffic`,
    manifests: [
      namespace('other'),
      p('default', 'foo', { app: 'foo' }),
      p('default', 'web', { app: 'web' }),
      p('other', 'api', { app: 'api' }),
      networkPolicy('default', 'foo-deny-external-egress', {
        podSelector: { matchLabels: { app: 'foo' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }, { to: [{ namespaceSelector: {} }] }],
      }),
    ],
    tables: [
      tt('TCP/80', 'allow'),
      tt('TCP/80', null, 'default/foo > ext:93.184.216.34: deny'),
      tt('UDP/53', null, 'default/foo > ext:8.8.8.8: allow'),
    ],
    cnis: ALL_CNIS,
  },
];

describeCaseData(RECIPE_CASES);
for (const cni of ALL_CNIS) describeCases(cni, RECIPE_CASES);
