import { expectationErrorFor } from './expectation-errors';


const GOOD = '  - from: { namespace: a, workload: w }\n    to: node\n    port: tcp/80\n    allowed: true\n';

describe('expectation file errors name the line and the field', () => {
  test('a field of the second entry', () => {
    expect(expectationErrorFor(`expect:\n${GOOD}  - from: { namespace: a, workload: w }\n    to: node\n    port: tcp/80\n    allowed: yes please\n`))
      .toBe('e.yaml: line 9: expect[1].allowed: expected true or false');
  });

  test('a nested target field, on its own line', () => {
    expect(expectationErrorFor('expect:\n  - from:\n      namespace: a\n      workload: [w]\n    to: node\n    port: 80\n    allowed: true\n'))
      .toBe('e.yaml: line 4: expect[0].from.workload: expected a name');
  });

  test('an unknown key is reported where its value is', () => {
    expect(expectationErrorFor(`expect:\n${GOOD}  - from: node\n    to: node\n    port: 80\n    allowd: true\n`))
      .toBe("e.yaml: line 9: expect[1].allowd: unknown key 'allowd': expected from, to, port, allowed, pairs, request");
  });

  test('a missing field is reported at the line of the mapping that lacks it', () => {
    expect(expectationErrorFor('expect:\n  - from: node\n    to: { labels: { app: x } }\n    port: 80\n    allowed: true\n'))
      .toBe('e.yaml: line 3: expect[0].to.namespace: expected a namespace name (or namespaces: all | { withLabel } | { labels })');
    expect(expectationErrorFor('expect:\n  - from: node\n    to: node\n    allowed: true\n'))
      .toBe('e.yaml: line 2: expect[0].port: expected e.g. tcp/5432 or [udp/53, tcp/53]');
  });

  test('a file that is not a mapping with expect, and invalid YAML', () => {
    expect(expectationErrorFor('\n\n- a\n')).toBe("e.yaml: line 3: expected a mapping with a list 'expect' (and optionally a list 'probes')");
    expect(expectationErrorFor('expect:\n  - from: node\n    to: node: x\n')).toMatch(/^e\.yaml: line 3: invalid YAML: Nested mappings are not allowed/);
  });
});
