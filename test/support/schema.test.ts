import { ApiObject, Chart, Testing } from 'cdk8s';
import { KUBERNETES_VERSIONS, expectValidManifests, synthAndValidate, translateRe2Pattern, validateManifests } from './schema';
import { validYaml } from './synth';

/** An expected finding. */
function finding(object: string, path: string, message: string) {
  return { object, path, message };
}

/** A minimal valid NetworkPolicy; tests clone and break it. */
function networkPolicy(spec: any = { podSelector: {}, policyTypes: ['Ingress'] }): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec };
}

const podTemplate = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
};

function cnp(port: unknown): any {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] }],
    },
  };
}

function installation(natOutgoing: unknown): any {
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: { name: 'default' },
    spec: {
      calicoNetwork: {
        ipPools: [{ cidr: '10.244.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing, nodeSelector: 'all()' }],
      },
    },
  };
}

describe('core Kubernetes kinds', () => {
  test('a correct NetworkPolicy passes', () => {
    const np = networkPolicy({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      }],
      egress: [{
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }],
        ports: [{ port: 443, endPort: 8443, protocol: 'TCP' }],
      }],
    });
    expect(validateManifests([np])).toEqual([]);
  });

  test('an unknown field in spec fails and names its path', () => {
    const np = networkPolicy({ podSelector: {}, policyTypes: ['Ingress'], ingres: [] });
    expect(validateManifests([np])).toEqual([
      finding('NetworkPolicy/shop/web', 'spec.ingres', 'unknown field "ingres"'),
    ]);
  });

  test('an unknown field deep inside a peer fails (the open upstream definitions are closed on load)', () => {
    const np = networkPolicy({ podSelector: {}, ingress: [{ from: [{ podSelector: {}, namespaceSelecter: {} }] }] });
    expect(validateManifests([np])).toEqual([
      finding('NetworkPolicy/shop/web', 'spec.ingress[0].from[0].namespaceSelecter', 'unknown field "namespaceSelecter"'),
    ]);
  });

  test('spec.podSelector is required', () => {
    expect(validateManifests([networkPolicy({ policyTypes: ['Ingress'] })])).toEqual([
      finding('NetworkPolicy/shop/web', 'spec.podSelector', 'missing required field "podSelector"'),
    ]);
  });

  test('NetworkPolicy port is IntOrString: a named port passes, a boolean port or numeric protocol fails', () => {
    // port is IntOrString upstream, so "abc" is a (named) port and valid; protocol is a string.
    expect(validateManifests([networkPolicy({ podSelector: {}, ingress: [{ ports: [{ port: 'abc', protocol: 'TCP' }] }] })]))
      .toEqual([]);
    expect(validateManifests([networkPolicy({ podSelector: {}, ingress: [{ ports: [{ port: true, protocol: 6 }] }] })])).toEqual([
      finding('NetworkPolicy/shop/web', 'spec.ingress[0].ports[0].port', 'must be integer or string, got true'),
      finding('NetworkPolicy/shop/web', 'spec.ingress[0].ports[0].protocol', 'must be string, got 6'),
    ]);
  });

  test('int32 fields are range checked', () => {
    const np = networkPolicy({ podSelector: {}, ingress: [{ ports: [{ port: 80, endPort: 2 ** 31 }] }] });
    expect(validateManifests([np])).toEqual([
      finding('NetworkPolicy/shop/web', 'spec.ingress[0].ports[0].endPort', 'must match format "int32", got 2147483648'),
    ]);
  });

  test('Namespace: a DNS label passes, a dotted name fails (namespaces are DNS-1123 labels)', () => {
    const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } } });
    expect(validateManifests([ns('shop')])).toEqual([]);
    expect(validateManifests([ns('team.shop')])).toEqual([
      finding('Namespace/team.shop', 'metadata.name', 'must match format "k8s-dns1123-label", got "team.shop"'),
    ]);
  });

  test('Deployment: a valid one passes; a typo in a container and a missing template fail', () => {
    const deployment = (spec: any) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec });
    expect(validateManifests([deployment({ replicas: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate })])).toEqual([]);
    const typo = { ...podTemplate, spec: { containers: [{ name: 'web', image: 'nginx', imagePullPolicyy: 'Always' }] } };
    expect(validateManifests([deployment({ selector: {}, template: typo }), deployment({ selector: {} })])).toEqual([
      finding('Deployment/shop/web', 'spec.template.spec.containers[0].imagePullPolicyy', 'unknown field "imagePullPolicyy"'),
      finding('Deployment/shop/web', 'spec.template', 'missing required field "template"'),
    ]);
  });

  test('StatefulSet: a valid one passes; replicas as a string and a missing serviceName fail', () => {
    const sts = (spec: any) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec });
    expect(validateManifests([sts({ serviceName: 'db', selector: { matchLabels: { app: 'web' } }, template: podTemplate })])).toEqual([]);
    expect(validateManifests([sts({ replicas: '3', selector: {}, template: podTemplate })])).toEqual([
      finding('StatefulSet/shop/db', 'spec.replicas', 'must be integer, got "3"'),
      finding('StatefulSet/shop/db', 'spec.serviceName', 'missing required field "serviceName"'),
    ]);
  });

  test('Service: a valid one passes; a string port and a name that is not a DNS-1035 label fail', () => {
    const svc = (name: string, port: unknown) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] },
    });
    expect(validateManifests([svc('web', 80)])).toEqual([]);
    expect(validateManifests([svc('1web', '80')])).toEqual([
      finding('Service/shop/1web', 'metadata.name', 'must match format "k8s-dns1035-label", got "1web"'),
      finding('Service/shop/1web', 'spec.ports[0].port', 'must be integer, got "80"'),
    ]);
  });

  test('Ingress: a valid one passes; a path without pathType fails', () => {
    const ingress = (path: any) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
        rules: [{ host: 'shop.example.com', http: { paths: [path] } }],
      },
    });
    const backend = { service: { name: 'web', port: { number: 80 } } };
    expect(validateManifests([ingress({ path: '/', pathType: 'Prefix', backend })])).toEqual([]);
    expect(validateManifests([ingress({ path: '/', backend })])).toEqual([
      finding('Ingress/shop/web', 'spec.rules[0].http.paths[0].pathType', 'missing required field "pathType"'),
    ]);
  });

  test('PodDisruptionBudget: "50%" passes (IntOrString), 1.5 fails', () => {
    const pdb = (minAvailable: unknown) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { minAvailable, selector: { matchLabels: { app: 'web' } } },
    });
    expect(validateManifests([pdb('50%'), pdb(1)])).toEqual([]);
    expect(validateManifests([pdb(1.5)])).toEqual([
      finding('PodDisruptionBudget/shop/web', 'spec.minAvailable', 'must be integer or string, got 1.5'),
    ]);
  });

  test('Quantity strings are checked against the quantity grammar', () => {
    const pod = (cpu: unknown) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu } } }] },
    });
    expect(validateManifests([pod('500m'), pod(1), pod('1.5Gi')])).toEqual([]);
    expect(validateManifests([pod('half')])).toEqual([
      finding('Pod/shop/p', 'spec.containers[0].resources.limits.cpu', 'must match format "k8s-quantity", got "half"'),
    ]);
  });

  test('RBAC names are path segments, so system: names pass', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:aggregate-to-view' }, rules: [],
    };
    expect(validateManifests([role])).toEqual([]);
  });
});

