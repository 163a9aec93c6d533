/**
 * Identity needs mutual TLS, and mesh authorization needs mesh membership:
 * - PeerAuthentication precedence (https://istio.io/latest/docs/reference/config/security/peer_authentication/):
 *   workload > namespace > mesh (root namespace), UNSET inherits, port-level overrides the workload's
 *   mode, PERMISSIVE without any policy; a plaintext client of a STRICT port is refused;
 * - identity fields compare against an empty value on plaintext connections, so they never match them
 *   and their not* forms always do (https://istio.io/latest/news/security/istio-security-2021-004/);
 * - sidecar injection (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/,
 *   "Controlling the injection policy") and ambient membership
 *   (https://istio.io/latest/docs/ambient/usage/add-workloads/).
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';

const HTTP = Port.tcp(8080);
const ns = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), namespace('legacy')];
const apps = [workload('shop', 'web'), workload('shop', 'api'), workload('legacy', 'client')];
const mesh = (mode: string) => peerAuthentication('istio-system', 'default', { mtls: { mode } });
const byPrincipal = authorizationPolicy('shop', 'api-from-web', {
  selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }],
});

describe('PeerAuthentication', () => {
  test('without any PeerAuthentication the mode is PERMISSIVE: a plaintext client is accepted', () => {
    const result = meshReach([...ns, ...apps], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons[0]).toBe("no PeerAuthentication applies: Istio's default is PERMISSIVE: legacy/client connects in plaintext, so its principal "
      + 'and namespace are empty (legacy/client is not in the mesh (no injection label on namespace legacy or the pod template)), which PERMISSIVE accepts');
  });

  test('mesh-wide STRICT refuses a plaintext client, with the PeerAuthentication as deciding rule', () => {
    const result = meshReach([...ns, ...apps, mesh('STRICT')], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingRules).toEqual(['PeerAuthentication istio-system/default spec.mtls.mode (deny)']);
  });

  test('PERMISSIVE: principals of a plaintext peer are empty, so a principal rule denies it and says why', () => {
    const result = meshReach([...ns, ...apps, mesh('PERMISSIVE'), byPrincipal], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons).toEqual([
      'PeerAuthentication istio-system/default (mesh-wide) sets PERMISSIVE: legacy/client connects in plaintext, so its principal and namespace are empty '
        + '(legacy/client is not in the mesh (no injection label on namespace legacy or the pod template)), which PERMISSIVE accepts',
      'AuthorizationPolicy shop/api-from-web selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches '
        + 'legacy/client -> shop/api TCP/8080 (in plaintext, so its principal and namespace are empty (legacy/client is not in the mesh (no injection label on '
        + 'namespace legacy or the pod template)))',
    ]);
  });

  test('PERMISSIVE: notPrincipals ["*"] (no identity) matches a plaintext peer, the classic hole of mTLS-only fields', () => {
    const denyIdentified = authorizationPolicy('shop', 'deny-meshed', { action: 'DENY', rules: [{ from: [{ source: { principals: ['*'] } }] }] });
    const r = meshReach([...ns, ...apps, mesh('PERMISSIVE'), denyIdentified], ISTIO_SIDECAR);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('namespace-level overrides mesh-level; workload-level overrides namespace-level; UNSET inherits', () => {
    const objects = [...ns, ...apps, mesh('STRICT'), peerAuthentication('shop', 'default', { mtls: { mode: 'PERMISSIVE' } })];
    expect(meshReach(objects, ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const workloadStrict = peerAuthentication('shop', 'api-strict', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } });
    const strict = meshReach([...objects, workloadStrict], ISTIO_SIDECAR);
    expect(strict.check(w('legacy/client'), w('shop/api'), HTTP).mesh!.decidingRules).toEqual(['PeerAuthentication shop/api-strict spec.mtls.mode (deny)']);
    expect(strict.check(w('legacy/client'), w('shop/web'), HTTP).verdict).toBe(Verdict.ALLOW);
    const unset = peerAuthentication('shop', 'api-unset', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'UNSET' } });
    expect(meshReach([...objects, unset], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('port-level mTLS of a workload policy overrides its mode on that port only', () => {
    const pa = peerAuthentication('shop', 'api', {
      selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } },
    });
    const api = workload('shop', 'api', { ports: [8080, 9090] });
    const r = meshReach([...ns, workload('legacy', 'client'), api, pa], ISTIO_SIDECAR);
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    const open = r.check(w('legacy/client'), w('shop/api'), Port.tcp(9090));
    expect(open.verdict).toBe(Verdict.ALLOW);
    expect(open.mesh!.decidingRules).toEqual(['PeerAuthentication shop/api spec.portLevelMtls.9090.mode (log)']);
  });

  test('a policy with a selector in the root namespace applies to nothing', () => {
    const rootSelector = peerAuthentication('istio-system', 'api', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } });
    expect(meshReach([...ns, ...apps, rootSelector], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('two namespace-level policies with different modes and no creationTimestamp: indeterminate for a plaintext client', () => {
    const a = peerAuthentication('shop', 'a', { mtls: { mode: 'STRICT' } });
    const b = peerAuthentication('shop', 'b', { mtls: { mode: 'PERMISSIVE' } });
    const result = meshReach([...ns, ...apps, a, b], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties[0]).toContain('PeerAuthentication shop/a, PeerAuthentication shop/b all apply at the namespace-wide level');
    // With creation times, the oldest wins (STRICT here).
    const stamped = [{ ...a, metadata: { ...a.metadata, creationTimestamp: '2026-01-01T00:00:00Z' } },
      { ...b, metadata: { ...b.metadata, creationTimestamp: '2026-02-01T00:00:00Z' } }];
    expect(meshReach([...ns, ...apps, ...stamped], ISTIO_SIDECAR).check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  // istiod sortConfigByCreationTime: creation time, then name (timestamps have one-second resolution);
  // ComposePeerAuthentication keeps the first of that order.
  test('equal creationTimestamps: the policy whose name sorts first wins, whatever the manifest order', () => {
    const at = (name: string, mode: string, creationTimestamp: string) =>
      ({ ...peerAuthentication('shop', name, { mtls: { mode } }), metadata: { name, namespace: 'shop', creationTimestamp } });
    const same = '2026-01-01T00:00:00Z';
    const r = meshReach([...ns, ...apps, at('z-permissive', 'PERMISSIVE', same), at('a-strict', 'STRICT', same)], ISTIO_SIDECAR);
    const result = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingRules).toEqual(['PeerAuthentication shop/a-strict spec.mtls.mode (deny)']);
    // An older one still wins over the name order, whatever the timestamp's spelling.
    const older = meshReach([...ns, ...apps, at('a-strict', 'STRICT', same), at('z-permissive', 'PERMISSIVE', '2025-12-31T23:59:59+00:00')], ISTIO_SIDECAR);
    expect(older.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('undecided between DISABLE and STRICT: only identity-based rules become indeterminate for a meshed client', () => {
    const undecided = [peerAuthentication('shop', 'a', { mtls: { mode: 'DISABLE' } }), peerAuthentication('shop', 'b', { mtls: { mode: 'STRICT' } })];
    const byPort = authorizationPolicy('shop', 'api-8080', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { ports: ['8080'] } }] }] });
    expect(meshReach([...ns, ...apps, ...undecided, byPort], ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const result = meshReach([...ns, ...apps, ...undecided, byPrincipal], ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/api-from-web spec.rules[0] (ALLOW): spec.rules[0].from[0].source.principals: '
      + "whether the connection carries the source's mesh identity is not known"]);
  });

  test('DISABLE: meshed clients connect in plaintext, so identity rules do not match them', () => {
    const r = meshReach([...ns, ...apps, peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }), byPrincipal], ISTIO_SIDECAR);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[0]).toContain('PeerAuthentication shop/default (namespace-wide) sets DISABLE: shop/web connects in plaintext');
  });
});

// Pinned CRD (istio 1.30.3): mtls.mode and portLevelMtls.*.mode are enums, "portLevelMtls requires
// selector", ports 1-65535; istiod ValidatePeerAuthentication: an empty portLevelMtls. Such objects never exist.
describe('PeerAuthentication the API server or istiod rejects', () => {
  const NOTE = (name: string, by: string, why: string) => `PeerAuthentication shop/${name} is invalid and left out of the mesh analysis (${by} rejects it, `
    + `so it never takes effect): ${why}`;

  test('portLevelMtls without a selector: the whole policy is rejected, so its PERMISSIVE does not override mesh-wide STRICT', () => {
    const bad = peerAuthentication('shop', 'default', { mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    const r = meshReach([...ns, ...apps, mesh('STRICT'), bad], ISTIO_SIDECAR);
    const result = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingRules).toEqual(['PeerAuthentication istio-system/default spec.mtls.mode (deny)']);
    expect(r.notes).toContain(NOTE('default', 'the API server', 'portLevelMtls without a selector naming a label (CEL: portLevelMtls requires selector)'));
  });

  test('a mode outside the enum (strict) is rejected: it does not compete with the valid namespace-level policy', () => {
    const bad = peerAuthentication('shop', 'typo', { mtls: { mode: 'strict' } });
    const good = peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } });
    const r = meshReach([...ns, ...apps, bad, good], ISTIO_SIDECAR);
    const result = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(r.notes).toContain(NOTE('typo', 'the API server', "spec.mtls.mode 'strict' is not UNSET, DISABLE, PERMISSIVE or STRICT"));
  });

  test('an empty portLevelMtls is rejected by istiod\'s webhook', () => {
    const bad = peerAuthentication('shop', 'api', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: {} });
    const r = meshReach([...ns, ...apps, bad], ISTIO_SIDECAR);
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.notes).toContain(NOTE('api', 'istiod\'s validating webhook', 'spec.portLevelMtls is empty (it must have at least one port when set)'));
  });
});

describe('mesh membership', () => {
  const api = authorizationPolicy('shop', 'allow-nothing', {});

  test('an unmeshed destination is not subject to mesh authorization, and the reason says so', () => {
    const r = meshReach([...ns, ...apps, workload('legacy', 'server'), authorizationPolicy('legacy', 'allow-nothing', {})], ISTIO_SIDECAR);
    const result = r.check(w('shop/web'), w('legacy/server'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons).toEqual(['legacy/server is not in the mesh (no injection label on namespace legacy or the pod template): Istio '
      + 'authorization does not apply to shop/web -> legacy/server TCP/8080']);
  });

  test('pod label sidecar.istio.io/inject=false opts a pod out of an injected namespace', () => {
    const optOut = workload('shop', 'batch', { podLabels: { 'sidecar.istio.io/inject': 'false' } });
    const result = meshReach([...ns, ...apps, optOut, api], ISTIO_SIDECAR).check(w('shop/web'), w('shop/batch'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons[0]).toBe('shop/batch is not in the mesh (the pod template has the label sidecar.istio.io/inject=false): Istio '
      + 'authorization does not apply to shop/web -> shop/batch TCP/8080');
  });

  test('istio-injection=disabled wins over a pod asking for injection; a pod label injects in an unlabelled namespace', () => {
    const disabled = namespace('off', { 'istio-injection': 'disabled' });
    const asks = workload('off', 'svc', { podLabels: { 'sidecar.istio.io/inject': 'true' } });
    const opted = workload('legacy', 'svc', { podLabels: { 'sidecar.istio.io/inject': 'true' } });
    const r = meshReach([...ns, disabled, ...apps, asks, opted, authorizationPolicy('off', 'allow-nothing', {}), authorizationPolicy('legacy', 'allow-nothing', {})],
      ISTIO_SIDECAR);
    expect(r.check(w('shop/web'), w('off/svc'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/web'), w('legacy/svc'), HTTP).verdict).toBe(Verdict.DENY);
  });

  // istiod's injection webhooks: in a namespace without injection label only a pod LABELLED
  // sidecar.istio.io/inject=true (exactly) calls the injector; the injector injects only for an unset
  // value or y, yes, true, on (any case) and reads every other value as false. A destination the mesh
  // does not inject is outside Istio authorization; a source it does not inject connects in plaintext.
  test('injection follows the webhooks and the injector: the annotation alone never injects, and only y/yes/true/on count as true', () => {
    const allowNothing = (n: string) => authorizationPolicy(n, 'allow-nothing', {});
    const cases: Array<[string, any, boolean]> = [
      ['annotation true, unlabelled namespace', workload('legacy', 'a', { annotations: { 'sidecar.istio.io/inject': 'true' } }), false],
      ['label yes, unlabelled namespace (the webhook wants exactly true)', workload('legacy', 'b', { podLabels: { 'sidecar.istio.io/inject': 'yes' } }), false],
      ['label true, unlabelled namespace', workload('legacy', 'c', { podLabels: { 'sidecar.istio.io/inject': 'true' } }), true],
      ['label enabled, injected namespace (not a true value)', workload('shop', 'd', { podLabels: { 'sidecar.istio.io/inject': 'enabled' } }), false],
      ['annotation On, injected namespace', workload('shop', 'e', { annotations: { 'sidecar.istio.io/inject': 'On' } }), true],
      ['label true over annotation false, injected namespace', workload('shop', 'f', {
        podLabels: { 'sidecar.istio.io/inject': 'true' }, annotations: { 'sidecar.istio.io/inject': 'false' },
      }), true],
      ['istio-injection=true on the namespace matches no webhook', workload('odd', 'g', { podLabels: { 'sidecar.istio.io/inject': 'true' } }), false],
    ];
    const objects = [...ns, namespace('odd', { 'istio-injection': 'true' }), namespace('open', { 'istio-injection': 'enabled' }), ...apps,
      workload('open', 'srv'), mesh('STRICT'), allowNothing('legacy'), allowNothing('shop'), allowNothing('odd'), ...cases.map(([, wl]) => wl)];
    const r = meshReach(objects, ISTIO_SIDECAR);
    for (const [label, wl, injected] of cases) {
      const target = `${wl.metadata.namespace}/${wl.metadata.name}`;
      // As a destination: allow-nothing denies it only when it has a sidecar.
      expect([label, r.check(w('shop/web'), w(target), HTTP).verdict]).toEqual([label, injected ? Verdict.DENY : Verdict.ALLOW]);
      // As a source to a STRICT destination without ALLOW policy: only a sidecar brings mutual TLS.
      expect([label, r.check(w(target), w('open/srv'), HTTP).verdict]).toEqual([label, injected ? Verdict.ALLOW : Verdict.DENY]);
    }
    expect(r.check(w('legacy/a'), w('shop/web'), HTTP).mesh!.reasons[0]).toContain('(legacy/a is not in the mesh (the pod template has the annotation '
      + 'sidecar.istio.io/inject=true, but in a namespace without injection label only the label sidecar.istio.io/inject=true (or istio.io/rev) calls '
      + 'the injector))');
    expect(r.check(w('shop/web'), w('shop/d'), HTTP).mesh!.reasons[0]).toBe('shop/d is not in the mesh (the pod template has the label '
      + 'sidecar.istio.io/inject=enabled): Istio authorization does not apply to shop/web -> shop/d TCP/8080');
    expect(r.check(w('shop/web'), w('odd/g'), HTTP).mesh!.reasons[0]).toBe('odd/g is not in the mesh (namespace odd is labelled istio-injection=true, '
      + 'which no injection webhook matches (only enabled)): Istio authorization does not apply to shop/web -> odd/g TCP/8080');
  });

  test('a revision label (istio.io/rev) injects too', () => {
    const rev = namespace('canary', { 'istio.io/rev': '1-30' });
    const r = meshReach([...ns, rev, ...apps, workload('canary', 'svc'), authorizationPolicy('canary', 'allow-nothing', {})], ISTIO_SIDECAR);
    expect(r.check(w('shop/web'), w('canary/svc'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('hostNetwork pods get no sidecar', () => {
    const host = { ...workload('shop', 'agent'), spec: { ...workload('shop', 'agent').spec } };
    host.spec.template = { ...host.spec.template, spec: { ...host.spec.template.spec, hostNetwork: true } };
    const result = meshReach([...ns, ...apps, host, api], ISTIO_SIDECAR).check(w('shop/web'), w('shop/agent'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons[0]).toMatch(/^shop\/agent runs in the host network, where no proxy is injected/);
  });

  test('ports the sidecar serves itself (15020, 15021, 15090) and excluded inbound ports bypass authorization', () => {
    const excluded = workload('shop', 'db', { ports: [5432], annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '5432' } });
    const r = meshReach([...ns, ...apps, excluded, api], ISTIO_SIDECAR);
    expect(r.check(w('shop/web'), w('shop/api'), Port.tcp(15020)).mesh!.reasons[0])
      .toBe("port 15020 is the sidecar's own (merged Prometheus metrics), not captured: no Istio policy applies");
    expect(r.check(w('shop/web'), w('shop/db'), Port.tcp(5432)).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('ambient labels count only when the mesh runs in ambient mode', () => {
    const ambientNs = namespace('amb', { 'istio.io/dataplane-mode': 'ambient' });
    const objects = [...ns, ambientNs, ...apps, workload('amb', 'svc'), authorizationPolicy('amb', 'allow-nothing', {})];
    const sidecarOnly = meshReach(objects, ISTIO_SIDECAR).check(w('shop/web'), w('amb/svc'), HTTP);
    expect(sidecarOnly.verdict).toBe(Verdict.ALLOW);
    expect(sidecarOnly.mesh!.reasons[0]).toContain('it is labelled istio.io/dataplane-mode=ambient, but the mesh is not in ambient mode');
    expect(meshReach(objects, ISTIO_AMBIENT).check(w('shop/web'), w('amb/svc'), HTTP).verdict).toBe(Verdict.DENY);
  });
});
