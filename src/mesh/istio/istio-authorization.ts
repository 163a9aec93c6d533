import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { notStrictReason } from './mtls-registry';
import { servicePortProblems } from './service-port-check';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { MeshKind } from '../../cluster/mesh';
import { keepAppObjectsPerWalk } from '../../util/app-objects';
import { constructIdFor } from '../../util/construct-id';
import { assertNever, propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireOptionalBoolean, requireProps, requireString } from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { validateDnsLabel } from '../../util/validate';
import { isAmbient, requireMesh } from '../mesh-context';
import { ValidatedFlow, validateFlow } from '../mesh-flow';
import { MeshFlowOptions } from '../mesh-flow-options';
import { istioPrincipal } from '../mesh-identity';

/** Actions of an Istio AuthorizationPolicy this library emits. */
export enum IstioAuthorizationAction {
  /** Allow matching requests (and, once any ALLOW policy selects a workload, deny the rest). */
  ALLOW = 'ALLOW',
  /** Deny matching requests, whatever any ALLOW policy says. */
  DENY = 'DENY',
  /** Mark matching requests for audit logging; decides nothing. */
  AUDIT = 'AUDIT',
}

/** Props of {@link IstioAuthorization}. */
export interface IstioAuthorizationProps {
  /**
   * Namespace of the policies (the target workloads' namespace). Not the mesh root namespace, whose
   * policies Istio applies to every namespace.
   */
  readonly namespace: string;
  /**
   * Emit the namespace-wide allow-nothing baseline `allow-nothing` (an ALLOW policy without rules and
   * without selector: it matches no request, so every workload of the namespace denies what no other
   * ALLOW policy allows). Turn it off only where another construct already emits the baseline.
   * @default true
   */
  readonly allowNothing?: boolean;
}

const PROPS_KEYS: StructKeys<IstioAuthorizationProps> = { namespace: true, allowNothing: true };

/**
 * Istio authorization (security.istio.io/v1 AuthorizationPolicy) for one namespace: an allow-nothing
 * baseline and explicit, named flows. Each flow is one policy with one rule whose `from`, `to` and
 * `when` are ANDed, so the classic mistake of splitting them into three rules (which ORs them)
 * cannot be expressed. `action` is always written.
 *
 * Sources are mesh identities (service accounts, namespaces, principals): they need STRICT mutual
 * TLS for the target (IstioMtls), checked at synth time, because with plaintext allowed the proxy
 * has no identity to check. In ambient mode without a waypoint only L4 flows (sources and ports)
 * are enforced, by ztunnel; HTTP methods, paths and request conditions are refused.
 *
 * The baseline emitted is `spec: { action: ALLOW }`, the same allow-nothing policy as `spec: {}`
 * with the action spelled out.
 */
export class IstioAuthorization extends Construct {
  /** The namespace. */
  public readonly namespace: string;
  /** The baseline allow-nothing policy, when emitted. */
  public readonly allowNothingPolicy?: ApiObject;
  private readonly cluster: ClusterNetwork;
  private readonly policies = new Map<string, ApiObject>();

  constructor(scope: Construct, id: string, props: IstioAuthorizationProps) {
    super(scope, id);
    this.cluster = requireMesh(this, 'IstioAuthorization', [MeshKind.ISTIO]);
    const p = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    this.namespace = validateDnsLabel(this, 'namespace', p.namespace);
    if (this.namespace === this.cluster.mesh.rootNamespace) {
      // Istio applies root-namespace policies mesh-wide: without selector to every workload of the
      // mesh, with one to the matching pods of every namespace.
      throw propError(this, 'namespace', `'${this.namespace}' is the mesh root namespace, whose AuthorizationPolicies apply to every namespace `
        + '(the allow-nothing baseline would deny the whole mesh, and a flow would admit its callers to matching pods everywhere); '
        + 'authorize workloads in their own namespace');
    }
    if (requireOptionalBoolean(this, 'allowNothing', p.allowNothing, true)) {
      this.allowNothingPolicy = this.emit('allow-nothing', { action: IstioAuthorizationAction.ALLOW });
    }
  }

  /** Allow the requests of one flow (policy `<name>`, action ALLOW). */
  public allowFlow(name: string, options: MeshFlowOptions): ApiObject {
    return this.addFlow(IstioAuthorizationAction.ALLOW, name, options);
  }

