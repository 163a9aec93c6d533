/**
 * linkerd-port-annotation-invalid: `config.linkerd.io/opaque-ports` and
 * `config.linkerd.io/proxy-require-identity-inbound-ports` lists that linkerd2's policy controller
 * refuses (policy-controller k8s index `ports.rs` `parse_portset`, read by `inbound/pod.rs`
 * `ports_annotation`: any invalid entry makes the whole annotation the empty set).
 */
import { brief } from './support';
import { linkerdInboundPort } from '../../src/analysis/mesh/linkerd-inbound-port';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests, validateManifests } from '../support/schema';

const OPAQUE = 'config.linkerd.io/opaque-ports';
const REQUIRE_ID = 'config.linkerd.io/proxy-require-identity-inbound-ports';
const RULE = 'linkerd-port-annotation-invalid';

const podSpec = (ports: Array<Record<string, unknown>> = []) => ({
  containers: [{ name: 'db', image: 'mysql:8', ...(ports.length > 0 ? { ports } : {}) }],
});
const template = (annotations: Record<string, string>, ports: Array<Record<string, unknown>> = [], restartPolicy?: string) => ({
  metadata: { labels: { app: 'db' }, annotations: { 'linkerd.io/inject': 'enabled', ...annotations } },
  spec: { ...podSpec(ports), ...(restartPolicy ? { restartPolicy } : {}) },
});
const deployment = (name: string, annotations: Record<string, string>, ports: Array<Record<string, unknown>> = []) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'db' } }, template: template(annotations, ports) },
});
const namespace = (name: string, annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });

const OPAQUE_EFFECT = (lost: string) => `no port of these pods is opaque by it${lost}: the proxy runs protocol detection on every port no Server describes `
  + '(a server-speaks-first protocol such as MySQL stalls until the detection timeout, 10 seconds by default)';
const REQUIRE_ID_EFFECT = (lost: string) => `no port of these pods requires client identity by it${lost}: on every port no Server describes, `
  + 'the default inbound policy is not narrowed to authenticated clients (an *-unauthenticated one still admits unmeshed clients)';
const FIX = 'write only port numbers and increasing ranges a-b of ports 1-65535, comma-separated';

