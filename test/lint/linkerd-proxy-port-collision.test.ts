/**
 * linkerd-proxy-port-collision: two listeners on one port in a pod Linkerd injects, the proxy's
 * inbound/admin/control/outbound listeners (linkerd2 pkg/inject config_override.go reads
 * `config.linkerd.io/{inbound,admin,control,outbound}-port`; charts/partials/templates/_proxy.tpl
 * makes them the proxy's LINKERD2_PROXY_*_LISTEN_ADDR) against each other and the containers' ports.
 */
import { brief } from './support';
import { linkerdProxyListeners } from '../../src/analysis/mesh/linkerd-proxy-listeners';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { PolicyLint, PolicyLintOptions } from '../../src/lint';
import { expectValidManifests, validateManifests } from '../support/schema';

const RULE = 'linkerd-proxy-port-collision';
const INBOUND = 'config.linkerd.io/inbound-port';
const ADMIN = 'config.linkerd.io/admin-port';
const CONTROL = 'config.linkerd.io/control-port';
const OUTBOUND = 'config.linkerd.io/outbound-port';
const PROXY_FAILS = 'the proxy binds each listener when it starts, fails on the second (the port is taken), exits with "Initialization failure" '
  + 'and is restarted over and over: the pods crash-loop and never become ready';
const APP_FAILS = '(the proxy exits with "Initialization failure" and restarts; the application cannot listen on its port), so the pods crash-loop or never serve';
const TAP_ONLY = ' (if linkerd-viz\'s tap injector enables tap on these pods (the proxy binds its control listener only for tap: not without linkerd-viz, '
  + 'nor with viz.linkerd.io/disable-tap: "true" on the pod template or its namespace))';
const DISABLE_TAP = 'viz.linkerd.io/disable-tap';

