import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ChaosAction } from './chaos-action';
import { ChaosMode } from './chaos-mode';
import { ChaosPodSelection, ChaosTarget } from './chaos-pods';
import { ChaosSchedule } from './chaos-schedule';
import { goDuration } from './chaos-units';
import { DEFAULT_CHAOS_MESH_NAMESPACE, protectedNamespaces, protectionOf } from './control-plane-namespaces';
import { requireChaosAction, requireChaosMode } from './made-by-factories';
import { ResolvedTarget, resolveSelection, resolveTarget } from './pod-selection-check';
import { resolveSchedule } from './schedule-check';
import { ClusterNetwork } from '../cluster/cluster-network';
import {
  NetworkChaos, NetworkChaosSpec, NetworkChaosSpecAction, NetworkChaosSpecDirection, NetworkChaosSpecMode, NetworkChaosSpecTargetMode,
  toJson_NetworkChaosSpec,
} from '../imports/chaos-mesh.org';
import { parseCidrLoose, parseIpLoose } from '../util/cidr';
import { ValidationError, propError } from '../util/errors';
import {
  StructKeys, requireArrayOf, requireKnownKeys, requireOptionalBoolean, requireOptionalOneOf, requireOptionalString, requireProps, requireString,
} from '../util/guards';
import { registerObject } from '../util/object-registry';
import { isDnsSubdomain, validateDnsLabel } from '../util/validate';

/** Which packets of the selected pods a NetworkChaos affects, relative to its target (the CRD's `direction`). */
export enum ChaosDirection {
  /** Packets from the selected pods to the target. */
  TO = 'to',
  /** Packets from the target to the selected pods (Chaos Mesh injects into the target pods too). */
  FROM = 'from',
  /** Both (Chaos Mesh injects into the target pods too). */
  BOTH = 'both',
}

/** Props of {@link NetworkChaosExperiment}. */
export interface NetworkChaosExperimentProps {
  /**
   * Name of the NetworkChaos (or Schedule): a DNS-1123 label, at most 63 characters, and at most 57
   * for a Schedule (Chaos Mesh names each run after it plus 6 characters).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the NetworkChaos (or Schedule) object itself.
   * @default - the namespace of `pods`, when it names exactly one
   */
  readonly namespace?: string;
  /** What happens to the affected packets: `ChaosAction.partition()`, `.delay({...})`, `.loss({...})`, ... */
  readonly action: ChaosAction;
  /** The pods the fault is injected into (namespaces named explicitly). */
  readonly pods: ChaosPodSelection;
  /**
   * Which of the selected pods are affected.
   * @default ChaosMode.one() - the smallest blast radius; widen it deliberately
   */
  readonly mode?: ChaosMode;
  /**
   * Which packets, relative to `target` / `externalTargets`. `FROM` and `BOTH` need a `target`
   * (Chaos Mesh refuses them without one for every action but partition, and a partition needs a
   * target or external targets), and inject into the target pods as well.
   * @default ChaosDirection.TO (Chaos Mesh's default, stated explicitly)
   */
  readonly direction?: ChaosDirection;
  /**
   * The peer pods: only traffic between the selected pods and these is affected. Chaos Mesh injects
   * into them as well for a partition (any direction) and for `FROM` / `BOTH`, so their namespaces
   * are guarded like those of `pods` then.
   * @default - no pod peer: with no `externalTargets` either, all of the selected pods' traffic in `direction` (a partition then
   *   cuts them off entirely, kubelet probes and DNS included)
   */
  readonly target?: ChaosTarget;
  /**
   * Peers outside the cluster: IPv4 addresses, IPv4 CIDR blocks or host names (Chaos Mesh's
   * controller resolves a name once, to its IPv4 addresses only). Only with direction `TO`, except
   * for a partition (Chaos Mesh's webhook).
   * @default - none
   */
  readonly externalTargets?: string[];
  /**
   * How long the fault lasts: a Go duration (`'30s'`, `'10m'`, `'1h30m'`). Required unless
   * `acknowledgeUnboundedDuration` is set: without one, Chaos Mesh keeps the fault until the object is deleted.
   * With `schedule`, it must be shorter than the shortest interval between two runs. At most 1 hour
   * unless `acknowledgeLongDuration` is set.
   * @default - none: an error unless acknowledgeUnboundedDuration
   */
  readonly duration?: string;
  /**
   * Emit the experiment without a duration: it runs until someone deletes it (a GitOps pipeline
   * would keep re-applying it). Not with `schedule`.
   * @default false
   */
  readonly acknowledgeUnboundedDuration?: boolean;
  /**
   * Emit a `duration` longer than 1 hour. The ceiling is long enough for a network fault to show
   * everything it will (timeouts, retries, failover, and every NetworkAlerts alert, whose longest
   * default `for` is 15 minutes, firing and resolving); a longer one is more often a wrong unit
   * (`'10h'` for `'10m'`) than a plan, and a network fault that outlives its observers is an outage.
   * Only with such a duration (an unused acknowledgement is an error).
   * @default false
   */
  readonly acknowledgeLongDuration?: boolean;
  /**
   * Run the experiment on a schedule: a chaos-mesh.org Schedule (`type: NetworkChaos`) is emitted
   * instead of a NetworkChaos.
   * @default - a one-off NetworkChaos, started when applied
   */
  readonly schedule?: ChaosSchedule;
  /**
   * Namespaces of the cluster's own networking this experiment is meant to hit: `kube-*`, Chaos
   * Mesh's, the ClusterNetwork's DNS, CNI and mesh control-plane namespaces (every supported CNI's
   * when its CNI is `Cni.kubernetes()` or a `Cni.custom()`, which say nothing of where the CNI
   * runs; without a ClusterNetwork in scope, those of every supported CNI and mesh). Each must be
   * one the experiment does hit.
   * @default [] - every control-plane namespace is refused
   */
  readonly acknowledgedControlPlaneNamespaces?: string[];
  /**
   * The namespace Chaos Mesh is installed in (protected like a control-plane namespace).
   * @default 'chaos-mesh' (Chaos Mesh's documented Helm install)
   */
  readonly chaosMeshNamespace?: string;
}

