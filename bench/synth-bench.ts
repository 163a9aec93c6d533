/**
 * Synth benchmarks: TenantIsolation platforms at growing tenant counts (linearity), and at 1,000
 * tenants against the plain-`yaml` floor and against the same intent written with cdk8s-plus-27.
 *
 * "Synth" is construct + `app.synthYaml()` (dependency resolution, validation, `chart.toJson()` and
 * YAML stringify, all in memory), each run in a fresh App with ONE Chart, after a full GC.
 */
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { gc, heapAfterGcMiB, RssSampler, time } from './measure';
import { kplusPlatform, ourPlatform, tenantNames } from './platforms';
import { fmt, Report } from './report';
import { Cni } from '../src';

/** Tenant counts of the linearity run, with repetitions (best of) so small sizes are not noise. */
const SIZES: Array<{ tenants: number; reps: number }> = [
  { tenants: 10, reps: 21 },
  { tenants: 100, reps: 5 },
  { tenants: 1000, reps: 3 },
  { tenants: 5000, reps: 1 },
];
const COMPARE_TENANTS = 1000;
const COMPARE_REPS = 3;

/**
 * One synth: fresh App, full GC first, construct + `app.synthYaml()` timed. The machine is shared
 * (other processes steal CPU), so every figure is the best of several runs: the minimum is the
 * least disturbed estimate of CPU-bound work.
 */
function synthOnce(build: () => App): { ms: number; constructMs: number; yaml: string; app: App } {
  gc();
  let constructMs = 0;
  const run = time(() => {
    const built = time(build);
    constructMs = built.ms;
    return { app: built.value, yaml: built.value.synthYaml() as string };
  });
  return { ms: run.ms, constructMs, ...run.value };
}

/** Best of `reps` synths; the App and YAML of the last run. */
function synthBest(build: () => App, reps: number): ReturnType<typeof synthOnce> {
  let best = Infinity;
  let last: ReturnType<typeof synthOnce> | undefined;
  for (let i = 0; i < reps; i++) {
    last = undefined;
    last = synthOnce(build);
    best = Math.min(best, last.ms);
  }
  return { ...last!, ms: best };
}

function countDocs(yaml: string): number {
  return (yaml.match(/^kind: /gm) ?? []).length;
}

/** Allow/deny rules of one object, whatever its API (NetworkPolicy, Calico, Cilium, ClusterNetworkPolicy). */
function ruleCount(obj: any): number {
  const spec = obj.spec ?? {};
  return ['ingress', 'egress', 'ingressDeny', 'egressDeny']
    .reduce((n, key) => n + (Array.isArray(spec[key]) ? spec[key].length : 0), 0);
}

function plainObjects(app: App): any[] {
  return app.charts.flatMap((c) => c.toJson());
}

/** Floor: the same plain objects through `yaml` (one `stringify` per document, joined like cdk8s does). */
function yamlFloorOnce(objects: any[]): number {
  gc();
  return time(() => objects.map((o) => YAML.stringify(o)).join('---\n')).ms;
}

/** Section 1: per-tenant synth cost at 10 / 100 / 1,000 / 5,000 tenants on Calico. */
export function benchLinearity(report: Report, rss: RssSampler): void {
  report.section('1. Synth linearity: TenantIsolation on Cni.calico(), one Chart, construct + app.synthYaml()');
  // Warm-up: JIT and module caches, so the first measured size is not penalized.
  synthBest(() => ourPlatform(Cni.calico(), tenantNames(300)), 2);
  synthBest(() => kplusPlatform(tenantNames(300)), 1);
  rss.reset();
  const perTenant = new Map<number, number>();
  const docs = new Map<number, number>();
  let retainedMiB = 0;
  for (const { tenants, reps } of SIZES) {
    const names = tenantNames(tenants);
    const run = synthBest(() => ourPlatform(Cni.calico(), names), reps);
    perTenant.set(tenants, run.ms / tenants);
    docs.set(tenants, countDocs(run.yaml));
    report.info(`synth ${fmt(tenants, 0)} tenants (best of ${reps})`,
      `${fmt(run.ms / tenants, 3)} ms/tenant (${fmt(run.ms)} ms, ${fmt(run.yaml.length / tenants / 1024, 2)} KiB YAML/tenant)`);
    if (tenants === SIZES[SIZES.length - 1].tenants) retainedMiB = heapAfterGcMiB();
  }
  const sizes = SIZES.map((s) => s.tenants);
  const objectsPerTenant = sizes.slice(1).map((n) => (docs.get(n)! - docs.get(sizes[0])!) / (n - sizes[0]));
  report.info('objects total at 10 / 100 / 1,000 / 5,000', sizes.map((n) => fmt(docs.get(n)!, 0)).join(' / '));
  report.check('objects per tenant (marginal, 100 / 1,000 / 5,000 vs 10)', objectsPerTenant.map((x) => fmt(x, 2)).join(' / '),
    'constant', objectsPerTenant.every((x) => x === objectsPerTenant[0]));
  // Rules per tenant: the marginal rule count must be the same between every pair of sizes.
  const ruleSizes = [10, 100, 300];
  const rules = ruleSizes.map((n) => plainObjects(ourPlatform(Cni.calico(), tenantNames(n)))
    .reduce((sum, o) => sum + ruleCount(o), 0));
  const marginal = [1, 2].map((i) => (rules[i] - rules[i - 1]) / (ruleSizes[i] - ruleSizes[i - 1]));
  report.check('rules per tenant (marginal, 10->100 / 100->300)', `${marginal.map((x) => fmt(x, 2)).join(' / ')}`,
    'constant', marginal[0] === marginal[1]);
  const ratio = perTenant.get(5000)! / perTenant.get(100)!;
  report.check('per-tenant time 5,000 / 100', `${fmt(ratio, 2)}x`, '<= 1.3', ratio <= 1.3);
  report.info('per-tenant time 1,000 / 100', `${fmt(perTenant.get(1000)! / perTenant.get(100)!, 2)}x`);
  report.info('memory: peak RSS (section)', `${fmt(rss.peakMiB(), 0)} MiB`);
  report.info('memory: heapUsed after gc, 5,000-tenant app alive', `${fmt(retainedMiB, 0)} MiB`);
}

