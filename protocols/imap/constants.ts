/**
 * IMAP's wire constants: ports, system flags, capabilities.
 *
 * @module
 */

/**
 * The IMAP port (RFC 9051 §2.1).
 *
 * @example Usage
 * ```ts
 * import { IMAP_PORT } from "@spindle/spindle/protocols/imap";
 * console.assert(IMAP_PORT === 143);
 * ```
 */
export const IMAP_PORT = 143;

/**
 * The port of IMAP over implicit TLS (RFC 8314 §7.3).
 *
 * @example Usage
 * ```ts
 * import { IMAPS_PORT } from "@spindle/spindle/protocols/imap";
 * console.assert(IMAPS_PORT === 993);
 * ```
 */
export const IMAPS_PORT = 993;

/**
 * The system flags a maildir keeps (in the `:2,` suffix of a file name) and
 * so the server's PERMANENTFLAGS.
 *
 * @example Usage
 * ```ts
 * import { SYSTEM_FLAGS } from "@spindle/spindle/protocols/imap";
 * console.assert(SYSTEM_FLAGS.includes("\\Seen"));
 * ```
 */
export const SYSTEM_FLAGS: readonly string[] = [
  "\\Answered",
  "\\Flagged",
  "\\Deleted",
  "\\Seen",
  "\\Draft",
];

/**
 * The folder names that get an RFC 6154 special-use attribute in LIST, and
 * which the server creates for each user at login.
 *
 * @example Usage
 * ```ts
 * import { SPECIAL_USE } from "@spindle/spindle/protocols/imap";
 * console.assert(SPECIAL_USE.Sent === "\\Sent");
 * ```
 */
export const SPECIAL_USE: Readonly<Record<string, string>> = {
  Drafts: "\\Drafts",
  Junk: "\\Junk",
  Sent: "\\Sent",
  Trash: "\\Trash",
};
