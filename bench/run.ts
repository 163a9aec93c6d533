/**
 * `npm run bench` (quick, about 5 minutes) and `npm run bench:full` (every CNI and size): synthesis and
 * reachability benchmarks, printed as one aligned report of medians, ranges and target checks
 * (DESIGN.md "Performance"). The bench prints; it exits 1 only when a measurement itself fails.
 *
 * Method:
 * - The sources are compiled to JavaScript once (as a user's compiled `cdk8s synth` app runs), then
 *   every measurement is a fresh `node` process (bench/child.ts), like `cdk8s synth`: no JIT state,
 *   heap or hidden classes carried from one measurement to the next.
 * - CPU time (user + sys, all threads) of the measured work is the figure; wall time is printed beside
 *   it. The machine is shared: medians over several runs with min and max, never a single run.
 * - Ours runs twice: in cdk8s's App and in the library's FastSynthApp (the same files, checked byte
 *   for byte). The floor target (1.8x) and the memory target are judged on FastSynthApp, the
 *   library's fastest synthesis, with App's ratios printed beside them; cdk8s-plus-27 is compared
 *   with ours in App (both in App).
 * - Contenders are interleaved (ours, cdk8s-plus-27, floor, ours, ...) and compared round by round:
 *   the ratio of two runs of the same round, then the median of those ratios. Every size and CNI
 *   takes part in each round, so linearity (10,000 vs 1,000 tenants) is paired by round too.
 * - Peak RSS is each process's own maximum (getrusage), read right after the measured work.
 * - Two floors, both given the same plain objects before the clock starts and checked to write the
 *   same bytes as ours: the yaml floor (the `yaml` package alone) and, at 1,000 tenants, the cdk8s
 *   floor (the objects as PlainApiObjects directly under the Chart, written with `app.synth()`): the
 *   least any construct library pays on cdk8s for them; and the skeleton, the same objects at their
 *   construct paths in ours (plain Constructs between, the same dependencies): our construct tree's
 *   cost before any library logic.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join, resolve } from 'path';
import type { CniName, Job, Measurement } from './child';
import { fmt, Report } from './report';
import { fmtSpread, pairRatios, spread } from './stats';

const ROOT = resolve(__dirname, '..');
const WORK = join(tmpdir(), 'cdk8s-networking-bench');
const OUT = join(WORK, 'js');

/** Targets (DESIGN.md "Performance", issue 13). */
const LINEARITY_MAX = 1.15;
const FLOOR_MAX = 1.8;
const MEMORY_VS_FLOOR_MAX = 2;
const MATRIX_CPU_MAX_MS = 2000;
const MATRIX_RSS_MAX_MIB = 300;

/** `ours`: the library in cdk8s's App; `fast`: the same program in the library's FastSynthApp. */
type Contender = 'ours' | 'fast' | 'kplus' | 'floor' | 'bare' | 'skeleton';

/** One synth group: contenders run in turn at one size on one CNI. */
interface SynthGroup {
  readonly cni: CniName;
  readonly tenants: number;
  readonly rounds: number;
  readonly contenders: Contender[];
}

/** One reachability configuration, run `rounds` times. */
interface ReachGroup {
  readonly cni: CniName;
  readonly namespaces: number;
  readonly deploymentsPerNamespace: number;
  readonly rounds: number;
  readonly timeoutS: number;
  readonly maxOldSpaceMiB?: number;
}

interface Plan {
  readonly name: string;
  readonly synth: SynthGroup[];
  readonly reach: ReachGroup[];
}

const ALL: Contender[] = ['ours', 'fast', 'kplus', 'floor'];
/**
 * At 1,000 tenants (CPU) and 5,000 tenants (memory), two more floors: the cdk8s floor (`bare`: the
 * least cdk8s itself costs for the same objects) and our construct tree with no library logic
 * (`skeleton`).
 */
const CDK8S_FLOORS: Contender[] = ['bare', 'skeleton'];
const WITH_FLOORS: Contender[] = [...ALL, ...CDK8S_FLOORS];

