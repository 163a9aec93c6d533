/**
 * The ServiceAccount each ThreeTierApp tier runs as (`serviceAccount: TierServiceAccount.create(...)`
 * or `.existing(name)`): the accounts the app creates carry the user's annotations (cloud workload
 * identity), labels and image pull secrets, still without an API token; a user-managed account is
 * what the pods run as and what the mesh authorization names (Istio principals, Linkerd identities),
 * and the analyzer still proves the tier hops restricted to the tier ports. Bad input is refused at
 * construction, naming the app and the field.
 *
 * Ground truth: kubernetes.io "Configure Service Accounts for Pods" (imagePullSecrets of a
 * ServiceAccount are added to its pods), apimachinery ValidateAnnotations (qualified-name keys, 256 KiB
 * in all); istio.io "Authorization Policy" (principal `<trust domain>/ns/<ns>/sa/<sa>`); linkerd.io
 * "Authorization Policy" reference (MeshTLSAuthentication identities `<sa>.<ns>.serviceaccount.identity.<ns>.<trust domain>`).
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AppTier, Cni, IstioMode, IstioMtls, Mesh, MeshAuthorization, MeshSource, MtlsMode, Port, Reachability, Target, ThreeTierApp,
  ThreeTierAppProps, TierServiceAccount, Verdict,
} from '../../src';
import { deploymentWith, meshChart, SHOP, SHOP_TIERS } from '../support/mesh';
import { expectValidManifests } from '../support/schema';
import { find, ofKind, synthValid } from '../support/synth';

const AMBIENT = () => Mesh.istio({ mode: IstioMode.AMBIENT });
const LINKERD = () => Mesh.linkerd({ cni: true });
const { fe, be, db } = SHOP;
const labels = (tier: string) => ({ 'app.kubernetes.io/component': tier, 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' });

/** The shop app in namespace `shop` (meshed when `meshed`), with `tiers` merged into each tier's props. */
function shop(mesh: Mesh, props: Partial<ThreeTierAppProps> = {}, meshed = true): { chart: Chart; app: ThreeTierApp } {
  const chart = meshChart(Cni.calico(), mesh);
  const app = new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...(meshed ? { mesh: {} } : {}), ...SHOP_TIERS, ...props });
  return { chart, app };
}

/** The tiers with `accounts` as their serviceAccount props. */
function withAccounts(accounts: Partial<Record<'frontend' | 'backend' | 'database', TierServiceAccount>>): Partial<ThreeTierAppProps> {
  return {
    frontend: { ...SHOP_TIERS.frontend, serviceAccount: accounts.frontend },
    backend: { ...SHOP_TIERS.backend, serviceAccount: accounts.backend },
    database: { ...SHOP_TIERS.database, serviceAccount: accounts.database },
  };
}

/** The lines of the synth-time validation error `build` throws (cdk8s lists one per problem), none when it throws none. */
function errorsOf(build: () => unknown): string[] {
  try {
    build();
    return [];
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '');
  }
}

const workloadOf = (objects: any[], tier: string) => find(objects, tier === 'database' ? 'StatefulSet' : 'Deployment', `shop-${tier}`, 'shop');

const USER_ACCOUNTS = withAccounts({
  frontend: TierServiceAccount.existing('web'),
  backend: TierServiceAccount.existing('api'),
  database: TierServiceAccount.existing('pg'),
});

