import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CalicoCrdMode } from './calico-options';
import { DeliveryKind } from '../../delivery/delivery';
import { propError } from '../../util/errors';
import { requireOneOf, requireString } from '../../util/guards';
import { CALICO_STORAGE_GROUP, POLICY_API_GROUP } from '../../util/vocabulary';

/**
 * What CalicoInstallation does differently per {@link CalicoCrdMode} (NETWORKING-FACTS.md, Calico
 * "How projectcalico.org/v3 is served in 3.32"; shared/crds/SOURCES.md): the CRD chart, the
 * Kubernetes version the mode needs, the Helm capabilities Argo CD must render the chart with, and
 * the objects the mode's CRDs cannot hold.
 */

/** The CRD chart of a mode and the name of its HelmRelease / Application (and Helm release). */
export interface CalicoCrdChart {
  readonly name: string;
  readonly chart: string;
}

/**
 * One CRD chart per mode, never both. The native chart has its own release name: swapping the chart
 * under the existing `calico-crds` release would make Helm delete the v1 CRDs (and every object
 * stored in them) on the upgrade.
 */
export const CRD_CHARTS: { readonly [M in CalicoCrdMode]: CalicoCrdChart } = {
  [CalicoCrdMode.API_SERVER]: { name: 'calico-crds', chart: 'crd.projectcalico.org.v1' },
  [CalicoCrdMode.NATIVE_V3]: { name: 'calico-v3-crds', chart: 'projectcalico.org.v3' },
};

/** Native v3 CRDs need MutatingAdmissionPolicy: Kubernetes 1.34 (beta, feature gate) or later. */
const NATIVE_V3_MIN_MINOR = 34;
/** MutatingAdmissionPolicy is GA (admissionregistration.k8s.io/v1) from Kubernetes 1.36. */
const MAP_GA_MINOR = 36;
/** The capability the projectcalico.org.v3 chart checks to emit v1 rather than v1beta1 admission policies. */
export const MAP_V1_CAPABILITY = 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy';

/** A Kubernetes `major.minor` version. */
export interface KubernetesMinorVersion {
  readonly major: number;
  readonly minor: number;
}

/**
 * The CRD mode given, checked (jsii and plain-JS callers can pass any value), and the same as the
 * ClusterNetwork's `Cni.calico({ nativeV3Crds })` says: policies, the analyzer and lint read the
 * mode from there. When not given, the Cni's.
 */
export function crdModeOf(scope: IConstruct, value: CalicoCrdMode | undefined, cniNativeV3Crds: boolean): CalicoCrdMode {
  const cniMode = cniNativeV3Crds ? CalicoCrdMode.NATIVE_V3 : CalicoCrdMode.API_SERVER;
  if (value === undefined) return cniMode;
  const mode = requireOneOf(scope, 'crdMode', value, Object.values(CalicoCrdMode), 'a CalicoCrdMode');
  if (mode !== cniMode) {
    throw propError(scope, 'crdMode', `${mode} differs from the ClusterNetwork's Cni.calico({ nativeV3Crds: ${cniNativeV3Crds} }), `
      + 'which policies, the analyzer and lint go by: set the same mode in both (or leave crdMode out to take the Cni\'s)');
  }
  return mode;
}

/**
 * The `kubernetesVersion` prop: required with the native mode, which needs 1.34 or later; refused
 * with the API-server mode, where nothing uses it.
 */
export function kubernetesVersionOf(scope: IConstruct, mode: CalicoCrdMode, value: string | undefined): KubernetesMinorVersion | undefined {
  if (mode !== CalicoCrdMode.NATIVE_V3) {
    if (value !== undefined) throw propError(scope, 'kubernetesVersion', 'only applies with crdMode: CalicoCrdMode.NATIVE_V3');
    return undefined;
  }
  if (value === undefined) {
    throw propError(scope, 'kubernetesVersion', "is required with crdMode: CalicoCrdMode.NATIVE_V3 (native v3 CRDs need Kubernetes 1.34 or later); give the cluster's version, e.g. '1.34'");
  }
  const text = requireString(scope, 'kubernetesVersion', value, true);
  const match = /^v?(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})(?:\.(?:0|[1-9]\d{0,5}))?$/.exec(text);
  if (!match) throw propError(scope, 'kubernetesVersion', `'${text}' is not a Kubernetes version like '1.34' or '1.34.2'`);
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (version.major < 1 || (version.major === 1 && version.minor < NATIVE_V3_MIN_MINOR)) {
    throw propError(scope, 'kubernetesVersion', `'${text}': native v3 CRDs need Kubernetes 1.${NATIVE_V3_MIN_MINOR} or later `
      + '(MutatingAdmissionPolicy); keep crdMode: CalicoCrdMode.API_SERVER on this cluster');
  }
  return version;
}