/** Section 2: 1,000 tenants against the yaml floor and cdk8s-plus-27. */
export function benchComparison(report: Report, rss: RssSampler): void {
  report.section(`2. Synth of ${fmt(COMPARE_TENANTS, 0)} tenants vs the yaml floor and cdk8s-plus-27 `
    + `(best of ${COMPARE_REPS}, interleaved)`);
  gc();
  rss.reset();
  const names = tenantNames(COMPARE_TENANTS);
  // Interleaved (calico, kubernetes, kplus, floors per round) so CPU stolen by other processes hits
  // every contender alike; best of COMPARE_REPS rounds each.
  const best = {
    calico: Infinity, calicoConstruct: Infinity, k8s: Infinity, kplus: Infinity, floor: Infinity, k8sFloor: Infinity,
  };
  let calico!: ReturnType<typeof synthOnce>;
  let k8s!: ReturnType<typeof synthOnce>;
  let kplus!: ReturnType<typeof synthOnce>;
  let kplusRetained = 0;
  for (let i = 0; i < COMPARE_REPS; i++) {
    calico = synthOnce(() => ourPlatform(Cni.calico(), names));
    best.calico = Math.min(best.calico, calico.ms);
    best.calicoConstruct = Math.min(best.calicoConstruct, calico.constructMs);
    k8s = synthOnce(() => ourPlatform(Cni.kubernetes(), names));
    best.k8s = Math.min(best.k8s, k8s.ms);
    kplus = synthOnce(() => kplusPlatform(names));
    best.kplus = Math.min(best.kplus, kplus.ms);
    if (i === 0) kplusRetained = heapAfterGcMiB();
    best.floor = Math.min(best.floor, yamlFloorOnce(plainObjects(calico.app)));
    best.k8sFloor = Math.min(best.k8sFloor, yamlFloorOnce(plainObjects(k8s.app)));
  }
  const objects = plainObjects(calico.app);
  const floor = best.floor;
  const k8sFloor = best.k8sFloor;
  calico = { ...calico, ms: best.calico };
  k8s = { ...k8s, ms: best.k8s };
  kplus = { ...kplus, ms: best.kplus };
  const perTenant = (yaml: string) => fmt(countDocs(yaml) / COMPARE_TENANTS, 3);

  report.info('ours, Cni.calico()', `${fmt(calico.ms)} ms, ${perTenant(calico.yaml)} objects/tenant`);
  report.info('  of which construct / app.synthYaml() (each best of 3)',
    `${fmt(best.calicoConstruct)} ms / ~${fmt(best.calico - best.calicoConstruct)} ms`);
  report.info('yaml floor: YAML.stringify of the same plain objects', `${fmt(floor)} ms, ${fmt(objects.length, 0)} objects`);
  report.check('ours(calico) / yaml floor', `${fmt(calico.ms / floor, 2)}x`, '<= 1.5, issue', calico.ms / floor <= 1.5);
  report.info('  app.synthYaml() alone (cdk8s resolve + validate + YAML) / floor',
    `${fmt((best.calico - best.calicoConstruct) / floor, 2)}x`);
  report.check('ours(calico) / yaml floor, DESIGN bound', `${fmt(calico.ms / floor, 2)}x`, '<= 3, DESIGN',
    calico.ms / floor <= 3);
  report.info('ours, Cni.kubernetes() (same 5 objects as kplus)', `${fmt(k8s.ms)} ms, ${perTenant(k8s.yaml)} objects/tenant`);
  report.info('yaml floor of the kubernetes objects', `${fmt(k8sFloor)} ms`);
  report.check('ours(kubernetes) / its yaml floor', `${fmt(k8s.ms / k8sFloor, 2)}x`,
    '<= 1.5, issue', k8s.ms / k8sFloor <= 1.5);
  report.info('cdk8s-plus-27 (Namespace + 4 NetworkPolicy)', `${fmt(kplus.ms)} ms, ${perTenant(kplus.yaml)} objects/tenant`);
  report.info('ms per object: ours(calico) / kplus',
    `${fmt(calico.ms / countDocs(calico.yaml), 3)} / ${fmt(kplus.ms / countDocs(kplus.yaml), 3)} ms `
    + `(${fmt((calico.ms / countDocs(calico.yaml)) / (kplus.ms / countDocs(kplus.yaml)), 2)}x)`);
  report.check('ours(calico) / cdk8s-plus-27', `${fmt(calico.ms / kplus.ms, 2)}x`, '< 1.0', calico.ms < kplus.ms);
  report.check('ours(kubernetes) / cdk8s-plus-27', `${fmt(k8s.ms / kplus.ms, 2)}x`, '< 1.0', k8s.ms < kplus.ms);
  report.info('memory: peak RSS (section)', `${fmt(rss.peakMiB(), 0)} MiB`);
  report.info('memory: heapUsed after gc, 3 apps alive (ours x2, kplus)', `${fmt(kplusRetained, 0)} MiB`);
}
