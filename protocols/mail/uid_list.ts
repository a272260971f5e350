/**
 * {@linkcode UidList}: IMAP's unique identifiers for the messages of one
 * maildir folder, kept in a `uidlist` file so they survive restarts.
 *
 * @module
 */
import { join } from "node:path";
import type { Maildir, MaildirMessage, MaildirSubfolder } from "./maildir.ts";
import { SizedLRU } from "./_sized_lru.ts";

/**
 * A message of a maildir folder with its IMAP UID.
 *
 * @example Usage
 * ```ts
 * import type { UidListEntry } from "@spindle/spindle/protocols/mail";
 * const entry: UidListEntry = {
 *   uid: 1,
 *   message: { subfolder: "new", name: "1.M1.host", key: "1.M1.host", path: "/m/new/1.M1.host", size: 3, mtime: new Date(0) },
 * };
 * console.assert(entry.uid === 1);
 * ```
 */
export interface UidListEntry {
  /** The UID: stable for as long as the list's UIDVALIDITY. */
  readonly uid: number;
  /** The message as it lies now (flags and subfolder may change; its key never does). */
  readonly message: MaildirMessage;
}

/**
 * A folder's messages with their UIDs, as {@linkcode UidList.sync} found them.
 *
 * @example Usage
 * ```ts
 * import type { UidListSnapshot } from "@spindle/spindle/protocols/mail";
 * const empty: UidListSnapshot = { uidValidity: 1_700_000_000, uidNext: 1, entries: [] };
 * console.assert(empty.entries.length === 0);
 * ```
 */
export interface UidListSnapshot {
  /** Changes only when the list was lost (its UIDs may then name other messages). */
  readonly uidValidity: number;
  /** The UID the next new message will get. */
  readonly uidNext: number;
  /** The messages, by ascending UID. */
  readonly entries: readonly UidListEntry[];
}

const FILE = "uidlist";
const LOCK = "uidlist.lock";
const MAGIC = "spindle-uidlist 1";
// A lock file older than this was left by a process that died mid-write
// (a write takes milliseconds).
const STALE_LOCK_MS = 10_000;
const LOCK_RETRY_MS = 5;

// The in-process queue per folder: sessions of one server take turns
// without touching the lock file's retry loop.
const queues = new Map<string, Promise<unknown>>();

interface Record {
  uid: number;
  size: number;
  mtime: number;
  // The entry the last sync made of this message: the next sync hands out
  // the same object while the file keeps its name, so listing a folder that
  // did not change makes no 10,000 fresh entries (bench/imap_bench.ts: what
  // outlived a scavenge grew V8's young generation to 32 MiB semi-spaces).
  entry?: UidListEntry;
  // The sync that last found the file (see `generation`).
  seen?: number;
}

// Numbers each sync, so that marking the records it finds takes no Set of
// 10,000 keys to tell which ones are gone.
let generation = 0;

