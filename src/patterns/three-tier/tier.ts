import { ApiObject, Duration, JsonPatch, Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TierAccount, resolveTierAccount } from './tier-account';
import { tierPodMetadata } from './tier-pod-metadata';
import { AppTier, DatabaseTierProps, HttpTierProps } from './tier-props';
import {
  containerResources,
  sizeToQuantity,
  validateAbsolutePath,
  validateEnvName,
  validateImage,
  validatePositiveInteger,
  validateResources,
  MAX_ID,
  millicores,
} from './validation';
import { sortedLabels } from '../../policy/intent';
import { propError } from '../../util/errors';
import {
  StructKeys, orDefault, requireInstance, requireKnownKeys,
  requireObject, requireOptionalBoolean, requireOptionalStringArray, requireOptionalStringMap,
} from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { validateDnsSubdomain, validatePortNumber } from '../../util/validate';

/** What a tier needs from its app (internal). */
export interface TierBuildOptions {
  /** The tier; also the prop prefix in error messages (`frontend.port`). */
  readonly tier: AppTier;
  /** `http` (Deployment, HTTP probes) or `database` (StatefulSet, TCP probes, data volume). */
  readonly kind: 'http' | 'database';
  readonly namespace: string;
  readonly appName: string;
  /** The readable labels that Services, PDBs and policies select. */
  readonly podLabels: Record<string, string>;
  /** The user's extra labels. */
  readonly extraLabels: Record<string, string>;
  readonly props: HttpTierProps | DatabaseTierProps;
  /**
   * The app's mesh authorization needs each tier to run as an account of its own (its mesh identity):
   * `<app>-<tier>`, created, unless the tier's `serviceAccount` says otherwise.
   * @default false - the tier's `serviceAccount`, else the namespace's `default` account
   */
  readonly meshTiers?: boolean;
}

/** The objects of one tier (internal). */
export interface TierBuild {
  readonly tier: AppTier;
  readonly workload: kplus.Deployment | kplus.StatefulSet;
  readonly service: kplus.Service;
  readonly pdb?: ApiObject;
  /** The container port. */
  readonly port: number;
  /** Labels of the tier's objects (pod labels plus the user's extra labels). */
  readonly objectLabels: Record<string, string>;
  /** Labels of the tier's pod template: `objectLabels` and the tier's own `podLabels`. */
  readonly templateLabels: Record<string, string>;
  /** The account the tier's pods run as (created by the app, or the user's), when not `default`. */
  readonly account?: TierAccount;
}

/** The fields of each kind of tier: a database field on an HTTP tier (or the reverse) would be ignored. */
const COMMON_KEYS = {
  image: true,
  env: true,
  envFromSecret: true,
  readOnlyRootFilesystem: true,
  port: true,
  replicas: true,
  resources: true,
  runAsUser: true,
  writablePaths: true,
  serviceAccount: true,
  podLabels: true,
  podAnnotations: true,
} as const;
const HTTP_KEYS: StructKeys<HttpTierProps> = { ...COMMON_KEYS, healthCheckPath: true };
const DATABASE_KEYS: StructKeys<DatabaseTierProps> = { ...COMMON_KEYS, storage: true, storageClassName: true, dataMountPath: true };

const DEFAULT_RESOURCES: Record<'http' | 'database', Required<Pick<kplus.ContainerResources, 'cpu' | 'memory'>>> = {
  http: {
    cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
  },
  database: {
    cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
    memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
  },
};

/**
 * Build the workload, Service and PodDisruptionBudget of one tier. Errors are raised on `app` (the
 * ThreeTierApp) with the prop prefixed by the tier, e.g. `[chart/shop] frontend.port: ...`.
 */
