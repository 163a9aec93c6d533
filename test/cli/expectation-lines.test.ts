import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExpectationFileError, loadExpectations } from '../../src/cli/expectations';

/** The error loadExpectations throws for `text` (fails the test if it throws none). */
function errorFor(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-expect-'));
  try {
    fs.writeFileSync(path.join(dir, 'e.yaml'), text);
    loadExpectations('e.yaml', dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpectationFileError);
    return (e as Error).message;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('loadExpectations accepted the file');
}

const GOOD = '  - from: { namespace: a, workload: w }\n    to: node\n    port: tcp/80\n    allowed: true\n';

describe('expectation file errors name the line and the field', () => {
  test('a field of the second entry', () => {
    expect(errorFor(`expect:\n${GOOD}  - from: { namespace: a, workload: w }\n    to: node\n    port: tcp/80\n    allowed: yes please\n`))
      .toBe('e.yaml: line 9: expect[1].allowed: expected true or false');
  });

  test('a nested target field, on its own line', () => {
    expect(errorFor('expect:\n  - from:\n      namespace: a\n      workload: [w]\n    to: node\n    port: 80\n    allowed: true\n'))
      .toBe('e.yaml: line 4: expect[0].from.workload: expected a name');
  });

  test('an unknown key is reported where its value is', () => {
    expect(errorFor(`expect:\n${GOOD}  - from: node\n    to: node\n    port: 80\n    allowd: true\n`))
      .toBe("e.yaml: line 9: expect[1].allowd: unknown key 'allowd': expected from, to, port, allowed, pairs, request");
  });

  test('a missing field is reported at the line of the mapping that lacks it', () => {
    expect(errorFor('expect:\n  - from: node\n    to: { labels: { app: x } }\n    port: 80\n    allowed: true\n'))
      .toBe('e.yaml: line 3: expect[0].to.namespace: expected a namespace name (or namespaces: all | { withLabel } | { labels })');
    expect(errorFor('expect:\n  - from: node\n    to: node\n    allowed: true\n'))
      .toBe('e.yaml: line 2: expect[0].port: expected e.g. tcp/5432 or [udp/53, tcp/53]');
  });

  test('a file that is not a mapping with expect, and invalid YAML', () => {
    expect(errorFor('\n\n- a\n')).toBe("e.yaml: line 3: expected a mapping with a list 'expect' (and optionally a list 'probes')");
    expect(errorFor('expect:\n  - from: node\n    to: node: x\n')).toMatch(/^e\.yaml: line 3: invalid YAML: Nested mappings are not allowed/);
  });
});
