// SEARCH keys (RFC 9051 §6.4.4): parsed from a command's tokens into a tree,
// then matched against each message, its content read only when a key
// needs it.
import type { IMAPToken } from "./codec.ts";
import { IMAPParseError } from "./errors.ts";
import { field, headerText, type ParsedMessage } from "./_mime.ts";
import {
  inSequenceSet,
  parseSequenceSet,
  type Range,
} from "./_sequence_set.ts";
import { tokenText } from "./_tokens.ts";

export type SearchKey =
  | { k: "all" }
  | { k: "none" }
  | { k: "seq"; ranges: Range[] }
  | { k: "uid"; ranges: Range[] }
  | { k: "flag"; flag: string; set: boolean }
  | { k: "header"; name: string; value: string }
  | { k: "body"; value: string }
  | { k: "text"; value: string }
  | { k: "date"; op: "before" | "on" | "since"; day: number; sent: boolean }
  | { k: "size"; op: "larger" | "smaller"; n: number }
  | { k: "not"; key: SearchKey }
  | { k: "or"; a: SearchKey; b: SearchKey }
  | { k: "and"; keys: SearchKey[] };

/** What a search needs to know of one message. */
export interface SearchSubject {
  seq: number;
  uid: number;
  flags: ReadonlySet<string>;
  size: number;
  internalDate: Date;
  /** The message, parsed (read on demand). */
  load(): Promise<ParsedMessage>;
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  DELETED: ["\\Deleted", true],
  DRAFT: ["\\Draft", true],
  FLAGGED: ["\\Flagged", true],
  SEEN: ["\\Seen", true],
  UNANSWERED: ["\\Answered", false],
  UNDELETED: ["\\Deleted", false],
  UNDRAFT: ["\\Draft", false],
  UNFLAGGED: ["\\Flagged", false],
  UNSEEN: ["\\Seen", false],
};
const HEADER_KEYS = new Set(["FROM", "TO", "CC", "BCC", "SUBJECT"]);
const MONTHS = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];

function bad(message: string): never {
  throw new IMAPParseError(message);
}

/** Parses the search keys of `tokens` (all ANDed). */
export function parseSearch(tokens: readonly IMAPToken[]): SearchKey {
  let i = 0;
  const next = (): IMAPToken => {
    const token = tokens[i++];
    if (token === undefined) {
      bad("SEARCH ended where a key or its argument was due: complete it");
    }
    return token;
  };
  const text = (): string => {
    const value = tokenText(next());
    if (value === null) bad("a SEARCH key wants a string argument: give one");
    return value;
  };
  const number = (): number => {
    const value = text();
    if (!/^\d{1,10}$/.test(value)) {
      bad(`SEARCH wants a number, not ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
  const date = (): number => {
    const value = text();
    const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(value);
    const month = match === null ? -1 : MONTHS.indexOf(match[2]!.toLowerCase());
    if (match === null || month < 0) {
      bad(`SEARCH wants a date like 1-Feb-2024, not ${JSON.stringify(value)}`);
    }
    return Date.UTC(Number(match[3]), month, Number(match[1])) / 86_400_000;
  };
  const one = (depth: number): SearchKey => {
    if (depth > 64) bad("SEARCH keys nest too deeply: simplify the search");
    const token = next();
    if (token.type === "list") return parseSearch(token.items);
    const word = tokenText(token);
    if (word === null) bad("SEARCH wants a key here");
    const upper = word.toUpperCase();
    const flag = FLAG_KEYS[upper];
    if (flag !== undefined) return { k: "flag", flag: flag[0], set: flag[1] };
    if (HEADER_KEYS.has(upper)) {
      return { k: "header", name: upper.toLowerCase(), value: text() };
    }
    switch (upper) {
      case "ALL":
        return { k: "all" };
      case "NEW":
      case "RECENT":
        // No message is \Recent in IMAP4rev2's model, which this server keeps.
        return { k: "none" };
      case "OLD":
        return { k: "all" };
      case "KEYWORD":
        text();
        return { k: "none" }; // keywords are not kept (PERMANENTFLAGS)
      case "UNKEYWORD":
        text();
        return { k: "all" };
      case "HEADER":
        return { k: "header", name: text().toLowerCase(), value: text() };
      case "BODY":
        return { k: "body", value: text() };
      case "TEXT":
        return { k: "text", value: text() };
      case "BEFORE":
      case "ON":
      case "SINCE":
        return {
          k: "date",
          op: upper.toLowerCase() as "on",
          day: date(),
          sent: false,
        };
      case "SENTBEFORE":
      case "SENTON":
      case "SENTSINCE":
        return {
          k: "date",
          op: upper.slice(4).toLowerCase() as "on",
          day: date(),
          sent: true,
        };
      case "LARGER":
        return { k: "size", op: "larger", n: number() };
      case "SMALLER":
        return { k: "size", op: "smaller", n: number() };
      case "UID": {
        const ranges = parseSequenceSet(text());
        if (ranges === null) bad("SEARCH UID wants a sequence set");
        return { k: "uid", ranges };
      }
      case "NOT":
        return { k: "not", key: one(depth + 1) };
      case "OR": {
        const a = one(depth + 1);
        return { k: "or", a, b: one(depth + 1) };
      }
      default: {
        const ranges = parseSequenceSet(word);
        if (ranges === null) bad(`${JSON.stringify(word)} is no SEARCH key`);
        return { k: "seq", ranges };
      }
    }
  };
  const keys: SearchKey[] = [];
  while (i < tokens.length) keys.push(one(0));
  if (keys.length === 0) bad("SEARCH needs at least one key");
  return { k: "and", keys };
}

/** Whether `subject` matches `key`; `largest` are the mailbox's highest sequence number and UID. */
export async function matches(
  key: SearchKey,
  subject: SearchSubject,
  largest: { seq: number; uid: number },
): Promise<boolean> {
  switch (key.k) {
    case "all":
      return true;
    case "none":
      return false;
    case "seq":
      return inSequenceSet(key.ranges, subject.seq, largest.seq);
    case "uid":
      return inSequenceSet(key.ranges, subject.uid, largest.uid);
    case "flag":
      return subject.flags.has(key.flag) === key.set;
    case "size":
      return key.op === "larger" ? subject.size > key.n : subject.size < key.n;
    case "date": {
      let time = subject.internalDate.getTime();
      if (key.sent) {
        const value = field((await subject.load()).root.fields, "date");
        time = value === null ? NaN : Date.parse(value);
        if (Number.isNaN(time)) return false;
      }
      const day = Math.floor(time / 86_400_000);
      return key.op === "before"
        ? day < key.day
        : key.op === "on"
        ? day === key.day
        : day >= key.day;
    }
    case "header": {
      const { root } = await subject.load();
      const wanted = key.value.toLowerCase();
      for (const [name, value] of root.fields) {
        if (
          name === key.name && headerText(value).toLowerCase().includes(wanted)
        ) return true;
      }
      return false;
    }
    case "body":
    case "text": {
      const message = await subject.load();
      const start = key.k === "body" ? message.root.bodyStart : 0;
      return headerText(message.text.slice(start)).toLowerCase().includes(
        key.value.toLowerCase(),
      );
    }
    case "not":
      return !(await matches(key.key, subject, largest));
    case "or":
      return (await matches(key.a, subject, largest)) ||
        (await matches(key.b, subject, largest));
    case "and":
      for (const each of key.keys) {
        if (!(await matches(each, subject, largest))) return false;
      }
      return true;
  }
}
