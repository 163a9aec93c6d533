import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LinkerdInboundPolicy, NamespaceMeshOptions } from './mesh-options';
import { refuseCniKeys } from './three-tier/cni-pod-keys';
import { overriddenDestinationAnnotations } from './three-tier/destination-pod-annotations';
import { EmittedTier, meshTierConflicts } from './three-tier/mesh-tier-conflicts';
import { meshTierAuthorizer } from './three-tier/mesh-tier-hops';
import { blanketAllowProblems, knownNamespaceLabels, otherBlanketAllows } from './three-tier/namespace-isolation';
import { TierBuild, buildTier } from './three-tier/tier';
import { checkTierAccounts } from './three-tier/tier-account';
import { ACME_SOLVER_LABEL, RESERVED_LABELS, refuseMeshKeys } from './three-tier/tier-pod-metadata';
import { AppTier, DatabaseTierProps, HttpTierProps } from './three-tier/tier-props';
import { validateHost, validatePositiveInteger } from './three-tier/validation';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import { ClusterNetwork } from '../cluster/cluster-network';
import { MeshKind } from '../cluster/mesh';
import { GatewayParent } from '../gateway/gateway-parent';
import { GATEWAY_HTTP_ROUTE, emitHttpRoute } from '../gateway/http-route';
import { gatewayParentRef } from '../gateway/parent-ref';
import { claimRoute } from '../gateway/route-claims';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { TrafficPolicy } from '../policy/traffic-policy';
import { propError } from '../util/errors';
import { StructKeys, orDefault, requireInstance, requireKnownKeys, requireOptionalBoolean, requireOptionalObject, requireProps } from '../util/guards';
import { registerObject } from '../util/object-registry';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../util/validate';

/** Ingress options of a {@link ThreeTierApp}. */
export interface ThreeTierIngressOptions {
  /**
   * `ingressClassName` of the Ingress.
   * @default 'nginx'
   */
  readonly className?: string;
  /**
   * cert-manager ClusterIssuer that issues the TLS certificate (`cert-manager.io/cluster-issuer`).
   * @default 'letsencrypt-prod'
   */
  readonly clusterIssuer?: string;
  /**
   * Secret that holds (cert-manager writes) the TLS certificate.
   * @default '<name>-tls'
   */
  readonly tlsSecretName?: string;
  /**
   * Redirect HTTP to HTTPS (`nginx.ingress.kubernetes.io/ssl-redirect`). Always emitted, so that
   * `false` is an explicit decision.
   * @default true
   */
  readonly sslRedirect?: boolean;
  /**
   * Requests per second per client IP (`nginx.ingress.kubernetes.io/limit-rps`).
   * @default - no rate limit
   */
  readonly limitRps?: number;
  /**
   * Allow the ingress controller to reach cert-manager's ACME HTTP-01 solver pods (policy
   * `acme-solver-allow-ingress-controller`: pods labelled `acme.cert-manager.io/http01-solver: "true"`,
   * TCP 8089). cert-manager creates the solver pod in the namespace of the Certificate, i.e. this
   * namespace, where default deny would otherwise make every HTTP-01 challenge time out
   * (https://cert-manager.io/docs/installation/best-practice/#network-requirements).
   * Set to false when the ClusterIssuer solves DNS-01 challenges.
   * @default true
   */
  readonly allowAcmeHttp01Solver?: boolean;
}

/** Gateway API options of a {@link ThreeTierApp} (instead of an Ingress). */
export interface ThreeTierGatewayOptions {
  /**
   * The Gateway listener the app's HTTPRoute attaches to (`parentRefs` with `sectionName`), e.g.
   * `httpsGateway.parent()` or `GatewayParent.existing({ name, namespace, sectionName: 'https' })`.
   * TLS terminates on that listener (cert-manager issues its certificate in the Gateway's namespace).
   */
  readonly parent: GatewayParent;
}