/** 5,000 pods x 1,000 policies, once: it must complete (the listing holds 27.7 M flows). */
const FIVE_THOUSAND_PODS = (cni: CniName): ReachGroup =>
  ({ cni, namespaces: 200, deploymentsPerNamespace: 25, rounds: 1, timeoutS: 300, maxOldSpaceMiB: 4096 });

const REACH_SEED = 20261123;

function plan(full: boolean): Plan {
  if (!full) {
    return {
      name: 'quick (npm run bench)',
      synth: [
        // cdk8s-plus-27's program is the same whatever the CNI: Calico and Cilium are compared with
        // the kubernetes group's cdk8s-plus-27 run of the same round.
        { cni: 'kubernetes', tenants: 1000, rounds: 3, contenders: WITH_FLOORS },
        { cni: 'calico', tenants: 1000, rounds: 3, contenders: ['ours', 'fast', 'floor', ...CDK8S_FLOORS] },
        { cni: 'cilium', tenants: 1000, rounds: 3, contenders: ['ours', 'fast', 'floor', ...CDK8S_FLOORS] },
        { cni: 'kubernetes', tenants: 5000, rounds: 1, contenders: ['ours', 'fast', 'floor', ...CDK8S_FLOORS] },
        { cni: 'kubernetes', tenants: 10000, rounds: 2, contenders: ALL },
      ],
      reach: [
        ...(['kubernetes', 'calico', 'cilium'] as CniName[])
          .map((cni) => ({ cni, namespaces: 100, deploymentsPerNamespace: 20, rounds: 1, timeoutS: 120 })),
        // The 5,000-pod target (completes) on one CNI; bench:full runs it on every CNI.
        FIVE_THOUSAND_PODS('kubernetes'),
      ],
    };
  }
  const synth: SynthGroup[] = [];
  for (const cni of ['kubernetes', 'calico', 'cilium'] as CniName[]) {
    synth.push({ cni, tenants: 1000, rounds: 5, contenders: WITH_FLOORS });
    synth.push({ cni, tenants: 5000, rounds: 3, contenders: WITH_FLOORS });
    synth.push({ cni, tenants: 10000, rounds: 3, contenders: ALL });
  }
  return {
    name: 'full (npm run bench:full)',
    synth,
    reach: (['kubernetes', 'calico', 'cilium'] as CniName[]).flatMap((cni) => [
      { cni, namespaces: 100, deploymentsPerNamespace: 20, rounds: 3, timeoutS: 120 },
      FIVE_THOUSAND_PODS(cni),
    ]),
  };
}

