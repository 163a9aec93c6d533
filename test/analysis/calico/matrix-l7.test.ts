/**
 * Calico HTTP matches (`http` on an Allow rule, https://docs.tigera.io/calico/latest/network-policy/istio/http-methods)
 * are L7 constraints in the flow matrix exactly as in `check()`, like Cilium `toPorts[].rules`.
 */
import { cnp, gnp, NAMESPACES, tier } from './helpers';
import { calicoModel } from '../../../src/analysis/calico';
import { ciliumModel } from '../../../src/analysis/cilium';
import { flannelModel, kubernetesModel } from '../../../src/analysis/kubernetes/model';
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests, validateManifests } from '../../support/schema';
import { deployment, namespace } from '../fixtures';

const listen = (containerPort: number) => ({
  containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort }] }],
});
const workloads = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }, listen(8080)),
  deployment('shop', 'api', { app: 'api' }, listen(8080)),
];
// api accepts web on TCP 8080; with `http`, only for GET on /api... or exactly /healthz.
const apiPolicy = (name: string, http?: object) => cnp('shop', name, {
  selector: "app == 'api'",
  types: ['Ingress'],
  ingress: [{
    action: 'Allow',
    protocol: 'TCP',
    source: { selector: "app == 'web'" },
    destination: { ports: [8080] },
    ...(http ? { http } : {}),
  }],
});
const httpPolicy = apiPolicy('api-get-only', { methods: ['GET'], paths: [{ prefix: '/api' }, { exact: '/healthz' }] });
const manifests = [...workloads, httpPolicy];
// The readable form of rule spec.ingress[0]'s match: methods, then paths (prefix as `p*`, exact as `=p`),
// then the policy and rule it comes from.
const CONSTRAINT = 'HTTP methods GET; paths /api*,=/healthz (NetworkPolicy shop/api-get-only spec.ingress[0])';

describe('Calico HTTP rules in the flow matrix', () => {
  const reach = Reachability.fromManifests(manifests, { cni: Cni.calico() });
  const matrix = reach.matrix();

  test('the manifests are valid', () => {
    expectValidManifests(manifests);
  });

  test('the HTTP-restricted flow is allowed with its constraint; plain allows and denials carry none', () => {
    expect(matrix.flows).toEqual([
      // api is selected for ingress and only web matches the rule: end of the default tier denies.
      { source: 'shop/api', destination: 'shop/api', port: 'TCP/8080', verdict: 'deny', allowed: false },
      { source: 'shop/api', destination: 'shop/web', port: 'TCP/8080', verdict: 'allow', allowed: true },
      { source: 'shop/web', destination: 'shop/api', port: 'TCP/8080', verdict: 'allow', allowed: true, l7Constraints: [CONSTRAINT] },
      { source: 'shop/web', destination: 'shop/web', port: 'TCP/8080', verdict: 'allow', allowed: true },
    ]);
  });

  test('table, JSON and Mermaid mark it as an L7 allow', () => {
    expect(matrix.toTable()).toMatch(/^shop\/web\s+shop\/api\s+TCP\/8080\s+allow \(L7\)$/m);
    expect(matrix.toTable()).toMatch(/^shop\/api\s+shop\/web\s+TCP\/8080\s+allow$/m);
    const json = JSON.parse(matrix.toJson());
    expect(json.flows.find((f: any) => f.source === 'shop/web' && f.destination === 'shop/api').l7Constraints).toEqual([CONSTRAINT]);
    expect(matrix.toMermaid()).toContain('-->|"TCP/8080 (L7)"|');
  });

  test('check() and matrix() agree on every flow, constraints included', () => {
    expect(matrix.flows).toHaveLength(4);
    for (const flow of matrix.flows) {
      const [srcNs, srcName] = flow.source.split('/');
      const [dstNs, dstName] = flow.destination.split('/');
      const result = reach.check(Target.workload(srcNs, srcName), Target.workload(dstNs, dstName), Port.tcp(8080));
      expect({ flow: flow.source + ' -> ' + flow.destination, allowed: result.allowed, l7: result.l7Constraints })
        .toEqual({ flow: flow.source + ' -> ' + flow.destination, allowed: flow.allowed, l7: flow.l7Constraints ?? [] });
    }
    expect(reach.check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080)).l7Constraints).toEqual([CONSTRAINT]);
  });

  // The Envoy enforcing the match (Istio's sidecar) strips a # fragment by default (istio pilot-agent bootstrap sets
  // envoy.reloadable_features.http_reject_path_with_fragment to false); plain Envoy rejects it with 400; it is kept
  // when HTTP_STRIP_FRAGMENT_FROM_PATH_UNSAFE_IF_DISABLED=false.
  test('checkRequest: a path with a # fragment is indeterminate unless no form of it Envoy could pass on is allowed', () => {
    const web = Target.workload('shop', 'web');
    const api = Target.workload('shop', 'api');
    expect(reach.checkRequest(web, api, Port.tcp(8080), { method: 'GET', path: '/api/x' }).verdict).toBe('allow');
    const fragment = reach.checkRequest(web, api, Port.tcp(8080), { method: 'GET', path: '/api/x#frag' });
    expect(fragment.verdict).toBe('indeterminate');
    expect(fragment.uncertainties).toEqual([`${CONSTRAINT}: the path /api/x#frag has a # fragment, which the Envoy enforcing Calico's HTTP match `
      + 'rejects, strips or keeps depending on its runtime flags (Istio strips it by default; plain Envoy rejects it), not evaluated']);
    // Not allowed whatever Envoy does: rejected, or stripped to /other, or kept as /other#api or /other%23api, no path matches.
    expect(reach.checkRequest(web, api, Port.tcp(8080), { method: 'GET', path: '/other#api' }).verdict).toBe('deny');
    // The exact path /healthz matches only once the fragment is stripped.
    expect(reach.checkRequest(web, api, Port.tcp(8080), { method: 'GET', path: '/healthz#x' }).verdict).toBe('indeterminate');
    expect(reach.checkRequest(web, api, Port.tcp(8080), { method: 'POST', path: '/api/x#frag' }).verdict).toBe('deny');
  });

  test('without the HTTP rule the matrix has no l7Constraints key anywhere', () => {
    const plainPolicy = apiPolicy('api-from-web');
    expectValidManifests([plainPolicy]);
    const plain = Reachability.fromManifests([...workloads, plainPolicy], { cni: Cni.calico() }).matrix();
    expect(plain.flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api')!.allowed).toBe(true);
    expect(plain.flows.every((f) => !('l7Constraints' in f))).toBe(true);
  });
});

