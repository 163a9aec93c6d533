/**
 * jest matchers `toAllow` / `toDeny` for {@link Reachability}. No jest types are imported, because
 * jsii compiles src/: pass jest's global `expect` to {@link installReachabilityMatchers}.
 */
import { Reachability } from './reachability';
import { Target } from './target';
import { Port } from '../policy/port';

/**
 * Install `expect(reach).toAllow(from, to, port)` and `expect(reach).toDeny(from, to, port)`.
 * `toAllow` passes when every pod pair the targets cover is allowed, `toDeny` when every pair is
 * denied. Failure messages include the full explanation.
 * @param expectObj jest's `expect`
 */
export function installReachabilityMatchers(expectObj: any): void {
  expectObj.extend({
    toAllow(reach: Reachability, from: Target, to: Target, port: Port) {
      return verdict(reach, from, to, port, true);
    },
    toDeny(reach: Reachability, from: Target, to: Target, port: Port) {
      return verdict(reach, from, to, port, false);
    },
  });
}

function verdict(reach: Reachability, from: Target, to: Target, port: Port, expectAllowed: boolean) {
  if (!(reach instanceof Reachability)) {
    return { pass: false, message: () => 'expected a Reachability as the value of expect()' };
  }
  const result = reach.check(from, to, port);
  // A target may cover several pods: toAllow needs every pod pair allowed, toDeny every pair denied
  // (a "must not reach" check that passed with one pair still allowed would hide a leak).
  // With `.not`, jest inverts `pass` and shows the same message, so it always carries the explanation.
  const pass = expectAllowed ? result.allowed : result.denied;
  const wanted = expectAllowed ? 'allowed' : 'denied';
  return {
    pass,
    message: () => `expected ${result.question} to be ${pass ? 'not ' : ''}${wanted}\n\n${result.explain()}`,
  };
}
