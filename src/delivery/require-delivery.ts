import { Delivery } from './delivery';
import { InputSite } from '../util/errors';
import { requireInstance } from '../util/guards';

/** A Delivery made by its factories (never a look-alike object), for the install constructs' `delivery` prop. Internal. */
export function requireDelivery(site: InputSite, value: Delivery): Delivery {
  return requireInstance(site, 'delivery', value, Delivery, 'made with Delivery.flux(), Delivery.argoCd() or Delivery.manifestsOnly()');
}
