/**
 * LoadBalancerService in a meshed ZeroTrustNamespace: the load balancer's clients carry no mesh
 * identity and speak plaintext, so a mesh setting of the tree that refuses them (a Linkerd default
 * inbound policy other than all-unauthenticated or audit, Istio STRICT mTLS on the target port) is a
 * synth-time error; the fix it names makes the analyzer admit the clients through CNI and mesh.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import {
  AwsHealthCheckProtocol, AwsNlbTargetType, ClusterNetwork, Cni, ExternalTrafficPolicy, IstioMode, IstioMtls, KubeProxyMode, LinkerdAuthorization,
  LinkerdInboundPolicy, LoadBalancerCloud,
  LoadBalancerService,
  Mesh, MeshSource, MtlsMode, MtlsPortMode, PolicyLint, Port, Protocol, Reachability, Target, ZeroTrustNamespace,
} from '../../src';
import { validateManifests } from '../support/schema';
import { chartFor, expectValidTree, synthValid } from '../support/synth';

const WEB = Target.pod('shop', { app: 'web' });
const IN_RANGE = Target.external('203.0.113.5');
const OUT_OF_RANGE = Target.external('198.51.100.8');
const LB = { namespace: 'shop', podSelector: { app: 'web' }, ports: [{ port: 443, targetPort: 8443 }], allowedSourceRanges: ['203.0.113.0/24'] };

function meshChart(mesh: Mesh): Chart {
  return chartFor(Cni.calico(), { mesh });
}

/** The analyzer over `objects`, the web pods probed on 8443 (the namespace's annotations or labels mesh them). */
function analyse(objects: any[], mesh: Mesh): Reachability {
  const reach = Reachability.fromManifests(objects, { cni: Cni.calico(), mesh, nodeIp: '172.31.0.10', podCidrs: ['10.244.0.0/16'] });
  reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443)] });
  return reach;
}

/** `[verdict, CNI verdict, mesh verdict]` of a flow. */
function verdicts(reach: Reachability, from: Target): string[] {
  const r = reach.check(from, WEB, Port.tcp(8443));
  return [r.verdict, r.cniVerdict ?? '-', r.meshVerdict ?? '-'];
}

