/**
 * JavaScript-level garbage, the way jsii (Python, Java, Go, .NET) and plain JavaScript callers can
 * pass it: wrong types, null, undefined, strings for booleans, numbers beyond int32, label maps as
 * strings or arrays, look-alike objects instead of Peers/Ports/Cnis, and maps with keys that plain
 * objects treat specially (`__proto__`, `constructor`, `toString`, ...).
 *
 * `expectNamedOrTyped` is the property every public entry point must hold for such a value: either
 * a ValidationError naming where (`[construct path]` or `[Factory.name]`) and the prop, or, when the
 * value is accepted, it was a value of the declared type (a wrong type is never accepted), and the
 * caller's `check` then proves the output no wider than that typed value says.
 */
import * as fc from 'fast-check';
import { Errors, ValidationError } from '../../../src';

/** Keys plain objects or cdk8s treat specially, and keys that look like array indexes. */
export const specialKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '0', '1', '');

/** A map built with own properties (Object.fromEntries keeps `__proto__` as an own key, as JSON.parse does). */
export function mapOf(value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(fc.tuple(fc.oneof(specialKey, fc.string({ maxLength: 6 })), value), { maxLength: 3 }).map((e) => Object.fromEntries(e));
}

/** Scalars of every JavaScript type a caller can pass where another is expected. */
export const scalarGarbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom('true', 'false', '', '0', '1', 'yes', 'no', 'null', 'undefined', 'calico', '0.0.0.0/0', '*', 'acme', 'Ingress', 'TCP'),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 70000 }),
  fc.constantFrom(0, -0, 1, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 40, 0.5),
);

/** Anything: scalars, arrays, plain maps with special keys, look-alike objects, class instances. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalarGarbage },
  { weight: 1, arbitrary: fc.array(scalarGarbage, { maxLength: 3 }) },
  { weight: 2, arbitrary: mapOf(scalarGarbage) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      {}, [], [null], [undefined], ['acme'], { kind: 'internet' }, { _spec: { kind: 'internet' } }, { kind: 'calico', capabilities: {} },
      { protocol: 'TCP', number: 443 }, new Date(0), new Map([['app', 'web']]), { app: 'web' }, { tenant: 'acme' },
    ),
  },
);

/** The value as shown in a failure message (JSON would hide undefined, NaN and `__proto__` keys). */
export function show(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}: ${show((value as any)[k])}`).join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Is `value` a plain object (what a jsii struct or a JSON object arrives as)? */
export function isPlain(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && [Object.prototype, null].includes(Object.getPrototypeOf(value));
}

/** A string map as the API declares it: a plain object of string values, without a `__proto__` key. */
export function isStringMap(value: unknown): value is Record<string, string> {
  return isPlain(value) && !Object.keys(value).includes('__proto__') && Object.values(value).every((v) => typeof v === 'string');
}

/** Optional values: undefined, or (JSON and some jsii runtimes send it for "absent") null, else `typed`. */
export function optional(typed: (v: unknown) => boolean): (v: unknown) => boolean {
  return (v) => v === undefined || v === null || typed(v);
}

/**
 * Run `build(value)`: a ValidationError whose path is one of `sites` (or below one) and whose
 * message is `[path] prop: reason`; or success for a `typed` value only, then `check` its result.
 */
export function expectNamedOrTyped<T>(
  value: unknown, sites: readonly string[], build: (v: unknown) => T, typed: (v: unknown) => boolean, check?: (result: T, v: unknown) => void,
): void {
  let result: T;
  try {
    result = build(value);
  } catch (e) {
    if (!Errors.isValidationError(e)) {
      throw new Error(`${show(value)}: not a ValidationError: ${(e as Error)?.stack ?? String(e)}`);
    }
    const v = e as ValidationError;
    if (!sites.some((s) => v.path === s || v.path.startsWith(`${s}/`))) {
      throw new Error(`${show(value)}: the error names [${v.path}], not one of ${sites.map((s) => `[${s}]`).join(', ')}: ${v.message}`);
    }
    if (v.prop.length === 0 || v.message !== `[${v.path}] ${v.prop}: ${v.reason}`) throw new Error(`${show(value)}: malformed message: ${v.message}`);
    return;
  }
  if (!typed(value)) throw new Error(`${show(value)} is not of the declared type, but was accepted`);
  check?.(result, value);
}
