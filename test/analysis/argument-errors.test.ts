/**
 * Bad arguments to the analyzer's result objects (FlowMatrix paging and renderings, ReachabilityDiff
 * renderings) and to the jest-matcher setup are ValidationErrors naming the method and the argument,
 * never a plain Error, a TypeError, or a silently ignored limit (`maxRows: '10'` used to mean "no
 * limit", `maxRows: -1` "nothing").
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { installReachabilityMatchers } from '../../src/analysis/jest-matchers';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';
import { validationErrorOf } from '../support/thrown';

const cni = Cni.kubernetes();
const withPort = { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] };
const cluster = [namespace('shop'), deployment('shop', 'web', { app: 'web' }, withPort), deployment('shop', 'db', { app: 'db' }, withPort)];
const denyDb = networkPolicy('deny-db', 'shop', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
// 2 pods x 2 pods x TCP/8080: 4 flows.
const matrix = Reachability.fromManifests(cluster, { cni }).matrix();

/** [path, prop, reason] of the ValidationError `build` throws. */
function refusal(build: () => unknown): string[] {
  const e = validationErrorOf(build);
  expect(e.message).toBe(`[${e.path}] ${e.prop}: ${e.reason}`);
  return [e.path, e.prop, e.reason];
}

test('the manifests are valid', () => {
  expectValidManifests([...cluster, denyDb]);
});

describe('FlowMatrix.flowsPage(offset, limit)', () => {
  test('offset and limit must be integers of at least 0, each named', () => {
    expect(refusal(() => matrix.flowsPage(-1, 2))).toEqual(['FlowMatrix.flowsPage', 'offset', 'must be an integer of at least 0, got the number -1']);
    expect(refusal(() => matrix.flowsPage('1' as any, 2))).toEqual(['FlowMatrix.flowsPage', 'offset', "must be an integer of at least 0, got the string '1'"]);
    expect(refusal(() => matrix.flowsPage(0, 1.5))).toEqual(['FlowMatrix.flowsPage', 'limit', 'must be an integer of at least 0, got the number 1.5']);
    expect(refusal(() => matrix.flowsPage(0, NaN))).toEqual(['FlowMatrix.flowsPage', 'limit', 'must be an integer of at least 0, got the number NaN']);
    expect(refusal(() => matrix.flowsPage(0, Infinity))).toEqual(['FlowMatrix.flowsPage', 'limit', 'must be an integer of at least 0, got the number Infinity']);
    expect(refusal(() => matrix.flowsPage(undefined as any, 2))).toEqual(['FlowMatrix.flowsPage', 'offset', 'must be an integer of at least 0, got undefined']);
  });

  test('a page holds at most 5,000,000 flows, as the flows getter does (even where the matrix has fewer)', () => {
    expect(refusal(() => matrix.flowsPage(0, 5_000_001))).toEqual(['FlowMatrix.flowsPage', 'limit',
      '5000001 flows are too many for one page (at most 5000000); page through them, or stream them with writeTable/writeJson']);
    expect(matrix.flowsPage(0, 5_000_000)).toEqual(matrix.flows);
  });

  test('valid pages still work, down to the empty one', () => {
    expect(matrix.flowCount).toBe(4);
    expect(matrix.flowsPage(0, 0)).toEqual([]);
    expect(matrix.flowsPage(3, 5)).toEqual(matrix.flows.slice(3));
  });
});

describe('FlowMatrix renderings', () => {
  test('maxRows of toTable and toJson, maxEdges of toMermaid: integers of at least 0, or Infinity', () => {
    const reason = (v: string) => `must be an integer of at least 0 (or Infinity for no limit), got ${v}`;
    expect(refusal(() => matrix.toTable({ maxRows: -1 }))).toEqual(['FlowMatrix.toTable', 'options.maxRows', reason('the number -1')]);
    expect(refusal(() => matrix.toTable({ maxRows: '10' as any }))).toEqual(['FlowMatrix.toTable', 'options.maxRows', reason("the string '10'")]);
    expect(refusal(() => matrix.toJson({ maxRows: null as any }))).toEqual(['FlowMatrix.toJson', 'options.maxRows', reason('null')]);
    expect(refusal(() => matrix.toJson({ maxRows: 2.5 }))).toEqual(['FlowMatrix.toJson', 'options.maxRows', reason('the number 2.5')]);
    expect(refusal(() => matrix.toMermaid({ maxEdges: -3 }))).toEqual(['FlowMatrix.toMermaid', 'options.maxEdges', reason('the number -3')]);
    expect(refusal(() => matrix.toTable('all' as any)))
      .toEqual(['FlowMatrix.toTable', 'options', "must be an object of options (or omitted), got the string 'all'"]);
  });

  test('the accepted limits apply: 0 rows cuts every flow, Infinity none', () => {
    const none = JSON.parse(matrix.toJson({ maxRows: 0 }));
    expect([none.flows, none.truncated, none.summary.flows]).toEqual([[], true, 4]);
    expect(JSON.parse(matrix.toJson({ maxRows: Infinity })).flows).toEqual(matrix.flows);
    expect(matrix.toTable({ maxRows: Infinity })).toBe(matrix.toTable());
  });

  test('the streaming writers need a sink with a write method', () => {
    const reason = (v: string) => `must be an ITextSink (an object with a write(chunk) method), got ${v}`;
    expect(refusal(() => matrix.writeTable(undefined as any))).toEqual(['FlowMatrix.writeTable', 'sink', reason('undefined')]);
    expect(refusal(() => matrix.writeJson({ write: 'x' } as any))).toEqual(['FlowMatrix.writeJson', 'sink', reason('a plain object')]);
    expect(refusal(() => matrix.writeJson(null as any))).toEqual(['FlowMatrix.writeJson', 'sink', reason('null')]);
  });
});

