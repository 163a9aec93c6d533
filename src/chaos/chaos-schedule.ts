/** What Chaos Mesh does when a run is due while the previous one is still active (Schedule `concurrencyPolicy`). */
export enum ChaosConcurrencyPolicy {
  /** Skip the new run: never two experiments at once. */
  FORBID = 'Forbid',
  /** Start the new run anyway: faults pile up. */
  ALLOW = 'Allow',
}

/** When a recurring experiment runs (a chaos-mesh.org/v1alpha1 Schedule). */
export interface ChaosSchedule {
  /**
   * Cron schedule as Chaos Mesh reads it (robfig/cron standard parser): five fields (minute hour
   * day-of-month month day-of-week, e.g. `'0 3 * * 1-5'`), a descriptor (`@hourly`, `@daily`,
   * `@weekly`, `@monthly`, `@yearly`), or `@every <Go duration>`. Read in the chaos
   * controller-manager's time zone (robfig/cron's default: the process's local time; `TZ=` and
   * `CRON_TZ=` prefixes, which Chaos Mesh accepts, are refused here: the zone would be loaded from the
   * controller image's time zone database; `@every` with a zero interval is refused too). When day of month and day of week are both restricted (neither is
   * `*` nor `?`), a day matching either runs (`'0 3 15 * mon'`: the 15th and every Monday). The
   * experiment's `duration` must be shorter than the shortest gap between two runs, computed over
   * a whole 400-year calendar cycle (month ends and leap days included), on the wall clock of that
   * time zone; a line that never runs (`'0 3 30 2 *'`) is refused.
   */
  readonly cron: string;
  /**
   * What to do when a run is due while the previous one is still active.
   * @default ChaosConcurrencyPolicy.FORBID - never two experiments at once (Chaos Mesh's default too, stated explicitly)
   */
  readonly concurrencyPolicy?: ChaosConcurrencyPolicy;
  /**
   * How many finished experiments Chaos Mesh keeps (at least 1).
   * @default 5 - enough to read the last runs, without keeping every run forever
   */
  readonly historyLimit?: number;
  /**
   * Seconds after a missed start time during which the run may still start.
   * @default - none (Chaos Mesh's: a missed run is started late)
   */
  readonly startingDeadlineSeconds?: number;
}
