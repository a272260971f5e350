/**
 * An SFTP version 3 client over an SSH session channel: the file
 * operations, and `get`/`put` helpers that keep several requests in flight.
 *
 * @module
 */
import type { Channel } from "./connection.ts";
import { SFTPStatusError, SSHProtocolError } from "./errors.ts";
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

// Bytes asked for per READ or sent per WRITE (OpenSSH's sftp: 32 KiB), and
// how many are in flight at once (OpenSSH's sftp: 64).
const CHUNK = 32 * 1024;
const IN_FLIGHT = 64;

/**
 * A directory entry as READDIR names it.
 *
 * @example Usage
 * ```ts
 * import type { SFTPEntry } from "@spindle/spindle/protocols/ssh";
 * const entry: SFTPEntry = { filename: "a.txt", longname: "-rw-r--r-- ... a.txt", attrs: {} };
 * console.assert(entry.filename === "a.txt");
 * ```
 */
export interface SFTPEntry {
  /** The name. */
  filename: string;
  /** The `ls -l` line the server made. */
  longname: string;
  /** The attributes. */
  attrs: SFTPAttributes;
}

/**
 * An SFTP session. Make one with {@linkcode SFTPClient.start} over a
 * channel with the `sftp` subsystem (`client.sftp()` does both).
 *
 * @example Usage
 * ```ts ignore
 * const sftp = await client.sftp();
 * await sftp.put("/tmp/big.bin", "big.bin");
 * console.log((await sftp.readdir(".")).map((entry) => entry.filename));
 * await sftp.close();
 * ```
 */
export class SFTPClient {
  readonly #channel: Channel;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #waiting = new Map<
    number,
    PromiseWithResolvers<[number, SSHReader]>
  >();
  #nextId = 1;
  #ended: unknown = null;
  /** The extensions the server announced, by name. */
  readonly extensions: Map<string, string> = new Map();

  private constructor(channel: Channel) {
    this.#channel = channel;
    this.#writer = channel.writable.getWriter();
  }

