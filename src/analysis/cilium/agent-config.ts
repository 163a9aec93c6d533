/**
 * One agent option of the Cilium agent as the manifests set it (internal): the one reader of the
 * agent's configuration for the analyzer (the identity label filter, `http-normalize-path`, ...).
 *
 * The agent reads its flags from the `cilium-config` ConfigMap its DaemonSet mounts (a configMap
 * volume: the pod's own namespace). The Cilium chart (1.20.0 values.yaml) renders that ConfigMap
 * from its values: some options have a top-level value of their own (`labels`, quoted, and left out
 * when empty), any other only `extraConfig` ("additional configuration parameters to be included in
 * the cilium-config configmap"; a non-string lands unquoted, which the API server refuses). So the
 * manifests show an option as
 * - a key of a `cilium-config` ConfigMap; when the manifests show where the agent runs (a DaemonSet
 *   mounting `cilium-config`, the namespace a Cilium HelmRelease or Application installs into), one
 *   in another namespace is no agent's configuration and is not read. The chart installs into its
 *   `namespaceOverride` value when that is a non-empty string (chart 1.20.0 values.yaml: "override
 *   the destination namespace for Cilium resources", `""` by default; since chart 1.17,
 *   cilium/cilium#34624: it "takes precedence over the Release namespace for all contained
 *   resources"), else the release namespace: a Flux HelmRelease's `targetNamespace`, else its own;
 *   an Argo CD source's `helm.namespace`, else the Application's destination namespace (argo-cd
 *   ApplicationSourceHelm.Namespace). Where the values the manifests show may leave it to layers they do not
 *   show, the agent may run anywhere and cilium-config is read in every namespace;
 * - the values a Flux HelmRelease of the chart delivers (../flux-values): inline `values` merged
 *   last, over the `valuesFrom` ConfigMaps and Secrets, read from the manifests; the option is what
 *   the layers above the last one the manifests do not show (an object they lack, ...) say, and
 *   unknown when those say nothing, or when a `postRenderers` patch may select cilium-config (../flux-post-renderers);
 * - the values an Argo CD Application source of the chart delivers: `fileParameters` (a file of the
 *   repository: unknown) over `parameters` over the inline
 *   values over `valueFiles`; the inline values are `valuesObject` when it is set, else the `values`
 *   string, never both (argo-cd pkg/apis/application/v1alpha1/types.go `ValuesYAML`); an unparsable
 *   `values` string or `valueFiles` (not in the manifests) leave the option unknown. A parameter is
 *   `helm --set` (typed: `true`, `false`, `null` and integers are no strings, helm/helm
 *   pkg/strvals `typedVal`) unless `forceString` makes it `--set-string`. With several Cilium sources
 *   the last that says something counts.
 * - a `CiliumNodeConfig` (cilium.io/v2 or v2alpha1, in the agent's namespace: `cilium-dbg build-config`
 *   reads `cilium-node-config:<namespace>`) whose `spec.defaults` has the key overrides cilium-config on
 *   the nodes its `nodeSelector` selects (none without one, every node with an empty one: the CRD's
 *   field docs; docs.cilium.io "Per-node configuration"): the value when it selects every node, else
 *   unknown (the analyzer does not know which node a pod runs on).
 * CiliumInstall's own output is such a HelmRelease or Application, read the same way.
 */
import { parse } from 'yaml';
import { CILIUM_GROUP, isArgoApplication, isCiliumChart, isFluxHelmRelease, isKindOf, isPlainObject, namespaceOf } from '../../util/vocabulary';
import { postRenderersMayPatch } from '../flux-post-renderers';
import { fluxValuesLayers, knownTop, setValue } from '../flux-values';
import { describeRef, ManifestObject, refOf } from '../model';

/** An agent option and the Helm values that render it. */
export interface CiliumAgentOption {
  /** The `cilium-config` key (the agent flag), e.g. `http-normalize-path`. */
  readonly key: string;
  /**
   * The chart's own top-level value for it, rendered quoted and only when not empty (`labels`).
   * @default - none: only `extraConfig.<key>`
   */
  readonly helmValue?: string;
}