/** Props of {@link ThreeTierApp}. */
export interface ThreeTierAppProps {
  /**
   * Name of the app: the `app.kubernetes.io/name` and `app.kubernetes.io/part-of` label of every pod
   * and the prefix of every object name (`<name>-frontend`, ...). A DNS-1123 label of at most 43
   * characters, because the StatefulSet's `controller-revision-hash` label value
   * (`<name>-database-<10 characters>`) must fit in 63, starting with a letter, because the
   * Services (`<name>-frontend`, ...) are DNS-1035 labels.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of every object (DNS-1123 label). The app creates it as a {@link ZeroTrustNamespace}
   * (or, with `createNamespace: false`, only its baseline policies). Give either this or
   * `zeroTrustNamespace`.
   * @default - the name of `zeroTrustNamespace`
   */
  readonly namespace?: string;
  /**
   * An existing zero-trust namespace to run the app in, e.g. a tenant namespace of a
   * {@link TenantIsolation} (`tenantNamespaces.<tenant>[0]`). The app then creates no namespace and
   * no baseline policies (the namespace already has default deny and DNS); it adds only its tier
   * policies to it. Excludes `namespace` and `createNamespace`; `labels` still label the app's
   * objects and pods, but not the namespace.
   *
   * The namespace must hold no allow that applies to every pod beyond DNS and the mesh's own allows
   * of a meshed namespace (`ZeroTrustNamespace.opensToAllPods()`, checked at construction and again at synth, so an allow
   * added later under any name is caught): `allowSameNamespace`, `monitoringPorts`,
   * `ingressControllerPorts`, TenantIsolation's same-tenant or internet allows
   * (`allowSameTenant: false`, `allowInternetEgress: false`), or an `allowEgress(name, {}, ...)`
   * would open the database to others or let it reach more than DNS. The same holds at synth for a
   * policy of the namespace declared outside it (a TrafficPolicy or EgressAllowList of its own, in
   * any chart, or a cluster-wide TrafficPolicy whose namespace selector the namespace's known labels
   * satisfy) that selects every pod. Allow what a tier needs for that tier (`podLabels(tier)`). Several apps of different names can share the namespace: their
   * policies are named after the app (`<name>-frontend-to-backend`).
   * @default - the app creates its own zero-trust namespace named `namespace`
   */
  readonly zeroTrustNamespace?: ZeroTrustNamespace;
  /** Public host name of the Ingress (a DNS name with at least two labels; no wildcard). */
  readonly host: string;
  /** The frontend tier (reachable from the ingress controller). */
  readonly frontend: HttpTierProps;
  /** The backend tier (reachable from the frontend). */
  readonly backend: HttpTierProps;
  /** The database tier (reachable from the backend). */
  readonly database: DatabaseTierProps;
  /**
   * Ingress options.
   * @default - class nginx, cert-manager ClusterIssuer letsencrypt-prod, TLS secret `<name>-tls`, HTTPS redirect
   */
  readonly ingress?: ThreeTierIngressOptions;
  /**
   * Route north-south traffic through a Gateway API Gateway instead of an Ingress (ingress-nginx is
   * retired upstream): an HTTPRoute `<name>` for `host`, attached to the listener, to the frontend
   * Service. The frontend then admits the ClusterNetwork `gateway` pods instead of the ingress
   * controller, and no HTTP-01 solver policy is added (the Gateway's certificate is solved in the
   * Gateway's namespace). Excludes `ingress`.
   * @default - an Ingress (class nginx)
   */
  readonly gateway?: ThreeTierGatewayOptions;
  /**
   * Join the ClusterNetwork's service mesh (see ZeroTrustNamespace `mesh`). Only for the app's own
   * namespace: a `zeroTrustNamespace` given joins (or not) where it is created. Under Istio ambient
   * and Linkerd the CNI sees only the mesh's transport port between meshed pods, so each tier allow
   * admits its meshed source to every port of the destination tier; the app restricts its own
   * hops (frontend to backend, backend to database) in the mesh (`meshTierAuthorization`). The
   * ingress controller's or Gateway's allow to the frontend is not restricted in the mesh (their
   * identity is not known here): a meshed ingress controller reaches every port of the frontend. The
   * frontend is left to the namespace's default inbound policy, except under Linkerd `deny`, where
   * the app gives its port a Server admitting anyone (see `meshTierAuthorization`); under
   * `all-authenticated` or `cluster-authenticated` an unmeshed ingress controller or Gateway gets
   * only the frontend's probe paths (Linkerd's probe route): mesh it.
   * @default - not meshed
   */
  readonly mesh?: NamespaceMeshOptions;
  /**
   * When the namespace is meshed under Istio ambient or Linkerd (where the NetworkPolicies see only
   * the mesh's transport port between meshed pods, and so admit the frontend to every port of the
   * backend and the backend to every port of the database), enforce the tier ports in the mesh.
   * Each tier then runs as a ServiceAccount of its own, its mesh identity: `<name>-<tier>`, which the
   * app creates (configure it with the tier's `serviceAccount: TierServiceAccount.create({ ... })`),
   * or one you manage (`TierServiceAccount.existing(name)`; not `default`, and not shared by two
   * tiers). Another workload of the app's namespace (in the construct tree: any workload kind, another
   * ThreeTierApp's tiers, or another controller's object with a pod template, such as an Argo Rollout)
   * running as the frontend's or the backend's account without that tier's labels is a synth error: the mesh could not tell it
   * from the tier (under ambient the DENY would silently refuse it the other ports of the next tier,
   * under Linkerd the tier Server would admit it to the tier port). And
   *
   * - Istio ambient: per hop an AuthorizationPolicy (DENY, enforced by ztunnel) on the destination
   *   tier: the source tier's identity on any port but the tier port
   *   (`<name>-frontend-to-backend-other-ports`, `<name>-backend-to-database-other-ports`). No other
   *   caller is affected. With a waypoint in the path ztunnel sees the waypoint's identity instead,
   *   and the policy does not apply. An ALLOW policy of the namespace or of the mesh root namespace
   *   selecting a tier's pods (the allow-nothing baseline of a `MeshAuthorization`; dry-run policies
   *   do not count) that admits no source tier on the tier port,
   *   or nothing at all on the frontend, is a synth error naming the flow to add.
   * - Linkerd: the backend and database pods get the default inbound policy `deny`
   *   (`config.linkerd.io/default-inbound-policy`) and two Servers each: on the tier port, admitting
   *   the source tier's identity only (`<name>-frontend-to-backend`, `<name>-backend-to-database`: a
   *   MeshTLSAuthentication naming its ServiceAccount), as the NetworkPolicies do; and on the proxy
   *   admin port 4191, admitting whom the namespace's default policy admitted before
   *   (`<name>-<tier>-proxy-admin`; the namespace's `linkerdDefaultInboundPolicy`, else Linkerd's install
   *   default `all-unauthenticated`: declare the namespace's policy when the cluster's differs), which
   *   the NetworkPolicies restrict to monitoring and the node. Every other port of those pods is
   *   refused in the mesh, to everyone. Kubelet probes keep working (httpGet: Linkerd's probe route;
   *   tcpSocket: the proxy accepts the connection itself); an httpGet probe on an opaque tier port is
   *   a synth error. A source tier that would connect without its identity (pods annotated
   *   `linkerd.io/inject: disabled`, the tier port in `config.linkerd.io/skip-outbound-ports`) is a
   *   synth error. When the namespace's policy is `deny`, the tier-port Servers are emitted, and a
   *   Server on the frontend port admitting anyone (`<name>-frontend-ingress`: the ingress
   *   controller's or Gateway's identity is not known, and the frontend's NetworkPolicies admit only
   *   it, the monitoring pods and the node; any flow of yours on that Server, or another Server on
   *   that port, is a synth error), but none on the admin port (it admitted nobody and keeps doing
   *   so: authorize the scraper yourself, see `linkerdDefaultInboundPolicy`); the backend and
   *   database pods' `deny` annotation only where the namespace is not the app's own (whose Namespace
   *   object carries it), none on the frontend pods (the app restricts nothing there). Pods the app does not
   *   create that carry a tier's labels (a canary) get the Servers but keep their own default policy:
   *   annotate them with `deny` too.
   *
   * An allow of the namespace (other than the app's own) that this would silently break is a synth
   * error naming the policy: under Linkerd any ingress to the backend or database pods on another
   * TCP port that no Server of yours (a `LinkerdAuthorization` or `MeshAuthorization` flow to every
   * pod of the tier) describes, and any ingress on the tier port from others than the source tier
   * unless a port-level flow of yours to the tier's pods on that port names callers there (it joins
   * the app's Server; a route-level flow there is refused, as is any flow on the admin-port Server;
   * not in a `deny` namespace, whose policy refused those allows already: PolicyLint reports them);
   * under ambient an allow from the source tier to another port. Set false to authorize the
   * tiers in the mesh yourself (MeshAuthorization), keeping the NetworkPolicies' opening of every port
   * between meshed tiers. No effect unmeshed or under Istio sidecars, which keep the application ports.
   * @default true
   */
  readonly meshTierAuthorization?: boolean;
  /**
   * Create the Namespace (a {@link ZeroTrustNamespace}: Pod Security `restricted`). When false, the
   * namespace's default-deny and DNS policies are still emitted. Not with `zeroTrustNamespace`.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Extra labels of every object and pod (not the `app.kubernetes.io/name|component|part-of` keys,
   * which the app sets, no service mesh key: `istio.io`, `linkerd.io` and their subdomains, and no label
   * key the CNI derives from a pod's namespace or ServiceAccount: Cilium's `io.kubernetes.pod.*`,
   * `io.cilium.k8s.*`, Calico's `projectcalico.org/*`, `pcns.*`, `pcsa.*`). Labels of one tier's pods
   * only: that tier's `podLabels`.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** The namespace's policy admitting the ingress controller to cert-manager's HTTP-01 solver pods. */
const ACME_SOLVER_POLICY = 'acme-solver-allow-ingress-controller';
const MAX_NAME_LENGTH = 43;

/** The fields of the props and their option structs. */
const PROPS_KEYS: StructKeys<ThreeTierAppProps> = {
  name: true,
  namespace: true,
  zeroTrustNamespace: true,
  host: true,
  frontend: true,
  backend: true,
  database: true,
  ingress: true,
  gateway: true,
  mesh: true,
  meshTierAuthorization: true,
  createNamespace: true,
  labels: true,
};
const INGRESS_KEYS: StructKeys<ThreeTierIngressOptions> = {
  className: true, clusterIssuer: true, tlsSecretName: true, sslRedirect: true, limitRps: true, allowAcmeHttp01Solver: true,
};
const GATEWAY_KEYS: StructKeys<ThreeTierGatewayOptions> = { parent: true };

/**
 * A three-tier application in a zero-trust namespace (its own, or an existing one such as a tenant
 * namespace: `zeroTrustNamespace`), built to the usual best practice: frontend and
 * backend Deployments and a database StatefulSet (cdk8s-plus-27) behind ClusterIP Services (headless
 * for the database), a TLS Ingress (cert-manager, ingress-nginx) for the frontend, and network
 * policies that allow exactly
 *
 *   ingress controller -> frontend:port, frontend -> backend:port, backend -> database:port
 *
 * plus DNS, and ingress controller -> cert-manager's HTTP-01 solver pods (so the TLS certificate can be
 * issued). Everything else, frontend -> database included, is denied by the namespace's default deny;
 * add further flows (e.g. backend egress to an external API) with `zeroTrustNamespace.allowEgress()`
 * and `podLabels()`.
 *
 * Meshed under Istio ambient or Linkerd, whose transport port hides the application port from the
 * NetworkPolicies, the app also restricts its tier hops to the tier ports in the mesh
 * (`meshTierAuthorization`).
 *
 * Pods pass Pod Security `restricted` (non-root numeric user, no privilege escalation, every capability
 * dropped, seccomp RuntimeDefault) and have a read-only root filesystem, probes, requests and limits,
 * and a PodDisruptionBudget when they have more than one replica. Policies and Services select pods by
 * readable labels (`app.kubernetes.io/name`, `app.kubernetes.io/component`, `app.kubernetes.io/part-of`).
 */
export class ThreeTierApp extends Construct {
  /** The app name. */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /**
   * The namespace and its baseline policies (default deny, DNS); holds the tier policies too. The
   * app's own, or the `zeroTrustNamespace` it was given.
   */
  public readonly zeroTrustNamespace: ZeroTrustNamespace;
  /** The frontend Deployment. */
  public readonly frontend: kplus.Deployment;
  /** The backend Deployment. */
  public readonly backend: kplus.Deployment;
  /** The database StatefulSet. */
  public readonly database: kplus.StatefulSet;
  /** The frontend ClusterIP Service. */
  public readonly frontendService: kplus.Service;
  /** The backend ClusterIP Service. */
  public readonly backendService: kplus.Service;
  /** The database's headless Service (the StatefulSet's `serviceName`). */
  public readonly databaseService: kplus.Service;
  /** The Ingress of the frontend (unless the app routes through a Gateway). */
  public readonly ingress?: kplus.Ingress;
  /** The HTTPRoute of the frontend (when the app routes through a Gateway). */
  public readonly httpRoute?: ApiObject;
  private readonly tierLabels: Record<string, Record<string, string>> = {};