/** The first Calico release with native v3 CRDs (the projectcalico.org.v3 chart): 3.32.0. */
const NATIVE_V3_FIRST_RELEASE = [3, 32] as const;

/**
 * The Calico release (`version` prop, `vX.Y.Z`, already checked) must have native v3 CRDs when the
 * mode asks for them: before 3.32 the projectcalico.org.v3 chart does not exist and the operator
 * knows no such mode.
 */
export function checkReleaseHasMode(scope: IConstruct, mode: CalicoCrdMode, version: string): void {
  if (mode !== CalicoCrdMode.NATIVE_V3) return;
  const [major, minor] = version.slice(1).split('.').map(Number);
  const [firstMajor, firstMinor] = NATIVE_V3_FIRST_RELEASE;
  if (major < firstMajor || (major === firstMajor && minor < firstMinor)) {
    throw propError(scope, 'version', `'${version}' has no native v3 CRDs (new in Calico v${firstMajor}.${firstMinor}.0, chart projectcalico.org.v3); `
      + 'use a later release or crdMode: CalicoCrdMode.API_SERVER');
  }
}

/**
 * The Helm API versions the native CRD chart must be rendered with, for Argo CD. The chart emits its
 * MutatingAdmissionPolicies as admissionregistration.k8s.io/v1beta1 unless the render capabilities
 * list the v1 kind, and Kubernetes 1.36 serves v1: Argo CD renders with `helm template`, so the
 * Application states it (`source.helm.apiVersions`). Below 1.36 the chart's v1beta1 default is right.
 *
 * Flux needs nothing: helm-controller installs and upgrades with Helm's install/upgrade actions
 * against the live cluster, whose discovery supplies the capabilities (and the HelmRelease API has
 * no field for them).
 */
export function crdChartApiVersions(mode: CalicoCrdMode, delivery: DeliveryKind, version: KubernetesMinorVersion | undefined): string[] | undefined {
  if (mode !== CalicoCrdMode.NATIVE_V3 || delivery !== DeliveryKind.ARGO_CD || version === undefined) return undefined;
  return version.major > 1 || version.minor >= MAP_GA_MINOR ? [MAP_V1_CAPABILITY] : undefined;
}

/**
 * The objects of the app the native mode's CRDs cannot hold, as validation messages naming each
 * object's path: policy.networking.k8s.io ClusterNetworkPolicy (not in the projectcalico.org.v3
 * chart) and crd.projectcalico.org objects (the v1 CRDs are not installed in this mode).
 */
export function unservedInNativeMode(root: IConstruct): string[] {
  const messages: string[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    if (c.apiGroup === POLICY_API_GROUP && c.kind === 'ClusterNetworkPolicy') {
      messages.push(`crdMode: ClusterNetworkPolicy '${c.name}' (${c.node.path}) cannot be applied: the native v3 CRD chart `
        + '(projectcalico.org.v3) does not ship the policy.networking.k8s.io ClusterNetworkPolicy CRD. Express it as Calico policy '
        + '(a TrafficPolicy renders GlobalNetworkPolicy on Cni.calico()) or use crdMode: CalicoCrdMode.API_SERVER');
    } else if (c.apiGroup === CALICO_STORAGE_GROUP) {
      messages.push(`crdMode: ${c.kind} '${c.name}' (${c.node.path}) is a ${CALICO_STORAGE_GROUP} object, but native v3 mode installs `
        + `no ${CALICO_STORAGE_GROUP} CRDs: emit it as projectcalico.org/v3`);
    }
  }
  return messages;
}