/** What one object of the manifests sets the option to. */
export interface CiliumAgentSetting {
  /** `ConfigMap kube-system/cilium-config`, `HelmRelease kube-system/cilium`. */
  readonly where: string;
  /** The string the agent reads; undefined when the manifests do not show it (or show one the agent never gets). */
  readonly value: string | undefined;
  /**
   * The agent may not read it at all: a `cilium-config` or CiliumNodeConfig read only because a Cilium
   * delivery may install the agent in any namespace, where the agent reads the chart's own
   * `cilium-config`, which may leave the option unset (its default).
   * @default false
   */
  readonly mayBeUnread?: boolean;
}

/** What a source says: a value (undefined: unknown), or nothing at all (undefined). */
type Said = { value: string | undefined } | undefined;

const hasOwn = (o: unknown, key: string): o is Record<string, unknown> => isPlainObject(o) && Object.prototype.hasOwnProperty.call(o, key);

/** The option in one Helm values tree, as the chart renders it into cilium-config. */
function fromValues(values: unknown, option: CiliumAgentOption): Said {
  if (!isPlainObject(values)) return undefined;
  const said: Array<string | undefined> = [];
  if (option.helmValue !== undefined && hasOwn(values, option.helmValue)) {
    const v = values[option.helmValue];
    // `labels: {{ .Values.labels | quote }}` under `{{- if .Values.labels }}` in some chart versions and `{{- if hasKey .Values "labels" }}`
    // in others (cilium/cilium install/kubernetes/cilium/templates/cilium-configmap.yaml): null and "" give the default either way
    // (nothing, or an empty list); false or 0 render nothing under one and "false"/"0" under the other, and any other non-string
    // is not read here: unknown.
    if (v !== null && v !== '') said.push(typeof v === 'string' ? v : undefined);
  }
  const extra = values.extraConfig;
  // A non-string lands in the ConfigMap's data unquoted, which the API server refuses: unknown.
  if (hasOwn(extra, option.key)) said.push(typeof extra[option.key] === 'string' ? extra[option.key] as string : undefined);
  if (said.length === 0) return undefined;
  // Both (the same key twice in the rendered ConfigMap): known only when they agree.
  return { value: said.every((v) => v === said[0]) ? said[0] : undefined };
}

/**
 * A Flux HelmRelease of the Cilium chart (../flux-values): what the layers above the last one the
 * manifests do not show say; when they say nothing, unknown if there is such a layer.
 */
function fromHelmRelease(release: ManifestObject, manifests: readonly ManifestObject[], option: CiliumAgentOption): Said {
  // A post-renderer patch that may select the rendered cilium-config (by name, a name pattern, or kind alone) comes after every value: not read.
  if (postRenderersMayPatch(release, { kind: 'ConfigMap', name: 'cilium-config' })) return { value: undefined };
  const { values, unknownBelow } = knownTop(fluxValuesLayers(release, manifests));
  const said = fromValues(values, option);
  if (!unknownBelow) return said;
  // Over values the manifests do not show, known only when every value that renders the key is set above them.
  const settled = hasOwn(values.extraConfig, option.key) && (option.helmValue === undefined || hasOwn(values, option.helmValue));
  return settled ? said : { value: undefined };
}

/** One Argo CD source of the Cilium chart: parameters over valuesObject (else the values string) over valueFiles. */
function fromArgoSource(helm: Record<string, any>, option: CiliumAgentOption): Said {
  const names = [`extraConfig.${option.key.replace(/\./g, '\\.')}`, ...(option.helmValue !== undefined ? [option.helmValue] : [])];
  // A file parameter (`--set-file`, merged over `--set`: helm/helm pkg/cli/values MergeValues) reads a file of the repository.
  const files: unknown[] = Array.isArray(helm.fileParameters) ? helm.fileParameters : [];
  if (files.some((f) => isPlainObject(f) && names.includes(f.name))) return { value: undefined };
  const params: unknown[] = Array.isArray(helm.parameters) ? helm.parameters : [];
  const set: Record<string, any> = {};
  for (const p of params) {
    if (!isPlainObject(p) || !names.includes(p.name)) continue;
    const value = setValue(p.value, p.forceString === true);
    if (option.helmValue !== undefined && p.name === option.helmValue) set[option.helmValue] = value;
    else set.extraConfig = { [option.key]: value };
  }
  const fromParams = fromValues(set, option);
  if (fromParams) return fromParams;
  let inline: unknown = helm.valuesObject;
  if (inline === undefined || inline === null) {
    if (typeof helm.values === 'string') {
      try {
        inline = parse(helm.values);
      } catch {
        return { value: undefined };
      }
    }
  }
  const fromInline = fromValues(inline, option);
  if (fromInline) return fromInline;
  return Array.isArray(helm.valueFiles) && helm.valueFiles.length > 0 ? { value: undefined } : undefined;
}