describe('custom resources', () => {
  test('projectcalico.org/v3 GlobalNetworkPolicy passes', () => {
    const gnp = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'platform.allow-dns' },
      spec: {
        tier: 'platform',
        order: 100,
        selector: "projectcalico.org/namespace != 'kube-system'",
        types: ['Egress'],
        egress: [
          { action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53] } },
          { action: 'Allow', protocol: 'TCP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53, '8000:8080'] } },
        ],
      },
    };
    expect(validateManifests([gnp])).toEqual([]);
  });

  test('operator.tigera.io/v1 Installation: natOutgoing true fails, "Enabled" passes', () => {
    expect(validateManifests([installation('Enabled')])).toEqual([]);
    expect(validateManifests([installation(true)])).toEqual([
      finding('Installation/default', 'spec.calicoNetwork.ipPools[0].natOutgoing', 'must be one of "Enabled", "Disabled", got true'),
      finding('Installation/default', 'spec.calicoNetwork.ipPools[0].natOutgoing', 'must be string, got true'),
    ]);
  });

  test('cilium.io/v2 CiliumNetworkPolicy: port 80 (number) fails, "80" passes', () => {
    expect(validateManifests([cnp('80')])).toEqual([]);
    expect(validateManifests([cnp(80)])).toEqual([
      finding('CiliumNetworkPolicy/shop/web', 'spec.ingress[0].toPorts[0].ports[0].port', 'must be string, got 80'),
    ]);
  });

  test('CiliumNetworkPolicy: an invalid CIDR fails the cidr format, a valid one passes', () => {
    const withCidr = (cidr: string) => ({ ...cnp('443'), spec: { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr }] }] } });
    expect(validateManifests([withCidr('203.0.113.0/24'), withCidr('2001:db8::/32')])).toEqual([]);
    expect(validateManifests([withCidr('10.0.0.0/33')])).toEqual([
      finding('CiliumNetworkPolicy/shop/web', 'spec.egress[0].toCIDRSet[0].cidr', 'must match format "cidr", got "10.0.0.0/33"'),
    ]);
  });

  test('a failed oneOf/anyOf is reported once, listing what each alternative needs', () => {
    const noSelector = { ...cnp('80'), spec: { ingress: [{}] } };
    const bothRefs = { ...cnp('80'), spec: { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', cidrGroupRef: 'g' }] }] } };
    expect(validateManifests([noSelector, bothRefs])).toEqual([
      finding('CiliumNetworkPolicy/shop/web', 'spec',
        'must match exactly one of: (missing required field "endpointSelector") or (missing required field "nodeSelector")'),
      finding('CiliumNetworkPolicy/shop/web', 'spec.egress[0].toCIDRSet[0]', 'must match exactly one alternative, but matched 2'),
    ]);
  });

  test('an unknown top-level field fails even where the CRD schema leaves the top level open', () => {
    expect(validateManifests([{ ...cnp('80'), sepc: {} }])).toEqual([
      finding('CiliumNetworkPolicy/shop/web', 'sepc', 'unknown field "sepc"'),
    ]);
  });

  test('the kind of a CRD must be spelled exactly', () => {
    expect(validateManifests([{ ...cnp('80'), kind: 'CiliumNetworkpolicy' }])).toEqual([
      finding('CiliumNetworkpolicy/shop/web', 'kind', 'must be one of "CiliumNetworkPolicy", got "CiliumNetworkpolicy"'),
    ]);
  });

  test('RE2 (?i) patterns are honoured case-insensitively (FelixConfiguration bpfLogLevel)', () => {
    const felix = (bpfLogLevel: string) => ({
      apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { bpfLogLevel },
    });
    expect(validateManifests([felix('Debug'), felix('debug'), felix('OFF')])).toEqual([]);
    expect(validateManifests([felix('Verbose')])).toHaveLength(1);
    expect(validateManifests([felix('Verbose')])[0].path).toBe('spec.bpfLogLevel');
  });
});

