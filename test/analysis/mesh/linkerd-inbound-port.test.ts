/**
 * Linkerd's inbound proxy port on the wire: between meshed pods the CNI sees the destination's inbound
 * port (https://linkerd.io/2/common-errors/network-policy/), 4143 unless `config.linkerd.io/inbound-port`
 * (linkerd.io/2/reference/proxy-configuration) on the pod template, else on the namespace, moves it, read
 * as linkerd2 pkg/inject/config_override.go reads it (pod over namespace; Go strconv.ParseInt; a parse
 * error keeps 4143). A NetworkPolicy port `linkerd-proxy` names the injected proxy's inbound container port
 * (linkerd2 charts/partials/templates/_proxy.tpl), which no manifest shows. Pair check and matrix agree.
 */
import { LINKERD, meshReach, namespace, networkPolicy, w, workload } from './support';
import { linkerdInboundPort } from '../../../src/analysis/mesh/linkerd-inbound-port';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const MESHED = { 'linkerd.io/inject': 'enabled' };
const KEY = 'config.linkerd.io/inbound-port';
/** api admits every source on `ports` (numbers or names). */
const apiIngress = (ports: Array<number | string>) => networkPolicy('shop', 'api-ingress', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
});
const setup = (nsAnnotations: Record<string, string>, apiAnnotations?: Record<string, string>) => [
  namespace('shop', {}, { ...MESHED, ...nsAnnotations }), namespace('legacy'), workload('shop', 'web'),
  workload('shop', 'api', apiAnnotations ? { annotations: apiAnnotations } : {}), workload('legacy', 'client'),
];
/** The pair check's verdict and CNI port of web -> api 8080, and the matrix's verdict of that flow. */
const judged = (objects: any[]) => {
  expectValidManifests(objects);
  const r = meshReach(objects, LINKERD);
  const pair = r.check(w('shop/web'), w('shop/api'), HTTP);
  const flow = r.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api' && f.port === 'TCP/8080')!;
  return { verdict: pair.verdict, cniPort: pair.pairs[0].cniPort, matrix: flow.verdict, pair: pair.pairs[0], flow };
};

