/**
 * {@linkcode MailStore}: the mail root that the SMTP, POP3 and IMAP servers
 * share, one maildir per user.
 *
 * @module
 */
import { join } from "node:path";
import { checkMailboxName, Maildir } from "./maildir.ts";

/**
 * A mail root folder holding one maildir per user: `root/<user>/{tmp,new,cur}`,
 * with the user's Maildir++ folders as `root/<user>/.Name`. The user names
 * are those of the user file (`cred/`); `alice@DOMAIN` delivers to
 * `root/alice` for every domain served.
 *
 * @example Usage
 * ```ts
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * const root = await Deno.makeTempDir();
 * const store = new MailStore(root);
 * await store.createMailboxes(["alice", "bob"]);
 * console.assert(await store.mailbox("alice").exists());
 * console.assert(await store.hasMailbox("bob") && !(await store.hasMailbox("carol")));
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class MailStore {
  /** The mail root folder. */
  readonly root: string;

  /** The store under `root`; nothing is created until a mailbox is. */
  constructor(root: string) {
    this.root = root;
  }

  /**
   * The maildir of `user` (not created: see
   * {@linkcode MailStore.createMailboxes}). Throws `MailboxNameError` for a
   * name that would reach outside the root (`..`, `a/b`) or into a folder.
   */
  mailbox(user: string): Maildir {
    checkMailboxName(user);
    return new Maildir(join(this.root, user));
  }

  /** Whether `user` has a maildir here; a name that cannot have one has none. */
  async hasMailbox(user: string): Promise<boolean> {
    try {
      checkMailboxName(user);
    } catch {
      return false;
    }
    return await this.mailbox(user).exists();
  }

  /**
   * Creates the maildir of each of `users` that lacks one (the servers do it
   * on start for every user of the user file).
   */
  async createMailboxes(users: Iterable<string>): Promise<void> {
    await Deno.mkdir(this.root, { recursive: true, mode: 0o700 });
    for (const user of users) await this.mailbox(user).create();
  }
}