/** Compile bench/ and src/ to plain JavaScript (once per bench run). */
function compile(): void {
  rmSync(OUT, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'bench', 'tsconfig.json'),
    '--noEmit', 'false', '--outDir', OUT, '--rootDir', ROOT, '--declaration', 'false',
    '--inlineSourceMap', 'false', '--inlineSources', 'false', '--sourceMap', 'false', '--incremental', 'false'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiling the bench failed:\n${r.stdout}${r.stderr}`);
}

/** Run one job in a fresh process; undefined when it did not finish (timeout, crash, out of memory). */
function runChild(job: Job, options: { timeoutS?: number; maxOldSpaceMiB?: number } = {}): Measurement | { failed: string } {
  const args = [...(options.maxOldSpaceMiB ? [`--max-old-space-size=${options.maxOldSpaceMiB}`] : []),
    join(OUT, 'bench', 'child.js'), JSON.stringify(job)];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    // The compiled files live outside the repository: resolve packages from its node_modules.
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    timeout: (options.timeoutS ?? 300) * 1000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) {
    const why = r.error ? String(r.error.message) : r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
    return { failed: `${why}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}` };
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

function mustRun(job: Job): Measurement {
  const m = runChild(job);
  if ('failed' in m) throw new Error(`bench child failed (${JSON.stringify(job)}): ${m.failed}`);
  return m;
}

/** Runs of one contender in one group. */
interface Runs {
  readonly runs: Measurement[];
}

function synthJob(g: SynthGroup, contender: Contender, extra: Partial<Extract<Job, { kind: 'synth' }>> = {}): Job {
  return {
    kind: 'synth',
    contender,
    cni: g.cni,
    tenants: g.tenants,
    outdir: join(WORK, 'out', `${contender}-${g.cni}-${g.tenants}`),
    ...extra,
  };
}

/**
 * Run the groups round-robin: round r runs every group that has an r-th round, contender by
 * contender. Runs compared with each other (contenders of a group, and the sizes of a CNI for
 * linearity) are then minutes apart at most, not a whole bench apart, so drifts of the shared
 * machine's speed hit both sides of a ratio alike.
 */
function runGroups(groups: SynthGroup[], progress: (line: string) => void): Map<string, Map<Contender, Runs>> {
  const results = new Map<string, Map<Contender, Runs>>(groups.map((g) =>
    [`${g.cni}/${g.tenants}`, new Map<Contender, Runs>(g.contenders.map((c) => [c, { runs: [] }]))]));
  const rounds = Math.max(...groups.map((g) => g.rounds));
  for (let round = 0; round < rounds; round++) {
    for (const g of groups.filter((x) => round < x.rounds)) {
      const floorInput = join(WORK, `objects-${g.cni}-${g.tenants}.json`);
      for (const contender of g.contenders) {
        // The first run of ours also writes the plain objects the floor serializes (after its measurement).
        const extra = contender === 'ours' && round === 0 ? { dumpObjects: floorInput }
          : contender === 'floor' || CDK8S_FLOORS.includes(contender) ? { floorInput } : {};
        const m = mustRun(synthJob(g, contender, extra));
        results.get(`${g.cni}/${g.tenants}`)!.get(contender)!.runs.push(m);
        progress(`${g.cni} ${g.tenants} ${contender} round ${round + 1}/${g.rounds}: ${fmt(m.cpuMs, 0)} ms CPU`);
      }
      if (round === 0 && g.contenders.includes('ours')) {
        const yamlOf = (c: Contender) => readFileSync(join(WORK, 'out', `${c}-${g.cni}-${g.tenants}`, 'platform.k8s.yaml'), 'utf8');
        for (const floor of g.contenders.filter((c) => c === 'fast' || c === 'floor' || CDK8S_FLOORS.includes(c))) {
          if (yamlOf(floor) !== yamlOf('ours')) {
            throw new Error(`the ${floor} contender's YAML differs from ours (${g.cni}, ${g.tenants} tenants): it would not be the same bytes`);
          }
        }
      }
    }
  }
  return results;
}

const cpuOf = (r: Runs) => r.runs.map((m) => m.cpuMs);
const s = (values: number[]) => spread(values);

