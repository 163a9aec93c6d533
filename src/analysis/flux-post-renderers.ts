/**
 * Whether a Flux HelmRelease's post-renderers may rewrite an object of the rendered chart (internal).
 *
 * helm.toolkit.fluxcd.io/v2 `spec.postRenderers[].kustomize.patches[]` are kustomize patches
 * applied to the rendered manifests after every value: a `patch` (strategic merge or JSON6902) and
 * an optional `target`. A target selects by kustomize's selector rules (sigs.k8s.io/kustomize
 * api/types/selector.go `SelectorRegex`): `name` and `namespace` are regular expressions anchored at
 * both ends, `group`, `version` and `kind` must equal the object's when set, an empty field selects
 * every object, and `labelSelector`/`annotationSelector` read labels the manifests do not show for a
 * rendered object. Without a target the patch names its object itself (a strategic merge patch's
 * `metadata.name`). Read conservatively: a patch that may select the object counts.
 */
import { isPlainObject } from '../util/vocabulary';

/** An object of the rendered chart, by its core API kind and name. */
export interface RenderedObject {
  /** Kind, of the core group v1 (`ConfigMap`). */
  readonly kind: string;
  /** Name (`cilium-config`). */
  readonly name: string;
}

/** Does the anchored regular expression `pattern` match `value`? An invalid pattern may match anything. */
function anchoredMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return true;
  }
}

/** Does a kustomize patch `target` (undefined: none) possibly select the core v1 object `obj`? */
function targetMaySelect(target: Record<string, unknown>, obj: RenderedObject): boolean {
  const field = (key: string): string | undefined => (typeof target[key] === 'string' && target[key] !== '' ? target[key] as string : undefined);
  const group = field('group');
  const version = field('version');
  const kind = field('kind');
  const name = field('name');
  if (group !== undefined || (version !== undefined && version !== 'v1') || (kind !== undefined && kind !== obj.kind)) return false;
  return name === undefined || anchoredMatch(name, obj.name);
}

/**
 * Whether a post-renderer of `release` may patch the rendered object `obj`: a kustomize patch whose
 * target may select it, or a patch without a target whose text names it. A post-renderer of a shape
 * not read here (not a kustomize one, patches not a list) counts too.
 */
export function postRenderersMayPatch(release: unknown, obj: RenderedObject): boolean {
  const spec: unknown = isPlainObject(release) ? release.spec : undefined;
  const renderers: unknown = isPlainObject(spec) ? spec.postRenderers : undefined;
  if (!Array.isArray(renderers)) return false;
  return renderers.some((renderer) => {
    if (!isPlainObject(renderer)) return true;
    const kustomize: unknown = renderer.kustomize;
    if (kustomize === undefined) return false;
    if (!isPlainObject(kustomize)) return true;
    const patches: unknown = kustomize.patches;
    if (patches === undefined) return false;
    if (!Array.isArray(patches)) return true;
    return patches.some((p) => {
      if (!isPlainObject(p)) return true;
      if (isPlainObject(p.target)) return targetMaySelect(p.target, obj);
      return typeof p.patch !== 'string' || p.patch.includes(obj.name);
    });
  });
}