  constructor(scope: Construct, id: string, givenProps: ThreeTierAppProps) {
    super(scope, id);
    const props = requireKnownKeys(this, '', requireProps(this, givenProps, false), PROPS_KEYS);
    this.name = validateDnsLabel(this, 'name', orDefault(props.name, id));
    if (this.name.length > MAX_NAME_LENGTH) {
      throw propError(this, 'name', `'${this.name}' is longer than ${MAX_NAME_LENGTH} characters: the StatefulSet's `
        + `controller-revision-hash label '${this.name}-database-<hash>' would exceed 63`);
    }
    // Service names are DNS-1035 labels (a letter first), and the Services are `<name>-frontend`, ...
    if (!/^[a-z]/.test(this.name)) {
      throw propError(this, 'name', `'${this.name}' must start with a letter: the app's Services ('${this.name}-frontend', ...) are `
        + 'DNS-1035 labels');
    }
    const host = validateHost(this, 'host', props.host);
    const labels = validateLabels(this, 'labels', props.labels);
    for (const key of RESERVED_LABELS) {
      if (key in labels) throw propError(this, 'labels', `'${key}' is set by ThreeTierApp or cert-manager (policies and Services select on it)`);
    }
    for (const tier of [AppTier.FRONTEND, AppTier.BACKEND, AppTier.DATABASE]) {
      this.tierLabels[tier] = {
        'app.kubernetes.io/component': tier,
        'app.kubernetes.io/name': this.name,
        'app.kubernetes.io/part-of': this.name,
      };
    }

    // Before the namespace's own label checks, which name a CNI-derived key such as `pcns.kubernetes.io/...` reserved by Kubernetes.
    refuseCniKeys(this, 'labels', labels, 'labels', 'the app\'s pods');
    this.zeroTrustNamespace = this.namespaceFor(props, labels);
    // After the namespace's own refusal of its mesh labels (mesh-membership), which names them as namespace labels.
    refuseMeshKeys(this, 'labels', labels, 'the app\'s pods');
    this.namespace = this.zeroTrustNamespace.name;
    const cluster = ClusterNetwork.of(this);
    const transportPort = cluster.mesh.networkNeeds().transportPort?.port;
    const meshTiers = requireOptionalBoolean(this, 'meshTierAuthorization', props.meshTierAuthorization, true)
      && this.zeroTrustNamespace.meshed && transportPort !== undefined;

    const common = { namespace: this.namespace, appName: this.name, extraLabels: labels, meshTiers };
    const front = buildTier(this, {
      ...common,
      tier: AppTier.FRONTEND,
      podLabels: this.podLabels(AppTier.FRONTEND),
      props: props.frontend,
      kind: 'http',
    });
    const back = buildTier(this, {
      ...common,
      tier: AppTier.BACKEND,
      podLabels: this.podLabels(AppTier.BACKEND),
      props: props.backend,
      kind: 'http',
    });
    const db = buildTier(this, {
      ...common,
      tier: AppTier.DATABASE,
      podLabels: this.podLabels(AppTier.DATABASE),
      props: props.database,
      kind: 'database',
    });
    checkTierAccounts(this, [front, back, db], meshTiers);
    this.frontend = front.workload as kplus.Deployment;
    this.backend = back.workload as kplus.Deployment;
    this.database = db.workload as kplus.StatefulSet;
    this.frontendService = front.service;
    this.backendService = back.service;
    this.databaseService = db.service;

    const gateway = requireOptionalObject(this, 'gateway', props.gateway);
    const ingress = requireOptionalObject(this, 'ingress', props.ingress);
    if (gateway !== undefined) requireKnownKeys(this, 'gateway', gateway, GATEWAY_KEYS);
    if (ingress !== undefined) requireKnownKeys(this, 'ingress', ingress, INGRESS_KEYS);
    if (gateway !== undefined) {
      if (ingress !== undefined) throw propError(this, 'ingress', 'omit it with gateway: the app is routed by an HTTPRoute, not an Ingress');
      this.httpRoute = this.buildHttpRoute(host, front, gateway);
    } else {
      this.ingress = this.buildIngress(host, front, ingress ?? {});
    }
    const acmeSolver = gateway === undefined
      && requireOptionalBoolean(this, 'ingress.allowAcmeHttp01Solver', ingress?.allowAcmeHttp01Solver, true);
    const own = this.addPolicies(front, back, db, acmeSolver, gateway !== undefined);
    if (meshTiers) this.authorizeTiersInMesh(front, back, db, own, transportPort!);
    // Allows added to the namespace later (addPolicy, allowEgress, ... under any name) are checked
    // at synth: the tier isolation must hold in what is emitted, not only when the app was created.
    this.node.addValidation({ validate: () => this.blanketAllowProblems() });
  }

