/**
 * Installs the reachability jest matchers and declares their types. Import this file from a test:
 *
 *   import '../support/reachability-matchers';
 *   expect(reach).toAllow(Target.workload('shop', 'web'), Target.workload('shop', 'db'), Port.tcp(5432));
 */
import { installReachabilityMatchers } from '../../src/analysis/jest-matchers';
import { Target } from '../../src/analysis/target';
import { Port } from '../../src/policy/port';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** `from` can reach `to` on `port` (every pod pair); the failure message carries the explanation. */
      toAllow(from: Target, to: Target, port: Port): R;
      /** `from` cannot reach `to` on `port`; the failure message carries the explanation. */
      toDeny(from: Target, to: Target, port: Port): R;
    }
  }
}

installReachabilityMatchers(expect);
