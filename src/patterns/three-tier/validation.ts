import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { TierResources } from './resources';
import { propError } from '../../util/errors';
import { MAX_INT32, requireInstance, requireNumber, requireOptionalObject, requireString } from '../../util/guards';
import { validateDnsSubdomain } from '../../util/validate';

/**
 * A public host name for an Ingress rule and its TLS certificate: a lower-case DNS name with at least
 * two labels of at most 63 characters each. Wildcards are refused: a wildcard host exposes every name
 * under the domain, and cert-manager's HTTP-01 solver cannot issue wildcard certificates anyway.
 */
export function validateHost(scope: IConstruct, prop: string, host: string): string {
  requireString(scope, prop, host);
  if (host.includes('*')) {
    throw propError(scope, prop, `'${host}' is a wildcard host; name the exact host the app serves`);
  }
  validateDnsSubdomain(scope, prop, host);
  // An Ingress rule host must be a DNS name, not an IP address
  // (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressRule).
  if (/^[0-9]+(\.[0-9]+){3}$/.test(host)) throw propError(scope, prop, `'${host}' is an IP address; an Ingress host must be a DNS name`);
  const labels = host.split('.');
  if (labels.length < 2) throw propError(scope, prop, `'${host}' is not a fully qualified public host name (e.g. 'shop.example.com')`);
  const long = labels.find((l) => l.length > 63);
  if (long !== undefined) throw propError(scope, prop, `'${host}' has the label '${long}' longer than 63 characters`);
  return host;
}

// Image references: one grammar for every construct that takes an image (util/image-reference).
export { validateImage } from '../../util/image-reference';

/** The largest user or group id the kubelet and container runtimes accept (int32). */
export const MAX_ID = 2147483647;

/**
 * An integer from `min` to `max` (by default the largest int32, what the API server accepts for
 * replicas and the like: `2 ** 40` replicas would be emitted and then rejected at apply time).
 */
export function validatePositiveInteger(scope: IConstruct, prop: string, value: number, min = 1, max = MAX_INT32): number {
  requireNumber(scope, prop, value, false);
  if (!Number.isInteger(value) || value < min) throw propError(scope, prop, `${value} must be an integer >= ${min}`);
  if (value > max) throw propError(scope, prop, `${value} exceeds ${max}, the largest value Kubernetes accepts (int32)`);
  return value;
}

/**
 * An environment variable name. Kubernetes 1.27 accepts `[-._a-zA-Z][-._a-zA-Z0-9]*`
 * (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#environment-variables).
 */
export function validateEnvName(scope: IConstruct, prop: string, name: string): string {
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) throw propError(scope, prop, `'${name}' is not a valid environment variable name`);
  return name;
}

/** An absolute, normalized path without whitespace (mount paths, HTTP probe paths). */
export function validateAbsolutePath(scope: IConstruct, prop: string, path: string): string {
  requireString(scope, prop, path);
  if (!path.startsWith('/') || /\s/.test(path) || path.split('/').some((s) => s === '..')) {
    throw propError(scope, prop, `'${path}' must be an absolute path starting with '/' (no whitespace, no '..')`);
  }
  return path;
}

/** A Kubernetes CPU quantity in millicores (`250m`) or cores with at most millicore precision (`1`, `1.5`). */
const CPU_QUANTITY = /^(?:[0-9]+m|[0-9]+(?:\.[0-9]{1,3})?)$/;

/**
 * The user's {@link TierResources} as cdk8s-plus-27 requirements, after checking their runtime types
 * (jsii and plain-JS callers can pass anything): CPU quantity strings, cdk8s `Size` amounts, and no
 * unknown field (a misspelled `requests` would silently keep the defaults).
 */
export function containerResources(scope: IConstruct, prop: string, given: TierResources | undefined): kplus.ContainerResources | undefined {
  const r = requireOptionalObject(scope, prop, given);
  if (r === undefined) return undefined;
  rejectUnknownFields(scope, prop, r, ['cpu', 'memory', 'ephemeralStorage']);
  const pair = <T>(what: string, value: object | undefined, convert: (field: string, v: unknown) => T) => {
    const v = requireOptionalObject(scope, `${prop}.${what}`, value) as { request?: unknown; limit?: unknown } | undefined;
    if (v === undefined) return undefined;
    rejectUnknownFields(scope, `${prop}.${what}`, v, ['request', 'limit']);
    return {
      ...(v.request === undefined ? {} : { request: convert('request', v.request) }),
      ...(v.limit === undefined ? {} : { limit: convert('limit', v.limit) }),
    };
  };
  const cpu = (field: string, v: unknown): kplus.Cpu => {
    if (typeof v !== 'string' || !CPU_QUANTITY.test(v)) {
      throw propError(scope, `${prop}.cpu.${field}`, `${JSON.stringify(v)} is not a CPU quantity: millicores ('250m') or cores with at most 3 decimals ('1', '1.5')`);
    }
    return v.endsWith('m') ? kplus.Cpu.millis(Number(v.slice(0, -1))) : kplus.Cpu.units(Number(v));
  };
  const size = (what: string) => (field: string, v: unknown): Size =>
    requireInstance(scope, `${prop}.${what}.${field}`, v as Size, Size, 'a Size (e.g. Size.mebibytes(256))');
  return {
    cpu: pair('cpu', r.cpu, cpu),
    memory: pair('memory', r.memory, size('memory')),
    ephemeralStorage: pair('ephemeralStorage', r.ephemeralStorage, size('ephemeralStorage')),
  };
}

