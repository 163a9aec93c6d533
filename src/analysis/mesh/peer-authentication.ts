/**
 * Which mutual-TLS mode an Istio workload port requires (internal), from the PeerAuthentication
 * objects, composed as istiod composes them (istio.io "PeerAuthentication" reference; istiod
 * `ComposePeerAuthentication`):
 *
 * - mesh-wide: a policy without selector in the root namespace; namespace-wide: a policy without
 *   selector in the workload's namespace; workload: a policy with a selector in the workload's
 *   namespace (a policy with a selector in the root namespace applies to nothing);
 * - of several candidates at one level the oldest wins (creationTimestamp, then name);
 * - the more specific level overrides the less specific one unless its mode is UNSET (or absent),
 *   which inherits; `portLevelMtls` of the workload policy overrides per port (UNSET inherits the
 *   workload's mode);
 * - without any policy the mode is PERMISSIVE;
 * - a policy the API server or istiod's webhook rejects (./istio-validation: a mode outside the enum,
 *   portLevelMtls without a selector, ...) never exists: it is left out, with a note.
 */
import { peerAuthenticationProblems } from './istio-validation';
import { creationTimeOf, isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { describeRef, Endpoint, ManifestObject, ObjectRef, refOf } from '../model';
import { Labels } from '../selectors';
import { podSelection } from '../uncertainty/controller-label-selection';

/** The modes that take effect. */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** The mode of one workload port, with the policy and field that decided it. */
export interface MtlsDecision {
  /** The mode, or undefined when it cannot be decided (several policies at one level disagree). */
  readonly mode?: MtlsMode;
  /** The modes it may be when undecided. */
  readonly candidates: MtlsMode[];
  /** The deciding policy (absent for Istio's default, PERMISSIVE). */
  readonly object?: ObjectRef;
  /** The deciding field, e.g. `spec.mtls.mode` or `spec.portLevelMtls.8080.mode`. */
  readonly rule?: string;
  /** Readable: `PeerAuthentication istio-system/default (mesh-wide) sets STRICT`. */
  readonly why: string;
}

interface Candidate {
  readonly obj: ManifestObject;
  /** creationTimestamp in milliseconds, when the manifest carries one. */
  readonly created?: number;
}

const SCOPE_WORDS = { mesh: 'mesh-wide', namespace: 'namespace-wide', workload: 'workload' } as const;

/** Is the object a security.istio.io PeerAuthentication (v1 or v1beta1)? */
export function isPeerAuthentication(obj: unknown): boolean {
  return isKindOf(obj, 'security.istio.io', 'PeerAuthentication');
}

function selectorLabels(obj: ManifestObject): Record<string, string> | undefined {
  const labels = obj.spec?.selector?.matchLabels;
  return isPlainObject(labels) && Object.keys(labels).length > 0 ? labels as Record<string, string> : undefined;
}

function modeOf(value: unknown): MtlsMode | undefined {
  const mode = isPlainObject(value) ? value.mode : undefined;
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE' ? mode : undefined;
}

/** The PeerAuthentication objects of a manifest set, by namespace. */
export class PeerAuthentications {
  private readonly byNamespace = new Map<string, Candidate[]>();
  /** The policies left out because they are rejected, one line each. */
  readonly notes: string[] = [];

  constructor(manifests: readonly ManifestObject[], private readonly rootNamespace: string) {
    for (const obj of manifests) {
      if (!isPeerAuthentication(obj)) continue;
      const problems = peerAuthenticationProblems(obj);
      if (problems.length > 0) {
        const [first] = problems;
        this.notes.push(`${describeRef(refOf(obj))} is invalid and left out of the mesh analysis (${first.by} rejects it, so it never takes effect): `
          + `${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`);
        continue;
      }
      const ns = namespaceOf(obj);
      this.byNamespace.set(ns, [...(this.byNamespace.get(ns) ?? []), { obj, created: creationTimeOf(obj) }]);
    }
  }

  /** Is there any PeerAuthentication at all? */
  get isEmpty(): boolean {
    return this.byNamespace.size === 0;
  }

  /**
   * The mode the workload with `labels` in `namespace` requires on `port`.
   * @param pods the workload's endpoint, whose runtime labels a workload selector may read undecidably
   *   (../uncertainty/controller-label-selection): the mode is then undecided where it changes the mode
   * @default pods - none: `labels` are the pods' exact labels
   */
  modeFor(namespace: string, labels: Labels, port: number, pods?: Endpoint): MtlsDecision {
    const inNamespace = this.byNamespace.get(namespace) ?? [];
    const meshLevel = namespace === this.rootNamespace ? [] : (this.byNamespace.get(this.rootNamespace) ?? []);
    const selected: Candidate[] = [];
    const unsure: Array<{ candidate: Candidate; why: string }> = [];
    for (const c of namespace === this.rootNamespace ? [] : inNamespace) {
      const sel = selectorLabels(c.obj);
      if (sel === undefined) continue;
      const selection = pods ? podSelection({ matchLabels: sel }, pods, describeRef(refOf(c.obj)), labels)
        : { selects: Object.entries(sel).every(([k, v]) => labels[k] === v) };
      if ('unknown' in selection) unsure.push({ candidate: c, why: selection.unknown });
      else if (selection.selects) selected.push(c);
    }
    const without = this.decide(namespace, inNamespace, meshLevel, selected, port);
    if (unsure.length === 0) return without;
    const withThem = this.decide(namespace, inNamespace, meshLevel, [...selected, ...unsure.map((u) => u.candidate)], port);
    if (without.mode !== undefined && without.mode === withThem.mode) return without;
    const candidates = [...new Set([...without.candidates, ...withThem.candidates])];
    return { candidates, why: `${unsure.map((u) => u.why).join('; ')}; so the mode is ${candidates.join(' or ')}` };
  }

  /** The mode after the mesh, namespace and workload levels, the workload level holding `workload`. */
  private decide(namespace: string, inNamespace: Candidate[], meshLevel: Candidate[], workload: Candidate[], port: number): MtlsDecision {
    const levels: Array<{ scope: keyof typeof SCOPE_WORDS; found: Candidate[] }> = [
      { scope: 'mesh', found: (namespace === this.rootNamespace ? inNamespace : meshLevel).filter((c) => !selectorLabels(c.obj)) },
      { scope: 'namespace', found: namespace === this.rootNamespace ? [] : inNamespace.filter((c) => !selectorLabels(c.obj)) },
      { scope: 'workload', found: workload },
    ];
    let decision: MtlsDecision = { mode: 'PERMISSIVE', candidates: ['PERMISSIVE'], why: 'no PeerAuthentication applies: Istio\'s default is PERMISSIVE' };
    for (const { scope, found } of levels) {
      if (found.length === 0) continue;
      const picked = oldest(found);
      const options = picked ? [picked] : found;
      const results = options.map((c) => this.levelDecision(c.obj, scope, port, decision));
      const modes = [...new Set(results.map((r) => r.mode).filter((m): m is MtlsMode => m !== undefined))];
      const candidates = [...new Set(results.flatMap((r) => r.candidates))];
      if (results.length === 1 || (modes.length === 1 && candidates.length === 1)) {
        decision = results[0];
      } else {
        decision = {
          candidates,
          why: `${found.map((c) => describeRef(refOf(c.obj))).join(', ')} all apply at the ${SCOPE_WORDS[scope]} level and set different modes `
            + `(${candidates.join(', ')}); Istio uses the oldest, and the manifests carry no creationTimestamp to tell which`,
        };
      }
    }
    return decision;
  }

  /** The decision after one level: its mode (or port mode), else the inherited one. */
  private levelDecision(obj: ManifestObject, scope: keyof typeof SCOPE_WORDS, port: number, inherited: MtlsDecision): MtlsDecision {
    const ref = refOf(obj);
    const label = `${describeRef(ref)} (${SCOPE_WORDS[scope]})`;
    let result = inherited;
    const mode = modeOf(obj.spec?.mtls);
    if (mode) result = { mode, candidates: [mode], object: ref, rule: 'spec.mtls.mode', why: `${label} sets ${mode}` };
    if (scope === 'workload' && isPlainObject(obj.spec?.portLevelMtls) && Object.prototype.hasOwnProperty.call(obj.spec.portLevelMtls, String(port))) {
      const portMode = modeOf(obj.spec.portLevelMtls[String(port)]);
      if (portMode) {
        result = { mode: portMode, candidates: [portMode], object: ref, rule: `spec.portLevelMtls.${port}.mode`, why: `${label} sets ${portMode} on port ${port}` };
      }
    }
    return result;
  }
}

/**
 * The oldest candidate when every one has a creationTimestamp, else undefined (unknown order). Equal
 * timestamps (they have a one-second resolution) go by name, as istiod sorts them
 * (`sortConfigByCreationTime`: creation time, then name, then namespace).
 */
function oldest(found: Candidate[]): Candidate | undefined {
  if (found.length === 1) return found[0];
  if (found.some((c) => c.created === undefined)) return undefined;
  const key = (c: Candidate): [number, string] => [c.created!, nameOf(c.obj)];
  return [...found].sort((a, b) => {
    const [ta, na] = key(a);
    const [tb, nb] = key(b);
    return ta !== tb ? ta - tb : na < nb ? -1 : na > nb ? 1 : 0;
  })[0];
}
