/**
 * Reachability.diff beyond pods: each pod's egress to and ingress from external endpoints, one per
 * region of the address space the CIDRs of either side's policies carve out (named by the region),
 * plus the cloud metadata address as a destination.
 */
import { Chart } from 'cdk8s';
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { FlowChange } from '../../src/analysis/reachability-diff';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { TenantIsolation } from '../../src/patterns/tenant-isolation';
import { ZeroTrustNamespace } from '../../src/patterns/zero-trust-namespace';
import { Peer } from '../../src/policy/peer';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';
import { ENFORCING_CNIS, chartFor, synthValid } from '../support/synth';

const withPort = (p: number) => ({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: p }] }] });
const POD_CIDRS = ['10.244.0.0/16'];
const METADATA = 'external 169.254.169.254/32';

/** A tenant `acme` (TenantIsolation) with one web Deployment on 8080. */
function tenantChart(cni: Cni, allowInternetEgress: boolean): Chart {
  const chart = chartFor(cni, { podCidrs: POD_CIDRS });
  new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowInternetEgress });
  return chart;
}
function tenantReach(cni: Cni, allowInternetEgress: boolean): Reachability {
  const objects = synthValid(tenantChart(cni, allowInternetEgress));
  return Reachability.fromManifests([...objects, deployment('acme', 'web', { app: 'web' }, withPort(8080))], { cni, podCidrs: POD_CIDRS });
}

describe('a pull request that adds allowInternetEgress to a tenant', () => {
  const cni = Cni.kubernetes();
  const diff = tenantReach(cni, false).diff(tenantReach(cni, true));
  // Peer.internet(): 0.0.0.0/0 except the metadata and ECS/EKS credential addresses and the private ranges.
  const internet = 'external 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32, 169.254.170.2/32, 169.254.170.23/32, 172.16.0.0/12, 192.168.0.0/16';

  test('exactly one flow opens: the tenant pod to the internet on TCP/443, by the new policy; nothing closes', () => {
    expect(diff.changes).toEqual([{
      source: 'acme/web',
      destination: internet,
      port: 'TCP/443',
      change: FlowChange.OPENED,
      before: Verdict.DENY,
      after: Verdict.ALLOW,
      // Every policy selecting the pod for egress isolates it; none admits the internet.
      decidedBefore: [
        'egress: NetworkPolicy acme/allow-dns (isolate)',
        'egress: NetworkPolicy acme/allow-same-tenant (isolate)',
        'egress: NetworkPolicy acme/default-deny-all (isolate)',
      ],
      decidedAfter: ['egress: NetworkPolicy acme/allow-internet-egress spec.egress[0] (allow)'],
    }]);
    expect(diff.groups.map((g) => [g.sourceNamespace, g.destinationNamespace])).toEqual([['acme', '(external)']]);
  });

  test('every region the policies carve out is an endpoint; the pod CIDR inside 10.0.0.0/8 is not external', () => {
    expect(diff.externalEndpoints).toEqual([
      internet,
      'external 10.0.0.0/8 except 10.244.0.0/16',
      METADATA,
      'external 169.254.170.2/32',
      'external 169.254.170.23/32',
      'external 172.16.0.0/12',
      'external 192.168.0.0/16',
    ]);
  });

  test('table, JSON and Markdown name the region and the rule', () => {
    expect(diff.toTable().split('\n').slice(0, 4).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['1 flow opened, 0 closed, 0 uncertain'],
      [''],
      ['acme -> (external)'],
      ['CHANGE', 'FROM', 'TO', 'PORT', 'BEFORE', 'AFTER', 'DECIDED BY'],
    ]);
    expect(diff.toTable().split('\n')[4].trim().split(/\s{2,}/)).toEqual(
      ['opened', 'acme/web', internet, 'TCP/443', 'denied', 'allowed', 'egress: NetworkPolicy acme/allow-internet-egress spec.egress[0] (allow)']);
    const json = JSON.parse(diff.toJson());
    expect(json.summary).toEqual({ opened: 1, closed: 0, uncertain: 0 });
    expect(json.groups[0].changes[0].destination).toBe(internet);
    expect(json.externalEndpoints).toEqual(diff.externalEndpoints);
    expect(diff.toMarkdown()).toContain('#### `acme` → `(external)`');
    expect(diff.toMarkdown()).toContain(`| opened | \`acme/web\` | \`${internet}\` | TCP/443 | denied | allowed | `
      + 'egress: NetworkPolicy acme/allow-internet-egress spec.egress[0] (allow) |');
  });

  test('removing it closes the same flow', () => {
    const reverse = tenantReach(cni, true).diff(tenantReach(cni, false));
    expect(reverse.changes.map((c) => [c.source, c.destination, c.port, c.change])).toEqual([['acme/web', internet, 'TCP/443', FlowChange.CLOSED]]);
  });

  test('without external endpoints (DiffOptions.externalEndpoints: false) the pod-only diff is empty', () => {
    const off = tenantReach(cni, false).diff(tenantReach(cni, true), { externalEndpoints: false });
    expect([off.changes, off.externalEndpoints]).toEqual([[], []]);
    expect(() => tenantReach(cni, false).diff(tenantReach(cni, true), { externalEndpoints: 'false' as any }))
      .toThrow("[Reachability.diff] options.externalEndpoints: must be true or false, got the string 'false'");
  });
});

