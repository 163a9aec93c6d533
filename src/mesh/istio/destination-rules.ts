import { ApiObject, Chart, Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import { propError } from '../../util/errors';
import { registerObject } from '../../util/object-registry';

/** The traffic-policy fields several constructs may contribute to one host's DestinationRule. */
export type DestinationRuleField = 'tls' | 'connectionPool' | 'outlierDetection' | 'loadBalancer';

/** What one construct contributes to the DestinationRule of a host (internal). */
export interface DestinationRuleContribution {
  /** Top-level traffic-policy fields. */
  readonly trafficPolicy?: { readonly [F in DestinationRuleField]?: unknown };
  /** Subsets (name -> pod labels). */
  readonly subsets?: Array<{ readonly name: string; readonly labels: Record<string, string> }>;
}

interface Owned<T> { readonly value: T; readonly by: string; readonly prop: string }

interface HostRule {
  readonly object: ApiObject;
  readonly fields: Map<DestinationRuleField, Owned<unknown>>;
  readonly subsets: Map<string, Owned<Record<string, string>>>;
}

/** Root -> `<namespace>/<host>` -> the one DestinationRule of that host. */
const RULES = new WeakMap<IConstruct, Map<string, HostRule>>();

/** Field order in the emitted trafficPolicy (stable output). */
const FIELD_ORDER: DestinationRuleField[] = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'];

/**
 * Contribute settings to the one DestinationRule of `host` (a Service name) in `namespace`. Istio
 * merges nothing across DestinationRules of one host (only one applies; which one is unspecified), so
 * IstioMtls, CircuitBreaker and CanaryRoute write into a shared object, emitted in the chart of the
 * first contributor and named after the Service. The same setting from two constructs must agree:
 * anything else is an error naming both.
 *
 * Every subset repeats the host's traffic policy: a subset's trafficPolicy takes precedence over the
 * host's, so TLS (and the circuit breaker) written only at the top could be lost for traffic routed
 * to a subset.
 */
export function contributeDestinationRule(
  contributor: IConstruct,
  prop: string,
  namespace: string,
  host: string,
  contribution: DestinationRuleContribution,
): ApiObject {
  const root = contributor.node.root;
  let rules = RULES.get(root);
  if (!rules) {
    rules = new Map();
    RULES.set(root, rules);
  }
  const key = `${namespace}/${host}`;
  let rule = rules.get(key);
  if (!rule) {
    rule = newHostRule(contributor, namespace, host);
    rules.set(key, rule);
  }
  const by = contributor.node.path;
  for (const field of FIELD_ORDER) {
    const value = contribution.trafficPolicy?.[field];
    if (value === undefined) continue;
    const existing = rule.fields.get(field);
    if (existing && canonical(existing.value) !== canonical(value)) {
      throw propError(contributor, prop, `conflicts with ${existing.by} (${existing.prop}) on the DestinationRule of host '${host}' in namespace `
        + `'${namespace}': both set trafficPolicy.${field}, to ${canonical(existing.value)} and ${canonical(value)}. One host has one `
        + 'DestinationRule: make the settings agree or drop one of them');
    }
    if (!existing) rule.fields.set(field, { value, by, prop });
  }
  for (const subset of contribution.subsets ?? []) {
    const existing = rule.subsets.get(subset.name);
    if (existing && canonical(existing.value) !== canonical(subset.labels)) {
      throw propError(contributor, prop, `conflicts with ${existing.by} (${existing.prop}): subset '${subset.name}' of host '${host}' in namespace `
        + `'${namespace}' selects ${canonical(existing.value)} there and ${canonical(subset.labels)} here`);
    }
    const sameLabels = [...rule.subsets.entries()].find(([name, s]) => name !== subset.name && canonical(s.value) === canonical(subset.labels));
    if (sameLabels) {
      throw propError(contributor, prop, `subset '${subset.name}' of host '${host}' selects the same pods (${canonical(subset.labels)}) as subset `
        + `'${sameLabels[0]}' of ${sameLabels[1].by}: give each version one subset name`);
    }
    if (!existing) rule.subsets.set(subset.name, { value: { ...subset.labels }, by, prop });
  }
  return rule.object;
}

/** The subset names defined for `host` so far, for checks by routes (internal). */
export function destinationRuleSubsets(scope: IConstruct, namespace: string, host: string): string[] {
  return [...(RULES.get(scope.node.root)?.get(`${namespace}/${host}`)?.subsets.keys() ?? [])];
}

function newHostRule(contributor: IConstruct, namespace: string, host: string): HostRule {
  const fields = new Map<DestinationRuleField, Owned<unknown>>();
  const subsets = new Map<string, Owned<Record<string, string>>>();
  const chart = Chart.of(contributor);
  const id = `istio-destination-rule-${namespace}-${host}`;
  const object = new ApiObject(chart, id, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: host, namespace },
    spec: Lazy.any({
      produce: () => {
        const policy: Record<string, unknown> = {};
        for (const field of FIELD_ORDER) {
          const owned = fields.get(field);
          if (owned) policy[field] = clone(owned.value);
        }
        const hasPolicy = Object.keys(policy).length > 0;
        const spec: Record<string, unknown> = { host };
        if (hasPolicy) spec.trafficPolicy = policy;
        if (subsets.size > 0) {
          spec.subsets = [...subsets.entries()].map(([name, s]) => ({
            name,
            labels: sorted(s.value),
            ...(hasPolicy ? { trafficPolicy: clone(policy) } : {}),
          }));
        }
        return spec;
      },
    }),
  });
  registerObject(contributor, object);
  return { object, fields, subsets };
}

function sorted(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** JSON with sorted keys: equal settings compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}
