/**
 * The checks RFC 9113 §8.2-8.3 puts on a request's header list (a malformed
 * request is a stream error of type PROTOCOL_ERROR), and its conversion into
 * fetch's `Headers`.
 *
 * @module
 */
import { ErrorCode } from "./constants.ts";
import { H2StreamError } from "./errors.ts";

/** A request's pseudo-header fields and its other fields. */
export interface RequestHead {
  method: string;
  scheme: string | null;
  authority: string | null;
  path: string;
  /** The `:protocol` of an extended CONNECT (RFC 8441), or null. */
  protocol: string | null;
  /** The regular fields as pairs (what a lazy `Request` takes without copying). */
  headers: [string, string][];
  /** The `host` field, or null. */
  host: string | null;
  /** The `content-length`, or -1. */
  contentLength: number;
}

// Fields that mean something only to one HTTP/1.1 connection (§8.2.2).
export const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
]);
// A token of lowercase characters (§8.2.1: uppercase is malformed).
const NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// No NUL, CR or LF, and no whitespace at either end (§8.2.1).
const BAD_VALUE = /[\0\r\n]|^[ \t]|[ \t]$/;

function malformed(id: number, why: string): H2StreamError {
  return new H2StreamError(ErrorCode.PROTOCOL_ERROR, id, why);
}

/** Checks one regular field (RFC 9113 §8.2). */
function checkField(id: number, name: string, value: string): void {
  if (!NAME.test(name)) {
    throw malformed(
      id,
      `the field name ${
        JSON.stringify(name.slice(0, 64))
      } is not a lowercase token (RFC 9113 §8.2.1)`,
    );
  }
  if (BAD_VALUE.test(value)) {
    throw malformed(
      id,
      `the value of ${name} holds NUL, CR, LF or edge spaces`,
    );
  }
  if (CONNECTION_SPECIFIC.has(name)) {
    throw malformed(
      id,
      `the connection-specific field ${name} (RFC 9113 §8.2.2)`,
    );
  }
  if (name === "te" && value !== "trailers") {
    throw malformed(
      id,
      `te: ${value}; only "trailers" is allowed (RFC 9113 §8.2.2)`,
    );
  }
}

/** Checks a request's header list and splits it (`[name, value, ...]`). */
export function requestHead(id: number, fields: string[]): RequestHead {
  let method: string | null = null;
  let scheme: string | null = null;
  let authority: string | null = null;
  let path: string | null = null;
  let protocol: string | null = null;
  const headers: [string, string][] = [];
  let host: string | null = null;
  let length: string | null = null;
  let cookie = -1;
  let regular = false;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) !== 58 /* ":" */) {
      regular = true;
      checkField(id, name, value);
      if (name === "cookie") {
        // Cookie crumbs are joined with "; ", not ", " (RFC 9113 §8.2.3).
        if (cookie >= 0) {
          headers[cookie]![1] += `; ${value}`;
          continue;
        }
        cookie = headers.length;
      } else if (name === "content-length") {
        length = length === null ? value : `${length}, ${value}`;
      } else if (name === "host") {
        host ??= value;
      }
      headers.push([name, value]);
      continue;
    }
    if (regular) {
      throw malformed(
        id,
        `the pseudo-header ${name} after a regular field (RFC 9113 §8.3)`,
      );
    }
    const seen = name === ":method"
      ? method
      : name === ":scheme"
      ? scheme
      : name === ":authority"
      ? authority
      : name === ":path"
      ? path
      : name === ":protocol"
      ? protocol
      : undefined;
    if (seen === undefined) {
      throw malformed(
        id,
        `the pseudo-header ${name}, which requests do not have (RFC 9113 §8.3)`,
      );
    }
    if (seen !== null) throw malformed(id, `${name} twice (RFC 9113 §8.3.1)`);
    if (name === ":method") method = value;
    else if (name === ":scheme") scheme = value;
    else if (name === ":authority") authority = value;
    else if (name === ":protocol") protocol = value;
    else path = value;
  }
  if (method === null) throw malformed(id, "no :method (RFC 9113 §8.3.1)");
  if (protocol !== null) {
    // RFC 8441 §4: an extended CONNECT has every pseudo-header of a request.
    if (method !== "CONNECT" || authority === null) {
      throw malformed(
        id,
        ":protocol needs :method CONNECT and :authority (RFC 8441 §4)",
      );
    }
  }
  if (method === "CONNECT" && protocol === null) {
    if (authority === null || scheme !== null || path !== null) {
      throw malformed(
        id,
        "CONNECT needs :authority and no :scheme or :path (RFC 9113 §8.5)",
      );
    }
    path = "";
  } else if (scheme === null || path === null) {
    throw malformed(id, "a request without :scheme or :path (RFC 9113 §8.3.1)");
  } else if (
    path === "" || (path[0] !== "/" && !(path === "*" && method === "OPTIONS"))
  ) {
    throw malformed(
      id,
      `the :path ${JSON.stringify(path.slice(0, 64))} is not origin-form`,
    );
  }
  if (path === "*") path = "/";
  let contentLength = -1;
  if (length !== null) {
    if (!/^[0-9]{1,15}$/.test(length)) {
      throw malformed(
        id,
        `content-length ${
          JSON.stringify(length.slice(0, 32))
        } is not one number`,
      );
    }
    contentLength = Number(length);
  }
  return {
    method,
    scheme,
    authority,
    path,
    protocol,
    headers,
    host,
    contentLength,
  };
}

/** A header list with no pseudo-headers (trailers, or a response's fields after `:status`) as `Headers`. */
export function fieldsToHeaders(
  id: number,
  fields: string[],
  trailers: boolean,
): Headers {
  const headers = new Headers();
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    if (name.charCodeAt(0) === 58) {
      throw malformed(
        id,
        `the pseudo-header ${name} in ${trailers ? "trailers" : "fields"}`,
      );
    }
    const value = fields[i + 1]!;
    checkField(id, name, value);
    if (name === "cookie" && headers.has("cookie")) {
      headers.set("cookie", `${headers.get("cookie")}; ${value}`);
    } else {
      headers.append(name, value);
    }
  }
  return headers;
}
