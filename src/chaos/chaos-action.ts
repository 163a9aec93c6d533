import { bandwidthRate, netemTime, percent, rateNumber } from './chaos-units';
import { InputSite, propError } from '../util/errors';
import {
  MAX_INT32, StructKeys, requireInteger, requireKnownKeys, requireNumber, requireProps, requireString,
} from '../util/guards';

/** Options of {@link ChaosAction.delay}. */
export interface ChaosDelayOptions {
  /** Added latency: one number and one unit of ns, us, ms, s, m, h (`'100ms'`), as the CRD's pattern wants. */
  readonly latency: string;
  /**
   * Random variation of the latency, in the same format.
   * @default - none (Chaos Mesh's webhook sets '0ms')
   */
  readonly jitter?: string;
  /**
   * How much each packet's delay depends on the previous one's, in per cent (0 to 100).
   * @default - none (Chaos Mesh's webhook sets '0')
   */
  readonly correlation?: number;
}

/** Options of {@link ChaosAction.loss}. */
export interface ChaosLossOptions {
  /** Share of packets dropped, in per cent (above 0, at most 100). */
  readonly loss: number;
  /**
   * How much each packet's fate depends on the previous one's, in per cent (0 to 100).
   * @default - none (independent)
   */
  readonly correlation?: number;
}

/** Options of {@link ChaosAction.duplicate}. */
export interface ChaosDuplicateOptions {
  /** Share of packets sent twice, in per cent (above 0, at most 100). */
  readonly duplicate: number;
  /**
   * Correlation with the previous packet, in per cent (0 to 100).
   * @default - none (independent)
   */
  readonly correlation?: number;
}

/** Options of {@link ChaosAction.corrupt}. */
export interface ChaosCorruptOptions {
  /** Share of packets with a flipped bit, in per cent (above 0, at most 100). */
  readonly corrupt: number;
  /**
   * Correlation with the previous packet, in per cent (0 to 100).
   * @default - none (independent)
   */
  readonly correlation?: number;
}

/** Options of {@link ChaosAction.bandwidth} (a tc token bucket filter). */
export interface ChaosBandwidthOptions {
  /** The rate: an integer and a unit of bps, kbps, mbps, gbps or tbps, in bytes per second (`'1mbps'`). */
  readonly rate: string;
  /** Bytes that may queue waiting for tokens (at least 1). */
  readonly limit: number;
  /** Bytes of tokens available at once, the bucket size (at least 1). */
  readonly buffer: number;
  /**
   * Maximum depletion rate of the bucket, in the unit Chaos Mesh converts `rate` to (its integer
   * times 1024 per unit step above bps): it must exceed the converted rate, and needs `minburst`.
   * @default - none (tc's default: no peak rate)
   */
  readonly peakrate?: number;
  /**
   * Size of the peak-rate bucket in bytes (set it to the MTU for accuracy); required, at least 1, with `peakrate`.
   * @default - none (tc's default)
   */
  readonly minburst?: number;
}

const DELAY_KEYS: StructKeys<ChaosDelayOptions> = { latency: true, jitter: true, correlation: true };
const LOSS_KEYS: StructKeys<ChaosLossOptions> = { loss: true, correlation: true };
const DUPLICATE_KEYS: StructKeys<ChaosDuplicateOptions> = { duplicate: true, correlation: true };
const CORRUPT_KEYS: StructKeys<ChaosCorruptOptions> = { corrupt: true, correlation: true };
const BANDWIDTH_KEYS: StructKeys<ChaosBandwidthOptions> = { rate: true, limit: true, buffer: true, peakrate: true, minburst: true };

/** Every ChaosAction a factory made. */
const MADE = new WeakSet<object>();

/**
 * What a NetworkChaos does to the affected traffic (the CRD's `action` and its options), made by a
 * static factory. Chaos Mesh applies partitions with iptables and the others with tc netem / tbf
 * inside the pods' network namespace (chaos-mesh.org docs "Simulate Network Faults").
 */
export class ChaosAction {
  /** Drop the packets between the selected pods and the target, in the experiment's direction (iptables rules in the pods). */
  public static partition(): ChaosAction {
    return new ChaosAction('partition');
  }

