/**
 * Go's strconv.ParseBool (golang/go src/strconv/atob.go), the one reader the AWS target group
 * attributes, istio-cni's bypass annotation, istio.io/dry-run, linkerd-viz's disable-tap and Cilium's
 * http-normalize-path share: exactly twelve spellings, anything else an error (undefined here).
 */
import { goParseBool } from '../../src/util/go-strconv';

test.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (v) => {
  expect(goParseBool(v)).toBe(true);
});

test.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (v) => {
  expect(goParseBool(v)).toBe(false);
});

test.each(['', 'yes', 'on', 'tRUE', 'TRue', ' true', 'true ', '01', '2'])('%j is an error', (v) => {
  expect(goParseBool(v)).toBeUndefined();
});

test('a value that is no string is no boolean', () => {
  for (const v of [true, false, 1, 0, null, undefined, {}, ['true']]) expect(goParseBool(v)).toBeUndefined();
});
