/**
 * Istio AuthorizationPolicy semantics in the mesh layer of the analyzer, each case citing the
 * istio.io "Authorization Policy" reference (https://istio.io/latest/docs/reference/config/security/authorization-policy/)
 * unless stated otherwise. Kubernetes NetworkPolicy semantics with no NetworkPolicy: the CNI allows
 * everything, so every verdict here is the mesh's.
 */
import { authorizationPolicy, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, podWithIp, w, workload } from './support';
import { Reachability } from '../../../src/analysis/reachability';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { IstioMode, Mesh } from '../../../src/cluster/mesh';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const STRICT = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });
const base = [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  namespace('ops', { 'istio-injection': 'enabled' }),
  namespace('legacy'),
  workload('shop', 'web'),
  workload('shop', 'api'),
  workload('shop', 'worker'),
  workload('ops', 'admin'),
  workload('legacy', 'client'),
  STRICT,
];
const HTTP = Port.tcp(8080);
const principal = (ns: string, sa: string) => `cluster.local/ns/${ns}/sa/${sa}`;
const allowFrom = (name: string, source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  authorizationPolicy('shop', name, { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source }], ...extra }] });

function reach(...objects: any[]): Reachability {
  return meshReach([...base, ...objects], ISTIO_SIDECAR);
}

describe('mesh opt-in', () => {
  test('without ReachabilityOptions.mesh, Istio objects change nothing and results carry no mesh fields', () => {
    const r = Reachability.fromManifests([...base, authorizationPolicy('shop', 'deny-all', { action: 'ALLOW' })], { cni: Cni.kubernetes() });
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.meshVerdict).toBeUndefined();
    expect(result.pairs[0]).not.toHaveProperty('mesh');
    expect(result.pairs[0]).not.toHaveProperty('cniVerdict');
    expect(r.matrix().flows.every((f) => !('meshVerdict' in f))).toBe(true);
    expect(JSON.parse(r.matrix().toJson())).not.toHaveProperty('mesh');
  });
});

describe('ALLOW, DENY, CUSTOM, AUDIT (evaluation order CUSTOM -> DENY -> ALLOW)', () => {
  test('no ALLOW policy selects the workload: allowed by default', () => {
    const result = reach().check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.meshVerdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons).toEqual([
      `no ALLOW AuthorizationPolicy selects shop/api: Istio allows shop/web -> shop/api TCP/8080 (over mutual TLS as ${principal('shop', 'web')})`,
    ]);
    expect(result.mesh!.decidingObjects).toEqual([]);
  });

  test('spec: {} is allow-nothing: every request to the namespace is denied, with the policy as deciding object', () => {
    const result = reach(authorizationPolicy('shop', 'allow-nothing', {})).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.cniVerdict).toBe(Verdict.ALLOW);
    expect(result.meshVerdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/allow-nothing (isolate)']);
    expect(result.mesh!.reasons[0]).toContain('AuthorizationPolicy shop/allow-nothing (ALLOW without rules: allow-nothing) selects shop/api');
  });

  test('rules: [{}] matches every request: allow-all', () => {
    const r = reach(authorizationPolicy('shop', 'allow-nothing', {}), authorizationPolicy('shop', 'allow-all', { action: 'ALLOW', rules: [{}] }));
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY); // STRICT refuses the plaintext client first
    const result = r.check(w('ops/admin'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/allow-all spec.rules[0] (allow)']);
  });

  test('a DENY match wins over any ALLOW match', () => {
    const r = reach(
      authorizationPolicy('shop', 'allow-all', { action: 'ALLOW', rules: [{}] }),
      authorizationPolicy('shop', 'deny-ops', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['ops'] } }] }] }),
    );
    const denied = r.check(w('ops/admin'), w('shop/api'), HTTP);
    expect(denied.verdict).toBe(Verdict.DENY);
    expect(denied.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/deny-ops spec.rules[0] (deny)']);
    expect(denied.mesh!.reasons[0]).toBe('AuthorizationPolicy shop/deny-ops spec.rules[0] (DENY) matches ops/admin -> shop/api TCP/8080 '
      + `(over mutual TLS as ${principal('ops', 'admin')}): DENY policies win over ALLOW policies`);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('a DENY policy without rules matches nothing', () => {
    expect(reach(authorizationPolicy('shop', 'deny-nothing', { action: 'DENY' })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('CUSTOM: an external authorizer decides, so a flow it may match is indeterminate, never denied', () => {
    const custom = authorizationPolicy('shop', 'ext-authz', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { ports: ['8080'] } }] }] });
    const result = reach(custom).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toContain('mesh: AuthorizationPolicy shop/ext-authz spec.rules[0] (CUSTOM): an external authorizer (provider opa) decides');
    // A port the CUSTOM rule does not match is decided as usual.
    expect(reach(custom).check(w('shop/web'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.ALLOW);
  });

  test('AUDIT decides nothing', () => {
    const r = reach(authorizationPolicy('shop', 'audit', { action: 'AUDIT', rules: [{}] }));
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).mesh!.reasons[0]).toMatch(/^no ALLOW AuthorizationPolicy selects shop\/api/);
  });
});

