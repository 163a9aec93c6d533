/**
 * Shared machinery of the upstream truth-table suites: manifest builders, a small truth-table
 * language, and one runner per CNI semantics.
 *
 * A case is data: the manifests (namespaces, pods with the IPs their `status` states, policies) and
 * one or more truth tables over (from, to, port) -> 'allow' | 'deny' | 'indeterminate'. The expected
 * values come from the upstream source cited above each case, never from this project's analyzer.
 *
 * Truth tables follow the shape of the Kubernetes e2e `Reachability` model: start from a default for
 * every ordered pair of distinct pods of the case (loopback is left out, as upstream ignores it),
 * then apply peer rules in order. Rule syntax: `<from> > <to>: <verdict>` where an end is `*` (every
 * pod), `x/*` (every pod of namespace x), `x/a` (one pod), `ext:<ip>` (an address outside the
 * cluster) or `node:local` / `node:remote`; non-pod ends only ever name one explicit pair.
 * Verdicts: `allow`, `deny`, `indeterminate`; `allow +l7` = allowed with L7 constraints reported,
 * `allow ±l7` = allowed, with or without L7 constraints (where upstream does not pin it down).
 */
import { Reachability } from '../../../src/analysis/reachability';
import { ReachabilityResult } from '../../../src/analysis/reachability-result';
import { Target } from '../../../src/analysis/target';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { Protocol } from '../../../src/policy/protocol';
import { expectValidManifests } from '../../support/schema';

/** The three verdicts of the analyzer's contract. */
export type Verdict = 'allow' | 'deny' | 'indeterminate';

/** The CNI semantics a case is run under. */
export type CniName = 'kubernetes' | 'calico' | 'cilium';

/** Every CNI semantics, in runner order. */
export const ALL_CNIS: readonly CniName[] = ['kubernetes', 'calico', 'cilium'];

const CNI_FACTORIES: Record<CniName, () => Cni> = {
  kubernetes: () => Cni.kubernetes(),
  calico: () => Cni.calico(),
  cilium: () => Cni.cilium(),
};

/** One truth table: a port, a default for every pod pair (or `null`: only the listed pairs), rules. */
export interface TruthTable {
  readonly port: string;
  readonly base: Verdict | null;
  readonly rules: readonly string[];
}

/** An upstream case: manifests plus truth tables, for the CNIs whose semantics it describes. */
export interface UpstreamCase {
  /** The upstream test or example name. */
  readonly name: string;
  /** Every object of the case (namespaces, pods, policies). */
  readonly manifests: readonly any[];
  /** Expected reachability, the same for every CNI in `cnis` unless `overrides` says otherwise. */
  readonly tables: readonly TruthTable[];
  /** The CNI semantics the expectations hold for. */
  readonly cnis: readonly CniName[];
  /** Per CNI and port (`TCP/80`), rules appended to that port's table for that CNI only. */
  readonly overrides?: Partial<Record<CniName, Record<string, readonly string[]>>>;
}

/** A truth table for `port` (`TCP/80`, `UDP/81`, `SCTP/80`, `TCP/serve-80-tcp`). */
export function tt(port: string, base: Verdict | null, ...rules: string[]): TruthTable {
  return { port, base, rules };
}

// ---------------------------------------------------------------------------------------------
// Manifest builders (plain objects; every suite validates them against the pinned schemas)
// ---------------------------------------------------------------------------------------------

/** A Namespace; Kubernetes adds `kubernetes.io/metadata.name` itself. */
export function namespace(name: string, labels: Record<string, string> = {}): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(Object.keys(labels).length > 0 ? { labels } : {}) } };
}

/** Options of {@link pod}. */
export interface PodOptions {
  /** `status.podIP` (and `status.podIPs`). */
  readonly ip?: string;
  /** Container ports. */
  readonly ports?: readonly { name?: string; containerPort: number; protocol?: string }[];
  /** `spec.serviceAccountName`. */
  readonly serviceAccount?: string;
}

/** A bare Pod as the API server reports it once scheduled (with `status.podIP` when given). */
export function pod(ns: string, name: string, labels: Record<string, string>, options: PodOptions = {}): any {
  const container: any = { name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' };
  if (options.ports && options.ports.length > 0) container.ports = options.ports.map((p) => ({ ...p }));
  const spec: any = { containers: [container] };
  if (options.serviceAccount) spec.serviceAccountName = options.serviceAccount;
  const obj: any = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec };
  if (options.ip) obj.status = { podIP: options.ip, podIPs: [{ ip: options.ip }] };
  return obj;
}

/** A Service (`selector` absent: a Service without selector, backed by manually managed endpoints). */
export function service(ns: string, name: string, port: number, selector?: Record<string, string>): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { ...(selector ? { selector } : {}), ports: [{ port, protocol: 'TCP' }] },
  };
}

