import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Per app root: `group|kind|namespace|name` -> the construct that emits it (its path only on error). */
const REGISTRIES = new WeakMap<IConstruct, Map<string, IConstruct>>();

/**
 * Record that `owner` emits `obj`, and fail at once if another construct already emits an object
 * of the same kind and name into the same namespace: the API server would keep only one of them,
 * silently dropping a policy.
 */
export function registerObject(owner: IConstruct, obj: ApiObject): ApiObject {
  const root = owner.node.root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = new Map();
    REGISTRIES.set(root, registry);
  }
  const key = `${obj.apiGroup || 'core'}|${obj.kind}|${obj.metadata.namespace ?? ''}|${obj.name}`;
  const existing = registry.get(key);
  if (existing !== undefined) {
    const where = obj.metadata.namespace ? `namespace '${obj.metadata.namespace}'` : 'the cluster scope';
    throw new Error(
      `[${owner.node.path}] ${obj.kind} '${obj.name}' in ${where} is already emitted by '${existing.node.path}'; ` +
        'give one of them another name',
    );
  }
  // The owner, not its path: a path is built by walking up the tree, and is needed only for the error.
  registry.set(key, owner);
  return obj;
}
