/**
 * `config.linkerd.io/admin-port` as Linkerd's proxy injector reads it (src/analysis/mesh/linkerd-admin-port.ts):
 * linkerd/linkerd2 pkg/inject/config_override.go `applyAnnotationOverrides` parses the value in effect with
 * Go's strconv.ParseInt(value, 10, 32) and keeps the default admin port (4191) on a parse error; the namespace's
 * value reaches the pod only when the pod lacks the key (`AppendNamespaceAnnotations`). A parsed number no port
 * can be becomes the proxy's `linkerd-admin` container port, which the API server refuses.
 */
import { LINKERD, meshReach, namespace, w, workload } from './support';
import { linkerdAdminPort } from '../../../src/analysis/mesh/linkerd-admin-port';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const ANNOTATION = 'config.linkerd.io/admin-port';
const live = { method: 'GET', path: '/live' };

describe('the admin port the proxy injector gives a pod', () => {
  test('the pod\'s value wins, even one that is no number (then the default 4191, never the namespace\'s)', () => {
    expect(linkerdAdminPort('9990', '9991')).toEqual({ port: 9990, from: 'pod' });
    expect(linkerdAdminPort(undefined, '9991')).toEqual({ port: 9991, from: 'namespace' });
    expect(linkerdAdminPort(undefined, undefined)).toEqual({ port: 4191, from: 'default' });
    for (const text of ['abc', ' 9990', '9990 ', '99.5', '0x10', '99999999999']) {
      expect([text, linkerdAdminPort(text, '9991')]).toEqual([text, { port: 4191, from: 'default' }]);
    }
    // ParseInt takes a sign and leading zeros.
    expect(linkerdAdminPort('+9990', undefined)).toEqual({ port: 9990, from: 'pod' });
    expect(linkerdAdminPort('09990', undefined)).toEqual({ port: 9990, from: 'pod' });
    // A namespace value that is no number: the default too.
    expect(linkerdAdminPort(undefined, 'abc')).toEqual({ port: 4191, from: 'default' });
  });

  test('a number no port can be: unknown (the API server refuses the injected pod); an empty pod value beside a namespace value: unknown', () => {
    expect(linkerdAdminPort('70000', undefined)).toEqual({
      port: undefined,
      from: 'pod',
      unknown: "config.linkerd.io/admin-port '70000' (on the pod "
      + "template) makes the injected proxy's admin container port 70000, which the API server refuses (a port is 1-65535): the pods are not created",
      refused: true,
    });
    expect(linkerdAdminPort(undefined, '0').unknown).toBe("config.linkerd.io/admin-port '0' (on the namespace) makes the injected proxy's admin "
      + 'container port 0, which the API server refuses (a port is 1-65535): the pods are not created');
    expect(linkerdAdminPort('-1', '9990').port).toBeUndefined();
    expect(linkerdAdminPort('', '9990')).toEqual({
      port: undefined,
      from: 'pod',
      unknown: 'config.linkerd.io/admin-port is empty on the pod template '
      + "and '9990' on the namespace: whether the injector takes the namespace's value or its default 4191 is not known",
    });
    // Both readings agree: known.
    expect(linkerdAdminPort('', undefined)).toEqual({ port: 4191, from: 'default' });
    expect(linkerdAdminPort('', '4191')).toEqual({ port: 4191, from: 'namespace' });
  });
});

