import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { propError } from '../../util/errors';
import { StructKeys, requireArrayOf, requireInteger, requireKnownKeys, requireProps, requireString } from '../../util/guards';

/** One stage of a {@link ProgressiveRollout}. */
export interface RolloutStage {
  /** 1-based position. */
  readonly index: number;
  /** Canary share in percent. */
  readonly canaryPercent: number;
  /** Stable share in percent (100 - canaryPercent). */
  readonly stablePercent: number;
  /** Stable, readable name: `stage-<index>-canary-<percent>`, also the stage's output folder. */
  readonly name: string;
}

/** Builds the charts of one rollout stage into its own App (typically a CanaryRoute with the stage's percentages). */
export interface IRolloutStageBuilder {
  /** Add the stage's charts to `app`. */
  buildStage(app: App, stage: RolloutStage): void;
}

/** Props of {@link ProgressiveRollout}. */
export interface ProgressiveRolloutProps {
  /**
   * Canary percentages, strictly increasing integers in 1-100, ending at 100 (full promotion).
   * @default [10, 25, 50, 100]
   */
  readonly canaryPercentages?: number[];
}

const PROPS_KEYS: StructKeys<ProgressiveRolloutProps> = { canaryPercentages: true };

/**
 * A progressive rollout: the same program synthesized once per stage (10 -> 25 -> 50 -> 100 percent
 * canary by default), each stage in its own App and output folder (`<outdir>/stage-2-canary-25/`),
 * so a GitOps pipeline promotes by committing the next folder's manifests. Each stage is a separate
 * App because every stage emits the same objects (the same VirtualService or HTTPRoute, with other
 * weights), which one App would reject as duplicates.
 */
export class ProgressiveRollout {
  /** The stages, in order. */
  public readonly stages: RolloutStage[];

  constructor(props: ProgressiveRolloutProps = {}) {
    // Not a construct: errors name the class, like static factories do.
    const site = 'ProgressiveRollout';
    const given = requireKnownKeys(site, '', requireProps(site, props, true), PROPS_KEYS).canaryPercentages;
    const percentages = given === undefined ? [10, 25, 50, 100]
      : requireArrayOf(site, 'canaryPercentages', given, (p, prop) => requireInteger(site, prop, p, 1, 100));
    if (percentages.length === 0) throw propError(site, 'canaryPercentages', 'at least one stage is required');
    percentages.forEach((p, i) => {
      if (i > 0 && p <= percentages[i - 1]) {
        throw propError(site, `canaryPercentages[${i}]`, `${p} must be greater than the stage before (${percentages[i - 1]})`);
      }
    });
    if (percentages[percentages.length - 1] !== 100) {
      throw propError(site, 'canaryPercentages', `the last stage must be 100 (full promotion), got ${percentages[percentages.length - 1]}`);
    }
    this.stages = percentages.map((p, i) => ({ index: i + 1, canaryPercent: p, stablePercent: 100 - p, name: `stage-${i + 1}-canary-${p}` }));
  }

  /**
   * Synthesize every stage into `<outdir>/<stage name>/` (each folder emptied first).
   * @returns the stage folders, in order
   */
  public synth(outdir: string, builder: IRolloutStageBuilder): string[] {
    requireString('ProgressiveRollout.synth', 'outdir', outdir, true);
    if (builder === null || typeof builder !== 'object' || typeof builder.buildStage !== 'function') {
      throw propError('ProgressiveRollout.synth', 'builder', 'must be an object with a buildStage(app, stage) method');
    }
    return this.stages.map((stage) => {
      const dir = path.join(outdir, stage.name);
      fs.rmSync(dir, { recursive: true, force: true });
      const app = new App({ outdir: dir });
      builder.buildStage(app, stage);
      app.synth();
      return dir;
    });
  }
}
