// The MIME structure of a stored message (RFC 2045, 2046, 5322), found from
// its bytes: what FETCH's ENVELOPE, BODY, BODYSTRUCTURE and BODY[section]
// answer with. Offsets are byte offsets into the message, so sections are
// sent exactly as stored.
import { imapString } from "./codec.ts";

// windows-1252 as WHATWG defines it maps each byte to one UTF-16 unit, so
// string offsets are byte offsets.
const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder();

/** One part of a message: the message itself, a multipart's child, or an embedded message. */
export interface MimePart {
  /** Where its header starts. */
  start: number;
  /** Where its body starts (after the blank line). */
  bodyStart: number;
  /** Where it ends. */
  end: number;
  /** Header fields, names in lower case, values unfolded, in order. */
  fields: [string, string][];
  type: string;
  subtype: string;
  params: [string, string][];
  /** Children of a multipart. */
  parts?: MimePart[];
  /** The embedded message of a message/rfc822 part. */
  message?: MimePart;
}

/** A parsed message and the bytes it was parsed from. */
export interface ParsedMessage {
  bytes: Uint8Array;
  text: string;
  root: MimePart;
}

// Nesting deeper than this is treated as a leaf: a message of a thousand
// nested multiparts costs no recursion.
const MAX_MIME_DEPTH = 32;

/** Parses `bytes` (a whole message, CRLF or LF line ends). */
export function parseMessage(bytes: Uint8Array): ParsedMessage {
  const text = latin1.decode(bytes);
  return { bytes, text, root: parsePart(text, 0, text.length, "text", 0) };
}

/** Only the header of `bytes`: enough for ENVELOPE, cheaper than a parse. */
export function parseHeaderOnly(bytes: Uint8Array): ParsedMessage {
  // Only the header is decoded: the blank line ends it.
  let end = bytes.length;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (
      bytes[i] === 10 &&
      (bytes[i + 1] === 10 || (bytes[i + 1] === 13 && bytes[i + 2] === 10))
    ) {
      end = Math.min(bytes.length, i + (bytes[i + 1] === 10 ? 2 : 3));
      break;
    }
  }
  const text = latin1.decode(bytes.subarray(0, end));
  const bodyStart = headerEnd(text, 0, text.length);
  const fields = parseFields(text.slice(0, bodyStart));
  const part: MimePart = {
    start: 0,
    bodyStart,
    end: text.length,
    fields,
    type: "text",
    subtype: "plain",
    params: [],
  };
  return { bytes, text, root: part };
}

function headerEnd(text: string, start: number, end: number): number {
  if (text.startsWith("\r\n", start)) return start + 2;
  if (text.startsWith("\n", start)) return start + 1;
  const crlf = text.indexOf("\r\n\r\n", start);
  const lf = text.indexOf("\n\n", start);
  let best = end;
  if (crlf >= 0 && crlf < end) best = crlf + 4;
  if (lf >= 0 && lf + 2 < best) best = lf + 2;
  return Math.min(best, end);
}

function parseFields(header: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of header.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/\r?\n[ \t]/g, " ").trim();
    fields.push([name, value]);
  }
  return fields;
}

function parsePart(
  text: string,
  start: number,
  end: number,
  defaultType: "text" | "message",
  depth: number,
): MimePart {
  const bodyStart = headerEnd(text, start, end);
  const fields = parseFields(text.slice(start, bodyStart));
  const contentType = field(fields, "content-type");
  let type: string = defaultType;
  let subtype = defaultType === "text" ? "plain" : "rfc822";
  let params: [string, string][] = defaultType === "text"
    ? [["charset", "us-ascii"]]
    : [];
  if (contentType !== null) {
    const parsed = parseContentType(contentType);
    if (parsed !== null) ({ type, subtype, params } = parsed);
  }
  const part: MimePart = {
    start,
    bodyStart,
    end,
    fields,
    type,
    subtype,
    params,
  };
  if (depth >= MAX_MIME_DEPTH) return part;
  if (type === "multipart") {
    const boundary = params.find(([k]) => k === "boundary")?.[1];
    if (boundary !== undefined && boundary !== "") {
      const childType = subtype === "digest" ? "message" : "text";
      part.parts = splitMultipart(text, bodyStart, end, boundary).map((
        [s, e],
      ) => parsePart(text, s, e, childType, depth + 1));
    }
  } else if (
    type === "message" && (subtype === "rfc822" || subtype === "global")
  ) {
    part.message = parsePart(text, bodyStart, end, "text", depth + 1);
  }
  return part;
}

