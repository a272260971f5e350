/**
 * A file handler that rolls the file over when it reaches a size.
 *
 * @module
 */
import { FileHandler, type FileHandlerOptions } from "./file_handler.ts";

/** Options for {@linkcode RotatingFileHandler}. */
export interface RotatingFileHandlerOptions extends FileHandlerOptions {
  /** Roll over before a line would make the file larger than this many bytes. */
  maxBytes: number;
  /** How many old files to keep (`path.1` newest ... `path.N` oldest); default 5. */
  maxBackupCount?: number;
}

function removeIfExists(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    Deno.renameSync(from, to);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * Appends lines to `path`; when the next line would take the file past
 * `maxBytes`, the file becomes `path.1` (older ones shift to `path.2`...,
 * the oldest beyond `maxBackupCount` is deleted) and a new `path` starts. A
 * single line larger than `maxBytes` still gets written, alone in its file.
 *
 * @example Usage
 * ```ts
 * import { RotatingFileHandler } from "@spindle/spindle/log";
 * const dir = await Deno.makeTempDir();
 * const handler = new RotatingFileHandler(`${dir}/app.log`, { maxBytes: 1024, maxBackupCount: 3 });
 * handler.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class RotatingFileHandler extends FileHandler {
  /** The size limit of one file in bytes. */
  readonly maxBytes: number;
  /** How many rolled-over files are kept. */
  readonly maxBackupCount: number;

  /** Creates the handler. */
  constructor(path: string, options: RotatingFileHandlerOptions) {
    super(path, options);
    if (!(options.maxBytes > 0)) {
      throw new RangeError(
        `maxBytes must be a positive number of bytes, got ${options.maxBytes}`,
      );
    }
    this.maxBytes = options.maxBytes;
    this.maxBackupCount = options.maxBackupCount ?? 5;
  }

  /** Rolls the file over if `bytes` more would pass `maxBytes`. */
  protected override beforeWrite(bytes: number): void {
    if (this.size === 0 || this.size + bytes <= this.maxBytes) return;
    this.rotate();
  }

  /** Rolls the file over now. */
  rotate(): void {
    this.close();
    if (this.maxBackupCount < 1) {
      removeIfExists(this.path);
      return;
    }
    removeIfExists(`${this.path}.${this.maxBackupCount}`);
    for (let i = this.maxBackupCount - 1; i >= 1; i--) {
      renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameIfExists(this.path, `${this.path}.1`);
  }
}
