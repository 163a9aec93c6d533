/**
 * Cilium HTTP rules see the path Envoy's L7 listener hands them: cilium/cilium pkg/envoy/xds_server.go
 * `getHttpFilterChainProto` sets normalize_path, merge_slashes and UNESCAPE_AND_REDIRECT when the agent
 * flag `http-normalize-path` is on (its default, pkg/envoy/cell.go), and the path regex is a
 * full-match safe_regex on the `:path` header (pkg/envoy `getHTTPRule`), which carries the query.
 */
import { CILIUM_DEFAULT_PATH_CONFIG, ciliumPathConfig } from '../../../src/analysis/cilium/http-normalize-path';
import { CILIUM_L7_PATH, ENVOY_DEFAULT_PATH } from '../../../src/analysis/envoy-path';
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';
import { deployment, namespace } from '../fixtures';

const listen = { containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] };
const policy = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'api-http', namespace: 'shop' },
  spec: {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{
      fromEndpoints: [{ matchLabels: { app: 'web' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public/.*' }, { method: 'GET', path: '/search' }] } }],
    }],
  },
};
const manifests = [namespace('shop'), deployment('shop', 'web', { app: 'web' }, listen), deployment('shop', 'api', { app: 'api' }, listen), policy];
const RULES = 'HTTP GET /public/.* (CiliumNetworkPolicy shop/api-http spec.ingress[0]); HTTP GET /search (CiliumNetworkPolicy shop/api-http spec.ingress[0])';

describe('Cilium HTTP rules match the normalized path, query included', () => {
  const reach = Reachability.fromManifests(manifests, { cni: Cni.cilium() });
  const ask = (path: string) => reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), { method: 'GET', path });
  const lastReason = (path: string) => { const r = ask(path).ingress.reasons; return r[r.length - 1]; };

  test('the manifests are valid', () => {
    expectValidManifests(manifests);
  });

  test('dot segments are resolved before the match: /public/../admin is denied, /admin/../public/a allowed', () => {
    expect(ask('/public/../admin').verdict).toBe(Verdict.DENY);
    expect(lastReason('/public/../admin')).toBe(`GET /public/../admin matches none of the L7 rules (${RULES}) (Cilium's Envoy matches the path `
      + 'as /admin (http-normalize-path, on by default)): denied');
    expect(ask('/admin/../public/a').verdict).toBe(Verdict.ALLOW);
    expect(ask('/admin/%2e%2e/public/a').verdict).toBe(Verdict.ALLOW);
  });

  test('merged slashes and backslashes: //public/a and /public\\a are /public/a', () => {
    expect(ask('//public/a').verdict).toBe(Verdict.ALLOW);
    expect(ask('/search\\..\\public\\a').verdict).toBe(Verdict.ALLOW);
  });

  test('an escaped slash is answered with a redirect, not forwarded: denied with the reason', () => {
    const result = ask('/public%2Fa');
    expect(result.verdict).toBe(Verdict.DENY);
    expect(lastReason('/public%2Fa')).toBe(`GET /public%2Fa matches none of the L7 rules (${RULES}) (Cilium's Envoy answers /public%2Fa with a 307 `
      + 'redirect to /public/a instead of forwarding it (an escaped / or \\ in the path; http-normalize-path, on by default: UNESCAPE_AND_REDIRECT)): denied');
  });

  test('a gRPC request with an escaped slash is answered 400 instead (gRPC clients follow no redirect)', () => {
    const result = reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080),
      { method: 'GET', path: '/public%2Fa', headers: { 'content-type': 'application/grpc' } });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.ingress.reasons[result.ingress.reasons.length - 1]).toContain("(Cilium's Envoy rejects the gRPC request /public%2Fa with 400 instead "
      + 'of forwarding it (an escaped / or \\ in the path; http-normalize-path, on by default: UNESCAPE_AND_REDIRECT)): denied');
  });

  test('gRPC-Web and gRPC with parameters are not gRPC to Envoy (Grpc::Common::hasGrpcContentType): the redirect', () => {
    for (const contentType of ['application/grpc-web', 'application/grpc-web+proto', 'application/grpc;charset=utf-8']) {
      const result = reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080),
        { method: 'GET', path: '/public%2Fa', headers: { 'content-type': contentType } });
      expect({ contentType, reason: result.ingress.reasons[result.ingress.reasons.length - 1] }).toEqual({
        contentType,
        reason: 'GET /public%2Fa matches '
        + `none of the L7 rules (${RULES}) (Cilium's Envoy answers /public%2Fa with a 307 redirect to /public/a instead of forwarding it (an escaped / `
        + 'or \\ in the path; http-normalize-path, on by default: UNESCAPE_AND_REDIRECT)): denied',
      });
    }
    const plus = reach.checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080),
      { method: 'GET', path: '/public%2Fa', headers: { 'content-type': 'application/grpc+proto' } });
    expect(plus.ingress.reasons[plus.ingress.reasons.length - 1]).toContain("Cilium's Envoy rejects the gRPC request /public%2Fa with 400");
  });

  test('the query is part of the matched :path: /search?q=1 is not /search, /public/x?q=1 matches /public/.*', () => {
    expect(ask('/search').verdict).toBe(Verdict.ALLOW);
    expect(ask('/search?q=1').verdict).toBe(Verdict.DENY);
    expect(lastReason('/search?q=1')).toBe(`GET /search matches none of the L7 rules (${RULES}) (Cilium matches the path pattern against `
      + '/search?q=1, query included): denied');
    expect(ask('/public/x?q=1').verdict).toBe(Verdict.ALLOW);
    // A `?` inside the query (RFC 3986 allows it there) is matched too.
    expect(ask('/public/x?q=?').verdict).toBe(Verdict.ALLOW);
  });

  test('what depends on the Envoy build stays indeterminate: an escaped unreserved character, a ..; segment', () => {
    const escaped = ask('/searc%68');
    expect(escaped.verdict).toBe(Verdict.INDETERMINATE);
    expect(escaped.uncertainties).toEqual(['HTTP GET /search (CiliumNetworkPolicy shop/api-http spec.ingress[0]): Cilium\'s Envoy (http-normalize-path, on by '
      + 'default) turns the path /searc%68 into /searc%68 or /search depending on its build, and the rule matches only some of them']);
    expect(ask('/search/..;x/public/a').verdict).toBe(Verdict.INDETERMINATE);
  });

  test('characters whose handling is not modelled: indeterminate', () => {
    const result = ask('/public/a b');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties[0]).toBe('HTTP GET /public/.* (CiliumNetworkPolicy shop/api-http spec.ingress[0]): the path /public/a b has characters '
      + 'whose handling by Envoy (its HTTP parser and path normalization) is not modelled');
  });
});

