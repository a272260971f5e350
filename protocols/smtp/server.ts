/**
 * {@linkcode SMTPServer}: an ESMTP server (RFC 5321) that hands mail to an
 * {@linkcode SMTPDelivery}, one session per connection.
 *
 * @module
 */
import { LoginLimiter } from "../../cred/login_limiter.ts";
import type { Portal } from "../../cred/portal.ts";
import { UsernamePassword } from "../../cred/credentials.ts";
import {
  TooManyAttemptsError,
  UnauthorizedLoginError,
} from "../../cred/errors.ts";
import { getLogger } from "../../log/mod.ts";
import { Deadline } from "../../reactor/deadline.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import type {
  Address,
  Connection,
  TLSServerOptions,
} from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { startTLS, tlsInfo } from "../../reactor/tls.ts";
import { peerHost } from "../mail/peer.ts";
import { decodeSaslBase64, decodeSaslPlain } from "../mail/sasl.ts";
import { defaultHostname } from "./_hostname.ts";
import { isAscii, parsePathArguments } from "./_address.ts";
import { SMTPServerCore, type SMTPServerInput } from "./codec.ts";
import type {
  SMTPAddress,
  SMTPDelivery,
  SMTPEnvelope,
  SMTPSession,
} from "./delivery.ts";
import {
  MessageAbortedError,
  MessageTooLargeError,
  SMTPReplyError,
} from "./errors.ts";
import {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_ERRORS,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_RECIPIENTS,
  MAX_LINE_LENGTH,
  type SMTPLimits,
} from "./limits.ts";

const logger = getLogger("spindle.smtp");
const encoder = new TextEncoder();

/**
 * Options of {@linkcode SMTPServer} (and `serveSMTP`).
 *
 * @example Usage
 * ```ts
 * import type { SMTPServerOptions } from "@spindle/spindle/protocols/smtp";
 * const options: SMTPServerOptions = { hostname: "mx.example.test", domains: ["example.test"] };
 * console.assert(options.domains?.length === 1);
 * ```
 */
export interface SMTPServerOptions extends SMTPLimits {
  /** The server's name, in the greeting and `Received:`; default the host's name. */
  hostname?: string;
  /**
   * The domains the server receives mail for. A recipient in any other
   * domain gets `550 5.7.1` unless the session authenticated (no open
   * relay); with no domains, only authenticated sessions may send.
   */
  domains?: readonly string[];
  /** The certificate for STARTTLS; without it, STARTTLS is not offered. */
  tls?: TLSServerOptions;
  /**
   * Where AUTH PLAIN and LOGIN log users in (interface `"smtp"`; the avatar
   * id is the user); without it, AUTH is not offered.
   */
  portal?: Portal<unknown, null>;
  /** The attempt limits of AUTH; default a `LoginLimiter` of this server's own. */
  loginLimiter?: LoginLimiter;
  /**
   * Offer AUTH on cleartext connections too (default false: only after
   * STARTTLS or on implicit TLS, so passwords never cross in clear).
   */
  allowInsecureAuth?: boolean;
  /** The clock of the idle timeout; default the reactor. */
  clock?: IReactorTime;
}

interface Settings {
  hostname: string;
  domains: Set<string>;
  tls: TLSServerOptions | undefined;
  portal: Portal<unknown, null> | undefined;
  limiter: LoginLimiter;
  allowInsecureAuth: boolean;
  clock: IReactorTime;
  maxMessageSize: number;
  maxRecipients: number;
  maxErrors: number;
  idleTimeout: number;
}

