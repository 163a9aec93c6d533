/**
 * Runtime type guards for the public edge. A TypeScript type is no check for jsii (Python, Java,
 * Go, .NET) or plain JavaScript callers: they can pass `undefined`, `null`, `'false'` for a boolean
 * or a string where a list belongs, and every such value must be a named error
 * (`[path] prop: ...`), never a silently wider policy. Each helper checks one shape and returns the
 * value typed; constructors and static factories call them before reading a prop. Internal.
 */
import { InputSite, propError } from './errors';

/** The largest value of a Kubernetes int32 field (replicas, ports, ids): the API server rejects more. */
export const MAX_INT32 = 2147483647;

/**
 * Keys a plain JavaScript object cannot carry: `__proto__` is swallowed by the prototype setter on
 * assignment, so the entry silently disappears (from a copy, or in cdk8s' serialization).
 */
const UNSAFE_KEYS: readonly string[] = ['__proto__'];

/**
 * Keys cdk8s cannot serialize as keys of an emitted object: `constructor` makes it fail with "can't
 * render non-simple object" (labels, annotations, selectors).
 */
export const UNSERIALIZABLE_KEYS: readonly string[] = ['__proto__', 'constructor'];

/** A bad value as shown in messages: `the string 'false'`, `null`, `an array`, `a Peer-like object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the string '${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return 'a plain object';
  const name = proto?.constructor?.name;
  return typeof name === 'string' && name.length > 0 ? `a ${name}` : 'an object';
}

function fail(site: InputSite, prop: string, expected: string, value: unknown): never {
  throw propError(site, prop, `must be ${expected}, got ${describeValue(value)}`);
}

/** Is `value` a plain object (`{...}`, JSON object, jsii struct): not null, not an array, not a class instance? */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * Props of a construct or options of a factory: a plain object. `undefined` is accepted only when
 * every field is optional (`optional: true`), and then reads as `{}`.
 */
export function requireProps<T extends object>(site: InputSite, value: T | undefined, optional: boolean, prop = 'props'): T {
  if (value === undefined && optional) return {} as T;
  if (!isPlainObject(value)) fail(site, prop, optional ? 'an object of options (or omitted)' : 'an object of props (they are required)', value);
  return value;
}

/** A plain object (a struct prop such as `dns` or `ingress`). */
export function requireObject<T extends object>(site: InputSite, prop: string, value: T): T {
  if (!isPlainObject(value)) fail(site, prop, 'an object', value);
  return value;
}

/**
 * `value`, or `defaultValue` when it is omitted (`undefined`). Unlike `??`, `null` stays `null`, for
 * the check that follows to refuse: a null is a mistake, never "the default" (a null rule action
 * must not read as Allow).
 */
export function orDefault<T>(value: T | undefined, defaultValue: T): T {
  return value === undefined ? defaultValue : value;
}

/** An optional plain object: undefined stays undefined. */
export function requireOptionalObject<T extends object>(site: InputSite, prop: string, value: T | undefined): T | undefined {
  return value === undefined ? undefined : requireObject(site, prop, value);
}

/** A string (`nonEmpty`: with at least one non-blank character). */
export function requireString(site: InputSite, prop: string, value: string, nonEmpty = false): string {
  if (typeof value !== 'string') fail(site, prop, nonEmpty ? 'a non-empty string' : 'a string', value);
  if (nonEmpty && value.trim().length === 0) fail(site, prop, 'a non-empty string', value);
  return value;
}

/** An optional string: undefined stays undefined; null and other types are errors. */
export function requireOptionalString(site: InputSite, prop: string, value: string | undefined, nonEmpty = false): string | undefined {
  return value === undefined ? undefined : requireString(site, prop, value, nonEmpty);
}

/**
 * A boolean, exactly: `'false'`, `0`, `1`, `'yes'` and `null` are errors, because JavaScript reads
 * the non-empty string `'false'` as true (it would turn on the allow it means to turn off).
 */
export function requireBoolean(site: InputSite, prop: string, value: boolean): boolean {
  if (typeof value !== 'boolean') fail(site, prop, 'true or false', value);
  return value;
}

/** An optional boolean with its default. */
export function requireOptionalBoolean(site: InputSite, prop: string, value: boolean | undefined, defaultValue: boolean): boolean {
  return value === undefined ? defaultValue : requireBoolean(site, prop, value);
}

/**
 * A finite number; with `finite: false` any value of type number (NaN and infinities included, for
 * factories whose ranges are checked later with the construct's path).
 */
export function requireNumber(site: InputSite, prop: string, value: number, finite = true): number {
  if (typeof value !== 'number' || (finite && !Number.isFinite(value))) fail(site, prop, finite ? 'a finite number' : 'a number', value);
  return value;
}

