/**
 * {@linkcode Maildir}: one maildir (`tmp/`, `new/`, `cur/`), its Maildir++
 * folders (`.Name`), delivery, listing, reading and removing messages, and
 * {@linkcode deliverMessage} to several maildirs at once.
 *
 * @module
 */
import { join } from "node:path";
import { MailboxLockedError, MailboxNameError } from "./errors.ts";
import { uniqueName } from "./_unique_name.ts";

/** The maildir subfolder a message lies in: `new/` (unseen) or `cur/`. */
export type MaildirSubfolder = "new" | "cur";

/**
 * A message in a maildir, as {@linkcode Maildir.list} finds it.
 *
 * @example Usage
 * ```ts
 * import type { MaildirMessage } from "@spindle/spindle/protocols/mail";
 * const message: MaildirMessage = {
 *   subfolder: "new",
 *   name: "1700000000.M1P2Q3R4.host",
 *   key: "1700000000.M1P2Q3R4.host",
 *   path: "/tmp/mail/alice/new/1700000000.M1P2Q3R4.host",
 *   size: 120,
 *   mtime: new Date(1_700_000_000_000),
 * };
 * console.assert(message.key === message.name);
 * ```
 */
export interface MaildirMessage {
  /** Where it lies: `new/` or `cur/`. */
  readonly subfolder: MaildirSubfolder;
  /** Its file name, flags (`:2,S`) included. */
  readonly name: string;
  /**
   * The unique part of the name: the name up to the `:` of the flags. It stays
   * the same when a message moves from `new/` to `cur/` or changes flags, so
   * it is the message's lasting id (POP3's UIDL).
   */
  readonly key: string;
  /** Its full path. */
  readonly path: string;
  /** Its size in bytes, exactly as stored (CRLF line ends). */
  readonly size: number;
  /** When it was delivered (the file's modification time). */
  readonly mtime: Date;
}

/**
 * Options of {@linkcode Maildir.deliver} and {@linkcode deliverMessage}.
 *
 * @example Usage
 * ```ts
 * import type { DeliverOptions } from "@spindle/spindle/protocols/mail";
 * const options: DeliverOptions = { fsync: false };
 * console.assert(options.fsync === false);
 * ```
 */
export interface DeliverOptions {
  /**
   * Whether the message is flushed to disk before it appears in `new/`
   * (default true, as the maildir specification asks: a message a server
   * acknowledged survives a crash). Turn it off only for throwaway stores.
   */
  fsync?: boolean;
  /**
   * Bytes stored in front of the message, as if they were its first chunk
   * (an SMTP server's trace headers); default none.
   */
  prefix?: Uint8Array;
}

/** Bytes to deliver: whole, or as chunks that arrive over time (a `ReadableStream` is one). */
export type MessageSource = Uint8Array | AsyncIterable<Uint8Array>;

/** A held mailbox lock; see {@linkcode Maildir.lock}. */
export interface MaildirLock {
  /** Frees the lock (once; later calls do nothing). */
  release(): Promise<void>;
}

const LOCK_FILE = "spindle.lock";

// A name of one path part, not reaching elsewhere: no '/', no leading '.'
// (".", "..", and Maildir++ folder names are taken), no control characters.
const PART = /^[^/.\p{Cc}][^/\p{Cc}]*$/u;

/**
 * Throws {@linkcode MailboxNameError} unless `name` can name a maildir under
 * a parent folder (a user's mailbox, or a part of a Maildir++ folder's name);
 * `what` names it in the error.
 *
 * @example Usage
 * ```ts
 * import { checkMailboxName } from "@spindle/spindle/protocols/mail";
 * checkMailboxName("alice");
 * try {
 *   checkMailboxName("..");
 * } catch (error) {
 *   console.assert(error instanceof TypeError);
 * }
 * ```
 */
export function checkMailboxName(name: string, what = "mailbox"): void {
  if (!PART.test(name)) throw new MailboxNameError(name, what);
}

