/**
 * What the SMTP server hands mail to (Twisted's `IMessageDelivery`): the
 * session and envelope it describes, and the {@linkcode SMTPDelivery}
 * interface a mail store or relay implements.
 *
 * @module
 */
import type { Address } from "../../reactor/interfaces.ts";

/**
 * A mailbox of a MAIL or RCPT command.
 *
 * @example Usage
 * ```ts
 * import type { SMTPAddress } from "@spindle/spindle/protocols/smtp";
 * const to: SMTPAddress = { address: "alice@example.test", localPart: "alice", domain: "example.test", local: true };
 * console.assert(to.local);
 * ```
 */
export interface SMTPAddress {
  /** `localPart@domain`, as the client wrote it. */
  readonly address: string;
  /** The part before the `@` (quotes kept, if it had them). */
  readonly localPart: string;
  /** The part after the `@`; `""` for `<postmaster>` (RFC 5321 §4.5.1). */
  readonly domain: string;
  /** Whether the domain is one the server serves (`domains`), or `""`. */
  readonly local: boolean;
}

/**
 * What a delivery knows about the SMTP session a command came in.
 *
 * @example Usage
 * ```ts
 * import type { SMTPSession } from "@spindle/spindle/protocols/smtp";
 * function describe(session: SMTPSession): string {
 *   return `${session.helo ?? "?"} ${session.tls ? "over TLS" : "in clear"}`;
 * }
 * console.assert(typeof describe === "function");
 * ```
 */
export interface SMTPSession {
  /** The peer's address. */
  readonly remoteAddr: Address;
  /** The name the client gave in EHLO/HELO, or `null` before it did. */
  readonly helo: string | null;
  /** Whether the client said EHLO (ESMTP) rather than HELO. */
  readonly esmtp: boolean;
  /** Whether the connection is encrypted (implicit TLS or STARTTLS). */
  readonly tls: boolean;
  /** The user the client authenticated as, or `null`. */
  readonly user: string | null;
}

/**
 * One message's envelope, as the server hands it to
 * {@linkcode SMTPDelivery.receiveMessage}.
 *
 * @example Usage
 * ```ts
 * import type { SMTPEnvelope } from "@spindle/spindle/protocols/smtp";
 * const recipients = (envelope: SMTPEnvelope) => envelope.to.map((to) => to.address);
 * console.assert(typeof recipients === "function");
 * ```
 */
export interface SMTPEnvelope {
  /** The message's id, in the server's log lines and its `250` reply. */
  readonly id: string;
  /** The reverse path; `null` for `<>` (a bounce). */
  readonly from: SMTPAddress | null;
  /** The recipients `validateTo` accepted, in order. */
  readonly to: readonly SMTPAddress[];
  /** The session the message came in. */
  readonly session: SMTPSession;
  /** The server's own name (in the `Received:` header). */
  readonly hostname: string;
  /** When the server began to receive it. */
  readonly date: Date;
}

/**
 * Where the SMTP server hands mail (Twisted's `IMessageDelivery`): a mail
 * store, a relay queue, a test's list. To refuse a sender, a recipient or a
 * message, throw an `SMTPReplyError` (`SMTPReplyError.of(550, "5.1.1", "no
 * such user")`): its reply is sent. Any other error is answered `451 4.3.0`
 * and logged.
 *
 * @example A delivery that keeps messages in memory
 * ```ts
 * import type { SMTPDelivery } from "@spindle/spindle/protocols/smtp";
 * const inbox: Uint8Array[] = [];
 * const delivery: SMTPDelivery = {
 *   validateTo: (to) => {
 *     if (!to.local) throw new Error("not ours");
 *   },
 *   async receiveMessage(_envelope, message) {
 *     inbox.push(await new Response(message).bytes());
 *   },
 * };
 * console.assert(typeof delivery.receiveMessage === "function");
 * ```
 */
export interface SMTPDelivery {
  /** Checks the sender of MAIL FROM (`null` for `<>`); accepts all when absent. */
  validateFrom?(
    from: SMTPAddress | null,
    session: SMTPSession,
  ): void | Promise<void>;
  /** Checks one recipient of RCPT TO. */
  validateTo(to: SMTPAddress, session: SMTPSession): void | Promise<void>;
  /**
   * Takes one message: its bytes as they arrive (dot-unstuffed, CRLF line
   * ends, BDAT chunks verbatim; read with backpressure), to keep only if the
   * stream ends cleanly. The stream fails instead (with
   * `MessageTooLargeError`, `MessageAbortedError`) when the message was cut
   * short: keep nothing then. The client's `250` waits for this to resolve.
   */
  receiveMessage(
    envelope: SMTPEnvelope,
    message: ReadableStream<Uint8Array>,
  ): Promise<void>;
}