describe('linkerd-port-annotation-invalid (linkerd2 policy-controller ports.rs parse_portset: an invalid list is no port)', () => {
  test('a container port name in opaque-ports: the injector resolves it, the policy controller drops the whole list, 25 included', () => {
    const deploy = deployment('db', { [OPAQUE]: '25, mysql' }, [{ name: 'mysql', containerPort: 3306 }, { name: 'smtp', containerPort: 25 }]);
    expectValidManifests([deploy]);
    const findings = PolicyLint.check([deploy]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/db', path: 'spec.template.metadata.annotations["config.linkerd.io/opaque-ports"]' },
    ]);
    expect(findings[0].message).toBe(`${OPAQUE}: ' mysql' is not a port (1-65535), and Linkerd's policy controller reads a list with any invalid entry `
      + `as no port at all (it ignores the whole annotation): ${OPAQUE_EFFECT(', not even 25')}; Linkerd's proxy injector resolves container port `
      + 'names such as \'mysql\' (container port 3306) when it reads the annotation, the policy controller does not');
    expect(findings[0].fix).toBe(`${FIX} (e.g. "25,3306")`);
  });

  // Before: names resolved over `containers` only, so a native sidecar's 'mysql' was suggested as nothing (fix "25") and not named.
  test('a native sidecar\'s port name in opaque-ports: the injector resolves it too (linkerd2 #14767); a plain init container\'s is not', () => {
    const withInit = (initContainers: unknown[]) => {
      const d: any = deployment('db', { [OPAQUE]: '25, mysql' }, [{ name: 'smtp', containerPort: 25 }]);
      d.spec.template.spec.initContainers = initContainers;
      return d;
    };
    const sidecar = withInit([{ name: 'migrate', image: 'migrate:1', ports: [{ name: 'mysql', containerPort: 3307 }] },
      { name: 'mysql-proxy', image: 'proxysql:2', restartPolicy: 'Always', ports: [{ name: 'mysql', containerPort: 3306 }] }]);
    // A container's restartPolicy (Kubernetes 1.28+) is unknown to the primary pinned version v1.27: the only finding allowed.
    for (const f of validateManifests([sidecar])) {
      expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
    }
    const [f, ...rest] = PolicyLint.check([sidecar]).filter((x) => x.rule === RULE);
    expect(rest).toEqual([]);
    expect(f.message).toBe(`${OPAQUE}: ' mysql' is not a port (1-65535), and Linkerd's policy controller reads a list with any invalid entry `
      + `as no port at all (it ignores the whole annotation): ${OPAQUE_EFFECT(', not even 25')}; Linkerd's proxy injector resolves container port `
      + 'names such as \'mysql\' (container port 3306) when it reads the annotation, the policy controller does not');
    expect(f.fix).toBe(`${FIX} (e.g. "25,3306")`);
    // Only a plain init container (exited before the pod serves) names it: nothing resolves the name.
    const plain = withInit([{ name: 'migrate', image: 'migrate:1', ports: [{ name: 'mysql', containerPort: 3307 }] }]);
    expectValidManifests([plain]);
    const [g] = PolicyLint.check([plain]).filter((x) => x.rule === RULE);
    expect(g.message).toBe(`${OPAQUE}: ' mysql' is not a port (1-65535), and Linkerd's policy controller reads a list with any invalid entry `
      + `as no port at all (it ignores the whole annotation): ${OPAQUE_EFFECT(', not even 25')}`);
    expect(g.fix).toBe(`${FIX} (e.g. "25")`);
  });

  test('a container port name in proxy-require-identity-inbound-ports: no claim that the injector resolves it (it copies that list verbatim)', () => {
    // linkerd2 pkg/inject: only opaque-ports goes through ParseContainerOpaquePorts (names to numbers);
    // RequireIdentityOnInboundPorts is taken from the annotation as it is.
    const deploy = deployment('db', { [REQUIRE_ID]: '25,mysql' }, [{ name: 'mysql', containerPort: 3306 }]);
    expectValidManifests([deploy]);
    const findings = PolicyLint.check([deploy]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/db', path: `spec.template.metadata.annotations["${REQUIRE_ID}"]` },
    ]);
    expect(findings[0].message).toBe(`${REQUIRE_ID}: 'mysql' is not a port (1-65535), and Linkerd's policy controller reads a list with any invalid entry `
      + `as no port at all (it ignores the whole annotation): ${REQUIRE_ID_EFFECT(', not even 25')}; neither Linkerd's proxy injector nor its policy `
      + 'controller resolves container port names in this annotation (\'mysql\' is container port 3306)');
    expect(findings[0].fix).toBe(`${FIX} (e.g. "25,3306")`);
  });

  test('a Namespace without a name string is named as such in the message', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { annotations: { [OPAQUE]: 'x' } } };
    const findings = PolicyLint.check([ns]).filter((f) => f.rule === RULE);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('(it ignores the whole annotation, which the proxy injector copies onto the pods of this namespace that set none)');
  });

  test('on a Namespace: both port-list annotations, each with the entry parse_portset refuses; the injector copies them onto pods', () => {
    const ns = namespace('shop', { [OPAQUE]: '3306-', [REQUIRE_ID]: '8443,0' });
    expectValidManifests([ns]);
    const findings = PolicyLint.check([ns]);
    expect(brief(findings, RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Namespace shop', path: 'metadata.annotations["config.linkerd.io/opaque-ports"]' },
      { rule: RULE, severity: 'warning', object: 'Namespace shop', path: 'metadata.annotations["config.linkerd.io/proxy-require-identity-inbound-ports"]' },
    ]);
    const who = ', which the proxy injector copies onto the pods of namespace shop that set none';
    expect(findings.filter((f) => f.rule === RULE).map((f) => [f.message, f.fix])).toEqual([
      [`${OPAQUE}: '3306-' is not a range a-b of ports (1-65535), and Linkerd's policy controller reads a list with any invalid entry as no port `
        + `at all (it ignores the whole annotation${who}): ${OPAQUE_EFFECT('')}`, FIX],
      [`${REQUIRE_ID}: '0' is not a port (1-65535), and Linkerd's policy controller reads a list with any invalid entry as no port `
        + `at all (it ignores the whole annotation${who}): ${REQUIRE_ID_EFFECT(', not even 8443')}`, `${FIX} (e.g. "8443")`],
    ]);
  });

  test('every workload kind, at its pod template; a decreasing range; a name no container declares is not resolved', () => {
    const ann = { [OPAQUE]: '4100-4000' };
    const objects = [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', annotations: ann }, spec: podSpec() },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'ss', namespace: 'shop' },
        spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template(ann) },
      },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template(ann) } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'db' } }, template: template(ann) } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: 'shop' }, spec: { template: template(ann, [], 'Never') } },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'cron', namespace: 'shop' },
        spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template({ [REQUIRE_ID]: 'https' }, [], 'OnFailure') } } },
      },
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    const at = (base: string, key = OPAQUE) => `${base}metadata.annotations["${key}"]`;
    expect(brief(findings, RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'CronJob shop/cron', path: at('spec.jobTemplate.spec.template.', REQUIRE_ID) },
      { rule: RULE, severity: 'warning', object: 'DaemonSet shop/ds', path: at('spec.template.') },
      { rule: RULE, severity: 'warning', object: 'Job shop/job', path: at('spec.template.') },
      { rule: RULE, severity: 'warning', object: 'Pod shop/p', path: at('') },
      { rule: RULE, severity: 'warning', object: 'ReplicaSet shop/rs', path: at('spec.template.') },
      { rule: RULE, severity: 'warning', object: 'StatefulSet shop/ss', path: at('spec.template.') },
    ]);
    expect(findings.find((f) => f.object === 'Pod shop/p')!.message).toBe(`${OPAQUE}: '4100-4000' is not an increasing range, and Linkerd's policy controller reads a list with any `
      + `invalid entry as no port at all (it ignores the whole annotation): ${OPAQUE_EFFECT('')}`);
    // The backwards range is suggested the right way round.
    expect(findings.find((f) => f.object === 'Pod shop/p')!.fix).toBe(`${FIX} (e.g. "4000-4100")`);
    expect(findings.find((f) => f.object === 'CronJob shop/cron')!.message).toBe(`${REQUIRE_ID}: 'https' is not a port (1-65535), and Linkerd's `
      + `policy controller reads a list with any invalid entry as no port at all (it ignores the whole annotation): ${REQUIRE_ID_EFFECT('')}`);
  });

  test('lists parse_portset reads (ranges, blanks, empty entries, an empty list) are clean; so are annotations outside its reach', () => {
    const objects = [
      namespace('shop', { [OPAQUE]: '', [REQUIRE_ID]: ' 8443 , 9000-9010 ,' }),
      deployment('db', { [OPAQUE]: '3306, 4000-4100,,25', [REQUIRE_ID]: '+8443' }, [{ name: 'mysql', containerPort: 3306 }]),
      // skip-inbound/outbound-ports go to proxy-init and util.ParsePorts, which skip a bad entry and keep the rest.
      deployment('skips', { 'config.linkerd.io/skip-inbound-ports': 'mysql', 'config.linkerd.io/skip-outbound-ports': '0' }),
      // The injector reads the pod template's annotations, not the workload's own.
      { ...deployment('own-meta', {}), metadata: { name: 'own-meta', namespace: 'shop', annotations: { [OPAQUE]: 'mysql' } } },
    ];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
  });
});

