/**
 * {@linkcode IMAPClient}: an IMAP4rev2/rev1 client over client endpoints,
 * pipelining tagged commands on one connection.
 *
 * @module
 */
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import {
  clientFromString,
  type EndpointReactor,
} from "../../reactor/endpoints/mod.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import { startTLS } from "../../reactor/tls.ts";
import {
  type IMAPFrame,
  IMAPFrameDecoderCore,
  imapString,
  type IMAPToken,
  parseIMAPTokens,
} from "./codec.ts";
import { EMPTY_BYTES } from "../../reactor/bytes.ts";
import {
  IMAPBodyNotReadError,
  IMAPCommandError,
  IMAPConnectionClosedError,
  IMAPParseError,
} from "./errors.ts";
import {
  DEFAULT_MAX_RESPONSE_LITERAL_SIZE,
  type IMAPLimits,
} from "./limits.ts";
import { tokenList, tokenText } from "./_tokens.ts";

const encoder = new TextEncoder();

/**
 * Options of {@linkcode IMAPClient.connect}.
 *
 * @example Usage
 * ```ts
 * import type { IMAPClientOptions } from "@spindle/spindle/protocols/imap";
 * const options: IMAPClientOptions = { maxLiteralSize: 1 << 20 };
 * console.assert(options.maxLiteralSize === 1 << 20);
 * ```
 */
export interface IMAPClientOptions extends IMAPLimits {
  /** The reactor to connect with. Default: the module's default reactor. */
  reactor?: EndpointReactor;
}

/**
 * A response the server sent outside a command's tagged answer, or one
 * that belongs to a command: `* 3 EXISTS`, `* 1 FETCH (...)`,
 * `* OK [UIDVALIDITY 5] ...`.
 *
 * @example Usage
 * ```ts
 * import type { IMAPResponse } from "@spindle/spindle/protocols/imap";
 * const exists: IMAPResponse = { type: "EXISTS", number: 3, tokens: [] };
 * console.assert(exists.number === 3);
 * ```
 */
export interface IMAPResponse {
  /** The response's name, upper case: `EXISTS`, `FETCH`, `LIST`, `OK`, `BYE`... */
  type: string;
  /** The number in front of the name (`* 3 EXISTS`), if any. */
  number?: number;
  /** The data after the name (for status responses: none). */
  tokens: IMAPToken[];
  /** A status response's code in brackets (`UIDVALIDITY 5`), if any. */
  code?: string;
  /** A status response's text. */
  text?: string;
}

/**
 * A mailbox as LIST reports it.
 *
 * @example Usage
 * ```ts
 * import type { IMAPMailbox } from "@spindle/spindle/protocols/imap";
 * const inbox: IMAPMailbox = { name: "INBOX", delimiter: ".", attributes: ["\\HasNoChildren"] };
 * console.assert(inbox.name === "INBOX");
 * ```
 */
export interface IMAPMailbox {
  /** Its name (modified UTF-7, as the server sent it). */
  name: string;
  /** The hierarchy separator, or null for a flat name space. */
  delimiter: string | null;
  /** Its attributes (`\HasChildren`, `\Sent`, `\Noselect`...). */
  attributes: string[];
}

/**
 * What SELECT and EXAMINE report of a mailbox.
 *
 * @example Usage
 * ```ts
 * import type { IMAPSelected } from "@spindle/spindle/protocols/imap";
 * const box: IMAPSelected = { exists: 2, uidValidity: 7, uidNext: 3, flags: [], permanentFlags: [], readOnly: false };
 * console.assert(box.exists === 2);
 * ```
 */
export interface IMAPSelected {
  /** How many messages it holds. */
  exists: number;
  /** Its UIDVALIDITY. */
  uidValidity: number;
  /** The UID the next message will get. */
  uidNext: number;
  /** The flags it knows. */
  flags: string[];
  /** The flags the server keeps. */
  permanentFlags: string[];
  /** Whether it was opened read-only. */
  readOnly: boolean;
}

/**
 * An address of an ENVELOPE.
 *
 * @example Usage
 * ```ts
 * import type { IMAPAddress } from "@spindle/spindle/protocols/imap";
 * const bob: IMAPAddress = { name: "Bob", mailbox: "bob", host: "example.org" };
 * console.assert(bob.host === "example.org");
 * ```
 */
export interface IMAPAddress {
  /** The display name, or null. */
  name: string | null;
  /** The local part (or a group's name, with a null host). */
  mailbox: string | null;
  /** The domain, or null. */
  host: string | null;
}

/**
 * A message's ENVELOPE, read.
 *
 * @example Usage
 * ```ts
 * import type { IMAPEnvelope } from "@spindle/spindle/protocols/imap";
 * const envelope: IMAPEnvelope = { date: null, subject: "hi", from: [], sender: [], replyTo: [], to: [], cc: [], bcc: [], inReplyTo: null, messageId: null };
 * console.assert(envelope.subject === "hi");
 * ```
 */
export interface IMAPEnvelope {
  /** The Date: field, as written. */
  date: string | null;
  /** The Subject: field, as written (encoded words not decoded). */
  subject: string | null;
  /** From: addresses. */
  from: IMAPAddress[];
  /** Sender: addresses. */
  sender: IMAPAddress[];
  /** Reply-To: addresses. */
  replyTo: IMAPAddress[];
  /** To: addresses. */
  to: IMAPAddress[];
  /** Cc: addresses. */
  cc: IMAPAddress[];
  /** Bcc: addresses. */
  bcc: IMAPAddress[];
  /** In-Reply-To:. */
  inReplyTo: string | null;
  /** Message-ID:. */
  messageId: string | null;
}