// The [start, end) of each body part between the delimiter lines of
// `boundary` (RFC 2046 §5.1.1); the CRLF before a delimiter belongs to it.
function splitMultipart(
  text: string,
  start: number,
  end: number,
  boundary: string,
): [number, number][] {
  const delimiter = `--${boundary}`;
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const found = text.indexOf(delimiter, pos);
    if (found < 0 || found >= end) break;
    const atLineStart = found === start || text[found - 1] === "\n";
    if (!atLineStart) {
      pos = found + delimiter.length;
      continue;
    }
    const closing = text.startsWith("--", found + delimiter.length);
    if (partStart >= 0) {
      let partEnd = found;
      if (text[partEnd - 1] === "\n") partEnd--;
      if (text[partEnd - 1] === "\r") partEnd--;
      parts.push([partStart, Math.max(partStart, partEnd)]);
    }
    const lineEnd = text.indexOf("\n", found);
    if (closing || lineEnd < 0 || lineEnd >= end) {
      partStart = -1;
      break;
    }
    partStart = lineEnd + 1;
    pos = partStart;
  }
  // A multipart cut short: its last part runs to the end.
  if (partStart >= 0 && partStart <= end) parts.push([partStart, end]);
  return parts;
}

function parseContentType(
  value: string,
): { type: string; subtype: string; params: [string, string][] } | null {
  const semi = value.indexOf(";");
  const media = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const slash = media.indexOf("/");
  if (slash <= 0 || slash === media.length - 1) return null;
  return {
    type: media.slice(0, slash),
    subtype: media.slice(slash + 1),
    params: semi < 0 ? [] : parseParams(value.slice(semi + 1)),
  };
}

function parseParams(text: string): [string, string][] {
  const params: [string, string][] = [];
  const re = /\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))\s*(?:;|$)/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null && match[0] !== "") {
    const value = match[2] !== undefined
      ? match[2].replace(/\\(.)/g, "$1")
      : match[3]!.trim();
    params.push([match[1]!.toLowerCase(), value]);
  }
  return params;
}

/** The first value of header field `name` (lower case), or null. */
export function field(fields: [string, string][], name: string): string | null {
  for (const [k, v] of fields) if (k === name) return v;
  return null;
}

/** A header value as text: UTF-8 bytes (kept as latin1 units) decoded. */
export function headerText(value: string): string {
  if (!/[\x80-\xff]/.test(value)) return value;
  return utf8.decode(Uint8Array.from(value, (c) => c.charCodeAt(0)));
}

function nstring(value: string | null): string {
  return imapString(value === null ? null : headerText(value));
}

/** ENVELOPE (RFC 9051 §7.5.2) of a part holding a message. */
export function envelope(part: MimePart): string {
  const f = part.fields;
  const from = addresses(field(f, "from"));
  const sender = addresses(field(f, "sender")) ?? from;
  const replyTo = addresses(field(f, "reply-to")) ?? from;
  return `(${nstring(field(f, "date"))} ${nstring(field(f, "subject"))} ${
    from ?? "NIL"
  } ${sender ?? "NIL"} ${replyTo ?? "NIL"} ${
    addresses(field(f, "to")) ?? "NIL"
  } ${addresses(field(f, "cc")) ?? "NIL"} ${
    addresses(field(f, "bcc")) ?? "NIL"
  } ${nstring(field(f, "in-reply-to"))} ${nstring(field(f, "message-id"))})`;
}

// An address list as IMAP's list of (name adl mailbox host), groups as
// (NIL NIL group NIL) ... (NIL NIL NIL NIL); null for no addresses.
function addresses(value: string | null): string | null {
  if (value === null) return null;
  const items = splitTopLevel(headerText(value));
  const out: string[] = [];
  for (let item of items) {
    item = item.trim();
    const group = groupStart(item);
    if (group !== null) {
      out.push(`(NIL NIL ${imapString(group.name)} NIL)`);
      item = group.rest.trim();
    }
    let closes = false;
    if (item.endsWith(";")) {
      closes = true;
      item = item.slice(0, -1).trim();
    }
    if (item !== "") out.push(mailbox(item));
    if (closes) out.push("(NIL NIL NIL NIL)");
  }
  return out.length === 0 ? null : `(${out.join("")})`;
}

