/**
 * The IRC client for bots, shaped like Twisted's `IRCClient`: a protocol
 * whose overridable methods (`signedOn`, `joined`, `privmsg`...) are called
 * as the server speaks, which also hands out the same events as an async
 * iterator for `for await` code; commands (`join`, `msg`, `whois`...); and
 * the session work done for you (PONG, nick collisions, IRCv3 CAP with SASL
 * PLAIN, CTCP answers, flood control). {@linkcode IRCClientFactory}
 * reconnects with backoff; {@linkcode connectIRC} connects once and resolves
 * when signed on.
 *
 * @module
 */
import type { Address } from "../../reactor/interfaces.ts";
import type { DelayedCall } from "../../reactor/time.ts";
import { Protocol } from "../../reactor/protocol.ts";
import { ReconnectingClientFactory } from "../../reactor/reconnecting.ts";
import type { ReconnectingOptions } from "../../reactor/reconnecting.ts";
import {
  type ClientEndpoint,
  connectProtocol,
} from "../../reactor/endpoints/mod.ts";
import { ircLower } from "./casemap.ts";
import { IRCDecoderCore, IRCEncoderCore } from "./codec.ts";
import { Numeric } from "./constants.ts";
import { ctcpExtract, ctcpStringify } from "./ctcp.ts";
import { IRCSignOnError } from "./errors.ts";
import {
  DEFAULT_CLIENT_BURST,
  DEFAULT_CLIENT_INTERVAL,
  type IRCCodecLimits,
  MAX_LINE_BYTES,
} from "./limits.ts";
import { type IRCMessage, parseSource } from "./message.ts";
import { TokenBucket } from "./_token_bucket.ts";

/** The capabilities a client asks for by default, when the server has them. */
const DEFAULT_CAPABILITIES = [
  "message-tags",
  "server-time",
  "echo-message",
  "away-notify",
];

/**
 * The room a server's relay of our message takes in front of its text:
 * `:nick!user@host PRIVMSG target :` with the longest host (63 bytes, a DNS
 * label's limit, RFC 1035 §2.3.4) and the CR LF.
 */
const HOST_RESERVE = 63;

/**
 * Options of {@linkcode IRCClient}.
 *
 * @example Usage
 * ```ts
 * import type { IRCClientOptions } from "@spindle/spindle/protocols/irc";
 * const options: IRCClientOptions = { nickname: "spindlebot", channels: ["#spindle"] };
 * console.assert(options.nickname === "spindlebot");
 * ```
 */
export interface IRCClientOptions extends IRCCodecLimits {
  /** The nickname to sign on with. */
  nickname: string;
  /** The user name (ident); default the nickname. */
  username?: string;
  /** The real name; default the nickname. */
  realname?: string;
  /** A server password, sent with PASS. */
  password?: string;
  /** An account to log in with SASL PLAIN (asks for the `sasl` capability). */
  sasl?: { account: string; password: string };
  /**
   * The IRCv3 capabilities to ask for, when the server offers them; default
   * `message-tags`, `server-time`, `echo-message`, `away-notify` (and `sasl`
   * with `sasl`). `[]` skips CAP negotiation.
   */
  capabilities?: string[];
  /** Channels to join once signed on (again after each reconnect). */
  channels?: string[];
  /** Messages sent at once before flood control waits; default {@linkcode DEFAULT_CLIENT_BURST}. */
  floodBurst?: number;
  /** Milliseconds between messages past the burst; default {@linkcode DEFAULT_CLIENT_INTERVAL}. 0: no flood control. */
  floodInterval?: number;
  /** The answer to CTCP VERSION; default `"Spindle IRC client"`. */
  versionName?: string;
}

/**
 * One event of an {@linkcode IRCClient}, as {@linkcode IRCClient.events}
 * hands them out: the same as the overridable methods of the same names.
 * `user` is a full `nick!user@host` for messages and a nick otherwise, as in
 * Twisted; `tags` are the message's IRCv3 tags (`time` with `server-time`).
 *
 * @example Usage
 * ```ts
 * import type { IRCEvent } from "@spindle/spindle/protocols/irc";
 * const event: IRCEvent = { type: "joined", channel: "#chat" };
 * console.assert(event.type === "joined");
 * ```
 */