/** What the values say of one top-level value: known (any value, null included), unknown, or nothing (undefined). */
type Found = { readonly known: true; readonly value: unknown } | { readonly known: false } | undefined;

/** The value `name` of a Flux HelmRelease's values (../flux-values): the layers above the last unknown one, else unknown if there is one. */
function helmReleaseValue(release: ManifestObject, manifests: readonly ManifestObject[], name: string): Found {
  const { values, unknownBelow } = knownTop(fluxValuesLayers(release, manifests));
  if (hasOwn(values, name)) return { known: true, value: values[name] };
  return unknownBelow ? { known: false } : undefined;
}

/** The top-level value `name` of one Argo CD Helm source: fileParameters over parameters over the inline values over valueFiles. */
function argoValue(helm: Record<string, any>, name: string): Found {
  const files: unknown[] = Array.isArray(helm.fileParameters) ? helm.fileParameters : [];
  if (files.some((f) => isPlainObject(f) && f.name === name)) return { known: false };
  const params = (Array.isArray(helm.parameters) ? helm.parameters : []).filter((p: unknown) => isPlainObject(p) && p.name === name);
  if (params.length > 0) {
    const last = params[params.length - 1];
    return { known: true, value: setValue(last.value, last.forceString === true) };
  }
  let inline: unknown = helm.valuesObject;
  if ((inline === undefined || inline === null) && typeof helm.values === 'string') {
    try {
      inline = parse(helm.values);
    } catch {
      return { known: false };
    }
  }
  if (hasOwn(inline, name)) return { known: true, value: inline[name] };
  return Array.isArray(helm.valueFiles) && helm.valueFiles.length > 0 ? { known: false } : undefined;
}

/**
 * The namespace the chart installs into: `namespaceOverride` when the values set it to a non-empty
 * string, the release namespace when they set it to nothing (null, `""`) or do not set it; null
 * when it is not known (unknown values, or a value of another type, which the chart's schema refuses).
 */
function installNamespace(release: string | undefined, override: Found): string | undefined | null {
  if (override === undefined) return release;
  if (!override.known) return null;
  const v = override.value;
  if (v === null || v === '') return release;
  return typeof v === 'string' ? v : null;
}

/** A Cilium Helm delivery: the object, the namespaces the chart installs into, what it says of the option. */
interface Delivery {
  readonly obj: ManifestObject;
  /**
   * One per rendering of the chart (an Argo CD Application may have several Cilium sources). undefined:
   * the manifests do not say (no Argo CD destination namespace); null: the values may move it anywhere.
   */
  readonly namespaces: ReadonlyArray<string | undefined | null>;
  readonly said: Said;
}

const NAMESPACE_OVERRIDE = 'namespaceOverride';

function helmDeliveries(manifests: readonly ManifestObject[], option: CiliumAgentOption): Delivery[] {
  const out: Delivery[] = [];
  for (const obj of manifests) {
    const spec: unknown = obj?.spec;
    if (!isPlainObject(spec) || typeof obj.apiVersion !== 'string') continue;
    if (isFluxHelmRelease(obj)) {
      if (!isCiliumChart(spec.chart?.spec?.chart ?? spec.chartRef?.name)) continue;
      const release = typeof spec.targetNamespace === 'string' && spec.targetNamespace !== '' ? spec.targetNamespace : namespaceOf(obj);
      const namespace = installNamespace(release, helmReleaseValue(obj, manifests, NAMESPACE_OVERRIDE));
      out.push({ obj, namespaces: [namespace], said: fromHelmRelease(obj, manifests, option) });
    } else if (isArgoApplication(obj)) {
      const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter(isPlainObject);
      const cilium = sources.filter((s) => isCiliumChart(s.chart) || isCiliumChart(s.path));
      if (cilium.length === 0) continue;
      const said = cilium.map((s) => (isPlainObject(s.helm) ? fromArgoSource(s.helm, option) : undefined)).filter((x) => x !== undefined).pop();
      const destination = isPlainObject(spec.destination) && typeof spec.destination.namespace === 'string' ? spec.destination.namespace : undefined;
      // Each Cilium source renders the chart, with the release namespace `helm.namespace` ("an optional namespace to template
      // with. If left empty, defaults to the app's destination namespace": argo-cd pkg/apis/application/v1alpha1/types.go
      // ApplicationSourceHelm.Namespace), moved by its own namespaceOverride.
      const namespaces = cilium.map((s) => {
        const helm: Record<string, any> = isPlainObject(s.helm) ? s.helm : {};
        const release = typeof helm.namespace === 'string' && helm.namespace !== '' ? helm.namespace : destination;
        return installNamespace(release, argoValue(helm, NAMESPACE_OVERRIDE));
      });
      out.push({ obj, namespaces, said });
    }
  }
  return out;
}