function groupStart(item: string): { name: string; rest: string } | null {
  let quoted = false;
  for (let i = 0; i < item.length; i++) {
    const c = item[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "<" || c === "@")) return null;
    else if (!quoted && c === ":") {
      return {
        name: unquote(item.slice(0, i).trim()),
        rest: item.slice(i + 1),
      };
    }
  }
  return null;
}

function mailbox(item: string): string {
  let name: string | null = null;
  let address = item;
  const open = item.lastIndexOf("<");
  const close = item.lastIndexOf(">");
  if (open >= 0 && close > open) {
    address = item.slice(open + 1, close);
    const display = unquote(stripComments(item.slice(0, open)).trim());
    name = display === "" ? null : display;
  } else {
    address = stripComments(item).trim();
  }
  // A source route (@a,@b:user@host) is obsolete; its part after ':' counts.
  const colon = address.lastIndexOf(":");
  if (colon >= 0) address = address.slice(colon + 1);
  const at = address.lastIndexOf("@");
  const local = at < 0 ? address : address.slice(0, at);
  const host = at < 0 ? null : address.slice(at + 1);
  return `(${imapString(name)} NIL ${imapString(unquote(local.trim()))} ${
    imapString(host)
  })`;
}

function splitTopLevel(value: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\") {
      i++;
    } else if (c === '"' && depth === 0) {
      quoted = !quoted;
    } else if (!quoted) {
      if (c === "(") depth++;
      else if (c === ")" && depth > 0) depth--;
      else if (c === "<" && depth === 0) angle = true;
      else if (c === ">" && depth === 0) angle = false;
      else if (c === "," && depth === 0 && !angle) {
        items.push(value.slice(start, i));
        start = i + 1;
      } else if (c === ";" && depth === 0 && !angle) {
        items.push(value.slice(start, i + 1));
        start = i + 1;
      }
    }
  }
  items.push(value.slice(start));
  return items.filter((item) => item.trim() !== "");
}

function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"' && depth === 0) quoted = !quoted;
    if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")" && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return value;
}

function paramList(params: [string, string][]): string {
  if (params.length === 0) return "NIL";
  return `(${
    params.map(([k, v]) => `${imapString(k)} ${imapString(headerText(v))}`)
      .join(" ")
  })`;
}

function countLines(text: string, start: number, end: number): number {
  let lines = 0;
  for (
    let i = text.indexOf("\n", start);
    i >= 0 && i < end;
    i = text.indexOf("\n", i + 1)
  ) {
    lines++;
  }
  // A last line without its line end counts too.
  if (end > start && text[end - 1] !== "\n") lines++;
  return lines;
}

function disposition(part: MimePart): string {
  const value = field(part.fields, "content-disposition");
  if (value === null) return "NIL";
  const semi = value.indexOf(";");
  const kind = (semi < 0 ? value : value.slice(0, semi)).trim();
  if (kind === "") return "NIL";
  const params = semi < 0 ? [] : parseParams(value.slice(semi + 1));
  return `(${imapString(kind)} ${paramList(params)})`;
}

/**
 * BODYSTRUCTURE (extensible: true) or BODY (false) of `part`
 * (RFC 9051 §7.5.2).
 */
