/**
 * An SFTP version 3 server (the `sftp` subsystem), confined to a root
 * folder: every path is resolved inside it, and no `..` or symlink may lead
 * out of it. Several requests may be in flight, also on one handle (those
 * run in order); open handles are limited.
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import { SSHProtocolError } from "./errors.ts";
import { MAX_SFTP_HANDLES, MAX_SFTP_READ } from "./limits.ts";
import type { Session, SessionHandler } from "./session.ts";
import {
  frameSFTP,
  FX,
  FXP,
  OPEN_FLAGS,
  readAttributes,
  readSFTPPackets,
  type SFTPAttributes,
  writeAttributes,
} from "./sftp_wire.ts";
import { SSHReader, SSHWriter } from "./wire.ts";

const logger = getLogger("spindle.ssh");

// How many names one READDIR answer carries (OpenSSH's sftp-server: 100).
const NAMES_PER_READDIR = 100;

/**
 * The options of {@linkcode sftpSubsystem}.
 *
 * @example Usage
 * ```ts
 * import type { SFTPServerOptions } from "@spindle/spindle/protocols/ssh";
 * const options: SFTPServerOptions = { maxHandles: 16 };
 * console.assert(options.maxHandles === 16);
 * ```
 */
export interface SFTPServerOptions {
  /** Open handles per session; {@linkcode MAX_SFTP_HANDLES} by default. */
  maxHandles?: number;
}

class StatusError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

function statusOf(error: unknown): [number, string] {
  if (error instanceof StatusError) return [error.code, error.message];
  if (error instanceof Deno.errors.NotFound) {
    return [FX.NO_SUCH_FILE, "No such file"];
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return [FX.PERMISSION_DENIED, "Permission denied"];
  }
  if (error instanceof SSHProtocolError) return [FX.BAD_MESSAGE, error.message];
  return [FX.FAILURE, (error as Error)?.message ?? "Failure"];
}

function attributesOf(info: Deno.FileInfo): SFTPAttributes {
  return {
    size: info.size,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    permissions: info.mode ?? (info.isDirectory ? 0o40755 : 0o100644),
    atime: Math.floor(
      (info.atime ?? info.mtime ?? new Date(0)).getTime() / 1000,
    ),
    mtime: Math.floor((info.mtime ?? new Date(0)).getTime() / 1000),
  };
}

const TYPE_LETTERS: Record<number, string> = {
  0o040000: "d",
  0o120000: "l",
  0o100000: "-",
  0o020000: "c",
  0o060000: "b",
  0o010000: "p",
  0o140000: "s",
};

function longName(name: string, attrs: SFTPAttributes): string {
  const mode = attrs.permissions ?? 0;
  let text = TYPE_LETTERS[mode & 0o170000] ?? "?";
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (mode >> shift) & 7;
    text += (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") +
      (bits & 1 ? "x" : "-");
  }
  const date = new Date((attrs.mtime ?? 0) * 1000).toISOString().slice(0, 10);
  return `${text}    1 ${attrs.uid} ${attrs.gid} ${
    String(attrs.size ?? 0).padStart(8)
  } ${date} ${name}`;
}

// Joins path segments the POSIX way and drops "." and "..", so the result
// never climbs above "/".
function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

interface FileHandle {
  kind: "file";
  file: Deno.FsFile;
  path: string;
  // Requests on one handle run in order: seek and read are not atomic.
  queue: Promise<unknown>;
}

interface DirHandle {
  kind: "dir";
  path: string;
  entries: AsyncIterator<Deno.DirEntry> | null;
  queue: Promise<unknown>;
}

/**
 * The SFTP server of one session, over the folder `root`.
 *
 * @example Usage
 * ```ts ignore
 * const sftp = new SFTPServer(await Deno.realPath("./share"));
 * await sftp.serve(session.stdin, session.stdout);
 * ```
 */
export class SFTPServer {
  readonly #root: string;
  readonly #maxHandles: number;
  readonly #handles = new Map<string, FileHandle | DirHandle>();
  #nextHandle = 0;

  /** Creates the server over `root` (an absolute, real path). */
  constructor(root: string, options: SFTPServerOptions = {}) {
    this.#root = root.replace(/\/+$/, "") || "/";
    this.#maxHandles = options.maxHandles ?? MAX_SFTP_HANDLES;
  }

