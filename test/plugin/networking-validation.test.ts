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
import { ClusterNetwork, Cni, Errors, ThreeTierApp } from '../../src';
import { NetworkingValidation } from '../../src/plugin';

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
    [{ cni: 'calico', expectation: 'e.yaml' }, 'properties.expectation: unknown property (expected cni, expectations, failOn)'],
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
});