const PROPS_KEYS: StructKeys<NetworkChaosExperimentProps> = {
  name: true,
  namespace: true,
  action: true,
  pods: true,
  mode: true,
  direction: true,
  target: true,
  externalTargets: true,
  duration: true,
  acknowledgeUnboundedDuration: true,
  acknowledgeLongDuration: true,
  schedule: true,
  acknowledgedControlPlaneNamespaces: true,
  chaosMeshNamespace: true,
};
const CHAOS_MESH_API_VERSION = 'chaos-mesh.org/v1alpha1';
/** The longest Schedule name Chaos Mesh documents: each run is named after it plus 6 characters. */
const MAX_SCHEDULE_NAME = 57;
/** The longest `duration` emitted without acknowledgeLongDuration (why: that prop's doc comment). */
const MAX_UNACKNOWLEDGED_SECONDS = 3600;

/**
 * A Chaos Mesh network fault (chaos-mesh.org/v1alpha1 NetworkChaos, v2.8.3), or a Schedule of
 * them, with guard rails: a bounded duration, namespaces named explicitly, the cluster's DNS, CNI
 * and mesh control planes refused unless acknowledged, and the combinations Chaos Mesh's webhook
 * refuses caught at synth time (chaos-mesh api/v1alpha1 networkchaos_types_additions.go,
 * common_validation.go; https://chaos-mesh.org/docs/simulate-network-chaos-on-kubernetes/).
 *
 * The analyzer notes a partition in the manifests (`Reachability.notes`): while the experiment is
 * active, the flows between its pods and its target are dropped whatever the policies allow.
 */
