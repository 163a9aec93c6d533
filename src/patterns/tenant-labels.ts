import { IConstruct } from 'constructs';
import { propError } from '../util/errors';

/**
 * Per app: the tenant label key and the TenantIsolations using it, the tenants they declare, and
 * the zero-trust namespaces' labels. All lookups are O(1) per tenant and per namespace.
 *
 * These checks run at construction, not as synth-time validations: each is symmetric (whichever of
 * two conflicting constructs comes second fails, naming the first), so the order of construction
 * does not matter, and failing at once points at the line that creates the conflict, before any
 * policy is built on the wrong assumption (a guard rail of one key cannot be repaired later).
 */
interface TenantLabelRegistry {
  /** The tenant label key of the app (at most one: different keys are not isolated from each other). */
  key?: string;
  readonly claims: IConstruct[];
  /** `tenant` -> the TenantIsolation that declares it. */
  readonly tenants: Map<string, IConstruct>;
  readonly namespaces: Array<{ readonly ns: IConstruct; readonly name: string; readonly labels: Record<string, string> }>;
}

const REGISTRY = new WeakMap<IConstruct, TenantLabelRegistry>();

function registryOf(scope: IConstruct): TenantLabelRegistry {
  const root = scope.node.root;
  let registry = REGISTRY.get(root);
  if (!registry) {
    registry = { claims: [], tenants: new Map(), namespaces: [] };
    REGISTRY.set(root, registry);
  }
  return registry;
}

/** Is `ns` one of the namespaces `isolation` creates itself? */
function isInside(ns: IConstruct, isolation: IConstruct): boolean {
  return ns.node.scopes.includes(isolation);
}

/**
 * A TenantIsolation claims its tenant label key.
 * - All TenantIsolations of an app use one key: each guard rail denies only namespaces carrying its
 *   own key with another value, so a namespace labelled `customer-tenant: globex` is no "other
 *   tenant" for `tenant: acme`, and the two would not be isolated from each other.
 * - A zero-trust namespace of the same app created outside it with that label key would silently
 *   join a tenant (its `allow-same-tenant` and guard rail select namespaces by the label) or be cut
 *   off by every tenant's guard rail.
 * Several TenantIsolations may share the key (their tenants are isolated from each other by the same
 * guard rails).
 */
export function claimTenantLabel(isolation: IConstruct, key: string): void {
  const registry = registryOf(isolation);
  if (registry.key !== undefined && registry.key !== key) {
    throw propError(isolation, 'tenantLabel', `'${key}' differs from the tenant label '${registry.key}' of TenantIsolation `
      + `${registry.claims[0].node.path}: guard rails of different keys do not see each other's tenants as other tenants, so `
      + `tenants of ${isolation.node.path} and ${registry.claims[0].node.path} would not be isolated from each other. Use one `
      + 'tenant label key in the whole app');
  }
  const claimants = [...registry.claims, isolation];
  const stray = registry.namespaces.find((n) => Object.prototype.hasOwnProperty.call(n.labels, key)
    && !claimants.some((claimant) => isInside(n.ns, claimant)));
  if (stray) {
    throw propError(isolation, 'tenantLabel', `the zero-trust namespace '${stray.name}' (${stray.ns.node.path}) already carries the label `
      + `'${key}', so it would join a tenant without being one of this construct's namespaces: list it under namespaces instead`);
  }
  registry.key = key;
  registry.claims.push(isolation);
}

/**
 * A TenantIsolation declares a tenant. The same tenant in two TenantIsolations of one app would
 * merge silently (both label their namespaces `<key>: <tenant>`, so each one's same-tenant allow and
 * guard rail admit the other's namespaces): an error naming both.
 */
export function claimTenant(isolation: IConstruct, prop: string, tenant: string): void {
  const registry = registryOf(isolation);
  const owner = registry.tenants.get(tenant);
  if (owner !== undefined && owner !== isolation) {
    throw propError(isolation, prop, `tenant '${tenant}' is already declared by TenantIsolation ${owner.node.path}: its namespaces would `
      + 'silently join that tenant. Declare each tenant once, listing all its namespaces under namespaces');
  }
  registry.tenants.set(tenant, isolation);
}

/** Record a zero-trust namespace's labels; refuse a tenant label key it carries outside its TenantIsolation. */
export function checkTenantLabels(ns: IConstruct, name: string, labels: Record<string, string>): void {
  const registry = registryOf(ns);
  const key = registry.key;
  if (key !== undefined && Object.prototype.hasOwnProperty.call(labels, key) && !registry.claims.some((isolation) => isInside(ns, isolation))) {
    throw propError(ns, `labels.${key}`, `'${key}' is the tenant label of TenantIsolation ${registry.claims[0].node.path}: this namespace `
      + 'would join a tenant without being one of its namespaces; list it under that TenantIsolation\'s namespaces instead');
  }
  registry.namespaces.push({ ns, name, labels });
}