function synthSections(report: Report, p: Plan, results: Map<string, Map<Contender, Runs>>): void {
  const key = (cni: CniName, n: number) => `${cni}/${n}`;
  const cnis = [...new Set(p.synth.map((g) => g.cni))];

  report.section('1. Synth linearity: construct + app.synth() to files, CPU ms per tenant, fresh process per run');
  for (const cni of cnis) {
    const sizes = p.synth.filter((g) => g.cni === cni && g.contenders.includes('ours')).map((g) => g.tenants);
    for (const contender of ALL) {
      const per = sizes.flatMap((n) => {
        const r = results.get(key(cni, n))?.get(contender);
        return r ? [{ n, s: s(cpuOf(r).map((ms) => ms / n)), objects: r.runs[0].objects! }] : [];
      });
      if (per.length === 0) continue;
      const label = contender === 'ours' ? `ours in App, ${cni}` : contender === 'fast' ? `ours in FastSynthApp, ${cni}`
        : contender === 'kplus' ? 'cdk8s-plus-27' : `yaml floor (${cni} objects)`;
      if (contender === 'kplus' && cni !== cnis[0]) continue;
      report.info(`${label}: ${per.map((x) => fmt(x.n, 0)).join(' / ')} tenants`,
        `${per.map((x) => fmtSpread(x.s, 3)).join(' / ')} ms/tenant (${per.map((x) => fmt(x.objects, 0)).join(' / ')} objects)`);
      if (contender === 'ours' && sizes.length > 1) {
        // Output minimal (DESIGN.md): objects and rules per added tenant the same between every two
        // sizes (never a list of the other tenants; a Calico Tier is one object per chart).
        const firstRuns = sizes.map((n) => results.get(key(cni, n))!.get('ours')!.runs[0]);
        const marginal = (count: (m: Measurement) => number) =>
          sizes.slice(1).map((n, i) => (count(firstRuns[i + 1]) - count(firstRuns[i])) / (n - sizes[i]));
        const objects = marginal((m) => m.objects!);
        const rules = marginal((m) => m.info!.rules);
        const constant = (xs: number[]) => xs.every((x) => x === xs[0]);
        report.check(`  objects and rules per added tenant (${cni})`,
          `${objects.map((x) => fmt(x, 2)).join(' / ')} and ${rules.map((x) => fmt(x, 2)).join(' / ')}`, 'constant',
          constant(objects) && constant(rules));
      }
      const small = results.get(key(cni, 1000))?.get(contender);
      const large = results.get(key(cni, 10000))?.get(contender);
      if (small && large) {
        // Per round: the 10,000-tenant run against the 1,000-tenant run of the same round.
        const ratio = s(pairRatios(cpuOf(large).map((ms) => ms / 10000), cpuOf(small).map((ms) => ms / 1000)));
        const name = `  per-tenant CPU 10,000 / 1,000 (${label})`;
        if (contender === 'ours' || contender === 'fast') report.check(name, `${fmtSpread(ratio, 2)}x`, `<= ${LINEARITY_MAX}`, ratio.median <= LINEARITY_MAX);
        else report.info(name, `${fmtSpread(ratio, 2)}x`);
      }
    }
  }

  report.section('2. Synth vs the plain-yaml floor (same objects, same bytes) and cdk8s-plus-27: median of per-round ratios [min–max]');
  for (const g of p.synth) {
    const r = results.get(key(g.cni, g.tenants))!;
    const ours = r.get('ours')!;
    const fast = r.get('fast');
    const tag = `${g.cni}, ${fmt(g.tenants, 0)} tenants`;
    report.info(`ours in App, ${tag}`, `${fmtSpread(s(cpuOf(ours)), 0)} ms CPU, wall ${fmtSpread(s(ours.runs.map((m) => m.wallMs)), 0)} ms, `
      + `${fmt(ours.runs[0].objects!, 0)} objects, ${fmt(ours.runs[0].bytes! / 1024 / 1024, 1)} MiB`);
    if (fast) {
      report.info(`ours in FastSynthApp, ${tag}`, `${fmtSpread(s(cpuOf(fast)), 0)} ms CPU, wall ${fmtSpread(s(fast.runs.map((m) => m.wallMs)), 0)} ms `
        + `(same bytes), FastSynthApp / App ${fmtSpread(s(pairRatios(cpuOf(fast), cpuOf(ours))), 2)}x`);
    }
    const floor = r.get('floor');
    if (floor) {
      const ratio = s(pairRatios(cpuOf(ours), cpuOf(floor)));
      const floorMs = fmtSpread(s(cpuOf(floor)), 0);
      // The target is the library's best synthesis (FastSynthApp) where it ran; cdk8s's App beside it.
      if (fast) {
        const fastRatio = s(pairRatios(cpuOf(fast), cpuOf(floor)));
        const name = `  ours in FastSynthApp / yaml floor (${floorMs} ms)`;
        if (g.tenants === 1000) report.check(name, `${fmtSpread(fastRatio, 2)}x`, `<= ${FLOOR_MAX}`, fastRatio.median <= FLOOR_MAX);
        else report.info(name, `${fmtSpread(fastRatio, 2)}x`);
        report.info('  ours in App / yaml floor', `${fmtSpread(ratio, 2)}x`);
      } else {
        const name = `  ours in App / yaml floor (${floorMs} ms)`;
        if (g.tenants === 1000) report.check(name, `${fmtSpread(ratio, 2)}x`, `<= ${FLOOR_MAX}`, ratio.median <= FLOOR_MAX);
        else report.info(name, `${fmtSpread(ratio, 2)}x`);
      }
      const bare = r.get('bare');
      const skeleton = r.get('skeleton');
      if (bare && skeleton) {
        // What no library on cdk8s goes below (the same objects, one construct each, no library logic),
        // and what our construct tree costs before any library logic runs.
        const vsFloor = (x: Runs) => `${fmtSpread(s(pairRatios(cpuOf(x), cpuOf(floor))), 2)}x`;
        report.info(`  cdk8s floor (${fmtSpread(s(cpuOf(bare)), 0)} ms) / yaml floor`, vsFloor(bare));
        report.info(`  our construct tree, no library logic (${fmtSpread(s(cpuOf(skeleton)), 0)} ms) / yaml floor`, vsFloor(skeleton));
        report.info('  ours in App / our construct tree (the library logic)', `${fmtSpread(s(pairRatios(cpuOf(ours), cpuOf(skeleton))), 2)}x`);
      }
    }
    const kplus = r.get('kplus') ?? results.get(key('kubernetes', g.tenants))?.get('kplus');
    if (kplus) {
      const kms = fmtSpread(s(cpuOf(kplus)), 0);
      if (g.cni === 'kubernetes') {
        const ratio = s(pairRatios(cpuOf(ours), cpuOf(kplus)));
        // Both in cdk8s's App: the library's cost against cdk8s-plus-27's for the same intent.
        report.check(`  ours in App / cdk8s-plus-27 in App (${kms} ms, same objects)`, `${fmtSpread(ratio, 2)}x`, '< 1', ratio.median < 1);
      } else {
        const perObject = (m: Measurement) => m.cpuMs / m.objects!;
        const ratio = s(pairRatios(ours.runs.map(perObject), kplus.runs.map(perObject)));
        report.check(`  per object: ours in App / cdk8s-plus-27 in App (${kms} ms, ${fmt(kplus.runs[0].objects!, 0)} objects)`,
          `${fmtSpread(ratio, 2)}x`, '< 1', ratio.median < 1);
      }
    }
  }

  report.section('3. Memory: peak RSS of each process (MiB), median of runs');
  for (const g of p.synth) {
    const r = results.get(key(g.cni, g.tenants))!;
    const rss = (c: Contender) => (r.get(c) ? fmtSpread(s(r.get(c)!.runs.map((m) => m.maxRssMiB)), 0) : '-');
    report.info(`${g.cni}, ${fmt(g.tenants, 0)} tenants: ours in App / in FastSynthApp / cdk8s-plus-27 / floor`,
      `${rss('ours')} / ${rss('fast')} / ${rss('kplus')} / ${rss('floor')}`);
    const floor = r.get('floor');
    if (g.tenants === 5000 && floor) {
      const peak = (c: Contender) => s(r.get(c)!.runs.map((m) => m.maxRssMiB)).median;
      // Judged on FastSynthApp where it ran, as the CPU target; App's ratio beside it.
      const judged: Contender = r.get('fast') ? 'fast' : 'ours';
      for (const c of ['fast', 'ours'] as Contender[]) {
        if (!r.get(c)) continue;
        const ratio = peak(c) / peak('floor');
        const name = `  peak RSS ours in ${c === 'fast' ? 'FastSynthApp' : 'App'} / floor`;
        if (c === judged) report.check(name, `${fmt(ratio, 2)}x`, `<= ${MEMORY_VS_FLOOR_MAX}`, ratio <= MEMORY_VS_FLOOR_MAX);
        else report.info(name, `${fmt(ratio, 2)}x`);
      }
      if (r.get('bare') && r.get('skeleton')) {
        // Where the peak comes from: cdk8s's own objects for these manifests, then our construct tree.
        report.info('  peak RSS cdk8s floor / floor, our construct tree without library logic / floor',
          `${rss('bare')} MiB: ${fmt(peak('bare') / peak('floor'), 2)}x, ${rss('skeleton')} MiB: ${fmt(peak('skeleton') / peak('floor'), 2)}x`);
      }
    }
  }
  report.info('whole-process CPU (startup and module loading included), ours in App at 1,000 tenants',
    cnis.map((cni) => {
      const r = results.get(key(cni, 1000))?.get('ours');
      return r ? `${cni} ${fmtSpread(s(r.runs.map((m) => m.processCpuMs)), 0)} ms` : undefined;
    }).filter(Boolean).join(', '));
}