export class NetworkChaosExperiment extends Construct {
  /** The emitted object: the NetworkChaos, or the Schedule when `schedule` is set. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: NetworkChaosExperimentProps) {
    super(scope, id);
    const p = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    if (p.action === undefined) throw propError(this, 'action', 'is required: ChaosAction.partition(), .delay(), .loss(), .duplicate(), .corrupt() or .bandwidth()');
    const action = requireChaosAction(this, 'action', p.action);
    if (p.pods === undefined) throw propError(this, 'pods', 'is required: the pods to inject the fault into, with their namespaces named');
    const pods = resolveSelection(this, 'pods', p.pods);
    const mode = p.mode === undefined ? ChaosMode.one() : requireChaosMode(this, 'mode', p.mode);
    const direction = requireOptionalOneOf(this, 'direction', p.direction, Object.values(ChaosDirection), 'a ChaosDirection', ChaosDirection.TO);
    const target = p.target === undefined ? undefined : resolveTarget(this, 'target', p.target);
    const externalTargets = p.externalTargets === undefined ? undefined
      : requireArrayOf(this, 'externalTargets', p.externalTargets, (t, prop) => this.externalTarget(prop, t));
    if (externalTargets !== undefined && externalTargets.length === 0) {
      throw propError(this, 'externalTargets', 'is empty: omit it, or name at least one address, CIDR block or host name');
    }
    this.checkDirection(action, direction, target, externalTargets);
    const schedule = p.schedule === undefined ? undefined : resolveSchedule(this, 'schedule', p.schedule);
    const duration = this.duration(p.duration, p.acknowledgeUnboundedDuration, p.acknowledgeLongDuration, schedule?.minIntervalSeconds);
    const chaosMeshNamespace = validateDnsLabel(this, 'chaosMeshNamespace', requireOptionalString(this, 'chaosMeshNamespace', p.chaosMeshNamespace) ?? DEFAULT_CHAOS_MESH_NAMESPACE);
    // Chaos Mesh injects into the target pods too for a partition (whatever the direction: iptables INPUT rules
    // for 'to') and for the other actions with 'from' and 'both' (controllers/chaosimpl/networkchaos/partition
    // and trafficcontrol impl.go): only a netem or bandwidth target with 'to' is a mere destination.
    const targetInjected = action.action === 'partition' || direction !== ChaosDirection.TO;
    this.checkNamespaces(pods.namespaces, targetInjected ? target?.namespaces ?? [] : [], chaosMeshNamespace,
      p.acknowledgedControlPlaneNamespaces);

    const name = validateDnsLabel(this, 'name', requireOptionalString(this, 'name', p.name) ?? id);
    // Chaos Mesh names each run of a Schedule '<name>-<5 random characters>' and documents 57 characters as the
    // longest Schedule name (https://chaos-mesh.org/docs/define-scheduling-rules/).
    if (schedule !== undefined && name.length > MAX_SCHEDULE_NAME) {
      throw propError(this, 'name', `'${name}' has ${name.length} characters: a Schedule's name must have at most ${MAX_SCHEDULE_NAME} `
        + '(Chaos Mesh appends 6 characters to it to name each run)');
    }
    const namespace = this.objectNamespace(p.namespace, pods.namespaces);
    const spec: NetworkChaosSpec = {
      ...(action._spec() as Pick<NetworkChaosSpec, 'delay' | 'loss' | 'duplicate' | 'corrupt' | 'bandwidth'>),
      action: action.action as NetworkChaosSpecAction,
      mode: mode.mode as NetworkChaosSpecMode,
      value: mode.value,
      selector: pods.selector,
      direction: direction as unknown as NetworkChaosSpecDirection,
      target: target === undefined ? undefined
        : { mode: target.mode.mode as NetworkChaosSpecTargetMode, value: target.mode.value, selector: target.selector },
      externalTargets,
      duration,
    };
    const metadata = { name, namespace };
    this.apiObject = registerObject(this, schedule === undefined
      ? new NetworkChaos(this, 'resource', { metadata, spec })
      : new ApiObject(this, 'resource', {
        apiVersion: CHAOS_MESH_API_VERSION,
        kind: 'Schedule',
        metadata,
        spec: {
          schedule: schedule.cron,
          type: 'NetworkChaos',
          concurrencyPolicy: schedule.concurrencyPolicy,
          historyLimit: schedule.historyLimit,
          startingDeadlineSeconds: schedule.startingDeadlineSeconds,
          networkChaos: toJson_NetworkChaosSpec(spec),
        },
      }));
  }

  /**
   * An external target: an IPv4 address, an IPv4 CIDR block or a host name (what Chaos Mesh
   * resolves). Chaos Mesh's netutils ResolveCidr is IPv4 only: it writes an IPv6 address as
   * '<address>/32' (a /32 IPv6 prefix, not the host) and keeps only the IPv4 addresses a host name
   * resolves to (chaos-mesh controllers/podnetworkchaos/netutils, "TODO: support IPv6").
   */
  private externalTarget(prop: string, value: string): string {
    requireString(this, prop, value, true);
    const family = parseIpLoose(value)?.kind() ?? (value.includes('/') ? parseCidrLoose(value)?.family : undefined);
    if (family === 'ipv6') {
      throw propError(this, prop, `'${value}' is IPv6: Chaos Mesh handles IPv4 external targets only (it would read an IPv6 address as a /32 `
        + 'prefix); use an IPv4 address or CIDR block, or a pod target');
    }
    if (family === 'ipv4' || (isDnsSubdomain(value) && value.includes('.'))) {
      return value;
    }
    throw propError(this, prop, `'${value}' is not an IP address, a CIDR block or a fully qualified host name`);
  }

  /** Chaos Mesh's webhook rules on direction, target and external targets, for every action (partition included: see below). */
  private checkDirection(action: ChaosAction, direction: ChaosDirection, target: ResolvedTarget | undefined, external: string[] | undefined): void {
    if (direction === ChaosDirection.TO) return;
    const partition = action.action === 'partition';
    if (!partition && external !== undefined) {
      throw propError(this, 'externalTargets', `cannot be used with direction '${direction}' for a ${action.action} (Chaos Mesh's webhook refuses `
        + "external targets with 'from' and 'both' for every action but partition): use direction TO");
    }
    // Chaos Mesh's webhook returns early for partitions, so it never checks them: without a peer, a
    // 'from' or 'both' partition has nothing to be relative to.
    if (target === undefined && !(partition && external !== undefined)) {
      throw propError(this, 'target', `is required with direction '${direction}'${partition ? ' (or externalTargets, for a partition)' : ''}: `
        + 'the packets from the target are only defined when there is one');
    }
  }