  /** Delay packets. */
  public static delay(options: ChaosDelayOptions): ChaosAction {
    const site = 'ChaosAction.delay';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), DELAY_KEYS);
    if (o.latency === undefined) throw propError(site, 'latency', "is required: the added latency, e.g. '100ms'");
    return new ChaosAction('delay', {
      latency: netemTime(site, 'latency', o.latency),
      jitter: o.jitter === undefined ? undefined : netemTime(site, 'jitter', o.jitter),
      correlation: optionalPercent(site, 'correlation', o.correlation),
    });
  }

  /** Drop a share of the packets. */
  public static loss(options: ChaosLossOptions): ChaosAction {
    const site = 'ChaosAction.loss';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), LOSS_KEYS);
    return new ChaosAction('loss', { loss: requiredPercent(site, 'loss', o.loss), correlation: optionalPercent(site, 'correlation', o.correlation) });
  }

  /** Send a share of the packets twice. */
  public static duplicate(options: ChaosDuplicateOptions): ChaosAction {
    const site = 'ChaosAction.duplicate';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), DUPLICATE_KEYS);
    return new ChaosAction('duplicate', {
      duplicate: requiredPercent(site, 'duplicate', o.duplicate), correlation: optionalPercent(site, 'correlation', o.correlation),
    });
  }

  /** Corrupt a share of the packets. */
  public static corrupt(options: ChaosCorruptOptions): ChaosAction {
    const site = 'ChaosAction.corrupt';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), CORRUPT_KEYS);
    return new ChaosAction('corrupt', {
      corrupt: requiredPercent(site, 'corrupt', o.corrupt), correlation: optionalPercent(site, 'correlation', o.correlation),
    });
  }

  /** Limit the bandwidth. */
  public static bandwidth(options: ChaosBandwidthOptions): ChaosAction {
    const site = 'ChaosAction.bandwidth';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), BANDWIDTH_KEYS);
    if (o.rate === undefined) throw propError(site, 'rate', "is required: bytes per second with a unit, e.g. '1mbps'");
    const int = (prop: 'limit' | 'buffer' | 'minburst', min: number) => {
      const v = o[prop];
      if (v === undefined) return undefined;
      return requireInteger(site, prop, v, min, MAX_INT32);
    };
    const limit = int('limit', 1);
    const buffer = int('buffer', 1);
    if (limit === undefined) throw propError(site, 'limit', 'is required: the bytes that may queue waiting for tokens (at least 1)');
    if (buffer === undefined) throw propError(site, 'buffer', 'is required: the bucket size in bytes (at least 1)');
    const peakrate = o.peakrate === undefined ? undefined : requireInteger(site, 'peakrate', requireNumber(site, 'peakrate', o.peakrate, false), 0,
      Number.MAX_SAFE_INTEGER);
    const rate = bandwidthRate(site, 'rate', requireString(site, 'rate', o.rate));
    const minburst = int('minburst', 0);
    // Chaos Mesh's daemon runs 'tc qdisc ... tbf rate <rate> burst <buffer> limit <limit> peakrate <peakrate> mtu <minburst>'
    // when peakrate is above 0 (chaos-mesh pkg/chaosdaemon tc_server.go convertTbfToArgs): tc refuses a peak rate without an
    // mtu (iproute2 tc/q_tbf.c), and the kernel one not above the rate (net/sched/sch_tbf.c tbf_change), both at injection.
    if (peakrate !== undefined && peakrate > 0) {
      if (minburst === undefined || minburst === 0) {
        throw propError(site, 'minburst', 'is required with peakrate (at least 1 byte; the MTU for accuracy): Chaos Mesh hands it to tc as the '
          + 'mtu, which tc requires with a peak rate');
      }
      if (BigInt(peakrate) <= rateNumber(rate)) {
        throw propError(site, 'peakrate', `${peakrate} must exceed the rate ('${rate}' is ${rateNumber(rate)} as Chaos Mesh converts it): `
          + "the kernel's tbf refuses a peak rate at or below the rate");
      }
    }
    return new ChaosAction('bandwidth', { rate, limit, buffer, peakrate, minburst });
  }

  /** @internal */
  public static _isMade(x: unknown): boolean {
    return typeof x === 'object' && x !== null && MADE.has(x);
  }

  /** The CRD's `action`: partition, delay, loss, duplicate, corrupt or bandwidth. */
  public readonly action: string;
  /** The options, as the CRD's field named after the action holds them (none for a partition). @internal */
  public readonly _options?: Readonly<Record<string, string | number | undefined>>;

  private constructor(action: string, options?: Record<string, string | number | undefined>) {
    this.action = action;
    if (options !== undefined) this._options = Object.freeze(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
    MADE.add(this);
    Object.freeze(this);
  }

  /** The spec fields of this action: `action` and, but for a partition, the field named after it. @internal */
  public _spec(): Record<string, unknown> {
    return this._options === undefined ? { action: this.action } : { action: this.action, [this.action]: { ...this._options } };
  }
}

function requiredPercent(site: InputSite, prop: string, value: number): string {
  if (value === undefined) throw propError(site, prop, 'is required: a percentage above 0 and at most 100');
  return percent(site, prop, value, true);
}

function optionalPercent(site: InputSite, prop: string, value: number | undefined): string | undefined {
  return value === undefined ? undefined : percent(site, prop, value, false);
}