/** The chart's objects without the synth-time validations (Chart.toJson runs them): what would have been applied. */
function unvalidated(chart: Chart): any[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

function validationError(chart: Chart): string {
  try {
    expectValidTree(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a synth-time error');
}

describe('Linkerd', () => {
  const LINKERD = Mesh.linkerd({ cni: true });
  const refusal = (policy: string, extra = '') => 'Validation failed with the following errors:\n  [test/web] namespace: \'shop\' is a ZeroTrustNamespace '
    + `(test/shop) meshed with Linkerd whose default inbound policy '${policy}' refuses clients without a mesh identity${extra}: the pods' proxies `
    + 'would refuse the load balancer\'s clients on port 8443. Authorize them on a Server for the pods on port 8443: an AuthorizationPolicy requiring '
    + 'a NetworkAuthentication of the ranges, or LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], to: {"app":"web"}, ports: [8443] '
    + '(every address at the mesh; the pods\' NetworkPolicy still admits only the ranges)';

  // Before: synthesized, and the proxies refused every client of the load balancer (the analyzer's mesh verdict below).
  test.each<[LinkerdInboundPolicy, string]>([
    [LinkerdInboundPolicy.DENY, ''],
    [LinkerdInboundPolicy.ALL_AUTHENTICATED, ''],
    [LinkerdInboundPolicy.CLUSTER_AUTHENTICATED, ''],
    [LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED, ' from outside the cluster networks (10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, '
      + 'fd00::/8: Linkerd\'s install default, assumed; declare the installation\'s with Mesh.linkerd({ clusterNetworks })), and 203.0.113.0/24 is '
      + 'not inside them'],
  ])('a namespace whose default inbound policy is %s fails synthesis, naming the fix', (policy, extra) => {
    const chart = meshChart(LINKERD);
    // The Service first, the namespace after: the check runs at synth.
    new LoadBalancerService(chart, 'web', LB);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: policy } });
    expect(validationError(chart)).toBe(refusal(policy, extra));
    // What the error prevents: the CNI admits the client, the proxy refuses it.
    expect(verdicts(analyse(unvalidated(chart), LINKERD), IN_RANGE)).toEqual(['deny', 'allow', 'deny']);
  });

  test('with the fix (a LinkerdAuthorization flow from anyone on the target port), the clients in the ranges reach the pods, the others do not', () => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', LB);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-from-load-balancer', { from: [MeshSource.anyone()], to: { app: 'web' }, ports: [8443] });
    const reach = analyse(synthValid(chart), LINKERD);
    expect(verdicts(reach, IN_RANGE)).toEqual(['allow', 'allow', 'allow']);
    expect(verdicts(reach, OUT_OF_RANGE)[0]).toBe('deny');
  });

  test.each([undefined, LinkerdInboundPolicy.ALL_UNAUTHENTICATED, LinkerdInboundPolicy.AUDIT])(
    'a namespace whose default inbound policy is %s admits them: no error, and the analyzer agrees', (policy) => {
      const chart = meshChart(LINKERD);
      new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: policy ? { linkerdDefaultInboundPolicy: policy } : {} });
      new LoadBalancerService(chart, 'web', LB);
      expect(verdicts(analyse(synthValid(chart), LINKERD), IN_RANGE)).toEqual(['allow', 'allow', 'allow']);
    });

  test('an unmeshed ZeroTrustNamespace is no error', () => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    new LoadBalancerService(chart, 'web', LB);
    expect(() => synthValid(chart)).not.toThrow();
  });

  /** A Deployment of the web pods (labels app: web, track: stable) whose template sets the default inbound policy. */
  const webDeployment = (chart: Chart, policy: LinkerdInboundPolicy) => new ApiObject(chart, 'web-deploy', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', track: 'stable' }, annotations: { 'config.linkerd.io/default-inbound-policy': policy } },
        spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8443 }] }] },
      },
    },
  });

  // Before: only the namespace's policy was read, so a pod template's own policy (which Linkerd applies instead) was ignored both ways.
  test('the pod template\'s own default inbound policy overrides the namespace\'s: all-unauthenticated there is no error', () => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', LB);
    webDeployment(chart, LinkerdInboundPolicy.ALL_UNAUTHENTICATED);
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('the pod template\'s own default inbound policy overrides the namespace\'s: deny there fails synthesis, naming the workload', () => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.ALL_UNAUTHENTICATED } });
    new LoadBalancerService(chart, 'web', LB);
    webDeployment(chart, LinkerdInboundPolicy.DENY);
    expect(validationError(chart)).toBe(refusal('deny').replace('whose default inbound policy \'deny\' refuses',
      'whose pods of test/web-deploy set the default inbound policy \'deny\', which refuses'));
  });

  test('UDP target ports are not proxied by Linkerd: no error for them', () => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', { ...LB, ports: [{ port: 53, protocol: Protocol.UDP }] });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('an HTTP health check on a dedicated port needs admitting too; a TCP one passes the proxy\'s handshake', () => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-from-load-balancer', { from: [MeshSource.anyone()], to: { app: 'web' }, ports: [8443] });
    new LoadBalancerService(chart, 'web', {
      ...LB,
      cloud: LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: ['10.0.1.0/24'], port: 8081, protocol: AwsHealthCheckProtocol.HTTP } }),
    });
    new LoadBalancerService(chart, 'tcp', {
      ...LB,
      podSelector: { app: 'tcp' },
      cloud: LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: ['10.0.1.0/24'], port: 8082 } }),
      ports: [{ port: 443, targetPort: 8443 }],
    });
    const message = validationError(chart);
    expect(message).toContain('[test/web] namespace: \'shop\' is a ZeroTrustNamespace (test/shop) meshed with Linkerd whose default inbound policy '
      + '\'deny\' refuses clients without a mesh identity: the pods\' proxies would refuse the NLB\'s health checks on port 8081.');
    expect(message).not.toContain('port 8082');
    // The tcp pods' own target port has no Server: refused, as it should be.
    expect(message).toContain('[test/tcp] namespace: \'shop\' is a ZeroTrustNamespace (test/shop) meshed with Linkerd whose default inbound policy '
      + '\'deny\' refuses clients without a mesh identity: the pods\' proxies would refuse the load balancer\'s clients on port 8443.');
  });

  // Before: LoadBalancerCloud.aws refused a health check with instance targets, so the NLB's checks through the NodePort went unseen.
  test('AWS instance targets under Cluster: an HTTP health check on the traffic port is named beside the clients', () => {
    const chart = chartFor(Cni.calico(), { mesh: LINKERD, kubeProxyMode: KubeProxyMode.REPLACED });
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', {
      ...LB,
      externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER,
      clientAddressPreservedWithCluster: true,
      cloud: LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: ['10.0.1.0/24'], protocol: AwsHealthCheckProtocol.HTTP } }),
    });
    expect(validationError(chart)).toContain('[test/web] namespace: \'shop\' is a ZeroTrustNamespace (test/shop) meshed with Linkerd whose default '
      + 'inbound policy \'deny\' refuses clients without a mesh identity: the pods\' proxies would refuse the load balancer\'s clients and the NLB\'s '
      + 'health checks on port 8443.');
  });
});