/** Does a DaemonSet's pod template mount a ConfigMap named cilium-config (the agent's)? */
function mountsCiliumConfig(obj: ManifestObject): boolean {
  const volumes: unknown = (obj as any)?.spec?.template?.spec?.volumes;
  return Array.isArray(volumes) && volumes.some((v) => isPlainObject(v) && isPlainObject(v.configMap) && v.configMap.name === 'cilium-config');
}

/**
 * Where the manifests set the agent option `option`, in manifest order: the `cilium-config`
 * ConfigMaps of the agent's namespace (any, when the manifests do not show it) first, then its
 * CiliumNodeConfigs, then the Cilium Helm deliveries. Empty when the manifests set it nowhere (the agent's default applies).
 */
export function ciliumAgentSettings(manifests: readonly ManifestObject[], option: CiliumAgentOption): CiliumAgentSetting[] {
  const deliveries = helmDeliveries(manifests, option);
  const agents = new Set<string>();
  for (const obj of manifests) {
    if (obj?.apiVersion === 'apps/v1' && obj.kind === 'DaemonSet' && mountsCiliumConfig(obj)) agents.add(namespaceOf(obj));
  }
  for (const ns of deliveries.flatMap((d) => d.namespaces)) if (typeof ns === 'string') agents.add(ns);
  // A delivery whose namespace the manifests do not settle may put the agent in any namespace.
  const anywhere = deliveries.some((d) => d.namespaces.includes(null));
  // Nothing shows where the agent runs: a cilium-config anywhere is read as its own.
  const knownAgentNamespace = (obj: ManifestObject) => (agents.size === 0 && !anywhere) || agents.has(namespaceOf(obj));
  const agentNamespace = (obj: ManifestObject) => anywhere || knownAgentNamespace(obj);
  const unread = (obj: ManifestObject) => (knownAgentNamespace(obj) ? {} : { mayBeUnread: true });
  const out: CiliumAgentSetting[] = [];
  for (const obj of manifests) {
    if (obj?.apiVersion !== 'v1' || obj.kind !== 'ConfigMap' || obj.metadata?.name !== 'cilium-config') continue;
    if (!agentNamespace(obj)) continue;
    if (!hasOwn(obj.data, option.key)) continue;
    const value = obj.data[option.key];
    out.push({ where: describeRef(refOf(obj)), value: typeof value === 'string' ? value : undefined, ...unread(obj) });
  }
  for (const obj of manifests) {
    if (!isKindOf(obj, CILIUM_GROUP, 'CiliumNodeConfig')) continue;
    if (!agentNamespace(obj)) continue;
    const spec: unknown = obj.spec;
    if (!isPlainObject(spec) || !hasOwn(spec.defaults, option.key) || !isPlainObject(spec.nodeSelector)) continue;
    const value = spec.defaults[option.key];
    const everyNode = Object.values(spec.nodeSelector)
      .every((v) => v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isPlainObject(v) && Object.keys(v).length === 0));
    // On the nodes it selects; which nodes a pod runs on is not known, so a selective one is not one value.
    out.push({ where: describeRef(refOf(obj)), value: everyNode && typeof value === 'string' ? value : undefined, ...unread(obj) });
  }
  for (const d of deliveries) if (d.said) out.push({ where: describeRef(refOf(d.obj)), value: d.said.value });
  return out;
}
