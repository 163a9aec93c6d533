/**
 * YamlWriter against the oracle it replaces: cdk8s's own `Yaml.stringify`. Whatever the writer
 * writes must be byte-identical to it; what it cannot vouch for it must leave (undefined).
 */
import { Yaml } from 'cdk8s';
import { parse } from 'yaml';
import { YamlWriter } from '../../src/synth/yaml-writer';
import { Prng } from '../support/prng';

/** The writer's answer, checked against cdk8s's: identical when written. */
function written(doc: unknown): string | undefined {
  const mine = YamlWriter.tryStringify(doc);
  if (mine !== undefined) expect(mine).toBe(Yaml.stringify(doc));
  return mine;
}

describe('YamlWriter: what YAML 1.1 readers need', () => {
  test('strings another type would be read from are double-quoted, keys too; others are plain', () => {
    // YAML 1.1 (what cdk8s writes for PyYAML and friends) reads these as booleans, nulls or numbers.
    for (const s of ['yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'null', '~', '', '8080', '-1', '010', '0x1F', '0b101', '1_000', '1.5', '.5', '1e3', '.inf', '.NaN', '1:20', '2026-12-05']) {
      expect(written({ k: s })).toBe(`k: "${s}"\n`);
      expect(written({ [s]: 1 })).toBe(`"${s}": 1\n`);
      expect(parse(written({ k: s }) as string, { version: '1.1' }).k).toBe(s);
    }
    for (const s of ['web', 'app.kubernetes.io/name', '10.0.0.0/8', 'fd00::/8', 'all()', "has(x) && x == 'y'", 'a#b', 'a:b', ':a', 'maybe', '0o7', '1.2.3', 'v1']) {
      expect(written({ k: s })).toBe(`k: ${s}\n`);
      expect(parse(written({ k: s }) as string, { version: '1.1' }).k).toBe(s);
    }
  });

  test('indicators, `: ` and ` #` inside, and leading or trailing spaces are quoted', () => {
    for (const s of ['-', '- a', '?', '? a', 'a:', 'a: b', 'a #b', '#a', '&a', '*a', '!a', '|', '>', '%a', '@a', '`a', ',a', '[a', ']a', '{a', '}a', ' a', 'a ']) {
      expect(written({ k: s })).toBe(`k: "${s}"\n`);
      expect(parse(written({ k: s }) as string, { version: '1.1' }).k).toBe(s);
    }
  });

  test('block layout: nested maps, sequences under keys and in sequences, empty collections', () => {
    const doc = { a: { b: [{ c: 1, d: [] }, [true, null], {}, []], e: {} }, f: [[['x']]] };
    expect(written(doc)).toBe([
      'a:', '  b:', '    - c: 1', '      d: []', '    - - true', '      - null', '    - {}', '    - []', '  e: {}',
      'f:', '  - - - x', '',
    ].join('\n'));
    expect(parse(written(doc) as string)).toEqual(doc);
  });
});

describe('YamlWriter: the yaml it follows', () => {
  test('the quoting tests are those of the yaml copy cdk8s writes with, not of this library\'s copy', () => {
    // This library's `yaml` stands in for another release, one whose YAML 1.1 schema reads only
    // `maybe` as another type: cdk8s's bundled copy still decides.
    let isolated: typeof YamlWriter | undefined;
    jest.isolateModules(() => {
      jest.doMock('yaml', () => ({
        Document: class { public schema = { tags: [{ default: true, tag: 'tag:example.com,2026:maybe', test: /^maybe$/ }] }; },
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      isolated = require('../../src/synth/yaml-writer').YamlWriter;
    });
    jest.dontMock('yaml');
    for (const s of ['yes', 'null', '8080', 'maybe', 'web']) {
      expect(isolated!.tryStringify({ k: s })).toBe(Yaml.stringify({ k: s }));
    }
  });
});

describe('YamlWriter: what it leaves to yaml', () => {
  test.each([
    ['a multi-line string (block scalar)', { k: 'a\nb' }],
    ['a tab', { k: 'a\tb' }],
    ['a control character', { k: 'a\u0007' }],
    ['non-ASCII text', { k: 'café' }],
    ['a string needing quotes that holds a double quote', { k: 'a: "b"' }],
    ['a string needing quotes that holds a single quote', { k: "'a" }],
    ['a string needing quotes that holds a backslash', { k: '#\\' }],
    ['a document marker', { k: '--- a' }],
    ['the end marker', { k: '...' }],
    ['the merge key', { '<<': 'a' }],
    ['a key over 1,000 characters', { ['k'.repeat(1001)]: 1 }],
    ['a float', { k: 0.25 }],
    ['negative zero', { k: -0 }],
    ['NaN', { k: NaN }],
    ['an unsafe integer', { k: 2 ** 60 }],
    ['undefined in a map', { k: undefined }],
    ['undefined in a sequence', { k: [undefined] }],
    ['a class instance', { k: new Date(0) }],
    ['a bigint', { k: BigInt(1) }],
    ['the same object twice (yaml writes an anchor and an alias)', (() => { const x = { a: 1 }; return { k: x, l: x }; })()],
    ['the same array twice', (() => { const x = ['a']; return { k: [x, x] }; })()],
    ['a top-level sequence', ['a']],
    ['a top-level string', 'a'],
    ['an empty document', {}],
    ['null', null],
  ])('%s', (_what, doc) => {
    expect(YamlWriter.tryStringify(doc)).toBeUndefined();
  });

  test.each([
    ['a non-enumerable toJSON on a map (yaml writes what it returns)', () => {
      const o = { a: 1 };
      Object.defineProperty(o, 'toJSON', { value: () => 'replaced', enumerable: false });
      return { k: o };
    }, 'k: replaced\n'],
    ['a non-enumerable toJSON on the document itself', () => {
      const o = { apiVersion: 'v1' };
      Object.defineProperty(o, 'toJSON', { value: () => ({ kind: 'Other' }), enumerable: false });
      return o;
    }, 'kind: Other\n'],
    ['a non-enumerable toJSON on an array', () => {
      const a = ['a'];
      Object.defineProperty(a, 'toJSON', { value: () => 'x', enumerable: false });
      return { k: a };
    }, 'k: x\n'],
    ['an array subclass with a toJSON method, in a sequence', () => {
      class Wrapped extends Array<string> { public toJSON() { return 'sub'; } }
      const w = new Wrapped();
      w.push('q');
      return { k: [w] };
    }, 'k:\n  - sub\n'],
    ['an array with its own iterator (yaml walks it with for...of)', () => {
      const a: any = ['a', 'b'];
      a[Symbol.iterator] = function* () { yield 'only'; };
      return { k: a };
    }, 'k:\n  - only\n'],
    ['a plain object with an iterator (yaml writes a sequence)', () => ({ k: { a: 1, *[Symbol.iterator]() { yield 'z'; } } }), 'k:\n  - z\n'],
  ])('%s', (_what, make, cdk8sWrites) => {
    const doc = make();
    expect(Yaml.stringify(doc)).toBe(cdk8sWrites);
    expect(YamlWriter.tryStringify(doc)).toBeUndefined();
  });

  test('a getter is left to yaml, unread: yaml reads it again when it writes the document, and it may change', () => {
    let reads = 0;
    const counter = { get count() { return ++reads; }, note: 'grüezi' };
    expect(YamlWriter.tryStringify(counter)).toBeUndefined();
    expect(reads).toBe(0);
    // What App writes (one read) and what FastSynthApp's fallback writes (the writer's read, then yaml's) agree.
    expect(Yaml.stringify(counter)).toBe('count: 1\nnote: grüezi\n');

    const seq = ['a'];
    Object.defineProperty(seq, 1, { get: () => ++reads, enumerable: true });
    expect(YamlWriter.tryStringify({ k: seq })).toBeUndefined();
    expect(reads).toBe(1);
  });

  test('collections more than 100 levels deep: yaml runs out of stack a few hundred levels down, so cdk8s fails there', () => {
    const nest = (depth: number, leaf: unknown, wrap: (x: unknown) => unknown) => {
      let doc = leaf;
      for (let i = 0; i < depth; i++) doc = wrap(doc);
      return doc;
    };
    const inMaps = (depth: number) => nest(depth, { leaf: 'x' }, (x) => ({ k: x }));
    const inSeqs = (depth: number) => ({ s: nest(depth, ['x'], (x) => [x]) });
    const inSeqMaps = (depth: number) => ({ s: nest(depth, 'x', (x) => [{ k: x }]) });
    expect(written(inMaps(99))).toBeDefined();
    expect(written(inSeqs(99))).toBeDefined();
    expect(written(inSeqMaps(49))).toBeDefined();
    expect(YamlWriter.tryStringify(inMaps(101))).toBeUndefined();
    expect(YamlWriter.tryStringify(inSeqs(101))).toBeUndefined();
    expect(YamlWriter.tryStringify(inSeqMaps(51))).toBeUndefined();
    expect(() => Yaml.stringify(inMaps(5000))).toThrow(RangeError);
    expect(YamlWriter.tryStringify(inMaps(5000))).toBeUndefined();
  });

  test('an object shared between documents is no alias: each document is written on its own', () => {
    const shared = { port: 53, protocol: 'UDP' };
    expect(written({ a: shared })).toBe('a:\n  port: 53\n  protocol: UDP\n');
    expect(written({ b: [shared] })).toBe('b:\n  - port: 53\n    protocol: UDP\n');
  });
});

describe('YamlWriter: randomized documents, byte for byte against cdk8s', () => {
  const STRINGS = [
    'a', 'web', 'tenant-00001', 'app.kubernetes.io/name', '10.0.0.0/8', '169.254.169.254/32', 'fd00::/8', 'all()',
    "k8s-app == 'kube-dns'", 'a b', 'a:b', 'a#b', 'x=y', '0o7', 'v1', 'v2beta1', '*.example.com', '.example.com',
    'yes', 'NO', 'On', 'Y', 'true', 'False', 'null', 'Null', '~', '', '0', '53', '-53', '+53', '007', '0x1f', '0b11', '1_0',
    '1.0', '-.5', '6.02e23', '.inf', '-.Inf', '.nan', '1:30', '190:20:30', '2001-12-14t21:59:43.10-05:00', '2002-12-14',
    '-', '- x', '?', '? x', ':', ': x', 'x:', 'x: y', 'x #y', '#x', '&x', '*x', '!x', '|x', '>x', "'x", '"x', '%x', '@x',
    '`x', ',x', '[x]', '{x}', ' x', 'x ', 'x  y', 'a"b', "a'b", 'a\\b', 'x: "y"', "#'", 'line\nbreak', 'tab\there', 'ünï',
    '--- x', '---', '...', '<<', 'k'.repeat(120),
  ];
  const KEYS = ['name', 'namespace', 'labels', 'ports', 'port', 'protocol', 'from', 'to', 'spec', 'yes', '8080', '', 'a b', 'x:', '- x', '<<', 'ünï'];

  function value(prng: Prng, depth: number): unknown {
    const r = prng.int(depth > 3 ? 6 : 10);
    switch (r) {
      case 0: case 1: case 2: return prng.pick(STRINGS);
      case 3: return prng.pick([0, 1, -1, 53, 65535, 4294967295, 2 ** 53 - 1, 0.5, -0, 1e21, NaN]);
      case 4: return prng.pick([true, false, null]);
      case 5: return prng.chance(0.9) ? prng.pick(STRINGS) : undefined;
      case 6: case 7: {
        const n = prng.int(4);
        return Array.from({ length: n }, () => value(prng, depth + 1));
      }
      default: {
        const o: Record<string, unknown> = {};
        for (let i = prng.int(4); i > 0; i--) o[prng.pick(KEYS)] = value(prng, depth + 1);
        return o;
      }
    }
  }

  test('5,000 strings from YAML\'s indicators, digits and typed words, as keys and values in maps and sequences', () => {
    // Character by character, so the quoting rules meet every neighbour: indicators at the start,
    // `: ` and ` #` inside, trailing spaces and colons, digits and words the YAML 1.1 types read.
    const chars = ' -?:#,[]{}&*!|>\'"%@`<=.~_+0123456789abeEfilnNoOtTuxyYsS\\/';
    const words = ['true', 'No', 'on', 'null', '~', '.inf', '.NaN', '0x1f', '0o7', '0b1', '1_0', '1:2', '2001-01-01',
      '2001-01-01 10:00:00', '1e3', '.5', '-', '?', ':', '---', '...', '<<', '%', '='];
    const prng = new Prng(42);
    let count = 0;
    for (let i = 0; i < 5000; i++) {
      let s = '';
      for (let j = prng.int(8); j > 0; j--) s += prng.chance(0.15) ? prng.pick(words) : chars[prng.int(chars.length)];
      for (const doc of [{ k: s }, { [s]: 'v' }, { k: [s] }, { k: [{ [s]: s }] }]) {
        if (written(doc) !== undefined) count++;
      }
    }
    expect(count).toBeGreaterThan(15000);
  });

  test('5,000 documents: every written one identical, and most are written', () => {
    const prng = new Prng(20261205);
    let writtenCount = 0;
    for (let i = 0; i < 5000; i++) {
      const doc: Record<string, unknown> = { apiVersion: 'v1', kind: 'ConfigMap' };
      for (let k = prng.int(4); k >= 0; k--) doc[prng.pick(KEYS)] = value(prng, 0);
      if (written(doc) !== undefined) writtenCount++;
    }
    // The generator mixes in what the writer leaves to yaml on purpose; still, most documents must
    // be written here, or this test would compare almost nothing.
    expect(writtenCount).toBeGreaterThan(2000);
  });
});