export function buildTier(app: Construct, o: TierBuildOptions): TierBuild {
  const t = o.tier;
  const isDb = o.kind === 'database';
  if (o.props === undefined || o.props === null) throw propError(app, t, `the ${t} tier props are required`);
  const p = requireKnownKeys(app, t, requireObject(app, t, o.props), (isDb ? DATABASE_KEYS : HTTP_KEYS) as StructKeys<typeof o.props>);
  const dbProps = p as DatabaseTierProps;
  const httpProps = p as HttpTierProps;

  const image = validateImage(app, `${t}.image`, p.image);
  const port = validatePortNumber(app, `${t}.port`, orDefault(p.port, isDb ? 5432 : 8080));
  const replicas = validatePositiveInteger(app, `${t}.replicas`, orDefault(p.replicas, isDb ? 1 : 2));
  const user = validatePositiveInteger(app, `${t}.runAsUser`, orDefault(p.runAsUser, isDb ? 999 : 10001), 1, Infinity);
  if (user > MAX_ID) throw propError(app, `${t}.runAsUser`, `${user} exceeds ${MAX_ID}, the largest user id (int32)`);
  const defaults = DEFAULT_RESOURCES[o.kind];
  const given = containerResources(app, `${t}.resources`, p.resources);
  const resources: kplus.ContainerResources = {
    cpu: withDefaultLimit(app, `${t}.resources.cpu`, given?.cpu, defaults.cpu, (c) => millicores(c), (c) => c.amount),
    memory: withDefaultLimit(app, `${t}.resources.memory`, given?.memory, defaults.memory,
      (s) => s.toKibibytes({ rounding: SizeRoundingBehavior.NONE }), (s) => s.asString()),
    ephemeralStorage: given?.ephemeralStorage,
  };
  validateResources(app, `${t}.resources`, resources);
  const writablePaths = (requireOptionalStringArray(app, `${t}.writablePaths`, p.writablePaths) ?? (isDb ? ['/tmp', '/var/run/postgresql'] : ['/tmp']))
    .map((path, i) => validateAbsolutePath(app, `${t}.writablePaths[${i}]`, path));
  const dataMountPath = isDb
    ? validateAbsolutePath(app, `${t}.dataMountPath`, orDefault(dbProps.dataMountPath, '/var/lib/postgresql/data'))
    : undefined;
  if (dataMountPath !== undefined) {
    writablePaths.forEach((path, i) => {
      if (pathsNest(path, dataMountPath)) {
        throw propError(app, `${t}.writablePaths[${i}]`, `'${path}' is or contains the data mount path '${dataMountPath}' `
          + '(or lies inside it): two volumes on one mount path are rejected, and a nested emptyDir would hide or shadow the data volume');
      }
    });
  }
  const healthPath = isDb ? undefined : validateAbsolutePath(app, `${t}.healthCheckPath`, orDefault(httpProps.healthCheckPath, '/healthz'));

  const name = `${o.appName}-${t}`;
  const portName = isDb ? 'postgres' : 'http';
  const objectLabels = sortedLabels({ ...o.extraLabels, ...o.podLabels });
  // The tier's own pod labels replace an app-wide label's value on its pods only; they never carry a selector label (refused).
  const podMetadata = tierPodMetadata(app, t, p.podLabels, p.podAnnotations);
  const templateLabels = sortedLabels({ ...o.extraLabels, ...podMetadata.labels, ...o.podLabels });
  const scope = new Construct(app, t.charAt(0).toUpperCase() + t.slice(1));

  // Environment: sorted for byte-identical output; PGDATA below the mount point (see dataMountPath).
  // requireStringMap refuses the key `__proto__`, which the copy below would silently drop.
  const env = requireOptionalStringMap(app, `${t}.env`, p.env) ?? {};
  const envValues: Record<string, string> = { ...(isDb ? { PGDATA: `${dataMountPath}/pgdata` } : {}), ...env };
  const envVariables: Record<string, kplus.EnvValue> = {};
  for (const key of Object.keys(envValues).sort()) {
    const value: unknown = envValues[key];
    if (typeof value !== 'string') {
      throw propError(app, `${t}.env.${key}`, `must be a string (got ${value === null ? 'null' : typeof value}); quote numbers and booleans`);
    }
    envVariables[validateEnvName(app, `${t}.env`, key)] = kplus.EnvValue.fromValue(value);
  }
  const envFrom = p.envFromSecret === undefined ? undefined : [kplus.Env.fromSecret(
    kplus.Secret.fromSecretName(scope, 'EnvSecret', validateDnsSubdomain(app, `${t}.envFromSecret`, p.envFromSecret)),
  )];

  const volumeMounts = writablePaths.map((path, i) => ({
    path,
    volume: kplus.Volume.fromEmptyDir(scope, `Writable${i}`, volumeName(app, `${t}.writablePaths[${i}]`, writablePaths, i, isDb ? ['data'] : [])),
  }));

  // Probe timings: readiness takes a pod out of the Service quickly; liveness restarts it only after
  // ~30 s of failures, so a slow request or a GC pause does not cause a restart loop.
  const probeOptions = { timeoutSeconds: Duration.seconds(3), periodSeconds: Duration.seconds(10), failureThreshold: 3 };
  const probe = (initialDelay: number) => (healthPath !== undefined
    ? kplus.Probe.fromHttpGet(healthPath, { port, initialDelaySeconds: Duration.seconds(initialDelay), ...probeOptions })
    : kplus.Probe.fromTcpSocket({ port, initialDelaySeconds: Duration.seconds(initialDelay), ...probeOptions }));

  const container: kplus.ContainerProps = {
    name: t,
    image,
    ports: [{ number: port, name: portName, protocol: kplus.Protocol.TCP }],
    envVariables,
    envFrom,
    readiness: probe(5),
    liveness: probe(isDb ? 30 : 15),
    resources,
    volumeMounts,
    // Pod Security `restricted` (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted).
    securityContext: {
      ensureNonRoot: true,
      user,
      group: user,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: requireOptionalBoolean(app, `${t}.readOnlyRootFilesystem`, p.readOnlyRootFilesystem, true),
      // cdk8s-plus' Capability enum lists the CAP_* names only; the API's literal `ALL` is what
      // `restricted` requires in `drop`.
      capabilities: { drop: ['ALL' as kplus.Capability] },
    },
  };
  const account = resolveTierAccount(app, t, o.appName, p.serviceAccount, o.meshTiers ?? false, o.podLabels);
  const serviceAccount = tierServiceAccount(app, scope, o.namespace, account, objectLabels);
  const podProps = {
    metadata: { name, namespace: o.namespace, labels: { ...objectLabels } },
    podMetadata: {
      labels: { ...templateLabels },
      ...(Object.keys(podMetadata.annotations).length > 0 ? { annotations: { ...podMetadata.annotations } } : {}),
    },
    // Select by the readable tier labels instead of cdk8s' path-derived label: a selector is
    // immutable, so it must not change when the construct tree is refactored.
    select: false,
    containers: [container],
    serviceAccount,
    securityContext: {
      ensureNonRoot: true,
      user,
      group: user,
      fsGroup: user,
      // Skip the recursive chown of a large volume when its ownership is already right.
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
  };

  let workload: kplus.Deployment | kplus.StatefulSet;
  let service: kplus.Service;
  const servicePorts = [{ name: portName, port, targetPort: port, protocol: kplus.Protocol.TCP }];
  const serviceProps = {
    metadata: { name, namespace: o.namespace, labels: { ...objectLabels } },
    type: kplus.ServiceType.CLUSTER_IP,
    ports: servicePorts,
  };
  if (!isDb) {
    workload = new kplus.Deployment(scope, 'Deployment', { ...podProps, replicas });
    service = new kplus.Service(scope, 'Service', serviceProps);
    for (const [key, value] of Object.entries(o.podLabels)) service.selectLabel(key, value);
  } else {
    // Headless: clients resolve the pods themselves, and the StatefulSet's pods get stable DNS names
    // (`<name>-0.<service>`) through it.
    // https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id
    service = new kplus.Service(scope, 'Service', { ...serviceProps, clusterIP: 'None' });
    workload = new kplus.StatefulSet(scope, 'StatefulSet', { ...podProps, replicas, service });
    // The StatefulSet makes its Service select cdk8s' path label; select the readable labels instead.
    ApiObject.of(service).addJsonPatch(JsonPatch.replace('/spec/selector', sortedLabels(o.podLabels)));
    const storage = sizeToQuantity(app, `${t}.storage`,
      dbProps.storage === undefined ? Size.gibibytes(10) : requireInstance(app, `${t}.storage`, dbProps.storage, Size, 'a Size (e.g. Size.gibibytes(10))'));
    const claim: Record<string, any> = {
      metadata: { name: 'data', labels: { ...objectLabels } },
      spec: {
        accessModes: ['ReadWriteOnce'],
        // A Quantity, not a string: the L1 KubeStatefulSet maps the patched JSON through its typed converters,
        // which read `.value` of every resource quantity.
        resources: { requests: { storage: kplus.k8s.Quantity.fromString(storage) } },
      },
    };
    if (dbProps.storageClassName !== undefined) {
      claim.spec.storageClassName = validateDnsSubdomain(app, `${t}.storageClassName`, dbProps.storageClassName);
    }
    const dataMount = { name: 'data', mountPath: dataMountPath };
    const sts = ApiObject.of(workload);
    // cdk8s-plus-27 has no volumeClaimTemplates: add the claim and its mount to the synthesized object.
    sts.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', [claim]));
    sts.addJsonPatch(volumeMounts.length > 0
      ? JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', dataMount)
      : JsonPatch.add('/spec/template/spec/containers/0/volumeMounts', [dataMount]));
  }
  workload.select(kplus.LabelSelector.of({ labels: { ...o.podLabels } }));
  // cdk8s-plus-27 labels every pod template with `cdk8s.io/metadata.addr`, a hash of the construct
  // path, even with `select: false`: moving the app in the tree would change the template and restart
  // every pod. Nothing selects it here (the selector, Service, PDB and policies use the readable labels).
  if (workload.podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL) !== undefined) {
    ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  // cdk8s-plus-27 cannot set seccompProfile; `restricted` requires RuntimeDefault (or Localhost).
  const seccomp = { type: 'RuntimeDefault' };
  ApiObject.of(workload).addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', seccomp));
  registerObject(app, ApiObject.of(workload));
  registerObject(app, ApiObject.of(service));

  let pdb: ApiObject | undefined;
  if (replicas > 1) {
    // Voluntary disruptions (node drains) keep at least one pod serving.
    pdb = registerObject(app, new kplus.k8s.KubePodDisruptionBudget(scope, 'PodDisruptionBudget', {
      metadata: { name, namespace: o.namespace, labels: { ...objectLabels } },
      spec: { minAvailable: kplus.k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...o.podLabels } } },
    }));
  }
  return { tier: t, workload, service, pdb, port, objectLabels, templateLabels, account };
}

