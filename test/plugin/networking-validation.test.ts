/**
 * The cdk8s validation plugin, driven through cdk8s-cli's own ValidationContext and report (the
 * objects `cdk8s synth` hands a plugin), on manifests a real App wrote with its construct metadata.
 * The end-to-end run through the `cdk8s` command is in test/consumer.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Validation, ValidationContext } from 'cdk8s-cli/plugins';
import { parseAllDocuments } from 'yaml';
import { ClusterNetwork, Cni, Errors, ThreeTierApp } from '../../src';
import { NetworkingValidation } from '../../src/plugin';
import { expectValidManifests } from '../support/schema';

const FRONTEND_TO_DB_DENIED = `expect:
  - from: { namespace: shop, workload: shop-frontend }
    to: { namespace: shop, workload: shop-backend }
    port: tcp/8080
    allowed: true
  - from: { namespace: shop, workload: shop-frontend }
    to: { namespace: shop, workload: shop-database }
    port: tcp/5432
    allowed: false
`;

/** A bare NetworkPolicy whose namespaceSelector uses `name:`, a label Kubernetes never sets. */
const NAME_LABEL_POLICY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-from-web', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'web' } } }] }],
  },
};

let dir: string;
let cwd: string;

beforeEach(() => {
  cwd = process.cwd();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-plugin-'));
  process.chdir(dir);
});

afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Synthesize a shop (ThreeTierApp on Calico) plus `extra` raw objects into dist/, as `cdk8s synth` does. */
function synthApp(extra: any[] = []): ValidationContext {
  const app = new App({ outdir: path.join(dir, 'dist'), recordConstructMetadata: true });
  const chart = new Chart(app, 'platform');
  new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
  new ThreeTierApp(chart, 'shop', {
    namespace: 'shop',
    host: 'shop.example.com',
    frontend: { image: 'ghcr.io/acme/web:1.0.0' },
    backend: { image: 'ghcr.io/acme/api:1.0.0' },
    database: { image: 'postgres:16.4' },
  });
  extra.forEach((obj, i) => new ApiObject(chart, `extra-${i}`, obj));
  app.synth();
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'construct-metadata.json'), 'utf8'));
  const manifests = fs.readdirSync(path.join(dir, 'dist')).filter((f) => f.endsWith('.yaml')).map((f) => path.join(dir, 'dist', f));
  return new ValidationContext(manifests, 'cdk8s-networking', '0.1.0', meta.resources, false);
}

/** Run the plugin and return cdk8s-cli's JSON report. */
async function validate(properties: any, context: ValidationContext) {
  const plugin: Validation = new NetworkingValidation(properties);
  await plugin.validate(context);
  return context.report.toJson();
}

describe('a clean app passes', () => {
  test('lint only: success, no violations, the summary names the CNI and counts', async () => {
    const report = await validate({ cni: 'calico' }, synthApp());
    expect(report.summary.status).toBe('success');
    expect(report.violations).toEqual([]);
    expect(report.summary.metadata).toEqual(expect.objectContaining({ CNI: 'calico', Lint: expect.stringMatching(/^0 error\(s\), 0 warning\(s\)/) }));
    expect(Number(report.summary.metadata!.Objects)).toBeGreaterThan(10);
  });

  test('with expectations that hold: success, and the summary says how many passed', async () => {
    fs.writeFileSync('expectations.yaml', FRONTEND_TO_DB_DENIED);
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml' }, synthApp());
    expect(report.summary.status).toBe('success');
    expect(report.violations).toEqual([]);
    expect(report.summary.metadata!.Expectations).toBe('2 of 2 passed (expectations.yaml)');
  });
});

