/**
 * The mail store that Spindle's mail servers share (Twisted's
 * `twisted.mail.maildir`): SMTP delivers into it, POP3 and IMAP read it.
 *
 * - {@linkcode MailStore}: the mail root, one maildir per user,
 *   `ROOT/<user>/{tmp,new,cur}` (`mailbox(user)`, `hasMailbox(user)`,
 *   `createMailboxes(users)`: the servers create one for each user of the
 *   user file on start). User and folder names are checked so that none
 *   reaches outside the root ({@linkcode MailboxNameError}).
 * - {@linkcode Maildir}: one maildir.
 *   - `deliver(bytes | chunks)` and {@linkcode deliverMessage} (one message
 *     to several maildirs, read once): write to `tmp/` under a unique name
 *     (`TIME.M<usec>P<pid>Q<n>R<random>.HOST`), fsync, rename into `new/`;
 *     a source that fails removes the `tmp/` files and delivers nothing.
 *   - `list()`: the messages of `new/` and `cur/`, oldest first, each a
 *     {@linkcode MaildirMessage}: `subfolder` (`"new"` / `"cur"`), file
 *     `name` (flags included), `key` (the name up to `:`, stable across
 *     moves and flag changes), `path`, `size` (bytes on disk, CRLF kept),
 *     `mtime`.
 *   - `read(message)`, `open(message)` (a stream), `remove(message)`.
 *   - `folder("Name")` (Maildir++ `.Name`, nested `A.B`), `folders()`.
 *   - `lock()`: exclusive access for one session across processes (a
 *     `spindle.lock` file holding the owner's pid, taken over when that
 *     process died), or {@linkcode MailboxLockedError} at once.
 * - IMAP's view of a maildir: {@linkcode UidList} (UIDs stable across
 *   restarts, in a `uidlist` file per folder) and the flags of the `:2,`
 *   suffix ({@linkcode maildirFlags}, {@linkcode setMaildirFlags}).
 * - {@linkcode MailRealm}: the `cred/` realm whose avatar for a user is their
 *   maildir, for a `Portal` with the user file's checker.
 * - SASL parsing for the login commands: {@linkcode decodeSaslPlain} (RFC
 *   4616) and {@linkcode decodeSaslBase64} (LOGIN's lines).
 * - {@linkcode DotStuffer}: the dot-stuffing of SMTP DATA and POP3's
 *   multi-line replies.
 * - {@linkcode peerHost}: a peer address's host, for logs, login limits and
 *   trace headers.
 *
 * Messages are stored exactly as received (after SMTP's dot-unstuffing),
 * with CRLF line ends, so POP3's RETR and IMAP's BODY[] send the file as it
 * is.
 *
 * @example Usage
 * ```ts
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * const root = await Deno.makeTempDir();
 * const store = new MailStore(root);
 * await store.createMailboxes(["alice"]);
 * const alice = store.mailbox("alice");
 * await alice.deliver(new TextEncoder().encode("Subject: hi\r\n\r\nhello\r\n"));
 * const [message] = await alice.list();
 * console.assert(new TextDecoder().decode(await alice.read(message!)).startsWith("Subject"));
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./dot_stuffing.ts";
export * from "./errors.ts";
export * from "./maildir.ts";
export * from "./peer.ts";
export * from "./realm.ts";
export * from "./sasl.ts";
export * from "./maildir_flags.ts";
export * from "./store.ts";
export * from "./uid_list.ts";

// Types from lower floors that this entry point's signatures use, so its
// documentation is complete on its own.
export type { AvatarResult, Realm } from "../../cred/portal.ts";
export type { Address, MemoryAddr } from "../../reactor/interfaces.ts";
