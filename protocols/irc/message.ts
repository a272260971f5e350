/**
 * The plain data IRC speaks: a message (tags, source, command, parameters)
 * and the parts of a source.
 *
 * @module
 */

/**
 * One IRC message, as the codec decodes and encodes it.
 *
 * @example Usage
 * ```ts
 * import type { IRCMessage } from "@spindle/spindle/protocols/irc";
 * const message: IRCMessage = {
 *   source: "alice!a@example.org",
 *   command: "PRIVMSG",
 *   params: ["#chat", "hello there"],
 * };
 * console.assert(message.params.length === 2);
 * ```
 */
export interface IRCMessage {
  /**
   * IRCv3 message tags, unescaped; a tag sent without a value has `""`.
   * Absent when the line has none.
   */
  tags?: Record<string, string>;
  /** Who sent it (the prefix, without its `:`): `nick!user@host` or a server name. */
  source?: string;
  /** The command, upper-cased (`"PRIVMSG"`), or a three-digit numeric (`"001"`). */
  command: string;
  /** The parameters; the last one may hold spaces. */
  params: string[];
}

/**
 * The parts of a message's source `nick!user@host`; a server name is all
 * `nick` (user and host absent).
 *
 * @example Usage
 * ```ts
 * import { parseSource } from "@spindle/spindle/protocols/irc";
 * const { nick, user, host } = parseSource("alice!a@example.org");
 * console.assert(nick === "alice" && user === "a" && host === "example.org");
 * ```
 */
export interface IRCSource {
  /** The nickname, or the server's name. */
  nick: string;
  /** The user name (ident), when the source has one. */
  user?: string;
  /** The host, when the source has one. */
  host?: string;
}

/**
 * Splits a source (`nick!user@host`) into its parts.
 *
 * @example Usage
 * ```ts
 * import { parseSource } from "@spindle/spindle/protocols/irc";
 * console.assert(parseSource("irc.example.test").nick === "irc.example.test");
 * ```
 */
export function parseSource(source: string): IRCSource {
  const bang = source.indexOf("!");
  const at = source.indexOf("@", bang + 1);
  if (bang < 0 && at < 0) return { nick: source };
  if (bang < 0) {
    return { nick: source.slice(0, at), host: source.slice(at + 1) };
  }
  if (at < 0) {
    return { nick: source.slice(0, bang), user: source.slice(bang + 1) };
  }
  return {
    nick: source.slice(0, bang),
    user: source.slice(bang + 1, at),
    host: source.slice(at + 1),
  };
}