type Ports = Array<Record<string, unknown>>;
const deployment = (name: string, annotations: Record<string, string>, ports: Ports = [], spec: Record<string, unknown> = {}, ns = 'shop') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...(ports.length > 0 ? { ports } : {}) }], ...spec },
    },
  },
});
const namespace = (name: string, annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
const MESHED_NS = namespace('shop', { 'linkerd.io/inject': 'enabled' });

function lint(objects: any[], options: PolicyLintOptions = {}) {
  expectValidManifests(objects);
  return PolicyLint.check(objects, options).filter((f) => f.rule === RULE);
}

/**
 * As {@link lint}, for manifests with native sidecars: a container's `restartPolicy` came with Kubernetes 1.28, so the
 * only validation findings allowed are that field unknown to the primary (oldest) pinned version, v1.27.
 */
function lintNativeSidecars(objects: any[]) {
  for (const f of validateManifests(objects)) expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
  return PolicyLint.check(objects).filter((f) => f.rule === RULE);
}

describe('linkerd-proxy-port-collision (two listeners on one port: the proxy or the application cannot bind)', () => {
  test('inbound-port on the admin port 4191: one error on the annotation, the proxy fails to bind its second listener', () => {
    const findings = lint([MESHED_NS, deployment('web', { [INBOUND]: '4191' })]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: `spec.template.metadata.annotations["${INBOUND}"]` },
    ]);
    expect(findings[0].message).toBe(`${INBOUND}: the injected Linkerd proxy's inbound listener (port 4191, ${INBOUND} on the pod template) and its `
      + `admin listener (port 4191, Linkerd's default, Helm value proxy.ports.admin) both take port 4191: ${PROXY_FAILS}`);
    expect(findings[0].fix).toBe(`set ${INBOUND} to a port no other listener or container port of the pod uses (Linkerd's default 4143 is free here), or remove it`);
  });

  test('outbound-port on the admin port: the outbound listener is on loopback, which the admin listener on every address covers', () => {
    const findings = lint([MESHED_NS, deployment('web', { [OUTBOUND]: '4191' })]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: `spec.template.metadata.annotations["${OUTBOUND}"]` },
    ]);
    expect(findings[0].message).toBe(`${OUTBOUND}: the injected Linkerd proxy's admin listener (port 4191, Linkerd's default, Helm value proxy.ports.admin) `
      + `and its outbound listener (port 4191 on loopback, ${OUTBOUND} on the pod template) both take port 4191: ${PROXY_FAILS}`);
  });

  test('admin-port moved onto the application port 8080: the annotation is blamed, naming the container and its port', () => {
    const findings = lint([MESHED_NS, deployment('web', { [ADMIN]: '8080' }, [{ name: 'http', containerPort: 8080 }])]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: `spec.template.metadata.annotations["${ADMIN}"]` },
    ]);
    expect(findings[0].message).toBe(`${ADMIN}: the injected Linkerd proxy's admin listener (port 8080, ${ADMIN} on the pod template) takes the port `
      + 'container web declares port 8080 (\'http\'), and the containers of a pod share one network namespace: whichever binds port 8080 second fails '
      + APP_FAILS);
    expect(findings[0].fix).toBe(`set ${ADMIN} to a port no other listener or container port of the pod uses (Linkerd's default 4191 is free here), or remove it`);
  });

  test('an application on the default inbound port 4143 and control port 4190, no annotation: the container ports are blamed; the control one only warns', () => {
    const findings = lint([MESHED_NS, deployment('web', {}, [{ containerPort: 4143 }, { name: 'tap', containerPort: 4190, protocol: 'TCP' }])]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: 'spec.template.spec.containers[0].ports[0].containerPort' },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/web', path: 'spec.template.spec.containers[0].ports[1].containerPort' },
    ]);
    expect(findings[0].message).toBe('containerPort 4143: the injected Linkerd proxy\'s inbound listener (port 4143, Linkerd\'s default, Helm value '
      + 'proxy.ports.inbound) takes the port container web declares port 4143, and the containers of a pod share one network namespace: whichever '
      + `binds port 4143 second fails ${APP_FAILS}`);
    expect(findings[0].fix).toBe(`move the application off port 4143, or set ${INBOUND} on the pod template to a port no container of the pod uses`);
    // The proxy binds its control (tap) listener only when linkerd-viz's tap injector sets LINKERD2_PROXY_TAP_SVC_NAME.
    expect(findings[1].message).toBe('containerPort 4190: the injected Linkerd proxy\'s control listener (port 4190, Linkerd\'s default, Helm value '
      + 'proxy.ports.control) takes the port container web declares port 4190 (\'tap\'), and the containers of a pod share one network namespace'
      + `${TAP_ONLY}: whichever binds port 4190 second fails ${APP_FAILS}`);
    expect(findings[1].fix).toBe(`move the application off port 4190, or set ${CONTROL} on the pod template to a port no container of the pod uses, `
      + `or turn tap off with ${DISABLE_TAP}: "true"`);
  });

  test('tap turned off (viz.linkerd.io/disable-tap, as Go ParseBool reads it, on the pod template or the namespace): no control listener to collide with', () => {
    const ports = [{ containerPort: 4190 }];
    expect(lint([MESHED_NS, deployment('web', { [DISABLE_TAP]: 'true' }, ports)])).toEqual([]);
    expect(lint([namespace('shop', { 'linkerd.io/inject': 'enabled', [DISABLE_TAP]: 'T' }), deployment('web', {}, ports)])).toEqual([]);
    expect(lint([MESHED_NS, deployment('web', { [DISABLE_TAP]: 'true', [CONTROL]: '4143' })])).toEqual([]);
    // 'yes' is no Go boolean: tap stays on, and the control port moved onto the inbound port still warns.
    expect(brief(lint([MESHED_NS, deployment('web', { [DISABLE_TAP]: 'yes', [CONTROL]: '4143' })]))).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/web', path: `spec.template.metadata.annotations["${CONTROL}"]` },
    ]);
  });

  test('a container port declaring the proxy\'s own port by its name (linkerd-admin on the admin port) is no application listener', () => {
    expect(lint([MESHED_NS, deployment('web', {}, [{ name: 'linkerd-admin', containerPort: 4191 }, { name: 'linkerd-proxy', containerPort: 4143 }])])).toEqual([]);
    // The name of another listener's port, or another name, is an application port.
    expect(brief(lint([MESHED_NS, deployment('web', {}, [{ name: 'linkerd-proxy', containerPort: 4191 }, { name: 'metrics', containerPort: 4143 }])]))).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: 'spec.template.spec.containers[0].ports[0].containerPort' },
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: 'spec.template.spec.containers[0].ports[1].containerPort' },
    ]);
  });

  test('native sidecars (init containers with restartPolicy Always) share the pod\'s ports; other init containers have exited', () => {
    const initContainers = [
      { name: 'migrate', image: 'migrate:1', ports: [{ containerPort: 4191 }] },
      { name: 'log-shipper', image: 'shipper:1', restartPolicy: 'Always', ports: [{ containerPort: 4143 }] },
    ];
    const findings = lintNativeSidecars([MESHED_NS, deployment('web', {}, [], { initContainers })]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: 'spec.template.spec.initContainers[1].ports[0].containerPort' },
    ]);
    expect(findings[0].message).toContain('takes the port container log-shipper declares port 4143,');
  });

  test('UDP and SCTP container ports on proxy ports are no collision (the proxy listens on TCP)', () => {
    expect(lint([MESHED_NS, deployment('dns', {}, [{ containerPort: 4143, protocol: 'UDP' }, { containerPort: 4191, protocol: 'SCTP' }])])).toEqual([]);
  });

  test('a namespace admin-port on the inbound port: one error on the Namespace, not repeated on its pods; a pod moving its inbound port is clear', () => {
    const ns = namespace('shop', { 'linkerd.io/inject': 'enabled', [ADMIN]: '4143' });
    const findings = lint([ns, deployment('web', {}), deployment('api', { [INBOUND]: '4000' })]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Namespace shop', path: `metadata.annotations["${ADMIN}"]` },
    ]);
    expect(findings[0].message).toBe(`${ADMIN}: in the pods Linkerd injects in namespace shop that set neither port themselves, the proxy's inbound `
      + `listener (port 4143, Linkerd's default, Helm value proxy.ports.inbound) and its admin listener (port 4143, ${ADMIN} on namespace shop) `
      + `both take port 4143: ${PROXY_FAILS}`);
    expect(findings[0].fix).toBe(`set ${ADMIN} to a port no other listener or container port of the pod uses (Linkerd's default 4191 is free here), or remove it`);
  });

  test('a namespace control-port on the inbound port: a warning on the Namespace, the control listener being bound only with tap', () => {
    const ns = namespace('shop', { 'linkerd.io/inject': 'enabled', [CONTROL]: '4143' });
    const findings = lint([ns, deployment('web', {})]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Namespace shop', path: `metadata.annotations["${CONTROL}"]` },
    ]);
    expect(findings[0].message).toBe(`${CONTROL}: in the pods Linkerd injects in namespace shop that set neither port themselves, the proxy's inbound `
      + `listener (port 4143, Linkerd's default, Helm value proxy.ports.inbound) and its control listener (port 4143, ${CONTROL} on namespace shop) `
      + `both take port 4143${TAP_ONLY}: ${PROXY_FAILS}`);
    expect(findings[0].fix).toBe(`set ${CONTROL} to a port no other listener or container port of the pod uses (Linkerd's default 4190 is free here), `
      + `or remove it, or turn tap off with ${DISABLE_TAP}: "true"`);
  });

  test('Namespaces none of whose pods Linkerd injects are left alone: excluded by the webhook, or an inject value the injector does not know', () => {
    const clash = { [ADMIN]: '4143' };
    expect(lint([
      namespace('kube-system', { 'linkerd.io/inject': 'enabled', ...clash }),
      { ...namespace('batch', { 'linkerd.io/inject': 'enabled', ...clash }), metadata: { name: 'batch', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' }, annotations: clash } },
      namespace('typo', { 'linkerd.io/inject': 'true', ...clash }),
    ])).toEqual([]);
    // A namespace without linkerd.io/inject still is: its pods may opt in.
    expect(brief(lint([namespace('optin', clash)]))).toEqual([{ rule: RULE, severity: 'error', object: 'Namespace optin', path: `metadata.annotations["${ADMIN}"]` }]);
  });

  test('a pod value colliding with its namespace value: blamed on the pod template; the fix names no default that is taken', () => {
    const ns = namespace('shop', { 'linkerd.io/inject': 'enabled', [ADMIN]: '9000' });
    const findings = lint([ns, deployment('web', { [INBOUND]: '9000' }, [{ containerPort: 4143 }])]);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/web', path: `spec.template.metadata.annotations["${INBOUND}"]` },
    ]);
    expect(findings[0].message).toContain(`inbound listener (port 9000, ${INBOUND} on the pod template) and its admin listener (port 9000, ${ADMIN} on namespace shop)`);
    expect(findings[0].fix).toBe(`set ${INBOUND} to a port no other listener or container port of the pod uses, or remove it`);
  });

  test('templates that already carry a proxy are skipped by the injector (pkg/healthcheck HasExistingSidecars), native-sidecar proxy too', () => {
    const withSpec = (name: string, spec: Record<string, unknown>) => deployment(name, { [INBOUND]: '4191' }, [], spec);
    const objects = [
      MESHED_NS,
      withSpec('istio', { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' }] }),
      withSpec('image', { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'sidecar', image: 'cr.l5d.io/linkerd/proxy:edge-26.8.3' }] }),
      withSpec('init', { initContainers: [{ name: 'linkerd-init', image: 'cr.l5d.io/linkerd/proxy-init:v2.4.3' }] }),
      withSpec('native', { initContainers: [{ name: 'linkerd-proxy', image: 'example.com/proxy:1', restartPolicy: 'Always' }] }),
    ];
    expect(lintNativeSidecars(objects)).toEqual([]);
    // Another sidecar is no proxy: the template is judged.
    const other = withSpec('other', { initContainers: [{ name: 'vault-agent', image: 'hashicorp/vault:1.17', restartPolicy: 'Always' }] });
    expect(brief(lintNativeSidecars([MESHED_NS, other]))).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/other', path: `spec.template.metadata.annotations["${INBOUND}"]` },
    ]);
  });

  test('pods Linkerd does not inject are left alone: inject disabled, host network, a proxy already injected, the webhook\'s excluded namespaces', () => {
    const objects = [
      MESHED_NS,
      deployment('off', { 'linkerd.io/inject': 'disabled', [INBOUND]: '4191' }, [{ containerPort: 4143 }]),
      deployment('host', { [INBOUND]: '4191' }, [], { hostNetwork: true }),
      {
        ...deployment('manual', { [INBOUND]: '4191' }),
        spec: {
          selector: { matchLabels: { app: 'manual' } },
          template: {
            metadata: { labels: { app: 'manual' }, annotations: { [INBOUND]: '4191' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:edge-26.8.3' }] },
          },
        },
      },
      deployment('sys', { 'linkerd.io/inject': 'enabled', [INBOUND]: '4191' }, [], {}, 'kube-system'),
    ];
    expect(lint(objects)).toEqual([]);
  });

  test('namespace not shown: judged (with a hedge) only when the template moves a proxy port itself', () => {
    const hedged = lint([deployment('web', { [ADMIN]: '4143' }, [], {}, 'other')]);
    expect(brief(hedged)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment other/web', path: `spec.template.metadata.annotations["${ADMIN}"]` },
    ]);
    expect(hedged[0].message).toContain('both take port 4143 (if Linkerd injects these pods: namespace other is not in these manifests): ');
    // An application on 4191 in a namespace the manifests do not show: nothing says Linkerd meshes it.
    expect(lint([deployment('plain', {}, [{ containerPort: 4191 }], {}, 'other')])).toEqual([]);
  });

  test('values the injector cannot use change no listener here (linkerd-port-annotation-invalid reports them)', () => {
    // 'abc' keeps the default 4191 (Go ParseInt fails), so no collision with 4143; 70000 gives no known port.
    expect(lint([MESHED_NS, deployment('web', { [ADMIN]: 'abc', [INBOUND]: '70000', [OUTBOUND]: '-1' })])).toEqual([]);
  });

  test('told another mesh, the rule does not apply; told Linkerd, it does', () => {
    const objects = [MESHED_NS, deployment('web', { [INBOUND]: '4191' })];
    expect(lint(objects, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) })).toEqual([]);
    expect(lint(objects, { mesh: Mesh.linkerd() })).toHaveLength(1);
  });
});

