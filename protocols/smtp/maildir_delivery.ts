/**
 * {@linkcode MaildirDelivery}: the SMTP server's delivery into the maildir
 * store the POP3 and IMAP servers read.
 *
 * @module
 */
import { deliverMessage, type Maildir } from "../mail/maildir.ts";
import type { MailStore } from "../mail/store.ts";
import type {
  SMTPAddress,
  SMTPDelivery,
  SMTPEnvelope,
  SMTPSession,
} from "./delivery.ts";
import { SMTPPermanentError } from "./errors.ts";
import { traceHeaders } from "./trace.ts";

/**
 * Options of {@linkcode MaildirDelivery}.
 *
 * @example Usage
 * ```ts
 * import type { MaildirDeliveryOptions } from "@spindle/spindle/protocols/smtp";
 * const options: MaildirDeliveryOptions = { fsync: false };
 * console.assert(options.fsync === false);
 * ```
 */
export interface MaildirDeliveryOptions {
  /** Flush each message to disk before it is acknowledged (default true). */
  fsync?: boolean;
}

/**
 * Delivers mail for the server's domains into a {@linkcode MailStore}:
 * `alice@DOMAIN` (any domain the server serves) goes to the user `alice`'s
 * maildir, `new/`, with `Return-Path:` and one `Received:` header in front
 * and the rest stored exactly as received. A recipient without a maildir gets
 * `550 5.1.1`; one outside the server's domains `550 5.7.1` (this delivery
 * relays nothing, even for authenticated senders). The message is written
 * while it arrives and appears in `new/` only once it ended cleanly.
 *
 * @example Usage
 * ```ts
 * import { MailStore } from "@spindle/spindle/protocols/mail";
 * import { MaildirDelivery, SMTPServer } from "@spindle/spindle/protocols/smtp";
 * const store = new MailStore(await Deno.makeTempDir());
 * await store.createMailboxes(["alice"]);
 * const server = new SMTPServer(new MaildirDelivery(store), { domains: ["example.test"] });
 * console.assert(server.sessionCount === 0);
 * await Deno.remove(store.root, { recursive: true });
 * ```
 */
export class MaildirDelivery implements SMTPDelivery {
  readonly #store: MailStore;
  readonly #fsync: boolean;
  // The maildirs of users seen: a mailbox stays once made, so it is looked
  // for once, not three stats per recipient.
  readonly #known = new Map<string, Maildir>();

  /** Delivers into `store`. */
  constructor(store: MailStore, options: MaildirDeliveryOptions = {}) {
    this.#store = store;
    this.#fsync = options.fsync ?? true;
  }

  /** Accepts a recipient of a served domain who has a maildir. */
  validateTo(to: SMTPAddress, _session: SMTPSession): void | Promise<void> {
    if (!to.local) {
      throw new SMTPPermanentError(
        550,
        "5.7.1",
        "This server delivers only to its own domains",
      );
    }
    // A known user is answered without a promise (once per recipient).
    if (this.#known.has(to.localPart)) return;
    return this.#look(to.localPart);
  }

  async #look(user: string): Promise<void> {
    if (!(await this.#store.hasMailbox(user))) {
      throw new SMTPPermanentError(550, "5.1.1", "No such user here");
    }
    this.#known.set(user, this.#store.mailbox(user));
  }

  /** Writes the message, trace headers first, to each recipient's `new/`. */
  async receiveMessage(
    envelope: SMTPEnvelope,
    message: ReadableStream<Uint8Array>,
  ): Promise<void> {
    const users = envelope.to.length === 1
      ? [envelope.to[0]!.localPart]
      : [...new Set(envelope.to.map((to) => to.localPart))];
    const maildirs: Maildir[] = users.map((user) =>
      this.#known.get(user) ?? this.#store.mailbox(user)
    );
    await deliverMessage(maildirs, message, {
      fsync: this.#fsync,
      prefix: encoder.encode(traceHeaders(envelope)),
    });
  }
}

const encoder = new TextEncoder();