describe('failures fail the synth with the finding, the object and the fix', () => {
  test('a lint error: rule, message, fix, object path and construct path', async () => {
    const report = await validate({ cni: 'calico' }, synthApp([NAME_LABEL_POLICY]));
    expect(report.summary.status).toBe('failure');
    const violation = report.violations.find((v) => v.ruleName === 'namespace-selector-name-label (error)');
    expect(violation).toBeDefined();
    expect(violation!.recommendation).toMatch(/selects namespaces by the label 'name' = 'web', which Kubernetes never sets/);
    expect(violation!.fix).toMatch(/kubernetes\.io\/metadata\.name/);
    expect(violation!.violatingConstructs).toEqual([{
      resourceName: 'allow-from-web',
      constructPath: 'platform/extra-0',
      manifestPath: path.join('dist', 'platform.k8s.yaml'),
      locations: [expect.stringMatching(/^NetworkPolicy shop\/allow-from-web, spec\.ingress\[0\]\.from\[0\]\.namespaceSelector\.matchLabels\.name, line \d+$/)],
    }]);
  });

  test('a manifest that is not a regular file fails the synth, named by its whole path (even one holding ": ")', async () => {
    const context = synthApp();
    const fifo = path.join(dir, 'dist', 'odd: name.k8s.yaml');
    execFileSync('mkfifo', [fifo]);
    const report = await validate({ cni: 'calico' }, new ValidationContext([...context.manifests, fifo], 'cdk8s-networking', '0.1.0', {}, false));
    expect(report.summary.status).toBe('failure');
    const unreadable = report.violations.filter((v) => v.ruleName === 'manifest-unreadable');
    expect(unreadable).toHaveLength(1);
    const shown = path.join('dist', 'odd: name.k8s.yaml');
    expect(unreadable[0].violatingConstructs).toEqual([
      expect.objectContaining({ resourceName: shown, manifestPath: shown, locations: [expect.stringMatching(/^dist\/odd: name\.k8s\.yaml: /)] }),
    ]);
  });

  test('a document that cannot be parsed or a manifest that is missing fails the synth: it would go unchecked', async () => {
    const context = synthApp();
    const broken = path.join(dir, 'dist', 'broken.k8s.yaml');
    // A default deny the analysis cannot read: without it, it would report the flows it denies as allowed.
    fs.writeFileSync(broken, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny, namespace: [shop }\n'
      + '---\nspec: { podSelector: {} }\n');
    const missing = path.join(dir, 'dist', 'gone.k8s.yaml');
    const report = await validate({ cni: 'calico' }, new ValidationContext([...context.manifests, broken, missing], 'cdk8s-networking', '0.1.0', {}, false));
    expect(report.summary.status).toBe('failure');
    const unreadable = report.violations.filter((v) => v.ruleName === 'manifest-unreadable');
    const shown = path.join('dist', 'broken.k8s.yaml');
    const gone = path.join('dist', 'gone.k8s.yaml');
    expect(unreadable.map((v) => v.violatingConstructs.map((c) => [c.resourceName, c.manifestPath]))).toEqual([
      [[gone, gone]], [[shown, shown]], [[shown, shown]],
    ]);
    expect(unreadable.map((v) => v.recommendation)).toEqual([
      `cannot read ${gone}: no such file, so it is neither linted nor analyzed`,
      expect.stringMatching(new RegExp(`^cannot read ${shown.replace(/\./g, '\\.')}: line 3: invalid YAML, document skipped: .+, so it is neither linted nor analyzed$`)),
      `cannot read ${shown}: line 5: not a Kubernetes object (no kind), document skipped, so it is neither linted nor analyzed`,
    ]);
  });

  test('a failed expectation: the question, the explanation and what to change', async () => {
    fs.writeFileSync('expectations.yaml', FRONTEND_TO_DB_DENIED.replace('allowed: false', 'allowed: true'));
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml' }, synthApp());
    expect(report.summary.status).toBe('failure');
    expect(report.summary.metadata!.Expectations).toBe('1 of 2 passed (expectations.yaml)');
    expect(report.violations).toHaveLength(1);
    const v = report.violations[0];
    expect(v.ruleName).toBe('reachability-expectation');
    expect(v.recommendation).toMatch(/^expected workload shop\/shop-frontend -> workload shop\/shop-database on TCP\/5432 to be allowed \(0 of \d+ pod pairs allowed\): /);
    expect(v.fix).toBe('Change the policies so that the flow is allowed, or correct expect[1] in expectations.yaml if the intent changed.');
    expect(v.violatingConstructs[0].locations).toEqual(['expect[1]: workload shop/shop-frontend -> workload shop/shop-database on TCP/5432']);
  });

  test('probes and namespace sets: a new pod in any namespace cannot reach the database', async () => {
    fs.writeFileSync('expectations.yaml', `probes:
  - { name: probe, namespaces: all }
expect:
  - from: { namespaces: all, workload: probe }
    to: { namespace: shop, workload: shop-database }
    port: tcp/5432
    allowed: false
`);
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml' }, synthApp());
    expect(report.violations).toEqual([]);
    expect(report.summary.status).toBe('success');
    expect(report.summary.metadata!.Expectations).toBe('1 of 1 passed (expectations.yaml)');
  });

  test('an expectation the manifests cannot decide fails the synth and says so', async () => {
    // Every pod of shop also admits 10.0.0.0/8 on 5432: whether a pod outside shop is in that block depends on
    // pod IPs the manifests do not state.
    const dbFromBlock = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'db-from-block', namespace: 'shop' },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
      },
    };
    fs.writeFileSync('expectations.yaml', `probes:
  - { name: probe, namespace: outside }
expect:
  - from: { namespace: outside, workload: probe }
    to: { namespace: shop, workload: shop-database }
    port: tcp/5432
    allowed: false
`);
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml' }, synthApp([dbFromBlock]));
    expect(report.summary.status).toBe('failure');
    expect(report.violations.map((v) => v.ruleName)).toEqual(['reachability-expectation']);
    expect(report.violations[0].recommendation).toMatch(
      /^expected workload outside\/probe -> workload shop\/shop-database on TCP\/5432 to be denied, but the manifests do not decide it \(indeterminate\): /);
    expect(report.violations[0].fix).toBe('Make the policies decide the flow (the explanation says what the manifests leave open), '
      + 'or correct expect[0] in expectations.yaml.');
  });

  test('an unreadable expectations file fails the synth and names the file', async () => {
    const report = await validate({ cni: 'calico', expectations: 'missing.yaml' }, synthApp());
    expect(report.summary.status).toBe('failure');
    expect(report.violations.map((v) => v.ruleName)).toEqual(['expectations-file']);
    expect(report.violations[0].recommendation).toMatch(/^cannot read expectations file missing\.yaml/);
  });

  test('a name several objects share keeps its Kind namespace/name label, never another object\'s construct path', async () => {
    const dnsUdpOnly = (ns: string) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'dns', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] },
    });
    const report = await validate({ cni: 'calico' }, synthApp([dnsUdpOnly('shop'), { ...dnsUdpOnly('shop'), metadata: { name: 'dns', namespace: 'other' } }]));
    const resources = report.violations.filter((v) => v.ruleName === 'dns-udp-only (error)').map((v) => v.violatingConstructs[0]);
    expect(resources.map((r) => [r.resourceName, r.constructPath]).sort()).toEqual([
      ['NetworkPolicy other/dns', undefined],
      ['NetworkPolicy shop/dns', undefined],
    ]);
  });
});

