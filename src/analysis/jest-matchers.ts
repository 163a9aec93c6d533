/**
 * jest matchers `toAllow` / `toDeny` for {@link Reachability}. No jest types are imported, because
 * jsii compiles src/: pass jest's global `expect` to {@link installReachabilityMatchers}.
 */
import { Reachability } from './reachability';
import { Target } from './target';
import { Port } from '../policy/port';

/**
 * Install `expect(reach).toAllow(from, to, port)` and `expect(reach).toDeny(from, to, port)`.
 * Failure messages include the full explanation.
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
  // With `.not`, jest inverts `pass` and shows the same message, so it always carries the explanation.
  const pass = result.allowed === expectAllowed;
  const wanted = expectAllowed ? 'allowed' : 'denied';
  return {
    pass,
    message: () => `expected ${result.question} to be ${pass ? 'not ' : ''}${wanted}\n\n${result.explain()}`,
  };
}