  /**
   * The duration, bounded: present unless acknowledged unbounded (never with a schedule), shorter
   * than the schedule's shortest interval between runs, and at most an hour unless acknowledged long.
   */
  private duration(
    given: string | undefined, unboundedGiven: boolean | undefined, longGiven: boolean | undefined, minIntervalSeconds: number | undefined,
  ): string | undefined {
    const unbounded = requireOptionalBoolean(this, 'acknowledgeUnboundedDuration', unboundedGiven, false);
    const long = requireOptionalBoolean(this, 'acknowledgeLongDuration', longGiven, false);
    if (given === undefined) {
      if (minIntervalSeconds !== undefined) throw propError(this, 'duration', 'is required with schedule: each run must end before the next one is due');
      if (!unbounded) {
        throw propError(this, 'duration', "is required (a Go duration, e.g. '5m'): without one the fault stays until the object is deleted. "
          + 'Set acknowledgeUnboundedDuration: true if that is what you want');
      }
      if (long) throw propError(this, 'acknowledgeLongDuration', 'applies to a duration longer than 1h, and there is none: remove it');
      return undefined;
    }
    if (unbounded) throw propError(this, 'acknowledgeUnboundedDuration', 'contradicts duration: omit one of them');
    const d = goDuration(this, 'duration', given);
    if (minIntervalSeconds !== undefined && d.seconds >= minIntervalSeconds) {
      throw propError(this, 'duration', `'${given}' is not shorter than the shortest interval between the schedule's runs (${minIntervalSeconds}s): `
        + 'the fault would still be active when the next run is due');
    }
    if (d.seconds > MAX_UNACKNOWLEDGED_SECONDS && !long) {
      throw propError(this, 'duration', `'${given}' is longer than 1h: a network fault that long is more often a wrong unit than a plan. `
        + 'Set acknowledgeLongDuration: true if that is the experiment');
    }
    if (d.seconds <= MAX_UNACKNOWLEDGED_SECONDS && long) {
      throw propError(this, 'acknowledgeLongDuration', `'${given}' is not longer than 1h, so there is nothing to acknowledge: remove it`);
    }
    return d.text;
  }

  /** Refuse control-plane namespaces unless acknowledged; each acknowledgement must be used. */
  private checkNamespaces(
    victims: readonly string[], targets: readonly string[], chaosMeshNamespace: string, acknowledgedGiven: string[] | undefined,
  ): void {
    const acknowledged = (acknowledgedGiven === undefined ? [] : requireArrayOf(this, 'acknowledgedControlPlaneNamespaces', acknowledgedGiven,
      (ns, prop) => validateDnsLabel(this, prop, ns)));
    const guarded = protectedNamespaces(clusterInScope(this), chaosMeshNamespace);
    const used = new Set<string>();
    const check = (namespaces: readonly string[], prop: string) => {
      for (const ns of namespaces) {
        const why = protectionOf(guarded, ns);
        if (why === undefined) continue;
        if (!acknowledged.includes(ns)) {
          throw propError(this, prop, `'${ns}' is ${why}: a fault there hits every workload that depends on it. `
            + `Add '${ns}' to acknowledgedControlPlaneNamespaces if that is the experiment`);
        }
        used.add(ns);
      }
    };
    check(victims, 'pods.namespaces');
    check(targets, 'target.pods.namespaces');
    const unused = acknowledged.filter((ns) => !used.has(ns));
    if (unused.length > 0) {
      throw propError(this, 'acknowledgedControlPlaneNamespaces', `${unused.map((ns) => `'${ns}'`).join(', ')} `
        + `${unused.length === 1 ? 'is' : 'are'} not a control-plane namespace this experiment injects into: remove it`);
    }
  }

  private objectNamespace(given: string | undefined, podNamespaces: readonly string[]): string {
    if (given !== undefined) return validateDnsLabel(this, 'namespace', requireString(this, 'namespace', given));
    if (podNamespaces.length === 1) return podNamespaces[0];
    throw propError(this, 'namespace', `is required when pods.namespaces names several (${podNamespaces.join(', ')}): the namespace of the experiment object`);
  }
}

/**
 * The ClusterNetwork governing `scope`, or undefined when the app declares none: a chaos experiment
 * needs no CNI facts, only the control-plane namespaces when they are known. One declared in
 * another branch of the app is still an error (ClusterNetwork.of's), not a silent default.
 */
function clusterInScope(scope: IConstruct): ClusterNetwork | undefined {
  try {
    return ClusterNetwork.of(scope);
  } catch (e) {
    if (!ValidationError.isValidationError(e) || e.prop !== 'ClusterNetwork') throw e;
    if (scope.node.root.node.findAll().some((c) => ClusterNetwork.isClusterNetwork(c))) throw e;
    return undefined;
  }
}