  /**
   * The labels of the pods of a tier (what the policies and the Service of that tier select):
   * `app.kubernetes.io/name`, `app.kubernetes.io/component`, `app.kubernetes.io/part-of`. Not the
   * tier's own `podLabels`, which no policy of the app selects.
   */
  public podLabels(tier: AppTier): { [key: string]: string } {
    return { ...this.tierLabels[tier] };
  }

  /** The app's own zero-trust namespace, or the one given, checked to hold the tier isolation. */
  private namespaceFor(props: ThreeTierAppProps, labels: Record<string, string>): ZeroTrustNamespace {
    const existing = props.zeroTrustNamespace;
    if (existing === undefined) {
      if (props.namespace === undefined) throw propError(this, 'namespace', 'is required (or pass zeroTrustNamespace)');
      const name = validateDnsLabel(this, 'namespace', props.namespace);
      const createNamespace = requireOptionalBoolean(this, 'createNamespace', props.createNamespace, true);
      const mesh = requireOptionalObject(this, 'mesh', props.mesh);
      return new ZeroTrustNamespace(this, 'Namespace', { name, labels, createNamespace, mesh });
    }
    if (props.mesh !== undefined) {
      throw propError(this, 'mesh', `omit it with zeroTrustNamespace: '${existing.name}' joins the mesh (or not) where it is created (${existing.node.path})`);
    }
    requireInstance(this, 'zeroTrustNamespace', existing, ZeroTrustNamespace, 'a ZeroTrustNamespace (e.g. tenantNamespaces.<tenant>[0] of a TenantIsolation)');
    if (props.namespace !== undefined) {
      throw propError(this, 'namespace', `omit it with zeroTrustNamespace: the app lives in the zero-trust namespace '${existing.name}'`);
    }
    if (props.createNamespace !== undefined) {
      throw propError(this, 'createNamespace', `omit it with zeroTrustNamespace: '${existing.name}' is created (or not) by ${existing.node.path}`);
    }
    if (existing.node.root !== this.node.root) {
      throw propError(this, 'zeroTrustNamespace', `${existing.node.path} belongs to another cdk8s App`);
    }
    const problems = blanketAllowProblems(existing, this.name);
    if (problems.length > 0) throw propError(this, 'zeroTrustNamespace', problems[0]);
    return existing;
  }

