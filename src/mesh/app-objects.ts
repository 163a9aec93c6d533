/**
 * The Services, Namespaces and workloads of the app, each synthesized once per validation walk (internal).
 *
 * Several synth-time checks read what the app defines (the Istio Service-port check per flow, the
 * canary route's target check, the Linkerd probe check per routed Server). Each used to call
 * `toJson()` on every Service and workload of the app on its own, once per flow or Server; they now
 * share this one inventory.
 *
 * Staleness is never allowed to hide an object from a check (that would skip it: fail-open):
 * - every validation walk cdk8s runs starts at the App (cdk8s `App.synth()` and `App._synthChart`,
 *   the latter behind `chart.toJson()` and `Testing.synth()`, both validate `App.of(chart)` in
 *   preorder), so a validation on the root that drops the inventory runs before any check of that
 *   walk: whatever changed between two walks (an object added after a first synth, a container
 *   added to a cdk8s-plus Deployment, a JSON patch) is read again;
 * - outside a walk (a construct's `node.validate()` called alone), the inventory is also dropped
 *   when the number of constructs in the tree differs from when it was read, so an added object is
 *   always seen.
 * The synthesized objects are shared between the checks: they read them and never change them.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { WORKLOAD_TEMPLATES } from '../util/vocabulary';

/** One object of the app, as synthesized (patches and lazy values applied). */
export interface AppObject {
  /** The ApiObject it was synthesized from (its construct path names it in errors). */
  readonly construct: ApiObject;
  /** `kind` of the ApiObject. */
  readonly kind: string;
  /** `apiVersion` of the ApiObject. */
  readonly apiVersion: string;
  /** `metadata.namespace`, else `default`. */
  readonly namespace: string;
  /** The synthesized object (`toJson()`); shared, never to be changed. */
  readonly json: any;
}

/** The objects of the app the mesh checks read, in the order of the construct tree. */
export interface AppObjects {
  /** Every ApiObject of kind `Service` (any apiVersion: each check filters what it reads). */
  readonly services: readonly AppObject[];
  /** Every ApiObject of kind `Namespace`. */
  readonly namespaces: readonly AppObject[];
  /** Every ApiObject whose kind is a workload kind (`WORKLOAD_TEMPLATES`: Pod, Deployment, ..., CronJob). */
  readonly workloads: readonly AppObject[];
}

interface Cached {
  /** The number of constructs in the tree when it was read. */
  readonly size: number;
  readonly objects: AppObjects;
}

const cache = new WeakMap<IConstruct, Cached>();
/** Roots that carry the validation dropping their inventory at the start of each walk. */
const resetting = new WeakSet<IConstruct>();

/** The Services, Namespaces and workloads of the app `scope` belongs to (every chart). */
export function appObjects(scope: IConstruct): AppObjects {
  const root = scope.node.root;
  if (!resetting.has(root)) {
    resetting.add(root);
    // Preorder: the root's validations run first in every walk, before any check reads the inventory.
    root.node.addValidation({ validate: () => { cache.delete(root); return []; } });
  }
  const all = root.node.findAll();
  const hit = cache.get(root);
  if (hit && hit.size === all.length) return hit.objects;
  const services: AppObject[] = [];
  const namespaces: AppObject[] = [];
  const workloads: AppObject[] = [];
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const kind = c.kind;
    const list = kind === 'Service' ? services : kind === 'Namespace' ? namespaces
      : Object.prototype.hasOwnProperty.call(WORKLOAD_TEMPLATES, kind) ? workloads : undefined;
    if (!list) continue;
    const json = c.toJson();
    list.push({ construct: c, kind, apiVersion: c.apiVersion, namespace: json.metadata?.namespace ?? 'default', json });
  }
  const objects = { services, namespaces, workloads };
  cache.set(root, { size: all.length, objects });
  return objects;
}
