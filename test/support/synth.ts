import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { expectApplyOrder } from './apply-order';
import { expectValidManifests } from './schema';
import { ClusterNetwork, ClusterNetworkProps, Cni } from '../../src';
import { CNI_CHOICES, CNI_NAMES } from '../../src/cluster/cni-choices';

/**
 * The CNIs every construct is tested against: every CNI of the one table of choices that enforces
 * policies (a new row joins every matrix by itself).
 */
export const ENFORCING_CNIS: Array<[string, () => Cni]> = CNI_NAMES
  .filter((name) => CNI_CHOICES[name].create().capabilities.enforcesNetworkPolicy)
  .map((name) => [name, CNI_CHOICES[name].create]);

/** A chart with a ClusterNetwork for `cni` declared first. */
export function chartFor(cni: Cni, props: Omit<ClusterNetworkProps, 'cni'> = {}): Chart {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { ...props, cni });
  return chart;
}

/**
 * Synthesize a chart, validate every object strictly against the pinned schemas, and check that the
 * file applies in order (Namespaces and Calico Tiers before what they contain).
 */
export function synthValid(chart: Chart): any[] {
  expectValidTree(chart);
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  expectApplyOrder(objects);
  return objects;
}

/**
 * Parse synthesized multi-document YAML (`app.synthYaml()`) and validate every object strictly
 * against the pinned schemas, so YAML-level tests (determinism) check what they emit too.
 */
export function validYaml(yaml: string): any[] {
  const docs = parseAllDocuments(yaml);
  if (!Array.isArray(docs)) throw new Error('no documents in the synthesized YAML');
  const errors = docs.flatMap((doc) => doc.errors);
  if (errors.length > 0) throw new Error(`the synthesized YAML does not parse: ${errors[0].message}`);
  const objects = docs.map((doc) => doc.toJSON()).filter((o) => o !== null);
  if (objects.length === 0) throw new Error('no objects in the synthesized YAML');
  expectValidManifests(objects);
  expectApplyOrder(objects);
  return objects;
}

/**
 * Run the synth-time validations (`node.addValidation`) of every construct of the app, as `app.synth()`
 * and `cdk8s synth` do, and fail with cdk8s' message when one fails (cdk8s 2.70's `Testing.synth` runs
 * them too, through `App._synthChart`; this keeps tests independent of that).
 */
export function expectValidTree(chart: Chart): void {
  const errors = chart.node.root.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}

/** The object of that kind and name (and namespace, when given); fails the test when absent. */
export function find(objects: any[], kind: string, name: string, namespace?: string): any {
  const found = objects.filter(
    (o) => o.kind === kind && o.metadata?.name === name && (namespace === undefined || o.metadata?.namespace === namespace),
  );
  if (found.length !== 1) {
    const have = objects.map((o) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`).join(', ');
    throw new Error(`expected exactly one ${kind} ${namespace ?? '*'}/${name}, found ${found.length}; have: ${have}`);
  }
  return found[0];
}

/** Objects of a kind. */
export function ofKind(objects: any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

/**
 * Synthesize every chart of an app (in the order cdk8s writes them: step charts of the install
 * constructs first), validating every object strictly and the apply order inside each file.
 * Returns the objects per chart id and all of them in file order.
 */
export function synthAppValid(app: App): { byChart: Record<string, any[]>; all: any[] } {
  const byChart: Record<string, any[]> = {};
  const all: any[] = [];
  for (const chart of app.charts) {
    const objects = chart.toJson();
    expectValidManifests(objects);
    expectApplyOrder(objects);
    byChart[chart.node.id] = objects;
    all.push(...objects);
  }
  return { byChart, all };
}