export type IRCEvent =
  | { type: "signedOn" }
  | { type: "joined"; channel: string }
  | { type: "left"; channel: string }
  | {
    type: "privmsg";
    user: string;
    channel: string;
    message: string;
    tags?: Record<string, string>;
  }
  | {
    type: "action";
    user: string;
    channel: string;
    data: string;
    tags?: Record<string, string>;
  }
  | {
    type: "noticed";
    user: string;
    channel: string;
    message: string;
    tags?: Record<string, string>;
  }
  | { type: "userJoined"; user: string; channel: string }
  | { type: "userLeft"; user: string; channel: string }
  | { type: "userQuit"; user: string; quitMessage: string }
  | { type: "userRenamed"; oldname: string; newname: string }
  | {
    type: "userKicked";
    kickee: string;
    channel: string;
    kicker: string;
    message: string;
  }
  | { type: "topicUpdated"; user: string; channel: string; newTopic: string }
  | { type: "kickedFrom"; channel: string; kicker: string; message: string }
  | { type: "nickChanged"; nick: string };

interface WhoisRequest {
  replies: IRCMessage[];
  resolve(replies: IRCMessage[]): void;
  reject(error: Error): void;
}

/** The numerics a WHOIS is answered with. */
const WHOIS_REPLIES = new Set<string>([
  Numeric.RPL_WHOISUSER,
  Numeric.RPL_WHOISSERVER,
  Numeric.RPL_WHOISOPERATOR,
  Numeric.RPL_WHOISIDLE,
  Numeric.RPL_WHOISCHANNELS,
  Numeric.RPL_WHOISACCOUNT,
  Numeric.RPL_AWAY,
  Numeric.ERR_NOSUCHNICK,
  Numeric.ERR_NOSUCHSERVER,
]);

const encoder = new TextEncoder();

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, at line
 * breaks first, then at the last space that fits, never inside a character.
 *
 * @example Usage
 * ```ts
 * import { splitText } from "@spindle/spindle/protocols/irc";
 * import { assertEquals } from "@spindle/spindle/trial";
 * assertEquals(splitText("héllo wörld", 8), ["héllo", "wörld"]);
 * ```
 */
export function splitText(text: string, maxBytes: number): string[] {
  if (!(maxBytes >= 4)) {
    throw new RangeError(
      `splitText needs room for one character (4 bytes), got ${maxBytes}`,
    );
  }
  const pieces: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let rest = line;
    while (encoder.encode(rest).length > maxBytes) {
      // The longest prefix of whole code points that fits.
      let bytes = 0;
      let end = 0;
      let space = -1;
      for (const char of rest) {
        const size = encoder.encode(char).length;
        if (bytes + size > maxBytes) break;
        bytes += size;
        end += char.length;
        if (char === " ") space = end - 1;
      }
      const cut = space > 0 ? space : end;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(space > 0 ? cut + 1 : cut);
    }
    if (rest !== "") pieces.push(rest);
  }
  return pieces;
}

/**
 * An IRC client connection, Twisted's `IRCClient` for Spindle: override the
 * event methods you need (each does nothing by default), or read
 * {@linkcode IRCClient.events} with `for await`; call the command methods to
 * act. Run it with {@linkcode connectIRC}, an {@linkcode IRCClientFactory}
 * (reconnecting), or any way a Spindle `Protocol` runs.
 *
 * @example A bot that answers `!ping`
 * ```ts
 * import { IRCClient } from "@spindle/spindle/protocols/irc";
 * class PingBot extends IRCClient {
 *   override privmsg(user: string, channel: string, message: string): void {
 *     if (message === "!ping") this.msg(channel, "pong");
 *   }
 * }
 * const bot = new PingBot({ nickname: "pingbot", channels: ["#spindle"] });
 * console.assert(bot.nickname === "pingbot");
 * ```
 */