describe('hasL7Rules: can a verdict of the model carry L7 constraints?', () => {
  const denyHttp = gnp('deny-http', {
    selector: "app == 'api'",
    types: ['Ingress'],
    ingress: [{ action: 'Deny', protocol: 'TCP', http: { methods: ['DELETE'] } }],
  });
  const inUndeclaredTier = gnp('platform.allow-get', { ...httpPolicy.spec, tier: 'platform' });

  test('Calico: only an applied policy with an HTTP match on an Allow rule', () => {
    expectValidManifests([httpPolicy, inUndeclaredTier, tier('platform', 100)]);
    // The pinned projectcalico.org/v3 CRD rejects an HTTP match on a Deny rule (a CEL rule); the analyzer still reads
    // such a manifest when given one, and must not report an L7 constraint for it.
    expect(validateManifests([denyHttp])).toEqual([
      { object: 'GlobalNetworkPolicy/deny-http', path: 'spec.ingress[0]', message: 'HTTP match is only valid on Allow rules' },
    ]);
    expect(calicoModel([httpPolicy], NAMESPACES).hasL7Rules()).toBe(true);
    expect(calicoModel([...workloads], NAMESPACES).hasL7Rules()).toBe(false);
    // A Deny never reports its HTTP match (only Allow rules carry constraints).
    expect(calicoModel([denyHttp], NAMESPACES).hasL7Rules()).toBe(false);
    // A policy in a tier that does not exist is not applied; declaring the tier applies it.
    expect(calicoModel([inUndeclaredTier], NAMESPACES).hasL7Rules()).toBe(false);
    expect(calicoModel([inUndeclaredTier, tier('platform', 100)], NAMESPACES).hasL7Rules()).toBe(true);
    // Calico matches HTTP on ingress only: an egress HTTP match constrains nothing.
    const egressHttp = cnp('shop', 'web-egress-get', {
      selector: "app == 'web'",
      types: ['Egress'],
      egress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } }],
    });
    expectValidManifests([egressHttp]);
    expect(calicoModel([egressHttp], NAMESPACES).hasL7Rules()).toBe(false);
  });

  test('an HTTP match on an egress rule gets the whole policy rejected (libcalico-go: "not allowed in egress rule")', () => {
    const egressHttp = cnp('shop', 'web-egress-get', {
      selector: "app == 'web'",
      types: ['Egress'],
      egress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } }],
    });
    const egressReach = Reachability.fromManifests([...workloads, egressHttp], { cni: Cni.calico() });
    const verdict = egressReach.check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080));
    expect(verdict.allowed).toBe(true);
    expect(verdict.l7Constraints).toEqual([]);
    // Had the policy applied, its end-of-tier Deny would drop UDP: Calico rejects it, so nothing isolates web.
    expect(egressReach.check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.udp(53)).allowed).toBe(true);
    expect(egressReach.notes).toContain('NetworkPolicy shop/web-egress-get is invalid and left out of the analysis (Calico rejects it, '
      + 'so it never takes effect): spec.egress[0].http: HTTP matches are not allowed in egress rules');
    expect(egressReach.matrix().flows.every((f) => f.l7Constraints === undefined)).toBe(true);
  });

  test('Kubernetes and Flannel never; Cilium only with toPorts rules', () => {
    expect(kubernetesModel(manifests, NAMESPACES, { clusterNetworkPolicy: true }).hasL7Rules()).toBe(false);
    expect(flannelModel(manifests).hasL7Rules()).toBe(false);
    // Calico HTTP matches mean nothing to Cilium.
    expect(ciliumModel(manifests, NAMESPACES).hasL7Rules()).toBe(false);
    const cilium = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api-get-only', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
      },
    };
    expectValidManifests([cilium]);
    expect(ciliumModel([cilium], NAMESPACES).hasL7Rules()).toBe(true);
  });
});
