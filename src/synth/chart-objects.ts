import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * A chart's manifests in dependency order, as cdk8s's `Chart.toJson()` gives them, without its
 * validation and dependency resolution (the app's synthesis has just run both).
 */
export function chartObjects(chart: Chart, order: IConstruct[]): any[] {
  return order
    .filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart)
    .map((x) => x.toJson());
}

/**
 * The chart's constructs in the order of cdk8s's `new DependencyGraph(chart.node).topology()`: from
 * each construct nothing in the chart depends on (in tree order), its dependencies first (depth
 * first, in the order they were added), each construct once. Undefined, for cdk8s to render the
 * chart, when the chart's dependencies form a cycle, which cdk8s refuses (the app-wide graph cdk8s
 * orders the charts with refuses it first, unless it was added after that graph was built, by the
 * dependency resolution cdk8s runs again when rendering a chart, of dependencies a validation
 * added), and when a construct of the chart depends on one of another construct tree (cdk8s's
 * graph finds its vertices by path, and takes such a construct for the one at the same path here).
 */
export function dependencyOrder(chart: Chart): IConstruct[] | undefined {
  const all = chart.node.findAll();
  const inChart = new Set<IConstruct>(all);
  const dependencies = new Map<IConstruct, IConstruct[]>();
  const depended = new Set<IConstruct>();
  const root = chart.node.root;
  const otherTree = new Map<IConstruct, boolean>();
  for (const c of all) {
    const deps: IConstruct[] = [];
    for (const d of c.node.dependencies) {
      if (inChart.has(d)) {
        deps.push(d);
        continue;
      }
      let other = otherTree.get(d);
      if (other === undefined) otherTree.set(d, other = d.node.root !== root);
      // cdk8s's graph finds vertices by path: a construct of another tree may stand for one here.
      if (other) return undefined;
    }
    if (deps.length === 0) continue;
    dependencies.set(c, [...new Set(deps)]);
    for (const d of deps) depended.add(d);
  }
  const order: IConstruct[] = [];
  const done = new Set<IConstruct>();
  const onPath = new Set<IConstruct>();
  const visit = (c: IConstruct): boolean => {
    if (done.has(c)) return true;
    if (onPath.has(c)) return false;
    onPath.add(c);
    for (const d of dependencies.get(c) ?? []) if (!visit(d)) return false;
    onPath.delete(c);
    done.add(c);
    order.push(c);
    return true;
  };
  for (const c of all) if (!depended.has(c) && !visit(c)) return undefined;
  // A construct no walk reached is on a cycle (or behind one) that nothing outside it depends on.
  return order.length === all.length ? order : undefined;
}