/** An integer in `min`..`max` (default: any int32 from `min`). */
export function requireInteger(site: InputSite, prop: string, value: number, min = -MAX_INT32 - 1, max = MAX_INT32): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(site, prop, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** An optional integer in `min`..`max` with its default. */
export function requireOptionalInteger(site: InputSite, prop: string, value: number | undefined, defaultValue: number,
  min?: number, max?: number): number {
  return value === undefined ? defaultValue : requireInteger(site, prop, value, min, max);
}

/** An array (a list prop). Items are not checked: use {@link requireArrayOf}. */
export function requireArray<T>(site: InputSite, prop: string, value: readonly T[]): T[] {
  if (!Array.isArray(value)) fail(site, prop, 'a list', value);
  return [...value];
}

/** An optional array: undefined stays undefined. */
export function requireOptionalArray<T>(site: InputSite, prop: string, value: readonly T[] | undefined): T[] | undefined {
  return value === undefined ? undefined : requireArray(site, prop, value);
}

/** An array whose every item passes `item` (called with the item's prop, e.g. `ports[2]`). */
export function requireArrayOf<T, U = T>(site: InputSite, prop: string, value: readonly T[], item: (v: T, prop: string, i: number) => U): U[] {
  return requireArray(site, prop, value).map((v, i) => item(v, `${prop}[${i}]`, i));
}

/** A list of strings. */
export function requireStringArray(site: InputSite, prop: string, value: readonly string[], nonEmptyItems = false): string[] {
  return requireArrayOf(site, prop, value, (v, p) => requireString(site, p, v, nonEmptyItems));
}

/** An optional list of strings: undefined stays undefined. */
export function requireOptionalStringArray(site: InputSite, prop: string, value: readonly string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : requireStringArray(site, prop, value);
}

/**
 * A map of strings to strings (labels, selectors, environment): a plain object whose own values are
 * all strings. Strings and arrays are refused (their indexes would become keys `0`, `1`, ...), and
 * so are the keys in `refused` (by default `__proto__`, which a plain object cannot carry; pass
 * {@link UNSERIALIZABLE_KEYS} for maps that become keys of emitted objects). Returns a copy.
 */
export function requireStringMap(site: InputSite, prop: string, value: { [key: string]: string },
  refused: readonly string[] = UNSAFE_KEYS): Record<string, string> {
  if (!isPlainObject(value)) fail(site, prop, 'a map of strings to strings', value);
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    if (refused.includes(key)) {
      throw propError(site, prop, `the key '${key}' cannot be used: JavaScript objects (and cdk8s, which serializes them) `
        + `treat '${key}' specially, so the entry would be lost or break synthesis`);
    }
    const v: unknown = value[key];
    if (typeof v !== 'string') fail(site, `${prop}.${key}`, 'a string', v);
    out[key] = v;
  }
  return out;
}

/** An optional string map: undefined stays undefined. */
export function requireOptionalStringMap(site: InputSite, prop: string, value: { [key: string]: string } | undefined,
  refused?: readonly string[]): Record<string, string> | undefined {
  return value === undefined ? undefined : requireStringMap(site, prop, value, refused);
}

/**
 * An instance of `type` (made by its factories), never a look-alike object: `{ kind: 'internet' }`
 * passed as a Peer would skip every check the factories and the class make.
 */
export function requireInstance<T>(site: InputSite, prop: string, value: T, type: { readonly prototype: T }, made: string): T {
  // `type` is a class (a private constructor does not fit a constructor type, hence `prototype`).
  if (!(value instanceof (type as unknown as new () => T))) fail(site, prop, made, value);
  return value;
}

/**
 * An instance of `type` that one of its factories made (`isMade`), never a look-alike object nor a
 * hand-built instance: `instanceof` alone admits `Object.create(type.prototype)`, copies of a real
 * one and proxies, which carry none of the facts a factory states. One message shape whatever was
 * given: `must be <made>, not a hand-built object` for an instance no factory made, `not <the value>`
 * (`the string 'calico'`, `null`, `a plain object`) for anything else.
 */
export function requireMade<T>(site: InputSite, prop: string, value: unknown, type: { readonly prototype: T },
  isMade: (x: unknown) => boolean, made: string): T {
  if (isMade(value)) return value as T;
  const name = (type as unknown as { name?: unknown }).name;
  const given = value instanceof (type as unknown as new () => T) ? 'a hand-built object'
    // Same class name, other class: most likely made by a second copy of this library (two versions installed side by side).
    : typeof name === 'string' && name !== '' && describeValue(value) === `a ${name}`
      ? `a ${name} of another copy of cdk8s-networking (two copies are installed: make every package use one, e.g. npm dedupe)`
      : describeValue(value);
  throw propError(site, prop, `must be ${made}, not ${given}`);
}

/** One of `allowed` (an enum's values; jsii callers can pass any string). */
export function requireOneOf<T>(site: InputSite, prop: string, value: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value)) {
    throw propError(site, prop, `${typeof value === 'string' ? `'${value}'` : describeValue(value)} is not ${what} (one of ${allowed.join(', ')})`);
  }
  return value;
}

/** An optional enum value with its default (one of `allowed` when given). */
export function requireOptionalOneOf<T>(
  site: InputSite, prop: string, value: T | undefined, allowed: readonly T[], what: string, defaultValue: T,
): T {
  return value === undefined ? defaultValue : requireOneOf(site, prop, value, allowed, what);
}

/**
 * Every key of a struct type, each `true`: a compile-time complete list of the fields a plain object
 * of that type may carry (a field added to the interface and missed here fails to compile).
 */
export type StructKeys<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Refuse a key the struct does not declare. TypeScript checks excess properties of literals only;
 * plain-JavaScript callers, and TypeScript ones passing a variable, can misspell a field, and a
 * misspelt optional field reads as omitted, which is often the wider intent: `port` for `ports`
 * allows every port, `actoin: DENY` allows, `namespce` makes a policy cluster-wide. `prop` is the
 * struct's own prop (`ingress[0]`), or empty for a construct's props (the key alone is named).
 */
export function requireKnownKeys<T extends object>(site: InputSite, prop: string, value: T, known: StructKeys<T>): T {
  for (const key of Object.keys(value)) {
    if (!Object.prototype.hasOwnProperty.call(known, key)) {
      // The empty key is shown quoted: a prop named '' would be no name at all (`[path] : ...`).
      const field = key === '' ? "''" : key;
      throw propError(site, prop === '' ? field : `${prop}.${field}`, `unknown field (expected one of ${Object.keys(known).join(', ')}); `
        + 'a misspelt field would be silently ignored');
    }
  }
  return value;
}