  /** For the synth-time validation: `zeroTrustNamespace: ...` when the namespace opens every pod. */
  private blanketAllowProblems(): string[] {
    return [...blanketAllowProblems(this.zeroTrustNamespace, this.name), ...otherBlanketAllows(this, this.zeroTrustNamespace)].map((p) => `zeroTrustNamespace: ${p}`);
  }

  /**
   * The tier hops' ports in the mesh (see `meshTierAuthorization`): the mesh layer's objects, the
   * destination tiers' pod annotations it asks for, and, at synth, the allows of the namespace that
   * the authorization would break (refused, never silently broken).
   */
  private authorizeTiersInMesh(front: TierBuild, back: TierBuild, db: TierBuild, own: Set<TrafficPolicy>, transportPort: number): void {
    const tier = (t: AppTier, b: TierBuild): EmittedTier => ({
      tier: t, podLabels: this.podLabels(t), serviceAccount: b.account!.name, port: b.port, templateLabels: { ...b.templateLabels },
    });
    const [frontend, backend, database] = [tier(AppTier.FRONTEND, front), tier(AppTier.BACKEND, back), tier(AppTier.DATABASE, db)];
    const hops = [{ from: frontend, to: backend }, { from: backend, to: database }];
    const linkerdDefaultInboundPolicy = this.zeroTrustNamespace._linkerdDefaultInboundPolicy;
    const result = meshTierAuthorizer()({
      scope: this, namespace: this.namespace, appName: this.name, linkerdDefaultInboundPolicy, entry: frontend, hops,
    });
    // An annotation the app's own Namespace object carries with the same value is redundant on the pods (Linkerd's
    // default inbound policy: the pod's annotation, else its namespace's, linkerd.io "Authorization Policy" reference):
    // a Linkerd namespace declared `deny`. A namespace the app does not emit may say otherwise: its pods keep the annotation.
    const namespaceAnnotations: Record<string, string> = this.zeroTrustNamespace.namespaceObject?.metadata.toJson().annotations ?? {};
    for (const workload of [back.workload, db.workload]) {
      for (const [key, value] of Object.entries(result.destinationPodAnnotations)) {
        if (namespaceAnnotations[key] !== value) workload.podMetadata.addAnnotation(key, value);
      }
    }
    // The authorization below holds for pods with those annotations: a pod template the user annotated otherwise is refused.
    const destinations = [{ tier: AppTier.BACKEND, workload: back.workload }, { tier: AppTier.DATABASE, workload: db.workload }];
    this.node.addValidation({
      validate: () => overriddenDestinationAnnotations(this.namespace, destinations, result.destinationPodAnnotations)
        .map((p) => `meshTierAuthorization: ${p}`),
    });
    // A Linkerd namespace whose default policy already denies refused every port no Server describes before the app's
    // Servers (which admit the source tiers on the tier ports only): they break no allow of the namespace's that its
    // policy did not already refuse (PolicyLint's linkerd-authz-refuses-admitted-source reports those).
    if (linkerdDefaultInboundPolicy === LinkerdInboundPolicy.DENY) return;
    const cluster = ClusterNetwork.of(this);
    this.node.addValidation({
      validate: () => meshTierConflicts(this.node.root, {
        namespace: this.namespace,
        namespaceLabels: knownNamespaceLabels(this.zeroTrustNamespace),
        meshKind: cluster.mesh.kind,
        meshName: cluster.mesh.displayName,
        transportPort,
        adminPorts: cluster.mesh.kind === MeshKind.LINKERD ? cluster.mesh.networkNeeds().metricsPorts.map((p) => p.port) : [],
        hops,
        own,
        // Mirrored as their all-* counterpart: an address-block peer is not known to be in the cluster networks.
        clusterNetworksOnly: linkerdDefaultInboundPolicy === LinkerdInboundPolicy.CLUSTER_AUTHENTICATED
          || linkerdDefaultInboundPolicy === LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED,
        tierServers: result.tierServers,
        ownMeshObjects: new Set(result.objects),
      }).map((p) => `meshTierAuthorization: ${p}`),
    });
  }

