/**
 * The IRC server: registration (NICK, USER, PASS, CAP with SASL PLAIN),
 * channels with their modes, messages, queries, and the defences a public
 * server needs (a registration timeout, idle PINGs, a send queue limit per
 * client, input flood protection).
 *
 * @module
 */
import { getLogger } from "../../log/mod.ts";
import { concatChunks } from "../../reactor/bytes.ts";
import { ACCEPTED } from "../../reactor/connection.ts";
import { reactor as defaultReactor } from "../../reactor/deno_reactor.ts";
import { ProtocolError } from "../../reactor/errors.ts";
import type { Connection } from "../../reactor/interfaces.ts";
import { MessageReader } from "../../reactor/message_reader.ts";
import type { DelayedCall, IReactorTime } from "../../reactor/time.ts";
import type { CredentialsChecker } from "../../cred/checker.ts";
import { UsernamePassword } from "../../cred/credentials.ts";
import {
  TooManyAttemptsError,
  UnauthorizedLoginError,
} from "../../cred/errors.ts";
import { LoginLimiter } from "../../cred/login_limiter.ts";
import { Portal } from "../../cred/portal.ts";
import { ircLower, isChannelName, isValidNick } from "./casemap.ts";
import { escapeTagValue, formatMessage, IRCDecoderCore } from "./codec.ts";
import { Numeric } from "./constants.ts";
import { IRCSendQueueExceededError } from "./errors.ts";
import {
  DEFAULT_FLOOD_BURST,
  DEFAULT_FLOOD_RATE,
  DEFAULT_MAX_CHANNELS,
  DEFAULT_MAX_NICK_LENGTH,
  DEFAULT_MAX_SEND_QUEUE,
  DEFAULT_PING_INTERVAL,
  DEFAULT_PING_TIMEOUT,
  DEFAULT_REGISTRATION_TIMEOUT,
  type IRCServerLimits,
} from "./limits.ts";
import type { IRCMessage } from "./message.ts";
import { TokenBucket } from "./_token_bucket.ts";

const logger = getLogger("spindle.irc");
const encoder = new TextEncoder();

/** The version the server gives in RPL_YOURHOST and RPL_MYINFO. */
const VERSION = "spindle-0.1";

/** The capabilities the server offers (`sasl` only with a checker). */
const CAPABILITIES = [
  "message-tags",
  "server-time",
  "echo-message",
  "away-notify",
] as const;

/**
 * Options of {@linkcode IRCServer}: its names, its message of the day, its
 * accounts and its limits.
 *
 * @example Usage
 * ```ts
 * import type { IRCServerOptions } from "@spindle/spindle/protocols/irc";
 * const options: IRCServerOptions = { name: "irc.example.test", motd: "Be nice." };
 * console.assert(options.name === "irc.example.test");
 * ```
 */
export interface IRCServerOptions extends IRCServerLimits {
  /** The server's name, the source of its replies; default `"irc.spindle.test"`. */
  name?: string;
  /** The network's name in the welcome and `NETWORK=`; default `"Spindle"`. */
  network?: string;
  /** The message of the day, lines separated by LF; none: ERR_NOMOTD. */
  motd?: string;
  /**
   * Checks the passwords of `PASS` (`account:password`, or the password of
   * the nick) and SASL PLAIN logins, such as
   * `checkerFromString("file:users.txt")`; without it there are no accounts,
   * `PASS` is ignored and `sasl` is not offered.
   */
  checker?: CredentialsChecker;
  /** Holds back failed logins; default a `LoginLimiter` on `clock`. */
  loginLimiter?: LoginLimiter;
  /** Refuse clients that did not log in (with a checker); default false. */
  requireLogin?: boolean;
  /** The time source of the timeouts and the flood protection; default the reactor. */
  clock?: IReactorTime;
}

interface Membership {
  op: boolean;
  voice: boolean;
}

class Channel {
  readonly name: string;
  readonly members = new Map<Session, Membership>();
  readonly created: number;
  topic = "";
  topicBy = "";
  topicAt = 0;
  inviteOnly = false;
  moderated = false;
  noExternal = true;
  topicOps = true;
  key: string | undefined;
  limit: number | undefined;
  readonly invited = new Set<string>();

  constructor(name: string, now: number) {
    this.name = name;
    this.created = now;
  }

  modeString(showKey: boolean): string[] {
    let flags = "+";
    if (this.inviteOnly) flags += "i";
    if (this.moderated) flags += "m";
    if (this.noExternal) flags += "n";
    if (this.topicOps) flags += "t";
    const args: string[] = [];
    if (this.key !== undefined) {
      flags += "k";
      args.push(showKey ? this.key : "*");
    }
    if (this.limit !== undefined) {
      flags += "l";
      args.push(String(this.limit));
    }
    return [flags, ...args];
  }
}

/**
 * One line to many clients: encoded once per kind of recipient (with or
 * without `server-time`, with or without client tags).
 */
class Broadcast {
  readonly #text: string;
  readonly #clientTags: string;
  readonly #now: number;
  // The time as text only once a recipient asked for server-time.
  #time = "";
  readonly #bytes: (Uint8Array | undefined)[] = [];

  constructor(text: string, clientTags: string, now: number) {
    this.#text = text;
    this.#clientTags = clientTags;
    this.#now = now;
  }

  for(session: Session): Uint8Array {
    const tags = this.#clientTags !== "" && session.messageTags;
    const kind = (session.serverTime ? 1 : 0) + (tags ? 2 : 0);
    let bytes = this.#bytes[kind];
    if (bytes === undefined) {
      let prefix = "";
      if (kind & 1) this.#time ||= new Date(this.#now).toISOString();
      if (kind === 1) prefix = `@time=${this.#time} `;
      else if (kind === 2) prefix = `@${this.#clientTags} `;
      else if (kind === 3) prefix = `@time=${this.#time};${this.#clientTags} `;
      bytes = this.#bytes[kind] = encoder.encode(
        `${prefix}${this.#text}\r\n`,
      );
    }
    return bytes;
  }
}

/**
 * Flushes every client written to in a turn, once, at its end: one microtask
 * for the whole fan-out of a channel message, not one per member.
 */
class Flusher {
  #dirty: Session[] = [];
  #scheduled = false;

  add(session: Session): void {
    this.#dirty.push(session);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#run);
  }

  #run = (): void => {
    this.#scheduled = false;
    const dirty = this.#dirty;
    this.#dirty = [];
    for (const session of dirty) session.flush();
  };
}

