/**
 * {@linkcode peerHost}: the host part of a peer's address, as the mail
 * servers log it, limit logins by it and write it in trace headers.
 *
 * @module
 */
import type { Address } from "../../reactor/interfaces.ts";

/**
 * The host of `addr`: the IP address of a TCP peer, `"unix"` for a Unix
 * socket, the name of an in-memory end.
 *
 * @example Usage
 * ```ts
 * import { peerHost } from "@spindle/spindle/protocols/mail";
 * console.assert(peerHost({ transport: "tcp", hostname: "192.0.2.7", port: 25 }) === "192.0.2.7");
 * ```
 */
export function peerHost(addr: Address): string {
  return "hostname" in addr
    ? addr.hostname
    : "path" in addr
    ? "unix"
    : addr.name;
}