  /** The HTTPRoute for `host` on the Gateway listener, to the frontend Service (standard fields of Gateway API v1.2). */
  private buildHttpRoute(host: string, front: TierBuild, options: ThreeTierGatewayOptions): ApiObject {
    if (ClusterNetwork.of(this).gateway === undefined) {
      throw propError(this, 'gateway', 'the ClusterNetwork declares no gateway pods, so the frontend could not admit them: declare ClusterNetwork '
        + 'gateway ({ namespace, podLabels }) for the Gateway\'s data plane');
    }
    const parentRef = gatewayParentRef(this, 'gateway.parent', options.parent, this.namespace, [host], () => 'host');
    // The route is a catch-all for `host`: another catch-all route of this app on that listener and hostname
    // ties with it, and the Gateway API gives the requests to the oldest route only (see gateway/route-claims).
    const ref = options.parent._ref;
    const claim = { kind: 'gatewayRoute', gateway: `${ref.gatewayNamespace}/${ref.gatewayName}`, sectionName: ref.sectionName, hostnames: [host] } as const;
    const other = claimRoute(this, claim, 'a ThreeTierApp');
    if (other) {
      throw propError(this, 'gateway.parent', `${other.by} (${other.owner}) already routes listener ${options.parent} for hostname ${host}: routes `
        + 'whose rules match alike tie, and the Gateway API gives the requests to the oldest route only (then the first by namespace/name), so '
        + 'this frontend or the other route would never receive them. Give the app another host, or attach it to another listener (sectionName)');
    }
    const route = emitHttpRoute(this, 'HTTPRoute', GATEWAY_HTTP_ROUTE, this.name, this.namespace, [parentRef], [host],
      [{ backends: [{ name: front.service.name, port: front.port, weight: 1 }] }]);
    for (const [key, value] of Object.entries(front.objectLabels)) route.metadata.addLabel(key, value);
    return route;
  }