class Session {
  readonly conn: Connection;
  readonly host: string;
  readonly signon: number;
  nick = "*";
  folded = "";
  user = "";
  realname = "";
  password: string | undefined;
  account: string | undefined;
  hasNick = false;
  hasUser = false;
  capNegotiating = false;
  registered = false;
  saslMechanism: string | undefined;
  saslBuffer = "";
  readonly caps = new Set<string>();
  serverTime = false;
  messageTags = false;
  away: string | undefined;
  invisible = false;
  readonly channels = new Set<Channel>();
  lastActive: number;
  pingSent = false;
  timer: DelayedCall | undefined;
  /** Flood protection's wait, ended early when the client is closed. */
  held: { call: DelayedCall; resolve: () => void } | undefined;
  closed = false;
  /** Why the client leaves, told to its channels: set by QUIT, timeouts, the send queue. */
  quitReason: string | undefined;
  #prefix = "";
  readonly #maxSendQueue: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  onSendQueueExceeded: (session: Session) => void = () => {};

  readonly #flusher: Flusher;

  constructor(
    conn: Connection,
    now: number,
    maxSendQueue: number,
    flusher: Flusher,
  ) {
    this.conn = conn;
    this.#flusher = flusher;
    const remote = conn.remoteAddr;
    this.host = "hostname" in remote ? remote.hostname : "localhost";
    this.signon = now;
    this.lastActive = now;
    this.#maxSendQueue = maxSendQueue;
  }

  get prefix(): string {
    return this.#prefix ||= `${this.nick}!${this.user}@${this.host}`;
  }

  renamed(): void {
    this.#prefix = "";
  }

  /** Queues bytes; the writes of one tick go out together. */
  send(bytes: Uint8Array): void {
    if (this.closed) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.byteLength;
    const conn = this.conn as Connection & { bufferedAmount?: number };
    if (this.#pendingBytes + (conn.bufferedAmount ?? 0) > this.#maxSendQueue) {
      this.onSendQueueExceeded(this);
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#flusher.add(this);
    }
  }