describe('Linkerd cluster-unauthenticated: the clients inside the cluster networks are admitted', () => {
  const INTERNAL = { ...LB, internal: true, cloud: LoadBalancerCloud.aws(), allowedSourceRanges: ['10.20.0.0/16'] };
  const INSIDE = Target.external('10.20.0.5');
  const build = (mesh: Mesh, props: Record<string, unknown> = {}) => {
    const chart = meshChart(mesh);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED } });
    new LoadBalancerService(chart, 'web', { ...INTERNAL, ...props });
    return chart;
  };
  const refusal = (networks: string, outside: string, from = 'the load balancer\'s clients', port = 8443) => 'Validation failed with the following '
    + 'errors:\n  [test/web] namespace: \'shop\' is a ZeroTrustNamespace (test/shop) meshed with Linkerd whose default inbound policy '
    + `'cluster-unauthenticated' refuses clients without a mesh identity from outside the cluster networks (${networks}), and ${outside}: the pods' `
    + `proxies would refuse ${from} on port ${port}. Authorize them on a Server for the pods on port ${port}: an AuthorizationPolicy requiring a `
    + `NetworkAuthentication of the ranges, or LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], to: {"app":"web"}, ports: [${port}] `
    + '(every address at the mesh; the pods\' NetworkPolicy still admits only the ranges)';

  // Before: every cluster-unauthenticated namespace failed synthesis, though its proxies admit unmeshed clients of the cluster networks.
  test('client ranges inside Linkerd\'s default clusterNetworks: no error, and the analyzer admits the clients through CNI and mesh', () => {
    const mesh = Mesh.linkerd({ cni: true });
    const reach = analyse(synthValid(build(mesh)), mesh);
    expect(verdicts(reach, INSIDE)).toEqual(['allow', 'allow', 'allow']);
  });

  test('judged over the union of the declared networks: a range two of them cover together is inside, one reaching past them is not', () => {
    const split = Mesh.linkerd({ cni: true, clusterNetworks: ['10.20.0.0/17', '10.20.128.0/17'] });
    expect(() => synthValid(build(split))).not.toThrow();
    const half = Mesh.linkerd({ cni: true, clusterNetworks: ['10.20.0.0/17', '192.168.0.0/16'] });
    expect(validationError(build(half, { allowedSourceRanges: ['192.168.4.0/24', '10.20.0.0/16'] })))
      .toBe(refusal('10.20.0.0/17, 192.168.0.0/16', '10.20.0.0/16 is not inside them'));
    // What the error prevents: a client of the range outside the declared networks is refused by the proxies (the analyzer told the same networks).
    const reach = Reachability.fromManifests(unvalidated(build(half, { allowedSourceRanges: ['192.168.4.0/24', '10.20.0.0/16'] })), {
      cni: Cni.calico(), mesh: half, nodeIp: '172.31.0.10', podCidrs: ['10.244.0.0/16'], linkerdClusterNetworks: ['10.20.0.0/17', '192.168.0.0/16'],
    });
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443)] });
    expect(verdicts(reach, Target.external('10.20.200.5'))).toEqual(['deny', 'allow', 'deny']);
    expect(verdicts(reach, INSIDE)).toEqual(['allow', 'allow', 'allow']);
  });

  // Before: the analyzer and the lint read only their own linkerdClusterNetworks option and judged by Linkerd's default networks
  // ("assumed"), though the Mesh they were given (or the ClusterNetwork's) declares the installation's, which LoadBalancerService judged by.
  test('the analyzer judges by the networks the Mesh declares, given it or through the ClusterNetwork, without its own option', () => {
    const half = Mesh.linkerd({ cni: true, clusterNetworks: ['10.20.0.0/17', '192.168.0.0/16'] });
    const objects = unvalidated(build(half, { allowedSourceRanges: ['192.168.4.0/24', '10.20.0.0/16'] }));
    const reach = Reachability.fromManifests(objects, { cni: Cni.calico(), mesh: half, nodeIp: '172.31.0.10', podCidrs: ['10.244.0.0/16'] });
    reach.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443)] });
    expect(verdicts(reach, Target.external('10.20.200.5'))).toEqual(['deny', 'allow', 'deny']);
    expect(verdicts(reach, INSIDE)).toEqual(['allow', 'allow', 'allow']);
    // From the chart, the mesh is its ClusterNetwork's (the chart's own validation is the LoadBalancerService refusal: a range of it inside).
    const chart = build(half, { allowedSourceRanges: ['10.20.0.0/17'] });
    const fromChart = Reachability.fromChart(chart, { cni: Cni.calico(), nodeIp: '172.31.0.10' });
    fromChart.addProbe('web', 'shop', { app: 'web' }, { ports: [Port.tcp(8443)] });
    expect(verdicts(fromChart, INSIDE)).toEqual(['allow', 'allow', 'allow']);
    expect(fromChart.check(Target.external('192.168.9.9'), WEB, Port.tcp(8443)).meshVerdict).toBe('allow');
    const outside = fromChart.check(Target.external('10.20.200.5'), WEB, Port.tcp(8443));
    expect([outside.cniVerdict, outside.meshVerdict]).toEqual(['deny', 'deny']);
    const why = JSON.stringify(outside.mesh);
    expect(why).toContain('the cluster networks 10.20.0.0/17, 192.168.0.0/16');
    expect(why).not.toContain('assumed to be Linkerd\'s install default');
  });

  test('an analyzer or lint option naming other networks than the Mesh declares is an error; the same ones, in any order, are not', () => {
    const half = Mesh.linkerd({ cni: true, clusterNetworks: ['10.20.0.0/17', '192.168.0.0/16'] });
    const options = { cni: Cni.calico(), mesh: half, nodeIp: '172.31.0.10', podCidrs: ['10.244.0.0/16'] };
    const error = '[Reachability.fromManifests] options.linkerdClusterNetworks: [10.0.0.0/8] is not the clusterNetworks the mesh declares '
      + '(Mesh.linkerd({ clusterNetworks: [10.20.0.0/17, 192.168.0.0/16] })): one Linkerd installation has one value; drop the option or make them agree';
    expect(() => Reachability.fromManifests([], { ...options, linkerdClusterNetworks: ['10.0.0.0/8'] })).toThrow(error);
    expect(() => Reachability.fromManifests([], { ...options, linkerdClusterNetworks: ['192.168.0.0/16', '10.20.0.0/17'] })).not.toThrow();
    expect(() => PolicyLint.check([], { mesh: half, linkerdClusterNetworks: ['10.0.0.0/8'] }))
      .toThrow(error.replace('Reachability.fromManifests', 'PolicyLint.check'));
  });

  test('ClusterNetworks of one app that declare different Linkerd networks are different meshes to the analyzer', () => {
    const app = (first: string[] | undefined, second: string[] | undefined) => {
      const a = Testing.app();
      for (const [id, networks] of [['one', first], ['two', second]] as const) {
        const chart = new Chart(a, id);
        new ClusterNetwork(chart, 'cluster', { cni: Cni.calico(), mesh: Mesh.linkerd({ cni: true, clusterNetworks: networks }) });
        synthValid(chart);
      }
      return a;
    };
    expect(() => Reachability.fromApp(app(['10.20.0.0/16'], undefined), { cni: Cni.calico() }))
      .toThrow('[Reachability.fromApp] options.mesh: the ClusterNetworks of this app declare different meshes; pass ReachabilityOptions.mesh');
    expect(() => Reachability.fromApp(app(['10.20.0.0/16'], ['10.20.0.0/16']), { cni: Cni.calico() })).not.toThrow();
  });

  test('the default networks are said to be assumed; a public range is outside them', () => {
    expect(validationError(build(Mesh.linkerd({ cni: true }), { allowedSourceRanges: ['10.20.0.0/16', '203.0.113.0/24', '198.51.100.0/24'] })))
      .toBe(refusal('10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, fd00::/8: Linkerd\'s install default, assumed; declare the '
        + 'installation\'s with Mesh.linkerd({ clusterNetworks })', '203.0.113.0/24, 198.51.100.0/24 are not inside them'));
  });

  test('the NLB subnets of an HTTP health check count on its port: outside the networks, that port is refused (and only that one)', () => {
    const mesh = Mesh.linkerd({ cni: true });
    const cloud = (subnet: string) => LoadBalancerCloud.aws({
      targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: [subnet], port: 8081, protocol: AwsHealthCheckProtocol.HTTP },
    });
    expect(() => synthValid(build(mesh, { cloud: cloud('10.0.1.0/24') }))).not.toThrow();
    expect(validationError(build(mesh, { cloud: cloud('198.51.100.0/24') }))).toBe(refusal('10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, '
      + '192.168.0.0/16, fd00::/8: Linkerd\'s install default, assumed; declare the installation\'s with Mesh.linkerd({ clusterNetworks })',
    '198.51.100.0/24 is not inside them', 'the NLB\'s health checks', 8081));
  });
});