/**
 * The account the tier's pods run as: the one the app creates (no API token: the pods only need the
 * account as their identity, and for its pull secrets or cloud identity annotations), or a reference
 * to the user's; undefined for the namespace's `default`.
 */
function tierServiceAccount(app: Construct, scope: Construct, namespace: string, account: TierAccount | undefined,
  objectLabels: Record<string, string>): kplus.IServiceAccount | undefined {
  if (account === undefined) return undefined;
  if (account.create === undefined) return kplus.ServiceAccount.fromServiceAccountName(scope, 'ServiceAccount', account.name);
  const { annotations, labels, imagePullSecrets } = account.create;
  const created = new kplus.ServiceAccount(scope, 'ServiceAccount', {
    metadata: {
      name: account.name,
      namespace,
      labels: sortedLabels({ ...objectLabels, ...labels }),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    automountToken: false,
  });
  // cdk8s-plus-27's ServiceAccount has no imagePullSecrets. The ServiceAccount admission plugin copies them onto each pod that runs as
  // the account (https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#add-imagepullsecrets-to-a-service-account).
  if (imagePullSecrets.length > 0) {
    ApiObject.of(created).addJsonPatch(JsonPatch.add('/imagePullSecrets', imagePullSecrets.map((secret) => ({ name: secret }))));
  }
  registerObject(app, ApiObject.of(created));
  return created;
}

/**
 * The given cpu or memory requirements, keeping the default limit when only a request is given
 * (cdk8s-plus would otherwise emit no limit at all), and the defaults when neither is given. A request above the default limit is an error:
 * the limit must then be chosen explicitly.
 */
function withDefaultLimit<T>(
  app: Construct,
  prop: string,
  given: { request?: T; limit?: T } | undefined,
  defaults: { request?: T; limit?: T },
  amount: (v: T) => number,
  show: (v: T) => string,
): { request?: T; limit?: T } {
  // `{}` states no requirement at all: keep the defaults rather than emit a container without requests.
  if (given === undefined || (given.request === undefined && given.limit === undefined)) return defaults;
  if (given.request === undefined || given.limit !== undefined || defaults.limit === undefined) return given;
  if (amount(given.request) > amount(defaults.limit)) {
    throw propError(app, `${prop}.request`, `${show(given.request)} exceeds the default limit ${show(defaults.limit)}; set ${prop.split('.').slice(1).join('.')}.limit too`);
  }
  return { request: given.request, limit: defaults.limit };
}

/** Is one absolute path equal to the other or below it (`/data` and `/data/pg`)? */
function pathsNest(a: string, b: string): boolean {
  const norm = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  const [x, y] = [norm(a), norm(b)];
  const under = (inner: string, outer: string) => outer === '/' || inner === outer || inner.startsWith(`${outer}/`);
  return under(x, y) || under(y, x);
}

/** A readable emptyDir volume name for a path (`/var/run/postgresql` -> `var-run-postgresql`), unique per pod. */
function volumeName(app: Construct, prop: string, all: string[], index: number, reserved: string[]): string {
  const name = (p: string) =>
    p.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '') || 'root';
  const path = all[index];
  const mine = name(path);
  if (reserved.includes(mine) || all.slice(0, index).some((other) => name(other) === mine)) {
    throw propError(app, prop, `'${path}' would reuse the volume name '${mine}' of an earlier writable path or of the data volume`);
  }
  return mine;
}