describe('linkerdProxyListeners (the injector\'s four port annotations, pod template over namespace)', () => {
  test('control-port and outbound-port are read as admin-port and inbound-port are: pod value first, else namespace, else default', () => {
    const listeners = linkerdProxyListeners({ [CONTROL]: '5190', [OUTBOUND]: 'x' }, { [CONTROL]: '6190', [OUTBOUND]: '5140', [ADMIN]: '5191' });
    expect(listeners.map((l) => [l.annotation.what, l.port.port, l.port.from, l.loopbackOnly])).toEqual([
      ['inbound', 4143, 'default', false],
      ['admin', 5191, 'namespace', false],
      ['control', 5190, 'pod', false],
      // The pod's own value wins even when ParseInt refuses it: the install's 4140, not the namespace's 5140.
      ['outbound', 4140, 'default', true],
    ]);
  });

  test('the control listener is bound only with tap: it carries that condition, and viz.linkerd.io/disable-tap leaves it out', () => {
    expect(linkerdProxyListeners({}, undefined).map((l) => [l.annotation.what, l.boundOnlyIf !== undefined])).toEqual([
      ['inbound', false], ['admin', false], ['control', true], ['outbound', false],
    ]);
    expect(linkerdProxyListeners({ [DISABLE_TAP]: '1' }, undefined).map((l) => l.annotation.what)).toEqual(['inbound', 'admin', 'outbound']);
    expect(linkerdProxyListeners({ [DISABLE_TAP]: 'false' }, { [DISABLE_TAP]: 'True' }).map((l) => l.annotation.what)).toEqual(['inbound', 'admin', 'outbound']);
  });

  test('a control port no port can be is unknown, without claiming the API server refuses the pod (no container port carries it)', () => {
    const control = linkerdProxyListeners({ [CONTROL]: '70000' }, undefined)[2];
    expect(control.port).toEqual({
      port: undefined,
      from: 'pod',
      unknown: `${CONTROL} '70000' (on the pod template) gives the injected proxy's control listener port 70000, which is no port (1-65535)`,
    });
  });
});