describe('accounts the app creates carry the user\'s annotations, labels and image pull secrets, and no API token', () => {
  const irsa = 'arn:aws:iam::111122223333:role/shop-api';

  test.each([['Linkerd', LINKERD, true], ['unmeshed', LINKERD, false]])('%s', (_name, mesh, meshed) => {
    const { chart } = shop(mesh(), {
      labels: { team: 'payments', tier: 'all' },
      ...withAccounts({
        backend: TierServiceAccount.create({
          annotations: { 'eks.amazonaws.com/role-arn': irsa, 'iam.gke.io/gcp-service-account': 'shop-api@proj.iam.gserviceaccount.com' },
          // Replaces the app's `labels` value on the account only.
          labels: { 'azure.workload.identity/use': 'true', 'tier': 'api' },
          imagePullSecrets: ['regcred', 'mirror-cred'],
        }),
        database: TierServiceAccount.create(),
      }),
    }, meshed);
    const objects = synthValid(chart);
    expect(find(objects, 'ServiceAccount', 'shop-backend', 'shop')).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'shop-backend',
        namespace: 'shop',
        labels: { ...labels('backend'), 'azure.workload.identity/use': 'true', 'team': 'payments', 'tier': 'api' },
        annotations: { 'eks.amazonaws.com/role-arn': irsa, 'iam.gke.io/gcp-service-account': 'shop-api@proj.iam.gserviceaccount.com' },
      },
      automountServiceAccountToken: false,
      imagePullSecrets: [{ name: 'regcred' }, { name: 'mirror-cred' }],
    });
    expect(find(objects, 'ServiceAccount', 'shop-database', 'shop')).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'shop-database', namespace: 'shop', labels: { ...labels('database'), team: 'payments', tier: 'all' } },
      automountServiceAccountToken: false,
    });
    // Unmeshed, the frontend (no serviceAccount given) keeps the namespace's default account: no account is created for it.
    expect(ofKind(objects, 'ServiceAccount').map((o) => o.metadata.name)).toEqual(meshed
      ? ['shop-frontend', 'shop-backend', 'shop-database'] : ['shop-backend', 'shop-database']);
    expect(['frontend', 'backend', 'database'].map((t) => workloadOf(objects, t).spec.template.spec.serviceAccountName))
      .toEqual([meshed ? 'shop-frontend' : undefined, 'shop-backend', 'shop-database']);
  });
});