/**
 * The UIDs of one maildir folder (RFC 9051 §2.3.1.1), kept in `uidlist` in
 * the folder: a header line (`spindle-uidlist 1 UIDVALIDITY UIDNEXT`), then
 * `UID KEY SIZE MTIME` per message, keyed by the part of the file name that
 * never changes. The file is replaced atomically (written aside, renamed
 * over), under a lock file so that servers in several processes
 * (`--workers`) agree. UIDVALIDITY is chosen (the time in seconds) only when
 * there is no list; a list that is lost starts again with a new one, so
 * clients know their cached UIDs are void.
 *
 * Sizes and delivery times are kept in the list too, so that listing a
 * folder it knows costs two directory reads and no `stat` per message.
 *
 * @example Usage
 * ```ts
 * import { Maildir, UidList } from "@spindle/spindle/protocols/mail";
 * const root = await Deno.makeTempDir();
 * const box = new Maildir(root);
 * await box.create();
 * await box.deliver(new TextEncoder().encode("one\r\n"), { fsync: false });
 * const first = await new UidList(box).sync();
 * await box.deliver(new TextEncoder().encode("two\r\n"), { fsync: false });
 * const second = await new UidList(box).sync();
 * console.assert(second.uidValidity === first.uidValidity);
 * console.assert(second.entries.map((e) => e.uid).join() === "1,2");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class UidList {
  readonly #maildir: Maildir;

  /** The list of `maildir` (read and written by {@linkcode UidList.sync}). */
  constructor(maildir: Maildir) {
    this.#maildir = maildir;
  }

  /**
   * Lists the folder, gives each message not in the list the next UID (in
   * delivery order), forgets the messages that are gone, and writes the
   * list if that changed it.
   */
  sync(): Promise<UidListSnapshot> {
    const path = this.#maildir.path;
    const previous = queues.get(path) ?? Promise.resolve();
    const run = previous.then(
      () => this.#lockedSync(),
      () => this.#lockedSync(),
    );
    const tail = run.catch(() => {});
    queues.set(path, tail);
    tail.then(() => {
      if (queues.get(path) === tail) queues.delete(path);
    });
    return run;
  }

  async #lockedSync(): Promise<UidListSnapshot> {
    const lock = join(this.#maildir.path, LOCK);
    await takeLock(lock);
    try {
      return await this.#sync();
    } finally {
      await Deno.remove(lock).catch(() => {});
    }
  }

  async #sync(): Promise<UidListSnapshot> {
    const dir = this.#maildir.path;
    const file = join(dir, FILE);
    const list = await readList(file);
    let { uidValidity, uidNext, records } = list;
    // The map may be the remembered list itself: copied before a change.
    let own = list.cached !== true;
    const change = (): Map<string, Record> => {
      if (!own) {
        records = new Map(records);
        own = true;
      }
      return records;
    };
    let changed = false;
    if (!(uidValidity > 0) || !(uidNext > 0)) {
      // No list, or one we cannot read: a new UIDVALIDITY voids the old UIDs.
      uidValidity = Math.floor(Date.now() / 1000);
      uidNext = 1;
      change().clear();
      changed = true;
    }
    const found: { subfolder: MaildirSubfolder; name: string; key: string }[] =
      [];
    for (const subfolder of ["new", "cur"] as const) {
      // Synchronous: one call for the whole folder costs half what the
      // asynchronous iteration does (10,000 names: 15 against 30 ms).
      for (const entry of Deno.readDirSync(`${dir}/${subfolder}`)) {
        if (!entry.isFile || entry.name.startsWith(".")) continue;
        const colon = entry.name.indexOf(":");
        const key = colon < 0 ? entry.name : entry.name.slice(0, colon);
        found.push({ subfolder, name: entry.name, key });
      }
    }
    const mark = ++generation;
    let marked = 0;
    const fresh: { key: string; size: number; mtime: number }[] = [];
    const freshKeys = new Set<string>();
    for (const { subfolder, name, key } of found) {
      const record = records.get(key);
      if (record !== undefined) {
        if (record.seen !== mark) {
          record.seen = mark;
          marked++;
        }
        continue;
      }
      if (freshKeys.has(key)) continue;
      try {
        // Synchronous too: each asynchronous stat is a trip through Deno's
        // blocking thread pool, and a first SELECT of 10,000 new messages
        // took 630-840 ms and 148-152 MiB of peak memory with them, 210 ms
        // and 130 MiB without (bench/imap_bench.ts).
        const info = Deno.statSync(join(dir, subfolder, name));
        fresh.push({ key, size: info.size, mtime: info.mtime?.getTime() ?? 0 });
        freshKeys.add(key);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        // Removed while we looked.
      }
    }
    if (marked < records.size) {
      for (const [key, record] of change()) {
        if (record.seen !== mark) records.delete(key);
      }
      changed = true;
    }
    fresh.sort((a, b) =>
      a.mtime - b.mtime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    );
    for (const { key, size, mtime } of fresh) {
      change().set(key, { uid: uidNext++, size, mtime, seen: mark });
      changed = true;
    }
    if (changed) await writeList(file, uidValidity, uidNext, records);
    else if (list.cached !== true) {
      remember(file, uidValidity, uidNext, records);
    }
    const entries: UidListEntry[] = [];
    for (const { subfolder, name, key } of found) {
      const record = records.get(key);
      if (record === undefined) continue;
      let entry = record.entry;
      if (
        entry === undefined || entry.uid !== record.uid ||
        entry.message.name !== name || entry.message.subfolder !== subfolder
      ) {
        entry = record.entry = {
          uid: record.uid,
          message: {
            subfolder,
            name,
            key,
            path: `${dir}/${subfolder}/${name}`,
            size: record.size,
            mtime: new Date(record.mtime),
          },
        };
      }
      entries.push(entry);
    }
    entries.sort((a, b) => a.uid - b.uid);
    return { uidValidity, uidNext, entries };
  }
}

