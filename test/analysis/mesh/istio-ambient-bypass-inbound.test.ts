/**
 * `ambient.istio.io/bypass-inbound-capture` on an ambient pod: istio-cni reads it with Go's
 * strconv.ParseBool and leaves out the pod's inbound redirection to ztunnel (istio/istio cni
 * PodLevelOverrides.IngressMode, cni/pkg/iptables AppendInpodRules; Istio 1.24.0 release notes: "only
 * outbound traffic will be captured"). A client without a proxy then reaches the application in
 * plaintext: STRICT and AuthorizationPolicy do not apply (the analysis said denied). Meshed clients
 * still tunnel to ztunnel on 15008, which enforces them.
 */
import { authorizationPolicy, ISTIO_AMBIENT, meshReach, namespace, peerAuthentication, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);

function analyse(value: string | undefined) {
  const objects = [
    namespace('istio-system'),
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }),
    namespace('legacy'),
    workload('shop', 'ingress', value === undefined ? {} : { annotations: { 'ambient.istio.io/bypass-inbound-capture': value } }),
    workload('shop', 'web'),
    workload('legacy', 'client'),
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
    authorizationPolicy('shop', 'allow-nothing', {}),
  ];
  expectValidManifests(objects);
  return meshReach(objects, ISTIO_AMBIENT);
}

test.each(['true', 'True', '1', 't'])('bypass-inbound-capture=%s: a plaintext client reaches the pod past STRICT and allow-nothing', (value) => {
  const r = analyse(value);
  const result = r.check(w('legacy/client'), w('shop/ingress'), HTTP);
  expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
  expect(result.mesh!.reasons).toEqual([`the pod template has the annotation ambient.istio.io/bypass-inbound-capture=${value}: istio-cni does not `
    + 'redirect its inbound traffic to ztunnel, so a client without a proxy reaches it in plaintext and no Istio policy applies']);
  // The flow matrix agrees; a meshed client still meets ztunnel (allow-nothing), over HBONE.
  const flows = r.matrix().flows.filter((f) => f.destination === 'shop/ingress').map((f) => [f.source, f.meshVerdict]);
  expect(flows).toEqual(expect.arrayContaining([['legacy/client', Verdict.ALLOW], ['shop/web', Verdict.DENY]]));
  const meshed = r.check(w('shop/web'), w('shop/ingress'), HTTP);
  expect([meshed.meshVerdict, meshed.pairs[0].cniPort]).toEqual([Verdict.DENY, 'TCP/15008']);
});

test.each([[undefined], ['false'], ['yes'], ['']])('bypass-inbound-capture=%s (absent, false or not a Go boolean): captured, STRICT refuses plaintext', (value) => {
  expect(analyse(value).check(w('legacy/client'), w('shop/ingress'), HTTP).meshVerdict).toBe(Verdict.DENY);
});