describe('a user-managed account is what the tier runs as, and what the mesh authorization names', () => {
  test('unmeshed: the pods run as the given accounts; the app creates none', () => {
    const objects = synthValid(shop(LINKERD(), USER_ACCOUNTS, false).chart);
    expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
    expect(['frontend', 'backend', 'database'].map((t) => workloadOf(objects, t).spec.template.spec.serviceAccountName)).toEqual(['web', 'api', 'pg']);
    // Whatever the user's account says, the pods mount no API token.
    expect(['frontend', 'backend', 'database'].map((t) => workloadOf(objects, t).spec.template.spec.automountServiceAccountToken))
      .toEqual([false, false, false]);
  });

  test('Istio ambient: the per-hop DENY names the source tier\'s own principal', () => {
    const objects = synthValid(shop(AMBIENT(), USER_ACCOUNTS).chart);
    expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
    expect(['frontend', 'backend', 'database'].map((t) => workloadOf(objects, t).spec.template.spec.serviceAccountName)).toEqual(['web', 'api', 'pg']);
    expect(ofKind(objects, 'AuthorizationPolicy').map((o) => [o.metadata.name, o.spec.rules])).toEqual([
      ['shop-frontend-to-backend-other-ports',
        [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], when: [{ key: 'destination.port', notValues: ['8080'] }] }]],
      ['shop-backend-to-database-other-ports',
        [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/api'] } }], when: [{ key: 'destination.port', notValues: ['5432'] }] }]],
    ]);
  });

  test('Linkerd: the tier Servers admit the source tier\'s own identity', () => {
    const objects = synthValid(shop(LINKERD(), USER_ACCOUNTS).chart);
    expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
    expect(ofKind(objects, 'MeshTLSAuthentication').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['shop-frontend-to-backend', { identities: ['web.shop.serviceaccount.identity.linkerd.cluster.local'] }],
      ['shop-backend-to-database', { identities: ['api.shop.serviceaccount.identity.linkerd.cluster.local'] }],
    ]);
  });

  test.each([['Istio ambient', AMBIENT], ['Linkerd', LINKERD]])('%s: the analyzer proves the hops restricted to the tier ports', (_name, mesh) => {
    // One tier on a user-managed account, one on the app's: both identities are told apart.
    const { chart } = shop(mesh(), withAccounts({ frontend: TierServiceAccount.existing('web'), backend: TierServiceAccount.create() }));
    const reach = Reachability.fromChart(chart, { cni: Cni.calico(), nodeIp: '172.31.0.10' });
    synthValid(chart);
    reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    const verdicts = (from: Target, to: Target, port: number) => {
      const r = reach.check(from, to, Port.tcp(port));
      return [r.verdict, r.cniVerdict, r.meshVerdict];
    };
    expect(verdicts(fe, be, 8080)).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(verdicts(be, db, 5432)).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    // The CNI admits the meshed source on every port (the transport port); the mesh refuses all but the tier port.
    for (const port of [22, 5432, 9090]) expect(verdicts(fe, be, port)).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
    for (const port of [22, 8080]) expect(verdicts(be, db, port)).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
    expect(reach.check(fe, db, Port.tcp(5432)).verdict).toBe(Verdict.DENY);
  });

  test('Istio ambient: an ALLOW policy selecting the backend must admit the frontend\'s own account, not the default name', () => {
    const build = (account: string) => {
      const { chart, app } = shop(AMBIENT(), withAccounts({ frontend: TierServiceAccount.existing('web') }));
      new IstioMtls(chart, 'mtls', { namespace: 'shop', mode: MtlsMode.STRICT });
      const authz = new MeshAuthorization(chart, 'authz', { namespace: 'shop' });
      authz.allowFlow('web-to-api', { from: [MeshSource.serviceAccount(account, 'shop')], to: app.podLabels(AppTier.BACKEND), ports: [8080] });
      authz.allowFlow('api-to-db', { from: [MeshSource.serviceAccount('shop-backend', 'shop')], to: app.podLabels(AppTier.DATABASE), ports: [5432] });
      authz.allowFlow('ingress', { from: [MeshSource.namespace('ingress-nginx')], to: app.podLabels(AppTier.FRONTEND), ports: [8080] });
      return chart;
    };
    expect(() => synthValid(build('web'))).not.toThrow();
    expect(() => synthValid(build('shop-frontend'))).toThrow("and no ALLOW policy there admits the frontend's identity cluster.local/ns/shop/sa/web "
      + 'on port 8080, so ztunnel refuses the app\'s frontend -> backend hop. Authorize it: allowFlow with '
      + "from: [MeshSource.serviceAccount('web', 'shop')], the backend pods' labels and ports: [8080]");
  });

  test('Linkerd: a pod with the frontend\'s labels must run as the frontend\'s own account', () => {
    const build = (serviceAccountName: string) => {
      const { chart, app } = shop(LINKERD(), withAccounts({ frontend: TierServiceAccount.existing('web') }));
      deploymentWith(chart, 'shop', 'shop-frontend-canary', { ...app.podLabels(AppTier.FRONTEND), version: 'v2' }, {}, { serviceAccountName });
      return chart;
    };
    expect(() => synthValid(build('web'))).not.toThrow();
    expect(() => synthValid(build('shop-frontend'))).toThrow("it runs as the ServiceAccount 'shop-frontend', and the app's Server "
      + "'backend-shop-shop-5a6d43de4c-8080' on that port admits the frontend identity (web) only: Linkerd would refuse it. Run it as 'web'");
  });

  test('a label named like a property of every JavaScript object is no tier label', () => {
    const objects = synthValid(shop(LINKERD(), withAccounts({ backend: TierServiceAccount.create({ labels: { toString: 'x' } }) })).chart);
    expect(find(objects, 'ServiceAccount', 'shop-backend', 'shop').metadata.labels).toEqual({ ...labels('backend'), toString: 'x' });
  });

  test('two tiers may share an account without the mesh authorization', () => {
    const shared = withAccounts({ frontend: TierServiceAccount.existing('shop-app'), backend: TierServiceAccount.existing('shop-app') });
    // Meshed with the mesh authorization off, and unmeshed.
    for (const [props, meshed] of [[{ ...shared, meshTierAuthorization: false }, true], [shared, false]] as const) {
      const objects = synthValid(shop(LINKERD(), props, meshed).chart);
      expect(['frontend', 'backend'].map((t) => workloadOf(objects, t).spec.template.spec.serviceAccountName)).toEqual(['shop-app', 'shop-app']);
      expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
    }
  });
});