describe('metadata', () => {
  test('metadata.name Bad_Name fails for core kinds and CRDs alike', () => {
    const bad = networkPolicy();
    bad.metadata.name = 'Bad_Name';
    const badCnp = cnp('80');
    badCnp.metadata.name = 'Bad_Name';
    expect(validateManifests([bad, badCnp])).toEqual([
      finding('NetworkPolicy/shop/Bad_Name', 'metadata.name', 'must match format "k8s-dns1123-subdomain", got "Bad_Name"'),
      finding('CiliumNetworkPolicy/shop/Bad_Name', 'metadata.name', 'must match format "k8s-dns1123-subdomain", got "Bad_Name"'),
    ]);
  });

  test('an object without metadata.name, or without metadata, fails', () => {
    const noName = networkPolicy();
    delete noName.metadata.name;
    const noMeta = cnp('80');
    delete noMeta.metadata;
    expect(validateManifests([noName, noMeta])).toEqual([
      finding('NetworkPolicy/shop/<unnamed #0>', 'metadata.name', 'missing required field "name"'),
      finding('CiliumNetworkPolicy/<unnamed #1>', 'metadata', 'missing required field "metadata"'),
    ]);
  });

  test('CRD metadata is checked against ObjectMeta: unknown fields and bad label values fail', () => {
    const obj = cnp('80');
    obj.metadata = { name: 'web', namespace: 'shop', lables: {}, labels: { 'app.kubernetes.io/name': 'has space' } };
    expect(validateManifests([obj])).toEqual([
      finding('CiliumNetworkPolicy/shop/web', 'metadata.labels["app.kubernetes.io/name"]', 'must match format "k8s-label-value", got "has space"'),
      finding('CiliumNetworkPolicy/shop/web', 'metadata.lables', 'unknown field "lables"'),
    ]);
  });
});

