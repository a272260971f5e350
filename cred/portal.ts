/**
 * `Portal` and `Realm`: a login goes through the portal, which asks the
 * checker for the credentials' type for an avatar id, then asks the realm
 * for that id's avatar (Twisted's `Portal.login` and `IRealm`).
 *
 * @module
 */
import type { CredentialsChecker } from "./checker.ts";
import type { CredentialsType } from "./credentials.ts";
import { UnhandledCredentialsError } from "./errors.ts";

/**
 * What a realm answers with: the avatar, the interface it chose among those
 * asked for, and how to end the session.
 *
 * @example Usage
 * ```ts
 * import type { AvatarResult } from "@spindle/spindle/cred";
 * const result: AvatarResult<{ home: string }> = {
 *   interface: "shell",
 *   avatar: { home: "/home/alice" },
 *   logout: () => {},
 * };
 * console.assert(result.avatar.home === "/home/alice");
 * ```
 */
export interface AvatarResult<A> {
  /** Which of the asked-for interfaces the avatar provides. */
  interface: string;
  /** The avatar: the server-side object the session acts through. */
  avatar: A;
  /** Ends the session: release what the avatar holds. */
  logout?: () => void | Promise<void>;
}

/**
 * Makes avatars for avatar ids (Twisted's `IRealm`): the part of a server
 * that knows what a logged-in user may do.
 *
 * @example A realm of mailboxes
 * ```ts
 * import type { Realm } from "@spindle/spindle/cred";
 * const realm: Realm<string[]> = {
 *   requestAvatar(avatarId, _mind, interfaces) {
 *     if (!interfaces.includes("mailbox")) throw new Error("mailboxes only");
 *     return { interface: "mailbox", avatar: [`mail of ${avatarId}`] };
 *   },
 * };
 * ```
 */
export interface Realm<A, M = unknown> {
  /**
   * The avatar of `avatarId` for a session whose client side is `mind`
   * (whatever the protocol passes: often the connection, or `null`),
   * providing one of `interfaces`, in the order the protocol prefers them.
   */
  requestAvatar(
    avatarId: string,
    mind: M,
    interfaces: readonly string[],
  ): AvatarResult<A> | Promise<AvatarResult<A>>;
}

/**
 * A successful login: who, as what, and how to end it.
 *
 * @example Usage
 * ```ts
 * import type { LoginResult } from "@spindle/spindle/cred";
 * const result: LoginResult<string> = {
 *   avatarId: "alice",
 *   interface: "shell",
 *   avatar: "alice's shell",
 *   logout: () => Promise.resolve(),
 * };
 * console.assert(result.avatarId === "alice");
 * ```
 */
export interface LoginResult<A> {
  /** The id the checker proved, usually the user name. */
  avatarId: string;
  /** Which interface the realm chose. */
  interface: string;
  /** The avatar. */
  avatar: A;
  /** Ends the session; calling it again does nothing. */
  logout: () => Promise<void>;
}

/**
 * Joins checkers to a realm: `login` picks the checker registered for the
 * credentials' class, gets the avatar id from it, and the avatar from the
 * realm. Every protocol logs in this way, so one server configuration (one
 * user file, one key list) serves mail, SSH, FTP, SOCKS and IRC alike.
 *
 * @example Usage
 * ```ts
 * import { InMemoryPasswordChecker, Portal, UsernamePassword } from "@spindle/spindle/cred";
 * const portal = new Portal(
 *   { requestAvatar: (id) => ({ interface: "echo", avatar: `hello, ${id}` }) },
 *   [new InMemoryPasswordChecker({ alice: "secret" })],
 * );
 * const { avatar, logout } = await portal.login(
 *   new UsernamePassword("alice", "secret"),
 *   null,
 *   "echo",
 * );
 * console.assert(avatar === "hello, alice");
 * await logout();
 * ```
 */
export class Portal<A, M = unknown> {
  readonly #realm: Realm<A, M>;
  readonly #checkers = new Map<CredentialsType, CredentialsChecker>();

  /** Creates the portal for `realm` with `checkers`. */
  constructor(
    realm: Realm<A, M>,
    checkers: readonly CredentialsChecker[] = [],
  ) {
    this.#realm = realm;
    for (const checker of checkers) this.registerChecker(checker);
  }

  /**
   * Adds `checker` for the credential classes it lists; a later checker for
   * the same class replaces the earlier one.
   *
   * @example Usage
   * ```ts
   * import { AnonymousChecker, Portal } from "@spindle/spindle/cred";
   * const portal = new Portal({ requestAvatar: () => ({ interface: "ftp", avatar: 0 }) });
   * portal.registerChecker(new AnonymousChecker());
   * console.assert(portal.credentialInterfaces().length === 1);
   * ```
   */
  registerChecker(checker: CredentialsChecker): void {
    for (const type of checker.credentialInterfaces) {
      this.#checkers.set(type, checker);
    }
  }

  /**
   * The credential classes some checker handles: what login methods a
   * protocol may offer.
   *
   * @example Usage
   * ```ts
   * import { Portal } from "@spindle/spindle/cred";
   * const portal = new Portal({ requestAvatar: () => ({ interface: "x", avatar: 0 }) });
   * console.assert(portal.credentialInterfaces().length === 0);
   * ```
   */
  credentialInterfaces(): CredentialsType[] {
    return [...this.#checkers.keys()];
  }

  /**
   * Logs `credentials` in and gets the avatar for `mind`, providing one of
   * `interfaces`. Rejects with `UnauthorizedLoginError` (or a subclass) when
   * the checker refuses, `UnhandledCredentialsError` when no checker takes
   * this class of credentials, and with the realm's error if it fails.
   *
   * @example Usage
   * ```ts
   * import { Anonymous, AnonymousChecker, Portal } from "@spindle/spindle/cred";
   * const portal = new Portal(
   *   { requestAvatar: (id) => ({ interface: "ftp", avatar: id }) },
   *   [new AnonymousChecker()],
   * );
   * const { avatarId } = await portal.login(new Anonymous(), null, "ftp");
   * console.assert(avatarId === "anonymous");
   * ```
   */
  async login(
    credentials: object,
    mind: M,
    ...interfaces: string[]
  ): Promise<LoginResult<A>> {
    const checker = this.#checkerFor(credentials);
    const avatarId = await checker.requestAvatarId(credentials);
    const result = await this.#realm.requestAvatar(avatarId, mind, interfaces);
    let loggedOut = false;
    return {
      avatarId,
      interface: result.interface,
      avatar: result.avatar,
      logout: async () => {
        if (loggedOut) return;
        loggedOut = true;
        await result.logout?.();
      },
    };
  }

  #checkerFor(credentials: object): CredentialsChecker {
    for (const [type, checker] of this.#checkers) {
      if (credentials instanceof type) return checker;
    }
    throw new UnhandledCredentialsError(
      credentials.constructor.name,
      [...this.#checkers.keys()].map((type) => type.name),
    );
  }
}