/**
 * `config.linkerd.io/inbound-port` is read like `admin-port` (linkerd2 pkg/inject/config_override.go
 * `applyAnnotationOverrides`: strconv.ParseInt(value, 10, 32), a parse error keeps `proxy.ports.inbound`
 * 4143; a number becomes LINKERD2_PROXY_INBOUND_LISTEN_ADDR and the `linkerd-proxy` container port,
 * charts/partials/templates/_proxy.tpl), by the same reader as the analyzer (src/analysis/mesh/linkerd-inbound-port.ts).
 */
describe('linkerd-port-annotation-invalid: config.linkerd.io/inbound-port (pkg/inject config_override.go applyAnnotationOverrides)', () => {
  const INBOUND = 'config.linkerd.io/inbound-port';
  const POD_PATH = `spec.template.metadata.annotations["${INBOUND}"]`;
  const noPort = (value: string, n: number, pods: string) => `${INBOUND}: '${value}' is no port (1-65535), yet Linkerd's proxy injector reads it `
    + `(Go strconv.ParseInt) as ${n} and makes that the injected proxy's inbound listener and its linkerd-proxy container port, which the API server `
    + `refuses (a container port is 1-65535): ${pods} never created`;
  const notNumber = (value: string, tail = '') => `${INBOUND}: '${value}' is no number Linkerd's proxy injector reads (Go strconv.ParseInt: base-10 `
    + 'digits with an optional sign, no spaces, within 32 bits), so it keeps the install\'s inbound port (proxy.ports.inbound, 4143 by default) '
    + `without an error: the port this value meant is lost${tail}`;

  test('0, a negative number or one above 65535 on a pod template or a Namespace: an error, the injected pods are refused (was silent)', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [INBOUND]: '65536' }),
      deployment('zero', { [INBOUND]: '0' }),
      deployment('negative', { [INBOUND]: '-1' }),
      deployment('big', { [INBOUND]: '70000' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/big', path: POD_PATH },
      { rule: RULE, severity: 'error', object: 'Deployment shop/negative', path: POD_PATH },
      { rule: RULE, severity: 'error', object: 'Deployment shop/zero', path: POD_PATH },
      { rule: RULE, severity: 'error', object: 'Namespace shop', path: `metadata.annotations["${INBOUND}"]` },
    ]);
    expect(findings[0].message).toBe(noPort('70000', 70000, 'the pods Linkerd injects are'));
    expect(findings[1].message).toBe(noPort('-1', -1, 'the pods Linkerd injects are'));
    expect(findings[3].message).toBe(noPort('65536', 65536, 'the pods of namespace shop that Linkerd injects and that set no inbound port of their own are'));
    expect(findings[0].fix).toBe('set a port 1-65535 that no container of the pods uses (Linkerd\'s default is 4143), or remove the annotation');
  });

  test('a value ParseInt refuses: a warning, the proxy keeps 4143 silently and the namespace\'s value does not apply either (was silent)', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [INBOUND]: '4999' }),
      deployment('spaced', { [INBOUND]: ' 4999' }),
      deployment('named', { [INBOUND]: 'linkerd-proxy' }),
      deployment('huge', { [INBOUND]: '99999999999' }),
      namespace('other', { [INBOUND]: '4999/TCP' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/huge', path: POD_PATH },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/named', path: POD_PATH },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/spaced', path: POD_PATH },
      { rule: RULE, severity: 'warning', object: 'Namespace other', path: `metadata.annotations["${INBOUND}"]` },
    ]);
    const nsToo = '; namespace shop\'s value (\'4999\') does not apply either: the pod template\'s own value wins';
    expect(findings[2].message).toBe(notNumber(' 4999', nsToo));
    expect(findings[2].fix).toBe('write the port as digits only (e.g. "4999"), or remove the annotation');
    expect(findings[1].message).toBe(notNumber('linkerd-proxy', nsToo));
    expect(findings[1].fix).toBe('write the port as digits only (1-65535), or remove the annotation');
    expect(findings[3].message).toBe(notNumber('4999/TCP', ' for the pods of namespace other that set no inbound port of their own'));
  });

  test('an empty pod value beside a namespace value: a warning, which of the two the injector takes is not known (was silent)', () => {
    const objects = [namespace('shop', { 'linkerd.io/inject': 'enabled', [INBOUND]: '4999' }), deployment('api', { [INBOUND]: '' })];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: POD_PATH }]);
    expect(findings[0].message).toBe(`${INBOUND} is empty on the pod template and '4999' on namespace shop: whether Linkerd's proxy injector takes the `
      + 'namespace\'s value or keeps its default inbound port 4143 is not known');
    expect(findings[0].fix).toBe('write the inbound port these pods should have on the pod template, or remove the empty annotation');
  });

  test('the lint and the analyzer agree value by value: an error where the analyzer\'s pod is refused, a warning where it keeps 4143, '
    + 'nothing where it moves the port; pods Linkerd does not inject are skipped', () => {
    const values = ['4999', '+4999', '04999', '', '0', '-5', '65536', '2147483648', ' 4999', 'inbound'];
    const objects = values.map((value, i) => deployment(`d${i}`, { [INBOUND]: value }));
    const optedOut = deployment('opted-out', { 'linkerd.io/inject': 'disabled', [INBOUND]: '0' });
    const host = deployment('host', { [INBOUND]: '0' });
    const hostSpec = { ...host.spec.template.spec, hostNetwork: true };
    const hostNetwork = { ...host, spec: { ...host.spec, template: { ...host.spec.template, spec: hostSpec } } };
    expectValidManifests([...objects, optedOut, hostNetwork]);
    const findings = PolicyLint.check([...objects, optedOut, hostNetwork]).filter((f) => f.rule === RULE);
    const linted = values.map((_, i) => findings.find((f) => f.object === `Deployment shop/d${i}`)?.severity ?? 'clean');
    const analyzed = values.map((value) => {
      const read = linkerdInboundPort(value, undefined);
      return read.refused ? 'error' : read.ignored !== undefined ? 'warning' : 'clean';
    });
    expect(linted).toEqual(analyzed);
    expect(linted).toEqual(['clean', 'clean', 'clean', 'clean', 'error', 'error', 'error', 'warning', 'warning', 'warning']);
    expect(findings.filter((f) => f.object === 'Deployment shop/opted-out' || f.object === 'Deployment shop/host')).toEqual([]);
  });
});

