/**
 * The opening handshake (RFC 6455 §4): the accept key, and the checks a
 * server makes of an upgrade request.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { WEBSOCKET_GUID, WEBSOCKET_VERSION } from "./constants.ts";
import { WebSocketHandshakeError } from "./errors.ts";

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key` (RFC 6455
 * §4.2.2): base64 of the SHA-1 of the key and the GUID. Synchronous, so
 * that `upgradeWebSocket` can return its response at once as Deno's does.
 *
 * @example Usage
 * ```ts
 * import { acceptKey } from "@spindle/spindle/protocols/websocket";
 * // The example of RFC 6455 §1.3.
 * console.assert(acceptKey("dGhlIHNhbXBsZSBub25jZQ==") === "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/**
 * Splits a comma-separated header value (`Sec-WebSocket-Protocol`,
 * `Connection`), with or without spaces after the commas.
 *
 * @example Usage
 * ```ts
 * import { splitList } from "@spindle/spindle/protocols/websocket";
 * console.assert(splitList("chat,superchat, v2").join("|") === "chat|superchat|v2");
 * ```
 */
export function splitList(value: string | null): string[] {
  if (value === null) return [];
  return value.split(",").map((item) => item.trim()).filter((item) =>
    item !== ""
  );
}

const KEY = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Checks that `request` asks for a WebSocket (RFC 6455 §4.2.1) and returns
 * its key; throws `WebSocketHandshakeError` with the status to answer:
 * 400 for a request that is no upgrade or has no valid key, 426 (with
 * `Sec-WebSocket-Version: 13`) for another version.
 *
 * @example Usage
 * ```ts
 * import { checkUpgradeRequest, WebSocketHandshakeError } from "@spindle/spindle/protocols/websocket";
 * try {
 *   // No Sec-WebSocket-Key: a 400.
 *   checkUpgradeRequest(new Request("http://h/", {
 *     headers: { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13" },
 *   }));
 * } catch (error) {
 *   console.assert(error instanceof WebSocketHandshakeError && error.status === 400);
 * }
 * ```
 */
export function checkUpgradeRequest(request: Request): string {
  const headers = request.headers;
  if (request.method !== "GET") {
    throw new WebSocketHandshakeError(
      400,
      `a WebSocket opens with GET, not ${request.method}`,
    );
  }
  const upgrade = splitList(headers.get("upgrade")).map((p) => p.toLowerCase());
  if (!upgrade.includes("websocket")) {
    throw new WebSocketHandshakeError(
      400,
      "the request has no 'Upgrade: websocket' header: it is no WebSocket handshake",
    );
  }
  const connection = splitList(headers.get("connection")).map((t) =>
    t.toLowerCase()
  );
  if (!connection.includes("upgrade")) {
    throw new WebSocketHandshakeError(
      400,
      "the request's Connection header does not include 'upgrade'",
    );
  }
  const version = headers.get("sec-websocket-version");
  if (version !== WEBSOCKET_VERSION) {
    throw new WebSocketHandshakeError(
      426,
      `the request asks for WebSocket version ${
        JSON.stringify(version)
      }: only ${WEBSOCKET_VERSION} is spoken`,
    );
  }
  const key = headers.get("sec-websocket-key")?.trim();
  if (key === undefined || !KEY.test(key)) {
    throw new WebSocketHandshakeError(
      400,
      key === undefined
        ? "the request has no Sec-WebSocket-Key header"
        : "the Sec-WebSocket-Key header is not 16 bytes in base64",
    );
  }
  return key;
}
