/**
 * Objects the API server or the CNI's own validation rejects never reach a cluster: the analyzer
 * reports them (object, JSON path, problem) and evaluates the manifests without them. Only the kinds
 * the analysis reads are checked, and only in the fields it reads; the lint (rule `invalid-object`)
 * reports the same problems.
 */
import { checkCalicoNetworkSet, checkCalicoPolicy, checkCalicoTier } from './calico';
import { at, Checker, Problem } from './checker';
import { checkCiliumCidrGroup, checkCiliumPolicy } from './cilium';
import { checkAdminNetworkPolicy, checkClusterNetworkPolicy } from './cluster-network-policy';
import { checkNamespace, checkNetworkPolicy, checkWorkload } from './kubernetes';
import { printable } from '../../util/printable';
import {
  apiGroupOf, apiVersionOf, CALICO_GROUP, CILIUM_GROUP, isPlainObject, isWorkload, NETWORKING_GROUP, POLICY_API_GROUP,
} from '../../util/vocabulary';

export type { Problem } from './checker';

/** A kind the analyzer validates: who rejects it, which versions are served, and the checks. */
interface KindRule {
  readonly rejectedBy: string;
  /** Served versions; empty for kinds that are checked whatever the version (workloads). */
  readonly versions: readonly string[];
  /** The apiVersion to use instead, when the group itself is not served for the kind. */
  readonly use?: string;
  readonly check: (obj: Record<string, any>, c: Checker) => void;
  /** A custom resource (structural schema: null list items are rejected). */
  readonly structural?: boolean;
}

const CALICO_POLICY: KindRule = { rejectedBy: 'Calico', versions: ['v3'], check: checkCalicoPolicy, structural: true };
const CILIUM_POLICY: KindRule = { rejectedBy: 'the API server or Cilium', versions: ['v2'], check: checkCiliumPolicy, structural: true };
const ADMIN_POLICY: KindRule = { rejectedBy: 'the API server', versions: ['v1alpha1'], check: checkAdminNetworkPolicy, structural: true };

/** Per API group and kind. */
const KIND_RULES: Record<string, Record<string, KindRule>> = {
  [NETWORKING_GROUP]: { NetworkPolicy: { rejectedBy: 'the API server', versions: ['v1'], check: checkNetworkPolicy } },
  // Removed in Kubernetes 1.16 (extensions/v1beta1 NetworkPolicy).
  'extensions': { NetworkPolicy: { rejectedBy: 'the API server', versions: [], use: 'networking.k8s.io/v1', check: () => undefined } },
  [POLICY_API_GROUP]: {
    ClusterNetworkPolicy: { rejectedBy: 'the API server', versions: ['v1alpha2'], check: checkClusterNetworkPolicy, structural: true },
    AdminNetworkPolicy: ADMIN_POLICY,
    BaselineAdminNetworkPolicy: ADMIN_POLICY,
  },
  [CALICO_GROUP]: {
    NetworkPolicy: CALICO_POLICY,
    GlobalNetworkPolicy: CALICO_POLICY,
    NetworkSet: { rejectedBy: 'Calico', versions: ['v3'], check: checkCalicoNetworkSet, structural: true },
    GlobalNetworkSet: { rejectedBy: 'Calico', versions: ['v3'], check: checkCalicoNetworkSet, structural: true },
    Tier: { rejectedBy: 'Calico', versions: ['v3'], check: checkCalicoTier, structural: true },
  },
  [CILIUM_GROUP]: {
    CiliumNetworkPolicy: CILIUM_POLICY,
    CiliumClusterwideNetworkPolicy: CILIUM_POLICY,
    CiliumCIDRGroup: { rejectedBy: 'the API server', versions: ['v2', 'v2alpha1'], check: checkCiliumCidrGroup, structural: true },
  },
  '': { Namespace: { rejectedBy: 'the API server', versions: ['v1'], check: checkNamespace } },
};

/** Why an object is rejected. */
export interface Rejection {
  /** Who rejects it: `the API server`, `Calico`, `the API server or Cilium`. */
  readonly rejectedBy: string;
  /** Every problem, with its JSON path. */
  readonly problems: Problem[];
}

function kindRuleOf(obj: Record<string, any>): KindRule | undefined {
  if (isWorkload(obj)) return { rejectedBy: 'the API server', versions: [], check: checkWorkload };
  const byKind = KIND_RULES[apiGroupOf(obj)];
  return byKind && typeof obj.kind === 'string' && Object.prototype.hasOwnProperty.call(byKind, obj.kind) ? byKind[obj.kind] : undefined;
}

/**
 * The problems of one manifest that the API server or the CNI would reject, or undefined when it is
 * accepted (or of a kind the analyzer does not read). Never throws.
 */
export function validateManifest(obj: unknown): Rejection | undefined {
  if (!isPlainObject(obj)) return undefined;
  const rule = kindRuleOf(obj);
  if (!rule) return undefined;
  const c = new Checker(rule.structural === true);
  const version = apiVersionOf(obj);
  if (rule.use !== undefined || (rule.versions.length > 0 && (version === undefined || !rule.versions.includes(version)))) {
    const use = rule.use ?? `${apiGroupOf(obj) ? `${apiGroupOf(obj)}/` : ''}${rule.versions[0]}`;
    c.report('apiVersion', `${obj.apiVersion} is not a served version of ${obj.kind} (use ${use})`);
  } else {
    const metadata = c.object(obj.metadata, 'metadata');
    if (metadata) {
      c.objectName(metadata.name, at('metadata', 'name'), obj.kind === 'Namespace');
      c.objectName(metadata.namespace, at('metadata', 'namespace'), true);
    }
    try {
      rule.check(obj, c);
    } catch (e) {
      // The checks are written to take any value; a failure here is a bug, reported rather than thrown.
      c.report('', `could not be checked: ${(e as Error).message}`);
    }
  }
  return c.problems.length > 0 ? { rejectedBy: rule.rejectedBy, problems: c.problems } : undefined;
}

/** An object left out of the analysis, with why. */
export interface InvalidObject {
  readonly object: Record<string, any>;
  readonly rejection: Rejection;
}

/** Split manifests into those the analysis evaluates and the rejected ones. */
export function partitionManifests<T>(manifests: T[]): { valid: T[]; invalid: Array<InvalidObject & { object: T }> } {
  const valid: T[] = [];
  const invalid: Array<InvalidObject & { object: T }> = [];
  for (const obj of manifests) {
    const rejection = validateManifest(obj);
    if (rejection) invalid.push({ object: obj as T & Record<string, any>, rejection });
    else valid.push(obj);
  }
  return { valid, invalid };
}

/** `Kind namespace/name` (or `Kind name`) of a manifest, for notes. */
export function labelOf(obj: Record<string, any>): string {
  const kind = typeof obj.kind === 'string' ? obj.kind : 'object';
  const metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '(no name)';
  const ns = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? `${metadata.namespace}/` : '';
  // The note quotes the manifest's own strings: escape what would drive a terminal (a name the API server refuses may hold anything).
  return printable(`${kind} ${ns}${name}`);
}

/** The analyzer note for a rejected object: object, each JSON path and problem, and the consequence. */
export function invalidObjectNote(invalid: InvalidObject): string {
  const problems = invalid.rejection.problems.map((p) => `${p.path || '(object)'}: ${p.message}`).join('; ');
  return `${labelOf(invalid.object)} is invalid and left out of the analysis (${invalid.rejection.rejectedBy} rejects it, so it never `
    + `takes effect): ${problems}`;
}