describe('Linkerd Servers match the target port by number or container port name', () => {
  const LINKERD = Mesh.linkerd({ cni: true });
  /** A hand-written Server for the web pods on `port`, admitting everyone. */
  const server = (chart: Chart, port: number | string) => new ApiObject(chart, 'server', {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: 'web-https', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, port, accessPolicy: 'all-unauthenticated' },
  });
  /** The web pods' Deployment, declaring `ports`. */
  const deployment = (chart: Chart, ports: Array<Record<string, unknown>>) => new ApiObject(chart, 'web-deploy', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web-pods', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1', ports }] } },
    },
  });
  const build = (lb: Record<string, unknown>, serverPort: number | string, ports?: Array<Record<string, unknown>>) => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', { ...LB, ...lb });
    server(chart, serverPort);
    if (ports !== undefined) deployment(chart, ports);
    return chart;
  };
  const refusal = (p: string, note: string) => 'Validation failed with the following errors:\n  [test/web] namespace: \'shop\' is a '
    + 'ZeroTrustNamespace (test/shop) meshed with Linkerd whose default inbound policy \'deny\' (for the pods of test/web-deploy) refuses clients '
    + `without a mesh identity: the pods' proxies would refuse the load balancer's clients on port ${p} (${note}). Authorize them on a Server for the `
    + `pods on port ${p}: an AuthorizationPolicy requiring a NetworkAuthentication of the ranges, or LinkerdAuthorization.allowFlow with from: `
    + `[MeshSource.anyone()], to: {"app":"web"}, ports: [${p}] (every address at the mesh; the pods' NetworkPolicy still admits only the ranges)`;

  // Before: both failed synthesis, naming a fix already in place (the Server admits everyone on the pods' port 8443).
  test('a Server naming the container port of the numbered target port admits the clients: no error, and the analyzer agrees; one naming another port does not', () => {
    const chart = build({}, 'https', [{ name: 'https', containerPort: 8443 }]);
    // The Deployment's pods (which declare the name) are the web pods: no probe.
    const reach = Reachability.fromManifests(synthValid(chart), { cni: Cni.calico(), mesh: LINKERD, nodeIp: '172.31.0.10', podCidrs: ['10.244.0.0/16'] });
    expect(verdicts(reach, IN_RANGE)).toEqual(['allow', 'allow', 'allow']);
    expect(verdicts(reach, OUT_OF_RANGE)[0]).toBe('deny');
    // A Server naming another container port is no Server of the target port: still refused, with no note.
    const message = validationError(build({}, 'admin', [{ name: 'https', containerPort: 8443 }, { name: 'admin', containerPort: 9990 }]));
    expect(message).toContain('the pods\' proxies would refuse the load balancer\'s clients on port 8443. Authorize them');
  });

  test('a numbered Server on the port a named target port resolves to admits the clients: no error', () => {
    expect(() => synthValid(build({ ports: [{ port: 443, targetPortName: 'https' }] }, 8443, [{ name: 'https', containerPort: 8443 }]))).not.toThrow();
  });

  test('where the name cannot be resolved, the refusal stays and says why the Server was not counted', () => {
    expect(validationError(build({ ports: [{ port: 443, targetPortName: 'https' }] }, 8443, [{ name: 'web', containerPort: 8443 }])))
      .toBe(refusal('https', 'the Server web-https describes port 8443, which cannot be matched with port \'https\': the pods of test/web-deploy '
        + 'declare no TCP container port named \'https\''));
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', LB);
    server(chart, 'https');
    expect(validationError(chart)).toBe(refusal('8443', 'the Server web-https describes port \'https\', which cannot be matched with port 8443: no '
      + 'workload of the app makes the pods the Service selects, whose container ports would resolve the name')
      .replace('\'deny\' (for the pods of test/web-deploy)', '\'deny\''));
  });
});

