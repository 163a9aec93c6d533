import { ApiObject, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TierResources } from './three-tier/resources';
import { TierBuild, buildTier } from './three-tier/tier';
import { validateHost, validatePositiveInteger } from './three-tier/validation';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { propError } from '../util/errors';
import { registerObject } from '../util/object-registry';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../util/validate';

/** The three tiers of a {@link ThreeTierApp}; also the value of their `app.kubernetes.io/component` label. */
export enum AppTier {
  /** The tier the ingress controller sends traffic to. */
  FRONTEND = 'frontend',
  /** The tier only the frontend reaches. */
  BACKEND = 'backend',
  /** The tier only the backend reaches. */
  DATABASE = 'database',
}

/** Settings shared by every tier of a {@link ThreeTierApp}. */
export interface AppTierCommonProps {
  /** Container image, ideally pinned by digest (`repo/app@sha256:...`). */
  readonly image: string;
  /**
   * Plain environment variables (not for secrets: use `envFromSecret`).
   * @default - none
   */
  readonly env?: { [key: string]: string };
  /**
   * Name of an existing Secret in the namespace whose keys become environment variables (`envFrom`),
   * so credentials never appear in the synthesized manifests.
   * @default - none
   */
  readonly envFromSecret?: string;
  /**
   * Mount the container's root filesystem read-only (Pod Security `restricted` does not require it,
   * but it stops an attacker from dropping tools into the image). Paths in `writablePaths` stay writable.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/** An HTTP tier (frontend or backend) of a {@link ThreeTierApp}. */
export interface HttpTierProps extends AppTierCommonProps {
  /**
   * Container port the application listens on (named `http`). Policies allow exactly this port.
   * @default 8080 - an unprivileged port, so the container needs no capability to bind it
   */
  readonly port?: number;
  /**
   * Number of pods. With more than one, a PodDisruptionBudget (minAvailable 1) is emitted.
   * @default 2 - survives a node drain without downtime
   */
  readonly replicas?: number;
  /**
   * CPU and memory requests and limits. Each of `cpu`, `memory`, `ephemeralStorage` given replaces
   * only that default.
   * @default - cpu 100m request / 500m limit, memory 128Mi request / 256Mi limit
   */
  readonly resources?: TierResources;
  /**
   * Path of the HTTP health endpoint used by the readiness and liveness probes.
   * @default '/healthz'
   */
  readonly healthCheckPath?: string;
  /**
   * Numeric user (and group) id the container runs as. Numeric, because the kubelet can only verify
   * `runAsNonRoot` for numeric ids.
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Writable paths (emptyDir volumes) when the root filesystem is read-only.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
}

/** The database tier of a {@link ThreeTierApp} (a StatefulSet with one PersistentVolumeClaim per pod). */
export interface DatabaseTierProps extends AppTierCommonProps {
  /**
   * Container port of the database (named `postgres`). Policies allow exactly this port.
   * @default 5432
   */
  readonly port?: number;
  /**
   * Number of pods. With more than one, a PodDisruptionBudget (minAvailable 1) is emitted.
   * @default 1 - replication is the database's business, not the StatefulSet's
   */
  readonly replicas?: number;
  /**
   * CPU and memory requests and limits. Each of `cpu`, `memory`, `ephemeralStorage` given replaces
   * only that default.
   * @default - cpu 250m request / 1 limit, memory 512Mi request / 1Gi limit
   */
  readonly resources?: TierResources;
  /**
   * Size of each pod's data volume (volumeClaimTemplate `data`, ReadWriteOnce).
   * @default Size.gibibytes(10)
   */
  readonly storage?: Size;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Where the data volume is mounted. `PGDATA` is set to the `pgdata` directory below it, because a
   * volume root may contain `lost+found`, which `initdb` refuses.
   * @default '/var/lib/postgresql/data'
   */
  readonly dataMountPath?: string;
  /**
   * Numeric user (and group, and fsGroup) id the container runs as.
   * @default 999 - the postgres user of the official postgres images
   */
  readonly runAsUser?: number;
  /**
   * Writable paths (emptyDir volumes) when the root filesystem is read-only.
   * @default ['/tmp', '/var/run/postgresql'] - PostgreSQL's socket and lock directory
   */
  readonly writablePaths?: string[];
}

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

/** Props of {@link ThreeTierApp}. */
export interface ThreeTierAppProps {
  /**
   * Name of the app: the `app.kubernetes.io/name` and `app.kubernetes.io/part-of` label of every pod
   * and the prefix of every object name (`<name>-frontend`, ...). A DNS-1123 label of at most 43
   * characters, because the StatefulSet's `controller-revision-hash` label value
   * (`<name>-database-<10 characters>`) must fit in 63.
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
   * The namespace must not allow every pod to reach every other (`allowSameNamespace`, or
   * TenantIsolation's `allow-same-tenant`: create the TenantIsolation with `allowSameTenant: false`),
   * or the frontend could reach the database; nor have `ingressControllerPorts` (its
   * `allow-ingress-controller` opens the database to the ingress controller). Several apps of
   * different names can share it: their policies are named after the app (`<name>-frontend-to-backend`).
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
   * Create the Namespace (a {@link ZeroTrustNamespace}: Pod Security `restricted`). When false, the
   * namespace's default-deny and DNS policies are still emitted. Not with `zeroTrustNamespace`.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Extra labels of every object and pod (not the `app.kubernetes.io/name|component|part-of` keys,
   * which the app sets).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** Policies of the namespace that would open every tier to every other (ZeroTrustNamespace, TenantIsolation). */
const BROAD_ALLOWS = ['allow-same-namespace', 'allow-same-tenant'];

/** The namespace's policy admitting the ingress controller to cert-manager's HTTP-01 solver pods. */
const ACME_SOLVER_POLICY = 'acme-solver-allow-ingress-controller';
/** ZeroTrustNamespace `ingressControllerPorts`: its podSelector {} lets the ingress controller reach every tier. */
const INGRESS_CONTROLLER_TO_ALL = 'allow-ingress-controller';
/**
 * Label keys the app's selectors use: the tier labels, and cert-manager's HTTP-01 solver label, which
 * the `acme-solver-allow-ingress-controller` policy selects (on every pod carrying it).
 */
const RESERVED_LABELS = [
  'app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'acme.cert-manager.io/http01-solver',
];
const MAX_NAME_LENGTH = 43;

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
  /** The Ingress of the frontend. */
  public readonly ingress: kplus.Ingress;
  private readonly tierLabels: Record<string, Record<string, string>> = {};

