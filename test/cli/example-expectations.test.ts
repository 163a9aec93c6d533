/**
 * The GitOps check each example documents: synthesize it as `npm run synth` does (files in a
 * directory, one per chart), then `analyze <dir> --cni <cni> --lint --expect examples/<example>/expectations.yaml`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { EXAMPLE_CNIS } from '../../examples/cni';
import { EXAMPLES } from '../../examples/synth-all';
import { run } from '../../src/cli/run';
import { validYaml } from '../support/synth';

const ROOT = path.join(__dirname, '..', '..');
const expectationsOf = (example: string) => path.join(ROOT, 'examples', example, 'expectations.yaml');

/** Synthesize `example` for `cniName` into a fresh directory, every file schema-valid. */
function synthTo(example: string, cniName: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-networking-${example}-`));
  const app = new App({ outdir: dir });
  EXAMPLES[example](app, EXAMPLE_CNIS[cniName]());
  app.synth();
  const written = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  expect(written).not.toEqual([]);
  for (const file of written) validYaml(fs.readFileSync(path.join(dir, file), 'utf8'));
  return dir;
}

function analyze(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = run(['analyze', ...args], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr };
}

/** The examples that commit an expectations.yaml (the mesh examples have none). */
const checked = Object.keys(EXAMPLES).filter((example) => fs.existsSync(expectationsOf(example)));
const cases = checked.flatMap((example) => Object.keys(EXAMPLE_CNIS).map((cni) => [example, cni]));

test('the network examples commit their expectations', () => {
  expect(checked).toEqual(expect.arrayContaining(['secure-multi-tier', 'tenant-platform']));
});

describe.each(cases)('%s on %s: lint clean and every expectation passes', (example, cniName) => {
  test('on the synthesized manifests', () => {
    const dir = synthTo(example, cniName);
    try {
      const r = analyze(dir, '--cni', cniName, '--lint', '--expect', expectationsOf(example));
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const entries = parse(fs.readFileSync(expectationsOf(example), 'utf8')).expect.length;
      expect(r.stdout.match(/^PASS /gm)).toHaveLength(entries);
      expect(r.stdout).toMatch(new RegExp(`^expectations: ${entries} passed, 0 failed$`, 'm'));
      expect(r.stdout).toMatch(/^lint: no findings$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tenant-platform expectations need no workloads', () => {
  test.each(Object.keys(EXAMPLE_CNIS))('%s: the same verdicts on the namespaces and policies alone', (cniName) => {
    const dir = synthTo('tenant-platform', cniName);
    try {
      const full = analyze(dir, '--cni', cniName, '--format', 'json', '--expect', expectationsOf('tenant-platform'));
      for (const file of fs.readdirSync(dir)) {
        const docs = parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJS());
        fs.writeFileSync(path.join(dir, file), docs.filter((o) => o.kind !== 'Deployment').map((o) => stringify(o)).join('---\n'));
      }
      const bare = analyze(dir, '--cni', cniName, '--format', 'json', '--expect', expectationsOf('tenant-platform'));
      expect(bare.code).toBe(0);
      const doc = JSON.parse(bare.stdout);
      expect(doc.endpoints.some((e: string) => e.endsWith('/web'))).toBe(false);
      expect(doc.expectations).toEqual(JSON.parse(full.stdout).expectations);
      expect(doc.expectations.every((e: any) => e.pass)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('they fail where isolation is missing: Flannel enforces no policy', () => {
    const dir = synthTo('tenant-platform', 'kubernetes');
    try {
      const r = analyze(dir, '--cni', 'flannel', '--expect', expectationsOf('tenant-platform'));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^FAIL workload probe in every namespace with label tenant -> workload probe in every namespace with label tenant, pairs across tenant on TCP\/8080, TCP\/5432: expected denied, got allowed$/m);
      expect(r.stdout).toMatch(/^ {2}20 of 20 checks failed:$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README shows the tenant-platform expectations as they are', () => {
  test('every probe and entry of the README excerpt is in examples/tenant-platform/expectations.yaml', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('**Expectations**'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section);
    expect(block).not.toBeNull();
    const excerpt = parse(block![1]);
    const file = parse(fs.readFileSync(expectationsOf('tenant-platform'), 'utf8'));
    expect(excerpt.probes.length).toBeGreaterThan(0);
    expect(excerpt.expect.length).toBeGreaterThan(0);
    for (const probe of excerpt.probes) expect(file.probes).toContainEqual(probe);
    for (const entry of excerpt.expect) expect(file.expect).toContainEqual(entry);
  });
});

describe("the README's pull-request check on tenant-platform: --probes and --fail-on-open 'outside -> [tenant]'", () => {
  /** A tenant's own NetworkPolicy admitting every source into namespace acme, on every port. */
  const OPEN_ACME = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: allow-all-ingress, namespace: acme }\n'
    + 'spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{}]\n';

  test.each(['kubernetes', 'calico'])('%s: the non-tenant sources whose egress is open reach into acme; other tenants still do not', (cniName) => {
    const base = synthTo('tenant-platform', cniName);
    const head = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-tenant-platform-head-'));
    try {
      fs.cpSync(base, head, { recursive: true });
      fs.writeFileSync(path.join(head, 'open-acme.yaml'), OPEN_ACME);
      validYaml(OPEN_ACME);
      const r = analyze('--diff', base, head, '--cni', cniName, '--probes', expectationsOf('tenant-platform'),
        '--fail-on-open', 'outside -> [tenant]', '--fail-on-open', '[tenant,tenant!=acme] -> [tenant=acme]');
      expect(r.code).toBe(1);
      // 6 pod flows, and every external region into acme's 4 pod ports (8 regions: the internet, the
      // private ranges and single addresses the platform's policies name; the metadata address is a
      // destination only): an `ingress: [{}]` admits every address.
      expect(r.stdout.split('\n')[0]).toBe('38 flows opened, 0 closed, 0 uncertain');
      const internet = 'external 0.0.0.0/0 except 10.0.0.0/8, 169.254.20.10/32, 169.254.169.254/32, 169.254.170.2/32, 169.254.170.23/32, '
        + '172.16.0.0/12, 192.168.0.0/16';
      // The ingress controller already reached acme's app=web pods; CoreDNS and the controller reach the rest now.
      const failed = r.stdout.slice(r.stdout.indexOf('FAIL --fail-on-open')).split('\n');
      expect(failed.slice(0, 11)).toEqual([
        "FAIL --fail-on-open 'outside -> [tenant]': 38 flows",
        '  opened: ingress-nginx/controller -> acme/probe TCP/5432',
        '  opened: ingress-nginx/controller -> acme/probe TCP/8080',
        '  opened: kube-system/coredns -> acme/probe TCP/5432',
        '  opened: kube-system/coredns -> acme/probe TCP/8080',
        '  opened: kube-system/coredns -> acme/web TCP/8080',
        '  opened: kube-system/coredns -> acme/web-probe TCP/8080',
        // `outside` includes the external endpoints: the internet now reaches into the tenant.
        `  opened: ${internet} -> acme/probe TCP/5432`,
        `  opened: ${internet} -> acme/probe TCP/8080`,
        `  opened: ${internet} -> acme/web TCP/8080`,
        `  opened: ${internet} -> acme/web-probe TCP/8080`,
      ]);
      expect(failed.slice(-3)).toEqual([
        '  ... and 18 more',
        // The other tenants' egress stays within their tenant.
        "PASS --fail-on-open '[tenant,tenant!=acme] -> [tenant=acme]': no flow opened",
        '',
      ]);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
      fs.rmSync(head, { recursive: true, force: true });
    }
  });
});