describe('Linkerd Servers name the ports of the pods\' containers and init containers (native sidecars or not)', () => {
  const LINKERD = Mesh.linkerd({ cni: true });
  /**
   * The web pods' Deployment: its app container declares `app`, an init container `init` (a native sidecar, restartPolicy Always,
   * unless `plainInit`).
   */
  const build = (lb: Record<string, unknown>, serverPort: string, app: Array<Record<string, unknown>>, init: Array<Record<string, unknown>>,
    plainInit = false) => {
    const chart = meshChart(LINKERD);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    new LoadBalancerService(chart, 'web', { ...LB, ...lb });
    new ApiObject(chart, 'server', {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'web-https', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: serverPort, accessPolicy: 'all-unauthenticated' },
    });
    new ApiObject(chart, 'web-deploy', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web-pods', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            initContainers: [{ name: 'tls-terminator', image: 'tls:1', ...(plainInit ? {} : { restartPolicy: 'Always' }), ports: init }],
            containers: [{ name: 'web', image: 'web:1', ports: app }],
          },
        },
      },
    });
    return chart;
  };
  /**
   * The chart's objects, valid against the pinned schemas but for a container's `restartPolicy` (Kubernetes 1.28+), unknown to the
   * primary pinned version v1.27 (as in linkerd-proxy-port-collision.test.ts).
   */
  const validNativeSidecars = (chart: Chart) => {
    const objects = unvalidated(chart);
    for (const f of validateManifests(objects)) {
      expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
    }
    return objects;
  };

  // Before: both failed synthesis, the refusal noting that Linkerd "resolves on the pods' containers only"; linkerd2's policy
  // controller indexes init containers' ports too (pod_tcp_ports_by_name, linkerd/linkerd2#14144), so the Server admits everyone there.
  test('a Server naming a native sidecar\'s port covers the numbered target port: no error', () => {
    const chart = build({}, 'https', [{ name: 'web', containerPort: 8080 }], [{ name: 'https', containerPort: 8443 }]);
    validNativeSidecars(chart);
    expect(() => expectValidTree(chart)).not.toThrow();
  });

  test('a named target port the Service resolves to a native sidecar\'s port is covered by a Server of that name: no error', () => {
    const chart = build({ ports: [{ port: 443, targetPortName: 'https' }] }, 'https', [{ name: 'web', containerPort: 8080 }],
      [{ name: 'https', containerPort: 8443 }]);
    validNativeSidecars(chart);
    expect(() => expectValidTree(chart)).not.toThrow();
  });

  // Before: refused too. A plain init container's port counts for Linkerd's Server name (not for the Service's named targetPort).
  test('a Server naming a plain init container\'s port covers that number as the target port: no error', () => {
    const chart = build({}, 'https', [{ name: 'web', containerPort: 8080 }], [{ name: 'https', containerPort: 8443 }], true);
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('a Server naming a sidecar\'s other port does not cover the target port: the refusal stays, without a note', () => {
    const chart = build({}, 'metrics', [{ name: 'web', containerPort: 8080 }], [{ name: 'https', containerPort: 8443 }, { name: 'metrics', containerPort: 9100 }]);
    validNativeSidecars(chart);
    const message = validationError(chart);
    expect(message).toContain('the pods\' proxies would refuse the load balancer\'s clients on port 8443. Authorize them');
    expect(message).not.toContain('the Server web-https');
  });

  test('declared on the app container, the same name covers the port: no error', () => {
    for (const lb of [{}, { ports: [{ port: 443, targetPortName: 'https' }] }]) {
      const chart = build(lb, 'https', [{ name: 'https', containerPort: 8443 }], [{ name: 'metrics', containerPort: 9100 }]);
      validNativeSidecars(chart);
      expect(() => expectValidTree(chart)).not.toThrow();
    }
  });
});