  constructor(scope: Construct, id: string, props: ThreeTierAppProps) {
    super(scope, id);
    this.name = validateDnsLabel(this, 'name', props.name ?? id);
    if (this.name.length > MAX_NAME_LENGTH) {
      throw propError(this, 'name', `'${this.name}' is longer than ${MAX_NAME_LENGTH} characters: the StatefulSet's `
        + `controller-revision-hash label '${this.name}-database-<hash>' would exceed 63`);
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

    this.zeroTrustNamespace = this.namespaceFor(props, labels);
    this.namespace = this.zeroTrustNamespace.name;

    const common = { namespace: this.namespace, appName: this.name, extraLabels: labels };
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
    this.frontend = front.workload as kplus.Deployment;
    this.backend = back.workload as kplus.Deployment;
    this.database = db.workload as kplus.StatefulSet;
    this.frontendService = front.service;
    this.backendService = back.service;
    this.databaseService = db.service;

    this.ingress = this.buildIngress(host, front, props.ingress ?? {});
    this.addPolicies(front, back, db, props.ingress?.allowAcmeHttp01Solver ?? true);
  }

  /**
   * The labels of the pods of a tier (what the policies and the Service of that tier select):
   * `app.kubernetes.io/name`, `app.kubernetes.io/component`, `app.kubernetes.io/part-of`.
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
      return new ZeroTrustNamespace(this, 'Namespace', { name, labels, createNamespace: props.createNamespace ?? true });
    }
    if (props.namespace !== undefined) {
      throw propError(this, 'namespace', `omit it with zeroTrustNamespace: the app lives in the zero-trust namespace '${existing.name}'`);
    }
    if (props.createNamespace !== undefined) {
      throw propError(this, 'createNamespace', `omit it with zeroTrustNamespace: '${existing.name}' is created (or not) by ${existing.node.path}`);
    }
    for (const broad of BROAD_ALLOWS) {
      if (existing.policy(broad) !== undefined) {
        throw propError(this, 'zeroTrustNamespace', `'${existing.name}' has the policy '${broad}', which lets every pod of the namespace reach `
          + 'every other, so frontend -> database could not be denied. Create the namespace without it (ZeroTrustNamespace '
          + 'allowSameNamespace: false; TenantIsolation allowSameTenant: false)');
      }
    }
    if (existing.policy(INGRESS_CONTROLLER_TO_ALL) !== undefined) {
      throw propError(this, 'zeroTrustNamespace', `'${existing.name}' has the policy '${INGRESS_CONTROLLER_TO_ALL}', which lets the ingress `
        + 'controller reach every pod of the namespace, the database included. Create the namespace without ingressControllerPorts: '
        + 'the app allows the ingress controller to the frontend only');
    }
    if (existing.node.root !== this.node.root) {
      throw propError(this, 'zeroTrustNamespace', `${existing.node.path} belongs to another cdk8s App`);
    }
    return existing;
  }

  private buildIngress(host: string, front: TierBuild, options: ThreeTierIngressOptions): kplus.Ingress {
    const className = validateDnsSubdomain(this, 'ingress.className', options.className ?? 'nginx');
    const issuer = validateDnsSubdomain(this, 'ingress.clusterIssuer', options.clusterIssuer ?? 'letsencrypt-prod');
    const secretName = validateDnsSubdomain(this, 'ingress.tlsSecretName', options.tlsSecretName ?? `${this.name}-tls`);
    const annotations: Record<string, string> = {
      'cert-manager.io/cluster-issuer': issuer,
      // ingress-nginx redirects to HTTPS by default once TLS is configured; emitting the annotation either
      // way keeps the decision visible in review.
      'nginx.ingress.kubernetes.io/ssl-redirect': String(options.sslRedirect ?? true),
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
  private addPolicies(front: TierBuild, back: TierBuild, db: TierBuild, acmeSolver: boolean): void {
    const ns = this.zeroTrustNamespace;
    const frontend = this.podLabels(AppTier.FRONTEND);
    const backend = this.podLabels(AppTier.BACKEND);
    const database = this.podLabels(AppTier.DATABASE);
    const policyLabels = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': this.name };
    // Tier policies carry the app name, as its workloads do, so apps of different names can share a
    // namespace (two of the same name already collide on their workloads).
    const add = (tierPolicy: string, podSelector: Record<string, string>, direction: 'ingress' | 'egress', peer: Peer, port: number) => {
      ns.addPolicy(`${this.name}-${tierPolicy}`, { podSelector, labels: policyLabels, [direction]: [{ peers: [peer], ports: [Port.tcp(port)] }] });
    };

    add('frontend-allow-ingress-controller', frontend, 'ingress', Peer.ingressController(), front.port);
    add('frontend-to-backend', frontend, 'egress', Peer.pods(backend), back.port);
    add('backend-from-frontend', backend, 'ingress', Peer.pods(frontend), back.port);
    add('backend-to-database', backend, 'egress', Peer.pods(database), db.port);
    add('database-from-backend', database, 'ingress', Peer.pods(backend), db.port);
    // The HTTP-01 solver policy selects every solver pod of the namespace, whichever app's Certificate
    // made it, so the namespace holds one, shared by its apps and labelled with none of them.
    if (acmeSolver && ns.policy(ACME_SOLVER_POLICY) === undefined) {
      // 8089 is the acmesolver's fixed listen port; the ACME server reaches it through the ingress controller.
      ns.addPolicy(ACME_SOLVER_POLICY, {
        podSelector: { 'acme.cert-manager.io/http01-solver': 'true' },
        ingress: [{ peers: [Peer.ingressController()], ports: [Port.tcp(8089)] }],
      });
    }
  }
}
