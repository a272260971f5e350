/**
 * The trace headers a server puts on each message it delivers (RFC 5321
 * §4.4): `Return-Path:` and `Received:`.
 *
 * @module
 */
import { peerHost } from "../mail/peer.ts";
import type { SMTPEnvelope } from "./delivery.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/**
 * A date as RFC 5322 §3.3 writes it, in UTC: `Sat, 05 Dec 2026 11:33:43 +0000`.
 *
 * @example Usage
 * ```ts
 * import { formatMailDate } from "@spindle/spindle/protocols/smtp";
 * console.assert(formatMailDate(new Date(0)) === "Thu, 01 Jan 1970 00:00:00 +0000");
 * ```
 */
export function formatMailDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${
    MONTHS[date.getUTCMonth()]
  } ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${
    two(date.getUTCMinutes())
  }:${two(date.getUTCSeconds())} +0000`;
}

/**
 * The lines put in front of a message at final delivery: `Return-Path:` with
 * the reverse path (RFC 5321 §4.4), then one `Received:` naming the client
 * (its EHLO name and address), this server, the protocol (RFC 3848:
 * `ESMTP`, `ESMTPS` over TLS, `ESMTPA` / `ESMTPSA` when authenticated), the
 * id, the recipient when there is one, and the date. CRLF line ends.
 *
 * @example Usage
 * ```ts
 * import { traceHeaders } from "@spindle/spindle/protocols/smtp";
 * const text = traceHeaders({
 *   id: "abc",
 *   from: null,
 *   to: [],
 *   hostname: "mx.example.test",
 *   date: new Date(0),
 *   session: {
 *     remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 5000 },
 *     helo: "client",
 *     esmtp: true,
 *     tls: false,
 *     user: null,
 *   },
 * });
 * console.assert(text.startsWith("Return-Path: <>\r\nReceived: from client ([127.0.0.1])"));
 * ```
 */
export function traceHeaders(envelope: SMTPEnvelope): string {
  const { session } = envelope;
  const ip = peerHost(session.remoteAddr);
  const protocol = session.esmtp
    ? `ESMTP${session.tls ? "S" : ""}${session.user === null ? "" : "A"}`
    : "SMTP";
  const to = envelope.to.length === 1
    ? `\r\n\tfor <${envelope.to[0]!.address}>`
    : "";
  return `Return-Path: <${envelope.from?.address ?? ""}>\r\n` +
    `Received: from ${session.helo ?? "unknown"} ([${ip}])\r\n` +
    `\tby ${envelope.hostname} (Spindle) with ${protocol} id ${envelope.id}${to};\r\n` +
    `\t${formatMailDate(envelope.date)}\r\n`;
}
