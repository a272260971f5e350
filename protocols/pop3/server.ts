/**
 * {@linkcode POP3Server}: a POP3 server (RFC 1939, CAPA of RFC 2449, STLS of
 * RFC 2595, AUTH PLAIN of RFC 5034) over maildirs.
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
import type { Connection, TLSServerOptions } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import type { IReactorTime } from "../../reactor/time.ts";
import { startTLS, tlsInfo } from "../../reactor/tls.ts";
import { LineDecoderCore } from "../basic/line.ts";
import { DotStuffer } from "../mail/dot_stuffing.ts";
import { MailboxLockedError } from "../mail/errors.ts";
import type { Maildir, MaildirLock, MaildirMessage } from "../mail/maildir.ts";
import { peerHost } from "../mail/peer.ts";
import { decodeSaslPlain } from "../mail/sasl.ts";
import {
  DEFAULT_POP3_IDLE_TIMEOUT,
  DEFAULT_POP3_MAX_ERRORS,
  MAX_COMMAND_LENGTH,
  type POP3Limits,
} from "./limits.ts";

const logger = getLogger("spindle.pop3");
const encoder = new TextEncoder();

/**
 * Options of {@linkcode POP3Server} (and `servePOP3`).
 *
 * @example Usage
 * ```ts
 * import type { POP3ServerOptions } from "@spindle/spindle/protocols/pop3";
 * const options: POP3ServerOptions = { allowInsecureAuth: false };
 * console.assert(!options.allowInsecureAuth);
 * ```
 */
export interface POP3ServerOptions extends POP3Limits {
  /** The certificate for STLS; without it, STLS is not offered. */
  tls?: TLSServerOptions;
  /** The attempt limits of logins; default a `LoginLimiter` of this server's own. */
  loginLimiter?: LoginLimiter;
  /**
   * Allow USER/PASS and AUTH on cleartext connections (default false: only
   * after STLS or on implicit TLS).
   */
  allowInsecureAuth?: boolean;
  /** The clock of the idle timeout; default the reactor. */
  clock?: IReactorTime;
}

interface Settings {
  portal: Portal<Maildir, null>;
  tls: TLSServerOptions | undefined;
  limiter: LoginLimiter;
  allowInsecureAuth: boolean;
  clock: IReactorTime;
  idleTimeout: number;
  maxErrors: number;
}

/**
 * A POP3 server: USER/PASS and AUTH PLAIN through a `cred/` portal whose
 * avatar is the user's maildir (`MailRealm`), both only after STLS (or on
 * implicit TLS) unless `allowInsecureAuth`; then STAT, LIST, UIDL (the
 * maildir key), RETR (the file as stored, dot-stuffed), TOP, DELE, RSET,
 * NOOP and QUIT, which removes the deleted messages (the UPDATE state).
 * A session holds its maildir's lock (a lock file, so it holds across
 * `--workers` processes): a second login gets `-ERR [IN-USE]` at once; the
 * lock is freed at QUIT and when the connection drops (deleting nothing).
 *
 * @example Usage
 * ```ts
 * import { MailRealm, MailStore } from "@spindle/spindle/protocols/mail";
 * import { POP3Server } from "@spindle/spindle/protocols/pop3";
 * import { InMemoryPasswordChecker, Portal } from "@spindle/spindle/cred";
 * const portal = new Portal(new MailRealm(new MailStore("/var/mail")), [
 *   new InMemoryPasswordChecker({ alice: "secret" }),
 * ]);
 * const server = new POP3Server(portal);
 * console.assert(server.sessionCount === 0);
 * ```
 */
export class POP3Server {
  readonly #settings: Settings;
  readonly #sessions = new Set<Session>();

  /** A server logging users in through `portal`. */
  constructor(portal: Portal<Maildir, null>, options: POP3ServerOptions = {}) {
    this.#settings = {
      portal,
      tls: options.tls,
      limiter: options.loginLimiter ??
        new LoginLimiter({ clock: options.clock }),
      allowInsecureAuth: options.allowInsecureAuth ?? false,
      clock: options.clock ?? defaultReactor,
      idleTimeout: options.idleTimeout ?? DEFAULT_POP3_IDLE_TIMEOUT,
      maxErrors: options.maxErrors ?? DEFAULT_POP3_MAX_ERRORS,
    };
  }

  /** How many sessions are open. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Serves one connection until the client quits or it closes; closes it. */
  async handleConnection(conn: Connection): Promise<void> {
    const session = new Session(conn, this.#settings);
    this.#sessions.add(session);
    try {
      await session.run();
    } finally {
      this.#sessions.delete(session);
    }
  }

  /**
   * Closes every session (deleting nothing, as a dropped connection) and
   * resolves once they are gone.
   */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#sessions].map((session) => session.close()));
  }
}

