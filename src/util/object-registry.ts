import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';

const REGISTRIES = new WeakMap<IConstruct, Map<string, string>>();

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
  const root = owner.node.root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = new Map();
    REGISTRIES.set(root, registry);
  }
  const group = obj.apiGroup || 'core';
  const where = obj.metadata.namespace ? `namespace '${obj.metadata.namespace}'` : 'the cluster scope';
  const key = `${group}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.name}`;
  const existing = registry.get(key);
  if (existing !== undefined) {
    throw new ValidationError(owner.node.path, 'metadata.name',
      `${obj.kind} '${obj.name}' in ${where} is already emitted by '${existing}'; give one of them another name`);
  }
  registry.set(key, owner.node.path);
  return obj;
}