describe('workload selection', () => {
  test('selector.matchLabels selects only the workloads with those labels', () => {
    const r = reach(allowFrom('web-only', { principals: [principal('shop', 'web')] }));
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(r.check(w('shop/worker'), w('shop/web'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('a policy in the root namespace without selector applies to every workload of the mesh', () => {
    const r = reach(authorizationPolicy('istio-system', 'mesh-allow-nothing', { action: 'ALLOW' }));
    const result = r.check(w('shop/web'), w('ops/admin'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingObjects).toEqual(['AuthorizationPolicy istio-system/mesh-allow-nothing']);
  });

  test('a root-namespace policy with a selector selects matching workloads in every namespace', () => {
    const r = reach(authorizationPolicy('istio-system', 'api-only-from-shop', {
      selector: { matchLabels: { app: 'admin' } }, action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
    }));
    expect(r.check(w('shop/web'), w('ops/admin'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('ops/admin'), w('ops/admin'), HTTP).verdict).toBe(Verdict.DENY);
    expect(r.check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('a policy in another (non-root) namespace does not apply', () => {
    const r = reach(authorizationPolicy('ops', 'allow-nothing', { action: 'ALLOW' }));
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('targetRefs attach to gateways and waypoints, never to sidecars; on the Gateway pods they name, indeterminate', () => {
    const gatewayPod = workload('shop', 'public-gw', { podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } });
    const targeted = authorizationPolicy('shop', 'gw-allow-nothing', {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }], action: 'ALLOW',
    });
    const r = reach(gatewayPod, targeted);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const gw = r.check(w('shop/web'), w('shop/public-gw'), HTTP);
    expect(gw.verdict).toBe(Verdict.INDETERMINATE);
    expect(gw.uncertainties).toEqual([
      "mesh: AuthorizationPolicy shop/gw-allow-nothing targets the Gateway 'public' of the destination: gateway policies are not evaluated",
    ]);
  });

  test('a root-namespace policy on a GatewayClass may apply to any Gateway pod: indeterminate there, ignored for sidecars', () => {
    const gatewayPod = workload('shop', 'public-gw', { podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } });
    const onClass = authorizationPolicy('istio-system', 'class-deny', {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio' }], action: 'DENY', rules: [{}],
    });
    const r = reach(gatewayPod, onClass);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const gw = r.check(w('shop/web'), w('shop/public-gw'), HTTP);
    expect(gw.verdict).toBe(Verdict.INDETERMINATE);
    expect(gw.uncertainties).toEqual([
      "mesh: AuthorizationPolicy istio-system/class-deny targets the GatewayClass 'istio', which may be the class of the destination's Gateway 'public': "
        + 'gateway policies are not evaluated',
    ]);
  });

  test('a policy the API server rejects (selector and targetRef both set) is left out with a note', () => {
    const bad = authorizationPolicy('shop', 'both', {
      selector: { matchLabels: { app: 'api' } }, targetRef: { kind: 'Service', name: 'api' }, action: 'ALLOW',
    });
    const r = reach(bad);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.notes).toContain('AuthorizationPolicy shop/both is invalid and left out of the mesh analysis (the API server rejects it, so it never '
      + 'takes effect): spec sets selector and targetRef (CEL: only one of targetRefs or selector can be set)');
  });
});

describe('sources', () => {
  test('principals come from service accounts: <trustDomain>/ns/<ns>/sa/<sa>', () => {
    const r = reach(allowFrom('web', { principals: [principal('shop', 'web')] }));
    const allowed = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(allowed.verdict).toBe(Verdict.ALLOW);
    expect(allowed.mesh!.reasons).toEqual([
      `AuthorizationPolicy shop/web spec.rules[0] (ALLOW) allows shop/web -> shop/api TCP/8080 (over mutual TLS as ${principal('shop', 'web')})`,
    ]);
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('principal wildcards: prefix, suffix and * (any identity)', () => {
    expect(reach(allowFrom('p', { principals: ['cluster.local/ns/ops/*'] })).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(allowFrom('p', { principals: ['cluster.local/ns/ops/*'] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(reach(allowFrom('s', { principals: ['*/sa/web'] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(allowFrom('s', { principals: ['*/sa/web'] })).check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(reach(allowFrom('any', { principals: ['*'] })).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  // istiod (trust domain bundle, ReplaceTrustDomainAliases): the trust domain cluster.local in a policy's
  // principal "is a pointer to the local trust domain and its aliases" for sidecars. ztunnel gets the
  // principals as written (istiod ambient authorization handleRule/stringToMatch) and compares them as
  // they are (istio/ztunnel src/rbac.rs matches_principal; istio/ztunnel#1260).
  test('a principal under cluster.local names the local trust domain when the mesh has another; under ztunnel only cluster.local', () => {
    const rule = (key: string) => (key === 'when'
      ? { when: [{ key: 'source.principal', values: ['cluster.local/ns/shop/sa/web'] }] }
      : { from: [{ source: { [key]: ['cluster.local/ns/shop/sa/web'] } }] });
    const policy = (key: string) => authorizationPolicy('shop', 'p', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [rule(key)] });
    const corp = (mode: IstioMode) => Mesh.istio({ mode, trustDomain: 'corp.example' });
    for (const key of ['principals', 'when']) {
      const sidecar = meshReach([...base, policy(key)], corp(IstioMode.SIDECAR));
      expect([key, sidecar.check(w('shop/web'), w('shop/api'), HTTP).verdict]).toEqual([key, Verdict.ALLOW]);
      expect([key, sidecar.check(w('shop/worker'), w('shop/api'), HTTP).verdict]).toEqual([key, Verdict.DENY]);
    }
    // notPrincipals: the local reading excludes web, so a DENY on everyone else spares it.
    const denyOthers = authorizationPolicy('shop', 'd', { action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/shop/sa/web'] } }] }] });
    expect(meshReach([...base, denyOthers], corp(IstioMode.SIDECAR)).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const ambientObjects = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'web'),
      workload('shop', 'api'), workload('shop', 'worker')];
    for (const key of ['principals', 'when']) {
      const ambient = meshReach([...ambientObjects, policy(key)], corp(IstioMode.AMBIENT));
      // web is corp.example/ns/shop/sa/web, which cluster.local/ns/shop/sa/web does not name under ztunnel.
      const web = ambient.check(w('shop/web'), w('shop/api'), HTTP);
      expect([key, web.verdict, web.uncertainties]).toEqual([key, Verdict.DENY, []]);
      expect([key, ambient.check(w('shop/worker'), w('shop/api'), HTTP).verdict]).toEqual([key, Verdict.DENY]);
    }
    // The same notPrincipals DENY that spares web behind a sidecar denies it under ztunnel.
    expect(meshReach([...ambientObjects, denyOthers], corp(IstioMode.AMBIENT)).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // With the trust domain cluster.local both read the same.
    const plain = meshReach([...ambientObjects, policy('principals')], Mesh.istio({ mode: IstioMode.AMBIENT }));
    expect(plain.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  // istio pilot authz model (ruleList.appendLast): a field without values and notValues adds no constraint.
  test('an empty list is no constraint: principals: [] beside namespaces, ports: [] and condition values: [] are left out', () => {
    expect(reach(allowFrom('p', { principals: [], namespaces: ['ops'] })).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(allowFrom('p', { principals: [], namespaces: ['ops'] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    const deny = (rule: Record<string, unknown>) => authorizationPolicy('shop', 'd', { action: 'DENY', rules: [rule] });
    expect(reach(deny({ to: [{ operation: { ports: [], notPorts: ['9090'] } }] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(reach(deny({ when: [{ key: 'source.namespace', values: [], notValues: ['ops'] }] })).check(w('shop/web'), w('shop/api'), HTTP).verdict)
      .toBe(Verdict.DENY);
    expect(reach(deny({ when: [{ key: 'source.namespace', values: [], notValues: ['ops'] }] })).check(w('ops/admin'), w('shop/api'), HTTP).verdict)
      .toBe(Verdict.ALLOW);
  });

  test('namespaces and notNamespaces', () => {
    expect(reach(allowFrom('ns', { namespaces: ['ops'] })).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(allowFrom('ns', { namespaces: ['ops'] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(reach(allowFrom('not', { notNamespaces: ['ops'] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(allowFrom('not', { notNamespaces: ['ops'] })).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('serviceAccounts (<ns>/<sa>) and notPrincipals', () => {
    expect(reach(allowFrom('sa', { serviceAccounts: ['shop/web'] })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(allowFrom('sa', { serviceAccounts: ['shop/web'] })).check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(reach(allowFrom('np', { notPrincipals: [principal('shop', 'worker')] })).check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('ipBlocks match the pod IP from the address model: known IPs exactly, unknown IPs against the pod CIDRs', () => {
    const pods = [podWithIp('shop', 'known', '10.244.1.7'), podWithIp('shop', 'elsewhere', '10.245.0.9')];
    const policy = allowFrom('ip', { ipBlocks: ['10.244.1.0/24'] });
    const r = reach(...pods, policy);
    expect(r.check(w('shop/known'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/elsewhere'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // shop/web's IP is unknown: somewhere in the pod CIDR, partly inside the block.
    const unknown = meshReach([...base, policy], ISTIO_SIDECAR, { podCidrs: ['10.244.0.0/16'] }).check(w('shop/web'), w('shop/api'), HTTP);
    expect(unknown.verdict).toBe(Verdict.INDETERMINATE);
    expect(unknown.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/ip spec.rules[0] (ALLOW): spec.rules[0].from[0].source.ipBlocks: the source\'s address: '
      + 'its IP is not in the manifests, only somewhere in the pod CIDR 10.244.0.0/16']);
    // A block containing the whole pod CIDR matches every pod.
    const wide = meshReach([...base, allowFrom('ip', { ipBlocks: ['10.0.0.0/8'] })], ISTIO_SIDECAR, { podCidrs: ['10.244.0.0/16'] });
    expect(wide.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('requestPrincipals come from JWTs the manifests do not carry: indeterminate, not denied', () => {
    const result = reach(allowFrom('jwt', { requestPrincipals: ['https://issuer.example.com/*'] })).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties[0]).toContain('requestPrincipals (request principals come from JWTs');
  });
});

describe('rules: from, to and when of one rule are ANDed, rules are ORed', () => {
  test('a rule needs its source AND its port; a second rule is an alternative', () => {
    const policy = authorizationPolicy('shop', 'api', {
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: [principal('shop', 'web')] } }], to: [{ operation: { ports: ['8080'] } }] },
        { from: [{ source: { namespaces: ['ops'] } }], to: [{ operation: { ports: ['9090'] } }] },
      ],
    });
    const r = reach(policy);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/web'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.DENY);
    expect(r.check(w('ops/admin'), w('shop/api'), Port.tcp(9090)).mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/api spec.rules[1] (allow)']);
    expect(r.check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('notPorts', () => {
    const r = reach(allowFrom('np', { namespaces: ['shop'] }, { to: [{ operation: { notPorts: ['9090'] } }] }));
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/web'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.DENY);
  });

  test('when: source.ip, destination.port and source.namespace are evaluated', () => {
    const pods = [podWithIp('shop', 'known', '10.244.1.7')];
    const r = reach(...pods, allowFrom('when', { namespaces: ['shop'] }, {
      when: [{ key: 'source.ip', values: ['10.244.1.0/24'] }, { key: 'destination.port', values: ['8080'] }, { key: 'source.namespace', notValues: ['ops'] }],
    }));
    expect(r.check(w('shop/known'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/known'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.DENY);
  });

  test('when: a condition the analysis cannot evaluate (request.auth.claims) makes the flow indeterminate, not denied', () => {
    const r = reach(allowFrom('claims', { principals: [principal('shop', 'web')] }, { when: [{ key: 'request.auth.claims[groups]', values: ['admins'] }] }));
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: AuthorizationPolicy shop/claims spec.rules[0] (ALLOW): spec.rules[0].when[0] (request.auth.claims[groups]: JWT claims are not in the manifests)',
    ]);
    // Another source fails the rule's principal whatever the claims: denied.
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });
});

// istiod's validating webhook (istio/istio pkg/config/validation ValidateAuthorizationPolicy and
// pkg/config/security ValidateAttribute) rejects these objects: they never exist, so they are left
// out with a note instead of being evaluated.
describe('policies istiod\'s validating webhook rejects', () => {
  const NOTE = (name: string, why: string) => `AuthorizationPolicy shop/${name} is invalid and left out of the mesh analysis (istiod's validating `
    + `webhook rejects it, so it never takes effect): ${why}`;
  const allowNothing = authorizationPolicy('shop', 'allow-nothing', {});

  test('an unknown when key (request.time) rejects the policy: no indeterminate verdict, a note', () => {
    const bad = authorizationPolicy('shop', 'office-hours', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ when: [{ key: 'request.time', values: ['09:00'] }] }],
    });
    const r = reach(bad);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.uncertainties).toEqual([]);
    expect(r.notes).toContain(NOTE('office-hours', "spec.rules[0].when[0].key: unknown attribute 'request.time'"));
  });

  test('an empty from.source, a null rule and an empty port value: left out, so allow-nothing still denies', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['empty-source', { rules: [{ from: [{ source: {} }] }] }, 'spec.rules[0].from[0].source is empty (from.source must not be empty)'],
      ['null-rule', { rules: [null] }, 'spec.rules[0] is null (a rule must not be nil)'],
      ['empty-from', { rules: [{ from: [] }] }, 'spec.rules[0].from is an empty list (it must not be empty when set)'],
      ['no-values', { rules: [{ when: [{ key: 'source.namespace' }] }] }, 'spec.rules[0].when[0] (source.namespace) sets neither values nor notValues'],
    ];
    for (const [name, spec, why] of cases) {
      const r = reach(allowNothing, authorizationPolicy('shop', name, { action: 'ALLOW', ...spec }));
      expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
      expect(r.notes).toContain(NOTE(name, why));
    }
  });

  test('a DENY rule with an empty port value or a bad ipBlock is rejected: it denies nothing', () => {
    const deny = (name: string, rule: Record<string, unknown>) => authorizationPolicy('shop', name, { action: 'DENY', rules: [rule] });
    const r = reach(deny('ports', { to: [{ operation: { ports: ['8080', ''] } }] }),
      deny('ips', { from: [{ source: { ipBlocks: ['10.0.0.300'] } }] }), deny('port-key', { when: [{ key: 'destination.port', values: ['http'] }] }));
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.notes).toContain(NOTE('ports', 'spec.rules[0].to[0].operation.ports holds an empty value'));
    expect(r.notes).toContain(NOTE('ips', "spec.rules[0].from[0].source.ipBlocks: '10.0.0.300' is not an IP address or CIDR"));
    expect(r.notes).toContain(NOTE('port-key', "spec.rules[0].when[0] (destination.port): 'http' is not a port (0-65535)"));
  });
});

// How istiod builds the matchers (istio/istio pilot/pkg/security/authz: model/generator.go,
// matcher/string.go and header.go; ambient authorization.go stringToMatch / stringToServiceAccountMatch).
describe('value matching as istiod builds it', () => {
  const ambientBase = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('ops', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'web'), workload('shop', 'api'), workload('ops', 'admin')];
  const ambient = (...objects: any[]) => meshReach([...ambientBase, ...objects], Mesh.istio({ mode: IstioMode.AMBIENT }));

  test('methods are a header match on :method, so * and prefix/suffix wildcards work (methodGenerator -> HeaderMatcher)', () => {
    const r = reach(authorizationPolicy('shop', 'reads', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['G*', '*TIONS'] } }] }],
    }));
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'OPTIONS', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
  });

  test('a leading * is read before a trailing one: */* is the suffix /* (StringMatcherWithPrefix, HeaderMatcher)', () => {
    const r = reach(authorizationPolicy('shop', 'wildcard-accept', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ when: [{ key: 'request.headers[accept]', values: ['*/*'] }] }],
    }));
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/', headers: { accept: 'text/*' } }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/', headers: { accept: 'text/html' } }).verdict).toBe(Verdict.DENY);
  });

  // matcher/header.go HeaderMatcher: "*" is a present_match; Envoy (HeaderUtility::getAllOfHeaderAsString)
  // matches a header sent several times as its values joined by ",", the one value HttpRequest.headers gives.
  test('headers: * is a presence match an empty value passes; a repeated header is matched as its values joined by ","', () => {
    const r = reach(authorizationPolicy('shop', 'headers', {
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{ when: [{ key: 'request.headers[x-debug]', values: ['*'] }] }, { when: [{ key: 'request.headers[x-team]', values: ['blue', 'red*'] }] }],
    }));
    const verdict = (headers: Record<string, string>) => r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/', headers }).verdict;
    expect(verdict({ 'x-debug': '' })).toBe(Verdict.ALLOW);
    expect(verdict({})).toBe(Verdict.DENY);
    // x-team sent twice (blue, then green): Envoy sees "blue,green", which is neither blue nor red*.
    expect(verdict({ 'x-team': 'blue,green' })).toBe(Verdict.DENY);
    // red then blue: "red,blue" starts with red.
    expect(verdict({ 'x-team': 'red,blue' })).toBe(Verdict.ALLOW);
    expect(verdict({ 'x-team': 'blue' })).toBe(Verdict.ALLOW);
  });

  // Envoy strips a #fragment from the path (or rejects the request) before any path match, so the
  // raw path is not what a DENY on /admin sees: indeterminate, never a confident allow.
  test('a path with a #fragment is not matched raw: indeterminate', () => {
    const r = reach(authorizationPolicy('shop', 'no-admin', {
      selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
    }));
    const result = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/admin#top' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/no-admin spec.rules[0] (DENY): spec.rules[0].to[0].operation.paths: Istio '
      + 'normalizes the path /admin#top (percent-encoding, backslashes, dot segments, fragments; meshConfig pathNormalization) before matching, not evaluated']);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/admin' }).verdict).toBe(Verdict.DENY);
  });

  // Envoy's runtime guard envoy.reloadable_features.strip_dotdot_segments_with_parameters
  // (PathUtil::stripParametersFromDotSegments) makes `..;x` a `..` segment before normalization, and
  // the URL canonicalizer escapes characters such as `{` and `|`: neither path is matched raw.
  test('a ..; segment or a character Envoy escapes is not matched raw: indeterminate', () => {
    const policy = authorizationPolicy('shop', 'no-admin', {
      selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin', '/a{b}'] } }] }],
    });
    expectValidManifests([policy]);
    const r = reach(policy);
    const verdict = (path: string) => r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path }).verdict;
    expect(verdict('/public/..;x/admin')).toBe(Verdict.INDETERMINATE);
    expect(verdict('/a{b}')).toBe(Verdict.INDETERMINATE);
    // A `;` elsewhere is not touched by any setting: matched raw.
    expect(verdict('/admin;x')).toBe(Verdict.ALLOW);
  });

  // Envoy's remote address (istio remote.ip / remoteIpBlocks) comes from X-Forwarded-For when the
  // request carries it: a sidecar's inbound HTTP connection manager (use_remote_address false) takes
  // the header's last entry (Envoy docs x-forwarded-for; Utility::getLastAddressFromXFF).
  test('remoteIpBlocks and remote.ip read the last X-Forwarded-For entry at a sidecar; without the header, the peer address', () => {
    const objects = [...base, podWithIp('shop', 'ext', '10.9.0.7')];
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ from: [{ source: { remoteIpBlocks: ['10.9.0.0/16'] } }] }, 'spec.rules[0].from[0].source.remoteIpBlocks'],
      [{ when: [{ key: 'remote.ip', values: ['10.9.0.0/16'] }] }, 'spec.rules[0].when[0] (remote.ip)'],
    ];
    for (const [rule, where] of cases) {
      const r = meshReach([...objects, authorizationPolicy('shop', 'deny-ext', { action: 'DENY', rules: [rule] })], ISTIO_SIDECAR);
      const request = (xff?: string) => r.checkRequest(w('shop/ext'), w('shop/api'), HTTP, {
        method: 'GET', path: '/', ...(xff === undefined ? {} : { headers: { 'X-Forwarded-For': xff } }),
      });
      expect(request().verdict).toBe(Verdict.DENY);
      // The spoofed address passes the DENY; the last entry is the one read.
      expect(request('192.0.2.1').verdict).toBe(Verdict.ALLOW);
      expect(request('10.9.0.9, 192.0.2.1').verdict).toBe(Verdict.ALLOW);
      expect(request('192.0.2.1,  10.9.3.3 ').verdict).toBe(Verdict.DENY);
      const odd = request('192.0.2.1, 010.9.0.1');
      expect(odd.verdict).toBe(Verdict.INDETERMINATE);
      expect(odd.uncertainties).toEqual([`mesh: AuthorizationPolicy shop/deny-ext spec.rules[0] (DENY): ${where}: the last entry of the request's `
        + "X-Forwarded-For ('010.9.0.1'), from which the sidecar takes the remote address, is not a plain IP address; not evaluated"]);
    }
  });

  // istio pkg/config/security ValidateAttribute accepts source.serviceAccount (CheckServiceAccount:
  // 'sa' or 'ns/sa', no wildcard); the authz model reads it as the serviceAccounts field.
  test('when source.serviceAccount: accepted and matched like serviceAccounts (a bare name is in the policy namespace)', () => {
    const deny = (values: string[]) => authorizationPolicy('shop', 'deny-sa', {
      selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ when: [{ key: 'source.serviceAccount', values }] }],
    });
    const bare = reach(deny(['web']));
    expect(bare.notes).toEqual([]);
    expect(bare.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(bare.check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(deny(['ops/admin'])).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // A wildcard is rejected: the policy is left out with a note.
    const wildcard = reach(deny(['ops/*']));
    expect(wildcard.check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(wildcard.notes).toEqual(['AuthorizationPolicy shop/deny-sa is invalid and left out of the mesh analysis (istiod\'s validating webhook rejects it, so it '
      + "never takes effect): spec.rules[0].when[0] (source.serviceAccount): 'ops/*' is not 'serviceAccount' or 'namespace/serviceAccount' (no wildcard, "
      + 'at most 320 characters)']);
    // Under ztunnel it is not evaluated.
    const result = ambient(deny(['web'])).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/deny-sa spec.rules[0] (DENY): spec.rules[0].when[0] (source.serviceAccount): '
      + 'whether istiod hands this condition to ztunnel is not known']);
  });

  test('ports are parsed as numbers: 08080 is port 8080', () => {
    const r = reach(authorizationPolicy('shop', 'port', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { ports: ['08080'] } }] }],
    }));
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.notes).toEqual([]);
  });

  test('namespaces: a * in the middle is a wildcard for a sidecar (srcNamespaceGenerator regex), a literal for ztunnel (stringToMatch)', () => {
    const policy = allowFrom('middle', { namespaces: ['o*s'] });
    expect(reach(policy).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(policy).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(ambient(policy).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    const when = authorizationPolicy('shop', 'when-middle', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ when: [{ key: 'source.namespace', values: ['o*s'] }] }],
    });
    expect(reach(when).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(ambient(when).check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('serviceAccounts without a namespace name one in the policy\'s namespace (serviceAccountRegex, stringToServiceAccountMatch)', () => {
    const policy = allowFrom('sa', { serviceAccounts: ['web'] });
    for (const r of [reach(policy), ambient(policy)]) {
      const result = r.check(w('shop/web'), w('shop/api'), HTTP);
      expect(result.verdict).toBe(Verdict.ALLOW);
      expect(result.uncertainties).toEqual([]);
      expect(r.check(w('ops/admin'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    }
  });
});

// istio.io annotation istio.io/dry-run; istiod builds shadow rules for sidecars (authz builder
// isDryRun) and skips the policy for ztunnel (ambient AuthzDerivedPolicies); its webhook
// (checkDryRunAnnotation) rejects a non-boolean value and the annotation on AUDIT/CUSTOM policies.
describe('dry-run policies (istio.io/dry-run)', () => {
  const dryRun = (name: string, value: string, spec: Record<string, unknown>) => {
    const p = authorizationPolicy('shop', name, spec);
    p.metadata.annotations = { 'istio.io/dry-run': value };
    return p;
  };

  test('a dry-run DENY denies nothing, for sidecars and ztunnel, with a note', () => {
    const deny = dryRun('deny-all', 'true', { action: 'DENY', rules: [{}] });
    const sidecar = reach(deny);
    expect(sidecar.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(sidecar.notes).toContain('AuthorizationPolicy shop/deny-all is a dry run (istio.io/dry-run: "true"): Istio logs what it would decide and '
      + 'enforces nothing, so it is left out of the mesh analysis');
    const ambient = meshReach([namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'web'),
      workload('shop', 'api'), deny], Mesh.istio({ mode: IstioMode.AMBIENT }));
    expect(ambient.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('a dry-run allow-nothing does not isolate; dry-run "false" is enforced; a non-boolean value is rejected', () => {
    expect(reach(dryRun('allow-nothing', 'True', { action: 'ALLOW' })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(reach(dryRun('allow-nothing', 'false', { action: 'ALLOW' })).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    const bad = reach(dryRun('allow-nothing', 'yes', { action: 'ALLOW' }));
    expect(bad.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(bad.notes).toContain("AuthorizationPolicy shop/allow-nothing is invalid and left out of the mesh analysis (istiod's validating webhook rejects "
      + 'it, so it never takes effect): the annotation istio.io/dry-run is not a boolean');
  });
});