describe('Istio', () => {
  const SIDECAR = Mesh.istio({ mode: IstioMode.SIDECAR, cni: true });
  const AMBIENT = Mesh.istio({ mode: IstioMode.AMBIENT });
  const refusal = (strict: string, mode = '', proxy = 'sidecars') => 'Validation failed with the following errors:\n  [test/web] namespace: \'shop\' is a '
    + `ZeroTrustNamespace (test/shop) meshed with Istio${mode}, and STRICT mutual TLS on port 8443 (${strict}) refuses plaintext: the ${proxy} would `
    + 'refuse the load balancer\'s clients, which carry no mesh identity. Accept plaintext on that port: an IstioMtls workload policy selecting the '
    + 'pods with portExceptions: [{ port: 8443, mode: MtlsPortMode.PERMISSIVE }] (on the STRICT workload policy itself where one selects them)';

  // Before: synthesized, and the sidecars (or ztunnel) refused the plaintext clients of the load balancer.
  test.each<[string, Mesh, string, string]>([
    ['sidecar', SIDECAR, '', 'sidecars'],
    ['ambient', AMBIENT, ' ambient', 'ztunnel'],
  ])('namespace-wide STRICT fails synthesis under %s', (_what, mesh, mode, proxy) => {
    const chart = meshChart(mesh);
    new LoadBalancerService(chart, 'web', LB);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    expect(validationError(chart)).toBe(refusal('test/mtls/PeerAuthentication (namespace \'shop\')', mode, proxy));
    expect(verdicts(analyse(unvalidated(chart), mesh), IN_RANGE)).toEqual(['deny', 'allow', 'deny']);
  });

  test('mesh-wide STRICT counts; a STRICT workload policy the pods could match is named', () => {
    const chart = meshChart(SIDECAR);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    new LoadBalancerService(chart, 'web', LB);
    new IstioMtls(chart, 'mesh-wide', {});
    new IstioMtls(chart, 'canary', { namespace: 'shop', selector: { app: 'web', track: 'canary' }, name: 'canary' });
    expect(validationError(chart)).toBe(refusal('test/canary/PeerAuthentication (pods {"app":"web","track":"canary"}); '
      + 'test/mesh-wide/PeerAuthentication (mesh-wide)'));
  });

  /** A Deployment in shop whose pods carry `labels`. */
  const deployment = (chart: Chart, id: string, labels: Record<string, string>) => new ApiObject(chart, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: id, namespace: 'shop' },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8443 }] }] } },
    },
  });

  // Before: another app's STRICT workload policy (a label key the Service's selector does not name) counted even with the
  // web pods' Deployment in the app, whose labels it does not match, and the fix the error named (already there) did not help.
  test('with the selected pods\' workloads in the app, a workload policy counts only where it matches their labels', () => {
    const build = (webLabels: Record<string, string>) => {
      const chart = meshChart(SIDECAR);
      new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
      new LoadBalancerService(chart, 'web', LB);
      new IstioMtls(chart, 'mtls', { namespace: 'shop' });
      new IstioMtls(chart, 'web-mtls', { namespace: 'shop', selector: { app: 'web' }, name: 'web', portExceptions: [{ port: 8443, mode: MtlsPortMode.PERMISSIVE }] });
      new IstioMtls(chart, 'db-mtls', { namespace: 'shop', selector: { tier: 'db' }, name: 'db' });
      deployment(chart, 'web-deploy', webLabels);
      return chart;
    };
    expect(() => synthValid(build({ app: 'web', tier: 'frontend' }))).not.toThrow();
    expect(validationError(build({ app: 'web', tier: 'db' }))).toBe(refusal('test/db-mtls/PeerAuthentication (pods {"tier":"db"})'));
  });

  test('without the pods\' workloads in the app, a STRICT workload policy they could match still counts', () => {
    const chart = meshChart(SIDECAR);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    new LoadBalancerService(chart, 'web', LB);
    new IstioMtls(chart, 'db-mtls', { namespace: 'shop', selector: { tier: 'db' }, name: 'db' });
    deployment(chart, 'db-deploy', { app: 'db', tier: 'db' });
    expect(validationError(chart)).toBe(refusal('test/db-mtls/PeerAuthentication (pods {"tier":"db"})'));
  });

  test.each<[string, Mesh]>([['sidecar', SIDECAR], ['ambient', AMBIENT]])(
    'under %s, the fix (a PERMISSIVE port exception on the target port) lets the clients in the ranges reach the pods, the others not', (_what, mesh) => {
      const chart = meshChart(mesh);
      new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
      new LoadBalancerService(chart, 'web', LB);
      new IstioMtls(chart, 'mtls', { namespace: 'shop' });
      new IstioMtls(chart, 'web-mtls', { namespace: 'shop', selector: { app: 'web' }, name: 'web', portExceptions: [{ port: 8443, mode: MtlsPortMode.PERMISSIVE }] });
      const reach = analyse(synthValid(chart), mesh);
      expect(verdicts(reach, IN_RANGE)).toEqual(['allow', 'allow', 'allow']);
      expect(verdicts(reach, OUT_OF_RANGE)[0]).toBe('deny');
    });

  test('PERMISSIVE namespace-wide, or no PeerAuthentication at all, is no error', () => {
    const chart = meshChart(SIDECAR);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    new LoadBalancerService(chart, 'web', LB);
    expect(verdicts(analyse(synthValid(chart), SIDECAR), IN_RANGE)).toEqual(['allow', 'allow', 'allow']);
    new IstioMtls(chart, 'mtls', { namespace: 'shop', mode: MtlsMode.PERMISSIVE });
    expect(() => synthValid(chart)).not.toThrow();
  });

  // Before: a workload policy with port-level modes left a named target port unknown (no error), though its pods resolve the name.
  test('port-level modes apply to a named target port through the pods\' template', () => {
    const build = (exceptionPort: number) => {
      const chart = meshChart(SIDECAR);
      new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
      new LoadBalancerService(chart, 'web', { ...LB, ports: [{ port: 443, targetPortName: 'https' }] });
      new IstioMtls(chart, 'web-mtls', { namespace: 'shop', selector: { app: 'web' }, name: 'web', portExceptions: [{ port: exceptionPort, mode: MtlsPortMode.PERMISSIVE }] });
      new ApiObject(chart, 'web-deploy', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ name: 'https', containerPort: 8443 }] }] } },
        },
      });
      return chart;
    };
    expect(() => synthValid(build(8443))).not.toThrow();
    expect(validationError(build(9090))).toBe(refusal('test/web-mtls/PeerAuthentication (pods {"app":"web"})').replace(/port 8443/g, 'port https')
      .replace('{ port: 8443,', '{ port: https,'));
  });
});
