import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { CniKind } from '../../cluster/cni';
import { CniSettings } from '../../cluster/cni-settings';
import { ValidationError } from '../../util/errors';
import { PolicyIntent } from '../intent';

/**
 * What a per-CNI writer gets: the validated intent split into its allow and deny parts, the CNI's
 * typed settings, and the shared emission path (every object is registered, so duplicates fail).
 */
export interface WriteContext<K extends CniKind = CniKind> {
  /** The construct the objects belong to. */
  readonly owner: Construct;
  readonly cluster: ClusterNetwork;
  /** The CNI's validated options. */
  readonly settings: CniSettings<K>;
  /** The whole intent. */
  readonly intent: PolicyIntent;
  /** The allow rules and the isolated directions, or undefined when there are neither. */
  readonly allowPart?: PolicyIntent;
  /** The deny rules (isolating nothing), or undefined when there are none. */
  readonly denyPart?: PolicyIntent;
  /** Create and register an object with construct id `id`. */
  emit(id: string, manifest: any): ApiObject;
  /** The error for an intent the CNI cannot enforce. */
  fail(what: string, why: string): ValidationError;
}

/**
 * A CNI's rendering strategy: the fewest, most portable objects that express the intent exactly
 * on that CNI (capabilities are already checked), or an error.
 */
export type CniWriter<K extends CniKind> = (ctx: WriteContext<K>) => ApiObject[];