/** networking.k8s.io/v1 NetworkPolicy. */
export function networkPolicy(ns: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** projectcalico.org/v3 NetworkPolicy. */
export function calicoNetworkPolicy(ns: string, name: string, spec: any): any {
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** projectcalico.org/v3 GlobalNetworkPolicy. */
export function globalNetworkPolicy(name: string, spec: any): any {
  return { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec };
}

/** projectcalico.org/v3 GlobalNetworkSet. */
export function globalNetworkSet(name: string, labels: Record<string, string>, nets: string[]): any {
  return { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name, labels }, spec: { nets } };
}

/** projectcalico.org/v3 Tier. */
export function tier(name: string, order: number, defaultAction?: 'Deny' | 'Pass'): any {
  return { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { order, ...(defaultAction ? { defaultAction } : {}) } };
}

/** cilium.io/v2 CiliumNetworkPolicy with `spec` (an object) or `specs` (an array). */
export function ciliumNetworkPolicy(ns: string, name: string, body: { spec?: any; specs?: any[] }): any {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: ns }, ...body };
}

/** cilium.io/v2 CiliumClusterwideNetworkPolicy. */
export function ciliumClusterwideNetworkPolicy(name: string, spec: any): any {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

// ---------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------

/**
 * The verdict of a check. It reads the three-valued `verdict` of the result when the result has
 * one (a string such as 'allow' / 'ALLOWED', or an enum-like object whose `value`, `name` or
 * `toString()` says it), or an `indeterminate: true` flag; a result that only has the two booleans
 * maps `allowed` to 'allow' and `denied` to 'deny'. A result that is neither (some pod pairs
 * allowed, some denied) is reported as 'mixed', which no expectation uses: every check here names
 * exactly one pod pair.
 */
export function verdictOf(result: ReachabilityResult): Verdict | 'mixed' {
  const raw = (result as any).verdict;
  const text = typeof raw === 'string' ? raw
    : raw !== null && typeof raw === 'object'
      ? [raw.value, raw.name, String(raw)].find((s) => typeof s === 'string' && !s.startsWith('[object'))
      : undefined;
  if (raw !== undefined && raw !== null) {
    const v = String(text ?? '').toLowerCase();
    if (v.startsWith('allow')) return 'allow';
    if (v.startsWith('den')) return 'deny';
    if (v.startsWith('indeterminate') || v === 'unknown') return 'indeterminate';
    throw new Error(`unknown verdict '${text ?? raw}' in ${result.question}`);
  }
  if ((result as any).indeterminate === true) return 'indeterminate';
  if (result.allowed) return 'allow';
  if (result.denied) return 'deny';
  return 'mixed';
}

function parseTarget(text: string): Target {
  if (text.startsWith('ext:')) return Target.external(text.slice(4));
  if (text === 'node:local') return Target.localNode();
  if (text === 'node:remote') return Target.remoteNode();
  const [ns, name, extra] = text.split('/');
  if (!ns || !name || extra !== undefined) throw new Error(`bad endpoint '${text}' (want ns/name, ext:<ip> or node:local|remote)`);
  return Target.workload(ns, name);
}

const PROTOCOLS: Record<string, Protocol> = { TCP: Protocol.TCP, UDP: Protocol.UDP, SCTP: Protocol.SCTP };

/** `TCP/80` -> Port.tcp(80); `TCP/serve-80-tcp` -> the named port. */
export function parsePort(text: string): Port {
  const [proto, value] = text.split('/');
  const protocol = PROTOCOLS[proto];
  if (!protocol || !value) throw new Error(`bad port '${text}' (want TCP|UDP|SCTP/<number or name>)`);
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    return protocol === Protocol.TCP ? Port.tcp(n) : protocol === Protocol.UDP ? Port.udp(n) : Port.sctp(n);
  }
  return Port.named(value, protocol);
}

// ---------------------------------------------------------------------------------------------
// Truth tables
// ---------------------------------------------------------------------------------------------

const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** `ns/name` of every pod or workload of the manifests, sorted. */
export function podsOf(manifests: readonly any[]): string[] {
  return manifests
    .filter((m) => WORKLOAD_KINDS.has(m.kind))
    .map((m) => `${m.metadata.namespace ?? 'default'}/${m.metadata.name}`)
    .sort();
}

const EXPECTATIONS = ['allow', 'deny', 'indeterminate', 'allow +l7', 'allow ±l7'];

function endMatches(selector: string, podName: string): boolean {
  if (selector === '*') return true;
  if (selector.endsWith('/*')) return podName.startsWith(`${selector.slice(0, -1)}`);
  return selector === podName;
}

function isPodSelector(text: string): boolean {
  return !text.startsWith('ext:') && !text.startsWith('node:');
}

/** One expected row: `from > to PORT`, and the expectation. */
export interface ExpectedRow {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly expected: string;
}

