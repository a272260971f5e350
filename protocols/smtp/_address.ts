// The reverse and forward paths of MAIL and RCPT (RFC 5321 §4.1.2), with
// their ESMTP parameters. Non-ASCII is allowed by the grammar here; whether
// the session may use it (SMTPUTF8, RFC 6531 §3.3) is the server's check.
import { MAX_DOMAIN_LENGTH, MAX_LOCAL_PART_LENGTH } from "./limits.ts";

const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]";
const DOT_STRING = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED =
  '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\u0080-\\uffff]|\\\\[\\x20-\\x7e])*"';
const LET_DIG = "[A-Za-z0-9\\u0080-\\uffff]";
const SUB_DOMAIN = `${LET_DIG}(?:[A-Za-z0-9\\-\\u0080-\\uffff]*${LET_DIG})?`;
const DOMAIN = `${SUB_DOMAIN}(?:\\.${SUB_DOMAIN})*`;
const LITERAL = "\\[[^\\[\\]\\\\\\s]+\\]";
const ROUTE = `@${DOMAIN}(?:,@${DOMAIN})*:`;
const PATH = new RegExp(
  `^<(?:${ROUTE})?((?:${DOT_STRING}|${QUOTED}))@(${DOMAIN}|${LITERAL})>$`,
  "u",
);
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const encoder = new TextEncoder();

// Octets of `text` in UTF-8 (its length when it is ASCII, the common case).
function octets(text: string): number {
  return isAscii(text) ? text.length : encoder.encode(text).length;
}

/** A mailbox of a MAIL or RCPT command. */
export interface ParsedAddress {
  address: string;
  localPart: string;
  domain: string;
}

/** The path and parameters after `MAIL FROM:` or `RCPT TO:`. */
export interface PathArguments {
  /** The mailbox, or `null` for the null reverse path `<>`. */
  path: ParsedAddress | null;
  /** Parameters by upper-cased keyword; `""` for one without a value. */
  params: Map<string, string>;
}

/** Why arguments could not be parsed: the path, or a parameter. */
export type PathProblem = "path" | "params";

/**
 * Parses what follows `FROM:` / `TO:` (spaces after the colon tolerated, as
 * most servers do); returns what is wrong instead when it cannot.
 */
export function parsePathArguments(
  text: string,
): PathArguments | PathProblem {
  const rest = text.trimStart();
  if (!rest.startsWith("<")) return "path";
  const close = closingBracket(rest);
  if (close < 0) return "path";
  const pathText = rest.slice(0, close + 1);
  const params = parseParams(rest.slice(close + 1));
  if (params === null) return "params";
  if (pathText === "<>") return { path: null, params };
  // RFC 5321 §4.5.1: "<Postmaster>" without a domain names the server's own.
  if (pathText.toLowerCase() === "<postmaster>") {
    return {
      path: { address: "postmaster", localPart: "postmaster", domain: "" },
      params,
    };
  }
  const match = PATH.exec(pathText);
  if (match === null) return "path";
  const localPart = match[1]!;
  const domain = match[2]!;
  if (
    octets(localPart) > MAX_LOCAL_PART_LENGTH ||
    octets(domain) > MAX_DOMAIN_LENGTH
  ) {
    return "path";
  }
  return {
    path: { address: `${localPart}@${domain}`, localPart, domain },
    params,
  };
}

// The '>' that closes the path, skipping those inside a quoted local part.
function closingBracket(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ">") return i;
  }
  return -1;
}

function parseParams(text: string): Map<string, string> | null {
  const params = new Map<string, string>();
  if (text !== "" && !text.startsWith(" ")) return null;
  for (const part of text.split(" ")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const key = equals < 0 ? part : part.slice(0, equals);
    if (!KEYWORD.test(key)) return null;
    params.set(key.toUpperCase(), equals < 0 ? "" : part.slice(equals + 1));
  }
  return params;
}

/** Whether `text` is all ASCII. */
export function isAscii(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(text);
}
