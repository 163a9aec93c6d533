import { ResolvedArgoCd, ResolvedFlux } from './delivery-settings';
import { ValidationError } from '../util/errors';
import { StructKeys, describeValue, requireKnownKeys, requireOptionalString, requireProps } from '../util/guards';
import { isDnsLabel } from '../util/validate';

/** How an install construct's Helm charts reach the cluster. */
export enum DeliveryKind {
  /** Flux: a HelmRepository (or OCIRepository) and a HelmRelease per chart. */
  FLUX = 'flux',
  /** Argo CD: an Application per chart, ordered by sync waves. */
  ARGO_CD = 'argo-cd',
  /** No chart delivery: the operator or chart is installed elsewhere; only the custom resources are emitted. */
  MANIFESTS_ONLY = 'manifests-only',
}

/** Options of {@link Delivery.flux}. */
export interface FluxDeliveryOptions {
  /**
   * Namespace of the HelmRepository / OCIRepository and HelmRelease objects (the Flux controllers
   * watch it; the releases install into their own target namespaces).
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Reconciliation interval of the sources and releases (a Go duration in ms, s, m or h, as the
   * Flux CRDs require, e.g. '10m', '1h30m').
   * @default '1h'
   */
  readonly interval?: string;
  /**
   * How many times a failed install or upgrade is retried (`install.remediation.retries`,
   * `upgrade.remediation.retries`). A CNI that fails half-way leaves the cluster without pod network.
   * @default 3
   */
  readonly remediationRetries?: number;
}

/** Options of {@link Delivery.argoCd}. */
export interface ArgoCdDeliveryOptions {
  /**
   * Namespace of the Application objects (where Argo CD runs).
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * API server the charts are installed into.
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * Automated sync with `prune` (remove what a chart upgrade drops) and `selfHeal`.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Sync retries (`syncPolicy.retry.limit`, exponential backoff from 10s to 3m). Objects whose CRDs
   * another Application installs in the same sync need them.
   * @default 5
   */
  readonly retryLimit?: number;
}

/** The fields of each factory's options, for requireKnownKeys: a misspelt option would be silently ignored. */
const FLUX_KEYS: StructKeys<FluxDeliveryOptions> = { namespace: true, interval: true, remediationRetries: true };
const ARGO_CD_KEYS: StructKeys<ArgoCdDeliveryOptions> = {
  namespace: true, project: true, destinationServer: true, automated: true, retryLimit: true,
};

/**
 * The durations the pinned Flux CRDs accept for every `interval` emitted (HelmRelease `spec.interval`
 * and `chart.spec.interval`, HelmRepository and OCIRepository `spec.interval`): Go
 * `time.ParseDuration` syntax without sign and without the units below a millisecond
 * (`ns`, `us`, `µs`), which their pattern refuses.
 */
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

function optionError(factory: string, prop: string, message: string): Error {
  return new ValidationError(`Delivery.${factory}`, prop, message);
}

function dnsLabel(factory: string, prop: string, value: string | undefined, fallback: string): string {
  const label = requireOptionalString(`Delivery.${factory}`, prop, value) ?? fallback;
  if (!isDnsLabel(label)) throw optionError(factory, prop, `'${label}' is not a valid DNS-1123 label`);
  return label;
}

function count(factory: string, prop: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw optionError(factory, prop, `${typeof value === 'number' ? String(value) : describeValue(value)} must be an integer in 0-${max}`);
  }
  return value;
}

/**
 * How the Helm charts of `CalicoInstallation` and `CiliumInstall` reach the cluster, shared by both:
 * Flux (`HelmRepository` or `OCIRepository` + `HelmRelease`, helm.toolkit.fluxcd.io/v2 and
 * source.toolkit.fluxcd.io/v1), Argo CD (`Application` with `valuesObject`, ordered by sync waves),
 * or manifests only (the operator or chart is installed some other way). Whatever the delivery, the
 * install constructs order what they emit so that nothing is applied before the API it needs exists.
 */
export class Delivery {
  /**
   * Flux: each chart becomes a source (HelmRepository for https repositories, OCIRepository for
   * `oci://` ones) and a HelmRelease; releases that need another (the tigera-operator needs the
   * Calico CRDs) say so in `dependsOn`.
   */
  public static flux(options: FluxDeliveryOptions = {}): Delivery {
    const o = requireKnownKeys('Delivery.flux', 'options', requireProps('Delivery.flux', options, true, 'options'), FLUX_KEYS);
    const interval = requireOptionalString('Delivery.flux', 'interval', o.interval) ?? '1h';
    if (!FLUX_DURATION.test(interval)) {
      throw optionError('flux', 'interval', `'${interval}' is not a duration the Flux CRDs accept (digits with ms, s, m or h, e.g. '10m', '1h30m')`);
    }
    return new Delivery(DeliveryKind.FLUX, {
      namespace: dnsLabel('flux', 'namespace', o.namespace, 'flux-system'),
      interval,
      remediationRetries: count('flux', 'remediationRetries', o.remediationRetries, 3, 100),
    });
  }

  /**
   * Argo CD: each chart becomes an Application, and every object carries the
   * `argocd.argoproj.io/sync-wave` that puts it after what it needs.
   */
  public static argoCd(options: ArgoCdDeliveryOptions = {}): Delivery {
    const o = requireKnownKeys('Delivery.argoCd', 'options', requireProps('Delivery.argoCd', options, true, 'options'), ARGO_CD_KEYS);
    const server = requireOptionalString('Delivery.argoCd', 'destinationServer', o.destinationServer) ?? 'https://kubernetes.default.svc';
    // The whole string: a host, then optionally a path (Rancher-style proxies), never whitespace.
    if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(server)) {
      throw optionError('argoCd', 'destinationServer', `'${server}' is not an https:// API server URL`);
    }
    const automated = o.automated === undefined ? true : o.automated;
    if (typeof automated !== 'boolean') throw optionError('argoCd', 'automated', `${JSON.stringify(automated) ?? describeValue(automated)} is not a boolean`);
    return new Delivery(DeliveryKind.ARGO_CD, undefined, {
      namespace: dnsLabel('argoCd', 'namespace', o.namespace, 'argocd'),
      project: dnsLabel('argoCd', 'project', o.project, 'default'),
      destinationServer: server,
      automated,
      retryLimit: count('argoCd', 'retryLimit', o.retryLimit, 5, 100),
    });
  }

  /** No chart delivery: the operator or chart is installed elsewhere; only the custom resources are emitted. */
  public static manifestsOnly(): Delivery {
    return new Delivery(DeliveryKind.MANIFESTS_ONLY);
  }

  /** Which delivery. */
  public readonly kind: DeliveryKind;
  /** @internal */
  public readonly _flux?: ResolvedFlux;
  /** @internal */
  public readonly _argoCd?: ResolvedArgoCd;

  private constructor(kind: DeliveryKind, flux?: ResolvedFlux, argoCd?: ResolvedArgoCd) {
    this.kind = kind;
    this._flux = flux;
    this._argoCd = argoCd;
  }
}
