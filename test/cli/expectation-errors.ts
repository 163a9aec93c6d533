import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ExpectationFileError, loadExpectations } from '../../src/cli/expectations';

/** The error loadExpectations throws for the expectations file `text` (fails the test if it throws none). */
export function expectationErrorFor(text: string): string {
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