  /** Deny the requests of one flow, whatever the allows say (policy `<name>`, action DENY). */
  public denyFlow(name: string, options: MeshFlowOptions): ApiObject {
    return this.addFlow(IstioAuthorizationAction.DENY, name, options);
  }

  /** Audit the requests of one flow (policy `<name>`, action AUDIT; needs an audit provider). */
  public auditFlow(name: string, options: MeshFlowOptions): ApiObject {
    return this.addFlow(IstioAuthorizationAction.AUDIT, name, options);
  }

  /**
   * {@link denyFlow} without the synth-time check that mTLS is STRICT for the target, for a caller
   * that has closed the plaintext path itself: ThreeTierApp denies its meshed tiers' own identities
   * every port of the next tier but the tier port, where the NetworkPolicies already refuse
   * plaintext on those ports (and an ambient pod's outbound traffic to a meshed pod always travels
   * over HBONE, carrying its identity). Any other caller keeps the check.
   * @internal
   */
  public _denyMeshedFlow(name: string, options: MeshFlowOptions): ApiObject {
    return this.addFlow(IstioAuthorizationAction.DENY, name, options, false);
  }

  /** The policy of that name, if any. */
  public policy(name: string): ApiObject | undefined {
    return this.policies.get(name);
  }

  private addFlow(action: IstioAuthorizationAction, name: string, options: MeshFlowOptions, checkStrict = true): ApiObject {
    requireString(this, 'name', name);
    const flow = validateFlow(this, `flow '${name}'`, name, this.namespace, options);
    if (this.policies.has(name)) throw propError(this, `flow '${name}'`, 'the namespace already has a policy of that name');
    if (flow.l7 && isAmbient(this.cluster)) {
      throw propError(this, `flow '${name}'`, 'HTTP methods, paths and request conditions need an L7 proxy; in ambient mode that is a waypoint, '
        + 'which this library does not configure yet (ztunnel alone would enforce only part of the rule): authorize by source, port and the '
        + 'L4 conditions (source.ip, source.namespace, source.principal, destination.ip, destination.port) only, or run the namespace in '
        + 'sidecar mode');
    }
    flow.paths.forEach((path, i) => {
      const problem = unnormalizedPathProblem(path);
      if (problem) {
        throw propError(this, `flow '${name}'.paths[${i}]`, `'${path}' ${problem}, and Istio compares the normalized request path `
          + '(istio.io "Authorization Policy Normalization", default BASE): the path never matches, so an ALLOW would admit nothing and a DENY '
          + 'deny nothing. Write the path as Istio normalizes it');
      }
    });
    const rule: Record<string, unknown> = {};
    const from = istioSources(this.cluster, flow);
    if (from.length > 0) rule.from = from;
    const operation: Record<string, string[]> = {};
    if (flow.ports.length > 0) operation.ports = flow.ports.map(String);
    if (flow.methods.length > 0) operation.methods = [...flow.methods];
    if (flow.paths.length > 0) operation.paths = [...flow.paths];
    if (Object.keys(operation).length > 0) rule.to = [{ operation }];
    if (flow.when.length > 0) rule.when = flow.when;
    const spec: Record<string, unknown> = {};
    if (Object.keys(flow.to).length > 0) spec.selector = { matchLabels: flow.to };
    spec.action = action;
    // An empty rule matches every request: "allow everything" (or deny everything) must be said with
    // MeshSource.anyone() and no operation, which renders as rules: [{}].
    spec.rules = [rule];
    const policy = this.emit(name, spec);
    if (flow.identityBased && checkStrict) this.node.addValidation({ validate: () => this.checkStrict(flow) });
    // Istio matches workload ports: a Service port of the app that forwards elsewhere never matches (judged once the app is complete).
    keepAppObjectsPerWalk(this);
    this.node.addValidation({ validate: () => servicePortProblems(this.node.root, flow, action) });
    return policy;
  }

  private emit(name: string, spec: Record<string, unknown>): ApiObject {
    const policy = registerObject(this, new ApiObject(this, constructIdFor(name), {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name, namespace: this.namespace },
      spec,
    }));
    this.policies.set(name, policy);
    return policy;
  }

  /** Identity sources are only as good as mTLS: STRICT for every pod and port the flow targets. */
  private checkStrict(flow: ValidatedFlow): string[] {
    const reason = notStrictReason(this, this.cluster.mesh.rootNamespace!, this.namespace, flow.to, flow.ports);
    if (reason === undefined) return [];
    return [`flow '${flow.name}': admits callers by mesh identity, but mTLS is not STRICT for its target (${reason}): plaintext callers carry no `
      + 'identity to check. Declare IstioMtls with mode STRICT for the namespace (or the workload), or authorize by something else'];
  }
}

