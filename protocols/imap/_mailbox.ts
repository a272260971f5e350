// A user's mailboxes as IMAP names them (INBOX and Maildir++ folders, "."
// the hierarchy separator, names in modified UTF-7 on the wire and on disk),
// and the selected mailbox's view: sequence numbers, UIDs and flags.
import { join } from "node:path";
import { checkMailboxName, type Maildir } from "../mail/maildir.ts";
import { maildirFlags } from "../mail/maildir_flags.ts";
import { UidList, type UidListSnapshot } from "../mail/uid_list.ts";
import type { MaildirMessage, MaildirSubfolder } from "../mail/maildir.ts";
import { decodeMailboxName, encodeMailboxName } from "./_mutf7.ts";

/** The hierarchy separator: Maildir++'s own, so a name is its folder's. */
export const SEPARATOR = ".";

/**
 * The maildir of mailbox `name` for the user whose maildir is `home`, with
 * its canonical name, or null when the name cannot name one of the user's
 * mailboxes: anything that could reach outside the maildir ("..", "/",
 * an absolute path, a wildcard, control characters) or a modified UTF-7
 * spelling that is not the one canonical spelling.
 */
export function resolveMailbox(
  home: Maildir,
  name: string,
): { name: string; maildir: Maildir } | null {
  if (name.endsWith(SEPARATOR)) name = name.slice(0, -1);
  if (name.toUpperCase() === "INBOX") return { name: "INBOX", maildir: home };
  if (name === "" || /[%*\\]/.test(name)) return null;
  const decoded = decodeMailboxName(name);
  if (decoded === null || encodeMailboxName(decoded) !== name) return null;
  try {
    for (const part of name.split(SEPARATOR)) checkMailboxName(part, "folder");
    return { name, maildir: home.folder(name) };
  } catch {
    return null;
  }
}

/** Every selectable mailbox name of `home`: INBOX and its folders. */
export async function mailboxNames(home: Maildir): Promise<string[]> {
  const names = ["INBOX"];
  for (const folder of await home.folders()) {
    if (resolveMailbox(home, folder) !== null) names.push(folder);
  }
  return names;
}

