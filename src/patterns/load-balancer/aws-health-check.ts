import { AwsHealthCheckProtocol, AwsNlbHealthCheck } from './aws-health-check-options';
import { InputSite, propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireObject, requireOneOf, requireOptionalString, requireStringArray } from '../../util/guards';
import { validateCidr, validatePortNumber } from '../../util/validate';

/** The AWS Load Balancer Controller's health-check annotations. Internal. */
export const AWS_HC_PORT = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-port';
/** Internal. */
export const AWS_HC_PROTOCOL = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol';
/** Internal. */
export const AWS_HC_PATH = 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path';

/** A validated health check (the CIDRs parsed for syntax only: the cluster checks come in the construct). Internal. */
export interface ResolvedAwsHealthCheck {
  /** The NLB's subnets, as given (`AwsNlbHealthCheck.subnetCidrs`). */
  readonly subnetCidrs: readonly string[];
  /** The dedicated health-check port; undefined: the traffic port. */
  readonly port?: number;
  /** The health-check protocol (TCP when not given). */
  readonly protocol: AwsHealthCheckProtocol;
  /** The HTTP or HTTPS path, when given. */
  readonly path?: string;
}

const KEYS: StructKeys<AwsNlbHealthCheck> = { subnetCidrs: true, port: true, protocol: true, path: true };
/** AWS HealthCheckPath: 1-1024 characters; printable ASCII without spaces keeps it a path. */
const PATH = /^\/[\x21-\x7e]{0,1023}$/;

/** Validate the shape of `healthCheck` of LoadBalancerCloud.aws (at `prop`). Internal. */
export function resolveAwsHealthCheck(site: InputSite, prop: string, given: AwsNlbHealthCheck): ResolvedAwsHealthCheck {
  const h = requireKnownKeys(site, prop, requireObject(site, prop, given), KEYS);
  const subnetCidrs = requireStringArray(site, `${prop}.subnetCidrs`, h.subnetCidrs);
  if (subnetCidrs.length === 0) {
    throw propError(site, `${prop}.subnetCidrs`, 'name the CIDRs of the NLB\'s subnets: its health checks come from its private addresses there');
  }
  subnetCidrs.forEach((c, i) => validateCidr(site, `${prop}.subnetCidrs[${i}]`, c));
  const port = h.port === undefined ? undefined : validatePortNumber(site, `${prop}.port`, h.port);
  const protocol = h.protocol === undefined ? AwsHealthCheckProtocol.TCP
    : requireOneOf(site, `${prop}.protocol`, h.protocol, Object.values(AwsHealthCheckProtocol), 'an AwsHealthCheckProtocol');
  const path = requireOptionalString(site, `${prop}.path`, h.path);
  if (path !== undefined) {
    if (protocol === AwsHealthCheckProtocol.TCP) throw propError(site, `${prop}.path`, 'a TCP health check has no path: set protocol HTTP or HTTPS, or omit path');
    if (!PATH.test(path)) throw propError(site, `${prop}.path`, `'${path}' is not a health-check path (it must start with '/', at most 1024 printable ASCII characters, no spaces)`);
  }
  const httpPath = protocol === AwsHealthCheckProtocol.TCP ? undefined : (path ?? '/');
  return { subnetCidrs, port, protocol, path: httpPath };
}

/** The health-check annotations (the port, the protocol, and the path of HTTP(S)). Internal. */
export function awsHealthCheckAnnotations(hc: ResolvedAwsHealthCheck): { [key: string]: string } {
  return {
    [AWS_HC_PORT]: hc.port === undefined ? 'traffic-port' : String(hc.port),
    [AWS_HC_PROTOCOL]: hc.protocol,
    ...(hc.path !== undefined ? { [AWS_HC_PATH]: hc.path } : {}),
  };
}
