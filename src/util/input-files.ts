/**
 * Reading input files that someone else wrote (a GitOps pipeline runs the command line on contributed
 * files): only regular files, never more than a size limit, and never along a symlink that leads out
 * of the directory being searched unless the caller asks for it. Nothing here blocks (a FIFO is
 * refused without waiting for a writer) or reads without a bound (`/dev/zero`). Internal.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Largest file read by default: 32 MiB (the one-file `cdk8s synth` output of 10,000 tenants is about 26 MB). */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Most bytes read over all files of one run by default: 256 MiB. */
export const DEFAULT_MAX_TOTAL_BYTES = 256 * 1024 * 1024;

/** How much is read, and where symlinks may lead. */
export interface ReadLimits {
  /**
   * Largest file read, in bytes; a larger file is an error, not read at all.
   * @default DEFAULT_MAX_FILE_BYTES
   */
  readonly maxFileBytes?: number;
  /**
   * Most bytes read over all files; the files past it are errors.
   * @default DEFAULT_MAX_TOTAL_BYTES
   */
  readonly maxTotalBytes?: number;
  /**
   * Follow symlinks found in a directory that lead out of it (to a file or directory that is not
   * below the directory named by the caller). Paths named by the caller are always followed.
   * @default false
   */
  readonly followExternalSymlinks?: boolean;
}

/** Why a path was not read. */
export type ReadErrorKind =
  /** A path named by the caller does not exist. */
  | 'missing'
  /** Not a regular file: a FIFO, a device, a socket, a directory where a file was expected. */
  | 'not-regular'
  /** Larger than `maxFileBytes`. */
  | 'too-large'
  /** Reading it would pass `maxTotalBytes`. */
  | 'total-exceeded'
  /** A symlink found in a directory leads out of it. */
  | 'outside'
  /** A file of a kind the caller does not read (a Markdown file where only YAML is read). */
  | 'refused'
  /** Any other failure of the operating system (permissions, a dangling symlink, ...). */
  | 'io';

/** A path that could not be read, and why. */
export interface ReadError {
  readonly kind: ReadErrorKind;
  /** Readable reason, without the path. */
  readonly message: string;
}

/** Counts the bytes read against {@link ReadLimits.maxTotalBytes} across several reads. */
export class ReadBudget {
  /** Bytes still allowed. */
  public remaining: number;
  /** The per-file limit. */
  public readonly maxFileBytes: number;
  /** The total limit (for messages). */
  public readonly maxTotalBytes: number;

  constructor(limits: ReadLimits = {}) {
    this.maxFileBytes = limits.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxTotalBytes = limits.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
    this.remaining = this.maxTotalBytes;
  }
}

/** `12 MiB`, `512 KiB` or `100 bytes`. */
export function formatBytes(n: number): string {
  const units: Array<[number, string]> = [[1024 ** 3, 'GiB'], [1024 ** 2, 'MiB'], [1024, 'KiB']];
  for (const [size, unit] of units) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

const CHUNK = 64 * 1024;
// O_NONBLOCK: opening a FIFO must not wait for a writer (the fstat below refuses it right after).
// O_NOCTTY: a terminal device must not become the controlling terminal. Both are 0 where undefined.
// eslint-disable-next-line no-bitwise -- open(2) flags are a bit mask
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/**
 * Read a regular file as UTF-8, at most `budget.maxFileBytes` and what remains of the total. The
 * type is checked on the opened descriptor (no race between a check and the read) and the read
 * stops one byte past the limit whatever `stat` claims (files in /proc report size 0).
 * @param file absolute path
 */
export function readRegularFile(file: string, budget: ReadBudget): { text: string } | { error: ReadError } {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (e) {
    return { error: ioError(e) };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      return { error: { kind: 'not-regular', message: `not a regular file (${fileType(stat)}): only regular files are read` } };
    }
    const limit = Math.min(budget.maxFileBytes, budget.remaining);
    const tooLarge = (size: string, perFile: boolean): { error: ReadError } => (perFile
      ? { error: { kind: 'too-large', message: `${size}, more than the limit of ${formatBytes(budget.maxFileBytes)} per file` } }
      : { error: { kind: 'total-exceeded', message: `${size}: reading it would pass the limit of ${formatBytes(budget.maxTotalBytes)} for all files together` } });
    if (stat.size > limit) return tooLarge(formatBytes(stat.size), stat.size > budget.maxFileBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) return tooLarge(`more than ${formatBytes(limit)}`, limit === budget.maxFileBytes);
    }
    budget.remaining -= total;
    return { text: Buffer.concat(chunks, total).toString('utf-8') };
  } catch (e) {
    return { error: ioError(e) };
  } finally {
    fs.closeSync(fd);
  }
}

