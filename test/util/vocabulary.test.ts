/**
 * The manifest vocabulary shared by the analyzer and the lint: one answer per question, the correct
 * one (the two used to disagree: ReplicationController, a Deployment in the core group, an empty
 * namespace, Calico's storage group, staged policies, Cilium versions).
 */
import { isWorkload as analysisIsWorkload } from '../../src/analysis/inventory';
import { namespaceOf as analysisNamespaceOf } from '../../src/analysis/kubernetes/network-policy';
import * as lint from '../../src/lint/kinds';
import {
  apiGroupOf, isCalicoPolicy, isCalicoStagedPolicy, isCiliumPolicy, isServedCalicoPolicy, isServedCiliumPolicy, isWorkload, namespaceOf,
  podTemplateOf,
} from '../../src/util/vocabulary';

const obj = (apiVersion: string | undefined, kind: string, metadata: any = { name: 'x' }, rest: any = {}) => ({ apiVersion, kind, metadata, ...rest });

describe('isWorkload: each kind in its own API group', () => {
  test.each([
    [obj('v1', 'Pod'), true],
    [obj('v1', 'ReplicationController'), true],
    [obj('apps/v1', 'Deployment'), true],
    [obj('apps/v1', 'DaemonSet'), true],
    [obj('batch/v1', 'CronJob'), true],
    [obj('v1', 'Deployment'), false],
    [obj('apps/v1', 'Job'), false],
    [obj(undefined, 'Pod'), false],
    [obj('v1', 'Service'), false],
    [null, false],
    ['Deployment', false],
  ])('%j -> %s (analysis and lint agree)', (o, expected) => {
    expect(isWorkload(o)).toBe(expected);
    expect(analysisIsWorkload(o as any)).toBe(expected);
    expect(lint.isWorkload(o)).toBe(expected);
  });

  test('podTemplateOf finds the template per kind', () => {
    const template = { metadata: { labels: { a: 'b' } } };
    expect(podTemplateOf(obj('batch/v1', 'CronJob', {}, { spec: { jobTemplate: { spec: { template } } } }))).toBe(template);
    const pod = obj('v1', 'Pod', {}, { spec: {} });
    expect(podTemplateOf(pod)).toBe(pod);
    expect(podTemplateOf(obj('apps/v1', 'Deployment', {}, { spec: { template: 'x' } }))).toBeUndefined();
  });
});

describe('namespaceOf: kubectl puts objects without a namespace (or an empty one) in default', () => {
  test.each([
    [{ metadata: { namespace: 'shop' } }, 'shop'],
    [{ metadata: { namespace: '' } }, 'default'],
    [{ metadata: {} }, 'default'],
    [{ metadata: { namespace: 7 } }, 'default'],
    [{}, 'default'],
  ])('%j -> %s', (o, expected) => {
    expect(namespaceOf(o)).toBe(expected);
    expect(analysisNamespaceOf(o as any)).toBe(expected);
    expect(lint.namespaceOf(o)).toBe(expected);
  });
});

describe('policy kinds', () => {
  test('Calico: served and storage groups are Calico policies; staged ones are not (they enforce nothing)', () => {
    expect(isCalicoPolicy(obj('projectcalico.org/v3', 'GlobalNetworkPolicy'))).toBe(true);
    expect(isCalicoPolicy(obj('crd.projectcalico.org/v1', 'NetworkPolicy'))).toBe(true);
    expect(isCalicoPolicy(obj('projectcalico.org/v3', 'StagedNetworkPolicy'))).toBe(false);
    expect(isCalicoStagedPolicy(obj('projectcalico.org/v3', 'StagedNetworkPolicy'))).toBe(true);
    expect(isServedCalicoPolicy(obj('crd.projectcalico.org/v1', 'NetworkPolicy'))).toBe(false);
    expect(isServedCalicoPolicy(obj('projectcalico.org/v3', 'NetworkPolicy'))).toBe(true);
    // The lint also checks the content of staged policies.
    expect(lint.isCalicoPolicy(obj('projectcalico.org/v3', 'StagedNetworkPolicy'))).toBe(false);
    expect(lint.isCalicoPolicyOrStaged(obj('projectcalico.org/v3', 'StagedNetworkPolicy'))).toBe(true);
  });

  test('Cilium: any version is a Cilium policy; cilium.io/v2 is the served one', () => {
    expect(isCiliumPolicy(obj('cilium.io/v2alpha1', 'CiliumNetworkPolicy'))).toBe(true);
    expect(isServedCiliumPolicy(obj('cilium.io/v2alpha1', 'CiliumNetworkPolicy'))).toBe(false);
    expect(isServedCiliumPolicy(obj('cilium.io/v2', 'CiliumClusterwideNetworkPolicy'))).toBe(true);
    expect(lint.isCiliumPolicy(obj('cilium.io/v2alpha1', 'CiliumNetworkPolicy'))).toBe(true);
  });

  test('apiGroupOf', () => {
    expect(apiGroupOf(obj('v1', 'Pod'))).toBe('');
    expect(apiGroupOf(obj('cilium.io/v2', 'CiliumNetworkPolicy'))).toBe('cilium.io');
    expect(apiGroupOf({ apiVersion: 3 })).toBe('');
  });
});