/**
 * One message's FETCH response.
 *
 * @example Usage
 * ```ts
 * import type { IMAPFetched } from "@spindle/spindle/protocols/imap";
 * const fetched: IMAPFetched = { seq: 1, uid: 4, flags: ["\\Seen"], sections: {}, items: {} };
 * console.assert(fetched.flags?.[0] === "\\Seen");
 * ```
 */
export interface IMAPFetched {
  /** Its sequence number. */
  seq: number;
  /** UID, when fetched (always with `uid: true`). */
  uid?: number;
  /** FLAGS, when fetched. */
  flags?: string[];
  /** RFC822.SIZE, when fetched. */
  size?: number;
  /** INTERNALDATE, when fetched. */
  internalDate?: Date;
  /** ENVELOPE, when fetched. */
  envelope?: IMAPEnvelope;
  /** Body sections by their response name (`BODY[]`, `BODY[HEADER]<0>`), as bytes. */
  sections: Record<string, Uint8Array>;
  /** Every item as sent, by name (`BODYSTRUCTURE`...). */
  items: Record<string, IMAPToken>;
}

/**
 * One body section of a FETCH answer, as {@linkcode IMAPClient.fetchBodies}
 * yields it when it begins: its bytes are read from the connection as
 * `body` is read.
 *
 * @example Usage
 * ```ts
 * import type { IMAPFetchedBody } from "@spindle/spindle/protocols/imap";
 * const part: IMAPFetchedBody = { seq: 1, section: "BODY[]", size: 0, body: ReadableStream.from([]) };
 * console.assert(part.section === "BODY[]");
 * ```
 */
export interface IMAPFetchedBody {
  /** The message's sequence number. */
  seq: number;
  /** Its UID, when the server sent it before the body (Dovecot and Spindle do). */
  uid?: number;
  /** The section's response name, upper case: `BODY[]`, `BODY[TEXT]`, `RFC822`. */
  section: string;
  /** Its size in bytes, as announced. */
  size: number;
  /** Its bytes, as they come off the connection (read with backpressure). */
  body: ReadableStream<Uint8Array>;
}

/**
 * Options of the commands that take a sequence set: `uid` sends the UID
 * form (`UID FETCH`...).
 *
 * @example Usage
 * ```ts
 * import type { IMAPSetOptions } from "@spindle/spindle/protocols/imap";
 * const options: IMAPSetOptions = { uid: true };
 * console.assert(options.uid);
 * ```
 */
export interface IMAPSetOptions {
  /** Address messages by UID rather than sequence number. */
  uid?: boolean;
}

/**
 * Options of {@linkcode IMAPClient.append}.
 *
 * @example Usage
 * ```ts
 * import type { IMAPAppendOptions } from "@spindle/spindle/protocols/imap";
 * const options: IMAPAppendOptions = { flags: ["\\Seen"] };
 * console.assert(options.flags?.length === 1);
 * ```
 */
export interface IMAPAppendOptions {
  /** The flags to store with it. */
  flags?: string[];
  /** Its internal date. */
  date?: Date;
}

/**
 * Options of {@linkcode IMAPClient.starttls}.
 *
 * @example Usage
 * ```ts
 * import type { IMAPStartTLSOptions } from "@spindle/spindle/protocols/imap";
 * const options: IMAPStartTLSOptions = { hostname: "mail.example.org" };
 * console.assert(options.hostname === "mail.example.org");
 * ```
 */
export interface IMAPStartTLSOptions {
  /** The server's name, checked against its certificate. */
  hostname: string;
  /** Certificates to trust besides the system's (PEM). */
  caCerts?: string[];
}

interface Pending {
  name: string;
  responses: IMAPResponse[];
  // Takes the command's FETCH responses as they come, instead of
  // `responses`; the read loop waits while it holds back (backpressure).
  sink?: (response: IMAPResponse) => void | Promise<void>;
  // Takes the command's FETCH literals as they begin (fetchBodies).
  body?: (start: Omit<IMAPFetchedBody, "body">) => BodySource;
  resolve: (
    result: { responses: IMAPResponse[]; code?: string; text: string },
  ) => void;
  reject: (error: unknown) => void;
}

/**
 * An argument of {@linkcode IMAPClient.command}: text sent as it is
 * (already quoted where needed), or bytes sent as a literal.
 *
 * @example Usage
 * ```ts
 * import type { IMAPArgument } from "@spindle/spindle/protocols/imap";
 * const args: IMAPArgument[] = ["INBOX", { literal: new TextEncoder().encode("Subject: hi\r\n\r\n") }];
 * console.assert(args.length === 2);
 * ```
 */
export type IMAPArgument = string | { literal: Uint8Array };

// The commands whose data each untagged response is.
const DATA_OF: Record<string, string[]> = {
  CAPABILITY: ["CAPABILITY"],
  ENABLED: ["ENABLE"],
  ESEARCH: ["SEARCH"],
  FETCH: ["FETCH", "STORE"],
  FLAGS: ["SELECT", "EXAMINE"],
  ID: ["ID"],
  LIST: ["LIST"],
  LSUB: ["LSUB"],
  NAMESPACE: ["NAMESPACE"],
  SEARCH: ["SEARCH"],
  STATUS: ["STATUS"],
};

// Where a FETCH consumed as it arrives stands: whether its tagged answer
// came, with which failure, and the generator waiting for news to wake.
class FetchProgress {
  finished = false;
  failure: unknown = null;
  #wake: (() => void) | null = null;

  wake(): void {
    this.#wake?.();
  }