describe('the metadata address is never opened by the library\'s own internet constructs', () => {
  test.each(ENFORCING_CNIS)('%s: TenantIsolation allowInternetEgress and a ZeroTrustNamespace policy to Peer.internet()', (_name, make) => {
    const cni = make();
    const base = tenantChart(cni, false);
    const head = tenantChart(cni, true);
    const zt = (chart: Chart, open: boolean) => {
      const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
      if (open) {
        ns.addPolicy('to-internet', { egress: [{ peers: [Peer.internet({ exceptPrivateRanges: false })], ports: [Port.tcp(443), Port.tcp(80)] }] });
      }
    };
    zt(base, false);
    zt(head, true);
    const pods = [deployment('acme', 'web', { app: 'web' }, withPort(8080)), deployment('shop', 'api', { app: 'api' }, withPort(9000))];
    const reach = (chart: Chart) => Reachability.fromManifests([...synthValid(chart), ...pods], { cni, podCidrs: POD_CIDRS });
    const diff = reach(base).diff(reach(head));
    const opened = diff.changes.filter((c) => c.change === FlowChange.OPENED);
    // The change opens the internet (so the check below can fail) ...
    expect(opened.some((c) => c.source === 'acme/web' && c.destination.startsWith('external 0.0.0.0/0 except ') && c.port === 'TCP/443')).toBe(true);
    expect(opened.some((c) => c.source === 'shop/api' && c.destination.startsWith('external 0.0.0.0/0 except ') && c.port === 'TCP/80')).toBe(true);
    // ... and never the metadata address, nor makes it uncertain.
    expect(diff.externalEndpoints).toContain(METADATA);
    expect(diff.changes.filter((c) => c.destination === METADATA)).toEqual([]);
  });
});

describe('a pull request that adds ingress from 0.0.0.0/0', () => {
  const cluster = [
    namespace('shop'), namespace('data'),
    deployment('shop', 'web', { app: 'web' }),
    deployment('data', 'db', { app: 'db' }, withPort(5432)),
  ];
  const dbIsolated = networkPolicy('db-ingress', 'data', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [] });
  const fromAnywhere = networkPolicy('db-ingress', 'data', {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
  });
  const cni = Cni.kubernetes();

  test('the internet and every pod (all inside 0.0.0.0/0) are opened into db on 5432; the metadata address is no source', () => {
    const base = Reachability.fromManifests([...cluster, dbIsolated], { cni, podCidrs: POD_CIDRS });
    const head = Reachability.fromManifests([...cluster, fromAnywhere], { cni, podCidrs: POD_CIDRS });
    const diff = base.diff(head);
    const rule = 'ingress: NetworkPolicy data/db-ingress spec.ingress[0] (allow)';
    expect(diff.externalEndpoints).toEqual(['external 0.0.0.0/0 except 10.244.0.0/16, 169.254.169.254/32', METADATA]);
    expect(diff.changes.map((c) => [c.source, c.destination, c.port, c.change, c.decidedAfter])).toEqual([
      ['data/db', 'data/db', 'TCP/5432', FlowChange.OPENED, [rule]],
      ['shop/web', 'data/db', 'TCP/5432', FlowChange.OPENED, [rule]],
      ['external 0.0.0.0/0 except 10.244.0.0/16, 169.254.169.254/32', 'data/db', 'TCP/5432', FlowChange.OPENED, [rule]],
    ]);
    expect(diff.groups.map((g) => `${g.sourceNamespace} -> ${g.destinationNamespace}`)).toEqual(['data -> data', 'shop -> data', '(external) -> data']);
  });

  test('with the pod IPs unknown, the pod flows are uncertain; the internet\'s is still opened', () => {
    const base = Reachability.fromManifests([...cluster, dbIsolated], { cni });
    const head = Reachability.fromManifests([...cluster, fromAnywhere], { cni });
    expect(base.diff(head).changes.map((c) => [c.source, c.change, c.after])).toEqual([
      ['data/db', FlowChange.UNCERTAIN, Verdict.INDETERMINATE],
      ['shop/web', FlowChange.UNCERTAIN, Verdict.INDETERMINATE],
      ['external 0.0.0.0/0 except 169.254.169.254/32', FlowChange.OPENED, Verdict.ALLOW],
    ]);
  });
});

describe('what the analyzer does not know stays indeterminate', () => {
  test('cilium: a PR adding toFQDNs egress makes the internet uncertain (the names may resolve to any address), never opened or denied', () => {
    const cni = Cni.cilium();
    const cluster = [namespace('shop'), deployment('shop', 'web', { app: 'web' })];
    const fqdn = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-egress', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'web' } },
        egress: [
          { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          // The DNS proxy rule toFQDNs needs to learn the names' addresses.
          {
            toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
        ],
      },
    };
    expectValidManifests([fqdn]);
    const diff = Reachability.fromManifests(cluster, { cni, podCidrs: POD_CIDRS })
      .diff(Reachability.fromManifests([...cluster, fqdn], { cni, podCidrs: POD_CIDRS }));
    const internet = diff.changes.filter((c) => c.destination === 'external 0.0.0.0/0 except 10.244.0.0/16, 169.254.169.254/32');
    expect(internet.map((c) => [c.source, c.port, c.change, c.before, c.after])).toEqual([
      // The policy's own port 53 (protocol ANY: TCP and UDP) is asked too: DNS to the internet is now denied (only kube-dns is allowed).
      ['shop/web', 'TCP/53', FlowChange.CLOSED, Verdict.ALLOW, Verdict.DENY],
      ['shop/web', 'TCP/443', FlowChange.UNCERTAIN, Verdict.ALLOW, Verdict.INDETERMINATE],
      ['shop/web', 'UDP/53', FlowChange.CLOSED, Verdict.ALLOW, Verdict.DENY],
    ]);
    expect(internet[1].decidedAfter.some((d) => d.includes('toFQDNs') && d.includes('indeterminate'))).toBe(true);
  });
});
