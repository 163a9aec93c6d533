/**
 * linkerd-port-annotation-invalid: `config.linkerd.io/opaque-ports` and
 * `config.linkerd.io/proxy-require-identity-inbound-ports` lists that linkerd2's policy controller
 * refuses (policy-controller k8s index `ports.rs` `parse_portset`, read by `inbound/pod.rs`
 * `ports_annotation`: any invalid entry makes the whole annotation the empty set).
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

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