  /** Starts SFTP (INIT, VERSION) on `channel`, which runs the `sftp` subsystem. */
  static async start(channel: Channel): Promise<SFTPClient> {
    const client = new SFTPClient(channel);
    const packets = readSFTPPackets(channel.readable);
    await client.#writer.write(
      frameSFTP(new SSHWriter().byte(FXP.INIT).uint32(3)),
    );
    const first = await packets.next();
    if (first.done || first.value[0] !== FXP.VERSION) {
      throw new SSHProtocolError(
        "the server did not answer SFTP INIT with VERSION",
      );
    }
    const version = new SSHReader(first.value, 1);
    version.uint32();
    while (version.remaining > 0) {
      client.extensions.set(version.text(), version.text());
    }
    client.#readLoop(packets);
    return client;
  }

  async #readLoop(packets: AsyncGenerator<Uint8Array>): Promise<void> {
    try {
      for await (const packet of packets) {
        const reader = new SSHReader(packet, 1);
        const id = reader.uint32();
        this.#waiting.get(id)?.resolve([packet[0]!, reader]);
        this.#waiting.delete(id);
      }
      this.#ended = new SSHProtocolError("the SFTP session ended");
    } catch (error) {
      this.#ended = error;
    }
    for (const waiter of this.#waiting.values()) waiter.reject(this.#ended);
    this.#waiting.clear();
  }

  // Sends a request of `type`; resolves to the reply's type and a reader
  // after its id.
  async #request(
    type: number,
    body: (writer: SSHWriter) => SSHWriter,
  ): Promise<[number, SSHReader]> {
    if (this.#ended !== null) throw this.#ended;
    const id = this.#nextId;
    this.#nextId = (id + 1) >>> 0 || 1;
    const reply = Promise.withResolvers<[number, SSHReader]>();
    this.#waiting.set(id, reply);
    await this.#writer.write(
      frameSFTP(body(new SSHWriter().byte(type).uint32(id))),
    );
    return await reply.promise;
  }

  // Expects `kind` back; a STATUS instead is OK (for kind STATUS) or an error.
  async #expect(
    kind: number,
    type: number,
    body: (writer: SSHWriter) => SSHWriter,
  ): Promise<SSHReader | null> {
    const [replyType, reader] = await this.#request(type, body);
    if (replyType === FXP.STATUS) {
      const code = reader.uint32();
      const message = reader.text();
      if (code === FX.OK && kind === FXP.STATUS) return reader;
      if (code === FX.EOF) return null;
      throw new SFTPStatusError(code, message);
    }
    if (replyType !== kind) {
      throw new SSHProtocolError(
        `the SFTP server answered with type ${replyType}, expected ${kind}`,
      );
    }
    return reader;
  }

  /** Opens `path` with `flags` (`OPEN_FLAGS`); the handle. */
  async open(
    path: string,
    flags: number,
    attrs: SFTPAttributes = {},
  ): Promise<Uint8Array> {
    const reader = await this.#expect(
      FXP.HANDLE,
      FXP.OPEN,
      (w) => writeAttributes(w.string(path).uint32(flags), attrs),
    );
    return reader!.bytes().slice();
  }

  /** Closes a handle. */
  async closeHandle(handle: Uint8Array): Promise<void> {
    await this.#expect(FXP.STATUS, FXP.CLOSE, (w) => w.string(handle));
  }

  /** Reads up to `length` bytes at `offset`; `null` at the end of the file. */
  async read(
    handle: Uint8Array,
    offset: number,
    length: number,
  ): Promise<Uint8Array | null> {
    const reader = await this.#expect(
      FXP.DATA,
      FXP.READ,
      (w) => w.string(handle).uint64(offset).uint32(length),
    );
    return reader === null ? null : reader.bytes();
  }

  /** Writes `data` at `offset`. */
  async write(
    handle: Uint8Array,
    offset: number,
    data: Uint8Array,
  ): Promise<void> {
    await this.#expect(
      FXP.STATUS,
      FXP.WRITE,
      (w) => w.string(handle).uint64(offset).string(data),
    );
  }

  async #attrs(
    type: number,
    body: (writer: SSHWriter) => SSHWriter,
  ): Promise<SFTPAttributes> {
    return readAttributes((await this.#expect(FXP.ATTRS, type, body))!);
  }

  /** The attributes of `path`, following symlinks. */
  stat(path: string): Promise<SFTPAttributes> {
    return this.#attrs(FXP.STAT, (w) => w.string(path));
  }

  /** The attributes of `path` itself. */
  lstat(path: string): Promise<SFTPAttributes> {
    return this.#attrs(FXP.LSTAT, (w) => w.string(path));
  }

  /** The attributes of an open handle. */
  fstat(handle: Uint8Array): Promise<SFTPAttributes> {
    return this.#attrs(FXP.FSTAT, (w) => w.string(handle));
  }

  /** Changes the attributes of `path`. */
  async setstat(path: string, attrs: SFTPAttributes): Promise<void> {
    await this.#expect(
      FXP.STATUS,
      FXP.SETSTAT,
      (w) => writeAttributes(w.string(path), attrs),
    );
  }

  /** Lists the folder `path` (without `.` and `..`). */
  async readdir(path: string): Promise<SFTPEntry[]> {
    const handle =
      (await this.#expect(FXP.HANDLE, FXP.OPENDIR, (w) => w.string(path)))!
        .bytes().slice();
    const entries: SFTPEntry[] = [];
    try {
      for (;;) {
        const reader = await this.#expect(
          FXP.NAME,
          FXP.READDIR,
          (w) => w.string(handle),
        );
        if (reader === null) break;
        for (let count = reader.uint32(); count > 0; count--) {
          const filename = reader.text();
          const longname = reader.text();
          const attrs = readAttributes(reader);
          if (filename !== "." && filename !== "..") {
            entries.push({ filename, longname, attrs });
          }
        }
      }
    } finally {
      await this.closeHandle(handle);
    }
    return entries;
  }

  async #names(
    type: number,
    body: (writer: SSHWriter) => SSHWriter,
  ): Promise<string> {
    const reader = (await this.#expect(FXP.NAME, type, body))!;
    reader.uint32();
    return reader.text();
  }

  /** The canonical absolute form of `path`. */
  realpath(path: string): Promise<string> {
    return this.#names(FXP.REALPATH, (w) => w.string(path));
  }

  /** The target of the symlink `path`. */
  readlink(path: string): Promise<string> {
    return this.#names(FXP.READLINK, (w) => w.string(path));
  }

  /** Makes the symlink `link` pointing at `target` (OpenSSH's argument order on the wire). */
  async symlink(target: string, link: string): Promise<void> {
    await this.#expect(
      FXP.STATUS,
      FXP.SYMLINK,
      (w) => w.string(target).string(link),
    );
  }

  /** Removes the file `path`. */
  async remove(path: string): Promise<void> {
    await this.#expect(FXP.STATUS, FXP.REMOVE, (w) => w.string(path));
  }

  /** Makes the folder `path`. */
  async mkdir(path: string, attrs: SFTPAttributes = {}): Promise<void> {
    await this.#expect(
      FXP.STATUS,
      FXP.MKDIR,
      (w) => writeAttributes(w.string(path), attrs),
    );
  }

  /** Removes the empty folder `path`. */
  async rmdir(path: string): Promise<void> {
    await this.#expect(FXP.STATUS, FXP.RMDIR, (w) => w.string(path));
  }

  /**
   * Renames `from` to `to`; with `posix-rename@openssh.com` (when the
   * server has it) an existing `to` is replaced.
   */
  async rename(from: string, to: string): Promise<void> {
    if (this.extensions.has("posix-rename@openssh.com")) {
      await this.#expect(
        FXP.STATUS,
        FXP.EXTENDED,
        (w) => w.string("posix-rename@openssh.com").string(from).string(to),
      );
      return;
    }
    await this.#expect(
      FXP.STATUS,
      FXP.RENAME,
      (w) => w.string(from).string(to),
    );
  }

  /** The whole remote file `path`, read with several requests in flight. */
  async get(path: string): Promise<Uint8Array> {
    const handle = await this.open(path, OPEN_FLAGS.READ);
    try {
      const size = (await this.fstat(handle)).size ?? 0;
      const out = new Uint8Array(size);
      let next = 0;
      let total = 0;
      const worker = async () => {
        while (next < size) {
          const offset = next;
          next += CHUNK;
          let at = offset;
          const end = Math.min(offset + CHUNK, size);
          while (at < end) {
            const data = await this.read(handle, at, end - at);
            if (data === null) return;
            out.set(data, at);
            at += data.length;
            total = Math.max(total, at);
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      return out.subarray(0, total);
    } finally {
      await this.closeHandle(handle);
    }
  }

  /** Writes `data` as the remote file `path` (created or truncated), several requests in flight. */
  async put(path: string, data: Uint8Array): Promise<void> {
    const handle = await this.open(
      path,
      OPEN_FLAGS.WRITE | OPEN_FLAGS.CREAT | OPEN_FLAGS.TRUNC,
    );
    try {
      let next = 0;
      const worker = async () => {
        while (next < data.length) {
          const offset = next;
          next += CHUNK;
          await this.write(
            handle,
            offset,
            data.subarray(offset, offset + CHUNK),
          );
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    } finally {
      await this.closeHandle(handle);
    }
  }

  /** Ends the session (closes the channel). */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#channel.close();
  }
}
