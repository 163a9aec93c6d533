import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Delivery, DeliveryKind } from './delivery';
import { ResolvedArgoCd, ResolvedFlux } from './delivery-settings';
import { placeInWave } from './sync-waves';
import { Application } from '../imports/argoproj.io';
import {
  HelmRelease, HelmReleaseSpecChartRefKind, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds,
  HelmReleaseSpecUpgradeCrds,
} from '../imports/helm.toolkit.fluxcd.io';
import { HelmRepository, OciRepository } from '../imports/source.toolkit.fluxcd.io';
import { registerObject } from '../util/object-registry';

/** One Helm chart an install construct delivers. */
export interface ChartRelease {
  /** Name of the HelmRelease / Application (and of its OCIRepository). */
  readonly name: string;
  /** https:// Helm repository or oci:// registry path holding the chart. */
  readonly repository: string;
  /** Name of the HelmRepository object for an https repository (shared by the charts of one repository). */
  readonly repositoryName: string;
  readonly chart: string;
  readonly version: string;
  readonly releaseName: string;
  readonly targetNamespace: string;
  readonly values?: Record<string, unknown>;
  /** HelmReleases (same namespace) that must be ready first. */
  readonly dependsOn?: string[];
  /** Argo CD sync wave. */
  readonly wave: number;
  /** Apply server-side with Argo CD (CRDs beyond the client-side last-applied annotation limit). */
  readonly serverSideApply?: boolean;
  /**
   * Argo CD only: the Helm capabilities (`[group/]version/kind`) to render the chart with
   * (`source.helm.apiVersions`, passed to `helm template` instead of those Argo CD reads from the
   * destination cluster), for charts that choose what to emit by them. Not emitted for Flux:
   * helm-controller renders against the live cluster, which supplies its own.
   */
  readonly apiVersions?: string[];
}

/** Is `url` an OCI registry reference rather than an https Helm repository? */
export function isOciRepository(url: string): boolean {
  return url.startsWith('oci://');
}

/**
 * Emit the delivery objects of `release` into `scope` for `delivery`: nothing for manifests only.
 * Every emitted object is registered, so two installs of the same chart are an error.
 */
export function emitChartRelease(scope: Construct, delivery: Delivery, release: ChartRelease): ApiObject[] {
  switch (delivery.kind) {
    case DeliveryKind.FLUX:
      return emitFlux(scope, delivery._flux!, release);
    case DeliveryKind.ARGO_CD:
      return [emitArgoCd(scope, delivery._argoCd!, release)];
    case DeliveryKind.MANIFESTS_ONLY:
      return [];
  }
}

/**
 * Flux: the CRD behaviour is stated, not left to defaults. helm-controller installs a chart's
 * `crds/` directory with `install.crds: Create` (its default) but skips it on upgrades
 * (`upgrade.crds` defaults to `Skip`): `CreateReplace` keeps CRDs in step with the chart version.
 * (Calico's CRD chart ships its CRDs as templates and Cilium's operator registers its own, so for the
 * pinned charts this is a safeguard.)
 */
function emitFlux(scope: Construct, flux: ResolvedFlux, release: ChartRelease): ApiObject[] {
  const out: ApiObject[] = [];
  const oci = isOciRepository(release.repository);
  let chart: { chart?: any; chartRef?: any };
  if (oci) {
    const source = new OciRepository(scope, `${release.name}-oci-repository`, {
      metadata: { name: release.name, namespace: flux.namespace },
      spec: { url: `${release.repository.replace(/\/+$/, '')}/${release.chart}`, interval: flux.interval, ref: { tag: release.version } },
    });
    out.push(registerObject(scope, source));
    chart = { chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: release.name, namespace: flux.namespace } };
  } else {
    const existing = scope.node.tryFindChild(`${release.repositoryName}-helm-repository`) as ApiObject | undefined;
    if (!existing) {
      out.push(registerObject(scope, new HelmRepository(scope, `${release.repositoryName}-helm-repository`, {
        metadata: { name: release.repositoryName, namespace: flux.namespace },
        spec: { url: release.repository, interval: flux.interval },
      })));
    }
    chart = {
      chart: {
        spec: {
          chart: release.chart,
          version: release.version,
          sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: release.repositoryName, namespace: flux.namespace },
          interval: flux.interval,
        },
      },
    };
  }
  const remediation = { retries: flux.remediationRetries };
  out.push(registerObject(scope, new HelmRelease(scope, `${release.name}-helm-release`, {
    metadata: { name: release.name, namespace: flux.namespace },
    spec: {
      interval: flux.interval,
      releaseName: release.releaseName,
      targetNamespace: release.targetNamespace,
      ...chart,
      dependsOn: release.dependsOn?.map((name) => ({ name })),
      install: { crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation },
      upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation },
      values: release.values,
    },
  })));
  return out;
}

/**
 * Argo CD: one Application per chart in its sync wave, values as `valuesObject` (a map, never the
 * `values` string). No `resources-finalizer`: deleting the Application must not delete the CNI of a
 * running cluster. An `oci://` registry is Argo CD's native OCI source (3.1 and later,
 * argo-cd.readthedocs.io "OCI"): `repoURL` is the chart's own OCI reference, `path: .`, no `chart`;
 * public registries need no repository Secret, private ones the usual OCI repository credentials.
 */
function emitArgoCd(scope: Construct, argo: ResolvedArgoCd, release: ChartRelease): ApiObject {
  const chartSource = isOciRepository(release.repository)
    ? { repoUrl: `${release.repository.replace(/\/+$/, '')}/${release.chart}`, path: '.' }
    : { repoUrl: release.repository, chart: release.chart };
  const syncOptions = release.serverSideApply ? ['ServerSideApply=true'] : [];
  const app = new Application(scope, `${release.name}-application`, {
    metadata: { name: release.name, namespace: argo.namespace },
    spec: {
      project: argo.project,
      destination: { server: argo.destinationServer, namespace: release.targetNamespace },
      source: {
        ...chartSource,
        targetRevision: release.version,
        helm: { releaseName: release.releaseName, valuesObject: release.values, apiVersions: release.apiVersions },
      },
      syncPolicy: {
        automated: argo.automated ? { prune: true, selfHeal: true } : undefined,
        syncOptions: syncOptions.length > 0 ? syncOptions : undefined,
        retry: argo.retryLimit > 0 ? { limit: argo.retryLimit, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } } : undefined,
      },
    },
  });
  placeInWave(app, release.wave, false);
  return registerObject(scope, app);
}