describe('the agent flag http-normalize-path, as a cilium-config ConfigMap in the manifests shows it', () => {
  const config = (value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'http-normalize-path': value } });
  const ask = (value: string, path: string) => Reachability.fromManifests([...manifests, config(value)], { cni: Cni.cilium() })
    .checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), { method: 'GET', path });

  test('the ConfigMaps are valid', () => {
    expectValidManifests([config('false'), config('maybe')]);
  });

  test('false: Envoy\'s defaults, the path is matched as sent (the query still counts)', () => {
    expect(ask('false', '/public/../admin').verdict).toBe(Verdict.ALLOW);
    expect(ask('false', '/public%2Fa').verdict).toBe(Verdict.DENY);
    expect(ask('false', '//public/a').verdict).toBe(Verdict.DENY);
    expect(ask('false', '/search?q=1').verdict).toBe(Verdict.DENY);
    expect(ask('False', '/public/../admin').verdict).toBe(Verdict.ALLOW);
  });

  test('true: as the default', () => {
    expect(ask('true', '/public/../admin').verdict).toBe(Verdict.DENY);
  });

  test('a value the agent would not parse: both settings, so only paths they agree on are decided', () => {
    const result = ask('maybe', '/public/../admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['HTTP GET /public/.* (CiliumNetworkPolicy shop/api-http spec.ingress[0]): Cilium\'s Envoy (http-normalize-path in '
      + 'ConfigMap kube-system/cilium-config is not one readable value, so on or off) turns the path /public/../admin into /admin or /public/../admin '
      + 'depending on its settings and build, and the rule matches only some of them']);
    expect(ask('maybe', '/public/a').verdict).toBe(Verdict.ALLOW);
  });
});