describe('warnings', () => {
  const namespaceWithoutDefaultDeny = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } };

  test('are listed without failing by default', async () => {
    const report = await validate({ cni: 'calico' }, synthApp([namespaceWithoutDefaultDeny]));
    expect(report.summary.status).toBe('success');
    expect(report.violations.map((v) => [v.ruleName, v.violatingConstructs[0].resourceName])).toEqual([
      ['namespace-without-default-deny (warning)', 'legacy'],
    ]);
  });

  test('fail the synth with failOn: warning', async () => {
    const report = await validate({ cni: 'calico', failOn: 'warning' }, synthApp([namespaceWithoutDefaultDeny]));
    expect(report.summary.status).toBe('failure');
  });
});

describe('bad properties stop the synth before validating, naming the property', () => {
  test.each([
    [{}, 'properties.cni: required: one of kubernetes, calico, cilium, flannel'],
    [{ cni: 'weave' }, "properties.cni: unknown CNI 'weave': expected kubernetes, calico, cilium, flannel"],
    [{ cni: 'calico', expectation: 'e.yaml' }, 'properties.expectation: unknown property (expected cni, expectations, failOn, mesh, linkerdDefaultInboundPolicy, '
      + 'linkerdClusterNetworks, linkerdProbeNetworks, linkerdOpaquePorts, linkerdTrustDomain, linkerdNamespace, istioTrustDomain, istioRootNamespace, '
      + 'istioHostProbeSnatIp, istioHostProbeSnatIpv6)'],
    [{ cni: 'calico', expectations: 42 }, 'properties.expectations: expected the path of an expectations file'],
    [{ cni: 'calico', failOn: 'info' }, 'properties.failOn: expected error or warning, got "info"'],
    [[], 'properties: expected a mapping'],
    [null, 'properties: expected a mapping'],
  ])('%j', (properties, message) => {
    let error: unknown;
    try {
      new NetworkingValidation(properties as any);
    } catch (e) {
      error = e;
    }
    // Bad input, told apart from a bug of the plugin.
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe(`[cdk8s-networking validation plugin] ${message}`);
  });

  test('the CNI name is case-insensitive', () => {
    expect(() => new NetworkingValidation({ cni: 'Cilium' })).not.toThrow();
  });

  test('the mesh name is case-insensitive too (as the CNI name); an unknown one is named as given', () => {
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'Linkerd', linkerdDefaultInboundPolicy: 'deny' })).not.toThrow();
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'ISTIO-Ambient', istioHostProbeSnatIp: '169.254.7.127' })).not.toThrow();
    expect(() => new NetworkingValidation({ cni: 'Calico', mesh: 'None' })).not.toThrow();
    // Istio options need an Istio mesh: `Istio` is one.
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'Istio', istioTrustDomain: 'example.org' })).not.toThrow();
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'Consul' }))
      .toThrow("[cdk8s-networking validation plugin] properties.mesh: unknown mesh 'Consul': expected istio, istio-ambient, linkerd or none");
  });
});