describe('another workload of the namespace running as a source tier\'s account is refused under the mesh authorization', () => {
  // The mesh authorization tells the source tiers by their accounts alone; a NetworkPolicy tells such a workload apart by its labels.
  const batch = { 'app.kubernetes.io/name': 'batch' };
  const build = (mesh: Mesh, account: string, props: Partial<ThreeTierAppProps> = {}, namespace = 'shop', podLabels: Record<string, string> = batch) => {
    const { chart } = shop(mesh, props);
    deploymentWith(chart, namespace, 'batch', podLabels, {}, { serviceAccountName: account });
    return chart;
  };
  const head = (account: string, tier: string) => 'meshTierAuthorization: the Deployment shop/batch (test/deploy-shop-batch) runs as the ServiceAccount '
    + `'${account}', the ${tier} tier's mesh identity, without the ${tier} pods' labels (app.kubernetes.io/component=${tier}, `
    + `app.kubernetes.io/name=shop, app.kubernetes.io/part-of=shop): the mesh cannot tell it from the ${tier}, and `;
  const remedy = (tier: string) => '. Run it as a ServiceAccount of its own (serviceAccountName), give the '
    + `${tier} tier an account no other workload uses (its serviceAccount: TierServiceAccount.create() or TierServiceAccount.existing(name)), or set `
    + 'meshTierAuthorization: false';

  test('Istio ambient: the per-hop DENY would refuse it the other ports of the next tier', () => {
    expect(() => synthValid(build(AMBIENT(), 'web', USER_ACCOUNTS))).toThrow(`${head('web', 'frontend')}the app's DENY policy `
      + "'shop-frontend-to-backend-other-ports' refuses that identity every port of the backend pods but 8080, so ztunnel would silently refuse it "
      + `any other port of theirs that a NetworkPolicy allows it${remedy('frontend')}`);
    // The account the app creates for the backend, `<name>-backend`.
    expect(() => synthValid(build(AMBIENT(), 'shop-backend'))).toThrow(`${head('shop-backend', 'backend')}the app's DENY policy `
      + "'shop-backend-to-database-other-ports' refuses that identity every port of the database pods but 5432");
  });

  test('Linkerd: the tier Server would admit it to the next tier\'s port', () => {
    expect(() => synthValid(build(LINKERD(), 'web', USER_ACCOUNTS))).toThrow(`${head('web', 'frontend')}the app's Server `
      + "'backend-shop-shop-5a6d43de4c-8080' on the backend pods' port 8080 admits that identity, so a NetworkPolicy allowing it any port of the "
      + "backend pods (which opens the proxy's port 4143, carrying every port) would let it reach port 8080 too"
      + remedy('frontend'));
  });

  test.each([['Istio ambient', AMBIENT], ['Linkerd', LINKERD]])('%s: accepted where the mesh tells it apart', (_name, mesh) => {
    // Another account, the database's (no hop's source), another namespace, the tier's own labels (a canary of the tier).
    for (const chart of [build(mesh(), 'batch', USER_ACCOUNTS), build(mesh(), 'pg', USER_ACCOUNTS), build(mesh(), 'web', USER_ACCOUNTS, 'jobs'),
      build(mesh(), 'web', USER_ACCOUNTS, 'shop', { ...labels('frontend'), version: 'v2' })]) {
      expect(() => synthValid(chart)).not.toThrow();
    }
  });

  test('another ThreeTierApp of the namespace, and a cdk8s-plus Deployment of another chart, running as the frontend\'s account', () => {
    const { chart, app } = shop(LINKERD(), USER_ACCOUNTS);
    new ThreeTierApp(chart, 'shop2', {
      zeroTrustNamespace: app.zeroTrustNamespace, ...SHOP_TIERS, backend: { ...SHOP_TIERS.backend, serviceAccount: TierServiceAccount.existing('web') },
    });
    const other = new Chart(chart.node.root, 'jobs', { namespace: 'shop' });
    new kplus.Deployment(other, 'worker', {
      containers: [{ image: 'registry.example/worker:1.0.0' }],
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(other, 'web', 'web'),
    });
    // Each app refuses the other's tier (and the Deployment) running as its source tier's account: both are named.
    const line = (appName: string, object: string, tier: string, next: string, server: string, port: number) => `[test/${appName}] meshTierAuthorization: `
      + `the Deployment ${object} runs as the ServiceAccount 'web', the ${tier} tier's mesh identity, without the ${tier} pods' labels `
      + `(app.kubernetes.io/component=${tier}, app.kubernetes.io/name=${appName}, app.kubernetes.io/part-of=${appName}): the mesh cannot tell it from the `
      + `${tier}, and the app's Server '${server}' on the ${next} pods' port ${port} admits that identity, so a NetworkPolicy allowing it any port `
      + `of the ${next} pods (which opens the proxy's port 4143, carrying every port) would let it reach port ${port} too${remedy(tier)}`;
    expect(errorsOf(() => synthValid(chart))).toEqual([
      line('shop', 'shop/shop2-backend (test/shop2/Backend/Deployment/Resource)', 'frontend', 'backend', 'backend-shop-shop-5a6d43de4c-8080', 8080),
      line('shop', 'shop/jobs-worker-c8e69cbf (jobs/worker/Resource)', 'frontend', 'backend', 'backend-shop-shop-5a6d43de4c-8080', 8080),
      line('shop2', 'shop/shop-frontend (test/shop/Frontend/Deployment/Resource)', 'backend', 'database', 'database-shop2-shop2-584a89a6ba-5432', 5432),
      line('shop2', 'shop/jobs-worker-c8e69cbf (jobs/worker/Resource)', 'backend', 'database', 'database-shop2-shop2-584a89a6ba-5432', 5432),
    ]);
  });

  describe('objects of other controllers with a pod template (an Argo Rollout, a KEDA ScaledJob)', () => {
    // No pinned schema for argoproj.io Rollout or keda.sh ScaledJob: every other object is validated.
    const rollout = (chart: Chart, account: string, podLabels: Record<string, string> = batch, namespace = 'shop') =>
      new ApiObject(chart, `rollout-${namespace}-${account}`, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'batch', namespace },
        spec: {
          selector: { matchLabels: podLabels },
          template: { metadata: { labels: podLabels }, spec: { serviceAccountName: account, containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] } },
        },
      });
    const scaledJob = (chart: Chart, account: string) => new ApiObject(chart, 'scaledjob', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledJob',
      metadata: { name: 'batch', namespace: 'shop' },
      spec: {
        jobTargetRef: { template: { metadata: { labels: batch }, spec: { serviceAccountName: account, containers: [{ name: 'app', image: 'x:1' }] } } },
        triggers: [],
      },
    });
    const synthOthersValid = (chart: Chart) => {
      const objects = Testing.synth(chart);
      expectValidManifests(objects.filter((o) => o.apiVersion !== 'argoproj.io/v1alpha1' && o.apiVersion !== 'keda.sh/v1alpha1'));
      return objects;
    };

    test('Linkerd: a Rollout running as the frontend\'s account is refused, naming it', () => {
      const { chart } = shop(LINKERD(), USER_ACCOUNTS);
      rollout(chart, 'web');
      expect(() => synthOthersValid(chart)).toThrow(head('web', 'frontend').replace('Deployment shop/batch (test/deploy-shop-batch)', 'Rollout shop/batch (test/rollout-shop-web, spec.template)')
        + "the app's Server 'backend-shop-shop-5a6d43de4c-8080' on the backend pods' port 8080 admits that identity");
    });

    test('Istio ambient: a ScaledJob running as the backend\'s account (its template below spec.jobTargetRef) is refused', () => {
      const { chart } = shop(AMBIENT());
      scaledJob(chart, 'shop-backend');
      expect(() => synthOthersValid(chart)).toThrow(head('shop-backend', 'backend').replace('Deployment shop/batch (test/deploy-shop-batch)', 'ScaledJob shop/batch (test/scaledjob, spec.jobTargetRef.template)')
        + "the app's DENY policy 'shop-backend-to-database-other-ports' refuses that identity every port of the database pods but 5432");
    });

    test.each([['Istio ambient', AMBIENT], ['Linkerd', LINKERD]])('%s: read once per synthesis, however many meshed apps check it', (_name, mesh) => {
      // Searching every object of another controller per app cost seconds on charts of a thousand objects.
      const { chart } = shop(mesh(), USER_ACCOUNTS);
      for (const n of ['shop2', 'shop3', 'shop4']) new ThreeTierApp(chart, n, { namespace: n, mesh: {}, ...SHOP_TIERS });
      const object = rollout(chart, 'batch');
      const toJson = jest.spyOn(object, 'toJson');
      synthOthersValid(chart);
      // Once for the four apps' checks, once for the manifest.
      expect(toJson).toHaveBeenCalledTimes(2);
      toJson.mockClear();
      // A second synthesis reads it afresh (a change between the two is seen).
      synthOthersValid(chart);
      expect(toJson).toHaveBeenCalledTimes(2);
    });

    test('objects of the monitoring group (ServiceMonitor) are not searched for pod templates', () => {
      // Large charts carry many of them; the search would serialize each once per synthesis for nothing.
      const { chart } = shop(LINKERD(), USER_ACCOUNTS);
      const monitor = new ApiObject(chart, 'monitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'shop', namespace: 'shop' },
        spec: { selector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } }, endpoints: [{ port: 'metrics' }] },
      });
      const toJson = jest.spyOn(monitor, 'toJson');
      synthOthersValid(chart);
      // Once, for the manifest.
      expect(toJson).toHaveBeenCalledTimes(1);
    });

    test('an object with several pod templates: one line per template, naming its field', () => {
      const { chart } = shop(LINKERD(), USER_ACCOUNTS);
      const replica = (account: string) => ({
        replicas: 1,
        template: { metadata: { labels: batch }, spec: { serviceAccountName: account, containers: [{ name: 'pytorch', image: 'x:1' }] } },
      });
      new ApiObject(chart, 'train', {
        apiVersion: 'kubeflow.org/v1',
        kind: 'PyTorchJob',
        metadata: { name: 'train', namespace: 'shop' },
        spec: { pytorchReplicaSpecs: { Master: replica('web'), Worker: replica('web') } },
      });
      const server = "the app's Server 'backend-shop-shop-5a6d43de4c-8080' on the backend pods' port 8080 admits that identity, so a NetworkPolicy "
        + "allowing it any port of the backend pods (which opens the proxy's port 4143, carrying every port) would let it reach port 8080 too";
      const line = (field: string) => `[test/shop] ${head('web', 'frontend').replace('Deployment shop/batch (test/deploy-shop-batch)',
        `PyTorchJob shop/train (test/train, ${field})`)}${server}${remedy('frontend')}`;
      expect(errorsOf(() => Testing.synth(chart))).toEqual([
        line('spec.pytorchReplicaSpecs.Master.template'),
        line('spec.pytorchReplicaSpecs.Worker.template'),
      ]);
    });

    test('accepted with an account of its own, the tier\'s labels (a canary), in another namespace, or without the mesh authorization', () => {
      for (const add of [(c: Chart) => rollout(c, 'batch'), (c: Chart) => rollout(c, 'web', { ...labels('frontend'), track: 'canary' }),
        (c: Chart) => rollout(c, 'web', batch, 'jobs'), (c: Chart) => scaledJob(c, 'pg')]) {
        const { chart } = shop(LINKERD(), USER_ACCOUNTS);
        add(chart);
        expect(() => synthOthersValid(chart)).not.toThrow();
      }
      const { chart } = shop(LINKERD(), { ...USER_ACCOUNTS, meshTierAuthorization: false });
      rollout(chart, 'web');
      expect(() => synthOthersValid(chart)).not.toThrow();
    });
  });

  test('not without the mesh authorization', () => {
    expect(() => synthValid(build(AMBIENT(), 'web', { ...USER_ACCOUNTS, meshTierAuthorization: false }))).not.toThrow();
    const { chart } = shop(LINKERD(), USER_ACCOUNTS, false);
    deploymentWith(chart, 'shop', 'batch', batch, {}, { serviceAccountName: 'web' });
    expect(() => synthValid(chart)).not.toThrow();
  });
});