function reachSection(report: Report, p: Plan, progress: (line: string) => void): void {
  report.section('4. Reachability: fromManifests, then matrix(), its summary, then listing every flow (seeded cluster, fresh process per run)');
  for (const r of p.reach) {
    const job: Job = { kind: 'reach', cni: r.cni, namespaces: r.namespaces, deploymentsPerNamespace: r.deploymentsPerNamespace, seed: REACH_SEED };
    const runs: Measurement[] = [];
    let failure: string | undefined;
    for (let i = 0; i < r.rounds && !failure; i++) {
      const m = runChild(job, { timeoutS: r.timeoutS, maxOldSpaceMiB: r.maxOldSpaceMiB });
      if ('failed' in m) failure = m.failed;
      else runs.push(m);
      progress(`reach ${r.cni} ${r.namespaces}x${r.deploymentsPerNamespace} round ${i + 1}: ${'failed' in m ? 'failed' : `${fmt(m.cpuMs, 0)} ms CPU`}`);
    }
    const pods = r.namespaces * r.deploymentsPerNamespace;
    const tag = `${r.cni}, ${fmt(pods, 0)} pods x ${fmt(r.namespaces * 5, 0)} policies`;
    if (failure) {
      report.check(`${tag}`, 'did not complete', 'completes', false);
      report.info('  why', failure.slice(0, 200));
      continue;
    }
    const phase = (name: string) => s(runs.map((m) => m.phases![name].cpuMs));
    const matrix = phase('matrix');
    report.info(tag, `fromManifests ${fmtSpread(phase('fromManifests'), 0)} ms, matrix() ${fmtSpread(matrix, 0)} ms, `
      + `summary ${fmtSpread(phase('summary'), 0)} ms, listing ${fmt(runs[0].info!.flows, 0)} flows (${fmt(runs[0].info!.allowed, 0)} allowed, `
      + `${fmt(runs[0].info!.indeterminate, 0)} indeterminate) page by page ${fmtSpread(phase('flows'), 0)} ms CPU`);
    const rss = s(runs.map((m) => m.maxRssMiB));
    const matrixRss = s(runs.map((m) => m.info!.matrixRssMiB));
    if (pods === 2000) {
      report.check('  matrix() CPU', `${fmtSpread(matrix, 0)} ms`, `< ${MATRIX_CPU_MAX_MS}`, matrix.median < MATRIX_CPU_MAX_MS);
      report.check('  peak RSS through matrix() (before listing flows)', `${fmtSpread(matrixRss, 0)} MiB`, `< ${MATRIX_RSS_MAX_MIB}`,
        matrixRss.median < MATRIX_RSS_MAX_MIB);
    } else {
      report.check('  completes', 'yes', 'completes', true);
      report.info('  peak RSS through matrix()', `${fmtSpread(matrixRss, 0)} MiB`);
    }
    report.info('  peak RSS after listing every flow', `${fmtSpread(rss, 0)} MiB`);
  }
}