export class IRCClient extends Protocol {
  /** The current nickname (the server's word for it once signed on). */
  nickname: string;
  /** Whether the server has welcomed us (RPL_WELCOME). */
  isSignedOn = false;
  /** The capabilities the server acknowledged. */
  readonly capabilities: Set<string> = new Set();
  /** What the server supports (RPL_ISUPPORT), such as `CASEMAPPING`. */
  readonly supported: Map<string, string> = new Map();
  readonly #options: IRCClientOptions;
  readonly #decoder: IRCDecoderCore;
  readonly #encoder: IRCEncoderCore;
  readonly #wanted: string[];
  #offered: string[] = [];
  #queue: Uint8Array[] = [];
  #bucket: TokenBucket | undefined;
  #drain: DelayedCall | undefined;
  #whois = new Map<string, WhoisRequest[]>();
  #events: IRCEvent[] = [];
  #waiters: ((result: IteratorResult<IRCEvent>) => void)[] = [];
  #ended = false;
  #signOn = Promise.withResolvers<void>();

  /** Creates the client; nothing is sent until it is connected. */
  constructor(options: IRCClientOptions) {
    super();
    this.#options = options;
    this.nickname = options.nickname;
    this.#decoder = new IRCDecoderCore({
      maxLineBytes: options.maxLineBytes,
      maxTagBytes: options.maxTagBytes,
    });
    this.#encoder = new IRCEncoderCore({
      maxLineBytes: options.maxLineBytes,
      maxTagBytes: options.maxTagBytes,
    });
    const wanted = options.capabilities ?? DEFAULT_CAPABILITIES;
    this.#wanted = options.sasl !== undefined && !wanted.includes("sasl")
      ? [...wanted, "sasl"]
      : wanted;
    // The sign-on promise is for connectIRC; nobody else has to await it.
    this.#signOn.promise.catch(() => {});
  }

  /** Resolves once signed on; rejects with `IRCSignOnError` when that failed. */
  get signOn(): Promise<void> {
    return this.#signOn.promise;
  }

  // --- the events, overridable (Twisted's names and arguments)

  /** Called once the server has welcomed us. */
  signedOn(): void {}
  /** We joined `channel`. */
  joined(_channel: string): void {}
  /** We left `channel`. */
  left(_channel: string): void {}
  /** A message from `user` (`nick!user@host`) to `channel` (or to our nick). */
  privmsg(_user: string, _channel: string, _message: string): void {}
  /** A CTCP ACTION (`/me`) from `user` to `channel`. */
  action(_user: string, _channel: string, _data: string): void {}
  /** A NOTICE from `user` to `channel`. */
  noticed(_user: string, _channel: string, _message: string): void {}
  /** `user` (a nick) joined `channel`. */
  userJoined(_user: string, _channel: string): void {}
  /** `user` left `channel`. */
  userLeft(_user: string, _channel: string): void {}
  /** `user` quit IRC. */
  userQuit(_user: string, _quitMessage: string): void {}
  /** `oldname` is now `newname`. */
  userRenamed(_oldname: string, _newname: string): void {}
  /** `kicker` kicked `kickee` out of `channel`. */
  userKicked(
    _kickee: string,
    _channel: string,
    _kicker: string,
    _message: string,
  ): void {}
  /** The topic of `channel` is `newTopic`, set by `user` (or told on joining). */
  topicUpdated(_user: string, _channel: string, _newTopic: string): void {}
  /** `kicker` kicked us out of `channel`. */
  kickedFrom(_channel: string, _kicker: string, _message: string): void {}
  /** Our nickname is now `nick`. */
  nickChanged(_nick: string): void {}
  /** Every message from the server, before the client handles it. */
  messageReceived(_message: IRCMessage): void {}

  /**
   * The nick to try when `nick` is taken while signing on: `nick` with `_`
   * appended (Twisted's `alterCollidedNick`).
   */
  alterCollidedNick(nick: string): string {
    return `${nick}_`;
  }

  /**
   * The events as an async iterator, from now until the connection is gone:
   * the same as the overridable methods, one object per call. Events wait in
   * memory until read, so read them all or stop iterating.
   */
  events(): AsyncIterableIterator<IRCEvent> {
    const iterator: AsyncIterableIterator<IRCEvent> = {
      next: () => {
        const event = this.#events.shift();
        if (event !== undefined) {
          return Promise.resolve({ done: false, value: event });
        }
        if (this.#ended) {
          return Promise.resolve({ done: true, value: undefined });
        }
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: () => {
        this.#waiters = [];
        this.#events = [];
        this.#iterating = false;
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    this.#iterating = true;
    return iterator;
  }

  #iterating = false;

  #emit(event: IRCEvent): void {
    switch (event.type) {
      case "signedOn":
        this.signedOn();
        break;
      case "joined":
        this.joined(event.channel);
        break;
      case "left":
        this.left(event.channel);
        break;
      case "privmsg":
        this.privmsg(event.user, event.channel, event.message);
        break;
      case "action":
        this.action(event.user, event.channel, event.data);
        break;
      case "noticed":
        this.noticed(event.user, event.channel, event.message);
        break;
      case "userJoined":
        this.userJoined(event.user, event.channel);
        break;
      case "userLeft":
        this.userLeft(event.user, event.channel);
        break;
      case "userQuit":
        this.userQuit(event.user, event.quitMessage);
        break;
      case "userRenamed":
        this.userRenamed(event.oldname, event.newname);
        break;
      case "userKicked":
        this.userKicked(
          event.kickee,
          event.channel,
          event.kicker,
          event.message,
        );
        break;
      case "topicUpdated":
        this.topicUpdated(event.user, event.channel, event.newTopic);
        break;
      case "kickedFrom":
        this.kickedFrom(event.channel, event.kicker, event.message);
        break;
      case "nickChanged":
        this.nickChanged(event.nick);
        break;
    }
    if (!this.#iterating) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter({ done: false, value: event });
    else this.#events.push(event);
  }

  // --- the connection

  /** Starts signing on: CAP LS, PASS, NICK and USER. */
  override connectionMade(): void {
    const interval = this.#options.floodInterval ?? DEFAULT_CLIENT_INTERVAL;
    if (interval > 0) {
      this.#bucket = new TokenBucket(
        this.#options.floodBurst ?? DEFAULT_CLIENT_BURST,
        1000 / interval,
        this.transport.reactor,
      );
    }
    if (this.#wanted.length > 0) this.sendMessage("CAP", "LS", "302");
    if (this.#options.password !== undefined) {
      this.sendMessage("PASS", this.#options.password);
    }
    this.sendMessage("NICK", this.nickname);
    this.sendMessage(
      "USER",
      this.#options.username ?? this.nickname,
      "0",
      "*",
      this.#options.realname ?? this.nickname,
    );
  }

  /** Decodes the server's lines and handles each. */
  override dataReceived(data: Uint8Array): void {
    const messages: IRCMessage[] = [];
    this.#decoder.decode(data, messages);
    for (const message of messages) this.#handle(message);
  }

  /** Ends the events, fails pending WHOIS calls and a sign-on in progress. */
  override connectionLost(reason: Error): void {
    if (this.#drain?.active()) this.#drain.cancel();
    this.#queue = [];
    const error = new IRCSignOnError(
      `the connection to the IRC server closed before signing on: ${reason.message}`,
      { cause: reason },
    );
    this.#signOn.reject(error);
    for (const requests of this.#whois.values()) {
      for (const request of requests) request.reject(reason);
    }
    this.#whois.clear();
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter({ done: true, value: undefined });
    }
  }

  // --- sending

  /**
   * Sends a command with its parameters, held to the line limit and, past
   * the burst, to the flood control's pace (PONG and the lines that sign on
   * go out at once).
   */
  sendMessage(command: string, ...params: string[]): void {
    // PONG cannot wait (the server would time us out), nor can signing on,
    // which is a handful of lines each answering the server.
    this.#send(
      this.#encoder.encode({ command, params }),
      command === "PONG" || !this.isSignedOn,
    );
  }

  #send(bytes: Uint8Array, urgent = false): void {
    if (!this.connected) return;
    if (urgent || this.#bucket === undefined) {
      this.transport.write(bytes);
      return;
    }
    if (this.#queue.length === 0 && this.#bucket.take() === 0) {
      this.transport.write(bytes);
      return;
    }
    this.#queue.push(bytes);
    this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drain?.active() || this.#queue.length === 0) return;
    const wait = this.#bucket!.take();
    if (wait === 0) {
      this.transport.write(this.#queue.shift()!);
      this.#scheduleDrain();
      return;
    }
    this.#drain = this.transport.reactor.callLater(wait, () => {
      this.#drain = undefined;
      this.#scheduleDrain();
    });
  }

  /** How many messages wait for the flood control. */
  get queuedMessages(): number {
    return this.#queue.length;
  }

  // --- commands

  /** Joins `channel`, with its `key` if it has one. */
  join(channel: string, key?: string): void {
    if (key === undefined) this.sendMessage("JOIN", channel);
    else this.sendMessage("JOIN", channel, key);
  }

  /** Leaves `channel`. */
  part(channel: string, reason?: string): void {
    if (reason === undefined) this.sendMessage("PART", channel);
    else this.sendMessage("PART", channel, reason);
  }

  /**
   * Sends `text` to `target` (a channel or a nick), as many messages as its
   * lines and the 512-byte limit need: long lines are split at spaces, never
   * inside a UTF-8 character.
   */
  msg(target: string, text: string): void {
    for (const piece of splitText(text, this.#room("PRIVMSG", target))) {
      this.sendMessage("PRIVMSG", target, piece);
    }
  }

  /** Sends a NOTICE, split as {@linkcode IRCClient.msg} splits. */
  notice(target: string, text: string): void {
    for (const piece of splitText(text, this.#room("NOTICE", target))) {
      this.sendMessage("NOTICE", target, piece);
    }
  }

  /** Sends a CTCP ACTION (`/me waves`) to `target`. */
  me(target: string, action: string): void {
    this.sendMessage(
      "PRIVMSG",
      target,
      ctcpStringify([{ tag: "ACTION", data: action }]),
    );
  }

  /** Sends CTCP `tag` with `data` to `target` (a query). */
  ctcpMakeQuery(target: string, tag: string, data = ""): void {
    this.sendMessage("PRIVMSG", target, ctcpStringify([{ tag, data }]));
  }

  /** Asks to change our nick; {@linkcode IRCClient.nickChanged} says when it did. */
  setNick(nick: string): void {
    this.sendMessage("NICK", nick);
  }

  /** Asks for `channel`'s topic, or sets it to `topic`. */
  topic(channel: string, topic?: string): void {
    if (topic === undefined) this.sendMessage("TOPIC", channel);
    else this.sendMessage("TOPIC", channel, topic);
  }

  /** Kicks `user` out of `channel`. */
  kick(channel: string, user: string, reason?: string): void {
    if (reason === undefined) this.sendMessage("KICK", channel, user);
    else this.sendMessage("KICK", channel, user, reason);
  }

  /**
   * Sets (`set` true) or unsets modes of a channel or of ourselves:
   * `mode("#chat", true, "o", "alice")` sends `MODE #chat +o alice`.
   */
  mode(target: string, set: boolean, modes: string, ...args: string[]): void {
    this.sendMessage("MODE", target, `${set ? "+" : "-"}${modes}`, ...args);
  }

  /**
   * Asks who `nick` is; resolves with the server's replies (RPL_WHOISUSER,
   * RPL_WHOISCHANNELS, ..., or ERR_NOSUCHNICK) once RPL_ENDOFWHOIS comes;
   * rejects when the connection is lost first.
   */
  whois(nick: string): Promise<IRCMessage[]> {
    const { promise, resolve, reject } = Promise.withResolvers<IRCMessage[]>();
    const key = ircLower(nick);
    const requests = this.#whois.get(key) ?? [];
    requests.push({ replies: [], resolve, reject });
    this.#whois.set(key, requests);
    this.sendMessage("WHOIS", nick);
    return promise;
  }

  /** Quits with `message`; the server then closes the connection. */
  quit(message = ""): void {
    this.sendMessage("QUIT", message);
  }

  /** The most bytes of text one PRIVMSG or NOTICE to `target` may carry. */
  #room(command: string, target: string): number {
    const limit = this.#options.maxLineBytes ?? MAX_LINE_BYTES;
    const user = this.#options.username ?? this.nickname;
    const relayed = `:${this.nickname}!~${user}@ ${command} ${target} :\r\n`;
    return limit - encoder.encode(relayed).length - HOST_RESERVE;
  }

  // --- what the server says

  #handle(message: IRCMessage): void {
    this.messageReceived(message);
    const { command, params } = message;
    const source = message.source ?? "";
    const nick = parseSource(source).nick;
    const ours = ircLower(nick) === ircLower(this.nickname);
    if (WHOIS_REPLIES.has(command) || command === Numeric.RPL_ENDOFWHOIS) {
      this.#whoisReply(message);
      return;
    }
    switch (command) {
      case "PING":
        this.sendMessage("PONG", ...params);
        return;
      case "CAP":
        return this.#cap(params);
      case "AUTHENTICATE":
        return this.#authenticate(params[0]);
      case Numeric.RPL_SASLSUCCESS:
        this.sendMessage("CAP", "END");
        return;
      case Numeric.ERR_SASLFAIL:
      case Numeric.ERR_SASLTOOLONG:
      case Numeric.ERR_SASLABORTED:
        return this.#failSignOn(
          `the SASL login as ${this.#options.sasl?.account} was refused (${command}: ${
            params.at(-1)
          }): check the account and password`,
        );
      case Numeric.ERR_PASSWDMISMATCH:
        return this.#failSignOn(
          `the server refused the password (464: ${params.at(-1)})`,
        );
      case Numeric.RPL_WELCOME:
        this.nickname = params[0] ?? this.nickname;
        this.isSignedOn = true;
        this.#emit({ type: "signedOn" });
        this.#signOn.resolve();
        for (const channel of this.#options.channels ?? []) this.join(channel);
        return;
      case Numeric.RPL_ISUPPORT:
        for (const token of params.slice(1, -1)) {
          const eq = token.indexOf("=");
          if (eq < 0) this.supported.set(token, "");
          else this.supported.set(token.slice(0, eq), token.slice(eq + 1));
        }
        return;
      case Numeric.ERR_NICKNAMEINUSE:
      case Numeric.ERR_ERRONEUSNICKNAME:
        if (!this.isSignedOn) {
          if (command === Numeric.ERR_ERRONEUSNICKNAME) {
            return this.#failSignOn(
              `the server refused the nickname ${
                params[1]
              } (432): choose another`,
            );
          }
          this.nickname = this.alterCollidedNick(params[1] ?? this.nickname);
          this.setNick(this.nickname);
        }
        return;
      case Numeric.RPL_TOPIC:
        this.#emit({
          type: "topicUpdated",
          user: params[0] ?? "",
          channel: params[1] ?? "",
          newTopic: params[2] ?? "",
        });
        return;
      case "ERROR":
        this.transport.loseConnection();
        return;
      case "JOIN":
        if (ours) this.#emit({ type: "joined", channel: params[0] ?? "" });
        else {
          this.#emit({
            type: "userJoined",
            user: nick,
            channel: params[0] ?? "",
          });
        }
        return;
      case "PART":
        if (ours) this.#emit({ type: "left", channel: params[0] ?? "" });
        else {
          this.#emit({
            type: "userLeft",
            user: nick,
            channel: params[0] ?? "",
          });
        }
        return;
      case "QUIT":
        this.#emit({
          type: "userQuit",
          user: nick,
          quitMessage: params[0] ?? "",
        });
        return;
      case "NICK": {
        const newname = params[0] ?? "";
        if (ours) {
          this.nickname = newname;
          this.#emit({ type: "nickChanged", nick: newname });
        } else this.#emit({ type: "userRenamed", oldname: nick, newname });
        return;
      }
      case "KICK": {
        const [channel = "", kickee = "", text = ""] = params;
        if (ircLower(kickee) === ircLower(this.nickname)) {
          this.#emit({
            type: "kickedFrom",
            channel,
            kicker: nick,
            message: text,
          });
        } else {
          this.#emit({
            type: "userKicked",
            kickee,
            channel,
            kicker: nick,
            message: text,
          });
        }
        return;
      }
      case "TOPIC":
        this.#emit({
          type: "topicUpdated",
          user: nick,
          channel: params[0] ?? "",
          newTopic: params[1] ?? "",
        });
        return;
      case "PRIVMSG":
        return this.#privmsg(source, params, message.tags);
      case "NOTICE":
        return this.#notice(source, params, message.tags);
    }
  }

  #failSignOn(text: string): void {
    if (this.isSignedOn) return;
    this.#signOn.reject(new IRCSignOnError(text));
    this.transport.loseConnection();
  }

  #cap(params: string[]): void {
    const sub = params[1];
    if (sub === "LS") {
      // A `*` before the list says more LS lines follow (CAP 302).
      const more = params[2] === "*";
      const list = params[more ? 3 : 2] ?? "";
      for (const cap of list.split(" ")) {
        if (cap !== "") this.#offered.push(cap.split("=")[0]!);
      }
      if (more) return;
      const asked = this.#wanted.filter((cap) => this.#offered.includes(cap));
      if (asked.length === 0) this.sendMessage("CAP", "END");
      else this.sendMessage("CAP", "REQ", asked.join(" "));
    } else if (sub === "ACK") {
      for (const cap of (params[2] ?? "").split(" ")) {
        if (cap.startsWith("-")) this.capabilities.delete(cap.slice(1));
        else if (cap !== "") this.capabilities.add(cap);
      }
      if (this.isSignedOn) return;
      if (this.capabilities.has("sasl") && this.#options.sasl !== undefined) {
        this.sendMessage("AUTHENTICATE", "PLAIN");
      } else this.sendMessage("CAP", "END");
    } else if (sub === "NAK" && !this.isSignedOn) {
      this.sendMessage("CAP", "END");
    }
  }

  #authenticate(challenge: string | undefined): void {
    const sasl = this.#options.sasl;
    if (challenge !== "+" || sasl === undefined) return;
    const plain = encoder.encode(`\0${sasl.account}\0${sasl.password}`);
    const encoded = btoa(String.fromCharCode(...plain));
    // Base64 goes in pieces of 400; one of exactly 400 is followed by "+".
    for (let at = 0; at < encoded.length; at += 400) {
      this.sendMessage("AUTHENTICATE", encoded.slice(at, at + 400));
    }
    if (encoded.length % 400 === 0) this.sendMessage("AUTHENTICATE", "+");
  }

  #whoisReply(message: IRCMessage): void {
    const target = message.params[1];
    if (target === undefined) return;
    const requests = this.#whois.get(ircLower(target));
    const request = requests?.[0];
    if (request === undefined) return;
    request.replies.push(message);
    if (message.command !== Numeric.RPL_ENDOFWHOIS) return;
    requests!.shift();
    if (requests!.length === 0) this.#whois.delete(ircLower(target));
    request.resolve(request.replies);
  }

  #privmsg(
    user: string,
    params: string[],
    tags: Record<string, string> | undefined,
  ): void {
    if (this.#isEcho(user)) return;
    const [channel = "", text = ""] = params;
    const { normal, extended } = ctcpExtract(text);
    const nick = parseSource(user).nick;
    for (const { tag, data } of extended) {
      switch (tag) {
        case "ACTION":
          this.#emit({ type: "action", user, channel, data, tags });
          break;
        case "VERSION":
          this.#ctcpReply(
            nick,
            tag,
            this.#options.versionName ?? "Spindle IRC client",
          );
          break;
        case "PING":
          this.#ctcpReply(nick, tag, data);
          break;
        case "TIME":
          this.#ctcpReply(
            nick,
            tag,
            new Date(this.transport.reactor.now()).toUTCString(),
          );
          break;
        case "CLIENTINFO":
          this.#ctcpReply(nick, tag, "ACTION CLIENTINFO PING TIME VERSION");
          break;
      }
    }
    if (normal.length > 0) {
      this.#emit({
        type: "privmsg",
        user,
        channel,
        message: normal.join(" "),
        tags,
      });
    }
  }

  /**
   * Whether a message is the server's echo of one of ours (`echo-message`):
   * it reaches `messageReceived` only, so that a bot that answers messages
   * never answers itself.
   */
  #isEcho(user: string): boolean {
    return this.capabilities.has("echo-message") &&
      ircLower(parseSource(user).nick) === ircLower(this.nickname);
  }

  #ctcpReply(nick: string, tag: string, data: string): void {
    this.sendMessage("NOTICE", nick, ctcpStringify([{ tag, data }]));
  }

  #notice(
    user: string,
    params: string[],
    tags: Record<string, string> | undefined,
  ): void {
    if (this.#isEcho(user)) return;
    const [channel = "", text = ""] = params;
    const { normal } = ctcpExtract(text);
    if (normal.length === 0) return;
    this.#emit({
      type: "noticed",
      user,
      channel,
      message: normal.join(" "),
      tags,
    });
  }
}