  private buildIngress(host: string, front: TierBuild, options: ThreeTierIngressOptions): kplus.Ingress {
    const className = validateDnsSubdomain(this, 'ingress.className', orDefault(options.className, 'nginx'));
    const issuer = validateDnsSubdomain(this, 'ingress.clusterIssuer', orDefault(options.clusterIssuer, 'letsencrypt-prod'));
    const secretName = validateDnsSubdomain(this, 'ingress.tlsSecretName', orDefault(options.tlsSecretName, `${this.name}-tls`));
    const annotations: Record<string, string> = {
      'cert-manager.io/cluster-issuer': issuer,
      // ingress-nginx redirects to HTTPS by default once TLS is configured; emitting the annotation either
      // way keeps the decision visible in review.
      'nginx.ingress.kubernetes.io/ssl-redirect': String(requireOptionalBoolean(this, 'ingress.sslRedirect', options.sslRedirect, true)),
    };
    if (options.limitRps !== undefined) {
      const rps = validatePositiveInteger(this, 'ingress.limitRps', options.limitRps);
      annotations['nginx.ingress.kubernetes.io/limit-rps'] = String(rps);
    }
    const ingress = new kplus.Ingress(this, 'Ingress', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...front.objectLabels }, annotations },
      className,
      rules: [{
        host,
        path: '/',
        pathType: kplus.HttpIngressPathType.PREFIX,
        backend: kplus.IngressBackend.fromService(front.service, { port: front.port }),
      }],
      tls: [{ hosts: [host], secret: kplus.Secret.fromSecretName(this, 'TlsSecret', secretName) }],
    });
    registerObject(this, ApiObject.of(ingress));
    return ingress;
  }

  /**
   * The tier policies, on top of the namespace's default deny and DNS allow. Each hop needs an egress
   * allow on the client and an ingress allow on the server, because both ends are in default deny.
   * Ports are container ports: policies see traffic after the Service's DNAT. Kubelet probes need no
   * allow: traffic from the pod's own node is always allowed
   * (https://kubernetes.io/docs/concepts/services-networking/network-policies/).
   */
  private addPolicies(front: TierBuild, back: TierBuild, db: TierBuild, acmeSolver: boolean, viaGateway: boolean): Set<TrafficPolicy> {
    const ns = this.zeroTrustNamespace;
    const frontend = this.podLabels(AppTier.FRONTEND);
    const backend = this.podLabels(AppTier.BACKEND);
    const database = this.podLabels(AppTier.DATABASE);
    const policyLabels = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': this.name };
    // Tier policies carry the app name, as its workloads do, so apps of different names can share a
    // namespace (two of the same name already collide on their workloads).
    const own = new Set<TrafficPolicy>();
    const add = (tierPolicy: string, podSelector: Record<string, string>, direction: 'ingress' | 'egress', peer: Peer, port: number) => {
      own.add(ns.addPolicy(`${this.name}-${tierPolicy}`, { podSelector, labels: policyLabels, [direction]: [{ peers: [peer], ports: [Port.tcp(port)] }] }));
    };

    if (viaGateway) add('frontend-allow-gateway', frontend, 'ingress', Peer.gateway(), front.port);
    else add('frontend-allow-ingress-controller', frontend, 'ingress', Peer.ingressController(), front.port);
    add('frontend-to-backend', frontend, 'egress', Peer.pods(backend), back.port);
    add('backend-from-frontend', backend, 'ingress', Peer.pods(frontend), back.port);
    add('backend-to-database', backend, 'egress', Peer.pods(database), db.port);
    add('database-from-backend', database, 'ingress', Peer.pods(backend), db.port);
    // The HTTP-01 solver policy selects every solver pod of the namespace, whichever app's Certificate
    // made it, so the namespace holds one, shared by its apps and labelled with none of them.
    if (acmeSolver && ns.policy(ACME_SOLVER_POLICY) === undefined) {
      // 8089 is the acmesolver's fixed listen port; the ACME server reaches it through the ingress controller.
      ns.addPolicy(ACME_SOLVER_POLICY, {
        podSelector: { [ACME_SOLVER_LABEL]: 'true' },
        ingress: [{ peers: [Peer.ingressController()], ports: [Port.tcp(8089)] }],
      });
    }
    return own;
  }
}