  // Waits for the next wake().
  async next(): Promise<void> {
    await new Promise<void>((resolve) => this.#wake = resolve);
    this.#wake = null;
  }

  settle(done: Promise<unknown>): Promise<void> {
    return done.then(() => {
      this.finished = true;
      this.wake();
    }, (error) => {
      this.failure = error;
      this.finished = true;
      this.wake();
    });
  }
}

// A streamed body's end of the read loop: the loop writes each chunk (and
// waits while the reader holds back), then ends or fails it.
class BodySource {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #pulled: (() => void) | null = null;
  #over = false;

  constructor() {
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#resume(),
      cancel: () => {
        this.#over = true;
        this.#resume();
      },
    });
  }

  #resume(): void {
    this.#pulled?.();
    this.#pulled = null;
  }

  // A copy is queued: `bytes` is the decoder's view, valid until its next call.
  async write(bytes: Uint8Array): Promise<void> {
    if (this.#over) return;
    this.#controller.enqueue(bytes.slice());
    if ((this.#controller.desiredSize ?? 0) <= 0) {
      await new Promise<void>((resolve) => this.#pulled = resolve);
    }
  }

  end(): void {
    if (this.#over) return;
    this.#over = true;
    this.#controller.close();
  }

  fail(error: unknown): void {
    if (!this.#over) {
      this.#over = true;
      this.#controller.error(error);
    }
    this.#resume();
  }
}

// The literal being read as chunks: into a body, or into bytes of its own.
type LiteralInProgress =
  | { source: BodySource; bytes: null; filled: number }
  | { source: null; bytes: Uint8Array; filled: number };

// How many fetched messages fetchEach holds before it stops reading.
const FETCH_AHEAD = 16;

const STATUS = /^(OK|NO|BAD|BYE|PREAUTH)(?: \[([^\]]*)\])? ?(.*)$/i;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/**
 * An IMAP client. Commands are written as soon as they are called, each
 * with its own tag, so several may be in flight on one connection
 * (pipelining); each resolves with its tagged answer, or rejects with
 * {@linkcode IMAPCommandError} for NO and BAD. Responses are parsed
 * incrementally under the limits of {@linkcode IMAPLimits}; a malformed one
 * fails every command in flight with {@linkcode IMAPParseError} and closes
 * the connection. Literals are sent non-synchronising when the server
 * offers LITERAL+, so even APPEND does not wait for a round trip.
 *
 * @example Usage
 * ```ts ignore
 * import { IMAPClient } from "@spindle/spindle/protocols/imap";
 * const client = await IMAPClient.connect("tls:imap.example.org:993");
 * await client.login("alice", "secret");
 * await client.select("INBOX");
 * const unseen = await client.search("UNSEEN");
 * for (const message of await client.fetch(unseen.join(","), "(ENVELOPE)")) {
 *   console.log(message.envelope?.subject);
 * }
 * await client.logout();
 * ```
 */
export class IMAPClient {
  readonly #conn: Connection;
  readonly #limits: IMAPLimits;
  #core!: IMAPFrameDecoderCore;
  #reader: MessageReader<IMAPFrame>;
  // fetchBodies commands in flight: while any is, literals come as chunks.
  #streamers = 0;
  #literal: LiteralInProgress | null = null;
  // The literals of the line being read, in order, when they came as chunks.
  #lineLiterals: Uint8Array[] = [];
  #nextTag = 1;
  readonly #pending: [string, Pending][] = [];
  readonly #continuations: ((text: string) => void)[] = [];
  #wake: (() => void) | null = null;
  #failure: unknown = null;
  #writing: Promise<void> = Promise.resolve();
  #reading: Promise<void> | null = null;
  #greeting: Promise<IMAPResponse>;
  /** What the server says it can do (upper case), updated by `capability()` and logins. */
  capabilities: Set<string> = new Set();

  /** A client over an open connection; wait for {@linkcode IMAPClient.greeting}. */
  constructor(conn: Connection, options: IMAPLimits = {}) {
    this.#conn = conn;
    this.#limits = options;
    this.#reader = this.#newReader();
    const greeting = Promise.withResolvers<IMAPResponse>();
    this.#greeting = greeting.promise;
    this.#reading = this.#readLoop(greeting.resolve, greeting.reject);
  }

  /**
   * Connects to `endpoint` (`"tcp:imap.example.org:143"`,
   * `"tls:imap.example.org:993"`) and waits for the greeting.
   */
  static async connect(
    endpoint: string,
    options: IMAPClientOptions = {},
  ): Promise<IMAPClient> {
    const conn = await clientFromString(
      options.reactor ?? defaultReactor,
      endpoint,
    )
      .connect();
    const client = new IMAPClient(conn, options);
    try {
      await client.greeting;
    } catch (error) {
      await conn.close().catch(() => {});
      throw error;
    }
    return client;
  }

  /** The server's greeting (`* OK`, or `* PREAUTH`); rejects on `* BYE`. */
  get greeting(): Promise<IMAPResponse> {
    return this.#greeting;
  }

  #newReader(): MessageReader<IMAPFrame> {
    const conn = this.#conn;
    this.#core = new IMAPFrameDecoderCore({
      maxLineLength: this.#limits.maxLineLength,
      maxLiteralSize: this.#limits.maxLiteralSize ??
        DEFAULT_MAX_RESPONSE_LITERAL_SIZE,
    });
    this.#core.streamLiterals = this.#streamers > 0;
    return new MessageReader({ read: () => conn.read() }, this.#core);
  }

  // A literal begins (chunks follow): a body of a fetchBodies command, or
  // bytes gathered for its line.
  #literalBegins(parts: (string | Uint8Array)[], size: number): void {
    const head = parts.filter((p) => typeof p === "string").join("");
    const match = /^\* (\d+) FETCH \((.*?)(\S+) $/.exec(head);
    const owner = match === null
      ? undefined
      : this.#owner({ type: "FETCH", tokens: [] });
    if (match !== null && owner?.body !== undefined) {
      const uid = /(?:^|[ (])UID (\d+)/i.exec(match[2]!)?.[1];
      const source = owner.body({
        seq: Number(match[1]),
        ...(uid === undefined ? {} : { uid: Number(uid) }),
        section: match[3]!.toUpperCase(),
        size,
      });
      this.#literal = { source, bytes: null, filled: 0 };
      this.#lineLiterals.push(EMPTY_BYTES);
    } else {
      const bytes = new Uint8Array(size);
      this.#literal = { source: null, bytes, filled: 0 };
      this.#lineLiterals.push(bytes);
    }
    if (size === 0) this.#literalEnds();
  }

  async #literalChunk(bytes: Uint8Array, last: boolean): Promise<void> {
    const literal = this.#literal!;
    if (literal.source !== null) await literal.source.write(bytes);
    else literal.bytes.set(bytes, literal.filled);
    literal.filled += bytes.length;
    if (last) this.#literalEnds();
  }

  #literalEnds(): void {
    this.#literal?.source?.end();
    this.#literal = null;
  }

  // The parts of a line whose literals came as chunks, with their bytes.
  #withLiterals(parts: (string | Uint8Array)[]): (string | Uint8Array)[] {
    let next = 0;
    const literals = this.#lineLiterals;
    this.#lineLiterals = [];
    return parts.map((p) => typeof p === "string" ? p : literals[next++]!);
  }

  // Reads responses until the end; `greeted` and `refused` settle the
  // greeting when one is due (not after STARTTLS).
  async #readLoop(
    greeted: (response: IMAPResponse) => void,
    refused: (error: unknown) => void,
    first = true,
  ): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#reader.read();
        if (frame === null) break;
        if (frame.kind === "literal") {
          this.#literalBegins(frame.parts, frame.size);
          continue;
        }
        if (frame.kind === "chunk") {
          await this.#literalChunk(frame.bytes, frame.last);
          continue;
        }
        if (frame.kind !== "line") continue;
        const line = this.#lineLiterals.length === 0
          ? frame.parts
          : this.#withLiterals(frame.parts);
        const head = typeof line[0] === "string" ? line[0] : "";
        if (head.startsWith("+")) {
          const waiter = this.#continuations.shift();
          if (waiter === undefined) {
            throw new IMAPParseError(
              "the IMAP server asked for a continuation no command is waiting for: it is confused",
            );
          }
          waiter(head.slice(1).trim());
          continue;
        }
        const space = head.indexOf(" ");
        if (space <= 0) {
          throw new IMAPParseError(
            `the IMAP server sent a line that is no response: ${
              JSON.stringify(head.slice(0, 80))
            }`,
          );
        }
        const tag = head.slice(0, space);
        const rest: (string | Uint8Array)[] = [
          head.slice(space + 1),
          ...line.slice(1),
        ];
        if (tag === "*") {
          const response = this.#untagged(rest);
          if (first) {
            first = false;
            if (response.type === "BYE") {
              refused(
                new IMAPCommandError(
                  "the greeting",
                  "BYE",
                  response.code,
                  response.text ?? "",
                ),
              );
              return;
            }
            this.#noteCapabilities(response.code);
            greeted(response);
            continue;
          }
          this.#noteCapabilities(response.code);
          if (response.type === "CAPABILITY") {
            this.capabilities = new Set(
              response.tokens.map((t) => (tokenText(t) ?? "").toUpperCase()),
            );
          }
          const owner = this.#owner(response);
          if (owner?.sink !== undefined && response.type === "FETCH") {
            await owner.sink(response);
          } else {
            owner?.responses.push(response);
          }
          this.#wake?.();
          continue;
        }
        const index = this.#pending.findIndex(([t]) => t === tag);
        if (index < 0) {
          throw new IMAPParseError(
            `the IMAP server answered tag ${
              JSON.stringify(tag)
            }, which no command in flight has`,
          );
        }
        const [, pending] = this.#pending.splice(index, 1)[0]!;
        const text = rest.filter((p) => typeof p === "string").join("");
        const status = STATUS.exec(text);
        if (status === null) {
          throw new IMAPParseError(
            `the IMAP server's answer to ${pending.name} has no OK, NO or BAD: ${
              JSON.stringify(text.slice(0, 80))
            }`,
          );
        }
        this.#noteCapabilities(status[2]);
        const kind = status[1]!.toUpperCase();
        if (kind === "OK") {
          pending.resolve({
            responses: pending.responses,
            code: status[2],
            text: status[3]!,
          });
          // After STARTTLS's OK the bytes are TLS: the upgrade reads them.
          if (pending.name === "STARTTLS") return;
        } else {
          pending.reject(
            new IMAPCommandError(
              pending.name,
              kind === "NO" ? "NO" : kind === "BAD" ? "BAD" : "BYE",
              status[2],
              status[3]!,
            ),
          );
        }
      }
      this.#fail(new IMAPConnectionClosedError());
      if (first) refused(new IMAPConnectionClosedError());
    } catch (error) {
      this.#fail(error);
      if (first) refused(error);
      await this.#conn.close().catch(() => {});
    }
  }

  #untagged(rest: (string | Uint8Array)[]): IMAPResponse {
    const text = typeof rest[0] === "string" ? rest[0] : "";
    const status = rest.length === 1 ? STATUS.exec(text) : null;
    if (status !== null) {
      return {
        type: status[1]!.toUpperCase(),
        tokens: [],
        code: status[2],
        text: status[3]!,
      };
    }
    const tokens = parseIMAPTokens(rest, this.#limits);
    const first = tokenText(tokens[0]);
    if (first === null) {
      throw new IMAPParseError(
        "the IMAP server sent an untagged response with no name",
      );
    }
    if (/^\d+$/.test(first)) {
      const type = tokenText(tokens[1]);
      if (type === null) {
        throw new IMAPParseError(
          "the IMAP server sent a number with no response name",
        );
      }
      return {
        type: type.toUpperCase(),
        number: Number(first),
        tokens: tokens.slice(2),
      };
    }
    return { type: first.toUpperCase(), tokens: tokens.slice(1) };
  }

  // The command in flight a response belongs to. A server may run
  // pipelined commands at once (Dovecot runs FETCH and SEARCH together), so
  // data goes to the oldest command that asks for its kind (ESEARCH names
  // its tag); the rest (EXISTS, EXPUNGE, status) to the oldest command. With
  // none in flight, an update is dropped: the next NOOP reports the state.
  #owner(response: IMAPResponse): Pending | undefined {
    if (response.type === "ESEARCH") {
      const correlator = tokenList(response.tokens[0]);
      const tag = tokenText(correlator?.[1]);
      const tagged = this.#pending.find(([t]) => t === tag);
      if (tagged !== undefined) return tagged[1];
    }
    const wants = DATA_OF[response.type];
    if (wants !== undefined) {
      const found = this.#pending.find(([, p]) =>
        wants.includes(p.name.replace(/^UID /, ""))
      );
      if (found !== undefined) return found[1];
    }
    return this.#pending[0]?.[1];
  }

  #noteCapabilities(code: string | undefined): void {
    if (code?.toUpperCase().startsWith("CAPABILITY ")) {
      this.capabilities = new Set(code.toUpperCase().split(" ").slice(1));
    }
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
    this.#literal?.source?.fail(this.#failure);
    this.#literal = null;
    for (const [, pending] of this.#pending.splice(0)) {
      pending.reject(this.#failure);
    }
    for (const waiter of this.#continuations.splice(0)) waiter("");
    this.#wake?.();
  }

  /**
   * Sends a command (`name` and its arguments: text, already quoted, or
   * literals) and resolves with the untagged responses it brought and the
   * tagged OK's code and text.
   */
  command(
    name: string,
    args: readonly IMAPArgument[] = [],
  ): Promise<{ responses: IMAPResponse[]; code?: string; text: string }> {
    return this.#command(name, args);
  }

  // Sends a FETCH whose responses go to `sink` (and bodies to `body`) as
  // they arrive; `progress` learns when and how it ends.
  #startFetch(
    set: string,
    items: string,
    options: IMAPSetOptions,
    progress: FetchProgress,
    sink: Pending["sink"],
    body?: Pending["body"],
  ): Promise<void> {
    return progress.settle(
      this.#command(
        options.uid ? "UID FETCH" : "FETCH",
        [set, items],
        sink,
        body,
      ),
    );
  }

  #command(
    name: string,
    args: readonly IMAPArgument[],
    sink?: Pending["sink"],
    body?: Pending["body"],
  ): Promise<{ responses: IMAPResponse[]; code?: string; text: string }> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const tag = `A${this.#nextTag++}`;
    const result = Promise.withResolvers<
      { responses: IMAPResponse[]; code?: string; text: string }
    >();
    this.#pending.push([tag, { name, responses: [], sink, body, ...result }]);
    const literalPlus = this.capabilities.has("LITERAL+");
    this.#writing = this.#writing.then(async () => {
      let line = `${tag} ${name}`;
      for (const arg of args) {
        if (typeof arg === "string") {
          line += ` ${arg}`;
          continue;
        }
        const size = arg.literal.length;
        if (literalPlus) {
          await this.#conn.write(encoder.encode(`${line} {${size}+}\r\n`));
        } else {
          const go = new Promise<string>((resolve) =>
            this.#continuations.push(resolve)
          );
          await this.#conn.write(encoder.encode(`${line} {${size}}\r\n`));
          await go;
          if (this.#failure !== null) return;
        }
        await this.#conn.write(arg.literal);
        line = "";
      }
      await this.#conn.write(encoder.encode(`${line}\r\n`));
    }).catch((error) => this.#fail(error));
    return result.promise;
  }

  /** CAPABILITY: what the server can do, upper case. */
  async capability(): Promise<Set<string>> {
    await this.command("CAPABILITY");
    return this.capabilities;
  }

  /** NOOP: lets the server report changes; resolves with them. */
  async noop(): Promise<IMAPResponse[]> {
    return (await this.command("NOOP")).responses;
  }

  /** LOGIN with a user name and password. */
  async login(user: string, password: string): Promise<void> {
    await this.command("LOGIN", [quote(user), quote(password)]);
    if (
      !this.capabilities.has("IMAP4REV1") || this.capabilities.has("STARTTLS")
    ) {
      await this.capability();
    }
  }

  /** AUTHENTICATE PLAIN (with the initial response when SASL-IR is offered). */
  async authenticate(user: string, password: string): Promise<void> {
    const response = btoa(
      String.fromCharCode(...encoder.encode(`\0${user}\0${password}`)),
    );
    if (this.capabilities.has("SASL-IR")) {
      await this.command("AUTHENTICATE", ["PLAIN", response]);
    } else {
      const go = new Promise<string>((resolve) =>
        this.#continuations.push(resolve)
      );
      const done = this.command("AUTHENTICATE", ["PLAIN"]);
      await go;
      await this.#conn.write(encoder.encode(`${response}\r\n`));
      await done;
    }
    await this.capability();
  }

  /** STARTTLS: upgrades the connection; the capabilities are asked again. */
  async starttls(options: IMAPStartTLSOptions): Promise<void> {
    await this.command("STARTTLS");
    await this.#reading; // the read loop stops after STARTTLS's OK
    // Anything the server sent after its OK is dropped (it came before TLS).
    this.#reader.release();
    this.#reader = this.#newReader();
    await startTLS(this.#conn, {
      hostname: options.hostname,
      caCerts: options.caCerts,
    });
    this.#reading = this.#readLoop(() => {}, () => {}, false);
    await this.capability();
  }

  /** ENABLE extensions; resolves with those the server enabled. */
  async enable(...extensions: string[]): Promise<string[]> {
    const { responses } = await this.command("ENABLE", extensions);
    return responses.filter((r) => r.type === "ENABLED").flatMap((r) =>
      r.tokens.map((t) => tokenText(t) ?? "")
    );
  }

  /** LIST (or with `subscribed`, LSUB) the mailboxes matching `pattern`. */
  async list(pattern = "*", reference = ""): Promise<IMAPMailbox[]> {
    const { responses } = await this.command("LIST", [
      quote(reference),
      quote(pattern),
    ]);
    return responses.filter((r) => r.type === "LIST").map((r) => ({
      attributes: (tokenList(r.tokens[0]) ?? []).map((t) => tokenText(t) ?? ""),
      delimiter: r.tokens[1]?.type === "atom" && r.tokens[1].value === "NIL"
        ? null
        : tokenText(r.tokens[1]),
      name: tokenText(r.tokens[2]) ?? "",
    }));
  }

  /** SELECT a mailbox (read-write). */
  select(mailbox: string): Promise<IMAPSelected> {
    return this.#open("SELECT", mailbox);
  }

  /** EXAMINE a mailbox (read-only). */
  examine(mailbox: string): Promise<IMAPSelected> {
    return this.#open("EXAMINE", mailbox);
  }

  async #open(command: string, mailbox: string): Promise<IMAPSelected> {
    const { responses, code } = await this.command(command, [quote(mailbox)]);
    const selected: IMAPSelected = {
      exists: 0,
      uidValidity: 0,
      uidNext: 0,
      flags: [],
      permanentFlags: [],
      readOnly: code?.toUpperCase() === "READ-ONLY",
    };
    for (const r of responses) {
      if (r.type === "EXISTS") selected.exists = r.number ?? 0;
      else if (r.type === "FLAGS") {
        selected.flags = (tokenList(r.tokens[0]) ?? []).map((t) =>
          tokenText(t) ?? ""
        );
      } else if (r.code !== undefined) {
        const [name, ...value] = r.code.split(" ");
        const upper = name!.toUpperCase();
        if (upper === "UIDVALIDITY") selected.uidValidity = Number(value[0]);
        else if (upper === "UIDNEXT") selected.uidNext = Number(value[0]);
        else if (upper === "PERMANENTFLAGS") {
          selected.permanentFlags = value.join(" ").replace(/[()]/g, "").split(
            " ",
          )
            .filter((f) => f !== "");
        }
      }
    }
    return selected;
  }

  /** STATUS of a mailbox: the `items` asked for (`MESSAGES`, `UNSEEN`...) by name. */
  async status(
    mailbox: string,
    items: readonly string[] = ["MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"],
  ): Promise<Record<string, number>> {
    const { responses } = await this.command("STATUS", [
      quote(mailbox),
      `(${items.join(" ")})`,
    ]);
    const out: Record<string, number> = {};
    for (const r of responses) {
      if (r.type !== "STATUS") continue;
      const list = tokenList(r.tokens[1]) ?? [];
      for (let i = 0; i + 1 < list.length; i += 2) {
        out[(tokenText(list[i]) ?? "").toUpperCase()] = Number(
          tokenText(list[i + 1]),
        );
      }
    }
    return out;
  }

  /** SEARCH with `criteria` (IMAP syntax: `"UNSEEN FROM bob"`): sequence numbers, or UIDs with `uid`. */
  async search(
    criteria: string,
    options: IMAPSetOptions = {},
  ): Promise<number[]> {
    const { responses } = await this.command(
      options.uid ? "UID SEARCH" : "SEARCH",
      [criteria],
    );
    const found: number[] = [];
    for (const r of responses) {
      if (r.type === "SEARCH") {
        for (const t of r.tokens) found.push(Number(tokenText(t)));
      } else if (r.type === "ESEARCH") {
        for (let i = 0; i < r.tokens.length; i++) {
          if (tokenText(r.tokens[i])?.toUpperCase() !== "ALL") continue;
          for (const range of (tokenText(r.tokens[i + 1]) ?? "").split(",")) {
            const [a, b] = range.split(":").map(Number);
            for (let n = a!; n <= (b ?? a!); n++) found.push(n);
          }
        }
      }
    }
    return found;
  }

  /**
   * FETCH `items` (`"(FLAGS ENVELOPE)"`, `"BODY.PEEK[]"`) of the messages
   * of `set` (`"1:*"`). Body sections come as bytes in `sections`.
   */
  async fetch(
    set: string,
    items: string,
    options: IMAPSetOptions = {},
  ): Promise<IMAPFetched[]> {
    const { responses } = await this.command(
      options.uid ? "UID FETCH" : "FETCH",
      [set, items],
    );
    return responses.filter((r) => r.type === "FETCH").map(fetched);
  }

  /**
   * FETCH, one message at a time: each message's response is yielded as it
   * arrives, so `FETCH 1:* BODY.PEEK[]` of a large mailbox holds a few
   * messages in memory, not all of them. While the loop body is busy, the
   * connection is not read further (16 messages are held at most). Leaving
   * the loop early lets the rest of the answer go by unread.
   *
   * @example Usage
   * ```ts ignore
   * for await (const message of client.fetchEach("1:*", "BODY.PEEK[]")) {
   *   await Deno.writeFile(`${message.uid}.eml`, message.sections["BODY[]"]!);
   * }
   * ```
   */
  async *fetchEach(
    set: string,
    items: string,
    options: IMAPSetOptions = {},
  ): AsyncGenerator<IMAPFetched> {
    const queue: IMAPFetched[] = [];
    const progress = new FetchProgress();
    // Set from callbacks, which TypeScript's narrowing does not follow.
    let resume = null as (() => void) | null;
    let leaving = false;
    const sink = async (response: IMAPResponse) => {
      if (leaving) return;
      queue.push(fetched(response));
      progress.wake();
      if (queue.length >= FETCH_AHEAD) {
        await new Promise<void>((resolve) => resume = resolve);
      }
    };
    const done = this.#startFetch(set, items, options, progress, sink);
    try {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          resume?.();
          resume = null;
          yield next;
          continue;
        }
        if (progress.finished) break;
        await progress.next();
      }
      if (progress.failure !== null) throw progress.failure;
    } finally {
      leaving = true;
      resume?.();
      await done;
    }
  }

  /**
   * FETCH, with each body section (`BODY.PEEK[]`, `BODY[TEXT]`...) yielded
   * as soon as it begins and its bytes read from the connection only as its
   * `body` stream is read: a message of any size passes through in chunks,
   * never held whole. Read each body to its end (or cancel it) before asking
   * for the next: asking first fails the body left behind with
   * {@linkcode IMAPBodyNotReadError} and lets the rest of it go by unread,
   * as leaving the loop early does. The items that are not bodies (FLAGS...)
   * are not kept; use {@linkcode IMAPClient.fetchEach} for them.
   *
   * @example Usage
   * ```ts ignore
   * for await (const part of client.fetchBodies("1:*", "BODY.PEEK[]", { uid: true })) {
   *   // The file's writable closes the file once the body has ended.
   *   const file = await Deno.create(`${part.uid}.eml`);
   *   await part.body.pipeTo(file.writable);
   * }
   * ```
   */
  async *fetchBodies(
    set: string,
    items: string,
    options: IMAPSetOptions = {},
  ): AsyncGenerator<IMAPFetchedBody> {
    const queue: { part: IMAPFetchedBody; source: BodySource }[] = [];
    const progress = new FetchProgress();
    let leaving = false;
    const body = (start: Omit<IMAPFetchedBody, "body">): BodySource => {
      const source = new BodySource();
      if (leaving) source.fail(new IMAPBodyNotReadError());
      else queue.push({ part: { ...start, body: source.stream }, source });
      progress.wake();
      return source;
    };
    this.#streamers++;
    this.#core.streamLiterals = true;
    const done = this.#startFetch(
      set,
      items,
      options,
      progress,
      () => {},
      body,
    ).finally(() => {
      this.#streamers--;
      this.#core.streamLiterals = this.#streamers > 0;
    });
    let current: BodySource | null = null;
    try {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          current = next.source;
          yield next.part;
          // Asked for the next one: the read loop must not wait on this one.
          current.fail(new IMAPBodyNotReadError());
          current = null;
          continue;
        }
        if (progress.finished) break;
        await progress.next();
      }
      if (progress.failure !== null) throw progress.failure;
    } finally {
      leaving = true;
      current?.fail(new IMAPBodyNotReadError());
      for (const { source } of queue.splice(0)) {
        source.fail(new IMAPBodyNotReadError());
      }
      await done;
    }
  }

  /** STORE flags: `action` is `"+FLAGS"`, `"-FLAGS"` or `"FLAGS"` (with `.SILENT` if wanted). */
  async store(
    set: string,
    action: string,
    flags: readonly string[],
    options: IMAPSetOptions = {},
  ): Promise<IMAPFetched[]> {
    const { responses } = await this.command(
      options.uid ? "UID STORE" : "STORE",
      [
        set,
        action,
        `(${flags.join(" ")})`,
      ],
    );
    return responses.filter((r) => r.type === "FETCH").map(fetched);
  }

  /** COPY messages to `mailbox`; resolves with the COPYUID code when the server sent one. */
  async copy(
    set: string,
    mailbox: string,
    options: IMAPSetOptions = {},
  ): Promise<string | undefined> {
    return (await this.command(options.uid ? "UID COPY" : "COPY", [
      set,
      quote(mailbox),
    ])).code;
  }

  /** MOVE messages to `mailbox` (RFC 6851); resolves with the sequence numbers expunged. */
  async move(
    set: string,
    mailbox: string,
    options: IMAPSetOptions = {},
  ): Promise<number[]> {
    const { responses } = await this.command(
      options.uid ? "UID MOVE" : "MOVE",
      [set, quote(mailbox)],
    );
    return responses.filter((r) => r.type === "EXPUNGE").map((r) =>
      r.number ?? 0
    );
  }

  /** APPEND a message to `mailbox`; resolves with its UID when the server reports APPENDUID. */
  async append(
    mailbox: string,
    message: Uint8Array | string,
    options: IMAPAppendOptions = {},
  ): Promise<{ uidValidity: number; uid: number } | null> {
    const args: IMAPArgument[] = [quote(mailbox)];
    if (options.flags !== undefined) args.push(`(${options.flags.join(" ")})`);
    if (options.date !== undefined) args.push(`"${dateTime(options.date)}"`);
    args.push({
      literal: typeof message === "string" ? encoder.encode(message) : message,
    });
    const { code } = await this.command("APPEND", args);
    const match = /^APPENDUID (\d+) (\d+)$/i.exec(code ?? "");
    return match === null
      ? null
      : { uidValidity: Number(match[1]), uid: Number(match[2]) };
  }

  /** EXPUNGE (or UID EXPUNGE of `set`); resolves with the sequence numbers expunged. */
  async expunge(set?: string): Promise<number[]> {
    const { responses } = set === undefined
      ? await this.command("EXPUNGE")
      : await this.command("UID EXPUNGE", [set]);
    return responses.filter((r) => r.type === "EXPUNGE").map((r) =>
      r.number ?? 0
    );
  }

  /** CREATE a mailbox. */
  async create(mailbox: string): Promise<void> {
    await this.command("CREATE", [quote(mailbox)]);
  }

  /**
   * IDLE (RFC 2177): the server's updates (`EXISTS`, `EXPUNGE`, `FETCH`) as
   * they come. Leaving the loop (`break`, or `signal` aborting) sends DONE
   * and waits for the command to end.
   *
   * @example Usage
   * ```ts ignore
   * for await (const update of client.idle()) {
   *   if (update.type === "EXISTS") break; // new mail
   * }
   * ```
   */
  async *idle(signal?: AbortSignal): AsyncGenerator<IMAPResponse> {
    const go = new Promise<string>((resolve) =>
      this.#continuations.push(resolve)
    );
    const done = this.command("IDLE");
    // While idling, untagged responses are the updates, not IDLE's result.
    const [, pending] = this.#pending.at(-1)!;
    const responses = pending.responses;
    let handled = 0;
    await Promise.race([go, done]);
    const onAbort = () => this.#wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      while (this.#failure === null && !signal?.aborted) {
        if (handled < responses.length) {
          yield responses[handled++]!;
          continue;
        }
        await new Promise<void>((resolve) => this.#wake = resolve);
        this.#wake = null;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (this.#failure === null) {
        this.#writing = this.#writing.then(() =>
          this.#conn.write(encoder.encode("DONE\r\n"))
        );
        await done;
      }
    }
  }

  /** LOGOUT, then close the connection. */
  async logout(): Promise<void> {
    try {
      await this.command("LOGOUT");
    } finally {
      await this.close();
    }
  }

  /** Closes the connection; commands in flight fail with {@linkcode IMAPConnectionClosedError}. */
  async close(): Promise<void> {
    await this.#conn.close().catch(() => {});
    await this.#reading;
  }

  /** Closes, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

// An astring for `value`: an atom when it is one, else quoted or a literal.
function quote(value: string): string {
  return /^[A-Za-z0-9._\-\/&+!#$']+$/.test(value) ? value : imapString(value);
}

function dateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}-${
    MONTHS[date.getUTCMonth()]
  }-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${
    pad(date.getUTCMinutes())
  }:${pad(date.getUTCSeconds())} +0000`;
}

function nstring(token: IMAPToken | undefined): string | null {
  if (
    token === undefined ||
    (token.type === "atom" && token.value.toUpperCase() === "NIL")
  ) {
    return null;
  }
  return tokenText(token);
}

function addressList(token: IMAPToken | undefined): IMAPAddress[] {
  if (token?.type !== "list") return [];
  return token.items.map((item) => {
    const parts = tokenList(item) ?? [];
    return {
      name: nstring(parts[0]),
      mailbox: nstring(parts[2]),
      host: nstring(parts[3]),
    };
  });
}

function readEnvelope(token: IMAPToken): IMAPEnvelope {
  const f = tokenList(token) ?? [];
  return {
    date: nstring(f[0]),
    subject: nstring(f[1]),
    from: addressList(f[2]),
    sender: addressList(f[3]),
    replyTo: addressList(f[4]),
    to: addressList(f[5]),
    cc: addressList(f[6]),
    bcc: addressList(f[7]),
    inReplyTo: nstring(f[8]),
    messageId: nstring(f[9]),
  };
}

function fetched(response: IMAPResponse): IMAPFetched {
  const out: IMAPFetched = {
    seq: response.number ?? 0,
    sections: {},
    items: {},
  };
  const list = tokenList(response.tokens[0]) ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = (tokenText(list[i]) ?? "").toUpperCase();
    const value = list[i + 1]!;
    out.items[name] = value;
    if (name === "UID") out.uid = Number(tokenText(value));
    else if (name === "FLAGS") {
      out.flags = (tokenList(value) ?? []).map((t) => tokenText(t) ?? "");
    } else if (name === "RFC822.SIZE") out.size = Number(tokenText(value));
    else if (name === "INTERNALDATE") {
      out.internalDate = parseInternalDate(tokenText(value) ?? "");
    } else if (name === "ENVELOPE") out.envelope = readEnvelope(value);
    else if (
      name.startsWith("BODY[") || name.startsWith("BINARY[") ||
      name.startsWith("RFC822")
    ) {
      if (value.type === "literal") out.sections[name] = value.bytes;
      else {
        const text = nstring(value);
        out.sections[name] = encoder.encode(text ?? "");
      }
    }
  }
  return out;
}

function parseInternalDate(text: string): Date {
  const m =
    /^ ?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/
      .exec(text);
  if (m === null) return new Date(NaN);
  const offset = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === "-" ? -1 : 1);
  return new Date(
    Date.UTC(
      Number(m[3]),
      MONTHS.indexOf(m[2]!),
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    ) -
      offset * 60_000,
  );
}
