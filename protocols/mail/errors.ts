/**
 * Errors of the maildir store.
 *
 * @module
 */

/**
 * A user or folder name that cannot name a maildir: empty, with a `/`, or
 * starting with a `.` (which would reach outside the mail root or into
 * another folder).
 *
 * @example Usage
 * ```ts
 * import { MailboxNameError, MailStore } from "@spindle/spindle/protocols/mail";
 * try {
 *   new MailStore("/tmp/mail").mailbox("../etc");
 * } catch (error) {
 *   console.assert(error instanceof MailboxNameError);
 * }
 * ```
 */
export class MailboxNameError extends TypeError {
  /** Creates the error for the bad `name`; `what` says what it was to name. */
  constructor(name: string, what: string) {
    super(
      `${
        JSON.stringify(name)
      } cannot name a ${what}: a name may not be empty, contain '/' or control characters, or start with '.'; pick another`,
    );
    this.name = "MailboxNameError";
  }
}

/**
 * A mailbox is held by another session (of this process or another one) and
 * cannot be locked: try again once that session has ended.
 *
 * @example Usage
 * ```ts
 * import { MailboxLockedError } from "@spindle/spindle/protocols/mail";
 * const error = new MailboxLockedError("/tmp/mail/alice");
 * console.assert(error.message.includes("/tmp/mail/alice"));
 * ```
 */
export class MailboxLockedError extends Error {
  /** Creates the error for the maildir at `path`. */
  constructor(path: string) {
    super(
      `the mailbox ${path} is locked by another session: try again once it has ended`,
    );
    this.name = "MailboxLockedError";
  }
}
