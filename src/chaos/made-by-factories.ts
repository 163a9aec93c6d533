/** Checks that a prop holds an object one of the chaos factories made (never a look-alike). Internal. */
import { ChaosAction } from './chaos-action';
import { ChaosMode } from './chaos-mode';
import { InputSite } from '../util/errors';
import { requireMade } from '../util/guards';

/** `value` if a ChaosMode factory made it (one, all, fixed, fixedPercent, randomMaxPercent). */
export function requireChaosMode(site: InputSite, prop: string, value: unknown): ChaosMode {
  return requireMade(site, prop, value, ChaosMode, (x) => ChaosMode._isMade(x),
    'a ChaosMode made by one of its factories: ChaosMode.one(), .all(), .fixed(n), .fixedPercent(p), .randomMaxPercent(p)');
}

/** `value` if a ChaosAction factory made it. */
export function requireChaosAction(site: InputSite, prop: string, value: unknown): ChaosAction {
  return requireMade(site, prop, value, ChaosAction, (x) => ChaosAction._isMade(x),
    'a ChaosAction made by one of its factories: ChaosAction.partition(), .delay(), .loss(), .duplicate(), .corrupt(), .bandwidth()');
}
