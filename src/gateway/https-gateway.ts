import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AllowedRoutes, GatewayParent } from './gateway-parent';
import { validateGatewayHostname } from './parent-ref';
import { StructKeys, requireInstance, requireKnownKeys, requireOptionalString, requireProps } from '../util/guards';
import { registerObject } from '../util/object-registry';
import { validateDnsLabel, validateDnsSubdomain } from '../util/validate';

/** Props of {@link HttpsGateway}. */
export interface HttpsGatewayProps {
  /** Name of the Gateway. */
  readonly name: string;
  /** Namespace of the Gateway (where its TLS Secret and, with cert-manager, its Certificate live). */
  readonly namespace: string;
  /** The GatewayClass (e.g. `istio`, `cilium`, `eg`). */
  readonly gatewayClassName: string;
  /** Host name the HTTPS listener serves (a DNS name; `*.example.com` wildcards allowed). */
  readonly hostname: string;
  /**
   * cert-manager ClusterIssuer that issues the listener's certificate (annotation
   * `cert-manager.io/cluster-issuer`; cert-manager's gateway-shim creates the Certificate for every
   * listener with a hostname and a certificateRef). The Gateway has no HTTP listener: the issuer must
   * solve with DNS-01, or with HTTP-01 through a Gateway that listens for HTTP on port 80; a wildcard
   * host name always needs DNS-01.
   * @default 'letsencrypt-prod'
   */
  readonly clusterIssuer?: string;
  /**
   * The Secret holding the certificate (cert-manager writes it).
   * @default '<name>-tls'
   */
  readonly tlsSecretName?: string;
  /**
   * Which namespaces' routes the HTTPS listener admits.
   * @default AllowedRoutes.sameNamespace() - the upstream default: routes in other namespaces do not attach
   */
  readonly allowedRoutes?: AllowedRoutes;
}

const PROPS_KEYS: StructKeys<HttpsGatewayProps> = {
  name: true, namespace: true, gatewayClassName: true, hostname: true, clusterIssuer: true, tlsSecretName: true, allowedRoutes: true,
};

/**
 * A Gateway API Gateway (gateway.networking.k8s.io/v1) with one HTTPS listener named `https` on port
 * 443 that terminates TLS with a certificate from cert-manager. Routes attach with `parent()`;
 * a route in a namespace the listener does not admit is a synth error (see AllowedRoutes).
 *
 * Only standard-channel fields that exist since Gateway API v1.2 are written, so the object works on
 * every implementation of v1.2 and later. The gateway's pods are a cluster fact: declare them as
 * ClusterNetwork `gateway` so that zero-trust namespaces can admit them.
 */
export class HttpsGateway extends Construct {
  /** The Gateway object. */
  public readonly gateway: ApiObject;
  /** Name of the Gateway. */
  public readonly name: string;
  /** Namespace of the Gateway. */
  public readonly namespace: string;
  private readonly allowedRoutes: AllowedRoutes;
  private readonly hostname: string;

  constructor(scope: Construct, id: string, props: HttpsGatewayProps) {
    super(scope, id);
    props = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    this.name = validateDnsLabel(this, 'name', props.name);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace);
    const className = validateDnsSubdomain(this, 'gatewayClassName', props.gatewayClassName);
    const hostname = validateGatewayHostname(this, 'hostname', props.hostname, 2);
    this.hostname = hostname;
    const issuer = validateDnsSubdomain(this, 'clusterIssuer', requireOptionalString(this, 'clusterIssuer', props.clusterIssuer) ?? 'letsencrypt-prod');
    const secret = validateDnsSubdomain(this, 'tlsSecretName', requireOptionalString(this, 'tlsSecretName', props.tlsSecretName) ?? `${this.name}-tls`);
    this.allowedRoutes = props.allowedRoutes === undefined ? AllowedRoutes.sameNamespace()
      : requireInstance(this, 'allowedRoutes', props.allowedRoutes, AllowedRoutes,
        'an AllowedRoutes (AllowedRoutes.sameNamespace(), .namespaces([...]) or .allNamespaces())');
    this.gateway = registerObject(this, new ApiObject(this, 'Gateway', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: this.name, namespace: this.namespace, annotations: { 'cert-manager.io/cluster-issuer': issuer } },
      spec: {
        gatewayClassName: className,
        listeners: [{
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          hostname,
          tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: secret }] },
          allowedRoutes: this.allowedRoutes._toSpec(),
        }],
      },
    }));
  }

  /** The HTTPS listener as a route parent. */
  public parent(): GatewayParent {
    return GatewayParent._fromListener({
      gatewayName: this.name,
      gatewayNamespace: this.namespace,
      sectionName: 'https',
      allowedRoutes: this.allowedRoutes,
      hostname: this.hostname,
      definedBy: this.node.path,
    });
  }
}