/**
 * One maildir: `path/{tmp,new,cur}`, in the format of
 * cr.yp.to/proto/maildir.html, with Maildir++ folders as `path/.Name`
 * (`.Name.Sub` for nested ones).
 *
 * Delivery writes the message to `tmp/` under a unique name, flushes it to
 * disk, then renames it into `new/`, so a reader never sees half a message
 * and two deliveries (in any processes) never collide. Listing covers `new/`
 * and `cur/`; moving messages from `new/` to `cur/` and their flags (the
 * `:2,` suffix) are the IMAP side's business, and `key` stays stable through
 * both.
 *
 * @example Deliver, list, read and remove
 * ```ts
 * import { Maildir } from "@spindle/spindle/protocols/mail";
 * const root = await Deno.makeTempDir();
 * const box = new Maildir(`${root}/alice`);
 * await box.create();
 * await box.deliver(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * const [message] = await box.list();
 * console.assert(message?.size === 22 && message.subfolder === "new");
 * console.assert((await box.read(message!)).length === 22);
 * await box.remove(message!);
 * console.assert((await box.list()).length === 0);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class Maildir {
  /** The maildir's folder. */
  readonly path: string;

  /** The maildir at `path`; nothing is created until {@linkcode Maildir.create}. */
  constructor(path: string) {
    this.path = path;
  }

  /** Creates `tmp/`, `new/` and `cur/` (and the folder itself) if missing. */
  async create(): Promise<void> {
    for (const sub of ["tmp", "new", "cur"]) {
      await Deno.mkdir(join(this.path, sub), { recursive: true, mode: 0o700 });
    }
  }

  /** Whether `tmp/`, `new/` and `cur/` all exist. */
  async exists(): Promise<boolean> {
    try {
      for (const sub of ["tmp", "new", "cur"]) {
        if (!(await Deno.stat(join(this.path, sub))).isDirectory) return false;
      }
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /**
   * The Maildir++ folder `name` of this maildir (`path/.name`); nested names
   * are dotted (`"Archive.2024"`). Nothing is created until its `create()`.
   *
   * @example Usage
   * ```ts
   * import { Maildir } from "@spindle/spindle/protocols/mail";
   * const sent = new Maildir("/tmp/mail/alice").folder("Sent");
   * console.assert(sent.path === "/tmp/mail/alice/.Sent");
   * ```
   */
  folder(name: string): Maildir {
    for (const part of name.split(".")) checkMailboxName(part, "folder");
    return new Maildir(join(this.path, `.${name}`));
  }

  /** The names of the Maildir++ folders that exist (without the leading `.`), sorted. */
  async folders(): Promise<string[]> {
    const names: string[] = [];
    for await (const entry of Deno.readDir(this.path)) {
      if (
        entry.isDirectory && entry.name.startsWith(".") && entry.name !== "."
      ) {
        names.push(entry.name.slice(1));
      }
    }
    return names.sort();
  }

  /**
   * Delivers `message` to `new/` and returns its file name. Chunks are written
   * as they come (with backpressure); if the source fails, the half-written
   * file is removed and nothing is delivered.
   */
  async deliver(
    message: MessageSource,
    options: DeliverOptions = {},
  ): Promise<string> {
    const [name] = await deliverMessage([this], message, options);
    return name!;
  }

  /**
   * The messages in `new/` and `cur/`, oldest first (by delivery time, then
   * name). A message removed while the folder is read is left out.
   */
  async list(): Promise<MaildirMessage[]> {
    const messages: MaildirMessage[] = [];
    for (const subfolder of ["new", "cur"] as const) {
      const dir = join(this.path, subfolder);
      for await (const entry of Deno.readDir(dir)) {
        if (!entry.isFile || entry.name.startsWith(".")) continue;
        const path = join(dir, entry.name);
        let info: Deno.FileInfo;
        try {
          info = await Deno.stat(path);
        } catch (error) {
          if (error instanceof Deno.errors.NotFound) continue;
          throw error;
        }
        const colon = entry.name.indexOf(":");
        messages.push({
          subfolder,
          name: entry.name,
          key: colon < 0 ? entry.name : entry.name.slice(0, colon),
          path,
          size: info.size,
          mtime: info.mtime ?? new Date(0),
        });
      }
    }
    return messages.sort((a, b) =>
      a.mtime.getTime() - b.mtime.getTime() ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    );
  }

  /** The bytes of `message`, exactly as stored. */
  read(message: MaildirMessage): Promise<Uint8Array> {
    return Deno.readFile(message.path);
  }

  /** The bytes of `message` as a stream, for messages too big to hold at once. */
  async open(message: MaildirMessage): Promise<ReadableStream<Uint8Array>> {
    return (await Deno.open(message.path)).readable;
  }

  /** Removes `message`; one already gone is not an error. */
  async remove(message: MaildirMessage): Promise<void> {
    try {
      await Deno.remove(message.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  /**
   * Locks the maildir for one session (POP3's exclusive access, RFC 1939 §8),
   * or throws {@linkcode MailboxLockedError} at once when another session
   * holds it, in this process or another (`--workers`): the lock is a file,
   * `spindle.lock`, created exclusively and holding the owner's pid. A lock
   * left by a process that died is taken over.
   *
   * @example Usage
   * ```ts
   * import { Maildir, MailboxLockedError } from "@spindle/spindle/protocols/mail";
   * const root = await Deno.makeTempDir();
   * const box = new Maildir(root);
   * const lock = await box.lock();
   * await box.lock().catch((error) => console.assert(error instanceof MailboxLockedError));
   * await lock.release();
   * await (await box.lock()).release();
   * await Deno.remove(root, { recursive: true });
   * ```
   */
  async lock(): Promise<MaildirLock> {
    const path = join(this.path, LOCK_FILE);
    const token = `${Deno.pid} ${crypto.randomUUID()}\n`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await Deno.writeTextFile(path, token, { createNew: true, mode: 0o600 });
        let released = false;
        return {
          release: async () => {
            if (released) return;
            released = true;
            // Only our own lock: never one taken over after we were thought dead.
            if (await readOrEmpty(path) === token) await removeIfThere(path);
          },
        };
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
      const held = await readOrEmpty(path);
      const pid = Number(held.split(" ")[0]);
      if (held !== "" && await processAlive(pid)) break;
      // The holder died without releasing it (a crash, a kill -9): take over,
      // unless the file changed meanwhile (another taker won).
      if (await readOrEmpty(path) === held) await removeIfThere(path);
    }
    throw new MailboxLockedError(this.path);
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

async function removeIfThere(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

// Whether process `pid` lives, on Linux through /proc; elsewhere a lock is
// assumed alive (released by its session, never taken over).
async function processAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return true;
    try {
      await Deno.stat("/proc/self");
      return false;
    } catch {
      return true;
    }
  }
}

/**
 * Delivers one message to each of `maildirs` (one per recipient) and returns
 * the file names, in the same order. The message is read once and each chunk
 * written to every maildir's `tmp/` file as it comes; then each file is
 * flushed to disk and renamed into `new/`. If the source fails (a client that
 * left in the middle of its message, a size limit), every `tmp/` file is
 * removed, nothing is delivered, and the error is thrown again.
 *
 * @example Usage
 * ```ts
 * import { deliverMessage, Maildir } from "@spindle/spindle/protocols/mail";
 * const root = await Deno.makeTempDir();
 * const boxes = [new Maildir(`${root}/alice`), new Maildir(`${root}/bob`)];
 * for (const box of boxes) await box.create();
 * const names = await deliverMessage(boxes, new TextEncoder().encode("hi\r\n"));
 * console.assert(names.length === 2);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function deliverMessage(
  maildirs: readonly Maildir[],
  message: MessageSource,
  options: DeliverOptions = {},
): Promise<string[]> {
  const targets = maildirs.map((maildir) => {
    const name = uniqueName();
    // Concatenated, not join()ed: the parts are known to be clean, and a
    // delivery is on SMTP's per-message path.
    return {
      name,
      tmp: `${maildir.path}/tmp/${name}`,
      final: `${maildir.path}/new/${name}`,
    };
  });
  // Opening, writing, renaming and closing go through Deno's synchronous
  // calls: on a small message each async call costs more CPU than the
  // work itself (the page cache takes a 4 KiB write in microseconds), and
  // SMTP delivery pays them once per message. Only fsync, which waits for
  // the disk, stays asynchronous. A message that ends within GATHERED_BYTES
  // is gathered and written by one call per file: open, write, close,
  // rename (and fsync) are all the syscalls of a delivery.
  const fsync = options.fsync ?? true;
  const files: Deno.FsFile[] = [];
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  const open = () => {
    for (const target of targets) {
      files.push(Deno.openSync(target.tmp, CREATE_NEW));
    }
    for (const chunk of held) writeToAll(files, chunk);
    held = [];
  };
  const take = (chunk: Uint8Array) => {
    if (files.length > 0) {
      writeToAll(files, chunk);
      return;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes > GATHERED_BYTES) open();
  };
  // A ReadableStream is read through a reader of its own, not its async
  // iterator, whose release at the end builds a TypeError per message.
  const reader = message instanceof ReadableStream ? message.getReader() : null;
  try {
    if (options.prefix !== undefined) take(options.prefix);
    if (message instanceof Uint8Array) take(message);
    else if (reader !== null) {
      for (let read = await reader.read(); !read.done;) {
        take(read.value);
        read = await reader.read();
      }
    } else {
      for await (const chunk of message) take(chunk);
    }
    if (files.length === 0) {
      // One write per file. Not Deno.writeFileSync: with a mode it adds an
      // fchmod to the open, a fifth syscall per delivery.
      if (held.length > 1) held = [concat(held, heldBytes)];
      open();
    }
    if (fsync) await Promise.all(files.map((f) => f.sync()));
    for (const file of files.splice(0)) file.close();
    for (const target of targets) Deno.renameSync(target.tmp, target.final);
    return targets.map((target) => target.name);
  } catch (error) {
    // A source still open (the disk failed, not the message) learns that
    // nothing more will be read, as a for-await loop would tell it.
    reader?.cancel(error).catch(() => {});
    for (const file of files) file.close();
    for (const target of targets) await removeIfThere(target.tmp);
    throw error;
  }
}

const CREATE_NEW: Deno.OpenOptions = {
  write: true,
  createNew: true,
  mode: 0o600,
};

// The most bytes of a message held in memory before its files are opened.
const GATHERED_BYTES = 64 * 1024;

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const whole = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.length;
  }
  return whole;
}

function writeToAll(files: readonly Deno.FsFile[], chunk: Uint8Array): void {
  for (const file of files) {
    let written = 0;
    while (written < chunk.length) {
      written += file.writeSync(chunk.subarray(written));
    }
  }
}