function ioError(e: unknown): ReadError {
  const err = e as NodeJS.ErrnoException;
  return { kind: 'io', message: typeof err?.message === 'string' ? err.message : String(e) };
}

function fileType(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** A file found by {@link walkFiles}, or a path that could not be listed or followed. */
export interface WalkEntry {
  /** The path as given, joined with the directory entries below it. */
  readonly path: string;
  /** The absolute path to read (the real path for symlinks found in directories). */
  readonly absolute: string;
  /** Why the path cannot be read; undefined for a file to read. */
  readonly error?: ReadError;
}

/** Which directory entries {@link walkFiles} lists. */
export interface WalkOptions {
  /** Names of the files to list when searching directories (files named by the caller are always listed). */
  readonly select: (name: string) => boolean;
  /** @see ReadLimits.followExternalSymlinks */
  readonly followExternalSymlinks?: boolean;
}

/**
 * The files below `paths` in input order, directories searched recursively in sorted order (stable
 * output) for the names `select` accepts. Every real file and directory is visited once, however often
 * it is reached (the same path twice, a directory and a file inside it, symlinks, symlink loops). A
 * symlink found in a directory that leads out of the directory named by the caller is an `outside`
 * error unless `followExternalSymlinks`.
 * @param cwd directory relative paths are resolved against (they are reported as given)
 */
export function walkFiles(paths: readonly string[], cwd: string, options: WalkOptions): WalkEntry[] {
  const out: WalkEntry[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let real: string;
    let stat: fs.Stats;
    try {
      real = fs.realpathSync(abs);
      stat = fs.statSync(real);
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      out.push({ path: p, absolute: abs, error: missing ? { kind: 'missing', message: 'no such file or directory' } : ioError(e) });
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    if (stat.isDirectory()) walkDirectory(p, real, real, seen, options, out);
    else out.push({ path: p, absolute: real });
  }
  return out;
}

/** List `dir` (shown as `shown`), whose real path is `real`, below the named directory `root`. */
function walkDirectory(shown: string, real: string, root: string, seen: Set<string>, options: WalkOptions, out: WalkEntry[]): void {
  let children: string[];
  try {
    children = fs.readdirSync(real).sort();
  } catch (e) {
    out.push({ path: shown, absolute: real, error: ioError(e) });
    return;
  }
  for (const child of children) {
    const childShown = path.join(shown, child);
    const childAbs = path.join(real, child);
    let lstat: fs.Stats;
    try {
      lstat = fs.lstatSync(childAbs);
    } catch (e) {
      out.push({ path: childShown, absolute: childAbs, error: ioError(e) });
      continue;
    }
    let target = childAbs;
    let stat = lstat;
    if (lstat.isSymbolicLink()) {
      try {
        target = fs.realpathSync(childAbs);
        stat = fs.statSync(target);
      } catch (e) {
        // A dangling symlink is no directory: it matters only if its name says it is input.
        if (options.select(child)) out.push({ path: childShown, absolute: childAbs, error: ioError(e) });
        continue;
      }
    }
    const isDir = stat.isDirectory();
    if (!isDir && !options.select(child)) continue;
    if (target !== childAbs && !options.followExternalSymlinks && !isWithin(target, root)) {
      out.push({
        path: childShown,
        absolute: childAbs,
        error: { kind: 'outside', message: `symlink to ${target}, outside ${root}: not followed` },
      });
      continue;
    }
    // Real paths, so a symlink back to an ancestor ends the recursion.
    if (seen.has(target)) continue;
    seen.add(target);
    if (isDir) walkDirectory(childShown, target, root, seen, options, out);
    else out.push({ path: childShown, absolute: target });
  }
}

function isWithin(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