/**
 * An ESMTP server: EHLO/HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, VRFY
 * (`252`), HELP; the extensions SIZE, 8BITMIME, PIPELINING,
 * ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING, STARTTLS (with `tls`) and AUTH
 * PLAIN / LOGIN (with `portal`, only over TLS unless `allowInsecureAuth`).
 *
 * Every reply after the greeting and EHLO/HELO carries an enhanced status
 * code (RFC 2034). Replies to pipelined commands go out together, when the
 * server has read all that was sent. After STARTTLS the session starts over
 * (EHLO again) and whatever the client sent after the STARTTLS line in
 * cleartext is dropped (the CVE-2011-0411 class). Limits, each answered as
 * RFC 5321 asks, the session going on: a line over 1000 bytes (`500 5.5.2`),
 * a message over `maxMessageSize`, declared or not (`552 5.3.4`, nothing
 * delivered), too many recipients (`452 4.5.3`), commands out of order
 * (`503 5.5.1`), unknown commands (`500 5.5.1`), bad addresses (`501 5.1.7`
 * for the sender, `501 5.1.3` for a recipient); after `maxErrors` error
 * replies in a row, or `idleTimeout` of silence, `421` and the connection is
 * closed.
 *
 * @example Usage
 * ```ts
 * import { type SMTPDelivery, SMTPServer } from "@spindle/spindle/protocols/smtp";
 * import { reactor } from "@spindle/spindle/reactor";
 * const delivery: SMTPDelivery = {
 *   validateTo: () => {},
 *   receiveMessage: async (_envelope, message) => void await new Response(message).bytes(),
 * };
 * const server = new SMTPServer(delivery, { domains: ["example.test"] });
 * const port = await reactor.listenTCP(0, (conn) => server.handleConnection(conn), {
 *   interface: "127.0.0.1",
 * });
 * await port.stopListening();
 * ```
 */
export class SMTPServer {
  readonly #delivery: SMTPDelivery;
  readonly #settings: Settings;
  readonly #sessions = new Set<Session>();

  /** A server handing mail to `delivery`. */
  constructor(delivery: SMTPDelivery, options: SMTPServerOptions = {}) {
    this.#delivery = delivery;
    this.#settings = {
      hostname: options.hostname ?? defaultHostname(),
      domains: new Set((options.domains ?? []).map((d) => d.toLowerCase())),
      tls: options.tls,
      portal: options.portal,
      limiter: options.loginLimiter ??
        new LoginLimiter({ clock: options.clock }),
      allowInsecureAuth: options.allowInsecureAuth ?? false,
      clock: options.clock ?? defaultReactor,
      maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      maxRecipients: options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS,
      maxErrors: options.maxErrors ?? DEFAULT_MAX_ERRORS,
      idleTimeout: options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    };
  }

  /** How many sessions are open. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Serves one connection until the client quits or it closes; closes it. */
  async handleConnection(conn: Connection): Promise<void> {
    const session = new Session(conn, this.#delivery, this.#settings);
    this.#sessions.add(session);
    try {
      await session.run();
    } finally {
      this.#sessions.delete(session);
    }
  }

  /**
   * Ends every session: one waiting for a command gets `421 4.3.2` and is
   * closed now; one in the middle of a message gets its reply first.
   * Resolves once all are closed.
   */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#sessions].map((session) => session.shutdown()));
  }
}

// One message on its way to the delivery: bytes in with backpressure (a
// chunk is handed over only when the delivery reads), the delivery's
// promise out. A ReadableStream over a pull source, rather than a
// TransformStream: half the objects and promises per message.
class Intake {
  readonly done: Promise<void>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  // The delivery waits for a chunk (its pull), or a chunk waits for a read.
  #demand: (() => void) | null = null;
  #supply: (() => void) | null = null;
  #failed = false;
  size = 0;

  constructor(delivery: SMTPDelivery, envelope: SMTPEnvelope) {
    const readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () =>
        new Promise<void>((resolve) => {
          this.#demand = resolve;
          this.#wakeSupply();
        }),
      cancel: () => {
        this.#failed = true;
        this.#wakeSupply();
      },
    }, { highWaterMark: 0 });
    this.done =
      (async () => await delivery.receiveMessage(envelope, readable))();
    // A delivery that settles before the end reads no more: fail the writes.
    // (Checked first: an Error, with its stack, per message is costly.)
    this.done.then(
      () => {
        if (this.#failed) return;
        this.abort(new Error("the delivery finished before the message"));
      },
      (error) => this.abort(error),
    );
  }

  #wakeSupply(): void {
    const supply = this.#supply;
    this.#supply = null;
    supply?.();
  }

  get failed(): boolean {
    return this.#failed;
  }

  write(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#failed) return;
    const demand = this.#demand;
    if (demand === null) {
      return new Promise<void>((resolve) => this.#supply = resolve).then(() =>
        this.write(bytes)
      );
    }
    this.#demand = null;
    this.#controller.enqueue(bytes);
    demand();
  }

  abort(reason: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    try {
      this.#controller.error(reason);
    } catch {
      // Already closed or errored.
    }
    this.#wakeSupply();
  }

  async finish(): Promise<void> {
    if (!this.#failed) {
      this.#failed = true;
      this.#controller.close();
    }
    await this.done;
  }
}