describe('the analyzer reads the admin port as the injector does', () => {
  const denyNs = [namespace('shop', {}, { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny' }), namespace('legacy')];

  test('a pod value with a space is no number to ParseInt: the proxy probes stay on 4191 (was read as 9990)', () => {
    const api = workload('shop', 'api', { annotations: { [ANNOTATION]: ' 9990' } });
    const manifests = [...denyNs, workload('legacy', 'client'), api];
    expectValidManifests(manifests);
    const r = meshReach(manifests, LINKERD);
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), Port.tcp(4191), live).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), Port.tcp(9990), live).verdict).toBe(Verdict.DENY);
  });

  test('an admin port no port can be: every flow to those pods is indeterminate, saying why (was judged on 4191: a quiet deny)', () => {
    const api = workload('shop', 'api', { annotations: { [ANNOTATION]: '70000' } });
    const manifests = [...denyNs, workload('legacy', 'client'), api];
    expectValidManifests(manifests);
    const r = meshReach(manifests, LINKERD);
    const why = "the Linkerd proxy admin port of shop/api is not known: config.linkerd.io/admin-port '70000' (on the pod template) makes the injected "
      + "proxy's admin container port 70000, which the API server refuses (a port is 1-65535): the pods are not created";
    for (const port of [4191, 8080]) {
      const result = r.checkRequest(w('legacy/client'), w('shop/api'), Port.tcp(port), { method: 'GET', path: '/metrics' });
      expect([result.verdict, result.mesh!.reasons]).toEqual([Verdict.INDETERMINATE, [why]]);
    }
    expect(r.checkRequest(Target.localNode(), w('shop/api'), Port.tcp(4191), live).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('flows FROM such a meshed pod (never created) are indeterminate with the same note, as flows to it (were judged: allow, deny)', () => {
    const api = workload('shop', 'api', { annotations: { [ANNOTATION]: '70000' } });
    const manifests = [...denyNs, workload('legacy', 'client'), workload('shop', 'web'), api];
    expectValidManifests(manifests);
    const r = meshReach(manifests, LINKERD);
    const why = "the Linkerd proxy admin port of shop/api is not known: config.linkerd.io/admin-port '70000' (on the pod template) makes the injected "
      + "proxy's admin container port 70000, which the API server refuses (a port is 1-65535): the pods are not created";
    // To an unmeshed pod (was allow: Linkerd does not apply) and to a meshed one under deny (was deny by the default policy).
    for (const destination of ['legacy/client', 'shop/web']) {
      const result = r.check(w('shop/api'), w(destination), Port.tcp(8080));
      expect([destination, result.verdict, result.mesh!.reasons, result.uncertainties]).toEqual([destination, Verdict.INDETERMINATE, [why], [`mesh: ${why}`]]);
    }
    // Not TCP: the pod is not created whatever the protocol, to it or from it (to it was allow: Linkerd proxies TCP only).
    for (const [source, destination] of [['shop/api', 'legacy/client'], ['legacy/client', 'shop/api']]) {
      const result = r.check(w(source), w(destination), Port.udp(8080));
      expect([source, result.verdict, result.mesh!.reasons]).toEqual([source, Verdict.INDETERMINATE, [why]]);
    }
    // The flow matrix agrees with the pairwise checks.
    const flow = r.matrix().flows.find((f) => f.source === 'shop/api' && f.destination === 'legacy/client' && f.port === 'TCP/8080');
    expect(flow?.verdict).toBe(Verdict.INDETERMINATE);
    // A meshed pod whose admin port is known is judged as before.
    expect(r.check(w('shop/web'), w('legacy/client'), Port.tcp(8080)).verdict).toBe(Verdict.ALLOW);
  });

  test('an admin port only ambiguous (empty on the pod, a port on the namespace): the pod is created, flows from it and UDP to it are judged '
    + '(were indeterminate)', () => {
    const shop = namespace('shop', {}, { 'linkerd.io/inject': 'enabled', [ANNOTATION]: '9990' });
    const api = workload('shop', 'api', { annotations: { [ANNOTATION]: '' } });
    const manifests = [shop, namespace('legacy'), workload('legacy', 'client'), api];
    expectValidManifests(manifests);
    const r = meshReach(manifests, LINKERD);
    // Either reading (9990 or 4191) is a port: the API server admits the pod, and its admin port does not touch these flows.
    const from = r.check(w('shop/api'), w('legacy/client'), Port.tcp(8080));
    expect([from.verdict, from.uncertainties]).toEqual([Verdict.ALLOW, []]);
    expect(from.mesh!.reasons).toEqual(['legacy/client is not in the mesh (no linkerd.io/inject annotation on namespace legacy or the pod template): '
      + 'Linkerd authorization does not apply to shop/api -> legacy/client TCP/8080']);
    const udp = r.check(w('legacy/client'), w('shop/api'), Port.udp(8080));
    expect([udp.verdict, udp.mesh!.reasons]).toEqual([Verdict.ALLOW, ['Linkerd proxies TCP only: UDP traffic to shop/api bypasses its proxy']]);
    // TCP to it stays indeterminate, saying why (which port its proxy's admin server holds is not known).
    const to = r.check(w('legacy/client'), w('shop/api'), Port.tcp(8080));
    expect([to.verdict, to.uncertainties]).toEqual([Verdict.INDETERMINATE, ['mesh: the Linkerd proxy admin port of shop/api is not known: '
      + "config.linkerd.io/admin-port is empty on the pod template and '9990' on the namespace: whether the injector takes the namespace's value "
      + 'or its default 4191 is not known']]);
  });
});
