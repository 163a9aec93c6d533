/**
 * jest matchers `toAllow` / `toDeny` for {@link Reachability}. No jest types are imported here,
 * because jsii compiles src/: the one-line setup `import 'cdk8s-networking/lib/analysis/jest-setup'`
 * installs them on jest's global `expect` and declares their types; or pass any `expect` to
 * {@link installReachabilityMatchers} yourself.
 */
import { Reachability } from './reachability';
import { Target } from './target';
import { Verdict } from './verdict';
import { Port } from '../policy/port';
import { propError } from '../util/errors';
import { describeValue } from '../util/guards';

/**
 * Install `expect(reach).toAllow(from, to, port)` and `expect(reach).toDeny(from, to, port)`.
 * `toAllow` passes when every pod pair the targets cover is allowed, `toDeny` when every pair is
 * denied; an indeterminate answer fails both (and their `.not` forms), with the reason. Failure
 * messages include the full explanation.
 * @param expectObj jest's `expect`
 */
export function installReachabilityMatchers(expectObj: any): void {
  if (!expectObj || typeof expectObj.extend !== 'function') {
    throw propError('installReachabilityMatchers', 'expectObj', `must be jest's expect (it has an extend method), got ${describeValue(expectObj)}`);
  }
  expectObj.extend({
    toAllow(this: { isNot?: boolean }, reach: Reachability, from: Target, to: Target, port: Port) {
      return verdict(reach, from, to, port, Verdict.ALLOW, this?.isNot === true);
    },
    toDeny(this: { isNot?: boolean }, reach: Reachability, from: Target, to: Target, port: Port) {
      return verdict(reach, from, to, port, Verdict.DENY, this?.isNot === true);
    },
  });
}

function verdict(reach: Reachability, from: Target, to: Target, port: Port, wanted: Verdict, isNot: boolean) {
  if (!(reach instanceof Reachability)) {
    return { pass: isNot, message: () => 'expected a Reachability as the value of expect()' };
  }
  const result = reach.check(from, to, port);
  const word = wanted === Verdict.ALLOW ? 'allowed' : 'denied';
  // A target may cover several pods: toAllow needs every pod pair allowed, toDeny every pair denied
  // (a "must not reach" check that passed with one pair still allowed would hide a leak).
  const undecided = result.pairs.some((p) => p.indeterminate);
  if (undecided) {
    // Indeterminate fails the matcher and its `.not` form alike: jest inverts `pass` for `.not`.
    const why = result.uncertainties.map((u) => `  - ${u}`).join('\n');
    return {
      pass: isNot,
      message: () => `expected ${result.question} to be ${isNot ? 'not ' : ''}${word}, but the analysis cannot tell `
        + `(indeterminate):\n${why}\n\n${result.explain()}`,
    };
  }
  const pass = wanted === Verdict.ALLOW ? result.allowed : result.denied;
  // With `.not`, jest inverts `pass` and shows the same message, so it always carries the explanation.
  return {
    pass,
    message: () => `expected ${result.question} to be ${pass ? 'not ' : ''}${word}\n\n${result.explain()}`,
  };
}
