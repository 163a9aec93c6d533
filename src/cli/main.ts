#!/usr/bin/env node
/**
 * Entry point of the `cdk8s-networking` executable (package.json `bin`): runs the command line on
 * the process arguments and sets the exit code (without `process.exit`, so output is flushed).
 *
 * Output goes to file descriptors 1 and 2 with blocking writes: `process.stdout.write` queues in
 * memory whatever a slow or closed pipe does not take, which for a report of millions of flows is
 * gigabytes. A closed pipe (`analyze ... | head`) ends the report: that is the reader's choice.
 */
import * as fs from 'fs';
import { OutputClosedError } from './output';
import { run } from './run';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Write all of `text` to `fd`, waiting while a non-blocking pipe is full. */
function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf-8');
  while (buf.length > 0) {
    try {
      buf = buf.subarray(fs.writeSync(fd, buf));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (code === 'EPIPE') throw new OutputClosedError();
      throw e;
    }
  }
}

process.exitCode = run(process.argv.slice(2), {
  stdout: (s) => writeAll(1, s),
  stderr: (s) => {
    try {
      writeAll(2, s);
    } catch {
      // Nowhere left to report to.
    }
  },
});