/**
 * Percent-escapes Istio's default path normalization (BASE) decodes: `-`, `.`, digits, letters, `_`, `~`
 * (istio.io "Authorization Policy Normalization"); `%00` makes Istio refuse the request.
 */
const DECODED_ESCAPE = /%(2[de]|3[0-9]|[46][1-9a-f]|[57][0-9a]|5f|7e|00)/i;

/**
 * Characters BASE normalization writes percent-encoded: Envoy's `normalize_path` canonicalizes the path with
 * Chromium's URL library (envoy source/common/http/path_utility.cc, url::CanonicalizePath), whose path table
 * escapes control characters, `"`, `<`, `>`, `^`, `` ` ``, `|`, DEL and every non-ASCII byte (chromium
 * url/url_canon_path.cc kPathCharLookup, ESCAPE entries, before and after its 2023 rewrite; space, `#`, `?`,
 * `{`, `}` and `\` are refused before this check). A request path never holds them raw once normalized.
 */
const ESCAPED_BY_NORMALIZATION = /[\u0000-\u001f"<>^`|\u007f-\u{10ffff}]/u;

/** The character as the normalized request path holds it (upper-case hex of its UTF-8 bytes, as Chromium writes them). */
function percentEncoded(char: string): string {
  try {
    return encodeURIComponent(char);
  } catch {
    return 'its UTF-8 bytes percent-encoded';
  }
}

/**
 * Why a flow path (exact, `/prefix*`, `*suffix`) can never equal a request path as Istio normalizes it
 * before matching, or undefined: Istio drops the query (`?`), a fragment never reaches it (`#`), turns `\`
 * into `/`, percent-encodes what a URL path may not hold raw, decodes the escapes of unreserved characters
 * and resolves `.` and `..` segments. Slashes
 * stay unmerged by default (MERGE_SLASHES is an option), so `//` is left alone.
 */
function unnormalizedPathProblem(path: string): string | undefined {
  if (path === '*') return undefined;
  if (/[?#]/.test(path)) return 'holds a query or fragment (\'?\' or \'#\'), which Istio leaves out of the path it compares';
  if (path.includes('\\')) return 'holds a backslash, which Istio turns into \'/\'';
  const escaped = path.match(ESCAPED_BY_NORMALIZATION)?.[0];
  if (escaped !== undefined) {
    return `holds ${JSON.stringify(escaped)}, which Istio's normalization percent-encodes (the request path holds ${percentEncoded(escaped)} instead)`;
  }
  if (DECODED_ESCAPE.test(path)) return 'holds a percent-escape of an unreserved character (or %00), which Istio decodes (or refuses)';
  const literal = path.startsWith('*') ? path.slice(1) : path.endsWith('*') ? path.slice(0, -1) : path;
  const segments = literal.split('/');
  // The segment next to the wildcard continues into it: `.` there may be the start of `.well-known`.
  const whole = path.endsWith('*') ? segments.slice(0, -1) : path.startsWith('*') ? segments.slice(1) : segments;
  if (whole.some((s) => s === '.' || s === '..')) return 'holds a dot segment (\'.\' or \'..\'), which Istio resolves';
  return undefined;
}

/** The `from` clauses: one source per kind of identity (values of one field are ORed; fields of one source are ANDed). */
export function istioSources(cluster: ClusterNetwork, flow: ValidatedFlow): Array<{ source: Record<string, string[]> }> {
  const td = cluster.mesh.trustDomain;
  const principals: string[] = [];
  const namespaces: string[] = [];
  for (const s of flow.sources) {
    switch (s.kind) {
      case 'serviceAccount': principals.push(istioPrincipal(td, s.namespace!, s.name!)); break;
      case 'principal': principals.push(s.name!); break;
      case 'anyMeshWorkload': principals.push('*'); break;
      case 'namespace': namespaces.push(s.namespace!); break;
      case 'anyone': break;
      // A source kind no clause renders would leave a rule without `from`, which Istio reads as "anyone".
      default: assertNever(s.kind, 'mesh source kind');
    }
  }
  const out: Array<{ source: Record<string, string[]> }> = [];
  if (principals.length > 0) out.push({ source: { principals: [...new Set(principals)] } });
  if (namespaces.length > 0) out.push({ source: { namespaces: [...new Set(namespaces)] } });
  return out;
}
