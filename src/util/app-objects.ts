/**
 * The Services, Namespaces and workloads of the app, each synthesized once per validation walk (internal).
 *
 * Several synth-time checks read what the app defines (the Istio Service-port check per flow, the
 * canary route's target check, the Linkerd probe check per routed Server). Each used to call
 * `toJson()` on every Service and workload of the app on its own, once per flow or Server; they now
 * share this one inventory.
 *
 * Staleness is never allowed to hide an object from a check (that would skip it: fail-open), so the
 * inventory is kept only for the length of one walk of the whole tree:
 * - every validation walk cdk8s runs starts at the App (cdk8s `App.synth()`, `App.synthYaml()` and
 *   `App._synthChart`, the latter behind `chart.toJson()` and `Testing.synth()`, all validate
 *   `App.of(chart)` in preorder), so a validation on the root runs before any check of that walk: it
 *   drops the inventory and opens the walk; whatever changed between two walks (an object added after
 *   a first synth, a container added to a cdk8s-plus Deployment, a JSON patch) is read again;
 * - the walk is closed by a validation on the last construct of the tree in preorder (the last one the
 *   walk visits), which runs after the checks that construct had then (a check added to it later runs
 *   after it and reads the objects afresh);
 * - outside a walk (a construct's `node.validate()` called alone, or a walk of one chart that does
 *   not start at the App), nothing is kept: every read synthesizes the objects again, as a change
 *   that adds no construct (a JSON patch, a cdk8s-plus `addContainer`) cannot be seen otherwise;
 * - within a walk, the inventory is also dropped when the number of constructs in the tree differs
 *   from when it was read. A walk that is opened but never closed (a validation throwing, or the
 *   App's `node.validate()` called alone) leaves only that guard until the next walk opens.
 * The synthesized objects are shared between the checks: they read them and never change them.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { hasLabels, isPlainObject, podTemplateOf, stringMap, WORKLOAD_TEMPLATES } from './vocabulary';

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
/** Roots that carry the validation opening a walk (and dropping their inventory). */
const opening = new WeakSet<IConstruct>();
/** Roots in a walk, with the last construct that walk visits. */
const walking = new WeakMap<IConstruct, IConstruct>();
/** Constructs that carry the validation closing a walk of their root. */
const closing = new WeakSet<IConstruct>();

/** Opens a walk of `root`: drops the inventory, and makes the last construct of the walk close it. */
function openWalk(root: IConstruct): void {
  cache.delete(root);
  const all = root.node.findAll();
  const last = all[all.length - 1];
  // Only the root: no check runs after this validation in the walk; nothing is kept.
  if (last === root) return;
  walking.set(root, last);
  if (closing.has(last)) return;
  closing.add(last);
  // Added after the construct's own checks, so it runs after them. A construct that is no longer the
  // last one (constructs were added since) leaves the walk open: the last one closes it.
  last.node.addValidation({
    validate: () => {
      if (walking.get(root) === last) {
        walking.delete(root);
        cache.delete(root);
      }
      return [];
    },
  });
}

/**
 * Lets the inventory of the app `scope` belongs to be kept for the length of each walk: to be called
 * when a check that reads it is added (`node.addValidation`), so that the first walk already starts
 * with the root's validation (one added during a walk runs from the next walk on).
 */
export function keepAppObjectsPerWalk(scope: IConstruct): void {
  const root = scope.node.root;
  if (opening.has(root)) return;
  opening.add(root);
  // Preorder: the root's validations run first in every walk, before any check reads the inventory.
  root.node.addValidation({ validate: () => { openWalk(root); return []; } });
}

/**
 * The Services, Namespaces and workloads of the app `scope` belongs to (every chart). `all`: the
 * constructs of its root (`root.node.findAll()`), when the caller has walked the tree already.
 */
export function appObjects(scope: IConstruct, all: readonly IConstruct[] = scope.node.root.node.findAll()): AppObjects {
  const root = scope.node.root;
  keepAppObjectsPerWalk(root);
  const inWalk = walking.has(root);
  const hit = inWalk ? cache.get(root) : undefined;
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
  if (inWalk) cache.set(root, { size: all.length, objects });
  return objects;
}

/** A workload of the app, its pod template and that template's (string) labels. */
export interface SelectedWorkload {
  /** The workload. */
  readonly object: AppObject;
  /** Its pod template (`podTemplateOf`). */
  readonly template: Record<string, any>;
  /** The template's `metadata.labels` with string values. */
  readonly labels: Record<string, string>;
}

/**
 * The workloads of the app in `namespace` with a pod template that carries every label of `selector`,
 * in construct-tree order (the pods a Server's or a flow's selector picks among the app's workloads).
 */
export function selectedWorkloads(objects: AppObjects, namespace: string, selector: Record<string, string>): SelectedWorkload[] {
  const out: SelectedWorkload[] = [];
  for (const object of objects.workloads) {
    const template = podTemplateOf(object.json);
    if (!template || object.namespace !== namespace) continue;
    const labels = stringMap(isPlainObject(template.metadata) ? template.metadata.labels : undefined);
    if (hasLabels(labels, selector)) out.push({ object, template, labels });
  }
  return out;
}

/** The `v1` Namespace object named `namespace` in the app (the first in construct-tree order), undefined when the app has none. */
export function namespaceObject(objects: AppObjects, namespace: string): AppObject | undefined {
  return objects.namespaces.find((o) => o.apiVersion === 'v1' && o.json.metadata?.name === namespace);
}
