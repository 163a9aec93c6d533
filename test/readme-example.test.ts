/**
 * The README's example is code users copy: it must compile, synthesize valid manifests and do what
 * its comments promise. The block is taken from README.md itself, so the two cannot drift apart.
 */
import { Cni, Port, Reachability, Target } from '../src';
import { INTERNET, expectBaseline, expectThreeTierChain } from './support/flows';
import { readmeBlock, runReadmeProgram } from './support/readme';
import { synthValid } from './support/synth';

describe('README example', () => {
  let objects: any[];
  let reach: Reachability;
  beforeAll(() => {
    const app = runReadmeProgram(readmeBlock('Example'));
    expect(app.charts).toHaveLength(1);
    objects = synthValid(app.charts[0]);
    reach = Reachability.fromManifests(objects, { cni: Cni.calico() });
    reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    reach.addProbe('api', 'payments', { app: 'api' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('db', 'payments', { app: 'db' }, { ports: [Port.tcp(5432)] });
    reach.addProbe('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' });
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    for (const tenant of ['acme', 'globex']) reach.addProbe('web', tenant, { app: 'web' }, { ports: [Port.tcp(8080)] });
  });

  test('it targets Calico with NodeLocal DNS, and emits the Calico guard-rail objects', () => {
    expect(objects.filter((o) => o.kind === 'Tier').map((o) => o.metadata.name)).toEqual(['platform-guardrails']);
    expect(objects.filter((o) => o.kind === 'GlobalNetworkPolicy').map((o) => o.metadata.name).sort()).toEqual(
      ['acme', 'globex', 'initech'].map((t) => `platform-guardrails.tenant-isolation-${t}`));
    const dns = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'payments' && o.metadata.name === 'allow-dns');
    expect(dns.spec.egress[0].to).toContainEqual({ ipBlock: { cidr: '169.254.20.10/32' } });
  });

  test('payments: api -> db on 5432 (both ends), api -> internet on 443, the baseline for both', () => {
    const api = Target.pod('payments', { app: 'api' });
    const db = Target.pod('payments', { app: 'db' });
    expect(reach).toAllow(api, db, Port.tcp(5432));
    expect(reach).toDeny(db, api, Port.tcp(8080));
    expect(reach).toAllow(api, INTERNET, Port.tcp(443));
    expect(reach).toDeny(api, INTERNET, Port.tcp(80));
    expect(reach).toDeny(db, INTERNET, Port.tcp(443));
    expectBaseline(reach, api);
    expectBaseline(reach, db);
  });

  test('payments: Prometheus scrapes 9090 only', () => {
    const prometheus = Target.pod('monitoring', { 'app.kubernetes.io/name': 'prometheus' });
    expect(reach).toAllow(prometheus, Target.pod('payments', { app: 'api' }), Port.tcp(9090));
    expect(reach).toDeny(prometheus, Target.pod('payments', { app: 'api' }), Port.tcp(8080));
  });

  test('tenants: no flow crosses tenants; internet egress on 443', () => {
    const acme = Target.pod('acme', { app: 'web' });
    const globex = Target.pod('globex', { app: 'web' });
    expect(reach).toDeny(acme, globex, Port.tcp(8080));
    expect(reach).toDeny(globex, acme, Port.tcp(8080));
    expect(reach).toAllow(acme, INTERNET, Port.tcp(443));
    expectBaseline(reach, acme);
  });

  test('shop: ingress controller -> frontend -> backend -> database, no tier skipped', () => {
    const controller = Target.pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    expectThreeTierChain(reach, 'shop', 'shop', controller);
  });
});