type Verb = (session: Session, argument: string) => Promise<void> | void;

let nextId = 0;

function messageId(): string {
  nextId = (nextId + 1) % 0x100000;
  return `${Date.now().toString(36)}${nextId.toString(36).padStart(4, "0")}`
    .toUpperCase();
}

// A client's EHLO name goes into Received: headers; keep it one printable token.
function cleanHelo(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x20\x7f()]/g, "?").slice(0, 255);
}

class Session implements SMTPSession {
  readonly remoteAddr: Address;
  helo: string | null = null;
  esmtp = false;
  tls = false;
  user: string | null = null;

  readonly #conn: Connection;
  readonly #delivery: SMTPDelivery;
  readonly #s: Settings;
  #core: SMTPServerCore;
  #reader: MessageReader<SMTPServerInput>;
  #out: string[] = [];
  #errors = 0;
  #closing = false;
  #waiting = false;
  #deadline: Deadline;
  // The transaction: undefined before MAIL, null for the null sender.
  #from: SMTPAddress | null | undefined = undefined;
  #to: SMTPAddress[] = [];
  #smtputf8 = false;
  #bdat: Intake | null = null;
  #envelope: SMTPEnvelope | null = null;
  #ended = Promise.withResolvers<void>();

  constructor(conn: Connection, delivery: SMTPDelivery, settings: Settings) {
    this.#conn = conn;
    this.remoteAddr = conn.remoteAddr;
    this.#delivery = delivery;
    this.#s = settings;
    this.#core = new SMTPServerCore(MAX_LINE_LENGTH);
    this.#reader = new MessageReader(conn, this.#core);
    this.#deadline = new Deadline(settings.clock, () => {
      this.#closeWith(421, "4.4.2", "Idle for too long, closing connection");
    });
  }

  async run(): Promise<void> {
    try {
      this.tls = (await tlsInfo(this.#conn)) !== null;
      this.#deadline.arm("idle", this.#s.idleTimeout);
      this.#send(`220 ${this.#s.hostname} ESMTP Spindle ready`);
      while (!this.#closing) {
        const input = await this.#next();
        if (input === null) break;
        if (input.kind === "command") {
          const pending = this.#command(input.line);
          if (pending !== undefined) await pending;
        } else if (input.kind === "lineTooLong") {
          this.#reply(500, "5.5.2", "Line too long");
        }
      }
      await this.#flush();
    } catch (error) {
      logger.debug("SMTP session with {peer} ended: {error}", {
        peer: peerHost(this.remoteAddr),
        error: String(error),
      });
    } finally {
      this.#deadline.cancel();
      this.#bdat?.abort(new MessageAbortedError());
      await this.#conn.close().catch(() => {});
      this.#ended.resolve();
    }
  }

  async shutdown(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      if (this.#waiting) {
        this.#closeWith(
          421,
          "4.3.2",
          "Server shutting down, closing connection",
        );
      }
    }
    await this.#ended.promise;
  }

  // The next input: what is buffered at once; otherwise the replies so far
  // go out first (the end of a pipelined group), then the socket is read.
  async #next(): Promise<SMTPServerInput | null> {
    const ready = this.#reader.tryRead();
    if (ready !== undefined) return ready;
    const flushed = this.#flush();
    if (flushed !== undefined) await flushed;
    this.#waiting = true;
    try {
      const input = await this.#reader.read();
      this.#deadline.touch();
      return input;
    } finally {
      this.#waiting = false;
    }
  }

  #send(line: string): void {
    this.#out.push(line, "\r\n");
  }

  #reply(code: number, enhanced: string, text: string): void {
    this.#send(`${code} ${enhanced} ${text}`);
    if (code < 400) {
      this.#errors = 0;
    } else if (++this.#errors >= this.#s.maxErrors && !this.#closing) {
      this.#closeWith(421, "4.7.0", "Too many errors, closing connection");
    }
  }

  // Answers `code` and ends the session: the run loop sends it and closes;
  // a session blocked reading (idle, shutting down) is closed from here.
  #closeWith(code: number, enhanced: string, text: string): void {
    this.#closing = true;
    this.#send(`${code} ${enhanced} ${text}`);
    if (this.#waiting) {
      Promise.resolve(this.#flush()).then(() => this.#conn.close()).catch(
        () => {},
      );
    }
  }

  // Sends the replies so far; undefined (no promise) when there are none.
  #flush(): Promise<void> | undefined {
    if (this.#out.length === 0) return;
    const out = this.#out.join("");
    this.#out.length = 0;
    return this.#conn.write(encoder.encode(out));
  }

  // A verb answered at once (most are) returns no promise.
  #command(line: string): Promise<void> | void {
    const space = line.indexOf(" ");
    const name = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const argument = space < 0 ? "" : line.slice(space + 1);
    const verb = VERBS.get(name);
    if (verb === undefined) {
      this.#reply(500, "5.5.1", "Command unrecognized");
      return;
    }
    return verb(this, argument);
  }

  #resetTransaction(): void {
    this.#from = undefined;
    this.#to = [];
    this.#smtputf8 = false;
    this.#envelope = null;
    this.#bdat?.abort(new MessageAbortedError());
    this.#bdat = null;
  }

  // --- the verbs ---

  ehlo(argument: string, esmtp: boolean): void {
    const name = argument.trim();
    if (name === "") {
      this.#reply(501, "5.5.4", `Syntax: ${esmtp ? "EHLO" : "HELO"} hostname`);
      return;
    }
    this.#resetTransaction();
    this.helo = cleanHelo(name);
    this.esmtp = esmtp;
    this.#errors = 0;
    const greeting = `${this.#s.hostname} greets ${this.helo}`;
    if (!esmtp) {
      this.#send(`250 ${greeting}`);
      return;
    }
    const lines = [
      greeting,
      "PIPELINING",
      `SIZE ${this.#s.maxMessageSize}`,
      "8BITMIME",
      "SMTPUTF8",
      "CHUNKING",
      "ENHANCEDSTATUSCODES",
    ];
    if (this.#s.tls !== undefined && !this.tls) lines.push("STARTTLS");
    if (this.#authOffered()) lines.push("AUTH PLAIN LOGIN");
    lines.push("HELP");
    lines.forEach((text, i) =>
      this.#send(`250${i === lines.length - 1 ? " " : "-"}${text}`)
    );
  }

  #authOffered(): boolean {
    return this.#s.portal !== undefined &&
      (this.tls || this.#s.allowInsecureAuth);
  }

  mail(argument: string): Promise<void> | void {
    if (this.helo === null) return this.#reply(503, "5.5.1", "Send EHLO first");
    if (this.#from !== undefined) {
      return this.#reply(503, "5.5.1", "Sender already given");
    }
    if (!/^from:/i.test(argument)) {
      return this.#reply(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    }
    const parsed = parsePathArguments(argument.slice(5));
    if (parsed === "path") {
      return this.#reply(501, "5.1.7", "Bad sender address syntax");
    }
    if (parsed === "params") {
      return this.#reply(501, "5.5.4", "Bad MAIL parameters");
    }
    let smtputf8 = false;
    for (const [key, value] of parsed.params) {
      if (key === "SIZE") {
        if (!/^[0-9]{1,20}$/.test(value)) {
          return this.#reply(501, "5.5.4", "SIZE needs a number of bytes");
        }
        if (Number(value) > this.#s.maxMessageSize) {
          return this.#reply(
            552,
            "5.3.4",
            `Message size exceeds fixed maximum message size (${this.#s.maxMessageSize})`,
          );
        }
      } else if (key === "BODY") {
        if (!/^(7BIT|8BITMIME)$/i.test(value)) {
          return this.#reply(501, "5.5.4", "BODY is 7BIT or 8BITMIME");
        }
      } else if (key === "SMTPUTF8" && value === "") {
        smtputf8 = true;
      } else if (key !== "AUTH") {
        return this.#reply(555, "5.5.4", `Unsupported parameter ${key}`);
      }
    }
    if (parsed.path !== null && !smtputf8 && !isAscii(parsed.path.address)) {
      return this.#reply(553, "5.6.7", "Non-ASCII addresses need SMTPUTF8");
    }
    const from = parsed.path === null ? null : this.#address(parsed.path);
    const valid = this.#validate(() =>
      this.#delivery.validateFrom?.(from, this)
    );
    if (valid instanceof Promise) {
      return valid.then((ok) => this.#acceptFrom(ok, from, smtputf8));
    }
    this.#acceptFrom(valid, from, smtputf8);
  }

  #acceptFrom(
    valid: boolean,
    from: SMTPAddress | null,
    smtputf8: boolean,
  ): void {
    if (!valid) return;
    this.#from = from;
    this.#smtputf8 = smtputf8;
    this.#reply(250, "2.1.0", "Sender ok");
  }

  #address(
    path: { address: string; localPart: string; domain: string },
  ): SMTPAddress {
    const domain = path.domain.toLowerCase();
    return { ...path, local: domain === "" || this.#s.domains.has(domain) };
  }

  // Runs a delivery check; answers its refusal and returns false, or true.
  // A check that answers at once (no promise) costs no promise here either.
  #validate(
    check: () => void | Promise<void>,
  ): boolean | Promise<boolean> {
    let pending: void | Promise<void>;
    try {
      pending = check();
    } catch (error) {
      this.#replyForError(error);
      return false;
    }
    return pending instanceof Promise ? this.#settle(pending) : true;
  }

  async #settle(check: Promise<void>): Promise<boolean> {
    try {
      this.#deadline.suspend();
      await check;
      return true;
    } catch (error) {
      this.#replyForError(error);
      return false;
    } finally {
      this.#deadline.resume();
    }
  }

  #replyForError(error: unknown): void {
    if (error instanceof SMTPReplyError) {
      this.#reply(
        error.code,
        error.enhancedCode || `${Math.floor(error.code / 100)}.0.0`,
        error.text,
      );
    } else {
      logger.error("the SMTP delivery failed: {error}", {
        error: String(error),
      });
      this.#reply(451, "4.3.0", "Local error in processing, try again later");
    }
  }

  rcpt(argument: string): Promise<void> | void {
    if (this.#from === undefined || this.#bdat !== null) {
      return this.#reply(503, "5.5.1", "Need MAIL first");
    }
    if (!/^to:/i.test(argument)) {
      return this.#reply(501, "5.5.4", "Syntax: RCPT TO:<address>");
    }
    const parsed = parsePathArguments(argument.slice(3));
    if (parsed === "path" || (parsed !== "params" && parsed.path === null)) {
      return this.#reply(501, "5.1.3", "Bad recipient address syntax");
    }
    if (parsed === "params") {
      return this.#reply(501, "5.5.4", "Bad RCPT parameters");
    }
    const [key] = parsed.params.keys();
    if (key !== undefined) {
      return this.#reply(555, "5.5.4", `Unsupported parameter ${key}`);
    }
    if (this.#to.length >= this.#s.maxRecipients) {
      return this.#reply(452, "4.5.3", "Too many recipients");
    }
    const to = this.#address(parsed.path!);
    if (!this.#smtputf8 && !isAscii(to.address)) {
      return this.#reply(553, "5.6.7", "Non-ASCII addresses need SMTPUTF8");
    }
    if (!to.local && this.user === null) {
      return this.#reply(550, "5.7.1", "Relaying denied");
    }
    const valid = this.#validate(() => this.#delivery.validateTo(to, this));
    if (valid instanceof Promise) {
      return valid.then((ok) => this.#acceptTo(ok, to));
    }
    this.#acceptTo(valid, to);
  }

  #acceptTo(valid: boolean, to: SMTPAddress): void {
    if (!valid) return;
    this.#to.push(to);
    this.#reply(250, "2.1.5", "Recipient ok");
  }

  #newEnvelope(): SMTPEnvelope {
    return {
      id: messageId(),
      from: this.#from ?? null,
      to: [...this.#to],
      session: this,
      hostname: this.#s.hostname,
      date: new Date(),
    };
  }

  async data(argument: string): Promise<void> {
    if (this.#bdat !== null) {
      return this.#reply(503, "5.5.1", "DATA cannot follow BDAT");
    }
    if (this.#from === undefined) {
      return this.#reply(503, "5.5.1", "Need MAIL first");
    }
    if (this.#to.length === 0) {
      return this.#reply(554, "5.5.1", "No valid recipients");
    }
    if (argument.trim() !== "") {
      return this.#reply(501, "5.5.4", "Syntax: DATA");
    }
    this.#send("354 End data with <CR><LF>.<CR><LF>");
    this.#core.startData();
    const envelope = this.#newEnvelope();
    const intake = new Intake(this.#delivery, envelope);
    if (!(await this.#receive(intake))) return;
    await this.#finishMessage(intake, envelope);
  }

  // Feeds message bytes to `intake` (or drops them, for none) until the
  // end; false when the client left.
  async #receive(intake: Intake | null): Promise<boolean> {
    for (;;) {
      const input = await this.#next().catch(() => null);
      if (input === null) {
        intake?.abort(new MessageAbortedError());
        await intake?.done.catch(() => {});
        this.#closing = true;
        return false;
      }
      if (input.kind === "end") return true;
      if (input.kind !== "data" || intake === null) continue;
      intake.size += input.bytes.length;
      if (intake.size > this.#s.maxMessageSize) {
        intake.abort(new MessageTooLargeError(this.#s.maxMessageSize));
      } else {
        await intake.write(input.bytes);
      }
    }
  }

  async #finishMessage(intake: Intake, envelope: SMTPEnvelope): Promise<void> {
    this.#resetTransaction();
    const log = {
      id: envelope.id,
      from: envelope.from?.address ?? "",
      to: envelope.to.map((to) => to.address).join(","),
      size: intake.size,
      peer: peerHost(this.remoteAddr),
    };
    if (intake.size > this.#s.maxMessageSize) {
      await intake.done.catch(() => {});
      logger.info(
        "message {id} from <{from}> to {to} ({size} bytes) refused: too large",
        log,
      );
      return this.#reply(
        552,
        "5.3.4",
        `Message size exceeds fixed maximum message size (${this.#s.maxMessageSize})`,
      );
    }
    this.#deadline.suspend();
    try {
      await intake.finish();
    } catch (error) {
      logger.info(
        "message {id} from <{from}> to {to} ({size} bytes) refused: {error}",
        {
          ...log,
          error: error instanceof Error ? error.message : String(error),
        },
      );
      return this.#replyForError(error);
    } finally {
      this.#deadline.resume();
    }
    logger.info(
      "message {id} from <{from}> to {to} ({size} bytes) accepted",
      log,
    );
    this.#reply(250, "2.0.0", `Ok: queued as ${envelope.id}`);
  }

  async bdat(argument: string): Promise<void> {
    const match = /^([0-9]{1,15})( +LAST)? *$/i.exec(argument);
    if (match === null) {
      return this.#reply(501, "5.5.4", "Syntax: BDAT size [LAST]");
    }
    const size = Number(match[1]);
    const last = match[2] !== undefined;
    this.#core.startChunk(size);
    if (this.#from === undefined || this.#to.length === 0) {
      if (!(await this.#receive(null))) return;
      return this.#reply(
        503,
        "5.5.1",
        this.#from === undefined ? "Need MAIL first" : "No valid recipients",
      );
    }
    this.#envelope ??= this.#newEnvelope();
    const envelope = this.#envelope;
    this.#bdat ??= new Intake(this.#delivery, envelope);
    const intake = this.#bdat;
    if (!(await this.#receive(intake))) return;
    if (intake.size > this.#s.maxMessageSize || last) {
      this.#bdat = null;
      return await this.#finishMessage(intake, envelope);
    }
    this.#reply(250, "2.0.0", `${size} octets received`);
  }

  rset(argument: string): void {
    if (argument.trim() !== "") {
      return this.#reply(501, "5.5.4", "Syntax: RSET");
    }
    this.#resetTransaction();
    this.#reply(250, "2.0.0", "Ok");
  }

  noop(): void {
    this.#reply(250, "2.0.0", "Ok");
  }

  quit(): void {
    this.#closeWith(221, "2.0.0", `${this.#s.hostname} closing connection`);
  }

  vrfy(): void {
    this.#reply(
      252,
      "2.5.2",
      "Cannot VRFY user, but will accept message and attempt delivery",
    );
  }

  help(): void {
    this.#reply(
      214,
      "2.0.0",
      "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
    );
  }

  async starttls(argument: string): Promise<void> {
    if (this.#s.tls === undefined) {
      return this.#reply(502, "5.5.1", "STARTTLS not offered");
    }
    if (this.tls) return this.#reply(503, "5.5.1", "TLS already active");
    if (argument.trim() !== "") {
      return this.#reply(501, "5.5.4", "Syntax: STARTTLS");
    }
    this.#send("220 2.0.0 Ready to start TLS");
    await this.#flush();
    // What the client pipelined after STARTTLS came in cleartext: dropped,
    // never read as commands of the encrypted session (CVE-2011-0411).
    this.#core.release();
    this.#reader.cancel();
    this.#core = new SMTPServerCore(MAX_LINE_LENGTH);
    this.#reader = new MessageReader(this.#conn, this.#core);
    this.#deadline.suspend();
    await startTLS(this.#conn, { isServer: true, ...this.#s.tls });
    this.#deadline.resume();
    this.tls = true;
    this.helo = null;
    this.esmtp = false;
    this.user = null;
    this.#resetTransaction();
  }

  async auth(argument: string): Promise<void> {
    const portal = this.#s.portal;
    if (portal === undefined) {
      return this.#reply(502, "5.5.1", "AUTH not offered");
    }
    if (!this.esmtp) return this.#reply(503, "5.5.1", "Send EHLO first");
    if (this.user !== null) {
      return this.#reply(503, "5.5.1", "Already authenticated");
    }
    if (this.#from !== undefined) {
      return this.#reply(
        503,
        "5.5.1",
        "AUTH not allowed during a mail transaction",
      );
    }
    if (!this.#authOffered()) {
      return this.#reply(
        538,
        "5.7.11",
        "Encryption required for requested authentication mechanism: STARTTLS first",
      );
    }
    const [mechanism = "", initial] = argument.trim().split(/ +/);
    let credentials: UsernamePassword | null | "cancelled";
    if (mechanism.toUpperCase() === "PLAIN") {
      const line = initial ?? await this.#challenge("");
      if (line === null) return;
      if (line === "*") credentials = "cancelled";
      else {
        const plain = decodeSaslPlain(line);
        credentials = plain === null ||
            (plain.authzid !== "" && plain.authzid !== plain.username)
          ? null
          : new UsernamePassword(plain.username, plain.password);
      }
    } else if (mechanism.toUpperCase() === "LOGIN") {
      const name = initial ?? await this.#challenge(btoa("Username:"));
      if (name === null) return;
      const password = name === "*"
        ? "*"
        : await this.#challenge(btoa("Password:"));
      if (password === null) return;
      if (name === "*" || password === "*") credentials = "cancelled";
      else {
        const username = decodeSaslBase64(name);
        const secret = decodeSaslBase64(password);
        credentials = username === null || secret === null
          ? null
          : new UsernamePassword(username, secret);
      }
    } else {
      return this.#reply(504, "5.5.4", "Unrecognized authentication type");
    }
    if (credentials === "cancelled") {
      return this.#reply(501, "5.0.0", "Authentication cancelled");
    }
    if (credentials === null) {
      return this.#reply(501, "5.5.2", "Cannot decode the AUTH response");
    }
    this.#deadline.suspend();
    try {
      const { avatarId } = await this.#s.limiter.attempt(
        { connection: this, source: peerHost(this.remoteAddr) },
        () => portal.login(credentials, null, "smtp"),
      );
      this.user = avatarId;
      this.#reply(235, "2.7.0", "Authentication successful");
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        this.#closeWith(
          421,
          "4.7.0",
          "Too many failed logins, closing connection",
        );
      } else if (error instanceof UnauthorizedLoginError) {
        this.#reply(535, "5.7.8", "Authentication credentials invalid");
      } else {
        logger.error("SMTP AUTH failed: {error}", { error: String(error) });
        this.#reply(454, "4.7.0", "Temporary authentication failure");
      }
    } finally {
      this.#deadline.resume();
    }
  }

  // Sends a 334 challenge and reads the client's line; null when it left or
  // sent a line too long (answered).
  async #challenge(text: string): Promise<string | null> {
    this.#send(`334 ${text}`);
    const input = await this.#next();
    if (input === null) {
      this.#closing = true;
      return null;
    }
    if (input.kind !== "command") {
      this.#reply(500, "5.5.2", "Line too long");
      return null;
    }
    return input.line.trim();
  }
}

const VERBS = new Map<string, Verb>([
  ["EHLO", (s, a) => s.ehlo(a, true)],
  ["HELO", (s, a) => s.ehlo(a, false)],
  ["MAIL", (s, a) => s.mail(a)],
  ["RCPT", (s, a) => s.rcpt(a)],
  ["DATA", (s, a) => s.data(a)],
  ["BDAT", (s, a) => s.bdat(a)],
  ["RSET", (s, a) => s.rset(a)],
  ["NOOP", (s) => s.noop()],
  ["QUIT", (s) => s.quit()],
  ["VRFY", (s) => s.vrfy()],
  ["HELP", (s) => s.help()],
  ["STARTTLS", (s, a) => s.starttls(a)],
  ["AUTH", (s, a) => s.auth(a)],
]);
