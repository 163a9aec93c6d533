import * as kplus from 'cdk8s-plus-27';
import { MeshSourceSpec } from './mesh-source-spec';
import { propError } from '../util/errors';
import { requireInstance, requireOptionalString, requireString } from '../util/guards';
import { validateDnsLabel, validateDnsSubdomain } from '../util/validate';

/**
 * Who a mesh authorization admits: workload identities the mesh proves with mutual TLS (a service
 * account, every workload of a namespace, a principal, any meshed workload), or anyone. Every
 * identity needs STRICT mTLS on the target: with plaintext allowed, the identity is never checked.
 */
export class MeshSource {
  /**
   * The pods running as a service account.
   * @param name the service account
   * @param namespace its namespace; default: the namespace of the authorization
   */
  public static serviceAccount(name: string, namespace?: string): MeshSource {
    const site = 'MeshSource.serviceAccount';
    const ns = requireOptionalString(site, 'namespace', namespace);
    return new MeshSource({
      kind: 'serviceAccount',
      name: validateDnsSubdomain(site, 'name', name),
      namespace: ns === undefined ? undefined : validateDnsLabel(site, 'namespace', ns),
    });
  }

  /**
   * The pods of a cdk8s-plus workload (Deployment, StatefulSet, ...), by their service account: the
   * mesh identity is the service account, so a workload on the namespace's `default` account (shared
   * by every pod that names none) is refused. The workload must have a namespace (its own
   * `metadata.namespace` or its chart's): the identity names it.
   */
  public static workload(workload: kplus.AbstractPod): MeshSource {
    const site = 'MeshSource.workload';
    const w = requireInstance(site, 'workload', workload, kplus.AbstractPod, 'a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job or Pod)');
    // Without one, the pods run in whatever namespace the manifest is applied to (kubectl's context, Argo CD's
    // destination): taking the authorization's namespace instead would admit another namespace's account of that name.
    if (w.metadata.namespace === undefined) {
      throw propError(site, 'workload', `${w.node.path} has no namespace, so its pods' identity (namespace and service account) is unknown here: `
        + 'set its metadata.namespace (or the namespace of its chart)');
    }
    return new MeshSource({ kind: 'serviceAccount', name: w.serviceAccount?.name ?? 'default', namespace: w.metadata.namespace, workload: w.node.path });
  }

  /** Every meshed workload of a namespace. */
  public static namespace(name: string): MeshSource {
    return new MeshSource({ kind: 'namespace', namespace: validateDnsLabel('MeshSource.namespace', 'name', name) });
  }

  /**
   * An Istio principal as written (`<trust domain>/ns/<namespace>/sa/<service account>`, or a
   * prefix/suffix `*` pattern). Istio only: prefer `serviceAccount()`, which renders for both meshes.
   */
  public static principal(principal: string): MeshSource {
    const p = requireString('MeshSource.principal', 'principal', principal, true);
    if (/\s/.test(p)) throw propError('MeshSource.principal', 'principal', `'${p}' is not a principal (e.g. cluster.local/ns/shop/sa/web)`);
    return new MeshSource({ kind: 'principal', name: p });
  }

  /** Any workload with a mesh identity (mutual TLS required, any identity). */
  public static anyMeshWorkload(): MeshSource {
    return new MeshSource({ kind: 'anyMeshWorkload' });
  }

  /**
   * Anyone, with or without a mesh identity (no source condition). Cannot be combined with other
   * sources, which it would make meaningless.
   */
  public static anyone(): MeshSource {
    return new MeshSource({ kind: 'anyone' });
  }

  /** @internal */
  public readonly _spec: MeshSourceSpec;

  private constructor(spec: MeshSourceSpec) {
    this._spec = spec;
  }

  /** Readable form for messages. */
  public toString(): string {
    const s = this._spec;
    switch (s.kind) {
      case 'serviceAccount': return `service account ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
      case 'namespace': return `namespace ${s.namespace}`;
      case 'principal': return `principal ${s.name}`;
      case 'anyMeshWorkload': return 'any meshed workload';
      case 'anyone': return 'anyone';
    }
  }
}
