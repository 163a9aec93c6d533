import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CanaryRoute, ClusterNetwork, Cni, IstioMode, Mesh, ProgressiveRollout, RolloutStage, RouteTarget } from '../../../src';
import { deployment, service } from '../../support/mesh';
import { find, validYaml } from '../../support/synth';

describe('ProgressiveRollout', () => {
  test('each stage (10 -> 25 -> 50 -> 100) in its own folder, with its own weights', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-'));
    try {
      const rollout = new ProgressiveRollout();
      expect(rollout.stages.map((s) => [s.name, s.stablePercent, s.canaryPercent])).toEqual([
        ['stage-1-canary-10', 90, 10], ['stage-2-canary-25', 75, 25], ['stage-3-canary-50', 50, 50], ['stage-4-canary-100', 0, 100],
      ]);
      const folders = rollout.synth(dir, {
        buildStage(app: App, stage: RolloutStage) {
          const chart = new Chart(app, 'checkout');
          new ClusterNetwork(chart, 'cluster', { cni: Cni.calico(), mesh: Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }) });
          service(chart, 'shop', 'api', { app: 'api' });
          deployment(chart, 'shop', 'api-v1', { app: 'api', version: 'v1' });
          deployment(chart, 'shop', 'api-v2', { app: 'api', version: 'v2' });
          new CanaryRoute(chart, 'canary', {
            namespace: 'shop',
            service: 'api',
            port: 8080,
            target: RouteTarget.istio(),
            stable: { name: 'v1', labels: { version: 'v1' } },
            canary: { name: 'v2', labels: { version: 'v2' } },
            stablePercent: stage.stablePercent,
            canaryPercent: stage.canaryPercent,
          });
        },
      });
      expect(folders.map((f) => path.basename(f))).toEqual(rollout.stages.map((s) => s.name));
      const weights = folders.map((folder) => {
        const objects = validYaml(fs.readFileSync(path.join(folder, 'checkout.k8s.yaml'), 'utf8'));
        return find(objects, 'VirtualService', 'api').spec.http[0].route.map((r: any) => r.weight);
      });
      expect(weights).toEqual([[90, 10], [75, 25], [50, 50], [0, 100]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [[10, 5, 100], '[ProgressiveRollout] canaryPercentages[1]: 5 must be greater than the stage before (10)'],
    [[10, 50], '[ProgressiveRollout] canaryPercentages: the last stage must be 100 (full promotion), got 50'],
    [[0, 100], '[ProgressiveRollout] canaryPercentages[0]: must be an integer from 1 to 100, got the number 0'],
    [[12.5, 100], '[ProgressiveRollout] canaryPercentages[0]: must be an integer from 1 to 100, got the number 12.5'],
    [[], '[ProgressiveRollout] canaryPercentages: at least one stage is required'],
  ])('stages %j are refused', (stages, message) => {
    expect(() => new ProgressiveRollout({ canaryPercentages: stages })).toThrow(message);
  });
});