  // The real path of a client's path, confined to the root. With
  // `followLast`, symlinks in the last component are followed too.
  async #resolve(path: string, followLast = true): Promise<string> {
    const virtual = normalize(path);
    if (virtual === "/") return this.#root;
    const joined = this.#root === "/" ? virtual : `${this.#root}${virtual}`;
    const slash = joined.lastIndexOf("/");
    const parent = joined.slice(0, slash) || "/";
    const name = joined.slice(slash + 1);
    const realParent = await Deno.realPath(parent);
    this.#confine(realParent);
    const target = name === ""
      ? realParent
      : `${realParent === "/" ? "" : realParent}/${name}`;
    if (!followLast || name === "") return target;
    try {
      const real = await Deno.realPath(target);
      this.#confine(real);
      return real;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return target;
      throw error;
    }
  }

  #confine(real: string): void {
    if (
      this.#root !== "/" && real !== this.#root &&
      !real.startsWith(`${this.#root}/`)
    ) {
      throw new StatusError(
        FX.PERMISSION_DENIED,
        "the path leads outside the served folder",
      );
    }
  }

  // The client's view of a real path inside the root.
  #virtual(real: string): string {
    if (this.#root === "/") return real;
    return real === this.#root ? "/" : real.slice(this.#root.length);
  }

  #handle(reader: SSHReader): FileHandle | DirHandle {
    const handle = this.#handles.get(new TextDecoder().decode(reader.bytes()));
    if (handle === undefined) {
      throw new StatusError(FX.FAILURE, "no such handle");
    }
    return handle;
  }

  #newHandle(handle: FileHandle | DirHandle): string {
    if (this.#handles.size >= this.#maxHandles) {
      if (handle.kind === "file") handle.file.close();
      throw new StatusError(
        FX.FAILURE,
        `too many open handles (${this.#maxHandles})`,
      );
    }
    const id = String(this.#nextHandle++);
    this.#handles.set(id, handle);
    return id;
  }

  /** Serves SFTP packets from `input`, answering on `output`, until `input` ends. */
  async serve(
    input: ReadableStream<Uint8Array>,
    output: WritableStream<Uint8Array>,
  ): Promise<void> {
    const writer = output.getWriter();
    const send = (body: SSHWriter) =>
      writer.write(frameSFTP(body)).catch(() => {});
    const inFlight = new Set<Promise<void>>();
    try {
      for await (const packet of readSFTPPackets(input)) {
        const reader = new SSHReader(packet);
        const type = reader.byte();
        if (type === FXP.INIT) {
          reader.uint32();
          await send(
            new SSHWriter().byte(FXP.VERSION).uint32(3)
              .string("posix-rename@openssh.com").string("1"),
          );
          continue;
        }
        const id = reader.uint32();
        const request = this.#request(type, id, reader).catch((error) => {
          const [code, message] = statusOf(error);
          return new SSHWriter().byte(FXP.STATUS).uint32(id).uint32(code)
            .string(message).string("");
        }).then(send);
        inFlight.add(request);
        request.finally(() => inFlight.delete(request));
      }
    } catch (error) {
      logger.warn("closing an SFTP session: {message}", {
        message: (error as Error).message,
      });
    } finally {
      await Promise.all(inFlight);
      for (const handle of this.#handles.values()) {
        if (handle.kind === "file") handle.file.close();
      }
      this.#handles.clear();
      await writer.close().catch(() => {});
    }
  }

  #ok(id: number): SSHWriter {
    return new SSHWriter().byte(FXP.STATUS).uint32(id).uint32(FX.OK)
      .string("Success").string("");
  }

  #name(id: number, entries: [string, SFTPAttributes][]): SSHWriter {
    const writer = new SSHWriter().byte(FXP.NAME).uint32(id).uint32(
      entries.length,
    );
    for (const [name, attrs] of entries) {
      writeAttributes(writer.string(name).string(longName(name, attrs)), attrs);
    }
    return writer;
  }

  #queued<T>(
    handle: FileHandle | DirHandle,
    run: () => Promise<T>,
  ): Promise<T> {
    const result = handle.queue.then(run);
    handle.queue = result.catch(() => {});
    return result;
  }

  async #request(
    type: number,
    id: number,
    reader: SSHReader,
  ): Promise<SSHWriter> {
    switch (type) {
      case FXP.OPEN: {
        const path = await this.#resolve(reader.text());
        const flags = reader.uint32();
        const attrs = readAttributes(reader);
        const file = await Deno.open(path, {
          read: (flags & OPEN_FLAGS.READ) !== 0,
          write: (flags & (OPEN_FLAGS.WRITE | OPEN_FLAGS.APPEND)) !== 0,
          append: (flags & OPEN_FLAGS.APPEND) !== 0,
          create: (flags & OPEN_FLAGS.CREAT) !== 0 &&
            (flags & OPEN_FLAGS.EXCL) === 0,
          createNew: (flags & OPEN_FLAGS.CREAT) !== 0 &&
            (flags & OPEN_FLAGS.EXCL) !== 0,
          truncate: (flags & OPEN_FLAGS.TRUNC) !== 0,
          mode: attrs.permissions !== undefined
            ? attrs.permissions & 0o7777
            : 0o644,
        });
        const handle = this.#newHandle({
          kind: "file",
          file,
          path,
          queue: Promise.resolve(),
        });
        return new SSHWriter().byte(FXP.HANDLE).uint32(id).string(handle);
      }
      case FXP.CLOSE: {
        const key = new TextDecoder().decode(reader.bytes());
        const handle = this.#handles.get(key);
        if (handle === undefined) {
          throw new StatusError(FX.FAILURE, "no such handle");
        }
        this.#handles.delete(key);
        await this.#queued(handle, async () => {
          if (handle.kind === "file") handle.file.close();
          else await handle.entries?.return?.();
        });
        return this.#ok(id);
      }
      case FXP.READ: {
        const handle = this.#handle(reader);
        const offset = reader.uint64();
        const length = Math.min(reader.uint32(), MAX_SFTP_READ);
        if (handle.kind !== "file") {
          throw new StatusError(FX.FAILURE, "not a file handle");
        }
        return await this.#queued(handle, async () => {
          await handle.file.seek(offset, Deno.SeekMode.Start);
          const buffer = new Uint8Array(length);
          let filled = 0;
          while (filled < length) {
            const n = await handle.file.read(buffer.subarray(filled));
            if (n === null) break;
            filled += n;
          }
          if (filled === 0 && length > 0) {
            throw new StatusError(FX.EOF, "End of file");
          }
          return new SSHWriter(0, filled + 16).byte(FXP.DATA).uint32(id)
            .string(buffer.subarray(0, filled));
        });
      }
      case FXP.WRITE: {
        const handle = this.#handle(reader);
        const offset = reader.uint64();
        const data = reader.bytes();
        if (handle.kind !== "file") {
          throw new StatusError(FX.FAILURE, "not a file handle");
        }
        return await this.#queued(handle, async () => {
          await handle.file.seek(offset, Deno.SeekMode.Start);
          let written = 0;
          while (written < data.length) {
            written += await handle.file.write(data.subarray(written));
          }
          return this.#ok(id);
        });
      }
      case FXP.LSTAT:
      case FXP.STAT: {
        const path = await this.#resolve(reader.text(), type === FXP.STAT);
        const info = type === FXP.STAT
          ? await Deno.stat(path)
          : await Deno.lstat(path);
        return writeAttributes(
          new SSHWriter().byte(FXP.ATTRS).uint32(id),
          attributesOf(info),
        );
      }
      case FXP.FSTAT: {
        const handle = this.#handle(reader);
        const info = handle.kind === "file"
          ? await handle.file.stat()
          : await Deno.stat(handle.path);
        return writeAttributes(
          new SSHWriter().byte(FXP.ATTRS).uint32(id),
          attributesOf(info),
        );
      }
      case FXP.SETSTAT:
      case FXP.FSETSTAT: {
        const path = type === FXP.SETSTAT
          ? await this.#resolve(reader.text())
          : this.#handle(reader).path;
        const attrs = readAttributes(reader);
        if (attrs.size !== undefined) await Deno.truncate(path, attrs.size);
        if (attrs.permissions !== undefined) {
          await Deno.chmod(path, attrs.permissions & 0o7777);
        }
        if (attrs.atime !== undefined && attrs.mtime !== undefined) {
          await Deno.utime(path, attrs.atime, attrs.mtime);
        }
        return this.#ok(id);
      }
      case FXP.OPENDIR: {
        const path = await this.#resolve(reader.text());
        if (!(await Deno.stat(path)).isDirectory) {
          throw new StatusError(FX.FAILURE, "not a directory");
        }
        const handle = this.#newHandle({
          kind: "dir",
          path,
          entries: null,
          queue: Promise.resolve(),
        });
        return new SSHWriter().byte(FXP.HANDLE).uint32(id).string(handle);
      }
      case FXP.READDIR: {
        const handle = this.#handle(reader);
        if (handle.kind !== "dir") {
          throw new StatusError(FX.FAILURE, "not a directory handle");
        }
        return await this.#queued(handle, async () => {
          const first = handle.entries === null;
          handle.entries ??= Deno.readDir(handle.path)[Symbol.asyncIterator]();
          const names: [string, SFTPAttributes][] = [];
          if (first) {
            names.push([".", attributesOf(await Deno.stat(handle.path))]);
            names.push(["..", attributesOf(await Deno.stat(handle.path))]);
          }
          while (names.length < NAMES_PER_READDIR) {
            const next = await handle.entries.next();
            if (next.done) break;
            try {
              names.push([
                next.value.name,
                attributesOf(
                  await Deno.lstat(`${handle.path}/${next.value.name}`),
                ),
              ]);
            } catch {
              // Gone between the listing and the stat: leave it out.
            }
          }
          if (names.length === 0) {
            throw new StatusError(FX.EOF, "End of directory");
          }
          return this.#name(id, names);
        });
      }
      case FXP.REMOVE:
        await Deno.remove(await this.#resolve(reader.text(), false));
        return this.#ok(id);
      case FXP.MKDIR: {
        const path = await this.#resolve(reader.text(), false);
        const attrs = readAttributes(reader);
        await Deno.mkdir(path, {
          mode: attrs.permissions !== undefined
            ? attrs.permissions & 0o7777
            : 0o755,
        });
        return this.#ok(id);
      }
      case FXP.RMDIR: {
        const path = await this.#resolve(reader.text(), false);
        if (!(await Deno.lstat(path)).isDirectory) {
          throw new StatusError(FX.FAILURE, "not a directory");
        }
        await Deno.remove(path);
        return this.#ok(id);
      }
      case FXP.REALPATH: {
        const real = await this.#resolve(reader.text());
        const virtual = this.#virtual(real);
        return this.#name(id, [[virtual, {}]]);
      }
      case FXP.RENAME: {
        const from = await this.#resolve(reader.text(), false);
        const to = await this.#resolve(reader.text(), false);
        // SFTP v3 rename does not overwrite (the posix-rename extension does).
        try {
          await Deno.lstat(to);
          throw new StatusError(FX.FAILURE, "the target exists");
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
        await Deno.rename(from, to);
        return this.#ok(id);
      }
      case FXP.READLINK: {
        const path = await this.#resolve(reader.text(), false);
        const target = await Deno.readLink(path);
        return this.#name(id, [[target, {}]]);
      }
      case FXP.SYMLINK: {
        // OpenSSH sends the target first and the link second, the reverse
        // of the draft; every client follows OpenSSH.
        const target = reader.text();
        const link = await this.#resolve(reader.text(), false);
        const resolvedTarget = target.startsWith("/")
          ? await this.#resolve(target)
          : target;
        if (!target.startsWith("/")) {
          const dir = link.slice(0, link.lastIndexOf("/")) || "/";
          this.#confine(normalize(`${dir}/${target}`));
        }
        await Deno.symlink(resolvedTarget, link);
        return this.#ok(id);
      }
      case FXP.EXTENDED: {
        const name = reader.text();
        if (name === "posix-rename@openssh.com") {
          const from = await this.#resolve(reader.text(), false);
          const to = await this.#resolve(reader.text(), false);
          await Deno.rename(from, to);
          return this.#ok(id);
        }
        throw new StatusError(FX.OP_UNSUPPORTED, `${name} is not supported`);
      }
    }
    throw new StatusError(
      FX.OP_UNSUPPORTED,
      `request type ${type} is not supported`,
    );
  }
}

/**
 * The `sftp` subsystem over the folder `root`, for
 * `SSHServerOptions.subsystems`.
 *
 * @example Usage
 * ```ts
 * import { sftpSubsystem } from "@spindle/spindle/protocols/ssh";
 * const subsystems = { sftp: sftpSubsystem(Deno.cwd()) };
 * console.assert(typeof subsystems.sftp === "function");
 * ```
 */
export function sftpSubsystem(
  root: string,
  options: SFTPServerOptions = {},
): SessionHandler {
  let real: Promise<string> | null = null;
  return async (session: Session) => {
    real ??= Deno.realPath(root);
    await new SFTPServer(await real, options).serve(
      session.stdin,
      session.stdout,
    );
    return 0;
  };
}
