/**
 * Table-driven garbage properties: one case per prop (or argument) of a public entry point, each
 * built in a fresh chart with garbage (and now and then a value of the declared type) at that prop,
 * and held to `expectNamedOrTyped`: a ValidationError naming the construct and the prop, or a value
 * of the declared type whose output `check` proves no wider than that value says.
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { runs } from './config';
import { expectNamedOrTyped, garbage } from './garbage';

/** One prop of one construct: how to build with a value there, which values are of its type, what an accepted one must emit. */
export interface Case {
  readonly prop: string;
  /** Values of the declared type to mix into the garbage, so that accepted values are exercised too. */
  readonly valid: fc.Arbitrary<unknown>;
  readonly typed: (v: unknown) => boolean;
  /** Build (in `chart`, construct id `x`) and synthesize; returns the objects. */
  readonly build: (chart: Chart, v: unknown) => any[];
  readonly check?: (objects: any[], v: unknown) => void;
  /** Near misses of this prop's type (look-alike objects of the class it wants), mixed into the garbage. */
  readonly lookAlikes?: fc.Arbitrary<unknown>;
}

/** A case and a value for its prop: garbage mostly, a value of the declared type sometimes. */
export function pickCase(cases: readonly Case[]): fc.Arbitrary<[number, unknown]> {
  return fc.nat(cases.length - 1).chain((i) => {
    const c = cases[i];
    const bad = c.lookAlikes ? fc.oneof({ weight: 3, arbitrary: garbage }, { weight: 1, arbitrary: c.lookAlikes }) : garbage;
    return fc.tuple(fc.constant(i), fc.oneof({ weight: 3, arbitrary: bad }, { weight: 1, arbitrary: c.valid }));
  });
}

/** Run every case of `cases` against garbage (and valid values) for that prop, each in a fresh `chart()`. */
export function garbageProperty(chart: () => Chart, cases: readonly Case[], numRuns: number, sites: readonly string[] = ['test/x']): void {
  const pick = pickCase(cases);
  fc.assert(fc.property(pick, ([i, value]) => {
    const c = cases[i];
    expectNamedOrTyped(value, sites, (v) => c.build(chart(), v), c.typed, c.check);
  }), runs(numRuns));
}

/** Type predicates for `Case.typed`. */
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const isNumber = (v: unknown): v is number => typeof v === 'number';
export const arrayOf = (item: (x: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(item);
/** The objects named `name`. */
export const named = (objects: any[], name: string) => objects.filter((o) => o.metadata?.name === name);
