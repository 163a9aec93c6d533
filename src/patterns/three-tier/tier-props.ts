import { Size } from 'cdk8s';
import { TierResources } from './resources';
import { TierServiceAccount } from './service-account';

/** The three tiers of a ThreeTierApp; also the value of their `app.kubernetes.io/component` label. */
export enum AppTier {
  /** The tier the ingress controller sends traffic to. */
  FRONTEND = 'frontend',
  /** The tier only the frontend reaches. */
  BACKEND = 'backend',
  /** The tier only the backend reaches. */
  DATABASE = 'database',
}

/** Settings shared by every tier of a ThreeTierApp. */
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
  /**
   * The ServiceAccount the tier's pods run as: `TierServiceAccount.create({ annotations, labels,
   * imagePullSecrets })` for the account the app creates, `<name>-<tier>` (no API token), e.g. for a
   * private registry's pull secret or a cloud workload identity; or `TierServiceAccount.existing(name)`
   * for an account you manage. Applies with or without the mesh: without `meshTierAuthorization` the
   * tier runs as the namespace's `default` account unless this is given. Under `meshTierAuthorization`
   * the account is the tier's mesh identity, which the app's mesh authorization names, so each tier
   * needs its own (`default` and an account shared by two tiers are refused, and so is another
   * workload of the namespace running as the frontend's or the backend's account).
   * @default - under meshTierAuthorization the app creates `<name>-<tier>` (no annotations, no pull
   *   secrets); otherwise the namespace's `default` account
   */
  readonly serviceAccount?: TierServiceAccount;
  /**
   * Extra labels of this tier's pods only (its pod template; not its Deployment or StatefulSet, Service
   * or ServiceAccount), e.g. Azure workload identity's `azure.workload.identity/use: "true"` on the one
   * tier that uses the identity. A key of the app's `labels` takes this value on these pods. Not the
   * labels the app selects the tier by (`app.kubernetes.io/name|component|part-of`: its Service,
   * PodDisruptionBudget, NetworkPolicies and mesh authorization would no longer apply to the pods),
   * not cert-manager's `acme.cert-manager.io/http01-solver`, and no service mesh key (`istio.io`,
   * `linkerd.io` and their subdomains, e.g. `sidecar.istio.io/inject`, `istio.io/dataplane-mode`):
   * mesh membership is the namespace's, which the app's policies are written for. Nor a label key the
   * CNI derives from a pod's namespace or ServiceAccount (Cilium's `io.kubernetes.pod.*`,
   * `io.cilium.k8s.*`; Calico's `projectcalico.org/*`, `pcns.*`, `pcsa.*`), which policies select by.
   * @default - none: the pods carry the app's labels and the tier labels
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Annotations of this tier's pods only (its pod template), e.g. `prometheus.io/scrape: "true"` and
   * `prometheus.io/port` for the one tier that serves metrics. No service mesh key (`istio.io`,
   * `linkerd.io` and their subdomains, e.g. `linkerd.io/inject`, `config.linkerd.io/opaque-ports`,
   * `config.linkerd.io/skip-inbound-ports`, `config.linkerd.io/default-inbound-policy`): they would
   * change the pods' mesh membership, proxy ports or default inbound policy behind the app's
   * NetworkPolicies and mesh authorization. No annotation of the CNI or of Multus
   * (`cni.projectcalico.org`, `k8s.v1.cni.cncf.io`, `multus-cni.io`, `cilium.io` and their subdomains,
   * `io.cilium.*`, e.g. `cni.projectcalico.org/ipAddrs`, `k8s.v1.cni.cncf.io/networks`,
   * `ipam.cilium.io/ip-pool`): a fixed, floating or spoofed address, another IP pool or a network
   * interface the NetworkPolicies do not cover would take the pods outside what they are written for.
   * @default - none (under the Linkerd mesh authorization the app annotates the backend and database
   *   pods with their default inbound policy itself)
   */
  readonly podAnnotations?: { [key: string]: string };
}

/** An HTTP tier (frontend or backend) of a ThreeTierApp. */
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

/** The database tier of a ThreeTierApp (a StatefulSet with one PersistentVolumeClaim per pod). */
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
