/**
 * One-line jest setup for users of this library:
 *
 *   import 'cdk8s-networking/lib/analysis/jest-setup';
 *
 * in a test file (or in a file listed in jest's `setupFilesAfterEach` and included by the test
 * tsconfig) installs `expect(reach).toAllow(from, to, port)` / `.toDeny(...)` on jest's global
 * `expect` and declares their types for `@types/jest`. Not exported from the package index: jsii
 * cannot express the global declaration, and it only makes sense under jest.
 */
import { installReachabilityMatchers } from './jest-matchers';
import { Target } from './target';
import { Port } from '../policy/port';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /**
       * `from` can reach `to` on `port` for every pod pair the targets cover; fails on a denied or
       * indeterminate pair, with the explanation.
       */
      toAllow(from: Target, to: Target, port: Port): R;
      /**
       * `from` cannot reach `to` on `port` for any pod pair the targets cover; fails on an allowed or
       * indeterminate pair, with the explanation.
       */
      toDeny(from: Target, to: Target, port: Port): R;
    }
  }
}

const globalExpect = (globalThis as any).expect;
if (globalExpect === undefined) {
  throw new Error('cdk8s-networking/lib/analysis/jest-setup: no global expect (is this running under jest with injectGlobals?); '
    + 'call installReachabilityMatchers(expect) with the expect you use instead');
}
installReachabilityMatchers(globalExpect);