/**
 * `config.linkerd.io/control-port` and `config.linkerd.io/outbound-port`: read by the injector with the
 * same strconv.ParseInt (pkg/inject config_override.go), but no container port carries them
 * (charts/partials/templates/_proxy.tpl): a number goes only into the proxy's listen address, which
 * linkerd2-proxy (linkerd/app/src/env.rs `parse_socket_addr`) refuses beyond 0-65535 and exits with
 * "Invalid configuration"; 0 makes it bind a port the kernel picks. The control listener exists only
 * with linkerd-viz's tap (viz.linkerd.io/disable-tap turns it off), though the proxy reads its address
 * even then (`parse_tap_config`).
 */
describe('linkerd-port-annotation-invalid: config.linkerd.io/control-port and outbound-port (listen addresses only)', () => {
  const CONTROL = 'config.linkerd.io/control-port';
  const OUTBOUND = 'config.linkerd.io/outbound-port';
  const DISABLE_TAP = 'viz.linkerd.io/disable-tap';
  const path = (key: string) => `spec.template.metadata.annotations["${key}"]`;
  const TAP = 'linkerd-viz\'s tap injector enables tap on these pods (the proxy binds its control listener only for tap: not without linkerd-viz, '
    + 'nor with viz.linkerd.io/disable-tap: "true" on the pod template or its namespace)';
  const CONTROL_ADDRESS = (p: number) => `LINKERD2_PROXY_CONTROL_LISTEN_ADDR "[::]:${p}"`;
  const OUTBOUND_ADDRESS = (p: number) => `LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS "127.0.0.1:${p},[::1]:${p}"`;
  const crash = (key: string, what: string, value: string, n: number, address: string, before: string, pods: string) => `${key}: '${value}' is no port `
    + `(1-65535), yet Linkerd's proxy injector reads it (Go strconv.ParseInt) as ${n} and writes it into the injected proxy's ${what} listen address `
    + `(${address}); no container port carries it, so the API server creates the pods, but the proxy refuses that address when it starts (no socket `
    + `address: a port is 0-65535) and exits with "Invalid configuration"${before}: ${pods} restart the proxy over and over and never become ready`;
  const outboundBefore = (n: number) => ` (without linkerd-cni, the linkerd-init container fails before it: --outgoing-proxy-port ${n} is no port to it)`;
  const fix = (port: number) => `set a port 1-65535 that no other listener or container port of the pods uses (Linkerd's default is ${port}), or remove the annotation`;

  test('a number beyond 0-65535: an error on both (the proxy exits at start), the control port even with tap off (was silent)', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [OUTBOUND]: '65536' }),
      deployment('big', { [CONTROL]: '70000', [DISABLE_TAP]: 'true' }),
      deployment('negative', { [OUTBOUND]: '-1' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/big', path: path(CONTROL) },
      { rule: RULE, severity: 'error', object: 'Deployment shop/negative', path: path(OUTBOUND) },
      { rule: RULE, severity: 'error', object: 'Namespace shop', path: `metadata.annotations["${OUTBOUND}"]` },
    ]);
    expect(findings[0].message).toBe(crash(CONTROL, 'control', '70000', 70000, CONTROL_ADDRESS(70000), ', even with tap off', 'the pods Linkerd injects'));
    expect(findings[0].fix).toBe(fix(4190));
    expect(findings[1].message).toBe(crash(OUTBOUND, 'outbound', '-1', -1, OUTBOUND_ADDRESS(-1), outboundBefore(-1), 'the pods Linkerd injects'));
    expect(findings[1].fix).toBe(fix(4140));
    expect(findings[2].message).toBe(crash(OUTBOUND, 'outbound', '65536', 65536, OUTBOUND_ADDRESS(65536), outboundBefore(65536),
      'the pods of namespace shop that Linkerd injects and that set no outbound port of their own'));
  });

  test('0: outbound an error (the redirect goes to port 0, the proxy listens elsewhere), control a warning only where tap may be on (was silent)', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [CONTROL]: '0' }),
      namespace('quiet', { 'linkerd.io/inject': 'enabled', [CONTROL]: '0', [DISABLE_TAP]: 'true' }),
      deployment('out', { [OUTBOUND]: '0' }),
      deployment('tap', { [CONTROL]: '0' }),
      deployment('untapped', { [CONTROL]: '0', [DISABLE_TAP]: '1' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/out', path: path(OUTBOUND) },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/tap', path: path(CONTROL) },
      { rule: RULE, severity: 'warning', object: 'Namespace shop', path: `metadata.annotations["${CONTROL}"]` },
    ]);
    expect(findings[0].message).toBe(`${OUTBOUND}: '0' is no port (1-65535), yet Linkerd's proxy injector takes it: the injected proxy binds its `
      + `outbound listener on a port the kernel picks (${OUTBOUND_ADDRESS(0)}), while linkerd-init is told to redirect the pods' outbound TCP to port 0 `
      + '(--outgoing-proxy-port 0, which it accepts): the outbound connections of the pods Linkerd injects do not reach the proxy');
    expect(findings[0].fix).toBe(fix(4140));
    expect(findings[1].message).toBe(`${CONTROL}: '0' is no port (1-65535), yet Linkerd's proxy injector takes it: the injected proxy binds its `
      + `control (tap) listener on a port the kernel picks at each start (${CONTROL_ADDRESS(0)}) (if ${TAP}): tap has no fixed port on the pods Linkerd injects`);
    expect(findings[1].fix).toBe(`${fix(4190)}, or turn tap off with viz.linkerd.io/disable-tap: "true"`);
    expect(findings[2].message).toContain('tap has no fixed port on the pods of namespace shop that Linkerd injects and that set no control port of their own');
  });

  test('a value ParseInt refuses: a warning, the install\'s 4190 / 4140 stays; the control one only where tap may be on (was silent)', () => {
    const objects = [
      deployment('out', { [OUTBOUND]: ' 5140' }),
      deployment('tap', { [CONTROL]: 'tap' }),
      deployment('untapped', { [CONTROL]: 'tap', [DISABLE_TAP]: 'true' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/out', path: path(OUTBOUND) },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/tap', path: path(CONTROL) },
    ]);
    const kept = (key: string, value: string, what: string, port: number) => `${key}: '${value}' is no number Linkerd's proxy injector reads `
      + '(Go strconv.ParseInt: base-10 digits with an optional sign, no spaces, within 32 bits), so it keeps the install\'s '
      + `${what} port (proxy.ports.${what}, ${port} by default) without an error: the port this value meant is lost`;
    expect(findings[0].message).toBe(kept(OUTBOUND, ' 5140', 'outbound', 4140));
    expect(findings[0].fix).toBe('write the port as digits only (e.g. "5140"), or remove the annotation');
    expect(findings[1].message).toBe(`${kept(CONTROL, 'tap', 'control', 4190)} (if ${TAP})`);
    expect(findings[1].fix).toBe('write the port as digits only (1-65535), or remove the annotation, or turn tap off with viz.linkerd.io/disable-tap: "true"');
  });

  test('an empty pod control-port beside a namespace value: a warning where tap may be on, nothing under disable-tap; '
    + 'a namespace value the proxy refuses is an error under disable-tap too (was silent)', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [CONTROL]: '5190' }),
      namespace('quiet', { 'linkerd.io/inject': 'enabled', [CONTROL]: '-4190', [DISABLE_TAP]: 'true' }),
      deployment('api', { [CONTROL]: '' }),
      deployment('untapped', { [CONTROL]: '', [DISABLE_TAP]: 'true' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: path(CONTROL) },
      { rule: RULE, severity: 'error', object: 'Namespace quiet', path: `metadata.annotations["${CONTROL}"]` },
    ]);
    expect(findings[0].message).toBe(`${CONTROL} is empty on the pod template and '5190' on namespace shop: whether Linkerd's proxy injector takes the `
      + 'namespace\'s value or keeps its default control port 4190 is not known');
    expect(findings[1].message).toBe(crash(CONTROL, 'control', '-4190', -4190, CONTROL_ADDRESS(-4190), ', even with tap off',
      'the pods of namespace quiet that Linkerd injects and that set no control port of their own'));
  });

  test('ports 1-65535 are clean, on pods and namespaces alike', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [CONTROL]: '5190', [OUTBOUND]: '+5140' }),
      deployment('api', { [CONTROL]: '65535', [OUTBOUND]: '1' }),
    ];
    expectValidManifests(objects);
    expect(PolicyLint.check(objects).filter((f) => f.rule === RULE)).toEqual([]);
  });
});