describe('bad input is refused, naming the app and the field', () => {
  const refused = (props: Partial<ThreeTierAppProps>, message: string, mesh = LINKERD(), meshed = true) =>
    expect(() => shop(mesh, props, meshed)).toThrow(message);
  const create = (options: any) => withAccounts({ backend: TierServiceAccount.create(options) });

  test('two tiers on one account under meshTierAuthorization (the hops could not be told apart)', () => {
    for (const mesh of [AMBIENT(), LINKERD()]) {
      refused(withAccounts({ frontend: TierServiceAccount.existing('shop-app'), database: TierServiceAccount.existing('shop-app') }),
        "[test/shop] database.serviceAccount.existing: the frontend tier runs as the ServiceAccount 'shop-app' too: under meshTierAuthorization "
        + 'each tier needs a mesh identity of its own, which the mesh authorizes the tier hops by (the frontend may reach the backend port only, '
        + 'the backend the database port only). Give each tier its own account, or set meshTierAuthorization: false', mesh);
    }
  });

  test('the namespace\'s default account under meshTierAuthorization; allowed without it', () => {
    refused(withAccounts({ backend: TierServiceAccount.existing('default') }),
      "[test/shop] backend.serviceAccount.existing: 'default' is the account of every pod of the namespace that names none, so it cannot be the "
      + "backend tier's mesh identity under meshTierAuthorization: name an account of the tier's own, or set meshTierAuthorization: false");
    const objects = synthValid(shop(LINKERD(), withAccounts({ backend: TierServiceAccount.existing('default') }), false).chart);
    expect(workloadOf(objects, 'backend').spec.template.spec.serviceAccountName).toBe('default');
  });

  test('an existing account that the app creates for another tier, meshed or not', () => {
    refused(withAccounts({ frontend: TierServiceAccount.existing('shop-backend') }),
      "[test/shop] frontend.serviceAccount.existing: 'shop-backend' is the ServiceAccount the app creates for the backend tier: name an account "
      + 'you manage, or give this tier its own (TierServiceAccount.create())');
    refused(withAccounts({ database: TierServiceAccount.existing('shop-backend'), backend: TierServiceAccount.create() }),
      "[test/shop] database.serviceAccount.existing: 'shop-backend' is the ServiceAccount the app creates for the backend tier", LINKERD(), false);
  });

  test.each([
    [withAccounts({ backend: TierServiceAccount.existing('Web_App') }),
      "[test/shop] backend.serviceAccount.existing: 'Web_App' is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253 characters)"],
    [withAccounts({ backend: TierServiceAccount.existing(undefined as any) }), '[test/shop] backend.serviceAccount.existing: must be a string, got undefined'],
    [create({ imagePullSecrets: ['Reg Cred'] }),
      "[test/shop] backend.serviceAccount.imagePullSecrets[0]: 'Reg Cred' is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', "
      + 'at most 253 characters)'],
    [create({ imagePullSecrets: 'regcred' }), "[test/shop] backend.serviceAccount.imagePullSecrets: must be a list, got the string 'regcred'"],
    [create({ imagePullSecrets: ['regcred', undefined] }), '[test/shop] backend.serviceAccount.imagePullSecrets[1]: must be a string, got undefined'],
    [create({ imagePullSecrets: ['regcred', 'regcred'] }), "[test/shop] backend.serviceAccount.imagePullSecrets[1]: 'regcred' is listed twice"],
    [create({ annotations: { 'bad key!': 'x' } }), "[test/shop] backend.serviceAccount.annotations: 'bad key!' is not a valid annotation key (an optional "
      + "DNS subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends)"],
    [create({ annotations: { 'eks.amazonaws.com/role-arn': 42 } }), '[test/shop] backend.serviceAccount.annotations.eks.amazonaws.com/role-arn: must be a string, '
      + 'got the number 42'],
    [create({ annotations: { big: 'x'.repeat(256 * 1024) } }),
      '[test/shop] backend.serviceAccount.annotations: the annotations take 262147 bytes; the API server accepts at most 262144 (256 KiB) per object'],
    [create({ labels: { team: 'not ok' } }), "[test/shop] backend.serviceAccount.labels: 'not ok' is not a valid value for label 'team' (at most 63 characters of "
      + '[A-Za-z0-9-_.], alphanumeric at both ends)'],
    [create({ labels: { 'app.kubernetes.io/component': 'api' } }),
      "[test/shop] backend.serviceAccount.labels: 'app.kubernetes.io/component' is set by ThreeTierApp (the tier's label, which its policies select on)"],
    [create({ imagePullSecret: ['regcred'] }), '[test/shop] backend.serviceAccount.imagePullSecret: unknown field (expected one of annotations, labels, '
      + 'imagePullSecrets); a misspelt field would be silently ignored'],
    [create(null), '[test/shop] backend.serviceAccount: must be an object, got null'],
    [{ backend: { ...SHOP_TIERS.backend, serviceAccount: { existingName: 'web' } as any } },
      '[test/shop] backend.serviceAccount: must be a TierServiceAccount made by TierServiceAccount.create({ ... }) or TierServiceAccount.existing(name), '
      + 'not a plain object'],
    [{ backend: { ...SHOP_TIERS.backend, serviceAccount: 'web' as any } },
      '[test/shop] backend.serviceAccount: must be a TierServiceAccount made by TierServiceAccount.create({ ... }) or TierServiceAccount.existing(name), '
      + "not the string 'web'"],
  ])('%#', (props, message) => refused(props, message));
});