/** The regular expression of a LIST pattern (`*` any, `%` any but the separator). */
export function listPattern(pattern: string): RegExp {
  let source = "";
  for (const c of pattern) {
    source += c === "*"
      ? ".*"
      : c === "%"
      ? "[^.]*"
      : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  // INBOX is case-insensitive, whatever follows it (RFC 9051 §5.1).
  if (/^inbox/i.test(pattern)) {
    source = `(?:INBOX|inbox|Inbox)${source.slice(5)}`;
  }
  return new RegExp(`^${source}$`, /^inbox/i.test(pattern) ? "i" : "");
}

const SUBSCRIPTIONS = "subscriptions";

/** The subscribed names (Dovecot's `subscriptions` file, one per line). */
export async function readSubscriptions(home: Maildir): Promise<Set<string>> {
  try {
    const text = await Deno.readTextFile(join(home.path, SUBSCRIPTIONS));
    return new Set(text.split("\n").filter((line) => line !== ""));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Set();
    throw error;
  }
}

/** Replaces the subscriptions atomically (written aside, renamed over). */
export async function writeSubscriptions(
  home: Maildir,
  names: Set<string>,
): Promise<void> {
  const path = join(home.path, SUBSCRIPTIONS);
  const aside = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(aside, [...names].map((n) => `${n}\n`).join(""), {
    mode: 0o600,
  });
  await Deno.rename(aside, path);
}

// How old a folder's time must be before an unchanged time proves that
// nothing changed (file systems with whole-second times included).
const STAMP_SLACK_MS = 2_000;

// One Set for each list of flags a file name gives, shared by every message
// with that list (at most 326: the ordered choices of the five the maildir
// keeps): a Set a message was most of the 290 bytes its view took, and a
// first SELECT of 10,000 messages made 10,000 of them.
const flagSets = new Map<string, ReadonlySet<string>>();

/** The flags of the message file `name`, as a Set shared by all that have them. */
export function flagsOf(name: string): ReadonlySet<string> {
  const flags = maildirFlags(name);
  const key = flags.join(" ");
  let set = flagSets.get(key);
  if (set === undefined) {
    set = new Set(flags);
    flagSets.set(key, set);
  }
  return set;
}

/** A message as the selected mailbox sees it. */
export interface ViewMessage {
  uid: number;
  message: MaildirMessage;
  flags: ReadonlySet<string>;
}

/** What changed on disk since the view last looked. */
export interface ViewChanges {
  /** Sequence numbers to report expunged, in the order to report them. */
  expunged: number[];
  /** The new EXISTS count, when messages arrived. */
  exists: number | null;
  /** Messages whose flags changed. */
  flagsChanged: ViewMessage[];
}

/** Where a message's file is now. */
interface Located {
  subfolder: MaildirSubfolder;
  name: string;
}

/** The selected mailbox: its messages in sequence order. */
export class MailboxView {
  readonly name: string;
  readonly maildir: Maildir;
  readonly readOnly: boolean;
  readonly uids: UidList;
  uidValidity = 0;
  uidNext = 1;
  messages: ViewMessage[] = [];

  constructor(name: string, maildir: Maildir, readOnly: boolean) {
    this.name = name;
    this.maildir = maildir;
    this.readOnly = readOnly;
    this.uids = new UidList(maildir);
  }

  #seen = "";
  #pendingExpunge = false;
  #listing: Promise<Map<string, Located>> | null = null;

  // The folders' times, or "" when they are too recent to trust: a time is
  // read in milliseconds (some file systems keep whole seconds), so a change
  // made in the same tick as the last look would leave it as it was.
  async #stamp(): Promise<string> {
    const now = Date.now();
    const [fresh, current] = await Promise.all([
      Deno.stat(`${this.maildir.path}/new`),
      Deno.stat(`${this.maildir.path}/cur`),
    ]);
    const a = fresh.mtime?.getTime() ?? now;
    const b = current.mtime?.getTime() ?? now;
    return Math.max(a, b) > now - STAMP_SLACK_MS ? "" : `${a}:${b}`;
  }

  /** Reads the mailbox for SELECT. */
  async open(): Promise<void> {
    this.#listing = null;
    this.#seen = await this.#stamp();
    const snapshot = await this.uids.sync();
    this.#adopt(snapshot);
    this.messages = snapshot.entries.map(({ uid, message }) => ({
      uid,
      message,
      flags: flagsOf(message.name),
    }));
  }

  /**
   * Reads the mailbox for a SELECT of the mailbox `previous` shows (the
   * session's last SELECT, of the same folder): its messages are taken over
   * and brought up to date as at NOOP, so when neither folder changed, a
   * SELECT of 10,000 messages lists no file and leaves no 10,000 objects to
   * the collector.
   */
  async reopen(previous: MailboxView): Promise<void> {
    this.#seen = previous.#seen;
    this.#pendingExpunge = previous.#pendingExpunge;
    this.uidValidity = previous.uidValidity;
    this.uidNext = previous.uidNext;
    this.messages = previous.messages;
    // Expunges are not reported: the new SELECT counts from what is left.
    await this.refresh(true);
  }

  #adopt(snapshot: UidListSnapshot): void {
    this.uidValidity = snapshot.uidValidity;
    this.uidNext = snapshot.uidNext;
  }

  /**
   * Looks at the disk again. With `expunge` false (during FETCH, STORE and
   * SEARCH, RFC 9051 §7.5.1), messages that are gone stay in the view (their
   * reads fail) and are reported at a later call.
   */
  async refresh(expunge = true): Promise<ViewChanges> {
    this.#listing = null;
    // Any delivery, flag change or removal renames or unlinks a file in
    // new/ or cur/, which changes that folder's time: when neither changed,
    // nothing did, and an idle session's poll costs two stats, not a
    // listing of the whole mailbox.
    const stamp = await this.#stamp();
    if (stamp !== "" && stamp === this.#seen && !this.#pendingExpunge) {
      return { expunged: [], exists: null, flagsChanged: [] };
    }
    const snapshot = await this.uids.sync();
    this.#adopt(snapshot);
    const changes: ViewChanges = {
      expunged: [],
      exists: null,
      flagsChanged: [],
    };
    // Both lists run by ascending UID, so one walk along the snapshot finds
    // each message's file: no Map of 10,000 that lives through the look.
    const entries = snapshot.entries;
    let at = 0;
    const kept: ViewMessage[] = [];
    for (let i = 0; i < this.messages.length; i++) {
      const view = this.messages[i]!;
      while (at < entries.length && entries[at]!.uid < view.uid) at++;
      const now = entries[at]?.uid === view.uid
        ? entries[at]!.message
        : undefined;
      if (now === undefined && expunge) {
        // Reported with the numbering of the moment: lower ones shift it.
        changes.expunged.push(kept.length + 1);
        continue;
      }
      kept.push(view);
      if (now === undefined || now.name === view.message.name) continue;
      view.message = now;
      const flags = flagsOf(now.name);
      if (!sameFlags(flags, view.flags)) {
        view.flags = flags;
        changes.flagsChanged.push(view);
      }
    }
    const last = kept.at(-1)?.uid ?? 0;
    const before = kept.length;
    for (const entry of snapshot.entries) {
      if (entry.uid <= last) continue;
      kept.push({
        uid: entry.uid,
        message: entry.message,
        flags: flagsOf(entry.message.name),
      });
    }
    if (kept.length !== before) changes.exists = kept.length;
    this.messages = kept;
    this.#seen = stamp;
    // Expunges held back are reported at the next call that may send them.
    this.#pendingExpunge = !expunge && kept.length > snapshot.entries.length;
    return changes;
  }

  /** The view's message of `uid`, found again on disk when another session renamed it. */
  async locate(view: ViewMessage): Promise<MaildirMessage | null> {
    const current = view.message;
    // Taken before any await: the reads a FETCH has in flight come here
    // together, and share one listing.
    const listing = this.#listing ?? this.#newListing();
    let found = (await listing).get(current.key);
    // A name the session already knows is older than the rename that sent
    // it here: list again (once for all who find it so). A key missing from
    // a listing made since the last refresh, when every message of the view
    // existed, is gone.
    if (found?.subfolder === current.subfolder && found.name === current.name) {
      const again = this.#listing === listing
        ? this.#newListing()
        : this.#listing ?? this.#newListing();
      found = (await again).get(current.key);
    }
    if (found === undefined) return null;
    view.message = {
      ...current,
      subfolder: found.subfolder,
      name: found.name,
      path: join(this.maildir.path, found.subfolder, found.name),
    };
    view.flags = flagsOf(found.name);
    return view.message;
  }

  #newListing(): Promise<Map<string, Located>> {
    const listing = this.#list();
    this.#listing = listing;
    listing.catch(() => {
      if (this.#listing === listing) this.#listing = null;
    });
    return listing;
  }

  // One listing of new/ and cur/ by message key, which locate() keeps until
  // the next refresh: when another session renamed 10,000 messages, one
  // listing finds them all, not one listing each.
  async #list(): Promise<Map<string, Located>> {
    const listing = new Map<string, Located>();
    for (const subfolder of ["cur", "new"] as const) {
      for await (
        const entry of Deno.readDir(join(this.maildir.path, subfolder))
      ) {
        const colon = entry.name.indexOf(":");
        const key = colon < 0 ? entry.name : entry.name.slice(0, colon);
        listing.set(key, { subfolder, name: entry.name });
      }
    }
    return listing;
  }
}

function sameFlags(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const flag of a) if (!b.has(flag)) return false;
  return true;
}
