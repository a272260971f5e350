// Small readers of parsed IMAP tokens, shared by the server and the client.
import type { IMAPToken } from "./codec.ts";

const utf8 = new TextDecoder();

/** The text of a string-like token (atom, quoted string, literal), or null. */
export function tokenText(token: IMAPToken | undefined): string | null {
  if (token === undefined) return null;
  switch (token.type) {
    case "atom":
    case "string":
      return token.value;
    case "literal":
      return utf8.decode(token.bytes);
    default:
      return null;
  }
}

/** The bytes of a string-like token (a literal's own, a string's UTF-8). */
export function tokenBytes(token: IMAPToken | undefined): Uint8Array | null {
  if (token?.type === "literal") return token.bytes;
  const text = tokenText(token);
  return text === null ? null : new TextEncoder().encode(text);
}

/** The items of a list token, a lone token as a list of one, or null. */
export function tokenList(token: IMAPToken | undefined): IMAPToken[] | null {
  if (token === undefined) return null;
  return token.type === "list" ? token.items : [token];
}