export function bodyStructure(
  message: ParsedMessage,
  part: MimePart,
  extensible: boolean,
): string {
  const { text } = message;
  if (part.parts !== undefined && part.parts.length > 0) {
    const children = part.parts.map((child) =>
      bodyStructure(message, child, extensible)
    ).join("");
    let out = `(${children} ${imapString(part.subtype)}`;
    if (extensible) {
      out += ` ${paramList(part.params)} ${disposition(part)} ${
        nstring(field(part.fields, "content-language"))
      } ${nstring(field(part.fields, "content-location"))}`;
    }
    return out + ")";
  }
  const f = part.fields;
  const encoding = field(f, "content-transfer-encoding")?.toLowerCase() ??
    "7bit";
  const size = part.end - part.bodyStart;
  // A multipart with no parts is shown as a text part, as Dovecot does.
  const type = part.type === "multipart" ? "text" : part.type;
  const subtype = part.type === "multipart" ? "plain" : part.subtype;
  let out = `(${imapString(type)} ${imapString(subtype)} ${
    paramList(part.params)
  } ${nstring(field(f, "content-id"))} ${
    nstring(field(f, "content-description"))
  } ${imapString(encoding)} ${size}`;
  if (part.message !== undefined) {
    out += ` ${envelope(part.message)} ${
      bodyStructure(message, part.message, extensible)
    } ${countLines(text, part.bodyStart, part.end)}`;
  } else if (type === "text") {
    out += ` ${countLines(text, part.bodyStart, part.end)}`;
  }
  if (extensible) {
    out += ` ${nstring(field(f, "content-md5"))} ${disposition(part)} ${
      nstring(field(f, "content-language"))
    } ${nstring(field(f, "content-location"))}`;
  }
  return out + ")";
}

/** A section of BODY[...]: its part path and what of the part. */
export interface Section {
  /** Part numbers, outermost first; empty for the message itself. */
  path: number[];
  /** "" (all), HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME. */
  text: string;
  /** The field names of HEADER.FIELDS[.NOT], upper case. */
  fields: string[];
}

/** Parses the inside of BODY[...], or null when it is no section. */
export function parseSection(spec: string): Section | null {
  const match =
    /^((?:[1-9]\d{0,5}\.)*[1-9]\d{0,5})?(?:^|\.)?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)?(?:\s*\(([^()]*)\))?$/i
      .exec(spec.trim());
  if (match === null) return null;
  const path = match[1] === undefined ? [] : match[1].split(".").map(Number);
  const text = (match[2] ?? "").toUpperCase();
  const hasFields = text.startsWith("HEADER.FIELDS");
  if (hasFields !== (match[3] !== undefined)) return null;
  if (text === "MIME" && path.length === 0) return null;
  const fields = hasFields
    ? match[3]!.trim().split(/\s+/).filter((f) => f !== "").map((f) =>
      f.replace(/^"|"$/g, "").toUpperCase()
    )
    : [];
  if (hasFields && fields.length === 0) return null;
  return { path, text, fields };
}

function partAt(root: MimePart, path: number[]): MimePart | null {
  let part = root;
  for (const n of path) {
    // Inside a message/rfc822 part, numbers count the embedded message's parts.
    const holder = part.message ?? part;
    if (holder.parts !== undefined) {
      const child = holder.parts[n - 1];
      if (child === undefined) return null;
      part = child;
    } else if (n === 1) {
      part = holder; // a one-part message's body is part 1
    } else {
      return null;
    }
  }
  return part;
}

const empty = new Uint8Array(0);

/** The bytes of `section` of `message` (empty when the part does not exist). */
export function sectionBytes(
  message: ParsedMessage,
  section: Section,
): Uint8Array {
  const { bytes } = message;
  const part = partAt(message.root, section.path);
  if (part === null) return empty;
  switch (section.text) {
    case "": {
      if (section.path.length === 0) return bytes;
      // A part's content: for an embedded message, the whole message.
      return bytes.subarray(part.bodyStart, part.end);
    }
    case "MIME":
      return bytes.subarray(part.start, part.bodyStart);
    default: {
      const target = section.path.length === 0 ? part : part.message;
      if (target === undefined) return empty;
      if (section.text === "TEXT") {
        return bytes.subarray(target.bodyStart, target.end);
      }
      if (section.text === "HEADER") {
        return bytes.subarray(target.start, target.bodyStart);
      }
      const wanted = new Set(section.fields);
      const not = section.text === "HEADER.FIELDS.NOT";
      const header = message.text.slice(target.start, target.bodyStart);
      let out = "";
      for (const line of header.split(/\r?\n(?![ \t])/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toUpperCase();
        if (wanted.has(name) !== not) {
          out += line.replace(/\r?\n/g, "\r\n") + "\r\n";
        }
      }
      out += "\r\n";
      return Uint8Array.from(out, (c) => c.charCodeAt(0));
    }
  }
}
