/** What the app writes onto a ServiceAccount it creates for a tier ({@link TierServiceAccount.create}). */
export interface TierServiceAccountOptions {
  /**
   * Annotations of the ServiceAccount, e.g. cloud workload identity: `eks.amazonaws.com/role-arn`
   * (EKS IRSA), `iam.gke.io/gcp-service-account` (GKE), `azure.workload.identity/client-id` (Azure;
   * Azure also needs the pod label `azure.workload.identity/use: "true"`, which the app's `labels`
   * put on every tier's pods).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
  /**
   * Labels of the ServiceAccount, beside the tier's labels (which the app sets and which cannot be
   * given here) and the app's `labels` (which a key given here replaces on the account).
   * @default - the tier's labels and the app's `labels`
   */
  readonly labels?: { [key: string]: string };
  /**
   * Secrets (`kubernetes.io/dockerconfigjson`, in the app's namespace) the kubelet pulls the tier's
   * images with: the ServiceAccount's `imagePullSecrets`, which Kubernetes copies onto every pod that
   * runs as it.
   * @default - none
   */
  readonly imagePullSecrets?: string[];
}

const MADE = new WeakSet<object>();

/**
 * The ServiceAccount a tier of a {@link ThreeTierApp} runs as (the tier's `serviceAccount`): one the
 * app creates, `<name>-<tier>` (no API token: `automountServiceAccountToken: false`), with the
 * annotations, labels and image pull secrets given; or an existing one the user manages.
 *
 * The account is the tier's mesh identity under `meshTierAuthorization` (Istio principal
 * `<trust domain>/ns/<namespace>/sa/<account>`, Linkerd identity
 * `<account>.<namespace>.serviceaccount.identity.<control plane namespace>.<trust domain>`), so each
 * tier must then run as an account of its own. Given without the mesh authorization (unmeshed,
 * Istio sidecars, `meshTierAuthorization: false`), it applies all the same: the tier runs as it
 * (and, for `create`, the app creates it), where the tiers would otherwise run as the namespace's
 * `default` account. The arguments are checked by the app, whose errors name the tier's prop.
 *
 * The pods mount no API token whichever account they run as (`automountServiceAccountToken: false`
 * on the pod as well): the cloud workload identity webhooks project a token of their own (EKS's
 * pod identity webhook for `eks.amazonaws.com/role-arn`, Azure's for pods labelled
 * `azure.workload.identity/use`), and GKE's metadata server needs none.
 */
export class TierServiceAccount {
  /**
   * The app creates the tier's ServiceAccount `<name>-<tier>` with `options`.
   * @param options annotations, labels and image pull secrets of the account
   */
  public static create(options: TierServiceAccountOptions = {}): TierServiceAccount {
    return new TierServiceAccount(undefined, options);
  }

  /**
   * The tier runs as `name`, a ServiceAccount of the app's namespace that the user manages (the app
   * creates none, and cannot see its annotations or secrets): under `meshTierAuthorization` the mesh
   * authorization names it. Under the mesh authorization not `default` (every pod that names no
   * account runs as it), not another tier's account, and for the frontend and the backend not the
   * account of another workload of the namespace in the cdk8s app (refused at synth): the mesh tells
   * the tier hops apart by it.
   * @param name the ServiceAccount's name (a DNS-1123 subdomain)
   */
  public static existing(name: string): TierServiceAccount {
    return new TierServiceAccount(name, undefined);
  }

  /** Did one of the factories make `x`? @internal */
  public static _isMade(x: unknown): x is TierServiceAccount {
    return typeof x === 'object' && x !== null && MADE.has(x);
  }

  /** The existing account's name, as given (unchecked). @internal */
  public readonly _existingName?: string;
  /** The options of an account the app creates, as given (unchecked). @internal */
  public readonly _options?: TierServiceAccountOptions;

  private constructor(existingName: string | undefined, options: TierServiceAccountOptions | undefined) {
    this._existingName = existingName;
    this._options = options;
    MADE.add(this);
  }
}
