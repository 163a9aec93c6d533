/**
 * `linkerd.io/inject` as Linkerd's proxy injector reads it: linkerd/linkerd2 pkg/inject/report.go
 * (`disableByAnnotation`, the webhook's truth table; `Injectable`: host network).
 */
import { linkerdInjection } from '../../src/util/linkerd-injection';

const inject = (value: unknown) => (value === undefined ? {} : { 'linkerd.io/inject': value });

describe('linkerdInjection', () => {
  test('the webhook truth table: the namespace enabled injects unless the pod says disabled; otherwise only the pod enabling injects', () => {
    const rows: Array<[string | undefined, string | undefined, boolean]> = [
      ['enabled', 'enabled', true], ['enabled', undefined, true], ['enabled', 'disabled', false], ['disabled', 'enabled', true],
      [undefined, 'enabled', true], ['disabled', 'disabled', false], [undefined, 'disabled', false], ['disabled', undefined, false],
      [undefined, undefined, false], ['ingress', undefined, true], [undefined, 'ingress', true],
    ];
    expect(rows.map(([ns, pod]) => linkerdInjection(inject(pod), inject(ns)).injected)).toEqual(rows.map(([, , injected]) => injected));
  });

  test('where the deciding annotation is', () => {
    expect(linkerdInjection(inject('enabled'), inject('enabled'))).toEqual({ injected: true, at: 'pod', value: 'enabled' });
    expect(linkerdInjection({}, inject('ingress'))).toEqual({ injected: true, at: 'namespace', value: 'ingress' });
    expect(linkerdInjection(inject('disabled'), inject('enabled'))).toEqual({ injected: false, at: 'pod', value: 'disabled' });
    expect(linkerdInjection({}, {})).toEqual({ injected: false });
  });

  test('an empty value is no value: the namespace decides', () => {
    expect(linkerdInjection(inject(''), inject('enabled'))).toEqual({ injected: true, at: 'namespace', value: 'enabled' });
    expect(linkerdInjection(inject('enabled'), inject(''))).toEqual({ injected: true, at: 'pod', value: 'enabled' });
  });

  test('a value the injector does not know, on the namespace or the pod, injects nothing', () => {
    expect(linkerdInjection(inject('enabled'), inject('true'))).toEqual({ injected: false, at: 'namespace', value: 'true', invalid: true });
    expect(linkerdInjection(inject('Enabled'), inject('enabled'))).toEqual({ injected: false, at: 'pod', value: 'Enabled', invalid: true });
    expect(linkerdInjection(inject(true), undefined)).toEqual({ injected: false, at: 'pod', value: 'true', invalid: true });
  });

  test('a host-network pod is never injected', () => {
    expect(linkerdInjection(inject('enabled'), inject('enabled'), true)).toEqual({ injected: false, hostNetwork: true });
  });

  test('a namespace the manifests do not show: the pod decides when it says something, else not known', () => {
    expect(linkerdInjection(inject('enabled'), undefined).injected).toBe(true);
    expect(linkerdInjection(inject('disabled'), undefined).injected).toBe(false);
    expect(linkerdInjection({}, undefined).injected).toBeUndefined();
    expect(linkerdInjection(undefined, undefined).injected).toBeUndefined();
  });

  test('the webhook\'s selectors (linkerd-control-plane values.yaml proxyInjector.namespaceSelector, objectSelector): pods it never sees', () => {
    const on = inject('enabled');
    expect(linkerdInjection(on, on, false, { namespace: 'kube-system' })).toEqual({ injected: false, unseen: 'namespace kube-system' });
    expect(linkerdInjection(on, on, false, { namespace: 'cert-manager' }).injected).toBe(false);
    expect(linkerdInjection(on, on, false, { namespace: 'shop', namespaceLabels: { 'config.linkerd.io/admission-webhooks': 'disabled' } }))
      .toEqual({ injected: false, unseen: 'namespace label config.linkerd.io/admission-webhooks=disabled' });
    expect(linkerdInjection(on, on, false, { namespace: 'linkerd-cni', podLabels: { 'linkerd.io/cni-resource': 'true' } }))
      .toEqual({ injected: false, unseen: 'pod label linkerd.io/cni-resource' });
    expect(linkerdInjection(on, on, false, { namespace: 'shop', namespaceLabels: { 'config.linkerd.io/admission-webhooks': 'enabled' }, podLabels: { app: 'x' } }))
      .toEqual({ injected: true, at: 'pod', value: 'enabled' });
  });
});