function main(): void {
  const full = process.argv.includes('--full');
  const verbose = process.argv.includes('--verbose');
  const p = plan(full);
  const started = Date.now();
  const load = loadavg()[0];
  const progress = (line: string) => {
    if (verbose) process.stderr.write(`[${fmt((Date.now() - started) / 1000, 0)} s] ${line}\n`);
  };
  mkdirSync(WORK, { recursive: true });
  compile();
  // Warm-up (not counted): the node binary and modules into the page cache.
  const warm: SynthGroup = { cni: 'kubernetes', tenants: 100, rounds: 1, contenders: ALL };
  runGroups([warm], progress);

  const results = runGroups(p.synth, progress);

  const report = new Report();
  synthSections(report, p, results);
  reachSection(report, p, progress);
  report.section('5. Run');
  report.info('plan', p.name);
  report.info('node, CPUs, load average at start / end', `${process.version}, ${cpus().length} CPUs, ${fmt(load, 2)} / ${fmt(loadavg()[0], 2)}`);
  report.info('bench wall time', `${fmt((Date.now() - started) / 1000, 0)} s`);
  process.stdout.write(report.render());
  process.stdout.write(`\n${report.misses} target(s) missed\n`);
  if (existsSync(join(WORK, 'out'))) rmSync(join(WORK, 'out'), { recursive: true, force: true });
}

main();