/**
 * Options of {@linkcode IRCClientFactory}: the reconnection backoff.
 *
 * @example Usage
 * ```ts
 * import type { IRCClientFactoryOptions } from "@spindle/spindle/protocols/irc";
 * const options: IRCClientFactoryOptions = { initialDelay: 2_000, maxDelay: 60_000 };
 * console.assert(options.initialDelay === 2_000);
 * ```
 */
export type IRCClientFactoryOptions = ReconnectingOptions;

/**
 * A reconnecting factory of IRC clients: after a lost or failed connection
 * it connects again with growing delays (the reactor's
 * `ReconnectingClientFactory`), and starts the backoff over once a client
 * has signed on. `makeClient` builds a fresh client for each connection.
 *
 * @typeParam C The client class built.
 *
 * @example Usage
 * ```ts
 * import { IRCClient, IRCClientFactory } from "@spindle/spindle/protocols/irc";
 * const factory = new IRCClientFactory(
 *   () => new IRCClient({ nickname: "bot", channels: ["#spindle"] }),
 *   { initialDelay: 1_000 },
 * );
 * console.assert(factory.client === undefined);
 * ```
 */
export class IRCClientFactory<C extends IRCClient = IRCClient>
  extends ReconnectingClientFactory<C> {
  readonly #makeClient: () => C;
  /** The client of the current (or last) connection. */
  client: C | undefined;

  /** Creates the factory; `makeClient` makes each connection's client. */
  constructor(makeClient: () => C, options: IRCClientFactoryOptions = {}) {
    super(options);
    this.#makeClient = makeClient;
  }

  /** Builds the connection's client; signing on resets the backoff. */
  override buildProtocol(_addr: Address): C {
    const client = this.#makeClient();
    client.factory = this;
    client.signOn.then(() => {
      if (this.client === client) this.resetDelay();
    }, () => {});
    this.client = client;
    return client;
  }
}

/**
 * Connects `client` through `endpoint`, such as `clientFromString(reactor,
 * "tls:host=irc.example.org:port=6697")`, and resolves with it once signed
 * on; rejects with `IRCSignOnError` when signing on fails, and with the
 * endpoint's error when it cannot connect. For a bot that must come back
 * after a lost connection, use an {@linkcode IRCClientFactory} instead.
 *
 * @example Usage
 * ```ts ignore
 * import { connectIRC, IRCClient } from "@spindle/spindle/protocols/irc";
 * import { clientFromString, reactor } from "@spindle/spindle/reactor";
 * const client = await connectIRC(
 *   clientFromString(reactor, "tcp:host=127.0.0.1:port=6667"),
 *   new IRCClient({ nickname: "bot", channels: ["#spindle"] }),
 * );
 * for await (const event of client.events()) {
 *   if (event.type === "privmsg") client.msg(event.channel, `you said ${event.message}`);
 * }
 * ```
 */
export async function connectIRC<C extends IRCClient>(
  endpoint: ClientEndpoint,
  client: C,
): Promise<C> {
  await connectProtocol(endpoint, client);
  await client.signOn;
  return client;
}
