import { IConstruct } from 'constructs';
import { propError } from './errors';

/**
 * Runtime checks of props at the public edge: jsii and plain-JS callers have no TypeScript, so a
 * string where a boolean belongs, or `undefined` in a list, must fail with the prop's name.
 */
export function optionalBoolean(scope: IConstruct, prop: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw propError(scope, prop, `${JSON.stringify(value)} is not a boolean`);
  return value;
}

/** An integer in [min, max], or the fallback when undefined. */
export function optionalInteger(scope: IConstruct, prop: string, value: unknown, min: number, max: number, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, prop, `${JSON.stringify(value)} must be an integer in ${min}-${max}`);
  }
  return value;
}

/** A non-empty string without whitespace at its ends, or the fallback when undefined. */
export function optionalString(scope: IConstruct, prop: string, value: unknown, fallback?: string): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '' || value.trim() !== value) {
    throw propError(scope, prop, `${JSON.stringify(value)} must be a non-empty string without leading or trailing whitespace`);
  }
  return value;
}

/** An array (possibly empty), or the fallback when undefined. */
export function optionalArray<T>(scope: IConstruct, prop: string, value: unknown, fallback: T[]): T[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value)) throw propError(scope, prop, `${JSON.stringify(value)} is not a list`);
  value.forEach((item, i) => {
    if (item === undefined || item === null) throw propError(scope, `${prop}[${i}]`, 'is missing');
  });
  return value as T[];
}

/** A plain object (props struct), or undefined. */
export function optionalObject<T>(scope: IConstruct, prop: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw propError(scope, prop, `${JSON.stringify(value)} is not an object`);
  }
  return value as T;
}

/** One of an enum's values, or the fallback when undefined. */
export function optionalEnum<T extends string>(scope: IConstruct, prop: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw propError(scope, prop, `${JSON.stringify(value)} is not one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}
