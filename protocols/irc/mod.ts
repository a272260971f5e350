/**
 * IRC for Spindle (Twisted's `twisted.words.protocols.irc`): the message
 * codec with IRCv3 tags and CTCP, a server, and a client for bots.
 * The `spindle irc` command lives in `plugin.ts`, which the runner loads on
 * its own.
 *
 * ```ts
 * import { formatMessage, parseMessage } from "@spindle/spindle/protocols/irc";
 * const message = parseMessage(":alice!a@h PRIVMSG #chat :hello there");
 * console.assert(formatMessage(message) === ":alice!a@h PRIVMSG #chat :hello there");
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./limits.ts";
export * from "./errors.ts";
export * from "./message.ts";
export * from "./codec.ts";
export * from "./ctcp.ts";
export * from "./casemap.ts";
export * from "./server.ts";
export * from "./serve.ts";
export * from "./client.ts";
