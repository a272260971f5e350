/**
 * Message flags in maildir file names: the `:2,` suffix of the maildir
 * specification (cr.yp.to/proto/maildir.html), one letter per flag in ASCII
 * order, which IMAP's system flags map onto.
 *
 * @module
 */
import { join } from "node:path";
import type { MaildirMessage } from "./maildir.ts";
import type { Maildir } from "./maildir.ts";

/**
 * The maildir letter of each IMAP system flag (`\Recent` has none: it is
 * where a message lies, `new/`).
 *
 * @example Usage
 * ```ts
 * import { MAILDIR_FLAG_LETTERS } from "@spindle/spindle/protocols/mail";
 * console.assert(MAILDIR_FLAG_LETTERS["\\Seen"] === "S");
 * ```
 */
export const MAILDIR_FLAG_LETTERS: Readonly<Record<string, string>> = {
  "\\Draft": "D",
  "\\Flagged": "F",
  "\\Answered": "R",
  "\\Seen": "S",
  "\\Deleted": "T",
};

const FLAG_OF_LETTER: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(MAILDIR_FLAG_LETTERS).map(([flag, letter]) => [letter, flag]),
);

/**
 * The IMAP system flags a maildir file name carries in its `:2,` suffix, in
 * the order of their letters; letters of no system flag (Dovecot's keyword
 * letters) are left out.
 *
 * @example Usage
 * ```ts
 * import { maildirFlags } from "@spindle/spindle/protocols/mail";
 * console.assert(maildirFlags("1.M2P3.host:2,FS").join(" ") === "\\Flagged \\Seen");
 * console.assert(maildirFlags("1.M2P3.host").length === 0);
 * ```
 */
export function maildirFlags(name: string): string[] {
  const info = name.lastIndexOf(":2,");
  if (info < 0) return [];
  const flags: string[] = [];
  for (const letter of name.slice(info + 3)) {
    const flag = FLAG_OF_LETTER[letter];
    if (flag !== undefined) flags.push(flag);
  }
  return flags;
}

/**
 * The file name of the message `name` with its system flags set to `flags`
 * (case-insensitive IMAP names; others ignored). Letters of other flags in
 * the old suffix are kept, and the letters are written in ASCII order, as
 * the specification asks.
 *
 * @example Usage
 * ```ts
 * import { maildirNameWithFlags } from "@spindle/spindle/protocols/mail";
 * console.assert(maildirNameWithFlags("1.M2.host", ["\\Seen", "\\Answered"]) === "1.M2.host:2,RS");
 * console.assert(maildirNameWithFlags("1.M2.host:2,Sa", []) === "1.M2.host:2,a");
 * ```
 */
export function maildirNameWithFlags(
  name: string,
  flags: Iterable<string>,
): string {
  const info = name.lastIndexOf(":2,");
  const base = info < 0 ? name : name.slice(0, info);
  const letters = new Set<string>();
  if (info >= 0) {
    for (const letter of name.slice(info + 3)) {
      if (FLAG_OF_LETTER[letter] === undefined) letters.add(letter);
    }
  }
  for (const flag of flags) {
    const letter = MAILDIR_FLAG_LETTERS[canonicalFlag(flag)];
    if (letter !== undefined) letters.add(letter);
  }
  return `${base}:2,${[...letters].sort().join("")}`;
}

/**
 * Sets the system flags of `message` in `maildir`: renames its file into
 * `cur/` with the new `:2,` suffix (a message once seen by a client leaves
 * `new/`) and returns the message as it is now. A message removed meanwhile
 * (by another session) throws `Deno.errors.NotFound`.
 *
 * @example Usage
 * ```ts
 * import { Maildir, maildirFlags, setMaildirFlags } from "@spindle/spindle/protocols/mail";
 * const root = await Deno.makeTempDir();
 * const box = new Maildir(root);
 * await box.create();
 * await box.deliver(new TextEncoder().encode("hi\r\n"), { fsync: false });
 * const [message] = await box.list();
 * const seen = await setMaildirFlags(box, message!, ["\\Seen"]);
 * console.assert(seen.subfolder === "cur" && maildirFlags(seen.name)[0] === "\\Seen");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function setMaildirFlags(
  maildir: Maildir,
  message: MaildirMessage,
  flags: Iterable<string>,
): Promise<MaildirMessage> {
  const name = maildirNameWithFlags(message.name, flags);
  if (name === message.name && message.subfolder === "cur") return message;
  const path = join(maildir.path, "cur", name);
  await Deno.rename(message.path, path);
  return { ...message, subfolder: "cur", name, path };
}

// IMAP flag names are case-insensitive (RFC 9051 §2.3.2): `\SEEN` is `\Seen`.
function canonicalFlag(flag: string): string {
  const lower = flag.toLowerCase();
  for (const known of Object.keys(MAILDIR_FLAG_LETTERS)) {
    if (known.toLowerCase() === lower) return known;
  }
  return flag;
}
