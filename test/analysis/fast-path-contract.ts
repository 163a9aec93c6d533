/**
 * The fast-path contract of a CNI model (AnnotatedCniModel): `allows` agrees with `evaluate` on
 * every subject x direction x peer x port, and subjects with equal `subjectKey` get equal verdicts
 * ('' only where every flow is allowed). Shared by the Calico and Cilium fast-path tests.
 */
import { AnnotatedCniModel } from '../../src/analysis/kubernetes/model';
import { Direction, Endpoint, L4Protocol } from '../../src/analysis/model';
import { Prng } from '../support/prng';

/** Checks the fast-path contract on every subject x direction x peer x port; returns how many keys were shared. */
export function checkContract(model: AnnotatedCniModel, subjects: Endpoint[], peers: Endpoint[], ports: Array<[L4Protocol, number]>): number {
  let shared = 0;
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    const byKey = new Map<string, string>();
    for (const subject of subjects) {
      const verdicts: string[] = [];
      for (const peer of peers) {
        for (const [protocol, port] of ports) {
          const q = { direction, subject, peer, port, protocol, destination: direction === 'ingress' ? subject : peer };
          const expected = model.evaluate(q).allowed;
          const fast = model.allows(q);
          if (fast !== expected) {
            throw new Error(`allows ${fast} != evaluate ${expected}: ${direction} ${subject.name} / ${peer.name} ${protocol}/${port}`);
          }
          verdicts.push(expected ? '1' : '0');
        }
      }
      const key = model.subjectKey(subject, direction);
      const vector = verdicts.join('');
      if (key === '' && vector.includes('0')) throw new Error(`empty ${direction} key for ${subject.name}, but a flow is denied`);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, vector);
      } else {
        shared++;
        if (seen !== vector) throw new Error(`${direction} key ${key} is shared by subjects with different verdicts (${subject.name})`);
      }
    }
  }
  return shared;
}

/** A random cluster for {@link checkSeededClusters}: the model over it, its subjects and its peers. */
export interface RandomCluster {
  readonly model: AnnotatedCniModel;
  readonly subjects: Endpoint[];
  readonly peers: Endpoint[];
}

/**
 * Check the contract on `runs` seeded random clusters (seed `i * seedFactor`, so each suite has its
 * own corpus); returns the number of clusters checked and of subject keys shared over all of them.
 */
export function checkSeededClusters(
  runs: number, seedFactor: number, ports: Array<[L4Protocol, number]>, build: (r: Prng) => RandomCluster,
): { clusters: number; shared: number } {
  let shared = 0;
  let clusters = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const { model, subjects, peers } = build(new Prng(seed * seedFactor));
    shared += checkContract(model, subjects, peers, ports);
    clusters++;
  }
  return { clusters, shared };
}
