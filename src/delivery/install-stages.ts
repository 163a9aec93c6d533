import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Delivery, DeliveryKind } from './delivery';
import { placeInWave } from './sync-waves';

/** The chart a construct belongs to, if any (an install construct may sit directly on the App). */
function chartOf(scope: IConstruct): Chart | undefined {
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    if (Chart.isChart(c)) return c;
  }
  return undefined;
}

/**
 * The ordered steps of an install, one output chart (file) each, so that whatever applies them (a
 * Flux Kustomization per file with `dependsOn`, `kubectl apply` file by file, or Argo CD by sync
 * wave) never applies an object before the API it needs.
 *
 * Step charts are created at the App level as `<install id>-<step>` (cdk8s then writes
 * `NNNN-<install id>-<step>.k8s.yaml`, numbered in dependency order), each after the previous step;
 * the chart holding the install construct comes after all of them. Under Argo CD every object also
 * carries its step's sync wave.
 */
export class InstallStages {
  private readonly owner: Construct;
  private readonly delivery: Delivery;
  private readonly charts: Chart[] = [];
  private readonly bySuffix = new Map<string, Chart>();

  constructor(owner: Construct, delivery: Delivery) {
    this.owner = owner;
    this.delivery = delivery;
  }

  /** The step charts created so far, in apply order. */
  public get stageCharts(): Chart[] {
    return [...this.charts];
  }

  /** The chart of step `suffix`, created on first use after every earlier step. */
  public chart(suffix: string): Chart {
    const existing = this.bySuffix.get(suffix);
    if (existing) return existing;
    const chart = new Chart(this.owner.node.root, `${this.owner.node.id}-${suffix}`);
    for (const earlier of this.charts) chart.addDependency(earlier);
    chartOf(this.owner)?.addDependency(chart);
    this.charts.push(chart);
    this.bySuffix.set(suffix, chart);
    return chart;
  }

  /** Put an object of this install in its Argo CD wave (nothing to do for the other deliveries: its chart orders it). */
  public place<T extends ApiObject>(obj: T, wave: number, skipDryRun: boolean): T {
    if (this.delivery.kind === DeliveryKind.ARGO_CD) placeInWave(obj, wave, skipDryRun);
    return obj;
  }

  /**
   * Order every object of an API this install brings, wherever in the app it is emitted (the
   * guard-rail Tier and GlobalNetworkPolicies of TenantIsolation, CiliumNetworkPolicies, ...), after
   * the step `after`: under Argo CD by the sync wave `waveOf` gives it (undefined = not an object of
   * the API), with `SkipDryRunOnMissingResource`; otherwise by making its chart depend on `after`.
   * Runs at synth time (a validation), so objects created after the install construct are ordered too.
   */
  public orderApiUsers(waveOf: (obj: ApiObject) => number | undefined, after: Chart): void {
    this.owner.node.addValidation({
      validate: () => {
        const ours = new Set<IConstruct>(this.charts);
        for (const c of this.owner.node.root.node.findAll()) {
          if (!(c instanceof ApiObject)) continue;
          const wave = waveOf(c);
          if (wave === undefined) continue;
          const chart = chartOf(c);
          if (!chart || ours.has(chart)) continue;
          if (this.delivery.kind === DeliveryKind.ARGO_CD) placeInWave(c, wave, true);
          else if (chart !== after) chart.addDependency(after);
        }
        return [];
      },
    });
  }
}