describe('config.linkerd.io/inbound-port moves the port the CNI sees of meshed traffic', () => {
  test('on the pod template: 4999, so a policy opening 4143 denies and one opening 4999 admits (was: judged on 4143)', () => {
    const moved = { ...MESHED, [KEY]: '4999' };
    expect(judged([...setup({}, moved), apiIngress([8080, 4143])])).toMatchObject({ verdict: Verdict.DENY, cniPort: 'TCP/4999', matrix: Verdict.DENY });
    const open = judged([...setup({}, moved), apiIngress([8080, 4999])]);
    expect(open).toMatchObject({ verdict: Verdict.ALLOW, cniPort: 'TCP/4999', matrix: Verdict.ALLOW });
    expect(open.pair.ingress.reasons[0]).toBe('the CNI sees TCP/4999: between meshed pods Linkerd replaces the destination port by the destination\'s '
      + 'inbound proxy port 4999 (moved by the pod template annotation config.linkerd.io/inbound-port), which the CNI sees (linkerd.io "Network '
      + 'Policy" common error)');
    // An unmeshed client still uses the application port.
    expect(meshReach([...setup({}, moved), apiIngress([8080, 4999])], LINKERD).check(w('legacy/client'), w('shop/api'), HTTP).pairs[0].cniPort)
      .toBeUndefined();
  });

  test('on the namespace: every pod of it; the pod template\'s value wins over the namespace\'s', () => {
    expect(judged([...setup({ [KEY]: '4999' }), apiIngress([8080, 4999])])).toMatchObject({ verdict: Verdict.ALLOW, cniPort: 'TCP/4999', matrix: Verdict.ALLOW });
    expect(judged([...setup({ [KEY]: '5999' }, { [KEY]: '4999' }), apiIngress([8080, 5999])]))
      .toMatchObject({ verdict: Verdict.DENY, cniPort: 'TCP/4999', matrix: Verdict.DENY });
  });

  test('a value the injector does not parse keeps 4143, and says so; the pod\'s such value does not fall back to the namespace\'s', () => {
    const r = judged([...setup({ [KEY]: '4999' }, { [KEY]: 'inbound' }), apiIngress([8080, 4143])]);
    expect(r).toMatchObject({ verdict: Verdict.ALLOW, cniPort: 'TCP/4143', matrix: Verdict.ALLOW });
    expect(r.pair.ingress.reasons[0]).toContain('; config.linkerd.io/inbound-port \'inbound\' (on the pod template) is no number the proxy injector '
      + 'reads (Go strconv.ParseInt), so it keeps the inbound port 4143 (linkerd2 pkg/inject/config_override.go)');
    expect(linkerdInboundPort(' 4999', undefined)).toMatchObject({ port: 4143, from: 'default' });
    expect(linkerdInboundPort('+4999', '5999')).toEqual({ port: 4999, from: 'pod' });
    expect(linkerdInboundPort(undefined, '5999')).toEqual({ port: 5999, from: 'namespace' });
  });

  test('a port not known is indeterminate, never a quiet deny: no port at all (the pods are refused), or an empty pod value beside the namespace\'s', () => {
    const refused = judged([...setup({}, { [KEY]: '70000' }), apiIngress([8080])]);
    expect(refused).toMatchObject({ verdict: Verdict.INDETERMINATE, matrix: Verdict.INDETERMINATE });
    expect(refused.pair.uncertainties).toContain('the port the CNI sees is not known: the inbound proxy port of the destination is not known: '
      + 'config.linkerd.io/inbound-port \'70000\' (on the pod template) makes the injected proxy\'s inbound container port 70000, which the API server '
      + 'refuses (a port is 1-65535): the pods are not created');
    const ambiguous = judged([...setup({ [KEY]: '4999' }, { [KEY]: '' }), apiIngress([8080])]);
    expect(ambiguous).toMatchObject({ verdict: Verdict.INDETERMINATE, matrix: Verdict.INDETERMINATE });
    expect(ambiguous.flow.reason).toContain('CNI: the port the CNI sees is not known: the inbound proxy port of the destination is not known: '
      + 'config.linkerd.io/inbound-port is empty on the pod template and \'4999\' on the namespace: whether the injector takes the namespace\'s value '
      + 'or its default 4143 is not known');
  });
});

describe('a NetworkPolicy port named linkerd-proxy (the injected proxy\'s inbound container port)', () => {
  test('admits meshed clients on the inbound port, 4143 or the moved one (was: no such port, denied)', () => {
    expect(judged([...setup({}), apiIngress([8080, 'linkerd-proxy'])])).toMatchObject({ verdict: Verdict.ALLOW, cniPort: 'TCP/4143', matrix: Verdict.ALLOW });
    expect(judged([...setup({}, { [KEY]: '4999' }), apiIngress([8080, 'linkerd-proxy'])]))
      .toMatchObject({ verdict: Verdict.ALLOW, cniPort: 'TCP/4999', matrix: Verdict.ALLOW });
    // Without it, meshed clients are denied on the inbound port; an unmeshed client is judged on 8080 as before.
    expect(judged([...setup({}), apiIngress([8080])])).toMatchObject({ verdict: Verdict.DENY, matrix: Verdict.DENY });
    expect(meshReach([...setup({}), apiIngress(['linkerd-proxy'])], LINKERD).check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });
});

describe('a Cilium rule on the port linkerd-proxy with HTTP rules', () => {
  test('the matrix reads its HTTP rules on the inbound port as the pair check does: indeterminate, the flow being mutual TLS (was: allow in the matrix)', () => {
    const l7 = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ toPorts: [{ ports: [{ port: 'linkerd-proxy', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
      },
    };
    const objects = [...setup({}), l7];
    expectValidManifests(objects);
    const r = meshReach(objects, LINKERD, { cni: Cni.cilium() });
    const pair = r.check(w('shop/web'), w('shop/api'), HTTP);
    const flow = r.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api' && f.port === 'TCP/8080')!;
    expect([pair.verdict, pair.pairs[0].cniPort, flow.verdict]).toEqual([Verdict.INDETERMINATE, 'TCP/4143', Verdict.INDETERMINATE]);
  });
});