interface ParsedList {
  uidValidity: number;
  uidNext: number;
  records: Map<string, Record>;
  /** Whether it came from memory (the file had not changed). */
  cached?: boolean;
}

// The last list each folder's file held, by path, with the file's identity:
// a SELECT of a folder nobody changed reuses it instead of parsing 10,000
// lines again. The file is only ever replaced by rename, so a new inode,
// size or time means new contents.
// Bounded by the messages the lists hold, the least recently used folder
// dropped first, so a long-running server that serves many users does not
// keep every folder it ever listed.
const MAX_REMEMBERED_MESSAGES = 200_000;
const parsed = new SizedLRU<string, ParsedList & { stamp: string }>(
  MAX_REMEMBERED_MESSAGES,
  (list) => list.records.size,
);

function stampOf(info: Deno.FileInfo): string {
  return `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
}

function remember(
  file: string,
  uidValidity: number,
  uidNext: number,
  records: Map<string, Record>,
): void {
  try {
    const stamp = stampOf(Deno.statSync(file));
    parsed.set(file, {
      uidValidity,
      uidNext,
      records: new Map(records),
      stamp,
    });
  } catch {
    parsed.delete(file);
  }
}

async function readList(file: string): Promise<ParsedList> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    parsed.delete(file);
    return { uidValidity: 0, uidNext: 1, records: new Map() };
  }
  const known = parsed.get(file);
  if (known !== undefined && known.stamp === stampOf(info)) {
    // Not copied: the caller copies it before it changes it.
    return {
      uidValidity: known.uidValidity,
      uidNext: known.uidNext,
      records: known.records,
      cached: true,
    };
  }
  let text = "";
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const list: ParsedList = { uidValidity: 0, uidNext: 1, records: new Map() };
  const lines = text.split("\n");
  const header = lines[0]!.split(" ");
  if (`${header[0]} ${header[1]}` !== MAGIC) return list;
  list.uidValidity = Number(header[2]);
  list.uidNext = Number(header[3]);
  for (let i = 1; i < lines.length; i++) {
    const [uid, key, size, mtime] = lines[i]!.split(" ");
    if (key === undefined || mtime === undefined) continue;
    list.records.set(key, {
      uid: Number(uid),
      size: Number(size),
      mtime: Number(mtime),
    });
  }
  return list;
}

async function writeList(
  file: string,
  uidValidity: number,
  uidNext: number,
  records: Map<string, Record>,
): Promise<void> {
  const lines = [`${MAGIC} ${uidValidity} ${uidNext}`];
  const sorted = [...records].sort((a, b) => a[1].uid - b[1].uid);
  for (const [key, { uid, size, mtime }] of sorted) {
    lines.push(`${uid} ${key} ${size} ${mtime}`);
  }
  const aside = `${file}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(aside, lines.join("\n") + "\n", { mode: 0o600 });
  await Deno.rename(aside, file);
  remember(file, uidValidity, uidNext, records);
}

async function takeLock(path: string): Promise<void> {
  for (;;) {
    try {
      (await Deno.open(path, { write: true, createNew: true, mode: 0o600 }))
        .close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    try {
      const info = await Deno.stat(path);
      if (Date.now() - (info.mtime?.getTime() ?? 0) > STALE_LOCK_MS) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
    } catch {
      continue; // released while we looked
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
}
