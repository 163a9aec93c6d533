/**
 * linkerd-port-annotation-invalid, for `config.linkerd.io/admin-port`: linkerd/linkerd2
 * pkg/inject/config_override.go `applyAnnotationOverrides` parses the value with Go's
 * strconv.ParseInt(value, 10, 32). A number it accepts becomes the injected proxy's admin listener and
 * its `linkerd-admin` container port, so 0, a negative number or one above 65535 makes a pod the API
 * server refuses (containerPort 1-65535); a value it refuses leaves the install's admin port (4191)
 * without an error. The pod template's own value wins over the namespace's (`AppendNamespaceAnnotations`).
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const RULE = 'linkerd-port-annotation-invalid';
const ADMIN = 'config.linkerd.io/admin-port';
const POD_PATH = `spec.template.metadata.annotations["${ADMIN}"]`;

const deployment = (name: string, annotations: Record<string, string>, ns = 'shop') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
    },
  },
});
const namespace = (name: string, annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
const meshed = namespace('shop', { 'linkerd.io/inject': 'enabled' });

const noPort = (value: string, n: number, pods: string) => `${ADMIN}: '${value}' is no port (1-65535), yet Linkerd's proxy injector reads it `
  + `(Go strconv.ParseInt) as ${n} and makes that the injected proxy's admin listener and its linkerd-admin container port, which the API server `
  + `refuses (a container port is 1-65535): ${pods} never created`;
const NO_PORT_FIX = 'set a port 1-65535 that no container of the pods uses (Linkerd\'s default is 4191), or remove the annotation';
const notNumber = (value: string, tail = '') => `${ADMIN}: '${value}' is no number Linkerd's proxy injector reads (Go strconv.ParseInt: base-10 `
  + 'digits with an optional sign, no spaces, within 32 bits), so it keeps the install\'s admin port (proxy.ports.admin, 4191 by default) '
  + `without an error: the port this value meant is lost${tail}`;

describe('linkerd-port-annotation-invalid: config.linkerd.io/admin-port (linkerd2 pkg/inject config_override.go applyAnnotationOverrides)', () => {
  test('0, a negative number or one above 65535 on a meshed pod template: an error, the injected pods are refused (was silent: read as 4191)', () => {
    const objects = [meshed, deployment('zero', { [ADMIN]: '0' }), deployment('negative', { [ADMIN]: '-1' }), deployment('big', { [ADMIN]: '70000' })];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'error', object: 'Deployment shop/big', path: POD_PATH },
      { rule: RULE, severity: 'error', object: 'Deployment shop/negative', path: POD_PATH },
      { rule: RULE, severity: 'error', object: 'Deployment shop/zero', path: POD_PATH },
    ]);
    expect(findings[0].message).toBe(noPort('70000', 70000, 'the pods Linkerd injects are'));
    expect(findings[1].message).toBe(noPort('-1', -1, 'the pods Linkerd injects are'));
    expect(findings[0].fix).toBe(NO_PORT_FIX);
  });

  test('on a Namespace: an error naming the pods that take it (those without a value of their own)', () => {
    const ns = namespace('shop', { 'linkerd.io/inject': 'enabled', [ADMIN]: '65536' });
    expectValidManifests([ns]);
    const findings = PolicyLint.check([ns]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'error', object: 'Namespace shop', path: `metadata.annotations["${ADMIN}"]` }]);
    expect(findings[0].message).toBe(noPort('65536', 65536, 'the pods of namespace shop that Linkerd injects and that set no admin port of their own are'));
    expect(findings[0].fix).toBe(NO_PORT_FIX);
  });

  test('a value ParseInt refuses: a warning, the proxy keeps 4191 silently (a space, a name, a number beyond 32 bits)', () => {
    const objects = [
      namespace('shop', { 'linkerd.io/inject': 'enabled', [ADMIN]: '9990' }),
      deployment('spaced', { [ADMIN]: ' 9990' }),
      deployment('named', { [ADMIN]: 'admin' }),
      deployment('huge', { [ADMIN]: '99999999999' }),
    ];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/huge', path: POD_PATH },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/named', path: POD_PATH },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/spaced', path: POD_PATH },
    ]);
    const nsToo = '; namespace shop\'s value (\'9990\') does not apply either: the pod template\'s own value wins';
    expect(findings[2].message).toBe(notNumber(' 9990', nsToo));
    expect(findings[2].fix).toBe('write the port as digits only (e.g. "9990"), or remove the annotation');
    expect(findings[1].message).toBe(notNumber('admin', nsToo));
    expect(findings[1].fix).toBe('write the port as digits only (1-65535), or remove the annotation');
    expect(findings[0].fix).toBe('write the port as digits only (1-65535), or remove the annotation');
  });

  test('a Namespace value ParseInt refuses: a warning for the pods that take it', () => {
    const ns = namespace('shop', { [ADMIN]: '9990/TCP' });
    expectValidManifests([ns]);
    const findings = PolicyLint.check([ns]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Namespace shop', path: `metadata.annotations["${ADMIN}"]` }]);
    expect(findings[0].message).toBe(notNumber('9990/TCP', ' for the pods of namespace shop that set no admin port of their own'));
  });

  test('an empty pod value beside a namespace value: a warning, which of the two the injector takes is not known', () => {
    const objects = [namespace('shop', { 'linkerd.io/inject': 'enabled', [ADMIN]: '9990' }), deployment('api', { [ADMIN]: '' })];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: POD_PATH }]);
    expect(findings[0].message).toBe(`${ADMIN} is empty on the pod template and '9990' on namespace shop: whether Linkerd's proxy injector takes the `
      + 'namespace\'s value or keeps its default admin port 4191 is not known');
    expect(findings[0].fix).toBe('write the admin port these pods should have on the pod template, or remove the empty annotation');
  });

  test('clean: ports ParseInt reads (a sign, leading zeros), an empty value with nothing to fall back on, pods Linkerd does not inject', () => {
    const objects = [
      meshed,
      namespace('plain', {}),
      deployment('moved', { [ADMIN]: '9990' }),
      deployment('signed', { [ADMIN]: '+9990' }),
      deployment('padded', { [ADMIN]: '09990' }),
      deployment('empty', { [ADMIN]: '' }),
      deployment('opted-out', { 'linkerd.io/inject': 'disabled', [ADMIN]: '0' }),
      deployment('unmeshed', { [ADMIN]: '0' }, 'plain'),
    ];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
  });

  test('a host-network pod template in an injecting namespace: not reported, Linkerd does not inject it (was an error)', () => {
    // linkerd/linkerd2 pkg/inject/report.go `Injectable`: hostNetwork is a skip reason ("hostNetwork is enabled").
    const hostNetwork = (name: string, annotations: Record<string, string>, ns = 'shop') => {
      const d = deployment(name, annotations, ns);
      return { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, hostNetwork: true } } } };
    };
    const objects = [meshed, hostNetwork('agent', { [ADMIN]: '0' }), hostNetwork('named', { [ADMIN]: 'admin' }),
      hostNetwork('opted-in', { 'linkerd.io/inject': 'enabled', [ADMIN]: '70000' }), hostNetwork('away', { [ADMIN]: '-1' }, 'elsewhere'),
      deployment('api', { [ADMIN]: '0' })];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([{ rule: RULE, severity: 'error', object: 'Deployment shop/api', path: POD_PATH }]);
  });

  test('a pod in a namespace these manifests do not show may be injected: reported', () => {
    const objects = [deployment('api', { [ADMIN]: '0' }, 'elsewhere')];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([{ rule: RULE, severity: 'error', object: 'Deployment elsewhere/api', path: POD_PATH }]);
  });
});
