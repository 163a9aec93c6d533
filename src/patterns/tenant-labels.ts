import { IConstruct } from 'constructs';
import { propError } from '../util/errors';

/** Per app: tenant label keys with the TenantIsolations using them, and the zero-trust namespaces' labels. */
interface TenantLabelRegistry {
  readonly claims: Map<string, IConstruct[]>;
  readonly namespaces: Array<{ readonly ns: IConstruct; readonly name: string; readonly labels: Record<string, string> }>;
}

const REGISTRY = new WeakMap<IConstruct, TenantLabelRegistry>();

function registryOf(scope: IConstruct): TenantLabelRegistry {
  const root = scope.node.root;
  let registry = REGISTRY.get(root);
  if (!registry) {
    registry = { claims: new Map(), namespaces: [] };
    REGISTRY.set(root, registry);
  }
  return registry;
}

/** Is `ns` one of the namespaces `isolation` creates itself? */
function isInside(ns: IConstruct, isolation: IConstruct): boolean {
  return ns.node.scopes.includes(isolation);
}

/**
 * A TenantIsolation claims its tenant label key. A zero-trust namespace of the same app created
 * outside it with that label key would silently join a tenant (its `allow-same-tenant` and guard rail
 * select namespaces by the label) or be cut off by every tenant's guard rail: an error, whichever
 * construct comes first. Several TenantIsolations may share a key (their tenants are isolated from
 * each other by the same guard rails).
 */
export function claimTenantLabel(isolation: IConstruct, key: string): void {
  const registry = registryOf(isolation);
  const claimants = [...(registry.claims.get(key) ?? []), isolation];
  const stray = registry.namespaces.find((n) => Object.prototype.hasOwnProperty.call(n.labels, key)
    && !claimants.some((claimant) => isInside(n.ns, claimant)));
  if (stray) {
    throw propError(isolation, 'tenantLabel', `the zero-trust namespace '${stray.name}' (${stray.ns.node.path}) already carries the label `
      + `'${key}', so it would join a tenant without being one of this construct's namespaces: list it under namespaces instead`);
  }
  registry.claims.set(key, claimants);
}

/** Record a zero-trust namespace's labels; refuse a tenant label key it carries outside its TenantIsolation. */
export function checkTenantLabels(ns: IConstruct, name: string, labels: Record<string, string>): void {
  const registry = registryOf(ns);
  for (const key of Object.keys(labels)) {
    const claimants = registry.claims.get(key) ?? [];
    if (claimants.length > 0 && !claimants.some((isolation) => isInside(ns, isolation))) {
      throw propError(ns, `labels.${key}`, `'${key}' is the tenant label of TenantIsolation ${claimants[0].node.path}: this namespace `
        + 'would join a tenant without being one of its namespaces; list it under that TenantIsolation\'s namespaces instead');
    }
  }
  registry.namespaces.push({ ns, name, labels });
}