describe('ReachabilityDiff renderings', () => {
  // Closing db to everyone: web -> db and db -> db close.
  const head = Reachability.fromManifests([...cluster, denyDb], { cni });
  const diff = Reachability.fromManifests(cluster, { cni }).diff(head, { externalEndpoints: false });

  test('maxRows of toTable and toMarkdown is named when it is not a count', () => {
    const reason = (v: string) => `must be an integer of at least 0 (or Infinity for no limit), got ${v}`;
    expect(refusal(() => diff.toTable({ maxRows: -1 }))).toEqual(['ReachabilityDiff.toTable', 'options.maxRows', reason('the number -1')]);
    expect(refusal(() => diff.toMarkdown({ maxRows: '5' as any }))).toEqual(['ReachabilityDiff.toMarkdown', 'options.maxRows', reason("the string '5'")]);
    expect(refusal(() => diff.toMarkdown(null as any))).toEqual(['ReachabilityDiff.toMarkdown', 'options', 'must be an object of options (or omitted), got null']);
  });

  test('a valid maxRows still cuts the table', () => {
    expect(diff.closed).toBe(2);
    expect(diff.toTable({ maxRows: 1 })).toContain('... 1 more changed flows not shown');
    expect(diff.toMarkdown({ maxRows: 0 })).toContain('_2 more changed flows not shown._');
  });
});

describe('installReachabilityMatchers(expectObj)', () => {
  test('anything but an expect with an extend method is named', () => {
    const reason = (v: string) => `must be jest's expect (it has an extend method), got ${v}`;
    expect(refusal(() => installReachabilityMatchers(undefined))).toEqual(['installReachabilityMatchers', 'expectObj', reason('undefined')]);
    expect(refusal(() => installReachabilityMatchers({ extend: true }))).toEqual(['installReachabilityMatchers', 'expectObj', reason('a plain object')]);
    expect(refusal(() => installReachabilityMatchers('expect'))).toEqual(['installReachabilityMatchers', 'expectObj', reason("the string 'expect'")]);
  });

  test('an expect-like object gets toAllow and toDeny', () => {
    const extended: string[] = [];
    installReachabilityMatchers({ extend: (matchers: object) => extended.push(...Object.keys(matchers)) });
    expect(extended).toEqual(['toAllow', 'toDeny']);
  });
});

describe('option bags refuse fields they do not declare (a misspelt option would be ignored)', () => {
  const UNKNOWN = 'unknown field (expected one of';
  test('fromManifests, addProbe, matrix, diff and checkRequest name the misspelt field', () => {
    const reach = Reachability.fromManifests(cluster, { cni });
    const cases: Array<[() => unknown, string, string]> = [
      [() => Reachability.fromManifests(cluster, { cni, podCIDRs: ['10.0.0.0/8'] } as any), 'Reachability.fromManifests', 'options.podCIDRs'],
      [() => reach.addProbe('p', 'shop', {}, { ipAddress: '10.0.0.1' } as any), 'Reachability.addProbe', 'options.ipAddress'],
      [() => reach.matrix({ port: [Port.tcp(80)] } as any), 'Reachability.matrix', 'options.port'],
      [() => reach.diff(reach, { externalEndpoint: false } as any), 'Reachability.diff', 'options.externalEndpoint'],
      [() => reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'db'), Port.tcp(8080), { header: { a: 'b' } } as any),
        'Reachability.checkRequest', 'request.header'],
    ];
    for (const [build, site, prop] of cases) {
      const [path, field, reason] = refusal(build);
      expect([path, field]).toEqual([site, prop]);
      expect(reason.startsWith(UNKNOWN)).toBe(true);
    }
  });

  test("ReachabilityOptions' fields are its own and LinkerdInstallationOptions' (as PolicyLintOptions lists them)", () => {
    expect(refusal(() => Reachability.fromManifests(cluster, { cni, linkerdOpaquePort: '25' } as any))[2])
      .toBe(`${UNKNOWN} cni, nodeIp, podCidrs, mesh, linkerdDefaultInboundPolicy, linkerdClusterNetworks, linkerdProbeNetworks, `
        + 'linkerdOpaquePorts); a misspelt field would be silently ignored');
  });
});