/** The rows of a table over `pods` (pairs of distinct pods, plus explicit non-pod pairs). */
export function expandTable(table: TruthTable, pods: readonly string[], extraRules: readonly string[] = []): ExpectedRow[] {
  const rows = new Map<string, ExpectedRow>();
  const key = (from: string, to: string) => `${from} > ${to}`;
  if (table.base !== null) {
    for (const from of pods) {
      for (const to of pods) {
        if (from !== to) rows.set(key(from, to), { from, to, port: table.port, expected: table.base });
      }
    }
  }
  for (const rule of [...table.rules, ...extraRules]) {
    const m = /^\s*(\S+)\s*>\s*(\S+)\s*:\s*(.+?)\s*$/.exec(rule);
    if (!m || !EXPECTATIONS.includes(m[3])) throw new Error(`bad truth-table rule '${rule}'`);
    const [, fromSel, toSel, expected] = m;
    const podEnds = isPodSelector(fromSel) && isPodSelector(toSel);
    const wildcard = fromSel.includes('*') || toSel.includes('*');
    if (wildcard && !podEnds) throw new Error(`wildcards only between pods: '${rule}'`);
    if (wildcard) {
      let matched = 0;
      for (const from of pods) {
        for (const to of pods) {
          if (from === to || !endMatches(fromSel, from) || !endMatches(toSel, to)) continue;
          rows.set(key(from, to), { from, to, port: table.port, expected });
          matched++;
        }
      }
      if (matched === 0) throw new Error(`rule '${rule}' matches no pod pair (pods: ${pods.join(', ')})`);
    } else {
      for (const end of [fromSel, toSel]) {
        if (isPodSelector(end) && !pods.includes(end)) throw new Error(`rule '${rule}': no pod ${end} in the case`);
      }
      rows.set(key(fromSel, toSel), { from: fromSel, to: toSel, port: table.port, expected });
    }
  }
  return [...rows.values()];
}

/** The rows a case expects under `cni`. */
export function expectedRows(c: UpstreamCase, cni: CniName): ExpectedRow[] {
  const pods = podsOf(c.manifests);
  const overrides = c.overrides?.[cni] ?? {};
  for (const port of Object.keys(overrides)) {
    if (!c.tables.some((t) => t.port === port)) throw new Error(`${c.name}: override for ${cni} on ${port}, which no table has`);
  }
  return c.tables.flatMap((t) => expandTable(t, pods, overrides[t.port] ?? []));
}

/** What the analyzer answers for one row, in the same notation as the expectation. */
export function actualFor(reach: Reachability, row: ExpectedRow): string {
  let result: ReachabilityResult;
  try {
    result = reach.check(parseTarget(row.from), parseTarget(row.to), parsePort(row.port));
  } catch (e) {
    return `error: ${(e as Error).message.split('\n')[0]}`;
  }
  const verdict = verdictOf(result);
  if (verdict !== 'allow') return verdict;
  if (row.expected === 'allow ±l7') return 'allow ±l7';
  return result.l7Constraints.length > 0 ? 'allow +l7' : 'allow';
}

function rowKey(row: ExpectedRow): string {
  return `${row.from} > ${row.to} ${row.port}`;
}

/** Evaluate one case under one CNI: the expected and the actual tables, as `key: verdict` lines. */
export function evaluateCase(c: UpstreamCase, cni: CniName): { expected: string[]; actual: string[] } {
  const reach = Reachability.fromManifests([...c.manifests], { cni: CNI_FACTORIES[cni]() });
  const rows = expectedRows(c, cni);
  return {
    expected: rows.map((r) => `${rowKey(r)}: ${r.expected}`),
    actual: rows.map((r) => `${rowKey(r)}: ${actualFor(reach, r)}`),
  };
}

/**
 * The runner for one CNI semantics: one jest test per case that applies to `cni`, comparing the
 * whole truth table at once (a failure shows every disagreeing row).
 */
export function describeCases(cni: CniName, cases: readonly UpstreamCase[]): void {
  const applicable = cases.filter((c) => c.cnis.includes(cni));
  describe(`${cni} semantics`, () => {
    test.each(applicable.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const { expected, actual } = evaluateCase(c, cni);
      expect(actual).toEqual(expected);
    });
  });
}

/** Checks shared by every suite: unique case names, valid manifests, tables that cover something. */
export function describeCaseData(cases: readonly UpstreamCase[]): void {
  describe('case data', () => {
    test('case names are unique', () => {
      const names = cases.map((c) => c.name);
      expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    });

    test.each(cases.map((c) => [c.name, c] as const))('manifests validate against the pinned schemas: %s', (_name, c) => {
      expectValidManifests([...c.manifests]);
    });

    test('every case has rows under every CNI it names', () => {
      const empty = cases.flatMap((c) => c.cnis.filter((cni) => expectedRows(c, cni).length === 0).map((cni) => `${c.name} (${cni})`));
      expect(empty).toEqual([]);
    });
  });
}
