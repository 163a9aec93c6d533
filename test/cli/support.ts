import * as path from 'path';
import { run } from '../../src/cli/run';

/** The fixture directory; CLI runs use it as their working directory so paths stay short. */
export const FIXTURES = path.join(__dirname, 'fixtures');

/** What one in-process CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with `args`, capturing output. */
export function cli(...args: string[]): CliResult {
  let stdout = '';
  let stderr = '';
  const code = run(args, { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, cwd: FIXTURES });
  return { code, stdout, stderr };
}

/** A regular expression matching one aligned table row (cells separated by 2+ spaces). */
export function row(from: string, to: string, port: string, verdict: 'allow' | 'deny'): RegExp {
  const esc = (s: string) => s.replace(/[/.]/g, '\\$&');
  return new RegExp(`^${esc(from)}\\s{2,}${esc(to)}\\s{2,}${esc(port)}\\s{2,}${verdict}$`, 'm');
}
