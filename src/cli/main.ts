#!/usr/bin/env node
/**
 * Entry point of the `cdk8s-networking` executable (package.json `bin`): runs the command line on
 * the process arguments and sets the exit code (without `process.exit`, so output is flushed).
 */
import { run } from './run';

// `analyze ... | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
});