describe('mesh: the lint and the expectations judge with the cluster\'s mesh, as `--mesh` and its flags', () => {
  // A Linkerd-meshed namespace whose annotated default policy refuses every client (the admin port included).
  const meshedNamespace = (annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'meshed', annotations } });
  const api = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'meshed' },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'example/api:1', ports: [{ containerPort: 8080 }] }] } },
    },
  };
  const INJECT = { 'linkerd.io/inject': 'enabled' };
  const DENY = { ...INJECT, 'config.linkerd.io/default-inbound-policy': 'deny' };
  const PROBE_TO_API = `probes:
  - { name: probe, namespace: outside }
expect:
  - from: { namespace: outside, workload: probe }
    to: { namespace: meshed, workload: api }
    port: tcp/8080
    allowed: true
`;
  const rules = (report: any) => report.violations.map((v: any) => `${v.ruleName} ${v.violatingConstructs[0].resourceName}`);
  const extras = (annotations: Record<string, string>) => {
    const objects = [meshedNamespace(annotations), api];
    expectValidManifests(objects);
    return objects;
  };

  test('without mesh, as before: the Linkerd rule reads the annotated policy, the expectations have no mesh layer', async () => {
    fs.writeFileSync('expectations.yaml', PROBE_TO_API);
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml' }, synthApp(extras(DENY)));
    // Sorted by JSON path: the admin-port finding points at the namespace's annotation.
    expect(rules(report)).toEqual(['namespace-without-default-deny (warning) meshed', 'linkerd-admin-port-unauthorized (warning) meshed']);
    expect(report.summary.status).toBe('success');
    expect(report.summary.metadata!.Mesh).toBeUndefined();
    expect(report.summary.metadata!.Expectations).toBe('1 of 1 passed (expectations.yaml)');
  });

  test('mesh: linkerd: the expectations are checked with the Linkerd layer, which refuses the unmeshed probe', async () => {
    fs.writeFileSync('expectations.yaml', PROBE_TO_API);
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml', mesh: 'linkerd' }, synthApp(extras(DENY)));
    expect(report.summary.status).toBe('failure');
    expect(report.summary.metadata!.Mesh).toBe('linkerd');
    expect(report.summary.metadata!.Expectations).toBe('0 of 1 passed (expectations.yaml)');
    expect(rules(report)).toEqual([
      'namespace-without-default-deny (warning) meshed', 'linkerd-admin-port-unauthorized (warning) meshed', 'reachability-expectation expectations.yaml',
    ]);
    const recommendation = report.violations[2].recommendation.split('\n');
    expect(recommendation[0]).toBe('expected workload outside/probe -> workload meshed/api on TCP/8080 to be allowed (0 of 1 pod pairs allowed): '
      + 'DENIED: workload outside/probe -> workload meshed/api on TCP/8080 (CNI: calico; mesh: Linkerd)');
    expect(recommendation[1]).toBe('outside/probe -> meshed/api TCP/8080: denied (CNI: allowed; mesh: denied)');
  });

  test('linkerdDefaultInboundPolicy reaches the lint and the expectations: the cluster default deny, no annotation', async () => {
    fs.writeFileSync('expectations.yaml', PROBE_TO_API);
    const report = await validate({ cni: 'calico', expectations: 'expectations.yaml', mesh: 'linkerd', linkerdDefaultInboundPolicy: 'deny' },
      synthApp(extras(INJECT)));
    expect(rules(report)).toEqual([
      'linkerd-admin-port-unauthorized (warning) meshed', 'namespace-without-default-deny (warning) meshed', 'reachability-expectation expectations.yaml',
    ]);
    expect(report.violations[0].recommendation).toMatch(/^the default inbound policy deny \(the cluster default proxy\.defaultInboundPolicy\) refuses every client/);
    // Without it the same manifests pass: Linkerd's install default admits everyone.
    const allowed = await validate({ cni: 'calico', expectations: 'expectations.yaml', mesh: 'linkerd' }, synthApp(extras(INJECT)));
    expect(rules(allowed)).toEqual(['namespace-without-default-deny (warning) meshed']);
    expect(allowed.summary.metadata!.Expectations).toBe('1 of 1 passed (expectations.yaml)');
  });

  test('mesh: none or another mesh: the Linkerd rules do not apply, and no mesh layer refuses the flow', async () => {
    fs.writeFileSync('expectations.yaml', PROBE_TO_API);
    for (const mesh of ['none', 'istio', 'istio-ambient']) {
      const report = await validate({ cni: 'calico', expectations: 'expectations.yaml', mesh }, synthApp(extras(DENY)));
      expect([mesh, rules(report)]).toEqual([mesh, ['namespace-without-default-deny (warning) meshed']]);
      expect(report.summary.metadata!.Expectations).toBe('1 of 1 passed (expectations.yaml)');
    }
  });

  test('istioTrustDomain reaches the lint: the refusal under the declared trust domain is reported; not declared, hedged over', async () => {
    // The CLI's fixture (ztunnel takes an ALLOW rule's cluster.local principal literally), in namespace store.
    const text = fs.readFileSync(path.join(__dirname, '..', 'cli', 'fixtures', 'trust-domain-istio', 'shop.yaml'), 'utf-8').replace(/\bshop\b/g, 'store');
    const objects = parseAllDocuments(text).map((d) => d.toJS());
    expectValidManifests(objects);
    const refusals = (report: any) => rules(report).filter((r: string) => r.includes('refuses'));
    const declared = await validate({ cni: 'calico', mesh: 'istio-ambient', istioTrustDomain: 'example.org' }, synthApp(objects));
    expect(refusals(declared)).toEqual(['istio-authz-refuses-admitted-source (warning) api-from-reporter']);
    expect(declared.violations.find((v: any) => v.ruleName.startsWith('istio-authz-refuses'))?.recommendation)
      .toMatch(/no rule matches reports\/reporter -> store\/api TCP\/8080 \(over mutual TLS as example\.org\/ns\/reports\/sa\/reporter\)\)/);
    expect(refusals(await validate({ cni: 'calico', mesh: 'istio-ambient' }, synthApp(objects)))).toEqual([]);
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'istio', istioTrustDomain: 'example.org', istioRootNamespace: 'mesh-root' })).not.toThrow();
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'linkerd', linkerdTrustDomain: 'example.org', linkerdNamespace: 'linkerd-prod' })).not.toThrow();
  });

  test('the Linkerd lists take a YAML list or the CLI\'s comma-separated text, and a port number', () => {
    expect(() => new NetworkingValidation({
      cni: 'calico',
      mesh: 'linkerd',
      linkerdClusterNetworks: ['10.0.0.0/8', 'fd00::/8'],
      linkerdProbeNetworks: [],
      linkerdOpaquePorts: 3306 as any,
    } as any)).not.toThrow();
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'linkerd', linkerdClusterNetworks: '10.0.0.0/8,fd00::/8', linkerdProbeNetworks: '' }))
      .not.toThrow();
    expect(() => new NetworkingValidation({ cni: 'calico', mesh: 'istio-ambient', istioHostProbeSnatIp: '169.254.7.127' })).not.toThrow();
  });

  test.each([
    [{ mesh: 'consul' }, "properties.mesh: unknown mesh 'consul': expected istio, istio-ambient, linkerd or none"],
    [{ mesh: 42 }, 'properties.mesh: expected istio, istio-ambient, linkerd or none, got 42'],
    [{ mesh: null }, 'properties.mesh: expected istio, istio-ambient, linkerd or none, got null'],
    [{ mesh: '' }, 'properties.mesh: expected a value, got an empty string'],
    [{ linkerdDefaultInboundPolicy: 'deny' }, 'properties.linkerdDefaultInboundPolicy: describes a Linkerd installation: set mesh: linkerd'],
    [{ mesh: 'none', linkerdOpaquePorts: '25' }, 'properties.linkerdOpaquePorts: describes a Linkerd installation: set mesh: linkerd'],
    [{ mesh: 'istio', istioHostProbeSnatIp: '169.254.7.127' },
      'properties.istioHostProbeSnatIp: describes istio-cni in ambient mode (its host probe SNAT address): set mesh: istio-ambient'],
    [{ istioTrustDomain: 'example.org' }, 'properties.istioTrustDomain: describes an Istio installation: set mesh: istio (or istio-ambient)'],
    [{ mesh: 'linkerd', istioRootNamespace: 'mesh-root' }, 'properties.istioRootNamespace: describes an Istio installation: set mesh: istio (or istio-ambient)'],
    [{ mesh: 'istio', linkerdTrustDomain: 'example.org' }, 'properties.linkerdTrustDomain: describes a Linkerd installation: set mesh: linkerd'],
    [{ mesh: 'istio', istioTrustDomain: 'Example_org' }, "properties.istioTrustDomain: 'Example_org' is not a valid DNS-1123 subdomain (lower-case "
      + "alphanumerics, '-' and '.', at most 253 characters)"],
    [{ mesh: 'linkerd', linkerdNamespace: 'Linkerd' }, "properties.linkerdNamespace: 'Linkerd' is not a valid DNS-1123 label (lower-case alphanumerics "
      + "and '-', starting and ending alphanumeric, at most 63 characters)"],
    [{ mesh: 'linkerd', linkerdNamespace: 7 }, 'properties.linkerdNamespace: expected a string, got 7'],
    [{ mesh: 'linkerd', linkerdDefaultInboundPolicy: 'nope' },
      "properties.linkerdDefaultInboundPolicy: unknown policy 'nope': expected all-unauthenticated, all-authenticated, cluster-authenticated, "
      + 'cluster-unauthenticated, deny, audit'],
    [{ mesh: 'linkerd', linkerdClusterNetworks: [] }, 'properties.linkerdClusterNetworks: expected CIDRs, e.g. 10.244.0.0/16'],
    [{ mesh: 'linkerd', linkerdClusterNetworks: ['10.0.0.0/8', 7] }, 'properties.linkerdClusterNetworks[1]: expected a CIDR (e.g. 10.0.0.0/8), got 7'],
    [{ mesh: 'linkerd', linkerdClusterNetworks: { cidr: '10.0.0.0/8' } },
      'properties.linkerdClusterNetworks: expected a list of CIDRs or a comma-separated string of CIDRs, got {"cidr":"10.0.0.0/8"}'],
    [{ mesh: 'linkerd', linkerdProbeNetworks: 'ten' }, expect.stringMatching(/^properties\.linkerdProbeNetworks: 'ten' is not a CIDR: /)],
    [{ mesh: 'linkerd', linkerdOpaquePorts: '70000' },
      expect.stringMatching(/^properties\.linkerdOpaquePorts: '70000' is not a Linkerd port list \(comma-separated ports and ranges a-b/)],
    [{ mesh: 'linkerd', linkerdOpaquePorts: true }, "properties.linkerdOpaquePorts: expected a Linkerd port list such as '25,3306,4000-4100', got true"],
    [{ mesh: 'istio-ambient', istioHostProbeSnatIp: '169.254.7.127/32' }, expect.stringMatching(/^properties\.istioHostProbeSnatIp: '169\.254\.7\.127\/32' is a CIDR: /)],
  ])('%j', (mesh, message) => {
    let error: unknown;
    try {
      new NetworkingValidation({ cni: 'calico', ...mesh } as any);
    } catch (e) {
      error = e;
    }
    expect(Errors.isValidationError(error)).toBe(true);
    expect((error as Error).message).toEqual(typeof message === 'string' ? `[cdk8s-networking validation plugin] ${message}`
      : expect.stringMatching(new RegExp(`^\\[cdk8s-networking validation plugin\\] ${(message as any).sample.source.slice(1)}`)));
  });
});
