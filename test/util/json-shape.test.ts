/**
 * The structural check behind the typed escape hatches: types, enums, unknown and required fields,
 * ranges, int-or-string, and the conversions it makes (case-only name differences, the generated
 * int-or-string classes). The shapes here are hand-written; the Installation shape is generated from
 * the pinned CRD (test/cni/calico/installation-shape.test.ts).
 */
import { JsonShape, JsonShapeError, toJson, toWireByShape } from '../../src/util/json-shape';

const DEFS: JsonShape[] = [{ type: 'object', properties: { key: { type: 'string' }, operator: { type: 'string', enum: ['In', 'NotIn'] } }, required: ['key'] }];
const SHAPE: JsonShape = {
  type: 'object',
  properties: {
    mtu: { type: 'integer', format: 'int32', minimum: 576, maximum: 9216 },
    hostPorts: { type: 'string', enum: ['Enabled', 'Disabled'] },
    containerIPForwarding: { type: 'string' },
    pools: { type: 'array', maxItems: 2, items: { type: 'object', properties: { cidr: { type: 'string' } }, required: ['cidr'] } },
    maxUnavailable: { intOrString: true },
    nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
    terms: { type: 'array', items: 0 },
    ratio: { type: 'number' },
    debug: { type: 'boolean' },
    free: {},
  },
};

/** The error `toWireByShape` throws, as `path: reason`. */
function problem(value: unknown): string {
  try {
    toWireByShape(value, SHAPE, DEFS, 'overrides');
  } catch (e) {
    if (e instanceof JsonShapeError) return `${e.path}: ${e.reason}`;
    throw e;
  }
  throw new Error('accepted');
}

class MaxUnavailable {
  public static fromString(value: string) { return new MaxUnavailable(value); }
  private constructor(public readonly value: number | string) {}
}

describe('toWireByShape', () => {
  test('a valid value comes back in wire form: schema names, int-or-string classes as their value, undefined fields dropped', () => {
    expect(toWireByShape({
      mtu: 1400,
      hostPorts: 'Disabled',
      containerIpForwarding: 'Enabled',
      pools: [{ cidr: '10.0.0.0/8' }],
      maxUnavailable: MaxUnavailable.fromString('10%'),
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      terms: [{ key: 'zone', operator: 'In' }],
      ratio: 0.5,
      debug: false,
      free: { any: [1, 'x', null] },
      ignored: undefined,
    }, SHAPE, DEFS, 'o')).toEqual({
      mtu: 1400,
      hostPorts: 'Disabled',
      containerIPForwarding: 'Enabled',
      pools: [{ cidr: '10.0.0.0/8' }],
      maxUnavailable: '10%',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      terms: [{ key: 'zone', operator: 'In' }],
      ratio: 0.5,
      debug: false,
      free: { any: [1, 'x', null] },
    });
    expect(toWireByShape({ maxUnavailable: 1 }, SHAPE, DEFS, 'o')).toEqual({ maxUnavailable: 1 });
  });

  test.each<[string, unknown, string]>([
    ['a number for a string', { containerIpForwarding: 5 }, 'overrides.containerIpForwarding: must be a string, got the number 5'],
    ['a value outside the enum', { hostPorts: true }, "overrides.hostPorts: true must be 'Enabled' or 'Disabled'"],
    ['a fraction for an integer', { mtu: 1400.5 }, 'overrides.mtu: must be an integer (int32), got the number 1400.5'],
    ['an integer beyond int32', { mtu: 2 ** 40 }, 'overrides.mtu: must be an integer (int32), got the number 1099511627776'],
    ['an integer below the minimum', { mtu: 100 }, 'overrides.mtu: must be at least 576, got 100'],
    ['a string for a list (the generated converter crashes on it)', { pools: 'x' }, "overrides.pools: must be a list, got the string 'x'"],
    ['a list for an object', { nodeSelector: ['a'] }, 'overrides.nodeSelector: must be an object, got an array of 1'],
    ['a Map for an object', { nodeSelector: new Map([['a', 'b']]) }, 'overrides.nodeSelector: must be an object, got a Map'],
    ['a list over maxItems', { pools: [{ cidr: 'a' }, { cidr: 'b' }, { cidr: 'c' }] }, 'overrides.pools: must have at most 2 items'],
    ['a missing required field', { pools: [{}] }, 'overrides.pools[0].cidr: is required'],
    ['an unknown field', { pool: [] }, 'overrides.pool: is not a field of the pinned CRD schema (misspelled, or from another version?)'],
    ['a field set twice in two spellings', { containerIpForwarding: 'a', containerIPForwarding: 'b' }, "overrides.containerIPForwarding: sets 'containerIPForwarding' a second time (field names differ only in case)"],
    ['null for a field', { mtu: null }, 'overrides.mtu: must not be null (omit the field instead)'],
    ['a look-alike of an int-or-string class', { maxUnavailable: { value: [] } }, 'overrides.maxUnavailable: must be an integer or a string, got a plain object'],
    ['a boolean for int-or-string', { maxUnavailable: true }, 'overrides.maxUnavailable: must be an integer or a string, got the boolean true'],
    ['a __proto__ key (lost on assignment)', JSON.parse('{"__proto__": {"mtu": 1}}'), "overrides.__proto__: the key '__proto__' cannot be used: JavaScript objects and cdk8s treat it specially"],
    ['a constructor key in a map (breaks cdk8s serialization)', { nodeSelector: { constructor: 'x' } }, "overrides.nodeSelector.constructor: the key 'constructor' cannot be used: JavaScript objects and cdk8s treat it specially"],
    ['a wrong type in a shared definition', { terms: [{ key: 'zone', operator: 'Exists' }] }, "overrides.terms[0].operator: \"Exists\" must be 'In' or 'NotIn'"],
    ['NaN in a number field', { ratio: NaN }, 'overrides.ratio: must be a finite number, got the number NaN'],
    ['a string for a boolean', { debug: 'false' }, "overrides.debug: must be true or false, got the string 'false'"],
    ['a Date in free-form JSON', { free: { at: new Date(0) } }, 'overrides.free.at: must be JSON (null, a boolean, string, number, list or map), got a Date'],
  ])('%s is refused, naming the path', (_name, value, message) => {
    expect(problem(value)).toBe(message);
  });
});

describe('toJson', () => {
  test('copies plain JSON and drops undefined fields', () => {
    const given = { a: [1, { b: null }], c: undefined, d: 'x' };
    const copy = toJson(given, 'v');
    expect(copy).toEqual({ a: [1, { b: null }], d: 'x' });
    expect(copy).not.toBe(given);
  });

  test('refuses a function, Infinity and special keys at any depth', () => {
    expect(() => toJson({ a: { f: () => 1 } }, 'v')).toThrow('v.a.f: must be JSON (null, a boolean, string, number, list or map), got a function');
    expect(() => toJson([Infinity], 'v')).toThrow('v[0]: must be a finite number, got the number Infinity');
    expect(() => toJson({ a: [JSON.parse('{"__proto__": 1}')] }, 'v')).toThrow("v.a[0].__proto__: the key '__proto__' cannot be used");
  });
});