function rejectUnknownFields(scope: IConstruct, prop: string, value: object, known: readonly string[]): void {
  const unknown = Object.keys(value).find((k) => !known.includes(k));
  if (unknown !== undefined) throw propError(scope, `${prop}.${unknown}`, `unknown field (expected ${known.join(', ')})`);
}

/** Millicores of a cdk8s-plus Cpu (`'250m'` or `'1.5'`). */
export function millicores(cpu: kplus.Cpu): number {
  return cpu.amount.endsWith('m') ? Number(cpu.amount.slice(0, -1)) : Number(cpu.amount) * 1000;
}

/** Kibibytes of a Size, without rounding. */
function kibibytes(size: Size): number {
  return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
}

/**
 * Requests must not exceed limits: the API server rejects such a pod template only when the
 * ReplicaSet creates pods, long after `kubectl apply` succeeded.
 */
export function validateResources(scope: IConstruct, prop: string, resources: kplus.ContainerResources): void {
  const check = (what: string, request: number | undefined, limit: number | undefined, show: (n: number) => string) => {
    for (const [field, value] of [['request', request], ['limit', limit]] as const) {
      if (value !== undefined && (!Number.isFinite(value) || value <= 0)) throw propError(scope, `${prop}.${what}.${field}`, `${show(value)} must be positive`);
    }
    if (request !== undefined && limit !== undefined && request > limit) {
      throw propError(scope, `${prop}.${what}`, `request ${show(request)} exceeds limit ${show(limit)}`);
    }
  };
  const cpu = resources.cpu;
  check('cpu', cpu?.request && millicores(cpu.request), cpu?.limit && millicores(cpu.limit), (n) => `${n}m`);
  const mem = resources.memory;
  check('memory', mem?.request && kibibytes(mem.request), mem?.limit && kibibytes(mem.limit), (n) => `${n}Ki`);
  const eph = resources.ephemeralStorage;
  check('ephemeralStorage', eph?.request && kibibytes(eph.request), eph?.limit && kibibytes(eph.limit), (n) => `${n}Ki`);
  // cdk8s-plus-27 writes memory as `<n>Mi` and ephemeral storage as `<n>Gi`, converting without
  // rounding: a size that is not a whole number in that unit would fail at synth with its own message.
  const whole = (what: string, field: string, size: Size | undefined, unit: string, convert: (s: Size) => number) => {
    if (size === undefined) return;
    try {
      convert(size);
    } catch {
      throw propError(scope, `${prop}.${what}.${field}`, `${size.asString()} is not a whole number of ${unit} (cdk8s-plus-27 writes it in ${unit})`);
    }
  };
  whole('memory', 'request', mem?.request, 'Mi', (s) => s.toMebibytes());
  whole('memory', 'limit', mem?.limit, 'Mi', (s) => s.toMebibytes());
  whole('ephemeralStorage', 'request', eph?.request, 'Gi', (s) => s.toGibibytes());
  whole('ephemeralStorage', 'limit', eph?.limit, 'Gi', (s) => s.toGibibytes());
}

/** A Size as the shortest exact Kubernetes binary quantity (`10Gi`, `1536Mi`, ...). */
export function sizeToQuantity(scope: IConstruct, prop: string, size: Size): string {
  const units: Array<[string, (o: { rounding: SizeRoundingBehavior }) => number]> = [
    ['Ti', (o) => size.toTebibytes(o)],
    ['Gi', (o) => size.toGibibytes(o)],
    ['Mi', (o) => size.toMebibytes(o)],
    ['Ki', (o) => size.toKibibytes(o)],
  ];
  for (const [unit, convert] of units) {
    const n = convert({ rounding: SizeRoundingBehavior.NONE });
    if (Number.isInteger(n)) {
      if (n <= 0) break;
      return `${n}${unit}`;
    }
  }
  throw propError(scope, prop, 'must be a positive whole number of kibibytes');
}