describe('every core object is checked against Kubernetes 1.27, 1.33 and 1.36', () => {
  test('the pinned versions, oldest (the primary, cdk8s-plus-27\'s API level) first', () => {
    expect(KUBERNETES_VERSIONS).toEqual(['v1.27.0', 'v1.33.0', 'v1.36.0']);
  });

  test('a field 1.27 knows but later versions dropped fails there, naming each version (NetworkPolicy status, gone in 1.28)', () => {
    expect(validateManifests([{ ...networkPolicy(), status: {} }])).toEqual([
      finding('NetworkPolicy/shop/web', 'status', 'Kubernetes v1.33.0: unknown field "status"'),
      finding('NetworkPolicy/shop/web', 'status', 'Kubernetes v1.36.0: unknown field "status"'),
    ]);
  });

  test('a kind 1.27 serves but later versions removed fails there (flowcontrol v1beta3, removed in 1.32)', () => {
    const flowSchema = {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      kind: 'FlowSchema',
      metadata: { name: 'fs' },
      spec: { priorityLevelConfiguration: { name: 'global-default' } },
    };
    expect(validateManifests([flowSchema])).toEqual([
      finding('FlowSchema/fs', '', 'Kubernetes v1.33.0 does not serve flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema'),
      finding('FlowSchema/fs', '', 'Kubernetes v1.36.0 does not serve flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema'),
    ]);
  });

  test('a field or kind newer than 1.27 fails against 1.27 (Service trafficDistribution, ServiceCIDR)', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }], trafficDistribution: 'PreferClose' },
    };
    const serviceCidr = { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: 'extra' }, spec: { cidrs: ['10.97.0.0/16'] } };
    expect(validateManifests([service, serviceCidr])).toEqual([
      finding('Service/shop/web', 'spec.trafficDistribution', 'unknown field "trafficDistribution"'),
      finding('ServiceCIDR/extra', '', 'Kubernetes v1.27.0 does not serve networking.k8s.io/v1 ServiceCIDR'),
    ]);
  });
});

describe('unknown kinds and bad input', () => {
  test('a kind without a schema is an error, never a skip', () => {
    expect(validateManifests([
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      { apiVersion: 'networking.k8s.io/v1beta1', kind: 'NetworkPolicy', metadata: { name: 'np' } },
      { apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } },
    ])).toEqual([
      finding('Widget/w', '', 'no schema for example.com/v1 Widget'),
      finding('NetworkPolicy/np', '', 'no schema for networking.k8s.io/v1beta1 NetworkPolicy'),
      finding('Widget/w', '', 'no schema for v1 Widget'),
    ]);
  });

  test('non-objects and objects without apiVersion/kind fail', () => {
    expect(validateManifests([null, { kind: 'NetworkPolicy', metadata: { name: 'x' } }])).toEqual([
      finding('<no kind>/<unnamed #0>', '', 'not an object: null'),
      finding('NetworkPolicy/x', '', 'apiVersion and kind must be non-empty strings'),
    ]);
  });
});

describe('expectValidManifests, synthAndValidate and validYaml', () => {
  test('expectValidManifests is silent for valid input and throws one error listing every problem', () => {
    expect(() => expectValidManifests([networkPolicy(), cnp('80')])).not.toThrow();
    const bad = networkPolicy({ ingres: [] });
    expect(() => expectValidManifests([bad, cnp(80)])).toThrow(
      '3 manifest validation error(s):\n' +
      '  NetworkPolicy/shop/web: spec.ingres: unknown field "ingres"\n' +
      '  NetworkPolicy/shop/web: spec.podSelector: missing required field "podSelector"\n' +
      '  CiliumNetworkPolicy/shop/web: spec.ingress[0].toPorts[0].ports[0].port: must be string, got 80',
    );
  });

  test('synthAndValidate returns Testing.synth output and throws on an invalid object', () => {
    const good = Testing.chart();
    new ApiObject(good, 'np', networkPolicy());
    expect(synthAndValidate(good)).toEqual([networkPolicy()]);
    const badChart = Testing.chart();
    new ApiObject(badChart, 'np', { ...networkPolicy(), metadata: { name: 'Bad_Name', namespace: 'shop' } });
    expect(() => synthAndValidate(badChart)).toThrow('metadata.name: must match format "k8s-dns1123-subdomain", got "Bad_Name"');
  });

  test('validYaml returns the objects of synthesized YAML and throws on an invalid object, unparsable or empty YAML', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ApiObject(chart, 'np', networkPolicy());
    new ApiObject(chart, 'cnp', cnp('80'));
    expect(validYaml(app.synthYaml())).toEqual([networkPolicy(), cnp('80')]);
    expect(() => validYaml('apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: w}\nspec: {endpointSelector: {}, ingres: []}\n'))
      .toThrow('CiliumNetworkPolicy/w: spec.ingres: unknown field "ingres"');
    expect(() => validYaml('a: [unclosed\n')).toThrow('the synthesized YAML does not parse');
    expect(() => validYaml('')).toThrow('no objects in the synthesized YAML');
  });
});