  /** Sends what is queued now, in one write. */
  flush(): void {
    this.#scheduled = false;
    if (this.closed || this.#pending.length === 0) return;
    const pending = this.#pending;
    const chunk = pending.length === 1
      ? pending[0]!
      : concatChunks(pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    // Not awaited: the send queue limit, not the write's promise, bounds
    // what waits for a slow reader, so that nobody else waits for it.
    const written = this.conn.write(chunk);
    if (written !== ACCEPTED) written.catch(() => {});
  }

  /** Drops what is queued. */
  drop(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

/** The commands a client may send before it has registered. */
const BEFORE_REGISTRATION = new Set([
  "NICK",
  "USER",
  "PASS",
  "CAP",
  "AUTHENTICATE",
  "PING",
  "PONG",
  "QUIT",
]);

/**
 * An IRC server: the state of its clients and channels, serving each
 * connection given to {@linkcode IRCServer.handleConnection}.
 * `serveIRC` listens with one.
 *
 * It speaks RFC 1459/2812 as the modern IRC documents describe it: NICK,
 * USER, PASS, CAP (`message-tags`, `server-time`, `echo-message`,
 * `away-notify`, and `sasl` PLAIN with a checker), JOIN, PART, PRIVMSG,
 * NOTICE, TAGMSG, TOPIC, NAMES, LIST, WHO, WHOIS, MODE (channel modes o, v,
 * t, n, k, l, i, m; user mode i), KICK, INVITE, AWAY, PING/PONG, QUIT, MOTD
 * and LUSERS, with `rfc1459` case mapping.
 *
 * @example Usage
 * ```ts
 * import { IRCServer } from "@spindle/spindle/protocols/irc";
 * import { Clock, connectedPair } from "@spindle/spindle/reactor";
 * const server = new IRCServer({ name: "irc.example.test", clock: new Clock() });
 * const [client, conn] = connectedPair();
 * const served = server.handleConnection(conn);
 * await client.write(new TextEncoder().encode("NICK alice\r\nUSER a 0 * :Alice\r\n"));
 * const reply = new TextDecoder().decode((await client.read())!);
 * console.assert(reply.startsWith(":irc.example.test 001 alice "));
 * await client.close();
 * await served;
 * ```
 */
export class IRCServer {
  /** The server's name. */
  readonly name: string;
  /** The network's name. */
  readonly network: string;
  readonly #motdLines: string[] | undefined;
  readonly #clock: IReactorTime;
  readonly #portal: Portal<string> | undefined;
  readonly #limiter: LoginLimiter | undefined;
  readonly #requireLogin: boolean;
  readonly #maxLineBytes: number | undefined;
  readonly #maxTagBytes: number | undefined;
  readonly #registrationTimeout: number;
  readonly #pingInterval: number;
  readonly #pingTimeout: number;
  readonly #maxSendQueue: number;
  readonly #floodBurst: number;
  readonly #floodRate: number;
  readonly #maxNickLength: number;
  readonly #maxChannels: number;
  readonly #created = new Date().toUTCString();
  readonly #sessions = new Set<Session>();
  readonly #nicks = new Map<string, Session>();
  readonly #channels = new Map<string, Channel>();
  readonly #served = new Set<Promise<void>>();
  readonly #capabilities: string;
  readonly #flusher = new Flusher();

  /** Creates the server; see {@linkcode IRCServerOptions}. */
  constructor(options: IRCServerOptions = {}) {
    this.name = options.name ?? "irc.spindle.test";
    this.network = options.network ?? "Spindle";
    this.#motdLines = options.motd?.replace(/\r?\n$/, "").split(/\r?\n/);
    this.#clock = options.clock ?? defaultReactor;
    if (options.checker !== undefined) {
      this.#portal = new Portal<string>(
        { requestAvatar: (id) => ({ interface: "irc", avatar: id }) },
        [options.checker],
      );
      this.#limiter = options.loginLimiter ??
        new LoginLimiter({ clock: this.#clock });
    }
    this.#requireLogin = options.requireLogin ?? false;
    this.#maxLineBytes = options.maxLineBytes;
    this.#maxTagBytes = options.maxTagBytes;
    this.#registrationTimeout = options.registrationTimeout ??
      DEFAULT_REGISTRATION_TIMEOUT;
    this.#pingInterval = options.pingInterval ?? DEFAULT_PING_INTERVAL;
    this.#pingTimeout = options.pingTimeout ?? DEFAULT_PING_TIMEOUT;
    this.#maxSendQueue = options.maxSendQueue ?? DEFAULT_MAX_SEND_QUEUE;
    this.#floodBurst = options.floodBurst ?? DEFAULT_FLOOD_BURST;
    this.#floodRate = options.floodRate ?? DEFAULT_FLOOD_RATE;
    this.#maxNickLength = options.maxNickLength ?? DEFAULT_MAX_NICK_LENGTH;
    this.#maxChannels = options.maxChannels ?? DEFAULT_MAX_CHANNELS;
    this.#capabilities = [
      ...CAPABILITIES,
      ...(this.#portal === undefined ? [] : ["sasl"]),
    ].join(" ");
  }

  /** How many clients are connected, registered or not. */
  get clientCount(): number {
    return this.#sessions.size;
  }

  /** How many channels exist. */
  get channelCount(): number {
    return this.#channels.size;
  }

  /**
   * Serves one connection until the client quits or is dropped; resolves
   * once the connection is closed. A connection handler for `listenTCP` or
   * an endpoint.
   */
  handleConnection(conn: Connection): Promise<void> {
    const served = this.#serve(conn);
    this.#served.add(served);
    return served.finally(() => this.#served.delete(served));
  }

  /** Sends every client `ERROR` and closes its connection; resolves when all are closed. */
  async closeConnections(): Promise<void> {
    for (const session of this.#sessions) {
      this.#close(session, "Server shutting down");
    }
    await Promise.all(this.#served);
  }

  async #serve(conn: Connection): Promise<void> {
    const session = new Session(
      conn,
      this.#clock.now(),
      this.#maxSendQueue,
      this.#flusher,
    );
    session.onSendQueueExceeded = this.#sendQueueExceeded;
    this.#sessions.add(session);
    session.timer = this.#clock.callLater(
      this.#registrationTimeout,
      () => this.#registrationTimedOut(session),
    );
    const reader = new MessageReader(
      conn,
      new IRCDecoderCore({
        maxLineBytes: this.#maxLineBytes,
        maxTagBytes: this.#maxTagBytes,
      }),
    );
    const bucket = this.#floodBurst === Infinity
      ? undefined
      : new TokenBucket(this.#floodBurst, this.#floodRate, this.#clock);
    let reason = "Connection closed";
    try {
      while (!session.closed) {
        let message = reader.tryRead();
        if (message === undefined) message = await reader.read();
        if (message === null || session.closed) break;
        if (bucket !== undefined) {
          // Held back, the client's next lines wait in its socket, and TCP
          // slows it down.
          for (let wait; (wait = bucket.take()) > 0;) {
            await this.#hold(session, wait);
            if (session.closed) break;
          }
        }
        session.lastActive = this.#clock.now();
        session.pingSent = false;
        const done = this.#dispatch(session, message);
        if (done !== undefined) await done;
      }
    } catch (error) {
      if (error instanceof ProtocolError) {
        reason = error.message;
        this.#sendError(session, reason);
        session.flush();
      } else if (!session.closed) {
        reason = "Connection lost";
      }
    } finally {
      reader.cancel();
      this.#remove(session, session.quitReason ?? reason);
      await conn.close().catch(() => {});
    }
  }

  #hold(session: Session, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const call = this.#clock.callLater(ms, () => {
        session.held = undefined;
        resolve();
      });
      session.held = { call, resolve };
    });
  }

  #dispatch(
    session: Session,
    message: IRCMessage,
  ): void | Promise<void> {
    const { command, params } = message;
    if (!session.registered && !BEFORE_REGISTRATION.has(command)) {
      return this.#reply(session, Numeric.ERR_NOTREGISTERED, [
        "You have not registered",
      ]);
    }
    switch (command) {
      case "PRIVMSG":
      case "NOTICE":
      case "TAGMSG":
        return this.#message(session, params, message);
      case "PING":
        return this.#ping(session, params);
      case "PONG":
        return;
      case "NICK":
        return this.#nick(session, params);
      case "USER":
        return this.#user(session, params);
      case "PASS":
        return this.#pass(session, params);
      case "CAP":
        return this.#cap(session, params);
      case "AUTHENTICATE":
        return this.#authenticate(session, params);
      case "QUIT":
        return this.#quit(session, params);
      case "JOIN":
        return this.#join(session, params);
      case "PART":
        return this.#part(session, params);
      case "TOPIC":
        return this.#topic(session, params);
      case "NAMES":
        return this.#names(session, params);
      case "LIST":
        return this.#list(session, params);
      case "WHO":
        return this.#who(session, params);
      case "WHOIS":
        return this.#whois(session, params);
      case "MODE":
        return this.#mode(session, params);
      case "KICK":
        return this.#kick(session, params);
      case "INVITE":
        return this.#invite(session, params);
      case "AWAY":
        return this.#away(session, params);
      case "MOTD":
        return this.#motd(session);
      case "LUSERS":
        return this.#lusers(session);
      default:
        return this.#reply(session, Numeric.ERR_UNKNOWNCOMMAND, [
          command,
          "Unknown command",
        ]);
    }
  }

  // --- sending

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  /** Sends a line of text (without CR LF), with the tags `session` asked for. */
  #sendText(session: Session, text: string): void {
    const line = session.serverTime ? `@time=${this.#now()} ${text}` : text;
    session.send(encoder.encode(`${line}\r\n`));
  }

  #reply(session: Session, code: string, params: string[]): void {
    this.#sendText(
      session,
      formatMessage({
        source: this.name,
        command: code,
        params: [session.nick, ...params],
      }),
    );
  }

  #needMoreParams(session: Session, command: string): void {
    this.#reply(session, Numeric.ERR_NEEDMOREPARAMS, [
      command,
      "Not enough parameters",
    ]);
  }

  #sendError(session: Session, reason: string): void {
    this.#sendText(
      session,
      formatMessage({
        command: "ERROR",
        params: [`Closing Link: ${session.host} (${reason})`],
      }),
    );
  }

  #broadcast(text: string, clientTags = ""): Broadcast {
    return new Broadcast(text, clientTags, this.#clock.now());
  }

  /** Sends `line` to everyone in `session`'s channels, once each. */
  #toPeers(session: Session, line: Broadcast, includeSelf: boolean): void {
    const seen = new Set<Session>();
    if (!includeSelf) seen.add(session);
    else {
      seen.add(session);
      session.send(line.for(session));
    }
    for (const channel of session.channels) {
      for (const member of channel.members.keys()) {
        if (seen.has(member)) continue;
        seen.add(member);
        member.send(line.for(member));
      }
    }
  }

  #toChannel(channel: Channel, line: Broadcast, except?: Session): void {
    for (const member of channel.members.keys()) {
      if (member !== except) member.send(line.for(member));
    }
  }

  // --- closing

  #sendQueueExceeded = (session: Session): void => {
    if (session.closed) return;
    logger.info("dropping {nick} from {host}: SendQ exceeded", {
      nick: session.nick,
      host: session.host,
    });
    session.drop();
    session.quitReason = "SendQ exceeded";
    session.closed = true;
    this.#release(session);
    session.conn.abort(new IRCSendQueueExceededError(this.#maxSendQueue));
  };

  /** Sends ERROR and closes the connection; its read loop cleans up. */
  #close(session: Session, reason: string): void {
    if (session.closed) return;
    session.quitReason ??= reason;
    this.#sendError(session, reason);
    session.flush();
    session.closed = true;
    this.#release(session);
    session.conn.close().catch(() => {});
  }

  /** Ends a flood-protection wait at once: the client is going. */
  #release(session: Session): void {
    const held = session.held;
    session.held = undefined;
    if (held === undefined) return;
    if (held.call.active()) held.call.cancel();
    held.resolve();
  }

  #remove(session: Session, reason: string): void {
    if (!this.#sessions.delete(session)) return;
    session.closed = true;
    if (session.timer?.active()) session.timer.cancel();
    this.#release(session);
    if (session.registered) {
      const quit = this.#broadcast(
        formatMessage({
          source: session.prefix,
          command: "QUIT",
          params: [reason],
        }),
      );
      this.#toPeers(session, quit, false);
      for (const channel of session.channels) {
        channel.members.delete(session);
        if (channel.members.size === 0) {
          this.#channels.delete(ircLower(channel.name));
        }
      }
      session.channels.clear();
    }
    if (session.hasNick && this.#nicks.get(session.folded) === session) {
      this.#nicks.delete(session.folded);
    }
  }

  #registrationTimedOut(session: Session): void {
    if (!session.registered) this.#close(session, "Registration timeout");
  }

  #pingTimer(session: Session): void {
    if (session.closed) return;
    const now = this.#clock.now();
    if (session.pingSent) {
      this.#close(session, "Ping timeout");
      return;
    }
    const idle = now - session.lastActive;
    if (idle < this.#pingInterval) {
      session.timer = this.#clock.callLater(
        this.#pingInterval - idle,
        () => this.#pingTimer(session),
      );
      return;
    }
    session.pingSent = true;
    this.#sendText(session, `PING :${this.name}`);
    session.timer = this.#clock.callLater(
      this.#pingTimeout,
      () => this.#pingTimer(session),
    );
  }

  // --- registration

  #nick(session: Session, params: string[]): void | Promise<void> {
    const nick = params[0];
    if (nick === undefined || nick === "") {
      return this.#reply(session, Numeric.ERR_NONICKNAMEGIVEN, [
        "No nickname given",
      ]);
    }
    if (!isValidNick(nick, this.#maxNickLength)) {
      return this.#reply(session, Numeric.ERR_ERRONEUSNICKNAME, [
        nick,
        "Erroneous nickname",
      ]);
    }
    const folded = ircLower(nick);
    const holder = this.#nicks.get(folded);
    if (holder !== undefined && holder !== session) {
      return this.#reply(session, Numeric.ERR_NICKNAMEINUSE, [
        nick,
        "Nickname is already in use",
      ]);
    }
    if (session.registered) {
      if (nick === session.nick) return;
      const line = this.#broadcast(
        formatMessage({
          source: session.prefix,
          command: "NICK",
          params: [nick],
        }),
      );
      this.#toPeers(session, line, true);
    }
    if (session.hasNick) this.#nicks.delete(session.folded);
    session.nick = nick;
    session.folded = folded;
    session.hasNick = true;
    session.renamed();
    this.#nicks.set(folded, session);
    if (!session.registered) return this.#tryRegister(session);
  }

  #user(session: Session, params: string[]): void | Promise<void> {
    if (session.registered) {
      return this.#reply(session, Numeric.ERR_ALREADYREGISTERED, [
        "You may not reregister",
      ]);
    }
    if (params.length < 4 || params[0] === "") {
      return this.#needMoreParams(session, "USER");
    }
    // The user name goes into every prefix: keep what cannot break one.
    session.user = params[0]!.replace(/[^A-Za-z0-9._~-]/g, "").slice(0, 10) ||
      "user";
    session.realname = params[3]!;
    session.hasUser = true;
    session.renamed();
    return this.#tryRegister(session);
  }

  #pass(session: Session, params: string[]): void {
    if (session.registered) {
      return this.#reply(session, Numeric.ERR_ALREADYREGISTERED, [
        "You may not reregister",
      ]);
    }
    if (params[0] === undefined) return this.#needMoreParams(session, "PASS");
    session.password = params[0];
  }

  #cap(session: Session, params: string[]): void | Promise<void> {
    const sub = (params[0] ?? "").toUpperCase();
    const capReply = (...rest: string[]) =>
      this.#sendText(
        session,
        formatMessage({
          source: this.name,
          command: "CAP",
          params: [session.nick, ...rest],
        }),
      );
    switch (sub) {
      case "LS":
        if (!session.registered) session.capNegotiating = true;
        return capReply("LS", this.#capabilities);
      case "LIST":
        return capReply("LIST", [...session.caps].join(" "));
      case "REQ": {
        if (!session.registered) session.capNegotiating = true;
        const asked = (params[1] ?? "").split(" ").filter((c) => c !== "");
        const offered = this.#capabilities.split(" ");
        const ok = asked.every((c) =>
          offered.includes(c.startsWith("-") ? c.slice(1) : c)
        );
        if (!ok || asked.length === 0) return capReply("NAK", params[1] ?? "");
        for (const cap of asked) {
          if (cap.startsWith("-")) session.caps.delete(cap.slice(1));
          else session.caps.add(cap);
        }
        session.serverTime = session.caps.has("server-time");
        session.messageTags = session.caps.has("message-tags");
        return capReply("ACK", params[1]!);
      }
      case "END":
        if (session.registered || !session.capNegotiating) return;
        session.capNegotiating = false;
        return this.#tryRegister(session);
      default:
        return this.#reply(session, Numeric.ERR_INVALIDCAPCMD, [
          params[0] ?? "",
          "Invalid CAP command",
        ]);
    }
  }

  #authenticate(session: Session, params: string[]): void | Promise<void> {
    const data = params[0];
    if (this.#portal === undefined || !session.caps.has("sasl")) {
      return this.#reply(session, Numeric.ERR_SASLFAIL, [
        "SASL authentication failed",
      ]);
    }
    if (data === undefined) {
      return this.#needMoreParams(session, "AUTHENTICATE");
    }
    if (session.account !== undefined) {
      return this.#reply(session, Numeric.ERR_SASLALREADY, [
        "You have already authenticated using SASL",
      ]);
    }
    if (data === "*") {
      session.saslMechanism = undefined;
      session.saslBuffer = "";
      return this.#reply(session, Numeric.ERR_SASLABORTED, [
        "SASL authentication aborted",
      ]);
    }
    if (session.saslMechanism === undefined) {
      if (data.toUpperCase() !== "PLAIN") {
        this.#reply(session, Numeric.RPL_SASLMECHS, [
          "PLAIN",
          "are available SASL mechanisms",
        ]);
        return this.#reply(session, Numeric.ERR_SASLFAIL, [
          "SASL authentication failed",
        ]);
      }
      session.saslMechanism = "PLAIN";
      return this.#sendText(session, "AUTHENTICATE +");
    }
    // Base64 comes in pieces of 400; a shorter piece (or "+") ends it.
    if (data !== "+") session.saslBuffer += data;
    if (data.length === 400) return;
    const encoded = session.saslBuffer;
    session.saslMechanism = undefined;
    session.saslBuffer = "";
    let fields: string[];
    try {
      fields = new TextDecoder().decode(
        Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0)),
      ).split("\0");
    } catch {
      fields = [];
    }
    if (fields.length !== 3) {
      return this.#reply(session, Numeric.ERR_SASLFAIL, [
        "SASL authentication failed",
      ]);
    }
    return this.#login(session, fields[1]!, fields[2]!).then((account) => {
      if (session.closed) return;
      if (account === undefined) {
        return this.#reply(session, Numeric.ERR_SASLFAIL, [
          "SASL authentication failed",
        ]);
      }
      session.account = account;
      this.#reply(session, Numeric.RPL_LOGGEDIN, [
        session.prefix,
        account,
        `You are now logged in as ${account}`,
      ]);
      this.#reply(session, Numeric.RPL_SASLSUCCESS, [
        "SASL authentication successful",
      ]);
    });
  }

  /** Logs in through the portal; the account, or undefined when refused. */
  async #login(
    session: Session,
    name: string,
    password: string,
  ): Promise<string | undefined> {
    try {
      const { avatar } = await this.#limiter!.attempt(
        { connection: session, source: session.host },
        () =>
          this.#portal!.login(
            new UsernamePassword(name, password),
            null,
            "irc",
          ),
      );
      return avatar;
    } catch (error) {
      if (!(error instanceof UnauthorizedLoginError)) throw error;
      if (error instanceof TooManyAttemptsError) {
        this.#close(session, "Too many failed logins");
      }
      return undefined;
    }
  }

  async #tryRegister(session: Session): Promise<void> {
    if (
      session.registered || !session.hasNick || !session.hasUser ||
      session.capNegotiating
    ) return;
    if (this.#portal !== undefined && session.account === undefined) {
      const password = session.password;
      if (password !== undefined) {
        const colon = password.indexOf(":");
        const [name, secret] = colon < 0
          ? [session.nick, password]
          : [password.slice(0, colon), password.slice(colon + 1)];
        session.account = await this.#login(session, name, secret);
        if (session.closed) return;
        if (session.account === undefined) {
          this.#reply(session, Numeric.ERR_PASSWDMISMATCH, [
            "Password incorrect",
          ]);
          return this.#close(session, "Bad password");
        }
      } else if (this.#requireLogin) {
        this.#reply(session, Numeric.ERR_PASSWDMISMATCH, [
          "This server needs a login: PASS account:password, or SASL PLAIN",
        ]);
        return this.#close(session, "Login required");
      }
    }
    session.password = undefined;
    session.registered = true;
    if (session.timer?.active()) session.timer.cancel();
    session.timer = this.#clock.callLater(
      this.#pingInterval,
      () => this.#pingTimer(session),
    );
    const r = (code: string, ...params: string[]) =>
      this.#reply(session, code, params);
    r(
      Numeric.RPL_WELCOME,
      `Welcome to the ${this.network} IRC Network ${session.prefix}`,
    );
    r(
      Numeric.RPL_YOURHOST,
      `Your host is ${this.name}, running version ${VERSION}`,
    );
    r(Numeric.RPL_CREATED, `This server was created ${this.#created}`);
    r(Numeric.RPL_MYINFO, this.name, VERSION, "i", "iklmnotv", "klov");
    r(
      Numeric.RPL_ISUPPORT,
      "CASEMAPPING=rfc1459",
      "CHANTYPES=#&",
      "CHANMODES=b,k,l,imnt",
      "PREFIX=(ov)@+",
      `NICKLEN=${this.#maxNickLength}`,
      "CHANNELLEN=50",
      `CHANLIMIT=#&:${this.#maxChannels}`,
      `NETWORK=${this.network}`,
      "are supported by this server",
    );
    this.#lusers(session);
    this.#motd(session);
  }

  // --- queries

  #lusers(session: Session): void {
    let users = 0;
    let invisible = 0;
    for (const s of this.#sessions) {
      if (!s.registered) continue;
      users++;
      if (s.invisible) invisible++;
    }
    const r = (code: string, ...params: string[]) =>
      this.#reply(session, code, params);
    r(
      Numeric.RPL_LUSERCLIENT,
      `There are ${
        users - invisible
      } users and ${invisible} invisible on 1 servers`,
    );
    r(Numeric.RPL_LUSEROP, "0", "operator(s) online");
    r(
      Numeric.RPL_LUSERUNKNOWN,
      String(this.#sessions.size - users),
      "unknown connection(s)",
    );
    r(
      Numeric.RPL_LUSERCHANNELS,
      String(this.#channels.size),
      "channels formed",
    );
    r(Numeric.RPL_LUSERME, `I have ${users} clients and 0 servers`);
  }

  #motd(session: Session): void {
    if (this.#motdLines === undefined) {
      return this.#reply(session, Numeric.ERR_NOMOTD, ["MOTD File is missing"]);
    }
    this.#reply(session, Numeric.RPL_MOTDSTART, [
      `- ${this.name} Message of the day - `,
    ]);
    for (const line of this.#motdLines) {
      this.#reply(session, Numeric.RPL_MOTD, [`- ${line}`]);
    }
    this.#reply(session, Numeric.RPL_ENDOFMOTD, ["End of MOTD command"]);
  }

  #ping(session: Session, params: string[]): void {
    if (params[0] === undefined) {
      return this.#reply(session, Numeric.ERR_NOORIGIN, [
        "No origin specified",
      ]);
    }
    this.#sendText(
      session,
      formatMessage({
        source: this.name,
        command: "PONG",
        params: [this.name, params[0]],
      }),
    );
  }

  #quit(session: Session, params: string[]): void {
    const reason = params[0] === undefined
      ? "Client Quit"
      : `Quit: ${params[0]}`;
    session.quitReason = reason;
    this.#close(session, reason);
  }

  // --- channels

  #channel(name: string): Channel | undefined {
    return this.#channels.get(ircLower(name));
  }

  #join(session: Session, params: string[]): void {
    if (params[0] === undefined) return this.#needMoreParams(session, "JOIN");
    if (params[0] === "0") {
      for (const channel of [...session.channels]) {
        this.#partChannel(session, channel, "");
      }
      return;
    }
    const keys = (params[1] ?? "").split(",");
    params[0].split(",").forEach((name, i) => {
      if (!isChannelName(name)) {
        return this.#reply(session, Numeric.ERR_NOSUCHCHANNEL, [
          name,
          "No such channel",
        ]);
      }
      let channel = this.#channel(name);
      if (channel?.members.has(session)) return;
      if (session.channels.size >= this.#maxChannels) {
        return this.#reply(session, Numeric.ERR_TOOMANYCHANNELS, [
          name,
          "You have joined too many channels",
        ]);
      }
      if (channel === undefined) {
        channel = new Channel(name, this.#clock.now());
        this.#channels.set(ircLower(name), channel);
      } else {
        const refusal = this.#refuseJoin(session, channel, keys[i]);
        if (refusal !== undefined) {
          return this.#reply(session, refusal[0], [name, refusal[1]]);
        }
      }
      channel.invited.delete(session.folded);
      channel.members.set(session, {
        op: channel.members.size === 0,
        voice: false,
      });
      session.channels.add(channel);
      this.#toChannel(
        channel,
        this.#broadcast(
          formatMessage({
            source: session.prefix,
            command: "JOIN",
            params: [channel.name],
          }),
        ),
      );
      if (channel.topic !== "") this.#sendTopic(session, channel);
      this.#sendNames(session, channel);
    });
  }

  #refuseJoin(
    session: Session,
    channel: Channel,
    key: string | undefined,
  ): [string, string] | undefined {
    if (channel.key !== undefined && key !== channel.key) {
      return [Numeric.ERR_BADCHANNELKEY, "Cannot join channel (+k)"];
    }
    if (channel.limit !== undefined && channel.members.size >= channel.limit) {
      return [Numeric.ERR_CHANNELISFULL, "Cannot join channel (+l)"];
    }
    if (channel.inviteOnly && !channel.invited.has(session.folded)) {
      return [Numeric.ERR_INVITEONLYCHAN, "Cannot join channel (+i)"];
    }
    return undefined;
  }

  #partChannel(session: Session, channel: Channel, reason: string): void {
    const params = reason === "" ? [channel.name] : [channel.name, reason];
    this.#toChannel(
      channel,
      this.#broadcast(
        formatMessage({ source: session.prefix, command: "PART", params }),
      ),
    );
    this.#leave(session, channel);
  }

  #leave(session: Session, channel: Channel): void {
    channel.members.delete(session);
    session.channels.delete(channel);
    if (channel.members.size === 0) {
      this.#channels.delete(ircLower(channel.name));
    }
  }

  #part(session: Session, params: string[]): void {
    if (params[0] === undefined) return this.#needMoreParams(session, "PART");
    for (const name of params[0].split(",")) {
      const channel = this.#channel(name);
      if (channel === undefined) {
        this.#reply(session, Numeric.ERR_NOSUCHCHANNEL, [
          name,
          "No such channel",
        ]);
      } else if (!channel.members.has(session)) {
        this.#reply(session, Numeric.ERR_NOTONCHANNEL, [
          name,
          "You're not on that channel",
        ]);
      } else {
        this.#partChannel(session, channel, params[1] ?? "");
      }
    }
  }

  #sendTopic(session: Session, channel: Channel): void {
    this.#reply(session, Numeric.RPL_TOPIC, [channel.name, channel.topic]);
    this.#reply(session, Numeric.RPL_TOPICWHOTIME, [
      channel.name,
      channel.topicBy,
      String(Math.floor(channel.topicAt / 1000)),
    ]);
  }

  #topic(session: Session, params: string[]): void {
    const name = params[0];
    if (name === undefined) return this.#needMoreParams(session, "TOPIC");
    const channel = this.#channel(name);
    if (channel === undefined) {
      return this.#reply(session, Numeric.ERR_NOSUCHCHANNEL, [
        name,
        "No such channel",
      ]);
    }
    const membership = channel.members.get(session);
    if (params[1] === undefined) {
      if (channel.topic === "") {
        return this.#reply(session, Numeric.RPL_NOTOPIC, [
          channel.name,
          "No topic is set",
        ]);
      }
      return this.#sendTopic(session, channel);
    }
    if (membership === undefined) {
      return this.#reply(session, Numeric.ERR_NOTONCHANNEL, [
        channel.name,
        "You're not on that channel",
      ]);
    }
    if (channel.topicOps && !membership.op) {
      return this.#reply(session, Numeric.ERR_CHANOPRIVSNEEDED, [
        channel.name,
        "You're not channel operator",
      ]);
    }
    channel.topic = params[1];
    channel.topicBy = session.prefix;
    channel.topicAt = this.#clock.now();
    this.#toChannel(
      channel,
      this.#broadcast(
        formatMessage({
          source: session.prefix,
          command: "TOPIC",
          params: [channel.name, channel.topic],
        }),
      ),
    );
  }

  #sendNames(session: Session, channel: Channel): void {
    const names: string[] = [];
    for (const [member, { op, voice }] of channel.members) {
      names.push(`${op ? "@" : voice ? "+" : ""}${member.nick}`);
    }
    // RPL_NAMREPLY lines short enough for the 512-byte limit.
    const head = `:${this.name} 353 ${session.nick} = ${channel.name} :`;
    let batch: string[] = [];
    let length = head.length + 2;
    for (const name of names) {
      if (batch.length > 0 && length + name.length + 1 > 512) {
        this.#reply(session, Numeric.RPL_NAMREPLY, [
          "=",
          channel.name,
          batch.join(" "),
        ]);
        batch = [];
        length = head.length + 2;
      }
      batch.push(name);
      length += name.length + 1;
    }
    if (batch.length > 0) {
      this.#reply(session, Numeric.RPL_NAMREPLY, [
        "=",
        channel.name,
        batch.join(" "),
      ]);
    }
    this.#reply(session, Numeric.RPL_ENDOFNAMES, [
      channel.name,
      "End of /NAMES list",
    ]);
  }

  #names(session: Session, params: string[]): void {
    if (params[0] === undefined) {
      return this.#reply(session, Numeric.RPL_ENDOFNAMES, [
        "*",
        "End of /NAMES list",
      ]);
    }
    for (const name of params[0].split(",")) {
      const channel = this.#channel(name);
      if (channel === undefined) {
        this.#reply(session, Numeric.RPL_ENDOFNAMES, [
          name,
          "End of /NAMES list",
        ]);
      } else this.#sendNames(session, channel);
    }
  }

  #list(session: Session, params: string[]): void {
    const wanted = params[0]?.split(",").map(ircLower);
    this.#reply(session, Numeric.RPL_LISTSTART, ["Channel", "Users  Name"]);
    for (const [folded, channel] of this.#channels) {
      if (wanted !== undefined && !wanted.includes(folded)) continue;
      this.#reply(session, Numeric.RPL_LIST, [
        channel.name,
        String(channel.members.size),
        channel.topic,
      ]);
    }
    this.#reply(session, Numeric.RPL_LISTEND, ["End of /LIST"]);
  }

  #whoReply(session: Session, channel: string, who: Session, prefix: string) {
    this.#reply(session, Numeric.RPL_WHOREPLY, [
      channel,
      who.user,
      who.host,
      this.name,
      who.nick,
      `${who.away === undefined ? "H" : "G"}${prefix}`,
      `0 ${who.realname}`,
    ]);
  }

  #who(session: Session, params: string[]): void {
    const mask = params[0] ?? "*";
    const channel = this.#channel(mask);
    if (channel !== undefined) {
      for (const [member, { op, voice }] of channel.members) {
        this.#whoReply(
          session,
          channel.name,
          member,
          op ? "@" : voice ? "+" : "",
        );
      }
    } else {
      const who = this.#nicks.get(ircLower(mask));
      if (who?.registered) this.#whoReply(session, "*", who, "");
    }
    this.#reply(session, Numeric.RPL_ENDOFWHO, [mask, "End of /WHO list"]);
  }

  #whois(session: Session, params: string[]): void {
    const nick = params[params.length - 1];
    if (nick === undefined) {
      return this.#reply(session, Numeric.ERR_NONICKNAMEGIVEN, [
        "No nickname given",
      ]);
    }
    const who = this.#nicks.get(ircLower(nick));
    if (who === undefined || !who.registered) {
      this.#reply(session, Numeric.ERR_NOSUCHNICK, [
        nick,
        "No such nick/channel",
      ]);
    } else {
      this.#reply(session, Numeric.RPL_WHOISUSER, [
        who.nick,
        who.user,
        who.host,
        "*",
        who.realname,
      ]);
      const channels = [...who.channels].map((c) => {
        const m = c.members.get(who)!;
        return `${m.op ? "@" : m.voice ? "+" : ""}${c.name}`;
      });
      if (channels.length > 0) {
        this.#reply(session, Numeric.RPL_WHOISCHANNELS, [
          who.nick,
          channels.join(" "),
        ]);
      }
      this.#reply(session, Numeric.RPL_WHOISSERVER, [
        who.nick,
        this.name,
        this.network,
      ]);
      if (who.away !== undefined) {
        this.#reply(session, Numeric.RPL_AWAY, [who.nick, who.away]);
      }
      if (who.account !== undefined) {
        this.#reply(session, Numeric.RPL_WHOISACCOUNT, [
          who.nick,
          who.account,
          "is logged in as",
        ]);
      }
      const now = this.#clock.now();
      this.#reply(session, Numeric.RPL_WHOISIDLE, [
        who.nick,
        String(Math.floor((now - who.lastActive) / 1000)),
        String(Math.floor(who.signon / 1000)),
        "seconds idle, signon time",
      ]);
    }
    this.#reply(session, Numeric.RPL_ENDOFWHOIS, [nick, "End of /WHOIS list"]);
  }

  // --- messages

  /** PRIVMSG, NOTICE and TAGMSG. */
  #message(
    session: Session,
    params: string[],
    message: IRCMessage,
  ): void {
    const command = message.command;
    const notice = command === "NOTICE";
    const tagOnly = command === "TAGMSG";
    if (params[0] === undefined || params[0] === "") {
      if (notice) return;
      return this.#reply(session, Numeric.ERR_NORECIPIENT, [
        `No recipient given (${command})`,
      ]);
    }
    if (!tagOnly && (params[1] === undefined || params[1] === "")) {
      if (notice) return;
      return this.#reply(session, Numeric.ERR_NOTEXTTOSEND, [
        "No text to send",
      ]);
    }
    // Client-only tags (`+name`) go on to those that asked for message-tags.
    let clientTags = "";
    if (message.tags !== undefined && session.messageTags) {
      const parts: string[] = [];
      for (const key in message.tags) {
        if (!key.startsWith("+")) continue;
        const value = message.tags[key]!;
        parts.push(value === "" ? key : `${key}=${escapeTagValue(value)}`);
      }
      clientTags = parts.join(";");
    }
    if (tagOnly && clientTags === "") return;
    const echo = session.caps.has("echo-message");
    const text = (target: string) =>
      formatMessage({
        source: session.prefix,
        command,
        params: tagOnly ? [target] : [target, params[1]!],
      });
    for (const target of params[0].split(",")) {
      if (target.startsWith("#") || target.startsWith("&")) {
        const channel = this.#channel(target);
        if (channel === undefined) {
          if (!notice) {
            this.#reply(session, Numeric.ERR_NOSUCHNICK, [
              target,
              "No such nick/channel",
            ]);
          }
          continue;
        }
        const membership = channel.members.get(session);
        if (
          (membership === undefined && channel.noExternal) ||
          (channel.moderated && !membership?.op && !membership?.voice)
        ) {
          if (!notice) {
            this.#reply(session, Numeric.ERR_CANNOTSENDTOCHAN, [
              channel.name,
              "Cannot send to channel",
            ]);
          }
          continue;
        }
        this.#toChannel(
          channel,
          this.#broadcast(text(channel.name), clientTags),
          echo ? undefined : session,
        );
        continue;
      }
      const who = this.#nicks.get(ircLower(target));
      if (who === undefined || !who.registered) {
        if (!notice) {
          this.#reply(session, Numeric.ERR_NOSUCHNICK, [
            target,
            "No such nick/channel",
          ]);
        }
        continue;
      }
      const line = this.#broadcast(text(who.nick), clientTags);
      who.send(line.for(who));
      if (echo && who !== session) session.send(line.for(session));
      if (command === "PRIVMSG" && who.away !== undefined) {
        this.#reply(session, Numeric.RPL_AWAY, [who.nick, who.away]);
      }
    }
  }

  #away(session: Session, params: string[]): void {
    const text = params[0];
    session.away = text === undefined || text === "" ? undefined : text;
    if (session.away === undefined) {
      this.#reply(session, Numeric.RPL_UNAWAY, [
        "You are no longer marked as being away",
      ]);
    } else {
      this.#reply(session, Numeric.RPL_NOWAWAY, [
        "You have been marked as being away",
      ]);
    }
    const line = this.#broadcast(
      formatMessage({
        source: session.prefix,
        command: "AWAY",
        params: session.away === undefined ? [] : [session.away],
      }),
    );
    const seen = new Set<Session>([session]);
    for (const channel of session.channels) {
      for (const member of channel.members.keys()) {
        if (seen.has(member)) continue;
        seen.add(member);
        if (member.caps.has("away-notify")) member.send(line.for(member));
      }
    }
  }

  // --- modes, kicks, invitations

  #mode(session: Session, params: string[]): void {
    const target = params[0];
    if (target === undefined) return this.#needMoreParams(session, "MODE");
    if (!target.startsWith("#") && !target.startsWith("&")) {
      return this.#userMode(session, target, params[1]);
    }
    const channel = this.#channel(target);
    if (channel === undefined) {
      return this.#reply(session, Numeric.ERR_NOSUCHCHANNEL, [
        target,
        "No such channel",
      ]);
    }
    const membership = channel.members.get(session);
    const changes = params[1];
    if (changes === undefined) {
      this.#reply(session, Numeric.RPL_CHANNELMODEIS, [
        channel.name,
        ...channel.modeString(membership !== undefined),
      ]);
      return this.#reply(session, Numeric.RPL_CREATIONTIME, [
        channel.name,
        String(Math.floor(channel.created / 1000)),
      ]);
    }
    if (/^[+-]?b$/.test(changes) && params[2] === undefined) {
      return this.#reply(session, Numeric.RPL_ENDOFBANLIST, [
        channel.name,
        "End of channel ban list",
      ]);
    }
    if (!membership?.op) {
      return this.#reply(session, Numeric.ERR_CHANOPRIVSNEEDED, [
        channel.name,
        "You're not channel operator",
      ]);
    }
    this.#channelMode(session, channel, changes, params.slice(2));
  }

  #channelMode(
    session: Session,
    channel: Channel,
    changes: string,
    args: string[],
  ): void {
    let sign = "+";
    let applied = "";
    let appliedSign = "";
    const appliedArgs: string[] = [];
    const apply = (mode: string, arg?: string) => {
      if (sign !== appliedSign) {
        applied += sign;
        appliedSign = sign;
      }
      applied += mode;
      if (arg !== undefined) appliedArgs.push(arg);
    };
    let next = 0;
    for (const mode of changes) {
      const on = sign === "+";
      switch (mode) {
        case "+":
        case "-":
          sign = mode;
          break;
        case "o":
        case "v": {
          const nick = args[next++];
          if (nick === undefined) break;
          const who = this.#nicks.get(ircLower(nick));
          const member = who === undefined
            ? undefined
            : channel.members.get(who);
          if (member === undefined) {
            this.#reply(session, Numeric.ERR_USERNOTINCHANNEL, [
              nick,
              channel.name,
              "They aren't on that channel",
            ]);
            break;
          }
          if (mode === "o") member.op = on;
          else member.voice = on;
          apply(mode, who!.nick);
          break;
        }
        case "k": {
          const key = args[next++];
          if (on) {
            if (key === undefined || key === "" || key.includes(",")) break;
            channel.key = key;
            apply(mode, key);
          } else if (channel.key !== undefined) {
            channel.key = undefined;
            apply(mode, "*");
          }
          break;
        }
        case "l":
          if (on) {
            const limit = Number(args[next++]);
            if (!Number.isInteger(limit) || limit <= 0) break;
            channel.limit = limit;
            apply(mode, String(limit));
          } else if (channel.limit !== undefined) {
            channel.limit = undefined;
            apply(mode);
          }
          break;
        case "i":
          channel.inviteOnly = on;
          apply(mode);
          break;
        case "m":
          channel.moderated = on;
          apply(mode);
          break;
        case "n":
          channel.noExternal = on;
          apply(mode);
          break;
        case "t":
          channel.topicOps = on;
          apply(mode);
          break;
        default:
          this.#reply(session, Numeric.ERR_UNKNOWNMODE, [
            mode,
            "is unknown mode char to me",
          ]);
      }
    }
    if (applied === "") return;
    this.#toChannel(
      channel,
      this.#broadcast(
        formatMessage({
          source: session.prefix,
          command: "MODE",
          params: [channel.name, applied, ...appliedArgs],
        }),
      ),
    );
  }

  #userMode(session: Session, nick: string, changes: string | undefined) {
    if (ircLower(nick) !== session.folded) {
      return this.#reply(session, Numeric.ERR_USERSDONTMATCH, [
        "Cannot change mode for other users",
      ]);
    }
    if (changes === undefined) {
      return this.#reply(session, Numeric.RPL_UMODEIS, [
        session.invisible ? "+i" : "+",
      ]);
    }
    let sign = "+";
    let applied = "";
    for (const mode of changes) {
      if (mode === "+" || mode === "-") sign = mode;
      else if (mode === "i") {
        if (session.invisible !== (sign === "+")) {
          session.invisible = sign === "+";
          applied += `${sign}i`;
        }
      } else {
        this.#reply(session, Numeric.ERR_UMODEUNKNOWNFLAG, [
          "Unknown MODE flag",
        ]);
      }
    }
    if (applied !== "") {
      this.#sendText(
        session,
        formatMessage({
          source: session.prefix,
          command: "MODE",
          params: [session.nick, applied],
        }),
      );
    }
  }

  #kick(session: Session, params: string[]): void {
    const [name, nick, reason] = params;
    if (name === undefined || nick === undefined) {
      return this.#needMoreParams(session, "KICK");
    }
    const channel = this.#channel(name);
    if (channel === undefined) {
      return this.#reply(session, Numeric.ERR_NOSUCHCHANNEL, [
        name,
        "No such channel",
      ]);
    }
    const membership = channel.members.get(session);
    if (membership === undefined) {
      return this.#reply(session, Numeric.ERR_NOTONCHANNEL, [
        channel.name,
        "You're not on that channel",
      ]);
    }
    if (!membership.op) {
      return this.#reply(session, Numeric.ERR_CHANOPRIVSNEEDED, [
        channel.name,
        "You're not channel operator",
      ]);
    }
    for (const victimNick of nick.split(",")) {
      const victim = this.#nicks.get(ircLower(victimNick));
      if (victim === undefined || !channel.members.has(victim)) {
        this.#reply(session, Numeric.ERR_USERNOTINCHANNEL, [
          victimNick,
          channel.name,
          "They aren't on that channel",
        ]);
        continue;
      }
      this.#toChannel(
        channel,
        this.#broadcast(
          formatMessage({
            source: session.prefix,
            command: "KICK",
            params: [channel.name, victim.nick, reason ?? session.nick],
          }),
        ),
      );
      this.#leave(victim, channel);
    }
  }

  #invite(session: Session, params: string[]): void {
    const [nick, name] = params;
    if (nick === undefined || name === undefined) {
      return this.#needMoreParams(session, "INVITE");
    }
    const who = this.#nicks.get(ircLower(nick));
    if (who === undefined || !who.registered) {
      return this.#reply(session, Numeric.ERR_NOSUCHNICK, [
        nick,
        "No such nick/channel",
      ]);
    }
    const channel = this.#channel(name);
    if (channel !== undefined) {
      const membership = channel.members.get(session);
      if (membership === undefined) {
        return this.#reply(session, Numeric.ERR_NOTONCHANNEL, [
          channel.name,
          "You're not on that channel",
        ]);
      }
      if (channel.members.has(who)) {
        return this.#reply(session, Numeric.ERR_USERONCHANNEL, [
          who.nick,
          channel.name,
          "is already on channel",
        ]);
      }
      if (channel.inviteOnly && !membership.op) {
        return this.#reply(session, Numeric.ERR_CHANOPRIVSNEEDED, [
          channel.name,
          "You're not channel operator",
        ]);
      }
      channel.invited.add(who.folded);
    }
    this.#reply(session, Numeric.RPL_INVITING, [who.nick, name]);
    this.#sendText(
      who,
      formatMessage({
        source: session.prefix,
        command: "INVITE",
        params: [who.nick, name],
      }),
    );
  }
}
