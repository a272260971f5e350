/**
 * The limits of IRC's codec, server and client, each default stated once
 * with the document or reason it comes from. The option types extend these
 * limit types.
 *
 * @module
 */

/**
 * The longest IRC line, in bytes, counting its prefix, command, parameters
 * and the CR LF, but not its message tags: 512 (RFC 1459 §2.3, RFC 2812
 * §2.3, and every server since).
 *
 * @example Usage
 * ```ts
 * import { MAX_LINE_BYTES } from "@spindle/spindle/protocols/irc";
 * console.assert(MAX_LINE_BYTES === 512);
 * ```
 */
export const MAX_LINE_BYTES = 512;

/**
 * The most bytes of IRCv3 message tags a line may carry in front of its 512,
 * counting the `@` and the space after them: 8191 (IRCv3 message-tags, "Size
 * limit": 4094 from the server plus 4096 from the client).
 *
 * @example Usage
 * ```ts
 * import { MAX_TAG_BYTES } from "@spindle/spindle/protocols/irc";
 * console.assert(MAX_TAG_BYTES === 8191);
 * ```
 */
export const MAX_TAG_BYTES = 8191;

/**
 * The limits of the IRC codec.
 *
 * @example Usage
 * ```ts
 * import type { IRCCodecLimits } from "@spindle/spindle/protocols/irc";
 * const limits: IRCCodecLimits = { maxLineBytes: 512, maxTagBytes: 8191 };
 * console.assert(limits.maxLineBytes === 512);
 * ```
 */
export interface IRCCodecLimits {
  /**
   * The longest line without its tags, CR LF included, in bytes; default
   * {@linkcode MAX_LINE_BYTES}. A longer line raises `IRCLineTooLongError`.
   */
  maxLineBytes?: number;
  /**
   * The most tag bytes in front of a line, `@` and space included; default
   * {@linkcode MAX_TAG_BYTES}. More raises `IRCTagsTooLongError`.
   */
  maxTagBytes?: number;
}

/**
 * Milliseconds a new connection has to register (NICK and USER, and CAP END
 * when it began CAP) before the server closes it: 60 000, as ngIRCd's and
 * most servers' "registration timeout".
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_REGISTRATION_TIMEOUT } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_REGISTRATION_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_REGISTRATION_TIMEOUT = 60_000;

/**
 * Milliseconds of silence from a client after which the server sends it a
 * PING: 120 000 (ngIRCd's `PingTimeout` default is 120 s).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_PING_INTERVAL } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_PING_INTERVAL === 120_000);
 * ```
 */
export const DEFAULT_PING_INTERVAL = 120_000;

/**
 * Milliseconds a client has to answer the server's PING before it is
 * disconnected ("Ping timeout"): 60 000.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_PING_TIMEOUT } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_PING_TIMEOUT === 60_000);
 * ```
 */
export const DEFAULT_PING_TIMEOUT = 60_000;

/**
 * The most bytes waiting to be sent to one client before the server drops it
 * with "SendQ exceeded": 1 MiB, the order of the send queues of IRC servers'
 * default client classes (hybrid's 100 KB to InspIRCd's 1 MB), enough for a
 * busy channel's burst while bounding what one reader that stalled holds.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_SEND_QUEUE } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_MAX_SEND_QUEUE === 1024 * 1024);
 * ```
 */
export const DEFAULT_MAX_SEND_QUEUE: number = 1024 * 1024;

/**
 * The lines a client may send at once before the server's input flood
 * protection holds it back: 20, as the burst most servers allow.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_FLOOD_BURST } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_FLOOD_BURST === 20);
 * ```
 */
export const DEFAULT_FLOOD_BURST = 20;

/**
 * The lines per second a client may send past its burst: 2, the long-run
 * rate ngIRCd's one-second-per-command penalty and hybrid's flood counters
 * allow a person typing.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_FLOOD_RATE } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_FLOOD_RATE === 2);
 * ```
 */
export const DEFAULT_FLOOD_RATE = 2;

/**
 * The longest nickname the server accepts, in characters: 30 (ngIRCd's
 * default `MaxNickLength` is 9, RFC 2812's; modern networks allow 30).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_NICK_LENGTH } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_MAX_NICK_LENGTH === 30);
 * ```
 */
export const DEFAULT_MAX_NICK_LENGTH = 30;

/**
 * The most channels one client may be in: 50 (the `CHANLIMIT` servers
 * advertise is commonly 20 to 50).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_MAX_CHANNELS } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_MAX_CHANNELS === 50);
 * ```
 */
export const DEFAULT_MAX_CHANNELS = 50;

/**
 * The limits of an IRC server, each with its default.
 *
 * @example Usage
 * ```ts
 * import type { IRCServerLimits } from "@spindle/spindle/protocols/irc";
 * const limits: IRCServerLimits = { maxSendQueue: 65536, floodRate: 5 };
 * console.assert(limits.floodRate === 5);
 * ```
 */
export interface IRCServerLimits extends IRCCodecLimits {
  /** See {@linkcode DEFAULT_REGISTRATION_TIMEOUT}; milliseconds. */
  registrationTimeout?: number;
  /** See {@linkcode DEFAULT_PING_INTERVAL}; milliseconds. */
  pingInterval?: number;
  /** See {@linkcode DEFAULT_PING_TIMEOUT}; milliseconds. */
  pingTimeout?: number;
  /** See {@linkcode DEFAULT_MAX_SEND_QUEUE}; bytes. */
  maxSendQueue?: number;
  /** See {@linkcode DEFAULT_FLOOD_BURST}; lines. `Infinity` turns flood protection off. */
  floodBurst?: number;
  /** See {@linkcode DEFAULT_FLOOD_RATE}; lines per second. */
  floodRate?: number;
  /** See {@linkcode DEFAULT_MAX_NICK_LENGTH}; characters. */
  maxNickLength?: number;
  /** See {@linkcode DEFAULT_MAX_CHANNELS}. */
  maxChannels?: number;
}

/**
 * The messages a client may send at once before its flood control makes it
 * wait: 5 (irssi's `cmds_max_at_once` and Twisted's `IRCClient` are near).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CLIENT_BURST } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_CLIENT_BURST === 5);
 * ```
 */
export const DEFAULT_CLIENT_BURST = 5;

/**
 * Milliseconds between messages once a client's burst is spent: 500, two a
 * second, under the rate servers' flood protection allows.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_CLIENT_INTERVAL } from "@spindle/spindle/protocols/irc";
 * console.assert(DEFAULT_CLIENT_INTERVAL === 500);
 * ```
 */
export const DEFAULT_CLIENT_INTERVAL = 500;
