/**
 * Reachability benchmark: a generated cluster of 2,000 workloads and 500 NetworkPolicies, analyzed
 * for the Kubernetes, Calico and Cilium models (the same input for each).
 *
 * Timed: `Reachability.fromManifests(...)` + `.matrix()` + reading `.flows` (the expansion to one
 * entry per source x destination x declared port).
 */
import { generateCluster } from './cluster-manifests';
import { gc, heapAfterGcMiB, RssSampler, time } from './measure';
import { fmt, Report } from './report';
import { Cni, Reachability } from '../src';

const TARGET_SECONDS = 5;
const FULL = { namespaces: 100, deploymentsPerNamespace: 20, seed: 20261123 };

/** Pods with identical namespace, labels, namespace labels and ports: the matrix's equivalence classes. */
function labelClasses(manifests: any[]): number {
  const nsLabels = new Map<string, unknown>(
    manifests.filter((m) => m.kind === 'Namespace').map((m) => [m.metadata.name, m.metadata.labels]),
  );
  return new Set(manifests.filter((m) => m.kind === 'Deployment').map((m) => JSON.stringify([
    m.metadata.namespace,
    m.spec.template.metadata.labels,
    nsLabels.get(m.metadata.namespace),
    m.spec.template.spec.containers[0].ports,
  ]))).size;
}

function runOne(report: Report, rss: RssSampler, cniName: string, cni: Cni, manifests: any[], checked: boolean): void {
  gc();
  rss.reset();
  // Timed as one unit, with the three phases recorded so a slow phase can be named.
  const phases: number[] = [];
  const run = time(() => {
    const load = time(() => Reachability.fromManifests(manifests, { cni }));
    const matrix = time(() => load.value.matrix());
    const flows = time(() => matrix.value.flows);
    phases.push(load.ms, matrix.ms, flows.ms);
    let allowed = 0;
    for (const f of flows.value) if (f.allowed) allowed++;
    return { pods: matrix.value.endpoints.length, flows: flows.value.length, allowed, matrix: matrix.value };
  });
  const seconds = run.ms / 1000;
  const retained = heapAfterGcMiB();
  const policies = manifests.filter((m) => m.kind === 'NetworkPolicy').length;
  const value = `${fmt(seconds, 2)} s`;
  const detail = `${fmt(run.value.pods, 0)} pods x ${policies} policies, ${fmt(run.value.flows, 0)} flows `
    + `(${fmt(run.value.allowed, 0)} allowed); fromManifests ${fmt(phases[0] / 1000, 2)} s, `
    + `matrix() ${fmt(phases[1] / 1000, 2)} s, `
    + `.flows ${fmt(phases[2] / 1000, 2)} s`;
  if (checked) report.check(`reachability ${cniName}`, value, `< ${TARGET_SECONDS} s`, seconds < TARGET_SECONDS);
  else report.info(`reachability ${cniName}`, value);
  report.info(`  ${cniName} input and phases`, detail);
  report.info(`  ${cniName} memory: peak RSS / heapUsed after gc, flows alive`,
    `${fmt(rss.peakMiB(), 0)} MiB / ${fmt(retained, 0)} MiB`);
}

/** Section 3 (and its memory, section 4). */
export function benchReachability(report: Report, rss: RssSampler): void {
  const manifests = generateCluster(FULL);
  report.section('3. Reachability: fromManifests + matrix() + reading .flows (seeded cluster, same input per CNI)');
  report.info('input', `${fmt(manifests.filter((m) => m.kind === 'Deployment').length, 0)} Deployments (1 pod endpoint each) in `
    + `${fmt(FULL.namespaces + 1, 0)} namespaces, ${labelClasses(manifests)} label classes`);
  // Warm-up on a small cluster so JIT compilation is not billed to the first model.
  for (const cni of [Cni.kubernetes(), Cni.calico(), Cni.cilium()]) {
    Reachability.fromManifests(generateCluster({ ...FULL, namespaces: 3 }), { cni }).matrix().flows;
  }
  runOne(report, rss, 'kubernetes', Cni.kubernetes(), manifests, true);
  runOne(report, rss, 'calico', Cni.calico(), manifests, true);
  runOne(report, rss, 'cilium', Cni.cilium(), manifests, true);
}
