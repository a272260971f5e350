/**
 * The SASL messages the mail protocols take (SMTP AUTH, POP3 AUTH, IMAP
 * AUTHENTICATE): `PLAIN` (RFC 4616) and the base64 lines of `LOGIN`. Only the
 * parsing: the login itself goes through `cred/`.
 *
 * @module
 */

/**
 * A decoded SASL `PLAIN` message.
 *
 * @example Usage
 * ```ts
 * import type { SaslPlain } from "@spindle/spindle/protocols/mail";
 * const plain: SaslPlain = { authzid: "", username: "alice", password: "secret" };
 * console.assert(plain.username === "alice");
 * ```
 */
export interface SaslPlain {
  /** The identity to act as; `""` for the user's own. */
  readonly authzid: string;
  /** The user name (authcid). */
  readonly username: string;
  /** The password. */
  readonly password: string;
}

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The UTF-8 text of a base64 SASL line, or `null` when it is not base64 or
 * not UTF-8. `"="` is the empty response (RFC 4954 §4).
 *
 * @example Usage
 * ```ts
 * import { decodeSaslBase64 } from "@spindle/spindle/protocols/mail";
 * console.assert(decodeSaslBase64("YWxpY2U=") === "alice");
 * console.assert(decodeSaslBase64("not base64!") === null);
 * ```
 */
export function decodeSaslBase64(line: string): string | null {
  if (line === "=") return "";
  if (!BASE64.test(line)) return null;
  const bytes = Uint8Array.from(atob(line), (c) => c.charCodeAt(0));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The SASL `PLAIN` message in a base64 line (`authzid NUL authcid NUL
 * password`), or `null` when it is not one.
 *
 * @example Usage
 * ```ts
 * import { decodeSaslPlain } from "@spindle/spindle/protocols/mail";
 * const plain = decodeSaslPlain(btoa("\0alice\0secret"));
 * console.assert(plain?.username === "alice" && plain.password === "secret");
 * ```
 */
export function decodeSaslPlain(line: string): SaslPlain | null {
  const text = decodeSaslBase64(line);
  if (text === null) return null;
  const parts = text.split("\0");
  if (parts.length !== 3 || parts[1] === "") return null;
  return { authzid: parts[0]!, username: parts[1]!, password: parts[2]! };
}
