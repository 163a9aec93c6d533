/**
 * validateAnnotations: keys are qualified names in any case (apimachinery IsQualifiedName of the lower-cased key), values
 * any string, keys and values together at most 256 KiB counted in bytes (apimachinery
 * ValidateAnnotations, TotalAnnotationSizeLimitB).
 */
import { validateAnnotations } from '../../src/util/validate';

test('keys with a DNS prefix, in any case (the API server lower-cases them to check), any value (spaces, JSON, empty), returned sorted', () => {
  expect(validateAnnotations('Site', 'annotations', { 'Example.COM/Owner': 'x' })).toEqual({ 'Example.COM/Owner': 'x' });
  const given = { 'iam.gke.io/gcp-service-account': 'a@b.iam.gserviceaccount.com', 'note': 'free text, {"json": true}', 'empty': '' };
  const out = validateAnnotations('Site', 'annotations', given);
  expect(Object.entries(out)).toEqual([
    ['empty', ''], ['iam.gke.io/gcp-service-account', 'a@b.iam.gserviceaccount.com'], ['note', 'free text, {"json": true}'],
  ]);
  expect(validateAnnotations('Site', 'annotations', undefined)).toEqual({});
});

test.each([
  ['bad_prefix/x', "[Site] annotations: 'bad_prefix/x' is not a valid annotation key"],
  [`${'a'.repeat(64)}`, `[Site] annotations: '${'a'.repeat(64)}' is not a valid annotation key`],
  ['-x', "[Site] annotations: '-x' is not a valid annotation key"],
])('key %s is refused', (key, message) => {
  expect(() => validateAnnotations('Site', 'annotations', { [key]: 'v' })).toThrow(message);
});

test('the size limit counts bytes, not characters', () => {
  // 'é' is two bytes in UTF-8: 1 + 2 * 131071 = 262143 bytes fit, one more character does not.
  expect(() => validateAnnotations('Site', 'annotations', { k: 'é'.repeat(131071) })).not.toThrow();
  expect(() => validateAnnotations('Site', 'annotations', { k: 'é'.repeat(131072) })).toThrow(
    '[Site] annotations: the annotations take 262145 bytes; the API server accepts at most 262144 (256 KiB) per object');
});
