/**
 * IRC names compared as servers compare them: the `rfc1459` case mapping,
 * in which `[]\~` are the upper case of `{}|^`, and the nickname and
 * channel name grammars.
 *
 * @module
 */

/**
 * Folds a nickname or channel name by the `rfc1459` case mapping: A-Z to
 * a-z and `[]\~` to `{}|^` (RFC 1459 §2.2), so that `Alice[1]` and
 * `alice{1}` are the same nick.
 *
 * @example Usage
 * ```ts
 * import { ircLower } from "@spindle/spindle/protocols/irc";
 * console.assert(ircLower("Alice[1]") === ircLower("alice{1}"));
 * ```
 */
export function ircLower(name: string): string {
  let folded = "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // A-Z (65-90) and [\]~ (91-93, 126) lie 32 below their lower case.
    folded += String.fromCharCode(
      c >= 65 && c <= 93 ? c + 32 : c === 126 ? 94 : c,
    );
  }
  return folded;
}

const NICK = /^[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]*$/;

/**
 * Whether `nick` is a valid nickname of at most `maxLength` characters: a
 * letter or one of ``[]\`_^{|}`` first, then those, digits and `-` (RFC 2812
 * §2.3.1).
 *
 * @example Usage
 * ```ts
 * import { isValidNick } from "@spindle/spindle/protocols/irc";
 * console.assert(isValidNick("alice_", 30) && !isValidNick("4lice", 30));
 * ```
 */
export function isValidNick(nick: string, maxLength: number): boolean {
  return nick.length <= maxLength && NICK.test(nick);
}

// deno-lint-ignore no-control-regex -- control characters are what it matches
const CHANNEL = /^[#&][^\s,\x07\0]{1,49}$/;

/**
 * Whether `name` is a channel name this server hosts: `#` or `&` first, then
 * 1 to 49 characters other than spaces, commas, BEL and NUL (RFC 2812 §1.3).
 *
 * @example Usage
 * ```ts
 * import { isChannelName } from "@spindle/spindle/protocols/irc";
 * console.assert(isChannelName("#chat") && !isChannelName("alice"));
 * ```
 */
export function isChannelName(name: string): boolean {
  return CHANNEL.test(name);
}
