/**
 * Calico (v3.32.1, projectcalico.org/v3) policy semantics from the Calico documentation and, where
 * the documentation leaves a point open or says otherwise, from the Calico code: truth tables run
 * under Calico semantics. Each case cites its source; "docs" = docs.tigera.io (stored copies of the
 * Calico Open Source reference pages), "code" = github.com/projectcalico/calico at the commit given.
 */
import {
  UpstreamCase, calicoNetworkPolicy, describeCaseData, describeCases, globalNetworkPolicy, globalNetworkSet, namespace, pod, tier, tt,
} from './support';

let nextIp = 10;
/** A pod with the next free IP of 10.244.7.0/24. */
const p = (ns: string, name: string, labels: Record<string, string>, serviceAccount?: string) =>
  pod(ns, name, labels, { ip: `10.244.7.${nextIp++}`, serviceAccount });

const prod = [namespace('prod'), p('prod', 'web', { app: 'web' }), p('prod', 'db', { app: 'db' }), p('prod', 'other', { app: 'other' })];
const CALICO: ['calico'] = ['calico'];

export const CALICO_CASES: UpstreamCase[] = [
  // docs reference/resources/networkpolicy, `types` ("if types has no value, Calico defaults as
  // follows") and code libcalico-go/lib/clientv3/networkpolicy.go defaultPolicyTypesField
  // @78f6591d4f26703c2c8b68297b517cb755a957a6: egress rules and no ingress rules => [Egress].
  {
    name: 'types omitted, egress rules only: the policy is Egress-only (ingress stays open)',
    manifests: [...prod, calicoNetworkPolicy('prod', 'web-egress', {
      selector: "app == 'web'",
      egress: [{ action: 'Allow', destination: { selector: "app == 'db'" } }],
    })],
    tables: [
      tt('TCP/5432', 'allow', 'prod/web > *: deny', 'prod/web > prod/db: allow'),
      tt('TCP/443', null, 'prod/web > ext:203.0.113.10: deny', 'ext:203.0.113.10 > prod/web: allow'),
    ],
    cnis: CALICO,
  },
  // Same sources: ingress and egress rules => [Ingress, Egress].
  {
    name: 'types omitted, ingress and egress rules: both directions',
    manifests: [...prod, calicoNetworkPolicy('prod', 'web-both', {
      selector: "app == 'web'",
      ingress: [{ action: 'Allow', source: { selector: "app == 'other'" } }],
      egress: [{ action: 'Allow', destination: { selector: "app == 'db'" } }],
    })],
    tables: [tt('TCP/8080', 'allow', 'prod/web > *: deny', 'prod/web > prod/db: allow', '* > prod/web: deny', 'prod/other > prod/web: allow')],
    cnis: CALICO,
  },
  // Same sources: no rules at all => [Ingress] (the code's comment: intentionally including that case).
  {
    name: 'types omitted, no rules: an ingress default deny that leaves egress open',
    manifests: [...prod, calicoNetworkPolicy('prod', 'web-isolate', { selector: "app == 'web'" })],
    tables: [tt('TCP/80', 'allow', '* > prod/web: deny')],
    cnis: CALICO,
  },
  // docs reference/resources/tier "How Policy Is Evaluated" (tiers by order; Allow/Deny end the
  // evaluation, Pass goes to the next tier that applies; a tier that applies but takes no action
  // drops the packet); code felix/calc/policy_sorter.go TierLess @2e9062928d5821ddb8b81d823603b6cfd5f6f9dc.
  {
    name: 'tiers: a Pass in the security tier hands the flow to the default tier, whose policy decides',
    manifests: [
      namespace('prod'), namespace('trusted'), namespace('untrusted'),
      p('prod', 'db', { app: 'db' }),
      p('trusted', 'frontend', { role: 'frontend' }),
      p('trusted', 'batch', { role: 'batch' }),
      p('untrusted', 'frontend', { role: 'frontend' }),
      tier('security', 100),
      globalNetworkPolicy('db-guard', {
        tier: 'security',
        order: 10,
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [
          { action: 'Pass', source: { namespaceSelector: "kubernetes.io/metadata.name == 'trusted'" } },
          { action: 'Deny' },
        ],
      }),
      calicoNetworkPolicy('prod', 'db-allow-frontend', {
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'trusted'", selector: "role == 'frontend'" } }],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny', 'trusted/frontend > prod/db: allow')],
    cnis: CALICO,
  },
  // docs reference/resources/tier: "If the last Tier applying to the endpoint Passes the packet, that
  // endpoint's Profiles are evaluated" (for pods the namespace profile, which allows).
  {
    name: 'tiers: a Pass out of the last tier that applies reaches the namespace profile (allow)',
    manifests: [
      ...prod,
      tier('security', 100),
      globalNetworkPolicy('db-pass', { tier: 'security', selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Pass' }] }),
    ],
    tables: [tt('TCP/5432', 'allow'), tt('TCP/5432', null, 'ext:198.51.100.9 > prod/db: allow')],
    cnis: CALICO,
  },
  // docs reference/resources/tier, `defaultAction` (default Deny): a tier that selects the endpoint
  // but whose rules do not match drops the flow...
  {
    name: 'tiers: defaultAction Deny (default) drops what a selecting tier does not match',
    manifests: [
      ...prod, namespace('blocked'), p('blocked', 'scanner', { app: 'scanner' }),
      tier('security', 100),
      globalNetworkPolicy('db-block', {
        tier: 'security',
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [{ action: 'Deny', source: { namespaceSelector: "kubernetes.io/metadata.name == 'blocked'" } }],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny')],
    cnis: CALICO,
  },
  // ... and with defaultAction Pass it continues to the next tier (here: none applies, so the profile).
  {
    name: 'tiers: defaultAction Pass continues to the next tier, then the profile',
    manifests: [
      ...prod, namespace('blocked'), p('blocked', 'scanner', { app: 'scanner' }),
      tier('security', 100, 'Pass'),
      globalNetworkPolicy('db-block', {
        tier: 'security',
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [{ action: 'Deny', source: { namespaceSelector: "kubernetes.io/metadata.name == 'blocked'" } }],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', 'blocked/scanner > prod/db: deny')],
    cnis: CALICO,
  },
  // code felix/calc/policy_sorter.go PolKVLess @2e9062928d5821ddb8b81d823603b6cfd5f6f9dc: equal
  // order => the policy name breaks the tie (lower first); docs only say "lowest value first".
  {
    name: 'order ties are broken by name: a-deny before b-allow',
    manifests: [
      ...prod,
      calicoNetworkPolicy('prod', 'a-deny', { order: 100, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
      calicoNetworkPolicy('prod', 'b-allow', { order: 100, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny')],
    cnis: CALICO,
  },
  {
    name: 'order ties are broken by name: a-allow before b-deny',
    manifests: [
      ...prod,
      calicoNetworkPolicy('prod', 'a-allow', { order: 100, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }),
      calicoNetworkPolicy('prod', 'b-deny', { order: 100, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
    ],
    tables: [tt('TCP/5432', 'allow')],
    cnis: CALICO,
  },
  // Same code: a policy without order sorts as +Inf, after every ordered policy, whatever its name.
  {
    name: 'a policy without order comes after every ordered policy',
    manifests: [
      ...prod,
      calicoNetworkPolicy('prod', 'a-deny-unordered', { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny' }] }),
      calicoNetworkPolicy('prod', 'z-allow', { order: 5000, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow' }] }),
    ],
    tables: [tt('TCP/5432', 'allow')],
    cnis: CALICO,
  },
  // docs reference/resources/globalnetworkset (sample set `role: external-database` with
  // 198.51.100.0/28 and 203.0.113.0/24): a GlobalNetworkPolicy rule selector matches the set's nets.
  {
    name: 'GlobalNetworkSet: a GlobalNetworkPolicy destination selector matches the set\'s nets',
    manifests: [
      ...prod,
      globalNetworkSet('a-name-for-the-set', { role: 'external-database' }, ['198.51.100.0/28', '203.0.113.0/24']),
      globalNetworkPolicy('web-to-external-db', {
        selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: "role == 'external-database'", ports: [5432] } }],
      }),
    ],
    tables: [tt('TCP/5432', null,
      'prod/web > ext:198.51.100.5: allow',
      'prod/web > ext:198.51.100.20: deny',
      'prod/web > ext:203.0.113.77: allow',
      'prod/web > prod/db: deny',
      'prod/other > ext:198.51.100.5: allow',
    )],
    cnis: CALICO,
  },
  // Same page: a namespaced NetworkPolicy rule sees global network sets only when its
  // namespaceSelector includes global().
  {
    name: 'GlobalNetworkSet: a NetworkPolicy rule matches the set only with namespaceSelector global()',
    manifests: [
      ...prod,
      globalNetworkSet('a-name-for-the-set', { role: 'external-database' }, ['198.51.100.0/28']),
      calicoNetworkPolicy('prod', 'web-egress', {
        selector: "app == 'web'",
        types: ['Egress'],
        egress: [
          { action: 'Allow', protocol: 'TCP', destination: { selector: "role == 'external-database'", ports: [5432] } },
          { action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: 'global()', selector: "role == 'external-database'", ports: [5433] } },
        ],
      }),
    ],
    tables: [
      tt('TCP/5432', null, 'prod/web > ext:198.51.100.5: deny'),
      tt('TCP/5433', null, 'prod/web > ext:198.51.100.5: allow'),
    ],
    cnis: CALICO,
  },
  // docs reference/resources/networkpolicy, EntityRule `nets` ("match packets with IP in any of the
  // listed CIDRs"): Calico matches workload IPs too, here the pod's status.podIP.
  {
    name: 'nets match a pod by the IP its status states',
    manifests: [
      ...prod, namespace('data'),
      pod('data', 'pg', { app: 'pg' }, { ip: '10.244.8.10' }),
      pod('data', 'cache', { app: 'cache' }, { ip: '10.244.9.10' }),
      calicoNetworkPolicy('prod', 'web-egress', {
        selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['10.244.8.0/24'] } }],
      }),
    ],
    tables: [tt('TCP/5432', null, 'prod/web > data/pg: allow', 'prod/web > data/cache: deny', 'prod/db > data/cache: allow')],
    cnis: CALICO,
  },
  // docs reference/resources/networkpolicy, EntityRule `notSelector` ("negative match on selected
  // endpoints"); a NetworkPolicy's rule selectors only see its own namespace.
  {
    name: 'notSelector excludes peers that a selector in the same entity admits',
    manifests: [
      namespace('prod'), namespace('staging'),
      p('prod', 'db', { app: 'db' }),
      p('prod', 'frontend', { role: 'frontend' }),
      p('prod', 'untrusted', { role: 'untrusted' }),
      p('prod', 'nolabel', {}),
      p('staging', 'frontend', { role: 'frontend' }),
      calicoNetworkPolicy('prod', 'db-ingress', {
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: { selector: 'has(role)', notSelector: "role == 'untrusted'" } }],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny', 'prod/frontend > prod/db: allow')],
    cnis: CALICO,
  },
  // code libcalico-go/lib/selector/parser/parser_test.go @036c024ded8ce5abc339c8f456532678a5afe114
  // (`starts with`, `ends with`, `contains` match on the label value and never on an absent label)
  // and docs reference/resources/networkpolicy, selector syntax.
  {
    name: "selector operators 'starts with', 'ends with' and 'contains'",
    manifests: [
      namespace('prod'),
      p('prod', 'db', { app: 'db' }),
      p('prod', 'payments', { team: 'payments' }),
      p('prod', 'ops', { team: 'ops' }),
      p('prod', 'preprod', { env: 'preprod' }),
      p('prod', 'production', { env: 'production' }),
      p('prod', 'monitor', { app: 'node-monitor-x' }),
      p('prod', 'web', { app: 'web' }),
      calicoNetworkPolicy('prod', 'db-ingress', {
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [
          { action: 'Allow', source: { selector: "team starts with 'pay'" } },
          { action: 'Allow', source: { selector: "env ends with 'prod'" } },
          { action: 'Allow', source: { selector: "app contains 'monitor'" } },
        ],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny', 'prod/payments > prod/db: allow', 'prod/preprod > prod/db: allow', 'prod/monitor > prod/db: allow')],
    cnis: CALICO,
  },
  // The docs spell the operators `starts with` / `ends with`; the code also accepts them without the
  // space (code libcalico-go/lib/selector/tokenizer/tokenizer.go @4f3b49f7922bc9ff7022511917c0c11651a38373
  // skips whitespace between `starts` and `with`; parser_test.go canonicalises `a startswith` to
  // `a starts with`). Following the code: the policy is valid and applies.
  {
    name: "selector 'startswith' (no space) is accepted by Calico's parser",
    manifests: [
      ...prod, p('prod', 'frontend', { app: 'frontend' }),
      calicoNetworkPolicy('prod', 'db-ingress', {
        selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "app startswith 'front'" } }],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny', 'prod/frontend > prod/db: allow')],
    cnis: CALICO,
  },
  // code parser_test.go (same commit): `a != "a"` matches a set without label a, `!a in {"a"}`
  // negates the whole `in` test.
  {
    name: "selector '!=' matches endpoints without the label; '!' applies to the whole 'in' test",
    manifests: [
      namespace('prod'),
      p('prod', 'db', { app: 'db' }),
      p('prod', 'frontend', { tier: 'frontend' }),
      p('prod', 'backend', { tier: 'backend' }),
      p('prod', 'nolabel', {}),
      calicoNetworkPolicy('prod', 'db-ingress', {
        order: 10,
        selector: "app == 'db'",
        types: ['Ingress'],
        ingress: [
          { action: 'Deny', source: { selector: "tier != 'frontend' && !tier in {'backend'}" } },
          { action: 'Allow' },
        ],
      }),
    ],
    // nolabel and db itself carry no `tier`: both sub-tests hold, so they are denied.
    tables: [tt('TCP/5432', 'allow', 'prod/nolabel > prod/db: deny')],
    cnis: CALICO,
  },
  // docs reference/resources/networkpolicy, ServiceAccountMatch `names`: match by the service
  // account of the peer pod (in the policy's namespace for a NetworkPolicy).
  {
    name: 'serviceAccounts.names matches the peer pod\'s service account',
    manifests: [
      namespace('prod'), namespace('staging'),
      p('prod', 'db', { app: 'db' }),
      p('prod', 'api', { app: 'api' }, 'api-sa'),
      p('prod', 'api-default-sa', { app: 'api' }),
      p('staging', 'api', { app: 'api' }, 'api-sa'),
      calicoNetworkPolicy('prod', 'db-ingress', {
        selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['api-sa'] } } }],
      }),
    ],
    tables: [tt('TCP/5432', 'allow', '* > prod/db: deny', 'prod/api > prod/db: allow')],
    cnis: CALICO,
  },
  // docs "Calico automatic labels" page (stored copy: the Calico Cloud edition): its
  // GlobalNetworkPolicy example selects namespaces by `projectcalico.org/name` and writes
  // `destination.ports: [8080]` without `protocol`. The validator rejects that (code
  // libcalico-go/lib/validator/v3/validator.go: "rules with numeric port or port range must set
  // protocol"): the object never exists, so nothing is isolated. Following the code.
  {
    name: 'docs example with ports but no protocol is rejected by the validator: nothing is enforced',
    manifests: [
      namespace('foo'), namespace('baz'), namespace('qux'),
      p('foo', 'red', { color: 'red' }),
      p('baz', 'client', { app: 'client' }),
      p('qux', 'client', { app: 'client' }),
      globalNetworkPolicy('foo-and-bar', {
        namespaceSelector: 'projectcalico.org/name in {"foo", "bar"}',
        selector: 'color == "red"',
        types: ['Ingress'],
        ingress: [{ action: 'Allow', source: { namespaceSelector: 'projectcalico.org/name == "baz"' }, destination: { ports: [8080] } }],
      }),
    ],
    tables: [tt('TCP/8080', 'allow'), tt('TCP/9090', 'allow')],
    cnis: CALICO,
  },
  // The same example with `protocol: TCP`: red pods in foo (or bar) admit baz on 8080 only;
  // `projectcalico.org/name` is the automatic namespace-name label.
  {
    name: 'docs example with protocol added: namespaces selected by projectcalico.org/name',
    manifests: [
      namespace('foo'), namespace('baz'), namespace('qux'),
      p('foo', 'red', { color: 'red' }),
      p('foo', 'blue', { color: 'blue' }),
      p('qux', 'red', { color: 'red' }),
      p('baz', 'client', { app: 'client' }),
      p('qux', 'client', { app: 'client' }),
      globalNetworkPolicy('foo-and-bar', {
        namespaceSelector: 'projectcalico.org/name in {"foo", "bar"}',
        selector: 'color == "red"',
        types: ['Ingress'],
        ingress: [{ action: 'Allow', protocol: 'TCP', source: { namespaceSelector: 'projectcalico.org/name == "baz"' }, destination: { ports: [8080] } }],
      }),
    ],
    tables: [
      tt('TCP/8080', 'allow', '* > foo/red: deny', 'baz/client > foo/red: allow'),
      tt('TCP/9090', 'allow', '* > foo/red: deny'),
    ],
    cnis: CALICO,
  },
];

describeCaseData(CALICO_CASES);
describeCases('calico', CALICO_CASES);
