/**
 * Writing reports of any size: text is collected into chunks of about 64 KiB and handed on, so a
 * report of millions of flows never becomes one string (V8 strings end at about 512 MiB: "Invalid
 * string length") and never waits whole in memory.
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * Thrown by a `CliIo.stdout` whose reader has gone (`analyze ... | head`): the command stops writing
 * and exits with the code it had already decided. Reading part of a report is the reader's choice.
 */
export class OutputClosedError extends Error {
  constructor() {
    super('the output was closed by its reader');
    this.name = 'OutputClosedError';
  }
}

/** The report cannot be written to `--output` (exit code 2). */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Size of the chunks handed to the destination. */
export const CHUNK_CHARS = 64 * 1024;

/** Where a report goes: text in order, then {@link end}. */
export class ReportWriter {
  /**
   * A writer to standard output (`output` undefined) or to the file `output` (created or truncated
   * when the first chunk is written, so a run that fails earlier leaves an existing file alone).
   */
  public static open(output: string | undefined, cwd: string, stdout: (s: string) => void): ReportWriter {
    if (output === undefined) return new ReportWriter(stdout, () => undefined);
    const file = path.resolve(cwd, output);
    let fd: number | undefined;
    const fail = (e: unknown): never => {
      throw new OutputError(`cannot write ${output}: ${(e as Error).message}`);
    };
    const write = (chunk: string) => {
      try {
        if (fd === undefined) fd = fs.openSync(file, 'w');
        fs.writeSync(fd, chunk);
      } catch (e) {
        fail(e);
      }
    };
    const close = () => {
      try {
        if (fd === undefined) fd = fs.openSync(file, 'w');
        fs.closeSync(fd);
      } catch (e) {
        fail(e);
      }
    };
    return new ReportWriter(write, close);
  }

  private parts: string[] = [];
  private size = 0;

  private constructor(private readonly sink: (chunk: string) => void, private readonly close: () => void) {}

  /** Append `text`; a chunk is handed on once about 64 KiB have collected. */
  public write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= CHUNK_CHARS) this.flush();
  }

  /** Hand on what has collected, then close the file (if any). */
  public end(): void {
    this.flush();
    this.close();
  }

  private flush(): void {
    if (this.size === 0 && this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (chunk !== '') this.sink(chunk);
  }
}
