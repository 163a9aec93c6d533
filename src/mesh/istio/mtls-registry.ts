import { IConstruct } from 'constructs';

/** One PeerAuthentication as the authorization checks need it (internal). */
export interface RecordedPeerAuthentication {
  /** Namespace of the policy (the root namespace for mesh-wide). */
  readonly namespace: string;
  /** Workload selector; undefined for namespace- or mesh-wide. */
  readonly selector?: Record<string, string>;
  /** STRICT or PERMISSIVE. */
  readonly mode: string;
  /** Port -> mode exceptions (workload scope only). */
  readonly portModes: Record<number, string>;
  /** Construct path, for messages. */
  readonly path: string;
}

const REGISTRY = new WeakMap<IConstruct, RecordedPeerAuthentication[]>();

/** Record a PeerAuthentication emitted by IstioMtls. */
export function recordPeerAuthentication(scope: IConstruct, pa: RecordedPeerAuthentication): void {
  const root = scope.node.root;
  const list = REGISTRY.get(root) ?? [];
  list.push(pa);
  REGISTRY.set(root, list);
}

/** Why identity-based authorization cannot be trusted for a target, or undefined when mTLS is STRICT for it. */
export function notStrictReason(scope: IConstruct, rootNamespace: string, namespace: string, labels: Record<string, string>,
  ports: number[]): string | undefined {
  const all = REGISTRY.get(scope.node.root) ?? [];
  const meshWide = all.find((p) => p.namespace === rootNamespace && p.selector === undefined);
  const nsWide = all.find((p) => p.namespace === namespace && p.selector === undefined);
  const compatible = all.filter((p) => p.namespace === namespace && p.selector !== undefined && compatibleSelector(p.selector, labels));
  const covering = compatible.some((p) => Object.entries(p.selector!).every(([k, v]) => labels[k] === v));
  const problems: string[] = [];
  if (!covering) {
    const base = nsWide ?? meshWide;
    if (!base) problems.push('no PeerAuthentication covers it (Istio then accepts plaintext: PERMISSIVE)');
    else if (base.mode !== 'STRICT') problems.push(`${base.path} sets ${base.mode}`);
  }
  for (const p of compatible) {
    if (p.mode !== 'STRICT') problems.push(`${p.path} sets ${p.mode} for pods ${show(p.selector!)}`);
    for (const [port, mode] of Object.entries(p.portModes)) {
      if (mode !== 'STRICT' && (ports.length === 0 || ports.includes(Number(port)))) {
        problems.push(`${p.path} sets ${mode} on port ${port}`);
      }
    }
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Could one pod carry both label sets (no key with two different values)? */
function compatibleSelector(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === undefined || labels[k] === v);
}

function show(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')}}`;
}