describe('Cilium HTTP rule patterns are RE2 (Envoy safe_regex, Go regexp validation), not JavaScript regular expressions', () => {
  const withRules = (http: any[]) => [namespace('shop'), deployment('shop', 'web', { app: 'web' }, listen), deployment('shop', 'api', { app: 'api' }, listen), {
    ...policy,
    spec: { ...policy.spec, ingress: [{ ...policy.spec.ingress[0], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http } }] }] },
  }];
  const ask = (http: any[], request: { method?: string; path: string }) => Reachability.fromManifests(withRules(http), { cni: Cni.cilium() })
    .checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), request);

  test('the manifests are valid', () => {
    expectValidManifests(withRules([{ path: '/v[[:digit:]]+/.*' }, { path: '\\Q/a.b\\E' }, { method: '\\AGET\\z' }, { method: '(?i)get' }, { path: '/(?s:.*)' }]));
  });

  test('a POSIX class, \\Q...\\E and \\A/\\z mean what RE2 makes of them', () => {
    expect(ask([{ path: '/v[[:digit:]]+/.*' }], { path: '/v2/items' }).verdict).toBe(Verdict.ALLOW);
    expect(ask([{ path: '/v[[:digit:]]+/.*' }], { path: '/vx/items' }).verdict).toBe(Verdict.DENY);
    expect(ask([{ path: '\\Q/a.b\\E' }], { path: '/a.b' }).verdict).toBe(Verdict.ALLOW);
    expect(ask([{ path: '\\Q/a.b\\E' }], { path: '/axb' }).verdict).toBe(Verdict.DENY);
    expect(ask([{ method: '\\AGET\\z' }], { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
  });

  test('a leading (?i) folds case; RE2 syntax the analysis does not evaluate is indeterminate', () => {
    expect(ask([{ method: '(?i)get' }], { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(ask([{ method: '(?i)get' }], { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
    const result = ask([{ path: '/(?s:.*)' }], { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(["HTTP any method /(?s:.*) (CiliumNetworkPolicy shop/api-http spec.ingress[0]): the path pattern '/(?s:.*)' uses RE2 "
      + 'syntax the analysis does not evaluate (flag groups other than a leading (?i) are not translated)']);
  });
});

describe('http-normalize-path where the agent reads it: its own cilium-config, or extraConfig in the Helm values that render it', () => {
  const configMap = (ns: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: ns }, data: { 'http-normalize-path': value } });
  const agent = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'cilium', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'cilium' } },
      template: {
        metadata: { labels: { 'k8s-app': 'cilium' } },
        spec: {
          containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.20.0', args: ['--config-dir=/tmp/cilium/config-map'] }],
          volumes: [{ name: 'cilium-config-path', configMap: { name: 'cilium-config' } }],
        },
      },
    },
  };
  const helmRelease = (spec: Record<string, unknown>) => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'cilium', namespace: 'kube-system' },
    spec: { interval: '10m', chart: { spec: { chart: 'cilium', version: '1.20.0', sourceRef: { kind: 'HelmRepository', name: 'cilium' } } }, ...spec },
  });
  const application = (helm: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'cilium', namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'kube-system' },
      source: { repoURL: 'https://helm.cilium.io', chart: 'cilium', targetRevision: '1.20.0', helm },
    },
  });
  const ask = (extra: any[], path: string) => Reachability.fromManifests([...manifests, ...extra], { cni: Cni.cilium() })
    .checkRequest(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080), { method: 'GET', path });

  test('the objects are valid', () => {
    expectValidManifests([configMap('shop', 'false'), agent, helmRelease({ values: { extraConfig: { 'http-normalize-path': 'false' } } }),
      helmRelease({ valuesFrom: [{ kind: 'ConfigMap', name: 'cilium-values' }] }),
      application({ valuesObject: { extraConfig: { 'http-normalize-path': 'false' } } }),
      application({ parameters: [{ name: 'extraConfig.http-normalize-path', value: 'false' }] })]);
  });

  test('a cilium-config outside the namespace the agent runs in is not its configuration', () => {
    // The DaemonSet in kube-system mounts kube-system/cilium-config: shop/cilium-config changes nothing.
    expect(ask([agent, configMap('shop', 'false')], '/public/../admin').verdict).toBe(Verdict.DENY);
    expect(ask([agent, configMap('kube-system', 'false')], '/public/../admin').verdict).toBe(Verdict.ALLOW);
    // Without anything showing where the agent runs, a lone cilium-config is read as before.
    expect(ask([configMap('shop', 'false')], '/public/../admin').verdict).toBe(Verdict.ALLOW);
  });

  test('a chart whose namespaceOverride the manifests do not show may run the agent anywhere: a cilium-config elsewhere may be its own or not', () => {
    // helm --set-file namespaceOverride=<a repository file>: the agent's namespace is not known.
    const fromFile = application({ fileParameters: [{ name: 'namespaceOverride', path: 'cilium-namespace.txt' }] });
    expectValidManifests([fromFile]);
    expect(ciliumPathConfig([fromFile, configMap('shop', 'false')])).toEqual({
      settings: [CILIUM_L7_PATH, ENVOY_DEFAULT_PATH],
      source: 'http-normalize-path in ConfigMap shop/cilium-config is not one readable value, so on or off',
    });
    expect(ask([fromFile, configMap('shop', 'false')], '/public/../admin').verdict).toBe(Verdict.INDETERMINATE);
    // Known to run in kube-system as well (the DaemonSet): its own cilium-config is read for certain.
    expect(ask([fromFile, agent, configMap('kube-system', 'false')], '/public/../admin').verdict).toBe(Verdict.ALLOW);
  });

  test('a Flux HelmRelease of the Cilium chart: extraConfig is read; valuesFrom may set it', () => {
    const off = ask([helmRelease({ values: { extraConfig: { 'http-normalize-path': 'false' } } })], '/public/../admin');
    expect(off.verdict).toBe(Verdict.ALLOW);
    expect(ask([helmRelease({ values: { extraConfig: { 'http-normalize-path': 'true' } } })], '/public/../admin').verdict).toBe(Verdict.DENY);
    // The release installs into kube-system: a cilium-config elsewhere is not read.
    expect(ask([helmRelease({ values: {} }), configMap('shop', 'false')], '/public/../admin').verdict).toBe(Verdict.DENY);
    // valuesFrom may set the flag: both settings. (It may set the identity label filter too, which makes every flow of the policy's
    // pods indeterminate before the path is looked at: ../label-filter-config.test.ts.)
    const hidden = [helmRelease({ valuesFrom: [{ kind: 'ConfigMap', name: 'cilium-values' }] })];
    expect(ciliumPathConfig(hidden)).toEqual({
      settings: [CILIUM_L7_PATH, ENVOY_DEFAULT_PATH],
      source: 'http-normalize-path in HelmRelease kube-system/cilium is not one readable value, so on or off',
    });
    expect(ask(hidden, '/public/../admin').verdict).toBe(Verdict.INDETERMINATE);
  });

  test('a Flux valuesFrom ConfigMap in the manifests is read: off, on, or silent (the default, exact); targetPath text is typed as --set', () => {
    const values = (text: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-values', namespace: 'kube-system' }, data: { 'values.yaml': text } });
    const release = helmRelease({ valuesFrom: [{ kind: 'ConfigMap', name: 'cilium-values' }] });
    const off = values('extraConfig:\n  http-normalize-path: "false"\n');
    expectValidManifests([off]);
    expect(ask([release, off], '/public/../admin').verdict).toBe(Verdict.ALLOW);
    expect(ask([release, values('extraConfig:\n  http-normalize-path: "true"\n')], '/public/../admin').verdict).toBe(Verdict.DENY);
    expect(ask([release, values('hubble:\n  enabled: true\n')], '/public/../admin').verdict).toBe(Verdict.DENY);
    expect(ciliumPathConfig([release, values('hubble:\n  enabled: true\n')])).toEqual(CILIUM_DEFAULT_PATH_CONFIG);
    // Unquoted text at a targetPath is typed (the boolean false), which the chart renders unquoted and the API server refuses: not readable.
    const flag = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-flag', namespace: 'kube-system' }, data: { flag: 'false', quoted: '"false"' } };
    const targeted = (valuesKey: string) => helmRelease({ valuesFrom: [{ kind: 'ConfigMap', name: 'cilium-flag', valuesKey, targetPath: 'extraConfig.http-normalize-path' }] });
    expect(ask([targeted('flag'), flag], '/public/../admin').verdict).toBe(Verdict.INDETERMINATE);
    expect(ask([targeted('quoted'), flag], '/public/../admin').verdict).toBe(Verdict.ALLOW);
  });

  test('an Argo CD Application of the Cilium chart: valuesObject and values are read; a parameter is a string only with forceString', () => {
    expect(ask([application({ valuesObject: { extraConfig: { 'http-normalize-path': 'false' } } })], '/public/../admin').verdict).toBe(Verdict.ALLOW);
    expect(ask([application({ values: 'extraConfig:\n  http-normalize-path: "false"\n' })], '/public/../admin').verdict).toBe(Verdict.ALLOW);
    expect(ask([application({ parameters: [{ name: 'extraConfig.http-normalize-path', value: 'false', forceString: true }] })], '/public/../admin').verdict)
      .toBe(Verdict.ALLOW);
    expect(ask([application({ parameters: [{ name: 'extraConfig.http-normalize-path', value: 'false' }] })], '/public/../admin').verdict)
      .toBe(Verdict.INDETERMINATE);
    expect(ask([application({ valueFiles: ['values-prod.yaml'] })], '/public/../admin').verdict).toBe(Verdict.INDETERMINATE);
    expect(ciliumPathConfig([application({ valueFiles: ['values-prod.yaml'] })]).settings).toEqual([CILIUM_L7_PATH, ENVOY_DEFAULT_PATH]);
  });

  test('Argo CD renders valuesObject when it is set and the values string only otherwise (argo-cd ValuesYAML): the string is not read', () => {
    const both = application({ valuesObject: { hubble: { enabled: true } }, values: 'extraConfig:\n  http-normalize-path: "false"\n' });
    expectValidManifests([both]);
    expect(ask([both], '/public/../admin').verdict).toBe(Verdict.DENY);
    expect(ciliumPathConfig([both])).toEqual(CILIUM_DEFAULT_PATH_CONFIG);
  });
});
