/**
 * {@linkcode MailRealm}: the `cred/` realm of the mail servers.
 *
 * @module
 */
import type { AvatarResult, Realm } from "../../cred/portal.ts";
import type { Maildir } from "./maildir.ts";
import type { MailStore } from "./store.ts";

/**
 * The realm the mail servers log users in through (with a `Portal` and the
 * user file's checker): the avatar of a user is their maildir in the store,
 * whichever interface (`"smtp"`, `"pop3"`, `"imap"`) the server asks for.
 *
 * @example Usage
 * ```ts
 * import { MailRealm, MailStore } from "@spindle/spindle/protocols/mail";
 * import { InMemoryPasswordChecker, Portal, UsernamePassword } from "@spindle/spindle/cred";
 * const portal = new Portal(new MailRealm(new MailStore("/tmp/mail")), [
 *   new InMemoryPasswordChecker({ alice: "secret" }),
 * ]);
 * const { avatar } = await portal.login(new UsernamePassword("alice", "secret"), null, "pop3");
 * console.assert(avatar.path === "/tmp/mail/alice");
 * ```
 */
export class MailRealm implements Realm<Maildir> {
  readonly #store: MailStore;

  /** The realm over `store`. */
  constructor(store: MailStore) {
    this.#store = store;
  }

  /** The maildir of `avatarId`, for the first of `interfaces`. */
  requestAvatar(
    avatarId: string,
    _mind: unknown,
    interfaces: readonly string[],
  ): AvatarResult<Maildir> {
    return {
      interface: interfaces[0] ?? "mail",
      avatar: this.#store.mailbox(avatarId),
    };
  }
}
