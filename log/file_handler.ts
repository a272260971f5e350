/**
 * A handler that appends lines to a file and can reopen it for logrotate.
 *
 * @module
 */
import { BaseHandler, type BaseHandlerOptions } from "./handler.ts";

/** Options for {@linkcode FileHandler}. */
export interface FileHandlerOptions extends BaseHandlerOptions {
  /** `"a"` appends to an existing file (default), `"w"` truncates it at open. */
  mode?: "a" | "w";
}

const encoder = new TextEncoder();

/**
 * Appends each record as a line to a file, synchronously, so nothing is lost
 * when the process exits. {@linkcode FileHandler.reopen} closes and reopens
 * the path: after logrotate has renamed the file, new lines go to a new one
 * (the CLI calls it on SIGHUP).
 *
 * @example Usage
 * ```ts
 * import { FileHandler } from "@spindle/spindle/log";
 * const path = await Deno.makeTempFile();
 * const handler = new FileHandler(path);
 * handler.handle({
 *   time: new Date(0), level: "info", namespace: "demo",
 *   format: "hello", message: "hello", fields: {},
 * });
 * handler.close();
 * console.assert(Deno.readTextFileSync(path).endsWith("hello\n"));
 * await Deno.remove(path);
 * ```
 */
export class FileHandler extends BaseHandler {
  /** The file's path. */
  readonly path: string;
  #file: Deno.FsFile | undefined;
  #size = 0;
  #truncateNext: boolean;

  /** Creates the handler; the file is opened on the first record. */
  constructor(path: string, options: FileHandlerOptions = {}) {
    super(options);
    this.path = path;
    this.#truncateNext = options.mode === "w";
  }

  /** The number of bytes in the open file (0 before it is opened). */
  get size(): number {
    return this.#size;
  }

  #open(): Deno.FsFile {
    if (this.#file !== undefined) return this.#file;
    const truncate = this.#truncateNext;
    this.#truncateNext = false;
    const file = Deno.openSync(this.path, {
      create: true,
      write: true,
      append: !truncate,
      truncate,
    });
    this.#size = truncate ? 0 : file.statSync().size;
    this.#file = file;
    return file;
  }

  /**
   * Called before each line is written with the line's size in bytes; the
   * rotating subclass uses it to roll the file over.
   */
  protected beforeWrite(_bytes: number): void {}

  /** Writes `line` and a newline. */
  write(line: string): void {
    const bytes = encoder.encode(line + "\n");
    try {
      this.#open();
      this.beforeWrite(bytes.length);
      const file = this.#open();
      let offset = 0;
      while (offset < bytes.length) {
        offset += file.writeSync(bytes.subarray(offset));
      }
      this.#size += bytes.length;
    } catch (error) {
      // The log file is unusable (disk full, deleted directory): say so on
      // stderr rather than crash the server that was trying to log.
      console.error(`spindle: cannot write log file ${this.path}:`, error);
    }
  }

  /** Closes the file; the next record opens the path again. */
  reopen(): void {
    this.close();
  }

  /** File writes are unbuffered: nothing to flush. */
  flush(): void {}

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#size = 0;
  }
}
