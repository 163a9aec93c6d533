import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

/** Per app root: `group|kind|namespace|name` -> the construct that emits it (its path only on error). */
const REGISTRIES = new WeakMap<IConstruct, Map<string, IConstruct>>();

/**
 * Record that `owner` emits `obj`, and fail at once if another construct already emits an object
 * of the same kind and name into the same namespace: the API server would keep only one of them,
 * silently dropping a policy.
 *
 * A construction-time check on purpose (not a synth-time validation): it is symmetric (whichever
 * object comes second fails, naming the first), so the order of construction does not matter, the
 * error points at the line that creates the duplicate, and the lookup is O(1) per object (one Map
 * per app), where a validation would walk every object of the app.
 */
export function registerObject(owner: IConstruct, obj: ApiObject): ApiObject {
  // The root by walking up: `node.root` builds the array of every scope first.
  let root: IConstruct = owner;
  for (let up = root.node.scope; up !== undefined; up = up.node.scope) root = up;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = new Map();
    REGISTRIES.set(root, registry);
  }
  // join() makes one flat string; a template literal would keep a cons string beside its flattened copy.
  const key = [obj.apiGroup || 'core', obj.kind, obj.metadata.namespace ?? '', obj.name].join('|');
  const existing = registry.get(key);
  if (existing !== undefined) {
    const where = obj.metadata.namespace ? `namespace '${obj.metadata.namespace}'` : 'the cluster scope';
    throw new ValidationError(owner.node.path, 'metadata.name',
      `${obj.kind} '${obj.name}' in ${where} is already emitted by '${existing.node.path}'; give one of them another name`);
  }
  // The owner, not its path: a path is built by walking up the tree, and is needed only for the error.
  registry.set(key, owner);
  return obj;
}
