/**
 * The fixed names and numbers of HTTP/1.1: reason phrases and the ALPN
 * protocol id.
 *
 * @module
 */

/**
 * The ALPN protocol id of HTTP/1.1 (RFC 7301 §6), offered by TLS servers and clients.
 *
 * @example Usage
 * ```ts
 * import { HTTP_1_1_ALPN } from "@spindle/spindle/protocols/http";
 * console.assert(HTTP_1_1_ALPN === "http/1.1");
 * ```
 */
export const HTTP_1_1_ALPN = "http/1.1";

/**
 * The methods a client may retry on a fresh connection (RFC 9110 §9.2.2, idempotent).
 *
 * @example Usage
 * ```ts
 * import { IDEMPOTENT_METHODS } from "@spindle/spindle/protocols/http";
 * console.assert(IDEMPOTENT_METHODS.has("GET") && !IDEMPOTENT_METHODS.has("POST"));
 * ```
 */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "TRACE",
  "PUT",
  "DELETE",
]);

/**
 * Reason phrases for the status codes of RFC 9110 §15 (and a few common extras).
 *
 * @example Usage
 * ```ts
 * import { STATUS_TEXT } from "@spindle/spindle/protocols/http";
 * console.assert(STATUS_TEXT[404] === "Not Found");
 * ```
 */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};