// A maildir key is the UIDL unless it breaks RFC 1939 §7 (1 to 70 printable
// characters): then a digest of it, which is as stable.
async function uniqueId(key: string): Promise<string> {
  if (/^[\x21-\x7e]{1,70}$/.test(key)) return key;
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(key));
  return Array.from(
    new Uint8Array(digest).subarray(0, 32),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

interface Drop {
  maildir: Maildir;
  lock: MaildirLock;
  messages: MaildirMessage[];
  ids: string[];
  deleted: Set<number>;
  logout: () => Promise<void>;
}

class Session {
  readonly #conn: Connection;
  readonly #s: Settings;
  #reader: MessageReader<string>;
  #tls = false;
  #user: string | null = null;
  #drop: Drop | null = null;
  #errors = 0;
  #closing = false;
  #deadline: Deadline;
  #ended = Promise.withResolvers<void>();

  constructor(conn: Connection, settings: Settings) {
    this.#conn = conn;
    this.#s = settings;
    this.#reader = this.#newReader();
    this.#deadline = new Deadline(settings.clock, () => {
      this.#closing = true;
      this.#conn.write(encoder.encode("-ERR autologout: idle for too long\r\n"))
        .finally(() => this.#conn.close()).catch(() => {});
    });
  }

  #newReader(): MessageReader<string> {
    return new MessageReader(
      this.#conn,
      new LineDecoderCore({ maxLength: MAX_COMMAND_LENGTH }),
    );
  }

  async run(): Promise<void> {
    try {
      this.#tls = (await tlsInfo(this.#conn)) !== null;
      this.#deadline.arm("idle", this.#s.idleTimeout);
      await this.#send("+OK Spindle POP3 server ready");
      while (!this.#closing) {
        let line: string | null;
        try {
          line = await this.#reader.read();
        } catch (error) {
          // A line too long, or bytes that are not UTF-8: not POP3.
          await this.#send(`-ERR ${(error as Error).message}`).catch(() => {});
          break;
        }
        if (line === null) break;
        this.#deadline.touch();
        await this.#command(line);
      }
    } catch (error) {
      logger.debug("POP3 session with {peer} ended: {error}", {
        peer: peerHost(this.#conn.remoteAddr),
        error: String(error),
      });
    } finally {
      this.#deadline.cancel();
      // Dropped without QUIT: free the mailbox, delete nothing.
      await this.#release();
      await this.#conn.close().catch(() => {});
      this.#ended.resolve();
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#conn.close().catch(() => {});
    await this.#ended.promise;
  }

  async #release(): Promise<void> {
    const drop = this.#drop;
    this.#drop = null;
    if (drop === null) return;
    await drop.lock.release().catch(() => {});
    await drop.logout();
  }

  async #send(text: string): Promise<void> {
    await this.#conn.write(encoder.encode(`${text}\r\n`));
  }

  async #ok(text: string): Promise<void> {
    this.#errors = 0;
    await this.#send(`+OK ${text}`);
  }

  async #err(text: string): Promise<void> {
    await this.#send(`-ERR ${text}`);
    if (++this.#errors >= this.#s.maxErrors) {
      await this.#send("-ERR too many errors, closing connection");
      this.#closing = true;
    }
  }

  #loginAllowed(): boolean {
    return this.#tls || this.#s.allowInsecureAuth;
  }

  async #command(line: string): Promise<void> {
    const [verb = "", ...args] = line.split(" ");
    const name = verb.toUpperCase();
    const transaction = this.#drop !== null;
    switch (name) {
      case "CAPA":
        return await this.#capa();
      case "NOOP":
        return transaction ? await this.#ok("") : await this.#badState();
      case "QUIT":
        return await this.#quit();
      case "STLS":
        return transaction ? await this.#badState() : await this.#stls();
      case "USER":
        return transaction
          ? await this.#badState()
          : await this.#userCommand(args);
      case "PASS":
        return transaction
          ? await this.#badState()
          : await this.#pass(line.slice(5));
      case "AUTH":
        return transaction ? await this.#badState() : await this.#auth(args);
    }
    const drop = this.#drop;
    if (!TRANSACTION_VERBS.has(name)) return await this.#err("unknown command");
    if (drop === null) return await this.#badState();
    switch (name) {
      case "STAT":
        return await this.#stat(drop);
      case "LIST":
        return await this.#list(
          drop,
          args,
          (i) => String(drop.messages[i]!.size),
        );
      case "UIDL":
        return await this.#list(drop, args, (i) => drop.ids[i]!);
      case "RETR":
        return await this.#retr(drop, args);
      case "TOP":
        return await this.#top(drop, args);
      case "DELE": {
        const i = this.#index(drop, args[0]);
        if (i === null) return await this.#err("no such message");
        drop.deleted.add(i);
        return await this.#ok(`message ${i + 1} deleted`);
      }
      case "RSET":
        drop.deleted.clear();
        return await this.#ok(`maildrop has ${drop.messages.length} messages`);
    }
  }

  async #badState(): Promise<void> {
    await this.#err("command not valid in this state");
  }

  async #capa(): Promise<void> {
    const lines = [
      "+OK capability list follows",
      "TOP",
      "UIDL",
      "RESP-CODES",
      "AUTH-RESP-CODE",
      "PIPELINING",
    ];
    if (this.#drop === null && this.#loginAllowed()) {
      lines.push("USER", "SASL PLAIN");
    }
    if (this.#s.tls !== undefined && !this.#tls && this.#drop === null) {
      lines.push("STLS");
    }
    lines.push("IMPLEMENTATION Spindle", ".");
    this.#errors = 0;
    await this.#conn.write(
      encoder.encode(lines.map((l) => `${l}\r\n`).join("")),
    );
  }

  async #stls(): Promise<void> {
    if (this.#s.tls === undefined) return await this.#err("STLS not offered");
    if (this.#tls) return await this.#err("TLS already active");
    await this.#ok("begin TLS negotiation");
    // Whatever came after STLS in cleartext is dropped, never read as
    // commands of the encrypted session.
    this.#reader.cancel();
    this.#deadline.suspend();
    await startTLS(this.#conn, { isServer: true, ...this.#s.tls });
    this.#deadline.resume();
    this.#tls = true;
    this.#user = null;
    this.#reader = this.#newReader();
  }

  async #userCommand(args: string[]): Promise<void> {
    if (!this.#loginAllowed()) {
      return await this.#err(
        "[AUTH] cleartext login is refused: use STLS first",
      );
    }
    const name = args.join(" ");
    if (name === "") return await this.#err("USER needs a name");
    this.#user = name;
    await this.#ok("send PASS");
  }

  async #pass(password: string): Promise<void> {
    if (!this.#loginAllowed()) {
      return await this.#err(
        "[AUTH] cleartext login is refused: use STLS first",
      );
    }
    const user = this.#user;
    this.#user = null;
    if (user === null) return await this.#err("USER first");
    await this.#login(new UsernamePassword(user, password));
  }

  async #auth(args: string[]): Promise<void> {
    if (args.length === 0) {
      this.#errors = 0;
      await this.#conn.write(encoder.encode("+OK\r\nPLAIN\r\n.\r\n"));
      return;
    }
    if (!this.#loginAllowed()) {
      return await this.#err(
        "[AUTH] cleartext login is refused: use STLS first",
      );
    }
    if (args[0]!.toUpperCase() !== "PLAIN") {
      return await this.#err("unsupported SASL mechanism");
    }
    let response = args[1];
    if (response === undefined) {
      await this.#send("+ ");
      const line = await this.#reader.read();
      if (line === null) {
        this.#closing = true;
        return;
      }
      response = line.trim();
    }
    if (response === "*") return await this.#err("authentication cancelled");
    const plain = decodeSaslPlain(response);
    if (
      plain === null ||
      (plain.authzid !== "" && plain.authzid !== plain.username)
    ) {
      return await this.#err("cannot decode the PLAIN response");
    }
    await this.#login(new UsernamePassword(plain.username, plain.password));
  }

  async #login(credentials: UsernamePassword): Promise<void> {
    this.#deadline.suspend();
    try {
      const result = await this.#s.limiter.attempt(
        { connection: this, source: peerHost(this.#conn.remoteAddr) },
        () => this.#s.portal.login(credentials, null, "pop3"),
      );
      const maildir = result.avatar;
      let lock: MaildirLock;
      try {
        lock = await maildir.lock();
      } catch (error) {
        await result.logout();
        if (error instanceof MailboxLockedError) {
          return await this.#err(
            "[IN-USE] the mailbox is in use by another session",
          );
        }
        throw error;
      }
      try {
        const messages = await maildir.list();
        const ids = await Promise.all(messages.map((m) => uniqueId(m.key)));
        this.#drop = {
          maildir,
          lock,
          messages,
          ids,
          deleted: new Set(),
          logout: result.logout,
        };
      } catch (error) {
        await lock.release();
        await result.logout();
        throw error;
      }
      const size = this.#drop.messages.reduce((sum, m) => sum + m.size, 0);
      logger.info("POP3 login of {user} from {peer}", {
        user: result.avatarId,
        peer: peerHost(this.#conn.remoteAddr),
      });
      await this.#ok(
        `maildrop has ${this.#drop.messages.length} messages (${size} octets)`,
      );
    } catch (error) {
      if (error instanceof UnauthorizedLoginError) {
        await this.#err("[AUTH] authentication failed");
        if (error instanceof TooManyAttemptsError) this.#closing = true;
        return;
      }
      logger.error("POP3 login failed: {error}", { error: String(error) });
      await this.#err("[SYS/TEMP] the mailbox cannot be opened now, try later");
    } finally {
      this.#deadline.resume();
    }
  }

  // The 0-based index of message number `arg`, or null when there is none
  // (or it is deleted).
  #index(drop: Drop, arg: string | undefined): number | null {
    if (arg === undefined || !/^[0-9]{1,9}$/.test(arg)) return null;
    const i = Number(arg) - 1;
    if (i < 0 || i >= drop.messages.length || drop.deleted.has(i)) return null;
    return i;
  }

  async #stat(drop: Drop): Promise<void> {
    let count = 0;
    let size = 0;
    drop.messages.forEach((m, i) => {
      if (drop.deleted.has(i)) return;
      count++;
      size += m.size;
    });
    await this.#ok(`${count} ${size}`);
  }

  async #list(
    drop: Drop,
    args: string[],
    value: (i: number) => string,
  ): Promise<void> {
    if (args.length > 0) {
      const i = this.#index(drop, args[0]);
      if (i === null) return await this.#err("no such message");
      return await this.#ok(`${i + 1} ${value(i)}`);
    }
    const lines = ["+OK"];
    drop.messages.forEach((_, i) => {
      if (!drop.deleted.has(i)) lines.push(`${i + 1} ${value(i)}`);
    });
    lines.push(".");
    this.#errors = 0;
    await this.#conn.write(
      encoder.encode(lines.map((l) => `${l}\r\n`).join("")),
    );
  }

  async #retr(drop: Drop, args: string[]): Promise<void> {
    const i = this.#index(drop, args[0]);
    if (i === null) return await this.#err("no such message");
    const message = drop.messages[i]!;
    let bytes: Uint8Array;
    try {
      bytes = await drop.maildir.read(message);
    } catch {
      return await this.#err("[SYS/TEMP] the message cannot be read now");
    }
    await this.#sendMultiline(`${bytes.length} octets`, bytes);
  }

  async #top(drop: Drop, args: string[]): Promise<void> {
    const i = this.#index(drop, args[0]);
    if (i === null || args[1] === undefined || !/^[0-9]{1,9}$/.test(args[1])) {
      return await this.#err("usage: TOP message lines");
    }
    const bytes = await drop.maildir.read(drop.messages[i]!);
    await this.#sendMultiline(
      "top of message follows",
      topOf(bytes, Number(args[1])),
    );
  }

  async #sendMultiline(status: string, bytes: Uint8Array): Promise<void> {
    const stuffer = new DotStuffer();
    const head = encoder.encode(`+OK ${status}\r\n`);
    const body = stuffer.stuff(bytes);
    const end = stuffer.end();
    const out = new Uint8Array(head.length + body.length + end.length);
    out.set(head);
    out.set(body, head.length);
    out.set(end, head.length + body.length);
    this.#errors = 0;
    await this.#conn.write(out);
  }

  async #quit(): Promise<void> {
    const drop = this.#drop;
    this.#closing = true;
    if (drop === null) return await this.#ok("bye");
    // The UPDATE state (RFC 1939 §6): only now are deletions applied.
    let failed = false;
    for (const i of drop.deleted) {
      try {
        await drop.maildir.remove(drop.messages[i]!);
      } catch {
        failed = true;
      }
    }
    await this.#release();
    if (failed) await this.#err("some deleted messages were not removed");
    else await this.#ok("bye");
  }
}

// The header and the first `lines` lines of the body (RFC 1939 §7, TOP).
function topOf(bytes: Uint8Array, lines: number): Uint8Array {
  const text = bytes;
  let at = 0;
  // The header ends at the first empty line.
  for (;;) {
    const lf = text.indexOf(10, at);
    if (lf < 0) return bytes;
    const empty = lf === at || (lf === at + 1 && text[at] === 13);
    at = lf + 1;
    if (empty) break;
  }
  for (let n = 0; n < lines; n++) {
    const lf = text.indexOf(10, at);
    if (lf < 0) return bytes;
    at = lf + 1;
  }
  return bytes.subarray(0, at);
}

const TRANSACTION_VERBS = new Set([
  "STAT",
  "LIST",
  "UIDL",
  "RETR",
  "TOP",
  "DELE",
  "RSET",
]);