describe('RE2 pattern translation', () => {
  test('rewrites \\PC, (?i) and RE2-only escapes to equivalent JavaScript', () => {
    expect(translateRe2Pattern('^\\PC*$')).toBe('^\\P{C}*$');
    expect(translateRe2Pattern('^(?i)(Off|On)?$')).toBe('^([oO][fF][fF]|[oO][nN])?$');
    // (?i) ends with its enclosing group: "day" stays case-sensitive.
    expect(translateRe2Pattern('^((?i)sun|mon)day$')).toBe('^([sS][uU][nN]|[mM][oO][nN])day$');
    expect(translateRe2Pattern('(?i:a[b-c1])')).toBe('(?:[aA][b-c1B-C])');
    expect(translateRe2Pattern('^a.b\\s$')).toBe('^a[^\\n]b[\\t\\n\\f\\r ]$');
    expect(translateRe2Pattern('^[[:digit:]]+\\z')).toBe('^[0-9]+$');
    expect(() => translateRe2Pattern('\\Qa.b\\E')).toThrow('\\Q');
  });

  test('the translated Cilium pattern accepts printable Unicode and rejects control characters', () => {
    const re = new RegExp(translateRe2Pattern('^\\PC*$'), 'u');
    expect(re.test('GET /api/v1/ü')).toBe(true);
    expect(re.test('bad\u0007bell')).toBe(false);
  });
});

describe('performance', () => {
  test('first compile of the CNP validator takes < 2 s; validation then takes < 1 ms per object', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('./schema') as typeof import('./schema');
      // Load the shared Kubernetes definitions first, so the timing below is the CNP compile itself.
      expect(fresh.validateManifests([networkPolicy()])).toEqual([]);
      let t = process.hrtime.bigint();
      expect(fresh.validateManifests([cnp('80')])).toEqual([]);
      const compileMs = Number(process.hrtime.bigint() - t) / 1e6;
      t = process.hrtime.bigint();
      for (let i = 0; i < 1000; i++) fresh.validateManifests([cnp('80')]);
      const perObjectMs = Number(process.hrtime.bigint() - t) / 1e6 / 1000;
      expect(compileMs).toBeLessThan(2000);
      expect(perObjectMs).toBeLessThan(1);
    });
  });
});

describe('API versions never to emit', () => {
  test.each([
    ['helm.toolkit.fluxcd.io/v1', 'HelmRelease', 'the retired Flux v1 helm-operator API; emit helm.toolkit.fluxcd.io/v2'],
    ['helm.toolkit.fluxcd.io/v2beta1', 'HelmRelease', 'removed in Flux 2.7; emit helm.toolkit.fluxcd.io/v2'],
    ['source.toolkit.fluxcd.io/v1beta2', 'HelmRepository', 'deprecated; emit source.toolkit.fluxcd.io/v1'],
    ['crd.projectcalico.org/v1', 'GlobalNetworkPolicy', "Calico's internal storage API; emit projectcalico.org/v3"],
  ])('%s %s is refused although a schema exists', (apiVersion, kind, why) => {
    // A helm-operator shaped HelmRelease would pass its own (v1) schema: the version itself is the error.
    const obj = { apiVersion, kind, metadata: { name: 'x', namespace: 'flux-system' }, spec: { releaseName: 'x', chart: { repository: 'https://x', name: 'x', version: '1' } } };
    expect(validateManifests([obj])).toEqual([finding(`${kind}/flux-system/x`, 'apiVersion', `${apiVersion}: ${why}`)]);
  });
});
