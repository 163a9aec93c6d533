/**
 * What the Kubernetes API server rejects in the objects the analyzer reads: networking.k8s.io/v1
 * NetworkPolicy (pkg/apis/networking/validation, ValidateNetworkPolicy), Namespaces and workloads
 * (labels, container ports). Types first: a field of the wrong type fails decoding.
 */
import { at, Checker, isPortName } from './checker';
import { AddressSet } from '../../util/address-set';
import { parseCidrLoose } from '../../util/cidr';
import { isPlainObject, podTemplateOf } from '../../util/vocabulary';

/** networking.k8s.io/v1 NetworkPolicy. */
export function checkNetworkPolicy(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) return;
  c.labelSelector(spec.podSelector, 'spec.podSelector');
  const types = c.list(spec.policyTypes, 'spec.policyTypes');
  types.forEach((t, i) => c.oneOf(t, at('spec.policyTypes', i), ['Ingress', 'Egress'], true));
  if (types.length > 2) c.report('spec.policyTypes', 'may not list more than two policyTypes');
  for (const direction of ['ingress', 'egress'] as const) {
    const peersField = direction === 'ingress' ? 'from' : 'to';
    for (const { item: rule, path } of c.objects(spec[direction], `spec.${direction}`)) {
      for (const { item: port, path: p } of c.objects(rule.ports, at(path, 'ports'))) checkPolicyPort(port, p, c);
      for (const { item: peer, path: p } of c.objects(rule[peersField], at(path, peersField))) checkPeer(peer, p, c);
    }
  }
}

/** NetworkPolicyPort: protocol, a port number (1-65535) or IANA name, and an endPort range. */
function checkPolicyPort(port: Record<string, any>, path: string, c: Checker): void {
  c.oneOf(port.protocol, at(path, 'protocol'), ['TCP', 'UDP', 'SCTP']);
  let first: number | undefined;
  if (typeof port.port === 'string') {
    if (!isPortName(port.port)) c.report(at(path, 'port'), `'${port.port}' is not a valid port name (IANA service name: at most 15 lower-case letters, digits and '-')`);
  } else {
    first = c.port(port.port, at(path, 'port'));
  }
  if (port.endPort !== undefined && port.endPort !== null) {
    const end = c.port(port.endPort, at(path, 'endPort'));
    if (port.port === undefined || port.port === null) c.report(at(path, 'endPort'), 'needs port to be set');
    else if (typeof port.port === 'string') c.report(at(path, 'endPort'), 'may not be used with a named port');
    else if (first !== undefined && end !== undefined && end < first) c.report(at(path, 'endPort'), `${end} is below port ${first}`);
  }
}

/** NetworkPolicyPeer: at least one field; ipBlock alone; an ipBlock with a valid CIDR and strictly contained excepts. */
function checkPeer(peer: Record<string, any>, path: string, c: Checker): void {
  const has = (k: string) => peer[k] !== undefined && peer[k] !== null;
  if (!has('podSelector') && !has('namespaceSelector') && !has('ipBlock')) {
    c.report(path, 'must specify podSelector, namespaceSelector or ipBlock');
    return;
  }
  if (has('ipBlock') && (has('podSelector') || has('namespaceSelector'))) {
    c.report(path, 'may not combine ipBlock with podSelector or namespaceSelector');
  }
  c.labelSelector(peer.podSelector, at(path, 'podSelector'));
  c.labelSelector(peer.namespaceSelector, at(path, 'namespaceSelector'));
  const block = c.object(peer.ipBlock, at(path, 'ipBlock'));
  if (!block) return;
  if (block.cidr === undefined || block.cidr === null || block.cidr === '') {
    c.report(at(path, 'ipBlock.cidr'), 'is required');
    return;
  }
  const before = c.problems.length;
  // Leading zeros, host bits: accepted before Kubernetes 1.36, an uncertainty of the analysis (not invalid;
  // see ../uncertainty/version-dependent-ip-blocks).
  c.cidr(block.cidr, at(path, 'ipBlock.cidr'), false, true);
  const excepts = c.strings(block.except, at(path, 'ipBlock.except'));
  if (c.problems.length > before) return;
  const outer = parseCidrLoose(block.cidr)!;
  excepts.forEach((e, i) => {
    const p = at(at(path, 'ipBlock.except'), i);
    const n = c.problems.length;
    c.cidr(e, p, false, true);
    if (c.problems.length > n) return;
    const inner = parseCidrLoose(e)!;
    const strict = inner.family === outer.family && inner.prefix > outer.prefix
      && AddressSet.fromCidrs([outer]).containsAll(AddressSet.fromCidrs([inner]));
    if (!strict) c.report(p, `'${e}' must be a strict subset of cidr '${block.cidr}'`);
  });
}

/** A Namespace: its labels (what namespace selectors see). */
export function checkNamespace(obj: Record<string, any>, c: Checker): void {
  const metadata = c.object(obj.metadata, 'metadata');
  if (metadata) c.labels(metadata.labels, 'metadata.labels');
}

/**
 * A workload: the pod template's labels, `hostNetwork`, service account and container ports (the
 * fields the inventory reads), and a Pod's `status.podIP(s)`.
 */
export function checkWorkload(obj: Record<string, any>, c: Checker): void {
  const template = podTemplateOf(obj);
  const base = obj.kind === 'Pod' ? '' : obj.kind === 'CronJob' ? 'spec.jobTemplate.spec.template' : 'spec.template';
  if (!template) {
    // A missing template is a problem of its own, but no pods are modelled for it anyway.
    return;
  }
  const metadata = c.object(template.metadata, at(base, 'metadata'));
  if (metadata) c.labels(metadata.labels, at(at(base, 'metadata'), 'labels'));
  const spec = c.object(template.spec, at(base, 'spec'));
  if (!spec) return;
  c.boolean(spec.hostNetwork, at(at(base, 'spec'), 'hostNetwork'));
  c.string(spec.serviceAccountName, at(at(base, 'spec'), 'serviceAccountName'));
  for (const field of ['containers', 'initContainers']) {
    for (const { item: container, path } of c.objects(spec[field], at(at(base, 'spec'), field))) {
      for (const { item: port, path: p } of c.objects(container.ports, at(path, 'ports'))) {
        c.port(port.containerPort, at(p, 'containerPort'));
        if (port.containerPort === undefined || port.containerPort === null) c.report(at(p, 'containerPort'), 'is required');
        c.oneOf(port.protocol, at(p, 'protocol'), ['TCP', 'UDP', 'SCTP']);
        const name = c.string(port.name, at(p, 'name'));
        if (name !== undefined && !isPortName(name)) c.report(at(p, 'name'), `'${name}' is not a valid port name`);
      }
    }
  }
  if (obj.kind === 'Pod' && isPlainObject(obj.status)) {
    if (obj.status.podIP !== undefined && obj.status.podIP !== null) c.cidr(obj.status.podIP, 'status.podIP', true);
    for (const { item, path } of c.objects(obj.status.podIPs, 'status.podIPs')) c.cidr(item.ip, at(path, 'ip'), true);
  }
}
