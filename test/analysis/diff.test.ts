/**
 * Reachability.diff: the flows a change of manifests opens and closes, with the objects and rules
 * deciding each one before and after, grouped by namespace pair, in table, JSON and Markdown.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { FlowChange } from '../../src/analysis/reachability-diff';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';

const withPort = (p: number) => ({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: p }] }] });
const cluster = [
  namespace('shop'), namespace('data'),
  deployment('shop', 'web', { app: 'web' }),
  deployment('shop', 'api', { app: 'api' }, withPort(8080)),
  deployment('data', 'db', { app: 'db' }, withPort(5432)),
];
const dbIsolated = networkPolicy('db-ingress', 'data', {
  podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [],
});
const dbFromApi = networkPolicy('db-ingress', 'data', {
  podSelector: { matchLabels: { app: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: 'api' } } }] }],
});
const apiFromWeb = networkPolicy('api-ingress', 'shop', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
});
const cni = Cni.kubernetes();

describe('a pull request that opens api -> db and closes everything else into api', () => {
  const base = Reachability.fromManifests([...cluster, dbIsolated], { cni });
  const head = Reachability.fromManifests([...cluster, dbFromApi, apiFromWeb], { cni });
  const diff = base.diff(head);

  test('opened and closed flows, grouped by namespace pair, with the deciding rules', () => {
    expect(diff.summary).toBe('1 flow opened, 3 closed, 0 uncertain');
    // Pod pairs first, then the external endpoints: api's new isolation also closes it to the internet.
    expect(diff.groups.map((g) => [g.sourceNamespace, g.destinationNamespace, g.changes.length])).toEqual([
      ['data', 'shop', 1], ['shop', 'data', 1], ['shop', 'shop', 1], ['(external)', 'shop', 1],
    ]);
    expect(diff.changes).toEqual([
      {
        source: 'data/db',
        destination: 'shop/api',
        port: 'TCP/8080',
        change: FlowChange.CLOSED,
        before: Verdict.ALLOW,
        after: Verdict.DENY,
        decidedBefore: ['no policy decides the flow (allowed by default)'],
        decidedAfter: ['ingress: NetworkPolicy shop/api-ingress (isolate)'],
      },
      {
        source: 'shop/api',
        destination: 'data/db',
        port: 'TCP/5432',
        change: FlowChange.OPENED,
        before: Verdict.DENY,
        after: Verdict.ALLOW,
        decidedBefore: ['ingress: NetworkPolicy data/db-ingress (isolate)'],
        decidedAfter: ['ingress: NetworkPolicy data/db-ingress spec.ingress[0] (allow)'],
      },
      {
        source: 'shop/api',
        destination: 'shop/api',
        port: 'TCP/8080',
        change: FlowChange.CLOSED,
        before: Verdict.ALLOW,
        after: Verdict.DENY,
        decidedBefore: ['no policy decides the flow (allowed by default)'],
        decidedAfter: ['ingress: NetworkPolicy shop/api-ingress (isolate)'],
      },
      {
        source: 'external 0.0.0.0/0 except 169.254.169.254/32',
        destination: 'shop/api',
        port: 'TCP/8080',
        change: FlowChange.CLOSED,
        before: Verdict.ALLOW,
        after: Verdict.DENY,
        decidedBefore: ['no policy decides the flow (allowed by default)'],
        decidedAfter: ['ingress: NetworkPolicy shop/api-ingress (isolate)'],
      },
    ]);
    expect(diff.externalEndpoints).toEqual(['external 0.0.0.0/0 except 169.254.169.254/32', 'external 169.254.169.254/32']);
    expect(diff.notes).toEqual([]);
    expect(diff.hasChanges).toBe(true);
  });

  test('table, JSON and Markdown', () => {
    expect(diff.toTable().split('\n').slice(0, 6)).toEqual([
      '1 flow opened, 3 closed, 0 uncertain',
      '',
      'data -> shop',
      '  CHANGE  FROM     TO        PORT      BEFORE   AFTER   DECIDED BY',
      '  closed  data/db  shop/api  TCP/8080  allowed  denied  ingress: NetworkPolicy shop/api-ingress (isolate)',
      '',
    ]);
    expect(JSON.parse(diff.toJson())).toEqual({
      summary: { opened: 1, closed: 3, uncertain: 0 }, groups: diff.groups, notes: [], externalEndpoints: diff.externalEndpoints,
    });
    const md = diff.toMarkdown();
    expect(md.startsWith('### Reachability changes\n\n**1 flow opened, 3 closed, 0 uncertain**\n')).toBe(true);
    expect(md).toContain('#### `shop` → `data`');
    expect(md).toContain('| opened | `shop/api` | `data/db` | TCP/5432 | denied | allowed | ingress: NetworkPolicy data/db-ingress spec.ingress[0] (allow) |');
  });

  test('the same manifests on both sides: no change', () => {
    expect(base.diff(Reachability.fromManifests([...cluster, dbIsolated], { cni })).changes).toEqual([]);
  });
});

describe('workloads that appear or disappear, and uncertain changes', () => {
  test('a new workload\'s allowed flows are opened; a removed workload\'s allowed flows are closed', () => {
    const base = Reachability.fromManifests([...cluster, dbIsolated], { cni });
    const head = Reachability.fromManifests([...cluster, dbIsolated, deployment('shop', 'worker', { app: 'worker' })], { cni });
    const opened = base.diff(head).changes.filter((c) => c.source === 'shop/worker' || c.destination === 'shop/worker');
    expect(opened.map((c) => `${c.source}>${c.destination} ${c.change} ${c.before ?? '-'}>${c.after}`)).toEqual([
      'shop/worker>shop/api opened ->allow',
      // No policy selects the worker: its egress to any address is allowed (TCP/443 is asked).
      'shop/worker>external 0.0.0.0/0 except 169.254.169.254/32 opened ->allow',
      'shop/worker>external 169.254.169.254/32 opened ->allow',
    ]);
    const closed = head.diff(base).changes;
    expect(closed.map((c) => `${c.source}>${c.destination} ${c.change} ${c.before}>${c.after ?? '-'}`)).toEqual([
      'shop/worker>shop/api closed allow>-',
      'shop/worker>external 0.0.0.0/0 except 169.254.169.254/32 closed allow>-',
      'shop/worker>external 169.254.169.254/32 closed allow>-',
    ]);
  });

  test('a change that makes a flow depend on an unknown pod IP is uncertain, with the reason', () => {
    const base = Reachability.fromManifests([...cluster], { cni, podCidrs: ['10.244.0.0/16'] });
    const egress = networkPolicy('web-egress', 'shop', {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/24' } }] }],
    });
    const head = Reachability.fromManifests([...cluster, egress], { cni, podCidrs: ['10.244.0.0/16'] });
    const changes = base.diff(head).changes;
    expect(changes.map((c) => [c.destination, c.change, c.after])).toEqual([
      ['data/db', FlowChange.UNCERTAIN, Verdict.INDETERMINATE],
      ['shop/api', FlowChange.UNCERTAIN, Verdict.INDETERMINATE],
      // The block is inside the pod CIDR, so it is no external endpoint; the rest of the address space is.
      ['external 0.0.0.0/0 except 10.244.0.0/16, 169.254.169.254/32', FlowChange.CLOSED, Verdict.DENY],
      ['external 169.254.169.254/32', FlowChange.CLOSED, Verdict.DENY],
    ]);
    expect(changes[0].decidedAfter).toEqual([
      'egress: NetworkPolicy shop/web-egress (isolate)',
      'egress: indeterminate: NetworkPolicy shop/web-egress spec.egress[0].to[0].ipBlock: ipBlock 10.244.0.0/24 may or may not contain the '
      + "destination's address: its IP is not in the manifests, only somewhere in the pod CIDR 10.244.0.0/16",
    ]);
  });

  test('extra ports are compared as in matrix()', () => {
    const base = Reachability.fromManifests([...cluster], { cni });
    const head = Reachability.fromManifests([...cluster, dbIsolated], { cni });
    const udp = base.diff(head, { ports: [Port.udp(53)], includeDeclaredPorts: false }).changes;
    expect(udp.map((c) => `${c.source}>${c.destination} ${c.port}`)).toEqual([
      'data/db>data/db UDP/53', 'shop/api>data/db UDP/53', 'shop/web>data/db UDP/53', 'external 0.0.0.0/0 except 169.254.169.254/32>data/db UDP/53',
    ]);
  });

  test('diff needs a Reachability', () => {
    expect(() => Reachability.fromManifests(cluster, { cni }).diff({} as any)).toThrow('[Reachability.diff] other: must be a Reachability (Reachability.fromChart(...), ...), got a plain object');
  });
});