/**
 * A pod template that already carries a proxy is skipped by the injector (linkerd2 pkg/inject/report.go
 * `Injectable`, "pod has a sidecar injected already", pkg/healthcheck/sidecar.go `HasExistingSidecars`:
 * a container named linkerd-proxy or istio-proxy or with the proxy's image, an init container named
 * linkerd-init or istio-init or with proxy-init's image), so its proxy port annotations reach no injection.
 */
describe('linkerd-port-annotation-invalid: templates that already carry a proxy (src/util/linkerd-existing-sidecar.ts)', () => {
  const withSidecar = (name: string, annotations: Record<string, string>, containers: Array<Record<string, unknown>>,
    initContainers: Array<Record<string, unknown>> = []) => {
    const d = deployment(name, annotations);
    const spec = { containers: [...d.spec.template.spec.containers, ...containers], ...(initContainers.length > 0 ? { initContainers } : {}) };
    return { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec } } };
  };
  const values = { 'config.linkerd.io/admin-port': '0', 'config.linkerd.io/outbound-port': '70000', 'config.linkerd.io/inbound-port': 'x' };

  test('no proxy port finding where the injector never reads the values (were errors and a warning); the policy controller\'s lists still count', () => {
    const objects = [
      withSidecar('istio', values, [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.30.3' }]),
      withSidecar('imaged', values, [{ name: 'sidecar', image: 'cr.l5d.io/linkerd/proxy:edge-26.8.3' }]),
      withSidecar('init', { ...values, [OPAQUE]: 'mysql' }, [], [{ name: 'linkerd-init', image: 'cr.l5d.io/linkerd/proxy-init:v2.4.3' }]),
      // Not a proxy by HasExistingSidecars: a container merely named like one of Linkerd's ports.
      withSidecar('plain', { 'config.linkerd.io/admin-port': '0' }, [{ name: 'linkerd-admin', image: 'registry.example/admin:1.0.0' }]),
    ];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/init', path: `spec.template.metadata.annotations["${OPAQUE}"]` },
      { rule: RULE, severity: 'error', object: 'Deployment shop/plain', path: 'spec.template.metadata.annotations["config.linkerd.io/admin-port"]' },
    ]);
  });
});
