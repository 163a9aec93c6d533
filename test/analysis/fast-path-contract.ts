/**
 * The fast-path contract of a CNI model (AnnotatedCniModel): `decide` agrees with `evaluate` on
 * every subject x direction x peer x port (allow, deny and indeterminate alike); subjects with equal
 * `subjectKey` get equal outcomes ('' only where every flow is allowed); peers with equal `peerKey`
 * get equal outcomes from every subject. Shared by the Calico and Cilium fast-path tests.
 */
import { AnnotatedCniModel } from '../../src/analysis/kubernetes/model';
import { Direction, Endpoint, L4Protocol } from '../../src/analysis/model';
import { Prng } from '../support/prng';

/** Checks the fast-path contract on every subject x direction x peer x port; returns how many keys were shared. */
export function checkContract(model: AnnotatedCniModel, subjects: Endpoint[], peers: Endpoint[], ports: Array<[L4Protocol, number]>): number {
  let shared = 0;
  for (const direction of ['ingress', 'egress'] as Direction[]) {
    const byKey = new Map<string, string>();
    const outcome = (subject: Endpoint, peer: Endpoint, protocol: L4Protocol, port: number): number => {
      const q = { direction, subject, peer, port, protocol, destination: direction === 'ingress' ? subject : peer };
      const expected = model.evaluate(q);
      const fast = model.decide(q);
      if (fast !== expected.outcome) {
        throw new Error(`decide ${fast} != evaluate ${expected.outcome}: ${direction} ${subject.name} / ${peer.name} ${protocol}/${port}`);
      }
      if (expected.allowed !== (expected.outcome === 1)) throw new Error(`allowed disagrees with outcome for ${subject.name} / ${peer.name}`);
      if (expected.outcome === 2 && (expected.uncertain ?? []).length === 0) {
        throw new Error(`indeterminate without a reason: ${direction} ${subject.name} / ${peer.name} ${protocol}/${port}`);
      }
      return fast;
    };
    for (const subject of subjects) {
      const verdicts: number[] = [];
      for (const peer of peers) {
        for (const [protocol, port] of ports) verdicts.push(outcome(subject, peer, protocol, port));
      }
      const key = model.subjectKey(subject, direction);
      const vector = verdicts.join('');
      if (key === '' && /[02]/.test(vector)) throw new Error(`empty ${direction} key for ${subject.name}, but a flow is not allowed`);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, vector);
      } else {
        shared++;
        if (seen !== vector) throw new Error(`${direction} key ${key} is shared by subjects with different verdicts (${subject.name})`);
      }
    }
    // Peer keys: peers with equal keys get equal outcomes from every subject.
    const byPeerKey = new Map<string, { name: string; vector: string }>();
    for (const peer of peers) {
      const vector = subjects.flatMap((subject) => ports.map(([protocol, port]) => model.decide({
        direction, subject, peer, port, protocol, destination: direction === 'ingress' ? subject : peer,
      }))).join('');
      const key = model.peerKey(peer, direction);
      const seen = byPeerKey.get(key);
      if (seen === undefined) byPeerKey.set(key, { name: peer.name, vector });
      else if (seen.vector !== vector) throw new Error(`${direction} peer key ${key} is shared by ${seen.name} and ${peer.name}, whose outcomes differ`);
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
